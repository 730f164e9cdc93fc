/*
 * Reader for introguard replay traces (see trace.h and docs/trace-format.md).
 */
#include "trace.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32.h"
#include "common/guestmem.h"

typedef struct IG_TRACE_PROCESS
{
    uint32_t Pid;
    INTRO_EXC_PROCESS_STATE State;
} IG_TRACE_PROCESS;

#define IG_TRACE_IMAGE_MAPS 8u /* image pages mapped at once (a walk holds one, code reads one) */

struct IG_TRACE
{
    FILE *Stream;
    char *Line;
    size_t LineCapacity;
    uint64_t LineNumber;
    bool SawHeader;
    bool SawEnd;
    bool HaveSeq;
    uint64_t LastSeq;
    uint64_t Events;
    INTRO_EXC_GUEST Guest;
    json_object *Current;
    uint32_t BufferUsed;
    uint8_t Buffers[2 + IG_TRACE_MAX_CODE_RANGES][IG_TRACE_MAX_BUFFER];
    INTRO_EXC_CODE_BYTES Code[IG_TRACE_MAX_CODE_RANGES]; /* the current violation's guest code */
    /* The current violation's guest-physical pages, walked with its CR3s. */
    uint8_t Pages[IG_TRACE_MAX_PAGES][IG_PAGE_SIZE];
    uint64_t PageGfn[IG_TRACE_MAX_PAGES];
    uint32_t PageCount;
    /* A raw guest-physical image (file offset = GPA), read a page at a time into ImagePages. */
    FILE *Image;
    uint64_t ImageSize;
    uint8_t ImagePages[IG_TRACE_IMAGE_MAPS][IG_PAGE_SIZE];
    bool ImagePageUsed[IG_TRACE_IMAGE_MAPS];
    IG_GUEST_WALKER Walker;
    IG_GUEST_VMEM Vmem;
    IG_TRACE_PROCESS **Processes; /* individually allocated: State pointers stay valid */
    uint32_t ProcessCount;
    uint32_t ProcessCapacity;
};

/* One line being parsed: where errors go. */
typedef struct IG_PARSE
{
    IG_TRACE *Trace;
    IG_TRACE_ERROR *Error;
    bool Failed;
} IG_PARSE;

static bool Fail(IG_PARSE *P, const char *Prefix, const char *Key, const char *Format, ...)
    __attribute__((format(printf, 4, 5)));

static bool Fail(IG_PARSE *P, const char *Prefix, const char *Key, const char *Format, ...)
{
    va_list ap;

    if (P->Failed)
    {
        return false;
    }
    P->Failed = true;
    P->Error->Line = P->Trace->LineNumber;
    snprintf(P->Error->Field, sizeof(P->Error->Field), "%s%s%s", Prefix ? Prefix : "",
             Prefix && *Prefix && Key ? "." : "", Key ? Key : "");
    va_start(ap, Format);
    vsnprintf(P->Error->Message, sizeof(P->Error->Message), Format, ap);
    va_end(ap);
    return false;
}

/* ---- typed field access -------------------------------------------------------------------------------- */

static json_object *Field(json_object *Obj, const char *Key)
{
    json_object *v = NULL;

    return json_object_object_get_ex(Obj, Key, &v) ? v : NULL;
}

static bool ParseHexText(const char *Text, uint64_t *Value)
{
    uint64_t v = 0;
    size_t n;

    if (Text[0] != '0' || (Text[1] != 'x' && Text[1] != 'X'))
    {
        return false;
    }
    n = strlen(Text + 2);
    if (n == 0 || n > 16)
    {
        return false;
    }
    for (size_t i = 0; i < n; i++)
    {
        char c = Text[2 + i];
        uint64_t d;

        if (c >= '0' && c <= '9')
        {
            d = (uint64_t)(c - '0');
        }
        else if (c >= 'a' && c <= 'f')
        {
            d = (uint64_t)(c - 'a' + 10);
        }
        else if (c >= 'A' && c <= 'F')
        {
            d = (uint64_t)(c - 'A' + 10);
        }
        else
        {
            return false;
        }
        v = (v << 4) | d;
    }
    *Value = v;
    return true;
}

/* A 64-bit value: "0x…" string, or a small non-negative JSON integer.  Returns false if absent or bad. */
static bool GetU64(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, uint64_t *Value, bool Required)
{
    json_object *v = Obj ? Field(Obj, Key) : NULL;

    if (!v)
    {
        return Required ? Fail(P, Prefix, Key, "missing") : false;
    }
    if (json_object_is_type(v, json_type_string) && ParseHexText(json_object_get_string(v), Value))
    {
        return true;
    }
    if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
    {
        *Value = (uint64_t)json_object_get_int64(v);
        return true;
    }
    return Fail(P, Prefix, Key, "expected a \"0x...\" string of 1 to 16 hex digits or a non-negative integer");
}

static bool GetU32(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, uint32_t *Value, bool Required)
{
    uint64_t v = 0; /* gcc -O3 cannot see that GetU64 sets it whenever it returns true */

    if (!GetU64(P, Obj, Prefix, Key, &v, Required))
    {
        return false;
    }
    if (v > 0xFFFFFFFFull)
    {
        return Fail(P, Prefix, Key, "value 0x%llx does not fit in 32 bits", (unsigned long long)v);
    }
    *Value = (uint32_t)v;
    return true;
}

static bool GetBool(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool *Value)
{
    json_object *v = Obj ? Field(Obj, Key) : NULL;

    if (!v)
    {
        return false;
    }
    if (!json_object_is_type(v, json_type_boolean))
    {
        return Fail(P, Prefix, Key, "expected true or false");
    }
    *Value = json_object_get_boolean(v);
    return true;
}

static const char *GetString(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool Required)
{
    json_object *v = Obj ? Field(Obj, Key) : NULL;

    if (!v)
    {
        if (Required)
        {
            Fail(P, Prefix, Key, "missing");
        }
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string))
    {
        Fail(P, Prefix, Key, "expected a string");
        return NULL;
    }
    return json_object_get_string(v);
}

/* An object-valued field: NULL when absent or JSON null; an error for anything else. */
static json_object *GetObject(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool *Null)
{
    json_object *v = Obj ? Field(Obj, Key) : NULL;

    if (Null)
    {
        *Null = Obj && json_object_object_get_ex(Obj, Key, NULL) && !v;
    }
    if (!v)
    {
        return NULL;
    }
    if (!json_object_is_type(v, json_type_object))
    {
        Fail(P, Prefix, Key, "expected an object");
        return NULL;
    }
    return v;
}

static void Join(char *Out, size_t Size, const char *Prefix, const char *Key)
{
    snprintf(Out, Size, "%s%s%s", Prefix, *Prefix ? "." : "", Key);
}

/* ---- names and hashes ---------------------------------------------------------------------------------- */

