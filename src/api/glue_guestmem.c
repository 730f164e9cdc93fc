#include "glue_guestmem.h"

#include <string.h>

#define IG_MSR_EFER 0xC0000080u
#define IG_CR4_PSE 0x10ull

static INTSTATUS IgGlueMap(void *Context, uint64_t Gpa, uint32_t Length, const uint8_t **Host)
{
    const IG_GLUE_MEMORY *m = Context;
    void *ptr = NULL;
    INTSTATUS status;

    *Host = NULL;
    if (!m->Glue->PhysMemMapToHost || !m->Glue->PhysMemUnmap)
    {
        return INT_STATUS_OPERATION_NOT_IMPLEMENTED;
    }
    status = m->Glue->PhysMemMapToHost(m->GuestHandle, Gpa, Length, 0, &ptr);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!ptr)
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    *Host = ptr;
    return INT_STATUS_SUCCESS;
}

static void IgGlueUnmap(void *Context, const uint8_t *Host)
{
    const IG_GLUE_MEMORY *m = Context;
    void *ptr = (void *)(uintptr_t)Host;

    (void)m->Glue->PhysMemUnmap(m->GuestHandle, &ptr);
}

void IgGlueGuestPhys(IG_GLUE_MEMORY *Memory, IG_GUEST_PHYS *Phys)
{
    uint64_t maxGpfn = 0;

    Phys->Map = IgGlueMap;
    Phys->Unmap = IgGlueUnmap;
    Phys->Context = Memory;
    Phys->MaxGpa = 0;
    if (Memory->Glue->QueryGuestInfo &&
        INT_SUCCESS(Memory->Glue->QueryGuestInfo(Memory->GuestHandle, IG_QUERY_INFO_CLASS_MAX_GPFN, NULL, &maxGpfn,
                                                 sizeof(maxGpfn))) &&
        maxGpfn != 0 && maxGpfn < (IG_GPA_LIMIT >> 12))
    {
        Phys->MaxGpa = (maxGpfn << 12) | IG_PAGE_MASK;
    }
}

INTSTATUS IgGlueQueryVcpuState(const GLUE_IFACE *Glue, void *GuestHandle, DWORD Cpu, IG_GLUE_VCPU_STATE *State)
{
    IG_ARCH_REGS regs;
    IG_QUERY_MSR efer = {IG_MSR_EFER, 0};
    DWORD csType = 0;
    INTSTATUS status;

    if (State)
    {
        memset(State, 0, sizeof(*State));
    }
    if (!Glue || !Glue->QueryGuestInfo)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!State)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    memset(&regs, 0, sizeof(regs));
    status = Glue->QueryGuestInfo(GuestHandle, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)(uintptr_t)Cpu, &regs,
                                  sizeof(regs));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status =
        Glue->QueryGuestInfo(GuestHandle, IG_QUERY_INFO_CLASS_READ_MSR, (void *)(uintptr_t)Cpu, &efer, sizeof(efer));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status =
        Glue->QueryGuestInfo(GuestHandle, IG_QUERY_INFO_CLASS_CS_TYPE, (void *)(uintptr_t)Cpu, &csType, sizeof(csType));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    State->Space.Cr3 = regs.Cr3;
    State->Space.Paging = IgPagingModeFromRegisters(regs.Cr0, regs.Cr4, efer.Value);
    State->Space.Pse = (regs.Cr4 & IG_CR4_PSE) != 0;
    State->CsType = csType;
    State->Rip = regs.Rip;
    return INT_STATUS_SUCCESS;
}
