/*
 * Who did it: the originator of an event, from the guest model (matching.md §1.3, §1.4).
 *
 * The module is the one containing the RIP.  The return module comes from a bounded scan of the
 * stack: at most IG_EVENT_STACK_SLOTS slots from RSP, read once into an engine buffer, the first
 * slot that points into a module's code.  introguard has no unwind information, so it cannot
 * follow hvmi's walk out of exported helpers on Windows: there the return module is the writing
 * module whenever one is known (docs/compat.md).  The process is the one whose address space is
 * the vCPU's CR3.
 */
#include <string.h>

#include "attribution.h"

/* A module's part of an originator side (Original or Return). */
static void IgAttrDriver(const IG_PM_MODULE *Module, uint64_t Rip, INTRO_EXC_KM_DRIVER *Driver, bool Linux)
{
    const INTRO_GUEST_SECTION *section;

    memset(Driver, 0, sizeof(*Driver));
    Driver->Rip = Rip;
    if (!Module)
    {
        Driver->NameHash = INTRO_EXC_NO_NAME;
        return;
    }
    Driver->Present = true;
    Driver->NameHash = Module->NameHash;
    Driver->Name.Text = Module->Name;
    Driver->Name.Length = Module->NameLength;
    Driver->Name.Wide = !Linux;
    Driver->Base = Module->Base;
    Driver->DriverObjectGpa = Module->DriverObjectGpa;
    section = IgPmSectionAt(Module, Rip);
    if (section)
    {
        memcpy(Driver->Section, section->Name, sizeof(section->Name));
    }
}

/* Whether Address lies in code of Module: a code or executable section (any address when none is declared). */
static bool IgAttrInCode(const IG_PM_MODULE *Module, uint64_t Address)
{
    const INTRO_GUEST_SECTION *section;

    if (!Module->SectionCount)
    {
        return true;
    }
    section = IgPmSectionAt(Module, Address);
    return section && (section->Flags & (INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE));
}

/*
 * The first stack slot (from RSP, at most IG_EVENT_STACK_SLOTS, Width bytes each) that points into
 * code of a module of Modules other than Except; *Value receives it.  The stack is read once.
 */
static const IG_PM_MODULE *IgAttrStackScan(const IG_PROTECT_ENV *Env, const IG_EVENT_VCPU *Vcpu,
                                           const IG_PM_MODULES *Modules, const IG_PM_MODULE *Except, uint32_t Slots,
                                           uint64_t *Value)
{
    uint8_t stack[IG_EVENT_STACK_SLOTS * 8];
    uint32_t width = Vcpu->CsType == IG_CS_TYPE_64B ? 8 : 4;
    size_t done = 0;

    *Value = 0;
    if (Slots > IG_EVENT_STACK_SLOTS)
    {
        Slots = IG_EVENT_STACK_SLOTS;
    }
    /* A partial read (the stack ends at an unmapped page) still gives the slots before it. */
    done = IgEventReadPartial(Env, Vcpu->Regs.Cr3, Vcpu->Regs.Rsp, stack, (size_t)Slots * width);
    for (size_t at = 0; at + width <= done; at += width)
    {
        uint64_t value = 0;
        const IG_PM_MODULE *module;

        memcpy(&value, stack + at, width);
        module = IgPmModuleAt(Modules, value);
        if (module && module != Except && IgAttrInCode(module, value))
        {
            *Value = value;
            return module;
        }
    }
    return NULL;
}

void IgAttrKernelOriginator(const IG_PROTECT_ENV *Env, const IG_EVENT_VCPU *Vcpu, INTRO_EXC_KM_ORIGINATOR *Originator)
{
    const IG_PROTECT *p = Env->Protect;
    bool linuxGuest = p->Os == INTRO_EXC_OS_LINUX;
    const IG_PM_MODULE *original = IgPmModuleAt(&p->Kernel, Vcpu->Regs.Rip);
    const IG_PM_MODULE *ret = NULL;
    uint64_t retRip = 0;

    memset(Originator, 0, sizeof(*Originator));
    IgAttrDriver(original, Vcpu->Regs.Rip, &Originator->Original, linuxGuest);
    if (linuxGuest)
    {
        /* Linux: the first return address on the stack that belongs to any module. */
        ret = IgAttrStackScan(Env, Vcpu, &p->Kernel, NULL, IG_EVENT_STACK_SLOTS, &retRip);
        IgAttrDriver(ret, retRip, &Originator->Return, true);
        if (!original && !ret)
        {
            /* hvmi leaves both hashes 0 here (its structure is zeroed), not NONE (compat.md). */
            Originator->Original.NameHash = 0;
            Originator->Return.NameHash = 0;
        }
        return;
    }
    if (original)
    {
        Originator->Return = Originator->Original; /* the driver wrote directly */
        return;
    }
    /* Windows, RIP in no module: the first frame that has one. */
    ret = IgAttrStackScan(Env, Vcpu, &p->Kernel, NULL, IG_EVENT_STACK_SLOTS, &retRip);
    IgAttrDriver(ret, retRip, &Originator->Return, false);
}

