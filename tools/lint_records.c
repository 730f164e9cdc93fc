/*
 * lint's checks on decoded records (lint.h): they need nothing but the exceptions file, so they run
 * on a .bin as on compiled sources.  Each "can never match" claim follows the engine's checks
 * (src/exceptions/, spec/matching.md); docs/workbench.md gives the reasoning per code.
 */
#include <stdlib.h>
#include <string.h>

#include "lint.h"

/* ---- record helpers ---------------------------------------------------------------------------------------------- */

static uint32_t IgLintFlags(const INTRO_EXCFILE_RECORD *R)
{
    return IntExcFileRecordFlags(R);
}

static uint8_t IgLintObject(const INTRO_EXCFILE_RECORD *R)
{
    return R->Type == INTRO_EXCFILE_REC_USER_GLOB ? R->u.Glob.ObjectType : R->u.Exception.ObjectType;
}

static bool IgLintUserKind(uint8_t Type)
{
    return Type == INTRO_EXCFILE_REC_USER || Type == INTRO_EXCFILE_REC_USER_APC || Type == INTRO_EXCFILE_REC_USER_GLOB;
}

static const char *IgLintObjectName(const INTRO_EXCFILE_RECORD *R)
{
    const INTRO_EXCFILE_KEYWORD_TABLE *t = IntExcFileRecordObjectTypes(R->Type);
    const char *name = t ? IntExcFileKeywordName(t, IgLintObject(R)) : NULL;

    return name ? name : "?";
}

void IgLintRecordName(const IG_WB_RULES *Rules, uint32_t Index, char *Buffer, size_t Size)
{
    IG_WB_WHERE where;

    if (IgWbWhere(Rules, Index, &where))
    {
        snprintf(Buffer, Size, "record %u (%s:%u %s)", Index, where.File, where.Line, where.Path);
    }
    else
    {
        snprintf(Buffer, Size, "record %u", Index);
    }
}

/* ---- IG-L001..L003: flags ------------------------------------------------------------------------------------------
 */

#define IG_LINT_ACCESS (INTRO_EXCFILE_FLG_READ | INTRO_EXCFILE_FLG_WRITE | INTRO_EXCFILE_FLG_EXECUTE)
#define IG_LINT_ARCH (INTRO_EXCFILE_FLG_32 | INTRO_EXCFILE_FLG_64)

/* Kernel object types whose violations never come from an integrity zone (matcher or spec §1.6). */
static bool IgLintNeverIntegrity(uint8_t Object)
{
    switch (Object)
    {
        case INTRO_EXCFILE_KM_OBJ_DRIVER:
        case INTRO_EXCFILE_KM_OBJ_DRIVER_IMPORTS:
        case INTRO_EXCFILE_KM_OBJ_DRIVER_CODE:
        case INTRO_EXCFILE_KM_OBJ_DRIVER_DATA:
        case INTRO_EXCFILE_KM_OBJ_DRIVER_RESOURCES:
        case INTRO_EXCFILE_KM_OBJ_DRIVER_EXPORTS:
        case INTRO_EXCFILE_KM_OBJ_SSDT:
        case INTRO_EXCFILE_KM_OBJ_MSR:
        case INTRO_EXCFILE_KM_OBJ_CR4:
        case INTRO_EXCFILE_KM_OBJ_HAL_HEAP:
        case INTRO_EXCFILE_KM_OBJ_SELFMAP:
        case INTRO_EXCFILE_KM_OBJ_IDT_REG:
        case INTRO_EXCFILE_KM_OBJ_GDT_REG:
        case INTRO_EXCFILE_KM_OBJ_SUD_EXEC:
            return true;
        default:
            return false;
    }
}

/* User object types whose violations are executions (process creation, NX zones, SharedUserData). */
static bool IgLintExecOnly(uint8_t Object)
{
    return Object == INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION || Object == INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION_DPI ||
           Object == INTRO_EXCFILE_UM_OBJ_NX_ZONE || Object == INTRO_EXCFILE_UM_OBJ_SUD_EXEC;
}

