/*
 * introguard-xend: introguard on a Xen domain, the way an integrator would run it.
 *
 *     introguard-xend --domain NAME --exceptions FILE --guest GUEST.json [--record TRACE]
 *                     [--deny-skip] [--check]
 *
 * Attaches to the domain (it stays paused while the guest is declared and protected), initialises
 * the library on the Xen backend (IntInit through IntGlueGuestCreate / IntGlueFillInterfaces),
 * declares the guest from GUEST.json, loads the exceptions, protects the zones, and runs until
 * SIGINT or SIGTERM, printing every alert as one JSON line on stdout.  SIGHUP reloads the
 * exceptions file; a file the library refuses leaves the rules in force and says why.  --record
 * writes a replay trace (docs/xen.md).  --check reads GUEST.json and the exceptions and exits,
 * without Xen.  Only introguard's public headers are used.  README.md says how to run it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest_json.h"
#include "introguard/glue_xen.h"
#include "introguard/introguard.h"

#define XEND_MAX_EXCEPTIONS (64u * 1024u * 1024u)

typedef struct XEND
{
    const char *Domain;
    const char *ExceptionsPath;
    const char *GuestPath;
    const char *RecordPath;
    bool DenySkip;
    bool Check;

    XEND_GUEST Guest;
    INTRO_XEN *Xen;
    INTRO_GLUE_GUEST *Glue;
    GLUE_IFACE Iface;
    FILE *Record;
    bool Initialized;
    bool Started;
} XEND;

/* ---- Output ------------------------------------------------------------------------------------ */

static void Log(void *Context, IG_LOG_LEVEL Level, const char *Message)
{
    static const char *const levels[] = {"debug", "info", "warning", "error", "critical"};

    (void)Context;
    if (Level >= intLogLevelInfo)
    {
        fprintf(stderr, "introguard-xend: %s: %s\n", Level <= intLogLevelCritical ? levels[Level] : "log", Message);
    }
}

/* A module name (UTF-16 in alerts) as a JSON string: ASCII kept, the rest as '?'. */
static void PrintName(const char *Key, const INTRO_MODULE *Module)
{
    printf(",\"%s\":\"", Key);
    for (size_t i = 0; Module->Valid && i < sizeof(Module->Name) / sizeof(Module->Name[0]) && Module->Name[i]; i++)
    {
        unsigned c = Module->Name[i];

        putchar(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? (int)c : '?');
    }
    putchar('"');
}

static void PrintHeader(const char *Kind, const INTRO_VIOLATION_HEADER *H, const INTRO_MODULE *Originator)
{
    printf("{\"alert\":\"%s\",\"time\":%lld,\"action\":\"%s\",\"reason\":%d,\"cpu\":%u,\"rip\":\"0x%llx\","
           "\"cr3\":\"0x%llx\",\"feedback_only\":%s",
           Kind, (long long)time(NULL), H->Action == introGuestNotAllowed ? "not_allowed" : "allowed", (int)H->Reason,
           H->CpuContext.Cpu, (unsigned long long)H->CpuContext.Rip, (unsigned long long)H->CpuContext.Cr3,
           (H->Flags & ALERT_FLAG_FEEDBACK_ONLY) ? "true" : "false");
    PrintName("originator", Originator);
}

