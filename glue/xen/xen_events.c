/*
 * The vm_event loop: one thread per domain polls the event channel, drains the ring, hands each
 * request to the library and answers every one of them.
 *
 * The ring is FIFO and Xen parks vCPUs until the slot it writes next is free, so one thread is all
 * the ring can use (libvmi#1109), and it keeps the library's per-guest event lock uncontended.
 * Every request gets a response, whatever the library says or fails to say: the response echoes
 * VM_EVENT_FLAG_VCPU_PAUSED (Xen unpauses the vCPU only then) and, for memory events, the access
 * data (Xen checks it before emulating).  Rights the library changed while deciding are in force
 * before the responses are pushed.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xen_int.h"

uint64_t IgXenNowMs(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/* ---- Decoding requests ------------------------------------------------------------------------- */

/*
 * The one IG_EPT_HOOK_* kind of a memory event.  A fetch is never a data access; a write that also
 * reads (a read-modify-write) is a write.  One kind, so a recording replays what the library saw.
 */
static BYTE IgXenAccessKind(uint32_t Flags)
{
    return (Flags & MEM_ACCESS_X)   ? IG_EPT_HOOK_EXECUTE
           : (Flags & MEM_ACCESS_W) ? IG_EPT_HOOK_WRITE
           : (Flags & MEM_ACCESS_R) ? IG_EPT_HOOK_READ
                                    : 0;
}

static const char *IgXenAccessName(BYTE Kind)
{
    return Kind == IG_EPT_HOOK_EXECUTE ? "x" : Kind == IG_EPT_HOOK_WRITE ? "w" : "r";
}

/* The registers of the event being handled, as the library sees them. */
static void IgXenEventRegs(INTRO_XEN *Xen, const vm_event_request_t *Req, INTRO_BACKEND_REGS *Regs)
{
    pthread_mutex_lock(&Xen->Lock);
    IgXenRegsFromRequest(&Req->data.regs.x86, Xen->IdtBase[Req->vcpu_id], Xen->IdtLimit[Req->vcpu_id], Regs);
    pthread_mutex_unlock(&Xen->Lock);
}

/*
 * Skips the instruction at the event's RIP: the response sets RIP past it (with whatever registers
 * the library set).  False when its length cannot be worked out.
 */
static bool IgXenSkip(INTRO_XEN *Xen, const vm_event_request_t *Req)
{
    INTRO_BACKEND_REGS regs;
    uint32_t length = 0;

    IgXenEventRegs(Xen, Req, &regs);
    if (!INT_SUCCESS(IgXenInstructionLength(Xen, &regs, &length)))
    {
        IgXenLog(Xen, intLogLevelWarning, "cannot decode the instruction at 0x%llx on vCPU %u: not skipped",
                 (unsigned long long)regs.Arch.Rip, Req->vcpu_id);
        return false;
    }
    pthread_mutex_lock(&Xen->Lock);
    Xen->Event.Regs.rip += length;
    Xen->Event.SetRegisters = true;
    Xen->Stats.Skipped++;
    pthread_mutex_unlock(&Xen->Lock);
    return true;
}

/* The library's answer failed: say so; a fatal one stops the loop.  The vCPU is answered anyway. */
static INTSTATUS IgXenCheckStatus(INTRO_XEN *Xen, const vm_event_request_t *Req, INTSTATUS Status)
{
    if (INT_SUCCESS(Status) || Status == INT_STATUS_NOT_FOUND)
    {
        return INT_STATUS_SUCCESS;
    }
    if (Status == INT_STATUS_FATAL_ERROR)
    {
        return IgXenFail(Xen, Status, "the library failed fatally on an event of vCPU %u (reason %u): detaching",
                         Req->vcpu_id, Req->reason);
    }
    IgXenLog(Xen, intLogLevelError, "the library failed on an event of vCPU %u (reason %u): status 0x%08x; allowed",
             Req->vcpu_id, Req->reason, (unsigned)Status);
    return INT_STATUS_SUCCESS;
}

