/*
 * The operator's loop on real alerts: the protection pipeline (replay backend) blocks an event and
 * raises an alert; the alert's blob, or the whole alert, goes back through AddExceptionFromAlert;
 * the same event is then allowed, a different one is not; RemoveException restores the block,
 * FlushAlertExceptions clears every alert exception, a reload of the exceptions file keeps them.
 * EPT (kernel, user, kernel-user), MSR, CR and DTR, the events the pipeline produces.
 *
 * The guest is test_protect.c's: a 64-bit Windows guest on the replay backend, a.sys and victim.sys
 * in the kernel, files from tests/support/exc_builder.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/code_samples.h"
#include "exc_builder.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "replay_guest.h"

#define KCR3 0x1AA000ull
#define UCR3 0x2BB000ull
#define DRV_A 0xFFFFF80010000000ull /* a.sys: code at +0x1000 */
#define DRV_B 0xFFFFF80050000000ull /* b.sys: code at +0x1000 */
#define DRV_V 0xFFFFF80020000000ull /* victim.sys: .text at +0x1000, .data at +0x2000 */
#define NOWHERE 0xFFFFF80030000000ull
#define UM_EXE 0x00007FF600000000ull
#define UM_OTHER 0x00007FF700000000ull
#define UM_DLL 0x00007FFB00000000ull

#define W(n) XbWide(n)

typedef struct GUEST
{
    INTRO_REPLAY *Replay;
    INTRO_GLUE_GUEST *Glue;
    GLUE_IFACE Iface;
    IG_TEST_FILE File;
    unsigned Alerts;
    DWORD LastClass;
    size_t LastSize;
    union
    {
        INTRO_VIOLATION_HEADER Header;
        EVENT_EPT_VIOLATION Ept;
        EVENT_MSR_VIOLATION Msr;
        EVENT_CR_VIOLATION Cr;
        EVENT_DTR_VIOLATION Dtr;
    } Last;
    INTRO_EXC_VERDICT LastVerdict;
} GUEST;

static void AlertSink(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    GUEST *g = Context;

    assert_true(Size <= sizeof(g->Last));
    g->Alerts++;
    g->LastClass = EventClass;
    g->LastSize = Size;
    memcpy(&g->Last, Event, Size);
}

static void Observe(void *Context, void *GuestHandle, const INTRO_GUEST_DECISION *Decision)
{
    GUEST *g = Context;

    (void)GuestHandle;
    g->LastVerdict = *Decision->Verdict;
}

/* An exceptions file that allows nothing these tests do: exceptions are loaded, every event blocks. */
static void LoadUnrelated(GUEST *G)
{
    size_t size;
    const uint8_t *bin;

    XbInit(&G->File);
    XbKernel(&G->File, W("unrelated.sys"), W("unrelated.sys"), TF_DEFAULT, IgKmObjDriverData, 0, NULL);
    bin = XbFinish(&G->File, &size);
    assert_int_equal(IntUpdateExceptions(G->Glue, (PBYTE)(uintptr_t)bin, (DWORD)size, 0), INT_STATUS_SUCCESS);
}

