/*
 * Layout of the public alert structures (include/introguard/intro_alerts.h) against hvmi's, as
 * spec/api-and-alerts.md §4.1-§4.6 and §5.1 list it.  Every row below is transcribed from the spec
 * (not from the header): if a field moves, its row fails and names it.
 *
 * The header is included under an outer #pragma pack(1): the rows then also prove that an
 * integrator's packing does not leak into the alert layouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#pragma pack(push, 1)
#include "introguard/intro_alerts.h"
#pragma pack(pop)
#include "introguard/intro_exceptions.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct LAYOUT_ROW
{
    const char *Name;
    uint64_t Actual;
    uint64_t Expected;
} LAYOUT_ROW;

#define OFF(Type, Member, Expected)                                                                                    \
    {                                                                                                                  \
#Type "." #Member, offsetof(Type, Member), (Expected)                                                          \
    }
#define SIZE(Type, Expected)                                                                                           \
    {                                                                                                                  \
        "sizeof " #Type, sizeof(Type), (Expected)                                                                      \
    }
#define FIELD_SIZE(Type, Member, Expected)                                                                             \
    {                                                                                                                  \
        "sizeof " #Type "." #Member, sizeof(((Type *)0)->Member), (Expected)                                           \
    }
#define VALUE(Name, Expected)                                                                                          \
    {                                                                                                                  \
#Name, (uint64_t)(Name), (Expected)                                                                            \
    }
#define SAME(Ours, Theirs)                                                                                             \
    {                                                                                                                  \
#Ours " == " #Theirs, (uint64_t)(Ours), (uint64_t)(Theirs)                                                     \
    }

/* Prints every row that differs (all of them, not just the first) and fails if any did. */
static void CheckRows(const LAYOUT_ROW *Rows, size_t Count)
{
    size_t failed = 0;

    for (size_t i = 0; i < Count; i++)
    {
        if (Rows[i].Actual != Rows[i].Expected)
        {
            print_error("%s: got %llu (0x%llx), expected %llu (0x%llx)\n", Rows[i].Name,
                        (unsigned long long)Rows[i].Actual, (unsigned long long)Rows[i].Actual,
                        (unsigned long long)Rows[i].Expected, (unsigned long long)Rows[i].Expected);
            failed++;
        }
    }
    if (failed != 0)
    {
        fail_msg("%zu of %zu rows differ", failed, Count);
    }
}

/* ---- spec §4.2: common sub-structures ------------------------------------------------------------------------- */

static const LAYOUT_ROW kCommonRows[] = {
    SIZE(INTRO_PROCESS, 1744),
    OFF(INTRO_PROCESS, Valid, 0),
    OFF(INTRO_PROCESS, Pid, 4),
    OFF(INTRO_PROCESS, Cr3, 8),
    OFF(INTRO_PROCESS, CreationTime, 16),
    OFF(INTRO_PROCESS, ImageName, 24),
    FIELD_SIZE(INTRO_PROCESS, ImageName, 16),
    OFF(INTRO_PROCESS, Path, 40),
    FIELD_SIZE(INTRO_PROCESS, Path, 520),
    OFF(INTRO_PROCESS, SecurityInfo, 560),
    SIZE(INTRO_TOKEN, 656),
    OFF(INTRO_PROCESS, CmdLine, 1216),
    FIELD_SIZE(INTRO_PROCESS, CmdLine, 512),
    OFF(INTRO_PROCESS, Context, 1728),
    OFF(INTRO_PROCESS, Wow64, 1736),

    SIZE(INTRO_MODULE, 1064),
    OFF(INTRO_MODULE, Valid, 0),
    OFF(INTRO_MODULE, Base, 8),
    OFF(INTRO_MODULE, Size, 16),
    OFF(INTRO_MODULE, TimeDateStamp, 20),
    OFF(INTRO_MODULE, Name, 24),
    OFF(INTRO_MODULE, Path, 544),

    SIZE(INTRO_DRVOBJ, 544),
    OFF(INTRO_DRVOBJ, Valid, 0),
    OFF(INTRO_DRVOBJ, Address, 8),
    OFF(INTRO_DRVOBJ, Name, 16),
    OFF(INTRO_DRVOBJ, Owner, 536),

    SIZE(INTRO_CPUCTX, 152),
    OFF(INTRO_CPUCTX, Valid, 0),
    OFF(INTRO_CPUCTX, Cpu, 4),
    OFF(INTRO_CPUCTX, Rip, 8),
    OFF(INTRO_CPUCTX, Cr3, 16),
    OFF(INTRO_CPUCTX, Instruction, 24),
    FIELD_SIZE(INTRO_CPUCTX, Instruction, 128),

    SIZE(INTRO_WRITE_INFO, 136),
    OFF(INTRO_WRITE_INFO, OldValue, 0),
    OFF(INTRO_WRITE_INFO, NewValue, 64),
    OFF(INTRO_WRITE_INFO, Size, 128),
    SIZE(INTRO_READ_INFO, 72),
    OFF(INTRO_READ_INFO, Value, 0),
    OFF(INTRO_READ_INFO, Size, 64),
    SIZE(INTRO_EXEC_INFO, 32),
    OFF(INTRO_EXEC_INFO, Rsp, 0),
    OFF(INTRO_EXEC_INFO, StackBase, 8),
    OFF(INTRO_EXEC_INFO, StackLimit, 16),
    OFF(INTRO_EXEC_INFO, Length, 24),

    SIZE(INTRO_CODEBLOCKS, 544),
    OFF(INTRO_CODEBLOCKS, Valid, 0),
    OFF(INTRO_CODEBLOCKS, StartAddress, 8),
    OFF(INTRO_CODEBLOCKS, Rip, 16),
    OFF(INTRO_CODEBLOCKS, RipCbIndex, 24),
    OFF(INTRO_CODEBLOCKS, Count, 28),
    OFF(INTRO_CODEBLOCKS, CodeBlocks, 32),
    FIELD_SIZE(INTRO_CODEBLOCKS, CodeBlocks, 64 * 8),
    SIZE(INTRO_CODE_BLOCK, 8),
    OFF(INTRO_CODE_BLOCK, Offset, 0),
    OFF(INTRO_CODE_BLOCK, Pivot, 2),
    OFF(INTRO_CODE_BLOCK, Value, 4),

    SIZE(INTRO_VERSION_INFO, 40),
    OFF(INTRO_VERSION_INFO, ExceptionMajor, 0),
    OFF(INTRO_VERSION_INFO, ExceptionMinor, 2),
    OFF(INTRO_VERSION_INFO, ExceptionBuild, 4),
    OFF(INTRO_VERSION_INFO, IntroMajor, 8),
    OFF(INTRO_VERSION_INFO, IntroMinor, 10),
    OFF(INTRO_VERSION_INFO, IntroRevision, 12),
    OFF(INTRO_VERSION_INFO, IntroBuildNumber, 16),
    OFF(INTRO_VERSION_INFO, CamiMajor, 20),
    OFF(INTRO_VERSION_INFO, CamiMinor, 24),
    OFF(INTRO_VERSION_INFO, CamiBuildNumber, 28),
    OFF(INTRO_VERSION_INFO, OsVer, 32),

    SIZE(INTRO_EXEC_CONTEXT, 4264),
    OFF(INTRO_EXEC_CONTEXT, CsType, 0),
    OFF(INTRO_EXEC_CONTEXT, Registers, 8),
    OFF(INTRO_EXEC_CONTEXT, RipCode, 168),
    FIELD_SIZE(INTRO_EXEC_CONTEXT, RipCode, 4096),
    SIZE(INTRO_GPRS, 20 * 8),
    OFF(INTRO_GPRS, RegRax, 0),
    OFF(INTRO_GPRS, RegR15, 15 * 8),
    OFF(INTRO_GPRS, RegCr2, 16 * 8),
    OFF(INTRO_GPRS, RegFlags, 17 * 8),
    OFF(INTRO_GPRS, RegDr7, 18 * 8),
    OFF(INTRO_GPRS, RegRip, 19 * 8),
};

