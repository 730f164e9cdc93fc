/*
 * `introguard dump [--json] FILE`: the header and every record of an exceptions file, decoded.
 *
 * The whole output is built in memory first, so a corrupt file prints an error and nothing else.
 * Everything printed comes from the bytes alone (no paths, times or pointers), so the same file
 * always dumps to the same text.
 */
#include "dump.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "records.h"

#define IG_DUMP_KEY_WIDTH 16
#define IG_DUMP_HASHES_PER_LINE 8
#define IG_DUMP_BYTES_PER_LINE 16

/* Record kinds in the order the summary lists them (file order of the compiler's sections). */
static const uint8_t gSummaryOrder[] = {
    IgRecKernel,        IgRecUser,         IgRecUserApc,         IgRecUserGlob,
    IgRecKernelUser,    IgRecVersionOsSig, IgRecVersionIntroSig, IgRecProcessCreationSig,
    IgRecExportSig,     IgRecValueSig,     IgRecIdtSig,          IgRecValueCodeSig,
    IgRecCodeBlocksSig,
};

/* ---- Shared pieces ------------------------------------------------------------------------- */

static void IgSigIdText(uint32_t Id, char *Buffer, size_t Size)
{
    const IG_KW_SIGNATURE_KIND *kind = IgKwSignatureKindByCode(IG_SIG_ID_TYPE(Id));

    if (kind)
    {
        snprintf(Buffer, Size, "0x%08X %s #%u", Id, kind->Name, IG_SIG_ID_VALUE(Id));
    }
    else
    {
        snprintf(Buffer, Size, "0x%08X unknown-type-%u #%u", Id, IG_SIG_ID_TYPE(Id), IG_SIG_ID_VALUE(Id));
    }
}

/* Windows reading of a version-os bound: a build number; Linux reading: v.p.s + backport. */
typedef struct IG_LINUX_VERSION
{
    unsigned Version, Patch, Sublevel, Backport, Reserved;
} IG_LINUX_VERSION;

static IG_LINUX_VERSION IgLinuxVersion(uint64_t Bound)
{
    IG_LINUX_VERSION v;

    v.Version = (unsigned)(Bound & 0xFF);
    v.Patch = (unsigned)((Bound >> 8) & 0xFF);
    v.Sublevel = (unsigned)((Bound >> 16) & 0xFFFF);
    v.Backport = (unsigned)((Bound >> 32) & 0xFFFF);
    v.Reserved = (unsigned)((Bound >> 48) & 0xFFFF);
    return v;
}

/* Introcore-version bound: four u16 in the order Major, Minor, Revision, Build. */
static void IgIntroVersion(uint64_t Bound, unsigned Parts[4])
{
    for (int i = 0; i < 4; i++)
    {
        Parts[i] = (unsigned)((Bound >> (16 * i)) & 0xFFFF);
    }
}

/* ---- Text ---------------------------------------------------------------------------------- */

static void IgKey(IG_TEXT *Out, const char *Key)
{
    IgTextAppend(Out, "  %-*s ", IG_DUMP_KEY_WIDTH - 1, Key);
}

static void IgTextHash(IG_TEXT *Out, const char *Key, uint32_t Value, const char *Special)
{
    IgKey(Out, Key);
    IgTextAppend(Out, "0x%08X%s%s\n", Value, Special ? " " : "", Special ? Special : "");
}

static void IgTextFlags(IG_TEXT *Out, unsigned Namespaces, uint32_t Flags)
{
    char names[512];

    IgKwFormatFlags(Namespaces, Flags, names, sizeof(names));
    IgKey(Out, "flags");
    IgTextAppend(Out, "0x%08X%s%s\n", Flags, names[0] ? " " : "", names);
}

static void IgTextBytes(IG_TEXT *Out, const char *Key, const uint8_t *Bytes, size_t Count)
{
    IgKey(Out, Key);
    if (Count == 0)
    {
        IgTextAppend(Out, "(none)\n");
        return;
    }
    for (size_t i = 0; i < Count; i++)
    {
        if (i && i % IG_DUMP_BYTES_PER_LINE == 0)
        {
            IgTextAppend(Out, "\n  %-*s ", IG_DUMP_KEY_WIDTH - 1, "");
        }
        IgTextAppend(Out, "%s%02X", i % IG_DUMP_BYTES_PER_LINE ? " " : "", Bytes[i]);
    }
    IgTextAppend(Out, "\n");
}

static void IgTextObjectType(IG_TEXT *Out, uint8_t RecordType, uint8_t ObjectType)
{
    const char *name = IgKwName(IgRecordObjectTable(RecordType), ObjectType);

    IgKey(Out, "object-type");
    IgTextAppend(Out, "%u %s\n", ObjectType, name ? name : "(no keyword)");
}

static void IgTextSigIds(IG_TEXT *Out, const IG_RECORD *Record, uint16_t Count)
{
    char id[64];

    IgKey(Out, "signatures");
    IgTextAppend(Out, "%u\n", Count);
    for (uint32_t i = 0; i < Count; i++)
    {
        IgSigIdText(IgRecordSigId(Record, i), id, sizeof(id));
        IgTextAppend(Out, "    %s\n", id);
    }
}

