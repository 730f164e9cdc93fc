/*
 * introguard glue: the Xen backend, a live HVM domain behind the backend table of glue.h.
 *
 * Guest memory comes from libxenforeignmemory (one frame per mapping, a small cache), registers
 * from the vm_event request being handled or libxenctrl's saved context, EPT rights from the
 * xc_*_mem_access calls (batched), events from the domain's vm_event monitor ring.  One thread per
 * domain drains the ring, hands each request to the library (IntGlueEptViolation, ...) and answers
 * every one, so a vCPU is never left paused.  Needs a Xen 4.17 host, root in dom0 (or a domain the
 * XSM policy lets introspect), and a domain with HAP.  This header needs no Xen header; link
 * introguard::xen (libintroguard-xen.a and the Xen libraries).
 *
 *     INTRO_XEN *xen;
 *     INTRO_GLUE_GUEST *guest;
 *
 *     IntXenCreate(&config, &xen);                        // config names the domain
 *     if (!INT_SUCCESS(IntXenAttach(xen)))                // the domain stays paused after this
 *         fprintf(stderr, "%s\n", IntXenError(xen));      // says what to do
 *     IntGlueGuestCreate(IntXenBackend(), xen, &guest);   // then IntInit, declarations, zones (glue.h)
 *     IntXenStart(xen, guest);                            // unpauses, starts the event thread
 *     ...                                                 // IntXenRequestStop from a signal handler
 *     IntXenWait(xen);
 *     glue.DisableIntro(guest, 0); IntUninit();
 *     IntXenDestroy(xen);                                 // rights restored, monitor off, domain runs
 *     IntGlueGuestDestroy(guest);
 *
 * Record mode writes what the backend saw as a replay trace (docs/trace-format.md, version 2):
 * the vCPUs, every page the library read (when its bytes change), the events with their registers,
 * and the declarations the integrator reports with IntXenRecord*.  `introguard replay` on the
 * recording gives the decisions the live run took (docs/xen.md).
 */
#ifndef INTROGUARD_GLUE_XEN_H
#define INTROGUARD_GLUE_XEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "glue.h"
#include "intro_guest.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Natural alignment whatever #pragma pack the includer has in force: the library was built with it. */
#pragma pack(push, 8)

    typedef struct _INTRO_XEN INTRO_XEN;

#define INTRO_XEN_DEFAULT_MAP_CACHE 64u /* foreign mappings kept for reuse */
#define INTRO_XEN_MAX_MAP_CACHE 4096u

    /* INTRO_XEN_CONFIG.Flags */
