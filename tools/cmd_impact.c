/*
 * `introguard impact OLD NEW TRACE... [--format table|json] [--all]`: the events whose verdict
 * changes when NEW replaces OLD (docs/workbench.md).
 *
 * Each trace is replayed twice, once under each rule set, and the two runs are compared decision by
 * decision (the same trace gives the same decisions in the same order; only their verdicts differ).
 * An allowed decision that becomes blocked, or the reverse, is a change; the exit status says
 * whether there was any, so a rules update can be gated in CI.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tool_common.h"
#include "workbench.h"

typedef enum IG_IMPACT_KIND
{
    IgImpactBlocked, /* allowed -> blocked */
    IgImpactAllowed, /* blocked -> allowed */
    IgImpactOther,   /* same action, another reason or exception (listed with --all) */
} IG_IMPACT_KIND;

typedef struct IG_IMPACT_CHANGE
{
    IG_IMPACT_KIND Kind;
    IG_WB_DECISION Old;
    IG_WB_DECISION New;
} IG_IMPACT_CHANGE;

typedef struct IG_IMPACT
{
    IG_WB_RULES Old, New;
    char **Traces;
    uint32_t TraceCount;
    bool Json;
    bool All;
    IG_IMPACT_CHANGE *Changes;
    size_t ChangeCount, ChangeCapacity;
    uint64_t Decisions, Blocked, Allowed, Other, Unchanged, Undecided, TraceRules;
} IG_IMPACT;

void IgCmdImpactHelp(FILE *Out)
{
    fputs("usage: introguard impact OLD NEW TRACE... [--format table|json] [--all]\n"
          "\n"
          "Replays the traces under OLD and under NEW and lists every decision whose verdict changes:\n"
          "allowed -> blocked and blocked -> allowed, with the exception responsible on each side (the\n"
          "one that allowed it, or for a block the one that came closest), then a summary.\n"
          "\n"
          "  OLD, NEW             an exceptions file, or JSON sources (a file or a directory, compiled in\n"
          "                       memory as `introguard compile` would; rules are then shown with file:line)\n"
          "  --format table|json  output format (default table)\n"
          "  --all                also list decisions whose action stays but whose reason or exception changes\n"
          "\n"
          "Exit status: 0 no verdict changed; 3 some verdict changed (allowed <-> blocked); 1 bad input\n"
          "(a trace or a rule set; the message says where); 2 a usage error.\n",
          Out);
}

/* ---- comparing -------------------------------------------------------------------------------------------------- */

/* Whether two verdicts name the same rule: records with the same bytes (their indexes differ between files). */
static bool IgImpactSameRule(const IG_WB_RULES *A, const INTRO_EXC_REF *RefA, const IG_WB_RULES *B,
                             const INTRO_EXC_REF *RefB)
{
    const INTRO_EXCFILE_RECORD *a, *b;

    if (RefA->Source != RefB->Source)
    {
        return false;
    }
    if (RefA->Source != INTRO_EXC_SOURCE_FILE)
    {
        return RefA->Source == INTRO_EXC_SOURCE_NONE || RefA->AlertContext == RefB->AlertContext;
    }
    if (RefA->RecordIndex >= A->List.Count || RefB->RecordIndex >= B->List.Count)
    {
        return false;
    }
    a = &A->List.Records[RefA->RecordIndex];
    b = &B->List.Records[RefB->RecordIndex];
    return a->Type == b->Type && a->Size == b->Size && memcmp(a->Body, b->Body, a->Size) == 0;
}

static int IgImpactKeep(IG_IMPACT *I, IG_IMPACT_KIND Kind, const IG_WB_DECISION *Old, const IG_WB_DECISION *New)
{
    IG_IMPACT_CHANGE *c;

    if (I->ChangeCount == I->ChangeCapacity)
    {
        size_t capacity = I->ChangeCapacity ? 2 * I->ChangeCapacity : 32;
        IG_IMPACT_CHANGE *grown = realloc(I->Changes, capacity * sizeof(*grown));

        if (!grown)
        {
            IgToolError(stderr, NULL, "impact: out of memory");
            return IG_EXIT_FAILURE;
        }
        I->Changes = grown;
        I->ChangeCapacity = capacity;
    }
    c = &I->Changes[I->ChangeCount++];
    c->Kind = Kind;
    c->Old = *Old;
    c->New = *New;
    return IG_EXIT_OK;
}

