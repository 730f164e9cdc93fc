/*
 * The guest description of introguard-xend (guest_json.h), read with json-c.
 *
 *     {"os": "windows", "os_version": 19041, "bits": 64, "system_cr3": "0x1aa000",
 *      "processes": [{"pid": 4, "name": "System", "cr3": "0x1aa000"}],
 *      "modules": [{"name": "ntoskrnl.exe", "base": "0xfffff80000000000", "size": "0xa00000",
 *                   "kernel": true, "sections": [{"name": ".text", "rva": "0x1000", "size": "0x4000",
 *                   "flags": ["code", "execute"]}]}],
 *      "zones": [{"kind": "memory", "object": "km-module", "access": ["write"],
 *                 "gva": "0xfffff80000001000", "size": "0x4000", "owner": "0xfffff80000000000"},
 *                {"kind": "msr", "msr": "0xc0000082"}, {"kind": "cr", "cr": 4}, {"kind": "dtr", "dtr": "idtr"}]}
 *
 * 64-bit values are "0x..." strings (JSON numbers lose precision past 2^53) or small integers.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_json.h"
#include "introguard/intro_exc_keywords.h"

typedef struct XEND_PARSE
{
    const char *Path;
    char *Error;
    size_t ErrorSize;
    bool Failed;
} XEND_PARSE;

static bool Fail(XEND_PARSE *P, const char *Where, const char *Format, ...) __attribute__((format(printf, 3, 4)));

static bool Fail(XEND_PARSE *P, const char *Where, const char *Format, ...)
{
    char what[256];
    va_list ap;

    if (!P->Failed)
    {
        va_start(ap, Format);
        vsnprintf(what, sizeof(what), Format, ap);
        va_end(ap);
        snprintf(P->Error, P->ErrorSize, "%s: %s: %s", P->Path, Where, what);
        P->Failed = true;
    }
    return false;
}

/* A number: "0x..." or a non-negative integer.  Absent: false (and a failure when Required). */
static bool U64(XEND_PARSE *P, json_object *Obj, const char *Where, const char *Key, QWORD *Value, bool Required)
{
    json_object *v = NULL;
    char *end = NULL;
    const char *text;

    if (!json_object_object_get_ex(Obj, Key, &v))
    {
        return Required ? Fail(P, Where, "\"%s\" is missing", Key) : false;
    }
    if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
    {
        *Value = (QWORD)json_object_get_int64(v);
        return true;
    }
    text = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    errno = 0;
    if (!text || strncmp(text, "0x", 2) != 0 || (*Value = strtoull(text + 2, &end, 16), errno) || *end ||
        end == text + 2)
    {
        return Fail(P, Where, "\"%s\" must be a \"0x...\" string or a non-negative integer", Key);
    }
    return true;
}

static DWORD U32(XEND_PARSE *P, json_object *Obj, const char *Where, const char *Key, bool Required)
{
    QWORD value = 0;

    if (U64(P, Obj, Where, Key, &value, Required) && value > 0xFFFFFFFFull)
    {
        Fail(P, Where, "\"%s\" does not fit in 32 bits", Key);
    }
    return (DWORD)value;
}

static const char *Text(XEND_PARSE *P, json_object *Obj, const char *Where, const char *Key, bool Required)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(Obj, Key, &v))
    {
        return Required ? (Fail(P, Where, "\"%s\" is missing", Key), NULL) : NULL;
    }
    if (!json_object_is_type(v, json_type_string))
    {
        return Fail(P, Where, "\"%s\" must be a string", Key), NULL;
    }
    return json_object_get_string(v);
}

static bool Flag(json_object *Obj, const char *Key)
{
    json_object *v = NULL;

    return json_object_object_get_ex(Obj, Key, &v) && json_object_get_boolean(v);
}

