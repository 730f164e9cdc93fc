/*
 * The loader's fuzz seed corpus: small files made here, never taken from hvmi.  One valid file
 * per record kind (every signature kind referenced by an exception, as the compiler would write
 * it), a few files with flags the loader treats specially, one small generated mix, and corrupt
 * variants that stop at each of the loader's checks (spec §1.2, §2.3-§2.6).
 */
#include <stdlib.h>
#include <string.h>

#include "gen_exceptions.h"

#define SEED_KM_WRITE 0x20000006u /* write | 32 | 64 */
#define SEED_UM_EXEC 0x40000006u
#define SEED_SIG_FLAGS 0x3u
#define SEED_LINUX 0x80u
#define SEED_IGNORE 0x80000000u

static void IgSeedHeader(IG_GEN_BUFFER *Out, uint32_t Km, uint32_t Um, uint32_t Sigs, uint32_t Glob, uint32_t Kum)
{
    IG_GEN_HEADER h = {.Major = 2,
                       .Minor = 2,
                       .KernelCount = Km,
                       .UserCount = Um,
                       .SignatureCount = Sigs,
                       .GlobCount = Glob,
                       .KernelUserCount = Kum};
    IgGenPutHeader(Out, &h);
}

/* A KM exception: `[kernel]` writing a driver (wide hash of "drv00001.sys" is not needed: any hash). */
static void IgSeedKernelException(IG_GEN_BUFFER *Out, uint8_t Object, uint32_t Flags, const uint32_t *Ids,
                                  uint16_t Count)
{
    IgGenPutException(Out, IG_GEN_REC_KERNEL, 2, 0xFFFFFFFFu, 0x5A669414u, Flags, Object, Ids, Count);
}

static void IgSeedUserException(IG_GEN_BUFFER *Out, uint8_t Type, uint8_t Object, uint32_t Flags, const uint32_t *Ids,
                                uint16_t Count)
{
    /* originator firefox.exe (narrow), victim ntdll.dll (wide), process chrome.exe (narrow) */
    IgGenPutException(Out, Type, 0x209B1103u, 0xBE9D4EC5u, 0x80689A87u, Flags, Object, Ids, Count);
}

static void IgSeedKernel(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 1, 0, 0, 0, 0);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0);
}

static void IgSeedUser(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 0, 1, 0, 0, 0);
    IgSeedUserException(Out, IG_GEN_REC_USER, 3, SEED_KM_WRITE, NULL, 0);
}

static void IgSeedUserApc(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 0, 1, 0, 0, 0);
    IgGenPutException(Out, IG_GEN_REC_USER_APC, 0xBBD3278Au, 0, 0, 0x20000106u, 10, NULL, 0);
}

static void IgSeedKernelUser(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 0, 0, 0, 0, 1);
    IgGenPutException(Out, IG_GEN_REC_KERNEL_USER, 2, 0xBE9D4EC5u, 0x209B1103u, SEED_KM_WRITE, 2, NULL, 0);
}

static void IgSeedGlob(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(100, 1);
    uint16_t delta = 16;
    uint32_t function = 0xBACCF5C6u; /* NtCreateFile */

    IgSeedHeader(Out, 0, 0, 1, 2, 0);
    /* A `*`-prefixed pattern is written twice by the compiler: once in the prefix list, once sorted. */
    IgGenPutGlob(Out, SEED_KM_WRITE, 3, "*", "mod*.dll", "proc0000?.exe", &id, 1);
    IgGenPutGlob(Out, SEED_KM_WRITE, 3, "*", "mod*.dll", "proc0000?.exe", &id, 1);
    IgGenPutExportSig(Out, id, SEED_SIG_FLAGS, 0xBE9D4EC5u, 1, &delta, &function);
}

static void IgSeedCodeBlocks(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(600, 1);
    uint8_t sizes[2] = {4, 3};
    uint32_t hashes[7] = {0x2A3282E3u, 0x3B0F496Du, 0x4D8C1CFFu, 0xDE81892Cu, 0x3C5D6C96u, 0x4EAD2C2Au, 0x89FF53E7u};

    IgSeedHeader(Out, 1, 0, 1, 0, 0);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, &id, 1);
    IgGenPutCodeBlocksSig(Out, id, SEED_SIG_FLAGS, 3, 2, sizes, hashes);
}