/* ---- spec §4.3: the violation header and the exception header --------------------------------------------------- */

static const LAYOUT_ROW kHeaderRows[] = {
    SIZE(INTRO_VIOLATION_HEADER, 0x8B0),
    OFF(INTRO_VIOLATION_HEADER, ViolationVersion, 0x000),
    OFF(INTRO_VIOLATION_HEADER, VerInfo, 0x008),
    OFF(INTRO_VIOLATION_HEADER, Action, 0x030),
    OFF(INTRO_VIOLATION_HEADER, Reason, 0x034),
    OFF(INTRO_VIOLATION_HEADER, CpuContext, 0x038),
    OFF(INTRO_VIOLATION_HEADER, CurrentProcess, 0x0D0),
    OFF(INTRO_VIOLATION_HEADER, Flags, 0x7A0),
    OFF(INTRO_VIOLATION_HEADER, MitreID, 0x7A8),
    FIELD_SIZE(INTRO_VIOLATION_HEADER, MitreID, 4),
    OFF(INTRO_VIOLATION_HEADER, Exception, 0x7AC),
    FIELD_SIZE(INTRO_VIOLATION_HEADER, Exception, 255),
    OFF(INTRO_VIOLATION_HEADER, ExHeader, 0x7AC),

    SIZE(INTRO_ALERT_EXCEPTION_HEADER, 20),
    OFF(INTRO_ALERT_EXCEPTION_HEADER, Version, 0),
    OFF(INTRO_ALERT_EXCEPTION_HEADER, ViolationFlags, 2),
    OFF(INTRO_ALERT_EXCEPTION_HEADER, Valid, 10),
    OFF(INTRO_ALERT_EXCEPTION_HEADER, _Reserved1, 11),
    OFF(INTRO_ALERT_EXCEPTION_HEADER, _Reserved2, 12),
    OFF(INTRO_ALERT_EXCEPTION_HEADER, _Reserved3, 16),
};

/* ---- spec §4.1 / §4.5: the violations ------------------------------------------------------------------------- */

static const LAYOUT_ROW kEptRows[] = {
    SIZE(EVENT_EPT_VIOLATION, 12408),
    OFF(EVENT_EPT_VIOLATION, Header, 0),
    OFF(EVENT_EPT_VIOLATION, Originator.Module, 0x8B0),
    OFF(EVENT_EPT_VIOLATION, Originator.ReturnModule, 0xCD8),
    OFF(EVENT_EPT_VIOLATION, Originator.Process, 0x1100),
    OFF(EVENT_EPT_VIOLATION, Originator.Injection, 0x17D0),
    FIELD_SIZE(EVENT_EPT_VIOLATION, Originator.Injection, 1),
    OFF(EVENT_EPT_VIOLATION, Victim.Type, 0x17D8),
    OFF(EVENT_EPT_VIOLATION, Victim.Module, 0x17E0),
    OFF(EVENT_EPT_VIOLATION, Victim.DriverObject, 0x17E0),
    OFF(EVENT_EPT_VIOLATION, Victim.IdtEntry, 0x1C08),
    OFF(EVENT_EPT_VIOLATION, WriteInfo, 0x1C10),
    OFF(EVENT_EPT_VIOLATION, ReadInfo, 0x1C10),
    OFF(EVENT_EPT_VIOLATION, ExecInfo, 0x1C10),
    OFF(EVENT_EPT_VIOLATION, CodeBlocks, 0x1C98),
    OFF(EVENT_EPT_VIOLATION, Violation, 0x1EB8),
    OFF(EVENT_EPT_VIOLATION, HookStartVirtual, 0x1EC0),
    OFF(EVENT_EPT_VIOLATION, HookStartPhysical, 0x1EC8),
    OFF(EVENT_EPT_VIOLATION, VirtualPage, 0x1ED0),
    OFF(EVENT_EPT_VIOLATION, PhysicalPage, 0x1ED8),
    OFF(EVENT_EPT_VIOLATION, Offset, 0x1EE0),
    OFF(EVENT_EPT_VIOLATION, ZoneTypes, 0x1EE8),
    FIELD_SIZE(EVENT_EPT_VIOLATION, ZoneTypes, 8),
    OFF(EVENT_EPT_VIOLATION, RipSectionName, 0x1EF0),
    FIELD_SIZE(EVENT_EPT_VIOLATION, RipSectionName, 8),
    OFF(EVENT_EPT_VIOLATION, ReturnRip, 0x1EF8),
    OFF(EVENT_EPT_VIOLATION, ReturnRipSectionName, 0x1F00),
    OFF(EVENT_EPT_VIOLATION, ModifiedSectionName, 0x1F08),
    OFF(EVENT_EPT_VIOLATION, FunctionName, 0x1F10),
    FIELD_SIZE(EVENT_EPT_VIOLATION, FunctionName, 32),
    OFF(EVENT_EPT_VIOLATION, FunctionNameHash, 0x1F30),
    OFF(EVENT_EPT_VIOLATION, Delta, 0x1F34),
    OFF(EVENT_EPT_VIOLATION, Export.Name, 0x1F38),
    FIELD_SIZE(EVENT_EPT_VIOLATION, Export.Name, 4 * 32),
    OFF(EVENT_EPT_VIOLATION, Export.Hash, 0x1FB8),
    OFF(EVENT_EPT_VIOLATION, Export.Delta, 0x1FC8),
    OFF(EVENT_EPT_VIOLATION, ExecContext, 0x1FD0),
};

