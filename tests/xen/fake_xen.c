/*
 * The fake Xen (fake_xen.h): the hypervisor's side of glue/xen's ops table, in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_xen.h"

/* The open calls carry no handle: one fake at a time. */
static FAKE_XEN *gFake;

/* Handles are addresses only the fake hands out. */
static char gXchHandle, gFmemHandle, gXceHandle, gStoreHandle;

/* What a hole maps to: the real call returns an address and reports the frame in err[]. */
static uint8_t gHolePage[XC_PAGE_SIZE] __attribute__((aligned(XC_PAGE_SIZE)));
#define FAKE_XCH ((xc_interface *)(void *)&gXchHandle)
#define FAKE_FMEM ((xenforeignmemory_handle *)(void *)&gFmemHandle)
#define FAKE_XCE ((xenevtchn_handle *)(void *)&gXceHandle)
#define FAKE_STORE ((struct xs_handle *)(void *)&gStoreHandle)

/* Logs the call; true when it must fail (errno set). */
static bool FakeCall(const char *Name)
{
    FAKE_XEN *f = gFake;

    if (f->CallCount < FAKE_XEN_MAX_CALLS)
    {
        snprintf(f->Calls[f->CallCount++], sizeof(f->Calls[0]), "%s", Name);
    }
    for (uint32_t i = 0; i < FAKE_XEN_MAX_FAILS; i++)
    {
        if (f->Fails[i].Countdown > 0 && strcmp(f->Fails[i].Name, Name) == 0 && --f->Fails[i].Countdown == 0)
        {
            errno = f->Fails[i].Errno;
            return true;
        }
    }
    return false;
}

/* libxc reports through the caller's logger; the fake does as libxencall does without Xen. */
static void FakeLog(xentoollog_logger *Logger, int Errno, const char *Context, const char *Format, ...)
    __attribute__((format(printf, 4, 5)));

static void FakeLog(xentoollog_logger *Logger, int Errno, const char *Context, const char *Format, ...)
{
    va_list ap;

    va_start(ap, Format);
    Logger->vmessage(Logger, XTL_ERROR, Errno, Context, Format, ap);
    va_end(ap);
}

/* ---- libxenctrl -------------------------------------------------------------------------------- */

static xc_interface *FakeInterfaceOpen(xentoollog_logger *Logger, xentoollog_logger *DomBuildLogger, unsigned Flags)
{
    (void)DomBuildLogger;
    (void)Flags;
    if (FakeCall("xc_interface_open"))
    {
        int error = errno;

        if (Logger)
        {
            FakeLog(Logger, error, "xencall", "Could not obtain handle on privileged command interface");
        }
        errno = error;
        return NULL;
    }
    gFake->XchOpen = true;
    return FAKE_XCH;
}

static int FakeInterfaceClose(xc_interface *Xch)
{
    (void)FakeCall("xc_interface_close");
    gFake->XchOpen = !(Xch == FAKE_XCH);
    return 0;
}

static int FakeGetInfoList(xc_interface *Xch, uint32_t First, unsigned Max, xc_domaininfo_t *Info)
{
    (void)Xch;
    if (FakeCall("xc_domain_getinfolist"))
    {
        return -1;
    }
    /* Like Xen: the first domain at or after First. */
    if (Max < 1 || First > gFake->DomId)
    {
        return 0;
    }
    memset(Info, 0, sizeof(*Info));
    Info->domain = (domid_t)gFake->DomId;
    Info->flags = gFake->Flags;
    Info->max_vcpu_id = gFake->Vcpus - 1;
    return 1;
}

static int FakeMaximumGpfn(xc_interface *Xch, uint32_t Dom, xen_pfn_t *Gpfns)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_domain_maximum_gpfn"))
    {
        return -1;
    }
    *Gpfns = gFake->Frames - 1;
    return 0;
}

static int FakePause(xc_interface *Xch, uint32_t Dom)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_domain_pause"))
    {
        return -1;
    }
    gFake->Pauses++;
    return 0;
}

