/*
 * The protection pipeline on the replay backend: zones set and restore EPT rights and exits
 * (reference-counted, under pause), and events become violations (decoded writes, attribution by
 * RIP, return address and CR3), decisions and alerts with hvmi's structures.
 *
 * The guest: a 64-bit Windows or Linux guest on the replay backend, its memory declared by virtual
 * address (IntReplayMapVirtual makes the page tables), vCPU 0 in 64-bit mode.  Exceptions files are
 * built with tests/support/exc_builder.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exc_builder.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "replay_guest.h"

#define KCR3 0x1AA000ull
#define UCR3 0x2BB000ull
#define DRV_A 0xFFFFF80010000000ull /* a.sys: code at +0x1000 */
#define DRV_V 0xFFFFF80020000000ull /* victim.sys: .text at +0x1000, .data at +0x2000 */
#define UM_EXE 0x00007FF600000000ull
#define UM_DLL 0x00007FFB00000000ull

#define W(n) XbWide(n)
#define N(n) XbNarrow(n)

typedef struct ALERTS
{
    unsigned Count;
    DWORD LastClass;
    EVENT_EPT_VIOLATION LastEpt;
    EVENT_MSR_VIOLATION LastMsr;
    EVENT_CR_VIOLATION LastCr;
    EVENT_DTR_VIOLATION LastDtr;
} ALERTS;

typedef struct GUEST
{
    INTRO_REPLAY *Replay;
    INTRO_GLUE_GUEST *Glue;
    GLUE_IFACE Iface;
    ALERTS Alerts;
} GUEST;

static void AlertSink(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    ALERTS *a = Context;

    a->Count++;
    a->LastClass = EventClass;
    switch (EventClass)
    {
        case introEventEptViolation:
            assert_int_equal(Size, sizeof(a->LastEpt));
            memcpy(&a->LastEpt, Event, Size);
            break;
        case introEventMsrViolation:
            assert_int_equal(Size, sizeof(a->LastMsr));
            memcpy(&a->LastMsr, Event, Size);
            break;
        case introEventCrViolation:
            assert_int_equal(Size, sizeof(a->LastCr));
            memcpy(&a->LastCr, Event, Size);
            break;
        case introEventDtrViolation:
            assert_int_equal(Size, sizeof(a->LastDtr));
            memcpy(&a->LastDtr, Event, Size);
            break;
        default:
            fail_msg("unexpected alert class %u", EventClass);
    }
}

static void AddKernelModule(GUEST *G, const char *Name, uint64_t Base, uint32_t Flags)
{
    INTRO_GUEST_MODULE m;

    RgModuleInit(&m, Name, Base, Flags);
    m.ImportsRva = 0x2000;
    m.ImportsSize = 0x100;
    assert_int_equal(IntGuestAddModule(G->Glue, INTRO_GUEST_KERNEL, &m), INT_STATUS_SUCCESS);
}

/*
 * The GLUE and UPPER members IntInit does not require (docs/api.md, "IntInit"): hvmi insists on them,
 * the library never calls them.  StartMinimal clears them all, so a call would crash the test.
 */
static void ClearOptionalMembers(GLUE_IFACE *Glue, UPPER_IFACE *Upper)
{
    Glue->PhysMemGetTypeFromMtrrs = NULL;
    Glue->GpaToHpa = NULL;
    Glue->RegisterIntroTimerHandler = NULL;
    Glue->UnregisterIntroTimerHandler = NULL;
    Glue->RegisterIntroCallHandler = NULL;
    Glue->UnregisterIntroCallHandler = NULL;
    Glue->InjectTrap = NULL;
    Glue->SetIntroEmulatorContext = NULL;
    Glue->RegisterXcrWriteHandler = NULL;
    Glue->UnregisterXcrWriteHandler = NULL;
    Glue->RegisterBreakpointHandler = NULL;
    Glue->UnregisterBreakpointHandler = NULL;
    Glue->ReleaseBuffer = NULL;
    Glue->FlushEPTPermissions = NULL;
    Glue->GetSPPPageProtection = NULL;
    Glue->SetSPPPageProtection = NULL;
    Glue->RegisterEventInjectionHandler = NULL;
    Glue->UnregisterEventInjectionHandler = NULL;
    Glue->ReserveVaSpaceWithPt = NULL;
    Glue->NotifyIntrospectionActivated = NULL;
    Glue->NotifyIntrospectionDeactivated = NULL;
    Glue->NotifyIntrospectionDetectedOs = NULL;
    Glue->NotifyIntrospectionErrorState = NULL;
    Glue->NotifyScanEngines = NULL;
    Glue->GetAgentContent = NULL;
    Glue->ToggleRepOptimization = NULL;
    Glue->SetVeInfoPage = NULL;
    Glue->CreateEPT = NULL;
    Glue->DestroyEPT = NULL;
    Glue->SwitchEPT = NULL;
    Glue->GetEPTPageConvertible = NULL;
    Glue->SetEPTPageConvertible = NULL;
    Glue->RegisterEnginesResultCallback = NULL;
    Glue->UnregisterEnginesResultCalback = NULL;
    Upper->BugCheck = NULL;
    Upper->EnterDebugger = NULL;
    Upper->QueryHeapSize = NULL;
}