static uint32_t HashText(const char *Text, bool Wide, bool Lower)
{
    char buffer[512];
    size_t n = strlen(Text);

    if (n > sizeof(buffer))
    {
        n = sizeof(buffer);
    }
    for (size_t i = 0; i < n; i++)
    {
        buffer[i] = (Lower && Text[i] >= 'A' && Text[i] <= 'Z') ? (char)(Text[i] + 32) : Text[i];
    }
    return Wide ? IgNameHashWideAscii(buffer, n) : IgNameHash(buffer, n);
}

static bool IsWindows(const IG_TRACE *T, const INTRO_EXC_GUEST *Guest)
{
    (void)T;
    return Guest->Os != INTRO_EXC_OS_LINUX;
}

/* ---- base64 -------------------------------------------------------------------------------------------------- */

static int Base64Value(char C)
{
    if (C >= 'A' && C <= 'Z')
        return C - 'A';
    if (C >= 'a' && C <= 'z')
        return C - 'a' + 26;
    if (C >= '0' && C <= '9')
        return C - '0' + 52;
    if (C == '+')
        return 62;
    if (C == '/')
        return 63;
    return -1;
}

static bool GetBase64(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, const void **Data,
                      uint32_t *Size)
{
    const char *text = GetString(P, Obj, Prefix, Key, false);
    IG_TRACE *t = P->Trace;
    uint8_t *out;
    size_t n, o = 0;

    if (!text)
    {
        return false;
    }
    n = strlen(text);
    if (n % 4 != 0)
    {
        return Fail(P, Prefix, Key, "base64 length %zu is not a multiple of 4", n);
    }
    if (n / 4 * 3 > IG_TRACE_MAX_BUFFER || t->BufferUsed >= sizeof(t->Buffers) / sizeof(t->Buffers[0]))
    {
        return Fail(P, Prefix, Key, "buffer larger than %u bytes", IG_TRACE_MAX_BUFFER);
    }
    out = t->Buffers[t->BufferUsed++];
    for (size_t i = 0; i < n; i += 4)
    {
        int v[4];
        int pad = 0;

        for (int k = 0; k < 4; k++)
        {
            if (text[i + k] == '=' && i + 4 == n && k >= 2)
            {
                v[k] = 0;
                pad++;
            }
            else if (pad || (v[k] = Base64Value(text[i + k])) < 0)
            {
                return Fail(P, Prefix, Key, "invalid base64 at character %zu", i + (size_t)k);
            }
        }
        out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
        if (pad < 2)
        {
            out[o++] = (uint8_t)((v[1] << 4) | (v[2] >> 2));
        }
        if (pad < 1)
        {
            out[o++] = (uint8_t)((v[2] << 6) | v[3]);
        }
    }
    *Data = out;
    *Size = (uint32_t)o;
    return true;
}

/* ---- tables ------------------------------------------------------------------------------------------------- */

typedef struct IG_NAMED
{
    const char *Name;
    uint64_t Value;
} IG_NAMED;

static const IG_NAMED gZones[] = {
    {"ept", INTRO_EXC_ZONE_EPT},         {"msr", INTRO_EXC_ZONE_MSR},
    {"cr", INTRO_EXC_ZONE_CR},           {"integrity", INTRO_EXC_ZONE_INTEGRITY},
    {"process", INTRO_EXC_ZONE_PROCESS}, {"dtr", INTRO_EXC_ZONE_DTR},
    {"pc", INTRO_EXC_ZONE_PC},
};

static const IG_NAMED gZoneFlags[] = {
    {"lib-imports", INTRO_EXC_ZONE_LIB_IMPORTS},
    {"lib-exports", INTRO_EXC_ZONE_LIB_EXPORTS},
    {"lib-code", INTRO_EXC_ZONE_LIB_CODE},
    {"lib-data", INTRO_EXC_ZONE_LIB_DATA},
    {"lib-resources", INTRO_EXC_ZONE_LIB_RESOURCES},
    {"thread-ctx", INTRO_EXC_ZONE_PROC_THREAD_CTX},
    {"thread-apc", INTRO_EXC_ZONE_PROC_THREAD_APC},
    {"dep-execution", INTRO_EXC_ZONE_DEP_EXECUTION},
    {"module-load", INTRO_EXC_ZONE_MODULE_LOAD},
    {"instrument", INTRO_EXC_ZONE_PROC_INSTRUMENT},
    {"write", INTRO_EXC_ZONE_WRITE},
    {"read", INTRO_EXC_ZONE_READ},
    {"execute", INTRO_EXC_ZONE_EXECUTE},
    {"integrity", INTRO_EXC_ZONE_INTEGRITY_FLAG},
};

/* INTRO_OBJECT_TYPE 1..41 in order. */
static const char *const gObjects[] = {
    NULL,
    "raw",
    "internal",
    "ssdt",
    "fast-io-dispatch",
    "driver-object",
    "km-module",
    "idt",
    "gdt",
    "km-unpack",
    "process",
    "um-internal",
    "um-unpack",
    "um-heap",
    "um-stack",
    "um-generic-nx-zone",
    "um-module",
    "detour-read",
    "token-ptr",
    "hal-dispatch-table",
    "hal-int-controller",
    "self-map-entry",
    "hal-heap",
    "vdso",
    "vsyscall",
    "ex-table",
    "ve-agent",
    "idtr",
    "gdtr",
    "process-creation",
    "exec-suspicious-dll",
    "km-logger-context",
    "process-creation-dpi",
    "token-privs",
    "sud-exec",
    "hal-perf-counter",
    "hooked-function",
    "slack-space",
    "sec-desc",
    "acl",
    "sud-integrity",
    "interrupt-object",
};

static bool Lookup(const IG_NAMED *Table, size_t Count, const char *Name, uint64_t *Value)
{
    for (size_t i = 0; i < Count; i++)
    {
        if (strcmp(Table[i].Name, Name) == 0)
        {
            *Value = Table[i].Value;
            return true;
        }
    }
    return false;
}

bool IgTraceParseAction(const char *Name, uint32_t *Action)
{
    for (uint32_t a = 0; a < 6; a++)
    {
        const char *n = IntExceptActionName(a);

        if (n && strcmp(n, Name) == 0)
        {
            *Action = a;
            return true;
        }
    }
    return false;
}

bool IgTraceParseReason(const char *Name, uint32_t *Reason)
{
    for (uint32_t r = 0; IntExceptReasonName(r); r++)
    {
        if (strcmp(IntExceptReasonName(r), Name) == 0)
        {
            *Reason = r;
            return true;
        }
    }
    return false;
}

/* ---- records ---------------------------------------------------------------------------------------------------- */

