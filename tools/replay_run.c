/*
 * `introguard replay`'s runner: carries out each record of a trace on a replay guest.
 *
 * The replay guest is a replay backend (glue/replay) behind the glue adapter, with the library
 * initialised on it as an integrator would (IntInit, NewGuestNotification, IntSetGuestInfo,
 * UpdateExceptions).  Version-1 violations are evaluated against the guest's rules
 * (IntGlueEvaluateViolation); version-2 records declare memory, vCPUs, modules, processes and
 * zones through the public calls, and events reach the library as the hypervisor would report
 * them (IntGlueEptViolation, ...), where the EPT rights and exits the zones set would stop the
 * vCPU.  The decision observer gives each decision to the output (replay_out.c).
 */
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"
#include "tool_common.h"

/* ---- the replay guest ------------------------------------------------------------------------------------------- */

/* The CLI reports problems itself, once, with their place; the library's own log stays quiet. */
static INTSTATUS IgRunQuietLog(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS;
}

static void IgRunAlertSink(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    IG_RUN *r = Context;

    r->Alerts++;
    IgRunOnAlert(r, EventClass, Event, Size);
}

/* A name printable in a row (control characters as '?'), at most IG_RUN_MAX_NAME bytes. */
static void IgRunName(const INTRO_EXC_NAME *Name, char *Out)
{
    uint32_t length;

    Out[0] = '\0';
    if (!Name || !Name->Text)
    {
        return;
    }
    length = Name->Length < IG_RUN_MAX_NAME ? Name->Length : IG_RUN_MAX_NAME;
    for (uint32_t i = 0; i < length; i++)
    {
        unsigned char c = (unsigned char)Name->Text[i];

        Out[i] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    Out[length] = '\0';
}

/* The modules a decision's violation was attributed to: at the RIP, and the return one when another. */
static void IgRunOriginatorNames(const INTRO_EXC_VIOLATION *V, IG_RUN_DECISION *D)
{
    if (V->Kind == INTRO_EXC_KIND_USER)
    {
        IgRunName(&V->User.Name, D->Originator);
        IgRunName(V->User.Return.NameHash && V->User.Return.Rip != V->User.Rip ? &V->User.Return.Name : NULL,
                  D->Return);
    }
    else
    {
        IgRunName(V->Kernel.Original.Present ? &V->Kernel.Original.Name : NULL, D->Originator);
        IgRunName(V->Kernel.Return.Present && V->Kernel.Return.Rip != V->Kernel.Original.Rip ? &V->Kernel.Return.Name
                                                                                             : NULL,
                  D->Return);
    }
    if (strcmp(D->Return, D->Originator) == 0)
    {
        D->Return[0] = '\0';
    }
}

static void IgRunObserver(void *Context, void *GuestHandle, const INTRO_GUEST_DECISION *Decision)
{
    IG_RUN *r = Context;
    IG_RUN_DECISION *d;

    (void)GuestHandle;
    if (r->DecisionCount == IG_RUN_MAX_DECISIONS)
    {
        r->DecisionsLost++;
        return;
    }
    d = &r->Decisions[r->DecisionCount++];
    d->ZoneId = Decision->ZoneId;
    d->Verdict = *Decision->Verdict;
    d->Action = Decision->Action;
    d->Alerted = Decision->Alerted != 0;
    IgRunOriginatorNames(Decision->Violation, d);
}

static void IgRunStop(IG_RUN *R)
{
    if (R->Started)
    {
        (void)R->Glue.DisableIntro(R->Guest, 0);
    }
    if (R->Initialized)
    {
        (void)IntUninit();
    }
    IntGlueGuestDestroy(R->Guest);
    IntReplayDestroy(R->Replay);
    R->Started = R->Initialized = false;
    R->Guest = NULL;
    R->Replay = NULL;
}

/* Creates the replay guest with the header's vCPUs and starts the library on it. */
static int IgRunStart(IG_RUN *R, const IG_TRACE_HEADER *H)
{
    UPPER_IFACE upper;
    INTSTATUS status;

    status = IntReplayCreate(H->Version >= 2 ? H->Vcpus : 1, &R->Replay);
    if (INT_SUCCESS(status))
    {
        status = IntGlueGuestCreate(IntReplayBackend(), R->Replay, &R->Guest);
    }
    if (!INT_SUCCESS(status))
    {
        IgToolError(R->Err, R->TraceName, "cannot create the replay guest: %s", IntStatusToString(status));
        return IG_EXIT_FAILURE;
    }
    if (R->Options->MemoryImage)
    {
        IntReplaySetImage(R->Replay, R->Options->MemoryImage, R->Options->MemoryImageSize);
    }
    IntReplaySetSinks(R->Replay, IgRunAlertSink, NULL, R);
    IntGlueFillInterfaces(&R->Glue, &upper);
    upper.TracePrint = IgRunQuietLog;
    status = IntInit(&R->Glue, &upper);
    if (status == INT_STATUS_ALREADY_INITIALIZED_HINT)
    {
        IgToolError(R->Err, R->TraceName, "the library is already initialised in this process");
        return IG_EXIT_FAILURE;
    }
    R->Initialized = INT_SUCCESS(status);
    if (R->Initialized)
    {
        status = R->Glue.NewGuestNotification(R->Guest, 0, NULL, 0);
        R->Started = INT_SUCCESS(status);
    }
    if (R->Started)
    {
        status = IntGuestSetDecisionObserver(R->Guest, IgRunObserver, R);
    }
    if (!INT_SUCCESS(status))
    {
        IgToolError(R->Err, R->TraceName, "cannot start the replay guest: %s", IntStatusToString(status));
        return IG_EXIT_FAILURE;
    }
    return IG_EXIT_OK;
}

/* ---- rules ------------------------------------------------------------------------------------------------------ */

/*
 * Loads an exceptions file into the guest (UpdateExceptions).  For -e (Line 0) a rejection is an
 * error naming the byte; for a rules record it is shown as a row and the replay goes on.
 */
static int IgRunLoadRules(IG_RUN *R, const uint8_t *Data, size_t Size, const char *Where, uint64_t Line)
{
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    INTSTATUS status;
    char what[320];

    if (Size > 0xFFFFFFFFu)
    {
        snprintf(what, sizeof(what), "the file is larger than 4 GiB");
        goto rejected;
    }
    status = IntUpdateExceptions(R->Guest, (PBYTE)Data, (DWORD)Size, 0);
    if (INT_SUCCESS(status))
    {
        if (Line)
        {
            R->RulesLine = Line;
            IgRunPrintRules(R, Line, true, "");
        }
        return IG_EXIT_OK;
    }
    if (!INT_SUCCESS(IntGetExceptionsLoadError(R->Guest, &error)))
    {
        snprintf(what, sizeof(what), "rejected: %s", IntStatusToString(status));
    }
    else
    {
        /* The same words as `introguard dump` uses for a corrupt file. */
        snprintf(what, sizeof(what), "byte %llu (0x%llX): %s [%s, %s]", (unsigned long long)error.Offset,
                 (unsigned long long)error.Offset, error.Message, IntStatusToString(error.Status),
                 IntStatusToString(error.Detail));
    }
rejected:
    if (Line)
    {
        /* An update the library refuses is something a guest lives through: the rules in force stay
         * and the replay goes on (its expectations say what the old rules decide). */
        IgRunPrintRules(R, Line, false, what);
        return IG_EXIT_OK;
    }
    IgToolError(R->Err, Where, "%s", what);
    return IG_EXIT_FAILURE;
}

static int IgRunRulesFile(IG_RUN *R, const char *Path, uint64_t Line)
{
    uint8_t *data = NULL;
    size_t size = 0;
    char *joined = NULL;
    int exit;

    /* A rules record's path is relative to the trace's directory. */
    if (Line && Path[0] != '/' && R->TraceDir)
    {
        size_t length = strlen(R->TraceDir) + strlen(Path) + 2;

        joined = malloc(length);
        if (!joined)
        {
            return IgRunError(R, Line, "file", IG_EXIT_FAILURE, "out of memory");
        }
        snprintf(joined, length, "%s/%s", R->TraceDir, Path);
        Path = joined;
    }
    if (!INT_SUCCESS(IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, R->Err)))
    {
        exit = Line ? IgRunError(R, Line, "file", IG_EXIT_FAILURE, "cannot read the exceptions file") : IG_EXIT_FAILURE;
    }
    else
    {
        exit = IgRunLoadRules(R, data, size, Line ? "file" : Path, Line);
    }
    free(data);
    free(joined);
    return exit;
}

