/*
 * bench_xen: the Xen backend's event path on the fake Xen (tests/xen/fake_xen.c), single core.
 *
 *   bench_xen [--reps N] [--events N]
 *
 * 1. Requests per second through fake ring -> backend -> library -> response: batches of 8 (a full
 *    ring) pushed with the front-ring macros, drained by IgXenPoll on this thread, answered, taken
 *    back.  Three paths: no handler (the ring and the answer only), the protection pipeline with an
 *    exception that allows the write, and with none (a block, an alert, the instruction decoded).
 * 2. The mapping cache's hit rate on a replayed recording: a live session with recording on writes
 *    a trace; the trace is then read back (the tools' reader) and its events fed again through a
 *    fresh backend whose fake memory holds the recorded pages, for several cache sizes.
 *
 * The guest: 8 drivers, each with code and a protected data page, in 4-level page tables made by
 * the replay backend.  Event i: driver (i * 5) % 8 writes driver i % 8's data; driver k may write
 * driver k's data only.  Prints medians over --reps runs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_xen.h"
#include "gen_exceptions.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "trace.h"
#include "xen_int.h"

#define KCR3 0x1AA000ull
#define DRIVERS 8u
#define DRIVER_BASE(i) (0xFFFFF80010000000ull + (uint64_t)(i)*0x100000ull)
#define FRAMES 0x800u

typedef enum BENCH_PATH
{
    BenchNoHandler,
    BenchAllowed,
    BenchMixed,
} BENCH_PATH;

typedef struct BENCH
{
    FAKE_XEN Fake;
    INTRO_XEN *Xen;
    INTRO_GLUE_GUEST *Guest;
    GLUE_IFACE Glue;
    bool Library;
    uint64_t Gpa[DRIVERS]; /* each driver's protected data */
} BENCH;

static INTSTATUS Quiet(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS;
}

