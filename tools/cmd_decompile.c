/*
 * `introguard decompile FILE -o DIR`: JSON that compiles back to FILE.
 *
 * Names cannot be recovered from hashes, so hash fields come out through the extension keys of
 * /work/notes/JSON_EXTENSIONS.md (`originator_hash`, `flags_raw`, ...; see docs/cli.md), while
 * special values, flags and object types come out as the plain keywords whenever the compiler
 * would turn those back into exactly the same bytes.  That judgement needs the compiler's
 * defaults (spec §5.6), which IgSimulate*Flags below replay.
 *
 * Everything is built in memory and checked before the first byte is written, so a file that
 * cannot be expressed leaves DIR untouched.
 */
#include "decompile.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "common/crc32.h"
#include "dump.h"
#include "records.h"

#define IG_MAX_FLAG_TOKENS 32

/* Exception record kinds in the compiler's section order (spec §2.8); signatures come last. */
static int IgSectionRank(uint8_t Type)
{
    switch (Type)
    {
        case IgRecKernel:
            return 0;
        case IgRecUser:
        case IgRecUserApc:
            return 1;
        case IgRecKernelUser:
            return 2;
        case IgRecUserGlob:
            return 3;
        default:
            return 4;
    }
}

/* ---- Notes and errors ---------------------------------------------------------------------- */

typedef struct IG_DECOMPILER
{
    const char *Path;
    FILE *Err;
    unsigned Notes;
    const IG_RECORD_LIST *List;
    uint32_t *SigIds; /* signature IDs, ascending (for lookups) */
    size_t SigCount;
    bool *SigReferenced; /* parallel to SigIds */
} IG_DECOMPILER;

static void IgNote(IG_DECOMPILER *D, const char *Format, ...) __attribute__((format(printf, 2, 3)));
static void IgNote(IG_DECOMPILER *D, const char *Format, ...)
{
    char msg[512];
    va_list args;

    va_start(args, Format);
    vsnprintf(msg, sizeof(msg), Format, args);
    va_end(args);
    IgToolError(D->Err, D->Path, "note: %s", msg);
    D->Notes++;
}

static INTSTATUS IgRecordFail(IG_DECOMPILER *D, const IG_RECORD *Record, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));
static INTSTATUS IgRecordFail(IG_DECOMPILER *D, const IG_RECORD *Record, const char *Format, ...)
{
    char msg[512];
    const char *name = IgRecordTypeName(Record->Type);
    va_list args;

    va_start(args, Format);
    vsnprintf(msg, sizeof(msg), Format, args);
    va_end(args);
    IgToolError(D->Err, D->Path, "record %u (%s, type %u) at offset %llu: cannot be expressed in JSON: %s",
                Record->Index, name ? name : "unknown", Record->Type, (unsigned long long)Record->Offset, msg);
    return INT_STATUS_NOT_SUPPORTED;
}

/* ---- JSON text ----------------------------------------------------------------------------- */

static void IgJsonString(IG_TEXT *Out, const char *Text, size_t Length)
{
    IgTextAppend(Out, "\"");
    for (size_t i = 0; i < Length; i++)
    {
        unsigned char c = (unsigned char)Text[i];

        if (c == '"' || c == '\\')
        {
            IgTextAppend(Out, "\\%c", c);
        }
        else if (c < 0x20 || c == 0x7F)
        {
            IgTextAppend(Out, "\\u%04x", c);
        }
        else
        {
            IgTextAppendBytes(Out, (const char *)&c, 1);
        }
    }
    IgTextAppend(Out, "\"");
}

/* One entry of an "Exceptions"/"Signatures" array: fields at 12 spaces, braces at 8. */
typedef struct IG_ENTRY
{
    IG_TEXT *Out;
    bool First;
} IG_ENTRY;

static void IgEntryKey(IG_ENTRY *E, const char *Key)
{
    IgTextAppend(E->Out, "%s\n            \"%s\": ", E->First ? "" : ",", Key);
    E->First = false;
}

static void IgEntryString(IG_ENTRY *E, const char *Key, const char *Value)
{
    IgEntryKey(E, Key);
    IgJsonString(E->Out, Value, strlen(Value));
}

static void IgEntryHex32(IG_ENTRY *E, const char *Key, uint32_t Value)
{
    IgEntryKey(E, Key);
    IgTextAppend(E->Out, "\"0x%08X\"", Value);
}

static void IgEntryNumber(IG_ENTRY *E, const char *Key, long long Value)
{
    IgEntryKey(E, Key);
    IgTextAppend(E->Out, "%lld", Value);
}

/* ---- Flags: what the compiler makes of a flags string (spec §5.6, §3.4) -------------------- */

typedef struct IG_FLAG_TOKENS
{
    const char *Names[IG_MAX_FLAG_TOKENS];
    size_t Count;
    bool Present; /* false: no "flags" key at all */
} IG_FLAG_TOKENS;

static bool IgTokensHave(const IG_FLAG_TOKENS *T, const char *Name)
{
    for (size_t i = 0; i < T->Count; i++)
    {
        if (strcmp(T->Names[i], Name) == 0)
        {
            return true;
        }
    }
    return false;
}

/* The compiler tests for "32"/"64" as substrings of the whole flags string. */
static bool IgTokensMention3264(const IG_FLAG_TOKENS *T)
{
    for (size_t i = 0; i < T->Count; i++)
    {
        if (strstr(T->Names[i], "32") || strstr(T->Names[i], "64"))
        {
            return true;
        }
    }
    return false;
}

static uint32_t IgFlagBit(unsigned Namespaces, const char *Name)
{
    uint32_t v = 0;
    return IgKwFindFlag(Namespaces, Name, strlen(Name), &v) ? v : 0;
}

/*
 * The bits an exception's flags string compiles to, or false where the compiler rejects it.
 * Replays: default "32 64", accepted names per kind, the read/write/exec default, the implied
 * return-drv, and the flag checks that can fail (explicit KM return-drv, cr4 without smep/smap,
 * security-descriptor/acl-edit without integrity, nx_zone without exec, KUM user+kernel).
 */
static bool IgSimulateExceptionFlags(uint8_t RecordType, uint8_t ObjectType, const IG_FLAG_TOKENS *T, uint32_t *Bits)
{
    const IG_KW_EXCEPTION_KIND *kind = IgKwExceptionKindByRecord(RecordType);
    const unsigned ns = kind->AcceptedFlags;
    const uint32_t read = IgFlagBit(ns, "read"), write = IgFlagBit(ns, "write"), exec = IgFlagBit(ns, "exec");
    const uint32_t returnDrv = IgFlagBit(IG_KW_FLAGS_KERNEL, "return-drv");
    uint32_t bits = 0;
    bool kernelDefaults = RecordType == IgRecKernel || RecordType == IgRecKernelUser;

    if (T->Present && T->Count == 0)
    {
        return false; /* "" becomes " 32 64": an empty first token */
    }
    for (size_t i = 0; i < T->Count; i++)
    {
        uint32_t v;

        if (!IgKwFindFlag(ns, T->Names[i], strlen(T->Names[i]), &v))
        {
            return false;
        }
        if (RecordType == IgRecKernel && strcmp(T->Names[i], "return-drv") == 0)
        {
            return false; /* "obsolete, use return" */
        }
        bits |= v;
    }
    if (!T->Present || !IgTokensMention3264(T))
    {
        bits |= IgFlagBit(IG_KW_FLAGS_COMMON, "32") | IgFlagBit(IG_KW_FLAGS_COMMON, "64");
    }

    if (!(bits & (read | write | exec)))
    {
        bool execDefault;

        if (kernelDefaults)
        {
            execDefault = false;
        }
        else if (RecordType == IgRecUserApc)
        {
            execDefault = ObjectType == IG_UM_OBJ_NX_ZONE;
        }
        else
        {
            execDefault = ObjectType == IG_UM_OBJ_NX_ZONE || ObjectType == IG_UM_OBJ_PROCESS_CREATION ||
                          ObjectType == 13 /* process-creation-dpi */;
        }
        bits |= execDefault ? exec : write;
    }
    if (kernelDefaults && (IgTokensHave(T, "non-driver") || IgTokensHave(T, "return")))
    {
        bits |= returnDrv;
    }

    switch (RecordType)
    {
        case IgRecKernel:
            if (ObjectType == 11 /* cr4 */ &&
                !(bits & (IgFlagBit(IG_KW_FLAGS_KERNEL, "smep") | IgFlagBit(IG_KW_FLAGS_KERNEL, "smap"))))
            {
                return false;
            }
            if ((ObjectType == 22 /* security-descriptor */ || ObjectType == 23 /* acl-edit */) &&
                !(bits & IgFlagBit(IG_KW_FLAGS_KERNEL, "integrity")))
            {
                return false;
            }
            break;
        case IgRecKernelUser:
            if ((bits & IgFlagBit(IG_KW_FLAGS_KERNEL_USER, "user")) &&
                (bits & IgFlagBit(IG_KW_FLAGS_KERNEL_USER, "kernel")))
            {
                return false;
            }
            break;
        default: /* user, user-apc, user-glob-match */
            if (ObjectType == IG_UM_OBJ_NX_ZONE && !(bits & exec))
            {
                return false;
            }
            break;
    }
    *Bits = bits;
    return true;
}

