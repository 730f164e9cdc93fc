/*
 * Guest memory (src/common/guestmem.c): page walks for every paging mode over synthetic page
 * tables, huge pages, hostile tables (self references, reserved bits, frames beyond the guest's
 * memory), and page-by-page virtual reads across mapped and unmapped pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/glue_guestmem.h"
#include "common/guestmem.h"
#include "fake_guest.h"

#define MAX_GPA 0xFFFFFFFull /* 256 MiB guest */

typedef struct WALK_CASE
{
    const char *Name;
    IG_PAGING_MODE Paging;
    uint64_t Gva;
    uint64_t Gpa;
} WALK_CASE;

static void TestWalkEveryMode(void **State)
{
    static const WALK_CASE cases[] = {
        {"4-level kernel", IgPaging4Level, 0xFFFFF80312345678ull, 0x2A45678},
        {"4-level user", IgPaging4Level, 0x00007FF6ABCD1234ull, 0x0123234},
        {"pae", IgPagingPae, 0xC0801ABCull, 0x0456ABC},
        {"32-bit", IgPaging32, 0x80401FFFull, 0x0789FFF},
    };

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        FAKE_GUEST g;
        uint64_t cr3 = 0;
        uint64_t gpa = 1;
        IG_ADDRESS_SPACE space;

        FakeGuestInit(&g, MAX_GPA);
        FakeGuestMapPage(&g, cases[i].Paging, &cr3, cases[i].Gva, cases[i].Gpa);
        space = (IG_ADDRESS_SPACE){cr3, cases[i].Paging, false};
        assert_int_equal(IgGuestTranslate(&g.Phys, &space, cases[i].Gva, &gpa), INT_STATUS_SUCCESS);
        assert_int_equal(gpa, cases[i].Gpa);
        /* The neighbouring page is not mapped. */
        assert_int_equal(IgGuestTranslate(&g.Phys, &space, cases[i].Gva + 0x1000, &gpa), INT_STATUS_PAGE_NOT_PRESENT);
        assert_int_equal(gpa, 0);
        assert_int_equal(g.Maps, g.Unmaps);
        FakeGuestFree(&g);
    }
}

static void TestPagingModeFromRegisters(void **State)
{
    (void)State;
    assert_int_equal(IgPagingModeFromRegisters(0x11, 0, 0), IgPagingNone);
    assert_int_equal(IgPagingModeFromRegisters(0x80000011, 0, 0), IgPaging32);
    assert_int_equal(IgPagingModeFromRegisters(0x80000011, 0x20, 0), IgPagingPae);
    assert_int_equal(IgPagingModeFromRegisters(0x80050033, 0x370678, 0xD01), IgPaging4Level);
    assert_int_equal(IgPagingModeFromRegisters(0x80050033, 0x371678, 0xD01), IgPaging5Level);
}

static void TestNoPaging(void **State)
{
    FAKE_GUEST g;
    IG_ADDRESS_SPACE space = {0, IgPagingNone, false};
    uint64_t gpa = 0;

    (void)State;
    FakeGuestInit(&g, MAX_GPA);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x1234, &gpa), INT_STATUS_SUCCESS);
    assert_int_equal(gpa, 0x1234);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, MAX_GPA + 1, &gpa), INT_STATUS_PAGE_NOT_PRESENT);
    FakeGuestFree(&g);
}

/* A hand-built 4-level hierarchy: PML4 at 0x1000, PDPT at 0x2000, PD at 0x3000, PT at 0x4000. */
static void BuildTables(FAKE_GUEST *G)
{
    FakeGuestInit(G, MAX_GPA);
    FakeGuestPoke(G, 0x1000, 0x2000 | 0x7, 8); /* PML4[0] */
    FakeGuestPoke(G, 0x2000, 0x3000 | 0x7, 8); /* PDPT[0] */
    FakeGuestPoke(G, 0x3000, 0x4000 | 0x7, 8); /* PD[0] */
    FakeGuestPoke(G, 0x4000, 0x5000 | 0x7, 8); /* PT[0] -> 0x5000 */
}

