/*
 * introguard: the violation model and the exceptions evaluation entry.
 *
 * A violation is what introspection saw: an originator (who did it) and a victim (what was
 * touched), plus the guest it happened in.  IntExceptEvaluate asks the loaded exceptions
 * whether that violation is allowed, exactly as hvmi's engine would (spec/matching.md), and in
 * addition says which exception allowed it or, for a block, which exception came closest.
 *
 * Integrators with their own detection fill an INTRO_EXC_VIOLATION and call IntExceptEvaluate;
 * the protection core does the same internally.  Every field is plain data owned by the caller;
 * the engine only reads it, except for the per-process state blocks (INTRO_EXC_PROCESS_STATE)
 * that hvmi's checks update (one-time, initialisation phase, apphelp).
 *
 * Names are compared as 32-bit hashes (hvmi's CRC-32 variant); the caller supplies them,
 * computed with IntNameHash / IntNameHashWide (intro_names.h, docs/hashing.md).  The text
 * fields are needed only by glob exceptions and may be NULL otherwise.
 *
 * Numeric values of every constant below are hvmi's, so the model can be filled from hvmi-style
 * data without translation.
 */
#ifndef INTROGUARD_INTRO_EXCEPTIONS_H
#define INTROGUARD_INTRO_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intro_cdefs.h"
#include "introstatus.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Natural alignment whatever #pragma pack the includer has in force: the library was built with it. */
#pragma pack(push, 8)

    /* ---- Memory ---------------------------------------------------------------------------------------------------
     *
     * Every block the engine allocates for the caller (rule sets, decoder contexts) comes from the
     * allocator the caller passes; the library never calls malloc on its own.  Evaluations allocate
     * nothing.  capstone, which decodes guest code, allocates with the C library when a decoder context
     * is created (its allocator option is process-wide, so the library leaves it alone); see docs/api.md.
     */
    typedef struct INTRO_EXC_ALLOCATOR
    {
        /* Stores a block of Size bytes (contents undefined) in *Address; INSUFFICIENT_RESOURCES on failure. */
        INTSTATUS (*Alloc)(void *Context, void **Address, size_t Size, uint32_t Tag);
        /* Frees *Address (NULL allowed), a block from Alloc with the same Tag, and sets *Address to NULL. */
        void (*Free)(void *Context, void **Address, uint32_t Tag);
        void *Context; /* passed back to both */
    } INTRO_EXC_ALLOCATOR;

    /*
     * An allocator over the C library's malloc and free, for callers that choose it explicitly.  The
     * table is the library's and lives as long as the program.
     */
    INTROGUARD_API const INTRO_EXC_ALLOCATOR *IntExceptMallocAllocator(void);

/* RecordIndex value for errors found in the file header, not in a record. */
#define INTRO_EXCEPTIONS_LOAD_NO_RECORD 0xFFFFFFFFu

    /* Where and why an exceptions file was rejected (IntExceptRuleSetLoad, IntGetExceptionsLoadError). */
    typedef struct _INTRO_EXCEPTIONS_LOAD_ERROR
    {
        INTSTATUS Status;     /* the hvmi-compatible status the load returned (UpdateExceptions' status) */
        INTSTATUS Detail;     /* introguard's precise reason: an INT_STATUS_EXC_* code, or Status itself */
        uint64_t Offset;      /* byte offset in the buffer of the offending field */
        uint32_t RecordIndex; /* 0-based record index, or INTRO_EXCEPTIONS_LOAD_NO_RECORD */
        uint8_t RecordType;   /* type byte of that record (0 for header errors) */
        char Message[160];    /* NUL-terminated English description */
    } INTRO_EXCEPTIONS_LOAD_ERROR;

    /* ---- Outputs (values of hvmi's INTRO_ACTION / INTRO_ACTION_REASON) ---------------------------------------- */

#define INTRO_EXC_ACTION_ALLOWED 0u
#define INTRO_EXC_ACTION_NOT_ALLOWED 3u

