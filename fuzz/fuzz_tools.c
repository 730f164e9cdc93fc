/*
 * libFuzzer target for the command-line tools' readers of an exceptions file: `dump` (text and
 * JSON) and `decompile`, run in memory on the fuzzer's bytes.  Both sit on the decoder but walk
 * every decoded field themselves (patterns, hash lists, signature references), so they are the
 * consumers most likely to read a field the decoder did not set for a record.
 *
 * Beyond the sanitizers' checks: a dump that succeeds produces text, a dump that fails reports a
 * failed status, and a decompile that succeeds produces at least one JSON file whose text is
 * NUL-terminated at its length.  Seeds: fuzz/seeds/loader/ (scripts/fuzz.sh points this target there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decompile.h"
#include "dump.h"
#include "exceptions/update_file.h"

#define FUZZ_CHECK(Cond)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            fprintf(stderr, "fuzz_tools: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #Cond);                 \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static FILE *gSink;

static void FuzzDump(const uint8_t *Data, size_t Size, IG_DUMP_FORMAT Format)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    IG_PARSE_ERROR error;
    INTSTATUS status;

    FUZZ_CHECK(out != NULL);
    status = IgDumpBuffer(Data, Size, Format, out, &error);
    FUZZ_CHECK(fclose(out) == 0);
    if (INT_SUCCESS(status))
    {
        FUZZ_CHECK(length > 0 && text[length] == '\0');
    }
    else
    {
        /* A corrupt file prints nothing and says why. */
        FUZZ_CHECK(length == 0);
        FUZZ_CHECK(!INT_SUCCESS(error.Status));
        FUZZ_CHECK(memchr(error.Message, 0, sizeof(error.Message)) != NULL);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    IG_DECOMPILED dec;
    INTSTATUS status;

    if (!gSink)
    {
        gSink = fopen("/dev/null", "w");
        FUZZ_CHECK(gSink != NULL);
    }

    FuzzDump(Data, Size, IgDumpText);
    FuzzDump(Data, Size, IgDumpJson);

    status = IgDecompileBuffer(Data, Size, "fuzz.bin", &dec, gSink);
    if (INT_SUCCESS(status))
    {
        FUZZ_CHECK(dec.Count > 0);
        for (size_t i = 0; i < dec.Count; i++)
        {
            FUZZ_CHECK(memchr(dec.Files[i].Name, 0, sizeof(dec.Files[i].Name)) != NULL);
            FUZZ_CHECK(!dec.Files[i].Json.Failed && dec.Files[i].Json.Length > 0);
            FUZZ_CHECK(dec.Files[i].Json.Data[dec.Files[i].Json.Length] == '\0');
        }
    }
    IgDecompiledFree(&dec);
    return 0;
}
