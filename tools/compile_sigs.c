/*
 * Pass 1 of the compiler: signatures (spec §5.5).  Each is numbered in the order read (ID = type
 * code << 22 | sequence) and its record is encoded right away with the library's writer; the
 * output stage later copies the records it keeps, sorted by ID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"
#include "suggest.h"

/* ---- The signatures by name ------------------------------------------------------------------------ */

static uint64_t IgCcNameKey(const char *S, size_t N)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < N; i++)
    {
        h = (h ^ (uint8_t)S[i]) * 1099511628211ull;
    }
    return h;
}

IG_CSIG *IgCcFindSig(IG_CC *C, const char *Name, size_t Length)
{
    size_t mask;

    if (C->SigTableSize == 0)
    {
        return NULL;
    }
    mask = C->SigTableSize - 1;
    for (size_t i = (size_t)IgCcNameKey(Name, Length) & mask;; i = (i + 1) & mask)
    {
        uint32_t slot = C->SigTable[i];
        IG_CSIG *s;

        if (slot == 0)
        {
            return NULL;
        }
        s = &C->Sigs[slot - 1];
        if (s->NameLength == Length && memcmp(s->Name, Name, Length) == 0)
        {
            return s;
        }
    }
}

static void IgCcPlaceSig(uint32_t *Table, size_t Size, const IG_CSIG *Sig, size_t Index)
{
    size_t j = (size_t)IgCcNameKey(Sig->Name, Sig->NameLength) & (Size - 1);

    while (Table[j])
    {
        j = (j + 1) & (Size - 1);
    }
    Table[j] = (uint32_t)(Index + 1);
}

/* Adds Sigs[Index] to the name table, doubling it when half full. */
static bool IgCcIndexSig(IG_CC *C, size_t Index)
{
    if ((Index + 1) * 2 > C->SigTableSize)
    {
        size_t size = C->SigTableSize ? C->SigTableSize * 2 : 256;
        uint32_t *t = calloc(size, sizeof(*t));

        if (t == NULL)
        {
            C->OutOfMemory = true;
            return false;
        }
        free(C->SigTable);
        C->SigTable = t;
        C->SigTableSize = size;
        for (size_t i = 0; i < Index; i++)
        {
            IgCcPlaceSig(t, size, &C->Sigs[i], i);
        }
    }
    IgCcPlaceSig(C->SigTable, C->SigTableSize, &C->Sigs[Index], Index);
    return true;
}

/* ---- One reader per kind: each checks its members and writes the record ------------------------------- */

/* The writer's verdict on a record the reader built: only memory can fail it. */
static bool IgCcWritten(IG_CC *C, INTSTATUS Status)
{
    if (!INT_SUCCESS(Status))
    {
        C->OutOfMemory = true;
        return false;
    }
    return true;
}

/* A score: required, 1-255. */
static bool IgCcScore(IG_CC *C, const IG_JSON_VALUE *Sig, uint8_t *Out)
{
    const IG_JSON_VALUE *v = IgCcMember(Sig, "score");
    int64_t n;

    if (v == NULL)
    {
        IG_ERR(C, Sig, "missing \"score\" (an integer 1-255)");
        return false;
    }
    if (!IgCcInteger(C, v, 1, 255, &n))
    {
        return false;
    }
    *Out = (uint8_t)n;
    return true;
}

/* One list of a codeblocks signature, sorted ascending as hvmi writes it, appended to Scratch. */
static bool IgCcHashList(IG_CC *C, const IG_JSON_VALUE *List, uint32_t *Hashes)
{
    if (List->Type != IgJsonArray)
    {
        IG_ERR(C, List, "expected a list of hex strings (\"hashes\" is a list of lists), found %s",
               IgJsonTypeName(List->Type));
        return false;
    }
    if (List->Count > 255)
    {
        IG_ERR(C, List, "a hash list holds at most 255 hashes, found %zu", List->Count);
        return false;
    }
    for (size_t k = 0; k < List->Count; k++)
    {
        uint64_t h;

        if (!IgCcHex(C, List->Items[k], 0xFFFFFFFFu, &h))
        {
            return false;
        }
        Hashes[k] = (uint32_t)h;
        for (size_t m = k; m > 0 && Hashes[m - 1] > Hashes[m]; m--)
        {
            uint32_t t = Hashes[m - 1];
            Hashes[m - 1] = Hashes[m];
            Hashes[m] = t;
        }
    }
    return true;
}

