/*
 * introguard glue: a hypervisor backend behind GLUE_IFACE.
 *
 * GLUE_IFACE is hvmi's contract between the library and its integrator: 87 slots, most of which
 * say the same few things in the words of one hypervisor.  A backend says them once, in words
 * any hypervisor has: map a guest page, read a vCPU's registers, get and set a page's EPT rights,
 * switch an exit on or off, pause and resume, deliver an alert, log.  That is INTRO_BACKEND.
 * The adapter (glue/common) turns any backend into the integrator side of GLUE_IFACE and a
 * default UPPER_IFACE, and hands the backend's events to the handlers the library registered.
 * glue/replay is the backend this repository runs everywhere; a Xen or KVM backend implements
 * the same table.
 *
 *     INTRO_GLUE_GUEST *guest;
 *     GLUE_IFACE glue;
 *     UPPER_IFACE upper;
 *
 *     IntGlueGuestCreate(&myBackend, myContext, &guest);  // one per introspected guest
 *     IntGlueFillInterfaces(&glue, &upper);               // once per process
 *     IntInit(&glue, &upper);
 *     glue.NewGuestNotification(guest, 0, NULL, 0);       // the glue guest is the GuestHandle
 *     ...
 *     IntGlueEptViolation(guest, vcpu, gpa, gla, IG_EPT_HOOK_WRITE, 0, &action);  // from the event loop
 *     ...
 *     glue.DisableIntro(guest, 0);
 *     IntUninit();
 *     IntGlueGuestDestroy(guest);
 *
 * Threads: operations of one backend may be called from any thread that evaluates for its guest
 * (several vCPUs at once); a backend serialises what it must.  The event entry points
 * (IntGlueEptViolation, ...) are called by the backend's event loop, one event at a time per
 * thread; while one runs, IG_CURRENT_VCPU in QueryGuestInfo means that event's vCPU.
 */
#ifndef INTROGUARD_GLUE_H
#define INTROGUARD_GLUE_H

#include "glueiface.h"
#include "intro_exceptions.h"
#include "intro_types.h"
#include "introstatus.h"
#include "upperiface.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Natural alignment whatever #pragma pack the includer has in force: the library was built with it. */
#pragma pack(push, 8)

    /* ---- What a backend reports about a vCPU --------------------------------------------------- */

    /*
     * A segment register.  Attributes use the packed 12-bit form VMX and Xen report: type in bits
     * 0-3, S 4, DPL 5-6, P 7, AVL 8, L 9, D/B 10, G 11.
     */
    typedef struct _INTRO_BACKEND_SEGMENT
    {
        unsigned long long Base;
        uint32_t Limit;
        uint16_t Selector;
        uint16_t Attributes;
    } INTRO_BACKEND_SEGMENT;

    /*
     * One vCPU's state.  Arch has hvmi's layout (what QueryGuestInfo(REGISTER_STATE) returns); the
     * segments and the MSRs below are what a hypervisor's exit or saved context carries.  An MSR the
     * backend cannot read stays 0 and is left out of Msrs (READ_MSR then answers NOT_SUPPORTED).
     */
    typedef struct _INTRO_BACKEND_REGS
    {
        IG_ARCH_REGS Arch;
        unsigned long long Efer;
        INTRO_BACKEND_SEGMENT Cs;
        INTRO_BACKEND_SEGMENT Ss;
        INTRO_BACKEND_SEGMENT Ds;
        INTRO_BACKEND_SEGMENT Es;
        INTRO_BACKEND_SEGMENT Fs;
        INTRO_BACKEND_SEGMENT Gs;
        unsigned long long KernelGsBase;
        unsigned long long Star;
        unsigned long long Lstar;
        unsigned long long Cstar;
        unsigned long long SysenterCs;
        unsigned long long SysenterEsp;
        unsigned long long SysenterEip;
        uint32_t Msrs; /* INTRO_BACKEND_MSR_* bits: which of the MSR fields (and Efer) are valid */
    } INTRO_BACKEND_REGS;

