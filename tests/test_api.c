/*
 * The public tables and IntInit / IntUninit: layout, validation statuses, every required member,
 * double initialisation, copy by value, the 26 library-side slots, IntStatusToString, the log level
 * and the version string.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api_harness.h"
#include "introguard/introguard.h"

#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct MEMBER
{
    size_t Offset;
    const char *Name;
} MEMBER;

#define GLUE(Name)                                                                                                     \
    {                                                                                                                  \
        offsetof(GLUE_IFACE, Name), #Name                                                                              \
    }
#define UPPER(Name)                                                                                                    \
    {                                                                                                                  \
        offsetof(UPPER_IFACE, Name), #Name                                                                             \
    }

/* The 20 GLUE members IntInit requires: those the library calls, in hvmi's check order (spec
 * api-and-alerts.md §1.4 step 3 lists 33; docs/compat.md). */
static const MEMBER gRequiredGlue[] = {
    GLUE(QueryGuestInfo),
    GLUE(PhysMemMapToHost),
    GLUE(PhysMemUnmap),
    GLUE(RegisterMSRHandler),
    GLUE(UnregisterMSRHandler),
    GLUE(RegisterEPTHandler),
    GLUE(UnregisterEPTHandler),
    GLUE(GetEPTPageProtection),
    GLUE(SetEPTPageProtection),
    GLUE(EnableMSRExit),
    GLUE(DisableMSRExit),
    GLUE(PauseVcpus),
    GLUE(ResumeVcpus),
    GLUE(RegisterDtrHandler),
    GLUE(UnregisterDtrHandler),
    GLUE(RegisterCrWriteHandler),
    GLUE(UnregisterCrWriteHandler),
    GLUE(EnableCrWriteExit),
    GLUE(DisableCrWriteExit),
    GLUE(NotifyIntrospectionAlert),
};

/* Integrator members IntInit does not require: hvmi's optional ones (spec §1.1 "Opt" and "—"), and
 * the 13 hvmi requires that the library never calls. */
static const MEMBER gOptionalGlue[] = {
    GLUE(GetSPPPageProtection),
    GLUE(SetSPPPageProtection),
    GLUE(RegisterEventInjectionHandler),
    GLUE(UnregisterEventInjectionHandler),
    GLUE(ReserveVaSpaceWithPt),
    GLUE(NotifyIntrospectionActivated),
    GLUE(NotifyIntrospectionDeactivated),
    GLUE(NotifyIntrospectionDetectedOs),
    GLUE(NotifyIntrospectionErrorState),
    GLUE(NotifyScanEngines),
    GLUE(GetAgentContent),
    GLUE(ToggleRepOptimization),
    GLUE(SetVeInfoPage),
    GLUE(CreateEPT),
    GLUE(DestroyEPT),
    GLUE(SwitchEPT),
    GLUE(GetEPTPageConvertible),
    GLUE(SetEPTPageConvertible),
    GLUE(RegisterEnginesResultCallback),
    GLUE(UnregisterEnginesResultCalback),
    GLUE(FlushEPTPermissions),
    /* hvmi requires these; the library does not call them */
    GLUE(PhysMemGetTypeFromMtrrs),
    GLUE(GpaToHpa),
    GLUE(RegisterIntroTimerHandler),
    GLUE(UnregisterIntroTimerHandler),
    GLUE(RegisterIntroCallHandler),
    GLUE(UnregisterIntroCallHandler),
    GLUE(InjectTrap),
    GLUE(SetIntroEmulatorContext),
    GLUE(RegisterXcrWriteHandler),
    GLUE(UnregisterXcrWriteHandler),
    GLUE(RegisterBreakpointHandler),
    GLUE(UnregisterBreakpointHandler),
    GLUE(ReleaseBuffer),
};

