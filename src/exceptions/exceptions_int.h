/*
 * The matching engine's private interface (spec/matching.md, spec/signatures.md §1-§2).
 *
 * One evaluation is an IG_EXC_EVAL on the caller's stack: the rules, the violation, the running
 * (action, reason) pair hvmi threads through its searches, and what we report beyond hvmi (the
 * exception that allowed, the one that came closest).  The searches (kernel, user, kernel-user)
 * pick candidate exceptions through the rule-set indexes and hand each to IgExceptTry, which
 * runs hvmi's per-exception steps: OS gate, victim match, extra checks, signatures.  The layer
 * list before the declarations says which file calls which.
 */
#ifndef INTROGUARD_EXCEPTIONS_INT_H
#define INTROGUARD_EXCEPTIONS_INT_H

#include "introguard/intro_exceptions.h"
#include "introguard/intro_excfile.h"
#include "ruleset.h"
#include "ruleset_index.h"

/* Exception flags (spec/matching.md §0.2); the KM and UM meanings of 0x100..0x1000 overlap.  The
 * values are the file's (intro_excfile.h); these are the matchers' names for them. */
#define IG_FLG_FEEDBACK INTRO_EXCFILE_FLG_FEEDBACK
#define IG_FLG_32 INTRO_EXCFILE_FLG_32
#define IG_FLG_64 INTRO_EXCFILE_FLG_64
#define IG_FLG_INIT INTRO_EXCFILE_FLG_INIT
#define IG_FLG_RETURN INTRO_EXCFILE_FLG_RETURN
#define IG_FLG_LINUX INTRO_EXCFILE_FLG_LINUX
#define IG_FLG_READ INTRO_EXCFILE_FLG_READ
#define IG_FLG_WRITE INTRO_EXCFILE_FLG_WRITE
#define IG_FLG_EXECUTE INTRO_EXCFILE_FLG_EXECUTE
#define IG_FLG_KM_NON_DRIVER INTRO_EXCFILE_FLG_KM_NON_DRIVER
#define IG_FLG_KM_RETURN_DRV INTRO_EXCFILE_FLG_KM_RETURN_DRV
#define IG_FLG_KM_SMAP INTRO_EXCFILE_FLG_KM_SMAP
#define IG_FLG_KM_SMEP INTRO_EXCFILE_FLG_KM_SMEP
#define IG_FLG_KM_INTEGRITY INTRO_EXCFILE_FLG_KM_INTEGRITY
#define IG_FLG_UM_SYS_PROC INTRO_EXCFILE_FLG_UM_SYS_PROC
#define IG_FLG_UM_CHILD_PROC INTRO_EXCFILE_FLG_UM_CHILD_PROC
#define IG_FLG_UM_ONETIME INTRO_EXCFILE_FLG_UM_ONETIME
#define IG_FLG_UM_LIKE_APPHELP INTRO_EXCFILE_FLG_UM_LIKE_APPHELP
#define IG_FLG_KUM_USER INTRO_EXCFILE_FLG_KUM_USER
#define IG_FLG_KUM_KERNEL INTRO_EXCFILE_FLG_KUM_KERNEL

