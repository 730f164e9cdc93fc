/*
 * introguard replay traces: `violation` records (docs/trace-format.md) into the public violation
 * model, and the guest memory they carry into the replay backend.
 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32.h"
#include "trace_int.h"

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

static bool IgTraceLookup(const IG_NAMED *Table, size_t Count, const char *Name, uint64_t *Value)
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

/* ---- records ---------------------------------------------------------------------------------------------------- */

void IgTraceParseGuest(IG_PARSE *P, json_object *Obj, const char *Prefix, INTRO_EXC_GUEST *Guest)
{
    const char *os = IgTraceString(P, Obj, Prefix, "os", false);
    json_object *version = IgTraceField(Obj, "os_version");
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
            IgTraceFail(P, Prefix, "os", "unknown OS \"%s\" (windows or linux)", os);
            return;
        }
    }
    if (IgTraceU32(P, Obj, Prefix, "bits", &bits, false))
    {
        if (bits != 32 && bits != 64)
        {
            IgTraceFail(P, Prefix, "bits", "expected 32 or 64");
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
            IgTraceFail(P, Prefix, "os_version", "expected \"version.patch.sublevel\"");
            return;
        }
        Guest->LinuxVersion.Version = (uint8_t)v;
        Guest->LinuxVersion.Patch = (uint8_t)p;
        Guest->LinuxVersion.Sublevel = (uint16_t)s;
    }
    else
    {
        IgTraceU32(P, Obj, Prefix, "os_version", &Guest->OsVersion, false);
    }
    {
        uint32_t backport = 0;

        if (IgTraceU32(P, Obj, Prefix, "backport", &backport, false))
        {
            Guest->LinuxVersion.Backport = (uint16_t)backport;
        }
    }
    IgTraceU32(P, Obj, Prefix, "peb32_size", &Guest->Peb32Size, false);
    IgTraceU32(P, Obj, Prefix, "peb64_size", &Guest->Peb64Size, false);
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
            IgTraceFail(P, Prefix, "pid", "more than %u processes", IG_TRACE_MAX_PROCESSES);
            return NULL;
        }
        grown = realloc(t->Processes, capacity * sizeof(*grown));
        if (!grown)
        {
            IgTraceFail(P, Prefix, "pid", "out of memory");
            return NULL;
        }
        t->Processes = grown;
        t->ProcessCapacity = capacity;
    }
    process = calloc(1, sizeof(*process));
    if (!process)
    {
        IgTraceFail(P, Prefix, "pid", "out of memory");
        return NULL;
    }
    process->Pid = Pid;
    t->Processes[t->ProcessCount++] = process;
    return &process->State;
}

static void ParseState(IG_PARSE *P, json_object *Obj, const char *Prefix, INTRO_EXC_PROCESS_STATE *S)
{
    IgTraceBool(P, Obj, Prefix, "one_time_done", &S->OneTimeInjectionDone);
    IgTraceBool(P, Obj, Prefix, "start_initializing", &S->StartInitializing);
    IgTraceBool(P, Obj, Prefix, "initialized", &S->Initialized);
    IgTraceBool(P, Obj, Prefix, "last_peb_write_done", &S->LastPebWriteDone);
    IgTraceBool(P, Obj, Prefix, "apphelp_injected", &S->InjectedApphelp);
    IgTraceU64(P, Obj, Prefix, "apphelp_address", &S->InjectedApphelpAddress, false);
    IgTraceU32(P, Obj, Prefix, "apphelp_size", &S->InjectedApphelpSize, false);
    IgTraceU32(P, Obj, Prefix, "injections", &S->InjectionsCount, false);
    IgTraceU32(P, Obj, Prefix, "peb_writes", &S->PebWrittenCount, false);
}

