/*
 * Code-blocks: fingerprints of the code around a RIP (spec/signatures.md §3).
 *
 * The code around the RIP is read once into an engine buffer (§3.3), reduced to a pattern of
 * code-ins values (§3.4: hvmi's fast-path byte rules, then the decoder), cut into overlapping
 * 8-entry blocks at pivot instructions and hashed (§3.5).  The matcher compares the sorted hashes
 * with a signature's hash lists (§3.6); the alert side keeps blocks in address order with their
 * offsets and builds the 6-hash signature an alert carries (§3.8, api-and-alerts.md §5.4).
 *
 * IG_CODE_CONTEXT is the per-guest state: the decoder (one capstone handle per guest), the
 * working buffers and the export-directory scratch, so no evaluation allocates.  It is used by
 * one thread at a time.
 */
#ifndef INTROGUARD_CODEBLOCKS_INT_H
#define INTROGUARD_CODEBLOCKS_INT_H

#include "../common/guestmem.h"
#include "disasm.h"
#include "ruleset.h"

/* §3.3: the window around the RIP. */
#define IG_CB_HALF_WINDOW 0x250u
#define IG_CB_READ_SIZE (2u * IG_CB_HALF_WINDOW - 1u) /* 0x49F: not execute */
#define IG_CB_EXEC_READ_SIZE (IG_CB_HALF_WINDOW - 1u) /* 0x24F: execute */
#define IG_CB_GUARD 15u                               /* bytes read but not parsed */

/* §3.4-§3.5 caps. */
#define IG_CB_BLOCK_LENGTH 8u
#define IG_CB_PATTERN_MAX 1024u                               /* matcher */
#define IG_CB_HASHES_MAX (IG_CB_READ_SIZE / 4u)               /* 295; 147 for execute windows */
#define IG_CB_ALERT_PATTERN_MAX (4096u / 5u)                  /* 819 */
#define IG_CB_ALERT_BLOCKS_MAX (IG_CB_ALERT_PATTERN_MAX / 4u) /* 204 */
#define IG_CB_ALERT_EXPORTED 64u                              /* INTRO_CODEBLOCKS.CodeBlocks[] */
#define IG_CB_ALERT_SIG_HASHES 6u                             /* ALERT_CB_SIGNATURE.CodeBlocks[] */

/* Signature flags the code signatures look at (spec/signatures.md §1.2; LINUX is IG_SIG_FLG_LINUX). */
#define IG_SIG_FLAG_32 0x00000001u
#define IG_SIG_FLAG_64 0x00000002u
#define IG_SIG_FLAG_MEDIUM 0x00000004u

typedef enum IG_CB_LEVEL
{
    IgCbLevelNormal = 0, /* code-ins 1..7 */
    IgCbLevelMedium = 1, /* code-ins 1..10 and 12 */
} IG_CB_LEVEL;

/* Where the window of §3.3 lies in the RIP's page: page offset of its first byte and its size. */
void IgCbWindow(uint64_t Rip, bool Execute, uint32_t *Start, uint32_t *Size);

/*
 * hvmi's fast-path byte rules (§3.4.3) at Code with Avail bytes before the end of the parsed
 * region.  Returns true when a rule fires, with its length and class (IgCbInsNone for "no class",
 * and for medium-only classes at normal level).
 */
bool IgCbFastPath(const uint8_t *Code, size_t Avail, bool Mode64, IG_CB_LEVEL Level, uint8_t *Length, uint8_t *Class);

/*
 * Turns Region[0 .. Length) into a pattern (§3.4).  FastPath selects the matcher's loop (fast
 * path first, tail rule of §3.4.1) or the alert loop (decoder only).  At most Cap entries are
 * written to Pattern; Offsets (may be NULL) receives each entry's offset in Region.
 */
__attribute__((warn_unused_result)) INTSTATUS IgCbExtractPattern(IG_DISASM *Disasm, const uint8_t *Region,
                                                                 size_t Length, bool Mode64, IG_CB_LEVEL Level,
                                                                 bool FastPath, uint32_t Cap, uint8_t *Pattern,
                                                                 uint16_t *Offsets, uint32_t *Count);

/* The hash of one 8-entry block. */
uint32_t IgCbBlockHash(const uint8_t *Block);

/* Whether a code-ins value starts a block at Level. */
bool IgCbIsPivot(uint8_t Class, IG_CB_LEVEL Level);

/*
 * The matcher's blocks (§3.5): hashes of every pivot with 8 entries left, in address order, at
 * most Cap of them, then sorted ascending (duplicates kept).  Returns the number written.
 */
uint32_t IgCbHashPattern(const uint8_t *Pattern, uint32_t Count, IG_CB_LEVEL Level, uint32_t Cap, uint32_t *Hashes);

/*
 * §3.6: whether the sorted Extracted hashes satisfy a codeblocks signature: some list has at
 * least Score of its entries (with multiplicity) in Extracted.  Lists index Hashes; a list that
 * points outside Hashes is treated as empty.
 */
bool IgCbMatchLists(const uint32_t *Extracted, uint32_t ExtractedCount, const IG_CB_LIST *Lists, uint32_t ListCount,
                    const uint32_t *Hashes, uint32_t HashCount, uint8_t Score);

/* A codeblocks signature of a rule set against Extracted (bounds-checked against the set). */
bool IgCbMatchSignature(const IG_RULESET *Set, const IG_SIGNATURE *Sig, const uint32_t *Extracted,
                        uint32_t ExtractedCount);

/* ---- Per-guest context ------------------------------------------------------------------------------------------- */