/* A glob pattern, quoted, with anything outside printable ASCII as \xHH. */
static void IgTextPattern(IG_TEXT *Out, const char *Key, const char *Text, size_t Length)
{
    IgKey(Out, Key);
    IgTextAppend(Out, "\"");
    for (size_t i = 0; i < Length; i++)
    {
        unsigned char c = (unsigned char)Text[i];
        if (c == '"' || c == '\\')
        {
            IgTextAppend(Out, "\\%c", c);
        }
        else if (c >= 0x20 && c < 0x7F)
        {
            IgTextAppend(Out, "%c", c);
        }
        else
        {
            IgTextAppend(Out, "\\x%02X", c);
        }
    }
    IgTextAppend(Out, "\"\n");
}

static void IgTextException(IG_TEXT *Out, const IG_RECORD *Record)
{
    const IG_REC_EXCEPTION *e = &Record->u.Exception;
    uint8_t t = Record->Type;

    IgTextHash(Out, "originator", e->Originator, IgHashFieldSpecial(t, IgFieldOriginator, e->Flags, e->Originator));
    if (t == IgRecKernel)
    {
        IgTextHash(Out, "originator-path", e->OriginatorPath, NULL);
        IgTextHash(Out, "victim", e->Victim, IgHashFieldSpecial(t, IgFieldVictim, e->Flags, e->Victim));
    }
    else
    {
        IgTextHash(Out, "victim", e->Victim, IgHashFieldSpecial(t, IgFieldVictim, e->Flags, e->Victim));
        IgTextHash(Out, "process", e->Process, IgHashFieldSpecial(t, IgFieldProcess, e->Flags, e->Process));
    }
    IgTextFlags(Out, IgRecordFlagNamespaces(t), e->Flags);
    IgKey(Out, "reserved");
    IgTextAppend(Out, "0x%02X\n", e->Reserved);
    IgTextObjectType(Out, t, e->ObjectType);
    IgTextSigIds(Out, Record, e->SigCount);
}

static void IgTextGlob(IG_TEXT *Out, const IG_RECORD *Record)
{
    const IG_REC_GLOB *g = &Record->u.Glob;

    IgTextFlags(Out, IgRecordFlagNamespaces(Record->Type), g->Flags);
    IgKey(Out, "reserved");
    IgTextAppend(Out, "0x%02X\n", g->Reserved);
    IgTextObjectType(Out, Record->Type, g->ObjectType);
    if (!g->PatternsValid)
    {
        IgKey(Out, "patterns");
        IgTextAppend(Out, "(malformed; accepted only because the record is ignored)\n");
        return;
    }
    IgTextPattern(Out, "originator", g->Originator, g->OriginatorLen);
    IgTextPattern(Out, "victim", g->Victim, g->VictimLen);
    IgTextPattern(Out, "process", g->Process, g->ProcessLen);
    IgTextSigIds(Out, Record, g->SigCount);
}

static void IgTextSigHead(IG_TEXT *Out, const IG_RECORD *Record)
{
    char id[64];

    IgSigIdText(IgRecordOwnSigId(Record), id, sizeof(id));
    IgKey(Out, "id");
    IgTextAppend(Out, "%s\n", id);
    IgTextFlags(Out, IG_KW_FLAGS_SIGNATURE, IgRecordFlags(Record));
}

static void IgTextCodeBlocks(IG_TEXT *Out, const IG_RECORD *Record)
{
    const IG_REC_CODEBLOCKS *cb = &Record->u.CodeBlocks;
    IG_READER rd = cb->Lists;

    IgKey(Out, "score");
    IgTextAppend(Out, "%u\n", cb->Score);
    IgKey(Out, "lists");
    IgTextAppend(Out, "%u (%u hashes)\n", cb->ListCount, cb->HashCount);
    for (unsigned i = 0; i < cb->ListCount; i++)
    {
        uint8_t count = IgReadU8(&rd);

        IgTextAppend(Out, "    list %u (%u):", i, count);
        for (unsigned j = 0; j < count; j++)
        {
            if (j && j % IG_DUMP_HASHES_PER_LINE == 0)
            {
                IgTextAppend(Out, "\n     ");
            }
            IgTextAppend(Out, " 0x%08X", IgReadU32(&rd));
        }
        IgTextAppend(Out, "\n");
    }
}

static void IgTextExport(IG_TEXT *Out, const IG_RECORD *Record)
{
    const IG_REC_EXPORT *ex = &Record->u.Export;
    IG_READER rd = ex->Entries;

    IgTextHash(Out, "library", ex->Library, IgHashFieldSpecial(Record->Type, IgFieldLibrary, 0, ex->Library));
    IgTextBytes(Out, "align", ex->Align, sizeof(ex->Align));
    IgKey(Out, "entries");
    IgTextAppend(Out, "%u\n", ex->Count);
    for (unsigned i = 0; i < ex->Count; i++)
    {
        uint16_t delta = IgReadU16(&rd);
        uint8_t r0 = IgReadU8(&rd);
        uint8_t r1 = IgReadU8(&rd);
        uint32_t hash = IgReadU32(&rd);
        const char *special = IgHashFieldSpecial(Record->Type, IgFieldExportName, 0, hash);

        IgTextAppend(Out, "    entry %u: delta %u, reserved %02X %02X, name 0x%08X%s%s\n", i, delta, r0, r1, hash,
                     special ? " " : "", special ? special : "");
    }
}

