/*
 * libFuzzer target comparing the table decoder with the capstone reference on random bytes.
 *
 * The first input byte picks the CPU mode (bit 0: 64-bit); the rest is code.  At every byte offset,
 * with everything after it available (the way code-block extraction calls the decoder, including
 * instructions cut short by the end of the region), whenever IgDisasmDecodeFast answers, capstone
 * with the fix-ups F1-F8 (IgDisasmDecodeCapstone) must accept the same bytes with the same length
 * and class.  Seeds: fuzz/seeds/disasm/ (real code and the §3.9 sequence).
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "exceptions/disasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static IG_DISASM *gDisasm; /* one decoder for the whole run */

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    bool mode64;

    if (Size < 2)
    {
        return 0;
    }
    if (!gDisasm && !INT_SUCCESS(IgDisasmCreate(&gIgMallocAllocator, &gDisasm)))
    {
        abort();
    }
    mode64 = (Data[0] & 1) != 0;
    Data++;
    Size--;
    for (size_t off = 0; off < Size; off++)
    {
        IG_DECODED fast;
        IG_DECODED ref;
        bool refOk;

        if (!IgDisasmDecodeFast(mode64, Data + off, Size - off, &fast))
        {
            continue;
        }
        refOk = INT_SUCCESS(IgDisasmDecodeCapstone(gDisasm, mode64, Data + off, Size - off, &ref));
        if (!refOk || ref.Length != fast.Length || ref.Class != fast.Class)
        {
            fprintf(stderr, "fuzz_disasm: %d-bit offset %zu: fast %u/%u, capstone %s %u/%u\n", mode64 ? 64 : 32, off,
                    fast.Length, fast.Class, refOk ? "ok" : "fails", ref.Length, ref.Class);
            abort();
        }
        /* The combined decoder gives the same answer. */
        if (!INT_SUCCESS(IgDisasmDecode(gDisasm, mode64, Data + off, Size - off, &ref)) || ref.Length != fast.Length ||
            ref.Class != fast.Class)
        {
            abort();
        }
    }
    return 0;
}
