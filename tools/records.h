/*
 * A whole exceptions file decoded into memory, and what each field means for display: which
 * special-name table applies to a hash field, which flag names apply to a record.  Shared by
 * `dump` and `decompile`.
 */
#ifndef INTROGUARD_TOOLS_RECORDS_H
#define INTROGUARD_TOOLS_RECORDS_H

#include "exceptions/update_file.h"
#include "keywords.h"

typedef struct IG_RECORD_LIST
{
    IG_FILE_HEADER Header;
    IG_RECORD *Records; /* views into the caller's buffer, which must outlive the list */
    size_t Count;
} IG_RECORD_LIST;

/*
 * Decodes every record of Data.  On failure Error says where and why, and the list is empty.
 * Free with IgRecordListFree (NULL-safe, idempotent).
 */
__attribute__((warn_unused_result)) INTSTATUS IgRecordListLoad(const uint8_t *Data, size_t Size, IG_RECORD_LIST *List,
                                                               IG_PARSE_ERROR *Error);
void IgRecordListFree(IG_RECORD_LIST *List);

/* Hash fields whose small values are special names rather than hashes. */
typedef enum IG_HASH_FIELD
{
    IgFieldOriginator,
    IgFieldVictim,
    IgFieldProcess,
    IgFieldLibrary,    /* export signature library */
    IgFieldExportName, /* export signature entry */
} IG_HASH_FIELD;

#define IG_NO_SPECIAL_TABLE (-1)

/*
 * The special-name table (IG_KW_SPECIAL_TABLE) that names small values of Field in a record of
 * RecordType with Flags, or IG_NO_SPECIAL_TABLE.  Follows the compiler (spec §4.4): KM fields use
 * the kernel-mode table; UM, APC and KUM victim/process the user-mode one; a KUM originator uses
 * the user-mode table only when the flags carry `user`.
 */
int IgHashFieldTable(uint8_t RecordType, IG_HASH_FIELD Field, uint32_t Flags);

/* The special name of Value in Field, or NULL when Value is not special there. */
const char *IgHashFieldSpecial(uint8_t RecordType, IG_HASH_FIELD Field, uint32_t Flags, uint32_t Value);

/* Flag namespaces that name the bits of a record's flags (exception kinds, or signatures). */
unsigned IgRecordFlagNamespaces(uint8_t RecordType);

/* The object-type table of an exception record type, or NULL for other types. */
const IG_KEYWORD_TABLE *IgRecordObjectTable(uint8_t RecordType);

/* Reads signature ID number Index of an exception or glob record (Index < SigCount). */
uint32_t IgRecordSigId(const IG_RECORD *Record, uint32_t Index);

/* True when Text is well-formed UTF-8 (no overlong forms, no surrogates), i.e. it can be carried
 * in a JSON string unchanged. */
bool IgTextIsUtf8(const char *Text, size_t Length);

#endif /* INTROGUARD_TOOLS_RECORDS_H */
