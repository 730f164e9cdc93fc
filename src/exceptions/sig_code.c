/*
 * Codeblocks, value-code and export signatures (spec/signatures.md §2.1, §2.2, §2.4, §3.7).
 */
#include "sig_code.h"

#include "introguard/intro_exceptions.h"

#include <string.h>

#define IG_PATTERN_ANY 0x100u

IG_SIG_ARRAYS IgSigArraysOfRuleSet(const IG_RULESET *Set)
{
    IG_SIG_ARRAYS a = {0};

    if (Set)
    {
        a.CbLists = Set->CbLists;
        a.CbListCount = Set->CbListCount;
        a.CbHashes = Set->CbHashes;
        a.CbHashCount = Set->CbHashCount;
        a.ExportEntries = Set->ExportEntries;
        a.ExportEntryCount = Set->ExportEntryCount;
        a.Pattern = Set->Pattern;
        a.PatternCount = Set->PatternCount;
    }
    return a;
}

/* [First, First + Count) inside an array of Total items. */
static bool IgInArray(uint32_t First, uint32_t Count, uint32_t Total)
{
    return First <= Total && Count <= Total - First;
}

bool IgSigCodeBlocksMatch(const IG_SIG_ARRAYS *Arrays, const IG_SIGNATURE *Sig, const IG_CODE_CONTEXT *Context,
                          IG_CB_LEVEL Level)
{
    if ((Sig->Flags & IG_SIG_FLAG_MEDIUM) && Level != IgCbLevelMedium)
    {
        return false;
    }
    if (!IgInArray(Sig->First, Sig->Count, Arrays->CbListCount))
    {
        return false;
    }
    return IgCbMatchLists(Context->Hashes, Context->HashCount, Arrays->CbLists + Sig->First, Sig->Count,
                          Arrays->CbHashes, Arrays->CbHashCount, Sig->Score);
}

static bool IgPatternEqual(const uint16_t *Pattern, const uint8_t *Bytes, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        if (Pattern[i] != IG_PATTERN_ANY && Pattern[i] != Bytes[i])
        {
            return false; /* items above 0x100 never equal a byte */
        }
    }
    return true;
}

IG_VALUE_CODE_RESULT IgSigValueCodeMatch(const IG_SIG_ARRAYS *Arrays, const IG_SIGNATURE *Sig,
                                         const IG_GUEST_VMEM *Memory, uint64_t Cr3, uint64_t Rip, IG_CB_LEVEL Level)
{
    uint8_t chunk[IG_PAGE_SIZE];
    const uint16_t *pattern;
    uint64_t gva;
    uint32_t length = Sig->Count;
    uint32_t done = 0;

    if ((Sig->Flags & IG_SIG_FLAG_MEDIUM) && Level != IgCbLevelMedium)
    {
        return IgValueCodeLevelSkipped;
    }
    if (!IgInArray(Sig->First, length, Arrays->PatternCount))
    {
        return IgValueCodeBadPattern;
    }
    pattern = Arrays->Pattern + Sig->First;
    gva = Rip + (uint64_t)(int64_t)Sig->u.CodeOffset; /* signed offset, wrapping like guest arithmetic */

    /*
     * The first piece is the rest of gva's page (at least one byte, so a zero-length pattern still
     * needs its page mapped); each later piece is a whole page.
     */
    do
    {
        uint32_t room = IG_PAGE_SIZE - IG_PAGE_OFFSET(gva + done);
        uint32_t want = length - done < room ? length - done : room;
        uint32_t read = want ? want : 1;

        if (!INT_SUCCESS(IgGuestVmemRead(Memory, Cr3, gva + done, chunk, read, NULL)))
        {
            return done == 0 ? IgValueCodeUnmapped : IgValueCodeTailUnmapped;
        }
        if (!IgPatternEqual(pattern + done, chunk, want))
        {
            return IgValueCodeMismatch;
        }
        done += want;
    } while (done < length);
    return IgValueCodeMatched;
}

