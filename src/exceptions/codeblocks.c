/*
 * Code-block extraction and matching (spec/signatures.md §3).  Guest bytes are read once into
 * the context's window buffer and examined only there; every loop is bounded by the window size
 * or a named cap.
 */
#include "codeblocks_int.h"

#include <string.h>

#include "../common/crc32.h"
#include "../common/invariant.h"
#include "../common/pe_exports.h"

#define IG_TAG_CODE_CONTEXT IG_TAG('C', 'b', 'C', 'x')

void IgCbWindow(uint64_t Rip, bool Execute, uint32_t *Start, uint32_t *Size)
{
    uint32_t off = IG_PAGE_OFFSET(Rip);

    if (Execute)
    {
        *Start = off;
        *Size = IG_CB_EXEC_READ_SIZE;
        return;
    }
    if (off <= IG_CB_HALF_WINDOW)
    {
        *Start = 0;
    }
    else if (off + IG_CB_HALF_WINDOW < IG_PAGE_SIZE)
    {
        *Start = off - IG_CB_HALF_WINDOW;
    }
    else
    {
        *Start = IG_PAGE_SIZE - 2 * IG_CB_HALF_WINDOW;
    }
    *Size = IG_CB_READ_SIZE;
}

/* ---- Fast path (§3.4.3) --------------------------------------------------------------------------------------------
 */

/* ModRM forms [reg+disp8] and [reg+disp32] with an SIB byte of 24 (rules 24/25, 37/38, 46). */
static bool IgIsSibDisp8(uint8_t Modrm)
{
    return (Modrm & 0xC7) == 0x44;
}

static bool IgIsSibDisp32(uint8_t Modrm)
{
    return (Modrm & 0xC7) == 0x84;
}

/* A fast-path rule fires: its length and class. */
static inline bool IgCbRule(size_t Avail, size_t Need, bool Test, uint8_t Len, uint8_t Cls, uint8_t *Length,
                            uint8_t *Class)
{
    if (Avail >= Need && Test)
    {
        *Length = Len;
        *Class = Cls;
        return true;
    }
    return false;
}

/* The classes that exist only at medium level, or none at normal level. */
typedef struct IG_CB_LEVEL_CLASSES
{
    uint8_t Flags, MovImm, MovMem, MovReg;
} IG_CB_LEVEL_CLASSES;

/*
 * Each rule: enough bytes (n >= k) and the byte test, then its length and class.  The byte tests
 * only look at the first k bytes, so testing n first is the same as hvmi's order and never reads
 * past the parsed region.  hvmi tries the rules one after the other; every rule but the REX group
 * tests the first byte, so the rules are grouped by it (a switch), each group in hvmi's order (the
 * numbers are §3.4.3's): the first that fires is the same one.
 */
#define IG_RULE(Need, Test, Len, Cls) IgCbRule(n, (Need), (Test), (Len), (Cls), Length, Class)

