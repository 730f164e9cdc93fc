/*
 * The library side of GLUE_IFACE: guest life cycle, the five exception calls and the rest.
 *
 * Every guest call follows one prologue (spec api-and-alerts.md §2.1): a NULL GuestHandle is
 * INVALID_PARAMETER_1 before anything else; then the guest is looked up without a lock and its
 * own lock is taken; an unknown or disabled guest is NOT_INITIALIZED; a guest entering hibernate
 * is POWER_STATE_BLOCK.  Calls for different guests share no lock.
 */
#include <stdio.h>
#include <string.h>

#include "api_int.h"
#include "exceptions/exceptions_int.h"
#include "exceptions/ruleset_index.h"

_Static_assert(sizeof(((INTRO_EXCEPTIONS_LOAD_ERROR *)0)->Message) == sizeof(((IG_PARSE_ERROR *)0)->Message),
               "the public load error carries the whole parser message");

/* The common prologue (api_int.h). */
INTSTATUS IgApiEnter(void *GuestHandle, bool BlockOnHibernate, IG_INSTANCE **Instance, IG_GUEST **Guest)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;

    *Instance = NULL;
    *Guest = NULL;

    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    instance = IgInstanceGet();
    if (instance == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    guest = IgGuestAcquire(instance, GuestHandle);
    if (guest == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }

    IgGuestLock(instance, guest);
    if (!IgGuestIsLive(guest))
    {
        /* Disabled while we waited for its lock. */
        IgGuestUnlock(instance, guest);
        IgGuestRelease(instance, guest);
        return INT_STATUS_NOT_INITIALIZED;
    }
    if (BlockOnHibernate && guest->EnterHibernate)
    {
        IgGuestUnlock(instance, guest);
        IgGuestRelease(instance, guest);
        return INT_STATUS_POWER_STATE_BLOCK;
    }

    *Instance = instance;
    *Guest = guest;
    return INT_STATUS_SUCCESS;
}

void IgApiLeave(IG_INSTANCE *Instance, IG_GUEST *Guest)
{
    IgGuestUnlock(Instance, Guest);
    IgGuestRelease(Instance, Guest);
}

/* For the GLUE members that have no engine behind them yet. */
static INTSTATUS IgApiNotSupported(void *GuestHandle, const char *Name)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IG_LOG(instance, intLogLevelDebug, "%s: not supported by introguard\n", Name);
    IgApiLeave(instance, guest);
    return INT_STATUS_NOT_SUPPORTED;
}

/* ---- Guest life cycle ----------------------------------------------------------------------- */

INTSTATUS IntNewGuestNotification(void *GuestHandle, QWORD Options, PBYTE UpdateBuffer, DWORD BufferLength)
{
    IG_INSTANCE *instance;
    INTSTATUS status;

    (void)UpdateBuffer; /* hvmi's CAMI support file: introguard has no use for it */
    (void)BufferLength;

    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    instance = IgInstanceGet();
    if (instance == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }

    status = IgGuestCreate(instance, GuestHandle, Options);
    if (status == INT_STATUS_ALREADY_INITIALIZED_HINT)
    {
        IG_LOG(instance, intLogLevelWarning, "NewGuestNotification: the guest is already introspected\n");
    }
    else if (!INT_SUCCESS(status))
    {
        IG_LOG(instance, intLogLevelError, "NewGuestNotification: cannot create the guest: %s\n",
               IntStatusToString(status));
    }
    else
    {
        IG_LOG(instance, intLogLevelInfo, "NewGuestNotification: options 0x%016llx\n", Options);
    }
    return status;
}

INTSTATUS IntDisableIntro(void *GuestHandle, QWORD Flags)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    (void)Flags; /* nothing is hooked yet, so there is nothing to unhook safely or unsafely */

    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    instance = IgInstanceGet();
    if (instance == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    guest = IgGuestAcquire(instance, GuestHandle);
    if (guest == NULL)
    {
        return INT_STATUS_NOT_NEEDED_HINT;
    }

    status = IgGuestDisable(instance, guest);
    IgGuestRelease(instance, guest);
    return status;
}