static void IgTextValue(IG_TEXT *Out, const IG_RECORD *Record)
{
    const IG_REC_VALUE *v = &Record->u.Value;
    IG_READER rd = v->Entries;

    IgKey(Out, "score");
    IgTextAppend(Out, "%u\n", v->Score);
    IgKey(Out, "align");
    IgTextAppend(Out, "0x%04X\n", v->Align);
    IgKey(Out, "entries");
    IgTextAppend(Out, "%u\n", v->Count);
    for (unsigned i = 0; i < v->Count; i++)
    {
        uint16_t offset = IgReadU16(&rd);
        uint16_t size = IgReadU16(&rd);
        const uint8_t *reserved = IgReadBytes(&rd, 4);
        uint32_t hash = IgReadU32(&rd);

        IgTextAppend(Out, "    entry %u: offset %u, size %u, reserved %02X %02X %02X %02X, hash 0x%08X\n", i, offset,
                     size, reserved[0], reserved[1], reserved[2], reserved[3], hash);
    }
}

static void IgTextValueCode(IG_TEXT *Out, const IG_RECORD *Record)
{
    const IG_REC_VALUE_CODE *vc = &Record->u.ValueCode;
    IG_READER rd = vc->Pattern;

    IgKey(Out, "offset");
    IgTextAppend(Out, "%d\n", vc->Offset);
    IgKey(Out, "length");
    IgTextAppend(Out, "%u\n", vc->Length);
    IgKey(Out, "pattern");
    for (unsigned i = 0; i < vc->Length; i++)
    {
        uint16_t item = IgReadU16(&rd);

        if (i && i % IG_DUMP_BYTES_PER_LINE == 0)
        {
            IgTextAppend(Out, "\n  %-*s", IG_DUMP_KEY_WIDTH - 1, "");
        }
        if (item < 0x100)
        {
            IgTextAppend(Out, "%s%02X", i % IG_DUMP_BYTES_PER_LINE ? " " : "", item);
        }
        else if (item == 0x100)
        {
            IgTextAppend(Out, "%s??", i % IG_DUMP_BYTES_PER_LINE ? " " : "");
        }
        else
        {
            /* Not a byte and not the wildcard: never matches anything. */
            IgTextAppend(Out, "%s0x%04X", i % IG_DUMP_BYTES_PER_LINE ? " " : "", item);
        }
    }
    IgTextAppend(Out, "%s\n", vc->Length ? "" : "(empty)");
}

static void IgTextVersionBound(IG_TEXT *Out, const char *Key, uint8_t RecordType, uint64_t Bound, bool IsMaximum)
{
    IgKey(Out, Key);
    IgTextAppend(Out, "0x%016llX ", (unsigned long long)Bound);
    if (RecordType == IgRecVersionOsSig)
    {
        IG_LINUX_VERSION lx = IgLinuxVersion(Bound);
        bool star = IsMaximum ? Bound == 0xFFFF : Bound == 0;

        IgTextAppend(Out, "(windows build %llu%s; linux %u.%u.%u backport %u", (unsigned long long)Bound,
                     star ? " = *" : "", lx.Version, lx.Patch, lx.Sublevel, lx.Backport);
        if (lx.Reserved)
        {
            IgTextAppend(Out, " reserved 0x%04X", lx.Reserved);
        }
        IgTextAppend(Out, ")\n");
    }
    else
    {
        unsigned parts[4];

        IgIntroVersion(Bound, parts);
        IgTextAppend(Out, "(introcore %u.%u.%u build %u)\n", parts[0], parts[1], parts[2], parts[3]);
    }
}

static void IgTextRecord(IG_TEXT *Out, const IG_RECORD *Record)
{
    const char *name = IgRecordTypeName(Record->Type);

    IgTextAppend(Out, "\nrecord %u @ 0x%08llX: %s (type %u), size %u\n", Record->Index,
                 (unsigned long long)Record->Offset, name ? name : "unknown", Record->Type, Record->Size);
    switch (Record->Type)
    {
        case IgRecKernel:
        case IgRecUser:
        case IgRecUserApc:
        case IgRecKernelUser:
            IgTextException(Out, Record);
            break;
        case IgRecUserGlob:
            IgTextGlob(Out, Record);
            break;
        case IgRecCodeBlocksSig:
            IgTextSigHead(Out, Record);
            IgTextCodeBlocks(Out, Record);
            break;
        case IgRecExportSig:
            IgTextSigHead(Out, Record);
            IgTextExport(Out, Record);
            break;
        case IgRecValueSig:
            IgTextSigHead(Out, Record);
            IgTextValue(Out, Record);
            break;
        case IgRecValueCodeSig:
            IgTextSigHead(Out, Record);
            IgTextValueCode(Out, Record);
            break;
        case IgRecIdtSig:
            IgTextSigHead(Out, Record);
            IgKey(Out, "entry");
            IgTextAppend(Out, "%u\n", Record->u.Idt.Entry);
            IgTextBytes(Out, "reserved", Record->u.Idt.Reserved, sizeof(Record->u.Idt.Reserved));
            break;
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            IgTextSigHead(Out, Record);
            IgTextVersionBound(Out, "minimum", Record->Type, Record->u.Version.Minimum, false);
            IgTextVersionBound(Out, "maximum", Record->Type, Record->u.Version.Maximum, true);
            break;
        case IgRecProcessCreationSig:
        {
            char names[512];

            IgTextSigHead(Out, Record);
            IgKey(Out, "create-mask");
            IgKwFormatMask(IgKwDpiMask(), Record->u.ProcessCreation.CreateMask, names, sizeof(names));
            IgTextAppend(Out, "0x%08X%s%s\n", Record->u.ProcessCreation.CreateMask, names[0] ? " " : "", names);
            IgTextBytes(Out, "reserved", Record->u.ProcessCreation.Reserved,
                        sizeof(Record->u.ProcessCreation.Reserved));
            break;
        }
        default:
        {
            IG_READER body = Record->Body;
            const uint8_t *bytes;

            body.Pos = 0;
            bytes = IgReadBytes(&body, Record->Size);
            IgTextBytes(Out, "body", bytes, Record->Size);
            break;
        }
    }
}

