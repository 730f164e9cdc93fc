/*
 * The public decoder (intro_excfile.h): a thin layer over the loader's own decoder
 * (src/exceptions/update_exceptions.c), which stays the only code that parses the file.  It turns
 * the loader's sub-readers into pointer-and-count views and its error into the public one.
 */
#include "introguard/intro_excfile.h"

#include <string.h>

#include "exceptions/update_file.h"

_Static_assert(sizeof(((INTRO_EXCEPTIONS_LOAD_ERROR *)0)->Message) == sizeof(((IG_PARSE_ERROR *)0)->Message),
               "the public error carries the decoder's whole message");

static void IgPublicError(const IG_PARSE_ERROR *From, INTRO_EXCEPTIONS_LOAD_ERROR *To)
{
    if (!To)
    {
        return;
    }
    memset(To, 0, sizeof(*To));
    To->Status = From->Status;
    To->Detail = From->Detail;
    To->Offset = From->Offset;
    To->RecordIndex = From->RecordIndex;
    To->RecordType = From->RecordType;
    memcpy(To->Message, From->Message, sizeof(To->Message));
    To->Message[sizeof(To->Message) - 1] = '\0';
}

static void IgPublicHeader(const IG_FILE_HEADER *From, INTRO_EXCFILE_HEADER *To)
{
    To->Magic = From->Magic;
    To->Major = From->Major;
    To->Minor = From->Minor;
    To->KernelCount = From->KernelCount;
    To->UserCount = From->UserCount;
    To->SignatureCount = From->SignatureCount;
    To->BuildNumber = From->BuildNumber;
    To->GlobCount = From->GlobCount;
    To->KernelUserCount = From->KernelUserCount;
    To->Reserved = From->Reserved;
}

/* The count check's state lives in the public iterator: ToIterator copies it there, else back. */
static void IgIteratorCounts(IG_COUNTS *Counts, INTRO_EXCFILE_ITERATOR *Iterator, bool ToIterator)
{
    _Static_assert(sizeof(Iterator->Promised) == sizeof(Counts->Promised) &&
                       sizeof(Iterator->Seen) == sizeof(Counts->Seen),
                   "the iterator holds the five counts");
    if (ToIterator)
    {
        memcpy(Iterator->Promised, Counts->Promised, sizeof(Iterator->Promised));
        memcpy(Iterator->Seen, Counts->Seen, sizeof(Iterator->Seen));
        Iterator->ExcessType = Counts->Excess ? Counts->ExcessType : 0;
        Iterator->ExcessKind = Counts->ExcessKind;
        Iterator->ExcessIndex = Counts->ExcessIndex;
        Iterator->ExcessOffset = Counts->ExcessOffset;
        return;
    }
    memcpy(Counts->Promised, Iterator->Promised, sizeof(Counts->Promised));
    memcpy(Counts->Seen, Iterator->Seen, sizeof(Counts->Seen));
    Counts->Excess = Iterator->ExcessType != 0;
    Counts->ExcessType = Iterator->ExcessType;
    Counts->ExcessKind = Iterator->ExcessKind < IG_COUNTED_KINDS ? Iterator->ExcessKind : 0;
    Counts->ExcessIndex = Iterator->ExcessIndex;
    Counts->ExcessOffset = Iterator->ExcessOffset;
}

INTSTATUS IntExcFileOpen(const void *Buffer, size_t Length, INTRO_EXCFILE_HEADER *Header,
                         INTRO_EXCFILE_ITERATOR *Iterator, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    IG_FILE_HEADER header;
    IG_RECORD_ITER iter;
    IG_PARSE_ERROR error;
    IG_COUNTS counts;
    INTSTATUS status;

    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
        Error->RecordIndex = INTRO_EXCEPTIONS_LOAD_NO_RECORD;
    }
    if (!Header)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (!Iterator)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    memset(Header, 0, sizeof(*Header));
    memset(Iterator, 0, sizeof(*Iterator));

    status = IgFileOpen(Buffer, Length, &header, &iter, &error);
    if (!INT_SUCCESS(status))
    {
        IgPublicError(&error, Error);
        return status;
    }
    IgPublicHeader(&header, Header);
    IgCountsInit(&counts, &header);
    IgIteratorCounts(&counts, Iterator, true);
    Iterator->Data = iter.File.Data;
    Iterator->Size = iter.File.Size;
    Iterator->Position = iter.File.Pos;
    Iterator->NextIndex = iter.NextIndex;
    return INT_STATUS_SUCCESS;
}

static INTRO_EXCFILE_U32_ARRAY IgU32View(const IG_READER *Reader, uint32_t Count)
{
    INTRO_EXCFILE_U32_ARRAY view = {Reader->Data, NULL, Reader->Data ? Count : 0};
    return view;
}

