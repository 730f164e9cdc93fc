/*
 * The one walk of `dump` (see dump_int.h): for each record, its fields in order, each with what it
 * means.  The sinks format; nothing here knows whether the output is text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "dump_int.h"

const uint8_t gIgDumpSummaryOrder[13] = {
    INTRO_EXCFILE_REC_KERNEL,        INTRO_EXCFILE_REC_USER,
    INTRO_EXCFILE_REC_USER_APC,      INTRO_EXCFILE_REC_USER_GLOB,
    INTRO_EXCFILE_REC_KERNEL_USER,   INTRO_EXCFILE_REC_VERSION_OS,
    INTRO_EXCFILE_REC_VERSION_INTRO, INTRO_EXCFILE_REC_PROCESS_CREATION,
    INTRO_EXCFILE_REC_EXPORT,        INTRO_EXCFILE_REC_VALUE,
    INTRO_EXCFILE_REC_IDT,           INTRO_EXCFILE_REC_VALUE_CODE,
    INTRO_EXCFILE_REC_CODEBLOCKS,
};

void IgDumpPatternItem(uint16_t Item, char Buffer[8])
{
    if (Item < 0x100)
    {
        snprintf(Buffer, 8, "%02X", Item);
    }
    else if (Item == INTRO_EXCFILE_PATTERN_ANY)
    {
        snprintf(Buffer, 8, "??");
    }
    else
    {
        snprintf(Buffer, 8, "0x%04X", Item); /* not a byte and not the wildcard: never matches */
    }
}

static const char *IgSpecial(const INTRO_EXCFILE_RECORD *Record, INTRO_EXCFILE_FIELD Field, uint32_t Flags,
                             uint32_t Value)
{
    return IntExcFileFieldSpecialName(Record->Type, Field, Flags, Value);
}

static void IgWalkObjectType(const IG_DUMP_SINK *S, uint8_t RecordType, uint8_t ObjectType)
{
    S->ObjectType(S->Context, ObjectType, IntExcFileKeywordName(IntExcFileRecordObjectTypes(RecordType), ObjectType));
}

static void IgWalkSigId(const IG_DUMP_SINK *S, const char *Key, uint32_t Id)
{
    const INTRO_EXCFILE_SIGNATURE_KIND *kind = IntExcFileSignatureKindByCode(INTRO_EXCFILE_SIG_ID_TYPE(Id));

    S->SigId(S->Context, Key, Id, kind ? kind->Name : NULL);
}

static void IgWalkSigIds(const IG_DUMP_SINK *S, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_U32_ARRAY *ids = IntExcFileRecordSigIds(Record);

    S->BeginList(S->Context, "signatures", ids->Count, NULL);
    for (uint32_t i = 0; i < ids->Count; i++)
    {
        IgWalkSigId(S, NULL, IntExcFileU32At(ids, i));
    }
    S->EndList(S->Context);
}

static void IgWalkException(const IG_DUMP_SINK *S, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_EXCEPTION *e = &Record->u.Exception;
    bool kernel = Record->Type == INTRO_EXCFILE_REC_KERNEL;

    S->Hash(S->Context, "originator", e->Originator,
            IgSpecial(Record, INTRO_EXCFILE_FIELD_ORIGINATOR, e->Flags, e->Originator));
    if (kernel)
    {
        S->Hash(S->Context, "originator-path", e->OriginatorPath, NULL);
    }
    S->Hash(S->Context, "victim", e->Victim, IgSpecial(Record, INTRO_EXCFILE_FIELD_VICTIM, e->Flags, e->Victim));
    if (!kernel)
    {
        S->Hash(S->Context, "process", e->Process,
                IgSpecial(Record, INTRO_EXCFILE_FIELD_PROCESS, e->Flags, e->Process));
    }
    S->Bits(S->Context, "flags", e->Flags, IntExcFileRecordFlagNamespaces(Record->Type), NULL);
    S->Hex(S->Context, "reserved", e->Reserved, 2);
    IgWalkObjectType(S, Record->Type, e->ObjectType);
    IgWalkSigIds(S, Record);
}

static void IgWalkGlob(const IG_DUMP_SINK *S, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_GLOB *g = &Record->u.Glob;

    S->Bits(S->Context, "flags", g->Flags, IntExcFileRecordFlagNamespaces(Record->Type), NULL);
    S->Hex(S->Context, "reserved", g->Reserved, 2);
    IgWalkObjectType(S, Record->Type, g->ObjectType);
    S->PatternsValid(S->Context, g->PatternsValid);
    if (g->PatternsValid)
    {
        S->Pattern(S->Context, "originator", g->Originator.Text, g->Originator.Length);
        S->Pattern(S->Context, "victim", g->Victim.Text, g->Victim.Length);
        S->Pattern(S->Context, "process", g->Process.Text, g->Process.Length);
        IgWalkSigIds(S, Record);
    }
}

static void IgWalkCodeBlocks(const IG_DUMP_SINK *S, const INTRO_EXCFILE_CODEBLOCKS *Cb)
{
    INTRO_EXCFILE_HASH_CURSOR cursor = {0, 0};
    INTRO_EXCFILE_U32_ARRAY list;

    S->Number(S->Context, "score", Cb->Score);
    S->BeginList(S->Context, "lists", Cb->ListCount, &Cb->HashCount);
    while (IntExcFileNextHashList(Cb, &cursor, &list))
    {
        S->HashList(S->Context, cursor.List - 1, &list);
    }
    S->EndList(S->Context);
}