/* Rules 1-33 (both modes): true when one fires; *Tested says the first byte has rules here. */
static bool IgCbFastPathCommon(const uint8_t *b, size_t n, const IG_CB_LEVEL_CLASSES *L, uint8_t *Length,
                               uint8_t *Class, bool *Tested)
{
    const uint8_t none = IgCbInsNone;

    *Tested = true;
    switch (b[0])
    {
        case 0x90:
        case 0xCC:
            return IG_RULE(1, true, 1, none); /* 1 */
        case 0x84:
        case 0x85:
            return IG_RULE(2, b[1] >= 0xC0, 2, none); /* 2 */
        case 0xCD:
            return IG_RULE(2, true, 2, none); /* 3 */
        case 0xC3:
        case 0xCB:
            return IG_RULE(1, true, 1, IgCbInsRet); /* 4 */
        case 0xE8:
            return IG_RULE(5, true, 5, IgCbInsCall); /* 5 */
        case 0xFF:
            return IG_RULE(6, b[1] == 0x15, 6, IgCbInsCall) ||        /* 6 */
                   IG_RULE(2, b[1] >= 0xC0 && b[1] <= 0xCF, 2, none); /* 32 */
        case 0xE9:
            return IG_RULE(5, true, 5, IgCbInsJmp); /* 7 */
        case 0xEB:
            return IG_RULE(2, true, 2, IgCbInsJmp); /* 8 */
        case 0xC2:
        case 0xCA:
            return IG_RULE(3, true, 3, IgCbInsRet); /* 10 */
        case 0xAA:
        case 0xAB:
        case 0xAC:
        case 0xAD:
            return IG_RULE(1, true, 1, IgCbInsStr); /* 11 */
        case 0x9C:
        case 0x9D:
            return IG_RULE(1, true, 1, L->Flags); /* 12 */
        case 0xA8:
            return IG_RULE(2, true, 2, none); /* 17 */
        case 0xF6:
            return IG_RULE(3, b[1] >= 0xC0 && b[1] <= 0xCF, 3, none); /* 18 */
        case 0x98:
        case 0x99:
            return IG_RULE(1, true, 1, none); /* 19 */
        case 0xA9:
            return IG_RULE(5, true, 5, none); /* 20 */
        case 0x00:
            return IG_RULE(2, b[1] == 0x00, 2, none); /* 21 */
        case 0x83:
            return IG_RULE(3, b[1] >= 0xE0 && b[1] <= 0xE3, 3, none) || /* 22 */
                   IG_RULE(3, b[1] == 0xC4, 3, none) ||                 /* 27 */
                   IG_RULE(3, b[1] == 0xEC, 3, none);                   /* 29 */
        case 0x33:
            return IG_RULE(2, b[1] >= 0xC0, 2, none); /* 23 */
        case 0x89:
            return IG_RULE(4, IgIsSibDisp8(b[1]) && b[2] == 0x24, 4, L->MovMem) ||  /* 24 */
                   IG_RULE(7, IgIsSibDisp32(b[1]) && b[2] == 0x24, 7, L->MovMem) || /* 25 */
                   IG_RULE(2, b[1] >= 0xC0, 2, L->MovReg);                          /* 30 */
        case 0x8B:
            return IG_RULE(2, b[1] >= 0xC0, 2, L->MovReg); /* 30 */
        case 0x81:
            return IG_RULE(6, b[1] == 0xC4, 6, none) || /* 26 */
                   IG_RULE(6, b[1] == 0xEC, 6, none);   /* 28 */
        case 0x0F:
            return IG_RULE(6, b[1] >= 0x80 && b[1] <= 0x8F, 6, IgCbInsJc); /* 31 */
        case 0x3B:
            return IG_RULE(2, b[1] >= 0xC0, 2, none); /* 33 */
        default:
            break;
    }
    if (b[0] >= 0x70 && b[0] <= 0x7F)
    {
        return IG_RULE(2, true, 2, IgCbInsJc); /* 9 */
    }
    if (b[0] >= 0x91 && b[0] <= 0x97)
    {
        return IG_RULE(1, true, 1, IgCbInsXchg); /* 13 */
    }
    if (b[0] >= 0xB0 && b[0] <= 0xB7)
    {
        return IG_RULE(2, true, 2, L->MovImm); /* 14 */
    }
    if (b[0] >= 0xB8 && b[0] <= 0xBF)
    {
        return IG_RULE(5, true, 5, L->MovImm); /* 15 */
    }
    if (b[0] >= 0x50 && b[0] <= 0x5F)
    {
        return IG_RULE(1, true, 1, none); /* 16 */
    }
    *Tested = false;
    return false;
}