/* ---- the header ------------------------------------------------------------------------------------------------- */

static int IgRunHeader(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    const IG_TRACE_HEADER *h = IgTraceHeaderOf(R->Trace);
    uint64_t version = R->Options->IntroVersion ? R->Options->IntroVersion : h->Guest.IntroVersion;
    GUEST_INFO info;
    INTSTATUS status;
    int exit;

    R->Version = h->Version;
    exit = IgRunStart(R, h);
    if (exit != IG_EXIT_OK)
    {
        return exit;
    }
    memset(&info, 0, sizeof(info));
    info.Type = h->Guest.Os == INTRO_EXC_OS_LINUX ? introGuestLinux : introGuestWindows;
    info.Guest64 = h->Guest.Guest64;
    info.OsVersion = h->Guest.OsVersion;
    status = IntSetGuestInfo(R->Guest, &info);
    if (INT_SUCCESS(status) && version)
    {
        status = IntGuestSetIntroVersion(R->Guest, version);
    }
    if (INT_SUCCESS(status) && h->SystemCr3)
    {
        status = IntGuestSetSystemCr3(R->Guest, h->SystemCr3);
    }
    for (uint32_t i = 0; INT_SUCCESS(status) && h->Version >= 2 && i < h->Vcpus; i++)
    {
        status = IntReplaySetRegisters(R->Replay, i, IgTraceVcpuState(R->Trace, i));
    }
    if (!INT_SUCCESS(status))
    {
        return IgRunError(R, Rec->Line, "guest", IG_EXIT_FAILURE, "cannot declare the guest: %s",
                          IntStatusToString(status));
    }
    IgRunPrintTitles(R);
    if (R->Options->ExceptionsData)
    {
        return IgRunLoadRules(R, R->Options->ExceptionsData, R->Options->ExceptionsSize,
                              R->Options->ExceptionsPath ? R->Options->ExceptionsPath : "exceptions", 0);
    }
    return R->Options->ExceptionsPath ? IgRunRulesFile(R, R->Options->ExceptionsPath, 0) : IG_EXIT_OK;
}

