#include "fake_guest.h"

#include <stdlib.h>
#include <string.h>

static INTSTATUS FakeMap(void *Context, uint64_t Gpa, uint32_t Length, const uint8_t **Host)
{
    FAKE_GUEST *g = Context;

    *Host = NULL;
    if (Length == 0 || (Gpa & 0xFFF) + Length > 0x1000)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    for (uint32_t i = 0; i < g->FrameCount; i++)
    {
        if (g->Gfn[i] == Gpa >> 12)
        {
            g->Maps++;
            *Host = g->Data[i] + (Gpa & 0xFFF);
            return INT_STATUS_SUCCESS;
        }
    }
    return INT_STATUS_PAGE_NOT_PRESENT;
}

static void FakeUnmap(void *Context, const uint8_t *Host)
{
    FAKE_GUEST *g = Context;

    (void)Host;
    g->Unmaps++;
}

void FakeGuestInit(FAKE_GUEST *Guest, uint64_t MaxGpa)
{
    memset(Guest, 0, sizeof(*Guest));
    Guest->NextTableGfn = 0x100;
    Guest->Phys.Map = FakeMap;
    Guest->Phys.Unmap = FakeUnmap;
    Guest->Phys.Context = Guest;
    Guest->Phys.MaxGpa = MaxGpa;
}

void FakeGuestFree(FAKE_GUEST *Guest)
{
    for (uint32_t i = 0; i < Guest->FrameCount; i++)
    {
        free(Guest->Data[i]);
    }
    Guest->FrameCount = 0;
}

uint8_t *FakeGuestFrame(FAKE_GUEST *Guest, uint64_t Gfn)
{
    for (uint32_t i = 0; i < Guest->FrameCount; i++)
    {
        if (Guest->Gfn[i] == Gfn)
        {
            return Guest->Data[i];
        }
    }
    if (Guest->FrameCount == FAKE_GUEST_MAX_FRAMES)
    {
        abort();
    }
    Guest->Gfn[Guest->FrameCount] = Gfn;
    Guest->Data[Guest->FrameCount] = calloc(1, 0x1000);
    if (!Guest->Data[Guest->FrameCount])
    {
        abort();
    }
    return Guest->Data[Guest->FrameCount++];
}

void FakeGuestPoke(FAKE_GUEST *Guest, uint64_t Gpa, uint64_t Value, uint32_t Width)
{
    uint8_t *frame = FakeGuestFrame(Guest, Gpa >> 12);

    for (uint32_t i = 0; i < Width; i++)
    {
        frame[(Gpa & 0xFFF) + i] = (uint8_t)(Value >> (8 * i));
    }
}

static uint64_t FakePeek(FAKE_GUEST *Guest, uint64_t Gpa, uint32_t Width)
{
    uint8_t *frame = FakeGuestFrame(Guest, Gpa >> 12);
    uint64_t v = 0;

    for (uint32_t i = 0; i < Width; i++)
    {
        v |= (uint64_t)frame[(Gpa & 0xFFF) + i] << (8 * i);
    }
    return v;
}

/* The next-level table of Entry at EntryGpa, created when the entry is not present. */
static uint64_t FakeNextTable(FAKE_GUEST *Guest, uint64_t EntryGpa, uint32_t Width, uint64_t Flags)
{
    uint64_t entry = FakePeek(Guest, EntryGpa, Width);

    if (!(entry & 1))
    {
        uint64_t gfn = Guest->NextTableGfn++;

        FakeGuestFrame(Guest, gfn);
        entry = (gfn << 12) | Flags;
        FakeGuestPoke(Guest, EntryGpa, entry, Width);
    }
    return entry & (Width == 4 ? 0xFFFFF000ull : 0x000FFFFFFFFFF000ull);
}

void FakeGuestMapPage(FAKE_GUEST *Guest, IG_PAGING_MODE Paging, uint64_t *Cr3, uint64_t Gva, uint64_t Gpa)
{
    uint64_t table;

    if (*Cr3 == 0)
    {
        uint64_t gfn = Guest->NextTableGfn++;

        FakeGuestFrame(Guest, gfn);
        *Cr3 = gfn << 12;
    }
    switch (Paging)
    {
        case IgPaging32:
            table = FakeNextTable(Guest, (*Cr3 & 0xFFFFF000) + ((Gva >> 22) & 0x3FF) * 4, 4, 0x7);
            FakeGuestPoke(Guest, table + ((Gva >> 12) & 0x3FF) * 4, (Gpa & 0xFFFFF000) | 0x7, 4);
            break;
        case IgPagingPae:
            table = FakeNextTable(Guest, (*Cr3 & 0xFFFFFFE0) + ((Gva >> 30) & 3) * 8, 8, 0x1);
            table = FakeNextTable(Guest, table + ((Gva >> 21) & 0x1FF) * 8, 8, 0x7);
            FakeGuestPoke(Guest, table + ((Gva >> 12) & 0x1FF) * 8, (Gpa & ~0xFFFull) | 0x7, 8);
            break;
        default:
            table = *Cr3 & ~0xFFFull;
            table = FakeNextTable(Guest, table + ((Gva >> 39) & 0x1FF) * 8, 8, 0x7);
            table = FakeNextTable(Guest, table + ((Gva >> 30) & 0x1FF) * 8, 8, 0x7);
            table = FakeNextTable(Guest, table + ((Gva >> 21) & 0x1FF) * 8, 8, 0x7);
            FakeGuestPoke(Guest, table + ((Gva >> 12) & 0x1FF) * 8, (Gpa & ~0xFFFull) | 0x7, 8);
            break;
    }
}
