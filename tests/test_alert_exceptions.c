/*
 * Exceptions from alerts through the API, for the event kinds the protection pipeline does not
 * produce itself (integrity, injection, process creation, module load: an integrator with its own
 * detection raises those alerts and evaluates with IntExceptEvaluateGuest), and everything about
 * the buffers: the blob and the whole alert give the same exception, blobs laid out by hand at
 * hvmi's offsets (spec api-and-alerts.md §5.1) are accepted, truncated, oversized and garbage
 * buffers get their specific status, and adds, removes, flushes and reloads racing evaluations on
 * other threads stay consistent (also run under ThreadSanitizer: INTROGUARD_TSAN).
 *
 * test_alert_pipeline.c covers EPT, MSR, CR and DTR alerts raised by the pipeline.
 */
#include <pthread.h>
#include <time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_harness.h"
#include "exc_builder.h"
#include "introguard/introguard.h"
#include "test_random.h"

static GLUE_IFACE gGlue;
static int gGuest; /* its address is the guest handle */

#define H (&gGuest)

/* ---- Set-up -------------------------------------------------------------------------------------------------------
 */

static void LoadUnrelated(void)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    const uint8_t *bin;
    size_t size;

    XbInit(file);
    XbKernel(file, XbWide("unrelated.sys"), XbWide("unrelated.sys"), TF_DEFAULT, IgKmObjDriverData, 0, NULL);
    bin = XbFinish(file, &size);
    assert_int_equal(gGlue.UpdateExceptions(H, (PBYTE)(uintptr_t)bin, (DWORD)size, 0), INT_STATUS_SUCCESS);
    test_free(file);
}

