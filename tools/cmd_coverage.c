/*
 * `introguard coverage TRACE... -e FILE [--source DIR] [--format table|json]`: which exceptions and
 * signatures the traces exercise (docs/workbench.md).
 *
 * Every trace is replayed with FILE loaded; each decision's verdict credits the exception that
 * allowed it, or, for a block, the one that came closest.  A signature is credited with the events
 * an exception naming it allowed (every signature kind of that exception matched) and with the
 * blocks where such an exception came closest and failed on that signature's kind.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tool_common.h"
#include "workbench.h"

#define IG_COV_CHECKS 20u /* INTRO_EXC_CHECK_* values */
#define IG_COV_REASONS 16u

/* What the traces did with one record (exception or signature). */
typedef struct IG_COV_RECORD
{
    uint64_t Allowed;
    uint64_t Feedback; /* of Allowed: allowed_feedback */
    uint64_t Closest;
    uint64_t Checks[IG_COV_CHECKS];   /* exceptions: the closest attempts by the check they failed */
    uint64_t Reasons[IG_COV_REASONS]; /* exceptions: of Checks[SIGNATURES], by the group's reason */
    uint32_t *Users;                  /* signatures: the exceptions naming it */
    uint32_t UserCount;
} IG_COV_RECORD;

typedef struct IG_COV
{
    IG_WB_RULES Rules;
    const char *SourcePath;
    bool Json;
    char **Traces;
    uint32_t TraceCount;
    IG_COV_RECORD *Records;
    uint32_t *UserPool;
    uint64_t Events, Decisions, Allowed, AllowedBare, Blocked, Undecided, TraceRules;
} IG_COV;

void IgCmdCoverageHelp(FILE *Out)
{
    fputs("usage: introguard coverage TRACE... -e FILE [--source DIR] [--format table|json]\n"
          "\n"
          "Replays the traces with FILE loaded and reports, per exception and per signature, how many\n"
          "events it allowed and how many blocks it came closest to allowing; rules that never fired\n"
          "come first.\n"
          "\n"
          "  -e, --exceptions FILE  the rules: an exceptions file, or JSON sources (a file or a\n"
          "                         directory, compiled in memory as `introguard compile` would)\n"
          "  --source DIR           the JSON FILE was compiled from: rules are shown with file:line\n"
          "  --format table|json    output format (default table)\n"
          "\n"
          "Exit status: 0 done; 1 bad input (a trace, the rules or the sources; the message says\n"
          "where); 2 a usage error.\n",
          Out);
}

/* ---- counting ---------------------------------------------------------------------------------------------------- */

/* Who names which signature: one pool, a slice per signature record. */
static int IgCovUsers(IG_COV *C)
{
    const IG_RECORD_LIST *list = &C->Rules.List;
    size_t total = 0, next = 0;

    for (int pass = 0; pass < 2; pass++)
    {
        for (size_t i = 0; i < list->Count; i++)
        {
            const INTRO_EXCFILE_RECORD *r = &list->Records[i];

            for (uint32_t k = 0; IgWbIsException(r) && k < IgRecordSigCount(r); k++)
            {
                uint32_t s = IgWbFindSignature(&C->Rules, IgRecordSigId(r, k));

                if (s == IG_WB_NO_ORIGIN || (k > 0 && IgRecordSigId(r, k) == IgRecordSigId(r, k - 1)))
                {
                    continue;
                }
                if (pass == 0)
                {
                    C->Records[s].UserCount++;
                    total++;
                }
                else
                {
                    C->Records[s].Users[C->Records[s].UserCount++] = (uint32_t)i;
                }
            }
        }
        if (pass == 0)
        {
            C->UserPool = calloc(total ? total : 1, sizeof(*C->UserPool));
            if (!C->UserPool)
            {
                return IG_EXIT_FAILURE;
            }
            for (size_t i = 0; i < list->Count; i++)
            {
                C->Records[i].Users = C->UserPool + next;
                next += C->Records[i].UserCount;
                C->Records[i].UserCount = 0;
            }
        }
    }
    return IG_EXIT_OK;
}

