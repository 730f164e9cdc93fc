/*
 * The search index of a rule set (see ruleset_index.h): building it, looking up, and checking it.
 */
#include "ruleset_index.h"

#include <string.h>

#include "../common/invariant.h"

/* A directory slot range longer than this is searched by halving rather than walked. */
#define IG_INDEX_LINEAR_MAX 8u

/* Which victim values match any victim name for the matcher that reads this list: `*`, and in
 * kernel lists `[own]`, which only the kernel matcher can decide (spec §3.1 step 5). */
static uint8_t IgListWildMax(uint32_t List)
{
    return List < IgListUserGeneric ? 1 : 0;
}

static bool IgListIsBucket(uint32_t List)
{
    return (List >= IgListKernelBuckets && List < IgListKernelBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListUserBuckets && List < IgListUserBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListKernelUserBuckets && List < IgListKernelUserBuckets + IG_BUCKET_COUNT);
}

/* Lists the load leaves ascending by originator: the sorted ones, and those with one originator. */
static bool IgListInOriginatorOrder(uint32_t List)
{
    return IgListIsBucket(List) || List == IgListProcessCreation || List == IgListKernelGeneric ||
           List == IgListKernelNoName || List == IgListUserGeneric || List == IgListUserNoName ||
           List == IgListKernelUserGeneric || List == IgListKernelUserNoName;
}

/* About two entries per slot: 2^bits is between a quarter and a half of Count (at least two slots). */
static uint8_t IgDirBits(uint32_t Count)
{
    uint32_t log2 = 31u - (uint32_t)__builtin_clz(Count);

    return (uint8_t)(log2 > 2 ? log2 - 1 : 1);
}

static inline uint32_t IgDirSlot(const IG_INDEX_LIST *L, uint32_t Originator)
{
    return (uint32_t)(Originator << L->DirSkip) >> (32u - L->DirBits);
}

static inline uint32_t IgVictimKey(uint32_t Victim, uint32_t WildMax)
{
    return Victim <= WildMax ? 0 : Victim;
}

/* ---- Building ---------------------------------------------------------------------------------------------------- */

/* About one entry per slot for a victim view: 2^bits between a half and all of Count. */
static uint32_t IgViewDirBits(uint32_t Count)
{
    return 31u - (uint32_t)__builtin_clz(Count);
}

static void IgSiftDown(uint64_t *A, uint32_t Root, uint32_t Count)
{
    uint64_t v = A[Root];

    for (;;)
    {
        uint32_t child = 2 * Root + 1;

        if (child >= Count)
        {
            break;
        }
        if (child + 1 < Count && A[child + 1] > A[child])
        {
            child++;
        }
        if (A[child] <= v)
        {
            break;
        }
        A[Root] = A[child];
        Root = child;
    }
    A[Root] = v;
}

/*
 * Sorts distinct keys in place (so any correct sort gives the one order): insertion for the short
 * views most groups have, heapsort otherwise, n log n whatever a hand-made file holds.
 */
static void IgSortU64(uint64_t *A, uint32_t Count)
{
    if (Count <= 32)
    {
        for (uint32_t i = 1; i < Count; i++)
        {
            uint64_t v = A[i];
            uint32_t j = i;

            while (j > 0 && A[j - 1] > v)
            {
                A[j] = A[j - 1];
                j--;
            }
            A[j] = v;
        }
        return;
    }
    for (uint32_t i = Count / 2; i-- > 0;)
    {
        IgSiftDown(A, i, Count);
    }
    for (uint32_t end = Count; end > 1; end--)
    {
        uint64_t top = A[0];

        A[0] = A[end - 1];
        A[end - 1] = top;
        IgSiftDown(A, 0, end - 1);
    }
}

/* Whether a list is ascending by originator as it stands. */
static bool IgListAscending(const IG_RULESET *Set, uint32_t List)
{
    const IG_RANGE *r = &Set->Lists[List];

    for (uint32_t i = 1; i < r->Count; i++)
    {
        if (Set->Exceptions[Set->ListItems[r->First + i]].Originator <
            Set->Exceptions[Set->ListItems[r->First + i - 1]].Originator)
        {
            return false;
        }
    }
    return true;
}

/* Reserves Count elements of ElementSize bytes, 8-aligned, at the end of *Size; false on overflow. */
static bool IgBlockAdd(size_t *Size, size_t *Offset, size_t Count, size_t ElementSize)
{
    size_t bytes;

    if (__builtin_mul_overflow(Count, ElementSize, &bytes) || __builtin_add_overflow(*Size, 7u, Offset))
    {
        return false;
    }
    *Offset &= ~(size_t)7;
    return !__builtin_add_overflow(*Offset, bytes, Size);
}

