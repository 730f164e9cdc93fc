/*
 * libFuzzer target for `introguard compile`'s front end: the JSON parser and the compiler core.
 *
 * The input is split at NUL bytes into up to four sources (so multi-file runs, signatures defined
 * in another file, duplicate IDs across files are reached).  Invariants checked:
 *  - compiling is deterministic (the same input gives the same bytes and messages);
 *  - success means no errors and a file; failure means errors, messages and no file;
 *  - a compiled file with exception records walks cleanly through the public decoder
 *    (intro_excfile.h), record count = header counts, and ends exactly at EOF;
 *  - the compiler's lower-casing (unicode_lower.h), on the raw input bytes, stays within
 *    IG_UNICODE_LOWER_MAX_BYTES (the buffer is exactly that big) and is idempotent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "introguard/intro_excfile.h"
#include "json.h"
#include "unicode_lower.h"

#define FUZZ_MAX_SOURCES 4

static void CheckDecodes(const IG_COMPILE_RESULT *R)
{
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_ITERATOR iter;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    INTRO_EXCFILE_RECORD record;
    uint32_t exceptions = 0, signatures = 0;

    if (R->KernelCount + R->UserCount + R->KernelUserCount + R->GlobCount == 0)
    {
        return; /* hvmi's header rule rejects a file without exceptions */
    }
    if (!INT_SUCCESS(IntExcFileOpen(R->Data, R->Size, &header, &iter, &error)))
    {
        abort();
    }
    for (;;)
    {
        INTSTATUS st = IntExcFileNext(&iter, &record, &error);
        if (st == INT_STATUS_NO_MORE_ENTRIES)
        {
            break;
        }
        if (!INT_SUCCESS(st))
        {
            abort();
        }
        if (IntExcFileRecordSigIds(&record))
        {
            exceptions++;
        }
        else
        {
            signatures++;
        }
    }
    if (exceptions != R->KernelCount + R->UserCount + R->KernelUserCount + R->GlobCount ||
        signatures != R->SignatureCount)
    {
        abort();
    }
}

/* Lower-cases the input as it is (any bytes) twice: the second pass changes nothing. */
static void CheckLower(const uint8_t *Data, size_t Size)
{
    char *once = malloc(IG_UNICODE_LOWER_MAX_BYTES(Size)), *twice = NULL;
    IG_LOWER_INFO a, b;
    size_t n1, n2;

    if (once == NULL)
    {
        return;
    }
    n1 = IgUnicodeLower((const char *)Data, Size, once, &a);
    twice = malloc(IG_UNICODE_LOWER_MAX_BYTES(n1));
    if (twice != NULL)
    {
        n2 = IgUnicodeLower(once, n1, twice, &b);
        if (n2 != n1 || memcmp(once, twice, n1) != 0 || b.NonAsciiChanged || b.CodePoints != a.CodePoints)
        {
            abort();
        }
    }
    free(once);
    free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    IG_COMPILE_SOURCE src[FUZZ_MAX_SOURCES];
    static const char *const names[FUZZ_MAX_SOURCES] = {"a.json", "b.json", "c.json", "d.json"};
    size_t n = 0, start = 0;
    IG_COMPILE_OPTIONS options;
    IG_COMPILE_RESULT r1, r2;

    /* Copy so each source ends exactly at its last byte (no NUL after it for the parser to lean on). */
    char *copy = malloc(Size ? Size : 1);
    if (copy == NULL)
    {
        return 0;
    }
    if (Size)
    {
        memcpy(copy, Data, Size);
    }
    for (size_t i = 0; i <= Size && n < FUZZ_MAX_SOURCES; i++)
    {
        if (i == Size || (copy[i] == 0 && n < FUZZ_MAX_SOURCES - 1))
        {
            src[n].Name = names[n];
            src[n].Text = copy + start;
            src[n].Size = i - start;
            n++;
            start = i + 1;
        }
    }

    CheckLower(Data, Size);
    IgCompileOptionsInit(&options);
    options.HvmiCompat = Size > 0 && (Data[0] & 1); /* both modes */
    INTSTATUS s1 = IgCompileSources(src, n, &options, &r1);
    INTSTATUS s2 = IgCompileSources(src, n, &options, &r2);
    if (s1 != s2 || r1.Size != r2.Size || (r1.Data && memcmp(r1.Data, r2.Data, r1.Size) != 0) ||
        r1.MessagesLength != r2.MessagesLength ||
        (r1.Messages && memcmp(r1.Messages, r2.Messages, r1.MessagesLength) != 0))
    {
        abort();
    }
    if (INT_SUCCESS(s1))
    {
        if (r1.Errors != 0 || r1.Data == NULL || r1.Size < 36)
        {
            abort();
        }
        CheckDecodes(&r1);
    }
    else if (r1.Errors == 0 || r1.Data != NULL)
    {
        abort();
    }
    IgCompileResultFree(&r1);
    IgCompileResultFree(&r2);
    free(copy);
    return 0;
}
