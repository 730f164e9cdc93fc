/*
 * Exceptions files from alerts: the exceptions that alert blobs stand for (intro_alert_exceptions.h),
 * gathered without duplicates and written as the compiler's JSON (docs/json-format.md), so that an
 * exception added from an alert at run time can become a line of the rules file.  `introguard
 * alert --exception` writes the exception of one alert, `introguard replay --learn` those of every
 * blocked event of a trace.
 *
 * The JSON names what it can by name (the alert's module and process names, the special names, flag
 * and object-type keywords) and is checked by compiling it: an exception whose named form would not
 * compile back to the same record is written with the extension keys (`originator_hash`,
 * `flags_raw`, ...) that reproduce it exactly.
 */
#ifndef INTROGUARD_TOOLS_ALERT_RULES_H
#define INTROGUARD_TOOLS_ALERT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "introguard/intro_excfile.h"
#include "introguard/introguard.h"
#include "tool_common.h"

#define IG_ALERT_NAME_MAX 64u        /* bytes of one name taken from an alert */
#define IG_ALERT_RULES_MAX 100000u   /* exceptions one file gathers */
#define IG_ALERT_NAMES_PER_ALERT 16u /* names one alert can give */

/* A name an alert holds and the hashes the exceptions could store for it. */
typedef struct IG_ALERT_NAME
{
    char Text[IG_ALERT_NAME_MAX + 1];
    uint32_t Hashes[4]; /* by the rules of the fields it could fill */
} IG_ALERT_NAME;

/* One exception to write, and the names its fields may be written with ("" for none). */
typedef struct IG_ALERT_RULE
{
    INTRO_ALERT_EXCEPTION Exception;
    char Originator[IG_ALERT_NAME_MAX + 1];
    char Victim[IG_ALERT_NAME_MAX + 1];
    char Process[IG_ALERT_NAME_MAX + 1];
    char Library[IG_ALERT_NAME_MAX + 1];
} IG_ALERT_RULE;

typedef struct IG_ALERT_RULES
{
    IG_ALERT_RULE *Items;
    size_t Count;
    size_t Capacity;
    size_t Duplicates; /* exceptions dropped as equal to one already gathered */
} IG_ALERT_RULES;

/* The names a whole alert of Type (Size bytes) holds, with their hashes for a guest running Os. */
size_t IgArAlertNames(const uint8_t *Alert, size_t Size, uint32_t Type, uint32_t Os, IG_ALERT_NAME *Names, size_t Max);

/*
 * Adds Exception, naming its fields from Names (may be NULL), unless an equal exception is there.
 * *Added says which.  INSUFFICIENT_RESOURCES when out of memory or IG_ALERT_RULES_MAX are held.
 */
__attribute__((warn_unused_result)) INTSTATUS IgArRulesAdd(IG_ALERT_RULES *Rules,
                                                           const INTRO_ALERT_EXCEPTION *Exception,
                                                           const IG_ALERT_NAME *Names, size_t NameCount, bool *Added);

/*
 * Writes Rules as one JSON document that `introguard compile` turns into exactly these exceptions:
 * an object {"Type", "Exceptions", "Signatures"} when they are of one kind, a list of such objects
 * otherwise.  Each exception is compiled on its own first: its named form when that comes back
 * unchanged, else its raw form; one the compiler cannot express at all (a victim on an object type
 * that takes none) is left out with a message on Err.  INSUFFICIENT_RESOURCES when out of memory.
 */
__attribute__((warn_unused_result)) INTSTATUS IgArRulesJson(const IG_ALERT_RULES *Rules, IG_TEXT *Out, FILE *Err);

void IgArRulesFree(IG_ALERT_RULES *Rules);

/* Rule: Exception with the names (from Names, may be NULL) its hashes are of. */
void IgArNameRule(IG_ALERT_RULE *Rule, const INTRO_ALERT_EXCEPTION *Exception, const IG_ALERT_NAME *Names,
                  size_t NameCount);

/*
 * The exception of an alert: a blob decoded, or for a whole alert its own blob when it is Valid, else
 * the blob built from it (as AddExceptionFromAlert does; Os INTRO_EXC_OS_* or 0 for the alert's
 * flag).  Names (IG_ALERT_NAMES_PER_ALERT, may be NULL) receives the names a whole alert holds.
 */
__attribute__((warn_unused_result)) INTSTATUS IgArAlertException(const uint8_t *Data, size_t Size, uint32_t Type,
                                                                 bool IsBlob, uint32_t Os,
                                                                 INTRO_ALERT_EXCEPTION *Exception, IG_ALERT_NAME *Names,
                                                                 size_t *NameCount, INTRO_ALERT_EXC_ERROR *Error);

/* "ept", "msr", ... for an exceptable INTRO_EVENT_TYPE, NULL otherwise; and back. */
const char *IgArEventName(uint32_t Type);
bool IgArEventByName(const char *Name, uint32_t *Type);

/* The structure size of an exceptable event type, 0 otherwise. */
size_t IgArEventSize(uint32_t Type);

#endif /* INTROGUARD_TOOLS_ALERT_RULES_H */
