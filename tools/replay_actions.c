/*
 * `introguard replay`: the alerts a run raises and what the operator does with them.
 *
 *  - Every alert the library raises (the replay backend's alert sink) is kept for the event that
 *    raised it: its blob for as long as the run lasts, the whole alert for the last
 *    IG_RUN_WHOLE_ALERTS alerting events, so a trace's add_exception can take "the alert event N
 *    raised" without carrying it.
 *  - add_exception, remove_exception and flush_exceptions records make the integrator's calls
 *    (AddExceptionFromAlert through IntAddExceptionFromAlertBuffer, RemoveException,
 *    FlushAlertExceptions) in order with the events; a "status" says what the call must return.
 *  - --learn gathers the exception of every blocked event's alert; --alerts writes the alerts out.
 */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "replay_int.h"
#include "tool_common.h"

/* ---- Alerts raised ----------------------------------------------------------------------------------------------- */

static uint32_t IgLoadAlertU32(const uint8_t *Event, size_t Offset)
{
    return Event[Offset] | ((uint32_t)Event[Offset + 1] << 8) | ((uint32_t)Event[Offset + 2] << 16) |
           ((uint32_t)Event[Offset + 3] << 24);
}

static IG_RUN_BLOB *IgRunBlobOf(IG_RUN *R, uint64_t Seq)
{
    IG_RUN_ALERTS *a = &R->AlertLog;
    size_t lo = 0, hi = a->BlobCount;

    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (a->Blobs[mid].Seq < Seq)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo < a->BlobCount && a->Blobs[lo].Seq == Seq ? &a->Blobs[lo] : NULL;
}

static void IgRunKeepBlob(IG_RUN_ALERTS *A, uint32_t Type, const uint8_t *Event)
{
    IG_RUN_BLOB *b = A->BlobCount ? &A->Blobs[A->BlobCount - 1] : NULL;

    if (!b || b->Seq != A->CurrentSeq)
    {
        if (A->BlobCount == A->BlobCapacity)
        {
            size_t capacity = A->BlobCapacity ? 2 * A->BlobCapacity : 64;
            IG_RUN_BLOB *grown = realloc(A->Blobs, capacity * sizeof(*grown));

            if (!grown)
            {
                A->Failed = true;
                return;
            }
            A->Blobs = grown;
            A->BlobCapacity = capacity;
        }
        b = &A->Blobs[A->BlobCount++];
    }
    b->Seq = A->CurrentSeq;
    b->Type = Type;
    memcpy(b->Blob, Event + offsetof(INTRO_VIOLATION_HEADER, Exception), sizeof(b->Blob));
}

static void IgRunKeepWhole(IG_RUN_ALERTS *A, uint32_t Type, const uint8_t *Event, size_t Size)
{
    uint32_t last = (A->WholeNext + IG_RUN_WHOLE_ALERTS - 1) % IG_RUN_WHOLE_ALERTS;
    IG_RUN_WHOLE *w = &A->Whole[last];

    if (!w->Data || w->Seq != A->CurrentSeq)
    {
        w = &A->Whole[A->WholeNext];
        A->WholeNext = (A->WholeNext + 1) % IG_RUN_WHOLE_ALERTS;
    }
    if (!w->Data && !(w->Data = malloc(IG_RUN_WHOLE_MAX)))
    {
        A->Failed = true;
        return;
    }
    w->Seq = A->CurrentSeq;
    w->Type = Type;
    w->Size = Size;
    memcpy(w->Data, Event, Size);
}

/* --learn: the exception of a blocked event's alert. */
static void IgRunLearn(IG_RUN *R, uint32_t Type, const uint8_t *Event, size_t Size)
{
    IG_RUN_ALERTS *a = &R->AlertLog;
    IG_ALERT_NAME names[IG_ALERT_NAMES_PER_ALERT];
    INTRO_ALERT_EXCEPTION e;
    INTRO_ALERT_EXC_ERROR error;
    uint32_t reason = IgLoadAlertU32(Event, offsetof(INTRO_VIOLATION_HEADER, Reason));
    size_t count = 0;
    bool added;

    if (IgLoadAlertU32(Event, offsetof(INTRO_VIOLATION_HEADER, Action)) != introGuestNotAllowed)
    {
        return; /* a feedback allow: nothing was blocked */
    }
    a->Blocked++;
    /* An internal error blocks without asking the exceptions: no exception can change that. */
    if (reason == introReasonInternalError ||
        !INT_SUCCESS(IgArAlertException(Event, Size, Type, false, IgTraceHeaderOf(R->Trace)->Guest.Os, &e, names,
                                        &count, &error)))
    {
        a->Unlearnable++;
        IgToolError(R->Err, NULL, "%s: seq %llu: its alert makes no exception: %s", R->TraceName,
                    (unsigned long long)a->CurrentSeq,
                    reason == introReasonInternalError ? "blocked for an internal error" : error.Message);
        return;
    }
    if (!INT_SUCCESS(IgArRulesAdd(&a->Learned, &e, names, count, &added)))
    {
        a->Failed = true;
    }
}