/* Compares the two runs of trace Trace, decision by decision. */
static int IgImpactCompare(IG_IMPACT *I, uint32_t Trace, const IG_WB_RUN *Old, const IG_WB_RUN *New)
{
    if (Old->Count != New->Count)
    {
        IgToolError(stderr, I->Traces[Trace], "the two replays gave %zu and %zu decisions", Old->Count, New->Count);
        return IG_EXIT_FAILURE;
    }
    for (size_t i = 0; i < Old->Count; i++)
    {
        const IG_WB_DECISION *o = &Old->Items[i], *n = &New->Items[i];
        bool oldAllowed = o->Verdict.Action == INTRO_EXC_ACTION_ALLOWED;
        bool newAllowed = n->Verdict.Action == INTRO_EXC_ACTION_ALLOWED;
        int exit = IG_EXIT_OK;

        if (o->Seq != n->Seq || o->Index != n->Index || o->Decided != n->Decided || o->Delivered != n->Delivered)
        {
            IgToolError(stderr, NULL, "%s:%llu: the two replays disagree on what seq %llu is", I->Traces[Trace],
                        (unsigned long long)o->Line, (unsigned long long)o->Seq);
            return IG_EXIT_FAILURE;
        }
        I->Decisions++;
        if (!o->Decided)
        {
            I->Undecided++;
            continue;
        }
        if (o->TraceRules || n->TraceRules)
        {
            I->TraceRules++;
            continue;
        }
        if (oldAllowed != newAllowed)
        {
            *(newAllowed ? &I->Allowed : &I->Blocked) += 1;
            exit = IgImpactKeep(I, newAllowed ? IgImpactAllowed : IgImpactBlocked, o, n);
        }
        else if (o->Verdict.Reason != n->Verdict.Reason ||
                 !IgImpactSameRule(&I->Old, &o->Verdict.Matched, &I->New, &n->Verdict.Matched))
        {
            I->Other++;
            exit = I->All ? IgImpactKeep(I, IgImpactOther, o, n) : IG_EXIT_OK;
        }
        else
        {
            I->Unchanged++;
        }
        if (exit != IG_EXIT_OK)
        {
            return exit;
        }
    }
    return IG_EXIT_OK;
}

/* ---- output ------------------------------------------------------------------------------------------------------ */

static const char *gIgImpactKinds[3] = {"allowed -> blocked", "blocked -> allowed", "other"};
static const char *gIgImpactJsonKinds[3] = {"allowed_to_blocked", "blocked_to_allowed", "other"};

/* "evil.sys (ret ntoskrnl.exe) -> victim-data", or "violation" for a violation record. */
static void IgImpactWho(const IG_WB_DECISION *D, char *Buffer, size_t Size)
{
    if (D->Violation)
    {
        snprintf(Buffer, Size, "violation");
        return;
    }
    snprintf(Buffer, Size, "%s%s%s%s -> %s", D->Originator[0] ? D->Originator : "-", D->Return[0] ? " (ret " : "",
             D->Return, D->Return[0] ? ")" : "", D->Zone);
}

/* "allowed by 4 (km.json:12)", "not_allowed no_exception, closest 2 (process; km.json:20)". */
static void IgImpactVerdictText(const IG_WB_RULES *Rules, const INTRO_EXC_VERDICT *V, char *Buffer, size_t Size)
{
    char where[300];
    int n = snprintf(Buffer, Size, "%s %s", IntExceptActionName(V->Action), IntExceptReasonName(V->Reason));

    if (n < 0 || (size_t)n >= Size)
    {
        return;
    }
    if (V->Matched.Source == INTRO_EXC_SOURCE_FILE)
    {
        IgWbWhereText(Rules, V->Matched.RecordIndex, where, sizeof(where));
        snprintf(Buffer + n, Size - (size_t)n, ", by %u (%s)", V->Matched.RecordIndex, where);
    }
    else if (V->Action != INTRO_EXC_ACTION_ALLOWED && V->Closest.Source == INTRO_EXC_SOURCE_FILE)
    {
        IgWbWhereText(Rules, V->Closest.RecordIndex, where, sizeof(where));
        snprintf(Buffer + n, Size - (size_t)n, ", closest %u (%s; %s)", V->Closest.RecordIndex,
                 IntExceptCheckName(V->Closest.FailedCheck), where);
    }
}

