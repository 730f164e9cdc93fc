/*
 * Events to violations (events.h).  For each event: the vCPU's state is queried once, the zones it
 * touches are found in the model, the violation each implies is built (originator from the model,
 * victim from the zone, written value from the decoded instruction), the guest's rule set decides,
 * and a block or a feedback allow raises an alert.  The event's action is the strictest of its
 * zones' (one blocking zone blocks).  All work is bounded: at most the zones of one page, one
 * instruction, a fixed window of stack.
 */
#include <string.h>

#include "alerts.h"

#define IG_MSR_EFER 0xC0000080u
#define IG_MSR_FS_BASE 0xC0000100u
#define IG_MSR_GS_BASE 0xC0000101u
#define IG_CR4_SMEP 0x100000ull
#define IG_CR4_SMAP 0x200000ull

/* ---- The vCPU ----------------------------------------------------------------------------------- */

static INTSTATUS IgEvQuery(const IG_PROTECT_ENV *Env, DWORD Class, void *Buffer, DWORD Size)
{
    const IG_PROTECT *p = Env->Protect;

    return p->Glue->QueryGuestInfo(p->GuestHandle, Class, (void *)(uintptr_t)IG_CURRENT_VCPU, Buffer, Size);
}

static INTSTATUS IgEvVcpu(const IG_PROTECT_ENV *Env, uint32_t Cpu, IG_EVENT_VCPU *Vcpu)
{
    IG_QUERY_MSR msr;
    DWORD value = 0;
    INTSTATUS status;

    memset(Vcpu, 0, sizeof(*Vcpu));
    Vcpu->Cpu = Cpu;
    status = IgEvQuery(Env, IG_QUERY_INFO_CLASS_REGISTER_STATE, &Vcpu->Regs, sizeof(Vcpu->Regs));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (INT_SUCCESS(IgEvQuery(Env, IG_QUERY_INFO_CLASS_CS_TYPE, &value, sizeof(value))))
    {
        Vcpu->CsType = value;
    }
    if (INT_SUCCESS(IgEvQuery(Env, IG_QUERY_INFO_CLASS_CS_RING, &value, sizeof(value))))
    {
        Vcpu->Ring = value;
    }
    /* What a backend cannot say stays 0: long mode unknown, flat segments. */
    msr.MsrId = IG_MSR_EFER;
    if (INT_SUCCESS(IgEvQuery(Env, IG_QUERY_INFO_CLASS_READ_MSR, &msr, sizeof(msr))))
    {
        Vcpu->Efer = msr.Value;
    }
    msr.MsrId = IG_MSR_FS_BASE;
    if (INT_SUCCESS(IgEvQuery(Env, IG_QUERY_INFO_CLASS_READ_MSR, &msr, sizeof(msr))))
    {
        Vcpu->FsBase = msr.Value;
    }
    msr.MsrId = IG_MSR_GS_BASE;
    if (INT_SUCCESS(IgEvQuery(Env, IG_QUERY_INFO_CLASS_READ_MSR, &msr, sizeof(msr))))
    {
        Vcpu->GsBase = msr.Value;
    }
    return INT_STATUS_SUCCESS;
}

/* ---- The decision ------------------------------------------------------------------------------ */

/*
 * Evaluates Violation, raises the alert it calls for, and folds its action into *Action.  Without
 * Decidable (a write whose size could not be worked out) the engine is not asked: hvmi reports
 * such a victim as an internal error and blocks.
 */