/*
 * The matcher's code-blocks cache: the hashes of recent extractions, keyed by the window (its
 * address, size, CPU mode and level) and by the bytes read for it.  This layer sees guest memory
 * only through reads, with no signal that a page was written or unmapped, so an entry is used
 * only when the window read for the new violation holds exactly the bytes it was computed from:
 * the window is still read every time (an unmapped page still fails as it would), and what is
 * saved is decoding and hashing.  The hashes depend on nothing else, so a stale entry can never
 * be used.
 */
#define IG_CB_CACHE_ENTRIES 4u

typedef struct IG_CB_CACHE_ENTRY
{
    bool Valid;
    bool Mode64;
    uint8_t Level;
    uint32_t Size; /* bytes read (after the execute fallback) */
    uint32_t Cap;  /* the hash cap, from the requested window size */
    uint64_t Gva;  /* the window's first byte */
    uint64_t Used; /* the context's clock at the last use: the oldest entry is replaced */
    uint32_t HashCount;
    uint8_t Window[IG_CB_READ_SIZE];
    uint32_t Hashes[IG_CB_HASHES_MAX];
} IG_CB_CACHE_ENTRY;

typedef struct IG_CODE_CONTEXT
{
    IG_ALLOCATOR Allocator;
    IG_DISASM *Disasm;
    uint8_t *ExportScratch; /* IG_CODE_EXPORT_SCRATCH bytes, in the context's block: export directories */
    size_t ExportScratchSize;
    uint8_t Window[IG_CB_READ_SIZE];
    uint8_t Pattern[IG_CB_PATTERN_MAX];
    uint16_t Offsets[IG_CB_PATTERN_MAX];
    uint32_t Hashes[IG_CB_HASHES_MAX];
    uint32_t HashCount;
    IG_CB_CACHE_ENTRY Cache[IG_CB_CACHE_ENTRIES];
    uint64_t CacheClock;
    uint64_t CacheHits; /* extractions answered from the cache (tests, benchmarks) */
    uint64_t CacheMisses;
} IG_CODE_CONTEXT;

/* The largest export directory hvmi reads (IG_PE_EXPORT_DIR_MAX): room for any valid one. */
#define IG_CODE_EXPORT_SCRATCH 0x100000u

/* One block from Allocator for the context and its export scratch; capstone allocates its own. */
__attribute__((warn_unused_result)) INTSTATUS IgCodeContextCreate(const IG_ALLOCATOR *Allocator,
                                                                  IG_CODE_CONTEXT **Context);
void IgCodeContextDestroy(IG_CODE_CONTEXT *Context);

/* Forgets the cached extractions (benchmarks time cold extractions with it; never needed for correctness). */
void IgCodeContextFlushCache(IG_CODE_CONTEXT *Context);

/* What the matcher needs to fingerprint the code at a RIP. */
typedef struct IG_CB_REQUEST
{
    const IG_GUEST_VMEM *Memory;
    uint64_t Cr3; /* address space of the RIP */
    uint64_t Rip;
    bool Execute; /* an execute violation: the window starts at the RIP and may cross into the next page */
    bool Mode64;  /* CPU mode: 64-bit, else 32-bit */
    IG_CB_LEVEL Level;
} IG_CB_REQUEST;

/*
 * The matcher's extraction (§3.3-§3.5).  On success Context->Hashes holds Context->HashCount
 * sorted hashes (0 means "no code-blocks": the group is NOT_FOUND).  A failed read returns its
 * error (the caller reports InternalError), after the execute fallback of §3.3.  The window is
 * read every time; the decoding and hashing of a window whose bytes the context has seen recently
 * come from its cache (IG_CB_CACHE_ENTRY).
 */
__attribute__((warn_unused_result)) INTSTATUS IgCbExtract(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request);

/* ---- Alert side (§3.8) ---------------------------------------------------------------------------------------------
 */

typedef struct IG_CB_ALERT_BLOCK
{
    uint16_t Offset; /* page offset of the pivot (may exceed 0xFFF in execute windows) */
    uint8_t Pivot;   /* code-ins of the pivot */
    uint32_t Value;  /* hash */
} IG_CB_ALERT_BLOCK;

/* The code-blocks an alert carries (hvmi's INTRO_CODEBLOCKS). */
typedef struct IG_CB_ALERT
{
    bool Valid;
    uint64_t StartAddress;
    uint64_t Rip;
    uint32_t RipCbIndex;
    uint32_t Count;
    IG_CB_ALERT_BLOCK CodeBlocks[IG_CB_ALERT_EXPORTED];
} IG_CB_ALERT;

/* The alert's level: normal for a kernel RIP, medium otherwise (Windows rule; 64-bit Linux alike). */
IG_CB_LEVEL IgCbAlertLevel(uint64_t Rip, bool Guest64);

/*
 * Fills Alert for the code at Request->Rip (Request->Level as chosen by IgCbAlertLevel).  A read
 * failure or fewer than 8 pattern entries leave Alert invalid and return SUCCESS: the alert is
 * sent without code-blocks.
 */
__attribute__((warn_unused_result)) INTSTATUS IgCbAlertExtract(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request,
                                                               IG_CB_ALERT *Alert);

/* The codeblocks signature an alert carries (ALERT_CB_SIGNATURE). */
typedef struct IG_CB_ALERT_SIG
{
    bool Valid;
    uint32_t Flags; /* SIGNATURE_FLG_32 | _64 (+ LINUX) */
    uint8_t Score;
    uint8_t Count;
    uint32_t Hashes[IG_CB_ALERT_SIG_HASHES]; /* ascending */
} IG_CB_ALERT_SIG;

/* api-and-alerts.md §5.4: up to 6 consecutive blocks around the RIP block, sorted; Score = max(n-1, 1). */
void IgCbAlertSignature(const IG_CB_ALERT *Alert, bool Execute, bool Linux, IG_CB_ALERT_SIG *Sig);

#endif /* INTROGUARD_CODEBLOCKS_INT_H */
