/*
 * Attaching to a domain and detaching from it, and the words errors are reported in.
 *
 * Attach (docs/xen.md): open the control, foreign-memory and event-channel handles with our own
 * logger; find the domain (by name through xenstore); check it is a live HVM domain with HAP;
 * check the hypervisor's vm_event ABI before touching the ring; pause; enable the monitor ring and
 * bind its event channel.  Detach undoes each step that was done, in the order Xen needs: answer
 * what is queued under pause, restore rights, disable monitors, unmap and disable the ring,
 * unbind, close, unpause.  Both run through one record of what is done, so a failed attach and a
 * detach after an error take the same path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xen_int.h"

/* ---- Log and errors ---------------------------------------------------------------------------- */

void IgXenLog(INTRO_XEN *Xen, IG_LOG_LEVEL Level, const char *Format, ...)
{
    char line[640];
    va_list ap;

    va_start(ap, Format);
    vsnprintf(line, sizeof(line), Format, ap);
    va_end(ap);
    if (Xen->Config.Log)
    {
        Xen->Config.Log(Xen->Config.Context, Level, line);
    }
    else
    {
        fprintf(stderr, "introguard xen: %s\n", line);
    }
}

INTSTATUS IgXenFail(INTRO_XEN *Xen, INTSTATUS Status, const char *Format, ...)
{
    va_list ap;

    va_start(ap, Format);
    vsnprintf(Xen->Error, sizeof(Xen->Error), Format, ap);
    va_end(ap);
    IgXenLog(Xen, intLogLevelError, "%s", Xen->Error);
    return Status;
}

/* libxc, libxenforeignmemory and libxencall report through this logger instead of stderr. */
static void IgXenLoggerMessage(xentoollog_logger *Logger, xentoollog_level Level, int Errno, const char *Context,
                               const char *Format, va_list Args) __attribute__((format(printf, 5, 0)));

static void IgXenLoggerMessage(xentoollog_logger *Logger, xentoollog_level Level, int Errno, const char *Context,
                               const char *Format, va_list Args)
{
    IG_XEN_LOGGER *logger = (IG_XEN_LOGGER *)Logger;
    IG_LOG_LEVEL level = Level >= XTL_ERROR  ? intLogLevelError
                         : Level >= XTL_WARN ? intLogLevelWarning
                                             : intLogLevelDebug;
    char message[512];

    if (Level < XTL_WARN)
    {
        return; /* libxc's progress and detail lines are noise for an introspection daemon */
    }
    vsnprintf(message, sizeof(message), Format, Args);
    IgXenLog(logger->Xen, level, "%s: %s%s%s", Context ? Context : "xen", message, Errno >= 0 ? ": " : "",
             Errno >= 0 ? strerror(Errno) : "");
}

static void IgXenLoggerDestroy(xentoollog_logger *Logger)
{
    (void)Logger; /* embedded in INTRO_XEN */
}

/* ---- Life cycle -------------------------------------------------------------------------------- */

