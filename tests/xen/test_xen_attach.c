/*
 * Attaching to a domain and detaching from it, on the fake Xen (tests/xen/fake_xen.c): each way
 * attach can fail says so in words that tell what to do and leaves nothing open or paused; a
 * detach undoes everything, in the order Xen needs.
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

/* Attaches with a fresh backend; the status, *Xen the backend (freed by the caller). */
static INTSTATUS Attach(FAKE_XEN *F, const char *Name, INTRO_XEN **Xen)
{
    INTRO_XEN_CONFIG config;

    FakeXenConfig(F, &config);
    config.DomainName = Name;
    config.DomainId = 5;
    assert_int_equal(IgXenCreateWithOps(&config, &F->Ops, Xen), INT_STATUS_SUCCESS);
    return IntXenAttach(*Xen);
}

/* Nothing of the attempt is left: handles closed, ring gone, the domain runs. */
static void AssertNothingLeft(const FAKE_XEN *F)
{
    assert_false(F->XchOpen);
    assert_false(F->FmemOpen);
    assert_false(F->XceOpen);
    assert_false(F->MonitorOn);
    assert_null(F->Ring);
    assert_false(F->Bound);
    assert_int_equal(F->Pauses, 0);
    assert_false(F->Unbalanced);
    assert_int_equal(F->Mapped, 0);
}

/* ---- Opening the handles ----------------------------------------------------------------------- */

static void TestNotOnXen(void **State)
{
    FAKE_XEN f;
    INTRO_XEN *xen;

    (void)State;
    FakeXenInit(&f, 1, 16);
    FakeXenFail(&f, "xc_interface_open", ENOENT, 1);
    assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_NOT_SUPPORTED);
    assert_non_null(strstr(IntXenError(xen), "not a Xen dom0"));
    /* libxc's own message came through our logger. */
    assert_non_null(strstr(f.LogText, "xencall: Could not obtain handle on privileged command interface"));
    assert_int_equal(FakeXenCallIndex(&f, "xenforeignmemory_open", 0), -1);
    AssertNothingLeft(&f);
    IntXenDestroy(xen);
    FakeXenFree(&f);
}

static void TestNoPrivileges(void **State)
{
    static const int errors[] = {EACCES, EPERM};
    FAKE_XEN f;
    INTRO_XEN *xen;

    (void)State;
    for (size_t i = 0; i < 2; i++)
    {
        FakeXenInit(&f, 1, 16);
        FakeXenFail(&f, "xc_interface_open", errors[i], 1);
        assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_ACCESS_DENIED);
        assert_non_null(strstr(IntXenError(xen), "run as root in dom0"));
        AssertNothingLeft(&f);
        IntXenDestroy(xen);
        FakeXenFree(&f);
    }
}

/* A later handle failing closes the earlier ones, in reverse order. */
static void TestLaterHandlesFail(void **State)
{
    static const char *const calls[] = {"xenforeignmemory_open", "xenevtchn_open"};
    FAKE_XEN f;
    INTRO_XEN *xen;

    (void)State;
    for (size_t i = 0; i < 2; i++)
    {
        FakeXenInit(&f, 1, 16);
        FakeXenFail(&f, calls[i], ENOENT, 1);
        assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_NOT_SUPPORTED);
        assert_non_null(strstr(IntXenError(xen), i == 0 ? "foreign memory" : "event channel"));
        AssertNothingLeft(&f);
        assert_int_equal(FakeXenCallIndex(&f, "xc_domain_getinfolist", 0), -1);
        assert_true(FakeXenCallIndex(&f, "xc_interface_close", 0) > FakeXenCallIndex(&f, calls[i], 0));
        IntXenDestroy(xen);
        FakeXenFree(&f);
    }
}

/* ---- Finding the domain ------------------------------------------------------------------------ */

