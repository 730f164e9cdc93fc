/*
 * The kernel-mode victim matcher (spec/matching.md §3.1) and the INIT chain it shares with the
 * kernel-user matcher.
 */
#include "exceptions_int.h"

#include <string.h>

static bool IgAccessMatches(uint32_t Flags, uint64_t ZoneFlags)
{
    return ((Flags & IG_FLG_READ) && (ZoneFlags & INTRO_EXC_ZONE_READ)) ||
           ((Flags & IG_FLG_EXECUTE) && (ZoneFlags & INTRO_EXC_ZONE_EXECUTE)) ||
           ((Flags & IG_FLG_WRITE) && (ZoneFlags & INTRO_EXC_ZONE_WRITE));
}

static bool IgGuestArchMatches(uint32_t Flags, bool Guest64)
{
    if ((Flags & IG_FLG_32) && (Flags & IG_FLG_64))
    {
        return true;
    }
    if (Flags & IG_FLG_64)
    {
        return Guest64;
    }
    if (Flags & IG_FLG_32)
    {
        return !Guest64;
    }
    return false;
}

static bool IgSectionIsInit(const char *Section, bool Linux)
{
    return memcmp(Section, Linux ? "init" : "INIT", 4) == 0;
}

bool IgExceptKernelInitOk(const INTRO_EXC_VIOLATION *Vio, uint32_t Flags)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Vio->Kernel;
    const INTRO_EXC_VICTIM *v = &Vio->Victim;
    bool linuxGuest = Vio->Guest.Os == INTRO_EXC_OS_LINUX;
    /* OldValue[0] is the read value or the RSP for other zones: hvmi reads it regardless (spec §6.22). */
    uint64_t old0 = v->v.WriteInfo.OldValue[0];

    if (v->ZoneType == INTRO_EXC_ZONE_INTEGRITY && old0 == 0)
    {
        return true;
    }
    if ((Flags & IG_FLG_KM_RETURN_DRV) && o->Return.NameHash == INTRO_EXC_NAME_KERNEL)
    {
        return IgSectionIsInit(o->Return.Section, linuxGuest);
    }
    if (o->Original.NameHash == INTRO_EXC_NAME_KERNEL)
    {
        return IgSectionIsInit(o->Original.Section, linuxGuest);
    }
    if (o->IsEntryPoint)
    {
        return true;
    }
    return old0 == 0;
}

static bool IgOwnVictim(const INTRO_EXC_VIOLATION *Vio, uint32_t Flags)
{
    const INTRO_EXC_KM_DRIVER *d = (Flags & IG_FLG_KM_RETURN_DRV) ? &Vio->Kernel.Return : &Vio->Kernel.Original;
    const INTRO_EXC_VICTIM *v = &Vio->Victim;

    if (!d->Present)
    {
        return false;
    }
    if (v->ObjectType == INTRO_EXC_OBJ_KM_MODULE)
    {
        return v->BaseAddress == d->Base;
    }
    if (Vio->Guest.Os != INTRO_EXC_OS_LINUX &&
        (v->ObjectType == INTRO_EXC_OBJ_DRIVER_OBJECT || v->ObjectType == INTRO_EXC_OBJ_FAST_IO_DISPATCH))
    {
        return v->DriverObjectGpa != 0 && d->DriverObjectGpa != 0 && v->DriverObjectGpa == d->DriverObjectGpa;
    }
    return false;
}