static int FakeUnpause(xc_interface *Xch, uint32_t Dom)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_domain_unpause"))
    {
        return -1;
    }
    if (gFake->Pauses == 0)
    {
        gFake->Unbalanced = true;
        return -1;
    }
    gFake->Pauses--;
    return 0;
}

static int FakeGetContextPartial(xc_interface *Xch, uint32_t Dom, uint16_t Type, uint16_t Instance, void *Buffer,
                                 uint32_t Size)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_domain_hvm_getcontext_partial"))
    {
        return -1;
    }
    if (Type != HVM_SAVE_CODE(CPU) || Instance >= gFake->Vcpus || Size != sizeof(struct hvm_hw_cpu))
    {
        errno = EINVAL;
        return -1;
    }
    memcpy(Buffer, &gFake->Cpu[Instance], Size);
    return 0;
}

static int FakeSetAccessRequired(xc_interface *Xch, uint32_t Dom, unsigned Required)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_domain_set_access_required"))
    {
        return -1;
    }
    gFake->AccessRequired = (int)Required;
    return 0;
}

static int FakeGetMemAccess(xc_interface *Xch, uint32_t Dom, uint64_t Pfn, xenmem_access_t *Access)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_get_mem_access"))
    {
        return -1;
    }
    if (Pfn >= gFake->Frames)
    {
        errno = EINVAL;
        return -1;
    }
    *Access = (xenmem_access_t)gFake->Access[Pfn];
    return 0;
}

static int FakeSetMemAccess(xc_interface *Xch, uint32_t Dom, xenmem_access_t Access, uint64_t First, uint32_t Count)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_set_mem_access"))
    {
        return -1;
    }
    for (uint64_t i = First; i < First + Count && i < gFake->Frames; i++)
    {
        gFake->Access[i] = (uint8_t)Access;
    }
    return 0;
}

static int FakeSetMemAccessMulti(xc_interface *Xch, uint32_t Dom, uint8_t *Access, uint64_t *Pages, uint32_t Count)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_set_mem_access_multi"))
    {
        return -1;
    }
    gFake->MultiCalls++;
    gFake->MultiFrames += Count;
    for (uint32_t i = 0; i < Count; i++)
    {
        if (Pages[i] >= gFake->Frames || Access[i] > XENMEM_access_rwx)
        {
            errno = EINVAL;
            return -1;
        }
        gFake->Access[Pages[i]] = Access[i];
    }
    return 0;
}

static int FakeAltGetMemAccess(xc_interface *Xch, uint32_t Dom, uint16_t View, xen_pfn_t Gfn, xenmem_access_t *Access)
{
    (void)Xch;
    (void)Dom;
    (void)View;
    (void)Gfn;
    (void)Access;
    (void)FakeCall("xc_altp2m_get_mem_access");
    errno = EOPNOTSUPP; /* altp2m is off in the fake domain */
    return -1;
}

static int FakeAltSetMemAccess(xc_interface *Xch, uint32_t Dom, uint16_t View, xen_pfn_t Gfn, xenmem_access_t Access)
{
    (void)Xch;
    (void)Dom;
    (void)View;
    (void)Gfn;
    (void)Access;
    (void)FakeCall("xc_altp2m_set_mem_access");
    errno = EOPNOTSUPP;
    return -1;
}

static int FakeGetVersion(xc_interface *Xch)
{
    (void)Xch;
    if (FakeCall("xc_vm_event_get_version"))
    {
        return -1;
    }
    return gFake->Version;
}

