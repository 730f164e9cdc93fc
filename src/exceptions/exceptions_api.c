/*
 * The engine's entry points: IgExceptEvaluate, which prepares one evaluation and hands it to the
 * search of its kind (exceptions_search.c), and the public calls of intro_exceptions.h (load, free,
 * evaluate, the malloc allocator, the names of actions, reasons and checks).
 */
#include "exceptions_int.h"

#include <stdio.h>
#include <string.h>

INTSTATUS IgExceptEvaluate(const IG_RULESET *Set, const IG_EXC_ALERTS *Alerts, const IG_EXC_ENV *Env,
                           const INTRO_EXC_VIOLATION *Violation, INTRO_EXC_VERDICT *Verdict)
{
    static const INTRO_EXC_REF none = {INTRO_EXC_SOURCE_NONE, 0, 0, 0, 0, 0};
    IG_EXC_EVAL ev;
    INTSTATUS status;

    /* StructSize: 0 (the first layout) or this header's size; there is no other layout yet. */
    if (!Violation || (Violation->StructSize != 0 && Violation->StructSize != sizeof(*Violation)))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Verdict)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }

    /* hvmi: no file loaded means allow (alert exceptions do not count as loaded, spec §6.26). */
    if (!Set)
    {
        memset(Verdict, 0, sizeof(*Verdict));
        Verdict->Action = INTRO_EXC_ACTION_ALLOWED;
        Verdict->Reason = INTRO_EXC_REASON_EXCEPTIONS_NOT_LOADED;
        Verdict->Status = INT_STATUS_EXCEPTION_ALLOW;
        return INT_STATUS_SUCCESS;
    }

    /* Field by field, and the references are written straight into the verdict: clearing and
     * copying whole structures was a tenth of what an evaluation on a small set costs. */
    ev.Set = Set;
    ev.Alerts = Alerts;
    ev.Env = Env;
    ev.Vio = Violation;
    ev.Action = INTRO_EXC_ACTION_NOT_ALLOWED;
    ev.Reason = INTRO_EXC_REASON_NO_EXCEPTION;
    ev.Tried = 0;
    ev.ClosestRank = 0;
    ev.Matched = &Verdict->Matched;
    ev.Closest = &Verdict->Closest;
    Verdict->Matched = none;
    Verdict->Closest = none;

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
    if (ev.Action == INTRO_EXC_ACTION_ALLOWED)
    {
        Verdict->Closest = none; /* reported for blocks only */
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
        "apphelp", "one_time", "extra_checks", "signatures", "error",     "passed",     "unreadable",
    };

    return Check < sizeof(names) / sizeof(names[0]) ? names[Check] : NULL;
}
