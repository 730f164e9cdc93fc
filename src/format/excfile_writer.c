/*
 * The exceptions-file writer (intro_excfile.h): one encoder per record kind, little-endian and
 * unpadded as docs/format.md lays the records out.  The compiler, the tests and the benchmarks all
 * write their files through it.
 *
 * Each record is sized first, room is made for all of it, and only then are its bytes written, so
 * a failed write leaves the buffer as it was.
 */
#include "introguard/intro_excfile.h"

#include <string.h>

/* ---- Buffer ------------------------------------------------------------------------------------------------- */

void IntExcFileWriterInit(INTRO_EXCFILE_WRITER *Writer, void *Buffer, size_t Capacity, PFUNC_IntExcFileRealloc Realloc,
                          void *Context)
{
    memset(Writer, 0, sizeof(*Writer));
    Writer->Data = Buffer;
    Writer->Capacity = Buffer ? Capacity : 0;
    Writer->Realloc = Realloc;
    Writer->Context = Context;
}

void IntExcFileHeaderInit(INTRO_EXCFILE_HEADER *Header)
{
    memset(Header, 0, sizeof(*Header));
    Header->Magic = INTRO_EXCFILE_MAGIC;
    Header->Major = INTRO_EXCFILE_VERSION_MAJOR;
    Header->Minor = INTRO_EXCFILE_VERSION_MINOR;
}

static INTSTATUS IgFail(INTRO_EXCFILE_WRITER *Writer, INTSTATUS Status)
{
    Writer->Status = Status;
    return Status;
}

/* Makes room for More bytes after Size: at least doubling, so appends stay linear overall. */
static INTSTATUS IgReserve(INTRO_EXCFILE_WRITER *Writer, size_t More)
{
    size_t need;
    size_t capacity;
    void *grown;

    if (__builtin_add_overflow(Writer->Size, More, &need))
    {
        return IgFail(Writer, INT_STATUS_ARITHMETIC_OVERFLOW);
    }
    if (need <= Writer->Capacity)
    {
        return INT_STATUS_SUCCESS;
    }
    if (!Writer->Realloc)
    {
        return INT_STATUS_BUFFER_OVERFLOW; /* not sticky: the caller may retry into a bigger buffer */
    }
    capacity = Writer->Capacity < 256 ? 256 : Writer->Capacity;
    while (capacity < need)
    {
        if (__builtin_mul_overflow(capacity, 2, &capacity))
        {
            capacity = need;
        }
    }
    grown = Writer->Realloc(Writer->Context, Writer->Data, capacity);
    if (!grown)
    {
        return IgFail(Writer, INT_STATUS_INSUFFICIENT_RESOURCES);
    }
    Writer->Data = grown;
    Writer->Capacity = capacity;
    return INT_STATUS_SUCCESS;
}

/* Appends without checking: callers reserved the room. */
static void IgPut(INTRO_EXCFILE_WRITER *Writer, const void *Bytes, size_t Size)
{
    if (Size)
    {
        memcpy(Writer->Data + Writer->Size, Bytes, Size);
        Writer->Size += Size;
    }
}

static void IgPut8(INTRO_EXCFILE_WRITER *Writer, uint8_t Value)
{
    Writer->Data[Writer->Size++] = Value;
}

static void IgPut16(INTRO_EXCFILE_WRITER *Writer, uint16_t Value)
{
    IgPut8(Writer, (uint8_t)Value);
    IgPut8(Writer, (uint8_t)(Value >> 8));
}

static void IgPut32(INTRO_EXCFILE_WRITER *Writer, uint32_t Value)
{
    IgPut16(Writer, (uint16_t)Value);
    IgPut16(Writer, (uint16_t)(Value >> 16));
}

static void IgPut64(INTRO_EXCFILE_WRITER *Writer, uint64_t Value)
{
    IgPut32(Writer, (uint32_t)Value);
    IgPut32(Writer, (uint32_t)(Value >> 32));
}

/* ---- Records ------------------------------------------------------------------------------------------------ */

static void IgCount(INTRO_EXCFILE_WRITER *Writer, uint8_t Type)
{
    Writer->Records++;
    switch (Type)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            Writer->KernelCount++;
            break;
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
            Writer->UserCount++;
            break;
        case INTRO_EXCFILE_REC_USER_GLOB:
            Writer->GlobCount++;
            break;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            Writer->KernelUserCount++;
            break;
        default:
            Writer->SignatureCount += (Type < 16 && ((INTRO_EXCFILE_SIGNATURE_TYPES >> Type) & 1u)) ? 1 : 0;
            break;
    }
}

/*
 * Checks the writer and the body size, makes room for the record and writes its 3-byte head; the
 * caller then writes exactly BodySize bytes.  Sizes arrive as 64-bit sums so nothing wraps.
 */
