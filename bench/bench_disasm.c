/*
 * bench_disasm: the table decoder (IgDisasmDecodeFast) against the capstone reference
 * (IgDisasmDecodeCapstone) on real binaries, and what each costs per instruction.
 *
 *   bench_disasm [--every-offset] [--random N] [--limit BYTES] [FILE[:32|:64]]...
 *
 * Each FILE is an ELF object; its executable sections are walked linearly (the reference's length
 * gives the next instruction, 1 byte after a decode failure) in the object's own mode.  With
 * --every-offset every byte offset is decoded too, which is what code-block extraction does after a
 * failure.  --random N adds N pseudo-random instruction-shaped byte strings per mode (prefixes,
 * REX, opcode, ModRM, SIB, displacement and immediate drawn at random).  Wherever the fast decoder
 * answers, its length and class must be the reference's, and the reference must accept the bytes:
 * every disagreement is printed and counted, and the exit status is 1 if there is any.
 * Without FILE arguments it uses the system's libc and libcrypto (64-bit) and the 32-bit libc and
 * libstdc++ from /usr/lib32, skipping those that are not installed.
 *
 * It prints one line per input: instructions compared, how many the fast decoder answered,
 * mismatches, and the median ns per instruction of each decoder over the whole walk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "exceptions/disasm.h"

typedef struct BENCH_STATS
{
    uint64_t Compared;
    uint64_t Fast;
    uint64_t Mismatches;
} BENCH_STATS;

static uint64_t NowNs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint8_t *ReadWholeFile(const char *Path, size_t *Size)
{
    FILE *f = fopen(Path, "rb");
    uint8_t *data = NULL;
    long len;

    *Size = 0;
    if (!f)
    {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0)
    {
        data = malloc((size_t)len);
        if (data && fread(data, 1, (size_t)len, f) == (size_t)len)
        {
            *Size = (size_t)len;
        }
        else
        {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    return data;
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

/* Compares the two decoders at one offset; counts and prints a disagreement. */
static void Compare(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Avail, const char *Where, uint64_t Offset,
                    BENCH_STATS *Stats, IG_DECODED *Reference, bool *ReferenceOk)
{
    IG_DECODED fast = {0, 0};
    IG_DECODED ref = {0, 0};
    bool refOk = INT_SUCCESS(IgDisasmDecodeCapstone(D, Mode64, Code, Avail, &ref));
    bool fastOk = IgDisasmDecodeFast(Mode64, Code, Avail, &fast);

    Stats->Compared++;
    Stats->Fast += fastOk;
    if (fastOk && (!refOk || fast.Length != ref.Length || fast.Class != ref.Class))
    {
        Stats->Mismatches++;
        if (Stats->Mismatches <= 50)
        {
            printf("MISMATCH %s+0x%" PRIx64 " %d-bit:", Where, Offset, Mode64 ? 64 : 32);
            for (size_t i = 0; i < Avail && i < 15; i++)
            {
                printf(" %02X", Code[i]);
            }
            printf("  fast %u/%u, capstone %s %u/%u\n", fast.Length, fast.Class, refOk ? "ok" : "fails", ref.Length,
                   ref.Class);
        }
    }
    *Reference = ref;
    *ReferenceOk = refOk;
}

/* Nanoseconds per instruction of one decoder over a linear walk (the walk follows that decoder). */
static double TimeWalk(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, bool Fast, uint64_t *Count)
{
    uint64_t start = NowNs();
    size_t pos = 0;
    uint64_t n = 0;

    while (pos < Size)
    {
        IG_DECODED d;
        INTSTATUS status = Fast ? IgDisasmDecode(D, Mode64, Code + pos, Size - pos, &d)
                                : IgDisasmDecodeCapstone(D, Mode64, Code + pos, Size - pos, &d);

        pos += INT_SUCCESS(status) ? d.Length : 1;
        n++;
    }
    *Count = n;
    return n ? (double)(NowNs() - start) / (double)n : 0;
}

