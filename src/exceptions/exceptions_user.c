/*
 * The user-mode victim matchers, hash and glob (spec/matching.md §3.2, §3.3), and the
 * initialisation-injection extra check (§3.5).
 */
#include "exceptions_int.h"

#define IG_PEB32_CONTEXT_OFFSET 0x238u
#define IG_PEB64_CONTEXT_OFFSET 0x368u

static bool IgUserAccessMatches(uint32_t Flags, uint64_t ZoneFlags)
{
    return ((Flags & IG_FLG_READ) && (ZoneFlags & INTRO_EXC_ZONE_READ)) ||
           ((Flags & IG_FLG_EXECUTE) && (ZoneFlags & INTRO_EXC_ZONE_EXECUTE)) ||
           ((Flags & IG_FLG_WRITE) && (ZoneFlags & INTRO_EXC_ZONE_WRITE));
}

static bool IgInRange(uint64_t Address, uint64_t Start, uint64_t Size)
{
    return Address >= Start && Address - Start < Size;
}

static bool IgUserObjectMatches(const INTRO_EXC_VIOLATION *Vio, uint8_t Type)
{
    const INTRO_EXC_VICTIM *v = &Vio->Victim;
    bool processZone = v->ZoneType == INTRO_EXC_ZONE_PROCESS;
    uint64_t zf = v->ZoneFlags;

    switch (Type)
    {
        case IgUmObjAny:
            return true;
        case IgUmObjProcess:
            /* MODULE_LOAD is not excluded (spec §6.7). */
            return processZone && !(zf & (INTRO_EXC_ZONE_PROC_THREAD_CTX | INTRO_EXC_ZONE_PROC_THREAD_APC |
                                          INTRO_EXC_ZONE_PROC_INSTRUMENT));
        case IgUmObjModule:
            return v->ObjectType == INTRO_EXC_OBJ_UM_MODULE;
        case IgUmObjModuleImports:
            return v->ObjectType == INTRO_EXC_OBJ_UM_MODULE && (zf & INTRO_EXC_ZONE_LIB_IMPORTS);
        case IgUmObjModuleExports:
            return v->ObjectType == INTRO_EXC_OBJ_UM_MODULE && (zf & INTRO_EXC_ZONE_LIB_EXPORTS);
        case IgUmObjNxZone:
            return v->ObjectType == INTRO_EXC_OBJ_UM_GENERIC_NX_ZONE;
        case IgUmObjSudExec:
            return v->ObjectType == INTRO_EXC_OBJ_SUD_EXEC;
        case IgUmObjThreadContext:
            return processZone && (zf & INTRO_EXC_ZONE_PROC_THREAD_CTX);
        case IgUmObjApcThread:
            return processZone && (zf & INTRO_EXC_ZONE_PROC_THREAD_APC);
        case IgUmObjInstrumentation:
            return processZone && (zf & INTRO_EXC_ZONE_PROC_INSTRUMENT);
        case IgUmObjPeb32:
        case IgUmObjPeb64:
            /*
             * hvmi reads Injection.Gva (Ept.Gva for EPT victims) with no zone check and assumes a
             * Windows process; on Linux that is undefined there, here it simply does not match.
             */
            if (Vio->Guest.Os == INTRO_EXC_OS_LINUX || !v->Process.Present)
            {
                return false;
            }
            return Type == IgUmObjPeb32 ? IgInRange(v->u.Injection.Gva, v->Process.Peb32Address, Vio->Guest.Peb32Size)
                                        : IgInRange(v->u.Injection.Gva, v->Process.Peb64Address, Vio->Guest.Peb64Size);
        case IgUmObjProcessCreation:
            return v->ObjectType == INTRO_EXC_OBJ_PROCESS_CREATION && v->ZoneType == INTRO_EXC_ZONE_PC;
        case IgUmObjProcessCreationDpi:
            return v->ObjectType == INTRO_EXC_OBJ_PROCESS_CREATION_DPI && v->ZoneType == INTRO_EXC_ZONE_PC;
        case IgUmObjDoubleAgent:
            return processZone && (zf & INTRO_EXC_ZONE_MODULE_LOAD);
        default:
            return false;
    }
}

