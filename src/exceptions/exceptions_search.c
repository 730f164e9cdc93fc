/*
 * The three searches (spec/matching.md §2.3-§2.5): which candidate exceptions a violation meets, in
 * hvmi's order, through the alert lists, the rule set's search index and the glob list.  Each
 * candidate goes to IgExceptTry (exceptions.c), which decides it; the searches only select and stop
 * at the first exception that allows.
 */
#include "exceptions_int.h"

#include <string.h>

#include "../common/invariant.h"

/* Step 1 of every search (spec §2.3): a write of the value already there is allowed. */
static bool IgSameValue(const INTRO_EXC_VICTIM *Victim)
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
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Most writes are 8 bytes or less: one masked compare of the first bytes instead of a call. */
    if (size <= 8)
    {
        uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;

        return ((Victim->v.WriteInfo.OldValue[0] ^ Victim->v.WriteInfo.NewValue[0]) & mask) == 0;
    }
#endif
    /* AccessSize 0 compares nothing and counts as equal (spec §6.21). */
    return memcmp(Victim->v.WriteInfo.OldValue, Victim->v.WriteInfo.NewValue, size) == 0;
}

/* ---- the kernel search -------------------------------------------------------------------------------------- */

/* Tries every alert exception selected by hvmi's alert-list rule (spec §2.3 step 2). */
static INTSTATUS IgSearchKernelAlerts(IG_EXC_EVAL *Ev, INTSTATUS *Last)
{
    const IG_EXC_ALERT_LIST *list = Ev->Alerts ? &Ev->Alerts->Kernel : NULL;
    uint32_t h = Ev->Vio->Kernel.Original.NameHash;

    for (uint32_t i = 0; list && i < list->Count; i++)
    {
        const IG_EXCEPTION *e = &list->Items[i];
        IG_EXC_ORIGIN origin = {INTRO_EXC_SOURCE_ALERT, Ev->Alerts->SigIds, list->Contexts ? list->Contexts[i] : 0};

        IG_ASSERT(i == 0 || list->Items[i - 1].Originator <= e->Originator); /* the early stop below needs it */

        if (e->Originator != INTRO_EXC_NAME_ANY && !(h == INTRO_EXC_NO_NAME && e->Originator == IG_NAME_NONE))
        {
            if (e->Originator > h)
            {
                break;
            }
            if (e->Originator != h)
            {
                continue;
            }
        }
        *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL, &origin);
        if (*Last == INT_STATUS_EXCEPTION_ALLOW)
        {
            return *Last;
        }
    }
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

