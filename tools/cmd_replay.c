/*
 * `introguard replay TRACE [-e EXCEPTIONS.bin] [--check] [--format table|jsonl] [--memory IMAGE]
 * [--intro-version V] [--deliver-all] [--learn OUT.json] [--alerts OUT.jsonl]`: the command line; the
 * run is replay_run.c's, the alerts replay_actions.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "replay.h"
#include "trace.h"
#include "tool_common.h"

/* A raw guest-physical image: a regular file (a directory or a device is not an image). */
static int IgReplayOpenImage(const char *Path, IG_REPLAY_OPTIONS *Options)
{
    struct stat st;

    Options->MemoryImage = fopen(Path, "rb");
    if (!Options->MemoryImage || fstat(fileno(Options->MemoryImage), &st) != 0)
    {
        IgToolError(stderr, Path, "cannot read the memory image: %s", strerror(errno));
        goto failed;
    }
    if (!S_ISREG(st.st_mode))
    {
        IgToolError(stderr, Path, "the memory image must be a regular file (file offset = guest-physical address)");
        goto failed;
    }
    Options->MemoryImageSize = (uint64_t)st.st_size;
    return IG_EXIT_OK;

failed:
    if (Options->MemoryImage)
    {
        fclose(Options->MemoryImage);
        Options->MemoryImage = NULL;
    }
    return IG_EXIT_FAILURE;
}

void IgCmdReplayHelp(FILE *Out)
{
    fputs("usage: introguard replay TRACE [-e EXCEPTIONS.bin] [--check] [--format table|jsonl]\n"
          "                        [--memory IMAGE] [--intro-version V] [--deliver-all]\n"
          "                        [--learn OUT.json] [--alerts OUT.jsonl]\n"
          "\n"
          "Runs TRACE (docs/trace-format.md) on a replay guest.  A version-1 trace's violations are\n"
          "evaluated against the exceptions; a version-2 trace declares a guest, its zones and rules,\n"
          "and its events go through the whole protection pipeline.  One row per decision (seq, event,\n"
          "originator -> victim, action, reason, the exception that allowed it or, for a block, the\n"
          "one that came closest), then a summary.\n"
          "\n"
          "  -e, --exceptions FILE  an exceptions file (hvmi format 2.2) loaded before the first record;\n"
          "                         until one is loaded every event is allowed (exceptions_not_loaded)\n"
          "  --check                exit 1 when an `expect` record does not hold\n"
          "  --format table|jsonl   output format (default table)\n"
          "  --memory IMAGE         a raw guest-physical memory image (file offset = GPA) under the\n"
          "                         trace's own pages\n"
          "  --intro-version V      the introcore version version-intro signatures compare with\n"
          "                         (major.minor.revision.build; default the trace's, else 1.133.0.0)\n"
          "  --deliver-all          deliver every event, even where no EPT right or exit would stop\n"
          "                         the vCPU (default: such events are shown as not_delivered)\n"
          "  --learn OUT.json       write the exceptions (and signatures) that allow every blocked event,\n"
          "                         merged, as JSON `introguard compile` accepts (from the events' alerts)\n"
          "  --alerts OUT.jsonl     write every alert raised, one JSON line each (introguard alert reads it)\n"
          "\n"
          "Exit status: 0 done; 1 the replay failed: an expectation under --check, or bad input (the\n"
          "message names the line and the field; a version-2 trace without its end record is\n"
          "truncated); 2 a usage error.\n",
          Out);
}

int IgCmdReplay(int Argc, char **Argv)
{
    enum
    {
        OptExceptions = 1,
        OptCheck,
        OptFormat,
        OptMemory,
        OptIntroVersion,
        OptDeliverAll,
        OptLearn,
        OptAlerts,
        OptHelp,
    };
    static const IG_OPTION table[] = {
        {"exceptions", 'e', true, OptExceptions},
        {"check", 0, false, OptCheck},
        {"format", 0, true, OptFormat},
        {"memory", 0, true, OptMemory},
        {"intro-version", 0, true, OptIntroVersion},
        {"deliver-all", 0, false, OptDeliverAll},
        {"learn", 0, true, OptLearn},
        {"alerts", 0, true, OptAlerts},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    IG_REPLAY_OPTIONS options;
    const char *tracePath = NULL;
    const char *imagePath = NULL;
    const char *value;
    FILE *stream;
    int id, exit;

    memset(&options, 0, sizeof(options));
    options.Format = IgReplayTable;
    IgOptInit(&opt, Argc, Argv, "replay");
    while ((id = IgOptNext(&opt, table, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case OptExceptions:
                options.ExceptionsPath = value;
                break;
            case OptCheck:
                options.Check = true;
                break;
            case OptMemory:
                imagePath = value;
                break;
            case OptIntroVersion:
                /* 0.0.0.0 would mean "the trace's", not a version to replay as. */
                if (!IgTraceParseIntroVersion(value, &options.IntroVersion) || options.IntroVersion == 0)
                {
                    IgToolError(stderr, "replay", "--intro-version '%s': expected major.minor.revision.build", value);
                    return IG_EXIT_USAGE;
                }
                break;
            case OptDeliverAll:
                options.DeliverAll = true;
                break;
            case OptLearn:
                options.LearnPath = value;
                break;
            case OptAlerts:
                options.AlertsPath = value;
                break;
            case OptFormat:
                if (strcmp(value, "table") == 0)
                {
                    options.Format = IgReplayTable;
                }
                else if (strcmp(value, "jsonl") == 0)
                {
                    options.Format = IgReplayJsonl;
                }
                else
                {
                    IgToolError(stderr, "replay", "unknown format '%s' (table or jsonl)", value);
                    return IG_EXIT_USAGE;
                }
                break;
            case OptHelp:
                IgCmdReplayHelp(stdout);
                return IG_EXIT_OK;
            case IG_OPT_POSITIONAL:
                if (tracePath)
                {
                    IgToolError(stderr, "replay", "one TRACE only (got '%s' and '%s')", tracePath, value);
                    return IG_EXIT_USAGE;
                }
                tracePath = value;
                break;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!tracePath)
    {
        IgToolError(stderr, "replay", "missing TRACE (see introguard replay --help)");
        return IG_EXIT_USAGE;
    }
    if (imagePath)
    {
        exit = IgReplayOpenImage(imagePath, &options);
        if (exit != IG_EXIT_OK)
        {
            return exit;
        }
    }
    stream = fopen(tracePath, "r");
    if (!stream)
    {
        IgToolError(stderr, tracePath, "cannot open the trace: %s", strerror(errno));
        exit = IG_EXIT_FAILURE;
    }
    else
    {
        exit = IgReplayStream(stream, tracePath, &options, stdout, stderr);
        fclose(stream);
    }
    if (options.MemoryImage)
    {
        fclose(options.MemoryImage);
    }
    return exit;
}
