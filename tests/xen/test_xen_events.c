/*
 * The vm_event loop on the fake Xen: a real shared ring (Xen's own ring macros: the test pushes
 * requests on the front ring as Xen would, the backend drains the back ring), the event channel a
 * pipe.  Rings with 0, 1 and 8 requests, a full ring, wrap-around; the response for every answer
 * the library can give; registers during an event; rights flushed before the answer; a request of
 * another ABI; the event thread, its stop, and a detach after an error that restores everything.
 *
 * The library's side is played by handlers registered through GLUE_IFACE, whose answers each test
 * chooses (the protection pipeline itself runs in test_xen_record.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_xen.h"
#include "xen_int.h"

#define CODE_GFN 0x40 /* the vCPUs run unpaged code here (RIP = 0x40000) */
#define DATA_GFN 0x50

typedef struct ENV
{
    FAKE_XEN Fake;
    INTRO_XEN *Xen;
    INTRO_GLUE_GUEST *Guest;
    GLUE_IFACE Glue;
} ENV;

/* What the handlers answer and saw. */
static struct
{
    ENV *Env;
    INTRO_ACTION Action;
    INTSTATUS Status;
    int Calls;
    QWORD Gpa, Gla;
    DWORD Type, Cpu, Index, Flags;
    QWORD Old, New;
    void (*Inside)(ENV *E); /* runs inside the handler */
} gH;

static INTSTATUS OnEpt(void *GuestHandle, QWORD Gpa, DWORD Length, QWORD Gla, DWORD Cpu, INTRO_ACTION *Action,
                       IG_EPT_ACCESS Type)
{
    (void)GuestHandle;
    (void)Length;
    gH.Calls++;
    gH.Gpa = Gpa;
    gH.Gla = Gla;
    gH.Cpu = Cpu;
    gH.Type = Type;
    if (gH.Inside)
    {
        gH.Inside(gH.Env);
    }
    *Action = gH.Action;
    return gH.Status;
}

static INTSTATUS OnMsr(void *GuestHandle, DWORD Msr, IG_MSR_HOOK_TYPE Flags, INTRO_ACTION *Action, QWORD Old,
                       QWORD *New, DWORD Cpu)
{
    (void)GuestHandle;
    (void)Flags;
    gH.Calls++;
    gH.Index = Msr;
    gH.Old = Old;
    gH.New = *New;
    gH.Cpu = Cpu;
    *Action = gH.Action;
    return gH.Status;
}

static INTSTATUS OnCr(void *GuestHandle, DWORD Cr, DWORD Cpu, QWORD Old, QWORD New, INTRO_ACTION *Action)
{
    (void)GuestHandle;
    gH.Calls++;
    gH.Index = Cr;
    gH.Old = Old;
    gH.New = New;
    gH.Cpu = Cpu;
    *Action = gH.Action;
    return gH.Status;
}

static INTSTATUS OnDtr(void *GuestHandle, DWORD Flags, DWORD Cpu, INTRO_ACTION *Action)
{
    (void)GuestHandle;
    gH.Calls++;
    gH.Flags = Flags;
    gH.Cpu = Cpu;
    *Action = gH.Action;
    return gH.Status;
}

static INTSTATUS OnTimer(void *GuestHandle)
{
    DWORD vcpu = 0;

    gH.Calls++;
    /* No vCPU is current during the tick. */
    gH.Status = gH.Env->Glue.QueryGuestInfo(GuestHandle, IG_QUERY_INFO_CLASS_CURRENT_TID, NULL, &vcpu, sizeof(vcpu));
    return INT_STATUS_SUCCESS;
}

/*
 * Two vCPUs running 32-bit unpaged code at 0x40000 (bytes set per test); the backend attached, a
 * glue guest on it with the handlers above, driven synchronously with IgXenPoll.
 */