#define INTRO_EXC_REASON_ALLOWED 0u
#define INTRO_EXC_REASON_ALLOWED_FEEDBACK 1u
#define INTRO_EXC_REASON_SIGNATURE_NOT_MATCHED 2u
#define INTRO_EXC_REASON_NO_EXCEPTION 3u
#define INTRO_EXC_REASON_EXTRA_CHECKS_FAILED 4u
#define INTRO_EXC_REASON_EXCEPTIONS_NOT_LOADED 5u
#define INTRO_EXC_REASON_INTERNAL_ERROR 6u
#define INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED 7u
#define INTRO_EXC_REASON_VALUE_NOT_MATCHED 8u
#define INTRO_EXC_REASON_EXPORT_NOT_MATCHED 9u
#define INTRO_EXC_REASON_IDT_NOT_MATCHED 10u
#define INTRO_EXC_REASON_VERSION_OS_NOT_MATCHED 11u
#define INTRO_EXC_REASON_VERSION_INTRO_NOT_MATCHED 12u
#define INTRO_EXC_REASON_PROCESS_CREATION_NOT_MATCHED 13u
#define INTRO_EXC_REASON_SAME_VALUE 14u
#define INTRO_EXC_REASON_UNKNOWN 15u

    /* ---- Violation kinds (hvmi's EXCEPTION_TYPE) ----------------------------------------------------------------- */

#define INTRO_EXC_KIND_USER 0u        /* user-mode violation: user search (hash and glob exceptions) */
#define INTRO_EXC_KIND_KERNEL 1u      /* kernel-mode violation: kernel search */
#define INTRO_EXC_KIND_USER_GLOB 2u   /* not a violation kind: IntExceptEvaluate rejects it like hvmi */
#define INTRO_EXC_KIND_KERNEL_USER 3u /* kernel-mode write into a user module: kernel-user search */

    /* ---- Guest ------------------------------------------------------------------------------------------------- */

#define INTRO_EXC_OS_WINDOWS 1u
#define INTRO_EXC_OS_LINUX 2u

    typedef struct INTRO_EXC_LINUX_VERSION
    {
        uint8_t Version;
        uint8_t Patch;
        uint16_t Sublevel;
        uint16_t Backport;
    } INTRO_EXC_LINUX_VERSION;

    typedef struct INTRO_EXC_GUEST
    {
        uint32_t Os;                          /* INTRO_EXC_OS_* */
        bool Guest64;                         /* 64-bit guest kernel */
        uint32_t OsVersion;                   /* Windows NT build number (only the low 16 bits are compared) */
        INTRO_EXC_LINUX_VERSION LinuxVersion; /* Linux kernel version */
        uint32_t Peb32Size;                   /* OS-specific PEB sizes for the peb32/peb64 object types */
        uint32_t Peb64Size;
        /*
         * The introcore version version-intro signatures compare with, as major << 48 | minor << 32 |
         * revision << 16 | build; 0 means this library's (INTRO_EXC_INTRO_VERSION_*).
         */
        uint64_t IntroVersion;
    } INTRO_EXC_GUEST;

/* The introcore version that version-intro signatures are compared with by default: hvmi's numbering. */
#define INTRO_EXC_INTRO_VERSION_MAJOR 1u
#define INTRO_EXC_INTRO_VERSION_MINOR 133u
#define INTRO_EXC_INTRO_VERSION_REVISION 0u
#define INTRO_EXC_INTRO_VERSION_BUILD 0u

    /* ---- Processes ---------------------------------------------------------------------------------------------- */

    /*
     * The mutable per-process state hvmi keeps on its process objects for the user-mode checks.
     * The caller owns one per guest process, zeroes it when the process appears (before any
     * evaluation can see it), keeps StartInitializing up to date, and passes it with every violation
     * involving the process; the engine reads and writes the rest.
     *
     * Concurrent evaluations (several vCPUs) may share a block.  The engine touches a block only
     * while holding its Lock, one block at a time, so every check that reads and updates it is
     * atomic: of several evaluations racing for a one-time exception exactly one consumes it, the
     * initialisation counters never lose an update, and the apphelp check reads a consistent
     * address and size.  The checks of one evaluation are not atomic together (another evaluation
     * may run its checks between them); hvmi, which serialises all events, has no such interleaving.
     * While evaluations may run, the caller changes StartInitializing only through
     * IntExceptProcessStateSetInitializing and reads the block only through IntExceptProcessStateRead.
     */
    typedef struct INTRO_EXC_PROCESS_STATE
    {
        bool OneTimeInjectionDone; /* written: a one-time exception was used for this process */
        bool StartInitializing;    /* read: the process started initialising (set by the caller) */
        bool Initialized;          /* written by the initialisation-injection check */
        bool LastPebWriteDone;     /* written */
        bool Peb32ContextWritten;  /* written */
        bool Peb64ContextWritten;  /* written */
        bool InjectedApphelp;      /* written: the apphelp injection was seen */
        uint32_t InjectionsCount;  /* written */
        uint32_t PebWrittenCount;  /* written */
        uint64_t InjectedApphelpAddress;
        uint32_t InjectedApphelpSize;
        uint32_t Lock; /* the engine's: 0 when no check holds the block; zero it with the rest, never write it */
    } INTRO_EXC_PROCESS_STATE;

    typedef struct INTRO_EXC_PROCESS
    {
        bool Present;           /* false: no such process (every other field ignored) */
        uint32_t Pid;           /* informational */
        uint32_t ParentPid;     /* informational */
        uint64_t Address;       /* Windows EPROCESS GVA, Linux task_struct GVA */
        uint64_t ParentAddress; /* Windows ParentEprocess, Linux ActualParent */
        uint32_t NameHash;      /* Windows: lowercased short image name (narrow); Linux: comm (narrow) */
        const char *Name;       /* image name / comm, for glob exceptions; may be NULL */
        uint32_t NameLength;
        const char *PathName; /* Linux: file name of the executable path (glob); NULL when the task has no path */
        uint32_t PathNameLength;
        const char *CommandLine; /* for `cli` value signatures; NULL when unknown */
        uint32_t CommandLineLength;
        bool Wow64;       /* Windows WoW64 process */
        bool System;      /* Windows system process */
        bool ParentWow64; /* Windows: the parent was WoW64 (initialisation check) */
        bool Subsystem64; /* Windows: an x64 subsystem was recorded (initialisation check) */
        bool Subsystem32; /* Windows: an x86 subsystem was recorded (initialisation check) */
        uint64_t Peb32Address;
        uint64_t Peb64Address;
        INTRO_EXC_PROCESS_STATE *State; /* may be NULL: one-time cannot be recorded, the init check errors */
        uint64_t Cr3;                   /* the process's address space (code-reading signatures) */
    } INTRO_EXC_PROCESS;

    /* ---- Names ----------------------------------------------------------------------------------------------------
     */

    /*
     * A name as the guest holds it.  Text is 8-bit; for names the guest keeps in UTF-16 (modules,
     * drivers) Wide is set and Text holds the low byte of each code unit, which is all hvmi's glob
     * matcher looks at.
     */
    typedef struct INTRO_EXC_NAME
    {
        const char *Text; /* NULL: no name */
        uint32_t Length;
        bool Wide;
    } INTRO_EXC_NAME;

