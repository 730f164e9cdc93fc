/*
 * A small JSON parser for the tools' untrusted input (exception JSON, config files).
 *
 * Why not json-c: error messages must name the line of the offending *value*, and json-c keeps no
 * positions.  This parser records line and column for every value and its place in the tree (the
 * parent, the member key or the array index), so a caller can print "file:line:col: $.a[3].b: ...".
 *
 * Accepted language: RFC 8259 JSON plus `//` line comments and `/ * * /` block comments anywhere
 * whitespace may appear (never inside strings).  Rejected: trailing commas, leading zeros, NaN,
 * unescaped control characters, invalid UTF-8, lone surrogates, `\u0000` (names are C strings).
 * Numbers are kept as their text plus, when they are integers that fit, an int64 value.
 * Duplicate object keys: every member is kept in order; IgJsonGet() returns the LAST one (Python's
 * json semantics, which hvmi's compiler inherits) and IgJsonFindDuplicate() lets callers warn.
 *
 * Every value lives in one arena owned by the IG_JSON_DOC; IgJsonFree() releases it all.
 */
#ifndef INTROGUARD_TOOLS_JSON_H
#define INTROGUARD_TOOLS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/introstatus.h"

/* Named limits on untrusted text. */
#define IG_JSON_MAX_TEXT (64u * 1024u * 1024u)  /* bytes of one document */
#define IG_JSON_MAX_DEPTH 64u                   /* nesting of arrays and objects */
#define IG_JSON_MAX_STRING (1024u * 1024u)      /* bytes of one decoded string */
#define IG_JSON_MAX_VALUES (8u * 1024u * 1024u) /* values in one document */

typedef enum IG_JSON_TYPE
{
    IgJsonNull = 0,
    IgJsonBool,
    IgJsonNumber,
    IgJsonString,
    IgJsonArray,
    IgJsonObject,
} IG_JSON_TYPE;

typedef struct IG_JSON_VALUE IG_JSON_VALUE;

struct IG_JSON_VALUE
{
    IG_JSON_TYPE Type;
    uint32_t Line;   /* 1-based line of the value's first character */
    uint32_t Column; /* 1-based column (in bytes) */

    const IG_JSON_VALUE *Parent; /* NULL for the root */
    const char *Key;             /* member key when the parent is an object (NUL-terminated) */
    size_t KeyLength;
    size_t Index; /* position inside the parent array or object */

    bool Bool;
    /* Strings: decoded UTF-8, NUL-terminated.  Numbers: the literal text, NUL-terminated. */
    const char *Text;
    size_t Length;
    bool IsInteger;  /* number without fraction or exponent that fits in int64 */
    int64_t Integer; /* valid when IsInteger */

    IG_JSON_VALUE **Items; /* array elements or object members (members carry Key) */
    size_t Count;
};

typedef struct IG_JSON_DOC
{
    IG_JSON_VALUE *Root;
    void *Arena; /* private */
} IG_JSON_DOC;

/* Where and why parsing failed; Message is NUL-terminated. */
typedef struct IG_JSON_ERROR
{
    uint32_t Line;
    uint32_t Column;
    char Path[160]; /* JSON path of the value being read when it failed ("$" at top level) */
    char Message[160];
} IG_JSON_ERROR;

/*
 * Parses Size bytes of Text (need not be NUL-terminated).  On success *Doc owns the tree; on
 * failure *Doc is empty and *Error says where.  A UTF-8 BOM at the start is skipped.
 */
__attribute__((warn_unused_result)) INTSTATUS IgJsonParse(const char *Text, size_t Size, IG_JSON_DOC *Doc,
                                                          IG_JSON_ERROR *Error);

/* Frees everything the document owns; accepts an empty document. */
void IgJsonFree(IG_JSON_DOC *Doc);

/* The last member of Object named Key, or NULL (also NULL when Object is not an object). */
const IG_JSON_VALUE *IgJsonGet(const IG_JSON_VALUE *Object, const char *Key);

/* The first member of Object whose key repeats an earlier one, or NULL. */
const IG_JSON_VALUE *IgJsonFindDuplicate(const IG_JSON_VALUE *Object);

/*
 * Writes the JSON path of Value ("$", "$.Exceptions[3].flags", `$["odd key"]`) into Buffer,
 * truncating to Size.  Returns Buffer.
 */
const char *IgJsonPath(const IG_JSON_VALUE *Value, char *Buffer, size_t Size);

/* "null", "boolean", "number", "string", "array", "object". */
const char *IgJsonTypeName(IG_JSON_TYPE Type);

#endif /* INTROGUARD_TOOLS_JSON_H */