/* ---- the hook --------------------------------------------------------------------------------------------------- */

/* Hands a violation record's verdict (Decision NULL) or one of an event's decisions to the options' hook. */
static void IgRunHook(const IG_RUN *R, const IG_TRACE_RECORD *Rec, const IG_RUN_RESULT *Result,
                      const IG_RUN_DECISION *Decision, uint32_t Index)
{
    IG_REPLAY_DECISION d;

    if (!R->Options->Hook)
    {
        return;
    }
    memset(&d, 0, sizeof(d));
    d.Seq = Rec->Seq;
    d.Line = Rec->Line;
    d.Delivered = Result->Delivered;
    d.Verdict = Result->Decided ? &Result->Verdict : NULL;
    d.Alerted = Result->Alert;
    d.RulesLine = R->RulesLine;
    if (Decision)
    {
        d.Verdict = &Decision->Verdict;
        d.Index = Index;
        d.Zone = IgRunZoneName(R, Decision->ZoneId);
        d.Originator = Decision->Originator;
        d.Return = Decision->Return;
        d.Alerted = Decision->Alerted;
    }
    else if (Rec->Type == IgTraceEvent)
    {
        d.Zone = "-";
        d.Originator = d.Return = "";
    }
    R->Options->Hook(R->Options->HookContext, &d);
}

