/*
 * The protection core's private state: one IG_PROTECT per guest, holding the guest model
 * (kernel modules, processes and their modules), the zones the integrator asked to protect, and
 * the hooks those zones placed on guest-physical pages.
 *
 * Concurrency: one UPPER read-write lock per guest.  Declarations (IntGuest*) take it exclusive,
 * event handlers shared, so an event sees the model either before or after a declaration.  The
 * per-process INTRO_EXC_PROCESS_STATE blocks the exception checks update live in the model's
 * processes; the engine updates them with atomics (see intro_exceptions.h).  Nothing here is
 * global: everything hangs off the guest.
 */
#ifndef INTROGUARD_PROTECT_INT_H
#define INTROGUARD_PROTECT_INT_H

#include "introguard/intro_exceptions.h"
#include "introguard/intro_guest.h"
#include "introguard/glueiface.h"
#include "../common/alloc.h"

#define IG_TAG_PROTECT IG_TAG('P', 'r', 'o', 't')

#define IG_PM_MAX_PROCESSES 65536u   /* processes one guest may declare */
#define IG_PM_MAX_MODULES 65536u     /* modules per address space */
#define IG_PM_MAX_ZONES 65536u       /* zones per guest */
#define IG_PM_MAX_ZONE_PAGES 4096u   /* pages one memory zone may span (16 MiB) */
#define IG_PM_MAX_ZONES_PER_PAGE 64u /* zones sharing one guest-physical page */

typedef struct IG_PM_MODULE
{
    uint64_t Base;
    uint64_t End; /* exclusive */
    uint64_t EntryPoint;
    uint64_t DriverObjectGpa;
    uint32_t Flags;
    bool Kernel;       /* a kernel module (else a process's) */
    uint32_t NameHash; /* as the exceptions compare it for this guest (docs/hashing.md) */
    uint32_t NameLength;
    char Name[INTRO_GUEST_MAX_NAME];
    uint32_t SectionCount;
    INTRO_GUEST_SECTION *Sections;
    uint32_t ImportsRva, ImportsSize, ExportsRva, ExportsSize, ResourcesRva, ResourcesSize;
} IG_PM_MODULE;

/* Modules of one address space, ascending by base, non-overlapping. */
typedef struct IG_PM_MODULES
{
    IG_PM_MODULE **Items;
    uint32_t Count;
    uint32_t Capacity;
} IG_PM_MODULES;

typedef struct IG_PM_PROCESS
{
    uint32_t Pid;
    uint32_t ParentPid;
    uint32_t Flags;
    uint32_t NameHash;
    char Name[INTRO_GUEST_MAX_NAME];
    uint32_t NameLength;
    char *Path; /* NULL when not declared */
    uint32_t PathLength;
    char *CommandLine;
    uint32_t CommandLineLength;
    uint64_t Cr3;
    uint64_t Address;
    uint64_t ParentAddress;
    uint64_t Peb32;
    uint64_t Peb64;
    IG_PM_MODULES Modules;
    INTRO_EXC_PROCESS_STATE State; /* the exception checks' per-process state */
} IG_PM_PROCESS;

typedef struct IG_PM_ZONE
{
    uint64_t Id;
    INTRO_GUEST_ZONE Decl; /* Decl.Name points at NameCopy */
    char NameCopy[INTRO_GUEST_MAX_NAME];
    uint32_t NameHash; /* of Decl.Name, when given */
    uint32_t PageCount;
    uint64_t *Gfns;    /* memory zones: the frame backing each page of the range, in order */
    uint64_t FirstGva; /* memory zones: page base of the first page */
} IG_PM_ZONE;

/* A guest-physical page some memory zones hook. */
typedef struct IG_PM_PAGE
{
    uint64_t Gfn;
    uint8_t Original; /* the rights before the first zone (IG_EPT_HOOK_* "allowed" mask) */
    uint8_t Current;  /* the rights set now */
    uint32_t ZoneCount;
    IG_PM_ZONE *Zones[IG_PM_MAX_ZONES_PER_PAGE];
} IG_PM_PAGE;