static GUEST *Start(void)
{
    static uint8_t image[0x3000];
    static const uint8_t mov[] = {0x48, 0x89, 0x18}; /* mov [rax], rbx */
    GUEST *g = test_calloc(1, sizeof(*g));
    GUEST_INFO info = {introGuestWindows, 0, TRUE, 19041u, 0, {0}};

    assert_int_equal(IntReplayCreate(1, &g->Replay), INT_STATUS_SUCCESS);
    IntReplaySetSinks(g->Replay, AlertSink, NULL, g);
    RgMap(g->Replay, KCR3, DRV_A, image, sizeof(image));
    RgMap(g->Replay, KCR3, DRV_B, image, sizeof(image));
    RgMap(g->Replay, KCR3, DRV_V, image, sizeof(image));
    RgMap(g->Replay, KCR3, NOWHERE, image, 0x1000);
    RgMap(g->Replay, KCR3, DRV_A + 0x1000, mov, sizeof(mov));
    RgMap(g->Replay, KCR3, DRV_B + 0x1000, mov, sizeof(mov));
    RgMap(g->Replay, KCR3, NOWHERE, mov, sizeof(mov));
    RgSetVcpu(g->Replay, KCR3, DRV_A + 0x1000, 0, 0, 0, 0);
    RgStart(IntReplayBackend(), g->Replay, &info, KCR3, NULL, &g->Glue, &g->Iface);
    assert_int_equal(IntGuestSetDecisionObserver(g->Glue, Observe, g), INT_STATUS_SUCCESS);
    RgAddModule(g->Glue, INTRO_GUEST_KERNEL, "A.SYS", DRV_A, 0);
    RgAddModule(g->Glue, INTRO_GUEST_KERNEL, "\\SystemRoot\\System32\\drivers\\b.sys", DRV_B, 0);
    RgAddModule(g->Glue, INTRO_GUEST_KERNEL, "victim.sys", DRV_V, 0);
    return g;
}