static double NowSeconds(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int CompareDoubles(const void *A, const void *B)
{
    double a = *(const double *)A, b = *(const double *)B;

    return a < b ? -1 : a > b;
}

static void Die(const char *What)
{
    fprintf(stderr, "bench_xen: %s\n", What);
    exit(1);
}

/* Drivers with code (`mov [rax], rbx`) and data, under KCR3, copied into the fake. */
static void MakeMemory(BENCH *B)
{
    static uint8_t zeros[0x3000];
    static const uint8_t mov[] = {0x48, 0x89, 0x18};
    INTRO_REPLAY *replay;
    INTRO_BACKEND_INFO info;
    QWORD gpa = 0;

    if (!INT_SUCCESS(IntReplayCreate(1, &replay)) || !INT_SUCCESS(IntReplayAddPage(replay, KCR3, zeros)))
    {
        Die("cannot build the guest");
    }
    for (uint32_t i = 0; i < DRIVERS; i++)
    {
        if (!INT_SUCCESS(
                IntReplayMapVirtual(replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, DRIVER_BASE(i), zeros, sizeof(zeros))) ||
            !INT_SUCCESS(
                IntReplayMapVirtual(replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, DRIVER_BASE(i) + 0x1000, mov, 3)) ||
            !INT_SUCCESS(IntReplayTranslate(replay, KCR3, INTRO_REPLAY_PAGING_4LEVEL, DRIVER_BASE(i) + 0x2000, &gpa)))
        {
            Die("cannot map a driver");
        }
        B->Gpa[i] = gpa;
    }
    (void)IntReplayBackend()->GetInfo(replay, &info);
    for (QWORD gfn = 0; gfn <= info.MaxGfn && gfn < FRAMES; gfn++)
    {
        void *page = NULL;

        if (INT_SUCCESS(IntReplayBackend()->MapPage(replay, gfn, FALSE, &page)))
        {
            FakeXenSetPage(&B->Fake, gfn, page);
            IntReplayBackend()->UnmapPage(replay, page);
        }
    }
    IntReplayDestroy(replay);
}

/* "driver3.sys" may write "driver3.sys"'s data, for every driver. */
static IG_GEN_BUFFER MakeExceptions(void)
{
    IG_GEN_BUFFER b = {0};
    IG_GEN_HEADER h = {2, 2, DRIVERS, 0, 0, 1, 0, 0};
    uint32_t hashes[DRIVERS];

    for (uint32_t i = 0; i < DRIVERS; i++)
    {
        char name[32];

        snprintf(name, sizeof(name), "driver%u.sys", i);
        if (!INT_SUCCESS(
                IntNameHash(INTRO_EXC_OS_WINDOWS, INTRO_NAME_KERNEL_MODULE, name, strlen(name), 0, &hashes[i])))
        {
            Die("cannot hash");
        }
    }
    /* Records sorted by originator, as hvmi's compiler writes them. */
    for (uint32_t i = 0; i < DRIVERS; i++)
    {
        for (uint32_t j = i + 1; j < DRIVERS; j++)
        {
            if (hashes[j] < hashes[i])
            {
                uint32_t t = hashes[i];

                hashes[i] = hashes[j];
                hashes[j] = t;
            }
        }
    }
    IgGenPutHeader(&b, &h);
    for (uint32_t i = 0; i < DRIVERS; i++)
    {
        IgGenPutException(&b, IG_GEN_REC_KERNEL, hashes[i], 0xFFFFFFFFu, hashes[i], 0x20000006u,
                          INTRO_EXCFILE_KM_OBJ_DRIVER_DATA, NULL, 0);
    }
    return b;
}

/*
 * A backend on the fake with the guest declared (Library) or with no handler at all; the fake's
 * memory holds the guest (Memory) or nothing yet (a replay brings its pages).
 */
static void Start(BENCH *B, bool Library, uint32_t CacheSize, FILE *Record, bool Memory)
{
    INTRO_XEN_CONFIG config;
    UPPER_IFACE upper;
    GUEST_INFO info = {introGuestWindows, 0, TRUE, 19041, 0, {0}};
    static const INTRO_GUEST_SECTION sections[] = {
        {".text", 0x1000, 0x1000, INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE},
        {".data", 0x2000, 0x1000, INTRO_SECTION_WRITE},
    };
    bool ok;

    memset(B, 0, sizeof(*B));
    FakeXenInit(&B->Fake, 1, FRAMES);
    B->Fake.Cpu[0].cr3 = KCR3;
    if (Memory)
    {
        MakeMemory(B);
    }
    FakeXenConfig(&B->Fake, &config);
    config.MapCacheSize = CacheSize;
    ok = INT_SUCCESS(IgXenCreateWithOps(&config, &B->Fake.Ops, &B->Xen)) && INT_SUCCESS(IntXenAttach(B->Xen)) &&
         (!Record || INT_SUCCESS(IntXenRecordStart(B->Xen, Record, &info, KCR3))) &&
         INT_SUCCESS(IntGlueGuestCreate(IntXenBackend(), B->Xen, &B->Guest));
    B->Xen->Guest = B->Guest;
    B->Xen->NextTickMs = UINT64_MAX;
    B->Library = Library;
    if (!ok || !Library)
    {
        if (!ok)
        {
            Die("cannot attach");
        }
        return;
    }
    IntGlueFillInterfaces(&B->Glue, &upper);
    upper.TracePrint = Quiet;
    ok = INT_SUCCESS(IntInit(&B->Glue, &upper)) && INT_SUCCESS(B->Glue.NewGuestNotification(B->Guest, 0, NULL, 0)) &&
         INT_SUCCESS(IntSetGuestInfo(B->Guest, &info)) && INT_SUCCESS(IntGuestSetSystemCr3(B->Guest, KCR3));
    for (uint32_t i = 0; ok && i < DRIVERS; i++)
    {
        char name[32];
        INTRO_GUEST_MODULE m = {sizeof(m), 0, name, 0, DRIVER_BASE(i), 0x3000, 0, 0, sections, 2, 0, 0, 0, 0, 0, 0};
        INTRO_GUEST_ZONE z = {sizeof(z),
                              introZoneMemory,
                              introObjectTypeKmModule,
                              IG_EPT_HOOK_WRITE,
                              DRIVER_BASE(i) + 0x2000,
                              0x1000,
                              INTRO_GUEST_KERNEL,
                              0,
                              DRIVER_BASE(i),
                              0,
                              NULL,
                              0};
        QWORD id = 0;

        m.NameLength = (DWORD)snprintf(name, sizeof(name), "driver%u.sys", i);
        ok = INT_SUCCESS(IntGuestAddModule(B->Guest, INTRO_GUEST_KERNEL, &m)) &&
             INT_SUCCESS(IntXenRecordModule(B->Xen, INTRO_GUEST_KERNEL, &m)) &&
             INT_SUCCESS(IntGuestProtect(B->Guest, &z, &id)) && INT_SUCCESS(IntXenRecordZone(B->Xen, id, &z));
    }
    if (!ok)
    {
        Die("cannot declare the guest");
    }
}

static void LoadRules(BENCH *B)
{
    IG_GEN_BUFFER rules = MakeExceptions();

    if (rules.Failed || !INT_SUCCESS(IntUpdateExceptions(B->Guest, rules.Data, (DWORD)rules.Size, 0)) ||
        !INT_SUCCESS(IntXenRecordRules(B->Xen, rules.Data, rules.Size, NULL)))
    {
        Die("cannot load the exceptions");
    }
    IgGenBufferFree(&rules);
}

static void Stop(BENCH *B)
{
    if (B->Library)
    {
        (void)B->Glue.DisableIntro(B->Guest, 0);
        (void)IntUninit();
    }
    if (!INT_SUCCESS(IntXenRecordStop(B->Xen)))
    {
        Die("the recording could not be written");
    }
    IntXenDestroy(B->Xen);
    IntGlueGuestDestroy(B->Guest);
    FakeXenFree(&B->Fake);
}

/* Event I as a request: driver (I * 5) % 8 (or driver I % 8 itself on Allowed) writes driver I % 8's data. */
static void Request(BENCH *B, uint64_t I, bool Allowed, vm_event_request_t *Req)
{
    uint32_t victim = (uint32_t)(I % DRIVERS);
    uint32_t writer = Allowed ? victim : (uint32_t)((I * 5) % DRIVERS);
    uint64_t gva = DRIVER_BASE(victim) + 0x2000 + (I * 8) % 0x1000;

    FakeXenMemRequest(&B->Fake, 0, (B->Gpa[victim] & ~0xFFFull) | (gva & 0xFFF), gva, MEM_ACCESS_W, Req);
    Req->data.regs.x86.rip = DRIVER_BASE(writer) + 0x1000;
    Req->data.regs.x86.rax = gva;
    Req->data.regs.x86.rbx = I;
}

/* Events requests in full-ring batches; the seconds they took. */
static double Run(BENCH *B, uint64_t Events, BENCH_PATH Path)
{
    vm_event_response_t rsp[8];
    vm_event_request_t req;
    double start = NowSeconds();
    uint64_t answered = 0;

    for (uint64_t i = 0; i < Events;)
    {
        for (uint32_t k = 0; k < 8 && i < Events; k++, i++)
        {
            Request(B, i, Path == BenchAllowed, &req);
            if (!FakeXenPush(&B->Fake, &req))
            {
                Die("the ring is full");
            }
        }
        FakeXenKick(&B->Fake);
        if (!INT_SUCCESS(IgXenPoll(B->Xen, 0)))
        {
            Die(IntXenError(B->Xen));
        }
        answered += FakeXenTake(&B->Fake, rsp, 8);
    }
    if (answered != Events)
    {
        Die("a request went unanswered");
    }
    return NowSeconds() - start;
}

static void Throughput(unsigned Reps, uint64_t Events)
{
    static const char *const names[] = {"ring only (no handler)", "pipeline, allowed by an exception",
                                        "pipeline, mixed (7 of 8 blocked, alerts)"};

    for (int path = BenchNoHandler; path <= BenchMixed; path++)
    {
        double *rates = calloc(Reps, sizeof(double));

        for (unsigned r = 0; r < Reps; r++)
        {
            BENCH b;

            Start(&b, path != BenchNoHandler, 0, NULL, true);
            if (path != BenchNoHandler)
            {
                LoadRules(&b);
            }
            rates[r] = (double)Events / Run(&b, Events, (BENCH_PATH)path);
            Stop(&b);
        }
        qsort(rates, Reps, sizeof(double), CompareDoubles);
        printf("  %-44s median %10.0f requests/s (min %.0f, max %.0f; %u runs of %" PRIu64 ")\n", names[path],
               rates[Reps / 2], rates[0], rates[Reps - 1], Reps, Events);
        free(rates);
    }
}

/* ---- The cache on a replayed recording --------------------------------------------------------- */

/* Feeds the recording's pages, declarations and events to a fresh backend with CacheSize slots. */
static void Replay(FILE *Trace, uint32_t CacheSize, INTRO_XEN_STATS *Stats)
{
    IG_TRACE *trace = NULL;
    IG_TRACE_RECORD rec;
    IG_TRACE_ERROR error;
    BENCH b;
    QWORD id = 0;
    INTSTATUS status;

    rewind(Trace);
    Start(&b, false, CacheSize, NULL, false);
    b.Library = true;
    {
        UPPER_IFACE upper;
        GUEST_INFO info = {introGuestWindows, 0, TRUE, 19041, 0, {0}};

        IntGlueFillInterfaces(&b.Glue, &upper);
        upper.TracePrint = Quiet;
        if (!INT_SUCCESS(IntInit(&b.Glue, &upper)) || !INT_SUCCESS(b.Glue.NewGuestNotification(b.Guest, 0, NULL, 0)) ||
            !INT_SUCCESS(IntSetGuestInfo(b.Guest, &info)) || !INT_SUCCESS(IntGuestSetSystemCr3(b.Guest, KCR3)) ||
            !INT_SUCCESS(IgTraceOpen(Trace, &trace)))
        {
            Die("cannot start the replay");
        }
    }
    while ((status = IgTraceNext(trace, &rec, &error)) == INT_STATUS_SUCCESS)
    {
        vm_event_request_t req;
        vm_event_response_t rsp;

        switch (rec.Type)
        {
            case IgTracePage:
                FakeXenSetPage(&b.Fake, rec.Address >> 12, rec.Data);
                break;
            case IgTraceModule:
                status = IntGuestAddModule(b.Guest, rec.Pid, &rec.Module);
                break;
            case IgTraceZone:
                status = IntGuestProtect(b.Guest, &rec.Zone, &id);
                break;
            case IgTraceRules:
                status = IntUpdateExceptions(b.Guest, (PBYTE)(uintptr_t)rec.Data, rec.DataSize, 0);
                break;
            case IgTraceEvent:
                FakeXenMemRequest(&b.Fake, 0, rec.Event.Gpa, rec.Event.Gla, MEM_ACCESS_W, &req);
                req.data.regs.x86.rip = rec.Regs->Arch.Rip;
                req.data.regs.x86.rax = rec.Regs->Arch.Rax;
                req.data.regs.x86.rbx = rec.Regs->Arch.Rbx;
                if (!FakeXenPush(&b.Fake, &req) || !INT_SUCCESS(IgXenPoll(b.Xen, 0)) ||
                    FakeXenTake(&b.Fake, &rsp, 1) != 1)
                {
                    Die("a replayed event went unanswered");
                }
                break;
            default:
                break;
        }
        if (!INT_SUCCESS(status))
        {
            Die("the recording does not replay");
        }
    }
    if (status != INT_STATUS_NO_MORE_ENTRIES)
    {
        fprintf(stderr, "line %" PRIu64 ": %s %s\n", error.Line, error.Field, error.Message);
        Die("cannot read the recording");
    }
    IntXenGetStats(b.Xen, Stats);
    IgTraceClose(trace);
    Stop(&b);
}

static void CacheHitRate(uint64_t Events)
{
    static const uint32_t sizes[] = {4, 16, 64, 256};
    FILE *trace = tmpfile();
    BENCH b;
    INTRO_XEN_STATS stats;

    if (!trace)
    {
        Die("no temporary file");
    }
    Start(&b, true, 0, trace, true);
    LoadRules(&b);
    (void)Run(&b, Events, BenchMixed);
    Stop(&b);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
    {
        Replay(trace, sizes[i], &stats);
        printf("  cache of %3u mappings: %6.2f%% hits (%llu hits, %llu maps, %llu requests)\n", sizes[i],
               100.0 * (double)stats.MapHits / (double)(stats.MapHits + stats.MapMisses),
               (unsigned long long)stats.MapHits, (unsigned long long)stats.MapMisses,
               (unsigned long long)stats.Requests);
    }
    fclose(trace);
}

int main(int Argc, char **Argv)
{
    unsigned reps = 5;
    uint64_t events = 40000;

    for (int i = 1; i + 1 < Argc; i += 2)
    {
        if (strcmp(Argv[i], "--reps") == 0)
        {
            reps = (unsigned)strtoul(Argv[i + 1], NULL, 10);
        }
        else if (strcmp(Argv[i], "--events") == 0)
        {
            events = strtoull(Argv[i + 1], NULL, 10);
        }
    }
    reps = reps ? (reps > 50 ? 50 : reps) : 1;
    printf("bench_xen: fake ring -> Xen backend -> library -> response, one thread, batches of 8\n");
    Throughput(reps, events);
    printf("bench_xen: mapping cache on a replayed recording of %" PRIu64 " events (8 drivers)\n", events / 20);
    CacheHitRate(events / 20);
    return 0;
}
