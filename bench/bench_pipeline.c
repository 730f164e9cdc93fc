/*
 * bench_pipeline: events through the whole protection pipeline on the replay backend, the way a
 * hypervisor reports them: vCPU state, the instruction at RIP decoded, the originator attributed,
 * the victim built from the zone, the exceptions asked, the action returned (and, for a block, the
 * alert built and delivered).  Public API only: what an integrator's daemon pays per event.
 *
 *   bench_pipeline [--events N] [--reps R] [--only CASE]
 *
 * The guest: Windows 10 x64, 64 kernel drivers, one victim driver whose .data is write-protected,
 * LSTAR protected, and 20,000 generated exceptions (the pattern of bench_eval) plus the ones the
 * cases need.  Cases:
 *
 *   ept-allow    writer.sys writes victim.sys's .data; a plain exception allows it (no signature)
 *   ept-block    evil.sys does the same; nothing allows it: blocked, alert built and delivered
 *   ept-outside  a write on the protected page outside the zone (the library declines quickly)
 *   msr-allow    writer.sys writes LSTAR; an exception allows it
 *
 * Prints, per case, the median and minimum nanoseconds per event over R repetitions of N events
 * and the events per second the median gives.  Every event's action is checked: a wrong one is a
 * failure (exit 1), so the numbers are always of the intended path.  For instruction counts:
 *
 *   valgrind --tool=callgrind --toggle-collect=IntGlueEptViolation bench_pipeline --only ept-allow --reps 1
 *
 * and divide the collected instructions by N (--events, default 10,000).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "introguard/glue_replay.h"
#include "introguard/intro_excfile.h"
#include "introguard/intro_guest.h"
#include "introguard/intro_names.h"
#include "introguard/introguard.h"

#define KCR3 0x1AA000ull
#define DRV_BASE 0xFFFFF80010000000ull /* driver i at DRV_BASE + i * DRV_STRIDE */
#define DRV_STRIDE 0x100000ull
#define DRV_COUNT 64u
#define DRV_WRITER 10u
#define DRV_EVIL 20u
#define DRV_VICTIM 30u
#define MSR_LSTAR 0xC0000082u
#define GENERATED 20000u

typedef struct BENCH_CASE
{
    const char *Name;
    bool Msr;
    uint32_t Driver;          /* whose code writes */
    uint64_t Offset;          /* into the victim's .data */
    INTRO_ACTION Expected;    /* the action every event must get */
    INTSTATUS ExpectedStatus; /* and the status */
} BENCH_CASE;

static const BENCH_CASE gCases[] = {
    {"ept-allow", false, DRV_WRITER, 0x10, introGuestAllowed, INT_STATUS_SUCCESS},
    {"ept-block", false, DRV_EVIL, 0x10, introGuestNotAllowed, INT_STATUS_SUCCESS},
    {"ept-outside", false, DRV_WRITER, 0x810, introGuestAllowed, INT_STATUS_NOT_FOUND},
    {"msr-allow", true, DRV_WRITER, 0, introGuestAllowed, INT_STATUS_SUCCESS},
};

typedef struct BENCH
{
    INTRO_REPLAY *Replay;
    INTRO_GLUE_GUEST *Guest;
    GLUE_IFACE Glue;
    uint64_t Alerts;
} BENCH;

static void Check(INTSTATUS Status, const char *What)
{
    if (!INT_SUCCESS(Status))
    {
        fprintf(stderr, "bench_pipeline: %s: %s\n", What, IntStatusToString(Status));
        exit(1);
    }
}

static INTSTATUS QuietLog(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS;
}

static void CountAlert(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    (void)EventClass;
    (void)Event;
    (void)Size;
    ((BENCH *)Context)->Alerts++;
}

static void DriverName(uint32_t I, char *Out, size_t Size)
{
    if (I == DRV_WRITER || I == DRV_EVIL || I == DRV_VICTIM)
    {
        snprintf(Out, Size, "%s.sys", I == DRV_WRITER ? "writer" : I == DRV_EVIL ? "evil" : "victim");
        return;
    }
    snprintf(Out, Size, "drv%06u.sys", I);
}

static uint32_t Hash(uint32_t Kind, const char *Name)
{
    uint32_t hash = 0;

    Check(IntNameHash(INTRO_EXC_OS_WINDOWS, Kind, Name, strlen(Name), 0, &hash), "hash a name");
    return hash;
}

