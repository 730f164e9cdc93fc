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
 * Built from the immutable IG_RULESET; owned next to it (IG_EXC_RULES).  The glob list is not
 * indexed (patterns are text); it is scanned with hvmi's first-character prefilter.
 */
#ifndef INTROGUARD_RULESET_INDEX_H
#define INTROGUARD_RULESET_INDEX_H

#include "ruleset.h"

typedef struct IG_INDEX_SLOT
{
    uint32_t Originator;
    uint32_t Victim;
    uint8_t List; /* IG_LIST_ID + 1; 0 = empty slot */
    uint8_t Wild;
    uint32_t First; /* into IG_RULESET_INDEX.Positions */
    uint32_t Count;
} IG_INDEX_SLOT;

typedef struct IG_RULESET_INDEX
{
    const IG_RULESET *Set;
    uint32_t SlotMask; /* slot count - 1 (power of two), 0 when there are no slots */
    IG_INDEX_SLOT *Slots;
    uint32_t *Positions; /* offsets into Set->ListItems, ascending inside each run */
    IG_ALLOCATOR Allocator;
    bool Exhaustive; /* tests: walk whole lists as hvmi does, to check the index changes nothing */
} IG_RULESET_INDEX;

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

/* Builds the index of Set (which must outlive it).  On error nothing is allocated. */
__attribute__((warn_unused_result)) INTSTATUS IgRuleSetIndexBuild(const IG_ALLOCATOR *Allocator, const IG_RULESET *Set,
                                                                  IG_RULESET_INDEX *Index);

/* Frees what IgRuleSetIndexBuild allocated; a zeroed index is fine. */
void IgRuleSetIndexFree(IG_RULESET_INDEX *Index);

/*
 * The search index of Set, built on first use (by whichever caller gets there first; concurrent
 * callers never wait, a loser frees its copy) and freed with the set.
 */
__attribute__((warn_unused_result)) INTSTATUS IgRuleSetSearchIndex(IG_RULESET *Set, const IG_RULESET_INDEX **Index);

/* Frees the index IgRuleSetSearchIndex attached to Set, if any (the set's release does this). */
void IgRuleSetSearchIndexFree(IG_RULESET *Set);

/*
 * Positions the cursor on the exceptions of List whose originator is one of Originators
 * (duplicates allowed) and whose victim is wild or equal to Victim.
 */
void IgIndexBegin(IG_INDEX_CURSOR *Cursor, const IG_RULESET_INDEX *Index, IG_LIST_ID List, const uint32_t *Originators,
                  uint32_t OriginatorCount, uint32_t Victim);

/* Next candidate (an index into Set->Exceptions) in list order; false when there are no more. */
bool IgIndexNext(IG_INDEX_CURSOR *Cursor, uint32_t *Exception);

#endif /* INTROGUARD_RULESET_INDEX_H */
