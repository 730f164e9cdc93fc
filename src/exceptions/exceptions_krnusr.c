/*
 * Kernel-user search and victim matcher (spec/matching.md §2.5, §3.4): kernel-mode writes into
 * protected user-mode modules, including the kernel half of cross-process injections.
 */
#include "exceptions_int.h"

bool IgExceptKernelInitOk(const INTRO_EXC_VIOLATION *Vio, uint32_t Flags);

static bool IgKumMismatched(const INTRO_EXC_KM_ORIGINATOR *O, uint32_t Flags)
{
    return ((Flags & IG_FLG_KUM_KERNEL) && O->InjectionUser) || ((Flags & IG_FLG_KUM_USER) && O->InjectionKernel);
}

INTSTATUS IgExceptMatchVictimKernelUser(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t *Failed)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;
    const INTRO_EXC_KM_ORIGINATOR *o = &vio->Kernel;
    const INTRO_EXC_VICTIM *v = &vio->Victim;
    uint32_t f = E->Flags;
    bool injection = o->InjectionUser || o->InjectionKernel;
    bool gated = (f & (IG_FLG_KUM_USER | IG_FLG_KUM_KERNEL)) != 0;
    bool arch;

    if (injection != gated || IgKumMismatched(o, f))
    {
        *Failed = INTRO_EXC_CHECK_INJECTION;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    if (!(((f & IG_FLG_READ) && (v->ZoneFlags & INTRO_EXC_ZONE_READ)) ||
          ((f & IG_FLG_EXECUTE) && (v->ZoneFlags & INTRO_EXC_ZONE_EXECUTE)) ||
          ((f & IG_FLG_WRITE) && (v->ZoneFlags & INTRO_EXC_ZONE_WRITE))))
    {
        *Failed = INTRO_EXC_CHECK_ACCESS;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    arch = ((f & IG_FLG_32) && (f & IG_FLG_64)) || ((f & IG_FLG_64) && !(f & IG_FLG_32) && vio->Guest.Guest64) ||
           ((f & IG_FLG_32) && !(f & IG_FLG_64) && !vio->Guest.Guest64);
    if (!arch)
    {
        *Failed = INTRO_EXC_CHECK_ARCH;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    /* No special names here: `[own]`, `[kernel]` and `[hal]` are literal values (spec §6.6). */
    if (E->Victim != 0 && E->Victim != v->NameHash)
    {
        *Failed = INTRO_EXC_CHECK_VICTIM_NAME;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    if (E->Process != 0 && (vio->Guest.Os == INTRO_EXC_OS_LINUX || E->Process != v->Process.NameHash))
    {
        *Failed = INTRO_EXC_CHECK_PROCESS;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    switch (E->ObjectType)
    {
        case IgKumObjAny:
            break;
        case IgKumObjModule:
        case IgKumObjModuleImports:
        case IgKumObjModuleExports:
            if (v->ObjectType != INTRO_EXC_OBJ_UM_MODULE ||
                (E->ObjectType == IgKumObjModuleImports && !(v->ZoneFlags & INTRO_EXC_ZONE_LIB_IMPORTS)) ||
                (E->ObjectType == IgKumObjModuleExports && !(v->ZoneFlags & INTRO_EXC_ZONE_LIB_EXPORTS)))
            {
                *Failed = INTRO_EXC_CHECK_OBJECT_TYPE;
                return INT_STATUS_EXCEPTION_NOT_MATCHED;
            }
            break;
        default:
            *Failed = INTRO_EXC_CHECK_OBJECT_TYPE;
            return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    if ((f & IG_FLG_KM_NON_DRIVER) && o->Original.Present)
    {
        *Failed = INTRO_EXC_CHECK_NON_DRIVER;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    if ((f & IG_FLG_INIT) && !IgExceptKernelInitOk(vio, f))
    {
        *Failed = INTRO_EXC_CHECK_INIT;
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    return INT_STATUS_EXCEPTION_ALLOW;
}

INTSTATUS IgExceptSearchKernelUser(IG_EXC_EVAL *Ev)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Ev->Vio->Kernel;
    const IG_RULESET *set = Ev->Set;
    const IG_EXC_ORIGIN file = {INTRO_EXC_SOURCE_FILE, set->SigIds, 0};
    const IG_EXC_ALERT_LIST *alerts = Ev->Alerts ? &Ev->Alerts->KernelUser : NULL;
    uint32_t victim = Ev->Vio->Victim.NameHash;
    bool user = o->InjectionUser;
    bool unnamed = !user && o->Original.NameHash == INTRO_EXC_NO_NAME;
    uint32_t r = o->Return.NameHash;
    INTSTATUS status = INT_STATUS_EXCEPTION_NOT_MATCHED;
    IG_INDEX_CURSOR cur;
    uint32_t origs[4];
    uint32_t idx;
    uint32_t h;
    bool sameRip;

    if (IgExceptSameValue(&Ev->Vio->Victim))
    {
        Ev->Action = INTRO_EXC_ACTION_ALLOWED;
        Ev->Reason = INTRO_EXC_REASON_SAME_VALUE;
        return INT_STATUS_EXCEPTION_ALLOW;
    }

    if (user)
    {
        if (Ev->Vio->Guest.Os != INTRO_EXC_OS_WINDOWS && Ev->Vio->Guest.Os != INTRO_EXC_OS_LINUX)
        {
            return INT_STATUS_NOT_SUPPORTED;
        }
        h = o->Process.NameHash;
    }
    else
    {
        h = o->InjectionKernel ? r : o->Original.NameHash;
    }

    for (uint32_t i = 0; alerts && i < alerts->Count; i++)
    {
        const IG_EXCEPTION *e = &alerts->Items[i];
        IG_EXC_ORIGIN origin = {INTRO_EXC_SOURCE_ALERT, Ev->Alerts->SigIds, alerts->Contexts ? alerts->Contexts[i] : 0};

        if (IgKumMismatched(o, e->Flags))
        {
            continue;
        }
        if (e->Originator != INTRO_EXC_NAME_ANY && !(unnamed && e->Originator == IG_NAME_NONE))
        {
            if (e->Originator > h)
            {
                break;
            }
            if (e->Originator != h)
            {
                continue;
            }
        }
        status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &origin);
        if (status == INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }

    origs[0] = unnamed ? IG_NAME_NONE : IG_NAME_ANY;
    IgIndexBegin(&cur, &Ev->Set->Index, unnamed ? IgListKernelUserNoName : IgListKernelUserGeneric, origs, 1, victim);
    while (IgIndexNext(&cur, &idx))
    {
        status = IgExceptTry(Ev, &set->Exceptions[idx], INTRO_EXC_KIND_KERNEL_USER, &file);
        if (status == INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }

    sameRip = o->InjectionKernel && o->Original.Present && o->Return.Present && o->Original.Rip == o->Return.Rip;

    if (h != INTRO_EXC_NO_NAME)
    {
        origs[0] = h;
        IgIndexBegin(&cur, &Ev->Set->Index, (IG_LIST_ID)(IgListKernelUserBuckets + IG_BUCKET(h)), origs, 1, victim);
        while (IgIndexNext(&cur, &idx))
        {
            const IG_EXCEPTION *e = &set->Exceptions[idx];

            if (e->Originator != h || IgKumMismatched(o, e->Flags))
            {
                continue;
            }
            if ((e->Flags & IG_FLG_KUM_KERNEL) && (e->Flags & IG_FLG_KM_RETURN_DRV) && !sameRip)
            {
                continue;
            }
            if ((e->Flags & IG_FLG_RETURN) && !sameRip)
            {
                continue;
            }
            status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &file);
            if (status == INT_STATUS_EXCEPTION_ALLOW)
            {
                return status;
            }
        }
    }

    if (!sameRip && !user && r != INTRO_EXC_NO_NAME)
    {
        origs[0] = r;
        IgIndexBegin(&cur, &Ev->Set->Index, (IG_LIST_ID)(IgListKernelUserBuckets + IG_BUCKET(r)), origs, 1, victim);
        while (IgIndexNext(&cur, &idx))
        {
            const IG_EXCEPTION *e = &set->Exceptions[idx];

            if (e->Originator != r || (e->Flags & IG_FLG_KUM_USER) || !(e->Flags & IG_FLG_KM_RETURN_DRV) ||
                !(e->Flags & IG_FLG_RETURN))
            {
                continue;
            }
            status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &file);
            if (status == INT_STATUS_EXCEPTION_ALLOW)
            {
                return status;
            }
        }
    }

    /*
     * Feedback list.  For user injections a RETURN exception skips the name test entirely
     * (spec §6.17), so any originator can be selected: walk the whole list then.
     */
    {
        const IG_RANGE *list = &set->Lists[IgListKernelUserFeedback];
        uint32_t pos = 0;

        origs[0] = IG_NAME_ANY;
        origs[1] = IG_NAME_NONE;
        origs[2] = user ? o->Process.NameHash : o->Original.NameHash;
        origs[3] = r;
        IgIndexBegin(&cur, &Ev->Set->Index, IgListKernelUserFeedback, origs, 4, victim);
        for (;;)
        {
            const IG_EXCEPTION *e;

            if (user)
            {
                if (pos >= list->Count)
                {
                    break;
                }
                idx = set->ListItems[list->First + pos++];
            }
            else if (!IgIndexNext(&cur, &idx))
            {
                break;
            }
            e = &set->Exceptions[idx];
            if (IgKumMismatched(o, e->Flags))
            {
                continue;
            }
            if (e->Originator != INTRO_EXC_NAME_ANY && !(unnamed && e->Originator == IG_NAME_NONE))
            {
                if (e->Flags & IG_FLG_RETURN)
                {
                    if (!user && e->Originator != r)
                    {
                        continue;
                    }
                }
                else if (e->Originator != (user ? o->Process.NameHash : o->Original.NameHash))
                {
                    continue;
                }
            }
            status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &file);
            if (status == INT_STATUS_EXCEPTION_ALLOW)
            {
                return status;
            }
        }
    }
    return status;
}