static void IgLintContradictions(const INTRO_EXCFILE_RECORD *R, IG_LINT_REPORT *Report)
{
    uint32_t f = IgLintFlags(R);
    uint8_t o = IgLintObject(R);
    const char *name = IgLintObjectName(R);

    if (R->Type == INTRO_EXCFILE_REC_KERNEL)
    {
        if (o == INTRO_EXCFILE_KM_OBJ_CR4 && !(f & (INTRO_EXCFILE_FLG_KM_SMAP | INTRO_EXCFILE_FLG_KM_SMEP)))
        {
            IgLintAdd(Report, IgLintContradiction, R->Index,
                      "object type 'cr4' without 'smap' or 'smep': the CR4 check never passes");
        }
        if ((f & INTRO_EXCFILE_FLG_KM_INTEGRITY) && IgLintNeverIntegrity(o))
        {
            IgLintAdd(Report, IgLintContradiction, R->Index,
                      "flag 'integrity' on object type '%s', whose violations never come from an integrity zone", name);
        }
        if (o == INTRO_EXCFILE_KM_OBJ_MSR && !(f & INTRO_EXCFILE_FLG_WRITE))
        {
            IgLintAdd(Report, IgLintContradiction, R->Index,
                      "object type 'msr' without 'write': MSR violations are writes");
        }
    }
    if (R->Type == INTRO_EXCFILE_REC_KERNEL_USER && (f & INTRO_EXCFILE_FLG_KUM_USER) &&
        (f & INTRO_EXCFILE_FLG_KUM_KERNEL))
    {
        IgLintAdd(Report, IgLintContradiction, R->Index,
                  "flags 'user' and 'kernel' together: every kernel-user violation is rejected by one of them");
    }
    if (R->Type == INTRO_EXCFILE_REC_KERNEL_USER && (f & INTRO_EXCFILE_FLG_LINUX) && R->u.Exception.Process != 0)
    {
        IgLintAdd(Report, IgLintContradiction, R->Index,
                  "'linux' with a process: on Linux the kernel-user matcher rejects every process but '*'");
    }
    if (IgLintUserKind(R->Type))
    {
        if (IgLintExecOnly(o) && !(f & INTRO_EXCFILE_FLG_EXECUTE))
        {
            IgLintAdd(Report, IgLintContradiction, R->Index,
                      "object type '%s' without 'exec': its violations are executions", name);
        }
        if ((o == INTRO_EXCFILE_UM_OBJ_PEB32 || o == INTRO_EXCFILE_UM_OBJ_PEB64) && (f & INTRO_EXCFILE_FLG_LINUX))
        {
            IgLintAdd(Report, IgLintContradiction, R->Index,
                      "object type '%s' with 'linux': a Linux process has no PEB", name);
        }
    }
}

static void IgLintExceptionFlags(const INTRO_EXCFILE_RECORD *R, IG_LINT_REPORT *Report)
{
    uint32_t f = IgLintFlags(R);

    if (!(f & IG_LINT_ACCESS))
    {
        IgLintAdd(Report, IgLintNoAccess, R->Index,
                  "no access flag ('read', 'write' or 'exec'): the access check never passes");
    }
    if (!(f & IG_LINT_ARCH))
    {
        IgLintAdd(Report, IgLintNoArch, R->Index, "neither '32' nor '64': the architecture check never passes");
    }
    IgLintContradictions(R, Report);
}

/* ---- IG-L007, IG-L008: signatures that can never match on their own -------------------------------------------------
 */

static uint64_t IgLintLinuxKey(uint64_t Raw)
{
    /* On disk: u8 version, u8 patch, u16 sublevel, u16 backport; compared in that order. */
    return ((Raw & 0xFF) << 48) | (((Raw >> 8) & 0xFF) << 32) | (((Raw >> 16) & 0xFFFF) << 16) | ((Raw >> 32) & 0xFFFF);
}

