/*
 * introguard replay traces, version 2: the guest (memory, vCPUs, modules, processes), its zones
 * and rules, and the raw events a hypervisor reports (docs/trace-format.md).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "introguard/intro_exc_keywords.h"
#include "trace_int.h"

#define IG_CR0_PE 0x1ull
#define IG_CR0_PG 0x80000000ull
#define IG_CR4_PSE 0x10ull
#define IG_CR4_PAE 0x20ull
#define IG_CR4_LA57 0x1000ull
#define IG_EFER_LME 0x100ull
#define IG_EFER_LMA 0x400ull
#define IG_CS_64 0xA9Bu /* present, DPL 0, code, L */
#define IG_CS_32 0xC9Bu /* present, DPL 0, code, D/B, G */
#define IG_SS_32 0xC93u /* present, DPL 0, data, B, G */

/* ---- paging ------------------------------------------------------------------------------------------------- */

static const struct
{
    const char *Name;
    uint32_t Paging;
    uint64_t Cr0, Cr4, Efer;
} gPagingModes[] = {
    {"none", IG_TRACE_PAGING_NONE, IG_CR0_PE, 0, 0},
    {"32-bit", INTRO_REPLAY_PAGING_32BIT, IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE, 0},
    {"pae", INTRO_REPLAY_PAGING_PAE, IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE | IG_CR4_PAE, 0},
    {"4-level", INTRO_REPLAY_PAGING_4LEVEL, IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE | IG_CR4_PAE, IG_EFER_LME | IG_EFER_LMA},
    {"5-level", INTRO_REPLAY_PAGING_5LEVEL, IG_CR0_PE | IG_CR0_PG, IG_CR4_PSE | IG_CR4_PAE | IG_CR4_LA57,
     IG_EFER_LME | IG_EFER_LMA},
};

bool IgTracePagingByName(const char *Name, uint32_t *Paging)
{
    for (size_t i = 0; i < sizeof(gPagingModes) / sizeof(gPagingModes[0]); i++)
    {
        if (strcmp(gPagingModes[i].Name, Name) == 0)
        {
            *Paging = gPagingModes[i].Paging;
            return true;
        }
    }
    return false;
}

void IgTracePagingRegisters(uint32_t Paging, INTRO_BACKEND_REGS *Regs)
{
    for (size_t i = 0; i < sizeof(gPagingModes) / sizeof(gPagingModes[0]); i++)
    {
        if (gPagingModes[i].Paging == Paging)
        {
            Regs->Arch.Cr0 = gPagingModes[i].Cr0;
            Regs->Arch.Cr4 = gPagingModes[i].Cr4;
            Regs->Efer = gPagingModes[i].Efer;
            Regs->Msrs |= INTRO_BACKEND_MSR_EFER;
            return;
        }
    }
}

/* ---- the header's version-2 part ----------------------------------------------------------------------------- */

bool IgTraceParseIntroVersion(const char *Text, uint64_t *Version)
{
    unsigned major, minor, revision, build;
    char tail;

    if (sscanf(Text, "%u.%u.%u.%u%c", &major, &minor, &revision, &build, &tail) != 4 || major > 0xFFFF ||
        minor > 0xFFFF || revision > 0xFFFF || build > 0xFFFF)
    {
        return false;
    }
    *Version = ((uint64_t)major << 48) | ((uint64_t)minor << 32) | ((uint64_t)revision << 16) | build;
    return true;
}

/* A vCPU as the header defines it: the kernel's address space, the guest's paging and code mode, ring 0. */
static void DefaultVcpu(const IG_TRACE_HEADER *Header, INTRO_BACKEND_REGS *Regs)
{
    memset(Regs, 0, sizeof(*Regs));
    IgTracePagingRegisters(Header->Paging, Regs);
    Regs->Arch.Cr3 = Header->SystemCr3;
    Regs->Arch.Flags = 0x2;
    Regs->Cs.Attributes = Header->Guest.Guest64 ? IG_CS_64 : IG_CS_32;
    Regs->Ss.Attributes = IG_SS_32;
    Regs->Msrs |= INTRO_BACKEND_MSR_SEG_BASES;
}

