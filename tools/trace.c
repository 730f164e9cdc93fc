/*
 * Reader for introguard replay traces (see trace.h and docs/trace-format.md): lines, the header,
 * and the records other than violations (trace_violation.c).
 */
#include "trace.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

bool IgTraceParseAction(const char *Name, uint32_t *Action)
{
    for (uint32_t a = 0; a < 6; a++)
    {
        const char *n = IntExceptActionName(a);

        if (n && strcmp(n, Name) == 0)
        {
            *Action = a;
            return true;
        }
    }
    return false;
}

bool IgTraceParseReason(const char *Name, uint32_t *Reason)
{
    for (uint32_t r = 0; IntExceptReasonName(r); r++)
    {
        if (strcmp(IntExceptReasonName(r), Name) == 0)
        {
            *Reason = r;
            return true;
        }
    }
    return false;
}

/* ---- records ---------------------------------------------------------------------------------------------------- */

static void ParseExpect(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec)
{
    const char *action = IgTraceString(P, Obj, "", "action", true);
    const char *reason = IgTraceString(P, Obj, "", "reason", false);
    json_object *exception = IgTraceField(Obj, "exception");

    memset(&Rec->Expect, 0, sizeof(Rec->Expect));
    if (action && !IgTraceParseAction(action, &Rec->Expect.Action))
    {
        IgTraceFail(P, "", "action", "unknown action \"%s\" (allowed, not_allowed)", action);
        return;
    }
    if (reason)
    {
        if (!IgTraceParseReason(reason, &Rec->Expect.Reason))
        {
            IgTraceFail(P, "", "reason", "unknown reason \"%s\"", reason);
            return;
        }
        Rec->Expect.HasReason = true;
    }
    if (json_object_object_get_ex(Obj, "exception", NULL))
    {
        if (!exception)
        {
            Rec->Expect.Exception = IG_TRACE_EXCEPTION_NONE;
        }
        else if (IgTraceU32(P, Obj, "", "exception", &Rec->Expect.ExceptionIndex, true))
        {
            Rec->Expect.Exception = IG_TRACE_EXCEPTION_FILE;
        }
    }
}

static bool ParseSeq(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec, bool Event)
{
    IG_TRACE *t = P->Trace;

    if (!IgTraceU64(P, Obj, "", "seq", &Rec->Seq, true))
    {
        return false;
    }
    if (Event)
    {
        if (t->HaveSeq && Rec->Seq <= t->LastSeq)
        {
            return IgTraceFail(P, "", "seq", "%llu does not follow %llu (seq must increase)",
                               (unsigned long long)Rec->Seq, (unsigned long long)t->LastSeq);
        }
        t->HaveSeq = true;
        t->LastSeq = Rec->Seq;
    }
    return true;
}

static void ParseLine(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;
    const char *type = IgTraceString(P, Obj, "", "type", true);

    if (!type)
    {
        return;
    }
    if (!t->SawHeader)
    {
        const char *format;
        uint32_t version = 0;
        json_object *guest;

        if (strcmp(type, "header") != 0)
        {
            IgTraceFail(P, "", "type", "the first record must be the header, not \"%s\"", type);
            return;
        }
        format = IgTraceString(P, Obj, "", "format", true);
        if (format && strcmp(format, IG_TRACE_FORMAT) != 0)
        {
            IgTraceFail(P, "", "format", "expected \"%s\"", IG_TRACE_FORMAT);
            return;
        }
        if (IgTraceU32(P, Obj, "", "version", &version, true) && version != IG_TRACE_VERSION)
        {
            IgTraceFail(P, "", "version", "version %u is not supported (this reader knows %u)", version,
                        IG_TRACE_VERSION);
            return;
        }
        guest = IgTraceObject(P, Obj, "", "guest", NULL);
        if (!guest)
        {
            IgTraceFail(P, "", "guest", "missing");
            return;
        }
        t->Guest.Os = INTRO_EXC_OS_WINDOWS;
        t->Guest.Guest64 = true;
        t->Guest.Peb32Size = 0x480;
        t->Guest.Peb64Size = 0x7C8;
        IgTraceParseGuest(P, guest, "guest", &t->Guest);
        t->SawHeader = true;
        Rec->Type = IgTraceHeader;
        return;
    }
    if (t->SawEnd)
    {
        IgTraceFail(P, "", "type", "record after the end record");
        return;
    }
    if (strcmp(type, "violation") == 0)
    {
        Rec->Type = IgTraceViolation;
        if (ParseSeq(P, Obj, Rec, true))
        {
            IgTraceParseViolation(P, Obj, Rec);
            t->Events++;
        }
    }
    else if (strcmp(type, "expect") == 0)
    {
        Rec->Type = IgTraceExpect;
        if (ParseSeq(P, Obj, Rec, false))
        {
            ParseExpect(P, Obj, Rec);
        }
    }
    else if (strcmp(type, "note") == 0)
    {
        Rec->Type = IgTraceNote;
        IgTraceString(P, Obj, "", "text", true);
    }
    else if (strcmp(type, "end") == 0)
    {
        Rec->Type = IgTraceEnd;
        if (IgTraceU64(P, Obj, "", "events", &Rec->EndEvents, true) && Rec->EndEvents != t->Events)
        {
            IgTraceFail(P, "", "events", "the trace holds %llu events, the end record says %llu",
                        (unsigned long long)t->Events, (unsigned long long)Rec->EndEvents);
        }
        t->SawEnd = true;
    }
    else if (strcmp(type, "header") == 0)
    {
        IgTraceFail(P, "", "type", "a second header");
    }
    else if (!strcmp(type, "ept") || !strcmp(type, "msr") || !strcmp(type, "cr") || !strcmp(type, "dtr") ||
             !strcmp(type, "vcpu") || !strcmp(type, "page") || !strcmp(type, "timer"))
    {
        IgTraceFail(P, "", "type", "\"%s\" records need the protection pipeline, which this replay does not run yet",
                    type);
    }
    else
    {
        IgTraceFail(P, "", "type", "unknown record type \"%s\"", type);
    }
}

