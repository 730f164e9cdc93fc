#include "glue_guestmem.h"

#include "../exceptions/codeblocks_int.h"

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

/* ---- The guest's environment for its evaluations ------------------------------------------------ */

static INTSTATUS IgGuestEnvRead(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    IG_GUEST_MEMORY *m = Context;
    IG_GLUE_VCPU_STATE vcpu;
    IG_GUEST_PHYS phys;
    INTSTATUS status;

    *Done = 0;
    /* The paging mode is the current vCPU's; the address space is the one the signature names. */
    status = IgGlueQueryVcpuState(m->Glue.Glue, m->Glue.GuestHandle, IG_CURRENT_VCPU, &vcpu);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    vcpu.Space.Cr3 = Cr3;
    IgGlueGuestPhys(&m->Glue, &phys);
    return IgGuestReadVirtual(&phys, &vcpu.Space, Gva, Buffer, Size, Done);
}

static INTSTATUS IgGuestEnvCsType(void *Context, uint32_t *CsType)
{
    IG_GUEST_MEMORY *m = Context;
    DWORD csType = 0;
    INTSTATUS status;

    *CsType = 0;
    status = m->Glue.Glue->QueryGuestInfo(m->Glue.GuestHandle, IG_QUERY_INFO_CLASS_CS_TYPE,
                                          (void *)(uintptr_t)IG_CURRENT_VCPU, &csType, sizeof(csType));
    if (INT_SUCCESS(status))
    {
        *CsType = csType;
    }
    return status;
}

static IG_CODE_CONTEXT *IgGuestEnvAcquireCode(void *Context)
{
    IG_GUEST_MEMORY *m = Context;

    if (!m->Code)
    {
        return NULL;
    }
    /* Evaluations on other vCPUs wait here only when they too decode code, as in hvmi where
     * every event is handled under one lock. */
    (void)m->Upper->SpinLockAcquire(m->CodeLock);
    return m->Code;
}

static void IgGuestEnvReleaseCode(void *Context, IG_CODE_CONTEXT *Code)
{
    IG_GUEST_MEMORY *m = Context;

    (void)Code;
    (void)m->Upper->SpinLockRelease(m->CodeLock);
}

INTSTATUS IgGuestMemoryCreate(const IG_ALLOCATOR *Allocator, const UPPER_IFACE *Upper, IG_GUEST_MEMORY *Memory)
{
    INTSTATUS status;

    memset(Memory, 0, sizeof(*Memory));
    Memory->Upper = Upper;
    status = IgCodeContextCreate(Allocator, &Memory->Code);
    if (INT_SUCCESS(status))
    {
        status = IgDisasmDetailCreate(Allocator, &Memory->Detail);
    }
    if (INT_SUCCESS(status))
    {
        status = Upper->SpinLockInit(&Memory->CodeLock, "INTROGUARD GUEST CODE");
    }
    if (INT_SUCCESS(status))
    {
        status = Upper->SpinLockInit(&Memory->EventLock, "INTROGUARD GUEST EVENTS");
    }
    if (!INT_SUCCESS(status))
    {
        IgGuestMemoryDestroy(Memory);
    }
    return status;
}

void IgGuestMemoryDestroy(IG_GUEST_MEMORY *Memory)
{
    if (Memory->EventLock)
    {
        (void)Memory->Upper->SpinLockUnInit(&Memory->EventLock);
    }
    if (Memory->CodeLock)
    {
        (void)Memory->Upper->SpinLockUnInit(&Memory->CodeLock);
    }
    IgDisasmDetailDestroy(Memory->Detail);
    IgCodeContextDestroy(Memory->Code);
    memset(Memory, 0, sizeof(*Memory));
}

void IgGuestMemoryBind(IG_GUEST_MEMORY *Memory, const GLUE_IFACE *Glue, void *GuestHandle)
{
    Memory->Glue.Glue = Glue;
    Memory->Glue.GuestHandle = GuestHandle;
    Memory->Env.Context = Memory;
    Memory->Env.ReadVirtual = IgGuestEnvRead;
    Memory->Env.QueryCsType = IgGuestEnvCsType;
    Memory->Env.AcquireCodeContext = IgGuestEnvAcquireCode;
    Memory->Env.ReleaseCodeContext = IgGuestEnvReleaseCode;
}
