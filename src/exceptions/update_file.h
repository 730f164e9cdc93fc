/*
 * Decoder for hvmi's exceptions file, format 2.2 (docs/format.md).
 *
 * This layer only *decodes*: it checks the header and each record's shape inside its declared
 * size, and hands back a typed view whose variable parts are sub-readers over the caller's
 * buffer.  It makes no policy decisions (OS filter, ignore flag, list routing): the rule-set
 * builder sits on top of it, and so does the public decoder (IntExcFileNext, intro_excfile.h) that
 * the `dump`/`decompile` tools use.
 */
#ifndef INTROGUARD_UPDATE_FILE_H
#define INTROGUARD_UPDATE_FILE_H

#include "introguard/intro_excfile.h"
#include "introguard/introstatus.h"
#include "../common/reader.h"

/* The layout and vocabulary are the public ones (intro_excfile.h); these are the loader's names. */
#define IG_FILE_MAGIC INTRO_EXCFILE_MAGIC
#define IG_FILE_HEADER_SIZE INTRO_EXCFILE_HEADER_SIZE
#define IG_FILE_MAJOR INTRO_EXCFILE_VERSION_MAJOR
#define IG_FILE_MINOR INTRO_EXCFILE_VERSION_MINOR
#define IG_RECORD_HEADER_SIZE INTRO_EXCFILE_RECORD_HEADER_SIZE

/* Named caps.  Each one bounds a count read from the file before it drives a loop or a size. */
#define IG_MAX_RECORDS (1u << 22)                            /* records per file: 4 Mi, far beyond any real file */
#define IG_GLOB_FIELD_MAX INTRO_EXCFILE_GLOB_PATTERN_MAX     /* hvmi keeps each glob string in 64 bytes, NUL included */
#define IG_EXC_FIXED_SIZE INTRO_EXCFILE_EXCEPTION_FIXED_SIZE /* KM, UM, APC and KUM fixed part */
#define IG_GLOB_FIXED_SIZE INTRO_EXCFILE_GLOB_FIXED_SIZE
#define IG_CB_FIXED_SIZE INTRO_EXCFILE_CODEBLOCKS_FIXED_SIZE
#define IG_EXPORT_FIXED_SIZE INTRO_EXCFILE_EXPORT_FIXED_SIZE
#define IG_EXPORT_ENTRY_SIZE INTRO_EXCFILE_EXPORT_ENTRY_SIZE
#define IG_VALUE_FIXED_SIZE INTRO_EXCFILE_VALUE_FIXED_SIZE
#define IG_VALUE_ENTRY_SIZE INTRO_EXCFILE_VALUE_ENTRY_SIZE
#define IG_VALUE_CODE_FIXED_SIZE INTRO_EXCFILE_VALUE_CODE_FIXED_SIZE
#define IG_IDT_SIZE INTRO_EXCFILE_IDT_SIZE
#define IG_VERSION_SIZE INTRO_EXCFILE_VERSION_SIZE
#define IG_PROCESS_CREATION_SIZE INTRO_EXCFILE_PROCESS_CREATION_SIZE

/* Record types (the byte in each record header). */
typedef enum IG_RECORD_TYPE
{
    IgRecKernel = INTRO_EXCFILE_REC_KERNEL,
    IgRecUser = INTRO_EXCFILE_REC_USER,
    IgRecCodeBlocksSig = INTRO_EXCFILE_REC_CODEBLOCKS,
    IgRecExportSig = INTRO_EXCFILE_REC_EXPORT,
    IgRecValueSig = INTRO_EXCFILE_REC_VALUE,
    IgRecUserGlob = INTRO_EXCFILE_REC_USER_GLOB,
    IgRecValueCodeSig = INTRO_EXCFILE_REC_VALUE_CODE,
    IgRecUserApc = INTRO_EXCFILE_REC_USER_APC,
    IgRecIdtSig = INTRO_EXCFILE_REC_IDT,
    IgRecVersionOsSig = INTRO_EXCFILE_REC_VERSION_OS,
    IgRecVersionIntroSig = INTRO_EXCFILE_REC_VERSION_INTRO,
    IgRecProcessCreationSig = INTRO_EXCFILE_REC_PROCESS_CREATION,
    IgRecKernelUser = INTRO_EXCFILE_REC_KERNEL_USER,
} IG_RECORD_TYPE;