static bool IgXenBlocked(INTRO_ACTION Action, INTSTATUS Status)
{
    return Status == INT_STATUS_FORCE_ACTION_ON_BETA ||
           (Action == introGuestNotAllowed && (INT_SUCCESS(Status) || Status == INT_STATUS_NOT_FOUND));
}

/* ---- One request ------------------------------------------------------------------------------- */

static INTSTATUS IgXenOnMemAccess(INTRO_XEN *Xen, const vm_event_request_t *Req, vm_event_response_t *Rsp)
{
    const struct vm_event_mem_access *m = &Req->u.mem_access;
    QWORD gpa = (m->gfn << 12) | (m->offset & 0xFFFu);
    QWORD gla = (m->flags & MEM_ACCESS_GLA_VALID) ? m->gla : 0;
    BYTE kind = IgXenAccessKind(m->flags);
    INTRO_ACTION action = introGuestAllowed;
    INTRO_BACKEND_REGS regs;
    INTSTATUS status;
    char fields[128];

    /* Xen re-checks the page's rights against these before it emulates. */
    Rsp->u.mem_access = *m;
    if ((m->flags & MEM_ACCESS_FAULT_IN_GPT) || !kind)
    {
        Rsp->flags |= VM_EVENT_FLAG_EMULATE; /* the guest's own page walk: not an access of its code */
        return INT_STATUS_SUCCESS;
    }
    status = IntGlueEptViolation(Xen->Guest, Req->vcpu_id, gpa, gla, kind, 0, &action);
    if (Xen->Record)
    {
        IgXenEventRegs(Xen, Req, &regs);
        snprintf(fields, sizeof(fields), "\"gpa\":\"0x%llx\",\"gla\":\"0x%llx\",\"access\":\"%s\"",
                 (unsigned long long)gpa, (unsigned long long)gla, IgXenAccessName(kind));
        IgXenRecordEvent(Xen, "ept", Req->vcpu_id, &regs, fields);
    }
    if (!IgXenBlocked(action, status))
    {
        /* Allowed (also when the library failed): emulated, so the page stays protected. Allowed
         * virtually or retried: the vCPU runs on with the state the library left. */
        Rsp->flags |= action == introGuestAllowedVirtual || action == introGuestRetry ? 0 : VM_EVENT_FLAG_EMULATE;
        return IgXenCheckStatus(Xen, Req, status);
    }
    if (kind == IG_EPT_HOOK_WRITE && !(Xen->Config.Flags & INTRO_XEN_DENY_SKIP))
    {
        Rsp->flags |= VM_EVENT_FLAG_EMULATE_NOWRITE; /* runs, its write discarded */
    }
    else if (kind == IG_EPT_HOOK_EXECUTE || !IgXenSkip(Xen, Req))
    {
        /* An execution cannot be skipped meaningfully: it runs, and the alert reports it. A write
         * whose length is unknown is emulated without its write; a read, allowed. */
        Rsp->flags |= kind == IG_EPT_HOOK_WRITE ? VM_EVENT_FLAG_EMULATE_NOWRITE : VM_EVENT_FLAG_EMULATE;
    }
    return IgXenCheckStatus(Xen, Req, status);
}

