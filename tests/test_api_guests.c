/*
 * Guests and the exception calls: lifecycle statuses of the five calls, power states, the other
 * GLUE members, UpdateExceptions / GetExceptionsVersion with good and corrupt files built from the
 * spec's byte layout (tests/support/api_harness.c), IntGetExceptionsLoadError, allocation failure
 * at every allocation, independent guests, the registry's capacity and a multi-threaded
 * reload/read run.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "api/api_int.h"
#include "api_harness.h"
#include "common/crc32.h"
#include "introguard/introguard.h"

#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define FILE_CAPACITY 4096u

static GLUE_IFACE gGlue;

static int Setup(void **State)
{
    (void)State;
    ApiTestStart(&gGlue);
    return 0;
}

static int Teardown(void **State)
{
    (void)State;
    ApiTestStopClean();
    assert_int_equal(ApiTestLiveLockCount(), 0);
    return 0;
}

/* The internal hibernate setter, as the protection engine will use it. */
static void EnterHibernate(void *Handle)
{
    IG_INSTANCE *instance = IgInstanceGet();
    IG_GUEST *guest;

    assert_non_null(instance);
    guest = IgGuestAcquire(instance, Handle);
    assert_non_null(guest);
    IgGuestLock(instance, guest);
    IgGuestSetEnterHibernate(guest);
    IgGuestUnlock(instance, guest);
    IgGuestRelease(instance, guest);
}

static INTSTATUS Load(void *Handle, uint8_t *File, size_t Size)
{
    return gGlue.UpdateExceptions(Handle, File, (DWORD)Size, 0);
}

static void AssertVersion(void *Handle, WORD Major, WORD Minor, DWORD Build)
{
    WORD major = 0xFFFF, minor = 0xFFFF;
    DWORD build = 0xFFFFFFFF;

    assert_int_equal(gGlue.GetExceptionsVersion(Handle, &major, &minor, &build), INT_STATUS_SUCCESS);
    assert_int_equal(major, Major);
    assert_int_equal(minor, Minor);
    assert_int_equal(build, Build);
}

static void AssertNoVersion(void *Handle)
{
    WORD major = 1, minor = 1;
    DWORD build = 1;

    assert_int_equal(gGlue.GetExceptionsVersion(Handle, &major, &minor, &build), INT_STATUS_NOT_INITIALIZED);
    /* Out-parameters are zeroed even on failure. */
    assert_int_equal(major, 0);
    assert_int_equal(minor, 0);
    assert_int_equal(build, 0);
}

/* ---- The five calls through the guest's life ------------------------------------------------ */

/* Runs each of the five calls and checks each status. */
static void ExpectFive(void *Handle, INTSTATUS Update, INTSTATUS Version, INTSTATUS Add, INTSTATUS Remove,
                       INTSTATUS Flush)
{
    uint8_t file[FILE_CAPACITY];
    size_t size = ApiTestBuildSimpleFile(file, sizeof(file), 9);
    WORD major, minor;
    DWORD build;
    uint8_t blob[ALERT_EXCEPTION_SIZE] = {0};

    assert_int_equal(gGlue.UpdateExceptions(Handle, file, (DWORD)size, 0), Update);
    assert_int_equal(gGlue.GetExceptionsVersion(Handle, &major, &minor, &build), Version);
    assert_int_equal(gGlue.AddExceptionFromAlert(Handle, blob, introEventEptViolation, TRUE, 1), Add);
    assert_int_equal(gGlue.RemoveException(Handle, 1), Remove);
    assert_int_equal(gGlue.FlushAlertExceptions(Handle), Flush);
}

static void TestFiveCallsLifecycle(void **State)
{
    int guest;
    const INTSTATUS ni = INT_STATUS_NOT_INITIALIZED;

    (void)State;
    /* NULL handle: INVALID_PARAMETER_1 from all five. */
    ExpectFive(NULL, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1,
               INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1);
    /* Before NewGuestNotification. */
    ExpectFive(&guest, ni, ni, ni, ni, ni);

    /* Initialized: the workers run (exceptions usable before the OS is known). */
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    /* The blob is all zeros: not Valid, which hvmi answers with INVALID_DATA_STATE. */
    ExpectFive(&guest, INT_STATUS_SUCCESS, INT_STATUS_SUCCESS, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_NOT_FOUND,
               INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 9);

    /* Hibernate: every call is blocked, the set stays loaded. */
    EnterHibernate(&guest);
    ExpectFive(&guest, INT_STATUS_POWER_STATE_BLOCK, INT_STATUS_POWER_STATE_BLOCK, INT_STATUS_POWER_STATE_BLOCK,
               INT_STATUS_POWER_STATE_BLOCK, INT_STATUS_POWER_STATE_BLOCK);
    /* NULL handle still wins over the power state. */
    ExpectFive(NULL, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1,
               INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1);

    /* Disabled: NOT_INITIALIZED again; a second disable is not needed. */
    assert_int_equal(gGlue.DisableIntro(&guest, 0), INT_STATUS_SUCCESS);
    ExpectFive(&guest, ni, ni, ni, ni, ni);
    assert_int_equal(gGlue.DisableIntro(&guest, 0), INT_STATUS_NOT_NEEDED_HINT);
    assert_int_equal(gGlue.DisableIntro(NULL, 0), INT_STATUS_INVALID_PARAMETER_1);

    /* A new guest on the same handle starts clean: no hibernate, no exceptions. */
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    AssertNoVersion(&guest);
    /* The blob is all zeros: not Valid, which hvmi answers with INVALID_DATA_STATE. */
    ExpectFive(&guest, INT_STATUS_SUCCESS, INT_STATUS_SUCCESS, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_NOT_FOUND,
               INT_STATUS_SUCCESS);

    /* After IntUninit, everything is NOT_INITIALIZED. */
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    ExpectFive(&guest, ni, ni, ni, ni, ni);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.DisableIntro(&guest, 0), INT_STATUS_NOT_INITIALIZED);
}

