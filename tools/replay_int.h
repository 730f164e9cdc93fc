/*
 * `introguard replay`'s private parts: replay_run.c carries out what the trace's records say on a
 * replay guest; replay_out.c prints decisions, checks expectations and keeps the counts.
 */
#ifndef INTROGUARD_TOOLS_REPLAY_INT_H
#define INTROGUARD_TOOLS_REPLAY_INT_H

#include "alert_rules.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "replay.h"
#include "trace.h"

#define IG_RUN_MAX_DECISIONS 64u /* decisions of one event: one per zone of the page (the library's cap) */
#define IG_RUN_MAX_NAME 64u      /* bytes of an originator's name kept for output */
#define IG_RUN_NOT_A_VIOLATION "not_a_violation" /* the reason of a delivered event no zone calls a violation */

/* One decision of the current event, copied from the observer's call. */
typedef struct IG_RUN_DECISION
{
    QWORD ZoneId;
    INTRO_EXC_VERDICT Verdict;
    INTRO_ACTION Action;
    bool Alerted;
    char Originator[IG_RUN_MAX_NAME + 1]; /* the module at the RIP, "" when none */
    char Return[IG_RUN_MAX_NAME + 1];     /* the return module when it is another one, else "" */
} IG_RUN_DECISION;

/* What an event (or a violation record) came to, kept for the expectations that name its seq. */
typedef struct IG_RUN_RESULT
{
    uint64_t Seq;
    bool Delivered;            /* the event reached the library (always, for a violation record) */
    bool Decided;              /* a zone (or the rules, for a violation record) decided it */
    INTRO_EXC_VERDICT Verdict; /* Decided: the strictest decision's verdict */
    bool Alert;                /* an alert was raised for it */
} IG_RUN_RESULT;

/* The blob of the last alert an event raised (add_exception "from" it). */
typedef struct IG_RUN_BLOB
{
    uint64_t Seq;
    uint32_t Type; /* INTRO_EVENT_TYPE */
    uint8_t Blob[ALERT_EXCEPTION_SIZE];
} IG_RUN_BLOB;

/* Whole alerts are kept for the last IG_RUN_WHOLE_ALERTS alerting events only (each is up to 14 KiB). */
#define IG_RUN_WHOLE_ALERTS 64u

typedef struct IG_RUN_WHOLE
{
    uint64_t Seq;
    uint32_t Type;
    size_t Size;
    uint8_t *Data; /* IG_RUN_WHOLE_MAX bytes */
} IG_RUN_WHOLE;

#define IG_RUN_WHOLE_MAX sizeof(EVENT_PROCESS_CREATION_VIOLATION)

/* What the alerts of a run give: the blobs events raised, --learn's exceptions, --alerts' lines. */
typedef struct IG_RUN_ALERTS
{
    IG_RUN_BLOB *Blobs; /* ascending by seq (one per alerting event: its last alert) */
    size_t BlobCount;
    size_t BlobCapacity;
    IG_RUN_WHOLE Whole[IG_RUN_WHOLE_ALERTS]; /* a ring */
    uint32_t WholeNext;
    uint64_t CurrentSeq; /* the event being delivered */
    bool Failed;         /* out of memory while keeping them */

    IG_ALERT_RULES Learned;
    uint64_t Blocked;     /* blocked decisions with an alert */
    uint64_t Unlearnable; /* ... whose alert makes no exception (internal errors, victims hvmi does not except) */
    IG_TEXT Lines;        /* --alerts */
} IG_RUN_ALERTS;

/* A zone the trace declared: its id in the trace and the library's. */
typedef struct IG_RUN_ZONE
{
    char Id[IG_TRACE_MAX_ZONE_ID + 1];
    QWORD ZoneId;
    DWORD Pid;
} IG_RUN_ZONE;

typedef struct IG_RUN
{
    const IG_REPLAY_OPTIONS *Options;
    const char *TraceName;
    char *TraceDir; /* rules files are relative to it */
    FILE *Out;
    FILE *Err;
    IG_TRACE *Trace;
    uint32_t Version; /* the trace's */

    /* The replay guest: a replay backend behind the glue adapter, the library initialised on it. */
    INTRO_REPLAY *Replay;
    INTRO_GLUE_GUEST *Guest;
    GLUE_IFACE Glue;
    bool Initialized;
    bool Started;

    IG_RUN_ZONE *Zones;
    uint32_t ZoneCount;
    uint32_t ZoneCapacity;

    IG_RUN_RESULT *Results; /* sorted by seq (seqs increase) */
    size_t ResultCount;
    size_t ResultCapacity;

    /* The current event's decisions, in the order the library took them. */
    IG_RUN_DECISION Decisions[IG_RUN_MAX_DECISIONS];
    uint32_t DecisionCount;
    uint32_t DecisionsLost; /* past IG_RUN_MAX_DECISIONS */

    uint64_t Events;
    uint64_t Delivered;
    uint64_t Allowed;
    uint64_t NotAllowed;
    uint64_t Alerts; /* raised, as the alert sink saw them */
    uint64_t Expectations;
    uint64_t Failed;
    uint64_t RulesRejected;
    uint64_t RulesLine; /* the line of the trace's rules record in force, 0 while the options' rules are */

    IG_RUN_ALERTS AlertLog; /* replay_actions.c */
} IG_RUN;

/* ---- replay_out.c ---------------------------------------------------------------------------------------------- */

/* "TRACE:LINE: field 'FIELD': MESSAGE" (no field part for an empty Field) on Err; returns Exit. */
int IgRunError(IG_RUN *R, uint64_t Line, const char *Field, int Exit, const char *Format, ...)
    __attribute__((format(printf, 5, 6)));

/* A slot for the result of the event Seq (seqs increase); NULL when out of memory. */
IG_RUN_RESULT *IgRunKeep(IG_RUN *R, uint64_t Seq);

/* The table's column titles (table format only). */
void IgRunPrintTitles(const IG_RUN *R);

/* A violation record's verdict (version 1 columns in a version-1 trace). */
void IgRunPrintViolation(const IG_RUN *R, uint64_t Seq, const INTRO_EXC_VERDICT *Verdict);

/* An event's rows: one per decision, one when it was not delivered or no zone decided it. */
void IgRunPrintEvent(const IG_RUN *R, const IG_TRACE_RECORD *Record, const IG_RUN_RESULT *Result);

/* Checks an expectation against the result of the event it names. */
int IgRunExpect(IG_RUN *R, const IG_TRACE_RECORD *Record);

/* A rules record's outcome: loaded, or rejected (Why) with the rules in force kept. */
void IgRunPrintRules(IG_RUN *R, uint64_t Line, bool Loaded, const char *Why);

void IgRunPrintSummary(const IG_RUN *R);

/* The trace's id of a zone the library names ZoneId ("-" when unknown). */
const char *IgRunZoneName(const IG_RUN *R, QWORD ZoneId);

/* ---- replay_actions.c: alerts and the operator's actions on alert exceptions -------------------------------- */

/* An alert the library raised during the current event: kept, learned, written out. */
void IgRunOnAlert(IG_RUN *R, DWORD EventClass, const void *Event, size_t Size);

/* add_exception, remove_exception, flush_exceptions. */
int IgRunAlertAction(IG_RUN *R, const IG_TRACE_RECORD *Record);

/* At the end of a run: --learn's file and --alerts' file, written atomically.  Returns an exit code. */
int IgRunFinishAlerts(IG_RUN *R);

void IgRunFreeAlerts(IG_RUN *R);

#endif /* INTROGUARD_TOOLS_REPLAY_INT_H */