/* ---- Originators ------------------------------------------------------------------------------------------------- */

/* Special name values stored in place of hashes. */
#define INTRO_EXC_NAME_ANY 0u
#define INTRO_EXC_NAME_OWN 1u
#define INTRO_EXC_NAME_KERNEL 2u /* KM/KUM; UM: [vdso] */
#define INTRO_EXC_NAME_HAL 3u    /* KM/KUM; UM: [vsyscall] */
#define INTRO_EXC_NAME_NONE_SPECIAL 4u
#define INTRO_EXC_NAME_KM_VDSO 5u
#define INTRO_EXC_NAME_KM_VSYSCALL 6u
#define INTRO_EXC_NAME_VE_AGENT 7u
#define INTRO_EXC_NO_NAME 0xFFFFFFFFu /* originator hash when no module could be attributed */

    /* One side (original or return) of a kernel-mode originator. */
    typedef struct INTRO_EXC_KM_DRIVER
    {
        bool Present;        /* a driver contains the RIP */
        uint32_t NameHash;   /* driver name hash, INTRO_EXC_NAME_KERNEL / _HAL, or INTRO_EXC_NO_NAME */
        INTRO_EXC_NAME Name; /* informational */
        uint64_t Rip;
        char Section[9];          /* PE section, or Linux "text", "init", ...; NUL-padded */
        uint64_t Base;            /* driver base (Linux: core-layout base), for [own] */
        uint64_t DriverObjectGpa; /* Windows: physical address of its driver object, 0 if none; for [own] */
    } INTRO_EXC_KM_DRIVER;

    typedef struct INTRO_EXC_KM_ORIGINATOR
    {
        INTRO_EXC_KM_DRIVER Original;
        INTRO_EXC_KM_DRIVER Return;
        bool IsEntryPoint;
        bool IsIntegrity;
        bool InjectionUser;        /* kernel-user: the kernel half of a user-mode injection */
        bool InjectionKernel;      /* kernel-user: the kernel half of a kernel-mode (Zw*) injection */
        INTRO_EXC_PROCESS Process; /* kernel-user: process that issued the user-mode injection */
    } INTRO_EXC_KM_ORIGINATOR;

    typedef struct INTRO_EXC_UM_ORIGINATOR
    {
        uint32_t NameHash;         /* module hash (wide), process hash (narrow) or INTRO_EXC_NO_NAME */
        INTRO_EXC_NAME Name;       /* module (Wide) or process name; Text NULL when there is none */
        INTRO_EXC_PROCESS Process; /* the originating process (always present in hvmi) */
        bool Library;              /* the writing RIP lies in a user module */
        uint64_t Rip;              /* RIP, or the injection source address */
        struct
        {
            uint32_t NameHash; /* 0 when no return module was computed */
            INTRO_EXC_NAME Name;
            uint64_t Rip;
            bool Library;
        } Return;
        uint32_t PcType; /* DPI flags of a process-creation violation */
        bool Execute;
    } INTRO_EXC_UM_ORIGINATOR;