static int IgImpactTable(const IG_IMPACT *I, FILE *Out)
{
    static const char *const titles[6] = {"change", "trace:line", "seq", "decision", "old", "new"};
    IG_WB_TABLE table;
    bool ok;

    IgWbTableInit(&table, 6);
    IgWbTableRow(&table, titles);
    for (size_t i = 0; i < I->ChangeCount; i++)
    {
        const IG_IMPACT_CHANGE *c = &I->Changes[i];
        char where[300], seq[24], who[256], old[400], new[400];
        const char *cells[6] = {gIgImpactKinds[c->Kind], where, seq, who, old, new};

        snprintf(where, sizeof(where), "%s:%llu", I->Traces[c->Old.Trace], (unsigned long long)c->Old.Line);
        snprintf(seq, sizeof(seq), "%llu", (unsigned long long)c->Old.Seq);
        IgImpactWho(&c->Old, who, sizeof(who));
        IgImpactVerdictText(&I->Old, &c->Old.Verdict, old, sizeof(old));
        IgImpactVerdictText(&I->New, &c->New.Verdict, new, sizeof(new));
        IgWbTableRow(&table, cells);
    }
    ok = I->ChangeCount == 0 || IgWbTablePrint(&table, Out);
    IgWbTableFree(&table);
    if (!ok)
    {
        IgToolError(stderr, NULL, "impact: out of memory");
        return IG_EXIT_FAILURE;
    }
    fprintf(Out,
            "%s%llu verdict%s changed: %llu allowed -> blocked, %llu blocked -> allowed; %llu decisions unchanged, "
            "%llu with another reason or exception; %llu not a violation or not delivered",
            I->ChangeCount ? "\n" : "", (unsigned long long)(I->Blocked + I->Allowed),
            I->Blocked + I->Allowed == 1 ? "" : "s", (unsigned long long)I->Blocked, (unsigned long long)I->Allowed,
            (unsigned long long)I->Unchanged, (unsigned long long)I->Other, (unsigned long long)I->Undecided);
    fprintf(Out, I->TraceRules ? ", %llu under the traces' own rules\n" : "\n", (unsigned long long)I->TraceRules);
    return IG_EXIT_OK;
}

static void IgImpactJsonRef(FILE *Out, const IG_WB_RULES *Rules, const INTRO_EXC_REF *Ref, bool Closest)
{
    if (Ref->Source != INTRO_EXC_SOURCE_FILE)
    {
        fputs("null", Out);
        return;
    }
    fprintf(Out, "{\"record\":%u,", Ref->RecordIndex);
    if (Closest)
    {
        fprintf(Out, "\"check\":\"%s\",\"reason\":\"%s\",", IntExceptCheckName(Ref->FailedCheck),
                IntExceptReasonName(Ref->FailReason));
    }
    IgWbJsonWhere(Out, Rules, Ref->RecordIndex);
    fputc('}', Out);
}

static void IgImpactJsonVerdict(FILE *Out, const IG_WB_RULES *Rules, const INTRO_EXC_VERDICT *V)
{
    fprintf(Out, "{\"action\":\"%s\",\"reason\":\"%s\",\"exception\":", IntExceptActionName(V->Action),
            IntExceptReasonName(V->Reason));
    IgImpactJsonRef(Out, Rules, &V->Matched, false);
    fputs(",\"closest\":", Out);
    IgImpactJsonRef(Out, Rules, V->Action == INTRO_EXC_ACTION_ALLOWED ? &(INTRO_EXC_REF){0} : &V->Closest, true);
    fputc('}', Out);
}

static int IgImpactJson(const IG_IMPACT *I, FILE *Out)
{
    fputs("{\"old\":", Out);
    IgWbJsonString(Out, I->Old.Name);
    fputs(",\"new\":", Out);
    IgWbJsonString(Out, I->New.Name);
    fputs(",\"traces\":[", Out);
    for (uint32_t t = 0; t < I->TraceCount; t++)
    {
        fputs(t ? "," : "", Out);
        IgWbJsonString(Out, I->Traces[t]);
    }
    fputs("],\n\"changes\":[", Out);
    for (size_t i = 0; i < I->ChangeCount; i++)
    {
        const IG_IMPACT_CHANGE *c = &I->Changes[i];

        fprintf(Out, "%s{\"change\":\"%s\",\"trace\":", i ? ",\n" : "\n", gIgImpactJsonKinds[c->Kind]);
        IgWbJsonString(Out, I->Traces[c->Old.Trace]);
        fprintf(Out, ",\"line\":%llu,\"seq\":%llu,\"zone\":", (unsigned long long)c->Old.Line,
                (unsigned long long)c->Old.Seq);
        IgWbJsonString(Out, c->Old.Violation ? NULL : c->Old.Zone);
        fputs(",\"originator\":", Out);
        IgWbJsonString(Out, c->Old.Violation ? NULL : c->Old.Originator);
        fputs(",\"return\":", Out);
        IgWbJsonString(Out, c->Old.Violation || !c->Old.Return[0] ? NULL : c->Old.Return);
        fputs(",\"old\":", Out);
        IgImpactJsonVerdict(Out, &I->Old, &c->Old.Verdict);
        fputs(",\"new\":", Out);
        IgImpactJsonVerdict(Out, &I->New, &c->New.Verdict);
        fputc('}', Out);
    }
    fprintf(Out,
            "],\n\"summary\":{\"decisions\":%llu,\"allowed_to_blocked\":%llu,\"blocked_to_allowed\":%llu,"
            "\"unchanged\":%llu,\"other\":%llu,\"undecided\":%llu,\"under_trace_rules\":%llu}}\n",
            (unsigned long long)I->Decisions, (unsigned long long)I->Blocked, (unsigned long long)I->Allowed,
            (unsigned long long)I->Unchanged, (unsigned long long)I->Other, (unsigned long long)I->Undecided,
            (unsigned long long)I->TraceRules);
    return IG_EXIT_OK;
}

