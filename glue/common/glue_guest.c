/*
 * The glue guest: one backend bound to one introspected guest, and the entry points through which
 * the backend's event loop hands events to the handlers the library registered.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue_int.h"
#include "introguard/introguard.h"

/*
 * The event this thread is handling.  GLUE_IFACE's QueryGuestInfo says "the current vCPU"
 * (IG_CURRENT_VCPU) without naming it; a backend runs each event on one thread, so the event's
 * vCPU is per thread.  Saved and restored around each event, so an event handled from inside
 * another (a test, a nested evaluation) leaves the outer one intact.
 */
typedef struct IG_GLUE_EVENT
{
    const INTRO_GLUE_GUEST *Guest;
    DWORD Vcpu;
    bool HaveRegs; /* gIgGlueRegs holds the event vCPU's registers */
    bool HaveInfo; /* Info holds the backend's description */
    INTRO_BACKEND_INFO Info;
} IG_GLUE_EVENT;

static _Thread_local IG_GLUE_EVENT gIgGlueEvent;

/*
 * The event vCPU's registers, read from the backend once per event: the library asks for them
 * (and the CPU mode, CR3 and EFER derived from them) a dozen times while it handles one event,
 * and the vCPU is paused for the event's whole duration, so they cannot change under it.
 */
static _Thread_local INTRO_BACKEND_REGS gIgGlueRegs;

/* Members a backend must provide, by offset, with their names for the log. */
typedef struct IG_BACKEND_MEMBER
{
    size_t Offset;
    const char *Name;
} IG_BACKEND_MEMBER;

#define IG_BACKEND_REQUIRED(Name)                                                                                      \
    {                                                                                                                  \
        offsetof(INTRO_BACKEND, Name), #Name                                                                           \
    }

static const IG_BACKEND_MEMBER gIgBackendRequired[] = {
    IG_BACKEND_REQUIRED(GetInfo),      IG_BACKEND_REQUIRED(MapPage),   IG_BACKEND_REQUIRED(UnmapPage),
    IG_BACKEND_REQUIRED(GetRegisters), IG_BACKEND_REQUIRED(GetAccess), IG_BACKEND_REQUIRED(SetAccess),
    IG_BACKEND_REQUIRED(SetMonitor),   IG_BACKEND_REQUIRED(Pause),     IG_BACKEND_REQUIRED(Resume),
    IG_BACKEND_REQUIRED(Alert),
};

INTSTATUS IntGlueGuestCreate(const INTRO_BACKEND *Backend, void *Context, INTRO_GLUE_GUEST **Guest)
{
    INTRO_GLUE_GUEST *guest;

    if (Guest)
    {
        *Guest = NULL;
    }
    if (!Backend)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Guest)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (Backend->Version != INTRO_BACKEND_VERSION || Backend->Size != sizeof(INTRO_BACKEND))
    {
        fprintf(stderr, "introguard glue: backend version 0x%x size %u, expected 0x%x size %zu\n", Backend->Version,
                Backend->Size, INTRO_BACKEND_VERSION, sizeof(INTRO_BACKEND));
        return INT_STATUS_NOT_SUPPORTED;
    }
    for (size_t i = 0; i < sizeof(gIgBackendRequired) / sizeof(gIgBackendRequired[0]); i++)
    {
        void *member;

        memcpy(&member, (const uint8_t *)Backend + gIgBackendRequired[i].Offset, sizeof(member));
        if (!member)
        {
            fprintf(stderr, "introguard glue: the backend has no %s\n", gIgBackendRequired[i].Name);
            return INT_STATUS_NOT_SUPPORTED;
        }
    }

    guest = calloc(1, sizeof(*guest));
    if (!guest)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (pthread_mutex_init(&guest->MsrLock, NULL) != 0)
    {
        free(guest);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    guest->Backend = *Backend;
    guest->Context = Context;
    guest->Magic = IG_GLUE_MAGIC;
    *Guest = guest;
    return INT_STATUS_SUCCESS;
}

void IntGlueGuestDestroy(INTRO_GLUE_GUEST *Guest)
{
    if (!Guest)
    {
        return;
    }
    Guest->Magic = 0;
    pthread_mutex_destroy(&Guest->MsrLock);
    free(Guest);
}

void *IntGlueGuestContext(const INTRO_GLUE_GUEST *Guest)
{
    return Guest ? Guest->Context : NULL;
}

int IntGluePauseDepth(const INTRO_GLUE_GUEST *Guest)
{
    return Guest ? atomic_load(&Guest->PauseDepth) : 0;
}