/* A Windows (or Linux) guest with a.sys and victim.sys; their pages exist (zeroed) in the kernel space.
 * Minimal: only the table members IntInit requires. */
static void StartWith(GUEST *G, bool Linux, bool Minimal)
{
    static uint8_t zeros[0x3000];
    GUEST_INFO info = {Linux ? introGuestLinux : introGuestWindows, 0, TRUE, Linux ? 0x050A00u : 19041u, 0, {0}};

    memset(G, 0, sizeof(*G));
    assert_int_equal(IntReplayCreate(1, &G->Replay), INT_STATUS_SUCCESS);
    IntReplaySetSinks(G->Replay, AlertSink, NULL, &G->Alerts);
    RgMap(G->Replay, KCR3, DRV_A, zeros, sizeof(zeros));
    RgMap(G->Replay, KCR3, DRV_V, zeros, sizeof(zeros));
    RgSetVcpu(G->Replay, KCR3, DRV_A + 0x1000, 0, 0, 0, 0);
    RgStart(IntReplayBackend(), G->Replay, &info, KCR3, Minimal ? ClearOptionalMembers : NULL, &G->Glue, &G->Iface);
    AddKernelModule(G, Linux ? "a" : "a.sys", DRV_A, 0);
    AddKernelModule(G, Linux ? "victim" : "victim.sys", DRV_V, 0);
}

static void Start(GUEST *G, bool Linux)
{
    StartWith(G, Linux, false);
}

