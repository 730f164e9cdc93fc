/*
 * The state of one event (event_int.h): the guest it happened in, what its instruction did, and
 * the victims of register events.
 */
#include <string.h>

#include "event_int.h"

#define IG_CR4_SMEP 0x100000ull
#define IG_CR4_SMAP 0x200000ull

/* Windows PEB sizes the peb32/peb64 object types compare against (the values of the 64-bit builds). */
#define IG_PEB32_SIZE 0x480u
#define IG_PEB64_SIZE 0x7C8u

size_t IgEventReadPartial(const IG_PROTECT_ENV *Env, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size)
{
    size_t done = 0;

    if (!INT_SUCCESS(IgGuestVmemRead(&Env->Memory, Cr3, Gva, Buffer, Size, &done)))
    {
        return done; /* the bytes before the first unreadable page; the rest are zero */
    }
    return Size;
}

void IgEventGuest(const IG_PROTECT_ENV *Env, INTRO_EXC_GUEST *Guest)
{
    const GUEST_INFO *info = Env->Guest;

    memset(Guest, 0, sizeof(*Guest));
    Guest->Os = Env->Protect->Os ? Env->Protect->Os : INTRO_EXC_OS_WINDOWS;
    Guest->Peb32Size = IG_PEB32_SIZE;
    Guest->Peb64Size = IG_PEB64_SIZE;
    Guest->IntroVersion = Env->Protect->IntroVersion;
    if (!info)
    {
        return;
    }
    Guest->Guest64 = info->Guest64;
    Guest->OsVersion = info->OsVersion;
    if (Guest->Os == INTRO_EXC_OS_LINUX)
    {
        /* A Linux version is declared as the kernel's KERNEL_VERSION(version, patch, sublevel). */
        Guest->LinuxVersion.Version = (uint8_t)(info->OsVersion >> 16);
        Guest->LinuxVersion.Patch = (uint8_t)(info->OsVersion >> 8);
        Guest->LinuxVersion.Sublevel = (uint16_t)(info->OsVersion & 0xFF);
    }
}

void IgEventDecode(const IG_PROTECT_ENV *Env, IG_EVENT *Event)
{
    IG_WRITE_REQUEST request;
    size_t done = 0;

    memset(&Event->Write, 0, sizeof(Event->Write));
    /* The instruction may end at an unmapped page: the bytes before it still decode (or not). */
    done = IgEventReadPartial(Env, Event->Vcpu.Regs.Cr3, Event->Vcpu.Regs.Rip, Event->Code, 15);
    Event->CodeSize = (uint32_t)done;
    if (!Env->Decoder)
    {
        return;
    }
    memset(&request, 0, sizeof(request));
    request.Code = Event->Code;
    request.CodeSize = done;
    request.CsType = Event->Vcpu.CsType;
    request.Regs = &Event->Vcpu.Regs;
    request.SegmentBase[IgDisSegFs] = Event->Vcpu.FsBase;
    request.SegmentBase[IgDisSegGs] = Event->Vcpu.GsBase;
    request.Gva = Event->Gla;
    request.GvaValid = Event->Gla != 0;
    request.Access = Event->Access;
    request.Memory = &Env->Memory;
    if (!INT_SUCCESS(IgWriteDecode(Env->Decoder, &request, &Event->Write)))
    {
        memset(&Event->Write, 0, sizeof(Event->Write));
    }
}

void IgEventReadOld(const IG_PROTECT_ENV *Env, IG_EVENT *Event, const IG_PM_ZONE *Zone, uint64_t Gva)
{
    const IG_WRITE_INFO *w = &Event->Write;
    const IG_PM_PROCESS *process;
    uint64_t cr3;
    size_t done = 0;

    memset(Event->Old, 0, sizeof(Event->Old));
    if (w->Size == 0 || w->Size > IG_WRITE_MAX_SIZE)
    {
        return;
    }
    if (w->OldKnown && w->AddressKnown && w->Address == Gva)
    {
        memcpy(Event->Old, w->Old, w->Size);
        return;
    }
    /* Read in the zone's own address space: the access's frame is the zone's. */
    process = Zone->Decl.Pid == INTRO_GUEST_KERNEL ? NULL : IgPmProcessByPid(Env->Protect, Zone->Decl.Pid);
    cr3 = process ? process->Cr3 : Env->Protect->SystemCr3 ? Env->Protect->SystemCr3 : Event->Vcpu.Regs.Cr3;
    if (!INT_SUCCESS(IgGuestVmemRead(&Env->Memory, cr3, Gva, Event->Old, w->Size, &done)))
    {
        /* hvmi's marker for an old value it could not read. */
        memset(Event->Old, 0, sizeof(Event->Old));
        Event->Old[0] = 0xAD;
        Event->Old[1] = 0xDE;
        Event->Old[2] = 0xBA;
        Event->Old[3] = 0x0B;
    }
}

void IgEventRegisterVictim(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, INTRO_EXC_VICTIM *Victim)
{
    switch (Event->Kind)
    {
        case IgEventMsr:
        {
            const IG_PM_MODULE *target = IgPmModuleAt(&Env->Protect->Kernel, Event->NewValue);

            Victim->ObjectType = 0;
            Victim->u.Msr.Msr = Event->Index;
            Victim->u.Msr.NewDriverBase = target ? target->Base : 0;
            break;
        }
        case IgEventCr:
        {
            uint64_t cleared = Event->OldValue & ~Event->NewValue;

            Victim->ObjectType = INTRO_EXC_OBJ_CR_VICTIM;
            Victim->u.Cr.Cr = Event->Index;
            Victim->u.Cr.Smep = (cleared & IG_CR4_SMEP) != 0;
            Victim->u.Cr.Smap = (cleared & IG_CR4_SMAP) != 0;
            break;
        }
        default:
            Victim->ObjectType = Event->Index;
            Victim->u.Dtr.Type = Event->Index;
            return; /* the new table base is in the instruction's operand, which is not decoded */
    }
    Victim->v.WriteInfo.OldValue[0] = Event->OldValue;
    Victim->v.WriteInfo.NewValue[0] = Event->NewValue;
    Victim->v.WriteInfo.AccessSize = 8;
}
