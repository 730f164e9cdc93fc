/*
 * A minimal integrator: initialize introguard, register one guest, load an exceptions file and
 * read back its version.
 *
 *     integration [exceptions.bin]
 *
 * Without an argument it loads a small file it builds in memory (a header and one kernel-mode
 * exception, laid out as in hvmi's format 2.2).  Output:
 *
 *     exceptions version 2.2 build 7
 *
 * A real integrator wires the integrator side of GLUE_IFACE to its hypervisor (memory maps,
 * EPT, vCPU control, alert delivery).  introguard validates that those members exist but does
 * not call them yet, so here they are stubs that report "not implemented".
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introguard/introguard.h"

/* ---- UPPER_IFACE: logging, memory and locks from the C library ------------------------------ */

static INTSTATUS __attribute__((format(printf, 3, 4))) TracePrint(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    va_list args;

    (void)File;
    (void)Line;
    va_start(args, Format);
    vfprintf(stderr, Format, args);
    va_end(args);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS MemAlloc(void **Address, size_t Size, DWORD Tag)
{
    (void)Tag;
    *Address = malloc(Size ? Size : 1);
    return *Address ? INT_STATUS_SUCCESS : INT_STATUS_INSUFFICIENT_RESOURCES;
}

static INTSTATUS MemFree(void **Address, DWORD Tag)
{
    (void)Tag;
    free(*Address);
    *Address = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS LockInit(void **Lock, PCHAR Name)
{
    pthread_mutex_t *mutex = malloc(sizeof(*mutex));

    (void)Name;
    if (mutex == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_init(mutex, NULL);
    *Lock = mutex;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS LockUnInit(void **Lock)
{
    pthread_mutex_destroy(*Lock);
    free(*Lock);
    *Lock = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS LockAcquire(void *Lock)
{
    pthread_mutex_lock(Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS LockRelease(void *Lock)
{
    pthread_mutex_unlock(Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS RwLockInit(void **Lock, PCHAR Name)
{
    pthread_rwlock_t *rw = malloc(sizeof(*rw));

    (void)Name;
    if (rw == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_rwlock_init(rw, NULL);
    *Lock = rw;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS RwLockUnInit(void **Lock)
{
    pthread_rwlock_destroy(*Lock);
    free(*Lock);
    *Lock = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS RwLockShared(void *Lock)
{
    pthread_rwlock_rdlock(Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS RwLockExclusive(void *Lock)
{
    pthread_rwlock_wrlock(Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS RwLockRelease(void *Lock)
{
    pthread_rwlock_unlock(Lock);
    return INT_STATUS_SUCCESS;
}

static void BugCheck(void)
{
    abort();
}

static void EnterDebugger(void)
{
}

/* ---- GLUE_IFACE integrator side: stubs (see the file comment) ------------------------------- */

#define NOT_WIRED return INT_STATUS_OPERATION_NOT_IMPLEMENTED

/* clang-format off */
static INTSTATUS QueryGuestInfo(void *G, DWORD C, void *P, void *B, DWORD L) { (void)G; (void)C; (void)P; (void)B; (void)L; NOT_WIRED; }
static INTSTATUS GpaToHpa(void *G, QWORD Gpa, QWORD *Hpa) { (void)G; (void)Gpa; (void)Hpa; NOT_WIRED; }
static INTSTATUS PhysMemMapToHost(void *G, QWORD A, DWORD L, DWORD F, void **P) { (void)G; (void)A; (void)L; (void)F; (void)P; NOT_WIRED; }
static INTSTATUS PhysMemUnmap(void *G, void **P) { (void)G; (void)P; NOT_WIRED; }
static INTSTATUS MemType(void *G, QWORD Gpa, IG_MEMTYPE *T) { (void)G; (void)Gpa; (void)T; NOT_WIRED; }
static INTSTATUS GetEpt(void *G, DWORD E, QWORD A, BYTE *R, BYTE *W, BYTE *X) { (void)G; (void)E; (void)A; (void)R; (void)W; (void)X; NOT_WIRED; }
static INTSTATUS SetEpt(void *G, DWORD E, QWORD A, BYTE R, BYTE W, BYTE X) { (void)G; (void)E; (void)A; (void)R; (void)W; (void)X; NOT_WIRED; }
static INTSTATUS RegisterEpt(void *G, PFUNC_IntEPTViolationCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS MsrExit(void *G, DWORD M, BOOLEAN *Old) { (void)G; (void)M; (void)Old; NOT_WIRED; }
static INTSTATUS RegisterMsr(void *G, PFUNC_IntMSRViolationCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS RegisterCall(void *G, PFUNC_IntIntroCallCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS RegisterTimer(void *G, PFUNC_IntIntroTimerCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS RegisterDtr(void *G, PFUNC_IntIntroDescriptorTableCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS CrExit(void *G, DWORD Cr) { (void)G; (void)Cr; NOT_WIRED; }
static INTSTATUS RegisterCr(void *G, PFUNC_IntCrWriteCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS RegisterXcr(void *G, PFUNC_IntXcrWriteCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS RegisterBreakpoint(void *G, PFUNC_IntBreakpointCallback C) { (void)G; (void)C; NOT_WIRED; }
static INTSTATUS GuestOnly(void *G) { (void)G; NOT_WIRED; }
static INTSTATUS InjectTrap(void *G, DWORD Cpu, BYTE T, DWORD E, QWORD Cr2) { (void)G; (void)Cpu; (void)T; (void)E; (void)Cr2; NOT_WIRED; }
static INTSTATUS EmulatorContext(void *G, DWORD Cpu, QWORD Va, DWORD S, PBYTE B) { (void)G; (void)Cpu; (void)Va; (void)S; (void)B; NOT_WIRED; }
static INTSTATUS ReleaseBuffer(void *G, void *B, DWORD S) { (void)G; (void)B; (void)S; NOT_WIRED; }
/* clang-format on */

/* Alerts arrive here; the buffer lives only during the call. */
static INTSTATUS NotifyAlert(void *GuestHandle, DWORD EventClass, void *Parameters, size_t EventSize)
{
    (void)GuestHandle;
    (void)Parameters;
    printf("alert: class %u, %zu bytes\n", (unsigned)EventClass, EventSize);
    return INT_STATUS_SUCCESS;
}

static void FillTables(GLUE_IFACE *Glue, UPPER_IFACE *Upper)
{
    memset(Upper, 0, sizeof(*Upper));
    Upper->Version = UPPER_IFACE_VERSION_1;
    Upper->Size = UPPER_IFACE_VERSION_1_SIZE;
    Upper->TracePrint = TracePrint;
    Upper->MemAllocWithTagAndInfo = MemAlloc;
    Upper->MemFreeWithTagAndInfo = MemFree;
    Upper->SpinLockInit = LockInit;
    Upper->SpinLockUnInit = LockUnInit;
    Upper->SpinLockAcquire = LockAcquire;
    Upper->SpinLockRelease = LockRelease;
    Upper->RwSpinLockInit = RwLockInit;
    Upper->RwSpinLockUnInit = RwLockUnInit;
    Upper->RwSpinLockAcquireShared = RwLockShared;
    Upper->RwSpinLockAcquireExclusive = RwLockExclusive;
    Upper->RwSpinLockReleaseShared = RwLockRelease;
    Upper->RwSpinLockReleaseExclusive = RwLockRelease;
    Upper->BugCheck = BugCheck;
    Upper->EnterDebugger = EnterDebugger;

    memset(Glue, 0, sizeof(*Glue));
    Glue->Version = GLUE_IFACE_VERSION_1;
    Glue->Size = GLUE_IFACE_VERSION_1_SIZE;
    Glue->QueryGuestInfo = QueryGuestInfo;
    Glue->GpaToHpa = GpaToHpa;
    Glue->PhysMemMapToHost = PhysMemMapToHost;
    Glue->PhysMemUnmap = PhysMemUnmap;
    Glue->PhysMemGetTypeFromMtrrs = MemType;
    Glue->GetEPTPageProtection = GetEpt;
    Glue->SetEPTPageProtection = SetEpt;
    Glue->RegisterEPTHandler = RegisterEpt;
    Glue->UnregisterEPTHandler = GuestOnly;
    Glue->EnableMSRExit = MsrExit;
    Glue->DisableMSRExit = MsrExit;
    Glue->RegisterMSRHandler = RegisterMsr;
    Glue->UnregisterMSRHandler = GuestOnly;
    Glue->PauseVcpus = GuestOnly;
    Glue->ResumeVcpus = GuestOnly;
    Glue->RegisterIntroCallHandler = RegisterCall;
    Glue->UnregisterIntroCallHandler = GuestOnly;
    Glue->RegisterIntroTimerHandler = RegisterTimer;
    Glue->UnregisterIntroTimerHandler = GuestOnly;
    Glue->RegisterDtrHandler = RegisterDtr;
    Glue->UnregisterDtrHandler = GuestOnly;
    Glue->EnableCrWriteExit = CrExit;
    Glue->DisableCrWriteExit = CrExit;
    Glue->RegisterCrWriteHandler = RegisterCr;
    Glue->UnregisterCrWriteHandler = GuestOnly;
    Glue->RegisterXcrWriteHandler = RegisterXcr;
    Glue->UnregisterXcrWriteHandler = GuestOnly;
    Glue->RegisterBreakpointHandler = RegisterBreakpoint;
    Glue->UnregisterBreakpointHandler = GuestOnly;
    Glue->InjectTrap = InjectTrap;
    Glue->SetIntroEmulatorContext = EmulatorContext;
    Glue->NotifyIntrospectionAlert = NotifyAlert;
    Glue->ReleaseBuffer = ReleaseBuffer;
}

/* ---- The exceptions file -------------------------------------------------------------------- */

static void PutU16(BYTE *p, unsigned v)
{
    p[0] = (BYTE)v;
    p[1] = (BYTE)(v >> 8);
}

static void PutU32(BYTE *p, unsigned long v)
{
    PutU16(p, (unsigned)(v & 0xFFFF));
    PutU16(p + 2, (unsigned)(v >> 16));
}

/* A 36-byte header and one kernel-mode exception record (3-byte record header + 20-byte body). */
static size_t BuildDemoFile(BYTE *File)
{
    memset(File, 0, 59);
    PutU32(File + 0, 0x414E5845);  /* magic, "EXNA" on disk */
    PutU16(File + 4, 2);           /* major */
    PutU16(File + 6, 2);           /* minor */
    PutU32(File + 8, 1);           /* kernel-mode exceptions */
    PutU32(File + 20, 7);          /* build number */
    File[36] = 1;                  /* record type: kernel-mode exception */
    PutU16(File + 37, 20);         /* body size */
    PutU32(File + 39, 0x12345678); /* originator name hash */
    PutU32(File + 43, 0xFFFFFFFF); /* originator path hash (unused) */
    PutU32(File + 47, 0);          /* victim: any */
    PutU32(File + 51, 0x20000000); /* flags: write */
    File[55] = 0;                  /* reserved */
    File[56] = 1;                  /* object type */
    PutU16(File + 57, 0);          /* no signatures */
    return 59;
}

static BYTE *ReadWholeFile(const char *Path, size_t *Size)
{
    FILE *f = fopen(Path, "rb");
    BYTE *data = NULL;
    long length;

    if (f == NULL)
    {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) > 0 && length < 0x7FFFFFFF && fseek(f, 0, SEEK_SET) == 0)
    {
        data = malloc((size_t)length);
        if (data != NULL && fread(data, 1, (size_t)length, f) != (size_t)length)
        {
            free(data);
            data = NULL;
        }
        *Size = (size_t)length;
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;
    static int guest; /* any unique address identifies a guest to introguard */
    BYTE demo[64];
    BYTE *file = demo;
    size_t size;
    WORD major, minor;
    DWORD build;
    INTSTATUS status;
    int rc = 1;

    if (argc > 1)
    {
        file = ReadWholeFile(argv[1], &size);
        if (file == NULL)
        {
            fprintf(stderr, "cannot read %s\n", argv[1]);
            return 1;
        }
    }
    else
    {
        size = BuildDemoFile(demo);
    }

    FillTables(&glue, &upper);
    IntPreinit();
    status = IntInit(&glue, &upper);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "IntInit: %s\n", IntStatusToString(status));
        goto cleanup;
    }

    status = glue.NewGuestNotification(&guest, 0, NULL, 0);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "NewGuestNotification: %s\n", IntStatusToString(status));
        goto uninit;
    }

    status = glue.UpdateExceptions(&guest, file, (DWORD)size, 0);
    if (!INT_SUCCESS(status))
    {
        INTRO_EXCEPTIONS_LOAD_ERROR error;

        fprintf(stderr, "UpdateExceptions: %s\n", IntStatusToString(status));
        if (INT_SUCCESS(IntGetExceptionsLoadError(&guest, &error)))
        {
            fprintf(stderr, "  %s at offset %llu: %s\n", IntStatusToString(error.Detail),
                    (unsigned long long)error.Offset, error.Message);
        }
        goto disable;
    }

    status = glue.GetExceptionsVersion(&guest, &major, &minor, &build);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "GetExceptionsVersion: %s\n", IntStatusToString(status));
        goto disable;
    }
    printf("exceptions version %u.%u build %u\n", (unsigned)major, (unsigned)minor, (unsigned)build);
    rc = 0;

disable:
    (void)glue.DisableIntro(&guest, 0);
uninit:
    (void)IntUninit();
cleanup:
    if (file != demo)
    {
        free(file);
    }
    return rc;
}
