/*
 * introguard: GLUE_IFACE, the two-way function table between the integrator and the library.
 *
 * The integrator fills the "integrator side" members (memory access, EPT/MSR/CR/DTR exits, vCPU
 * control, alert delivery) and calls IntInit, which validates them, copies the table and writes
 * the 26 "library side" members (NewGuestNotification ... GetVersionString) into the caller's
 * table.  From then on the integrator drives the library through those members.
 *
 * Layout, version and member names are hvmi's: Version, Size, Reserved, then 87 pointer slots,
 * 712 bytes on x86-64.  Every function takes the integrator's opaque GuestHandle first, except
 * GetVersionString.
 */
#ifndef INTROGUARD_GLUEIFACE_H
#define INTROGUARD_GLUEIFACE_H

#include "intro_types.h"
#include "introstatus.h"
#include "upperiface.h"

#ifdef __cplusplus
extern "C"
{
#endif

    /* ---- Callbacks the library registers with the integrator ------------------------------------ */

    /* EPT violation on PhysicalAddress (VirtualAddress when known); Type is the IG_EPT_HOOK_* mask. */
    typedef INTSTATUS (*PFUNC_IntEPTViolationCallback)(void *GuestHandle, unsigned long long PhysicalAddress,
                                                       uint32_t Length, unsigned long long VirtualAddress,
                                                       uint32_t CpuNumber, INTRO_ACTION *Action, IG_EPT_ACCESS Type);
    /* MSR access; for writes the library may supply the value to write in *NewValue. */
    typedef INTSTATUS (*PFUNC_IntMSRViolationCallback)(void *GuestHandle, uint32_t Msr, IG_MSR_HOOK_TYPE Flags,
                                                       INTRO_ACTION *Action, unsigned long long OriginalValue,
                                                       unsigned long long *NewValue, uint32_t CpuNumber);
    /* VMCALL from the guest at Rip. */
    typedef INTSTATUS (*PFUNC_IntIntroCallCallback)(void *GuestHandle, unsigned long long Rip, uint32_t Cpu);
    /* Once a second (IG_TIMER_FREQUENCY). */
    typedef INTSTATUS (*PFUNC_IntIntroTimerCallback)(void *GuestHandle);
    /* IDTR/GDTR/TR/LDTR access; Flags are IG_DESC_ACCESS_* bits. */
    typedef INTSTATUS (*PFUNC_IntIntroDescriptorTableCallback)(void *GuestHandle, uint32_t Flags, uint32_t CpuNumber,
                                                               INTRO_ACTION *Action);
    /* Write to control register Cr. */
    typedef INTSTATUS (*PFUNC_IntCrWriteCallback)(void *GuestHandle, uint32_t Cr, uint32_t CpuNumber,
                                                  unsigned long long OldValue, unsigned long long NewValue,
                                                  INTRO_ACTION *Action);
    /* XSETBV. */
    typedef INTSTATUS (*PFUNC_IntXcrWriteCallback)(void *GuestHandle, uint32_t CpuNumber, INTRO_ACTION *Action);
    /* INT3 at PhysicalAddress. */
    typedef INTSTATUS (*PFUNC_IntBreakpointCallback)(void *GuestHandle, unsigned long long PhysicalAddress,
                                                     uint32_t CpuNumber);
    /* An event the integrator injected into the guest was delivered. */
    typedef INTSTATUS (*PFUNC_IntEventInjectionCallback)(void *GuestHandle, uint32_t Vector,
                                                         unsigned long long ErrorCode, unsigned long long Cr2,
                                                         uint32_t CpuNumber);
    /* Result of an asynchronous scan-engine request. */
    typedef INTSTATUS (*PFUNC_IntEventEnginesResultCallback)(void *GuestHandle,
                                                             PENG_NOTIFICATION_HEADER EngineNotification);

    /* ---- Integrator side: the library calls these ----------------------------------------------- */

    /* Reads (or, for the SET classes, writes) guest state; InfoParam is the vCPU for per-vCPU classes. */
    typedef INTSTATUS (*PFUNC_IntQueryGuestInfo)(void *GuestHandle, uint32_t InfoClass, void *InfoParam, void *Buffer,
                                                 uint32_t BufferLength);
    /* Delivers an alert or event (EventClass is an INTRO_EVENT_TYPE).  Parameters live only during the call. */
    typedef INTSTATUS (*PFUNC_IntNotifyIntroAlert)(void *GuestHandle, uint32_t EventClass, void *Parameters,
                                                   size_t EventSize);
    typedef INTSTATUS (*PFUNC_IntNotifyEngines)(void *GuestHandle, void *Parameters);
    typedef INTSTATUS (*PFUNC_IntGpaToHpa)(void *GuestHandle, unsigned long long Gpa, unsigned long long *Hpa);
    /* Maps Length bytes of guest-physical memory; the mapping stays the integrator's until PhysMemUnmap. */
    typedef INTSTATUS (*PFUNC_IntPhysMemMapToHost)(void *GuestHandle, unsigned long long PhysAddress, uint32_t Length,
                                                   uint32_t Flags, void **HostPtr);
    typedef INTSTATUS (*PFUNC_IntPhysMemUnmap)(void *GuestHandle, void **HostPtr);
    typedef INTSTATUS (*PFUNC_IntGetPhysicalPageTypeFromMtrrs)(void *GuestHandle, unsigned long long Gpa,
                                                               IG_MEMTYPE *MemType);
    /* EptIndex may be IG_CURRENT_EPT. */
    typedef INTSTATUS (*PFUNC_IntGetEPTPageProtection)(void *GuestHandle, uint32_t EptIndex, unsigned long long Address,
                                                       uint8_t *Read, uint8_t *Write, uint8_t *Execute);
    typedef INTSTATUS (*PFUNC_IntSetEPTPageProtection)(void *GuestHandle, uint32_t EptIndex, unsigned long long Address,
                                                       uint8_t Read, uint8_t Write, uint8_t Execute);
    typedef INTSTATUS (*PFUNC_IntGetSPPPageProtection)(void *GuestHandle, unsigned long long Address,
                                                       unsigned long long *SppValue);
    typedef INTSTATUS (*PFUNC_IntSetSPPPageProtection)(void *GuestHandle, unsigned long long Address,
                                                       unsigned long long SppValue);
    typedef INTSTATUS (*PFUNC_IntRegisterEPTHandler)(void *GuestHandle, PFUNC_IntEPTViolationCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterEPTHandler)(void *GuestHandle);
    /* *OldValue receives whether exits for Msr were already enabled. */
    typedef INTSTATUS (*PFUNC_IntEnableMsrExit)(void *GuestHandle, uint32_t Msr, bool *OldValue);
    typedef INTSTATUS (*PFUNC_IntDisableMsrExit)(void *GuestHandle, uint32_t Msr, bool *OldValue);
    typedef INTSTATUS (*PFUNC_IntRegisterMSRHandler)(void *GuestHandle, PFUNC_IntMSRViolationCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterMSRHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterIntroCallHandler)(void *GuestHandle, PFUNC_IntIntroCallCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterIntroCallHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterVmxTimerHandler)(void *GuestHandle, PFUNC_IntIntroTimerCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterVmxTimerHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterDescriptorTableHandler)(void *GuestHandle,
                                                                 PFUNC_IntIntroDescriptorTableCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterDescriptorTableHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntEnableCrWriteExit)(void *GuestHandle, uint32_t Cr);
    typedef INTSTATUS (*PFUNC_IntDisableCrWriteExit)(void *GuestHandle, uint32_t Cr);
    typedef INTSTATUS (*PFUNC_IntRegisterCrWriteHandler)(void *GuestHandle, PFUNC_IntCrWriteCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterCrWriteHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterXcrWriteHandler)(void *GuestHandle, PFUNC_IntXcrWriteCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterXcrWriteHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterBreakpointHandler)(void *GuestHandle, PFUNC_IntBreakpointCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterBreakpointHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterEventInjectionHandler)(void *GuestHandle,
                                                                PFUNC_IntEventInjectionCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterEventInjectionHandler)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRegisterEnginesResultCallback)(void *GuestHandle,
                                                                PFUNC_IntEventEnginesResultCallback Callback);
    typedef INTSTATUS (*PFUNC_IntUnregisterEnginesResultCalback)(void *GuestHandle);
    /* Pause / resume every vCPU of the guest; pauses nest. */
    typedef INTSTATUS (*PFUNC_IntRequestVcpusPause)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRequestVcpusResume)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntReserveVaSpaceWithPt)(void *GuestHandle, void **FirstPageBase, uint32_t *PagesCount,
                                                       void **PtBase);
    typedef INTSTATUS (*PFUNC_IntInjectTrap)(void *GuestHandle, uint32_t CpuNumber, uint8_t TrapNumber,
                                             uint32_t ErrorCode, unsigned long long Cr2);
    typedef INTSTATUS (*PFUNC_IntNotifyIntrospectionDetectedOs)(void *GuestHandle, PGUEST_INFO GuestInfo);
    typedef INTSTATUS (*PFUNC_IntNotifyIntrospectionErrorState)(void *GuestHandle, INTRO_ERROR_STATE Error,
                                                                PINTRO_ERROR_CONTEXT Context);
    typedef INTSTATUS (*PFUNC_IntNotifyIntrospectionActivated)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntNotifyIntrospectionDeactivated)(void *GuestHandle);
    /* Gives the emulator the bytes to use for the access at VirtualAddress. */
    typedef INTSTATUS (*PFUNC_IntSetIntroEmulatorContext)(void *GuestHandle, uint32_t CpuNumber,
                                                          unsigned long long VirtualAddress, uint32_t BufferSize,
                                                          uint8_t *Buffer);
    /* Hands out an agent image; the library returns it with ReleaseBuffer. */
    typedef INTSTATUS (*PFUNC_IntGetAgentContent)(void *GuestHandle, uint32_t AgentTag, bool Is64, uint32_t *Size,
                                                  uint8_t **Content);
    typedef INTSTATUS (*PFUNC_IntReleaseBuffer)(void *GuestHandle, void *Buffer, uint32_t Size);
    typedef INTSTATUS (*PFUNC_IntToggleRepOptimization)(void *GuestHandle, bool Enable);
    typedef INTSTATUS (*PFUNC_IntSetVeInfoPage)(void *GuestHandle, uint32_t CpuNumber, unsigned long long VeInfoGpa);
    typedef INTSTATUS (*PFUNC_IntCreateEPT)(void *GuestHandle, uint32_t *EptIndex);
    typedef INTSTATUS (*PFUNC_IntDestroyEPT)(void *GuestHandle, uint32_t EptIndex);
    typedef INTSTATUS (*PFUNC_IntSwitchEPT)(void *GuestHandle, uint32_t NewEptIndex);
    typedef INTSTATUS (*PFUNC_IntGetEPTPageConvertible)(void *GuestHandle, uint32_t EptIndex,
                                                        unsigned long long Address, bool *Convertible);
    typedef INTSTATUS (*PFUNC_IntSetEPTPageConvertible)(void *GuestHandle, uint32_t EptIndex,
                                                        unsigned long long Address, bool Convertible);
    typedef INTSTATUS (*PFUNC_IntFlushEPTPermissions)(void *GuestHandle);

    /* ---- Library side: IntInit writes these, the integrator calls them -------------------------- */

    /* Starts introspecting a guest.  UpdateBuffer is hvmi's CAMI file (not used by introguard). */
    typedef INTSTATUS (*PFUNC_IntNotifyNewGuest)(void *GuestHandle, unsigned long long Options, uint8_t *UpdateBuffer,
                                                 uint32_t BufferLength);
    /* Stops introspecting a guest and frees its state. */
    typedef INTSTATUS (*PFUNC_IntDisableIntro)(void *GuestHandle, unsigned long long Flags);
    /* Loads a compiled exceptions file (format 2.2).  The buffer stays the caller's. */
    typedef INTSTATUS (*PFUNC_IntUpdateExceptions)(void *GuestHandle, const uint8_t *Buffer, uint32_t Length,
                                                   uint32_t Flags);
    typedef INTSTATUS (*PFUNC_IntUpdateSupport)(void *GuestHandle, uint8_t *Buffer, uint32_t Length);
    typedef INTSTATUS (*PFUNC_IntGetSupportVersion)(void *GuestHandle, uint32_t *MajorVersion, uint32_t *MinorVersion,
                                                    uint32_t *BuildNumber);
    /* Version of the exceptions file currently in force. */
    typedef INTSTATUS (*PFUNC_IntGetExceptionsVersion)(void *GuestHandle, uint16_t *Major, uint16_t *Minor,
                                                       uint32_t *BuildNumber);
    typedef INTSTATUS (*PFUNC_IntGetGuestInfo)(void *GuestHandle, PGUEST_INFO GuestInfo);
    /* Adds an exception built from an alert (Exception TRUE: Event is the alert's serialized exception). */
    typedef INTSTATUS (*PFUNC_IntAddExceptionFromAlert)(void *GuestHandle, const void *Event, INTRO_EVENT_TYPE Type,
                                                        bool Exception, unsigned long long Context);
    typedef INTSTATUS (*PFUNC_IntFlushAlertExceptions)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntRemoveException)(void *GuestHandle, unsigned long long Context);
    typedef INTSTATUS (*PFUNC_IntAddRemoveProtectedProcessUtf16)(void *GuestHandle, const uint16_t *FullPath,
                                                                 uint32_t ProtectionMask, bool Add,
                                                                 unsigned long long Context);
    typedef INTSTATUS (*PFUNC_IntAddRemoveProtectedProcessUtf8)(void *GuestHandle, const char *FullPath,
                                                                uint32_t ProtectionMask, bool Add,
                                                                unsigned long long Context);
    typedef INTSTATUS (*PFUNC_IntSetIntroAbortStatus)(void *GuestHandle, bool Abort);
    typedef INTSTATUS (*PFUNC_IntRemoveAllProtectedProcesses)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntNotifyGuestPowerStateChange)(void *GuestHandle, IG_GUEST_POWER_STATE PowerState);