/* A large originator group found by the walk: its first entry and its length. */
typedef struct IG_GROUP_SPAN
{
    uint32_t Start;
    uint32_t Count;
} IG_GROUP_SPAN;

/* What a build holds besides the index itself. */
typedef struct IG_INDEX_BUILD
{
    const IG_ALLOCATOR *Allocator;
    size_t *Wanted;
    uint64_t *Sorted; /* (originator << 32) | offset, at each permuted list's first position */
    IG_GROUP_SPAN *Spans;
    uint32_t SpanCount;
    uint32_t SpanCapacity;
    uint32_t Views;
    uint32_t ViewDirs;
} IG_INDEX_BUILD;

static INTSTATUS IgIndexAlloc(IG_INDEX_BUILD *B, void **Block, size_t Size)
{
    INTSTATUS status;

    *B->Wanted = Size;
    status = B->Allocator->Alloc(B->Allocator->Context, Block, Size, IG_TAG_RULESET);
    if (!INT_SUCCESS(status) || !*Block)
    {
        *Block = NULL;
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    return INT_STATUS_SUCCESS;
}

/*
 * Step 1: each list's mode and the room its permutation and directory need.  O(lists), plus a
 * walk of the lists the load did not sort (feedback lists): those not ascending are sorted into
 * the scratch, where the walk reads them.
 */
static INTSTATUS IgPlanLists(IG_RULESET *Set, IG_INDEX_BUILD *B)
{
    IG_RULESET_INDEX *index = &Set->Index;
    INTSTATUS status;

    for (uint32_t l = 0; l < IgListCount; l++)
    {
        IG_INDEX_LIST *il = &index->Lists[l];
        const IG_RANGE *r = &Set->Lists[l];
        uint32_t firstOriginator, lastOriginator;

        il->Order = il->Dir = IG_NO_INDEX;
        il->DirSkip = IgListIsBucket(l) ? 4 : 0;
        il->WildMax = IgListWildMax(l);
        if (l == IgListUserGlob || r->Count <= IG_INDEX_SCAN_MAX)
        {
            continue;
        }
        if (!IgListInOriginatorOrder(l) && !IgListAscending(Set, l))
        {
            /* Feedback lists keep file order; a sorted copy of them is what the lookups walk. */
            uint64_t *sorted;

            if (!B->Sorted)
            {
                status = IgIndexAlloc(B, (void **)&B->Sorted, (size_t)Set->ExceptionCount * sizeof(uint64_t));
                if (!INT_SUCCESS(status))
                {
                    return status;
                }
            }
            sorted = B->Sorted + r->First;
            for (uint32_t i = 0; i < r->Count; i++)
            {
                sorted[i] = ((uint64_t)Set->Exceptions[Set->ListItems[r->First + i]].Originator << 32) | i;
            }
            IgSortU64(sorted, r->Count);
            il->Order = index->OrderCount;
            index->OrderCount += r->Count;
            firstOriginator = (uint32_t)(sorted[0] >> 32);
            lastOriginator = (uint32_t)(sorted[r->Count - 1] >> 32);
        }
        else
        {
            firstOriginator = Set->Exceptions[Set->ListItems[r->First]].Originator;
            lastOriginator = Set->Exceptions[Set->ListItems[r->First + r->Count - 1]].Originator;
        }
        if (firstOriginator != lastOriginator)
        {
            il->Mode = IgIndexModeDir;
            il->DirBits = IgDirBits(r->Count);
            il->Dir = index->DirCount;
            index->DirCount += (1u << il->DirBits) + 1;
        }
        else
        {
            il->Mode = r->Count > IG_INDEX_GROUP_MAX ? IgIndexModeOneView : IgIndexModeOne;
        }
        /* Groups of more than IG_INDEX_GROUP_MAX: at most one per that many + 1 exceptions. */
        B->SpanCapacity += r->Count / (IG_INDEX_GROUP_MAX + 1);
    }
    return INT_STATUS_SUCCESS;
}

/*
 * Step 2: one sequential walk of a list in originator order: its permutation, its directory (the
 * slots ascend with the originators) and the spans of its large groups.  Inlined per kind of
 * list (permuted or not, with a directory or not) so the loop carries no test it does not need.
 */
static inline __attribute__((always_inline)) void IgWalkListAs(IG_RULESET *Set, IG_INDEX_BUILD *B, uint32_t List,
                                                               const bool Permuted, const bool HasDir)
{
    IG_RULESET_INDEX *index = &Set->Index;
    IG_INDEX_LIST *il = &index->Lists[List];
    const uint32_t count = Set->Lists[List].Count;
    const uint32_t *items = Set->ListItems + Set->Lists[List].First;
    const IG_EXCEPTION *exc = Set->Exceptions;
    const uint64_t *sorted = Permuted ? B->Sorted + Set->Lists[List].First : NULL;
    uint32_t *order = Permuted ? index->Order + il->Order : NULL;
    uint32_t *dir = HasDir ? index->Dir + il->Dir : NULL;
    const uint32_t skip = il->DirSkip;
    const uint32_t shift = 32u - il->DirBits;
    uint32_t spans = B->SpanCount;
    uint32_t slot = 0;
    uint32_t start = 0;
    uint32_t previous = Permuted ? (uint32_t)(sorted[0] >> 32) : exc[items[0]].Originator;

    il->Groups = B->SpanCount;
    for (uint32_t i = 0; i < count; i++)
    {
        uint32_t originator = Permuted ? (uint32_t)(sorted[i] >> 32) : exc[items[i]].Originator;

        if (Permuted)
        {
            order[i] = (uint32_t)sorted[i];
        }
        if (originator != previous)
        {
            if (i - start > IG_INDEX_GROUP_MAX)
            {
                B->Spans[spans++] = (IG_GROUP_SPAN){start, i - start};
            }
            start = i;
            previous = originator;
        }
        if (HasDir)
        {
            uint32_t s = (uint32_t)(originator << skip) >> shift;

            while (slot <= s)
            {
                dir[slot++] = i;
            }
        }
    }
    if (count - start > IG_INDEX_GROUP_MAX)
    {
        B->Spans[spans++] = (IG_GROUP_SPAN){start, count - start};
    }
    while (HasDir && slot <= (1u << il->DirBits))
    {
        dir[slot++] = count;
    }
    IG_ASSERT(spans <= B->SpanCapacity); /* a span is more than IG_INDEX_GROUP_MAX entries */
    B->SpanCount = spans;
    il->GroupCount = B->SpanCount - il->Groups;
    IG_ASSERT(il->Mode != IgIndexModeOneView || il->GroupCount == 1);
    for (uint32_t g = il->Groups; g < B->SpanCount; g++)
    {
        B->Views += B->Spans[g].Count;
        B->ViewDirs += B->Spans[g].Count > IG_INDEX_VIEW_DIR_MIN ? (1u << IgViewDirBits(B->Spans[g].Count)) + 1 : 0;
    }
}

static void IgWalkList(IG_RULESET *Set, IG_INDEX_BUILD *B, uint32_t List)
{
    const IG_INDEX_LIST *il = &Set->Index.Lists[List];
    bool permuted = il->Order != IG_NO_INDEX;
    bool hasDir = il->Dir != IG_NO_INDEX;

    if (!permuted && hasDir)
    {
        IgWalkListAs(Set, B, List, false, true); /* buckets: nearly every exception */
    }
    else if (!permuted)
    {
        IgWalkListAs(Set, B, List, false, false);
    }
    else if (hasDir)
    {
        IgWalkListAs(Set, B, List, true, true);
    }
    else
    {
        IgWalkListAs(Set, B, List, true, false);
    }
}

/* The directory of a group's view: victim slots over the entries past the wild ones. */
static void IgFillViewDir(uint32_t *Dir, uint32_t Bits, const uint64_t *View, uint32_t Wild, uint32_t Count)
{
    uint32_t next = 0;

    for (uint32_t k = Wild; k < Count; k++)
    {
        uint32_t slot = (uint32_t)(View[k] >> 32) >> (32u - Bits);

        while (next <= slot)
        {
            Dir[next++] = k;
        }
    }
    while (next <= (1u << Bits))
    {
        Dir[next++] = Count;
    }
}

/* Step 3: the views of one list's large groups, each sorted by (victim key, position). */
static void IgFillViews(IG_RULESET *Set, const IG_INDEX_BUILD *B, uint32_t List, uint32_t *NextView, uint32_t *NextDir)
{
    IG_RULESET_INDEX *index = &Set->Index;
    const IG_INDEX_LIST *il = &index->Lists[List];
    const uint32_t first = Set->Lists[List].First;
    const uint32_t *map = il->Order != IG_NO_INDEX ? index->Order + il->Order : NULL;

    for (uint32_t g = il->Groups; g < il->Groups + il->GroupCount; g++)
    {
        IG_INDEX_GROUP *group = &index->Groups[g];
        uint64_t *view = index->Views + *NextView;
        uint32_t wild = 0;

        group->Start = B->Spans[g].Start;
        group->Count = B->Spans[g].Count;
        group->View = *NextView;
        for (uint32_t k = 0; k < group->Count; k++)
        {
            uint32_t i = group->Start + k;
            uint32_t pos = first + (map ? map[i] : i);
            uint32_t key = IgVictimKey(Set->Exceptions[Set->ListItems[pos]].Victim, il->WildMax);

            view[k] = ((uint64_t)key << 32) | pos;
            wild += key == 0;
        }
        IgSortU64(view, group->Count);
        group->Wild = wild;
        group->Dir = IG_NO_INDEX;
        if (group->Count > IG_INDEX_VIEW_DIR_MIN)
        {
            uint32_t bits = IgViewDirBits(group->Count);

            group->Dir = *NextDir;
            IgFillViewDir(index->ViewDir + group->Dir, bits, view, wild, group->Count);
            *NextDir += (1u << bits) + 1;
        }
        *NextView += group->Count;
    }
}

INTSTATUS IgRuleSetIndexBuild(IG_RULESET *Set, const IG_ALLOCATOR *Allocator, size_t *Wanted)
{
    IG_RULESET_INDEX *index = &Set->Index;
    IG_INDEX_BUILD build = {Allocator, Wanted, NULL, NULL, 0, 0, 0, 0};
    size_t size = 0, order = 0, dir = 0, groups = 0, views = 0, viewDirs = 0;
    uint32_t nextView = 0;
    uint32_t nextDir = 0;
    INTSTATUS status;

    *Wanted = 0;
    memset(index, 0, sizeof(*index));
    index->Set = Set;
    status = IgPlanLists(Set, &build);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }

    if (index->OrderCount + index->DirCount != 0)
    {
        if (!IgBlockAdd(&size, &order, index->OrderCount, sizeof(uint32_t)) ||
            !IgBlockAdd(&size, &dir, index->DirCount, sizeof(uint32_t)))
        {
            status = INT_STATUS_INSUFFICIENT_RESOURCES;
            goto cleanup;
        }
        status = IgIndexAlloc(&build, &index->Lookup, size);
        if (!INT_SUCCESS(status))
        {
            goto cleanup;
        }
        index->LookupSize = size;
        index->Order = (uint32_t *)((uint8_t *)index->Lookup + order);
        index->Dir = (uint32_t *)((uint8_t *)index->Lookup + dir);
    }
    if (build.SpanCapacity)
    {
        status = IgIndexAlloc(&build, (void **)&build.Spans, (size_t)build.SpanCapacity * sizeof(IG_GROUP_SPAN));
        if (!INT_SUCCESS(status))
        {
            goto cleanup;
        }
    }
    for (uint32_t l = 0; l < IgListCount; l++)
    {
        if (index->Lists[l].Mode != IgIndexModeScan)
        {
            IgWalkList(Set, &build, l);
        }
    }

    if (build.SpanCount)
    {
        size = 0;
        if (!IgBlockAdd(&size, &groups, build.SpanCount, sizeof(IG_INDEX_GROUP)) ||
            !IgBlockAdd(&size, &views, build.Views, sizeof(uint64_t)) ||
            !IgBlockAdd(&size, &viewDirs, build.ViewDirs, sizeof(uint32_t)))
        {
            status = INT_STATUS_INSUFFICIENT_RESOURCES;
            goto cleanup;
        }
        status = IgIndexAlloc(&build, &index->Block, size);
        if (!INT_SUCCESS(status))
        {
            goto cleanup;
        }
        index->BlockSize = size;
        index->Groups = (IG_INDEX_GROUP *)((uint8_t *)index->Block + groups);
        index->Views = (uint64_t *)((uint8_t *)index->Block + views);
        index->ViewDir = (uint32_t *)((uint8_t *)index->Block + viewDirs);
        index->GroupCount = build.SpanCount;
        index->ViewCount = build.Views;
        index->ViewDirCount = build.ViewDirs;
        for (uint32_t l = 0; l < IgListCount; l++)
        {
            IgFillViews(Set, &build, l, &nextView, &nextDir);
        }
        IG_ASSERT(nextView == build.Views && nextDir == build.ViewDirs);
    }
    Set->AllocSize += index->LookupSize + index->BlockSize;
    status = INT_STATUS_SUCCESS;

cleanup:
    if (!INT_SUCCESS(status))
    {
        IgRuleSetIndexFree(Set);
        memset(index, 0, sizeof(*index));
        index->Set = Set;
    }
    Allocator->Free(Allocator->Context, (void **)&build.Sorted, IG_TAG_RULESET);
    Allocator->Free(Allocator->Context, (void **)&build.Spans, IG_TAG_RULESET);
    return status;
}

