/*
 * bench_load: how long IgRuleSetLoad takes to turn an exceptions file into a rule set.
 *
 * Inputs: hvmi's corpus file ($INTROGUARD_HVMI_CORPUS/exceptions.bin, skipped with a message when
 * the variable is unset), a generated file of 20,000 exceptions (10,000 kernel, 10,000 user, from
 * bench/support/gen_exceptions.h with a fixed seed) and any --file given.  Each is loaded and
 * released many times; the median and minimum are reported per load and per exception record.
 *
 *   bench_load [--reps N] [--once] [--no-corpus] [--no-generated] [--file PATH]... [--sizes LIST] [--machine]
 *
 * --sizes (a comma list of corpus, 1k, 20k, 100k, 1m) replaces the default inputs with the corpus
 * and generated files of those many exceptions (half kernel, half user, the generator's defaults:
 * 2% `*` originators, 10% signed); --machine adds one "bench.v1" line per input with the load time
 * per exception and the rule set's bytes per exception (everything the load allocated for it,
 * search index included).
 * --once loads each input a single time without timing (for callgrind).  The generated file is
 * checked after loading (counts against the generator, no dangling or unsorted data), so a
 * broken loader or generator makes this exit non-zero rather than print a meaningless number.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "exceptions/ruleset.h"
#include "gen_exceptions.h"

#define BENCH_MAX_FILES 8
#define BENCH_MAX_REPS 1000000u

typedef struct BENCH_INPUT
{
    char Name[256];
    uint8_t *Data;
    size_t Size;
    uint32_t Reps;
    const IG_GEN_SUMMARY *Expected; /* generated inputs only */
    IG_GEN_SUMMARY Summary;
    char Label[16]; /* --sizes: corpus, gen1k, ... */
} BENCH_INPUT;

static uint64_t NowNs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int CompareU64(const void *Left, const void *Right)
{
    uint64_t l = *(const uint64_t *)Left;
    uint64_t r = *(const uint64_t *)Right;
    return l < r ? -1 : l > r;
}

static int ReadWholeFile(const char *Path, uint8_t **Data, size_t *Size)
{
    FILE *f = fopen(Path, "rb");
    uint8_t *buf = NULL;
    long len;
    int ok = 0;

    *Data = NULL;
    *Size = 0;
    if (!f)
    {
        fprintf(stderr, "bench_load: cannot open %s: %s\n", Path, strerror(errno));
        return 0;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
    {
        buf = malloc(len ? (size_t)len : 1);
        if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len)
        {
            *Data = buf;
            *Size = (size_t)len;
            buf = NULL;
            ok = 1;
        }
    }
    if (!ok)
    {
        fprintf(stderr, "bench_load: cannot read %s\n", Path);
    }
    free(buf);
    fclose(f);
    return ok;
}

static uint32_t ExceptionRecords(const IG_RULESET *Set)
{
    const IG_LOAD_STATS *s = &Set->Stats;
    return s->RecordsByType[IgRecKernel] + s->RecordsByType[IgRecUser] + s->RecordsByType[IgRecUserApc] +
           s->RecordsByType[IgRecKernelUser] + s->RecordsByType[IgRecUserGlob];
}

/* The generated file must load completely and consistently; anything else is a bug somewhere. */
static int CheckGenerated(const BENCH_INPUT *In, const IG_RULESET *Set)
{
    const IG_GEN_SUMMARY *e = In->Expected;
    const IG_LOAD_STATS *s = &Set->Stats;

    if (Set->ExceptionCount != e->Exceptions || Set->SignatureCount != e->Signatures || s->Records != e->Records ||
        s->DanglingSigRefs || s->UnsortedBuckets || s->DuplicateSigIds || s->SigTypeMismatches || s->UnknownRecords)
    {
        fprintf(stderr,
                "bench_load: %s loaded inconsistently: %" PRIu32 "/%" PRIu32 " exceptions, %" PRIu32 "/%" PRIu32
                " signatures, %" PRIu32 "/%" PRIu32 " records, dangling %" PRIu32 ", unsorted %" PRIu32
                ", duplicate ids %" PRIu32 ", type mismatches %" PRIu32 ", unknown %" PRIu32 "\n",
                In->Name, Set->ExceptionCount, e->Exceptions, Set->SignatureCount, e->Signatures, s->Records,
                e->Records, s->DanglingSigRefs, s->UnsortedBuckets, s->DuplicateSigIds, s->SigTypeMismatches,
                s->UnknownRecords);
        return 0;
    }
    return 1;
}

static int LoadOnce(const BENCH_INPUT *In, IG_RULESET **Set)
{
    IG_PARSE_ERROR error;
    INTSTATUS status;

    memset(&error, 0, sizeof(error));
    status = IgRuleSetLoad(&gIgMallocAllocator, In->Data, In->Size, IgGuestOsWindows, Set, &error);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "bench_load: %s does not load: status 0x%08" PRIX32 " at offset %" PRIu64 ": %s\n", In->Name,
                (uint32_t)status, error.Offset, error.Message);
        return 0;
    }
    return 1;
}