static void IgPublicException(const IG_REC_EXCEPTION *From, INTRO_EXCFILE_EXCEPTION *To)
{
    To->Originator = From->Originator;
    To->OriginatorPath = From->OriginatorPath;
    To->Victim = From->Victim;
    To->Process = From->Process;
    To->Flags = From->Flags;
    To->Reserved = From->Reserved;
    To->ObjectType = From->ObjectType;
    To->SigIds = IgU32View(&From->SigIds, From->SigCount);
}

static void IgPublicGlob(const IG_REC_GLOB *From, INTRO_EXCFILE_GLOB *To)
{
    To->Flags = From->Flags;
    To->Reserved = From->Reserved;
    To->ObjectType = From->ObjectType;
    To->Originator.Text = From->Originator;
    To->Originator.Length = From->OriginatorLen;
    To->Victim.Text = From->Victim;
    To->Victim.Length = From->VictimLen;
    To->Process.Text = From->Process;
    To->Process.Length = From->ProcessLen;
    To->PatternsValid = From->PatternsValid;
    To->SigIds = IgU32View(&From->SigIds, From->SigCount);
}

/* Copies the typed part of a known record; the variable parts become views into the buffer. */
static void IgPublicBody(const IG_RECORD *From, INTRO_EXCFILE_RECORD *To)
{
    switch (From->Type)
    {
        case IgRecKernel:
        case IgRecUser:
        case IgRecUserApc:
        case IgRecKernelUser:
            IgPublicException(&From->u.Exception, &To->u.Exception);
            break;
        case IgRecUserGlob:
            IgPublicGlob(&From->u.Glob, &To->u.Glob);
            break;
        case IgRecCodeBlocksSig:
        {
            const IG_REC_CODEBLOCKS *cb = &From->u.CodeBlocks;
            INTRO_EXCFILE_CODEBLOCKS *to = &To->u.CodeBlocks;

            to->Id = cb->Id;
            to->Flags = cb->Flags;
            to->Score = cb->Score;
            to->ListCount = cb->ListCount;
            to->HashCount = cb->HashCount;
            to->Lists = cb->Lists.Data;
            to->ListsSize = cb->Lists.Size;
            break;
        }
        case IgRecExportSig:
            To->u.Export.Id = From->u.Export.Id;
            To->u.Export.Flags = From->u.Export.Flags;
            To->u.Export.Library = From->u.Export.Library;
            To->u.Export.Count = From->u.Export.Count;
            memcpy(To->u.Export.Align, From->u.Export.Align, sizeof(To->u.Export.Align));
            To->u.Export.EntriesLe = From->u.Export.Entries.Data;
            break;
        case IgRecValueSig:
            To->u.Value.Id = From->u.Value.Id;
            To->u.Value.Flags = From->u.Value.Flags;
            To->u.Value.Score = From->u.Value.Score;
            To->u.Value.Count = From->u.Value.Count;
            To->u.Value.Align = From->u.Value.Align;
            To->u.Value.EntriesLe = From->u.Value.Entries.Data;
            break;
        case IgRecValueCodeSig:
            To->u.ValueCode.Id = From->u.ValueCode.Id;
            To->u.ValueCode.Flags = From->u.ValueCode.Flags;
            To->u.ValueCode.Offset = From->u.ValueCode.Offset;
            To->u.ValueCode.Pattern.Le = From->u.ValueCode.Pattern.Data;
            To->u.ValueCode.Pattern.Count = From->u.ValueCode.Length;
            break;
        case IgRecIdtSig:
            To->u.Idt.Id = From->u.Idt.Id;
            To->u.Idt.Flags = From->u.Idt.Flags;
            To->u.Idt.Entry = From->u.Idt.Entry;
            memcpy(To->u.Idt.Reserved, From->u.Idt.Reserved, sizeof(To->u.Idt.Reserved));
            break;
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            To->u.Version.Id = From->u.Version.Id;
            To->u.Version.Flags = From->u.Version.Flags;
            To->u.Version.Minimum = From->u.Version.Minimum;
            To->u.Version.Maximum = From->u.Version.Maximum;
            break;
        case IgRecProcessCreationSig:
            To->u.ProcessCreation.Id = From->u.ProcessCreation.Id;
            To->u.ProcessCreation.Flags = From->u.ProcessCreation.Flags;
            To->u.ProcessCreation.CreateMask = From->u.ProcessCreation.CreateMask;
            memcpy(To->u.ProcessCreation.Reserved, From->u.ProcessCreation.Reserved,
                   sizeof(To->u.ProcessCreation.Reserved));
            break;
        default:
            break;
    }
}

