/*
 * `introguard replay`'s output: one row per decision (table or JSON lines), the expectations and
 * the summary.  Output depends only on the inputs: no times, no pointers.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"
#include "tool_common.h"

int IgRunError(IG_RUN *R, uint64_t Line, const char *Field, int Exit, const char *Format, ...)
{
    char message[512];
    va_list args;

    va_start(args, Format);
    vsnprintf(message, sizeof(message), Format, args);
    va_end(args);
    if (Field && Field[0])
    {
        IgToolError(R->Err, NULL, "%s:%llu: field '%s': %s", R->TraceName, (unsigned long long)Line, Field, message);
    }
    else
    {
        IgToolError(R->Err, NULL, "%s:%llu: %s", R->TraceName, (unsigned long long)Line, message);
    }
    return Exit;
}

IG_RUN_RESULT *IgRunKeep(IG_RUN *R, uint64_t Seq)
{
    IG_RUN_RESULT *slot;

    if (R->ResultCount == R->ResultCapacity)
    {
        size_t capacity = R->ResultCapacity ? 2 * R->ResultCapacity : 64;
        IG_RUN_RESULT *grown = realloc(R->Results, capacity * sizeof(*grown));

        if (!grown)
        {
            return NULL;
        }
        R->Results = grown;
        R->ResultCapacity = capacity;
    }
    slot = &R->Results[R->ResultCount++];
    memset(slot, 0, sizeof(*slot));
    slot->Seq = Seq;
    return slot;
}

static const IG_RUN_RESULT *IgRunFind(const IG_RUN *R, uint64_t Seq)
{
    size_t lo = 0, hi = R->ResultCount;

    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (R->Results[mid].Seq < Seq)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo < R->ResultCount && R->Results[lo].Seq == Seq ? &R->Results[lo] : NULL;
}

const char *IgRunZoneName(const IG_RUN *R, QWORD ZoneId)
{
    for (uint32_t i = 0; i < R->ZoneCount; i++)
    {
        if (R->Zones[i].ZoneId == ZoneId)
        {
            return R->Zones[i].Id;
        }
    }
    return "-";
}

/* ---- pieces of a row ----------------------------------------------------------------------------------------- */

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

/* "3 (process: no_exception)": the exception that came closest, for a table row. */
static void IgClosestText(const INTRO_EXC_VERDICT *V, char *Buffer, size_t Size)
{
    char closest[48];

    Buffer[0] = '\0';
    if (V->Closest.Source != INTRO_EXC_SOURCE_NONE)
    {
        IgExceptionText(&V->Closest, closest, sizeof(closest));
        snprintf(Buffer, Size, "%s (%s: %s)", closest, IntExceptCheckName(V->Closest.FailedCheck),
                 IntExceptReasonName(V->Closest.FailReason));
    }
}

/* A JSON string on Out (the tools' one escaping rule, IgTextJsonString). */
static void IgJsonString(FILE *Out, const char *Text)
{
    IG_TEXT text = {0};

    IgTextJsonString(&text, Text, strlen(Text));
    fputs(text.Failed || !text.Data ? "null" : text.Data, Out);
    IgTextFree(&text);
}

/* The "exception", "closest" and "tried" members of a JSON verdict. */
static void IgJsonVerdict(FILE *Out, const INTRO_EXC_VERDICT *V)
{
    fputs(",\"exception\":", Out);
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
    fprintf(Out, ",\"tried\":%u", V->Tried);
}

/* ---- rows ------------------------------------------------------------------------------------------------------ */

#define IG_V2_ROW "%-6s %-26s %-46s %-13s %-24s %-9s %s\n"

void IgRunPrintTitles(const IG_RUN *R)
{
    if (R->Options->Quiet)
    {
        return;
    }
    if (R->Options->Format != IgReplayTable)
    {
        return;
    }
    if (R->Version < 2)
    {
        fprintf(R->Out, "%-8s %-12s %-30s %-10s %s\n", "seq", "action", "reason", "exception", "closest");
        return;
    }
    fprintf(R->Out, IG_V2_ROW, "seq", "event", "originator -> victim", "action", "reason", "exception", "closest");
}

