/*
 * bench_eval: cost of one IntExceptEvaluate, for a hit (an exception allows) and a miss (nothing
 * does), kernel and user, on hvmi's corpus and on generated files, without signatures and with a
 * code-blocks signature that reads the violation's code.  Each generated size can also run with
 * the index switched off (hvmi's exhaustive list walks) to show what the index saves.
 *
 *   bench_eval [--reps N] [--batch N] [--sizes LIST] [--no-walk] [--machine] [--only CASE] [--iterations N]
 *
 * --sizes is a comma list of corpus, 1k, 20k, 100k, 1m (default corpus,20k,100k); walks run for
 * 20k and 100k unless --no-walk.  Prints the median and minimum nanoseconds per evaluation over N
 * repetitions of a batch (--machine adds one "bench.v1" line per case).  With --only CASE
 * --iterations N it runs just that case N times without timing, for callgrind:
 *
 *   valgrind --tool=callgrind --toggle-collect=IntExceptEvaluate bench_eval --only gen20k/kernel-hit --iterations 1000
 *
 * and divides the "Collected" instruction count by N + 1 (the case is also run once to check it).
 * --count N instead runs every selected case N times in BenchCountLoop, one call per case, so one
 * callgrind run with --toggle-collect=BenchCountLoop --dump-after=BenchCountLoop counts them all.
 * The generated files are built here with the library's writer (intro_excfile.h), with a fixed
 * pattern (no randomness): per 20,000 exceptions, 9,800 named kernel exceptions (driver i may
 * write driver i's code), 9,800 named user exceptions (process i may inject into process i), and
 * 200 of each kind with a `*` originator and a specific victim - the exceptions hvmi walks for
 * every violation.  Two more exceptions (sigdrv.sys writing sigvic.sys, sigsrc.exe injecting into
 * sigtgt.exe) each need a code-blocks signature: six hashes of a real compiled code page
 * (tests/data/code_samples.h, 64-bit), score 5.  Their cases:
 *
 *   *-sig-hit        the violation's code is that page: extraction (answered by the code
 *                    context's cache after the first time, as for repeated violations) and a match
 *   *-sig-hit-cold   the same with the cache emptied before each evaluation: decode and hash too
 *   *-sig-miss       other code (the §3.9 sequence): extracted, no list matches, blocked
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/data/code_samples.h"
#include "common/crc32.h"
#include "exceptions/codeblocks_int.h"
#include "exceptions/exceptions_int.h"

#define BENCH_GENERIC_PER_20K 200u
#define BENCH_MAX_CASES 128u
#define CODE_PAGE_KERNEL 0xFFFFF80012340000ull /* the signed exceptions' code, kernel and user */
#define CODE_PAGE_USER 0x00007FF612340000ull
#define CODE_RIP_OFFSET 0x800u
#define SIG_KERNEL IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 1)
#define SIG_USER IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 2)

/* What the signature cases share: the code pages, a code context and the lists their signatures hold. */
typedef struct BENCH_CODE
{
    uint8_t Page[2 * IG_PAGE_SIZE];  /* real compiled code (and the page after it, the same) */
    uint8_t Other[2 * IG_PAGE_SIZE]; /* the §3.9 sequence: code no signature matches */
    INTRO_EXC_CODE_BYTES KernelBytes, UserBytes, KernelOther, UserOther;
    INTRO_EXC_CODE_CONTEXT *Context;
    uint32_t KernelHashes[6]; /* normal level, at the kernel RIP */
    uint32_t UserHashes[6];   /* medium level, at the user RIP */
} BENCH_CODE;

static BENCH_CODE gCode;

typedef struct BENCH_BUFFER
{
    uint8_t *Data;
    size_t Size, Capacity;
} BENCH_BUFFER;

static void *BenchRealloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

static void BenchCheck(INTSTATUS Status)
{
    if (!INT_SUCCESS(Status))
    {
        fprintf(stderr, "bench_eval: cannot write the exceptions file (%s)\n", IntStatusToString(Status));
        exit(1);
    }
}

