/*
 * What a built rule set promises its readers, checked: the sanitizer build asserts it after every
 * load, and the loader tests check it on every set they load.  The routing below is written again
 * from the rules (spec/exceptions-binary-format.md §6.1), independently of the loader's fast path,
 * so that a slip in either shows.
 */
#include "ruleset_index.h"
#include "ruleset_int.h"

static bool IgRangeInside(uint32_t First, uint32_t Count, uint32_t Total)
{
    return First <= Total && Count <= Total - First;
}

/* The list an exception belongs in, from its own fields. */
static uint32_t IgListOfException(const IG_EXCEPTION *E)
{
    uint32_t generic, noName, feedback, buckets;

    switch (E->Kind)
    {
        case IgRecKernel:
            generic = IgListKernelGeneric, noName = IgListKernelNoName, feedback = IgListKernelFeedback;
            buckets = IgListKernelBuckets;
            break;
        case IgRecUser:
        case IgRecUserApc:
            if (E->ObjectType == IG_UM_OBJ_PROCESS_CREATION)
            {
                return (E->Flags & IG_EXC_FLG_FEEDBACK) ? IgListProcessCreationFeedback : IgListProcessCreation;
            }
            generic = IgListUserGeneric, noName = IgListUserNoName, feedback = IgListUserFeedback;
            buckets = IgListUserBuckets;
            break;
        case IgRecKernelUser:
            generic = IgListKernelUserGeneric, noName = IgListKernelUserNoName, feedback = IgListKernelUserFeedback;
            buckets = IgListKernelUserBuckets;
            break;
        case IgRecUserGlob:
            return IgListUserGlob;
        default:
            return IgListCount;
    }
    if (E->Flags & IG_EXC_FLG_FEEDBACK)
    {
        return feedback;
    }
    if (E->Originator == IG_NAME_ANY)
    {
        return generic;
    }
    return E->Originator == IG_NAME_NONE ? noName : buckets + IG_BUCKET(E->Originator);
}

static bool IgListSortedByOriginator(uint32_t List)
{
    return (List >= IgListKernelBuckets && List < IgListKernelBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListUserBuckets && List < IgListUserBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListKernelUserBuckets && List < IgListKernelUserBuckets + IG_BUCKET_COUNT) ||
           List == IgListProcessCreation;
}

/*
 * The lists partition the exceptions: consecutive ranges covering ListItems, every item in the list
 * its fields route it to, file order inside a list, ascending (originator, file order) in the
 * bucket and process-creation lists.  With each exception routed to one list and no repeats inside
 * a list, covering ExceptionCount items means each exception is listed exactly once.
 */
static bool IgListsConsistent(const IG_RULESET *Set)
{
    uint32_t next = 0;

    for (uint32_t l = 0; l < IgListCount; l++)
    {
        const IG_RANGE *list = &Set->Lists[l];

        if (list->First != next || !IgRangeInside(list->First, list->Count, Set->ExceptionCount))
        {
            return false;
        }
        next += list->Count;
        for (uint32_t p = 0; p < list->Count; p++)
        {
            uint32_t idx = Set->ListItems[list->First + p];
            const IG_EXCEPTION *e;

            if (idx >= Set->ExceptionCount)
            {
                return false;
            }
            e = &Set->Exceptions[idx];
            if (IgListOfException(e) != l || !IgRangeInside(e->SigFirst, e->SigCount, Set->SigIdCount) ||
                ((e->Glob != IG_NO_INDEX) != (l == IgListUserGlob)) ||
                (e->Glob != IG_NO_INDEX && e->Glob >= Set->GlobCount))
            {
                return false;
            }
            if (p > 0)
            {
                uint32_t prev = Set->ListItems[list->First + p - 1];
                uint32_t prevOriginator = Set->Exceptions[prev].Originator;
                bool sortedByName = IgListSortedByOriginator(l);

                if (sortedByName && prevOriginator > e->Originator)
                {
                    return false;
                }
                if ((!sortedByName || prevOriginator == e->Originator) && prev >= idx)
                {
                    return false;
                }
            }
        }
    }
    return next == Set->ExceptionCount;
}

/* A signature's payload lies inside the pools of the set. */
static bool IgPayloadInside(const IG_RULESET *Set, const IG_SIGNATURE *Sig)
{
    switch (Sig->Kind)
    {
        case IgSigCodeBlocks:
            if (!IgRangeInside(Sig->First, Sig->Count, Set->CbListCount))
            {
                return false;
            }
            for (uint32_t i = 0; i < Sig->Count; i++)
            {
                const IG_CB_LIST *list = &Set->CbLists[Sig->First + i];

                if (!IgRangeInside(list->First, list->Count, Set->CbHashCount))
                {
                    return false;
                }
            }
            return true;
        case IgSigExport:
            return IgRangeInside(Sig->First, Sig->Count, Set->ExportEntryCount);
        case IgSigValue:
            return IgRangeInside(Sig->First, Sig->Count, Set->ValueEntryCount);
        case IgSigValueCode:
            return IgRangeInside(Sig->First, Sig->Count, Set->PatternCount);
        default:
            return Sig->Kind < IgSigKindCount;
    }
}

/* Signatures grouped by kind; SigById sorted by (ID, file order); SeqIndex entries point at their number. */
static bool IgSignaturesConsistent(const IG_RULESET *Set)
{
    uint32_t next = 0;

    for (uint32_t k = 0; k < IgSigKindCount; k++)
    {
        if (Set->SigKinds[k].First != next)
        {
            return false;
        }
        for (uint32_t i = 0; i < Set->SigKinds[k].Count; i++)
        {
            const IG_SIGNATURE *sig = &Set->Signatures[next + i];

            if (next + i >= Set->SignatureCount || sig->Kind != k || !IgPayloadInside(Set, sig))
            {
                return false;
            }
        }
        next += Set->SigKinds[k].Count;
    }
    if (next != Set->SignatureCount || Set->SigByIdCount > Set->SignatureCount)
    {
        return false;
    }
    for (uint32_t i = 0; i < Set->SigByIdCount; i++)
    {
        uint32_t at = Set->SigById[i];

        if (at >= Set->SignatureCount)
        {
            return false;
        }
        if (i > 0)
        {
            uint32_t prev = Set->SigById[i - 1];

            if (Set->Signatures[prev].Id > Set->Signatures[at].Id ||
                (Set->Signatures[prev].Id == Set->Signatures[at].Id && prev >= at))
            {
                return false;
            }
        }
    }
    for (uint32_t s = 0; s < Set->SeqIndexCount; s++)
    {
        uint32_t at = Set->SeqIndex[s];

        if (at != IG_NO_INDEX && (at >= Set->SignatureCount || IG_SIG_ID_VALUE(Set->Signatures[at].Id) != s))
        {
            return false;
        }
    }
    return true;
}

bool IgRuleSetConsistent(const IG_RULESET *Set)
{
    return atomic_load_explicit(&Set->RefCount, memory_order_relaxed) >= 1 && IgListsConsistent(Set) &&
           IgSignaturesConsistent(Set) && IgRuleSetIndexConsistent(Set);
}
