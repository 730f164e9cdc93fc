/*
 * Zones: what the integrator protects, and the EPT rights and exits that make the hypervisor
 * report accesses to it.
 *
 * A memory zone is translated page by page through its address space when it is declared; each
 * backing frame gets a hook that lists the zones on it.  A frame's rights are the rights it had
 * before its first zone minus everything its zones intercept (a frame whose reads are intercepted
 * loses writes too: write without read is not a valid EPT setting).  The last zone to leave a
 * frame restores its original rights.  The guest's vCPUs are paused while rights change, so no
 * vCPU runs with half a zone applied.
 */
#include <string.h>

#include "protect.h"

#define IG_TAG_ZONE IG_TAG('P', 'm', 'Z', 'o')
#define IG_PAGE 0x1000ull
#define IG_RWX (IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE)

static INTSTATUS IgZoneAlloc(IG_PROTECT *P, void **Address, size_t Size)
{
    INTSTATUS status = P->Allocator.Alloc(P->Allocator.Context, Address, Size, IG_TAG_ZONE);

    if (INT_SUCCESS(status))
    {
        memset(*Address, 0, Size);
    }
    return status;
}

static void IgZoneFree(IG_PROTECT *P, void *Address)
{
    if (Address)
    {
        P->Allocator.Free(P->Allocator.Context, &Address, IG_TAG_ZONE);
    }
}

/* ---- Hooked pages: an open-addressing table of frame → IG_PM_PAGE ------------------------------ */

static uint32_t IgPageHome(const IG_PROTECT *P, uint64_t Gfn)
{
    return (uint32_t)((Gfn * 0x9E3779B97F4A7C15ull) >> 32) & P->PageSlotMask;
}

IG_PM_PAGE *IgPmPageFind(const IG_PROTECT *Protect, uint64_t Gfn)
{
    if (!Protect->PageSlots)
    {
        return NULL;
    }
    for (uint32_t i = IgPageHome(Protect, Gfn);; i = (i + 1) & Protect->PageSlotMask)
    {
        uint32_t slot = Protect->PageSlots[i];

        if (slot == 0)
        {
            return NULL;
        }
        if (Protect->Pages[slot - 1]->Gfn == Gfn)
        {
            return Protect->Pages[slot - 1];
        }
    }
}

/* Rebuilds the slot table for Capacity pages (twice as many slots, a power of two). */
static INTSTATUS IgPageRehash(IG_PROTECT *P, uint32_t Capacity)
{
    uint32_t slots = 64;
    uint32_t *table = NULL;
    IG_PM_PAGE **pages = NULL;
    INTSTATUS status;

    while (slots < 2 * Capacity)
    {
        slots *= 2;
    }
    status = IgZoneAlloc(P, (void **)&table, slots * sizeof(*table));
    if (INT_SUCCESS(status))
    {
        status = IgZoneAlloc(P, (void **)&pages, Capacity * sizeof(*pages));
    }
    if (!INT_SUCCESS(status))
    {
        IgZoneFree(P, table);
        return status;
    }
    if (P->PageCount)
    {
        memcpy(pages, P->Pages, P->PageCount * sizeof(*pages));
    }
    for (uint32_t n = 0; n < P->PageCount; n++)
    {
        uint32_t i = (uint32_t)((pages[n]->Gfn * 0x9E3779B97F4A7C15ull) >> 32) & (slots - 1);

        while (table[i])
        {
            i = (i + 1) & (slots - 1);
        }
        table[i] = n + 1;
    }
    IgZoneFree(P, P->PageSlots);
    IgZoneFree(P, P->Pages);
    P->PageSlots = table;
    P->PageSlotMask = slots - 1;
    P->Pages = pages;
    P->PageCapacity = Capacity;
    return INT_STATUS_SUCCESS;
}