static void *FakeMonitorEnable(xc_interface *Xch, uint32_t Dom, uint32_t *Port)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_monitor_enable"))
    {
        return NULL;
    }
    if (gFake->MonitorOn)
    {
        errno = EBUSY;
        return NULL;
    }
    gFake->Ring = aligned_alloc(XC_PAGE_SIZE, XC_PAGE_SIZE);
    if (!gFake->Ring)
    {
        errno = ENOMEM;
        return NULL;
    }
    memset(gFake->Ring, 0, XC_PAGE_SIZE);
    FRONT_RING_INIT(&gFake->Front, (vm_event_sring_t *)gFake->Ring, XC_PAGE_SIZE);
    gFake->MonitorOn = true;
    *Port = FAKE_XEN_REMOTE_PORT;
    return gFake->Ring;
}

static int FakeMonitorDisable(xc_interface *Xch, uint32_t Dom)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_monitor_disable"))
    {
        return -1;
    }
    gFake->MonitorOn = false;
    return 0;
}

static int FakeGetCapabilities(xc_interface *Xch, uint32_t Dom, uint32_t *Capabilities)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_monitor_get_capabilities"))
    {
        return -1;
    }
    *Capabilities = gFake->Capabilities;
    return 0;
}

static int FakeWriteCtrlreg(xc_interface *Xch, uint32_t Dom, uint16_t Index, bool Enable, bool Sync, uint64_t Mask,
                            bool OnChange)
{
    (void)Xch;
    (void)Dom;
    (void)Mask;
    (void)OnChange;
    if (FakeCall("xc_monitor_write_ctrlreg"))
    {
        return -1;
    }
    if (Enable && !Sync)
    {
        errno = EINVAL; /* the fake insists: a write that may be denied must be synchronous */
        return -1;
    }
    gFake->CrMask = Enable ? gFake->CrMask | (1u << Index) : gFake->CrMask & ~(1u << Index);
    return 0;
}

static int FakeMovToMsr(xc_interface *Xch, uint32_t Dom, uint32_t Msr, bool Enable, bool OnChange)
{
    uint32_t i = 0;

    (void)Xch;
    (void)Dom;
    (void)OnChange;
    if (FakeCall("xc_monitor_mov_to_msr"))
    {
        return -1;
    }
    while (i < gFake->MsrCount && gFake->Msrs[i] != Msr)
    {
        i++;
    }
    if (Enable && i == gFake->MsrCount && i < 16)
    {
        gFake->Msrs[gFake->MsrCount++] = Msr;
    }
    else if (!Enable && i < gFake->MsrCount)
    {
        gFake->Msrs[i] = gFake->Msrs[--gFake->MsrCount];
    }
    return 0;
}

static int FakeDescriptorAccess(xc_interface *Xch, uint32_t Dom, bool Enable)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_monitor_descriptor_access"))
    {
        return -1;
    }
    gFake->Dtr = Enable;
    return 0;
}

static int FakeInguestPagefault(xc_interface *Xch, uint32_t Dom, bool Disable)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_monitor_inguest_pagefault"))
    {
        return -1;
    }
    gFake->PagefaultFilter = Disable;
    return 0;
}

static int FakeEmulUnimplemented(xc_interface *Xch, uint32_t Dom, bool Enable)
{
    (void)Xch;
    (void)Dom;
    if (FakeCall("xc_monitor_emul_unimplemented"))
    {
        return -1;
    }
    gFake->EmulUnimplemented = Enable;
    return 0;
}

/* ---- libxenforeignmemory ----------------------------------------------------------------------- */

static xenforeignmemory_handle *FakeForeignOpen(struct xentoollog_logger *Logger, unsigned Flags)
{
    (void)Logger;
    (void)Flags;
    if (FakeCall("xenforeignmemory_open"))
    {
        return NULL;
    }
    gFake->FmemOpen = true;
    return FAKE_FMEM;
}

static int FakeForeignClose(xenforeignmemory_handle *Fmem)
{
    (void)FakeCall("xenforeignmemory_close");
    gFake->FmemOpen = !(Fmem == FAKE_FMEM);
    return 0;
}

static bool FakeFramePresent(uint64_t Gfn)
{
    return Gfn < gFake->Frames && gFake->Pages[Gfn] && !(gFake->PartialSet && Gfn == gFake->PartialGfn);
}