static INTSTATUS IgXenOnRegister(INTRO_XEN *Xen, const vm_event_request_t *Req, vm_event_response_t *Rsp)
{
    INTRO_ACTION action = introGuestAllowed;
    INTRO_BACKEND_REGS regs;
    INTSTATUS status;
    char fields[128];

    if (Req->reason == VM_EVENT_REASON_MOV_TO_MSR)
    {
        const struct vm_event_mov_to_msr *m = &Req->u.mov_to_msr;
        QWORD value = m->new_value;

        status = IntGlueMsrWrite(Xen->Guest, Req->vcpu_id, (DWORD)m->msr, m->old_value, &value, &action);
        snprintf(fields, sizeof(fields), "\"msr\":\"0x%llx\",\"old\":\"0x%llx\",\"new\":\"0x%llx\"",
                 (unsigned long long)m->msr, (unsigned long long)m->old_value, (unsigned long long)m->new_value);
    }
    else
    {
        const struct vm_event_write_ctrlreg *c = &Req->u.write_ctrlreg;
        DWORD cr = c->index == VM_EVENT_X86_CR0 ? 0 : c->index == VM_EVENT_X86_CR3 ? 3 : 4;

        if (c->index != VM_EVENT_X86_CR0 && c->index != VM_EVENT_X86_CR3 && c->index != VM_EVENT_X86_CR4)
        {
            return INT_STATUS_SUCCESS; /* XCR0: never enabled by us; the write completes */
        }
        status = IntGlueCrWrite(Xen->Guest, Req->vcpu_id, cr, c->old_value, c->new_value, &action);
        snprintf(fields, sizeof(fields), "\"cr\":%u,\"old\":\"0x%llx\",\"new\":\"0x%llx\"", cr,
                 (unsigned long long)c->old_value, (unsigned long long)c->new_value);
    }
    if (Xen->Record)
    {
        IgXenEventRegs(Xen, Req, &regs);
        IgXenRecordEvent(Xen, Req->reason == VM_EVENT_REASON_MOV_TO_MSR ? "msr" : "cr", Req->vcpu_id, &regs, fields);
    }
    if (IgXenBlocked(action, status))
    {
        Rsp->flags |= VM_EVENT_FLAG_DENY; /* the synchronous monitor lets the write be refused */
    }
    return IgXenCheckStatus(Xen, Req, status);
}

static INTSTATUS IgXenOnDescriptor(INTRO_XEN *Xen, const vm_event_request_t *Req, vm_event_response_t *Rsp)
{
    static const DWORD registers[] = {0, IG_DESC_ACCESS_IDTR, IG_DESC_ACCESS_GDTR, IG_DESC_ACCESS_LDTR,
                                      IG_DESC_ACCESS_TR};
    const struct vm_event_desc_access *d = &Req->u.desc_access;
    DWORD which = d->descriptor < 5 ? registers[d->descriptor] : 0;
    INTRO_ACTION action = introGuestAllowed;
    INTRO_BACKEND_REGS regs;
    INTSTATUS status;
    char fields[64];

    if (!which)
    {
        Rsp->flags |= VM_EVENT_FLAG_EMULATE;
        return INT_STATUS_SUCCESS;
    }
    status = IntGlueDtrAccess(Xen->Guest, Req->vcpu_id,
                              which | (d->is_write ? IG_DESC_ACCESS_WRITE : IG_DESC_ACCESS_READ), &action);
    /* A trace names IDTR and GDTR accesses only; the library has no zone for the others. */
    if (Xen->Record && (which == IG_DESC_ACCESS_IDTR || which == IG_DESC_ACCESS_GDTR))
    {
        IgXenEventRegs(Xen, Req, &regs);
        snprintf(fields, sizeof(fields), "\"dtr\":\"%s\",\"access\":\"%s\"",
                 which == IG_DESC_ACCESS_IDTR ? "idtr" : "gdtr", d->is_write ? "write" : "read");
        IgXenRecordEvent(Xen, "dtr", Req->vcpu_id, &regs, fields);
    }
    /* The access completes only when emulated; a blocked one is skipped. */
    if (!IgXenBlocked(action, status) || !IgXenSkip(Xen, Req))
    {
        Rsp->flags |= VM_EVENT_FLAG_EMULATE;
        if (which == IG_DESC_ACCESS_IDTR && d->is_write)
        {
            pthread_mutex_lock(&Xen->Lock);
            Xen->IdtStale[Req->vcpu_id] = true; /* LIDT: the cached IDTR is gone */
            pthread_mutex_unlock(&Xen->Lock);
        }
    }
    return IgXenCheckStatus(Xen, Req, status);
}