/* Credits the signatures of exception Index: all of them (an allow), or those of the failing kind. */
static void IgCovCreditSignatures(IG_COV *C, uint32_t Index, bool Allowed, uint32_t Reason)
{
    const INTRO_EXCFILE_RECORD *r = &C->Rules.List.Records[Index];

    for (uint32_t k = 0; k < IgRecordSigCount(r); k++)
    {
        uint32_t s = IgWbFindSignature(&C->Rules, IgRecordSigId(r, k));

        if (s == IG_WB_NO_ORIGIN || (k > 0 && IgRecordSigId(r, k) == IgRecordSigId(r, k - 1)))
        {
            continue;
        }
        if (Allowed)
        {
            C->Records[s].Allowed++;
        }
        else if (IgWbSignatureReason(C->Rules.List.Records[s].Type) == Reason)
        {
            C->Records[s].Closest++;
        }
    }
}

static bool IgCovFileRef(const IG_COV *C, const INTRO_EXC_REF *Ref)
{
    return Ref->Source == INTRO_EXC_SOURCE_FILE && Ref->RecordIndex < C->Rules.List.Count;
}

static void IgCovCount(IG_COV *C, const IG_WB_RUN *Run)
{
    for (size_t i = 0; i < Run->Count; i++)
    {
        const IG_WB_DECISION *d = &Run->Items[i];
        const INTRO_EXC_VERDICT *v = &d->Verdict;

        C->Events += (i == 0 || d->Trace != Run->Items[i - 1].Trace || d->Seq != Run->Items[i - 1].Seq) ? 1 : 0;
        C->Decisions++;
        if (!d->Decided)
        {
            C->Undecided++;
            continue;
        }
        if (d->TraceRules)
        {
            C->TraceRules++; /* decided by a rules record of the trace: not FILE's records */
            continue;
        }
        if (v->Action == INTRO_EXC_ACTION_ALLOWED)
        {
            C->Allowed++;
            if (!IgCovFileRef(C, &v->Matched))
            {
                C->AllowedBare++;
                continue;
            }
            C->Records[v->Matched.RecordIndex].Allowed++;
            C->Records[v->Matched.RecordIndex].Feedback += v->Reason == INTRO_EXC_REASON_ALLOWED_FEEDBACK ? 1 : 0;
            IgCovCreditSignatures(C, v->Matched.RecordIndex, true, 0);
            continue;
        }
        C->Blocked++;
        if (IgCovFileRef(C, &v->Closest))
        {
            IG_COV_RECORD *r = &C->Records[v->Closest.RecordIndex];

            r->Closest++;
            r->Checks[v->Closest.FailedCheck < IG_COV_CHECKS ? v->Closest.FailedCheck : 0]++;
            if (v->Closest.FailedCheck == INTRO_EXC_CHECK_SIGNATURES)
            {
                r->Reasons[v->Closest.FailReason < IG_COV_REASONS ? v->Closest.FailReason : 0]++;
                IgCovCreditSignatures(C, v->Closest.RecordIndex, false, v->Closest.FailReason);
            }
        }
    }
}

/* ---- output ------------------------------------------------------------------------------------------------------ */

/* A row's sort key: never fired first, then near misses, then record order. */
typedef struct IG_COV_ROW
{
    uint32_t Index;
    uint64_t Allowed;
    uint64_t Closest;
} IG_COV_ROW;

static int IgCovCompareRows(const void *PA, const void *PB)
{
    const IG_COV_ROW *a = PA, *b = PB;

    if (a->Allowed != b->Allowed)
    {
        return a->Allowed < b->Allowed ? -1 : 1;
    }
    if (a->Closest != b->Closest)
    {
        return a->Closest > b->Closest ? -1 : 1;
    }
    return a->Index < b->Index ? -1 : (a->Index > b->Index);
}