/* MSR, CR, XCR and DTR violations share one shape. */
#define REGISTER_ROWS(Type, VictimField)                                                                               \
    SIZE(Type, 9304), OFF(Type, Originator.Module, 0x8B0), OFF(Type, Originator.ReturnModule, 0xCD8),                  \
        OFF(Type, Victim.VictimField, 0x1100), FIELD_SIZE(Type, Victim.VictimField, 4), OFF(Type, WriteInfo, 0x1108),  \
        OFF(Type, CodeBlocks, 0x1190), OFF(Type, ExecContext, 0x13B0)

static const LAYOUT_ROW kRegisterRows[] = {
    REGISTER_ROWS(EVENT_MSR_VIOLATION, Msr),
    REGISTER_ROWS(EVENT_CR_VIOLATION, Cr),
    REGISTER_ROWS(EVENT_XCR_VIOLATION, Xcr),
    REGISTER_ROWS(EVENT_DTR_VIOLATION, Type),
};

static const LAYOUT_ROW kIntegrityRows[] = {
    SIZE(EVENT_INTEGRITY_VIOLATION, 10472),
    OFF(EVENT_INTEGRITY_VIOLATION, Originator.Module, 0x8B0),
    OFF(EVENT_INTEGRITY_VIOLATION, Originator.Process, 0xCD8),
    OFF(EVENT_INTEGRITY_VIOLATION, Return.Module, 0x13A8),
    OFF(EVENT_INTEGRITY_VIOLATION, Victim.Type, 0x17D0),
    OFF(EVENT_INTEGRITY_VIOLATION, Victim.Name, 0x17D4),
    FIELD_SIZE(EVENT_INTEGRITY_VIOLATION, Victim.Name, 520),
    OFF(EVENT_INTEGRITY_VIOLATION, Victim.Process, 0x19E0),
    OFF(EVENT_INTEGRITY_VIOLATION, Victim.DriverObject, 0x19E0),
    OFF(EVENT_INTEGRITY_VIOLATION, Victim.IdtEntry, 0x19E0),
    OFF(EVENT_INTEGRITY_VIOLATION, WriteInfo, 0x20B0),
    OFF(EVENT_INTEGRITY_VIOLATION, SecDescWriteInfo, 0x20B0),
    SIZE(INTRO_SEC_DESC_INFO, 2080),
    OFF(EVENT_INTEGRITY_VIOLATION, BaseAddress, 0x28D0),
    OFF(EVENT_INTEGRITY_VIOLATION, VirtualAddress, 0x28D8),
    OFF(EVENT_INTEGRITY_VIOLATION, Size, 0x28E0),
};

static const LAYOUT_ROW kMemcopyRows[] = {
    SIZE(EVENT_MEMCOPY_VIOLATION, 7504),
    OFF(EVENT_MEMCOPY_VIOLATION, Originator.Process, 0x8B0),
    OFF(EVENT_MEMCOPY_VIOLATION, Victim.Process, 0xF80),
    OFF(EVENT_MEMCOPY_VIOLATION, Victim.Module, 0x1650),
    OFF(EVENT_MEMCOPY_VIOLATION, SourceVirtualAddress, 0x1A78),
    OFF(EVENT_MEMCOPY_VIOLATION, DestinationVirtualAddress, 0x1A80),
    OFF(EVENT_MEMCOPY_VIOLATION, CopySize, 0x1A88),
    OFF(EVENT_MEMCOPY_VIOLATION, ViolationType, 0x1A8C),
    FIELD_SIZE(EVENT_MEMCOPY_VIOLATION, ViolationType, 4),
    OFF(EVENT_MEMCOPY_VIOLATION, DumpValid, 0x1A90),
    OFF(EVENT_MEMCOPY_VIOLATION, RawDump, 0x1A91),
    FIELD_SIZE(EVENT_MEMCOPY_VIOLATION, RawDump, 512),
    OFF(EVENT_MEMCOPY_VIOLATION, FunctionName, 0x1C91),
    FIELD_SIZE(EVENT_MEMCOPY_VIOLATION, FunctionName, 32),
    OFF(EVENT_MEMCOPY_VIOLATION, FunctionNameHash, 0x1CB4),
    OFF(EVENT_MEMCOPY_VIOLATION, Delta, 0x1CB8),
    OFF(EVENT_MEMCOPY_VIOLATION, Export.Name, 0x1CBC),
    OFF(EVENT_MEMCOPY_VIOLATION, Export.Hash, 0x1D3C),
    OFF(EVENT_MEMCOPY_VIOLATION, Export.Delta, 0x1D4C),
};