static void Walk(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, const char *Name, bool EveryOffset,
                 BENCH_STATS *Stats)
{
    size_t pos = 0;

    while (pos < Size)
    {
        IG_DECODED ref;
        bool ok;

        Compare(D, Mode64, Code + pos, Size - pos, Name, pos, Stats, &ref, &ok);
        pos += ok ? ref.Length : 1;
    }
    for (size_t off = 0; EveryOffset && off < Size; off++)
    {
        IG_DECODED ref;
        bool ok;

        Compare(D, Mode64, Code + off, Size - off, Name, off, Stats, &ref, &ok);
    }
}

/* Every executable section of an ELF object, walked in the object's mode (or the one asked for). */
static int WalkElf(IG_DISASM *D, const char *Path, int Bits, bool EveryOffset, size_t Limit, BENCH_STATS *Total)
{
    size_t size;
    uint8_t *data = ReadWholeFile(Path, &size);
    bool elf64;
    uint64_t shoff;
    size_t shentsize, shnum;
    BENCH_STATS stats = {0, 0, 0};
    double fastNs = 0, capNs = 0;
    uint64_t insns = 0;

    if (!data)
    {
        printf("SKIP %s: %s\n", Path, strerror(errno));
        return 0;
    }
    if (size < 64 || memcmp(data,
                            "\x7f"
                            "ELF",
                            4) != 0)
    {
        printf("SKIP %s: not an ELF object\n", Path);
        free(data);
        return 0;
    }
    elf64 = data[4] == 2;
    shoff = elf64 ? Le(data + 0x28, 8) : Le(data + 0x20, 4);
    shentsize = (size_t)Le(data + (elf64 ? 0x3A : 0x2E), 2);
    shnum = (size_t)Le(data + (elf64 ? 0x3C : 0x30), 2);
    if (Bits == 0)
    {
        Bits = elf64 ? 64 : 32;
    }
    for (size_t s = 0; s < shnum; s++)
    {
        const uint8_t *sh;
        uint64_t flags, offset, length;
        uint32_t type;

        if (shoff > size || shentsize < (elf64 ? 64u : 40u) || s * shentsize > size - shoff ||
            shentsize > size - shoff - s * shentsize)
        {
            break;
        }
        sh = data + shoff + s * shentsize;
        type = (uint32_t)Le(sh + 4, 4);
        flags = elf64 ? Le(sh + 8, 8) : Le(sh + 8, 4);
        offset = elf64 ? Le(sh + 0x18, 8) : Le(sh + 0x10, 4);
        length = elf64 ? Le(sh + 0x20, 8) : Le(sh + 0x14, 4);
        if (type != 1 /* PROGBITS */ || !(flags & 4) /* EXECINSTR */ || offset > size || length > size - offset)
        {
            continue;
        }
        if (Limit && length > Limit)
        {
            length = Limit;
        }
        Walk(D, Bits == 64, data + offset, (size_t)length, Path, EveryOffset, &stats);
        {
            uint64_t n;

            fastNs += TimeWalk(D, Bits == 64, data + offset, (size_t)length, true, &n) * (double)n;
            capNs += TimeWalk(D, Bits == 64, data + offset, (size_t)length, false, &n) * (double)n;
            insns += n;
        }
    }
    printf("%-44s %d-bit %10" PRIu64 " compared %10" PRIu64 " fast (%5.1f%%) mismatches %" PRIu64
           "  fast+fallback %6.1f ns/insn  capstone %6.1f ns/insn\n",
           Path, Bits, stats.Compared, stats.Fast, stats.Compared ? 100.0 * (double)stats.Fast / stats.Compared : 0,
           stats.Mismatches, insns ? fastNs / (double)insns : 0, insns ? capNs / (double)insns : 0);
    Total->Compared += stats.Compared;
    Total->Fast += stats.Fast;
    Total->Mismatches += stats.Mismatches;
    free(data);
    return 0;
}

static uint64_t gRng = 0x2545F4914F6CDD1Dull;

static uint32_t Rand(uint32_t Bound)
{
    gRng ^= gRng << 13;
    gRng ^= gRng >> 7;
    gRng ^= gRng << 17;
    return (uint32_t)(gRng % Bound);
}

