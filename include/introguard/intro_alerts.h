/*
 * introguard: the alert (violation) structures and the exception blob they carry.
 *
 * An alert reaches the integrator through GLUE_IFACE.NotifyIntrospectionAlert as an EventClass
 * (INTRO_EVENT_TYPE) and a pointer to one of the EVENT_* structures below.  Every violation starts
 * with an INTRO_VIOLATION_HEADER whose 255-byte Exception field holds a blob (ALERT_KM_EXCEPTION,
 * ALERT_KUM_EXCEPTION or ALERT_UM_EXCEPTION) that AddExceptionFromAlert turns back into an exception.
 * The integrator must copy the blob during the callback: the event dies when the callback returns.
 *
 * Names, field order, types and layouts are hvmi's, so alerts are byte-compatible in both directions
 * (an alert raised by hvmi can be handed to introguard and the reverse).  Sizes and key offsets are
 * asserted below for x86-64 and checked field by field in tests/test_alert_layout.c.
 *
 * The header sets its own packing (natural alignment for the events, pack(1) for the blob), so an
 * integrator's #pragma pack in force where it is included does not change any layout.
 */
#ifndef INTROGUARD_INTRO_ALERTS_H
#define INTROGUARD_INTRO_ALERTS_H

#include "intro_types.h"