static void Stop(GUEST *G)
{
    assert_int_equal(G->Iface.DisableIntro(G->Glue, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayPauseDepth(G->Replay), 0);
    IntGlueGuestDestroy(G->Glue);
    IntReplayDestroy(G->Replay);
}

static uint64_t ProtectMemory(GUEST *G, uint32_t Object, uint64_t Gva, uint64_t Length, uint32_t Pid, uint64_t Owner,
                              uint32_t Access, uint32_t Flags)
{
    INTRO_GUEST_ZONE z;
    QWORD id;

    RgMemoryZone(&z, Object, Gva, Length, Pid, Owner, Access);
    z.Flags = Flags;
    id = RgProtect(G->Glue, &z);
    assert_true(id != 0);
    return id;
}

/* Zones on LSTAR, CR4 and the IDTR; their ids. */
static void ProtectRegisters(GUEST *G, QWORD *Msr, QWORD *Cr, QWORD *Dtr)
{
    INTRO_GUEST_ZONE z;

    RgRegisterZone(&z, introZoneMsr, 0xC0000082);
    *Msr = RgProtect(G->Glue, &z);
    RgRegisterZone(&z, introZoneCr, 4);
    *Cr = RgProtect(G->Glue, &z);
    RgRegisterZone(&z, introZoneDtr, introObjectTypeIdtr);
    *Dtr = RgProtect(G->Glue, &z);
}

static void Load(GUEST *G, IG_TEST_FILE *File)
{
    size_t size;
    const uint8_t *bin = XbFinish(File, &size);

    assert_int_equal(IntUpdateExceptions(G->Glue, (PBYTE)(uintptr_t)bin, (DWORD)size, 0), INT_STATUS_SUCCESS);
}

/* The frame backing Gva in the kernel space, by the page tables the replay made. */
static uint64_t FrameOf(GUEST *G, uint64_t Gva)
{
    QWORD gpa = 0;

    assert_int_equal(IntReplayTranslate(G->Replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, Gva, &gpa), INT_STATUS_SUCCESS);
    return gpa >> 12;
}

/* ---- Zones ------------------------------------------------------------------------------------------ */

static void TestZonesSetAndRestoreRights(void **State)
{
    GUEST g;
    uint64_t data, text;
    QWORD id1, id2, id3;
    INTRO_GUEST_ZONE bad;
    QWORD badId = 7;

    (void)State;
    Start(&g, false);
    data = FrameOf(&g, DRV_V + 0x2000);
    text = FrameOf(&g, DRV_V + 0x1000);
    assert_int_equal(IntReplayAccess(g.Replay, data), IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE);

    /* Two zones on the same page: reference-counted. */
    id1 = ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x100, INTRO_GUEST_KERNEL, DRV_V,
                        IG_EPT_HOOK_WRITE, 0);
    id2 = ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2800, 0x100, INTRO_GUEST_KERNEL, DRV_V,
                        IG_EPT_HOOK_WRITE, 0);
    assert_int_equal(IntReplayAccess(g.Replay, data), IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE);
    assert_int_equal(IntGuestUnprotect(g.Glue, id1), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayAccess(g.Replay, data), IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE);
    assert_int_equal(IntGuestUnprotect(g.Glue, id2), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayAccess(g.Replay, data), IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE);
    assert_int_equal(IntGuestUnprotect(g.Glue, id2), INT_STATUS_NOT_FOUND);

    /* Reads intercepted: writes go too (write without read is not an EPT setting). */
    id3 = ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x1000, 0x1000, INTRO_GUEST_KERNEL, DRV_V,
                        IG_EPT_HOOK_READ, 0);
    assert_int_equal(IntReplayAccess(g.Replay, text), IG_EPT_HOOK_EXECUTE);
    assert_int_equal(IntGuestUnprotect(g.Glue, id3), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayAccess(g.Replay, text), IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE);

    /* All or nothing: a range that reaches an unmapped page changes no right. */
    RgMemoryZone(&bad, introObjectTypeKmModule, DRV_V + 0x2000, 0x2000 /* the second page is not mapped */,
                 INTRO_GUEST_KERNEL, 0, IG_EPT_HOOK_WRITE);
    assert_int_equal(IntGuestProtect(g.Glue, &bad, &badId), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(badId, 0);
    assert_int_equal(IntReplayAccess(g.Replay, data), IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE);

    /* Malformed declarations. */
    bad.Length = 0;
    assert_int_equal(IntGuestProtect(g.Glue, &bad, &badId), INT_STATUS_INVALID_PARAMETER_2);
    bad.Length = 8;
    bad.Access = 0;
    assert_int_equal(IntGuestProtect(g.Glue, &bad, &badId), INT_STATUS_INVALID_PARAMETER_2);
    bad.Access = IG_EPT_HOOK_WRITE;
    bad.Pid = 1234; /* no such process */
    assert_int_equal(IntGuestProtect(g.Glue, &bad, &badId), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntGuestProtect(NULL, &bad, &badId), INT_STATUS_INVALID_PARAMETER_1);
    Stop(&g);
}

static void TestRegisterZonesSetExits(void **State)
{
    GUEST g;
    INTRO_GUEST_ZONE z;
    QWORD msr1, msr2, cr, dtr;

    (void)State;
    Start(&g, false);
    RgRegisterZone(&z, introZoneMsr, 0xC0000082);
    assert_int_equal(IntGuestProtect(g.Glue, &z, &msr1), INT_STATUS_SUCCESS);
    assert_int_equal(IntGuestProtect(g.Glue, &z, &msr2), INT_STATUS_SUCCESS);
    assert_true(IntReplayMonitorEnabled(g.Replay, introBackendMonitorMsr, 0xC0000082));
    assert_int_equal(IntGuestUnprotect(g.Glue, msr1), INT_STATUS_SUCCESS);
    assert_true(IntReplayMonitorEnabled(g.Replay, introBackendMonitorMsr, 0xC0000082));
    assert_int_equal(IntGuestUnprotect(g.Glue, msr2), INT_STATUS_SUCCESS);
    assert_false(IntReplayMonitorEnabled(g.Replay, introBackendMonitorMsr, 0xC0000082));

    z.Kind = introZoneCr;
    z.Index = 3;
    assert_int_equal(IntGuestProtect(g.Glue, &z, &cr), INT_STATUS_INVALID_PARAMETER_2); /* only CR4 */
    z.Index = 4;
    assert_int_equal(IntGuestProtect(g.Glue, &z, &cr), INT_STATUS_SUCCESS);
    assert_true(IntReplayMonitorEnabled(g.Replay, introBackendMonitorCr, 4));

    z.Kind = introZoneDtr;
    z.Index = introObjectTypeIdtr;
    assert_int_equal(IntGuestProtect(g.Glue, &z, &dtr), INT_STATUS_SUCCESS);
    assert_true(IntReplayMonitorEnabled(g.Replay, introBackendMonitorDtr, 0));
    assert_int_equal(IntGuestUnprotect(g.Glue, dtr), INT_STATUS_SUCCESS);
    assert_false(IntReplayMonitorEnabled(g.Replay, introBackendMonitorDtr, 0));

    /* Disabling the guest removes what is left: the CR4 exit goes off. */
    Stop(&g);
}

