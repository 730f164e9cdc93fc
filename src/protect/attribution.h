/*
 * Attribution of events to the guest model: the vCPU's state at an event, and the originator
 * (kernel or user) it implies.
 */
#ifndef INTROGUARD_PROTECT_ATTRIBUTION_H
#define INTROGUARD_PROTECT_ATTRIBUTION_H

#include "events.h"

/* The vCPU an event happened on, as queried once at the start of the event. */
typedef struct IG_EVENT_VCPU
{
    uint32_t Cpu;
    IG_ARCH_REGS Regs;
    uint64_t Efer;
    uint64_t FsBase;
    uint64_t GsBase;
    uint32_t CsType; /* IG_CS_TYPE */
    uint32_t Ring;   /* the CPL */
} IG_EVENT_VCPU;

/* A kernel-mode originator: the module at the RIP and the return module (see attribution.c). */
void IgAttrKernelOriginator(const IG_PROTECT_ENV *Env, const IG_EVENT_VCPU *Vcpu, INTRO_EXC_KM_ORIGINATOR *Originator);

/* A user-mode originator in Process (may be NULL: no declared process has the vCPU's CR3). */
void IgAttrUserOriginator(const IG_PROTECT_ENV *Env, const IG_EVENT_VCPU *Vcpu, IG_PM_PROCESS *Process,
                          INTRO_EXC_UM_ORIGINATOR *Originator);

/* The public view of a model process (NULL: not present). */
void IgAttrProcess(IG_PM_PROCESS *Process, INTRO_EXC_PROCESS *Out);

#endif /* INTROGUARD_PROTECT_ATTRIBUTION_H */