static void PutException(INTRO_EXCFILE_WRITER *W, uint8_t Type, uint32_t Originator, uint32_t Victim, uint8_t Object)
{
    INTRO_EXCFILE_EXCEPTION e = {.Originator = Originator,
                                 .OriginatorPath = INTRO_EXCFILE_NO_NAME,
                                 .Victim = Victim,
                                 .Flags = IG_FLG_32 | IG_FLG_64 | IG_FLG_WRITE,
                                 .ObjectType = Object};

    BenchCheck(IntExcFileWriteException(W, Type, &e));
}

static void PutSigned(INTRO_EXCFILE_WRITER *W, uint8_t Type, uint32_t Originator, uint32_t Victim, uint8_t Object,
                      const uint32_t *SigId)
{
    INTRO_EXCFILE_EXCEPTION e = {.Originator = Originator,
                                 .OriginatorPath = INTRO_EXCFILE_NO_NAME,
                                 .Victim = Victim,
                                 .Flags = IG_FLG_32 | IG_FLG_64 | IG_FLG_WRITE,
                                 .ObjectType = Object,
                                 .SigIds = {NULL, SigId, 1}};

    BenchCheck(IntExcFileWriteException(W, Type, &e));
}

static void PutCodeBlocks(INTRO_EXCFILE_WRITER *W, uint32_t Id, const uint32_t *Hashes)
{
    static const uint8_t sizes[1] = {6};
    INTRO_EXCFILE_CODEBLOCKS cb = {.Id = Id,
                                   .Flags = IG_SIG_FLAG_32 | IG_SIG_FLAG_64,
                                   .Score = 5,
                                   .ListCount = 1,
                                   .HashCount = 6,
                                   .ListSizes = sizes,
                                   .Hashes = Hashes};

    BenchCheck(IntExcFileWriteCodeBlocks(W, &cb));
}

static uint32_t Wide(const char *Text)
{
    return IgNameHashWideAscii(Text, strlen(Text));
}

static uint32_t Narrow(const char *Text)
{
    return IgNameHash(Text, strlen(Text));
}

static void Name(char *Out, size_t Size, const char *Stem, uint32_t I, const char *Ext)
{
    snprintf(Out, Size, "%s%06u.%s", Stem, I, Ext);
}

/* The generated file: Total exceptions, half kernel, half user (see the top comment). */
static BENCH_BUFFER Generate(uint32_t Total)
{
    BENCH_BUFFER b = {0};
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_HEADER header;
    uint32_t half = Total / 2;
    uint32_t generic = (uint32_t)((uint64_t)BENCH_GENERIC_PER_20K * Total / 20000u);
    char a[32], v[32];

    IntExcFileWriterInit(&w, NULL, 0, BenchRealloc, NULL);
    IntExcFileHeaderInit(&header);
    BenchCheck(IntExcFileWriteHeader(&w, &header));
    for (uint32_t i = 0; i < half; i++)
    {
        Name(v, sizeof(v), "vic", i, "sys");
        if (i < generic)
        {
            PutException(&w, IgRecKernel, IG_NAME_ANY, Wide(v), IgKmObjDriver);
        }
        else
        {
            Name(a, sizeof(a), "drv", i, "sys");
            PutException(&w, IgRecKernel, Wide(a), Wide(v), IgKmObjDriverCode);
        }
    }
    for (uint32_t i = 0; i < half; i++)
    {
        Name(v, sizeof(v), "tgt", i, "exe");
        Name(a, sizeof(a), "src", i, "exe");
        PutException(&w, IgRecUser, i < generic ? IG_NAME_ANY : Narrow(a), Narrow(v), IgUmObjProcess);
    }
    {
        static const uint32_t kernelSig = SIG_KERNEL, userSig = SIG_USER;

        PutSigned(&w, IgRecKernel, Wide("sigdrv.sys"), Wide("sigvic.sys"), IgKmObjDriverCode, &kernelSig);
        PutSigned(&w, IgRecUser, Narrow("sigsrc.exe"), Narrow("sigtgt.exe"), IgUmObjProcess, &userSig);
        PutCodeBlocks(&w, SIG_KERNEL, gCode.KernelHashes);
        PutCodeBlocks(&w, SIG_USER, gCode.UserHashes);
    }
    IntExcFileWriterCounts(&w, &header);
    BenchCheck(IntExcFileWriteHeader(&w, &header));
    b.Data = w.Data;
    b.Size = w.Size;
    b.Capacity = w.Capacity;
    return b;
}