/* An array of names, each the bit Names[i] stands for. */
static DWORD Bits(XEND_PARSE *P, json_object *Obj, const char *Where, const char *Key, const char *const *Names,
                  size_t Count)
{
    json_object *array = NULL;
    DWORD bits = 0;

    if (!json_object_object_get_ex(Obj, Key, &array))
    {
        return 0;
    }
    for (size_t i = 0; json_object_is_type(array, json_type_array) && i < json_object_array_length(array); i++)
    {
        const char *name = json_object_get_string(json_object_array_get_idx(array, i));
        size_t n = 0;

        while (n < Count && (!name || strcmp(name, Names[n]) != 0))
        {
            n++;
        }
        if (n == Count)
        {
            Fail(P, Where, "\"%s\": unknown name \"%s\"", Key, name ? name : "");
            return 0;
        }
        bits |= 1u << n;
    }
    return bits;
}

/* The array Key of Root (absent: empty), capped. */
static size_t Items(XEND_PARSE *P, json_object *Root, const char *Key, json_object **Array)
{
    *Array = NULL;
    if (!json_object_object_get_ex(Root, Key, Array))
    {
        return 0;
    }
    if (!json_object_is_type(*Array, json_type_array) || json_object_array_length(*Array) > XEND_MAX_ITEMS)
    {
        Fail(P, Key, "must be an array of at most %u objects", XEND_MAX_ITEMS);
        return 0;
    }
    return json_object_array_length(*Array);
}

/* {"rva", "size"} of a directory (imports, exports, resources). */
static void Directory(XEND_PARSE *P, json_object *Obj, const char *Where, const char *Key, DWORD *Rva, DWORD *Size)
{
    json_object *dir = NULL;

    if (json_object_object_get_ex(Obj, Key, &dir))
    {
        *Rva = U32(P, dir, Where, "rva", true);
        *Size = U32(P, dir, Where, "size", true);
    }
}

static void ParseModule(XEND_PARSE *P, json_object *Obj, const char *Where, XEND_MODULE *M)
{
    static const char *const flags[] = {"code", "execute", "write", "init"};
    json_object *sections = NULL;
    const char *name = Text(P, Obj, Where, "name", true);
    QWORD value = 0;

    M->Pid = INTRO_GUEST_KERNEL;
    if (U64(P, Obj, Where, "pid", &value, false))
    {
        M->Pid = (DWORD)value;
    }
    M->Module.StructSize = sizeof(M->Module);
    M->Module.Name = name;
    M->Module.NameLength = name ? (DWORD)strlen(name) : 0;
    U64(P, Obj, Where, "base", &M->Module.Base, true);
    U64(P, Obj, Where, "size", &M->Module.ImageSize, true);
    U64(P, Obj, Where, "entry", &M->Module.EntryPoint, false);
    U64(P, Obj, Where, "driver_object_gpa", &M->Module.DriverObjectGpa, false);
    Directory(P, Obj, Where, "imports", &M->Module.ImportsRva, &M->Module.ImportsSize);
    Directory(P, Obj, Where, "exports", &M->Module.ExportsRva, &M->Module.ExportsSize);
    Directory(P, Obj, Where, "resources", &M->Module.ResourcesRva, &M->Module.ResourcesSize);
    M->Module.Flags = (Flag(Obj, "kernel") ? INTRO_MODULE_KERNEL_IMAGE : 0) | (Flag(Obj, "hal") ? INTRO_MODULE_HAL : 0);
    if (json_object_object_get_ex(Obj, "sections", &sections))
    {
        size_t count = json_object_is_type(sections, json_type_array) ? json_object_array_length(sections) : 0;

        if (count > INTRO_GUEST_MAX_SECTIONS)
        {
            Fail(P, Where, "at most %u sections", INTRO_GUEST_MAX_SECTIONS);
            return;
        }
        for (size_t i = 0; i < count; i++)
        {
            json_object *s = json_object_array_get_idx(sections, i);
            const char *sname = Text(P, s, Where, "name", true);

            strncpy(M->Sections[i].Name, sname ? sname : "", sizeof(M->Sections[i].Name));
            M->Sections[i].Rva = U32(P, s, Where, "rva", true);
            M->Sections[i].Size = U32(P, s, Where, "size", true);
            M->Sections[i].Flags = Bits(P, s, Where, "flags", flags, 4);
        }
        M->Module.Sections = M->Sections;
        M->Module.SectionCount = (DWORD)count;
    }
}

