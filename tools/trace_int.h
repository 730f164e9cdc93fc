/*
 * The trace reader's private parts, shared by trace.c (lines and records), trace_fields.c (typed
 * fields) and trace_violation.c (violations and the guest memory they carry).
 *
 * Every parse function takes an IG_PARSE: the trace, where an error goes, and whether one was
 * already reported (the first error of a line wins; later calls on a failed line do nothing).
 */
#ifndef INTROGUARD_TOOLS_TRACE_INT_H
#define INTROGUARD_TOOLS_TRACE_INT_H

#include <json-c/json.h>

#include "introguard/glue_replay.h"
#include "trace.h"

typedef struct IG_TRACE_PROCESS
{
    uint32_t Pid;
    INTRO_EXC_PROCESS_STATE State;
} IG_TRACE_PROCESS;

struct IG_TRACE
{
    FILE *Stream;
    INTRO_REPLAY *Replay; /* where each violation's guest memory goes; NULL: validated, then dropped */
    char *Line;
    size_t LineCapacity;
    uint64_t LineNumber;
    bool SawHeader;
    bool SawEnd;
    bool HaveSeq;
    uint64_t LastSeq;
    uint64_t Events;
    INTRO_EXC_GUEST Guest;
    json_object *Current;
    uint32_t BufferUsed;
    uint8_t Buffers[2 + IG_TRACE_MAX_CODE_RANGES][IG_TRACE_MAX_BUFFER];
    INTRO_EXC_CODE_BYTES Code[IG_TRACE_MAX_CODE_RANGES]; /* the current violation's guest code */
    IG_TRACE_PROCESS **Processes;                        /* individually allocated: State pointers stay valid */
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

/* Obj[Key], or NULL when absent or JSON null. */
json_object *IgTraceField(json_object *Obj, const char *Key);

/* "0x" and 1 to 16 hex digits. */
bool IgTraceHex(const char *Text, uint64_t *Value);

/*
 * Typed fields.  Each returns true when the field is present and well formed (and stores it),
 * false when it is absent (an error only when Required) or malformed (always an error).
 */
bool IgTraceU64(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, uint64_t *Value, bool Required);
bool IgTraceU32(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, uint32_t *Value, bool Required);
bool IgTraceBool(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool *Value);
const char *IgTraceString(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool Required);
/* An object-valued field: NULL when absent or JSON null (*Null says which); an error for anything else. */
json_object *IgTraceObject(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool *Null);
/* A base64 field decoded into one of the trace's buffers (valid until the next line). */
bool IgTraceBase64(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, const void **Data,
                   uint32_t *Size);
/* "Prefix.Key" (or "Key" for an empty prefix). */
void IgTraceJoin(char *Out, size_t Size, const char *Prefix, const char *Key);

/* The guest description of a header (or of a violation that overrides it). */
void IgTraceParseGuest(IG_PARSE *P, json_object *Obj, const char *Prefix, INTRO_EXC_GUEST *Guest);

/* A `violation` record: the model, and its guest memory declared to the trace's replay backend. */
void IgTraceParseViolation(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec);

#endif /* INTROGUARD_TOOLS_TRACE_INT_H */