INTSTATUS IgExceptSearchKernel(IG_EXC_EVAL *Ev)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Ev->Vio->Kernel;
    const IG_RULESET *set = Ev->Set;
    const IG_EXC_ORIGIN file = {INTRO_EXC_SOURCE_FILE, set->SigIds, 0};
    uint32_t victim = Ev->Vio->Victim.NameHash;
    uint32_t h = o->Original.NameHash;
    uint32_t r = o->Return.NameHash;
    INTSTATUS status = INT_STATUS_EXCEPTION_NOT_MATCHED;
    IG_INDEX_CURSOR cur;
    uint32_t origs[4];
    uint32_t idx;
    bool sameRip;

    if (IgSameValue(&Ev->Vio->Victim))
    {
        Ev->Action = INTRO_EXC_ACTION_ALLOWED;
        Ev->Reason = INTRO_EXC_REASON_SAME_VALUE;
        return INT_STATUS_EXCEPTION_ALLOW;
    }

    if (IgSearchKernelAlerts(Ev, &status) == INT_STATUS_EXCEPTION_ALLOW)
    {
        return status;
    }

    /* Generic (`*`) or no-name (`-`) list, never both. */
    origs[0] = h == INTRO_EXC_NO_NAME ? IG_NAME_NONE : IG_NAME_ANY;
    IgIndexBegin(&cur, &Ev->Set->Index, h == INTRO_EXC_NO_NAME ? IgListKernelNoName : IgListKernelGeneric, origs, 1,
                 victim);
    while (IgIndexNext(&cur, &idx))
    {
        status = IgExceptTry(Ev, &set->Exceptions[idx], INTRO_EXC_KIND_KERNEL, &file);
        if (status == INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }

    sameRip = o->Original.Present && o->Return.Present && o->Original.Rip == o->Return.Rip;

    if (h != INTRO_EXC_NO_NAME)
    {
        origs[0] = h;
        IgIndexBegin(&cur, &Ev->Set->Index, (IG_LIST_ID)(IgListKernelBuckets + IG_BUCKET(h)), origs, 1, victim);
        while (IgIndexNext(&cur, &idx))
        {
            const IG_EXCEPTION *e = &set->Exceptions[idx];

            if (e->Originator != h || (!sameRip && (e->Flags & (IG_FLG_KM_RETURN_DRV | IG_FLG_RETURN))))
            {
                continue;
            }
            status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL, &file);
            if (status == INT_STATUS_EXCEPTION_ALLOW)
            {
                return status;
            }
        }
    }

    if (!sameRip && r != INTRO_EXC_NO_NAME)
    {
        origs[0] = r;
        IgIndexBegin(&cur, &Ev->Set->Index, (IG_LIST_ID)(IgListKernelBuckets + IG_BUCKET(r)), origs, 1, victim);
        while (IgIndexNext(&cur, &idx))
        {
            const IG_EXCEPTION *e = &set->Exceptions[idx];

            if (e->Originator != r ||
                (e->Flags & (IG_FLG_KM_RETURN_DRV | IG_FLG_RETURN)) != (IG_FLG_KM_RETURN_DRV | IG_FLG_RETURN))
            {
                continue;
            }
            status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL, &file);
            if (status == INT_STATUS_EXCEPTION_ALLOW)
            {
                return status;
            }
        }
    }

    /* Feedback list: any originator, file order, hvmi's selection rule. */
    origs[0] = IG_NAME_ANY;
    origs[1] = IG_NAME_NONE;
    origs[2] = h;
    origs[3] = r;
    IgIndexBegin(&cur, &Ev->Set->Index, IgListKernelFeedback, origs, 4, victim);
    while (IgIndexNext(&cur, &idx))
    {
        const IG_EXCEPTION *e = &set->Exceptions[idx];

        if (e->Originator != IG_NAME_ANY && !(h == INTRO_EXC_NO_NAME && e->Originator == IG_NAME_NONE))
        {
            if ((e->Flags & IG_FLG_RETURN) ? e->Originator != r : e->Originator != h)
            {
                continue;
            }
        }
        status = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL, &file);
        if (status == INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }
    return status;
}

/* ---- the user search -----------------------------------------------------------------------------------------------
 */

static bool IgIsGlobChar(signed char C)
{
    return C == '*' || C == '?' || C == '[' || C == ']' || C == '/';
}

static INTSTATUS IgTryAlertList(IG_EXC_EVAL *Ev, const IG_EXC_ALERT_LIST *List, uint32_t Hash, bool NoNameRule,
                                INTSTATUS *Last)
{
    for (uint32_t i = 0; List && i < List->Count; i++)
    {
        const IG_EXCEPTION *e = &List->Items[i];
        IG_EXC_ORIGIN origin = {INTRO_EXC_SOURCE_ALERT, Ev->Alerts->SigIds, List->Contexts ? List->Contexts[i] : 0};

        IG_ASSERT(i == 0 || List->Items[i - 1].Originator <= e->Originator); /* the early stop below needs it */

        if (e->Originator != INTRO_EXC_NAME_ANY &&
            !(NoNameRule && Hash == INTRO_EXC_NO_NAME && e->Originator == IG_NAME_NONE))
        {
            if (e->Originator > Hash)
            {
                break;
            }
            if (e->Originator != Hash)
            {
                continue;
            }
        }
        *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_USER, &origin);
        if (*Last == INT_STATUS_EXCEPTION_ALLOW)
        {
            return *Last;
        }
    }
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

