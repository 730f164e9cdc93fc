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
    void IntPreinit(void);

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
    __attribute__((warn_unused_result)) INTSTATUS IntInit(GLUE_IFACE *GlueInterface, const UPPER_IFACE *UpperInterface);

    /*
     * Disables every guest still introspected (as DisableIntro with IG_DISABLE_IGNORE_SAFENESS), frees
     * everything the library allocated and forgets both tables.  No other library call may run during
     * or after it (until the next IntInit).  Always returns INT_STATUS_SUCCESS.
     */
    INTSTATUS IntUninit(void);

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
    __attribute__((warn_unused_result)) INTSTATUS IntSetGuestInfo(void *GuestHandle, const GUEST_INFO *GuestInfo);

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
    __attribute__((warn_unused_result)) INTSTATUS IntGetExceptionsLoadError(void *GuestHandle,
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
    __attribute__((warn_unused_result)) INTSTATUS IntExceptEvaluateGuest(void *GuestHandle,
                                                                         const INTRO_EXC_VIOLATION *Violation,
                                                                         INTRO_EXC_VERDICT *Verdict);

    /*
     * The five exception calls, callable directly as well as through GLUE_IFACE (same functions).
     * Buffers passed in stay the caller's and are only read during the call.
     */
    __attribute__((warn_unused_result)) INTSTATUS IntUpdateExceptions(void *GuestHandle, PBYTE Buffer, DWORD Length,
                                                                      DWORD Flags);
    __attribute__((warn_unused_result)) INTSTATUS IntGetExceptionsVersion(void *GuestHandle, WORD *Major, WORD *Minor,
                                                                          DWORD *BuildNumber);
    __attribute__((warn_unused_result)) INTSTATUS IntAddExceptionFromAlert(void *GuestHandle, const void *Event,
                                                                           INTRO_EVENT_TYPE Type, BOOLEAN Exception,
                                                                           QWORD Context);
    __attribute__((warn_unused_result)) INTSTATUS IntRemoveException(void *GuestHandle, QWORD Context);
    __attribute__((warn_unused_result)) INTSTATUS IntFlushAlertExceptions(void *GuestHandle);

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTROGUARD_H */
