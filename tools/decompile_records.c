/*
 * One record as one JSON entry for `decompile`.  Hash fields come out as their special names where
 * the compiler would give the same value back, else through the *_hash extension keys; object
 * types and flags by name wherever the compiler's rules (exc_rules.h) reproduce the same bytes.
 */
#include <string.h>

#include "decompile_int.h"

/* ---- JSON text ---------------------------------------------------------------------------------------- */

void IgEntryKey(IG_ENTRY *E, const char *Key)
{
    IgTextAppend(E->Out, "%s\n            \"%s\": ", E->First ? "" : ",", Key);
    E->First = false;
}

static void IgEntryString(IG_ENTRY *E, const char *Key, const char *Value)
{
    IgEntryKey(E, Key);
    IgTextJsonString(E->Out, Value, strlen(Value));
}

void IgEntryHex32(IG_ENTRY *E, const char *Key, uint32_t Value)
{
    IgEntryKey(E, Key);
    IgTextAppend(E->Out, "\"0x%08X\"", Value);
}

static void IgEntryNumber(IG_ENTRY *E, const char *Key, long long Value)
{
    IgEntryKey(E, Key);
    IgTextAppend(E->Out, "%lld", Value);
}

/* Writes a hash field: the special name in Key when it has one, else Key_hash. */
static void IgEmitHash(IG_ENTRY *E, const char *Key, uint32_t Value, const char *Special)
{
    char rawKey[32];

    if (Special)
    {
        IgEntryString(E, Key, Special);
        return;
    }
    snprintf(rawKey, sizeof(rawKey), "%s_hash", Key);
    IgEntryHex32(E, rawKey, Value);
}

/* The special name of a name field of Record, or NULL. */
static const char *IgSpecial(const INTRO_EXCFILE_RECORD *Record, INTRO_EXCFILE_FIELD Field, uint32_t Flags,
                             uint32_t Value)
{
    return IntExcFileFieldSpecialName(Record->Type, Field, Flags, Value);
}

static void IgEmitObjectType(IG_ENTRY *E, uint8_t RecordType, uint8_t ObjectType)
{
    const char *name = IntExcFileKeywordName(IntExcFileRecordObjectTypes(RecordType), ObjectType);

    if (name)
    {
        IgEntryString(E, "object_type", name);
    }
    else
    {
        IgEntryNumber(E, "object_type_raw", ObjectType);
    }
}

/* The flags rendered apart: whether they have names decides how some fields are written. */
static bool IgRenderFlags(const INTRO_EXCFILE_RECORD *Record, uint8_t ObjectType, uint32_t Flags, IG_TEXT *Text)
{
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, ObjectType};
    IG_ENTRY entry = {Text, false};

    return IgEmitFlags(&entry, &ctx, Flags);
}

static void IgAppendRendered(IG_ENTRY *E, IG_TEXT *Rendered)
{
    if (Rendered->Length)
    {
        IgTextAppendBytes(E->Out, Rendered->Data, Rendered->Length);
        E->First = false;
    }
    IgTextFree(Rendered);
}

static void IgEmitSigRefs(IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    uint32_t count = IgRecordSigCount(Record);

    if (count == 0)
    {
        return;
    }
    IgEntryKey(E, "signatures");
    IgTextAppend(E->Out, "[");
    for (uint32_t i = 0; i < count; i++)
    {
        IgTextAppend(E->Out, "%s\"sig-%08x\"", i ? ", " : "", IgRecordSigId(Record, i));
    }
    IgTextAppend(E->Out, "]");
}

/* ---- Exceptions --------------------------------------------------------------------------------------- */

