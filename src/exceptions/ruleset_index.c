/*
 * Search indexes over a rule set (see ruleset_index.h).
 */
#include "ruleset_index.h"

#include <stdlib.h>
#include <string.h>

#define IG_TAG_INDEX IG_TAG('E', 'x', 'I', 'x')

typedef struct IG_INDEX_ENTRY
{
    uint32_t Originator;
    uint32_t Victim;
    uint32_t Position;
    uint8_t List;
    uint8_t Wild;
} IG_INDEX_ENTRY;

/* Which victim values match any victim name for the matcher that reads this list. */
static bool IgVictimIsWild(IG_LIST_ID List, uint32_t Victim)
{
    if (Victim == 0)
    {
        return true;
    }
    /* `[own]` is decided per violation by the kernel matcher only (spec §3.1 step 5). */
    return Victim == 1 && List < IgListUserGeneric;
}

static uint32_t IgSlotHash(uint32_t List, uint32_t Originator, uint32_t Victim, uint32_t Wild)
{
    uint64_t h = ((uint64_t)Originator << 32) ^ Victim ^ ((uint64_t)List << 20) ^ ((uint64_t)Wild << 28);

    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

static int IgEntryCompare(const void *A, const void *B)
{
    const IG_INDEX_ENTRY *a = A;
    const IG_INDEX_ENTRY *b = B;

    if (a->List != b->List)
    {
        return a->List < b->List ? -1 : 1;
    }
    if (a->Originator != b->Originator)
    {
        return a->Originator < b->Originator ? -1 : 1;
    }
    if (a->Wild != b->Wild)
    {
        return a->Wild < b->Wild ? -1 : 1;
    }
    if (a->Victim != b->Victim)
    {
        return a->Victim < b->Victim ? -1 : 1;
    }
    return a->Position < b->Position ? -1 : (a->Position > b->Position);
}

static bool IgSameKey(const IG_INDEX_ENTRY *A, const IG_INDEX_ENTRY *B)
{
    return A->List == B->List && A->Originator == B->Originator && A->Wild == B->Wild && A->Victim == B->Victim;
}

static const IG_INDEX_SLOT *IgIndexFind(const IG_RULESET_INDEX *Index, uint32_t List, uint32_t Originator,
                                        uint32_t Victim, uint32_t Wild)
{
    uint32_t i;

    if (!Index->Slots)
    {
        return NULL;
    }
    i = IgSlotHash(List + 1, Originator, Victim, Wild) & Index->SlotMask;
    for (;;)
    {
        const IG_INDEX_SLOT *slot = &Index->Slots[i];

        if (slot->List == 0)
        {
            return NULL;
        }
        if (slot->List == List + 1 && slot->Originator == Originator && slot->Victim == Victim && slot->Wild == Wild)
        {
            return slot;
        }
        i = (i + 1) & Index->SlotMask;
    }
}

INTSTATUS IgRuleSetIndexBuild(const IG_ALLOCATOR *Allocator, const IG_RULESET *Set, IG_RULESET_INDEX *Index)
{
    INTSTATUS status;
    IG_INDEX_ENTRY *entries = NULL;
    void *block = NULL;
    uint32_t count = 0;
    uint32_t keys = 0;
    uint32_t slots = 1;
    size_t bytes, slotBytes;

    memset(Index, 0, sizeof(*Index));
    Index->Set = Set;
    Index->Allocator = *Allocator;

    for (uint32_t l = 0; l < IgListCount; l++)
    {
        if (l != IgListUserGlob)
        {
            count += Set->Lists[l].Count;
        }
    }
    if (count == 0)
    {
        return INT_STATUS_SUCCESS;
    }
    if (__builtin_mul_overflow((size_t)count, sizeof(*entries), &bytes))
    {
        return INT_STATUS_ARITHMETIC_OVERFLOW;
    }
    status = Allocator->Alloc(Allocator->Context, (void **)&entries, bytes, IG_TAG_INDEX);
    if (!INT_SUCCESS(status))
    {
        return status;
    }

    count = 0;
    for (uint32_t l = 0; l < IgListCount; l++)
    {
        const IG_RANGE *list = &Set->Lists[l];

        if (l == IgListUserGlob)
        {
            continue;
        }
        for (uint32_t p = 0; p < list->Count; p++)
        {
            const IG_EXCEPTION *e = &Set->Exceptions[Set->ListItems[list->First + p]];
            IG_INDEX_ENTRY *x = &entries[count++];

            x->List = (uint8_t)l;
            x->Originator = e->Originator;
            x->Wild = IgVictimIsWild((IG_LIST_ID)l, e->Victim);
            x->Victim = x->Wild ? 0 : e->Victim;
            x->Position = list->First + p;
        }
    }
    qsort(entries, count, sizeof(*entries), IgEntryCompare);
    for (uint32_t i = 0; i < count; i++)
    {
        if (i == 0 || !IgSameKey(&entries[i - 1], &entries[i]))
        {
            keys++;
        }
    }
    while (slots < 2 * keys)
    {
        slots <<= 1;
    }
    slotBytes = (size_t)slots * sizeof(IG_INDEX_SLOT);
    bytes = slotBytes + (size_t)count * sizeof(uint32_t);
    status = Allocator->Alloc(Allocator->Context, &block, bytes, IG_TAG_INDEX);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }
    memset(block, 0, slotBytes);
    Index->Slots = block;
    Index->Positions = (uint32_t *)((uint8_t *)block + slotBytes);
    Index->SlotMask = slots - 1;

    for (uint32_t i = 0; i < count;)
    {
        uint32_t j = i;
        uint32_t h;

        while (j < count && IgSameKey(&entries[i], &entries[j]))
        {
            Index->Positions[j] = entries[j].Position;
            j++;
        }
        h = IgSlotHash(entries[i].List + 1u, entries[i].Originator, entries[i].Victim, entries[i].Wild) &
            Index->SlotMask;
        while (Index->Slots[h].List != 0)
        {
            h = (h + 1) & Index->SlotMask;
        }
        Index->Slots[h].List = (uint8_t)(entries[i].List + 1);
        Index->Slots[h].Originator = entries[i].Originator;
        Index->Slots[h].Victim = entries[i].Victim;
        Index->Slots[h].Wild = entries[i].Wild;
        Index->Slots[h].First = i;
        Index->Slots[h].Count = j - i;
        i = j;
    }
    status = INT_STATUS_SUCCESS;

cleanup:
    Allocator->Free(Allocator->Context, (void **)&entries, IG_TAG_INDEX);
    return status;
}

