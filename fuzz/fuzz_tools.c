/*
 * libFuzzer target for the command-line tools' readers of an exceptions file: `dump` (text and
 * JSON) and `decompile`, run in memory on the fuzzer's bytes.  Both sit on the decoder but walk
 * every decoded field themselves (patterns, hash lists, signature references), so they are the
 * consumers most likely to read a field the decoder did not set for a record.
 *
 * Beyond the sanitizers' checks: a dump that succeeds produces text, a dump that fails reports a
 * failed status, and a decompile that succeeds produces at least one JSON file whose text is
 * NUL-terminated at its length.  The library's writer re-encodes every record the public decoder
 * accepts into the same bytes.  Seeds: fuzz/seeds/loader/ (scripts/fuzz.sh points this target there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decompile.h"
#include "dump.h"
#include "introguard/intro_excfile.h"

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
    INTRO_EXCEPTIONS_LOAD_ERROR error;
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

static void *FuzzRealloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

/* Decoded records written again with the library's writer give the file's bytes back. */
static void FuzzRewrite(const uint8_t *Data, size_t Size)
{
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_ITERATOR iter;
    INTRO_EXCFILE_RECORD record;
    INTRO_EXCFILE_WRITER writer;
    INTSTATUS status;

    if (!INT_SUCCESS(IntExcFileOpen(Data, Size, &header, &iter, NULL)))
    {
        return;
    }
    IntExcFileWriterInit(&writer, NULL, 0, FuzzRealloc, NULL);
    FUZZ_CHECK(INT_SUCCESS(IntExcFileWriteHeader(&writer, &header)));
    while ((status = IntExcFileNext(&iter, &record, NULL)) == INT_STATUS_SUCCESS)
    {
        FUZZ_CHECK(INT_SUCCESS(IntExcFileWriteRecord(&writer, &record)));
        FUZZ_CHECK(writer.Size == iter.Position && memcmp(writer.Data, Data, writer.Size) == 0);
    }
    FUZZ_CHECK(status == INT_STATUS_NO_MORE_ENTRIES || !INT_SUCCESS(status));
    free(writer.Data);
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
    FuzzRewrite(Data, Size);

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
