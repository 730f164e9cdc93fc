/*
 * A builder of exceptions files for tests.  Well-formed headers and records go through the
 * library's writer (intro_excfile.h); the byte-level calls (TfU8 ... TfBegin/TfEnd) remain for the
 * broken files the loader tests build on purpose.  It writes exactly what it is told.
 */
#ifndef INTROGUARD_TEST_EXCFILE_H
#define INTROGUARD_TEST_EXCFILE_H

#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_excfile.h"

typedef struct TF_FILE
{
    uint8_t *Data;
    size_t Size;
    size_t Capacity;
    uint32_t Counts[4]; /* KM, UM (+APC), glob, KUM records added */
    uint32_t SigCount;
    INTRO_EXCFILE_HEADER Header; /* what the header at offset 0 says */
} TF_FILE;

/* Starts a file with a 2.2 header (counts filled in by TfFinish). */
void TfInit(TF_FILE *File);
void TfFree(TF_FILE *File);

void TfU8(TF_FILE *File, uint8_t Value);
void TfU16(TF_FILE *File, uint16_t Value);
void TfU32(TF_FILE *File, uint32_t Value);
void TfU64(TF_FILE *File, uint64_t Value);
void TfBytes(TF_FILE *File, const void *Bytes, size_t Length);

/* A record: TfBegin writes the 3-byte header with size 0 and returns its offset; TfEnd patches the
 * size to what was written since. */
size_t TfBegin(TF_FILE *File, uint8_t Type);
void TfEnd(TF_FILE *File, size_t Record);

/* Well-formed records. */
void TfKernel(TF_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Flags, uint8_t ObjectType,
              uint16_t SigCount, const uint32_t *SigIds);
/* Type is 2 (user), 9 (user-APC) or 14 (kernel-user). */
void TfUser(TF_FILE *File, uint8_t Type, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
            uint8_t ObjectType, uint16_t SigCount, const uint32_t *SigIds);
void TfGlob(TF_FILE *File, uint32_t Flags, uint8_t ObjectType, const char *Originator, const char *Victim,
            const char *Process, uint16_t SigCount, const uint32_t *SigIds);
void TfIdtSig(TF_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry);

/* Writes the header counts from the records added (or leaves them if Override is non-NULL: then
 * it holds KM, UM, signatures, glob, KUM). */
void TfFinish(TF_FILE *File, const uint32_t *Override);

/* Overwrites the header's version and build number. */
void TfSetVersion(TF_FILE *File, uint16_t Major, uint16_t Minor, uint32_t Build);

/*
 * Copies Size bytes into a fresh mapping whose last byte sits right before an inaccessible page,
 * so any read past the end faults.  Free with TfGuardedFree.
 */
uint8_t *TfGuardedCopy(const void *Data, size_t Size);
void TfGuardedFree(uint8_t *Copy, size_t Size);

/* Reads a whole file (for the corpus); NULL if it cannot. */
uint8_t *TfReadFile(const char *Path, size_t *Size);

/* The hvmi corpus directory from INTROGUARD_HVMI_CORPUS, or NULL after printing a visible SKIP line. */
const char *TfCorpusDir(const char *TestName);

#endif /* INTROGUARD_TEST_EXCFILE_H */
