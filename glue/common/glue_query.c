/*
 * QueryGuestInfo on top of a backend: every class the library asks, answered from the backend's
 * register snapshot and guest description.  Per-vCPU classes take the vCPU in InfoParam;
 * IG_CURRENT_VCPU means the vCPU of the event this thread is handling.
 */
#include <string.h>

#include "glue_int.h"

#define IG_CR0_PE 0x1ull
#define IG_EFER_LMA 0x400ull
#define IG_SEG_L 0x200u  /* attribute bit 9: 64-bit code segment */
#define IG_SEG_DB 0x400u /* attribute bit 10: 32-bit default operand size */
#define IG_SEG_DPL(Attributes) (((Attributes) >> 5) & 3u)

#define IG_MSR_SYSENTER_CS 0x174u
#define IG_MSR_SYSENTER_ESP 0x175u
#define IG_MSR_SYSENTER_EIP 0x176u
#define IG_MSR_EFER 0xC0000080u
#define IG_MSR_STAR 0xC0000081u
#define IG_MSR_LSTAR 0xC0000082u
#define IG_MSR_CSTAR 0xC0000083u
#define IG_MSR_FS_BASE 0xC0000100u
#define IG_MSR_GS_BASE 0xC0000101u
#define IG_MSR_KERNEL_GS_BASE 0xC0000102u

IG_CS_TYPE IgGlueCsType(const INTRO_BACKEND_REGS *Regs)
{
    if (!(Regs->Arch.Cr0 & IG_CR0_PE))
    {
        return IG_CS_TYPE_16B; /* real mode */
    }
    if ((Regs->Efer & IG_EFER_LMA) && (Regs->Cs.Attributes & IG_SEG_L))
    {
        return IG_CS_TYPE_64B;
    }
    return (Regs->Cs.Attributes & IG_SEG_DB) ? IG_CS_TYPE_32B : IG_CS_TYPE_16B;
}

IG_CS_RING IgGlueCsRing(const INTRO_BACKEND_REGS *Regs)
{
    /* The CPL is SS.DPL (CS.DPL of a conforming segment need not be). */
    return (IG_CS_RING)IG_SEG_DPL(Regs->Ss.Attributes);
}

