/*
 * A guest's alert exceptions (alert_exc.h): an immutable set built whole from its entries, the
 * duplicate rule, and the slot that hands the set in force to evaluations.
 *
 * A set is one block: the entries it was built from (in the order they were added) and the view
 * the searches read (IG_EXC_ALERTS): hvmi's four alert lists as ranges of exceptions, each sorted
 * by originator hash, and the exceptions' signatures with their payloads.  Adding or removing
 * builds the next set from the entries of the one in force; nothing in a published set changes.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/invariant.h"
#include "alert_exc.h"

#define IG_TAG_ALERTS IG_TAG('A', 'l', 'E', 'x')

/* ---- Duplicates ------------------------------------------------------------------------------------------------ */

/*
 * Whether an existing exception already allows everything a new one would: the same fields and
 * the same signatures, an export signature's reach (delta plus size) at least the new one's.  The
 * flags are compared for every kind (hvmi skips them for user exceptions, so a read exception
 * "duplicated" a write one that does not allow the read: docs/compat.md).
 */
bool IgAlertSameException(const INTRO_ALERT_EXCEPTION *A, const INTRO_ALERT_EXCEPTION *B)
{
    const uint32_t reachA = (uint32_t)A->Export.Delta + A->Export.WriteSize;
    const uint32_t reachB = (uint32_t)B->Export.Delta + B->Export.WriteSize;

    if (A->Shape != B->Shape || A->Originator != B->Originator || A->Victim != B->Victim || A->Process != B->Process ||
        A->Flags != B->Flags || A->ObjectType != B->ObjectType)
    {
        return false;
    }
    if (A->CodeBlocks.Valid != B->CodeBlocks.Valid ||
        (A->CodeBlocks.Valid &&
         (A->CodeBlocks.Flags != B->CodeBlocks.Flags || A->CodeBlocks.Score != B->CodeBlocks.Score ||
          A->CodeBlocks.Count != B->CodeBlocks.Count ||
          memcmp(A->CodeBlocks.Hashes, B->CodeBlocks.Hashes, A->CodeBlocks.Count * sizeof(A->CodeBlocks.Hashes[0])))))
    {
        return false;
    }
    if (A->Idt.Valid != B->Idt.Valid ||
        (A->Idt.Valid && (A->Idt.Flags != B->Idt.Flags || A->Idt.Entry != B->Idt.Entry)))
    {
        return false;
    }
    if (A->Export.Valid != B->Export.Valid ||
        (A->Export.Valid && (A->Export.Flags != B->Export.Flags || A->Export.Library != B->Export.Library ||
                             A->Export.Function != B->Export.Function || reachA < reachB)))
    {
        return false;
    }
    return A->ProcessCreation.Valid == B->ProcessCreation.Valid &&
           (!A->ProcessCreation.Valid || (A->ProcessCreation.Flags == B->ProcessCreation.Flags &&
                                          A->ProcessCreation.CreateMask == B->ProcessCreation.CreateMask));
}

/* ---- Building a set -------------------------------------------------------------------------------------------- */

/* hvmi's alert lists: kernel, user, kernel-user, and user process-creation exceptions apart. */
typedef enum IG_ALERT_LIST_ID
{
    IgAlertListKernel,
    IgAlertListUser,
    IgAlertListKernelUser,
    IgAlertListProcessCreation,
    IgAlertListCount
} IG_ALERT_LIST_ID;

static IG_ALERT_LIST_ID IgAlertListOf(const INTRO_ALERT_EXCEPTION *E)
{
    if (E->Shape == INTRO_ALERT_EXC_KERNEL)
    {
        return IgAlertListKernel;
    }
    if (E->Shape == INTRO_ALERT_EXC_KERNEL_USER)
    {
        return IgAlertListKernelUser;
    }
    return E->ObjectType == umObjProcessCreation ? IgAlertListProcessCreation : IgAlertListUser;
}

/* The signatures an exception gets, in hvmi's order (KM: IDT, code-blocks; UM: code-blocks, export, process-creation).
 */
static uint32_t IgAlertSigCount(const INTRO_ALERT_EXCEPTION *E)
{
    return (E->CodeBlocks.Valid ? 1u : 0u) + (E->Shape == INTRO_ALERT_EXC_KERNEL && E->Idt.Valid ? 1u : 0u) +
           (E->Shape == INTRO_ALERT_EXC_USER && E->Export.Valid ? 1u : 0u) +
           (E->Shape == INTRO_ALERT_EXC_USER && E->ProcessCreation.Valid ? 1u : 0u);
}