static void TestHugePages(void **State)
{
    FAKE_GUEST g;
    IG_ADDRESS_SPACE space = {0x1000, IgPaging4Level, false};
    uint64_t gpa = 0;

    (void)State;
    BuildTables(&g);
    /* 2 MiB page at PD[1] -> 0x600000. */
    FakeGuestPoke(&g, 0x3008, 0x600000 | 0x87, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x2ABCDE, &gpa), INT_STATUS_SUCCESS);
    assert_int_equal(gpa, 0x6ABCDE);
    /* 1 GiB page at PDPT[1] -> 0x40000000 is beyond this 256 MiB guest. */
    FakeGuestPoke(&g, 0x2008, 0x40000000 | 0x87, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x40001234, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    /* ... and within a bigger one it translates. */
    g.Phys.MaxGpa = 0xFFFFFFFFFull;
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x40001234, &gpa), INT_STATUS_SUCCESS);
    assert_int_equal(gpa, 0x40001234);
    /* A misaligned 2 MiB frame (bit 13 set) is malformed. */
    FakeGuestPoke(&g, 0x3010, 0x602000 | 0x87, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x400000, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    /* PS in a PML4E is reserved. */
    FakeGuestPoke(&g, 0x1008, 0x2000 | 0x87, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x8000000000ull, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    FakeGuestFree(&g);
}

static void TestPse32(void **State)
{
    FAKE_GUEST g;
    IG_ADDRESS_SPACE space = {0x1000, IgPaging32, true};
    uint64_t gpa = 0;

    (void)State;
    FakeGuestInit(&g, 0xFFFFFFFFFull);
    /* PDE[1]: 4 MiB page at 0x00C00000 with PSE-36 bits 32-39 = 0x3. */
    FakeGuestPoke(&g, 0x1004, 0x00C00000 | (0x3u << 13) | 0x87, 4);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x00412345, &gpa), INT_STATUS_SUCCESS);
    assert_int_equal(gpa, 0x300C12345ull);
    /* Without CR4.PSE the PS bit is ignored: the entry is a page table at 0x00C06000. */
    space.Pse = false;
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x00412345, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    /* Bit 21 of a 4 MiB PDE is reserved. */
    space.Pse = true;
    FakeGuestPoke(&g, 0x1008, 0x00C00000 | (1u << 21) | 0x87, 4);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x00812345, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    /* Addresses above 4 GiB do not exist in 32-bit paging. */
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x100000000ull, &gpa), INT_STATUS_PAGE_NOT_PRESENT);
    FakeGuestFree(&g);
}

static void TestHostileTables(void **State)
{
    FAKE_GUEST g;
    IG_ADDRESS_SPACE space = {0x1000, IgPaging4Level, false};
    uint64_t gpa = 0;

    (void)State;
    BuildTables(&g);
    /* A PML4 entry pointing at the PML4 itself (a self-map): the walk has four levels and ends. */
    FakeGuestPoke(&g, 0x1000 + 0x1ED * 8, 0x1000 | 0x7, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0xFFFFF6FB7DBED000ull, &gpa), INT_STATUS_SUCCESS);
    assert_int_equal(gpa, 0x1000);
    /* A table frame beyond the guest's memory. */
    FakeGuestPoke(&g, 0x2010, 0xFFFFF000ull | 0x7, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x80000000ull, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    /* A table frame inside the guest's range but absent (a hole). */
    FakeGuestPoke(&g, 0x2018, 0x0ABCD000ull | 0x7, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0xC0000000ull, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    /* A final frame beyond the guest's memory. */
    FakeGuestPoke(&g, 0x4008, 0x7FFFFFFFF000ull | 0x7, 8);
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x1000, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    assert_int_equal(gpa, 0);
    /* Not canonical. */
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x0000800000000000ull, &gpa), INT_STATUS_PAGE_NOT_PRESENT);
    /* A CR3 beyond memory. */
    space.Cr3 = 0xFFFFFFFFF000ull;
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x1000, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    assert_int_equal(g.Maps, g.Unmaps);
    FakeGuestFree(&g);
}

