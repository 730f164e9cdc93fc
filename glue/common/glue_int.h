/*
 * Private header of the glue adapter: the glue guest and the per-thread event context.
 */
#ifndef INTROGUARD_GLUE_INT_H
#define INTROGUARD_GLUE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "introguard/glue.h"

#define IG_GLUE_MAGIC 0x45554c47u /* "GLUE" */
#define IG_GLUE_MAX_MSR_EXITS 64u /* MSRs whose exits one guest can have on at once */

/* The handlers the library registers through GLUE_IFACE.  Written by Register/Unregister calls,
 * read by the event entry points on the backend's event threads: atomics, no lock. */
typedef struct IG_GLUE_HANDLERS
{
    _Atomic(PFUNC_IntEPTViolationCallback) Ept;
    _Atomic(PFUNC_IntMSRViolationCallback) Msr;
    _Atomic(PFUNC_IntCrWriteCallback) Cr;
    _Atomic(PFUNC_IntIntroDescriptorTableCallback) Dtr;
    _Atomic(PFUNC_IntIntroTimerCallback) Timer;
    _Atomic(PFUNC_IntXcrWriteCallback) Xcr;
    _Atomic(PFUNC_IntBreakpointCallback) Breakpoint;
    _Atomic(PFUNC_IntIntroCallCallback) IntroCall;
    _Atomic(PFUNC_IntEventInjectionCallback) EventInjection;
} IG_GLUE_HANDLERS;

struct _INTRO_GLUE_GUEST
{
    uint32_t Magic; /* IG_GLUE_MAGIC while alive: a GuestHandle that is not a glue guest is refused */
    INTRO_BACKEND Backend;
    void *Context;
    IG_GLUE_HANDLERS Handlers;
    atomic_int PauseDepth;

    /* Which MSR exits are on, so EnableMSRExit can answer "was it already on". */
    pthread_mutex_t MsrLock;
    uint32_t MsrExits[IG_GLUE_MAX_MSR_EXITS];
    uint32_t MsrExitCount;
};

/* The glue guest behind a GuestHandle, or NULL when it is not one. */
INTRO_GLUE_GUEST *IgGlueFromHandle(void *GuestHandle);

/* The vCPU of the event this thread is handling for Guest, or false outside such an event. */
bool IgGlueCurrentVcpu(const INTRO_GLUE_GUEST *Guest, DWORD *Vcpu);

/* The event's cached registers when Vcpu is this thread's event vCPU (read on first use), else NULL. */
const INTRO_BACKEND_REGS *IgGlueEventRegisters(const INTRO_GLUE_GUEST *Guest, DWORD Vcpu);

/* The backend's GetInfo, asked once per event on the event's thread. */
INTSTATUS IgGlueBackendInfo(const INTRO_GLUE_GUEST *Guest, INTRO_BACKEND_INFO *Info);

/* Drops the cached registers (the library set them). */
void IgGlueForgetRegisters(void);

/* Resolves IG_CURRENT_VCPU; INVALID_PARAMETER when there is no current event, or Vcpu is out of range. */
__attribute__((warn_unused_result)) INTSTATUS IgGlueResolveVcpu(const INTRO_GLUE_GUEST *Guest, DWORD Requested,
                                                                DWORD *Vcpu);

/* One log line through the backend's Log (nothing when it has none). */
void IgGlueLog(const INTRO_GLUE_GUEST *Guest, IG_LOG_LEVEL Level, const char *Format, ...)
    __attribute__((format(printf, 3, 4)));

/* The QueryGuestInfo member (glue_query.c). */
INTSTATUS IgGlueQueryGuestInfo(void *GuestHandle, DWORD InfoClass, void *InfoParam, void *Buffer, DWORD BufferLength);

/* CS type and ring of a register snapshot (glue_query.c). */
IG_CS_TYPE IgGlueCsType(const INTRO_BACKEND_REGS *Regs);
IG_CS_RING IgGlueCsRing(const INTRO_BACKEND_REGS *Regs);

/* The default UPPER_IFACE (glue_upper.c). */
void IgGlueFillUpper(UPPER_IFACE *Upper);

#endif /* INTROGUARD_GLUE_INT_H */