/* ---- Events ----------------------------------------------------------------------------------------- */

/* `mov [rax], rbx` (48 89 18) at a.sys's code, writing 8 bytes at Target. */
static INTRO_ACTION KernelWrite(GUEST *G, uint64_t Rip, uint64_t Target, uint64_t Value, INTSTATUS *Status)
{
    static const uint8_t mov[] = {0x48, 0x89, 0x18};
    INTRO_ACTION action = introGuestRetry;
    uint64_t frame = FrameOf(G, Target);

    RgMap(G->Replay, KCR3, Rip, mov, sizeof(mov));
    RgSetVcpu(G->Replay, KCR3, Rip, 0, Target, Value, 0);
    *Status = IntGlueEptViolation(G->Glue, 0, (frame << 12) | (Target & 0xFFF), Target, IG_EPT_HOOK_WRITE, 0, &action);
    return action;
}

static void TestKernelWriteDecidedAndAlerted(void **State)
{
    GUEST g;
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    INTSTATUS status;
    uint64_t old = 0x1111111111111111ull;

    (void)State;
    Start(&g, false);
    RgMap(g.Replay, KCR3, DRV_V + 0x2010, &old, sizeof(old));
    ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x1000, INTRO_GUEST_KERNEL, DRV_V, IG_EPT_HOOK_WRITE, 0);

    /* Exceptions not loaded: hvmi allows, and says nothing. */
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x2010, 0x2222, &status), introGuestAllowed);
    assert_int_equal(status, INT_STATUS_SUCCESS);
    assert_int_equal(g.Alerts.Count, 0);

    /* a.sys may write victim.sys's data; nothing else may. */
    XbInit(file);
    XbKernel(file, W("a.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjDriverData, 0, NULL);
    Load(&g, file);
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x2010, 0x2222, &status), introGuestAllowed);
    assert_int_equal(g.Alerts.Count, 0);

    /* Code in no module: blocked, with an alert that says what happened. */
    RgMap(g.Replay, KCR3, 0xFFFFF80030000000ull, (uint8_t[]){0}, 1);
    assert_int_equal(KernelWrite(&g, 0xFFFFF80030000000ull, DRV_V + 0x2010, 0x3333, &status), introGuestNotAllowed);
    assert_int_equal(g.Alerts.Count, 1);
    assert_int_equal(g.Alerts.LastClass, introEventEptViolation);
    {
        const EVENT_EPT_VIOLATION *a = &g.Alerts.LastEpt;

        assert_int_equal(a->Header.ViolationVersion, INTRO_VIOLATION_VERSION);
        assert_int_equal(a->Header.Action, introGuestNotAllowed);
        assert_int_equal(a->Header.Reason, introReasonNoException);
        assert_int_equal(a->Header.CpuContext.Rip, 0xFFFFF80030000000ull);
        assert_string_equal(a->Header.CpuContext.Instruction, "48 89 18");
        assert_int_equal(a->Header.VerInfo.ExceptionMajor, 2);
        assert_false(a->Originator.Module.Valid); /* code in no module */
        assert_int_equal(a->Victim.Type, introObjectTypeKmModule);
        assert_true(a->Victim.Module.Valid);
        assert_int_equal(a->Victim.Module.Base, DRV_V);
        assert_int_equal(a->Victim.Module.Name[0], 'v');
        assert_int_equal(a->Violation, IG_EPT_HOOK_WRITE);
        assert_int_equal(a->WriteInfo.Size, 8);
        assert_int_equal(a->WriteInfo.OldValue[0], 0x1111111111111111ull);
        assert_int_equal(a->WriteInfo.NewValue[0], 0x3333);
        assert_int_equal(a->HookStartVirtual, DRV_V + 0x2000);
        assert_int_equal(a->VirtualPage, DRV_V + 0x2000);
        assert_int_equal(a->Offset, 0x10);
        assert_true(a->ZoneTypes & ZONE_LIB_DATA);
        assert_true(a->ZoneTypes & ZONE_LIB_IMPORTS); /* the imports directory is at .data's start */
        assert_true(a->ZoneTypes & ZONE_WRITE);
        assert_memory_equal(a->ModifiedSectionName, ".data", 5);
        assert_int_equal(a->ExecContext.Registers.RegRbx, 0x3333);
        assert_int_equal(a->ExecContext.RipCode[0], 0x48); /* the RIP's page */
        assert_false(a->Header.Flags & ALERT_FLAG_NOT_RING0);
    }

    /* Writing the same value the page holds is allowed as hvmi allows it (same value). */
    assert_int_equal(KernelWrite(&g, 0xFFFFF80030000000ull, DRV_V + 0x2010, 0x1111111111111111ull, &status),
                     introGuestAllowed);
    assert_int_equal(g.Alerts.Count, 1);

    /* An access outside every zone on the page is not ours. */
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x1010, 0x4444, &status), introGuestAllowed);
    assert_int_equal(status, INT_STATUS_NOT_FOUND);
    Stop(&g);
    test_free(file);
}