/* ---- violations ------------------------------------------------------------------------------------------------- */

/*
 * A violation's memory.  In a version-1 trace each violation's memory is its own: the previous
 * one's pages go and vCPU 0 takes the violation's paging mode (4-level unless it says).  In a
 * version-2 trace the pages add to the guest's memory and the header's paging stays.
 */
static int IgRunViolationMemory(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    if (R->Version < 2)
    {
        INTRO_BACKEND_REGS regs;

        IntReplayClearPages(R->Replay);
        memset(&regs, 0, sizeof(regs));
        IgTracePagingRegisters(Rec->Paging ? Rec->Paging : INTRO_REPLAY_PAGING_4LEVEL, &regs);
        if (!INT_SUCCESS(IntReplaySetRegisters(R->Replay, 0, &regs)))
        {
            return IgRunError(R, Rec->Line, "memory.paging", IG_EXIT_FAILURE, "the replay guest has no vCPU 0");
        }
    }
    else if (Rec->Paging)
    {
        return IgRunError(R, Rec->Line, "memory.paging", IG_EXIT_FAILURE,
                          "a version-2 trace sets paging once, in its header (guest.paging)");
    }
    for (uint32_t i = 0; i < Rec->PageCount; i++)
    {
        INTSTATUS status = IntReplayAddPage(R->Replay, Rec->Pages[i].Gpa, Rec->Pages[i].Data);
        char field[48];

        if (!INT_SUCCESS(status))
        {
            snprintf(field, sizeof(field), "memory.pages[%u].gpa", i);
            return IgRunError(R, Rec->Line, field, IG_EXIT_FAILURE, "%s",
                              status == INT_STATUS_INVALID_PARAMETER_2
                                  ? "beyond the 52-bit guest-physical address space"
                                  : "too many pages for the replay guest");
        }
    }
    return IG_EXIT_OK;
}

static int IgRunViolation(IG_RUN *R, IG_TRACE_RECORD *Rec)
{
    IG_RUN_RESULT *result;
    INTSTATUS status;
    int exit = IgRunViolationMemory(R, Rec);

    if (exit != IG_EXIT_OK)
    {
        return exit;
    }
    if (R->Options->IntroVersion)
    {
        Rec->Violation.Guest.IntroVersion = R->Options->IntroVersion;
    }
    result = IgRunKeep(R, Rec->Seq);
    if (!result)
    {
        return IgRunError(R, Rec->Line, "", IG_EXIT_FAILURE, "out of memory");
    }
    status = IntGlueEvaluateViolation(R->Guest, 0, &Rec->Violation, &result->Verdict);
    if (!INT_SUCCESS(status))
    {
        return IgRunError(R, Rec->Line, "", IG_EXIT_FAILURE, "the engine rejected the violation: %s",
                          IntStatusToString(status));
    }
    result->Delivered = result->Decided = true;
    R->Events++;
    R->Delivered++;
    *(result->Verdict.Action == INTRO_EXC_ACTION_ALLOWED ? &R->Allowed : &R->NotAllowed) += 1;
    IgRunHook(R, Rec, result, NULL, 0);
    IgRunPrintViolation(R, Rec->Seq, &result->Verdict);
    return IG_EXIT_OK;
}

/* ---- events ----------------------------------------------------------------------------------------------------- */

/* Whether the hypervisor would stop the vCPU: the EPT rights deny the access, or the exit is on. */
static bool IgRunWouldExit(IG_RUN *R, const IG_TRACE_EVENT *E)
{
    if (R->Options->DeliverAll)
    {
        return true;
    }
    switch (E->Kind)
    {
        case IgTraceEventEpt:
            return (IntReplayAccess(R->Replay, E->Gpa >> 12) & E->Access) == 0;
        case IgTraceEventMsr:
            return IntReplayMonitorEnabled(R->Replay, introBackendMonitorMsr, E->Index);
        case IgTraceEventCr:
            return IntReplayMonitorEnabled(R->Replay, introBackendMonitorCr, E->Index);
        default:
            return IntReplayMonitorEnabled(R->Replay, introBackendMonitorDtr, 0);
    }
}

