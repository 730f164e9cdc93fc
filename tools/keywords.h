/*
 * The keywords of hvmi's exception JSON format (spec/exceptions-binary-format.md §3.0), built in.
 *
 * hvmi's compiler reads these from config.json; introguard compiles them in so that the tools need
 * no configuration file and cannot drift from one.  tests/test_keywords.c checks every value
 * against the spec table and, when INTROGUARD_HVMI_CORPUS is set, against hvmi's config.json.
 *
 * Everything here is a constant table: no state, safe from any thread.  Name lookups are exact and
 * case-sensitive (hvmi's are); IgKwNearest() finds the closest keyword for error suggestions.
 */
#ifndef INTROGUARD_TOOLS_KEYWORDS_H
#define INTROGUARD_TOOLS_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* config.json "Version": what the compiler writes into the file header. */
#define IG_KW_VERSION_MAJOR 2u
#define IG_KW_VERSION_MINOR 2u

/* One keyword and the number it stands for. */
typedef struct IG_KEYWORD
{
    const char *Name;
    uint32_t Value;
} IG_KEYWORD;

/* A named table of keywords, in config.json order.  Several names may share a value (flag
 * `debug` and `reserved`); value-to-name lookups return the first. */
typedef struct IG_KEYWORD_TABLE
{
    const char *Name; /* the config.json section, e.g. "kernel-mode" */
    const IG_KEYWORD *Entries;
    size_t Count;
} IG_KEYWORD_TABLE;

/* ---- Tables ------------------------------------------------------------------------------- */

/* Object-type tables (config.json "Types").  APC and glob records use the user-mode table. */
typedef enum IG_KW_OBJECT_TABLE
{
    IgKwObjectKernel = 0, /* "kernel-mode": KM records */
    IgKwObjectUser,       /* "user-mode": UM, APC and glob records */
    IgKwObjectKernelUser, /* "kernel-user-mode": KUM records */
    IgKwObjectTableCount
} IG_KW_OBJECT_TABLE;

/* Flag namespaces (config.json "Flags"), as bits so a record kind can name the set it uses. */
#define IG_KW_FLAGS_COMMON 0x01u      /* "common": every exception kind */
#define IG_KW_FLAGS_KERNEL 0x02u      /* "kernel-mode" */
#define IG_KW_FLAGS_USER 0x04u        /* "user-mode" */
#define IG_KW_FLAGS_KERNEL_USER 0x08u /* "kernel-user-mode" */
#define IG_KW_FLAGS_SIGNATURE 0x10u   /* "signatures": every signature kind, alone */

/* Special-name tables (config.json "Predefined"); hvmi's compiler never uses its
 * "kernel-user-mode" section, so it is not offered here. */
typedef enum IG_KW_SPECIAL_TABLE
{
    IgKwSpecialKernel = 0, /* "kernel-mode": * [own] [kernel] [hal] - */
    IgKwSpecialUser,       /* "user-mode": * [own] [vdso] [vsyscall] - */
    IgKwSpecialSignature,  /* "signature": * - (export function names) */
    IgKwSpecialTableCount
} IG_KW_SPECIAL_TABLE;

const IG_KEYWORD_TABLE *IgKwObjectTypes(IG_KW_OBJECT_TABLE Table);

/* One flag namespace; Namespace is exactly one IG_KW_FLAGS_* bit, NULL otherwise. */
const IG_KEYWORD_TABLE *IgKwFlagTable(unsigned Namespace);

const IG_KEYWORD_TABLE *IgKwSpecialNames(IG_KW_SPECIAL_TABLE Table);

/* config.json "ProcessCreationFlags": the DPI create_mask names. */
const IG_KEYWORD_TABLE *IgKwDpiMask(void);

/* ---- Lookups ------------------------------------------------------------------------------ */

/* Name (Length bytes, need not be NUL-terminated) -> value.  False if the table lacks it. */
bool IgKwFind(const IG_KEYWORD_TABLE *Table, const char *Name, size_t Length, uint32_t *Value);

/* Value -> first name with that value, or NULL. */
const char *IgKwName(const IG_KEYWORD_TABLE *Table, uint32_t Value);

/* A flag name in the union of the namespaces in Namespaces (searched in the order common,
 * kernel-mode, user-mode, kernel-user-mode, signatures). */
bool IgKwFindFlag(unsigned Namespaces, const char *Name, size_t Length, uint32_t *Value);

/* Name of the single-bit flag Bit in the union of Namespaces (same search order), or NULL. */
const char *IgKwFlagName(unsigned Namespaces, uint32_t Bit);