static uint64_t IgLintIntroKey(uint64_t Raw)
{
    /* On disk: u16 major, minor, revision, build. */
    return ((Raw & 0xFFFF) << 48) | (((Raw >> 16) & 0xFFFF) << 32) | (((Raw >> 32) & 0xFFFF) << 16) |
           ((Raw >> 48) & 0xFFFF);
}

/* Whether a version signature's range holds no version; Why says so. */
static bool IgLintEmptyVersion(const INTRO_EXCFILE_RECORD *S, char *Why, size_t Size)
{
    const INTRO_EXCFILE_VERSION *v = &S->u.Version;

    if (S->Type == INTRO_EXCFILE_REC_VERSION_INTRO)
    {
        if (IgLintIntroKey(v->Minimum) > IgLintIntroKey(v->Maximum))
        {
            snprintf(Why, Size, "its introcore version range is empty (minimum above maximum)");
            return true;
        }
        return false;
    }
    if (v->Flags & INTRO_EXCFILE_SIG_FLG_LINUX)
    {
        if (IgLintLinuxKey(v->Minimum) > IgLintLinuxKey(v->Maximum))
        {
            snprintf(Why, Size, "its Linux version range is empty (minimum above maximum)");
            return true;
        }
        return false;
    }
    if (v->Minimum > v->Maximum || v->Minimum > 0xFFFF)
    {
        snprintf(Why, Size, "its Windows build range is empty (%s)",
                 v->Minimum > v->Maximum ? "minimum above maximum"
                                         : "the build compared is 16 bits, the minimum is more");
        return true;
    }
    return false;
}

/* Whether a code-block or value signature's score is above what any of its lists or entries can reach. */
static bool IgLintScoreUnreachable(const INTRO_EXCFILE_RECORD *S, char *Why, size_t Size)
{
    if (S->Type == INTRO_EXCFILE_REC_CODEBLOCKS)
    {
        INTRO_EXCFILE_HASH_CURSOR cursor;
        INTRO_EXCFILE_U32_ARRAY list;
        uint32_t longest = 0;

        memset(&cursor, 0, sizeof(cursor));
        while (IntExcFileNextHashList(&S->u.CodeBlocks, &cursor, &list))
        {
            longest = list.Count > longest ? list.Count : longest;
        }
        if (S->u.CodeBlocks.Score > longest)
        {
            snprintf(Why, Size, "its score %u needs that many hashes of one list, and its longest list has %u",
                     S->u.CodeBlocks.Score, longest);
            return true;
        }
        return false;
    }
    if (S->Type == INTRO_EXCFILE_REC_VALUE && !(S->u.Value.Flags & INTRO_EXCFILE_SIG_FLG_CLI) &&
        S->u.Value.Score > S->u.Value.Count)
    {
        snprintf(Why, Size, "its score %u needs that many matching entries, and it has %u", S->u.Value.Score,
                 S->u.Value.Count);
        return true;
    }
    return false;
}

static void IgLintSignature(const INTRO_EXCFILE_RECORD *S, IG_LINT_REPORT *Report)
{
    char why[160];

    if ((S->Type == INTRO_EXCFILE_REC_VERSION_OS || S->Type == INTRO_EXCFILE_REC_VERSION_INTRO) &&
        IgLintEmptyVersion(S, why, sizeof(why)))
    {
        IgLintAdd(Report, IgLintEmptyRange, S->Index, "signature 0x%08X can never match: %s", S->u.Version.Id, why);
    }
    if (IgLintScoreUnreachable(S, why, sizeof(why)))
    {
        IgLintAdd(Report, IgLintScore, S->Index, "signature 0x%08X can never match: %s", IntExcFileRecordId(S), why);
    }
}

/* ---- IG-L004, IG-L012, IG-L014: the signatures an exception needs ----------------------------------------------- */