static void Stop(GUEST *G)
{
    assert_int_equal(G->Iface.DisableIntro(G->Glue, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    IntGlueGuestDestroy(G->Glue);
    IntReplayDestroy(G->Replay);
    test_free(G);
}

/* Writes to the page at Gva. */
static void ProtectMemory(GUEST *G, uint32_t Object, uint64_t Gva, uint32_t Pid, uint64_t Owner)
{
    INTRO_GUEST_ZONE z;

    RgMemoryZone(&z, Object, Gva, 0x1000, Pid, Owner, IG_EPT_HOOK_WRITE);
    RgProtect(G->Glue, &z);
}

static void ProtectRegister(GUEST *G, uint32_t Kind, uint32_t Index)
{
    INTRO_GUEST_ZONE z;

    RgRegisterZone(&z, Kind, Index);
    RgProtect(G->Glue, &z);
}

/* `mov [rax], rbx` at Rip (in address space Cr3, at Ring) writing Value at Target; the vCPU's action. */
static INTRO_ACTION Write(GUEST *G, uint64_t Cr3, uint64_t Rip, uint32_t Ring, uint64_t Target, uint64_t Value)
{
    INTRO_ACTION action = introGuestRetry;
    QWORD gpa = 0;

    assert_int_equal(IntReplayTranslate(G->Replay, Cr3, INTRO_REPLAY_PAGING_4LEVEL, Target, &gpa), INT_STATUS_SUCCESS);
    RgSetVcpu(G->Replay, Cr3, Rip, Ring, Target, Value, 0);
    assert_int_equal(IntGlueEptViolation(G->Glue, 0, gpa, Target, IG_EPT_HOOK_WRITE, 0, &action), INT_STATUS_SUCCESS);
    return action;
}

static INTSTATUS AddBlob(GUEST *G, QWORD Context)
{
    return G->Iface.AddExceptionFromAlert(G->Glue, G->Last.Header.Exception, (INTRO_EVENT_TYPE)G->LastClass, TRUE,
                                          Context);
}

static uint32_t Count(GUEST *G)
{
    uint32_t count = 99;

    assert_int_equal(IntGetAlertExceptionCount(G->Glue, &count), INT_STATUS_SUCCESS);
    return count;
}

/* The last alert carried a Valid blob of Shape, which decodes. */
static void ExpectBlob(GUEST *G, uint32_t Shape)
{
    INTRO_ALERT_EXCEPTION exc;

    assert_true(G->Last.Header.ExHeader.Valid);
    assert_int_equal(IntAlertExceptionDecode(G->Last.Header.Exception, ALERT_EXCEPTION_SIZE,
                                             (INTRO_EVENT_TYPE)G->LastClass, &exc, NULL),
                     INT_STATUS_SUCCESS);
    assert_int_equal(exc.Shape, Shape);
    assert_int_equal(exc.ViolationFlags, G->Last.Header.Flags);
}

/* ---- EPT, kernel ------------------------------------------------------------------------------------------------ */

static void TestKernelWriteLoop(void **State)
{
    GUEST *g = Start();
    uint8_t alert[sizeof(EVENT_EPT_VIOLATION)];
    uint8_t built[ALERT_EXCEPTION_SIZE];

    (void)State;
    ProtectMemory(g, introObjectTypeKmModule, DRV_V + 0x2000, INTRO_GUEST_KERNEL, DRV_V);
    LoadUnrelated(g);

    /* a.sys writes victim.sys's data: blocked, with an alert whose blob names that write. */
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x1111), introGuestNotAllowed);
    assert_int_equal(g->Alerts, 1);
    assert_int_equal(g->LastClass, introEventEptViolation);
    ExpectBlob(g, INTRO_ALERT_EXC_KERNEL);
    memcpy(alert, &g->Last, sizeof(alert));
    /* The blob the pipeline built is the one IntAlertExceptionBuild makes of the alert. */
    assert_int_equal(
        IntAlertExceptionBuild(alert, sizeof(alert), introEventEptViolation, INTRO_EXC_OS_WINDOWS, true, built, NULL),
        INT_STATUS_SUCCESS);
    assert_memory_equal(built, g->Last.Header.Exception, ALERT_EXCEPTION_SIZE);

    assert_int_equal(AddBlob(g, 0x10), INT_STATUS_SUCCESS);
    assert_int_equal(Count(g), 1);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x2222), introGuestAllowed);
    assert_int_equal(g->LastVerdict.Matched.Source, INTRO_EXC_SOURCE_ALERT);
    assert_int_equal(g->LastVerdict.Matched.AlertContext, 0x10);
    assert_int_equal(g->Alerts, 1);

    /* Another driver writing the same place is another violation. */
    assert_int_equal(Write(g, KCR3, DRV_B + 0x1000, 0, DRV_V + 0x2010, 0x3333), introGuestNotAllowed);
    assert_int_equal(g->Alerts, 2);

    /* Removed: blocked again; a second remove finds nothing. */
    assert_int_equal(g->Iface.RemoveException(g->Glue, 0x10), INT_STATUS_SUCCESS);
    assert_int_equal(Count(g), 0);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x4444), introGuestNotAllowed);
    assert_int_equal(g->Iface.RemoveException(g->Glue, 0x10), INT_STATUS_NOT_FOUND);

    /* The whole alert gives the same exception: the blob of the same context is a duplicate. */
    assert_int_equal(g->Iface.AddExceptionFromAlert(g->Glue, alert, introEventEptViolation, FALSE, 0x20),
                     INT_STATUS_SUCCESS);
    assert_int_equal(g->Iface.AddExceptionFromAlert(g->Glue, built, introEventEptViolation, TRUE, 0x20),
                     INT_STATUS_NOT_NEEDED_HINT);
    assert_int_equal(Count(g), 1);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x5555), introGuestAllowed);

    /* Under another context it is kept apart, so each context removes its own. */
    assert_int_equal(g->Iface.AddExceptionFromAlert(g->Glue, built, introEventEptViolation, TRUE, 0x21),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Count(g), 2);
    assert_int_equal(g->Iface.RemoveException(g->Glue, 0x20), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x6666), introGuestAllowed);
    assert_int_equal(g->LastVerdict.Matched.AlertContext, 0x21);

    /* A reload keeps them; a flush clears them and leaves the file's in force. */
    LoadUnrelated(g);
    assert_int_equal(Count(g), 1);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x7777), introGuestAllowed);
    assert_int_equal(g->Iface.FlushAlertExceptions(g->Glue), INT_STATUS_SUCCESS);
    assert_int_equal(Count(g), 0);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x8888), introGuestNotAllowed);
    assert_int_equal(g->LastVerdict.Reason, INTRO_EXC_REASON_NO_EXCEPTION);
    Stop(g);
}