static INTSTATUS IgBeginRecord(INTRO_EXCFILE_WRITER *Writer, uint8_t Type, uint64_t BodySize)
{
    INTSTATUS status;

    if (!INT_SUCCESS(Writer->Status))
    {
        return Writer->Status;
    }
    if (BodySize > INTRO_EXCFILE_RECORD_MAX_SIZE)
    {
        return INT_STATUS_INVALID_DATA_SIZE;
    }
    status = IgReserve(Writer, INTRO_EXCFILE_RECORD_HEADER_SIZE + (size_t)BodySize);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut8(Writer, Type);
    IgPut16(Writer, (uint16_t)BodySize);
    IgCount(Writer, Type);
    return INT_STATUS_SUCCESS;
}

static bool IgU32ArrayUsable(const INTRO_EXCFILE_U32_ARRAY *Array)
{
    return Array->Count == 0 || Array->Le || Array->Values;
}

static void IgPutU32Array(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_U32_ARRAY *Array)
{
    if (Array->Le)
    {
        IgPut(Writer, Array->Le, 4u * (size_t)Array->Count);
        return;
    }
    for (uint32_t i = 0; i < Array->Count; i++)
    {
        IgPut32(Writer, Array->Values[i]);
    }
}

INTSTATUS IntExcFileWriteRaw(INTRO_EXCFILE_WRITER *Writer, uint8_t Type, const void *Body, size_t Size)
{
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Body && Size)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    status = IgBeginRecord(Writer, Type, Size);
    if (INT_SUCCESS(status))
    {
        IgPut(Writer, Body, Size);
    }
    return status;
}

INTSTATUS IntExcFileWriteException(INTRO_EXCFILE_WRITER *Writer, uint8_t Type, const INTRO_EXCFILE_EXCEPTION *Exception)
{
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Type != INTRO_EXCFILE_REC_KERNEL && Type != INTRO_EXCFILE_REC_USER && Type != INTRO_EXCFILE_REC_USER_APC &&
        Type != INTRO_EXCFILE_REC_KERNEL_USER)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Exception || !IgU32ArrayUsable(&Exception->SigIds) || Exception->SigIds.Count > 0xFFFFu)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    status = IgBeginRecord(Writer, Type, INTRO_EXCFILE_EXCEPTION_FIXED_SIZE + 4ull * (uint64_t)Exception->SigIds.Count);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, Exception->Originator);
    if (Type == INTRO_EXCFILE_REC_KERNEL)
    {
        IgPut32(Writer, Exception->OriginatorPath);
        IgPut32(Writer, Exception->Victim);
    }
    else
    {
        IgPut32(Writer, Exception->Victim);
        IgPut32(Writer, Exception->Process);
    }
    IgPut32(Writer, Exception->Flags);
    IgPut8(Writer, Exception->Reserved);
    IgPut8(Writer, Exception->ObjectType);
    IgPut16(Writer, (uint16_t)Exception->SigIds.Count);
    IgPutU32Array(Writer, &Exception->SigIds);
    return INT_STATUS_SUCCESS;
}

static bool IgPatternUsable(const INTRO_EXCFILE_TEXT *Pattern)
{
    return Pattern->Length == 0 || Pattern->Text;
}