static void ParseProcess(XEND_PARSE *P, json_object *Obj, const char *Where, INTRO_GUEST_PROCESS *Process)
{
    const char *name = Text(P, Obj, Where, "name", true);
    const char *path = Text(P, Obj, Where, "path", false);
    const char *cmd = Text(P, Obj, Where, "command_line", false);

    Process->StructSize = sizeof(*Process);
    Process->Pid = U32(P, Obj, Where, "pid", true);
    Process->ParentPid = U32(P, Obj, Where, "parent", false);
    Process->Name = name;
    Process->NameLength = name ? (DWORD)strlen(name) : 0;
    Process->Path = path;
    Process->PathLength = path ? (DWORD)strlen(path) : 0;
    Process->CommandLine = cmd;
    Process->CommandLineLength = cmd ? (DWORD)strlen(cmd) : 0;
    U64(P, Obj, Where, "cr3", &Process->Cr3, true);
    U64(P, Obj, Where, "address", &Process->Address, false);
    U64(P, Obj, Where, "parent_address", &Process->ParentAddress, false);
    U64(P, Obj, Where, "peb32", &Process->Peb32, false);
    U64(P, Obj, Where, "peb64", &Process->Peb64, false);
    Process->Flags = (Flag(Obj, "wow64") ? INTRO_PROCESS_WOW64 : 0) | (Flag(Obj, "system") ? INTRO_PROCESS_SYSTEM : 0);
}

static void ParseZone(XEND_PARSE *P, json_object *Obj, const char *Where, INTRO_GUEST_ZONE *Z)
{
    static const char *const access[] = {"read", "write", "execute"};
    const char *kind = Text(P, Obj, Where, "kind", true);
    const char *object = NULL, *dtr = NULL, *name = NULL;
    uint64_t type = 0;
    QWORD value = 0;

    Z->StructSize = sizeof(*Z);
    Z->Pid = INTRO_GUEST_KERNEL;
    Z->Flags = Flag(Obj, "feedback_only") ? INTRO_ZONE_FEEDBACK_ONLY : 0;
    if (!kind)
    {
        return;
    }
    if (strcmp(kind, "memory") == 0)
    {
        Z->Kind = introZoneMemory;
        object = Text(P, Obj, Where, "object", true);
        if (object && !IntExcKeywordFind(IntExcObjectTypeNames(), object, strlen(object), &type))
        {
            Fail(P, Where, "unknown object type \"%s\"", object);
        }
        Z->ObjectType = (DWORD)type;
        Z->Access = Bits(P, Obj, Where, "access", access, 3);
        U64(P, Obj, Where, "gva", &Z->Gva, true);
        U64(P, Obj, Where, "size", &Z->Length, true);
        U64(P, Obj, Where, "owner", &Z->Owner, false);
        if (U64(P, Obj, Where, "pid", &value, false))
        {
            Z->Pid = (DWORD)value;
        }
        name = Text(P, Obj, Where, "name", false);
        Z->Name = name;
        Z->NameLength = name ? (DWORD)strlen(name) : 0;
    }
    else if (strcmp(kind, "msr") == 0 || strcmp(kind, "cr") == 0)
    {
        Z->Kind = kind[0] == 'm' ? introZoneMsr : introZoneCr;
        Z->Index = U32(P, Obj, Where, kind, true);
    }
    else if (strcmp(kind, "dtr") == 0 && (dtr = Text(P, Obj, Where, "dtr", true)) != NULL &&
             (strcmp(dtr, "idtr") == 0 || strcmp(dtr, "gdtr") == 0))
    {
        Z->Kind = introZoneDtr;
        Z->Index = dtr[0] == 'i' ? INTRO_EXC_OBJ_IDTR : INTRO_EXC_OBJ_GDTR;
    }
    else
    {
        Fail(P, Where, "unknown zone \"%s\" (memory, msr, cr, dtr with idtr or gdtr)", kind);
    }
}

