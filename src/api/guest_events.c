/*
 * The handlers the protection core registers through GLUE_IFACE when zones need them.  Each finds
 * its guest (no lock), serialises the guest's events (the operand decoder is the guest's one), holds
 * the model lock shared, and hands the event to src/protect with what the guest lends it: its
 * memory access, its decoders, its rule set's evaluation.
 */
#include <string.h>

#include "api_int.h"
#include "protect/events.h"

typedef struct IG_EVENT_SCOPE
{
    IG_INSTANCE *Instance;
    IG_GUEST *Guest;
    IG_PROTECT_ENV Env;
    IG_EXC_ENV Code;        /* the guest's environment for the event's evaluations, reading through the scope */
    bool HaveSpace;         /* Space holds the event vCPU's paging */
    IG_ADDRESS_SPACE Space; /* asked once per event: the vCPU is paused while its event is handled */
} IG_EVENT_SCOPE;

/*
 * Guest-virtual reads during an event: the current vCPU's paging mode is asked once per event
 * (a read outside events asks it each time), and every read walks from the CR3 it is given.
 */
static INTSTATUS IgEventRead(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    IG_EVENT_SCOPE *s = Context;
    IG_GUEST_MEMORY *m = &s->Guest->Memory;
    IG_ADDRESS_SPACE space;
    IG_GUEST_PHYS phys;

    *Done = 0;
    if (!s->HaveSpace)
    {
        IG_GLUE_VCPU_STATE vcpu;
        INTSTATUS status = IgGlueQueryVcpuState(m->Glue.Glue, m->Glue.GuestHandle, IG_CURRENT_VCPU, &vcpu);

        if (!INT_SUCCESS(status))
        {
            return status;
        }
        s->Space = vcpu.Space;
        s->HaveSpace = true;
    }
    space = s->Space;
    space.Cr3 = Cr3;
    IgGlueGuestPhys(&m->Glue, &phys);
    return IgGuestReadVirtual(&phys, &space, Gva, Buffer, Size, Done);
}

/* The rest of the guest's environment, unchanged: the CPU mode and its decoder. */
static INTSTATUS IgEventCsType(void *Context, uint32_t *CsType)
{
    const IG_EXC_ENV *env = &((IG_EVENT_SCOPE *)Context)->Guest->Memory.Env;

    return env->QueryCsType(env->Context, CsType);
}

static struct IG_CODE_CONTEXT *IgEventAcquireCode(void *Context)
{
    const IG_EXC_ENV *env = &((IG_EVENT_SCOPE *)Context)->Guest->Memory.Env;

    return env->AcquireCodeContext(env->Context);
}

static void IgEventReleaseCode(void *Context, struct IG_CODE_CONTEXT *Code)
{
    const IG_EXC_ENV *env = &((IG_EVENT_SCOPE *)Context)->Guest->Memory.Env;

    env->ReleaseCodeContext(env->Context, Code);
}

static INTSTATUS IgEventEvaluate(void *Context, const INTRO_EXC_VIOLATION *Violation, INTRO_EXC_VERDICT *Verdict)
{
    return IntExceptEvaluateGuest(Context, Violation, Verdict);
}

/* Finds the guest and takes its event and model locks; false when there is no such live guest. */
static bool IgEventEnter(void *GuestHandle, IG_EVENT_SCOPE *Scope)
{
    IG_RULESET *set;

    memset(Scope, 0, sizeof(*Scope));
    Scope->Instance = IgInstanceGet();
    Scope->Guest = Scope->Instance ? IgGuestAcquire(Scope->Instance, GuestHandle) : NULL;
    if (!Scope->Guest)
    {
        return false;
    }
    (void)Scope->Instance->Upper.SpinLockAcquire(Scope->Guest->Memory.EventLock);
    IgProtectLock(Scope->Guest->Protect, false);

    Scope->Env.Protect = Scope->Guest->Protect;
    Scope->Env.Memory.Read = IgEventRead;
    Scope->Env.Memory.Context = Scope;
    Scope->Code.Context = Scope;
    Scope->Code.ReadVirtual = IgEventRead;
    Scope->Code.QueryCsType = IgEventCsType;
    Scope->Code.AcquireCodeContext = IgEventAcquireCode;
    Scope->Code.ReleaseCodeContext = IgEventReleaseCode;
    Scope->Env.Code = &Scope->Code;
    Scope->Env.Decoder = Scope->Guest->Memory.Detail;
    Scope->Env.Evaluate = IgEventEvaluate;
    Scope->Env.EvaluateContext = GuestHandle;
    Scope->Env.Guest = &Scope->Guest->Info;
    set = IgRuleSetSlotAcquire(&Scope->Guest->Rules);
    if (set)
    {
        Scope->Env.ExceptionsMajor = set->Header.Major;
        Scope->Env.ExceptionsMinor = set->Header.Minor;
        Scope->Env.ExceptionsBuild = set->Header.BuildNumber;
        IgRuleSetRelease(set);
    }
    return true;
}