#ifdef __cplusplus
extern "C"
{
#endif

    /* Layout asserts (INTROGUARD_LAYOUT_ASSERT) only where hvmi's sizes were measured; the enum-size
     * asserts (INTROGUARD_STATIC_ASSERT) hold everywhere. */

#pragma pack(push, 8)

/* ---- Constants ------------------------------------------------------------------------------------------------- */

/* INTRO_VIOLATION_HEADER.Flags (and the blob's ViolationFlags copy of it). */
#define ALERT_FLAG_BETA 0x0000000000000001ull           /* detection only: nothing was blocked */
#define ALERT_FLAG_ANTIVIRUS 0x0000000000000002ull      /* the victim belongs to an anti-virus */
#define ALERT_FLAG_SYSPROC 0x0000000000000004ull        /* the victim is a system process */
#define ALERT_FLAG_NOT_RING0 0x0000000000000008ull      /* CPL was not 0: decides the EPT blob's shape */
#define ALERT_FLAG_ASYNC 0x0000000000000010ull          /* raised after the fact, not at the exit */
#define ALERT_FLAG_LINUX 0x0000000000000020ull          /* the guest is Linux */
#define ALERT_FLAG_FROM_ENGINES 0x0000000000000040ull   /* decided by the integrator's scan engines */
#define ALERT_FLAG_FEEDBACK_ONLY 0x0000000000000080ull  /* allowed by a feedback exception */
#define ALERT_FLAG_DEP_VIOLATION 0x0000000000000100ull  /* execution in a non-executable zone */
#define ALERT_FLAG_PROTECTED_VIEW 0x0000000000000200ull /* raised in a protected EPT view */
#define ALERT_FLAG_KM_UM 0x0000000000000400ull          /* kernel code wrote user memory: kernel-user blob */

/*
 * Lengths of the fixed-size fields.  ALERT_PATH_MAX_LEN, ALERT_IMAGE_NAME_LEN, ALERT_MAX_MESSAGE_SIZE,
 * ALERT_MAX_INSTRUX_LEN, ALERT_MAX_CODEBLOCKS, ALERT_EXCEPTION_SIZE, ALERT_MAX_DETECTION_NAME and
 * ALERT_MAX_ENGINES_VERSION come from intro_types.h, which needs some of them itself.
 */
#define ALERT_MAX_SECTION_NAME_LEN 8u
#define ALERT_MAX_FUNCTIONS 4u
#define ALERT_MAX_FUNCTION_NAME_LEN 32u
#define ALERT_MAX_INJ_DUMP_SIZE 512u
#define ALERT_CMDLINE_MAX_LEN 512u
#define INTRO_SECURITY_DESCRIPTOR_SIZE 1024u

/* INTRO_VIOLATION_HEADER.ViolationVersion. */
#define INTRO_VIOLATION_VERSION 1

/* The size of the token hvmi reports in INTRO_PROCESS.SecurityInfo (see INTRO_TOKEN). */
#define INTRO_TOKEN_SIZE 656u

/*
 * EVENT_EPT_VIOLATION.ZoneTypes: what the accessed area is.  The same bits as INTRO_EXC_ZONE_* in
 * intro_exceptions.h (ZONE_INTEGRITY there is INTRO_EXC_ZONE_INTEGRITY_FLAG); the test keeps them equal.
 */
#define ZONE_LIB_IMPORTS 0x000000001ull
#define ZONE_LIB_EXPORTS 0x000000002ull
#define ZONE_LIB_CODE 0x000000004ull
#define ZONE_LIB_DATA 0x000000008ull
#define ZONE_LIB_RESOURCES 0x000000010ull
#define ZONE_PROC_THREAD_CTX 0x000000020ull
#define ZONE_PROC_THREAD_APC 0x000000040ull
#define ZONE_DEP_EXECUTION 0x000000080ull
#define ZONE_MODULE_LOAD 0x000000100ull
#define ZONE_PROC_INSTRUMENT 0x000000200ull
#define ZONE_WRITE 0x010000000ull
#define ZONE_READ 0x020000000ull
#define ZONE_EXECUTE 0x040000000ull
#define ZONE_INTEGRITY 0x100000000ull

    /* ---- Enumerations -------------------------------------------------------------------------------------------- */

    /*
     * What a violation touched (EPT, DTR and integrity victims).  The values are those of INTRO_EXC_OBJ_*
     * in intro_exceptions.h, which the evaluation model uses; the test keeps the two equal.
     */
    typedef enum _INTRO_OBJECT_TYPE
    {
        introObjectTypeRaw = 1,
        introObjectTypeInternal = 2,
        introObjectTypeSsdt = 3,
        introObjectTypeFastIoDispatch = 4,
        introObjectTypeDriverObject = 5,
        introObjectTypeKmModule = 6,
        introObjectTypeIdt = 7,
        introObjectTypeGdt = 8,
        introObjectTypeKmUnpack = 9,
        introObjectTypeProcess = 10,
        introObjectTypeUmInternal = 11,
        introObjectTypeUmUnpack = 12,
        introObjectTypeUmHeap = 13,
        introObjectTypeUmStack = 14,
        introObjectTypeUmGenericNxZone = 15,
        introObjectTypeUmModule = 16,
        introObjectTypeDetourRead = 17,
        introObjectTypeTokenPtr = 18,
        introObjectTypeCreds = 18, /* Linux name of the same protection */
        introObjectTypeHalDispatchTable = 19,
        introObjectTypeHalIntController = 20,
        introObjectTypeSelfMapEntry = 21,
        introObjectTypeHalHeap = 22,
        introObjectTypeVdso = 23,
        introObjectTypeVsyscall = 24,
        introObjectTypeExTable = 25,
        introObjectTypeVeAgent = 26,
        introObjectTypeIdtr = 27,
        introObjectTypeGdtr = 28,
        introObjectTypeProcessCreation = 29,
        introObjectTypeExecSuspiciousDll = 30,
        introObjectTypeKmLoggerContext = 31,
        introObjectTypeProcessCreationDpi = 32,
        introObjectTypeTokenPrivs = 33,
        introObjectTypeSudExec = 34,
        introObjectTypeHalPerfCounter = 35,
        introObjectTypeHookedFunction = 36,
        introObjectTypeSlackSpace = 37,
        introObjectTypeSecDesc = 38,
        introObjectTypeAcl = 39,
        introObjectTypeSudIntegrity = 40,
        introObjectTypeInterruptObject = 41,
        introObjectTypeTest = 42,
    } INTRO_OBJECT_TYPE;

    /* MITRE ATT&CK technique of a violation (the number of technique Txxxx). */
    typedef enum _MITRE_ID
    {
        idCredDump = 1003,
        idRootkit = 1014,
        idSoftwarePacking = 1045,
        idProcInject = 1055,
        idScripting = 1064,
        idExploitPrivEsc = 1068,
        idPowerShell = 1086,
        idProcHollowing = 1093,
        idExecApi = 1106,
        idTrustedDevUtil = 1127,
        idExecModLoad = 1129,
        idAccessToken = 1134,
        idHooking = 1179,
        idEWMI = 1181,
        idProcDoppelganging = 1186,
        idExploitClientExec = 1203,
        idExploitRemote = 1210,
        idKernModExt = 1215,
    } MITRE_ID;

    /* How one process reached into another (EVENT_MEMCOPY_VIOLATION.ViolationType). */
    typedef enum _MEMCOPY_VIOLATION_TYPE
    {
        memCopyViolationWrite = 0,
        memCopyViolationRead = 1,
        memCopyViolationSetContextThread = 2,
        memCopyViolationQueueApcThread = 3,
        memCopyViolationInstrument = 4,
    } MEMCOPY_VIOLATION_TYPE;

    /* Which translation changed (EVENT_TRANSLATION_VIOLATION.ViolationType). */
    typedef enum _TRANS_VIOLATION_TYPE
    {
        transViolationPageHash = 0,
        transViolationProcessCr3 = 1,
        transViolationSelfMap = 2,
        transViolationWatchdog = 3,
        transViolationVeAgent = 4,
    } TRANS_VIOLATION_TYPE;

    /*
     * EVENT_PROCESS_CREATION_VIOLATION.PcType: 0 for a blocked child creation, otherwise the one deep
     * process inspection (DPI) heuristic that fired; it selects the arm of INTRO_DPI_EXTRA_INFO.
     */
    typedef enum
    {
        INT_PC_VIOLATION_NORMAL_PROCESS_CREATION = 0,
        INT_PC_VIOLATION_DPI_DEBUG_FLAG = 0x01,
        INT_PC_VIOLATION_DPI_PIVOTED_STACK = 0x02,
        INT_PC_VIOLATION_DPI_STOLEN_TOKEN = 0x04,
        INT_PC_VIOLATION_DPI_HEAP_SPRAY = 0x08,
        INT_PC_VIOLATION_DPI_TOKEN_PRIVS = 0x10,
        INT_PC_VIOLATION_DPI_THREAD_START = 0x20,
        INT_PC_VIOLATION_DPI_SEC_DESC = 0x40,
        INT_PC_VIOLATION_DPI_ACL_EDIT = 0x80,
    } INTRO_PC_VIOLATION_TYPE;

    /* ---- Objects an alert describes ------------------------------------------------------------------------------ */

    /*
     * A Windows access token.  Kept opaque: introguard does not decode guest tokens, so it only keeps the
     * room hvmi's alerts reserve for one (SIDs and privileges of the thread or process token).
     */
    typedef union _INTRO_TOKEN
    {
        uint8_t Raw[INTRO_TOKEN_SIZE];
        unsigned long long _Align; /* the token holds QWORDs: keeps INTRO_PROCESS's offsets */
    } INTRO_TOKEN, *PINTRO_TOKEN;

    /* A guest process.  Use nothing in it unless Valid is set. */
    typedef struct _INTRO_PROCESS
    {
        bool Valid;
        uint32_t Pid;
        unsigned long long Cr3;               /* its address space (not necessarily the vCPU's CR3) */
        unsigned long long CreationTime;      /* Windows: 100 ns units since 1601-01-01 */
        char ImageName[ALERT_IMAGE_NAME_LEN]; /* lower-case short image name: exceptions hash it */
        uint16_t Path[ALERT_PATH_MAX_LEN];
        INTRO_TOKEN SecurityInfo;
        char CmdLine[ALERT_CMDLINE_MAX_LEN];
        unsigned long long Context; /* the integrator's context given when the process was protected */
        bool Wow64;
    } INTRO_PROCESS, *PINTRO_PROCESS;

    /* A kernel driver or a user-mode module.  Use nothing in it unless Valid is set. */
    typedef struct _INTRO_MODULE
    {
        bool Valid;
        unsigned long long Base;
        uint32_t Size;
        uint32_t TimeDateStamp; /* from the PE header (Windows) */
        uint16_t Name[ALERT_PATH_MAX_LEN];
        uint16_t Path[ALERT_PATH_MAX_LEN];
    } INTRO_MODULE, *PINTRO_MODULE;

    /* A Windows driver object. */
    typedef struct _INTRO_DRVOBJ
    {
        bool Valid;
        unsigned long long Address; /* guest virtual address of the object */
        uint16_t Name[ALERT_PATH_MAX_LEN];
        unsigned long long Owner; /* base of the driver that owns it */
    } INTRO_DRVOBJ, *PINTRO_DRVOBJ;

    /* The vCPU an alert was raised on. */
    typedef struct _INTRO_CPUCTX
    {
        bool Valid;
        uint32_t Cpu;
        unsigned long long Rip;
        unsigned long long Cr3;
        char Instruction[ALERT_MAX_INSTRUX_LEN]; /* the instruction at Rip, as text */
    } INTRO_CPUCTX, *PINTRO_CPUCTX;

    /* A write: the first Size bytes of each array are meaningful. */
    typedef struct _INTRO_WRITE_INFO
    {
        unsigned long long OldValue[8];
        unsigned long long NewValue[8];
        uint32_t Size;
    } INTRO_WRITE_INFO, *PINTRO_WRITE_INFO;

    /* A read: the first Size bytes of Value are meaningful. */
    typedef struct _INTRO_READ_INFO
    {
        unsigned long long Value[8];
        uint32_t Size;
    } INTRO_READ_INFO, *PINTRO_READ_INFO;

    /* An execution: the stack of the thread that executed, and the instruction's length. */
    typedef struct _INTRO_EXEC_INFO
    {
        unsigned long long Rsp;
        unsigned long long StackBase;
        unsigned long long StackLimit;
        uint32_t Length;
    } INTRO_EXEC_INFO, *PINTRO_EXEC_INFO;

    /* A changed security descriptor (integrity SecDesc / Acl victims): both copies, each Size bytes long. */
    typedef struct _INTRO_SEC_DESC_INFO
    {
        unsigned long long OldAddress;
        unsigned long long NewAddress;
        uint32_t NewSecDescHash;
        uint8_t OldSecDesc[INTRO_SECURITY_DESCRIPTOR_SIZE];
        uint32_t OldSecDescSize;
        uint8_t NewSecDesc[INTRO_SECURITY_DESCRIPTOR_SIZE];
        uint32_t NewSecDescSize;
    } INTRO_SEC_DESC_INFO, *PINTRO_SEC_DESC_INFO;

    /* The header of a Windows ACL (SACL or DACL), as DPI alerts report it. */
    typedef struct _INTRO_ACL
    {
        uint8_t AclRevision;
        uint16_t AclSize;
        uint16_t AceCount;
    } INTRO_ACL, *PINTRO_ACL;

    /* One code block: where it starts and the hash a code-blocks signature compares. */
    typedef struct _INTRO_CODE_BLOCK
    {
        uint16_t Offset; /* in the page of INTRO_CODEBLOCKS.StartAddress */
        uint8_t Pivot;   /* the class of the instruction the block is built around */
        uint32_t Value;  /* the block's hash */
    } INTRO_CODE_BLOCK, *PINTRO_CODE_BLOCK;

    /* The code blocks around the RIP of a violation (what the blob's code-blocks signature is built from). */
    typedef struct _INTRO_CODEBLOCKS
    {
        bool Valid;
        unsigned long long StartAddress;
        unsigned long long Rip;
        uint32_t RipCbIndex; /* the entry of the block that holds Rip */
        uint32_t Count;
        INTRO_CODE_BLOCK CodeBlocks[ALERT_MAX_CODEBLOCKS];
    } INTRO_CODEBLOCKS, *PINTRO_CODEBLOCKS;

    /* Versions in force when the alert was raised.  The exception fields are the loaded file's. */
    typedef struct _INTRO_VERSION_INFO
    {
        uint16_t ExceptionMajor;
        uint16_t ExceptionMinor;
        uint32_t ExceptionBuild;
        uint16_t IntroMajor;
        uint16_t IntroMinor;
        uint16_t IntroRevision;
        uint32_t IntroBuildNumber;
        uint32_t CamiMajor;
        uint32_t CamiMinor;
        uint32_t CamiBuildNumber;
        unsigned long long OsVer;
    } INTRO_VERSION_INFO, *PINTRO_VERSION_INFO;

    /* General-purpose registers at the time of a violation. */
    typedef struct _INTRO_GPRS
    {
        unsigned long long RegRax;
        unsigned long long RegRcx;
        unsigned long long RegRdx;
        unsigned long long RegRbx;
        unsigned long long RegRsp;
        unsigned long long RegRbp;
        unsigned long long RegRsi;
        unsigned long long RegRdi;
        unsigned long long RegR8;
        unsigned long long RegR9;
        unsigned long long RegR10;
        unsigned long long RegR11;
        unsigned long long RegR12;
        unsigned long long RegR13;
        unsigned long long RegR14;
        unsigned long long RegR15;
        unsigned long long RegCr2;
        unsigned long long RegFlags;
        unsigned long long RegDr7;
        unsigned long long RegRip;
    } INTRO_GPRS, *PINTRO_GPRS;

    /* The code and registers of the instruction that caused a violation. */
    typedef struct _INTRO_EXEC_CONTEXT
    {
        uint32_t CsType; /* IG_CS_TYPE */
        INTRO_GPRS Registers;
        uint8_t RipCode[0x1000]; /* the page that holds the RIP */
    } INTRO_EXEC_CONTEXT, *PINTRO_EXEC_CONTEXT;

    /* An execution the scan engines judged (EVENT_ENGINES_DETECTION_VIOLATION.ExecViolation). */
    typedef struct _INTRO_EXEC_DATA
    {
        INTRO_PROCESS Process;
        INTRO_EXEC_CONTEXT ExecContext;
        INTRO_EXEC_INFO StackInfo;
        bool Code64;
    } INTRO_EXEC_DATA, *PINTRO_EXEC_DATA;

    /* A command line the scan engines judged (EVENT_ENGINES_DETECTION_VIOLATION.CmdLineViolation). */
    typedef struct _INTRO_ENG_CMD_LINE_VIOLATION
    {
        INTRO_PROCESS Victim;     /* the process started with the command line */
        INTRO_PROCESS Originator; /* the process that supplied it */
    } INTRO_ENG_CMD_LINE_VIOLATION;

    /* ---- The violation header ------------------------------------------------------------------------------------ */

#pragma pack(push, 1)
    /*
     * The first bytes of every exception blob, and of each signature inside one.  Valid says whether
     * AddExceptionFromAlert may be offered; in embedded signatures only Version is used.
     */
    typedef struct _INTRO_ALERT_EXCEPTION_HEADER
    {
        uint16_t Version;
        unsigned long long ViolationFlags; /* the violation's ALERT_FLAG_* */
        bool Valid;
        uint8_t _Reserved1;
        uint32_t _Reserved2;
        uint32_t _Reserved3;
    } INTRO_ALERT_EXCEPTION_HEADER;
#pragma pack(pop)

    typedef struct _INTRO_VIOLATION_HEADER
    {
        uint32_t ViolationVersion; /* INTRO_VIOLATION_VERSION */
        INTRO_VERSION_INFO VerInfo;
        INTRO_ACTION Action;
        INTRO_ACTION_REASON Reason;
        INTRO_CPUCTX CpuContext;
        INTRO_PROCESS CurrentProcess; /* the process current on the vCPU */
        unsigned long long Flags;     /* ALERT_FLAG_* */
        MITRE_ID MitreID;
        union
        {
            uint8_t Exception[ALERT_EXCEPTION_SIZE]; /* copy these bytes to add an exception later */
            INTRO_ALERT_EXCEPTION_HEADER ExHeader;
        };
    } INTRO_VIOLATION_HEADER, *PINTRO_VIOLATION_HEADER;

    /* ---- Violations ---------------------------------------------------------------------------------------------- */

    /* An access through an EPT hook (introEventEptViolation). */
    typedef struct _EVENT_EPT_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;

        struct
        {
            INTRO_MODULE Module;       /* the code that accessed */
            INTRO_MODULE ReturnModule; /* where that code returns to */
            INTRO_PROCESS Process;     /* kernel-user writes: the process behind the injection */
            struct
            {
                bool User : 1;   /* kernel-user write made on behalf of a user-mode injection */
                bool Kernel : 1; /* kernel-user write made on behalf of a kernel-mode injection */
            } Injection;
        } Originator;

        struct
        {
            INTRO_OBJECT_TYPE Type;
            union
            {
                INTRO_MODULE Module;
                INTRO_DRVOBJ DriverObject;
            };
            uint8_t IdtEntry; /* introObjectTypeIdt victims */
        } Victim;

        union
        {
            INTRO_WRITE_INFO WriteInfo; /* the arm follows Violation */
            INTRO_READ_INFO ReadInfo;
            INTRO_EXEC_INFO ExecInfo;
        };

        INTRO_CODEBLOCKS CodeBlocks;

        uint8_t Violation; /* IG_EPT_HOOK_READ, _WRITE or _EXECUTE */
        unsigned long long HookStartVirtual;
        unsigned long long HookStartPhysical;
        unsigned long long VirtualPage;
        unsigned long long PhysicalPage;
        uint32_t Offset;              /* of the access in the page */
        unsigned long long ZoneTypes; /* ZONE_* */
        char RipSectionName[ALERT_MAX_SECTION_NAME_LEN];
        unsigned long long ReturnRip;
        char ReturnRipSectionName[ALERT_MAX_SECTION_NAME_LEN];
        char ModifiedSectionName[ALERT_MAX_SECTION_NAME_LEN];
        char FunctionName[ALERT_MAX_FUNCTION_NAME_LEN]; /* Export.Name[0] */
        uint32_t FunctionNameHash;                      /* Export.Hash[0] */
        uint32_t Delta;                                 /* offset of the access in that function */

        struct
        {
            char Name[ALERT_MAX_FUNCTIONS][ALERT_MAX_FUNCTION_NAME_LEN]; /* exports at the accessed address */
            uint32_t Hash[ALERT_MAX_FUNCTIONS];
            uint32_t Delta;
        } Export;

        INTRO_EXEC_CONTEXT ExecContext;
    } EVENT_EPT_VIOLATION, *PEVENT_EPT_VIOLATION;

    /* A write to a protected MSR (introEventMsrViolation). */
    typedef struct _EVENT_MSR_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        struct
        {
            INTRO_MODULE Module;
            INTRO_MODULE ReturnModule;
        } Originator;
        union
        {
            uint32_t Msr;
        } Victim;
        INTRO_WRITE_INFO WriteInfo;
        INTRO_CODEBLOCKS CodeBlocks;
        INTRO_EXEC_CONTEXT ExecContext;
    } EVENT_MSR_VIOLATION, *PEVENT_MSR_VIOLATION;

    /* A write to a protected control register (introEventCrViolation). */
    typedef struct _EVENT_CR_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        struct
        {
            INTRO_MODULE Module;
            INTRO_MODULE ReturnModule;
        } Originator;
        union
        {
            uint32_t Cr;
        } Victim;
        INTRO_WRITE_INFO WriteInfo;
        INTRO_CODEBLOCKS CodeBlocks;
        INTRO_EXEC_CONTEXT ExecContext;
    } EVENT_CR_VIOLATION, *PEVENT_CR_VIOLATION;

    /* A write to an extended control register (introEventXcrViolation; never exceptable). */
    typedef struct _EVENT_XCR_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        struct
        {
            INTRO_MODULE Module;
            INTRO_MODULE ReturnModule;
        } Originator;
        union
        {
            uint32_t Xcr;
        } Victim;
        INTRO_WRITE_INFO WriteInfo;
        INTRO_CODEBLOCKS CodeBlocks;
        INTRO_EXEC_CONTEXT ExecContext;
    } EVENT_XCR_VIOLATION, *PEVENT_XCR_VIOLATION;

    /* A write to IDTR or GDTR (introEventDtrViolation). */
    typedef struct _EVENT_DTR_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        struct
        {
            INTRO_MODULE Module;
            INTRO_MODULE ReturnModule;
        } Originator;
        struct
        {
            INTRO_OBJECT_TYPE Type; /* introObjectTypeIdtr or introObjectTypeGdtr */
        } Victim;
        INTRO_WRITE_INFO WriteInfo;
        INTRO_CODEBLOCKS CodeBlocks;
        INTRO_EXEC_CONTEXT ExecContext;
    } EVENT_DTR_VIOLATION, *PEVENT_DTR_VIOLATION;

    /* A change found by an integrity check, after the fact (introEventIntegrityViolation). */
    typedef struct _EVENT_INTEGRITY_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;

        struct
        {
            INTRO_MODULE Module;
            INTRO_PROCESS Process;
        } Originator;

        struct
        {
            INTRO_MODULE Module;
        } Return;

        struct
        {
            INTRO_OBJECT_TYPE Type;
            uint16_t Name[ALERT_PATH_MAX_LEN]; /* what changed, for people (e.g. a SharedUserData field) */
            union
            {
                INTRO_PROCESS Process;     /* token, privileges, security descriptor victims */
                INTRO_DRVOBJ DriverObject; /* introObjectTypeDriverObject victims */
                uint8_t IdtEntry;          /* introObjectTypeIdt victims */
            };
        } Victim;

        union
        {
            INTRO_WRITE_INFO WriteInfo;
            INTRO_SEC_DESC_INFO SecDescWriteInfo; /* introObjectTypeSecDesc and introObjectTypeAcl victims */
        };

        unsigned long long BaseAddress;    /* start of the checked region */
        unsigned long long VirtualAddress; /* what changed */
        uint32_t Size;
    } EVENT_INTEGRITY_VIOLATION, *PEVENT_INTEGRITY_VIOLATION;

    /* A changed translation (introEventTranslationViolation; never exceptable). */
    typedef struct _EVENT_TRANSLATION_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        struct
        {
            INTRO_MODULE Module;
            INTRO_MODULE ReturnModule;
        } Originator;
        struct
        {
            unsigned long long VirtualAddress;
        } Victim;
        INTRO_WRITE_INFO WriteInfo;
        TRANS_VIOLATION_TYPE ViolationType;
    } EVENT_TRANSLATION_VIOLATION, *PEVENT_TRANSLATION_VIOLATION;

    /* One process reaching into another (introEventInjectionViolation). */
    typedef struct _EVENT_MEMCOPY_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;

        struct
        {
            INTRO_PROCESS Process;
        } Originator;

        struct
        {
            INTRO_PROCESS Process;
            INTRO_MODULE Module; /* the module at the destination, if any */
        } Victim;

        unsigned long long SourceVirtualAddress;
        unsigned long long DestinationVirtualAddress;
        uint32_t CopySize;
        MEMCOPY_VIOLATION_TYPE ViolationType;
        bool DumpValid;
        uint8_t RawDump[ALERT_MAX_INJ_DUMP_SIZE]; /* the injected bytes, when DumpValid */
        char FunctionName[ALERT_MAX_FUNCTION_NAME_LEN];
        uint32_t FunctionNameHash;
        uint32_t Delta;

        struct
        {
            char Name[ALERT_MAX_FUNCTIONS][ALERT_MAX_FUNCTION_NAME_LEN];
            uint32_t Hash[ALERT_MAX_FUNCTIONS];
            uint32_t Delta;
        } Export;
    } EVENT_MEMCOPY_VIOLATION, *PEVENT_MEMCOPY_VIOLATION;

    /* What a DPI heuristic saw; the arm is chosen by EVENT_PROCESS_CREATION_VIOLATION.PcType. */
    typedef union _INTRO_DPI_EXTRA_INFO
    {
        struct
        {
            INTRO_PROCESS Debugger;
        } DpiDebugFlag;

        struct
        {
            unsigned long long CurrentStack;
            unsigned long long StackBase;
            unsigned long long StackLimit;
            unsigned long long Wow64CurrentStack;
            unsigned long long Wow64StackBase;
            unsigned long long Wow64StackLimit;
            uint8_t TrapFrameContent[512];
        } DpiPivotedStack;

        struct
        {
            INTRO_PROCESS StolenFrom;
        } DpiStolenToken;

        struct
        {
            /* 33 bits per page: each entry takes two DWORDs. */
            struct
            {
                uint32_t Mapped : 1;
                uint32_t Detected : 1;
                uint32_t HeapValCount : 11;
                uint32_t Offset : 12;
                uint32_t Executable : 1;
                uint32_t Reserved : 7;
            } HeapPages[0xF];
            unsigned long long ShellcodeFlags;
            uint8_t DetectedPage[0x1000];
            uint8_t MaxHeapValPageContent[0x1000];
        } DpiHeapSpray;

        struct
        {
            unsigned long long OldEnabled;
            unsigned long long NewEnabled;
            unsigned long long OldPresent;
            unsigned long long NewPresent;
        } DpiTokenPrivs;

        struct
        {
            unsigned long long ShellcodeFlags;
            unsigned long long StartAddress;
            uint8_t StartPage[0x1000];
        } DpiThreadStart;

        struct
        {
            INTRO_PROCESS SecDescStolenFrom;
            unsigned long long OldPointerValue;
            unsigned long long NewPointerValue;
            INTRO_ACL OldSacl;
            INTRO_ACL OldDacl;
            INTRO_ACL NewSacl;
            INTRO_ACL NewDacl;
        } DpiSecDescAcl;
    } INTRO_DPI_EXTRA_INFO, *PINTRO_DPI_EXTRA_INFO;

    /*
     * A process creation that was blocked or flagged (introEventProcessCreationViolation).  For PcType 0
     * and the DPI heuristics other than DEBUG_FLAG, Victim is the parent and Originator the child; for
     * DEBUG_FLAG it is the other way round.
     */
    typedef struct _EVENT_PROCESS_CREATION_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        INTRO_PROCESS Victim;
        INTRO_PROCESS Originator;
        INTRO_PC_VIOLATION_TYPE PcType;
        INTRO_DPI_EXTRA_INFO DpiExtraInfo;
    } EVENT_PROCESS_CREATION_VIOLATION, *PEVENT_PROCESS_CREATION_VIOLATION;

    /* A suspicious module load into a protected process (introEventModuleLoadViolation). */
    typedef struct _EVENT_MODULE_LOAD_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        INTRO_PROCESS Victim;
        struct
        {
            INTRO_MODULE Module;       /* the loaded module */
            INTRO_MODULE ReturnModule; /* the module that called into it */
        } Originator;
        unsigned long long ReturnRip;
        char ReturnRipSectionName[ALERT_MAX_SECTION_NAME_LEN];
        char RipSectionName[ALERT_MAX_SECTION_NAME_LEN];
    } EVENT_MODULE_LOAD_VIOLATION, *PEVENT_MODULE_LOAD_VIOLATION;

    /* A detection by the integrator's scan engines (introEventEnginesDetectionViolation; never exceptable). */
    typedef struct _EVENT_ENGINES_DETECTION_VIOLATION
    {
        INTRO_VIOLATION_HEADER Header;
        INTRO_ENG_NOTIF_TYPE Type; /* selects the arm below */
        char DetectionName[ALERT_MAX_DETECTION_NAME];
        char EnginesVersion[ALERT_MAX_ENGINES_VERSION];
        union
        {
            INTRO_EXEC_DATA ExecViolation;                 /* introEngineNotificationCodeExecution */
            INTRO_ENG_CMD_LINE_VIOLATION CmdLineViolation; /* introEngineNotificationCmdLine */
        };
    } EVENT_ENGINES_DETECTION_VIOLATION, *PEVENT_ENGINES_DETECTION_VIOLATION;

    /* The context of NotifyIntrospectionErrorState for the two process-protection error states. */
    union _INTRO_ERROR_CONTEXT
    {
        struct
        {
            INTRO_PROCESS Process; /* the process that could not be protected */
            uint32_t Count;        /* processes protected at the time */
        } ProcessProtection;
    };

    /* ---- The exception blob (inside INTRO_VIOLATION_HEADER.Exception) ------------------------------------------- */

