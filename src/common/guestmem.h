/*
 * Guest memory for the engine: a software page walk and copy-once reads of guest-virtual ranges.
 *
 * Physical memory is reached only through IG_GUEST_PHYS (map one piece of one page, unmap it), so
 * the integrator's GLUE_IFACE, the replay backend and test fakes all plug in the same way.  Every
 * read copies the guest bytes into a caller buffer while the page is mapped and unmaps at once:
 * the engine then examines its own copy, never live guest memory (no TOCTOU).
 *
 * Page tables are hostile input.  The walk has a fixed number of levels (so a table that points
 * at itself cannot loop), checks every frame against the guest's highest physical address,
 * rejects reserved bits it depends on (PS in a PML4E/PML5E, misaligned huge-page frames) and
 * honours huge pages (4 MiB with PSE, 2 MiB, 1 GiB).
 */
#ifndef INTROGUARD_GUESTMEM_H
#define INTROGUARD_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/introstatus.h"

#define IG_PAGE_SIZE 0x1000u
#define IG_PAGE_MASK 0xFFFull
#define IG_PAGE_OFFSET(Address) ((uint32_t)((Address)&IG_PAGE_MASK))
#define IG_PAGE_BASE(Address) ((Address) & ~IG_PAGE_MASK)

/* Architectural limit on guest-physical addresses (MAXPHYADDR <= 52). */
#define IG_GPA_LIMIT ((1ull << 52) - 1)

/* The most one virtual read may ask for: enough for any window or header the engine reads. */
#define IG_GUEST_READ_MAX (64u * 1024u)

typedef struct IG_GUEST_PHYS
{
    /*
     * Maps Length bytes at Gpa (never crossing the page that holds Gpa) and stores a pointer to
     * the byte at Gpa in *Host.  Fails (PAGE_NOT_PRESENT or any error) for memory that is not there.
     */
    INTSTATUS (*Map)(void *Context, uint64_t Gpa, uint32_t Length, const uint8_t **Host);
    /* Releases a mapping returned by Map. */
    void (*Unmap)(void *Context, const uint8_t *Host);
    void *Context;
    uint64_t MaxGpa; /* highest valid guest-physical address, inclusive; 0 means IG_GPA_LIMIT */
} IG_GUEST_PHYS;

typedef enum IG_PAGING_MODE
{
    IgPagingNone = 0,   /* paging off: virtual == physical */
    IgPaging32 = 1,     /* 2-level 32-bit paging (4 MiB pages when Pse) */
    IgPagingPae = 2,    /* 3-level PAE paging */
    IgPaging4Level = 3, /* 4-level (IA-32e) paging */
    IgPaging5Level = 4, /* 5-level paging */
} IG_PAGING_MODE;

/* One guest address space: the page-table root and how to walk it. */
typedef struct IG_ADDRESS_SPACE
{
    uint64_t Cr3;
    IG_PAGING_MODE Paging;
    bool Pse; /* CR4.PSE: honour the PS bit in 32-bit paging */
} IG_ADDRESS_SPACE;

/* Paging mode from the control registers (CR0.PG, CR4.PAE, CR4.LA57, EFER.LMA). */
IG_PAGING_MODE IgPagingModeFromRegisters(uint64_t Cr0, uint64_t Cr4, uint64_t Efer);

/*
 * Translates Gva in Space.  *Gpa is 0 on failure.  Returns PAGE_NOT_PRESENT when an entry is not
 * present or the address is not canonical, NO_MAPPING_STRUCTURES when a table cannot be read or
 * an entry is malformed (reserved bits, frame beyond MaxGpa), or the mapper's error.
 */
__attribute__((warn_unused_result)) INTSTATUS IgGuestTranslate(const IG_GUEST_PHYS *Phys, const IG_ADDRESS_SPACE *Space,
                                                               uint64_t Gva, uint64_t *Gpa);

/*
 * Copies Size bytes at Gva in Space into Buffer, page by page.  *Done receives the number of
 * bytes copied before the first page that could not be read (Size on success); the bytes after
 * it are zeroed.  Size above IG_GUEST_READ_MAX, or a range that wraps, is INVALID_PARAMETER.
 */
__attribute__((warn_unused_result)) INTSTATUS IgGuestReadVirtual(const IG_GUEST_PHYS *Phys,
                                                                 const IG_ADDRESS_SPACE *Space, uint64_t Gva,
                                                                 void *Buffer, size_t Size, size_t *Done);

/*
 * A source of guest-virtual bytes, whatever stands behind it: a page walk over IG_GUEST_PHYS, or
 * bytes a trace recorded by virtual address.  Read has IgGuestReadVirtual's contract; Cr3 names
 * the address space.
 */
typedef struct IG_GUEST_VMEM
{
    INTSTATUS (*Read)(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done);
    void *Context;
} IG_GUEST_VMEM;

/* Reads through Vmem, with the argument checks every implementation shares. */
__attribute__((warn_unused_result)) INTSTATUS IgGuestVmemRead(const IG_GUEST_VMEM *Vmem, uint64_t Cr3, uint64_t Gva,
                                                              void *Buffer, size_t Size, size_t *Done);

/* A page-walking IG_GUEST_VMEM: every CR3 is walked with the paging mode and PSE setting of Template. */
typedef struct IG_GUEST_WALKER
{
    IG_GUEST_PHYS Phys;
    IG_PAGING_MODE Paging;
    bool Pse;
} IG_GUEST_WALKER;

void IgGuestWalkerVmem(IG_GUEST_WALKER *Walker, IG_GUEST_VMEM *Vmem);

/*
 * Bytes known by virtual address (a violation record in a trace carries the code around the RIP
 * this way).  A range answers reads in its address space only; Cr3 0 in a range matches any.
 */
typedef struct IG_GUEST_BYTES
{
    uint64_t Cr3;
    uint64_t Gva;
    const uint8_t *Bytes;
    size_t Length;
} IG_GUEST_BYTES;

typedef struct IG_GUEST_BYTE_RANGES
{
    const IG_GUEST_BYTES *Ranges;
    uint32_t Count;
} IG_GUEST_BYTE_RANGES;

void IgGuestByteRangesVmem(IG_GUEST_BYTE_RANGES *Ranges, IG_GUEST_VMEM *Vmem);

#endif /* INTROGUARD_GUESTMEM_H */
