/*
 * One event being turned into violations (events.c, event_state.c, alerts.c): the vCPU, the
 * process and what the faulting instruction did.
 */
#ifndef INTROGUARD_PROTECT_EVENT_INT_H
#define INTROGUARD_PROTECT_EVENT_INT_H

#include "attribution.h"
#include "write_decode.h"

typedef enum IG_EVENT_KIND
{
    IgEventEpt = 1,
    IgEventMsr,
    IgEventCr,
    IgEventDtr,
} IG_EVENT_KIND;

typedef struct IG_EVENT
{
    IG_EVENT_KIND Kind;
    uint32_t Cpu;
    IG_EVENT_VCPU Vcpu;
    IG_PM_PROCESS *Process; /* the process whose address space the vCPU is in, NULL if none declared */

    /* EPT */
    uint64_t Gpa;
    uint64_t Gla;
    uint8_t Access; /* IG_EPT_HOOK_* */
    uint8_t Code[16];
    uint32_t CodeSize; /* bytes of Code read at RIP (up to 15) */
    IG_WRITE_INFO Write;
    uint8_t Old[IG_WRITE_MAX_SIZE]; /* the bytes at the access before it (writes), or read (reads) */

    /* MSR, CR, DTR */
    uint32_t Index;
    uint64_t OldValue;
    uint64_t NewValue;
} IG_EVENT;

/* The guest part of a violation: the declared OS, bitness and version. */
void IgEventGuest(const IG_PROTECT_ENV *Env, INTRO_EXC_GUEST *Guest);

/* Reads the instruction at RIP and works out the access (size, old and new values). */
void IgEventDecode(const IG_PROTECT_ENV *Env, IG_EVENT *Event);

/* The old bytes of the access as the zone sees them (read at Gva when the decoder could not). */
void IgEventReadOld(const IG_PROTECT_ENV *Env, IG_EVENT *Event, const IG_PM_ZONE *Zone, uint64_t Gva);

/* The victim of an MSR, CR or DTR event. */
void IgEventRegisterVictim(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, INTRO_EXC_VICTIM *Victim);

#endif /* INTROGUARD_PROTECT_EVENT_INT_H */
