/*
 * The guest model: kernel modules, processes and their modules, as the integrator declares them.
 * Lookups by address are binary searches over modules kept ascending by base.
 */
#include <string.h>

#include "introguard/intro_names.h"
#include "protect.h"

#define IG_TAG_MODEL IG_TAG('P', 'm', 'M', 'o')

static INTSTATUS IgPmAlloc(IG_PROTECT *P, void **Address, size_t Size)
{
    INTSTATUS status = P->Allocator.Alloc(P->Allocator.Context, Address, Size, IG_TAG_MODEL);

    if (INT_SUCCESS(status))
    {
        memset(*Address, 0, Size);
    }
    return status;
}

static void IgPmFree(IG_PROTECT *P, void *Address)
{
    if (Address)
    {
        P->Allocator.Free(P->Allocator.Context, &Address, IG_TAG_MODEL);
    }
}

/* Grows an array of pointers to hold one more; *Capacity doubles, capped at Max. */
static INTSTATUS IgPmReserve(IG_PROTECT *P, void ***Items, uint32_t Count, uint32_t *Capacity, uint32_t Max)
{
    void **grown = NULL;
    uint32_t capacity;
    INTSTATUS status;

    if (Count < *Capacity)
    {
        return INT_STATUS_SUCCESS;
    }
    if (Count >= Max)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    capacity = *Capacity ? *Capacity * 2 : 16;
    if (capacity > Max)
    {
        capacity = Max;
    }
    status = IgPmAlloc(P, (void **)&grown, (size_t)capacity * sizeof(*grown));
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (*Items)
    {
        memcpy(grown, *Items, (size_t)Count * sizeof(*grown));
        IgPmFree(P, *Items);
    }
    *Items = grown;
    *Capacity = capacity;
    return INT_STATUS_SUCCESS;
}

/* ---- Names ------------------------------------------------------------------------------------- */

uint32_t IgPmNameHash(uint32_t Os, uint32_t Kind, const char *Name, uint32_t Length)
{
    uint32_t hash = 0;

    /* Linux has no driver objects: a name given to a Linux zone is a module's. */
    if (Os == INTRO_EXC_OS_LINUX && Kind == INTRO_NAME_DRIVER_OBJECT)
    {
        Kind = INTRO_NAME_KERNEL_MODULE;
    }
    /* Before the OS is declared nothing hashes (0); IgProtectSetOs hashes everything again. */
    if (!INT_SUCCESS(IntNameHash(Os, Kind, Name, Length, 0, &hash)))
    {
        return 0;
    }
    return hash;
}

uint32_t IgPmZoneNameHash(uint32_t Os, const INTRO_GUEST_ZONE *Zone)
{
    uint32_t kind = Zone->Pid == INTRO_GUEST_KERNEL ? INTRO_NAME_KERNEL_MODULE : INTRO_NAME_USER_MODULE;

    if (Zone->ObjectType == INTRO_EXC_OBJ_DRIVER_OBJECT || Zone->ObjectType == INTRO_EXC_OBJ_FAST_IO_DISPATCH)
    {
        kind = INTRO_NAME_DRIVER_OBJECT;
    }
    return IgPmNameHash(Os, kind, Zone->Name, Zone->NameLength);
}

/* A module name as the exceptions compare it: the kernel and the HAL by their special values. */
static uint32_t IgPmModuleHash(uint32_t Os, const IG_PM_MODULE *Module)
{
    if (Module->Flags & INTRO_MODULE_KERNEL_IMAGE)
    {
        return INTRO_EXC_NAME_KERNEL;
    }
    if (Module->Flags & INTRO_MODULE_HAL)
    {
        return INTRO_EXC_NAME_HAL;
    }
    return IgPmNameHash(Os, Module->Kernel ? INTRO_NAME_KERNEL_MODULE : INTRO_NAME_USER_MODULE, Module->Name,
                        Module->NameLength);
}

/* ---- Modules ----------------------------------------------------------------------------------- */

static void IgPmModuleFree(IG_PROTECT *P, IG_PM_MODULE *Module)
{
    if (Module)
    {
        IgPmFree(P, Module->Sections);
        IgPmFree(P, Module);
    }
}

void IgPmModulesFree(IG_PROTECT *Protect, IG_PM_MODULES *Modules)
{
    for (uint32_t i = 0; i < Modules->Count; i++)
    {
        IgPmModuleFree(Protect, Modules->Items[i]);
    }
    IgPmFree(Protect, Modules->Items);
    memset(Modules, 0, sizeof(*Modules));
}