void IgRuleSetIndexFree(IG_RULESET *Set)
{
    if (Set->Index.Lookup)
    {
        Set->Allocator.Free(Set->Allocator.Context, &Set->Index.Lookup, IG_TAG_RULESET);
    }
    if (Set->Index.Block)
    {
        Set->Allocator.Free(Set->Allocator.Context, &Set->Index.Block, IG_TAG_RULESET);
    }
}

/* ---- Lookups ----------------------------------------------------------------------------------------------------- */

/*
 * The lookup helpers take the list's arrays as arguments and are always inlined: kept in
 * registers, a lookup in a list with a directory is a few dozen instructions.
 */
#define IG_LOOKUP_INLINE static inline __attribute__((always_inline))

/* The originator of the I-th entry of a list in originator order. */
IG_LOOKUP_INLINE uint32_t IgOriginatorAt(const IG_EXCEPTION *Exc, const uint32_t *Items, const uint32_t *Map,
                                         uint32_t I)
{
    return Exc[Items[Map ? Map[I] : I]].Originator;
}

IG_LOOKUP_INLINE void IgCursorAddRun(IG_INDEX_CURSOR *C, const uint64_t *At, const uint64_t *End)
{
    if (At < End)
    {
        IG_ASSERT(C->RunCount < IG_INDEX_MAX_RUNS); /* two runs per distinct originator, at most four */
        C->Run[C->RunCount].At = At;
        C->Run[C->RunCount].End = End;
        C->RunCount++;
    }
}