/* Runs on the event thread, during the event: print and return. */
static void Alert(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    (void)Context;
    if (EventClass == introEventEptViolation && Size >= sizeof(EVENT_EPT_VIOLATION))
    {
        const EVENT_EPT_VIOLATION *e = Event;

        PrintHeader("ept", &e->Header, &e->Originator.Module);
        PrintName("victim", &e->Victim.Module);
        printf(",\"access\":\"%s\",\"gva\":\"0x%llx\",\"size\":%u,\"new\":\"0x%llx\"}\n",
               e->Violation == IG_EPT_HOOK_EXECUTE ? "x"
               : e->Violation == IG_EPT_HOOK_READ  ? "r"
                                                   : "w",
               (unsigned long long)(e->VirtualPage + e->Offset), e->WriteInfo.Size,
               (unsigned long long)e->WriteInfo.NewValue[0]);
    }
    else if (EventClass == introEventMsrViolation && Size >= sizeof(EVENT_MSR_VIOLATION))
    {
        const EVENT_MSR_VIOLATION *e = Event;

        PrintHeader("msr", &e->Header, &e->Originator.Module);
        printf(",\"msr\":\"0x%x\",\"new\":\"0x%llx\"}\n", e->Victim.Msr, (unsigned long long)e->WriteInfo.NewValue[0]);
    }
    else if (EventClass == introEventCrViolation && Size >= sizeof(EVENT_CR_VIOLATION))
    {
        const EVENT_CR_VIOLATION *e = Event;

        PrintHeader("cr", &e->Header, &e->Originator.Module);
        printf(",\"cr\":%u,\"new\":\"0x%llx\"}\n", e->Victim.Cr, (unsigned long long)e->WriteInfo.NewValue[0]);
    }
    else if (EventClass == introEventDtrViolation && Size >= sizeof(EVENT_DTR_VIOLATION))
    {
        const EVENT_DTR_VIOLATION *e = Event;

        PrintHeader("dtr", &e->Header, &e->Originator.Module);
        printf(",\"dtr\":\"%s\"}\n", e->Victim.Type == introObjectTypeIdtr ? "idtr" : "gdtr");
    }
    else
    {
        printf("{\"alert\":\"other\",\"class\":%u}\n", EventClass);
    }
    fflush(stdout);
}

static INTSTATUS QuietTrace(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS; /* the daemon reports what went wrong itself */
}

/* ---- Exceptions -------------------------------------------------------------------------------- */

static bool ReadFile(const char *Path, uint8_t **Data, size_t *Size)
{
    FILE *f = fopen(Path, "rb");
    long length;

    *Data = NULL;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 || (size_t)length > XEND_MAX_EXCEPTIONS ||
        fseek(f, 0, SEEK_SET) != 0 || !(*Data = malloc(length ? (size_t)length : 1)) ||
        fread(*Data, 1, (size_t)length, f) != (size_t)length)
    {
        fprintf(stderr, "introguard-xend: %s: cannot read it: %s\n", Path, errno ? strerror(errno) : "too large");
        free(*Data);
        *Data = NULL;
        if (f)
        {
            fclose(f);
        }
        return false;
    }
    fclose(f);
    *Size = (size_t)length;
    return true;
}

/* Loads (or reloads) the exceptions: the rules in force stay when the file is refused. */
static bool LoadExceptions(XEND *D)
{
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    uint8_t *data;
    size_t size = 0;
    INTSTATUS status;

    if (!ReadFile(D->ExceptionsPath, &data, &size))
    {
        return false;
    }
    status = IntUpdateExceptions(D->Glue, data, (DWORD)size, 0);
    if (!INT_SUCCESS(status))
    {
        if (INT_SUCCESS(IntGetExceptionsLoadError(D->Glue, &error)))
        {
            fprintf(stderr, "introguard-xend: %s: refused at byte %llu (record %u): %s; the rules in force stay\n",
                    D->ExceptionsPath, (unsigned long long)error.Offset, error.RecordIndex, error.Message);
        }
        else
        {
            fprintf(stderr, "introguard-xend: %s: refused (status 0x%08x); the rules in force stay\n",
                    D->ExceptionsPath, (unsigned)status);
        }
    }
    else if (!INT_SUCCESS(IntXenRecordRules(D->Xen, data, size, D->ExceptionsPath)))
    {
        fprintf(stderr, "introguard-xend: the recording could not take the exceptions\n");
    }
    free(data);
    return INT_SUCCESS(status);
}

/* --check: both files make sense, without Xen. */
static int Check(XEND *D)
{
    INTRO_EXC_RULESET *set = NULL;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    uint8_t *data;
    size_t size = 0;
    INTSTATUS status;

    if (!ReadFile(D->ExceptionsPath, &data, &size))
    {
        return 1;
    }
    status = IntExceptRuleSetLoad(data, size,
                                  D->Guest.Info.Type == introGuestLinux ? INTRO_EXC_OS_LINUX : INTRO_EXC_OS_WINDOWS,
                                  IntExceptMallocAllocator(), &set, &error);
    free(data);
    IntExceptRuleSetFree(set);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "introguard-xend: %s: refused at byte %llu: %s\n", D->ExceptionsPath,
                (unsigned long long)error.Offset, error.Message);
        return 1;
    }
    printf("guest: %s, %zu processes, %zu modules, %zu zones; exceptions: %zu bytes, accepted\n",
           D->Guest.Info.Type == introGuestLinux ? "linux" : "windows", D->Guest.ProcessCount, D->Guest.ModuleCount,
           D->Guest.ZoneCount, size);
    return 0;
}

