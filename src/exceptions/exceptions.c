/*
 * The exceptions engine entry and the per-exception steps (spec/matching.md §2.1-2.2).
 */
#include "exceptions_int.h"

#include <stdio.h>
#include <string.h>

static void IgNoteAttempt(IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t Kind, const IG_EXC_ORIGIN *Origin,
                          uint32_t Check, uint32_t Reason)
{
    /* Ties go to the later exception, so the closest one agrees with hvmi's "last one tried" reason. */
    if (Check < Ev->ClosestRank)
    {
        return;
    }
    Ev->ClosestRank = Check;
    Ev->Closest.Source = Origin->Source;
    Ev->Closest.Kind = Kind;
    Ev->Closest.RecordIndex = Origin->Source == INTRO_EXC_SOURCE_FILE ? E->RecordIndex : 0;
    Ev->Closest.AlertContext = Origin->AlertContext;
    Ev->Closest.FailedCheck = Check;
    Ev->Closest.FailReason = Reason;
}

INTSTATUS IgExceptTry(IG_EXC_EVAL *Ev, const IG_EXCEPTION *E, uint32_t Kind, const IG_EXC_ORIGIN *Origin)
{
    const INTRO_EXC_VIOLATION *vio = Ev->Vio;
    bool linuxGuest = vio->Guest.Os == INTRO_EXC_OS_LINUX;
    uint32_t ok = (E->Flags & IG_FLG_FEEDBACK) ? INTRO_EXC_REASON_ALLOWED_FEEDBACK : INTRO_EXC_REASON_ALLOWED;
    uint32_t failed = INTRO_EXC_CHECK_NONE;
    uint32_t reason = INTRO_EXC_REASON_ALLOWED;
    INTSTATUS status;

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

    /* Step 3: signatures. */
    status = IgExceptVerifySignatures(Ev, E, Kind, Origin, &reason);
    if (status == INT_STATUS_SIGNATURE_NOT_FOUND)
    {
        Ev->Action = INTRO_EXC_ACTION_NOT_ALLOWED;
        Ev->Reason = reason;
        IgNoteAttempt(Ev, E, Kind, Origin, INTRO_EXC_CHECK_SIGNATURES, reason);
        return INT_STATUS_EXCEPTION_NOT_MATCHED;
    }
    if (!INT_SUCCESS(status))
    {
        goto internal_error;
    }
    Ev->Action = INTRO_EXC_ACTION_ALLOWED;
    Ev->Reason = ok;
    Ev->Matched.Source = Origin->Source;
    Ev->Matched.Kind = Kind;
    Ev->Matched.RecordIndex = Origin->Source == INTRO_EXC_SOURCE_FILE ? E->RecordIndex : 0;
    Ev->Matched.AlertContext = Origin->AlertContext;
    Ev->Matched.FailedCheck = INTRO_EXC_CHECK_PASSED;
    Ev->Matched.FailReason = ok;
    return INT_STATUS_EXCEPTION_ALLOW;

internal_error:
    Ev->Action = INTRO_EXC_ACTION_NOT_ALLOWED;
    Ev->Reason = INTRO_EXC_REASON_INTERNAL_ERROR;
    IgNoteAttempt(Ev, E, Kind, Origin, INTRO_EXC_CHECK_ERROR, Ev->Reason);
    return status;
}

bool IgExceptSameValue(const INTRO_EXC_VICTIM *Victim)
{
    uint32_t size = Victim->v.WriteInfo.AccessSize;

    if (Victim->ZoneType != INTRO_EXC_ZONE_EPT || !(Victim->ZoneFlags & INTRO_EXC_ZONE_WRITE))
    {
        return false;
    }
    if (size > sizeof(Victim->v.WriteInfo.OldValue))
    {
        size = sizeof(Victim->v.WriteInfo.OldValue);
    }
    /* AccessSize 0 compares nothing and counts as equal (spec §6.21). */
    return memcmp(Victim->v.WriteInfo.OldValue, Victim->v.WriteInfo.NewValue, size) == 0;
}

/* ---- glob ---------------------------------------------------------------------------------------------------- */

#define IG_GLOB_MAX_STEPS 1023u

static unsigned char IgLower(unsigned char C)
{
    return (C >= 'A' && C <= 'Z') ? (unsigned char)(C + ('a' - 'A')) : C;
}

/*
 * Tries the class starting after '[' at Pattern[*Pos] against C.  Returns 1 match, 0 no match,
 * -1 malformed (runs into the end of the pattern); on 0/1 *Pos is moved past the ']'.
 */