/* spec §1.4 step 7: the 26 members IntInit writes. */
static const MEMBER gLibrarySide[] = {
    GLUE(NewGuestNotification),
    GLUE(DisableIntro),
    GLUE(NotifyGuestPowerStateChange),
    GLUE(DebugProcessCommand),
    GLUE(UpdateExceptions),
    GLUE(GetExceptionsVersion),
    GLUE(GetGuestInfo),
    GLUE(InjectProcessAgent),
    GLUE(InjectFileAgent),
    GLUE(SetIntroAbortStatus),
    GLUE(AddExceptionFromAlert),
    GLUE(RemoveException),
    GLUE(FlushAlertExceptions),
    GLUE(AddRemoveProtectedProcessUtf16),
    GLUE(AddRemoveProtectedProcessUtf8),
    GLUE(RemoveAllProtectedProcesses),
    GLUE(GetCurrentInstructionLength),
    GLUE(GetCurrentInstructionMnemonic),
    GLUE(IterateVirtualAddressSpace),
    GLUE(ModifyDynamicOptions),
    GLUE(FlushGpaCache),
    GLUE(GetCurrentIntroOptions),
    GLUE(UpdateSupport),
    GLUE(GetSupportVersion),
    GLUE(SetLogLevel),
    GLUE(GetVersionString),
};

/* The 13 UPPER members IntInit requires (hvmi's 15 but BugCheck and EnterDebugger, which the library
 * never calls; QueryHeapSize is optional in hvmi too). */
static const MEMBER gRequiredUpper[] = {
    UPPER(TracePrint),
    UPPER(MemAllocWithTagAndInfo),
    UPPER(MemFreeWithTagAndInfo),
    UPPER(SpinLockInit),
    UPPER(SpinLockUnInit),
    UPPER(SpinLockAcquire),
    UPPER(SpinLockRelease),
    UPPER(RwSpinLockInit),
    UPPER(RwSpinLockUnInit),
    UPPER(RwSpinLockAcquireShared),
    UPPER(RwSpinLockAcquireExclusive),
    UPPER(RwSpinLockReleaseShared),
    UPPER(RwSpinLockReleaseExclusive),
};

static void *MemberGet(const void *Table, size_t Offset)
{
    void *value;

    memcpy(&value, (const char *)Table + Offset, sizeof(value));
    return value;
}

static void MemberClear(void *Table, size_t Offset)
{
    void *null = NULL;

    memcpy((char *)Table + Offset, &null, sizeof(null));
}

static int Setup(void **State)
{
    (void)State;
    ApiTestHarnessReset();
    IntPreinit();
    return 0;
}

/* Every test ends with the library down and nothing leaked. */
static int Teardown(void **State)
{
    (void)State;
    ApiTestStopClean();
    assert_int_equal(ApiTestLiveLockCount(), 0);
    return 0;
}

/* The library answers NOT_INITIALIZED: IntInit left nothing behind. */
static void AssertLibraryDown(void)
{
    int handle;
    WORD major, minor;
    DWORD build;

    assert_int_equal(IntGetExceptionsVersion(&handle, &major, &minor, &build), INT_STATUS_NOT_INITIALIZED);
}

static void AssertLibrarySideEmpty(const GLUE_IFACE *Glue)
{
    for (size_t i = 0; i < ARRAY_COUNT(gLibrarySide); i++)
    {
        assert_null(MemberGet(Glue, gLibrarySide[i].Offset));
    }
}

/* ---- Layout --------------------------------------------------------------------------------- */