/* Signature flags: default "32 64" for a missing or empty string, appended when neither occurs. */
static bool IgSimulateSignatureFlags(const IG_FLAG_TOKENS *T, uint32_t *Bits)
{
    uint32_t bits = 0;

    for (size_t i = 0; i < T->Count; i++)
    {
        uint32_t v;
        if (!IgKwFindFlag(IG_KW_FLAGS_SIGNATURE, T->Names[i], strlen(T->Names[i]), &v))
        {
            return false;
        }
        bits |= v;
    }
    if (!IgTokensMention3264(T))
    {
        bits |= IgFlagBit(IG_KW_FLAGS_SIGNATURE, "32") | IgFlagBit(IG_KW_FLAGS_SIGNATURE, "64");
    }
    *Bits = bits;
    return true;
}

typedef struct IG_FLAG_CONTEXT
{
    bool Signature;
    uint8_t RecordType;
    uint8_t ObjectType;
} IG_FLAG_CONTEXT;

static bool IgSimulate(const IG_FLAG_CONTEXT *C, const IG_FLAG_TOKENS *T, uint32_t *Bits)
{
    return C->Signature ? IgSimulateSignatureFlags(T, Bits)
                        : IgSimulateExceptionFlags(C->RecordType, C->ObjectType, T, Bits);
}

static void IgTokensRemove(IG_FLAG_TOKENS *T, const char *Name)
{
    for (size_t i = 0; i < T->Count; i++)
    {
        if (strcmp(T->Names[i], Name) == 0)
        {
            memmove(&T->Names[i], &T->Names[i + 1], (T->Count - i - 1) * sizeof(T->Names[0]));
            T->Count--;
            return;
        }
    }
}

/* Drops the tokens in Drop if the compiler's defaults put the same bits back. */
static void IgTryDrop(const IG_FLAG_CONTEXT *C, IG_FLAG_TOKENS *T, uint32_t Want, const char *const *Drop, size_t N)
{
    IG_FLAG_TOKENS trial = *T;
    uint32_t bits;

    for (size_t i = 0; i < N; i++)
    {
        if (!IgTokensHave(&trial, Drop[i]))
        {
            return;
        }
        IgTokensRemove(&trial, Drop[i]);
    }
    if (trial.Count == 0)
    {
        trial.Present = false;
    }
    if (IgSimulate(C, &trial, &bits) && bits == Want)
    {
        *T = trial;
    }
}

/* Names Want's bits with the namespaces in Order (first match wins), then minimises. */
static bool IgNameFlags(const IG_FLAG_CONTEXT *C, uint32_t Want, const unsigned *Order, size_t OrderCount,
                        IG_FLAG_TOKENS *T)
{
    static const char *const pair[] = {"32", "64"};
    static const char *const dropWrite[] = {"write"};
    static const char *const dropExec[] = {"exec"};
    static const char *const dropReturnDrv[] = {"return-drv"};
    uint32_t bits;

    memset(T, 0, sizeof(*T));
    T->Present = true;
    for (unsigned bit = 0; bit < 32; bit++)
    {
        const char *name = NULL;

        if (!(Want & (1u << bit)))
        {
            continue;
        }
        for (size_t i = 0; i < OrderCount && !name; i++)
        {
            name = IgKwFlagName(Order[i], 1u << bit);
        }
        if (!name)
        {
            return false;
        }
        T->Names[T->Count++] = name;
    }
    /* KM rejects an explicit return-drv; when return or non-driver implies it, leave it out. */
    if (T->Count && (!IgSimulate(C, T, &bits) || bits != Want) && IgTokensHave(T, "return-drv"))
    {
        IgTokensRemove(T, "return-drv");
    }
    if (T->Count == 0 || !IgSimulate(C, T, &bits) || bits != Want)
    {
        /* Some names imply more (return -> return-drv); without return-drv spelled out, or
         * flags the compiler rejects, there is no plain spelling in this order. */
        if (T->Count == 0)
        {
            T->Present = false;
            return IgSimulate(C, T, &bits) && bits == Want;
        }
        return false;
    }
    IgTryDrop(C, T, Want, pair, 2);
    IgTryDrop(C, T, Want, dropWrite, 1);
    IgTryDrop(C, T, Want, dropExec, 1);
    IgTryDrop(C, T, Want, dropReturnDrv, 1);
    return true;
}

/* Writes "flags" (or nothing, when the default gives the bits) or "flags_raw".  Returns true when
 * plain names were used. */
static bool IgEmitFlags(IG_ENTRY *E, const IG_FLAG_CONTEXT *C, uint32_t Want)
{
    static const unsigned kernelFirst[] = {IG_KW_FLAGS_COMMON, IG_KW_FLAGS_KERNEL, IG_KW_FLAGS_KERNEL_USER,
                                           IG_KW_FLAGS_USER};
    static const unsigned userFirst[] = {IG_KW_FLAGS_COMMON, IG_KW_FLAGS_USER, IG_KW_FLAGS_KERNEL_USER,
                                         IG_KW_FLAGS_KERNEL};
    static const unsigned signature[] = {IG_KW_FLAGS_SIGNATURE};
    IG_FLAG_TOKENS t;
    bool named;

    if (C->Signature)
    {
        named = IgNameFlags(C, Want, signature, 1, &t);
    }
    else if (C->RecordType == IgRecKernel || C->RecordType == IgRecKernelUser)
    {
        /* Kernel-mode names first (how the matchers read KUM bits); a KUM record whose 0x100/0x200
         * bits are not a non-driver/return-drv pair may still be spelt with the user-mode names. */
        named = IgNameFlags(C, Want, kernelFirst, 4, &t) || IgNameFlags(C, Want, userFirst, 4, &t);
    }
    else
    {
        named = IgNameFlags(C, Want, userFirst, 4, &t);
    }

    if (!named)
    {
        IgEntryHex32(E, "flags_raw", Want);
        return false;
    }
    if (t.Present)
    {
        IgEntryKey(E, "flags");
        IgTextAppend(E->Out, "\"");
        for (size_t i = 0; i < t.Count; i++)
        {
            IgTextAppend(E->Out, "%s%s", i ? " " : "", t.Names[i]);
        }
        IgTextAppend(E->Out, "\"");
    }
    return true;
}

/* ---- Exceptions ---------------------------------------------------------------------------- */

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

static void IgEmitObjectType(IG_ENTRY *E, uint8_t RecordType, uint8_t ObjectType)
{
    const char *name = IgKwName(IgRecordObjectTable(RecordType), ObjectType);

    if (name)
    {
        IgEntryString(E, "object_type", name);
    }
    else
    {
        IgEntryNumber(E, "object_type_raw", ObjectType);
    }
}

static bool IgFindSig(const IG_DECOMPILER *D, uint32_t Id, size_t *Index)
{
    size_t lo = 0, hi = D->SigCount;

    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;
        if (D->SigIds[mid] < Id)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    if (lo < D->SigCount && D->SigIds[lo] == Id)
    {
        *Index = lo;
        return true;
    }
    return false;
}