INTSTATUS IntNotifyGuestPowerStateChange(void *GuestHandle, IG_GUEST_POWER_STATE PowerState)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (PowerState < intGuestPowerStateResume || PowerState > intGuestPowerStateTerminating)
    {
        return INT_STATUS_NOT_SUPPORTED;
    }
    status = IgApiEnter(GuestHandle, false, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }

    /* Only the state is recorded: no lock is held across Sleep -> Resume (hvmi's oddity 19). */
    switch (PowerState)
    {
        case intGuestPowerStateSleep:
            guest->Sleeping = true;
            break;
        case intGuestPowerStateResume:
            guest->Sleeping = false;
            break;
        case intGuestPowerStateShutDown:
            guest->ShutDown = true;
            break;
        case intGuestPowerStateTerminating:
            guest->Terminating = true;
            break;
    }
    IG_LOG(instance, intLogLevelInfo, "NotifyGuestPowerStateChange: state %d\n", (int)PowerState);

    IgApiLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

/* ---- What the guest is ------------------------------------------------------------------------ */

INTSTATUS IntSetGuestInfo(void *GuestHandle, const GUEST_INFO *GuestInfo)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (GuestInfo == NULL || (GuestInfo->Type != introGuestWindows && GuestInfo->Type != introGuestLinux))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    guest->Info = *GuestInfo;
    IgGuestSetOs(guest, GuestInfo->Type == introGuestLinux ? IgGuestOsLinux : IgGuestOsWindows);
    IgProtectLock(guest->Protect, true);
    IgProtectSetOs(guest->Protect, GuestInfo->Type == introGuestLinux ? INTRO_EXC_OS_LINUX : INTRO_EXC_OS_WINDOWS);
    IgProtectUnlock(guest->Protect, true);
    IG_LOG(instance, intLogLevelInfo, "SetGuestInfo: %s, %s, version %u\n",
           GuestInfo->Type == introGuestLinux ? "Linux" : "Windows", GuestInfo->Guest64 ? "64-bit" : "32-bit",
           GuestInfo->OsVersion);
    IgApiLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntGetGuestInfo(void *GuestHandle, PGUEST_INFO GuestInfo)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    if (GuestInfo != NULL)
    {
        memset(GuestInfo, 0, sizeof(*GuestInfo));
    }
    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (GuestInfo == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgApiEnter(GuestHandle, false, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    /* hvmi answers NOT_INITIALIZED until it has identified the guest; here, until it is declared. */
    status = guest->Info.Type == introGuestUnknown ? INT_STATUS_NOT_INITIALIZED : INT_STATUS_SUCCESS;
    if (INT_SUCCESS(status))
    {
        *GuestInfo = guest->Info;
    }
    IgApiLeave(instance, guest);
    return status;
}

/* ---- The exception calls -------------------------------------------------------------------- */

static void IgRecordLoadError(IG_GUEST *Guest, const IG_PARSE_ERROR *Error)
{
    Guest->LoadError = *Error;
    Guest->HasLoadError = true;
}

/* What a successful load saw that an operator should know: none of it stops the load. */
static void IgLogLoadWarnings(IG_INSTANCE *Instance, const IG_RULESET *RuleSet)
{
    const IG_LOAD_STATS *st = &RuleSet->Stats;

    if (RuleSet->Header.Minor > IG_FILE_MINOR)
    {
        IG_LOG(Instance, intLogLevelWarning,
               "UpdateExceptions: format 2.%u is newer than 2.%u: not all features available\n",
               (unsigned)RuleSet->Header.Minor, IG_FILE_MINOR);
    }
    if (st->UnknownRecords)
    {
        IG_LOG(Instance, intLogLevelWarning, "UpdateExceptions: %u records of unknown types skipped\n",
               st->UnknownRecords);
    }
    if (st->UnsortedBuckets)
    {
        IG_LOG(Instance, intLogLevelWarning, "UpdateExceptions: %u lists were not sorted by originator (sorted now)\n",
               st->UnsortedBuckets);
    }
    if (st->DanglingSigRefs || st->DuplicateSigIds || st->SigTypeMismatches)
    {
        IG_LOG(Instance, intLogLevelWarning,
               "UpdateExceptions: %u references to missing signatures, %u duplicate signature IDs, %u signatures "
               "whose ID type differs from their record\n",
               st->DanglingSigRefs, st->DuplicateSigIds, st->SigTypeMismatches);
    }
}

INTSTATUS IntUpdateExceptions(void *GuestHandle, const BYTE *Buffer, DWORD Length, DWORD Flags)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    IG_RULESET *ruleSet = NULL;
    IG_PARSE_ERROR error;
    const uint8_t *bytes = Buffer;
    uint8_t *copy = NULL;
    INTSTATUS status;

    (void)Flags; /* unused, as in hvmi */

    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }

    memset(&error, 0, sizeof(error));
    if (Buffer == NULL)
    {
        status = INT_STATUS_INVALID_PARAMETER_1;
        error.Status = status;
        error.Detail = status;
        error.RecordIndex = IG_NO_RECORD;
        (void)snprintf(error.Message, sizeof(error.Message), "the exceptions buffer is NULL");
        IgRecordLoadError(guest, &error);
        goto cleanup;
    }

    /* A file the guest's pin or key refuses is not even decoded (exc_auth.c); a checked one is
     * loaded from the copy that was checked. */
    status = IgExcAuthCheck(&guest->Auth, &instance->Allocator, Buffer, Length, &bytes, &copy, &error);
    if (INT_SUCCESS(status))
    {
        /* The new set is built entirely aside; the current one stays in force until the swap. */
        status = IgRuleSetLoad(&instance->Allocator, bytes, Length, guest->Os, &ruleSet, &error);
    }
    if (!INT_SUCCESS(status))
    {
        if (INT_SUCCESS(error.Status))
        {
            error.Status = status;
        }
        if (INT_SUCCESS(error.Detail))
        {
            error.Detail = error.Status;
        }
        status = error.Status;
        IgRecordLoadError(guest, &error);
        IG_LOG(instance, intLogLevelError, "UpdateExceptions: rejected (%s) at offset %llu: %s\n",
               IntStatusToString(error.Detail), (unsigned long long)error.Offset, error.Message);
        goto cleanup;
    }

    IG_LOG(instance, intLogLevelInfo, "UpdateExceptions: version %u.%u build %u loaded\n",
           (unsigned)ruleSet->Header.Major, (unsigned)ruleSet->Header.Minor, (unsigned)ruleSet->Header.BuildNumber);
    IgLogLoadWarnings(instance, ruleSet);
    IgRuleSetSlotPublish(&guest->Rules, ruleSet);
    guest->HasLoadError = false;
    status = INT_STATUS_SUCCESS;