/* Versions written in the Header.Version of each structure. */
#define ALERT_CB_SIGNATURE_VERSION 1
#define ALERT_IDT_SIGNATURE_VERSION 1
#define ALERT_EXPORT_SIGNATURE_VERSION 1
#define ALERT_PROCESS_CREATION_SIGNATURE_VERSION 1
#define ALERT_KM_EXCEPTION_VERSION 1
#define ALERT_KUM_EXCEPTION_VERSION 1
#define ALERT_UM_EXCEPTION_VERSION 1

/* Code-block hashes an ALERT_CB_SIGNATURE holds at most. */
#define ALERT_HASH_COUNT 6u

/* Exception flags (the blob's Flags).  0x100..0x1000 mean different things for kernel and user exceptions. */
#define EXCEPTION_FLG_FEEDBACK 0x00000001u
#define EXCEPTION_FLG_32 0x00000002u
#define EXCEPTION_FLG_64 0x00000004u
#define EXCEPTION_FLG_INIT 0x00000008u
#define EXCEPTION_FLG_RETURN 0x00000010u
#define EXCEPTION_FLG_LINUX 0x00000080u
#define EXCEPTION_FLG_READ 0x10000000u
#define EXCEPTION_FLG_WRITE 0x20000000u
#define EXCEPTION_FLG_EXECUTE 0x40000000u
#define EXCEPTION_FLG_IGNORE 0x80000000u
#define EXCEPTION_KM_FLG_NON_DRIVER 0x00000100u
#define EXCEPTION_KM_FLG_RETURN_DRV 0x00000200u
#define EXCEPTION_KM_FLG_SMAP 0x00000400u
#define EXCEPTION_KM_FLG_SMEP 0x00000800u
#define EXCEPTION_KM_FLG_INTEGRITY 0x00001000u
#define EXCEPTION_UM_FLG_SYS_PROC 0x00000100u
#define EXCEPTION_UM_FLG_CHILD_PROC 0x00000200u
#define EXCEPTION_UM_FLG_ONETIME 0x00000800u
#define EXCEPTION_UM_FLG_LIKE_APPHELP 0x00001000u
#define EXCEPTION_KUM_FLG_USER 0x00008000u
#define EXCEPTION_KUM_FLG_KERNEL 0x00010000u