void IgTraceParseHeaderV2(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_HEADER *Header)
{
    const IG_JSON_VALUE *guest = IgTraceField(Obj, "guest");
    const char *paging = IgTraceString(P, guest, "guest", "paging", false);
    const char *intro = IgTraceString(P, Obj, "", "intro_version", false);

    if (intro && !IgTraceParseIntroVersion(intro, &Header->Guest.IntroVersion))
    {
        IgTraceFail(P, "", "intro_version", "expected \"major.minor.revision.build\", each 0 to 65535");
        return;
    }
    if (Header->Version < 2)
    {
        return;
    }
    if (IgTraceU32(P, guest, "guest", "vcpus", &Header->Vcpus, false) &&
        (Header->Vcpus == 0 || Header->Vcpus > INTRO_REPLAY_MAX_VCPUS))
    {
        IgTraceFail(P, "guest", "vcpus", "expected 1 to %u", INTRO_REPLAY_MAX_VCPUS);
        return;
    }
    IgTraceU64(P, guest, "guest", "system_cr3", &Header->SystemCr3, false);
    if (paging && (!IgTracePagingByName(paging, &Header->Paging) || Header->Paging == IG_TRACE_PAGING_NONE))
    {
        IgTraceFail(P, "guest", "paging", "unknown paging \"%s\" (32-bit, pae, 4-level, 5-level)", paging);
        return;
    }
    P->Trace->Vcpus = calloc(Header->Vcpus, sizeof(*P->Trace->Vcpus));
    if (!P->Trace->Vcpus)
    {
        IgTraceFail(P, "guest", "vcpus", "out of memory");
        return;
    }
    for (uint32_t i = 0; i < Header->Vcpus; i++)
    {
        DefaultVcpu(Header, &P->Trace->Vcpus[i]);
    }
}

/* ---- vCPUs ------------------------------------------------------------------------------------------------- */

static const struct
{
    const char *Name;
    size_t Offset;
} gRegisters[] = {
    {"rax", offsetof(IG_ARCH_REGS, Rax)},
    {"rcx", offsetof(IG_ARCH_REGS, Rcx)},
    {"rdx", offsetof(IG_ARCH_REGS, Rdx)},
    {"rbx", offsetof(IG_ARCH_REGS, Rbx)},
    {"rsp", offsetof(IG_ARCH_REGS, Rsp)},
    {"rbp", offsetof(IG_ARCH_REGS, Rbp)},
    {"rsi", offsetof(IG_ARCH_REGS, Rsi)},
    {"rdi", offsetof(IG_ARCH_REGS, Rdi)},
    {"r8", offsetof(IG_ARCH_REGS, R8)},
    {"r9", offsetof(IG_ARCH_REGS, R9)},
    {"r10", offsetof(IG_ARCH_REGS, R10)},
    {"r11", offsetof(IG_ARCH_REGS, R11)},
    {"r12", offsetof(IG_ARCH_REGS, R12)},
    {"r13", offsetof(IG_ARCH_REGS, R13)},
    {"r14", offsetof(IG_ARCH_REGS, R14)},
    {"r15", offsetof(IG_ARCH_REGS, R15)},
    {"cr2", offsetof(IG_ARCH_REGS, Cr2)},
    {"rflags", offsetof(IG_ARCH_REGS, Flags)},
    {"dr7", offsetof(IG_ARCH_REGS, Dr7)},
    {"rip", offsetof(IG_ARCH_REGS, Rip)},
    {"cr0", offsetof(IG_ARCH_REGS, Cr0)},
    {"cr4", offsetof(IG_ARCH_REGS, Cr4)},
    {"cr3", offsetof(IG_ARCH_REGS, Cr3)},
    {"idt_base", offsetof(IG_ARCH_REGS, IdtBase)},
    {"gdt_base", offsetof(IG_ARCH_REGS, GdtBase)},
};