#define INTRO_BACKEND_MSR_EFER 0x01u
#define INTRO_BACKEND_MSR_STAR 0x02u
#define INTRO_BACKEND_MSR_LSTAR 0x04u
#define INTRO_BACKEND_MSR_CSTAR 0x08u
#define INTRO_BACKEND_MSR_SYSENTER 0x10u  /* SysenterCs, SysenterEsp, SysenterEip */
#define INTRO_BACKEND_MSR_SEG_BASES 0x20u /* FS_BASE, GS_BASE (from Fs/Gs.Base) and KernelGsBase */

    /* What does not change while a backend is attached. */
    typedef struct _INTRO_BACKEND_INFO
    {
        uint32_t VcpuCount;
        unsigned long long MaxGfn; /* highest guest frame number that may hold memory */
        uint32_t Features;         /* INTRO_BACKEND_FEATURE_* */
    } INTRO_BACKEND_INFO;

#define INTRO_BACKEND_FEATURE_DTR 0x01u /* descriptor-table exits can be enabled */

    /* Exits a backend switches on and off. */
    typedef enum _INTRO_BACKEND_MONITOR
    {
        introBackendMonitorMsr = 1, /* writes to MSR Index */
        introBackendMonitorCr = 2,  /* writes to CR Index (0, 3 or 4) */
        introBackendMonitorDtr = 3, /* descriptor-table register accesses (Index unused) */
    } INTRO_BACKEND_MONITOR;

    /* ---- The backend table ---------------------------------------------------------------------- */

