/*
 * The library instance: IntPreinit, IntInit (table validation), IntUninit, logging and the
 * allocator adapter.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api_int.h"

/* The one process-wide object.  IntInit has no handle to return, so the instance has to be found
 * from the GLUE entry points; everything per guest hangs off the registry inside it. */
static IG_INSTANCE gIgInstance;

/* A table member the integrator must supply, by offset. */
typedef struct IG_REQUIRED_MEMBER
{
    size_t Offset;
    const char *Name;
} IG_REQUIRED_MEMBER;

#define IG_GLUE_MEMBER(Name)                                                                                           \
    {                                                                                                                  \
        offsetof(GLUE_IFACE, Name), #Name                                                                              \
    }
#define IG_UPPER_MEMBER(Name)                                                                                          \
    {                                                                                                                  \
        offsetof(UPPER_IFACE, Name), #Name                                                                             \
    }

/*
 * The GLUE members the library calls, in hvmi's check order (spec api-and-alerts.md §1.4): a table
 * without one of them is rejected as hvmi rejects it.  hvmi also requires 13 members the library
 * never calls (timers, intro calls, breakpoints, XCR writes, traps, the emulator context, MTRR
 * types, GPA to HPA, ReleaseBuffer); introguard accepts NULL for those (docs/api.md, "IntInit",
 * lists every member; docs/compat.md records the difference).  FlushEPTPermissions is optional:
 * called when present.
 */
static const IG_REQUIRED_MEMBER gIgRequiredGlue[] = {
    IG_GLUE_MEMBER(QueryGuestInfo),           /* guest memory (page walk), vCPU state */
    IG_GLUE_MEMBER(PhysMemMapToHost),         /* guest memory */
    IG_GLUE_MEMBER(PhysMemUnmap),             /* guest memory */
    IG_GLUE_MEMBER(RegisterMSRHandler),       /* MSR zones */
    IG_GLUE_MEMBER(UnregisterMSRHandler),     /* MSR zones */
    IG_GLUE_MEMBER(RegisterEPTHandler),       /* memory zones */
    IG_GLUE_MEMBER(UnregisterEPTHandler),     /* memory zones */
    IG_GLUE_MEMBER(GetEPTPageProtection),     /* memory zones */
    IG_GLUE_MEMBER(SetEPTPageProtection),     /* memory zones */
    IG_GLUE_MEMBER(EnableMSRExit),            /* MSR zones */
    IG_GLUE_MEMBER(DisableMSRExit),           /* MSR zones */
    IG_GLUE_MEMBER(PauseVcpus),               /* around zone changes */
    IG_GLUE_MEMBER(ResumeVcpus),              /* around zone changes */
    IG_GLUE_MEMBER(RegisterDtrHandler),       /* descriptor-table zones */
    IG_GLUE_MEMBER(UnregisterDtrHandler),     /* descriptor-table zones */
    IG_GLUE_MEMBER(RegisterCrWriteHandler),   /* CR zones */
    IG_GLUE_MEMBER(UnregisterCrWriteHandler), /* CR zones */
    IG_GLUE_MEMBER(EnableCrWriteExit),        /* CR zones */
    IG_GLUE_MEMBER(DisableCrWriteExit),       /* CR zones */
    IG_GLUE_MEMBER(NotifyIntrospectionAlert), /* alerts */
};
_Static_assert(sizeof(gIgRequiredGlue) / sizeof(gIgRequiredGlue[0]) == 20, "the library calls 20 GLUE members");

/* The UPPER members the library calls; BugCheck, EnterDebugger and QueryHeapSize may be NULL. */
static const IG_REQUIRED_MEMBER gIgRequiredUpper[] = {
    IG_UPPER_MEMBER(TracePrint),
    IG_UPPER_MEMBER(MemAllocWithTagAndInfo),
    IG_UPPER_MEMBER(MemFreeWithTagAndInfo),
    IG_UPPER_MEMBER(SpinLockInit),
    IG_UPPER_MEMBER(SpinLockUnInit),
    IG_UPPER_MEMBER(SpinLockAcquire),
    IG_UPPER_MEMBER(SpinLockRelease),
    IG_UPPER_MEMBER(RwSpinLockInit), /* the guest model (src/protect) */
    IG_UPPER_MEMBER(RwSpinLockUnInit),
    IG_UPPER_MEMBER(RwSpinLockAcquireShared),
    IG_UPPER_MEMBER(RwSpinLockAcquireExclusive),
    IG_UPPER_MEMBER(RwSpinLockReleaseShared),
    IG_UPPER_MEMBER(RwSpinLockReleaseExclusive),
};
_Static_assert(sizeof(gIgRequiredUpper) / sizeof(gIgRequiredUpper[0]) == 13, "the library calls 13 UPPER members");

#define IG_DEFAULT_LOG_LEVEL intLogLevelWarning /* hvmi's release-build default */
#define IG_LOG_LINE_MAX 1024u

IG_INSTANCE *IgInstanceGet(void)
{
    return atomic_load(&gIgInstance.State) == IgInstanceReady ? &gIgInstance : NULL;
}

