/*
 * `introguard replay TRACE [-e EXCEPTIONS.bin] [--check] [--format table|jsonl]`.
 *
 * Each `violation` record goes straight to the exceptions engine (IntExceptEvaluate); one
 * verdict is printed per event, then a summary.  `expect` records are checked against the
 * verdict of the event they name.  Output depends only on the inputs (no times, no pointers).
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "commands.h"
#include "exceptions/exceptions_int.h"
#include "replay.h"
#include "trace.h"

typedef struct IG_REPLAY_VERDICT
{
    uint64_t Seq;
    INTRO_EXC_VERDICT Verdict;
} IG_REPLAY_VERDICT;

typedef struct IG_REPLAY
{
    IG_REPLAY_VERDICT *Verdicts;
    size_t Count;
    size_t Capacity;
    uint64_t Allowed;
    uint64_t NotAllowed;
    uint64_t Expectations;
    uint64_t Failed;
} IG_REPLAY;

static void IgExceptionText(const INTRO_EXC_REF *Ref, char *Buffer, size_t Size)
{
    switch (Ref->Source)
    {
        case INTRO_EXC_SOURCE_FILE:
            snprintf(Buffer, Size, "%u", Ref->RecordIndex);
            break;
        case INTRO_EXC_SOURCE_ALERT:
            snprintf(Buffer, Size, "alert:0x%llx", (unsigned long long)Ref->AlertContext);
            break;
        default:
            snprintf(Buffer, Size, "-");
            break;
    }
}

static void IgPrintVerdict(FILE *Out, IG_REPLAY_FORMAT Format, uint64_t Seq, const INTRO_EXC_VERDICT *V)
{
    char matched[48], closest[48];

    IgExceptionText(&V->Matched, matched, sizeof(matched));
    IgExceptionText(&V->Closest, closest, sizeof(closest));
    if (Format == IgReplayTable)
    {
        char why[96] = "";

        if (V->Closest.Source != INTRO_EXC_SOURCE_NONE)
        {
            snprintf(why, sizeof(why), "%s (%s: %s)", closest, IntExceptCheckName(V->Closest.FailedCheck),
                     IntExceptReasonName(V->Closest.FailReason));
        }
        fprintf(Out, "%-8llu %-12s %-30s %-10s %s\n", (unsigned long long)Seq, IntExceptActionName(V->Action),
                IntExceptReasonName(V->Reason), matched, why);
        return;
    }
    fprintf(Out, "{\"type\":\"verdict\",\"seq\":%llu,\"action\":\"%s\",\"reason\":\"%s\",\"exception\":",
            (unsigned long long)Seq, IntExceptActionName(V->Action), IntExceptReasonName(V->Reason));
    if (V->Matched.Source == INTRO_EXC_SOURCE_FILE)
    {
        fprintf(Out, "%u", V->Matched.RecordIndex);
    }
    else if (V->Matched.Source == INTRO_EXC_SOURCE_ALERT)
    {
        fprintf(Out, "{\"alert\":\"0x%llx\"}", (unsigned long long)V->Matched.AlertContext);
    }
    else
    {
        fputs("null", Out);
    }
    fputs(",\"closest\":", Out);
    if (V->Closest.Source == INTRO_EXC_SOURCE_FILE)
    {
        fprintf(Out, "{\"exception\":%u,\"check\":\"%s\",\"reason\":\"%s\"}", V->Closest.RecordIndex,
                IntExceptCheckName(V->Closest.FailedCheck), IntExceptReasonName(V->Closest.FailReason));
    }
    else if (V->Closest.Source == INTRO_EXC_SOURCE_ALERT)
    {
        fprintf(Out, "{\"alert\":\"0x%llx\",\"check\":\"%s\",\"reason\":\"%s\"}",
                (unsigned long long)V->Closest.AlertContext, IntExceptCheckName(V->Closest.FailedCheck),
                IntExceptReasonName(V->Closest.FailReason));
    }
    else
    {
        fputs("null", Out);
    }
    fprintf(Out, ",\"tried\":%u}\n", V->Tried);
}

static const IG_REPLAY_VERDICT *IgFindVerdict(const IG_REPLAY *R, uint64_t Seq)
{
    size_t lo = 0, hi = R->Count;

    /* Seqs increase, so the verdicts are sorted. */
    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (R->Verdicts[mid].Seq < Seq)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo < R->Count && R->Verdicts[lo].Seq == Seq ? &R->Verdicts[lo] : NULL;
}

static bool IgExpectationHolds(const IG_TRACE_EXPECT *E, const INTRO_EXC_VERDICT *V)
{
    if (E->Action != V->Action || (E->HasReason && E->Reason != V->Reason))
    {
        return false;
    }
    if (E->Exception == IG_TRACE_EXCEPTION_NONE)
    {
        return V->Matched.Source == INTRO_EXC_SOURCE_NONE;
    }
    if (E->Exception == IG_TRACE_EXCEPTION_FILE)
    {
        return V->Matched.Source == INTRO_EXC_SOURCE_FILE && V->Matched.RecordIndex == E->ExceptionIndex;
    }
    return true;
}