/* Every ID an exception names must be a signature of the file: JSON refers to signatures by name. */
static INTSTATUS IgCheckSigRefs(IG_DECOMPILER *D, const IG_RECORD *Record)
{
    uint16_t count = Record->Type == IgRecUserGlob ? Record->u.Glob.SigCount : Record->u.Exception.SigCount;
    uint32_t previous = 0;
    bool ordered = true;

    for (uint32_t i = 0; i < count; i++)
    {
        uint32_t id = IgRecordSigId(Record, i);
        size_t index;

        if (!IgFindSig(D, id, &index))
        {
            return IgRecordFail(D, Record, "it references signature 0x%08X, which is not in the file", id);
        }
        D->SigReferenced[index] = true;
        ordered = ordered && (i == 0 || id >= previous);
        previous = id;
    }
    if (!ordered)
    {
        IgNote(D, "record %u: its signature IDs are not in ascending order; the compiler sorts them", Record->Index);
    }
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgEmitSigRefs(IG_DECOMPILER *D, IG_ENTRY *E, const IG_RECORD *Record, uint16_t Count)
{
    (void)D;
    if (Count == 0)
    {
        return INT_STATUS_SUCCESS;
    }
    IgEntryKey(E, "signatures");
    IgTextAppend(E->Out, "[");
    for (uint32_t i = 0; i < Count; i++)
    {
        IgTextAppend(E->Out, "%s\"sig-%08x\"", i ? ", " : "", IgRecordSigId(Record, i));
    }
    IgTextAppend(E->Out, "]");
    return INT_STATUS_SUCCESS;
}

static bool IgObjectIn(uint8_t ObjectType, const uint8_t *Set, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        if (Set[i] == ObjectType)
        {
            return true;
        }
    }
    return false;
}

/* spec §5.6, KM: objects that must not have a victim, and those whose originator is `-` by rule. */
static const uint8_t gKmNoVictim[] = {7, 10, 11, 14, 15, 16, 17, 21, 25};
static const uint8_t gKmIntegrityNoOriginator[] = {19, 22, 23, 24}; /* with integrity */

static INTSTATUS IgEmitKernel(IG_DECOMPILER *D, IG_ENTRY *E, const IG_RECORD *Record)
{
    const IG_REC_EXCEPTION *e = &Record->u.Exception;
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, e->ObjectType};
    const uint32_t integrity = IgFlagBit(IG_KW_FLAGS_KERNEL, "integrity");
    IG_TEXT flags = {0};
    IG_ENTRY flagEntry = {&flags, false};
    bool plainFlags;
    bool originatorByRule;

    if (e->OriginatorPath != IG_NAME_HASH_NONE)
    {
        return IgRecordFail(D, Record, "originator path hash 0x%08X (the compiler always writes 0xFFFFFFFF)",
                            e->OriginatorPath);
    }
    if (IgObjectIn(e->ObjectType, gKmNoVictim, sizeof(gKmNoVictim)) && e->Victim != IG_NAME_ANY)
    {
        return IgRecordFail(D, Record, "victim 0x%08X on an object type that takes no victim", e->Victim);
    }

    /* Render the flags first: whether they are plain decides how the originator is written. */
    plainFlags = IgEmitFlags(&flagEntry, &ctx, e->Flags);
    /* compile reads the integrity bit from flags_raw too (docs/json-format.md), so the rule holds
     * for plain and raw flags alike. */
    (void)plainFlags;
    originatorByRule = (e->Flags & integrity) && IgObjectIn(e->ObjectType, gKmIntegrityNoOriginator, 4);

    if (originatorByRule && e->Originator == IG_NAME_NONE)
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
                   IgHashFieldSpecial(Record->Type, IgFieldOriginator, e->Flags, e->Originator));
    }
    if (!IgObjectIn(e->ObjectType, gKmNoVictim, sizeof(gKmNoVictim)))
    {
        IgEmitHash(E, "victim", e->Victim, IgHashFieldSpecial(Record->Type, IgFieldVictim, e->Flags, e->Victim));
    }
    IgEmitObjectType(E, Record->Type, e->ObjectType);
    if (flags.Length)
    {
        IgTextAppendBytes(E->Out, flags.Data, flags.Length);
        E->First = false;
    }
    IgTextFree(&flags);
    return IgEmitSigRefs(D, E, Record, e->SigCount);
}

static INTSTATUS IgEmitUser(IG_DECOMPILER *D, IG_ENTRY *E, const IG_RECORD *Record)
{
    const IG_REC_EXCEPTION *e = &Record->u.Exception;
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, e->ObjectType};
    bool nxZone = e->ObjectType == IG_UM_OBJ_NX_ZONE;
    bool processRequired = e->ObjectType == 3 || e->ObjectType == 4; /* module, module imports */
    bool processForbidden = e->ObjectType == 2;                      /* process */

    if (nxZone && e->Victim != IG_NAME_ANY)
    {
        return IgRecordFail(D, Record, "victim 0x%08X on an nx_zone exception, which takes none", e->Victim);
    }
    if (processForbidden && e->Process != IG_NAME_ANY)
    {
        return IgRecordFail(D, Record, "process 0x%08X on a process exception, which takes none", e->Process);
    }

    IgEmitHash(E, "originator", e->Originator,
               IgHashFieldSpecial(Record->Type, IgFieldOriginator, e->Flags, e->Originator));
    if (!nxZone)
    {
        IgEmitHash(E, "victim", e->Victim, IgHashFieldSpecial(Record->Type, IgFieldVictim, e->Flags, e->Victim));
    }
    /* An absent process compiles to 0, so 0 is written only where the compiler requires one. */
    if (e->Process != IG_NAME_ANY || processRequired)
    {
        IgEmitHash(E, "process", e->Process, IgHashFieldSpecial(Record->Type, IgFieldProcess, e->Flags, e->Process));
    }
    IgEmitObjectType(E, Record->Type, e->ObjectType);
    IgEmitFlags(E, &ctx, e->Flags);
    return IgEmitSigRefs(D, E, Record, e->SigCount);
}

static INTSTATUS IgEmitKernelUser(IG_DECOMPILER *D, IG_ENTRY *E, const IG_RECORD *Record)
{
    const IG_REC_EXCEPTION *e = &Record->u.Exception;
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, e->ObjectType};
    IG_TEXT flags = {0};
    IG_ENTRY flagEntry = {&flags, false};
    const char *special;
    bool plainFlags;

    plainFlags = IgEmitFlags(&flagEntry, &ctx, e->Flags);
    /* The originator's special names depend on `user` in the flags string; with flags_raw that
     * string is gone, so only the names both tables share (*, [own], -) are safe. */
    special = IgHashFieldSpecial(Record->Type, IgFieldOriginator, e->Flags, e->Originator);
    if (special && !plainFlags)
    {
        const char *kernelName = IgKwName(IgKwSpecialNames(IgKwSpecialKernel), e->Originator);
        const char *userName = IgKwName(IgKwSpecialNames(IgKwSpecialUser), e->Originator);

        if (!kernelName || !userName || strcmp(kernelName, userName) != 0)
        {
            special = NULL;
        }
    }
    IgEmitHash(E, "originator", e->Originator, special);
    IgEmitHash(E, "victim", e->Victim, IgHashFieldSpecial(Record->Type, IgFieldVictim, e->Flags, e->Victim));
    if (e->Process != IG_NAME_ANY)
    {
        IgEmitHash(E, "process", e->Process, IgHashFieldSpecial(Record->Type, IgFieldProcess, e->Flags, e->Process));
    }
    IgEmitObjectType(E, Record->Type, e->ObjectType);
    if (flags.Length)
    {
        IgTextAppendBytes(E->Out, flags.Data, flags.Length);
        E->First = false;
    }
    IgTextFree(&flags);
    return IgEmitSigRefs(D, E, Record, e->SigCount);
}

/* The compiler's glob checks (spec §5.6): some glob character somewhere, each pattern at most 14
 * "characters" where a [...] class or ? counts as one. */
static bool IgGlobHasWildcard(const char *Text, size_t Length)
{
    for (size_t i = 0; i < Length; i++)
    {
        if (Text[i] == '*' || Text[i] == '[' || Text[i] == ']' || Text[i] == '?' ||
            (Text[i] == '\\' && i + 1 < Length && Text[i + 1] == '\\'))
        {
            return true;
        }
    }
    return false;
}

static size_t IgGlobEffectiveLength(const char *Text, size_t Length)
{
    size_t n = 0;

    for (size_t i = 0; i < Length; i++)
    {
        if (Text[i] == '[' && i + 2 < Length)
        {
            const char *close = memchr(Text + i + 2, ']', Length - i - 2);
            if (close)
            {
                i = (size_t)(close - Text);
            }
        }
        n++;
    }
    return n;
}