static int RunInput(const BENCH_INPUT *In, int Once, int Machine)
{
    IG_RULESET *set = NULL;
    uint64_t *samples;
    uint32_t exceptions;
    uint32_t records;
    size_t setBytes;
    double perExc;

    if (!LoadOnce(In, &set))
    {
        return 0;
    }
    if (In->Expected && !CheckGenerated(In, set))
    {
        IgRuleSetRelease(set);
        return 0;
    }
    exceptions = ExceptionRecords(set);
    records = set->Stats.Records;
    setBytes = set->AllocSize;
    IgRuleSetRelease(set);
    if (Once)
    {
        printf("%-32s loaded once: %zu bytes, %" PRIu32 " exceptions, %" PRIu32 " records, rule set %zu bytes\n",
               In->Name, In->Size, exceptions, records, setBytes);
        return 1;
    }

    samples = calloc(In->Reps, sizeof(*samples));
    if (!samples)
    {
        return 0;
    }
    for (uint32_t i = 0; i < 3; i++) /* warm caches and the allocator */
    {
        if (!LoadOnce(In, &set))
        {
            free(samples);
            return 0;
        }
        IgRuleSetRelease(set);
    }
    for (uint32_t i = 0; i < In->Reps; i++)
    {
        uint64_t start = NowNs();
        if (!LoadOnce(In, &set))
        {
            free(samples);
            return 0;
        }
        IgRuleSetRelease(set);
        samples[i] = NowNs() - start;
    }
    qsort(samples, In->Reps, sizeof(*samples), CompareU64);

    perExc = exceptions ? (double)exceptions : 1.0;
    printf("%-32s %9zu %10" PRIu32 " %8" PRIu32 " %11zu %7" PRIu32 " %12" PRIu64 " %12" PRIu64 " %10.1f %10.1f\n",
           In->Name, In->Size, exceptions, records, setBytes, In->Reps, samples[In->Reps / 2], samples[0],
           (double)samples[In->Reps / 2] / perExc, (double)samples[0] / perExc);
    if (Machine)
    {
        printf("bench.v1 figure=load size=%s exceptions=%" PRIu32 " file_bytes=%zu median_ns=%" PRIu64
               " median_ns_per_exception=%.2f min_ns_per_exception=%.2f ruleset_bytes=%zu bytes_per_exception=%.2f\n",
               In->Label[0] ? In->Label : "file", exceptions, In->Size, samples[In->Reps / 2],
               (double)samples[In->Reps / 2] / perExc, (double)samples[0] / perExc, setBytes,
               (double)setBytes / perExc);
    }
    free(samples);
    return 1;
}

/* The corpus and generated inputs of a --sizes list; false (with a message) on a bad entry. */
static int AddSizes(const char *List, BENCH_INPUT *Inputs, uint32_t *Count, const char *Corpus)
{
    for (const char *p = List; *p;)
    {
        size_t n = strcspn(p, ",");
        BENCH_INPUT *in = &Inputs[*Count];
        uint32_t total = 0;

        if (*Count >= BENCH_MAX_FILES)
        {
            fprintf(stderr, "bench_load: too many inputs\n");
            return 0;
        }
        if (n == 6 && !strncmp(p, "corpus", 6))
        {
            char path[4096];

            if (!Corpus || !*Corpus)
            {
                printf("SKIP: INTROGUARD_HVMI_CORPUS not set, the corpus file is not benchmarked\n");
                p += n + (p[n] == ',');
                continue;
            }
            snprintf(path, sizeof(path), "%s/exceptions.bin", Corpus);
            snprintf(in->Name, sizeof(in->Name), "hvmi corpus exceptions.bin");
            snprintf(in->Label, sizeof(in->Label), "corpus");
            if (!ReadWholeFile(path, &in->Data, &in->Size))
            {
                return 0;
            }
            in->Reps = 5000;
            (*Count)++;
            p += n + (p[n] == ',');
            continue;
        }
        total = (n == 2 && !strncmp(p, "1k", 2))     ? 1000
                : (n == 3 && !strncmp(p, "20k", 3))  ? 20000
                : (n == 4 && !strncmp(p, "100k", 4)) ? 100000
                : (n == 2 && !strncmp(p, "1m", 2))   ? 1000000
                                                     : 0;
        if (total == 0)
        {
            fprintf(stderr, "bench_load: unknown size '%.*s' (corpus, 1k, 20k, 100k, 1m)\n", (int)n, p);
            return 0;
        }
        {
            IG_GEN_PARAMS params;
            INTSTATUS status;

            IgGenDefaultParams(&params);
            params.KernelCount = total / 2;
            params.UserCount = total - total / 2;
            status = IgGenExceptions(&params, &in->Data, &in->Size, &in->Summary);
            if (!INT_SUCCESS(status))
            {
                fprintf(stderr, "bench_load: cannot generate %u exceptions (status 0x%08" PRIX32 ")\n", total,
                        (uint32_t)status);
                return 0;
            }
            snprintf(in->Name, sizeof(in->Name), "generated %.*s", (int)n, p);
            snprintf(in->Label, sizeof(in->Label), "gen%.*s", (int)n, p);
            in->Expected = &in->Summary;
            /* About half a second of loads per size, at least seven. */
            in->Reps = total >= 2000000u / 7 ? 7 : 2000000u / total;
            (*Count)++;
        }
        p += n + (p[n] == ',');
    }
    return 1;
}

