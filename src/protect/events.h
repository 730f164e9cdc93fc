/*
 * Events to violations: what the protection core does when the hypervisor reports an access to a
 * zone (EPT, MSR, CR4, descriptor-table load).  The API layer's handlers find the guest, take its
 * model lock shared and call in here with what the guest lends the core for the event.
 */
#ifndef INTROGUARD_PROTECT_EVENTS_H
#define INTROGUARD_PROTECT_EVENTS_H

#include "../common/guestmem.h"
#include "../exceptions/disasm.h"
#include "../exceptions/exceptions_int.h"
#include "protect.h"

/* What one event may use of its guest. */
typedef struct IG_PROTECT_ENV
{
    IG_PROTECT *Protect;
    /* Guest-virtual reads (the current vCPU's paging mode; the address space by CR3). */
    IG_GUEST_VMEM Memory;
    /* The guest's code-blocks decoder, lent to one user at a time (alerts). */
    const IG_EXC_ENV *Code;
    /* The guest's operand decoder: events of one guest are handled one at a time, so it is theirs. */
    IG_DISASM_DETAIL *Decoder;
    /* The guest's evaluation of a violation against its rule set (IntExceptEvaluateGuest). */
    INTSTATUS (*Evaluate)(void *Context, const INTRO_EXC_VIOLATION *Violation, INTRO_EXC_VERDICT *Verdict);
    void *EvaluateContext;
    /* The exceptions file version and the guest's declared OS, for alerts. */
    WORD ExceptionsMajor;
    WORD ExceptionsMinor;
    DWORD ExceptionsBuild;
    const GUEST_INFO *Guest;
} IG_PROTECT_ENV;

/*
 * Reads Size bytes at Gva in Cr3 as far as they are readable: returns how many were (the rest of
 * Buffer is zeroed).  For reads where a prefix is useful: code at RIP, the stack, the RIP's page.
 */
size_t IgEventReadPartial(const IG_PROTECT_ENV *Env, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size);

/*
 * Bounds on the work of one event, whatever guest memory holds: the stack slots examined for a
 * return address, the zones examined on one page.
 */
#define IG_EVENT_STACK_SLOTS 64u

/*
 * An EPT violation at Gpa (Gla when known) of kind Access (IG_EPT_HOOK_*) on vCPU Cpu.  *Action is
 * the decision; NOT_FOUND when no zone covers the access (*Action allowed: not ours).
 */
__attribute__((warn_unused_result)) INTSTATUS IgProtectOnEpt(const IG_PROTECT_ENV *Env, uint64_t Gpa, uint64_t Gla,
                                                             uint8_t Access, uint32_t Cpu, INTRO_ACTION *Action);

/* A write of NewValue to Msr (OldValue before).  NOT_FOUND when no zone protects Msr. */
__attribute__((warn_unused_result)) INTSTATUS IgProtectOnMsr(const IG_PROTECT_ENV *Env, uint32_t Msr, uint64_t OldValue,
                                                             uint64_t NewValue, uint32_t Cpu, INTRO_ACTION *Action);

/* A write to control register Cr.  NOT_FOUND when it clears neither SMEP nor SMAP or no zone protects it. */
__attribute__((warn_unused_result)) INTSTATUS IgProtectOnCr(const IG_PROTECT_ENV *Env, uint32_t Cr, uint64_t OldValue,
                                                            uint64_t NewValue, uint32_t Cpu, INTRO_ACTION *Action);

/* A descriptor-table register access (IG_DESC_ACCESS_* flags).  NOT_FOUND for one no zone protects. */
__attribute__((warn_unused_result)) INTSTATUS IgProtectOnDtr(const IG_PROTECT_ENV *Env, uint32_t Flags, uint32_t Cpu,
                                                             INTRO_ACTION *Action);

#endif /* INTROGUARD_PROTECT_EVENTS_H */