/* Tries the candidates of one indexed list; Filter (may be NULL) applies hvmi's per-list selection rule. */
typedef bool (*IG_USER_FILTER)(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E);

static INTSTATUS IgTryIndexed(IG_EXC_EVAL *Ev, IG_LIST_ID List, const uint32_t *Origs, uint32_t OrigCount,
                              IG_USER_FILTER Filter, INTSTATUS *Last)
{
    const IG_RULESET *set = Ev->Set;
    const IG_EXC_ORIGIN file = {INTRO_EXC_SOURCE_FILE, set->SigIds, 0};
    IG_INDEX_CURSOR cur;
    uint32_t idx;

    IgIndexBegin(&cur, &Ev->Set->Index, List, Origs, OrigCount, Ev->Vio->Victim.NameHash);
    while (IgIndexNext(&cur, &idx))
    {
        const IG_EXCEPTION *e = &set->Exceptions[idx];

        if (Filter && !Filter(Ev, e))
        {
            continue;
        }
        *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_USER, &file);
        if (*Last == INT_STATUS_EXCEPTION_ALLOW)
        {
            return *Last;
        }
    }
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

/* Bucket and list rules; the index already guarantees the originator, an exhaustive walk does not. */
static bool IgNamedFilter(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E)
{
    return E->Originator == Ev->Vio->User.NameHash && !(E->Flags & IG_FLG_RETURN);
}

static bool IgReturnFilter(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E)
{
    return E->Originator == Ev->Vio->User.Return.NameHash && (E->Flags & IG_FLG_RETURN) != 0;
}

static bool IgCreationFilter(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E)
{
    return E->Originator == INTRO_EXC_NAME_ANY || E->Originator == Ev->Vio->User.NameHash;
}

static bool IgFeedbackFilter(const IG_EXC_EVAL *Ev, const IG_EXCEPTION *E)
{
    const INTRO_EXC_UM_ORIGINATOR *o = &Ev->Vio->User;

    if (E->Originator == INTRO_EXC_NAME_ANY || (o->NameHash == INTRO_EXC_NO_NAME && E->Originator == IG_NAME_NONE))
    {
        return true;
    }
    return (E->Flags & IG_FLG_RETURN) ? E->Originator == o->Return.NameHash : E->Originator == o->NameHash;
}