static void ParseGuest(IG_PARSE *P, json_object *Obj, const char *Prefix, INTRO_EXC_GUEST *Guest)
{
    const char *os = GetString(P, Obj, Prefix, "os", false);
    json_object *version = Field(Obj, "os_version");
    uint32_t bits = 0;

    if (os)
    {
        if (strcmp(os, "windows") == 0)
        {
            Guest->Os = INTRO_EXC_OS_WINDOWS;
        }
        else if (strcmp(os, "linux") == 0)
        {
            Guest->Os = INTRO_EXC_OS_LINUX;
        }
        else
        {
            Fail(P, Prefix, "os", "unknown OS \"%s\" (windows or linux)", os);
            return;
        }
    }
    if (GetU32(P, Obj, Prefix, "bits", &bits, false))
    {
        if (bits != 32 && bits != 64)
        {
            Fail(P, Prefix, "bits", "expected 32 or 64");
            return;
        }
        Guest->Guest64 = bits == 64;
    }
    if (version && json_object_is_type(version, json_type_string) && Guest->Os == INTRO_EXC_OS_LINUX)
    {
        unsigned v, p, s;
        char tail;

        if (sscanf(json_object_get_string(version), "%u.%u.%u%c", &v, &p, &s, &tail) != 3 || v > 255 || p > 255 ||
            s > 65535)
        {
            Fail(P, Prefix, "os_version", "expected \"version.patch.sublevel\"");
            return;
        }
        Guest->LinuxVersion.Version = (uint8_t)v;
        Guest->LinuxVersion.Patch = (uint8_t)p;
        Guest->LinuxVersion.Sublevel = (uint16_t)s;
    }
    else
    {
        GetU32(P, Obj, Prefix, "os_version", &Guest->OsVersion, false);
    }
    {
        uint32_t backport = 0;

        if (GetU32(P, Obj, Prefix, "backport", &backport, false))
        {
            Guest->LinuxVersion.Backport = (uint16_t)backport;
        }
    }
    GetU32(P, Obj, Prefix, "peb32_size", &Guest->Peb32Size, false);
    GetU32(P, Obj, Prefix, "peb64_size", &Guest->Peb64Size, false);
}

static INTRO_EXC_PROCESS_STATE *ProcessState(IG_PARSE *P, uint32_t Pid, const char *Prefix)
{
    IG_TRACE *t = P->Trace;
    IG_TRACE_PROCESS *process;

    for (uint32_t i = 0; i < t->ProcessCount; i++)
    {
        if (t->Processes[i]->Pid == Pid)
        {
            return &t->Processes[i]->State;
        }
    }
    if (t->ProcessCount == t->ProcessCapacity)
    {
        uint32_t capacity = t->ProcessCapacity ? 2 * t->ProcessCapacity : 16;
        IG_TRACE_PROCESS **grown;

        if (capacity > IG_TRACE_MAX_PROCESSES)
        {
            Fail(P, Prefix, "pid", "more than %u processes", IG_TRACE_MAX_PROCESSES);
            return NULL;
        }
        grown = realloc(t->Processes, capacity * sizeof(*grown));
        if (!grown)
        {
            Fail(P, Prefix, "pid", "out of memory");
            return NULL;
        }
        t->Processes = grown;
        t->ProcessCapacity = capacity;
    }
    process = calloc(1, sizeof(*process));
    if (!process)
    {
        Fail(P, Prefix, "pid", "out of memory");
        return NULL;
    }
    process->Pid = Pid;
    t->Processes[t->ProcessCount++] = process;
    return &process->State;
}

static void ParseState(IG_PARSE *P, json_object *Obj, const char *Prefix, INTRO_EXC_PROCESS_STATE *S)
{
    GetBool(P, Obj, Prefix, "one_time_done", &S->OneTimeInjectionDone);
    GetBool(P, Obj, Prefix, "start_initializing", &S->StartInitializing);
    GetBool(P, Obj, Prefix, "initialized", &S->Initialized);
    GetBool(P, Obj, Prefix, "last_peb_write_done", &S->LastPebWriteDone);
    GetBool(P, Obj, Prefix, "apphelp_injected", &S->InjectedApphelp);
    GetU64(P, Obj, Prefix, "apphelp_address", &S->InjectedApphelpAddress, false);
    GetU32(P, Obj, Prefix, "apphelp_size", &S->InjectedApphelpSize, false);
    GetU32(P, Obj, Prefix, "injections", &S->InjectionsCount, false);
    GetU32(P, Obj, Prefix, "peb_writes", &S->PebWrittenCount, false);
}

static void ParseProcess(IG_PARSE *P, json_object *Obj, const char *Prefix, const INTRO_EXC_GUEST *Guest,
                         INTRO_EXC_PROCESS *Process)
{
    char path[96];
    const char *name = GetString(P, Obj, Prefix, "name", false);
    const char *exe = GetString(P, Obj, Prefix, "path", false);
    const char *cmd = GetString(P, Obj, Prefix, "command_line", false);
    json_object *state;

    memset(Process, 0, sizeof(*Process));
    Process->Present = true;
    if (name)
    {
        Process->Name = name;
        Process->NameLength = (uint32_t)strlen(name);
        Process->NameHash = HashText(name, false, IsWindows(P->Trace, Guest));
    }
    if (exe)
    {
        const char *slash = strrchr(exe, '/');

        Process->PathName = slash ? slash + 1 : exe;
        Process->PathNameLength = (uint32_t)strlen(Process->PathName);
    }
    if (cmd)
    {
        Process->CommandLine = cmd;
        Process->CommandLineLength = (uint32_t)strlen(cmd);
    }
    if (!GetU32(P, Obj, Prefix, "hash", &Process->NameHash, false) && !name && !P->Failed)
    {
        Fail(P, Prefix, "name", "a process needs a name or a hash");
        return;
    }
    GetU32(P, Obj, Prefix, "pid", &Process->Pid, false);
    GetU32(P, Obj, Prefix, "parent_pid", &Process->ParentPid, false);
    GetU64(P, Obj, Prefix, "address", &Process->Address, false);
    GetU64(P, Obj, Prefix, "parent_address", &Process->ParentAddress, false);
    GetBool(P, Obj, Prefix, "wow64", &Process->Wow64);
    GetBool(P, Obj, Prefix, "system", &Process->System);
    GetBool(P, Obj, Prefix, "parent_wow64", &Process->ParentWow64);
    GetBool(P, Obj, Prefix, "subsystem64", &Process->Subsystem64);
    GetBool(P, Obj, Prefix, "subsystem32", &Process->Subsystem32);
    GetU64(P, Obj, Prefix, "peb32", &Process->Peb32Address, false);
    GetU64(P, Obj, Prefix, "peb64", &Process->Peb64Address, false);
    GetU64(P, Obj, Prefix, "cr3", &Process->Cr3, false);
    if (Field(Obj, "pid"))
    {
        Process->State = ProcessState(P, Process->Pid, Prefix);
    }
    Join(path, sizeof(path), Prefix, "state");
    state = GetObject(P, Obj, Prefix, "state", NULL);
    if (state)
    {
        if (!Process->State)
        {
            Fail(P, Prefix, "state", "process state needs a pid to be kept between events");
            return;
        }
        ParseState(P, state, path, Process->State);
    }
}