static void TestTableLayout(void **State)
{
    (void)State;
    /* spec §1.1 / §1.2, measured from hvmi's headers. */
    assert_int_equal(sizeof(GLUE_IFACE), 712);
    assert_int_equal(GLUE_IFACE_VERSION_1, 0x00010111);
    assert_int_equal(GLUE_IFACE_VERSION_1_SIZE, 712);
    assert_int_equal(offsetof(GLUE_IFACE, QueryGuestInfo), 0x010);
    assert_int_equal(offsetof(GLUE_IFACE, SetIntroEmulatorContext), 0x120);
    assert_int_equal(offsetof(GLUE_IFACE, NotifyIntrospectionAlert), 0x158);
    assert_int_equal(offsetof(GLUE_IFACE, UnregisterEnginesResultCalback), 0x1B8);
    assert_int_equal(offsetof(GLUE_IFACE, NewGuestNotification), 0x1D8);
    assert_int_equal(offsetof(GLUE_IFACE, UpdateExceptions), 0x200);
    assert_int_equal(offsetof(GLUE_IFACE, RemoveException), 0x238);
    assert_int_equal(offsetof(GLUE_IFACE, SetLogLevel), 0x2A0);
    assert_int_equal(offsetof(GLUE_IFACE, _H_I_Reserved4), 0x2C0);
    assert_int_equal(sizeof(UPPER_IFACE), 144);
    assert_int_equal(UPPER_IFACE_VERSION_1, 0x00010074);
    assert_int_equal(offsetof(UPPER_IFACE, MemAllocWithTagAndInfo), 0x18);
    assert_int_equal(offsetof(UPPER_IFACE, RwSpinLockReleaseExclusive), 0x70);
    assert_int_equal(offsetof(UPPER_IFACE, BugCheck), 0x80);
    assert_int_equal(sizeof(IG_ARCH_REGS), 224);
    assert_int_equal(offsetof(IG_ARCH_REGS, Rip), 19 * 8);
    assert_int_equal(sizeof(BOOLEAN), 1);
    assert_int_equal(sizeof(WCHAR), 2);
    assert_int_equal(sizeof(INTRO_EVENT_TYPE), 4);
    assert_int_equal(introEventModuleLoadViolation, 17);
    assert_int_equal(intGuestPowerStateTerminating, 4);
    assert_int_equal(introReasonUnknown, 15);
}

/* ---- Successful IntInit --------------------------------------------------------------------- */

static void TestInitFillsLibrarySide(void **State)
{
    GLUE_IFACE glue;
    GLUE_IFACE before;
    void *sentinel = (void *)(uintptr_t)0x5EED;

    (void)State;
    ApiTestGlueFill(&glue);
    glue._H_I_Reserved1 = sentinel;
    glue._H_I_Reserved2 = sentinel;
    glue._H_I_Reserved4 = sentinel;
    memcpy(&before, &glue, sizeof(glue));
    {
        UPPER_IFACE upper;

        ApiTestUpperFill(&upper);
        assert_int_equal(IntInit(&glue, &upper), INT_STATUS_SUCCESS);
    }

    for (size_t i = 0; i < ARRAY_COUNT(gLibrarySide); i++)
    {
        assert_non_null(MemberGet(&glue, gLibrarySide[i].Offset));
    }
    /* The five exception members are the public functions themselves. */
    assert_ptr_equal(glue.UpdateExceptions, IntUpdateExceptions);
    assert_ptr_equal(glue.GetExceptionsVersion, IntGetExceptionsVersion);
    assert_ptr_equal(glue.AddExceptionFromAlert, IntAddExceptionFromAlert);
    assert_ptr_equal(glue.RemoveException, IntRemoveException);
    assert_ptr_equal(glue.FlushAlertExceptions, IntFlushAlertExceptions);

    /* Nothing but the 26 members changed: header, integrator side, reserved slots. */
    memcpy((char *)&before + offsetof(GLUE_IFACE, NewGuestNotification),
           (char *)&glue + offsetof(GLUE_IFACE, NewGuestNotification), 4 * sizeof(void *));
    memcpy((char *)&before + offsetof(GLUE_IFACE, UpdateExceptions),
           (char *)&glue + offsetof(GLUE_IFACE, UpdateExceptions),
           offsetof(GLUE_IFACE, _H_I_Reserved2) - offsetof(GLUE_IFACE, UpdateExceptions));
    assert_memory_equal(&before, &glue, sizeof(glue));
    assert_ptr_equal(glue._H_I_Reserved1, sentinel);
}