cleanup:
    instance->Allocator.Free(instance->Allocator.Context, (void **)&copy, IG_TAG_RULESET);
    IgApiLeave(instance, guest);
    return status;
}

INTSTATUS IntGetExceptionsVersion(void *GuestHandle, WORD *Major, WORD *Minor, DWORD *BuildNumber)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    IG_RULESET *ruleSet;
    INTSTATUS status;

    if (Major != NULL)
    {
        *Major = 0;
    }
    if (Minor != NULL)
    {
        *Minor = 0;
    }
    if (BuildNumber != NULL)
    {
        *BuildNumber = 0;
    }

    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }

    /* hvmi numbers these after the inner getter's parameters, hence 1/2/3 (spec §6.5). */
    if (Major == NULL)
    {
        status = INT_STATUS_INVALID_PARAMETER_1;
        goto cleanup;
    }
    if (Minor == NULL)
    {
        status = INT_STATUS_INVALID_PARAMETER_2;
        goto cleanup;
    }
    if (BuildNumber == NULL)
    {
        status = INT_STATUS_INVALID_PARAMETER_3;
        goto cleanup;
    }

    /* The set in force: a failed reload leaves it (and so its version) in place. */
    ruleSet = IgRuleSetSlotAcquire(&guest->Rules);
    if (ruleSet == NULL)
    {
        status = INT_STATUS_NOT_INITIALIZED;
        goto cleanup;
    }
    *Major = ruleSet->Header.Major;
    *Minor = ruleSet->Header.Minor;
    *BuildNumber = ruleSet->Header.BuildNumber;
    IgRuleSetRelease(ruleSet);
    status = INT_STATUS_SUCCESS;

cleanup:
    IgApiLeave(instance, guest);
    return status;
}