/* Code in no driver: the exception names "no driver" (hvmi names the return driver, and never matches). */
static void TestKernelWriteFromNoModule(void **State)
{
    GUEST *g = Start();

    (void)State;
    ProtectMemory(g, introObjectTypeKmModule, DRV_V + 0x2000, INTRO_GUEST_KERNEL, DRV_V);
    LoadUnrelated(g);
    assert_int_equal(Write(g, KCR3, NOWHERE, 0, DRV_V + 0x2020, 0x1), introGuestNotAllowed);
    ExpectBlob(g, INTRO_ALERT_EXC_KERNEL);
    assert_false(g->Last.Ept.Originator.Module.Valid);
    assert_int_equal(AddBlob(g, 7), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, KCR3, NOWHERE, 0, DRV_V + 0x2020, 0x2), introGuestAllowed);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2020, 0x3), introGuestNotAllowed);
    Stop(g);
}

/* Exceptions from alerts are kept while no file is loaded, and used once one is (hvmi ignores them then). */
static void TestNoFileLoaded(void **State)
{
    GUEST *g = Start();
    uint8_t blob[ALERT_EXCEPTION_SIZE];

    (void)State;
    ProtectMemory(g, introObjectTypeKmModule, DRV_V + 0x2000, INTRO_GUEST_KERNEL, DRV_V);
    LoadUnrelated(g);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x1), introGuestNotAllowed);
    memcpy(blob, g->Last.Header.Exception, sizeof(blob));
    Stop(g);

    /* A new guest: nothing loaded.  The add succeeds, the verdict stays hvmi's "not loaded". */
    g = Start();
    ProtectMemory(g, introObjectTypeKmModule, DRV_V + 0x2000, INTRO_GUEST_KERNEL, DRV_V);
    assert_int_equal(g->Iface.AddExceptionFromAlert(g->Glue, blob, introEventEptViolation, TRUE, 1),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, KCR3, DRV_B + 0x1000, 0, DRV_V + 0x2010, 0x2), introGuestAllowed);
    assert_int_equal(g->LastVerdict.Reason, INTRO_EXC_REASON_EXCEPTIONS_NOT_LOADED);
    LoadUnrelated(g);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000, 0, DRV_V + 0x2010, 0x3), introGuestAllowed);
    assert_int_equal(g->LastVerdict.Matched.Source, INTRO_EXC_SOURCE_ALERT);
    assert_int_equal(Write(g, KCR3, DRV_B + 0x1000, 0, DRV_V + 0x2010, 0x4), introGuestNotAllowed);
    Stop(g);
}

/* ---- EPT, user and kernel-user ---------------------------------------------------------------------------------- */

static void AddProcess(GUEST *G)
{
    static uint8_t dll[0x3000];
    static const uint8_t mov[] = {0x48, 0x89, 0x18};
    INTRO_GUEST_PROCESS p;

    memset(&p, 0, sizeof(p));
    p.StructSize = sizeof(p);
    p.Pid = 1200;
    p.ParentPid = 4;
    p.Name = "ChromeBrowser.exe"; /* longer than the 14 characters Windows keeps */
    p.NameLength = 17;
    p.Cr3 = UCR3;
    assert_int_equal(IntGuestAddProcess(G->Glue, &p), INT_STATUS_SUCCESS);
    RgAddModule(G->Glue, 1200, "ntdll.dll", UM_DLL, 0);
    RgAddModule(G->Glue, 1200, "C:\\Program Files\\Evil\\Evil.dll", UM_EXE, 0);
    RgAddModule(G->Glue, 1200, "good.dll", UM_OTHER, 0);
    RgMap(G->Replay, UCR3, UM_DLL, dll, sizeof(dll));
    RgMap(G->Replay, UCR3, UM_EXE, dll, sizeof(dll));
    RgMap(G->Replay, UCR3, UM_OTHER, dll, sizeof(dll));
    RgMap(G->Replay, UCR3, UM_EXE + 0x1000, mov, sizeof(mov));
    RgMap(G->Replay, UCR3, UM_OTHER + 0x1000, mov, sizeof(mov));
    /* The kernel's code is mapped in the process too (kernel writes into it run there). */
    RgMap(G->Replay, UCR3, DRV_A + 0x1000, mov, sizeof(mov));
    RgMap(G->Replay, UCR3, DRV_B + 0x1000, mov, sizeof(mov));
}