void IgRunPrintViolation(const IG_RUN *R, uint64_t Seq, const INTRO_EXC_VERDICT *V)
{
    char matched[48], why[112], seq[24];

    if (R->Options->Quiet)
    {
        return;
    }
    IgExceptionText(&V->Matched, matched, sizeof(matched));
    IgClosestText(V, why, sizeof(why));
    if (R->Options->Format == IgReplayJsonl)
    {
        fprintf(R->Out, "{\"type\":\"verdict\",\"seq\":%llu,%s\"action\":\"%s\",\"reason\":\"%s\"",
                (unsigned long long)Seq, R->Version < 2 ? "" : "\"event\":\"violation\",",
                IntExceptActionName(V->Action), IntExceptReasonName(V->Reason));
        IgJsonVerdict(R->Out, V);
        fputs("}\n", R->Out);
        return;
    }
    if (R->Version < 2)
    {
        fprintf(R->Out, "%-8llu %-12s %-30s %-10s %s\n", (unsigned long long)Seq, IntExceptActionName(V->Action),
                IntExceptReasonName(V->Reason), matched, why);
        return;
    }
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)Seq);
    fprintf(R->Out, IG_V2_ROW, seq, "violation", "-", IntExceptActionName(V->Action), IntExceptReasonName(V->Reason),
            matched, why);
}

static const char *IgAccessName(uint8_t Access)
{
    return Access == IG_EPT_HOOK_READ ? "r" : Access == IG_EPT_HOOK_WRITE ? "w" : "x";
}

static const char *IgDtrName(uint32_t Flags)
{
    return (Flags & IG_DESC_ACCESS_IDTR) ? "idtr" : "gdtr";
}

/* "ept w 0xfffff80012341000", "msr 0xc0000082", "cr4", "idtr write". */
static void IgEventText(const IG_TRACE_EVENT *E, char *Buffer, size_t Size)
{
    switch (E->Kind)
    {
        case IgTraceEventEpt:
            snprintf(Buffer, Size, "ept %s %s0x%llx", IgAccessName(E->Access), E->Gla ? "" : "gpa ",
                     (unsigned long long)(E->Gla ? E->Gla : E->Gpa));
            break;
        case IgTraceEventMsr:
            snprintf(Buffer, Size, "msr 0x%x", E->Index);
            break;
        case IgTraceEventCr:
            snprintf(Buffer, Size, "cr%u", E->Index);
            break;
        default:
            snprintf(Buffer, Size, "%s %s", IgDtrName(E->DtrFlags),
                     (E->DtrFlags & IG_DESC_ACCESS_WRITE) ? "write" : "read");
            break;
    }
}

/* The event's own members of a JSON verdict: what happened where. */
static void IgJsonEvent(FILE *Out, const IG_TRACE_RECORD *Rec)
{
    const IG_TRACE_EVENT *e = &Rec->Event;

    fprintf(Out, "{\"type\":\"verdict\",\"seq\":%llu,\"vcpu\":%u,", (unsigned long long)Rec->Seq, e->Vcpu);
    switch (e->Kind)
    {
        case IgTraceEventEpt:
            fprintf(Out, "\"event\":\"ept\",\"access\":\"%s\",\"gpa\":\"0x%llx\",\"gla\":\"0x%llx\"",
                    IgAccessName(e->Access), (unsigned long long)e->Gpa, (unsigned long long)e->Gla);
            break;
        case IgTraceEventMsr:
            fprintf(Out, "\"event\":\"msr\",\"msr\":\"0x%x\"", e->Index);
            break;
        case IgTraceEventCr:
            fprintf(Out, "\"event\":\"cr\",\"cr\":%u", e->Index);
            break;
        default:
            fprintf(Out, "\"event\":\"dtr\",\"dtr\":\"%s\",\"access\":\"%s\"", IgDtrName(e->DtrFlags),
                    (e->DtrFlags & IG_DESC_ACCESS_WRITE) ? "write" : "read");
            break;
    }
}

/* A row for an event no decision describes: not delivered, or no zone covered the access. */
static void IgRunPrintUndecided(const IG_RUN *R, const IG_TRACE_RECORD *Rec, const IG_RUN_RESULT *Result,
                                const char *Event, const char *Seq)
{
    const char *action = Result->Delivered ? IntExceptActionName(INTRO_EXC_ACTION_ALLOWED) : "not_delivered";
    const char *why = Result->Delivered ? IG_RUN_NOT_A_VIOLATION : "-";

    if (R->Options->Format == IgReplayJsonl)
    {
        IgJsonEvent(R->Out, Rec);
        fprintf(R->Out, ",\"action\":\"%s\",\"reason\":%s%s%s,\"alert\":false}\n", action,
                Result->Delivered ? "\"" : "", Result->Delivered ? why : "null", Result->Delivered ? "\"" : "");
        return;
    }
    fprintf(R->Out, IG_V2_ROW, Seq, Event, "-", action, why, "-", "");
}