static void ParseProcess(IG_PARSE *P, json_object *Obj, const char *Prefix, const INTRO_EXC_GUEST *Guest,
                         INTRO_EXC_PROCESS *Process)
{
    char path[96];
    const char *name = IgTraceString(P, Obj, Prefix, "name", false);
    const char *exe = IgTraceString(P, Obj, Prefix, "path", false);
    const char *cmd = IgTraceString(P, Obj, Prefix, "command_line", false);
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
    if (!IgTraceU32(P, Obj, Prefix, "hash", &Process->NameHash, false) && !name && !P->Failed)
    {
        IgTraceFail(P, Prefix, "name", "a process needs a name or a hash");
        return;
    }
    IgTraceU32(P, Obj, Prefix, "pid", &Process->Pid, false);
    IgTraceU32(P, Obj, Prefix, "parent_pid", &Process->ParentPid, false);
    IgTraceU64(P, Obj, Prefix, "address", &Process->Address, false);
    IgTraceU64(P, Obj, Prefix, "parent_address", &Process->ParentAddress, false);
    IgTraceBool(P, Obj, Prefix, "wow64", &Process->Wow64);
    IgTraceBool(P, Obj, Prefix, "system", &Process->System);
    IgTraceBool(P, Obj, Prefix, "parent_wow64", &Process->ParentWow64);
    IgTraceBool(P, Obj, Prefix, "subsystem64", &Process->Subsystem64);
    IgTraceBool(P, Obj, Prefix, "subsystem32", &Process->Subsystem32);
    IgTraceU64(P, Obj, Prefix, "peb32", &Process->Peb32Address, false);
    IgTraceU64(P, Obj, Prefix, "peb64", &Process->Peb64Address, false);
    IgTraceU64(P, Obj, Prefix, "cr3", &Process->Cr3, false);
    if (IgTraceField(Obj, "pid"))
    {
        Process->State = ProcessState(P, Process->Pid, Prefix);
    }
    IgTraceJoin(path, sizeof(path), Prefix, "state");
    state = IgTraceObject(P, Obj, Prefix, "state", NULL);
    if (state)
    {
        if (!Process->State)
        {
            IgTraceFail(P, Prefix, "state", "process state needs a pid to be kept between events");
            return;
        }
        ParseState(P, state, path, Process->State);
    }
}

static void ParseDriver(IG_PARSE *P, json_object *Obj, const char *Prefix, const INTRO_EXC_GUEST *Guest,
                        INTRO_EXC_KM_DRIVER *Driver)
{
    const char *name = IgTraceString(P, Obj, Prefix, "name", false);
    const char *section = IgTraceString(P, Obj, Prefix, "section", false);

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
    if (!IgTraceU32(P, Obj, Prefix, "hash", &Driver->NameHash, false) && !name && !P->Failed)
    {
        IgTraceFail(P, Prefix, "name", "a driver needs a name or a hash");
        return;
    }
    if (section)
    {
        if (strlen(section) > 8)
        {
            IgTraceFail(P, Prefix, "section", "section names have at most 8 characters");
            return;
        }
        strcpy(Driver->Section, section);
    }
    IgTraceU64(P, Obj, Prefix, "rip", &Driver->Rip, false);
    IgTraceU64(P, Obj, Prefix, "base", &Driver->Base, false);
    IgTraceU64(P, Obj, Prefix, "driver_object_gpa", &Driver->DriverObjectGpa, false);
}

