/*
 * introguard replay traces: `violation` records (docs/trace-format.md) into the public violation
 * model, and the guest memory they carry into the replay backend.
 */
#include <stdlib.h>
#include <string.h>

#include "introguard/intro_exc_keywords.h"
#include "introguard/intro_names.h"
#include "trace_int.h"

/* ---- names and hashes ---------------------------------------------------------------------------------- */

/*
 * A name as hvmi's runtime hashes it for what it names (intro_names.h): process names short and
 * 8-bit, Windows modules lower-cased UTF-16, Linux module names 8-bit as given.
 */
static uint32_t NameHash(const INTRO_EXC_GUEST *Guest, uint32_t Kind, const char *Text)
{
    uint32_t os = Guest->Os == INTRO_EXC_OS_LINUX ? INTRO_EXC_OS_LINUX : INTRO_EXC_OS_WINDOWS;
    uint32_t hash = INTRO_EXC_NO_NAME;

    if (os == INTRO_EXC_OS_LINUX && Kind == INTRO_NAME_DRIVER_OBJECT)
    {
        Kind = INTRO_NAME_EXACT; /* Linux has no driver objects: the name as given */
    }
    if (!INT_SUCCESS(IntNameHash(os, Kind, Text, strlen(Text), 0, &hash)))
    {
        return INTRO_EXC_NO_NAME;
    }
    return hash;
}

/* A string naming one of Table's entries, into *Value; an unknown one is an error on Key. */
static bool Keyword(IG_PARSE *P, const IG_JSON_VALUE *Item, const char *Prefix, const char *Key,
                    const INTRO_EXC_KEYWORD_TABLE *Table, uint64_t *Value)
{
    if (Item->Type == IgJsonString && IntExcKeywordFind(Table, Item->Text, Item->Length, Value))
    {
        return true;
    }
    return IgTraceFail(P, Prefix, Key, "unknown %s %s%s%s", Table->Name, Item->Type == IgJsonString ? "\"" : "",
                       Item->Type == IgJsonString ? Item->Text : IgJsonTypeName(Item->Type),
                       Item->Type == IgJsonString ? "\"" : "");
}

/* ---- records ---------------------------------------------------------------------------------------------------- */