static INTSTATUS IgEmitGlob(IG_DECOMPILER *D, IG_ENTRY *E, const IG_RECORD *Record)
{
    const IG_REC_GLOB *g = &Record->u.Glob;
    const IG_FLAG_CONTEXT ctx = {false, Record->Type, g->ObjectType};
    const char *text[3] = {g->Originator, g->Victim, g->Process};
    const size_t length[3] = {g->OriginatorLen, g->VictimLen, g->ProcessLen};
    static const char *const keys[3] = {"originator", "victim", "process"};
    bool wildcard = false;

    if (!g->PatternsValid)
    {
        return IgRecordFail(D, Record,
                            "its glob patterns are malformed (the loader accepts it only because it is "
                            "ignored)");
    }
    for (int i = 0; i < 3; i++)
    {
        if (!IgTextIsUtf8(text[i], length[i]))
        {
            return IgRecordFail(D, Record, "its %s pattern is not valid UTF-8", keys[i]);
        }
        wildcard = wildcard || IgGlobHasWildcard(text[i], length[i]);
        if (IgGlobEffectiveLength(text[i], length[i]) > 14)
        {
            IgNote(D, "record %u: the %s pattern is longer than the compiler accepts (14 characters)", Record->Index,
                   keys[i]);
        }
    }
    if (!wildcard)
    {
        IgNote(D, "record %u: no glob character in any pattern; the compiler rejects such an entry", Record->Index);
    }
    if (g->ObjectType == IG_UM_OBJ_NX_ZONE)
    {
        IgNote(D, "record %u: an nx_zone glob exception cannot be compiled (a victim is both required and forbidden)",
               Record->Index);
    }
    for (int i = 0; i < 3; i++)
    {
        IgEntryKey(E, keys[i]);
        IgJsonString(E->Out, text[i], length[i]);
    }
    IgEmitObjectType(E, Record->Type, g->ObjectType);
    IgEmitFlags(E, &ctx, g->Flags);
    return IgEmitSigRefs(D, E, Record, g->SigCount);
}

static INTSTATUS IgEmitException(IG_DECOMPILER *D, IG_TEXT *Out, const IG_RECORD *Record, bool First)
{
    IG_ENTRY e = {Out, true};
    INTSTATUS status;
    uint8_t reserved = Record->Type == IgRecUserGlob ? Record->u.Glob.Reserved : Record->u.Exception.Reserved;

    if (reserved != 0)
    {
        return IgRecordFail(D, Record, "reserved byte is 0x%02X (the compiler writes 0)", reserved);
    }
    IgTextAppend(Out, "%s        {", First ? "" : ",\n\n");
    switch (Record->Type)
    {
        case IgRecKernel:
            status = IgEmitKernel(D, &e, Record);
            break;
        case IgRecUser:
        case IgRecUserApc:
            status = IgEmitUser(D, &e, Record);
            break;
        case IgRecKernelUser:
            status = IgEmitKernelUser(D, &e, Record);
            break;
        default:
            status = IgEmitGlob(D, &e, Record);
            break;
    }
    IgTextAppend(Out, "\n        }");
    return status;
}

/* ---- Signatures ---------------------------------------------------------------------------- */

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

/* Version-os bounds: Windows build numbers (below 2^32) or Linux v.p.s with the compiler's
 * backport values (0 in the minimum, 0xFFFF in the maximum); anything else is written raw. */
static void IgEmitVersionOs(IG_ENTRY *E, uint64_t Min, uint64_t Max)
{
    bool windows = (Min >> 32) == 0 && (Max >> 32) == 0;
    bool linuxForm =
        ((Min >> 32) & 0xFFFF) == 0 && (Min >> 48) == 0 && ((Max >> 32) & 0xFFFF) == 0xFFFF && (Max >> 48) == 0;

    if (windows)
    {
        IgEntryKey(E, "minimum");
        if (Min == 0)
        {
            IgTextAppend(E->Out, "\"*\"");
        }
        else
        {
            IgTextAppend(E->Out, "\"%llu\"", (unsigned long long)Min);
        }
        IgEntryKey(E, "maximum");
        if (Max == 0xFFFF)
        {
            IgTextAppend(E->Out, "\"*\"");
        }
        else
        {
            IgTextAppend(E->Out, "\"%llu\"", (unsigned long long)Max);
        }
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
    IgEntryKey(E, "minimum_raw");
    IgTextAppend(E->Out, "\"0x%016llX\"", (unsigned long long)Min);
    IgEntryKey(E, "maximum_raw");
    IgTextAppend(E->Out, "\"0x%016llX\"", (unsigned long long)Max);
}

/* Introcore-version bounds: "a.b.c", Build 0 in the minimum and 0xFFFF in the maximum. */
static void IgEmitVersionIntro(IG_ENTRY *E, uint64_t Min, uint64_t Max)
{
    if ((Min >> 48) == 0 && (Max >> 48) == 0xFFFF)
    {
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
        return;
    }
    IgEntryKey(E, "minimum_raw");
    IgTextAppend(E->Out, "\"0x%016llX\"", (unsigned long long)Min);
    IgEntryKey(E, "maximum_raw");
    IgTextAppend(E->Out, "\"0x%016llX\"", (unsigned long long)Max);
}

static INTSTATUS IgEmitSignatureBody(IG_DECOMPILER *D, IG_ENTRY *E, const IG_RECORD *Record)
{
    switch (Record->Type)
    {
        case IgRecCodeBlocksSig:
        {
            const IG_REC_CODEBLOCKS *cb = &Record->u.CodeBlocks;
            IG_READER rd = cb->Lists;
            bool sorted = true;

            if (cb->Score == 0)
            {
                return IgRecordFail(D, Record, "score 0 (the compiler requires a non-zero score)");
            }
            IgEntryNumber(E, "score", cb->Score);
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, cb->Flags);
            IgEntryKey(E, "hashes");
            IgTextAppend(E->Out, "[");
            for (unsigned i = 0; i < cb->ListCount; i++)
            {
                uint8_t count = IgReadU8(&rd);
                uint32_t previous = 0;

                IgTextAppend(E->Out, "%s\n                [", i ? "," : "");
                for (unsigned j = 0; j < count; j++)
                {
                    uint32_t h = IgReadU32(&rd);
                    sorted = sorted && (j == 0 || h >= previous);
                    previous = h;
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
        case IgRecExportSig:
        {
            const IG_REC_EXPORT *ex = &Record->u.Export;
            IG_READER rd = ex->Entries;

            if (!IgAllZero(ex->Align, sizeof(ex->Align)))
            {
                return IgRecordFail(D, Record, "alignment bytes are not zero");
            }
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, ex->Flags);
            IgEmitHash(E, "library", ex->Library, IgHashFieldSpecial(Record->Type, IgFieldLibrary, 0, ex->Library));
            IgEntryKey(E, "hashes");
            IgTextAppend(E->Out, "[");
            for (unsigned i = 0; i < ex->Count; i++)
            {
                uint16_t delta = IgReadU16(&rd);
                const uint8_t *reserved = IgReadBytes(&rd, 2);
                uint32_t hash = IgReadU32(&rd);
                const char *special = IgHashFieldSpecial(Record->Type, IgFieldExportName, 0, hash);

                if (!IgAllZero(reserved, 2))
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
                    IgTextAppend(E->Out, "\"name_hash\": \"0x%08X\"", hash);
                }
                IgTextAppend(E->Out, ", \"delta\": %u}", delta);
            }
            IgTextAppend(E->Out, ex->Count ? "\n            ]" : "]");
            return INT_STATUS_SUCCESS;
        }
        case IgRecValueSig:
        {
            const IG_REC_VALUE *v = &Record->u.Value;
            IG_READER rd = v->Entries;

            if (v->Score == 0)
            {
                return IgRecordFail(D, Record, "score 0 (the compiler requires a non-zero score)");
            }
            if (v->Align != 0)
            {
                return IgRecordFail(D, Record, "alignment bytes are not zero");
            }
            IgEntryNumber(E, "score", v->Score);
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, v->Flags);
            IgEntryKey(E, "hashes");
            IgTextAppend(E->Out, "[");
            for (unsigned i = 0; i < v->Count; i++)
            {
                uint16_t offset = IgReadU16(&rd);
                uint16_t size = IgReadU16(&rd);
                const uint8_t *reserved = IgReadBytes(&rd, 4);
                uint32_t hash = IgReadU32(&rd);

                if (!IgAllZero(reserved, 4))
                {
                    return IgRecordFail(D, Record, "entry %u has non-zero reserved bytes", i);
                }
                IgTextAppend(E->Out, "%s\n                {\"offset\": %u, \"size\": %u, \"hash\": \"0x%08X\"}",
                             i ? "," : "", offset, size, hash);
            }
            IgTextAppend(E->Out, v->Count ? "\n            ]" : "]");
            return INT_STATUS_SUCCESS;
        }
        case IgRecValueCodeSig:
        {
            const IG_REC_VALUE_CODE *vc = &Record->u.ValueCode;
            IG_READER rd = vc->Pattern;

            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, vc->Flags);
            IgEntryNumber(E, "offset", vc->Offset);
            IgEntryKey(E, "pattern");
            IgTextAppend(E->Out, "[");
            for (unsigned i = 0; i < vc->Length; i++)
            {
                uint16_t item = IgReadU16(&rd);
                IgTextAppend(E->Out, item < 0x100 ? "%s\"0x%02X\"" : "%s\"0x%X\"", i ? ", " : "", item);
            }
            IgTextAppend(E->Out, "]");
            return INT_STATUS_SUCCESS;
        }
        case IgRecIdtSig:
            if (!IgAllZero(Record->u.Idt.Reserved, sizeof(Record->u.Idt.Reserved)))
            {
                return IgRecordFail(D, Record, "reserved bytes are not zero");
            }
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, Record->u.Idt.Flags);
            IgEntryNumber(E, "entry", Record->u.Idt.Entry);
            return INT_STATUS_SUCCESS;
        case IgRecVersionOsSig:
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, Record->u.Version.Flags);
            IgEmitVersionOs(E, Record->u.Version.Minimum, Record->u.Version.Maximum);
            return INT_STATUS_SUCCESS;
        case IgRecVersionIntroSig:
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, Record->u.Version.Flags);
            IgEmitVersionIntro(E, Record->u.Version.Minimum, Record->u.Version.Maximum);
            return INT_STATUS_SUCCESS;
        default:
        { /* process-creation */
            const IG_REC_PROCESS_CREATION *pc = &Record->u.ProcessCreation;
            bool first = true;

            if (!IgAllZero(pc->Reserved, sizeof(pc->Reserved)))
            {
                return IgRecordFail(D, Record, "reserved bytes are not zero");
            }
            IgEmitFlags(E, &(IG_FLAG_CONTEXT){true, Record->Type, 0}, pc->Flags);
            IgEntryKey(E, "create_mask");
            IgTextAppend(E->Out, "[");
            for (unsigned bit = 0; bit < 32; bit++)
            {
                const char *name;

                if (!(pc->CreateMask & (1u << bit)))
                {
                    continue;
                }
                name = IgKwName(IgKwDpiMask(), 1u << bit);
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
    }
}