static bool ParseHeader(XEND_PARSE *P, json_object *Root, XEND_GUEST *Guest)
{
    const char *os = Text(P, Root, "guest", "os", true);
    json_object *version = NULL;
    unsigned a = 0, b = 0, c = 0;
    DWORD bits;

    if (!os || (strcmp(os, "windows") != 0 && strcmp(os, "linux") != 0))
    {
        return Fail(P, "guest", "\"os\" must be \"windows\" or \"linux\"");
    }
    Guest->Info.Type = os[0] == 'w' ? introGuestWindows : introGuestLinux;
    bits = json_object_object_get_ex(Root, "bits", NULL) ? U32(P, Root, "guest", "bits", true) : 64;
    if (bits != 32 && bits != 64)
    {
        return Fail(P, "guest", "\"bits\" must be 32 or 64");
    }
    Guest->Info.Guest64 = bits == 64;
    /* Linux: "5.10.0" as KERNEL_VERSION(5, 10, 0); Windows: the build number. */
    if (json_object_object_get_ex(Root, "os_version", &version) && json_object_is_type(version, json_type_string) &&
        sscanf(json_object_get_string(version), "%u.%u.%u", &a, &b, &c) == 3)
    {
        Guest->Info.OsVersion = (a << 16) | (b << 8) | c;
    }
    else
    {
        Guest->Info.OsVersion = U32(P, Root, "guest", "os_version", true);
    }
    U64(P, Root, "guest", "system_cr3", &Guest->SystemCr3, true);
    return !P->Failed;
}

bool XendGuestLoad(const char *Path, XEND_GUEST *Guest, char *Error, size_t ErrorSize)
{
    XEND_PARSE p = {Path, Error, ErrorSize, false};
    json_object *root, *array;
    char where[48];
    size_t n;

    memset(Guest, 0, sizeof(*Guest));
    root = json_object_from_file(Path);
    if (!root || !json_object_is_type(root, json_type_object))
    {
        snprintf(Error, ErrorSize, "%s: not a JSON object (%s)", Path, json_util_get_last_err());
        json_object_put(root);
        return false;
    }
    Guest->Json = root;
    if (!ParseHeader(&p, root, Guest))
    {
        return false;
    }
    n = Items(&p, root, "processes", &array);
    Guest->Processes = calloc(n ? n : 1, sizeof(*Guest->Processes));
    for (size_t i = 0; Guest->Processes && i < n && !p.Failed; i++, Guest->ProcessCount++)
    {
        snprintf(where, sizeof(where), "processes[%zu]", i);
        ParseProcess(&p, json_object_array_get_idx(array, i), where, &Guest->Processes[i]);
    }
    n = Items(&p, root, "modules", &array);
    Guest->Modules = calloc(n ? n : 1, sizeof(*Guest->Modules));
    for (size_t i = 0; Guest->Modules && i < n && !p.Failed; i++, Guest->ModuleCount++)
    {
        snprintf(where, sizeof(where), "modules[%zu]", i);
        ParseModule(&p, json_object_array_get_idx(array, i), where, &Guest->Modules[i]);
    }
    n = Items(&p, root, "zones", &array);
    Guest->Zones = calloc(n ? n : 1, sizeof(*Guest->Zones));
    for (size_t i = 0; Guest->Zones && i < n && !p.Failed; i++, Guest->ZoneCount++)
    {
        snprintf(where, sizeof(where), "zones[%zu]", i);
        ParseZone(&p, json_object_array_get_idx(array, i), where, &Guest->Zones[i]);
    }
    if (!p.Failed && (!Guest->Processes || !Guest->Modules || !Guest->Zones))
    {
        Fail(&p, "guest", "out of memory");
    }
    return !p.Failed;
}

void XendGuestFree(XEND_GUEST *Guest)
{
    free(Guest->Modules);
    free(Guest->Processes);
    free(Guest->Zones);
    json_object_put(Guest->Json);
    memset(Guest, 0, sizeof(*Guest));
}
