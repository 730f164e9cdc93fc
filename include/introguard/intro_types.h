/*
 * introguard: basic types shared by the public headers.
 *
 * Names and numeric values follow hvmi's public headers, so an integrator written against hvmi
 * compiles unchanged.  Only what the GLUE_IFACE / UPPER_IFACE prototypes need is here, plus the
 * event and action enums that alerts will use.  Everything is laid out for x86-64 LP64 with
 * natural alignment (hvmi wraps its public headers in pack(8), which is the same thing there).
 *
 * hvmi's basic names -- BYTE, WORD, DWORD, QWORD, UCHAR, CHAR, WCHAR, BOOLEAN, SIZE_T, their P*
 * pointer forms, TRUE and FALSE -- are defined here for integrators written against hvmi.  An
 * integrator that has its own (or wants none in its namespace) defines INTROCORE_NOCOMPAT before
 * the first introguard include (hvmi's switch): every introguard header still compiles, because
 * none of them uses these names itself.  They use <stdint.h> types, bool, char, size_t, and
 * unsigned long long where hvmi has QWORD (hvmi's QWORD is unsigned long long, which uint64_t is
 * not on LP64, and pointers to the two do not mix).
 */
#ifndef INTROGUARD_INTRO_TYPES_H
#define INTROGUARD_INTRO_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intro_cdefs.h"