/* Answers Req into Rsp, through the library when Engine; the status that must stop the loop, if any. */
static INTSTATUS IgXenHandle(INTRO_XEN *Xen, const vm_event_request_t *Req, vm_event_response_t *Rsp, bool Engine)
{
    INTSTATUS status = INT_STATUS_SUCCESS;

    memset(Rsp, 0, sizeof(*Rsp));
    Rsp->version = VM_EVENT_INTERFACE_VERSION;
    Rsp->vcpu_id = Req->vcpu_id;
    Rsp->reason = Req->reason;
    Rsp->flags = Req->flags & VM_EVENT_FLAG_VCPU_PAUSED;
    if (!Engine || !Xen->Guest || Req->vcpu_id >= Xen->VcpuCount)
    {
        /* Let the access happen (Xen checks a memory event's access data before emulating). */
        if (Req->reason == VM_EVENT_REASON_MEM_ACCESS)
        {
            Rsp->u.mem_access = Req->u.mem_access;
        }
        if (Req->reason == VM_EVENT_REASON_MEM_ACCESS || Req->reason == VM_EVENT_REASON_DESCRIPTOR_ACCESS)
        {
            Rsp->flags |= VM_EVENT_FLAG_EMULATE;
        }
        return INT_STATUS_SUCCESS;
    }
    pthread_mutex_lock(&Xen->Lock);
    Xen->Event.Request = Req;
    Xen->Event.Thread = pthread_self();
    Xen->Event.SetRegisters = false;
    Xen->Event.Regs = Req->data.regs.x86;
    pthread_mutex_unlock(&Xen->Lock);
    switch (Req->reason)
    {
        case VM_EVENT_REASON_MEM_ACCESS:
            status = IgXenOnMemAccess(Xen, Req, Rsp);
            break;
        case VM_EVENT_REASON_MOV_TO_MSR:
        case VM_EVENT_REASON_WRITE_CTRLREG:
            status = IgXenOnRegister(Xen, Req, Rsp);
            break;
        case VM_EVENT_REASON_DESCRIPTOR_ACCESS:
            status = IgXenOnDescriptor(Xen, Req, Rsp);
            break;
        default:
            break; /* nothing of ours: the vCPU runs on */
    }
    pthread_mutex_lock(&Xen->Lock);
    if (Xen->Event.SetRegisters)
    {
        /* Xen applies the general-purpose registers, RIP and RFLAGS; without EMULATE, RIP is ours. */
        Rsp->data.regs.x86 = Xen->Event.Regs;
        Rsp->flags |= VM_EVENT_FLAG_SET_REGISTERS;
        Rsp->flags &= ~(uint32_t)(VM_EVENT_FLAG_EMULATE | VM_EVENT_FLAG_EMULATE_NOWRITE);
    }
    Xen->Event.Request = NULL;
    pthread_mutex_unlock(&Xen->Lock);
    return status;
}

/* ---- The ring ---------------------------------------------------------------------------------- */

static void IgXenCount(INTRO_XEN *Xen, const vm_event_response_t *Rsp)
{
    Xen->Stats.Responses++;
    Xen->Stats.Emulated += (Rsp->flags & VM_EVENT_FLAG_EMULATE) != 0;
    Xen->Stats.NoWrite += (Rsp->flags & VM_EVENT_FLAG_EMULATE_NOWRITE) != 0;
    Xen->Stats.Denied += (Rsp->flags & VM_EVENT_FLAG_DENY) != 0;
}

/*
 * Takes every request off the ring and answers it (through the library when Engine), pushes the
 * responses once and notifies Xen once.  A request of another ABI cannot be answered (its layout is
 * unknown): the loop must stop.
 */