static void IgSeedExport(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(100, 1);
    uint16_t deltas[2] = {16, 0};
    uint32_t functions[2] = {0xBACCF5C6u, 0}; /* NtCreateFile, `*` */

    IgSeedHeader(Out, 0, 1, 1, 0, 0);
    IgSeedUserException(Out, IG_GEN_REC_USER, 6, SEED_KM_WRITE, &id, 1);
    IgGenPutExportSig(Out, id, SEED_SIG_FLAGS, 0xBE9D4EC5u, 2, deltas, functions);
}

static void IgSeedValue(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(200, 1);
    IG_GEN_VALUE_ENTRY entry = {.Offset = 0, .Size = 1, .Hash = 0x88F8CF69u};

    IgSeedHeader(Out, 1, 0, 1, 0, 0);
    IgGenPutException(Out, IG_GEN_REC_KERNEL, 4, 0xFFFFFFFFu, 0x235B59E0u, 0x20001006u, 24, &id, 1);
    IgGenPutValueSig(Out, id, SEED_SIG_FLAGS, 1, 1, &entry);
}

static void IgSeedValueCode(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(500, 1);
    uint16_t pattern[9] = {0x0D, 0x100, 0x100, 0x100, 0x100, 0x0F, 0x01, 0xC1, 0xC3};

    IgSeedHeader(Out, 1, 0, 1, 0, 0);
    IgSeedKernelException(Out, 12, SEED_KM_WRITE, &id, 1);
    IgGenPutValueCodeSig(Out, id, SEED_SIG_FLAGS, -5, 9, pattern);
}

static void IgSeedIdt(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(300, 1);

    IgSeedHeader(Out, 1, 0, 1, 0, 0);
    IgGenPutException(Out, IG_GEN_REC_KERNEL, 3, 0xFFFFFFFFu, 0, SEED_KM_WRITE, 14, &id, 1);
    IgGenPutIdtSig(Out, id, SEED_SIG_FLAGS, 2);
}

static void IgSeedVersionOs(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(50, 1);

    IgSeedHeader(Out, 0, 1, 1, 0, 0);
    IgSeedUserException(Out, IG_GEN_REC_USER, 3, SEED_KM_WRITE, &id, 1);
    IgGenPutVersionSig(Out, IG_GEN_REC_VERSION_OS, id, SEED_SIG_FLAGS, 7600, 0xFFFF); /* Windows build range */
}

static void IgSeedVersionIntro(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(51, 1);
    /* {u16 Major, Minor, Revision, Build}: 1.2.0 .. 1.*.* */
    uint64_t minimum = 1ull | (2ull << 16);
    uint64_t maximum = 1ull | (0xFFFFull << 16) | (0xFFFFull << 32) | (0xFFFFull << 48);

    IgSeedHeader(Out, 0, 1, 1, 0, 0);
    IgSeedUserException(Out, IG_GEN_REC_USER, 3, SEED_KM_WRITE, &id, 1);
    IgGenPutVersionSig(Out, IG_GEN_REC_VERSION_INTRO, id, SEED_SIG_FLAGS, minimum, maximum);
}

static void IgSeedProcessCreation(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(70, 1);

    IgSeedHeader(Out, 0, 1, 1, 0, 0);
    IgGenPutException(Out, IG_GEN_REC_USER, 0x209B1103u, 0x80689A87u, 0, SEED_UM_EXEC, 13, &id, 1);
    IgGenPutProcessCreationSig(Out, id, SEED_SIG_FLAGS, 0x1 | 0x4); /* debug | stolen-token */
}

static void IgSeedLinux(IG_GEN_BUFFER *Out)
{
    uint32_t id = IG_GEN_SIG_ID(600, 1);
    uint8_t size = 3;
    uint32_t hashes[3] = {1, 2, 3};

    IgSeedHeader(Out, 1, 1, 1, 0, 0);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE | SEED_LINUX, &id, 1);
    IgSeedUserException(Out, IG_GEN_REC_USER, 3, SEED_KM_WRITE, NULL, 0); /* a Windows one next to it */
    IgGenPutCodeBlocksSig(Out, id, SEED_SIG_FLAGS | SEED_LINUX, 1, 1, &size, hashes);
}

static void IgSeedIgnored(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 2, 0, 0, 0, 0);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE | SEED_IGNORE, NULL, 0);
    IgSeedKernelException(Out, 3, 0x6, NULL, 0); /* no access bit: the loader adds write */
}