/* Index of the first module whose base is above Address. */
static uint32_t IgPmUpperBound(const IG_PM_MODULES *Modules, uint64_t Address)
{
    uint32_t lo = 0, hi = Modules->Count;

    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo) / 2;

        if (Modules->Items[mid]->Base <= Address)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo;
}

const IG_PM_MODULE *IgPmModuleAt(const IG_PM_MODULES *Modules, uint64_t Address)
{
    uint32_t i = IgPmUpperBound(Modules, Address);

    return (i > 0 && Address < Modules->Items[i - 1]->End) ? Modules->Items[i - 1] : NULL;
}

const INTRO_GUEST_SECTION *IgPmSectionAt(const IG_PM_MODULE *Module, uint64_t Address)
{
    uint64_t rva = Address - Module->Base;

    for (uint32_t i = 0; i < Module->SectionCount; i++)
    {
        const INTRO_GUEST_SECTION *s = &Module->Sections[i];

        if (rva >= s->Rva && rva - s->Rva < s->Size)
        {
            return s;
        }
    }
    return NULL;
}

/* The declaration checks of IntGuestAddModule. */
static bool IgPmModuleValid(const INTRO_GUEST_MODULE *M)
{
    if (M->StructSize < sizeof(*M) || !M->Name || M->NameLength == 0 || M->NameLength > INTRO_GUEST_MAX_NAME ||
        M->ImageSize == 0 || M->Base + M->ImageSize < M->Base || M->SectionCount > INTRO_GUEST_MAX_SECTIONS ||
        (M->SectionCount && !M->Sections))
    {
        return false;
    }
    for (uint32_t i = 0; i < M->SectionCount; i++)
    {
        if ((uint64_t)M->Sections[i].Rva + M->Sections[i].Size > M->ImageSize)
        {
            return false;
        }
    }
    return true;
}

static INTSTATUS IgPmModuleCopy(IG_PROTECT *P, uint32_t Pid, const INTRO_GUEST_MODULE *M, IG_PM_MODULE **Out)
{
    IG_PM_MODULE *m = NULL;
    INTSTATUS status = IgPmAlloc(P, (void **)&m, sizeof(*m));

    *Out = NULL;
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (M->SectionCount)
    {
        status = IgPmAlloc(P, (void **)&m->Sections, M->SectionCount * sizeof(*m->Sections));
        if (!INT_SUCCESS(status))
        {
            IgPmFree(P, m);
            return status;
        }
        memcpy(m->Sections, M->Sections, M->SectionCount * sizeof(*m->Sections));
    }
    m->SectionCount = M->SectionCount;
    m->Base = M->Base;
    m->End = M->Base + M->ImageSize;
    m->EntryPoint = M->EntryPoint;
    m->DriverObjectGpa = M->DriverObjectGpa;
    m->Flags = M->Flags;
    m->NameLength = M->NameLength;
    memcpy(m->Name, M->Name, M->NameLength);
    m->Kernel = Pid == INTRO_GUEST_KERNEL;
    m->NameHash = IgPmModuleHash(P->Os, m);
    m->ImportsRva = M->ImportsRva;
    m->ImportsSize = M->ImportsSize;
    m->ExportsRva = M->ExportsRva;
    m->ExportsSize = M->ExportsSize;
    m->ResourcesRva = M->ResourcesRva;
    m->ResourcesSize = M->ResourcesSize;
    *Out = m;
    return INT_STATUS_SUCCESS;
}

IG_PM_MODULES *IgPmModulesOf(IG_PROTECT *Protect, uint32_t Pid)
{
    IG_PM_PROCESS *process;

    if (Pid == INTRO_GUEST_KERNEL)
    {
        return &Protect->Kernel;
    }
    process = IgPmProcessByPid(Protect, Pid);
    return process ? &process->Modules : NULL;
}

