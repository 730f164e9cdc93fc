/*
 * `introguard lint FILES... [--werror] [--format text|json] [--codes]`: the command, the code table
 * and the report (lint.h).  JSON sources named together are linted as one rule set, the way
 * `introguard compile` would read them; each exceptions file is linted on its own.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lint.h"
#include "tool_common.h"

static const IG_LINT_CODE gIgLintCodes[IgLintCodeCount] = {
    [IgLintNoAccess] = {IgLintNoAccess, "no-access", IgLintError,
                        "an exception without read, write or exec: the access check never passes"},
    [IgLintNoArch] = {IgLintNoArch, "no-arch", IgLintError,
                      "an exception without 32 or 64: the architecture check never passes"},
    [IgLintContradiction] = {IgLintContradiction, "contradictory-flags", IgLintError,
                             "flags that exclude each other, or that the object type's violations never have"},
    [IgLintSignatureGroup] = {IgLintSignatureGroup, "unmatchable-signatures", IgLintError,
                              "a signature kind the exception needs, and none of its signatures of that kind can "
                              "match (other OS or bitness, missing, empty range, score out of reach)"},
    [IgLintTrimmed] = {IgLintTrimmed, "name-trimmed", IgLintError,
                       "a Linux process name cut to 14 characters where the guest's comm keeps 15"},
    [IgLintNonAsciiUpper] = {IgLintNonAsciiUpper, "non-ascii-upper", IgLintError,
                             "an upper-case letter outside ASCII in a lower-cased name: the runtime lower-cases ASCII "
                             "only"},
    [IgLintEmptyRange] = {IgLintEmptyRange, "empty-version-range", IgLintError,
                          "a version-os or version-intro signature whose range holds no version"},
    [IgLintScore] = {IgLintScore, "score-above-hashes", IgLintError,
                     "a codeblocks (or value) signature whose score is above the hashes (entries) it has"},
    [IgLintShadowed] = {IgLintShadowed, "shadowed", IgLintWarning,
                        "an earlier exception of the same list allows everything this one allows"},
    [IgLintDuplicate] = {IgLintDuplicate, "duplicate", IgLintWarning, "the same record as an earlier one"},
    [IgLintUnusedSignature] = {IgLintUnusedSignature, "unused-signature", IgLintWarning,
                               "a signature no exception names"},
    [IgLintDanglingSignature] = {IgLintDanglingSignature, "dangling-signature", IgLintError,
                                 "an exception names a signature the file does not hold"},
    [IgLintWideLinuxName] = {IgLintWideLinuxName, "linux-wide-name", IgLintError,
                             "a name of a Linux exception hashed as UTF-16: Linux guests' names never are"},
    [IgLintCodeGroup] = {IgLintCodeGroup, "unmatchable-code-signatures", IgLintWarning,
                         "as unmatchable-signatures for codeblocks and value-code, which a violation with RIP 0 "
                         "skips"},
    [IgLintLibraryCase] = {IgLintLibraryCase, "library-case", IgLintError,
                           "an export signature's library with capitals: the runtime's library names are lower case"},
};

const IG_LINT_CODE *IgLintCodeOf(IG_LINT_CODE_ID Id)
{
    return Id > 0 && Id < IgLintCodeCount ? &gIgLintCodes[Id] : NULL;
}

const char *IgLintSeverityName(IG_LINT_SEVERITY Severity)
{
    return Severity == IgLintError ? "error" : "warning";
}

void IgLintAdd(IG_LINT_REPORT *Report, IG_LINT_CODE_ID Code, uint32_t Record, const char *Format, ...)
{
    IG_LINT_FINDING *f;
    va_list args;

    if (Report->OutOfMemory)
    {
        return;
    }
    if (Report->Count == Report->Capacity)
    {
        size_t capacity = Report->Capacity ? 2 * Report->Capacity : 64;
        IG_LINT_FINDING *grown = realloc(Report->Items, capacity * sizeof(*grown));

        if (!grown)
        {
            Report->OutOfMemory = true;
            return;
        }
        Report->Items = grown;
        Report->Capacity = capacity;
    }
    f = &Report->Items[Report->Count++];
    f->Code = Code;
    f->Record = Record;
    va_start(args, Format);
    vsnprintf(f->Message, sizeof(f->Message), Format, args);
    va_end(args);
}

void IgLintReportFree(IG_LINT_REPORT *Report)
{
    if (Report)
    {
        free(Report->Items);
        memset(Report, 0, sizeof(*Report));
    }
}

/* A finding's sort key: where it is (source, line; or record), then code, record and text. */
typedef struct IG_LINT_SORTED
{
    const IG_LINT_FINDING *Finding;
    uint32_t Source; /* 0xFFFFFFFF: no source */
    uint32_t Line;
} IG_LINT_SORTED;