static void TestUserWriteLoop(void **State)
{
    GUEST *g = Start();

    (void)State;
    AddProcess(g);
    ProtectMemory(g, introObjectTypeUmModule, UM_DLL + 0x1000, 1200, UM_DLL);
    LoadUnrelated(g);
    assert_int_equal(Write(g, UCR3, UM_EXE + 0x1000, 3, UM_DLL + 0x1008, 9), introGuestNotAllowed);
    ExpectBlob(g, INTRO_ALERT_EXC_USER);
    assert_int_equal(AddBlob(g, 0x30), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, UCR3, UM_EXE + 0x1000, 3, UM_DLL + 0x1008, 10), introGuestAllowed);
    assert_int_equal(g->LastVerdict.Matched.AlertContext, 0x30);
    assert_int_equal(Write(g, UCR3, UM_OTHER + 0x1000, 3, UM_DLL + 0x1008, 11), introGuestNotAllowed);
    assert_int_equal(g->Iface.RemoveException(g->Glue, 0x30), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, UCR3, UM_EXE + 0x1000, 3, UM_DLL + 0x1008, 12), introGuestNotAllowed);
    Stop(g);
}

static void TestKernelUserWriteLoop(void **State)
{
    GUEST *g = Start();

    (void)State;
    AddProcess(g);
    ProtectMemory(g, introObjectTypeUmModule, UM_DLL + 0x1000, 1200, UM_DLL);
    LoadUnrelated(g);
    assert_int_equal(Write(g, UCR3, DRV_A + 0x1000, 0, UM_DLL + 0x1010, 5), introGuestNotAllowed);
    assert_true(g->Last.Header.Flags & ALERT_FLAG_KM_UM);
    ExpectBlob(g, INTRO_ALERT_EXC_KERNEL_USER);
    assert_int_equal(AddBlob(g, 0x40), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, UCR3, DRV_A + 0x1000, 0, UM_DLL + 0x1010, 6), introGuestAllowed);
    assert_int_equal(g->LastVerdict.Matched.Kind, INTRO_EXC_KIND_KERNEL_USER);
    assert_int_equal(Write(g, UCR3, DRV_B + 0x1000, 0, UM_DLL + 0x1010, 7), introGuestNotAllowed);
    /* hvmi never removes a kernel-user alert exception by its context; introguard does. */
    assert_int_equal(g->Iface.RemoveException(g->Glue, 0x40), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, UCR3, DRV_A + 0x1000, 0, UM_DLL + 0x1010, 8), introGuestNotAllowed);
    Stop(g);
}