static void TestInitOptionalMembersMayBeNull(void **State)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;

    (void)State;
    ApiTestGlueFill(&glue);
    ApiTestUpperFill(&upper);
    for (size_t i = 0; i < ARRAY_COUNT(gOptionalGlue); i++)
    {
        MemberClear(&glue, gOptionalGlue[i].Offset);
    }
    upper.QueryHeapSize = NULL;
    upper.BugCheck = NULL;
    upper.EnterDebugger = NULL;
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_SUCCESS);
    assert_non_null(glue.UpdateExceptions);
    /* Every member is either required or optional: 20 + 34 integrator members. */
    assert_int_equal(ARRAY_COUNT(gRequiredGlue) + ARRAY_COUNT(gOptionalGlue), 54);
}

/* ---- Rejected tables ------------------------------------------------------------------------ */

typedef struct HEADER_CASE
{
    const char *Name;
    int Table; /* 0: GLUE, 1: UPPER */
    DWORD VersionDelta;
    DWORD SizeDelta;
    INTSTATUS Expected;
} HEADER_CASE;

static const HEADER_CASE gHeaderCases[] = {
    {"GLUE version + 1", 0, 1, 0, INT_STATUS_NOT_SUPPORTED},
    {"GLUE version - 1", 0, (DWORD)-1, 0, INT_STATUS_NOT_SUPPORTED},
    {"GLUE size + 8", 0, 0, 8, INT_STATUS_NOT_SUPPORTED},
    {"GLUE size - 8", 0, 0, (DWORD)-8, INT_STATUS_NOT_SUPPORTED},
    {"UPPER version + 1", 1, 1, 0, INT_STATUS_NOT_SUPPORTED},
    {"UPPER size + 8", 1, 0, 8, INT_STATUS_NOT_SUPPORTED},
    {"UPPER size - 8", 1, 0, (DWORD)-8, INT_STATUS_NOT_SUPPORTED},
};

static void TestInitRejectsWrongHeader(void **State)
{
    (void)State;
    for (size_t i = 0; i < ARRAY_COUNT(gHeaderCases); i++)
    {
        const HEADER_CASE *c = &gHeaderCases[i];
        GLUE_IFACE glue;
        UPPER_IFACE upper;

        ApiTestGlueFill(&glue);
        ApiTestUpperFill(&upper);
        if (c->Table == 0)
        {
            glue.Version += c->VersionDelta;
            glue.Size += c->SizeDelta;
        }
        else
        {
            upper.Version += c->VersionDelta;
            upper.Size += c->SizeDelta;
        }
        print_message("case: %s\n", c->Name);
        assert_int_equal(IntInit(&glue, &upper), c->Expected);
        AssertLibrarySideEmpty(&glue);
        AssertLibraryDown();
    }
    assert_true(ApiTestLogContains("IntInit: GLUE_IFACE version 0x00010112 size 712, expected version 0x00010111 "
                                   "size 712\n"));
}

static void TestInitRejectsNullTables(void **State)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;

    (void)State;
    ApiTestGlueFill(&glue);
    ApiTestUpperFill(&upper);
    assert_int_equal(IntInit(NULL, &upper), INT_STATUS_INVALID_PARAMETER_1);
    assert_true(ApiTestLogContains("IntInit: GlueInterface is NULL\n"));
    assert_int_equal(IntInit(&glue, NULL), INT_STATUS_INVALID_PARAMETER_2);
    AssertLibrarySideEmpty(&glue);
    AssertLibraryDown();
}

static void TestInitRejectsEachMissingGlueMember(void **State)
{
    (void)State;
    for (size_t i = 0; i < ARRAY_COUNT(gRequiredGlue); i++)
    {
        GLUE_IFACE glue;
        UPPER_IFACE upper;
        char expected[128];

        ApiTestGlueFill(&glue);
        ApiTestUpperFill(&upper);
        MemberClear(&glue, gRequiredGlue[i].Offset);
        ApiTestLogClear();

        assert_int_equal(IntInit(&glue, &upper), INT_STATUS_INVALID_PARAMETER_1);
        snprintf(expected, sizeof(expected), "IntInit: GLUE_IFACE.%s is NULL\n", gRequiredGlue[i].Name);
        if (!ApiTestLogContains(expected))
        {
            fail_msg("missing log line for %s", gRequiredGlue[i].Name);
        }
        assert_int_equal(ApiTestLogLineCount(), 1);
        AssertLibrarySideEmpty(&glue);
        AssertLibraryDown();
    }
    assert_int_equal(ARRAY_COUNT(gRequiredGlue), 20);
}