void IgRunPrintEvent(const IG_RUN *R, const IG_TRACE_RECORD *Rec, const IG_RUN_RESULT *Result)
{
    char event[64], seq[24];

    if (R->Options->Quiet)
    {
        return;
    }
    IgEventText(&Rec->Event, event, sizeof(event));
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)Rec->Seq);
    if (!Result->Delivered || R->DecisionCount == 0)
    {
        IgRunPrintUndecided(R, Rec, Result, event, seq);
        return;
    }
    for (uint32_t i = 0; i < R->DecisionCount; i++)
    {
        const IG_RUN_DECISION *d = &R->Decisions[i];
        const char *zone = IgRunZoneName(R, d->ZoneId);
        char who[2 * IG_RUN_MAX_NAME + 80], matched[48], why[112];

        if (R->Options->Format == IgReplayJsonl)
        {
            IgJsonEvent(R->Out, Rec);
            fputs(",\"originator\":", R->Out);
            IgJsonString(R->Out, d->Originator);
            if (d->Return[0])
            {
                fputs(",\"return\":", R->Out);
                IgJsonString(R->Out, d->Return);
            }
            fputs(",\"zone\":", R->Out);
            IgJsonString(R->Out, zone);
            fprintf(R->Out, ",\"action\":\"%s\",\"reason\":\"%s\"", IntExceptActionName(d->Verdict.Action),
                    IntExceptReasonName(d->Verdict.Reason));
            IgJsonVerdict(R->Out, &d->Verdict);
            fprintf(R->Out, ",\"alert\":%s}\n", d->Alerted ? "true" : "false");
            continue;
        }
        IgExceptionText(&d->Verdict.Matched, matched, sizeof(matched));
        IgClosestText(&d->Verdict, why, sizeof(why));
        snprintf(who, sizeof(who), "%s%s%s%s -> %s", d->Originator[0] ? d->Originator : "-",
                 d->Return[0] ? " (ret " : "", d->Return, d->Return[0] ? ")" : "", zone);
        fprintf(R->Out, IG_V2_ROW, seq, event, who, IntExceptActionName(d->Verdict.Action),
                IntExceptReasonName(d->Verdict.Reason), matched, why);
    }
}

/* ---- expectations ---------------------------------------------------------------------------------------------- */

static bool IgExpectationHolds(const IG_TRACE_EXPECT *E, const IG_RUN_RESULT *Result)
{
    const INTRO_EXC_VERDICT *v = &Result->Verdict;

    if (E->HasAlert && E->Alert != Result->Alert)
    {
        return false;
    }
    if (E->Action == IG_TRACE_ACTION_NOT_DELIVERED || !Result->Delivered)
    {
        return E->Action == IG_TRACE_ACTION_NOT_DELIVERED && !Result->Delivered;
    }
    if (!Result->Decided)
    {
        /* Delivered, but not a violation of any zone: allowed, with no exception. */
        return E->Action == INTRO_EXC_ACTION_ALLOWED &&
               (!E->HasReason || E->Reason == IG_TRACE_REASON_NOT_A_VIOLATION) &&
               E->Exception != IG_TRACE_EXCEPTION_FILE;
    }
    if (E->Action != v->Action || (E->HasReason && E->Reason != v->Reason))
    {
        return false;
    }
    if (E->Exception == IG_TRACE_EXCEPTION_NONE)
    {
        return v->Matched.Source == INTRO_EXC_SOURCE_NONE;
    }
    if (E->Exception == IG_TRACE_EXCEPTION_FILE)
    {
        return v->Matched.Source == INTRO_EXC_SOURCE_FILE && v->Matched.RecordIndex == E->ExceptionIndex;
    }
    if (E->Exception == IG_TRACE_EXCEPTION_ALERT)
    {
        return v->Matched.Source == INTRO_EXC_SOURCE_ALERT && v->Matched.AlertContext == E->ExceptionContext;
    }
    return true;
}

static const char *IgExpectedAction(const IG_TRACE_EXPECT *E)
{
    return E->Action == IG_TRACE_ACTION_NOT_DELIVERED ? "not_delivered" : IntExceptActionName(E->Action);
}