static bool IgCcSigCodeBlocks(IG_CC *C, const IG_JSON_VALUE *Sig, INTRO_EXCFILE_CODEBLOCKS *Cb)
{
    const IG_JSON_VALUE *lists;
    uint8_t sizes[255];
    uint32_t *hashes;
    size_t total = 0;
    uint64_t bytes = INTRO_EXCFILE_CODEBLOCKS_FIXED_SIZE;

    if (!IgCcScore(C, Sig, &Cb->Score) || !IgCcArray(C, Sig, "hashes", true, &lists))
    {
        return false;
    }
    if (lists->Count == 0 || lists->Count > 255)
    {
        IG_ERR(C, lists, "expected 1-255 hash lists, found %zu", lists->Count);
        return false;
    }
    for (size_t i = 0; i < lists->Count; i++)
    {
        total += lists->Items[i]->Type == IgJsonArray ? lists->Items[i]->Count : 0;
    }
    if (!IgCcScratch(C, (total + 255) * sizeof(uint32_t)))
    {
        return false;
    }
    hashes = (uint32_t *)(void *)C->Scratch.Data;
    total = 0;
    for (size_t i = 0; i < lists->Count; i++)
    {
        if (!IgCcHashList(C, lists->Items[i], hashes + total))
        {
            return false;
        }
        sizes[i] = (uint8_t)lists->Items[i]->Count;
        total += sizes[i];
        bytes += 1 + 4ull * sizes[i];
    }
    if (bytes > IG_COMPILE_MAX_RECORD)
    {
        IG_ERR(C, Sig, "signature record would be %llu bytes; a record holds at most %u", (unsigned long long)bytes,
               IG_COMPILE_MAX_RECORD);
        return false;
    }
    Cb->ListCount = (uint8_t)lists->Count;
    Cb->ListSizes = sizes;
    Cb->Hashes = hashes;
    return IgCcWritten(C, IntExcFileWriteCodeBlocks(&C->SigRecords, Cb));
}

/* One export entry {"name" or "name_hash", "delta"}. */
static bool IgCcExportEntry(IG_CC *C, const IG_JSON_VALUE *E, INTRO_EXCFILE_EXPORT_ENTRY *Entry)
{
    static const char *const keys[] = {"name", "name_hash", "delta"};
    static const IG_NAME_RULE fnRule = {INTRO_EXCFILE_SPECIAL_SIGNATURE, false, false, 0, false, false};
    const IG_JSON_VALUE *name, *nameHash, *delta;
    int64_t d;

    if (E->Type != IgJsonObject)
    {
        IG_ERR(C, E, "expected an export entry {\"name\", \"delta\"}, found %s", IgJsonTypeName(E->Type));
        return false;
    }
    IgCcUnknownKeys(C, E, keys, 3);
    nameHash = IgCcMember(E, "name_hash");
    delta = IgCcMember(E, "delta");
    if (!IgCcString(C, E, "name", &name))
    {
        return false;
    }
    if (name && nameHash)
    {
        IG_ERR(C, nameHash, "\"name_hash\" and \"name\" are both given; use one");
        return false;
    }
    if (!name && !nameHash)
    {
        IG_ERR(C, E, "missing \"name\" (the exported function)");
        return false;
    }
    if (delta == NULL)
    {
        IG_ERR(C, E, "missing \"delta\" (an integer 0-65535)");
        return false;
    }
    if (!IgCcInteger(C, delta, 0, 0xFFFF, &d) ||
        !(nameHash ? IgCcRaw32(C, nameHash, &Entry->FunctionHash)
                   : IgCcHashName(C, name, name->Text, name->Length, &fnRule, &Entry->FunctionHash)))
    {
        return false;
    }
    Entry->Delta = (uint16_t)d;
    return true;
}

