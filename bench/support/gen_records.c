/*
 * Record encoders: one function per record kind, each writing the 3-byte record header and the
 * body exactly as spec/exceptions-binary-format.md §2 lays it out (little-endian, unpadded).
 */
#include <stdlib.h>
#include <string.h>

#include "gen_exceptions.h"

void IgGenBufferFree(IG_GEN_BUFFER *Buffer)
{
    free(Buffer->Data);
    memset(Buffer, 0, sizeof(*Buffer));
}

static bool IgGenReserve(IG_GEN_BUFFER *Buffer, size_t Extra)
{
    size_t need;
    size_t capacity;
    uint8_t *data;

    if (Buffer->Failed)
    {
        return false;
    }
    if (__builtin_add_overflow(Buffer->Size, Extra, &need))
    {
        Buffer->Failed = true;
        return false;
    }
    if (need <= Buffer->Capacity)
    {
        return true;
    }
    capacity = Buffer->Capacity ? Buffer->Capacity : 256;
    while (capacity < need)
    {
        if (__builtin_mul_overflow(capacity, 2, &capacity))
        {
            Buffer->Failed = true;
            return false;
        }
    }
    data = realloc(Buffer->Data, capacity);
    if (!data)
    {
        Buffer->Failed = true;
        return false;
    }
    Buffer->Data = data;
    Buffer->Capacity = capacity;
    return true;
}

void IgGenPutBytes(IG_GEN_BUFFER *Buffer, const void *Data, size_t Size)
{
    if (Size && IgGenReserve(Buffer, Size))
    {
        memcpy(Buffer->Data + Buffer->Size, Data, Size);
        Buffer->Size += Size;
    }
}

void IgGenPutU8(IG_GEN_BUFFER *Buffer, uint8_t Value)
{
    IgGenPutBytes(Buffer, &Value, 1);
}

void IgGenPutU16(IG_GEN_BUFFER *Buffer, uint16_t Value)
{
    uint8_t b[2] = {(uint8_t)Value, (uint8_t)(Value >> 8)};
    IgGenPutBytes(Buffer, b, sizeof(b));
}

void IgGenPutU32(IG_GEN_BUFFER *Buffer, uint32_t Value)
{
    uint8_t b[4] = {(uint8_t)Value, (uint8_t)(Value >> 8), (uint8_t)(Value >> 16), (uint8_t)(Value >> 24)};
    IgGenPutBytes(Buffer, b, sizeof(b));
}

void IgGenPutU64(IG_GEN_BUFFER *Buffer, uint64_t Value)
{
    IgGenPutU32(Buffer, (uint32_t)Value);
    IgGenPutU32(Buffer, (uint32_t)(Value >> 32));
}

uint32_t IgGenSigTypeCode(uint8_t RecordType)
{
    switch (RecordType)
    {
        case IG_GEN_REC_CODEBLOCKS:
            return 600;
        case IG_GEN_REC_EXPORT:
            return 100;
        case IG_GEN_REC_VALUE:
            return 200;
        case IG_GEN_REC_VALUE_CODE:
            return 500;
        case IG_GEN_REC_IDT:
            return 300;
        case IG_GEN_REC_VERSION_OS:
            return 50;
        case IG_GEN_REC_VERSION_INTRO:
            return 51;
        case IG_GEN_REC_PROCESS_CREATION:
            return 70;
        default:
            return 0;
    }
}

void IgGenPutHeader(IG_GEN_BUFFER *Buffer, const IG_GEN_HEADER *Header)
{
    IgGenPutU32(Buffer, 0x414E5845u); /* "EXNA" */
    IgGenPutU16(Buffer, Header->Major);
    IgGenPutU16(Buffer, Header->Minor);
    IgGenPutU32(Buffer, Header->KernelCount);
    IgGenPutU32(Buffer, Header->UserCount);
    IgGenPutU32(Buffer, Header->SignatureCount);
    IgGenPutU32(Buffer, Header->BuildNumber);
    IgGenPutU32(Buffer, Header->GlobCount);
    IgGenPutU32(Buffer, Header->KernelUserCount);
    IgGenPutU32(Buffer, 0); /* reserved */
}

/* Writes a record header for a body of Size bytes; a body that does not fit a u16 fails the buffer. */
static bool IgGenPutRecordHeader(IG_GEN_BUFFER *Buffer, uint8_t Type, size_t Size)
{
    if (Size > 0xFFFFu)
    {
        Buffer->Failed = true;
        return false;
    }
    IgGenPutU8(Buffer, Type);
    IgGenPutU16(Buffer, (uint16_t)Size);
    return !Buffer->Failed;
}

void IgGenPutRecord(IG_GEN_BUFFER *Buffer, uint8_t Type, const void *Body, uint16_t Size)
{
    if (IgGenPutRecordHeader(Buffer, Type, Size))
    {
        IgGenPutBytes(Buffer, Body, Size);
    }
}

static void IgGenPutIds(IG_GEN_BUFFER *Buffer, const uint32_t *Ids, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        IgGenPutU32(Buffer, Ids[i]);
    }
}

