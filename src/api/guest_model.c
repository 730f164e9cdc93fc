/*
 * The guest-model calls (include/introguard/intro_guest.h): the common prologue, then the
 * protection core under the guest's model lock held exclusive.
 */
#include <string.h>

#include "api_int.h"

/*
 * The prologue of every model call: a NULL handle is INVALID_PARAMETER_1, an unknown guest
 * NOT_INITIALIZED, a guest entering hibernate POWER_STATE_BLOCK; on success the guest is locked
 * and its model lock held exclusive (release with IgModelLeave).
 */
static INTSTATUS IgModelEnter(void *GuestHandle, IG_INSTANCE **Instance, IG_GUEST **Guest)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;

    *Instance = NULL;
    *Guest = NULL;
    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    instance = IgInstanceGet();
    guest = instance ? IgGuestAcquire(instance, GuestHandle) : NULL;
    if (guest == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    IgGuestLock(instance, guest);
    if (!IgGuestIsLive(guest) || guest->EnterHibernate)
    {
        INTSTATUS status = IgGuestIsLive(guest) ? INT_STATUS_POWER_STATE_BLOCK : INT_STATUS_NOT_INITIALIZED;

        IgGuestUnlock(instance, guest);
        IgGuestRelease(instance, guest);
        return status;
    }
    IgProtectLock(guest->Protect, true);
    *Instance = instance;
    *Guest = guest;
    return INT_STATUS_SUCCESS;
}

static void IgModelLeave(IG_INSTANCE *Instance, IG_GUEST *Guest)
{
    IgProtectUnlock(Guest->Protect, true);
    IgGuestUnlock(Instance, Guest);
    IgGuestRelease(Instance, Guest);
}

INTSTATUS IntGuestSetSystemCr3(void *GuestHandle, QWORD Cr3)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgProtectSetSystemCr3(guest->Protect, Cr3);
    IgModelLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntGuestAddModule(void *GuestHandle, DWORD Pid, const INTRO_GUEST_MODULE *Module)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgProtectAddModule(guest->Protect, Pid, Module);
    IgModelLeave(instance, guest);
    return status;
}

INTSTATUS IntGuestRemoveModule(void *GuestHandle, DWORD Pid, QWORD Base)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgProtectRemoveModule(guest->Protect, Pid, Base);
    IgModelLeave(instance, guest);
    return status;
}

INTSTATUS IntGuestAddProcess(void *GuestHandle, const INTRO_GUEST_PROCESS *Process)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgProtectAddProcess(guest->Protect, Process);
    IgModelLeave(instance, guest);
    return status;
}

INTSTATUS IntGuestRemoveProcess(void *GuestHandle, DWORD Pid)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgProtectRemoveProcess(guest->Protect, Pid);
    IgModelLeave(instance, guest);
    return status;
}

/* Zone pages are translated with vCPU 0's paging mode: a declaration is not inside any event. */
static INTSTATUS IgModelTranslate(void *Context, uint64_t Cr3, uint64_t Gva, uint64_t *Gpa)
{
    IG_GUEST_MEMORY *memory = Context;
    IG_GLUE_VCPU_STATE vcpu;
    IG_GUEST_PHYS phys;
    INTSTATUS status;

    *Gpa = 0;
    status = IgGlueQueryVcpuState(memory->Glue.Glue, memory->Glue.GuestHandle, 0, &vcpu);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    vcpu.Space.Cr3 = Cr3;
    IgGlueGuestPhys(&memory->Glue, &phys);
    return IgGuestTranslate(&phys, &vcpu.Space, Gva, Gpa);
}

INTSTATUS IntGuestProtect(void *GuestHandle, const INTRO_GUEST_ZONE *Zone, QWORD *ZoneId)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    uint64_t id = 0;
    INTSTATUS status;

    if (ZoneId)
    {
        *ZoneId = 0;
    }
    if (!Zone)
    {
        return GuestHandle ? INT_STATUS_INVALID_PARAMETER_2 : INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!ZoneId)
    {
        return GuestHandle ? INT_STATUS_INVALID_PARAMETER_3 : INT_STATUS_INVALID_PARAMETER_1;
    }
    status = IgModelEnter(GuestHandle, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgProtectAddZone(guest->Protect, Zone, IgModelTranslate, &guest->Memory, &id);
    if (INT_SUCCESS(status))
    {
        *ZoneId = id;
    }
    else
    {
        IG_LOG(instance, intLogLevelWarning, "GuestProtect: zone of kind %u at 0x%llx not protected: %s\n", Zone->Kind,
               (unsigned long long)Zone->Gva, IntStatusToString(status));
    }
    IgModelLeave(instance, guest);
    return status;
}

INTSTATUS IntGuestUnprotect(void *GuestHandle, QWORD ZoneId)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgProtectRemoveZone(guest->Protect, ZoneId);
    IgModelLeave(instance, guest);
    return status;
}

INTSTATUS IntGuestSetDecisionObserver(void *GuestHandle, PFUNC_IntGuestDecisionObserver Observer, void *Context)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    guest->Protect->Observer = Observer;
    guest->Protect->ObserverContext = Observer ? Context : NULL;
    IgModelLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntGuestSetIntroVersion(void *GuestHandle, QWORD Version)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgModelEnter(GuestHandle, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    guest->Protect->IntroVersion = Version;
    IgModelLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}
