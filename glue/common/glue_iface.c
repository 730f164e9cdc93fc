/*
 * The integrator side of GLUE_IFACE on top of a backend.  Each member finds its glue guest from
 * the GuestHandle the library passes and says what GLUE_IFACE asks in the backend's few words.
 * Members with nothing behind them answer INT_STATUS_NOT_SUPPORTED, so IntInit's checks pass
 * and a caller learns at once that the feature is absent.
 */
#include <string.h>

#include "glue_int.h"

#define IG_GLUE_PAGE_SIZE 0x1000ull
#define IG_GLUE_PAGE_MASK (IG_GLUE_PAGE_SIZE - 1)

/* ---- Guest memory --------------------------------------------------------------------------- */

/*
 * Maps Length bytes at PhysAddress.  A mapping never crosses a page (the library's reads are
 * split per page): it is one backend page plus the offset, which is also how PhysMemUnmap finds
 * the page again from the pointer alone.  Mappings are read-only; introguard never writes guest
 * memory through them.
 */
static INTSTATUS IgGluePhysMemMapToHost(void *GuestHandle, QWORD PhysAddress, DWORD Length, DWORD Flags, void **HostPtr)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    INTRO_BACKEND_INFO info;
    void *page = NULL;
    INTSTATUS status;

    (void)Flags; /* IG_PHYSMAP_NO_CACHE: the backend decides what it caches */
    if (HostPtr)
    {
        *HostPtr = NULL;
    }
    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Length == 0 || (PhysAddress & IG_GLUE_PAGE_MASK) + Length > IG_GLUE_PAGE_SIZE)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (!HostPtr)
    {
        return INT_STATUS_INVALID_PARAMETER_5;
    }
    status = IgGlueBackendInfo(guest, &info);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if ((PhysAddress >> 12) > info.MaxGfn)
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    status = guest->Backend.MapPage(guest->Context, PhysAddress >> 12, FALSE, &page);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!page || ((uintptr_t)page & IG_GLUE_PAGE_MASK) != 0)
    {
        /* A backend bug; the pointer cannot be turned back into its page at unmap time. */
        IgGlueLog(guest, intLogLevelError, "MapPage returned an unaligned page for frame 0x%llx",
                  (unsigned long long)(PhysAddress >> 12));
        if (page)
        {
            guest->Backend.UnmapPage(guest->Context, page);
        }
        return INT_STATUS_INVALID_INTERNAL_STATE;
    }
    *HostPtr = (uint8_t *)page + (PhysAddress & IG_GLUE_PAGE_MASK);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGluePhysMemUnmap(void *GuestHandle, void **HostPtr)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!HostPtr || !*HostPtr)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    guest->Backend.UnmapPage(guest->Context, (void *)((uintptr_t)*HostPtr & ~(uintptr_t)IG_GLUE_PAGE_MASK));
    *HostPtr = NULL;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGlueGetMemType(void *GuestHandle, QWORD Gpa, IG_MEMTYPE *MemType)
{
    (void)Gpa;
    if (!IgGlueFromHandle(GuestHandle))
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!MemType)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    *MemType = IG_MEM_WB; /* what guests run their RAM as; no backend reports MTRRs yet */
    return INT_STATUS_SUCCESS;
}

/* ---- EPT rights ----------------------------------------------------------------------------- */

static DWORD IgGlueView(DWORD EptIndex)
{
    return EptIndex == IG_CURRENT_EPT ? 0 : EptIndex;
}

static INTSTATUS IgGlueGetEptProtection(void *GuestHandle, DWORD EptIndex, QWORD Address, BYTE *Read, BYTE *Write,
                                        BYTE *Execute)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    BYTE access = 0;
    INTSTATUS status;

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Read || !Write || !Execute)
    {
        return !Read    ? INT_STATUS_INVALID_PARAMETER_4
               : !Write ? INT_STATUS_INVALID_PARAMETER_5
                        : INT_STATUS_INVALID_PARAMETER_6;
    }
    status = guest->Backend.GetAccess(guest->Context, IgGlueView(EptIndex), Address >> 12, &access);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    *Read = (access & IG_EPT_HOOK_READ) != 0;
    *Write = (access & IG_EPT_HOOK_WRITE) != 0;
    *Execute = (access & IG_EPT_HOOK_EXECUTE) != 0;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGlueSetEptProtection(void *GuestHandle, DWORD EptIndex, QWORD Address, BYTE Read, BYTE Write,
                                        BYTE Execute)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    BYTE access =
        (BYTE)((Read ? IG_EPT_HOOK_READ : 0) | (Write ? IG_EPT_HOOK_WRITE : 0) | (Execute ? IG_EPT_HOOK_EXECUTE : 0));

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Write && !Read)
    {
        /* Write without read is an EPT misconfiguration; no caller of ours asks for it. */
        return INT_STATUS_INVALID_PARAMETER_MIX;
    }
    return guest->Backend.SetAccess(guest->Context, IgGlueView(EptIndex), Address >> 12, access);
}