static const LAYOUT_ROW kOtherViolationRows[] = {
    SIZE(EVENT_TRANSLATION_VIOLATION, 4504),
    OFF(EVENT_TRANSLATION_VIOLATION, Originator.Module, 0x8B0),
    OFF(EVENT_TRANSLATION_VIOLATION, Originator.ReturnModule, 0xCD8),
    OFF(EVENT_TRANSLATION_VIOLATION, Victim.VirtualAddress, 0x1100),
    OFF(EVENT_TRANSLATION_VIOLATION, WriteInfo, 0x1108),
    OFF(EVENT_TRANSLATION_VIOLATION, ViolationType, 0x1190),

    SIZE(EVENT_PROCESS_CREATION_VIOLATION, 14040),
    OFF(EVENT_PROCESS_CREATION_VIOLATION, Victim, 0x8B0),
    OFF(EVENT_PROCESS_CREATION_VIOLATION, Originator, 0xF80),
    OFF(EVENT_PROCESS_CREATION_VIOLATION, PcType, 0x1650),
    FIELD_SIZE(EVENT_PROCESS_CREATION_VIOLATION, PcType, 4),
    OFF(EVENT_PROCESS_CREATION_VIOLATION, DpiExtraInfo, 0x1658),
    SIZE(INTRO_DPI_EXTRA_INFO, 8320),

    SIZE(EVENT_MODULE_LOAD_VIOLATION, 6120),
    OFF(EVENT_MODULE_LOAD_VIOLATION, Victim, 0x8B0),
    OFF(EVENT_MODULE_LOAD_VIOLATION, Originator.Module, 0xF80),
    OFF(EVENT_MODULE_LOAD_VIOLATION, Originator.ReturnModule, 0x13A8),
    OFF(EVENT_MODULE_LOAD_VIOLATION, ReturnRip, 0x17D0),
    OFF(EVENT_MODULE_LOAD_VIOLATION, ReturnRipSectionName, 0x17D8),
    OFF(EVENT_MODULE_LOAD_VIOLATION, RipSectionName, 0x17E0),

    SIZE(EVENT_ENGINES_DETECTION_VIOLATION, 8440),
    OFF(EVENT_ENGINES_DETECTION_VIOLATION, Type, 0x8B0),
    OFF(EVENT_ENGINES_DETECTION_VIOLATION, DetectionName, 0x8B4),
    OFF(EVENT_ENGINES_DETECTION_VIOLATION, EnginesVersion, 0x934),
    OFF(EVENT_ENGINES_DETECTION_VIOLATION, ExecViolation, 0x958),
    OFF(EVENT_ENGINES_DETECTION_VIOLATION, CmdLineViolation, 0x958),
};

/* ---- spec §5.1: the exception blob (pack 1) ------------------------------------------------------------------ */

static const LAYOUT_ROW kBlobRows[] = {
    SIZE(ALERT_KM_EXCEPTION, 116),
    OFF(ALERT_KM_EXCEPTION, Header, 0),
    OFF(ALERT_KM_EXCEPTION, Originator, 20),
    OFF(ALERT_KM_EXCEPTION, Victim, 24),
    OFF(ALERT_KM_EXCEPTION, Flags, 28),
    OFF(ALERT_KM_EXCEPTION, Type, 32),
    FIELD_SIZE(ALERT_KM_EXCEPTION, Type, 4),
    OFF(ALERT_KM_EXCEPTION, CodeBlocks, 36),
    OFF(ALERT_KM_EXCEPTION, Idt, 88),

    SIZE(ALERT_KUM_EXCEPTION, 92),
    OFF(ALERT_KUM_EXCEPTION, Header, 0),
    OFF(ALERT_KUM_EXCEPTION, Originator, 20),
    OFF(ALERT_KUM_EXCEPTION, Victim, 24),
    OFF(ALERT_KUM_EXCEPTION, Process, 28),
    OFF(ALERT_KUM_EXCEPTION, Flags, 32),
    OFF(ALERT_KUM_EXCEPTION, Type, 36),
    FIELD_SIZE(ALERT_KUM_EXCEPTION, Type, 4),
    OFF(ALERT_KUM_EXCEPTION, CodeBlocks, 40),

    SIZE(ALERT_UM_EXCEPTION, 173),
    OFF(ALERT_UM_EXCEPTION, Header, 0),
    OFF(ALERT_UM_EXCEPTION, Originator, 20),
    OFF(ALERT_UM_EXCEPTION, Victim, 24),
    OFF(ALERT_UM_EXCEPTION, Process, 28),
    OFF(ALERT_UM_EXCEPTION, Flags, 32),
    OFF(ALERT_UM_EXCEPTION, Type, 36),
    FIELD_SIZE(ALERT_UM_EXCEPTION, Type, 4),
    OFF(ALERT_UM_EXCEPTION, CodeBlocks, 40),
    OFF(ALERT_UM_EXCEPTION, Export, 92),
    OFF(ALERT_UM_EXCEPTION, ProcessCreation, 132),

    SIZE(ALERT_CB_SIGNATURE, 52),
    OFF(ALERT_CB_SIGNATURE, Header, 0),
    OFF(ALERT_CB_SIGNATURE, Flags, 20),
    OFF(ALERT_CB_SIGNATURE, Valid, 24),
    OFF(ALERT_CB_SIGNATURE, Score, 25),
    OFF(ALERT_CB_SIGNATURE, Count, 26),
    OFF(ALERT_CB_SIGNATURE, _Reserved, 27),
    OFF(ALERT_CB_SIGNATURE, CodeBlocks, 28),
    FIELD_SIZE(ALERT_CB_SIGNATURE, CodeBlocks, 6 * 4),

    SIZE(ALERT_IDT_SIGNATURE, 28),
    OFF(ALERT_IDT_SIGNATURE, Header, 0),
    OFF(ALERT_IDT_SIGNATURE, Flags, 20),
    OFF(ALERT_IDT_SIGNATURE, Valid, 24),
    OFF(ALERT_IDT_SIGNATURE, Entry, 25),
    OFF(ALERT_IDT_SIGNATURE, _Reserved, 26),
    FIELD_SIZE(ALERT_IDT_SIGNATURE, _Reserved, 2),

    SIZE(ALERT_EXPORT_SIGNATURE, 40),
    OFF(ALERT_EXPORT_SIGNATURE, Header, 0),
    OFF(ALERT_EXPORT_SIGNATURE, Flags, 20),
    OFF(ALERT_EXPORT_SIGNATURE, Valid, 24),
    OFF(ALERT_EXPORT_SIGNATURE, _Reserved, 25),
    FIELD_SIZE(ALERT_EXPORT_SIGNATURE, _Reserved, 3),
    OFF(ALERT_EXPORT_SIGNATURE, Library, 28),
    OFF(ALERT_EXPORT_SIGNATURE, Function, 32),
    OFF(ALERT_EXPORT_SIGNATURE, Delta, 36),
    OFF(ALERT_EXPORT_SIGNATURE, WriteSize, 38),
    OFF(ALERT_EXPORT_SIGNATURE, _Reserved1, 39),

    SIZE(ALERT_PROCESS_CREATION_SIGNATURE, 41),
    OFF(ALERT_PROCESS_CREATION_SIGNATURE, Header, 0),
    OFF(ALERT_PROCESS_CREATION_SIGNATURE, Flags, 20),
    OFF(ALERT_PROCESS_CREATION_SIGNATURE, Valid, 24),
    OFF(ALERT_PROCESS_CREATION_SIGNATURE, CreateMask, 25),
    OFF(ALERT_PROCESS_CREATION_SIGNATURE, _Reserved, 29),
    FIELD_SIZE(ALERT_PROCESS_CREATION_SIGNATURE, _Reserved, 3 * 4),
};