static void *Realloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

static void PutKernel(INTRO_EXCFILE_WRITER *W, uint8_t Type, uint32_t Originator, uint32_t Victim, uint8_t Object)
{
    INTRO_EXCFILE_EXCEPTION e;

    memset(&e, 0, sizeof(e));
    e.Originator = Originator;
    e.OriginatorPath = INTRO_EXCFILE_NO_NAME;
    e.Victim = Victim;
    e.Flags = INTRO_EXCFILE_FLG_32 | INTRO_EXCFILE_FLG_64 | INTRO_EXCFILE_FLG_WRITE;
    e.ObjectType = Object;
    Check(IntExcFileWriteException(W, Type, &e), "write an exception");
}

/* 20,000 generated exceptions (half kernel, half user, as bench_eval) and the two the cases need. */
static uint8_t *Rules(size_t *Size)
{
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_HEADER header;
    char a[32], v[32];

    IntExcFileWriterInit(&w, NULL, 0, Realloc, NULL);
    IntExcFileHeaderInit(&header);
    Check(IntExcFileWriteHeader(&w, &header), "write the header");
    PutKernel(&w, INTRO_EXCFILE_REC_KERNEL, Hash(INTRO_NAME_KERNEL_MODULE, "writer.sys"),
              Hash(INTRO_NAME_KERNEL_MODULE, "victim.sys"), INTRO_EXCFILE_KM_OBJ_DRIVER_DATA);
    PutKernel(&w, INTRO_EXCFILE_REC_KERNEL, Hash(INTRO_NAME_KERNEL_MODULE, "writer.sys"), INTRO_EXCFILE_NAME_ANY,
              INTRO_EXCFILE_KM_OBJ_MSR);
    for (uint32_t i = 0; i < GENERATED / 2; i++)
    {
        snprintf(a, sizeof(a), "gen%06u.sys", i);
        snprintf(v, sizeof(v), "vic%06u.sys", i);
        PutKernel(&w, INTRO_EXCFILE_REC_KERNEL, i < 200 ? INTRO_EXCFILE_NAME_ANY : Hash(INTRO_NAME_KERNEL_MODULE, a),
                  Hash(INTRO_NAME_KERNEL_MODULE, v), INTRO_EXCFILE_KM_OBJ_DRIVER_CODE);
    }
    for (uint32_t i = 0; i < GENERATED / 2; i++)
    {
        INTRO_EXCFILE_EXCEPTION e;

        snprintf(a, sizeof(a), "src%06u.exe", i);
        snprintf(v, sizeof(v), "tgt%06u.exe", i);
        memset(&e, 0, sizeof(e));
        e.Originator = i < 200 ? INTRO_EXCFILE_NAME_ANY : Hash(INTRO_NAME_PROCESS, a);
        e.Victim = Hash(INTRO_NAME_PROCESS, v);
        e.Flags = INTRO_EXCFILE_FLG_32 | INTRO_EXCFILE_FLG_64 | INTRO_EXCFILE_FLG_WRITE;
        e.ObjectType = INTRO_EXCFILE_UM_OBJ_PROCESS;
        Check(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER, &e), "write an exception");
    }
    IntExcFileWriterCounts(&w, &header);
    Check(IntExcFileWriteHeader(&w, &header), "write the header");
    *Size = w.Size;
    return w.Data;
}

/* vCPU 0 in 64-bit long mode, ring 0, in the kernel's address space, about to run Rip. */
static void SetVcpu(BENCH *B, uint64_t Rip, uint64_t Target)
{
    INTRO_BACKEND_REGS regs;

    memset(&regs, 0, sizeof(regs));
    regs.Arch.Cr0 = 0x80000001ull;
    regs.Arch.Cr4 = 0x30ull;
    regs.Arch.Cr3 = KCR3;
    regs.Arch.Rip = Rip;
    regs.Arch.Rax = Target;
    regs.Arch.Rbx = 0x2222;
    regs.Arch.Rcx = MSR_LSTAR;
    regs.Arch.Rdx = 0xFFFFF800;
    regs.Arch.Rsp = DRV_BASE + DRV_VICTIM * DRV_STRIDE + 0x2F00;
    regs.Arch.Flags = 0x246;
    regs.Efer = 0xD01;
    regs.Msrs = INTRO_BACKEND_MSR_EFER;
    regs.Cs.Attributes = 0xA9B;
    regs.Ss.Attributes = 0xC93;
    Check(IntReplaySetRegisters(B->Replay, 0, &regs), "set vCPU 0");
}

