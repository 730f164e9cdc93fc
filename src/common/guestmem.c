#include "guestmem.h"

#include <string.h>

#define IG_PTE_PRESENT 0x1ull
#define IG_PTE_PS 0x80ull
#define IG_PTE_FRAME_MASK 0x000FFFFFFFFFF000ull
#define IG_PAE_PDPTE_RESERVED 0x1E6ull /* bits 1, 2, 5-8 */

#define IG_CR0_PG 0x80000000ull
#define IG_CR4_PAE 0x20ull
#define IG_CR4_LA57 0x1000ull
#define IG_EFER_LMA 0x400ull

IG_PAGING_MODE IgPagingModeFromRegisters(uint64_t Cr0, uint64_t Cr4, uint64_t Efer)
{
    if (!(Cr0 & IG_CR0_PG))
    {
        return IgPagingNone;
    }
    if (Efer & IG_EFER_LMA)
    {
        return (Cr4 & IG_CR4_LA57) ? IgPaging5Level : IgPaging4Level;
    }
    return (Cr4 & IG_CR4_PAE) ? IgPagingPae : IgPaging32;
}

static uint64_t IgMaxGpa(const IG_GUEST_PHYS *Phys)
{
    return (Phys->MaxGpa == 0 || Phys->MaxGpa > IG_GPA_LIMIT) ? IG_GPA_LIMIT : Phys->MaxGpa;
}

/* Reads one page-table entry of Width bytes (4 or 8) at Gpa. */
static INTSTATUS IgReadEntry(const IG_GUEST_PHYS *Phys, uint64_t Gpa, uint32_t Width, uint64_t *Entry)
{
    const uint8_t *host = NULL;
    INTSTATUS status;

    *Entry = 0;
    if (Gpa > IgMaxGpa(Phys) || IgMaxGpa(Phys) - Gpa < Width - 1)
    {
        return INT_STATUS_NO_MAPPING_STRUCTURES;
    }
    status = Phys->Map(Phys->Context, Gpa, Width, &host);
    if (!INT_SUCCESS(status) || !host)
    {
        return INT_STATUS_NO_MAPPING_STRUCTURES;
    }
    if (Width == 4)
    {
        uint32_t v;
        memcpy(&v, host, sizeof(v));
        *Entry = v;
    }
    else
    {
        memcpy(Entry, host, sizeof(*Entry));
    }
    Phys->Unmap(Phys->Context, host);
    return INT_STATUS_SUCCESS;
}

static bool IgCanonical(uint64_t Gva, unsigned Bits)
{
    int64_t s = (int64_t)(Gva << (64 - Bits)) >> (64 - Bits);
    return (uint64_t)s == Gva;
}

/* The levels of one walk, top first: the shift of the index and whether PS may end the walk there. */
typedef struct IG_WALK_LEVEL
{
    uint8_t Shift;
    uint8_t IndexBits;
    bool HugeAllowed;
} IG_WALK_LEVEL;

static const IG_WALK_LEVEL gIgLevels5[] = {
    {48, 9, false}, {39, 9, false}, {30, 9, true}, {21, 9, true}, {12, 9, false}};

/* 32-bit paging: two levels of 4-byte entries, 4 MiB pages when CR4.PSE is set. */
static INTSTATUS IgWalk32(const IG_GUEST_PHYS *Phys, const IG_ADDRESS_SPACE *Space, uint64_t Gva, uint64_t *Gpa)
{
    uint64_t pde;
    uint64_t pte;
    INTSTATUS status;

    if (Gva > 0xFFFFFFFFull)
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    status = IgReadEntry(Phys, (Space->Cr3 & 0xFFFFF000ull) + ((Gva >> 22) & 0x3FF) * 4, 4, &pde);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!(pde & IG_PTE_PRESENT))
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    if ((pde & IG_PTE_PS) && Space->Pse)
    {
        /* 4 MiB page: bits 31:22 of the frame, PSE-36/40 bits 39:32 in bits 20:13; bit 21 reserved. */
        uint64_t frame = (pde & 0xFFC00000ull) | (((pde >> 13) & 0xFFull) << 32);

        if (pde & (1ull << 21))
        {
            return INT_STATUS_NO_MAPPING_STRUCTURES;
        }
        *Gpa = frame | (Gva & 0x3FFFFFull);
        return INT_STATUS_SUCCESS;
    }
    status = IgReadEntry(Phys, (pde & 0xFFFFF000ull) + ((Gva >> 12) & 0x3FF) * 4, 4, &pte);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!(pte & IG_PTE_PRESENT))
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    *Gpa = (pte & 0xFFFFF000ull) | (Gva & IG_PAGE_MASK);
    return INT_STATUS_SUCCESS;
}

/*
 * Walks Count levels of 8-byte entries from Table.  A fixed number of levels: a table that points
 * back at itself cannot make this loop.
 */