/* Signature type codes: bits 22-31 of a signature ID. */
typedef enum IG_SIG_TYPE
{
    IgSigTypeVersionOs = INTRO_EXCFILE_SIG_VERSION_OS,
    IgSigTypeVersionIntro = INTRO_EXCFILE_SIG_VERSION_INTRO,
    IgSigTypeProcessCreation = INTRO_EXCFILE_SIG_PROCESS_CREATION,
    IgSigTypeExport = INTRO_EXCFILE_SIG_EXPORT,
    IgSigTypeValue = INTRO_EXCFILE_SIG_VALUE,
    IgSigTypeIdt = INTRO_EXCFILE_SIG_IDT,
    IgSigTypeValueCode = INTRO_EXCFILE_SIG_VALUE_CODE,
    IgSigTypeCodeBlocks = INTRO_EXCFILE_SIG_CODEBLOCKS,
} IG_SIG_TYPE;

#define IG_SIG_ID_TYPE(Id) INTRO_EXCFILE_SIG_ID_TYPE(Id)
#define IG_SIG_ID_VALUE(Id) INTRO_EXCFILE_SIG_ID_SEQ(Id)
#define IG_SIG_ID_MAKE(Type, Value) INTRO_EXCFILE_SIG_ID(Type, Value)

/* Exception flag bits that the loader itself looks at. */
#define IG_EXC_FLG_FEEDBACK INTRO_EXCFILE_FLG_FEEDBACK
#define IG_EXC_FLG_LINUX INTRO_EXCFILE_FLG_LINUX
#define IG_EXC_FLG_READ INTRO_EXCFILE_FLG_READ
#define IG_EXC_FLG_WRITE INTRO_EXCFILE_FLG_WRITE
#define IG_EXC_FLG_EXECUTE INTRO_EXCFILE_FLG_EXECUTE
#define IG_EXC_FLG_IGNORE INTRO_EXCFILE_FLG_IGNORE
#define IG_SIG_FLG_LINUX INTRO_EXCFILE_SIG_FLG_LINUX

/* Special originator / victim values (not hashes). */
#define IG_NAME_ANY INTRO_EXCFILE_NAME_ANY
#define IG_NAME_NONE INTRO_EXCFILE_NAME_NONE

#define IG_UM_OBJ_NX_ZONE INTRO_EXCFILE_UM_OBJ_NX_ZONE
#define IG_UM_OBJ_PROCESS_CREATION INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION

typedef struct IG_FILE_HEADER
{
    uint32_t Magic;
    uint16_t Major;
    uint16_t Minor;
    uint32_t KernelCount;
    uint32_t UserCount; /* user + user-APC records */
    uint32_t SignatureCount;
    uint32_t BuildNumber;
    uint32_t GlobCount;
    uint32_t KernelUserCount;
    uint32_t Reserved;
} IG_FILE_HEADER;

/*
 * Where and why a file was rejected.  Status is the hvmi-compatible code the API returns,
 * Detail introguard's precise one.  RecordIndex is IG_NO_RECORD for header errors.
 */
#define IG_NO_RECORD INTRO_EXCEPTIONS_LOAD_NO_RECORD
typedef struct IG_PARSE_ERROR
{
    INTSTATUS Status;
    INTSTATUS Detail;
    uint64_t Offset;      /* absolute byte offset of the offending field */
    uint32_t RecordIndex; /* 0-based index of the record, or IG_NO_RECORD */
    uint8_t RecordType;
    char Message[160];
} IG_PARSE_ERROR;

/* KM, UM, UM-APC and KUM records share one fixed 20-byte head. */
typedef struct IG_REC_EXCEPTION
{
    uint32_t Originator;
    uint32_t OriginatorPath; /* KM only; ignored */
    uint32_t Victim;
    uint32_t Process; /* UM, APC and KUM only */
    uint32_t Flags;
    uint8_t Reserved;
    uint8_t ObjectType;
    uint16_t SigCount;
    IG_READER SigIds; /* SigCount little-endian u32 IDs */
} IG_REC_EXCEPTION;

