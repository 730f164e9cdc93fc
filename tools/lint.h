/*
 * `introguard lint`: rules that can never match, rules another hides or repeats, signatures nothing
 * uses or that are missing (docs/workbench.md lists every code with its reasoning).
 *
 *   lint_records.c  checks on the decoded records (any exceptions file)
 *   lint_names.c    checks on the names as written (JSON sources only: a file holds hashes)
 *   cmd_lint.c      the command: inputs, order, text and JSON output
 */
#ifndef INTROGUARD_TOOLS_LINT_H
#define INTROGUARD_TOOLS_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workbench.h"

typedef enum IG_LINT_SEVERITY
{
    IgLintError,   /* a rule that can never do what it says, or a reference to nothing */
    IgLintWarning, /* a rule that is dead weight: hidden, repeated, unused, or matchable only in a corner */
} IG_LINT_SEVERITY;

/* The codes: stable, never renumbered; a retired code is not reused. */
typedef enum IG_LINT_CODE_ID
{
    IgLintNoAccess = 1,      /* IG-L001: no read, write or exec */
    IgLintNoArch,            /* IG-L002: neither 32 nor 64 */
    IgLintContradiction,     /* IG-L003: flags that exclude each other or the object type's violations */
    IgLintSignatureGroup,    /* IG-L004: a signature kind it needs, and none of its can match */
    IgLintTrimmed,           /* IG-L005: a process name cut shorter than the guest's */
    IgLintNonAsciiUpper,     /* IG-L006: an upper-case letter outside ASCII in a lower-cased field */
    IgLintEmptyRange,        /* IG-L007: a version signature whose range is empty */
    IgLintScore,             /* IG-L008: a score above what the signature's hashes can reach */
    IgLintShadowed,          /* IG-L009: an earlier rule of the same list allows all it allows */
    IgLintDuplicate,         /* IG-L010: the same record again */
    IgLintUnusedSignature,   /* IG-L011: no exception names it */
    IgLintDanglingSignature, /* IG-L012: an exception names a signature the file does not hold */
    IgLintWideLinuxName,     /* IG-L013: a name a Linux guest never hashes as UTF-16 */
    IgLintCodeGroup,         /* IG-L014: like IG-L004 for code signatures, which a RIP of 0 skips */
    IgLintLibraryCase,       /* IG-L015: an export library with capitals (the runtime's are lower case) */
    IgLintCodeCount
} IG_LINT_CODE_ID;

typedef struct IG_LINT_CODE
{
    IG_LINT_CODE_ID Id;
    const char *Name; /* "no-access" */
    IG_LINT_SEVERITY Severity;
    const char *Summary;
} IG_LINT_CODE;

/* The code's description, NULL for an unknown one. */
const IG_LINT_CODE *IgLintCodeOf(IG_LINT_CODE_ID Id);
const char *IgLintSeverityName(IG_LINT_SEVERITY Severity);

typedef struct IG_LINT_FINDING
{
    IG_LINT_CODE_ID Code;
    uint32_t Record; /* the record it is about */
    char Message[400];
} IG_LINT_FINDING;

typedef struct IG_LINT_REPORT
{
    IG_LINT_FINDING *Items;
    size_t Count;
    size_t Capacity;
    bool OutOfMemory;
} IG_LINT_REPORT;

/* Adds a finding (printf-style message); on memory exhaustion sets OutOfMemory and drops it. */
void IgLintAdd(IG_LINT_REPORT *Report, IG_LINT_CODE_ID Code, uint32_t Record, const char *Format, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Runs every check on Rules (the name checks only when its sources are known) and sorts the
 * findings: by source file, line and code, or by record and code for a file without sources.
 * Returns INT_STATUS_SUCCESS, or INT_STATUS_INSUFFICIENT_RESOURCES.
 */
__attribute__((warn_unused_result)) INTSTATUS IgLintRules(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report);
void IgLintReportFree(IG_LINT_REPORT *Report);

/* ---- lint_records.c, lint_names.c ---------------------------------------------------------------------------- */

void IgLintRecords(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report);
void IgLintNames(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report);

/* "record 7 (km.json:12 $.Exceptions[3])" or "record 7": how a message names another record. */
void IgLintRecordName(const IG_WB_RULES *Rules, uint32_t Index, char *Buffer, size_t Size);

/* Whether code point Cp is changed by Python's str.lower() (an upper-case or title-case letter). */
bool IgLintLowerCaseChanges(uint32_t Cp);

#endif /* INTROGUARD_TOOLS_LINT_H */