#define IG_MAX_COMMAND_LINE_LENGTH 1024
#define IG_MAX_AGENT_NAME_LENGTH 32

    typedef INTSTATUS (*PFUNC_IntInjectProcessAgent)(void *GuestHandle, uint32_t AgentTag, uint8_t *AgentContent,
                                                     uint32_t AgentSize, const char *Name, const char *Args);
    typedef INTSTATUS (*PFUNC_IntInjectFileAgent)(void *GuestHandle, uint8_t *FileContent, uint32_t FileSize,
                                                  const char *Name);
    typedef INTSTATUS (*PFUNC_IntGetCurrentInstructionLength)(void *GuestHandle, uint32_t CpuNumber, uint8_t *Length);
    typedef INTSTATUS (*PFUNC_IntGetCurrentInstructionMnemonic)(void *GuestHandle, uint32_t CpuNumber, char *Mnemonic);
    typedef INTSTATUS (*PFUNC_VirtualAddressSpaceCallback)(unsigned long long Cr3, unsigned long long VirtualAddress,
                                                           unsigned long long Entry, unsigned long long PageSize);
    typedef INTSTATUS (*PFUNC_IntIterateVaSpace)(void *GuestHandle, unsigned long long Cr3,
                                                 PFUNC_VirtualAddressSpaceCallback Callback);
    typedef INTSTATUS (*PFUNC_IntModifyDynamicOptions)(void *GuestHandle, unsigned long long NewDynamicOptions);
    typedef INTSTATUS (*PFUNC_IntFlushGpaCache)(void *GuestHandle);
    typedef INTSTATUS (*PFUNC_IntGetCurrentIntroOptions)(void *GuestHandle, unsigned long long *IntroOptions);
    typedef INTSTATUS (*PFUNC_IntSetLogLevel)(void *GuestHandle, IG_LOG_LEVEL LogLevel);
    /* Sizes are of the caller's buffers, NUL included.  No GuestHandle. */
    typedef INTSTATUS (*PFUNC_IntGetVersionString)(uint32_t FullStringSize, uint32_t VersionStringSize,
                                                   char *FullString, char *VersionString);
    typedef INTSTATUS (*PFUNC_IntDebugProcessCommand)(void *GuestHandle, uint32_t CpuNumber, uint32_t Argc,
                                                      char *Argv[]);

