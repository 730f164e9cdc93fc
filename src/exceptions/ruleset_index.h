/*
 * Search indexes over a rule set, so that a violation only visits exceptions that could match it.
 *
 * hvmi walks whole lists (every `*` exception for every violation).  We keep hvmi's lists and
 * their order, and add one hash index per set keyed by (list, originator hash, victim key): the
 * victim key is the exception's victim hash, or "wild" for victims that can match any name
 * (`*`, and `[own]` for kernel exceptions, which needs the violation to decide).  A lookup merges
 * at most eight runs of list positions in ascending order, so the candidates come out in exactly
 * hvmi's list order and the per-exception checks still decide everything; the index only skips
 * exceptions whose originator or victim name cannot be equal.
 *
 * Built by the load as part of the set (IG_RULESET.Index), in the set's block, so evaluations
 * never build or allocate anything.  The glob list is not indexed (patterns are text); it is
 * scanned with hvmi's first-character prefilter.
 */
#ifndef INTROGUARD_RULESET_INDEX_H
#define INTROGUARD_RULESET_INDEX_H

#include "ruleset.h"

#define IG_INDEX_MAX_ORIGINATORS 4u
#define IG_INDEX_MAX_RUNS (2u * IG_INDEX_MAX_ORIGINATORS)

/* Candidates of one list for one violation, in list order. */
typedef struct IG_INDEX_CURSOR
{
    const IG_RULESET_INDEX *Index;
    const uint32_t *Run[IG_INDEX_MAX_RUNS];
    uint32_t Left[IG_INDEX_MAX_RUNS];
    uint32_t RunCount;
    uint32_t Next; /* exhaustive mode: the next and end positions in Set->ListItems */
    uint32_t End;
} IG_INDEX_CURSOR;

/* The slot count the index of a set with Count indexed exceptions uses (0 for none). */
uint32_t IgRuleSetIndexSlotCount(uint32_t Count);

/*
 * Builds Set's index in memory the caller sized with IgRuleSetIndexSlotCount: Slots (SlotCount
 * entries) and Positions (one per exception in the indexed lists).  Needs the lists built.
 */
void IgRuleSetIndexBuild(IG_RULESET *Set, IG_INDEX_SLOT *Slots, uint32_t SlotCount, uint32_t *Positions);

/*
 * Positions the cursor on the exceptions of List whose originator is one of Originators
 * (duplicates allowed) and whose victim is wild or equal to Victim.
 */
void IgIndexBegin(IG_INDEX_CURSOR *Cursor, const IG_RULESET_INDEX *Index, IG_LIST_ID List, const uint32_t *Originators,
                  uint32_t OriginatorCount, uint32_t Victim);

/* Next candidate (an index into Set->Exceptions) in list order; false when there are no more. */
bool IgIndexNext(IG_INDEX_CURSOR *Cursor, uint32_t *Exception);

#endif /* INTROGUARD_RULESET_INDEX_H */
