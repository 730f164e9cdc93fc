/*
 * Signature verification (spec/signatures.md §1-§2, spec/matching.md §3.6).
 *
 * Implemented here: the combination (OR inside a type group, AND across groups, first failing
 * group names the reason), the export pre-check for injections into modules, and the kinds that
 * need no guest code bytes: version-os, version-intro, process-creation, value and idt.
 * Codeblocks, value-code and export (for user and kernel-user exceptions) read guest memory
 * through the violation's INTRO_EXC_MEMORY (or the guest's environment); the reading and the
 * per-signature comparisons are in sig_code.c, codeblocks.c and pe_exports.c.  Codeblocks and
 * export work in a code context the caller or the guest provides, so nothing here allocates.
 */
#include "exceptions_int.h"

#include "alert_exc.h"

#include "common/crc32.h"
#include "introguard/intro_types.h"
#include "sig_code.h"

#define IG_SIG_FLG_32 0x00000001u
#define IG_SIG_FLG_64 0x00000002u
#define IG_SIG_FLG_CLI 0x00010000u

typedef struct IG_SIG_CALL
{
    const IG_EXC_EVAL *Ev;
    const IG_EXCEPTION *E;
    uint32_t Kind;
    const IG_EXC_ORIGIN *Origin;
    bool *Unreadable; /* set by a group that fails because the guest data it needs is missing */
} IG_SIG_CALL;

/*
 * A signature an exception names: a file exception's among the file's signatures, an alert
 * exception's among the alert signatures (in hvmi both share one list and one numbering; apart,
 * a file ID can never collide with an alert one).
 */
static const IG_SIGNATURE *IgFindSignature(const IG_SIG_CALL *Call, uint32_t Id)
{
    if (Call->Origin->Source == INTRO_EXC_SOURCE_ALERT)
    {
        return IgAlertFindSignature(Call->Ev->Alerts, Id);
    }
    return IgRuleSetFindSignature(Call->Ev->Set, Id);
}

/* The OS and bitness filters every verifier applies before evaluating a signature (§1.3). */
static bool IgSignatureApplies(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig, bool Need64)
{
    bool linuxGuest = Call->Ev->Vio->Guest.Os == INTRO_EXC_OS_LINUX;

    if (((Sig->Flags & IG_SIG_FLG_LINUX) != 0) != linuxGuest)
    {
        return false;
    }
    return Need64 ? (Sig->Flags & IG_SIG_FLG_64) != 0 : (Sig->Flags & IG_SIG_FLG_32) != 0;
}

static uint64_t IgLinuxVersionKey(uint64_t Raw)
{
    /* On disk: u8 Version, u8 Patch, u16 Sublevel, u16 Backport (little-endian). */
    return ((Raw & 0xFF) << 48) | (((Raw >> 8) & 0xFF) << 32) | (((Raw >> 16) & 0xFFFF) << 16) | ((Raw >> 32) & 0xFFFF);
}

static uint64_t IgIntroVersionKey(uint64_t Raw)
{
    /* On disk: u16 Major, Minor, Revision, Build. */
    return ((Raw & 0xFFFF) << 48) | (((Raw >> 16) & 0xFFFF) << 32) | (((Raw >> 32) & 0xFFFF) << 16) |
           ((Raw >> 48) & 0xFFFF);
}

static INTSTATUS IgEvalVersionOs(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig)
{
    const INTRO_EXC_GUEST *g = &Call->Ev->Vio->Guest;

    if (g->Os == INTRO_EXC_OS_LINUX)
    {
        uint64_t key = ((uint64_t)g->LinuxVersion.Version << 48) | ((uint64_t)g->LinuxVersion.Patch << 32) |
                       ((uint64_t)g->LinuxVersion.Sublevel << 16) | g->LinuxVersion.Backport;

        return key >= IgLinuxVersionKey(Sig->u.Version.Minimum) && key <= IgLinuxVersionKey(Sig->u.Version.Maximum)
                   ? INT_STATUS_SIGNATURE_MATCHED
                   : INT_STATUS_SIGNATURE_NOT_FOUND;
    }
    {
        uint64_t build = g->OsVersion & 0xFFFFu;

        return build >= Sig->u.Version.Minimum && build <= Sig->u.Version.Maximum ? INT_STATUS_SIGNATURE_MATCHED
                                                                                  : INT_STATUS_SIGNATURE_NOT_FOUND;
    }
}