#ifdef __cplusplus
extern "C"
{
#endif

#ifndef INTROCORE_NOCOMPAT

#ifndef TRUE
#define TRUE true
#endif
#ifndef FALSE
#define FALSE false
#endif

    typedef uint8_t BYTE, *PBYTE;
    typedef uint16_t WORD, *PWORD;
    typedef uint32_t DWORD, *PDWORD;
    typedef unsigned long long QWORD, *PQWORD;
    typedef unsigned char UCHAR, *PUCHAR;
    typedef char CHAR, *PCHAR;
    typedef uint16_t WCHAR, *PWCHAR; /* UTF-16 code unit, as in Windows guests */
#ifdef __cplusplus
    typedef bool BOOLEAN; /* C++ has no _Bool; bool has the same size and representation */
#else
    typedef _Bool BOOLEAN;
#endif
    typedef size_t SIZE_T;

#endif /* !INTROCORE_NOCOMPAT */

#pragma pack(push, 8)

    /* ---- Events and actions --------------------------------------------------------------------- */

    /* The EventClass passed to NotifyIntrospectionAlert, and the Type of AddExceptionFromAlert. */
    typedef enum _INTRO_EVENT_TYPE
    {
        introEventEptViolation = 1,
        introEventMsrViolation = 2,
        introEventCrViolation = 3,
        introEventXcrViolation = 4,
        introEventIntegrityViolation = 5,
        introEventTranslationViolation = 6,
        introEventInjectionViolation = 7,
        introEventDtrViolation = 8,
        introEventMessage = 9,
        introEventProcessEvent = 10,
        introEventAgentEvent = 11,
        introEventModuleEvent = 12,
        introEventCrashEvent = 13,
        introEventExceptionEvent = 14,
        introEventConnectionEvent = 15,
        introEventProcessCreationViolation = 16,
        introEventModuleLoadViolation = 17,
        introEventEnginesDetectionViolation = 18,
    } INTRO_EVENT_TYPE;

    /* Kinds of scan-engine notifications. */
    typedef enum _INTRO_ENG_NOTIFICATION_TYPE
    {
        introEngineNotificationCodeExecution = 1,
        introEngineNotificationCmdLine = 2,
    } INTRO_ENG_NOTIF_TYPE;

    /* What happened (or must happen) to the guest operation behind an event; higher wins. */
    typedef enum _INTRO_ACTION
    {
        introGuestAllowed = 0,
        introGuestAllowedVirtual = 1,
        introGuestAllowedPatched = 2,
        introGuestNotAllowed = 3,
        introGuestIgnore = 4,
        introGuestRetry = 5,
    } INTRO_ACTION;

    /* Why an INTRO_ACTION was taken. */
    typedef enum _INTRO_ACTION_REASON
    {
        introReasonAllowed = 0,
        introReasonAllowedFeedback = 1,
        introReasonSignatureNotMatched = 2,
        introReasonNoException = 3,
        introReasonExtraChecksFailed = 4,
        introReasonExceptionsNotLoaded = 5,
        introReasonInternalError = 6,
        introReasonValueCodeNotMatched = 7,
        introReasonValueNotMatched = 8,
        introReasonExportNotMatched = 9,
        introReasonIdtNotMatched = 10,
        introReasonVersionOsNotMatched = 11,
        introReasonVersionIntroNotMatched = 12,
        introReasonProcessCreationNotMatched = 13,
        introReasonSameValue = 14,
        introReasonUnknown = 15,
    } INTRO_ACTION_REASON;

    /* Operating system of a guest. */
    typedef enum
    {
        introGuestUnknown = 0,
        introGuestWindows = 1,
        introGuestLinux = 2,
    } INTRO_GUEST_TYPE;

/* Sizes of the fixed-length fields of alert structures (the others are in intro_alerts.h). */
#define ALERT_PATH_MAX_LEN 260u
#define ALERT_IMAGE_NAME_LEN 16u
#define ALERT_MAX_MESSAGE_SIZE 256u
#define ALERT_MAX_INSTRUX_LEN 128u
#define ALERT_MAX_CODEBLOCKS 64u
#define ALERT_EXCEPTION_SIZE 255u /* the serialized exception carried inside an alert */
#define ALERT_MAX_DETECTION_NAME 128u
#define ALERT_MAX_ENGINES_VERSION 32u

    /* Header of a scan-engine result (RegisterEnginesResultCallback). */
    typedef struct _ENG_NOTIFICATION_HEADER
    {
        INTRO_ACTION RequestedAction;
        INTRO_ENG_NOTIF_TYPE Type;
        INTRO_GUEST_TYPE OsType;
        char DetectionName[ALERT_MAX_DETECTION_NAME];
        char EnginesVersion[ALERT_MAX_ENGINES_VERSION];
    } ENG_NOTIFICATION_HEADER, *PENG_NOTIFICATION_HEADER;

    /* What GetGuestInfo / NotifyIntrospectionDetectedOs describe. */
    typedef struct _GUEST_INFO
    {
        INTRO_GUEST_TYPE Type;
        unsigned long long BuildNumber;
        bool Guest64;
        uint32_t OsVersion;
        unsigned long long StartupTime; /* Windows only */
        unsigned long long _Reserved[4];
    } GUEST_INFO, *PGUEST_INFO;

    /* Error states reported through NotifyIntrospectionErrorState. */
    typedef enum
    {
        intErrNone = 0,
        intErrGuestNotIdentified = 1,
        intErrGuestNotSupported = 2,
        intErrGuestKernelNotFound = 3,
        intErrGuestApiNotFound = 4,
        intErrGuestExportNotFound = 5,
        intErrGuestStructureNotFound = 6,
        intErrUpdateFileNotSupported = 7,
        intErrProcNotProtectedNoMemory = 8,
        intErrProcNotProtectedInternalError = 9,
    } INTRO_ERROR_STATE;

    /* Extra context of an error state.  Its members describe guest processes, so the union is
     * completed in intro_alerts.h, next to INTRO_PROCESS. */
    typedef union _INTRO_ERROR_CONTEXT INTRO_ERROR_CONTEXT, *PINTRO_ERROR_CONTEXT;

    /* Tags of the agents an integrator can deploy (InjectProcessAgent, GetAgentContent). */
    typedef enum
    {
        INTRO_AGENT_TAG_DUMMY_TOOL = 0,
        INTRO_AGENT_TAG_REMEDIATION_TOOL = 1,
        INTRO_AGENT_TAG_VISIBILITY_TOOL = 2,
        INTRO_AGENT_TAG_REMEDIATION_TOOL_LINUX = 3,
        INTRO_AGENT_TAG_LOG_GATHER_TOOL = 4,
        INTRO_AGENT_TAG_AGENT_KILLER_TOOL = 5,
        INTRO_AGENT_TAG_VE_DRIVER = 10,
        INTRO_AGENT_TAG_PT_DRIVER = 11,
        INTRO_AGENT_TAG_CUSTOM_TOOL = 100,
    } INTRO_DEP_AG_TAGS;

    /* ---- Types of the GLUE_IFACE prototypes ------------------------------------------------------ */

    /* vCPU register state (QueryGuestInfo, IG_QUERY_INFO_CLASS_REGISTER_STATE): 28 QWORDs. */
    typedef struct _IG_ARCH_REGS
    {
        unsigned long long Rax;
        unsigned long long Rcx;
        unsigned long long Rdx;
        unsigned long long Rbx;
        unsigned long long Rsp;
        unsigned long long Rbp;
        unsigned long long Rsi;
        unsigned long long Rdi;
        unsigned long long R8;
        unsigned long long R9;
        unsigned long long R10;
        unsigned long long R11;
        unsigned long long R12;
        unsigned long long R13;
        unsigned long long R14;
        unsigned long long R15;
        unsigned long long Cr2;
        unsigned long long Flags;
        unsigned long long Dr7;
        unsigned long long Rip;
        unsigned long long Cr0;
        unsigned long long Cr4;
        unsigned long long Cr3;
        unsigned long long Cr8;
        unsigned long long IdtBase;
        unsigned long long IdtLimit;
        unsigned long long GdtBase;
        unsigned long long GdtLimit;
    } IG_ARCH_REGS, *PIG_ARCH_REGS;

    /* Memory types (PhysMemGetTypeFromMtrrs). */
    typedef enum
    {
        IG_MEM_UC = 0x0,
        IG_MEM_WC = 0x1,
        IG_MEM_WT = 0x4,
        IG_MEM_WP = 0x5,
        IG_MEM_WB = 0x6,
        IG_MEM_UC_MINUS = 0x7,
        IG_MEM_UNKNOWN = 0xFF,
    } IG_MEMTYPE;

    /* MSR access that caused an exit. */
    typedef enum
    {
        IG_MSR_HOOK_READ = 1,
        IG_MSR_HOOK_WRITE = 2,
        IG_MSR_HOOK_BOTH = 3,
    } IG_MSR_HOOK_TYPE;

    /* Code-segment mode (IG_QUERY_INFO_CLASS_CS_TYPE). */
    typedef enum
    {
        IG_CS_TYPE_INVALID = 0,
        IG_CS_TYPE_16B = 1,
        IG_CS_TYPE_32B = 2,
        IG_CS_TYPE_64B = 3,
    } IG_CS_TYPE;

    /* Current privilege level (IG_QUERY_INFO_CLASS_CS_RING). */
    typedef enum
    {
        IG_CS_RING_0 = 0,
        IG_CS_RING_1 = 1,
        IG_CS_RING_2 = 2,
        IG_CS_RING_3 = 3,
    } IG_CS_RING;

    /* Buffer of IG_QUERY_INFO_CLASS_READ_MSR. */
    typedef struct _IG_QUERY_MSR
    {
        uint32_t MsrId;
        unsigned long long Value;
    } IG_QUERY_MSR, *PIG_QUERY_MSR;

    /* InfoClass values of QueryGuestInfo. */
    typedef enum
    {
        IG_QUERY_INFO_CLASS_REGISTER_STATE = 0,
        IG_QUERY_INFO_CLASS_READ_MSR = 1,
        IG_QUERY_INFO_CLASS_IDT = 2,
        IG_QUERY_INFO_CLASS_GDT = 3,
        IG_QUERY_INFO_CLASS_CPU_COUNT = 4,
        IG_QUERY_INFO_CLASS_SET_REGISTERS = 5,
        IG_QUERY_INFO_CLASS_TSC_SPEED = 6,
        IG_QUERY_INFO_CLASS_CURRENT_TID = 7,
        IG_QUERY_INFO_CLASS_REGISTER_STATE_GPRS = 8,
        IG_QUERY_INFO_CLASS_CS_TYPE = 9,
        IG_QUERY_INFO_CLASS_CS_RING = 10,
        IG_QUERY_INFO_CLASS_SEG_REGISTERS = 11,
        IG_QUERY_INFO_CLASS_XSAVE_SIZE = 12,
        IG_QUERY_INFO_CLASS_XSAVE_AREA = 13,
        IG_QUERY_INFO_CLASS_EPTP_INDEX = 14,
        IG_QUERY_INFO_CLASS_MAX_GPFN = 15,
        IG_QUERY_INFO_CLASS_SET_XSAVE_AREA = 16,
        IG_QUERY_INFO_CLASS_GET_XCR0 = 17,
        IG_QUERY_INFO_CLASS_VE_SUPPORT = 100,
        IG_QUERY_INFO_CLASS_VMFUNC_SUPPORT = 101,
        IG_QUERY_INFO_CLASS_SPP_SUPPORT = 102,
        IG_QUERY_INFO_CLASS_DTR_SUPPORT = 103,
    } IG_QUERY_INFO_CLASS;

    /* EPT access bits (an IG_EPT_ACCESS is a mask of these). */
    typedef enum _IG_EPT_HOOK_TYPE
    {
        IG_EPT_HOOK_NONE = 0,
        IG_EPT_HOOK_READ = 1,
        IG_EPT_HOOK_WRITE = 2,
        IG_EPT_HOOK_EXECUTE = 4,
    } IG_EPT_HOOK_TYPE;
    typedef uint8_t IG_EPT_ACCESS;

    /* Descriptor-table access flags (RegisterDtrHandler callback). */
    typedef enum _IG_DESC_ACCESS
    {
        IG_DESC_ACCESS_IDTR = 0x01,
        IG_DESC_ACCESS_GDTR = 0x02,
        IG_DESC_ACCESS_TR = 0x04,
        IG_DESC_ACCESS_LDTR = 0x08,
        IG_DESC_ACCESS_READ = 0x10,
        IG_DESC_ACCESS_WRITE = 0x20,
    } IG_DESC_ACCESS;

#define IG_CURRENT_VCPU 0xFFFFFFFF
#define IG_CURRENT_EPT 0xFFFFFFFF
#define IG_INVALID_TIME 0xFFFFFFFFFFFFFFFFull
#define IG_DISABLE_IGNORE_SAFENESS 0x02 /* DisableIntro flag */
#define IG_PHYSMAP_NO_CACHE 0x00000001  /* PhysMemMapToHost flag */
#define IG_TIMER_FREQUENCY 1            /* the timer callback runs once a second */

    /* Power transitions reported through NotifyGuestPowerStateChange. */
    typedef enum _IG_GUEST_POWER_STATE
    {
        intGuestPowerStateResume = 1,
        intGuestPowerStateSleep = 2,
        intGuestPowerStateShutDown = 3,
        intGuestPowerStateTerminating = 4,
    } IG_GUEST_POWER_STATE;

    /* Log levels (SetLogLevel): a message is printed when its level is >= the current one. */
    typedef enum _IG_LOG_LEVEL
    {
        intLogLevelDebug = 0,
        intLogLevelInfo = 1,
        intLogLevelWarning = 2,
        intLogLevelError = 3,
        intLogLevelCritical = 4,
    } IG_LOG_LEVEL;

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_TYPES_H */
