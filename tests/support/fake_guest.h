/*
 * A fake guest-physical memory for tests: a handful of 4 KiB frames the test fills, everything
 * else absent.  It counts maps and unmaps so tests can check that every mapping is released, and
 * it builds 4-level, PAE and 32-bit page tables for virtual mappings.
 */
#ifndef INTROGUARD_TEST_FAKE_GUEST_H
#define INTROGUARD_TEST_FAKE_GUEST_H

#include <stdint.h>

#include "common/guestmem.h"

#define FAKE_GUEST_MAX_FRAMES 64u

typedef struct FAKE_GUEST
{
    uint64_t Gfn[FAKE_GUEST_MAX_FRAMES];
    uint8_t *Data[FAKE_GUEST_MAX_FRAMES];
    uint32_t FrameCount;
    uint32_t Maps;
    uint32_t Unmaps;
    uint64_t NextTableGfn; /* where FakeGuestMap puts new page tables */
    IG_GUEST_PHYS Phys;
} FAKE_GUEST;

/* Empty memory; MaxGpa as in IG_GUEST_PHYS. */
void FakeGuestInit(FAKE_GUEST *Guest, uint64_t MaxGpa);
void FakeGuestFree(FAKE_GUEST *Guest);

/* The frame holding Gfn, created zeroed if needed. */
uint8_t *FakeGuestFrame(FAKE_GUEST *Guest, uint64_t Gfn);

/* Writes a little-endian value of Width bytes at Gpa. */
void FakeGuestPoke(FAKE_GUEST *Guest, uint64_t Gpa, uint64_t Value, uint32_t Width);

/*
 * Maps the 4 KiB page at Gva to Gpa in the tables rooted at *Cr3 (allocated from NextTableGfn when
 * 0) for Paging (4-level, PAE or 32-bit).
 */
void FakeGuestMapPage(FAKE_GUEST *Guest, IG_PAGING_MODE Paging, uint64_t *Cr3, uint64_t Gva, uint64_t Gpa);

#endif
