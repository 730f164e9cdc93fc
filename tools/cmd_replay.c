/*
 * `introguard replay TRACE [-e EXCEPTIONS.bin] [--check] [--format table|jsonl]`.
 *
 * The trace runs on a replay guest (glue/replay behind the glue adapter, the library initialised
 * on it as an integrator would); each `violation` record is evaluated against the guest's rule set
 * (IntGlueEvaluateViolation); one verdict is printed per event, then a summary.  `expect` records are checked against
 * the verdict of the event they name.  Output depends only on the inputs (no times, no pointers).
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
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

/*
 * The replay guest: a replay backend behind the glue adapter, with the library initialised on it
 * as an integrator would (IntInit, NewGuestNotification, UpdateExceptions).  Violations are then
 * evaluated against the guest's rule set, their guest memory read by the library's own page walk
 * from what the trace declared to the backend.
 */
typedef struct IG_REPLAY_GUEST
{
    INTRO_REPLAY *Replay;
    INTRO_GLUE_GUEST *Guest;
    GLUE_IFACE Glue;
    bool Initialized;
    bool Started;
} IG_REPLAY_GUEST;

/* The CLI reports problems itself, once, with their place; the library's own log stays quiet. */
static INTSTATUS IgReplayQuietLog(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS;
}

static void IgReplayGuestStop(IG_REPLAY_GUEST *G)
{
    if (G->Started)
    {
        (void)G->Glue.DisableIntro(G->Guest, 0);
    }
    if (G->Initialized)
    {
        (void)IntUninit();
    }
    IntGlueGuestDestroy(G->Guest);
    IntReplayDestroy(G->Replay);
    memset(G, 0, sizeof(*G));
}

static int IgReplayGuestStart(IG_REPLAY_GUEST *G, const IG_REPLAY_OPTIONS *Options, const char *TraceName, FILE *Err)
{
    UPPER_IFACE upper;
    INTSTATUS status;

    memset(G, 0, sizeof(*G));
    status = IntReplayCreate(1, &G->Replay);
    if (INT_SUCCESS(status))
    {
        status = IntGlueGuestCreate(IntReplayBackend(), G->Replay, &G->Guest);
    }
    if (!INT_SUCCESS(status))
    {
        IgToolError(Err, TraceName, "cannot create the replay guest: %s", IntStatusToString(status));
        IgReplayGuestStop(G);
        return IG_EXIT_FAILURE;
    }
    if (Options->MemoryImage)
    {
        IntReplaySetImage(G->Replay, Options->MemoryImage, Options->MemoryImageSize);
    }
    IntGlueFillInterfaces(&G->Glue, &upper);
    upper.TracePrint = IgReplayQuietLog;
    status = IntInit(&G->Glue, &upper);
    if (status == INT_STATUS_ALREADY_INITIALIZED_HINT)
    {
        IgToolError(Err, TraceName, "the library is already initialised in this process");
        IgReplayGuestStop(G);
        return IG_EXIT_FAILURE;
    }
    G->Initialized = INT_SUCCESS(status);
    if (G->Initialized)
    {
        status = G->Glue.NewGuestNotification(G->Guest, 0, NULL, 0);
        G->Started = INT_SUCCESS(status);
    }
    if (!INT_SUCCESS(status))
    {
        IgToolError(Err, TraceName, "cannot start the replay guest: %s", IntStatusToString(status));
        IgReplayGuestStop(G);
        return IG_EXIT_FAILURE;
    }
    return IG_EXIT_OK;
}