static void TestDomainLookup(void **State)
{
    FAKE_XEN f;
    INTRO_XEN *xen;

    (void)State;
    /* By name through xenstore. */
    FakeXenInit(&f, 2, 16);
    f.DomId = 12;
    assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenDomainId(xen), 12);
    IntXenDestroy(xen);
    AssertNothingLeft(&f);
    FakeXenFree(&f);

    /* An unknown name. */
    FakeXenInit(&f, 1, 16);
    assert_int_equal(Attach(&f, "nosuch", &xen), INT_STATUS_NOT_FOUND);
    assert_non_null(strstr(IntXenError(xen), "no domain is named \"nosuch\""));
    AssertNothingLeft(&f);
    IntXenDestroy(xen);
    FakeXenFree(&f);

    /* An id that is gone: getinfolist answers with the next domain (5 for 3), or nothing (for 9). */
    for (uint32_t id = 3; id <= 9; id += 6)
    {
        INTRO_XEN_CONFIG config;

        FakeXenInit(&f, 1, 16);
        FakeXenConfig(&f, &config);
        config.DomainName = NULL;
        config.DomainId = id;
        assert_int_equal(IgXenCreateWithOps(&config, &f.Ops, &xen), INT_STATUS_SUCCESS);
        assert_int_equal(IntXenAttach(xen), INT_STATUS_NOT_FOUND);
        assert_non_null(strstr(IntXenError(xen), "no domain"));
        AssertNothingLeft(&f);
        IntXenDestroy(xen);
        FakeXenFree(&f);
    }
}

static void TestDomainKinds(void **State)
{
    static const struct
    {
        uint32_t Flags;
        INTSTATUS Status;
        const char *Words;
    } cases[] = {
        {XEN_DOMINF_hap, INT_STATUS_NOT_SUPPORTED, "not an HVM guest"},
        {XEN_DOMINF_hvm_guest, INT_STATUS_NOT_SUPPORTED, "hap=1"},
        {XEN_DOMINF_hvm_guest | XEN_DOMINF_hap | XEN_DOMINF_dying, INT_STATUS_NOT_FOUND, "being destroyed"},
    };
    FAKE_XEN f;
    INTRO_XEN *xen;

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        FakeXenInit(&f, 1, 16);
        f.Flags = cases[i].Flags;
        assert_int_equal(Attach(&f, "guest", &xen), cases[i].Status);
        assert_non_null(strstr(IntXenError(xen), cases[i].Words));
        AssertNothingLeft(&f);
        IntXenDestroy(xen);
        FakeXenFree(&f);
    }
}

/* ---- The ABI and the ring ---------------------------------------------------------------------- */

static void TestAbiMismatch(void **State)
{
    FAKE_XEN f;
    INTRO_XEN *xen;
    char expected[64];

    (void)State;
    FakeXenInit(&f, 1, 16);
    f.Version = 6;
    assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_NOT_SUPPORTED);
    /* Both versions, and what to do. */
    snprintf(expected, sizeof(expected), "vm_event ABI 6, this build speaks %d", VM_EVENT_INTERFACE_VERSION);
    assert_non_null(strstr(IntXenError(xen), expected));
    assert_non_null(strstr(IntXenError(xen), "rebuild introguard"));
    /* Refused before the ring was touched or the domain paused. */
    assert_int_equal(FakeXenCallIndex(&f, "xc_monitor_enable", 0), -1);
    assert_int_equal(FakeXenCallIndex(&f, "xc_domain_pause", 0), -1);
    AssertNothingLeft(&f);
    IntXenDestroy(xen);
    FakeXenFree(&f);
}

static void TestMonitorEnableFails(void **State)
{
    static const struct
    {
        int Errno;
        INTSTATUS Status;
        const char *Words;
    } cases[] = {
        {EBUSY, INT_STATUS_ALREADY_INITIALIZED, "already has a vm_event monitor"},
        {ENODEV, INT_STATUS_NOT_SUPPORTED, "no EPT/HAP"},
        {EACCES, INT_STATUS_ACCESS_DENIED, "XSM/FLASK policy"},
        {EPERM, INT_STATUS_ACCESS_DENIED, "run as root"},
    };
    FAKE_XEN f;
    INTRO_XEN *xen;

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        FakeXenInit(&f, 1, 16);
        FakeXenFail(&f, "xc_monitor_enable", cases[i].Errno, 1);
        assert_int_equal(Attach(&f, "guest", &xen), cases[i].Status);
        assert_non_null(strstr(IntXenError(xen), cases[i].Words));
        /* The attach pause was undone. */
        assert_int_equal(FakeXenCallCount(&f, "xc_domain_pause"), 1);
        assert_int_equal(FakeXenCallCount(&f, "xc_domain_unpause"), 1);
        AssertNothingLeft(&f);
        IntXenDestroy(xen);
        FakeXenFree(&f);
    }
}