/*
 * A small group's candidates: entries [Lo, Hi) of the originator order, up to where the group
 * ends, filtered by victim.  A permuted order keeps positions ascending inside a group, so the
 * run is in list order.
 */
IG_LOOKUP_INLINE void IgCursorAddSmallGroup(IG_INDEX_CURSOR *C, const IG_EXCEPTION *Exc, const uint32_t *Items,
                                            const uint32_t *Map, uint32_t First, uint32_t Lo, uint32_t Hi,
                                            uint32_t Originator, uint32_t Victim, uint32_t WildMax)
{
    const uint32_t capacity = (uint32_t)(sizeof(C->Small) / sizeof(C->Small[0]));
    uint32_t n = C->SmallCount;
    uint64_t *run = C->Small + n;

    for (uint32_t i = Lo; i < Hi && n < capacity; i++)
    {
        uint32_t off = Map ? Map[i] : i;
        const IG_EXCEPTION *e = &Exc[Items[off]];

        if (e->Originator != Originator)
        {
            break;
        }
        if (e->Victim <= WildMax || e->Victim == Victim)
        {
            C->Small[n++] = First + off;
        }
    }
    C->SmallCount = n;
    IgCursorAddRun(C, run, C->Small + n);
}

/* A large group's runs: the wild one, then the violation's victim, unless that victim is wild itself. */
IG_LOOKUP_INLINE void IgCursorAddGroup(IG_INDEX_CURSOR *C, const IG_RULESET_INDEX *Index, const IG_INDEX_GROUP *G,
                                       uint32_t Victim, uint32_t WildMax)
{
    const uint64_t *view = Index->Views + G->View;
    const uint64_t *end = view + G->Count;
    const uint64_t *at;
    const uint64_t *slotEnd;
    const uint32_t *dir;

    IgCursorAddRun(C, view, view + G->Wild);
    if (Victim <= WildMax)
    {
        return;
    }
    if (G->Dir == IG_NO_INDEX)
    {
        at = view + G->Wild;
        slotEnd = end;
    }
    else
    {
        dir = Index->ViewDir + G->Dir + (Victim >> (32u - IgViewDirBits(G->Count)));
        at = view + dir[0];
        slotEnd = view + dir[1];
    }
    for (; at < slotEnd && (uint32_t)(*at >> 32) < Victim; at++)
    {
    }
    for (view = at; at < end && (uint32_t)(*at >> 32) == Victim; at++)
    {
    }
    IgCursorAddRun(C, view, at);
}

