/*
 * The search index of a rule set, so that a violation only visits exceptions that could match it.
 *
 * hvmi walks whole lists (every `*` exception for every violation).  We keep hvmi's lists and
 * their order, and find the exceptions of a list whose originator is one of a few hashes and
 * whose victim is wild or equal to the violation's (wild: `*`, and `[own]` for kernel exceptions,
 * which needs the violation to decide).  The candidates come out in exactly hvmi's list order, so
 * the per-exception checks still decide everything; the index only skips exceptions whose
 * originator or victim name cannot be equal.
 *
 * The load's lists are already in originator order (buckets and process creation are sorted, the
 * generic and no-name lists have one originator), so the index is mostly a directory over them:
 *   - a list of at most IG_INDEX_SCAN_MAX exceptions has nothing: a lookup walks it;
 *   - otherwise a directory on the originator's bits gives the few entries an originator can be
 *     among (a list not in originator order, such as a feedback list, gets a permutation first);
 *   - an originator with more than IG_INDEX_GROUP_MAX exceptions gets a victim view: its
 *     positions sorted by (victim, position), so a lookup takes the wild run and the victim's run
 *     instead of walking the group.  Smaller groups are filtered by victim as they are walked.
 * Building it is one sequential walk over the lists and no hashing, then a pass over the large
 * groups; it costs about 2 bytes per exception (the directory) plus about 11 per exception in a
 * large group (its view entry and its share of the group).
 *
 * Built by the load (IG_RULESET.Index, one block of its own), so evaluations never build or
 * allocate anything.  The glob list is not indexed (patterns are text); it is scanned with hvmi's
 * first-character prefilter.
 */
#ifndef INTROGUARD_RULESET_INDEX_H
#define INTROGUARD_RULESET_INDEX_H

#include "ruleset.h"

#define IG_INDEX_MAX_ORIGINATORS 4u
#define IG_INDEX_MAX_RUNS (2u * IG_INDEX_MAX_ORIGINATORS)
#define IG_INDEX_SCAN_MAX 4u      /* lists this short are walked whole */
#define IG_INDEX_GROUP_MAX 8u     /* originator groups this small are filtered by victim as they are walked */
#define IG_INDEX_VIEW_DIR_MIN 16u /* views this small are searched without a directory */

/* How a lookup reads a list (IG_INDEX_LIST.Mode). */
typedef enum IG_INDEX_MODE
{
    IgIndexModeScan = 0,    /* at most IG_INDEX_SCAN_MAX exceptions: walked whole */
    IgIndexModeOne = 1,     /* one originator, at most IG_INDEX_GROUP_MAX exceptions: walked */
    IgIndexModeOneView = 2, /* one originator, many exceptions: the list's only group has a view */
    IgIndexModeDir = 3,     /* several originators: the directory */
} IG_INDEX_MODE;

/* One source of candidates: entries whose low 32 bits are list positions, ascending. */
typedef struct IG_INDEX_RUN
{
    const uint64_t *At;
    const uint64_t *End;
} IG_INDEX_RUN;

/* Candidates of one list for one violation, in list order. */
typedef struct IG_INDEX_CURSOR
{
    const IG_RULESET *Set;
    IG_INDEX_RUN Run[IG_INDEX_MAX_RUNS]; /* the non-empty ones */
    uint32_t RunCount;
    uint32_t Next; /* exhaustive mode: the next and end positions in Set->ListItems */
    uint32_t End;
    uint32_t SmallCount;
    /* Candidates of a short list or of small groups, found when the cursor is positioned. */
    uint64_t Small[IG_INDEX_MAX_ORIGINATORS * IG_INDEX_GROUP_MAX];
} IG_INDEX_CURSOR;

/*
 * Builds Set's index (the lists must be built) in two blocks from Allocator (the directories,
 * then the groups and views, each sized exactly), recorded in Set->Index and added to
 * Set->AllocSize.  Scratch for a list that is not in originator order and for the groups found is
 * freed before returning.  Returns INSUFFICIENT_RESOURCES, with *Wanted the bytes asked for, when
 * a block cannot be allocated (Set->Index is then empty).
 */
__attribute__((warn_unused_result)) INTSTATUS IgRuleSetIndexBuild(IG_RULESET *Set, const IG_ALLOCATOR *Allocator,
                                                                  size_t *Wanted);

/* Frees the index block of a set (nothing if it has none). */
void IgRuleSetIndexFree(IG_RULESET *Set);

/* The out-of-line parts of IgIndexBegin and IgIndexNext, for non-empty lists and cursors. */
void IgIndexBeginList(IG_INDEX_CURSOR *Cursor, const IG_RULESET_INDEX *Index, IG_LIST_ID List,
                      const uint32_t *Originators, uint32_t OriginatorCount, uint32_t Victim);
bool IgIndexNextRun(IG_INDEX_CURSOR *Cursor, uint32_t *Exception);

/*
 * Positions the cursor on the exceptions of List whose originator is one of Originators
 * (duplicates allowed) and whose victim is wild or equal to Victim.  Inline: most lists a
 * violation meets are empty, and then this is two stores.
 */
static inline void IgIndexBegin(IG_INDEX_CURSOR *Cursor, const IG_RULESET_INDEX *Index, IG_LIST_ID List,
                                const uint32_t *Originators, uint32_t OriginatorCount, uint32_t Victim)
{
    Cursor->RunCount = 0;
    Cursor->Next = Cursor->End = 0;
    if (Index->Set->Lists[List].Count != 0)
    {
        IgIndexBeginList(Cursor, Index, List, Originators, OriginatorCount, Victim);
    }
}

/* Next candidate (an index into Set->Exceptions) in list order; false when there are no more. */
static inline bool IgIndexNext(IG_INDEX_CURSOR *Cursor, uint32_t *Exception)
{
    if (Cursor->RunCount == 0 && Cursor->Next == Cursor->End)
    {
        return false;
    }
    return IgIndexNextRun(Cursor, Exception);
}

#endif /* INTROGUARD_RULESET_INDEX_H */