/* With only the members IntInit requires, zones of every kind, an event, an alert and the teardown run:
 * the library calls no member it lets the integrator leave NULL (issue 12, item 11). */
static void TestOnlyRequiredMembers(void **State)
{
    GUEST g;
    QWORD msr, cr, dtr, mem;
    INTSTATUS status;

    (void)State;
    StartWith(&g, false, true);
    ProtectRegisters(&g, &msr, &cr, &dtr);
    mem = ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x1000, INTRO_GUEST_KERNEL, DRV_V,
                        IG_EPT_HOOK_WRITE, 0);

    /* Code in no module writes the zone: blocked and alerted (exceptions not loaded: allowed). */
    RgMap(g.Replay, KCR3, 0xFFFFF80030000000ull, (uint8_t[]){0}, 1);
    assert_int_equal(KernelWrite(&g, 0xFFFFF80030000000ull, DRV_V + 0x2010, 0x3333, &status), introGuestAllowed);
    assert_int_equal(status, INT_STATUS_SUCCESS);

    assert_int_equal(IntGuestUnprotect(g.Glue, mem), INT_STATUS_SUCCESS);
    assert_int_equal(IntGuestUnprotect(g.Glue, msr), INT_STATUS_SUCCESS);
    Stop(&g); /* the CR and DTR zones go with the guest */
}

/* A write whose size cannot be worked out is blocked as an internal error, without the engine. */
static void TestUndecodableWriteBlocks(void **State)
{
    GUEST g;
    INTRO_ACTION action = introGuestAllowed;
    static const uint8_t bad[] = {0x0F, 0x0B}; /* ud2: not a write */
    uint64_t frame;

    (void)State;
    Start(&g, false);
    ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x1000, INTRO_GUEST_KERNEL, DRV_V, IG_EPT_HOOK_WRITE, 0);
    frame = FrameOf(&g, DRV_V + 0x2000);
    RgMap(g.Replay, KCR3, DRV_A + 0x1800, bad, sizeof(bad));
    RgSetVcpu(g.Replay, KCR3, DRV_A + 0x1800, 0, 0, 0, 0);
    assert_int_equal(
        IntGlueEptViolation(g.Glue, 0, (frame << 12) | 0x20, DRV_V + 0x2020, IG_EPT_HOOK_WRITE, 0, &action),
        INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    assert_int_equal(g.Alerts.Count, 1);
    assert_int_equal(g.Alerts.LastEpt.Header.Reason, introReasonInternalError);
    Stop(&g);
}

/* A feedback-only zone allows what it would block, and says so. */
static void TestFeedbackZone(void **State)
{
    GUEST g;
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    INTSTATUS status;

    (void)State;
    Start(&g, false);
    XbInit(file);
    XbKernel(file, W("other.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjDriverData, 0, NULL);
    Load(&g, file);
    ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x1000, INTRO_GUEST_KERNEL, DRV_V, IG_EPT_HOOK_WRITE,
                  INTRO_ZONE_FEEDBACK_ONLY);
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x2010, 0x5555, &status), introGuestAllowed);
    assert_int_equal(g.Alerts.Count, 1);
    assert_int_equal(g.Alerts.LastEpt.Header.Action, introGuestAllowed);
    assert_int_equal(g.Alerts.LastEpt.Header.Reason, introReasonAllowedFeedback);
    assert_true(g.Alerts.LastEpt.Header.Flags & ALERT_FLAG_FEEDBACK_ONLY);
    assert_true(g.Alerts.LastEpt.Originator.Module.Valid);
    assert_int_equal(g.Alerts.LastEpt.Originator.Module.Base, DRV_A);
    Stop(&g);
    test_free(file);
}