static void IgTextHeader(IG_TEXT *Out, size_t Size, const IG_FILE_HEADER *H)
{
    IgTextAppend(Out, "exceptions file, %zu bytes\n", Size);
    IgTextAppend(Out, "\nheader @ 0x00000000, size %u\n", IG_FILE_HEADER_SIZE);
    IgKey(Out, "magic");
    IgTextAppend(Out, "0x%08X EXNA\n", H->Magic);
    IgKey(Out, "version");
    IgTextAppend(Out, "%u.%u\n", H->Major, H->Minor);
    IgKey(Out, "kernel");
    IgTextAppend(Out, "%u\n", H->KernelCount);
    IgKey(Out, "user");
    IgTextAppend(Out, "%u\n", H->UserCount);
    IgKey(Out, "signatures");
    IgTextAppend(Out, "%u\n", H->SignatureCount);
    IgKey(Out, "build");
    IgTextAppend(Out, "%u\n", H->BuildNumber);
    IgKey(Out, "user-glob-match");
    IgTextAppend(Out, "%u\n", H->GlobCount);
    IgKey(Out, "kernel-user");
    IgTextAppend(Out, "%u\n", H->KernelUserCount);
    IgKey(Out, "reserved");
    IgTextAppend(Out, "0x%08X\n", H->Reserved);
}

static void IgCountKinds(const IG_RECORD_LIST *List, uint32_t Counts[256])
{
    memset(Counts, 0, 256 * sizeof(Counts[0]));
    for (size_t i = 0; i < List->Count; i++)
    {
        Counts[List->Records[i].Type]++;
    }
}

static uint32_t IgCountUnknown(const uint32_t Counts[256])
{
    uint32_t unknown = 0;

    for (unsigned t = 0; t < 256; t++)
    {
        unknown += IgRecordTypeName((uint8_t)t) ? 0 : Counts[t];
    }
    return unknown;
}

static void IgTextSummary(IG_TEXT *Out, const IG_RECORD_LIST *List)
{
    uint32_t counts[256];

    IgCountKinds(List, counts);
    IgTextAppend(Out, "\n%zu records:", List->Count);
    for (size_t i = 0; i < sizeof(gSummaryOrder); i++)
    {
        IgTextAppend(Out, " %u %s,", counts[gSummaryOrder[i]], IgRecordTypeName(gSummaryOrder[i]));
    }
    IgTextAppend(Out, " %u unknown\n", IgCountUnknown(counts));
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static json_object *IgJsonHex32(uint32_t Value)
{
    char buf[16];
    snprintf(buf, sizeof(buf), "0x%08X", Value);
    return json_object_new_string(buf);
}

static json_object *IgJsonHex64(uint64_t Value)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%016llX", (unsigned long long)Value);
    return json_object_new_string(buf);
}

static json_object *IgJsonBytes(const uint8_t *Bytes, size_t Count)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < Count; i++)
    {
        json_object_array_add(a, json_object_new_int(Bytes[i]));
    }
    return a;
}

static json_object *IgJsonHash(uint32_t Value, const char *Special)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "hash", IgJsonHex32(Value));
    if (Special)
    {
        json_object_object_add(o, "special", json_object_new_string(Special));
    }
    return o;
}

static json_object *IgJsonFlags(unsigned Namespaces, uint32_t Flags)
{
    json_object *o = json_object_new_object();
    json_object *names = json_object_new_array();
    uint32_t unnamed = 0;

    for (unsigned bit = 0; bit < 32; bit++)
    {
        uint32_t mask = 1u << bit;
        const char *name = (Flags & mask) ? IgKwFlagName(Namespaces, mask) : NULL;

        if (name)
        {
            json_object_array_add(names, json_object_new_string(name));
        }
        else if (Flags & mask)
        {
            unnamed |= mask;
        }
    }
    json_object_object_add(o, "value", IgJsonHex32(Flags));
    json_object_object_add(o, "names", names);
    json_object_object_add(o, "unnamed", IgJsonHex32(unnamed));
    return o;
}

