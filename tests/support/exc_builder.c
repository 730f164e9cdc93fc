/*
 * In-memory exceptions file generator for tests (see exc_builder.h).
 */
#include "exc_builder.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/crc32.h"

static void XbPut(IG_TEST_FILE *File, const void *Bytes, size_t Size)
{
    assert_true(Size <= sizeof(File->Data) - File->Size);
    memcpy(File->Data + File->Size, Bytes, Size);
    File->Size += Size;
}

static void XbU8(IG_TEST_FILE *File, uint8_t Value)
{
    XbPut(File, &Value, 1);
}

static void XbU16(IG_TEST_FILE *File, uint16_t Value)
{
    uint8_t b[2] = {(uint8_t)Value, (uint8_t)(Value >> 8)};
    XbPut(File, b, 2);
}

static void XbU32(IG_TEST_FILE *File, uint32_t Value)
{
    XbU16(File, (uint16_t)Value);
    XbU16(File, (uint16_t)(Value >> 16));
}

static void XbU64(IG_TEST_FILE *File, uint64_t Value)
{
    XbU32(File, (uint32_t)Value);
    XbU32(File, (uint32_t)(Value >> 32));
}

static uint32_t XbRecord(IG_TEST_FILE *File, uint8_t Type, uint16_t BodySize)
{
    if (File->Size == 0)
    {
        File->Size = IG_FILE_HEADER_SIZE;
    }
    XbU8(File, Type);
    XbU16(File, BodySize);
    return File->Records++;
}

void XbInit(IG_TEST_FILE *File)
{
    memset(File, 0, sizeof(*File));
    File->Size = IG_FILE_HEADER_SIZE;
}

static uint32_t XbException(IG_TEST_FILE *File, uint8_t Type, uint32_t A, uint32_t B, uint32_t C, uint32_t Flags,
                            uint8_t Object, uint32_t SigCount, const uint32_t *SigIds)
{
    uint32_t index = XbRecord(File, Type, (uint16_t)(20 + 4 * SigCount));

    XbU32(File, A);
    XbU32(File, B);
    XbU32(File, C);
    XbU32(File, Flags);
    XbU8(File, 0);
    XbU8(File, Object);
    XbU16(File, (uint16_t)SigCount);
    for (uint32_t i = 0; i < SigCount; i++)
    {
        XbU32(File, SigIds[i]);
    }
    return index;
}

uint32_t XbKernel(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Flags, uint8_t Type,
                  uint32_t SigCount, const uint32_t *SigIds)
{
    File->Kernel++;
    return XbException(File, IgRecKernel, Originator, 0xFFFFFFFFu, Victim, Flags, Type, SigCount, SigIds);
}

uint32_t XbUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    File->User++;
    return XbException(File, IgRecUser, Originator, Victim, Process, Flags, Type, SigCount, SigIds);
}

uint32_t XbKernelUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                      uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    File->KernelUser++;
    return XbException(File, IgRecKernelUser, Originator, Victim, Process, Flags, Type, SigCount, SigIds);
}

uint32_t XbGlob(IG_TEST_FILE *File, const char *Originator, const char *Victim, const char *Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    size_t lo = strlen(Originator) + 1, lv = strlen(Victim) + 1, lp = strlen(Process) + 1;
    uint32_t index = XbRecord(File, IgRecUserGlob, (uint16_t)(8 + lo + lv + lp + 4 * SigCount));

    File->Globs++;
    XbU32(File, Flags);
    XbU8(File, 0);
    XbU8(File, Type);
    XbU16(File, (uint16_t)SigCount);
    XbPut(File, Originator, lo);
    XbPut(File, Victim, lv);
    XbPut(File, Process, lp);
    for (uint32_t i = 0; i < SigCount; i++)
    {
        XbU32(File, SigIds[i]);
    }
    return index;
}

static uint32_t XbVersion(IG_TEST_FILE *File, uint8_t Type, uint32_t Id, uint32_t Flags, uint64_t Min, uint64_t Max)
{
    uint32_t index = XbRecord(File, Type, 24);

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU64(File, Min);
    XbU64(File, Max);
    return index;
}

uint32_t XbVersionOs(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    return XbVersion(File, IgRecVersionOsSig, Id, Flags, Minimum, Maximum);
}