static void ParseKernelOriginator(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "originator";
    bool originalNull = false, returnNull = false;
    json_object *original = IgTraceObject(P, Obj, prefix, "original", &originalNull);
    json_object *ret = IgTraceObject(P, Obj, prefix, "return", &returnNull);
    json_object *process = IgTraceObject(P, Obj, prefix, "process", NULL);
    const char *injection = IgTraceString(P, Obj, prefix, "injection", false);
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
    IgTraceBool(P, Obj, prefix, "entry_point", &o->IsEntryPoint);
    IgTraceBool(P, Obj, prefix, "integrity", &o->IsIntegrity);
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
            IgTraceFail(P, prefix, "injection", "expected \"user\", \"kernel\" or \"none\"");
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
    json_object *process = IgTraceObject(P, Obj, prefix, "process", NULL);
    json_object *ret = IgTraceObject(P, Obj, prefix, "return", NULL);
    const char *module = IgTraceString(P, Obj, prefix, "module", false);
    bool unnamed = false;
    INTRO_EXC_UM_ORIGINATOR *o = &V->User;

    if (!process)
    {
        if (!P->Failed)
        {
            IgTraceFail(P, prefix, "process", "missing (a user-mode originator always has a process)");
        }
        return;
    }
    ParseProcess(P, process, "originator.process", &V->Guest, &o->Process);
    IgTraceBool(P, Obj, prefix, "unnamed", &unnamed);
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
    IgTraceU32(P, Obj, prefix, "hash", &o->NameHash, false);
    IgTraceBool(P, Obj, prefix, "library", &o->Library);
    IgTraceU64(P, Obj, prefix, "rip", &o->Rip, false);
    IgTraceU32(P, Obj, prefix, "pc_type", &o->PcType, false);
    IgTraceBool(P, Obj, prefix, "execute", &o->Execute);
    if (ret)
    {
        const char *rm = IgTraceString(P, ret, "originator.return", "module", false);

        if (rm)
        {
            o->Return.NameHash = HashText(rm, true, IsWindows(P->Trace, &V->Guest));
            o->Return.Name.Text = rm;
            o->Return.Name.Length = (uint32_t)strlen(rm);
            o->Return.Name.Wide = true;
            o->Return.Library = true;
        }
        IgTraceU32(P, ret, "originator.return", "hash", &o->Return.NameHash, false);
        IgTraceU64(P, ret, "originator.return", "rip", &o->Return.Rip, false);
        IgTraceBool(P, ret, "originator.return", "library", &o->Return.Library);
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
    json_object *v = IgTraceField(Obj, Key);

    if (!v)
    {
        return false;
    }
    if (json_object_is_type(v, json_type_array))
    {
        size_t n = json_object_array_length(v);

        if (n > IG_TRACE_MAX_VALUES)
        {
            return IgTraceFail(P, "victim", Key, "at most %u QWORDs", IG_TRACE_MAX_VALUES);
        }
        for (size_t i = 0; i < n; i++)
        {
            json_object *item = json_object_array_get_idx(v, i);

            if (!json_object_is_type(item, json_type_string) || !IgTraceHex(json_object_get_string(item), &Values[i]))
            {
                char key[32];

                snprintf(key, sizeof(key), "%s[%zu]", Key, i);
                return IgTraceFail(P, "victim", key, "expected a \"0x...\" string");
            }
        }
        return true;
    }
    return IgTraceU64(P, Obj, "victim", Key, &Values[0], true);
}

static void ParseVictim(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "victim";
    INTRO_EXC_VICTIM *v = &V->Victim;
    const char *zone = IgTraceString(P, Obj, prefix, "zone", true);
    json_object *flags = IgTraceField(Obj, "flags");
    json_object *object = IgTraceField(Obj, "object");
    json_object *process = IgTraceObject(P, Obj, prefix, "process", NULL);
    json_object *library = IgTraceField(Obj, "library");
    const char *name = IgTraceString(P, Obj, prefix, "name", false);
    uint64_t zoneType = 0;

    if (!zone)
    {
        return;
    }
    if (!IgTraceLookup(gZones, sizeof(gZones) / sizeof(gZones[0]), zone, &zoneType))
    {
        IgTraceFail(P, prefix, "zone", "unknown zone \"%s\" (ept, msr, cr, integrity, process, dtr, pc)", zone);
        return;
    }
    v->ZoneType = (uint32_t)zoneType;
    v->ObjectType = v->ZoneType == INTRO_EXC_ZONE_CR ? INTRO_EXC_OBJ_CR_VICTIM : 0;
    if (flags)
    {
        if (!json_object_is_type(flags, json_type_array))
        {
            IgTraceFail(P, prefix, "flags", "expected an array of zone flag names");
            return;
        }
        for (size_t i = 0; i < json_object_array_length(flags); i++)
        {
            json_object *item = json_object_array_get_idx(flags, i);
            uint64_t bit;
            char key[32];

            snprintf(key, sizeof(key), "flags[%zu]", i);
            if (!json_object_is_type(item, json_type_string) ||
                !IgTraceLookup(gZoneFlags, sizeof(gZoneFlags) / sizeof(gZoneFlags[0]), json_object_get_string(item),
                               &bit))
            {
                IgTraceFail(P, prefix, key, "unknown zone flag %s", json_object_to_json_string(item));
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
        if (!found && (json_object_is_type(object, json_type_string) ||
                       !IgTraceU32(P, Obj, prefix, "object", &v->ObjectType, false)))
        {
            IgTraceFail(P, prefix, "object", "unknown object type %s", json_object_to_json_string(object));
            return;
        }
    }
    if (name)
    {
        v->Name.Text = name;
        v->Name.Length = (uint32_t)strlen(name);
        v->NameHash = VictimHash(V, name, &v->Name.Wide);
    }
    IgTraceU32(P, Obj, prefix, "hash", &v->NameHash, false);
    IgTraceBool(P, Obj, prefix, "wide", &v->Name.Wide);
    IgTraceU64(P, Obj, prefix, "base", &v->BaseAddress, false);
    IgTraceU64(P, Obj, prefix, "library_base", &v->LibraryBase, false);
    IgTraceU64(P, Obj, prefix, "driver_object_gpa", &v->DriverObjectGpa, false);
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
        else if (!json_object_is_type(library, json_type_boolean) ||
                 !IgTraceBool(P, Obj, prefix, "library", &v->Library))
        {
            IgTraceFail(P, prefix, "library", "expected a module name or a boolean");
            return;
        }
    }

    switch (v->ZoneType)
    {
        case INTRO_EXC_ZONE_EPT:
            IgTraceU64(P, Obj, prefix, "gva", &v->u.Ept.Gva, false);
            IgTraceU64(P, Obj, prefix, "gpa", &v->u.Ept.Gpa, false);
            break;
        case INTRO_EXC_ZONE_MSR:
            IgTraceU32(P, Obj, prefix, "msr", &v->u.Msr.Msr, true);
            IgTraceU64(P, Obj, prefix, "new_driver_base", &v->u.Msr.NewDriverBase, false);
            break;
        case INTRO_EXC_ZONE_CR:
            v->u.Cr.Cr = 4;
            IgTraceU32(P, Obj, prefix, "cr", &v->u.Cr.Cr, false);
            IgTraceBool(P, Obj, prefix, "smap", &v->u.Cr.Smap);
            IgTraceBool(P, Obj, prefix, "smep", &v->u.Cr.Smep);
            break;
        case INTRO_EXC_ZONE_DTR:
        {
            const char *dtr = IgTraceString(P, Obj, prefix, "dtr", true);

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
                IgTraceFail(P, prefix, "dtr", "expected \"idtr\" or \"gdtr\"");
            }
            break;
        }
        case INTRO_EXC_ZONE_INTEGRITY:
        {
            uint32_t index = 0;

            IgTraceU64(P, Obj, prefix, "gva", &v->u.Integrity.StartVirtualAddress, false);
            IgTraceU32(P, Obj, prefix, "offset", &v->u.Integrity.Offset, false);
            IgTraceU32(P, Obj, prefix, "total_length", &v->u.Integrity.TotalLength, false);
            if (IgTraceU32(P, Obj, prefix, "interrupt_index", &index, false))
            {
                if (index > 255)
                {
                    IgTraceFail(P, prefix, "interrupt_index", "expected 0 to 255");
                }
                v->u.Integrity.InterruptObjIndex = (uint8_t)index;
            }
            IgTraceBase64(P, Obj, prefix, "buffer", &v->u.Integrity.Buffer, &v->u.Integrity.BufferSize);
            break;
        }
        case INTRO_EXC_ZONE_PROCESS:
            IgTraceU64(P, Obj, prefix, "gva", &v->u.Injection.Gva, false);
            IgTraceU32(P, Obj, prefix, "length", &v->u.Injection.Length, false);
            IgTraceBase64(P, Obj, prefix, "buffer", &v->u.Injection.Buffer, &v->u.Injection.BufferSize);
            break;
        default:
            break;
    }

    ParseValues(P, Obj, "old", v->v.WriteInfo.OldValue);
    ParseValues(P, Obj, "new", v->v.WriteInfo.NewValue);
    ParseValues(P, Obj, "read", v->v.ReadInfo.Value);
    if (IgTraceU32(P, Obj, prefix, "size", &v->v.WriteInfo.AccessSize, false) && v->v.WriteInfo.AccessSize > 64)
    {
        IgTraceFail(P, prefix, "size", "access sizes are 1 to 64 bytes");
    }
    IgTraceU64(P, Obj, prefix, "rsp", &v->v.ExecInfo.Rsp, false);
}

/* Guest-physical memory of a trace: the pages of the current violation, nothing else. */

/* ---- guest memory ------------------------------------------------------------------------------------------ */

#define IG_TRACE_PAGE 0x1000u
#define IG_CR0_PE 0x1ull
#define IG_CR0_PG 0x80000000ull
#define IG_CR4_PSE 0x10ull
#define IG_CR4_PAE 0x20ull
#define IG_CR4_LA57 0x1000ull
#define IG_EFER_LME 0x100ull
#define IG_EFER_LMA 0x400ull

/* "memory.paging" as the control registers that select it (the library's page walk reads them). */
static const struct
{
    const char *Name;
    uint64_t Cr0, Cr4, Efer;
} gPagingModes[] = {
    {"none", IG_CR0_PE, 0, 0},
    {"32-bit", IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE, 0},
    {"pae", IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE | IG_CR4_PAE, 0},
    {"4-level", IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE | IG_CR4_PAE, IG_EFER_LME | IG_EFER_LMA},
    {"5-level", IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE | IG_CR4_PAE | IG_CR4_LA57, IG_EFER_LME | IG_EFER_LMA},
};
#define IG_TRACE_DEFAULT_PAGING 3u /* 4-level */

/* vCPU 0 of the replay guest in paging mode Mode (an index into gPagingModes). */
static void SetPaging(IG_PARSE *P, uint32_t Mode)
{
    INTRO_BACKEND_REGS regs;

    if (!P->Trace->Replay)
    {
        return;
    }
    memset(&regs, 0, sizeof(regs));
    regs.Arch.Cr0 = gPagingModes[Mode].Cr0;
    regs.Arch.Cr4 = gPagingModes[Mode].Cr4;
    regs.Efer = gPagingModes[Mode].Efer;
    regs.Msrs = INTRO_BACKEND_MSR_EFER;
    if (!INT_SUCCESS(IntReplaySetRegisters(P->Trace->Replay, 0, &regs)))
    {
        IgTraceFail(P, "memory", "paging", "the replay guest has no vCPU 0");
    }
}

/* "paging": how the violation's page tables are walked. */
static void ParsePaging(IG_PARSE *P, json_object *Obj)
{
    const char *paging = IgTraceString(P, Obj, "memory", "paging", false);

    if (!paging)
    {
        return;
    }
    for (uint32_t i = 0; i < sizeof(gPagingModes) / sizeof(gPagingModes[0]); i++)
    {
        if (strcmp(gPagingModes[i].Name, paging) == 0)
        {
            SetPaging(P, i);
            return;
        }
    }
    IgTraceFail(P, "memory", "paging", "unknown paging \"%s\" (none, 32-bit, pae, 4-level, 5-level)", paging);
}

/* "pages": guest-physical pages ({gpa, data}) the code is read from through the page tables. */
static bool ParsePages(IG_PARSE *P, json_object *Pages)
{
    IG_TRACE *t = P->Trace;

    if (!json_object_is_type(Pages, json_type_array) || json_object_array_length(Pages) > IG_TRACE_MAX_PAGES)
    {
        IgTraceFail(P, "memory", "pages", "expected an array of at most %u {gpa, data} objects", IG_TRACE_MAX_PAGES);
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
            IgTraceFail(P, path, "", "expected an object");
            return false;
        }
        if (!IgTraceU64(P, item, path, "gpa", &gpa, true))
        {
            return false;
        }
        if ((gpa & (IG_TRACE_PAGE - 1)) != 0)
        {
            IgTraceFail(P, path, "gpa", "not page-aligned");
            return false;
        }
        if (!IgTraceBase64(P, item, path, "data", &data, &size))
        {
            if (!P->Failed)
            {
                IgTraceFail(P, path, "data", "missing");
            }
            return false;
        }
        if (size != IG_TRACE_PAGE)
        {
            IgTraceFail(P, path, "data", "a page is %u bytes, not %u", IG_TRACE_PAGE, size);
            return false;
        }
        if (t->Replay)
        {
            INTSTATUS status = IntReplayAddPage(t->Replay, gpa, data);

            if (!INT_SUCCESS(status))
            {
                IgTraceFail(P, path, "gpa", "%s",
                            status == INT_STATUS_INVALID_PARAMETER_2 ? "beyond the 52-bit guest-physical address space"
                                                                     : "out of memory");
                return false;
            }
        }
        t->BufferUsed--; /* the page is copied: its decoding buffer is free again */
    }
    return !P->Failed;
}