INTRO_GLUE_GUEST *IgGlueFromHandle(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = GuestHandle;

    return guest && guest->Magic == IG_GLUE_MAGIC ? guest : NULL;
}

bool IgGlueCurrentVcpu(const INTRO_GLUE_GUEST *Guest, DWORD *Vcpu)
{
    if (gIgGlueEvent.Guest != Guest || !Guest)
    {
        return false;
    }
    *Vcpu = gIgGlueEvent.Vcpu;
    return true;
}

const INTRO_BACKEND_REGS *IgGlueEventRegisters(const INTRO_GLUE_GUEST *Guest, DWORD Vcpu)
{
    if (gIgGlueEvent.Guest != Guest || gIgGlueEvent.Vcpu != Vcpu)
    {
        return NULL;
    }
    if (!gIgGlueEvent.HaveRegs)
    {
        if (!INT_SUCCESS(Guest->Backend.GetRegisters(Guest->Context, Vcpu, &gIgGlueRegs)))
        {
            return NULL;
        }
        gIgGlueEvent.HaveRegs = true;
    }
    return &gIgGlueRegs;
}

void IgGlueForgetRegisters(void)
{
    gIgGlueEvent.HaveRegs = false;
}

INTSTATUS IgGlueBackendInfo(const INTRO_GLUE_GUEST *Guest, INTRO_BACKEND_INFO *Info)
{
    bool current = gIgGlueEvent.Guest == Guest && Guest;
    INTSTATUS status;

    /* The guest's shape does not change while one of its events is handled: asked once per event. */
    if (current && gIgGlueEvent.HaveInfo)
    {
        *Info = gIgGlueEvent.Info;
        return INT_STATUS_SUCCESS;
    }
    memset(Info, 0, sizeof(*Info));
    status = Guest->Backend.GetInfo(Guest->Context, Info);
    if (INT_SUCCESS(status) && current)
    {
        gIgGlueEvent.Info = *Info;
        gIgGlueEvent.HaveInfo = true;
    }
    return status;
}

INTSTATUS IgGlueResolveVcpu(const INTRO_GLUE_GUEST *Guest, DWORD Requested, DWORD *Vcpu)
{
    INTRO_BACKEND_INFO info;
    INTSTATUS status;

    *Vcpu = Requested;
    if (Requested == IG_CURRENT_VCPU && !IgGlueCurrentVcpu(Guest, Vcpu))
    {
        return INT_STATUS_INVALID_PARAMETER_3; /* "the current vCPU" outside an event */
    }
    if (gIgGlueEvent.HaveRegs && gIgGlueEvent.Guest == Guest && gIgGlueEvent.Vcpu == *Vcpu)
    {
        return INT_STATUS_SUCCESS; /* the event's vCPU, already checked when its registers were read */
    }
    status = IgGlueBackendInfo(Guest, &info);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    return *Vcpu < info.VcpuCount ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_3;
}

void IgGlueLog(const INTRO_GLUE_GUEST *Guest, IG_LOG_LEVEL Level, const char *Format, ...)
{
    char line[256];
    va_list ap;

    if (!Guest->Backend.Log)
    {
        return;
    }
    va_start(ap, Format);
    vsnprintf(line, sizeof(line), Format, ap);
    va_end(ap);
    Guest->Backend.Log(Guest->Context, Level, line);
}

/* ---- Events ------------------------------------------------------------------------------------ */

/* Makes (Guest, Vcpu) this thread's current event until IgGlueEventLeave. */
static IG_GLUE_EVENT IgGlueEventEnter(const INTRO_GLUE_GUEST *Guest, DWORD Vcpu)
{
    IG_GLUE_EVENT outer = gIgGlueEvent;

    gIgGlueEvent.Guest = Guest;
    gIgGlueEvent.Vcpu = Vcpu;
    gIgGlueEvent.HaveRegs = false;
    gIgGlueEvent.HaveInfo = false;
    return outer;
}

static void IgGlueEventLeave(IG_GLUE_EVENT Outer)
{
    /* The outer event reads its registers again: a nested one used the same cache. */
    Outer.HaveRegs = false;
    Outer.HaveInfo = false;
    gIgGlueEvent = Outer;
}

/* The common head of every event: a live glue guest and an action to write (NoAction: the status
 * that names the Action parameter). */
static INTSTATUS IgGlueEventCheck(INTRO_GLUE_GUEST *Guest, INTRO_ACTION *Action, INTSTATUS NoAction)
{
    if (Action)
    {
        *Action = introGuestAllowed;
    }
    if (!IgGlueFromHandle(Guest))
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    return Action ? INT_STATUS_SUCCESS : NoAction;
}

