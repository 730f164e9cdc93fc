/*
 * Reader for introguard replay traces (see trace.h and docs/trace-format.md): lines, the header,
 * expectations, notes and the end; violations in trace_violation.c, version-2 records in
 * trace_guest.c.
 */
#include "trace.h"

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

static void ParseExpect(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    const char *action = IgTraceString(P, Obj, "", "action", true);
    const char *reason = IgTraceString(P, Obj, "", "reason", false);

    memset(&Rec->Expect, 0, sizeof(Rec->Expect));
    if (action && strcmp(action, "not_delivered") == 0 && P->Trace->Header.Version >= 2)
    {
        Rec->Expect.Action = IG_TRACE_ACTION_NOT_DELIVERED;
    }
    else if (action && !IgTraceParseAction(action, &Rec->Expect.Action))
    {
        IgTraceFail(P, "", "action", "unknown action \"%s\" (allowed, not_allowed%s)", action,
                    P->Trace->Header.Version >= 2 ? ", not_delivered" : "");
        return;
    }
    if (reason && strcmp(reason, "not_a_violation") == 0 && P->Trace->Header.Version >= 2)
    {
        Rec->Expect.Reason = IG_TRACE_REASON_NOT_A_VIOLATION;
        Rec->Expect.HasReason = true;
    }
    else if (reason)
    {
        if (!IgTraceParseReason(reason, &Rec->Expect.Reason))
        {
            IgTraceFail(P, "", "reason", "unknown reason \"%s\"", reason);
            return;
        }
        Rec->Expect.HasReason = true;
    }
    if (IgTraceHas(Obj, "exception"))
    {
        const IG_JSON_VALUE *exception = IgTraceField(Obj, "exception");

        if (!exception)
        {
            Rec->Expect.Exception = IG_TRACE_EXCEPTION_NONE;
        }
        else if (exception->Type == IgJsonObject)
        {
            /* {"alert": CONTEXT}: the alert exception added with that context */
            if (IgTraceU64(P, exception, "exception", "alert", &Rec->Expect.ExceptionContext, true))
            {
                Rec->Expect.Exception = IG_TRACE_EXCEPTION_ALERT;
            }
        }
        else if (IgTraceU32(P, Obj, "", "exception", &Rec->Expect.ExceptionIndex, true))
        {
            Rec->Expect.Exception = IG_TRACE_EXCEPTION_FILE;
        }
    }
    Rec->Expect.HasAlert = IgTraceBool(P, Obj, "", "alert", &Rec->Expect.Alert);
}

bool IgTraceParseSeq(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec, bool Event)
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
        t->Events++;
    }
    return true;
}

static void ParseHeader(IG_PARSE *P, const char *Type, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;
    const char *format;
    const IG_JSON_VALUE *guest;
    uint32_t version = 0;

    if (strcmp(Type, "header") != 0)
    {
        IgTraceFail(P, "", "type", "the first record must be the header, not \"%s\"", Type);
        return;
    }
    format = IgTraceString(P, Obj, "", "format", true);
    if (format && strcmp(format, IG_TRACE_FORMAT) != 0)
    {
        IgTraceFail(P, "", "format", "expected \"%s\"", IG_TRACE_FORMAT);
        return;
    }
    if (IgTraceU32(P, Obj, "", "version", &version, true) && (version == 0 || version > IG_TRACE_VERSION_MAX))
    {
        IgTraceFail(P, "", "version", "version %u is not supported (this reader knows 1 and 2)", version);
        return;
    }
    guest = IgTraceObject(P, Obj, "", "guest", NULL);
    if (!guest)
    {
        IgTraceFail(P, "", "guest", "missing");
        return;
    }
    t->Header.Version = version;
    t->Header.Guest.Os = INTRO_EXC_OS_WINDOWS;
    t->Header.Guest.Guest64 = true;
    t->Header.Guest.Peb32Size = 0x480;
    t->Header.Guest.Peb64Size = 0x7C8;
    t->Header.Vcpus = 1;
    IgTraceParseGuest(P, guest, "guest", &t->Header.Guest);
    t->Header.Paging = t->Header.Guest.Guest64 ? INTRO_REPLAY_PAGING_4LEVEL : INTRO_REPLAY_PAGING_PAE;
    IgTraceParseHeaderV2(P, Obj, &t->Header);
    t->SawHeader = true;
    Rec->Type = IgTraceHeader;
}

/* Whether Type is a record only a version-2 trace holds: a version-1 trace says so rather than "unknown". */
static bool IsVersion2Type(const char *Type)
{
    static const char *const types[] = {
        "vcpu", "page",      "memory", "module", "module_remove", "process", "process_remove",
        "zone", "unprotect", "rules",  "ept",    "msr",           "cr",      "dtr"};

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
    {
        if (strcmp(types[i], Type) == 0)
        {
            return true;
        }
    }
    return false;
}

