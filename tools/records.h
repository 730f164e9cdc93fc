/*
 * A whole exceptions file decoded into memory, for `dump` and `decompile`: the library's decoder
 * (intro_excfile.h) run over every record up front, so that a corrupt file is known to be corrupt
 * before anything is printed or written.
 */
#ifndef INTROGUARD_TOOLS_RECORDS_H
#define INTROGUARD_TOOLS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_excfile.h"

typedef struct IG_RECORD_LIST
{
    INTRO_EXCFILE_HEADER Header;
    INTRO_EXCFILE_RECORD *Records; /* views into the caller's buffer, which must outlive the list */
    size_t Count;
} IG_RECORD_LIST;

/*
 * Decodes every record of Data.  On failure Error says where and why, and the list is empty.
 * Free with IgRecordListFree (NULL-safe, idempotent).
 */
__attribute__((warn_unused_result)) INTSTATUS IgRecordListLoad(const uint8_t *Data, size_t Size, IG_RECORD_LIST *List,
                                                               INTRO_EXCEPTIONS_LOAD_ERROR *Error);
void IgRecordListFree(IG_RECORD_LIST *List);

/* Signature ID number Index of an exception or glob record (0 past the end or for other records). */
uint32_t IgRecordSigId(const INTRO_EXCFILE_RECORD *Record, uint32_t Index);
/* How many signature IDs an exception or glob record names (0 for other records). */
uint32_t IgRecordSigCount(const INTRO_EXCFILE_RECORD *Record);

/* True when Text is well-formed UTF-8 (no overlong forms, no surrogates), i.e. it can be carried
 * in a JSON string unchanged. */
bool IgTextIsUtf8(const char *Text, size_t Length);

#endif /* INTROGUARD_TOOLS_RECORDS_H */