static int IgGlobClass(const char *Pattern, size_t *Pos, unsigned char C)
{
    size_t q = *Pos;
    bool invert = false;
    bool matched = false;
    bool first = true;

    if (Pattern[q] == '!')
    {
        invert = true;
        q++;
    }
    for (;;)
    {
        unsigned char lo, hi;

        if (Pattern[q] == '\0')
        {
            return -1;
        }
        if (Pattern[q] == ']' && !first)
        {
            q++;
            break;
        }
        first = false;
        lo = hi = IgLower((unsigned char)Pattern[q]);
        q++;
        if (Pattern[q] == '-' && Pattern[q + 1] != ']' && Pattern[q + 1] != '\0')
        {
            hi = IgLower((unsigned char)Pattern[q + 1]);
            q += 2;
        }
        if (C >= lo && C <= hi)
        {
            matched = true;
        }
    }
    *Pos = q;
    return (C != '\0' && matched != invert) ? 1 : 0;
}

bool IgGlobMatch(const char *Pattern, const char *Text, size_t TextLength)
{
    size_t p = 0;
    size_t s = 0;
    size_t starP = 0;
    size_t starS = 0;
    bool star = false;

    for (uint32_t steps = 0; steps < IG_GLOB_MAX_STEPS; steps++)
    {
        unsigned char pc = (unsigned char)Pattern[p];
        unsigned char sc = s < TextLength ? IgLower((unsigned char)Text[s]) : '\0';

        if (pc == '*')
        {
            p++;
            if (Pattern[p] == '\0')
            {
                return true;
            }
            star = true;
            starP = p;
            starS = s;
            continue;
        }
        if (pc == '?')
        {
            if (sc == '\0')
            {
                return false;
            }
            p++;
            s++;
            continue;
        }
        if (pc == '[')
        {
            size_t q = p + 1;
            int r = IgGlobClass(Pattern, &q, sc);

            if (r == 1)
            {
                p = q;
                s++;
                continue;
            }
            if (r == 0)
            {
                goto backtrack;
            }
            /* Malformed class: '[' is a literal character. */
        }
        else if (pc == '\\')
        {
            p++;
            pc = (unsigned char)Pattern[p];
        }
        if (IgLower(pc) == sc)
        {
            if (pc == '\0')
            {
                return true;
            }
            p++;
            s++;
            continue;
        }

    backtrack:
        if (Pattern[p] == '\0' && !star)
        {
            return true; /* truncated mode: the pattern is a prefix of the text */
        }
        if (sc == '\0' || !star)
        {
            return false;
        }
        p = starP;
        s = ++starS;
    }
    return false;
}

/* ---- entry ---------------------------------------------------------------------------------------------------- */

