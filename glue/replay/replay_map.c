/*
 * Memory declared by virtual address (IntReplayMapVirtual): the replay makes the page tables a
 * real guest would have, so the library's own page walk finds the bytes as it would in a guest.
 *
 * Tables and data frames that do not exist yet are taken from frames above every frame the guest
 * has (the image, added pages, earlier such frames); entries that exist are followed.  A huge page
 * on the way is refused: a mapping is not split.
 */
#include <string.h>

#include "replay_int.h"

#define IG_MAP_PRESENT 0x1ull
#define IG_MAP_TABLE_BITS 0x7ull /* present, writable, user: what the walk needs, nothing it refuses */
#define IG_MAP_PS 0x80ull
#define IG_MAP_FRAME 0x000FFFFFFFFFF000ull
#define IG_MAP_4G_FRAMES 0x100000ull

/* A zeroed frame nobody uses, above everything the guest has. */
static INTSTATUS IgMapNewFrame(INTRO_REPLAY *R, bool Below4G, QWORD *Gfn)
{
    QWORD imageFrames = R->ImageSize / IG_REPLAY_PAGE;
    uint32_t index;

    if (R->NextFrame <= R->MaxPageGfn || R->NextFrame < imageFrames)
    {
        R->NextFrame = (R->MaxPageGfn + 1 > imageFrames ? R->MaxPageGfn + 1 : imageFrames);
    }
    while (IgGfnFind(&R->PageIndex, R->NextFrame, &index))
    {
        R->NextFrame++;
    }
    if ((Below4G && R->NextFrame >= IG_MAP_4G_FRAMES) || R->NextFrame >= IG_REPLAY_GFN_LIMIT)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (!IgReplayStorePage(R, R->NextFrame))
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Gfn = R->NextFrame++;
    return INT_STATUS_SUCCESS;
}

/* How a walk treats a missing entry. */
typedef enum IG_MAP_MODE
{
    IgMapLookup = 0, /* fail: the address is not mapped */
    IgMapCreate = 1, /* make it point at a new frame */
} IG_MAP_MODE;

/*
 * The entry of Table (a frame) at Offset, Width bytes wide.  A missing entry is created pointing at
 * a new frame (IgMapCreate) or fails the walk (IgMapLookup: PAGE_NOT_PRESENT, nothing added).
 */
static INTSTATUS IgMapFollow(INTRO_REPLAY *R, IG_MAP_MODE Mode, QWORD Table, uint32_t Offset, uint32_t Width,
                             QWORD Bits, bool Leaf, bool Below4G, QWORD *Next)
{
    uint32_t index;
    uint8_t *page;
    QWORD entry = 0;
    QWORD gfn;
    INTSTATUS status;

    if (Mode == IgMapLookup && !IgGfnFind(&R->PageIndex, Table >> 12, &index) &&
        !(R->Image && (Table >> 12) < R->ImageSize / IG_REPLAY_PAGE))
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    page = IgReplayStorePage(R, Table >> 12);
    if (!page)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(&entry, page + Offset, Width);
    if (entry & IG_MAP_PRESENT)
    {
        if (!Leaf && (entry & IG_MAP_PS) && Bits != IG_MAP_PRESENT)
        {
            return INT_STATUS_NOT_SUPPORTED; /* a huge page is in the way */
        }
        *Next = entry & (Width == 4 ? 0xFFFFF000ull : IG_MAP_FRAME);
        return INT_STATUS_SUCCESS;
    }
    if (Mode == IgMapLookup)
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    status = IgMapNewFrame(R, Below4G, &gfn);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    entry = (gfn << 12) | Bits; /* store pages never move: page is still the table's */
    memcpy(page + Offset, &entry, Width);
    *Next = gfn << 12;
    return INT_STATUS_SUCCESS;
}