/* Hands the event to the library as the hypervisor's exit handler would. */
static INTSTATUS IgRunDeliver(IG_RUN *R, const IG_TRACE_EVENT *E, INTRO_ACTION *Action)
{
    QWORD value = E->NewValue;

    switch (E->Kind)
    {
        case IgTraceEventEpt:
            return IntGlueEptViolation(R->Guest, E->Vcpu, E->Gpa, E->Gla, E->Access, 0, Action);
        case IgTraceEventMsr:
            return IntGlueMsrWrite(R->Guest, E->Vcpu, E->Index, E->OldValue, &value, Action);
        case IgTraceEventCr:
            return IntGlueCrWrite(R->Guest, E->Vcpu, E->Index, E->OldValue, E->NewValue, Action);
        default:
            return IntGlueDtrAccess(R->Guest, E->Vcpu, E->DtrFlags, Action);
    }
}

/* The event's result from its decisions: the strictest verdict, whether any raised an alert. */
static void IgRunFold(IG_RUN *R, IG_RUN_RESULT *Result)
{
    const IG_RUN_DECISION *pick = NULL;

    for (uint32_t i = 0; i < R->DecisionCount; i++)
    {
        const IG_RUN_DECISION *d = &R->Decisions[i];

        if (!pick || (d->Action == introGuestNotAllowed && pick->Action != introGuestNotAllowed))
        {
            pick = d;
        }
        Result->Alert = Result->Alert || d->Alerted;
    }
    if (pick)
    {
        Result->Decided = true;
        Result->Verdict = pick->Verdict;
    }
}

static int IgRunEvent(IG_RUN *R, IG_TRACE_RECORD *Rec)
{
    IG_TRACE_EVENT *e = &Rec->Event;
    const IG_TRACE_HEADER *h = IgTraceHeaderOf(R->Trace);
    INTRO_ACTION action = introGuestAllowed;
    IG_RUN_RESULT *result;
    INTSTATUS status;

    if (!INT_SUCCESS(IntReplaySetRegisters(R->Replay, e->Vcpu, Rec->Regs)))
    {
        return IgRunError(R, Rec->Line, "vcpu", IG_EXIT_FAILURE, "the replay guest has no vCPU %u", e->Vcpu);
    }
    if (e->Kind == IgTraceEventEpt && e->ByGva)
    {
        QWORD gpa = 0;

        status = IntReplayTranslate(R->Replay, Rec->Regs->Arch.Cr3, h->Paging, e->Gva, &gpa);
        e->Gpa = gpa;
        if (!INT_SUCCESS(status))
        {
            return IgRunError(R, Rec->Line, "gva", IG_EXIT_FAILURE, "0x%llx is not mapped under CR3 0x%llx (%s)",
                              (unsigned long long)e->Gva, (unsigned long long)Rec->Regs->Arch.Cr3,
                              IntStatusToString(status));
        }
    }
    result = IgRunKeep(R, Rec->Seq);
    if (!result)
    {
        return IgRunError(R, Rec->Line, "", IG_EXIT_FAILURE, "out of memory");
    }
    R->Events++;
    R->DecisionCount = 0;
    R->DecisionsLost = 0;
    result->Delivered = IgRunWouldExit(R, e);
    R->AlertLog.CurrentSeq = Rec->Seq;
    if (result->Delivered)
    {
        status = IgRunDeliver(R, e, &action);
        if (!INT_SUCCESS(status) && status != INT_STATUS_NOT_FOUND)
        {
            return IgRunError(R, Rec->Line, "", IG_EXIT_FAILURE, "the library failed on the event: %s",
                              IntStatusToString(status));
        }
        R->Delivered++;
        *(action == introGuestNotAllowed ? &R->NotAllowed : &R->Allowed) += 1;
        IgRunFold(R, result);
    }
    for (uint32_t i = 0; i < R->DecisionCount && result->Delivered; i++)
    {
        IgRunHook(R, Rec, result, &R->Decisions[i], i);
    }
    if (!result->Delivered || R->DecisionCount == 0)
    {
        IgRunHook(R, Rec, result, NULL, 0);
    }
    IgRunPrintEvent(R, Rec, result);
    if (R->DecisionsLost)
    {
        IgToolError(R->Err, NULL, "%s:%llu: %u more decisions than the %u shown", R->TraceName,
                    (unsigned long long)Rec->Line, R->DecisionsLost, IG_RUN_MAX_DECISIONS);
    }
    return IG_EXIT_OK;
}