static void TestNewGuestStatuses(void **State)
{
    int guest;
    QWORD options = 0;

    (void)State;
    assert_int_equal(gGlue.NewGuestNotification(NULL, 0, NULL, 0), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0x1234, NULL, 0), INT_STATUS_SUCCESS);
    /* Already introspected: the hint, and the first options stay. */
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0x9999, NULL, 0), INT_STATUS_ALREADY_INITIALIZED_HINT);
    assert_int_equal(gGlue.GetCurrentIntroOptions(&guest, &options), INT_STATUS_SUCCESS);
    assert_int_equal(options, 0x1234);
    assert_int_equal(gGlue.GetCurrentIntroOptions(&guest, NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(gGlue.GetCurrentIntroOptions(NULL, &options), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(options, 0);

    /* The guest record's allocation fails: INSUFFICIENT_RESOURCES, and nothing registered. */
    {
        int other;

        ApiTestFailAllocation(1);
        assert_int_equal(gGlue.NewGuestNotification(&other, 0, NULL, 0), INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_true(ApiTestAllocationFaultFired());
        assert_int_equal(gGlue.FlushAlertExceptions(&other), INT_STATUS_NOT_INITIALIZED);
        /* Its lock cannot be created: the same. */
        ApiTestFailNextSpinLockInit(INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_int_equal(gGlue.NewGuestNotification(&other, 0, NULL, 0), INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_int_equal(gGlue.FlushAlertExceptions(&other), INT_STATUS_NOT_INITIALIZED);
        assert_int_equal(gGlue.NewGuestNotification(&other, 0, NULL, 0), INT_STATUS_SUCCESS);
    }
}

static void TestPowerStates(void **State)
{
    int guest;
    uint8_t file[FILE_CAPACITY];
    size_t size = ApiTestBuildSimpleFile(file, sizeof(file), 5);

    (void)State;
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(NULL, intGuestPowerStateSleep), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateSleep), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, (IG_GUEST_POWER_STATE)0), INT_STATUS_NOT_SUPPORTED);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, (IG_GUEST_POWER_STATE)5), INT_STATUS_NOT_SUPPORTED);

    /* Between Sleep and Resume nothing is held: calls on this very thread complete (hvmi would
     * deadlock here, oddity 19), twice-sleep is harmless. */
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateSleep), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateSleep), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, file, size), INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 5);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateResume), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateResume), INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 5);

    /* Shut down / terminating only record the state. */
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateShutDown), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateTerminating), INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 5);

    /* Power notifications are not blocked by hibernate (they are how it ends). */
    EnterHibernate(&guest);
    assert_int_equal(gGlue.NotifyGuestPowerStateChange(&guest, intGuestPowerStateResume), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.FlushAlertExceptions(&guest), INT_STATUS_POWER_STATE_BLOCK);
}

/* The members with no engine yet: guest checks first, then NOT_SUPPORTED. */
static void CallEveryUnsupported(void *Handle, INTSTATUS Expected)
{
    BYTE length;
    CHAR mnemonic[32];
    DWORD a, b, c;
    WCHAR path16[] = {'a', 0};

    assert_int_equal(gGlue.DebugProcessCommand(Handle, 0, 0, NULL), Expected);
    assert_int_equal(gGlue.InjectProcessAgent(Handle, 0, NULL, 0, "a", NULL), Expected);
    assert_int_equal(gGlue.InjectFileAgent(Handle, NULL, 0, "a"), Expected);
    assert_int_equal(gGlue.SetIntroAbortStatus(Handle, TRUE), Expected);
    assert_int_equal(gGlue.AddRemoveProtectedProcessUtf16(Handle, path16, 0, TRUE, 0), Expected);
    assert_int_equal(gGlue.AddRemoveProtectedProcessUtf8(Handle, "a", 0, TRUE, 0), Expected);
    assert_int_equal(gGlue.RemoveAllProtectedProcesses(Handle), Expected);
    assert_int_equal(gGlue.GetCurrentInstructionLength(Handle, 0, &length), Expected);
    assert_int_equal(gGlue.GetCurrentInstructionMnemonic(Handle, 0, mnemonic), Expected);
    assert_int_equal(gGlue.IterateVirtualAddressSpace(Handle, 0, NULL), Expected);
    assert_int_equal(gGlue.ModifyDynamicOptions(Handle, 0), Expected);
    assert_int_equal(gGlue.FlushGpaCache(Handle), Expected);
    assert_int_equal(gGlue.UpdateSupport(Handle, NULL, 0), Expected);
    assert_int_equal(gGlue.GetSupportVersion(Handle, &a, &b, &c), Expected);
}

