/*
 * The analyst's workbench: what `introguard coverage`, `impact` and `lint` share (docs/workbench.md).
 *
 *  - A rule set (IG_WB_RULES): an exceptions file read from disk, or JSON sources compiled in memory
 *    with the compiler's origins, so every record can be named by file:line and $.path.  A file
 *    given with its sources (coverage --source) is matched to them record by record.
 *  - Replays collected as data (IG_WB_RUN): each decision of a trace through the replay runner's hook,
 *    with nothing printed.
 *  - Small output helpers: JSON strings, record descriptions.
 *
 * Nothing here keeps global state; every buffer is malloc'd and owned by the structure holding it.
 */
#ifndef INTROGUARD_TOOLS_WORKBENCH_H
#define INTROGUARD_TOOLS_WORKBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compile.h"
#include "json.h"
#include "records.h"
#include "replay.h"
#include "trace.h"

#define IG_WB_NO_ORIGIN 0xFFFFFFFFu /* a record no JSON entry is known for */

/* A rule set, from a file or from sources. */
typedef struct IG_WB_RULES
{
    const char *Name; /* as given: the file or the sources' path */
    uint8_t *Data;    /* the exceptions file (read, or compiled) */
    size_t Size;
    IG_RECORD_LIST List;      /* every record decoded, views into Data */
    uint32_t *Origin;         /* per record: index into Origins, or IG_WB_NO_ORIGIN; NULL without sources */
    IG_COMPILE_INPUTS Inputs; /* the JSON sources, when known */
    IG_JSON_DOC *Docs;        /* each source parsed, for the entries' fields */
    IG_COMPILE_ORIGIN *Origins;
    size_t OriginCount;
    bool Compiled;      /* Data was compiled from the sources (else read, and matched to them) */
    uint64_t *SigIndex; /* signature ID << 32 | record index, ascending */
    size_t SigCount;
} IG_WB_RULES;

/* How IgWbLoad reads a rule set. */
typedef struct IG_WB_LOAD
{
    char *const *Paths; /* one exceptions file; or JSON files and directories, compiled together */
    size_t PathCount;
    const char *SourcePath; /* optional: the JSON the exceptions file was compiled from */
    bool KeepUnused;        /* compile unused signatures too (lint reports them) */
} IG_WB_LOAD;

/*
 * Loads a rule set: a single file starting with the format's magic is read as an exceptions file
 * (and decoded whole); anything else is JSON, compiled in memory as `introguard compile` would.  With
 * SourcePath, the sources are compiled too and each record of the file is matched to the compiled
 * record with the same bytes.  Returns IG_EXIT_OK, or IG_EXIT_FAILURE with the reason on Err
 * (unreadable, corrupt, compile errors).  Free with IgWbRulesFree (also after a failure).
 */
bool IgWbIsBinary(const char *Path);
int IgWbLoad(const IG_WB_LOAD *Load, IG_WB_RULES *Rules, FILE *Err);
void IgWbRulesFree(IG_WB_RULES *Rules);

/* Where record Index came from: its source file, line and "$.Exceptions[3]"; false when unknown. */
typedef struct IG_WB_WHERE
{
    uint32_t Source; /* index of the file among the sources */
    const char *File;
    uint32_t Line;
    char Path[48];
} IG_WB_WHERE;

bool IgWbWhere(const IG_WB_RULES *Rules, uint32_t Index, IG_WB_WHERE *Where);

/* The JSON entry record Index came from, or NULL. */
const IG_JSON_VALUE *IgWbEntry(const IG_WB_RULES *Rules, uint32_t Index);

/* A record in words, for tables: names from the sources when known, else special names or hashes. */
typedef struct IG_WB_DESC
{
    const char *Kind;    /* "kernel", "user", ..., "codeblocks", ... */
    char Originator[96]; /* exceptions: the originator ("" for signatures) */
    char Victim[96];
    char Process[96]; /* "" when the kind has none */
    char Object[40];
    char Flags[200];
    char Name[96]; /* signatures: their sig_id when known, else "0x%08X" of the ID */
} IG_WB_DESC;