void IgRunOnAlert(IG_RUN *R, DWORD EventClass, const void *Event, size_t Size)
{
    IG_RUN_ALERTS *a = &R->AlertLog;
    const char *name = IgArEventName(EventClass);

    if (!name || Size != IgArEventSize(EventClass))
    {
        return; /* the pipeline raises exceptable alerts only; anything else is not ours to keep */
    }
    IgRunKeepBlob(a, EventClass, Event);
    IgRunKeepWhole(a, EventClass, Event, Size);
    if (R->Options->LearnPath)
    {
        IgRunLearn(R, EventClass, Event, Size);
    }
    if (R->Options->AlertsPath)
    {
        IgTextAppend(&a->Lines, "{\"type\":\"alert\",\"seq\":%llu,\"event\":\"%s\",\"alert\":\"",
                     (unsigned long long)a->CurrentSeq, name);
        IgBase64Append(&a->Lines, Event, Size);
        IgTextAppend(&a->Lines, "\"}\n");
    }
}

/* ---- The operator's actions ---------------------------------------------------------------------------------------
 */

/* Where add_exception's alert comes from: the event it names, or the record. */
static int IgRunAlertSource(IG_RUN *R, const IG_TRACE_RECORD *Rec, const uint8_t **Data, size_t *Size, uint32_t *Type)
{
    const IG_TRACE_ALERT_ACTION *a = &Rec->Action;

    *Data = Rec->Data;
    *Size = Rec->DataSize;
    *Type = a->EventType;
    if (!a->FromEvent)
    {
        return IG_EXIT_OK;
    }
    if (a->WholeAlert)
    {
        for (uint32_t i = 0; i < IG_RUN_WHOLE_ALERTS; i++)
        {
            const IG_RUN_WHOLE *w = &R->AlertLog.Whole[i];

            if (w->Data && w->Seq == a->FromSeq)
            {
                *Data = w->Data;
                *Size = w->Size;
                *Type = w->Type;
                return IG_EXIT_OK;
            }
        }
        return IgRunError(R, Rec->Line, "from", IG_EXIT_USAGE,
                          "event %llu raised no alert, or not among the last %u that did (take its blob: no \"form\")",
                          (unsigned long long)a->FromSeq, IG_RUN_WHOLE_ALERTS);
    }
    {
        const IG_RUN_BLOB *b = IgRunBlobOf(R, a->FromSeq);

        if (!b)
        {
            return IgRunError(R, Rec->Line, "from", IG_EXIT_USAGE, "event %llu raised no alert before this line",
                              (unsigned long long)a->FromSeq);
        }
        *Data = b->Blob;
        *Size = sizeof(b->Blob);
        *Type = b->Type;
    }
    return IG_EXIT_OK;
}

/* The row of an action: "-  add_exception 0x10  <what>: STATUS". */
static void IgRunPrintAction(const IG_RUN *R, const char *Action, const IG_TRACE_RECORD *Rec, const char *What,
                             INTSTATUS Status)
{
    if (R->Options->Format == IgReplayJsonl)
    {
        fprintf(R->Out, "{\"type\":\"action\",\"action\":\"%s\",", Action);
        if (Rec->Type != IgTraceFlushExceptions)
        {
            fprintf(R->Out, "\"context\":\"0x%llx\",", (unsigned long long)Rec->Action.Context);
        }
        fprintf(R->Out, "\"what\":\"%s\",\"status\":\"%s\"}\n", What, IntStatusToString(Status));
        return;
    }
    fprintf(R->Out, "%-6s %-28s %s: %s\n", "-", Action, What, IntStatusToString(Status));
}