/* A second monitor on a domain that has one: EBUSY from the (fake) hypervisor itself. */
static void TestSecondMonitorBusy(void **State)
{
    FAKE_XEN f;
    INTRO_XEN *first, *second;

    (void)State;
    FakeXenInit(&f, 1, 16);
    assert_int_equal(Attach(&f, "guest", &first), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenAttach(first), INT_STATUS_ALREADY_INITIALIZED);
    assert_int_equal(Attach(&f, "guest", &second), INT_STATUS_ALREADY_INITIALIZED);
    assert_non_null(strstr(IntXenError(second), "another introspection tool"));
    IntXenDestroy(second);
    assert_true(f.MonitorOn); /* the failed second attach did not take the first one's ring */
    IntXenDestroy(first);
    AssertNothingLeft(&f);
    FakeXenFree(&f);
}

static void TestBindFails(void **State)
{
    FAKE_XEN f;
    INTRO_XEN *xen;
    int unmap, disable;

    (void)State;
    FakeXenInit(&f, 1, 16);
    FakeXenFail(&f, "xenevtchn_bind_interdomain", EINVAL, 1);
    assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_INVALID_INTERNAL_STATE);
    assert_non_null(strstr(IntXenError(xen), "event channel"));
    /* The ring page is unmapped, then the monitor disabled. */
    unmap = FakeXenCallIndex(&f, "munmap", 0);
    disable = FakeXenCallIndex(&f, "xc_monitor_disable", 0);
    assert_true(unmap >= 0 && disable > unmap);
    AssertNothingLeft(&f);
    IntXenDestroy(xen);
    FakeXenFree(&f);
}

/* ---- A good attach and its detach -------------------------------------------------------------- */

static void TestAttachSetsUpTheMonitor(void **State)
{
    FAKE_XEN f;
    INTRO_XEN *xen;
    INTRO_BACKEND_INFO info;

    (void)State;
    FakeXenInit(&f, 2, 0x100);
    assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_SUCCESS);
    assert_string_equal(IntXenError(xen), "");
    assert_true(f.MonitorOn);
    assert_true(f.Bound);
    assert_int_equal(f.Pauses, 1); /* paused until IntXenStart */
    assert_int_equal(f.AccessRequired, 0);
    assert_true(f.PagefaultFilter);
    assert_true(f.EmulUnimplemented);
    /* The ABI was checked before the ring existed. */
    assert_true(FakeXenCallIndex(&f, "xc_vm_event_get_version", 0) < FakeXenCallIndex(&f, "xc_monitor_enable", 0));
    memset(&info, 0, sizeof(info));
    assert_int_equal(IntXenBackend()->GetInfo(xen, &info), INT_STATUS_SUCCESS);
    assert_int_equal(info.VcpuCount, 2);
    assert_int_equal(info.MaxGfn, 0xFF);
    assert_int_equal(info.Features, INTRO_BACKEND_FEATURE_DTR);
    IntXenDetach(xen);
    AssertNothingLeft(&f);
    IntXenDetach(xen); /* twice is harmless */
    IntXenDestroy(xen);
    FakeXenFree(&f);
}

