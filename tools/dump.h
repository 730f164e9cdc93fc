/*
 * `introguard dump`: every record of an exceptions file, decoded, as text or as one JSON document.
 */
#ifndef INTROGUARD_TOOLS_DUMP_H
#define INTROGUARD_TOOLS_DUMP_H

#include <stdbool.h>
#include <stdio.h>

#include "introguard/intro_excfile.h"
#include "tool_common.h"

typedef enum IG_DUMP_FORMAT
{
    IgDumpText = 0,
    IgDumpJson = 1,
} IG_DUMP_FORMAT;

/*
 * Decodes the whole file, then prints it to Out.  On a corrupt file returns the decoder's status
 * with Error filled and prints nothing.  INT_STATUS_UNSUCCESSFUL means the output could not be
 * written (Error->Message says so).  The output depends only on the bytes.
 */
__attribute__((warn_unused_result)) INTSTATUS IgDumpBuffer(const uint8_t *Data, size_t Size, IG_DUMP_FORMAT Format,
                                                           FILE *Out, INTRO_EXCEPTIONS_LOAD_ERROR *Error);

/* Prints the decoder error for Path in the CLI's format: "introguard: PATH: byte N (0xN): ...". */
void IgPrintParseError(FILE *Err, const char *Path, const INTRO_EXCEPTIONS_LOAD_ERROR *Error);

/*
 * Dumps the file at Path to Out; errors go to Err and nothing reaches Out for a file that fails.
 * Returns an exit code (IG_EXIT_OK or IG_EXIT_FAILURE).
 */
int IgDumpFile(const char *Path, IG_DUMP_FORMAT Format, FILE *Out, FILE *Err);

#endif /* INTROGUARD_TOOLS_DUMP_H */