void IgWbDescribe(const IG_WB_RULES *Rules, uint32_t Index, IG_WB_DESC *Desc);

/* Whether record Index is an exception (kernel, user, APC, glob, kernel-user) or a signature. */
bool IgWbIsException(const INTRO_EXCFILE_RECORD *Record);
bool IgWbIsSignature(const INTRO_EXCFILE_RECORD *Record);

/* The record holding signature Id, or IG_WB_NO_ORIGIN. */
uint32_t IgWbFindSignature(const IG_WB_RULES *Rules, uint32_t Id);

/* The INTRO_EXC_REASON_* a failing group of signature records of RecordType gives (0 for others). */
uint32_t IgWbSignatureReason(uint8_t RecordType);

/* ---- Replays collected as data -------------------------------------------------------------------------------- */

#define IG_WB_MAX_NAME 64u

typedef struct IG_WB_DECISION
{
    uint32_t Trace; /* index of the trace among those run */
    uint64_t Seq;
    uint64_t Line;
    uint32_t Index; /* among the event's decisions */
    bool Delivered;
    bool Decided;    /* Verdict holds (delivered, and a zone or the rules decided it) */
    bool TraceRules; /* decided under a rules record of the trace, not under the rule set given */
    bool Violation;  /* a violation record (version 1 style): no zone or originator */
    INTRO_EXC_VERDICT Verdict;
    char Zone[IG_TRACE_MAX_ZONE_ID + 1];
    char Originator[IG_WB_MAX_NAME + 1];
    char Return[IG_WB_MAX_NAME + 1];
} IG_WB_DECISION;

typedef struct IG_WB_RUN
{
    IG_WB_DECISION *Items;
    size_t Count;
    size_t Capacity;
    bool OutOfMemory;
} IG_WB_RUN;

/*
 * Replays the trace at Path (index Trace among the traces) with Rules loaded before its first
 * record, printing nothing, and appends its decisions to *Run.  Returns IG_EXIT_OK, or
 * IG_EXIT_FAILURE with the replay's message on Err.
 */
int IgWbReplay(const char *Path, uint32_t Trace, const IG_WB_RULES *Rules, IG_WB_RUN *Run, FILE *Err);
void IgWbRunFree(IG_WB_RUN *Run);

/* ---- Output ------------------------------------------------------------------------------------------------------ */

/* Text as a JSON string: quotes, backslashes and control characters escaped; NULL as null. */
void IgWbJsonString(FILE *Out, const char *Text);

/* A table for people: rows of cells, printed left-aligned in columns two spaces apart. */
typedef struct IG_WB_TABLE
{
    size_t Columns;
    char **Cells; /* Rows x Columns, malloc'd */
    size_t Rows;
    size_t Capacity;
    bool OutOfMemory;
} IG_WB_TABLE;

void IgWbTableInit(IG_WB_TABLE *Table, size_t Columns);
/* Appends a row of Table->Columns cells (copied; NULL is printed as ""). */
void IgWbTableRow(IG_WB_TABLE *Table, const char *const *Cells);
/* Prints every row; the last column is not padded.  Returns false when a row was lost to memory. */
bool IgWbTablePrint(const IG_WB_TABLE *Table, FILE *Out);
void IgWbTableFree(IG_WB_TABLE *Table);

/* "file:line" (or "-") of record Index, for tables. */
void IgWbWhereText(const IG_WB_RULES *Rules, uint32_t Index, char *Buffer, size_t Size);

/* `"source":{"file":..,"line":..,"path":..}` or `"source":null`, for JSON output. */
void IgWbJsonWhere(FILE *Out, const IG_WB_RULES *Rules, uint32_t Index);

#endif /* INTROGUARD_TOOLS_WORKBENCH_H */