INTSTATUS IntExcFileNext(INTRO_EXCFILE_ITERATOR *Iterator, INTRO_EXCFILE_RECORD *Record,
                         INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    IG_RECORD_ITER iter;
    IG_RECORD record;
    IG_PARSE_ERROR error;
    IG_COUNTS counts;
    INTSTATUS status;

    if (!Iterator || (!Iterator->Data && Iterator->Size) || Iterator->Position > Iterator->Size)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Record)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    memset(Record, 0, sizeof(*Record));

    iter.File = IgReaderView(Iterator->Data, Iterator->Size, 0);
    iter.File.Pos = Iterator->Position;
    iter.NextIndex = Iterator->NextIndex;
    status = IgFileNextRecord(&iter, &record, &error);
    Iterator->Position = iter.File.Pos;
    Iterator->NextIndex = iter.NextIndex;
    if (status == INT_STATUS_NO_MORE_ENTRIES)
    {
        return status;
    }
    if (!INT_SUCCESS(status))
    {
        IgPublicError(&error, Error);
        return status;
    }
    IgIteratorCounts(&counts, Iterator, false);
    IgCountsRecord(&counts, record.Type, record.Index, record.Offset);
    IgIteratorCounts(&counts, Iterator, true);

    Record->Type = record.Type;
    Record->Known = record.Known;
    Record->Size = record.Size;
    Record->Index = record.Index;
    Record->Offset = record.Offset;
    Record->Body = record.Body.Data;
    if (record.Known)
    {
        IgPublicBody(&record, Record);
    }
    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
        Error->RecordIndex = INTRO_EXCEPTIONS_LOAD_NO_RECORD;
    }
    return INT_STATUS_SUCCESS;
}

/* ---- Views ------------------------------------------------------------------------------------------------ */

static uint32_t IgLe32(const uint8_t *P)
{
    return (uint32_t)P[0] | ((uint32_t)P[1] << 8) | ((uint32_t)P[2] << 16) | ((uint32_t)P[3] << 24);
}

static uint16_t IgLe16(const uint8_t *P)
{
    return (uint16_t)(P[0] | (P[1] << 8));
}

uint32_t IntExcFileU32At(const INTRO_EXCFILE_U32_ARRAY *Array, uint32_t Index)
{
    if (!Array || Index >= Array->Count)
    {
        return 0;
    }
    if (Array->Le)
    {
        return IgLe32(Array->Le + 4ull * Index);
    }
    return Array->Values ? Array->Values[Index] : 0;
}

uint16_t IntExcFileU16At(const INTRO_EXCFILE_U16_ARRAY *Array, uint32_t Index)
{
    if (!Array || Index >= Array->Count)
    {
        return 0;
    }
    if (Array->Le)
    {
        return IgLe16(Array->Le + 2ull * Index);
    }
    return Array->Values ? Array->Values[Index] : 0;
}

bool IntExcFileNextHashList(const INTRO_EXCFILE_CODEBLOCKS *CodeBlocks, INTRO_EXCFILE_HASH_CURSOR *Cursor,
                            INTRO_EXCFILE_U32_ARRAY *List)
{
    memset(List, 0, sizeof(*List));
    if (!CodeBlocks || Cursor->List >= CodeBlocks->ListCount)
    {
        return false;
    }
    if (CodeBlocks->Lists)
    {
        /* The decoder checked that the lists fill ListsSize exactly; still never step outside it. */
        size_t at = Cursor->Position;
        uint8_t count;

        if (at >= CodeBlocks->ListsSize)
        {
            return false;
        }
        count = CodeBlocks->Lists[at];
        if (4u * (size_t)count > CodeBlocks->ListsSize - at - 1)
        {
            return false;
        }
        List->Le = CodeBlocks->Lists + at + 1;
        List->Count = count;
        Cursor->Position = at + 1 + 4u * (size_t)count;
    }
    else
    {
        if (!CodeBlocks->ListSizes || (!CodeBlocks->Hashes && CodeBlocks->ListSizes[Cursor->List]))
        {
            return false;
        }
        List->Values = CodeBlocks->Hashes ? CodeBlocks->Hashes + Cursor->Position : NULL;
        List->Count = CodeBlocks->ListSizes[Cursor->List];
        Cursor->Position += List->Count;
    }
    Cursor->List++;
    return true;
}

bool IntExcFileExportEntryAt(const INTRO_EXCFILE_EXPORT *Export, uint32_t Index, INTRO_EXCFILE_EXPORT_ENTRY *Entry)
{
    memset(Entry, 0, sizeof(*Entry));
    if (!Export || Index >= Export->Count)
    {
        return false;
    }
    if (Export->EntriesLe)
    {
        const uint8_t *p = Export->EntriesLe + (size_t)INTRO_EXCFILE_EXPORT_ENTRY_SIZE * Index;

        Entry->Delta = IgLe16(p);
        Entry->Reserved[0] = p[2];
        Entry->Reserved[1] = p[3];
        Entry->FunctionHash = IgLe32(p + 4);
        return true;
    }
    if (!Export->Entries)
    {
        return false;
    }
    *Entry = Export->Entries[Index];
    return true;
}