/*
 * One frame maps to its page itself (coherent, as a foreign mapping is); several to a copy.  Holes
 * fail in err[] while the call succeeds, as libxenforeignmemory does when given err[].
 */
static void *FakeForeignMap(xenforeignmemory_handle *Fmem, uint32_t Dom, int Prot, size_t Pages,
                            const xen_pfn_t Frames[], int Errors[])
{
    uint8_t *copy;
    bool any = false;

    (void)Fmem;
    (void)Dom;
    (void)Prot;
    if (FakeCall("xenforeignmemory_map"))
    {
        return NULL;
    }
    for (size_t i = 0; i < Pages; i++)
    {
        Errors[i] = FakeFramePresent(Frames[i]) ? 0 : -ENOENT;
        any = any || Errors[i] == 0;
    }
    if (!any && Pages == 1 && Frames[0] >= gFake->Frames)
    {
        errno = EINVAL;
        return NULL;
    }
    if (Pages == 1)
    {
        gFake->Mapped++;
        /* A hole still gets an address (a page nobody may read) as the real call does. */
        return Errors[0] ? (void *)gHolePage : gFake->Pages[Frames[0]];
    }
    copy = aligned_alloc(XC_PAGE_SIZE, Pages * XC_PAGE_SIZE);
    if (!copy)
    {
        errno = ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < Pages; i++)
    {
        if (!Errors[i])
        {
            memcpy(copy + i * XC_PAGE_SIZE, gFake->Pages[Frames[i]], XC_PAGE_SIZE);
        }
    }
    for (uint32_t i = 0; i < FAKE_XEN_MAX_COPIES; i++)
    {
        if (!gFake->Copies[i])
        {
            gFake->Copies[i] = copy;
            gFake->Mapped++;
            return copy;
        }
    }
    free(copy);
    errno = ENOMEM;
    return NULL;
}

static int FakeForeignUnmap(xenforeignmemory_handle *Fmem, void *Address, size_t Pages)
{
    (void)Fmem;
    (void)Pages;
    (void)FakeCall("xenforeignmemory_unmap");
    gFake->Mapped--;
    for (uint32_t i = 0; i < FAKE_XEN_MAX_COPIES; i++)
    {
        if (gFake->Copies[i] == Address)
        {
            free(Address);
            gFake->Copies[i] = NULL;
        }
    }
    return 0;
}

/* ---- libxenevtchn ------------------------------------------------------------------------------ */

static xenevtchn_handle *FakeEvtchnOpen(struct xentoollog_logger *Logger, unsigned Flags)
{
    (void)Logger;
    (void)Flags;
    if (FakeCall("xenevtchn_open"))
    {
        return NULL;
    }
    gFake->XceOpen = true;
    return FAKE_XCE;
}

static int FakeEvtchnClose(xenevtchn_handle *Xce)
{
    (void)FakeCall("xenevtchn_close");
    gFake->XceOpen = !(Xce == FAKE_XCE);
    return 0;
}

static int FakeEvtchnFd(xenevtchn_handle *Xce)
{
    (void)Xce;
    (void)FakeCall("xenevtchn_fd");
    return gFake->Pipe[0];
}

static int FakeEvtchnNotify(xenevtchn_handle *Xce, evtchn_port_t Port)
{
    (void)Xce;
    if (FakeCall("xenevtchn_notify"))
    {
        return -1;
    }
    if (Port != FAKE_XEN_LOCAL_PORT)
    {
        errno = EINVAL;
        return -1;
    }
    gFake->Notifies++;
    return 0;
}

static xenevtchn_port_or_error_t FakeEvtchnBind(xenevtchn_handle *Xce, uint32_t Dom, evtchn_port_t Remote)
{
    (void)Xce;
    (void)Dom;
    if (FakeCall("xenevtchn_bind_interdomain"))
    {
        return -1;
    }
    if (Remote != FAKE_XEN_REMOTE_PORT)
    {
        errno = EINVAL;
        return -1;
    }
    gFake->Bound = true;
    return FAKE_XEN_LOCAL_PORT;
}