INTSTATUS IgExceptSearchUser(IG_EXC_EVAL *Ev)
{
    const INTRO_EXC_UM_ORIGINATOR *o = &Ev->Vio->User;
    const IG_RULESET *set = Ev->Set;
    uint32_t h = o->NameHash;
    uint32_t r = o->Return.NameHash;
    INTSTATUS status = INT_STATUS_EXCEPTION_NOT_MATCHED;
    uint32_t origs[4];

    if (IgSameValue(&Ev->Vio->Victim))
    {
        Ev->Action = INTRO_EXC_ACTION_ALLOWED;
        Ev->Reason = INTRO_EXC_REASON_SAME_VALUE;
        return INT_STATUS_EXCEPTION_ALLOW;
    }

    if (Ev->Alerts && IgTryAlertList(Ev, &Ev->Alerts->User, h, true, &status) == INT_STATUS_EXCEPTION_ALLOW)
    {
        return status;
    }

    if (Ev->Vio->Victim.ObjectType == INTRO_EXC_OBJ_PROCESS_CREATION)
    {
        if (Ev->Alerts &&
            IgTryAlertList(Ev, &Ev->Alerts->ProcessCreation, h, false, &status) == INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
        origs[0] = IG_NAME_ANY;
        origs[1] = h;
        if (IgTryIndexed(Ev, IgListProcessCreation, origs, 2, IgCreationFilter, &status) == INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }

    /* Generic or no-name list (hvmi's move-to-front on a hit is not reproduced: see docs/compat.md). */
    origs[0] = h == INTRO_EXC_NO_NAME ? IG_NAME_NONE : IG_NAME_ANY;
    if (IgTryIndexed(Ev, h == INTRO_EXC_NO_NAME ? IgListUserNoName : IgListUserGeneric, origs, 1, NULL, &status) ==
        INT_STATUS_EXCEPTION_ALLOW)
    {
        return status;
    }

    /* Glob list, file order, with hvmi's signed first-character prefilter. */
    if (o->Name.Text)
    {
        const IG_RANGE *list = &set->Lists[IgListUserGlob];
        const IG_EXC_ORIGIN file = {INTRO_EXC_SOURCE_FILE, set->SigIds, 0};
        signed char n = o->Name.Length ? (signed char)o->Name.Text[0] : 0;

        for (uint32_t i = 0; i < list->Count; i++)
        {
            const IG_EXCEPTION *e = &set->Exceptions[set->ListItems[list->First + i]];
            const char *pattern = set->GlobText + set->Globs[e->Glob].Originator;
            signed char g = (signed char)pattern[0];

            if (!IgIsGlobChar(g))
            {
                if (n < g)
                {
                    break;
                }
                if (n != g)
                {
                    continue;
                }
            }
            if (!IgGlobMatch(pattern, o->Name.Text, o->Name.Length))
            {
                continue;
            }
            status = IgExceptTry(Ev, e, INTRO_EXC_KIND_USER_GLOB, &file);
            if (status == INT_STATUS_EXCEPTION_ALLOW)
            {
                return status;
            }
        }
    }

    if (h != INTRO_EXC_NO_NAME)
    {
        origs[0] = h;
        if (IgTryIndexed(Ev, (IG_LIST_ID)(IgListUserBuckets + IG_BUCKET(h)), origs, 1, IgNamedFilter, &status) ==
            INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }

    if (!(o->Library && o->Return.Library && o->Rip == o->Return.Rip))
    {
        /* No guard on an unset (0) or NONE return hash, as in hvmi (spec §6.28). */
        origs[0] = r;
        if (IgTryIndexed(Ev, (IG_LIST_ID)(IgListUserBuckets + IG_BUCKET(r)), origs, 1, IgReturnFilter, &status) ==
            INT_STATUS_EXCEPTION_ALLOW)
        {
            return status;
        }
    }

    origs[0] = IG_NAME_ANY;
    origs[1] = IG_NAME_NONE;
    origs[2] = h;
    origs[3] = r;
    if (IgTryIndexed(Ev, IgListUserFeedback, origs, 4, IgFeedbackFilter, &status) == INT_STATUS_EXCEPTION_ALLOW)
    {
        return status;
    }
    /* Scanned for every user violation; the type check rejects the others (spec §6.29). */
    if (IgTryIndexed(Ev, IgListProcessCreationFeedback, origs, 4, IgFeedbackFilter, &status) ==
        INT_STATUS_EXCEPTION_ALLOW)
    {
        return status;
    }
    return status;
}

/* ---- the kernel-user search --------------------------------------------------------------------------------- */

/* What the kernel-user search keys its lists by (spec §2.5 step 2). */
typedef struct IG_KUM_KEYS
{
    bool User;       /* the kernel half of a user-mode injection */
    bool Unnamed;    /* not User and no original driver: the no-name list and `-` exceptions */
    uint32_t Hash;   /* lookup hash: the injecting process, the return driver or the original one */
    uint32_t Named;  /* the originator a non-return exception must name in the feedback list */
    uint32_t Return; /* the return driver */
    bool SameRip;
} IG_KUM_KEYS;

/* Step 3: the kernel-user alert list, ascending by originator. */
static INTSTATUS IgSearchKernelUserAlerts(IG_EXC_EVAL *Ev, const IG_KUM_KEYS *K, INTSTATUS *Last)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Ev->Vio->Kernel;
    const IG_EXC_ALERT_LIST *alerts = Ev->Alerts ? &Ev->Alerts->KernelUser : NULL;

    for (uint32_t i = 0; alerts && i < alerts->Count; i++)
    {
        const IG_EXCEPTION *e = &alerts->Items[i];
        IG_EXC_ORIGIN origin = {INTRO_EXC_SOURCE_ALERT, Ev->Alerts->SigIds, alerts->Contexts ? alerts->Contexts[i] : 0};

        IG_ASSERT(i == 0 || alerts->Items[i - 1].Originator <= e->Originator); /* the early stop below needs it */

        if (IgExceptKumMismatched(o, e->Flags))
        {
            continue;
        }
        if (e->Originator != INTRO_EXC_NAME_ANY && !(K->Unnamed && e->Originator == IG_NAME_NONE))
        {
            if (e->Originator > K->Hash)
            {
                break;
            }
            if (e->Originator != K->Hash)
            {
                continue;
            }
        }
        *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &origin);
        if (*Last == INT_STATUS_EXCEPTION_ALLOW)
        {
            return *Last;
        }
    }
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

/* Steps 5-8: the generic or no-name list, the lookup bucket and the return bucket. */
static INTSTATUS IgSearchKernelUserLists(IG_EXC_EVAL *Ev, const IG_KUM_KEYS *K, INTSTATUS *Last)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Ev->Vio->Kernel;
    const IG_RULESET *set = Ev->Set;
    const IG_EXC_ORIGIN file = {INTRO_EXC_SOURCE_FILE, set->SigIds, 0};
    uint32_t victim = Ev->Vio->Victim.NameHash;
    IG_INDEX_CURSOR cur;
    uint32_t origs[1];
    uint32_t idx;

    origs[0] = K->Unnamed ? IG_NAME_NONE : IG_NAME_ANY;
    IgIndexBegin(&cur, &set->Index, K->Unnamed ? IgListKernelUserNoName : IgListKernelUserGeneric, origs, 1, victim);
    while (IgIndexNext(&cur, &idx))
    {
        *Last = IgExceptTry(Ev, &set->Exceptions[idx], INTRO_EXC_KIND_KERNEL_USER, &file);
        if (*Last == INT_STATUS_EXCEPTION_ALLOW)
        {
            return *Last;
        }
    }

    if (K->Hash != INTRO_EXC_NO_NAME)
    {
        origs[0] = K->Hash;
        IgIndexBegin(&cur, &set->Index, (IG_LIST_ID)(IgListKernelUserBuckets + IG_BUCKET(K->Hash)), origs, 1, victim);
        while (IgIndexNext(&cur, &idx))
        {
            const IG_EXCEPTION *e = &set->Exceptions[idx];

            if (e->Originator != K->Hash || IgExceptKumMismatched(o, e->Flags))
            {
                continue;
            }
            if ((e->Flags & IG_FLG_KUM_KERNEL) && (e->Flags & IG_FLG_KM_RETURN_DRV) && !K->SameRip)
            {
                continue;
            }
            if ((e->Flags & IG_FLG_RETURN) && !K->SameRip)
            {
                continue;
            }
            *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &file);
            if (*Last == INT_STATUS_EXCEPTION_ALLOW)
            {
                return *Last;
            }
        }
    }

    if (!K->SameRip && !K->User && K->Return != INTRO_EXC_NO_NAME)
    {
        origs[0] = K->Return;
        IgIndexBegin(&cur, &set->Index, (IG_LIST_ID)(IgListKernelUserBuckets + IG_BUCKET(K->Return)), origs, 1, victim);
        while (IgIndexNext(&cur, &idx))
        {
            const IG_EXCEPTION *e = &set->Exceptions[idx];

            if (e->Originator != K->Return || (e->Flags & IG_FLG_KUM_USER) || !(e->Flags & IG_FLG_KM_RETURN_DRV) ||
                !(e->Flags & IG_FLG_RETURN))
            {
                continue;
            }
            *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &file);
            if (*Last == INT_STATUS_EXCEPTION_ALLOW)
            {
                return *Last;
            }
        }
    }
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