/* The public process view of a model process (names point into the model, which outlives the event). */
void IgAttrProcess(IG_PM_PROCESS *Process, INTRO_EXC_PROCESS *Out)
{
    memset(Out, 0, sizeof(*Out));
    if (!Process)
    {
        return;
    }
    Out->Present = true;
    Out->Pid = Process->Pid;
    Out->ParentPid = Process->ParentPid;
    Out->Address = Process->Address;
    Out->ParentAddress = Process->ParentAddress;
    Out->NameHash = Process->NameHash;
    Out->Name = Process->Name;
    Out->NameLength = Process->NameLength;
    if (Process->Path)
    {
        /* The executable's file name: what follows the last separator. */
        uint32_t start = 0;

        for (uint32_t i = 0; i < Process->PathLength; i++)
        {
            if (Process->Path[i] == '/' || Process->Path[i] == '\\')
            {
                start = i + 1;
            }
        }
        Out->PathName = Process->Path + start;
        Out->PathNameLength = Process->PathLength - start;
    }
    Out->CommandLine = Process->CommandLine;
    Out->CommandLineLength = Process->CommandLineLength;
    Out->Wow64 = (Process->Flags & INTRO_PROCESS_WOW64) != 0;
    Out->System = (Process->Flags & INTRO_PROCESS_SYSTEM) != 0;
    Out->ParentWow64 = (Process->Flags & INTRO_PROCESS_PARENT_WOW64) != 0;
    Out->Peb32Address = Process->Peb32;
    Out->Peb64Address = Process->Peb64;
    Out->State = &Process->State;
    Out->Cr3 = Process->Cr3;
}

/* Whether a user module is one of the memory helpers hvmi looks past (matching.md §1.4). */
static bool IgAttrMemoryHelper(const IG_PM_MODULE *Module)
{
    static const char *const prefixes[] = {"msvcr", "vcruntime"};
    char lower[16] = {0};

    if (!Module)
    {
        return true; /* code in no module */
    }
    for (uint32_t i = 0; i < Module->NameLength && i < sizeof(lower) - 1; i++)
    {
        char c = Module->Name[i];

        lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    for (uint32_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
    {
        if (strncmp(lower, prefixes[i], strlen(prefixes[i])) == 0)
        {
            return true;
        }
    }
    return Module->NameLength == 12 && strcmp(lower, "ucrtbase.dll") == 0;
}

void IgAttrUserOriginator(const IG_PROTECT_ENV *Env, const IG_EVENT_VCPU *Vcpu, IG_PM_PROCESS *Process,
                          INTRO_EXC_UM_ORIGINATOR *Originator)
{
    bool linuxGuest = Env->Protect->Os == INTRO_EXC_OS_LINUX;
    const IG_PM_MODULE *module = Process ? IgPmModuleAt(&Process->Modules, Vcpu->Regs.Rip) : NULL;

    memset(Originator, 0, sizeof(*Originator));
    IgAttrProcess(Process, &Originator->Process);
    Originator->Rip = Vcpu->Regs.Rip;
    Originator->NameHash = INTRO_EXC_NO_NAME;
    if (module && !linuxGuest)
    {
        Originator->NameHash = module->NameHash;
        Originator->Name.Text = module->Name;
        Originator->Name.Length = module->NameLength;
        Originator->Name.Wide = true;
        Originator->Library = true;
    }
    /* Writes through a memory helper are attributed to its caller (Windows, one frame). */
    if (!linuxGuest && Process && IgAttrMemoryHelper(module))
    {
        uint64_t retRip = 0;
        const IG_PM_MODULE *ret = IgAttrStackScan(Env, Vcpu, &Process->Modules, module, 1, &retRip);

        if (ret)
        {
            Originator->Return.NameHash = ret->NameHash;
            Originator->Return.Name.Text = ret->Name;
            Originator->Return.Name.Length = ret->NameLength;
            Originator->Return.Name.Wide = true;
            Originator->Return.Rip = retRip;
            Originator->Return.Library = true;
        }
    }
}