INTSTATUS IntGlueEptViolation(INTRO_GLUE_GUEST *Guest, DWORD Vcpu, QWORD Gpa, QWORD Gla, BYTE Access, DWORD Length,
                              INTRO_ACTION *Action)
{
    PFUNC_IntEPTViolationCallback handler;
    IG_GLUE_EVENT outer;
    INTSTATUS status = IgGlueEventCheck(Guest, Action, INT_STATUS_INVALID_PARAMETER_7);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    handler = atomic_load(&Guest->Handlers.Ept);
    if (!handler)
    {
        return INT_STATUS_NOT_FOUND;
    }
    outer = IgGlueEventEnter(Guest, Vcpu);
    status = handler(Guest, Gpa, Length, Gla, Vcpu, Action, Access);
    IgGlueEventLeave(outer);
    return status;
}

INTSTATUS IntGlueMsrWrite(INTRO_GLUE_GUEST *Guest, DWORD Vcpu, DWORD Msr, QWORD OldValue, QWORD *NewValue,
                          INTRO_ACTION *Action)
{
    PFUNC_IntMSRViolationCallback handler;
    IG_GLUE_EVENT outer;
    INTSTATUS status = IgGlueEventCheck(Guest, Action, INT_STATUS_INVALID_PARAMETER_6);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!NewValue)
    {
        return INT_STATUS_INVALID_PARAMETER_5;
    }
    handler = atomic_load(&Guest->Handlers.Msr);
    if (!handler)
    {
        return INT_STATUS_NOT_FOUND;
    }
    outer = IgGlueEventEnter(Guest, Vcpu);
    status = handler(Guest, Msr, IG_MSR_HOOK_WRITE, Action, OldValue, NewValue, Vcpu);
    IgGlueEventLeave(outer);
    return status;
}

INTSTATUS IntGlueCrWrite(INTRO_GLUE_GUEST *Guest, DWORD Vcpu, DWORD Cr, QWORD OldValue, QWORD NewValue,
                         INTRO_ACTION *Action)
{
    PFUNC_IntCrWriteCallback handler;
    IG_GLUE_EVENT outer;
    INTSTATUS status = IgGlueEventCheck(Guest, Action, INT_STATUS_INVALID_PARAMETER_6);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    handler = atomic_load(&Guest->Handlers.Cr);
    if (!handler)
    {
        return INT_STATUS_NOT_FOUND;
    }
    outer = IgGlueEventEnter(Guest, Vcpu);
    status = handler(Guest, Cr, Vcpu, OldValue, NewValue, Action);
    IgGlueEventLeave(outer);
    return status;
}

INTSTATUS IntGlueDtrAccess(INTRO_GLUE_GUEST *Guest, DWORD Vcpu, DWORD Flags, INTRO_ACTION *Action)
{
    PFUNC_IntIntroDescriptorTableCallback handler;
    IG_GLUE_EVENT outer;
    INTSTATUS status = IgGlueEventCheck(Guest, Action, INT_STATUS_INVALID_PARAMETER_4);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    handler = atomic_load(&Guest->Handlers.Dtr);
    if (!handler)
    {
        return INT_STATUS_NOT_FOUND;
    }
    outer = IgGlueEventEnter(Guest, Vcpu);
    status = handler(Guest, Flags, Vcpu, Action);
    IgGlueEventLeave(outer);
    return status;
}

INTSTATUS IntGlueTimer(INTRO_GLUE_GUEST *Guest)
{
    PFUNC_IntIntroTimerCallback handler;
    IG_GLUE_EVENT outer;
    INTSTATUS status;

    if (!IgGlueFromHandle(Guest))
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    handler = atomic_load(&Guest->Handlers.Timer);
    if (!handler)
    {
        return INT_STATUS_NOT_FOUND;
    }
    /* No vCPU is current during the tick. */
    outer = IgGlueEventEnter(NULL, IG_CURRENT_VCPU);
    status = handler(Guest);
    IgGlueEventLeave(outer);
    return status;
}

INTSTATUS IntGlueEvaluateViolation(INTRO_GLUE_GUEST *Guest, DWORD Vcpu, const INTRO_EXC_VIOLATION *Violation,
                                   INTRO_EXC_VERDICT *Verdict)
{
    IG_GLUE_EVENT outer;
    INTSTATUS status;

    if (!IgGlueFromHandle(Guest))
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    outer = IgGlueEventEnter(Guest, Vcpu);
    status = IntExceptEvaluateGuest(Guest, Violation, Verdict);
    IgGlueEventLeave(outer);
    return status;
}