/* Linux: the return module is the first return address on the stack that lies in a module. */
static void TestLinuxReturnModuleFromStack(void **State)
{
    GUEST g;
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    INTRO_ACTION action = introGuestRetry;
    static const uint8_t mov[] = {0x48, 0x89, 0x18};
    uint64_t stack[4] = {0x1234, 0xFFFF000000000000ull, DRV_A + 0x1234, DRV_V + 0x1100};
    uint64_t frame;

    (void)State;
    Start(&g, true);
    RgMap(g.Replay, KCR3, 0xFFFFC90000000000ull, stack, sizeof(stack));
    RgMap(g.Replay, KCR3, 0xFFFFFFFF81000000ull, mov, sizeof(mov)); /* code in no module */
    ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x1000, INTRO_GUEST_KERNEL, DRV_V, IG_EPT_HOOK_WRITE, 0);
    frame = FrameOf(&g, DRV_V + 0x2000);
    /* On Linux module names hash as 8-bit text; the exception names the return module "a". */
    XbInit(file);
    XbKernel(file, N("a"), N("victim"), TF_DEFAULT | 0x80 /* linux */ | 0x10 /* return */ | 0x200 /* return-drv */,
             IgKmObjAny, 0, NULL);
    Load(&g, file);
    RgSetVcpu(g.Replay, KCR3, 0xFFFFFFFF81000000ull, 0, DRV_V + 0x2040, 7, 0xFFFFC90000000000ull);
    assert_int_equal(
        IntGlueEptViolation(g.Glue, 0, (frame << 12) | 0x40, DRV_V + 0x2040, IG_EPT_HOOK_WRITE, 0, &action),
        INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestAllowed);
    assert_int_equal(g.Alerts.Count, 0);
    Stop(&g);
    test_free(file);
}