static int Setup(void **State)
{
    GUEST_INFO info = {introGuestWindows, 0, TRUE, 19041u, 0, {0}};

    (void)State;
    ApiTestStart(&gGlue);
    assert_int_equal(gGlue.NewGuestNotification(H, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetGuestInfo(H, &info), INT_STATUS_SUCCESS);
    LoadUnrelated();
    return 0;
}

static int Teardown(void **State)
{
    (void)State;
    assert_int_equal(gGlue.DisableIntro(H, 0), INT_STATUS_SUCCESS);
    ApiTestStopClean();
    return 0;
}

/* ---- Names and violations -----------------------------------------------------------------------------------------
 */

static void SetWide(WCHAR *Out, const char *Text)
{
    size_t i = 0;

    for (; Text[i]; i++)
    {
        Out[i] = (WCHAR)(uint8_t)Text[i];
    }
    Out[i] = 0;
}

static void SetImage(INTRO_PROCESS *Process, const char *Name)
{
    Process->Valid = TRUE;
    snprintf(Process->ImageName, sizeof(Process->ImageName), "%s", Name);
}

static uint32_t Hash(uint32_t Kind, const char *Name)
{
    uint32_t hash = 0;

    assert_int_equal(IntNameHash(INTRO_EXC_OS_WINDOWS, Kind, Name, (uint32_t)strlen(Name), 0, &hash),
                     INT_STATUS_SUCCESS);
    return hash;
}

static void Guest(INTRO_EXC_VIOLATION *V)
{
    memset(V, 0, sizeof(*V));
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
}

static void UserProcess(INTRO_EXC_PROCESS *P, const char *Name)
{
    P->Present = true;
    P->NameHash = Hash(INTRO_NAME_PROCESS, Name);
    P->Name = Name;
    P->NameLength = (uint32_t)strlen(Name);
}

/* Evaluates V for the guest: the action, and the context of the alert exception that allowed it. */
static uint32_t Decide(const INTRO_EXC_VIOLATION *V, uint64_t *Context)
{
    INTRO_EXC_VERDICT verdict;

    assert_int_equal(IntExceptEvaluateGuest(H, V, &verdict), INT_STATUS_SUCCESS);
    if (Context)
    {
        *Context = verdict.Matched.Source == INTRO_EXC_SOURCE_ALERT ? verdict.Matched.AlertContext : ~0ull;
    }
    return verdict.Action;
}

/* The engine's own search status (hvmi's INT_STATUS_EXCEPTION_* values) for V. */
static INTSTATUS DecideStatus(const INTRO_EXC_VIOLATION *V)
{
    INTRO_EXC_VERDICT verdict;

    assert_int_equal(IntExceptEvaluateGuest(H, V, &verdict), INT_STATUS_SUCCESS);
    return verdict.Status;
}

static uint32_t DecideReason(const INTRO_EXC_VIOLATION *V)
{
    INTRO_EXC_VERDICT verdict;

    assert_int_equal(IntExceptEvaluateGuest(H, V, &verdict), INT_STATUS_SUCCESS);
    return verdict.Reason;
}

#define ALLOWED INTRO_EXC_ACTION_ALLOWED
#define BLOCKED INTRO_EXC_ACTION_NOT_ALLOWED

/*
 * The loop for one alert: blocked before; the blob of the whole alert equals IntAlertExceptionBuild's
 * and adding either gives one exception; allowed after, Other still blocked; removed, blocked again.
 */
static void Loop(const void *Alert, size_t Size, INTRO_EVENT_TYPE Type, const INTRO_EXC_VIOLATION *Same,
                 const INTRO_EXC_VIOLATION *Other)
{
    uint8_t blob[ALERT_EXCEPTION_SIZE];
    uint64_t context = 0;

    assert_int_equal(Decide(Same, NULL), BLOCKED);
    assert_int_equal(IntAlertExceptionBuild(Alert, Size, Type, INTRO_EXC_OS_WINDOWS, true, blob, NULL),
                     INT_STATUS_SUCCESS);
    assert_int_equal(IntAddExceptionFromAlertBuffer(H, Alert, Size, Type, FALSE, 0xA1, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.AddExceptionFromAlert(H, blob, Type, TRUE, 0xA1), INT_STATUS_NOT_NEEDED_HINT);
    assert_int_equal(Decide(Same, &context), ALLOWED);
    assert_int_equal(context, 0xA1);
    assert_int_equal(DecideStatus(Same), INT_STATUS_EXCEPTION_ALLOW);
    assert_int_equal(Decide(Other, NULL), BLOCKED);
    assert_int_equal(DecideStatus(Other), INT_STATUS_EXCEPTION_NOT_MATCHED);
    assert_int_equal(gGlue.RemoveException(H, 0xA1), INT_STATUS_SUCCESS);
    assert_int_equal(Decide(Same, NULL), BLOCKED);
    /* The blob alone does the same. */
    assert_int_equal(gGlue.AddExceptionFromAlert(H, blob, Type, TRUE, 0xA2), INT_STATUS_SUCCESS);
    assert_int_equal(Decide(Same, &context), ALLOWED);
    assert_int_equal(context, 0xA2);
    LoadUnrelated();
    assert_int_equal(Decide(Same, NULL), ALLOWED);
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS);
    assert_int_equal(Decide(Same, NULL), BLOCKED);
}

/* ---- Integrity ----------------------------------------------------------------------------------------------------
 */

static void IntegrityAlert(EVENT_INTEGRITY_VIOLATION *A, uint32_t Victim, const char *Name)
{
    memset(A, 0, sizeof(*A));
    A->Header.ViolationVersion = INTRO_VIOLATION_VERSION;
    A->Header.Action = introGuestNotAllowed;
    A->Originator.Module.Valid = TRUE;
    SetWide(A->Originator.Module.Name, "a.sys");
    A->Victim.Type = (INTRO_OBJECT_TYPE)Victim;
    A->Victim.DriverObject.Valid = TRUE;
    SetWide(A->Victim.DriverObject.Name, Name);
}

static void IntegrityViolation(INTRO_EXC_VIOLATION *V, const char *Originator, uint32_t Victim, const char *Name)
{
    Guest(V);
    V->Kind = INTRO_EXC_KIND_KERNEL;
    V->Kernel.Original.Present = V->Kernel.Return.Present = true;
    V->Kernel.Original.NameHash = V->Kernel.Return.NameHash = Hash(INTRO_NAME_KERNEL_MODULE, Originator);
    V->Kernel.IsIntegrity = true;
    V->Victim.ZoneType = INTRO_EXC_ZONE_INTEGRITY;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_INTEGRITY_FLAG;
    V->Victim.ObjectType = Victim;
    V->Victim.NameHash = Name ? Hash(INTRO_NAME_DRIVER_OBJECT, Name) : 0;
}

static void TestIntegrity(void **State)
{
    EVENT_INTEGRITY_VIOLATION a;
    INTRO_EXC_VIOLATION same, other;

    (void)State;
    IntegrityAlert(&a, introObjectTypeDriverObject, "\\driver\\victim");
    IntegrityViolation(&same, "a.sys", INTRO_EXC_OBJ_DRIVER_OBJECT, "\\Driver\\Victim");
    IntegrityViolation(&other, "a.sys", INTRO_EXC_OBJ_DRIVER_OBJECT, "\\Driver\\Other");
    Loop(&a, sizeof(a), introEventIntegrityViolation, &same, &other);

    /* An IDT entry: the IDT signature holds the entry, another entry is another violation. */
    IntegrityAlert(&a, introObjectTypeIdt, "");
    a.Victim.IdtEntry = 0x20;
    IntegrityViolation(&same, "a.sys", INTRO_EXC_OBJ_IDT, NULL);
    same.Victim.u.Integrity.Offset = 0x20 * 16;
    other = same;
    other.Victim.u.Integrity.Offset = 0x21 * 16;
    Loop(&a, sizeof(a), introEventIntegrityViolation, &same, &other);
    assert_int_equal(IntAddExceptionFromAlertBuffer(H, &a, sizeof(a), introEventIntegrityViolation, FALSE, 1, NULL),
                     INT_STATUS_SUCCESS);
    assert_int_equal(DecideReason(&other), INTRO_EXC_REASON_IDT_NOT_MATCHED);
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS);
}

/* ---- Injection ----------------------------------------------------------------------------------------------------
 */

static void InjectionAlert(EVENT_MEMCOPY_VIOLATION *A, MEMCOPY_VIOLATION_TYPE Kind)
{
    memset(A, 0, sizeof(*A));
    A->Header.ViolationVersion = INTRO_VIOLATION_VERSION;
    A->Header.Flags = ALERT_FLAG_NOT_RING0;
    SetImage(&A->Originator.Process, "evil.exe");
    SetImage(&A->Victim.Process, "lsass.exe");
    A->ViolationType = Kind;
    A->CopySize = 0x40;
}