/* Bit 0: a 32-bit check (need64 false) can happen; bit 1: a 64-bit one (signatures.c's need64). */
static unsigned IgLintBitness(const INTRO_EXCFILE_RECORD *E, uint8_t SigType)
{
    uint32_t f = IgLintFlags(E);
    unsigned arch = ((f & INTRO_EXCFILE_FLG_32) ? 1u : 0u) | ((f & INTRO_EXCFILE_FLG_64) ? 2u : 0u);

    if (!IgLintUserKind(E->Type) || (f & INTRO_EXCFILE_FLG_LINUX))
    {
        return arch; /* the guest's bitness, which the exception's arch flags restrict */
    }
    switch (SigType)
    {
        case INTRO_EXCFILE_REC_VALUE:
            return arch; /* the originator process's, which the user arch check restricts */
        case INTRO_EXCFILE_REC_EXPORT:
        case INTRO_EXCFILE_REC_CODEBLOCKS:
        case INTRO_EXCFILE_REC_VALUE_CODE:
            return 3u; /* may be the victim process's: WoW64 or not */
        default:
            return (f & INTRO_EXCFILE_FLG_32) ? 3u : arch; /* the guest's; a WoW64 process on a 64-bit guest */
    }
}

/* Why signature Id cannot pass in a group of SigType for exception E; false when it can. */
static bool IgLintSigCannotPass(const IG_WB_RULES *Rules, const INTRO_EXCFILE_RECORD *E, uint8_t SigType, uint32_t Id,
                                char *Why, size_t Size)
{
    uint32_t s = IgWbFindSignature(Rules, Id);
    const INTRO_EXCFILE_RECORD *sig;
    uint32_t sf;
    unsigned bits;
    char dead[160];

    if (s == IG_WB_NO_ORIGIN || Rules->List.Records[s].Type != SigType)
    {
        /* A record whose type disagrees with its ID's is never found: the engine looks IDs up by type. */
        snprintf(Why, Size, s == IG_WB_NO_ORIGIN ? "0x%08X is not in the file" : "0x%08X is a record of another kind",
                 Id);
        return true;
    }
    sig = &Rules->List.Records[s];
    sf = IntExcFileRecordFlags(sig);
    bits = ((sf & INTRO_EXCFILE_SIG_FLG_32) ? 1u : 0u) | ((sf & INTRO_EXCFILE_SIG_FLG_64) ? 2u : 0u);
    if (((sf & INTRO_EXCFILE_SIG_FLG_LINUX) != 0) != ((IgLintFlags(E) & INTRO_EXCFILE_FLG_LINUX) != 0))
    {
        snprintf(Why, Size, "0x%08X is for %s", Id, (sf & INTRO_EXCFILE_SIG_FLG_LINUX) ? "Linux" : "Windows");
        return true;
    }
    if ((bits & IgLintBitness(E, SigType)) == 0)
    {
        snprintf(Why, Size, "0x%08X is %s", Id,
                 bits == 1   ? "32-bit only"
                 : bits == 2 ? "64-bit only"
                             : "for neither 32 nor 64 bits");
        return true;
    }
    if (((SigType == INTRO_EXCFILE_REC_VERSION_OS || SigType == INTRO_EXCFILE_REC_VERSION_INTRO) &&
         IgLintEmptyVersion(sig, dead, sizeof(dead))) ||
        IgLintScoreUnreachable(sig, dead, sizeof(dead)))
    {
        snprintf(Why, Size, "0x%08X never matches: %s", Id, dead);
        return true;
    }
    return false;
}

