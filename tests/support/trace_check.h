/*
 * For the tests that write replay traces and read them back (tools/trace.h): a reader over a text
 * that asserts what each record must be, a runner of traces the reader must refuse (each read to
 * its first failure, which must name the line, the field and the words the test expects), and a
 * base64 encoder of the tests' own, so the traces they write do not depend on the tools' encoder.
 */
#ifndef INTROGUARD_TEST_TRACE_CHECK_H
#define INTROGUARD_TEST_TRACE_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"

/* A trace being read from a text. */
typedef struct TRACE_READER
{
    FILE *File;
    IG_TRACE *Trace;
    IG_TRACE_RECORD *Rec;
    IG_TRACE_ERROR Error;
} TRACE_READER;

/* Opens the reader on Text (up to its NUL). */
void TraceReaderOpen(TRACE_READER *R, const char *Text);

/* The next record, which must read cleanly and be of Type. */
const IG_TRACE_RECORD *TraceReaderNext(TRACE_READER *R, IG_TRACE_RECORD_TYPE Type);

/* Releases the reader, wherever it stands. */
void TraceReaderClose(TRACE_READER *R);

/* The trace must end here, cleanly; then releases the reader. */
void TraceReaderEnd(TRACE_READER *R);

typedef struct TRACE_BAD_CASE
{
    const char *Text;
    uint64_t Line;
    const char *Field;
    const char *Message; /* a prefix of the message */
} TRACE_BAD_CASE;

/* Reads the Size bytes of Text (none: an empty file) until a record fails or the trace ends; the
 * status that stopped it, with *Error as the reader left it. */
INTSTATUS TraceReadAll(const char *Text, size_t Size, IG_TRACE_ERROR *Error);

/* Each case must stop with INT_STATUS_INVALID_DATA_VALUE at its Line, in its Field, with a message
 * that begins with its Message; the first that does not fails the test, naming its index. */
void TraceExpectBadCases(const TRACE_BAD_CASE *Cases, size_t Count);

/* Base64 (RFC 4648, padded) of Size bytes of Data into Out, which holds 4 * ceil(Size / 3) + 1. */
void TraceBase64(const uint8_t *Data, size_t Size, char *Out);

#endif /* INTROGUARD_TEST_TRACE_CHECK_H */