/* "code": bytes recorded by virtual address, read when the page walk finds nothing. */
static void ParseCode(IG_PARSE *P, json_object *Code, INTRO_EXC_MEMORY *M)
{
    if (!json_object_is_type(Code, json_type_array) || json_object_array_length(Code) > IG_TRACE_MAX_CODE_RANGES)
    {
        IgTraceFail(P, "memory", "code", "expected an array of at most %u {gva, data, cr3} objects",
                    IG_TRACE_MAX_CODE_RANGES);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(Code) && !P->Failed; i++)
    {
        json_object *item = json_object_array_get_idx(Code, i);
        INTRO_EXC_CODE_BYTES *range = &P->Trace->Code[i];
        const void *data = NULL;
        uint32_t size = 0;
        char path[96];

        snprintf(path, sizeof(path), "memory.code[%zu]", i);
        memset(range, 0, sizeof(*range));
        if (!json_object_is_type(item, json_type_object))
        {
            IgTraceFail(P, path, "", "expected an object");
            return;
        }
        IgTraceU64(P, item, path, "gva", &range->Gva, true);
        IgTraceU64(P, item, path, "cr3", &range->Cr3, false);
        if (!IgTraceBase64(P, item, path, "data", &data, &size) && !P->Failed)
        {
            IgTraceFail(P, path, "data", "missing");
        }
        range->Bytes = data;
        range->Length = size;
    }
    M->Bytes = P->Trace->Code;
    M->BytesCount = (uint32_t)json_object_array_length(Code);
}

