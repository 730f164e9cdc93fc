/*
 * Builds small exceptions files (hvmi format 2.2, spec/exceptions-binary-format.md §1-§2) in
 * memory for tests, and loads them into engine rules.  This is the generator the matching tests
 * name for their rule sets: every record is written by the library's writer (intro_excfile.h).
 */
#ifndef INTROGUARD_TEST_EXC_BUILDER_H
#define INTROGUARD_TEST_EXC_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "exceptions/exceptions_int.h"

typedef struct IG_TEST_FILE
{
    uint8_t Data[1u << 16];
    size_t Size;
    uint32_t Kernel, User, Signatures, Globs, KernelUser;
    uint32_t Records;
} IG_TEST_FILE;

/* Default exception flags of the scenarios: 32|64|WRITE. */
#define TF_DEFAULT 0x20000006u

void XbInit(IG_TEST_FILE *File);

/* Each returns the record index of what it wrote. */
uint32_t XbKernel(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Flags, uint8_t Type,
                  uint32_t SigCount, const uint32_t *SigIds);
uint32_t XbUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds);
uint32_t XbKernelUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                      uint8_t Type, uint32_t SigCount, const uint32_t *SigIds);
uint32_t XbGlob(IG_TEST_FILE *File, const char *Originator, const char *Victim, const char *Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds);

/* Signatures (Flags: 1 = 32, 2 = 64, 0x80 = linux). */
uint32_t XbVersionOs(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum);
uint32_t XbVersionIntro(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum);
uint32_t XbIdt(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry);
uint32_t XbProcessCreation(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t CreateMask);
/* One value entry: CRC of Size bytes at Offset equals Hash. */
uint32_t XbValue(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Score, uint16_t Offset, uint16_t Size,
                 uint32_t Hash);
/* A codeblocks signature with one list of one hash. */
uint32_t XbCodeBlocks(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Hash);

/* An export signature of Count entries {Deltas[i], Functions[i]} (function name hashes: 0 any, 4 none). */
uint32_t XbExport(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Library, uint8_t Count,
                  const uint16_t *Deltas, const uint32_t *Functions);
/* A value-code signature: Length pattern items (0x00-0xFF a byte, 0x100 any) at RIP + Offset. */
uint32_t XbValueCode(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, int16_t Offset, uint16_t Length,
                     const uint16_t *Pattern);

/* Writes the header; returns the file bytes (inside File). */
const uint8_t *XbFinish(IG_TEST_FILE *File, size_t *Size);

/* Finishes and loads File for Os (IgGuestOs*) into a rule set (with its index); fails the test on error. */
IG_RULESET *XbLoad(IG_TEST_FILE *File, IG_GUEST_OS Os);

/* Name hashes as hvmi computes them: wide lowercased for drivers/modules, narrow for processes. */
uint32_t XbWide(const char *Name);
uint32_t XbNarrow(const char *Name);

#endif /* INTROGUARD_TEST_EXC_BUILDER_H */
