/*
 * `introguard replay`: runs a trace (docs/trace-format.md) on a replay guest.  Version-1 traces
 * hold violations, evaluated against the guest's rules; version-2 traces declare a guest and its
 * zones and hold the raw events a hypervisor reports, which go through the whole protection
 * pipeline (docs/protection.md).
 */
#ifndef INTROGUARD_TOOLS_REPLAY_H
#define INTROGUARD_TOOLS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "introguard/intro_exceptions.h"

typedef enum IG_REPLAY_FORMAT
{
    IgReplayTable,
    IgReplayJsonl,
} IG_REPLAY_FORMAT;

/*
 * One decision as a replay hook sees it (IG_REPLAY_OPTIONS.Hook): what the table and JSON rows
 * show, as data.  A version-1 violation gives one decision; a version-2 event one per zone that
 * decided it, or one with Verdict NULL when it was not delivered or no zone called it a violation.
 * Every pointer is valid only during the call.
 */
typedef struct IG_REPLAY_DECISION
{
    uint64_t Seq;
    uint64_t Line;                    /* the trace line of the event's record */
    bool Delivered;                   /* false: the event never reached the library */
    const INTRO_EXC_VERDICT *Verdict; /* NULL: not delivered, or delivered but no zone's violation */
    uint32_t Index;                   /* this decision's position among its event's decisions */
    const char *Zone;                 /* version 2: the zone's id ("-" when unknown); NULL for a violation record */
    const char *Originator;           /* version 2: the module at the RIP ("" when none); NULL for a violation */
    const char *Return;               /* version 2: the return module when another one, else "" */
    bool Alerted;
    uint64_t RulesLine; /* 0: the rules in force are the options' exceptions; else the trace's rules record's line */
} IG_REPLAY_DECISION;

/* Called for each decision, in trace order, before its row is printed. */
typedef void (*IG_REPLAY_HOOK)(void *Context, const IG_REPLAY_DECISION *Decision);

typedef struct IG_REPLAY_OPTIONS
{
    const char *ExceptionsPath; /* NULL: no file loaded, every violation is allowed */
    bool Check;                 /* exit 1 when an expectation fails */
    IG_REPLAY_FORMAT Format;
    FILE *MemoryImage; /* optional raw guest-physical image (file offset = GPA), kept open by the caller */
    uint64_t MemoryImageSize;
    uint64_t IntroVersion; /* the introcore version version-intro signatures see (0: the trace's, else the library's) */
    bool DeliverAll;       /* deliver every event, even where the EPT rights or exits would not stop the vCPU */
    /* An exceptions file in memory, loaded instead of reading ExceptionsPath (which then only names
     * it in messages); the caller keeps it until the replay returns. */
    const uint8_t *ExceptionsData;
    size_t ExceptionsSize;
    IG_REPLAY_HOOK Hook; /* optional: every decision as data (coverage, impact) */
    void *HookContext;
    /* Print nothing on Out (no titles, rows or summary) and no failed expectation; errors still go to Err. */
    bool Quiet;
    const char *LearnPath;  /* --learn: where the exceptions that allow every blocked event go (JSON) */
    const char *AlertsPath; /* --alerts: where every alert raised goes (JSON lines) */
} IG_REPLAY_OPTIONS;

/*
 * Replays Trace (named TraceName in messages; rules files a trace names are relative to its
 * directory) as Options say.  Decisions and the summary go to Out, problems to Err.  Returns
 * IG_EXIT_OK, or IG_EXIT_FAILURE when Check is set and an expectation failed or when the input is
 * bad (the trace or an exceptions file; the message names the line and field).
 */
int IgReplayStream(FILE *Trace, const char *TraceName, const IG_REPLAY_OPTIONS *Options, FILE *Out, FILE *Err);

#endif /* INTROGUARD_TOOLS_REPLAY_H */