/* ---- the model and zones ---------------------------------------------------------------------------------------- */

/* A declaration the library refused, in words. */
static int IgRunRefused(IG_RUN *R, const IG_TRACE_RECORD *Rec, const char *Field, const char *What, INTSTATUS Status)
{
    const char *why = IntStatusToString(Status);

    switch (Status)
    {
        case INT_STATUS_NOT_FOUND:
            /* A module of an unknown process; a removal of what was never declared. */
            why = Rec->Type == IgTraceModule ? "not found (declare the process first)" : "not declared";
            break;
        case INT_STATUS_PAGE_NOT_PRESENT:
            why = "a page is not mapped (declare its memory first)";
            break;
        case INT_STATUS_INVALID_PARAMETER_2:
        case INT_STATUS_INVALID_PARAMETER_3:
            why = "malformed (see docs/trace-format.md)";
            break;
        case INT_STATUS_INSUFFICIENT_RESOURCES:
            why = "out of memory";
            break;
        default:
            break;
    }
    return IgRunError(R, Rec->Line, Field, IG_EXIT_FAILURE, "cannot %s: %s", What, why);
}

static IG_RUN_ZONE *IgRunFindZone(IG_RUN *R, const char *Id)
{
    for (uint32_t i = 0; i < R->ZoneCount; i++)
    {
        if (strcmp(R->Zones[i].Id, Id) == 0)
        {
            return &R->Zones[i];
        }
    }
    return NULL;
}

static int IgRunZone(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    QWORD id = 0;
    INTSTATUS status;
    IG_RUN_ZONE *zone;

    if (IgRunFindZone(R, Rec->ZoneId))
    {
        return IgRunError(R, Rec->Line, "id", IG_EXIT_FAILURE, "zone \"%s\" is already declared", Rec->ZoneId);
    }
    if (R->ZoneCount == R->ZoneCapacity)
    {
        uint32_t capacity = R->ZoneCapacity ? 2 * R->ZoneCapacity : 16;
        IG_RUN_ZONE *grown = realloc(R->Zones, capacity * sizeof(*grown));

        if (!grown)
        {
            return IgRunError(R, Rec->Line, "", IG_EXIT_FAILURE, "out of memory");
        }
        R->Zones = grown;
        R->ZoneCapacity = capacity;
    }
    status = IntGuestProtect(R->Guest, &Rec->Zone, &id);
    if (!INT_SUCCESS(status))
    {
        return IgRunRefused(R, Rec, "", "protect the zone", status);
    }
    zone = &R->Zones[R->ZoneCount++];
    snprintf(zone->Id, sizeof(zone->Id), "%s", Rec->ZoneId);
    zone->ZoneId = id;
    zone->Pid = Rec->Zone.Kind == introZoneMemory ? Rec->Zone.Pid : INTRO_GUEST_KERNEL;
    return IG_EXIT_OK;
}

static int IgRunUnprotect(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    IG_RUN_ZONE *zone = IgRunFindZone(R, Rec->ZoneId);
    INTSTATUS status;

    if (!zone)
    {
        return IgRunError(R, Rec->Line, "id", IG_EXIT_FAILURE, "no zone \"%s\" (or it went with its process)",
                          Rec->ZoneId);
    }
    status = IntGuestUnprotect(R->Guest, zone->ZoneId);
    if (!INT_SUCCESS(status))
    {
        return IgRunRefused(R, Rec, "id", "unprotect the zone", status);
    }
    *zone = R->Zones[--R->ZoneCount];
    return IG_EXIT_OK;
}