/* ---- Victim ---------------------------------------------------------------------------------------------------------
 */

/* Zone types. */
#define INTRO_EXC_ZONE_EPT 1u
#define INTRO_EXC_ZONE_MSR 2u
#define INTRO_EXC_ZONE_CR 3u
#define INTRO_EXC_ZONE_INTEGRITY 4u
#define INTRO_EXC_ZONE_PROCESS 5u
#define INTRO_EXC_ZONE_DTR 6u
#define INTRO_EXC_ZONE_PC 7u

/* Zone flags (64-bit). */
#define INTRO_EXC_ZONE_LIB_IMPORTS 0x1ull
#define INTRO_EXC_ZONE_LIB_EXPORTS 0x2ull
#define INTRO_EXC_ZONE_LIB_CODE 0x4ull
#define INTRO_EXC_ZONE_LIB_DATA 0x8ull
#define INTRO_EXC_ZONE_LIB_RESOURCES 0x10ull
#define INTRO_EXC_ZONE_PROC_THREAD_CTX 0x20ull
#define INTRO_EXC_ZONE_PROC_THREAD_APC 0x40ull
#define INTRO_EXC_ZONE_DEP_EXECUTION 0x80ull
#define INTRO_EXC_ZONE_MODULE_LOAD 0x100ull
#define INTRO_EXC_ZONE_PROC_INSTRUMENT 0x200ull
#define INTRO_EXC_ZONE_WRITE 0x10000000ull
#define INTRO_EXC_ZONE_READ 0x20000000ull
#define INTRO_EXC_ZONE_EXECUTE 0x40000000ull
#define INTRO_EXC_ZONE_INTEGRITY_FLAG 0x100000000ull

/* Victim object types (values of hvmi's INTRO_OBJECT_TYPE). */
#define INTRO_EXC_OBJ_RAW 1u
#define INTRO_EXC_OBJ_INTERNAL 2u
#define INTRO_EXC_OBJ_SSDT 3u
#define INTRO_EXC_OBJ_FAST_IO_DISPATCH 4u
#define INTRO_EXC_OBJ_DRIVER_OBJECT 5u
#define INTRO_EXC_OBJ_KM_MODULE 6u
#define INTRO_EXC_OBJ_IDT 7u
#define INTRO_EXC_OBJ_GDT 8u
#define INTRO_EXC_OBJ_KM_UNPACK 9u
#define INTRO_EXC_OBJ_PROCESS 10u
#define INTRO_EXC_OBJ_UM_INTERNAL 11u
#define INTRO_EXC_OBJ_UM_UNPACK 12u
#define INTRO_EXC_OBJ_UM_HEAP 13u
#define INTRO_EXC_OBJ_UM_STACK 14u
#define INTRO_EXC_OBJ_UM_GENERIC_NX_ZONE 15u
#define INTRO_EXC_OBJ_UM_MODULE 16u
#define INTRO_EXC_OBJ_DETOUR_READ 17u
#define INTRO_EXC_OBJ_TOKEN_PTR 18u
#define INTRO_EXC_OBJ_HAL_DISPATCH_TABLE 19u
#define INTRO_EXC_OBJ_HAL_INT_CONTROLLER 20u
#define INTRO_EXC_OBJ_SELF_MAP_ENTRY 21u
#define INTRO_EXC_OBJ_HAL_HEAP 22u
#define INTRO_EXC_OBJ_VDSO 23u
#define INTRO_EXC_OBJ_VSYSCALL 24u
#define INTRO_EXC_OBJ_EX_TABLE 25u
#define INTRO_EXC_OBJ_VE_AGENT 26u
#define INTRO_EXC_OBJ_IDTR 27u
#define INTRO_EXC_OBJ_GDTR 28u
#define INTRO_EXC_OBJ_PROCESS_CREATION 29u
#define INTRO_EXC_OBJ_EXEC_SUSPICIOUS_DLL 30u
#define INTRO_EXC_OBJ_KM_LOGGER_CONTEXT 31u
#define INTRO_EXC_OBJ_PROCESS_CREATION_DPI 32u
#define INTRO_EXC_OBJ_TOKEN_PRIVS 33u
#define INTRO_EXC_OBJ_SUD_EXEC 34u
#define INTRO_EXC_OBJ_HAL_PERF_COUNTER 35u
#define INTRO_EXC_OBJ_HOOKED_FUNCTION 36u
#define INTRO_EXC_OBJ_SLACK_SPACE 37u
#define INTRO_EXC_OBJ_SEC_DESC 38u
#define INTRO_EXC_OBJ_ACL 39u
#define INTRO_EXC_OBJ_SUD_INTEGRITY 40u
#define INTRO_EXC_OBJ_INTERRUPT_OBJECT 41u
#define INTRO_EXC_OBJ_CR_VICTIM 0xFFFFFFFFu /* what CR victims carry */