static int IgLoadRules(const char *Path, uint32_t Os, INTRO_EXC_RULESET **Rules, FILE *Err)
{
    uint8_t *data = NULL;
    size_t size = 0;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    INTSTATUS status;

    *Rules = NULL;
    if (!INT_SUCCESS(IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, Err)))
    {
        return IG_EXIT_USAGE;
    }
    status = IntExceptRuleSetLoad(data, size, Os == INTRO_EXC_OS_LINUX ? INTRO_EXC_OS_LINUX : INTRO_EXC_OS_WINDOWS,
                                  IntExceptMallocAllocator(), Rules, &error);
    free(data);
    if (!INT_SUCCESS(status))
    {
        if (error.RecordIndex != INTRO_EXCEPTIONS_LOAD_NO_RECORD)
        {
            IgToolError(Err, Path, "record %u at offset %llu: %s", error.RecordIndex, (unsigned long long)error.Offset,
                        error.Message);
        }
        else
        {
            IgToolError(Err, Path, "offset %llu: %s", (unsigned long long)error.Offset, error.Message);
        }
        return IG_EXIT_USAGE;
    }
    return IG_EXIT_OK;
}

int IgReplayStream(FILE *Stream, const char *TraceName, const IG_REPLAY_OPTIONS *Options, FILE *Out, FILE *Err)
{
    const char *ExceptionsPath = Options->ExceptionsPath;
    const bool Check = Options->Check;
    const IG_REPLAY_FORMAT Format = Options->Format;
    IG_TRACE *trace = NULL;
    INTRO_EXC_RULESET *rules = NULL;
    INTRO_EXC_CODE_CONTEXT *code = NULL; /* evaluations allocate nothing: codeblocks and exports work in it */
    IG_REPLAY r;
    IG_TRACE_RECORD record;
    IG_TRACE_ERROR error;
    INTSTATUS status;
    int exit = IG_EXIT_OK;
    bool loaded = false;

    memset(&r, 0, sizeof(r));
    if (!INT_SUCCESS(IgTraceOpen(Stream, &trace)))
    {
        IgToolError(Err, TraceName, "out of memory");
        return IG_EXIT_FAILURE;
    }
    if (Options->MemoryImage)
    {
        IgTraceSetMemoryImage(trace, Options->MemoryImage, Options->MemoryImageSize);
    }
    if (Format == IgReplayTable)
    {
        fprintf(Out, "%-8s %-12s %-30s %-10s %s\n", "seq", "action", "reason", "exception", "closest");
    }
    for (;;)
    {
        status = IgTraceNext(trace, &record, &error);
        if (status == INT_STATUS_NO_MORE_ENTRIES)
        {
            break;
        }
        if (!INT_SUCCESS(status))
        {
            if (error.Field[0])
            {
                IgToolError(Err, NULL, "%s:%llu: field '%s': %s", TraceName, (unsigned long long)error.Line,
                            error.Field, error.Message);
            }
            else
            {
                IgToolError(Err, NULL, "%s:%llu: %s", TraceName, (unsigned long long)error.Line, error.Message);
            }
            exit = IG_EXIT_USAGE;
            goto cleanup;
        }
        if (record.Type == IgTraceHeader && !loaded)
        {
            loaded = true;
            if (ExceptionsPath)
            {
                exit = IgLoadRules(ExceptionsPath, IgTraceGuest(trace)->Os, &rules, Err);
                if (exit != IG_EXIT_OK)
                {
                    goto cleanup;
                }
                if (!INT_SUCCESS(IntExceptCodeContextCreate(IntExceptMallocAllocator(), &code)))
                {
                    IgToolError(Err, TraceName, "out of memory");
                    exit = IG_EXIT_FAILURE;
                    goto cleanup;
                }
            }
        }
        else if (record.Type == IgTraceViolation)
        {
            IG_REPLAY_VERDICT *slot;

            if (r.Count == r.Capacity)
            {
                size_t capacity = r.Capacity ? 2 * r.Capacity : 64;
                IG_REPLAY_VERDICT *grown = realloc(r.Verdicts, capacity * sizeof(*grown));

                if (!grown)
                {
                    IgToolError(Err, TraceName, "out of memory");
                    exit = IG_EXIT_FAILURE;
                    goto cleanup;
                }
                r.Verdicts = grown;
                r.Capacity = capacity;
            }
            slot = &r.Verdicts[r.Count++];
            slot->Seq = record.Seq;
            record.Violation.Memory.Context = record.Violation.Memory.Context ? record.Violation.Memory.Context : code;
            if (!INT_SUCCESS(IntExceptEvaluate(rules, &record.Violation, &slot->Verdict)))
            {
                IgToolError(Err, NULL, "%s:%llu: the engine rejected the violation", TraceName,
                            (unsigned long long)record.Line);
                exit = IG_EXIT_FAILURE;
                goto cleanup;
            }
            if (slot->Verdict.Action == INTRO_EXC_ACTION_ALLOWED)
            {
                r.Allowed++;
            }
            else
            {
                r.NotAllowed++;
            }
            IgPrintVerdict(Out, Format, record.Seq, &slot->Verdict);
        }
        else if (record.Type == IgTraceExpect)
        {
            const IG_REPLAY_VERDICT *v = IgFindVerdict(&r, record.Seq);
            char got[48];

            if (!v)
            {
                IgToolError(Err, NULL, "%s:%llu: field 'seq': no violation with seq %llu before this line", TraceName,
                            (unsigned long long)record.Line, (unsigned long long)record.Seq);
                exit = IG_EXIT_USAGE;
                goto cleanup;
            }
            r.Expectations++;
            if (!IgExpectationHolds(&record.Expect, &v->Verdict))
            {
                r.Failed++;
                IgExceptionText(&v->Verdict.Matched, got, sizeof(got));
                IgToolError(Err, NULL,
                            "%s:%llu: expectation for seq %llu failed: expected %s%s%s, got %s/%s (exception %s)",
                            TraceName, (unsigned long long)record.Line, (unsigned long long)record.Seq,
                            IntExceptActionName(record.Expect.Action), record.Expect.HasReason ? "/" : "",
                            record.Expect.HasReason ? IntExceptReasonName(record.Expect.Reason) : "",
                            IntExceptActionName(v->Verdict.Action), IntExceptReasonName(v->Verdict.Reason), got);
            }
        }
    }

    if (Format == IgReplayTable)
    {
        fprintf(Out, "%zu events: %llu allowed, %llu not allowed; %llu expectations, %llu failed\n", r.Count,
                (unsigned long long)r.Allowed, (unsigned long long)r.NotAllowed, (unsigned long long)r.Expectations,
                (unsigned long long)r.Failed);
    }
    else
    {
        fprintf(Out,
                "{\"type\":\"summary\",\"events\":%zu,\"allowed\":%llu,\"not_allowed\":%llu,\"expectations\":%llu,"
                "\"failed\":%llu}\n",
                r.Count, (unsigned long long)r.Allowed, (unsigned long long)r.NotAllowed,
                (unsigned long long)r.Expectations, (unsigned long long)r.Failed);
    }
    if (Check && r.Failed)
    {
        exit = IG_EXIT_FAILURE;
    }

cleanup:
    IgTraceClose(trace);
    IntExceptRuleSetFree(rules);
    IntExceptCodeContextFree(code);
    free(r.Verdicts);
    return exit;
}