static INTSTATUS IgEvalVersionIntro(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig)
{
    uint64_t key = Call->Ev->Vio->Guest.IntroVersion;

    if (key == 0)
    {
        key = ((uint64_t)INTRO_EXC_INTRO_VERSION_MAJOR << 48) | ((uint64_t)INTRO_EXC_INTRO_VERSION_MINOR << 32) |
              ((uint64_t)INTRO_EXC_INTRO_VERSION_REVISION << 16) | INTRO_EXC_INTRO_VERSION_BUILD;
    }
    return key >= IgIntroVersionKey(Sig->u.Version.Minimum) && key <= IgIntroVersionKey(Sig->u.Version.Maximum)
               ? INT_STATUS_SIGNATURE_MATCHED
               : INT_STATUS_SIGNATURE_NOT_FOUND;
}

static INTSTATUS IgEvalProcessCreation(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig)
{
    /* Kernel-user violations carry no PcType; hvmi reads garbage there (B18), we read 0. */
    uint32_t mask = Call->Kind == INTRO_EXC_KIND_KERNEL_USER ? 0 : Call->Ev->Vio->User.PcType;

    return (mask & ~Sig->u.CreateMask) == 0 ? INT_STATUS_SIGNATURE_MATCHED : INT_STATUS_SIGNATURE_NOT_FOUND;
}

static INTSTATUS IgEvalIdt(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig, uint8_t Vector)
{
    (void)Call;
    return Sig->u.IdtEntry == Vector ? INT_STATUS_SIGNATURE_MATCHED : INT_STATUS_SIGNATURE_NOT_FOUND;
}

typedef struct IG_VALUE_INPUT
{
    const uint8_t *Buffer; /* NULL: no buffer (only `cli` entries can hit) */
    size_t Size;
} IG_VALUE_INPUT;

static INTSTATUS IgEvalValue(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig, const IG_VALUE_INPUT *In)
{
    const IG_RULESET *set = Call->Ev->Set;
    const INTRO_EXC_PROCESS *p = &Call->Ev->Vio->User.Process;
    uint32_t hits = 0;

    if ((Sig->Flags & IG_SIG_FLG_CLI) && !p->CommandLine)
    {
        /* No command line (not read from the guest): nothing to compare, so no match.  hvmi returns
         * EXCEPTION_ALLOW here and the whole group passes (B4, fixed: docs/compat.md). */
        *Call->Unreadable = true;
        return INT_STATUS_SIGNATURE_NOT_FOUND;
    }
    for (uint32_t i = 0; i < Sig->Count; i++)
    {
        const IG_VALUE_ENTRY *entry;
        const uint8_t *data;
        size_t size;

        if (Sig->First > set->ValueEntryCount || i >= set->ValueEntryCount - Sig->First)
        {
            break;
        }
        entry = &set->ValueEntries[Sig->First + i];
        if (Sig->Flags & IG_SIG_FLG_CLI)
        {
            data = (const uint8_t *)p->CommandLine;
            size = p->CommandLineLength;
        }
        else
        {
            data = In->Buffer;
            size = In->Size;
        }
        if (!data || (size_t)entry->Offset + entry->Size > size)
        {
            continue;
        }
        if (IgNameHash(data + entry->Offset, entry->Size) == entry->Hash)
        {
            hits++;
            if (hits >= Sig->Score)
            {
                return INT_STATUS_SIGNATURE_MATCHED;
            }
        }
    }
    return INT_STATUS_SIGNATURE_NOT_FOUND;
}