/* A process's zones go with it (the library removes them). */
static void IgRunForgetZones(IG_RUN *R, DWORD Pid)
{
    for (uint32_t i = 0; i < R->ZoneCount;)
    {
        if (R->Zones[i].Pid == Pid)
        {
            R->Zones[i] = R->Zones[--R->ZoneCount];
        }
        else
        {
            i++;
        }
    }
}

static int IgRunMemory(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    INTSTATUS status;

    if (Rec->Type == IgTracePage)
    {
        status = IntReplayAddPage(R->Replay, Rec->Address, Rec->Data);
        if (!INT_SUCCESS(status))
        {
            return IgRunError(R, Rec->Line, "gpa", IG_EXIT_FAILURE, "%s",
                              status == INT_STATUS_INVALID_PARAMETER_2
                                  ? "beyond the 52-bit guest-physical address space"
                                  : "too many pages for the replay guest");
        }
        return IG_EXIT_OK;
    }
    status = IntReplayMapVirtual(R->Replay, Rec->Cr3, IgTraceHeaderOf(R->Trace)->Paging, Rec->Address, Rec->Data,
                                 Rec->DataSize);
    switch (status)
    {
        case INT_STATUS_SUCCESS:
            return IG_EXIT_OK;
        case INT_STATUS_INVALID_PARAMETER_4:
            return IgRunError(R, Rec->Line, "gva", IG_EXIT_FAILURE, "the guest's paging mode cannot map 0x%llx",
                              (unsigned long long)Rec->Address);
        case INT_STATUS_INVALID_PARAMETER_5:
            return IgRunError(R, Rec->Line, "data", IG_EXIT_FAILURE, "the range is empty, wraps or is too large");
        case INT_STATUS_NOT_SUPPORTED:
            return IgRunError(R, Rec->Line, "gva", IG_EXIT_FAILURE, "a large page already maps part of the range");
        default:
            return IgRunError(R, Rec->Line, "data", IG_EXIT_FAILURE, "cannot map the range: %s",
                              status == INT_STATUS_INSUFFICIENT_RESOURCES ? "too many pages for the replay guest"
                                                                          : IntStatusToString(status));
    }
}

static int IgRunModel(IG_RUN *R, const IG_TRACE_RECORD *Rec)
{
    INTSTATUS status;

    switch (Rec->Type)
    {
        case IgTraceModule:
            status = IntGuestAddModule(R->Guest, Rec->Pid, &Rec->Module);
            return INT_SUCCESS(status) ? IG_EXIT_OK : IgRunRefused(R, Rec, "", "declare the module", status);
        case IgTraceModuleRemove:
            status = IntGuestRemoveModule(R->Guest, Rec->Pid, Rec->Module.Base);
            return INT_SUCCESS(status) ? IG_EXIT_OK : IgRunRefused(R, Rec, "base", "remove the module", status);
        case IgTraceProcess:
            status = IntGuestAddProcess(R->Guest, &Rec->Process);
            return INT_SUCCESS(status) ? IG_EXIT_OK : IgRunRefused(R, Rec, "", "declare the process", status);
        case IgTraceProcessRemove:
            status = IntGuestRemoveProcess(R->Guest, Rec->Pid);
            if (!INT_SUCCESS(status))
            {
                return IgRunRefused(R, Rec, "pid", "remove the process", status);
            }
            IgRunForgetZones(R, Rec->Pid);
            return IG_EXIT_OK;
        case IgTraceVcpu:
            status = IntReplaySetRegisters(R->Replay, Rec->Vcpu, Rec->Regs);
            return INT_SUCCESS(status) ? IG_EXIT_OK : IgRunRefused(R, Rec, "vcpu", "set the vCPU", status);
        default:
            return IG_EXIT_OK;
    }
}

