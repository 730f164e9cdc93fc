/*
 * bench_codeblocks: what code-block signatures cost per violation.
 *
 * A 4 KiB code page is built from the compiled sample functions of tests/data/code_samples.h
 * (real gcc output, repeated to fill the page) and, as a dense worst case, from the §3.9 test
 * sequence.  For RIPs at the start, middle and end of the page, at both levels and for an
 * execute window, it times IgCbExtract (guest read through the byte-range reader, fast path,
 * decoder, hashing, sorting; "cached": the same window again, answered from the context's cache
 * after the bytes are read and compared) and one codeblocks-signature check (IgSigCodeBlocksMatch on a
 * 6-hash list, the size alerts produce).  It reports the median and minimum in ns and, where the
 * kernel allows perf counters, user-mode CPU instructions per call.
 *
 *   bench_codeblocks [--reps N] [--once] [--machine] [--pages-from ELF]
 *
 * --once runs each case a single time without timing (for callgrind, see bench/run.sh).
 * --pages-from adds ten pages of real compiled code: ten pages spread evenly over the executable
 * sections of ELF (in its own mode), each with the RIP at 0x800, at both levels.  --machine adds
 * one "bench.v1" line per case.
 */
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../tests/data/code_samples.h"
#include "common/alloc.h"
#include "exceptions/sig_code.h"

#define CODE_GVA 0x7FF6A0000000ull
#define BENCH_MAX_REPS 1000000u

static volatile bool gSink;

static const uint8_t gVectorSeq[] = {0xE8, 0x00, 0x00, 0x00, 0x00, 0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB,
                                     0x00, 0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xAB, 0x87, 0xC8, 0x0F,
                                     0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3, 0x90};

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

