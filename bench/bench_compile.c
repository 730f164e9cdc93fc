/*
 * Benchmark of `introguard compile`'s core: 20,000 exceptions naming 600 signatures, generated in
 * memory as JSON text (deterministic PRNG), compiled --reps times; prints the median.
 *
 *   bench_compile [--reps N] [--exceptions N] [--signatures N] [--out FILE]
 *
 * --out writes the compiled file (to check it with `introguard dump` or a decompile round trip).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"

typedef struct TEXT
{
    char *Data;
    size_t Size;
    size_t Cap;
} TEXT;

static void Put(TEXT *T, const char *Format, ...) __attribute__((format(printf, 2, 3)));

static void Put(TEXT *T, const char *Format, ...)
{
    va_list ap;
    for (;;)
    {
        if (T->Cap == 0)
        {
            T->Cap = 1 << 20;
            T->Data = malloc(T->Cap);
            if (T->Data == NULL)
            {
                exit(1);
            }
        }
        va_start(ap, Format);
        int n = vsnprintf(T->Data + T->Size, T->Cap - T->Size, Format, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < T->Cap - T->Size)
        {
            T->Size += (size_t)n;
            return;
        }
        T->Cap *= 2;
        T->Data = realloc(T->Data, T->Cap);
        if (T->Data == NULL)
        {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
}

static uint64_t gState = 0x9E3779B97F4A7C15ull;

static uint32_t Rand(void)
{
    /* xorshift64*: deterministic, no global seeding from the clock. */
    gState ^= gState >> 12;
    gState ^= gState << 25;
    gState ^= gState >> 27;
    return (uint32_t)((gState * 0x2545F4914F6CDD1Dull) >> 32);
}

static const char *const kUserObjects[] = {"process", "module", "module imports", "nx_zone", "thread-context"};
static const char *const kKernelObjects[] = {"driver", "driver imports", "drvobj", "fastio", "msr", "idt"};

/* Draws four values in a fixed order: C leaves the order of evaluation of call arguments open,
 * so Rand() must never appear twice in one argument list. */
static void Draw(uint32_t R[4])
{
    for (int i = 0; i < 4; i++)
    {
        R[i] = Rand();
    }
}

static void Generate(TEXT *Sigs, TEXT *Excs, unsigned Exceptions, unsigned Signatures)
{
    uint32_t r[4];
    static const char *const types[] = {"codeblocks", "export", "value", "value-code", "idt"};
    Put(Sigs, "{\"Type\": \"user\", \"Signatures\": [\n");
    for (unsigned i = 0; i < Signatures; i++)
    {
        const char *t = types[i % 5];
        Put(Sigs, "%s{\"sig_type\": \"%s\", \"sig_id\": \"sig-%u\"", i ? ",\n" : "", t, i);
        switch (i % 5)
        {
            case 0:
                Draw(r);
                Put(Sigs, ", \"score\": 2, \"hashes\": [[\"0x%08x\", \"0x%08x\", \"0x%08x\"], [\"0x%08x\"]]}", r[0],
                    r[1], r[2], r[3]);
                break;
            case 1:
                Draw(r);
                Put(Sigs,
                    ", \"library\": \"lib%u.dll\", \"hashes\": [{\"name\": \"Fn%u\", \"delta\": 16}, {\"name\": "
                    "\"Gn%u\", \"delta\": 8}]}",
                    r[0] % 50, r[1], r[2]);
                break;
            case 2:
                Draw(r);
                Put(Sigs, ", \"score\": 1, \"hashes\": [{\"offset\": %u, \"size\": 8, \"hash\": \"0x%08x\"}]}",
                    r[0] % 64, r[1]);
                break;
            case 3:
                Draw(r);
                Put(Sigs, ", \"offset\": -%u, \"pattern\": [\"0x0d\", \"0x100\", \"0x%02x\", \"0xc3\"]}", r[0] % 8,
                    r[1] & 0xFF);
                break;
            default:
                Draw(r);
                Put(Sigs, ", \"entry\": %u}", r[0] % 256);
                break;
        }
    }
    Put(Sigs, "\n]}\n");

    /* Kinds in proportion: 30% kernel, 55% user, 5% apc, 7% kernel-user, 3% glob, one file per kind. */
    static const struct
    {
        const char *Type;
        unsigned Percent;
    } kinds[] = {{"kernel", 30}, {"user", 55}, {"user-apc", 5}, {"kernel-user", 7}, {"user-glob-match", 3}};
    unsigned made = 0;
    Put(Excs, "[");
    for (size_t k = 0; k < 5; k++)
    {
        unsigned count = k == 4 ? Exceptions - made : Exceptions * kinds[k].Percent / 100;
        Put(Excs, "%s{\"Type\": \"%s\", \"Exceptions\": [\n", k ? "," : "", kinds[k].Type);
        for (unsigned i = 0; i < count; i++, made++)
        {
            char sigs[96] = "";
            unsigned nsig = made < Signatures ? 1 : Rand() % 3;
            size_t o = 0;
            for (unsigned s = 0; s < nsig; s++)
            {
                unsigned id = (made < Signatures && s == 0) ? made : Rand() % Signatures;
                o += (size_t)snprintf(sigs + o, sizeof(sigs) - o, "%s\"sig-%u\"", s ? ", " : "", id);
            }
            Put(Excs, "%s{", i ? ",\n" : "");
            switch (k)
            {
                case 0:
                {
                    const char *obj = kKernelObjects[Rand() % 6];
                    bool noVictim = !strcmp(obj, "msr") || !strcmp(obj, "idt");
                    Draw(r);
                    Put(Excs, "\"originator\": \"drv%u.sys\", \"object_type\": \"%s\"", r[0] % 3000, obj);
                    if (!noVictim)
                    {
                        Draw(r);
                        Put(Excs, ", \"victim\": \"victim%u.sys\"", r[0] % 1000);
                    }
                    Draw(r);
                    Put(Excs, ", \"flags\": \"%s\"", (r[0] & 1) ? "read" : "write 64");
                    break;
                }
                case 1:
                case 2:
                {
                    const char *obj = k == 2 ? "apc-thread" : kUserObjects[Rand() % 5];
                    Draw(r);
                    Put(Excs, "\"originator\": \"Proc%u.exe\", \"object_type\": \"%s\"", r[0] % 4000, obj);
                    if (strcmp(obj, "nx_zone"))
                    {
                        Draw(r);
                        Put(Excs, ", \"victim\": \"mod%u.dll\"", r[0] % 2000);
                    }
                    if (strcmp(obj, "process"))
                    {
                        Draw(r);
                        Put(Excs, ", \"process\": \"host%u.exe\"", r[0] % 500);
                    }
                    break;
                }
                case 3:
                    Draw(r);
                    Put(Excs,
                        "\"originator\": \"drv%u.sys\", \"victim\": \"mod%u.dll\", \"process\": \"p%u.exe\", "
                        "\"object_type\": \"module\"",
                        r[0] % 3000, r[1] % 2000, r[2] % 500);
                    break;
                default:
                    Draw(r);
                    Put(Excs,
                        "\"originator\": \"%sapp%u*.exe\", \"victim\": \"*\", \"object_type\": \"thread-context\"",
                        (r[0] & 3) == 0 ? "*" : "", r[1] % 1000);
                    break;
            }
            Put(Excs, ", \"signatures\": [%s]}", sigs);
        }
        Put(Excs, "\n]}");
    }
    Put(Excs, "]");
}

