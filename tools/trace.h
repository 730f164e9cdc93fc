/*
 * Reader for introguard replay traces (docs/trace-format.md): UTF-8 JSON Lines, first line a
 * header, read with the tools' own JSON parser (tools/json.c).  Version 1 describes violations
 * directly; version 2 describes a guest (memory, vCPUs, modules, processes, zones, rules) and the
 * raw events a hypervisor reports.  Every error names the 1-based line and the offending field.
 *
 * The reader only reads: the runner (tools/replay_run.c) carries out what records say.  It owns
 * everything a record points to (names, buffers) until the next call.  It also keeps what spans
 * records: per-process exception state for v1 violations (keyed by pid, so a one-time or
 * initialisation check carries over as in a guest), and each vCPU's register snapshot (v2).
 */
#ifndef INTROGUARD_TOOLS_TRACE_H
#define INTROGUARD_TOOLS_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "introguard/glue_replay.h"
#include "introguard/intro_exceptions.h"
#include "introguard/intro_guest.h"

#define IG_TRACE_FORMAT "introguard-trace"
#define IG_TRACE_VERSION_MAX 2u

/* Caps for untrusted traces. */
#define IG_TRACE_MAX_LINE (1u << 20)      /* bytes in one line */
#define IG_TRACE_MAX_BUFFER (64u * 1024u) /* decoded bytes of one base64 buffer */
#define IG_TRACE_MAX_PROCESSES 65536u     /* distinct process ids with state */
#define IG_TRACE_MAX_VALUES 8u            /* QWORDs in an old/new value */
#define IG_TRACE_MAX_CODE_RANGES 4u       /* guest-code ranges in one violation's "memory" */
#define IG_TRACE_MAX_PAGES 16u            /* guest-physical pages in one violation's "memory" */
#define IG_TRACE_MAX_ZONE_ID 63u          /* characters of a zone's id */

typedef enum IG_TRACE_RECORD_TYPE
{
    IgTraceHeader = 1,
    IgTraceViolation,
    IgTraceExpect,
    IgTraceNote,
    IgTraceEnd,
    /* version 2 */
    IgTraceVcpu,
    IgTracePage,
    IgTraceMemory,
    IgTraceModule,
    IgTraceModuleRemove,
    IgTraceProcess,
    IgTraceProcessRemove,
    IgTraceZone,
    IgTraceUnprotect,
    IgTraceRules,
    IgTraceEvent,
    /* version 2: the operator's actions on alert exceptions */
    IgTraceAddException,
    IgTraceRemoveException,
    IgTraceFlushExceptions,
} IG_TRACE_RECORD_TYPE;

typedef struct IG_TRACE_ERROR
{
    uint64_t Line;  /* 1-based; 0 when not about a line */
    char Field[96]; /* "victim.zone", or "" for the whole line */
    char Message[256];
} IG_TRACE_ERROR;

/* What the header says. */
typedef struct IG_TRACE_HEADER
{
    uint32_t Version;
    INTRO_EXC_GUEST Guest; /* OS, bitness, version, PEB sizes, intro version */
    uint32_t Vcpus;
    uint64_t SystemCr3;
    uint32_t Paging; /* INTRO_REPLAY_PAGING_* */
} IG_TRACE_HEADER;

#define IG_TRACE_EXCEPTION_ANY 0u   /* expect: exception not stated */
#define IG_TRACE_EXCEPTION_NONE 1u  /* expect: "exception": null (no exception allowed it) */
#define IG_TRACE_EXCEPTION_FILE 2u  /* expect: "exception": N (record index in the file) */
#define IG_TRACE_EXCEPTION_ALERT 3u /* expect: "exception": {"alert": CONTEXT} (an alert exception) */

#define IG_TRACE_ACTION_NOT_DELIVERED 0xFFu   /* expect: the event never reaches the engine */
#define IG_TRACE_REASON_NOT_A_VIOLATION 0xFFu /* expect: delivered, but no zone calls it a violation */

typedef struct IG_TRACE_EXPECT
{
    uint32_t Action; /* INTRO_EXC_ACTION_*, or IG_TRACE_ACTION_NOT_DELIVERED */
    bool HasReason;
    uint32_t Reason;
    uint32_t Exception; /* IG_TRACE_EXCEPTION_* */
    uint32_t ExceptionIndex;
    uint64_t ExceptionContext; /* IG_TRACE_EXCEPTION_ALERT */
    bool HasAlert;
    bool Alert;
} IG_TRACE_EXPECT;

/* v1 violation memory the runner declares: pages and how to walk them. */
typedef struct IG_TRACE_PAGE
{
    uint64_t Gpa;
    const uint8_t *Data; /* 4096 bytes */
} IG_TRACE_PAGE;

typedef enum IG_TRACE_EVENT_KIND
{
    IgTraceEventEpt = 1,
    IgTraceEventMsr,
    IgTraceEventCr,
    IgTraceEventDtr,
} IG_TRACE_EVENT_KIND;