int main(int argc, char **argv)
{
    BENCH_INPUT inputs[BENCH_MAX_FILES];
    IG_GEN_SUMMARY generated;
    uint32_t count = 0;
    uint32_t reps = 0;
    int once = 0;
    int useCorpus = 1;
    int useGenerated = 1;
    int ok = 1;
    int machine = 0;
    const char *sizes = NULL;
    const char *corpus = getenv("INTROGUARD_HVMI_CORPUS");

    memset(inputs, 0, sizeof(inputs));
    for (int i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc)
        {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > BENCH_MAX_REPS)
            {
                fprintf(stderr, "bench_load: --reps takes 1..%u\n", BENCH_MAX_REPS);
                return 2;
            }
            reps = (uint32_t)v;
        }
        else if (!strcmp(argv[i], "--once"))
        {
            once = 1;
        }
        else if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
        {
            sizes = argv[++i];
        }
        else if (!strcmp(argv[i], "--machine"))
        {
            machine = 1;
        }
        else if (!strcmp(argv[i], "--no-corpus"))
        {
            useCorpus = 0;
        }
        else if (!strcmp(argv[i], "--no-generated"))
        {
            useGenerated = 0;
        }
        else if (!strcmp(argv[i], "--file") && i + 1 < argc && count < BENCH_MAX_FILES - 2)
        {
            BENCH_INPUT *in = &inputs[count];
            snprintf(in->Name, sizeof(in->Name), "%s", argv[++i]);
            if (!ReadWholeFile(in->Name, &in->Data, &in->Size))
            {
                return 1;
            }
            in->Reps = 200;
            count++;
        }
        else
        {
            fprintf(stderr, "usage: bench_load [--reps N] [--once] [--no-corpus] [--no-generated] [--file PATH]... "
                            "[--sizes LIST] [--machine]\n");
            return 2;
        }
    }

    if (sizes)
    {
        if (!AddSizes(sizes, inputs, &count, corpus))
        {
            return 1;
        }
        useCorpus = useGenerated = 0;
    }
    if (useCorpus && corpus && *corpus)
    {
        BENCH_INPUT *in = &inputs[count];
        char path[4096];
        snprintf(path, sizeof(path), "%s/exceptions.bin", corpus);
        snprintf(in->Name, sizeof(in->Name), "hvmi corpus exceptions.bin");
        if (!ReadWholeFile(path, &in->Data, &in->Size))
        {
            return 1;
        }
        in->Reps = 5000;
        count++;
    }
    else if (useCorpus)
    {
        printf("SKIP: INTROGUARD_HVMI_CORPUS not set, the corpus file is not benchmarked\n");
    }

    if (useGenerated)
    {
        BENCH_INPUT *in = &inputs[count];
        IG_GEN_PARAMS params;
        INTSTATUS status;

        IgGenDefaultParams(&params);
        params.KernelCount = 10000;
        params.UserCount = 10000;
        status = IgGenExceptions(&params, &in->Data, &in->Size, &generated);
        if (!INT_SUCCESS(status))
        {
            fprintf(stderr, "bench_load: cannot generate the 20k file (status 0x%08" PRIX32 ")\n", (uint32_t)status);
            return 1;
        }
        snprintf(in->Name, sizeof(in->Name), "generated 10k kernel + 10k user");
        in->Expected = &generated;
        in->Reps = 200;
        count++;
    }

    if (!once)
    {
        printf("%-32s %9s %10s %8s %11s %7s %12s %12s %10s %10s\n", "input", "bytes", "exceptions", "records",
               "ruleset-B", "reps", "median-ns", "min-ns", "med-ns/exc", "min-ns/exc");
    }
    for (uint32_t i = 0; i < count; i++)
    {
        if (reps)
        {
            inputs[i].Reps = reps;
        }
        ok = RunInput(&inputs[i], once, machine) && ok;
        free(inputs[i].Data);
    }
    return ok ? 0 : 1;
}
