/*
 * introguard: hvmi's exceptions file (exceptions.bin, format 2.2) for programs that read or write
 * one.  docs/format.md describes the file; this header is its one vocabulary in C.
 *
 *  - Vocabulary: record kinds, signature kinds and IDs, exception and signature flags with their
 *    namespaces and defaults, object types per exception kind, special names, the compiler's
 *    section order and sort keys, and the keyword tables of hvmi's JSON format (its config.json)
 *    with their lookups.  The engine's loader, the compiler, `dump`, `decompile`, the tests and the
 *    benchmarks all take these values from here.
 *  - Decoder: IntExcFileOpen and IntExcFileNext walk a file record by record and hand back typed
 *    views into the caller's buffer, with the loader's precise errors (offset and record index).
 *  - Writer: IntExcFileWrite* append a header and records of every kind to a caller-owned buffer,
 *    byte for byte as hvmi's compiler writes them.
 *
 * The tables are constants and nothing here keeps state: every function is safe from any thread.
 * Nothing here allocates; the writer grows its buffer only through the caller's Realloc.
 *
 * This header sits on top of the engine API (it reuses INTRO_EXCEPTIONS_LOAD_ERROR), so it
 * includes introguard.h rather than being part of it.
 */
#ifndef INTROGUARD_INTRO_EXCFILE_H
#define INTROGUARD_INTRO_EXCFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Natural alignment whatever #pragma pack the includer has in force: the library was built with it. */
#pragma pack(push, 8)

    /* ---- Layout -------------------------------------------------------------------------------------------- */

#define INTRO_EXCFILE_MAGIC 0x414E5845u /* "EXNA" on disk */
#define INTRO_EXCFILE_VERSION_MAJOR 2u  /* what the compiler writes; the loader needs major 2 */
#define INTRO_EXCFILE_VERSION_MINOR 2u  /* ... and minor 2 or newer */
#define INTRO_EXCFILE_HEADER_SIZE 36u
#define INTRO_EXCFILE_RECORD_HEADER_SIZE 3u /* type (u8) and body size (u16) */
#define INTRO_EXCFILE_RECORD_MAX_SIZE 0xFFFFu
#define INTRO_EXCFILE_GLOB_PATTERN_MAX 64u /* bytes of one glob pattern with its NUL (hvmi's array) */

/* Body sizes: fixed parts, and the size of one entry of the variable part. */
#define INTRO_EXCFILE_EXCEPTION_FIXED_SIZE 20u /* KM, UM, APC and KUM; then 4 per signature ID */
#define INTRO_EXCFILE_GLOB_FIXED_SIZE 8u       /* then three patterns, then 4 per signature ID */
#define INTRO_EXCFILE_CODEBLOCKS_FIXED_SIZE 10u
#define INTRO_EXCFILE_EXPORT_FIXED_SIZE 16u
#define INTRO_EXCFILE_EXPORT_ENTRY_SIZE 8u
#define INTRO_EXCFILE_VALUE_FIXED_SIZE 12u
#define INTRO_EXCFILE_VALUE_ENTRY_SIZE 12u
#define INTRO_EXCFILE_VALUE_CODE_FIXED_SIZE 12u /* then 2 per pattern item */
#define INTRO_EXCFILE_IDT_SIZE 12u
#define INTRO_EXCFILE_VERSION_SIZE 24u
#define INTRO_EXCFILE_PROCESS_CREATION_SIZE 24u

/* Value-code pattern items: 0x00-0xFF one byte, this value any byte. */
#define INTRO_EXCFILE_PATTERN_ANY 0x100u

    /* ---- Record kinds (the type byte of each record) -------------------------------------------------------- */

#define INTRO_EXCFILE_REC_KERNEL 1u
#define INTRO_EXCFILE_REC_USER 2u
#define INTRO_EXCFILE_REC_CODEBLOCKS 3u
#define INTRO_EXCFILE_REC_EXPORT 4u
#define INTRO_EXCFILE_REC_VALUE 5u
#define INTRO_EXCFILE_REC_USER_GLOB 6u
#define INTRO_EXCFILE_REC_VALUE_CODE 8u
#define INTRO_EXCFILE_REC_USER_APC 9u
#define INTRO_EXCFILE_REC_IDT 10u
#define INTRO_EXCFILE_REC_VERSION_OS 11u
#define INTRO_EXCFILE_REC_VERSION_INTRO 12u
#define INTRO_EXCFILE_REC_PROCESS_CREATION 13u
#define INTRO_EXCFILE_REC_KERNEL_USER 14u

/* Bit n set: type n is such a record (types are below 16). */
#define INTRO_EXCFILE_EXCEPTION_TYPES                                                                                  \
    ((1u << INTRO_EXCFILE_REC_KERNEL) | (1u << INTRO_EXCFILE_REC_USER) | (1u << INTRO_EXCFILE_REC_USER_GLOB) |         \
     (1u << INTRO_EXCFILE_REC_USER_APC) | (1u << INTRO_EXCFILE_REC_KERNEL_USER))
#define INTRO_EXCFILE_SIGNATURE_TYPES                                                                                  \
    ((1u << INTRO_EXCFILE_REC_CODEBLOCKS) | (1u << INTRO_EXCFILE_REC_EXPORT) | (1u << INTRO_EXCFILE_REC_VALUE) |       \
     (1u << INTRO_EXCFILE_REC_VALUE_CODE) | (1u << INTRO_EXCFILE_REC_IDT) | (1u << INTRO_EXCFILE_REC_VERSION_OS) |     \
     (1u << INTRO_EXCFILE_REC_VERSION_INTRO) | (1u << INTRO_EXCFILE_REC_PROCESS_CREATION))