/* A vCPU index of the header's range. */
static bool ParseVcpuIndex(IG_PARSE *P, const IG_JSON_VALUE *Obj, uint32_t *Vcpu)
{
    if (!IgTraceU32(P, Obj, "", "vcpu", Vcpu, false))
    {
        *Vcpu = 0;
        return !P->Failed;
    }
    if (*Vcpu >= P->Trace->Header.Vcpus)
    {
        return IgTraceFail(P, "", "vcpu", "vCPU %u: the guest has %u", *Vcpu, P->Trace->Header.Vcpus);
    }
    return true;
}

/* Applies "mode", "ring", "regs", "efer", "fs_base", "gs_base", "kernel_gs_base" of Obj to Regs. */
static bool ParseRegisters(IG_PARSE *P, const IG_JSON_VALUE *Obj, INTRO_BACKEND_REGS *Regs)
{
    const IG_JSON_VALUE *regs = IgTraceObject(P, Obj, "", "regs", NULL);
    uint32_t mode = 0, ring = 0;
    uint64_t value = 0;

    if (IgTraceU32(P, Obj, "", "mode", &mode, false))
    {
        if (mode != 32 && mode != 64)
        {
            return IgTraceFail(P, "", "mode", "expected 32 or 64");
        }
        Regs->Cs.Attributes = (WORD)((mode == 64 ? IG_CS_64 : IG_CS_32) | (Regs->Cs.Attributes & 0x60));
    }
    if (IgTraceU32(P, Obj, "", "ring", &ring, false))
    {
        if (ring != 0 && ring != 3)
        {
            return IgTraceFail(P, "", "ring", "expected 0 or 3");
        }
        Regs->Cs.Attributes = (WORD)((Regs->Cs.Attributes & ~0x60u) | (ring << 5));
        Regs->Ss.Attributes = (WORD)((Regs->Ss.Attributes & ~0x60u) | (ring << 5));
    }
    for (size_t i = 0; regs && i < regs->Count; i++)
    {
        const char *key = regs->Items[i]->Key;
        size_t r = 0;

        while (r < sizeof(gRegisters) / sizeof(gRegisters[0]) && strcmp(gRegisters[r].Name, key) != 0)
        {
            r++;
        }
        if (r == sizeof(gRegisters) / sizeof(gRegisters[0]))
        {
            return IgTraceFail(P, "regs", key, "unknown register");
        }
        if (!IgTraceU64(P, regs, "regs", key, &value, true))
        {
            return false;
        }
        memcpy((uint8_t *)&Regs->Arch + gRegisters[r].Offset, &value, sizeof(value));
    }
    if (IgTraceQword(P, Obj, "", "efer", &Regs->Efer, false))
    {
        Regs->Msrs |= INTRO_BACKEND_MSR_EFER;
    }
    IgTraceQword(P, Obj, "", "fs_base", &Regs->Fs.Base, false);
    IgTraceQword(P, Obj, "", "gs_base", &Regs->Gs.Base, false);
    IgTraceQword(P, Obj, "", "kernel_gs_base", &Regs->KernelGsBase, false);
    return !P->Failed;
}

static void ParseVcpu(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;
    INTRO_BACKEND_REGS *regs;

    if (!IgTraceField(Obj, "vcpu"))
    {
        IgTraceFail(P, "", "vcpu", "missing");
        return;
    }
    if (!ParseVcpuIndex(P, Obj, &Rec->Vcpu))
    {
        return;
    }
    /* A full snapshot: the defaults of the header, then what the record says. */
    regs = &t->Vcpus[Rec->Vcpu];
    DefaultVcpu(&t->Header, regs);
    if (ParseRegisters(P, Obj, regs))
    {
        Rec->Regs = regs;
    }
}