static void IgLogVia(const UPPER_IFACE *Upper, const char *File, unsigned Line, const char *Format, va_list Args)
    __attribute__((format(printf, 4, 0)));

static void IgLogVia(const UPPER_IFACE *Upper, const char *File, unsigned Line, const char *Format, va_list Args)
{
    char line[IG_LOG_LINE_MAX];

    /* TracePrint is variadic and cannot take a va_list: format here, pass the text through. */
    (void)vsnprintf(line, sizeof(line), Format, Args);
    (void)Upper->TracePrint(File, Line, "%s", line);
}

void IgLog(IG_INSTANCE *Instance, IG_LOG_LEVEL Level, const char *File, unsigned Line, const char *Format, ...)
{
    va_list args;

    if ((int)Level < atomic_load(&Instance->LogLevel))
    {
        return;
    }
    va_start(args, Format);
    IgLogVia(&Instance->Upper, File, Line, Format, args);
    va_end(args);
}

/* Logging before the UPPER table is validated: only when its header and TracePrint look usable. */
static void IgInitLog(const UPPER_IFACE *Upper, const char *Format, ...) __attribute__((format(printf, 2, 3)));

static void IgInitLog(const UPPER_IFACE *Upper, const char *Format, ...)
{
    va_list args;

    if (Upper == NULL || Upper->Version != UPPER_IFACE_VERSION_1 || Upper->Size != sizeof(UPPER_IFACE) ||
        Upper->TracePrint == NULL)
    {
        return;
    }
    va_start(args, Format);
    IgLogVia(Upper, IG_SOURCE_FILE, __LINE__, Format, args);
    va_end(args);
}

static bool IgMemberIsNull(const void *Table, size_t Offset)
{
    void *member;

    memcpy(&member, (const char *)Table + Offset, sizeof(member));
    return member == NULL;
}

/* Logs every missing member, in hvmi's check order; true if there was one. */
static bool IgFindMissingMembers(const void *Table, const IG_REQUIRED_MEMBER *Members, size_t Count,
                                 const char *TableName, const UPPER_IFACE *Upper)
{
    bool missing = false;

    for (size_t i = 0; i < Count; i++)
    {
        if (IgMemberIsNull(Table, Members[i].Offset))
        {
            IgInitLog(Upper, "IntInit: %s.%s is NULL\n", TableName, Members[i].Name);
            missing = true;
        }
    }
    return missing;
}