/* ---- violations ------------------------------------------------------------------------------------------- */

static void KernelWrite(INTRO_EXC_VIOLATION *V, uint32_t Originator, uint32_t Victim, uint32_t Object)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_KERNEL;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
    V->Kernel.Original.Present = true;
    V->Kernel.Original.NameHash = Originator;
    V->Kernel.Original.Rip = 0xFFFFF80012341000ull;
    strcpy(V->Kernel.Original.Section, ".text");
    V->Kernel.Return = V->Kernel.Original;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_LIB_CODE;
    V->Victim.ObjectType = Object;
    V->Victim.NameHash = Victim;
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.OldValue[0] = 1;
    V->Victim.v.WriteInfo.NewValue[0] = 2;
}

static void Injection(INTRO_EXC_VIOLATION *V, const char *From, const char *To)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_USER;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
    V->User.Process.Present = true;
    V->User.Process.Name = From;
    V->User.Process.NameLength = (uint32_t)strlen(From);
    V->User.Process.NameHash = Narrow(From);
    V->User.NameHash = V->User.Process.NameHash;
    V->User.Name.Text = From;
    V->User.Name.Length = V->User.Process.NameLength;
    V->Victim.ZoneType = INTRO_EXC_ZONE_PROCESS;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    V->Victim.NameHash = Narrow(To);
    V->Victim.Process.Present = true;
    V->Victim.Process.NameHash = V->Victim.NameHash;
    V->Victim.u.Injection.Gva = 0x20000;
    V->Victim.u.Injection.Length = 64;
}

typedef struct BENCH_CASE
{
    char Name[48];
    IG_RULESET *Rules;
    INTRO_EXC_VIOLATION Violation;
    uint32_t ExpectAction;
    bool Cold;     /* empty the code context's cache before each evaluation */
    char From[32]; /* process names the violation points to */
    char To[32];
} BENCH_CASE;

/* The six hashes of Page at Rip (sorted, as the compiler writes a list), at Level. */
static void PickHashes(uint64_t Rip, IG_CB_LEVEL Level, uint32_t *Out)
{
    IG_GUEST_BYTES range = {0, IG_PAGE_BASE(Rip), gCode.Page, sizeof(gCode.Page)};
    IG_GUEST_BYTE_RANGES ranges = {&range, 1};
    IG_GUEST_VMEM vmem;
    IG_CB_REQUEST req = {&vmem, 0, Rip, false, true, Level};

    IgGuestByteRangesVmem(&ranges, &vmem);
    if (!INT_SUCCESS(IgCbExtract(gCode.Context, &req)) || gCode.Context->HashCount < 12)
    {
        fprintf(stderr, "bench_eval: cannot extract the signature page\n");
        exit(1);
    }
    for (uint32_t i = 0; i < 6; i++)
    {
        Out[i] = gCode.Context->Hashes[(i * gCode.Context->HashCount) / 6]; /* ascending: the hashes are */
    }
}

