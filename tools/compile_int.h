/*
 * The compiler's private interface, shared by its parts:
 *
 *   compile.c         the driver: two passes over the sources, then the output; config.json
 *   compile_report.c  messages, typed access to JSON members, flags strings
 *   compile_names.c   how a name field becomes a hash (spec §4.3, §4.4), folded by unicode_lower.c
 *   compile_sigs.c    signatures: one reader per kind, each encoding its record with the writer
 *   compile_excs.c    exceptions: per-kind checks and defaults, group expansion
 *   compile_emit.c    pruning, hvmi's sort and section order, the file through the writer
 *
 * The rules compile and decompile share (exc_rules.h) and the format's vocabulary (intro_excfile.h)
 * are not repeated here.
 */
#ifndef INTROGUARD_TOOLS_COMPILE_INT_H
#define INTROGUARD_TOOLS_COMPILE_INT_H

#include "compile.h"
#include "exc_rules.h"
#include "json.h"

/* ---- A growable byte buffer (messages, pools) ------------------------------------------------------- */

typedef struct IG_CBUF
{
    uint8_t *Data;
    size_t Size;
    size_t Cap;
    bool Failed; /* sticky: an allocation failed */
} IG_CBUF;

void IgCbufReserve(IG_CBUF *B, size_t More);
void IgCbufPut(IG_CBUF *B, const void *Data, size_t Size);
void IgCbufPrintf(IG_CBUF *B, const char *Format, ...) __attribute__((format(printf, 2, 3)));

/* ---- Model ---------------------------------------------------------------------------------------- */

/* A signature read in pass 1, its record already encoded in IG_CC.SigRecords. */
typedef struct IG_CSIG
{
    const char *Name; /* sig_id */
    size_t NameLength;
    uint32_t Id;
    uint8_t RecordType;
    size_t BodyOffset; /* in IG_CC.SigRecords.Data */
    size_t BodySize;
    bool Used;
    const IG_JSON_VALUE *Node;
    size_t Source;
} IG_CSIG;

/* One exception record to write (after group expansion), with what sorting and messages need. */
typedef struct IG_CEXC
{
    uint8_t RecordType;
    union
    {
        INTRO_EXCFILE_EXCEPTION Exception; /* kernel, user, APC, kernel-user (SigIds set when written) */
        INTRO_EXCFILE_GLOB Glob;
    } u;
    bool GlobLeads;   /* originator starts with a glob character: written first (intro_excfile.h) */
    size_t SigOffset; /* in IG_CC.SigPool, in IDs */
    size_t SigCount;
    size_t Order; /* parse order after expansion: the stable-sort tie-breaker */
    const IG_JSON_VALUE *Node;
    size_t Source;
} IG_CEXC;

typedef struct IG_CC
{
    const IG_COMPILE_OPTIONS *Options;
    const IG_COMPILE_SOURCE *Sources;
    size_t SourceCount;
    IG_JSON_DOC *Docs;
    size_t Current; /* source being read, for messages */

    IG_CBUF Messages;
    unsigned Errors;
    unsigned Warnings;
    bool OutOfMemory;

    IG_CSIG *Sigs;
    size_t SigCount, SigCap;
    uint32_t *SigTable; /* open addressing over Sigs by name: index + 1, 0 = empty */
    size_t SigTableSize;
    uint32_t NextSequence;
    INTRO_EXCFILE_WRITER SigRecords; /* every signature record, encoded as read (no header) */

    IG_CEXC *Excs;
    size_t ExcCount, ExcCap;
    IG_CBUF SigPool; /* u32 signature IDs of exceptions, native order */

    IG_CBUF Scratch; /* name normalisation, hash lists, patterns */
    IG_CBUF Origins; /* IG_COMPILE_ORIGIN per record written, with RecordOrigins */
} IG_CC;

/* ---- Messages (compile_report.c) ---------------------------------------------------------------------- */

typedef enum IG_CSEV
{
    IgSevError,
    IgSevWarning,
    IgSevNote,
} IG_CSEV;

/* "FILE:LINE:COL: SEVERITY: $.path: text" (or "FILE: SEVERITY: text" without a node). */
void IgCcReport(IG_CC *C, IG_CSEV Severity, size_t Source, const IG_JSON_VALUE *Node, const char *Format, ...)
    __attribute__((format(printf, 5, 6)));

#define IG_ERR(C, Node, ...) IgCcReport((C), IgSevError, (C)->Current, (Node), __VA_ARGS__)
#define IG_WARN(C, Node, ...) IgCcReport((C), IgSevWarning, (C)->Current, (Node), __VA_ARGS__)

/* " (did you mean 'x'?)" or "" */
const char *IgCcSuggest(char *Buffer, size_t Size, const char *Nearest);

/* ---- Typed member access (compile_report.c); each reports what it rejects -------------------------------- */