/* The buffer a value signature hashes (signatures.md §2.3). */
static INTSTATUS IgValueInput(const IG_SIG_CALL *Call, IG_VALUE_INPUT *In)
{
    const INTRO_EXC_VICTIM *v = &Call->Ev->Vio->Victim;

    In->Buffer = NULL;
    In->Size = 0;
    switch (v->ZoneType)
    {
        case INTRO_EXC_ZONE_EPT:
        case INTRO_EXC_ZONE_MSR:
            break;
        case INTRO_EXC_ZONE_INTEGRITY:
            if (v->ObjectType == INTRO_EXC_OBJ_SEC_DESC || v->ObjectType == INTRO_EXC_OBJ_ACL)
            {
                In->Buffer = v->u.Integrity.Buffer;
                In->Size = v->u.Integrity.BufferSize;
                return INT_STATUS_SUCCESS;
            }
            if (v->ObjectType != INTRO_EXC_OBJ_IDT && v->ObjectType != INTRO_EXC_OBJ_SUD_INTEGRITY)
            {
                return INT_STATUS_NOT_SUPPORTED;
            }
            break;
        case INTRO_EXC_ZONE_PROCESS:
            /*
             * hvmi reads the injected bytes from the originator; we take them from the caller.  The
             * size is the injection length, not hvmi's buffer capacity (B3).
             */
            if (!v->u.Injection.Buffer)
            {
                return INT_STATUS_NOT_SUPPORTED;
            }
            In->Buffer = v->u.Injection.Buffer;
            In->Size =
                v->u.Injection.BufferSize < v->u.Injection.Length ? v->u.Injection.BufferSize : v->u.Injection.Length;
            return INT_STATUS_SUCCESS;
        case INTRO_EXC_ZONE_PC:
            return INT_STATUS_SUCCESS;
        default:
            return INT_STATUS_NOT_SUPPORTED;
    }
    /* EPT, MSR, IDT and SharedUserData integrity: the written value. */
    if (v->v.WriteInfo.AccessSize > sizeof(v->v.WriteInfo.NewValue))
    {
        return INT_STATUS_NOT_SUPPORTED;
    }
    In->Buffer = (const uint8_t *)v->v.WriteInfo.NewValue;
    In->Size = v->v.WriteInfo.AccessSize;
    return INT_STATUS_SUCCESS;
}

static bool IgUserNeed64(const IG_SIG_CALL *Call)
{
    const INTRO_EXC_VIOLATION *vio = Call->Ev->Vio;

    if (Call->Kind == INTRO_EXC_KIND_KERNEL || Call->Kind == INTRO_EXC_KIND_KERNEL_USER ||
        vio->Guest.Os == INTRO_EXC_OS_LINUX)
    {
        return vio->Guest.Guest64;
    }
    return vio->Guest.Guest64 && !vio->User.Process.Wow64;
}

/* ---- Signatures that read guest memory (sig_code.h) ---------------------------------------------------------- */

/* The payload arrays of a signature: the rule set's for file signatures, the alert set's for alert ones. */
static IG_SIG_ARRAYS IgArraysOf(const IG_SIG_CALL *Call, const IG_SIGNATURE *Sig)
{
    const IG_RULESET *set = Call->Ev->Set;
    const IG_EXC_ALERTS *alerts = Call->Ev->Alerts;
    IG_SIG_ARRAYS arrays = {0};

    if (Sig >= set->Signatures && Sig < set->Signatures + set->SignatureCount)
    {
        return IgSigArraysOfRuleSet(set);
    }
    if (alerts && Sig >= alerts->Signatures && Sig < alerts->Signatures + alerts->SignatureCount)
    {
        arrays.CbLists = alerts->CbLists;
        arrays.CbListCount = alerts->CbListCount;
        arrays.CbHashes = alerts->CbHashes;
        arrays.CbHashCount = alerts->CbHashCount;
        arrays.ExportEntries = alerts->ExportEntries;
        arrays.ExportEntryCount = alerts->ExportEntryCount;
    }
    return arrays;
}