/* Signature flags (each embedded signature's Flags). */
#define SIGNATURE_FLG_32 0x00000001u
#define SIGNATURE_FLG_64 0x00000002u
#define SIGNATURE_FLG_CB_MEDIUM 0x00000004u
#define SIGNATURE_FLG_LINUX 0x00000080u
#define SIGNATURE_FLG_VALUE_CLI 0x00010000u

    /* What a kernel exception covers (ALERT_KM_EXCEPTION.Type). */
    typedef enum _KM_EXCEPTION_OBJECT
    {
        kmObjNone = 0,
        kmObjAny = 1,
        kmObjDriver = 2,
        kmObjDriverImports = 3,
        kmObjDriverCode = 4,
        kmObjDriverData = 5,
        kmObjDriverResources = 6,
        kmObjSsdt = 7,
        kmObjDrvObj = 8,
        kmObjFastIo = 9,
        kmObjMsr = 10,
        kmObjCr4 = 11,
        kmObjHalHeap = 12,
        kmObjSelfMapEntry = 13,
        kmObjIdt = 14,
        kmObjIdtr = 15,
        kmObjGdtr = 16,
        kmObjLoggerCtx = 17,
        kmObjDriverExports = 18,
        kmObjTokenPrivs = 19,
        kmObjSudExec = 20,
        kmObjHalPerfCnt = 21,
        kmObjSecDesc = 22,
        kmObjAcl = 23,
        kmObjSudModification = 24,
        kmObjInterruptObject = 25,
    } KM_EXCEPTION_OBJECT;

    /* What a kernel-user exception covers (ALERT_KUM_EXCEPTION.Type). */
    typedef enum _KUM_EXCEPTION_OBJECT
    {
        kumObjNone = 0,
        kumObjAny = 1,
        kumObjModule = 2,
        kumObjModuleImports = 3,
        kumObjModuleExports = 4,
    } KUM_EXCEPTION_OBJECT;

    /* What a user exception covers (ALERT_UM_EXCEPTION.Type). */
    typedef enum _UM_EXCEPTION_OBJECT
    {
        umObjNone = 0,
        umObjAny = 1,
        umObjProcess = 2,
        umObjModule = 3,
        umObjModuleImports = 4,
        umObjNxZone = 5,
        umObjModuleExports = 6,
        umObjProcessThreadContext = 7,
        umObjProcessPeb32 = 8,
        umObjProcessPeb64 = 9,
        umObjProcessApcThread = 10,
        umObjProcessCreation = 11,
        umObjModuleLoad = 12,
        umObjProcessCreationDpi = 13,
        umObjSharedUserData = 14,
        umObjProcessInstrumentation = 15,
    } UM_EXCEPTION_OBJECT;

    /* Values the blob's Originator / Victim fields hold instead of a name hash. */
    typedef enum _KM_EXCEPTION_NAME
    {
        kmExcNameAny = 0,
        kmExcNameOwn = 1,
        kmExcNameKernel = 2,
        kmExcNameHal = 3,
        kmExcNameNone = 4,
        kmExcNameVdso = 5,
        kmExcNameVsyscall = 6,
        kmExcNameVeAgent = 7,
        kmExcNameInvalid = 8, /* a name that could not be read */
    } KM_EXCEPTION_NAME;

    typedef enum _KUM_EXCEPTION_NAME
    {
        kumExcNameAny = 0,
        kumExcNameOwn = 1,
        kumExcNameKernel = 2,
        kumExcNameHal = 3,
        kumExcNameNone = 4,
        kumExcNameInvalid = 5,
    } KUM_EXCEPTION_NAME;

    typedef enum _UM_EXCEPTION_NAME
    {
        umExcNameAny = 0,
        umExcNameOwn = 1,
        umExcNameVdso = 2,
        umExcNameVsyscall = 3,
        umExcNameNone = 4,
        umExcNameInvalid = 5,
    } UM_EXCEPTION_NAME;