/*
 * Step 9: the feedback list.  For user injections a RETURN exception skips the name test entirely
 * (spec §6.17), so any originator can be selected: walk the whole list then.
 */
static INTSTATUS IgSearchKernelUserFeedback(IG_EXC_EVAL *Ev, const IG_KUM_KEYS *K, INTSTATUS *Last)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Ev->Vio->Kernel;
    const IG_RULESET *set = Ev->Set;
    const IG_EXC_ORIGIN file = {INTRO_EXC_SOURCE_FILE, set->SigIds, 0};
    const IG_RANGE *list = &set->Lists[IgListKernelUserFeedback];
    const uint32_t origs[4] = {IG_NAME_ANY, IG_NAME_NONE, K->Named, K->Return};
    IG_INDEX_CURSOR cur;
    uint32_t pos = 0;
    uint32_t idx;

    IgIndexBegin(&cur, &set->Index, IgListKernelUserFeedback, origs, 4, Ev->Vio->Victim.NameHash);
    for (;;)
    {
        const IG_EXCEPTION *e;

        if (K->User)
        {
            if (pos >= list->Count)
            {
                break;
            }
            idx = set->ListItems[list->First + pos++];
        }
        else if (!IgIndexNext(&cur, &idx))
        {
            break;
        }
        e = &set->Exceptions[idx];
        if (IgExceptKumMismatched(o, e->Flags))
        {
            continue;
        }
        if (e->Originator != INTRO_EXC_NAME_ANY && !(K->Unnamed && e->Originator == IG_NAME_NONE))
        {
            if ((e->Flags & IG_FLG_RETURN) ? (!K->User && e->Originator != K->Return) : e->Originator != K->Named)
            {
                continue;
            }
        }
        *Last = IgExceptTry(Ev, e, INTRO_EXC_KIND_KERNEL_USER, &file);
        if (*Last == INT_STATUS_EXCEPTION_ALLOW)
        {
            return *Last;
        }
    }
    return INT_STATUS_EXCEPTION_NOT_MATCHED;
}

