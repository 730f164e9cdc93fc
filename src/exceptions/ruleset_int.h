/*
 * Private to the rule-set files: what loading needs from the indexing side.
 */
#ifndef INTROGUARD_RULESET_INT_H
#define INTROGUARD_RULESET_INT_H

#include "ruleset.h"

/* Room for the sequence-number index: dense enough numbering fits, anything sparser goes
 * without (see IG_RULESET.SeqIndex). */
#define IG_SEQ_INDEX_CAPACITY(Signatures) (4u * (Signatures) + 64u)

/*
 * Sort scratch for the load, allocated from Allocator the first time a list or the signature ID
 * index has to be sorted (files hvmi's compiler writes never need it); the loader frees Items.
 */
typedef struct IG_SCRATCH
{
    const IG_ALLOCATOR *Allocator;
    uint32_t *Items;
    size_t Wanted; /* bytes asked for (for the error message) */
} IG_SCRATCH;

/*
 * Builds the lists and the signature ID indexes of a filled set.  ListOf holds each exception's
 * list (IgRoutePlain in ruleset_load.c, or the glob list); Set->SeqIndex has room for
 * min(IG_SEQ_INDEX_CAPACITY(SignatureCount), highest sequence number + 1) entries.  Returns
 * INSUFFICIENT_RESOURCES when the scratch a sort needs cannot be allocated.
 */
__attribute__((warn_unused_result)) INTSTATUS IgRuleSetBuildIndexes(IG_RULESET *Set, const uint8_t *ListOf,
                                                                    IG_SCRATCH *Scratch);

/* Frees the set's blocks (the set's own, the exceptions and the search index). */
void IgRuleSetFree(IG_RULESET *RuleSet);

#endif /* INTROGUARD_RULESET_INT_H */