static bool IgUserArchMatches(const INTRO_EXC_VIOLATION *Vio, uint32_t Flags)
{
    bool wow64 = Vio->Guest.Os != INTRO_EXC_OS_LINUX && Vio->User.Process.Wow64;

    if ((Flags & IG_FLG_32) && (Flags & IG_FLG_64))
    {
        return true;
    }
    if (Flags & IG_FLG_32)
    {
        return !Vio->Guest.Guest64 || wow64;
    }
    if (Flags & IG_FLG_64)
    {
        return Vio->Guest.Guest64 && !wow64;
    }
    return false;
}

static bool IgGlobName(const char *Pattern, const INTRO_EXC_NAME *Name)
{
    return Name->Text && IgGlobMatch(Pattern, Name->Text, Name->Length);
}

static bool IgGlobVictimName(const char *Pattern, const INTRO_EXC_VICTIM *V)
{
    const uint64_t lib =
        INTRO_EXC_ZONE_LIB_CODE | INTRO_EXC_ZONE_LIB_EXPORTS | INTRO_EXC_ZONE_LIB_IMPORTS | INTRO_EXC_ZONE_LIB_DATA;
    INTRO_EXC_NAME name = V->Name;

    /*
     * Without a LIB_* flag hvmi reads the victim name as 8-bit text; a UTF-16 name then ends
     * after its first character (spec §6.13).
     */
    if (!(V->ZoneFlags & lib) && name.Wide && name.Length > 1)
    {
        name.Length = 1;
    }
    return IgGlobName(Pattern, &name);
}