void IgRuleSetIndexFree(IG_RULESET_INDEX *Index)
{
    void *block;

    if (!Index || !Index->Slots)
    {
        return;
    }
    block = Index->Slots;
    Index->Allocator.Free(Index->Allocator.Context, &block, IG_TAG_INDEX);
    Index->Slots = NULL;
    Index->Positions = NULL;
}

static void IgCursorAdd(IG_INDEX_CURSOR *Cursor, const IG_INDEX_SLOT *Slot)
{
    if (Slot && Slot->Count)
    {
        Cursor->Run[Cursor->RunCount] = Cursor->Index->Positions + Slot->First;
        Cursor->Left[Cursor->RunCount] = Slot->Count;
        Cursor->RunCount++;
    }
}

void IgIndexBegin(IG_INDEX_CURSOR *Cursor, const IG_RULESET_INDEX *Index, IG_LIST_ID List, const uint32_t *Originators,
                  uint32_t OriginatorCount, uint32_t Victim)
{
    bool victimWild = IgVictimIsWild(List, Victim);

    Cursor->Index = Index;
    Cursor->RunCount = 0;
    Cursor->Next = Cursor->End = 0;
    if (Index->Exhaustive)
    {
        Cursor->Next = Index->Set->Lists[List].First;
        Cursor->End = Cursor->Next + Index->Set->Lists[List].Count;
        return;
    }
    if (Index->Set->Lists[List].Count == 0)
    {
        return; /* most violations meet empty feedback and no-name lists: no probe at all */
    }
    if (OriginatorCount > IG_INDEX_MAX_ORIGINATORS)
    {
        OriginatorCount = IG_INDEX_MAX_ORIGINATORS;
    }
    for (uint32_t i = 0; i < OriginatorCount; i++)
    {
        bool seen = false;

        for (uint32_t k = 0; k < i; k++)
        {
            seen |= Originators[k] == Originators[i];
        }
        if (seen)
        {
            continue;
        }
        IgCursorAdd(Cursor, IgIndexFind(Index, List, Originators[i], 0, 1));
        /* A victim value that is itself a wildcard key only meets exceptions already in the wild run. */
        if (!victimWild)
        {
            IgCursorAdd(Cursor, IgIndexFind(Index, List, Originators[i], Victim, 0));
        }
    }
}

bool IgIndexNext(IG_INDEX_CURSOR *Cursor, uint32_t *Exception)
{
    uint32_t best = IG_INDEX_MAX_RUNS;

    if (Cursor->Next < Cursor->End)
    {
        *Exception = Cursor->Index->Set->ListItems[Cursor->Next++];
        return true;
    }
    for (uint32_t r = 0; r < Cursor->RunCount; r++)
    {
        if (Cursor->Left[r] && (best == IG_INDEX_MAX_RUNS || Cursor->Run[r][0] < Cursor->Run[best][0]))
        {
            best = r;
        }
    }
    if (best == IG_INDEX_MAX_RUNS)
    {
        return false;
    }
    *Exception = Cursor->Index->Set->ListItems[Cursor->Run[best][0]];
    Cursor->Run[best]++;
    Cursor->Left[best]--;
    return true;
}
