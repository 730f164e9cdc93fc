/*
 * The signatures that read guest code or guest images (spec/signatures.md §2.1, §2.2, §2.4, §3.7):
 * codeblocks, value-code and export.  Each kind has a group step, done once per exception group
 * (read the code window, find the export), and a per-signature step; the matcher's signature
 * walk (OS, bitness and ID order) calls them.
 *
 * Signature payloads are reached through IG_SIG_ARRAYS, so file signatures (a rule set) and
 * alert-created ones (kept elsewhere) are evaluated by the same code.
 */
#ifndef INTROGUARD_SIG_CODE_H
#define INTROGUARD_SIG_CODE_H

#include "../common/pe_exports.h"
#include "codeblocks_int.h"

/* Where the payloads of a set of signatures live. */
typedef struct IG_SIG_ARRAYS
{
    const IG_CB_LIST *CbLists;
    uint32_t CbListCount;
    const uint32_t *CbHashes;
    uint32_t CbHashCount;
    const IG_EXPORT_ENTRY *ExportEntries;
    uint32_t ExportEntryCount;
    const uint16_t *Pattern;
    uint32_t PatternCount;
} IG_SIG_ARRAYS;

IG_SIG_ARRAYS IgSigArraysOfRuleSet(const IG_RULESET *Set);

/* ---- Codeblocks -------------------------------------------------------------------------------------------------- */

/*
 * One codeblocks signature against the hashes IgCbExtract left in Context (§3.7 step 4): false
 * when the level filter skips it (medium flag at normal level) or no list reaches the score.
 * Bitness and OS filters are the caller's.
 */
bool IgSigCodeBlocksMatch(const IG_SIG_ARRAYS *Arrays, const IG_SIGNATURE *Sig, const IG_CODE_CONTEXT *Context,
                          IG_CB_LEVEL Level);

/* ---- Value-code -----------------------------------------------------------------------------------------------------
 */

/* How one value-code signature ended (for diagnostics: a skip and a mismatch both fail the signature). */
typedef enum IG_VALUE_CODE_RESULT
{
    IgValueCodeMatched = 0,
    IgValueCodeMismatch,     /* a byte differs */
    IgValueCodeUnmapped,     /* the page at RIP + Offset is not readable: skipped */
    IgValueCodeTailUnmapped, /* the pattern continues into unreadable memory: skipped */
    IgValueCodeLevelSkipped, /* medium signature at normal level */
    IgValueCodeBadPattern,   /* the pattern lies outside the rule set's arrays */
} IG_VALUE_CODE_RESULT;

/*
 * §2.4: compares the signature's pattern (items 0x00-0xFF exact, 0x100 any byte, anything else
 * never matches) with the guest bytes at Rip + Offset in address space Cr3, page by page.
 */
IG_VALUE_CODE_RESULT IgSigValueCodeMatch(const IG_SIG_ARRAYS *Arrays, const IG_SIGNATURE *Sig,
                                         const IG_GUEST_VMEM *Memory, uint64_t Cr3, uint64_t Rip, IG_CB_LEVEL Level);

/* ---- Export -------------------------------------------------------------------------------------------------------
 */

/* What the export group needs to know about the victim and the write. */
typedef struct IG_EXPORT_VICTIM
{
    bool HasModule; /* the victim address lies in a known user-mode module */
    uint64_t ModuleBase;
    uint32_t ModuleNameHash; /* CRC of the UTF-16LE lower-cased file name (IgNameHashWideAscii) */
    uint64_t Cr3;            /* the victim process */
    uint64_t Gva;            /* the write (EPT) or injection address */
    uint32_t AccessSize;     /* write size or injection length */
} IG_EXPORT_VICTIM;

typedef enum IG_EXPORT_STATE_KIND
{
    IgExportNoModule = 0, /* no module: the group fails */
    IgExportUnreadable,   /* the headers or directory could not be read: the group fails (hvmi would pass) */
    IgExportMalformed,    /* the directory is malformed: the group fails (hvmi would pass; see docs) */
    IgExportReady,        /* Export says whether an export was found */
} IG_EXPORT_STATE_KIND;

/* The group step's result, shared by the signatures of the group. */
typedef struct IG_EXPORT_STATE
{
    IG_EXPORT_STATE_KIND Kind;
    IG_PE_ERROR Error;    /* why, for Unreadable and Malformed */
    IG_PE_EXPORT Export;  /* Ready: the export at or up to 31 bytes before the write */
    uint32_t WriteOffset; /* Ready and found: write RVA - export RVA (0..31) */
    uint32_t AccessSize;
    uint32_t ModuleNameHash;
} IG_EXPORT_STATE;

/*
 * Reads the victim module's export directory into Scratch (ScratchSize bytes, normally a code
 * context's ExportScratch) and looks the write up (§2.2).  Returns SUCCESS with State filled, or
 * DATA_BUFFER_TOO_SMALL for a directory larger than Scratch.  Allocates nothing.
 */
__attribute__((warn_unused_result)) INTSTATUS IgSigExportPrepare(const IG_GUEST_VMEM *Memory,
                                                                 const IG_EXPORT_VICTIM *Victim, uint8_t *Scratch,
                                                                 size_t ScratchSize, IG_EXPORT_STATE *State);

/*
 * One export signature (§2.2) for a Ready state.  GroupIndex is the position of the signature's
 * ID inside the exception's export group: hvmi tests entry GroupIndex (not the current entry)
 * for the "no export" name (B1); we reproduce that while it is inside the entry array.
 */
bool IgSigExportMatch(const IG_SIG_ARRAYS *Arrays, const IG_SIGNATURE *Sig, uint32_t GroupIndex,
                      const IG_EXPORT_STATE *State);

/* Special export-name hashes. */
#define IG_EXPORT_HASH_ANY 0u
#define IG_EXPORT_HASH_NONE 4u

#endif /* INTROGUARD_SIG_CODE_H */