INTSTATUS IntGetExceptionsLoadError(void *GuestHandle, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    if (Error != NULL)
    {
        memset(Error, 0, sizeof(*Error));
    }
    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Error == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }

    /* A diagnostic read: answered even while the guest enters hibernate. */
    status = IgApiEnter(GuestHandle, false, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }

    if (!guest->HasLoadError)
    {
        status = INT_STATUS_NOT_FOUND;
        goto cleanup;
    }
    Error->Status = guest->LoadError.Status;
    Error->Detail = guest->LoadError.Detail;
    Error->Offset = guest->LoadError.Offset;
    Error->RecordIndex = guest->LoadError.RecordIndex;
    Error->RecordType = guest->LoadError.RecordType;
    memcpy(Error->Message, guest->LoadError.Message, sizeof(Error->Message));
    Error->Message[sizeof(Error->Message) - 1] = '\0';
    status = INT_STATUS_SUCCESS;

cleanup:
    IgApiLeave(instance, guest);
    return status;
}

/* ---- Options, logging, version -------------------------------------------------------------- */

INTSTATUS IntGetCurrentIntroOptions(void *GuestHandle, QWORD *IntroOptions)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    if (IntroOptions != NULL)
    {
        *IntroOptions = 0;
    }
    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (IntroOptions == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    *IntroOptions = guest->Options;
    IgApiLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntSetLogLevel(void *GuestHandle, IG_LOG_LEVEL LogLevel)
{
    IG_INSTANCE *instance;

    /* As in hvmi the level is library-wide; the handle is only checked for NULL. */
    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (LogLevel < intLogLevelDebug || LogLevel > intLogLevelCritical)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    instance = IgInstanceGet();
    if (instance == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    atomic_store(&instance->LogLevel, (int)LogLevel);
    return INT_STATUS_SUCCESS;
}

#define IG_STRINGIFY_(x) #x
#define IG_STRINGIFY(x) IG_STRINGIFY_(x)
#define IG_VERSION_TEXT                                                                                                \
    IG_STRINGIFY(INTROGUARD_VERSION_MAJOR)                                                                             \
    "." IG_STRINGIFY(INTROGUARD_VERSION_MINOR) "." IG_STRINGIFY(INTROGUARD_VERSION_PATCH)
#define IG_FULL_VERSION_TEXT                                                                                           \
    "introguard " IG_VERSION_TEXT " (exceptions format 2.2, GLUE_IFACE 0x00010111, UPPER_IFACE 0x00010074)"

INTSTATUS IntGetVersionString(DWORD FullStringSize, DWORD VersionStringSize, CHAR *FullString, CHAR *VersionString)
{
    static const char full[] = IG_FULL_VERSION_TEXT;
    static const char version[] = IG_VERSION_TEXT;

    if (FullString == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (VersionString == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    if (IgInstanceGet() == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }
    if (FullStringSize < sizeof(full) || VersionStringSize < sizeof(version))
    {
        return INT_STATUS_DATA_BUFFER_TOO_SMALL;
    }
    memcpy(FullString, full, sizeof(full));
    memcpy(VersionString, version, sizeof(version));
    return INT_STATUS_SUCCESS;
}

/* ---- Members with no engine behind them yet ------------------------------------------------- */

INTSTATUS IntProcessDebugCommand(void *GuestHandle, DWORD CpuNumber, DWORD Argc, CHAR *Argv[])
{
    (void)CpuNumber;
    (void)Argc;
    (void)Argv;
    return IgApiNotSupported(GuestHandle, "DebugProcessCommand");
}

INTSTATUS IntInjectProcessAgentInGuest(void *GuestHandle, DWORD AgentTag, PBYTE AgentContent, DWORD AgentSize,
                                       const CHAR *Name, const CHAR *Args)
{
    (void)AgentTag;
    (void)AgentContent;
    (void)AgentSize;
    (void)Name;
    (void)Args;
    return IgApiNotSupported(GuestHandle, "InjectProcessAgent");
}

INTSTATUS IntInjectFileAgentInGuest(void *GuestHandle, PBYTE FileContent, DWORD FileSize, const CHAR *Name)
{
    (void)FileContent;
    (void)FileSize;
    (void)Name;
    return IgApiNotSupported(GuestHandle, "InjectFileAgent");
}

INTSTATUS IntAbortEnableIntro(void *GuestHandle, BOOLEAN Abort)
{
    (void)Abort;
    return IgApiNotSupported(GuestHandle, "SetIntroAbortStatus");
}

INTSTATUS IntAddRemoveProtectedProcessUtf16(void *GuestHandle, const WCHAR *FullPath, DWORD ProtectionMask, BOOLEAN Add,
                                            QWORD Context)
{
    (void)FullPath;
    (void)ProtectionMask;
    (void)Add;
    (void)Context;
    return IgApiNotSupported(GuestHandle, "AddRemoveProtectedProcessUtf16");
}

INTSTATUS IntAddRemoveProtectedProcessUtf8(void *GuestHandle, const CHAR *FullPath, DWORD ProtectionMask, BOOLEAN Add,
                                           QWORD Context)
{
    (void)FullPath;
    (void)ProtectionMask;
    (void)Add;
    (void)Context;
    return IgApiNotSupported(GuestHandle, "AddRemoveProtectedProcessUtf8");
}

INTSTATUS IntRemoveAllProtectedProcesses(void *GuestHandle)
{
    return IgApiNotSupported(GuestHandle, "RemoveAllProtectedProcesses");
}

INTSTATUS IntGetCurrentInstructionLength(void *GuestHandle, DWORD CpuNumber, BYTE *Length)
{
    (void)CpuNumber;
    (void)Length;
    return IgApiNotSupported(GuestHandle, "GetCurrentInstructionLength");
}

INTSTATUS IntGetCurrentInstructionMnemonic(void *GuestHandle, DWORD CpuNumber, CHAR *Mnemonic)
{
    (void)CpuNumber;
    (void)Mnemonic;
    return IgApiNotSupported(GuestHandle, "GetCurrentInstructionMnemonic");
}

INTSTATUS IntIterateVaSpace(void *GuestHandle, QWORD Cr3, PFUNC_VirtualAddressSpaceCallback Callback)
{
    (void)Cr3;
    (void)Callback;
    return IgApiNotSupported(GuestHandle, "IterateVirtualAddressSpace");
}

INTSTATUS IntModifyDynamicOptions(void *GuestHandle, QWORD NewDynamicOptions)
{
    (void)NewDynamicOptions;
    return IgApiNotSupported(GuestHandle, "ModifyDynamicOptions");
}

INTSTATUS IntFlushGpaCache(void *GuestHandle)
{
    return IgApiNotSupported(GuestHandle, "FlushGpaCache");
}

INTSTATUS IntUpdateSupport(void *GuestHandle, PBYTE Buffer, DWORD Length)
{
    (void)Buffer;
    (void)Length;
    return IgApiNotSupported(GuestHandle, "UpdateSupport");
}

INTSTATUS IntGetSupportVersion(void *GuestHandle, DWORD *MajorVersion, DWORD *MinorVersion, DWORD *BuildNumber)
{
    (void)MajorVersion;
    (void)MinorVersion;
    (void)BuildNumber;
    return IgApiNotSupported(GuestHandle, "GetSupportVersion");
}

/* ---- Evaluation against a guest's rule set -------------------------------------------------- */

INTSTATUS IntExceptEvaluateGuest(void *GuestHandle, const INTRO_EXC_VIOLATION *Violation, INTRO_EXC_VERDICT *Verdict)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    IG_RULESET *set;
    INTSTATUS status;

    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Violation == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (Verdict == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    instance = IgInstanceGet();
    guest = instance ? IgGuestAcquire(instance, GuestHandle) : NULL;
    if (guest == NULL)
    {
        return INT_STATUS_NOT_INITIALIZED;
    }

    /* No guest lock: a reload holds it while it parses, and evaluation must not wait for that.
     * The slot hands out the set in force with a reference; the load built its search index. */
    set = IgRuleSetSlotAcquire(&guest->Rules);
    if (set == NULL)
    {
        /* Allowed: exceptions not loaded, as hvmi, which does not look at alert exceptions then either. */
        status = IntExceptEvaluate(NULL, Violation, Verdict);
    }
    else
    {
        /* The alert exceptions in force, taken the same way: an add or remove never waits for us. */
        IG_ALERT_SET *alerts = IgAlertSlotAcquire(&guest->Alerts);

        status = IgExceptEvaluate(set, alerts ? &alerts->View : NULL, &guest->Memory.Env, Violation, Verdict);
        IgAlertSetRelease(alerts);
        IgRuleSetRelease(set);
    }
    IgGuestRelease(instance, guest);
    return status;
}
