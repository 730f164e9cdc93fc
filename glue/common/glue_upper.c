/*
 * A complete UPPER_IFACE on the C library and POSIX threads, for integrators (and the CLI) that
 * run the library in an ordinary process: log to stderr, malloc, mutexes and read-write locks.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue_int.h"

static INTSTATUS IgUpperTracePrint(const CHAR *File, DWORD Line, const CHAR *Format, ...)
    __attribute__((format(printf, 3, 4)));

static INTSTATUS IgUpperTracePrint(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    va_list ap;

    (void)File;
    (void)Line;
    fputs("introguard: ", stderr);
    va_start(ap, Format);
    vfprintf(stderr, Format, ap);
    va_end(ap);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperAlloc(void **Address, size_t Size, DWORD Tag)
{
    (void)Tag;
    if (!Address)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    *Address = malloc(Size ? Size : 1);
    return *Address ? INT_STATUS_SUCCESS : INT_STATUS_INSUFFICIENT_RESOURCES;
}

static INTSTATUS IgUpperFree(void **Address, DWORD Tag)
{
    (void)Tag;
    if (!Address)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    free(*Address);
    *Address = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperLockInit(void **Lock, PCHAR Name)
{
    pthread_mutex_t *mutex;

    (void)Name;
    if (!Lock)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    mutex = malloc(sizeof(*mutex));
    if (!mutex || pthread_mutex_init(mutex, NULL) != 0)
    {
        free(mutex);
        *Lock = NULL;
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Lock = mutex;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperLockUninit(void **Lock)
{
    if (!Lock || !*Lock)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    pthread_mutex_destroy(*Lock);
    free(*Lock);
    *Lock = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperLockAcquire(void *Lock)
{
    return Lock && pthread_mutex_lock(Lock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_1;
}

static INTSTATUS IgUpperLockRelease(void *Lock)
{
    return Lock && pthread_mutex_unlock(Lock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_1;
}

static INTSTATUS IgUpperRwInit(void **Lock, PCHAR Name)
{
    pthread_rwlock_t *rw;

    (void)Name;
    if (!Lock)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    rw = malloc(sizeof(*rw));
    if (!rw || pthread_rwlock_init(rw, NULL) != 0)
    {
        free(rw);
        *Lock = NULL;
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Lock = rw;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperRwUninit(void **Lock)
{
    if (!Lock || !*Lock)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    pthread_rwlock_destroy(*Lock);
    free(*Lock);
    *Lock = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperRwShared(void *Lock)
{
    return Lock && pthread_rwlock_rdlock(Lock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_1;
}

static INTSTATUS IgUpperRwExclusive(void *Lock)
{
    return Lock && pthread_rwlock_wrlock(Lock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_1;
}

static INTSTATUS IgUpperRwRelease(void *Lock)
{
    return Lock && pthread_rwlock_unlock(Lock) == 0 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_1;
}

static void IgUpperBugCheck(void)
{
    abort();
}

static void IgUpperEnterDebugger(void)
{
    /* Nothing to break into from an ordinary process. */
}

void IgGlueFillUpper(UPPER_IFACE *Upper)
{
    memset(Upper, 0, sizeof(*Upper));
    Upper->Version = UPPER_IFACE_VERSION_1;
    Upper->Size = UPPER_IFACE_VERSION_1_SIZE;
    Upper->TracePrint = IgUpperTracePrint;
    Upper->MemAllocWithTagAndInfo = IgUpperAlloc;
    Upper->MemFreeWithTagAndInfo = IgUpperFree;
    Upper->SpinLockInit = IgUpperLockInit;
    Upper->SpinLockUnInit = IgUpperLockUninit;
    Upper->SpinLockAcquire = IgUpperLockAcquire;
    Upper->SpinLockRelease = IgUpperLockRelease;
    Upper->RwSpinLockInit = IgUpperRwInit;
    Upper->RwSpinLockUnInit = IgUpperRwUninit;
    Upper->RwSpinLockAcquireShared = IgUpperRwShared;
    Upper->RwSpinLockAcquireExclusive = IgUpperRwExclusive;
    Upper->RwSpinLockReleaseShared = IgUpperRwRelease;
    Upper->RwSpinLockReleaseExclusive = IgUpperRwRelease;
    Upper->BugCheck = IgUpperBugCheck;
    Upper->EnterDebugger = IgUpperEnterDebugger;
}
