/*
 * The Xen backend's private state, shared by its files:
 *   xen_attach.c   attach and detach, the error messages;
 *   xen_backend.c  the backend table (memory, registers, EPT rights, exits, pauses);
 *   xen_events.c   the vm_event ring, the event thread, responses;
 *   xen_insn.c     the length of the instruction at RIP (a page walk and capstone);
 *   xen_record.c   record mode (a replay trace of what the backend saw).
 * Tests include it to build a backend on a fake ops table (IgXenCreateWithOps) and to drive the
 * event loop without a thread (IgXenPoll).
 */
#ifndef INTROGUARD_XEN_INT_H
#define INTROGUARD_XEN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "introguard/glue_xen.h"
#include "xen_ops.h"

#define IG_XEN_PAGE 0x1000u
#define IG_XEN_BATCH 512u      /* rights changes sent to Xen in one call */
#define IG_XEN_MAX_VCPUS 128u  /* HVM_MAX_VCPUS */
#define IG_XEN_MAX_MSRS 64u    /* MSR exits on at once */
#define IG_XEN_POLL_MS 100     /* the longest the event thread sleeps */
#define IG_XEN_TICK_MS 1000ull /* the library's timer (IG_TIMER_FREQUENCY = 1 Hz) */
#define IG_XEN_RWX 7u

/* A frame mapped by libxenforeignmemory and kept for reuse. */
typedef struct IG_XEN_MAPPING
{
    void *Page; /* NULL: a free slot */
    QWORD Gfn;
    bool Write;
    uint32_t Refs;    /* MapPage calls not yet released */
    uint64_t LastUse; /* for least-recently-used eviction */
} IG_XEN_MAPPING;

/* Frames whose rights the backend changed, with the rights they had before (open addressing). */
typedef struct IG_XEN_RIGHTS
{
    QWORD *Keys; /* gfn + 1; 0 = empty */
    uint8_t *Original;
    uint32_t Mask; /* capacity - 1 */
    uint32_t Count;
} IG_XEN_RIGHTS;

typedef struct IG_XEN_RECORD IG_XEN_RECORD;

/* A custom libxentoollog logger: libxc's messages reach the backend's log. */
typedef struct IG_XEN_LOGGER
{
    xentoollog_logger Base; /* first: libxc calls through it */
    INTRO_XEN *Xen;
} IG_XEN_LOGGER;

/* The request the event thread is handling, and the answer it builds. */
typedef struct IG_XEN_EVENT
{
    const vm_event_request_t *Request; /* NULL outside an event */
    pthread_t Thread;                  /* the thread handling it */
    bool SetRegisters;                 /* the library changed registers: answer with them */
    struct vm_event_regs_x86 Regs;     /* the registers to answer with */
} IG_XEN_EVENT;

struct _INTRO_XEN
{
    INTRO_XEN_CONFIG Config;
    char *DomainName; /* Config.DomainName's copy */
    const IG_XEN_OPS *Ops;
    pthread_mutex_t Lock; /* everything below that the event thread and the integrator share */
    char Error[512];

    /* Handles and the domain. */
    IG_XEN_LOGGER Logger;
    xc_interface *Xch;
    xenforeignmemory_handle *Fmem;
    xenevtchn_handle *Xce;
    bool Attached;
    uint32_t DomId;
    uint32_t VcpuCount;
    QWORD MaxGfn;
    uint32_t Capabilities; /* xc_monitor_get_capabilities */

    /* The monitor ring. */
    void *RingPage;
    vm_event_back_ring_t Back;
    evtchn_port_t RemotePort;
    int LocalPort; /* -1: not bound */
    bool MonitorOn;
    bool PagefaultFilter; /* xc_monitor_inguest_pagefault on */
    bool EmulUnimplemented;

    /* Pauses: the one attach takes (released by IntXenStart or detach) and the library's. */
    bool AttachPaused;
    int Pauses;

    /* Exits the library switched on, undone at detach. */
    uint32_t Msrs[IG_XEN_MAX_MSRS];
    uint32_t MsrCount;
    uint32_t CrMask; /* bit n: CR n writes monitored */
    bool Dtr;

    /* Mappings. */
    IG_XEN_MAPPING *Cache;
    uint32_t CacheSize;
    uint64_t Clock;

    /* EPT rights: the batch not yet sent, and what to restore at detach. */
    uint8_t BatchAccess[IG_XEN_BATCH];
    uint64_t BatchGfns[IG_XEN_BATCH];
    uint32_t BatchCount;
    IG_XEN_RIGHTS Rights;

    /* Registers: IDTR is not in a vm_event request; kept per vCPU from the saved context. */
    QWORD IdtBase[IG_XEN_MAX_VCPUS];
    QWORD IdtLimit[IG_XEN_MAX_VCPUS];
    bool IdtStale[IG_XEN_MAX_VCPUS];