/*
 * "memory": the guest code the code-reading signatures use: the CPU mode and the address spaces
 * (in the violation), the guest-physical pages and paging mode (to the replay backend, where the
 * library walks them), and bytes recorded by virtual address (in the violation).
 */
static void ParseMemory(IG_PARSE *P, json_object *Obj, INTRO_EXC_VIOLATION *V)
{
    static const char prefix[] = "memory";
    INTRO_EXC_MEMORY *m = &V->Memory;
    json_object *pages = IgTraceField(Obj, "pages");
    json_object *code = IgTraceField(Obj, "code");
    uint32_t bits = 0;

    if (IgTraceU32(P, Obj, prefix, "cs", &bits, false))
    {
        if (bits != 32 && bits != 64)
        {
            IgTraceFail(P, prefix, "cs", "expected 32 or 64");
            return;
        }
        m->CsType = bits == 64 ? 3u : 2u; /* IG_CS_TYPE_64B / IG_CS_TYPE_32B */
    }
    IgTraceU64(P, Obj, prefix, "system_cr3", &m->SystemCr3, false);
    IgTraceU64(P, Obj, prefix, "current_cr3", &m->CurrentCr3, false);
    ParsePaging(P, Obj);
    if (pages && !P->Failed)
    {
        ParsePages(P, pages);
    }
    if (code && !P->Failed)
    {
        ParseCode(P, code, m);
    }
}