/*
 * Not in the spec's tables: the inner layouts the spec leaves open, from hvmi's public
 * intro_types.h (sizes the spec does give are repeated to tie them together).
 */
static const LAYOUT_ROW kBeyondSpecRows[] = {
    OFF(INTRO_SEC_DESC_INFO, OldAddress, 0),
    OFF(INTRO_SEC_DESC_INFO, NewAddress, 8),
    OFF(INTRO_SEC_DESC_INFO, NewSecDescHash, 16),
    OFF(INTRO_SEC_DESC_INFO, OldSecDesc, 20),
    OFF(INTRO_SEC_DESC_INFO, OldSecDescSize, 1044),
    OFF(INTRO_SEC_DESC_INFO, NewSecDesc, 1048),
    OFF(INTRO_SEC_DESC_INFO, NewSecDescSize, 2072),
    SIZE(INTRO_ACL, 6),
    OFF(INTRO_DPI_EXTRA_INFO, DpiPivotedStack.TrapFrameContent, 48),
    FIELD_SIZE(INTRO_DPI_EXTRA_INFO, DpiHeapSpray.HeapPages, 15 * 8),
    OFF(INTRO_DPI_EXTRA_INFO, DpiHeapSpray.ShellcodeFlags, 120),
    OFF(INTRO_DPI_EXTRA_INFO, DpiHeapSpray.DetectedPage, 128),
    OFF(INTRO_DPI_EXTRA_INFO, DpiHeapSpray.MaxHeapValPageContent, 4224),
    OFF(INTRO_DPI_EXTRA_INFO, DpiThreadStart.StartPage, 16),
    OFF(INTRO_DPI_EXTRA_INFO, DpiSecDescAcl.OldPointerValue, 1744),
    OFF(INTRO_DPI_EXTRA_INFO, DpiSecDescAcl.NewDacl, 1778),
    SIZE(INTRO_EXEC_DATA, 6048),
    OFF(INTRO_EXEC_DATA, ExecContext, 1744),
    OFF(INTRO_EXEC_DATA, StackInfo, 6008),
    OFF(INTRO_EXEC_DATA, Code64, 6040),
    SIZE(INTRO_ENG_CMD_LINE_VIOLATION, 2 * 1744),
    SIZE(INTRO_ERROR_CONTEXT, 1752),
    OFF(INTRO_ERROR_CONTEXT, ProcessProtection.Count, 1744),
};

/* ---- Values ------------------------------------------------------------------------------------------------------ */

/* spec §4.1, §4.5, §4.6. */
static const LAYOUT_ROW kAlertValueRows[] = {
    VALUE(ALERT_FLAG_BETA, 0x1),
    VALUE(ALERT_FLAG_ANTIVIRUS, 0x2),
    VALUE(ALERT_FLAG_SYSPROC, 0x4),
    VALUE(ALERT_FLAG_NOT_RING0, 0x8),
    VALUE(ALERT_FLAG_ASYNC, 0x10),
    VALUE(ALERT_FLAG_LINUX, 0x20),
    VALUE(ALERT_FLAG_FROM_ENGINES, 0x40),
    VALUE(ALERT_FLAG_FEEDBACK_ONLY, 0x80),
    VALUE(ALERT_FLAG_DEP_VIOLATION, 0x100),
    VALUE(ALERT_FLAG_PROTECTED_VIEW, 0x200),
    VALUE(ALERT_FLAG_KM_UM, 0x400),

    VALUE(ALERT_PATH_MAX_LEN, 260),
    VALUE(ALERT_IMAGE_NAME_LEN, 16),
    VALUE(ALERT_MAX_INSTRUX_LEN, 128),
    VALUE(ALERT_MAX_SECTION_NAME_LEN, 8),
    VALUE(ALERT_MAX_FUNCTIONS, 4),
    VALUE(ALERT_MAX_FUNCTION_NAME_LEN, 32),
    VALUE(ALERT_MAX_INJ_DUMP_SIZE, 512),
    VALUE(ALERT_MAX_CODEBLOCKS, 64),
    VALUE(ALERT_CMDLINE_MAX_LEN, 512),
    VALUE(ALERT_EXCEPTION_SIZE, 255),
    VALUE(ALERT_MAX_DETECTION_NAME, 128),
    VALUE(ALERT_MAX_ENGINES_VERSION, 32),
    VALUE(INTRO_SECURITY_DESCRIPTOR_SIZE, 1024),
    VALUE(INTRO_VIOLATION_VERSION, 1),

    VALUE(ZONE_LIB_IMPORTS, 0x1),
    VALUE(ZONE_LIB_EXPORTS, 0x2),
    VALUE(ZONE_LIB_CODE, 0x4),
    VALUE(ZONE_LIB_DATA, 0x8),
    VALUE(ZONE_LIB_RESOURCES, 0x10),

    VALUE(memCopyViolationWrite, 0),
    VALUE(memCopyViolationRead, 1),
    VALUE(memCopyViolationSetContextThread, 2),
    VALUE(memCopyViolationQueueApcThread, 3),
    VALUE(memCopyViolationInstrument, 4),
    VALUE(transViolationPageHash, 0),
    VALUE(transViolationProcessCr3, 1),
    VALUE(transViolationSelfMap, 2),
    VALUE(transViolationWatchdog, 3),
    VALUE(transViolationVeAgent, 4),
    VALUE(INT_PC_VIOLATION_NORMAL_PROCESS_CREATION, 0),
    VALUE(INT_PC_VIOLATION_DPI_DEBUG_FLAG, 0x1),
    VALUE(INT_PC_VIOLATION_DPI_PIVOTED_STACK, 0x2),
    VALUE(INT_PC_VIOLATION_DPI_STOLEN_TOKEN, 0x4),
    VALUE(INT_PC_VIOLATION_DPI_HEAP_SPRAY, 0x8),
    VALUE(INT_PC_VIOLATION_DPI_TOKEN_PRIVS, 0x10),
    VALUE(INT_PC_VIOLATION_DPI_THREAD_START, 0x20),
    VALUE(INT_PC_VIOLATION_DPI_SEC_DESC, 0x40),
    VALUE(INT_PC_VIOLATION_DPI_ACL_EDIT, 0x80),

    VALUE(introObjectTypeRaw, 1),
    VALUE(introObjectTypeInternal, 2),
    VALUE(introObjectTypeSsdt, 3),
    VALUE(introObjectTypeFastIoDispatch, 4),
    VALUE(introObjectTypeDriverObject, 5),
    VALUE(introObjectTypeKmModule, 6),
    VALUE(introObjectTypeIdt, 7),
    VALUE(introObjectTypeGdt, 8),
    VALUE(introObjectTypeKmUnpack, 9),
    VALUE(introObjectTypeProcess, 10),
    VALUE(introObjectTypeUmInternal, 11),
    VALUE(introObjectTypeUmUnpack, 12),
    VALUE(introObjectTypeUmHeap, 13),
    VALUE(introObjectTypeUmStack, 14),
    VALUE(introObjectTypeUmGenericNxZone, 15),
    VALUE(introObjectTypeUmModule, 16),
    VALUE(introObjectTypeDetourRead, 17),
    VALUE(introObjectTypeTokenPtr, 18),
    VALUE(introObjectTypeCreds, 18),
    VALUE(introObjectTypeHalDispatchTable, 19),
    VALUE(introObjectTypeHalIntController, 20),
    VALUE(introObjectTypeSelfMapEntry, 21),
    VALUE(introObjectTypeHalHeap, 22),
    VALUE(introObjectTypeVdso, 23),
    VALUE(introObjectTypeVsyscall, 24),
    VALUE(introObjectTypeExTable, 25),
    VALUE(introObjectTypeVeAgent, 26),
    VALUE(introObjectTypeIdtr, 27),
    VALUE(introObjectTypeGdtr, 28),
    VALUE(introObjectTypeProcessCreation, 29),
    VALUE(introObjectTypeExecSuspiciousDll, 30),
    VALUE(introObjectTypeKmLoggerContext, 31),
    VALUE(introObjectTypeProcessCreationDpi, 32),
    VALUE(introObjectTypeTokenPrivs, 33),
    VALUE(introObjectTypeSudExec, 34),
    VALUE(introObjectTypeHalPerfCounter, 35),
    VALUE(introObjectTypeHookedFunction, 36),
    VALUE(introObjectTypeSlackSpace, 37),
    VALUE(introObjectTypeSecDesc, 38),
    VALUE(introObjectTypeAcl, 39),
    VALUE(introObjectTypeSudIntegrity, 40),
    VALUE(introObjectTypeInterruptObject, 41),
    VALUE(introObjectTypeTest, 42),
};