/* An MSR of the snapshot, or false when the backend did not provide it. */
static bool IgGlueMsr(const INTRO_BACKEND_REGS *Regs, DWORD Msr, QWORD *Value)
{
    struct
    {
        DWORD Msr;
        DWORD Valid;
        QWORD Value;
    } const table[] = {
        {IG_MSR_EFER, INTRO_BACKEND_MSR_EFER, Regs->Efer},
        {IG_MSR_STAR, INTRO_BACKEND_MSR_STAR, Regs->Star},
        {IG_MSR_LSTAR, INTRO_BACKEND_MSR_LSTAR, Regs->Lstar},
        {IG_MSR_CSTAR, INTRO_BACKEND_MSR_CSTAR, Regs->Cstar},
        {IG_MSR_SYSENTER_CS, INTRO_BACKEND_MSR_SYSENTER, Regs->SysenterCs},
        {IG_MSR_SYSENTER_ESP, INTRO_BACKEND_MSR_SYSENTER, Regs->SysenterEsp},
        {IG_MSR_SYSENTER_EIP, INTRO_BACKEND_MSR_SYSENTER, Regs->SysenterEip},
        {IG_MSR_FS_BASE, INTRO_BACKEND_MSR_SEG_BASES, Regs->Fs.Base},
        {IG_MSR_GS_BASE, INTRO_BACKEND_MSR_SEG_BASES, Regs->Gs.Base},
        {IG_MSR_KERNEL_GS_BASE, INTRO_BACKEND_MSR_SEG_BASES, Regs->KernelGsBase},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    {
        if (table[i].Msr == Msr)
        {
            if (!(Regs->Msrs & table[i].Valid))
            {
                return false;
            }
            *Value = table[i].Value;
            return true;
        }
    }
    return false;
}

/*
 * The register snapshot of the vCPU named by InfoParam: the event's cached one when it is the
 * event's vCPU (no copy), else read into Storage.
 */
static INTSTATUS IgGlueVcpuRegs(const INTRO_GLUE_GUEST *Guest, void *InfoParam, INTRO_BACKEND_REGS *Storage,
                                const INTRO_BACKEND_REGS **Regs, DWORD *Vcpu)
{
    INTSTATUS status;

    *Regs = NULL;
    status = IgGlueResolveVcpu(Guest, (DWORD)(uintptr_t)InfoParam, Vcpu);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    *Regs = IgGlueEventRegisters(Guest, *Vcpu);
    if (*Regs)
    {
        return INT_STATUS_SUCCESS;
    }
    /* Another vCPU than the event's (or no event): ask the backend. */
    memset(Storage, 0, sizeof(*Storage));
    status = Guest->Backend.GetRegisters(Guest->Context, *Vcpu, Storage);
    *Regs = Storage;
    return status;
}

/* Copies Size bytes of Value into Buffer when BufferLength allows. */
static INTSTATUS IgGlueAnswer(void *Buffer, DWORD BufferLength, const void *Value, size_t Size)
{
    if (BufferLength < Size)
    {
        return INT_STATUS_DATA_BUFFER_TOO_SMALL;
    }
    memcpy(Buffer, Value, Size);
    return INT_STATUS_SUCCESS;
}

/* The classes answered from one vCPU's registers. */
static INTSTATUS IgGlueQueryVcpu(const INTRO_GLUE_GUEST *Guest, DWORD InfoClass, void *InfoParam, void *Buffer,
                                 DWORD BufferLength)
{
    INTRO_BACKEND_REGS storage;
    const INTRO_BACKEND_REGS *regs = NULL;
    DWORD vcpu = 0;
    QWORD value;
    DWORD word;
    INTSTATUS status = IgGlueVcpuRegs(Guest, InfoParam, &storage, &regs, &vcpu);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    switch (InfoClass)
    {
        case IG_QUERY_INFO_CLASS_REGISTER_STATE:
        case IG_QUERY_INFO_CLASS_REGISTER_STATE_GPRS:
            return IgGlueAnswer(Buffer, BufferLength, &regs->Arch, sizeof(regs->Arch));
        case IG_QUERY_INFO_CLASS_READ_MSR:
        {
            IG_QUERY_MSR query;

            if (BufferLength < sizeof(query))
            {
                return INT_STATUS_DATA_BUFFER_TOO_SMALL;
            }
            memcpy(&query, Buffer, sizeof(query));
            if (!IgGlueMsr(regs, query.MsrId, &query.Value))
            {
                return INT_STATUS_NOT_SUPPORTED;
            }
            return IgGlueAnswer(Buffer, BufferLength, &query, sizeof(query));
        }
        case IG_QUERY_INFO_CLASS_IDT:
            value = regs->Arch.IdtBase;
            return IgGlueAnswer(Buffer, BufferLength, &value, sizeof(value));
        case IG_QUERY_INFO_CLASS_GDT:
            value = regs->Arch.GdtBase;
            return IgGlueAnswer(Buffer, BufferLength, &value, sizeof(value));
        case IG_QUERY_INFO_CLASS_CS_TYPE:
            word = (DWORD)IgGlueCsType(regs);
            return IgGlueAnswer(Buffer, BufferLength, &word, sizeof(word));
        case IG_QUERY_INFO_CLASS_CS_RING:
            word = (DWORD)IgGlueCsRing(regs);
            return IgGlueAnswer(Buffer, BufferLength, &word, sizeof(word));
        case IG_QUERY_INFO_CLASS_SET_REGISTERS:
        {
            IG_ARCH_REGS arch;

            if (!Guest->Backend.SetRegisters)
            {
                return INT_STATUS_NOT_SUPPORTED;
            }
            if (BufferLength < sizeof(arch))
            {
                return INT_STATUS_DATA_BUFFER_TOO_SMALL;
            }
            memcpy(&arch, Buffer, sizeof(arch));
            IgGlueForgetRegisters();
            return Guest->Backend.SetRegisters(Guest->Context, vcpu, &arch);
        }
        default:
            return INT_STATUS_NOT_SUPPORTED;
    }
}

INTSTATUS IgGlueQueryGuestInfo(void *GuestHandle, DWORD InfoClass, void *InfoParam, void *Buffer, DWORD BufferLength)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    INTRO_BACKEND_INFO info;
    DWORD word;
    BOOLEAN flag;
    QWORD value;
    INTSTATUS status;

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Buffer)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    switch (InfoClass)
    {
        case IG_QUERY_INFO_CLASS_REGISTER_STATE:
        case IG_QUERY_INFO_CLASS_REGISTER_STATE_GPRS:
        case IG_QUERY_INFO_CLASS_READ_MSR:
        case IG_QUERY_INFO_CLASS_IDT:
        case IG_QUERY_INFO_CLASS_GDT:
        case IG_QUERY_INFO_CLASS_CS_TYPE:
        case IG_QUERY_INFO_CLASS_CS_RING:
        case IG_QUERY_INFO_CLASS_SET_REGISTERS:
            return IgGlueQueryVcpu(guest, InfoClass, InfoParam, Buffer, BufferLength);
        case IG_QUERY_INFO_CLASS_CURRENT_TID:
            if (!IgGlueCurrentVcpu(guest, &word))
            {
                return INT_STATUS_NOT_FOUND; /* no event is being handled on this thread */
            }
            return IgGlueAnswer(Buffer, BufferLength, &word, sizeof(word));
        case IG_QUERY_INFO_CLASS_EPTP_INDEX:
            word = 0; /* one view: the default */
            return IgGlueAnswer(Buffer, BufferLength, &word, sizeof(word));
        case IG_QUERY_INFO_CLASS_VE_SUPPORT:
        case IG_QUERY_INFO_CLASS_VMFUNC_SUPPORT:
        case IG_QUERY_INFO_CLASS_SPP_SUPPORT:
            flag = FALSE;
            return IgGlueAnswer(Buffer, BufferLength, &flag, sizeof(flag));
        default:
            break;
    }

    memset(&info, 0, sizeof(info));
    status = guest->Backend.GetInfo(guest->Context, &info);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    switch (InfoClass)
    {
        case IG_QUERY_INFO_CLASS_CPU_COUNT:
            return IgGlueAnswer(Buffer, BufferLength, &info.VcpuCount, sizeof(info.VcpuCount));
        case IG_QUERY_INFO_CLASS_MAX_GPFN:
            value = info.MaxGfn;
            return IgGlueAnswer(Buffer, BufferLength, &value, sizeof(value));
        case IG_QUERY_INFO_CLASS_DTR_SUPPORT:
            flag = (info.Features & INTRO_BACKEND_FEATURE_DTR) != 0;
            return IgGlueAnswer(Buffer, BufferLength, &flag, sizeof(flag));
        default:
            return INT_STATUS_NOT_SUPPORTED; /* TSC_SPEED, SEG_REGISTERS, XSAVE, XCR0: no backend reports them yet */
    }
}