#pragma pack(push, 8)

    typedef struct _GLUE_IFACE
    {
        uint32_t Version; /* GLUE_IFACE_VERSION_1 */
        uint32_t Size;    /* sizeof(GLUE_IFACE) */
        unsigned long long Reserved;

        /* Integrator side. */
        PFUNC_IntQueryGuestInfo QueryGuestInfo;
        PFUNC_IntGpaToHpa GpaToHpa;
        PFUNC_IntPhysMemMapToHost PhysMemMapToHost;
        PFUNC_IntPhysMemUnmap PhysMemUnmap;
        PFUNC_IntGetPhysicalPageTypeFromMtrrs PhysMemGetTypeFromMtrrs;
        PFUNC_IntGetEPTPageProtection GetEPTPageProtection;
        PFUNC_IntSetEPTPageProtection SetEPTPageProtection;
        PFUNC_IntGetSPPPageProtection GetSPPPageProtection;
        PFUNC_IntSetSPPPageProtection SetSPPPageProtection;
        PFUNC_IntRegisterEPTHandler RegisterEPTHandler;
        PFUNC_IntUnregisterEPTHandler UnregisterEPTHandler;
        PFUNC_IntEnableMsrExit EnableMSRExit;
        PFUNC_IntDisableMsrExit DisableMSRExit;
        PFUNC_IntRegisterMSRHandler RegisterMSRHandler;
        PFUNC_IntUnregisterMSRHandler UnregisterMSRHandler;
        PFUNC_IntRequestVcpusPause PauseVcpus;
        PFUNC_IntRequestVcpusResume ResumeVcpus;
        PFUNC_IntRegisterIntroCallHandler RegisterIntroCallHandler;
        PFUNC_IntUnregisterIntroCallHandler UnregisterIntroCallHandler;
        PFUNC_IntRegisterVmxTimerHandler RegisterIntroTimerHandler;
        PFUNC_IntUnregisterVmxTimerHandler UnregisterIntroTimerHandler;
        PFUNC_IntRegisterDescriptorTableHandler RegisterDtrHandler;
        PFUNC_IntUnregisterDescriptorTableHandler UnregisterDtrHandler;
        PFUNC_IntEnableCrWriteExit EnableCrWriteExit;
        PFUNC_IntDisableCrWriteExit DisableCrWriteExit;
        PFUNC_IntRegisterCrWriteHandler RegisterCrWriteHandler;
        PFUNC_IntUnregisterCrWriteHandler UnregisterCrWriteHandler;
        PFUNC_IntRegisterXcrWriteHandler RegisterXcrWriteHandler;
        PFUNC_IntUnregisterXcrWriteHandler UnregisterXcrWriteHandler;
        PFUNC_IntRegisterBreakpointHandler RegisterBreakpointHandler;
        PFUNC_IntUnregisterBreakpointHandler UnregisterBreakpointHandler;
        PFUNC_IntRegisterEventInjectionHandler RegisterEventInjectionHandler;
        PFUNC_IntUnregisterEventInjectionHandler UnregisterEventInjectionHandler;
        PFUNC_IntInjectTrap InjectTrap;
        PFUNC_IntSetIntroEmulatorContext SetIntroEmulatorContext;
        PFUNC_IntReserveVaSpaceWithPt ReserveVaSpaceWithPt;
        PFUNC_IntNotifyIntrospectionActivated NotifyIntrospectionActivated;
        PFUNC_IntNotifyIntrospectionDeactivated NotifyIntrospectionDeactivated;
        PFUNC_IntNotifyIntrospectionDetectedOs NotifyIntrospectionDetectedOs;
        void *_I_H_Reserved1;
        PFUNC_IntNotifyIntrospectionErrorState NotifyIntrospectionErrorState;
        PFUNC_IntNotifyIntroAlert NotifyIntrospectionAlert;
        PFUNC_IntNotifyEngines NotifyScanEngines;
        PFUNC_IntGetAgentContent GetAgentContent;
        PFUNC_IntReleaseBuffer ReleaseBuffer;
        PFUNC_IntToggleRepOptimization ToggleRepOptimization;
        PFUNC_IntSetVeInfoPage SetVeInfoPage;
        PFUNC_IntCreateEPT CreateEPT;
        PFUNC_IntDestroyEPT DestroyEPT;
        PFUNC_IntSwitchEPT SwitchEPT;
        PFUNC_IntGetEPTPageConvertible GetEPTPageConvertible;
        PFUNC_IntSetEPTPageConvertible SetEPTPageConvertible;
        PFUNC_IntRegisterEnginesResultCallback RegisterEnginesResultCallback;
        PFUNC_IntUnregisterEnginesResultCalback UnregisterEnginesResultCalback; /* sic, hvmi's spelling */
        PFUNC_IntFlushEPTPermissions FlushEPTPermissions;
        void *_I_H_Reserved2;
        void *_I_H_Reserved3;

        /* Library side (written by IntInit). */
        PFUNC_IntNotifyNewGuest NewGuestNotification;
        PFUNC_IntDisableIntro DisableIntro;
        PFUNC_IntNotifyGuestPowerStateChange NotifyGuestPowerStateChange;
        PFUNC_IntDebugProcessCommand DebugProcessCommand;
        void *_H_I_Reserved1;
        PFUNC_IntUpdateExceptions UpdateExceptions;
        PFUNC_IntGetExceptionsVersion GetExceptionsVersion;
        PFUNC_IntGetGuestInfo GetGuestInfo;
        PFUNC_IntInjectProcessAgent InjectProcessAgent;
        PFUNC_IntInjectFileAgent InjectFileAgent;
        PFUNC_IntSetIntroAbortStatus SetIntroAbortStatus;
        PFUNC_IntAddExceptionFromAlert AddExceptionFromAlert;
        PFUNC_IntRemoveException RemoveException;
        PFUNC_IntFlushAlertExceptions FlushAlertExceptions;
        PFUNC_IntAddRemoveProtectedProcessUtf16 AddRemoveProtectedProcessUtf16;
        PFUNC_IntAddRemoveProtectedProcessUtf8 AddRemoveProtectedProcessUtf8;
        PFUNC_IntRemoveAllProtectedProcesses RemoveAllProtectedProcesses;
        PFUNC_IntGetCurrentInstructionLength GetCurrentInstructionLength;
        PFUNC_IntGetCurrentInstructionMnemonic GetCurrentInstructionMnemonic;
        PFUNC_IntIterateVaSpace IterateVirtualAddressSpace;
        PFUNC_IntModifyDynamicOptions ModifyDynamicOptions;
        PFUNC_IntFlushGpaCache FlushGpaCache;
        PFUNC_IntGetCurrentIntroOptions GetCurrentIntroOptions;
        PFUNC_IntUpdateSupport UpdateSupport;
        PFUNC_IntGetSupportVersion GetSupportVersion;
        PFUNC_IntSetLogLevel SetLogLevel;
        PFUNC_IntGetVersionString GetVersionString;
        void *_H_I_Reserved2;
        void *_H_I_Reserved3;
        void *_H_I_Reserved4;
    } GLUE_IFACE, *PGLUE_IFACE;