/* spec §5.1. */
static const LAYOUT_ROW kBlobValueRows[] = {
    VALUE(ALERT_CB_SIGNATURE_VERSION, 1),
    VALUE(ALERT_IDT_SIGNATURE_VERSION, 1),
    VALUE(ALERT_EXPORT_SIGNATURE_VERSION, 1),
    VALUE(ALERT_PROCESS_CREATION_SIGNATURE_VERSION, 1),
    VALUE(ALERT_KM_EXCEPTION_VERSION, 1),
    VALUE(ALERT_KUM_EXCEPTION_VERSION, 1),
    VALUE(ALERT_UM_EXCEPTION_VERSION, 1),
    VALUE(ALERT_HASH_COUNT, 6),

    VALUE(EXCEPTION_FLG_FEEDBACK, 0x1),
    VALUE(EXCEPTION_FLG_32, 0x2),
    VALUE(EXCEPTION_FLG_64, 0x4),
    VALUE(EXCEPTION_FLG_INIT, 0x8),
    VALUE(EXCEPTION_FLG_RETURN, 0x10),
    VALUE(EXCEPTION_FLG_LINUX, 0x80),
    VALUE(EXCEPTION_FLG_READ, 0x10000000),
    VALUE(EXCEPTION_FLG_WRITE, 0x20000000),
    VALUE(EXCEPTION_FLG_EXECUTE, 0x40000000),
    VALUE(EXCEPTION_FLG_IGNORE, 0x80000000),
    VALUE(EXCEPTION_KM_FLG_NON_DRIVER, 0x100),
    VALUE(EXCEPTION_KM_FLG_RETURN_DRV, 0x200),
    VALUE(EXCEPTION_KM_FLG_SMAP, 0x400),
    VALUE(EXCEPTION_KM_FLG_SMEP, 0x800),
    VALUE(EXCEPTION_KM_FLG_INTEGRITY, 0x1000),
    VALUE(EXCEPTION_UM_FLG_SYS_PROC, 0x100),
    VALUE(EXCEPTION_UM_FLG_CHILD_PROC, 0x200),
    VALUE(EXCEPTION_UM_FLG_ONETIME, 0x800),
    VALUE(EXCEPTION_UM_FLG_LIKE_APPHELP, 0x1000),
    VALUE(EXCEPTION_KUM_FLG_USER, 0x8000),
    VALUE(EXCEPTION_KUM_FLG_KERNEL, 0x10000),
    VALUE(SIGNATURE_FLG_32, 0x1),
    VALUE(SIGNATURE_FLG_64, 0x2),
    VALUE(SIGNATURE_FLG_CB_MEDIUM, 0x4),
    VALUE(SIGNATURE_FLG_LINUX, 0x80),
    VALUE(SIGNATURE_FLG_VALUE_CLI, 0x10000),

    VALUE(kmObjNone, 0),
    VALUE(kmObjAny, 1),
    VALUE(kmObjDriver, 2),
    VALUE(kmObjDriverImports, 3),
    VALUE(kmObjDriverCode, 4),
    VALUE(kmObjDriverData, 5),
    VALUE(kmObjDriverResources, 6),
    VALUE(kmObjSsdt, 7),
    VALUE(kmObjDrvObj, 8),
    VALUE(kmObjFastIo, 9),
    VALUE(kmObjMsr, 10),
    VALUE(kmObjCr4, 11),
    VALUE(kmObjHalHeap, 12),
    VALUE(kmObjSelfMapEntry, 13),
    VALUE(kmObjIdt, 14),
    VALUE(kmObjIdtr, 15),
    VALUE(kmObjGdtr, 16),
    VALUE(kmObjLoggerCtx, 17),
    VALUE(kmObjDriverExports, 18),
    VALUE(kmObjTokenPrivs, 19),
    VALUE(kmObjSudExec, 20),
    VALUE(kmObjHalPerfCnt, 21),
    VALUE(kmObjSecDesc, 22),
    VALUE(kmObjAcl, 23),
    VALUE(kmObjSudModification, 24),
    VALUE(kmObjInterruptObject, 25),
    VALUE(kumObjNone, 0),
    VALUE(kumObjAny, 1),
    VALUE(kumObjModule, 2),
    VALUE(kumObjModuleImports, 3),
    VALUE(kumObjModuleExports, 4),
    VALUE(umObjNone, 0),
    VALUE(umObjAny, 1),
    VALUE(umObjProcess, 2),
    VALUE(umObjModule, 3),
    VALUE(umObjModuleImports, 4),
    VALUE(umObjNxZone, 5),
    VALUE(umObjModuleExports, 6),
    VALUE(umObjProcessThreadContext, 7),
    VALUE(umObjProcessPeb32, 8),
    VALUE(umObjProcessPeb64, 9),
    VALUE(umObjProcessApcThread, 10),
    VALUE(umObjProcessCreation, 11),
    VALUE(umObjModuleLoad, 12),
    VALUE(umObjProcessCreationDpi, 13),
    VALUE(umObjSharedUserData, 14),
    VALUE(umObjProcessInstrumentation, 15),

    VALUE(kmExcNameAny, 0),
    VALUE(kmExcNameOwn, 1),
    VALUE(kmExcNameKernel, 2),
    VALUE(kmExcNameHal, 3),
    VALUE(kmExcNameNone, 4),
    VALUE(kmExcNameVdso, 5),
    VALUE(kmExcNameVsyscall, 6),
    VALUE(kmExcNameVeAgent, 7),
    VALUE(kmExcNameInvalid, 8),
    VALUE(kumExcNameAny, 0),
    VALUE(kumExcNameOwn, 1),
    VALUE(kumExcNameKernel, 2),
    VALUE(kumExcNameHal, 3),
    VALUE(kumExcNameNone, 4),
    VALUE(kumExcNameInvalid, 5),
    VALUE(umExcNameAny, 0),
    VALUE(umExcNameOwn, 1),
    VALUE(umExcNameVdso, 2),
    VALUE(umExcNameVsyscall, 3),
    VALUE(umExcNameNone, 4),
    VALUE(umExcNameInvalid, 5),
};