int IgRunExpect(IG_RUN *R, const IG_TRACE_RECORD *Record)
{
    const IG_TRACE_EXPECT *e = &Record->Expect;
    const IG_RUN_RESULT *result = IgRunFind(R, Record->Seq);
    char got[160], exception[48], alert[48] = "";

    if (!result)
    {
        return IgRunError(R, Record->Line, "seq", IG_EXIT_FAILURE, "no %s with seq %llu before this line",
                          R->Version < 2 ? "violation" : "event", (unsigned long long)Record->Seq);
    }
    R->Expectations++;
    if (IgExpectationHolds(e, result))
    {
        return IG_EXIT_OK;
    }
    R->Failed++;
    if (R->Options->Quiet)
    {
        return IG_EXIT_OK; /* counted; a quiet run's caller judges the verdicts itself */
    }
    IgExceptionText(&result->Verdict.Matched, exception, sizeof(exception));
    if (!result->Delivered)
    {
        snprintf(got, sizeof(got), "not_delivered");
    }
    else if (!result->Decided)
    {
        snprintf(got, sizeof(got), "allowed/%s", IG_RUN_NOT_A_VIOLATION);
    }
    else
    {
        snprintf(got, sizeof(got), "%s/%s (exception %s)", IntExceptActionName(result->Verdict.Action),
                 IntExceptReasonName(result->Verdict.Reason), exception);
    }
    if (e->HasAlert)
    {
        snprintf(alert, sizeof(alert), "%s", result->Alert ? ", an alert" : ", no alert");
    }
    IgToolError(R->Err, NULL, "%s:%llu: expectation for seq %llu failed: expected %s%s%s%s, got %s%s", R->TraceName,
                (unsigned long long)Record->Line, (unsigned long long)Record->Seq, IgExpectedAction(e),
                e->HasReason ? "/" : "",
                !e->HasReason                                  ? ""
                : e->Reason == IG_TRACE_REASON_NOT_A_VIOLATION ? IG_RUN_NOT_A_VIOLATION
                                                               : IntExceptReasonName(e->Reason),
                e->HasAlert ? (e->Alert ? " with an alert" : " without an alert") : "", got, alert);
    return IG_EXIT_OK;
}

void IgRunPrintRules(IG_RUN *R, uint64_t Line, bool Loaded, const char *Why)
{
    char where[32];

    R->RulesRejected += Loaded ? 0 : 1;
    if (!Loaded)
    {
        IgToolError(R->Err, NULL, "%s:%llu: the exceptions file was rejected, the rules in force stay: %s",
                    R->TraceName, (unsigned long long)Line, Why);
    }
    if (R->Options->Quiet)
    {
        return;
    }
    if (R->Options->Format == IgReplayJsonl)
    {
        fprintf(R->Out, "{\"type\":\"rules\",\"line\":%llu,\"loaded\":%s", (unsigned long long)Line,
                Loaded ? "true" : "false");
        if (!Loaded)
        {
            fputs(",\"error\":", R->Out);
            IgJsonString(R->Out, Why);
        }
        fputs("}\n", R->Out);
        return;
    }
    snprintf(where, sizeof(where), "line %llu", (unsigned long long)Line);
    fprintf(R->Out, IG_V2_ROW, "-", "rules", where, Loaded ? "loaded" : "rejected",
            Loaded ? "-" : "the rules in force stay", "-", "");
}

void IgRunPrintSummary(const IG_RUN *R)
{
    if (R->Options->Quiet)
    {
        return;
    }
    if (R->Version < 2)
    {
        if (R->Options->Format == IgReplayTable)
        {
            fprintf(R->Out, "%zu events: %llu allowed, %llu not allowed; %llu expectations, %llu failed\n",
                    R->ResultCount, (unsigned long long)R->Allowed, (unsigned long long)R->NotAllowed,
                    (unsigned long long)R->Expectations, (unsigned long long)R->Failed);
            return;
        }
        fprintf(R->Out,
                "{\"type\":\"summary\",\"events\":%zu,\"allowed\":%llu,\"not_allowed\":%llu,\"expectations\":%llu,"
                "\"failed\":%llu}\n",
                R->ResultCount, (unsigned long long)R->Allowed, (unsigned long long)R->NotAllowed,
                (unsigned long long)R->Expectations, (unsigned long long)R->Failed);
        return;
    }
    if (R->Options->Format == IgReplayTable)
    {
        fprintf(R->Out,
                "%llu events: %llu delivered, %llu allowed, %llu not allowed, %llu alerts; %llu expectations, %llu "
                "failed\n",
                (unsigned long long)R->Events, (unsigned long long)R->Delivered, (unsigned long long)R->Allowed,
                (unsigned long long)R->NotAllowed, (unsigned long long)R->Alerts, (unsigned long long)R->Expectations,
                (unsigned long long)R->Failed);
        return;
    }
    fprintf(R->Out,
            "{\"type\":\"summary\",\"events\":%llu,\"delivered\":%llu,\"allowed\":%llu,\"not_allowed\":%llu,"
            "\"alerts\":%llu,\"expectations\":%llu,\"failed\":%llu}\n",
            (unsigned long long)R->Events, (unsigned long long)R->Delivered, (unsigned long long)R->Allowed,
            (unsigned long long)R->NotAllowed, (unsigned long long)R->Alerts, (unsigned long long)R->Expectations,
            (unsigned long long)R->Failed);
}