static int FakeEvtchnUnbind(xenevtchn_handle *Xce, evtchn_port_t Port)
{
    (void)Xce;
    (void)FakeCall("xenevtchn_unbind");
    gFake->Bound = !(Port == FAKE_XEN_LOCAL_PORT);
    return 0;
}

static xenevtchn_port_or_error_t FakeEvtchnPending(xenevtchn_handle *Xce)
{
    char byte;

    (void)Xce;
    if (FakeCall("xenevtchn_pending"))
    {
        return -1;
    }
    if (read(gFake->Pipe[0], &byte, 1) != 1)
    {
        errno = EAGAIN;
        return -1;
    }
    return FAKE_XEN_LOCAL_PORT;
}

static int FakeEvtchnUnmask(xenevtchn_handle *Xce, evtchn_port_t Port)
{
    (void)Xce;
    (void)Port;
    if (FakeCall("xenevtchn_unmask"))
    {
        return -1;
    }
    gFake->Unmasks++;
    return 0;
}

/* ---- libxenstore ------------------------------------------------------------------------------- */

static struct xs_handle *FakeStoreOpen(unsigned long Flags)
{
    (void)Flags;
    return FakeCall("xs_open") ? NULL : FAKE_STORE;
}

static void FakeStoreClose(struct xs_handle *Store)
{
    (void)Store;
    (void)FakeCall("xs_close");
}

/* Domains 0 and the fake's, in one block as xenstore returns them (the caller frees it once). */
static char **FakeStoreDirectory(struct xs_handle *Store, xs_transaction_t T, const char *Path, unsigned *Count)
{
    char **list;
    char *text;

    (void)Store;
    (void)T;
    if (FakeCall("xs_directory") || strcmp(Path, "/local/domain") != 0)
    {
        return NULL;
    }
    list = malloc(2 * sizeof(char *) + 32);
    if (!list)
    {
        return NULL;
    }
    text = (char *)(list + 2);
    strcpy(text, "0");
    snprintf(text + 2, 30, "%u", gFake->DomId);
    list[0] = text;
    list[1] = text + 2;
    *Count = 2;
    return list;
}

static void *FakeStoreRead(struct xs_handle *Store, xs_transaction_t T, const char *Path, unsigned *Length)
{
    char expected[64];
    const char *name = NULL;

    (void)Store;
    (void)T;
    if (FakeCall("xs_read"))
    {
        return NULL;
    }
    snprintf(expected, sizeof(expected), "/local/domain/%u/name", gFake->DomId);
    if (strcmp(Path, "/local/domain/0/name") == 0)
    {
        name = "Domain-0";
    }
    else if (strcmp(Path, expected) == 0)
    {
        name = gFake->Name;
    }
    if (!name)
    {
        errno = ENOENT;
        return NULL;
    }
    *Length = (unsigned)strlen(name);
    return strdup(name);
}

static int FakeRingUnmap(void *Address, size_t Length)
{
    (void)FakeCall("munmap");
    if (Address != gFake->Ring || Length != XC_PAGE_SIZE)
    {
        errno = EINVAL;
        return -1;
    }
    free(gFake->Ring);
    gFake->Ring = NULL;
    return 0;
}

/* ---- The test's side --------------------------------------------------------------------------- */