/* ---- memory --------------------------------------------------------------------------------------------------- */

static void ParsePage(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    const void *data = NULL;

    if (!IgTraceU64(P, Obj, "", "gpa", &Rec->Address, true))
    {
        return;
    }
    if (Rec->Address & 0xFFF)
    {
        IgTraceFail(P, "", "gpa", "not page-aligned");
        return;
    }
    if (!IgTraceBase64(P, Obj, "", "data", &data, &Rec->DataSize))
    {
        if (!P->Failed)
        {
            IgTraceFail(P, "", "data", "missing");
        }
        return;
    }
    if (Rec->DataSize != 0x1000)
    {
        IgTraceFail(P, "", "data", "a page is 4096 bytes, not %u", Rec->DataSize);
        return;
    }
    Rec->Data = data;
}

static void ParseMemoryRange(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    const void *data = NULL;

    Rec->Cr3 = P->Trace->Header.SystemCr3;
    if (!IgTraceU64(P, Obj, "", "gva", &Rec->Address, true))
    {
        return;
    }
    IgTraceU64(P, Obj, "", "cr3", &Rec->Cr3, false);
    if (!IgTraceBase64(P, Obj, "", "data", &data, &Rec->DataSize) || Rec->DataSize == 0)
    {
        if (!P->Failed)
        {
            IgTraceFail(P, "", "data", "missing or empty");
        }
        return;
    }
    if (Rec->Address + Rec->DataSize - 1 < Rec->Address)
    {
        IgTraceFail(P, "", "gva", "the range wraps around the address space");
        return;
    }
    Rec->Data = data;
}

/* ---- the model ---------------------------------------------------------------------------------------------- */

/* An optional pid (absent: the kernel's address space). */
static bool ParsePid(IG_PARSE *P, const IG_JSON_VALUE *Obj, uint32_t *Pid)
{
    *Pid = INTRO_GUEST_KERNEL;
    if (IgTraceU32(P, Obj, "", "pid", Pid, false) && *Pid == INTRO_GUEST_KERNEL)
    {
        return IgTraceFail(P, "", "pid", "0x%x names the kernel: leave pid out", INTRO_GUEST_KERNEL);
    }
    return !P->Failed;
}

/* {"rva","size"} of a directory. */
static void ParseDirectory(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Key, DWORD *Rva, DWORD *Size)
{
    const IG_JSON_VALUE *dir = IgTraceObject(P, Obj, "", Key, NULL);

    if (dir)
    {
        IgTraceU32(P, dir, Key, "rva", Rva, true);
        IgTraceU32(P, dir, Key, "size", Size, true);
    }
}

static const INTRO_EXC_KEYWORD gSectionFlags[] = {
    {"code", INTRO_SECTION_CODE},
    {"execute", INTRO_SECTION_EXECUTE},
    {"write", INTRO_SECTION_WRITE},
    {"init", INTRO_SECTION_INIT},
};
static const INTRO_EXC_KEYWORD_TABLE gSectionFlagTable = {"section flag", gSectionFlags, 4};

/* An array of keywords of Table, or'ed into *Bits. */
static bool ParseFlagArray(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key,
                           const INTRO_EXC_KEYWORD_TABLE *Table, uint64_t *Bits)
{
    const IG_JSON_VALUE *array = IgTraceField(Obj, Key);
    char path[96];

    *Bits = 0;
    if (!array)
    {
        return true;
    }
    IgTraceJoin(path, sizeof(path), Prefix, Key);
    if (array->Type != IgJsonArray)
    {
        return IgTraceFail(P, Prefix, Key, "expected an array of names");
    }
    for (size_t i = 0; i < array->Count; i++)
    {
        uint64_t bit = 0;
        char index[16];

        snprintf(index, sizeof(index), "[%u]", (unsigned)i);
        if (array->Items[i]->Type != IgJsonString ||
            !IntExcKeywordFind(Table, array->Items[i]->Text, array->Items[i]->Length, &bit))
        {
            return IgTraceFail(P, path, index, "unknown %s", Table->Name);
        }
        *Bits |= bit;
    }
    return true;
}