bool IntExcFileValueEntryAt(const INTRO_EXCFILE_VALUE *Value, uint32_t Index, INTRO_EXCFILE_VALUE_ENTRY *Entry)
{
    memset(Entry, 0, sizeof(*Entry));
    if (!Value || Index >= Value->Count)
    {
        return false;
    }
    if (Value->EntriesLe)
    {
        const uint8_t *p = Value->EntriesLe + (size_t)INTRO_EXCFILE_VALUE_ENTRY_SIZE * Index;

        Entry->Offset = IgLe16(p);
        Entry->Size = IgLe16(p + 2);
        memcpy(Entry->Reserved, p + 4, sizeof(Entry->Reserved));
        Entry->Hash = IgLe32(p + 8);
        return true;
    }
    if (!Value->Entries)
    {
        return false;
    }
    *Entry = Value->Entries[Index];
    return true;
}

/* ---- Record helpers ---------------------------------------------------------------------------------------- */

uint32_t IntExcFileRecordId(const INTRO_EXCFILE_RECORD *Record)
{
    switch (Record->Known ? Record->Type : 0)
    {
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            return Record->u.CodeBlocks.Id;
        case INTRO_EXCFILE_REC_EXPORT:
            return Record->u.Export.Id;
        case INTRO_EXCFILE_REC_VALUE:
            return Record->u.Value.Id;
        case INTRO_EXCFILE_REC_VALUE_CODE:
            return Record->u.ValueCode.Id;
        case INTRO_EXCFILE_REC_IDT:
            return Record->u.Idt.Id;
        case INTRO_EXCFILE_REC_VERSION_OS:
        case INTRO_EXCFILE_REC_VERSION_INTRO:
            return Record->u.Version.Id;
        case INTRO_EXCFILE_REC_PROCESS_CREATION:
            return Record->u.ProcessCreation.Id;
        default:
            return 0;
    }
}

uint32_t IntExcFileRecordFlags(const INTRO_EXCFILE_RECORD *Record)
{
    switch (Record->Known ? Record->Type : 0)
    {
        case INTRO_EXCFILE_REC_KERNEL:
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return Record->u.Exception.Flags;
        case INTRO_EXCFILE_REC_USER_GLOB:
            return Record->u.Glob.Flags;
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            return Record->u.CodeBlocks.Flags;
        case INTRO_EXCFILE_REC_EXPORT:
            return Record->u.Export.Flags;
        case INTRO_EXCFILE_REC_VALUE:
            return Record->u.Value.Flags;
        case INTRO_EXCFILE_REC_VALUE_CODE:
            return Record->u.ValueCode.Flags;
        case INTRO_EXCFILE_REC_IDT:
            return Record->u.Idt.Flags;
        case INTRO_EXCFILE_REC_VERSION_OS:
        case INTRO_EXCFILE_REC_VERSION_INTRO:
            return Record->u.Version.Flags;
        case INTRO_EXCFILE_REC_PROCESS_CREATION:
            return Record->u.ProcessCreation.Flags;
        default:
            return 0;
    }
}

const INTRO_EXCFILE_U32_ARRAY *IntExcFileRecordSigIds(const INTRO_EXCFILE_RECORD *Record)
{
    switch (Record->Known ? Record->Type : 0)
    {
        case INTRO_EXCFILE_REC_KERNEL:
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return &Record->u.Exception.SigIds;
        case INTRO_EXCFILE_REC_USER_GLOB:
            return &Record->u.Glob.SigIds;
        default:
            return NULL;
    }
}

INTSTATUS IntExcFileCheckCounts(const INTRO_EXCFILE_ITERATOR *Iterator, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    IG_COUNTS counts;
    IG_PARSE_ERROR error;
    INTSTATUS status;

    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
        Error->RecordIndex = INTRO_EXCEPTIONS_LOAD_NO_RECORD;
    }
    if (!Iterator || Iterator->Position != Iterator->Size)
    {
        return INT_STATUS_INVALID_PARAMETER_1; /* no walk, or one that has not reached the end */
    }
    IgIteratorCounts(&counts, (INTRO_EXCFILE_ITERATOR *)(uintptr_t)Iterator, false);
    status = IgCountsEnd(&counts, Iterator->Size, Iterator->NextIndex, &error);
    if (!INT_SUCCESS(status))
    {
        IgPublicError(&error, Error);
    }
    return status;
}
