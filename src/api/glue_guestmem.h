/*
 * Guest memory through the integrator's GLUE_IFACE: the adapter between PhysMemMapToHost /
 * PhysMemUnmap and the engine's IG_GUEST_PHYS, and the vCPU state a page walk needs
 * (QueryGuestInfo: CR0/CR3/CR4, EFER, code-segment mode, highest guest frame).
 */
#ifndef INTROGUARD_GLUE_GUESTMEM_H
#define INTROGUARD_GLUE_GUESTMEM_H

#include "introguard/glueiface.h"
#include "../common/guestmem.h"
#include "../exceptions/exceptions_int.h"

/* The integrator's table and the guest it is called for; lives as long as the IG_GUEST_PHYS using it. */
typedef struct IG_GLUE_MEMORY
{
    const GLUE_IFACE *Glue;
    void *GuestHandle;
} IG_GLUE_MEMORY;

/*
 * Fills Phys so that maps and unmaps go to Memory's GLUE_IFACE.  MaxGpa comes from
 * QueryGuestInfo(MAX_GPFN) when the integrator answers it, else the architectural limit.
 */
void IgGlueGuestPhys(IG_GLUE_MEMORY *Memory, IG_GUEST_PHYS *Phys);

/* The vCPU state the engine needs to read code: its address space and its code-segment mode. */
typedef struct IG_GLUE_VCPU_STATE
{
    IG_ADDRESS_SPACE Space; /* CR3 and paging mode of the vCPU */
    uint32_t CsType;        /* IG_CS_TYPE */
    uint64_t Rip;
} IG_GLUE_VCPU_STATE;

/*
 * Queries Cpu (IG_CURRENT_VCPU for the current one): REGISTER_STATE, READ_MSR(EFER) and CS_TYPE.
 * Returns the integrator's error when a query fails.
 */
__attribute__((warn_unused_result)) INTSTATUS IgGlueQueryVcpuState(const GLUE_IFACE *Glue, void *GuestHandle, DWORD Cpu,
                                                                   IG_GLUE_VCPU_STATE *State);

/*
 * A guest's own access to its memory, lent to the evaluations of its rule set (IG_EXC_ENV): reads
 * walk the current vCPU's page tables through GLUE_IFACE, the CPU mode is the current vCPU's, and
 * the one decoder context the guest owns is lent to one evaluation at a time.
 */
typedef struct IG_GUEST_MEMORY
{
    IG_GLUE_MEMORY Glue;
    const UPPER_IFACE *Upper;
    struct IG_CODE_CONTEXT *Code; /* created with the guest record, kept across guests that reuse it */
    void *CodeLock;               /* UPPER spin lock: one evaluation decodes at a time */
    IG_EXC_ENV Env;
    struct IG_DISASM_DETAIL *Detail; /* the operand decoder of the guest's events */
    void *EventLock;                 /* UPPER spin lock: the guest's events are handled one at a time */
} IG_GUEST_MEMORY;

/* Creates the decoders and their locks.  On failure nothing is left allocated. */
__attribute__((warn_unused_result)) INTSTATUS IgGuestMemoryCreate(const IG_ALLOCATOR *Allocator,
                                                                  const UPPER_IFACE *Upper, IG_GUEST_MEMORY *Memory);

/* Frees what IgGuestMemoryCreate made (a zeroed IG_GUEST_MEMORY is fine). */
void IgGuestMemoryDestroy(IG_GUEST_MEMORY *Memory);

/* Points Memory at a guest: its integrator's table and GuestHandle, and fills Memory->Env. */
void IgGuestMemoryBind(IG_GUEST_MEMORY *Memory, const GLUE_IFACE *Glue, void *GuestHandle);

#endif /* INTROGUARD_GLUE_GUESTMEM_H */