/* A new hook for Gfn (none must exist), with no zones yet. */
static INTSTATUS IgPageAdd(IG_PROTECT *P, uint64_t Gfn, IG_PM_PAGE **Page)
{
    IG_PM_PAGE *page = NULL;
    uint32_t i;
    INTSTATUS status;

    *Page = NULL;
    if (P->PageCount == P->PageCapacity)
    {
        status = IgPageRehash(P, P->PageCapacity ? 2 * P->PageCapacity : 32);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    status = IgZoneAlloc(P, (void **)&page, sizeof(*page));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    page->Gfn = Gfn;
    P->Pages[P->PageCount++] = page;
    i = IgPageHome(P, Gfn);
    while (P->PageSlots[i])
    {
        i = (i + 1) & P->PageSlotMask;
    }
    P->PageSlots[i] = P->PageCount;
    *Page = page;
    return INT_STATUS_SUCCESS;
}

/* Drops the hook of a page that has no zone left. */
static void IgPageRemove(IG_PROTECT *P, IG_PM_PAGE *Page)
{
    uint32_t index = 0;

    while (P->Pages[index] != Page)
    {
        index++;
    }
    /* Move the last page into the hole, then rebuild the slots (removals are rare: zone teardown). */
    P->Pages[index] = P->Pages[--P->PageCount];
    IgZoneFree(P, Page);
    memset(P->PageSlots, 0, (P->PageSlotMask + 1) * sizeof(*P->PageSlots));
    for (uint32_t n = 0; n < P->PageCount; n++)
    {
        uint32_t i = IgPageHome(P, P->Pages[n]->Gfn);

        while (P->PageSlots[i])
        {
            i = (i + 1) & P->PageSlotMask;
        }
        P->PageSlots[i] = n + 1;
    }
}

/* What a page's rights must be with the zones it has now. */
static uint8_t IgPageRights(const IG_PM_PAGE *Page)
{
    uint8_t rights = Page->Original;

    for (uint32_t i = 0; i < Page->ZoneCount; i++)
    {
        rights &= (uint8_t) ~(Page->Zones[i]->Decl.Access & IG_RWX);
    }
    if (!(rights & IG_EPT_HOOK_READ))
    {
        rights &= (uint8_t)~IG_EPT_HOOK_WRITE;
    }
    return rights;
}

static INTSTATUS IgPageApply(IG_PROTECT *P, IG_PM_PAGE *Page, uint8_t Rights)
{
    INTSTATUS status;

    if (Rights == Page->Current)
    {
        return INT_STATUS_SUCCESS;
    }
    status =
        P->Glue->SetEPTPageProtection(P->GuestHandle, IG_CURRENT_EPT, Page->Gfn << 12, (Rights & IG_EPT_HOOK_READ) != 0,
                                      (Rights & IG_EPT_HOOK_WRITE) != 0, (Rights & IG_EPT_HOOK_EXECUTE) != 0);
    if (INT_SUCCESS(status))
    {
        Page->Current = Rights;
    }
    return status;
}

/* Takes Zone off the page of Gfn, restoring the page when it was the last (best effort). */
static void IgPageDetach(IG_PROTECT *P, uint64_t Gfn, const IG_PM_ZONE *Zone)
{
    IG_PM_PAGE *page = IgPmPageFind(P, Gfn);

    if (!page)
    {
        return;
    }
    for (uint32_t i = 0; i < page->ZoneCount; i++)
    {
        if (page->Zones[i] == Zone)
        {
            page->Zones[i] = page->Zones[--page->ZoneCount];
            break;
        }
    }
    (void)IgPageApply(P, page, page->ZoneCount ? IgPageRights(page) : page->Original);
    if (page->ZoneCount == 0)
    {
        IgPageRemove(P, page);
    }
}

/* Puts Zone on the page of Gfn, hooking the page first if needed. */
static INTSTATUS IgPageAttach(IG_PROTECT *P, uint64_t Gfn, IG_PM_ZONE *Zone)
{
    IG_PM_PAGE *page = IgPmPageFind(P, Gfn);
    BYTE r = 0, w = 0, x = 0;
    INTSTATUS status;

    if (!page)
    {
        status = P->Glue->GetEPTPageProtection(P->GuestHandle, IG_CURRENT_EPT, Gfn << 12, &r, &w, &x);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        status = IgPageAdd(P, Gfn, &page);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        page->Original =
            (uint8_t)((r ? IG_EPT_HOOK_READ : 0) | (w ? IG_EPT_HOOK_WRITE : 0) | (x ? IG_EPT_HOOK_EXECUTE : 0));
        page->Current = page->Original;
    }
    for (uint32_t i = 0; i < page->ZoneCount; i++)
    {
        if (page->Zones[i] == Zone)
        {
            return INT_STATUS_SUCCESS; /* a zone backed twice by the same frame (aliased pages) */
        }
    }
    if (page->ZoneCount == IG_PM_MAX_ZONES_PER_PAGE)
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    else
    {
        page->Zones[page->ZoneCount++] = Zone;
        status = IgPageApply(P, page, IgPageRights(page));
        if (!INT_SUCCESS(status))
        {
            page->ZoneCount--;
        }
    }
    if (!INT_SUCCESS(status) && page->ZoneCount == 0)
    {
        IgPageRemove(P, page);
    }
    return status;
}

/* ---- Handlers and exits ------------------------------------------------------------------------- */

/* One more (Delta 1) or one fewer (-1) zone of Kind: the handler comes with the first, goes with the last. */
static INTSTATUS IgZoneKindCount(IG_PROTECT *P, uint32_t Kind, int Delta)
{
    uint32_t *count = Kind == introZoneMemory ? &P->MemoryZones
                      : Kind == introZoneMsr  ? &P->MsrZones
                      : Kind == introZoneCr   ? &P->CrZones
                                              : &P->DtrZones;
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (Delta > 0 && *count == 0)
    {
        switch (Kind)
        {
            case introZoneMemory:
                status = P->Glue->RegisterEPTHandler(P->GuestHandle, P->Handlers.Ept);
                break;
            case introZoneMsr:
                status = P->Glue->RegisterMSRHandler(P->GuestHandle, P->Handlers.Msr);
                break;
            case introZoneCr:
                status = P->Glue->RegisterCrWriteHandler(P->GuestHandle, P->Handlers.Cr);
                break;
            default:
                status = P->Glue->RegisterDtrHandler(P->GuestHandle, P->Handlers.Dtr);
                break;
        }
    }
    else if (Delta < 0 && *count == 1)
    {
        switch (Kind)
        {
            case introZoneMemory:
                status = P->Glue->UnregisterEPTHandler(P->GuestHandle);
                break;
            case introZoneMsr:
                status = P->Glue->UnregisterMSRHandler(P->GuestHandle);
                break;
            case introZoneCr:
                status = P->Glue->UnregisterCrWriteHandler(P->GuestHandle);
                break;
            default:
                status = P->Glue->UnregisterDtrHandler(P->GuestHandle);
                break;
        }
    }
    if (INT_SUCCESS(status) || Delta < 0)
    {
        *count = Delta > 0 ? *count + 1 : *count - 1;
    }
    return status;
}

/* Whether another zone than Except asks for the same exit. */
static bool IgZoneExitShared(const IG_PROTECT *P, const IG_PM_ZONE *Except, uint32_t Kind, uint32_t Index)
{
    for (uint32_t i = 0; i < P->ZoneCount; i++)
    {
        const IG_PM_ZONE *z = P->Zones[i];

        if (z != Except && z->Decl.Kind == Kind && z->Decl.Index == Index)
        {
            return true;
        }
    }
    return false;
}

/* Switches the exit of an MSR or CR zone on (Enable) or off, unless another zone keeps it. */
static INTSTATUS IgZoneExit(IG_PROTECT *P, const IG_PM_ZONE *Zone, bool Enable)
{
    BOOLEAN old = FALSE;

    if (IgZoneExitShared(P, Zone, Zone->Decl.Kind, Zone->Decl.Index))
    {
        return INT_STATUS_SUCCESS;
    }
    if (Zone->Decl.Kind == introZoneMsr)
    {
        return Enable ? P->Glue->EnableMSRExit(P->GuestHandle, Zone->Decl.Index, &old)
                      : P->Glue->DisableMSRExit(P->GuestHandle, Zone->Decl.Index, &old);
    }
    if (Zone->Decl.Kind == introZoneCr)
    {
        return Enable ? P->Glue->EnableCrWriteExit(P->GuestHandle, Zone->Decl.Index)
                      : P->Glue->DisableCrWriteExit(P->GuestHandle, Zone->Decl.Index);
    }
    return INT_STATUS_SUCCESS; /* descriptor-table exits come with the handler */
}

/* ---- Declaring and removing zones ------------------------------------------------------------- */

static bool IgZoneDeclValid(const IG_PROTECT *P, const INTRO_GUEST_ZONE *Z)
{
    if (Z->StructSize < sizeof(*Z) || Z->NameLength > INTRO_GUEST_MAX_NAME || (Z->NameLength && !Z->Name))
    {
        return false;
    }
    switch (Z->Kind)
    {
        case introZoneMemory:
            return Z->Length != 0 && Z->Gva + Z->Length > Z->Gva && (Z->Access & IG_RWX) != 0 &&
                   (Z->Access & ~(DWORD)IG_RWX) == 0 &&
                   ((Z->Gva + Z->Length - 1) >> 12) - (Z->Gva >> 12) < IG_PM_MAX_ZONE_PAGES &&
                   (Z->Pid == INTRO_GUEST_KERNEL || IgPmProcessByPid(P, Z->Pid) != NULL);
        case introZoneMsr:
            return true;
        case introZoneCr:
            return Z->Index == 4;
        case introZoneDtr:
            return Z->Index == INTRO_EXC_OBJ_IDTR || Z->Index == INTRO_EXC_OBJ_GDTR;
        default:
            return false;
    }
}

static void IgZoneDestroy(IG_PROTECT *P, IG_PM_ZONE *Zone)
{
    if (Zone)
    {
        IgZoneFree(P, Zone->Gfns);
        IgZoneFree(P, Zone);
    }
}

/* Translates every page of a memory zone into Zone->Gfns; all or nothing. */
static INTSTATUS IgZoneTranslate(IG_PROTECT *P, IG_PM_ZONE *Zone, PFUNC_IgProtectTranslate Translate, void *Context)
{
    const INTRO_GUEST_ZONE *z = &Zone->Decl;
    uint64_t cr3 = z->Pid == INTRO_GUEST_KERNEL ? P->SystemCr3 : IgPmProcessByPid(P, z->Pid)->Cr3;
    INTSTATUS status;

    if (cr3 == 0)
    {
        return INT_STATUS_NOT_INITIALIZED; /* the address space is not known (IntGuestSetSystemCr3) */
    }
    Zone->FirstGva = z->Gva & ~(IG_PAGE - 1);
    Zone->PageCount = (uint32_t)(((z->Gva + z->Length - 1) >> 12) - (z->Gva >> 12) + 1);
    status = IgZoneAlloc(P, (void **)&Zone->Gfns, Zone->PageCount * sizeof(*Zone->Gfns));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    for (uint32_t i = 0; i < Zone->PageCount; i++)
    {
        uint64_t gpa = 0;

        status = Translate(Context, cr3, Zone->FirstGva + i * IG_PAGE, &gpa);
        if (!INT_SUCCESS(status))
        {
            return INT_STATUS_PAGE_NOT_PRESENT;
        }
        Zone->Gfns[i] = gpa >> 12;
    }
    return INT_STATUS_SUCCESS;
}

/* Applies a translated memory zone to its pages, undoing what was done on failure. */
static INTSTATUS IgZoneHook(IG_PROTECT *P, IG_PM_ZONE *Zone)
{
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint32_t done = 0;

    (void)P->Glue->PauseVcpus(P->GuestHandle);
    for (; done < Zone->PageCount; done++)
    {
        status = IgPageAttach(P, Zone->Gfns[done], Zone);
        if (!INT_SUCCESS(status))
        {
            break;
        }
    }
    if (!INT_SUCCESS(status))
    {
        while (done-- > 0)
        {
            IgPageDetach(P, Zone->Gfns[done], Zone);
        }
    }
    if (P->Glue->FlushEPTPermissions) /* optional: IntInit accepts a table without it */
    {
        (void)P->Glue->FlushEPTPermissions(P->GuestHandle);
    }
    (void)P->Glue->ResumeVcpus(P->GuestHandle);
    return status;
}

static void IgZoneUnhook(IG_PROTECT *P, IG_PM_ZONE *Zone)
{
    (void)P->Glue->PauseVcpus(P->GuestHandle);
    for (uint32_t i = 0; i < Zone->PageCount; i++)
    {
        IgPageDetach(P, Zone->Gfns[i], Zone);
    }
    if (P->Glue->FlushEPTPermissions) /* optional: IntInit accepts a table without it */
    {
        (void)P->Glue->FlushEPTPermissions(P->GuestHandle);
    }
    (void)P->Glue->ResumeVcpus(P->GuestHandle);
}

INTSTATUS IgProtectAddZone(IG_PROTECT *Protect, const INTRO_GUEST_ZONE *Zone, PFUNC_IgProtectTranslate Translate,
                           void *TranslateContext, uint64_t *ZoneId)
{
    IG_PM_ZONE *zone = NULL;
    INTSTATUS status;

    *ZoneId = 0;
    if (!IgZoneDeclValid(Protect, Zone))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (Protect->ZoneCount == IG_PM_MAX_ZONES)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Protect->ZoneCount == Protect->ZoneCapacity)
    {
        IG_PM_ZONE **grown = NULL;
        uint32_t capacity = Protect->ZoneCapacity ? 2 * Protect->ZoneCapacity : 16;

        status = IgZoneAlloc(Protect, (void **)&grown, capacity * sizeof(*grown));
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        if (Protect->ZoneCount)
        {
            memcpy(grown, Protect->Zones, Protect->ZoneCount * sizeof(*grown));
        }
        IgZoneFree(Protect, Protect->Zones);
        Protect->Zones = grown;
        Protect->ZoneCapacity = capacity;
    }
    status = IgZoneAlloc(Protect, (void **)&zone, sizeof(*zone));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    zone->Decl = *Zone;
    zone->Decl.StructSize = sizeof(zone->Decl);
    zone->Decl.Name = NULL;
    zone->Decl.NameLength = 0;
    if (Zone->Name && Zone->NameLength)
    {
        memcpy(zone->NameCopy, Zone->Name, Zone->NameLength);
        zone->Decl.Name = zone->NameCopy;
        zone->Decl.NameLength = Zone->NameLength;
        zone->NameHash = IgPmZoneNameHash(Protect->Os, &zone->Decl);
    }
    if (Zone->Kind == introZoneMemory)
    {
        status = IgZoneTranslate(Protect, zone, Translate, TranslateContext);
    }
    if (INT_SUCCESS(status))
    {
        status = IgZoneKindCount(Protect, Zone->Kind, 1);
    }
    if (INT_SUCCESS(status))
    {
        status = Zone->Kind == introZoneMemory ? IgZoneHook(Protect, zone) : IgZoneExit(Protect, zone, true);
        if (!INT_SUCCESS(status))
        {
            (void)IgZoneKindCount(Protect, Zone->Kind, -1);
        }
    }
    if (!INT_SUCCESS(status))
    {
        IgZoneDestroy(Protect, zone);
        return status;
    }
    zone->Id = ++Protect->NextZoneId;
    Protect->Zones[Protect->ZoneCount++] = zone; /* ids only grow: the array stays sorted */
    *ZoneId = zone->Id;
    return INT_STATUS_SUCCESS;
}

