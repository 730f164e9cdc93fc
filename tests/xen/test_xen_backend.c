/*
 * The Xen backend's table on the fake Xen: guest memory (mappings, the cache, holes, reads across
 * pages), register decoding (vm_event requests and saved contexts), EPT rights (round trips,
 * batching), exits and pauses; and the same through the glue adapter, as the library sees them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_xen.h"
#include "xen_int.h"

typedef struct ENV
{
    FAKE_XEN Fake;
    INTRO_XEN *Xen;
    const INTRO_BACKEND *B;
} ENV;

static void Setup(ENV *E, uint32_t CacheSize, uint64_t Frames)
{
    INTRO_XEN_CONFIG config;

    FakeXenInit(&E->Fake, 2, Frames);
    FakeXenConfig(&E->Fake, &config);
    config.MapCacheSize = CacheSize;
    assert_int_equal(IgXenCreateWithOps(&config, &E->Fake.Ops, &E->Xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenAttach(E->Xen), INT_STATUS_SUCCESS);
    E->B = IntXenBackend();
}

static void Teardown(ENV *E)
{
    IntXenDestroy(E->Xen);
    assert_int_equal(E->Fake.Mapped, 0); /* every mapping went back */
    assert_int_equal(E->Fake.Pauses, 0);
    FakeXenFree(&E->Fake);
}

/* A page whose every byte is its frame number plus its offset. */
static void Fill(ENV *E, uint64_t Gfn)
{
    uint8_t *page = FakeXenSetPage(&E->Fake, Gfn, NULL);

    for (unsigned i = 0; i < 0x1000; i++)
    {
        page[i] = (uint8_t)(Gfn + i);
    }
}

/* ---- Memory ------------------------------------------------------------------------------------ */

static void TestMapThroughTheAdapter(void **State)
{
    ENV e;
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    void *ptr = NULL;
    INTRO_XEN_STATS stats;

    (void)State;
    Setup(&e, 0, 0x200);
    Fill(&e, 0x10);
    assert_int_equal(IntGlueGuestCreate(e.B, e.Xen, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);

    /* The pointer's low 12 bits are the address's; the bytes are the frame's. */
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x10123, 8, 0, &ptr), INT_STATUS_SUCCESS);
    assert_int_equal((uintptr_t)ptr & 0xFFF, 0x123);
    assert_int_equal(*(uint8_t *)ptr, (uint8_t)(0x10 + 0x123));
    assert_int_equal(glue.PhysMemUnmap(guest, &ptr), INT_STATUS_SUCCESS);
    /* The second map of the frame comes from the cache: no second foreign mapping. */
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x10FF0, 16, 0, &ptr), INT_STATUS_SUCCESS);
    assert_int_equal(glue.PhysMemUnmap(guest, &ptr), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenCallCount(&e.Fake, "xenforeignmemory_map"), 1);
    IntXenGetStats(e.Xen, &stats);
    assert_int_equal(stats.MapHits, 1);
    assert_int_equal(stats.MapMisses, 1);
    assert_int_equal(e.Fake.Mapped, 1); /* kept until detach */

    /* A request that crosses a page is the adapter's to refuse (the library splits its reads). */
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x10FF8, 16, 0, &ptr), INT_STATUS_INVALID_PARAMETER_3);
    /* Beyond the last frame: refused without a map call. */
    FakeXenClearCalls(&e.Fake);
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x200000, 8, 0, &ptr), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(FakeXenCallCount(&e.Fake, "xenforeignmemory_map"), 0);
    IntGlueGuestDestroy(guest);
    Teardown(&e);
}

