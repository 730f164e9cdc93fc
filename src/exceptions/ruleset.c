/*
 * The rule set once built: its indexes (hvmi's lists and the signature ID index), lookups, and
 * its lifetime (reference counts and the per-guest slot).  Building it from a file is in
 * ruleset_load.c.
 */
#include "ruleset_index.h"
#include "ruleset_int.h"

#include <string.h>

#include "../common/invariant.h"

IG_SIG_KIND IgSigKindFromType(uint32_t TypeCode)
{
    switch (TypeCode)
    {
        case IgSigTypeVersionOs:
            return IgSigVersionOs;
        case IgSigTypeVersionIntro:
            return IgSigVersionIntro;
        case IgSigTypeProcessCreation:
            return IgSigProcessCreation;
        case IgSigTypeExport:
            return IgSigExport;
        case IgSigTypeValue:
            return IgSigValue;
        case IgSigTypeIdt:
            return IgSigIdt;
        case IgSigTypeValueCode:
            return IgSigValueCode;
        case IgSigTypeCodeBlocks:
            return IgSigCodeBlocks;
        default:
            return IgSigKindCount;
    }
}

typedef uint32_t (*IG_SORT_KEY)(const IG_RULESET *Set, uint32_t Item);

static uint32_t IgKeyOriginator(const IG_RULESET *Set, uint32_t Item)
{
    return Set->Exceptions[Item].Originator;
}

static uint32_t IgKeySignatureId(const IG_RULESET *Set, uint32_t Item)
{
    return Set->Signatures[Item].Id;
}

/* Room for Count items in the scratch (allocated the first time, for the largest sort a load can need). */
static uint32_t *IgScratchFor(const IG_RULESET *Set, IG_SCRATCH *Scratch)
{
    size_t count = Set->ExceptionCount > Set->SignatureCount ? Set->ExceptionCount : Set->SignatureCount;
    INTSTATUS status;

    if (!Scratch->Items)
    {
        Scratch->Wanted = count * sizeof(uint32_t);
        status = Scratch->Allocator->Alloc(Scratch->Allocator->Context, (void **)&Scratch->Items, Scratch->Wanted,
                                           IG_TAG_RULESET);
        if (!INT_SUCCESS(status))
        {
            Scratch->Items = NULL;
        }
    }
    return Scratch->Items;
}