/* Descriptor-table register victims (Dtr.Type). */
#define INTRO_EXC_DTR_IDTR INTRO_EXC_OBJ_IDTR
#define INTRO_EXC_DTR_GDTR INTRO_EXC_OBJ_GDTR

    /*
     * The victim zone.  The two unions mirror hvmi's: the zone-specific arm and the value arm share
     * storage, and some of hvmi's checks read one arm through another (Injection.Gva is Ept.Gva,
     * WriteInfo.OldValue[0] is ReadInfo.Value[0] and ExecInfo.Rsp).  Fill the arm of your zone; the
     * engine reproduces hvmi's reads.
     */
    typedef struct INTRO_EXC_VICTIM
    {
        uint32_t ZoneType;   /* INTRO_EXC_ZONE_* */
        uint64_t ZoneFlags;  /* INTRO_EXC_ZONE_* flags */
        uint32_t ObjectType; /* INTRO_EXC_OBJ_*; 0 for MSR and injection victims, 0xFFFFFFFF for CR */
        uint32_t NameHash;   /* victim name hash (driver, module, process, field), 0 when not applicable */
        INTRO_EXC_NAME Name; /* for glob exceptions */
        uint64_t BaseAddress;
        uint64_t DriverObjectGpa;  /* driver-object / fast-I/O victims: their driver object's GPA (0: none) */
        INTRO_EXC_PROCESS Process; /* user-mode victims: the victim process */
        bool Library;              /* user-mode victims: a known module contains the victim address */
        uint32_t LibraryNameHash;  /* that module's name hash */
        uint64_t LibraryBase;      /* that module's base address (export signatures read its export directory) */
        union
        {
            struct
            {
                uint64_t Gva;
                uint64_t Gpa;
            } Ept;
            struct
            {
                uint64_t NewDriverBase;
                uint32_t Msr;
            } Msr;
            struct
            {
                uint32_t Cr;
                bool Smap; /* CR4.SMAP being cleared */
                bool Smep; /* CR4.SMEP being cleared */
            } Cr;
            struct
            {
                uint32_t Type; /* INTRO_EXC_DTR_* */
            } Dtr;
            struct
            {
                uint64_t StartVirtualAddress;
                uint32_t Offset;
                uint32_t TotalLength;
                uint8_t InterruptObjIndex;
                const void *Buffer; /* new descriptor / ACL bytes */
                uint32_t BufferSize;
            } Integrity;
            struct
            {
                uint64_t Gva;
                uint32_t Length;
                const void *Buffer; /* injected bytes, if the caller has them */
                uint32_t BufferSize;
            } Injection;
        } u;
        union
        {
            struct
            {
                uint64_t OldValue[8];
                uint64_t NewValue[8];
                uint32_t AccessSize;
            } WriteInfo;
            struct
            {
                uint64_t Value[8];
                uint32_t AccessSize;
            } ReadInfo;
            struct
            {
                uint64_t Rsp;
                uint64_t StackBase;
                uint64_t StackLimit;
                uint32_t Length;
            } ExecInfo;
        } v;
    } INTRO_EXC_VICTIM;

    /* ---- Guest code ------------------------------------------------------------------------------------------------
     *
     * Codeblocks, value-code and export signatures read guest memory: the code around the RIP, the
     * bytes at RIP + offset, the victim module's export directory.  The caller says where those bytes
     * come from: a reader callback (an integrator's page walk; the library's own walker over
     * GLUE_IFACE), or bytes it already holds by virtual address (a recorded violation), or both
     * (the callback is asked first).  Without either, those signatures end in an internal error,
     * exactly like a failed guest read in hvmi.
     */

    /*
     * Copies Size bytes at Gva in the address space Cr3 into Buffer.  *Done receives the number of
     * bytes copied before the first unreadable one.  Returns a success status only when all Size
     * bytes were copied.
     */
    typedef INTSTATUS (*PFUNC_IntExcReadVirtual)(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size,
                                                 size_t *Done);

    /* Bytes the caller holds, by virtual address.  Cr3 0 matches any address space. */
    typedef struct INTRO_EXC_CODE_BYTES
    {
        uint64_t Cr3;
        uint64_t Gva;
        const uint8_t *Bytes;
        size_t Length;
    } INTRO_EXC_CODE_BYTES;

    /* The per-guest decoder state (one capstone handle and the extraction buffers). */
    typedef struct IG_CODE_CONTEXT INTRO_EXC_CODE_CONTEXT;

    typedef struct INTRO_EXC_MEMORY
    {
        uint32_t CsType;     /* IG_CS_TYPE of the vCPU: 2 = 32-bit, 3 = 64-bit; others make code signatures fail */
        uint64_t SystemCr3;  /* kernel address space: kernel and kernel-user code */
        uint64_t CurrentCr3; /* the vCPU's CR3: user code is read there (hvmi uses it when the process CR3 differs) */
        PFUNC_IntExcReadVirtual ReadVirtual; /* may be NULL */
        void *ReadContext;
        const INTRO_EXC_CODE_BYTES *Bytes; /* may be NULL */
        uint32_t BytesCount;
        /*
         * A decoder from IntExceptCodeContextCreate, owned by the caller and used by one evaluation at
         * a time (one per guest, or per thread).  NULL: the evaluation creates a temporary one when a
         * code-block signature needs it.
         */
        INTRO_EXC_CODE_CONTEXT *Context;
    } INTRO_EXC_MEMORY;

    /* ---- The violation
     * -------------------------------------------------------------------------------------------------- */

    /*
     * The violation grows as the model does, so it starts with StructSize: the caller's
     * sizeof(INTRO_EXC_VIOLATION), or 0 for the first layout (this one).  Fields added later are read
     * only from callers whose StructSize covers them, so a zeroed violation written against this
     * header keeps working; any other value is rejected.  (Outputs -- the verdict, the load error --
     * are written whole by the library, whose header is the one the caller compiled with.)
     */
    typedef struct INTRO_EXC_VIOLATION
    {
        uint32_t StructSize; /* sizeof(INTRO_EXC_VIOLATION), or 0: see above */
        uint32_t Kind;       /* INTRO_EXC_KIND_USER, _KERNEL or _KERNEL_USER */
        INTRO_EXC_GUEST Guest;
        INTRO_EXC_KM_ORIGINATOR Kernel; /* kernel and kernel-user violations */
        INTRO_EXC_UM_ORIGINATOR User;   /* user violations */
        INTRO_EXC_VICTIM Victim;
        INTRO_EXC_MEMORY Memory; /* guest code for codeblocks, value-code and export signatures */
    } INTRO_EXC_VIOLATION;