#pragma pack(pop)

#define GLUE_IFACE_VERSION_1 0x00010111
#define GLUE_IFACE_VERSION_1_SIZE sizeof(GLUE_IFACE)
#define GLUE_IFACE_VERSION_LATEST GLUE_IFACE_VERSION_1
#define GLUE_IFACE_VERSION_LATEST_SIZE GLUE_IFACE_VERSION_1_SIZE

    /* Checked in C and C++, on x86-64, whatever packing the includer has in force. */
    INTROGUARD_LAYOUT_ASSERT(sizeof(GLUE_IFACE) == 712, "GLUE_IFACE must keep hvmi's layout");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, QueryGuestInfo) == 0x010, "GLUE_IFACE.QueryGuestInfo offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, PauseVcpus) == 0x088, "GLUE_IFACE.PauseVcpus offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, RegisterEventInjectionHandler) == 0x108, "GLUE_IFACE offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, _I_H_Reserved1) == 0x148, "GLUE_IFACE._I_H_Reserved1 offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, NotifyIntrospectionAlert) == 0x158,
                             "GLUE_IFACE.NotifyIntrospectionAlert");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, ReleaseBuffer) == 0x170, "GLUE_IFACE.ReleaseBuffer offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, FlushEPTPermissions) == 0x1C0,
                             "GLUE_IFACE.FlushEPTPermissions offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, NewGuestNotification) == 0x1D8,
                             "GLUE_IFACE.NewGuestNotification offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, UpdateExceptions) == 0x200, "GLUE_IFACE.UpdateExceptions offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, GetExceptionsVersion) == 0x208,
                             "GLUE_IFACE.GetExceptionsVersion offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, AddExceptionFromAlert) == 0x230,
                             "GLUE_IFACE.AddExceptionFromAlert offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, FlushAlertExceptions) == 0x240,
                             "GLUE_IFACE.FlushAlertExceptions offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, GetVersionString) == 0x2A8, "GLUE_IFACE.GetVersionString offset");
    INTROGUARD_LAYOUT_ASSERT(offsetof(GLUE_IFACE, _H_I_Reserved4) == 0x2C0, "GLUE_IFACE._H_I_Reserved4 offset");

    /* The library's own entry points, as function-pointer types (for integrators that load it dynamically). */
    typedef void (*PFUNC_IntPreinit)(void);
    typedef INTSTATUS (*PFUNC_IntInit)(PGLUE_IFACE GlueInterface, const UPPER_IFACE *UpperInterface);
    typedef INTSTATUS (*PFUNC_IntUninit)(void);
    typedef bool (*PFUNC_IntCheckCompatibility)(uint32_t IntegratorMajor, uint32_t IntegratorMinor,
                                                uint32_t IntegratorRevision, uint32_t IntegratorBuild,
                                                uint32_t *IntroMajor, uint32_t *IntroMinor, uint32_t *IntroRevision,
                                                uint32_t *IntroBuild, uint32_t Reserved);

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_GLUEIFACE_H */