/* Stable bottom-up merge sort of Items by Key, using Scratch (Count elements). */
static void IgStableSort(const IG_RULESET *Set, uint32_t *Items, uint32_t Count, uint32_t *Scratch, IG_SORT_KEY Key)
{
    uint32_t *src = Items;
    uint32_t *dst = Scratch;

    for (uint32_t width = 1; width < Count; width *= 2)
    {
        for (uint32_t lo = 0; lo < Count; lo += 2 * width)
        {
            uint32_t mid = lo + width < Count ? lo + width : Count;
            uint32_t hi = mid + width < Count ? mid + width : Count;
            uint32_t a = lo, b = mid, out = lo;

            while (a < mid && b < hi)
            {
                dst[out++] = Key(Set, src[b]) < Key(Set, src[a]) ? src[b++] : src[a++];
            }
            while (a < mid)
            {
                dst[out++] = src[a++];
            }
            while (b < hi)
            {
                dst[out++] = src[b++];
            }
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != Items)
    {
        memcpy(Items, src, (size_t)Count * sizeof(*Items));
    }
}

static bool IgListIsSortedByOriginator(uint32_t List)
{
    return (List >= IgListKernelBuckets && List < IgListKernelBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListUserBuckets && List < IgListUserBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListKernelUserBuckets && List < IgListKernelUserBuckets + IG_BUCKET_COUNT) ||
           List == IgListProcessCreation;
}

/* Counting sort of the exceptions into their lists, file order kept inside each list. */
/*
 * Counting sort of the exceptions into their lists, file order kept inside each list, noting
 * on the way which lists are not in ascending originator order.
 */
static INTSTATUS IgBuildLists(IG_RULESET *Set, const uint8_t *ListOf, IG_SCRATCH *Scratch)
{
    _Static_assert(IgListCount <= 64, "the unsorted-list mask below is 64 bits");
    uint32_t next[IgListCount] = {0};
    uint32_t last[IgListCount] = {0}; /* last originator placed in each list */
    uint32_t first = 0;
    uint32_t run = 0;
    uint32_t pos;
    uint32_t prev;
    uint64_t unsorted = 0;
    uint8_t cur;

    /* Consecutive exceptions mostly share a list (the compiler sorts them), so count and place
     * them by runs: per-element counters in memory would serialise on store-to-load
     * forwarding, and the per-list state is only touched when a run ends. */
    cur = Set->ExceptionCount ? ListOf[0] : 0;
    for (uint32_t i = 0; i < Set->ExceptionCount; i++)
    {
        if (ListOf[i] != cur)
        {
            Set->Lists[cur].Count += run;
            cur = ListOf[i];
            run = 0;
        }
        run++;
    }
    Set->Lists[cur].Count += run;

    for (uint32_t l = 0; l < IgListCount; l++)
    {
        Set->Lists[l].First = first;
        next[l] = first;
        first += Set->Lists[l].Count;
    }

    cur = Set->ExceptionCount ? ListOf[0] : 0;
    pos = next[cur];
    prev = 0;
    for (uint32_t i = 0; i < Set->ExceptionCount; i++)
    {
        uint32_t originator = Set->Exceptions[i].Originator;

        if (ListOf[i] != cur)
        {
            next[cur] = pos;
            last[cur] = prev;
            cur = ListOf[i];
            pos = next[cur];
            prev = last[cur];
        }
        unsorted |= (uint64_t)(originator < prev) << cur;
        prev = originator;
        Set->ListItems[pos++] = i;
    }

    /* The matchers rely on ascending originators in the bucket and process-creation lists (they
     * stop at a greater one).  hvmi's compiler writes them sorted; a hand-made file may not, and we
     * sort rather than silently lose the exceptions that follow a greater hash (docs/compat.md). */
    for (uint32_t l = 0; l < IgListCount; l++)
    {
        if (IgListIsSortedByOriginator(l) && ((unsorted >> l) & 1u))
        {
            uint32_t *scratch = IgScratchFor(Set, Scratch);

            if (!scratch)
            {
                return INT_STATUS_INSUFFICIENT_RESOURCES;
            }
            IgStableSort(Set, Set->ListItems + Set->Lists[l].First, Set->Lists[l].Count, scratch, IgKeyOriginator);
            Set->Stats.UnsortedBuckets++;
        }
    }
    return INT_STATUS_SUCCESS;
}

/* The ID index: signatures whose ID type agrees with their record kind, sorted by ID. */
static INTSTATUS IgBuildSignatureIndex(IG_RULESET *Set, IG_SCRATCH *Scratch)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < Set->SignatureCount; i++)
    {
        const IG_SIGNATURE *sig = &Set->Signatures[i];

        if (IgSigKindFromType(IG_SIG_ID_TYPE(sig->Id)) == sig->Kind)
        {
            Set->SigById[n++] = i;
        }
        else
        {
            /* hvmi searches the list named by the ID's type bits, so such a signature is
             * never found. */
            Set->Stats.SigTypeMismatches++;
        }
    }
    Set->SigByIdCount = n;
    for (uint32_t i = 1; i < n; i++)
    {
        if (Set->Signatures[Set->SigById[i - 1]].Id > Set->Signatures[Set->SigById[i]].Id)
        {
            uint32_t *scratch = IgScratchFor(Set, Scratch);

            if (!scratch)
            {
                return INT_STATUS_INSUFFICIENT_RESOURCES;
            }
            IgStableSort(Set, Set->SigById, n, scratch, IgKeySignatureId);
            break;
        }
    }

    for (uint32_t i = 1; i < n; i++)
    {
        if (Set->Signatures[Set->SigById[i]].Id == Set->Signatures[Set->SigById[i - 1]].Id)
        {
            Set->Stats.DuplicateSigIds++;
        }
    }

    /* The direct index: the last entry has the highest ID, not necessarily the highest sequence
     * number, so look at all of them. */
    {
        uint32_t capacity = IG_SEQ_INDEX_CAPACITY(Set->SignatureCount);
        uint32_t maxSeq = 0;

        for (uint32_t i = 0; i < n; i++)
        {
            uint32_t seq = IG_SIG_ID_VALUE(Set->Signatures[Set->SigById[i]].Id);
            maxSeq = seq > maxSeq ? seq : maxSeq;
        }
        Set->SeqIndexCount = n && maxSeq < capacity ? maxSeq + 1 : 0;
        for (uint32_t s = 0; s < Set->SeqIndexCount; s++)
        {
            Set->SeqIndex[s] = IG_NO_INDEX;
        }
        /* In (ID, file order) order, so the first signature of a duplicated ID takes the slot. */
        for (uint32_t i = 0; i < n && Set->SeqIndexCount; i++)
        {
            uint32_t *slot = &Set->SeqIndex[IG_SIG_ID_VALUE(Set->Signatures[Set->SigById[i]].Id)];
            *slot = *slot == IG_NO_INDEX ? Set->SigById[i] : *slot;
        }
    }

    for (uint32_t i = 0; i < Set->SigIdCount; i++)
    {
        if (!IgRuleSetFindSignature(Set, Set->SigIds[i]))
        {
            Set->Stats.DanglingSigRefs++;
        }
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgRuleSetBuildIndexes(IG_RULESET *Set, const uint8_t *ListOf, IG_SCRATCH *Scratch)
{
    INTSTATUS status = IgBuildLists(Set, ListOf, Scratch);

    return INT_SUCCESS(status) ? IgBuildSignatureIndex(Set, Scratch) : status;
}

const IG_SIGNATURE *IgRuleSetFindSignature(const IG_RULESET *RuleSet, uint32_t Id)
{
    uint32_t lo = 0;
    uint32_t hi = RuleSet->SigByIdCount;
    uint32_t seq = IG_SIG_ID_VALUE(Id);

    if (RuleSet->SeqIndexCount)
    {
        uint32_t at = seq < RuleSet->SeqIndexCount ? RuleSet->SeqIndex[seq] : IG_NO_INDEX;

        if (at == IG_NO_INDEX)
        {
            return NULL; /* no indexed signature has this sequence number */
        }
        if (RuleSet->Signatures[at].Id == Id)
        {
            return &RuleSet->Signatures[at];
        }
        /* Another type shares the number (not from a compiler): search. */
    }

    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo) / 2;

        if (RuleSet->Signatures[RuleSet->SigById[mid]].Id < Id)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    if (lo < RuleSet->SigByIdCount && RuleSet->Signatures[RuleSet->SigById[lo]].Id == Id)
    {
        return &RuleSet->Signatures[RuleSet->SigById[lo]];
    }
    return NULL;
}

