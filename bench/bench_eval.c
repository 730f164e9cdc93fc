/*
 * bench_eval: cost of one IntExceptEvaluate, for a hit (an exception allows) and a miss (nothing
 * does), kernel and user, on hvmi's corpus and on generated files of 20,000 and 100,000
 * exceptions.  Each case also runs with the index switched off (hvmi's exhaustive list walks)
 * to show what the index saves.
 *
 *   bench_eval [--reps N] [--batch N] [--only CASE] [--iterations N]
 *
 * Prints the median and minimum nanoseconds per evaluation over N repetitions of a batch.  With
 * --only CASE --iterations N it runs just that case N times without timing, for callgrind:
 *
 *   valgrind --tool=callgrind --toggle-collect=IntExceptEvaluate bench_eval --only gen20k/kernel-hit --iterations 1000
 *
 * and divides the "Collected" instruction count by N.  The generated files are built here with the
 * library's writer (intro_excfile.h), with a fixed pattern (no randomness):
 * per 20,000 exceptions, 9,800 named kernel exceptions (driver i may write driver i's code),
 * 9,800 named user exceptions (process i may inject into process i), and 200 of each kind with a
 * `*` originator and a specific victim - the exceptions hvmi walks for every violation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/crc32.h"
#include "exceptions/exceptions_int.h"

#define BENCH_GENERIC_PER_20K 200u

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
    char From[32]; /* process names the violation points to */
    char To[32];
} BENCH_CASE;

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

int main(int argc, char **argv)
{
    static BENCH_CASE cases[64];
    IG_RULESET *keep[8] = {0};
    uint32_t count = 0;
    uint32_t reps = 101, batch = 2000, iterations = 0;
    const char *only = NULL;

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
        else
        {
            fprintf(stderr, "usage: bench_eval [--reps N] [--batch N] [--only CASE] [--iterations N]\n");
            return 2;
        }
    }
    if (reps == 0 || reps > 100000 || batch == 0 || batch > 10000000)
    {
        fprintf(stderr, "bench_eval: --reps 1..100000, --batch 1..10000000\n");
        return 2;
    }

    AddCorpus(cases, &count, &keep[0]);
    AddGenerated(cases, &count, "gen20k", 20000, false, &keep[1]);
    AddGenerated(cases, &count, "gen100k", 100000, false, &keep[2]);
    AddGenerated(cases, &count, "gen20k", 20000, true, &keep[3]);
    AddGenerated(cases, &count, "gen100k", 100000, true, &keep[4]);

    if (!only)
    {
        printf("%-26s %10s %10s %8s\n", "case", "median ns", "min ns", "tried");
    }
    for (uint32_t k = 0; k < count; k++)
    {
        BENCH_CASE *c = &cases[k];
        INTRO_EXC_VERDICT verdict;
        double *samples;

        if (only && strcmp(only, c->Name) != 0)
        {
            continue;
        }
        if (!INT_SUCCESS(IntExceptEvaluate(c->Rules, &c->Violation, &verdict)) || verdict.Action != c->ExpectAction)
        {
            fprintf(stderr, "bench_eval: %s: unexpected verdict %u/%u\n", c->Name, verdict.Action, verdict.Reason);
            return 1;
        }
        if (only && iterations)
        {
            for (uint32_t i = 0; i < iterations; i++)
            {
                if (!INT_SUCCESS(IntExceptEvaluate(c->Rules, &c->Violation, &verdict)))
                {
                    return 1;
                }
            }
            printf("%s: %u evaluations\n", c->Name, iterations);
            continue;
        }
        samples = calloc(reps, sizeof(*samples));
        for (uint32_t r = 0; r < reps; r++)
        {
            uint64_t start = NowNs();

            for (uint32_t i = 0; i < batch; i++)
            {
                if (!INT_SUCCESS(IntExceptEvaluate(c->Rules, &c->Violation, &verdict)))
                {
                    return 1;
                }
            }
            samples[r] = (double)(NowNs() - start) / batch;
        }
        qsort(samples, reps, sizeof(*samples), CompareDouble);
        printf("%-26s %10.1f %10.1f %8u\n", c->Name, samples[reps / 2], samples[0], verdict.Tried);
        free(samples);
    }
    for (uint32_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
    {
        IgRuleSetRelease(keep[i]);
    }
    return 0;
}
