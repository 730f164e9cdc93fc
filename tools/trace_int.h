/*
 * The trace reader's private parts, shared by trace.c (lines, header, expectations), trace_fields.c
 * (typed fields), trace_violation.c (version-1 violations) and trace_guest.c (version-2 records).
 *
 * Every parse function takes an IG_PARSE: the trace, where an error goes, and whether one was
 * already reported (the first error of a line wins; later calls on a failed line do nothing).
 */
#ifndef INTROGUARD_TOOLS_TRACE_INT_H
#define INTROGUARD_TOOLS_TRACE_INT_H

#include "introguard/intro_exc_keywords.h"
#include "json.h"
#include "trace.h"

typedef struct IG_TRACE_PROCESS
{
    uint32_t Pid;
    INTRO_EXC_PROCESS_STATE State;
} IG_TRACE_PROCESS;

#define IG_TRACE_MAX_RULES (768u * 1024u) /* decoded bytes of inline rules (what a 1 MiB line can hold) */

struct IG_TRACE
{
    FILE *Stream;
    char *Line;
    uint64_t LineNumber;
    bool SawHeader;
    bool SawEnd;
    bool HaveSeq;
    uint64_t LastSeq;
    uint64_t Events;
    IG_TRACE_HEADER Header;
    IG_JSON_DOC Doc; /* the current line */
    uint32_t BufferUsed;
    uint8_t Buffers[2 + IG_TRACE_MAX_CODE_RANGES][IG_TRACE_MAX_BUFFER];
    uint8_t *RulesBuffer;                                /* inline rules of the current line */
    INTRO_EXC_CODE_BYTES Code[IG_TRACE_MAX_CODE_RANGES]; /* the current violation's guest code */
    IG_TRACE_PAGE Pages[IG_TRACE_MAX_PAGES];             /* the current violation's pages */
    uint8_t PageData[IG_TRACE_MAX_PAGES][0x1000];
    INTRO_GUEST_SECTION Sections[INTRO_GUEST_MAX_SECTIONS]; /* the current module's */
    INTRO_BACKEND_REGS *Vcpus;                              /* v2: each vCPU's snapshot (Header.Vcpus) */
    IG_TRACE_PROCESS **Processes;                           /* individually allocated: State pointers stay valid */
    uint32_t ProcessCount;
    uint32_t ProcessCapacity;
};

/* One line being parsed: where errors go. */
typedef struct IG_PARSE
{
    IG_TRACE *Trace;
    IG_TRACE_ERROR *Error;
    bool Failed;
} IG_PARSE;

/* Reports an error on Prefix.Key (the first of the line only); returns false. */
bool IgTraceFail(IG_PARSE *P, const char *Prefix, const char *Key, const char *Format, ...)
    __attribute__((format(printf, 4, 5)));

/* Obj[Key] (the last of duplicates — the reader refuses those first), NULL when absent or JSON null. */
const IG_JSON_VALUE *IgTraceField(const IG_JSON_VALUE *Obj, const char *Key);

/* Whether Obj has Key, null or not. */
bool IgTraceHas(const IG_JSON_VALUE *Obj, const char *Key);

/* "0x" and 1 to 16 hex digits. */
bool IgTraceHex(const char *Text, uint64_t *Value);

/*
 * Typed fields.  Each returns true when the field is present and well formed (and stores it),
 * false when it is absent (an error only when Required) or malformed (always an error).
 */
bool IgTraceU64(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, uint64_t *Value,
                bool Required);
/* IgTraceU64 into a QWORD (the library's structures). */
bool IgTraceQword(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, QWORD *Value,
                  bool Required);
bool IgTraceU32(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, uint32_t *Value,
                bool Required);
bool IgTraceBool(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, bool *Value);
/* A string field (UTF-8, no NUL inside: the parser refuses \u0000). */
const char *IgTraceString(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, bool Required);
/* An object-valued field: NULL when absent or JSON null (*Null says which); an error for anything else. */
const IG_JSON_VALUE *IgTraceObject(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key,
                                   bool *Null);
/* A base64 field decoded into one of the trace's buffers (valid until the next line). */
bool IgTraceBase64(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, const void **Data,
                   uint32_t *Size);
/* A base64 field of at most Max bytes decoded into Out (Max bytes large). */
bool IgTraceBase64Into(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, uint8_t *Out,
                       uint32_t Max, uint32_t *Size);
/* "Prefix.Key" (or "Key" for an empty prefix). */
void IgTraceJoin(char *Out, size_t Size, const char *Prefix, const char *Key);

/* A name from a keyword table ("km-module", "ept", ...), or an error listing what is allowed. */
bool IgTraceKeyword(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key,
                    const INTRO_EXC_KEYWORD_TABLE *Table, uint64_t *Value, bool Required);

/* The guest description of a header (or of a violation that overrides it). */
void IgTraceParseGuest(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, INTRO_EXC_GUEST *Guest);

/* A `violation` record (version 1, also accepted in version 2). */
void IgTraceParseViolation(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec);

/* The header's version-2 part: vCPUs, system CR3, paging, intro version. */
void IgTraceParseHeaderV2(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_HEADER *Header);

/*
 * A version-2 record of type Type (vcpu, page, memory, module, ..., ept, msr, cr, dtr).  Returns
 * false when Type is not one of them (nothing reported).
 */
bool IgTraceParseGuestRecord(IG_PARSE *P, const char *Type, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec);

/*
 * A version-2 record on alert exceptions (add_exception, remove_exception, flush_exceptions;
 * trace_actions.c).  Returns false when Type is not one of them (nothing reported).
 */
bool IgTraceParseActionRecord(IG_PARSE *P, const char *Type, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec);

/* Checks and records the seq of an event (or, with Event false, just reads it). */
bool IgTraceParseSeq(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec, bool Event);

#endif /* INTROGUARD_TOOLS_TRACE_INT_H */