static const IG_XEN_OPS gFakeOps = {
    .InterfaceOpen = FakeInterfaceOpen,
    .InterfaceClose = FakeInterfaceClose,
    .DomainGetInfoList = FakeGetInfoList,
    .DomainMaximumGpfn = FakeMaximumGpfn,
    .DomainPause = FakePause,
    .DomainUnpause = FakeUnpause,
    .HvmGetContextPartial = FakeGetContextPartial,
    .SetAccessRequired = FakeSetAccessRequired,
    .GetMemAccess = FakeGetMemAccess,
    .SetMemAccess = FakeSetMemAccess,
    .SetMemAccessMulti = FakeSetMemAccessMulti,
    .AltP2mGetMemAccess = FakeAltGetMemAccess,
    .AltP2mSetMemAccess = FakeAltSetMemAccess,
    .VmEventGetVersion = FakeGetVersion,
    .MonitorEnable = FakeMonitorEnable,
    .MonitorDisable = FakeMonitorDisable,
    .MonitorGetCapabilities = FakeGetCapabilities,
    .MonitorWriteCtrlreg = FakeWriteCtrlreg,
    .MonitorMovToMsr = FakeMovToMsr,
    .MonitorDescriptorAccess = FakeDescriptorAccess,
    .MonitorInguestPagefault = FakeInguestPagefault,
    .MonitorEmulUnimplemented = FakeEmulUnimplemented,
    .ForeignOpen = FakeForeignOpen,
    .ForeignClose = FakeForeignClose,
    .ForeignMap = FakeForeignMap,
    .ForeignUnmap = FakeForeignUnmap,
    .EvtchnOpen = FakeEvtchnOpen,
    .EvtchnClose = FakeEvtchnClose,
    .EvtchnFd = FakeEvtchnFd,
    .EvtchnNotify = FakeEvtchnNotify,
    .EvtchnBindInterdomain = FakeEvtchnBind,
    .EvtchnUnbind = FakeEvtchnUnbind,
    .EvtchnPending = FakeEvtchnPending,
    .EvtchnUnmask = FakeEvtchnUnmask,
    .StoreOpen = FakeStoreOpen,
    .StoreClose = FakeStoreClose,
    .StoreDirectory = FakeStoreDirectory,
    .StoreRead = FakeStoreRead,
    .RingUnmap = FakeRingUnmap,
};

void FakeXenInit(FAKE_XEN *F, uint32_t Vcpus, uint64_t Frames)
{
    memset(F, 0, sizeof(*F));
    F->Ops = gFakeOps;
    F->DomId = 5;
    F->Name = "guest";
    F->Flags = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
    F->Vcpus = Vcpus;
    F->Frames = Frames;
    F->Version = VM_EVENT_INTERFACE_VERSION;
    F->Capabilities = 1u << XEN_DOMCTL_MONITOR_EVENT_DESC_ACCESS;
    F->Pages = calloc(Frames, sizeof(*F->Pages));
    F->Access = malloc(Frames);
    memset(F->Access, XENMEM_access_rwx, Frames);
    if (pipe(F->Pipe) != 0)
    {
        F->Pipe[0] = F->Pipe[1] = -1;
    }
    else
    {
        (void)fcntl(F->Pipe[0], F_SETFL, O_NONBLOCK);
        (void)fcntl(F->Pipe[1], F_SETFL, O_NONBLOCK);
    }
    for (uint32_t i = 0; i < Vcpus && i < FAKE_XEN_MAX_VCPUS; i++)
    {
        struct hvm_hw_cpu *c = &F->Cpu[i];

        c->cr0 = 0x80050033;
        c->cr4 = 0x370678;
        c->msr_efer = 0xD01;
        c->rflags = 0x246;
        c->cs_arbytes = 0xA9B; /* 64-bit ring-0 code */
        c->ss_arbytes = 0xC93;
        c->idtr_base = 0xFFFFF80000001000ull + i * 0x1000;
        c->idtr_limit = 0xFFF;
    }
    gFake = F;
}

void FakeXenFree(FAKE_XEN *F)
{
    for (uint64_t i = 0; F->Pages && i < F->Frames; i++)
    {
        free(F->Pages[i]);
    }
    for (uint32_t i = 0; i < FAKE_XEN_MAX_COPIES; i++)
    {
        free(F->Copies[i]);
    }
    free(F->Pages);
    free(F->Access);
    free(F->Ring);
    if (F->Pipe[0] >= 0)
    {
        close(F->Pipe[0]);
        close(F->Pipe[1]);
    }
    if (gFake == F)
    {
        gFake = NULL;
    }
}