INTSTATUS IgSigExportPrepare(const IG_GUEST_VMEM *Memory, const IG_EXPORT_VICTIM *Victim, uint8_t *Scratch,
                             size_t ScratchSize, IG_EXPORT_STATE *State)
{
    IG_PE_EXPORTS exports;
    INTSTATUS status;
    uint64_t rva;

    if (State)
    {
        memset(State, 0, sizeof(*State));
    }
    if (!Memory || !Victim || !Scratch || !State)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    State->AccessSize = Victim->AccessSize;
    State->ModuleNameHash = Victim->ModuleNameHash;
    if (!Victim->HasModule)
    {
        State->Kind = IgExportNoModule;
        return INT_STATUS_SUCCESS;
    }

    status = IgPeExportsRead(Memory, Victim->Cr3, Victim->ModuleBase, Scratch, ScratchSize, &exports, &State->Error);
    if (status == INT_STATUS_DATA_BUFFER_TOO_SMALL)
    {
        return status;
    }
    if (!INT_SUCCESS(status))
    {
        /* Either way the group fails (hvmi lets both pass: docs/compat.md); the kind says why. */
        State->Kind = status == INT_STATUS_NOT_FOUND ? IgExportMalformed : IgExportUnreadable;
        return INT_STATUS_SUCCESS;
    }

    State->Kind = IgExportReady;
    rva = Victim->Gva - Victim->ModuleBase;
    if (Victim->Gva >= Victim->ModuleBase && rva <= 0xFFFFFFFFull)
    {
        IgPeFindExport(&exports, (uint32_t)rva, &State->Export);
        State->WriteOffset = State->Export.Found ? (uint32_t)rva - State->Export.Rva : 0;
    }
    /* The names point into Scratch, which the next evaluation reuses: keep only hashes and lengths. */
    for (uint32_t i = 0; i < State->Export.NameCount; i++)
    {
        State->Export.Names[i] = NULL;
    }
    return INT_STATUS_SUCCESS;
}

bool IgSigExportMatch(const IG_SIG_ARRAYS *Arrays, const IG_SIGNATURE *Sig, uint32_t GroupIndex,
                      const IG_EXPORT_STATE *State)
{
    const IG_EXPORT_ENTRY *entries;
    const IG_PE_EXPORT *exp = &State->Export;

    if (Sig->u.Library != 0 && Sig->u.Library != State->ModuleNameHash)
    {
        return false;
    }
    if (!IgInArray(Sig->First, Sig->Count, Arrays->ExportEntryCount))
    {
        return false;
    }
    entries = Arrays->ExportEntries + Sig->First;

    for (uint32_t j = 0; j < Sig->Count; j++)
    {
        bool named = false;

        if (entries[j].FunctionHash == IG_EXPORT_HASH_ANY)
        {
            return true;
        }
        if (!exp->Found)
        {
            /* B1: hvmi looks at entry GroupIndex here; past the array we treat it as not "none". */
            if (GroupIndex < Sig->Count && entries[GroupIndex].FunctionHash == IG_EXPORT_HASH_NONE)
            {
                return true;
            }
            continue;
        }
        for (uint32_t k = 0; k < exp->NameCount && !named; k++)
        {
            named = exp->NameHashes[k] == entries[j].FunctionHash;
        }
        if (!named)
        {
            continue;
        }
        if (entries[j].Delta != 0 && (uint64_t)State->WriteOffset + State->AccessSize - 1 > entries[j].Delta)
        {
            continue;
        }
        return true;
    }
    return false;
}

/* ---- Public decoder state (intro_exceptions.h) ------------------------------------------------------------------ */

INTSTATUS IntExceptCodeContextCreate(const INTRO_EXC_ALLOCATOR *Allocator, INTRO_EXC_CODE_CONTEXT **Context)
{
    IG_ALLOCATOR allocator;

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
    allocator = (IG_ALLOCATOR){Allocator->Alloc, Allocator->Free, Allocator->Context};
    return IgCodeContextCreate(&allocator, Context);
}

void IntExceptCodeContextFree(INTRO_EXC_CODE_CONTEXT *Context)
{
    IgCodeContextDestroy(Context);
}