/* Sizes of the parts of one set's block. */
typedef struct IG_ALERT_SIZES
{
    uint32_t Count, Sigs, CbLists, CbHashes, Exports;
    size_t Entries, Items, Contexts, SigIds, Signatures, Lists, Hashes, ExportEntries, Total;
} IG_ALERT_SIZES;

static size_t IgAlign8(size_t Size)
{
    return (Size + 7u) & ~(size_t)7u;
}

static void IgAlertSizes(const IG_ALERT_ENTRY *Entries, uint32_t Count, IG_ALERT_SIZES *S)
{
    memset(S, 0, sizeof(*S));
    S->Count = Count;
    for (uint32_t i = 0; i < Count; i++)
    {
        const INTRO_ALERT_EXCEPTION *e = &Entries[i].Exception;

        S->Sigs += IgAlertSigCount(e);
        S->CbLists += e->CodeBlocks.Valid ? 1u : 0u;
        S->CbHashes += e->CodeBlocks.Valid ? e->CodeBlocks.Count : 0u;
        S->Exports += e->Shape == INTRO_ALERT_EXC_USER && e->Export.Valid ? 1u : 0u;
    }
    /* Count is at most IG_ALERT_MAX_EXCEPTIONS: none of these products can overflow. */
    S->Entries = IgAlign8(sizeof(IG_ALERT_SET)) + IgAlign8((size_t)Count * sizeof(IG_ALERT_ENTRY));
    S->Items = IgAlign8((size_t)Count * sizeof(IG_EXCEPTION));
    S->Contexts = IgAlign8((size_t)Count * sizeof(uint64_t));
    S->SigIds = IgAlign8((size_t)S->Sigs * sizeof(uint32_t));
    S->Signatures = IgAlign8((size_t)S->Sigs * sizeof(IG_SIGNATURE));
    S->Lists = IgAlign8((size_t)S->CbLists * sizeof(IG_CB_LIST));
    S->Hashes = IgAlign8((size_t)S->CbHashes * sizeof(uint32_t));
    S->ExportEntries = IgAlign8((size_t)S->Exports * sizeof(IG_EXPORT_ENTRY));
    S->Total =
        S->Entries + S->Items + S->Contexts + S->SigIds + S->Signatures + S->Lists + S->Hashes + S->ExportEntries;
}

static int IgCompareItems(const void *A, const void *B)
{
    const IG_EXCEPTION *a = A;
    const IG_EXCEPTION *b = B;

    /* RecordIndex is the entry's position: the sort is stable, as hvmi's insertion keeps the list. */
    if (a->Originator != b->Originator)
    {
        return a->Originator < b->Originator ? -1 : 1;
    }
    return (a->RecordIndex > b->RecordIndex) - (a->RecordIndex < b->RecordIndex);
}

/* The signatures, payloads and contexts of the exceptions, once they are in list order. */
typedef struct IG_ALERT_FILL
{
    IG_ALERT_SET *Set;
    IG_EXCEPTION *Items;
    uint64_t *Contexts;
    uint32_t *SigIds;
    IG_SIGNATURE *Signatures;
    IG_CB_LIST *CbLists;
    uint32_t *CbHashes;
    IG_EXPORT_ENTRY *Exports;
    uint32_t Sig, CbList, CbHash, Export;
} IG_ALERT_FILL;

static IG_SIGNATURE *IgAlertNewSig(IG_ALERT_FILL *F, IG_SIG_KIND Kind, uint32_t TypeCode, uint32_t Flags,
                                   uint32_t Entry)
{
    IG_SIGNATURE *sig = &F->Signatures[F->Sig];

    memset(sig, 0, sizeof(*sig));
    sig->Id = INTRO_EXCFILE_SIG_ID(TypeCode, IG_ALERT_SIG_SEQ_BASE + 1 + F->Sig);
    sig->Flags = Flags;
    sig->RecordIndex = Entry;
    sig->Kind = (uint8_t)Kind;
    F->SigIds[F->Sig++] = sig->Id;
    return sig;
}