#define INTRO_EXCFILE_KNOWN_TYPES (INTRO_EXCFILE_EXCEPTION_TYPES | INTRO_EXCFILE_SIGNATURE_TYPES)

/* ---- Signature kinds and IDs ---------------------------------------------------------------------------- */

/* A signature ID is its kind's type code in bits 22-31 and a sequence number in bits 0-21. */
#define INTRO_EXCFILE_SIG_VERSION_OS 50u
#define INTRO_EXCFILE_SIG_VERSION_INTRO 51u
#define INTRO_EXCFILE_SIG_PROCESS_CREATION 70u
#define INTRO_EXCFILE_SIG_EXPORT 100u
#define INTRO_EXCFILE_SIG_VALUE 200u
#define INTRO_EXCFILE_SIG_IDT 300u
#define INTRO_EXCFILE_SIG_VALUE_CODE 500u
#define INTRO_EXCFILE_SIG_CODEBLOCKS 600u

#define INTRO_EXCFILE_SIG_SEQ_MAX 0x3FFFFFu
#define INTRO_EXCFILE_SIG_ID_TYPE(Id) ((uint32_t)(Id) >> 22)
#define INTRO_EXCFILE_SIG_ID_SEQ(Id) ((uint32_t)(Id)&INTRO_EXCFILE_SIG_SEQ_MAX)
#define INTRO_EXCFILE_SIG_ID(Type, Seq) (((uint32_t)(Type) << 22) | ((uint32_t)(Seq)&INTRO_EXCFILE_SIG_SEQ_MAX))

/* ---- Exception flags ------------------------------------------------------------------------------------ */

/* Common to every exception kind (namespace "common"). */
#define INTRO_EXCFILE_FLG_FEEDBACK 0x00000001u
#define INTRO_EXCFILE_FLG_32 0x00000002u
#define INTRO_EXCFILE_FLG_64 0x00000004u
#define INTRO_EXCFILE_FLG_INIT 0x00000008u
#define INTRO_EXCFILE_FLG_RETURN 0x00000010u
#define INTRO_EXCFILE_FLG_LINUX 0x00000080u
#define INTRO_EXCFILE_FLG_READ 0x10000000u
#define INTRO_EXCFILE_FLG_WRITE 0x20000000u
#define INTRO_EXCFILE_FLG_EXECUTE 0x40000000u
#define INTRO_EXCFILE_FLG_IGNORE 0x80000000u /* the loader drops the record */

/* Kernel-mode ("kernel-mode"); the kernel-user matcher reads 0x100 and 0x200 with these meanings too. */
#define INTRO_EXCFILE_FLG_KM_NON_DRIVER 0x00000100u
#define INTRO_EXCFILE_FLG_KM_RETURN_DRV 0x00000200u
#define INTRO_EXCFILE_FLG_KM_SMAP 0x00000400u
#define INTRO_EXCFILE_FLG_KM_SMEP 0x00000800u
#define INTRO_EXCFILE_FLG_KM_INTEGRITY 0x00001000u

/* User-mode ("user-mode"): the same bits as some kernel-mode flags, with other meanings. */
#define INTRO_EXCFILE_FLG_UM_SYS_PROC 0x00000100u
#define INTRO_EXCFILE_FLG_UM_CHILD_PROC 0x00000200u
#define INTRO_EXCFILE_FLG_UM_ONETIME 0x00000800u
#define INTRO_EXCFILE_FLG_UM_LIKE_APPHELP 0x00001000u
#define INTRO_EXCFILE_FLG_UM_DEBUG 0x00002000u /* also spelled "reserved"; no matcher reads it */
#define INTRO_EXCFILE_FLG_UM_MODULE_LOAD 0x00004000u

/* Kernel-user ("kernel-user-mode"): which side injected. */
#define INTRO_EXCFILE_FLG_KUM_USER 0x00008000u
#define INTRO_EXCFILE_FLG_KUM_KERNEL 0x00010000u

/* What an exception gets when its flags name neither 32 nor 64. */
#define INTRO_EXCFILE_FLG_DEFAULT_ARCH (INTRO_EXCFILE_FLG_32 | INTRO_EXCFILE_FLG_64)

    /* ---- Signature flags ("signatures") --------------------------------------------------------------------- */

#define INTRO_EXCFILE_SIG_FLG_32 0x00000001u
#define INTRO_EXCFILE_SIG_FLG_64 0x00000002u
#define INTRO_EXCFILE_SIG_FLG_MEDIUM 0x00000004u /* code blocks: medium extraction level */
#define INTRO_EXCFILE_SIG_FLG_LINUX 0x00000080u
#define INTRO_EXCFILE_SIG_FLG_CLI 0x00010000u /* value: hash the command line */
#define INTRO_EXCFILE_SIG_FLG_DEFAULT_ARCH (INTRO_EXCFILE_SIG_FLG_32 | INTRO_EXCFILE_SIG_FLG_64)

/* ---- Object types per exception kind --------------------------------------------------------------------- */