static void ParseDriver(IG_PARSE *P, json_object *Obj, const char *Prefix, const INTRO_EXC_GUEST *Guest,
                        INTRO_EXC_KM_DRIVER *Driver)
{
    const char *name = GetString(P, Obj, Prefix, "name", false);
    const char *section = GetString(P, Obj, Prefix, "section", false);

    memset(Driver, 0, sizeof(*Driver));
    Driver->Present = true;
    if (name)
    {
        Driver->Name.Text = name;
        Driver->Name.Length = (uint32_t)strlen(name);
        Driver->Name.Wide = true;
        Driver->NameHash = strcmp(name, "[kernel]") == 0 ? INTRO_EXC_NAME_KERNEL
                           : strcmp(name, "[hal]") == 0  ? INTRO_EXC_NAME_HAL
                                                         : HashText(name, true, IsWindows(P->Trace, Guest));
    }
    if (!GetU32(P, Obj, Prefix, "hash", &Driver->NameHash, false) && !name && !P->Failed)
    {
        Fail(P, Prefix, "name", "a driver needs a name or a hash");
        return;
    }
    if (section)
    {
        if (strlen(section) > 8)
        {
            Fail(P, Prefix, "section", "section names have at most 8 characters");
            return;
        }
        strcpy(Driver->Section, section);
    }
    GetU64(P, Obj, Prefix, "rip", &Driver->Rip, false);
    GetU64(P, Obj, Prefix, "base", &Driver->Base, false);
    GetU64(P, Obj, Prefix, "driver_object_gpa", &Driver->DriverObjectGpa, false);
}

static void ParseKernelOriginator(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "originator";
    bool originalNull = false, returnNull = false;
    json_object *original = GetObject(P, Obj, prefix, "original", &originalNull);
    json_object *ret = GetObject(P, Obj, prefix, "return", &returnNull);
    json_object *process = GetObject(P, Obj, prefix, "process", NULL);
    const char *injection = GetString(P, Obj, prefix, "injection", false);
    INTRO_EXC_KM_ORIGINATOR *o = &V->Kernel;

    o->Original.NameHash = INTRO_EXC_NO_NAME;
    o->Return.NameHash = INTRO_EXC_NO_NAME;
    if (original)
    {
        ParseDriver(P, original, "originator.original", &V->Guest, &o->Original);
    }
    if (ret)
    {
        ParseDriver(P, ret, "originator.return", &V->Guest, &o->Return);
    }
    else if (!returnNull)
    {
        o->Return = o->Original; /* the common case: the driver wrote directly */
    }
    GetBool(P, Obj, prefix, "entry_point", &o->IsEntryPoint);
    GetBool(P, Obj, prefix, "integrity", &o->IsIntegrity);
    if (injection)
    {
        if (strcmp(injection, "user") == 0)
        {
            o->InjectionUser = true;
        }
        else if (strcmp(injection, "kernel") == 0)
        {
            o->InjectionKernel = true;
        }
        else if (strcmp(injection, "none") != 0)
        {
            Fail(P, prefix, "injection", "expected \"user\", \"kernel\" or \"none\"");
        }
    }
    if (process)
    {
        ParseProcess(P, process, "originator.process", &V->Guest, &o->Process);
    }
}

static void ParseUserOriginator(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "originator";
    json_object *process = GetObject(P, Obj, prefix, "process", NULL);
    json_object *ret = GetObject(P, Obj, prefix, "return", NULL);
    const char *module = GetString(P, Obj, prefix, "module", false);
    bool unnamed = false;
    INTRO_EXC_UM_ORIGINATOR *o = &V->User;

    if (!process)
    {
        if (!P->Failed)
        {
            Fail(P, prefix, "process", "missing (a user-mode originator always has a process)");
        }
        return;
    }
    ParseProcess(P, process, "originator.process", &V->Guest, &o->Process);
    GetBool(P, Obj, prefix, "unnamed", &unnamed);
    if (module)
    {
        o->NameHash = HashText(module, true, IsWindows(P->Trace, &V->Guest));
        o->Name.Text = module;
        o->Name.Length = (uint32_t)strlen(module);
        o->Name.Wide = true;
        o->Library = true;
    }
    else if (unnamed)
    {
        o->NameHash = INTRO_EXC_NO_NAME;
    }
    else
    {
        o->NameHash = o->Process.NameHash;
        o->Name.Text = o->Process.Name;
        o->Name.Length = o->Process.NameLength;
    }
    GetU32(P, Obj, prefix, "hash", &o->NameHash, false);
    GetBool(P, Obj, prefix, "library", &o->Library);
    GetU64(P, Obj, prefix, "rip", &o->Rip, false);
    GetU32(P, Obj, prefix, "pc_type", &o->PcType, false);
    GetBool(P, Obj, prefix, "execute", &o->Execute);
    if (ret)
    {
        const char *rm = GetString(P, ret, "originator.return", "module", false);

        if (rm)
        {
            o->Return.NameHash = HashText(rm, true, IsWindows(P->Trace, &V->Guest));
            o->Return.Name.Text = rm;
            o->Return.Name.Length = (uint32_t)strlen(rm);
            o->Return.Name.Wide = true;
            o->Return.Library = true;
        }
        GetU32(P, ret, "originator.return", "hash", &o->Return.NameHash, false);
        GetU64(P, ret, "originator.return", "rip", &o->Return.Rip, false);
        GetBool(P, ret, "originator.return", "library", &o->Return.Library);
    }
}

/* How a victim's "name" is hashed, by what it names (spec/exceptions-binary-format.md §4.4). */
static uint32_t VictimHash(const INTRO_EXC_VIOLATION *V, const char *Name, bool *Wide)
{
    bool windows = V->Guest.Os != INTRO_EXC_OS_LINUX;
    uint32_t t = V->Victim.ObjectType;

    *Wide = false;
    if (strcmp(Name, "[kernel]") == 0 || strcmp(Name, "[vdso]") == 0)
    {
        return INTRO_EXC_NAME_KERNEL;
    }
    if (strcmp(Name, "[hal]") == 0 || strcmp(Name, "[vsyscall]") == 0)
    {
        return INTRO_EXC_NAME_HAL;
    }
    if (t == INTRO_EXC_OBJ_SUD_INTEGRITY)
    {
        return HashText(Name, false, false);
    }
    if (t == INTRO_EXC_OBJ_KM_MODULE || t == INTRO_EXC_OBJ_DRIVER_OBJECT || t == INTRO_EXC_OBJ_FAST_IO_DISPATCH ||
        t == INTRO_EXC_OBJ_UM_MODULE || t == INTRO_EXC_OBJ_SSDT || V->Kind == INTRO_EXC_KIND_KERNEL_USER)
    {
        *Wide = true;
        return HashText(Name, true, windows);
    }
    return HashText(Name, false, windows);
}

