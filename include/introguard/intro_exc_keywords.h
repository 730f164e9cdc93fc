/*
 * introguard: the names of the violation model's constants (intro_exceptions.h), for programs that
 * read or print violations as text: victim object types ("km-module"), zones ("ept"), zone flags
 * ("lib-imports"), violation kinds ("kernel-user") and guest operating systems ("windows").
 *
 * The tables are constants: every function here is safe from any thread.  Lookups are exact and
 * case-sensitive.  The names of the outcome (actions, reasons, checks) are IntExceptActionName and
 * its siblings in intro_exceptions.h.
 */
#ifndef INTROGUARD_INTRO_EXC_KEYWORDS_H
#define INTROGUARD_INTRO_EXC_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intro_exceptions.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Natural alignment whatever #pragma pack the includer has in force: the library was built with it. */
#pragma pack(push, 8)

    /* One name and the value it stands for (64 bits: zone flags need them). */
    typedef struct INTRO_EXC_KEYWORD
    {
        const char *Name;
        uint64_t Value;
    } INTRO_EXC_KEYWORD;

    typedef struct INTRO_EXC_KEYWORD_TABLE
    {
        const char *Name; /* what the table names, e.g. "zone" */
        const INTRO_EXC_KEYWORD *Entries;
        size_t Count;
    } INTRO_EXC_KEYWORD_TABLE;

    /* INTRO_EXC_OBJ_* 1-41: "raw", "internal", ..., "km-module", ..., "interrupt-object". */
    INTROGUARD_API const INTRO_EXC_KEYWORD_TABLE *IntExcObjectTypeNames(void);
    /* INTRO_EXC_ZONE_* types: "ept", "msr", "cr", "integrity", "process", "dtr", "pc". */
    INTROGUARD_API const INTRO_EXC_KEYWORD_TABLE *IntExcZoneNames(void);
    /* INTRO_EXC_ZONE_* flags, one bit each: "lib-imports", ..., "write", "read", "execute", "integrity". */
    INTROGUARD_API const INTRO_EXC_KEYWORD_TABLE *IntExcZoneFlagNames(void);
    /* INTRO_EXC_KIND_*: "user", "kernel", "user-glob", "kernel-user". */
    INTROGUARD_API const INTRO_EXC_KEYWORD_TABLE *IntExcKindNames(void);
    /* INTRO_EXC_OS_*: "windows", "linux". */
    INTROGUARD_API const INTRO_EXC_KEYWORD_TABLE *IntExcOsNames(void);

    /* Name (Length bytes, need not be NUL-terminated) -> value.  False if Table lacks it. */
    INTROGUARD_API bool IntExcKeywordFind(const INTRO_EXC_KEYWORD_TABLE *Table, const char *Name, size_t Length,
                                          uint64_t *Value);
    /* Value -> its name, or NULL. */
    INTROGUARD_API const char *IntExcKeywordName(const INTRO_EXC_KEYWORD_TABLE *Table, uint64_t Value);

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_EXC_KEYWORDS_H */
