/*
 * `dump`'s text sink: one block per record, "  key             value" lines.
 */
#include <stdio.h>
#include <string.h>

#include "dump_int.h"
#include "unicode_lower.h"

#define IG_DUMP_KEY_WIDTH 16
#define IG_DUMP_HASHES_PER_LINE 8
#define IG_DUMP_BYTES_PER_LINE 16

static IG_TEXT *IgOut(void *Context)
{
    return ((IG_DUMP_TEXT_SINK *)Context)->Out;
}

static void IgKey(IG_TEXT *Out, const char *Key)
{
    IgTextAppend(Out, "  %-*s ", IG_DUMP_KEY_WIDTH - 1, Key);
}

static void IgSigIdText(uint32_t Id, const char *Kind, char *Buffer, size_t Size)
{
    if (Kind)
    {
        snprintf(Buffer, Size, "0x%08X %s #%u", Id, Kind, INTRO_EXCFILE_SIG_ID_SEQ(Id));
    }
    else
    {
        snprintf(Buffer, Size, "0x%08X unknown-type-%u #%u", Id, INTRO_EXCFILE_SIG_ID_TYPE(Id),
                 INTRO_EXCFILE_SIG_ID_SEQ(Id));
    }
}

static void IgTextHeader(void *Context, size_t FileSize, const char *Sha256, const INTRO_EXCFILE_HEADER *H)
{
    IG_TEXT *out = IgOut(Context);

    IgTextAppend(out, "exceptions file, %zu bytes, sha256 %s\n", FileSize, Sha256);
    IgTextAppend(out, "\nheader @ 0x00000000, size %u\n", INTRO_EXCFILE_HEADER_SIZE);
    IgKey(out, "magic");
    IgTextAppend(out, "0x%08X EXNA\n", H->Magic);
    IgKey(out, "version");
    IgTextAppend(out, "%u.%u\n", H->Major, H->Minor);
    IgKey(out, "kernel");
    IgTextAppend(out, "%u\n", H->KernelCount);
    IgKey(out, "user");
    IgTextAppend(out, "%u\n", H->UserCount);
    IgKey(out, "signatures");
    IgTextAppend(out, "%u\n", H->SignatureCount);
    IgKey(out, "build");
    IgTextAppend(out, "%u\n", H->BuildNumber);
    IgKey(out, "user-glob-match");
    IgTextAppend(out, "%u\n", H->GlobCount);
    IgKey(out, "kernel-user");
    IgTextAppend(out, "%u\n", H->KernelUserCount);
    IgKey(out, "reserved");
    IgTextAppend(out, "0x%08X\n", H->Reserved);
}

static void IgTextBeginRecord(void *Context, const INTRO_EXCFILE_RECORD *Record)
{
    const char *name = IntExcFileRecordTypeName(Record->Type);

    IgTextAppend(IgOut(Context), "\nrecord %u @ 0x%08llX: %s (type %u), size %u\n", Record->Index,
                 (unsigned long long)Record->Offset, name ? name : "unknown", Record->Type, Record->Size);
}

static void IgTextNothing(void *Context)
{
    (void)Context;
}

static void IgTextSummary(void *Context, size_t Records, const uint32_t Counts[256], uint32_t Unknown)
{
    IG_TEXT *out = IgOut(Context);

    IgTextAppend(out, "\n%zu records:", Records);
    for (size_t i = 0; i < sizeof(gIgDumpSummaryOrder); i++)
    {
        IgTextAppend(out, " %u %s,", Counts[gIgDumpSummaryOrder[i]], IntExcFileRecordTypeName(gIgDumpSummaryOrder[i]));
    }
    IgTextAppend(out, " %u unknown\n", Unknown);
}

static void IgTextHash(void *Context, const char *Key, uint32_t Value, const char *Special)
{
    IgKey(IgOut(Context), Key);
    IgTextAppend(IgOut(Context), "0x%08X%s%s\n", Value, Special ? " " : "", Special ? Special : "");
}

static void IgTextBits(void *Context, const char *Key, uint32_t Value, unsigned Namespaces,
                       const INTRO_EXCFILE_KEYWORD_TABLE *Names)
{
    char names[512];

    if (Names)
    {
        IntExcFileFormatMask(Names, Value, names, sizeof(names));
    }
    else
    {
        IntExcFileFormatFlags(Namespaces, Value, names, sizeof(names));
    }
    IgKey(IgOut(Context), Key);
    IgTextAppend(IgOut(Context), "0x%08X%s%s\n", Value, names[0] ? " " : "", names);
}