/* The code pages, the context and the signatures' lists, once for all sizes. */
static void PrepareCode(void)
{
    size_t at = 0;

    while (at < IG_PAGE_SIZE)
    {
        for (size_t i = 0; i < sizeof(gCodeSamples) / sizeof(gCodeSamples[0]) && at < IG_PAGE_SIZE; i++)
        {
            size_t n = gCodeSamples[i].CodeLength;

            if (gCodeSamples[i].Bits != 64)
            {
                continue;
            }
            n = n < IG_PAGE_SIZE - at ? n : IG_PAGE_SIZE - at;
            memcpy(gCode.Page + at, gCodeSamples[i].Code, n);
            at += n;
        }
    }
    memcpy(gCode.Page + IG_PAGE_SIZE, gCode.Page, IG_PAGE_SIZE);
    {
        static const uint8_t seq[] = {0xE8, 0x00, 0x00, 0x00, 0x00, 0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB,
                                      0x00, 0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xAB, 0x87, 0xC8, 0x0F,
                                      0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3, 0x90};

        for (size_t i = 0; i < sizeof(gCode.Other); i++)
        {
            gCode.Other[i] = seq[i % sizeof(seq)];
        }
    }
    if (!INT_SUCCESS(IntExceptCodeContextCreate(IntExceptMallocAllocator(), &gCode.Context)))
    {
        fprintf(stderr, "bench_eval: cannot create a code context\n");
        exit(1);
    }
    PickHashes(CODE_PAGE_KERNEL + CODE_RIP_OFFSET, IgCbLevelNormal, gCode.KernelHashes);
    PickHashes(CODE_PAGE_USER + CODE_RIP_OFFSET, IgCbLevelMedium, gCode.UserHashes);
    gCode.KernelBytes = (INTRO_EXC_CODE_BYTES){0, CODE_PAGE_KERNEL, gCode.Page, sizeof(gCode.Page)};
    gCode.UserBytes = (INTRO_EXC_CODE_BYTES){0, CODE_PAGE_USER, gCode.Page, sizeof(gCode.Page)};
    gCode.KernelOther = (INTRO_EXC_CODE_BYTES){0, CODE_PAGE_KERNEL, gCode.Other, sizeof(gCode.Other)};
    gCode.UserOther = (INTRO_EXC_CODE_BYTES){0, CODE_PAGE_USER, gCode.Other, sizeof(gCode.Other)};
}

/* The violation reads its code from Bytes, in the shared context. */
static void WithCode(INTRO_EXC_VIOLATION *V, const INTRO_EXC_CODE_BYTES *Bytes)
{
    V->Memory.CsType = IG_CS_TYPE_64B;
    V->Memory.Bytes = Bytes;
    V->Memory.BytesCount = 1;
    V->Memory.Context = gCode.Context;
}

static uint64_t NowNs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int CompareDouble(const void *A, const void *B)
{
    double a = *(const double *)A, b = *(const double *)B;
    return a < b ? -1 : a > b;
}

static IG_RULESET *Load(const uint8_t *Data, size_t Size, bool Exhaustive)
{
    IG_RULESET *rules = NULL;
    INTRO_EXCEPTIONS_LOAD_ERROR error;

    if (!INT_SUCCESS(
            IntExceptRuleSetLoad(Data, Size, INTRO_EXC_OS_WINDOWS, IntExceptMallocAllocator(), &rules, &error)))
    {
        fprintf(stderr, "bench_eval: cannot load: %s\n", error.Message);
        exit(1);
    }
    rules->Index.Exhaustive = Exhaustive;
    return rules;
}

