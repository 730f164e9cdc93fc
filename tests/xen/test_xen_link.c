/*
 * The default ops table routes to the real Xen libraries (a link-level check: the test is linked
 * with --wrap for xc_interface_open and xenforeignmemory_open, so calls through the table land in
 * the wrappers below before the real functions), and the real libraries on a machine without Xen
 * make attach fail cleanly, with libxc's own message arriving through the backend's logger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "introguard/glue_xen.h"
#include "xen_ops.h"

static int gInterfaceOpens;
static int gForeignOpens;

xc_interface *__real_xc_interface_open(xentoollog_logger *Logger, xentoollog_logger *DomBuildLogger, unsigned Flags);
xc_interface *__wrap_xc_interface_open(xentoollog_logger *Logger, xentoollog_logger *DomBuildLogger, unsigned Flags);
xenforeignmemory_handle *__real_xenforeignmemory_open(struct xentoollog_logger *Logger, unsigned Flags);
xenforeignmemory_handle *__wrap_xenforeignmemory_open(struct xentoollog_logger *Logger, unsigned Flags);

xc_interface *__wrap_xc_interface_open(xentoollog_logger *Logger, xentoollog_logger *DomBuildLogger, unsigned Flags)
{
    gInterfaceOpens++;
    return __real_xc_interface_open(Logger, DomBuildLogger, Flags);
}

xenforeignmemory_handle *__wrap_xenforeignmemory_open(struct xentoollog_logger *Logger, unsigned Flags)
{
    gForeignOpens++;
    return __real_xenforeignmemory_open(Logger, Flags);
}

static char gLog[4096];

static void Log(void *Context, IG_LOG_LEVEL Level, const char *Message)
{
    size_t used = strlen(gLog);

    (void)Context;
    (void)Level;
    snprintf(gLog + used, sizeof(gLog) - used, "%s\n", Message);
}

static bool OnXen(void)
{
    return access("/dev/xen/privcmd", F_OK) == 0;
}

static void TestDefaultOpsAreTheRealLibraries(void **State)
{
    const IG_XEN_OPS *ops = IgXenDefaultOps();
    xc_interface *xch;
    xenforeignmemory_handle *fmem;

    (void)State;
    /* Calls through the table reach the libraries' entry points (here, their wrappers). */
    xch = ops->InterfaceOpen(NULL, NULL, 0);
    assert_int_equal(gInterfaceOpens, 1);
    fmem = ops->ForeignOpen(NULL, 0);
    assert_int_equal(gForeignOpens, 1);
    if (xch)
    {
        assert_int_equal(ops->InterfaceClose(xch), 0);
    }
    if (fmem)
    {
        assert_int_equal(ops->ForeignClose(fmem), 0);
    }
    /* And the rest are the libraries' own functions. */
    assert_ptr_equal(ops->SetMemAccessMulti, xc_set_mem_access_multi);
    assert_ptr_equal(ops->GetMemAccess, xc_get_mem_access);
    assert_ptr_equal(ops->MonitorEnable, xc_monitor_enable);
    assert_ptr_equal(ops->VmEventGetVersion, xc_vm_event_get_version);
    assert_ptr_equal(ops->HvmGetContextPartial, xc_domain_hvm_getcontext_partial);
    assert_ptr_equal(ops->ForeignMap, xenforeignmemory_map);
    assert_ptr_equal(ops->ForeignUnmap, xenforeignmemory_unmap);
    assert_ptr_equal(ops->EvtchnBindInterdomain, xenevtchn_bind_interdomain);
    assert_ptr_equal(ops->EvtchnPending, xenevtchn_pending);
    assert_ptr_equal(ops->StoreRead, xs_read);
    assert_ptr_equal(ops->RingUnmap, munmap);
}

static void TestAttachWithoutXenFailsCleanly(void **State)
{
    INTRO_XEN_CONFIG config;
    INTRO_XEN *xen = NULL;

    (void)State;
    if (OnXen())
    {
        skip(); /* a Xen host: attaching to a made-up domain would say something else */
    }
    memset(&config, 0, sizeof(config));
    config.StructSize = sizeof(config);
    config.DomainId = 1;
    config.Log = Log;
    assert_int_equal(IntXenCreate(&config, &xen), INT_STATUS_SUCCESS);
    gLog[0] = '\0';
    assert_int_equal(IntXenAttach(xen), INT_STATUS_NOT_SUPPORTED);
    assert_non_null(strstr(IntXenError(xen), "not a Xen dom0"));
    /* libxencall's complaint went through our logger, not to stderr. */
    assert_non_null(strstr(gLog, "privileged command interface"));
    IntXenDestroy(xen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestDefaultOpsAreTheRealLibraries),
        cmocka_unit_test(TestAttachWithoutXenFailsCleanly),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
