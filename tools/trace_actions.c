/*
 * introguard replay traces, version 2: the operator's actions on alert exceptions, in order with the
 * events (docs/trace-format.md, "Alert exceptions"): add an exception from an alert (one an event of
 * the trace raised, or one given inline, whole or as its blob), remove those of a context, flush.
 */
#include <string.h>

#include "trace_int.h"

/* The statuses an action may be told to return ("status"), by their constant names. */
static bool ParseStatus(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_ALERT_ACTION *A)
{
    static const INTSTATUS known[] = {
        INT_STATUS_SUCCESS,
        INT_STATUS_NOT_NEEDED_HINT,
        INT_STATUS_NOT_FOUND,
        INT_STATUS_NOT_SUPPORTED,
        INT_STATUS_INVALID_DATA_STATE,
        INT_STATUS_INVALID_DATA_SIZE,
        INT_STATUS_INVALID_DATA_VALUE,
        INT_STATUS_UNSUPPORTED_DATA_VALUE,
        INT_STATUS_DATA_BUFFER_TOO_SMALL,
        INT_STATUS_INSUFFICIENT_RESOURCES,
    };
    const char *name = IgTraceString(P, Obj, "", "status", false);

    if (!name)
    {
        return !P->Failed;
    }
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
    {
        if (strcmp(IntStatusToString(known[i]), name) == 0)
        {
            A->HasStatus = true;
            A->Status = known[i];
            return true;
        }
    }
    return IgTraceFail(P, "", "status",
                       "\"%s\" is not a status these calls return (INT_STATUS_SUCCESS, "
                       "INT_STATUS_NOT_NEEDED_HINT, INT_STATUS_NOT_FOUND, ...)",
                       name);
}

static const INTRO_EXC_KEYWORD gEvents[] = {
    {"ept", 1},
    {"msr", 2},
    {"cr", 3},
    {"integrity", 5},
    {"injection", 7},
    {"dtr", 8},
    {"process-creation", 16},
    {"module-load", 17},
};
static const INTRO_EXC_KEYWORD_TABLE gEventTable = {"alert event", gEvents, 8};

/*
 * {"type":"add_exception","context":C,"from":SEQ[,"form":"alert"|"blob"]} or
 * {"type":"add_exception","context":C,"event":E,"alert"|"blob":BASE64}.
 */
static void ParseAdd(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE_ALERT_ACTION *a = &Rec->Action;
    const char *form = IgTraceString(P, Obj, "", "form", false);
    bool inlineAlert = IgTraceField(Obj, "alert") != NULL;
    bool inlineBlob = IgTraceField(Obj, "blob") != NULL;
    uint64_t type = 0;
    const void *data = NULL;

    IgTraceU64(P, Obj, "", "context", &a->Context, true);
    if (P->Failed || !ParseStatus(P, Obj, a))
    {
        return;
    }
    if (IgTraceHas(Obj, "from"))
    {
        if (inlineAlert || inlineBlob || IgTraceField(Obj, "event"))
        {
            IgTraceFail(P, "", "from",
                        "take the alert from an event, or give it inline (event, alert or blob), not both");
            return;
        }
        if (form && strcmp(form, "alert") && strcmp(form, "blob"))
        {
            IgTraceFail(P, "", "form", "expected \"alert\" (the whole alert) or \"blob\" (its exception blob)");
            return;
        }
        a->FromEvent = IgTraceU64(P, Obj, "", "from", &a->FromSeq, true);
        a->WholeAlert = form && strcmp(form, "alert") == 0;
        return;
    }
    if (form)
    {
        IgTraceFail(P, "", "form", "\"form\" goes with \"from\"; inline, say \"alert\" or \"blob\"");
        return;
    }
    if (inlineAlert == inlineBlob)
    {
        IgTraceFail(P, "", "from",
                    "missing: an add_exception names the event whose alert it takes (\"from\"), or "
                    "holds one alert or one blob");
        return;
    }
    if (!IgTraceKeyword(P, Obj, "", "event", &gEventTable, &type, true))
    {
        return;
    }
    a->EventType = (uint32_t)type;
    a->WholeAlert = inlineAlert;
    if (IgTraceBase64(P, Obj, "", inlineAlert ? "alert" : "blob", &data, &Rec->DataSize))
    {
        Rec->Data = data;
    }
}

bool IgTraceParseActionRecord(IG_PARSE *P, const char *Type, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    if (strcmp(Type, "add_exception") == 0)
    {
        Rec->Type = IgTraceAddException;
        ParseAdd(P, Obj, Rec);
        return true;
    }
    if (strcmp(Type, "remove_exception") == 0)
    {
        Rec->Type = IgTraceRemoveException;
        if (IgTraceU64(P, Obj, "", "context", &Rec->Action.Context, true))
        {
            ParseStatus(P, Obj, &Rec->Action);
        }
        return true;
    }
    if (strcmp(Type, "flush_exceptions") == 0)
    {
        Rec->Type = IgTraceFlushExceptions;
        ParseStatus(P, Obj, &Rec->Action);
        return true;
    }
    return false;
}