uint8_t *FakeXenSetPage(FAKE_XEN *F, uint64_t Gfn, const void *Data)
{
    if (Gfn >= F->Frames)
    {
        return NULL;
    }
    if (!F->Pages[Gfn])
    {
        F->Pages[Gfn] = aligned_alloc(XC_PAGE_SIZE, XC_PAGE_SIZE);
        if (!F->Pages[Gfn])
        {
            return NULL;
        }
    }
    if (Data)
    {
        memcpy(F->Pages[Gfn], Data, XC_PAGE_SIZE);
    }
    else
    {
        memset(F->Pages[Gfn], 0, XC_PAGE_SIZE);
    }
    return F->Pages[Gfn];
}

void FakeXenFail(FAKE_XEN *F, const char *Name, int Errno, int Nth)
{
    for (uint32_t i = 0; i < FAKE_XEN_MAX_FAILS; i++)
    {
        if (F->Fails[i].Countdown <= 0)
        {
            snprintf(F->Fails[i].Name, sizeof(F->Fails[i].Name), "%s", Name);
            F->Fails[i].Errno = Errno;
            F->Fails[i].Countdown = Nth;
            return;
        }
    }
}

int FakeXenCallIndex(const FAKE_XEN *F, const char *Name, int From)
{
    for (uint32_t i = From < 0 ? 0 : (uint32_t)From; i < F->CallCount; i++)
    {
        if (strcmp(F->Calls[i], Name) == 0)
        {
            return (int)i;
        }
    }
    return -1;
}

int FakeXenCallCount(const FAKE_XEN *F, const char *Name)
{
    int count = 0;

    for (uint32_t i = 0; i < F->CallCount; i++)
    {
        count += strcmp(F->Calls[i], Name) == 0;
    }
    return count;
}

void FakeXenClearCalls(FAKE_XEN *F)
{
    F->CallCount = 0;
}

void FakeXenRequestRegs(const FAKE_XEN *F, uint32_t Vcpu, struct vm_event_regs_x86 *R)
{
    const struct hvm_hw_cpu *c = &F->Cpu[Vcpu];

    memset(R, 0, sizeof(*R));
    R->rax = c->rax;
    R->rcx = c->rcx;
    R->rdx = c->rdx;
    R->rbx = c->rbx;
    R->rsp = c->rsp;
    R->rbp = c->rbp;
    R->rsi = c->rsi;
    R->rdi = c->rdi;
    R->r8 = c->r8;
    R->r15 = c->r15;
    R->rflags = c->rflags;
    R->rip = c->rip;
    R->cr0 = c->cr0;
    R->cr2 = c->cr2;
    R->cr3 = c->cr3;
    R->cr4 = c->cr4;
    R->dr7 = c->dr7;
    R->msr_efer = c->msr_efer;
    R->msr_lstar = c->msr_lstar;
    R->gdtr_base = c->gdtr_base;
    R->gdtr_limit = (uint16_t)c->gdtr_limit;
    R->fs_base = c->fs_base;
    R->gs_base = c->gs_base;
    R->shadow_gs = c->shadow_gs;
    R->cs.ar = c->cs_arbytes & 0xFFF;
    R->cs.limit = 0xFFFFF;
    R->ss.ar = c->ss_arbytes & 0xFFF;
    R->cs_sel = (uint16_t)c->cs_sel;
    R->ss_sel = (uint16_t)c->ss_sel;
}

static void FakeRequest(const FAKE_XEN *F, uint32_t Vcpu, uint32_t Reason, vm_event_request_t *Req)
{
    memset(Req, 0, sizeof(*Req));
    Req->version = VM_EVENT_INTERFACE_VERSION;
    Req->flags = VM_EVENT_FLAG_VCPU_PAUSED;
    Req->reason = Reason;
    Req->vcpu_id = Vcpu;
    FakeXenRequestRegs(F, Vcpu, &Req->data.regs.x86);
}