static void InjectionViolation(INTRO_EXC_VIOLATION *V, const char *Originator, uint64_t ExtraZone)
{
    Guest(V);
    V->Kind = INTRO_EXC_KIND_USER;
    UserProcess(&V->User.Process, Originator);
    V->User.NameHash = V->User.Process.NameHash;
    V->User.Name.Text = Originator;
    V->User.Name.Length = (uint32_t)strlen(Originator);
    V->Victim.ZoneType = INTRO_EXC_ZONE_PROCESS;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | ExtraZone;
    UserProcess(&V->Victim.Process, "lsass.exe");
    V->Victim.NameHash = V->Victim.Process.NameHash;
    V->Victim.u.Injection.Gva = 0x10000;
    V->Victim.u.Injection.Length = 0x40;
}

static void TestInjection(void **State)
{
    EVENT_MEMCOPY_VIOLATION a;
    INTRO_EXC_VIOLATION same, other;
    INTRO_ALERT_EXCEPTION exc;
    uint8_t blob[ALERT_EXCEPTION_SIZE];

    (void)State;
    InjectionAlert(&a, memCopyViolationWrite);
    InjectionViolation(&same, "evil.exe", 0);
    InjectionViolation(&other, "other.exe", 0);
    Loop(&a, sizeof(a), introEventInjectionViolation, &same, &other);

    /* A thread-context write is its own object type: a plain write's exception does not cover it. */
    InjectionAlert(&a, memCopyViolationSetContextThread);
    InjectionViolation(&same, "evil.exe", INTRO_EXC_ZONE_PROC_THREAD_CTX);
    InjectionViolation(&other, "evil.exe", INTRO_EXC_ZONE_PROC_THREAD_APC);
    Loop(&a, sizeof(a), introEventInjectionViolation, &same, &other);

    /* Into a module: the blob carries an export signature with the module, function and reach. */
    InjectionAlert(&a, memCopyViolationWrite);
    a.Victim.Module.Valid = TRUE;
    SetWide(a.Victim.Module.Name, "ntdll.dll");
    snprintf(a.FunctionName, sizeof(a.FunctionName), "NtClose");
    a.FunctionNameHash = 0x12345678;
    a.Delta = 0x104;
    a.CopySize = 0x300;
    assert_int_equal(
        IntAlertExceptionBuild(&a, sizeof(a), introEventInjectionViolation, INTRO_EXC_OS_WINDOWS, true, blob, NULL),
        INT_STATUS_SUCCESS);
    assert_int_equal(IntAlertExceptionDecode(blob, sizeof(blob), introEventInjectionViolation, &exc, NULL),
                     INT_STATUS_SUCCESS);
    assert_true(exc.Export.Valid);
    assert_int_equal(exc.Export.Library, XbWide("ntdll.dll"));
    assert_int_equal(exc.Export.Function, 0x12345678);
    assert_int_equal(exc.Export.Delta, 0x104); /* hvmi would keep the low byte, 0x04 (docs/compat.md) */
    assert_int_equal(exc.Export.WriteSize, 0xFF);
    assert_int_equal(exc.ObjectType, umObjProcess);
    assert_int_equal(exc.Process, umExcNameAny);
}

/* ---- Process creation and module load ------------------------------------------------------------------------------
 */

static void CreationAlert(EVENT_PROCESS_CREATION_VIOLATION *A, uint32_t PcType)
{
    memset(A, 0, sizeof(*A));
    A->Header.ViolationVersion = INTRO_VIOLATION_VERSION;
    SetImage(&A->Victim, "explorer.exe");
    SetImage(&A->Originator, "cmd.exe");
    A->PcType = (INTRO_PC_VIOLATION_TYPE)PcType;
}

static void CreationViolation(INTRO_EXC_VIOLATION *V, const char *Child, uint32_t PcType)
{
    Guest(V);
    V->Kind = INTRO_EXC_KIND_USER;
    UserProcess(&V->User.Process, Child);
    V->User.NameHash = V->User.Process.NameHash;
    V->User.PcType = PcType;
    V->Victim.ZoneType = INTRO_EXC_ZONE_PC;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_EXECUTE;
    V->Victim.ObjectType = PcType ? INTRO_EXC_OBJ_PROCESS_CREATION_DPI : INTRO_EXC_OBJ_PROCESS_CREATION;
    UserProcess(&V->Victim.Process, "explorer.exe");
    V->Victim.NameHash = V->Victim.Process.NameHash;
}

static void TestProcessCreation(void **State)
{
    EVENT_PROCESS_CREATION_VIOLATION *a = test_malloc(sizeof(*a));
    INTRO_EXC_VIOLATION same, other, dpi;

    (void)State;
    /* A plain creation: a process-creation exception (hvmi would make a DPI one: docs/compat.md). */
    CreationAlert(a, 0);
    CreationViolation(&same, "cmd.exe", 0);
    CreationViolation(&other, "powershell.exe", 0);
    Loop(a, sizeof(*a), introEventProcessCreationViolation, &same, &other);

    /* A DPI creation: a process-creation-dpi exception whose signature names the heuristic. */
    CreationAlert(a, INT_PC_VIOLATION_DPI_DEBUG_FLAG);
    CreationViolation(&same, "cmd.exe", INT_PC_VIOLATION_DPI_DEBUG_FLAG);
    CreationViolation(&other, "cmd.exe", 0);
    Loop(a, sizeof(*a), introEventProcessCreationViolation, &same, &other);
    CreationViolation(&dpi, "cmd.exe", INT_PC_VIOLATION_DPI_HEAP_SPRAY);
    assert_int_equal(
        IntAddExceptionFromAlertBuffer(H, a, sizeof(*a), introEventProcessCreationViolation, FALSE, 1, NULL),
        INT_STATUS_SUCCESS);
    assert_int_equal(DecideReason(&dpi), INTRO_EXC_REASON_PROCESS_CREATION_NOT_MATCHED);
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS);
    test_free(a);
}