/* Kernel-mode records (type 1). */
#define INTRO_EXCFILE_KM_OBJ_NONE 0u
#define INTRO_EXCFILE_KM_OBJ_ANY 1u
#define INTRO_EXCFILE_KM_OBJ_DRIVER 2u
#define INTRO_EXCFILE_KM_OBJ_DRIVER_IMPORTS 3u
#define INTRO_EXCFILE_KM_OBJ_DRIVER_CODE 4u
#define INTRO_EXCFILE_KM_OBJ_DRIVER_DATA 5u
#define INTRO_EXCFILE_KM_OBJ_DRIVER_RESOURCES 6u
#define INTRO_EXCFILE_KM_OBJ_SSDT 7u
#define INTRO_EXCFILE_KM_OBJ_DRVOBJ 8u
#define INTRO_EXCFILE_KM_OBJ_FASTIO 9u
#define INTRO_EXCFILE_KM_OBJ_MSR 10u
#define INTRO_EXCFILE_KM_OBJ_CR4 11u
#define INTRO_EXCFILE_KM_OBJ_HAL_HEAP 12u
#define INTRO_EXCFILE_KM_OBJ_SELFMAP 13u
#define INTRO_EXCFILE_KM_OBJ_IDT 14u
#define INTRO_EXCFILE_KM_OBJ_IDT_REG 15u
#define INTRO_EXCFILE_KM_OBJ_GDT_REG 16u
#define INTRO_EXCFILE_KM_OBJ_INFINITY_HOOK 17u
#define INTRO_EXCFILE_KM_OBJ_DRIVER_EXPORTS 18u
#define INTRO_EXCFILE_KM_OBJ_TOKEN_PRIVS 19u
#define INTRO_EXCFILE_KM_OBJ_SUD_EXEC 20u
#define INTRO_EXCFILE_KM_OBJ_HAL_PERF_COUNTER 21u
#define INTRO_EXCFILE_KM_OBJ_SECURITY_DESCRIPTOR 22u
#define INTRO_EXCFILE_KM_OBJ_ACL_EDIT 23u
#define INTRO_EXCFILE_KM_OBJ_SUD_MODIFICATION 24u
#define INTRO_EXCFILE_KM_OBJ_INTERRUPT_OBJ 25u
#define INTRO_EXCFILE_KM_OBJ_COUNT 26u

/* User-mode records: user (type 2), user APC (type 9) and glob (type 6). */
#define INTRO_EXCFILE_UM_OBJ_NONE 0u
#define INTRO_EXCFILE_UM_OBJ_ANY 1u
#define INTRO_EXCFILE_UM_OBJ_PROCESS 2u
#define INTRO_EXCFILE_UM_OBJ_MODULE 3u
#define INTRO_EXCFILE_UM_OBJ_MODULE_IMPORTS 4u
#define INTRO_EXCFILE_UM_OBJ_NX_ZONE 5u
#define INTRO_EXCFILE_UM_OBJ_MODULE_EXPORTS 6u
#define INTRO_EXCFILE_UM_OBJ_THREAD_CONTEXT 7u
#define INTRO_EXCFILE_UM_OBJ_PEB32 8u
#define INTRO_EXCFILE_UM_OBJ_PEB64 9u
#define INTRO_EXCFILE_UM_OBJ_APC_THREAD 10u
#define INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION 11u
#define INTRO_EXCFILE_UM_OBJ_DOUBLE_AGENT 12u
#define INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION_DPI 13u
#define INTRO_EXCFILE_UM_OBJ_SUD_EXEC 14u
#define INTRO_EXCFILE_UM_OBJ_INSTRUMENTATION 15u
#define INTRO_EXCFILE_UM_OBJ_COUNT 16u

/* Kernel-user records (type 14). */
#define INTRO_EXCFILE_KUM_OBJ_NONE 0u
#define INTRO_EXCFILE_KUM_OBJ_ANY 1u
#define INTRO_EXCFILE_KUM_OBJ_MODULE 2u
#define INTRO_EXCFILE_KUM_OBJ_MODULE_IMPORTS 3u
#define INTRO_EXCFILE_KUM_OBJ_MODULE_EXPORTS 4u
#define INTRO_EXCFILE_KUM_OBJ_COUNT 5u

    /* ---- Special names: values stored in a name field instead of a hash ------------------------------------------ */

#define INTRO_EXCFILE_NAME_ANY INTRO_EXC_NAME_ANY           /* "*" */
#define INTRO_EXCFILE_NAME_OWN INTRO_EXC_NAME_OWN           /* "[own]" */
#define INTRO_EXCFILE_NAME_KERNEL INTRO_EXC_NAME_KERNEL     /* "[kernel]" (kernel-mode table) */
#define INTRO_EXCFILE_NAME_HAL INTRO_EXC_NAME_HAL           /* "[hal]" (kernel-mode table) */
#define INTRO_EXCFILE_NAME_VDSO INTRO_EXC_NAME_KERNEL       /* "[vdso]" (user-mode table) */
#define INTRO_EXCFILE_NAME_VSYSCALL INTRO_EXC_NAME_HAL      /* "[vsyscall]" (user-mode table) */
#define INTRO_EXCFILE_NAME_NONE INTRO_EXC_NAME_NONE_SPECIAL /* "-" */
/* The hash of an empty name; also what the compiler writes in a kernel record's path slot. */
#define INTRO_EXCFILE_NO_NAME INTRO_EXC_NO_NAME

    /* ---- Keyword tables (hvmi's config.json, built in) ----------------------------------------------------- */

    /* One keyword and the number it stands for. */
    typedef struct INTRO_EXCFILE_KEYWORD
    {
        const char *Name;
        uint32_t Value;
    } INTRO_EXCFILE_KEYWORD;

    /*
     * A named table of keywords in config.json order.  Several names may share a value (user flags
     * `debug` and `reserved`); value-to-name lookups return the first.  Lookups are exact and
     * case-sensitive, as hvmi's are.
     */
    typedef struct INTRO_EXCFILE_KEYWORD_TABLE
    {
        const char *Name; /* the config.json section, e.g. "kernel-mode" */
        const INTRO_EXCFILE_KEYWORD *Entries;
        size_t Count;
    } INTRO_EXCFILE_KEYWORD_TABLE;

    /* Object-type tables (config.json "Types").  APC and glob records use the user-mode table. */
    typedef enum INTRO_EXCFILE_OBJECT_TABLE
    {
        INTRO_EXCFILE_OBJECTS_KERNEL = 0,  /* "kernel-mode" */
        INTRO_EXCFILE_OBJECTS_USER,        /* "user-mode" */
        INTRO_EXCFILE_OBJECTS_KERNEL_USER, /* "kernel-user-mode" */
        INTRO_EXCFILE_OBJECT_TABLE_COUNT
    } INTRO_EXCFILE_OBJECT_TABLE;