static void IgWalkExport(const IG_DUMP_SINK *S, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_EXPORT *ex = &Record->u.Export;
    INTRO_EXCFILE_EXPORT_ENTRY entry;

    S->Hash(S->Context, "library", ex->Library, IgSpecial(Record, INTRO_EXCFILE_FIELD_LIBRARY, 0, ex->Library));
    S->Bytes(S->Context, "align", ex->Align, sizeof(ex->Align));
    S->BeginList(S->Context, "entries", ex->Count, NULL);
    for (uint32_t i = 0; IntExcFileExportEntryAt(ex, i, &entry); i++)
    {
        S->ExportEntry(S->Context, i, &entry,
                       IgSpecial(Record, INTRO_EXCFILE_FIELD_EXPORT_NAME, 0, entry.FunctionHash));
    }
    S->EndList(S->Context);
}

static void IgWalkValue(const IG_DUMP_SINK *S, const INTRO_EXCFILE_VALUE *V)
{
    INTRO_EXCFILE_VALUE_ENTRY entry;

    S->Number(S->Context, "score", V->Score);
    S->Hex(S->Context, "align", V->Align, 4);
    S->BeginList(S->Context, "entries", V->Count, NULL);
    for (uint32_t i = 0; IntExcFileValueEntryAt(V, i, &entry); i++)
    {
        S->ValueEntry(S->Context, i, &entry);
    }
    S->EndList(S->Context);
}

/* A version bound both ways: Windows build or Linux v.p.s + backport; introcore a.b.c build. */
static void IgWalkVersionBound(const IG_DUMP_SINK *S, const char *Key, uint8_t RecordType, uint64_t Bound, bool Maximum)
{
    IG_DUMP_VERSION v;

    memset(&v, 0, sizeof(v));
    v.Raw = Bound;
    v.Os = RecordType == INTRO_EXCFILE_REC_VERSION_OS;
    v.Wildcard = Maximum ? Bound == 0xFFFF : Bound == 0;
    v.Linux[0] = (unsigned)(Bound & 0xFF);
    v.Linux[1] = (unsigned)((Bound >> 8) & 0xFF);
    v.Linux[2] = (unsigned)((Bound >> 16) & 0xFFFF);
    v.Linux[3] = (unsigned)((Bound >> 32) & 0xFFFF);
    v.Linux[4] = (unsigned)((Bound >> 48) & 0xFFFF);
    for (int i = 0; i < 4; i++)
    {
        v.Intro[i] = (unsigned)((Bound >> (16 * i)) & 0xFFFF);
    }
    S->VersionBound(S->Context, Key, &v);
}

static void IgWalkSignature(const IG_DUMP_SINK *S, const INTRO_EXCFILE_RECORD *Record)
{
    IgWalkSigId(S, "id", IntExcFileRecordId(Record));
    S->Bits(S->Context, "flags", IntExcFileRecordFlags(Record), INTRO_EXCFILE_FLAGS_SIGNATURE, NULL);
    switch (Record->Type)
    {
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            IgWalkCodeBlocks(S, &Record->u.CodeBlocks);
            break;
        case INTRO_EXCFILE_REC_EXPORT:
            IgWalkExport(S, Record);
            break;
        case INTRO_EXCFILE_REC_VALUE:
            IgWalkValue(S, &Record->u.Value);
            break;
        case INTRO_EXCFILE_REC_VALUE_CODE:
            S->Number(S->Context, "offset", Record->u.ValueCode.Offset);
            S->CodePattern(S->Context, &Record->u.ValueCode.Pattern);
            break;
        case INTRO_EXCFILE_REC_IDT:
            S->Number(S->Context, "entry", Record->u.Idt.Entry);
            S->Bytes(S->Context, "reserved", Record->u.Idt.Reserved, sizeof(Record->u.Idt.Reserved));
            break;
        case INTRO_EXCFILE_REC_VERSION_OS:
        case INTRO_EXCFILE_REC_VERSION_INTRO:
            IgWalkVersionBound(S, "minimum", Record->Type, Record->u.Version.Minimum, false);
            IgWalkVersionBound(S, "maximum", Record->Type, Record->u.Version.Maximum, true);
            break;
        default: /* process-creation */
            S->Bits(S->Context, "create-mask", Record->u.ProcessCreation.CreateMask, 0, IntExcFileCreateMaskNames());
            S->Bytes(S->Context, "reserved", Record->u.ProcessCreation.Reserved,
                     sizeof(Record->u.ProcessCreation.Reserved));
            break;
    }
}

static void IgWalkRecord(const IG_DUMP_SINK *S, const INTRO_EXCFILE_RECORD *Record)
{
    S->BeginRecord(S->Context, Record);
    if (!Record->Known)
    {
        S->Bytes(S->Context, "body", Record->Body, Record->Size);
    }
    else if (Record->Type == INTRO_EXCFILE_REC_USER_GLOB)
    {
        IgWalkGlob(S, Record);
    }
    else if (IntExcFileRecordSigIds(Record))
    {
        IgWalkException(S, Record);
    }
    else
    {
        IgWalkSignature(S, Record);
    }
    S->EndRecord(S->Context);
}

void IgDumpWalk(const IG_RECORD_LIST *List, size_t FileSize, const char *Sha256, const IG_DUMP_SINK *Sink,
                void (*Flush)(void *Context), void *FlushContext)
{
    uint32_t counts[256];
    uint32_t unknown = 0;

    memset(counts, 0, sizeof(counts));
    Sink->Header(Sink->Context, FileSize, Sha256, &List->Header);
    if (Flush)
    {
        Flush(FlushContext);
    }
    for (size_t i = 0; i < List->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &List->Records[i];

        counts[r->Type]++;
        unknown += r->Known ? 0 : 1;
        IgWalkRecord(Sink, r);
        if (Flush)
        {
            Flush(FlushContext);
        }
    }
    Sink->Summary(Sink->Context, List->Count, counts, unknown);
}