INTSTATUS IgProtectAddModule(IG_PROTECT *Protect, uint32_t Pid, const INTRO_GUEST_MODULE *Module)
{
    IG_PM_MODULES *list;
    IG_PM_MODULE *m = NULL;
    uint32_t at;
    INTSTATUS status;

    if (!Module || !IgPmModuleValid(Module))
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    list = IgPmModulesOf(Protect, Pid);
    if (!list)
    {
        return INT_STATUS_NOT_FOUND;
    }
    at = IgPmUpperBound(list, Module->Base);
    /* A module at the same base is replaced; any other overlap is a contradiction in the model. */
    if (at > 0 && list->Items[at - 1]->Base != Module->Base && Module->Base < list->Items[at - 1]->End)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (at < list->Count && list->Items[at]->Base < Module->Base + Module->ImageSize)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    status = IgPmModuleCopy(Protect, Pid, Module, &m);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (at > 0 && list->Items[at - 1]->Base == Module->Base)
    {
        IgPmModuleFree(Protect, list->Items[at - 1]);
        list->Items[at - 1] = m;
        return INT_STATUS_SUCCESS;
    }
    status = IgPmReserve(Protect, (void ***)&list->Items, list->Count, &list->Capacity, IG_PM_MAX_MODULES);
    if (!INT_SUCCESS(status))
    {
        IgPmModuleFree(Protect, m);
        return status;
    }
    memmove(&list->Items[at + 1], &list->Items[at], (list->Count - at) * sizeof(list->Items[0]));
    list->Items[at] = m;
    list->Count++;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgProtectRemoveModule(IG_PROTECT *Protect, uint32_t Pid, uint64_t Base)
{
    IG_PM_MODULES *list = IgPmModulesOf(Protect, Pid);
    uint32_t at;

    if (!list)
    {
        return INT_STATUS_NOT_FOUND;
    }
    at = IgPmUpperBound(list, Base);
    if (at == 0 || list->Items[at - 1]->Base != Base)
    {
        return INT_STATUS_NOT_FOUND;
    }
    IgPmModuleFree(Protect, list->Items[at - 1]);
    memmove(&list->Items[at - 1], &list->Items[at], (list->Count - at) * sizeof(list->Items[0]));
    list->Count--;
    return INT_STATUS_SUCCESS;
}

/* ---- Processes --------------------------------------------------------------------------------- */

/* Index of the process with Pid, or where it would go. */
static uint32_t IgPmProcessSlot(const IG_PROTECT *P, uint32_t Pid)
{
    uint32_t lo = 0, hi = P->ProcessCount;

    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo) / 2;

        if (P->Processes[mid]->Pid < Pid)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo;
}

IG_PM_PROCESS *IgPmProcessByPid(const IG_PROTECT *Protect, uint32_t Pid)
{
    uint32_t at = IgPmProcessSlot(Protect, Pid);

    return at < Protect->ProcessCount && Protect->Processes[at]->Pid == Pid ? Protect->Processes[at] : NULL;
}

IG_PM_PROCESS *IgPmProcessByCr3(const IG_PROTECT *Protect, uint64_t Cr3)
{
    /* The PCID bits (and, with PTI, the user half's bit 12) are not part of the address space's name. */
    uint64_t want = Cr3 & ~0xFFFull;

    for (uint32_t i = 0; i < Protect->ProcessCount; i++)
    {
        if ((Protect->Processes[i]->Cr3 & ~0xFFFull) == want)
        {
            return Protect->Processes[i];
        }
    }
    return NULL;
}

void IgPmProcessFree(IG_PROTECT *Protect, IG_PM_PROCESS *Process)
{
    if (!Process)
    {
        return;
    }
    IgPmModulesFree(Protect, &Process->Modules);
    IgPmFree(Protect, Process->Path);
    IgPmFree(Protect, Process->CommandLine);
    IgPmFree(Protect, Process);
}

