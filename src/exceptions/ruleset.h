/*
 * The rule set: an immutable, indexed image of one exceptions file.
 *
 * IgRuleSetLoad decodes and validates the whole buffer, then builds everything the matchers need
 * in three allocations (the exceptions, their signature IDs, and one block for the rest): the
 * exceptions, hvmi's lists (generic, no-name, 16 name-hash buckets and feedback per kind,
 * process-creation, glob), the signatures grouped by type, an ID index and the search index.
 * Once built it never changes, so evaluations allocate nothing; readers share it by reference
 * count, and it is freed by whoever drops the last reference.
 */
#ifndef INTROGUARD_RULESET_H
#define INTROGUARD_RULESET_H

#include <stdatomic.h>
#include <stdbool.h>

#include "../common/alloc.h"
#include "update_file.h"

/* The guest OS decides which records are kept (hvmi filters on the `linux` flag at load time). */
typedef enum IG_GUEST_OS
{
    IgGuestOsUnknown = 0, /* not identified yet: keep every record, as hvmi does */
    IgGuestOsWindows = 1,
    IgGuestOsLinux = 2,
} IG_GUEST_OS;

#define IG_BUCKET_COUNT 16u
#define IG_BUCKET(Hash) ((uint32_t)(Hash) >> 28)

/* hvmi's exception lists (spec/exceptions-binary-format.md §6.1). */
typedef enum IG_LIST_ID
{
    IgListKernelGeneric,
    IgListKernelNoName,
    IgListKernelFeedback,
    IgListKernelBuckets, /* .. + 15 */
    IgListUserGeneric = IgListKernelBuckets + IG_BUCKET_COUNT,
    IgListUserNoName,
    IgListUserFeedback,
    IgListUserBuckets,
    IgListKernelUserGeneric = IgListUserBuckets + IG_BUCKET_COUNT,
    IgListKernelUserNoName,
    IgListKernelUserFeedback,
    IgListKernelUserBuckets,
    IgListProcessCreation = IgListKernelUserBuckets + IG_BUCKET_COUNT,
    IgListProcessCreationFeedback,
    IgListUserGlob,
    IgListCount
} IG_LIST_ID;

/* Signature kinds, in ascending type-code order (the order the compiler writes them). */
typedef enum IG_SIG_KIND
{
    IgSigVersionOs,
    IgSigVersionIntro,
    IgSigProcessCreation,
    IgSigExport,
    IgSigValue,
    IgSigIdt,
    IgSigValueCode,
    IgSigCodeBlocks,
    IgSigKindCount
} IG_SIG_KIND;

#define IG_NO_INDEX 0xFFFFFFFFu

/*
 * One exception.  The first 20 bytes mirror a user-mode record's fixed head (originator, victim,
 * process, flags, a byte, object type, signature count) so the loader can copy a head at once on
 * little-endian hosts; the byte that is reserved in the file holds the kind here.
 */
typedef struct IG_EXCEPTION
{
    uint32_t Originator; /* name hash or special value */
    uint32_t Victim;
    uint32_t Process; /* victim process (UM, APC, KUM); 0 for KM */
    uint32_t Flags;   /* as in the file, plus hvmi's default access bit */
    uint8_t Kind;     /* IG_RECORD_TYPE */
    uint8_t ObjectType;
    uint16_t SigCount;
    uint32_t SigFirst;    /* first ID in IG_RULESET.SigIds */
    uint32_t RecordIndex; /* position of the record in the file */
    uint32_t Glob;        /* index in IG_RULESET.Globs for glob records, else IG_NO_INDEX */
} IG_EXCEPTION;

typedef struct IG_GLOB
{
    /* Offsets of NUL-terminated patterns in IG_RULESET.GlobText. */
    uint32_t Originator;
    uint32_t Victim;
    uint32_t Process;
    uint8_t OriginatorLen;
    uint8_t VictimLen;
    uint8_t ProcessLen;
} IG_GLOB;

typedef struct IG_CB_LIST
{
    uint32_t First; /* into IG_RULESET.CbHashes */
    uint32_t Count;
} IG_CB_LIST;

typedef struct IG_EXPORT_ENTRY
{
    uint32_t FunctionHash;
    uint16_t Delta;
} IG_EXPORT_ENTRY;

typedef struct IG_VALUE_ENTRY
{
    uint32_t Hash;
    uint16_t Offset;
    uint16_t Size;
} IG_VALUE_ENTRY;