/* Rules 35-51 (64-bit mode, first byte a REX prefix). */
static bool IgCbFastPathRex(const uint8_t *b, size_t n, const IG_CB_LEVEL_CLASSES *L, uint8_t *Length, uint8_t *Class)
{
    const uint8_t none = IgCbInsNone;
    const bool rexW = (b[0] & 0x08) != 0;

    if (IG_RULE(4, b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xC4, 4, none) || /* 35 */
        IG_RULE(7, b[0] == 0x48 && b[1] == 0x81 && b[2] == 0xEC, 7, none) || /* 36 */
        IG_RULE(5,
                (b[0] == 0x48 || b[0] == 0x4C) && (b[1] == 0x89 || b[1] == 0x8B) && IgIsSibDisp8(b[2]) && b[3] == 0x24,
                5, L->MovMem) || /* 37 */
        IG_RULE(8,
                (b[0] == 0x48 || b[0] == 0x4C) && (b[1] == 0x89 || b[1] == 0x8B) && IgIsSibDisp32(b[2]) && b[3] == 0x24,
                8, L->MovMem) ||                                           /* 38 */
        IG_RULE(4, b[0] == 0x48 && b[1] == 0x83 && b[2] == 0xEC, 4, none)) /* 39 */
    {
        return true;
    }
    if (n < 2)
    {
        return false;
    }
    return IG_RULE(3, b[1] == 0x33 && b[2] >= 0xC0, 3, none) ||                                       /* 40 */
           IG_RULE(3, b[1] == 0x3B && b[2] >= 0xC0, 3, none) ||                                       /* 41 */
           IG_RULE(3, b[1] == 0xFF && b[2] >= 0xC0 && b[2] <= 0xCF, 3, none) ||                       /* 42 */
           IG_RULE(6, b[1] >= 0xB8 && b[1] <= 0xBF && !rexW, 6, L->MovImm) ||                         /* 43 */
           IG_RULE(10, b[1] >= 0xB8 && b[1] <= 0xBF && rexW, 10, L->MovImm) ||                        /* 44 */
           IG_RULE(4, b[1] == 0x8D && (b[2] == 0x45 || b[2] == 0x55), 4, none) ||                     /* 45 */
           IG_RULE(5, b[1] == 0x8D && IgIsSibDisp8(b[2]) && b[2] <= 0x5C && b[3] == 0x24, 5, none) || /* 46 */
           IG_RULE(3, (b[1] == 0x8B || b[1] == 0x89) && b[2] >= 0xC0, 3, L->MovReg) ||                /* 47 */
           IG_RULE(3, (b[1] == 0x84 || b[1] == 0x85) && b[2] >= 0xC0, 3, none) ||                     /* 48 */
           IG_RULE(6, b[1] == 0xA9, 6, none) ||                                                       /* 49 */
           IG_RULE(2, b[1] == 0x98 || b[1] == 0x99, 2, none) ||                                       /* 50 */
           IG_RULE(2, b[1] >= 0x50 && b[1] <= 0x5F, 2, none);                                         /* 51 */
}

#undef IG_RULE

bool IgCbFastPath(const uint8_t *Code, size_t Avail, bool Mode64, IG_CB_LEVEL Level, uint8_t *Length, uint8_t *Class)
{
    const bool medium = Level == IgCbLevelMedium;
    const IG_CB_LEVEL_CLASSES classes = {medium ? IgCbInsFlags : IgCbInsNone, medium ? IgCbInsMovImm : IgCbInsNone,
                                         medium ? IgCbInsMovMem : IgCbInsNone, medium ? IgCbInsMovReg : IgCbInsNone};
    bool tested;

    *Length = 0;
    *Class = IgCbInsNone;
    if (Avail == 0)
    {
        return false;
    }
    if (IgCbFastPathCommon(Code, Avail, &classes, Length, Class, &tested))
    {
        return true;
    }
    if (tested || (Code[0] & 0xF0) != 0x40)
    {
        return false; /* none of the rules left tests another first byte */
    }
    if (!Mode64)
    {
        return IgCbRule(Avail, 1, true, 1, IgCbInsNone, Length, Class); /* 34: 40-4F */
    }
    return IgCbFastPathRex(Code, Avail, &classes, Length, Class);
}

/* ---- Pattern -------------------------------------------------------------------------------------------------------
 */

static uint8_t IgCbLevelClass(uint8_t Class, IG_CB_LEVEL Level)
{
    if (Level == IgCbLevelNormal && Class > IgCbInsBt)
    {
        return IgCbInsNone;
    }
    return Class;
}