static void AddGenerated(BENCH_CASE *Cases, uint32_t *Count, const char *Label, uint32_t Total, bool Exhaustive,
                         IG_RULESET **Keep)
{
    BENCH_BUFFER b = Generate(Total);
    IG_RULESET *rules = Load(b.Data, b.Size, Exhaustive);
    uint32_t hit = Total / 2 - 7; /* a named exception near the end of the file */
    char a[32], v[32];
    BENCH_CASE *c;

    free(b.Data);
    *Keep = rules;

    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "%s%s/kernel-hit", Label, Exhaustive ? "-walk" : "");
    Name(a, sizeof(a), "drv", hit, "sys");
    Name(v, sizeof(v), "vic", hit, "sys");
    KernelWrite(&c->Violation, Wide(a), Wide(v), INTRO_EXC_OBJ_KM_MODULE);
    c->Rules = rules;
    c->ExpectAction = INTRO_EXC_ACTION_ALLOWED;

    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "%s%s/kernel-miss", Label, Exhaustive ? "-walk" : "");
    KernelWrite(&c->Violation, Wide("unknown.sys"), Wide("other.sys"), INTRO_EXC_OBJ_KM_MODULE);
    c->Rules = rules;
    c->ExpectAction = INTRO_EXC_ACTION_NOT_ALLOWED;

    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "%s%s/user-hit", Label, Exhaustive ? "-walk" : "");
    Name(c->From, sizeof(c->From), "src", hit, "exe");
    Name(c->To, sizeof(c->To), "tgt", hit, "exe");
    Injection(&c->Violation, c->From, c->To);
    c->Rules = rules;
    c->ExpectAction = INTRO_EXC_ACTION_ALLOWED;

    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "%s%s/user-miss", Label, Exhaustive ? "-walk" : "");
    Injection(&c->Violation, "evil.exe", "victim.exe");
    c->Rules = rules;
    c->ExpectAction = INTRO_EXC_ACTION_NOT_ALLOWED;

    if (Exhaustive)
    {
        return;
    }
    /* The signed exceptions: hit (cache warm, then cold) and miss, kernel and user. */
    for (uint32_t k = 0; k < 6; k++)
    {
        static const char *const names[] = {"kernel-sig-hit", "kernel-sig-hit-cold", "kernel-sig-miss",
                                            "user-sig-hit",   "user-sig-hit-cold",   "user-sig-miss"};
        bool user = k >= 3;
        bool miss = k % 3 == 2;

        c = &Cases[(*Count)++];
        snprintf(c->Name, sizeof(c->Name), "%s/%s", Label, names[k]);
        if (user)
        {
            snprintf(c->From, sizeof(c->From), "sigsrc.exe");
            snprintf(c->To, sizeof(c->To), "sigtgt.exe");
            Injection(&c->Violation, c->From, c->To);
            c->Violation.User.Rip = CODE_PAGE_USER + CODE_RIP_OFFSET;
            WithCode(&c->Violation, miss ? &gCode.UserOther : &gCode.UserBytes);
        }
        else
        {
            KernelWrite(&c->Violation, Wide("sigdrv.sys"), Wide("sigvic.sys"), INTRO_EXC_OBJ_KM_MODULE);
            c->Violation.Kernel.Original.Rip = c->Violation.Kernel.Return.Rip = CODE_PAGE_KERNEL + CODE_RIP_OFFSET;
            WithCode(&c->Violation, miss ? &gCode.KernelOther : &gCode.KernelBytes);
        }
        c->Cold = k % 3 == 1;
        c->Rules = rules;
        c->ExpectAction = miss ? INTRO_EXC_ACTION_NOT_ALLOWED : INTRO_EXC_ACTION_ALLOWED;
    }
}

static void AddCorpus(BENCH_CASE *Cases, uint32_t *Count, IG_RULESET **Keep)
{
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");
    static uint8_t data[1u << 20];
    char path[4096];
    size_t size;
    FILE *f;
    BENCH_CASE *c;

    if (!dir)
    {
        printf("SKIP corpus: INTROGUARD_HVMI_CORPUS not set\n");
        return;
    }
    snprintf(path, sizeof(path), "%s/exceptions.bin", dir);
    f = fopen(path, "rb");
    if (!f)
    {
        fprintf(stderr, "bench_eval: cannot open %s\n", path);
        exit(1);
    }
    size = fread(data, 1, sizeof(data), f);
    fclose(f);
    *Keep = Load(data, size, false);

    /* km-exceptions-write.json: [kernel] -> [hal] hal-heap; a driver doing the same is not excepted. */
    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "corpus/kernel-hit");
    KernelWrite(&c->Violation, INTRO_EXC_NAME_KERNEL, INTRO_EXC_NAME_HAL, INTRO_EXC_OBJ_HAL_HEAP);
    c->Violation.Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    c->Rules = *Keep;
    c->ExpectAction = INTRO_EXC_ACTION_ALLOWED;
    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "corpus/kernel-miss");
    c->Violation = Cases[*Count - 2].Violation;
    c->Violation.Kernel.Original.NameHash = c->Violation.Kernel.Return.NameHash = Wide("evil.sys");
    c->Rules = *Keep;
    c->ExpectAction = INTRO_EXC_ACTION_NOT_ALLOWED;
    /* um-exceptions-chrome.json: explorer.exe -> chrome.exe process; explorer -> firefox is not. */
    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "corpus/user-hit");
    Injection(&c->Violation, "explorer.exe", "chrome.exe");
    c->Rules = *Keep;
    c->ExpectAction = INTRO_EXC_ACTION_ALLOWED;
    c = &Cases[(*Count)++];
    snprintf(c->Name, sizeof(c->Name), "corpus/user-miss");
    Injection(&c->Violation, "explorer.exe", "firefox.exe");
    c->Rules = *Keep;
    c->ExpectAction = INTRO_EXC_ACTION_NOT_ALLOWED;
}

