/*
 * The kernel-user victim matcher (spec/matching.md §3.4): kernel-mode writes into protected
 * user-mode modules, including the kernel half of cross-process injections.
 */
#include "exceptions_int.h"

INTSTATUS IgExceptMatchVictimKernelUser(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t *Failed)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;
    const INTRO_EXC_KM_ORIGINATOR *o = &vio->Kernel;
    const INTRO_EXC_VICTIM *v = &vio->Victim;
    uint32_t f = E->Flags;
    bool injection = o->InjectionUser || o->InjectionKernel;
    bool gated = (f & (IG_FLG_KUM_USER | IG_FLG_KUM_KERNEL)) != 0;
    bool arch;

    if (injection != gated || IgExceptKumMismatched(o, f))
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
