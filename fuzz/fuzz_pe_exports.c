/*
 * libFuzzer target for the PE export-directory reader and the export signature's group step.
 *
 * The first input byte says which of the image's first eight pages are absent (a set bit makes
 * the page unreadable), the next two bytes an RVA to look up; the rest is the image, placed at a
 * module base (pages past the input are absent).  A directory that is read must answer lookups
 * within its rules; one that is not must say why.  Seeds: fuzz/seeds/pe_exports/
 * (fuzz/seeds/make_sig_seeds.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/crc32.h"
#include "common/pe_exports.h"
#include "exceptions/sig_code.h"

#define FUZZ_CHECK(Cond)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            fprintf(stderr, "fuzz_pe_exports: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #Cond);            \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define IMAGE_BASE 0x7FFB00000000ull
#define MAX_PAGES 64u

/* The export directory copy (any size hvmi accepts); the reader allocates nothing. */
static uint8_t gScratch[IG_PE_EXPORT_DIR_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static uint8_t image[MAX_PAGES * IG_PAGE_SIZE];
    IG_GUEST_BYTES ranges[MAX_PAGES];
    IG_GUEST_BYTE_RANGES set = {ranges, 0};
    IG_GUEST_VMEM vmem;
    IG_PE_EXPORTS exports;
    IG_PE_ERROR error = IgPeErrorCount;
    IG_EXPORT_STATE state;
    IG_EXPORT_VICTIM victim;
    size_t imageSize;
    uint32_t rva;
    INTSTATUS status;

    if (Size < 3)
    {
        return 0;
    }
    imageSize = Size - 3 < sizeof(image) ? Size - 3 : sizeof(image);
    memset(image, 0, sizeof(image));
    memcpy(image, Data + 3, imageSize);
    rva = Data[1] | ((uint32_t)Data[2] << 8);
    for (uint32_t p = 0; p < MAX_PAGES && (size_t)p * IG_PAGE_SIZE < imageSize; p++)
    {
        if (p < 8 && (Data[0] & (1u << p)))
        {
            continue;
        }
        ranges[set.Count++] =
            (IG_GUEST_BYTES){0, IMAGE_BASE + (uint64_t)p * IG_PAGE_SIZE, image + p * IG_PAGE_SIZE, IG_PAGE_SIZE};
    }
    IgGuestByteRangesVmem(&set, &vmem);

    status = IgPeExportsRead(&vmem, 0, IMAGE_BASE, gScratch, sizeof(gScratch), &exports, &error);
    if (INT_SUCCESS(status))
    {
        IG_PE_EXPORT e;

        FUZZ_CHECK(error == IgPeOk && exports.Directory && exports.NameCount >= 1);
        FUZZ_CHECK(exports.NameCount <= IG_PE_MAX_NAMES);
        for (uint32_t probe = 0; probe < 4; probe++)
        {
            uint32_t at = rva + probe * 0x1000;

            IgPeFindExport(&exports, at, &e);
            if (e.Found)
            {
                FUZZ_CHECK(e.Rva <= at && at - e.Rva <= IG_PE_EXPORT_LOOKBACK);
                FUZZ_CHECK(e.NameCount >= 1 && e.NameCount <= IG_PE_MAX_ALIASES);
                for (uint32_t k = 0; k < e.NameCount; k++)
                {
                    FUZZ_CHECK(e.NameHashes[k] == IgNameHash(e.Names[k], e.NameLengths[k]));
                }
            }
        }
    }
    else
    {
        FUZZ_CHECK(error != IgPeOk && error < IgPeErrorCount && !exports.Directory);
        FUZZ_CHECK(status == INT_STATUS_NOT_FOUND || status == INT_STATUS_PAGE_NOT_PRESENT);
    }

    victim = (IG_EXPORT_VICTIM){true, IMAGE_BASE, 0x1234, 0, IMAGE_BASE + rva, 4};
    FUZZ_CHECK(INT_SUCCESS(IgSigExportPrepare(&vmem, &victim, gScratch, sizeof(gScratch), &state)));
    FUZZ_CHECK(state.Kind == (INT_SUCCESS(status)              ? IgExportReady
                              : status == INT_STATUS_NOT_FOUND ? IgExportMalformed
                                                               : IgExportUnreadable));
    return 0;
}