static int IgLintCompare(const void *PA, const void *PB)
{
    const IG_LINT_SORTED *a = PA, *b = PB;

    if (a->Source != b->Source)
    {
        return a->Source < b->Source ? -1 : 1;
    }
    if (a->Line != b->Line)
    {
        return a->Line < b->Line ? -1 : 1;
    }
    if (a->Finding->Record != b->Finding->Record)
    {
        return a->Finding->Record < b->Finding->Record ? -1 : 1;
    }
    if (a->Finding->Code != b->Finding->Code)
    {
        return a->Finding->Code < b->Finding->Code ? -1 : 1;
    }
    return strcmp(a->Finding->Message, b->Finding->Message);
}

INTSTATUS IgLintRules(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report)
{
    IG_LINT_SORTED *sorted;
    IG_LINT_FINDING *items;

    memset(Report, 0, sizeof(*Report));
    IgLintRecords(Rules, Report);
    if (Rules->Docs)
    {
        IgLintNames(Rules, Report);
    }
    sorted = calloc(Report->Count ? Report->Count : 1, sizeof(*sorted));
    items = calloc(Report->Count ? Report->Count : 1, sizeof(*items));
    if (Report->OutOfMemory || !sorted || !items)
    {
        free(sorted);
        free(items);
        IgLintReportFree(Report);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    for (size_t i = 0; i < Report->Count; i++)
    {
        IG_WB_WHERE where;
        bool known = IgWbWhere(Rules, Report->Items[i].Record, &where);

        sorted[i].Finding = &Report->Items[i];
        sorted[i].Source = known ? where.Source : 0xFFFFFFFFu;
        sorted[i].Line = known ? where.Line : 0;
    }
    qsort(sorted, Report->Count, sizeof(*sorted), IgLintCompare);
    for (size_t i = 0; i < Report->Count; i++)
    {
        items[i] = *sorted[i].Finding;
    }
    free(sorted);
    free(Report->Items);
    Report->Items = items;
    Report->Capacity = Report->Count ? Report->Count : 1;
    return INT_STATUS_SUCCESS;
}

/* ---- output ------------------------------------------------------------------------------------------------------ */

typedef struct IG_LINT_RUN
{
    bool Werror;
    bool Json;
    uint64_t Records, Errors, Warnings;
    uint32_t Sets;
    bool FirstFinding;
} IG_LINT_RUN;

static void IgLintPrintText(const IG_WB_RULES *Rules, const IG_LINT_FINDING *F, FILE *Out)
{
    const IG_LINT_CODE *code = IgLintCodeOf(F->Code);
    const INTRO_EXCFILE_RECORD *r = &Rules->List.Records[F->Record];
    const char *kind = IntExcFileRecordTypeName(r->Type);
    IG_WB_WHERE where;

    if (IgWbWhere(Rules, F->Record, &where))
    {
        fprintf(Out, "%s:%u: %s (record %u): ", where.File, where.Line, where.Path, F->Record);
    }
    else
    {
        fprintf(Out, "%s: record %u @ 0x%llX (%s): ", Rules->Name, F->Record, (unsigned long long)r->Offset,
                kind ? kind : "unknown");
    }
    fprintf(Out, "%s IG-L%03u [%s]: %s\n", IgLintSeverityName(code->Severity), (unsigned)code->Id, code->Name,
            F->Message);
}

static void IgLintPrintJson(const IG_WB_RULES *Rules, const IG_LINT_FINDING *F, IG_LINT_RUN *Run, FILE *Out)
{
    const IG_LINT_CODE *code = IgLintCodeOf(F->Code);
    const INTRO_EXCFILE_RECORD *r = &Rules->List.Records[F->Record];
    IG_WB_WHERE where;
    bool known = IgWbWhere(Rules, F->Record, &where);

    fputs(Run->FirstFinding ? "\n" : ",\n", Out);
    Run->FirstFinding = false;
    fputs("{\"input\":", Out);
    IgWbJsonString(Out, Rules->Name);
    fprintf(Out, ",\"code\":\"IG-L%03u\",\"name\":\"%s\",\"severity\":\"%s\",\"record\":%u,\"offset\":%llu,\"kind\":",
            (unsigned)code->Id, code->Name, IgLintSeverityName(code->Severity), F->Record,
            (unsigned long long)r->Offset);
    IgWbJsonString(Out, IntExcFileRecordTypeName(r->Type));
    fputs(",\"file\":", Out);
    IgWbJsonString(Out, known ? where.File : NULL);
    fputs(",\"line\":", Out);
    if (known)
    {
        fprintf(Out, "%u", where.Line);
    }
    else
    {
        fputs("null", Out);
    }
    fputs(",\"path\":", Out);
    IgWbJsonString(Out, known ? where.Path : NULL);
    fputs(",\"message\":", Out);
    IgWbJsonString(Out, F->Message);
    fputc('}', Out);
}

/* One rule set, loaded and linted. */
typedef struct IG_LINT_SET
{
    IG_WB_RULES Rules;
    IG_LINT_REPORT Report;
} IG_LINT_SET;

static int IgLintLoadSet(IG_LINT_SET *Set, char *const *Paths, size_t Count)
{
    IG_WB_LOAD load;
    int exit;

    memset(&load, 0, sizeof(load));
    load.Paths = Paths;
    load.PathCount = Count;
    load.KeepUnused = true; /* so that unused signatures are there to be reported, with their lines */
    exit = IgWbLoad(&load, &Set->Rules, stderr);
    if (exit == IG_EXIT_OK && !INT_SUCCESS(IgLintRules(&Set->Rules, &Set->Report)))
    {
        IgToolError(stderr, Set->Rules.Name, "out of memory");
        exit = IG_EXIT_FAILURE;
    }
    return exit;
}

static void IgLintPrintSet(IG_LINT_RUN *Run, const IG_LINT_SET *Set, FILE *Out)
{
    for (size_t i = 0; i < Set->Report.Count; i++)
    {
        bool error = IgLintCodeOf(Set->Report.Items[i].Code)->Severity == IgLintError;

        *(error ? &Run->Errors : &Run->Warnings) += 1;
        if (Run->Json)
        {
            IgLintPrintJson(&Set->Rules, &Set->Report.Items[i], Run, Out);
        }
        else
        {
            IgLintPrintText(&Set->Rules, &Set->Report.Items[i], Out);
        }
    }
    Run->Records += Set->Rules.List.Count;
    Run->Sets++;
}

static void IgLintPrintSummary(const IG_LINT_RUN *Run, FILE *Out)
{
    if (Run->Json)
    {
        fprintf(Out, "],\n\"summary\":{\"rule_sets\":%u,\"records\":%llu,\"errors\":%llu,\"warnings\":%llu}}\n",
                Run->Sets, (unsigned long long)Run->Records, (unsigned long long)Run->Errors,
                (unsigned long long)Run->Warnings);
        return;
    }
    fprintf(Out, "%llu error%s, %llu warning%s in %llu records\n", (unsigned long long)Run->Errors,
            Run->Errors == 1 ? "" : "s", (unsigned long long)Run->Warnings, Run->Warnings == 1 ? "" : "s",
            (unsigned long long)Run->Records);
}

/* ---- the command ------------------------------------------------------------------------------------------------- */

void IgCmdLintHelp(FILE *Out)
{
    fputs("usage: introguard lint FILES... [--werror] [--format text|json]\n"
          "       introguard lint --codes\n"
          "\n"
          "Finds rules that can never match, rules an earlier one hides or repeats, and signatures that\n"
          "no exception uses or that are missing.  JSON sources (files and directories) given together\n"
          "are linted as one rule set, as `introguard compile` would read them, and findings name\n"
          "FILE:LINE and the JSON path; each exceptions file is linted on its own, by record.\n"
          "\n"
          "  --werror             warnings fail the run too\n"
          "  --format text|json   output format (default text)\n"
          "  --codes              list the finding codes and what each means\n"
          "\n"
          "Exit status: 0 no error (and, with --werror, no warning); 3 findings that fail the run;\n"
          "1 bad input (unreadable, corrupt, or sources that do not compile); 2 a usage error.\n",
          Out);
}

static void IgLintCodes(FILE *Out)
{
    for (int id = 1; id < IgLintCodeCount; id++)
    {
        const IG_LINT_CODE *c = IgLintCodeOf((IG_LINT_CODE_ID)id);

        fprintf(Out, "IG-L%03u  %-7s  %-27s  %s\n", (unsigned)c->Id, IgLintSeverityName(c->Severity), c->Name,
                c->Summary);
    }
}

static int IgLintArgs(int Argc, char **Argv, IG_LINT_RUN *Run, char **Paths, size_t *Count)
{
    enum
    {
        OptWerror = 1,
        OptFormat,
        OptCodes,
        OptHelp,
    };
    static const IG_OPTION table[] = {
        {"werror", 0, false, OptWerror},
        {"format", 0, true, OptFormat},
        {"codes", 0, false, OptCodes},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    const char *value;
    int id;

    IgOptInit(&opt, Argc, Argv, "lint");
    while ((id = IgOptNext(&opt, table, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case IG_OPT_POSITIONAL:
                Paths[(*Count)++] = (char *)value;
                break;
            case OptWerror:
                Run->Werror = true;
                break;
            case OptFormat:
                if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
                {
                    IgToolError(stderr, "lint", "--format takes text or json, not '%s'", value);
                    return IG_EXIT_USAGE;
                }
                Run->Json = strcmp(value, "json") == 0;
                break;
            case OptCodes:
                IgLintCodes(stdout);
                return IG_EXIT_OK;
            case OptHelp:
                IgCmdLintHelp(stdout);
                return IG_EXIT_OK;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (*Count == 0)
    {
        IgToolError(stderr, "lint", "no FILES given (see introguard lint --help)");
        return IG_EXIT_USAGE;
    }
    return -1;
}

/*
 * The rule sets of the command line: each exceptions file alone, then every JSON path together.
 * All are loaded and linted before anything is printed, so bad input leaves stdout empty.
 */
static int IgLintAll(IG_LINT_RUN *Run, char **Paths, size_t Count, char **Sources, IG_LINT_SET *Sets)
{
    size_t sourceCount = 0, sets = 0;
    int exit = IG_EXIT_OK;

    for (size_t i = 0; exit == IG_EXIT_OK && i < Count; i++)
    {
        if (IgWbIsBinary(Paths[i]))
        {
            exit = IgLintLoadSet(&Sets[sets++], &Paths[i], 1);
        }
        else
        {
            Sources[sourceCount++] = Paths[i];
        }
    }
    if (exit == IG_EXIT_OK && sourceCount)
    {
        exit = IgLintLoadSet(&Sets[sets++], Sources, sourceCount);
    }
    if (exit != IG_EXIT_OK)
    {
        return exit;
    }
    if (Run->Json)
    {
        fputs("{\"findings\":[", stdout);
    }
    for (size_t i = 0; i < sets; i++)
    {
        IgLintPrintSet(Run, &Sets[i], stdout);
    }
    IgLintPrintSummary(Run, stdout);
    return Run->Errors || (Run->Werror && Run->Warnings) ? IG_EXIT_FOUND : IG_EXIT_OK;
}

int IgCmdLint(int Argc, char **Argv)
{
    IG_LINT_RUN run;
    char **paths = calloc((size_t)Argc + 1, sizeof(*paths));
    char **sources = calloc((size_t)Argc + 1, sizeof(*sources));
    IG_LINT_SET *sets = calloc((size_t)Argc + 1, sizeof(*sets));
    size_t count = 0;
    int exit;

    memset(&run, 0, sizeof(run));
    run.FirstFinding = true;
    if (!paths || !sources || !sets)
    {
        exit = IG_EXIT_FAILURE;
        goto cleanup;
    }
    exit = IgLintArgs(Argc, Argv, &run, paths, &count);
    if (exit < 0)
    {
        exit = IgLintAll(&run, paths, count, sources, sets);
    }

cleanup:
    for (int i = 0; sets && i <= Argc; i++)
    {
        IgLintReportFree(&sets[i].Report);
        IgWbRulesFree(&sets[i].Rules);
    }
    free(sets);
    free(paths);
    free(sources);
    return exit;
}