static void TestModuleLoad(void **State)
{
    EVENT_MODULE_LOAD_VIOLATION a;
    INTRO_EXC_VIOLATION same, other;

    (void)State;
    memset(&a, 0, sizeof(a));
    a.Header.ViolationVersion = INTRO_VIOLATION_VERSION;
    a.Header.Flags = ALERT_FLAG_NOT_RING0;
    SetImage(&a.Victim, "app.exe");
    a.Originator.Module.Valid = TRUE;
    SetWide(a.Originator.Module.Name, "inject.dll");

    Guest(&same);
    same.Kind = INTRO_EXC_KIND_USER;
    UserProcess(&same.User.Process, "app.exe");
    same.User.NameHash = Hash(INTRO_NAME_USER_MODULE, "inject.dll");
    same.User.Library = true;
    same.Victim.ZoneType = INTRO_EXC_ZONE_PROCESS;
    same.Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_MODULE_LOAD;
    UserProcess(&same.Victim.Process, "app.exe");
    same.Victim.NameHash = same.Victim.Process.NameHash;
    other = same;
    other.User.NameHash = Hash(INTRO_NAME_USER_MODULE, "other.dll");
    Loop(&a, sizeof(a), introEventModuleLoadViolation, &same, &other);
}

/* ---- hvmi's layout --------------------------------------------------------------------------------------------------
 */

static void Put16(uint8_t *P, uint16_t V)
{
    P[0] = (uint8_t)V;
    P[1] = (uint8_t)(V >> 8);
}

static void Put32(uint8_t *P, uint32_t V)
{
    Put16(P, (uint16_t)V);
    Put16(P + 2, (uint16_t)(V >> 16));
}

/* A signature's 20-byte header, flags and Valid at Offset (spec §5.1). */
static void PutSig(uint8_t *Blob, size_t Offset, uint32_t Flags)
{
    Put16(Blob + Offset, 1);
    Put32(Blob + Offset + 20, Flags);
    Blob[Offset + 24] = 1;
}