/* Undoes a zone's hooks or exit and frees it; the caller has taken it out of the array. */
static void IgZoneRetire(IG_PROTECT *P, IG_PM_ZONE *Zone)
{
    if (Zone->Decl.Kind == introZoneMemory)
    {
        IgZoneUnhook(P, Zone);
    }
    else
    {
        (void)IgZoneExit(P, Zone, false);
    }
    (void)IgZoneKindCount(P, Zone->Decl.Kind, -1);
    IgZoneDestroy(P, Zone);
}

static uint32_t IgZoneSlot(const IG_PROTECT *P, uint64_t Id)
{
    uint32_t lo = 0, hi = P->ZoneCount;

    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo) / 2;

        if (P->Zones[mid]->Id < Id)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo;
}

/* Removes the zone at index At of the array (its exit checks no longer see it). */
static void IgZoneRemoveAt(IG_PROTECT *P, uint32_t At)
{
    IG_PM_ZONE *zone = P->Zones[At];

    memmove(&P->Zones[At], &P->Zones[At + 1], (P->ZoneCount - At - 1) * sizeof(P->Zones[0]));
    P->ZoneCount--;
    IgZoneRetire(P, zone);
}

INTSTATUS IgProtectRemoveZone(IG_PROTECT *Protect, uint64_t ZoneId)
{
    uint32_t at = IgZoneSlot(Protect, ZoneId);

    if (at >= Protect->ZoneCount || Protect->Zones[at]->Id != ZoneId)
    {
        return INT_STATUS_NOT_FOUND;
    }
    IgZoneRemoveAt(Protect, at);
    return INT_STATUS_SUCCESS;
}

void IgPmZonesDropProcess(IG_PROTECT *Protect, uint32_t Pid)
{
    uint32_t i = 0;

    while (i < Protect->ZoneCount)
    {
        if (Protect->Zones[i]->Decl.Kind == introZoneMemory && Protect->Zones[i]->Decl.Pid == Pid)
        {
            IgZoneRemoveAt(Protect, i);
        }
        else
        {
            i++;
        }
    }
}

void IgPmZonesFree(IG_PROTECT *Protect)
{
    while (Protect->ZoneCount)
    {
        IgZoneRemoveAt(Protect, Protect->ZoneCount - 1);
    }
    IgZoneFree(Protect, Protect->Zones);
    IgZoneFree(Protect, Protect->Pages);
    IgZoneFree(Protect, Protect->PageSlots);
    Protect->Zones = NULL;
    Protect->Pages = NULL;
    Protect->PageSlots = NULL;
    Protect->ZoneCapacity = Protect->PageCapacity = Protect->PageCount = 0;
    Protect->PageSlotMask = 0;
}