static void IgAlertFillSignatures(IG_ALERT_FILL *F, IG_EXCEPTION *Item, const INTRO_ALERT_EXCEPTION *E)
{
    IG_SIGNATURE *sig;

    Item->SigFirst = F->Sig;
    if (E->Shape == INTRO_ALERT_EXC_KERNEL && E->Idt.Valid)
    {
        sig = IgAlertNewSig(F, IgSigIdt, IgSigTypeIdt, E->Idt.Flags, Item->RecordIndex);
        sig->u.IdtEntry = E->Idt.Entry;
    }
    if (E->CodeBlocks.Valid)
    {
        sig = IgAlertNewSig(F, IgSigCodeBlocks, IgSigTypeCodeBlocks, E->CodeBlocks.Flags, Item->RecordIndex);
        sig->Score = E->CodeBlocks.Score;
        sig->First = F->CbList;
        sig->Count = 1;
        F->CbLists[F->CbList].First = F->CbHash;
        F->CbLists[F->CbList++].Count = E->CodeBlocks.Count;
        memcpy(F->CbHashes + F->CbHash, E->CodeBlocks.Hashes, E->CodeBlocks.Count * sizeof(uint32_t));
        F->CbHash += E->CodeBlocks.Count;
    }
    if (E->Shape == INTRO_ALERT_EXC_USER && E->Export.Valid)
    {
        uint32_t reach = (uint32_t)E->Export.Delta + E->Export.WriteSize;

        sig = IgAlertNewSig(F, IgSigExport, IgSigTypeExport, E->Export.Flags, Item->RecordIndex);
        sig->u.Library = E->Export.Library;
        sig->First = F->Export;
        sig->Count = 1;
        /* hvmi stores one entry whose delta covers the write: the offset plus the size. */
        F->Exports[F->Export].FunctionHash = E->Export.Function;
        F->Exports[F->Export++].Delta = (uint16_t)(reach > 0xFFFF ? 0xFFFF : reach);
    }
    if (E->Shape == INTRO_ALERT_EXC_USER && E->ProcessCreation.Valid)
    {
        sig = IgAlertNewSig(F, IgSigProcessCreation, IgSigTypeProcessCreation, E->ProcessCreation.Flags,
                            Item->RecordIndex);
        sig->u.CreateMask = E->ProcessCreation.CreateMask;
    }
    Item->SigCount = (uint16_t)(F->Sig - Item->SigFirst);
}

/* Lays the exceptions out list by list, sorts each list and fills everything that hangs off them. */
static void IgAlertFillView(IG_ALERT_FILL *F)
{
    IG_ALERT_SET *set = F->Set;
    IG_EXC_ALERT_LIST *lists[IgAlertListCount] = {&set->View.Kernel, &set->View.User, &set->View.KernelUser,
                                                  &set->View.ProcessCreation};
    uint32_t counts[IgAlertListCount] = {0};
    uint32_t next[IgAlertListCount];
    uint32_t first = 0;

    for (uint32_t i = 0; i < set->Count; i++)
    {
        counts[IgAlertListOf(&set->Entries[i].Exception)]++;
    }
    for (uint32_t l = 0; l < IgAlertListCount; l++)
    {
        next[l] = first;
        lists[l]->Items = F->Items + first;
        lists[l]->Contexts = F->Contexts + first;
        lists[l]->Count = counts[l];
        first += counts[l];
    }
    for (uint32_t i = 0; i < set->Count; i++)
    {
        const INTRO_ALERT_EXCEPTION *e = &set->Entries[i].Exception;
        IG_EXCEPTION *item = &F->Items[next[IgAlertListOf(e)]++];

        memset(item, 0, sizeof(*item));
        item->Originator = e->Originator;
        item->Victim = e->Victim;
        item->Process = e->Process;
        item->Flags = e->Flags;
        item->Kind = (uint8_t)(e->Shape == INTRO_ALERT_EXC_KERNEL ? IgRecKernel
                               : e->Shape == INTRO_ALERT_EXC_USER ? IgRecUser
                                                                  : IgRecKernelUser);
        item->ObjectType = (uint8_t)e->ObjectType;
        item->RecordIndex = i;
        item->Glob = IG_NO_INDEX;
    }
    for (uint32_t l = 0; l < IgAlertListCount; l++)
    {
        qsort(F->Items + (lists[l]->Items - F->Items), lists[l]->Count, sizeof(IG_EXCEPTION), IgCompareItems);
    }
    for (uint32_t k = 0; k < set->Count; k++)
    {
        const IG_ALERT_ENTRY *entry = &set->Entries[F->Items[k].RecordIndex];

        F->Contexts[k] = entry->Context;
        IgAlertFillSignatures(F, &F->Items[k], &entry->Exception);
    }
}

/*
 * Builds a set from Old's entries (all of them, or all but those with Context when Skip) followed by
 * Extra (may be NULL).  *Out is NULL when that leaves nothing.
 */