static INTSTATUS IgEmitKernel(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_EXCEPTION *e = &Record->u.Exception;
    unsigned rules = IgRulesOf(Record->Type, e->ObjectType);
    IG_TEXT flags = {0};
    bool originatorByRule;

    if (e->OriginatorPath != INTRO_EXCFILE_NO_NAME)
    {
        return IgRecordFail(D, Record, "originator path hash 0x%08X (the compiler always writes 0xFFFFFFFF)",
                            e->OriginatorPath);
    }
    if ((rules & IG_RULE_NO_VICTIM) && e->Victim != INTRO_EXCFILE_NAME_ANY)
    {
        return IgRecordFail(D, Record, "victim 0x%08X on an object type that takes no victim", e->Victim);
    }
    /* compile reads the integrity bit from flags_raw too (docs/json-format.md), so the rule holds for
     * names and raw flags alike. */
    (void)IgRenderFlags(Record, e->ObjectType, e->Flags, &flags);
    originatorByRule = (e->Flags & INTRO_EXCFILE_FLG_KM_INTEGRITY) && (rules & IG_RULE_INTEGRITY_DASH);

    if (originatorByRule && e->Originator == INTRO_EXCFILE_NAME_NONE)
    {
        /* The compiler sets `-` itself and rejects an explicit originator here. */
    }
    else if (originatorByRule)
    {
        IgEntryHex32(E, "originator_hash", e->Originator);
    }
    else
    {
        IgEmitHash(E, "originator", e->Originator,
                   IgSpecial(Record, INTRO_EXCFILE_FIELD_ORIGINATOR, e->Flags, e->Originator));
    }
    if (!(rules & IG_RULE_NO_VICTIM))
    {
        IgEmitHash(E, "victim", e->Victim, IgSpecial(Record, INTRO_EXCFILE_FIELD_VICTIM, e->Flags, e->Victim));
    }
    IgEmitObjectType(E, Record->Type, e->ObjectType);
    IgAppendRendered(E, &flags);
    IgEmitSigRefs(E, Record);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitUser(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_EXCEPTION *e = &Record->u.Exception;
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, e->ObjectType};
    unsigned rules = IgRulesOf(Record->Type, e->ObjectType);

    if ((rules & IG_RULE_NO_VICTIM) && e->Victim != INTRO_EXCFILE_NAME_ANY)
    {
        return IgRecordFail(D, Record, "victim 0x%08X on an nx_zone exception, which takes none", e->Victim);
    }
    if ((rules & IG_RULE_NO_PROCESS) && e->Process != INTRO_EXCFILE_NAME_ANY)
    {
        return IgRecordFail(D, Record, "process 0x%08X on a process exception, which takes none", e->Process);
    }

    IgEmitHash(E, "originator", e->Originator,
               IgSpecial(Record, INTRO_EXCFILE_FIELD_ORIGINATOR, e->Flags, e->Originator));
    if (!(rules & IG_RULE_NO_VICTIM))
    {
        IgEmitHash(E, "victim", e->Victim, IgSpecial(Record, INTRO_EXCFILE_FIELD_VICTIM, e->Flags, e->Victim));
    }
    /* An absent process compiles to 0, so 0 is written only where the compiler requires one. */
    if (e->Process != INTRO_EXCFILE_NAME_ANY || (rules & IG_RULE_NEEDS_PROCESS))
    {
        IgEmitHash(E, "process", e->Process, IgSpecial(Record, INTRO_EXCFILE_FIELD_PROCESS, e->Flags, e->Process));
    }
    IgEmitObjectType(E, Record->Type, e->ObjectType);
    IgEmitFlags(E, &ctx, e->Flags);
    IgEmitSigRefs(E, Record);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitKernelUser(IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_EXCEPTION *e = &Record->u.Exception;
    IG_TEXT flags = {0};
    const char *special;
    bool named = IgRenderFlags(Record, e->ObjectType, e->Flags, &flags);

    /* The originator's special names depend on `user` in the flags string; with flags_raw that string
     * is gone, so only the names both tables share (*, [own], -) are safe. */
    special = IgSpecial(Record, INTRO_EXCFILE_FIELD_ORIGINATOR, e->Flags, e->Originator);
    if (special && !named)
    {
        const char *kernelName =
            IntExcFileKeywordName(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_KERNEL), e->Originator);
        const char *userName = IntExcFileKeywordName(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_USER), e->Originator);

        if (!kernelName || !userName || strcmp(kernelName, userName) != 0)
        {
            special = NULL;
        }
    }
    IgEmitHash(E, "originator", e->Originator, special);
    IgEmitHash(E, "victim", e->Victim, IgSpecial(Record, INTRO_EXCFILE_FIELD_VICTIM, e->Flags, e->Victim));
    if (e->Process != INTRO_EXCFILE_NAME_ANY)
    {
        IgEmitHash(E, "process", e->Process, IgSpecial(Record, INTRO_EXCFILE_FIELD_PROCESS, e->Flags, e->Process));
    }
    IgEmitObjectType(E, Record->Type, e->ObjectType);
    IgAppendRendered(E, &flags);
    IgEmitSigRefs(E, Record);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitGlob(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    static const char *const keys[3] = {"originator", "victim", "process"};
    const INTRO_EXCFILE_GLOB *g = &Record->u.Glob;
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, g->ObjectType};
    const INTRO_EXCFILE_TEXT *patterns[3] = {&g->Originator, &g->Victim, &g->Process};
    bool wildcard = false;

    if (!g->PatternsValid)
    {
        return IgRecordFail(D, Record,
                            "its glob patterns are malformed (the loader accepts it only because it is ignored)");
    }
    for (int i = 0; i < 3; i++)
    {
        if (!IgTextIsUtf8(patterns[i]->Text, patterns[i]->Length))
        {
            return IgRecordFail(D, Record, "its %s pattern is not valid UTF-8", keys[i]);
        }
        wildcard = wildcard || IgRulesGlobHasWildcard(patterns[i]->Text, patterns[i]->Length);
        if (IgRulesGlobLength(patterns[i]->Text, patterns[i]->Length) > IG_RULE_GLOB_MAX_CHARS)
        {
            IgNote(D, "record %u: the %s pattern is longer than the compiler accepts (%u characters)", Record->Index,
                   keys[i], IG_RULE_GLOB_MAX_CHARS);
        }
    }
    if (!wildcard)
    {
        IgNote(D, "record %u: no glob character in any pattern; the compiler rejects such an entry", Record->Index);
    }
    if (g->ObjectType == INTRO_EXCFILE_UM_OBJ_NX_ZONE)
    {
        IgNote(D, "record %u: an nx_zone glob exception cannot be compiled (a victim is both required and forbidden)",
               Record->Index);
    }
    for (int i = 0; i < 3; i++)
    {
        IgEntryKey(E, keys[i]);
        IgTextJsonString(E->Out, patterns[i]->Text, patterns[i]->Length);
    }
    IgEmitObjectType(E, Record->Type, g->ObjectType);
    IgEmitFlags(E, &ctx, g->Flags);
    IgEmitSigRefs(E, Record);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgEmitException(IG_DECOMPILER *D, IG_TEXT *Out, const INTRO_EXCFILE_RECORD *Record, bool First)
{
    IG_ENTRY e = {Out, true};
    INTSTATUS status;
    uint8_t reserved =
        Record->Type == INTRO_EXCFILE_REC_USER_GLOB ? Record->u.Glob.Reserved : Record->u.Exception.Reserved;

    if (reserved != 0)
    {
        return IgRecordFail(D, Record, "reserved byte is 0x%02X (the compiler writes 0)", reserved);
    }
    IgTextAppend(Out, "%s        {", First ? "" : ",\n\n");
    switch (Record->Type)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            status = IgEmitKernel(D, &e, Record);
            break;
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
            status = IgEmitUser(D, &e, Record);
            break;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            status = IgEmitKernelUser(&e, Record);
            break;
        default:
            status = IgEmitGlob(D, &e, Record);
            break;
    }
    IgTextAppend(Out, "\n        }");
    return status;
}

