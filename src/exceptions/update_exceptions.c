/*
 * Decoder for hvmi's exceptions file, format 2.2.
 *
 * Every record is decoded inside a sub-reader of its declared size and must fill it exactly.
 * The statuses returned are the ones hvmi's loader returns for the same defect, so integrators
 * see hvmi's codes; the precise cause goes into IG_PARSE_ERROR.Detail and its message.  This is the
 * only decoder: the engine's loader uses it directly, programs through IntExcFileNext
 * (src/format/excfile_decoder.c).
 */
#include "update_file.h"

#include <stdarg.h>
#include <stdio.h>

static void IgParseFail(IG_PARSE_ERROR *Error, INTSTATUS Status, INTSTATUS Detail, uint64_t Offset,
                        const IG_RECORD *Record, const char *Format, ...) __attribute__((format(printf, 6, 7)));

static void IgParseFail(IG_PARSE_ERROR *Error, INTSTATUS Status, INTSTATUS Detail, uint64_t Offset,
                        const IG_RECORD *Record, const char *Format, ...)
{
    va_list args;
    int used = 0;

    if (!Error)
    {
        return;
    }
    Error->Status = Status;
    Error->Detail = Detail;
    Error->Offset = Offset;
    Error->RecordIndex = Record ? Record->Index : IG_NO_RECORD;
    Error->RecordType = Record ? Record->Type : 0;

    if (Record)
    {
        const char *name = IgRecordTypeName(Record->Type);
        used =
            snprintf(Error->Message, sizeof(Error->Message), "record %u (%s, type %u) at offset %llu: ", Record->Index,
                     name ? name : "unknown", Record->Type, (unsigned long long)Record->Offset);
        if (used < 0 || (size_t)used >= sizeof(Error->Message))
        {
            used = 0;
        }
    }
    va_start(args, Format);
    vsnprintf(Error->Message + used, sizeof(Error->Message) - (size_t)used, Format, args);
    va_end(args);
}

INTSTATUS IgFileOpen(const void *Buffer, size_t Length, IG_FILE_HEADER *Header, IG_RECORD_ITER *Iter,
                     IG_PARSE_ERROR *Error)
{
    IG_READER rd;
    IG_FILE_HEADER hdr;

    memset(Header, 0, sizeof(*Header));
    memset(Iter, 0, sizeof(*Iter));
    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
        Error->RecordIndex = IG_NO_RECORD;
    }

    if (!Buffer)
    {
        IgParseFail(Error, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1, 0, NULL, "no buffer");
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Length <= IG_FILE_HEADER_SIZE)
    {
        IgParseFail(Error, INT_STATUS_INVALID_PARAMETER_2, INT_STATUS_EXC_FILE_TOO_SHORT, 0, NULL,
                    "file is %zu bytes; it must be longer than the %u-byte header", Length, IG_FILE_HEADER_SIZE);
        return INT_STATUS_INVALID_PARAMETER_2;
    }

    IgReaderInit(&rd, Buffer, Length);
    hdr.Magic = IgReadU32(&rd);
    hdr.Major = IgReadU16(&rd);
    hdr.Minor = IgReadU16(&rd);
    hdr.KernelCount = IgReadU32(&rd);
    hdr.UserCount = IgReadU32(&rd);
    hdr.SignatureCount = IgReadU32(&rd);
    hdr.BuildNumber = IgReadU32(&rd);
    hdr.GlobCount = IgReadU32(&rd);
    hdr.KernelUserCount = IgReadU32(&rd);
    hdr.Reserved = IgReadU32(&rd);

    /* hvmi's order of checks: magic, major, minor, all-zero counts. */
    if (hdr.Magic != IG_FILE_MAGIC)
    {
        IgParseFail(Error, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_BAD_MAGIC, 0, NULL,
                    "header: magic is 0x%08X, expected 0x%08X (\"EXNA\")", hdr.Magic, IG_FILE_MAGIC);
        return INT_STATUS_INVALID_OBJECT_TYPE;
    }
    if (hdr.Major != IG_FILE_MAJOR)
    {
        IgParseFail(Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_BAD_VERSION, 4, NULL,
                    "header: format major version %u is not supported (expected %u)", hdr.Major, IG_FILE_MAJOR);
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (hdr.Minor < IG_FILE_MINOR)
    {
        IgParseFail(Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_BAD_VERSION, 6, NULL,
                    "header: format minor version %u is too old (need %u or newer)", hdr.Minor, IG_FILE_MINOR);
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (hdr.KernelCount == 0 && hdr.UserCount == 0 && hdr.GlobCount == 0 && hdr.KernelUserCount == 0)
    {
        IgParseFail(Error, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_NO_EXCEPTIONS, 8, NULL,
                    "header: kernel, user, glob and kernel-user exception counts are all zero");
        return INT_STATUS_INVALID_OBJECT_TYPE;
    }

    *Header = hdr;
    Iter->File = rd; /* positioned on the first record */
    return INT_STATUS_SUCCESS;
}

/* Fails the record unless its body is exactly Expected bytes (hvmi's "ALL" check). */
static INTSTATUS IgExpectSize(const IG_RECORD *Record, uint64_t Expected, IG_PARSE_ERROR *Error)
{
    if (Record->Size != Expected)
    {
        IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH, Record->Offset + 1,
                    Record, "body is %u bytes, its contents need %llu", Record->Size, (unsigned long long)Expected);
        return INT_STATUS_INVALID_DATA_STATE;
    }
    return INT_STATUS_SUCCESS;
}