#pragma pack(push, 1)

    /* A code-blocks signature: at least Score of the Count hashes must be found around the RIP. */
    typedef struct _ALERT_CB_SIGNATURE
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Flags; /* SIGNATURE_FLG_* */
        bool Valid;
        uint8_t Score;
        uint8_t Count;
        uint8_t _Reserved;
        uint32_t CodeBlocks[ALERT_HASH_COUNT];
    } ALERT_CB_SIGNATURE;

    /* An IDT signature: the entry that was written. */
    typedef struct _ALERT_IDT_SIGNATURE
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Flags;
        bool Valid;
        uint8_t Entry;
        uint8_t _Reserved[2];
    } ALERT_IDT_SIGNATURE;

    /* An export signature: a write of WriteSize bytes, Delta bytes into Function of Library (name hashes). */
    typedef struct _ALERT_EXPORT_SIGNATURE
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Flags;
        bool Valid;
        uint8_t _Reserved[3];
        uint32_t Library;
        uint32_t Function;
        uint16_t Delta;
        uint8_t WriteSize;
        uint8_t _Reserved1;
    } ALERT_EXPORT_SIGNATURE;

    /* A process-creation signature: the DPI heuristics (INT_PC_VIOLATION_DPI_*) it allows. */
    typedef struct _ALERT_PROCESS_CREATION_SIGNATURE
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Flags;
        bool Valid;
        uint32_t CreateMask; /* unaligned: the structure is packed */
        uint32_t _Reserved[3];
    } ALERT_PROCESS_CREATION_SIGNATURE;

    /* The blob of a kernel violation.  Originator and Victim are name hashes or KM_EXCEPTION_NAME values. */
    typedef struct _ALERT_KM_EXCEPTION
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Originator;
        uint32_t Victim;
        uint32_t Flags; /* EXCEPTION_FLG_*, EXCEPTION_KM_FLG_* */
        KM_EXCEPTION_OBJECT Type;
        ALERT_CB_SIGNATURE CodeBlocks;
        ALERT_IDT_SIGNATURE Idt;
    } ALERT_KM_EXCEPTION;

    /* The blob of a kernel write into user memory. */
    typedef struct _ALERT_KUM_EXCEPTION
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Originator;
        uint32_t Victim;
        uint32_t Process; /* name hash of the process written into */
        uint32_t Flags;   /* EXCEPTION_FLG_*, EXCEPTION_KUM_FLG_* */
        KUM_EXCEPTION_OBJECT Type;
        ALERT_CB_SIGNATURE CodeBlocks;
    } ALERT_KUM_EXCEPTION;

    /* The blob of a user violation. */
    typedef struct _ALERT_UM_EXCEPTION
    {
        INTRO_ALERT_EXCEPTION_HEADER Header;
        uint32_t Originator;
        uint32_t Victim;
        uint32_t Process; /* name hash of the process the violation happened in */
        uint32_t Flags;   /* EXCEPTION_FLG_*, EXCEPTION_UM_FLG_* */
        UM_EXCEPTION_OBJECT Type;
        ALERT_CB_SIGNATURE CodeBlocks;
        ALERT_EXPORT_SIGNATURE Export;
        ALERT_PROCESS_CREATION_SIGNATURE ProcessCreation;
    } ALERT_UM_EXCEPTION;