/* ---- Signatures --------------------------------------------------------------------------------------- */

static bool IgAllZero(const uint8_t *Bytes, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        if (Bytes[i])
        {
            return false;
        }
    }
    return true;
}

static void IgEmitSigFlags(IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const IG_FLAG_CONTEXT ctx = {true, Record->Type, 0};

    IgEmitFlags(E, &ctx, IntExcFileRecordFlags(Record));
}

static void IgEmitRawBounds(IG_ENTRY *E, uint64_t Min, uint64_t Max)
{
    IgEntryKey(E, "minimum_raw");
    IgTextAppend(E->Out, "\"0x%016llX\"", (unsigned long long)Min);
    IgEntryKey(E, "maximum_raw");
    IgTextAppend(E->Out, "\"0x%016llX\"", (unsigned long long)Max);
}

/* Version-os bounds: Windows build numbers (below 2^32) or Linux v.p.s with the compiler's backport
 * values (0 in the minimum, 0xFFFF in the maximum); anything else is written raw. */
static void IgEmitVersionOs(IG_ENTRY *E, uint64_t Min, uint64_t Max)
{
    bool windows = (Min >> 32) == 0 && (Max >> 32) == 0;
    bool linuxForm =
        ((Min >> 32) & 0xFFFF) == 0 && (Min >> 48) == 0 && ((Max >> 32) & 0xFFFF) == 0xFFFF && (Max >> 48) == 0;

    if (windows)
    {
        IgEntryKey(E, "minimum");
        IgTextAppend(E->Out, Min == 0 ? "\"*\"" : "\"%llu\"", (unsigned long long)Min);
        IgEntryKey(E, "maximum");
        IgTextAppend(E->Out, Max == 0xFFFF ? "\"*\"" : "\"%llu\"", (unsigned long long)Max);
        return;
    }
    if (linuxForm)
    {
        unsigned sub = (unsigned)((Max >> 16) & 0xFFFF);

        IgEntryKey(E, "minimum");
        IgTextAppend(E->Out, "\"%u.%u.%u\"", (unsigned)(Min & 0xFF), (unsigned)((Min >> 8) & 0xFF),
                     (unsigned)((Min >> 16) & 0xFFFF));
        IgEntryKey(E, "maximum");
        IgTextAppend(E->Out, "\"%u.%u.", (unsigned)(Max & 0xFF), (unsigned)((Max >> 8) & 0xFF));
        IgTextAppend(E->Out, sub == 0xFFFF ? "*\"" : "%u\"", sub);
        return;
    }
    IgEmitRawBounds(E, Min, Max);
}