/* Flag namespaces (config.json "Flags"), as bits so that a record kind can name the set it uses. */
#define INTRO_EXCFILE_FLAGS_COMMON 0x01u      /* "common": every exception kind */
#define INTRO_EXCFILE_FLAGS_KERNEL 0x02u      /* "kernel-mode" */
#define INTRO_EXCFILE_FLAGS_USER 0x04u        /* "user-mode" */
#define INTRO_EXCFILE_FLAGS_KERNEL_USER 0x08u /* "kernel-user-mode" */
#define INTRO_EXCFILE_FLAGS_SIGNATURE 0x10u   /* "signatures": every signature kind, alone */
#define INTRO_EXCFILE_FLAGS_ALL 0x1Fu

    /* Special-name tables (config.json "Predefined"; hvmi's compiler never uses its kernel-user one). */
    typedef enum INTRO_EXCFILE_SPECIAL_TABLE
    {
        INTRO_EXCFILE_SPECIAL_NONE = -1,  /* the field has no special names */
        INTRO_EXCFILE_SPECIAL_KERNEL = 0, /* "kernel-mode": * [own] [kernel] [hal] - */
        INTRO_EXCFILE_SPECIAL_USER,       /* "user-mode": * [own] [vdso] [vsyscall] - */
        INTRO_EXCFILE_SPECIAL_SIGNATURE,  /* "signature": * - (export function names) */
        INTRO_EXCFILE_SPECIAL_TABLE_COUNT
    } INTRO_EXCFILE_SPECIAL_TABLE;

    /* NULL for a value out of range. */
    INTROGUARD_API const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileObjectTypes(INTRO_EXCFILE_OBJECT_TABLE Table);
    /* One flag namespace: Namespace is exactly one INTRO_EXCFILE_FLAGS_* bit, NULL otherwise. */
    INTROGUARD_API const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileFlagTable(unsigned Namespace);
    INTROGUARD_API const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_TABLE Table);
    /* config.json "ProcessCreationFlags": the names of a process-creation signature's create mask. */
    INTROGUARD_API const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileCreateMaskNames(void);

    /* Name (Length bytes, need not be NUL-terminated) -> value.  False if Table lacks it. */
    INTROGUARD_API bool IntExcFileKeywordFind(const INTRO_EXCFILE_KEYWORD_TABLE *Table, const char *Name, size_t Length,
                                              uint32_t *Value);
    /* Value -> the first name with that value, or NULL. */
    INTROGUARD_API const char *IntExcFileKeywordName(const INTRO_EXCFILE_KEYWORD_TABLE *Table, uint32_t Value);

    /* A flag name in the union of Namespaces, searched common, kernel-mode, user-mode, kernel-user, signatures. */
    INTROGUARD_API bool IntExcFileFlagFind(unsigned Namespaces, const char *Name, size_t Length, uint32_t *Value);
    /* The name of the single-bit flag Bit in the union of Namespaces (same order), or NULL. */
    INTROGUARD_API const char *IntExcFileFlagName(unsigned Namespaces, uint32_t Bit);

    /*
     * Writes Flags as space-separated names, lowest bit first, each bit named from Namespaces; a bit
     * no namespace names is written as "0x%08X".  Zero gives "".  Returns the length the whole text
     * needs (as snprintf does); the text is truncated, and stays NUL-terminated, if Size is too small.
     */
    INTROGUARD_API size_t IntExcFileFormatFlags(unsigned Namespaces, uint32_t Flags, char *Buffer, size_t Size);
    /* The same for a bit mask named by one table (the create mask). */
    INTROGUARD_API size_t IntExcFileFormatMask(const INTRO_EXCFILE_KEYWORD_TABLE *Table, uint32_t Value, char *Buffer,
                                               size_t Size);

    /* ---- Record kinds and what their fields mean ------------------------------------------------------------ */

    /* "kernel", "user", "user-glob-match", "codeblocks", ... for a known record type, NULL otherwise. */
    INTROGUARD_API const char *IntExcFileRecordTypeName(uint8_t Type);

    /* An exception kind: a "Type" of the exception JSON and its record. */
    typedef struct INTRO_EXCFILE_EXCEPTION_KIND
    {
        const char *Name;                       /* "kernel", "user", "user-apc", "user-glob-match", "kernel-user" */
        uint8_t RecordType;                     /* INTRO_EXCFILE_REC_* */
        INTRO_EXCFILE_OBJECT_TABLE ObjectTable; /* what its object types mean */
        unsigned AcceptedFlags;                 /* namespaces the compiler accepts for it */
        unsigned DisplayFlags; /* namespaces that name its bits as the matchers read them (KUM: kernel-mode) */
    } INTRO_EXCFILE_EXCEPTION_KIND;

    INTROGUARD_API const INTRO_EXCFILE_EXCEPTION_KIND *IntExcFileExceptionKindByName(const char *Name, size_t Length);
    INTROGUARD_API const INTRO_EXCFILE_EXCEPTION_KIND *IntExcFileExceptionKindByRecord(uint8_t RecordType);
    /* All five, in the order kernel, user, user-apc, user-glob-match, kernel-user. */
    INTROGUARD_API const INTRO_EXCFILE_EXCEPTION_KIND *IntExcFileExceptionKinds(size_t *Count);

    /* A signature kind: a `sig_type` of the JSON, its ID type code and its record. */
    typedef struct INTRO_EXCFILE_SIGNATURE_KIND
    {
        const char *Name;   /* "codeblocks", "export", ... */
        uint32_t TypeCode;  /* INTRO_EXCFILE_SIG_* */
        uint8_t RecordType; /* INTRO_EXCFILE_REC_* */
    } INTRO_EXCFILE_SIGNATURE_KIND;

    INTROGUARD_API const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKindByName(const char *Name, size_t Length);
    INTROGUARD_API const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKindByCode(uint32_t TypeCode);
    INTROGUARD_API const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKindByRecord(uint8_t RecordType);
    /* All eight, in config.json order (ascending type code). */
    INTROGUARD_API const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKinds(size_t *Count);

    /* A config.json "Groups" entry: a name that the compiler expands into several names. */
    typedef struct INTRO_EXCFILE_GROUP
    {
        const char *Name; /* "[office apps]", ... */
        const char *const *Members;
        size_t Count;
    } INTRO_EXCFILE_GROUP;

    INTROGUARD_API const INTRO_EXCFILE_GROUP *IntExcFileGroupFind(const char *Name, size_t Length);
    INTROGUARD_API const INTRO_EXCFILE_GROUP *IntExcFileGroups(size_t *Count);

    /* The name fields of records, whose small values may be special names instead of hashes. */
    typedef enum INTRO_EXCFILE_FIELD
    {
        INTRO_EXCFILE_FIELD_ORIGINATOR,
        INTRO_EXCFILE_FIELD_VICTIM,
        INTRO_EXCFILE_FIELD_PROCESS,
        INTRO_EXCFILE_FIELD_LIBRARY,     /* export signature: the library */
        INTRO_EXCFILE_FIELD_EXPORT_NAME, /* export signature entry: the function */
    } INTRO_EXCFILE_FIELD;

    /*
     * The special-name table for Field of a record of RecordType with Flags, as the compiler uses
     * it: kernel fields the kernel-mode table; user, APC and kernel-user victim and process the
     * user-mode one; a kernel-user originator the user-mode one only when Flags carry `user`.
     */
    INTROGUARD_API INTRO_EXCFILE_SPECIAL_TABLE IntExcFileFieldSpecialTable(uint8_t RecordType,
                                                                           INTRO_EXCFILE_FIELD Field, uint32_t Flags);
    /* The special name Value stands for in that field, or NULL when it is not special there. */
    INTROGUARD_API const char *IntExcFileFieldSpecialName(uint8_t RecordType, INTRO_EXCFILE_FIELD Field, uint32_t Flags,
                                                          uint32_t Value);
    /* The flag namespaces that name a record's flag bits (DisplayFlags of its kind, or signatures), 0 if none. */
    INTROGUARD_API unsigned IntExcFileRecordFlagNamespaces(uint8_t RecordType);
    /* The object-type table of an exception record type, NULL for other types. */
    INTROGUARD_API const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileRecordObjectTypes(uint8_t RecordType);

    /* ---- Typed views of records ---------------------------------------------------------------------------- */

    /*
     * A run of Count unsigned values.  The decoder points Le at little-endian values inside the
     * file (they may be unaligned: read them with IntExcFileU32At / IntExcFileU16At); a program
     * writing a file may point Values at an array in host order instead.  Exactly one of the two is
     * used: Le when it is not NULL.
     */
    typedef struct INTRO_EXCFILE_U32_ARRAY
    {
        const uint8_t *Le;
        const uint32_t *Values;
        uint32_t Count;
    } INTRO_EXCFILE_U32_ARRAY;

    typedef struct INTRO_EXCFILE_U16_ARRAY
    {
        const uint8_t *Le;
        const uint16_t *Values;
        uint32_t Count;
    } INTRO_EXCFILE_U16_ARRAY;

    /* Element Index, or 0 when Index >= Count. */
    INTROGUARD_API uint32_t IntExcFileU32At(const INTRO_EXCFILE_U32_ARRAY *Array, uint32_t Index);
    INTROGUARD_API uint16_t IntExcFileU16At(const INTRO_EXCFILE_U16_ARRAY *Array, uint32_t Index);

    /* A glob pattern without its NUL. */
    typedef struct INTRO_EXCFILE_TEXT
    {
        const char *Text;
        size_t Length;
    } INTRO_EXCFILE_TEXT;

    typedef struct INTRO_EXCFILE_HEADER
    {
        uint32_t Magic;
        uint16_t Major;
        uint16_t Minor;
        uint32_t KernelCount;
        uint32_t UserCount; /* user plus user-APC records */
        uint32_t SignatureCount;
        uint32_t BuildNumber;
        uint32_t GlobCount;
        uint32_t KernelUserCount;
        uint32_t Reserved;
    } INTRO_EXCFILE_HEADER;

    /* Kernel (1), user (2), user-APC (9) and kernel-user (14) records: one fixed head. */
    typedef struct INTRO_EXCFILE_EXCEPTION
    {
        uint32_t Originator;
        uint32_t OriginatorPath; /* kernel records only (the compiler writes INTRO_EXCFILE_NO_NAME) */
        uint32_t Victim;
        uint32_t Process; /* user, APC and kernel-user records only */
        uint32_t Flags;
        uint8_t Reserved;
        uint8_t ObjectType;
        INTRO_EXCFILE_U32_ARRAY SigIds;
    } INTRO_EXCFILE_EXCEPTION;

    typedef struct INTRO_EXCFILE_GLOB
    {
        uint32_t Flags;
        uint8_t Reserved;
        uint8_t ObjectType;
        INTRO_EXCFILE_TEXT Originator;
        INTRO_EXCFILE_TEXT Victim;
        INTRO_EXCFILE_TEXT Process;
        /* Decoder only: false for an `ignore`d record whose patterns are malformed (hvmi skips it
         * before reading them); its patterns and IDs are then empty. */
        bool PatternsValid;
        INTRO_EXCFILE_U32_ARRAY SigIds;
    } INTRO_EXCFILE_GLOB;

    /*
     * Code blocks: ListCount lists of hashes.  The decoder points Lists at the encoded lists
     * (ListCount x {u8 count; u32 hashes[count]}, ListsSize bytes); a writer's caller gives
     * ListSizes (ListCount counts) and Hashes (all lists back to back) instead.  Walk the lists of
     * either form with IntExcFileNextHashList.
     */
    typedef struct INTRO_EXCFILE_CODEBLOCKS
    {
        uint32_t Id;
        uint32_t Flags;
        uint8_t Score;
        uint8_t ListCount;
        uint32_t HashCount; /* over all lists (decoder) */
        const uint8_t *Lists;
        size_t ListsSize;
        const uint8_t *ListSizes;
        const uint32_t *Hashes;
    } INTRO_EXCFILE_CODEBLOCKS;

    typedef struct INTRO_EXCFILE_HASH_CURSOR
    {
        uint32_t List;   /* lists returned so far */
        size_t Position; /* in Lists, or in Hashes */
    } INTRO_EXCFILE_HASH_CURSOR;

    /* Returns the next list of CodeBlocks in *List (a view into its storage); false after the last.
     * Start with a zeroed cursor. */
    INTROGUARD_API bool IntExcFileNextHashList(const INTRO_EXCFILE_CODEBLOCKS *CodeBlocks,
                                               INTRO_EXCFILE_HASH_CURSOR *Cursor, INTRO_EXCFILE_U32_ARRAY *List);

    typedef struct INTRO_EXCFILE_EXPORT_ENTRY
    {
        uint16_t Delta;
        uint8_t Reserved[2];
        uint32_t FunctionHash;
    } INTRO_EXCFILE_EXPORT_ENTRY;

    /* Entries: the decoder sets EntriesLe (Count x 8 bytes); a writer's caller may set Entries. */
    typedef struct INTRO_EXCFILE_EXPORT
    {
        uint32_t Id;
        uint32_t Flags;
        uint32_t Library;
        uint8_t Count;
        uint8_t Align[3];
        const uint8_t *EntriesLe;
        const INTRO_EXCFILE_EXPORT_ENTRY *Entries;
    } INTRO_EXCFILE_EXPORT;

    typedef struct INTRO_EXCFILE_VALUE_ENTRY
    {
        uint16_t Offset;
        uint16_t Size;
        uint8_t Reserved[4];
        uint32_t Hash;
    } INTRO_EXCFILE_VALUE_ENTRY;

    typedef struct INTRO_EXCFILE_VALUE
    {
        uint32_t Id;
        uint32_t Flags;
        uint8_t Score;
        uint8_t Count;
        uint16_t Align;
        const uint8_t *EntriesLe; /* Count x 12 bytes (decoder) */
        const INTRO_EXCFILE_VALUE_ENTRY *Entries;
    } INTRO_EXCFILE_VALUE;

    /* Entry Index of an export or value signature, from either form; false when Index >= Count. */
    INTROGUARD_API bool IntExcFileExportEntryAt(const INTRO_EXCFILE_EXPORT *Export, uint32_t Index,
                                                INTRO_EXCFILE_EXPORT_ENTRY *Entry);
    INTROGUARD_API bool IntExcFileValueEntryAt(const INTRO_EXCFILE_VALUE *Value, uint32_t Index,
                                               INTRO_EXCFILE_VALUE_ENTRY *Entry);

    typedef struct INTRO_EXCFILE_VALUE_CODE
    {
        uint32_t Id;
        uint32_t Flags;
        int16_t Offset;
        INTRO_EXCFILE_U16_ARRAY Pattern; /* items: 0x00-0xFF a byte, INTRO_EXCFILE_PATTERN_ANY any byte */
    } INTRO_EXCFILE_VALUE_CODE;

    typedef struct INTRO_EXCFILE_IDT
    {
        uint32_t Id;
        uint32_t Flags;
        uint8_t Entry;
        uint8_t Reserved[3];
    } INTRO_EXCFILE_IDT;

    /* OS-version (11) and introcore-version (12) signatures share the layout. */
    typedef struct INTRO_EXCFILE_VERSION
    {
        uint32_t Id;
        uint32_t Flags;
        uint64_t Minimum;
        uint64_t Maximum;
    } INTRO_EXCFILE_VERSION;

    typedef struct INTRO_EXCFILE_PROCESS_CREATION
    {
        uint32_t Id;
        uint32_t Flags;
        uint32_t CreateMask;
        uint8_t Reserved[12];
    } INTRO_EXCFILE_PROCESS_CREATION;

    typedef struct INTRO_EXCFILE_RECORD
    {
        uint8_t Type;        /* INTRO_EXCFILE_REC_*, or an unknown value */
        bool Known;          /* false: an unknown type, skipped by size (only Body is set) */
        uint16_t Size;       /* body size */
        uint32_t Index;      /* 0-based position in the file */
        uint64_t Offset;     /* offset of the record header in the file */
        const uint8_t *Body; /* Size bytes */
        union
        {
            INTRO_EXCFILE_EXCEPTION Exception; /* kernel, user, user-APC, kernel-user */
            INTRO_EXCFILE_GLOB Glob;
            INTRO_EXCFILE_CODEBLOCKS CodeBlocks;
            INTRO_EXCFILE_EXPORT Export;
            INTRO_EXCFILE_VALUE Value;
            INTRO_EXCFILE_VALUE_CODE ValueCode;
            INTRO_EXCFILE_IDT Idt;
            INTRO_EXCFILE_VERSION Version; /* OS and introcore versions */
            INTRO_EXCFILE_PROCESS_CREATION ProcessCreation;
        } u;
    } INTRO_EXCFILE_RECORD;

    /* The signature ID of a signature record, 0 for other records. */
    INTROGUARD_API uint32_t IntExcFileRecordId(const INTRO_EXCFILE_RECORD *Record);
    /* The flags of any known record (exception or signature flags), 0 for unknown types. */
    INTROGUARD_API uint32_t IntExcFileRecordFlags(const INTRO_EXCFILE_RECORD *Record);
    /* The signature IDs an exception or glob record names, NULL for other records. */
    INTROGUARD_API const INTRO_EXCFILE_U32_ARRAY *IntExcFileRecordSigIds(const INTRO_EXCFILE_RECORD *Record);

    /* ---- Section order and sort keys of the compiler --------------------------------------------------------- */

    /*
     * hvmi's compiler writes kernel records, then user and user-APC records (one section, sorted
     * together), then kernel-user, then glob records, then signatures by ascending ID.  Glob
     * records whose originator starts with a glob character come first in their section (in the
     * order they were read), then all others sorted.  Within the other sections each kind sorts by
     * its keys (see the comparators); equal keys keep the order they were read in.
     */