typedef struct IG_TRACE_EVENT
{
    IG_TRACE_EVENT_KIND Kind;
    uint32_t Vcpu;
    /* EPT: Gpa, or Gva to translate through the vCPU's CR3 (ByGva); Gla the linear address (0: none). */
    bool ByGva;
    uint64_t Gpa;
    uint64_t Gva;
    uint64_t Gla;
    uint8_t Access; /* IG_EPT_HOOK_* */
    /* MSR, CR */
    uint32_t Index; /* MSR number, CR number */
    uint64_t OldValue;
    uint64_t NewValue;
    /* DTR */
    uint32_t DtrFlags; /* IG_DESC_ACCESS_* */
} IG_TRACE_EVENT;

/* An operator's call on alert exceptions (add_exception, remove_exception, flush_exceptions). */
typedef struct IG_TRACE_ALERT_ACTION
{
    uint64_t Context;   /* add, remove */
    uint32_t EventType; /* add: INTRO_EVENT_TYPE of the alert */
    bool WholeAlert;    /* add: the whole alert (AddExceptionFromAlert with Exception FALSE), else its blob */
    bool FromEvent;     /* add: the alert the event FromSeq raised (else Data, DataSize of the record) */
    uint64_t FromSeq;
    bool HasStatus; /* the status the call must return (else: any success) */
    INTSTATUS Status;
} IG_TRACE_ALERT_ACTION;

typedef struct IG_TRACE_RECORD
{
    IG_TRACE_RECORD_TYPE Type;
    uint64_t Line;
    uint64_t Seq; /* violation, expect, event */

    /* violation (v1); Pages/PageCount/Paging: its memory.pages and memory.paging (0: not given) */
    INTRO_EXC_VIOLATION Violation;
    const IG_TRACE_PAGE *Pages;
    uint32_t PageCount;
    uint32_t Paging;

    IG_TRACE_EXPECT Expect;
    uint64_t EndEvents;

    /* vcpu, and every event: the vCPU and its snapshot (events: with the record's regs applied) */
    uint32_t Vcpu;
    const INTRO_BACKEND_REGS *Regs;

    /* page, memory */
    uint64_t Address; /* page: GPA; memory: GVA */
    uint64_t Cr3;     /* memory */
    const uint8_t *Data;
    uint32_t DataSize;

    /* module, module_remove, process_remove: the pid (INTRO_GUEST_KERNEL for the kernel) */
    uint32_t Pid;
    INTRO_GUEST_MODULE Module; /* module; module_remove: Base */
    INTRO_GUEST_PROCESS Process;

    /* zone, unprotect */
    char ZoneId[IG_TRACE_MAX_ZONE_ID + 1];
    INTRO_GUEST_ZONE Zone;

    /* rules: a path (relative to the trace's directory) or the bytes */
    const char *RulesPath;

    IG_TRACE_EVENT Event;

    /* add_exception, remove_exception, flush_exceptions: the call, and the status it must return */
    IG_TRACE_ALERT_ACTION Action;
} IG_TRACE_RECORD;

typedef struct IG_TRACE IG_TRACE;

/* Starts reading Stream (owned by the caller, read sequentially). */
__attribute__((warn_unused_result)) INTSTATUS IgTraceOpen(FILE *Stream, IG_TRACE **Trace);

/*
 * Reads the next record.  INT_STATUS_SUCCESS with *Record filled, INT_STATUS_NO_MORE_ENTRIES at
 * the end, or an error (INVALID_DATA_VALUE for bad input, INVALID_DATA_STATE for a version-2 trace
 * that ends without its end record) with *Error filled.
 */
__attribute__((warn_unused_result)) INTSTATUS IgTraceNext(IG_TRACE *Trace, IG_TRACE_RECORD *Record,
                                                          IG_TRACE_ERROR *Error);

/* The header (valid after the first record). */
const IG_TRACE_HEADER *IgTraceHeaderOf(const IG_TRACE *Trace);

/* The guest described by the header (valid after the first record). */
const INTRO_EXC_GUEST *IgTraceGuest(const IG_TRACE *Trace);

/* Version 2: vCPU Vcpu's register snapshot (the header's defaults until a vcpu record); NULL otherwise. */
const INTRO_BACKEND_REGS *IgTraceVcpuState(const IG_TRACE *Trace, uint32_t Vcpu);

void IgTraceClose(IG_TRACE *Trace);

/* Paging modes of a trace (header guest.paging, a violation's memory.paging). */
#define IG_TRACE_PAGING_NONE 0xFFu /* not given */

/* "4-level", "5-level", "pae", "32-bit" to INTRO_REPLAY_PAGING_*; false if unknown. */
bool IgTracePagingByName(const char *Name, uint32_t *Paging);

/* The control registers (CR0, CR4, EFER) a vCPU needs to walk page tables in Paging. */
void IgTracePagingRegisters(uint32_t Paging, INTRO_BACKEND_REGS *Regs);

/* "1.133.0.0" (major.minor.revision.build, each 0 to 65535) as version-intro signatures compare it. */
bool IgTraceParseIntroVersion(const char *Text, uint64_t *Version);

/* Parses a name used in traces ("not_allowed", "no_exception", ...); false if unknown. */
bool IgTraceParseAction(const char *Name, uint32_t *Action);
bool IgTraceParseReason(const char *Name, uint32_t *Reason);

#endif /* INTROGUARD_TOOLS_TRACE_H */