static void Setup(ENV *E, DWORD Flags)
{
    INTRO_XEN_CONFIG config;

    memset(&gH, 0, sizeof(gH));
    gH.Env = E;
    gH.Action = introGuestAllowed;
    FakeXenInit(&E->Fake, 2, 0x100);
    for (uint32_t i = 0; i < 2; i++)
    {
        E->Fake.Cpu[i].cr0 = 0x11; /* protected mode, no paging: linear = physical */
        E->Fake.Cpu[i].msr_efer = 0;
        E->Fake.Cpu[i].cs_arbytes = 0xC9B;
        E->Fake.Cpu[i].rip = CODE_GFN << 12;
    }
    FakeXenSetPage(&E->Fake, CODE_GFN, NULL);
    FakeXenSetPage(&E->Fake, DATA_GFN, NULL);
    FakeXenConfig(&E->Fake, &config);
    config.Flags = Flags;
    assert_int_equal(IgXenCreateWithOps(&config, &E->Fake.Ops, &E->Xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenAttach(E->Xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntGlueGuestCreate(IntXenBackend(), E->Xen, &E->Guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&E->Glue, NULL);
    assert_int_equal(E->Glue.RegisterEPTHandler(E->Guest, OnEpt), INT_STATUS_SUCCESS);
    assert_int_equal(E->Glue.RegisterMSRHandler(E->Guest, OnMsr), INT_STATUS_SUCCESS);
    assert_int_equal(E->Glue.RegisterCrWriteHandler(E->Guest, OnCr), INT_STATUS_SUCCESS);
    assert_int_equal(E->Glue.RegisterDtrHandler(E->Guest, OnDtr), INT_STATUS_SUCCESS);
    E->Xen->Guest = E->Guest; /* what IntXenStart does, without its thread */
    E->Xen->NextTickMs = UINT64_MAX;
}

static void Teardown(ENV *E)
{
    IntXenDestroy(E->Xen);
    IntGlueGuestDestroy(E->Guest);
    assert_int_equal(E->Fake.Pauses, 0);
    assert_false(E->Fake.Unbalanced);
    assert_null(E->Fake.Ring);
    assert_false(E->Fake.MonitorOn);
    assert_int_equal(E->Fake.Mapped, 0);
    FakeXenFree(&E->Fake);
}

/* Sets the code bytes at the vCPUs' RIP. */
static void Code(ENV *E, const void *Bytes, size_t Size)
{
    memcpy(E->Fake.Pages[CODE_GFN], Bytes, Size);
}

/* Pushes one request, signals, runs one turn of the loop, takes the one response. */
static vm_event_response_t Exchange(ENV *E, const vm_event_request_t *Req)
{
    vm_event_response_t rsp;

    assert_true(FakeXenPush(&E->Fake, Req));
    FakeXenKick(&E->Fake);
    assert_int_equal(IgXenPoll(E->Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(&E->Fake, &rsp, 1), 1);
    assert_int_equal(rsp.version, VM_EVENT_INTERFACE_VERSION);
    assert_int_equal(rsp.vcpu_id, Req->vcpu_id);
    assert_int_equal(rsp.reason, Req->reason);
    assert_true(rsp.flags & VM_EVENT_FLAG_VCPU_PAUSED); /* else Xen never unpauses the vCPU */
    return rsp;
}

/* ---- Rings ------------------------------------------------------------------------------------- */

static void TestRingOfZeroOneAndEight(void **State)
{
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp[9];
    INTRO_XEN_STATS stats;

    (void)State;
    Setup(&e, 0);
    /* Nothing pending: a timeout, no response, no notification. */
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(&e.Fake, rsp, 9), 0);
    assert_int_equal(e.Fake.Notifies, 0);

    /* One: answered, notified once, the channel unmasked after reading it. */
    FakeXenMemRequest(&e.Fake, 1, (DATA_GFN << 12) | 0x10, 0xFFFF800000001010ull, MEM_ACCESS_W, &req);
    rsp[0] = Exchange(&e, &req);
    assert_int_equal(rsp[0].flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    assert_memory_equal(&rsp[0].u.mem_access, &req.u.mem_access, sizeof(req.u.mem_access));
    assert_int_equal(gH.Gpa, (DATA_GFN << 12) | 0x10);
    assert_int_equal(gH.Gla, 0xFFFF800000001010ull);
    assert_int_equal(gH.Type, IG_EPT_HOOK_WRITE);
    assert_int_equal(gH.Cpu, 1);
    assert_int_equal(e.Fake.Notifies, 1);
    assert_int_equal(e.Fake.Unmasks, 1);
    assert_true(FakeXenCallIndex(&e.Fake, "xenevtchn_unmask", 0) > FakeXenCallIndex(&e.Fake, "xenevtchn_pending", 0));

    /* Eight (a full ring): a ninth does not fit until they are answered, all in one drain. */
    for (uint32_t i = 0; i < 8; i++)
    {
        FakeXenMemRequest(&e.Fake, i & 1, ((DATA_GFN + i) << 12), 0, MEM_ACCESS_R, &req);
        assert_true(FakeXenPush(&e.Fake, &req));
    }
    assert_false(FakeXenPush(&e.Fake, &req));
    FakeXenKick(&e.Fake);
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(&e.Fake, rsp, 9), 8);
    for (uint32_t i = 0; i < 8; i++)
    {
        assert_int_equal(rsp[i].u.mem_access.gfn, DATA_GFN + i); /* in order */
        assert_int_equal(rsp[i].vcpu_id, i & 1);
        assert_true(rsp[i].flags & VM_EVENT_FLAG_VCPU_PAUSED);
    }
    assert_int_equal(e.Fake.Notifies, 2);
    assert_true(FakeXenPush(&e.Fake, &req));
    /* A missed notification: the next turn drains anyway. */
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(&e.Fake, rsp, 9), 1);
    IntXenGetStats(e.Xen, &stats);
    assert_int_equal(stats.Requests, 10);
    assert_int_equal(stats.Responses, 10);
    assert_int_equal(stats.Drains, 3);
    /* The back ring asks to be woken for the next request. */
    assert_int_equal(e.Fake.Front.sring->req_event, e.Xen->Back.req_cons + 1);
    Teardown(&e);
}

/* Random batches through the 8-slot ring: every request answered once, in order, still paused. */
static void TestRingWrapsAround(void **State)
{
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp[8];
    uint32_t sent = 0, answered = 0, seed = 12345;

    (void)State;
    Setup(&e, 0);
    while (answered < 300)
    {
        uint32_t batch = 1 + (seed = seed * 1103515245u + 12345u) % 8;

        for (uint32_t i = 0; i < batch && sent < 300; i++)
        {
            FakeXenMemRequest(&e.Fake, 0, (uint64_t)(DATA_GFN << 12) | (sent & 0xFFF), 0, MEM_ACCESS_W, &req);
            req.altp2m_idx = (uint16_t)sent; /* a sequence number the test reads back from mem_access */
            req.u.mem_access.gla = sent;
            if (!FakeXenPush(&e.Fake, &req))
            {
                break;
            }
            sent++;
        }
        if ((seed >> 8) & 1)
        {
            FakeXenKick(&e.Fake);
        }
        assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
        for (uint32_t got = FakeXenTake(&e.Fake, rsp, 8), i = 0; i < got; i++)
        {
            assert_int_equal(rsp[i].u.mem_access.gla, answered);
            assert_true(rsp[i].flags & VM_EVENT_FLAG_VCPU_PAUSED);
            answered++;
        }
    }
    assert_int_equal(sent, 300);
    assert_int_equal(gH.Calls, 300);
    Teardown(&e);
}

/* ---- Responses --------------------------------------------------------------------------------- */

static void TestResponsesForEveryAnswer(void **State)
{
    static const uint8_t movWrite[] = {0x89, 0x18}; /* mov [eax], ebx */
    static const struct
    {
        INTRO_ACTION Action;
        INTSTATUS Status;
        uint32_t Access;
        DWORD Flags;         /* INTRO_XEN_* */
        uint32_t Expected;   /* response flags besides VCPU_PAUSED */
        uint64_t RipAdvance; /* with SET_REGISTERS */
    } cases[] = {
        {introGuestAllowed, INT_STATUS_SUCCESS, MEM_ACCESS_W, 0, VM_EVENT_FLAG_EMULATE, 0},
        {introGuestIgnore, INT_STATUS_SUCCESS, MEM_ACCESS_W, 0, VM_EVENT_FLAG_EMULATE, 0},
        {introGuestAllowedPatched, INT_STATUS_SUCCESS, MEM_ACCESS_R, 0, VM_EVENT_FLAG_EMULATE, 0},
        {introGuestAllowedVirtual, INT_STATUS_SUCCESS, MEM_ACCESS_W, 0, 0, 0},
        {introGuestRetry, INT_STATUS_SUCCESS, MEM_ACCESS_W, 0, 0, 0},
        {introGuestNotAllowed, INT_STATUS_SUCCESS, MEM_ACCESS_W, 0, VM_EVENT_FLAG_EMULATE_NOWRITE, 0},
        {introGuestNotAllowed, INT_STATUS_SUCCESS, MEM_ACCESS_W | MEM_ACCESS_R, 0, VM_EVENT_FLAG_EMULATE_NOWRITE, 0},
        {introGuestNotAllowed, INT_STATUS_SUCCESS, MEM_ACCESS_W, INTRO_XEN_DENY_SKIP, VM_EVENT_FLAG_SET_REGISTERS, 2},
        {introGuestNotAllowed, INT_STATUS_SUCCESS, MEM_ACCESS_R, 0, VM_EVENT_FLAG_SET_REGISTERS, 2},
        {introGuestNotAllowed, INT_STATUS_SUCCESS, MEM_ACCESS_X, 0, VM_EVENT_FLAG_EMULATE, 0},
        {introGuestAllowed, INT_STATUS_FORCE_ACTION_ON_BETA, MEM_ACCESS_W, 0, VM_EVENT_FLAG_EMULATE_NOWRITE, 0},
        {introGuestNotAllowed, INT_STATUS_INVALID_PARAMETER_1, MEM_ACCESS_W, 0, VM_EVENT_FLAG_EMULATE, 0},
        {introGuestAllowed, INT_STATUS_NOT_FOUND, MEM_ACCESS_W, 0, VM_EVENT_FLAG_EMULATE, 0},
    };
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp;

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        Setup(&e, cases[i].Flags);
        Code(&e, movWrite, sizeof(movWrite));
        gH.Action = cases[i].Action;
        gH.Status = cases[i].Status;
        FakeXenMemRequest(&e.Fake, 0, (DATA_GFN << 12) | 8, 0, cases[i].Access, &req);
        rsp = Exchange(&e, &req);
        assert_int_equal(rsp.flags, VM_EVENT_FLAG_VCPU_PAUSED | cases[i].Expected);
        assert_memory_equal(&rsp.u.mem_access, &req.u.mem_access, sizeof(req.u.mem_access));
        if (cases[i].Expected & VM_EVENT_FLAG_SET_REGISTERS)
        {
            assert_int_equal(rsp.data.regs.x86.rip, req.data.regs.x86.rip + cases[i].RipAdvance);
            assert_int_equal(rsp.data.regs.x86.rbx, req.data.regs.x86.rbx);
        }
        Teardown(&e);
    }
}

static void TestRegisterAndDescriptorResponses(void **State)
{
    static const uint8_t lidt[] = {0x0F, 0x01, 0x18}; /* lidt [eax] */
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp;

    (void)State;
    Setup(&e, 0);
    Code(&e, lidt, sizeof(lidt));
    /* CR4 and MSR writes: allowed completes them, blocked denies them. */
    FakeXenCrRequest(&e.Fake, 1, VM_EVENT_X86_CR4, 0x370678, 0x270678, &req);
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED);
    assert_int_equal(gH.Index, 4);
    assert_int_equal(gH.Old, 0x370678);
    assert_int_equal(gH.New, 0x270678);
    gH.Action = introGuestNotAllowed;
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_DENY);
    FakeXenCrRequest(&e.Fake, 0, VM_EVENT_X86_CR0, 0x80050033, 0x80040033, &req);
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_DENY);
    assert_int_equal(gH.Index, 0);
    FakeXenMsrRequest(&e.Fake, 0, 0xC0000082, 0x1000, 0x2000, &req);
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_DENY);
    assert_int_equal(gH.Index, 0xC0000082);
    assert_int_equal(gH.New, 0x2000);
    gH.Action = introGuestAllowed;
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED);
    /* An XCR0 write is never ours. */
    gH.Calls = 0;
    FakeXenCrRequest(&e.Fake, 0, VM_EVENT_X86_XCR0, 7, 3, &req);
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED);
    assert_int_equal(gH.Calls, 0);

    /* Descriptor-table loads complete by emulation; a blocked one is skipped. */
    FakeXenDtrRequest(&e.Fake, 1, VM_EVENT_DESC_IDTR, true, &req);
    rsp = Exchange(&e, &req);
    assert_int_equal(rsp.flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    assert_int_equal(gH.Flags, IG_DESC_ACCESS_IDTR | IG_DESC_ACCESS_WRITE);
    assert_true(e.Xen->IdtStale[1]); /* the cached IDTR is re-read next time */
    gH.Action = introGuestNotAllowed;
    FakeXenDtrRequest(&e.Fake, 0, VM_EVENT_DESC_GDTR, false, &req);
    rsp = Exchange(&e, &req);
    assert_int_equal(rsp.flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_SET_REGISTERS);
    assert_int_equal(rsp.data.regs.x86.rip, req.data.regs.x86.rip + 3);
    assert_int_equal(gH.Flags, IG_DESC_ACCESS_GDTR | IG_DESC_ACCESS_READ);
    /* Undecodable bytes: the load is emulated after all (and logged). */
    Code(&e, (const uint8_t[]){0xFF, 0xFF, 0xFF}, 3);
    rsp = Exchange(&e, &req);
    assert_int_equal(rsp.flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    assert_non_null(strstr(e.Fake.LogText, "cannot decode the instruction"));
    Teardown(&e);
}

static void TestSpecialRequests(void **State)
{
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp;

    (void)State;
    Setup(&e, 0);
    /* A fault of the guest's own page walk never reaches the library. */
    FakeXenMemRequest(&e.Fake, 0, DATA_GFN << 12, 0, MEM_ACCESS_W | MEM_ACCESS_FAULT_IN_GPT, &req);
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    assert_int_equal(gH.Calls, 0);
    /* A request without the paused flag is answered without it. */
    FakeXenMemRequest(&e.Fake, 0, DATA_GFN << 12, 0, MEM_ACCESS_W, &req);
    req.flags = 0;
    assert_true(FakeXenPush(&e.Fake, &req));
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(&e.Fake, &rsp, 1), 1);
    assert_int_equal(rsp.flags, VM_EVENT_FLAG_EMULATE);
    /* Reasons we never enabled: answered, nothing done. */
    FakeXenMemRequest(&e.Fake, 0, 0, 0, 0, &req);
    req.reason = VM_EVENT_REASON_SINGLESTEP;
    assert_int_equal(Exchange(&e, &req).flags, VM_EVENT_FLAG_VCPU_PAUSED);
    /* A fatal failure of the library: the vCPU is answered, the loop told to stop. */
    gH.Status = INT_STATUS_FATAL_ERROR;
    FakeXenMemRequest(&e.Fake, 0, DATA_GFN << 12, 0, MEM_ACCESS_W, &req);
    assert_true(FakeXenPush(&e.Fake, &req));
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_FATAL_ERROR);
    assert_int_equal(FakeXenTake(&e.Fake, &rsp, 1), 1);
    assert_int_equal(rsp.flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    Teardown(&e);
}