static json_object *IgJsonObjectType(uint8_t RecordType, uint8_t ObjectType)
{
    json_object *o = json_object_new_object();
    const char *name = IgKwName(IgRecordObjectTable(RecordType), ObjectType);

    json_object_object_add(o, "value", json_object_new_int(ObjectType));
    json_object_object_add(o, "name", name ? json_object_new_string(name) : NULL);
    return o;
}

static json_object *IgJsonSigId(uint32_t Id)
{
    json_object *o = json_object_new_object();
    const IG_KW_SIGNATURE_KIND *kind = IgKwSignatureKindByCode(IG_SIG_ID_TYPE(Id));

    json_object_object_add(o, "id", IgJsonHex32(Id));
    json_object_object_add(o, "type", kind ? json_object_new_string(kind->Name) : NULL);
    json_object_object_add(o, "type_code", json_object_new_int((int32_t)IG_SIG_ID_TYPE(Id)));
    json_object_object_add(o, "seq", json_object_new_int((int32_t)IG_SIG_ID_VALUE(Id)));
    return o;
}

static json_object *IgJsonSigIds(const IG_RECORD *Record, uint16_t Count)
{
    json_object *a = json_object_new_array();
    for (uint32_t i = 0; i < Count; i++)
    {
        json_object_array_add(a, IgJsonSigId(IgRecordSigId(Record, i)));
    }
    return a;
}

static void IgJsonException(json_object *o, const IG_RECORD *Record)
{
    const IG_REC_EXCEPTION *e = &Record->u.Exception;
    uint8_t t = Record->Type;

    json_object_object_add(
        o, "originator", IgJsonHash(e->Originator, IgHashFieldSpecial(t, IgFieldOriginator, e->Flags, e->Originator)));
    if (t == IgRecKernel)
    {
        json_object_object_add(o, "originator_path", IgJsonHash(e->OriginatorPath, NULL));
    }
    json_object_object_add(o, "victim",
                           IgJsonHash(e->Victim, IgHashFieldSpecial(t, IgFieldVictim, e->Flags, e->Victim)));
    if (t != IgRecKernel)
    {
        json_object_object_add(o, "process",
                               IgJsonHash(e->Process, IgHashFieldSpecial(t, IgFieldProcess, e->Flags, e->Process)));
    }
    json_object_object_add(o, "flags", IgJsonFlags(IgRecordFlagNamespaces(t), e->Flags));
    json_object_object_add(o, "reserved", json_object_new_int(e->Reserved));
    json_object_object_add(o, "object_type", IgJsonObjectType(t, e->ObjectType));
    json_object_object_add(o, "signatures", IgJsonSigIds(Record, e->SigCount));
}

/* A glob pattern as a JSON string; one that is not UTF-8 cannot be, so it becomes null and its
 * bytes go into "<key>_bytes". */
static void IgJsonPattern(json_object *Object, const char *Key, const char *Text, size_t Length)
{
    char bytesKey[32];

    if (IgTextIsUtf8(Text, Length))
    {
        json_object_object_add(Object, Key, json_object_new_string_len(Text, (int)Length));
        return;
    }
    snprintf(bytesKey, sizeof(bytesKey), "%s_bytes", Key);
    json_object_object_add(Object, Key, NULL);
    json_object_object_add(Object, bytesKey, IgJsonBytes((const uint8_t *)Text, Length));
}

static void IgJsonGlob(json_object *o, const IG_RECORD *Record)
{
    const IG_REC_GLOB *g = &Record->u.Glob;

    json_object_object_add(o, "flags", IgJsonFlags(IgRecordFlagNamespaces(Record->Type), g->Flags));
    json_object_object_add(o, "reserved", json_object_new_int(g->Reserved));
    json_object_object_add(o, "object_type", IgJsonObjectType(Record->Type, g->ObjectType));
    json_object_object_add(o, "patterns_valid", json_object_new_boolean(g->PatternsValid));
    if (g->PatternsValid)
    {
        IgJsonPattern(o, "originator", g->Originator, g->OriginatorLen);
        IgJsonPattern(o, "victim", g->Victim, g->VictimLen);
        IgJsonPattern(o, "process", g->Process, g->ProcessLen);
        json_object_object_add(o, "signatures", IgJsonSigIds(Record, g->SigCount));
    }
}

static json_object *IgJsonVersionBound(uint8_t RecordType, uint64_t Bound)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "raw", IgJsonHex64(Bound));
    if (RecordType == IgRecVersionOsSig)
    {
        IG_LINUX_VERSION lx = IgLinuxVersion(Bound);
        json_object *l = json_object_new_object();

        json_object_object_add(o, "windows_build", json_object_new_uint64(Bound));
        json_object_object_add(l, "version", json_object_new_int((int32_t)lx.Version));
        json_object_object_add(l, "patch", json_object_new_int((int32_t)lx.Patch));
        json_object_object_add(l, "sublevel", json_object_new_int((int32_t)lx.Sublevel));
        json_object_object_add(l, "backport", json_object_new_int((int32_t)lx.Backport));
        json_object_object_add(l, "reserved", json_object_new_int((int32_t)lx.Reserved));
        json_object_object_add(o, "linux", l);
    }
    else
    {
        unsigned parts[4];
        static const char *const names[4] = {"major", "minor", "revision", "build"};

        IgIntroVersion(Bound, parts);
        for (int i = 0; i < 4; i++)
        {
            json_object_object_add(o, names[i], json_object_new_int((int32_t)parts[i]));
        }
    }
    return o;
}