/* ---- the command ------------------------------------------------------------------------------------------------- */

static int IgImpactArgs(int Argc, char **Argv, IG_IMPACT *I, const char **Paths)
{
    enum
    {
        OptFormat = 1,
        OptAll,
        OptHelp,
    };
    static const IG_OPTION table[] = {
        {"format", 0, true, OptFormat},
        {"all", 0, false, OptAll},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    const char *value;
    int id, positional = 0;

    IgOptInit(&opt, Argc, Argv, "impact");
    while ((id = IgOptNext(&opt, table, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case IG_OPT_POSITIONAL:
                if (positional < 2)
                {
                    Paths[positional++] = value;
                }
                else
                {
                    I->Traces[I->TraceCount++] = (char *)value;
                }
                break;
            case OptFormat:
                if (strcmp(value, "table") != 0 && strcmp(value, "json") != 0)
                {
                    IgToolError(stderr, "impact", "--format takes table or json, not '%s'", value);
                    return IG_EXIT_USAGE;
                }
                I->Json = strcmp(value, "json") == 0;
                break;
            case OptAll:
                I->All = true;
                break;
            case OptHelp:
                IgCmdImpactHelp(stdout);
                return IG_EXIT_OK;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (I->TraceCount == 0)
    {
        IgToolError(stderr, "impact", "%s (see introguard impact --help)",
                    positional < 2 ? "missing OLD and NEW" : "no TRACE given");
        return IG_EXIT_USAGE;
    }
    return -1;
}

static int IgImpactRun(IG_IMPACT *I)
{
    int exit = IG_EXIT_OK;

    for (uint32_t t = 0; exit == IG_EXIT_OK && t < I->TraceCount; t++)
    {
        IG_WB_RUN old, new;

        memset(&old, 0, sizeof(old));
        memset(&new, 0, sizeof(new));
        exit = IgWbReplay(I->Traces[t], t, &I->Old, &old, stderr);
        if (exit == IG_EXIT_OK)
        {
            exit = IgWbReplay(I->Traces[t], t, &I->New, &new, stderr);
        }
        if (exit == IG_EXIT_OK)
        {
            exit = IgImpactCompare(I, t, &old, &new);
        }
        IgWbRunFree(&old);
        IgWbRunFree(&new);
    }
    return exit;
}

int IgCmdImpact(int Argc, char **Argv)
{
    IG_IMPACT impact;
    IG_WB_LOAD load;
    const char *paths[2] = {NULL, NULL};
    int exit;

    memset(&impact, 0, sizeof(impact));
    impact.Traces = calloc((size_t)Argc + 1, sizeof(*impact.Traces));
    if (!impact.Traces)
    {
        return IG_EXIT_FAILURE;
    }
    exit = IgImpactArgs(Argc, Argv, &impact, paths);
    if (exit >= 0)
    {
        goto cleanup;
    }
    memset(&load, 0, sizeof(load));
    load.Paths = (char *const *)&paths[0];
    load.PathCount = 1;
    exit = IgWbLoad(&load, &impact.Old, stderr);
    if (exit == IG_EXIT_OK)
    {
        load.Paths = (char *const *)&paths[1];
        exit = IgWbLoad(&load, &impact.New, stderr);
    }
    if (exit == IG_EXIT_OK)
    {
        exit = IgImpactRun(&impact);
    }
    if (exit == IG_EXIT_OK)
    {
        exit = impact.Json ? IgImpactJson(&impact, stdout) : IgImpactTable(&impact, stdout);
    }
    if (exit == IG_EXIT_OK && impact.Blocked + impact.Allowed)
    {
        exit = IG_EXIT_FOUND;
    }

cleanup:
    IgWbRulesFree(&impact.Old);
    IgWbRulesFree(&impact.New);
    free(impact.Changes);
    free(impact.Traces);
    return exit;
}