#define INTRO_BACKEND_VERSION 1u

    /*
     * Every operation gets the Context given to IntGlueGuestCreate.  Members marked optional may be
     * NULL; the adapter then answers INT_STATUS_NOT_SUPPORTED where the library asks for them.
     */
    typedef struct _INTRO_BACKEND
    {
        uint32_t Version; /* INTRO_BACKEND_VERSION */
        uint32_t Size;    /* sizeof(INTRO_BACKEND) */

        INTSTATUS (*GetInfo)(void *Context, INTRO_BACKEND_INFO *Info);

        /*
         * Makes guest frame Gfn readable (and writable when Write) and stores the address of its
         * first byte in *Page; the address must be 4 KiB aligned.  A frame the guest does not have
         * is INT_STATUS_PAGE_NOT_PRESENT.  A mapping backend maps; a copying backend allocates a
         * page, copies and frees it in UnmapPage (written bytes then reach the guest in UnmapPage).
         */
        INTSTATUS (*MapPage)(void *Context, unsigned long long Gfn, bool Write, void **Page);
        /* Releases what MapPage returned. */
        void (*UnmapPage)(void *Context, void *Page);

        /* The state of vCPU Vcpu (never IG_CURRENT_VCPU: the adapter resolves that). */
        INTSTATUS (*GetRegisters)(void *Context, uint32_t Vcpu, INTRO_BACKEND_REGS *Regs);
        /* Optional: sets the general-purpose registers, RIP and RFLAGS of Arch. */
        INTSTATUS (*SetRegisters)(void *Context, uint32_t Vcpu, const IG_ARCH_REGS *Regs);

        /*
         * EPT rights of Gfn in view View (0: the default view) as a mask of IG_EPT_HOOK_READ /
         * _WRITE / _EXECUTE meaning "allowed".  SetAccess may batch: the change must be in force
         * when FlushAccess returns, and before the backend resumes a vCPU.
         */
        INTSTATUS (*GetAccess)(void *Context, uint32_t View, unsigned long long Gfn, uint8_t *Access);
        INTSTATUS (*SetAccess)(void *Context, uint32_t View, unsigned long long Gfn, uint8_t Access);
        INTSTATUS (*FlushAccess)(void *Context); /* optional */

        /* Switches an exit on or off. */
        INTSTATUS (*SetMonitor)(void *Context, INTRO_BACKEND_MONITOR Kind, uint32_t Index, bool Enable);

        /* Pauses / resumes every vCPU of the guest; pauses nest. */
        INTSTATUS (*Pause)(void *Context);
        INTSTATUS (*Resume)(void *Context);

        /* Delivers an alert (Event lives only during the call: copy what you keep). */
        INTSTATUS (*Alert)(void *Context, uint32_t EventClass, const void *Event, size_t Size);

        /* Optional: one log line about this guest (no trailing newline needed). */
        void (*Log)(void *Context, IG_LOG_LEVEL Level, const char *Message);
    } INTRO_BACKEND;

    /* ---- The adapter ---------------------------------------------------------------------------- */

    typedef struct _INTRO_GLUE_GUEST INTRO_GLUE_GUEST;

    /*
     * Binds a backend to a new glue guest: the GuestHandle to give the library.  Backend (copied)
     * must carry a valid Version and Size and every required member; Context stays the caller's and
     * must outlive the glue guest.  Allocates with malloc (the glue runs in the integrator's process,
     * before any UPPER_IFACE exists).
     *
     * Returns INT_STATUS_SUCCESS; INVALID_PARAMETER_1 / _3 for a NULL Backend / Guest;
     * NOT_SUPPORTED for a wrong Version or Size or a missing required member (the log says which);
     * INSUFFICIENT_RESOURCES.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueGuestCreate(const INTRO_BACKEND *Backend, void *Context,
                                                                      INTRO_GLUE_GUEST **Guest);

    /* Frees a glue guest (NULL allowed).  Call after DisableIntro for it. */
    INTROGUARD_API void IntGlueGuestDestroy(INTRO_GLUE_GUEST *Guest);

    /* The backend context a glue guest was created with. */
    INTROGUARD_API void *IntGlueGuestContext(const INTRO_GLUE_GUEST *Guest);

    /*
     * Fills the integrator side of Glue (every member IntInit validates, each dispatching on the
     * GuestHandle it is called with, which must be a glue guest) and, when Upper is not NULL, a
     * complete UPPER_IFACE on the C library and POSIX threads (log to stderr, malloc, mutexes).  The
     * library side of Glue and Reserved fields are zeroed; Version and Size are set.
     */
    INTROGUARD_API void IntGlueFillInterfaces(GLUE_IFACE *Glue, UPPER_IFACE *Upper);

    /* ---- Events from the backend to the library ------------------------------------------------- */

    /*
     * Each hands one event to the handler the library registered for it and returns the library's
     * status, with *Action the decision (introGuestAllowed when no handler is registered; the status
     * is then INT_STATUS_NOT_FOUND).  While the handler runs, IG_CURRENT_VCPU means Vcpu.
     *
     * EPT: Gla is the guest-linear address (0 when unknown), Access the IG_EPT_HOOK_* kind of the
     * access, Length the access size when the backend knows it, else 0.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueEptViolation(INTRO_GLUE_GUEST *Guest, uint32_t Vcpu,
                                                                       unsigned long long Gpa, unsigned long long Gla,
                                                                       uint8_t Access, uint32_t Length,
                                                                       INTRO_ACTION *Action);
    /* A write of *NewValue to Msr; the library may change *NewValue. */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueMsrWrite(INTRO_GLUE_GUEST *Guest, uint32_t Vcpu, uint32_t Msr,
                                                                   unsigned long long OldValue,
                                                                   unsigned long long *NewValue, INTRO_ACTION *Action);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueCrWrite(INTRO_GLUE_GUEST *Guest, uint32_t Vcpu, uint32_t Cr,
                                                                  unsigned long long OldValue,
                                                                  unsigned long long NewValue, INTRO_ACTION *Action);
    /* Flags: IG_DESC_ACCESS_* (which register, read or write). */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueDtrAccess(INTRO_GLUE_GUEST *Guest, uint32_t Vcpu,
                                                                    uint32_t Flags, INTRO_ACTION *Action);
    /* The once-a-second tick (IG_TIMER_FREQUENCY); no vCPU is current. */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueTimer(INTRO_GLUE_GUEST *Guest);

    /*
     * Evaluates a violation the caller describes (IntExceptEvaluateGuest) as if it happened on Vcpu:
     * guest memory and the CPU mode the code-reading signatures need come from the backend, through
     * the library's own page walk, for whatever Violation->Memory leaves unset.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGlueEvaluateViolation(INTRO_GLUE_GUEST *Guest, uint32_t Vcpu,
                                                                            const INTRO_EXC_VIOLATION *Violation,
                                                                            INTRO_EXC_VERDICT *Verdict);

    /* The library's PauseVcpus calls for this guest not yet matched by ResumeVcpus: 0 when balanced. */
    INTROGUARD_API int IntGluePauseDepth(const INTRO_GLUE_GUEST *Guest);

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_GLUE_H */