/* The large group starting at Start in a list's originator order, or NULL. */
static const IG_INDEX_GROUP *IgFindGroup(const IG_RULESET_INDEX *Index, const IG_INDEX_LIST *List, uint32_t Start)
{
    uint32_t lo = List->Groups;
    uint32_t hi = List->Groups + List->GroupCount;

    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo) / 2;

        if (Index->Groups[mid].Start < Start)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo < List->Groups + List->GroupCount && Index->Groups[lo].Start == Start ? &Index->Groups[lo] : NULL;
}

/* One originator of a list with a directory. */
IG_LOOKUP_INLINE void IgCursorAddOriginator(IG_INDEX_CURSOR *C, const IG_RULESET_INDEX *Index,
                                            const IG_INDEX_LIST *List, const IG_EXCEPTION *Exc, const uint32_t *Items,
                                            const uint32_t *Map, uint32_t First, uint32_t Originator, uint32_t Victim)
{
    const uint32_t *dir = Index->Dir + List->Dir + IgDirSlot(List, Originator);
    const IG_INDEX_GROUP *group;
    uint32_t lo = dir[0];
    uint32_t hi = dir[1];

    /* The first entry of the slot range whose originator is not below Originator. */
    if (hi - lo > IG_INDEX_LINEAR_MAX && IgOriginatorAt(Exc, Items, Map, lo) < Originator)
    {
        uint32_t a = lo, b = hi;

        while (a < b)
        {
            uint32_t mid = a + (b - a) / 2;

            if (IgOriginatorAt(Exc, Items, Map, mid) < Originator)
            {
                a = mid + 1;
            }
            else
            {
                b = mid;
            }
        }
        lo = a;
    }
    else
    {
        while (lo < hi && IgOriginatorAt(Exc, Items, Map, lo) < Originator)
        {
            lo++;
        }
    }
    if (lo == hi || IgOriginatorAt(Exc, Items, Map, lo) != Originator)
    {
        return;
    }
    if (lo + IG_INDEX_GROUP_MAX < hi && IgOriginatorAt(Exc, Items, Map, lo + IG_INDEX_GROUP_MAX) == Originator &&
        (group = IgFindGroup(Index, List, lo)) != NULL)
    {
        IgCursorAddGroup(C, Index, group, Victim, List->WildMax);
        return;
    }
    IgCursorAddSmallGroup(C, Exc, Items, Map, First, lo, hi, Originator, Victim, List->WildMax);
}

