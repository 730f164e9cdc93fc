/*
 * Private to the rule-set files: what loading needs from the indexing side.
 */
#ifndef INTROGUARD_RULESET_INT_H
#define INTROGUARD_RULESET_INT_H

#include "ruleset.h"

/* Room for the sequence-number index: dense enough numbering fits, anything sparser goes
 * without (see IG_RULESET.SeqIndex). */
#define IG_SEQ_INDEX_CAPACITY(Signatures) (4u * (Signatures) + 64u)

/* hvmi's list routing (spec §6.1), except that KUM no-name exceptions go to the KUM list.
 * Takes values, not the stored exception: reading back what was just written stalls the loop. */
static inline uint8_t IgRouteException(uint8_t Kind, uint8_t ObjectType, uint32_t Flags, uint32_t Originator)
{
    bool feedback = (Flags & IG_EXC_FLG_FEEDBACK) != 0;
    uint32_t generic, noName, fb, buckets;

    switch (Kind)
    {
        case IgRecKernel:
            generic = IgListKernelGeneric, noName = IgListKernelNoName, fb = IgListKernelFeedback;
            buckets = IgListKernelBuckets;
            break;
        case IgRecKernelUser:
            generic = IgListKernelUserGeneric, noName = IgListKernelUserNoName, fb = IgListKernelUserFeedback;
            buckets = IgListKernelUserBuckets;
            break;
        case IgRecUserGlob:
            return IgListUserGlob;
        default: /* user and user-APC */
            if (ObjectType == IG_UM_OBJ_PROCESS_CREATION)
            {
                return feedback ? IgListProcessCreationFeedback : IgListProcessCreation;
            }
            generic = IgListUserGeneric, noName = IgListUserNoName, fb = IgListUserFeedback;
            buckets = IgListUserBuckets;
            break;
    }
    if (feedback)
    {
        return (uint8_t)fb;
    }
    if (Originator == IG_NAME_ANY)
    {
        return (uint8_t)generic;
    }
    if (Originator == IG_NAME_NONE)
    {
        return (uint8_t)noName;
    }
    return (uint8_t)(buckets + IG_BUCKET(Originator));
}

/*
 * Builds the lists and the signature ID indexes of a filled set.  ListOf holds each exception's
 * list (IgRouteException); Scratch has room for max(ExceptionCount, SignatureCount) entries;
 * Set->SeqIndex has room for IG_SEQ_INDEX_CAPACITY(SignatureCount) entries.
 */
void IgRuleSetBuildIndexes(IG_RULESET *Set, const uint8_t *ListOf, uint32_t *Scratch);

/* Frees the set's blocks (Exceptions and SigIds are allocations of their own). */
void IgRuleSetFree(IG_RULESET *RuleSet);

#endif /* INTROGUARD_RULESET_INT_H */