/* The alert vocabulary and the evaluation model's (intro_exceptions.h) name the same values. */
static const LAYOUT_ROW kSameAsModelRows[] = {
    SAME(introObjectTypeRaw, INTRO_EXC_OBJ_RAW),
    SAME(introObjectTypeInternal, INTRO_EXC_OBJ_INTERNAL),
    SAME(introObjectTypeSsdt, INTRO_EXC_OBJ_SSDT),
    SAME(introObjectTypeFastIoDispatch, INTRO_EXC_OBJ_FAST_IO_DISPATCH),
    SAME(introObjectTypeDriverObject, INTRO_EXC_OBJ_DRIVER_OBJECT),
    SAME(introObjectTypeKmModule, INTRO_EXC_OBJ_KM_MODULE),
    SAME(introObjectTypeIdt, INTRO_EXC_OBJ_IDT),
    SAME(introObjectTypeGdt, INTRO_EXC_OBJ_GDT),
    SAME(introObjectTypeKmUnpack, INTRO_EXC_OBJ_KM_UNPACK),
    SAME(introObjectTypeProcess, INTRO_EXC_OBJ_PROCESS),
    SAME(introObjectTypeUmInternal, INTRO_EXC_OBJ_UM_INTERNAL),
    SAME(introObjectTypeUmUnpack, INTRO_EXC_OBJ_UM_UNPACK),
    SAME(introObjectTypeUmHeap, INTRO_EXC_OBJ_UM_HEAP),
    SAME(introObjectTypeUmStack, INTRO_EXC_OBJ_UM_STACK),
    SAME(introObjectTypeUmGenericNxZone, INTRO_EXC_OBJ_UM_GENERIC_NX_ZONE),
    SAME(introObjectTypeUmModule, INTRO_EXC_OBJ_UM_MODULE),
    SAME(introObjectTypeDetourRead, INTRO_EXC_OBJ_DETOUR_READ),
    SAME(introObjectTypeTokenPtr, INTRO_EXC_OBJ_TOKEN_PTR),
    SAME(introObjectTypeHalDispatchTable, INTRO_EXC_OBJ_HAL_DISPATCH_TABLE),
    SAME(introObjectTypeHalIntController, INTRO_EXC_OBJ_HAL_INT_CONTROLLER),
    SAME(introObjectTypeSelfMapEntry, INTRO_EXC_OBJ_SELF_MAP_ENTRY),
    SAME(introObjectTypeHalHeap, INTRO_EXC_OBJ_HAL_HEAP),
    SAME(introObjectTypeVdso, INTRO_EXC_OBJ_VDSO),
    SAME(introObjectTypeVsyscall, INTRO_EXC_OBJ_VSYSCALL),
    SAME(introObjectTypeExTable, INTRO_EXC_OBJ_EX_TABLE),
    SAME(introObjectTypeVeAgent, INTRO_EXC_OBJ_VE_AGENT),
    SAME(introObjectTypeIdtr, INTRO_EXC_OBJ_IDTR),
    SAME(introObjectTypeGdtr, INTRO_EXC_OBJ_GDTR),
    SAME(introObjectTypeProcessCreation, INTRO_EXC_OBJ_PROCESS_CREATION),
    SAME(introObjectTypeExecSuspiciousDll, INTRO_EXC_OBJ_EXEC_SUSPICIOUS_DLL),
    SAME(introObjectTypeKmLoggerContext, INTRO_EXC_OBJ_KM_LOGGER_CONTEXT),
    SAME(introObjectTypeProcessCreationDpi, INTRO_EXC_OBJ_PROCESS_CREATION_DPI),
    SAME(introObjectTypeTokenPrivs, INTRO_EXC_OBJ_TOKEN_PRIVS),
    SAME(introObjectTypeSudExec, INTRO_EXC_OBJ_SUD_EXEC),
    SAME(introObjectTypeHalPerfCounter, INTRO_EXC_OBJ_HAL_PERF_COUNTER),
    SAME(introObjectTypeHookedFunction, INTRO_EXC_OBJ_HOOKED_FUNCTION),
    SAME(introObjectTypeSlackSpace, INTRO_EXC_OBJ_SLACK_SPACE),
    SAME(introObjectTypeSecDesc, INTRO_EXC_OBJ_SEC_DESC),
    SAME(introObjectTypeAcl, INTRO_EXC_OBJ_ACL),
    SAME(introObjectTypeSudIntegrity, INTRO_EXC_OBJ_SUD_INTEGRITY),
    SAME(introObjectTypeInterruptObject, INTRO_EXC_OBJ_INTERRUPT_OBJECT),

    SAME(ZONE_LIB_IMPORTS, INTRO_EXC_ZONE_LIB_IMPORTS),
    SAME(ZONE_LIB_EXPORTS, INTRO_EXC_ZONE_LIB_EXPORTS),
    SAME(ZONE_LIB_CODE, INTRO_EXC_ZONE_LIB_CODE),
    SAME(ZONE_LIB_DATA, INTRO_EXC_ZONE_LIB_DATA),
    SAME(ZONE_LIB_RESOURCES, INTRO_EXC_ZONE_LIB_RESOURCES),
    SAME(ZONE_PROC_THREAD_CTX, INTRO_EXC_ZONE_PROC_THREAD_CTX),
    SAME(ZONE_PROC_THREAD_APC, INTRO_EXC_ZONE_PROC_THREAD_APC),
    SAME(ZONE_DEP_EXECUTION, INTRO_EXC_ZONE_DEP_EXECUTION),
    SAME(ZONE_MODULE_LOAD, INTRO_EXC_ZONE_MODULE_LOAD),
    SAME(ZONE_PROC_INSTRUMENT, INTRO_EXC_ZONE_PROC_INSTRUMENT),
    SAME(ZONE_WRITE, INTRO_EXC_ZONE_WRITE),
    SAME(ZONE_READ, INTRO_EXC_ZONE_READ),
    SAME(ZONE_EXECUTE, INTRO_EXC_ZONE_EXECUTE),
    SAME(ZONE_INTEGRITY, INTRO_EXC_ZONE_INTEGRITY_FLAG),

    SAME(kmExcNameAny, INTRO_EXC_NAME_ANY),
    SAME(kmExcNameOwn, INTRO_EXC_NAME_OWN),
    SAME(kmExcNameKernel, INTRO_EXC_NAME_KERNEL),
    SAME(kmExcNameHal, INTRO_EXC_NAME_HAL),
    SAME(kmExcNameNone, INTRO_EXC_NAME_NONE_SPECIAL),
    SAME(kmExcNameVdso, INTRO_EXC_NAME_KM_VDSO),
    SAME(kmExcNameVsyscall, INTRO_EXC_NAME_KM_VSYSCALL),
    SAME(kmExcNameVeAgent, INTRO_EXC_NAME_VE_AGENT),
};

