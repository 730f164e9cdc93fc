/*
 * The per-exception steps (spec/matching.md §2.2): IgExceptTry runs hvmi's steps for one candidate
 * exception, in hvmi's order, and keeps the running (action, reason) and the closest attempt.
 *
 * Layering: the searches (exceptions_search.c) call IgExceptTry; IgExceptTry calls the victim
 * matchers (exceptions_kern.c, exceptions_user.c, exceptions_krnusr.c), the extra check and the
 * signatures (signatures.c).  Nothing below calls back up.
 */
#include "exceptions_int.h"

#include "../common/invariant.h"

static void IgNoteAttempt(IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t Kind, const IG_EXC_ORIGIN *Origin,
                          uint32_t Check, uint32_t Reason)
{
    /* An unreadable signature group got as far as a mismatched one. */
    uint32_t rank = Check == INTRO_EXC_CHECK_UNREADABLE ? INTRO_EXC_CHECK_SIGNATURES : Check;

    /* Ties go to the later exception, so the closest one agrees with hvmi's "last one tried" reason. */
    if (rank < Ev->ClosestRank)
    {
        return;
    }
    Ev->ClosestRank = rank;
    Ev->Closest->Source = Origin->Source;
    Ev->Closest->Kind = Kind;
    Ev->Closest->RecordIndex = Origin->Source == INTRO_EXC_SOURCE_FILE ? E->RecordIndex : 0;
    Ev->Closest->AlertContext = Origin->AlertContext;
    Ev->Closest->FailedCheck = Check;
    Ev->Closest->FailReason = Reason;
}

INTSTATUS IgExceptTry(IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t Kind, const IG_EXC_ORIGIN *Origin)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;
    bool linuxGuest = vio->Guest.Os == INTRO_EXC_OS_LINUX;
    uint32_t ok = (E->Flags & IG_FLG_FEEDBACK) ? INTRO_EXC_REASON_ALLOWED_FEEDBACK : INTRO_EXC_REASON_ALLOWED;
    uint32_t failed = INTRO_EXC_CHECK_NONE;
    uint32_t reason = INTRO_EXC_REASON_ALLOWED;
    uint32_t check = INTRO_EXC_CHECK_SIGNATURES;
    INTSTATUS status;

    IG_ASSERT(Ev->Set != NULL && Kind <= INTRO_EXC_KIND_KERNEL_USER); /* the searches hand over file sets only */
    Ev->Tried++;

    /* Step 0: the OS gate leaves (action, reason) alone. */
    if (((E->Flags & IG_FLG_LINUX) != 0) != linuxGuest)
    {
        IgNoteAttempt(Ev, E, Kind, Origin, INTRO_EXC_CHECK_OS, INTRO_EXC_REASON_NO_EXCEPTION);
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }

    /* Step 1: victim match. */
    switch (Kind)
    {
        case INTRO_EXC_KIND_KERNEL:
            status = IgExceptMatchVictimKernel(Ev, E, &failed);
            break;
        case INTRO_EXC_KIND_USER:
            status = IgExceptMatchVictimUser(Ev, E, false, &failed);
            break;
        case INTRO_EXC_KIND_USER_GLOB:
            status = IgExceptMatchVictimUser(Ev, E, true, &failed);
            break;
        case INTRO_EXC_KIND_KERNEL_USER:
            status = IgExceptMatchVictimKernelUser(Ev, E, &failed);
            break;
        default:
            status = INT_STATUS_NOT_SUPPORTED;
            break;
    }
    if (status == INT_STATUS_EXCEPTION_NOT_MATCHED)
    {
        IgNoteAttempt(Ev, E, Kind, Origin, failed, INTRO_EXC_REASON_NO_EXCEPTION);
        return status;
    }
    if (status != INT_STATUS_EXCEPTION_ALLOW)
    {
        goto internal_error;
    }
    Ev->Action = INTRO_EXC_ACTION_ALLOWED;
    Ev->Reason = ok;

    /* Step 2: extra checks; only user `process` exceptions with INIT on Windows have one. */
    if ((Kind == INTRO_EXC_KIND_USER || Kind == INTRO_EXC_KIND_USER_GLOB) && !linuxGuest &&
        E->ObjectType == IgUmObjProcess && (E->Flags & IG_FLG_INIT))
    {
        status = IgExceptUserInitCheck(vio);
        if (status == INT_STATUS_EXCEPTION_CHECKS_FAILED)
        {
            Ev->Action = INTRO_EXC_ACTION_NOT_ALLOWED;
            Ev->Reason = INTRO_EXC_REASON_EXTRA_CHECKS_FAILED;
            IgNoteAttempt(Ev, E, Kind, Origin, INTRO_EXC_CHECK_EXTRA, Ev->Reason);
            return INT_STATUS_EXCEPTION_NOT_MATCHED;
        }
        if (status != INT_STATUS_EXCEPTION_CHECKS_OK)
        {
            goto internal_error;
        }
    }

    /* Step 3: signatures.  Most exceptions have none and most violations need no export check:
     * then the verifier would only say MATCHED, after setting up a walk. */
    status = E->SigCount == 0 && !IgExceptNeedsExport(Kind, &vio->Victim)
                 ? INT_STATUS_SIGNATURE_MATCHED
                 : IgExceptVerifySignatures(Ev, E, Kind, Origin, &reason, &check);
    if (status == INT_STATUS_SIGNATURE_NOT_FOUND)
    {
        Ev->Action = INTRO_EXC_ACTION_NOT_ALLOWED;
        Ev->Reason = reason;
        IgNoteAttempt(Ev, E, Kind, Origin, check, reason);
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    if (!INT_SUCCESS(status))
    {
        goto internal_error;
    }
    Ev->Action = INTRO_EXC_ACTION_ALLOWED;
    Ev->Reason = ok;
    Ev->Matched->Source = Origin->Source;
    Ev->Matched->Kind = Kind;
    Ev->Matched->RecordIndex = Origin->Source == INTRO_EXC_SOURCE_FILE ? E->RecordIndex : 0;
    Ev->Matched->AlertContext = Origin->AlertContext;
    Ev->Matched->FailedCheck = INTRO_EXC_CHECK_PASSED;
    Ev->Matched->FailReason = ok;
    return INT_STATUS_EXCEPTION_ALLOW;

internal_error:
    Ev->Action = INTRO_EXC_ACTION_NOT_ALLOWED;
    Ev->Reason = INTRO_EXC_REASON_INTERNAL_ERROR;
    IgNoteAttempt(Ev, E, Kind, Origin, INTRO_EXC_CHECK_ERROR, Ev->Reason);
    return status;
}
