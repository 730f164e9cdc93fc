/*
 * `introguard replay`: runs the violations of a trace through the exceptions engine.
 */
#ifndef INTROGUARD_TOOLS_REPLAY_H
#define INTROGUARD_TOOLS_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

typedef enum IG_REPLAY_FORMAT
{
    IgReplayTable,
    IgReplayJsonl,
} IG_REPLAY_FORMAT;

/*
 * Replays Trace (named TraceName in messages) against the exceptions file at ExceptionsPath (NULL:
 * no file loaded).  Verdicts and the summary go to Out, problems to Err.  Returns IG_EXIT_OK,
 * 1 when Check is set and an expectation failed, 2 for bad input (trace or exceptions file; the
 * message names the line and field).
 */
int IgReplayStream(FILE *Trace, const char *TraceName, const char *ExceptionsPath, bool Check, IG_REPLAY_FORMAT Format,
                   FILE *Out, FILE *Err);

#endif /* INTROGUARD_TOOLS_REPLAY_H */