INTSTATUS IgExceptSearchKernelUser(IG_EXC_EVAL *Ev)
{
    const INTRO_EXC_KM_ORIGINATOR *o = &Ev->Vio->Kernel;
    INTSTATUS status = INT_STATUS_EXCEPTION_NOT_MATCHED;
    IG_KUM_KEYS k;

    if (IgSameValue(&Ev->Vio->Victim))
    {
        Ev->Action = INTRO_EXC_ACTION_ALLOWED;
        Ev->Reason = INTRO_EXC_REASON_SAME_VALUE;
        return INT_STATUS_EXCEPTION_ALLOW;
    }

    k.User = o->InjectionUser;
    k.Unnamed = !k.User && o->Original.NameHash == INTRO_EXC_NO_NAME;
    k.Return = o->Return.NameHash;
    k.Named = k.User ? o->Process.NameHash : o->Original.NameHash;
    if (k.User)
    {
        if (Ev->Vio->Guest.Os != INTRO_EXC_OS_WINDOWS && Ev->Vio->Guest.Os != INTRO_EXC_OS_LINUX)
        {
            return INT_STATUS_NOT_SUPPORTED;
        }
        k.Hash = o->Process.NameHash;
    }
    else
    {
        k.Hash = o->InjectionKernel ? k.Return : o->Original.NameHash;
    }
    k.SameRip = o->InjectionKernel && o->Original.Present && o->Return.Present && o->Original.Rip == o->Return.Rip;

    if (IgSearchKernelUserAlerts(Ev, &k, &status) != INT_STATUS_EXCEPTION_ALLOW &&
        IgSearchKernelUserLists(Ev, &k, &status) != INT_STATUS_EXCEPTION_ALLOW)
    {
        (void)IgSearchKernelUserFeedback(Ev, &k, &status);
    }
    return status; /* the last exception's status, as hvmi returns it */
}