/* The label and exception count of a --sizes entry; false for an unknown one. */
static bool ParseSize(const char *Text, size_t Length, char *Label, size_t LabelSize, uint32_t *Total)
{
    static const struct
    {
        const char *Name;
        uint32_t Total;
    } sizes[] = {{"corpus", 0}, {"1k", 1000}, {"20k", 20000}, {"100k", 100000}, {"1m", 1000000}};

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
    {
        if (strlen(sizes[i].Name) == Length && strncmp(sizes[i].Name, Text, Length) == 0)
        {
            snprintf(Label, LabelSize, "%s%s", sizes[i].Total ? "gen" : "", sizes[i].Name);
            *Total = sizes[i].Total;
            return true;
        }
    }
    return false;
}

/*
 * Count evaluations of one case, not timed: callgrind --toggle-collect=BenchCountLoop
 * --dump-after=BenchCountLoop writes one profile per call, so one run gives every case's
 * instruction count (bench/run.sh).
 */
__attribute__((noinline)) int BenchCountLoop(BENCH_CASE *C, uint32_t Iterations);

__attribute__((noinline)) int BenchCountLoop(BENCH_CASE *C, uint32_t Iterations)
{
    INTRO_EXC_VERDICT verdict;

    for (uint32_t i = 0; i < Iterations; i++)
    {
        if (C->Cold)
        {
            IgCodeContextFlushCache(gCode.Context);
        }
        if (!INT_SUCCESS(IntExceptEvaluate(C->Rules, &C->Violation, &verdict)))
        {
            return 1;
        }
    }
    return 0;
}

static int RunCase(BENCH_CASE *C, uint32_t Reps, uint32_t Batch, bool Machine)
{
    INTRO_EXC_VERDICT verdict;
    double *samples = calloc(Reps, sizeof(*samples));

    if (!samples)
    {
        return 1;
    }
    for (uint32_t r = 0; r < Reps; r++)
    {
        uint64_t start = NowNs();

        for (uint32_t i = 0; i < Batch; i++)
        {
            if (C->Cold)
            {
                IgCodeContextFlushCache(gCode.Context);
            }
            if (!INT_SUCCESS(IntExceptEvaluate(C->Rules, &C->Violation, &verdict)))
            {
                free(samples);
                return 1;
            }
        }
        samples[r] = (double)(NowNs() - start) / Batch;
    }
    qsort(samples, Reps, sizeof(*samples), CompareDouble);
    printf("%-30s %10.1f %10.1f %8u\n", C->Name, samples[Reps / 2], samples[0], verdict.Tried);
    if (Machine)
    {
        const char *slash = strchr(C->Name, '/');

        printf("bench.v1 figure=eval size=%.*s case=%s median_ns=%.1f min_ns=%.1f tried=%u\n", (int)(slash - C->Name),
               C->Name, slash + 1, samples[Reps / 2], samples[0], verdict.Tried);
    }
    free(samples);
    return 0;
}