static bool ParseValues(IG_PARSE *P, json_object *Obj, const char *Key, uint64_t *Values)
{
    json_object *v = Field(Obj, Key);

    if (!v)
    {
        return false;
    }
    if (json_object_is_type(v, json_type_array))
    {
        size_t n = json_object_array_length(v);

        if (n > IG_TRACE_MAX_VALUES)
        {
            return Fail(P, "victim", Key, "at most %u QWORDs", IG_TRACE_MAX_VALUES);
        }
        for (size_t i = 0; i < n; i++)
        {
            json_object *item = json_object_array_get_idx(v, i);

            if (!json_object_is_type(item, json_type_string) || !ParseHexText(json_object_get_string(item), &Values[i]))
            {
                char key[32];

                snprintf(key, sizeof(key), "%s[%zu]", Key, i);
                return Fail(P, "victim", key, "expected a \"0x...\" string");
            }
        }
        return true;
    }
    return GetU64(P, Obj, "victim", Key, &Values[0], true);
}

static void ParseVictim(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "victim";
    INTRO_EXC_VICTIM *v = &V->Victim;
    const char *zone = GetString(P, Obj, prefix, "zone", true);
    json_object *flags = Field(Obj, "flags");
    json_object *object = Field(Obj, "object");
    json_object *process = GetObject(P, Obj, prefix, "process", NULL);
    json_object *library = Field(Obj, "library");
    const char *name = GetString(P, Obj, prefix, "name", false);
    uint64_t zoneType = 0;

    if (!zone)
    {
        return;
    }
    if (!Lookup(gZones, sizeof(gZones) / sizeof(gZones[0]), zone, &zoneType))
    {
        Fail(P, prefix, "zone", "unknown zone \"%s\" (ept, msr, cr, integrity, process, dtr, pc)", zone);
        return;
    }
    v->ZoneType = (uint32_t)zoneType;
    v->ObjectType = v->ZoneType == INTRO_EXC_ZONE_CR ? INTRO_EXC_OBJ_CR_VICTIM : 0;
    if (flags)
    {
        if (!json_object_is_type(flags, json_type_array))
        {
            Fail(P, prefix, "flags", "expected an array of zone flag names");
            return;
        }
        for (size_t i = 0; i < json_object_array_length(flags); i++)
        {
            json_object *item = json_object_array_get_idx(flags, i);
            uint64_t bit;
            char key[32];

            snprintf(key, sizeof(key), "flags[%zu]", i);
            if (!json_object_is_type(item, json_type_string) ||
                !Lookup(gZoneFlags, sizeof(gZoneFlags) / sizeof(gZoneFlags[0]), json_object_get_string(item), &bit))
            {
                Fail(P, prefix, key, "unknown zone flag %s", json_object_to_json_string(item));
                return;
            }
            v->ZoneFlags |= bit;
        }
    }
    if (object)
    {
        bool found = false;

        if (json_object_is_type(object, json_type_string))
        {
            for (uint32_t i = 1; i < sizeof(gObjects) / sizeof(gObjects[0]) && !found; i++)
            {
                if (strcmp(gObjects[i], json_object_get_string(object)) == 0)
                {
                    v->ObjectType = i;
                    found = true;
                }
            }
        }
        if (!found &&
            (json_object_is_type(object, json_type_string) || !GetU32(P, Obj, prefix, "object", &v->ObjectType, false)))
        {
            Fail(P, prefix, "object", "unknown object type %s", json_object_to_json_string(object));
            return;
        }
    }
    if (name)
    {
        v->Name.Text = name;
        v->Name.Length = (uint32_t)strlen(name);
        v->NameHash = VictimHash(V, name, &v->Name.Wide);
    }
    GetU32(P, Obj, prefix, "hash", &v->NameHash, false);
    GetBool(P, Obj, prefix, "wide", &v->Name.Wide);
    GetU64(P, Obj, prefix, "base", &v->BaseAddress, false);
    GetU64(P, Obj, prefix, "library_base", &v->LibraryBase, false);
    GetU64(P, Obj, prefix, "driver_object_gpa", &v->DriverObjectGpa, false);
    if (process)
    {
        ParseProcess(P, process, "victim.process", &V->Guest, &v->Process);
    }
    if (library)
    {
        if (json_object_is_type(library, json_type_string))
        {
            v->Library = true;
            v->LibraryNameHash = HashText(json_object_get_string(library), true, V->Guest.Os != INTRO_EXC_OS_LINUX);
        }
        else if (!json_object_is_type(library, json_type_boolean) || !GetBool(P, Obj, prefix, "library", &v->Library))
        {
            Fail(P, prefix, "library", "expected a module name or a boolean");
            return;
        }
    }

    switch (v->ZoneType)
    {
        case INTRO_EXC_ZONE_EPT:
            GetU64(P, Obj, prefix, "gva", &v->u.Ept.Gva, false);
            GetU64(P, Obj, prefix, "gpa", &v->u.Ept.Gpa, false);
            break;
        case INTRO_EXC_ZONE_MSR:
            GetU32(P, Obj, prefix, "msr", &v->u.Msr.Msr, true);
            GetU64(P, Obj, prefix, "new_driver_base", &v->u.Msr.NewDriverBase, false);
            break;
        case INTRO_EXC_ZONE_CR:
            v->u.Cr.Cr = 4;
            GetU32(P, Obj, prefix, "cr", &v->u.Cr.Cr, false);
            GetBool(P, Obj, prefix, "smap", &v->u.Cr.Smap);
            GetBool(P, Obj, prefix, "smep", &v->u.Cr.Smep);
            break;
        case INTRO_EXC_ZONE_DTR:
        {
            const char *dtr = GetString(P, Obj, prefix, "dtr", true);

            if (dtr && strcmp(dtr, "idtr") == 0)
            {
                v->u.Dtr.Type = INTRO_EXC_DTR_IDTR;
            }
            else if (dtr && strcmp(dtr, "gdtr") == 0)
            {
                v->u.Dtr.Type = INTRO_EXC_DTR_GDTR;
            }
            else if (dtr)
            {
                Fail(P, prefix, "dtr", "expected \"idtr\" or \"gdtr\"");
            }
            break;
        }
        case INTRO_EXC_ZONE_INTEGRITY:
        {
            uint32_t index = 0;

            GetU64(P, Obj, prefix, "gva", &v->u.Integrity.StartVirtualAddress, false);
            GetU32(P, Obj, prefix, "offset", &v->u.Integrity.Offset, false);
            GetU32(P, Obj, prefix, "total_length", &v->u.Integrity.TotalLength, false);
            if (GetU32(P, Obj, prefix, "interrupt_index", &index, false))
            {
                if (index > 255)
                {
                    Fail(P, prefix, "interrupt_index", "expected 0 to 255");
                }
                v->u.Integrity.InterruptObjIndex = (uint8_t)index;
            }
            GetBase64(P, Obj, prefix, "buffer", &v->u.Integrity.Buffer, &v->u.Integrity.BufferSize);
            break;
        }
        case INTRO_EXC_ZONE_PROCESS:
            GetU64(P, Obj, prefix, "gva", &v->u.Injection.Gva, false);
            GetU32(P, Obj, prefix, "length", &v->u.Injection.Length, false);
            GetBase64(P, Obj, prefix, "buffer", &v->u.Injection.Buffer, &v->u.Injection.BufferSize);
            break;
        default:
            break;
    }

    ParseValues(P, Obj, "old", v->v.WriteInfo.OldValue);
    ParseValues(P, Obj, "new", v->v.WriteInfo.NewValue);
    ParseValues(P, Obj, "read", v->v.ReadInfo.Value);
    if (GetU32(P, Obj, prefix, "size", &v->v.WriteInfo.AccessSize, false) && v->v.WriteInfo.AccessSize > 64)
    {
        Fail(P, prefix, "size", "access sizes are 1 to 64 bytes");
    }
    GetU64(P, Obj, prefix, "rsp", &v->v.ExecInfo.Rsp, false);
}