static void IgSeedUnknownTypes(IG_GEN_BUFFER *Out)
{
    static const uint8_t body[5] = {1, 2, 3, 4, 5};

    IgSeedHeader(Out, 1, 0, 0, 0, 0);
    IgGenPutRecord(Out, 7, body, sizeof(body)); /* reserved type 7 */
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0);
    IgGenPutRecord(Out, 0, NULL, 0);
    IgGenPutRecord(Out, 200, body, 3);
}

static void IgSeedMinor3(IG_GEN_BUFFER *Out)
{
    IG_GEN_HEADER h = {.Major = 2, .Minor = 3, .KernelCount = 1, .BuildNumber = 77};
    IgGenPutHeader(Out, &h);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0);
}

static void IgSeedMixed(IG_GEN_BUFFER *Out)
{
    IG_GEN_PARAMS p;
    uint8_t *data = NULL;
    size_t size = 0;

    IgGenDefaultParams(&p);
    p.Seed = 0x5EED;
    p.KernelCount = 6;
    p.UserCount = 6;
    p.KernelUserCount = 2;
    p.GlobCount = 3;
    p.AnyOriginatorPermille = 200;
    p.SignedPermille = 600;
    p.ApcPermille = 200;
    p.LinuxPermille = 100;
    if (!INT_SUCCESS(IgGenExceptions(&p, &data, &size, NULL)))
    {
        Out->Failed = true;
        return;
    }
    IgGenPutBytes(Out, data, size);
    free(data);
}

/* ---- Corrupt files: each one fails at one loader check ------------------------------------------- */

static void IgSeedBadMagic(IG_GEN_BUFFER *Out)
{
    IgSeedKernel(Out);
    if (!Out->Failed)
    {
        Out->Data[0] = 'X';
    }
}

static void IgSeedBadMajor(IG_GEN_BUFFER *Out)
{
    IG_GEN_HEADER h = {.Major = 3, .Minor = 0, .KernelCount = 1};
    IgGenPutHeader(Out, &h);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0);
}

static void IgSeedBadMinor(IG_GEN_BUFFER *Out)
{
    IG_GEN_HEADER h = {.Major = 2, .Minor = 1, .KernelCount = 1};
    IgGenPutHeader(Out, &h);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0);
}

static void IgSeedZeroCounts(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 0, 0, 0, 0, 0);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0);
}

static void IgSeedHeaderOnly(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 1, 0, 0, 0, 0);
}

static void IgSeedTruncatedRecordHeader(IG_GEN_BUFFER *Out)
{
    IgSeedKernel(Out);
    IgGenPutU8(Out, IG_GEN_REC_KERNEL);
    IgGenPutU8(Out, 20); /* the second size byte is missing */
}

static void IgSeedRecordPastEnd(IG_GEN_BUFFER *Out)
{
    IgSeedKernel(Out);
    if (!Out->Failed)
    {
        Out->Data[37] = 40; /* body size 40, but only 20 bytes follow */
    }
}

static void IgSeedSigCountMismatch(IG_GEN_BUFFER *Out)
{
    IgSeedKernel(Out);
    if (!Out->Failed)
    {
        Out->Data[39 + 18] = 1; /* SigCount 1 in a 20-byte body */
    }
}

static void IgSeedShortException(IG_GEN_BUFFER *Out)
{
    static const uint8_t body[10] = {2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0};

    IgSeedHeader(Out, 1, 0, 0, 0, 0);
    IgGenPutRecord(Out, IG_GEN_REC_KERNEL, body, sizeof(body));
}

static void IgSeedGlobNoNul(IG_GEN_BUFFER *Out)
{
    IG_GEN_BUFFER body = {0};

    IgSeedHeader(Out, 0, 0, 0, 1, 0);
    IgGenPutU32(&body, SEED_KM_WRITE);
    IgGenPutU8(&body, 0);
    IgGenPutU8(&body, 3);
    IgGenPutU16(&body, 0);
    for (int i = 0; i < 70; i++)
    {
        IgGenPutU8(&body, '*'); /* 70 characters, no NUL within the 64-byte field */
    }
    IgGenPutBytes(&body, "", 1);
    IgGenPutBytes(&body, "*", 2);
    IgGenPutBytes(&body, "*", 2);
    if (body.Failed)
    {
        Out->Failed = true;
    }
    else
    {
        IgGenPutRecord(Out, IG_GEN_REC_GLOB, body.Data, (uint16_t)body.Size);
    }
    IgGenBufferFree(&body);
}