static void IgJsonSignature(json_object *o, const IG_RECORD *Record)
{
    json_object_object_add(o, "id", IgJsonSigId(IgRecordOwnSigId(Record)));
    json_object_object_add(o, "flags", IgJsonFlags(IG_KW_FLAGS_SIGNATURE, IgRecordFlags(Record)));

    switch (Record->Type)
    {
        case IgRecCodeBlocksSig:
        {
            const IG_REC_CODEBLOCKS *cb = &Record->u.CodeBlocks;
            IG_READER rd = cb->Lists;
            json_object *lists = json_object_new_array();

            json_object_object_add(o, "score", json_object_new_int(cb->Score));
            for (unsigned i = 0; i < cb->ListCount; i++)
            {
                uint8_t count = IgReadU8(&rd);
                json_object *list = json_object_new_array();

                for (unsigned j = 0; j < count; j++)
                {
                    json_object_array_add(list, IgJsonHex32(IgReadU32(&rd)));
                }
                json_object_array_add(lists, list);
            }
            json_object_object_add(o, "lists", lists);
            break;
        }
        case IgRecExportSig:
        {
            const IG_REC_EXPORT *ex = &Record->u.Export;
            IG_READER rd = ex->Entries;
            json_object *entries = json_object_new_array();

            json_object_object_add(
                o, "library",
                IgJsonHash(ex->Library, IgHashFieldSpecial(Record->Type, IgFieldLibrary, 0, ex->Library)));
            json_object_object_add(o, "align", IgJsonBytes(ex->Align, sizeof(ex->Align)));
            for (unsigned i = 0; i < ex->Count; i++)
            {
                json_object *e = json_object_new_object();
                uint16_t delta = IgReadU16(&rd);
                const uint8_t *reserved = IgReadBytes(&rd, 2);
                uint32_t hash = IgReadU32(&rd);

                json_object_object_add(e, "delta", json_object_new_int(delta));
                json_object_object_add(e, "reserved", IgJsonBytes(reserved, 2));
                json_object_object_add(e, "name",
                                       IgJsonHash(hash, IgHashFieldSpecial(Record->Type, IgFieldExportName, 0, hash)));
                json_object_array_add(entries, e);
            }
            json_object_object_add(o, "entries", entries);
            break;
        }
        case IgRecValueSig:
        {
            const IG_REC_VALUE *v = &Record->u.Value;
            IG_READER rd = v->Entries;
            json_object *entries = json_object_new_array();

            json_object_object_add(o, "score", json_object_new_int(v->Score));
            json_object_object_add(o, "align", json_object_new_int(v->Align));
            for (unsigned i = 0; i < v->Count; i++)
            {
                json_object *e = json_object_new_object();
                uint16_t offset = IgReadU16(&rd);
                uint16_t size = IgReadU16(&rd);
                const uint8_t *reserved = IgReadBytes(&rd, 4);
                uint32_t hash = IgReadU32(&rd);

                json_object_object_add(e, "offset", json_object_new_int(offset));
                json_object_object_add(e, "size", json_object_new_int(size));
                json_object_object_add(e, "reserved", IgJsonBytes(reserved, 4));
                json_object_object_add(e, "hash", IgJsonHex32(hash));
                json_object_array_add(entries, e);
            }
            json_object_object_add(o, "entries", entries);
            break;
        }
        case IgRecValueCodeSig:
        {
            const IG_REC_VALUE_CODE *vc = &Record->u.ValueCode;
            IG_READER rd = vc->Pattern;
            json_object *pattern = json_object_new_array();

            json_object_object_add(o, "offset", json_object_new_int(vc->Offset));
            for (unsigned i = 0; i < vc->Length; i++)
            {
                uint16_t item = IgReadU16(&rd);
                char buf[8];

                if (item < 0x100)
                {
                    snprintf(buf, sizeof(buf), "%02X", item);
                }
                else if (item == 0x100)
                {
                    snprintf(buf, sizeof(buf), "??");
                }
                else
                {
                    snprintf(buf, sizeof(buf), "0x%04X", item);
                }
                json_object_array_add(pattern, json_object_new_string(buf));
            }
            json_object_object_add(o, "pattern", pattern);
            break;
        }
        case IgRecIdtSig:
            json_object_object_add(o, "entry", json_object_new_int(Record->u.Idt.Entry));
            json_object_object_add(o, "reserved", IgJsonBytes(Record->u.Idt.Reserved, sizeof(Record->u.Idt.Reserved)));
            break;
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            json_object_object_add(o, "minimum", IgJsonVersionBound(Record->Type, Record->u.Version.Minimum));
            json_object_object_add(o, "maximum", IgJsonVersionBound(Record->Type, Record->u.Version.Maximum));
            break;
        case IgRecProcessCreationSig:
        {
            json_object *m = json_object_new_object();
            json_object *names = json_object_new_array();
            uint32_t mask = Record->u.ProcessCreation.CreateMask;
            uint32_t unnamed = 0;

            for (unsigned bit = 0; bit < 32; bit++)
            {
                const char *n = (mask & (1u << bit)) ? IgKwName(IgKwDpiMask(), 1u << bit) : NULL;
                if (n)
                {
                    json_object_array_add(names, json_object_new_string(n));
                }
                else
                {
                    unnamed |= mask & (1u << bit);
                }
            }
            json_object_object_add(m, "value", IgJsonHex32(mask));
            json_object_object_add(m, "names", names);
            json_object_object_add(m, "unnamed", IgJsonHex32(unnamed));
            json_object_object_add(o, "create_mask", m);
            json_object_object_add(
                o, "reserved",
                IgJsonBytes(Record->u.ProcessCreation.Reserved, sizeof(Record->u.ProcessCreation.Reserved)));
            break;
        }
        default:
            break;
    }
}