static void ParseSections(IG_PARSE *P, const IG_JSON_VALUE *Obj, INTRO_GUEST_MODULE *Module)
{
    const IG_JSON_VALUE *sections = IgTraceField(Obj, "sections");

    if (!sections)
    {
        return;
    }
    if (sections->Type != IgJsonArray || sections->Count > INTRO_GUEST_MAX_SECTIONS)
    {
        IgTraceFail(P, "", "sections", "expected an array of at most %u {name, rva, size, flags}",
                    INTRO_GUEST_MAX_SECTIONS);
        return;
    }
    for (size_t i = 0; i < sections->Count && !P->Failed; i++)
    {
        INTRO_GUEST_SECTION *s = &P->Trace->Sections[i];
        const IG_JSON_VALUE *item = sections->Items[i];
        const char *name;
        uint64_t flags = 0;
        char path[32];

        snprintf(path, sizeof(path), "sections[%zu]", i);
        memset(s, 0, sizeof(*s));
        if (item->Type != IgJsonObject)
        {
            IgTraceFail(P, path, "", "expected an object");
            return;
        }
        name = IgTraceString(P, item, path, "name", true);
        if (name && strlen(name) > sizeof(s->Name))
        {
            IgTraceFail(P, path, "name", "section names have at most 8 characters");
            return;
        }
        if (name)
        {
            memcpy(s->Name, name, strlen(name));
        }
        IgTraceU32(P, item, path, "rva", &s->Rva, true);
        IgTraceU32(P, item, path, "size", &s->Size, true);
        ParseFlagArray(P, item, path, "flags", &gSectionFlagTable, &flags);
        s->Flags = (DWORD)flags;
    }
    Module->Sections = P->Trace->Sections;
    Module->SectionCount = (DWORD)sections->Count;
}

static void ParseModule(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_GUEST_MODULE *m = &Rec->Module;
    const char *name = IgTraceString(P, Obj, "", "name", true);
    bool kernel = false, hal = false;

    m->StructSize = sizeof(*m);
    if (!name || !ParsePid(P, Obj, &Rec->Pid))
    {
        return;
    }
    m->Name = name;
    m->NameLength = (DWORD)strlen(name);
    IgTraceQword(P, Obj, "", "base", &m->Base, true);
    IgTraceQword(P, Obj, "", "size", &m->ImageSize, true);
    IgTraceQword(P, Obj, "", "entry", &m->EntryPoint, false);
    IgTraceQword(P, Obj, "", "driver_object_gpa", &m->DriverObjectGpa, false);
    IgTraceBool(P, Obj, "", "kernel", &kernel);
    IgTraceBool(P, Obj, "", "hal", &hal);
    m->Flags = (kernel ? INTRO_MODULE_KERNEL_IMAGE : 0) | (hal ? INTRO_MODULE_HAL : 0);
    ParseSections(P, Obj, m);
    ParseDirectory(P, Obj, "imports", &m->ImportsRva, &m->ImportsSize);
    ParseDirectory(P, Obj, "exports", &m->ExportsRva, &m->ExportsSize);
    ParseDirectory(P, Obj, "resources", &m->ResourcesRva, &m->ResourcesSize);
}