INTSTATUS IgTraceOpen(FILE *Stream, INTRO_REPLAY *Replay, IG_TRACE **Trace)
{
    IG_TRACE *t = calloc(1, sizeof(*t));

    *Trace = NULL;
    if (!t)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    t->Stream = Stream;
    t->Replay = Replay;
    *Trace = t;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgTraceNext(IG_TRACE *Trace, IG_TRACE_RECORD *Record, IG_TRACE_ERROR *Error)
{
    IG_PARSE p = {Trace, Error, false};
    json_tokener *tok;
    json_object *root;
    ssize_t length;

    memset(Error, 0, sizeof(*Error));
    memset(Record, 0, sizeof(*Record));
    if (Trace->Current)
    {
        json_object_put(Trace->Current);
        Trace->Current = NULL;
    }
    Trace->BufferUsed = 0;

    /* Read one line with a bounded buffer: a hostile trace cannot make us allocate more than the cap. */
    if (!Trace->Line)
    {
        Trace->LineCapacity = IG_TRACE_MAX_LINE + 2; /* the line, its LF and a NUL */
        Trace->Line = malloc(Trace->LineCapacity);
        if (!Trace->Line)
        {
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    length = 0;
    for (;;)
    {
        int c = getc(Trace->Stream);

        if (c == EOF)
        {
            break;
        }
        if (c == '\n')
        {
            Trace->Line[length++] = (char)c;
            break;
        }
        if ((size_t)length == IG_TRACE_MAX_LINE)
        {
            Trace->LineNumber++;
            IgTraceFail(&p, NULL, NULL, "line longer than %u bytes", IG_TRACE_MAX_LINE);
            return INT_STATUS_INVALID_DATA_VALUE;
        }
        Trace->Line[length++] = (char)c;
    }
    Trace->Line[length] = '\0';
    if (length == 0)
    {
        if (!Trace->SawHeader)
        {
            Trace->LineNumber++;
            IgTraceFail(&p, NULL, NULL, "empty trace: the first line must be a header record");
            return INT_STATUS_INVALID_DATA_VALUE;
        }
        return INT_STATUS_NO_MORE_ENTRIES;
    }
    Trace->LineNumber++;
    Record->Line = Trace->LineNumber;
    while (length > 0 && (Trace->Line[length - 1] == '\n' || Trace->Line[length - 1] == '\r'))
    {
        Trace->Line[--length] = '\0';
    }
    if (length == 0)
    {
        IgTraceFail(&p, NULL, NULL, "empty line (every line must be one JSON object)");
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    if (strlen(Trace->Line) != (size_t)length)
    {
        IgTraceFail(&p, NULL, NULL, "NUL byte inside the line");
        return INT_STATUS_INVALID_DATA_VALUE;
    }

    tok = json_tokener_new();
    if (!tok)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    root = json_tokener_parse_ex(tok, Trace->Line, (int)length);
    if (!root || json_tokener_get_error(tok) != json_tokener_success)
    {
        IgTraceFail(&p, NULL, NULL, "invalid JSON at column %zu: %s", json_tokener_get_parse_end(tok) + 1,
                    json_tokener_error_desc(json_tokener_get_error(tok) == json_tokener_continue
                                                ? json_tokener_error_parse_eof
                                                : json_tokener_get_error(tok)));
    }
    else if (json_tokener_get_parse_end(tok) != (size_t)length)
    {
        IgTraceFail(&p, NULL, NULL, "text after the JSON object at column %zu", json_tokener_get_parse_end(tok) + 1);
    }
    else if (!json_object_is_type(root, json_type_object))
    {
        IgTraceFail(&p, NULL, NULL, "a record must be a JSON object");
    }
    json_tokener_free(tok);
    Trace->Current = root;
    if (!p.Failed)
    {
        ParseLine(&p, root, Record);
    }
    return p.Failed ? INT_STATUS_INVALID_DATA_VALUE : INT_STATUS_SUCCESS;
}

const INTRO_EXC_GUEST *IgTraceGuest(const IG_TRACE *Trace)
{
    return &Trace->Guest;
}

void IgTraceClose(IG_TRACE *Trace)
{
    if (!Trace)
    {
        return;
    }
    if (Trace->Current)
    {
        json_object_put(Trace->Current);
    }
    free(Trace->Line);
    for (uint32_t i = 0; i < Trace->ProcessCount; i++)
    {
        free(Trace->Processes[i]);
    }
    free(Trace->Processes);
    free(Trace);
}