static INTSTATUS IgEvDecide(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const IG_PM_ZONE *Zone,
                            const INTRO_EXC_VIOLATION *Violation, bool Decidable, INTRO_ACTION *Action)
{
    INTRO_EXC_VERDICT verdict;
    bool feedbackZone = (Zone->Decl.Flags & INTRO_ZONE_FEEDBACK_ONLY) != 0;
    bool alert;
    INTSTATUS status = INT_STATUS_INVALID_DATA_SIZE;

    if (Decidable)
    {
        status = Env->Evaluate(Env->EvaluateContext, Violation, &verdict);
    }
    if (!INT_SUCCESS(status))
    {
        /* The engine could not decide (an internal error): block, as hvmi does. */
        memset(&verdict, 0, sizeof(verdict));
        verdict.Action = INTRO_EXC_ACTION_NOT_ALLOWED;
        verdict.Reason = INTRO_EXC_REASON_INTERNAL_ERROR;
    }
    alert = verdict.Action != INTRO_EXC_ACTION_ALLOWED || verdict.Reason == INTRO_EXC_REASON_ALLOWED_FEEDBACK;
    if (verdict.Action != INTRO_EXC_ACTION_ALLOWED && feedbackZone)
    {
        /* A feedback-only zone reports what it would have blocked and lets it happen. */
        verdict.Action = INTRO_EXC_ACTION_ALLOWED;
        verdict.Reason = INTRO_EXC_REASON_ALLOWED_FEEDBACK;
    }
    if (alert)
    {
        IgAlertRaise(Env, Event, Zone, Violation, &verdict);
    }
    if (verdict.Action != INTRO_EXC_ACTION_ALLOWED)
    {
        *Action = introGuestNotAllowed;
    }
    if (Env->Protect->Observer)
    {
        INTRO_GUEST_DECISION decision;

        memset(&decision, 0, sizeof(decision));
        decision.StructSize = sizeof(decision);
        decision.EventClass = Event->Kind == IgEventEpt   ? introEventEptViolation
                              : Event->Kind == IgEventMsr ? introEventMsrViolation
                              : Event->Kind == IgEventCr  ? introEventCrViolation
                                                          : introEventDtrViolation;
        decision.Cpu = Event->Vcpu.Cpu;
        decision.ZoneId = Zone->Id;
        decision.Violation = Violation;
        decision.Verdict = &verdict;
        decision.Action = verdict.Action == INTRO_EXC_ACTION_ALLOWED ? introGuestAllowed : introGuestNotAllowed;
        decision.Alerted = alert;
        Env->Protect->Observer(Env->Protect->ObserverContext, Env->Protect->GuestHandle, &decision);
    }
    return INT_STATUS_SUCCESS;
}

/* ---- EPT ---------------------------------------------------------------------------------------- */

/* The zone's victim name hash and object, as matching.md §1.6 fills them for its object type. */
static void IgEvVictimObject(const IG_PROTECT *P, const IG_PM_ZONE *Zone, const IG_PM_MODULE *Owner, bool UserWrite,
                             INTRO_EXC_VICTIM *Victim)
{
    uint32_t type = Zone->Decl.ObjectType;

    Victim->ObjectType = type;
    if (Zone->Decl.Name)
    {
        Victim->NameHash = Zone->NameHash;
        Victim->Name.Text = Zone->Decl.Name;
        Victim->Name.Length = Zone->Decl.NameLength;
        Victim->Name.Wide = P->Os != INTRO_EXC_OS_LINUX;
    }
    else if (Owner)
    {
        Victim->NameHash = Owner->NameHash;
        Victim->Name.Text = Owner->Name;
        Victim->Name.Length = Owner->NameLength;
        Victim->Name.Wide = P->Os != INTRO_EXC_OS_LINUX;
    }
    if (type == INTRO_EXC_OBJ_VDSO || type == INTRO_EXC_OBJ_VSYSCALL)
    {
        /* A user-mode write names them by the user-mode specials; a kernel write by nothing. */
        Victim->NameHash = !UserWrite ? 0 : type == INTRO_EXC_OBJ_VDSO ? INTRO_EXC_NAME_KERNEL : INTRO_EXC_NAME_HAL;
    }
    else if (type == INTRO_EXC_OBJ_IDT || type == INTRO_EXC_OBJ_KM_LOGGER_CONTEXT)
    {
        Victim->NameHash = 0;
    }
    if (Owner)
    {
        Victim->BaseAddress = Owner->Base;
        Victim->DriverObjectGpa = Owner->DriverObjectGpa;
    }
    else
    {
        Victim->BaseAddress = Zone->Decl.Gva;
    }
}