void IgTraceParseViolation(IG_PARSE *P, json_object *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_EXC_VIOLATION *v = &Rec->Violation;
    const char *kind = IgTraceString(P, Obj, "", "kind", true);
    json_object *guest = IgTraceObject(P, Obj, "", "guest", NULL);
    json_object *originator = IgTraceObject(P, Obj, "", "originator", NULL);
    json_object *victim = IgTraceObject(P, Obj, "", "victim", NULL);

    memset(v, 0, sizeof(*v));
    v->Guest = P->Trace->Guest;
    /* A violation's memory is its own: the previous one's pages and paging mode go. */
    if (P->Trace->Replay)
    {
        IntReplayClearPages(P->Trace->Replay);
    }
    SetPaging(P, IG_TRACE_DEFAULT_PAGING);
    if (guest)
    {
        IgTraceParseGuest(P, guest, "guest", &v->Guest);
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
        IgTraceFail(P, "", "kind", "unknown kind \"%s\" (kernel, user, kernel-user)", kind);
        return;
    }
    if (!originator)
    {
        IgTraceFail(P, "", "originator", "missing");
        return;
    }
    if (!victim)
    {
        IgTraceFail(P, "", "victim", "missing");
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
        json_object *memory = IgTraceObject(P, Obj, "", "memory", NULL);

        if (memory && !P->Failed)
        {
            ParseMemory(P, memory, v);
        }
    }
}