INTSTATUS IntExcFileWriteGlob(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_GLOB *Glob)
{
    const INTRO_EXCFILE_TEXT *patterns[3];
    uint64_t size;
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Glob || !IgU32ArrayUsable(&Glob->SigIds) || Glob->SigIds.Count > 0xFFFFu)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    patterns[0] = &Glob->Originator;
    patterns[1] = &Glob->Victim;
    patterns[2] = &Glob->Process;
    size = INTRO_EXCFILE_GLOB_FIXED_SIZE + 4ull * (uint64_t)Glob->SigIds.Count;
    for (int i = 0; i < 3; i++)
    {
        if (!IgPatternUsable(patterns[i]))
        {
            return INT_STATUS_INVALID_PARAMETER_2;
        }
        /* A NUL inside would end the pattern early and shift everything after it. */
        if (patterns[i]->Length && memchr(patterns[i]->Text, '\0', patterns[i]->Length))
        {
            return INT_STATUS_INVALID_DATA_VALUE;
        }
        size += (uint64_t)patterns[i]->Length + 1;
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_USER_GLOB, size);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, Glob->Flags);
    IgPut8(Writer, Glob->Reserved);
    IgPut8(Writer, Glob->ObjectType);
    IgPut16(Writer, (uint16_t)Glob->SigIds.Count);
    for (int i = 0; i < 3; i++)
    {
        IgPut(Writer, patterns[i]->Text, patterns[i]->Length);
        IgPut8(Writer, 0);
    }
    IgPutU32Array(Writer, &Glob->SigIds);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteCodeBlocks(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_CODEBLOCKS *CodeBlocks)
{
    INTRO_EXCFILE_HASH_CURSOR cursor = {0, 0};
    INTRO_EXCFILE_U32_ARRAY list;
    uint64_t size = INTRO_EXCFILE_CODEBLOCKS_FIXED_SIZE;
    uint32_t lists = 0;
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!CodeBlocks || (CodeBlocks->ListCount && !CodeBlocks->Lists && !CodeBlocks->ListSizes))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    while (IntExcFileNextHashList(CodeBlocks, &cursor, &list))
    {
        size += 1 + 4ull * list.Count;
        lists++;
    }
    if (lists != CodeBlocks->ListCount)
    {
        return INT_STATUS_INVALID_PARAMETER_2; /* the lists do not hold ListCount lists */
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_CODEBLOCKS, size);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, CodeBlocks->Id);
    IgPut32(Writer, CodeBlocks->Flags);
    IgPut8(Writer, CodeBlocks->Score);
    IgPut8(Writer, CodeBlocks->ListCount);
    memset(&cursor, 0, sizeof(cursor));
    while (IntExcFileNextHashList(CodeBlocks, &cursor, &list))
    {
        IgPut8(Writer, (uint8_t)list.Count);
        IgPutU32Array(Writer, &list);
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteExport(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_EXPORT *Export)
{
    INTRO_EXCFILE_EXPORT_ENTRY entry;
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Export || (Export->Count && !Export->EntriesLe && !Export->Entries))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_EXPORT,
                           INTRO_EXCFILE_EXPORT_FIXED_SIZE + (uint64_t)INTRO_EXCFILE_EXPORT_ENTRY_SIZE * Export->Count);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, Export->Id);
    IgPut32(Writer, Export->Flags);
    IgPut32(Writer, Export->Library);
    IgPut8(Writer, Export->Count);
    IgPut(Writer, Export->Align, sizeof(Export->Align));
    for (uint32_t i = 0; IntExcFileExportEntryAt(Export, i, &entry); i++)
    {
        IgPut16(Writer, entry.Delta);
        IgPut(Writer, entry.Reserved, sizeof(entry.Reserved));
        IgPut32(Writer, entry.FunctionHash);
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteValue(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_VALUE *Value)
{
    INTRO_EXCFILE_VALUE_ENTRY entry;
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Value || (Value->Count && !Value->EntriesLe && !Value->Entries))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_VALUE,
                           INTRO_EXCFILE_VALUE_FIXED_SIZE + (uint64_t)INTRO_EXCFILE_VALUE_ENTRY_SIZE * Value->Count);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, Value->Id);
    IgPut32(Writer, Value->Flags);
    IgPut8(Writer, Value->Score);
    IgPut8(Writer, Value->Count);
    IgPut16(Writer, Value->Align);
    for (uint32_t i = 0; IntExcFileValueEntryAt(Value, i, &entry); i++)
    {
        IgPut16(Writer, entry.Offset);
        IgPut16(Writer, entry.Size);
        IgPut(Writer, entry.Reserved, sizeof(entry.Reserved));
        IgPut32(Writer, entry.Hash);
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteValueCode(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_VALUE_CODE *ValueCode)
{
    const INTRO_EXCFILE_U16_ARRAY *pattern;
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!ValueCode)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    pattern = &ValueCode->Pattern;
    if ((pattern->Count && !pattern->Le && !pattern->Values) || pattern->Count > 0xFFFFu)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_VALUE_CODE,
                           INTRO_EXCFILE_VALUE_CODE_FIXED_SIZE + 2ull * (uint64_t)pattern->Count);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, ValueCode->Id);
    IgPut32(Writer, ValueCode->Flags);
    IgPut16(Writer, (uint16_t)ValueCode->Offset);
    IgPut16(Writer, (uint16_t)pattern->Count);
    for (uint32_t i = 0; i < pattern->Count; i++)
    {
        IgPut16(Writer, IntExcFileU16At(pattern, i));
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteIdt(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_IDT *Idt)
{
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Idt)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_IDT, INTRO_EXCFILE_IDT_SIZE);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, Idt->Id);
    IgPut32(Writer, Idt->Flags);
    IgPut8(Writer, Idt->Entry);
    IgPut(Writer, Idt->Reserved, sizeof(Idt->Reserved));
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteVersion(INTRO_EXCFILE_WRITER *Writer, uint8_t Type, const INTRO_EXCFILE_VERSION *Version)
{
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Type != INTRO_EXCFILE_REC_VERSION_OS && Type != INTRO_EXCFILE_REC_VERSION_INTRO)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Version)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    status = IgBeginRecord(Writer, Type, INTRO_EXCFILE_VERSION_SIZE);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, Version->Id);
    IgPut32(Writer, Version->Flags);
    IgPut64(Writer, Version->Minimum);
    IgPut64(Writer, Version->Maximum);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteProcessCreation(INTRO_EXCFILE_WRITER *Writer,
                                         const INTRO_EXCFILE_PROCESS_CREATION *ProcessCreation)
{
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!ProcessCreation)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgBeginRecord(Writer, INTRO_EXCFILE_REC_PROCESS_CREATION, INTRO_EXCFILE_PROCESS_CREATION_SIZE);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgPut32(Writer, ProcessCreation->Id);
    IgPut32(Writer, ProcessCreation->Flags);
    IgPut32(Writer, ProcessCreation->CreateMask);
    IgPut(Writer, ProcessCreation->Reserved, sizeof(ProcessCreation->Reserved));
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExcFileWriteRecord(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_RECORD *Record)
{
    if (!Record)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    /* What has no typed form (unknown types, a glob whose patterns could not be read) goes as is. */
    if (!Record->Known || (Record->Type == INTRO_EXCFILE_REC_USER_GLOB && !Record->u.Glob.PatternsValid))
    {
        return IntExcFileWriteRaw(Writer, Record->Type, Record->Body, Record->Size);
    }
    switch (Record->Type)
    {
        case INTRO_EXCFILE_REC_USER_GLOB:
            return IntExcFileWriteGlob(Writer, &Record->u.Glob);
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            return IntExcFileWriteCodeBlocks(Writer, &Record->u.CodeBlocks);
        case INTRO_EXCFILE_REC_EXPORT:
            return IntExcFileWriteExport(Writer, &Record->u.Export);
        case INTRO_EXCFILE_REC_VALUE:
            return IntExcFileWriteValue(Writer, &Record->u.Value);
        case INTRO_EXCFILE_REC_VALUE_CODE:
            return IntExcFileWriteValueCode(Writer, &Record->u.ValueCode);
        case INTRO_EXCFILE_REC_IDT:
            return IntExcFileWriteIdt(Writer, &Record->u.Idt);
        case INTRO_EXCFILE_REC_VERSION_OS:
        case INTRO_EXCFILE_REC_VERSION_INTRO:
            return IntExcFileWriteVersion(Writer, Record->Type, &Record->u.Version);
        case INTRO_EXCFILE_REC_PROCESS_CREATION:
            return IntExcFileWriteProcessCreation(Writer, &Record->u.ProcessCreation);
        default:
            return IntExcFileWriteException(Writer, Record->Type, &Record->u.Exception);
    }
}