/* Signatures in the compiler's parse order: by sequence number, then by position in the file. */
typedef struct IG_SIG_ORDER
{
    uint32_t Seq;
    uint32_t Record;
} IG_SIG_ORDER;

static int IgCompareSigOrder(const void *A, const void *B)
{
    const IG_SIG_ORDER *a = A, *b = B;

    if (a->Seq != b->Seq)
    {
        return a->Seq < b->Seq ? -1 : 1;
    }
    return a->Record < b->Record ? -1 : a->Record > b->Record;
}

static int IgCompareU32(const void *A, const void *B)
{
    uint32_t a = *(const uint32_t *)A, b = *(const uint32_t *)B;
    return a < b ? -1 : a > b;
}

/* ---- Output files ------------------------------------------------------------------------ */

/* The files of one section (signatures, or exceptions), each kept under a size limit. */
typedef struct IG_FILE_SET
{
    IG_DECOMPILED_FILE *Files;
    const char **Kinds;
    size_t Count;
    size_t Capacity;
    size_t Limit; /* start a new file once one holds this many bytes */
    bool Open;    /* the last file still needs its closing brackets */
} IG_FILE_SET;

static void IgFileSetClose(IG_FILE_SET *S)
{
    if (S->Open)
    {
        IgTextAppend(&S->Files[S->Count - 1].Json, "\n    ]\n}\n");
        S->Open = false;
    }
}

/*
 * Returns the text to append the next entry of Kind to, opening a new file when the kind changes
 * or the current file is full; *First says whether the entry starts the file's array.
 */
static INTSTATUS IgFileSetEntry(IG_FILE_SET *S, const char *Kind, bool Signatures, IG_TEXT **Text, bool *First)
{
    IG_DECOMPILED_FILE *last = S->Count ? &S->Files[S->Count - 1] : NULL;

    if (S->Open && strcmp(S->Kinds[S->Count - 1], Kind) == 0 && last->Json.Length < S->Limit)
    {
        *Text = &last->Json;
        *First = false;
        return INT_STATUS_SUCCESS;
    }
    IgFileSetClose(S);
    if (S->Count >= IG_DECOMPILE_MAX_FILES)
    {
        return INT_STATUS_OUT_OF_RANGE; /* a hostile file could otherwise ask for millions */
    }
    if (S->Count == S->Capacity)
    {
        size_t grown = S->Capacity ? S->Capacity * 2 : 8;
        IG_DECOMPILED_FILE *files;
        const char **kinds;

        if (grown > SIZE_MAX / sizeof(*files))
        {
            return INT_STATUS_ARITHMETIC_OVERFLOW;
        }
        files = realloc(S->Files, grown * sizeof(*files));
        if (!files)
        {
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        }
        S->Files = files;
        kinds = realloc(S->Kinds, grown * sizeof(*kinds));
        if (!kinds)
        {
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        }
        S->Kinds = kinds;
        S->Capacity = grown;
    }
    memset(&S->Files[S->Count], 0, sizeof(S->Files[0]));
    S->Kinds[S->Count] = Kind;
    S->Count++;
    S->Open = true;
    *Text = &S->Files[S->Count - 1].Json;
    *First = true;
    if (Signatures)
    {
        IgTextAppend(*Text, "{\n    \"Type\": \"user\",\n    \"Signatures\": [\n");
    }
    else
    {
        IgTextAppend(*Text, "{\n    \"Type\": \"%s\",\n    \"Exceptions\": [\n", Kind);
    }
    return INT_STATUS_SUCCESS;
}

static void IgFileSetFree(IG_FILE_SET *S)
{
    for (size_t i = 0; i < S->Count; i++)
    {
        IgTextFree(&S->Files[i].Json);
    }
    free(S->Files);
    free(S->Kinds);
    memset(S, 0, sizeof(*S));
}

static INTSTATUS IgEmitSignatures(IG_DECOMPILER *D, IG_FILE_SET *S, const uint32_t *Order, size_t Count)
{
    bool raw = false;

    for (size_t k = 0; k < Count; k++)
    {
        const IG_RECORD *rec = &D->List->Records[Order[k]];
        uint32_t id = IgRecordOwnSigId(rec);
        const IG_KW_SIGNATURE_KIND *kind = IgKwSignatureKindByRecord(rec->Type);
        IG_TEXT *out;
        IG_ENTRY e;
        bool first;
        char name[24];
        INTSTATUS status;

        status = IgFileSetEntry(S, "signatures", true, &out, &first);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        e.Out = out;
        e.First = true;
        /* The compiler numbers signatures 1, 2, 3, ... in parse order.  From the first one that
         * numbering would get wrong, every ID is given explicitly, so the result does not depend
         * on whether an explicit ID uses up a number. */
        raw = raw || IG_SIG_ID_VALUE(id) != k + 1;
        snprintf(name, sizeof(name), "sig-%08x", id);
        IgTextAppend(out, "%s        {", first ? "" : ",\n\n");
        IgEntryString(&e, "sig_type", kind->Name);
        IgEntryString(&e, "sig_id", name);
        if (raw)
        {
            IgEntryHex32(&e, "id_raw", id);
        }
        status = IgEmitSignatureBody(D, &e, rec);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        IgTextAppend(out, "\n        }");
    }
    IgFileSetClose(S);
    return INT_STATUS_SUCCESS;
}

/* ---- Order checks: where compiling the output would not give back the same bytes ------------ */