static INTSTATUS IgXenDrain(INTRO_XEN *Xen, bool Engine)
{
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint32_t answered = 0;

    while (RING_HAS_UNCONSUMED_REQUESTS(&Xen->Back))
    {
        vm_event_request_t req;
        vm_event_response_t rsp;
        INTSTATUS handled, flushed;

        RING_COPY_REQUEST(&Xen->Back, Xen->Back.req_cons, &req);
        Xen->Back.req_cons++;
        Xen->Back.sring->req_event = Xen->Back.req_cons + 1;
        Xen->Stats.Requests++;
        if (req.version != VM_EVENT_INTERFACE_VERSION)
        {
            status = IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED,
                               "a vm_event request of ABI %u arrived, this build speaks %u: cannot answer it; "
                               "rebuild introguard against the running Xen's headers",
                               req.version, VM_EVENT_INTERFACE_VERSION);
            continue;
        }
        handled = IgXenHandle(Xen, &req, &rsp, Engine && INT_SUCCESS(status));
        if (INT_SUCCESS(status) && !INT_SUCCESS(handled))
        {
            status = handled;
        }
        /* Rights the library changed are in force before this vCPU runs again (a failure is logged). */
        pthread_mutex_lock(&Xen->Lock);
        flushed = IgXenFlushLocked(Xen);
        IgXenCount(Xen, &rsp);
        pthread_mutex_unlock(&Xen->Lock);
        (void)flushed;
        memcpy(RING_GET_RESPONSE(&Xen->Back, Xen->Back.rsp_prod_pvt), &rsp, sizeof(rsp));
        Xen->Back.rsp_prod_pvt++;
        answered++;
    }
    if (answered)
    {
        RING_PUSH_RESPONSES(&Xen->Back);
        Xen->Stats.Drains++;
        if (Xen->Ops->EvtchnNotify(Xen->Xce, (evtchn_port_t)Xen->LocalPort) < 0 && INT_SUCCESS(status))
        {
            status = IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE, "cannot notify domain %u's event channel: %s",
                               Xen->DomId, strerror(errno));
        }
    }
    return status;
}

void IgXenDrainUnhandled(INTRO_XEN *Xen)
{
    (void)IgXenDrain(Xen, false);
}

/* Waits for the event channel or a stop request; true when the channel fired. */
static INTSTATUS IgXenWaitEvent(INTRO_XEN *Xen, int TimeoutMs)
{
    struct pollfd fds[2] = {{Xen->Ops->EvtchnFd(Xen->Xce), POLLIN, 0}, {Xen->StopPipe[0], POLLIN, 0}};
    xenevtchn_port_or_error_t port;
    int ready = poll(fds, 2, TimeoutMs);

    if (ready < 0)
    {
        return errno == EINTR ? INT_STATUS_SUCCESS
                              : IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE, "poll: %s", strerror(errno));
    }
    if (fds[0].revents & POLLIN)
    {
        /* Read the port, then unmask it so the next notification wakes us (xenevtchn.h's order). */
        port = Xen->Ops->EvtchnPending(Xen->Xce);
        if (port < 0)
        {
            return IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE, "cannot read the pending event channel: %s",
                             strerror(errno));
        }
        if (Xen->Ops->EvtchnUnmask(Xen->Xce, (evtchn_port_t)port) < 0)
        {
            return IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE, "cannot unmask event channel %d: %s", port,
                             strerror(errno));
        }
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgXenPoll(INTRO_XEN *Xen, int TimeoutMs)
{
    uint64_t now = IgXenNowMs();
    INTSTATUS status;

    if (Xen->Guest && Xen->NextTickMs > now && Xen->NextTickMs - now < (uint64_t)TimeoutMs)
    {
        TimeoutMs = (int)(Xen->NextTickMs - now);
    }
    status = IgXenWaitEvent(Xen, TimeoutMs);
    if (INT_SUCCESS(status))
    {
        status = IgXenDrain(Xen, true); /* also what a missed notification left */
    }
    now = IgXenNowMs();
    if (INT_SUCCESS(status) && Xen->Guest && now >= Xen->NextTickMs)
    {
        /* Outside every event: no vCPU is current for the library's timer. */
        Xen->NextTickMs = now + IG_XEN_TICK_MS;
        pthread_mutex_lock(&Xen->Lock);
        Xen->Stats.Ticks++;
        pthread_mutex_unlock(&Xen->Lock);
        status =
            IgXenCheckStatus(Xen, &(vm_event_request_t){.reason = VM_EVENT_REASON_UNKNOWN}, IntGlueTimer(Xen->Guest));
    }
    return status;
}