static INTSTATUS IgGlueFlushEptPermissions(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    return guest->Backend.FlushAccess ? guest->Backend.FlushAccess(guest->Context) : INT_STATUS_SUCCESS;
}

/* ---- Exits and handlers --------------------------------------------------------------------- */

/* Stores or clears a handler; Register refuses to replace a live one (as hvmi's integrators do). */
#define IG_GLUE_REGISTER(Field, Type)                                                                                  \
    static INTSTATUS IgGlueRegister##Field(void *GuestHandle, Type Callback)                                           \
    {                                                                                                                  \
        INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);                                                       \
        Type expected = NULL;                                                                                          \
                                                                                                                       \
        if (!guest)                                                                                                    \
        {                                                                                                              \
            return INT_STATUS_INVALID_PARAMETER_1;                                                                     \
        }                                                                                                              \
        if (!Callback)                                                                                                 \
        {                                                                                                              \
            return INT_STATUS_INVALID_PARAMETER_2;                                                                     \
        }                                                                                                              \
        return atomic_compare_exchange_strong(&guest->Handlers.Field, &expected, Callback)                             \
                   ? INT_STATUS_SUCCESS                                                                                \
                   : INT_STATUS_ALREADY_INITIALIZED;                                                                   \
    }                                                                                                                  \
    static INTSTATUS IgGlueUnregister##Field(void *GuestHandle)                                                        \
    {                                                                                                                  \
        INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);                                                       \
                                                                                                                       \
        if (!guest)                                                                                                    \
        {                                                                                                              \
            return INT_STATUS_INVALID_PARAMETER_1;                                                                     \
        }                                                                                                              \
        atomic_store(&guest->Handlers.Field, NULL);                                                                    \
        return INT_STATUS_SUCCESS;                                                                                     \
    }

IG_GLUE_REGISTER(Ept, PFUNC_IntEPTViolationCallback)
IG_GLUE_REGISTER(Msr, PFUNC_IntMSRViolationCallback)
IG_GLUE_REGISTER(Cr, PFUNC_IntCrWriteCallback)
IG_GLUE_REGISTER(Timer, PFUNC_IntIntroTimerCallback)
IG_GLUE_REGISTER(Xcr, PFUNC_IntXcrWriteCallback)
IG_GLUE_REGISTER(Breakpoint, PFUNC_IntBreakpointCallback)
IG_GLUE_REGISTER(IntroCall, PFUNC_IntIntroCallCallback)
IG_GLUE_REGISTER(EventInjection, PFUNC_IntEventInjectionCallback)

/* The descriptor-table handler also switches the exits on and off: they have no call of their own. */
static INTSTATUS IgGlueRegisterDtr(void *GuestHandle, PFUNC_IntIntroDescriptorTableCallback Callback)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    PFUNC_IntIntroDescriptorTableCallback expected = NULL;
    INTSTATUS status;

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Callback)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!atomic_compare_exchange_strong(&guest->Handlers.Dtr, &expected, Callback))
    {
        return INT_STATUS_ALREADY_INITIALIZED;
    }
    status = guest->Backend.SetMonitor(guest->Context, introBackendMonitorDtr, 0, TRUE);
    if (!INT_SUCCESS(status))
    {
        atomic_store(&guest->Handlers.Dtr, NULL);
    }
    return status;
}

static INTSTATUS IgGlueUnregisterDtr(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (atomic_exchange(&guest->Handlers.Dtr, NULL) == NULL)
    {
        return INT_STATUS_SUCCESS;
    }
    return guest->Backend.SetMonitor(guest->Context, introBackendMonitorDtr, 0, FALSE);
}