/* Blobs written byte by byte at the offsets spec §5.1 gives for hvmi's packed structures. */
static void TestHvmiLayoutBlobs(void **State)
{
    uint8_t km[ALERT_EXCEPTION_SIZE] = {0}, um[ALERT_EXCEPTION_SIZE] = {0}, kum[ALERT_EXCEPTION_SIZE] = {0};
    INTRO_ALERT_EXCEPTION e;
    INTRO_EXC_VIOLATION msr;

    (void)State;
    /* ALERT_KM_EXCEPTION of an MSR alert: a.sys may write any MSR; two unsorted code-block hashes. */
    Put16(km, 1);
    km[10] = 1;
    Put32(km + 20, XbWide("a.sys"));
    Put32(km + 24, 0);
    Put32(km + 28, 0x20000006);
    Put32(km + 32, 10);
    PutSig(km, 36, 3);
    km[61] = 1;
    km[62] = 2;
    Put32(km + 64, 0x22);
    Put32(km + 68, 0x11);
    assert_int_equal(IntAlertExceptionDecode(km, 116, introEventMsrViolation, &e, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(e.Shape, INTRO_ALERT_EXC_KERNEL);
    assert_int_equal(e.Originator, XbWide("a.sys"));
    assert_int_equal(e.ObjectType, kmObjMsr);
    assert_true(e.CodeBlocks.Valid && !e.Idt.Valid);
    assert_int_equal(e.CodeBlocks.Count, 2);
    assert_int_equal(e.CodeBlocks.Hashes[0], 0x11); /* sorted, as hvmi sorts them */
    assert_int_equal(e.CodeBlocks.Hashes[1], 0x22);

    /* ALERT_UM_EXCEPTION with an export and a process-creation signature (CreateMask unaligned at 157). */
    Put16(um, 1);
    um[10] = 1;
    Put32(um + 20, XbNarrow("evil.exe"));
    Put32(um + 24, XbNarrow("lsass.exe"));
    Put32(um + 32, 0x20000006);
    Put32(um + 36, 2);
    PutSig(um, 92, 3);
    Put32(um + 120, XbWide("ntdll.dll"));
    Put32(um + 124, 0xABCD);
    Put16(um + 128, 0x10);
    um[130] = 8;
    PutSig(um, 132, 3);
    Put32(um + 157, 0x5);
    assert_int_equal(IntAlertExceptionDecode(um, 173, introEventInjectionViolation, &e, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(e.Shape, INTRO_ALERT_EXC_USER);
    assert_int_equal(e.Victim, XbNarrow("lsass.exe"));
    assert_true(e.Export.Valid && e.ProcessCreation.Valid && !e.CodeBlocks.Valid);
    assert_int_equal(e.Export.Library, XbWide("ntdll.dll"));
    assert_int_equal(e.Export.Function, 0xABCD);
    assert_int_equal(e.Export.Delta, 0x10);
    assert_int_equal(e.Export.WriteSize, 8);
    assert_int_equal(e.ProcessCreation.CreateMask, 5);

    /* ALERT_KUM_EXCEPTION: chosen by the EPT alert's KM_UM flag in the header (bytes 2-9). */
    Put16(kum, 1);
    Put32(kum + 2, (uint32_t)ALERT_FLAG_KM_UM);
    kum[10] = 1;
    Put32(kum + 20, XbWide("a.sys"));
    Put32(kum + 24, XbWide("ntdll.dll"));
    Put32(kum + 28, XbNarrow("app.exe"));
    Put32(kum + 32, 0x20000006 | EXCEPTION_KUM_FLG_KERNEL);
    Put32(kum + 36, 3);
    assert_int_equal(IntAlertExceptionDecode(kum, 92, introEventEptViolation, &e, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(e.Shape, INTRO_ALERT_EXC_KERNEL_USER);
    assert_int_equal(e.Process, XbNarrow("app.exe"));
    assert_int_equal(e.ObjectType, kumObjModuleImports);

    /* The hand-made MSR blob excepts an MSR write by a.sys (its code-block signature is not 64-bit code
     * this violation can read, so it is left out here). */
    km[60] = 0;
    assert_int_equal(gGlue.AddExceptionFromAlert(H, km, introEventMsrViolation, TRUE, 9), INT_STATUS_SUCCESS);
    Guest(&msr);
    msr.Kind = INTRO_EXC_KIND_KERNEL;
    msr.Kernel.Original.Present = msr.Kernel.Return.Present = true;
    msr.Kernel.Original.NameHash = msr.Kernel.Return.NameHash = XbWide("a.sys");
    msr.Victim.ZoneType = INTRO_EXC_ZONE_MSR;
    msr.Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    assert_int_equal(Decide(&msr, NULL), ALLOWED);
    msr.Kernel.Original.NameHash = msr.Kernel.Return.NameHash = XbWide("b.sys");
    assert_int_equal(Decide(&msr, NULL), BLOCKED);
}

/* ---- Refused buffers ------------------------------------------------------------------------------------------------
 */

typedef struct REFUSAL
{
    const char *Name;
    INTSTATUS Status;
    INTSTATUS Detail;
} REFUSAL;

/* Adds Size bytes of Buffer; the call must refuse it as Expected says, and add nothing. */
static void ExpectRefused(const void *Buffer, size_t Size, INTRO_EVENT_TYPE Type, BOOLEAN Blob, const REFUSAL *Expected)
{
    INTRO_ALERT_EXC_ERROR error;
    uint32_t count = 1;

    if (IntAddExceptionFromAlertBuffer(H, Buffer, Size, Type, Blob, 0, &error) != Expected->Status ||
        error.Detail != Expected->Detail || error.Status != Expected->Status)
    {
        fail_msg("%s: %s / %s (%s), expected %s / %s", Expected->Name, IntStatusToString(error.Status),
                 IntStatusToString(error.Detail), error.Message, IntStatusToString(Expected->Status),
                 IntStatusToString(Expected->Detail));
    }
    assert_true(error.Message[0] != '\0');
    assert_int_equal(IntGetAlertExceptionCount(H, &count), INT_STATUS_SUCCESS);
    assert_int_equal(count, 0);
}

/* A valid MSR blob to spoil one field at a time. */
static void MsrBlob(uint8_t *Blob)
{
    memset(Blob, 0, ALERT_EXCEPTION_SIZE);
    Put16(Blob, 1);
    Blob[10] = 1;
    Put32(Blob + 20, XbWide("a.sys"));
    Put32(Blob + 28, 0x20000006);
    Put32(Blob + 32, 10);
    PutSig(Blob, 36, 3);
    Blob[61] = 1;
    Blob[62] = 1;
    Put32(Blob + 64, 0x77);
}

static void TestRefusedBlobs(void **State)
{
    static const REFUSAL truncated = {"truncated", INT_STATUS_DATA_BUFFER_TOO_SMALL, INT_STATUS_EXC_ALERT_TRUNCATED};
    static const REFUSAL oversized = {"oversized", INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_OVERSIZED};
    static const REFUSAL notValid = {"not valid", INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_ALERT_NOT_VALID};
    static const REFUSAL version = {"version", INT_STATUS_UNSUPPORTED_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VERSION};
    static const REFUSAL value = {"value", INT_STATUS_INVALID_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VALUE};
    static const REFUSAL hashes = {"hashes", INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_BAD_VALUE};
    static const REFUSAL type = {"type", INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_ALERT_NOT_EXCEPTABLE};
    uint8_t big[ALERT_EXCEPTION_SIZE + 1];
    uint8_t b[ALERT_EXCEPTION_SIZE];
    INTRO_ALERT_EXC_ERROR error;

    (void)State;
    MsrBlob(b);
    assert_int_equal(IntAddExceptionFromAlertBuffer(H, b, 116, introEventMsrViolation, TRUE, 0, NULL),
                     INT_STATUS_SUCCESS); /* exactly the structure: accepted */
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS);

    ExpectRefused(b, 10, introEventMsrViolation, TRUE, &truncated);
    ExpectRefused(b, 115, introEventMsrViolation, TRUE, &truncated);
    ExpectRefused(b, 172, introEventInjectionViolation, TRUE, &truncated); /* a user blob is 173 bytes */
    memcpy(big, b, sizeof(b));
    big[ALERT_EXCEPTION_SIZE] = 0;
    ExpectRefused(big, sizeof(big), introEventMsrViolation, TRUE, &oversized);
    ExpectRefused(b, sizeof(b), introEventXcrViolation, TRUE, &type);
    ExpectRefused(b, sizeof(b), (INTRO_EVENT_TYPE)77, TRUE, &type);

    b[10] = 0;
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &notValid);
    b[10] = 2;
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &notValid);
    MsrBlob(b);
    Put16(b, 2);
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &version);
    MsrBlob(b);
    Put32(b + 32, 0);
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &value);
    Put32(b + 32, 26);
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &value);
    MsrBlob(b);
    Put32(b + 28, 0x20000006 | EXCEPTION_KUM_FLG_USER); /* not a kernel flag */
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &value);
    MsrBlob(b);
    b[62] = 7;
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &hashes);
    MsrBlob(b);
    b[61] = 0;
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &value);
    b[61] = 2; /* a score above the count would never match */
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &value);
    MsrBlob(b);
    b[60] = 3;
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &notValid);
    MsrBlob(b);
    Put16(b + 36, 4);
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &version);
    MsrBlob(b);
    Put32(b + 56, 0x40000000);
    ExpectRefused(b, sizeof(b), introEventMsrViolation, TRUE, &value);

    /* Offsets name the field. */
    MsrBlob(b);
    b[62] = 9;
    assert_int_equal(IntAddExceptionFromAlertBuffer(H, b, sizeof(b), introEventMsrViolation, TRUE, 0, &error),
                     INT_STATUS_INVALID_DATA_SIZE);
    assert_int_equal(error.Offset, 62);
    assert_int_equal(gGlue.AddExceptionFromAlert(H, NULL, introEventMsrViolation, TRUE, 0),
                     INT_STATUS_INVALID_PARAMETER_1);
}