void IgRuleSetRetain(IG_RULESET *RuleSet)
{
    unsigned before = atomic_fetch_add_explicit(&RuleSet->RefCount, 1, memory_order_relaxed);

    IG_ASSERT(before >= 1); /* only a holder of a reference may take another */
}

void IgRuleSetRelease(IG_RULESET *RuleSet)
{
    unsigned before;

    if (!RuleSet)
    {
        return;
    }
    before = atomic_fetch_sub_explicit(&RuleSet->RefCount, 1, memory_order_acq_rel);
    IG_ASSERT(before >= 1); /* a release without a reference: a double free in the making */
    if (before == 1)
    {
        IgRuleSetFree(RuleSet);
    }
}

void IgRuleSetFree(IG_RULESET *RuleSet)
{
    IG_ALLOCATOR allocator = RuleSet->Allocator; /* the set holds its own allocator: copy it out first */
    void *exceptions = RuleSet->Exceptions;

    IgRuleSetIndexFree(RuleSet);
    allocator.Free(allocator.Context, &exceptions, IG_TAG_RULESET);
    allocator.Free(allocator.Context, (void **)&RuleSet, IG_TAG_RULESET);
}

void IgRuleSetSlotInit(IG_RULESET_SLOT *Slot)
{
    atomic_flag_clear(&Slot->Lock);
    Slot->Current = NULL;
}

static void IgSlotLock(IG_RULESET_SLOT *Slot)
{
    while (atomic_flag_test_and_set_explicit(&Slot->Lock, memory_order_acquire))
    {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}

static void IgSlotUnlock(IG_RULESET_SLOT *Slot)
{
    atomic_flag_clear_explicit(&Slot->Lock, memory_order_release);
}

IG_RULESET *IgRuleSetSlotAcquire(IG_RULESET_SLOT *Slot)
{
    IG_RULESET *set;

    IgSlotLock(Slot);
    set = Slot->Current;
    if (set)
    {
        /* The slot's own reference keeps a published set alive while the lock is held. */
        IgRuleSetRetain(set);
    }
    IgSlotUnlock(Slot);
    return set;
}

void IgRuleSetSlotPublish(IG_RULESET_SLOT *Slot, IG_RULESET *New)
{
    IG_RULESET *old;

    /* The slot takes over the caller's reference: the set must be alive and not already there
     * (publishing the set in force again would drop the slot's reference with the caller's). */
    IG_ASSERT(!New || atomic_load_explicit(&New->RefCount, memory_order_relaxed) >= 1);
    IgSlotLock(Slot);
    old = Slot->Current;
    IG_ASSERT(!New || New != old);
    Slot->Current = New;
    IgSlotUnlock(Slot);
    IgRuleSetRelease(old);
}