static void IgSeedGlobEmpty(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 0, 0, 0, 1, 0);
    IgGenPutGlob(Out, SEED_KM_WRITE, 3, "", "mod*.dll", "*", NULL, 0);
}

static void IgSeedCodeBlocksOverrun(IG_GEN_BUFFER *Out)
{
    IgSeedCodeBlocks(Out);
    if (!Out->Failed)
    {
        /* The last record is the signature; make its first list claim 5 hashes instead of 4. */
        size_t firstList = Out->Size - (1 + 4 * 3) - (1 + 4 * 4);
        Out->Data[firstList] = 5;
    }
}

static void IgSeedExportCount(IG_GEN_BUFFER *Out)
{
    IgSeedExport(Out);
    if (!Out->Failed)
    {
        /* Export body: Id, Flags, Library, Count at +12; the record body starts 2*8 + 16 from the end. */
        Out->Data[Out->Size - 2 * 8 - 16 + 12] = 3;
    }
}

static void IgSeedCountTruncated(IG_GEN_BUFFER *Out)
{
    IgSeedHeader(Out, 2, 0, 0, 0, 0);
    IgSeedKernelException(Out, 2, SEED_KM_WRITE, NULL, 0); /* the second kernel record is cut off */
}

typedef struct IG_SEED
{
    const char *Name;
    bool Valid;
    void (*Build)(IG_GEN_BUFFER *Out);
} IG_SEED;

static const IG_SEED gIgSeeds[] = {
    {"kernel.bin", true, IgSeedKernel},
    {"user.bin", true, IgSeedUser},
    {"user-apc.bin", true, IgSeedUserApc},
    {"kernel-user.bin", true, IgSeedKernelUser},
    {"glob.bin", true, IgSeedGlob},
    {"sig-codeblocks.bin", true, IgSeedCodeBlocks},
    {"sig-export.bin", true, IgSeedExport},
    {"sig-value.bin", true, IgSeedValue},
    {"sig-value-code.bin", true, IgSeedValueCode},
    {"sig-idt.bin", true, IgSeedIdt},
    {"sig-version-os.bin", true, IgSeedVersionOs},
    {"sig-version-intro.bin", true, IgSeedVersionIntro},
    {"sig-process-creation.bin", true, IgSeedProcessCreation},
    {"linux.bin", true, IgSeedLinux},
    {"ignored.bin", true, IgSeedIgnored},
    {"unknown-types.bin", true, IgSeedUnknownTypes},
    {"minor-3.bin", true, IgSeedMinor3},
    {"mixed.bin", true, IgSeedMixed},
    {"corrupt-magic.bin", false, IgSeedBadMagic},
    {"corrupt-major.bin", false, IgSeedBadMajor},
    {"corrupt-minor.bin", false, IgSeedBadMinor},
    {"corrupt-zero-counts.bin", false, IgSeedZeroCounts},
    {"corrupt-header-only.bin", false, IgSeedHeaderOnly},
    {"corrupt-truncated-record-header.bin", false, IgSeedTruncatedRecordHeader},
    {"corrupt-record-past-end.bin", false, IgSeedRecordPastEnd},
    {"corrupt-sigcount.bin", false, IgSeedSigCountMismatch},
    {"corrupt-short-exception.bin", false, IgSeedShortException},
    {"corrupt-glob-no-nul.bin", false, IgSeedGlobNoNul},
    {"corrupt-glob-empty.bin", false, IgSeedGlobEmpty},
    {"corrupt-codeblocks-overrun.bin", false, IgSeedCodeBlocksOverrun},
    {"corrupt-export-count.bin", false, IgSeedExportCount},
    {"corrupt-count-truncated.bin", false, IgSeedCountTruncated},
};

uint32_t IgGenSeedCount(void)
{
    return (uint32_t)(sizeof(gIgSeeds) / sizeof(gIgSeeds[0]));
}

const char *IgGenSeed(uint32_t Index, IG_GEN_BUFFER *Buffer, bool *Valid)
{
    if (Index >= IgGenSeedCount())
    {
        return NULL;
    }
    memset(Buffer, 0, sizeof(*Buffer));
    gIgSeeds[Index].Build(Buffer);
    *Valid = gIgSeeds[Index].Valid;
    return gIgSeeds[Index].Name;
}