static int IgCompareExceptions(const IG_RECORD *A, const IG_RECORD *B)
{
    const IG_REC_EXCEPTION *a = &A->u.Exception, *b = &B->u.Exception;
    uint32_t ka[5], kb[5];
    size_t n;

    /* spec §5.10 sort keys */
    switch (A->Type)
    {
        case IgRecKernel:
            n = 4;
            ka[0] = a->Originator, ka[1] = a->ObjectType, ka[2] = a->Victim, ka[3] = a->Flags;
            kb[0] = b->Originator, kb[1] = b->ObjectType, kb[2] = b->Victim, kb[3] = b->Flags;
            break;
        case IgRecKernelUser:
            n = 5;
            ka[0] = a->Originator, ka[1] = a->Process, ka[2] = a->ObjectType, ka[3] = a->Victim, ka[4] = a->Flags;
            kb[0] = b->Originator, kb[1] = b->Process, kb[2] = b->ObjectType, kb[3] = b->Victim, kb[4] = b->Flags;
            break;
        default:
            n = 5;
            ka[0] = a->Originator, ka[1] = a->ObjectType, ka[2] = a->Victim, ka[3] = a->Process, ka[4] = a->Flags;
            kb[0] = b->Originator, kb[1] = b->ObjectType, kb[2] = b->Victim, kb[3] = b->Process, kb[4] = b->Flags;
            break;
    }
    for (size_t i = 0; i < n; i++)
    {
        if (ka[i] != kb[i])
        {
            return ka[i] < kb[i] ? -1 : 1;
        }
    }
    return 0;
}

static bool IgGlobStartsWithWildcard(const IG_RECORD *R)
{
    const char *o = R->u.Glob.Originator;
    size_t n = R->u.Glob.OriginatorLen;

    return n && (o[0] == '*' || o[0] == '[' || o[0] == ']' || o[0] == '?' || (n > 1 && o[0] == '\\' && o[1] == '\\'));
}

static bool IgSameBody(const IG_RECORD *A, const IG_RECORD *B)
{
    return A->Size == B->Size && memcmp(A->Body.Data, B->Body.Data, A->Size) == 0;
}

/*
 * hvmi writes the glob exceptions whose originator starts with a glob character twice: first
 * those (in parse order), then all of them sorted (quirk C3).  Returns how many leading glob
 * records are such a copy, 0 if none.
 */
static size_t IgGlobDuplicatePrefix(const IG_RECORD_LIST *List, const uint32_t *Globs, size_t Count)
{
    size_t prefixed = 0;
    size_t copies;
    size_t matched = 0;

    /* In that layout the glob-prefixed records appear exactly twice: all of the first half of
     * them form the copy, so there is a single candidate length and one linear check. */
    for (size_t i = 0; i < Count; i++)
    {
        const IG_RECORD *r = &List->Records[Globs[i]];
        prefixed += (r->u.Glob.PatternsValid && IgGlobStartsWithWildcard(r)) ? 1 : 0;
    }
    if (prefixed == 0 || prefixed % 2 != 0)
    {
        return 0;
    }
    copies = prefixed / 2;
    for (size_t i = copies; i < Count; i++)
    {
        const IG_RECORD *r = &List->Records[Globs[i]];

        if (!r->u.Glob.PatternsValid || !IgGlobStartsWithWildcard(r))
        {
            continue;
        }
        if (matched >= copies || !IgSameBody(&List->Records[Globs[matched]], r))
        {
            return 0;
        }
        matched++;
    }
    return matched == copies ? copies : 0;
}

static void IgCheckOrder(IG_DECOMPILER *D)
{
    const IG_RECORD_LIST *L = D->List;
    const IG_FILE_HEADER *H = &L->Header;
    uint32_t counts[256] = {0};
    bool sectionNoted = false, sortNoted[5] = {false};
    const IG_RECORD *previous = NULL;
    uint32_t signatures = 0;

    for (size_t i = 0; i < L->Count; i++)
    {
        const IG_RECORD *r = &L->Records[i];
        int rank = IgSectionRank(r->Type);

        counts[r->Type]++;
        signatures += IgKwSignatureKindByRecord(r->Type) ? 1 : 0;
        if (previous && IgSectionRank(previous->Type) > rank && !sectionNoted)
        {
            IgNote(D,
                   "record %u: records are not in the compiler's section order (kernel, user, kernel-user, "
                   "glob, signatures); compiling the output writes them in that order",
                   r->Index);
            sectionNoted = true;
        }
        else if (previous && IgSectionRank(previous->Type) == rank && !sortNoted[rank])
        {
            bool outOfOrder;

            if (rank == 4)
            {
                outOfOrder = IgRecordOwnSigId(previous) > IgRecordOwnSigId(r);
            }
            else if (rank == 3)
            {
                outOfOrder = false; /* glob order is checked with the duplicates, below */
            }
            else
            {
                outOfOrder = IgCompareExceptions(previous, r) > 0;
            }
            if (outOfOrder)
            {
                IgNote(D, "record %u: out of the compiler's sort order; compiling the output sorts it", r->Index);
                sortNoted[rank] = true;
            }
        }
        previous = r;
    }

    if (H->KernelCount != counts[IgRecKernel] || H->UserCount != counts[IgRecUser] + counts[IgRecUserApc] ||
        H->GlobCount != counts[IgRecUserGlob] || H->KernelUserCount != counts[IgRecKernelUser] ||
        H->SignatureCount != signatures)
    {
        IgNote(D, "the header's record counts do not match the records; the compiler writes the real counts");
    }
    if (H->Major != IG_KW_VERSION_MAJOR || H->Minor != IG_KW_VERSION_MINOR)
    {
        IgNote(D, "the header says format %u.%u; the compiler writes %u.%u", H->Major, H->Minor, IG_KW_VERSION_MAJOR,
               IG_KW_VERSION_MINOR);
    }
    if (H->BuildNumber != 0)
    {
        IgNote(D, "the header's build number is %u; JSON does not carry it, give it to the compiler (-b %u)",
               H->BuildNumber, H->BuildNumber);
    }
    if (H->Reserved != 0)
    {
        IgNote(D, "the header's reserved field is 0x%08X; the compiler writes 0", H->Reserved);
    }
}

/* ---- Files --------------------------------------------------------------------------------- */

void IgDecompiledFree(IG_DECOMPILED *Out)
{
    if (!Out)
    {
        return;
    }
    for (size_t i = 0; i < Out->Count; i++)
    {
        IgTextFree(&Out->Files[i].Json);
    }
    free(Out->Files);
    memset(Out, 0, sizeof(*Out));
}

/* "NN-kind.json", NN wide enough that byte order is numeric order. */
static void IgNameFiles(IG_DECOMPILED *Out, const char *const *Kinds)
{
    unsigned width = 2;
    size_t n = Out->Count ? Out->Count - 1 : 0;

    for (size_t limit = 100; n >= limit && width < 9; limit *= 10)
    {
        width++;
    }
    for (size_t i = 0; i < Out->Count; i++)
    {
        snprintf(Out->Files[i].Name, sizeof(Out->Files[i].Name), "%0*zu-%s.json", (int)width, i, Kinds[i]);
    }
}

INTSTATUS IgDecompileBuffer(const uint8_t *Data, size_t Size, const char *Path, IG_DECOMPILED *Out, FILE *Err)
{
    return IgDecompileBufferLimit(Data, Size, Path, IG_DECOMPILE_FILE_LIMIT, Out, Err);
}