INTSTATUS IgXenCreateWithOps(const INTRO_XEN_CONFIG *Config, const IG_XEN_OPS *Ops, INTRO_XEN **Xen)
{
    INTRO_XEN *xen;

    if (Xen)
    {
        *Xen = NULL;
    }
    if (!Config || Config->StructSize < sizeof(*Config) || Config->MapCacheSize > INTRO_XEN_MAX_MAP_CACHE || !Ops)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Xen)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    xen = calloc(1, sizeof(*xen));
    if (!xen)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    xen->Config = *Config;
    xen->Config.StructSize = sizeof(xen->Config);
    xen->Ops = Ops;
    xen->LocalPort = -1;
    xen->StopPipe[0] = xen->StopPipe[1] = -1;
    xen->CacheSize = Config->MapCacheSize ? Config->MapCacheSize : INTRO_XEN_DEFAULT_MAP_CACHE;
    xen->Cache = calloc(xen->CacheSize, sizeof(*xen->Cache));
    xen->DomainName = Config->DomainName ? strdup(Config->DomainName) : NULL;
    xen->Config.DomainName = xen->DomainName;
    xen->Logger.Base.vmessage = IgXenLoggerMessage;
    xen->Logger.Base.destroy = IgXenLoggerDestroy;
    xen->Logger.Xen = xen;
    if (!xen->Cache || (Config->DomainName && !xen->DomainName) || pthread_mutex_init(&xen->Lock, NULL) != 0)
    {
        free(xen->Cache);
        free(xen->DomainName);
        free(xen);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Xen = xen;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntXenCreate(const INTRO_XEN_CONFIG *Config, INTRO_XEN **Xen)
{
    return IgXenCreateWithOps(Config, IgXenDefaultOps(), Xen);
}

void IntXenDestroy(INTRO_XEN *Xen)
{
    if (!Xen)
    {
        return;
    }
    IntXenDetach(Xen);
    pthread_mutex_destroy(&Xen->Lock);
    free(Xen->Rights.Keys);
    free(Xen->Rights.Original);
    free(Xen->Cache);
    free(Xen->DomainName);
    free(Xen);
}

const char *IntXenError(const INTRO_XEN *Xen)
{
    return Xen ? Xen->Error : "";
}

DWORD IntXenDomainId(const INTRO_XEN *Xen)
{
    return Xen ? Xen->DomId : 0;
}

void IntXenGetStats(INTRO_XEN *Xen, INTRO_XEN_STATS *Stats)
{
    if (!Xen || !Stats)
    {
        return;
    }
    pthread_mutex_lock(&Xen->Lock);
    *Stats = Xen->Stats;
    pthread_mutex_unlock(&Xen->Lock);
}

/* ---- Attach ------------------------------------------------------------------------------------ */

/* Opening a handle failed with Errno: the words for it. */
static INTSTATUS IgXenOpenFailed(INTRO_XEN *Xen, const char *What, int Errno)
{
    if (Errno == EACCES || Errno == EPERM)
    {
        return IgXenFail(Xen, INT_STATUS_ACCESS_DENIED,
                         "cannot open %s: %s; run as root in dom0 (or in a domain the XSM policy lets introspect)",
                         What, strerror(Errno));
    }
    if (Errno == ENOENT || Errno == ENODEV || Errno == ENXIO)
    {
        return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED,
                         "cannot open %s: %s; this is not a Xen dom0 (no /dev/xen/privcmd: boot Xen, load xen-privcmd "
                         "and xen-evtchn, mount xenfs)",
                         What, strerror(Errno));
    }
    return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED, "cannot open %s: %s", What, strerror(Errno));
}

static INTSTATUS IgXenOpenHandles(INTRO_XEN *Xen)
{
    xentoollog_logger *logger = &Xen->Logger.Base;

    errno = 0;
    Xen->Xch = Xen->Ops->InterfaceOpen(logger, logger, 0);
    if (!Xen->Xch)
    {
        return IgXenOpenFailed(Xen, "the Xen control interface (libxenctrl)", errno);
    }
    errno = 0;
    Xen->Fmem = Xen->Ops->ForeignOpen(logger, 0);
    if (!Xen->Fmem)
    {
        return IgXenOpenFailed(Xen, "foreign memory (libxenforeignmemory)", errno);
    }
    errno = 0;
    Xen->Xce = Xen->Ops->EvtchnOpen(logger, 0);
    if (!Xen->Xce)
    {
        return IgXenOpenFailed(Xen, "the event channel device (libxenevtchn)", errno);
    }
    return INT_STATUS_SUCCESS;
}

