/*
 * The ops table of the real Xen libraries: the one place in introguard that names libxenctrl,
 * libxenforeignmemory, libxenevtchn and libxenstore symbols (tests/xen/test_xen_link.c checks
 * that it routes to them).
 */
#include "xen_ops.h"

static const IG_XEN_OPS gIgXenDefaultOps = {
    .InterfaceOpen = xc_interface_open,
    .InterfaceClose = xc_interface_close,
    .DomainGetInfoList = xc_domain_getinfolist,
    .DomainMaximumGpfn = xc_domain_maximum_gpfn,
    .DomainPause = xc_domain_pause,
    .DomainUnpause = xc_domain_unpause,
    .HvmGetContextPartial = xc_domain_hvm_getcontext_partial,
    .SetAccessRequired = xc_domain_set_access_required,
    .GetMemAccess = xc_get_mem_access,
    .SetMemAccess = xc_set_mem_access,
    .SetMemAccessMulti = xc_set_mem_access_multi,
    .AltP2mGetMemAccess = xc_altp2m_get_mem_access,
    .AltP2mSetMemAccess = xc_altp2m_set_mem_access,
    .VmEventGetVersion = xc_vm_event_get_version,
    .MonitorEnable = xc_monitor_enable,
    .MonitorDisable = xc_monitor_disable,
    .MonitorGetCapabilities = xc_monitor_get_capabilities,
    .MonitorWriteCtrlreg = xc_monitor_write_ctrlreg,
    .MonitorMovToMsr = xc_monitor_mov_to_msr,
    .MonitorDescriptorAccess = xc_monitor_descriptor_access,
    .MonitorInguestPagefault = xc_monitor_inguest_pagefault,
    .MonitorEmulUnimplemented = xc_monitor_emul_unimplemented,
    .ForeignOpen = xenforeignmemory_open,
    .ForeignClose = xenforeignmemory_close,
    .ForeignMap = xenforeignmemory_map,
    .ForeignUnmap = xenforeignmemory_unmap,
    .EvtchnOpen = xenevtchn_open,
    .EvtchnClose = xenevtchn_close,
    .EvtchnFd = xenevtchn_fd,
    .EvtchnNotify = xenevtchn_notify,
    .EvtchnBindInterdomain = xenevtchn_bind_interdomain,
    .EvtchnUnbind = xenevtchn_unbind,
    .EvtchnPending = xenevtchn_pending,
    .EvtchnUnmask = xenevtchn_unmask,
    .StoreOpen = xs_open,
    .StoreClose = xs_close,
    .StoreDirectory = xs_directory,
    .StoreRead = xs_read,
    .RingUnmap = munmap,
};

const IG_XEN_OPS *IgXenDefaultOps(void)
{
    return &gIgXenDefaultOps;
}