static void ParseProcess(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_GUEST_PROCESS *p = &Rec->Process;
    const char *name = IgTraceString(P, Obj, "", "name", true);
    const char *path = IgTraceString(P, Obj, "", "path", false);
    const char *cmd = IgTraceString(P, Obj, "", "command_line", false);
    bool wow64 = false, system = false, parentWow64 = false;

    p->StructSize = sizeof(*p);
    if (!name || !IgTraceU32(P, Obj, "", "pid", &p->Pid, true))
    {
        return;
    }
    p->Name = name;
    p->NameLength = (DWORD)strlen(name);
    p->Path = path;
    p->PathLength = path ? (DWORD)strlen(path) : 0;
    p->CommandLine = cmd;
    p->CommandLineLength = cmd ? (DWORD)strlen(cmd) : 0;
    IgTraceU32(P, Obj, "", "parent", &p->ParentPid, false);
    IgTraceQword(P, Obj, "", "cr3", &p->Cr3, true);
    IgTraceQword(P, Obj, "", "address", &p->Address, false);
    IgTraceQword(P, Obj, "", "parent_address", &p->ParentAddress, false);
    IgTraceQword(P, Obj, "", "peb32", &p->Peb32, false);
    IgTraceQword(P, Obj, "", "peb64", &p->Peb64, false);
    IgTraceBool(P, Obj, "", "wow64", &wow64);
    IgTraceBool(P, Obj, "", "system", &system);
    IgTraceBool(P, Obj, "", "parent_wow64", &parentWow64);
    p->Flags = (wow64 ? INTRO_PROCESS_WOW64 : 0) | (system ? INTRO_PROCESS_SYSTEM : 0) |
               (parentWow64 ? INTRO_PROCESS_PARENT_WOW64 : 0);
    Rec->Pid = p->Pid;
}

/* ---- zones ----------------------------------------------------------------------------------------------------- */

static const INTRO_EXC_KEYWORD gZoneKinds[] = {
    {"memory", introZoneMemory},
    {"msr", introZoneMsr},
    {"cr", introZoneCr},
    {"dtr", introZoneDtr},
};
static const INTRO_EXC_KEYWORD_TABLE gZoneKindTable = {"zone kind", gZoneKinds, 4};

static const INTRO_EXC_KEYWORD gAccess[] = {
    {"read", IG_EPT_HOOK_READ},
    {"write", IG_EPT_HOOK_WRITE},
    {"execute", IG_EPT_HOOK_EXECUTE},
};
static const INTRO_EXC_KEYWORD_TABLE gAccessTable = {"access", gAccess, 3};

static const INTRO_EXC_KEYWORD gDtrs[] = {
    {"idtr", INTRO_EXC_OBJ_IDTR},
    {"gdtr", INTRO_EXC_OBJ_GDTR},
};
static const INTRO_EXC_KEYWORD_TABLE gDtrTable = {"descriptor table", gDtrs, 2};

static bool ParseZoneId(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    const char *id = IgTraceString(P, Obj, "", "id", true);

    if (!id)
    {
        return false;
    }
    if (id[0] == '\0' || strlen(id) > IG_TRACE_MAX_ZONE_ID)
    {
        return IgTraceFail(P, "", "id", "a zone id has 1 to %u characters", IG_TRACE_MAX_ZONE_ID);
    }
    strcpy(Rec->ZoneId, id);
    return true;
}

static void ParseMemoryZone(IG_PARSE *P, const IG_JSON_VALUE *Obj, INTRO_GUEST_ZONE *Z)
{
    const char *name = IgTraceString(P, Obj, "", "name", false);
    uint64_t object = 0, access = 0;

    if (!IgTraceKeyword(P, Obj, "", "object", IntExcObjectTypeNames(), &object, true) ||
        !ParseFlagArray(P, Obj, "", "access", &gAccessTable, &access))
    {
        return;
    }
    if (!access)
    {
        IgTraceFail(P, "", "access", "missing: which accesses to intercept (read, write, execute)");
        return;
    }
    Z->ObjectType = (DWORD)object;
    Z->Access = (DWORD)access;
    IgTraceQword(P, Obj, "", "gva", &Z->Gva, true);
    IgTraceQword(P, Obj, "", "size", &Z->Length, true);
    IgTraceQword(P, Obj, "", "owner", &Z->Owner, false);
    if (name)
    {
        Z->Name = name;
        Z->NameLength = (DWORD)strlen(name);
    }
}