static json_object *IgJsonRecord(const IG_RECORD *Record)
{
    json_object *o = json_object_new_object();
    json_object *fields;
    const char *name = IgRecordTypeName(Record->Type);

    json_object_object_add(o, "index", json_object_new_int64(Record->Index));
    json_object_object_add(o, "offset", json_object_new_int64((int64_t)Record->Offset));
    json_object_object_add(o, "type", json_object_new_int(Record->Type));
    json_object_object_add(o, "kind", json_object_new_string(name ? name : "unknown"));
    json_object_object_add(o, "size", json_object_new_int(Record->Size));
    if (!Record->Known)
    {
        IG_READER body = Record->Body;
        body.Pos = 0;
        json_object_object_add(o, "body", IgJsonBytes(IgReadBytes(&body, Record->Size), Record->Size));
        return o;
    }

    /* The decoded fields get their own object so their names never collide with the above. */
    fields = json_object_new_object();
    if (Record->Type == IgRecUserGlob)
    {
        IgJsonGlob(fields, Record);
    }
    else if (IgRecordIsException(Record->Type))
    {
        IgJsonException(fields, Record);
    }
    else
    {
        IgJsonSignature(fields, Record);
    }
    json_object_object_add(o, "fields", fields);
    return o;
}

/* Writes Object pretty-printed, every line after the first indented by Indent spaces, so that
 * pieces printed one by one read as one document nested that deep. */
static void IgTextJson(IG_TEXT *Out, json_object *Object, unsigned Indent)
{
    const char *s = json_object_to_json_string_ext(Object, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

    if (!s)
    {
        Out->Failed = true;
        return;
    }
    for (const char *line = s; *line;)
    {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);

        IgTextAppendBytes(Out, line, len);
        if (nl && nl[1])
        {
            IgTextAppend(Out, "%*s", (int)Indent, "");
        }
        line += len;
    }
}

static json_object *IgJsonHeader(const IG_FILE_HEADER *H)
{
    json_object *h = json_object_new_object();

    json_object_object_add(h, "magic", IgJsonHex32(H->Magic));
    json_object_object_add(h, "major", json_object_new_int(H->Major));
    json_object_object_add(h, "minor", json_object_new_int(H->Minor));
    json_object_object_add(h, "kernel_count", json_object_new_int64(H->KernelCount));
    json_object_object_add(h, "user_count", json_object_new_int64(H->UserCount));
    json_object_object_add(h, "signature_count", json_object_new_int64(H->SignatureCount));
    json_object_object_add(h, "build", json_object_new_int64(H->BuildNumber));
    json_object_object_add(h, "glob_count", json_object_new_int64(H->GlobCount));
    json_object_object_add(h, "kernel_user_count", json_object_new_int64(H->KernelUserCount));
    json_object_object_add(h, "reserved", IgJsonHex32(H->Reserved));
    return h;
}

static json_object *IgJsonCounts(const IG_RECORD_LIST *List)
{
    json_object *counts = json_object_new_object();
    uint32_t kinds[256];

    IgCountKinds(List, kinds);
    json_object_object_add(counts, "records", json_object_new_int64((int64_t)List->Count));
    for (size_t i = 0; i < sizeof(gSummaryOrder); i++)
    {
        json_object_object_add(counts, IgRecordTypeName(gSummaryOrder[i]),
                               json_object_new_int64(kinds[gSummaryOrder[i]]));
    }
    json_object_object_add(counts, "unknown", json_object_new_int64(IgCountUnknown(kinds)));
    return counts;
}

/* ---- Entry points -------------------------------------------------------------------------- */

/* Moves what Text holds to Out and empties it (keeping its buffer). */
static void IgFlush(IG_TEXT *Text, FILE *Out)
{
    if (Text->Length && !Text->Failed && fwrite(Text->Data, 1, Text->Length, Out) != Text->Length)
    {
        Text->Failed = true;
    }
    Text->Length = 0;
}