/* Fails the record unless its body holds at least the fixed part of its kind. */
static INTSTATUS IgExpectAtLeast(const IG_RECORD *Record, uint32_t Fixed, IG_PARSE_ERROR *Error)
{
    if (Record->Size < Fixed)
    {
        IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_TOO_SHORT, Record->Offset + 1, Record,
                    "body is %u bytes, shorter than the %u-byte fixed part", Record->Size, Fixed);
        return INT_STATUS_INVALID_DATA_STATE;
    }
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeException(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_REC_EXCEPTION *exc = &Record->u.Exception;
    const uint8_t *head = Record->Body.Data;
    INTSTATUS status = IgExpectAtLeast(Record, IG_EXC_FIXED_SIZE, Error);

    if (!INT_SUCCESS(status))
    {
        return status;
    }

    /* The hot path of every load: the body was bounds-checked as a whole when it was carved
     * out of the file, and is at least the fixed part; these are plain loads from it.  The count
     * is loaded once: the size check and the ID view must agree even if the buffer changes. */
    IgDecodeExceptionHead(Record->Type, head, exc);
    status = IgExpectSize(Record, IG_EXC_FIXED_SIZE + 4ull * exc->SigCount, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    exc->SigIds = IgReaderView(head + IG_EXC_FIXED_SIZE, 4u * exc->SigCount, Record->Body.Base + IG_EXC_FIXED_SIZE);
    Record->Body.Pos = Record->Body.Size;
    return INT_STATUS_SUCCESS;
}

/*
 * One glob pattern: NUL-terminated, not empty, at most IG_GLOB_FIELD_MAX bytes with its NUL
 * (hvmi keeps each in a 64-byte array).  The statuses are hvmi's for the same defects.
 */
static INTSTATUS IgDecodeGlobPattern(IG_RECORD *Record, const char *What, const char **Text, size_t *Length,
                                     IG_PARSE_ERROR *Error)
{
    IG_READER *rd = &Record->Body;
    uint64_t offset = IgReaderOffset(rd);
    size_t len = IgReaderStrnlen(rd, IG_GLOB_FIELD_MAX);

    if (len == 0 && IgReaderHas(rd, 1))
    {
        IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_GLOB_EMPTY, offset, Record,
                    "the %s pattern is empty", What);
        return INT_STATUS_INVALID_DATA_STATE;
    }
    if (len == IG_GLOB_FIELD_MAX)
    {
        IgParseFail(Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_GLOB_TOO_LONG, offset, Record,
                    "the %s pattern has no NUL in its first %u bytes (at most %u characters)", What, IG_GLOB_FIELD_MAX,
                    IG_GLOB_FIELD_MAX - 1);
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (len == IgReaderRemaining(rd))
    {
        /* hvmi reads on into the next record and then fails its final size check. */
        IgParseFail(Error, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH, offset, Record,
                    "the %s pattern is not NUL-terminated inside the record", What);
        return INT_STATUS_INVALID_OBJECT_TYPE;
    }
    *Text = (const char *)IgReadBytes(rd, len + 1);
    *Length = len;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeGlob(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_REC_GLOB *glob = &Record->u.Glob;
    IG_READER *rd = &Record->Body;
    INTSTATUS status = IgExpectAtLeast(Record, IG_GLOB_FIXED_SIZE, Error);
    uint64_t expected;

    if (!INT_SUCCESS(status))
    {
        return status;
    }

    glob->Flags = IgReadU32(rd);
    glob->Reserved = IgReadU8(rd);
    glob->ObjectType = IgReadU8(rd);
    glob->SigCount = IgReadU16(rd);
    glob->PatternsValid = true;

    status = IgDecodeGlobPattern(Record, "originator", &glob->Originator, &glob->OriginatorLen, Error);
    if (INT_SUCCESS(status))
    {
        status = IgDecodeGlobPattern(Record, "victim", &glob->Victim, &glob->VictimLen, Error);
    }
    if (INT_SUCCESS(status))
    {
        status = IgDecodeGlobPattern(Record, "process", &glob->Process, &glob->ProcessLen, Error);
    }
    if (INT_SUCCESS(status))
    {
        expected = IG_GLOB_FIXED_SIZE + (uint64_t)glob->OriginatorLen + glob->VictimLen + glob->ProcessLen + 3 +
                   4ull * glob->SigCount;
        if (expected != Record->Size)
        {
            IgParseFail(Error, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH, Record->Offset + 1,
                        Record, "body is %u bytes, its patterns and %u signature IDs need %llu", Record->Size,
                        glob->SigCount, (unsigned long long)expected);
            status = INT_STATUS_INVALID_OBJECT_TYPE;
        }
    }

    if (!INT_SUCCESS(status))
    {
        if (!(glob->Flags & IG_EXC_FLG_IGNORE))
        {
            return status;
        }
        /* hvmi drops ignored glob records before validating their strings; so do we. */
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->RecordIndex = IG_NO_RECORD;
        }
        glob->PatternsValid = false;
        glob->Originator = glob->Victim = glob->Process = NULL;
        glob->OriginatorLen = glob->VictimLen = glob->ProcessLen = 0;
        glob->SigCount = 0;
        memset(&glob->SigIds, 0, sizeof(glob->SigIds));
        return INT_STATUS_SUCCESS;
    }

    (void)IgReadSub(rd, 4u * glob->SigCount, &glob->SigIds);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeCodeBlocks(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_REC_CODEBLOCKS *cb = &Record->u.CodeBlocks;
    IG_READER *rd = &Record->Body;
    IG_READER walk;
    INTSTATUS status = IgExpectAtLeast(Record, IG_CB_FIXED_SIZE, Error);

    if (!INT_SUCCESS(status))
    {
        return status;
    }

    cb->Id = IgReadU32(rd);
    cb->Flags = IgReadU32(rd);
    cb->Score = IgReadU8(rd);
    cb->ListCount = IgReadU8(rd);
    cb->HashCount = 0;

    /* ListCount is a byte and each list at most 255 hashes: both are capped by their width. */
    walk = *rd;
    for (uint32_t i = 0; i < cb->ListCount; i++)
    {
        uint64_t offset = IgReaderOffset(&walk);
        uint8_t count = IgReadU8(&walk);

        if (walk.Failed || !IgReadSkip(&walk, 4u * count))
        {
            IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH, offset, Record,
                        "hash list %u of %u runs past the end of the %u-byte body", i, cb->ListCount, Record->Size);
            return INT_STATUS_INVALID_DATA_STATE;
        }
        cb->HashCount += count;
    }
    if (!IgReaderAtEnd(&walk))
    {
        IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH, IgReaderOffset(&walk),
                    Record, "%zu bytes left after its %u hash lists", IgReaderRemaining(&walk), cb->ListCount);
        return INT_STATUS_INVALID_DATA_STATE;
    }
    (void)IgReadSub(rd, IgReaderRemaining(rd), &cb->Lists);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeExport(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_REC_EXPORT *exp = &Record->u.Export;
    IG_READER *rd = &Record->Body;
    INTSTATUS status = IgExpectAtLeast(Record, IG_EXPORT_FIXED_SIZE, Error);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    exp->Id = IgReadU32(rd);
    exp->Flags = IgReadU32(rd);
    exp->Library = IgReadU32(rd);
    exp->Count = IgReadU8(rd);
    for (int i = 0; i < 3; i++)
    {
        exp->Align[i] = IgReadU8(rd);
    }
    status = IgExpectSize(Record, IG_EXPORT_FIXED_SIZE + (uint64_t)IG_EXPORT_ENTRY_SIZE * exp->Count, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    (void)IgReadSub(rd, (size_t)IG_EXPORT_ENTRY_SIZE * exp->Count, &exp->Entries);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeValue(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_REC_VALUE *val = &Record->u.Value;
    IG_READER *rd = &Record->Body;
    INTSTATUS status = IgExpectAtLeast(Record, IG_VALUE_FIXED_SIZE, Error);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    val->Id = IgReadU32(rd);
    val->Flags = IgReadU32(rd);
    val->Score = IgReadU8(rd);
    val->Count = IgReadU8(rd);
    val->Align = IgReadU16(rd);
    status = IgExpectSize(Record, IG_VALUE_FIXED_SIZE + (uint64_t)IG_VALUE_ENTRY_SIZE * val->Count, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    (void)IgReadSub(rd, (size_t)IG_VALUE_ENTRY_SIZE * val->Count, &val->Entries);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeValueCode(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_REC_VALUE_CODE *vc = &Record->u.ValueCode;
    IG_READER *rd = &Record->Body;
    INTSTATUS status = IgExpectAtLeast(Record, IG_VALUE_CODE_FIXED_SIZE, Error);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    vc->Id = IgReadU32(rd);
    vc->Flags = IgReadU32(rd);
    vc->Offset = (int16_t)IgReadU16(rd);
    vc->Length = IgReadU16(rd);
    status = IgExpectSize(Record, IG_VALUE_CODE_FIXED_SIZE + 2ull * vc->Length, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    (void)IgReadSub(rd, 2u * vc->Length, &vc->Pattern);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeFixedSignature(IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_READER *rd = &Record->Body;
    INTSTATUS status;

    switch (Record->Type)
    {
        case IgRecIdtSig:
            status = IgExpectSize(Record, IG_IDT_SIZE, Error);
            if (INT_SUCCESS(status))
            {
                Record->u.Idt.Id = IgReadU32(rd);
                Record->u.Idt.Flags = IgReadU32(rd);
                Record->u.Idt.Entry = IgReadU8(rd);
                for (int i = 0; i < 3; i++)
                {
                    Record->u.Idt.Reserved[i] = IgReadU8(rd);
                }
            }
            return status;

        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            status = IgExpectSize(Record, IG_VERSION_SIZE, Error);
            if (INT_SUCCESS(status))
            {
                Record->u.Version.Id = IgReadU32(rd);
                Record->u.Version.Flags = IgReadU32(rd);
                Record->u.Version.Minimum = IgReadU64(rd);
                Record->u.Version.Maximum = IgReadU64(rd);
            }
            return status;

        default: /* IgRecProcessCreationSig */
            status = IgExpectSize(Record, IG_PROCESS_CREATION_SIZE, Error);
            if (INT_SUCCESS(status))
            {
                Record->u.ProcessCreation.Id = IgReadU32(rd);
                Record->u.ProcessCreation.Flags = IgReadU32(rd);
                Record->u.ProcessCreation.CreateMask = IgReadU32(rd);
                for (int i = 0; i < 12; i++)
                {
                    Record->u.ProcessCreation.Reserved[i] = IgReadU8(rd);
                }
            }
            return status;
    }
}

INTSTATUS IgFileNextRecord(IG_RECORD_ITER *Iter, IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    IG_READER *file = &Iter->File;
    INTSTATUS status;

    /* No memset of the whole record: this runs twice per record on every load, and each
     * decoder assigns every field of its own variant. */
    if (IgReaderAtEnd(file))
    {
        return INT_STATUS_NO_MORE_ENTRIES;
    }

    Record->Index = Iter->NextIndex;
    Record->Offset = IgReaderOffset(file);
    Record->Type = 0;
    Record->Size = 0;
    if (Iter->NextIndex >= IG_MAX_RECORDS)
    {
        IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_TOO_MANY_RECORDS, Record->Offset, NULL,
                    "record %u at offset %llu: more than %u records", Record->Index, (unsigned long long)Record->Offset,
                    IG_MAX_RECORDS);
        if (Error)
        {
            Error->RecordIndex = Record->Index; /* a record error, not a header one (its type is not read) */
        }
        return INT_STATUS_INVALID_DATA_STATE;
    }
    if (!IgReaderHas(file, IG_RECORD_HEADER_SIZE))
    {
        /* The record's type was never read: name the record by its index and offset only. */
        IgParseFail(Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_TRUNCATED_HEADER, Record->Offset, NULL,
                    "record %u at offset %llu: only %zu bytes left, a record header needs %u", Record->Index,
                    (unsigned long long)Record->Offset, IgReaderRemaining(file), IG_RECORD_HEADER_SIZE);
        if (Error)
        {
            Error->RecordIndex = Record->Index;
        }
        return INT_STATUS_INVALID_DATA_SIZE;
    }
    {
        const uint8_t *head = IgReadBytes(file, IG_RECORD_HEADER_SIZE);
        const uint8_t *body;

        Record->Type = head[0];
        Record->Size = IgLoadLe16(head + 1);
        Record->Known = IgRecordIsKnown(Record->Type);

        /* hvmi stops silently when an unknown record's size runs past the end; we reject every
         * record that does not fit (docs/compat.md). */
        body = IgReadBytes(file, Record->Size);
        if (!body)
        {
            IgParseFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_PAST_END, Record->Offset + 1,
                        Record, "body of %u bytes runs past the end of the file (%zu bytes left)", Record->Size,
                        IgReaderRemaining(file));
            return INT_STATUS_INVALID_DATA_STATE;
        }
        Record->Body = IgReaderView(body, Record->Size, Record->Offset + IG_RECORD_HEADER_SIZE);
    }
    Iter->NextIndex++;

    switch (Record->Type)
    {
        case IgRecKernel:
        case IgRecUser:
        case IgRecUserApc:
        case IgRecKernelUser:
            status = IgDecodeException(Record, Error);
            break;
        case IgRecUserGlob:
            status = IgDecodeGlob(Record, Error);
            break;
        case IgRecCodeBlocksSig:
            status = IgDecodeCodeBlocks(Record, Error);
            break;
        case IgRecExportSig:
            status = IgDecodeExport(Record, Error);
            break;
        case IgRecValueSig:
            status = IgDecodeValue(Record, Error);
            break;
        case IgRecValueCodeSig:
            status = IgDecodeValueCode(Record, Error);
            break;
        case IgRecIdtSig:
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
        case IgRecProcessCreationSig:
            status = IgDecodeFixedSignature(Record, Error);
            break;
        default:
            status = INT_STATUS_SUCCESS; /* unknown: skipped by size */
            break;
    }
    return status;
}

uint32_t IgRecordOwnSigId(const IG_RECORD *Record)
{
    switch (Record->Type)
    {
        case IgRecCodeBlocksSig:
            return Record->u.CodeBlocks.Id;
        case IgRecExportSig:
            return Record->u.Export.Id;
        case IgRecValueSig:
            return Record->u.Value.Id;
        case IgRecValueCodeSig:
            return Record->u.ValueCode.Id;
        case IgRecIdtSig:
            return Record->u.Idt.Id;
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            return Record->u.Version.Id;
        case IgRecProcessCreationSig:
            return Record->u.ProcessCreation.Id;
        default:
            return 0;
    }
}

uint32_t IgRecordFlags(const IG_RECORD *Record)
{
    switch (Record->Type)
    {
        case IgRecKernel:
        case IgRecUser:
        case IgRecUserApc:
        case IgRecKernelUser:
            return Record->u.Exception.Flags;
        case IgRecUserGlob:
            return Record->u.Glob.Flags;
        case IgRecCodeBlocksSig:
            return Record->u.CodeBlocks.Flags;
        case IgRecExportSig:
            return Record->u.Export.Flags;
        case IgRecValueSig:
            return Record->u.Value.Flags;
        case IgRecValueCodeSig:
            return Record->u.ValueCode.Flags;
        case IgRecIdtSig:
            return Record->u.Idt.Flags;
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            return Record->u.Version.Flags;
        case IgRecProcessCreationSig:
            return Record->u.ProcessCreation.Flags;
        default:
            return 0;
    }
}

/* ---- Header counts ------------------------------------------------------------------------------------------ */

uint32_t IgCountedKind(uint8_t Type)
{
    switch (Type)
    {
        case IgRecKernel:
            return 0;
        case IgRecUser:
        case IgRecUserApc:
            return 1;
        case IgRecUserGlob:
            return 3;
        case IgRecKernelUser:
            return 4;
        default:
            return Type < 16 && ((INTRO_EXCFILE_SIGNATURE_TYPES >> Type) & 1u) ? 2 : IG_COUNTED_KINDS;
    }
}

void IgCountsInit(IG_COUNTS *Counts, const IG_FILE_HEADER *Header)
{
    memset(Counts, 0, sizeof(*Counts));
    Counts->Promised[0] = Header->KernelCount;
    Counts->Promised[1] = Header->UserCount;
    Counts->Promised[2] = Header->SignatureCount;
    Counts->Promised[3] = Header->GlobCount;
    Counts->Promised[4] = Header->KernelUserCount;
}

void IgCountsRecord(IG_COUNTS *Counts, uint8_t Type, uint32_t Index, uint64_t Offset)
{
    uint32_t kind = IgCountedKind(Type);

    if (kind == IG_COUNTED_KINDS)
    {
        return;
    }
    /* Saturating: a count only has to be compared, and a file holds at most IG_MAX_RECORDS. */
    if (Counts->Seen[kind] != UINT32_MAX)
    {
        Counts->Seen[kind]++;
    }
    if (!Counts->Excess && Counts->Seen[kind] > Counts->Promised[kind])
    {
        Counts->Excess = true;
        Counts->ExcessType = Type;
        Counts->ExcessKind = (uint8_t)kind;
        Counts->ExcessIndex = Index;
        Counts->ExcessOffset = Offset;
    }
}

INTSTATUS IgCountsEnd(const IG_COUNTS *Counts, uint64_t Length, uint32_t Records, IG_PARSE_ERROR *Error)
{
    static const char *const names[IG_COUNTED_KINDS] = {"kernel", "user", "signature", "glob", "kernel-user"};
    uint32_t k;

    if (Counts->Excess)
    {
        IG_RECORD record = {.Type = Counts->ExcessType, .Index = Counts->ExcessIndex, .Offset = Counts->ExcessOffset};

        k = Counts->ExcessKind;
        IgParseFail(Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_COUNT_MISMATCH, record.Offset, &record,
                    "one %s record more than the header's count of %u", names[k], Counts->Promised[k]);
        return INT_STATUS_INVALID_DATA_SIZE;
    }
    for (k = 0; k < IG_COUNTED_KINDS && Counts->Seen[k] == Counts->Promised[k]; k++)
    {
    }
    if (k == IG_COUNTED_KINDS)
    {
        return INT_STATUS_SUCCESS;
    }
    /* No kind is over its count, so this one is short: the file ends before its records do. */
    IgParseFail(Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_COUNT_MISMATCH, Length, NULL,
                "record %u at offset %llu: the file ends, but the header promises %u %s records and it holds %u "
                "(truncated?)",
                Records, (unsigned long long)Length, Counts->Promised[k], names[k], Counts->Seen[k]);
    if (Error)
    {
        Error->RecordIndex = Records; /* the record that should start where the file ends */
    }
    return INT_STATUS_INVALID_DATA_SIZE;
}