static bool IgCcSigExport(IG_CC *C, const IG_JSON_VALUE *Sig, INTRO_EXCFILE_EXPORT *Ex)
{
    static const IG_NAME_RULE libRule = {INTRO_EXCFILE_SPECIAL_USER, false, true, 0, false, false};
    const IG_JSON_VALUE *lib, *libHash = IgCcMember(Sig, "library_hash"), *entries;
    INTRO_EXCFILE_EXPORT_ENTRY items[255];
    bool ok;

    if (!IgCcString(C, Sig, "library", &lib) || !IgCcArray(C, Sig, "hashes", true, &entries))
    {
        return false;
    }
    if (libHash && lib)
    {
        IG_ERR(C, libHash, "\"library_hash\" and \"library\" are both given; use one");
        return false;
    }
    if (libHash)
    {
        ok = IgCcRaw32(C, libHash, &Ex->Library);
    }
    else if (!IgCcPresent(lib))
    {
        IG_ERR(C, lib ? lib : Sig, "missing \"library\" (the module name)");
        ok = false;
    }
    else
    {
        ok = IgCcHashName(C, lib, lib->Text, lib->Length, &libRule, &Ex->Library);
    }
    if (!ok)
    {
        return false;
    }
    if (entries->Count == 0 || entries->Count > 255)
    {
        IG_ERR(C, entries, "expected 1-255 export entries, found %zu", entries->Count);
        return false;
    }
    memset(items, 0, sizeof(items));
    for (size_t i = 0; i < entries->Count; i++)
    {
        if (!IgCcExportEntry(C, entries->Items[i], &items[i]))
        {
            return false;
        }
    }
    Ex->Count = (uint8_t)entries->Count;
    Ex->Entries = items;
    return IgCcWritten(C, IntExcFileWriteExport(&C->SigRecords, Ex));
}

/* One value entry {"offset", "size", "hash"}. */
static bool IgCcValueEntry(IG_CC *C, const IG_JSON_VALUE *E, INTRO_EXCFILE_VALUE_ENTRY *Entry)
{
    static const char *const keys[] = {"offset", "size", "hash"};
    const IG_JSON_VALUE *off, *size, *hash;
    int64_t o, s;
    uint64_t h;

    if (E->Type != IgJsonObject)
    {
        IG_ERR(C, E, "expected a value entry {\"offset\", \"size\", \"hash\"}, found %s", IgJsonTypeName(E->Type));
        return false;
    }
    IgCcUnknownKeys(C, E, keys, 3);
    off = IgCcMember(E, "offset");
    size = IgCcMember(E, "size");
    hash = IgCcMember(E, "hash");
    if (!off || !size || !hash)
    {
        IG_ERR(C, E, "missing \"%s\"", !off ? "offset" : (!size ? "size" : "hash"));
        return false;
    }
    if (!IgCcInteger(C, off, 0, 0xFFFF, &o) || !IgCcInteger(C, size, 0, 0xFFFF, &s) ||
        !IgCcHex(C, hash, 0xFFFFFFFFu, &h))
    {
        return false;
    }
    Entry->Offset = (uint16_t)o;
    Entry->Size = (uint16_t)s;
    Entry->Hash = (uint32_t)h;
    return true;
}

static bool IgCcSigValue(IG_CC *C, const IG_JSON_VALUE *Sig, INTRO_EXCFILE_VALUE *Value)
{
    const IG_JSON_VALUE *entries;
    INTRO_EXCFILE_VALUE_ENTRY items[255];

    if (!IgCcScore(C, Sig, &Value->Score) || !IgCcArray(C, Sig, "hashes", true, &entries))
    {
        return false;
    }
    if (entries->Count == 0 || entries->Count > 255)
    {
        IG_ERR(C, entries, "expected 1-255 value entries, found %zu", entries->Count);
        return false;
    }
    memset(items, 0, sizeof(items));
    for (size_t i = 0; i < entries->Count; i++)
    {
        if (!IgCcValueEntry(C, entries->Items[i], &items[i]))
        {
            return false;
        }
    }
    Value->Count = (uint8_t)entries->Count;
    Value->Entries = items;
    return IgCcWritten(C, IntExcFileWriteValue(&C->SigRecords, Value));
}