static void TestUnsupportedMembers(void **State)
{
    int guest;

    (void)State;
    CallEveryUnsupported(NULL, INT_STATUS_INVALID_PARAMETER_1);
    CallEveryUnsupported(&guest, INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    CallEveryUnsupported(&guest, INT_STATUS_NOT_SUPPORTED);
    EnterHibernate(&guest);
    CallEveryUnsupported(&guest, INT_STATUS_POWER_STATE_BLOCK);
}

/* The integrator declares what the guest is, and GetGuestInfo answers with it. */
static void TestGuestInfo(void **State)
{
    int guest;
    GUEST_INFO info;
    GUEST_INFO linux64 = {introGuestLinux, 0, TRUE, 0x050A0000u, 0, {0}};
    GUEST_INFO bogus = {(INTRO_GUEST_TYPE)7, 0, TRUE, 0, 0, {0}};

    (void)State;
    assert_int_equal(IntSetGuestInfo(NULL, &linux64), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntSetGuestInfo(&guest, &linux64), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.GetGuestInfo(&guest, &info), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);

    /* Nothing declared yet: hvmi's "not identified". */
    assert_int_equal(gGlue.GetGuestInfo(&guest, &info), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.GetGuestInfo(&guest, NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntSetGuestInfo(&guest, NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntSetGuestInfo(&guest, &bogus), INT_STATUS_INVALID_PARAMETER_2);

    assert_int_equal(IntSetGuestInfo(&guest, &linux64), INT_STATUS_SUCCESS);
    memset(&info, 0xCC, sizeof(info));
    assert_int_equal(gGlue.GetGuestInfo(&guest, &info), INT_STATUS_SUCCESS);
    assert_int_equal(info.Type, introGuestLinux);
    assert_true(info.Guest64);
    assert_int_equal(info.OsVersion, 0x050A0000u);

    EnterHibernate(&guest);
    assert_int_equal(IntSetGuestInfo(&guest, &linux64), INT_STATUS_POWER_STATE_BLOCK);
    assert_int_equal(gGlue.GetGuestInfo(&guest, &info), INT_STATUS_SUCCESS); /* a read, as the load error */
}

static void TestAlertCallsParameters(void **State)
{
    int guest;
    uint8_t blob[ALERT_EXCEPTION_SIZE] = {0};
    static const INTRO_EVENT_TYPE notExceptable[] = {
        introEventXcrViolation, introEventTranslationViolation,      introEventMessage,
        introEventProcessEvent, introEventEnginesDetectionViolation, (INTRO_EVENT_TYPE)0,
    };

    (void)State;
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.SetLogLevel(&guest, intLogLevelDebug), INT_STATUS_SUCCESS);

    assert_int_equal(gGlue.AddExceptionFromAlert(&guest, NULL, introEventEptViolation, TRUE, 0),
                     INT_STATUS_INVALID_PARAMETER_1);
    for (size_t i = 0; i < ARRAY_COUNT(notExceptable); i++)
    {
        char line[128];

        ApiTestLogClear();
        assert_int_equal(gGlue.AddExceptionFromAlert(&guest, blob, notExceptable[i], FALSE, 0),
                         INT_STATUS_NOT_SUPPORTED);
        snprintf(line, sizeof(line), "AddExceptionFromAlert: alerts of type %d cannot be excepted\n",
                 (int)notExceptable[i]);
        assert_true(ApiTestLogContains(line));
    }
    for (size_t i = 0; i < API_TEST_EXCEPTABLE_TYPES; i++)
    {
        ApiTestLogClear();
        /* Exceptable: the (zeroed) blob is read, and refused as not Valid (spec §2.5). */
        assert_int_equal(gGlue.AddExceptionFromAlert(&guest, blob, gApiTestExceptableTypes[i], TRUE, i),
                         INT_STATUS_INVALID_DATA_STATE);
        assert_true(ApiTestLogContains(
            "AddExceptionFromAlert: the blob is not valid (Valid 0): the alert carried no exception\n"));
    }
    /* No alert exception exists, whatever the context (0 included). */
    assert_int_equal(gGlue.RemoveException(&guest, 0), INT_STATUS_NOT_FOUND);
    assert_int_equal(gGlue.RemoveException(&guest, ~0ull), INT_STATUS_NOT_FOUND);
    assert_int_equal(gGlue.FlushAlertExceptions(&guest), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.FlushAlertExceptions(&guest), INT_STATUS_SUCCESS);
}

/* ---- UpdateExceptions / GetExceptionsVersion ------------------------------------------------ */

static void TestLoadAndReload(void **State)
{
    int guest;
    uint8_t file[FILE_CAPACITY];
    size_t size;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    WORD major, minor;
    DWORD build;

    (void)State;
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    AssertNoVersion(&guest);
    assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_NOT_FOUND);

    size = ApiTestBuildSimpleFile(file, sizeof(file), 100);
    assert_int_equal(size, API_TEST_FILE_HEADER_SIZE + API_TEST_KM_RECORD_SIZE);
    assert_int_equal(Load(&guest, file, size), INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 100);

    /* The caller's buffer is not kept: scribbling over it changes nothing. */
    memset(file, 0xCC, sizeof(file));
    AssertVersion(&guest, 2, 2, 100);

    /* A good reload replaces the version; a newer minor is reported as-is. */
    {
        static const API_TEST_KM_RECORD records[3] = {
            {0x10, 0, 0x20000000u, 1}, {0x20, 0, 0x20000000u, 1}, {0x30, 0, 0x20000000u, 1}};

        size = ApiTestBuildKmFile(file, sizeof(file), 2, 7, 200, records, 3);
        ApiTestLogClear();
        assert_int_equal(Load(&guest, file, size), INT_STATUS_SUCCESS);
        AssertVersion(&guest, 2, 7, 200);
        /* hvmi only warns about a newer minor version; so do we. */
        assert_true(ApiTestLogContains("UpdateExceptions: format 2.7 is newer than 2.2: not all features available\n"));
    }

    /* Flags are ignored. */
    size = ApiTestBuildSimpleFile(file, sizeof(file), 300);
    assert_int_equal(gGlue.UpdateExceptions(&guest, file, (DWORD)size, 0xFFFFFFFF), INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 300);

    /* GetExceptionsVersion parameter numbering: after the guest checks, 1/2/3. */
    assert_int_equal(gGlue.GetExceptionsVersion(&guest, NULL, &minor, &build), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(gGlue.GetExceptionsVersion(&guest, &major, NULL, &build), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(gGlue.GetExceptionsVersion(&guest, &major, &minor, NULL), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(gGlue.GetExceptionsVersion(NULL, NULL, NULL, NULL), INT_STATUS_INVALID_PARAMETER_1);
    {
        int unknown;

        assert_int_equal(gGlue.GetExceptionsVersion(&unknown, NULL, NULL, NULL), INT_STATUS_NOT_INITIALIZED);
    }
}

typedef struct CORRUPT_CASE
{
    const char *Name;
    void (*Corrupt)(uint8_t *File, size_t *Size);
    INTSTATUS Status;
    INTSTATUS Detail;
    uint64_t Offset;
    uint32_t RecordIndex;
    uint8_t RecordType;
} CORRUPT_CASE;

/* Every case starts from header + one KM record (59 bytes) unless it rebuilds the file. */
static void HeaderOnly(uint8_t *File, size_t *Size)
{
    (void)File;
    *Size = API_TEST_FILE_HEADER_SIZE;
}

static void BadMagic(uint8_t *File, size_t *Size)
{
    (void)Size;
    File[0] = 'X';
}

static void MajorThree(uint8_t *File, size_t *Size)
{
    (void)Size;
    File[4] = 3;
}

static void MinorOne(uint8_t *File, size_t *Size)
{
    (void)Size;
    File[6] = 1;
}

static void NoExceptionCounts(uint8_t *File, size_t *Size)
{
    (void)Size;
    File[8] = 0; /* KernelCount 1 -> 0; the others are already 0 */
}

static void TruncatedRecordHeader(uint8_t *File, size_t *Size)
{
    File[(*Size)++] = 1;
    File[(*Size)++] = 0;
}

static void BodyPastEnd(uint8_t *File, size_t *Size)
{
    (void)Size;
    File[API_TEST_FILE_HEADER_SIZE + 1] = 21; /* body size 21, only 20 bytes follow */
}

static void SecondRecordSizeMismatch(uint8_t *File, size_t *Size)
{
    static const API_TEST_KM_RECORD records[2] = {{0x10, 0, 0x20000000u, 1}, {0x20, 0, 0x20000000u, 1}};
    uint8_t *second;

    *Size = ApiTestBuildKmFile(File, FILE_CAPACITY, 2, 2, 77, records, 2);
    /* The second record claims a 24-byte body (and has 4 more bytes) but no signature. */
    second = File + API_TEST_FILE_HEADER_SIZE + API_TEST_KM_RECORD_SIZE;
    second[1] = 24;
    memset(File + *Size, 0, 4);
    *Size += 4;
}

static void ShortRecordBody(uint8_t *File, size_t *Size)
{
    File[API_TEST_FILE_HEADER_SIZE + 1] = 19; /* 19-byte body: shorter than the 20-byte fixed part */
    *Size -= 1;
}

/* Two KM records, header counting both; the second is cut off at its boundary (issue 12). */
static void CutAtRecordBoundary(uint8_t *File, size_t *Size)
{
    static const API_TEST_KM_RECORD records[2] = {{0x10, 0, 0x20000000u, 1}, {0x20, 0, 0x20000000u, 1}};

    *Size = ApiTestBuildKmFile(File, FILE_CAPACITY, 2, 2, 77, records, 2) - API_TEST_KM_RECORD_SIZE;
}

/* Two KM records, header counting one. */
static void OneRecordMoreThanCounted(uint8_t *File, size_t *Size)
{
    static const API_TEST_KM_RECORD records[2] = {{0x10, 0, 0x20000000u, 1}, {0x20, 0, 0x20000000u, 1}};

    *Size = ApiTestBuildKmFile(File, FILE_CAPACITY, 2, 2, 77, records, 2);
    File[8] = 1;
}

static const CORRUPT_CASE gCorruptCases[] = {
    {"header only", HeaderOnly, INT_STATUS_INVALID_PARAMETER_2, INT_STATUS_EXC_FILE_TOO_SHORT, 0,
     INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0},
    {"bad magic", BadMagic, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_BAD_MAGIC, 0,
     INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0},
    {"major 3", MajorThree, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_BAD_VERSION, 4, INTRO_EXCEPTIONS_LOAD_NO_RECORD,
     0},
    {"minor 1", MinorOne, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_BAD_VERSION, 6, INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0},
    {"no exception counts", NoExceptionCounts, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_NO_EXCEPTIONS, 8,
     INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0},
    {"truncated record header", TruncatedRecordHeader, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_TRUNCATED_HEADER,
     59, 1, 0},
    {"body past end", BodyPastEnd, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_PAST_END, 37, 0, 1},
    {"short body", ShortRecordBody, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_TOO_SHORT, 37, 0, 1},
    {"second record size", SecondRecordSizeMismatch, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH,
     60, 1, 1},
    {"cut at a record boundary", CutAtRecordBoundary, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_COUNT_MISMATCH, 59,
     1, 0},
    {"a record more than counted", OneRecordMoreThanCounted, INT_STATUS_INVALID_DATA_SIZE,
     INT_STATUS_EXC_COUNT_MISMATCH, 59, 1, 1},
};

static void TestCorruptReloadKeepsOldSet(void **State)
{
    int guest;
    uint8_t good[FILE_CAPACITY];
    size_t goodSize = ApiTestBuildSimpleFile(good, sizeof(good), 41);

    (void)State;
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);

    /* Corrupt first load: still nothing loaded, and the error is reported. */
    for (size_t pass = 0; pass < 2; pass++)
    {
        for (size_t i = 0; i < ARRAY_COUNT(gCorruptCases); i++)
        {
            const CORRUPT_CASE *c = &gCorruptCases[i];
            uint8_t file[FILE_CAPACITY];
            size_t size = ApiTestBuildSimpleFile(file, sizeof(file), 99);
            INTRO_EXCEPTIONS_LOAD_ERROR error;

            print_message("case: %s (%s)\n", c->Name, pass ? "reload" : "first load");
            c->Corrupt(file, &size);
            assert_int_equal(Load(&guest, file, size), c->Status);
            if (pass == 0)
            {
                AssertNoVersion(&guest);
            }
            else
            {
                AssertVersion(&guest, 2, 2, 41); /* our fix of hvmi's oddity 3 */
            }

            assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_SUCCESS);
            assert_int_equal(error.Status, c->Status);
            assert_int_equal(error.Detail, c->Detail);
            assert_int_equal(error.Offset, c->Offset);
            assert_int_equal(error.RecordIndex, c->RecordIndex);
            assert_int_equal(error.RecordType, c->RecordType);
            assert_true(strlen(error.Message) > 0);
            assert_true(strlen(error.Message) < sizeof(error.Message));
        }
        assert_int_equal(Load(&guest, good, goodSize), INT_STATUS_SUCCESS);
    }

    /* A success clears the error. */
    {
        INTRO_EXCEPTIONS_LOAD_ERROR error;

        memset(&error, 0x77, sizeof(error));
        assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_NOT_FOUND);
        assert_int_equal(error.Status, 0);
        assert_int_equal(error.Message[0], '\0');
    }
}

static void TestLoadErrorDetails(void **State)
{
    int guest;
    uint8_t file[FILE_CAPACITY];
    size_t size = ApiTestBuildSimpleFile(file, sizeof(file), 1);
    INTRO_EXCEPTIONS_LOAD_ERROR error;

    (void)State;
    assert_int_equal(IntGetExceptionsLoadError(NULL, &error), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntGetExceptionsLoadError(&guest, NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);

    /* NULL buffer: INVALID_PARAMETER_1 after the guest checks, recorded like any rejection. */
    assert_int_equal(gGlue.UpdateExceptions(&guest, NULL, 100, 0), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_SUCCESS);
    assert_int_equal(error.Status, INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(error.RecordIndex, INTRO_EXCEPTIONS_LOAD_NO_RECORD);
    assert_string_equal(error.Message, "the exceptions buffer is NULL");

    /* The loader's message comes through whole, and the log names the precise status. */
    ApiTestLogClear();
    assert_int_equal(Load(&guest, file, API_TEST_FILE_HEADER_SIZE), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_SUCCESS);
    assert_string_equal(error.Message, "file is 36 bytes; it must be longer than the 36-byte header");
    assert_true(ApiTestLogContains("UpdateExceptions: rejected (INT_STATUS_EXC_FILE_TOO_SHORT) at offset 0: file is 36 "
                                   "bytes; it must be longer than the 36-byte header\n"));

    /* Readable during hibernate (a diagnostic), unlike the five calls. */
    EnterHibernate(&guest);
    assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.UpdateExceptions(&guest, file, (DWORD)size, 0), INT_STATUS_POWER_STATE_BLOCK);

    /* Gone with the guest. */
    assert_int_equal(gGlue.DisableIntro(&guest, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_NOT_INITIALIZED);
}

static void TestAllocationFailureAtEachStep(void **State)
{
    int guest;
    uint8_t file[FILE_CAPACITY];
    size_t size;
    unsigned long failures = 0;
    static const API_TEST_KM_RECORD records[4] = {
        {0x40, 0, 0x20000000u, 1}, {0x10, 0, 0x10000000u, 2}, {0x30, 4, 0x20000000u, 3}, {0, 0, 0x20000000u, 1}};

    (void)State;
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    size = ApiTestBuildSimpleFile(file, sizeof(file), 1);
    assert_int_equal(Load(&guest, file, size), INT_STATUS_SUCCESS);

    size = ApiTestBuildKmFile(file, sizeof(file), 2, 2, 2, records, 4);
    for (unsigned long nth = 1;; nth++)
    {
        INTSTATUS status;
        INTRO_EXCEPTIONS_LOAD_ERROR error;

        ApiTestFailAllocation(nth);
        status = Load(&guest, file, size);
        if (!ApiTestAllocationFaultFired())
        {
            /* Fewer than nth allocations: the load ran to completion. */
            assert_int_equal(status, INT_STATUS_SUCCESS);
            ApiTestFailAllocation(0);
            break;
        }
        failures++;
        assert_int_equal(status, INT_STATUS_INSUFFICIENT_RESOURCES);
        AssertVersion(&guest, 2, 2, 1);
        assert_int_equal(IntGetExceptionsLoadError(&guest, &error), INT_STATUS_SUCCESS);
        assert_int_equal(error.Status, INT_STATUS_INSUFFICIENT_RESOURCES);
    }
    assert_true(failures >= 1);
    print_message("UpdateExceptions made %lu allocation(s)\n", failures);
    AssertVersion(&guest, 2, 2, 2);
}

static void TestGuestsAreIndependent(void **State)
{
    int guests[4];
    uint8_t file[FILE_CAPACITY];
    size_t size;

    (void)State;
    for (unsigned i = 0; i < 4; i++)
    {
        assert_int_equal(gGlue.NewGuestNotification(&guests[i], i, NULL, 0), INT_STATUS_SUCCESS);
    }
    for (unsigned i = 0; i < 3; i++)
    {
        size = ApiTestBuildSimpleFile(file, sizeof(file), 1000 + i);
        assert_int_equal(Load(&guests[i], file, size), INT_STATUS_SUCCESS);
    }
    AssertVersion(&guests[0], 2, 2, 1000);
    AssertVersion(&guests[1], 2, 2, 1001);
    AssertVersion(&guests[2], 2, 2, 1002);
    AssertNoVersion(&guests[3]);

    /* A bad load on one guest touches only that guest's error and set. */
    assert_int_equal(Load(&guests[1], file, API_TEST_FILE_HEADER_SIZE), INT_STATUS_INVALID_PARAMETER_2);
    {
        INTRO_EXCEPTIONS_LOAD_ERROR error;

        assert_int_equal(IntGetExceptionsLoadError(&guests[0], &error), INT_STATUS_NOT_FOUND);
        assert_int_equal(IntGetExceptionsLoadError(&guests[1], &error), INT_STATUS_SUCCESS);
    }

    /* Hibernate and disable are per guest too. */
    EnterHibernate(&guests[0]);
    AssertVersion(&guests[1], 2, 2, 1001);
    assert_int_equal(gGlue.DisableIntro(&guests[2], 0), INT_STATUS_SUCCESS);
    AssertNoVersion(&guests[2]);
    AssertVersion(&guests[1], 2, 2, 1001);
    {
        QWORD options;

        assert_int_equal(gGlue.GetCurrentIntroOptions(&guests[3], &options), INT_STATUS_SUCCESS);
        assert_int_equal(options, 3);
    }
}

static void TestRegistryCapacityAndChurn(void **State)
{
    static char handles[IG_MAX_GUESTS + 1];
    uint8_t file[FILE_CAPACITY];
    size_t size = ApiTestBuildSimpleFile(file, sizeof(file), 0);

    (void)State;
    for (unsigned i = 0; i < IG_MAX_GUESTS; i++)
    {
        assert_int_equal(gGlue.NewGuestNotification(&handles[i], 0, NULL, 0), INT_STATUS_SUCCESS);
    }
    assert_int_equal(gGlue.NewGuestNotification(&handles[IG_MAX_GUESTS], 0, NULL, 0),
                     INT_STATUS_INSUFFICIENT_RESOURCES);

    /* Remove every other guest: the rest are still found (tombstones do not cut probe chains). */
    for (unsigned i = 0; i < IG_MAX_GUESTS; i += 2)
    {
        assert_int_equal(gGlue.DisableIntro(&handles[i], 0), INT_STATUS_SUCCESS);
    }
    for (unsigned i = 0; i < IG_MAX_GUESTS; i++)
    {
        assert_int_equal(gGlue.FlushAlertExceptions(&handles[i]),
                         (i % 2) ? INT_STATUS_SUCCESS : INT_STATUS_NOT_INITIALIZED);
    }

    /* Records are recycled: the freed places serve new guests, the limit still holds. */
    for (unsigned i = 0; i < IG_MAX_GUESTS; i += 2)
    {
        assert_int_equal(gGlue.NewGuestNotification(&handles[i], 0, NULL, 0), INT_STATUS_SUCCESS);
    }
    assert_int_equal(gGlue.NewGuestNotification(&handles[IG_MAX_GUESTS], 0, NULL, 0),
                     INT_STATUS_INSUFFICIENT_RESOURCES);

    /* Many rounds of churn on one handle while the others stay. */
    for (unsigned round = 0; round < 3 * IG_REGISTRY_SLOTS; round++)
    {
        assert_int_equal(gGlue.DisableIntro(&handles[round % IG_MAX_GUESTS], 0), INT_STATUS_SUCCESS);
        assert_int_equal(gGlue.NewGuestNotification(&handles[round % IG_MAX_GUESTS], 0, NULL, 0), INT_STATUS_SUCCESS);
    }
    for (unsigned i = 0; i < IG_MAX_GUESTS; i++)
    {
        assert_int_equal(Load(&handles[i], file, size), INT_STATUS_SUCCESS);
    }
}

/* ---- Threads -------------------------------------------------------------------------------- */

#define MT_GUESTS 4u
#define MT_ITERATIONS 2000u

typedef struct MT_SHARED
{
    int Guests[MT_GUESTS];
    uint8_t Files[MT_GUESTS][2][128];
    size_t Sizes[MT_GUESTS][2];
    atomic_ulong BadVersions;
    atomic_ulong BadStatuses;
    atomic_ulong Reads;
    atomic_ulong Reloads;
    atomic_int Stop;
} MT_SHARED;

typedef struct MT_THREAD
{
    MT_SHARED *Shared;
    unsigned Index;
} MT_THREAD;

static uint32_t MtBuild(unsigned Guest, unsigned Which)
{
    return 1000u * (Guest + 1) + Which;
}

static void *MtReloader(void *Arg)
{
    MT_THREAD *t = Arg;
    MT_SHARED *s = t->Shared;
    unsigned g = t->Index;

    for (unsigned i = 0; i < MT_ITERATIONS; i++)
    {
        unsigned which = i & 1;
        INTSTATUS status = gGlue.UpdateExceptions(&s->Guests[g], s->Files[g][which], (DWORD)s->Sizes[g][which], 0);

        if (status != INT_STATUS_SUCCESS)
        {
            atomic_fetch_add(&s->BadStatuses, 1);
        }
        /* Now and then a corrupt file, which must change nothing. */
        if ((i % 7) == 0 && gGlue.UpdateExceptions(&s->Guests[g], s->Files[g][which], API_TEST_FILE_HEADER_SIZE, 0) !=
                                INT_STATUS_INVALID_PARAMETER_2)
        {
            atomic_fetch_add(&s->BadStatuses, 1);
        }
        atomic_fetch_add(&s->Reloads, 1);
    }
    return NULL;
}

static void *MtReader(void *Arg)
{
    MT_THREAD *t = Arg;
    MT_SHARED *s = t->Shared;
    unsigned seed = t->Index * 2654435761u + 1;

    while (!atomic_load(&s->Stop))
    {
        unsigned g;
        WORD major, minor;
        DWORD build;

        seed = seed * 1103515245u + 12345u;
        g = (seed >> 16) % MT_GUESTS;
        if (gGlue.GetExceptionsVersion(&s->Guests[g], &major, &minor, &build) != INT_STATUS_SUCCESS)
        {
            atomic_fetch_add(&s->BadStatuses, 1);
            continue;
        }
        if (major != 2 || minor != 2 || (build != MtBuild(g, 0) && build != MtBuild(g, 1)))
        {
            atomic_fetch_add(&s->BadVersions, 1);
        }
        atomic_fetch_add(&s->Reads, 1);
    }
    return NULL;
}

/* Creates and disables its own guests while the others work: registry inserts and removes
 * racing with lock-free lookups. */
static void *MtChurner(void *Arg)
{
    MT_THREAD *t = Arg;
    MT_SHARED *s = t->Shared;
    int own[8];

    while (!atomic_load(&s->Stop))
    {
        for (unsigned i = 0; i < 8; i++)
        {
            if (gGlue.NewGuestNotification(&own[i], 0, NULL, 0) != INT_STATUS_SUCCESS ||
                gGlue.UpdateExceptions(&own[i], s->Files[0][0], (DWORD)s->Sizes[0][0], 0) != INT_STATUS_SUCCESS)
            {
                atomic_fetch_add(&s->BadStatuses, 1);
            }
        }
        for (unsigned i = 0; i < 8; i++)
        {
            if (gGlue.DisableIntro(&own[i], 0) != INT_STATUS_SUCCESS)
            {
                atomic_fetch_add(&s->BadStatuses, 1);
            }
        }
    }
    return NULL;
}

static void TestConcurrentReloadsAndReads(void **State)
{
    static MT_SHARED shared;
    pthread_t reloaders[MT_GUESTS];
    pthread_t readers[3];
    pthread_t churner;
    MT_THREAD reloaderArgs[MT_GUESTS];
    MT_THREAD readerArgs[3];
    MT_THREAD churnerArg = {&shared, 99};

    (void)State;
    memset(&shared, 0, sizeof(shared));
    for (unsigned g = 0; g < MT_GUESTS; g++)
    {
        assert_int_equal(gGlue.NewGuestNotification(&shared.Guests[g], 0, NULL, 0), INT_STATUS_SUCCESS);
        for (unsigned w = 0; w < 2; w++)
        {
            shared.Sizes[g][w] = ApiTestBuildSimpleFile(shared.Files[g][w], sizeof(shared.Files[g][w]), MtBuild(g, w));
            assert_true(shared.Sizes[g][w] > 0);
        }
        assert_int_equal(Load(&shared.Guests[g], shared.Files[g][0], shared.Sizes[g][0]), INT_STATUS_SUCCESS);
    }

    for (unsigned i = 0; i < 3; i++)
    {
        readerArgs[i] = (MT_THREAD){&shared, i};
        assert_int_equal(pthread_create(&readers[i], NULL, MtReader, &readerArgs[i]), 0);
    }
    assert_int_equal(pthread_create(&churner, NULL, MtChurner, &churnerArg), 0);
    for (unsigned g = 0; g < MT_GUESTS; g++)
    {
        reloaderArgs[g] = (MT_THREAD){&shared, g};
        assert_int_equal(pthread_create(&reloaders[g], NULL, MtReloader, &reloaderArgs[g]), 0);
    }
    for (unsigned g = 0; g < MT_GUESTS; g++)
    {
        pthread_join(reloaders[g], NULL);
    }
    atomic_store(&shared.Stop, 1);
    for (unsigned i = 0; i < 3; i++)
    {
        pthread_join(readers[i], NULL);
    }
    pthread_join(churner, NULL);

    print_message("reloads %lu, version reads %lu\n", (unsigned long)atomic_load(&shared.Reloads),
                  (unsigned long)atomic_load(&shared.Reads));
    assert_int_equal(atomic_load(&shared.BadStatuses), 0);
    assert_int_equal(atomic_load(&shared.BadVersions), 0);
    assert_int_equal(atomic_load(&shared.Reloads), MT_GUESTS * MT_ITERATIONS);
    assert_true(atomic_load(&shared.Reads) > 0);
    for (unsigned g = 0; g < MT_GUESTS; g++)
    {
        /* Each reloader ended on an odd iteration: file 1. */
        AssertVersion(&shared.Guests[g], 2, 2, MtBuild(g, 1));
    }
}

/* One handle disabled and re-created over and over while other threads call it: every call sees
 * either a live guest or none, and nothing is freed under a running call. */
typedef struct CHURN_SHARED
{
    int Handle;
    uint8_t File[128];
    size_t Size;
    atomic_int Stop;
    atomic_ulong Unexpected;
    atomic_ulong Live;
    atomic_ulong Absent;
} CHURN_SHARED;

static void *ChurnCaller(void *Arg)
{
    CHURN_SHARED *s = Arg;

    while (!atomic_load(&s->Stop))
    {
        WORD major, minor;
        DWORD build;
        INTSTATUS status = gGlue.GetExceptionsVersion(&s->Handle, &major, &minor, &build);

        if (status == INT_STATUS_SUCCESS && build == 4242)
        {
            atomic_fetch_add(&s->Live, 1);
        }
        else if (status == INT_STATUS_NOT_INITIALIZED)
        {
            atomic_fetch_add(&s->Absent, 1);
        }
        else
        {
            atomic_fetch_add(&s->Unexpected, 1);
        }
        status = gGlue.UpdateExceptions(&s->Handle, s->File, (DWORD)s->Size, 0);
        if (status != INT_STATUS_SUCCESS && status != INT_STATUS_NOT_INITIALIZED)
        {
            atomic_fetch_add(&s->Unexpected, 1);
        }
    }
    return NULL;
}

static void TestDisableRacesWithCalls(void **State)
{
    static CHURN_SHARED shared;
    pthread_t callers[2];

    unsigned long perRecord;

    (void)State;
    memset(&shared, 0, sizeof(shared));
    shared.Size = ApiTestBuildSimpleFile(shared.File, sizeof(shared.File), 4242);
    /* What one guest record keeps after its guest is gone (the record and its decoders). */
    perRecord = ApiTestAllocCount() - ApiTestFreeCount();
    assert_int_equal(gGlue.NewGuestNotification(&shared.Handle, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.DisableIntro(&shared.Handle, 0), INT_STATUS_SUCCESS);
    perRecord = ApiTestAllocCount() - ApiTestFreeCount() - perRecord;
    assert_true(perRecord > 0);
    for (unsigned i = 0; i < 2; i++)
    {
        assert_int_equal(pthread_create(&callers[i], NULL, ChurnCaller, &shared), 0);
    }
    /* Until the callers have seen both states often (bounded, for a slow machine). */
    for (unsigned round = 0;
         round < 3000 || (round < 1000000 && (atomic_load(&shared.Live) < 200 || atomic_load(&shared.Absent) < 200));
         round++)
    {
        assert_int_equal(gGlue.NewGuestNotification(&shared.Handle, 0, NULL, 0), INT_STATUS_SUCCESS);
        assert_int_equal(Load(&shared.Handle, shared.File, shared.Size), INT_STATUS_SUCCESS);
        assert_int_equal(gGlue.DisableIntro(&shared.Handle, 0), INT_STATUS_SUCCESS);
    }
    atomic_store(&shared.Stop, 1);
    for (unsigned i = 0; i < 2; i++)
    {
        pthread_join(callers[i], NULL);
    }
    print_message("calls on a live guest %lu, on no guest %lu\n", (unsigned long)atomic_load(&shared.Live),
                  (unsigned long)atomic_load(&shared.Absent));
    assert_int_equal(atomic_load(&shared.Unexpected), 0);
    assert_true(atomic_load(&shared.Live) > 0);
    assert_true(atomic_load(&shared.Absent) > 0);
    /* Every guest was disabled: only the recycled records (one per guest alive at once) remain, each
     * with the decoders it keeps for the guests that reuse it. */
    assert_true(ApiTestAllocCount() - ApiTestFreeCount() <= 3 * perRecord);
}

/* hvmi's reference file (compiled by hvmi's own compiler, build number 0) loads through the API. */
static void TestCorpusFile(void **State)
{
    const char *corpus = getenv("INTROGUARD_HVMI_CORPUS");
    char path[4096];
    FILE *f;
    uint8_t *data;
    long length;
    int guest;

    (void)State;
    if (corpus == NULL || corpus[0] == '\0')
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS not set\n");
        skip();
    }
    snprintf(path, sizeof(path), "%s/exceptions.bin", corpus);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    length = ftell(f);
    assert_true(length > (long)API_TEST_FILE_HEADER_SIZE);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    data = malloc((size_t)length);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)length, f), (size_t)length);
    fclose(f);

    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, data, (size_t)length), INT_STATUS_SUCCESS);
    AssertVersion(&guest, 2, 2, 0);
    free(data);
}