/* ---- Header ------------------------------------------------------------------------------------------------- */

INTSTATUS IntExcFileWriteHeader(INTRO_EXCFILE_WRITER *Writer, const INTRO_EXCFILE_HEADER *Header)
{
    size_t end;
    INTSTATUS status;

    if (!Writer)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Header)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!INT_SUCCESS(Writer->Status))
    {
        return Writer->Status;
    }
    if (!Writer->HasHeader && Writer->Size != 0)
    {
        return INT_STATUS_INVALID_PARAMETER_MIX; /* records were written first: no room at offset 0 */
    }
    if (!Writer->HasHeader)
    {
        status = IgReserve(Writer, INTRO_EXCFILE_HEADER_SIZE);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    end = Writer->HasHeader ? Writer->Size : INTRO_EXCFILE_HEADER_SIZE;
    Writer->Size = 0;
    IgPut32(Writer, Header->Magic);
    IgPut16(Writer, Header->Major);
    IgPut16(Writer, Header->Minor);
    IgPut32(Writer, Header->KernelCount);
    IgPut32(Writer, Header->UserCount);
    IgPut32(Writer, Header->SignatureCount);
    IgPut32(Writer, Header->BuildNumber);
    IgPut32(Writer, Header->GlobCount);
    IgPut32(Writer, Header->KernelUserCount);
    IgPut32(Writer, Header->Reserved);
    Writer->Size = end;
    Writer->HasHeader = true;
    return INT_STATUS_SUCCESS;
}

void IntExcFileWriterCounts(const INTRO_EXCFILE_WRITER *Writer, INTRO_EXCFILE_HEADER *Header)
{
    Header->KernelCount = Writer->KernelCount;
    Header->UserCount = Writer->UserCount;
    Header->SignatureCount = Writer->SignatureCount;
    Header->GlobCount = Writer->GlobCount;
    Header->KernelUserCount = Writer->KernelUserCount;
}
