/*
 * A defensive reader of PE export directories (32- and 64-bit images) in guest memory.
 *
 * The module's first header page and its whole export directory (the data-directory range,
 * at most IG_PE_EXPORT_DIR_MAX bytes) are each copied once from the guest, into the stack and into
 * a scratch buffer the caller owns (nothing is allocated); everything after that is parsed from
 * the copies with the bounds-checked reader.  The rules follow hvmi's user-module
 * export cache (winumcache.c): the name, ordinal and function arrays and every name must lie
 * inside the export directory, at most IG_PE_MAX_NAMES names are looked at, and one address keeps
 * at most IG_PE_MAX_ALIASES names.  A directory that breaks a rule is rejected as a whole, with a
 * reason.
 */
#ifndef INTROGUARD_PE_EXPORTS_H
#define INTROGUARD_PE_EXPORTS_H

#include "guestmem.h"

#define IG_PE_HEADER_READ 0x1000u       /* headers are looked for in the image's first page */
#define IG_PE_EXPORT_DIR_MAX 0x100000u  /* 1 MiB, as hvmi */
#define IG_PE_MAX_NAMES 10000u          /* hvmi's WINUMCACHE_MAX_EXPORTS: later names are ignored */
#define IG_PE_MAX_ALIASES 10u           /* hvmi's MAX_OFFSETS_PER_NAME */
#define IG_PE_EXPORT_DIRECTORY_SIZE 40u /* IMAGE_EXPORT_DIRECTORY */
#define IG_PE_EXPORT_LOOKBACK 0x1Fu     /* an export is looked for at the address and 31 bytes before it */

/* Why an export directory could not be used. */
typedef enum IG_PE_ERROR
{
    IgPeOk = 0,
    IgPeHeadersUnreadable,   /* the header page is not present */
    IgPeBadDosHeader,        /* no "MZ" */
    IgPeBadNtOffset,         /* e_lfanew puts the NT headers outside the first page */
    IgPeBadNtSignature,      /* no "PE\0\0" */
    IgPeBadOptionalHeader,   /* unknown magic or too small for the export data directory */
    IgPeNoExportDirectory,   /* no data directory entry, or an empty one */
    IgPeBadExportDirectory,  /* directory outside the image, too small or above 1 MiB */
    IgPeDirectoryUnreadable, /* some page of the directory is not present */
    IgPeBadArrays,           /* a name, ordinal or function array leaves the directory */
    IgPeBadOrdinal,          /* a name's ordinal is not below NumberOfFunctions */
    IgPeBadName,             /* a name pointer or a name leaves the directory */
    IgPeNoNames,             /* no named exports */
    IgPeErrorCount
} IG_PE_ERROR;

/* "headers unreadable", ... for logs and reports. */
const char *IgPeErrorText(IG_PE_ERROR Error);

/* A validated copy of one module's export directory. */
typedef struct IG_PE_EXPORTS
{
    uint8_t *Directory; /* the caller's scratch, holding [DirectoryRva, DirectoryRva + DirectorySize) */
    uint32_t DirectoryRva;
    uint32_t DirectorySize;
    uint32_t SizeOfImage;
    bool Pe64;
    uint32_t NumberOfFunctions;
    uint32_t NameCount;       /* names examined: min(NumberOfNames, IG_PE_MAX_NAMES) */
    uint32_t FunctionsOffset; /* array offsets inside Directory */
    uint32_t NamesOffset;
    uint32_t OrdinalsOffset;
} IG_PE_EXPORTS;

/*
 * Reads and validates the export directory of the image at Base in address space Cr3, copying it
 * into Scratch (ScratchSize bytes; IG_PE_EXPORT_DIR_MAX always suffices).  On success Exports
 * describes the copy, valid while Scratch is not reused.  On failure *Error says why and the
 * status is NOT_FOUND for a malformed image, PAGE_NOT_PRESENT for unreadable memory, or
 * DATA_BUFFER_TOO_SMALL for a directory larger than Scratch.
 */
__attribute__((warn_unused_result)) INTSTATUS IgPeExportsRead(const IG_GUEST_VMEM *Memory, uint64_t Cr3, uint64_t Base,
                                                              uint8_t *Scratch, size_t ScratchSize,
                                                              IG_PE_EXPORTS *Exports, IG_PE_ERROR *Error);

/* One exported address and its names. */
typedef struct IG_PE_EXPORT
{
    bool Found;
    uint32_t Rva;
    uint32_t NameCount;
    const char *Names[IG_PE_MAX_ALIASES]; /* into the directory copy; not NUL-terminated for the caller */
    uint16_t NameLengths[IG_PE_MAX_ALIASES];
    uint32_t NameHashes[IG_PE_MAX_ALIASES]; /* CRC of the exact, case-sensitive name */
} IG_PE_EXPORT;

/*
 * hvmi's lookup: the first of Rva, Rva-1, ..., Rva-IG_PE_EXPORT_LOOKBACK that is exactly the
 * address of a named export, with up to IG_PE_MAX_ALIASES of its names in name-table order.
 */
void IgPeFindExport(const IG_PE_EXPORTS *Exports, uint32_t Rva, IG_PE_EXPORT *Export);

#endif /* INTROGUARD_PE_EXPORTS_H */