/* The caller's guest-memory source as the engine's reader: its callback first, then its bytes. */
typedef struct IG_VIOLATION_MEMORY
{
    const INTRO_EXC_MEMORY *Memory;
    const IG_EXC_ENV *Env; /* the guest's reader, asked when the violation brings none */
    IG_GUEST_BYTE_RANGES Ranges;
    IG_GUEST_VMEM BytesVmem;
} IG_VIOLATION_MEMORY;

static INTSTATUS IgViolationRead(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    const IG_VIOLATION_MEMORY *m = Context;
    INTSTATUS status = INT_STATUS_PAGE_NOT_PRESENT;

    *Done = 0;
    if (m->Memory->ReadVirtual)
    {
        status = m->Memory->ReadVirtual(m->Memory->ReadContext, Cr3, Gva, Buffer, Size, Done);
        if (INT_SUCCESS(status) && *Done == Size)
        {
            return status;
        }
    }
    else if (m->Env && m->Env->ReadVirtual)
    {
        status = m->Env->ReadVirtual(m->Env->Context, Cr3, Gva, Buffer, Size, Done);
        if (INT_SUCCESS(status) && *Done == Size)
        {
            return status;
        }
    }
    if (m->Ranges.Count)
    {
        status = m->BytesVmem.Read(m->BytesVmem.Context, Cr3, Gva, Buffer, Size, Done);
    }
    return status;
}

static void IgViolationMemory(const IG_EXC_EVAL *Ev, IG_VIOLATION_MEMORY *M, IG_GUEST_VMEM *Vmem)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;

    _Static_assert(sizeof(INTRO_EXC_CODE_BYTES) == sizeof(IG_GUEST_BYTES) &&
                       offsetof(INTRO_EXC_CODE_BYTES, Length) == offsetof(IG_GUEST_BYTES, Length),
                   "public code bytes and the engine's byte ranges share a layout");
    M->Memory = &vio->Memory;
    M->Env = Ev->Env;
    M->Ranges.Ranges = (const IG_GUEST_BYTES *)vio->Memory.Bytes;
    M->Ranges.Count = vio->Memory.Bytes ? vio->Memory.BytesCount : 0;
    IgGuestByteRangesVmem(&M->Ranges, &M->BytesVmem);
    Vmem->Read = IgViolationRead;
    Vmem->Context = M;
}

/* §3.2: the user-mode code address space: the current vCPU's CR3 when known, else the process's. */
static uint64_t IgUserCodeCr3(const INTRO_EXC_VIOLATION *Vio, const INTRO_EXC_PROCESS *Process)
{
    return Vio->Memory.CurrentCr3 ? Vio->Memory.CurrentCr3 : Process->Cr3;
}

/*
 * The code context of this evaluation: the violation's, else one the guest lends (*Borrowed set,
 * give it back with IgReleaseCode), else NULL.  Evaluations never create one: that would allocate.
 */
static IG_CODE_CONTEXT *IgAcquireCode(const IG_EXC_EVAL *Ev, bool *Borrowed)
{
    const IG_EXC_ENV *env = Ev->Env;

    *Borrowed = false;
    if (Ev->Vio->Memory.Context)
    {
        return Ev->Vio->Memory.Context;
    }
    if (env && env->AcquireCodeContext)
    {
        IG_CODE_CONTEXT *ctx = env->AcquireCodeContext(env->Context);

        *Borrowed = ctx != NULL;
        return ctx;
    }
    return NULL;
}

static void IgReleaseCode(const IG_EXC_EVAL *Ev, IG_CODE_CONTEXT *Ctx, bool Borrowed)
{
    if (Borrowed && Ev->Env->ReleaseCodeContext)
    {
        Ev->Env->ReleaseCodeContext(Ev->Env->Context, Ctx);
    }
}