/* The check (or, for signatures, the group's reason) most of the closest attempts failed on. */
static const char *IgCovMissedOn(const IG_COV_RECORD *R)
{
    uint32_t check = 0, reason = 0;

    for (uint32_t c = 1; c < IG_COV_CHECKS; c++)
    {
        check = R->Checks[c] > R->Checks[check] ? c : check;
    }
    if (!R->Checks[check])
    {
        return "";
    }
    if (check != INTRO_EXC_CHECK_SIGNATURES)
    {
        return IntExceptCheckName(check);
    }
    for (uint32_t k = 1; k < IG_COV_REASONS; k++)
    {
        reason = R->Reasons[k] > R->Reasons[reason] ? k : reason;
    }
    return IntExceptReasonName(reason);
}

/* The records of one side (exceptions or signatures), sorted for the table. */
static IG_COV_ROW *IgCovRows(const IG_COV *C, bool Signatures, size_t *Count)
{
    const IG_RECORD_LIST *list = &C->Rules.List;
    IG_COV_ROW *rows = calloc(list->Count ? list->Count : 1, sizeof(*rows));

    *Count = 0;
    for (size_t i = 0; rows && i < list->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &list->Records[i];

        if (Signatures ? IgWbIsSignature(r) : IgWbIsException(r))
        {
            rows[*Count].Index = (uint32_t)i;
            rows[*Count].Allowed = C->Records[i].Allowed;
            rows[*Count].Closest = C->Records[i].Closest;
            (*Count)++;
        }
    }
    if (rows)
    {
        qsort(rows, *Count, sizeof(*rows), IgCovCompareRows);
    }
    return rows;
}

static void IgCovExceptionRow(const IG_COV *C, uint32_t Index, IG_WB_TABLE *Table)
{
    const IG_COV_RECORD *r = &C->Records[Index];
    IG_WB_DESC desc;
    char record[16], who[300], allowed[48], closest[24], where[300];
    const char *cells[9];

    IgWbDescribe(&C->Rules, Index, &desc);
    snprintf(record, sizeof(record), "%u", Index);
    snprintf(who, sizeof(who), "%s -> %s%s%s%s", desc.Originator, desc.Victim, desc.Process[0] ? " (" : "",
             desc.Process, desc.Process[0] ? ")" : "");
    snprintf(allowed, sizeof(allowed), r->Feedback ? "%llu (%llu feedback)" : "%llu", (unsigned long long)r->Allowed,
             (unsigned long long)r->Feedback);
    snprintf(closest, sizeof(closest), "%llu", (unsigned long long)r->Closest);
    IgWbWhereText(&C->Rules, Index, where, sizeof(where));
    cells[0] = record;
    cells[1] = desc.Kind;
    cells[2] = who;
    cells[3] = desc.Object;
    cells[4] = desc.Flags;
    cells[5] = allowed;
    cells[6] = closest;
    cells[7] = IgCovMissedOn(r);
    cells[8] = where;
    IgWbTableRow(Table, cells);
}

static void IgCovSignatureRow(const IG_COV *C, uint32_t Index, IG_WB_TABLE *Table)
{
    const IG_COV_RECORD *r = &C->Records[Index];
    IG_WB_DESC desc;
    char record[16], id[16], allowed[24], closest[24], users[96], where[300];
    const char *cells[8];
    size_t used = 0;

    IgWbDescribe(&C->Rules, Index, &desc);
    snprintf(record, sizeof(record), "%u", Index);
    snprintf(id, sizeof(id), "0x%08X", IntExcFileRecordId(&C->Rules.List.Records[Index]));
    snprintf(allowed, sizeof(allowed), "%llu", (unsigned long long)r->Allowed);
    snprintf(closest, sizeof(closest), "%llu", (unsigned long long)r->Closest);
    users[0] = '\0';
    for (uint32_t k = 0; k < r->UserCount && used + 16 < sizeof(users); k++)
    {
        used += (size_t)snprintf(users + used, sizeof(users) - used, k ? ",%u" : "%u", r->Users[k]);
    }
    if (r->UserCount == 0)
    {
        snprintf(users, sizeof(users), "none");
    }
    IgWbWhereText(&C->Rules, Index, where, sizeof(where));
    cells[0] = record;
    cells[1] = id;
    cells[2] = desc.Kind;
    cells[3] = desc.Name;
    cells[4] = allowed;
    cells[5] = closest;
    cells[6] = users;
    cells[7] = where;
    IgWbTableRow(Table, cells);
}