static bool IgKernelObjectMatches(uint8_t Type, const INTRO_EXC_VICTIM *V)
{
    bool module = V->ObjectType == INTRO_EXC_OBJ_KM_MODULE;
    uint32_t t = V->ObjectType;

    switch (Type)
    {
        case IgKmObjAny:
            return true;
        case IgKmObjDriver:
            return module;
        case IgKmObjDriverImports:
            return module && (V->ZoneFlags & INTRO_EXC_ZONE_LIB_IMPORTS);
        case IgKmObjDriverExports:
            return module && (V->ZoneFlags & INTRO_EXC_ZONE_LIB_EXPORTS);
        case IgKmObjDriverCode:
            return (module && (V->ZoneFlags & INTRO_EXC_ZONE_LIB_CODE)) || t == INTRO_EXC_OBJ_VSYSCALL ||
                   t == INTRO_EXC_OBJ_VDSO;
        case IgKmObjDriverData:
            return module && (V->ZoneFlags & INTRO_EXC_ZONE_LIB_DATA);
        case IgKmObjDriverResources:
            return module && (V->ZoneFlags & INTRO_EXC_ZONE_LIB_RESOURCES);
        case IgKmObjSsdt:
            return t == INTRO_EXC_OBJ_SSDT;
        case IgKmObjDrvObj:
            return t == INTRO_EXC_OBJ_DRIVER_OBJECT;
        case IgKmObjFastIo:
            return t == INTRO_EXC_OBJ_FAST_IO_DISPATCH;
        case IgKmObjMsr:
            return V->ZoneType == INTRO_EXC_ZONE_MSR;
        case IgKmObjCr4:
            return V->ZoneType == INTRO_EXC_ZONE_CR;
        case IgKmObjHalHeap:
            return V->ZoneType == INTRO_EXC_ZONE_EPT &&
                   (t == INTRO_EXC_OBJ_HAL_INT_CONTROLLER || t == INTRO_EXC_OBJ_HAL_HEAP);
        case IgKmObjSudExec:
            return V->ZoneType == INTRO_EXC_ZONE_EPT && t == INTRO_EXC_OBJ_SUD_EXEC;
        case IgKmObjSelfMap:
            return V->ZoneType == INTRO_EXC_ZONE_EPT && t == INTRO_EXC_OBJ_SELF_MAP_ENTRY;
        case IgKmObjIdt:
            return (V->ZoneType == INTRO_EXC_ZONE_EPT || V->ZoneType == INTRO_EXC_ZONE_INTEGRITY) &&
                   t == INTRO_EXC_OBJ_IDT;
        case IgKmObjIdtReg:
            return V->ZoneType == INTRO_EXC_ZONE_DTR && t == INTRO_EXC_OBJ_IDTR;
        case IgKmObjGdtReg:
            return V->ZoneType == INTRO_EXC_ZONE_DTR && t == INTRO_EXC_OBJ_GDTR;
        case IgKmObjInfinityHook:
            return t == INTRO_EXC_OBJ_KM_LOGGER_CONTEXT;
        case IgKmObjTokenPrivs:
            return t == INTRO_EXC_OBJ_TOKEN_PRIVS;
        case IgKmObjHalPerfCounter:
            return t == INTRO_EXC_OBJ_HAL_PERF_COUNTER;
        case IgKmObjSecDesc:
            return t == INTRO_EXC_OBJ_SEC_DESC;
        case IgKmObjAclEdit:
            return t == INTRO_EXC_OBJ_ACL;
        case IgKmObjSudModification:
            return t == INTRO_EXC_OBJ_SUD_INTEGRITY;
        case IgKmObjInterruptObj:
            return t == INTRO_EXC_OBJ_INTERRUPT_OBJECT;
        default:
            return false; /* none or unknown: hvmi logs a "corruption" line */
    }
}

INTSTATUS IgExceptMatchVictimKernel(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t *Failed)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;
    const INTRO_EXC_VICTIM *v = &vio->Victim;
    uint32_t f = E->Flags;

    if (!IgAccessMatches(f, v->ZoneFlags))
    {
        *Failed = INTRO_EXC_CHECK_ACCESS;
        goto not_matched;
    }
    if ((f & IG_FLG_KM_INTEGRITY) && v->ZoneType != INTRO_EXC_ZONE_INTEGRITY)
    {
        *Failed = INTRO_EXC_CHECK_INTEGRITY;
        goto not_matched;
    }
    if ((f & IG_FLG_KM_NON_DRIVER) && vio->Kernel.Original.Present)
    {
        *Failed = INTRO_EXC_CHECK_NON_DRIVER;
        goto not_matched;
    }
    if (!IgGuestArchMatches(f, vio->Guest.Guest64))
    {
        *Failed = INTRO_EXC_CHECK_ARCH;
        goto not_matched;
    }
    if (E->Victim != INTRO_EXC_NAME_ANY && E->Victim != v->NameHash &&
        !(E->Victim == INTRO_EXC_NAME_OWN && IgOwnVictim(vio, f)))
    {
        *Failed = INTRO_EXC_CHECK_VICTIM_NAME;
        goto not_matched;
    }
    if (!IgKernelObjectMatches(E->ObjectType, v))
    {
        *Failed = INTRO_EXC_CHECK_OBJECT_TYPE;
        goto not_matched;
    }
    if ((f & IG_FLG_INIT) && !IgExceptKernelInitOk(vio, f))
    {
        *Failed = INTRO_EXC_CHECK_INIT;
        goto not_matched;
    }
    if (E->ObjectType == IgKmObjCr4)
    {
        bool both = (f & IG_FLG_KM_SMAP) && (f & IG_FLG_KM_SMEP);
        bool smap = (f & IG_FLG_KM_SMAP) && v->u.Cr.Smap;
        bool smep = (f & IG_FLG_KM_SMEP) && v->u.Cr.Smep;

        if (!both && !smap && !smep)
        {
            *Failed = INTRO_EXC_CHECK_CR4;
            goto not_matched;
        }
    }
    return INT_STATUS_EXCEPTION_ALLOW;

not_matched:
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}