#define INTRO_EXCFILE_SECTION_KERNEL 0u
#define INTRO_EXCFILE_SECTION_USER 1u
#define INTRO_EXCFILE_SECTION_KERNEL_USER 2u
#define INTRO_EXCFILE_SECTION_GLOB 3u
#define INTRO_EXCFILE_SECTION_SIGNATURES 4u
#define INTRO_EXCFILE_SECTION_UNKNOWN 5u

    INTROGUARD_API unsigned IntExcFileSection(uint8_t RecordType);

    /*
     * Orders two records of RecordType's section by the compiler's keys: kernel (originator,
     * object type, victim, flags), user and APC (originator, object type, victim, process, flags),
     * kernel-user (originator, process, object type, victim, flags).  Returns <0, 0 or >0.
     */
    INTROGUARD_API int IntExcFileCompareExceptions(uint8_t RecordType, const INTRO_EXCFILE_EXCEPTION *A,
                                                   const INTRO_EXCFILE_EXCEPTION *B);
    /* Glob keys: originator pattern, object type, victim pattern, process pattern, flags (bytewise). */
    INTROGUARD_API int IntExcFileCompareGlobs(const INTRO_EXCFILE_GLOB *A, const INTRO_EXCFILE_GLOB *B);
    /* Whether a glob record with this originator pattern leads the glob section. */
    INTROGUARD_API bool IntExcFileGlobLeads(const char *Originator, size_t Length);

    /* ---- Name hashes ------------------------------------------------------------------------------------------ */

    /*
     * hvmi's name hash of Size raw bytes (a reflected CRC-32 with a zero start and a final XOR;
     * INTRO_EXCFILE_NO_NAME for no bytes).  No case folding, trimming or widening is done: the caller
     * passes the exact bytes hvmi hashes (a wide name as its UTF-16LE bytes).
     */
    INTROGUARD_API uint32_t IntExcFileHash(const void *Data, size_t Size);

    /* ---- Decoder --------------------------------------------------------------------------------------------------
     */

    /* Where a walk stands.  Fill it with IntExcFileOpen; the fields are the decoder's. */
    typedef struct INTRO_EXCFILE_ITERATOR
    {
        const uint8_t *Data;
        size_t Size;
        size_t Position; /* offset of the next record */
        uint32_t NextIndex;
        /* The header's record counts (kernel, user, signatures, glob, kernel-user) and the records
         * seen of each, compared after the last record; the first record past its count. */
        uint32_t Promised[5];
        uint32_t Seen[5];
        uint8_t ExcessType; /* 0: none yet */
        uint8_t ExcessKind;
        uint32_t ExcessIndex;
        uint64_t ExcessOffset;
    } INTRO_EXCFILE_ITERATOR;

    /*
     * Checks the header of the Length bytes at Buffer (in hvmi's order: length, magic, major, minor,
     * all-zero exception counts) and sets *Iterator on the first record.  The buffer stays the
     * caller's and must outlive the iterator and every record view taken from it.
     *
     * Returns INT_STATUS_SUCCESS, or the status the engine's loader returns for the same defect with
     * *Error saying where and why (Error may be NULL; it is zeroed on success).
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileOpen(const void *Buffer, size_t Length,
                                                                  INTRO_EXCFILE_HEADER *Header,
                                                                  INTRO_EXCFILE_ITERATOR *Iterator,
                                                                  INTRO_EXCEPTIONS_LOAD_ERROR *Error);

    /*
     * Decodes the next record into *Record, checking its shape as the loader does (each record must
     * fill its declared size exactly; unknown types are returned with Known false).  Returns
     * INT_STATUS_SUCCESS, INT_STATUS_NO_MORE_ENTRIES after the last record, or the loader's status
     * for a corrupt record with *Error filled (offset, record index and type, message); do not call
     * it again after an error.  The header's counts are not compared here: see IntExcFileCheckCounts.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileNext(INTRO_EXCFILE_ITERATOR *Iterator,
                                                                  INTRO_EXCFILE_RECORD *Record,
                                                                  INTRO_EXCEPTIONS_LOAD_ERROR *Error);

    /*
     * After IntExcFileNext returned INT_STATUS_NO_MORE_ENTRIES: compares the header's five record
     * counts (kernel, user + APC, signatures, glob, kernel-user) with the records walked, as the
     * engine's loader does after its last record.  Returns INT_STATUS_SUCCESS; the loader's
     * INT_STATUS_INVALID_DATA_SIZE with *Error (detail INT_STATUS_EXC_COUNT_MISMATCH) naming the first
     * record past its kind's count or, for a file cut at a record boundary, its end and the missing
     * record's index; INT_STATUS_INVALID_PARAMETER_1 for a NULL iterator or one not at the end.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileCheckCounts(const INTRO_EXCFILE_ITERATOR *Iterator,
                                                                         INTRO_EXCEPTIONS_LOAD_ERROR *Error);

    /* ---- Writer -------------------------------------------------------------------------------------------------- */

    /*
     * Grows a block as realloc does: returns a block of at least Size bytes holding the old contents
     * (Block may be NULL), or NULL (the old block stays valid).
     */
    typedef void *(*PFUNC_IntExcFileRealloc)(void *Context, void *Block, size_t Size);

    /*
     * Appends records to a buffer.  Data holds Size bytes of file; with Realloc it grows as needed and
     * the caller frees the final Data with the allocator behind Realloc; without, writes that do not
     * fit fail with INT_STATUS_BUFFER_OVERFLOW.  Each write is all or nothing.  A failure to grow is
     * kept in Status and later writes return it without writing.  The counts say what was written.
     * The fields are plain: a caller continuing a file it wrote partly by hand sets Size (and
     * HasHeader, when the file starts with a header) after IntExcFileWriterInit.
     */
    typedef struct INTRO_EXCFILE_WRITER
    {
        uint8_t *Data;
        size_t Size;
        size_t Capacity;
        PFUNC_IntExcFileRealloc Realloc;
        void *Context;
        INTSTATUS Status;
        bool HasHeader; /* a header was written at offset 0 */
        uint32_t Records;
        uint32_t KernelCount;
        uint32_t UserCount; /* user and user-APC */
        uint32_t SignatureCount;
        uint32_t GlobCount;
        uint32_t KernelUserCount;
    } INTRO_EXCFILE_WRITER;

    /* Starts a writer over Capacity bytes at Buffer (NULL and 0 with a Realloc to start empty). */
    INTROGUARD_API void IntExcFileWriterInit(INTRO_EXCFILE_WRITER *Writer, void *Buffer, size_t Capacity,
                                             PFUNC_IntExcFileRealloc Realloc, void *Context);

    /* Magic, version 2.2, everything else 0. */
    INTROGUARD_API void IntExcFileHeaderInit(INTRO_EXCFILE_HEADER *Header);

    /*
     * Writes the 36-byte header as given: first thing in an empty writer, or over the header already
     * at offset 0 (to fix its counts once the records are written).
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteHeader(INTRO_EXCFILE_WRITER *Writer,
                                                                         const INTRO_EXCFILE_HEADER *Header);
    /* Sets the five record counts of *Header to what Writer has written. */
    INTROGUARD_API void IntExcFileWriterCounts(const INTRO_EXCFILE_WRITER *Writer, INTRO_EXCFILE_HEADER *Header);

    /*
     * One record each, written exactly as given (reserved bytes included).  They fail with
     * INT_STATUS_INVALID_PARAMETER_* for a wrong Type or missing data, INT_STATUS_INVALID_DATA_VALUE
     * for a glob pattern holding a NUL, INT_STATUS_INVALID_DATA_SIZE for a body over 65535 bytes.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteException(INTRO_EXCFILE_WRITER *Writer, uint8_t Type,
                                                                            const INTRO_EXCFILE_EXCEPTION *Exception);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteGlob(INTRO_EXCFILE_WRITER *Writer,
                                                                       const INTRO_EXCFILE_GLOB *Glob);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS
    IntExcFileWriteCodeBlocks(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_CODEBLOCKS *CodeBlocks);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteExport(INTRO_EXCFILE_WRITER *Writer,
                                                                         const INTRO_EXCFILE_EXPORT *Export);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteValue(INTRO_EXCFILE_WRITER *Writer,
                                                                        const INTRO_EXCFILE_VALUE *Value);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteValueCode(INTRO_EXCFILE_WRITER *Writer,
                                                                            const INTRO_EXCFILE_VALUE_CODE *ValueCode);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteIdt(INTRO_EXCFILE_WRITER *Writer,
                                                                      const INTRO_EXCFILE_IDT *Idt);
    /* Type is INTRO_EXCFILE_REC_VERSION_OS or INTRO_EXCFILE_REC_VERSION_INTRO. */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteVersion(INTRO_EXCFILE_WRITER *Writer, uint8_t Type,
                                                                          const INTRO_EXCFILE_VERSION *Version);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS
    IntExcFileWriteProcessCreation(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_PROCESS_CREATION *ProcessCreation);
    /* Any record as type byte and body (unknown types, or bodies a test breaks on purpose). */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteRaw(INTRO_EXCFILE_WRITER *Writer, uint8_t Type,
                                                                      const void *Body, size_t Size);
    /* A record in its typed form, e.g. one from IntExcFileNext (unknown types: its Body). */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExcFileWriteRecord(INTRO_EXCFILE_WRITER *Writer,
                                                                         const INTRO_EXCFILE_RECORD *Record);

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_EXCFILE_H */