/* Finds Msr among the enabled MSR exits (under MsrLock); the count when absent. */
static uint32_t IgGlueMsrSlot(const INTRO_GLUE_GUEST *Guest, DWORD Msr)
{
    uint32_t i = 0;

    while (i < Guest->MsrExitCount && Guest->MsrExits[i] != Msr)
    {
        i++;
    }
    return i;
}

static INTSTATUS IgGlueSetMsrExit(void *GuestHandle, DWORD Msr, BOOLEAN Enable, BOOLEAN *OldValue)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint32_t slot;
    bool was;

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!OldValue)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    pthread_mutex_lock(&guest->MsrLock);
    slot = IgGlueMsrSlot(guest, Msr);
    was = slot < guest->MsrExitCount;
    if (Enable && !was && guest->MsrExitCount == IG_GLUE_MAX_MSR_EXITS)
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    else if (Enable != was)
    {
        status = guest->Backend.SetMonitor(guest->Context, introBackendMonitorMsr, Msr, Enable);
    }
    if (INT_SUCCESS(status) && Enable && !was)
    {
        guest->MsrExits[guest->MsrExitCount++] = Msr;
    }
    else if (INT_SUCCESS(status) && !Enable && was)
    {
        guest->MsrExits[slot] = guest->MsrExits[--guest->MsrExitCount];
    }
    pthread_mutex_unlock(&guest->MsrLock);
    *OldValue = was;
    return status;
}

static INTSTATUS IgGlueEnableMsrExit(void *GuestHandle, DWORD Msr, BOOLEAN *OldValue)
{
    return IgGlueSetMsrExit(GuestHandle, Msr, TRUE, OldValue);
}

static INTSTATUS IgGlueDisableMsrExit(void *GuestHandle, DWORD Msr, BOOLEAN *OldValue)
{
    return IgGlueSetMsrExit(GuestHandle, Msr, FALSE, OldValue);
}

static INTSTATUS IgGlueSetCrExit(void *GuestHandle, DWORD Cr, BOOLEAN Enable)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Cr != 0 && Cr != 3 && Cr != 4)
    {
        return INT_STATUS_NOT_SUPPORTED;
    }
    return guest->Backend.SetMonitor(guest->Context, introBackendMonitorCr, Cr, Enable);
}

static INTSTATUS IgGlueEnableCrWriteExit(void *GuestHandle, DWORD Cr)
{
    return IgGlueSetCrExit(GuestHandle, Cr, TRUE);
}

static INTSTATUS IgGlueDisableCrWriteExit(void *GuestHandle, DWORD Cr)
{
    return IgGlueSetCrExit(GuestHandle, Cr, FALSE);
}

/* ---- vCPUs and alerts ----------------------------------------------------------------------- */

static INTSTATUS IgGluePause(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    INTSTATUS status;

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    status = guest->Backend.Pause(guest->Context);
    if (INT_SUCCESS(status))
    {
        atomic_fetch_add(&guest->PauseDepth, 1);
    }
    return status;
}

static INTSTATUS IgGlueResume(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);
    INTSTATUS status;

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    status = guest->Backend.Resume(guest->Context);
    if (INT_SUCCESS(status))
    {
        atomic_fetch_sub(&guest->PauseDepth, 1);
    }
    return status;
}

static INTSTATUS IgGlueNotifyAlert(void *GuestHandle, DWORD EventClass, void *Parameters, size_t EventSize)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Parameters)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    return guest->Backend.Alert(guest->Context, EventClass, Parameters, EventSize);
}

/* ---- Notifications the adapter only logs ---------------------------------------------------- */