IG_LOOKUP_INLINE bool IgOneOf(uint32_t Value, const uint32_t *Set, uint32_t Count)
{
    bool found = false;

    for (uint32_t k = 0; k < Count; k++)
    {
        found |= Set[k] == Value;
    }
    return found;
}

/* A short list: its candidates, found by walking it once (repeated originators are harmless). */
static void IgCursorScan(IG_INDEX_CURSOR *C, const IG_RULESET *Set, uint32_t List, uint32_t WildMax,
                         const uint32_t *Originators, uint32_t OriginatorCount, uint32_t Victim)
{
    const uint32_t first = Set->Lists[List].First;
    const uint32_t count = Set->Lists[List].Count;
    const uint32_t *items = Set->ListItems + first;
    uint32_t n = 0;

    for (uint32_t i = 0; i < count; i++)
    {
        const IG_EXCEPTION *e = &Set->Exceptions[items[i]];

        if (IgOneOf(e->Originator, Originators, OriginatorCount) && (e->Victim <= WildMax || e->Victim == Victim))
        {
            C->Small[n++] = first + i;
        }
    }
    C->SmallCount = n;
    IgCursorAddRun(C, C->Small, C->Small + n);
}

void IgIndexBeginList(IG_INDEX_CURSOR *Cursor, const IG_RULESET_INDEX *Index, IG_LIST_ID List,
                      const uint32_t *Originators, uint32_t OriginatorCount, uint32_t Victim)
{
    const IG_RULESET *set = Index->Set;
    const IG_INDEX_LIST *il = &Index->Lists[List];

    Cursor->Set = set;
    OriginatorCount = OriginatorCount < IG_INDEX_MAX_ORIGINATORS ? OriginatorCount : IG_INDEX_MAX_ORIGINATORS;
    if (Index->Exhaustive)
    {
        Cursor->Next = set->Lists[List].First;
        Cursor->End = Cursor->Next + set->Lists[List].Count;
        return;
    }
    if (il->Mode == IgIndexModeScan)
    {
        IgCursorScan(Cursor, set, List, il->WildMax, Originators, OriginatorCount, Victim);
        return;
    }
    Cursor->SmallCount = 0;
    if (il->Mode == IgIndexModeOneView)
    {
        /* The generic and no-name lists: one originator, and a view of it by victim. */
        if (IgOneOf(set->Exceptions[set->ListItems[set->Lists[List].First]].Originator, Originators, OriginatorCount))
        {
            IgCursorAddGroup(Cursor, Index, &Index->Groups[il->Groups], Victim, il->WildMax);
        }
        return;
    }
    {
        const uint32_t first = set->Lists[List].First;
        const uint32_t *items = set->ListItems + first;
        const uint32_t *map = il->Order != IG_NO_INDEX ? Index->Order + il->Order : NULL;

        if (il->Mode == IgIndexModeOne)
        {
            uint32_t originator = IgOriginatorAt(set->Exceptions, items, map, 0);

            if (IgOneOf(originator, Originators, OriginatorCount))
            {
                IgCursorAddSmallGroup(Cursor, set->Exceptions, items, map, first, 0, set->Lists[List].Count, originator,
                                      Victim, il->WildMax);
            }
            return;
        }
        for (uint32_t i = 0; i < OriginatorCount; i++)
        {
            if (!IgOneOf(Originators[i], Originators, i))
            {
                IgCursorAddOriginator(Cursor, Index, il, set->Exceptions, items, map, first, Originators[i], Victim);
            }
        }
    }
}