static bool IgCcSigValueCode(IG_CC *C, const IG_JSON_VALUE *Sig, INTRO_EXCFILE_VALUE_CODE *Vc)
{
    const size_t maxItems = (IG_COMPILE_MAX_RECORD - INTRO_EXCFILE_VALUE_CODE_FIXED_SIZE) / 2;
    const IG_JSON_VALUE *off = IgJsonGet(Sig, "offset"), *pattern;
    uint16_t *items;
    int64_t o = 0;

    if (off == NULL)
    {
        IG_ERR(C, Sig, "missing \"offset\" (an integer -32768..32767)");
        return false;
    }
    if ((off->Type != IgJsonNull && !IgCcInteger(C, off, -32768, 32767, &o)) ||
        !IgCcArray(C, Sig, "pattern", true, &pattern))
    {
        return false;
    }
    if (pattern->Count == 0 || pattern->Count > maxItems)
    {
        IG_ERR(C, pattern, "expected 1-%zu pattern items, found %zu", maxItems, pattern->Count);
        return false;
    }
    if (!IgCcScratch(C, pattern->Count * sizeof(uint16_t)))
    {
        return false;
    }
    items = (uint16_t *)(void *)C->Scratch.Data;
    for (size_t i = 0; i < pattern->Count; i++)
    {
        uint64_t v;

        if (!IgCcHex(C, pattern->Items[i], 0xFFFF, &v))
        {
            return false;
        }
        items[i] = (uint16_t)v;
    }
    Vc->Offset = (int16_t)o;
    Vc->Pattern.Values = items;
    Vc->Pattern.Count = (uint32_t)pattern->Count;
    return IgCcWritten(C, IntExcFileWriteValueCode(&C->SigRecords, Vc));
}

static bool IgCcSigIdt(IG_CC *C, const IG_JSON_VALUE *Sig, INTRO_EXCFILE_IDT *Idt)
{
    const IG_JSON_VALUE *entry = IgCcMember(Sig, "entry");
    int64_t e;

    if (entry == NULL)
    {
        IG_ERR(C, Sig, "missing \"entry\" (the IDT vector, 0-255)");
        return false;
    }
    if (!IgCcInteger(C, entry, 0, 255, &e))
    {
        return false;
    }
    Idt->Entry = (uint8_t)e;
    return IgCcWritten(C, IntExcFileWriteIdt(&C->SigRecords, Idt));
}

static bool IgCcSigProcessCreation(IG_CC *C, const IG_JSON_VALUE *Sig, INTRO_EXCFILE_PROCESS_CREATION *Pc)
{
    const IG_JSON_VALUE *mask;

    if (!IgCcArray(C, Sig, "create_mask", false, &mask))
    {
        return false;
    }
    if (mask == NULL)
    {
        IG_ERR(C, Sig, "missing \"create_mask\" (a list of process-creation flags)");
        return false;
    }
    for (size_t i = 0; i < mask->Count; i++)
    {
        const IG_JSON_VALUE *m = mask->Items[i];
        uint32_t bit;
        char sug[96];

        if (m->Type != IgJsonString)
        {
            IG_ERR(C, m, "expected a process-creation flag name, found %s", IgJsonTypeName(m->Type));
            return false;
        }
        if (!IntExcFileKeywordFind(IntExcFileCreateMaskNames(), m->Text, m->Length, &bit))
        {
            IG_ERR(C, m, "unknown create_mask flag '%.40s'%s", m->Text,
                   IgCcSuggest(sug, sizeof(sug), IgSuggestKeyword(IntExcFileCreateMaskNames(), m->Text, m->Length, 0)));
            return false;
        }
        Pc->CreateMask |= bit;
    }
    return IgCcWritten(C, IntExcFileWriteProcessCreation(&C->SigRecords, Pc));
}