/* ---- The verdict ----------------------------------------------------------------------------------------------------
 */

/* Where an exception came from. */
#define INTRO_EXC_SOURCE_NONE 0u
#define INTRO_EXC_SOURCE_FILE 1u  /* the exceptions file: RecordIndex is its record's position (0-based) */
#define INTRO_EXC_SOURCE_ALERT 2u /* added from an alert: AlertContext is the integrator's context */

/* How far an exception got before it was rejected (in check order; higher is closer). */
#define INTRO_EXC_CHECK_NONE 0u
#define INTRO_EXC_CHECK_OS 1u          /* Linux flag vs guest OS */
#define INTRO_EXC_CHECK_INJECTION 2u   /* kernel-user injection gating */
#define INTRO_EXC_CHECK_ACCESS 3u      /* read/write/execute */
#define INTRO_EXC_CHECK_INTEGRITY 4u   /* integrity flag */
#define INTRO_EXC_CHECK_NON_DRIVER 5u  /* non-driver flag */
#define INTRO_EXC_CHECK_ARCH 6u        /* 32/64 flags */
#define INTRO_EXC_CHECK_VICTIM_NAME 7u /* victim name (or glob) */
#define INTRO_EXC_CHECK_PROCESS 8u     /* victim process name (or glob) */
#define INTRO_EXC_CHECK_OBJECT_TYPE 9u /* exception object type vs victim */
#define INTRO_EXC_CHECK_INIT 10u       /* init flag */
#define INTRO_EXC_CHECK_CR4 11u        /* SMAP/SMEP flags */
#define INTRO_EXC_CHECK_CHILD 12u      /* child flag */
#define INTRO_EXC_CHECK_SYSTEM_PROCESS 13u
#define INTRO_EXC_CHECK_APPHELP 14u
#define INTRO_EXC_CHECK_ONE_TIME 15u
#define INTRO_EXC_CHECK_EXTRA 16u      /* initialisation-injection extra check */
#define INTRO_EXC_CHECK_SIGNATURES 17u /* a signature group (FailReason says which kind) */
#define INTRO_EXC_CHECK_ERROR 18u      /* an internal error while evaluating it */
#define INTRO_EXC_CHECK_PASSED 19u     /* it allowed the violation */
/*
 * A signature group could not get the guest data it needs (the export directory or headers unreadable,
 * no RIP to read code at), so the exception does not allow the violation.  FailReason names the group
 * (EXPORT_NOT_MATCHED, SIGNATURE_NOT_MATCHED, ...).  Ranked like SIGNATURES: it is not "closer" than
 * a signature that was compared and differed.  introguard's: hvmi lets these groups pass.
 */