/* The drivers: .text at +0x1000 (`mov [rax], rbx` at its start), .data at +0x2000. */
static void DeclareDrivers(BENCH *B)
{
    static const uint8_t code[] = {0x48, 0x89, 0x18, 0x0F, 0x30}; /* mov [rax], rbx; wrmsr */
    static uint8_t data[0x1000];
    static const INTRO_GUEST_SECTION sections[] = {
        {".text", 0x1000, 0x1000, INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE},
        {".data", 0x2000, 0x1000, INTRO_SECTION_WRITE},
    };
    char name[32];

    for (uint32_t i = 0; i < DRV_COUNT; i++)
    {
        INTRO_GUEST_MODULE m;
        uint64_t base = DRV_BASE + i * DRV_STRIDE;

        DriverName(i, name, sizeof(name));
        memset(&m, 0, sizeof(m));
        m.StructSize = sizeof(m);
        m.Name = name;
        m.NameLength = (DWORD)strlen(name);
        m.Base = base;
        m.ImageSize = 0x3000;
        m.Sections = sections;
        m.SectionCount = 2;
        Check(IntGuestAddModule(B->Guest, INTRO_GUEST_KERNEL, &m), "declare a driver");
        Check(IntReplayMapVirtual(B->Replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, base + 0x1000, code, sizeof(code)),
              "map a driver's code");
        Check(IntReplayMapVirtual(B->Replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, base + 0x2000, data, sizeof(data)),
              "map a driver's data");
    }
}

static void Start(BENCH *B)
{
    UPPER_IFACE upper;
    GUEST_INFO info;
    INTRO_GUEST_ZONE zone;
    QWORD id = 0;
    uint8_t *rules;
    size_t size = 0;

    memset(B, 0, sizeof(*B));
    Check(IntReplayCreate(1, &B->Replay), "create the replay guest");
    Check(IntGlueGuestCreate(IntReplayBackend(), B->Replay, &B->Guest), "create the glue guest");
    IntReplaySetSinks(B->Replay, CountAlert, NULL, B);
    IntGlueFillInterfaces(&B->Glue, &upper);
    upper.TracePrint = QuietLog;
    Check(IntInit(&B->Glue, &upper), "IntInit");
    Check(B->Glue.NewGuestNotification(B->Guest, 0, NULL, 0), "NewGuestNotification");
    memset(&info, 0, sizeof(info));
    info.Type = introGuestWindows;
    info.Guest64 = TRUE;
    info.OsVersion = 19041;
    Check(IntSetGuestInfo(B->Guest, &info), "declare the guest");
    Check(IntGuestSetSystemCr3(B->Guest, KCR3), "set the system CR3");
    SetVcpu(B, DRV_BASE + DRV_WRITER * DRV_STRIDE + 0x1000, 0);
    DeclareDrivers(B);

    memset(&zone, 0, sizeof(zone));
    zone.StructSize = sizeof(zone);
    zone.Kind = introZoneMemory;
    zone.ObjectType = INTRO_EXC_OBJ_KM_MODULE;
    zone.Access = IG_EPT_HOOK_WRITE;
    zone.Gva = DRV_BASE + DRV_VICTIM * DRV_STRIDE + 0x2000;
    zone.Length = 0x800;
    zone.Pid = INTRO_GUEST_KERNEL;
    zone.Owner = DRV_BASE + DRV_VICTIM * DRV_STRIDE;
    Check(IntGuestProtect(B->Guest, &zone, &id), "protect the victim's data");
    memset(&zone, 0, sizeof(zone));
    zone.StructSize = sizeof(zone);
    zone.Kind = introZoneMsr;
    zone.Index = MSR_LSTAR;
    zone.Pid = INTRO_GUEST_KERNEL;
    Check(IntGuestProtect(B->Guest, &zone, &id), "protect LSTAR");

    rules = Rules(&size);
    Check(IntUpdateExceptions(B->Guest, rules, (DWORD)size, 0), "load the exceptions");
    free(rules);
}

static void Stop(BENCH *B)
{
    (void)B->Glue.DisableIntro(B->Guest, 0);
    (void)IntUninit();
    IntGlueGuestDestroy(B->Guest);
    IntReplayDestroy(B->Replay);
}