static INTSTATUS IgWalkLevels(const IG_GUEST_PHYS *Phys, uint64_t Table, const IG_WALK_LEVEL *Levels, uint32_t Count,
                              uint64_t Gva, uint64_t MaxGpa, uint64_t *Gpa)
{
    uint64_t entry = 0;
    INTSTATUS status;

    for (uint32_t i = 0; i < Count; i++)
    {
        const IG_WALK_LEVEL *lvl = &Levels[i];
        uint64_t index = (Gva >> lvl->Shift) & ((1ull << lvl->IndexBits) - 1);

        if (Table > MaxGpa)
        {
            return INT_STATUS_NO_MAPPING_STRUCTURES;
        }
        status = IgReadEntry(Phys, Table + index * 8, 8, &entry);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        if (!(entry & IG_PTE_PRESENT))
        {
            return INT_STATUS_PAGE_NOT_PRESENT;
        }
        if (i + 1 == Count)
        {
            *Gpa = (entry & IG_PTE_FRAME_MASK) | (Gva & IG_PAGE_MASK);
            return INT_STATUS_SUCCESS;
        }
        if (entry & IG_PTE_PS)
        {
            uint64_t pageMask = (1ull << lvl->Shift) - 1;
            uint64_t frame = entry & IG_PTE_FRAME_MASK & ~pageMask;

            if (!lvl->HugeAllowed)
            {
                return INT_STATUS_NO_MAPPING_STRUCTURES; /* PS is reserved in PML5E/PML4E */
            }
            /* Bits 12 (PAT) and up to the page size must be zero apart from PAT. */
            if ((entry & IG_PTE_FRAME_MASK & pageMask) & ~0x1000ull)
            {
                return INT_STATUS_NO_MAPPING_STRUCTURES;
            }
            *Gpa = frame | (Gva & pageMask);
            return INT_STATUS_SUCCESS;
        }
        Table = entry & IG_PTE_FRAME_MASK;
    }
    return INT_STATUS_PAGE_NOT_PRESENT; /* Count 0: not reached */
}

/* PAE: the PDPTE from CR3's 32-byte table, then the PD and PT levels. */
static INTSTATUS IgWalkPae(const IG_GUEST_PHYS *Phys, const IG_ADDRESS_SPACE *Space, uint64_t Gva, uint64_t MaxGpa,
                           uint64_t *Gpa)
{
    uint64_t pdpte;
    INTSTATUS status;

    if (Gva > 0xFFFFFFFFull)
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    status = IgReadEntry(Phys, (Space->Cr3 & 0xFFFFFFE0ull) + ((Gva >> 30) & 3) * 8, 8, &pdpte);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!(pdpte & IG_PTE_PRESENT))
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    if (pdpte & IG_PAE_PDPTE_RESERVED)
    {
        return INT_STATUS_NO_MAPPING_STRUCTURES;
    }
    return IgWalkLevels(Phys, pdpte & IG_PTE_FRAME_MASK, gIgLevels5 + 3, 2, Gva, MaxGpa, Gpa);
}

INTSTATUS IgGuestTranslate(const IG_GUEST_PHYS *Phys, const IG_ADDRESS_SPACE *Space, uint64_t Gva, uint64_t *Gpa)
{
    uint64_t maxGpa;
    INTSTATUS status;

    if (Gpa)
    {
        *Gpa = 0;
    }
    if (!Phys || !Phys->Map || !Phys->Unmap)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Space)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Gpa)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    maxGpa = IgMaxGpa(Phys);

    switch (Space->Paging)
    {
        case IgPagingNone:
            if (Gva > maxGpa)
            {
                return INT_STATUS_PAGE_NOT_PRESENT;
            }
            *Gpa = Gva;
            return INT_STATUS_SUCCESS;
        case IgPaging32:
            status = IgWalk32(Phys, Space, Gva, Gpa);
            break;
        case IgPagingPae:
            status = IgWalkPae(Phys, Space, Gva, maxGpa, Gpa);
            break;
        case IgPaging4Level:
            status = IgCanonical(Gva, 48)
                         ? IgWalkLevels(Phys, Space->Cr3 & IG_PTE_FRAME_MASK, gIgLevels5 + 1, 4, Gva, maxGpa, Gpa)
                         : INT_STATUS_PAGE_NOT_PRESENT;
            break;
        case IgPaging5Level:
            status = IgCanonical(Gva, 57)
                         ? IgWalkLevels(Phys, Space->Cr3 & IG_PTE_FRAME_MASK, gIgLevels5, 5, Gva, maxGpa, Gpa)
                         : INT_STATUS_PAGE_NOT_PRESENT;
            break;
        default:
            return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!INT_SUCCESS(status))
    {
        *Gpa = 0;
        return status;
    }
    if (*Gpa > maxGpa)
    {
        *Gpa = 0;
        return INT_STATUS_NO_MAPPING_STRUCTURES;
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgGuestReadVirtual(const IG_GUEST_PHYS *Phys, const IG_ADDRESS_SPACE *Space, uint64_t Gva, void *Buffer,
                             size_t Size, size_t *Done)
{
    uint8_t *out = Buffer;
    size_t copied = 0;
    uint64_t last;
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (Done)
    {
        *Done = 0;
    }
    if (!Phys || !Phys->Map || !Phys->Unmap)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Space)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Buffer || Size == 0 || Size > IG_GUEST_READ_MAX || __builtin_add_overflow(Gva, Size - 1, &last))
    {
        return INT_STATUS_INVALID_PARAMETER;
    }

    while (copied < Size)
    {
        uint64_t gva = Gva + copied;
        uint32_t chunk = IG_PAGE_SIZE - IG_PAGE_OFFSET(gva);
        const uint8_t *host = NULL;
        uint64_t gpa;

        if (chunk > Size - copied)
        {
            chunk = (uint32_t)(Size - copied);
        }
        status = IgGuestTranslate(Phys, Space, gva, &gpa);
        if (!INT_SUCCESS(status))
        {
            break;
        }
        status = Phys->Map(Phys->Context, gpa, chunk, &host);
        if (!INT_SUCCESS(status) || !host)
        {
            status = INT_SUCCESS(status) ? INT_STATUS_PAGE_NOT_PRESENT : status;
            break;
        }
        memcpy(out + copied, host, chunk);
        Phys->Unmap(Phys->Context, host);
        copied += chunk;
    }

    if (copied < Size)
    {
        memset(out + copied, 0, Size - copied);
    }
    if (Done)
    {
        *Done = copied;
    }
    return copied == Size ? INT_STATUS_SUCCESS : status;
}