/* Calls for guest B complete while guest A's lock and the registry lock are both held elsewhere:
 * lookups take no lock and guests share none. */
typedef struct CROSS_CALL
{
    int *Guest;
    uint8_t *File;
    size_t Size;
    atomic_int Done;
    INTSTATUS UpdateStatus;
    INTSTATUS VersionStatus;
    DWORD Build;
} CROSS_CALL;

static void *CrossCaller(void *Arg)
{
    CROSS_CALL *c = Arg;
    WORD major, minor;

    c->UpdateStatus = gGlue.UpdateExceptions(c->Guest, c->File, (DWORD)c->Size, 0);
    c->VersionStatus = gGlue.GetExceptionsVersion(c->Guest, &major, &minor, &c->Build);
    atomic_store(&c->Done, 1);
    return NULL;
}

static void TestNoCrossGuestBlocking(void **State)
{
    int a, b;
    uint8_t file[FILE_CAPACITY];
    size_t size = ApiTestBuildSimpleFile(file, sizeof(file), 555);
    IG_INSTANCE *instance = IgInstanceGet();
    IG_GUEST *guestA;
    CROSS_CALL call;
    pthread_t thread;

    (void)State;
    assert_int_equal(gGlue.NewGuestNotification(&a, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NewGuestNotification(&b, 0, NULL, 0), INT_STATUS_SUCCESS);
    guestA = IgGuestAcquire(instance, &a);
    assert_non_null(guestA);

    IgGuestLock(instance, guestA);
    (void)instance->Upper.SpinLockAcquire(instance->RegistryLock);

    memset(&call, 0, sizeof(call));
    call.Guest = &b;
    call.File = file;
    call.Size = size;
    assert_int_equal(pthread_create(&thread, NULL, CrossCaller, &call), 0);
    /* Bounded wait: a blocked call would never finish. */
    for (unsigned i = 0; i < 5000 && !atomic_load(&call.Done); i++)
    {
        struct timespec ms = {0, 1000000};

        nanosleep(&ms, NULL);
    }
    assert_true(atomic_load(&call.Done));

    (void)instance->Upper.SpinLockRelease(instance->RegistryLock);
    IgGuestUnlock(instance, guestA);
    pthread_join(thread, NULL);
    IgGuestRelease(instance, guestA);

    assert_int_equal(call.UpdateStatus, INT_STATUS_SUCCESS);
    assert_int_equal(call.VersionStatus, INT_STATUS_SUCCESS);
    assert_int_equal(call.Build, 555);
    AssertNoVersion(&a);
}

/* a.sys writes into another driver: the violation of the evaluation tests. */
static void KernelWrite(INTRO_EXC_VIOLATION *V, const char *Originator)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_KERNEL;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Kernel.Original.Present = true;
    V->Kernel.Original.NameHash = IgNameHashWideAscii(Originator, strlen(Originator));
    V->Kernel.Original.Rip = 0xFFFFF80012341000ull;
    V->Kernel.Return = V->Kernel.Original;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_KM_MODULE;
    V->Victim.NameHash = IgNameHashWideAscii("victim.sys", 10);
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.OldValue[0] = 1;
    V->Victim.v.WriteInfo.NewValue[0] = 2;
}