/* Declares the trace's guest, then loads the exceptions file (if any) into it. */
static int IgReplayLoadRules(IG_REPLAY_GUEST *G, const char *Path, const INTRO_EXC_GUEST *Guest, FILE *Err)
{
    GUEST_INFO info;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    uint8_t *data = NULL;
    size_t size = 0;
    INTSTATUS status;

    memset(&info, 0, sizeof(info));
    info.Type = Guest->Os == INTRO_EXC_OS_LINUX ? introGuestLinux : introGuestWindows;
    info.Guest64 = Guest->Guest64;
    info.OsVersion = Guest->OsVersion;
    status = IntSetGuestInfo(G->Guest, &info);
    if (!INT_SUCCESS(status))
    {
        IgToolError(Err, NULL, "cannot declare the replay guest: %s", IntStatusToString(status));
        return IG_EXIT_FAILURE;
    }
    if (!Path)
    {
        return IG_EXIT_OK;
    }
    if (!INT_SUCCESS(IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, Err)))
    {
        return IG_EXIT_USAGE;
    }
    status = IntUpdateExceptions(G->Guest, data, (DWORD)size, 0);
    free(data);
    if (INT_SUCCESS(status))
    {
        return IG_EXIT_OK;
    }
    if (!INT_SUCCESS(IntGetExceptionsLoadError(G->Guest, &error)))
    {
        IgToolError(Err, Path, "rejected: %s", IntStatusToString(status));
        return IG_EXIT_USAGE;
    }
    /* The same words as `introguard dump` uses for a corrupt file. */
    IgToolError(Err, Path, "byte %llu (0x%llX): %s [%s, %s]", (unsigned long long)error.Offset,
                (unsigned long long)error.Offset, error.Message, IntStatusToString(error.Status),
                IntStatusToString(error.Detail));
    return IG_EXIT_USAGE;
}

/* Keeps a verdict (seqs increase, so the array stays sorted for IgFindVerdict). */
static IG_REPLAY_VERDICT *IgReplayKeep(IG_REPLAY *R, uint64_t Seq)
{
    IG_REPLAY_VERDICT *slot;

    if (R->Count == R->Capacity)
    {
        size_t capacity = R->Capacity ? 2 * R->Capacity : 64;
        IG_REPLAY_VERDICT *grown = realloc(R->Verdicts, capacity * sizeof(*grown));

        if (!grown)
        {
            return NULL;
        }
        R->Verdicts = grown;
        R->Capacity = capacity;
    }
    slot = &R->Verdicts[R->Count++];
    slot->Seq = Seq;
    return slot;
}

/* Checks an expectation against the verdict of the event it names. */
static int IgReplayExpect(IG_REPLAY *R, const IG_TRACE_RECORD *Record, const char *TraceName, FILE *Err)
{
    const IG_REPLAY_VERDICT *v = IgFindVerdict(R, Record->Seq);
    char got[48];

    if (!v)
    {
        IgToolError(Err, NULL, "%s:%llu: field 'seq': no violation with seq %llu before this line", TraceName,
                    (unsigned long long)Record->Line, (unsigned long long)Record->Seq);
        return IG_EXIT_USAGE;
    }
    R->Expectations++;
    if (!IgExpectationHolds(&Record->Expect, &v->Verdict))
    {
        R->Failed++;
        IgExceptionText(&v->Verdict.Matched, got, sizeof(got));
        IgToolError(Err, NULL, "%s:%llu: expectation for seq %llu failed: expected %s%s%s, got %s/%s (exception %s)",
                    TraceName, (unsigned long long)Record->Line, (unsigned long long)Record->Seq,
                    IntExceptActionName(Record->Expect.Action), Record->Expect.HasReason ? "/" : "",
                    Record->Expect.HasReason ? IntExceptReasonName(Record->Expect.Reason) : "",
                    IntExceptActionName(v->Verdict.Action), IntExceptReasonName(v->Verdict.Reason), got);
    }
    return IG_EXIT_OK;
}

static void IgReplaySummary(const IG_REPLAY *R, IG_REPLAY_FORMAT Format, FILE *Out)
{
    if (Format == IgReplayTable)
    {
        fprintf(Out, "%zu events: %llu allowed, %llu not allowed; %llu expectations, %llu failed\n", R->Count,
                (unsigned long long)R->Allowed, (unsigned long long)R->NotAllowed, (unsigned long long)R->Expectations,
                (unsigned long long)R->Failed);
        return;
    }
    fprintf(Out,
            "{\"type\":\"summary\",\"events\":%zu,\"allowed\":%llu,\"not_allowed\":%llu,\"expectations\":%llu,"
            "\"failed\":%llu}\n",
            R->Count, (unsigned long long)R->Allowed, (unsigned long long)R->NotAllowed,
            (unsigned long long)R->Expectations, (unsigned long long)R->Failed);
}