static void ParseZone(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    INTRO_GUEST_ZONE *z = &Rec->Zone;
    uint64_t kind = 0, dtr = 0;
    bool feedback = false;

    z->StructSize = sizeof(*z);
    if (!ParseZoneId(P, Obj, Rec) || !IgTraceKeyword(P, Obj, "", "kind", &gZoneKindTable, &kind, true) ||
        !ParsePid(P, Obj, &z->Pid))
    {
        return;
    }
    z->Kind = (DWORD)kind;
    IgTraceBool(P, Obj, "", "feedback_only", &feedback);
    z->Flags = feedback ? INTRO_ZONE_FEEDBACK_ONLY : 0;
    switch (z->Kind)
    {
        case introZoneMemory:
            ParseMemoryZone(P, Obj, z);
            break;
        case introZoneMsr:
            IgTraceU32(P, Obj, "", "msr", &z->Index, true);
            break;
        case introZoneCr:
            IgTraceU32(P, Obj, "", "cr", &z->Index, true);
            break;
        default:
            if (IgTraceKeyword(P, Obj, "", "dtr", &gDtrTable, &dtr, true))
            {
                z->Index = (DWORD)dtr;
            }
            break;
    }
}

static void ParseRules(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    IG_TRACE *t = P->Trace;

    Rec->RulesPath = IgTraceString(P, Obj, "", "file", false);
    if (Rec->RulesPath || P->Failed)
    {
        if (Rec->RulesPath && IgTraceField(Obj, "data"))
        {
            IgTraceFail(P, "", "data", "give the rules as a file or as data, not both");
        }
        return;
    }
    if (!IgTraceField(Obj, "data"))
    {
        IgTraceFail(P, "", "file", "missing: a rules record names a file or carries its data");
        return;
    }
    t->RulesBuffer = malloc(IG_TRACE_MAX_RULES);
    if (!t->RulesBuffer)
    {
        IgTraceFail(P, "", "data", "out of memory");
        return;
    }
    if (IgTraceBase64Into(P, Obj, "", "data", t->RulesBuffer, IG_TRACE_MAX_RULES, &Rec->DataSize))
    {
        Rec->Data = t->RulesBuffer;
    }
}

/* ---- events --------------------------------------------------------------------------------------------------- */

/* The event's vCPU, its snapshot with the record's regs applied (they stay for what follows). */
static bool ParseEventVcpu(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    if (!IgTraceParseSeq(P, Obj, Rec, true) || !ParseVcpuIndex(P, Obj, &Rec->Vcpu) ||
        !ParseRegisters(P, Obj, &P->Trace->Vcpus[Rec->Vcpu]))
    {
        return false;
    }
    Rec->Event.Vcpu = Rec->Vcpu;
    Rec->Regs = &P->Trace->Vcpus[Rec->Vcpu];
    return true;
}

static void ParseEpt(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_EVENT *E)
{
    const char *access = IgTraceString(P, Obj, "", "access", true);

    E->Kind = IgTraceEventEpt;
    if (!access)
    {
        return;
    }
    E->Access = !strcmp(access, "r")   ? IG_EPT_HOOK_READ
                : !strcmp(access, "w") ? IG_EPT_HOOK_WRITE
                : !strcmp(access, "x") ? IG_EPT_HOOK_EXECUTE
                                       : 0;
    if (!E->Access)
    {
        IgTraceFail(P, "", "access", "expected \"r\", \"w\" or \"x\"");
        return;
    }
    if (IgTraceU64(P, Obj, "", "gpa", &E->Gpa, false))
    {
        IgTraceU64(P, Obj, "", "gla", &E->Gla, false);
        if (IgTraceField(Obj, "gva"))
        {
            IgTraceFail(P, "", "gva", "give gpa or gva, not both");
        }
        return;
    }
    if (!P->Failed && !IgTraceU64(P, Obj, "", "gva", &E->Gva, false) && !P->Failed)
    {
        IgTraceFail(P, "", "gpa", "missing: an ept event names its gpa or its gva");
        return;
    }
    E->ByGva = true;
    E->Gla = E->Gva;
}