/* Exception object types (spec/matching.md §0.3), the file's values under the matchers' names. */
enum
{
    IgKmObjNone = INTRO_EXCFILE_KM_OBJ_NONE,
    IgKmObjAny = INTRO_EXCFILE_KM_OBJ_ANY,
    IgKmObjDriver = INTRO_EXCFILE_KM_OBJ_DRIVER,
    IgKmObjDriverImports = INTRO_EXCFILE_KM_OBJ_DRIVER_IMPORTS,
    IgKmObjDriverCode = INTRO_EXCFILE_KM_OBJ_DRIVER_CODE,
    IgKmObjDriverData = INTRO_EXCFILE_KM_OBJ_DRIVER_DATA,
    IgKmObjDriverResources = INTRO_EXCFILE_KM_OBJ_DRIVER_RESOURCES,
    IgKmObjSsdt = INTRO_EXCFILE_KM_OBJ_SSDT,
    IgKmObjDrvObj = INTRO_EXCFILE_KM_OBJ_DRVOBJ,
    IgKmObjFastIo = INTRO_EXCFILE_KM_OBJ_FASTIO,
    IgKmObjMsr = INTRO_EXCFILE_KM_OBJ_MSR,
    IgKmObjCr4 = INTRO_EXCFILE_KM_OBJ_CR4,
    IgKmObjHalHeap = INTRO_EXCFILE_KM_OBJ_HAL_HEAP,
    IgKmObjSelfMap = INTRO_EXCFILE_KM_OBJ_SELFMAP,
    IgKmObjIdt = INTRO_EXCFILE_KM_OBJ_IDT,
    IgKmObjIdtReg = INTRO_EXCFILE_KM_OBJ_IDT_REG,
    IgKmObjGdtReg = INTRO_EXCFILE_KM_OBJ_GDT_REG,
    IgKmObjInfinityHook = INTRO_EXCFILE_KM_OBJ_INFINITY_HOOK,
    IgKmObjDriverExports = INTRO_EXCFILE_KM_OBJ_DRIVER_EXPORTS,
    IgKmObjTokenPrivs = INTRO_EXCFILE_KM_OBJ_TOKEN_PRIVS,
    IgKmObjSudExec = INTRO_EXCFILE_KM_OBJ_SUD_EXEC,
    IgKmObjHalPerfCounter = INTRO_EXCFILE_KM_OBJ_HAL_PERF_COUNTER,
    IgKmObjSecDesc = INTRO_EXCFILE_KM_OBJ_SECURITY_DESCRIPTOR,
    IgKmObjAclEdit = INTRO_EXCFILE_KM_OBJ_ACL_EDIT,
    IgKmObjSudModification = INTRO_EXCFILE_KM_OBJ_SUD_MODIFICATION,
    IgKmObjInterruptObj = INTRO_EXCFILE_KM_OBJ_INTERRUPT_OBJ,
};

enum
{
    IgUmObjNone = INTRO_EXCFILE_UM_OBJ_NONE,
    IgUmObjAny = INTRO_EXCFILE_UM_OBJ_ANY,
    IgUmObjProcess = INTRO_EXCFILE_UM_OBJ_PROCESS,
    IgUmObjModule = INTRO_EXCFILE_UM_OBJ_MODULE,
    IgUmObjModuleImports = INTRO_EXCFILE_UM_OBJ_MODULE_IMPORTS,
    IgUmObjNxZone = INTRO_EXCFILE_UM_OBJ_NX_ZONE,
    IgUmObjModuleExports = INTRO_EXCFILE_UM_OBJ_MODULE_EXPORTS,
    IgUmObjThreadContext = INTRO_EXCFILE_UM_OBJ_THREAD_CONTEXT,
    IgUmObjPeb32 = INTRO_EXCFILE_UM_OBJ_PEB32,
    IgUmObjPeb64 = INTRO_EXCFILE_UM_OBJ_PEB64,
    IgUmObjApcThread = INTRO_EXCFILE_UM_OBJ_APC_THREAD,
    IgUmObjProcessCreation = INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION,
    IgUmObjDoubleAgent = INTRO_EXCFILE_UM_OBJ_DOUBLE_AGENT,
    IgUmObjProcessCreationDpi = INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION_DPI,
    IgUmObjSudExec = INTRO_EXCFILE_UM_OBJ_SUD_EXEC,
    IgUmObjInstrumentation = INTRO_EXCFILE_UM_OBJ_INSTRUMENTATION,
};

enum
{
    IgKumObjNone = INTRO_EXCFILE_KUM_OBJ_NONE,
    IgKumObjAny = INTRO_EXCFILE_KUM_OBJ_ANY,
    IgKumObjModule = INTRO_EXCFILE_KUM_OBJ_MODULE,
    IgKumObjModuleImports = INTRO_EXCFILE_KUM_OBJ_MODULE_IMPORTS,
    IgKumObjModuleExports = INTRO_EXCFILE_KUM_OBJ_MODULE_EXPORTS,
};

/*
 * Exceptions added from alerts live apart from the file (they survive reloads).  The alert
 * module (alert_exc.h) owns them and passes this view in; each list is sorted by ascending
 * originator hash (stable), as hvmi keeps its alert lists (the searches assert it as they walk).
 * Their signature IDs index SigIds and name only alert signatures, whose payloads are the pools
 * below (a file signature never answers for an alert exception, nor the reverse).
 */