static INTSTATUS IgGlueActivated(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    IgGlueLog(guest, intLogLevelInfo, "introspection activated");
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGlueDeactivated(void *GuestHandle)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    IgGlueLog(guest, intLogLevelInfo, "introspection deactivated");
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGlueDetectedOs(void *GuestHandle, PGUEST_INFO GuestInfo)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (GuestInfo)
    {
        IgGlueLog(guest, intLogLevelInfo, "guest OS type %d, version %u, %s", (int)GuestInfo->Type,
                  GuestInfo->OsVersion, GuestInfo->Guest64 ? "64-bit" : "32-bit");
    }
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGlueErrorState(void *GuestHandle, INTRO_ERROR_STATE Error, PINTRO_ERROR_CONTEXT Context)
{
    INTRO_GLUE_GUEST *guest = IgGlueFromHandle(GuestHandle);

    (void)Context;
    if (!guest)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    IgGlueLog(guest, intLogLevelError, "introspection error state %d", (int)Error);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgGlueReleaseBuffer(void *GuestHandle, void *Buffer, DWORD Size)
{
    (void)Buffer;
    (void)Size;
    /* The adapter never hands the library a buffer (GetAgentContent is not supported). */
    return IgGlueFromHandle(GuestHandle) ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_1;
}

/* ---- What no backend offers yet ------------------------------------------------------------- */

static INTSTATUS IgGlueGpaToHpa(void *GuestHandle, QWORD Gpa, QWORD *Hpa)
{
    (void)GuestHandle;
    (void)Gpa;
    if (Hpa)
    {
        *Hpa = 0;
    }
    return INT_STATUS_NOT_SUPPORTED; /* not obtainable from a control domain */
}

static INTSTATUS IgGlueGetSpp(void *GuestHandle, QWORD Address, QWORD *SppValue)
{
    (void)GuestHandle;
    (void)Address;
    (void)SppValue;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueSetSpp(void *GuestHandle, QWORD Address, QWORD SppValue)
{
    (void)GuestHandle;
    (void)Address;
    (void)SppValue;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueInjectTrap(void *GuestHandle, DWORD CpuNumber, BYTE TrapNumber, DWORD ErrorCode, QWORD Cr2)
{
    (void)GuestHandle;
    (void)CpuNumber;
    (void)TrapNumber;
    (void)ErrorCode;
    (void)Cr2;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueSetEmulatorContext(void *GuestHandle, DWORD CpuNumber, QWORD VirtualAddress, DWORD BufferSize,
                                          PBYTE Buffer)
{
    (void)GuestHandle;
    (void)CpuNumber;
    (void)VirtualAddress;
    (void)BufferSize;
    (void)Buffer;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueReserveVaSpace(void *GuestHandle, void **FirstPageBase, DWORD *PagesCount, void **PtBase)
{
    (void)GuestHandle;
    (void)FirstPageBase;
    (void)PagesCount;
    (void)PtBase;
    return INT_STATUS_NOT_SUPPORTED; /* only meaningful inside the hypervisor */
}

static INTSTATUS IgGlueNotifyEngines(void *GuestHandle, void *Parameters)
{
    (void)GuestHandle;
    (void)Parameters;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueGetAgentContent(void *GuestHandle, DWORD AgentTag, BOOLEAN Is64, DWORD *Size, PBYTE *Content)
{
    (void)GuestHandle;
    (void)AgentTag;
    (void)Is64;
    (void)Size;
    (void)Content;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueToggleRep(void *GuestHandle, BOOLEAN Enable)
{
    (void)GuestHandle;
    (void)Enable;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueSetVeInfoPage(void *GuestHandle, DWORD CpuNumber, QWORD VeInfoGpa)
{
    (void)GuestHandle;
    (void)CpuNumber;
    (void)VeInfoGpa;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueCreateEpt(void *GuestHandle, DWORD *EptIndex)
{
    (void)GuestHandle;
    (void)EptIndex;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueDestroyEpt(void *GuestHandle, DWORD EptIndex)
{
    (void)GuestHandle;
    (void)EptIndex;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueSwitchEpt(void *GuestHandle, DWORD NewEptIndex)
{
    (void)GuestHandle;
    (void)NewEptIndex;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueGetConvertible(void *GuestHandle, DWORD EptIndex, QWORD Address, BOOLEAN *Convertible)
{
    (void)GuestHandle;
    (void)EptIndex;
    (void)Address;
    (void)Convertible;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueSetConvertible(void *GuestHandle, DWORD EptIndex, QWORD Address, BOOLEAN Convertible)
{
    (void)GuestHandle;
    (void)EptIndex;
    (void)Address;
    (void)Convertible;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueRegisterEngines(void *GuestHandle, PFUNC_IntEventEnginesResultCallback Callback)
{
    (void)GuestHandle;
    (void)Callback;
    return INT_STATUS_NOT_SUPPORTED;
}

static INTSTATUS IgGlueUnregisterEngines(void *GuestHandle)
{
    (void)GuestHandle;
    return INT_STATUS_NOT_SUPPORTED;
}

/* ---- The table ------------------------------------------------------------------------------- */

void IntGlueFillInterfaces(GLUE_IFACE *Glue, UPPER_IFACE *Upper)
{
    if (Glue)
    {
        memset(Glue, 0, sizeof(*Glue));
        Glue->Version = GLUE_IFACE_VERSION_1;
        Glue->Size = GLUE_IFACE_VERSION_1_SIZE;
        Glue->QueryGuestInfo = IgGlueQueryGuestInfo;
        Glue->GpaToHpa = IgGlueGpaToHpa;
        Glue->PhysMemMapToHost = IgGluePhysMemMapToHost;
        Glue->PhysMemUnmap = IgGluePhysMemUnmap;
        Glue->PhysMemGetTypeFromMtrrs = IgGlueGetMemType;
        Glue->GetEPTPageProtection = IgGlueGetEptProtection;
        Glue->SetEPTPageProtection = IgGlueSetEptProtection;
        Glue->GetSPPPageProtection = IgGlueGetSpp;
        Glue->SetSPPPageProtection = IgGlueSetSpp;
        Glue->RegisterEPTHandler = IgGlueRegisterEpt;
        Glue->UnregisterEPTHandler = IgGlueUnregisterEpt;
        Glue->EnableMSRExit = IgGlueEnableMsrExit;
        Glue->DisableMSRExit = IgGlueDisableMsrExit;
        Glue->RegisterMSRHandler = IgGlueRegisterMsr;
        Glue->UnregisterMSRHandler = IgGlueUnregisterMsr;
        Glue->PauseVcpus = IgGluePause;
        Glue->ResumeVcpus = IgGlueResume;
        Glue->RegisterIntroCallHandler = IgGlueRegisterIntroCall;
        Glue->UnregisterIntroCallHandler = IgGlueUnregisterIntroCall;
        Glue->RegisterIntroTimerHandler = IgGlueRegisterTimer;
        Glue->UnregisterIntroTimerHandler = IgGlueUnregisterTimer;
        Glue->RegisterDtrHandler = IgGlueRegisterDtr;
        Glue->UnregisterDtrHandler = IgGlueUnregisterDtr;
        Glue->EnableCrWriteExit = IgGlueEnableCrWriteExit;
        Glue->DisableCrWriteExit = IgGlueDisableCrWriteExit;
        Glue->RegisterCrWriteHandler = IgGlueRegisterCr;
        Glue->UnregisterCrWriteHandler = IgGlueUnregisterCr;
        Glue->RegisterXcrWriteHandler = IgGlueRegisterXcr;
        Glue->UnregisterXcrWriteHandler = IgGlueUnregisterXcr;
        Glue->RegisterBreakpointHandler = IgGlueRegisterBreakpoint;
        Glue->UnregisterBreakpointHandler = IgGlueUnregisterBreakpoint;
        Glue->RegisterEventInjectionHandler = IgGlueRegisterEventInjection;
        Glue->UnregisterEventInjectionHandler = IgGlueUnregisterEventInjection;
        Glue->InjectTrap = IgGlueInjectTrap;
        Glue->SetIntroEmulatorContext = IgGlueSetEmulatorContext;
        Glue->ReserveVaSpaceWithPt = IgGlueReserveVaSpace;
        Glue->NotifyIntrospectionActivated = IgGlueActivated;
        Glue->NotifyIntrospectionDeactivated = IgGlueDeactivated;
        Glue->NotifyIntrospectionDetectedOs = IgGlueDetectedOs;
        Glue->NotifyIntrospectionErrorState = IgGlueErrorState;
        Glue->NotifyIntrospectionAlert = IgGlueNotifyAlert;
        Glue->NotifyScanEngines = IgGlueNotifyEngines;
        Glue->GetAgentContent = IgGlueGetAgentContent;
        Glue->ReleaseBuffer = IgGlueReleaseBuffer;
        Glue->ToggleRepOptimization = IgGlueToggleRep;
        Glue->SetVeInfoPage = IgGlueSetVeInfoPage;
        Glue->CreateEPT = IgGlueCreateEpt;
        Glue->DestroyEPT = IgGlueDestroyEpt;
        Glue->SwitchEPT = IgGlueSwitchEpt;
        Glue->GetEPTPageConvertible = IgGlueGetConvertible;
        Glue->SetEPTPageConvertible = IgGlueSetConvertible;
        Glue->RegisterEnginesResultCallback = IgGlueRegisterEngines;
        Glue->UnregisterEnginesResultCalback = IgGlueUnregisterEngines;
        Glue->FlushEPTPermissions = IgGlueFlushEptPermissions;
    }
    if (Upper)
    {
        IgGlueFillUpper(Upper);
    }
}
