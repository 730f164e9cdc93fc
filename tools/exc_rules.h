/*
 * The rules of hvmi's compiler (spec §5.6), written once for the two tools that need them:
 * `compile` enforces them and applies their defaults; `decompile` replays them to decide which
 * JSON spelling compiles back to the same bytes.
 *
 * The vocabulary (flag and object names, values) is the library's (intro_excfile.h); what is here
 * is what the compiler does with it: which fields an object type needs or forbids, which flags the
 * compiler adds or rejects, how a name field is hashed, and the glob pattern checks.
 */
#ifndef INTROGUARD_TOOLS_EXC_RULES_H
#define INTROGUARD_TOOLS_EXC_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_excfile.h"

/* ---- Per object type ------------------------------------------------------------------------ */

#define IG_RULE_OPTIONAL_ORIGINATOR 0x0001u /* kernel: the originator may be left out (see IG_RULE_*INTEGRITY*) */
#define IG_RULE_NEEDS_VICTIM 0x0002u
#define IG_RULE_NO_VICTIM 0x0004u /* kernel: no victim; user (nx_zone): none but "*" */
#define IG_RULE_NEEDS_PROCESS 0x0008u
#define IG_RULE_NO_PROCESS 0x0010u         /* user (process): no victim process but "*" */
#define IG_RULE_NEEDS_SMEP_OR_SMAP 0x0020u /* cr4 */
#define IG_RULE_NEEDS_EXEC 0x0040u         /* nx_zone */
#define IG_RULE_NEEDS_INTEGRITY 0x0080u    /* named flags must include integrity */
#define IG_RULE_INTEGRITY_DASH 0x0100u     /* with integrity the compiler sets the originator to "-" */
#define IG_RULE_EXEC_DEFAULT 0x0200u       /* no access flag named: exec, not write */
#define IG_RULE_NARROW_ORIGINATOR 0x0400u  /* a process name: narrow and trimmed (unless module-load) */
#define IG_RULE_NARROW_VICTIM 0x0800u      /* a process name: narrow and trimmed */
#define IG_RULE_VERBATIM_VICTIM 0x1000u    /* narrow, neither lower-cased nor trimmed */

/* The rules of ObjectType in a record of RecordType; 0 for a value without a name (object_type_raw). */
unsigned IgRulesOf(uint8_t RecordType, uint8_t ObjectType);

/* ---- Name fields -------------------------------------------------------------------------------- */

#define IG_NAME_FIELD_ORIGINATOR 0u
#define IG_NAME_FIELD_VICTIM 1u
#define IG_NAME_FIELD_PROCESS 2u

/* How the compiler turns a name field into the value it stores (spec §4.4). */
typedef struct IG_NAME_HASHING
{
    bool Hashed; /* false: glob patterns (kept as text) and the kernel records' process (none) */
    INTRO_EXCFILE_SPECIAL_TABLE Table;
    bool Lower;    /* ASCII-lowered first (not under `linux`, nor for a verbatim victim) */
    bool Wide;     /* UTF-16LE hash, else the UTF-8 bytes */
    unsigned Trim; /* characters kept (0: all) */
} IG_NAME_HASHING;

/*
 * The hashing of name field Field (IG_NAME_FIELD_*) of a record of RecordType with ObjectType and
 * Flags, as the compiler does it: Flags carry the bits that change it (`linux`, `module-load`, the
 * kernel-user `user`).  lint reads names against it; tests/test_lint.c checks it against the compiler.
 */
IG_NAME_HASHING IgRulesNameHashing(uint8_t RecordType, uint8_t ObjectType, uint32_t Flags, unsigned Field);

/* ---- Flags ------------------------------------------------------------------------------------ */

#define IG_FLAG_WORDS_MAX 64u

/* The words of a flags string, each found in the kind's namespaces (pointers into the caller's text). */
typedef struct IG_FLAG_WORDS
{
    const char *Word[IG_FLAG_WORDS_MAX];
    size_t Length[IG_FLAG_WORDS_MAX];
    size_t Count;
} IG_FLAG_WORDS;

bool IgFlagWordsHave(const IG_FLAG_WORDS *Words, const char *Name);
/* Appends a NUL-terminated word (dropped when the list is full). */
void IgFlagWordsAdd(IG_FLAG_WORDS *Words, const char *Name);
void IgFlagWordsRemove(IG_FLAG_WORDS *Words, const char *Name);

/* Adds "32 64" (words and DefaultBits) when the words name neither; hvmi tests the whole string. */
void IgRulesDefaultArch(IG_FLAG_WORDS *Words, uint32_t DefaultBits, uint32_t *Bits);

typedef enum IG_FLAG_PROBLEM
{
    IgFlagsOk = 0,
    IgFlagsCr4NeedsSmepOrSmap, /* cr4 without smep or smap */
    IgFlagsReturnDrvObsolete,  /* kernel: return-drv named (return implies it) */
    IgFlagsNeedsIntegrity,     /* security-descriptor, acl-edit without integrity */
    IgFlagsNeedsExec,          /* nx_zone without exec */
    IgFlagsUserAndKernel,      /* kernel-user: both user and kernel */
} IG_FLAG_PROBLEM;

/*
 * What the compiler does with an exception's named flags once every word is known to be valid for
 * the kind and 32/64 are settled: the access default (write, or exec), return-drv where return or
 * non-driver imply it (kernel and kernel-user), and its flag checks in its order.  Words and *Bits
 * gain the implied flags; the first problem is returned (the flags are then unusable).
 */
IG_FLAG_PROBLEM IgRulesCompleteFlags(uint8_t RecordType, uint8_t ObjectType, IG_FLAG_WORDS *Words, uint32_t *Bits);

/* ---- Glob patterns ------------------------------------------------------------------------------ */

#define IG_RULE_GLOB_MAX_CHARS 14u /* a pattern's length, a [class] or '?' counting as one */

/* The length hvmi's compiler checks: characters (UTF-8), each [class] counting as one. */
size_t IgRulesGlobLength(const char *Text, size_t Length);
/* Whether the pattern holds a glob character (*, ?, [, ] or \\); an entry needs one somewhere. */
bool IgRulesGlobHasWildcard(const char *Text, size_t Length);

/* One code point of valid UTF-8 (invalid bytes count as one each); returns its length in bytes. */
size_t IgUtf8Decode(const uint8_t *Text, size_t Length, uint32_t *CodePoint);

#endif /* INTROGUARD_TOOLS_EXC_RULES_H */
