/*
 * Private header of the API layer: the library instance, the guest registry and the guest state.
 *
 * The library instance is the one process-wide object (IntInit has no handle to hang it on): it
 * holds the copied tables and the guest registry.  Everything else hangs off an IG_GUEST found by
 * the integrator's GuestHandle.  docs/api.md describes the concurrency design.
 */
#ifndef INTROGUARD_API_INT_H
#define INTROGUARD_API_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "introguard/introguard.h"
#include "../common/alloc.h"
#include "../exceptions/alert_exc.h"
#include "../exceptions/ruleset.h"
#include "../exceptions/update_file.h"
#include "glue_guestmem.h"
#include "../protect/protect.h"

/* Guests one instance can introspect at once, and the registry's hash-table size (a power of two,
 * at least twice IG_MAX_GUESTS so probe chains stay short). */
#define IG_MAX_GUESTS 1024u
#define IG_REGISTRY_SLOTS 2048u

#define IG_TAG_GUEST_RECORD IG_TAG_GUEST

/* Life of a guest record.  Records are never freed before IntUninit, only recycled: a lookup that
 * races with a DisableIntro may still touch a record's atomics, never freed memory. */
typedef enum IG_GUEST_PHASE
{
    IgGuestFree = 0, /* available for a new guest */
    IgGuestLive,     /* registered; API calls run */
    IgGuestDying,    /* disabled; waits for the calls still holding references */
    IgGuestTeardown, /* the last reference holder is freeing its state */
} IG_GUEST_PHASE;

/* Authenticity settings of a guest's exceptions files (IntSetExceptionsDigest / Key / Signature). */
typedef struct IG_EXC_AUTH
{
    bool HasDigest;
    bool HasKey;
    bool HasSignature;
    uint8_t Digest[INTRO_EXC_SHA256_SIZE];
    uint8_t PublicKey[INTRO_EXC_ED25519_PUBLIC_KEY_SIZE];
    uint8_t Signature[INTRO_EXC_ED25519_SIGNATURE_SIZE];
} IG_EXC_AUTH;

typedef struct IG_GUEST
{
    _Atomic(void *) Handle; /* the integrator's GuestHandle */
    atomic_uint Refs;       /* one for the registry while Live, one per call in progress */
    atomic_int Phase;       /* IG_GUEST_PHASE */
    void *Lock;             /* UPPER spinlock serializing the API calls of this guest */

    /* Guarded by Lock. */
    QWORD Options;
    IG_GUEST_OS Os;
    bool EnterHibernate; /* set by the protection engine; cleared only by a new guest */
    bool Sleeping;       /* between Sleep and Resume notifications */
    bool ShutDown;
    bool Terminating;
    bool HasLoadError;        /* the most recent UpdateExceptions failed */
    IG_PARSE_ERROR LoadError; /* ... and why */
    IG_EXC_AUTH Auth;         /* what UpdateExceptions accepts (exc_auth.c) */

    GUEST_INFO Info; /* what the integrator declared (IntSetGuestInfo); Type 0 until then */

    /* Readers take the current rule set through the slot, without the guest lock. */
    IG_RULESET_SLOT Rules;

    /* The exceptions added from alerts, beside the file's: the same contract (alert_exc.h). */
    IG_ALERT_SLOT Alerts;

    /* The guest's memory access and decoder, lent to its evaluations (bound to Handle while Live). */
    IG_GUEST_MEMORY Memory;

    /* The guest model and its zones (src/protect); created with the guest, freed with its state. */
    IG_PROTECT *Protect;
} IG_GUEST;

typedef enum IG_INSTANCE_STATE
{
    IgInstanceUninitialized = 0,
    IgInstanceInitializing,
    IgInstanceReady,
    IgInstanceUninitializing,
} IG_INSTANCE_STATE;