/* The library's handlers for the exits zones turn on (src/api registers them through GLUE_IFACE). */
typedef struct IG_PROTECT_HANDLERS
{
    PFUNC_IntEPTViolationCallback Ept;
    PFUNC_IntMSRViolationCallback Msr;
    PFUNC_IntCrWriteCallback Cr;
    PFUNC_IntIntroDescriptorTableCallback Dtr;
} IG_PROTECT_HANDLERS;

typedef struct IG_PROTECT
{
    IG_ALLOCATOR Allocator;
    IG_PROTECT_HANDLERS Handlers;
    const GLUE_IFACE *Glue;
    const UPPER_IFACE *Upper;
    void *GuestHandle;
    void *Lock; /* UPPER rw lock: see the file comment */

    uint32_t Os; /* INTRO_EXC_OS_* (0 until declared): how names hash */
    uint64_t SystemCr3;
    uint64_t IntroVersion; /* for version-intro signatures; 0: the library's */
    PFUNC_IntGuestDecisionObserver Observer;
    void *ObserverContext;
    IG_PM_MODULES Kernel;
    IG_PM_PROCESS **Processes; /* ascending by Pid */
    uint32_t ProcessCount;
    uint32_t ProcessCapacity;

    IG_PM_ZONE **Zones; /* ascending by Id */
    uint32_t ZoneCount;
    uint32_t ZoneCapacity;
    uint64_t NextZoneId;

    /* Hooked pages: open addressing on the frame number (Slots hold Page + 1 indexes; 0 empty). */
    IG_PM_PAGE **Pages;
    uint32_t PageCount;
    uint32_t PageCapacity;
    uint32_t *PageSlots;
    uint32_t PageSlotMask;

    /* Zones of each kind, to register the handler with the first and unregister it after the last. */
    uint32_t MemoryZones;
    uint32_t MsrZones;
    uint32_t CrZones;
    uint32_t DtrZones;
} IG_PROTECT;

/* ---- Model (model.c) -------------------------------------------------------------------------- */

void IgPmModulesFree(IG_PROTECT *Protect, IG_PM_MODULES *Modules);
/* Frees every process and module (zones must be gone already). */
void IgPmModelFree(IG_PROTECT *Protect);
void IgPmProcessFree(IG_PROTECT *Protect, IG_PM_PROCESS *Process);

/* A name of kind Kind (INTRO_NAME_*) as the exceptions compare it (IntNameHash, docs/hashing.md); 0 before the OS is
 * known. */
uint32_t IgPmNameHash(uint32_t Os, uint32_t Kind, const char *Name, uint32_t Length);

/* A zone's own victim name: a driver object's full name, or a module's in the zone's address space. */
uint32_t IgPmZoneNameHash(uint32_t Os, const INTRO_GUEST_ZONE *Zone);

/* The module of Modules containing Address, or NULL. */
const IG_PM_MODULE *IgPmModuleAt(const IG_PM_MODULES *Modules, uint64_t Address);

/* The process with Pid / with address space Cr3, or NULL. */
IG_PM_PROCESS *IgPmProcessByPid(const IG_PROTECT *Protect, uint32_t Pid);
IG_PM_PROCESS *IgPmProcessByCr3(const IG_PROTECT *Protect, uint64_t Cr3);

/* The module list of an address space (Pid or INTRO_GUEST_KERNEL), or NULL for an unknown process. */
IG_PM_MODULES *IgPmModulesOf(IG_PROTECT *Protect, uint32_t Pid);

/* The section of Module containing Address, or NULL. */
const INTRO_GUEST_SECTION *IgPmSectionAt(const IG_PM_MODULE *Module, uint64_t Address);

/* ---- Zones (zones.c) ----------------------------------------------------------------------------- */

/* Removes every zone (restoring rights) and frees the page table.  Under the exclusive lock. */
void IgPmZonesFree(IG_PROTECT *Protect);

/* Removes the zones in Pid's address space (a process that went away).  Under the exclusive lock. */
void IgPmZonesDropProcess(IG_PROTECT *Protect, uint32_t Pid);

/* The hooked page of Gfn, or NULL. */
IG_PM_PAGE *IgPmPageFind(const IG_PROTECT *Protect, uint64_t Gfn);

#endif /* INTROGUARD_PROTECT_INT_H */