static void TestMapFailures(void **State)
{
    ENV e;
    void *page = NULL;
    INTRO_XEN_STATS stats;

    (void)State;
    Setup(&e, 0, 0x200);
    Fill(&e, 0x20);
    Fill(&e, 0x1FF); /* the last frame */

    /* The call fails as a whole. */
    FakeXenFail(&e.Fake, "xenforeignmemory_map", EFAULT, 1);
    assert_int_equal(e.B->MapPage(e.Xen, 0x20, FALSE, &page), INT_STATUS_PAGE_NOT_PRESENT);
    assert_null(page);
    FakeXenFail(&e.Fake, "xenforeignmemory_map", ENOMEM, 1);
    assert_int_equal(e.B->MapPage(e.Xen, 0x20, FALSE, &page), INT_STATUS_INSUFFICIENT_RESOURCES);

    /* The call succeeds but the frame does not (err[0]): released at once. */
    e.Fake.PartialGfn = 0x20;
    e.Fake.PartialSet = true;
    assert_int_equal(e.B->MapPage(e.Xen, 0x20, FALSE, &page), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(e.Fake.Mapped, 0);
    e.Fake.PartialSet = false;

    /* Holes: the legacy VGA window, and frames nobody populated. */
    for (uint64_t gfn = 0xA0; gfn <= 0xBF; gfn += 0x1F)
    {
        assert_int_equal(e.B->MapPage(e.Xen, gfn, FALSE, &page), INT_STATUS_PAGE_NOT_PRESENT);
    }
    assert_int_equal(e.Fake.Mapped, 0);

    /* The last frame is readable; the one after it is not (libvmi#907). */
    assert_int_equal(e.B->MapPage(e.Xen, 0x1FF, FALSE, &page), INT_STATUS_SUCCESS);
    assert_int_equal(*(uint8_t *)page, 0xFF);
    e.B->UnmapPage(e.Xen, page);
    assert_int_equal(e.B->MapPage(e.Xen, 0x200, FALSE, &page), INT_STATUS_PAGE_NOT_PRESENT);
    IntXenGetStats(e.Xen, &stats);
    assert_int_equal(stats.MapFailures, 5);
    Teardown(&e);
}

static void TestReadsAcrossPagesAndIntoHoles(void **State)
{
    ENV e;
    uint8_t buffer[16];
    size_t done = 0;

    (void)State;
    Setup(&e, 0, 0x200);
    Fill(&e, 0x1);
    Fill(&e, 0x2);
    Fill(&e, 0x10);

    /* 16 bytes at 0x1FF8: the last 8 of frame 1, the first 8 of frame 2. */
    assert_int_equal(IgXenReadPhysical(e.Xen, 0x1FF8, buffer, 16, &done), INT_STATUS_SUCCESS);
    assert_int_equal(done, 16);
    for (unsigned i = 0; i < 8; i++)
    {
        assert_int_equal(buffer[i], (uint8_t)(1 + 0xFF8 + i));
        assert_int_equal(buffer[8 + i], (uint8_t)(2 + i));
    }
    /* 8 bytes at 0x10FFC with frame 0x11 a hole: 4 copied, and no byte past frame 0x10 touched. */
    memset(buffer, 0xEE, sizeof(buffer));
    assert_int_equal(IgXenReadPhysical(e.Xen, 0x10FFC, buffer, 8, &done), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(done, 4);
    assert_int_equal(buffer[3], (uint8_t)(0x10 + 0xFFF));
    assert_int_equal(buffer[4], 0xEE);
    /* Starting in a hole: nothing. */
    assert_int_equal(IgXenReadPhysical(e.Xen, 0xA0000, buffer, 8, &done), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(done, 0);
    Teardown(&e);
}

static void TestMappingCache(void **State)
{
    ENV e;
    void *a = NULL, *b = NULL, *c = NULL, *again = NULL;

    (void)State;
    Setup(&e, 2, 0x200);
    for (uint64_t gfn = 0x30; gfn < 0x34; gfn++)
    {
        Fill(&e, gfn);
    }
    /* Two slots: a third frame evicts the least recently used one nobody holds. */
    assert_int_equal(e.B->MapPage(e.Xen, 0x30, FALSE, &a), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->MapPage(e.Xen, 0x31, FALSE, &b), INT_STATUS_SUCCESS);
    e.B->UnmapPage(e.Xen, a);
    e.B->UnmapPage(e.Xen, b);
    assert_int_equal(e.B->MapPage(e.Xen, 0x31, FALSE, &b), INT_STATUS_SUCCESS); /* 0x31 is now the recent one */
    e.B->UnmapPage(e.Xen, b);
    FakeXenClearCalls(&e.Fake);
    assert_int_equal(e.B->MapPage(e.Xen, 0x32, FALSE, &c), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenCallCount(&e.Fake, "xenforeignmemory_unmap"), 1); /* 0x30 went */
    assert_int_equal(e.B->MapPage(e.Xen, 0x31, FALSE, &b), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenCallCount(&e.Fake, "xenforeignmemory_map"), 1); /* 0x31 stayed */

    /* Both slots held: a third mapping is the caller's alone and goes on release. */
    assert_int_equal(e.B->MapPage(e.Xen, 0x33, FALSE, &again), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.Mapped, 3);
    e.B->UnmapPage(e.Xen, again);
    assert_int_equal(e.Fake.Mapped, 2);
    e.B->UnmapPage(e.Xen, b);
    e.B->UnmapPage(e.Xen, c);
    /* A writable mapping is another mapping of the same frame. */
    assert_int_equal(e.B->MapPage(e.Xen, 0x31, TRUE, &again), INT_STATUS_SUCCESS);
    assert_ptr_equal(again, e.Fake.Pages[0x31]);
    e.B->UnmapPage(e.Xen, again);
    Teardown(&e);
}

/* ---- Registers --------------------------------------------------------------------------------- */

static void TestRequestRegisters(void **State)
{
    struct vm_event_regs_x86 x;
    INTRO_BACKEND_REGS r;

    (void)State;
    memset(&x, 0, sizeof(x));
    x.rax = 1;
    x.r15 = 15;
    x.rip = 0xFFFFF80000401000ull;
    x.rflags = 0x246;
    x.cr0 = 0x80050033;
    x.cr3 = 0x1AA000;
    x.cr4 = 0x370678;
    x.dr7 = 0x400;
    x.msr_efer = 0xD01;
    x.msr_star = 0x23001000000000ull;
    x.msr_lstar = 0xFFFFF80000402000ull;
    x.sysenter_eip = 0x1234;
    x.gdtr_base = 0xFFFFF80000003000ull;
    x.gdtr_limit = 0x57;
    x.fs_base = 0x7000;
    x.gs_base = 0xFFFFF80000500000ull;
    x.shadow_gs = 0x7FF00000;
    x.cs_base = 0;
    x.cs.ar = 0xA9B;      /* 64-bit code, DPL 0, G */
    x.cs.limit = 0xFFFFF; /* in pages: G is set */
    x.ss.ar = 0x0F3;      /* data, DPL 3, no G */
    x.ss.limit = 0x1234;  /* in bytes */
    x.cs_sel = 0x10;
    x.ss_sel = 0x2B;
    IgXenRegsFromRequest(&x, 0xFFFFF80000001000ull, 0xFFF, &r);
    assert_int_equal(r.Arch.Rax, 1);
    assert_int_equal(r.Arch.R15, 15);
    assert_int_equal(r.Arch.Rip, x.rip);
    assert_int_equal(r.Arch.Flags, 0x246);
    assert_int_equal(r.Arch.Cr3, 0x1AA000);
    assert_int_equal(r.Arch.Dr7, 0x400);
    assert_int_equal(r.Arch.IdtBase, 0xFFFFF80000001000ull); /* not in a request: from the cache */
    assert_int_equal(r.Arch.IdtLimit, 0xFFF);
    assert_int_equal(r.Arch.GdtBase, x.gdtr_base);
    assert_int_equal(r.Arch.GdtLimit, 0x57);
    assert_int_equal(r.Efer, 0xD01);
    assert_int_equal(r.Lstar, x.msr_lstar);
    assert_int_equal(r.SysenterEip, 0x1234);
    assert_int_equal(r.Fs.Base, 0x7000);
    assert_int_equal(r.KernelGsBase, 0x7FF00000);
    assert_int_equal(r.Cs.Attributes, 0xA9B);
    assert_int_equal(r.Cs.Limit, 0xFFFFFFFFu);
    assert_int_equal(r.Cs.Selector, 0x10);
    assert_int_equal(r.Ss.Attributes, 0x0F3);
    assert_int_equal(r.Ss.Limit, 0x1234);
    assert_true(r.Msrs & INTRO_BACKEND_MSR_EFER);
    assert_true(r.Msrs & INTRO_BACKEND_MSR_LSTAR);
    assert_true(r.Msrs & INTRO_BACKEND_MSR_SEG_BASES);
    assert_false(r.Msrs & INTRO_BACKEND_MSR_CSTAR); /* a request has none */
}

static void TestContextRegistersThroughTheAdapter(void **State)
{
    static const struct
    {
        uint64_t Cr0, Efer;
        uint32_t Cs, Ss;
        DWORD Type, Ring;
    } modes[] = {
        {0x10, 0, 0x093, 0x093, IG_CS_TYPE_16B, 0},           /* real mode */
        {0x11, 0, 0xC9B, 0xC93, IG_CS_TYPE_32B, 0},           /* 32-bit protected, ring 0 */
        {0x80050033, 0xD01, 0xA9B, 0xC93, IG_CS_TYPE_64B, 0}, /* long mode */
        {0x80050033, 0xD01, 0xAFB, 0xCF3, IG_CS_TYPE_64B, 3}, /* long mode, ring 3 */
        {0x80050033, 0xD01, 0xCFB, 0xCF3, IG_CS_TYPE_32B, 3}, /* compatibility mode */
    };
    ENV e;
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    IG_ARCH_REGS arch;
    IG_QUERY_MSR msr = {0xC0000083, 0};
    DWORD value = 0;

    (void)State;
    Setup(&e, 0, 0x200);
    assert_int_equal(IntGlueGuestCreate(e.B, e.Xen, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
    {
        e.Fake.Cpu[1].cr0 = modes[i].Cr0;
        e.Fake.Cpu[1].msr_efer = modes[i].Efer;
        e.Fake.Cpu[1].cs_arbytes = modes[i].Cs;
        e.Fake.Cpu[1].ss_arbytes = modes[i].Ss;
        assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CS_TYPE, (void *)1, &value, sizeof(value)),
                         INT_STATUS_SUCCESS);
        assert_int_equal(value, modes[i].Type);
        assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CS_RING, (void *)1, &value, sizeof(value)),
                         INT_STATUS_SUCCESS);
        assert_int_equal(value, modes[i].Ring);
    }
    /* Saved contexts carry IDTR and CSTAR. */
    e.Fake.Cpu[1].msr_cstar = 0xC57A;
    FakeXenClearCalls(&e.Fake);
    assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)1, &arch, sizeof(arch)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenCallCount(&e.Fake, "xc_domain_hvm_getcontext_partial"), 1);
    assert_int_equal(arch.IdtBase, 0xFFFFF80000002000ull);
    assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_READ_MSR, (void *)1, &msr, sizeof(msr)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(msr.Value, 0xC57A);
    /* Outside an event there is no current vCPU. */
    assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CURRENT_TID, NULL, &value, sizeof(value)),
                     INT_STATUS_NOT_FOUND);
    assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)2, &arch, sizeof(arch)),
                     INT_STATUS_INVALID_PARAMETER_3); /* the domain has two vCPUs */
    /* Registers are set only in answer to an event. */
    assert_int_equal(e.B->SetRegisters(e.Xen, 0, &arch), INT_STATUS_NOT_SUPPORTED);
    IntGlueGuestDestroy(guest);
    Teardown(&e);
}