/* A bounded copy of (Text, Length) into *Out (NULL text: nothing). */
static INTSTATUS IgPmCopyText(IG_PROTECT *P, const char *Text, uint32_t Length, uint32_t Max, char **Out,
                              uint32_t *OutLength)
{
    INTSTATUS status;

    *Out = NULL;
    *OutLength = 0;
    if (!Text || Length == 0)
    {
        return INT_STATUS_SUCCESS;
    }
    if (Length > Max)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgPmAlloc(P, (void **)Out, (size_t)Length + 1);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    memcpy(*Out, Text, Length);
    *OutLength = Length;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgPmProcessCopy(IG_PROTECT *P, const INTRO_GUEST_PROCESS *D, IG_PM_PROCESS **Out)
{
    IG_PM_PROCESS *p = NULL;
    INTSTATUS status = IgPmAlloc(P, (void **)&p, sizeof(*p));

    *Out = NULL;
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    status = IgPmCopyText(P, D->Path, D->PathLength, INTRO_GUEST_MAX_NAME, &p->Path, &p->PathLength);
    if (INT_SUCCESS(status))
    {
        status = IgPmCopyText(P, D->CommandLine, D->CommandLineLength, INTRO_GUEST_MAX_COMMAND_LINE, &p->CommandLine,
                              &p->CommandLineLength);
    }
    if (!INT_SUCCESS(status))
    {
        IgPmProcessFree(P, p);
        return status;
    }
    p->Pid = D->Pid;
    p->ParentPid = D->ParentPid;
    p->Flags = D->Flags;
    p->NameLength = D->NameLength;
    memcpy(p->Name, D->Name, D->NameLength);
    p->NameHash = IgPmNameHash(P->Os, INTRO_NAME_PROCESS, p->Name, p->NameLength);
    p->Cr3 = D->Cr3;
    p->Address = D->Address;
    p->ParentAddress = D->ParentAddress;
    p->Peb32 = D->Peb32;
    p->Peb64 = D->Peb64;
    *Out = p;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgProtectAddProcess(IG_PROTECT *Protect, const INTRO_GUEST_PROCESS *Process)
{
    IG_PM_PROCESS *p = NULL;
    uint32_t at;
    INTSTATUS status;

    if (!Process || Process->StructSize < sizeof(*Process) || !Process->Name || Process->NameLength == 0 ||
        Process->NameLength > INTRO_GUEST_MAX_NAME || Process->Pid == INTRO_GUEST_KERNEL)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = IgPmProcessCopy(Protect, Process, &p);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    at = IgPmProcessSlot(Protect, Process->Pid);
    if (at < Protect->ProcessCount && Protect->Processes[at]->Pid == Process->Pid)
    {
        /* The same process declared again: its modules and its exception state stay. */
        IG_PM_PROCESS *old = Protect->Processes[at];

        p->Modules = old->Modules;
        p->State = old->State;
        memset(&old->Modules, 0, sizeof(old->Modules));
        IgPmProcessFree(Protect, old);
        Protect->Processes[at] = p;
        return INT_STATUS_SUCCESS;
    }
    status = IgPmReserve(Protect, (void ***)&Protect->Processes, Protect->ProcessCount, &Protect->ProcessCapacity,
                         IG_PM_MAX_PROCESSES);
    if (!INT_SUCCESS(status))
    {
        IgPmProcessFree(Protect, p);
        return status;
    }
    memmove(&Protect->Processes[at + 1], &Protect->Processes[at],
            (Protect->ProcessCount - at) * sizeof(Protect->Processes[0]));
    Protect->Processes[at] = p;
    Protect->ProcessCount++;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgProtectRemoveProcess(IG_PROTECT *Protect, uint32_t Pid)
{
    uint32_t at = IgPmProcessSlot(Protect, Pid);

    if (at >= Protect->ProcessCount || Protect->Processes[at]->Pid != Pid)
    {
        return INT_STATUS_NOT_FOUND;
    }
    IgPmZonesDropProcess(Protect, Pid);
    IgPmProcessFree(Protect, Protect->Processes[at]);
    memmove(&Protect->Processes[at], &Protect->Processes[at + 1],
            (Protect->ProcessCount - at - 1) * sizeof(Protect->Processes[0]));
    Protect->ProcessCount--;
    return INT_STATUS_SUCCESS;
}

void IgProtectSetOs(IG_PROTECT *Protect, uint32_t Os)
{
    Protect->Os = Os;
    /* Names declared before the OS was known hash again by its rules. */
    for (uint32_t i = 0; i < Protect->Kernel.Count; i++)
    {
        IG_PM_MODULE *m = Protect->Kernel.Items[i];

        m->NameHash = IgPmModuleHash(Os, m);
    }
    for (uint32_t i = 0; i < Protect->ProcessCount; i++)
    {
        IG_PM_PROCESS *p = Protect->Processes[i];

        p->NameHash = IgPmNameHash(Os, INTRO_NAME_PROCESS, p->Name, p->NameLength);
        for (uint32_t j = 0; j < p->Modules.Count; j++)
        {
            IG_PM_MODULE *m = p->Modules.Items[j];

            m->NameHash = IgPmModuleHash(Os, m);
        }
    }
    for (uint32_t i = 0; i < Protect->ZoneCount; i++)
    {
        IG_PM_ZONE *z = Protect->Zones[i];

        if (z->Decl.Name)
        {
            z->NameHash = IgPmZoneNameHash(Os, &z->Decl);
        }
    }
}

void IgProtectSetSystemCr3(IG_PROTECT *Protect, uint64_t Cr3)
{
    Protect->SystemCr3 = Cr3;
}

void IgPmModelFree(IG_PROTECT *Protect)
{
    for (uint32_t i = 0; i < Protect->ProcessCount; i++)
    {
        IgPmProcessFree(Protect, Protect->Processes[i]);
    }
    IgPmFree(Protect, Protect->Processes);
    Protect->Processes = NULL;
    Protect->ProcessCount = Protect->ProcessCapacity = 0;
    IgPmModulesFree(Protect, &Protect->Kernel);
}