INTSTATUS IgCbExtractPattern(IG_DISASM *Disasm, const uint8_t *Region, size_t Length, bool Mode64, IG_CB_LEVEL Level,
                             bool FastPath, uint32_t Cap, uint8_t *Pattern, uint16_t *Offsets, uint32_t *Count)
{
    size_t pos = 0;
    uint32_t count = 0;

    if (Count)
    {
        *Count = 0;
    }
    if (!Disasm)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Region || !Pattern || !Count || Length > 0xFFFF)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }

    /* Every iteration advances pos by at least one byte, so this runs at most Length times. */
    while (pos < Length && count < Cap)
    {
        uint8_t len = 0;
        uint8_t cls = IgCbInsNone;
        IG_DECODED insn;

        if (FastPath && IgCbFastPath(Region + pos, Length - pos, Mode64, Level, &len, &cls))
        {
            /* A fast-path instruction may end exactly at the end of the region and still counts. */
        }
        else if (!INT_SUCCESS(IgDisasmDecode(Disasm, Mode64, Region + pos, Length - pos, &insn)))
        {
            pos++; /* hvmi resynchronises byte by byte after any decode failure */
            continue;
        }
        else if (pos + insn.Length >= Length)
        {
            break; /* tail rule (§3.4.1): a decoded instruction reaching the end stops extraction */
        }
        else
        {
            len = insn.Length;
            cls = IgCbLevelClass(insn.Class, Level);
        }

        if (cls != IgCbInsNone)
        {
            Pattern[count] = cls;
            if (Offsets)
            {
                Offsets[count] = (uint16_t)pos;
            }
            count++;
        }
        pos += len;
    }
    *Count = count;
    return INT_STATUS_SUCCESS;
}

/* ---- Blocks and matching ------------------------------------------------------------------------------------------
 */

uint32_t IgCbBlockHash(const uint8_t *Block)
{
    return IgCrc32Update(IG_NAME_HASH_NONE, Block, IG_CB_BLOCK_LENGTH);
}

bool IgCbIsPivot(uint8_t Class, IG_CB_LEVEL Level)
{
    if (Class == IgCbInsCall || Class == IgCbInsJmp)
    {
        return true;
    }
    return Level == IgCbLevelMedium && (Class == IgCbInsMovMem || Class == IgCbInsMovFsGs);
}

static void IgSortU32(uint32_t *Items, uint32_t Count)
{
    /* Insertion sort: at most IG_CB_HASHES_MAX items, mostly short runs. */
    for (uint32_t i = 1; i < Count; i++)
    {
        uint32_t v = Items[i];
        uint32_t j = i;

        while (j > 0 && Items[j - 1] > v)
        {
            Items[j] = Items[j - 1];
            j--;
        }
        Items[j] = v;
    }
}

uint32_t IgCbHashPattern(const uint8_t *Pattern, uint32_t Count, IG_CB_LEVEL Level, uint32_t Cap, uint32_t *Hashes)
{
    uint32_t n = 0;

    for (uint32_t i = 0; Count >= IG_CB_BLOCK_LENGTH && i <= Count - IG_CB_BLOCK_LENGTH && n < Cap; i++)
    {
        if (IgCbIsPivot(Pattern[i], Level))
        {
            Hashes[n++] = IgCbBlockHash(Pattern + i);
        }
    }
    IgSortU32(Hashes, n);
    return n;
}

bool IgCbMatchLists(const uint32_t *Extracted, uint32_t ExtractedCount, const IG_CB_LIST *Lists, uint32_t ListCount,
                    const uint32_t *Hashes, uint32_t HashCount, uint8_t Score)
{
    if (ExtractedCount == 0)
    {
        return false;
    }
    for (uint32_t l = 0; l < ListCount; l++)
    {
        const IG_CB_LIST *list = &Lists[l];
        int64_t need = Score;
        uint32_t k = 0;
        uint32_t count = list->Count;

        if (list->First > HashCount || count > HashCount - list->First)
        {
            count = 0; /* a list outside the hash array is empty */
        }
        for (uint32_t h = 0; h < count; h++)
        {
            uint32_t want = Hashes[list->First + h];

            while (k < ExtractedCount && Extracted[k] < want)
            {
                k++;
            }
            if (k < ExtractedCount && Extracted[k] == want)
            {
                need--; /* k stays: a hash listed twice counts twice */
            }
        }
        if (need <= 0)
        {
            return true;
        }
    }
    return false;
}

bool IgCbMatchSignature(const IG_RULESET *Set, const IG_SIGNATURE *Sig, const uint32_t *Extracted,
                        uint32_t ExtractedCount)
{
    uint32_t lists = Sig->Count;

    if (Sig->First > Set->CbListCount || lists > Set->CbListCount - Sig->First)
    {
        return false;
    }
    return IgCbMatchLists(Extracted, ExtractedCount, Set->CbLists + Sig->First, lists, Set->CbHashes, Set->CbHashCount,
                          Sig->Score);
}