/* ---- EPT rights -------------------------------------------------------------------------------- */

static void TestRightsRoundTrip(void **State)
{
    ENV e;
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    BYTE r = 0, w = 0, x = 0, access = 0;

    (void)State;
    Setup(&e, 0, 0x200);
    assert_int_equal(IntGlueGuestCreate(e.B, e.Xen, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);

    /* Every allowed combination goes to Xen and comes back. */
    for (BYTE mask = 0; mask < 8; mask++)
    {
        bool read = mask & 1, write = mask & 2, exec = mask & 4;

        if (write && !read)
        {
            assert_int_equal(glue.SetEPTPageProtection(guest, IG_CURRENT_EPT, 0x50000, read, write, exec),
                             INT_STATUS_INVALID_PARAMETER_MIX); /* write without read: never */
            continue;
        }
        assert_int_equal(glue.SetEPTPageProtection(guest, IG_CURRENT_EPT, 0x50000, read, write, exec),
                         INT_STATUS_SUCCESS);
        /* Before the flush the batch answers; after it Xen does. */
        assert_int_equal(glue.GetEPTPageProtection(guest, IG_CURRENT_EPT, 0x50000, &r, &w, &x), INT_STATUS_SUCCESS);
        assert_int_equal(r | w << 1 | x << 2, mask);
        assert_int_equal(glue.FlushEPTPermissions(guest), INT_STATUS_SUCCESS);
        assert_int_equal(e.Fake.Access[0x50], mask); /* xenmem_access_t n..rwx is the same mask */
        assert_int_equal(glue.GetEPTPageProtection(guest, IG_CURRENT_EPT, 0x50000, &r, &w, &x), INT_STATUS_SUCCESS);
        assert_int_equal(r | w << 1 | x << 2, mask);
    }
    /* What Xen's other access types mean. */
    e.Fake.Access[0x60] = XENMEM_access_rx2rw;
    assert_int_equal(e.B->GetAccess(e.Xen, 0, 0x60, &access), INT_STATUS_SUCCESS);
    assert_int_equal(access, IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE);
    e.Fake.Access[0x60] = XENMEM_access_n2rwx;
    assert_int_equal(e.B->GetAccess(e.Xen, 0, 0x60, &access), INT_STATUS_SUCCESS);
    assert_int_equal(access, 0);
    /* Other views go to altp2m (off in the fake domain). */
    assert_int_equal(e.B->GetAccess(e.Xen, 1, 0x60, &access), INT_STATUS_NOT_SUPPORTED);
    assert_int_equal(e.B->SetAccess(e.Xen, 1, 0x60, IG_EPT_HOOK_READ), INT_STATUS_NOT_SUPPORTED);
    assert_int_equal(e.B->SetAccess(e.Xen, 0, 0x60, 8), INT_STATUS_INVALID_PARAMETER_4);
    IntGlueGuestDestroy(guest);
    Teardown(&e);
}

static void TestRightsAreBatched(void **State)
{
    ENV e;

    (void)State;
    Setup(&e, 0, 0x400);
    /* 600 changes: one call when the batch fills (512), one for the rest at the flush. */
    for (uint64_t gfn = 0; gfn < 600; gfn++)
    {
        assert_int_equal(e.B->SetAccess(e.Xen, 0, gfn, IG_EPT_HOOK_READ), INT_STATUS_SUCCESS);
    }
    assert_int_equal(e.Fake.MultiCalls, 1);
    assert_int_equal(e.B->SetAccess(e.Xen, 0, 550, IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->FlushAccess(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.MultiCalls, 2);
    assert_int_equal(e.Fake.MultiFrames, 600); /* frame 550 changed twice in one batch, sent once */
    assert_int_equal(e.Fake.Access[550], XENMEM_access_rx);
    assert_int_equal(e.Fake.Access[5], XENMEM_access_r);
    assert_int_equal(e.B->FlushAccess(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.MultiCalls, 2); /* nothing pending: no call */

    /* A resume flushes first: rights are in force before a vCPU runs. */
    assert_int_equal(e.B->Pause(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->SetAccess(e.Xen, 0, 7, 0), INT_STATUS_SUCCESS);
    FakeXenClearCalls(&e.Fake);
    assert_int_equal(e.B->Resume(e.Xen), INT_STATUS_SUCCESS);
    assert_true(FakeXenCallIndex(&e.Fake, "xc_set_mem_access_multi", 0) <
                FakeXenCallIndex(&e.Fake, "xc_domain_unpause", 0));
    assert_int_equal(e.Fake.Access[7], XENMEM_access_n);
    /* A failed flush says so. */
    assert_int_equal(e.B->SetAccess(e.Xen, 0, 8, 0), INT_STATUS_SUCCESS);
    FakeXenFail(&e.Fake, "xc_set_mem_access_multi", EINVAL, 1);
    assert_int_equal(e.B->FlushAccess(e.Xen), INT_STATUS_INVALID_INTERNAL_STATE);
    IntXenDetach(e.Xen);
    assert_int_equal(e.Fake.Access[5], XENMEM_access_rwx); /* detach restored them */
    assert_int_equal(e.Fake.Access[550], XENMEM_access_rwx);
    Teardown(&e);
}

/* ---- Exits and pauses -------------------------------------------------------------------------- */

static void TestExitsAndPauses(void **State)
{
    ENV e;

    (void)State;
    Setup(&e, 0, 0x200);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorMsr, 0xC0000082, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.MsrCount, 1);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorMsr, 0xC0000082, FALSE), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.MsrCount, 0);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorCr, 0, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorCr, 3, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorCr, 4, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.CrMask,
                     (1u << VM_EVENT_X86_CR0) | (1u << VM_EVENT_X86_CR3) | (1u << VM_EVENT_X86_CR4)); /* synchronous */
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorCr, 8, TRUE), INT_STATUS_NOT_SUPPORTED);
    FakeXenFail(&e.Fake, "xc_monitor_mov_to_msr", EPERM, 1);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorMsr, 0x174, TRUE), INT_STATUS_ACCESS_DENIED);
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorDtr, 0, TRUE), INT_STATUS_SUCCESS);
    assert_true(e.Fake.Dtr);
    e.Xen->Capabilities = 0; /* a hypervisor without descriptor-access events */
    assert_int_equal(e.B->SetMonitor(e.Xen, introBackendMonitorDtr, 0, TRUE), INT_STATUS_NOT_SUPPORTED);

    /* Pauses nest; a resume without a pause is an error and leaves Xen's count alone. */
    assert_int_equal(e.Fake.Pauses, 1); /* attach's */
    assert_int_equal(e.B->Pause(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->Pause(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.Pauses, 3);
    assert_int_equal(e.B->Resume(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->Resume(e.Xen), INT_STATUS_SUCCESS);
    assert_int_equal(e.B->Resume(e.Xen), INT_STATUS_INVALID_INTERNAL_STATE);
    assert_int_equal(e.Fake.Pauses, 1);
    IntXenDetach(e.Xen);
    assert_false(e.Fake.Unbalanced);
    assert_int_equal(e.Fake.MsrCount, 0);
    Teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestMapThroughTheAdapter),
        cmocka_unit_test(TestMapFailures),
        cmocka_unit_test(TestReadsAcrossPagesAndIntoHoles),
        cmocka_unit_test(TestMappingCache),
        cmocka_unit_test(TestRequestRegisters),
        cmocka_unit_test(TestContextRegistersThroughTheAdapter),
        cmocka_unit_test(TestRightsRoundTrip),
        cmocka_unit_test(TestRightsAreBatched),
        cmocka_unit_test(TestExitsAndPauses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