#pragma pack(pop)

    /* ---- Layout checks ------------------------------------------------------------------------------------------- */

    /* Enums are fields of these structures: a compiler with short enums would change every layout. */
    INTROGUARD_STATIC_ASSERT(sizeof(INTRO_OBJECT_TYPE) == 4, "enums must be 4 bytes (no -fshort-enums)");
    INTROGUARD_STATIC_ASSERT(sizeof(MITRE_ID) == 4, "MITRE_ID is a uint32_t");
    INTROGUARD_STATIC_ASSERT(sizeof(KM_EXCEPTION_OBJECT) == 4, "blob Type fields are DWORDs");
    INTROGUARD_STATIC_ASSERT(sizeof(bool) == 1, "bool is one byte");
    INTROGUARD_STATIC_ASSERT(sizeof(uint16_t) == 2, "uint16_t is a UTF-16 code unit");

    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_TOKEN) == 656, "INTRO_TOKEN size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_PROCESS) == 1744, "INTRO_PROCESS size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_PROCESS, SecurityInfo) == 560, "INTRO_PROCESS.SecurityInfo");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_PROCESS, Context) == 1728, "INTRO_PROCESS.Context");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_MODULE) == 1064, "INTRO_MODULE size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_MODULE, Path) == 544, "INTRO_MODULE.Path");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_DRVOBJ) == 544, "INTRO_DRVOBJ size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_DRVOBJ, Owner) == 536, "INTRO_DRVOBJ.Owner");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_CPUCTX) == 152, "INTRO_CPUCTX size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_WRITE_INFO) == 136, "INTRO_WRITE_INFO size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_READ_INFO) == 72, "INTRO_READ_INFO size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_EXEC_INFO) == 32, "INTRO_EXEC_INFO size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_SEC_DESC_INFO) == 2080, "INTRO_SEC_DESC_INFO size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_CODE_BLOCK) == 8, "INTRO_CODE_BLOCK size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_CODEBLOCKS) == 544, "INTRO_CODEBLOCKS size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_CODEBLOCKS, CodeBlocks) == 32, "INTRO_CODEBLOCKS.CodeBlocks");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_VERSION_INFO) == 40, "INTRO_VERSION_INFO size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_GPRS) == 160, "INTRO_GPRS size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_EXEC_CONTEXT) == 4264, "INTRO_EXEC_CONTEXT size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_EXEC_CONTEXT, RipCode) == 168, "INTRO_EXEC_CONTEXT.RipCode");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_EXEC_DATA) == 6048, "INTRO_EXEC_DATA size");

    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_ALERT_EXCEPTION_HEADER) == 20, "INTRO_ALERT_EXCEPTION_HEADER size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_VIOLATION_HEADER) == 0x8B0, "INTRO_VIOLATION_HEADER size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_VIOLATION_HEADER, CurrentProcess) == 0x0D0, "header CurrentProcess");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_VIOLATION_HEADER, Flags) == 0x7A0, "header Flags");
    INTROGUARD_LAYOUT_ASSERT(offsetof(INTRO_VIOLATION_HEADER, Exception) == 0x7AC, "header Exception");

    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_EPT_VIOLATION) == 12408, "EVENT_EPT_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_EPT_VIOLATION, Victim) == 0x17D8, "EPT Victim");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_EPT_VIOLATION, CodeBlocks) == 0x1C98, "EPT CodeBlocks");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_EPT_VIOLATION, ZoneTypes) == 0x1EE8, "EPT ZoneTypes");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_EPT_VIOLATION, ExecContext) == 0x1FD0, "EPT ExecContext");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_MSR_VIOLATION) == 9304, "EVENT_MSR_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_CR_VIOLATION) == 9304, "EVENT_CR_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_XCR_VIOLATION) == 9304, "EVENT_XCR_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_DTR_VIOLATION) == 9304, "EVENT_DTR_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_MSR_VIOLATION, ExecContext) == 0x13B0, "MSR ExecContext");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_DTR_VIOLATION, ExecContext) == 0x13B0, "DTR ExecContext");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_INTEGRITY_VIOLATION) == 10472, "EVENT_INTEGRITY_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_INTEGRITY_VIOLATION, WriteInfo) == 0x20B0, "integrity WriteInfo");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_TRANSLATION_VIOLATION) == 4504, "EVENT_TRANSLATION_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_MEMCOPY_VIOLATION) == 7504, "EVENT_MEMCOPY_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_MEMCOPY_VIOLATION, RawDump) == 0x1A91, "memcopy RawDump");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_DPI_EXTRA_INFO) == 8320, "INTRO_DPI_EXTRA_INFO size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_PROCESS_CREATION_VIOLATION) == 14040, "process creation size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(EVENT_PROCESS_CREATION_VIOLATION, DpiExtraInfo) == 0x1658, "DpiExtraInfo");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_MODULE_LOAD_VIOLATION) == 6120, "EVENT_MODULE_LOAD_VIOLATION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(EVENT_ENGINES_DETECTION_VIOLATION) == 8440, "engines detection size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(INTRO_ERROR_CONTEXT) == 1752, "INTRO_ERROR_CONTEXT size");

    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_CB_SIGNATURE) == 52, "ALERT_CB_SIGNATURE size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_IDT_SIGNATURE) == 28, "ALERT_IDT_SIGNATURE size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_EXPORT_SIGNATURE) == 40, "ALERT_EXPORT_SIGNATURE size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_PROCESS_CREATION_SIGNATURE) == 41, "ALERT_PROCESS_CREATION_SIGNATURE");
    INTROGUARD_LAYOUT_ASSERT(offsetof(ALERT_PROCESS_CREATION_SIGNATURE, CreateMask) == 25, "CreateMask offset");
    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_KM_EXCEPTION) == 116, "ALERT_KM_EXCEPTION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_KUM_EXCEPTION) == 92, "ALERT_KUM_EXCEPTION size");
    INTROGUARD_LAYOUT_ASSERT(sizeof(ALERT_UM_EXCEPTION) == 173, "ALERT_UM_EXCEPTION size");
    INTROGUARD_LAYOUT_ASSERT(offsetof(ALERT_UM_EXCEPTION, ProcessCreation) == 132, "UM ProcessCreation offset");
    /* Every blob must fit the Exception field it travels in. */
    INTROGUARD_STATIC_ASSERT(sizeof(ALERT_KM_EXCEPTION) <= ALERT_EXCEPTION_SIZE, "KM blob fits");
    INTROGUARD_STATIC_ASSERT(sizeof(ALERT_KUM_EXCEPTION) <= ALERT_EXCEPTION_SIZE, "KUM blob fits");
    INTROGUARD_STATIC_ASSERT(sizeof(ALERT_UM_EXCEPTION) <= ALERT_EXCEPTION_SIZE, "UM blob fits");

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_ALERTS_H */