/* "never fired: 2 of 7 exceptions (records 3, 5)", in record order. */
static void IgCovNeverFired(const IG_COV *C, bool Signatures, FILE *Out)
{
    const IG_RECORD_LIST *list = &C->Rules.List;
    size_t dead = 0, count = 0;

    for (size_t i = 0; i < list->Count; i++)
    {
        if (Signatures ? IgWbIsSignature(&list->Records[i]) : IgWbIsException(&list->Records[i]))
        {
            count++;
            dead += C->Records[i].Allowed == 0 ? 1 : 0;
        }
    }
    fprintf(Out, "never fired: %zu of %zu %s", dead, count, Signatures ? "signatures" : "exceptions");
    for (size_t i = 0, shown = 0; i < list->Count; i++)
    {
        if ((Signatures ? IgWbIsSignature(&list->Records[i]) : IgWbIsException(&list->Records[i])) &&
            C->Records[i].Allowed == 0)
        {
            fprintf(Out, "%s%zu", shown++ ? ", " : (dead == 1 ? " (record " : " (records "), i);
        }
    }
    fputs(dead ? ")\n" : "\n", Out);
}

static int IgCovTable(const IG_COV *C, FILE *Out)
{
    static const char *const excTitles[9] = {"record",  "kind",      "originator -> victim (process)",
                                             "object",  "flags",     "allowed",
                                             "closest", "missed on", "source"};
    static const char *const sigTitles[8] = {"record",  "id",      "kind",       "name",
                                             "allowed", "closest", "exceptions", "source"};
    IG_WB_TABLE exc, sig;
    size_t excCount = 0, sigCount = 0;
    IG_COV_ROW *excRows = IgCovRows(C, false, &excCount);
    IG_COV_ROW *sigRows = IgCovRows(C, true, &sigCount);
    bool ok = excRows && sigRows;

    IgWbTableInit(&exc, 9);
    IgWbTableInit(&sig, 8);
    IgWbTableRow(&exc, excTitles);
    IgWbTableRow(&sig, sigTitles);
    for (size_t i = 0; ok && i < excCount; i++)
    {
        IgCovExceptionRow(C, excRows[i].Index, &exc);
    }
    for (size_t i = 0; ok && i < sigCount; i++)
    {
        IgCovSignatureRow(C, sigRows[i].Index, &sig);
    }
    fprintf(Out,
            "%llu events in %u trace%s, %llu decisions: %llu allowed by an exception, %llu allowed without one, "
            "%llu blocked, %llu not a violation or not delivered",
            (unsigned long long)C->Events, C->TraceCount, C->TraceCount == 1 ? "" : "s",
            (unsigned long long)C->Decisions, (unsigned long long)(C->Allowed - C->AllowedBare),
            (unsigned long long)C->AllowedBare, (unsigned long long)C->Blocked, (unsigned long long)C->Undecided);
    fprintf(Out, C->TraceRules ? ", %llu under the traces' own rules\n\n" : "\n\n", (unsigned long long)C->TraceRules);
    ok = ok && IgWbTablePrint(&exc, Out);
    if (ok && sigCount)
    {
        fputc('\n', Out);
        ok = IgWbTablePrint(&sig, Out);
    }
    if (ok)
    {
        fputc('\n', Out);
        IgCovNeverFired(C, false, Out);
        IgCovNeverFired(C, true, Out);
    }
    IgWbTableFree(&exc);
    IgWbTableFree(&sig);
    free(excRows);
    free(sigRows);
    if (!ok)
    {
        IgToolError(stderr, NULL, "coverage: out of memory");
        return IG_EXIT_FAILURE;
    }
    return IG_EXIT_OK;
}