/* The id of the domain named Name, from xenstore's /local/domain/<id>/name. */
static INTSTATUS IgXenFindByName(INTRO_XEN *Xen, const char *Name, uint32_t *DomId)
{
    struct xs_handle *xs;
    char **ids;
    unsigned count = 0;
    INTSTATUS status = INT_STATUS_NOT_FOUND;

    errno = 0;
    xs = Xen->Ops->StoreOpen(XS_OPEN_READONLY);
    if (!xs)
    {
        return IgXenOpenFailed(Xen, "xenstore (to find the domain by name; give --domain an id instead)", errno);
    }
    ids = Xen->Ops->StoreDirectory(xs, XBT_NULL, "/local/domain", &count);
    for (unsigned i = 0; ids && i < count && status == INT_STATUS_NOT_FOUND; i++)
    {
        char path[64];
        unsigned length = 0;
        char *name;
        char *end = NULL;
        unsigned long id = strtoul(ids[i], &end, 10);

        if (!end || *end != '\0' || id > 0x7FEFu)
        {
            continue;
        }
        snprintf(path, sizeof(path), "/local/domain/%lu/name", id);
        name = Xen->Ops->StoreRead(xs, XBT_NULL, path, &length);
        if (name && strlen(Name) == length && memcmp(name, Name, length) == 0)
        {
            *DomId = (uint32_t)id;
            status = INT_STATUS_SUCCESS;
        }
        free(name);
    }
    free(ids);
    Xen->Ops->StoreClose(xs);
    if (status == INT_STATUS_NOT_FOUND)
    {
        return IgXenFail(Xen, status, "no domain is named \"%s\" (see xl list)", Name);
    }
    return status;
}

/* The domain exists, is an HVM guest with HAP and is not dying; its vCPUs and highest frame. */
static INTSTATUS IgXenCheckDomain(INTRO_XEN *Xen)
{
    xc_domaininfo_t info;
    xen_pfn_t maxGpfn = 0;
    int got;

    memset(&info, 0, sizeof(info));
    errno = 0;
    got = Xen->Ops->DomainGetInfoList(Xen->Xch, Xen->DomId, 1, &info);
    /* getinfolist answers with the next domain when this one is gone. */
    if (got < 1 || info.domain != Xen->DomId)
    {
        if (got < 0 && (errno == EACCES || errno == EPERM))
        {
            return IgXenOpenFailed(Xen, "domain information", errno);
        }
        return IgXenFail(Xen, INT_STATUS_NOT_FOUND, "no domain %u (see xl list)", Xen->DomId);
    }
    if (info.flags & XEN_DOMINF_dying)
    {
        return IgXenFail(Xen, INT_STATUS_NOT_FOUND, "domain %u is being destroyed", Xen->DomId);
    }
    if (!(info.flags & XEN_DOMINF_hvm_guest))
    {
        return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED, "domain %u is not an HVM guest (type=\"hvm\" in its xl config)",
                         Xen->DomId);
    }
    if (!(info.flags & XEN_DOMINF_hap))
    {
        return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED,
                         "domain %u runs without hardware-assisted paging: set hap=1 in its xl config (EPT needed)",
                         Xen->DomId);
    }
    if (info.max_vcpu_id >= IG_XEN_MAX_VCPUS)
    {
        return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED, "domain %u has %u vCPUs; at most %u are supported", Xen->DomId,
                         info.max_vcpu_id + 1, IG_XEN_MAX_VCPUS);
    }
    Xen->VcpuCount = info.max_vcpu_id + 1;
    if (Xen->Ops->DomainMaximumGpfn(Xen->Xch, Xen->DomId, &maxGpfn) < 0)
    {
        return IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE, "cannot read domain %u's highest frame: %s",
                         Xen->DomId, strerror(errno));
    }
    Xen->MaxGfn = maxGpfn;
    if (Xen->Ops->MonitorGetCapabilities(Xen->Xch, Xen->DomId, &Xen->Capabilities) < 0)
    {
        Xen->Capabilities = 0; /* then no descriptor-table exits */
    }
    return INT_STATUS_SUCCESS;
}

/* The IDTR of every vCPU (a vm_event request does not carry it). */
static void IgXenLoadIdtrs(INTRO_XEN *Xen)
{
    for (uint32_t i = 0; i < Xen->VcpuCount; i++)
    {
        struct hvm_hw_cpu cpu;

        memset(&cpu, 0, sizeof(cpu));
        if (Xen->Ops->HvmGetContextPartial(Xen->Xch, Xen->DomId, HVM_SAVE_CODE(CPU), (uint16_t)i, &cpu, sizeof(cpu)) ==
            0)
        {
            Xen->IdtBase[i] = cpu.idtr_base;
            Xen->IdtLimit[i] = cpu.idtr_limit;
        }
        else
        {
            Xen->IdtStale[i] = true;
        }
    }
}