/* Execution in a process's NX zone: a user exception of no originator, any victim, the process. */
static void TestUserExecutionLoop(void **State)
{
    GUEST *g = Start();
    INTRO_GUEST_ZONE z;
    INTRO_ACTION action = introGuestRetry;
    QWORD gpa = 0;
    uint64_t heap = UM_OTHER + 0x2000;

    (void)State;
    AddProcess(g);
    RgMemoryZone(&z, introObjectTypeUmGenericNxZone, heap, 0x1000, 1200, 0, IG_EPT_HOOK_EXECUTE);
    RgProtect(g->Glue, &z);
    LoadUnrelated(g);
    assert_int_equal(IntReplayTranslate(g->Replay, UCR3, INTRO_REPLAY_PAGING_4LEVEL, heap, &gpa), INT_STATUS_SUCCESS);
    RgSetVcpu(g->Replay, UCR3, heap + 0x10, 3, 0, 0, 0);
    assert_int_equal(IntGlueEptViolation(g->Glue, 0, gpa + 0x10, heap + 0x10, IG_EPT_HOOK_EXECUTE, 0, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    ExpectBlob(g, INTRO_ALERT_EXC_USER);
    assert_int_equal(AddBlob(g, 0x50), INT_STATUS_SUCCESS);
    assert_int_equal(IntGlueEptViolation(g->Glue, 0, gpa + 0x10, heap + 0x10, IG_EPT_HOOK_EXECUTE, 0, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestAllowed);
    assert_int_equal(g->LastVerdict.Matched.AlertContext, 0x50);
    /* A write into ntdll by the same process is another violation. */
    ProtectMemory(g, introObjectTypeUmModule, UM_DLL + 0x1000, 1200, UM_DLL);
    assert_int_equal(Write(g, UCR3, UM_OTHER + 0x1000, 3, UM_DLL + 0x1008, 1), introGuestNotAllowed);
    Stop(g);
}

/* ---- MSR, CR, DTR ----------------------------------------------------------------------------------------------- */

static INTRO_ACTION MsrWrite(GUEST *G, uint64_t Rip, uint32_t Msr)
{
    INTRO_ACTION action = introGuestRetry;
    QWORD value = 0xFFFFF80010001000ull;
    INTSTATUS status;

    RgSetVcpu(G->Replay, KCR3, Rip, 0, 0, 0, 0);
    status = IntGlueMsrWrite(G->Glue, 0, Msr, 0, &value, &action);
    assert_true(status == INT_STATUS_SUCCESS || status == INT_STATUS_NOT_FOUND);
    return action;
}

static INTRO_ACTION CrWrite(GUEST *G, uint64_t Rip, uint64_t New)
{
    INTRO_ACTION action = introGuestRetry;

    RgSetVcpu(G->Replay, KCR3, Rip, 0, 0, 0, 0);
    assert_int_equal(IntGlueCrWrite(G->Glue, 0, 4, 0x370678, New, &action), INT_STATUS_SUCCESS);
    return action;
}

static INTRO_ACTION DtrLoad(GUEST *G, uint64_t Rip, DWORD Which)
{
    INTRO_ACTION action = introGuestRetry;

    RgSetVcpu(G->Replay, KCR3, Rip, 0, 0, 0, 0);
    assert_int_equal(IntGlueDtrAccess(G->Glue, 0, Which | IG_DESC_ACCESS_WRITE, &action), INT_STATUS_SUCCESS);
    return action;
}

static void TestRegisterLoops(void **State)
{
    GUEST *g = Start();

    (void)State;
    ProtectRegister(g, introZoneMsr, 0xC0000082);
    ProtectRegister(g, introZoneCr, 4);
    ProtectRegister(g, introZoneDtr, introObjectTypeIdtr);
    ProtectRegister(g, introZoneDtr, introObjectTypeGdtr);
    LoadUnrelated(g);

    /* MSR: a.sys's write is excepted from its alert (the whole alert, this time); b.sys's is not. */
    assert_int_equal(MsrWrite(g, DRV_A + 0x1000, 0xC0000082), introGuestNotAllowed);
    assert_int_equal(g->LastClass, introEventMsrViolation);
    ExpectBlob(g, INTRO_ALERT_EXC_KERNEL);
    assert_int_equal(g->Iface.AddExceptionFromAlert(g->Glue, &g->Last.Msr, introEventMsrViolation, FALSE, 1),
                     INT_STATUS_SUCCESS);
    assert_int_equal(MsrWrite(g, DRV_A + 0x1000, 0xC0000082), introGuestAllowed);
    assert_int_equal(MsrWrite(g, DRV_B + 0x1000, 0xC0000082), introGuestNotAllowed);

    /* CR4: clearing SMEP. */
    assert_int_equal(CrWrite(g, DRV_A + 0x1000, 0x270678), introGuestNotAllowed);
    assert_int_equal(g->LastClass, introEventCrViolation);
    ExpectBlob(g, INTRO_ALERT_EXC_KERNEL);
    assert_int_equal(AddBlob(g, 2), INT_STATUS_SUCCESS);
    assert_int_equal(CrWrite(g, DRV_A + 0x1000, 0x270678), introGuestAllowed);
    assert_int_equal(CrWrite(g, DRV_B + 0x1000, 0x270678), introGuestNotAllowed);

    /* IDTR: excepted; GDTR, the same driver, is another violation. */
    assert_int_equal(DtrLoad(g, DRV_A + 0x1000, IG_DESC_ACCESS_IDTR), introGuestNotAllowed);
    assert_int_equal(g->LastClass, introEventDtrViolation);
    ExpectBlob(g, INTRO_ALERT_EXC_KERNEL);
    assert_int_equal(AddBlob(g, 3), INT_STATUS_SUCCESS);
    assert_int_equal(DtrLoad(g, DRV_A + 0x1000, IG_DESC_ACCESS_IDTR), introGuestAllowed);
    assert_int_equal(DtrLoad(g, DRV_A + 0x1000, IG_DESC_ACCESS_GDTR), introGuestNotAllowed);

    /* Each context takes its own exception away; a reload keeps the others. */
    assert_int_equal(g->Iface.RemoveException(g->Glue, 2), INT_STATUS_SUCCESS);
    assert_int_equal(CrWrite(g, DRV_A + 0x1000, 0x270678), introGuestNotAllowed);
    LoadUnrelated(g);
    assert_int_equal(MsrWrite(g, DRV_A + 0x1000, 0xC0000082), introGuestAllowed);
    assert_int_equal(DtrLoad(g, DRV_A + 0x1000, IG_DESC_ACCESS_IDTR), introGuestAllowed);
    assert_int_equal(g->Iface.FlushAlertExceptions(g->Glue), INT_STATUS_SUCCESS);
    assert_int_equal(MsrWrite(g, DRV_A + 0x1000, 0xC0000082), introGuestNotAllowed);
    assert_int_equal(DtrLoad(g, DRV_A + 0x1000, IG_DESC_ACCESS_IDTR), introGuestNotAllowed);
    Stop(g);
}

/* ---- Code blocks --------------------------------------------------------------------------------------------------
 */

/* The page of code around a.sys's write: compiled functions, the write, compiled functions. */
static size_t CodePage(uint8_t *Page, const uint8_t *Before, size_t BeforeLength)
{
    static const uint8_t mov[] = {0x48, 0x89, 0x18};
    size_t at = 0;

    memset(Page, 0xCC, 0x1000);
    memcpy(Page, Before, BeforeLength);
    at = BeforeLength;
    memcpy(Page + at, mov, sizeof(mov));
    memcpy(Page + at + sizeof(mov), gSample12Code, sizeof(gSample12Code));
    memcpy(Page + at + sizeof(mov) + sizeof(gSample12Code), gSample10Code, sizeof(gSample10Code));
    return at;
}

typedef struct PAGE_READER
{
    uint64_t Gva;
    const uint8_t *Page;
} PAGE_READER;

static INTSTATUS ReadPage(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    const PAGE_READER *r = Context;

    (void)Cr3;
    *Done = 0;
    if (Gva < r->Gva || Gva - r->Gva >= 0x1000 || Size > 0x1000 - (Gva - r->Gva))
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    memcpy(Buffer, r->Page + (Gva - r->Gva), Size);
    *Done = Size;
    return INT_STATUS_SUCCESS;
}

/*
 * With real code around the RIP the alert carries code blocks, the blob a code-blocks signature,
 * and the exception holds only for that code: the same driver writing from other code is blocked
 * for its signature.  The public extraction gives the blocks the alert reported.
 */
static void TestCodeBlocksSignature(void **State)
{
    GUEST *g = Start();
    static uint8_t page[0x1000], other[0x1000];
    size_t rip = CodePage(page, gSample10Code, sizeof(gSample10Code));
    size_t otherRip = CodePage(other, gSample15Code, sizeof(gSample15Code));
    INTRO_EXC_CODE_CONTEXT *ctx = NULL;
    PAGE_READER reader = {DRV_A + 0x1000, page};
    INTRO_CODEBLOCKS blocks;
    INTRO_ALERT_EXCEPTION exc;

    (void)State;
    RgMap(g->Replay, KCR3, DRV_A + 0x1000, page, sizeof(page));
    ProtectMemory(g, introObjectTypeKmModule, DRV_V + 0x2000, INTRO_GUEST_KERNEL, DRV_V);
    LoadUnrelated(g);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000 + rip, 0, DRV_V + 0x2010, 1), introGuestNotAllowed);
    assert_true(g->Last.Ept.CodeBlocks.Valid);
    assert_true(g->Last.Ept.CodeBlocks.Count > 6);
    assert_int_equal(
        IntAlertExceptionDecode(g->Last.Header.Exception, ALERT_EXCEPTION_SIZE, introEventEptViolation, &exc, NULL),
        INT_STATUS_SUCCESS);
    assert_true(exc.CodeBlocks.Valid);
    assert_int_equal(exc.CodeBlocks.Count, ALERT_HASH_COUNT);
    assert_int_equal(exc.CodeBlocks.Score, ALERT_HASH_COUNT - 1);

    assert_int_equal(IntExceptCodeContextCreate(IntExceptMallocAllocator(), &ctx), INT_STATUS_SUCCESS);
    assert_int_equal(
        IntAlertCodeBlocksExtract(ctx, ReadPage, &reader, KCR3, DRV_A + 0x1000 + rip, IG_CS_TYPE_64B, false, &blocks),
        INT_STATUS_SUCCESS);
    assert_memory_equal(&blocks, &g->Last.Ept.CodeBlocks, sizeof(blocks));
    assert_int_equal(IntAlertCodeBlocksExtract(ctx, ReadPage, &reader, KCR3, DRV_A + 0x1000 + rip, 1, false, &blocks),
                     INT_STATUS_INVALID_PARAMETER_6);
    reader.Gva = 0; /* unreadable: no blocks, and still a success */
    assert_int_equal(
        IntAlertCodeBlocksExtract(ctx, ReadPage, &reader, KCR3, DRV_A + 0x1000 + rip, IG_CS_TYPE_64B, false, &blocks),
        INT_STATUS_SUCCESS);
    assert_false(blocks.Valid);
    IntExceptCodeContextFree(ctx);

    assert_int_equal(AddBlob(g, 5), INT_STATUS_SUCCESS);
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000 + rip, 0, DRV_V + 0x2010, 2), introGuestAllowed);
    RgMap(g->Replay, KCR3, DRV_A + 0x1000, other, sizeof(other));
    assert_int_equal(Write(g, KCR3, DRV_A + 0x1000 + otherRip, 0, DRV_V + 0x2010, 3), introGuestNotAllowed);
    assert_int_equal(g->LastVerdict.Reason, INTRO_EXC_REASON_SIGNATURE_NOT_MATCHED);
    assert_int_equal(g->LastVerdict.Closest.Source, INTRO_EXC_SOURCE_ALERT);
    Stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestKernelWriteLoop),     cmocka_unit_test(TestKernelWriteFromNoModule),
        cmocka_unit_test(TestNoFileLoaded),        cmocka_unit_test(TestUserWriteLoop),
        cmocka_unit_test(TestKernelUserWriteLoop), cmocka_unit_test(TestRegisterLoops),
        cmocka_unit_test(TestCodeBlocksSignature), cmocka_unit_test(TestUserExecutionLoop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
