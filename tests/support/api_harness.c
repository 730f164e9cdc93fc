#include "api_harness.h"
#include "excfile.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- Allocator ------------------------------------------------------------------------------ */

/* Each block is preceded by a header recording its tag, so frees can be checked against it. */
typedef struct TEST_BLOCK
{
    uint32_t Tag;
    uint32_t Magic;
    size_t Size;
} TEST_BLOCK;

#define TEST_BLOCK_MAGIC 0xB10CB10Cu

static atomic_ulong gAllocs;
static atomic_ulong gFrees;
static atomic_ulong gTagMismatches;
static atomic_ulong gFailCountdown; /* 0: no fault armed */
static atomic_int gFaultFired;
static atomic_long gLiveLocks;
static atomic_int gFailLockStatus;

static INTSTATUS TestAlloc(void **Address, size_t Size, DWORD Tag)
{
    TEST_BLOCK *block;
    unsigned long countdown = atomic_load(&gFailCountdown);

    *Address = NULL;
    while (countdown != 0)
    {
        if (atomic_compare_exchange_weak(&gFailCountdown, &countdown, countdown - 1))
        {
            if (countdown == 1)
            {
                atomic_store(&gFaultFired, 1);
                return INT_STATUS_INSUFFICIENT_RESOURCES;
            }
            break;
        }
    }

    block = malloc(sizeof(*block) + Size);
    if (block == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    block->Tag = Tag;
    block->Magic = TEST_BLOCK_MAGIC;
    block->Size = Size;
    /* Garbage, not zeros: the library must not rely on zeroed memory. */
    memset(block + 1, 0xA5, Size);
    atomic_fetch_add(&gAllocs, 1);
    *Address = block + 1;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS TestFree(void **Address, DWORD Tag)
{
    TEST_BLOCK *block;

    if (*Address == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    block = (TEST_BLOCK *)*Address - 1;
    if (block->Magic != TEST_BLOCK_MAGIC || block->Tag != Tag)
    {
        atomic_fetch_add(&gTagMismatches, 1);
    }
    block->Magic = 0;
    free(block);
    atomic_fetch_add(&gFrees, 1);
    *Address = NULL;
    return INT_STATUS_SUCCESS;
}

unsigned long ApiTestAllocCount(void)
{
    return atomic_load(&gAllocs);
}

unsigned long ApiTestFreeCount(void)
{
    return atomic_load(&gFrees);
}

unsigned long ApiTestTagMismatchCount(void)
{
    return atomic_load(&gTagMismatches);
}

void ApiTestFailAllocation(unsigned long Nth)
{
    atomic_store(&gFaultFired, 0);
    atomic_store(&gFailCountdown, Nth);
}

int ApiTestAllocationFaultFired(void)
{
    return atomic_load(&gFaultFired);
}

/* ---- Locks ---------------------------------------------------------------------------------- */

static INTSTATUS TestSpinLockInit(void **SpinLock, PCHAR Name)
{
    pthread_mutex_t *mutex;
    INTSTATUS fail = atomic_exchange(&gFailLockStatus, 0);

    (void)Name;
    *SpinLock = NULL;
    if (fail != 0)
    {
        return fail;
    }
    mutex = malloc(sizeof(*mutex));
    if (mutex == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_init(mutex, NULL);
    atomic_fetch_add(&gLiveLocks, 1);
    *SpinLock = mutex;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS TestSpinLockUnInit(void **SpinLock)
{
    if (*SpinLock == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    pthread_mutex_destroy(*SpinLock);
    free(*SpinLock);
    *SpinLock = NULL;
    atomic_fetch_sub(&gLiveLocks, 1);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS TestSpinLockAcquire(void *SpinLock)
{
    return pthread_mutex_lock(SpinLock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_INTERNAL_STATE;
}

static INTSTATUS TestSpinLockRelease(void *SpinLock)
{
    return pthread_mutex_unlock(SpinLock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_INTERNAL_STATE;
}

static INTSTATUS TestRwLockInit(void **SpinLock, PCHAR Name)
{
    pthread_rwlock_t *lock = malloc(sizeof(*lock));

    (void)Name;
    *SpinLock = NULL;
    if (lock == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_rwlock_init(lock, NULL);
    atomic_fetch_add(&gLiveLocks, 1);
    *SpinLock = lock;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS TestRwLockUnInit(void **SpinLock)
{
    pthread_rwlock_destroy(*SpinLock);
    free(*SpinLock);
    *SpinLock = NULL;
    atomic_fetch_sub(&gLiveLocks, 1);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS TestRwLockShared(void *SpinLock)
{
    return pthread_rwlock_rdlock(SpinLock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_INTERNAL_STATE;
}

static INTSTATUS TestRwLockExclusive(void *SpinLock)
{
    return pthread_rwlock_wrlock(SpinLock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_INTERNAL_STATE;
}

static INTSTATUS TestRwLockRelease(void *SpinLock)
{
    return pthread_rwlock_unlock(SpinLock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_INTERNAL_STATE;
}

long ApiTestLiveLockCount(void)
{
    return atomic_load(&gLiveLocks);
}

void ApiTestFailNextSpinLockInit(INTSTATUS Status)
{
    atomic_store(&gFailLockStatus, Status);
}

/* ---- Log capture ---------------------------------------------------------------------------- */

#define TEST_LOG_LINES 256u
#define TEST_LOG_LINE_SIZE 512u

static pthread_mutex_t gLogLock = PTHREAD_MUTEX_INITIALIZER;
static char gLog[TEST_LOG_LINES][TEST_LOG_LINE_SIZE];
static unsigned gLogCount;

static INTSTATUS __attribute__((format(printf, 3, 4)))
TestTracePrint(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    va_list args;

    (void)File;
    (void)Line;
    pthread_mutex_lock(&gLogLock);
    va_start(args, Format);
    (void)vsnprintf(gLog[gLogCount % TEST_LOG_LINES], TEST_LOG_LINE_SIZE, Format, args);
    va_end(args);
    gLogCount++;
    pthread_mutex_unlock(&gLogLock);
    return INT_STATUS_SUCCESS;
}

int ApiTestLogContains(const char *Text)
{
    int found = 0;

    pthread_mutex_lock(&gLogLock);
    for (unsigned i = 0; i < gLogCount && i < TEST_LOG_LINES; i++)
    {
        if (strcmp(gLog[i], Text) == 0)
        {
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&gLogLock);
    return found;
}

unsigned ApiTestLogLineCount(void)
{
    unsigned count;

    pthread_mutex_lock(&gLogLock);
    count = gLogCount;
    pthread_mutex_unlock(&gLogLock);
    return count;
}

void ApiTestLogClear(void)
{
    pthread_mutex_lock(&gLogLock);
    gLogCount = 0;
    pthread_mutex_unlock(&gLogLock);
}

/* ---- Tables --------------------------------------------------------------------------------- */

static void TestBugCheck(void)
{
    abort();
}

static void TestEnterDebugger(void)
{
}

static INTSTATUS TestQueryHeapSize(size_t *Total, size_t *Free)
{
    *Total = 1u << 30;
    *Free = 1u << 30;
    return INT_STATUS_SUCCESS;
}

void ApiTestUpperFill(UPPER_IFACE *Upper)
{
    memset(Upper, 0, sizeof(*Upper));
    Upper->Version = UPPER_IFACE_VERSION_1;
    Upper->Size = sizeof(UPPER_IFACE);
    Upper->TracePrint = TestTracePrint;
    Upper->MemAllocWithTagAndInfo = TestAlloc;
    Upper->MemFreeWithTagAndInfo = TestFree;
    Upper->SpinLockInit = TestSpinLockInit;
    Upper->SpinLockUnInit = TestSpinLockUnInit;
    Upper->SpinLockAcquire = TestSpinLockAcquire;
    Upper->SpinLockRelease = TestSpinLockRelease;
    Upper->RwSpinLockInit = TestRwLockInit;
    Upper->RwSpinLockUnInit = TestRwLockUnInit;
    Upper->RwSpinLockAcquireShared = TestRwLockShared;
    Upper->RwSpinLockAcquireExclusive = TestRwLockExclusive;
    Upper->RwSpinLockReleaseShared = TestRwLockRelease;
    Upper->RwSpinLockReleaseExclusive = TestRwLockRelease;
    Upper->QueryHeapSize = TestQueryHeapSize;
    Upper->BugCheck = TestBugCheck;
    Upper->EnterDebugger = TestEnterDebugger;
}

/* The integrator side of GLUE_IFACE.  Nothing in the library calls these yet, so one dummy of a
 * neutral type stands in for all of them; it is stored, never called. */
static INTSTATUS TestGlueDummy(void)
{
    return INT_STATUS_SUCCESS;
}

void ApiTestGlueFill(GLUE_IFACE *Glue)
{
    INTSTATUS (*dummy)(void) = TestGlueDummy;
    char *base = (char *)Glue;

    memset(Glue, 0, sizeof(*Glue));
    Glue->Version = GLUE_IFACE_VERSION_1;
    Glue->Size = sizeof(GLUE_IFACE);
    for (size_t off = offsetof(GLUE_IFACE, QueryGuestInfo); off < offsetof(GLUE_IFACE, NewGuestNotification);
         off += sizeof(void *))
    {
        if (off == offsetof(GLUE_IFACE, _I_H_Reserved1) || off == offsetof(GLUE_IFACE, _I_H_Reserved2) ||
            off == offsetof(GLUE_IFACE, _I_H_Reserved3))
        {
            continue;
        }
        memcpy(base + off, &dummy, sizeof(dummy));
    }
}

INTSTATUS ApiTestLibraryStart(GLUE_IFACE *Glue)
{
    UPPER_IFACE upper;

    ApiTestUpperFill(&upper);
    ApiTestGlueFill(Glue);
    IntPreinit();
    return IntInit(Glue, &upper);
}

void ApiTestStart(GLUE_IFACE *Glue)
{
    ApiTestHarnessReset();
    assert_int_equal(ApiTestLibraryStart(Glue), INT_STATUS_SUCCESS);
}

void ApiTestStopClean(void)
{
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(ApiTestAllocCount(), ApiTestFreeCount());
    assert_int_equal(ApiTestTagMismatchCount(), 0);
}

const INTRO_EVENT_TYPE gApiTestExceptableTypes[API_TEST_EXCEPTABLE_TYPES] = {
    introEventEptViolation,
    introEventMsrViolation,
    introEventCrViolation,
    introEventIntegrityViolation,
    introEventInjectionViolation,
    introEventDtrViolation,
    introEventProcessCreationViolation,
    introEventModuleLoadViolation,
};

void ApiTestHarnessReset(void)
{
    atomic_store(&gAllocs, 0);
    atomic_store(&gFrees, 0);
    atomic_store(&gTagMismatches, 0);
    atomic_store(&gFailCountdown, 0);
    atomic_store(&gFaultFired, 0);
    atomic_store(&gFailLockStatus, 0);
    atomic_store(&gLiveLocks, 0);
    ApiTestLogClear();
}

/* ---- Exceptions files ----------------------------------------------------------------------- */

size_t ApiTestBuildKmFile(uint8_t *Out, size_t Capacity, uint16_t Major, uint16_t Minor, uint32_t Build,
                          const API_TEST_KM_RECORD *Records, uint32_t Count)
{
    TF_FILE file;
    size_t size = 0;

    /* The shared test builder (excfile.h) writes the layout; only the version and build differ
     * from its defaults. */
    TfInit(&file);
    for (uint32_t i = 0; i < Count; i++)
    {
        TfKernel(&file, Records[i].Originator, Records[i].Victim, Records[i].Flags, Records[i].ObjectType, 0, NULL);
    }
    TfFinish(&file, NULL);
    TfSetVersion(&file, Major, Minor, Build);
    if (file.Size <= Capacity)
    {
        memcpy(Out, file.Data, file.Size);
        size = file.Size;
    }
    TfFree(&file);
    return size;
}

size_t ApiTestBuildSimpleFile(uint8_t *Out, size_t Capacity, uint32_t Build)
{
    /* An arbitrary originator hash, victim "*" (0), write access, object type 1. */
    static const API_TEST_KM_RECORD record = {0x12345678u, 0u, 0x20000000u, 1};

    return ApiTestBuildKmFile(Out, Capacity, 2, 2, Build, &record, 1);
}