/* hvmi's steps 2-5, same statuses (spec api-and-alerts.md §1.4). */
static INTSTATUS IgValidateTables(const GLUE_IFACE *Glue, const UPPER_IFACE *Upper)
{
    if (Glue == NULL)
    {
        IgInitLog(Upper, "IntInit: GlueInterface is NULL\n");
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Glue->Version != GLUE_IFACE_VERSION_1 || Glue->Size != sizeof(GLUE_IFACE))
    {
        IgInitLog(Upper, "IntInit: GLUE_IFACE version 0x%08x size %u, expected version 0x%08x size %zu\n",
                  (unsigned)Glue->Version, (unsigned)Glue->Size, (unsigned)GLUE_IFACE_VERSION_1, sizeof(GLUE_IFACE));
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (IgFindMissingMembers(Glue, gIgRequiredGlue, sizeof(gIgRequiredGlue) / sizeof(gIgRequiredGlue[0]), "GLUE_IFACE",
                             Upper))
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Upper == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (Upper->Version != UPPER_IFACE_VERSION_1 || Upper->Size != sizeof(UPPER_IFACE))
    {
        /* Not logged: the table that would carry the message is the one that is wrong. */
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (IgFindMissingMembers(Upper, gIgRequiredUpper, sizeof(gIgRequiredUpper) / sizeof(gIgRequiredUpper[0]),
                             "UPPER_IFACE", Upper))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgUpperAlloc(void *Context, void **Address, size_t Size, uint32_t Tag)
{
    IG_INSTANCE *instance = Context;
    INTSTATUS status;

    *Address = NULL;
    status = instance->Upper.MemAllocWithTagAndInfo(Address, Size, Tag);
    if (!INT_SUCCESS(status) || *Address == NULL)
    {
        *Address = NULL;
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    return INT_STATUS_SUCCESS;
}

static void IgUpperFree(void *Context, void **Address, uint32_t Tag)
{
    IG_INSTANCE *instance = Context;

    if (*Address != NULL)
    {
        (void)instance->Upper.MemFreeWithTagAndInfo(Address, Tag);
    }
    *Address = NULL;
}

static void IgFillLibrarySide(GLUE_IFACE *Glue)
{
    Glue->NewGuestNotification = IntNewGuestNotification;
    Glue->DisableIntro = IntDisableIntro;
    Glue->NotifyGuestPowerStateChange = IntNotifyGuestPowerStateChange;
    Glue->DebugProcessCommand = IntProcessDebugCommand;
    Glue->UpdateExceptions = IntUpdateExceptions;
    Glue->GetExceptionsVersion = IntGetExceptionsVersion;
    Glue->GetGuestInfo = IntGetGuestInfo;
    Glue->InjectProcessAgent = IntInjectProcessAgentInGuest;
    Glue->InjectFileAgent = IntInjectFileAgentInGuest;
    Glue->SetIntroAbortStatus = IntAbortEnableIntro;
    Glue->AddExceptionFromAlert = IntAddExceptionFromAlert;
    Glue->RemoveException = IntRemoveException;
    Glue->FlushAlertExceptions = IntFlushAlertExceptions;
    Glue->AddRemoveProtectedProcessUtf16 = IntAddRemoveProtectedProcessUtf16;
    Glue->AddRemoveProtectedProcessUtf8 = IntAddRemoveProtectedProcessUtf8;
    Glue->RemoveAllProtectedProcesses = IntRemoveAllProtectedProcesses;
    Glue->GetCurrentInstructionLength = IntGetCurrentInstructionLength;
    Glue->GetCurrentInstructionMnemonic = IntGetCurrentInstructionMnemonic;
    Glue->IterateVirtualAddressSpace = IntIterateVaSpace;
    Glue->ModifyDynamicOptions = IntModifyDynamicOptions;
    Glue->FlushGpaCache = IntFlushGpaCache;
    Glue->GetCurrentIntroOptions = IntGetCurrentIntroOptions;
    Glue->UpdateSupport = IntUpdateSupport;
    Glue->GetSupportVersion = IntGetSupportVersion;
    Glue->SetLogLevel = IntSetLogLevel;
    Glue->GetVersionString = IntGetVersionString;
}

void IntPreinit(void)
{
    if (atomic_load(&gIgInstance.State) != IgInstanceUninitialized)
    {
        return;
    }
    memset(&gIgInstance, 0, sizeof(gIgInstance));
}

INTSTATUS IntInit(GLUE_IFACE *GlueInterface, const UPPER_IFACE *UpperInterface)
{
    IG_INSTANCE *instance = &gIgInstance;
    int expected = IgInstanceUninitialized;
    INTSTATUS status;

    /* Deliberately not hvmi's behaviour (oddity 2): a second IntInit changes nothing at all. */
    if (!atomic_compare_exchange_strong(&instance->State, &expected, IgInstanceInitializing))
    {
        return INT_STATUS_ALREADY_INITIALIZED_HINT;
    }

    status = IgValidateTables(GlueInterface, UpperInterface);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }

    memcpy(&instance->Glue, GlueInterface, sizeof(instance->Glue));
    memcpy(&instance->Upper, UpperInterface, sizeof(instance->Upper));
    instance->Allocator.Alloc = IgUpperAlloc;
    instance->Allocator.Free = IgUpperFree;
    instance->Allocator.Context = instance;
    atomic_store(&instance->LogLevel, IG_DEFAULT_LOG_LEVEL);
    IgRegistryInit(instance);

    /* Created before the caller's table is touched, so a failure leaves no trace. */
    status = instance->Upper.SpinLockInit(&instance->RegistryLock, "INTRO GLOCK");
    if (!INT_SUCCESS(status))
    {
        IgInitLog(UpperInterface, "IntInit: SpinLockInit failed: 0x%08x\n", (unsigned)status);
        goto cleanup;
    }

    IgFillLibrarySide(GlueInterface);
    IG_LOG(instance, intLogLevelInfo, "introguard %d.%d.%d initialized\n", INTROGUARD_VERSION_MAJOR,
           INTROGUARD_VERSION_MINOR, INTROGUARD_VERSION_PATCH);
    status = INT_STATUS_SUCCESS;

cleanup:
    if (INT_SUCCESS(status))
    {
        atomic_store(&instance->State, IgInstanceReady);
    }
    else
    {
        memset(&instance->Glue, 0, sizeof(instance->Glue));
        memset(&instance->Upper, 0, sizeof(instance->Upper));
        memset(&instance->Allocator, 0, sizeof(instance->Allocator));
        instance->RegistryLock = NULL;
        atomic_store(&instance->State, IgInstanceUninitialized);
    }
    return status;
}

INTSTATUS IntUninit(void)
{
    IG_INSTANCE *instance = &gIgInstance;
    int expected = IgInstanceReady;

    if (!atomic_compare_exchange_strong(&instance->State, &expected, IgInstanceUninitializing))
    {
        return INT_STATUS_SUCCESS;
    }

    IG_LOG(instance, intLogLevelInfo, "introguard: unloading\n");
    IgRegistryDestroy(instance);
    (void)instance->Upper.SpinLockUnInit(&instance->RegistryLock);

    memset(&instance->Glue, 0, sizeof(instance->Glue));
    memset(&instance->Upper, 0, sizeof(instance->Upper));
    memset(&instance->Allocator, 0, sizeof(instance->Allocator));
    instance->RegistryLock = NULL;
    atomic_store(&instance->State, IgInstanceUninitialized);
    return INT_STATUS_SUCCESS;
}