/* The monitor ring and its event channel.  The domain is paused. */
static INTSTATUS IgXenEnableRing(INTRO_XEN *Xen)
{
    uint32_t remotePort = 0;
    xenevtchn_port_or_error_t port;
    int error;

    errno = 0;
    Xen->RingPage = Xen->Ops->MonitorEnable(Xen->Xch, Xen->DomId, &remotePort);
    if (!Xen->RingPage)
    {
        error = errno;
        switch (error)
        {
            case EBUSY:
                return IgXenFail(Xen, INT_STATUS_ALREADY_INITIALIZED,
                                 "domain %u already has a vm_event monitor (another introspection tool, or a previous "
                                 "run that did not detach): stop it; if none runs, the domain must be restarted",
                                 Xen->DomId);
            case ENODEV:
                return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED,
                                 "domain %u cannot be monitored: no EPT/HAP (hap=1 in its xl config, VT-x with EPT "
                                 "on the host)",
                                 Xen->DomId);
            case EACCES:
            case EPERM:
                return IgXenFail(Xen, INT_STATUS_ACCESS_DENIED,
                                 "not allowed to monitor domain %u: %s; run as root in dom0, or allow vm_event in the "
                                 "XSM/FLASK policy",
                                 Xen->DomId, strerror(error));
            default:
                return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED, "cannot enable the monitor ring of domain %u: %s",
                                 Xen->DomId, strerror(error));
        }
    }
    Xen->MonitorOn = true;
    Xen->RemotePort = remotePort;
    SHARED_RING_INIT((vm_event_sring_t *)Xen->RingPage);
    BACK_RING_INIT(&Xen->Back, (vm_event_sring_t *)Xen->RingPage, XC_PAGE_SIZE);
    errno = 0;
    port = Xen->Ops->EvtchnBindInterdomain(Xen->Xce, Xen->DomId, remotePort);
    if (port < 0)
    {
        return IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE,
                         "cannot bind the monitor's event channel (port %u): %s", remotePort, strerror(errno));
    }
    Xen->LocalPort = port;

    /* If we die, Xen relaxes restricted pages instead of crashing the guest. */
    (void)Xen->Ops->SetAccessRequired(Xen->Xch, Xen->DomId, 0);
    /* Faults of the guest's own page walk (A/D bits) are emulated, not reported. */
    Xen->PagefaultFilter = Xen->Ops->MonitorInguestPagefault(Xen->Xch, Xen->DomId, true) == 0;
    /* An instruction Xen cannot emulate is reported instead of a #UD in the guest. */
    Xen->EmulUnimplemented = Xen->Ops->MonitorEmulUnimplemented(Xen->Xch, Xen->DomId, true) == 0;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgXenAttachSteps(INTRO_XEN *Xen)
{
    INTSTATUS status = IgXenOpenHandles(Xen);
    int version;

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (Xen->DomainName)
    {
        status = IgXenFindByName(Xen, Xen->DomainName, &Xen->DomId);
    }
    else
    {
        Xen->DomId = Xen->Config.DomainId;
    }
    if (INT_SUCCESS(status))
    {
        status = IgXenCheckDomain(Xen);
    }
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    /* The ring's layout depends on the ABI: refuse before touching it. */
    version = Xen->Ops->VmEventGetVersion(Xen->Xch);
    if (version != VM_EVENT_INTERFACE_VERSION)
    {
        return IgXenFail(Xen, INT_STATUS_NOT_SUPPORTED,
                         "the hypervisor speaks vm_event ABI %d, this build speaks %d: rebuild introguard against the "
                         "running Xen's headers (libxen-dev of the same release)",
                         version, VM_EVENT_INTERFACE_VERSION);
    }
    if (Xen->Ops->DomainPause(Xen->Xch, Xen->DomId) < 0)
    {
        return IgXenFail(Xen, INT_STATUS_INVALID_INTERNAL_STATE, "cannot pause domain %u: %s", Xen->DomId,
                         strerror(errno));
    }
    Xen->AttachPaused = true;
    IgXenLoadIdtrs(Xen);
    status = IgXenEnableRing(Xen);
    if (INT_SUCCESS(status))
    {
        status = IgXenDecoderOpen(Xen);
    }
    if (INT_SUCCESS(status) && pipe(Xen->StopPipe) != 0)
    {
        status = IgXenFail(Xen, INT_STATUS_INSUFFICIENT_RESOURCES, "cannot create a pipe: %s", strerror(errno));
    }
    for (int i = 0; INT_SUCCESS(status) && i < 2; i++)
    {
        /* A stop request never blocks, even from a signal handler with the pipe full. */
        (void)fcntl(Xen->StopPipe[i], F_SETFL, O_NONBLOCK);
        (void)fcntl(Xen->StopPipe[i], F_SETFD, FD_CLOEXEC);
    }
    return status;
}

