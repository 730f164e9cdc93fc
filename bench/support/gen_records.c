/*
 * Record encoders: one function per record kind, each a thin call of the library's writer
 * (intro_excfile.h) on the generator's growing buffer.  The byte calls remain for corrupt seeds.
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
    const INTRO_EXCFILE_SIGNATURE_KIND *kind = IntExcFileSignatureKindByRecord(RecordType);
    return kind ? kind->TypeCode : 0;
}

static void *IgGenRealloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

/* A writer appending to Buffer; NULL when the buffer already failed. */
static INTRO_EXCFILE_WRITER *IgGenWriterOpen(IG_GEN_BUFFER *Buffer, INTRO_EXCFILE_WRITER *Writer)
{
    if (Buffer->Failed)
    {
        return NULL;
    }
    IntExcFileWriterInit(Writer, Buffer->Data, Buffer->Capacity, IgGenRealloc, NULL);
    Writer->Size = Buffer->Size;
    Writer->HasHeader = Buffer->Size >= INTRO_EXCFILE_HEADER_SIZE;
    return Writer;
}

/* Takes the writer's buffer back; a failed write (no memory, a body over 64 KiB) fails the buffer. */
static void IgGenWriterClose(IG_GEN_BUFFER *Buffer, INTRO_EXCFILE_WRITER *Writer, INTSTATUS Status)
{
    Buffer->Data = Writer->Data;
    Buffer->Capacity = Writer->Capacity;
    Buffer->Size = Writer->Size;
    Buffer->Failed = Buffer->Failed || !INT_SUCCESS(Status);
}

void IgGenPutHeader(IG_GEN_BUFFER *Buffer, const IG_GEN_HEADER *Header)
{
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_WRITER w;

    IntExcFileHeaderInit(&h);
    h.Major = Header->Major;
    h.Minor = Header->Minor;
    h.KernelCount = Header->KernelCount;
    h.UserCount = Header->UserCount;
    h.SignatureCount = Header->SignatureCount;
    h.BuildNumber = Header->BuildNumber;
    h.GlobCount = Header->GlobCount;
    h.KernelUserCount = Header->KernelUserCount;
    if (IgGenWriterOpen(Buffer, &w))
    {
        /* The header leads the file: asked for after records, it fails the buffer. */
        w.HasHeader = false;
        IgGenWriterClose(Buffer, &w, IntExcFileWriteHeader(&w, &h));
    }
}

void IgGenPutRecord(IG_GEN_BUFFER *Buffer, uint8_t Type, const void *Body, uint16_t Size)
{
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteRaw(&w, Type, Body, Size));
    }
}

void IgGenPutException(IG_GEN_BUFFER *Buffer, uint8_t Type, uint32_t Originator, uint32_t Second, uint32_t Third,
                       uint32_t Flags, uint8_t ObjectType, const uint32_t *SigIds, uint16_t SigCount)
{
    INTRO_EXCFILE_EXCEPTION e = {
        .Originator = Originator, .Flags = Flags, .ObjectType = ObjectType, .SigIds = {NULL, SigIds, SigCount}};
    INTRO_EXCFILE_WRITER w;

    if (Type == IG_GEN_REC_KERNEL)
    {
        e.OriginatorPath = Second;
        e.Victim = Third;
    }
    else
    {
        e.Victim = Second;
        e.Process = Third;
    }
    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteException(&w, Type, &e));
    }
}

void IgGenPutGlob(IG_GEN_BUFFER *Buffer, uint32_t Flags, uint8_t ObjectType, const char *Originator, const char *Victim,
                  const char *Process, const uint32_t *SigIds, uint16_t SigCount)
{
    INTRO_EXCFILE_GLOB g = {.Flags = Flags,
                            .ObjectType = ObjectType,
                            .Originator = {Originator, strlen(Originator)},
                            .Victim = {Victim, strlen(Victim)},
                            .Process = {Process, strlen(Process)},
                            .SigIds = {NULL, SigIds, SigCount}};
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteGlob(&w, &g));
    }
}

void IgGenPutCodeBlocksSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Score, uint8_t ListCount,
                           const uint8_t *ListSizes, const uint32_t *Hashes)
{
    INTRO_EXCFILE_CODEBLOCKS cb = {
        .Id = Id, .Flags = Flags, .Score = Score, .ListCount = ListCount, .ListSizes = ListSizes, .Hashes = Hashes};
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteCodeBlocks(&w, &cb));
    }
}

void IgGenPutExportSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint32_t Library, uint8_t Count,
                       const uint16_t *Deltas, const uint32_t *FunctionHashes)
{
    INTRO_EXCFILE_EXPORT_ENTRY entries[255];
    INTRO_EXCFILE_EXPORT ex = {.Id = Id, .Flags = Flags, .Library = Library, .Count = Count, .Entries = entries};
    INTRO_EXCFILE_WRITER w;

    memset(entries, 0, sizeof(entries));
    for (uint8_t i = 0; i < Count; i++)
    {
        entries[i].Delta = Deltas[i];
        entries[i].FunctionHash = FunctionHashes[i];
    }
    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteExport(&w, &ex));
    }
}

void IgGenPutValueSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Score, uint8_t Count,
                      const IG_GEN_VALUE_ENTRY *Entries)
{
    INTRO_EXCFILE_VALUE_ENTRY entries[255];
    INTRO_EXCFILE_VALUE v = {.Id = Id, .Flags = Flags, .Score = Score, .Count = Count, .Entries = entries};
    INTRO_EXCFILE_WRITER w;

    memset(entries, 0, sizeof(entries));
    for (uint8_t i = 0; i < Count; i++)
    {
        entries[i].Offset = Entries[i].Offset;
        entries[i].Size = Entries[i].Size;
        entries[i].Hash = Entries[i].Hash;
    }
    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteValue(&w, &v));
    }
}

void IgGenPutValueCodeSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, int16_t Offset, uint16_t Length,
                          const uint16_t *Pattern)
{
    INTRO_EXCFILE_VALUE_CODE vc = {.Id = Id, .Flags = Flags, .Offset = Offset, .Pattern = {NULL, Pattern, Length}};
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteValueCode(&w, &vc));
    }
}

void IgGenPutIdtSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    INTRO_EXCFILE_IDT idt = {.Id = Id, .Flags = Flags, .Entry = Entry};
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteIdt(&w, &idt));
    }
}

void IgGenPutVersionSig(IG_GEN_BUFFER *Buffer, uint8_t RecordType, uint32_t Id, uint32_t Flags, uint64_t Minimum,
                        uint64_t Maximum)
{
    INTRO_EXCFILE_VERSION v = {.Id = Id, .Flags = Flags, .Minimum = Minimum, .Maximum = Maximum};
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteVersion(&w, RecordType, &v));
    }
}

void IgGenPutProcessCreationSig(IG_GEN_BUFFER *Buffer, uint32_t Id, uint32_t Flags, uint32_t CreateMask)
{
    INTRO_EXCFILE_PROCESS_CREATION pc = {.Id = Id, .Flags = Flags, .CreateMask = CreateMask};
    INTRO_EXCFILE_WRITER w;

    if (IgGenWriterOpen(Buffer, &w))
    {
        IgGenWriterClose(Buffer, &w, IntExcFileWriteProcessCreation(&w, &pc));
    }
}
