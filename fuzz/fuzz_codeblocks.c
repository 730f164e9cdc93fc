/*
 * libFuzzer target for code-block extraction (spec/signatures.md §3): random bytes as guest code.
 *
 * The first input byte picks the CPU mode (bit 0: 64-bit), the level (bit 1: medium), execute
 * (bit 2), whether the page after the code page is mapped (bit 3), and the next two bytes the RIP's
 * page offset; the rest is the code page (zero-padded to 4 KiB).  Every decoder path, the matcher's
 * extraction and the alert side run on it, and their results must keep their invariants.
 * Seeds: fuzz/seeds/codeblocks/ (fuzz/seeds/make_sig_seeds.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "exceptions/codeblocks_int.h"

#define FUZZ_CHECK(Cond)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            fprintf(stderr, "fuzz_codeblocks: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #Cond);            \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define CODE_GVA 0x7FF612340000ull

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static IG_CODE_CONTEXT *gCtx; /* the harness keeps one decoder for the whole run */

static bool ClassAllowed(uint8_t Class, IG_CB_LEVEL Level)
{
    if (Class == IgCbInsNone || Class == IgCbInsMovFsGs || Class > IgCbInsFlags)
    {
        return false;
    }
    return Level == IgCbLevelMedium || Class <= IgCbInsBt;
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static uint8_t pages[2 * IG_PAGE_SIZE];
    uint8_t pattern[IG_CB_PATTERN_MAX];
    uint16_t offsets[IG_CB_PATTERN_MAX];
    IG_GUEST_BYTES range;
    IG_GUEST_BYTE_RANGES ranges = {&range, 1};
    IG_GUEST_VMEM vmem;
    IG_CB_REQUEST req;
    IG_CB_ALERT alert;
    IG_CB_ALERT_SIG sig;
    uint32_t count = 0;
    uint8_t flags;
    size_t codeSize;

    if (Size < 3)
    {
        return 0;
    }
    if (!gCtx && !INT_SUCCESS(IgCodeContextCreate(&gIgMallocAllocator, &gCtx)))
    {
        abort();
    }
    flags = Data[0];
    codeSize = Size - 3 < sizeof(pages) ? Size - 3 : sizeof(pages);
    memset(pages, 0, sizeof(pages));
    memcpy(pages, Data + 3, codeSize);

    req.Memory = &vmem;
    req.Cr3 = 0x1AA000;
    req.Rip = CODE_GVA + ((Data[1] | ((uint32_t)Data[2] << 8)) & 0xFFF);
    req.Execute = (flags & 4) != 0;
    req.Mode64 = (flags & 1) != 0;
    req.Level = (flags & 2) ? IgCbLevelMedium : IgCbLevelNormal;
    range = (IG_GUEST_BYTES){0, CODE_GVA, pages, (flags & 8) ? 2 * IG_PAGE_SIZE : IG_PAGE_SIZE};
    IgGuestByteRangesVmem(&ranges, &vmem);

    /* The decoder alone, at every offset of the first bytes. */
    for (size_t i = 0; i < codeSize && i < 64; i++)
    {
        IG_DECODED d;

        if (INT_SUCCESS(IgDisasmDecode(gCtx->Disasm, req.Mode64, pages + i, codeSize - i, &d)))
        {
            FUZZ_CHECK(d.Length >= 1 && d.Length <= IG_INSN_MAX_LENGTH && d.Length <= codeSize - i);
            FUZZ_CHECK(d.Class <= IgCbInsFlags && d.Class != IgCbInsMovFsGs);
        }
    }

    /* Both extraction loops over the raw bytes. */
    for (int fast = 0; fast <= 1; fast++)
    {
        FUZZ_CHECK(INT_SUCCESS(IgCbExtractPattern(gCtx->Disasm, pages, codeSize, req.Mode64, req.Level, fast,
                                                  IG_CB_PATTERN_MAX, pattern, offsets, &count)));
        FUZZ_CHECK(count <= IG_CB_PATTERN_MAX);
        for (uint32_t i = 0; i < count; i++)
        {
            FUZZ_CHECK(ClassAllowed(pattern[i], req.Level));
            FUZZ_CHECK(offsets[i] < codeSize);
            FUZZ_CHECK(i == 0 || offsets[i] > offsets[i - 1]);
        }
    }

    /* The matcher's extraction from guest memory. */
    if (INT_SUCCESS(IgCbExtract(gCtx, &req)))
    {
        FUZZ_CHECK(gCtx->HashCount <= (req.Execute ? IG_CB_EXEC_READ_SIZE : IG_CB_READ_SIZE) / 4);
        for (uint32_t i = 1; i < gCtx->HashCount; i++)
        {
            FUZZ_CHECK(gCtx->Hashes[i - 1] <= gCtx->Hashes[i]);
        }
    }

    /* The alert side and the signature it would carry. */
    FUZZ_CHECK(INT_SUCCESS(IgCbAlertExtract(gCtx, &req, &alert)));
    if (alert.Valid)
    {
        FUZZ_CHECK(alert.Count <= IG_CB_ALERT_EXPORTED);
        FUZZ_CHECK(alert.Count == 0 || alert.RipCbIndex < alert.Count);
        for (uint32_t i = 0; i < alert.Count; i++)
        {
            FUZZ_CHECK(IgCbIsPivot(alert.CodeBlocks[i].Pivot, req.Level));
        }
    }
    IgCbAlertSignature(&alert, req.Execute, false, &sig);
    if (sig.Valid)
    {
        FUZZ_CHECK(sig.Count >= 1 && sig.Count <= IG_CB_ALERT_SIG_HASHES && sig.Score >= 1);
        for (uint32_t i = 1; i < sig.Count; i++)
        {
            FUZZ_CHECK(sig.Hashes[i - 1] <= sig.Hashes[i]);
        }
    }
    return 0;
}