/* The frame that backs the page at Gva in Cr3, with every table on the way made when missing. */
static INTSTATUS IgMapPage(INTRO_REPLAY *R, IG_MAP_MODE Mode, QWORD Cr3, DWORD Paging, QWORD Gva, QWORD *Frame)
{
    static const uint8_t shifts4[] = {39, 30, 21, 12};
    static const uint8_t shifts5[] = {48, 39, 30, 21, 12};
    const uint8_t *shifts;
    uint32_t levels;
    QWORD table;
    INTSTATUS status;

    switch (Paging)
    {
        case INTRO_REPLAY_PAGING_32BIT:
            if (Gva > 0xFFFFFFFFull)
            {
                return INT_STATUS_INVALID_PARAMETER_4;
            }
            status = IgMapFollow(R, Mode, Cr3 & 0xFFFFF000ull, (uint32_t)((Gva >> 22) & 0x3FF) * 4, 4,
                                 IG_MAP_TABLE_BITS, false, true, &table);
            if (!INT_SUCCESS(status))
            {
                return status;
            }
            return IgMapFollow(R, Mode, table, (uint32_t)((Gva >> 12) & 0x3FF) * 4, 4, IG_MAP_TABLE_BITS, true, true,
                               Frame);
        case INTRO_REPLAY_PAGING_PAE:
            if (Gva > 0xFFFFFFFFull)
            {
                return INT_STATUS_INVALID_PARAMETER_4;
            }
            /* PDPT entries allow only the present bit; the PDPT itself is 32-byte aligned below 4 GiB. */
            status = IgMapFollow(R, Mode, Cr3 & 0xFFFFF000ull, (uint32_t)((Cr3 & 0xFE0) + ((Gva >> 30) & 3) * 8), 8,
                                 IG_MAP_PRESENT, false, false, &table);
            shifts = shifts4 + 2;
            levels = 2;
            break;
        case INTRO_REPLAY_PAGING_4LEVEL:
        case INTRO_REPLAY_PAGING_5LEVEL:
        {
            unsigned bits = Paging == INTRO_REPLAY_PAGING_5LEVEL ? 57 : 48;

            if ((QWORD)((int64_t)(Gva << (64 - bits)) >> (64 - bits)) != Gva)
            {
                return INT_STATUS_INVALID_PARAMETER_4; /* not canonical */
            }
            shifts = Paging == INTRO_REPLAY_PAGING_5LEVEL ? shifts5 : shifts4;
            levels = Paging == INTRO_REPLAY_PAGING_5LEVEL ? 5 : 4;
            table = Cr3 & IG_MAP_FRAME;
            status = INT_STATUS_SUCCESS;
            break;
        }
        default:
            return INT_STATUS_INVALID_PARAMETER_3;
    }
    for (uint32_t i = 0; i < levels && INT_SUCCESS(status); i++)
    {
        bool leaf = i + 1 == levels;

        status = IgMapFollow(R, Mode, table, (uint32_t)((Gva >> shifts[i]) & 0x1FF) * 8, 8, IG_MAP_TABLE_BITS, leaf,
                             false, leaf ? Frame : &table);
    }
    return status;
}

INTSTATUS IntReplayMapVirtual(INTRO_REPLAY *Replay, QWORD Cr3, DWORD Paging, QWORD Gva, const void *Data, size_t Length)
{
    const uint8_t *bytes = Data;
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (!Replay)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Data || Length == 0 || Length > INTRO_REPLAY_MAX_MAP || Gva + Length - 1 < Gva)
    {
        return INT_STATUS_INVALID_PARAMETER_5;
    }
    pthread_mutex_lock(&Replay->Lock);
    for (size_t done = 0; done < Length && INT_SUCCESS(status);)
    {
        QWORD gva = Gva + done;
        size_t chunk = IG_REPLAY_PAGE - (gva & (IG_REPLAY_PAGE - 1));
        QWORD frame = 0;
        uint8_t *page;

        if (chunk > Length - done)
        {
            chunk = Length - done;
        }
        status = IgMapPage(Replay, IgMapCreate, Cr3, Paging, gva & ~(QWORD)(IG_REPLAY_PAGE - 1), &frame);
        if (INT_SUCCESS(status))
        {
            page = IgReplayStorePage(Replay, frame >> 12);
            if (!page)
            {
                status = INT_STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            memcpy(page + (gva & (IG_REPLAY_PAGE - 1)), bytes + done, chunk);
        }
        done += chunk;
    }
    pthread_mutex_unlock(&Replay->Lock);
    return status;
}

INTSTATUS IntReplayTranslate(INTRO_REPLAY *Replay, QWORD Cr3, DWORD Paging, QWORD Gva, QWORD *Gpa)
{
    QWORD frame = 0;
    INTSTATUS status;

    if (Gpa)
    {
        *Gpa = 0;
    }
    if (!Replay)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Gpa)
    {
        return INT_STATUS_INVALID_PARAMETER_5;
    }
    pthread_mutex_lock(&Replay->Lock);
    status = IgMapPage(Replay, IgMapLookup, Cr3, Paging, Gva & ~(QWORD)(IG_REPLAY_PAGE - 1), &frame);
    pthread_mutex_unlock(&Replay->Lock);
    if (INT_SUCCESS(status))
    {
        *Gpa = frame | (Gva & (IG_REPLAY_PAGE - 1));
    }
    return status;
}