static INTSTATUS IgAlertSetBuild(const IG_ALLOCATOR *Allocator, const IG_ALERT_SET *Old, bool Skip, uint64_t Context,
                                 const IG_ALERT_ENTRY *Extra, IG_ALERT_SET **Out)
{
    IG_ALERT_SIZES sizes;
    IG_ALERT_FILL fill;
    IG_ALERT_SET *set = NULL;
    uint8_t *block = NULL;
    uint32_t count = 0;
    IG_ALERT_ENTRY *entries;
    INTSTATUS status;

    *Out = NULL;
    for (uint32_t i = 0; Old && i < Old->Count; i++)
    {
        count += Skip && Old->Entries[i].Context == Context ? 0u : 1u;
    }
    count += Extra ? 1u : 0u;
    if (count == 0)
    {
        return INT_STATUS_SUCCESS;
    }
    /* Sizes are computed from the entries as they will be: build the entries in a first block. */
    status = Allocator->Alloc(Allocator->Context, (void **)&entries, (size_t)count * sizeof(*entries), IG_TAG_ALERTS);
    if (!INT_SUCCESS(status) || !entries)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    count = 0;
    for (uint32_t i = 0; Old && i < Old->Count; i++)
    {
        if (!(Skip && Old->Entries[i].Context == Context))
        {
            entries[count++] = Old->Entries[i];
        }
    }
    if (Extra)
    {
        entries[count++] = *Extra;
    }
    IgAlertSizes(entries, count, &sizes);
    status = Allocator->Alloc(Allocator->Context, (void **)&block, sizes.Total, IG_TAG_ALERTS);
    if (!INT_SUCCESS(status) || !block)
    {
        Allocator->Free(Allocator->Context, (void **)&entries, IG_TAG_ALERTS);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    memset(block, 0, sizes.Total);
    set = (IG_ALERT_SET *)block;
    atomic_init(&set->RefCount, 1);
    set->Allocator = *Allocator;
    set->Count = count;
    set->Entries = (IG_ALERT_ENTRY *)(block + IgAlign8(sizeof(IG_ALERT_SET)));
    memcpy(set->Entries, entries, (size_t)count * sizeof(*entries));
    Allocator->Free(Allocator->Context, (void **)&entries, IG_TAG_ALERTS);

    memset(&fill, 0, sizeof(fill));
    fill.Set = set;
    fill.Items = (IG_EXCEPTION *)(block + sizes.Entries);
    fill.Contexts = (uint64_t *)((uint8_t *)fill.Items + sizes.Items);
    fill.SigIds = (uint32_t *)((uint8_t *)fill.Contexts + sizes.Contexts);
    fill.Signatures = (IG_SIGNATURE *)((uint8_t *)fill.SigIds + sizes.SigIds);
    fill.CbLists = (IG_CB_LIST *)((uint8_t *)fill.Signatures + sizes.Signatures);
    fill.CbHashes = (uint32_t *)((uint8_t *)fill.CbLists + sizes.Lists);
    fill.Exports = (IG_EXPORT_ENTRY *)((uint8_t *)fill.CbHashes + sizes.Hashes);
    IgAlertFillView(&fill);

    set->View.SigIds = fill.SigIds;
    set->View.Signatures = fill.Signatures;
    set->View.SignatureCount = fill.Sig;
    set->View.CbLists = fill.CbLists;
    set->View.CbListCount = fill.CbList;
    set->View.CbHashes = fill.CbHashes;
    set->View.CbHashCount = fill.CbHash;
    set->View.ExportEntries = fill.Exports;
    set->View.ExportEntryCount = fill.Export;
    IG_ASSERT(IgAlertSetConsistent(set));
    *Out = set;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgAlertSetAdd(const IG_ALLOCATOR *Allocator, const IG_ALERT_SET *Old, const INTRO_ALERT_EXCEPTION *Exception,
                        uint64_t Context, IG_ALERT_SET **New, INTRO_ALERT_EXC_ERROR *Error)
{
    IG_ALERT_ENTRY entry;
    INTSTATUS status;

    *New = NULL;
    for (uint32_t i = 0; Old && i < Old->Count; i++)
    {
        /* The same exception under another context is kept apart, so either context can remove it. */
        if (Old->Entries[i].Context == Context && IgAlertSameException(&Old->Entries[i].Exception, Exception))
        {
            return INT_STATUS_NOT_NEEDED_HINT;
        }
    }
    if (Old && Old->Count >= IG_ALERT_MAX_EXCEPTIONS)
    {
        return IgAlertFail(Error, INT_STATUS_INSUFFICIENT_RESOURCES, INT_STATUS_EXC_ALERT_TOO_MANY, 0,
                           "the guest already holds %u alert exceptions", IG_ALERT_MAX_EXCEPTIONS);
    }
    memset(&entry, 0, sizeof(entry));
    entry.Exception = *Exception;
    entry.Context = Context;
    status = IgAlertSetBuild(Allocator, Old, false, 0, &entry, New);
    if (!INT_SUCCESS(status))
    {
        return IgAlertFail(Error, status, status, 0, "out of memory for the alert exceptions");
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgAlertSetRemove(const IG_ALLOCATOR *Allocator, const IG_ALERT_SET *Old, uint64_t Context, IG_ALERT_SET **New)
{
    bool found = false;

    *New = NULL;
    for (uint32_t i = 0; Old && i < Old->Count && !found; i++)
    {
        found = Old->Entries[i].Context == Context;
    }
    if (!found)
    {
        return INT_STATUS_NOT_FOUND;
    }
    return IgAlertSetBuild(Allocator, Old, true, Context, NULL, New);
}

const IG_SIGNATURE *IgAlertFindSignature(const IG_EXC_ALERTS *Alerts, uint32_t Id)
{
    uint32_t seq = INTRO_EXCFILE_SIG_ID_SEQ(Id);
    uint32_t index;

    if (!Alerts || seq <= IG_ALERT_SIG_SEQ_BASE)
    {
        return NULL;
    }
    index = seq - IG_ALERT_SIG_SEQ_BASE - 1;
    return index < Alerts->SignatureCount && Alerts->Signatures[index].Id == Id ? &Alerts->Signatures[index] : NULL;
}

bool IgAlertSetConsistent(const IG_ALERT_SET *Set)
{
    const IG_EXC_ALERT_LIST *lists[IgAlertListCount] = {&Set->View.Kernel, &Set->View.User, &Set->View.KernelUser,
                                                        &Set->View.ProcessCreation};
    uint32_t total = 0;

    for (uint32_t l = 0; l < IgAlertListCount; l++)
    {
        for (uint32_t i = 0; i < lists[l]->Count; i++)
        {
            const IG_EXCEPTION *e = &lists[l]->Items[i];

            if ((i && lists[l]->Items[i - 1].Originator > e->Originator) || e->RecordIndex >= Set->Count ||
                lists[l]->Contexts[i] != Set->Entries[e->RecordIndex].Context)
            {
                return false;
            }
            for (uint32_t k = 0; k < e->SigCount; k++)
            {
                if (!IgAlertFindSignature(&Set->View, Set->View.SigIds[e->SigFirst + k]))
                {
                    return false;
                }
            }
        }
        total += lists[l]->Count;
    }
    return total == Set->Count;
}

/* ---- References and the slot ------------------------------------------------------------------------------------ */

void IgAlertSetRetain(IG_ALERT_SET *Set)
{
    unsigned before = atomic_fetch_add_explicit(&Set->RefCount, 1, memory_order_relaxed);

    IG_ASSERT(before >= 1);
}

void IgAlertSetRelease(IG_ALERT_SET *Set)
{
    unsigned before;
    IG_ALLOCATOR allocator;

    if (!Set)
    {
        return;
    }
    before = atomic_fetch_sub_explicit(&Set->RefCount, 1, memory_order_acq_rel);
    IG_ASSERT(before >= 1);
    if (before == 1)
    {
        allocator = Set->Allocator; /* the set holds its allocator: copy it out first */
        allocator.Free(allocator.Context, (void **)&Set, IG_TAG_ALERTS);
    }
}

void IgAlertSlotInit(IG_ALERT_SLOT *Slot)
{
    atomic_flag_clear(&Slot->Lock);
    Slot->Current = NULL;
}

static void IgAlertSlotLock(IG_ALERT_SLOT *Slot)
{
    while (atomic_flag_test_and_set_explicit(&Slot->Lock, memory_order_acquire))
    {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}

static void IgAlertSlotUnlock(IG_ALERT_SLOT *Slot)
{
    atomic_flag_clear_explicit(&Slot->Lock, memory_order_release);
}

IG_ALERT_SET *IgAlertSlotAcquire(IG_ALERT_SLOT *Slot)
{
    IG_ALERT_SET *set;

    IgAlertSlotLock(Slot);
    set = Slot->Current;
    if (set)
    {
        IgAlertSetRetain(set); /* the slot's own reference keeps it alive while the lock is held */
    }
    IgAlertSlotUnlock(Slot);
    return set;
}

void IgAlertSlotPublish(IG_ALERT_SLOT *Slot, IG_ALERT_SET *New)
{
    IG_ALERT_SET *old;

    IgAlertSlotLock(Slot);
    old = Slot->Current;
    IG_ASSERT(!New || New != old);
    Slot->Current = New;
    IgAlertSlotUnlock(Slot);
    IgAlertSetRelease(old);
}