static void TestRefusedAlerts(void **State)
{
    static const REFUSAL truncated = {"truncated", INT_STATUS_DATA_BUFFER_TOO_SMALL, INT_STATUS_EXC_ALERT_TRUNCATED};
    static const REFUSAL oversized = {"oversized", INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_OVERSIZED};
    static const REFUSAL version = {"version", INT_STATUS_UNSUPPORTED_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VERSION};
    static const REFUSAL name = {"name", INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_UNTERMINATED};
    static const REFUSAL victim = {"victim", INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_ALERT_NOT_EXCEPTABLE};
    EVENT_INTEGRITY_VIOLATION *a = test_malloc(sizeof(*a) + 1);
    EVENT_MEMCOPY_VIOLATION m;

    (void)State;
    IntegrityAlert(a, introObjectTypeDriverObject, "\\driver\\victim");
    ExpectRefused(a, sizeof(*a) - 1, introEventIntegrityViolation, FALSE, &truncated);
    ExpectRefused(a, sizeof(*a) + 1, introEventIntegrityViolation, FALSE, &oversized);
    a->Header.ViolationVersion = 2;
    ExpectRefused(a, sizeof(*a), introEventIntegrityViolation, FALSE, &version);
    a->Header.ViolationVersion = INTRO_VIOLATION_VERSION;
    for (size_t i = 0; i < ALERT_PATH_MAX_LEN; i++)
    {
        a->Victim.DriverObject.Name[i] = 'x'; /* no NUL: hvmi reads on into the next field */
    }
    ExpectRefused(a, sizeof(*a), introEventIntegrityViolation, FALSE, &name);
    IntegrityAlert(a, introObjectTypeHalDispatchTable, "");
    ExpectRefused(a, sizeof(*a), introEventIntegrityViolation, FALSE, &victim);

    InjectionAlert(&m, memCopyViolationWrite);
    memset(m.Originator.Process.ImageName, 'e', sizeof(m.Originator.Process.ImageName));
    ExpectRefused(&m, sizeof(m), introEventInjectionViolation, FALSE, &name);
    InjectionAlert(&m, memCopyViolationWrite);
    m.Victim.Process.ImageName[0] = 0;
    ExpectRefused(&m, sizeof(m), introEventInjectionViolation, FALSE, &victim);
    test_free(a);
}

/* Random bytes, and random changes to valid blobs and alerts: a status of the documented set, never a crash. */
static void TestGarbage(void **State)
{
    static const INTSTATUS allowed[] = {INT_STATUS_SUCCESS,
                                        INT_STATUS_NOT_NEEDED_HINT,
                                        INT_STATUS_DATA_BUFFER_TOO_SMALL,
                                        INT_STATUS_INVALID_DATA_SIZE,
                                        INT_STATUS_INVALID_DATA_STATE,
                                        INT_STATUS_INVALID_DATA_VALUE,
                                        INT_STATUS_UNSUPPORTED_DATA_VALUE,
                                        INT_STATUS_NOT_SUPPORTED};
    uint8_t *buffer = test_malloc(sizeof(EVENT_PROCESS_CREATION_VIOLATION));
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    unsigned accepted = 0;

    (void)State;
    for (unsigned i = 0; i < 4000; i++)
    {
        INTRO_EVENT_TYPE type = gApiTestExceptableTypes[TestRandom64(&seed) % API_TEST_EXCEPTABLE_TYPES];
        bool blob = (i & 1) != 0;
        size_t size = blob ? (size_t)(TestRandom64(&seed) % (ALERT_EXCEPTION_SIZE + 8)) : 0;
        INTRO_ALERT_EXC_ERROR error;
        INTSTATUS status;
        bool known = false;

        if (!blob)
        {
            size =
                (size_t)(TestRandom64(&seed) % 4 == 0 ? TestRandom64(&seed) % sizeof(EVENT_PROCESS_CREATION_VIOLATION)
                                                      : 0);
        }
        for (size_t k = 0; k < sizeof(EVENT_PROCESS_CREATION_VIOLATION); k++)
        {
            buffer[k] = (uint8_t)TestRandom64(&seed);
        }
        if (blob && i % 3 == 0)
        {
            MsrBlob(buffer); /* a valid blob with a few random bytes */
            for (int k = 0; k < 3; k++)
            {
                buffer[TestRandom64(&seed) % ALERT_EXCEPTION_SIZE] = (uint8_t)TestRandom64(&seed);
            }
            size = ALERT_EXCEPTION_SIZE;
        }
        if (!blob && size == 0)
        {
            /* A whole alert of the right size: random bytes with a valid version. */
            size = sizeof(EVENT_PROCESS_CREATION_VIOLATION);
            size = type == introEventProcessCreationViolation ? size : size / 2; /* mostly not the size */
            Put32(buffer, INTRO_VIOLATION_VERSION);
        }
        status = IntAddExceptionFromAlertBuffer(H, buffer, size, type, blob, i, &error);
        for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
        {
            known = known || status == allowed[k];
        }
        if (!known || (!INT_SUCCESS(status) && (error.Status != status || error.Message[0] == '\0')))
        {
            fail_msg("iteration %u: %s (%s)", i, IntStatusToString(status), error.Message);
        }
        accepted += status == INT_STATUS_SUCCESS;
    }
    /* Whatever was accepted is one exception per call, all of which a flush removes. */
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS);
    print_message("garbage: %u of 4000 buffers accepted\n", accepted);
    test_free(buffer);
}

