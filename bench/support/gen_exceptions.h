/*
 * Generators of exceptions files (format 2.2) for benchmarks, tests and the fuzz seed corpus.
 *
 * Two layers:
 *  - record encoders that append one record (3-byte header + body) to a growing buffer through the
 *    library's writer (intro_excfile.h), byte for byte as spec/exceptions-binary-format.md §1 and
 *    §2 lay them out (the byte calls remain for the corrupt seeds);
 *  - IgGenExceptions, a deterministic generator of a whole realistic file laid out as hvmi's
 *    compiler writes it (§2.8, §5.10): header, KM records sorted, UM and APC records merged and
 *    sorted, KUM records sorted, glob records (the glob-prefixed ones first, then all of them
 *    sorted), then the signatures sorted by ID.  Every signature is referenced by at least one
 *    exception (so the compiler's pruning would remove nothing) and every exception's signature
 *    IDs are ascending.
 *
 * Nothing here reads global state or the clock: the same parameters give the same bytes on every
 * host.  This is support code for bench/, tests/ and fuzz/, not part of the library.
 */
#ifndef INTROGUARD_GEN_EXCEPTIONS_H
#define INTROGUARD_GEN_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_excfile.h"

/* ---- Byte buffer -------------------------------------------------------------------------------- */

/* A growing little-endian byte buffer.  The first failed allocation makes it sticky-failed. */
typedef struct IG_GEN_BUFFER
{
    uint8_t *Data;
    size_t Size;
    size_t Capacity;
    bool Failed;
} IG_GEN_BUFFER;

void IgGenBufferFree(IG_GEN_BUFFER *Buffer);
void IgGenPutU8(IG_GEN_BUFFER *Buffer, uint8_t Value);
void IgGenPutU16(IG_GEN_BUFFER *Buffer, uint16_t Value);
void IgGenPutU32(IG_GEN_BUFFER *Buffer, uint32_t Value);
void IgGenPutU64(IG_GEN_BUFFER *Buffer, uint64_t Value);
void IgGenPutBytes(IG_GEN_BUFFER *Buffer, const void *Data, size_t Size);

/* ---- Record encoders (spec §1.1, §2.4-§2.6) ------------------------------------------------------ */

typedef struct IG_GEN_HEADER
{
    uint16_t Major;
    uint16_t Minor;
    uint32_t KernelCount;
    uint32_t UserCount; /* type 2 + type 9 */
    uint32_t SignatureCount;
    uint32_t BuildNumber;
    uint32_t GlobCount;
    uint32_t KernelUserCount;
} IG_GEN_HEADER;

/* Record types and signature IDs: the library's (intro_excfile.h), under the generator's names. */
#define IG_GEN_REC_KERNEL INTRO_EXCFILE_REC_KERNEL
#define IG_GEN_REC_USER INTRO_EXCFILE_REC_USER
#define IG_GEN_REC_CODEBLOCKS INTRO_EXCFILE_REC_CODEBLOCKS
#define IG_GEN_REC_EXPORT INTRO_EXCFILE_REC_EXPORT
#define IG_GEN_REC_VALUE INTRO_EXCFILE_REC_VALUE
#define IG_GEN_REC_GLOB INTRO_EXCFILE_REC_USER_GLOB
#define IG_GEN_REC_VALUE_CODE INTRO_EXCFILE_REC_VALUE_CODE
#define IG_GEN_REC_USER_APC INTRO_EXCFILE_REC_USER_APC
#define IG_GEN_REC_IDT INTRO_EXCFILE_REC_IDT
#define IG_GEN_REC_VERSION_OS INTRO_EXCFILE_REC_VERSION_OS
#define IG_GEN_REC_VERSION_INTRO INTRO_EXCFILE_REC_VERSION_INTRO
#define IG_GEN_REC_PROCESS_CREATION INTRO_EXCFILE_REC_PROCESS_CREATION
#define IG_GEN_REC_KERNEL_USER INTRO_EXCFILE_REC_KERNEL_USER

#define IG_GEN_SIG_ID(TypeCode, Seq) INTRO_EXCFILE_SIG_ID(TypeCode, Seq)

/* The signature type code (ID bits 22-31) that belongs to a signature record type, 0 if none. */
uint32_t IgGenSigTypeCode(uint8_t RecordType);

/* Version 2.2 header with the given counts (spec §1.1 write order). */
void IgGenPutHeader(IG_GEN_BUFFER *Buffer, const IG_GEN_HEADER *Header);

/* Any record: the 3-byte header and Size body bytes (for unknown types and hand-made corrupt ones). */
void IgGenPutRecord(IG_GEN_BUFFER *Buffer, uint8_t Type, const void *Body, uint16_t Size);

/*
 * KM, UM, APC and KUM records (20 + 4*SigCount bytes).  Second and Third are the fields at body
 * offsets 4 and 8: for KM the path hash (the compiler writes 0xFFFFFFFF) and the victim; for UM,
 * APC and KUM the victim and the victim process.
 */
