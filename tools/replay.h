/*
 * `introguard replay`: runs a trace (docs/trace-format.md) on a replay guest.  Version-1 traces
 * hold violations, evaluated against the guest's rules; version-2 traces declare a guest and its
 * zones and hold the raw events a hypervisor reports, which go through the whole protection
 * pipeline (docs/protection.md).
 */
#ifndef INTROGUARD_TOOLS_REPLAY_H
#define INTROGUARD_TOOLS_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum IG_REPLAY_FORMAT
{
    IgReplayTable,
    IgReplayJsonl,
} IG_REPLAY_FORMAT;

typedef struct IG_REPLAY_OPTIONS
{
    const char *ExceptionsPath; /* NULL: no file loaded, every violation is allowed */
    bool Check;                 /* exit 1 when an expectation fails */
    IG_REPLAY_FORMAT Format;
    FILE *MemoryImage; /* optional raw guest-physical image (file offset = GPA), kept open by the caller */
    uint64_t MemoryImageSize;
    uint64_t IntroVersion; /* the introcore version version-intro signatures see (0: the trace's, else the library's) */
    bool DeliverAll;       /* deliver every event, even where the EPT rights or exits would not stop the vCPU */
    const char *LearnPath; /* --learn: where the exceptions that allow every blocked event go (JSON) */
    const char *AlertsPath; /* --alerts: where every alert raised goes (JSON lines) */
} IG_REPLAY_OPTIONS;

/*
 * Replays Trace (named TraceName in messages; rules files a trace names are relative to its
 * directory) as Options say.  Decisions and the summary go to Out, problems to Err.  Returns IG_EXIT_OK, 1 when Check
 * is set and an expectation failed, 2 for bad input (trace or exceptions file; the message names the line and field).
 */
int IgReplayStream(FILE *Trace, const char *TraceName, const IG_REPLAY_OPTIONS *Options, FILE *Out, FILE *Err);

#endif /* INTROGUARD_TOOLS_REPLAY_H */