static void TestInitGlueCheckedBeforeUpper(void **State)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;

    (void)State;
    /* Both tables broken: the GLUE status wins (hvmi's order). */
    ApiTestGlueFill(&glue);
    ApiTestUpperFill(&upper);
    glue.PauseVcpus = NULL;
    upper.SpinLockInit = NULL;
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_INVALID_PARAMETER_1);
    upper.Version = 0;
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_INVALID_PARAMETER_1);
    {
        GLUE_IFACE full;

        ApiTestGlueFill(&full);
        glue.PauseVcpus = full.PauseVcpus;
    }
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_NOT_SUPPORTED);
    AssertLibraryDown();
}

static void TestInitRejectsEachMissingUpperMember(void **State)
{
    (void)State;
    for (size_t i = 0; i < ARRAY_COUNT(gRequiredUpper); i++)
    {
        GLUE_IFACE glue;
        UPPER_IFACE upper;
        char expected[128];

        ApiTestGlueFill(&glue);
        ApiTestUpperFill(&upper);
        MemberClear(&upper, gRequiredUpper[i].Offset);
        ApiTestLogClear();

        assert_int_equal(IntInit(&glue, &upper), INT_STATUS_INVALID_PARAMETER_2);
        snprintf(expected, sizeof(expected), "IntInit: UPPER_IFACE.%s is NULL\n", gRequiredUpper[i].Name);
        if (i == 0)
        {
            /* No TracePrint, no log. */
            assert_int_equal(ApiTestLogLineCount(), 0);
        }
        else if (!ApiTestLogContains(expected))
        {
            fail_msg("missing log line for %s", gRequiredUpper[i].Name);
        }
        AssertLibrarySideEmpty(&glue);
        AssertLibraryDown();
    }
    assert_int_equal(ARRAY_COUNT(gRequiredUpper), 13);
}

static void TestInitLockFailureLeavesNoTrace(void **State)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;

    (void)State;
    ApiTestGlueFill(&glue);
    ApiTestUpperFill(&upper);
    ApiTestFailNextSpinLockInit(INT_STATUS_INSUFFICIENT_RESOURCES);
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_INSUFFICIENT_RESOURCES);
    assert_true(ApiTestLogContains("IntInit: SpinLockInit failed: 0xe1000506\n"));
    AssertLibrarySideEmpty(&glue);
    AssertLibraryDown();

    /* And a later IntInit succeeds. */
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_SUCCESS);
}

/* ---- Double initialisation, copy by value, uninit ------------------------------------------- */

static int gSecondTraceCalls;

static INTSTATUS __attribute__((format(printf, 3, 4)))
SecondTracePrint(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    gSecondTraceCalls++;
    return INT_STATUS_SUCCESS;
}