INTSTATUS IntXenAttach(INTRO_XEN *Xen)
{
    INTSTATUS status;

    if (!Xen)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Xen->Attached || Xen->Xch)
    {
        return IgXenFail(Xen, INT_STATUS_ALREADY_INITIALIZED, "already attached to domain %u", Xen->DomId);
    }
    Xen->Error[0] = '\0';
    status = IgXenAttachSteps(Xen);
    if (!INT_SUCCESS(status))
    {
        IntXenDetach(Xen);
        return status;
    }
    Xen->Attached = true;
    IgXenLog(Xen, intLogLevelInfo, "attached to domain %u: %u vCPUs, highest frame 0x%llx, vm_event ABI %d", Xen->DomId,
             Xen->VcpuCount, (unsigned long long)Xen->MaxGfn, VM_EVENT_INTERFACE_VERSION);
    return INT_STATUS_SUCCESS;
}

/* ---- Detach ------------------------------------------------------------------------------------ */

/* Switches off the exits the library left on and the monitor options attach set. */
static void IgXenDisableMonitors(INTRO_XEN *Xen)
{
    for (uint32_t i = 0; i < Xen->MsrCount; i++)
    {
        (void)Xen->Ops->MonitorMovToMsr(Xen->Xch, Xen->DomId, Xen->Msrs[i], false, false);
    }
    Xen->MsrCount = 0;
    for (uint32_t cr = 0; cr < 32; cr++)
    {
        if (Xen->CrMask & (1u << cr))
        {
            uint16_t index = cr == 0 ? VM_EVENT_X86_CR0 : cr == 3 ? VM_EVENT_X86_CR3 : VM_EVENT_X86_CR4;

            (void)Xen->Ops->MonitorWriteCtrlreg(Xen->Xch, Xen->DomId, index, false, true, 0, true);
        }
    }
    Xen->CrMask = 0;
    if (Xen->Dtr)
    {
        (void)Xen->Ops->MonitorDescriptorAccess(Xen->Xch, Xen->DomId, false);
        Xen->Dtr = false;
    }
    if (Xen->PagefaultFilter)
    {
        (void)Xen->Ops->MonitorInguestPagefault(Xen->Xch, Xen->DomId, false);
        Xen->PagefaultFilter = false;
    }
    if (Xen->EmulUnimplemented)
    {
        (void)Xen->Ops->MonitorEmulUnimplemented(Xen->Xch, Xen->DomId, false);
        Xen->EmulUnimplemented = false;
    }
}

