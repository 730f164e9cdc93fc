/*
 * `introguard decompile`: an exceptions file back into the compiler's JSON input, such that
 * compiling the output reproduces the file (the contract is docs/cli.md, "decompile").
 */
#ifndef INTROGUARD_TOOLS_DECOMPILE_H
#define INTROGUARD_TOOLS_DECOMPILE_H

#include <stdbool.h>
#include <stdio.h>

#include "tool_common.h"

#define IG_DECOMPILE_NAME_MAX 48

/* Output files are kept near this size (a run of records continues in the next file), well below
 * the size compile reads (IG_TOOL_MAX_TEXT_FILE). */
#define IG_DECOMPILE_FILE_LIMIT (IG_TOOL_MAX_TEXT_FILE / 2)

typedef struct IG_DECOMPILED_FILE
{
    char Name[IG_DECOMPILE_NAME_MAX]; /* "00-signatures.json" */
    IG_TEXT Json;
} IG_DECOMPILED_FILE;

/* At most this many output files: a file that alternates record kinds gets one file per run. */
#define IG_DECOMPILE_MAX_FILES 10000u

typedef struct IG_DECOMPILED
{
    IG_DECOMPILED_FILE *Files; /* in name order, which is the order to compile them in */
    size_t Count;
    unsigned NoteCount; /* notes printed: ways the output would not reproduce the file exactly */
} IG_DECOMPILED;

/*
 * Builds the JSON files for the exceptions file in Data (nothing is written to disk).  Notes and
 * errors go to Err as "introguard: PATH: ..."; Path only names the input in them.  Fails for a
 * corrupt file and for records JSON cannot express (unknown record types, non-zero reserved
 * bytes, references to signatures not in the file, ...).  Free Out with IgDecompiledFree.
 */
__attribute__((warn_unused_result)) INTSTATUS IgDecompileBuffer(const uint8_t *Data, size_t Size, const char *Path,
                                                                IG_DECOMPILED *Out, FILE *Err);
/* The same with another file size limit (tests). */
__attribute__((warn_unused_result)) INTSTATUS IgDecompileBufferLimit(const uint8_t *Data, size_t Size, const char *Path,
                                                                     size_t FileLimit, IG_DECOMPILED *Out, FILE *Err);
void IgDecompiledFree(IG_DECOMPILED *Out);

/*
 * Decompiles Path into directory OutDir (created if missing).  Refuses a non-empty OutDir unless
 * Force; with Force, earlier decompile output files there ("NN-kind.json") are replaced or
 * removed, other files are left alone.  Each file is written atomically.  Returns an exit code.
 */
int IgDecompileFile(const char *Path, const char *OutDir, bool Force, FILE *Err);

#endif /* INTROGUARD_TOOLS_DECOMPILE_H */