INTSTATUS IgExceptMatchVictimUser(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, bool Glob, uint32_t *Failed)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;
    const INTRO_EXC_VICTIM *v = &vio->Victim;
    const INTRO_EXC_PROCESS *orig = &vio->User.Process;
    const IG_GLOB *glob = Glob ? &Ev->Set->Globs[E->Glob] : NULL;
    const char *text = Glob ? Ev->Set->GlobText : NULL;
    bool linuxGuest = vio->Guest.Os == INTRO_EXC_OS_LINUX;
    uint32_t f = E->Flags;

    if (!IgUserAccessMatches(f, v->ZoneFlags))
    {
        *Failed = INTRO_EXC_CHECK_ACCESS;
        goto not_matched;
    }
    if (Glob ? !IgGlobVictimName(text + glob->Victim, v)
             : (E->Victim != INTRO_EXC_NAME_ANY && E->Victim != v->NameHash))
    {
        *Failed = INTRO_EXC_CHECK_VICTIM_NAME;
        goto not_matched;
    }
    if (Glob)
    {
        INTRO_EXC_NAME name = {orig->Name, orig->NameLength, false};

        if (linuxGuest)
        {
            name.Text = orig->PathName;
            name.Length = orig->PathNameLength;
        }
        if (!IgGlobName(text + glob->Process, &name))
        {
            *Failed = INTRO_EXC_CHECK_PROCESS;
            goto not_matched;
        }
    }
    else if (E->Process != 0 && E->Process != orig->NameHash) /* the originator's process (spec §6.12) */
    {
        *Failed = INTRO_EXC_CHECK_PROCESS;
        goto not_matched;
    }
    if (!IgUserObjectMatches(vio, E->ObjectType))
    {
        *Failed = INTRO_EXC_CHECK_OBJECT_TYPE;
        goto not_matched;
    }
    if (!IgUserArchMatches(vio, f))
    {
        *Failed = INTRO_EXC_CHECK_ARCH;
        goto not_matched;
    }
    if ((f & IG_FLG_UM_CHILD_PROC) && (v->ZoneType == INTRO_EXC_ZONE_PROCESS || v->ZoneType == INTRO_EXC_ZONE_PC))
    {
        if (!v->Process.Present || !orig->Present || v->Process.ParentAddress != orig->Address)
        {
            *Failed = INTRO_EXC_CHECK_CHILD;
            goto not_matched;
        }
    }
    if (!linuxGuest)
    {
        bool creation = v->ObjectType == INTRO_EXC_OBJ_PROCESS_CREATION;

        if (f & IG_FLG_UM_SYS_PROC)
        {
            const INTRO_EXC_PROCESS *p = creation ? &v->Process : orig;

            if (!p->Present || !p->System)
            {
                *Failed = INTRO_EXC_CHECK_SYSTEM_PROCESS;
                goto not_matched;
            }
        }
        if (f & IG_FLG_UM_LIKE_APPHELP)
        {
            INTRO_EXC_PROCESS_STATE *s = v->Process.State;
            uint64_t address = 0;
            uint32_t size = 0;

            if (s)
            {
                IgProcessStateLock(s); /* the init check writes both together */
                address = s->InjectedApphelpAddress;
                size = s->InjectedApphelpSize;
                IgProcessStateUnlock(s);
            }
            /* Without a state block no apphelp injection was recorded: an injection of 0 bytes at 0 must
             * not pass for it. */
            if (!s || address != v->u.Injection.Gva || size != v->u.Injection.Length)
            {
                *Failed = INTRO_EXC_CHECK_APPHELP;
                goto not_matched;
            }
        }
        if (f & IG_FLG_UM_ONETIME)
        {
            INTRO_EXC_PROCESS_STATE *s = creation ? orig->State : v->Process.State;
            bool used = false;

            /* Consumed here, before extra checks and signatures (spec §6.5); test and set under the
             * lock, so of concurrent evaluations exactly one gets it. */
            if (s)
            {
                IgProcessStateLock(s);
                used = s->OneTimeInjectionDone;
                s->OneTimeInjectionDone = true;
                IgProcessStateUnlock(s);
            }
            if (used)
            {
                *Failed = INTRO_EXC_CHECK_ONE_TIME;
                goto not_matched;
            }
        }
    }
    return INT_STATUS_EXCEPTION_ALLOW;

not_matched:
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

/* ---- the initialisation-injection check (Windows) ------------------------------------------------------------ */

static bool IgPebWrite(uint64_t Peb, uint32_t PebSize, uint64_t Address, uint32_t Size, uint32_t ContextOffset,
                       uint32_t ContextSize, bool *ContextWritten)
{
    if (!IgInRange(Address, Peb, PebSize))
    {
        return false;
    }
    if (Address == Peb + ContextOffset && Size == ContextSize)
    {
        *ContextWritten = true;
    }
    return IgInRange(Address + Size, Peb, PebSize);
}

static bool IgIsInitializationDone(const INTRO_EXC_VIOLATION *Vio, const INTRO_EXC_PROCESS *P,
                                   INTRO_EXC_PROCESS_STATE *S)
{
    uint32_t build = Vio->Guest.OsVersion;

    if (Vio->Guest.Guest64 && build <= 7602 && S->InjectedApphelp)
    {
        if (P->Subsystem64 && P->Subsystem32)
        {
            return S->Peb64ContextWritten && S->Peb32ContextWritten;
        }
        if (P->Subsystem64 && S->Peb64ContextWritten)
        {
            return true;
        }
        return P->Subsystem32 && S->Peb32ContextWritten;
    }
    if (Vio->Guest.Guest64)
    {
        if (S->PebWrittenCount == 2 && P->Wow64 && P->ParentWow64 && S->InjectedApphelp && build < 9200)
        {
            S->InjectedApphelp = false;
            S->InjectionsCount = 0;
            S->PebWrittenCount = 0;
            return false;
        }
        if (S->PebWrittenCount == 2)
        {
            return true;
        }
        if (!P->Wow64 && S->PebWrittenCount == 1)
        {
            if (build >= 14393 && P->ParentWow64)
            {
                return true;
            }
            return !(build >= 9200 && P->ParentWow64);
        }
        return false;
    }
    if (S->PebWrittenCount == 1)
    {
        if (S->InjectedApphelp && build < 9200)
        {
            S->InjectedApphelp = false;
            S->InjectionsCount = 0;
            S->PebWrittenCount = 0;
            return false;
        }
        return true;
    }
    return false;
}