/* CODE / DATA from the section, then the first directory (imports, exports, resources) holding Gva. */
static uint64_t IgEvZoneFlags(const IG_PM_MODULE *Owner, uint64_t Gva)
{
    const INTRO_GUEST_SECTION *section;
    uint64_t flags = 0;
    uint64_t rva;

    if (!Owner)
    {
        return 0;
    }
    rva = Gva - Owner->Base;
    section = IgPmSectionAt(Owner, Gva);
    if (section)
    {
        flags |= (section->Flags & (INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE)) ? INTRO_EXC_ZONE_LIB_CODE
                                                                                 : INTRO_EXC_ZONE_LIB_DATA;
    }
    if (Owner->ImportsSize && rva >= Owner->ImportsRva && rva - Owner->ImportsRva < Owner->ImportsSize)
    {
        flags |= INTRO_EXC_ZONE_LIB_IMPORTS;
    }
    else if (Owner->ExportsSize && rva >= Owner->ExportsRva && rva - Owner->ExportsRva < Owner->ExportsSize)
    {
        flags |= INTRO_EXC_ZONE_LIB_EXPORTS;
    }
    else if (Owner->ResourcesSize && rva >= Owner->ResourcesRva && rva - Owner->ResourcesRva < Owner->ResourcesSize)
    {
        flags |= INTRO_EXC_ZONE_LIB_RESOURCES;
    }
    return flags;
}

/* The access's values: written (old and new), read, or the execution context. */
static void IgEvValues(const IG_EVENT *Event, INTRO_EXC_VICTIM *Victim)
{
    const IG_WRITE_INFO *w = &Event->Write;
    uint32_t size = w->Size > 64 ? 64 : w->Size;

    if (Event->Access & IG_EPT_HOOK_EXECUTE)
    {
        Victim->v.ExecInfo.Rsp = Event->Vcpu.Regs.Rsp;
        Victim->v.ExecInfo.Length = w->Length;
        return;
    }
    if (Event->Access & IG_EPT_HOOK_WRITE)
    {
        memcpy(Victim->v.WriteInfo.OldValue, Event->Old, size);
        if (w->NewKnown)
        {
            memcpy(Victim->v.WriteInfo.NewValue, w->New, size);
        }
        else
        {
            /* hvmi's marker for a value it could not emulate; never equal to the old one by accident. */
            Victim->v.WriteInfo.NewValue[0] = 0x0BADDEADull;
        }
        Victim->v.WriteInfo.AccessSize = size;
        return;
    }
    memcpy(Victim->v.ReadInfo.Value, Event->Old, size);
    Victim->v.ReadInfo.AccessSize = size;
}

/* Builds the violation of Event in Zone (page Index of the zone). */
static void IgEvEptViolation(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const IG_PM_ZONE *Zone, uint64_t Gva,
                             INTRO_EXC_VIOLATION *V)
{
    IG_PROTECT *p = Env->Protect;
    bool userZone = Zone->Decl.Pid != INTRO_GUEST_KERNEL;
    bool userWrite = Event->Vcpu.Ring != 0;
    IG_PM_PROCESS *zoneProcess = userZone ? IgPmProcessByPid(p, Zone->Decl.Pid) : NULL;
    const IG_PM_MODULES *ownerList = userZone ? (zoneProcess ? &zoneProcess->Modules : NULL) : &p->Kernel;
    const IG_PM_MODULE *owner = Zone->Decl.Owner && ownerList ? IgPmModuleAt(ownerList, Zone->Decl.Owner) : NULL;

    memset(V, 0, sizeof(*V));
    IgEventGuest(Env, &V->Guest);
    V->Kind = userWrite ? INTRO_EXC_KIND_USER : userZone ? INTRO_EXC_KIND_KERNEL_USER : INTRO_EXC_KIND_KERNEL;
    if (userWrite)
    {
        IgAttrUserOriginator(Env, &Event->Vcpu, Event->Process, &V->User);
        V->User.Execute = (Event->Access & IG_EPT_HOOK_EXECUTE) != 0;
        if (V->User.Execute)
        {
            V->User.NameHash = INTRO_EXC_NO_NAME; /* executions are attributed to no module */
            V->User.Library = false;
            memset(&V->User.Name, 0, sizeof(V->User.Name));
        }
    }
    else
    {
        IgAttrKernelOriginator(Env, &Event->Vcpu, &V->Kernel);
        if (userZone)
        {
            IgAttrProcess(Event->Process, &V->Kernel.Process);
        }
    }

    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = IgEvZoneFlags(owner, Gva) | ((Event->Access & IG_EPT_HOOK_WRITE)  ? INTRO_EXC_ZONE_WRITE
                                                       : (Event->Access & IG_EPT_HOOK_READ) ? INTRO_EXC_ZONE_READ
                                                                                            : INTRO_EXC_ZONE_EXECUTE);
    IgEvVictimObject(p, Zone, owner, userWrite, &V->Victim);
    if (userZone)
    {
        IgAttrProcess(zoneProcess, &V->Victim.Process);
        if (owner)
        {
            V->Victim.Library = true;
            V->Victim.LibraryNameHash = owner->NameHash;
            V->Victim.LibraryBase = owner->Base;
        }
    }
    V->Victim.u.Ept.Gva = Gva;
    V->Victim.u.Ept.Gpa = Event->Gpa;
    IgEvValues(Event, &V->Victim);

    V->Memory.CsType = Event->Vcpu.CsType;
    V->Memory.SystemCr3 = p->SystemCr3 ? p->SystemCr3 : Event->Vcpu.Regs.Cr3;
    V->Memory.CurrentCr3 = Event->Vcpu.Regs.Cr3;
}

