/*
 * Decoded exceptions files for the tools (see records.h).
 */
#include "records.h"

#include <stdlib.h>
#include <string.h>

INTSTATUS IgRecordListLoad(const uint8_t *Data, size_t Size, IG_RECORD_LIST *List, IG_PARSE_ERROR *Error)
{
    IG_RECORD_ITER iter;
    IG_RECORD *records = NULL;
    size_t count = 0;
    size_t capacity = 0;
    INTSTATUS status;

    memset(List, 0, sizeof(*List));
    status = IgFileOpen(Data, Size, &List->Header, &iter, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    for (;;)
    {
        IG_RECORD rec;

        status = IgFileNextRecord(&iter, &rec, Error);
        if (status == INT_STATUS_NO_MORE_ENTRIES)
        {
            break;
        }
        if (!INT_SUCCESS(status))
        {
            goto cleanup;
        }
        /* The decoder caps the record count (IG_MAX_RECORDS), so this growth is bounded. */
        if (count == capacity)
        {
            size_t grown = capacity ? capacity * 2 : 64;
            size_t bytes;
            IG_RECORD *bigger;

            if (__builtin_mul_overflow(grown, sizeof(IG_RECORD), &bytes))
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
        Error->RecordIndex = IG_NO_RECORD;
        strcpy(Error->Message, "out of memory holding the decoded records");
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

int IgHashFieldTable(uint8_t RecordType, IG_HASH_FIELD Field, uint32_t Flags)
{
    uint32_t kumUser = 0;

    IgKwFindFlag(IG_KW_FLAGS_KERNEL_USER, "user", 4, &kumUser);
    switch (RecordType)
    {
        case IgRecKernel:
            return (Field == IgFieldOriginator || Field == IgFieldVictim) ? IgKwSpecialKernel : IG_NO_SPECIAL_TABLE;
        case IgRecUser:
        case IgRecUserApc:
            return (Field == IgFieldOriginator || Field == IgFieldVictim || Field == IgFieldProcess)
                       ? IgKwSpecialUser
                       : IG_NO_SPECIAL_TABLE;
        case IgRecKernelUser:
            if (Field == IgFieldOriginator)
            {
                return (Flags & kumUser) ? IgKwSpecialUser : IgKwSpecialKernel;
            }
            return (Field == IgFieldVictim || Field == IgFieldProcess) ? IgKwSpecialUser : IG_NO_SPECIAL_TABLE;
        case IgRecExportSig:
            if (Field == IgFieldLibrary)
            {
                return IgKwSpecialUser;
            }
            return Field == IgFieldExportName ? IgKwSpecialSignature : IG_NO_SPECIAL_TABLE;
        default:
            return IG_NO_SPECIAL_TABLE;
    }
}

const char *IgHashFieldSpecial(uint8_t RecordType, IG_HASH_FIELD Field, uint32_t Flags, uint32_t Value)
{
    int table = IgHashFieldTable(RecordType, Field, Flags);
    return table == IG_NO_SPECIAL_TABLE ? NULL : IgKwName(IgKwSpecialNames((IG_KW_SPECIAL_TABLE)table), Value);
}

unsigned IgRecordFlagNamespaces(uint8_t RecordType)
{
    const IG_KW_EXCEPTION_KIND *kind = IgKwExceptionKindByRecord(RecordType);

    if (kind)
    {
        return kind->DisplayFlags;
    }
    return IgKwSignatureKindByRecord(RecordType) ? IG_KW_FLAGS_SIGNATURE : 0;
}

const IG_KEYWORD_TABLE *IgRecordObjectTable(uint8_t RecordType)
{
    const IG_KW_EXCEPTION_KIND *kind = IgKwExceptionKindByRecord(RecordType);
    return kind ? IgKwObjectTypes(kind->Object) : NULL;
}

uint32_t IgRecordSigId(const IG_RECORD *Record, uint32_t Index)
{
    IG_READER ids = Record->Type == IgRecUserGlob ? Record->u.Glob.SigIds : Record->u.Exception.SigIds;

    ids.Pos = 0;
    ids.Failed = false;
    if (!IgReadSkip(&ids, 4ull * Index))
    {
        return 0;
    }
    return IgReadU32(&ids);
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
