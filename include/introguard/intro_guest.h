/*
 * introguard: the guest model and what the library protects in it.
 *
 * hvmi finds the guest's kernel, its drivers, processes and their modules by parsing guest memory,
 * and decides itself what to protect.  introguard does not parse guest operating systems: the
 * integrator (or a replay trace) declares them, and declares the zones to protect.  From the
 * model the library attributes every event (which module wrote, from which process, into what),
 * and from the zones it sets EPT rights and enables the exits it needs, through GLUE_IFACE.
 *
 * Every call takes the integrator's GuestHandle (after NewGuestNotification) and copies what it
 * is given: the caller's structures and strings may be reused as soon as the call returns.
 * Strings are (pointer, length) in bytes, UTF-8 or the guest's 8-bit text; they need not be
 * NUL-terminated.  Declarations may arrive from any thread; events see either the model before
 * a declaration or after it, never a half-made one.
 *
 * Structures that may grow start with StructSize = sizeof(the structure).
 */
#ifndef INTROGUARD_INTRO_GUEST_H
#define INTROGUARD_INTRO_GUEST_H

#include "intro_exceptions.h"
#include "intro_types.h"
#include "introstatus.h"

#ifdef __cplusplus
extern "C"
{
#endif

#pragma pack(push, 8)

/* Pid of the kernel's address space (kernel modules and kernel zones). */
#define INTRO_GUEST_KERNEL 0xFFFFFFFFu

/* Caps that bound what a declaration may hold. */
#define INTRO_GUEST_MAX_NAME 260u          /* bytes of a module or process name, or a path */
#define INTRO_GUEST_MAX_COMMAND_LINE 4096u /* bytes of a command line */
#define INTRO_GUEST_MAX_SECTIONS 64u       /* sections of one module */

    /* ---- Modules -------------------------------------------------------------------------------- */

#define INTRO_SECTION_CODE 0x01u    /* holds code (PE IMAGE_SCN_CNT_CODE; Linux text) */
#define INTRO_SECTION_EXECUTE 0x02u /* executable */
#define INTRO_SECTION_WRITE 0x04u   /* writable */
#define INTRO_SECTION_INIT 0x08u    /* Linux init layout (Windows: a section named INIT* is recognised by name) */

    /* A section (PE) or layout part (Linux: "text", "text_ro", "init", ...). */
    typedef struct _INTRO_GUEST_SECTION
    {
        char Name[8]; /* NUL-padded; exactly 8 characters need no NUL */
        uint32_t Rva; /* offset from the module base */
        uint32_t Size;
        uint32_t Flags; /* INTRO_SECTION_* */
    } INTRO_GUEST_SECTION;

#define INTRO_MODULE_KERNEL_IMAGE 0x01u /* the kernel itself (ntoskrnl.exe, vmlinux): named [kernel] */
#define INTRO_MODULE_HAL 0x02u          /* hal.dll and its variants: named [hal] */

    /*
     * A kernel module (driver) or a module of a process.  The directories (RVA, size; 0 when absent)
     * say which zone flags a write inside them carries (imports, exports, resources).
     */
    typedef struct _INTRO_GUEST_MODULE
    {
        uint32_t StructSize;
        uint32_t Flags;   /* INTRO_MODULE_* */
        const char *Name; /* file name as the guest knows it ("ntdll.dll", "ext4") */
        uint32_t NameLength;
        unsigned long long Base;
        unsigned long long ImageSize;
        unsigned long long EntryPoint;      /* 0 when unknown */
        unsigned long long DriverObjectGpa; /* Windows drivers: guest-physical address of the driver object (0: none) */
        const INTRO_GUEST_SECTION *Sections;
        uint32_t SectionCount;
        uint32_t ImportsRva;
        uint32_t ImportsSize;
        uint32_t ExportsRva;
        uint32_t ExportsSize;
        uint32_t ResourcesRva;
        uint32_t ResourcesSize;
    } INTRO_GUEST_MODULE;

    /* ---- Processes ------------------------------------------------------------------------------ */

#define INTRO_PROCESS_WOW64 0x01u        /* a 32-bit process on a 64-bit Windows */
#define INTRO_PROCESS_SYSTEM 0x02u       /* a Windows system process (smss, csrss, ...) */
#define INTRO_PROCESS_PARENT_WOW64 0x04u /* its parent was WoW64 */

    typedef struct _INTRO_GUEST_PROCESS
    {
        uint32_t StructSize;
        uint32_t Pid;
        uint32_t ParentPid;
        uint32_t Flags;   /* INTRO_PROCESS_* */
        const char *Name; /* Windows: image file name; Linux: comm */
        uint32_t NameLength;
        const char *Path; /* the executable's full path; may be NULL */
        uint32_t PathLength;
        const char *CommandLine; /* may be NULL */
        uint32_t CommandLineLength;
        unsigned long long Cr3;           /* its address space */
        unsigned long long Address;       /* Windows EPROCESS, Linux task_struct (guest-virtual) */
        unsigned long long ParentAddress; /* the parent's */
        unsigned long long Peb32;         /* Windows PEB addresses (0: none) */
        unsigned long long Peb64;
    } INTRO_GUEST_PROCESS;

    /* ---- Zones ---------------------------------------------------------------------------------- */

    typedef enum _INTRO_ZONE_KIND
    {
        introZoneMemory = 1, /* a guest-virtual range: EPT rights on the pages that back it */
        introZoneMsr = 2,    /* writes to one MSR */
        introZoneCr = 3,     /* writes to CR4 that clear SMEP or SMAP */
        introZoneDtr = 4,    /* loads of the IDTR or the GDTR */
    } INTRO_ZONE_KIND;

#define INTRO_ZONE_FEEDBACK_ONLY 0x01u /* never block: what would be blocked is allowed, with a feedback alert */

    /*
     * Something to protect.  Memory zones name the victim object (ObjectType: an INTRO_OBJECT_TYPE
     * value — km-module, driver-object, fast-io-dispatch, ssdt, idt, um-module, um-generic-nx-zone,
     * vdso, ...), the accesses that fault (Access: IG_EPT_HOOK_WRITE, _READ, _EXECUTE), the address
     * space (Pid, or INTRO_GUEST_KERNEL) and the owning module (its base, 0 when none).  MSR zones
     * name the MSR in Index, CR zones the register (4), DTR zones INTRO_OBJECT_TYPE idtr (27) or gdtr (28).
     */
    typedef struct _INTRO_GUEST_ZONE
    {
        uint32_t StructSize;
        uint32_t Kind;          /* INTRO_ZONE_KIND */
        uint32_t ObjectType;    /* memory zones */
        uint32_t Access;        /* memory zones: IG_EPT_HOOK_* mask of what is intercepted */
        unsigned long long Gva; /* memory zones: [Gva, Gva + Length) */
        unsigned long long Length;
        uint32_t Pid;             /* memory zones: the address space (INTRO_GUEST_KERNEL for the kernel's) */
        uint32_t Index;           /* MSR number, CR number, or the DTR's object type */
        unsigned long long Owner; /* memory zones: base of the module that owns the range (0: none) */
        uint32_t Flags;           /* INTRO_ZONE_* */
        /* The victim's name when it is not its owner module's (a driver object's "\Driver\disk"); may be NULL. */
        const char *Name;
        uint32_t NameLength;
    } INTRO_GUEST_ZONE;

    /* ---- Decisions ------------------------------------------------------------------------------ */

    /*
     * One decision the protection core took: for an event (EventClass: introEventEptViolation,
     * introEventMsrViolation, introEventCrViolation or introEventDtrViolation) on vCPU Cpu in zone
     * ZoneId, the violation it built, the exceptions' verdict and what the vCPU is told.  Everything
     * lives only during the observer's call.
     */
    typedef struct _INTRO_GUEST_DECISION
    {
        uint32_t StructSize;
        uint32_t EventClass;
        uint32_t Cpu;
        unsigned long long ZoneId;
        const INTRO_EXC_VIOLATION *Violation;
        const INTRO_EXC_VERDICT *Verdict;
        INTRO_ACTION Action; /* for this zone (the event's action is the strictest of its zones') */
        bool Alerted;        /* an alert was raised for it */
    } INTRO_GUEST_DECISION;

    /* Called synchronously, on the event's thread, for every decision; it must not call back into the guest. */
    typedef void (*PFUNC_IntGuestDecisionObserver)(void *Context, void *GuestHandle,
                                                   const INTRO_GUEST_DECISION *Decision);

#pragma pack(pop)

    /* ---- Calls ---------------------------------------------------------------------------------- */

    /*
     * Sets (or with NULL removes) the guest's decision observer: an audit trail of every decision,
     * allowed ones included, which alerts do not give.  Context is the caller's.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestSetDecisionObserver(void *GuestHandle,
                                                                               PFUNC_IntGuestDecisionObserver Observer,
                                                                               void *Context);

    /*
     * The introcore version the guest's version-intro signatures compare with (major << 48 | minor
     * << 32 | revision << 16 | build; 0: this library's, INTRO_EXC_INTRO_VERSION_*).  For replaying
     * what another version of the engine would decide.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestSetIntroVersion(void *GuestHandle,
                                                                           unsigned long long Version);

    /*
     * The kernel's address space (hvmi's system CR3): kernel zones are translated through it.
     * Returns SUCCESS, INVALID_PARAMETER_1 for a NULL handle, NOT_INITIALIZED for an unknown guest.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestSetSystemCr3(void *GuestHandle, unsigned long long Cr3);

    /*
     * Declares a module of the kernel (Pid INTRO_GUEST_KERNEL) or of process Pid, or replaces the one
     * at the same base.  INVALID_PARAMETER_3 for a NULL, undersized or malformed Module (empty name,
     * a name over INTRO_GUEST_MAX_NAME, more than INTRO_GUEST_MAX_SECTIONS sections, a section
     * outside the image, a range that wraps); NOT_FOUND for an unknown process; INSUFFICIENT_RESOURCES.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestAddModule(void *GuestHandle, uint32_t Pid,
                                                                     const INTRO_GUEST_MODULE *Module);
    /* Forgets the module at Base.  NOT_FOUND when there is none. */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestRemoveModule(void *GuestHandle, uint32_t Pid,
                                                                        unsigned long long Base);

    /* Declares a process (or replaces the one with the same Pid, keeping its modules). */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestAddProcess(void *GuestHandle,
                                                                      const INTRO_GUEST_PROCESS *Process);
    /* Forgets a process, its modules and the zones in its address space (their EPT rights restored). */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestRemoveProcess(void *GuestHandle, uint32_t Pid);

    /*
     * Protects a zone: for a memory zone, every page of the range is translated through its address
     * space and its EPT rights lose Access (pages shared with other zones are reference-counted;
     * the rights a page had before the first zone are restored after the last); for MSR and CR
     * zones the exit is enabled, for DTR zones descriptor-table exits.  All or nothing: a page that
     * cannot be translated fails the call with PAGE_NOT_PRESENT and nothing changes.  The guest's
     * vCPUs are paused during the change.  *ZoneId identifies the zone for IntGuestUnprotect.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestProtect(void *GuestHandle, const INTRO_GUEST_ZONE *Zone,
                                                                   unsigned long long *ZoneId);
    /* Removes a zone and restores what it changed.  NOT_FOUND for an unknown id. */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGuestUnprotect(void *GuestHandle, unsigned long long ZoneId);

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_GUEST_H */