#define INTRO_EXC_CHECK_UNREADABLE 20u

    typedef struct INTRO_EXC_REF
    {
        uint32_t Source;       /* INTRO_EXC_SOURCE_* */
        uint32_t Kind;         /* INTRO_EXC_KIND_* of the exception (USER_GLOB for glob exceptions) */
        uint32_t RecordIndex;  /* file exceptions */
        uint64_t AlertContext; /* alert exceptions */
        uint32_t FailedCheck;  /* closest only: INTRO_EXC_CHECK_* it failed */
        uint32_t FailReason;   /* closest only: the INTRO_EXC_REASON_* it produced (NO_EXCEPTION before victim match) */
    } INTRO_EXC_REF;

    typedef struct INTRO_EXC_VERDICT
    {
        uint32_t Action;  /* INTRO_EXC_ACTION_* */
        uint32_t Reason;  /* INTRO_EXC_REASON_* */
        INTSTATUS Status; /* the search status hvmi's engine returns (EXCEPTION_ALLOW, EXCEPTION_NOT_MATCHED, ...) */
        INTRO_EXC_REF Matched; /* the exception that allowed it (Source NONE for SameValue / not loaded / block) */
        INTRO_EXC_REF Closest; /* for a block: the exception that got furthest, Source NONE if none was tried */
        uint32_t Tried;        /* exceptions examined by the matchers (for diagnostics and benchmarks) */
    } INTRO_EXC_VERDICT;

    /* ---- Rule sets and evaluation
     * ---------------------------------------------------------------------------------------- */

    typedef struct IG_RULESET INTRO_EXC_RULESET; /* opaque and immutable: a loaded file with its search indexes */

    /*
     * Loads an exceptions file (hvmi format 2.2) for a guest running Os (INTRO_EXC_OS_*; records for
     * the other OS are dropped as hvmi does; any other value keeps every record).  The rule set and
     * its search index are built here, so evaluations allocate nothing.  Every block comes from
     * Allocator (required: pass IntExceptMallocAllocator() to choose the C library's), which must
     * stay usable until the set is freed.  *RuleSet receives a new rule
     * set owned by the caller, or NULL on error.  Buffer is only read during the call and must not
     * change meanwhile.
     *
     * Returns INT_STATUS_SUCCESS, or the status UpdateExceptions returns for the same buffer
     * (INVALID_PARAMETER_1 for a NULL one, INVALID_PARAMETER_2 for one not longer than the header,
     * INVALID_OBJECT_TYPE, NOT_SUPPORTED, INVALID_DATA_SIZE, INVALID_DATA_STATE,
     * INSUFFICIENT_RESOURCES); INVALID_PARAMETER_4 / _5 for a NULL Allocator (or one without Alloc or
     * Free) or RuleSet.  Error (may be NULL) is zeroed at entry and, on failure, says where and why,
     * with the same fields IntGetExceptionsLoadError reports for a guest.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptRuleSetLoad(const void *Buffer, size_t Length, uint32_t Os,
                                                                        const INTRO_EXC_ALLOCATOR *Allocator,
                                                                        INTRO_EXC_RULESET **RuleSet,
                                                                        INTRO_EXCEPTIONS_LOAD_ERROR *Error);

    /* ---- Authenticity of exceptions files --------------------------------------------------------------------- */