/* Detach gives back rights, exits and pauses the library left, in Xen's order. */
static void TestDetachRestoresEverything(void **State)
{
    const INTRO_BACKEND *b = IntXenBackend();
    FAKE_XEN f;
    INTRO_XEN *xen;
    int order[8];
    static const char *const sequence[] = {"xc_set_mem_access_multi", "xc_monitor_mov_to_msr", "munmap",
                                           "xc_monitor_disable",      "xenevtchn_unbind",      "xenevtchn_close",
                                           "xenforeignmemory_close",  "xc_interface_close"};

    (void)State;
    FakeXenInit(&f, 1, 0x100);
    f.Access[0x30] = XENMEM_access_rx; /* not rwx before we came: it must get rx back */
    assert_int_equal(Attach(&f, "guest", &xen), INT_STATUS_SUCCESS);
    assert_int_equal(b->SetAccess(xen, 0, 0x20, IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE), INT_STATUS_SUCCESS);
    assert_int_equal(b->SetAccess(xen, 0, 0x30, IG_EPT_HOOK_READ), INT_STATUS_SUCCESS);
    assert_int_equal(b->FlushAccess(xen), INT_STATUS_SUCCESS);
    assert_int_equal(f.Access[0x20], XENMEM_access_rx);
    assert_int_equal(f.Access[0x30], XENMEM_access_r);
    assert_int_equal(b->SetMonitor(xen, introBackendMonitorMsr, 0xC0000082, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(b->SetMonitor(xen, introBackendMonitorCr, 4, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(b->SetMonitor(xen, introBackendMonitorDtr, 0, TRUE), INT_STATUS_SUCCESS);
    assert_int_equal(b->Pause(xen), INT_STATUS_SUCCESS); /* a pause the library never undid */
    assert_int_equal(f.Pauses, 2);
    /* A change still in the batch when detach comes. */
    assert_int_equal(b->SetAccess(xen, 0, 0x40, 0), INT_STATUS_SUCCESS);

    FakeXenClearCalls(&f);
    IntXenDetach(xen);
    assert_int_equal(f.Access[0x20], XENMEM_access_rwx);
    assert_int_equal(f.Access[0x30], XENMEM_access_rx);
    assert_int_equal(f.Access[0x40], XENMEM_access_rwx);
    assert_int_equal(f.MsrCount, 0);
    assert_int_equal(f.CrMask, 0);
    assert_false(f.Dtr);
    assert_false(f.PagefaultFilter);
    assert_false(f.EmulUnimplemented);
    AssertNothingLeft(&f);
    for (size_t i = 0; i < sizeof(sequence) / sizeof(sequence[0]); i++)
    {
        order[i] = FakeXenCallIndex(&f, sequence[i], 0);
        assert_true(order[i] >= 0);
        assert_true(i == 0 || order[i] > order[i - 1]);
    }
    /* Every pause undone after the handles that need the domain, before the control handle goes. */
    assert_true(FakeXenCallIndex(&f, "xc_domain_unpause", order[6]) > order[6]);
    assert_true(FakeXenCallIndex(&f, "xc_domain_unpause", order[6]) < order[7]);
    IntXenDestroy(xen);
    FakeXenFree(&f);
}

static void TestCreateChecksItsArguments(void **State)
{
    FAKE_XEN f;
    INTRO_XEN_CONFIG config;
    INTRO_XEN *xen = (INTRO_XEN *)&f;

    (void)State;
    FakeXenInit(&f, 1, 16);
    FakeXenConfig(&f, &config);
    assert_int_equal(IntXenCreate(NULL, &xen), INT_STATUS_INVALID_PARAMETER_1);
    assert_null(xen);
    assert_int_equal(IntXenCreate(&config, NULL), INT_STATUS_INVALID_PARAMETER_2);
    config.StructSize = 8;
    assert_int_equal(IntXenCreate(&config, &xen), INT_STATUS_INVALID_PARAMETER_1);
    config.StructSize = sizeof(config);
    config.MapCacheSize = INTRO_XEN_MAX_MAP_CACHE + 1;
    assert_int_equal(IntXenCreate(&config, &xen), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntXenAttach(NULL), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntXenStart(NULL, NULL), INT_STATUS_INVALID_PARAMETER_1);
    assert_string_equal(IntXenError(NULL), "");
    IntXenDestroy(NULL);
    IntXenDetach(NULL);
    IntXenRequestStop(NULL);
    FakeXenFree(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestNotOnXen),
        cmocka_unit_test(TestNoPrivileges),
        cmocka_unit_test(TestLaterHandlesFail),
        cmocka_unit_test(TestDomainLookup),
        cmocka_unit_test(TestDomainKinds),
        cmocka_unit_test(TestAbiMismatch),
        cmocka_unit_test(TestMonitorEnableFails),
        cmocka_unit_test(TestSecondMonitorBusy),
        cmocka_unit_test(TestBindFails),
        cmocka_unit_test(TestAttachSetsUpTheMonitor),
        cmocka_unit_test(TestDetachRestoresEverything),
        cmocka_unit_test(TestCreateChecksItsArguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