/*
 * Writes Flags as space-separated names, lowest bit first, each bit named from Namespaces; a bit
 * no namespace names is written as "0x%08X" (one token per bit).  Zero flags give "".  Returns
 * the length the full text needs (snprintf-style); the text is truncated if Size is too small.
 */
size_t IgKwFormatFlags(unsigned Namespaces, uint32_t Flags, char *Buffer, size_t Size);

/* The same for a bit mask named by one table (the DPI create_mask). */
size_t IgKwFormatMask(const IG_KEYWORD_TABLE *Table, uint32_t Value, char *Buffer, size_t Size);

/* ---- Record kinds ------------------------------------------------------------------------- */

/* A file "Type" of an exceptions JSON and what it means for its records. */
typedef struct IG_KW_EXCEPTION_KIND
{
    const char *Name;          /* "kernel", "user", "user-apc", "user-glob-match", "kernel-user" */
    uint8_t RecordType;        /* IG_RECORD_TYPE */
    IG_KW_OBJECT_TABLE Object; /* object-type table */
    unsigned AcceptedFlags;    /* namespaces the compiler accepts for this kind (§3.3) */
    unsigned DisplayFlags;     /* namespaces that give bits their meaning at match time */
} IG_KW_EXCEPTION_KIND;

const IG_KW_EXCEPTION_KIND *IgKwExceptionKindByName(const char *Name, size_t Length);
const IG_KW_EXCEPTION_KIND *IgKwExceptionKindByRecord(uint8_t RecordType);
/* All kinds, in record-type-independent order kernel, user, user-apc, user-glob-match, kernel-user. */
const IG_KW_EXCEPTION_KIND *IgKwExceptionKinds(size_t *Count);

/* A `sig_type` keyword, its ID type code (bits 22-31 of an ID) and its record type. */
typedef struct IG_KW_SIGNATURE_KIND
{
    const char *Name;   /* "codeblocks", "export", ... */
    uint32_t TypeCode;  /* IG_SIG_TYPE */
    uint8_t RecordType; /* IG_RECORD_TYPE */
} IG_KW_SIGNATURE_KIND;

const IG_KW_SIGNATURE_KIND *IgKwSignatureKindByName(const char *Name, size_t Length);
const IG_KW_SIGNATURE_KIND *IgKwSignatureKindByCode(uint32_t TypeCode);
const IG_KW_SIGNATURE_KIND *IgKwSignatureKindByRecord(uint8_t RecordType);
/* All kinds in config.json order (ascending type code). */
const IG_KW_SIGNATURE_KIND *IgKwSignatureKinds(size_t *Count);

/* ---- Groups ------------------------------------------------------------------------------- */

/* A config.json "Groups" entry: a name that expands into several names. */
typedef struct IG_KW_GROUP
{
    const char *Name; /* "[office apps]", ... */
    const char *const *Members;
    size_t Count;
} IG_KW_GROUP;

const IG_KW_GROUP *IgKwGroupFind(const char *Name, size_t Length);
const IG_KW_GROUP *IgKwGroups(size_t *Count);

/* ---- Suggestions -------------------------------------------------------------------------- */

/* Longest text the edit distance looks at; longer inputs are "far" from everything. */
#define IG_KW_MAX_COMPARE 64u
#define IG_KW_DISTANCE_FAR 0xFFFFu

/*
 * Edit distance between A and B: insertions, deletions, substitutions and swaps of two adjacent
 * characters each cost 1; letters compare case-insensitively (ASCII), so a miscapitalised keyword
 * is at distance 0 from the real one.  Returns IG_KW_DISTANCE_FAR if either is longer than
 * IG_KW_MAX_COMPARE.
 */
unsigned IgKwEditDistance(const char *A, size_t LengthA, const char *B, size_t LengthB);

/*
 * The keyword of Table closest to Name, if it is within MaxDistance edits (0: a default that grows
 * with the length of Name: 1 up to 3 characters, 2 up to 6, else 3).  Ties go to the earlier
 * entry.  NULL when nothing is close enough or Name is an exact keyword.
 */
const char *IgKwNearest(const IG_KEYWORD_TABLE *Table, const char *Name, size_t Length, unsigned MaxDistance);

/* The nearest flag name in the union of Namespaces (searched in IgKwFindFlag's order). */
const char *IgKwNearestFlag(unsigned Namespaces, const char *Name, size_t Length, unsigned MaxDistance);

/* The same over a plain array of candidate strings (e.g. the signature names of a compile run). */
const char *IgKwNearestOf(const char *const *Candidates, size_t Count, const char *Name, size_t Length,
                          unsigned MaxDistance);

#endif /* INTROGUARD_TOOLS_KEYWORDS_H */