INTSTATUS IgDumpBuffer(const uint8_t *Data, size_t Size, IG_DUMP_FORMAT Format, FILE *Out, IG_PARSE_ERROR *Error)
{
    IG_RECORD_LIST list;
    IG_TEXT text = {0};
    INTSTATUS status;

    /* Decode everything first: a corrupt file must not print a partial dump.  After that nothing
     * can fail but memory or the output, so the records are printed one at a time. */
    status = IgRecordListLoad(Data, Size, &list, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }

    if (Format == IgDumpJson)
    {
        json_object *o;

        IgTextAppend(&text, "{\n  \"size\":%zu,\n  \"header\":", Size);
        o = IgJsonHeader(&list.Header);
        IgTextJson(&text, o, 2);
        json_object_put(o);
        IgTextAppend(&text, ",\n  \"records\":[");
        for (size_t i = 0; i < list.Count; i++)
        {
            IgTextAppend(&text, "%s\n    ", i ? "," : "");
            o = IgJsonRecord(&list.Records[i]);
            IgTextJson(&text, o, 4);
            json_object_put(o);
            IgFlush(&text, Out);
        }
        IgTextAppend(&text, "\n  ],\n  \"counts\":"); /* a file holds at least one record */
        o = IgJsonCounts(&list);
        IgTextJson(&text, o, 2);
        json_object_put(o);
        IgTextAppend(&text, "\n}\n");
    }
    else
    {
        IgTextHeader(&text, Size, &list.Header);
        for (size_t i = 0; i < list.Count; i++)
        {
            IgTextRecord(&text, &list.Records[i]);
            IgFlush(&text, Out);
        }
        IgTextSummary(&text, &list);
    }
    IgFlush(&text, Out);
    IgRecordListFree(&list);

    if (text.Failed || fflush(Out) != 0 || ferror(Out))
    {
        IgTextFree(&text);
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->Status = Error->Detail = INT_STATUS_UNSUCCESSFUL;
            Error->RecordIndex = IG_NO_RECORD;
            snprintf(Error->Message, sizeof(Error->Message), "cannot write the output (out of memory or I/O error)");
        }
        return INT_STATUS_UNSUCCESSFUL;
    }
    IgTextFree(&text);
    return INT_STATUS_SUCCESS;
}

void IgPrintParseError(FILE *Err, const char *Path, const IG_PARSE_ERROR *Error)
{
    IgToolError(Err, Path, "byte %llu (0x%llX): %s [%s, %s]", (unsigned long long)Error->Offset,
                (unsigned long long)Error->Offset, Error->Message, IntStatusToString(Error->Status),
                IntStatusToString(Error->Detail));
}

int IgDumpFile(const char *Path, IG_DUMP_FORMAT Format, FILE *Out, FILE *Err)
{
    uint8_t *data = NULL;
    size_t size = 0;
    IG_PARSE_ERROR error;
    INTSTATUS status;

    status = IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, Err);
    if (!INT_SUCCESS(status))
    {
        return IG_EXIT_FAILURE;
    }
    status = IgDumpBuffer(data, size, Format, Out, &error);
    free(data);
    if (status == INT_STATUS_UNSUCCESSFUL)
    {
        IgToolError(Err, NULL, "%s", error.Message);
        return IG_EXIT_FAILURE;
    }
    if (!INT_SUCCESS(status))
    {
        IgPrintParseError(Err, Path, &error);
        return IG_EXIT_FAILURE;
    }
    return IG_EXIT_OK;
}

void IgCmdDumpHelp(FILE *Out)
{
    fputs("usage: introguard dump [--json] FILE\n"
          "\n"
          "Prints the header and every record of the exceptions file FILE, decoded: one block per\n"
          "record with its index, offset, kind and size, then every field.  Hashes are shown as\n"
          "0x%08X with their special name when they have one (*, -, [own], [kernel], ...), flags and\n"
          "object types by keyword, signature IDs as type and sequence number.\n"
          "\n"
          "options:\n"
          "  --json      print one JSON document instead of text\n"
          "  -h, --help  show this help\n"
          "\n"
          "A corrupt file prints nothing on stdout and one error naming the byte offset and record.\n"
          "exit status: 0 success, 1 unreadable or corrupt FILE, 2 usage error\n",
          Out);
}

int IgCmdDump(int Argc, char **Argv)
{
    enum
    {
        OptJson = 1,
        OptHelp
    };
    static const IG_OPTION options[] = {
        {"json", 0, false, OptJson},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    IG_DUMP_FORMAT format = IgDumpText;
    const char *path = NULL;
    const char *value;
    int id;

    IgOptInit(&opt, Argc, Argv, "dump");
    while ((id = IgOptNext(&opt, options, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case OptJson:
                format = IgDumpJson;
                break;
            case OptHelp:
                IgCmdDumpHelp(stdout);
                return IG_EXIT_OK;
            case IG_OPT_POSITIONAL:
                if (path)
                {
                    IgToolError(stderr, "dump", "one FILE only (got '%s' and '%s')", path, value);
                    return IG_EXIT_USAGE;
                }
                path = value;
                break;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!path)
    {
        IgToolError(stderr, "dump", "missing FILE (see introguard dump --help)");
        return IG_EXIT_USAGE;
    }
    return IgDumpFile(path, format, stdout, stderr);
}