/*
 * Codeblocks and value-code groups (signatures.md §3.7, §2.4): CPU mode first, then the RIP (a
 * zero RIP fails: there is no code to read), the address space and the level; codeblocks reads and fingerprints the
 * window once for the whole group, value-code reads per signature.  Codeblocks need a code
 * context; without one the group fails like a failed guest read (an internal error).
 */
static INTSTATUS IgVerifyCodeGroup(const IG_SIG_CALL *Call, IG_SIG_KIND Kind, const uint32_t *Ids, uint32_t Count)
{
    const INTRO_EXC_VIOLATION *vio = Call->Ev->Vio;
    bool user = Call->Kind == INTRO_EXC_KIND_USER || Call->Kind == INTRO_EXC_KIND_USER_GLOB;
    bool medium = Kind == IgSigCodeBlocks ? user : Call->Kind != INTRO_EXC_KIND_KERNEL;
    IG_CB_LEVEL level = medium ? IgCbLevelMedium : IgCbLevelNormal;
    bool need64 = IgUserNeed64(Call);
    IG_VIOLATION_MEMORY memory;
    IG_GUEST_VMEM vmem;
    const IG_EXC_ENV *env = Call->Ev->Env;
    IG_CODE_CONTEXT *ctx = NULL;
    bool borrowed = false;
    uint32_t csType = vio->Memory.CsType;
    uint64_t rip;
    uint64_t cr3;
    INTSTATUS status = INT_STATUS_SIGNATURE_NOT_FOUND;

    if (csType == 0 && env && env->QueryCsType && !INT_SUCCESS(env->QueryCsType(env->Context, &csType)))
    {
        csType = 0;
    }
    if (csType != IG_CS_TYPE_32B && csType != IG_CS_TYPE_64B)
    {
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (user)
    {
        rip = vio->User.Rip;
        cr3 = IgUserCodeCr3(vio, &vio->User.Process);
        if (Kind == IgSigValueCode && vio->Guest.Os != INTRO_EXC_OS_LINUX &&
            (vio->User.PcType == 0x08 || vio->User.PcType == 0x20))
        {
            /* Heap spray and thread start: the victim process's code, as the victim sees it. */
            need64 = vio->Guest.Guest64 && !vio->Victim.Process.Wow64;
            cr3 = vio->Victim.Process.Cr3;
        }
    }
    else
    {
        rip = (Call->E->Flags & IG_FLG_KM_RETURN_DRV) ? vio->Kernel.Return.Rip : vio->Kernel.Original.Rip;
        cr3 = vio->Memory.SystemCr3; /* also for kernel-user writes from a user-mode injection (B9) */
    }
    if (rip == 0)
    {
        /* No code address (a return address the stack walk could not find, say): nothing to read, so
         * no match.  hvmi lets the group pass (B8, fixed: docs/compat.md). */
        *Call->Unreadable = true;
        return INT_STATUS_SIGNATURE_NOT_FOUND;
    }
    IgViolationMemory(Call->Ev, &memory, &vmem);

    if (Kind == IgSigCodeBlocks)
    {
        IG_CB_REQUEST req = {&vmem, cr3, rip, user && vio->User.Execute, csType == IG_CS_TYPE_64B, level};

        ctx = IgAcquireCode(Call->Ev, &borrowed);
        if (!ctx)
        {
            return INT_STATUS_NOT_INITIALIZED;
        }
        status = IgCbExtract(ctx, &req);
        if (!INT_SUCCESS(status))
        {
            goto cleanup;
        }
        status = INT_STATUS_SIGNATURE_NOT_FOUND; /* no hashes: the signatures are not looked at */
    }

    for (uint32_t i = 0; i < Count && (Kind != IgSigCodeBlocks || ctx->HashCount); i++)
    {
        const IG_SIGNATURE *sig = IgFindSignature(Call, Ids[i]);
        IG_SIG_ARRAYS arrays;
        bool matched;

        if (!sig || sig->Kind != (uint8_t)Kind || !IgSignatureApplies(Call, sig, need64))
        {
            continue;
        }
        arrays = IgArraysOf(Call, sig);
        matched = Kind == IgSigCodeBlocks
                      ? IgSigCodeBlocksMatch(&arrays, sig, ctx, level)
                      : IgSigValueCodeMatch(&arrays, sig, &vmem, cr3, rip, level) == IgValueCodeMatched;
        if (matched)
        {
            status = INT_STATUS_SIGNATURE_MATCHED;
            break;
        }
    }

cleanup:
    IgReleaseCode(Call->Ev, ctx, borrowed);
    return status;
}

/* The victim side of an export group: where the write or injection lands, in which module. */
static INTSTATUS IgExportVictim(const IG_SIG_CALL *Call, IG_EXPORT_VICTIM *Victim, bool *Need64)
{
    const INTRO_EXC_VIOLATION *vio = Call->Ev->Vio;
    const INTRO_EXC_VICTIM *v = &vio->Victim;

    memset(Victim, 0, sizeof(*Victim));
    *Need64 = vio->Guest.Guest64;
    if (v->ZoneType == INTRO_EXC_ZONE_EPT)
    {
        Victim->Gva = v->u.Ept.Gva;
        Victim->AccessSize = v->v.WriteInfo.AccessSize;
    }
    else if (v->ZoneType == INTRO_EXC_ZONE_PROCESS)
    {
        Victim->Gva = v->u.Injection.Gva;
        Victim->AccessSize = v->u.Injection.Length;
    }
    else
    {
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (Call->Kind == INTRO_EXC_KIND_USER && vio->Guest.Os != INTRO_EXC_OS_LINUX && vio->Guest.Guest64)
    {
        *Need64 = v->ZoneType == INTRO_EXC_ZONE_PROCESS ? !v->Process.Wow64 : !vio->User.Process.Wow64;
    }
    Victim->HasModule = v->Library;
    Victim->ModuleBase = v->LibraryBase;
    Victim->ModuleNameHash = v->LibraryNameHash;
    Victim->Cr3 = v->Process.Cr3 ? v->Process.Cr3 : vio->Memory.CurrentCr3;
    return INT_STATUS_SUCCESS;
}

/*
 * Export groups of user and kernel-user exceptions (signatures.md §2.2).  The directory is copied
 * into the code context's scratch; without a context the group is an internal error.
 */
static INTSTATUS IgVerifyExportGroup(const IG_SIG_CALL *Call, const uint32_t *Ids, uint32_t Count)
{
    IG_VIOLATION_MEMORY memory;
    IG_GUEST_VMEM vmem;
    IG_EXPORT_VICTIM victim;
    IG_EXPORT_STATE state;
    IG_CODE_CONTEXT *ctx;
    bool borrowed;
    bool need64;
    INTSTATUS status;

    status = IgExportVictim(Call, &victim, &need64);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!victim.HasModule)
    {
        return INT_STATUS_SIGNATURE_NOT_FOUND;
    }
    ctx = IgAcquireCode(Call->Ev, &borrowed);
    if (!ctx)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    IgViolationMemory(Call->Ev, &memory, &vmem);
    status = IgSigExportPrepare(&vmem, &victim, ctx->ExportScratch, ctx->ExportScratchSize, &state);
    IgReleaseCode(Call->Ev, ctx, borrowed);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (state.Kind == IgExportUnreadable)
    {
        /* Headers or directory not readable (paged out, or page tables the guest broke): no match.
         * hvmi, with no export cache yet, lets the group pass (docs/compat.md). */
        *Call->Unreadable = true;
        return INT_STATUS_SIGNATURE_NOT_FOUND;
    }
    if (state.Kind != IgExportReady)
    {
        return INT_STATUS_SIGNATURE_NOT_FOUND; /* malformed directory: see docs/compat.md */
    }
    for (uint32_t i = 0; i < Count; i++)
    {
        const IG_SIGNATURE *sig = IgFindSignature(Call, Ids[i]);
        IG_SIG_ARRAYS arrays;

        if (!sig || sig->Kind != (uint8_t)IgSigExport || !IgSignatureApplies(Call, sig, need64))
        {
            continue;
        }
        arrays = IgArraysOf(Call, sig);
        if (IgSigExportMatch(&arrays, sig, i, &state))
        {
            return INT_STATUS_SIGNATURE_MATCHED;
        }
    }
    return INT_STATUS_SIGNATURE_NOT_FOUND;
}

/* One type group: OR over its IDs (§1.4, looked up by ID). */
static INTSTATUS IgVerifyGroup(const IG_SIG_CALL *Call, IG_SIG_KIND Kind, const uint32_t *Ids, uint32_t Count)
{
    const INTRO_EXC_VIOLATION *vio = Call->Ev->Vio;
    IG_VALUE_INPUT value = {0};
    uint8_t vector = 0;
    bool need64 = vio->Guest.Guest64;
    INTSTATUS status;

    switch (Kind)
    {
        case IgSigExport:
            if (Call->Kind == INTRO_EXC_KIND_KERNEL || Call->Kind == INTRO_EXC_KIND_USER_GLOB)
            {
                return INT_STATUS_SIGNATURE_MATCHED; /* hvmi warns and passes (B10) */
            }
            return IgVerifyExportGroup(Call, Ids, Count);
        case IgSigCodeBlocks:
        case IgSigValueCode:
            return IgVerifyCodeGroup(Call, Kind, Ids, Count);
        case IgSigProcessCreation:
            if (Call->Kind == INTRO_EXC_KIND_KERNEL)
            {
                return INT_STATUS_NOT_SUPPORTED;
            }
            break;
        case IgSigIdt:
        {
            const INTRO_EXC_VICTIM *v = &vio->Victim;
            uint32_t d = vio->Guest.Guest64 ? 16 : 8;
            uint64_t offset;

            if (Call->Kind != INTRO_EXC_KIND_KERNEL)
            {
                return INT_STATUS_SIGNATURE_NOT_FOUND;
            }
            if (v->ObjectType == INTRO_EXC_OBJ_IDT && v->ZoneType == INTRO_EXC_ZONE_INTEGRITY)
            {
                offset = v->u.Integrity.Offset;
            }
            else if (v->ObjectType == INTRO_EXC_OBJ_IDT)
            {
                offset = v->u.Ept.Gva - v->BaseAddress; /* wraps below the base: caught below */
            }
            else if (v->ObjectType == INTRO_EXC_OBJ_INTERRUPT_OBJECT)
            {
                offset = (uint64_t)v->u.Integrity.InterruptObjIndex * d;
            }
            else
            {
                return INT_STATUS_NOT_SUPPORTED;
            }
            /* A write outside the 256 descriptors is no vector: hvmi truncates it to one (docs/compat.md). */
            if (offset / d > 0xFF)
            {
                return INT_STATUS_SIGNATURE_NOT_FOUND;
            }
            vector = (uint8_t)(offset / d);
            break;
        }
        case IgSigValue:
            need64 = IgUserNeed64(Call);
            status = IgValueInput(Call, &value);
            if (!INT_SUCCESS(status))
            {
                return status;
            }
            break;
        default:
            break;
    }

    for (uint32_t i = 0; i < Count; i++)
    {
        const IG_SIGNATURE *sig = IgFindSignature(Call, Ids[i]);

        if (!sig || sig->Kind != (uint8_t)Kind || !IgSignatureApplies(Call, sig, need64))
        {
            continue;
        }
        switch (Kind)
        {
            case IgSigVersionOs:
                status = IgEvalVersionOs(Call, sig);
                break;
            case IgSigVersionIntro:
                status = IgEvalVersionIntro(Call, sig);
                break;
            case IgSigProcessCreation:
                status = IgEvalProcessCreation(Call, sig);
                break;
            case IgSigIdt:
                status = IgEvalIdt(Call, sig, vector);
                break;
            case IgSigValue:
                status = IgEvalValue(Call, sig, &value);
                break;
            default:
                status = INT_STATUS_NOT_SUPPORTED;
                break;
        }
        if (status != INT_STATUS_SIGNATURE_NOT_FOUND)
        {
            return status; /* matched or an error */
        }
    }
    return INT_STATUS_SIGNATURE_NOT_FOUND;
}

static uint32_t IgReasonOfKind(IG_SIG_KIND Kind)
{
    switch (Kind)
    {
        case IgSigVersionOs:
            return INTRO_EXC_REASON_VERSION_OS_NOT_MATCHED;
        case IgSigVersionIntro:
            return INTRO_EXC_REASON_VERSION_INTRO_NOT_MATCHED;
        case IgSigProcessCreation:
            return INTRO_EXC_REASON_PROCESS_CREATION_NOT_MATCHED;
        case IgSigExport:
            return INTRO_EXC_REASON_EXPORT_NOT_MATCHED;
        case IgSigValue:
            return INTRO_EXC_REASON_VALUE_NOT_MATCHED;
        case IgSigIdt:
            return INTRO_EXC_REASON_IDT_NOT_MATCHED;
        case IgSigValueCode:
            return INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED;
        case IgSigCodeBlocks:
            return INTRO_EXC_REASON_SIGNATURE_NOT_MATCHED;
        default:
            return INTRO_EXC_REASON_INTERNAL_ERROR;
    }
}

INTSTATUS IgExceptVerifySignatures(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t Kind,
                                   const IG_EXC_ORIGIN *Origin, uint32_t *Reason, uint32_t *Check)
{
    const INTRO_EXC_VICTIM *v = &Ev->Vio->Victim;
    const uint32_t *ids = Origin->SigIds ? Origin->SigIds + E->SigFirst : NULL;
    bool unreadable = false;
    IG_SIG_CALL call = {Ev, E, Kind, Origin, &unreadable};
    uint32_t i = 0;

    *Reason = INTRO_EXC_REASON_ALLOWED;
    *Check = INTRO_EXC_CHECK_SIGNATURES;

    if (IgExceptNeedsExport(Kind, v))
    {
        bool hasExport = false;

        for (uint32_t k = 0; ids && k < E->SigCount; k++)
        {
            hasExport |= IG_SIG_ID_TYPE(ids[k]) == IgSigTypeExport;
        }
        if (!hasExport)
        {
            *Reason = INTRO_EXC_REASON_EXPORT_NOT_MATCHED;
            return INT_STATUS_SIGNATURE_NOT_FOUND;
        }
    }

    while (ids && i < E->SigCount)
    {
        uint32_t type = IG_SIG_ID_TYPE(ids[i]);
        IG_SIG_KIND kind = IgSigKindFromType(type);
        uint32_t j = i;
        INTSTATUS status;

        while (j < E->SigCount && IG_SIG_ID_TYPE(ids[j]) == type)
        {
            j++;
        }
        if (kind == IgSigKindCount)
        {
            *Reason = INTRO_EXC_REASON_INTERNAL_ERROR;
            return INT_STATUS_NOT_SUPPORTED;
        }
        unreadable = false; /* only the failing group's own reads count */
        status = IgVerifyGroup(&call, kind, ids + i, j - i);
        if (status == INT_STATUS_SIGNATURE_NOT_FOUND)
        {
            *Reason = IgReasonOfKind(kind);
            *Check = unreadable ? INTRO_EXC_CHECK_UNREADABLE : INTRO_EXC_CHECK_SIGNATURES;
            return status;
        }
        if (!INT_SUCCESS(status))
        {
            *Reason = INTRO_EXC_REASON_INTERNAL_ERROR;
            return status;
        }
        i = j;
    }
    return INT_STATUS_SIGNATURE_MATCHED;
}