static void TestEvaluateGuest(void **State)
{
    static int guest;
    uint8_t file[512];
    INTRO_EXC_VIOLATION v;
    INTRO_EXC_VERDICT verdict;
    API_TEST_KM_RECORD records[2] = {
        {IgNameHashWideAscii("other.sys", 9), 0, 0x20000006u, 1},
        {IgNameHashWideAscii("a.sys", 5), 0, 0x20000006u, 1}, /* a.sys may write any driver (object "any") */
    };
    size_t size;

    (void)State;
    KernelWrite(&v, "a.sys");
    assert_int_equal(IntExceptEvaluateGuest(NULL, &v, &verdict), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntExceptEvaluateGuest(&guest, NULL, &verdict), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, NULL), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, &verdict), INT_STATUS_NOT_INITIALIZED);

    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    /* Nothing loaded: allowed, as hvmi does before a file is loaded. */
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Action, INTRO_EXC_ACTION_ALLOWED);
    assert_int_equal(verdict.Reason, INTRO_EXC_REASON_EXCEPTIONS_NOT_LOADED);

    size = ApiTestBuildKmFile(file, sizeof(file), 2, 2, 1, records, 2);
    assert_int_equal(Load(&guest, file, size), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Action, INTRO_EXC_ACTION_ALLOWED);
    assert_int_equal(verdict.Reason, INTRO_EXC_REASON_ALLOWED);
    assert_int_equal(verdict.Matched.Source, INTRO_EXC_SOURCE_FILE);
    assert_int_equal(verdict.Matched.RecordIndex, 1);

    KernelWrite(&v, "b.sys"); /* no exception names b.sys */
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Action, INTRO_EXC_ACTION_NOT_ALLOWED);

    /* A reload that drops a.sys's exception takes effect for the next evaluation. */
    size = ApiTestBuildKmFile(file, sizeof(file), 2, 2, 2, records, 1);
    assert_int_equal(Load(&guest, file, size), INT_STATUS_SUCCESS);
    KernelWrite(&v, "a.sys");
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Action, INTRO_EXC_ACTION_NOT_ALLOWED);

    assert_int_equal(gGlue.DisableIntro(&guest, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptEvaluateGuest(&guest, &v, &verdict), INT_STATUS_NOT_INITIALIZED);
}