/* ---- Concurrency ------------------------------------------------------------------------------------------------- */

#define MT_ROUNDS 2000

typedef struct MT_SHARED
{
    atomic_int Stop;
    atomic_uint Evaluations;
    atomic_uint Allowed;
    atomic_uint Failures;
    atomic_uint Changes;
    atomic_uint Reloads;
    EVENT_MEMCOPY_VIOLATION Alert;
    INTRO_EXC_VIOLATION Same;
    INTRO_EXC_VIOLATION Other;
    uint8_t *File;
    size_t FileSize;
} MT_SHARED;

/* Gives the CPU away for a moment (sched_yield alone lets two spinning threads starve the others). */
static void Nap(void)
{
    struct timespec pause = {0, 20000};

    nanosleep(&pause, NULL);
}

static void *MtEvaluator(void *Arg)
{
    MT_SHARED *s = Arg;

    while (!atomic_load(&s->Stop))
    {
        INTRO_EXC_VERDICT same, other;

        if (IntExceptEvaluateGuest(H, &s->Same, &same) != INT_STATUS_SUCCESS ||
            IntExceptEvaluateGuest(H, &s->Other, &other) != INT_STATUS_SUCCESS ||
            other.Action != INTRO_EXC_ACTION_NOT_ALLOWED ||
            (same.Action == INTRO_EXC_ACTION_ALLOWED &&
             (same.Matched.Source != INTRO_EXC_SOURCE_ALERT || same.Matched.AlertContext > 3)) ||
            (same.Action != INTRO_EXC_ACTION_ALLOWED && same.Reason != INTRO_EXC_REASON_NO_EXCEPTION))
        {
            atomic_fetch_add(&s->Failures, 1);
        }
        atomic_fetch_add(&s->Evaluations, 1);
        atomic_fetch_add(&s->Allowed, same.Action == INTRO_EXC_ACTION_ALLOWED);
        Nap(); /* two cores for four threads: the changes get their turn */
    }
    return NULL;
}

static void *MtChanger(void *Arg)
{
    MT_SHARED *s = Arg;

    for (unsigned i = 0; i < MT_ROUNDS; i++)
    {
        unsigned seen = atomic_load(&s->Evaluations);
        unsigned reloads = atomic_load(&s->Reloads);
        QWORD context = i % 4;
        INTSTATUS add = IntAddExceptionFromAlertBuffer(H, &s->Alert, sizeof(s->Alert), introEventInjectionViolation,
                                                       FALSE, context, NULL);
        INTSTATUS other = i % 7 == 0   ? gGlue.FlushAlertExceptions(H)
                          : i % 2 == 0 ? gGlue.RemoveException(H, context)
                                       : INT_STATUS_SUCCESS;

        if ((add != INT_STATUS_SUCCESS && add != INT_STATUS_NOT_NEEDED_HINT) ||
            (other != INT_STATUS_SUCCESS && other != INT_STATUS_NOT_FOUND))
        {
            atomic_fetch_add(&s->Failures, 1);
        }
        atomic_fetch_add(&s->Changes, 1);
        /* Let evaluations (and now and then a reload) run against this state before the next change:
         * they race the change itself, not a changer that finished before they started. */
        while (atomic_load(&s->Evaluations) - seen < 8 || (i % 64 == 63 && atomic_load(&s->Reloads) == reloads))
        {
            Nap();
        }
    }
    return NULL;
}

/* Reloads the file after changes (a reload holds the guest lock: back to back, it would starve the changes). */
static void *MtReloader(void *Arg)
{
    MT_SHARED *s = Arg;
    unsigned last = 0;

    while (!atomic_load(&s->Stop))
    {
        unsigned changes = atomic_load(&s->Changes);

        if (changes == last)
        {
            Nap();
            continue;
        }
        last = changes;
        if (gGlue.UpdateExceptions(H, s->File, (DWORD)s->FileSize, 0) != INT_STATUS_SUCCESS)
        {
            atomic_fetch_add(&s->Failures, 1);
        }
        atomic_fetch_add(&s->Reloads, 1);
    }
    return NULL;
}