static void IgReplayTraceError(const IG_TRACE_ERROR *Error, const char *TraceName, FILE *Err)
{
    if (Error->Field[0])
    {
        IgToolError(Err, NULL, "%s:%llu: field '%s': %s", TraceName, (unsigned long long)Error->Line, Error->Field,
                    Error->Message);
    }
    else
    {
        IgToolError(Err, NULL, "%s:%llu: %s", TraceName, (unsigned long long)Error->Line, Error->Message);
    }
}

int IgReplayStream(FILE *Stream, const char *TraceName, const IG_REPLAY_OPTIONS *Options, FILE *Out, FILE *Err)
{
    IG_REPLAY_GUEST guest;
    IG_TRACE *trace = NULL;
    IG_REPLAY r;
    IG_TRACE_RECORD record;
    IG_TRACE_ERROR error;
    INTSTATUS status;
    int exit;

    memset(&r, 0, sizeof(r));
    exit = IgReplayGuestStart(&guest, Options, TraceName, Err);
    if (exit != IG_EXIT_OK)
    {
        return exit;
    }
    if (!INT_SUCCESS(IgTraceOpen(Stream, guest.Replay, &trace)))
    {
        IgToolError(Err, TraceName, "out of memory");
        exit = IG_EXIT_FAILURE;
        goto cleanup;
    }
    if (Options->Format == IgReplayTable)
    {
        fprintf(Out, "%-8s %-12s %-30s %-10s %s\n", "seq", "action", "reason", "exception", "closest");
    }
    while ((status = IgTraceNext(trace, &record, &error)) != INT_STATUS_NO_MORE_ENTRIES)
    {
        IG_REPLAY_VERDICT *slot;

        if (!INT_SUCCESS(status))
        {
            IgReplayTraceError(&error, TraceName, Err);
            exit = IG_EXIT_USAGE;
            goto cleanup;
        }
        switch (record.Type)
        {
            case IgTraceHeader:
                exit = IgReplayLoadRules(&guest, Options->ExceptionsPath, IgTraceGuest(trace), Err);
                break;
            case IgTraceViolation:
                slot = IgReplayKeep(&r, record.Seq);
                if (!slot)
                {
                    IgToolError(Err, TraceName, "out of memory");
                    exit = IG_EXIT_FAILURE;
                    break;
                }
                status = IntGlueEvaluateViolation(guest.Guest, 0, &record.Violation, &slot->Verdict);
                if (!INT_SUCCESS(status))
                {
                    IgToolError(Err, NULL, "%s:%llu: the engine rejected the violation: %s", TraceName,
                                (unsigned long long)record.Line, IntStatusToString(status));
                    exit = IG_EXIT_FAILURE;
                    break;
                }
                *(slot->Verdict.Action == INTRO_EXC_ACTION_ALLOWED ? &r.Allowed : &r.NotAllowed) += 1;
                IgPrintVerdict(Out, Options->Format, record.Seq, &slot->Verdict);
                break;
            case IgTraceExpect:
                exit = IgReplayExpect(&r, &record, TraceName, Err);
                break;
            default:
                break;
        }
        if (exit != IG_EXIT_OK)
        {
            goto cleanup;
        }
    }

    IgReplaySummary(&r, Options->Format, Out);
    if (Options->Check && r.Failed)
    {
        exit = IG_EXIT_FAILURE;
    }

cleanup:
    IgTraceClose(trace);
    IgReplayGuestStop(&guest);
    free(r.Verdicts);
    return exit;
}

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
    return IG_EXIT_USAGE;
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
        exit = IgReplayOpenImage(imagePath, &options);
        if (exit != IG_EXIT_OK)
        {
            return exit;
        }
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
