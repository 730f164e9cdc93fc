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
 * Builds the lists and the signature ID indexes of a filled set.  ListOf holds each exception's
 * list (IgRoutePlain in ruleset_load.c, or the glob list); Scratch has room for max(ExceptionCount, SignatureCount)
 * entries; Set->SeqIndex has room for IG_SEQ_INDEX_CAPACITY(SignatureCount) entries.
 */
void IgRuleSetBuildIndexes(IG_RULESET *Set, const uint8_t *ListOf, uint32_t *Scratch);

/* Frees the set's blocks (Exceptions and SigIds are allocations of their own). */
void IgRuleSetFree(IG_RULESET *RuleSet);

#endif /* INTROGUARD_RULESET_INT_H */