static void ParseLine(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;
    const char *type = IgTraceString(P, Obj, "", "type", true);

    if (!type)
    {
        return;
    }
    if (!t->SawHeader)
    {
        ParseHeader(P, type, Obj, Rec);
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
        if (IgTraceParseSeq(P, Obj, Rec, true))
        {
            IgTraceParseViolation(P, Obj, Rec);
        }
    }
    else if (strcmp(type, "expect") == 0)
    {
        Rec->Type = IgTraceExpect;
        if (IgTraceParseSeq(P, Obj, Rec, false))
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
    else if (t->Header.Version >= 2 &&
             (IgTraceParseGuestRecord(P, type, Obj, Rec) || IgTraceParseActionRecord(P, type, Obj, Rec)))
    {
        /* a version-2 record */
    }
    else if (t->Header.Version < 2 && IsVersion2Type(type))
    {
        IgTraceFail(P, "", "type", "\"%s\" records need a version 2 trace (the header says version 1)", type);
    }
    else
    {
        IgTraceFail(P, "", "type", "unknown record type \"%s\"", type);
    }
}

INTSTATUS IgTraceOpen(FILE *Stream, IG_TRACE **Trace)
{
    IG_TRACE *t = calloc(1, sizeof(*t));

    *Trace = NULL;
    if (!t)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    t->Stream = Stream;
    *Trace = t;
    return INT_STATUS_SUCCESS;
}

/* Duplicate keys anywhere in the record: an error, as compile --strict makes them (the last would win silently). */
static const IG_JSON_VALUE *FindDuplicateKey(const IG_JSON_VALUE *Value)
{
    const IG_JSON_VALUE *dup;

    if (Value->Type != IgJsonObject && Value->Type != IgJsonArray)
    {
        return NULL;
    }
    if (Value->Type == IgJsonObject && (dup = IgJsonFindDuplicate(Value)) != NULL)
    {
        return dup;
    }
    for (size_t i = 0; i < Value->Count; i++)
    {
        if ((dup = FindDuplicateKey(Value->Items[i])) != NULL)
        {
            return dup;
        }
    }
    return NULL;
}

/* Reads one line (at most IG_TRACE_MAX_LINE bytes) into Trace->Line; *Length 0 at the end. */
static bool ReadLine(IG_TRACE *Trace, IG_PARSE *P, size_t *Length)
{
    size_t length = 0;

    for (;;)
    {
        int c = getc(Trace->Stream);

        if (c == EOF || c == '\n')
        {
            if (c == '\n')
            {
                Trace->Line[length++] = '\n';
            }
            break;
        }
        if (length == IG_TRACE_MAX_LINE)
        {
            Trace->LineNumber++;
            return IgTraceFail(P, NULL, NULL, "line longer than %u bytes", IG_TRACE_MAX_LINE);
        }
        Trace->Line[length++] = (char)c;
    }
    Trace->Line[length] = '\0';
    *Length = length;
    return true;
}

/* The end of the input: a version-2 trace must have said it ends. */
static INTSTATUS AtEnd(IG_TRACE *Trace, IG_PARSE *P)
{
    if (!Trace->SawHeader)
    {
        Trace->LineNumber++;
        IgTraceFail(P, NULL, NULL, "empty trace: the first line must be a header record");
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    if (Trace->Header.Version >= 2 && !Trace->SawEnd)
    {
        IgTraceFail(P, NULL, NULL, "the trace ends without its end record: truncated after line %llu",
                    (unsigned long long)Trace->LineNumber);
        return INT_STATUS_INVALID_DATA_STATE;
    }
    return INT_STATUS_NO_MORE_ENTRIES;
}

INTSTATUS IgTraceNext(IG_TRACE *Trace, IG_TRACE_RECORD *Record, IG_TRACE_ERROR *Error)
{
    IG_PARSE p = {Trace, Error, false};
    IG_JSON_ERROR jerror;
    const IG_JSON_VALUE *dup;
    size_t length = 0;

    memset(Error, 0, sizeof(*Error));
    memset(Record, 0, sizeof(*Record));
    IgJsonFree(&Trace->Doc);
    free(Trace->RulesBuffer);
    Trace->RulesBuffer = NULL;
    Trace->BufferUsed = 0;

    /* Read one line with a bounded buffer: a hostile trace cannot make us allocate more than the cap. */
    if (!Trace->Line && !(Trace->Line = malloc(IG_TRACE_MAX_LINE + 2)))
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (!ReadLine(Trace, &p, &length))
    {
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    if (length == 0)
    {
        return AtEnd(Trace, &p);
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
    if (!INT_SUCCESS(IgJsonParse(Trace->Line, length, &Trace->Doc, &jerror)))
    {
        IgTraceFail(&p, NULL, NULL, "invalid JSON at column %u: %s", jerror.Column, jerror.Message);
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    if (Trace->Doc.Root->Type != IgJsonObject)
    {
        IgTraceFail(&p, NULL, NULL, "a record must be a JSON object");
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    if ((dup = FindDuplicateKey(Trace->Doc.Root)) != NULL)
    {
        char path[160];

        IgTraceFail(&p, NULL, NULL, "duplicate key %s (column %u)", IgJsonPath(dup, path, sizeof(path)), dup->Column);
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    ParseLine(&p, Trace->Doc.Root, Record);
    return p.Failed ? INT_STATUS_INVALID_DATA_VALUE : INT_STATUS_SUCCESS;
}

const IG_TRACE_HEADER *IgTraceHeaderOf(const IG_TRACE *Trace)
{
    return &Trace->Header;
}

const INTRO_EXC_GUEST *IgTraceGuest(const IG_TRACE *Trace)
{
    return &Trace->Header.Guest;
}

const INTRO_BACKEND_REGS *IgTraceVcpuState(const IG_TRACE *Trace, uint32_t Vcpu)
{
    return Trace->Vcpus && Vcpu < Trace->Header.Vcpus ? &Trace->Vcpus[Vcpu] : NULL;
}

void IgTraceClose(IG_TRACE *Trace)
{
    if (!Trace)
    {
        return;
    }
    IgJsonFree(&Trace->Doc);
    free(Trace->RulesBuffer);
    free(Trace->Line);
    free(Trace->Vcpus);
    for (uint32_t i = 0; i < Trace->ProcessCount; i++)
    {
        free(Trace->Processes[i]);
    }
    free(Trace->Processes);
    free(Trace);
}