/* The guest-virtual address of Gpa inside Zone, or false when the zone does not hold that frame. */
static bool IgEvZoneGva(const IG_PM_ZONE *Zone, uint64_t Gpa, uint64_t *Gva)
{
    for (uint32_t i = 0; i < Zone->PageCount; i++)
    {
        if (Zone->Gfns[i] == Gpa >> 12)
        {
            *Gva = Zone->FirstGva + ((uint64_t)i << 12) + (Gpa & 0xFFF);
            return true;
        }
    }
    return false;
}

/* Whether [Gva, Gva + Size) overlaps the zone's range. */
static bool IgEvOverlaps(const IG_PM_ZONE *Zone, uint64_t Gva, uint32_t Size)
{
    uint64_t end = Gva + (Size ? Size : 1);

    return Gva < Zone->Decl.Gva + Zone->Decl.Length && end > Zone->Decl.Gva;
}

INTSTATUS IgProtectOnEpt(const IG_PROTECT_ENV *Env, uint64_t Gpa, uint64_t Gla, uint8_t Access, uint32_t Cpu,
                         INTRO_ACTION *Action)
{
    const IG_PM_PAGE *page = IgPmPageFind(Env->Protect, Gpa >> 12);
    IG_EVENT event;
    bool ours = false;
    INTSTATUS status;

    *Action = introGuestAllowed;
    if (!page)
    {
        return INT_STATUS_NOT_FOUND;
    }
    memset(&event, 0, sizeof(event));
    event.Kind = IgEventEpt;
    event.Gpa = Gpa;
    event.Gla = Gla;
    event.Access = Access;
    status = IgEvVcpu(Env, Cpu, &event.Vcpu);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    event.Process = IgPmProcessByCr3(Env->Protect, event.Vcpu.Regs.Cr3);
    IgEventDecode(Env, &event);

    for (uint32_t i = 0; i < page->ZoneCount; i++)
    {
        const IG_PM_ZONE *zone = page->Zones[i];
        INTRO_EXC_VIOLATION violation;
        uint64_t gva = 0;

        if (!(zone->Decl.Access & Access) || !IgEvZoneGva(zone, Gpa, &gva) ||
            !IgEvOverlaps(zone, gva, event.Write.Size))
        {
            continue;
        }
        ours = true;
        IgEventReadOld(Env, &event, zone, gva);
        IgEvEptViolation(Env, &event, zone, gva, &violation);
        status = IgEvDecide(Env, &event, zone, &violation,
                            !(Access & IG_EPT_HOOK_WRITE) || (event.Write.Size && event.Write.Size <= 64), Action);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    return ours ? INT_STATUS_SUCCESS : INT_STATUS_NOT_FOUND;
}

/* ---- MSR, CR4, descriptor tables ---------------------------------------------------------------- */

/* The kernel-mode violation of a register zone: originator by RIP, victim of ZoneType. */
static void IgEvRegisterViolation(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, uint32_t ZoneType,
                                  INTRO_EXC_VIOLATION *V)
{
    memset(V, 0, sizeof(*V));
    IgEventGuest(Env, &V->Guest);
    V->Kind = INTRO_EXC_KIND_KERNEL;
    IgAttrKernelOriginator(Env, &Event->Vcpu, &V->Kernel);
    V->Victim.ZoneType = ZoneType;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    V->Memory.CsType = Event->Vcpu.CsType;
    V->Memory.SystemCr3 = Env->Protect->SystemCr3 ? Env->Protect->SystemCr3 : Event->Vcpu.Regs.Cr3;
    V->Memory.CurrentCr3 = Event->Vcpu.Regs.Cr3;
}

/* Runs every zone of Kind / Index for a register event. */
static INTSTATUS IgEvRegisterZones(const IG_PROTECT_ENV *Env, IG_EVENT *Event, uint32_t Kind, uint32_t Index,
                                   INTRO_ACTION *Action)
{
    const IG_PROTECT *p = Env->Protect;
    bool ours = false;
    INTSTATUS status;

    for (uint32_t i = 0; i < p->ZoneCount; i++)
    {
        const IG_PM_ZONE *zone = p->Zones[i];
        INTRO_EXC_VIOLATION violation;

        if (zone->Decl.Kind != Kind || zone->Decl.Index != Index)
        {
            continue;
        }
        if (!ours)
        {
            status = IgEvVcpu(Env, Event->Cpu, &Event->Vcpu);
            if (!INT_SUCCESS(status))
            {
                return status;
            }
            Event->Process = IgPmProcessByCr3(p, Event->Vcpu.Regs.Cr3);
            ours = true;
        }
        IgEvRegisterViolation(Env, Event,
                              Kind == introZoneMsr  ? INTRO_EXC_ZONE_MSR
                              : Kind == introZoneCr ? INTRO_EXC_ZONE_CR
                                                    : INTRO_EXC_ZONE_DTR,
                              &violation);
        IgEventRegisterVictim(Env, Event, &violation.Victim);
        status = IgEvDecide(Env, Event, zone, &violation, true, Action);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    return ours ? INT_STATUS_SUCCESS : INT_STATUS_NOT_FOUND;
}

INTSTATUS IgProtectOnMsr(const IG_PROTECT_ENV *Env, uint32_t Msr, uint64_t OldValue, uint64_t NewValue, uint32_t Cpu,
                         INTRO_ACTION *Action)
{
    IG_EVENT event;

    *Action = introGuestAllowed;
    memset(&event, 0, sizeof(event));
    event.Kind = IgEventMsr;
    event.Cpu = Cpu;
    event.Index = Msr;
    event.OldValue = OldValue;
    event.NewValue = NewValue;
    return IgEvRegisterZones(Env, &event, introZoneMsr, Msr, Action);
}

INTSTATUS IgProtectOnCr(const IG_PROTECT_ENV *Env, uint32_t Cr, uint64_t OldValue, uint64_t NewValue, uint32_t Cpu,
                        INTRO_ACTION *Action)
{
    IG_EVENT event;
    uint64_t cleared = OldValue & ~NewValue;

    *Action = introGuestAllowed;
    /* Only clearing SMEP or SMAP is a violation; any other CR4 write is not ours. */
    if (Cr != 4 || !(cleared & (IG_CR4_SMEP | IG_CR4_SMAP)))
    {
        return INT_STATUS_NOT_FOUND;
    }
    memset(&event, 0, sizeof(event));
    event.Kind = IgEventCr;
    event.Cpu = Cpu;
    event.Index = Cr;
    event.OldValue = OldValue;
    event.NewValue = NewValue;
    return IgEvRegisterZones(Env, &event, introZoneCr, Cr, Action);
}

INTSTATUS IgProtectOnDtr(const IG_PROTECT_ENV *Env, uint32_t Flags, uint32_t Cpu, INTRO_ACTION *Action)
{
    IG_EVENT event;
    uint32_t type = (Flags & IG_DESC_ACCESS_IDTR)   ? INTRO_EXC_OBJ_IDTR
                    : (Flags & IG_DESC_ACCESS_GDTR) ? INTRO_EXC_OBJ_GDTR
                                                    : 0;

    *Action = introGuestAllowed;
    /* Loads only: a store (SIDT/SGDT) or an LDTR/TR access is not a violation. */
    if (!type || !(Flags & IG_DESC_ACCESS_WRITE))
    {
        return INT_STATUS_NOT_FOUND;
    }
    memset(&event, 0, sizeof(event));
    event.Kind = IgEventDtr;
    event.Cpu = Cpu;
    event.Index = type;
    return IgEvRegisterZones(Env, &event, introZoneDtr, type, Action);
}