/* One version bound: Windows (decimal or "*", a u64 reduced mod 2^32) or Linux ("v.p.s"). */
static bool IgCcVersionOsBound(IG_CC *C, const IG_JSON_VALUE *V, bool Maximum, bool Linux, uint64_t *Out)
{
    const char *s = V->Text;
    if (!Linux)
    {
        if (strcmp(s, "*") == 0)
        {
            *Out = Maximum ? 0xFFFFu : 0; /* hvmi: a '*' maximum is 0xFFFF (C9) */
            return true;
        }
        size_t i = (s[0] == '-') ? 1 : 0;
        if (s[i] == 0)
        {
            IG_ERR(C, V, "bad OS version \"%.40s\": expected a decimal build number, \"*\" or \"v.p.s\"", s);
            return false;
        }
        uint64_t v = 0;
        for (; s[i]; i++)
        {
            if (s[i] < '0' || s[i] > '9' || v > 0xFFFFFFFFFFFull)
            {
                IG_ERR(C, V, "bad OS version \"%.40s\": expected a decimal build number, \"*\" or \"v.p.s\"", s);
                return false;
            }
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (s[0] == '-')
        {
            v = (uint64_t)0 - v;
        }
        *Out = v & 0xFFFFFFFFu; /* hvmi reduces modulo 2^32 */
        return true;
    }
    uint64_t part[3] = {0};
    static const uint64_t limit[3] = {0xFF, 0xFF, 0xFFFF};
    static const char *const what[3] = {"version", "patch", "sublevel"};
    const char *p = s;
    for (int k = 0; k < 3; k++)
    {
        const char *end = strchr(p, '.');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((k < 2) != (end != NULL))
        {
            IG_ERR(C, V, "bad OS version \"%.40s\": expected exactly three parts \"v.p.s\"", s);
            return false;
        }
        if (len == 1 && p[0] == '*')
        {
            if (Maximum && k < 2)
            {
                IG_ERR(C, V,
                       "bad OS version \"%.40s\": '*' as maximum %s would be 0xFFFF, which does not fit its "
                       "byte (use 255)",
                       s, what[k]);
                return false;
            }
            part[k] = Maximum ? 0xFFFF : 0;
        }
        else
        {
            uint64_t v = 0;
            if (len == 0 || len > 10)
            {
                IG_ERR(C, V, "bad OS version \"%.40s\": %s must be a number or '*'", s, what[k]);
                return false;
            }
            for (size_t i = 0; i < len; i++)
            {
                if (p[i] < '0' || p[i] > '9')
                {
                    IG_ERR(C, V, "bad OS version \"%.40s\": %s must be a number or '*'", s, what[k]);
                    return false;
                }
                v = v * 10 + (uint64_t)(p[i] - '0');
            }
            if (v > limit[k])
            {
                IG_ERR(C, V, "OS version \"%.40s\": %s %llu out of range (0..%llu)", s, what[k], (unsigned long long)v,
                       (unsigned long long)limit[k]);
                return false;
            }
            part[k] = v;
        }
        p = end ? end + 1 : p + len;
    }
    uint64_t backport = Maximum ? 0xFFFF : 0;
    *Out = part[0] | (part[1] << 8) | (part[2] << 16) | (backport << 32);
    return true;
}

static bool IgCcVersionIntroBound(IG_CC *C, const IG_JSON_VALUE *V, bool Maximum, uint64_t *Out)
{
    const char *s = V->Text;
    const char *p = s;
    uint64_t part[3] = {0};
    for (int k = 0; k < 3; k++)
    {
        const char *end = strchr(p, '.');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((k < 2) != (end != NULL))
        {
            IG_ERR(C, V, "bad introcore version \"%.40s\": expected \"major.minor.revision\"", s);
            return false;
        }
        if (len == 1 && p[0] == '*')
        {
            part[k] = Maximum ? 0xFFFF : 0;
        }
        else
        {
            uint64_t v = 0;
            if (len == 0 || len > 10)
            {
                IG_ERR(C, V, "bad introcore version \"%.40s\": each part must be a number or '*'", s);
                return false;
            }
            for (size_t i = 0; i < len; i++)
            {
                if (p[i] < '0' || p[i] > '9')
                {
                    IG_ERR(C, V, "bad introcore version \"%.40s\": each part must be a number or '*'", s);
                    return false;
                }
                v = v * 10 + (uint64_t)(p[i] - '0');
            }
            if (v > 0xFFFF)
            {
                IG_ERR(C, V, "introcore version \"%.40s\": part %llu out of range (0..65535)", s,
                       (unsigned long long)v);
                return false;
            }
            part[k] = v;
        }
        p = end ? end + 1 : p + len;
    }
    uint64_t build = Maximum ? 0xFFFF : 0;
    *Out = part[0] | (part[1] << 16) | (part[2] << 32) | (build << 48);
    return true;
}

static bool IgCcVersionBounds(IG_CC *C, const IG_JSON_VALUE *Sig, bool Os, uint64_t *Min, uint64_t *Max)
{
    const IG_JSON_VALUE *v[2];
    const IG_JSON_VALUE *raw[2] = {IgCcMember(Sig, "minimum_raw"), IgCcMember(Sig, "maximum_raw")};
    static const char *const key[2] = {"minimum", "maximum"};
    uint64_t *out[2] = {Min, Max};
    bool isLinux = false;
    bool ok = true;

    for (int k = 0; k < 2; k++)
    {
        if (!IgCcString(C, Sig, key[k], &v[k]))
        {
            return false;
        }
        if (raw[k] && v[k])
        {
            IG_ERR(C, raw[k], "\"%s_raw\" and \"%s\" are both given; use one", key[k], key[k]);
            return false;
        }
        if (!raw[k] && !v[k])
        {
            IG_ERR(C, Sig, "missing \"%s\" (a version string)", key[k]);
            return false;
        }
    }
    if (Os && v[0] && v[1] && (strchr(v[0]->Text, '.') != NULL) != (strchr(v[1]->Text, '.') != NULL))
    {
        IG_ERR(C, v[1], "minimum and maximum must use the same form (both \"v.p.s\" or both build numbers)");
        return false;
    }
    isLinux = v[0] ? strchr(v[0]->Text, '.') != NULL : (v[1] ? strchr(v[1]->Text, '.') != NULL : false);
    for (int k = 0; k < 2 && ok; k++)
    {
        if (raw[k])
        {
            ok = IgCcHex(C, raw[k], UINT64_MAX, out[k]);
        }
        else if (Os)
        {
            ok = IgCcVersionOsBound(C, v[k], k == 1, isLinux, out[k]);
        }
        else
        {
            ok = IgCcVersionIntroBound(C, v[k], k == 1, out[k]);
        }
    }
    return ok;
}

/* Reads the kind-specific members of Sig and writes its record with Id and Flags. */
static bool IgCcSignatureRecord(IG_CC *C, const IG_JSON_VALUE *Sig, const INTRO_EXCFILE_SIGNATURE_KIND *Kind,
                                uint32_t Id, uint32_t Flags)
{
    switch (Kind->TypeCode)
    {
        case INTRO_EXCFILE_SIG_CODEBLOCKS:
            return IgCcSigCodeBlocks(C, Sig, &(INTRO_EXCFILE_CODEBLOCKS){.Id = Id, .Flags = Flags});
        case INTRO_EXCFILE_SIG_EXPORT:
            return IgCcSigExport(C, Sig, &(INTRO_EXCFILE_EXPORT){.Id = Id, .Flags = Flags});
        case INTRO_EXCFILE_SIG_VALUE:
            return IgCcSigValue(C, Sig, &(INTRO_EXCFILE_VALUE){.Id = Id, .Flags = Flags});
        case INTRO_EXCFILE_SIG_VALUE_CODE:
            return IgCcSigValueCode(C, Sig, &(INTRO_EXCFILE_VALUE_CODE){.Id = Id, .Flags = Flags});
        case INTRO_EXCFILE_SIG_IDT:
            return IgCcSigIdt(C, Sig, &(INTRO_EXCFILE_IDT){.Id = Id, .Flags = Flags});
        case INTRO_EXCFILE_SIG_VERSION_OS:
        case INTRO_EXCFILE_SIG_VERSION_INTRO:
        {
            INTRO_EXCFILE_VERSION v = {.Id = Id, .Flags = Flags};

            return IgCcVersionBounds(C, Sig, Kind->TypeCode == INTRO_EXCFILE_SIG_VERSION_OS, &v.Minimum, &v.Maximum) &&
                   IgCcWritten(C, IntExcFileWriteVersion(&C->SigRecords, Kind->RecordType, &v));
        }
        case INTRO_EXCFILE_SIG_PROCESS_CREATION:
            return IgCcSigProcessCreation(C, Sig, &(INTRO_EXCFILE_PROCESS_CREATION){.Id = Id, .Flags = Flags});
        default:
            return false;
    }
}

/* ---- One signature -------------------------------------------------------------------------------------- */

/* Keys each signature type accepts besides the common ones. */
static size_t IgCcSigKeys(uint32_t TypeCode, const char **Keys)
{
    static const char *const common[] = {"sig_type", "sig_id", "flags", "flags_raw", "id_raw"};
    static const char *const cb[] = {"score", "hashes", NULL};
    static const char *const ex[] = {"library", "library_hash", "hashes", NULL};
    static const char *const vc[] = {"offset", "pattern", NULL};
    static const char *const idt[] = {"entry", NULL};
    static const char *const ver[] = {"minimum", "maximum", "minimum_raw", "maximum_raw", NULL};
    static const char *const pc[] = {"create_mask", NULL};
    const char *const *list;
    size_t k = 0;

    switch (TypeCode)
    {
        case INTRO_EXCFILE_SIG_CODEBLOCKS:
        case INTRO_EXCFILE_SIG_VALUE:
            list = cb;
            break;
        case INTRO_EXCFILE_SIG_EXPORT:
            list = ex;
            break;
        case INTRO_EXCFILE_SIG_VALUE_CODE:
            list = vc;
            break;
        case INTRO_EXCFILE_SIG_IDT:
            list = idt;
            break;
        case INTRO_EXCFILE_SIG_VERSION_OS:
        case INTRO_EXCFILE_SIG_VERSION_INTRO:
            list = ver;
            break;
        default:
            list = pc;
            break;
    }
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
    {
        Keys[k++] = common[i];
    }
    for (size_t i = 0; list[i]; i++)
    {
        Keys[k++] = list[i];
    }
    return k;
}

/* The kind named by "sig_type", or NULL after reporting. */
static const INTRO_EXCFILE_SIGNATURE_KIND *IgCcSigKind(IG_CC *C, const IG_JSON_VALUE *Sig, const IG_JSON_VALUE *Type)
{
    const INTRO_EXCFILE_SIGNATURE_KIND *kind, *all;
    const char *names[16];
    size_t n;
    char sug[96];

    if (Type == NULL)
    {
        IG_ERR(C, Sig, "missing \"sig_type\"");
        return NULL;
    }
    kind = IntExcFileSignatureKindByName(Type->Text, Type->Length);
    if (kind)
    {
        return kind;
    }
    all = IntExcFileSignatureKinds(&n);
    n = n < 16 ? n : 16;
    for (size_t i = 0; i < n; i++)
    {
        names[i] = all[i].Name;
    }
    IG_ERR(C, Type, "unknown sig_type '%.40s'%s", Type->Text,
           IgCcSuggest(sug, sizeof(sug), IgSuggestOf(names, n, Type->Text, Type->Length, 0)));
    return NULL;
}

/* The signature's ID: the next number, or its id_raw (which must fit its kind and be new). */
static bool IgCcSigId(IG_CC *C, const IG_JSON_VALUE *Sig, const INTRO_EXCFILE_SIGNATURE_KIND *Kind, uint32_t *Id)
{
    const IG_JSON_VALUE *rawId = IgCcMember(Sig, "id_raw");
    uint32_t seq = C->NextSequence + 1;

    *Id = INTRO_EXCFILE_SIG_ID(Kind->TypeCode, seq);
    if (!rawId)
    {
        if (seq > IG_COMPILE_MAX_SIG_SEQUENCE)
        {
            IG_ERR(C, Sig, "more than %u signatures", IG_COMPILE_MAX_SIG_SEQUENCE);
            return false;
        }
        return true;
    }
    if (!IgCcRaw32(C, rawId, Id))
    {
        return false;
    }
    if (INTRO_EXCFILE_SIG_ID_TYPE(*Id) != Kind->TypeCode)
    {
        IG_ERR(C, rawId, "id_raw 0x%08X has type %u in bits 22-31, but sig_type '%s' is %u", *Id,
               INTRO_EXCFILE_SIG_ID_TYPE(*Id), Kind->Name, Kind->TypeCode);
        return false;
    }
    for (size_t i = 0; i < C->SigCount; i++)
    {
        if (C->Sigs[i].Id == *Id)
        {
            IG_ERR(C, rawId, "id_raw 0x%08X is already the ID of signature '%.60s'", *Id, C->Sigs[i].Name);
            return false;
        }
    }
    return true;
}

/* Records the signature whose record was just written from offset Start. */
static void IgCcAddSig(IG_CC *C, const IG_JSON_VALUE *Sig, const IG_JSON_VALUE *Name,
                       const INTRO_EXCFILE_SIGNATURE_KIND *Kind, uint32_t Id, size_t Start)
{
    IG_CSIG *s;

    if (C->SigCount == C->SigCap)
    {
        size_t cap = C->SigCap ? C->SigCap * 2 : 64;
        IG_CSIG *n = realloc(C->Sigs, cap * sizeof(*n));

        if (n == NULL)
        {
            C->OutOfMemory = true;
            return;
        }
        C->Sigs = n;
        C->SigCap = cap;
    }
    s = &C->Sigs[C->SigCount];
    memset(s, 0, sizeof(*s));
    s->Name = Name->Text;
    s->NameLength = Name->Length;
    s->Id = Id;
    s->RecordType = Kind->RecordType;
    s->BodyOffset = Start + INTRO_EXCFILE_RECORD_HEADER_SIZE;
    s->BodySize = C->SigRecords.Size - s->BodyOffset;
    s->Node = Sig;
    s->Source = C->Current;
    if (!IgCcIndexSig(C, C->SigCount))
    {
        return;
    }
    C->SigCount++;
    C->NextSequence++; /* hvmi numbers by "signatures registered so far + 1", id_raw ones included */
}

void IgCcSignature(IG_CC *C, const IG_JSON_VALUE *Sig)
{
    const IG_JSON_VALUE *typeV, *idV;
    const INTRO_EXCFILE_SIGNATURE_KIND *kind;
    const char *keys[16];
    size_t start = C->SigRecords.Size;
    IG_CSIG *prev;
    IG_CFLAGS flags;
    uint32_t id;

    if (Sig->Type != IgJsonObject)
    {
        IG_ERR(C, Sig, "expected a signature object, found %s", IgJsonTypeName(Sig->Type));
        return;
    }
    if (!IgCcString(C, Sig, "sig_type", &typeV) || !IgCcString(C, Sig, "sig_id", &idV) ||
        (kind = IgCcSigKind(C, Sig, typeV)) == NULL)
    {
        return;
    }
    IgCcUnknownKeys(C, Sig, keys, IgCcSigKeys(kind->TypeCode, keys));
    if (!IgCcPresent(idV))
    {
        IG_ERR(C, idV ? idV : Sig, "missing \"sig_id\" (a non-empty string naming the signature)");
        return;
    }
    prev = IgCcFindSig(C, idV->Text, idV->Length);
    if (prev)
    {
        char path[128];
        IG_ERR(C, idV, "signature '%.60s' is defined twice (first at %s:%u, %s)", idV->Text,
               C->Sources[prev->Source].Name, prev->Node->Line, IgJsonPath(prev->Node, path, sizeof(path)));
        return;
    }
    if (!IgCcFlags(C, Sig, INTRO_EXCFILE_FLAGS_SIGNATURE, INTRO_EXCFILE_SIG_FLG_DEFAULT_ARCH, true, "signatures",
                   &flags) ||
        !IgCcSigId(C, Sig, kind, &id))
    {
        return;
    }
    if (!IgCcSignatureRecord(C, Sig, kind, id, flags.Bits))
    {
        C->SigRecords.Size = start; /* drop a partly read signature: nothing refers to it */
        return;
    }
    IgCcAddSig(C, Sig, idV, kind, id, start);
}