uint32_t XbVersionIntro(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    return XbVersion(File, IgRecVersionIntroSig, Id, Flags, Minimum, Maximum);
}

uint32_t XbIdt(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    uint32_t index = XbRecord(File, IgRecIdtSig, 12);

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU8(File, Entry);
    XbU8(File, 0);
    XbU8(File, 0);
    XbU8(File, 0);
    return index;
}

uint32_t XbProcessCreation(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t CreateMask)
{
    uint32_t index = XbRecord(File, IgRecProcessCreationSig, 24);

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU32(File, CreateMask);
    XbU32(File, 0);
    XbU64(File, 0);
    return index;
}

uint32_t XbValue(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Score, uint16_t Offset, uint16_t Size,
                 uint32_t Hash)
{
    uint32_t index = XbRecord(File, IgRecValueSig, 12 + 12);

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU8(File, Score);
    XbU8(File, 1);
    XbU16(File, 0);
    XbU16(File, Offset);
    XbU16(File, Size);
    XbU32(File, 0);
    XbU32(File, Hash);
    return index;
}

uint32_t XbCodeBlocks(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Hash)
{
    uint32_t index = XbRecord(File, IgRecCodeBlocksSig, 10 + 1 + 4);

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU8(File, 1);
    XbU8(File, 1);
    XbU8(File, 1);
    XbU32(File, Hash);
    return index;
}

uint32_t XbExport(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Library, uint8_t Count,
                  const uint16_t *Deltas, const uint32_t *Functions)
{
    uint32_t index = XbRecord(File, IgRecExportSig, (uint16_t)(16 + 8 * Count));

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU32(File, Library);
    XbU8(File, Count);
    XbU8(File, 0);
    XbU16(File, 0);
    for (uint8_t i = 0; i < Count; i++)
    {
        XbU16(File, Deltas[i]);
        XbU16(File, 0);
        XbU32(File, Functions[i]);
    }
    return index;
}

uint32_t XbValueCode(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, int16_t Offset, uint16_t Length,
                     const uint16_t *Pattern)
{
    uint32_t index = XbRecord(File, IgRecValueCodeSig, (uint16_t)(12 + 2 * Length));

    File->Signatures++;
    XbU32(File, Id);
    XbU32(File, Flags);
    XbU16(File, (uint16_t)Offset);
    XbU16(File, Length);
    for (uint16_t i = 0; i < Length; i++)
    {
        XbU16(File, Pattern[i]);
    }
    return index;
}

const uint8_t *XbFinish(IG_TEST_FILE *File, size_t *Size)
{
    size_t end = File->Size;

    File->Size = 0;
    XbU32(File, IG_FILE_MAGIC);
    XbU16(File, 2);
    XbU16(File, 2);
    XbU32(File, File->Kernel);
    XbU32(File, File->User);
    XbU32(File, File->Signatures);
    XbU32(File, 0);
    XbU32(File, File->Globs);
    XbU32(File, File->KernelUser);
    XbU32(File, 0);
    File->Size = end;
    *Size = end;
    return File->Data;
}

IG_RULESET *XbLoad(IG_TEST_FILE *File, IG_GUEST_OS Os)
{
    size_t size;
    const uint8_t *data = XbFinish(File, &size);
    IG_RULESET *set = NULL;
    IG_PARSE_ERROR error;
    INTSTATUS status;

    status = IgRuleSetLoad(&gIgMallocAllocator, data, size, Os, &set, &error);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "load failed: %s\n", error.Message);
    }
    assert_int_equal(status, INT_STATUS_SUCCESS);
    assert_true(IgRuleSetConsistent(set));
    return set;
}

uint32_t XbWide(const char *Name)
{
    char lower[256];
    size_t n = strlen(Name);

    assert_true(n < sizeof(lower));
    for (size_t i = 0; i < n; i++)
    {
        lower[i] = (Name[i] >= 'A' && Name[i] <= 'Z') ? (char)(Name[i] + 32) : Name[i];
    }
    return IgNameHashWideAscii(lower, n);
}

uint32_t XbNarrow(const char *Name)
{
    return IgNameHash(Name, strlen(Name));
}
