/*
 * introguard: UPPER_IFACE, the services the integrator's environment lends to the library.
 *
 * The integrator fills every member (QueryHeapSize may stay NULL) and passes the table to IntInit,
 * which copies it.  introguard logs, allocates and locks only through this table.  Layout and
 * version are hvmi's: 144 bytes on x86-64, Version 0x00010074.
 */
#ifndef INTROGUARD_UPPERIFACE_H
#define INTROGUARD_UPPERIFACE_H

#include "intro_types.h"
#include "introstatus.h"

#ifdef __cplusplus
extern "C"
{
#endif

    /* printf-like logger.  File may be NULL; the message normally ends with a newline. */
    typedef INTSTATUS __attribute__((format(printf, 3, 4))) (*PFUNC_IntTracePrint)(const char *File, uint32_t Line,
                                                                                   const char *Format, ...);

    /* Creates a lock and stores its handle in *SpinLock.  Name is a short label for debugging. */
    typedef INTSTATUS (*PFUNC_IntSpinLockInit)(void **SpinLock, char *Name);
    /* Destroys a lock and sets *SpinLock to NULL. */
    typedef INTSTATUS (*PFUNC_IntSpinLockUnInit)(void **SpinLock);
    typedef INTSTATUS (*PFUNC_IntSpinLockAcquire)(void *SpinLock);
    typedef INTSTATUS (*PFUNC_IntSpinLockRelease)(void *SpinLock);

    /* Reader/writer locks, same conventions. */
    typedef INTSTATUS (*PFUNC_IntRwSpinLockInit)(void **SpinLock, char *Name);
    typedef INTSTATUS (*PFUNC_IntRwSpinLockUnInit)(void **SpinLock);
    typedef INTSTATUS (*PFUNC_IntRwSpinLockAcquireShared)(void *SpinLock);
    typedef INTSTATUS (*PFUNC_IntRwSpinLockAcquireExclusive)(void *SpinLock);
    typedef INTSTATUS (*PFUNC_IntRwSpinLockReleaseShared)(void *SpinLock);
    typedef INTSTATUS (*PFUNC_IntRwSpinLockReleaseExclusive)(void *SpinLock);

    /* Total and free heap bytes, for the library's memory-pressure decisions. */
    typedef INTSTATUS (*PFUNC_IntQueryHeapSize)(size_t *TotalHeapSize, size_t *FreeHeapSize);

    /* Unrecoverable error: does not return. */
    typedef void (*PFUNC_IntBugCheck)(void);
    /* Breaks into a debugger, if one is attached. */
    typedef void (*PFUNC_IntEnterDebugger)(void);

    /* Allocates Size bytes into *Address; INT_STATUS_INSUFFICIENT_RESOURCES on failure.  Tag is a
     * four-character label that the matching free passes again. */
    typedef INTSTATUS (*PFUNC_HpAllocWithTagAndInfo)(void **Address, size_t Size, uint32_t Tag);
    /* Frees *Address (allocated with the same Tag) and sets it to NULL. */
    typedef INTSTATUS (*PFUNC_HpFreeWithTagAndInfo)(void **Address, uint32_t Tag);

#pragma pack(push, 8)

    typedef struct _UPPER_IFACE
    {
        uint32_t Version; /* UPPER_IFACE_VERSION_1 */
        uint32_t Size;    /* sizeof(UPPER_IFACE) */
        unsigned long long Reserved;

        PFUNC_IntTracePrint TracePrint;
        PFUNC_HpAllocWithTagAndInfo MemAllocWithTagAndInfo;
        PFUNC_HpFreeWithTagAndInfo MemFreeWithTagAndInfo;
        PFUNC_IntSpinLockInit SpinLockInit;
        PFUNC_IntSpinLockUnInit SpinLockUnInit;
        PFUNC_IntSpinLockAcquire SpinLockAcquire;
        PFUNC_IntSpinLockRelease SpinLockRelease;
        PFUNC_IntRwSpinLockInit RwSpinLockInit;
        PFUNC_IntRwSpinLockUnInit RwSpinLockUnInit;
        PFUNC_IntRwSpinLockAcquireShared RwSpinLockAcquireShared;
        PFUNC_IntRwSpinLockAcquireExclusive RwSpinLockAcquireExclusive;
        PFUNC_IntRwSpinLockReleaseShared RwSpinLockReleaseShared;
        PFUNC_IntRwSpinLockReleaseExclusive RwSpinLockReleaseExclusive;
        PFUNC_IntQueryHeapSize QueryHeapSize; /* optional */
        PFUNC_IntBugCheck BugCheck;
        PFUNC_IntEnterDebugger EnterDebugger;
    } UPPER_IFACE, *PUPPER_IFACE;

#pragma pack(pop)

#define UPPER_IFACE_VERSION_1 0x00010074
#define UPPER_IFACE_VERSION_1_SIZE sizeof(UPPER_IFACE)
#define UPPER_IFACE_VERSION_LATEST UPPER_IFACE_VERSION_1
#define UPPER_IFACE_VERSION_LATEST_SIZE UPPER_IFACE_VERSION_1_SIZE

    /* Checked in C and C++, on x86-64, whatever packing the includer has in force. */
    INTROGUARD_LAYOUT_ASSERT(sizeof(UPPER_IFACE) == 144, "UPPER_IFACE must keep hvmi's layout");
    INTROGUARD_LAYOUT_ASSERT(offsetof(UPPER_IFACE, TracePrint) == 0x10, "UPPER_IFACE.TracePrint offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(UPPER_IFACE, SpinLockInit) == 0x28, "UPPER_IFACE.SpinLockInit offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(UPPER_IFACE, QueryHeapSize) == 0x78, "UPPER_IFACE.QueryHeapSize offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(UPPER_IFACE, EnterDebugger) == 0x88, "UPPER_IFACE.EnterDebugger offset");

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_UPPERIFACE_H */