/* An instruction-shaped byte string: prefixes, maybe REX, an opcode (sometimes 0F xx), then random bytes. */
static void RandomInstruction(uint8_t *Out, bool Mode64)
{
    static const uint8_t prefixes[] = {0x66, 0xF2, 0xF3, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65, 0xF0, 0x67};
    size_t n = 0;
    uint32_t count = Rand(4) == 0 ? Rand(4) : 0;

    for (uint32_t i = 0; i < count; i++)
    {
        Out[n++] = prefixes[Rand(sizeof(prefixes))];
    }
    if (Mode64 && Rand(3) == 0)
    {
        Out[n++] = (uint8_t)(0x40 + Rand(16));
    }
    if (Rand(4) == 0)
    {
        Out[n++] = 0x0F;
    }
    while (n < 15)
    {
        Out[n++] = (uint8_t)Rand(256);
    }
}

static void RandomRun(IG_DISASM *D, uint64_t Count, BENCH_STATS *Total)
{
    for (int mode = 0; mode < 2; mode++)
    {
        BENCH_STATS stats = {0, 0, 0};

        for (uint64_t k = 0; k < Count; k++)
        {
            uint8_t code[15];
            IG_DECODED ref;
            bool ok;

            RandomInstruction(code, mode == 1);
            /* Also with fewer bytes available, where an instruction may not fit. */
            Compare(D, mode == 1, code, Rand(4) == 0 ? 1 + Rand(15) : 15, "random", k, &stats, &ref, &ok);
        }
        printf("%-44s %d-bit %10" PRIu64 " compared %10" PRIu64 " fast (%5.1f%%) mismatches %" PRIu64 "\n",
               "random instruction-shaped bytes", mode ? 64 : 32, stats.Compared, stats.Fast,
               stats.Compared ? 100.0 * (double)stats.Fast / stats.Compared : 0, stats.Mismatches);
        Total->Compared += stats.Compared;
        Total->Fast += stats.Fast;
        Total->Mismatches += stats.Mismatches;
    }
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {"/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libcrypto.so.3",
                                           "/usr/lib32/libc.so.6", "/usr/lib32/libstdc++.so.6"};
    IG_DISASM *d = NULL;
    BENCH_STATS total = {0, 0, 0};
    bool everyOffset = false;
    uint64_t randomCount = 0;
    size_t limit = 0;
    int files = 0;

    if (!INT_SUCCESS(IgDisasmCreate(&gIgMallocAllocator, &d)))
    {
        fprintf(stderr, "bench_disasm: cannot create a decoder\n");
        return 2;
    }
    for (int i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--every-offset"))
        {
            everyOffset = true;
        }
        else if (!strcmp(argv[i], "--random") && i + 1 < argc)
        {
            randomCount = strtoull(argv[++i], NULL, 10);
        }
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
        {
            limit = (size_t)strtoull(argv[++i], NULL, 10);
        }
        else if (argv[i][0] == '-')
        {
            fprintf(stderr, "usage: bench_disasm [--every-offset] [--random N] [--limit BYTES] [FILE[:32|:64]]...\n");
            IgDisasmDestroy(d);
            return 2;
        }
        else
        {
            char path[4096];
            char *colon;
            int bits = 0;

            snprintf(path, sizeof(path), "%s", argv[i]);
            colon = strrchr(path, ':');
            if (colon && (!strcmp(colon, ":32") || !strcmp(colon, ":64")))
            {
                bits = atoi(colon + 1);
                *colon = '\0';
            }
            WalkElf(d, path, bits, everyOffset, limit, &total);
            files++;
        }
    }
    for (size_t i = 0; files == 0 && i < sizeof(defaults) / sizeof(defaults[0]); i++)
    {
        WalkElf(d, defaults[i], 0, everyOffset, limit, &total);
    }
    if (randomCount)
    {
        RandomRun(d, randomCount, &total);
    }
    printf("bench_disasm: %" PRIu64 " compared, %" PRIu64 " answered by the fast decoder, mismatches = %" PRIu64 "\n",
           total.Compared, total.Fast, total.Mismatches);
    IgDisasmDestroy(d);
    return total.Mismatches ? 1 : 0;
}