void IgGenPutException(IG_GEN_BUFFER *Buffer, uint8_t Type, uint32_t Originator, uint32_t Second, uint32_t Third,
                       uint32_t Flags, uint8_t ObjectType, const uint32_t *SigIds, uint16_t SigCount);

/* Glob record: 8 fixed bytes, three NUL-terminated patterns, then the IDs (spec §2.5). */
void IgGenPutGlob(IG_GEN_BUFFER *Buffer, uint32_t Flags, uint8_t ObjectType, const char *Originator, const char *Victim,
                  const char *Process, const uint32_t *SigIds, uint16_t SigCount);

/* Code blocks: ListCount lists; list i has ListSizes[i] hashes, all lists back to back in Hashes. */
void IgGenPutCodeBlocksSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Score, uint8_t ListCount,
                           const uint8_t *ListSizes, const uint32_t *Hashes);

void IgGenPutExportSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint32_t Library, uint8_t Count,
                       const uint16_t *Deltas, const uint32_t *FunctionHashes);

typedef struct IG_GEN_VALUE_ENTRY
{
    uint16_t Offset;
    uint16_t Size;
    uint32_t Hash;
} IG_GEN_VALUE_ENTRY;

void IgGenPutValueSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Score, uint8_t Count,
                      const IG_GEN_VALUE_ENTRY *Entries);

/* Pattern items: 0x00-0xFF a byte, 0x100 any byte. */
void IgGenPutValueCodeSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, int16_t Offset, uint16_t Length,
                          const uint16_t *Pattern);

void IgGenPutIdtSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Entry);

/* RecordType is IG_GEN_REC_VERSION_OS or IG_GEN_REC_VERSION_INTRO; the bounds are the raw 8 bytes. */
void IgGenPutVersionSig(IG_GEN_BUFFER *Buffer, uint8_t RecordType, uint32_t Id, uint32_t Flags, uint64_t Minimum,
                        uint64_t Maximum);

void IgGenPutProcessCreationSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint32_t CreateMask);

/* ---- Whole realistic files ---------------------------------------------------------------------- */

#define IG_GEN_MAX_EXCEPTIONS (1u << 22) /* per kind */
#define IG_GEN_MAX_SIG_REFS 3u           /* signatures referenced by one generated exception */

typedef struct IG_GEN_PARAMS
{
    uint64_t Seed;
    uint32_t KernelCount;           /* type 1 */
    uint32_t UserCount;             /* type 2 and type 9 together */
    uint32_t KernelUserCount;       /* type 14 */
    uint32_t GlobCount;             /* glob exceptions, before the compiler duplicates glob-prefixed ones */
    uint32_t AnyOriginatorPermille; /* originator `*` */
    uint32_t SignedPermille;        /* exceptions that reference signatures */
    uint32_t ApcPermille;           /* share of UserCount written as type 9 */
    uint32_t LinuxPermille;         /* exceptions (and their signatures) carrying the linux flag */
    uint32_t BuildNumber;
} IG_GEN_PARAMS;

/* What was written, for tests and benchmarks to check against. */
typedef struct IG_GEN_SUMMARY
{
    uint32_t RecordsByType[16];
    uint32_t Records;
    uint32_t Exceptions; /* records of types 1, 2, 6, 9, 14 (glob duplicates included) */
    uint32_t Signatures;
    uint32_t SignedExceptions;
    uint32_t SignatureRefs;
    uint32_t AnyOriginator;
    uint32_t LinuxExceptions;
} IG_GEN_SUMMARY;

/* Defaults: seed 1, no exceptions, 2% `*` originators, 10% signed, 1% APC, no linux, build 0. */
void IgGenDefaultParams(IG_GEN_PARAMS *Params);

/*
 * Generates a whole file into *Buffer (malloc'ed, free it with free()).  Returns
 * INT_STATUS_INVALID_PARAMETER_1 for counts above IG_GEN_MAX_EXCEPTIONS or all zero, and
 * INT_STATUS_INSUFFICIENT_RESOURCES when memory runs out.  Summary may be NULL.
 */
__attribute__((warn_unused_result)) INTSTATUS IgGenExceptions(const IG_GEN_PARAMS *Params, uint8_t **Buffer,
                                                              size_t *Size, IG_GEN_SUMMARY *Summary);

/* ---- The loader's fuzz seed corpus -------------------------------------------------------------- */

/* Number of seed files (valid ones of each record kind, then corrupt ones). */
uint32_t IgGenSeedCount(void);

/*
 * Builds seed Index into Buffer (which the caller frees with IgGenBufferFree) and returns its
 * file name ("kernel.bin", "corrupt-magic.bin", ...), or NULL for an index out of range.
 * *Valid says whether the loader is expected to accept the file.
 */
const char *IgGenSeed(uint32_t Index, IG_GEN_BUFFER *Buffer, bool *Valid);

#endif /* INTROGUARD_GEN_EXCEPTIONS_H */