/* ---- Context and extraction -----------------------------------------------------------------------------------------
 */

INTSTATUS IgCodeContextCreate(const IG_ALLOCATOR *Allocator, IG_CODE_CONTEXT **Context)
{
    IG_CODE_CONTEXT *ctx = NULL;
    INTSTATUS status;

    if (Context)
    {
        *Context = NULL;
    }
    if (!Allocator || !Allocator->Alloc || !Allocator->Free)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Context)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    _Static_assert(IG_CODE_EXPORT_SCRATCH >= IG_PE_EXPORT_DIR_MAX, "the scratch holds any valid export directory");
    _Static_assert(sizeof(IG_CODE_CONTEXT) % 8 == 0, "the scratch after the context stays aligned");
    status =
        Allocator->Alloc(Allocator->Context, (void **)&ctx, sizeof(*ctx) + IG_CODE_EXPORT_SCRATCH, IG_TAG_CODE_CONTEXT);
    if (!INT_SUCCESS(status) || !ctx)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(ctx, 0, sizeof(*ctx));
    ctx->Allocator = *Allocator;
    ctx->ExportScratch = (uint8_t *)(ctx + 1);
    ctx->ExportScratchSize = IG_CODE_EXPORT_SCRATCH;
    status = IgDisasmCreate(Allocator, &ctx->Disasm);
    if (!INT_SUCCESS(status))
    {
        Allocator->Free(Allocator->Context, (void **)&ctx, IG_TAG_CODE_CONTEXT);
        return status;
    }
    *Context = ctx;
    return INT_STATUS_SUCCESS;
}

void IgCodeContextDestroy(IG_CODE_CONTEXT *Context)
{
    IG_ALLOCATOR allocator;

    if (!Context)
    {
        return;
    }
    IgDisasmDestroy(Context->Disasm);
    allocator = Context->Allocator;
    allocator.Free(allocator.Context, (void **)&Context, IG_TAG_CODE_CONTEXT);
}

void IgCodeContextFlushCache(IG_CODE_CONTEXT *Context)
{
    for (uint32_t i = 0; Context && i < IG_CB_CACHE_ENTRIES; i++)
    {
        Context->Cache[i].Valid = false;
    }
}

/* Reads the window of §3.3 into Context->Window; *Size is what was read (after the execute fallback). */
static INTSTATUS IgCbReadWindow(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request, bool Fallback, uint32_t *Start,
                                uint32_t *Size)
{
    uint64_t page = IG_PAGE_BASE(Request->Rip);
    size_t done = 0;
    INTSTATUS status;

    IgCbWindow(Request->Rip, Request->Execute, Start, Size);
    status = IgGuestVmemRead(Request->Memory, Request->Cr3, page + *Start, Context->Window, *Size, &done);
    if (!INT_SUCCESS(status) && Request->Execute && Fallback)
    {
        /* Execute windows may run into the next page; retry with the rest of the RIP's page. */
        *Size = IG_PAGE_SIZE - *Start;
        status = IgGuestVmemRead(Request->Memory, Request->Cr3, page + *Start, Context->Window, *Size, &done);
    }
    return status;
}

static INTSTATUS IgCbCheckRequest(const IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request)
{
    if (!Context || !Context->Disasm)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Request || !Request->Memory || (Request->Level != IgCbLevelNormal && Request->Level != IgCbLevelMedium))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    return INT_STATUS_SUCCESS;
}

/* The cache entry computed from exactly these bytes for this window, or NULL. */
static IG_CB_CACHE_ENTRY *IgCbCacheFind(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request, uint64_t Gva,
                                        uint32_t Size, uint32_t Cap)
{
    for (uint32_t i = 0; i < IG_CB_CACHE_ENTRIES; i++)
    {
        IG_CB_CACHE_ENTRY *e = &Context->Cache[i];

        if (e->Valid && e->Gva == Gva && e->Size == Size && e->Cap == Cap && e->Mode64 == Request->Mode64 &&
            e->Level == (uint8_t)Request->Level && memcmp(e->Window, Context->Window, Size) == 0)
        {
            return e;
        }
    }
    return NULL;
}