typedef struct IG_EXC_ALERT_LIST
{
    const IG_EXCEPTION *Items;
    const uint64_t *Contexts; /* integrator context per item (may be NULL) */
    uint32_t Count;
} IG_EXC_ALERT_LIST;

typedef struct IG_EXC_ALERTS
{
    IG_EXC_ALERT_LIST Kernel;
    IG_EXC_ALERT_LIST User;
    IG_EXC_ALERT_LIST KernelUser;
    IG_EXC_ALERT_LIST ProcessCreation;
    const uint32_t *SigIds;
    const IG_SIGNATURE *Signatures; /* Signatures[i] has sequence number IG_ALERT_SIG_SEQ_BASE + 1 + i */
    uint32_t SignatureCount;
    const IG_CB_LIST *CbLists; /* payloads of the codeblocks and export signatures */
    uint32_t CbListCount;
    const uint32_t *CbHashes;
    uint32_t CbHashCount;
    const IG_EXPORT_ENTRY *ExportEntries;
    uint32_t ExportEntryCount;
} IG_EXC_ALERTS;

/*
 * What the evaluation may use of the guest the violation happened in, beyond what the violation
 * itself brings: a guest-virtual reader, the vCPU's code-segment type and a decoder context.  The
 * guest that owns a rule set supplies it (IntExceptEvaluateGuest); a standalone evaluation has
 * none.  Each member is asked only when a code-reading signature needs it, so evaluations without
 * such signatures cost nothing here.  Every callback may be NULL.
 */
typedef struct IG_EXC_ENV
{
    void *Context;
    /* Guest-virtual reads, for violations that bring no reader of their own (IG_GUEST_VMEM.Read's contract). */
    INTSTATUS (*ReadVirtual)(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done);
    /* The current vCPU's IG_CS_TYPE, for violations whose Memory.CsType is 0. */
    INTSTATUS (*QueryCsType)(void *Context, uint32_t *CsType);
    /* A decoder for this evaluation (NULL: none available), given back with ReleaseCodeContext. */
    struct IG_CODE_CONTEXT *(*AcquireCodeContext)(void *Context);
    void (*ReleaseCodeContext)(void *Context, struct IG_CODE_CONTEXT *Code);
} IG_EXC_ENV;

/* Where the exception being tried came from: needed to find its signature IDs and to report it. */
typedef struct IG_EXC_ORIGIN
{
    uint32_t Source; /* INTRO_EXC_SOURCE_* */
    const uint32_t *SigIds;
    uint64_t AlertContext;
} IG_EXC_ORIGIN;

typedef struct IG_EXC_EVAL
{
    const IG_RULESET *Set;       /* never NULL inside the searches; its Index drives them */
    const IG_EXC_ALERTS *Alerts; /* NULL: no alert exceptions */
    const IG_EXC_ENV *Env;       /* NULL: nothing beyond the violation */
    const INTRO_EXC_VIOLATION *Vio;
    uint32_t Action;
    uint32_t Reason;
    uint32_t Tried;
    uint32_t ClosestRank;
    INTRO_EXC_REF *Matched; /* the verdict's: written by the exception that allows */
    INTRO_EXC_REF *Closest; /* the verdict's: written by every attempt that gets furthest so far */
} IG_EXC_EVAL;

/*
 * The engine's layers, top down; each calls only the ones below it.
 *
 *   exceptions_api.c     IgExceptEvaluate and the public calls
 *   exceptions_search.c  the three searches: which exceptions a violation meets, in hvmi's order
 *   exceptions.c         IgExceptTry: hvmi's steps for one exception
 *   exceptions_kern.c, exceptions_user.c, exceptions_krnusr.c, signatures.c, glob.c,
 *   process_state.c      victim matchers, extra check, signatures and their helpers
 */

/* ---- Entry (exceptions_api.c) ---------------------------------------------------------------------------------- */

/*
 * The evaluation with an explicit alert view and guest environment (IntExceptEvaluate passes
 * neither).  Set NULL: no file loaded.  Allocates nothing.
 */
__attribute__((warn_unused_result)) INTSTATUS IgExceptEvaluate(const IG_RULESET *Set, const IG_EXC_ALERTS *Alerts,
                                                               const IG_EXC_ENV *Env,
                                                               const INTRO_EXC_VIOLATION *Violation,
                                                               INTRO_EXC_VERDICT *Verdict);