/* ---- The guest --------------------------------------------------------------------------------- */

static bool Declared(INTSTATUS Status, const char *What, size_t Index)
{
    if (!INT_SUCCESS(Status))
    {
        fprintf(stderr, "introguard-xend: the library refused %s[%zu] (status 0x%08x)\n", What, Index,
                (unsigned)Status);
    }
    return INT_SUCCESS(Status);
}

/* Declares the guest and its zones to the library (and to the recording). */
static bool Declare(XEND *D)
{
    XEND_GUEST *g = &D->Guest;
    bool ok = Declared(IntSetGuestInfo(D->Glue, &g->Info), "guest", 0) &&
              Declared(IntGuestSetSystemCr3(D->Glue, g->SystemCr3), "system_cr3", 0);

    for (size_t i = 0; ok && i < g->ProcessCount; i++)
    {
        ok = Declared(IntGuestAddProcess(D->Glue, &g->Processes[i]), "processes", i) &&
             INT_SUCCESS(IntXenRecordProcess(D->Xen, &g->Processes[i]));
    }
    for (size_t i = 0; ok && i < g->ModuleCount; i++)
    {
        ok = Declared(IntGuestAddModule(D->Glue, g->Modules[i].Pid, &g->Modules[i].Module), "modules", i) &&
             INT_SUCCESS(IntXenRecordModule(D->Xen, g->Modules[i].Pid, &g->Modules[i].Module));
    }
    ok = ok && LoadExceptions(D);
    for (size_t i = 0; ok && i < g->ZoneCount; i++)
    {
        QWORD id = 0;

        ok = Declared(IntGuestProtect(D->Glue, &g->Zones[i], &id), "zones", i) &&
             INT_SUCCESS(IntXenRecordZone(D->Xen, id, &g->Zones[i]));
    }
    return ok;
}

/* Attach, start the library on the Xen backend, declare.  The domain runs once this returns true. */
static bool Start(XEND *D)
{
    INTRO_XEN_CONFIG config;
    UPPER_IFACE upper;
    char *end = NULL;
    unsigned long id = strtoul(D->Domain, &end, 10);

    memset(&config, 0, sizeof(config));
    config.StructSize = sizeof(config);
    config.DomainName = *end || end == D->Domain ? D->Domain : NULL; /* a number is a domain id */
    config.DomainId = (DWORD)id;
    config.Flags = D->DenySkip ? INTRO_XEN_DENY_SKIP : 0;
    config.Alert = Alert;
    config.Log = Log;
    /* The backend logs why an attach failed, in words that say what to do (Log above). */
    if (!INT_SUCCESS(IntXenCreate(&config, &D->Xen)) || !INT_SUCCESS(IntXenAttach(D->Xen)))
    {
        fprintf(stderr, "introguard-xend: cannot attach to domain %s\n", D->Domain);
        return false;
    }
    if (D->RecordPath && (!(D->Record = fopen(D->RecordPath, "w")) ||
                          !INT_SUCCESS(IntXenRecordStart(D->Xen, D->Record, &D->Guest.Info, D->Guest.SystemCr3))))
    {
        fprintf(stderr, "introguard-xend: cannot record to %s: %s\n", D->RecordPath,
                D->Record ? IntXenError(D->Xen) : strerror(errno));
        return false;
    }
    if (!INT_SUCCESS(IntGlueGuestCreate(IntXenBackend(), D->Xen, &D->Glue)))
    {
        return false;
    }
    IntGlueFillInterfaces(&D->Iface, &upper);
    upper.TracePrint = QuietTrace;
    D->Initialized = INT_SUCCESS(IntInit(&D->Iface, &upper));
    D->Started = D->Initialized && INT_SUCCESS(D->Iface.NewGuestNotification(D->Glue, 0, NULL, 0));
    if (!D->Started || !Declare(D))
    {
        fprintf(stderr, "introguard-xend: cannot start introspection of %s\n", D->Domain);
        return false;
    }
    if (!INT_SUCCESS(IntXenStart(D->Xen, D->Glue)))
    {
        fprintf(stderr, "introguard-xend: %s\n", IntXenError(D->Xen));
        return false;
    }
    fprintf(stderr, "introguard-xend: protecting domain %u (%zu zones)\n", IntXenDomainId(D->Xen), D->Guest.ZoneCount);
    return true;
}