INTSTATUS IgGuestVmemRead(const IG_GUEST_VMEM *Vmem, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size,
                          size_t *Done)
{
    uint64_t last;
    size_t done = 0;
    INTSTATUS status;

    if (Done)
    {
        *Done = 0;
    }
    if (!Vmem || !Vmem->Read)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Buffer || Size == 0 || Size > IG_GUEST_READ_MAX || __builtin_add_overflow(Gva, Size - 1, &last))
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    status = Vmem->Read(Vmem->Context, Cr3, Gva, Buffer, Size, &done);
    if (done > Size)
    {
        done = 0;
        status = INT_STATUS_INVALID_INTERNAL_STATE;
    }
    if (INT_SUCCESS(status) && done != Size)
    {
        status = INT_STATUS_PAGE_NOT_PRESENT;
    }
    if (Done)
    {
        *Done = done;
    }
    return status;
}

static INTSTATUS IgWalkerRead(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    const IG_GUEST_WALKER *walker = Context;
    IG_ADDRESS_SPACE space = {Cr3, walker->Paging, walker->Pse};

    return IgGuestReadVirtual(&walker->Phys, &space, Gva, Buffer, Size, Done);
}

void IgGuestWalkerVmem(IG_GUEST_WALKER *Walker, IG_GUEST_VMEM *Vmem)
{
    Vmem->Read = IgWalkerRead;
    Vmem->Context = Walker;
}

/*
 * Bytes by virtual address: a read is served page by page, each page from the first range that
 * covers all of that page's requested bytes; the first byte no range covers ends the read.
 */
static INTSTATUS IgRangesRead(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    const IG_GUEST_BYTE_RANGES *set = Context;
    uint8_t *out = Buffer;
    size_t copied = 0;

    while (copied < Size)
    {
        uint64_t gva = Gva + copied;
        size_t chunk = IG_PAGE_SIZE - IG_PAGE_OFFSET(gva);
        bool found = false;

        if (chunk > Size - copied)
        {
            chunk = Size - copied;
        }
        for (uint32_t i = 0; i < set->Count && !found; i++)
        {
            const IG_GUEST_BYTES *r = &set->Ranges[i];

            if ((r->Cr3 != 0 && Cr3 != 0 && r->Cr3 != Cr3) || !r->Bytes || gva < r->Gva)
            {
                continue;
            }
            if (gva - r->Gva >= r->Length || r->Length - (gva - r->Gva) < chunk)
            {
                continue;
            }
            memcpy(out + copied, r->Bytes + (gva - r->Gva), chunk);
            found = true;
        }
        if (!found)
        {
            break;
        }
        copied += chunk;
    }
    if (copied < Size)
    {
        memset(out + copied, 0, Size - copied);
    }
    *Done = copied;
    return copied == Size ? INT_STATUS_SUCCESS : INT_STATUS_PAGE_NOT_PRESENT;
}

void IgGuestByteRangesVmem(IG_GUEST_BYTE_RANGES *Ranges, IG_GUEST_VMEM *Vmem)
{
    Vmem->Read = IgRangesRead;
    Vmem->Context = Ranges;
}