INTSTATUS IgDecompileBufferLimit(const uint8_t *Data, size_t Size, const char *Path, size_t FileLimit,
                                 IG_DECOMPILED *Out, FILE *Err)
{
    IG_DECOMPILER d = {Path, Err, 0, NULL, NULL, 0, NULL};
    IG_RECORD_LIST list;
    IG_PARSE_ERROR error;
    IG_SIG_ORDER *order = NULL;
    uint32_t *sigRecords = NULL, *globs = NULL;
    const char **kinds = NULL;
    IG_FILE_SET sigFiles = {0}, excFiles = {0};
    size_t sigCount = 0, globCount = 0, skipGlobs = 0;
    INTSTATUS status;

    memset(Out, 0, sizeof(*Out));
    sigFiles.Limit = excFiles.Limit = FileLimit;
    status = IgRecordListLoad(Data, Size, &list, &error);
    if (!INT_SUCCESS(status))
    {
        IgPrintParseError(Err, Path, &error);
        return status;
    }
    d.List = &list;

    /* Sizes below are bounded by the record count, itself capped by the decoder. */
    order = calloc(list.Count + 1, sizeof(*order));
    sigRecords = calloc(list.Count + 1, sizeof(*sigRecords));
    globs = calloc(list.Count + 1, sizeof(*globs));
    d.SigIds = calloc(list.Count + 1, sizeof(*d.SigIds));
    d.SigReferenced = calloc(list.Count + 1, sizeof(*d.SigReferenced));
    if (!order || !sigRecords || !globs || !d.SigIds || !d.SigReferenced)
    {
        IgToolError(Err, Path, "out of memory");
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
        goto cleanup;
    }

    /* Pass 1: what JSON cannot say at all, and the signature index. */
    for (size_t i = 0; i < list.Count; i++)
    {
        const IG_RECORD *r = &list.Records[i];
        const IG_KW_SIGNATURE_KIND *kind;

        if (!r->Known)
        {
            status = IgRecordFail(&d, r, "unknown record type %u (%u bytes)", r->Type, r->Size);
            goto cleanup;
        }
        kind = IgKwSignatureKindByRecord(r->Type);
        if (!kind)
        {
            if (r->Type == IgRecUserGlob)
            {
                globs[globCount++] = (uint32_t)i;
            }
            continue;
        }
        if (IG_SIG_ID_TYPE(IgRecordOwnSigId(r)) != kind->TypeCode)
        {
            status = IgRecordFail(&d, r, "signature ID 0x%08X has type %u, the compiler derives %u from sig_type",
                                  IgRecordOwnSigId(r), IG_SIG_ID_TYPE(IgRecordOwnSigId(r)), kind->TypeCode);
            goto cleanup;
        }
        if (IG_SIG_ID_VALUE(IgRecordOwnSigId(r)) == 0)
        {
            status = IgRecordFail(&d, r, "signature ID 0x%08X has sequence number 0, which the compiler never gives",
                                  IgRecordOwnSigId(r));
            goto cleanup;
        }
        order[sigCount].Seq = IG_SIG_ID_VALUE(IgRecordOwnSigId(r));
        order[sigCount].Record = (uint32_t)i;
        d.SigIds[sigCount] = IgRecordOwnSigId(r);
        sigCount++;
    }
    d.SigCount = sigCount;
    qsort(d.SigIds, sigCount, sizeof(*d.SigIds), IgCompareU32);
    for (size_t i = 1; i < sigCount; i++)
    {
        if (d.SigIds[i] == d.SigIds[i - 1])
        {
            IgToolError(Err, Path, "signature ID 0x%08X appears more than once; the compiler requires unique IDs",
                        d.SigIds[i]);
            status = INT_STATUS_NOT_SUPPORTED;
            goto cleanup;
        }
    }
    qsort(order, sigCount, sizeof(*order), IgCompareSigOrder);
    for (size_t i = 0; i < sigCount; i++)
    {
        sigRecords[i] = order[i].Record;
    }

    IgCheckOrder(&d);
    skipGlobs = IgGlobDuplicatePrefix(&list, globs, globCount);
    if (skipGlobs)
    {
        IgNote(&d,
               "the first %zu glob records repeat the glob-prefixed ones (hvmi quirk C3); they are left out, "
               "compile with --hvmi-compat to reproduce them",
               skipGlobs);
    }

    /* References, before anything is written (the notes about them come first). */
    {
        size_t globSeen = 0;

        for (size_t i = 0; i < list.Count; i++)
        {
            const IG_RECORD *r = &list.Records[i];

            if (!IgRecordIsException(r->Type) || (r->Type == IgRecUserGlob && globSeen++ < skipGlobs))
            {
                continue;
            }
            status = IgCheckSigRefs(&d, r);
            if (!INT_SUCCESS(status))
            {
                goto cleanup;
            }
        }
        for (size_t i = 0; i < sigCount; i++)
        {
            if (!d.SigReferenced[i])
            {
                IgNote(&d,
                       "signature 0x%08X is referenced by no exception; compile drops it unless given "
                       "--keep-unused",
                       d.SigIds[i]);
            }
        }
    }

    /* The signature files, then one file per run of exception records of one kind (runs longer
     * than the file limit continue in the next file, which keeps the parse order). */
    status = IgEmitSignatures(&d, &sigFiles, sigRecords, sigCount);
    if (!INT_SUCCESS(status))
    {
        goto fail;
    }
    {
        size_t globSeen = 0;

        for (size_t i = 0; i < list.Count; i++)
        {
            const IG_RECORD *r = &list.Records[i];
            IG_TEXT *text;
            bool first;

            if (!IgRecordIsException(r->Type) || (r->Type == IgRecUserGlob && globSeen++ < skipGlobs))
            {
                continue;
            }
            status = IgFileSetEntry(&excFiles, IgKwExceptionKindByRecord(r->Type)->Name, false, &text, &first);
            if (status == INT_STATUS_OUT_OF_RANGE)
            {
                IgToolError(Err, Path,
                            "record %u at offset %llu: more than %u output files: the file alternates between "
                            "record kinds too often to decompile",
                            r->Index, (unsigned long long)r->Offset, IG_DECOMPILE_MAX_FILES);
                goto fail;
            }
            if (!INT_SUCCESS(status))
            {
                goto fail;
            }
            status = IgEmitException(&d, text, r, first);
            if (!INT_SUCCESS(status))
            {
                goto fail;
            }
        }
        IgFileSetClose(&excFiles);
    }

    /* One list of files: signatures first. */
    Out->Count = sigFiles.Count + excFiles.Count;
    Out->Files = calloc(Out->Count + 1, sizeof(*Out->Files));
    kinds = calloc(Out->Count + 1, sizeof(*kinds));
    if (!Out->Files || !kinds)
    {
        Out->Count = 0;
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    for (size_t i = 0; i < sigFiles.Count; i++)
    {
        Out->Files[i] = sigFiles.Files[i];
        kinds[i] = sigFiles.Kinds[i];
    }
    for (size_t i = 0; i < excFiles.Count; i++)
    {
        Out->Files[sigFiles.Count + i] = excFiles.Files[i];
        kinds[sigFiles.Count + i] = excFiles.Kinds[i];
    }
    sigFiles.Count = excFiles.Count = 0; /* moved */
    for (size_t i = 0; i < Out->Count; i++)
    {
        if (Out->Files[i].Json.Failed)
        {
            status = INT_STATUS_INSUFFICIENT_RESOURCES;
            goto fail;
        }
    }
    IgNameFiles(Out, kinds);
    Out->NoteCount = d.Notes;
    status = INT_STATUS_SUCCESS;
    goto cleanup;

fail:
    if (status == INT_STATUS_INSUFFICIENT_RESOURCES || status == INT_STATUS_ARITHMETIC_OVERFLOW)
    {
        goto nomem;
    }
    goto cleanup;
nomem:
    IgToolError(Err, Path, "out of memory");
    status = INT_STATUS_INSUFFICIENT_RESOURCES;
cleanup:
    if (!INT_SUCCESS(status))
    {
        IgDecompiledFree(Out);
    }
    free(order);
    free(sigRecords);
    free(globs);
    free(d.SigIds);
    free(d.SigReferenced);
    free(kinds);
    IgFileSetFree(&sigFiles);
    IgFileSetFree(&excFiles);
    IgRecordListFree(&list);
    return status;
}

/* ---- The directory ------------------------------------------------------------------------- */

/* True for names this command writes: digits, '-', a kind, ".json". */
static bool IgIsOurFileName(const char *Name)
{
    static const char *const kinds[] = {"signatures", "kernel", "user", "user-apc", "user-glob-match", "kernel-user"};
    const char *p = Name;

    while (*p >= '0' && *p <= '9')
    {
        p++;
    }
    if (p == Name || *p != '-')
    {
        return false;
    }
    p++;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
    {
        size_t n = strlen(kinds[i]);
        if (strncmp(p, kinds[i], n) == 0 && strcmp(p + n, ".json") == 0)
        {
            return true;
        }
    }
    return false;
}

static int IgMakeDirectories(const char *Dir, FILE *Err)
{
    char path[4096];
    size_t len = strlen(Dir);

    if (len == 0 || len >= sizeof(path))
    {
        IgToolError(Err, Dir[0] ? Dir : NULL, "bad output directory name");
        return -1;
    }
    memcpy(path, Dir, len + 1);
    for (size_t i = 1; i <= len; i++)
    {
        if (path[i] == '/' || path[i] == '\0')
        {
            char saved = path[i];

            path[i] = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
            {
                IgToolError(Err, path, "cannot create directory: %s", strerror(errno));
                return -1;
            }
            path[i] = saved;
        }
    }
    return 0;
}

/* Checks DIR (created if missing): fails when it has entries, unless Force. */
static int IgPrepareDirectory(const char *Dir, bool Force, FILE *Err)
{
    struct stat st;
    DIR *dir;
    struct dirent *ent;
    int rc = 0;

    if (stat(Dir, &st) == 0 && !S_ISDIR(st.st_mode))
    {
        IgToolError(Err, Dir, "exists and is not a directory");
        return -1;
    }
    if (IgMakeDirectories(Dir, Err) != 0)
    {
        return -1;
    }
    dir = opendir(Dir);
    if (!dir)
    {
        IgToolError(Err, Dir, "cannot open directory: %s", strerror(errno));
        return -1;
    }
    while (!Force && (ent = readdir(dir)) != NULL)
    {
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
        {
            IgToolError(Err, Dir, "directory is not empty (use --force to write into it)");
            rc = -1;
        }
    }
    closedir(dir);
    return rc;
}

/* Whether Name is one of the files being written. */
static bool IgIsNewFile(const IG_DECOMPILED *Files, const char *Name)
{
    for (size_t i = 0; i < Files->Count; i++)
    {
        if (strcmp(Files->Files[i].Name, Name) == 0)
        {
            return true;
        }
    }
    return false;
}

/* Removes our earlier output files that the new output does not replace; notes other JSON. */
static int IgRemoveStaleFiles(const char *Dir, const char *Staging, const IG_DECOMPILED *Files, FILE *Err)
{
    DIR *dir = opendir(Dir);
    struct dirent *ent;
    int rc = 0;

    if (!dir)
    {
        IgToolError(Err, Dir, "cannot open directory: %s", strerror(errno));
        return -1;
    }
    while (rc == 0 && (ent = readdir(dir)) != NULL)
    {
        char path[4096];
        size_t len = strlen(ent->d_name);

        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0 || strcmp(ent->d_name, Staging) == 0)
        {
            continue;
        }
        if (!IgIsOurFileName(ent->d_name))
        {
            if (len > 5 && strcmp(ent->d_name + len - 5, ".json") == 0)
            {
                IgToolError(Err, Dir, "note: %s is not from decompile and is left alone; compile will read it too",
                            ent->d_name);
            }
            continue;
        }
        if (IgIsNewFile(Files, ent->d_name))
        {
            continue; /* replaced by a rename below */
        }
        snprintf(path, sizeof(path), "%s/%s", Dir, ent->d_name);
        if (unlink(path) != 0)
        {
            IgToolError(Err, path, "cannot remove an earlier decompile output: %s", strerror(errno));
            rc = -1;
        }
    }
    closedir(dir);
    return rc;
}