/* A member that is absent or null is "absent" (Python's None). */
const IG_JSON_VALUE *IgCcMember(const IG_JSON_VALUE *Object, const char *Key);
/* Optional string member: true if usable (absent or a string). */
bool IgCcString(IG_CC *C, const IG_JSON_VALUE *Object, const char *Key, const IG_JSON_VALUE **Out);
/* Non-empty string value (Python truthiness: "" counts as absent). */
bool IgCcPresent(const IG_JSON_VALUE *V);
bool IgCcInteger(IG_CC *C, const IG_JSON_VALUE *V, int64_t Min, int64_t Max, int64_t *Out);
/* Hex string, with or without 0x, at most Max. */
bool IgCcHex(IG_CC *C, const IG_JSON_VALUE *V, uint64_t Max, uint64_t *Out);
/* "0x%08X" extension value (decompile's *_hash, flags_raw, id_raw). */
bool IgCcRaw32(IG_CC *C, const IG_JSON_VALUE *V, uint32_t *Out);
/* An array member; Required reports absence. */
bool IgCcArray(IG_CC *C, const IG_JSON_VALUE *Object, const char *Key, bool Required, const IG_JSON_VALUE **Out);
/* Warns about members not in Known (hvmi ignores them silently, so a typo silently loses data). */
void IgCcUnknownKeys(IG_CC *C, const IG_JSON_VALUE *Object, const char *const *Known, size_t KnownCount);

/* A flags string as read: its words (each valid for the kind), their bits, or flags_raw. */
typedef struct IG_CFLAGS
{
    IG_FLAG_WORDS Words;
    uint32_t Bits;
    bool Raw; /* flags_raw: Bits verbatim, no defaults */
} IG_CFLAGS;

/*
 * Reads "flags" or "flags_raw" of Entry: words separated by single spaces, each in the namespaces
 * Accepted; "32 64" (DefaultBits) when neither is named or the string is absent (or empty, with
 * EmptyIsDefault).  Kind names the record kind in messages.
 */
bool IgCcFlags(IG_CC *C, const IG_JSON_VALUE *Entry, unsigned Accepted, uint32_t DefaultBits, bool EmptyIsDefault,
               const char *Kind, IG_CFLAGS *F);
/* Whether the named flag is set: a word of a flags string, or its bit in flags_raw. */
bool IgCcFlagSet(const IG_CFLAGS *F, unsigned Namespaces, const char *Name);

/* ---- Names (compile_names.c) ----------------------------------------------------------------------------- */

/* How one name field is hashed (spec §4.3/§4.4). */
typedef struct IG_NAME_RULE
{
    INTRO_EXCFILE_SPECIAL_TABLE Table;
    bool Lower;    /* lower-case first: Python's str.lower() (unicode_lower.h) */
    bool Wide;     /* UTF-16LE hash, else the UTF-8 bytes */
    unsigned Trim; /* keep this many characters (code points, after lower-casing; 0: all) */
    bool Escapes;  /* user: a name starting with '*' may hold \xHH byte escapes (§4.3) */
    bool Linux;    /* a name of a Linux guest (for the warnings about what its run time sees) */
} IG_NAME_RULE;

/* Grows IG_CC.Scratch to Size bytes. */
bool IgCcScratch(IG_CC *C, size_t Size);
/* Hashes one name per Rule; Node is the string value (for messages). */
bool IgCcHashName(IG_CC *C, const IG_JSON_VALUE *Node, const char *Text, size_t Length, const IG_NAME_RULE *Rule,
                  uint32_t *Out);
/* The kernel originator's file name: what follows the last separator of a path, or the whole text. */
bool IgCcStripPath(IG_CC *C, const IG_JSON_VALUE *Node, const char **Text, size_t *Length);

/* ---- The passes ------------------------------------------------------------------------------------------ */

/* Pass 1: reads one signature, numbers it and encodes its record (compile_sigs.c). */
void IgCcSignature(IG_CC *C, const IG_JSON_VALUE *Sig);
/* The signature named Name, or NULL. */
IG_CSIG *IgCcFindSig(IG_CC *C, const char *Name, size_t Length);

/* Pass 2: reads one exception of Kind, expands its groups and adds its records (compile_excs.c). */
void IgCcException(IG_CC *C, const INTRO_EXCFILE_EXCEPTION_KIND *Kind, const IG_JSON_VALUE *Node);

/* Output: prunes unused signatures, sorts and writes the file into Out (compile_emit.c). */
void IgCcPrune(IG_CC *C, IG_COMPILE_RESULT *Result);
void IgCcWrite(IG_CC *C, INTRO_EXCFILE_WRITER *Out, IG_COMPILE_RESULT *Result);

#endif /* INTROGUARD_TOOLS_COMPILE_INT_H */