/* A group (a run of IDs of one type, as the engine walks them) that can never pass: why, or false. */
static bool IgLintGroupDead(const IG_WB_RULES *Rules, const INTRO_EXCFILE_RECORD *E,
                            const INTRO_EXCFILE_SIGNATURE_KIND *Kind, uint32_t First, uint32_t End, char *Why,
                            size_t Size)
{
    size_t used = 0;

    if (Kind->RecordType == INTRO_EXCFILE_REC_PROCESS_CREATION && E->Type == INTRO_EXCFILE_REC_KERNEL)
    {
        snprintf(Why, Size, "process-creation signatures are not evaluated for kernel exceptions (an internal error)");
        return true;
    }
    if (Kind->RecordType == INTRO_EXCFILE_REC_IDT && E->Type != INTRO_EXCFILE_REC_KERNEL)
    {
        snprintf(Why, Size, "idt signatures match kernel violations only");
        return true;
    }
    Why[0] = '\0';
    for (uint32_t k = First; k < End; k++)
    {
        char one[200];

        if (!IgLintSigCannotPass(Rules, E, Kind->RecordType, IgRecordSigId(E, k), one, sizeof(one)))
        {
            return false;
        }
        if (used < Size)
        {
            used += (size_t)snprintf(Why + used, Size - used, "%s%s", k > First ? "; " : "", one);
        }
    }
    return true;
}

static void IgLintGroups(const IG_WB_RULES *Rules, const INTRO_EXCFILE_RECORD *E, IG_LINT_REPORT *Report)
{
    uint32_t count = IgRecordSigCount(E);
    bool exportPasses = E->Type == INTRO_EXCFILE_REC_KERNEL || E->Type == INTRO_EXCFILE_REC_USER_GLOB;

    for (uint32_t i = 0, j; i < count; i = j)
    {
        uint32_t type = INTRO_EXCFILE_SIG_ID_TYPE(IgRecordSigId(E, i));
        const INTRO_EXCFILE_SIGNATURE_KIND *kind = IntExcFileSignatureKindByCode(type);
        bool code;
        char why[300];

        for (j = i; j < count && INTRO_EXCFILE_SIG_ID_TYPE(IgRecordSigId(E, j)) == type; j++)
        {
        }
        if (!kind)
        {
            continue; /* reported as dangling */
        }
        if (kind->RecordType == INTRO_EXCFILE_REC_EXPORT && exportPasses)
        {
            continue; /* export groups of kernel and glob exceptions pass without a look (hvmi's B10) */
        }
        if (!IgLintGroupDead(Rules, E, kind, i, j, why, sizeof(why)))
        {
            continue;
        }
        code = kind->RecordType == INTRO_EXCFILE_REC_CODEBLOCKS || kind->RecordType == INTRO_EXCFILE_REC_VALUE_CODE;
        IgLintAdd(Report, code ? IgLintCodeGroup : IgLintSignatureGroup, E->Index,
                  "needs one of its %s signatures to match%s, and none can: %s", kind->Name,
                  code ? " (unless the violation's RIP is 0, which skips code signatures)" : "", why);
    }
}

/* IG-L012 per reference, IG-L011 per signature nobody names. */
static void IgLintReferences(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report)
{
    const IG_RECORD_LIST *list = &Rules->List;
    bool *named = calloc(list->Count ? list->Count : 1, sizeof(*named));

    if (!named)
    {
        Report->OutOfMemory = true;
        return;
    }
    for (size_t i = 0; i < list->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *e = &list->Records[i];

        for (uint32_t k = 0; IgWbIsException(e) && k < IgRecordSigCount(e); k++)
        {
            uint32_t id = IgRecordSigId(e, k);
            uint32_t s = IgWbFindSignature(Rules, id);
            const INTRO_EXCFILE_SIGNATURE_KIND *kind = IntExcFileSignatureKindByCode(INTRO_EXCFILE_SIG_ID_TYPE(id));

            if (s != IG_WB_NO_ORIGIN)
            {
                named[s] = true;
            }
            if (!kind)
            {
                IgLintAdd(Report, IgLintDanglingSignature, e->Index,
                          "names signature 0x%08X, whose type %u is no signature kind: the engine gives up on the "
                          "exception (an internal error), so it can never match",
                          id, INTRO_EXCFILE_SIG_ID_TYPE(id));
            }
            else if (s == IG_WB_NO_ORIGIN || list->Records[s].Type != kind->RecordType)
            {
                IgLintAdd(Report, IgLintDanglingSignature, e->Index,
                          "names %s signature 0x%08X (#%u), which the file does not hold%s", kind->Name, id,
                          INTRO_EXCFILE_SIG_ID_SEQ(id), s == IG_WB_NO_ORIGIN ? "" : " under that kind");
            }
        }
    }
    for (size_t i = 0; i < list->Count; i++)
    {
        if (IgWbIsSignature(&list->Records[i]) && !named[i])
        {
            IgLintAdd(Report, IgLintUnusedSignature, (uint32_t)i, "signature 0x%08X (%s) is named by no exception",
                      IntExcFileRecordId(&list->Records[i]), IntExcFileRecordTypeName(list->Records[i].Type));
        }
    }
    free(named);
}