/*
 * Two vCPUs evaluate while a third adds, removes and flushes and a fourth reloads the file: every
 * verdict is one of the two states the set can be in (allowed by an alert exception, or blocked with
 * no exception), the other violation is never allowed, no call fails.
 */
static void TestConcurrentChanges(void **State)
{
    MT_SHARED *s = test_calloc(1, sizeof(*s));
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    pthread_t evaluators[2], changer, reloader;
    const uint8_t *bin;
    uint32_t count = 99;

    (void)State;
    InjectionAlert(&s->Alert, memCopyViolationWrite);
    InjectionViolation(&s->Same, "evil.exe", 0);
    InjectionViolation(&s->Other, "other.exe", 0);
    XbInit(file);
    XbKernel(file, XbWide("unrelated.sys"), XbWide("unrelated.sys"), TF_DEFAULT, IgKmObjDriverData, 0, NULL);
    bin = XbFinish(file, &s->FileSize);
    s->File = (uint8_t *)(uintptr_t)bin;

    for (int i = 0; i < 2; i++)
    {
        assert_int_equal(pthread_create(&evaluators[i], NULL, MtEvaluator, s), 0);
    }
    assert_int_equal(pthread_create(&reloader, NULL, MtReloader, s), 0);
    assert_int_equal(pthread_create(&changer, NULL, MtChanger, s), 0);
    pthread_join(changer, NULL);
    atomic_store(&s->Stop, 1);
    pthread_join(reloader, NULL);
    for (int i = 0; i < 2; i++)
    {
        pthread_join(evaluators[i], NULL);
    }
    print_message("concurrency: %u changes, %u reloads, %u evaluations (%u allowed), %u failures\n",
                  atomic_load(&s->Changes), atomic_load(&s->Reloads), atomic_load(&s->Evaluations),
                  atomic_load(&s->Allowed), atomic_load(&s->Failures));
    assert_int_equal(atomic_load(&s->Failures), 0);
    assert_int_equal(atomic_load(&s->Changes), MT_ROUNDS);

    /* The final state is what the last changes left: the last round added context 3 and removed nothing. */
    assert_int_equal(IntGetAlertExceptionCount(H, &count), INT_STATUS_SUCCESS);
    assert_true(count >= 1);
    assert_int_equal(Decide(&s->Same, NULL), ALLOWED);
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS);
    assert_int_equal(Decide(&s->Same, NULL), BLOCKED);
    test_free(file);
    test_free(s);
}

/* Every allocation of an add, failed in turn: INSUFFICIENT_RESOURCES, and the set in force unchanged. */
static void TestAllocationFailures(void **State)
{
    EVENT_MEMCOPY_VIOLATION a;
    INTRO_EXC_VIOLATION same;
    uint32_t count = 0;
    unsigned long nth = 1;

    (void)State;
    InjectionAlert(&a, memCopyViolationWrite);
    InjectionViolation(&same, "evil.exe", 0);
    assert_int_equal(IntAddExceptionFromAlertBuffer(H, &a, sizeof(a), introEventInjectionViolation, FALSE, 1, NULL),
                     INT_STATUS_SUCCESS);
    a.ViolationType = memCopyViolationRead; /* another exception, added beside the first */
    for (;; nth++)
    {
        INTSTATUS status;

        ApiTestFailAllocation(nth);
        status = IntAddExceptionFromAlertBuffer(H, &a, sizeof(a), introEventInjectionViolation, FALSE, 2, NULL);
        ApiTestFailAllocation(0);
        if (status == INT_STATUS_SUCCESS)
        {
            break;
        }
        assert_int_equal(status, INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_int_equal(IntGetAlertExceptionCount(H, &count), INT_STATUS_SUCCESS);
        assert_int_equal(count, 1);
        assert_int_equal(Decide(&same, NULL), ALLOWED);
    }
    assert_true(nth > 1); /* an add allocates */
    assert_int_equal(IntGetAlertExceptionCount(H, &count), INT_STATUS_SUCCESS);
    assert_int_equal(count, 2);
    /* A remove that cannot build the next set removes nothing. */
    ApiTestFailAllocation(1);
    assert_int_equal(gGlue.RemoveException(H, 1), INT_STATUS_INSUFFICIENT_RESOURCES);
    ApiTestFailAllocation(0);
    assert_int_equal(Decide(&same, NULL), ALLOWED);
    assert_int_equal(gGlue.RemoveException(H, 1), INT_STATUS_SUCCESS);
    assert_int_equal(Decide(&same, NULL), BLOCKED);
}

static void TestCountAndPrologue(void **State)
{
    uint32_t count = 7;
    int unknown;

    (void)State;
    assert_int_equal(IntGetAlertExceptionCount(NULL, &count), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(count, 0);
    assert_int_equal(IntGetAlertExceptionCount(H, NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntGetAlertExceptionCount(&unknown, &count), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(IntAddExceptionFromAlertBuffer(&unknown, &count, 4, introEventMsrViolation, TRUE, 0, NULL),
                     INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.RemoveException(&unknown, 0), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.FlushAlertExceptions(H), INT_STATUS_SUCCESS); /* nothing to flush: still a success */
    assert_int_equal(gGlue.RemoveException(H, 0), INT_STATUS_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(TestIntegrity, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInjection, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestProcessCreation, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestModuleLoad, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestHvmiLayoutBlobs, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestRefusedBlobs, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestRefusedAlerts, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGarbage, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestConcurrentChanges, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestAllocationFailures, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestCountAndPrologue, Setup, Teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
