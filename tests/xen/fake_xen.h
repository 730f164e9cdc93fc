/*
 * A fake Xen behind glue/xen's ops table, for the tests and the benchmark (no hypervisor, no root).
 *
 * It plays the hypervisor's side of everything the backend calls: a domain (id, name in a fake
 * xenstore, flags, vCPUs, highest frame), guest memory (4 KiB pages by frame, holes where none was
 * set; a one-frame mapping points into the page itself, so it sees later changes as a foreign
 * mapping does), EPT rights per frame, saved vCPU contexts, pauses, the monitor options, and the
 * vm_event ring: the backend gets a real shared ring page and uses Xen's back-ring macros on it,
 * while the test pushes requests and takes responses with the front-ring macros, as Xen does.  The
 * event channel is a pipe, so the backend's real poll() runs.
 *
 * Every fake call is logged by name (for order checks), and any can be made to fail: the Nth call
 * of a name from now fails with an errno.  One fake at a time (the open calls have no handle).
 */
#ifndef INTROGUARD_FAKE_XEN_H
#define INTROGUARD_FAKE_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include "introguard/glue_xen.h"
#include "xen_ops.h"

#define FAKE_XEN_MAX_CALLS 4096u
#define FAKE_XEN_MAX_FAILS 8u
#define FAKE_XEN_MAX_VCPUS 8u
#define FAKE_XEN_MAX_COPIES 64u
#define FAKE_XEN_LOCAL_PORT 42
#define FAKE_XEN_REMOTE_PORT 7

typedef struct FAKE_XEN
{
    IG_XEN_OPS Ops;

    /* The domain. */
    uint32_t DomId;
    const char *Name;
    uint32_t Flags; /* XEN_DOMINF_*: hvm_guest | hap by default */
    uint32_t Vcpus;
    uint64_t Frames; /* frames 0 .. Frames - 1 may hold pages; MaxGpfn = Frames - 1 */
    int Version;     /* what xc_vm_event_get_version says */
    uint32_t Capabilities;
    struct hvm_hw_cpu Cpu[FAKE_XEN_MAX_VCPUS];

    /* Memory, rights. */
    uint8_t **Pages;                   /* NULL: a hole */
    uint8_t *Access;                   /* xenmem_access_t per frame */
    int Mapped;                        /* mappings not yet unmapped */
    void *Copies[FAKE_XEN_MAX_COPIES]; /* multi-frame mappings (copies) */
    uint64_t PartialGfn;               /* a frame whose per-frame err[] fails while the call succeeds */
    bool PartialSet;
    uint32_t MultiCalls; /* xc_set_mem_access_multi calls */
    uint32_t MultiFrames;

    /* Handles and pauses. */
    bool XchOpen, FmemOpen, XceOpen;
    int Pauses;
    bool Unbalanced; /* an unpause without a pause */

    /* The monitor. */
    void *Ring; /* the shared page, while mapped */
    vm_event_front_ring_t Front;
    bool MonitorOn;
    bool Bound;
    int Pipe[2];
    int Notifies;
    int Unmasks;
    int AccessRequired;
    bool PagefaultFilter, EmulUnimplemented, Dtr;
    uint32_t CrMask; /* bit n: VM_EVENT_X86_* index n */
    uint32_t Msrs[16];
    uint32_t MsrCount;

    /* What the backend logged (FakeXenLog), all lines. */
    char LogText[16384];

    /* Calls and failures. */
    char Calls[FAKE_XEN_MAX_CALLS][40];
    uint32_t CallCount;
    struct
    {
        char Name[40];
        int Errno;
        int Countdown;
    } Fails[FAKE_XEN_MAX_FAILS];
} FAKE_XEN;

/* A healthy domain 5 named "guest" with Vcpus vCPUs (64-bit, paged) and room for Frames frames. */
void FakeXenInit(FAKE_XEN *F, uint32_t Vcpus, uint64_t Frames);
void FakeXenFree(FAKE_XEN *F);

/* The page at Gfn (a copy of Data, or zeros when Data is NULL); its bytes, to change later. */
uint8_t *FakeXenSetPage(FAKE_XEN *F, uint64_t Gfn, const void *Data);

/* The Nth call (1 = the next) of the fake named Name (the Xen function's name) fails with Errno. */
void FakeXenFail(FAKE_XEN *F, const char *Name, int Errno, int Nth);

/* Index of the first logged call named Name at or after From; -1 when none. */
int FakeXenCallIndex(const FAKE_XEN *F, const char *Name, int From);
/* How many times Name was called. */
int FakeXenCallCount(const FAKE_XEN *F, const char *Name);
void FakeXenClearCalls(FAKE_XEN *F);

/* The registers of vCPU Vcpu's saved context, as a vm_event request carries them. */
void FakeXenRequestRegs(const FAKE_XEN *F, uint32_t Vcpu, struct vm_event_regs_x86 *Regs);

/* Requests of each kind, paused, with vCPU Vcpu's registers. */
void FakeXenMemRequest(const FAKE_XEN *F, uint32_t Vcpu, uint64_t Gpa, uint64_t Gla, uint32_t Access,
                       vm_event_request_t *Req);
void FakeXenCrRequest(const FAKE_XEN *F, uint32_t Vcpu, uint32_t Index, uint64_t Old, uint64_t New,
                      vm_event_request_t *Req);
void FakeXenMsrRequest(const FAKE_XEN *F, uint32_t Vcpu, uint32_t Msr, uint64_t Old, uint64_t New,
                       vm_event_request_t *Req);
void FakeXenDtrRequest(const FAKE_XEN *F, uint32_t Vcpu, uint8_t Descriptor, bool Write, vm_event_request_t *Req);

/* A backend configuration for the fake's domain, by name, logging into F->LogText. */
void FakeXenConfig(FAKE_XEN *F, INTRO_XEN_CONFIG *Config);
/* The log sink FakeXenConfig sets (Context: the fake). */
void FakeXenLog(void *Context, IG_LOG_LEVEL Level, const char *Message);

/* Puts a request on the ring (false when it is full); Kick signals the event channel. */
bool FakeXenPush(FAKE_XEN *F, const vm_event_request_t *Req);
void FakeXenKick(FAKE_XEN *F);

/* Takes up to Max responses off the ring; how many. */
uint32_t FakeXenTake(FAKE_XEN *F, vm_event_response_t *Out, uint32_t Max);

#endif /* INTROGUARD_FAKE_XEN_H */