/* ---- IG-L009, IG-L010: rules an earlier one hides -------------------------------------------------------------------
 */

/* Bits where more means more allowed, bits where more means fewer (pure restrictions), per record kind. */
static uint32_t IgLintWiderBits(uint8_t Type)
{
    return IG_LINT_ACCESS | IG_LINT_ARCH |
           (Type == INTRO_EXCFILE_REC_KERNEL ? INTRO_EXCFILE_FLG_KM_SMAP | INTRO_EXCFILE_FLG_KM_SMEP : 0);
}

static uint32_t IgLintNarrowerBits(uint8_t Type)
{
    switch (Type)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            return INTRO_EXCFILE_FLG_INIT | INTRO_EXCFILE_FLG_KM_NON_DRIVER | INTRO_EXCFILE_FLG_KM_INTEGRITY;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return INTRO_EXCFILE_FLG_INIT | INTRO_EXCFILE_FLG_KM_NON_DRIVER;
        default:
            return INTRO_EXCFILE_FLG_INIT | INTRO_EXCFILE_FLG_UM_SYS_PROC | INTRO_EXCFILE_FLG_UM_CHILD_PROC |
                   INTRO_EXCFILE_FLG_UM_LIKE_APPHELP;
    }
}

/* Whether object type A matches every victim object type B matches (the matchers' tables). */
static bool IgLintObjectCovers(uint8_t Type, uint8_t A, uint8_t B)
{
    if (A == B || A == INTRO_EXCFILE_KM_OBJ_ANY) /* `any` is 1 in every kind's table */
    {
        return true;
    }
    switch (Type)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            return A == INTRO_EXCFILE_KM_OBJ_DRIVER &&
                   (B == INTRO_EXCFILE_KM_OBJ_DRIVER_IMPORTS || B == INTRO_EXCFILE_KM_OBJ_DRIVER_DATA ||
                    B == INTRO_EXCFILE_KM_OBJ_DRIVER_RESOURCES || B == INTRO_EXCFILE_KM_OBJ_DRIVER_EXPORTS);
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return A == INTRO_EXCFILE_KUM_OBJ_MODULE &&
                   (B == INTRO_EXCFILE_KUM_OBJ_MODULE_IMPORTS || B == INTRO_EXCFILE_KUM_OBJ_MODULE_EXPORTS);
        default:
            return A == INTRO_EXCFILE_UM_OBJ_MODULE &&
                   (B == INTRO_EXCFILE_UM_OBJ_MODULE_IMPORTS || B == INTRO_EXCFILE_UM_OBJ_MODULE_EXPORTS);
    }
}

static bool IgLintSigsSorted(const INTRO_EXCFILE_RECORD *R)
{
    for (uint32_t k = 1; k < IgRecordSigCount(R); k++)
    {
        if (IgRecordSigId(R, k) < IgRecordSigId(R, k - 1))
        {
            return false;
        }
    }
    return true;
}

static bool IgLintHasSig(const INTRO_EXCFILE_RECORD *R, uint32_t Id)
{
    for (uint32_t k = 0; k < IgRecordSigCount(R); k++)
    {
        if (IgRecordSigId(R, k) == Id)
        {
            return true;
        }
    }
    return false;
}

static bool IgLintHasSigType(const INTRO_EXCFILE_RECORD *R, uint32_t Type)
{
    for (uint32_t k = 0; k < IgRecordSigCount(R); k++)
    {
        if (INTRO_EXCFILE_SIG_ID_TYPE(IgRecordSigId(R, k)) == Type)
        {
            return true;
        }
    }
    return false;
}

