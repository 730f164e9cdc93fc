/*
 * Trace reading and writing helpers of the trace and replay tests (see trace_check.h).
 */
#include "trace_check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

void TraceReaderOpen(TRACE_READER *R, const char *Text)
{
    memset(R, 0, sizeof(*R));
    R->File = fmemopen((void *)Text, strlen(Text), "r");
    assert_non_null(R->File);
    assert_int_equal(IgTraceOpen(R->File, &R->Trace), INT_STATUS_SUCCESS);
    R->Rec = test_malloc(sizeof(*R->Rec));
}

const IG_TRACE_RECORD *TraceReaderNext(TRACE_READER *R, IG_TRACE_RECORD_TYPE Type)
{
    INTSTATUS status = IgTraceNext(R->Trace, R->Rec, &R->Error);

    if (!INT_SUCCESS(status))
    {
        fail_msg("status 0x%x at line %llu field '%s': %s", (unsigned)status, (unsigned long long)R->Error.Line,
                 R->Error.Field, R->Error.Message);
    }
    assert_int_equal(R->Rec->Type, Type);
    return R->Rec;
}

void TraceReaderClose(TRACE_READER *R)
{
    IgTraceClose(R->Trace);
    fclose(R->File);
    test_free(R->Rec);
}

void TraceReaderEnd(TRACE_READER *R)
{
    assert_int_equal(IgTraceNext(R->Trace, R->Rec, &R->Error), INT_STATUS_NO_MORE_ENTRIES);
    TraceReaderClose(R);
}

INTSTATUS TraceReadAll(const char *Text, size_t Size, IG_TRACE_ERROR *Error)
{
    /* fmemopen refuses an empty buffer: an empty trace is an empty file. */
    FILE *f = Size != 0 ? fmemopen((void *)Text, Size, "r") : fopen("/dev/null", "r");
    IG_TRACE *trace;
    IG_TRACE_RECORD *record = test_malloc(sizeof(*record));
    INTSTATUS status;

    memset(Error, 0, sizeof(*Error));
    assert_non_null(f);
    assert_int_equal(IgTraceOpen(f, &trace), INT_STATUS_SUCCESS);
    do
    {
        status = IgTraceNext(trace, record, Error);
    } while (status == INT_STATUS_SUCCESS);
    IgTraceClose(trace);
    fclose(f);
    test_free(record);
    return status;
}

void TraceExpectBadCases(const TRACE_BAD_CASE *Cases, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        const TRACE_BAD_CASE *c = &Cases[i];
        IG_TRACE_ERROR error;
        INTSTATUS status = TraceReadAll(c->Text, strlen(c->Text), &error);

        if (status != INT_STATUS_INVALID_DATA_VALUE || error.Line != c->Line || strcmp(error.Field, c->Field) != 0 ||
            strncmp(error.Message, c->Message, strlen(c->Message)) != 0)
        {
            fail_msg("case %zu: got status 0x%x line %llu field '%s' message '%s'; expected line %llu field '%s' "
                     "message '%s...'",
                     i, (unsigned)status, (unsigned long long)error.Line, error.Field, error.Message,
                     (unsigned long long)c->Line, c->Field, c->Message);
        }
    }
}

void TraceBase64(const uint8_t *Data, size_t Size, char *Out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    for (size_t i = 0; i < Size; i += 3)
    {
        uint32_t v = (uint32_t)Data[i] << 16 | (i + 1 < Size ? (uint32_t)Data[i + 1] << 8 : 0) |
                     (i + 2 < Size ? Data[i + 2] : 0);

        *Out++ = alphabet[v >> 18];
        *Out++ = alphabet[(v >> 12) & 63];
        *Out++ = i + 1 < Size ? alphabet[(v >> 6) & 63] : '=';
        *Out++ = i + 2 < Size ? alphabet[v & 63] : '=';
    }
    *Out = '\0';
}