typedef struct IG_REC_GLOB
{
    uint32_t Flags;
    uint8_t Reserved;
    uint8_t ObjectType;
    uint16_t SigCount;
    /* Patterns are (pointer, length) views into the buffer, without their NUL. */
    const char *Originator;
    size_t OriginatorLen;
    const char *Victim;
    size_t VictimLen;
    const char *Process;
    size_t ProcessLen;
    /* False only for an `ignore`d record whose patterns are malformed: hvmi skips such a record
     * before looking at its strings, so it is accepted and the patterns above are empty. */
    bool PatternsValid;
    IG_READER SigIds;
} IG_REC_GLOB;

typedef struct IG_REC_CODEBLOCKS
{
    uint32_t Id;
    uint32_t Flags;
    uint8_t Score;
    uint8_t ListCount;
    uint32_t HashCount; /* total hashes over all lists */
    IG_READER Lists;    /* ListCount x { u8 Count; u32 Hashes[Count] } */
} IG_REC_CODEBLOCKS;

typedef struct IG_REC_EXPORT
{
    uint32_t Id;
    uint32_t Flags;
    uint32_t Library;
    uint8_t Count;
    uint8_t Align[3];
    IG_READER Entries; /* Count x { u16 Delta; u8 Reserved[2]; u32 FunctionHash } */
} IG_REC_EXPORT;

typedef struct IG_REC_VALUE
{
    uint32_t Id;
    uint32_t Flags;
    uint8_t Score;
    uint8_t Count;
    uint16_t Align;
    IG_READER Entries; /* Count x { u16 Offset; u16 Size; u8 Reserved[4]; u32 Hash } */
} IG_REC_VALUE;

typedef struct IG_REC_VALUE_CODE
{
    uint32_t Id;
    uint32_t Flags;
    int16_t Offset;
    uint16_t Length;
    IG_READER Pattern; /* Length x u16: 0x00-0xFF a byte, 0x100 any byte */
} IG_REC_VALUE_CODE;

typedef struct IG_REC_IDT
{
    uint32_t Id;
    uint32_t Flags;
    uint8_t Entry;
    uint8_t Reserved[3];
} IG_REC_IDT;

typedef struct IG_REC_VERSION /* OS version and introcore version share the layout */
{
    uint32_t Id;
    uint32_t Flags;
    uint64_t Minimum;
    uint64_t Maximum;
} IG_REC_VERSION;

typedef struct IG_REC_PROCESS_CREATION
{
    uint32_t Id;
    uint32_t Flags;
    uint32_t CreateMask;
    uint8_t Reserved[12];
} IG_REC_PROCESS_CREATION;

typedef struct IG_RECORD
{
    uint8_t Type;    /* IG_RECORD_TYPE, or an unknown value */
    bool Known;      /* false: an unknown type, skipped by size */
    uint16_t Size;   /* body size from the record header */
    uint32_t Index;  /* 0-based position in the file */
    uint64_t Offset; /* absolute offset of the record header */
    IG_READER Body;  /* the whole body */
    union
    {
        IG_REC_EXCEPTION Exception; /* IgRecKernel, IgRecUser, IgRecUserApc, IgRecKernelUser */
        IG_REC_GLOB Glob;
        IG_REC_CODEBLOCKS CodeBlocks;
        IG_REC_EXPORT Export;
        IG_REC_VALUE Value;
        IG_REC_VALUE_CODE ValueCode;
        IG_REC_IDT Idt;
        IG_REC_VERSION Version; /* IgRecVersionOsSig, IgRecVersionIntroSig */
        IG_REC_PROCESS_CREATION ProcessCreation;
    } u;
} IG_RECORD;

typedef struct IG_RECORD_ITER
{
    IG_READER File; /* positioned after the previous record */
    uint32_t NextIndex;
} IG_RECORD_ITER;

/*
 * Checks the file header (hvmi's order: length, magic, major, minor, all-zero counts) and
 * positions Iter on the first record.  Buffer stays owned by the caller and must outlive Iter.
 */
__attribute__((warn_unused_result)) INTSTATUS IgFileOpen(const void *Buffer, size_t Length, IG_FILE_HEADER *Header,
                                                         IG_RECORD_ITER *Iter, IG_PARSE_ERROR *Error);

/*
 * Decodes the next record.  Returns INT_STATUS_SUCCESS with Record filled, INT_STATUS_NO_MORE_ENTRIES
 * at the end of the file, or an error with Error filled (Record is then undefined).
 */