static void TestPaeReservedBits(void **State)
{
    FAKE_GUEST g;
    uint64_t cr3 = 0;
    uint64_t gpa = 0;
    IG_ADDRESS_SPACE space;

    (void)State;
    FakeGuestInit(&g, MAX_GPA);
    FakeGuestMapPage(&g, IgPagingPae, &cr3, 0x40000000, 0x5000);
    space = (IG_ADDRESS_SPACE){cr3, IgPagingPae, false};
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x40000000, &gpa), INT_STATUS_SUCCESS);
    /* Set reserved bit 2 in that PDPTE. */
    FakeGuestFrame(&g, cr3 >> 12)[8] |= 0x4;
    assert_int_equal(IgGuestTranslate(&g.Phys, &space, 0x40000000, &gpa), INT_STATUS_NO_MAPPING_STRUCTURES);
    FakeGuestFree(&g);
}

static void TestReadAcrossPages(void **State)
{
    FAKE_GUEST g;
    uint64_t cr3 = 0;
    uint8_t buf[0x1800];
    size_t done = 99;
    IG_ADDRESS_SPACE space;

    (void)State;
    FakeGuestInit(&g, MAX_GPA);
    /* Two virtually contiguous pages backed by non-contiguous frames, then a hole. */
    FakeGuestMapPage(&g, IgPaging4Level, &cr3, 0x7000, 0x9000);
    FakeGuestMapPage(&g, IgPaging4Level, &cr3, 0x8000, 0x3000);
    memset(FakeGuestFrame(&g, 0x9), 0xAA, 0x1000);
    memset(FakeGuestFrame(&g, 0x3), 0xBB, 0x1000);
    space = (IG_ADDRESS_SPACE){cr3, IgPaging4Level, false};

    assert_int_equal(IgGuestReadVirtual(&g.Phys, &space, 0x7800, buf, 0x1000, &done), INT_STATUS_SUCCESS);
    assert_int_equal(done, 0x1000);
    assert_int_equal(buf[0x7FF], 0xAA);
    assert_int_equal(buf[0x800], 0xBB);

    /* Into the unmapped page: the mapped part is copied, the rest zeroed, Done says where it stopped. */
    memset(buf, 0xCC, sizeof(buf));
    assert_int_equal(IgGuestReadVirtual(&g.Phys, &space, 0x8800, buf, 0x1000, &done), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(done, 0x800);
    assert_int_equal(buf[0x7FF], 0xBB);
    assert_int_equal(buf[0x800], 0x00);
    assert_int_equal(buf[0xFFF], 0x00);

    /* Argument checks. */
    assert_int_equal(IgGuestReadVirtual(&g.Phys, &space, 0x7000, buf, 0, &done), INT_STATUS_INVALID_PARAMETER);
    assert_int_equal(IgGuestReadVirtual(&g.Phys, &space, 0xFFFFFFFFFFFFFFF0ull, buf, 0x20, &done),
                     INT_STATUS_INVALID_PARAMETER);
    assert_int_equal(IgGuestReadVirtual(&g.Phys, &space, 0x7000, buf, IG_GUEST_READ_MAX + 1, &done),
                     INT_STATUS_INVALID_PARAMETER);
    assert_int_equal(g.Maps, g.Unmaps);
    FakeGuestFree(&g);
}

static void TestWalkerVmem(void **State)
{
    FAKE_GUEST g;
    uint64_t cr3 = 0;
    uint8_t buf[4];
    size_t done = 0;
    IG_GUEST_WALKER walker;
    IG_GUEST_VMEM vmem;

    (void)State;
    FakeGuestInit(&g, MAX_GPA);
    FakeGuestMapPage(&g, IgPaging4Level, &cr3, 0x7000, 0x9000);
    FakeGuestPoke(&g, 0x9FFE, 0x0201, 2); /* the last two bytes of the page; 0x8000 is not mapped */
    walker = (IG_GUEST_WALKER){g.Phys, IgPaging4Level, false};
    IgGuestWalkerVmem(&walker, &vmem);
    assert_int_equal(IgGuestVmemRead(&vmem, cr3, 0x7FFE, buf, 2, &done), INT_STATUS_SUCCESS);
    assert_memory_equal(buf, ((const uint8_t[]){1, 2}), 2);
    assert_int_equal(IgGuestVmemRead(&vmem, cr3, 0x7FFE, buf, 4, &done), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(done, 2);
    FakeGuestFree(&g);
}

static void TestByteRanges(void **State)
{
    static const uint8_t code[0x1800] = {[0] = 0x11, [0xFFF] = 0x22, [0x1000] = 0x33, [0x17FF] = 0x44};
    const IG_GUEST_BYTES ranges[] = {{0x1AA000, 0x401000, code, sizeof(code)}};
    IG_GUEST_BYTE_RANGES set = {ranges, 1};
    IG_GUEST_VMEM vmem;
    uint8_t buf[0x20];
    size_t done = 0;

    (void)State;
    IgGuestByteRangesVmem(&set, &vmem);
    assert_int_equal(IgGuestVmemRead(&vmem, 0x1AA000, 0x401FF0, buf, 0x20, &done), INT_STATUS_SUCCESS);
    assert_int_equal(buf[0xF], 0x22);
    assert_int_equal(buf[0x10], 0x33);
    /* Another address space does not see these bytes. */
    assert_int_equal(IgGuestVmemRead(&vmem, 0x2BB000, 0x401000, buf, 1, &done), INT_STATUS_PAGE_NOT_PRESENT);
    /* Running past the end of the range. */
    assert_int_equal(IgGuestVmemRead(&vmem, 0x1AA000, 0x4027F0, buf, 0x20, &done), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(done, 0);
    assert_int_equal(IgGuestVmemRead(&vmem, 0x1AA000, 0x4027F0, buf, 0x10, &done), INT_STATUS_SUCCESS);
    assert_int_equal(buf[0xF], 0x44);
    /* Before the range. */
    assert_int_equal(IgGuestVmemRead(&vmem, 0x1AA000, 0x400FFF, buf, 2, &done), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(done, 0);
}

/* ---- The GLUE_IFACE adapter ---------------------------------------------------------------------------------- */

typedef struct GLUE_FAKE
{
    FAKE_GUEST Guest;
    uint64_t Cr3;
    uint32_t Outstanding; /* mappings not yet unmapped */
} GLUE_FAKE;

static GLUE_FAKE *gGlueFake;

static INTSTATUS GlueQuery(void *GuestHandle, DWORD InfoClass, void *InfoParam, void *Buffer, DWORD BufferLength)
{
    (void)InfoParam;
    assert_ptr_equal(GuestHandle, gGlueFake);
    switch (InfoClass)
    {
        case IG_QUERY_INFO_CLASS_REGISTER_STATE:
        {
            IG_ARCH_REGS *regs = Buffer;

            assert_int_equal(BufferLength, sizeof(*regs));
            regs->Cr0 = 0x80050033;
            regs->Cr4 = 0x370678;
            regs->Cr3 = gGlueFake->Cr3;
            regs->Rip = 0xFFFFF80312345678ull;
            return INT_STATUS_SUCCESS;
        }
        case IG_QUERY_INFO_CLASS_READ_MSR:
        {
            IG_QUERY_MSR *msr = Buffer;

            assert_int_equal(msr->MsrId, 0xC0000080);
            msr->Value = 0xD01;
            return INT_STATUS_SUCCESS;
        }
        case IG_QUERY_INFO_CLASS_CS_TYPE:
            *(DWORD *)Buffer = IG_CS_TYPE_64B;
            return INT_STATUS_SUCCESS;
        case IG_QUERY_INFO_CLASS_MAX_GPFN:
            *(QWORD *)Buffer = 0xFFFF; /* 256 MiB */
            return INT_STATUS_SUCCESS;
        default:
            return INT_STATUS_NOT_SUPPORTED;
    }
}

static INTSTATUS GlueMap(void *GuestHandle, QWORD PhysAddress, DWORD Length, DWORD Flags, void **HostPtr)
{
    const uint8_t *host = NULL;
    INTSTATUS status;

    (void)Flags;
    assert_ptr_equal(GuestHandle, gGlueFake);
    status = gGlueFake->Guest.Phys.Map(&gGlueFake->Guest, PhysAddress, Length, &host);
    *HostPtr = (void *)(uintptr_t)host;
    gGlueFake->Outstanding += INT_SUCCESS(status);
    return status;
}

static INTSTATUS GlueUnmap(void *GuestHandle, void **HostPtr)
{
    assert_ptr_equal(GuestHandle, gGlueFake);
    assert_non_null(*HostPtr);
    gGlueFake->Outstanding--;
    *HostPtr = NULL;
    return INT_STATUS_SUCCESS;
}

static void TestGlueAdapter(void **State)
{
    GLUE_FAKE fake;
    GLUE_IFACE glue;
    IG_GLUE_MEMORY memory;
    IG_GUEST_PHYS phys;
    IG_GLUE_VCPU_STATE vcpu;
    uint8_t buf[8];
    size_t done = 0;

    (void)State;
    memset(&fake, 0, sizeof(fake));
    memset(&glue, 0, sizeof(glue));
    gGlueFake = &fake;
    FakeGuestInit(&fake.Guest, MAX_GPA);
    FakeGuestMapPage(&fake.Guest, IgPaging4Level, &fake.Cr3, 0xFFFFF80312345000ull, 0x2A45000);
    FakeGuestPoke(&fake.Guest, 0x2A45678, 0x1122334455667788ull, 8);
    glue.QueryGuestInfo = GlueQuery;
    glue.PhysMemMapToHost = GlueMap;
    glue.PhysMemUnmap = GlueUnmap;

    memory = (IG_GLUE_MEMORY){&glue, &fake};
    IgGlueGuestPhys(&memory, &phys);
    assert_int_equal(phys.MaxGpa, 0xFFFFFFF);
    assert_int_equal(IgGlueQueryVcpuState(&glue, &fake, IG_CURRENT_VCPU, &vcpu), INT_STATUS_SUCCESS);
    assert_int_equal(vcpu.Space.Paging, IgPaging4Level);
    assert_int_equal(vcpu.Space.Cr3, fake.Cr3);
    assert_int_equal(vcpu.CsType, IG_CS_TYPE_64B);
    assert_int_equal(IgGuestReadVirtual(&phys, &vcpu.Space, vcpu.Rip, buf, 8, &done), INT_STATUS_SUCCESS);
    assert_int_equal(buf[0], 0x88);
    assert_int_equal(buf[7], 0x11);
    assert_int_equal(IgGuestReadVirtual(&phys, &vcpu.Space, vcpu.Rip + 0x1000, buf, 8, &done),
                     INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(fake.Outstanding, 0); /* every mapping was released */
    FakeGuestFree(&fake.Guest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestWalkEveryMode),   cmocka_unit_test(TestPagingModeFromRegisters),
        cmocka_unit_test(TestNoPaging),        cmocka_unit_test(TestHugePages),
        cmocka_unit_test(TestPse32),           cmocka_unit_test(TestHostileTables),
        cmocka_unit_test(TestPaeReservedBits), cmocka_unit_test(TestReadAcrossPages),
        cmocka_unit_test(TestWalkerVmem),      cmocka_unit_test(TestGlueAdapter),
        cmocka_unit_test(TestByteRanges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
