/*
 * The protection core: the guest model, the zones protected in it, and the events those zones
 * produce (EPT, MSR, CR, DTR) turned into violations, decisions and alerts.
 *
 * The API layer (src/api) owns one IG_PROTECT per guest and calls in here with the guest's model
 * lock taken as the call requires (see each function).  Everything reaches the hypervisor through
 * GLUE_IFACE and the guest through its memory access (IG_GUEST_MEMORY).
 */
#ifndef INTROGUARD_PROTECT_H
#define INTROGUARD_PROTECT_H

#include "protect_int.h"

/*
 * A guest's protection state: an empty model, no zones.  GuestHandle is the integrator's, Glue and
 * Upper the library's copies (they outlive the state), Handlers what to register for the exits
 * zones need.  INSUFFICIENT_RESOURCES or the lock's error.
 */
__attribute__((warn_unused_result)) INTSTATUS IgProtectCreate(const IG_ALLOCATOR *Allocator, const GLUE_IFACE *Glue,
                                                              const UPPER_IFACE *Upper,
                                                              const IG_PROTECT_HANDLERS *Handlers, void *GuestHandle,
                                                              IG_PROTECT **Protect);

/* Removes every zone (EPT rights restored, exits and handlers off), frees the model.  NULL allowed. */
void IgProtectDestroy(IG_PROTECT *Protect);

/* The model lock: Exclusive for declarations, shared for events. */
void IgProtectLock(IG_PROTECT *Protect, bool Exclusive);
void IgProtectUnlock(IG_PROTECT *Protect, bool Exclusive);

/* ---- Declarations (exclusive lock held by the caller) ----------------------------------------- */

/* The guest's OS (INTRO_EXC_OS_*), which decides how names hash; re-hashes what is declared. */
void IgProtectSetOs(IG_PROTECT *Protect, uint32_t Os);
void IgProtectSetSystemCr3(IG_PROTECT *Protect, uint64_t Cr3);
__attribute__((warn_unused_result)) INTSTATUS IgProtectAddModule(IG_PROTECT *Protect, uint32_t Pid,
                                                                 const INTRO_GUEST_MODULE *Module);
__attribute__((warn_unused_result)) INTSTATUS IgProtectRemoveModule(IG_PROTECT *Protect, uint32_t Pid, uint64_t Base);
__attribute__((warn_unused_result)) INTSTATUS IgProtectAddProcess(IG_PROTECT *Protect,
                                                                  const INTRO_GUEST_PROCESS *Process);
__attribute__((warn_unused_result)) INTSTATUS IgProtectRemoveProcess(IG_PROTECT *Protect, uint32_t Pid);

/*
 * Memory reads the zone code needs (GVA → GPA through an address space): given by the API layer,
 * which owns the guest's page walk.
 */
typedef INTSTATUS (*PFUNC_IgProtectTranslate)(void *Context, uint64_t Cr3, uint64_t Gva, uint64_t *Gpa);

__attribute__((warn_unused_result)) INTSTATUS IgProtectAddZone(IG_PROTECT *Protect, const INTRO_GUEST_ZONE *Zone,
                                                               PFUNC_IgProtectTranslate Translate,
                                                               void *TranslateContext, uint64_t *ZoneId);
__attribute__((warn_unused_result)) INTSTATUS IgProtectRemoveZone(IG_PROTECT *Protect, uint64_t ZoneId);

#endif /* INTROGUARD_PROTECT_H */