static void TestDoubleInitChangesNothing(void **State)
{
    GLUE_IFACE glue;
    GLUE_IFACE second;
    UPPER_IFACE secondUpper;
    int guest;

    (void)State;
    assert_int_equal(ApiTestLibraryStart(&glue), INT_STATUS_SUCCESS);

    ApiTestGlueFill(&second);
    ApiTestUpperFill(&secondUpper);
    secondUpper.TracePrint = SecondTracePrint;
    gSecondTraceCalls = 0;
    assert_int_equal(IntInit(&second, &secondUpper), INT_STATUS_ALREADY_INITIALIZED_HINT);
    assert_true(INT_SUCCESS(INT_STATUS_ALREADY_INITIALIZED_HINT));
    AssertLibrarySideEmpty(&second);

    /* Even a broken table gets the hint: nothing is validated the second time. */
    ApiTestGlueFill(&second);
    second.Version = 0;
    assert_int_equal(IntInit(&second, &secondUpper), INT_STATUS_ALREADY_INITIALIZED_HINT);

    /* The first tables stay in force: logs go to the first TracePrint. */
    ApiTestLogClear();
    assert_int_equal(glue.SetLogLevel(&guest, intLogLevelDebug), INT_STATUS_SUCCESS);
    assert_int_equal(glue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_true(ApiTestLogContains("NewGuestNotification: options 0x0000000000000000\n"));
    assert_int_equal(gSecondTraceCalls, 0);
}

static void TestTablesAreCopied(void **State)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;
    int guest;

    (void)State;
    ApiTestGlueFill(&glue);
    ApiTestUpperFill(&upper);
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_SUCCESS);

    /* The integrator scribbles over its own copy: the library does not notice. */
    memset(&upper, 0, sizeof(upper));
    assert_int_equal(glue.SetLogLevel(&guest, intLogLevelDebug), INT_STATUS_SUCCESS);
    assert_int_equal(glue.NewGuestNotification(&guest, 7, NULL, 0), INT_STATUS_SUCCESS);
    assert_true(ApiTestLogContains("NewGuestNotification: options 0x0000000000000007\n"));
    assert_int_equal(glue.DisableIntro(&guest, 0), INT_STATUS_SUCCESS);
}

