/*
 * introguard: the umbrella header and the library's entry points.
 *
 * Include this one header.  It brings in, in the order they need each other, the status codes,
 * the basic types, the alert structures and both function tables.
 *
 * Life cycle (one library instance per process, any number of guests):
 *
 *     IntPreinit();                              optional; resets a never-initialized instance
 *     IntInit(&glue, &upper);                    validates and copies both tables, fills glue's
 *                                                library-side members
 *     glue.NewGuestNotification(handle, ...);    once per guest; handle is the integrator's
 *     glue.UpdateExceptions(handle, buf, len, 0);
 *     ...
 *     glue.DisableIntro(handle, 0);              frees that guest's state
 *     IntUninit();                               disables every guest, forgets both tables
 *
 * Calls for different guests never wait for each other.  See docs/api.md.
 */
#ifndef INTROGUARD_INTROGUARD_H
#define INTROGUARD_INTROGUARD_H

#include "introstatus.h"
#include "intro_types.h"
#include "intro_alerts.h"
#include "upperiface.h"
#include "glueiface.h"
#include "intro_exceptions.h"
#include "intro_alert_exceptions.h"
#include "intro_names.h"
#include "intro_guest.h"
#include "intro_exc_keywords.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* The library's version, also reported by GLUE_IFACE.GetVersionString. */
#define INTROGUARD_VERSION_MAJOR 0
#define INTROGUARD_VERSION_MINOR 1
#define INTROGUARD_VERSION_PATCH 0

    /*
     * Resets the library instance to its never-initialized state.  Needed only before the first
     * IntInit in environments where static storage is not zeroed; does nothing while an instance is
     * initialized (call IntUninit first).  Owns nothing, takes nothing.
     */
    INTROGUARD_API void IntPreinit(void);

    /*
     * Validates both tables, copies them by value into the library and writes the 26 library-side
     * members of *GlueInterface.  The caller keeps ownership of both tables; later changes to them
     * are not seen.  UpperInterface must stay callable (its functions, not the table) until IntUninit.
     *
     * Returns INT_STATUS_SUCCESS; INT_STATUS_ALREADY_INITIALIZED_HINT (a success code) when the
     * library is already initialized, in which case nothing is validated, copied or written;
     * INT_STATUS_INVALID_PARAMETER_1 / _2 for a NULL table or a NULL required member of the GLUE /
     * UPPER table; INT_STATUS_NOT_SUPPORTED for a wrong Version or Size; or the status of the
     * integrator's SpinLockInit.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntInit(GLUE_IFACE *GlueInterface,
                                                           const UPPER_IFACE *UpperInterface);

    /*
     * Disables every guest still introspected (as DisableIntro with IG_DISABLE_IGNORE_SAFENESS), frees
     * everything the library allocated and forgets both tables.  No other library call may run during
     * or after it (until the next IntInit).  Always returns INT_STATUS_SUCCESS.
     */
    INTROGUARD_API INTSTATUS IntUninit(void);

    /*
     * introguard extension.  Declares what the guest is (OS type, bitness, version): what hvmi finds out
     * by parsing the guest, the integrator states.  UpdateExceptions then drops the exceptions of the
     * other OS, as hvmi does once it knows the guest (until then every record is kept), and
     * GetGuestInfo answers with it.  Declare before loading exceptions: a set already loaded keeps the
     * records it was loaded with.  The library keeps a copy of *GuestInfo.
     *
     * Returns INT_STATUS_SUCCESS; INVALID_PARAMETER_1 for a NULL GuestHandle; INVALID_PARAMETER_2 for a
     * NULL GuestInfo or a Type other than introGuestWindows / introGuestLinux; NOT_INITIALIZED for an
     * unknown guest; POWER_STATE_BLOCK while it enters hibernate.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntSetGuestInfo(void *GuestHandle, const GUEST_INFO *GuestInfo);

    /*
     * introguard extensions: authenticity of the guest's exceptions files.  Whoever can hand
     * UpdateExceptions a file decides what the guest allows; these let the integrator say which file
     * it accepts, so a file swapped on disk or in transit is refused.  Each setting is the guest's,
     * kept (a copy) until it is changed, cleared with NULL or the guest is disabled, and checked on
     * every UpdateExceptions, on a copy of the buffer taken first (so the bytes checked are the bytes
     * loaded).  A file that fails is refused with INT_STATUS_ACCESS_DENIED and the previous rule set
     * stays in force; IntGetExceptionsLoadError gives the precise reason (INT_STATUS_EXC_DIGEST_MISMATCH,
     * _SIGNATURE_MISSING, _SIGNATURE_INVALID).  docs/api.md, "Authenticity".
     *
     * IntSetExceptionsDigest pins the SHA-256 (INTRO_EXC_SHA256_SIZE bytes, see IntExceptFileDigest)
     * every file must have.  IntSetExceptionsKey sets the Ed25519 public key
     * (INTRO_EXC_ED25519_PUBLIC_KEY_SIZE bytes) whose detached signature every file must carry;
     * IntSetExceptionsSignature gives that signature (INTRO_EXC_ED25519_SIGNATURE_SIZE bytes) for the
     * file(s) to come.  Digest and key may be set together: both must hold.
     *
     * Return SUCCESS; INVALID_PARAMETER_1 for a NULL GuestHandle; NOT_INITIALIZED for an unknown
     * guest; POWER_STATE_BLOCK while it enters hibernate; IntSetExceptionsKey returns NOT_SUPPORTED
     * when the library is built without libsodium (INTROGUARD_ED25519 off) and
     * INSUFFICIENT_RESOURCES when libsodium cannot start.  The library keeps no pointer to the
     * bytes given.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntSetExceptionsDigest(void *GuestHandle, const uint8_t *Sha256);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntSetExceptionsKey(void *GuestHandle, const uint8_t *PublicKey);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntSetExceptionsSignature(void *GuestHandle,
                                                                             const uint8_t *Signature);

    /* INTRO_EXCEPTIONS_LOAD_ERROR, where and why an exceptions file was rejected, is in intro_exceptions.h: the
     * standalone load (IntExceptRuleSetLoad) reports it too. */

    /*
     * introguard extension.  Copies into *Error the reason the guest's most recent failed
     * UpdateExceptions was rejected.  The library keeps no reference to Error.
     *
     * Returns INT_STATUS_SUCCESS; INT_STATUS_NOT_FOUND when no update failed since the guest was
     * created or the most recent update succeeded; INT_STATUS_INVALID_PARAMETER_1 / _2 for a NULL
     * GuestHandle / Error; INT_STATUS_NOT_INITIALIZED for an unknown guest.  *Error is zeroed unless
     * SUCCESS is returned.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGetExceptionsLoadError(void *GuestHandle,
                                                                             INTRO_EXCEPTIONS_LOAD_ERROR *Error);

    /*
     * introguard extension, for integrators with their own detection.  Decides Violation (filled by
     * the caller; see intro_exceptions.h) against the rule set in force for the guest, as
     * IntExceptEvaluate does against a standalone one: action, reason, the exception that allowed it
     * or the one that came closest.  Never waits for an UpdateExceptions in progress: it uses the set
     * in force when it starts.  The caller owns Violation (and the per-process state it points to,
     * which the checks update) and Verdict.
     *
     * Returns INT_STATUS_SUCCESS (the decision is in *Verdict; before any file is loaded every
     * violation is allowed with reason "exceptions not loaded", as in hvmi);
     * INT_STATUS_INVALID_PARAMETER_1/2/3 for a NULL argument; INT_STATUS_NOT_INITIALIZED for an
     * unknown guest.  Allocates nothing (UpdateExceptions built the set's search index).
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptEvaluateGuest(void *GuestHandle,
                                                                          const INTRO_EXC_VIOLATION *Violation,
                                                                          INTRO_EXC_VERDICT *Verdict);

    /*
     * The five exception calls, callable directly as well as through GLUE_IFACE (same functions).
     * Buffers passed in stay the caller's and are only read during the call.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntUpdateExceptions(void *GuestHandle, const uint8_t *Buffer,
                                                                       uint32_t Length, uint32_t Flags);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGetExceptionsVersion(void *GuestHandle, uint16_t *Major,
                                                                           uint16_t *Minor, uint32_t *BuildNumber);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntAddExceptionFromAlert(void *GuestHandle, const void *Event,
                                                                            INTRO_EVENT_TYPE Type, bool Exception,
                                                                            unsigned long long Context);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntRemoveException(void *GuestHandle, unsigned long long Context);
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntFlushAlertExceptions(void *GuestHandle);

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTROGUARD_H */