typedef struct IG_INSTANCE
{
    atomic_int State;    /* IG_INSTANCE_STATE */
    atomic_int LogLevel; /* IG_LOG_LEVEL: messages below it are dropped */
    GLUE_IFACE Glue;     /* copies of the integrator's tables */
    UPPER_IFACE Upper;
    IG_ALLOCATOR Allocator; /* UPPER MemAlloc/MemFree behind the engine's allocator interface */

    void *RegistryLock;                           /* UPPER spinlock: insert and remove only */
    _Atomic(IG_GUEST *) Table[IG_REGISTRY_SLOTS]; /* open addressing, linear probing */
    IG_GUEST *Records[IG_MAX_GUESTS];             /* every record ever allocated (under RegistryLock) */
    uint32_t RecordCount;
} IG_INSTANCE;

/* ---- Instance (introcore.c) ----------------------------------------------------------------- */

/* The instance when IntInit has succeeded and IntUninit has not started, else NULL. */
IG_INSTANCE *IgInstanceGet(void);

/* Logs through UPPER TracePrint when Level passes the current log level. */
void IgLog(IG_INSTANCE *Instance, IG_LOG_LEVEL Level, const char *File, unsigned Line, const char *Format, ...)
    __attribute__((format(printf, 5, 6)));

#ifdef __FILE_NAME__
#define IG_SOURCE_FILE __FILE_NAME__
#else
#define IG_SOURCE_FILE __FILE__
#endif
#define IG_LOG(Instance, Level, ...) IgLog((Instance), (Level), IG_SOURCE_FILE, __LINE__, __VA_ARGS__)

/* ---- Guest registry (guests.c) -------------------------------------------------------------- */

/* Clears the registry of a fresh instance. */
void IgRegistryInit(IG_INSTANCE *Instance);

/* Disables every guest, waits for calls in progress and frees every record. */
void IgRegistryDestroy(IG_INSTANCE *Instance);

/*
 * Registers a new guest for Handle.  SUCCESS; ALREADY_INITIALIZED_HINT if Handle is already a live
 * guest (nothing changes); INSUFFICIENT_RESOURCES when IG_MAX_GUESTS are in use or an allocation
 * or the lock creation fails.
 */
__attribute__((warn_unused_result)) INTSTATUS IgGuestCreate(IG_INSTANCE *Instance, void *Handle, QWORD Options);

/* The live guest for Handle with a reference taken (drop it with IgGuestRelease), or NULL.  Never
 * takes a lock. */
IG_GUEST *IgGuestAcquire(IG_INSTANCE *Instance, void *Handle);

/* Drops a reference taken by IgGuestAcquire; the last one of a disabled guest frees its state. */
void IgGuestRelease(IG_INSTANCE *Instance, IG_GUEST *Guest);

/*
 * Unregisters a guest the caller holds a reference to: later lookups miss it, calls waiting for
 * its lock see it dead.  SUCCESS, or NOT_NEEDED_HINT if it was already disabled.
 */
__attribute__((warn_unused_result)) INTSTATUS IgGuestDisable(IG_INSTANCE *Instance, IG_GUEST *Guest);

void IgGuestLock(IG_INSTANCE *Instance, IG_GUEST *Guest);
void IgGuestUnlock(IG_INSTANCE *Instance, IG_GUEST *Guest);

static inline bool IgGuestIsLive(IG_GUEST *Guest)
{
    return atomic_load(&Guest->Phase) == IgGuestLive;
}

/* Setters for the engine layers (the caller holds the guest lock). */
static inline void IgGuestSetOs(IG_GUEST *Guest, IG_GUEST_OS Os)
{
    Guest->Os = Os;
}

static inline void IgGuestSetEnterHibernate(IG_GUEST *Guest)
{
    Guest->EnterHibernate = true;
}

/* ---- The API prologue (introapi.c) --------------------------------------------------------------- */

/*
 * The common prologue of a guest call: NULL handle -> INVALID_PARAMETER_1, library down or unknown
 * guest -> NOT_INITIALIZED, hibernate (if BlockOnHibernate) -> POWER_STATE_BLOCK.  On success the
 * guest is referenced and locked: finish with IgApiLeave.
 */
__attribute__((warn_unused_result)) INTSTATUS IgApiEnter(void *GuestHandle, bool BlockOnHibernate,
                                                         IG_INSTANCE **Instance, IG_GUEST **Guest);
void IgApiLeave(IG_INSTANCE *Instance, IG_GUEST *Guest);