__attribute__((warn_unused_result)) INTSTATUS IgFileNextRecord(IG_RECORD_ITER *Iter, IG_RECORD *Record,
                                                               IG_PARSE_ERROR *Error);

/*
 * The header's record counts against the records (hvmi's compiler writes exact counts, hvmi's
 * loader never compares them; introguard rejects a mismatch: docs/format.md).  Feed every decoded
 * record to IgCountsRecord, then call IgCountsEnd: it names the first record past its kind's count
 * or, for a file that runs short, its end.  The engine's loader and the public decoder share it,
 * so they report the same error.
 */
#define IG_COUNTED_KINDS 5u /* kernel, user + APC, signatures, glob, kernel-user: the header's order */
typedef struct IG_COUNTS
{
    uint32_t Promised[IG_COUNTED_KINDS];
    uint32_t Seen[IG_COUNTED_KINDS];
    bool Excess; /* a record past its count was seen: the first one is kept below */
    uint8_t ExcessType;
    uint8_t ExcessKind;
    uint32_t ExcessIndex;
    uint64_t ExcessOffset;
} IG_COUNTS;

/* Which header count a record type is in: 0..4, or IG_COUNTED_KINDS for none (unknown types). */
uint32_t IgCountedKind(uint8_t Type);
void IgCountsInit(IG_COUNTS *Counts, const IG_FILE_HEADER *Header);
void IgCountsRecord(IG_COUNTS *Counts, uint8_t Type, uint32_t Index, uint64_t Offset);
/* SUCCESS, or INVALID_DATA_SIZE with Error (detail INT_STATUS_EXC_COUNT_MISMATCH). */
__attribute__((warn_unused_result)) INTSTATUS IgCountsEnd(const IG_COUNTS *Counts, uint64_t Length, uint32_t Records,
                                                          IG_PARSE_ERROR *Error);

/* True for the exception record kinds (1, 2, 6, 9, 14), false for signatures and unknown types. */
static inline bool IgRecordIsException(uint8_t Type)
{
    return Type < 16 && ((INTRO_EXCFILE_EXCEPTION_TYPES >> Type) & 1u);
}

/* True for the four kinds that share the fixed 20-byte head (1, 2, 9, 14). */
static inline bool IgRecordHasExceptionHead(uint8_t Type)
{
    return Type < 16 && (((INTRO_EXCFILE_EXCEPTION_TYPES & ~(1u << INTRO_EXCFILE_REC_USER_GLOB)) >> Type) & 1u);
}

/* True for the record types the decoder knows (unknown ones are skipped by size). */
static inline bool IgRecordIsKnown(uint8_t Type)
{
    return Type < 16 && ((INTRO_EXCFILE_KNOWN_TYPES >> Type) & 1u);
}

/*
 * Decodes the fixed head of a KM, UM, APC or KUM body.  Head must hold IG_EXC_FIXED_SIZE bytes
 * that a reader has already bounds-checked; SigIds is left to the caller.
 */
static inline void IgDecodeExceptionHead(uint8_t Type, const uint8_t *Head, IG_REC_EXCEPTION *Exc)
{
    Exc->Originator = IgLoadLe32(Head);
    if (Type == IgRecKernel)
    {
        Exc->OriginatorPath = IgLoadLe32(Head + 4);
        Exc->Victim = IgLoadLe32(Head + 8);
        Exc->Process = 0;
    }
    else
    {
        Exc->OriginatorPath = 0;
        Exc->Victim = IgLoadLe32(Head + 4);
        Exc->Process = IgLoadLe32(Head + 8);
    }
    Exc->Flags = IgLoadLe32(Head + 12);
    Exc->Reserved = Head[16];
    Exc->ObjectType = Head[17];
    Exc->SigCount = IgLoadLe16(Head + 18);
}

/* The signature ID of a signature record, 0 for other records. */
uint32_t IgRecordOwnSigId(const IG_RECORD *Record);

/* The flags field of any known record (exception or signature flags), 0 for unknown types. */
uint32_t IgRecordFlags(const IG_RECORD *Record);

/* Human name of a record type ("kernel", "user-glob-match", "codeblocks", ...), NULL if unknown. */
static inline const char *IgRecordTypeName(uint8_t Type)
{
    return IntExcFileRecordTypeName(Type);
}

#endif /* INTROGUARD_UPDATE_FILE_H */