#define INTRO_EXC_SHA256_SIZE 32u             /* a SHA-256 digest */
#define INTRO_EXC_ED25519_PUBLIC_KEY_SIZE 32u /* an Ed25519 public key */
#define INTRO_EXC_ED25519_SIGNATURE_SIZE 64u  /* a detached Ed25519 signature */

    /*
     * The SHA-256 (FIPS 180-4) of the Length bytes at Buffer, into Digest (INTRO_EXC_SHA256_SIZE
     * bytes): what IntSetExceptionsDigest pins.  Returns SUCCESS; INVALID_PARAMETER_1 for a NULL Buffer
     * with a non-zero Length; INVALID_PARAMETER_3 for a NULL Digest.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptFileDigest(const void *Buffer, size_t Length,
                                                                       uint8_t *Digest);

    /*
     * Verifies that Signature (INTRO_EXC_ED25519_SIGNATURE_SIZE bytes) is the detached Ed25519
     * signature of the Length bytes at Buffer by the key PublicKey (INTRO_EXC_ED25519_PUBLIC_KEY_SIZE
     * bytes), as UpdateExceptions does once IntSetExceptionsKey is set.  Returns SUCCESS;
     * ACCESS_DENIED when it is not; INVALID_PARAMETER_1 / _3 / _4 for a NULL Buffer (with a non-zero
     * Length), Signature or PublicKey; NOT_SUPPORTED when the library is built without libsodium
     * (INTROGUARD_ED25519 off); INSUFFICIENT_RESOURCES when libsodium cannot start.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptFileVerify(const void *Buffer, size_t Length,
                                                                       const uint8_t *Signature,
                                                                       const uint8_t *PublicKey);

    /* Frees a rule set from IntExceptRuleSetLoad (drops the caller's reference).  NULL is allowed. */
    INTROGUARD_API void IntExceptRuleSetFree(INTRO_EXC_RULESET *RuleSet);

    /*
     * Decides whether the exceptions in RuleSet allow Violation.
     *
     * RuleSet NULL means "no exceptions file loaded": the violation is allowed with reason
     * EXCEPTIONS_NOT_LOADED, as hvmi does.  Violation is read only, except the INTRO_EXC_PROCESS_STATE
     * blocks it points to, which the checks update as hvmi's do.  Verdict is written in all cases
     * where the return is a success.
     *
     * Returns INT_STATUS_SUCCESS when a verdict was produced (allowed or not; the engine's own
     * search status is Verdict->Status), INT_STATUS_INVALID_PARAMETER_2 for a NULL Violation or one
     * whose StructSize is neither 0 nor sizeof(INTRO_EXC_VIOLATION), INT_STATUS_INVALID_PARAMETER_3 for
     * a NULL Verdict.
     * Thread-safety: any number of threads may evaluate against the same rule set at once; they may
     * share process-state blocks (see INTRO_EXC_PROCESS_STATE) but not a code context.  Allocates
     * nothing.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptEvaluate(const INTRO_EXC_RULESET *RuleSet,
                                                                     const INTRO_EXC_VIOLATION *Violation,
                                                                     INTRO_EXC_VERDICT *Verdict);

    /*
     * Creates the per-evaluation-thread state that codeblocks and export signatures need
     * (INTRO_EXC_MEMORY.Context): a capstone decoder, the extraction buffers and a fixed 1 MiB buffer
     * for export directories, so that evaluations allocate nothing.  The blocks come from Allocator
     * (required; it must stay usable until the context is freed), except capstone's own, which it
     * takes from the C library here and never during an evaluation.  Free it with
     * IntExceptCodeContextFree.  Returns INVALID_PARAMETER_1 / _2 for a NULL Allocator or Context,
     * INSUFFICIENT_RESOURCES when a block cannot be allocated or capstone cannot be opened.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptCodeContextCreate(const INTRO_EXC_ALLOCATOR *Allocator,
                                                                              INTRO_EXC_CODE_CONTEXT **Context);

    /* Frees a decoder state; NULL is allowed. */
    INTROGUARD_API void IntExceptCodeContextFree(INTRO_EXC_CODE_CONTEXT *Context);

    /*
     * Sets StartInitializing under the block's lock, for callers whose evaluations may be running.
     * Returns INVALID_PARAMETER_1 for a NULL State.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptProcessStateSetInitializing(INTRO_EXC_PROCESS_STATE *State,
                                                                                        bool StartInitializing);

    /*
     * Copies the block into *Copy under its lock (Copy->Lock reads 0), for callers whose evaluations
     * may be running.  Returns INVALID_PARAMETER_1 / _2 for a NULL State / Copy.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntExceptProcessStateRead(INTRO_EXC_PROCESS_STATE *State,
                                                                             INTRO_EXC_PROCESS_STATE *Copy);

    /* Names used in traces and reports: "allowed", "not_allowed"; "no_exception", "same_value", ...; NULL if unknown.
     */
    INTROGUARD_API const char *IntExceptActionName(uint32_t Action);
    INTROGUARD_API const char *IntExceptReasonName(uint32_t Reason);
    INTROGUARD_API const char *IntExceptCheckName(uint32_t Check);

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_EXCEPTIONS_H */