/* ---- The thread -------------------------------------------------------------------------------- */

static void *IgXenThread(void *Argument)
{
    INTRO_XEN *xen = Argument;
    INTSTATUS status = INT_STATUS_SUCCESS;

    while (INT_SUCCESS(status) && !atomic_load(&xen->StopRequested))
    {
        status = IgXenPoll(xen, IG_XEN_POLL_MS);
    }
    /* Leave the domain paused with nothing unanswered: the integrator tears down next. */
    pthread_mutex_lock(&xen->Lock);
    if (!xen->AttachPaused && xen->Ops->DomainPause(xen->Xch, xen->DomId) == 0)
    {
        xen->AttachPaused = true;
    }
    pthread_mutex_unlock(&xen->Lock);
    if (INT_SUCCESS(status))
    {
        status = IgXenDrain(xen, true);
    }
    else
    {
        IgXenDrainUnhandled(xen);
    }
    xen->ThreadStatus = status;
    atomic_store(&xen->Running, false);
    return NULL;
}

INTSTATUS IntXenStart(INTRO_XEN *Xen, INTRO_GLUE_GUEST *Guest)
{
    INTSTATUS status;

    if (!Xen || !Xen->Attached || Xen->ThreadStarted)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Guest || IntGlueGuestContext(Guest) != Xen)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    Xen->Guest = Guest;
    pthread_mutex_lock(&Xen->Lock);
    status = IgXenFlushLocked(Xen);
    pthread_mutex_unlock(&Xen->Lock);
    if (!INT_SUCCESS(status))
    {
        return IgXenFail(Xen, status, "cannot apply the protections to domain %u", Xen->DomId);
    }
    Xen->NextTickMs = IgXenNowMs() + IG_XEN_TICK_MS;
    atomic_store(&Xen->StopRequested, false);
    atomic_store(&Xen->Running, true);
    /* The guest runs from here; the thread takes the pause again when it stops. */
    pthread_mutex_lock(&Xen->Lock);
    if (Xen->AttachPaused && Xen->Ops->DomainUnpause(Xen->Xch, Xen->DomId) < 0)
    {
        IgXenLog(Xen, intLogLevelError, "cannot unpause domain %u: %s", Xen->DomId, strerror(errno));
    }
    Xen->AttachPaused = false;
    pthread_mutex_unlock(&Xen->Lock);
    if (pthread_create(&Xen->Thread, NULL, IgXenThread, Xen) != 0)
    {
        atomic_store(&Xen->Running, false);
        Xen->AttachPaused = Xen->Ops->DomainPause(Xen->Xch, Xen->DomId) == 0;
        return IgXenFail(Xen, INT_STATUS_INSUFFICIENT_RESOURCES, "cannot start the event thread");
    }
    Xen->ThreadStarted = true;
    return INT_STATUS_SUCCESS;
}

void IntXenRequestStop(INTRO_XEN *Xen)
{
    int saved = errno; /* a signal handler must leave errno as it found it */

    if (!Xen)
    {
        return;
    }
    atomic_store(&Xen->StopRequested, true);
    if (Xen->StopPipe[1] >= 0)
    {
        ssize_t ignored = write(Xen->StopPipe[1], "s", 1);

        (void)ignored; /* a full pipe already wakes the thread */
    }
    errno = saved;
}

BOOLEAN IntXenRunning(INTRO_XEN *Xen)
{
    return Xen && atomic_load(&Xen->Running);
}

INTSTATUS IntXenWait(INTRO_XEN *Xen)
{
    if (!Xen)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Xen->ThreadStarted)
    {
        return INT_STATUS_SUCCESS;
    }
    pthread_join(Xen->Thread, NULL);
    Xen->ThreadStarted = false;
    return Xen->ThreadStatus;
}
