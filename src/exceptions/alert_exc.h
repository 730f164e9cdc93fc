/*
 * Exceptions made from alerts (spec/api-and-alerts.md §5): the blob an alert carries, built from the
 * alert (alert_build.c), checked and decoded (alert_blob.c), and the immutable set of a guest's
 * alert exceptions that evaluations read (alert_set.c).
 *
 * Concurrency.  A guest's alert exceptions are an IG_ALERT_SET: built whole, never changed, shared
 * by reference count.  Adding, removing and flushing build a new set beside the one in force and
 * swap the pointer in the guest's IG_ALERT_SLOT (the writers are serialised by the guest's API
 * lock); an evaluation takes the set in force with a reference in a few instructions and keeps it
 * to the end, so it never waits for a change and a change never waits for it, exactly as the
 * exceptions file's rule set (ruleset.h).
 */
#ifndef INTROGUARD_ALERT_EXC_H
#define INTROGUARD_ALERT_EXC_H

#include <stdatomic.h>

#include "introguard/intro_alert_exceptions.h"
#include "exceptions_int.h"

/* The most alert exceptions one guest holds (the 22-bit signature numbering has room for 4 per). */
#define IG_ALERT_MAX_EXCEPTIONS 65536u

/* Alert signatures are numbered from here (hvmi's first alert signature is 0x200001). */
#define IG_ALERT_SIG_SEQ_BASE 0x200000u

/* Reports a refused buffer into Error (may be NULL) and returns Status. */
INTSTATUS IgAlertFail(INTRO_ALERT_EXC_ERROR *Error, INTSTATUS Status, INTSTATUS Detail, size_t Offset,
                      const char *Format, ...) __attribute__((format(printf, 5, 6)));

/* The INTRO_EVENT_TYPE values AddExceptionFromAlert accepts (spec §2.5). */
bool IgAlertTypeExceptable(uint32_t Type);

/* The size of the structure of an exceptable event type (0 for any other). */
size_t IgAlertEventSize(uint32_t Type);

/* ---- alert_build.c ------------------------------------------------------------------------------------------------
 */

/* IntAlertExceptionBuild after its parameter checks: Blob (ALERT_EXCEPTION_SIZE) is zeroed by the caller. */
__attribute__((warn_unused_result)) INTSTATUS IgAlertBuildBlob(const uint8_t *Event, size_t Size, uint32_t Type,
                                                               uint32_t Os, bool Guest64, uint8_t *Blob,
                                                               INTRO_ALERT_EXC_ERROR *Error);

/* ---- alert_blob.c -------------------------------------------------------------------------------------------------
 */

/* The shape an alert of Type with header flags ViolationFlags makes (spec §5.5 step 4), 0 if none. */
uint32_t IgAlertShapeOf(uint32_t Type, uint64_t ViolationFlags);

/* IntAlertExceptionDecode after its parameter checks. */
__attribute__((warn_unused_result)) INTSTATUS IgAlertDecodeBlob(const uint8_t *Blob, size_t Size, uint32_t Type,
                                                                INTRO_ALERT_EXCEPTION *Exception,
                                                                INTRO_ALERT_EXC_ERROR *Error);

/* ---- alert_set.c --------------------------------------------------------------------------------------------------
 */

typedef struct IG_ALERT_ENTRY
{
    INTRO_ALERT_EXCEPTION Exception;
    uint64_t Context;
} IG_ALERT_ENTRY;

typedef struct IG_ALERT_SET
{
    atomic_uint RefCount;
    IG_ALLOCATOR Allocator;
    uint32_t Count;
    IG_ALERT_ENTRY *Entries; /* in the order they were added: what the next set is built from */
    IG_EXC_ALERTS View;      /* the lists, signatures and payloads the searches read */
} IG_ALERT_SET;

/*
 * A new set holding Old's exceptions (Old may be NULL) and Exception with Context.  NOT_NEEDED_HINT
 * (nothing built) when Old already holds the same exception with the same Context;
 * INSUFFICIENT_RESOURCES when the set is full (Detail TOO_MANY) or an allocation fails.
 */
__attribute__((warn_unused_result)) INTSTATUS IgAlertSetAdd(const IG_ALLOCATOR *Allocator, const IG_ALERT_SET *Old,
                                                            const INTRO_ALERT_EXCEPTION *Exception, uint64_t Context,
                                                            IG_ALERT_SET **New, INTRO_ALERT_EXC_ERROR *Error);

/*
 * A new set holding Old's exceptions but those with Context (*New NULL when none is left).
 * NOT_FOUND when Old holds none with Context.
 */
__attribute__((warn_unused_result)) INTSTATUS IgAlertSetRemove(const IG_ALLOCATOR *Allocator, const IG_ALERT_SET *Old,
                                                               uint64_t Context, IG_ALERT_SET **New);

/* Whether two exceptions are the same for duplicate detection (the fields and every signature). */
bool IgAlertSameException(const INTRO_ALERT_EXCEPTION *A, const INTRO_ALERT_EXCEPTION *B);

/* The set's promises to the searches: lists ascending by originator, signature IDs resolvable. */
bool IgAlertSetConsistent(const IG_ALERT_SET *Set);

void IgAlertSetRetain(IG_ALERT_SET *Set);
/* Drops a reference; the last one frees the set.  NULL is allowed. */
void IgAlertSetRelease(IG_ALERT_SET *Set);

/* The alert signature with this ID, or NULL (IDs are dense: a lookup is an index). */
const IG_SIGNATURE *IgAlertFindSignature(const IG_EXC_ALERTS *Alerts, uint32_t Id);

/* The slot holding a guest's set: the same contract as IG_RULESET_SLOT. */
typedef struct IG_ALERT_SLOT
{
    atomic_flag Lock; /* guards only the pointer read + reference increment */
    IG_ALERT_SET *Current;
} IG_ALERT_SLOT;

void IgAlertSlotInit(IG_ALERT_SLOT *Slot);
/* The set in force with a reference taken (release it), or NULL when the guest holds none. */
IG_ALERT_SET *IgAlertSlotAcquire(IG_ALERT_SLOT *Slot);
/* Installs New (taking over the caller's reference; NULL empties the slot) and drops the old set. */
void IgAlertSlotPublish(IG_ALERT_SLOT *Slot, IG_ALERT_SET *New);

#endif /* INTROGUARD_ALERT_EXC_H */
