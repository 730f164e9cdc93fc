/*
 * The exceptions compiler: hvmi-format JSON in, exceptions.bin (format 2.2) out.
 *
 * The core works on memory only (sources in, bytes and messages out) so tests, the benchmark and
 * the fuzzer need no files; IgCmdCompile() (the `introguard compile` command) adds file and
 * directory reading and the atomic write.  docs/compiler.md describes the behaviour and every
 * deliberate difference from hvmi's compiler; docs/json-format.md the accepted JSON.
 */
#ifndef INTROGUARD_TOOLS_COMPILE_H
#define INTROGUARD_TOOLS_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_excfile.h"

/* Named limits. */
#define IG_COMPILE_MAX_SOURCES 65536u         /* input files per run */
#define IG_COMPILE_MAX_ERRORS 50u             /* errors reported before the compiler gives up */
#define IG_COMPILE_MAX_GROUP_DEPTH 8u         /* nesting of groups inside groups */
#define IG_COMPILE_MAX_EXPANSION 65536u       /* records one JSON exception may expand into */
#define IG_COMPILE_MAX_RECORD 65535u          /* record body size: the record header's u16 */
#define IG_COMPILE_MAX_SIG_SEQUENCE 0x3FFFFFu /* signature sequence numbers: ID bits 0-21 */

/* One input document.  Name is what messages call it (a path). */
typedef struct IG_COMPILE_SOURCE
{
    const char *Name;
    const char *Text;
    size_t Size;
} IG_COMPILE_SOURCE;

typedef struct IG_COMPILE_OPTIONS
{
    uint32_t BuildNumber;  /* header BuildNumber (-b) */
    uint16_t VersionMajor; /* header version (config.json "Version"; built-in 2.2) */
    uint16_t VersionMinor;
    /* Groups used for expansion; NULL means the built-in config.json groups. */
    const INTRO_EXCFILE_GROUP *Groups;
    size_t GroupCount;
    bool HvmiCompat; /* reproduce hvmi quirks C2 (pruning skips) and C3 (glob entries twice) */
    bool Strict;     /* warnings are errors */
    /* Write every signature, used or not (to re-create a file that holds unused signatures, such
     * as one made with HvmiCompat, from its decompiled JSON). */
    bool KeepUnusedSignatures;
    /* Say, for every record written, which JSON entry it came from (IG_COMPILE_RESULT.Origins).
     * The output bytes are the same either way. */
    bool RecordOrigins;
    unsigned Verbose;
} IG_COMPILE_OPTIONS;

/*
 * The JSON entry a record of the output came from: an exception (every record a group expands into
 * names the same entry) or a signature.  Item is the entry's index in its source's "Exceptions" or
 * "Signatures" array, so "$.Exceptions[Item]" is its JSON path.
 */
typedef struct IG_COMPILE_ORIGIN
{
    uint32_t Source; /* index into the sources given to IgCompileSources */
    uint32_t Line;   /* 1-based line and column of the entry's opening brace */
    uint32_t Column;
    uint32_t Item;
    bool Signature; /* a "Signatures" entry, else an "Exceptions" one */
} IG_COMPILE_ORIGIN;

typedef struct IG_COMPILE_RESULT
{
    uint8_t *Data; /* the exceptions file (malloc'd), NULL when compilation failed */
    size_t Size;
    char *Messages; /* every error/warning/note, one per line, NUL-terminated (malloc'd) */
    size_t MessagesLength;
    unsigned Errors;
    unsigned Warnings;
    /* What was written. */
    uint32_t KernelCount, UserCount, KernelUserCount, GlobCount, SignatureCount, PrunedSignatures;
    /* With RecordOrigins: one per record, in file order (malloc'd); NULL when compilation failed. */
    IG_COMPILE_ORIGIN *Origins;
    size_t OriginCount;
} IG_COMPILE_RESULT;

/* Defaults: build 0, version 2.2, built-in groups, fixes on, not strict. */
void IgCompileOptionsInit(IG_COMPILE_OPTIONS *Options);

/*
 * Compiles Count sources, in that order (signatures are numbered in the order they appear across
 * all sources; exceptions may name signatures from any source).  Always fills *Result (free it
 * with IgCompileResultFree); returns INT_STATUS_SUCCESS with Result->Data set, or an error status
 * with Result->Errors > 0 and the reasons in Result->Messages.
 */
__attribute__((warn_unused_result)) INTSTATUS IgCompileSources(const IG_COMPILE_SOURCE *Sources, size_t Count,
                                                               const IG_COMPILE_OPTIONS *Options,
                                                               IG_COMPILE_RESULT *Result);

void IgCompileResultFree(IG_COMPILE_RESULT *Result);

/*
 * Reads a config.json-style document (hvmi's or ours): "Version" {Major, Minor} and "Groups"
 * {name: [members]} override the built-in values in *Options.  The other sections are ignored:
 * the keyword tables are built into the library (intro_excfile.h).  The groups live in *Storage until
 * IgCompileConfigFree(), which *Options then points into.  Messages go to *Result.
 */
typedef struct IG_COMPILE_CONFIG
{
    INTRO_EXCFILE_GROUP *Groups;
    size_t GroupCount;
    void *Private;
} IG_COMPILE_CONFIG;

__attribute__((warn_unused_result)) INTSTATUS IgCompileLoadConfig(const IG_COMPILE_SOURCE *Source,
                                                                  IG_COMPILE_OPTIONS *Options,
                                                                  IG_COMPILE_CONFIG *Storage,
                                                                  IG_COMPILE_RESULT *Result);
void IgCompileConfigFree(IG_COMPILE_CONFIG *Storage);

/*
 * The inputs as `introguard compile` reads them: each path a JSON file, or a directory read
 * recursively (entries in byte order, signature files first); every file read whole into memory.
 */
typedef struct IG_COMPILE_INPUTS
{
    IG_COMPILE_SOURCE *Items; /* Name, Text: malloc'd, freed by IgCompileInputsFree */
    size_t Count;
    size_t Cap;
} IG_COMPILE_INPUTS;

/* Appends the files of Paths to *Inputs (zeroed by the caller); 0 on success, -1 with a message on
 * stderr (an unreadable path, no .json file at all).  Verbose names the files skipped. */
int IgCompileReadInputs(char *const *Paths, size_t Count, bool Verbose, IG_COMPILE_INPUTS *Inputs);
void IgCompileInputsFree(IG_COMPILE_INPUTS *Inputs);

/* `introguard compile [-o OUT] [-b BUILD] [-c CONFIG] [-v] [--strict] [--hvmi-compat] INPUT...` */
int IgCmdCompile(int argc, char **argv);

#endif /* INTROGUARD_TOOLS_COMPILE_H */