/* Keeps an extraction in the least recently used entry. */
static void IgCbCacheStore(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request, uint64_t Gva, uint32_t Size,
                           uint32_t Cap)
{
    IG_CB_CACHE_ENTRY *e = &Context->Cache[0];

    for (uint32_t i = 1; i < IG_CB_CACHE_ENTRIES; i++)
    {
        if (!Context->Cache[i].Valid || (e->Valid && Context->Cache[i].Used < e->Used))
        {
            e = &Context->Cache[i];
        }
    }
    IG_ASSERT(Size <= sizeof(e->Window) && Context->HashCount <= IG_CB_HASHES_MAX);
    e->Valid = true;
    e->Mode64 = Request->Mode64;
    e->Level = (uint8_t)Request->Level;
    e->Size = Size;
    e->Cap = Cap;
    e->Gva = Gva;
    e->Used = ++Context->CacheClock;
    e->HashCount = Context->HashCount;
    memcpy(e->Window, Context->Window, Size);
    memcpy(e->Hashes, Context->Hashes, (size_t)Context->HashCount * sizeof(uint32_t));
}

INTSTATUS IgCbExtract(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request)
{
    uint32_t start = 0;
    uint32_t size = 0;
    uint32_t requested;
    uint32_t patternCount = 0;
    IG_CB_CACHE_ENTRY *cached;
    INTSTATUS status;

    status = IgCbCheckRequest(Context, Request);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    Context->HashCount = 0;

    status = IgCbReadWindow(Context, Request, true, &start, &size);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgCbWindow(Request->Rip, Request->Execute, &start, &requested);
    if (size <= IG_CB_GUARD)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    if (size - IG_CB_GUARD <= IG_CB_GUARD)
    {
        return INT_STATUS_SUCCESS; /* too little code to parse: no hashes */
    }

    /* The cap follows the requested window size, before any fallback (295 or 147). */
    cached = IgCbCacheFind(Context, Request, IG_PAGE_BASE(Request->Rip) + start, size, requested / 4);
    if (cached)
    {
        Context->CacheHits++;
        cached->Used = ++Context->CacheClock;
        Context->HashCount = cached->HashCount;
        memcpy(Context->Hashes, cached->Hashes, (size_t)cached->HashCount * sizeof(uint32_t));
        return INT_STATUS_SUCCESS;
    }
    Context->CacheMisses++;
    status = IgCbExtractPattern(Context->Disasm, Context->Window, size - IG_CB_GUARD, Request->Mode64, Request->Level,
                                true, IG_CB_PATTERN_MAX, Context->Pattern, NULL, &patternCount);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    Context->HashCount =
        IgCbHashPattern(Context->Pattern, patternCount, Request->Level, requested / 4, Context->Hashes);
    IG_ASSERT(Context->HashCount <= IG_CB_HASHES_MAX); /* the matcher reads Hashes up to HashCount */
    IgCbCacheStore(Context, Request, IG_PAGE_BASE(Request->Rip) + start, size, requested / 4);
    return INT_STATUS_SUCCESS;
}

/* ---- Alert side
 * ------------------------------------------------------------------------------------------------------ */

IG_CB_LEVEL IgCbAlertLevel(uint64_t Rip, bool Guest64)
{
    bool kernel = Guest64 ? (Rip & 0xFFFF800000000000ull) == 0xFFFF800000000000ull : (Rip & 0x80000000ull) != 0;

    return kernel ? IgCbLevelNormal : IgCbLevelMedium;
}