typedef struct IG_SIGNATURE
{
    uint32_t Id;
    uint32_t Flags;
    uint32_t RecordIndex;
    uint32_t First; /* codeblocks: CbLists; export: ExportEntries; value: ValueEntries; value-code: Pattern */
    uint16_t Count; /* lists, entries or pattern items */
    uint8_t Kind;   /* IG_SIG_KIND */
    uint8_t Score;  /* codeblocks and value */
    union
    {
        uint32_t Library;    /* export */
        int16_t CodeOffset;  /* value-code */
        uint8_t IdtEntry;    /* idt */
        uint32_t CreateMask; /* process-creation */
        struct
        {
            uint64_t Minimum;
            uint64_t Maximum;
        } Version; /* version-os, version-intro: raw 8-byte bounds */
    } u;
} IG_SIGNATURE;

typedef struct IG_RANGE
{
    uint32_t First;
    uint32_t Count;
} IG_RANGE;

/* What a load saw besides the rule set itself; all of it is reported, none of it is fatal. */
typedef struct IG_LOAD_STATS
{
    uint32_t Records;
    uint32_t RecordsByType[256];
    uint32_t UnknownRecords;    /* skipped by size */
    uint32_t IgnoredExceptions; /* `ignore` flag */
    uint32_t OsFiltered;        /* other OS */
    uint32_t UnsortedBuckets;   /* lists whose hashes were not ascending in the file (we sort them) */
    uint32_t SigTypeMismatches; /* signature ID type bits disagree with the record type */
    uint32_t DuplicateSigIds;   /* IDs defined more than once; the first one wins */
    uint32_t DanglingSigRefs;   /* exception references to IDs no signature has */
} IG_LOAD_STATS;

struct IG_RULESET;

/*
 * The search index of one list (ruleset_index.h).  A list is walked in originator order: its own
 * order when that is ascending by originator (buckets, process creation, and the generic and
 * no-name lists, whose originator is fixed), else a permutation in Order.  A directory on the
 * originator's bits narrows a lookup to a few entries; originators with more than
 * IG_INDEX_GROUP_MAX exceptions have a victim view, so a lookup never walks a long group.
 */
typedef struct IG_INDEX_LIST
{
    uint8_t Mode;    /* how a lookup reads the list (IG_INDEX_MODE, ruleset_index.h) */
    uint8_t DirBits; /* slot = (Originator << DirSkip) >> (32 - DirBits) */
    uint8_t DirSkip; /* 4 for buckets, whose top four bits are the bucket; else 0 */
    uint8_t WildMax; /* victims up to this value match any name: 1 in kernel lists (`[own]`), else 0 */
    uint32_t Order;  /* into IG_RULESET_INDEX.Order (Count entries), or IG_NO_INDEX: the list's own order */
    uint32_t Dir;    /* into IG_RULESET_INDEX.Dir ((1 << DirBits) + 1 entries), or IG_NO_INDEX: no directory */
    uint32_t Groups; /* into IG_RULESET_INDEX.Groups, ascending by Start */
    uint32_t GroupCount;
} IG_INDEX_LIST;

/*
 * An originator group with a victim view: its list positions sorted by (victim key, position),
 * wild ones (key 0) first, with a directory on the victim's bits over the rest.
 */
typedef struct IG_INDEX_GROUP
{
    uint32_t Start; /* the group's first entry, in the list's originator order */
    uint32_t Count;
    uint32_t View; /* into IG_RULESET_INDEX.Views */
    uint32_t Wild; /* the first Wild view entries have a wild victim */
    uint32_t Dir;  /* into IG_RULESET_INDEX.ViewDir: the victim directory of a group of more than
                      IG_INDEX_VIEW_DIR_MIN (IgViewDirBits(Count) bits), else IG_NO_INDEX */
} IG_INDEX_GROUP;

/* The search index of a set (ruleset_index.h), built by the load in a block of its own. */
typedef struct IG_RULESET_INDEX
{
    const struct IG_RULESET *Set;
    IG_INDEX_LIST Lists[IgListCount];
    uint32_t *Order; /* list offsets (from the list's first position), per permuted list */
    uint32_t *Dir;   /* per list, offsets into its originator order */
    IG_INDEX_GROUP *Groups;
    uint64_t *Views;   /* (victim key << 32) | list position; the key is the victim, 0 for a wild one */
    uint32_t *ViewDir; /* per large view, offsets into the view */
    uint32_t OrderCount;
    uint32_t DirCount;
    uint32_t GroupCount;
    uint32_t ViewCount;
    uint32_t ViewDirCount;
    void *Lookup; /* the allocation holding Order and Dir */
    size_t LookupSize;
    void *Block; /* the allocation holding Groups, Views and ViewDir */
    size_t BlockSize;
    bool Exhaustive; /* tests and benchmarks: walk whole lists as hvmi does, to check the index changes nothing */
} IG_RULESET_INDEX;

