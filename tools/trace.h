/*
 * Reader for introguard replay traces (docs/trace-format.md): UTF-8 JSON Lines, first line a
 * header.  This version understands `header`, `violation`, `expect`, `note` and `end` records;
 * the raw-event records of the protection pipeline (`ept`, `msr`, ...) are reported as not
 * supported.  Every error names the 1-based line and the offending field.
 *
 * The reader owns everything a record points to (names, buffers, per-process state) until the
 * next call; per-process state blocks live as long as the reader, keyed by process id, so a
 * one-time or initialisation check carries over from one violation to the next as in a guest.
 *
 * The guest memory a violation carries (inline pages, and the paging mode to walk them with)
 * goes to the replay backend the reader is given: its pages and vCPU 0 registers are replaced by
 * each violation's, so the library's own page walk reads exactly what the violation recorded.
 */
#ifndef INTROGUARD_TOOLS_TRACE_H
#define INTROGUARD_TOOLS_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "introguard/glue_replay.h"
#include "introguard/intro_exceptions.h"

#define IG_TRACE_FORMAT "introguard-trace"
#define IG_TRACE_VERSION 1u

/* Caps for untrusted traces. */
#define IG_TRACE_MAX_LINE (1u << 20)      /* bytes in one line */
#define IG_TRACE_MAX_BUFFER (64u * 1024u) /* decoded bytes of one base64 buffer */
#define IG_TRACE_MAX_PROCESSES 65536u     /* distinct process ids with state */
#define IG_TRACE_MAX_VALUES 8u            /* QWORDs in an old/new value */
#define IG_TRACE_MAX_CODE_RANGES 4u       /* guest-code ranges in one violation's "memory" */
#define IG_TRACE_MAX_PAGES 16u            /* guest-physical pages in one violation's "memory" */

typedef enum IG_TRACE_RECORD_TYPE
{
    IgTraceHeader = 1,
    IgTraceViolation,
    IgTraceExpect,
    IgTraceNote,
    IgTraceEnd,
} IG_TRACE_RECORD_TYPE;

typedef struct IG_TRACE_ERROR
{
    uint64_t Line;  /* 1-based; 0 when not about a line */
    char Field[96]; /* "victim.zone", or "" for the whole line */
    char Message[256];
} IG_TRACE_ERROR;

#define IG_TRACE_EXCEPTION_ANY 0u  /* expect: exception not stated */
#define IG_TRACE_EXCEPTION_NONE 1u /* expect: "exception": null (no exception allowed it) */
#define IG_TRACE_EXCEPTION_FILE 2u /* expect: "exception": N (record index in the file) */

typedef struct IG_TRACE_EXPECT
{
    uint32_t Action;
    bool HasReason;
    uint32_t Reason;
    uint32_t Exception; /* IG_TRACE_EXCEPTION_* */
    uint32_t ExceptionIndex;
} IG_TRACE_EXPECT;

typedef struct IG_TRACE_RECORD
{
    IG_TRACE_RECORD_TYPE Type;
    uint64_t Line;
    uint64_t Seq;                  /* violation, expect */
    INTRO_EXC_VIOLATION Violation; /* violation */
    IG_TRACE_EXPECT Expect;        /* expect */
    uint64_t EndEvents;            /* end */
} IG_TRACE_RECORD;

typedef struct IG_TRACE IG_TRACE;

/*
 * Starts reading Stream (owned by the caller, read sequentially).  Replay (may be NULL: memory is
 * validated, then dropped) receives each violation's guest memory; it must outlive the reader.
 */
__attribute__((warn_unused_result)) INTSTATUS IgTraceOpen(FILE *Stream, INTRO_REPLAY *Replay, IG_TRACE **Trace);

/*
 * Reads the next record.  INT_STATUS_SUCCESS with *Record filled, INT_STATUS_NO_MORE_ENTRIES at
 * the end, or an error (INVALID_DATA_VALUE for bad input) with *Error filled.
 */
__attribute__((warn_unused_result)) INTSTATUS IgTraceNext(IG_TRACE *Trace, IG_TRACE_RECORD *Record,
                                                          IG_TRACE_ERROR *Error);

/* The guest described by the header (valid after the first record). */
const INTRO_EXC_GUEST *IgTraceGuest(const IG_TRACE *Trace);

void IgTraceClose(IG_TRACE *Trace);

/* Parses a name used in traces ("not_allowed", "no_exception", "km-module", ...); false if unknown. */
bool IgTraceParseAction(const char *Name, uint32_t *Action);
bool IgTraceParseReason(const char *Name, uint32_t *Reason);

#endif /* INTROGUARD_TOOLS_TRACE_H */