INTSTATUS IgExceptEvaluate(const IG_RULESET *Set, const IG_EXC_ALERTS *Alerts, const IG_EXC_ENV *Env,
                           const INTRO_EXC_VIOLATION *Violation, INTRO_EXC_VERDICT *Verdict)
{
    IG_EXC_EVAL ev;
    INTSTATUS status;

    if (!Violation)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Verdict)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    memset(Verdict, 0, sizeof(*Verdict));

    /* hvmi: no file loaded means allow (alert exceptions do not count as loaded, spec §6.26). */
    if (!Set)
    {
        Verdict->Action = INTRO_EXC_ACTION_ALLOWED;
        Verdict->Reason = INTRO_EXC_REASON_EXCEPTIONS_NOT_LOADED;
        Verdict->Status = INT_STATUS_EXCEPTION_ALLOW;
        return INT_STATUS_SUCCESS;
    }

    memset(&ev, 0, sizeof(ev));
    ev.Set = Set;
    ev.Alerts = Alerts;
    ev.Env = Env;
    ev.Vio = Violation;
    ev.Action = INTRO_EXC_ACTION_NOT_ALLOWED;
    ev.Reason = INTRO_EXC_REASON_NO_EXCEPTION;

    switch (Violation->Kind)
    {
        case INTRO_EXC_KIND_KERNEL:
            status = IgExceptSearchKernel(&ev);
            break;
        case INTRO_EXC_KIND_USER:
            status = IgExceptSearchUser(&ev);
            break;
        case INTRO_EXC_KIND_KERNEL_USER:
            status = IgExceptSearchKernelUser(&ev);
            break;
        default:
            /* hvmi logs and keeps (NotAllowed, NoException); UmGlob is not a violation kind. */
            status = INT_STATUS_NOT_SUPPORTED;
            break;
    }

    Verdict->Action = ev.Action;
    Verdict->Reason = ev.Reason;
    Verdict->Status = status;
    Verdict->Tried = ev.Tried;
    if (status == INT_STATUS_EXCEPTION_ALLOW)
    {
        Verdict->Matched = ev.Matched;
    }
    if (ev.Action != INTRO_EXC_ACTION_ALLOWED)
    {
        Verdict->Closest = ev.Closest;
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExceptEvaluate(const INTRO_EXC_RULESET *RuleSet, const INTRO_EXC_VIOLATION *Violation,
                            INTRO_EXC_VERDICT *Verdict)
{
    return IgExceptEvaluate(RuleSet, NULL, NULL, Violation, Verdict);
}

const INTRO_EXC_ALLOCATOR *IntExceptMallocAllocator(void)
{
    static const INTRO_EXC_ALLOCATOR malloc_allocator = {IgMallocAlloc, IgMallocFree, NULL};

    return &malloc_allocator;
}

/* The load error for a call rejected before the loader ran. */
static INTSTATUS IgLoadRejected(INTRO_EXCEPTIONS_LOAD_ERROR *Error, INTSTATUS Status, const char *Message)
{
    if (Error)
    {
        Error->Status = Error->Detail = Status;
        Error->RecordIndex = INTRO_EXCEPTIONS_LOAD_NO_RECORD;
        (void)snprintf(Error->Message, sizeof(Error->Message), "%s", Message);
    }
    return Status;
}

INTSTATUS IntExceptRuleSetLoad(const void *Buffer, size_t Length, uint32_t Os, const INTRO_EXC_ALLOCATOR *Allocator,
                               INTRO_EXC_RULESET **RuleSet, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    _Static_assert(sizeof(((INTRO_EXCEPTIONS_LOAD_ERROR *)0)->Message) == sizeof(((IG_PARSE_ERROR *)0)->Message),
                   "the public load error carries the whole parser message");
    _Static_assert(INTRO_EXCEPTIONS_LOAD_NO_RECORD == IG_NO_RECORD, "one 'no record' value");
    INTSTATUS status;
    IG_ALLOCATOR allocator;
    IG_RULESET *set = NULL;
    IG_PARSE_ERROR error;
    IG_GUEST_OS os = Os == INTRO_EXC_OS_LINUX     ? IgGuestOsLinux
                     : Os == INTRO_EXC_OS_WINDOWS ? IgGuestOsWindows
                                                  : IgGuestOsUnknown;

    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
    }
    if (RuleSet)
    {
        *RuleSet = NULL;
    }
    if (!Buffer)
    {
        return IgLoadRejected(Error, INT_STATUS_INVALID_PARAMETER_1, "no buffer"); /* the loader's first check */
    }
    if (!Allocator || !Allocator->Alloc || !Allocator->Free)
    {
        return IgLoadRejected(Error, INT_STATUS_INVALID_PARAMETER_4, "no allocator");
    }
    if (!RuleSet)
    {
        return IgLoadRejected(Error, INT_STATUS_INVALID_PARAMETER_5, "no place for the rule set");
    }

    allocator = (IG_ALLOCATOR){Allocator->Alloc, Allocator->Free, Allocator->Context};
    memset(&error, 0, sizeof(error));
    status = IgRuleSetLoad(&allocator, Buffer, Length, os, &set, &error);
    if (!INT_SUCCESS(status))
    {
        /* The same normalisation UpdateExceptions applies: Status is what is returned. */
        error.Status = INT_SUCCESS(error.Status) ? status : error.Status;
        error.Detail = INT_SUCCESS(error.Detail) ? error.Status : error.Detail;
        if (Error)
        {
            Error->Status = error.Status;
            Error->Detail = error.Detail;
            Error->Offset = error.Offset;
            Error->RecordIndex = error.RecordIndex;
            Error->RecordType = error.RecordType;
            memcpy(Error->Message, error.Message, sizeof(Error->Message));
        }
        return error.Status;
    }
    *RuleSet = set;
    return INT_STATUS_SUCCESS;
}

void IntExceptRuleSetFree(INTRO_EXC_RULESET *RuleSet)
{
    IgRuleSetRelease(RuleSet);
}

const char *IntExceptActionName(uint32_t Action)
{
    switch (Action)
    {
        case INTRO_EXC_ACTION_ALLOWED:
            return "allowed";
        case INTRO_EXC_ACTION_NOT_ALLOWED:
            return "not_allowed";
        default:
            return NULL;
    }
}

const char *IntExceptReasonName(uint32_t Reason)
{
    static const char *const names[] = {
        "allowed",
        "allowed_feedback",
        "signature_not_matched",
        "no_exception",
        "extra_checks_failed",
        "exceptions_not_loaded",
        "internal_error",
        "value_code_not_matched",
        "value_not_matched",
        "export_not_matched",
        "idt_not_matched",
        "version_os_not_matched",
        "version_intro_not_matched",
        "process_creation_not_matched",
        "same_value",
        "unknown",
    };

    return Reason < sizeof(names) / sizeof(names[0]) ? names[Reason] : NULL;
}

const char *IntExceptCheckName(uint32_t Check)
{
    static const char *const names[] = {
        "none",    "os",       "injection",    "access",     "integrity", "non_driver", "arch",
        "victim",  "process",  "object_type",  "init",       "cr4",       "child",      "system_process",
        "apphelp", "one_time", "extra_checks", "signatures", "error",     "passed",
    };

    return Check < sizeof(names) / sizeof(names[0]) ? names[Check] : NULL;
}