static void IgEventLeave(IG_EVENT_SCOPE *Scope)
{
    IgProtectUnlock(Scope->Guest->Protect, false);
    (void)Scope->Instance->Upper.SpinLockRelease(Scope->Guest->Memory.EventLock);
    IgGuestRelease(Scope->Instance, Scope->Guest);
}

static INTSTATUS IgOnEpt(void *GuestHandle, QWORD PhysicalAddress, DWORD Length, QWORD VirtualAddress, DWORD Cpu,
                         INTRO_ACTION *Action, IG_EPT_ACCESS Type)
{
    IG_EVENT_SCOPE scope;
    INTSTATUS status;

    (void)Length; /* the decoder works the size out from the instruction */
    if (!Action)
    {
        return INT_STATUS_INVALID_PARAMETER_6;
    }
    *Action = introGuestAllowed;
    if (!IgEventEnter(GuestHandle, &scope))
    {
        return INT_STATUS_NOT_FOUND;
    }
    status = IgProtectOnEpt(&scope.Env, PhysicalAddress, VirtualAddress, Type, Cpu, Action);
    IgEventLeave(&scope);
    return status;
}

static INTSTATUS IgOnMsr(void *GuestHandle, DWORD Msr, IG_MSR_HOOK_TYPE Flags, INTRO_ACTION *Action,
                         QWORD OriginalValue, QWORD *NewValue, DWORD Cpu)
{
    IG_EVENT_SCOPE scope;
    INTSTATUS status;

    if (!Action || !NewValue)
    {
        return !Action ? INT_STATUS_INVALID_PARAMETER_4 : INT_STATUS_INVALID_PARAMETER_6;
    }
    *Action = introGuestAllowed;
    if (!(Flags & IG_MSR_HOOK_WRITE))
    {
        return INT_STATUS_NOT_FOUND; /* reads are not protected */
    }
    if (!IgEventEnter(GuestHandle, &scope))
    {
        return INT_STATUS_NOT_FOUND;
    }
    status = IgProtectOnMsr(&scope.Env, Msr, OriginalValue, *NewValue, Cpu, Action);
    IgEventLeave(&scope);
    return status;
}

static INTSTATUS IgOnCr(void *GuestHandle, DWORD Cr, DWORD Cpu, QWORD OldValue, QWORD NewValue, INTRO_ACTION *Action)
{
    IG_EVENT_SCOPE scope;
    INTSTATUS status;

    if (!Action)
    {
        return INT_STATUS_INVALID_PARAMETER_6;
    }
    *Action = introGuestAllowed;
    if (!IgEventEnter(GuestHandle, &scope))
    {
        return INT_STATUS_NOT_FOUND;
    }
    status = IgProtectOnCr(&scope.Env, Cr, OldValue, NewValue, Cpu, Action);
    IgEventLeave(&scope);
    return status;
}

static INTSTATUS IgOnDtr(void *GuestHandle, DWORD Flags, DWORD Cpu, INTRO_ACTION *Action)
{
    IG_EVENT_SCOPE scope;
    INTSTATUS status;

    if (!Action)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    *Action = introGuestAllowed;
    if (!IgEventEnter(GuestHandle, &scope))
    {
        return INT_STATUS_NOT_FOUND;
    }
    status = IgProtectOnDtr(&scope.Env, Flags, Cpu, Action);
    IgEventLeave(&scope);
    return status;
}

const IG_PROTECT_HANDLERS gIgProtectHandlers = {IgOnEpt, IgOnMsr, IgOnCr, IgOnDtr};