/* ---- Searches (exceptions_search.c; spec §2.3-2.5) -------------------------------------------------------------- */

__attribute__((warn_unused_result)) INTSTATUS IgExceptSearchKernel(IG_EXC_EVAL *Ev);
__attribute__((warn_unused_result)) INTSTATUS IgExceptSearchUser(IG_EXC_EVAL *Ev);
__attribute__((warn_unused_result)) INTSTATUS IgExceptSearchKernelUser(IG_EXC_EVAL *Ev);

/* ---- One exception (exceptions.c) ------------------------------------------------------------------------------- */

/* Runs hvmi's per-exception steps (spec §2.2) for E of the given kind; updates Ev. */
__attribute__((warn_unused_result)) INTSTATUS IgExceptTry(IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t Kind,
                                                          const IG_EXC_ORIGIN *Origin);

/* ---- Matchers and helpers ---------------------------------------------------------------------------------------- */

/*
 * The victim matchers (spec §3.1-3.4).  Return EXCEPTION_ALLOW or EXCEPTION_NOT_MATCHED (with
 * *Failed = the INTRO_EXC_CHECK_* that rejected), or an error.
 */
__attribute__((warn_unused_result)) INTSTATUS IgExceptMatchVictimKernel(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E,
                                                                        uint32_t *Failed);
__attribute__((warn_unused_result)) INTSTATUS IgExceptMatchVictimUser(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E,
                                                                      bool Glob, uint32_t *Failed);
__attribute__((warn_unused_result)) INTSTATUS IgExceptMatchVictimKernelUser(const IG_EXC_EVAL *Ev,
                                                                            const IG_EXCEPTION *E, uint32_t *Failed);

/* The INIT flag chain shared by the kernel and kernel-user matchers (spec §3.1 step 7). */
bool IgExceptKernelInitOk(const INTRO_EXC_VIOLATION *Vio, uint32_t Flags);

/* A kernel-user exception gated to the other kind of injection (spec §2.5, §3.4 step 1). */
static inline bool IgExceptKumMismatched(const INTRO_EXC_KM_ORIGINATOR *O, uint32_t Flags)
{
    return ((Flags & IG_FLG_KUM_KERNEL) && O->InjectionUser) || ((Flags & IG_FLG_KUM_USER) && O->InjectionKernel);
}

/*
 * A process-state block's lock (INTRO_EXC_PROCESS_STATE.Lock): held around each check that reads
 * and updates the block, never around anything else and never for two blocks at once.
 */
void IgProcessStateLock(INTRO_EXC_PROCESS_STATE *State);
void IgProcessStateUnlock(INTRO_EXC_PROCESS_STATE *State);

/* Extra checks (spec §3.5): EXCEPTION_CHECKS_OK, EXCEPTION_CHECKS_FAILED or an error. */
__attribute__((warn_unused_result)) INTSTATUS IgExceptUserInitCheck(const INTRO_EXC_VIOLATION *Vio);

/*
 * Signature verification (spec §3.6, signatures.md §1.5): SIGNATURE_MATCHED, SIGNATURE_NOT_FOUND
 * (with *Reason, and *Check = INTRO_EXC_CHECK_SIGNATURES, or INTRO_EXC_CHECK_UNREADABLE when the
 * failing group could not read the guest data it needs) or an error (with *Reason = INTERNAL_ERROR).
 */
__attribute__((warn_unused_result)) INTSTATUS IgExceptVerifySignatures(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E,
                                                                       uint32_t Kind, const IG_EXC_ORIGIN *Origin,
                                                                       uint32_t *Reason, uint32_t *Check);

/* An injection into a known module needs an export signature, even with no signatures at all (§3.6). */
static inline bool IgExceptNeedsExport(uint32_t Kind, const INTRO_EXC_VICTIM *V)
{
    return (Kind == INTRO_EXC_KIND_USER || Kind == INTRO_EXC_KIND_USER_GLOB) && V->ZoneType == INTRO_EXC_ZONE_PROCESS &&
           V->Library && !(V->ZoneFlags & INTRO_EXC_ZONE_MODULE_LOAD);
}

/* hvmi's glob (spec §3.3): ignore-case, truncated mode. */
bool IgGlobMatch(const char *Pattern, const char *Text, size_t TextLength);

#endif /* INTROGUARD_EXCEPTIONS_INT_H */