/*
 * Whether A's signatures pass whenever B's do: every kind A needs, B needs too, and each of B's
 * signatures of that kind is one of A's (a group passes when one of its signatures matches).
 * With IDs out of order the engine's groups are runs, not kinds: only identical lists count then.
 */
static bool IgLintSigsCover(const INTRO_EXCFILE_RECORD *A, const INTRO_EXCFILE_RECORD *B)
{
    /* A user injection into a known module needs an export signature before any group is tried
     * (signatures.c): an A without one fails there where a B with one may pass. */
    if (IgLintUserKind(A->Type) && IgLintHasSigType(B, INTRO_EXCFILE_SIG_EXPORT) &&
        !IgLintHasSigType(A, INTRO_EXCFILE_SIG_EXPORT))
    {
        return false;
    }
    if (!IgLintSigsSorted(A) || !IgLintSigsSorted(B))
    {
        if (IgRecordSigCount(A) != IgRecordSigCount(B))
        {
            return false;
        }
        for (uint32_t k = 0; k < IgRecordSigCount(A); k++)
        {
            if (IgRecordSigId(A, k) != IgRecordSigId(B, k))
            {
                return false;
            }
        }
        return true;
    }
    for (uint32_t k = 0; k < IgRecordSigCount(A); k++)
    {
        if (!IgLintHasSigType(B, INTRO_EXCFILE_SIG_ID_TYPE(IgRecordSigId(A, k))))
        {
            return false;
        }
    }
    for (uint32_t k = 0; k < IgRecordSigCount(B); k++)
    {
        uint32_t id = IgRecordSigId(B, k);

        if (IgLintHasSigType(A, INTRO_EXCFILE_SIG_ID_TYPE(id)) && !IgLintHasSig(A, id))
        {
            return false;
        }
    }
    return true;
}

/*
 * Whether A, tried before B in the same list, allows every violation B allows: same originator (so
 * the same list and bucket), a victim and process that are B's or `*`, an object type that covers
 * B's, flags that allow at least B's accesses and architectures with no condition B lacks and all
 * else equal (return, feedback, linux, one-time, injection side), and signatures that pass whenever
 * B's do.
 */
static bool IgLintCovers(const INTRO_EXCFILE_RECORD *A, const INTRO_EXCFILE_RECORD *B)
{
    const INTRO_EXCFILE_EXCEPTION *a = &A->u.Exception, *b = &B->u.Exception;
    uint32_t wider = IgLintWiderBits(A->Type), narrower = IgLintNarrowerBits(A->Type);
    bool user = A->Type == INTRO_EXCFILE_REC_USER || A->Type == INTRO_EXCFILE_REC_USER_APC;

    /* An object type without a name (0 is `none`) matches nothing: such an A hides nothing. */
    if (A->Type != B->Type || a->Originator != b->Originator || a->ObjectType == 0 ||
        !IntExcFileKeywordName(IntExcFileRecordObjectTypes(A->Type), a->ObjectType) ||
        (a->Victim != 0 && a->Victim != b->Victim))
    {
        return false;
    }
    if (A->Type != INTRO_EXCFILE_REC_KERNEL && a->Process != 0 && a->Process != b->Process)
    {
        return false;
    }
    /* Process-creation exceptions of user records have lists of their own. */
    if (user && (a->ObjectType == INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION) !=
                    (b->ObjectType == INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION))
    {
        return false;
    }
    if (!IgLintObjectCovers(A->Type, a->ObjectType, b->ObjectType) ||
        (a->Flags & wider & b->Flags) != (b->Flags & wider) ||
        (a->Flags & narrower & b->Flags) != (a->Flags & narrower) ||
        (a->Flags & ~(wider | narrower)) != (b->Flags & ~(wider | narrower)))
    {
        return false;
    }
    return IgLintSigsCover(A, B);
}