INTSTATUS IgCbAlertExtract(IG_CODE_CONTEXT *Context, const IG_CB_REQUEST *Request, IG_CB_ALERT *Alert)
{
    IG_CB_ALERT_BLOCK blocks[IG_CB_ALERT_BLOCKS_MAX];
    uint32_t blockCount = 0;
    uint32_t start = 0;
    uint32_t size = 0;
    uint32_t patternCount = 0;
    uint32_t ripBlock = 0;
    uint32_t first = 0;
    INTSTATUS status;

    if (Alert)
    {
        memset(Alert, 0, sizeof(*Alert));
    }
    status = IgCbCheckRequest(Context, Request);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!Alert)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }

    /* No execute fallback here: a failed read sends the alert without code-blocks. */
    status = IgCbReadWindow(Context, Request, false, &start, &size);
    if (!INT_SUCCESS(status))
    {
        return INT_STATUS_SUCCESS;
    }
    status = IgCbExtractPattern(Context->Disasm, Context->Window, size - IG_CB_GUARD, Request->Mode64, Request->Level,
                                false, IG_CB_ALERT_PATTERN_MAX, Context->Pattern, Context->Offsets, &patternCount);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (patternCount < IG_CB_BLOCK_LENGTH)
    {
        return INT_STATUS_SUCCESS;
    }

    /* Pivots strictly before the last 8 entries: one block fewer than the matcher (B11). */
    for (uint32_t i = 0; i < patternCount - IG_CB_BLOCK_LENGTH && blockCount < IG_CB_ALERT_BLOCKS_MAX; i++)
    {
        if (!IgCbIsPivot(Context->Pattern[i], Request->Level))
        {
            continue;
        }
        blocks[blockCount].Offset = (uint16_t)(start + Context->Offsets[i]);
        blocks[blockCount].Pivot = Context->Pattern[i];
        blocks[blockCount].Value = IgCbBlockHash(Context->Pattern + i);
        blockCount++;
    }

    if (!Request->Execute && blockCount > 0)
    {
        uint32_t ripOffset = IG_PAGE_OFFSET(Request->Rip);

        /* The first block at or after the RIP, else the last one. */
        ripBlock = blockCount - 1;
        for (uint32_t i = 0; i < blockCount; i++)
        {
            if (blocks[i].Offset >= ripOffset)
            {
                ripBlock = i;
                break;
            }
        }
        if (blockCount <= IG_CB_ALERT_EXPORTED || ripBlock <= IG_CB_ALERT_EXPORTED / 2)
        {
            first = 0;
        }
        else if (blockCount - ripBlock < IG_CB_ALERT_EXPORTED)
        {
            first = blockCount - IG_CB_ALERT_EXPORTED;
        }
        else
        {
            first = ripBlock - IG_CB_ALERT_EXPORTED / 2;
        }
    }

    Alert->StartAddress = IG_PAGE_BASE(Request->Rip) + (blockCount ? blocks[first].Offset : 0);
    Alert->Rip = Request->Rip;
    for (uint32_t i = first; i < blockCount && Alert->Count < IG_CB_ALERT_EXPORTED; i++)
    {
        if (i == ripBlock)
        {
            Alert->RipCbIndex = Alert->Count;
        }
        Alert->CodeBlocks[Alert->Count++] = blocks[i];
    }
    Alert->Valid = true;
    return INT_STATUS_SUCCESS;
}

void IgCbAlertSignature(const IG_CB_ALERT *Alert, bool Execute, bool Linux, IG_CB_ALERT_SIG *Sig)
{
    uint32_t n;
    uint32_t first;

    memset(Sig, 0, sizeof(*Sig));
    if (!Alert || !Alert->Valid || Alert->RipCbIndex > IG_CB_ALERT_EXPORTED || Alert->Count > IG_CB_ALERT_EXPORTED ||
        Alert->Count == 0)
    {
        return;
    }
    n = Alert->Count < IG_CB_ALERT_SIG_HASHES ? Alert->Count : IG_CB_ALERT_SIG_HASHES;
    if (Execute || Alert->RipCbIndex < 3)
    {
        first = 0;
    }
    else if (Alert->RipCbIndex + 3 >= Alert->Count)
    {
        first = Alert->Count >= IG_CB_ALERT_SIG_HASHES ? Alert->Count - IG_CB_ALERT_SIG_HASHES : 0;
    }
    else
    {
        first = Alert->RipCbIndex - 3;
    }
    if (first + n > Alert->Count)
    {
        /* hvmi takes 6 from RipCbIndex - 3 even when fewer than 6 follow; we stop at the last block. */
        n = Alert->Count - first;
    }
    for (uint32_t i = 0; i < n; i++)
    {
        Sig->Hashes[i] = Alert->CodeBlocks[first + i].Value;
    }
    IgSortU32(Sig->Hashes, n);
    Sig->Count = (uint8_t)n;
    Sig->Score = (uint8_t)(n > 1 ? n - 1 : 1);
    Sig->Flags = IG_SIG_FLAG_32 | IG_SIG_FLAG_64 | (Linux ? IG_SIG_FLG_LINUX : 0);
    Sig->Valid = true;
}
