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

static void TfPut(IG_TEST_FILE *File, const void *Bytes, size_t Size)
{
    assert_true(Size <= sizeof(File->Data) - File->Size);
    memcpy(File->Data + File->Size, Bytes, Size);
    File->Size += Size;
}

static void TfU8(IG_TEST_FILE *File, uint8_t Value)
{
    TfPut(File, &Value, 1);
}

static void TfU16(IG_TEST_FILE *File, uint16_t Value)
{
    uint8_t b[2] = {(uint8_t)Value, (uint8_t)(Value >> 8)};
    TfPut(File, b, 2);
}

static void TfU32(IG_TEST_FILE *File, uint32_t Value)
{
    TfU16(File, (uint16_t)Value);
    TfU16(File, (uint16_t)(Value >> 16));
}

static void TfU64(IG_TEST_FILE *File, uint64_t Value)
{
    TfU32(File, (uint32_t)Value);
    TfU32(File, (uint32_t)(Value >> 32));
}

static uint32_t TfRecord(IG_TEST_FILE *File, uint8_t Type, uint16_t BodySize)
{
    if (File->Size == 0)
    {
        File->Size = IG_FILE_HEADER_SIZE;
    }
    TfU8(File, Type);
    TfU16(File, BodySize);
    return File->Records++;
}

void TfInit(IG_TEST_FILE *File)
{
    memset(File, 0, sizeof(*File));
    File->Size = IG_FILE_HEADER_SIZE;
}

static uint32_t TfException(IG_TEST_FILE *File, uint8_t Type, uint32_t A, uint32_t B, uint32_t C, uint32_t Flags,
                            uint8_t Object, uint32_t SigCount, const uint32_t *SigIds)
{
    uint32_t index = TfRecord(File, Type, (uint16_t)(20 + 4 * SigCount));

    TfU32(File, A);
    TfU32(File, B);
    TfU32(File, C);
    TfU32(File, Flags);
    TfU8(File, 0);
    TfU8(File, Object);
    TfU16(File, (uint16_t)SigCount);
    for (uint32_t i = 0; i < SigCount; i++)
    {
        TfU32(File, SigIds[i]);
    }
    return index;
}

uint32_t TfKernel(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Flags, uint8_t Type,
                  uint32_t SigCount, const uint32_t *SigIds)
{
    File->Kernel++;
    return TfException(File, IgRecKernel, Originator, 0xFFFFFFFFu, Victim, Flags, Type, SigCount, SigIds);
}

uint32_t TfUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    File->User++;
    return TfException(File, IgRecUser, Originator, Victim, Process, Flags, Type, SigCount, SigIds);
}

uint32_t TfKernelUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                      uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    File->KernelUser++;
    return TfException(File, IgRecKernelUser, Originator, Victim, Process, Flags, Type, SigCount, SigIds);
}

uint32_t TfGlob(IG_TEST_FILE *File, const char *Originator, const char *Victim, const char *Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    size_t lo = strlen(Originator) + 1, lv = strlen(Victim) + 1, lp = strlen(Process) + 1;
    uint32_t index = TfRecord(File, IgRecUserGlob, (uint16_t)(8 + lo + lv + lp + 4 * SigCount));

    File->Globs++;
    TfU32(File, Flags);
    TfU8(File, 0);
    TfU8(File, Type);
    TfU16(File, (uint16_t)SigCount);
    TfPut(File, Originator, lo);
    TfPut(File, Victim, lv);
    TfPut(File, Process, lp);
    for (uint32_t i = 0; i < SigCount; i++)
    {
        TfU32(File, SigIds[i]);
    }
    return index;
}

static uint32_t TfVersion(IG_TEST_FILE *File, uint8_t Type, uint32_t Id, uint32_t Flags, uint64_t Min, uint64_t Max)
{
    uint32_t index = TfRecord(File, Type, 24);

    File->Signatures++;
    TfU32(File, Id);
    TfU32(File, Flags);
    TfU64(File, Min);
    TfU64(File, Max);
    return index;
}

uint32_t TfVersionOs(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    return TfVersion(File, IgRecVersionOsSig, Id, Flags, Minimum, Maximum);
}

uint32_t TfVersionIntro(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    return TfVersion(File, IgRecVersionIntroSig, Id, Flags, Minimum, Maximum);
}

uint32_t TfIdt(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    uint32_t index = TfRecord(File, IgRecIdtSig, 12);

    File->Signatures++;
    TfU32(File, Id);
    TfU32(File, Flags);
    TfU8(File, Entry);
    TfU8(File, 0);
    TfU8(File, 0);
    TfU8(File, 0);
    return index;
}

uint32_t TfProcessCreation(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t CreateMask)
{
    uint32_t index = TfRecord(File, IgRecProcessCreationSig, 24);

    File->Signatures++;
    TfU32(File, Id);
    TfU32(File, Flags);
    TfU32(File, CreateMask);
    TfU32(File, 0);
    TfU64(File, 0);
    return index;
}

uint32_t TfValue(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Score, uint16_t Offset, uint16_t Size,
                 uint32_t Hash)
{
    uint32_t index = TfRecord(File, IgRecValueSig, 12 + 12);

    File->Signatures++;
    TfU32(File, Id);
    TfU32(File, Flags);
    TfU8(File, Score);
    TfU8(File, 1);
    TfU16(File, 0);
    TfU16(File, Offset);
    TfU16(File, Size);
    TfU32(File, 0);
    TfU32(File, Hash);
    return index;
}

uint32_t TfCodeBlocks(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Hash)
{
    uint32_t index = TfRecord(File, IgRecCodeBlocksSig, 10 + 1 + 4);

    File->Signatures++;
    TfU32(File, Id);
    TfU32(File, Flags);
    TfU8(File, 1);
    TfU8(File, 1);
    TfU8(File, 1);
    TfU32(File, Hash);
    return index;
}

const uint8_t *TfFinish(IG_TEST_FILE *File, size_t *Size)
{
    size_t end = File->Size;

    File->Size = 0;
    TfU32(File, IG_FILE_MAGIC);
    TfU16(File, 2);
    TfU16(File, 2);
    TfU32(File, File->Kernel);
    TfU32(File, File->User);
    TfU32(File, File->Signatures);
    TfU32(File, 0);
    TfU32(File, File->Globs);
    TfU32(File, File->KernelUser);
    TfU32(File, 0);
    File->Size = end;
    *Size = end;
    return File->Data;
}

IG_EXC_RULES *TfLoad(IG_TEST_FILE *File, IG_GUEST_OS Os)
{
    size_t size;
    const uint8_t *data = TfFinish(File, &size);
    IG_RULESET *set = NULL;
    IG_EXC_RULES *rules = NULL;
    IG_PARSE_ERROR error;
    INTSTATUS status;

    status = IgRuleSetLoad(&gIgMallocAllocator, data, size, Os, &set, &error);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "load failed: %s\n", error.Message);
    }
    assert_int_equal(status, INT_STATUS_SUCCESS);
    assert_int_equal(IgExceptRulesCreate(&gIgMallocAllocator, set, &rules), INT_STATUS_SUCCESS);
    return rules;
}

uint32_t TfWide(const char *Name)
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

uint32_t TfNarrow(const char *Name)
{
    return IgNameHash(Name, strlen(Name));
}