typedef struct EVAL_SHARED
{
    int Guest;
    atomic_bool Stop;
    atomic_uint Allowed;
    atomic_uint Wrong;
} EVAL_SHARED;

static void *EvaluateLoop(void *Arg)
{
    EVAL_SHARED *shared = Arg;
    INTRO_EXC_VIOLATION v;
    INTRO_EXC_VERDICT verdict;

    KernelWrite(&v, "a.sys");
    while (!atomic_load(&shared->Stop))
    {
        if (IntExceptEvaluateGuest(&shared->Guest, &v, &verdict) != INT_STATUS_SUCCESS ||
            verdict.Action != INTRO_EXC_ACTION_ALLOWED)
        {
            atomic_fetch_add(&shared->Wrong, 1);
        }
        atomic_fetch_add(&shared->Allowed, 1);
    }
    return NULL;
}

static void TestEvaluateDuringReloads(void **State)
{
    static EVAL_SHARED shared;
    pthread_t threads[3];
    uint8_t file[512];
    API_TEST_KM_RECORD records[1] = {{IgNameHashWideAscii("a.sys", 5), 0, 0x20000006u, 1}};

    (void)State;
    memset(&shared, 0, sizeof(shared));
    assert_int_equal(gGlue.NewGuestNotification(&shared.Guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&shared.Guest, file, ApiTestBuildKmFile(file, sizeof(file), 2, 2, 0, records, 1)),
                     INT_STATUS_SUCCESS);
    for (int i = 0; i < 3; i++)
    {
        assert_int_equal(pthread_create(&threads[i], NULL, EvaluateLoop, &shared), 0);
    }
    /* Every reload brings a new set whose index the evaluators race to build; each file allows
     * a.sys, so every verdict must be "allowed" whichever set it saw.  Reloads go on until the
     * evaluators have run alongside them a fair number of times (bounded: 10 s). */
    {
        time_t deadline = time(NULL) + 10;
        unsigned before = atomic_load(&shared.Allowed);

        for (uint32_t build = 1;
             build <= 300 || (atomic_load(&shared.Allowed) - before < 1000 && time(NULL) < deadline); build++)
        {
            assert_int_equal(Load(&shared.Guest, file, ApiTestBuildKmFile(file, sizeof(file), 2, 2, build, records, 1)),
                             INT_STATUS_SUCCESS);
        }
    }
    atomic_store(&shared.Stop, true);
    for (int i = 0; i < 3; i++)
    {
        pthread_join(threads[i], NULL);
    }
    assert_int_equal(atomic_load(&shared.Wrong), 0);
    assert_true(atomic_load(&shared.Allowed) > 0);
    assert_int_equal(gGlue.DisableIntro(&shared.Guest, 0), INT_STATUS_SUCCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(TestFiveCallsLifecycle, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestNewGuestStatuses, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestPowerStates, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestUnsupportedMembers, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestInfo, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestAlertCallsParameters, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestLoadAndReload, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestCorruptReloadKeepsOldSet, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestLoadErrorDetails, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestAllocationFailureAtEachStep, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestsAreIndependent, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestRegistryCapacityAndChurn, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestConcurrentReloadsAndReads, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestDisableRacesWithCalls, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestNoCrossGuestBlocking, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestCorpusFile, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestEvaluateGuest, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestEvaluateDuringReloads, Setup, Teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
