/*
 * libFuzzer target: `introguard replay` end to end.  Each input is a trace run by the replay
 * runner (tools/replay_run.c): the reader, the replay backend, the guest model, zones, EPT rights,
 * exits and the protection pipeline with hostile memory, registers and events.  The exit status
 * must be one the command documents.  Seeds: fuzz/seeds/replay/ (version-2 traces).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static FILE *sink;
    IG_REPLAY_OPTIONS options = {NULL, true, IgReplayJsonl, NULL, 0, 0, false};
    FILE *stream;
    int exit;

    if (Size == 0)
    {
        return 0;
    }
    if (!sink && !(sink = fopen("/dev/null", "w")))
    {
        abort();
    }
    stream = fmemopen((void *)Data, Size, "r");
    if (!stream)
    {
        abort();
    }
    /* Rules a trace names by file are looked up next to "fuzz/": absent, so the error path runs. */
    exit = IgReplayStream(stream, "fuzz/input.jsonl", &options, sink, sink);
    fclose(stream);
    if (exit < 0 || exit > 2)
    {
        abort();
    }
    return 0;
}