static void IgTextNumber(void *Context, const char *Key, long long Value)
{
    IgKey(IgOut(Context), Key);
    IgTextAppend(IgOut(Context), "%lld\n", Value);
}

static void IgTextHex(void *Context, const char *Key, uint32_t Value, int Digits)
{
    IgKey(IgOut(Context), Key);
    IgTextAppend(IgOut(Context), "0x%0*X\n", Digits, Value);
}

static void IgTextBytes(void *Context, const char *Key, const uint8_t *Bytes, size_t Count)
{
    IG_TEXT *out = IgOut(Context);

    IgKey(out, Key);
    if (Count == 0)
    {
        IgTextAppend(out, "(none)\n");
        return;
    }
    for (size_t i = 0; i < Count; i++)
    {
        if (i && i % IG_DUMP_BYTES_PER_LINE == 0)
        {
            IgTextAppend(out, "\n  %-*s ", IG_DUMP_KEY_WIDTH - 1, "");
        }
        IgTextAppend(out, "%s%02X", i % IG_DUMP_BYTES_PER_LINE ? " " : "", Bytes[i]);
    }
    IgTextAppend(out, "\n");
}

static void IgTextObjectType(void *Context, uint8_t Value, const char *Name)
{
    IgKey(IgOut(Context), "object-type");
    IgTextAppend(IgOut(Context), "%u %s\n", Value, Name ? Name : "(no keyword)");
}

static void IgTextSigId(void *Context, const char *Key, uint32_t Id, const char *Kind)
{
    char id[64];

    IgSigIdText(Id, Kind, id, sizeof(id));
    if (Key)
    {
        IgKey(IgOut(Context), Key);
        IgTextAppend(IgOut(Context), "%s\n", id);
    }
    else
    {
        IgTextAppend(IgOut(Context), "    %s\n", id);
    }
}

static void IgTextPatternsValid(void *Context, bool Valid)
{
    if (!Valid)
    {
        IgKey(IgOut(Context), "patterns");
        IgTextAppend(IgOut(Context), "(malformed; accepted only because the record is ignored)\n");
    }
}

/* Characters shown escaped although well-formed: C0/C1 controls and DEL, and the bidirectional
 * controls, which would reorder the text around them on a terminal. */
static bool IgTextHidden(uint32_t CodePoint)
{
    return CodePoint < 0x20 || (CodePoint >= 0x7F && CodePoint <= 0x9F) || CodePoint == 0x200E || CodePoint == 0x200F ||
           (CodePoint >= 0x202A && CodePoint <= 0x202E) || (CodePoint >= 0x2066 && CodePoint <= 0x2069);
}

/* A glob pattern, quoted: UTF-8 as it is, a byte that is not UTF-8 as \xHH, a hidden character as
 * \uHHHH. */
static void IgTextPattern(void *Context, const char *Key, const char *Text, size_t Length)
{
    IG_TEXT *out = IgOut(Context);

    IgKey(out, Key);
    IgTextAppend(out, "\"");
    for (size_t i = 0; i < Length;)
    {
        size_t start = i;
        uint32_t cp = IgUnicodeNext(Text, Length, &i);

        if (cp == '"' || cp == '\\')
        {
            IgTextAppend(out, "\\%c", (char)cp);
        }
        else if (cp >= 0x80 && i - start == 1)
        {
            IgTextAppend(out, "\\x%02X", cp); /* not UTF-8: the byte */
        }
        else if (IgTextHidden(cp))
        {
            IgTextAppend(out, cp < 0x80 ? "\\x%02X" : "\\u%04X", cp);
        }
        else
        {
            IgTextAppendBytes(out, Text + start, i - start);
        }
    }
    IgTextAppend(out, "\"\n");
}

static void IgTextVersionBound(void *Context, const char *Key, const IG_DUMP_VERSION *V)
{
    IG_TEXT *out = IgOut(Context);

    IgKey(out, Key);
    IgTextAppend(out, "0x%016llX ", (unsigned long long)V->Raw);
    if (!V->Os)
    {
        IgTextAppend(out, "(introcore %u.%u.%u build %u)\n", V->Intro[0], V->Intro[1], V->Intro[2], V->Intro[3]);
        return;
    }
    IgTextAppend(out, "(windows build %llu%s; linux %u.%u.%u backport %u", (unsigned long long)V->Raw,
                 V->Wildcard ? " = *" : "", V->Linux[0], V->Linux[1], V->Linux[2], V->Linux[3]);
    if (V->Linux[4])
    {
        IgTextAppend(out, " reserved 0x%04X", V->Linux[4]);
    }
    IgTextAppend(out, ")\n");
}