bool IgIndexNextRun(IG_INDEX_CURSOR *Cursor, uint32_t *Exception)
{
    IG_INDEX_RUN *best = &Cursor->Run[0];
    uint32_t pos;

    if (Cursor->Next < Cursor->End)
    {
        *Exception = Cursor->Set->ListItems[Cursor->Next++];
        return true;
    }
    if (Cursor->RunCount == 0)
    {
        return false;
    }
    pos = (uint32_t)*best->At;
    for (uint32_t r = 1; r < Cursor->RunCount; r++)
    {
        if ((uint32_t)*Cursor->Run[r].At < pos)
        {
            best = &Cursor->Run[r];
            pos = (uint32_t)*best->At;
        }
    }
    *Exception = Cursor->Set->ListItems[pos];
    if (++best->At == best->End)
    {
        *best = Cursor->Run[--Cursor->RunCount]; /* order among runs does not matter */
    }
    return true;
}

/* ---- Consistency ------------------------------------------------------------------------------------------------- */

/* A group's victim directory: bounds ascending from Wild to Count, each entry inside its victim's slot. */
static bool IgViewDirConsistent(const IG_RULESET_INDEX *Index, const IG_INDEX_GROUP *G)
{
    uint32_t bits = IgViewDirBits(G->Count);
    uint32_t slots = 1u << bits;
    const uint32_t *dir = Index->ViewDir + G->Dir;

    if (G->Count <= IG_INDEX_VIEW_DIR_MIN)
    {
        return G->Dir == IG_NO_INDEX;
    }
    if (G->Dir > Index->ViewDirCount || slots + 1 > Index->ViewDirCount - G->Dir || dir[0] != G->Wild ||
        dir[slots] != G->Count)
    {
        return false;
    }
    for (uint32_t s = 0; s < slots; s++)
    {
        if (dir[s] > dir[s + 1])
        {
            return false;
        }
    }
    for (uint32_t k = G->Wild; k < G->Count; k++)
    {
        uint32_t slot = (uint32_t)(Index->Views[G->View + k] >> 32) >> (32u - bits);

        if (k < dir[slot] || k >= dir[slot + 1])
        {
            return false;
        }
    }
    return true;
}

