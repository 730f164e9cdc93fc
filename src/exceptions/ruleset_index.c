/*
 * Search indexes over a rule set (see ruleset_index.h).
 */
#include "ruleset_index.h"

#include <string.h>

#include "../common/invariant.h"

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

/* The slot of a key, claimed (zero Count) if the key is new; the table is never full. */
static IG_INDEX_SLOT *IgIndexClaim(IG_RULESET_INDEX *Index, uint32_t List, uint32_t Originator, uint32_t Victim,
                                   uint32_t Wild)
{
    uint32_t i = IgSlotHash(List + 1, Originator, Victim, Wild) & Index->SlotMask;

    for (;;)
    {
        IG_INDEX_SLOT *slot = &Index->Slots[i];

        if (slot->List == 0)
        {
            slot->List = (uint8_t)(List + 1);
            slot->Originator = Originator;
            slot->Victim = Victim;
            slot->Wild = (uint8_t)Wild;
            return slot;
        }
        if (slot->List == List + 1 && slot->Originator == Originator && slot->Victim == Victim && slot->Wild == Wild)
        {
            return slot;
        }
        i = (i + 1) & Index->SlotMask;
    }
}

uint32_t IgRuleSetIndexSlotCount(uint32_t Count)
{
    uint32_t slots = 1;

    if (Count == 0)
    {
        return 0;
    }
    /* At most one key per exception: twice that many slots keeps probes short.  Count is capped by
     * IG_MAX_RECORDS, so this cannot overflow. */
    while (slots < 2 * (uint64_t)Count)
    {
        slots <<= 1;
    }
    return slots;
}

/*
 * Two passes over the lists and no sorting: the first claims a slot per key and counts its
 * exceptions, the runs are laid out by a prefix sum, the second places each exception's list
 * position.  Lists are walked in order, so every run comes out ascending.
 */
void IgRuleSetIndexBuild(IG_RULESET *Set, IG_INDEX_SLOT *Slots, uint32_t SlotCount, uint32_t *Positions)
{
    IG_RULESET_INDEX *index = &Set->Index;
    uint32_t next = 0;

    memset(index, 0, sizeof(*index));
    index->Set = Set;
    if (SlotCount == 0)
    {
        return;
    }
    memset(Slots, 0, (size_t)SlotCount * sizeof(*Slots));
    index->Slots = Slots;
    index->Positions = Positions;
    index->SlotMask = SlotCount - 1;

    for (uint32_t pass = 0; pass < 2; pass++)
    {
        for (uint32_t l = 0; l < IgListCount; l++)
        {
            const IG_RANGE *list = &Set->Lists[l];

            for (uint32_t p = 0; p < list->Count && l != IgListUserGlob; p++)
            {
                const IG_EXCEPTION *e = &Set->Exceptions[Set->ListItems[list->First + p]];
                uint32_t wild = IgVictimIsWild((IG_LIST_ID)l, e->Victim);
                IG_INDEX_SLOT *slot = IgIndexClaim(index, l, e->Originator, wild ? 0 : e->Victim, wild);

                if (pass == 1)
                {
                    index->Positions[slot->First + slot->Count] = list->First + p;
                }
                slot->Count++;
            }
        }
        for (uint32_t i = 0; pass == 0 && i < SlotCount; i++)
        {
            index->Slots[i].First = next;
            next += index->Slots[i].Count;
            index->Slots[i].Count = 0;
        }
    }
}

static void IgCursorAdd(IG_INDEX_CURSOR *Cursor, const IG_INDEX_SLOT *Slot)
{
    if (Slot && Slot->Count)
    {
        IG_ASSERT(Cursor->RunCount < IG_INDEX_MAX_RUNS); /* two runs per distinct originator, at most four */
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

bool IgRuleSetIndexConsistent(const IG_RULESET *Set)
{
    const IG_RULESET_INDEX *index = &Set->Index;
    uint32_t indexed = Set->ExceptionCount - Set->Lists[IgListUserGlob].Count;
    uint32_t placed = 0;

    if (index->Set != Set || index->Exhaustive)
    {
        return false;
    }
    if (!index->Slots)
    {
        return indexed == 0;
    }
    for (uint32_t i = 0; i <= index->SlotMask; i++)
    {
        const IG_INDEX_SLOT *slot = &index->Slots[i];
        uint32_t list = slot->List - 1u;

        if (slot->List == 0)
        {
            if (slot->Count != 0)
            {
                return false;
            }
            continue;
        }
        /* The key is found where a lookup probes for it, and its run is inside the positions. */
        if (list >= IgListCount || list == IgListUserGlob ||
            IgIndexFind(index, list, slot->Originator, slot->Victim, slot->Wild) != slot || slot->First > indexed ||
            slot->Count > indexed - slot->First)
        {
            return false;
        }
        /* Every position of the run is in the slot's list, ascending, at an exception with the key. */
        for (uint32_t k = 0; k < slot->Count; k++)
        {
            uint32_t pos = index->Positions[slot->First + k];
            const IG_EXCEPTION *e;
            uint32_t wild;

            if (pos < Set->Lists[list].First || pos - Set->Lists[list].First >= Set->Lists[list].Count ||
                (k > 0 && index->Positions[slot->First + k - 1] >= pos))
            {
                return false;
            }
            e = &Set->Exceptions[Set->ListItems[pos]];
            wild = IgVictimIsWild((IG_LIST_ID)list, e->Victim);
            if (e->Originator != slot->Originator || wild != slot->Wild || (wild ? 0 : e->Victim) != slot->Victim)
            {
                return false;
            }
        }
        placed += slot->Count;
    }
    /* Keys are distinct and every position matches its slot's key, so no position is in two runs:
     * as many positions as indexed exceptions means each one is in exactly one run. */
    return placed == indexed;
}