/* ---- Inside an event --------------------------------------------------------------------------- */

static void InsideQueries(ENV *E)
{
    IG_ARCH_REGS regs;
    DWORD vcpu = 99;
    int before = FakeXenCallCount(&E->Fake, "xc_domain_hvm_getcontext_partial");

    /* The event's vCPU: from the request, no hypercall. */
    assert_int_equal(E->Glue.QueryGuestInfo(E->Guest, IG_QUERY_INFO_CLASS_REGISTER_STATE,
                                            (void *)(uintptr_t)IG_CURRENT_VCPU, &regs, sizeof(regs)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(regs.Rax, 0xAAAA);
    assert_int_equal(regs.IdtBase, 0xFFFFF80000002000ull); /* vCPU 1's, from attach */
    assert_int_equal(FakeXenCallCount(&E->Fake, "xc_domain_hvm_getcontext_partial"), before);
    assert_int_equal(E->Glue.QueryGuestInfo(E->Guest, IG_QUERY_INFO_CLASS_CURRENT_TID, NULL, &vcpu, sizeof(vcpu)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(vcpu, 1);
    /* Another vCPU: its saved context. */
    assert_int_equal(
        E->Glue.QueryGuestInfo(E->Guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)0, &regs, sizeof(regs)),
        INT_STATUS_SUCCESS);
    assert_int_equal(regs.Rax, 0x0);
    assert_int_equal(FakeXenCallCount(&E->Fake, "xc_domain_hvm_getcontext_partial"), before + 1);
    /* The library changes registers and rights while deciding. */
    regs.Rax = 0xBBBB;
    regs.Rip = 0x40010;
    assert_int_equal(E->Glue.QueryGuestInfo(E->Guest, IG_QUERY_INFO_CLASS_SET_REGISTERS,
                                            (void *)(uintptr_t)IG_CURRENT_VCPU, &regs, sizeof(regs)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(E->Glue.SetEPTPageProtection(E->Guest, IG_CURRENT_EPT, DATA_GFN << 12, 1, 0, 1),
                     INT_STATUS_SUCCESS);
}

static void TestInsideAnEvent(void **State)
{
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp;
    DWORD vcpu = 0;

    (void)State;
    Setup(&e, 0);
    gH.Inside = InsideQueries;
    FakeXenMemRequest(&e.Fake, 1, DATA_GFN << 12, 0, MEM_ACCESS_W, &req);
    req.data.regs.x86.rax = 0xAAAA;
    FakeXenClearCalls(&e.Fake);
    rsp = Exchange(&e, &req);
    assert_int_equal(gH.Calls, 1);
    /* The library's registers go back with the answer; Xen then runs from the RIP it set. */
    assert_int_equal(rsp.flags, VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_SET_REGISTERS);
    assert_int_equal(rsp.data.regs.x86.rax, 0xBBBB);
    assert_int_equal(rsp.data.regs.x86.rip, 0x40010);
    /* The rights it changed were sent before the answer was pushed. */
    assert_int_equal(e.Fake.Access[DATA_GFN], XENMEM_access_rx);
    assert_true(FakeXenCallIndex(&e.Fake, "xc_set_mem_access_multi", 0) >= 0);
    assert_true(FakeXenCallIndex(&e.Fake, "xc_set_mem_access_multi", 0) <
                FakeXenCallIndex(&e.Fake, "xenevtchn_notify", 0));
    /* After the event nothing is current. */
    assert_int_equal(e.Glue.QueryGuestInfo(e.Guest, IG_QUERY_INFO_CLASS_CURRENT_TID, NULL, &vcpu, sizeof(vcpu)),
                     INT_STATUS_NOT_FOUND);
    Teardown(&e);
}

static void TestTimerTicksOutsideEvents(void **State)
{
    ENV e;
    INTRO_XEN_STATS stats;

    (void)State;
    Setup(&e, 0);
    assert_int_equal(e.Glue.RegisterIntroTimerHandler(e.Guest, OnTimer), INT_STATUS_SUCCESS);
    e.Xen->NextTickMs = 0; /* due */
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gH.Calls, 1);
    assert_int_equal(gH.Status, INT_STATUS_NOT_FOUND); /* CURRENT_TID during the tick: none */
    assert_true(e.Xen->NextTickMs > IgXenNowMs());     /* the next one a second later */
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gH.Calls, 1);
    IntXenGetStats(e.Xen, &stats);
    assert_int_equal(stats.Ticks, 1);
    Teardown(&e);
}

/* ---- Another ABI, the thread, detach after an error --------------------------------------------- */

static void TestRequestOfAnotherAbi(void **State)
{
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp;
    char expected[64];

    (void)State;
    Setup(&e, 0);
    FakeXenMemRequest(&e.Fake, 0, DATA_GFN << 12, 0, MEM_ACCESS_W, &req);
    req.version = 6;
    assert_true(FakeXenPush(&e.Fake, &req));
    FakeXenKick(&e.Fake);
    assert_int_equal(IgXenPoll(e.Xen, 0), INT_STATUS_NOT_SUPPORTED);
    snprintf(expected, sizeof(expected), "ABI 6 arrived, this build speaks %d", VM_EVENT_INTERFACE_VERSION);
    assert_non_null(strstr(IntXenError(e.Xen), expected));
    assert_int_equal(FakeXenTake(&e.Fake, &rsp, 1), 0); /* its layout is unknown: no answer is laid out */
    assert_int_equal(gH.Calls, 0);
    Teardown(&e);
}

/* Waits (up to 5 s) for the fake to hold Count responses. */
static uint32_t WaitResponses(ENV *E, vm_event_response_t *Out, uint32_t Count)
{
    uint32_t got = 0;

    for (int i = 0; i < 5000 && got < Count; i++)
    {
        got += FakeXenTake(&E->Fake, Out + got, Count - got);
        if (got < Count)
        {
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        }
    }
    return got;
}

static void TestThreadStartsAndStops(void **State)
{
    ENV e;
    vm_event_request_t req;
    vm_event_response_t rsp[4];

    (void)State;
    Setup(&e, 0);
    e.Xen->Guest = NULL;
    assert_int_equal(IntXenStart(e.Xen, NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntXenStart(e.Xen, e.Guest), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenStart(e.Xen, e.Guest), INT_STATUS_INVALID_PARAMETER_1);
    assert_true(IntXenRunning(e.Xen));
    assert_int_equal(e.Fake.Pauses, 0); /* the guest runs */
    for (uint32_t i = 0; i < 4; i++)
    {
        FakeXenMemRequest(&e.Fake, i & 1, DATA_GFN << 12, 0, MEM_ACCESS_W, &req);
        assert_true(FakeXenPush(&e.Fake, &req));
    }
    FakeXenKick(&e.Fake);
    assert_int_equal(WaitResponses(&e, rsp, 4), 4);
    IntXenRequestStop(e.Xen);
    assert_int_equal(IntXenWait(e.Xen), INT_STATUS_SUCCESS);
    assert_false(IntXenRunning(e.Xen));
    assert_int_equal(e.Fake.Pauses, 1); /* left paused for the teardown */
    IntXenDetach(e.Xen);
    assert_int_equal(e.Fake.Pauses, 0);
    Teardown(&e);
}

/* An error stops the thread by itself; detach then restores everything. */
static void TestDetachAfterAnError(void **State)
{
    const INTRO_BACKEND *b = IntXenBackend();
    ENV e;
    vm_event_request_t req;

    (void)State;
    Setup(&e, 0);
    assert_int_equal(b->SetAccess(e.Xen, 0, DATA_GFN, IG_EPT_HOOK_READ), INT_STATUS_SUCCESS);
    assert_int_equal(b->SetMonitor(e.Xen, introBackendMonitorMsr, 0xC0000082, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenStart(e.Xen, e.Guest), INT_STATUS_SUCCESS);
    assert_int_equal(e.Fake.Access[DATA_GFN], XENMEM_access_r); /* the start applied the batch */
    FakeXenMemRequest(&e.Fake, 0, DATA_GFN << 12, 0, MEM_ACCESS_W, &req);
    req.version = 8;
    assert_true(FakeXenPush(&e.Fake, &req));
    FakeXenKick(&e.Fake);
    for (int i = 0; i < 5000 && IntXenRunning(e.Xen); i++)
    {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    assert_false(IntXenRunning(e.Xen));
    assert_int_equal(IntXenWait(e.Xen), INT_STATUS_NOT_SUPPORTED);
    IntXenDetach(e.Xen);
    assert_int_equal(e.Fake.Access[DATA_GFN], XENMEM_access_rwx);
    assert_int_equal(e.Fake.MsrCount, 0);
    Teardown(&e); /* ring unmapped, monitor off, unpaused */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestRingOfZeroOneAndEight),   cmocka_unit_test(TestRingWrapsAround),
        cmocka_unit_test(TestResponsesForEveryAnswer), cmocka_unit_test(TestRegisterAndDescriptorResponses),
        cmocka_unit_test(TestSpecialRequests),         cmocka_unit_test(TestInsideAnEvent),
        cmocka_unit_test(TestTimerTicksOutsideEvents), cmocka_unit_test(TestRequestOfAnotherAbi),
        cmocka_unit_test(TestThreadStartsAndStops),    cmocka_unit_test(TestDetachAfterAnError),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