/* Removes the staging directory and the first Count files written into it. */
static void IgRemoveStaging(const char *Staging, const IG_DECOMPILED *Files, size_t Count)
{
    char path[4096];

    for (size_t i = 0; i < Count; i++)
    {
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", Staging, Files->Files[i].Name) < sizeof(path))
        {
            (void)unlink(path);
        }
    }
    (void)rmdir(Staging);
}

/*
 * Writes every file into a staging directory inside Dir first, and only when all of them are
 * written moves them into place (and removes earlier output they replace): a failure part way
 * leaves Dir as it was.
 */
static int IgWriteOutput(const char *Dir, const IG_DECOMPILED *Files, FILE *Err)
{
    char staging[4096];
    char from[4096];
    char to[4096];
    size_t written = 0;
    const char *base;

    if ((size_t)snprintf(staging, sizeof(staging), "%s/.introguard-decompile.XXXXXX", Dir) >= sizeof(staging) ||
        !mkdtemp(staging))
    {
        IgToolError(Err, Dir, "cannot create a staging directory: %s", strerror(errno));
        return -1;
    }
    base = strrchr(staging, '/') + 1;
    for (; written < Files->Count; written++)
    {
        const IG_DECOMPILED_FILE *file = &Files->Files[written];

        if ((size_t)snprintf(from, sizeof(from), "%s/%s", staging, file->Name) >= sizeof(from))
        {
            IgToolError(Err, Dir, "output path too long");
            goto fail;
        }
        if (!INT_SUCCESS(IgWriteFileAtomic(from, file->Json.Data, file->Json.Length, Err)))
        {
            goto fail;
        }
    }
    if (IgRemoveStaleFiles(Dir, base, Files, Err) != 0)
    {
        goto fail;
    }
    for (size_t i = 0; i < Files->Count; i++)
    {
        if ((size_t)snprintf(from, sizeof(from), "%s/%s", staging, Files->Files[i].Name) >= sizeof(from) ||
            (size_t)snprintf(to, sizeof(to), "%s/%s", Dir, Files->Files[i].Name) >= sizeof(to) || rename(from, to) != 0)
        {
            IgToolError(Err, to, "cannot move the output into place: %s", strerror(errno));
            goto fail;
        }
    }
    (void)rmdir(staging);
    return 0;

fail:
    IgRemoveStaging(staging, Files, written);
    return -1;
}

int IgDecompileFile(const char *Path, const char *OutDir, bool Force, FILE *Err)
{
    uint8_t *data = NULL;
    size_t size = 0;
    IG_DECOMPILED files;
    INTSTATUS status;
    int rc = IG_EXIT_FAILURE;

    memset(&files, 0, sizeof(files));
    status = IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, Err);
    if (!INT_SUCCESS(status))
    {
        return IG_EXIT_FAILURE;
    }
    /* Everything is decoded and formatted in memory before the first byte is written. */
    status = IgDecompileBuffer(data, size, Path, &files, Err);
    if (INT_SUCCESS(status) && IgPrepareDirectory(OutDir, Force, Err) == 0 && IgWriteOutput(OutDir, &files, Err) == 0)
    {
        rc = IG_EXIT_OK;
    }
    IgDecompiledFree(&files);
    free(data);
    return rc;
}

void IgCmdDecompileHelp(FILE *Out)
{
    fputs("usage: introguard decompile FILE -o DIR [--force]\n"
          "\n"
          "Writes JSON files into DIR that `introguard compile DIR` turns back into FILE, byte for\n"
          "byte: 00-signatures.json with every signature, then one NN-KIND.json per run of\n"
          "exceptions of one kind, in file order.  Names are not recoverable from hashes, so hash\n"
          "fields use the introguard extension keys (originator_hash, victim_hash, process_hash,\n"
          "flags_raw, object_type_raw, id_raw, library_hash, name_hash, minimum_raw, maximum_raw);\n"
          "special names, flags and object types are written as keywords wherever the compiler\n"
          "reproduces the same bytes from them.  Signatures are named sig-XXXXXXXX after their ID.\n"
          "\n"
          "Notes on stderr say where compiling the output would differ from FILE (records out of\n"
          "the compiler's order, header counts, build number, hvmi's duplicated glob records).\n"
          "\n"
          "options:\n"
          "  -o, --output DIR  directory to write (created if missing; must be empty)\n"
          "  --force           write into a non-empty DIR, replacing earlier decompile output\n"
          "  -h, --help        show this help\n"
          "\n"
          "exit status: 0 success, 1 unreadable/corrupt/inexpressible FILE or write error, 2 usage error\n",
          Out);
}

int IgCmdDecompile(int Argc, char **Argv)
{
    enum
    {
        OptOutput = 1,
        OptForce,
        OptHelp
    };
    static const IG_OPTION options[] = {
        {"output", 'o', true, OptOutput},
        {"force", 0, false, OptForce},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    const char *path = NULL, *outDir = NULL, *value;
    bool force = false;
    int id;

    IgOptInit(&opt, Argc, Argv, "decompile");
    while ((id = IgOptNext(&opt, options, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case OptOutput:
                outDir = value;
                break;
            case OptForce:
                force = true;
                break;
            case OptHelp:
                IgCmdDecompileHelp(stdout);
                return IG_EXIT_OK;
            case IG_OPT_POSITIONAL:
                if (path)
                {
                    IgToolError(stderr, "decompile", "one FILE only (got '%s' and '%s')", path, value);
                    return IG_EXIT_USAGE;
                }
                path = value;
                break;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!path || !outDir)
    {
        IgToolError(stderr, "decompile", "%s (see introguard decompile --help)",
                    path ? "missing -o DIR" : "missing FILE");
        return IG_EXIT_USAGE;
    }
    return IgDecompileFile(path, outDir, force, stderr);
}