    /* Events. */
    INTRO_GLUE_GUEST *Guest;
    IG_XEN_EVENT Event;
    pthread_t Thread;
    bool ThreadStarted;
    atomic_bool Running;
    atomic_bool StopRequested;
    int StopPipe[2]; /* IntXenRequestStop writes, the event thread polls */
    INTSTATUS ThreadStatus;
    uint64_t NextTickMs;
    void *Decoder; /* capstone (xen_insn.c) */

    INTRO_XEN_STATS Stats;
    IG_XEN_RECORD *Record;
};

/* ---- xen_attach.c ------------------------------------------------------------------------------ */

/* IntXenCreate on another ops table (tests). */
__attribute__((warn_unused_result)) INTSTATUS IgXenCreateWithOps(const INTRO_XEN_CONFIG *Config, const IG_XEN_OPS *Ops,
                                                                 INTRO_XEN **Xen);

/* Sets Xen->Error (and logs it at error level); returns Status. */
INTSTATUS IgXenFail(INTRO_XEN *Xen, INTSTATUS Status, const char *Format, ...) __attribute__((format(printf, 3, 4)));

/* One log line through the configured sink (stderr without one). */
void IgXenLog(INTRO_XEN *Xen, IG_LOG_LEVEL Level, const char *Format, ...) __attribute__((format(printf, 3, 4)));

/* ---- xen_backend.c ----------------------------------------------------------------------------- */

/* An INTRO_BACKEND_REGS from the registers a vm_event request carries (IDTR from IdtBase/IdtLimit). */
void IgXenRegsFromRequest(const struct vm_event_regs_x86 *X, QWORD IdtBase, QWORD IdtLimit, INTRO_BACKEND_REGS *Regs);
/* ... from a saved HVM CPU context. */
void IgXenRegsFromContext(const struct hvm_hw_cpu *C, INTRO_BACKEND_REGS *Regs);

/* Sends the batched rights changes (under Lock). */
__attribute__((warn_unused_result)) INTSTATUS IgXenFlushLocked(INTRO_XEN *Xen);

/* Restores every frame's original rights (under Lock; detach); the first failure. */
__attribute__((warn_unused_result)) INTSTATUS IgXenRestoreRightsLocked(INTRO_XEN *Xen);

/* Unmaps every cached mapping (under Lock; detach). */
void IgXenDropMappingsLocked(INTRO_XEN *Xen);

/*
 * Copies Size bytes of guest-physical memory at Gpa into Buffer, page by page, through MapPage:
 * *Done says how many were copied before a frame that is not there.
 */
__attribute__((warn_unused_result)) INTSTATUS IgXenReadPhysical(INTRO_XEN *Xen, QWORD Gpa, void *Buffer, size_t Size,
                                                                size_t *Done);

/* ---- xen_events.c ------------------------------------------------------------------------------ */

/*
 * One turn of the event loop: waits up to TimeoutMs for the event channel (or a stop request),
 * drains and answers the ring, gives the library its tick when due.  Returns SUCCESS, or the
 * error that must stop the loop (a request of another vm_event ABI, a failed poll or notify).
 */
__attribute__((warn_unused_result)) INTSTATUS IgXenPoll(INTRO_XEN *Xen, int TimeoutMs);

/* Answers everything on the ring without the library (detach): allowed, emulated. */
void IgXenDrainUnhandled(INTRO_XEN *Xen);

/* Milliseconds of a monotonic clock. */
uint64_t IgXenNowMs(void);

/* ---- xen_insn.c -------------------------------------------------------------------------------- */

__attribute__((warn_unused_result)) INTSTATUS IgXenDecoderOpen(INTRO_XEN *Xen);
void IgXenDecoderClose(INTRO_XEN *Xen);

/*
 * The length of the instruction at the RIP of Regs (the vCPU's registers at an event), read
 * through the guest's page tables.  NOT_FOUND when it cannot be read or decoded.
 */
__attribute__((warn_unused_result)) INTSTATUS IgXenInstructionLength(INTRO_XEN *Xen, const INTRO_BACKEND_REGS *Regs,
                                                                     uint32_t *Length);

/* ---- xen_record.c ------------------------------------------------------------------------------ */

/* The page at Gfn as the library read it (mapped at Page); recorded when its bytes changed. */
void IgXenRecordPage(INTRO_XEN *Xen, QWORD Gfn, const void *Page);

/* A vCPU's registers read outside an event: recorded as a vcpu record when they changed. */
void IgXenRecordVcpu(INTRO_XEN *Xen, DWORD Vcpu, const INTRO_BACKEND_REGS *Regs);

/*
 * An event, after the library handled it (so the pages it read come first in the trace).  Kind is
 * "ept", "msr", "cr" or "dtr"; Fields the record's own members as JSON ("\"gpa\":...").
 */
void IgXenRecordEvent(INTRO_XEN *Xen, const char *Kind, DWORD Vcpu, const INTRO_BACKEND_REGS *Regs, const char *Fields);

#endif /* INTROGUARD_XEN_INT_H */