static double NowMs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int CmpDouble(const void *A, const void *B)
{
    double a = *(const double *)A, b = *(const double *)B;
    return a < b ? -1 : (a > b);
}

int main(int argc, char **argv)
{
    unsigned reps = 7, exceptions = 20000, signatures = 600;
    const char *outPath = NULL;
    for (int i = 1; i + 1 < argc; i += 2)
    {
        if (!strcmp(argv[i], "--out"))
        {
            outPath = argv[i + 1];
            continue;
        }
        unsigned v = (unsigned)strtoul(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "--reps") && v)
            reps = v;
        else if (!strcmp(argv[i], "--exceptions") && v)
            exceptions = v;
        else if (!strcmp(argv[i], "--signatures") && v)
            signatures = v;
    }
    TEXT sigs = {0}, excs = {0};
    Generate(&sigs, &excs, exceptions, signatures);

    /* The exception text is one JSON array of five documents; split it into sources. */
    IG_COMPILE_SOURCE src[6];
    size_t n = 0;
    src[n++] = (IG_COMPILE_SOURCE){"bench-signatures.json", sigs.Data, sigs.Size};
    {
        /* Find the five top-level objects inside the array by depth counting (no strings hold braces). */
        int depth = 0;
        size_t start = 0;
        for (size_t i = 0; i < excs.Size; i++)
        {
            char c = excs.Data[i];
            if (c == '{' && depth++ == 1)
                start = i;
            else if (c == '}' && --depth == 1)
                src[n++] = (IG_COMPILE_SOURCE){"bench-exceptions.json", excs.Data + start, i + 1 - start};
            else if (c == '[')
                depth++;
            else if (c == ']')
                depth--;
        }
    }

    IG_COMPILE_OPTIONS o;
    IgCompileOptionsInit(&o);
    double *ms = calloc(reps, sizeof(*ms));
    size_t outSize = 0;
    uint32_t records = 0;
    for (unsigned r = 0; r < reps; r++)
    {
        IG_COMPILE_RESULT res;
        double t0 = NowMs();
        INTSTATUS st = IgCompileSources(src, n, &o, &res);
        ms[r] = NowMs() - t0;
        if (!INT_SUCCESS(st))
        {
            fprintf(stderr, "compile failed:\n%s", res.Messages);
            return 1;
        }
        outSize = res.Size;
        records = res.KernelCount + res.UserCount + res.KernelUserCount + res.GlobCount;
        if (res.SignatureCount != signatures || res.PrunedSignatures != 0)
        {
            fprintf(stderr, "unexpected signature count %u\n", res.SignatureCount);
            return 1;
        }
        if (outPath && r == 0)
        {
            FILE *f = fopen(outPath, "wb");
            if (f == NULL || fwrite(res.Data, 1, res.Size, f) != res.Size || fclose(f) != 0)
            {
                fprintf(stderr, "%s: write failed\n", outPath);
                return 1;
            }
        }
        IgCompileResultFree(&res);
    }
    qsort(ms, reps, sizeof(*ms), CmpDouble);
    printf("bench_compile: %u exceptions (%u records), %u signatures, %zu bytes of JSON -> %zu bytes; "
           "median %.1f ms, min %.1f ms, max %.1f ms over %u runs\n",
           exceptions, records, signatures, sigs.Size + excs.Size, outSize, ms[reps / 2], ms[0], ms[reps - 1], reps);
    free(ms);
    free(sigs.Data);
    free(excs.Data);
    return 0;
}