/* The check itself, with the state's lock held. */
static INTSTATUS IgUserInitCheckLocked(const INTRO_EXC_VIOLATION *Vio, const INTRO_EXC_PROCESS *p,
                                       INTRO_EXC_PROCESS_STATE *s)
{
    uint64_t gva = Vio->Victim.u.Injection.Gva;
    uint32_t length = Vio->Victim.u.Injection.Length;
    uint32_t build = Vio->Guest.OsVersion;
    uint32_t before;
    bool peb;

    if (!s->StartInitializing)
    {
        return INT_STATUS_EXCEPTION_CHECKS_FAILED;
    }
    if (s->Initialized)
    {
        if (!s->LastPebWriteDone && build <= 7602 && p->Wow64 &&
            ((gva == p->Peb64Address + IG_PEB64_CONTEXT_OFFSET && length == 8) ||
             (gva == p->Peb32Address + IG_PEB32_CONTEXT_OFFSET && length == 4)))
        {
            s->LastPebWriteDone = true;
            return INT_STATUS_EXCEPTION_CHECKS_OK;
        }
        return INT_STATUS_EXCEPTION_CHECKS_FAILED;
    }

    before = s->PebWrittenCount;
    s->InjectionsCount++;
    if (s->InjectionsCount == 1 && !s->InjectedApphelp)
    {
        bool ignore = false;

        if (length == 4 || (build < 9200 && length == 0x20))
        {
            ignore = true;
        }
        else if (length > 1000)
        {
            s->InjectedApphelp = true;
            s->InjectedApphelpAddress = gva;
            s->InjectedApphelpSize = length;
            ignore = true;
        }
        if (ignore)
        {
            s->InjectionsCount--;
            return INT_STATUS_EXCEPTION_CHECKS_OK;
        }
    }

    peb = false;
    if (Vio->Guest.Guest64)
    {
        peb = IgPebWrite(p->Peb64Address, Vio->Guest.Peb64Size, gva, length, IG_PEB64_CONTEXT_OFFSET, 8,
                         &s->Peb64ContextWritten);
    }
    if (!peb)
    {
        peb = IgPebWrite(p->Peb32Address, Vio->Guest.Peb32Size, gva, length, IG_PEB32_CONTEXT_OFFSET, 4,
                         &s->Peb32ContextWritten) ||
              (!p->Wow64 && p->ParentWow64 && s->PebWrittenCount == 1);
    }
    if (peb)
    {
        s->PebWrittenCount++;
    }

    if (build < 10240 && before == s->PebWrittenCount)
    {
        return INT_STATUS_EXCEPTION_CHECKS_OK;
    }
    if (IgIsInitializationDone(Vio, p, s))
    {
        s->Initialized = true;
    }
    return INT_STATUS_EXCEPTION_CHECKS_OK;
}

INTSTATUS IgExceptUserInitCheck(const INTRO_EXC_VIOLATION *Vio)
{
    const INTRO_EXC_PROCESS *p = &Vio->Victim.Process;
    INTRO_EXC_PROCESS_STATE *s = p->State;
    INTSTATUS status;

    if (!p->Present || !s)
    {
        return INT_STATUS_INVALID_INTERNAL_STATE;
    }
    /* The whole check is one read-modify-write of the block: concurrent injections into the same
     * process count one after the other. */
    IgProcessStateLock(s);
    status = IgUserInitCheckLocked(Vio, p, s);
    IgProcessStateUnlock(s);
    return status;
}