static double NowNs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* N events of Case; returns nanoseconds.  Exits on a wrong action or status. */
static double Run(BENCH *B, const BENCH_CASE *Case, uint32_t N)
{
    uint64_t target = DRV_BASE + DRV_VICTIM * DRV_STRIDE + 0x2000 + Case->Offset;
    QWORD gpa = 0;
    double start;

    Check(IntReplayTranslate(B->Replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, target, &gpa), "translate the target");
    SetVcpu(B, DRV_BASE + Case->Driver * DRV_STRIDE + 0x1000 + (Case->Msr ? 3 : 0), target);
    start = NowNs();
    for (uint32_t i = 0; i < N; i++)
    {
        INTRO_ACTION action = introGuestRetry;
        QWORD value = 0xFFFFF80010001000ull;
        INTSTATUS status = Case->Msr ? IntGlueMsrWrite(B->Guest, 0, MSR_LSTAR, 0xFFFFF80000001000ull, &value, &action)
                                     : IntGlueEptViolation(B->Guest, 0, gpa, target, IG_EPT_HOOK_WRITE, 0, &action);

        if (status != Case->ExpectedStatus || action != Case->Expected)
        {
            fprintf(stderr, "bench_pipeline: %s: event %u got %s, action %d (expected %s, action %d)\n", Case->Name, i,
                    IntStatusToString(status), (int)action, IntStatusToString(Case->ExpectedStatus),
                    (int)Case->Expected);
            exit(1);
        }
    }
    return NowNs() - start;
}

static int CompareDouble(const void *A, const void *B)
{
    double a = *(const double *)A, b = *(const double *)B;

    return (a > b) - (a < b);
}

static uint32_t ParseCount(const char *Option, const char *Text)
{
    char *end = NULL;
    unsigned long v = strtoul(Text ? Text : "", &end, 10);

    if (!Text || *end || v == 0 || v > 100000000ul)
    {
        fprintf(stderr, "bench_pipeline: %s expects a count from 1 to 100000000\n", Option);
        exit(2);
    }
    return (uint32_t)v;
}

int main(int Argc, char **Argv)
{
    uint32_t events = 10000, reps = 9;
    const char *only = NULL;
    double samples[101];
    BENCH b;

    for (int i = 1; i < Argc; i++)
    {
        if (strcmp(Argv[i], "--events") == 0)
        {
            events = ParseCount("--events", i + 1 < Argc ? Argv[++i] : NULL);
        }
        else if (strcmp(Argv[i], "--reps") == 0)
        {
            reps = ParseCount("--reps", i + 1 < Argc ? Argv[++i] : NULL);
            reps = reps > 101 ? 101 : reps;
        }
        else if (strcmp(Argv[i], "--only") == 0 && i + 1 < Argc)
        {
            only = Argv[++i];
        }
        else
        {
            fprintf(stderr, "usage: bench_pipeline [--events N] [--reps R] [--only CASE]\n");
            return 2;
        }
    }
    Start(&b);
    printf("pipeline: %u drivers, %u exceptions, %u events x %u reps per case\n", DRV_COUNT, GENERATED + 2, events,
           reps);
    printf("%-12s %12s %12s %14s %8s\n", "case", "median ns", "min ns", "events/s", "alerts");
    for (size_t c = 0; c < sizeof(gCases) / sizeof(gCases[0]); c++)
    {
        const BENCH_CASE *k = &gCases[c];
        uint64_t alerts = b.Alerts;

        if (only && strcmp(only, k->Name) != 0)
        {
            continue;
        }
        Run(&b, k, events < 100 ? events : 100); /* warm the caches and the decoder */
        alerts = b.Alerts;
        for (uint32_t r = 0; r < reps; r++)
        {
            samples[r] = Run(&b, k, events) / events;
        }
        qsort(samples, reps, sizeof(samples[0]), CompareDouble);
        printf("%-12s %12.0f %12.0f %14.0f %8" PRIu64 "\n", k->Name, samples[reps / 2], samples[0],
               1e9 / samples[reps / 2], b.Alerts - alerts);
    }
    if (IntGluePauseDepth(b.Guest) != 0)
    {
        fprintf(stderr, "bench_pipeline: the vCPUs were left paused\n");
        return 1;
    }
    Stop(&b);
    return 0;
}