void IgCmdReplayHelp(FILE *Out)
{
    fputs("usage: introguard replay TRACE [-e EXCEPTIONS.bin] [--check] [--format table|jsonl] [--memory IMAGE]\n"
          "\n"
          "Runs every `violation` record of TRACE (docs/trace-format.md) through the exceptions\n"
          "engine and prints one verdict per event (seq, action, reason, the exception that allowed\n"
          "it or, for a block, the one that came closest), then a summary.\n"
          "\n"
          "  -e, --exceptions FILE  the exceptions file (hvmi format 2.2); without it nothing is\n"
          "                         loaded and every violation is allowed (exceptions_not_loaded)\n"
          "  --check                exit 1 when an `expect` record does not hold\n"
          "  --format table|jsonl   output format (default table)\n"
          "  --memory IMAGE         a raw guest-physical memory image (file offset = GPA): violations\n"
          "                         without inline `pages` read guest code from it\n"
          "\n"
          "Exit status: 0 done, 1 a failed expectation under --check, 2 bad input (the message\n"
          "names the line and the field).\n",
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
        OptHelp,
    };
    static const IG_OPTION table[] = {
        {"exceptions", 'e', true, OptExceptions}, {"check", 0, false, OptCheck}, {"format", 0, true, OptFormat},
        {"memory", 0, true, OptMemory},           {"help", 'h', false, OptHelp}, {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    IG_REPLAY_OPTIONS options = {NULL, false, IgReplayTable, NULL, 0};
    const char *tracePath = NULL;
    const char *imagePath = NULL;
    const char *value;
    FILE *stream;
    int id, exit;

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
        off_t size;

        options.MemoryImage = fopen(imagePath, "rb");
        if (!options.MemoryImage || fseeko(options.MemoryImage, 0, SEEK_END) != 0 ||
            (size = ftello(options.MemoryImage)) < 0)
        {
            IgToolError(stderr, imagePath, "cannot read the memory image: %s", strerror(errno));
            if (options.MemoryImage)
            {
                fclose(options.MemoryImage);
            }
            return IG_EXIT_USAGE;
        }
        options.MemoryImageSize = (uint64_t)size;
    }
    stream = fopen(tracePath, "r");
    if (!stream)
    {
        IgToolError(stderr, tracePath, "cannot open the trace");
        exit = IG_EXIT_USAGE;
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