void FakeXenMemRequest(const FAKE_XEN *F, uint32_t Vcpu, uint64_t Gpa, uint64_t Gla, uint32_t Access,
                       vm_event_request_t *Req)
{
    FakeRequest(F, Vcpu, VM_EVENT_REASON_MEM_ACCESS, Req);
    Req->u.mem_access.gfn = Gpa >> 12;
    Req->u.mem_access.offset = Gpa & 0xFFF;
    Req->u.mem_access.gla = Gla;
    Req->u.mem_access.flags = Access | (Gla ? MEM_ACCESS_GLA_VALID | MEM_ACCESS_FAULT_WITH_GLA : 0);
}

void FakeXenCrRequest(const FAKE_XEN *F, uint32_t Vcpu, uint32_t Index, uint64_t Old, uint64_t New,
                      vm_event_request_t *Req)
{
    FakeRequest(F, Vcpu, VM_EVENT_REASON_WRITE_CTRLREG, Req);
    Req->u.write_ctrlreg.index = Index;
    Req->u.write_ctrlreg.old_value = Old;
    Req->u.write_ctrlreg.new_value = New;
}

void FakeXenMsrRequest(const FAKE_XEN *F, uint32_t Vcpu, uint32_t Msr, uint64_t Old, uint64_t New,
                       vm_event_request_t *Req)
{
    FakeRequest(F, Vcpu, VM_EVENT_REASON_MOV_TO_MSR, Req);
    Req->u.mov_to_msr.msr = Msr;
    Req->u.mov_to_msr.old_value = Old;
    Req->u.mov_to_msr.new_value = New;
}

void FakeXenDtrRequest(const FAKE_XEN *F, uint32_t Vcpu, uint8_t Descriptor, bool Write, vm_event_request_t *Req)
{
    FakeRequest(F, Vcpu, VM_EVENT_REASON_DESCRIPTOR_ACCESS, Req);
    Req->u.desc_access.descriptor = Descriptor;
    Req->u.desc_access.is_write = Write;
}

bool FakeXenPush(FAKE_XEN *F, const vm_event_request_t *Req)
{
    if (!F->Ring || RING_FULL(&F->Front))
    {
        return false;
    }
    memcpy(RING_GET_REQUEST(&F->Front, F->Front.req_prod_pvt), Req, sizeof(*Req));
    F->Front.req_prod_pvt++;
    RING_PUSH_REQUESTS(&F->Front);
    return true;
}

void FakeXenKick(FAKE_XEN *F)
{
    ssize_t written = write(F->Pipe[1], "e", 1);

    (void)written; /* a full pipe already signals */
}

uint32_t FakeXenTake(FAKE_XEN *F, vm_event_response_t *Out, uint32_t Max)
{
    uint32_t taken = 0;

    while (F->Ring && taken < Max && RING_HAS_UNCONSUMED_RESPONSES(&F->Front))
    {
        memcpy(&Out[taken++], RING_GET_RESPONSE(&F->Front, F->Front.rsp_cons), sizeof(*Out));
        F->Front.rsp_cons++;
    }
    return taken;
}

void FakeXenLog(void *Context, IG_LOG_LEVEL Level, const char *Message)
{
    FAKE_XEN *f = Context;
    size_t used = strlen(f->LogText);

    (void)Level;
    snprintf(f->LogText + used, sizeof(f->LogText) - used, "%s\n", Message);
}

void FakeXenConfig(FAKE_XEN *F, INTRO_XEN_CONFIG *Config)
{
    memset(Config, 0, sizeof(*Config));
    Config->StructSize = sizeof(*Config);
    Config->DomainName = F->Name;
    Config->Log = FakeXenLog;
    Config->Context = F;
}