static void ParseDtrEvent(IG_PARSE *P, const IG_JSON_VALUE *Obj, IG_TRACE_EVENT *E)
{
    const char *access = IgTraceString(P, Obj, "", "access", false);
    uint64_t dtr = 0;

    E->Kind = IgTraceEventDtr;
    if (!IgTraceKeyword(P, Obj, "", "dtr", &gDtrTable, &dtr, true))
    {
        return;
    }
    E->DtrFlags = dtr == INTRO_EXC_OBJ_IDTR ? IG_DESC_ACCESS_IDTR : IG_DESC_ACCESS_GDTR;
    if (!access || strcmp(access, "write") == 0)
    {
        E->DtrFlags |= IG_DESC_ACCESS_WRITE;
    }
    else if (strcmp(access, "read") == 0)
    {
        E->DtrFlags |= IG_DESC_ACCESS_READ;
    }
    else
    {
        IgTraceFail(P, "", "access", "expected \"read\" or \"write\"");
    }
}

bool IgTraceParseGuestRecord(IG_PARSE *P, const char *Type, const IG_JSON_VALUE *Obj, IG_TRACE_RECORD *Rec)
{
    static const struct
    {
        const char *Name;
        IG_TRACE_RECORD_TYPE Type;
        void (*Parse)(IG_PARSE *, const IG_JSON_VALUE *, IG_TRACE_RECORD *);
    } plain[] = {
        {"vcpu", IgTraceVcpu, ParseVcpu},
        {"page", IgTracePage, ParsePage},
        {"memory", IgTraceMemory, ParseMemoryRange},
        {"module", IgTraceModule, ParseModule},
        {"process", IgTraceProcess, ParseProcess},
        {"zone", IgTraceZone, ParseZone},
        {"rules", IgTraceRules, ParseRules},
    };

    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
    {
        if (strcmp(Type, plain[i].Name) == 0)
        {
            Rec->Type = plain[i].Type;
            plain[i].Parse(P, Obj, Rec);
            return true;
        }
    }
    if (strcmp(Type, "module_remove") == 0)
    {
        Rec->Type = IgTraceModuleRemove;
        if (ParsePid(P, Obj, &Rec->Pid))
        {
            IgTraceQword(P, Obj, "", "base", &Rec->Module.Base, true);
        }
        return true;
    }
    if (strcmp(Type, "process_remove") == 0)
    {
        Rec->Type = IgTraceProcessRemove;
        IgTraceU32(P, Obj, "", "pid", &Rec->Pid, true);
        return true;
    }
    if (strcmp(Type, "unprotect") == 0)
    {
        Rec->Type = IgTraceUnprotect;
        ParseZoneId(P, Obj, Rec);
        return true;
    }
    if (strcmp(Type, "ept") && strcmp(Type, "msr") && strcmp(Type, "cr") && strcmp(Type, "dtr"))
    {
        return false;
    }
    Rec->Type = IgTraceEvent;
    if (!ParseEventVcpu(P, Obj, Rec))
    {
        return true;
    }
    if (strcmp(Type, "ept") == 0)
    {
        ParseEpt(P, Obj, &Rec->Event);
    }
    else if (strcmp(Type, "dtr") == 0)
    {
        ParseDtrEvent(P, Obj, &Rec->Event);
    }
    else
    {
        Rec->Event.Kind = Type[0] == 'm' ? IgTraceEventMsr : IgTraceEventCr;
        IgTraceU32(P, Obj, "", Type[0] == 'm' ? "msr" : "cr", &Rec->Event.Index, true);
        IgTraceU64(P, Obj, "", "old", &Rec->Event.OldValue, true);
        IgTraceU64(P, Obj, "", "new", &Rec->Event.NewValue, true);
    }
    return true;
}