/* User mode: the process by CR3, the module by RIP in that process, the victim its module. */
static void TestUserWriteAttributedByCr3(void **State)
{
    GUEST g;
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    static uint8_t dll[0x2000];
    static const uint8_t mov[] = {0x48, 0x89, 0x18};
    INTRO_GUEST_PROCESS p;
    INTRO_GUEST_MODULE m;
    INTRO_ACTION action = introGuestRetry;
    INTRO_GUEST_ZONE z;
    QWORD id;
    uint64_t gfn = ~0ull;

    (void)State;
    Start(&g, false);
    memset(&p, 0, sizeof(p));
    p.StructSize = sizeof(p);
    p.Pid = 1200;
    p.ParentPid = 4;
    p.Name = "ChromeBrowser.exe"; /* the exceptions see the 14 characters a Windows kernel keeps */
    p.NameLength = 17;
    p.Cr3 = UCR3;
    assert_int_equal(IntGuestAddProcess(g.Glue, &p), INT_STATUS_SUCCESS);
    memset(&m, 0, sizeof(m));
    m.StructSize = sizeof(m);
    m.Name = "ntdll.dll";
    m.NameLength = 9;
    m.Base = UM_DLL;
    m.ImageSize = sizeof(dll);
    assert_int_equal(IntGuestAddModule(g.Glue, 1200, &m), INT_STATUS_SUCCESS);
    m.Name = "evil.dll";
    m.NameLength = 8;
    m.Base = UM_EXE;
    m.ImageSize = 0x1000;
    assert_int_equal(IntGuestAddModule(g.Glue, 1200, &m), INT_STATUS_SUCCESS);
    RgMap(g.Replay, UCR3, UM_DLL, dll, sizeof(dll));
    RgMap(g.Replay, UCR3, UM_EXE, mov, sizeof(mov));

    RgMemoryZone(&z, introObjectTypeUmModule, UM_DLL + 0x1000, 0x1000, 1200, UM_DLL, IG_EPT_HOOK_WRITE);
    id = RgProtect(g.Glue, &z);
    {
        QWORD gpa = 0;

        assert_int_equal(IntReplayTranslate(g.Replay, UCR3, INTRO_REPLAY_PAGING_4LEVEL, UM_DLL + 0x1000, &gpa),
                         INT_STATUS_SUCCESS);
        gfn = gpa >> 12;
        assert_int_equal(IntReplayAccess(g.Replay, gfn), IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE);
    }

    XbInit(file);
    XbUser(file, W("evil.dll"), W("ntdll.dll"), N("chromebrowser."), TF_DEFAULT, IgUmObjModule, 0, NULL);
    Load(&g, file);
    RgSetVcpu(g.Replay, UCR3, UM_EXE, 3, UM_DLL + 0x1008, 9, 0);
    assert_int_equal(IntGlueEptViolation(g.Glue, 0, (gfn << 12) | 8, UM_DLL + 0x1008, IG_EPT_HOOK_WRITE, 0, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestAllowed);

    /* The same write from the process's own image is not excepted: blocked, a user-mode alert. */
    assert_int_equal(IntGuestRemoveModule(g.Glue, 1200, UM_EXE), INT_STATUS_SUCCESS);
    assert_int_equal(IntGlueEptViolation(g.Glue, 0, (gfn << 12) | 8, UM_DLL + 0x1008, IG_EPT_HOOK_WRITE, 0, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    assert_true(g.Alerts.LastEpt.Header.Flags & ALERT_FLAG_NOT_RING0);
    assert_true(g.Alerts.LastEpt.Header.CurrentProcess.Valid);
    assert_int_equal(g.Alerts.LastEpt.Header.CurrentProcess.Pid, 1200);
    assert_string_equal(g.Alerts.LastEpt.Header.CurrentProcess.ImageName, "chromebrowser.e");
    assert_int_equal(g.Alerts.LastEpt.Victim.Type, introObjectTypeUmModule);

    /* The process goes away: its zone goes with it and the page is writable again. */
    assert_int_equal(IntGuestRemoveProcess(g.Glue, 1200), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayAccess(g.Replay, gfn), IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE);
    assert_int_equal(IntGuestUnprotect(g.Glue, id), INT_STATUS_NOT_FOUND);
    Stop(&g);
    test_free(file);
}

static void TestRegisterEvents(void **State)
{
    GUEST g;
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    QWORD id;
    QWORD value = 0xFFFFF80010001000ull;
    INTRO_ACTION action = introGuestRetry;

    (void)State;
    Start(&g, false);
    ProtectRegisters(&g, &id, &id, &id);

    /* a.sys may write LSTAR; nobody may clear SMEP or load the IDTR. */
    XbInit(file);
    XbKernel(file, W("a.sys"), 0, TF_DEFAULT, IgKmObjMsr, 0, NULL);
    Load(&g, file);
    assert_int_equal(IntGlueMsrWrite(g.Glue, 0, 0xC0000082, 0, &value, &action), INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestAllowed);
    assert_int_equal(IntGlueMsrWrite(g.Glue, 0, 0xC0000081, 0, &value, &action), INT_STATUS_NOT_FOUND);

    assert_int_equal(IntGlueCrWrite(g.Glue, 0, 4, 0x370678, 0x270678 /* SMEP cleared */, &action), INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    assert_int_equal(g.Alerts.LastClass, introEventCrViolation);
    assert_int_equal(g.Alerts.LastCr.Victim.Cr, 4);
    assert_int_equal(g.Alerts.LastCr.WriteInfo.OldValue[0], 0x370678);
    assert_int_equal(g.Alerts.LastCr.WriteInfo.NewValue[0], 0x270678);
    assert_int_equal(IntGlueCrWrite(g.Glue, 0, 4, 0x370678, 0x370670, &action), INT_STATUS_NOT_FOUND);
    assert_int_equal(action, introGuestAllowed);

    assert_int_equal(IntGlueDtrAccess(g.Glue, 0, IG_DESC_ACCESS_IDTR | IG_DESC_ACCESS_WRITE, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    assert_int_equal(g.Alerts.LastClass, introEventDtrViolation);
    assert_int_equal(g.Alerts.LastDtr.Victim.Type, introObjectTypeIdtr);
    assert_int_equal(IntGlueDtrAccess(g.Glue, 0, IG_DESC_ACCESS_IDTR | IG_DESC_ACCESS_READ, &action),
                     INT_STATUS_NOT_FOUND);
    assert_int_equal(IntGlueDtrAccess(g.Glue, 0, IG_DESC_ACCESS_GDTR | IG_DESC_ACCESS_WRITE, &action),
                     INT_STATUS_NOT_FOUND);
    Stop(&g);
    test_free(file);
}

/* The decision observer sees every decision, allowed ones included; the intro version is the guest's. */
typedef struct DECISIONS
{
    unsigned Count;
    uint32_t LastReason;
    INTRO_ACTION LastAction;
    BOOLEAN LastAlerted;
    uint32_t LastKind;
    uint32_t LastOriginatorHash;
} DECISIONS;

static void Observe(void *Context, void *GuestHandle, const INTRO_GUEST_DECISION *Decision)
{
    DECISIONS *d = Context;

    assert_non_null(GuestHandle);
    assert_int_equal(Decision->StructSize, sizeof(*Decision));
    assert_int_equal(Decision->EventClass, introEventEptViolation);
    d->Count++;
    d->LastReason = Decision->Verdict->Reason;
    d->LastAction = Decision->Action;
    d->LastAlerted = Decision->Alerted;
    d->LastKind = Decision->Violation->Kind;
    d->LastOriginatorHash = Decision->Violation->Kernel.Original.NameHash;
}

static void TestObserverAndIntroVersion(void **State)
{
    static const uint32_t introSig[] = {IG_SIG_ID_MAKE(IgSigTypeVersionIntro, 1)};
    GUEST g;
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    DECISIONS d;
    INTSTATUS status;

    (void)State;
    memset(&d, 0, sizeof(d));
    Start(&g, false);
    /* a.sys may write victim.sys's data from introcore 1.100 to 1.120 (on disk: major, minor, revision, build). */
    XbInit(file);
    XbVersionIntro(file, introSig[0], 3, 0x0000000000640001ull, 0xFFFFFFFF00780001ull);
    XbKernel(file, W("a.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjDriverData, 1, introSig);
    Load(&g, file);
    ProtectMemory(&g, introObjectTypeKmModule, DRV_V + 0x2000, 0x1000, INTRO_GUEST_KERNEL, DRV_V, IG_EPT_HOOK_WRITE, 0);
    assert_int_equal(IntGuestSetDecisionObserver(g.Glue, Observe, &d), INT_STATUS_SUCCESS);

    /* This library is 1.133: outside the range. */
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x2010, 0x2222, &status), introGuestNotAllowed);
    assert_int_equal(d.Count, 1);
    assert_int_equal(d.LastReason, INTRO_EXC_REASON_VERSION_INTRO_NOT_MATCHED);
    assert_int_equal(d.LastAction, introGuestNotAllowed);
    assert_true(d.LastAlerted);
    assert_int_equal(d.LastKind, INTRO_EXC_KIND_KERNEL);

    /* Replaying as 1.110 allows it, and the observer sees the allow no alert reports. */
    assert_int_equal(IntGuestSetIntroVersion(g.Glue, (1ull << 48) | (110ull << 32)), INT_STATUS_SUCCESS);
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x2010, 0x3333, &status), introGuestAllowed);
    assert_int_equal(d.Count, 2);
    assert_int_equal(d.LastReason, INTRO_EXC_REASON_ALLOWED);
    assert_false(d.LastAlerted);
    assert_int_equal(d.LastOriginatorHash, W("a.sys"));

    /* Names hash as the exceptions compare them: a driver's path is cut to its file name, and the
     * HAL's variants are [hal] by name alone. */
    AddKernelModule(&g, "\\SystemRoot\\System32\\HALMACPI.DLL", 0xFFFFF80040000000ull, 0);
    assert_int_equal(KernelWrite(&g, 0xFFFFF80040001000ull, DRV_V + 0x2010, 0x5555, &status), introGuestNotAllowed);
    assert_int_equal(d.LastOriginatorHash, INTRO_EXC_NAME_HAL);
    AddKernelModule(&g, "\\SystemRoot\\System32\\drivers\\B.SYS", 0xFFFFF80050000000ull, 0);
    assert_int_equal(KernelWrite(&g, 0xFFFFF80050001000ull, DRV_V + 0x2010, 0x6666, &status), introGuestNotAllowed);
    assert_int_equal(d.LastOriginatorHash, W("b.sys"));
    assert_int_equal(d.Count, 4);

    assert_int_equal(IntGuestSetDecisionObserver(g.Glue, NULL, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(KernelWrite(&g, DRV_A + 0x1000, DRV_V + 0x2010, 0x4444, &status), introGuestAllowed);
    assert_int_equal(d.Count, 4);
    Stop(&g);
    test_free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestZonesSetAndRestoreRights),
        cmocka_unit_test(TestRegisterZonesSetExits),
        cmocka_unit_test(TestKernelWriteDecidedAndAlerted),
        cmocka_unit_test(TestOnlyRequiredMembers),
        cmocka_unit_test(TestUndecodableWriteBlocks),
        cmocka_unit_test(TestFeedbackZone),
        cmocka_unit_test(TestLinuxReturnModuleFromStack),
        cmocka_unit_test(TestUserWriteAttributedByCr3),
        cmocka_unit_test(TestRegisterEvents),
        cmocka_unit_test(TestObserverAndIntroVersion),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