void IgGenPutException(IG_GEN_BUFFER *Buffer, uint8_t Type, uint32_t Originator, uint32_t Second, uint32_t Third,
                       uint32_t Flags, uint8_t ObjectType, const uint32_t *SigIds, uint16_t SigCount)
{
    if (!IgGenPutRecordHeader(Buffer, Type, 20u + 4u * (size_t)SigCount))
    {
        return;
    }
    IgGenPutU32(Buffer, Originator);
    IgGenPutU32(Buffer, Second);
    IgGenPutU32(Buffer, Third);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU8(Buffer, 0); /* reserved */
    IgGenPutU8(Buffer, ObjectType);
    IgGenPutU16(Buffer, SigCount);
    IgGenPutIds(Buffer, SigIds, SigCount);
}

void IgGenPutGlob(IG_GEN_BUFFER *Buffer, uint32_t Flags, uint8_t ObjectType, const char *Originator, const char *Victim,
                  const char *Process, const uint32_t *SigIds, uint16_t SigCount)
{
    size_t lo = strlen(Originator) + 1;
    size_t lv = strlen(Victim) + 1;
    size_t lp = strlen(Process) + 1;

    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_GLOB, 8u + lo + lv + lp + 4u * (size_t)SigCount))
    {
        return;
    }
    IgGenPutU32(Buffer, Flags);
    IgGenPutU8(Buffer, 0);
    IgGenPutU8(Buffer, ObjectType);
    IgGenPutU16(Buffer, SigCount);
    IgGenPutBytes(Buffer, Originator, lo);
    IgGenPutBytes(Buffer, Victim, lv);
    IgGenPutBytes(Buffer, Process, lp);
    IgGenPutIds(Buffer, SigIds, SigCount);
}

void IgGenPutCodeBlocksSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Score, uint8_t ListCount,
                           const uint8_t *ListSizes, const uint32_t *Hashes)
{
    size_t size = 10;
    size_t next = 0;

    for (uint8_t i = 0; i < ListCount; i++)
    {
        size += 1u + 4u * (size_t)ListSizes[i];
    }
    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_CODEBLOCKS, size))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU8(Buffer, Score);
    IgGenPutU8(Buffer, ListCount);
    for (uint8_t i = 0; i < ListCount; i++)
    {
        IgGenPutU8(Buffer, ListSizes[i]);
        IgGenPutIds(Buffer, Hashes + next, ListSizes[i]);
        next += ListSizes[i];
    }
}

void IgGenPutExportSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint32_t Library, uint8_t Count,
                       const uint16_t *Deltas, const uint32_t *FunctionHashes)
{
    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_EXPORT, 16u + 8u * (size_t)Count))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU32(Buffer, Library);
    IgGenPutU8(Buffer, Count);
    IgGenPutU8(Buffer, 0);
    IgGenPutU16(Buffer, 0);
    for (uint8_t i = 0; i < Count; i++)
    {
        IgGenPutU16(Buffer, Deltas[i]);
        IgGenPutU16(Buffer, 0);
        IgGenPutU32(Buffer, FunctionHashes[i]);
    }
}

void IgGenPutValueSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Score, uint8_t Count,
                      const IG_GEN_VALUE_ENTRY *Entries)
{
    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_VALUE, 12u + 12u * (size_t)Count))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU8(Buffer, Score);
    IgGenPutU8(Buffer, Count);
    IgGenPutU16(Buffer, 0);
    for (uint8_t i = 0; i < Count; i++)
    {
        IgGenPutU16(Buffer, Entries[i].Offset);
        IgGenPutU16(Buffer, Entries[i].Size);
        IgGenPutU32(Buffer, 0);
        IgGenPutU32(Buffer, Entries[i].Hash);
    }
}

void IgGenPutValueCodeSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, int16_t Offset, uint16_t Length,
                          const uint16_t *Pattern)
{
    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_VALUE_CODE, 12u + 2u * (size_t)Length))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU16(Buffer, (uint16_t)Offset);
    IgGenPutU16(Buffer, Length);
    for (uint16_t i = 0; i < Length; i++)
    {
        IgGenPutU16(Buffer, Pattern[i]);
    }
}

void IgGenPutIdtSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_IDT, 12))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU8(Buffer, Entry);
    IgGenPutU8(Buffer, 0);
    IgGenPutU16(Buffer, 0);
}

void IgGenPutVersionSig(IG_GEN_BUFFER *Buffer, uint8_t RecordType, uint32_t Id, uint32_t Flags, uint64_t Minimum,
                        uint64_t Maximum)
{
    if (!IgGenPutRecordHeader(Buffer, RecordType, 24))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU64(Buffer, Minimum);
    IgGenPutU64(Buffer, Maximum);
}

void IgGenPutProcessCreationSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint32_t CreateMask)
{
    if (!IgGenPutRecordHeader(Buffer, IG_GEN_REC_PROCESS_CREATION, 24))
    {
        return;
    }
    IgGenPutU32(Buffer, Id);
    IgGenPutU32(Buffer, Flags);
    IgGenPutU32(Buffer, CreateMask);
    IgGenPutU32(Buffer, 0);
    IgGenPutU64(Buffer, 0);
}