/* A user-mode instruction counter, or -1 when perf events are not allowed here. */
static int OpenInstructionCounter(void)
{
    struct perf_event_attr attr;

    memset(&attr, 0, sizeof(attr));
    attr.type = PERF_TYPE_HARDWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static uint64_t ReadCounter(int Fd)
{
    uint64_t v = 0;
    if (Fd < 0 || read(Fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
    {
        return 0;
    }
    return v;
}

typedef struct BENCH_PAGE
{
    char Name[64];
    bool Mode64;
    uint8_t Bytes[IG_PAGE_SIZE];
} BENCH_PAGE;

static void FillFromSamples(BENCH_PAGE *Page, bool Mode64)
{
    size_t at = 0;

    Page->Mode64 = Mode64;
    while (at < IG_PAGE_SIZE)
    {
        for (size_t i = 0; i < sizeof(gCodeSamples) / sizeof(gCodeSamples[0]) && at < IG_PAGE_SIZE; i++)
        {
            const CODE_SAMPLE *s = &gCodeSamples[i];
            size_t n = s->CodeLength;

            if ((s->Bits == 64) != Mode64)
            {
                continue;
            }
            if (n > IG_PAGE_SIZE - at)
            {
                n = IG_PAGE_SIZE - at;
            }
            memcpy(Page->Bytes + at, s->Code, n);
            at += n;
        }
    }
}

static void FillFromVector(BENCH_PAGE *Page)
{
    Page->Mode64 = true;
    for (size_t at = 0; at < IG_PAGE_SIZE; at += sizeof(gVectorSeq))
    {
        size_t n = IG_PAGE_SIZE - at < sizeof(gVectorSeq) ? IG_PAGE_SIZE - at : sizeof(gVectorSeq);
        memcpy(Page->Bytes + at, gVectorSeq, n);
    }
}

typedef struct BENCH_CASE
{
    const char *Name;
    uint32_t RipOffset;
    bool Execute;
    IG_CB_LEVEL Level;
} BENCH_CASE;

static const BENCH_CASE gCases[] = {
    {"rip 0x123 normal", 0x123, false, IgCbLevelNormal}, {"rip 0x800 normal", 0x800, false, IgCbLevelNormal},
    {"rip 0xF31 normal", 0xF31, false, IgCbLevelNormal}, {"rip 0x800 medium", 0x800, false, IgCbLevelMedium},
    {"rip 0x800 execute", 0x800, true, IgCbLevelNormal},
};

static int RunPage(IG_CODE_CONTEXT *Ctx, const BENCH_PAGE *Page, uint32_t Reps, bool Once, int Counter, bool Machine,
                   const BENCH_CASE *Cases, size_t CaseCount)
{
    static uint64_t times[BENCH_MAX_REPS];
    static uint64_t cachedTimes[BENCH_MAX_REPS];
    uint8_t twoPages[2 * IG_PAGE_SIZE];
    IG_GUEST_BYTES range = {0, CODE_GVA, twoPages, sizeof(twoPages)};
    IG_GUEST_BYTE_RANGES ranges = {&range, 1};
    IG_GUEST_VMEM vmem;

    memcpy(twoPages, Page->Bytes, IG_PAGE_SIZE);
    memcpy(twoPages + IG_PAGE_SIZE, Page->Bytes, IG_PAGE_SIZE);
    IgGuestByteRangesVmem(&ranges, &vmem);

    for (size_t c = 0; c < CaseCount; c++)
    {
        const BENCH_CASE *bc = &Cases[c];
        IG_CB_REQUEST req = {&vmem, 0x1AA000, CODE_GVA + bc->RipOffset, bc->Execute, Page->Mode64, bc->Level};
        IG_CB_LIST list = {0, 6};
        uint32_t sigHashes[6];
        IG_SIG_ARRAYS arrays = {0};
        IG_SIGNATURE sig = {0};
        uint64_t insns = 0;
        uint64_t checkInsns = 0;
        uint64_t checkNs;
        uint32_t hashCount;
        bool matched = false;

        if (!INT_SUCCESS(IgCbExtract(Ctx, &req)))
        {
            fprintf(stderr, "bench_codeblocks: extraction failed for %s / %s\n", Page->Name, bc->Name);
            return 1;
        }
        hashCount = Ctx->HashCount;
        if (Once)
        {
            printf("%-22s %-20s %3" PRIu32 " hashes\n", Page->Name, bc->Name, hashCount);
            continue;
        }

        /* Cold: every extraction decodes and hashes (the cache is emptied before each). */
        for (uint32_t r = 0; r < Reps; r++)
        {
            uint64_t t0;

            IgCodeContextFlushCache(Ctx);
            t0 = NowNs();
            if (!INT_SUCCESS(IgCbExtract(Ctx, &req)))
            {
                return 1;
            }
            times[r] = NowNs() - t0;
        }
        /* Cached: the same window again, read and compared with the bytes its hashes came from. */
        for (uint32_t r = 0; r < Reps; r++)
        {
            uint64_t t0 = NowNs();
            if (!INT_SUCCESS(IgCbExtract(Ctx, &req)))
            {
                return 1;
            }
            cachedTimes[r] = NowNs() - t0;
        }
        qsort(cachedTimes, Reps, sizeof(cachedTimes[0]), CompareU64);
        if (Counter >= 0)
        {
            ioctl(Counter, PERF_EVENT_IOC_RESET, 0);
            ioctl(Counter, PERF_EVENT_IOC_ENABLE, 0);
            for (uint32_t r = 0; r < 100; r++)
            {
                IgCodeContextFlushCache(Ctx);
                (void)!IgCbExtract(Ctx, &req);
            }
            ioctl(Counter, PERF_EVENT_IOC_DISABLE, 0);
            insns = ReadCounter(Counter) / 100;
        }
        qsort(times, Reps, sizeof(times[0]), CompareU64);

        /* A 6-hash list of which the last 5 hashes were extracted (score 5): a typical alert signature. */
        for (uint32_t i = 0; i < 6; i++)
        {
            sigHashes[i] = hashCount ? Ctx->Hashes[(i * 7) % hashCount] + (i == 0) : i;
        }
        for (uint32_t i = 1; i < 6; i++) /* keep the list ascending, as the compiler writes it */
        {
            for (uint32_t j = i; j > 0 && sigHashes[j - 1] > sigHashes[j]; j--)
            {
                uint32_t t = sigHashes[j];
                sigHashes[j] = sigHashes[j - 1];
                sigHashes[j - 1] = t;
            }
        }
        arrays.CbLists = &list;
        arrays.CbListCount = 1;
        arrays.CbHashes = sigHashes;
        arrays.CbHashCount = 6;
        sig.Count = 1;
        sig.Score = 5;
        sig.Flags = 3;
        {
            const uint32_t checks = 100000;
            uint64_t t0 = NowNs();

            for (uint32_t r = 0; r < checks; r++)
            {
                matched ^= IgSigCodeBlocksMatch(&arrays, &sig, Ctx, bc->Level);
            }
            checkNs = (NowNs() - t0) * 1000 / checks; /* in ps, printed as ns with decimals */
            if (Counter >= 0)
            {
                ioctl(Counter, PERF_EVENT_IOC_RESET, 0);
                ioctl(Counter, PERF_EVENT_IOC_ENABLE, 0);
                for (uint32_t r = 0; r < 1000; r++)
                {
                    matched ^= IgSigCodeBlocksMatch(&arrays, &sig, Ctx, bc->Level);
                }
                ioctl(Counter, PERF_EVENT_IOC_DISABLE, 0);
                checkInsns = ReadCounter(Counter) / 1000;
            }
        }

        printf("%-22s %-20s %3" PRIu32 " hashes  extract median %7" PRIu64 " ns  min %7" PRIu64 " ns  cached %6" PRIu64
               " ns",
               Page->Name, bc->Name, hashCount, times[Reps / 2], times[0], cachedTimes[Reps / 2]);
        if (Counter >= 0)
        {
            printf("  %7" PRIu64 " insns", insns);
        }
        printf("  | sig check %" PRIu64 ".%03" PRIu64 " ns", checkNs / 1000, checkNs % 1000);
        if (Counter >= 0)
        {
            printf(" %" PRIu64 " insns", checkInsns);
        }
        printf("\n");
        if (Machine)
        {
            printf("bench.v1 figure=codeblocks page=\"%s\" case=\"%s\" hashes=%" PRIu32 " cold_median_ns=%" PRIu64
                   " cold_min_ns=%" PRIu64 " cached_median_ns=%" PRIu64 " check_ns=%" PRIu64 ".%03" PRIu64 "\n",
                   Page->Name, bc->Name, hashCount, times[Reps / 2], times[0], cachedTimes[Reps / 2], checkNs / 1000,
                   checkNs % 1000);
        }
        gSink = matched; /* keeps the checks from being optimised away */
    }
    return 0;
}

static uint64_t Le(const uint8_t *P, size_t N)
{
    uint64_t v = 0;

    for (size_t i = 0; i < N; i++)
    {
        v |= (uint64_t)P[i] << (8 * i);
    }
    return v;
}

/* Ten pages spread evenly over the executable sections of an ELF object; 0 if it has none. */
static size_t PagesFromElf(const char *Path, BENCH_PAGE *Pages, size_t Max)
{
    FILE *f = fopen(Path, "rb");
    uint8_t *data = NULL;
    long len = 0;
    size_t count = 0;
    uint64_t total = 0;

    if (!f)
    {
        printf("SKIP pages from %s: cannot open it\n", Path);
        return 0;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 64 && fseek(f, 0, SEEK_SET) == 0)
    {
        data = malloc((size_t)len);
        if (data && fread(data, 1, (size_t)len, f) != (size_t)len)
        {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    if (!data || memcmp(data,
                        "\x7f"
                        "ELF",
                        4) != 0)
    {
        free(data);
        printf("SKIP pages from %s: not an ELF object\n", Path);
        return 0;
    }
    for (int pass = 0; pass < 2; pass++)
    {
        bool elf64 = data[4] == 2;
        uint64_t shoff = elf64 ? Le(data + 0x28, 8) : Le(data + 0x20, 4);
        size_t shentsize = (size_t)Le(data + (elf64 ? 0x3A : 0x2E), 2);
        size_t shnum = (size_t)Le(data + (elf64 ? 0x3C : 0x30), 2);
        uint64_t seen = 0;

        for (size_t s = 0; s < shnum; s++)
        {
            const uint8_t *sh;
            uint64_t flags, offset, length;

            if (shoff > (uint64_t)len || shentsize < (elf64 ? 64u : 40u) || s * shentsize > (uint64_t)len - shoff ||
                shentsize > (uint64_t)len - shoff - s * shentsize)
            {
                break;
            }
            sh = data + shoff + s * shentsize;
            flags = elf64 ? Le(sh + 8, 8) : Le(sh + 8, 4);
            offset = elf64 ? Le(sh + 0x18, 8) : Le(sh + 0x10, 4);
            length = elf64 ? Le(sh + 0x20, 8) : Le(sh + 0x14, 4);
            if (Le(sh + 4, 4) != 1 || !(flags & 4) || offset > (uint64_t)len || length > (uint64_t)len - offset ||
                length < IG_PAGE_SIZE)
            {
                continue;
            }
            for (uint64_t at = 0; pass == 1 && at + IG_PAGE_SIZE <= length && count < Max; at += IG_PAGE_SIZE)
            {
                /* The k-th of Max pages sits at k/Max of all the executable bytes. */
                uint64_t want = (total / IG_PAGE_SIZE) * count / Max * IG_PAGE_SIZE;

                if (seen + at >= want)
                {
                    BENCH_PAGE *p = &Pages[count];

                    p->Mode64 = elf64;
                    memcpy(p->Bytes, data + offset + at, IG_PAGE_SIZE);
                    snprintf(p->Name, sizeof(p->Name), "%s page %zu",
                             strrchr(Path, '/') ? strrchr(Path, '/') + 1 : Path, count);
                    count++;
                }
            }
            seen += length;
        }
        total = seen;
    }
    free(data);
    return count;
}

int main(int Argc, char **Argv)
{
    static BENCH_PAGE pages[3 + 10];
    IG_CODE_CONTEXT *ctx = NULL;
    uint32_t reps = 2000;
    bool once = false;
    bool machine = false;
    const char *pagesFrom = NULL;
    size_t pageCount = 3;
    int counter;
    int rc = 0;

    for (int i = 1; i < Argc; i++)
    {
        if (strcmp(Argv[i], "--reps") == 0 && i + 1 < Argc)
        {
            reps = (uint32_t)strtoul(Argv[++i], NULL, 10);
        }
        else if (strcmp(Argv[i], "--once") == 0)
        {
            once = true;
        }
        else if (strcmp(Argv[i], "--machine") == 0)
        {
            machine = true;
        }
        else if (strcmp(Argv[i], "--pages-from") == 0 && i + 1 < Argc)
        {
            pagesFrom = Argv[++i];
        }
        else
        {
            fprintf(stderr, "usage: bench_codeblocks [--reps N] [--once] [--machine] [--pages-from ELF]\n");
            return 2;
        }
    }
    if (reps == 0 || reps > BENCH_MAX_REPS)
    {
        fprintf(stderr, "bench_codeblocks: --reps must be 1..%u\n", BENCH_MAX_REPS);
        return 2;
    }
    if (!INT_SUCCESS(IgCodeContextCreate(&gIgMallocAllocator, &ctx)))
    {
        fprintf(stderr, "bench_codeblocks: cannot create the code context\n");
        return 1;
    }
    snprintf(pages[0].Name, sizeof(pages[0].Name), "gcc -O2 x86-64 page");
    FillFromSamples(&pages[0], true);
    snprintf(pages[1].Name, sizeof(pages[1].Name), "gcc -O2 x86-32 page");
    FillFromSamples(&pages[1], false);
    snprintf(pages[2].Name, sizeof(pages[2].Name), "§3.9 dense page");
    FillFromVector(&pages[2]);
    if (pagesFrom)
    {
        pageCount += PagesFromElf(pagesFrom, pages + 3, 10);
    }

    counter = once ? -1 : OpenInstructionCounter();
    if (!once)
    {
        printf("bench_codeblocks: %u reps per case; instruction counts %s\n", reps,
               counter >= 0 ? "from perf (user mode)" : "unavailable (perf_event_open refused)");
    }
    for (size_t p = 0; p < pageCount && rc == 0; p++)
    {
        static const BENCH_CASE realCases[] = {
            {"rip 0x800 normal", 0x800, false, IgCbLevelNormal},
            {"rip 0x800 medium", 0x800, false, IgCbLevelMedium},
        };

        rc = p < 3 ? RunPage(ctx, &pages[p], reps, once, counter, machine, gCases, sizeof(gCases) / sizeof(gCases[0]))
                   : RunPage(ctx, &pages[p], reps, once, counter, machine, realCases, 2);
    }
    if (counter >= 0)
    {
        close(counter);
    }
    IgCodeContextDestroy(ctx);
    return rc;
}