static void IgCovJsonRecord(const IG_COV *C, uint32_t Index, FILE *Out)
{
    const IG_COV_RECORD *r = &C->Records[Index];
    const INTRO_EXCFILE_RECORD *rec = &C->Rules.List.Records[Index];
    IG_WB_DESC desc;

    IgWbDescribe(&C->Rules, Index, &desc);
    fprintf(Out, "{\"record\":%u,\"kind\":", Index);
    IgWbJsonString(Out, desc.Kind);
    if (IgWbIsException(rec))
    {
        fputs(",\"originator\":", Out);
        IgWbJsonString(Out, desc.Originator);
        fputs(",\"victim\":", Out);
        IgWbJsonString(Out, desc.Victim);
        fputs(",\"process\":", Out);
        IgWbJsonString(Out, rec->Type == INTRO_EXCFILE_REC_KERNEL ? NULL : desc.Process);
        fputs(",\"object\":", Out);
        IgWbJsonString(Out, desc.Object);
    }
    else
    {
        fprintf(Out, ",\"id\":\"0x%08X\",\"name\":", IntExcFileRecordId(rec));
        IgWbJsonString(Out, desc.Name);
    }
    fputs(",\"flags\":", Out);
    IgWbJsonString(Out, desc.Flags);
    fprintf(Out, ",\"allowed\":%llu,\"feedback\":%llu,\"closest\":%llu,", (unsigned long long)r->Allowed,
            (unsigned long long)r->Feedback, (unsigned long long)r->Closest);
    if (IgWbIsException(rec))
    {
        fputs("\"missed_on\":{", Out);
        for (uint32_t c = 0, n = 0; c < IG_COV_CHECKS; c++)
        {
            for (uint32_t k = 0; r->Checks[c] && k < (c == INTRO_EXC_CHECK_SIGNATURES ? IG_COV_REASONS : 1); k++)
            {
                uint64_t count = c == INTRO_EXC_CHECK_SIGNATURES ? r->Reasons[k] : r->Checks[c];

                if (count)
                {
                    fprintf(Out, "%s\"%s%s%s\":%llu", n++ ? "," : "", IntExceptCheckName(c),
                            c == INTRO_EXC_CHECK_SIGNATURES ? ":" : "",
                            c == INTRO_EXC_CHECK_SIGNATURES ? IntExceptReasonName(k) : "", (unsigned long long)count);
                }
            }
        }
        fputs("},", Out);
    }
    else
    {
        fputs("\"exceptions\":[", Out);
        for (uint32_t k = 0; k < r->UserCount; k++)
        {
            fprintf(Out, k ? ",%u" : "%u", r->Users[k]);
        }
        fputs("],", Out);
    }
    IgWbJsonWhere(Out, &C->Rules, Index);
    fputc('}', Out);
}

static int IgCovJson(const IG_COV *C, FILE *Out)
{
    const IG_RECORD_LIST *list = &C->Rules.List;

    fputs("{\"exceptions_file\":", Out);
    IgWbJsonString(Out, C->Rules.Name);
    fputs(",\"sources\":", Out);
    IgWbJsonString(Out, C->SourcePath ? C->SourcePath : (C->Rules.Compiled ? C->Rules.Name : NULL));
    fputs(",\"traces\":[", Out);
    for (uint32_t t = 0; t < C->TraceCount; t++)
    {
        fputs(t ? "," : "", Out);
        IgWbJsonString(Out, C->Traces[t]);
    }
    fprintf(Out,
            "],\n\"summary\":{\"events\":%llu,\"decisions\":%llu,\"allowed\":%llu,\"allowed_without_exception\":%llu,"
            "\"blocked\":%llu,\"undecided\":%llu,\"under_trace_rules\":%llu}",
            (unsigned long long)C->Events, (unsigned long long)C->Decisions, (unsigned long long)C->Allowed,
            (unsigned long long)C->AllowedBare, (unsigned long long)C->Blocked, (unsigned long long)C->Undecided,
            (unsigned long long)C->TraceRules);
    for (int side = 0; side < 2; side++)
    {
        bool first = true;

        fputs(side ? ",\n\"signatures\":[" : ",\n\"exceptions\":[", Out);
        for (size_t i = 0; i < list->Count; i++)
        {
            if (side ? IgWbIsSignature(&list->Records[i]) : IgWbIsException(&list->Records[i]))
            {
                fputs(first ? "\n" : ",\n", Out);
                IgCovJsonRecord(C, (uint32_t)i, Out);
                first = false;
            }
        }
        fputs("]", Out);
    }
    fputs(",\n\"never_fired\":{", Out);
    for (int side = 0; side < 2; side++)
    {
        bool first = true;

        fputs(side ? ",\"signatures\":[" : "\"exceptions\":[", Out);
        for (size_t i = 0; i < list->Count; i++)
        {
            if ((side ? IgWbIsSignature(&list->Records[i]) : IgWbIsException(&list->Records[i])) &&
                C->Records[i].Allowed == 0)
            {
                fprintf(Out, first ? "%zu" : ",%zu", i);
                first = false;
            }
        }
        fputs("]", Out);
    }
    fputs("}}\n", Out);
    return IG_EXIT_OK;
}