/*
 * Everything back: the library first (it restores its rights), then the backend (the rest).  False
 * when the event thread stopped on an error rather than on request.
 */
static bool Stop(XEND *D)
{
    bool clean = true;

    if (D->Xen && !INT_SUCCESS(IntXenWait(D->Xen)))
    {
        fprintf(stderr, "introguard-xend: stopped: %s\n", IntXenError(D->Xen));
        clean = false;
    }
    if (D->Started)
    {
        (void)D->Iface.DisableIntro(D->Glue, 0);
    }
    if (D->Initialized)
    {
        (void)IntUninit();
    }
    if (D->Xen && !INT_SUCCESS(IntXenRecordStop(D->Xen)))
    {
        fprintf(stderr, "introguard-xend: %s: the recording is incomplete\n", D->RecordPath);
    }
    if (D->Record)
    {
        fclose(D->Record);
    }
    IntXenDestroy(D->Xen);
    IntGlueGuestDestroy(D->Glue);
    return clean;
}

/* ---- main -------------------------------------------------------------------------------------- */

static int Usage(void)
{
    fprintf(stderr, "usage: introguard-xend --domain NAME|ID --exceptions FILE --guest GUEST.json [--record TRACE]\n"
                    "                       [--deny-skip] [--check]\n");
    return 2;
}

static bool ParseArguments(XEND *D, int Argc, char **Argv)
{
    for (int i = 1; i < Argc; i++)
    {
        const char *a = Argv[i];
        const char **value = !strcmp(a, "--domain")       ? &D->Domain
                             : !strcmp(a, "--exceptions") ? &D->ExceptionsPath
                             : !strcmp(a, "--guest")      ? &D->GuestPath
                             : !strcmp(a, "--record")     ? &D->RecordPath
                                                          : NULL;

        if (value && i + 1 < Argc)
        {
            *value = Argv[++i];
        }
        else if (!strcmp(a, "--deny-skip") || !strcmp(a, "--check"))
        {
            *(a[2] == 'd' ? &D->DenySkip : &D->Check) = true;
        }
        else
        {
            return false;
        }
    }
    return D->ExceptionsPath && D->GuestPath && (D->Domain || D->Check);
}

/* Waits for signals: SIGHUP reloads, SIGINT/SIGTERM stop; also stops when the event thread did. */
static void Run(XEND *D, const sigset_t *Signals)
{
    struct timespec wait = {0, 500 * 1000 * 1000};

    while (IntXenRunning(D->Xen))
    {
        int signal = sigtimedwait(Signals, NULL, &wait);

        if (signal == SIGHUP)
        {
            fprintf(stderr, "introguard-xend: reloading %s\n", D->ExceptionsPath);
            (void)LoadExceptions(D);
        }
        else if (signal == SIGINT || signal == SIGTERM)
        {
            fprintf(stderr, "introguard-xend: stopping\n");
            IntXenRequestStop(D->Xen);
        }
    }
}

int main(int Argc, char **Argv)
{
    XEND d;
    sigset_t signals;
    char error[512];
    int exit = 1;

    memset(&d, 0, sizeof(d));
    if (!ParseArguments(&d, Argc, Argv))
    {
        return Usage();
    }
    if (!XendGuestLoad(d.GuestPath, &d.Guest, error, sizeof(error)))
    {
        fprintf(stderr, "introguard-xend: %s\n", error);
        XendGuestFree(&d.Guest);
        return 2;
    }
    if (d.Check)
    {
        exit = Check(&d);
        XendGuestFree(&d.Guest);
        return exit;
    }
    /* Signals go to sigtimedwait in this thread only, never to the event thread. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    if (Start(&d))
    {
        Run(&d, &signals);
        exit = 0;
    }
    if (!Stop(&d))
    {
        exit = 1;
    }
    XendGuestFree(&d.Guest);
    return exit;
}
