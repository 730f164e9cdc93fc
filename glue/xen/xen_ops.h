/*
 * Every call glue/xen makes into Xen's libraries, as one table of function pointers typed from the
 * installed headers (__typeof__ of the real declarations).  A signature that changes between Xen
 * releases becomes a compile error here instead of a silent ABI mismatch, and tests hand the
 * backend a fake table (tests/xen/fake_xen.c) instead of a hypervisor.
 *
 * Only xen_ops_default.c names the real symbols; the rest of glue/xen calls through the table.
 * This header is private to glue/xen and its tests: it pulls in Xen's headers, which need a GNU C
 * dialect (anonymous unions in <xen/hvm/save.h>).
 */
#ifndef INTROGUARD_XEN_OPS_H
#define INTROGUARD_XEN_OPS_H

/* <xenctrl.h> first: it defines __XEN_TOOLS__ and the barriers the ring macros of <xen/vm_event.h> use. */
#include <xenctrl.h>

#include <sys/mman.h>
#include <xen/vm_event.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>

typedef struct IG_XEN_OPS
{
    /* libxenctrl: the control handle and the domain */
    __typeof__(&xc_interface_open) InterfaceOpen;
    __typeof__(&xc_interface_close) InterfaceClose;
    __typeof__(&xc_domain_getinfolist) DomainGetInfoList;
    __typeof__(&xc_domain_maximum_gpfn) DomainMaximumGpfn;
    __typeof__(&xc_domain_pause) DomainPause;
    __typeof__(&xc_domain_unpause) DomainUnpause;
    __typeof__(&xc_domain_hvm_getcontext_partial) HvmGetContextPartial;
    __typeof__(&xc_domain_set_access_required) SetAccessRequired;

    /* libxenctrl: EPT rights (host p2m and altp2m views) */
    __typeof__(&xc_get_mem_access) GetMemAccess;
    __typeof__(&xc_set_mem_access) SetMemAccess;
    __typeof__(&xc_set_mem_access_multi) SetMemAccessMulti;
    __typeof__(&xc_altp2m_get_mem_access) AltP2mGetMemAccess;
    __typeof__(&xc_altp2m_set_mem_access) AltP2mSetMemAccess;

    /* libxenctrl: the vm_event monitor */
    __typeof__(&xc_vm_event_get_version) VmEventGetVersion;
    __typeof__(&xc_monitor_enable) MonitorEnable;
    __typeof__(&xc_monitor_disable) MonitorDisable;
    __typeof__(&xc_monitor_get_capabilities) MonitorGetCapabilities;
    __typeof__(&xc_monitor_write_ctrlreg) MonitorWriteCtrlreg;
    __typeof__(&xc_monitor_mov_to_msr) MonitorMovToMsr;
    __typeof__(&xc_monitor_descriptor_access) MonitorDescriptorAccess;
    __typeof__(&xc_monitor_inguest_pagefault) MonitorInguestPagefault;
    __typeof__(&xc_monitor_emul_unimplemented) MonitorEmulUnimplemented;

    /* libxenforeignmemory */
    __typeof__(&xenforeignmemory_open) ForeignOpen;
    __typeof__(&xenforeignmemory_close) ForeignClose;
    __typeof__(&xenforeignmemory_map) ForeignMap;
    __typeof__(&xenforeignmemory_unmap) ForeignUnmap;

    /* libxenevtchn */
    __typeof__(&xenevtchn_open) EvtchnOpen;
    __typeof__(&xenevtchn_close) EvtchnClose;
    __typeof__(&xenevtchn_fd) EvtchnFd;
    __typeof__(&xenevtchn_notify) EvtchnNotify;
    __typeof__(&xenevtchn_bind_interdomain) EvtchnBindInterdomain;
    __typeof__(&xenevtchn_unbind) EvtchnUnbind;
    __typeof__(&xenevtchn_pending) EvtchnPending;
    __typeof__(&xenevtchn_unmask) EvtchnUnmask;

    /* libxenstore: a domain's name */
    __typeof__(&xs_open) StoreOpen;
    __typeof__(&xs_close) StoreClose;
    __typeof__(&xs_directory) StoreDirectory;
    __typeof__(&xs_read) StoreRead;

    /* The ring page xc_monitor_enable mapped is released with munmap. */
    __typeof__(&munmap) RingUnmap;
} IG_XEN_OPS;

/* The table of the real libraries (xen_ops_default.c). */
const IG_XEN_OPS *IgXenDefaultOps(void);

#endif /* INTROGUARD_XEN_OPS_H */