/* Everything from the ring down, in the order Xen needs (the domain is paused). */
static void IgXenReleaseRing(INTRO_XEN *Xen)
{
    INTSTATUS status, restored;

    if (Xen->RingPage && Xen->LocalPort >= 0)
    {
        IgXenDrainUnhandled(Xen);
    }
    pthread_mutex_lock(&Xen->Lock);
    /* The batch first (the library's last changes), then every frame back to what it had. */
    status = IgXenFlushLocked(Xen);
    restored = IgXenRestoreRightsLocked(Xen);
    pthread_mutex_unlock(&Xen->Lock);
    if (!INT_SUCCESS(status) || !INT_SUCCESS(restored))
    {
        IgXenLog(Xen, intLogLevelError, "domain %u: some frames keep restricted rights (see above)", Xen->DomId);
    }
    IgXenDisableMonitors(Xen);
    if (Xen->RingPage)
    {
        (void)Xen->Ops->RingUnmap(Xen->RingPage, XC_PAGE_SIZE);
        Xen->RingPage = NULL;
    }
    if (Xen->MonitorOn)
    {
        if (Xen->Ops->MonitorDisable(Xen->Xch, Xen->DomId) < 0)
        {
            IgXenLog(Xen, intLogLevelError, "cannot disable the monitor ring of domain %u: %s", Xen->DomId,
                     strerror(errno));
        }
        Xen->MonitorOn = false;
    }
    if (Xen->LocalPort >= 0)
    {
        (void)Xen->Ops->EvtchnUnbind(Xen->Xce, (evtchn_port_t)Xen->LocalPort);
        Xen->LocalPort = -1;
    }
}

void IntXenDetach(INTRO_XEN *Xen)
{
    bool paused = false;

    if (!Xen)
    {
        return;
    }
    IntXenRequestStop(Xen);
    /* Their failures are already in Xen->Error and the log. */
    if (Xen->ThreadStarted && !INT_SUCCESS(IntXenWait(Xen)))
    {
        IgXenLog(Xen, intLogLevelWarning, "detaching after an error of the event thread");
    }
    if (Xen->Record && !INT_SUCCESS(IntXenRecordStop(Xen)))
    {
        IgXenLog(Xen, intLogLevelError, "the recording could not be written completely");
    }
    /* Nothing may run while rights change and the ring goes. */
    if (Xen->Xch && (Xen->RingPage || Xen->MonitorOn) && !Xen->AttachPaused)
    {
        paused = Xen->Ops->DomainPause(Xen->Xch, Xen->DomId) == 0;
    }
    if (Xen->Xch)
    {
        IgXenReleaseRing(Xen);
    }
    if (Xen->Xce)
    {
        (void)Xen->Ops->EvtchnClose(Xen->Xce);
        Xen->Xce = NULL;
    }
    pthread_mutex_lock(&Xen->Lock);
    IgXenDropMappingsLocked(Xen);
    pthread_mutex_unlock(&Xen->Lock);
    if (Xen->Fmem)
    {
        (void)Xen->Ops->ForeignClose(Xen->Fmem);
        Xen->Fmem = NULL;
    }
    /* Every pause of ours and of the library's, so the guest runs again. */
    for (; Xen->Xch && Xen->Pauses > 0; Xen->Pauses--)
    {
        (void)Xen->Ops->DomainUnpause(Xen->Xch, Xen->DomId);
    }
    if (Xen->Xch && Xen->AttachPaused)
    {
        (void)Xen->Ops->DomainUnpause(Xen->Xch, Xen->DomId);
    }
    if (Xen->Xch && paused)
    {
        (void)Xen->Ops->DomainUnpause(Xen->Xch, Xen->DomId);
    }
    Xen->AttachPaused = false;
    if (Xen->Xch)
    {
        (void)Xen->Ops->InterfaceClose(Xen->Xch);
        Xen->Xch = NULL;
    }
    IgXenDecoderClose(Xen);
    for (int i = 0; i < 2; i++)
    {
        if (Xen->StopPipe[i] >= 0)
        {
            close(Xen->StopPipe[i]);
            Xen->StopPipe[i] = -1;
        }
    }
    if (Xen->Attached)
    {
        IgXenLog(Xen, intLogLevelInfo, "detached from domain %u", Xen->DomId);
    }
    Xen->Attached = false;
    Xen->Pauses = 0;
}