static void TestCommonStructures(void **State)
{
    (void)State;
    CheckRows(kCommonRows, COUNT_OF(kCommonRows));
}

static void TestViolationHeader(void **State)
{
    (void)State;
    CheckRows(kHeaderRows, COUNT_OF(kHeaderRows));
}

static void TestEptViolation(void **State)
{
    (void)State;
    CheckRows(kEptRows, COUNT_OF(kEptRows));
}

static void TestRegisterViolations(void **State)
{
    (void)State;
    CheckRows(kRegisterRows, COUNT_OF(kRegisterRows));
}

static void TestIntegrityViolation(void **State)
{
    (void)State;
    CheckRows(kIntegrityRows, COUNT_OF(kIntegrityRows));
}

static void TestMemcopyViolation(void **State)
{
    (void)State;
    CheckRows(kMemcopyRows, COUNT_OF(kMemcopyRows));
}

static void TestOtherViolations(void **State)
{
    (void)State;
    CheckRows(kOtherViolationRows, COUNT_OF(kOtherViolationRows));
}

static void TestExceptionBlob(void **State)
{
    (void)State;
    CheckRows(kBlobRows, COUNT_OF(kBlobRows));
}

static void TestBeyondSpec(void **State)
{
    (void)State;
    CheckRows(kBeyondSpecRows, COUNT_OF(kBeyondSpecRows));
}

static void TestAlertValues(void **State)
{
    (void)State;
    CheckRows(kAlertValueRows, COUNT_OF(kAlertValueRows));
}

static void TestBlobValues(void **State)
{
    (void)State;
    CheckRows(kBlobValueRows, COUNT_OF(kBlobValueRows));
}

static void TestSameAsEvaluationModel(void **State)
{
    (void)State;
    CheckRows(kSameAsModelRows, COUNT_OF(kSameAsModelRows));
}

/* spec §4.5: Originator.Injection is one byte, User in bit 0 and Kernel in bit 1. */
static void TestInjectionBits(void **State)
{
    EVENT_EPT_VIOLATION *event = test_calloc(1, sizeof(*event));
    const BYTE *raw;

    (void)State;
    assert_non_null(event);
    raw = (const BYTE *)event + offsetof(EVENT_EPT_VIOLATION, Originator.Injection);

    event->Originator.Injection.User = 1;
    assert_int_equal(*raw, 0x1);
    event->Originator.Injection.User = 0;
    event->Originator.Injection.Kernel = 1;
    assert_int_equal(*raw, 0x2);
    test_free(event);
}

/* The blob is read through ExHeader over the same bytes as Exception (little endian, pack 1). */
static void TestExHeaderOverlaysException(void **State)
{
    INTRO_VIOLATION_HEADER header;

    (void)State;
    memset(&header, 0, sizeof(header));
    header.Exception[0] = 0x01;  /* Version, low byte */
    header.Exception[2] = 0x08;  /* ViolationFlags = ALERT_FLAG_NOT_RING0 */
    header.Exception[10] = 0x01; /* Valid */
    assert_int_equal(header.ExHeader.Version, 1);
    assert_true(header.ExHeader.ViolationFlags == ALERT_FLAG_NOT_RING0);
    assert_true(header.ExHeader.Valid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestCommonStructures),   cmocka_unit_test(TestViolationHeader),
        cmocka_unit_test(TestEptViolation),       cmocka_unit_test(TestRegisterViolations),
        cmocka_unit_test(TestIntegrityViolation), cmocka_unit_test(TestMemcopyViolation),
        cmocka_unit_test(TestOtherViolations),    cmocka_unit_test(TestExceptionBlob),
        cmocka_unit_test(TestBeyondSpec),         cmocka_unit_test(TestAlertValues),
        cmocka_unit_test(TestBlobValues),         cmocka_unit_test(TestSameAsEvaluationModel),
        cmocka_unit_test(TestInjectionBits),      cmocka_unit_test(TestExHeaderOverlaysException),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