/* ---- the command ------------------------------------------------------------------------------------------------- */

static int IgCovArgs(int Argc, char **Argv, IG_COV *C, const char **Exceptions)
{
    enum
    {
        OptExceptions = 1,
        OptSource,
        OptFormat,
        OptHelp,
    };
    static const IG_OPTION table[] = {
        {"exceptions", 'e', true, OptExceptions},
        {"source", 0, true, OptSource},
        {"format", 0, true, OptFormat},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    const char *value;
    int id;

    IgOptInit(&opt, Argc, Argv, "coverage");
    while ((id = IgOptNext(&opt, table, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case IG_OPT_POSITIONAL:
                C->Traces[C->TraceCount++] = (char *)value;
                break;
            case OptExceptions:
                *Exceptions = value;
                break;
            case OptSource:
                C->SourcePath = value;
                break;
            case OptFormat:
                if (strcmp(value, "table") != 0 && strcmp(value, "json") != 0)
                {
                    IgToolError(stderr, "coverage", "--format takes table or json, not '%s'", value);
                    return IG_EXIT_USAGE;
                }
                C->Json = strcmp(value, "json") == 0;
                break;
            case OptHelp:
                IgCmdCoverageHelp(stdout);
                return IG_EXIT_OK;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!*Exceptions || C->TraceCount == 0)
    {
        IgToolError(stderr, "coverage", "%s (see introguard coverage --help)",
                    !*Exceptions ? "missing -e FILE" : "no TRACE given");
        return IG_EXIT_USAGE;
    }
    return -1;
}

int IgCmdCoverage(int Argc, char **Argv)
{
    IG_COV c;
    IG_WB_LOAD load;
    IG_WB_RUN run;
    const char *exceptions = NULL;
    int exit;

    memset(&c, 0, sizeof(c));
    memset(&run, 0, sizeof(run));
    c.Traces = calloc((size_t)Argc + 1, sizeof(*c.Traces));
    if (!c.Traces)
    {
        return IG_EXIT_FAILURE;
    }
    exit = IgCovArgs(Argc, Argv, &c, &exceptions);
    if (exit >= 0)
    {
        goto cleanup;
    }
    memset(&load, 0, sizeof(load));
    load.Paths = (char *const *)&exceptions;
    load.PathCount = 1;
    load.SourcePath = c.SourcePath;
    exit = IgWbLoad(&load, &c.Rules, stderr);
    for (uint32_t t = 0; exit == IG_EXIT_OK && t < c.TraceCount; t++)
    {
        exit = IgWbReplay(c.Traces[t], t, &c.Rules, &run, stderr);
    }
    if (exit != IG_EXIT_OK)
    {
        goto cleanup;
    }
    c.Records = calloc(c.Rules.List.Count ? c.Rules.List.Count : 1, sizeof(*c.Records));
    if (!c.Records || IgCovUsers(&c) != IG_EXIT_OK)
    {
        IgToolError(stderr, NULL, "coverage: out of memory");
        exit = IG_EXIT_FAILURE;
        goto cleanup;
    }
    IgCovCount(&c, &run);
    exit = c.Json ? IgCovJson(&c, stdout) : IgCovTable(&c, stdout);

cleanup:
    IgWbRunFree(&run);
    IgWbRulesFree(&c.Rules);
    free(c.Records);
    free(c.UserPool);
    free(c.Traces);
    return exit;
}
