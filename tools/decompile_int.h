/*
 * The decompiler's private interface, shared by its parts:
 *
 *   decompile.c          the whole file: checks JSON cannot express, order notes, the output files
 *   decompile_flags.c    the plainest flags spelling that compiles back to the same bits
 *   decompile_records.c  one record as one JSON entry
 *   cmd_decompile.c      the output directory and the command line
 *
 * Which spelling compiles back to the same bytes is decided with the compiler's own rules
 * (exc_rules.h) and the format's vocabulary (intro_excfile.h), never with a copy of them.
 */
#ifndef INTROGUARD_TOOLS_DECOMPILE_INT_H
#define INTROGUARD_TOOLS_DECOMPILE_INT_H

#include "decompile.h"
#include "exc_rules.h"
#include "records.h"

typedef struct IG_DECOMPILER
{
    const char *Path;
    FILE *Err;
    unsigned Notes;
    const IG_RECORD_LIST *List;
    uint32_t *SigIds; /* signature IDs, ascending (for lookups) */
    size_t SigCount;
    bool *SigReferenced; /* parallel to SigIds */
} IG_DECOMPILER;

/* A note on Err: a way the output would not reproduce the file exactly. */
void IgNote(IG_DECOMPILER *D, const char *Format, ...) __attribute__((format(printf, 2, 3)));
/* Reports a record JSON cannot express; returns INT_STATUS_NOT_SUPPORTED. */
INTSTATUS IgRecordFail(IG_DECOMPILER *D, const INTRO_EXCFILE_RECORD *Record, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- JSON text (decompile_records.c) ----------------------------------------------------------------- */

/* One entry of an "Exceptions"/"Signatures" array: fields at 12 spaces, braces at 8. */
typedef struct IG_ENTRY
{
    IG_TEXT *Out;
    bool First;
} IG_ENTRY;

void IgEntryKey(IG_ENTRY *E, const char *Key);
void IgEntryHex32(IG_ENTRY *E, const char *Key, uint32_t Value);

/* ---- Flags (decompile_flags.c) ---------------------------------------------------------------------- */

typedef struct IG_FLAG_CONTEXT
{
    bool Signature;
    uint8_t RecordType;
    uint8_t ObjectType;
} IG_FLAG_CONTEXT;

/*
 * Writes "flags" (or nothing, when the compiler's default gives Want) or, when no spelling with names
 * compiles back to Want, "flags_raw".  Returns true when names were used.
 */
bool IgEmitFlags(IG_ENTRY *E, const IG_FLAG_CONTEXT *C, uint32_t Want);

/* ---- Records (decompile_records.c) ------------------------------------------------------------------ */

/* Appends Record as an "Exceptions" entry to Out (First: the array's first entry). */
__attribute__((warn_unused_result)) INTSTATUS IgEmitException(IG_DECOMPILER *D, IG_TEXT *Out,
                                                              const INTRO_EXCFILE_RECORD *Record, bool First);
/* Appends Record as a "Signatures" entry; Raw writes its ID as id_raw (the compiler would number it otherwise). */
__attribute__((warn_unused_result)) INTSTATUS IgEmitSignature(IG_DECOMPILER *D, IG_TEXT *Out,
                                                              const INTRO_EXCFILE_RECORD *Record, bool First, bool Raw);

#endif /* INTROGUARD_TOOLS_DECOMPILE_INT_H */