static void IgTextCodePattern(void *Context, const INTRO_EXCFILE_U16_ARRAY *Pattern)
{
    IG_TEXT *out = IgOut(Context);

    IgKey(out, "length");
    IgTextAppend(out, "%u\n", Pattern->Count);
    IgKey(out, "pattern");
    for (uint32_t i = 0; i < Pattern->Count; i++)
    {
        char item[8];

        if (i && i % IG_DUMP_BYTES_PER_LINE == 0)
        {
            IgTextAppend(out, "\n  %-*s", IG_DUMP_KEY_WIDTH - 1, "");
        }
        IgDumpPatternItem(IntExcFileU16At(Pattern, i), item);
        IgTextAppend(out, "%s%s", i % IG_DUMP_BYTES_PER_LINE ? " " : "", item);
    }
    IgTextAppend(out, "%s\n", Pattern->Count ? "" : "(empty)");
}

static void IgTextBeginList(void *Context, const char *Key, uint32_t Count, const uint32_t *Total)
{
    IgKey(IgOut(Context), Key);
    if (Total)
    {
        IgTextAppend(IgOut(Context), "%u (%u hashes)\n", Count, *Total);
    }
    else
    {
        IgTextAppend(IgOut(Context), "%u\n", Count);
    }
}

static void IgTextHashList(void *Context, uint32_t Index, const INTRO_EXCFILE_U32_ARRAY *Hashes)
{
    IG_TEXT *out = IgOut(Context);

    IgTextAppend(out, "    list %u (%u):", Index, Hashes->Count);
    for (uint32_t j = 0; j < Hashes->Count; j++)
    {
        if (j && j % IG_DUMP_HASHES_PER_LINE == 0)
        {
            IgTextAppend(out, "\n     ");
        }
        IgTextAppend(out, " 0x%08X", IntExcFileU32At(Hashes, j));
    }
    IgTextAppend(out, "\n");
}

static void IgTextExportEntry(void *Context, uint32_t Index, const INTRO_EXCFILE_EXPORT_ENTRY *Entry,
                              const char *Special)
{
    IgTextAppend(IgOut(Context), "    entry %u: delta %u, reserved %02X %02X, name 0x%08X%s%s\n", Index, Entry->Delta,
                 Entry->Reserved[0], Entry->Reserved[1], Entry->FunctionHash, Special ? " " : "",
                 Special ? Special : "");
}

static void IgTextValueEntry(void *Context, uint32_t Index, const INTRO_EXCFILE_VALUE_ENTRY *Entry)
{
    IgTextAppend(IgOut(Context), "    entry %u: offset %u, size %u, reserved %02X %02X %02X %02X, hash 0x%08X\n", Index,
                 Entry->Offset, Entry->Size, Entry->Reserved[0], Entry->Reserved[1], Entry->Reserved[2],
                 Entry->Reserved[3], Entry->Hash);
}

void IgDumpTextSink(IG_DUMP_TEXT_SINK *State, IG_TEXT *Out, IG_DUMP_SINK *Sink)
{
    State->Out = Out;
    memset(Sink, 0, sizeof(*Sink));
    Sink->Context = State;
    Sink->Header = IgTextHeader;
    Sink->BeginRecord = IgTextBeginRecord;
    Sink->EndRecord = IgTextNothing;
    Sink->Summary = IgTextSummary;
    Sink->Hash = IgTextHash;
    Sink->Bits = IgTextBits;
    Sink->Number = IgTextNumber;
    Sink->Hex = IgTextHex;
    Sink->Bytes = IgTextBytes;
    Sink->ObjectType = IgTextObjectType;
    Sink->SigId = IgTextSigId;
    Sink->PatternsValid = IgTextPatternsValid;
    Sink->Pattern = IgTextPattern;
    Sink->VersionBound = IgTextVersionBound;
    Sink->CodePattern = IgTextCodePattern;
    Sink->BeginList = IgTextBeginList;
    Sink->EndList = IgTextNothing;
    Sink->HashList = IgTextHashList;
    Sink->ExportEntry = IgTextExportEntry;
    Sink->ValueEntry = IgTextValueEntry;
}