/* Introcore-version bounds: "a.b.c", Build 0 in the minimum and 0xFFFF in the maximum. */
static void IgEmitVersionIntro(IG_ENTRY *E, uint64_t Min, uint64_t Max)
{
    if ((Min >> 48) != 0 || (Max >> 48) != 0xFFFF)
    {
        IgEmitRawBounds(E, Min, Max);
        return;
    }
    IgEntryKey(E, "minimum");
    IgTextAppend(E->Out, "\"%u.%u.%u\"", (unsigned)(Min & 0xFFFF), (unsigned)((Min >> 16) & 0xFFFF),
                 (unsigned)((Min >> 32) & 0xFFFF));
    IgEntryKey(E, "maximum");
    IgTextAppend(E->Out, "\"");
    for (int i = 0; i < 3; i++)
    {
        unsigned part = (unsigned)((Max >> (16 * i)) & 0xFFFF);
        IgTextAppend(E->Out, part == 0xFFFF ? "%s*" : "%s%u", i ? "." : "", part);
    }
    IgTextAppend(E->Out, "\"");
}

static INTSTATUS IgEmitCodeBlocks(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_CODEBLOCKS *cb = &Record->u.CodeBlocks;
    INTRO_EXCFILE_HASH_CURSOR cursor = {0, 0};
    INTRO_EXCFILE_U32_ARRAY list;
    bool sorted = true;

    if (cb->Score == 0)
    {
        return IgRecordFail(D, Record, "score 0 (the compiler requires a non-zero score)");
    }
    IgEntryNumber(E, "score", cb->Score);
    IgEmitSigFlags(E, Record);
    IgEntryKey(E, "hashes");
    IgTextAppend(E->Out, "[");
    while (IntExcFileNextHashList(cb, &cursor, &list))
    {
        IgTextAppend(E->Out, "%s\n                [", cursor.List > 1 ? "," : "");
        for (uint32_t j = 0; j < list.Count; j++)
        {
            uint32_t h = IntExcFileU32At(&list, j);

            sorted = sorted && (j == 0 || h >= IntExcFileU32At(&list, j - 1));
            IgTextAppend(E->Out, "%s\"0x%08X\"", j ? ", " : "", h);
        }
        IgTextAppend(E->Out, "]");
    }
    IgTextAppend(E->Out, cb->ListCount ? "\n            ]" : "]");
    if (!sorted)
    {
        IgNote(D, "record %u: code-block hashes are not sorted; the compiler sorts each list", Record->Index);
    }
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitExport(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_EXPORT *ex = &Record->u.Export;
    INTRO_EXCFILE_EXPORT_ENTRY entry;

    if (!IgAllZero(ex->Align, sizeof(ex->Align)))
    {
        return IgRecordFail(D, Record, "alignment bytes are not zero");
    }
    IgEmitSigFlags(E, Record);
    IgEmitHash(E, "library", ex->Library, IgSpecial(Record, INTRO_EXCFILE_FIELD_LIBRARY, 0, ex->Library));
    IgEntryKey(E, "hashes");
    IgTextAppend(E->Out, "[");
    for (uint32_t i = 0; IntExcFileExportEntryAt(ex, i, &entry); i++)
    {
        const char *special = IgSpecial(Record, INTRO_EXCFILE_FIELD_EXPORT_NAME, 0, entry.FunctionHash);

        if (!IgAllZero(entry.Reserved, sizeof(entry.Reserved)))
        {
            return IgRecordFail(D, Record, "entry %u has non-zero reserved bytes", i);
        }
        IgTextAppend(E->Out, "%s\n                {", i ? "," : "");
        if (special)
        {
            IgTextAppend(E->Out, "\"name\": \"%s\"", special);
        }
        else
        {
            IgTextAppend(E->Out, "\"name_hash\": \"0x%08X\"", entry.FunctionHash);
        }
        IgTextAppend(E->Out, ", \"delta\": %u}", entry.Delta);
    }
    IgTextAppend(E->Out, ex->Count ? "\n            ]" : "]");
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitValue(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_VALUE *v = &Record->u.Value;
    INTRO_EXCFILE_VALUE_ENTRY entry;

    if (v->Score == 0)
    {
        return IgRecordFail(D, Record, "score 0 (the compiler requires a non-zero score)");
    }
    if (v->Align != 0)
    {
        return IgRecordFail(D, Record, "alignment bytes are not zero");
    }
    IgEntryNumber(E, "score", v->Score);
    IgEmitSigFlags(E, Record);
    IgEntryKey(E, "hashes");
    IgTextAppend(E->Out, "[");
    for (uint32_t i = 0; IntExcFileValueEntryAt(v, i, &entry); i++)
    {
        if (!IgAllZero(entry.Reserved, sizeof(entry.Reserved)))
        {
            return IgRecordFail(D, Record, "entry %u has non-zero reserved bytes", i);
        }
        IgTextAppend(E->Out, "%s\n                {\"offset\": %u, \"size\": %u, \"hash\": \"0x%08X\"}", i ? "," : "",
                     entry.Offset, entry.Size, entry.Hash);
    }
    IgTextAppend(E->Out, v->Count ? "\n            ]" : "]");
    return INT_STATUS_SUCCESS;
}

static void IgEmitValueCode(IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_VALUE_CODE *vc = &Record->u.ValueCode;

    IgEmitSigFlags(E, Record);
    IgEntryNumber(E, "offset", vc->Offset);
    IgEntryKey(E, "pattern");
    IgTextAppend(E->Out, "[");
    for (uint32_t i = 0; i < vc->Pattern.Count; i++)
    {
        uint16_t item = IntExcFileU16At(&vc->Pattern, i);
        IgTextAppend(E->Out, item < 0x100 ? "%s\"0x%02X\"" : "%s\"0x%X\"", i ? ", " : "", item);
    }
    IgTextAppend(E->Out, "]");
}

static INTSTATUS IgEmitProcessCreation(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    const INTRO_EXCFILE_PROCESS_CREATION *pc = &Record->u.ProcessCreation;
    bool first = true;

    if (!IgAllZero(pc->Reserved, sizeof(pc->Reserved)))
    {
        return IgRecordFail(D, Record, "reserved bytes are not zero");
    }
    IgEmitSigFlags(E, Record);
    IgEntryKey(E, "create_mask");
    IgTextAppend(E->Out, "[");
    for (unsigned bit = 0; bit < 32; bit++)
    {
        const char *name;

        if (!(pc->CreateMask & (1u << bit)))
        {
            continue;
        }
        name = IntExcFileKeywordName(IntExcFileCreateMaskNames(), 1u << bit);
        if (!name)
        {
            return IgRecordFail(D, Record, "create-mask bit 0x%08X has no name", 1u << bit);
        }
        IgTextAppend(E->Out, "%s\"%s\"", first ? "" : ", ", name);
        first = false;
    }
    IgTextAppend(E->Out, "]");
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitSignatureBody(IG_DECOMPILER *D, IG_ENTRY *E, const INTRO_EXCFILE_RECORD *Record)
{
    switch (Record->Type)
    {
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            return IgEmitCodeBlocks(D, E, Record);
        case INTRO_EXCFILE_REC_EXPORT:
            return IgEmitExport(D, E, Record);
        case INTRO_EXCFILE_REC_VALUE:
            return IgEmitValue(D, E, Record);
        case INTRO_EXCFILE_REC_VALUE_CODE:
            IgEmitValueCode(E, Record);
            return INT_STATUS_SUCCESS;
        case INTRO_EXCFILE_REC_IDT:
            if (!IgAllZero(Record->u.Idt.Reserved, sizeof(Record->u.Idt.Reserved)))
            {
                return IgRecordFail(D, Record, "reserved bytes are not zero");
            }
            IgEmitSigFlags(E, Record);
            IgEntryNumber(E, "entry", Record->u.Idt.Entry);
            return INT_STATUS_SUCCESS;
        case INTRO_EXCFILE_REC_VERSION_OS:
            IgEmitSigFlags(E, Record);
            IgEmitVersionOs(E, Record->u.Version.Minimum, Record->u.Version.Maximum);
            return INT_STATUS_SUCCESS;
        case INTRO_EXCFILE_REC_VERSION_INTRO:
            IgEmitSigFlags(E, Record);
            IgEmitVersionIntro(E, Record->u.Version.Minimum, Record->u.Version.Maximum);
            return INT_STATUS_SUCCESS;
        default:
            return IgEmitProcessCreation(D, E, Record);
    }
}

INTSTATUS IgEmitSignature(IG_DECOMPILER *D, IG_TEXT *Out, const INTRO_EXCFILE_RECORD *Record, bool First, bool Raw)
{
    const INTRO_EXCFILE_SIGNATURE_KIND *kind = IntExcFileSignatureKindByRecord(Record->Type);
    uint32_t id = IntExcFileRecordId(Record);
    IG_ENTRY e = {Out, true};
    char name[24];
    INTSTATUS status;

    snprintf(name, sizeof(name), "sig-%08x", id);
    IgTextAppend(Out, "%s        {", First ? "" : ",\n\n");
    IgEntryString(&e, "sig_type", kind->Name);
    IgEntryString(&e, "sig_id", name);
    if (Raw)
    {
        IgEntryHex32(&e, "id_raw", id);
    }
    status = IgEmitSignatureBody(D, &e, Record);
    if (INT_SUCCESS(status))
    {
        IgTextAppend(Out, "\n        }");
    }
    return status;
}