/* One list's index against the list: mode, permutation, directory, groups and views. */
static bool IgListIndexConsistent(const IG_RULESET_INDEX *Index, uint32_t List, uint32_t *NextGroup)
{
    const IG_RULESET *set = Index->Set;
    const IG_INDEX_LIST *il = &Index->Lists[List];
    const uint32_t first = set->Lists[List].First;
    const uint32_t count = set->Lists[List].Count;
    const IG_EXCEPTION *exc = set->Exceptions;
    const uint32_t *items = set->ListItems + first;
    const uint32_t *map = NULL;
    uint32_t groups = 0;
    uint32_t start = 0;

    if (il->WildMax != IgListWildMax(List) || il->DirSkip != (IgListIsBucket(List) ? 4 : 0))
    {
        return false;
    }
    if (List == IgListUserGlob || count <= IG_INDEX_SCAN_MAX)
    {
        return il->Mode == IgIndexModeScan && il->Order == IG_NO_INDEX && il->Dir == IG_NO_INDEX && il->GroupCount == 0;
    }
    /* The originator order: the list's own, or a permutation of its offsets ascending by (originator, offset). */
    if (il->Order != IG_NO_INDEX)
    {
        if (il->Order > Index->OrderCount || count > Index->OrderCount - il->Order)
        {
            return false;
        }
        map = Index->Order + il->Order;
        for (uint32_t i = 0; i < count; i++)
        {
            if (map[i] >= count)
            {
                return false;
            }
            if (i > 0)
            {
                uint32_t po = exc[items[map[i - 1]]].Originator;
                uint32_t o = exc[items[map[i]]].Originator;

                if (po > o || (po == o && map[i - 1] >= map[i]))
                {
                    return false; /* strictly ascending pairs: no offset twice, so a permutation */
                }
            }
        }
    }
    else if (!IgListAscending(set, List))
    {
        return false;
    }
    /* The mode: a directory exactly when the list has more than one originator. */
    if (IgOriginatorAt(exc, items, map, 0) == IgOriginatorAt(exc, items, map, count - 1)
            ? il->Mode != (count > IG_INDEX_GROUP_MAX ? IgIndexModeOneView : IgIndexModeOne) || il->Dir != IG_NO_INDEX
            : il->Mode != IgIndexModeDir || il->Dir == IG_NO_INDEX)
    {
        return false;
    }
    /* The directory: bounds ascending from 0 to Count, each entry inside its originator's slot. */
    if (il->Dir != IG_NO_INDEX)
    {
        const uint32_t *dir = Index->Dir + il->Dir;
        uint32_t slots = 1u << il->DirBits;

        if (il->DirBits == 0 || il->DirBits > 24 || il->Dir > Index->DirCount ||
            slots + 1 > Index->DirCount - il->Dir || dir[0] != 0 || dir[slots] != count)
        {
            return false;
        }
        for (uint32_t s = 0; s < slots; s++)
        {
            if (dir[s] > dir[s + 1])
            {
                return false;
            }
        }
        for (uint32_t i = 0; i < count; i++)
        {
            uint32_t slot = IgDirSlot(il, IgOriginatorAt(exc, items, map, i));

            if (i < dir[slot] || i >= dir[slot + 1])
            {
                return false;
            }
        }
    }
    /* Every group longer than IG_INDEX_GROUP_MAX has its view, in order, and holds exactly its entries. */
    if (il->Groups != *NextGroup || il->Groups > Index->GroupCount || il->GroupCount > Index->GroupCount - il->Groups)
    {
        return false;
    }
    for (uint32_t i = 1; i <= count; i++)
    {
        const IG_INDEX_GROUP *g;
        uint32_t originator = IgOriginatorAt(exc, items, map, start);

        if (i < count && IgOriginatorAt(exc, items, map, i) == originator)
        {
            continue;
        }
        if (i - start > IG_INDEX_GROUP_MAX)
        {
            if (groups >= il->GroupCount)
            {
                return false;
            }
            g = &Index->Groups[il->Groups + groups++];
            if (g->Start != start || g->Count != i - start || g->Wild > g->Count || g->View > Index->ViewCount ||
                g->Count > Index->ViewCount - g->View)
            {
                return false;
            }
            for (uint32_t k = 0; k < g->Count; k++)
            {
                uint64_t entry = Index->Views[g->View + k];
                uint32_t pos = (uint32_t)entry;
                uint32_t key = (uint32_t)(entry >> 32);
                const IG_EXCEPTION *e;

                /* Strictly ascending (key, position), and each key is its position's: no position twice. */
                if ((k > 0 && Index->Views[g->View + k - 1] >= entry) || pos < first || pos - first >= count ||
                    (key == 0) != (k < g->Wild))
                {
                    return false;
                }
                e = &exc[set->ListItems[pos]];
                if (e->Originator != originator || IgVictimKey(e->Victim, il->WildMax) != key)
                {
                    return false;
                }
            }
            if (!IgViewDirConsistent(Index, g))
            {
                return false;
            }
        }
        start = i;
    }
    *NextGroup += groups;
    return groups == il->GroupCount;
}

bool IgRuleSetIndexConsistent(const IG_RULESET *Set)
{
    const IG_RULESET_INDEX *index = &Set->Index;
    uint32_t groups = 0;

    if (index->Set != Set || index->Exhaustive)
    {
        return false;
    }
    for (uint32_t l = 0; l < IgListCount; l++)
    {
        if (!IgListIndexConsistent(index, l, &groups))
        {
            return false;
        }
    }
    return groups == index->GroupCount;
}
