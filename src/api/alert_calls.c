/*
 * The alert-exception calls of GLUE_IFACE (AddExceptionFromAlert, RemoveException,
 * FlushAlertExceptions) and their introguard extensions (intro_alert_exceptions.h).
 *
 * Each runs the guest prologue (the guest lock serialises them with each other and with
 * UpdateExceptions), builds the guest's next alert set beside the one in force and swaps it into
 * the guest's slot.  Evaluations on other vCPUs keep reading the set they took: they never wait for
 * these calls and never see half a change (alert_exc.h).  Alert exceptions live beside the file's
 * rule set, so UpdateExceptions leaves them as they are.
 */
#include <string.h>

#include "api_int.h"

static const char *IgShapeName(uint32_t Shape)
{
    return Shape == INTRO_ALERT_EXC_KERNEL ? "kernel" : Shape == INTRO_ALERT_EXC_USER ? "user" : "kernel-user";
}

/* The exception of Event (a blob, or the whole alert when !IsBlob), checked, for Guest. */
static INTSTATUS IgAlertToException(const IG_GUEST *Guest, const uint8_t *Event, size_t Size, uint32_t Type,
                                    bool IsBlob, INTRO_ALERT_EXCEPTION *Exception, INTRO_ALERT_EXC_ERROR *Error)
{
    uint8_t blob[ALERT_EXCEPTION_SIZE];
    uint32_t os = Guest->Info.Type == introGuestLinux     ? INTRO_EXC_OS_LINUX
                  : Guest->Info.Type == introGuestWindows ? INTRO_EXC_OS_WINDOWS
                                                          : 0;
    /* A guest not declared yet is taken as 64-bit (only descriptor-table and IDT exceptions name it). */
    bool guest64 = Guest->Info.Type == introGuestUnknown || Guest->Info.Guest64;
    INTSTATUS status;

    if (IsBlob)
    {
        return IgAlertDecodeBlob(Event, Size, Type, Exception, Error);
    }
    /* hvmi rebuilds the blob from the alert with the guest's rules of now (spec §7 oddity 20). */
    memset(blob, 0, sizeof(blob));
    status = IgAlertBuildBlob(Event, Size, Type, os, guest64, blob, Error);
    if (INT_SUCCESS(status))
    {
        status = IgAlertDecodeBlob(blob, sizeof(blob), Type, Exception, Error);
    }
    return status;
}

static INTSTATUS IgAddFromAlert(void *GuestHandle, const void *Event, size_t Size, INTRO_EVENT_TYPE Type, bool IsBlob,
                                QWORD Context, INTRO_ALERT_EXC_ERROR *Error)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    IG_ALERT_SET *old = NULL;
    IG_ALERT_SET *next = NULL;
    INTRO_ALERT_EXCEPTION exception;
    INTSTATUS status;

    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return IgAlertFail(Error, status, status, 0, "no such guest, or it cannot take calls now");
    }
    if (Event == NULL)
    {
        status = IgAlertFail(Error, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1, 0, "no alert");
        goto cleanup;
    }
    if (!IgAlertTypeExceptable((uint32_t)Type))
    {
        status = IgAlertFail(Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_ALERT_NOT_EXCEPTABLE, 0,
                             "alerts of type %d cannot be excepted", (int)Type);
        goto cleanup;
    }
    status = IgAlertToException(guest, Event, Size, (uint32_t)Type, IsBlob, &exception, Error);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }
    old = IgAlertSlotAcquire(&guest->Alerts);
    status = IgAlertSetAdd(&instance->Allocator, old, &exception, Context, &next, Error);
    if (status == INT_STATUS_SUCCESS)
    {
        IgAlertSlotPublish(&guest->Alerts, next);
        IG_LOG(instance, intLogLevelInfo,
               "AddExceptionFromAlert: %s exception 0x%08x -> 0x%08x added (context 0x%llx)\n",
               IgShapeName(exception.Shape), exception.Originator, exception.Victim, (unsigned long long)Context);
    }

cleanup:
    if (!INT_SUCCESS(status))
    {
        IG_LOG(instance, intLogLevelWarning, "AddExceptionFromAlert: %s\n", Error->Message);
    }
    IgAlertSetRelease(old);
    IgApiLeave(instance, guest);
    return status;
}

INTSTATUS IntAddExceptionFromAlert(void *GuestHandle, const void *Event, INTRO_EVENT_TYPE Type, BOOLEAN Exception,
                                   QWORD Context)
{
    INTRO_ALERT_EXC_ERROR error;

    /* hvmi's call has no size: a blob is the alert's Exception field, a whole alert its structure. */
    memset(&error, 0, sizeof(error));
    return IgAddFromAlert(GuestHandle, Event, Exception ? ALERT_EXCEPTION_SIZE : IgAlertEventSize((uint32_t)Type), Type,
                          Exception != 0, Context, &error);
}

INTSTATUS IntAddExceptionFromAlertBuffer(void *GuestHandle, const void *Buffer, size_t Size, INTRO_EVENT_TYPE Type,
                                         BOOLEAN Exception, QWORD Context, INTRO_ALERT_EXC_ERROR *Error)
{
    INTRO_ALERT_EXC_ERROR local;

    memset(&local, 0, sizeof(local));
    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
    }
    return IgAddFromAlert(GuestHandle, Buffer, Size, Type, Exception != 0, Context, Error ? Error : &local);
}

INTSTATUS IntRemoveException(void *GuestHandle, QWORD Context)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    IG_ALERT_SET *old;
    IG_ALERT_SET *next = NULL;
    INTSTATUS status;

    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    /* Every exception with Context, of every kind (hvmi removes the first one, and no kernel-user one). */
    old = IgAlertSlotAcquire(&guest->Alerts);
    status = IgAlertSetRemove(&instance->Allocator, old, Context, &next);
    if (INT_SUCCESS(status))
    {
        IG_LOG(instance, intLogLevelInfo, "RemoveException: context 0x%llx: %u alert exceptions removed\n",
               (unsigned long long)Context, old->Count - (next ? next->Count : 0));
        IgAlertSlotPublish(&guest->Alerts, next);
    }
    else if (status != INT_STATUS_NOT_FOUND)
    {
        IG_LOG(instance, intLogLevelError, "RemoveException: %s\n", IntStatusToString(status));
    }
    IgAlertSetRelease(old);
    IgApiLeave(instance, guest);
    return status;
}

INTSTATUS IntFlushAlertExceptions(void *GuestHandle)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status;

    status = IgApiEnter(GuestHandle, true, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    /* The file's exceptions and signatures are not touched; evaluations in progress keep the old set. */
    IgAlertSlotPublish(&guest->Alerts, NULL);
    IG_LOG(instance, intLogLevelInfo, "FlushAlertExceptions: done\n");
    IgApiLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntGetAlertExceptionCount(void *GuestHandle, uint32_t *Count)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    IG_ALERT_SET *set;
    INTSTATUS status;

    if (Count)
    {
        *Count = 0;
    }
    if (GuestHandle == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Count == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgApiEnter(GuestHandle, false, &instance, &guest);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    set = IgAlertSlotAcquire(&guest->Alerts);
    *Count = set ? set->Count : 0;
    IgAlertSetRelease(set);
    IgApiLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}