static void TestUninitResetsAndAllowsInit(void **State)
{
    GLUE_IFACE glue;
    int guest;
    WORD major, minor;
    DWORD build;

    (void)State;
    /* Without IntInit: nothing to do, still SUCCESS. */
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);

    assert_int_equal(ApiTestLibraryStart(&glue), INT_STATUS_SUCCESS);
    assert_int_equal(glue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(ApiTestAllocCount(), ApiTestFreeCount());
    assert_int_equal(ApiTestLiveLockCount(), 0);
    assert_int_equal(glue.GetExceptionsVersion(&guest, &major, &minor, &build), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);

    /* The guest did not survive: a new instance starts empty. */
    assert_int_equal(ApiTestLibraryStart(&glue), INT_STATUS_SUCCESS);
    assert_int_equal(glue.GetExceptionsVersion(&guest, &major, &minor, &build), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(glue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
}

/* ---- Status names, log level, version string ------------------------------------------------ */

typedef struct STATUS_NAME
{
    INTSTATUS Status;
    const char *Name;
} STATUS_NAME;

#define S(Name)                                                                                                        \
    {                                                                                                                  \
        Name, #Name                                                                                                    \
    }
static const STATUS_NAME gStatusNames[] = {
    S(INT_STATUS_SUCCESS),
    S(INT_STATUS_NOT_NEEDED_HINT),
    S(INT_STATUS_NOT_INITIALIZED_HINT),
    S(INT_STATUS_ALREADY_INITIALIZED_HINT),
    S(INT_STATUS_FORCE_ACTION_ON_BETA),
    S(INT_STATUS_EXCEPTION_ALLOW),
    S(INT_STATUS_EXCEPTION_CHECKS_OK),
    S(INT_STATUS_SIGNATURE_MATCHED),
    S(INT_STATUS_INVALID_PARAMETER),
    S(INT_STATUS_INVALID_PARAMETER_1),
    S(INT_STATUS_INVALID_PARAMETER_2),
    S(INT_STATUS_INVALID_PARAMETER_3),
    S(INT_STATUS_INVALID_PARAMETER_4),
    S(INT_STATUS_INVALID_PARAMETER_5),
    S(INT_STATUS_INVALID_PARAMETER_6),
    S(INT_STATUS_INVALID_PARAMETER_7),
    S(INT_STATUS_INVALID_PARAMETER_8),
    S(INT_STATUS_INVALID_PARAMETER_MIX),
    S(INT_STATUS_OPERATION_NOT_SUPPORTED),
    S(INT_STATUS_OPERATION_NOT_IMPLEMENTED),
    S(INT_STATUS_INVALID_DATA_VALUE),
    S(INT_STATUS_INVALID_DATA_TYPE),
    S(INT_STATUS_INVALID_DATA_SIZE),
    S(INT_STATUS_CORRUPTED_DATA),
    S(INT_STATUS_INVALID_DATA_STATE),
    S(INT_STATUS_DATA_BUFFER_TOO_SMALL),
    S(INT_STATUS_BUFFER_OVERFLOW),
    S(INT_STATUS_OUT_OF_RESOURCES),
    S(INT_STATUS_NO_MORE_ENTRIES),
    S(INT_STATUS_ARITHMETIC_OVERFLOW),
    S(INT_STATUS_UNSUPPORTED_DATA_VALUE),
    S(INT_STATUS_UNSUPPORTED_DATA_TYPE),
    S(INT_STATUS_ALREADY_INITIALIZED),
    S(INT_STATUS_NOT_INITIALIZED),
    S(INT_STATUS_INVALID_INTERNAL_STATE),
    S(INT_STATUS_OUT_OF_RANGE),
    S(INT_STATUS_INSUFFICIENT_RESOURCES),
    S(INT_STATUS_NOT_FOUND),
    S(INT_STATUS_NOT_SUPPORTED),
    S(INT_STATUS_ACCESS_DENIED),
    S(INT_STATUS_CANNOT_UNLOAD),
    S(INT_STATUS_POWER_STATE_BLOCK),
    S(INT_STATUS_STACK_SWAPPED_OUT),
    S(INT_STATUS_EXCEPTION_NOT_MATCHED),
    S(INT_STATUS_EXCEPTION_CHECKS_FAILED),
    S(INT_STATUS_SIGNATURE_NOT_FOUND),
    S(INT_STATUS_UNINIT_BUGCHECK),
    S(INT_STATUS_EXCEPTION_BLOCK),
    S(INT_STATUS_UNSUCCESSFUL),
    S(INT_STATUS_FATAL_ERROR),
    S(INT_STATUS_EXC_FILE_TOO_SHORT),
    S(INT_STATUS_EXC_BAD_MAGIC),
    S(INT_STATUS_EXC_BAD_VERSION),
    S(INT_STATUS_EXC_NO_EXCEPTIONS),
    S(INT_STATUS_EXC_TRUNCATED_HEADER),
    S(INT_STATUS_EXC_RECORD_PAST_END),
    S(INT_STATUS_EXC_RECORD_TOO_SHORT),
    S(INT_STATUS_EXC_RECORD_SIZE_MISMATCH),
    S(INT_STATUS_EXC_GLOB_EMPTY),
    S(INT_STATUS_EXC_GLOB_TOO_LONG),
    S(INT_STATUS_EXC_TOO_MANY_RECORDS),
    S(INT_STATUS_EXC_CAP_EXCEEDED),
    S(INT_STATUS_EXC_COUNT_MISMATCH),
    S(INT_STATUS_EXC_DIGEST_MISMATCH),
    S(INT_STATUS_EXC_SIGNATURE_MISSING),
    S(INT_STATUS_EXC_SIGNATURE_INVALID),
};

static void TestStatusToString(void **State)
{
    (void)State;
    for (size_t i = 0; i < ARRAY_COUNT(gStatusNames); i++)
    {
        assert_string_equal(IntStatusToString(gStatusNames[i].Status), gStatusNames[i].Name);
    }
    /* Spot-check hvmi's numeric values (spec §3). */
    assert_int_equal((uint32_t)INT_STATUS_NOT_SUPPORTED, 0xE1000508u);
    assert_int_equal((uint32_t)INT_STATUS_POWER_STATE_BLOCK, 0xE2400060u);
    assert_int_equal((uint32_t)INT_STATUS_ALREADY_INITIALIZED_HINT, 0x61000002u);
    /* The alias has one name. */
    assert_string_equal(IntStatusToString(INT_STATUS_INVALID_OBJECT_TYPE), "INT_STATUS_INVALID_DATA_TYPE");
    assert_string_equal(IntStatusToString((INTSTATUS)0xE1000999u), "INT_STATUS_<unknown>");
    assert_string_equal(IntStatusToString(1), "INT_STATUS_<unknown>");
}

static void TestLogLevelFilters(void **State)
{
    GLUE_IFACE glue;
    int guest;

    (void)State;
    assert_int_equal(ApiTestLibraryStart(&glue), INT_STATUS_SUCCESS);

    /* Default (warning): the info line of NewGuestNotification is not printed. */
    ApiTestLogClear();
    assert_int_equal(glue.NewGuestNotification(&guest, 1, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(ApiTestLogLineCount(), 0);
    /* A warning passes. */
    assert_int_equal(glue.NewGuestNotification(&guest, 1, NULL, 0), INT_STATUS_ALREADY_INITIALIZED_HINT);
    assert_true(ApiTestLogContains("NewGuestNotification: the guest is already introspected\n"));

    /* Error level: the warning is dropped. */
    ApiTestLogClear();
    assert_int_equal(glue.SetLogLevel(&guest, intLogLevelError), INT_STATUS_SUCCESS);
    assert_int_equal(glue.NewGuestNotification(&guest, 1, NULL, 0), INT_STATUS_ALREADY_INITIALIZED_HINT);
    assert_int_equal(ApiTestLogLineCount(), 0);

    /* Debug level: everything, including the debug line of an unsupported member. */
    assert_int_equal(glue.SetLogLevel(&guest, intLogLevelDebug), INT_STATUS_SUCCESS);
    assert_int_equal(glue.FlushGpaCache(&guest), INT_STATUS_NOT_SUPPORTED);
    assert_true(ApiTestLogContains("FlushGpaCache: not supported by introguard\n"));

    /* Statuses: NULL handle, out-of-range level; any non-NULL handle is accepted (library-wide). */
    assert_int_equal(glue.SetLogLevel(NULL, intLogLevelDebug), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(glue.SetLogLevel(&guest, (IG_LOG_LEVEL)5), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(glue.SetLogLevel(&guest, (IG_LOG_LEVEL)-1), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(glue.SetLogLevel(&glue, intLogLevelCritical), INT_STATUS_SUCCESS);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(glue.SetLogLevel(&guest, intLogLevelDebug), INT_STATUS_NOT_INITIALIZED);
}

static void TestVersionString(void **State)
{
    GLUE_IFACE glue;
    char full[128];
    char version[16];
    static const char expectedFull[] =
        "introguard 0.1.0 (exceptions format 2.2, GLUE_IFACE 0x00010111, UPPER_IFACE 0x00010074)";

    (void)State;
    assert_int_equal(ApiTestLibraryStart(&glue), INT_STATUS_SUCCESS);
    assert_int_equal(glue.GetVersionString(sizeof(full), sizeof(version), full, version), INT_STATUS_SUCCESS);
    assert_string_equal(full, expectedFull);
    assert_string_equal(version, "0.1.0");

    assert_int_equal(glue.GetVersionString(sizeof(full), sizeof(version), NULL, version),
                     INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(glue.GetVersionString(sizeof(full), sizeof(version), full, NULL), INT_STATUS_INVALID_PARAMETER_4);
    /* The terminator must fit. */
    assert_int_equal(glue.GetVersionString(sizeof(expectedFull) - 1, sizeof(version), full, version),
                     INT_STATUS_DATA_BUFFER_TOO_SMALL);
    assert_int_equal(glue.GetVersionString(sizeof(expectedFull), 5, full, version), INT_STATUS_DATA_BUFFER_TOO_SMALL);
    assert_int_equal(glue.GetVersionString(sizeof(expectedFull), 6, full, version), INT_STATUS_SUCCESS);

    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(glue.GetVersionString(sizeof(full), sizeof(version), full, version), INT_STATUS_NOT_INITIALIZED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(TestTableLayout, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitFillsLibrarySide, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitOptionalMembersMayBeNull, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitRejectsWrongHeader, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitRejectsNullTables, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitRejectsEachMissingGlueMember, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitGlueCheckedBeforeUpper, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitRejectsEachMissingUpperMember, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestInitLockFailureLeavesNoTrace, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestDoubleInitChangesNothing, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestTablesAreCopied, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestUninitResetsAndAllowsInit, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestStatusToString, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestLogLevelFilters, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestVersionString, Setup, Teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
