/*
 * Decoded exceptions files for the tools (see records.h).
 */
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

INTSTATUS IgRecordListLoad(const uint8_t *Data, size_t Size, IG_RECORD_LIST *List, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    INTRO_EXCFILE_ITERATOR iter;
    INTRO_EXCFILE_RECORD *records = NULL;
    size_t count = 0;
    size_t capacity = 0;
    INTSTATUS status;

    memset(List, 0, sizeof(*List));
    status = IntExcFileOpen(Data, Size, &List->Header, &iter, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    for (;;)
    {
        INTRO_EXCFILE_RECORD rec;

        status = IntExcFileNext(&iter, &rec, Error);
        if (status == INT_STATUS_NO_MORE_ENTRIES)
        {
            /* A file whose records differ from its header's counts is refused, as the loader refuses it. */
            status = IntExcFileCheckCounts(&iter, Error);
            if (!INT_SUCCESS(status))
            {
                goto cleanup;
            }
            break;
        }
        if (!INT_SUCCESS(status))
        {
            goto cleanup;
        }
        /* The decoder caps the record count, so this growth is bounded. */
        if (count == capacity)
        {
            size_t grown = capacity ? capacity * 2 : 64;
            size_t bytes;
            INTRO_EXCFILE_RECORD *bigger;

            if (__builtin_mul_overflow(grown, sizeof(*records), &bytes))
            {
                status = INT_STATUS_ARITHMETIC_OVERFLOW;
                goto nomem;
            }
            bigger = realloc(records, bytes);
            if (!bigger)
            {
                status = INT_STATUS_INSUFFICIENT_RESOURCES;
                goto nomem;
            }
            records = bigger;
            capacity = grown;
        }
        records[count++] = rec;
    }
    List->Records = records;
    List->Count = count;
    records = NULL;
    status = INT_STATUS_SUCCESS;
    goto cleanup;

nomem:
    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
        Error->Status = Error->Detail = status;
        Error->RecordIndex = INTRO_EXCEPTIONS_LOAD_NO_RECORD;
        snprintf(Error->Message, sizeof(Error->Message), "out of memory holding the decoded records");
    }
cleanup:
    free(records);
    if (!INT_SUCCESS(status))
    {
        memset(&List->Header, 0, sizeof(List->Header));
    }
    return status;
}

void IgRecordListFree(IG_RECORD_LIST *List)
{
    if (!List)
    {
        return;
    }
    free(List->Records);
    memset(List, 0, sizeof(*List));
}

uint32_t IgRecordSigId(const INTRO_EXCFILE_RECORD *Record, uint32_t Index)
{
    return IntExcFileU32At(IntExcFileRecordSigIds(Record), Index);
}

uint32_t IgRecordSigCount(const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_U32_ARRAY *ids = IntExcFileRecordSigIds(Record);
    return ids ? ids->Count : 0;
}

bool IgTextIsUtf8(const char *Text, size_t Length)
{
    const unsigned char *s = (const unsigned char *)Text;
    size_t i = 0;

    while (i < Length)
    {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
        {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
        {
            n = 1;
            cp = c & 0x1F;
        }
        else if (c >= 0xE0 && c <= 0xEF)
        {
            n = 2;
            cp = c & 0x0F;
        }
        else if (c >= 0xF0 && c <= 0xF4)
        {
            n = 3;
            cp = c & 0x07;
        }
        else
        {
            return false;
        }
        if (n > Length - i - 1)
        {
            return false;
        }
        for (size_t k = 1; k <= n; k++)
        {
            if ((s[i + k] & 0xC0) != 0x80)
            {
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        {
            return false;
        }
        i += n + 1;
    }
    return true;
}
