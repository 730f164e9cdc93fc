/*
 * The length of the instruction at a vCPU's RIP, for answers that skip it (a vm_event response
 * moves RIP itself; Xen does not report instruction lengths for memory or descriptor events).
 *
 * The bytes are read through the guest's page tables (the paging mode of CR0, CR4 and EFER) with
 * the backend's own mappings, and decoded with capstone: one handle per code size, made on first
 * use, kept until detach.  The only capstone user in glue/xen.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>

#include "xen_int.h"

#define IG_CR0_PE 0x1ull
#define IG_CR0_PG 0x80000000ull
#define IG_CR4_PSE 0x10ull
#define IG_CR4_PAE 0x20ull
#define IG_CR4_LA57 0x1000ull
#define IG_EFER_LMA 0x400ull
#define IG_PTE_P 0x1ull
#define IG_PTE_PS 0x80ull
#define IG_PTE_FRAME 0x000FFFFFFFFFF000ull
#define IG_MAX_INSN 15u

typedef struct IG_XEN_DECODER
{
    csh Handles[3]; /* 16-, 32-, 64-bit code */
    bool Open[3];
} IG_XEN_DECODER;

INTSTATUS IgXenDecoderOpen(INTRO_XEN *Xen)
{
    if (!Xen->Decoder)
    {
        Xen->Decoder = calloc(1, sizeof(IG_XEN_DECODER));
    }
    return Xen->Decoder ? INT_STATUS_SUCCESS : INT_STATUS_INSUFFICIENT_RESOURCES;
}

void IgXenDecoderClose(INTRO_XEN *Xen)
{
    IG_XEN_DECODER *d = Xen->Decoder;

    for (int i = 0; d && i < 3; i++)
    {
        if (d->Open[i])
        {
            cs_close(&d->Handles[i]);
        }
    }
    free(d);
    Xen->Decoder = NULL;
}

/* One paging-structure entry (Width bytes) at Gpa. */
static bool IgXenEntry(INTRO_XEN *Xen, QWORD Gpa, uint32_t Width, QWORD *Entry)
{
    size_t done = 0;

    *Entry = 0;
    return INT_SUCCESS(IgXenReadPhysical(Xen, Gpa, Entry, Width, &done)) && (*Entry & IG_PTE_P);
}

/* The guest-physical address of Gva under Regs's paging; false when it is not mapped. */
static bool IgXenTranslate(INTRO_XEN *Xen, const INTRO_BACKEND_REGS *Regs, QWORD Gva, QWORD *Gpa)
{
    const IG_ARCH_REGS *a = &Regs->Arch;
    QWORD entry = 0, table;
    int levels, shift;

    if (!(a->Cr0 & IG_CR0_PG))
    {
        *Gpa = Gva;
        return true;
    }
    if (!(a->Cr4 & IG_CR4_PAE))
    {
        /* 32-bit paging: two levels of 4-byte entries, 4 MiB pages with PSE. */
        if (!IgXenEntry(Xen, (a->Cr3 & 0xFFFFF000ull) + ((Gva >> 22) & 0x3FF) * 4, 4, &entry))
        {
            return false;
        }
        if ((entry & IG_PTE_PS) && (a->Cr4 & IG_CR4_PSE))
        {
            *Gpa = (entry & 0xFFC00000ull) | (Gva & 0x3FFFFFull);
            return true;
        }
        if (!IgXenEntry(Xen, (entry & 0xFFFFF000ull) + ((Gva >> 12) & 0x3FF) * 4, 4, &entry))
        {
            return false;
        }
        *Gpa = (entry & 0xFFFFF000ull) | (Gva & 0xFFFull);
        return true;
    }
    if (Regs->Efer & IG_EFER_LMA)
    {
        levels = (a->Cr4 & IG_CR4_LA57) ? 5 : 4;
        table = a->Cr3 & IG_PTE_FRAME;
    }
    else
    {
        /* PAE: a four-entry table at CR3 (32-byte aligned), then two levels. */
        if (!IgXenEntry(Xen, (a->Cr3 & 0xFFFFFFE0ull) + ((Gva >> 30) & 3) * 8, 8, &entry))
        {
            return false;
        }
        table = entry & IG_PTE_FRAME;
        levels = 2;
    }
    for (shift = 12 + 9 * (levels - 1); shift >= 12; shift -= 9)
    {
        if (!IgXenEntry(Xen, table + ((Gva >> shift) & 0x1FF) * 8, 8, &entry))
        {
            return false;
        }
        if (shift > 12 && shift <= 30 && (entry & IG_PTE_PS))
        {
            QWORD size = 1ull << shift;

            *Gpa = (entry & IG_PTE_FRAME & ~(size - 1)) | (Gva & (size - 1));
            return true;
        }
        table = entry & IG_PTE_FRAME;
    }
    *Gpa = table | (Gva & 0xFFFull);
    return true;
}

/* Up to Size bytes at Gva, page by page; how many could be read. */
static size_t IgXenReadVirtual(INTRO_XEN *Xen, const INTRO_BACKEND_REGS *Regs, QWORD Gva, uint8_t *Buffer, size_t Size)
{
    size_t read = 0;

    while (read < Size)
    {
        QWORD gva = Gva + read;
        size_t chunk = IG_XEN_PAGE - (gva & (IG_XEN_PAGE - 1));
        size_t done = 0;
        QWORD gpa = 0;
        INTSTATUS status;

        if (chunk > Size - read)
        {
            chunk = Size - read;
        }
        if (!IgXenTranslate(Xen, Regs, gva, &gpa))
        {
            break;
        }
        /* What was read before a missing frame still counts. */
        status = IgXenReadPhysical(Xen, gpa, Buffer + read, chunk, &done);
        read += done;
        if (!INT_SUCCESS(status))
        {
            break;
        }
    }
    return read;
}

INTSTATUS IgXenInstructionLength(INTRO_XEN *Xen, const INTRO_BACKEND_REGS *Regs, uint32_t *Length)
{
    static const cs_mode modes[3] = {CS_MODE_16, CS_MODE_32, CS_MODE_64};
    IG_XEN_DECODER *d = Xen->Decoder;
    uint8_t bytes[IG_MAX_INSN];
    const uint8_t *code = bytes;
    size_t size;
    uint64_t address;
    cs_insn *insn;
    int mode;
    INTSTATUS status = INT_STATUS_NOT_FOUND;

    *Length = 0;
    if (!d)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    /* Code size as the CPU sees it: real mode 16; long mode with CS.L 64; else CS.D. */
    mode = !(Regs->Arch.Cr0 & IG_CR0_PE)                                  ? 0
           : (Regs->Efer & IG_EFER_LMA) && (Regs->Cs.Attributes & 0x200u) ? 2
           : (Regs->Cs.Attributes & 0x400u)                               ? 1
                                                                          : 0;
    address = mode == 2 ? Regs->Arch.Rip : Regs->Cs.Base + Regs->Arch.Rip;
    size = IgXenReadVirtual(Xen, Regs, address, bytes, sizeof(bytes));
    if (!d->Open[mode])
    {
        if (cs_open(CS_ARCH_X86, modes[mode], &d->Handles[mode]) != CS_ERR_OK)
        {
            return INT_STATUS_NOT_SUPPORTED;
        }
        d->Open[mode] = true;
    }
    insn = cs_malloc(d->Handles[mode]);
    if (!insn)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (size && cs_disasm_iter(d->Handles[mode], &code, &size, &address, insn))
    {
        *Length = insn->size;
        status = INT_STATUS_SUCCESS;
    }
    cs_free(insn, 1);
    return status;
}