int IgRunAlertAction(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    static const char *const names[] = {"add_exception", "remove_exception", "flush_exceptions"};
    const IG_TRACE_ALERT_ACTION *a = &Rec->Action;
    const char *action = names[Rec->Type - IgTraceAddException];
    INTRO_ALERT_EXC_ERROR error;
    char what[128];
    INTSTATUS status;

    memset(&error, 0, sizeof(error));
    if (Rec->Type == IgTraceAddException)
    {
        const uint8_t *data;
        size_t size;
        uint32_t type;
        int exit = IgRunAlertSource(R, Rec, &data, &size, &type);

        if (exit != IG_EXIT_OK)
        {
            return exit;
        }
        status = IntAddExceptionFromAlertBuffer(R->Guest, data, size, (INTRO_EVENT_TYPE)type, !a->WholeAlert,
                                                a->Context, &error);
        snprintf(what, sizeof(what), "context 0x%llx, %s %s%s", (unsigned long long)a->Context,
                 IgArEventName(type) ? IgArEventName(type) : "?", a->WholeAlert ? "alert" : "blob",
                 a->FromEvent ? " of seq " : "");
        if (a->FromEvent)
        {
            size_t used = strlen(what);

            snprintf(what + used, sizeof(what) - used, "%llu", (unsigned long long)a->FromSeq);
        }
    }
    else if (Rec->Type == IgTraceRemoveException)
    {
        status = R->Glue.RemoveException(R->Guest, a->Context);
        snprintf(what, sizeof(what), "context 0x%llx", (unsigned long long)a->Context);
    }
    else
    {
        status = R->Glue.FlushAlertExceptions(R->Guest);
        snprintf(what, sizeof(what), "every alert exception");
    }
    IgRunPrintAction(R, action, Rec, what, status);
    if (a->HasStatus)
    {
        R->Expectations++;
        if (status != a->Status)
        {
            R->Failed++;
            IgToolError(R->Err, NULL, "%s:%llu: %s returned %s, expected %s%s%s", R->TraceName,
                        (unsigned long long)Rec->Line, action, IntStatusToString(status), IntStatusToString(a->Status),
                        error.Message[0] ? ": " : "", error.Message);
        }
        return IG_EXIT_OK;
    }
    if (!INT_SUCCESS(status))
    {
        return IgRunError(R, Rec->Line, "", IG_EXIT_USAGE, "%s was refused: %s%s%s", action, IntStatusToString(status),
                          error.Message[0] ? ": " : "", error.Message);
    }
    return IG_EXIT_OK;
}

/* ---- The end of a run ------------------------------------------------------------------------------------------- */

int IgRunFinishAlerts(IG_RUN *R)
{
    IG_RUN_ALERTS *a = &R->AlertLog;
    const IG_REPLAY_OPTIONS *o = R->Options;
    IG_TEXT json = {0};
    int exit = IG_EXIT_OK;

    if (a->Failed || a->Lines.Failed)
    {
        IgToolError(R->Err, R->TraceName, "out of memory keeping the alerts");
        return IG_EXIT_FAILURE;
    }
    if (o->LearnPath)
    {
        if (!INT_SUCCESS(IgArRulesJson(&a->Learned, &json, R->Err)) ||
            !INT_SUCCESS(IgWriteFileAtomic(o->LearnPath, json.Data, json.Length, R->Err)))
        {
            exit = IG_EXIT_FAILURE;
        }
        else
        {
            IgToolError(R->Err, o->LearnPath,
                        "%zu exceptions learned from %llu blocked decisions (%zu duplicates merged, %llu could not be "
                        "learned)",
                        a->Learned.Count, (unsigned long long)a->Blocked, a->Learned.Duplicates,
                        (unsigned long long)a->Unlearnable);
        }
        IgTextFree(&json);
    }
    if (exit == IG_EXIT_OK && o->AlertsPath &&
        !INT_SUCCESS(IgWriteFileAtomic(o->AlertsPath, a->Lines.Data, a->Lines.Length, R->Err)))
    {
        exit = IG_EXIT_FAILURE;
    }
    return exit;
}

void IgRunFreeAlerts(IG_RUN *R)
{
    IG_RUN_ALERTS *a = &R->AlertLog;

    free(a->Blobs);
    for (uint32_t i = 0; i < IG_RUN_WHOLE_ALERTS; i++)
    {
        free(a->Whole[i].Data);
    }
    IgArRulesFree(&a->Learned);
    IgTextFree(&a->Lines);
    memset(a, 0, sizeof(*a));
}