int main(int argc, char **argv)
{
    static BENCH_CASE cases[BENCH_MAX_CASES];
    IG_RULESET *keep[16] = {0};
    uint32_t kept = 0;
    uint32_t count = 0;
    uint32_t reps = 101, batch = 2000, iterations = 0, countIterations = 0;
    const char *only = NULL;
    const char *sizes = "corpus,20k,100k";
    bool walk = true;
    bool machine = false;
    int rc = 0;

    for (int i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
        {
            reps = (uint32_t)strtoul(argv[++i], NULL, 10);
        }
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
        {
            batch = (uint32_t)strtoul(argv[++i], NULL, 10);
        }
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
        {
            only = argv[++i];
        }
        else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
        {
            iterations = (uint32_t)strtoul(argv[++i], NULL, 10);
        }
        else if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
        {
            sizes = argv[++i];
        }
        else if (!strcmp(argv[i], "--count") && i + 1 < argc)
        {
            countIterations = (uint32_t)strtoul(argv[++i], NULL, 10);
        }
        else if (!strcmp(argv[i], "--no-walk"))
        {
            walk = false;
        }
        else if (!strcmp(argv[i], "--machine"))
        {
            machine = true;
        }
        else
        {
            fprintf(stderr, "usage: bench_eval [--reps N] [--batch N] [--sizes LIST] [--no-walk] [--machine] "
                            "[--only CASE] [--iterations N] [--count N]\n");
            return 2;
        }
    }
    if (reps == 0 || reps > 100000 || batch == 0 || batch > 10000000)
    {
        fprintf(stderr, "bench_eval: --reps 1..100000, --batch 1..10000000\n");
        return 2;
    }

    PrepareCode();
    for (const char *p = sizes; *p;)
    {
        size_t n = strcspn(p, ",");
        char label[32];
        uint32_t total;

        if (!ParseSize(p, n, label, sizeof(label), &total))
        {
            fprintf(stderr, "bench_eval: unknown size '%.*s' (corpus, 1k, 20k, 100k, 1m)\n", (int)n, p);
            return 2;
        }
        /* A case named with --only is built alone, so callgrind sees nothing else. */
        if (!only || strncmp(only, label, strlen(label)) == 0)
        {
            if (total == 0)
            {
                AddCorpus(cases, &count, &keep[kept++]);
            }
            else
            {
                AddGenerated(cases, &count, label, total, false, &keep[kept++]);
                if (walk && (total == 20000 || total == 100000))
                {
                    AddGenerated(cases, &count, label, total, true, &keep[kept++]);
                }
            }
        }
        p += n + (p[n] == ',');
    }

    if (!only)
    {
        printf("%-30s %10s %10s %8s\n", "case", "median ns", "min ns", "tried");
    }
    for (uint32_t k = 0; k < count && rc == 0; k++)
    {
        BENCH_CASE *c = &cases[k];
        INTRO_EXC_VERDICT verdict;

        if (only && strcmp(only, c->Name) != 0)
        {
            continue;
        }
        if (!INT_SUCCESS(IntExceptEvaluate(c->Rules, &c->Violation, &verdict)) || verdict.Action != c->ExpectAction)
        {
            fprintf(stderr, "bench_eval: %s: unexpected verdict %u/%u\n", c->Name, verdict.Action, verdict.Reason);
            rc = 1;
            break;
        }
        if (countIterations)
        {
            printf("count %s %u\n", c->Name, countIterations);
            fflush(stdout);
            rc = BenchCountLoop(c, countIterations);
            continue;
        }
        if (only && iterations)
        {
            for (uint32_t i = 0; i < iterations; i++)
            {
                if (c->Cold)
                {
                    IgCodeContextFlushCache(gCode.Context);
                }
                if (!INT_SUCCESS(IntExceptEvaluate(c->Rules, &c->Violation, &verdict)))
                {
                    rc = 1;
                    break;
                }
            }
            printf("%s: %u evaluations\n", c->Name, iterations);
            continue;
        }
        rc = RunCase(c, reps, batch, machine);
    }
    for (uint32_t i = 0; i < kept; i++)
    {
        IgRuleSetRelease(keep[i]);
    }
    IntExceptCodeContextFree(gCode.Context);
    return rc;
}