/* ---- the loop --------------------------------------------------------------------------------------------------- */

static int IgRunRecord(IG_RUN *R, IG_TRACE_RECORD *Rec)
{
    switch (Rec->Type)
    {
        case IgTraceHeader:
            return IgRunHeader(R, Rec);
        case IgTraceViolation:
            return IgRunViolation(R, Rec);
        case IgTraceExpect:
            return IgRunExpect(R, Rec);
        case IgTraceEvent:
            return IgRunEvent(R, Rec);
        case IgTracePage:
        case IgTraceMemory:
            return IgRunMemory(R, Rec);
        case IgTraceZone:
            return IgRunZone(R, Rec);
        case IgTraceUnprotect:
            return IgRunUnprotect(R, Rec);
        case IgTraceRules:
            return Rec->RulesPath ? IgRunRulesFile(R, Rec->RulesPath, Rec->Line)
                                  : IgRunLoadRules(R, Rec->Data, Rec->DataSize, "data", Rec->Line);
        case IgTraceAddException:
        case IgTraceRemoveException:
        case IgTraceFlushExceptions:
            return IgRunAlertAction(R, Rec);
        default:
            return IgRunModel(R, Rec);
    }
}

/* The directory of the trace (rules files it names are relative to it); NULL when out of memory. */
static char *IgRunTraceDir(const char *TraceName)
{
    const char *slash = strrchr(TraceName, '/');

    if (!slash)
    {
        return strdup(".");
    }
    if (slash == TraceName)
    {
        return strdup("/");
    }
    return strndup(TraceName, (size_t)(slash - TraceName));
}

int IgReplayStream(FILE *Stream, const char *TraceName, const IG_REPLAY_OPTIONS *Options, FILE *Out, FILE *Err)
{
    IG_RUN r;
    IG_TRACE_RECORD record;
    IG_TRACE_ERROR error;
    INTSTATUS status;
    int exit = IG_EXIT_OK;

    memset(&r, 0, sizeof(r));
    r.Options = Options;
    r.TraceName = TraceName;
    r.Out = Out;
    r.Err = Err;
    r.TraceDir = IgRunTraceDir(TraceName);
    if (!r.TraceDir || !INT_SUCCESS(IgTraceOpen(Stream, &r.Trace)))
    {
        IgToolError(Err, TraceName, "out of memory");
        free(r.TraceDir);
        return IG_EXIT_FAILURE;
    }
    while (exit == IG_EXIT_OK && (status = IgTraceNext(r.Trace, &record, &error)) != INT_STATUS_NO_MORE_ENTRIES)
    {
        if (!INT_SUCCESS(status))
        {
            exit = status == INT_STATUS_INSUFFICIENT_RESOURCES
                       ? IgRunError(&r, error.Line, "", IG_EXIT_FAILURE, "out of memory")
                       : IgRunError(&r, error.Line, error.Field, IG_EXIT_FAILURE, "%s", error.Message);
            break;
        }
        exit = IgRunRecord(&r, &record);
    }
    if (exit == IG_EXIT_OK && r.Replay && IntReplayPauseDepth(r.Replay) != 0)
    {
        /* Every pause the library asked for must have been matched by a resume: a vCPU left paused
         * is a hung guest on a real hypervisor. */
        IgToolError(Err, TraceName, "the library left the guest paused (%d pauses not resumed)",
                    IntReplayPauseDepth(r.Replay));
        exit = IG_EXIT_FAILURE;
    }
    if (exit == IG_EXIT_OK)
    {
        IgRunPrintSummary(&r);
        exit = IgRunFinishAlerts(&r);
        if (exit == IG_EXIT_OK && Options->Check && r.Failed)
        {
            exit = IG_EXIT_FAILURE;
        }
    }
    IgTraceClose(r.Trace);
    IgRunStop(&r);
    IgRunFreeAlerts(&r);
    free(r.Zones);
    free(r.Results);
    free(r.TraceDir);
    return exit;
}