/* ---- Authenticity of exceptions files (exc_auth.c) ------------------------------------------------ */

/*
 * Before a guest loads Buffer: when Auth asks for nothing, *Bytes = Buffer and SUCCESS.  Otherwise
 * the buffer is copied (*Copy, to free with Allocator and tag IG_TAG_RULESET; *Bytes points at it)
 * and the copy checked: SUCCESS, or ACCESS_DENIED (INSUFFICIENT_RESOURCES, NOT_SUPPORTED) with
 * Error filled and nothing left to free.
 */
__attribute__((warn_unused_result)) INTSTATUS IgExcAuthCheck(const IG_EXC_AUTH *Auth, const IG_ALLOCATOR *Allocator,
                                                             const uint8_t *Buffer, size_t Length,
                                                             const uint8_t **Bytes, uint8_t **Copy,
                                                             IG_PARSE_ERROR *Error);

/* ---- Guest events (guest_events.c) -------------------------------------------------------------- */

/* The handlers the protection core registers for its zones' exits. */
extern const IG_PROTECT_HANDLERS gIgProtectHandlers;

/* ---- API implementations (introapi.c), installed into GLUE_IFACE by IntInit ---------------- */

INTSTATUS IntNewGuestNotification(void *GuestHandle, QWORD Options, PBYTE UpdateBuffer, DWORD BufferLength);
INTSTATUS IntDisableIntro(void *GuestHandle, QWORD Flags);
INTSTATUS IntNotifyGuestPowerStateChange(void *GuestHandle, IG_GUEST_POWER_STATE PowerState);
INTSTATUS IntProcessDebugCommand(void *GuestHandle, DWORD CpuNumber, DWORD Argc, CHAR *Argv[]);
INTSTATUS IntGetGuestInfo(void *GuestHandle, PGUEST_INFO GuestInfo);
INTSTATUS IntInjectProcessAgentInGuest(void *GuestHandle, DWORD AgentTag, PBYTE AgentContent, DWORD AgentSize,
                                       const CHAR *Name, const CHAR *Args);
INTSTATUS IntInjectFileAgentInGuest(void *GuestHandle, PBYTE FileContent, DWORD FileSize, const CHAR *Name);
INTSTATUS IntAbortEnableIntro(void *GuestHandle, BOOLEAN Abort);
INTSTATUS IntAddRemoveProtectedProcessUtf16(void *GuestHandle, const WCHAR *FullPath, DWORD ProtectionMask, BOOLEAN Add,
                                            QWORD Context);
INTSTATUS IntAddRemoveProtectedProcessUtf8(void *GuestHandle, const CHAR *FullPath, DWORD ProtectionMask, BOOLEAN Add,
                                           QWORD Context);
INTSTATUS IntRemoveAllProtectedProcesses(void *GuestHandle);
INTSTATUS IntGetCurrentInstructionLength(void *GuestHandle, DWORD CpuNumber, BYTE *Length);
INTSTATUS IntGetCurrentInstructionMnemonic(void *GuestHandle, DWORD CpuNumber, CHAR *Mnemonic);
INTSTATUS IntIterateVaSpace(void *GuestHandle, QWORD Cr3, PFUNC_VirtualAddressSpaceCallback Callback);
INTSTATUS IntModifyDynamicOptions(void *GuestHandle, QWORD NewDynamicOptions);
INTSTATUS IntFlushGpaCache(void *GuestHandle);
INTSTATUS IntGetCurrentIntroOptions(void *GuestHandle, QWORD *IntroOptions);
INTSTATUS IntUpdateSupport(void *GuestHandle, PBYTE Buffer, DWORD Length);
INTSTATUS IntGetSupportVersion(void *GuestHandle, DWORD *MajorVersion, DWORD *MinorVersion, DWORD *BuildNumber);
INTSTATUS IntSetLogLevel(void *GuestHandle, IG_LOG_LEVEL LogLevel);
INTSTATUS IntGetVersionString(DWORD FullStringSize, DWORD VersionStringSize, CHAR *FullString, CHAR *VersionString);

#endif /* INTROGUARD_API_INT_H */