void IgTraceParseGuest(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, INTRO_EXC_GUEST *Guest)
{
    const char *os = IgTraceString(P, Obj, Prefix, "os", false);
    const IG_JSON_VALUE *version = IgTraceField(Obj, "os_version");
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
    if (version && (version->Type == IgJsonString) && Guest->Os == INTRO_EXC_OS_LINUX)
    {
        unsigned v, p, s;
        char tail;

        if (sscanf(version->Text, "%u.%u.%u%c", &v, &p, &s, &tail) != 3 || v > 255 || p > 255 || s > 65535)
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

static void ParseState(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, INTRO_EXC_PROCESS_STATE *S)
{
    IgTraceBool(P, Obj, Prefix, "one_time_done", &S->OneTimeInjectionDone);
    IgTraceBool(P, Obj, Prefix, "start_initializing", &S->StartInitializing);
    IgTraceBool(P, Obj, Prefix, "initialized", &S->Initialized);
    IgTraceBool(P, Obj, Prefix, "last_peb_write_done", &S->LastPebWriteDone);
    IgTraceBool(P, Obj, Prefix, "peb32_context_written", &S->Peb32ContextWritten);
    IgTraceBool(P, Obj, Prefix, "peb64_context_written", &S->Peb64ContextWritten);
    IgTraceBool(P, Obj, Prefix, "apphelp_injected", &S->InjectedApphelp);
    IgTraceU64(P, Obj, Prefix, "apphelp_address", &S->InjectedApphelpAddress, false);
    IgTraceU32(P, Obj, Prefix, "apphelp_size", &S->InjectedApphelpSize, false);
    IgTraceU32(P, Obj, Prefix, "injections", &S->InjectionsCount, false);
    IgTraceU32(P, Obj, Prefix, "peb_writes", &S->PebWrittenCount, false);
}

static void ParseProcess(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const INTRO_EXC_GUEST *Guest,
                         INTRO_EXC_PROCESS *Process)
{
    char path[96];
    const char *name = IgTraceString(P, Obj, Prefix, "name", false);
    const char *exe = IgTraceString(P, Obj, Prefix, "path", false);
    const char *cmd = IgTraceString(P, Obj, Prefix, "command_line", false);
    const IG_JSON_VALUE *state;

    memset(Process, 0, sizeof(*Process));
    Process->Present = true;
    if (name)
    {
        Process->Name = name;
        Process->NameLength = (uint32_t)strlen(name);
        Process->NameHash = NameHash(Guest, INTRO_NAME_PROCESS, name);
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

static void ParseDriver(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const INTRO_EXC_GUEST *Guest,
                        INTRO_EXC_KM_DRIVER *Driver)
{
    const char *name = IgTraceString(P, Obj, Prefix, "name", false);
    const char *section = IgTraceString(P, Obj, Prefix, "section", false);

    memset(Driver, 0, sizeof(*Driver));
    Driver->Present = true;
    Driver->NameHash = INTRO_EXC_NO_NAME;
    /* "driver": false — no driver holds the RIP; the side keeps its RIP and, if given, a hash. */
    if (IgTraceBool(P, Obj, Prefix, "driver", &Driver->Present) && !Driver->Present)
    {
        if (name || section)
        {
            IgTraceFail(P, Prefix, name ? "name" : "section", "a side with no driver has no name or section");
            return;
        }
        IgTraceU32(P, Obj, Prefix, "hash", &Driver->NameHash, false);
        IgTraceU64(P, Obj, Prefix, "rip", &Driver->Rip, false);
        return;
    }
    if (name)
    {
        Driver->Name.Text = name;
        Driver->Name.Length = (uint32_t)strlen(name);
        Driver->Name.Wide = true;
        /* "[kernel]" and "[hal]" name the special values; Linux module names hash as 8-bit text. */
        Driver->NameHash = NameHash(Guest, INTRO_NAME_KERNEL_MODULE, name);
        Driver->Name.Wide = Guest->Os != INTRO_EXC_OS_LINUX;
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

static void ParseKernelOriginator(IG_PARSE *P, const IG_JSON_VALUE *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "originator";
    bool originalNull = false, returnNull = false;
    const IG_JSON_VALUE *original = IgTraceObject(P, Obj, prefix, "original", &originalNull);
    const IG_JSON_VALUE *ret = IgTraceObject(P, Obj, prefix, "return", &returnNull);
    const IG_JSON_VALUE *process = IgTraceObject(P, Obj, prefix, "process", NULL);
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

static void ParseUserOriginator(IG_PARSE *P, const IG_JSON_VALUE *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "originator";
    const IG_JSON_VALUE *process = IgTraceObject(P, Obj, prefix, "process", NULL);
    const IG_JSON_VALUE *ret = IgTraceObject(P, Obj, prefix, "return", NULL);
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
        o->NameHash = NameHash(&V->Guest, INTRO_NAME_USER_MODULE, module);
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
            o->Return.NameHash = NameHash(&V->Guest, INTRO_NAME_USER_MODULE, rm);
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

/*
 * How a victim's "name" is hashed, by what it names (docs/hashing.md).  Special names ("[kernel]",
 * "[hal]", Linux "[vdso]", "[vsyscall]") mean their special values only where the name rule of that
 * kind has them; a "hash" field gives any plain hash instead.
 */
static uint32_t VictimHash(const INTRO_EXC_VIOLATION *V, const char *Name, bool *Wide)
{
    uint32_t t = V->Victim.ObjectType;
    uint32_t kind = INTRO_NAME_PROCESS;

    if (t == INTRO_EXC_OBJ_SUD_INTEGRITY)
    {
        kind = INTRO_NAME_EXACT;
    }
    else if (t == INTRO_EXC_OBJ_UM_MODULE || V->Kind == INTRO_EXC_KIND_KERNEL_USER)
    {
        kind = INTRO_NAME_USER_MODULE;
    }
    else if (t == INTRO_EXC_OBJ_DRIVER_OBJECT || t == INTRO_EXC_OBJ_FAST_IO_DISPATCH)
    {
        kind = INTRO_NAME_DRIVER_OBJECT;
    }
    else if (V->Kind == INTRO_EXC_KIND_KERNEL)
    {
        kind = INTRO_NAME_KERNEL_MODULE; /* a kernel victim is named by the module that holds it */
    }
    *Wide = kind != INTRO_NAME_PROCESS && kind != INTRO_NAME_EXACT && V->Guest.Os != INTRO_EXC_OS_LINUX;
    return NameHash(&V->Guest, kind, Name);
}

static bool ParseValues(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Key, uint64_t *Values)
{
    const IG_JSON_VALUE *v = IgTraceField(Obj, Key);

    if (!v)
    {
        return false;
    }
    if ((v->Type == IgJsonArray))
    {
        size_t n = v->Count;

        if (n > IG_TRACE_MAX_VALUES)
        {
            return IgTraceFail(P, "victim", Key, "at most %u QWORDs", IG_TRACE_MAX_VALUES);
        }
        for (size_t i = 0; i < n; i++)
        {
            const IG_JSON_VALUE *item = v->Items[i];

            if (!(item->Type == IgJsonString) || !IgTraceHex(item->Text, &Values[i]))
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

/* The fields of the victim's zone arm (the union of INTRO_EXC_VICTIM). */
static void ParseZoneFields(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *prefix, INTRO_EXC_VICTIM *v)
{
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
}

static void ParseVictim(IG_PARSE *P, const IG_JSON_VALUE *Obj, INTRO_EXC_VIOLATION *V)
{
    const char *prefix = "victim";
    INTRO_EXC_VICTIM *v = &V->Victim;
    const char *zone = IgTraceString(P, Obj, prefix, "zone", true);
    const IG_JSON_VALUE *flags = IgTraceField(Obj, "flags");
    const IG_JSON_VALUE *object = IgTraceField(Obj, "object");
    const IG_JSON_VALUE *process = IgTraceObject(P, Obj, prefix, "process", NULL);
    const IG_JSON_VALUE *library = IgTraceField(Obj, "library");
    const char *name = IgTraceString(P, Obj, prefix, "name", false);
    uint64_t zoneType = 0;

    if (!zone)
    {
        return;
    }
    if (!IntExcKeywordFind(IntExcZoneNames(), zone, strlen(zone), &zoneType))
    {
        IgTraceFail(P, prefix, "zone", "unknown zone \"%s\" (ept, msr, cr, integrity, process, dtr, pc)", zone);
        return;
    }
    v->ZoneType = (uint32_t)zoneType;
    v->ObjectType = v->ZoneType == INTRO_EXC_ZONE_CR ? INTRO_EXC_OBJ_CR_VICTIM : 0;
    if (flags)
    {
        if (!(flags->Type == IgJsonArray))
        {
            IgTraceFail(P, prefix, "flags", "expected an array of zone flag names");
            return;
        }
        for (size_t i = 0; i < flags->Count; i++)
        {
            uint64_t bit = 0;
            char key[32];

            snprintf(key, sizeof(key), "flags[%zu]", i);
            if (!Keyword(P, flags->Items[i], prefix, key, IntExcZoneFlagNames(), &bit))
            {
                return;
            }
            v->ZoneFlags |= bit;
        }
    }
    if (object)
    {
        uint64_t type = 0;

        /* An object type by name, or by number (a "0x..." string or an integer). */
        if (object->Type == IgJsonString && !IgTraceHex(object->Text, &type))
        {
            if (!Keyword(P, object, prefix, "object", IntExcObjectTypeNames(), &type))
            {
                return;
            }
            v->ObjectType = (uint32_t)type;
        }
        else if (!IgTraceU32(P, Obj, prefix, "object", &v->ObjectType, false))
        {
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
        if ((library->Type == IgJsonString))
        {
            v->Library = true;
            v->LibraryNameHash = NameHash(&V->Guest, INTRO_NAME_USER_MODULE, library->Text);
        }
        else if (!(library->Type == IgJsonBool) || !IgTraceBool(P, Obj, prefix, "library", &v->Library))
        {
            IgTraceFail(P, prefix, "library", "expected a module name or a boolean");
            return;
        }
    }
    if (IgTraceU32(P, Obj, prefix, "library_hash", &v->LibraryNameHash, false))
    {
        v->Library = true; /* a plain hash for the library, whatever its name would hash to */
    }

    ParseZoneFields(P, Obj, prefix, v);

    ParseValues(P, Obj, "old", v->v.WriteInfo.OldValue);
    ParseValues(P, Obj, "new", v->v.WriteInfo.NewValue);
    ParseValues(P, Obj, "read", v->v.ReadInfo.Value);
    if (IgTraceU32(P, Obj, prefix, "size", &v->v.WriteInfo.AccessSize, false) && v->v.WriteInfo.AccessSize > 64)
    {
        IgTraceFail(P, prefix, "size", "access sizes are 1 to 64 bytes");
    }
    IgTraceU64(P, Obj, prefix, "rsp", &v->v.ExecInfo.Rsp, false);
    /* The read size and the execution stack by name; they share storage with old/new, as in hvmi. */
    if (IgTraceU32(P, Obj, prefix, "read_size", &v->v.ReadInfo.AccessSize, false) && v->v.ReadInfo.AccessSize > 64)
    {
        IgTraceFail(P, prefix, "read_size", "access sizes are 1 to 64 bytes");
    }
    IgTraceU64(P, Obj, prefix, "stack_base", &v->v.ExecInfo.StackBase, false);
    IgTraceU64(P, Obj, prefix, "stack_limit", &v->v.ExecInfo.StackLimit, false);
    IgTraceU32(P, Obj, prefix, "exec_length", &v->v.ExecInfo.Length, false);
}

/* ---- guest memory ------------------------------------------------------------------------------------------ */

/* "paging": how the violation's page tables are walked (INTRO_REPLAY_PAGING_*, or IG_TRACE_PAGING_NONE). */
static void ParsePaging(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    const char *paging = IgTraceString(P, Obj, "memory", "paging", false);

    if (paging && !IgTracePagingByName(paging, &Rec->Paging))
    {
        IgTraceFail(P, "memory", "paging", "unknown paging \"%s\" (none, 32-bit, pae, 4-level, 5-level)", paging);
    }
}

/* "pages": guest-physical pages ({gpa, data}) the code is read from through the page tables. */
static bool ParsePages(IG_PARSE *P, const IG_JSON_VALUE *Pages, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;

    if (Pages->Type != IgJsonArray || Pages->Count > IG_TRACE_MAX_PAGES)
    {
        IgTraceFail(P, "memory", "pages", "expected an array of at most %u {gpa, data} objects", IG_TRACE_MAX_PAGES);
        return false;
    }
    for (size_t i = 0; i < Pages->Count && !P->Failed; i++)
    {
        const IG_JSON_VALUE *item = Pages->Items[i];
        uint32_t size = 0;
        uint64_t gpa = 0;
        char path[96];

        snprintf(path, sizeof(path), "memory.pages[%zu]", i);
        if (item->Type != IgJsonObject)
        {
            return IgTraceFail(P, path, "", "expected an object");
        }
        if (!IgTraceU64(P, item, path, "gpa", &gpa, true))
        {
            return false;
        }
        if ((gpa & 0xFFF) != 0)
        {
            return IgTraceFail(P, path, "gpa", "not page-aligned");
        }
        if (!IgTraceBase64Into(P, item, path, "data", t->PageData[i], sizeof(t->PageData[i]), &size))
        {
            return P->Failed ? false : IgTraceFail(P, path, "data", "missing");
        }
        if (size != sizeof(t->PageData[i]))
        {
            return IgTraceFail(P, path, "data", "a page is %zu bytes, not %u", sizeof(t->PageData[i]), size);
        }
        t->Pages[i].Gpa = gpa;
        t->Pages[i].Data = t->PageData[i];
    }
    Rec->Pages = t->Pages;
    Rec->PageCount = (uint32_t)Pages->Count;
    return !P->Failed;
}

/* "code": bytes recorded by virtual address, read when the page walk finds nothing. */
static void ParseCode(IG_PARSE *P, const IG_JSON_VALUE *Code, INTRO_EXC_MEMORY *M)
{
    if (!(Code->Type == IgJsonArray) || Code->Count > IG_TRACE_MAX_CODE_RANGES)
    {
        IgTraceFail(P, "memory", "code", "expected an array of at most %u {gva, data, cr3} objects",
                    IG_TRACE_MAX_CODE_RANGES);
        return;
    }
    for (size_t i = 0; i < Code->Count && !P->Failed; i++)
    {
        const IG_JSON_VALUE *item = Code->Items[i];
        INTRO_EXC_CODE_BYTES *range = &P->Trace->Code[i];
        const void *data = NULL;
        uint32_t size = 0;
        char path[96];

        snprintf(path, sizeof(path), "memory.code[%zu]", i);
        memset(range, 0, sizeof(*range));
        if (!(item->Type == IgJsonObject))
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
    M->BytesCount = (uint32_t)Code->Count;
}

/*
 * "memory": the guest code the code-reading signatures use: the CPU mode and the address spaces
 * and bytes recorded by virtual address (in the violation), the guest-physical pages and paging
 * mode (in the record: the runner declares them to the replay guest, where the library walks them).
 */
static void ParseMemory(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_EXC_VIOLATION *V = &Rec->Violation;
    static const char prefix[] = "memory";
    INTRO_EXC_MEMORY *m = &V->Memory;
    const IG_JSON_VALUE *pages = IgTraceField(Obj, "pages");
    const IG_JSON_VALUE *code = IgTraceField(Obj, "code");
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
    ParsePaging(P, Obj, Rec);
    if (pages && !P->Failed)
    {
        ParsePages(P, pages, Rec);
    }
    if (code && !P->Failed)
    {
        ParseCode(P, code, m);
    }
}

void IgTraceParseViolation(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_EXC_VIOLATION *v = &Rec->Violation;
    const char *kind = IgTraceString(P, Obj, "", "kind", true);
    const IG_JSON_VALUE *guest = IgTraceObject(P, Obj, "", "guest", NULL);
    const IG_JSON_VALUE *originator = IgTraceObject(P, Obj, "", "originator", NULL);
    const IG_JSON_VALUE *victim = IgTraceObject(P, Obj, "", "victim", NULL);

    memset(v, 0, sizeof(*v));
    v->Guest = P->Trace->Header.Guest;
    if (P->Trace->Header.Version >= 2)
    {
        /* Version 2: the guest's bitness and kernel address space unless `memory` says otherwise. */
        v->Memory.CsType = v->Guest.Guest64 ? 3u : 2u;
        v->Memory.SystemCr3 = P->Trace->Header.SystemCr3;
    }
    if (guest)
    {
        uint32_t os = v->Guest.Os;

        IgTraceParseGuest(P, guest, "guest", &v->Guest);
        if (v->Guest.Os != os)
        {
            /* The rules were loaded for the header's OS: a violation cannot change it. */
            IgTraceFail(P, "guest", "os", "the trace's guest is %s; one event cannot be another OS",
                        os == INTRO_EXC_OS_LINUX ? "linux" : "windows");
            return;
        }
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
        const IG_JSON_VALUE *memory = IgTraceObject(P, Obj, "", "memory", NULL);

        if (memory && !P->Failed)
        {
            ParseMemory(P, memory, Rec);
        }
    }
}