#define INTRO_XEN_DENY_SKIP 0x01u /* a blocked write skips its instruction instead of running it without the write */

    typedef void (*PFUNC_IntXenLog)(void *Context, IG_LOG_LEVEL Level, const char *Message);
    typedef void (*PFUNC_IntXenAlert)(void *Context, uint32_t EventClass, const void *Event, size_t Size);

    typedef struct _INTRO_XEN_CONFIG
    {
        uint32_t StructSize;     /* sizeof(INTRO_XEN_CONFIG) */
        uint32_t DomainId;       /* the domain, when DomainName is NULL */
        const char *DomainName;  /* the domain's name (xl list), looked up in xenstore; copied */
        uint32_t Flags;          /* INTRO_XEN_* */
        uint32_t MapCacheSize;   /* 0: INTRO_XEN_DEFAULT_MAP_CACHE; at most INTRO_XEN_MAX_MAP_CACHE */
        PFUNC_IntXenAlert Alert; /* alerts the library raises (Event lives during the call); NULL: dropped */
        PFUNC_IntXenLog Log;     /* log lines (libxc's included); NULL: stderr */
        void *Context;           /* given to Alert and Log */
    } INTRO_XEN_CONFIG;

    /* What the backend did, for monitoring and benchmarks. */
    typedef struct _INTRO_XEN_STATS
    {
        unsigned long long Requests;  /* vm_event requests taken off the ring */
        unsigned long long Responses; /* responses put on it (equal to Requests, but for a request of another ABI) */
        unsigned long long Drains;    /* ring drains that found requests (one notification each) */
        unsigned long long Emulated;  /* responses with VM_EVENT_FLAG_EMULATE */
        unsigned long long NoWrite;   /* ... with VM_EVENT_FLAG_EMULATE_NOWRITE */
        unsigned long long Skipped;   /* ... that moved RIP past the instruction */
        unsigned long long Denied;    /* ... with VM_EVENT_FLAG_DENY (CR and MSR writes) */
        unsigned long long MapHits;   /* MapPage served from the mapping cache */
        unsigned long long MapMisses; /* MapPage that mapped */
        unsigned long long MapFailures;
        unsigned long long AccessFlushes; /* batched rights changes sent to Xen */
        unsigned long long Ticks;         /* timer ticks given to the library */
    } INTRO_XEN_STATS;

    /*
     * A Xen backend for the domain Config names, not attached yet.  Config is copied.  Returns
     * INVALID_PARAMETER_1 for a NULL or undersized Config (or a MapCacheSize over the cap),
     * INVALID_PARAMETER_2 for a NULL Xen, INSUFFICIENT_RESOURCES.  Free with IntXenDestroy.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenCreate(const INTRO_XEN_CONFIG *Config, INTRO_XEN **Xen);

    /*
     * Attaches: opens the Xen handles, finds the domain, checks the vm_event ABI, pauses the domain,
     * enables its monitor ring and binds its event channel.  The domain stays paused until
     * IntXenStart, so the integrator can set protections before the guest runs.  On failure every
     * step done is undone and IntXenError says why and what to do.
     *
     * Returns SUCCESS; NOT_SUPPORTED (not on Xen, no HAP, another vm_event ABI, not an HVM domain);
     * ACCESS_DENIED (privileges); ALREADY_INITIALIZED (another monitor holds the ring; already
     * attached); NOT_FOUND (no such domain); INSUFFICIENT_RESOURCES; INVALID_INTERNAL_STATE.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenAttach(INTRO_XEN *Xen);

    /* The backend table to give IntGlueGuestCreate, with the INTRO_XEN as its context. */
    INTROGUARD_API const INTRO_BACKEND *IntXenBackend(void);

    /*
     * Applies pending rights changes, unpauses the domain and starts the event thread, which hands
     * events to Guest (created on IntXenBackend with this INTRO_XEN).  INVALID_PARAMETER_1 when not
     * attached or already started.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenStart(INTRO_XEN *Xen, INTRO_GLUE_GUEST *Guest);

    /* Asks the event thread to stop.  Async-signal-safe: call it from a SIGINT/SIGTERM handler. */
    INTROGUARD_API void IntXenRequestStop(INTRO_XEN *Xen);

    /* Whether the event thread runs (false after a stop request or an error stopped it). */
    INTROGUARD_API bool IntXenRunning(INTRO_XEN *Xen);

    /*
     * Waits for the event thread to end.  The domain is paused when it returns, with every request
     * answered.  SUCCESS when it stopped on request (or never started); otherwise the error that
     * stopped it (IntXenError says which).
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenWait(INTRO_XEN *Xen);

    /*
     * Detaches (stopping the thread first): pauses, answers what is on the ring, restores every EPT
     * right it changed, disables the monitors it enabled, unmaps and disables the ring, unbinds the
     * event channel, drops its mappings and unpauses the domain as often as it paused it.  Safe to
     * call in any state, twice, or after a failed attach.
     */
    INTROGUARD_API void IntXenDetach(INTRO_XEN *Xen);

    /* Detaches and frees (NULL allowed). */
    INTROGUARD_API void IntXenDestroy(INTRO_XEN *Xen);

    /* The last error, in words that say what to do; "" when none. */
    INTROGUARD_API const char *IntXenError(const INTRO_XEN *Xen);

    /* The attached domain's id (after IntXenAttach). */
    INTROGUARD_API uint32_t IntXenDomainId(const INTRO_XEN *Xen);

    INTROGUARD_API void IntXenGetStats(INTRO_XEN *Xen, INTRO_XEN_STATS *Stats);

    /* ---- Record mode --------------------------------------------------------------------------- */

    /*
     * Starts recording to Out (the caller's, open for writing, kept open until IntXenRecordStop):
     * the header (GuestInfo: OS, bitness, version; SystemCr3; the paging mode of vCPU 0) and a
     * snapshot of every vCPU.  Call after IntXenAttach, before the declarations.  From then on every
     * page the library maps is recorded (again when its bytes change), every event with its
     * registers.  INVALID_PARAMETER_1 when not attached or already recording.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordStart(INTRO_XEN *Xen, FILE *Out,
                                                                     const GUEST_INFO *GuestInfo,
                                                                     unsigned long long SystemCr3);

    /*
     * What the library was told, for the recording: call each after the library accepted the
     * declaration (it does nothing when not recording).  ZoneId is what IntGuestProtect returned.
     * Rules larger than a trace line can hold are recorded by Path (may be NULL otherwise).
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordRules(INTRO_XEN *Xen, const void *Data, size_t Size,
                                                                     const char *Path);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordModule(INTRO_XEN *Xen, uint32_t Pid,
                                                                      const INTRO_GUEST_MODULE *Module);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordModuleRemove(INTRO_XEN *Xen, uint32_t Pid,
                                                                            unsigned long long Base);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordProcess(INTRO_XEN *Xen,
                                                                       const INTRO_GUEST_PROCESS *Process);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordProcessRemove(INTRO_XEN *Xen, uint32_t Pid);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordZone(INTRO_XEN *Xen, unsigned long long ZoneId,
                                                                    const INTRO_GUEST_ZONE *Zone);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordUnprotect(INTRO_XEN *Xen, unsigned long long ZoneId);

    /*
     * Ends the recording with its end record and flushes Out (which stays the caller's).  Returns
     * the first write error of the recording (INVALID_DATA_STATE), if any; SUCCESS otherwise or
     * when not recording.  Call it when no event is in flight (after IntXenWait); IntXenDetach
     * ends a recording still open.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntXenRecordStop(INTRO_XEN *Xen);

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_GLUE_XEN_H */