/* Guest-physical memory of a trace: the pages of the current violation, nothing else. */
static INTSTATUS TracePageMap(void *Context, uint64_t Gpa, uint32_t Length, const uint8_t **Host)
{
    IG_TRACE *t = Context;

    *Host = NULL;
    if (Length == 0 || IG_PAGE_OFFSET(Gpa) + (uint64_t)Length > IG_PAGE_SIZE)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    for (uint32_t i = 0; i < t->PageCount; i++)
    {
        if (t->PageGfn[i] == Gpa >> 12)
        {
            *Host = t->Pages[i] + IG_PAGE_OFFSET(Gpa);
            return INT_STATUS_SUCCESS;
        }
    }
    if (t->Image && (Gpa >> 12) < t->ImageSize / IG_PAGE_SIZE)
    {
        /* Copied into a buffer of ours: the file is read once per mapping, then examined. */
        for (uint32_t i = 0; i < IG_TRACE_IMAGE_MAPS; i++)
        {
            if (t->ImagePageUsed[i])
            {
                continue;
            }
            if (fseeko(t->Image, (off_t)(Gpa & ~(uint64_t)(IG_PAGE_SIZE - 1)), SEEK_SET) != 0 ||
                fread(t->ImagePages[i], 1, IG_PAGE_SIZE, t->Image) != IG_PAGE_SIZE)
            {
                return INT_STATUS_PAGE_NOT_PRESENT;
            }
            t->ImagePageUsed[i] = true;
            *Host = t->ImagePages[i] + IG_PAGE_OFFSET(Gpa);
            return INT_STATUS_SUCCESS;
        }
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    return INT_STATUS_PAGE_NOT_PRESENT;
}

static void TracePageUnmap(void *Context, const uint8_t *Host)
{
    IG_TRACE *t = Context;

    for (uint32_t i = 0; i < IG_TRACE_IMAGE_MAPS; i++)
    {
        if (Host >= t->ImagePages[i] && Host < t->ImagePages[i] + IG_PAGE_SIZE)
        {
            t->ImagePageUsed[i] = false;
        }
    }
}

void IgTraceSetMemoryImage(IG_TRACE *Trace, FILE *Image, uint64_t Size)
{
    Trace->Image = Image;
    Trace->ImageSize = Size;
}

static const IG_NAMED gPagingModes[] = {
    {"none", IgPagingNone},      {"32-bit", IgPaging32},      {"pae", IgPagingPae},
    {"4-level", IgPaging4Level}, {"5-level", IgPaging5Level},
};

static bool ParsePages(IG_PARSE *P, json_object *Pages);

/*
 * Guest-physical memory for the current violation: its inline "pages" (if any) and the trace's
 * memory image (if any), walked from the CR3 in use with the "paging" mode.
 */
static void ParsePhysical(IG_PARSE *P, json_object *Obj, json_object *Pages, INTRO_EXC_MEMORY *M)
{
    IG_TRACE *t = P->Trace;
    const char *paging = GetString(P, Obj, "memory", "paging", false);
    uint64_t mode = IgPaging4Level;

    if (paging && !Lookup(gPagingModes, sizeof(gPagingModes) / sizeof(gPagingModes[0]), paging, &mode))
    {
        Fail(P, "memory", "paging", "unknown paging \"%s\" (none, 32-bit, pae, 4-level, 5-level)", paging);
        return;
    }
    t->PageCount = 0;
    if (Pages && !ParsePages(P, Pages))
    {
        return;
    }
    t->Walker.Phys = (IG_GUEST_PHYS){TracePageMap, TracePageUnmap, t, 0};
    t->Walker.Paging = (IG_PAGING_MODE)mode;
    t->Walker.Pse = true;
    IgGuestWalkerVmem(&t->Walker, &t->Vmem);
    M->ReadVirtual = t->Vmem.Read;
    M->ReadContext = t->Vmem.Context;
}

/* "pages": guest-physical pages ({gpa, data}) the code is read from through the page tables. */
static bool ParsePages(IG_PARSE *P, json_object *Pages)
{
    IG_TRACE *t = P->Trace;

    if (!json_object_is_type(Pages, json_type_array) || json_object_array_length(Pages) > IG_TRACE_MAX_PAGES)
    {
        Fail(P, "memory", "pages", "expected an array of at most %u {gpa, data} objects", IG_TRACE_MAX_PAGES);
        return false;
    }
    for (size_t i = 0; i < json_object_array_length(Pages) && !P->Failed; i++)
    {
        json_object *item = json_object_array_get_idx(Pages, i);
        const void *data = NULL;
        uint32_t size = 0;
        uint64_t gpa = 0;
        char path[96];

        snprintf(path, sizeof(path), "memory.pages[%zu]", i);
        if (!json_object_is_type(item, json_type_object))
        {
            Fail(P, path, "", "expected an object");
            return false;
        }
        if (!GetU64(P, item, path, "gpa", &gpa, true))
        {
            return false;
        }
        if (IG_PAGE_OFFSET(gpa) != 0)
        {
            Fail(P, path, "gpa", "not page-aligned");
            return false;
        }
        if (!GetBase64(P, item, path, "data", &data, &size))
        {
            if (!P->Failed)
            {
                Fail(P, path, "data", "missing");
            }
            return false;
        }
        if (size != IG_PAGE_SIZE)
        {
            Fail(P, path, "data", "a page is %u bytes, not %u", IG_PAGE_SIZE, size);
            return false;
        }
        memcpy(t->Pages[t->PageCount], data, IG_PAGE_SIZE);
        t->PageGfn[t->PageCount++] = gpa >> 12;
        t->BufferUsed--; /* the page is copied: its decoding buffer is free again */
    }
    return !P->Failed;
}

/*
 * "memory": the guest code the code-reading signatures use: the CPU mode, the address spaces and
 * the bytes recorded around the RIP (and of the victim module), by virtual address.
 */
static void ParseMemory(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    static const char prefix[] = "memory";
    INTRO_EXC_MEMORY *m = &V->Memory;
    json_object *code = Field(Obj, "code");
    uint32_t bits = 0;

    if (GetU32(P, Obj, prefix, "cs", &bits, false))
    {
        if (bits != 32 && bits != 64)
        {
            Fail(P, prefix, "cs", "expected 32 or 64");
            return;
        }
        m->CsType = bits == 64 ? 3u : 2u; /* IG_CS_TYPE_64B / IG_CS_TYPE_32B */
    }
    GetU64(P, Obj, prefix, "system_cr3", &m->SystemCr3, false);
    GetU64(P, Obj, prefix, "current_cr3", &m->CurrentCr3, false);
    if (Field(Obj, "pages") || P->Trace->Image)
    {
        ParsePhysical(P, Obj, Field(Obj, "pages"), m);
    }
    if (!code || P->Failed)
    {
        return;
    }
    if (!json_object_is_type(code, json_type_array) || json_object_array_length(code) > IG_TRACE_MAX_CODE_RANGES)
    {
        Fail(P, prefix, "code", "expected an array of at most %u {gva, data, cr3} objects", IG_TRACE_MAX_CODE_RANGES);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(code) && !P->Failed; i++)
    {
        json_object *item = json_object_array_get_idx(code, i);
        INTRO_EXC_CODE_BYTES *range = &P->Trace->Code[i];
        const void *data = NULL;
        uint32_t size = 0;
        char path[96];

        snprintf(path, sizeof(path), "memory.code[%zu]", i);
        memset(range, 0, sizeof(*range));
        if (!json_object_is_type(item, json_type_object))
        {
            Fail(P, path, "", "expected an object");
            return;
        }
        GetU64(P, item, path, "gva", &range->Gva, true);
        GetU64(P, item, path, "cr3", &range->Cr3, false);
        if (!GetBase64(P, item, path, "data", &data, &size) && !P->Failed)
        {
            Fail(P, path, "data", "missing");
        }
        range->Bytes = data;
        range->Length = size;
    }
    m->Bytes = P->Trace->Code;
    m->BytesCount = (uint32_t)json_object_array_length(code);
}

static void ParseViolation(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_EXC_VIOLATION *v = &Rec->Violation;
    const char *kind = GetString(P, Obj, "", "kind", true);
    json_object *guest = GetObject(P, Obj, "", "guest", NULL);
    json_object *originator = GetObject(P, Obj, "", "originator", NULL);
    json_object *victim = GetObject(P, Obj, "", "victim", NULL);

    memset(v, 0, sizeof(*v));
    v->Guest = P->Trace->Guest;
    if (guest)
    {
        ParseGuest(P, guest, "guest", &v->Guest);
    }
    if (!kind)
    {
        return;
    }
    if (strcmp(kind, "kernel") == 0)
    {
        v->Kind = INTRO_EXC_KIND_KERNEL;
    }
    else if (strcmp(kind, "user") == 0)
    {
        v->Kind = INTRO_EXC_KIND_USER;
    }
    else if (strcmp(kind, "kernel-user") == 0)
    {
        v->Kind = INTRO_EXC_KIND_KERNEL_USER;
    }
    else if (strcmp(kind, "user-glob") == 0)
    {
        v->Kind = INTRO_EXC_KIND_USER_GLOB; /* hvmi rejects it; kept so that behaviour can be replayed */
    }
    else
    {
        Fail(P, "", "kind", "unknown kind \"%s\" (kernel, user, kernel-user)", kind);
        return;
    }
    if (!originator)
    {
        Fail(P, "", "originator", "missing");
        return;
    }
    if (!victim)
    {
        Fail(P, "", "victim", "missing");
        return;
    }
    if (v->Kind == INTRO_EXC_KIND_USER)
    {
        ParseUserOriginator(P, originator, v);
    }
    else
    {
        ParseKernelOriginator(P, originator, v);
    }
    ParseVictim(P, victim, v);
    {
        json_object *memory = GetObject(P, Obj, "", "memory", NULL);

        if (memory && !P->Failed)
        {
            ParseMemory(P, memory, v);
        }
    }
}

static void ParseExpect(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec)
{
    const char *action = GetString(P, Obj, "", "action", true);
    const char *reason = GetString(P, Obj, "", "reason", false);
    json_object *exception = Field(Obj, "exception");

    memset(&Rec->Expect, 0, sizeof(Rec->Expect));
    if (action && !IgTraceParseAction(action, &Rec->Expect.Action))
    {
        Fail(P, "", "action", "unknown action \"%s\" (allowed, not_allowed)", action);
        return;
    }
    if (reason)
    {
        if (!IgTraceParseReason(reason, &Rec->Expect.Reason))
        {
            Fail(P, "", "reason", "unknown reason \"%s\"", reason);
            return;
        }
        Rec->Expect.HasReason = true;
    }
    if (json_object_object_get_ex(Obj, "exception", NULL))
    {
        if (!exception)
        {
            Rec->Expect.Exception = IG_TRACE_EXCEPTION_NONE;
        }
        else if (GetU32(P, Obj, "", "exception", &Rec->Expect.ExceptionIndex, true))
        {
            Rec->Expect.Exception = IG_TRACE_EXCEPTION_FILE;
        }
    }
}

static bool ParseSeq(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec, bool Event)
{
    IG_TRACE *t = P->Trace;

    if (!GetU64(P, Obj, "", "seq", &Rec->Seq, true))
    {
        return false;
    }
    if (Event)
    {
        if (t->HaveSeq && Rec->Seq <= t->LastSeq)
        {
            return Fail(P, "", "seq", "%llu does not follow %llu (seq must increase)", (unsigned long long)Rec->Seq,
                        (unsigned long long)t->LastSeq);
        }
        t->HaveSeq = true;
        t->LastSeq = Rec->Seq;
    }
    return true;
}

static void ParseLine(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;
    const char *type = GetString(P, Obj, "", "type", true);

    if (!type)
    {
        return;
    }
    if (!t->SawHeader)
    {
        const char *format;
        uint32_t version = 0;
        json_object *guest;

        if (strcmp(type, "header") != 0)
        {
            Fail(P, "", "type", "the first record must be the header, not \"%s\"", type);
            return;
        }
        format = GetString(P, Obj, "", "format", true);
        if (format && strcmp(format, IG_TRACE_FORMAT) != 0)
        {
            Fail(P, "", "format", "expected \"%s\"", IG_TRACE_FORMAT);
            return;
        }
        if (GetU32(P, Obj, "", "version", &version, true) && version != IG_TRACE_VERSION)
        {
            Fail(P, "", "version", "version %u is not supported (this reader knows %u)", version, IG_TRACE_VERSION);
            return;
        }
        guest = GetObject(P, Obj, "", "guest", NULL);
        if (!guest)
        {
            Fail(P, "", "guest", "missing");
            return;
        }
        t->Guest.Os = INTRO_EXC_OS_WINDOWS;
        t->Guest.Guest64 = true;
        t->Guest.Peb32Size = 0x480;
        t->Guest.Peb64Size = 0x7C8;
        ParseGuest(P, guest, "guest", &t->Guest);
        t->SawHeader = true;
        Rec->Type = IgTraceHeader;
        return;
    }
    if (t->SawEnd)
    {
        Fail(P, "", "type", "record after the end record");
        return;
    }
    if (strcmp(type, "violation") == 0)
    {
        Rec->Type = IgTraceViolation;
        if (ParseSeq(P, Obj, Rec, true))
        {
            ParseViolation(P, Obj, Rec);
            t->Events++;
        }
    }
    else if (strcmp(type, "expect") == 0)
    {
        Rec->Type = IgTraceExpect;
        if (ParseSeq(P, Obj, Rec, false))
        {
            ParseExpect(P, Obj, Rec);
        }
    }
    else if (strcmp(type, "note") == 0)
    {
        Rec->Type = IgTraceNote;
        GetString(P, Obj, "", "text", true);
    }
    else if (strcmp(type, "end") == 0)
    {
        Rec->Type = IgTraceEnd;
        if (GetU64(P, Obj, "", "events", &Rec->EndEvents, true) && Rec->EndEvents != t->Events)
        {
            Fail(P, "", "events", "the trace holds %llu events, the end record says %llu",
                 (unsigned long long)t->Events, (unsigned long long)Rec->EndEvents);
        }
        t->SawEnd = true;
    }
    else if (strcmp(type, "header") == 0)
    {
        Fail(P, "", "type", "a second header");
    }
    else if (!strcmp(type, "ept") || !strcmp(type, "msr") || !strcmp(type, "cr") || !strcmp(type, "dtr") ||
             !strcmp(type, "vcpu") || !strcmp(type, "page") || !strcmp(type, "timer"))
    {
        Fail(P, "", "type", "\"%s\" records need the protection pipeline, which this replay does not run yet", type);
    }
    else
    {
        Fail(P, "", "type", "unknown record type \"%s\"", type);
    }
}

INTSTATUS IgTraceOpen(FILE *Stream, IG_TRACE **Trace)
{
    IG_TRACE *t = calloc(1, sizeof(*t));

    *Trace = NULL;
    if (!t)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    t->Stream = Stream;
    *Trace = t;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgTraceNext(IG_TRACE *Trace, IG_TRACE_RECORD *Record, IG_TRACE_ERROR *Error)
{
    IG_PARSE p = {Trace, Error, false};
    json_tokener *tok;
    json_object *root;
    ssize_t length;

    memset(Error, 0, sizeof(*Error));
    memset(Record, 0, sizeof(*Record));
    if (Trace->Current)
    {
        json_object_put(Trace->Current);
        Trace->Current = NULL;
    }
    Trace->BufferUsed = 0;

    /* Read one line with a bounded buffer: a hostile trace cannot make us allocate more than the cap. */
    if (!Trace->Line)
    {
        Trace->LineCapacity = IG_TRACE_MAX_LINE + 2; /* the line, its LF and a NUL */
        Trace->Line = malloc(Trace->LineCapacity);
        if (!Trace->Line)
        {
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    length = 0;
    for (;;)
    {
        int c = getc(Trace->Stream);

        if (c == EOF)
        {
            break;
        }
        if (c == '\n')
        {
            Trace->Line[length++] = (char)c;
            break;
        }
        if ((size_t)length == IG_TRACE_MAX_LINE)
        {
            Trace->LineNumber++;
            Fail(&p, NULL, NULL, "line longer than %u bytes", IG_TRACE_MAX_LINE);
            return INT_STATUS_INVALID_DATA_VALUE;
        }
        Trace->Line[length++] = (char)c;
    }
    Trace->Line[length] = '\0';
    if (length == 0)
    {
        if (!Trace->SawHeader)
        {
            Trace->LineNumber++;
            Fail(&p, NULL, NULL, "empty trace: the first line must be a header record");
            return INT_STATUS_INVALID_DATA_VALUE;
        }
        return INT_STATUS_NO_MORE_ENTRIES;
    }
    Trace->LineNumber++;
    Record->Line = Trace->LineNumber;
    while (length > 0 && (Trace->Line[length - 1] == '\n' || Trace->Line[length - 1] == '\r'))
    {
        Trace->Line[--length] = '\0';
    }
    if (length == 0)
    {
        Fail(&p, NULL, NULL, "empty line (every line must be one JSON object)");
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    if (strlen(Trace->Line) != (size_t)length)
    {
        Fail(&p, NULL, NULL, "NUL byte inside the line");
        return INT_STATUS_INVALID_DATA_VALUE;
    }

    tok = json_tokener_new();
    if (!tok)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    root = json_tokener_parse_ex(tok, Trace->Line, (int)length);
    if (!root || json_tokener_get_error(tok) != json_tokener_success)
    {
        Fail(&p, NULL, NULL, "invalid JSON at column %zu: %s", json_tokener_get_parse_end(tok) + 1,
             json_tokener_error_desc(json_tokener_get_error(tok) == json_tokener_continue
                                         ? json_tokener_error_parse_eof
                                         : json_tokener_get_error(tok)));
    }
    else if (json_tokener_get_parse_end(tok) != (size_t)length)
    {
        Fail(&p, NULL, NULL, "text after the JSON object at column %zu", json_tokener_get_parse_end(tok) + 1);
    }
    else if (!json_object_is_type(root, json_type_object))
    {
        Fail(&p, NULL, NULL, "a record must be a JSON object");
    }
    json_tokener_free(tok);
    Trace->Current = root;
    if (!p.Failed)
    {
        ParseLine(&p, root, Record);
    }
    return p.Failed ? INT_STATUS_INVALID_DATA_VALUE : INT_STATUS_SUCCESS;
}

const INTRO_EXC_GUEST *IgTraceGuest(const IG_TRACE *Trace)
{
    return &Trace->Guest;
}

void IgTraceClose(IG_TRACE *Trace)
{
    if (!Trace)
    {
        return;
    }
    if (Trace->Current)
    {
        json_object_put(Trace->Current);
    }
    free(Trace->Line);
    for (uint32_t i = 0; i < Trace->ProcessCount; i++)
    {
        free(Trace->Processes[i]);
    }
    free(Trace->Processes);
    free(Trace);
}