typedef struct IG_RULESET
{
    atomic_uint RefCount;
    IG_ALLOCATOR Allocator;
    size_t AllocSize; /* bytes allocated for the set, all blocks together */

    IG_FILE_HEADER Header;
    IG_GUEST_OS Os;
    IG_LOAD_STATS Stats;

    uint32_t ExceptionCount;
    IG_EXCEPTION *Exceptions; /* file order, but glob records after all others */
    IG_RANGE Lists[IgListCount];
    uint32_t *ListItems; /* exception indexes; each list in file order, buckets stably sorted by Originator */

    uint32_t SigIdCount;
    uint32_t *SigIds; /* the exceptions' signature ID arrays, back to back */

    uint32_t SignatureCount;
    IG_SIGNATURE *Signatures; /* grouped by kind, file order within a kind */
    IG_RANGE SigKinds[IgSigKindCount];
    uint32_t SigByIdCount;
    uint32_t *SigById; /* signature indexes sorted by (Id, file order); only those whose ID type matches */
    /* Direct index by sequence number (ID bits 0-21), used when the sequence numbers are dense
     * enough (compiler output always is): entry = signature index or IG_NO_INDEX.  Empty
     * (SeqIndexCount 0) otherwise; lookups then use SigById. */
    uint32_t SeqIndexCount;
    uint32_t *SeqIndex;

    uint32_t GlobCount;
    IG_GLOB *Globs;
    char *GlobText;

    uint32_t CbListCount;
    IG_CB_LIST *CbLists;
    uint32_t CbHashCount;
    uint32_t *CbHashes;
    uint32_t ExportEntryCount;
    IG_EXPORT_ENTRY *ExportEntries;
    uint32_t ValueEntryCount;
    IG_VALUE_ENTRY *ValueEntries;
    uint32_t PatternCount;
    uint16_t *Pattern;

    /* What the searches use to visit only the exceptions a violation could match (ruleset_index.h). */
    IG_RULESET_INDEX Index;
} IG_RULESET;

/*
 * Decodes Buffer into a new rule set (reference count 1) owned by the caller.  On any error
 * *RuleSet is NULL, nothing is allocated and Error says where and why.  Buffer is only read
 * during the call.
 */
__attribute__((warn_unused_result)) INTSTATUS IgRuleSetLoad(const IG_ALLOCATOR *Allocator, const void *Buffer,
                                                            size_t Length, IG_GUEST_OS Os, IG_RULESET **RuleSet,
                                                            IG_PARSE_ERROR *Error);

/*
 * Whether a built set keeps every promise it makes its readers: the lists partition the
 * exceptions in hvmi's order (buckets ascending by originator), signatures are grouped and
 * indexed, payloads lie inside their pools, and the search index holds each listed exception
 * exactly once under its key.  Linear in the size of the set.  The sanitizer build asserts it
 * after every load (IG_ASSERT, common/invariant.h); tests call it directly.
 */
bool IgRuleSetConsistent(const IG_RULESET *Set);

/* The search-index part of IgRuleSetConsistent (ruleset_index.c). */
bool IgRuleSetIndexConsistent(const IG_RULESET *Set);

/* Takes one more reference. */
void IgRuleSetRetain(IG_RULESET *RuleSet);

/* Drops a reference; the last one frees the set.  NULL is allowed. */
void IgRuleSetRelease(IG_RULESET *RuleSet);

/* The signature with this ID (first one in file order), or NULL. */
const IG_SIGNATURE *IgRuleSetFindSignature(const IG_RULESET *RuleSet, uint32_t Id);

/* The kind of a signature type code (IG_SIG_TYPE), or IgSigKindCount if it is not one. */
IG_SIG_KIND IgSigKindFromType(uint32_t TypeCode);

/*
 * A slot holding the current rule set of one guest.  Readers take a reference in a few
 * instructions and never wait for a reload in progress: a reload builds its set outside the
 * slot and only swaps a pointer.  The old set lives on until its last reader releases it.
 */
typedef struct IG_RULESET_SLOT
{
    atomic_flag Lock; /* guards only the pointer read + reference increment */
    IG_RULESET *Current;
} IG_RULESET_SLOT;

void IgRuleSetSlotInit(IG_RULESET_SLOT *Slot);

/* Returns the current set with a reference taken (release it with IgRuleSetRelease), or NULL. */
IG_RULESET *IgRuleSetSlotAcquire(IG_RULESET_SLOT *Slot);

/* Installs New (taking over the caller's reference; NULL empties the slot) and drops the old one. */
void IgRuleSetSlotPublish(IG_RULESET_SLOT *Slot, IG_RULESET *New);

#endif /* INTROGUARD_RULESET_H */
