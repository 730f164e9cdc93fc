/*
 * Helpers shared by the `introguard` commands: whole-file reads with a size cap, atomic file
 * writes, uniform error messages and a small option parser.
 *
 * Messages go to the FILE* the caller passes (stderr in the CLI, a temporary file in tests) in
 * one format: "introguard: PATH: what went wrong".  Nothing here keeps state between calls.
 */
#ifndef INTROGUARD_TOOLS_TOOL_COMMON_H
#define INTROGUARD_TOOLS_TOOL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "introguard/introstatus.h"

/* Exit codes of every command. */
#define IG_EXIT_OK 0      /* the work was done */
#define IG_EXIT_FAILURE 1 /* the work failed: unreadable or corrupt input, write error, ... */
#define IG_EXIT_USAGE 2   /* the command line was wrong */
#define IG_EXIT_FOUND 3   /* impact, lint: the work was done and found what a CI gate stops on */

/* Size caps for inputs read whole. */
#define IG_TOOL_MAX_BINARY_FILE (64u * 1024u * 1024u) /* an exceptions.bin */
#define IG_TOOL_MAX_TEXT_FILE (16u * 1024u * 1024u)   /* one JSON source file */

/* Prints "introguard: PATH: MESSAGE\n" (or "introguard: MESSAGE\n" when Path is NULL) to Err. */
void IgToolError(FILE *Err, const char *Path, const char *Format, ...) __attribute__((format(printf, 3, 4)));

/*
 * Reads all of Path into a new buffer (*Data, freed by the caller with free(); one extra NUL byte
 * follows the data so text can be used as a string).  Fails, with a message on Err, when the
 * file cannot be opened or read, is a directory, or holds more than MaxSize bytes.
 */
__attribute__((warn_unused_result)) INTSTATUS IgReadWholeFile(const char *Path, size_t MaxSize, uint8_t **Data,
                                                              size_t *Size, FILE *Err);

/*
 * Writes Size bytes of Data to the output Path.  A regular file (or a new path) is replaced
 * atomically: the bytes go to a temporary file in the same directory, are flushed to disk (fsync)
 * and renamed over it; on any failure the temporary file is removed, Path is untouched and a
 * message goes to Err.  A replaced file keeps its mode; a new one gets 0666 minus the umask.  A
 * symbolic link keeps pointing at its file, which is replaced.  A device or FIFO is written in
 * place with every error reported (/dev/full: a write error); a directory, socket or dangling
 * link is refused.
 */
__attribute__((warn_unused_result)) INTSTATUS IgWriteFileAtomic(const char *Path, const void *Data, size_t Size,
                                                                FILE *Err);

/* The SHA-256 of Size bytes at Data in lower-case hex (Hex: 65 bytes), as sha256sum prints it. */
void IgSha256Hex(const void *Data, size_t Size, char *Hex);

/* A growable text buffer for output that must be complete before any of it is shown. */
typedef struct IG_TEXT
{
    char *Data; /* NUL-terminated when Length > 0 */
    size_t Length;
    size_t Capacity;
    bool Failed; /* an allocation failed; later appends do nothing */
} IG_TEXT;

void IgTextAppend(IG_TEXT *Text, const char *Format, ...) __attribute__((format(printf, 2, 3)));
void IgTextAppendBytes(IG_TEXT *Text, const char *Bytes, size_t Length);
void IgTextFree(IG_TEXT *Text);
/* Text (Length bytes, UTF-8 passed through) as a JSON string: quotes, backslashes and control characters escaped. */
void IgTextJsonString(IG_TEXT *Out, const char *Text, size_t Length);

/* realloc() in the shape of the exceptions-file writer's PFUNC_IntExcFileRealloc (Context unused): the
 * tools' files are malloc'd and freed with free(). */
void *IgToolRealloc(void *Context, void *Block, size_t Size);

/* ---- Option parsing ------------------------------------------------------------------------- */

typedef struct IG_OPTION
{
    const char *Long; /* "output" for --output */
    char Short;       /* 'o' for -o, or 0 */
    bool HasValue;
    int Id; /* returned by IgOptNext; must be > 0 */
} IG_OPTION;

#define IG_OPT_END 0         /* no more arguments */
#define IG_OPT_POSITIONAL -1 /* *Value is a positional argument */
#define IG_OPT_ERROR -2      /* a usage error; the message went to Err */

typedef struct IG_OPT_STATE
{
    int Argc;
    char **Argv;
    int Index;           /* next argument to look at */
    bool Positional;     /* after "--": everything is positional */
    const char *Command; /* for messages: "dump" */
} IG_OPT_STATE;

/* Starts parsing Argv[1..Argc-1] (Argv[0] is the command name). */
void IgOptInit(IG_OPT_STATE *State, int Argc, char **Argv, const char *Command);

/*
 * Returns the next option's Id (with *Value set for options that take one), IG_OPT_POSITIONAL,
 * IG_OPT_END, or IG_OPT_ERROR after printing "introguard: COMMAND: ..." to Err.  Accepts --name,
 * --name=value, --name value, -x, -xvalue, -x value, and "--" to end the options; "-" alone is a
 * positional argument.
 */
int IgOptNext(IG_OPT_STATE *State, const IG_OPTION *Options, const char **Value, FILE *Err);

#endif /* INTROGUARD_TOOLS_TOOL_COMMON_H */