static bool IgLintSameBytes(const INTRO_EXCFILE_RECORD *A, const INTRO_EXCFILE_RECORD *B)
{
    return A->Type == B->Type && A->Size == B->Size && memcmp(A->Body, B->Body, A->Size) == 0;
}

/* Records the loader keeps and the search tries: exceptions without `ignore`. */
static bool IgLintLive(const INTRO_EXCFILE_RECORD *R)
{
    return IgWbIsException(R) && !(IgLintFlags(R) & INTRO_EXCFILE_FLG_IGNORE);
}

typedef struct IG_LINT_KEY
{
    uint8_t Type;
    uint32_t Originator;
    uint32_t Index;
} IG_LINT_KEY;

static int IgLintCompareKeys(const void *PA, const void *PB)
{
    const IG_LINT_KEY *a = PA, *b = PB;

    if (a->Type != b->Type)
    {
        return a->Type < b->Type ? -1 : 1;
    }
    if (a->Originator != b->Originator)
    {
        return a->Originator < b->Originator ? -1 : 1;
    }
    return a->Index < b->Index ? -1 : (a->Index > b->Index);
}

/* The first earlier record of B's run that repeats it (IG-L010) or, failing that, covers it (IG-L009). */
static void IgLintShadowOne(const IG_WB_RULES *Rules, const IG_LINT_KEY *Run, size_t B, IG_LINT_REPORT *Report)
{
    const INTRO_EXCFILE_RECORD *b = &Rules->List.Records[Run[B].Index];
    char name[400];

    for (size_t a = 0; a < B; a++)
    {
        if (IgLintSameBytes(&Rules->List.Records[Run[a].Index], b))
        {
            IgLintRecordName(Rules, Run[a].Index, name, sizeof(name));
            IgLintAdd(Report, IgLintDuplicate, b->Index,
                      "the same record as %s, which is tried first: this one never decides", name);
            return;
        }
    }
    for (size_t a = 0; a < B && b->Type != INTRO_EXCFILE_REC_USER_GLOB; a++)
    {
        if (IgLintCovers(&Rules->List.Records[Run[a].Index], b))
        {
            IgLintRecordName(Rules, Run[a].Index, name, sizeof(name));
            IgLintAdd(Report, IgLintShadowed, b->Index,
                      "shadowed by %s: tried first in the same list, it allows everything this one allows", name);
            return;
        }
    }
}

static void IgLintShadows(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report)
{
    const IG_RECORD_LIST *list = &Rules->List;
    IG_LINT_KEY *keys = calloc(list->Count ? list->Count : 1, sizeof(*keys));
    size_t n = 0;

    if (!keys)
    {
        Report->OutOfMemory = true;
        return;
    }
    for (size_t i = 0; i < list->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &list->Records[i];

        if (IgLintLive(r))
        {
            keys[n].Type = r->Type;
            keys[n].Originator = r->Type == INTRO_EXCFILE_REC_USER_GLOB ? 0 : r->u.Exception.Originator;
            keys[n].Index = (uint32_t)i;
            n++;
        }
    }
    qsort(keys, n, sizeof(*keys), IgLintCompareKeys);
    for (size_t start = 0, end; start < n; start = end)
    {
        for (end = start + 1;
             end < n && keys[end].Type == keys[start].Type && keys[end].Originator == keys[start].Originator; end++)
        {
        }
        for (size_t b = 1; b < end - start; b++)
        {
            IgLintShadowOne(Rules, keys + start, b, Report);
        }
    }
    free(keys);
}

void IgLintRecords(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report)
{
    for (size_t i = 0; i < Rules->List.Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &Rules->List.Records[i];

        if (IgLintLive(r))
        {
            IgLintExceptionFlags(r, Report);
            IgLintGroups(Rules, r, Report);
        }
        else if (IgWbIsSignature(r))
        {
            IgLintSignature(r, Report);
        }
    }
    IgLintReferences(Rules, Report);
    IgLintShadows(Rules, Report);
}
