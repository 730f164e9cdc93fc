/*
 * Every object type and flag of the victim matchers (spec/matching.md §3.1, §3.2, §3.4) and the
 * initialisation-injection extra check (§3.5), table-driven, on the matchers directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "exc_builder.h"

#define W INTRO_EXC_ZONE_WRITE
#define ALL (IG_FLG_32 | IG_FLG_64 | IG_FLG_READ | IG_FLG_WRITE | IG_FLG_EXECUTE)

typedef struct OBJECT_CASE
{
    uint8_t Type;       /* exception object type */
    uint32_t Zone;      /* victim zone type */
    uint32_t Object;    /* victim object type */
    uint64_t ZoneFlags; /* victim zone flags (W is added) */
    bool Match;
} OBJECT_CASE;

static const OBJECT_CASE gKernel[] = {
    {IgKmObjAny, INTRO_EXC_ZONE_MSR, 0, 0, true},
    {IgKmObjAny, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_VE_AGENT, 0, true},
    {IgKmObjNone, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, false},
    {26, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, false},
    {IgKmObjDriver, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, true},
    {IgKmObjDriver, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_SSDT, 0, false},
    {IgKmObjDriverImports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_IMPORTS, true},
    {IgKmObjDriverImports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_EXPORTS, false},
    {IgKmObjDriverExports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_EXPORTS, true},
    {IgKmObjDriverExports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_CODE, false},
    {IgKmObjDriverCode, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_CODE, true},
    {IgKmObjDriverCode, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_VDSO, 0, true},
    {IgKmObjDriverCode, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_VSYSCALL, 0, true},
    {IgKmObjDriverCode, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_DATA, false},
    {IgKmObjDriverData, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_DATA, true},
    {IgKmObjDriverData, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_CODE, false},
    {IgKmObjDriverResources, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_RESOURCES, true},
    {IgKmObjDriverResources, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, INTRO_EXC_ZONE_LIB_DATA, false},
    {IgKmObjSsdt, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_SSDT, 0, true},
    {IgKmObjSsdt, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, false},
    {IgKmObjDrvObj, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_DRIVER_OBJECT, 0, true},
    {IgKmObjDrvObj, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_FAST_IO_DISPATCH, 0, false},
    {IgKmObjFastIo, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_FAST_IO_DISPATCH, 0, true},
    {IgKmObjFastIo, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_DRIVER_OBJECT, 0, false},
    {IgKmObjMsr, INTRO_EXC_ZONE_MSR, 0, 0, true},
    {IgKmObjMsr, INTRO_EXC_ZONE_CR, INTRO_EXC_OBJ_CR_VICTIM, 0, false},
    {IgKmObjHalHeap, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_HAL_HEAP, 0, true},
    {IgKmObjHalHeap, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_HAL_INT_CONTROLLER, 0, true},
    {IgKmObjHalHeap, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_HAL_HEAP, 0, false},
    {IgKmObjSudExec, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_SUD_EXEC, 0, true},
    {IgKmObjSudExec, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_SUD_EXEC, 0, false},
    {IgKmObjSelfMap, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_SELF_MAP_ENTRY, 0, true},
    {IgKmObjSelfMap, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_SELF_MAP_ENTRY, 0, false},
    {IgKmObjIdt, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_IDT, 0, true},
    {IgKmObjIdt, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_IDT, 0, true},
    {IgKmObjIdt, INTRO_EXC_ZONE_DTR, INTRO_EXC_OBJ_IDT, 0, false},
    {IgKmObjIdtReg, INTRO_EXC_ZONE_DTR, INTRO_EXC_OBJ_IDTR, 0, true},
    {IgKmObjIdtReg, INTRO_EXC_ZONE_DTR, INTRO_EXC_OBJ_GDTR, 0, false},
    {IgKmObjGdtReg, INTRO_EXC_ZONE_DTR, INTRO_EXC_OBJ_GDTR, 0, true},
    {IgKmObjGdtReg, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_GDTR, 0, false},
    {IgKmObjInfinityHook, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_LOGGER_CONTEXT, 0, true},
    {IgKmObjInfinityHook, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_KM_LOGGER_CONTEXT, 0, true},
    {IgKmObjTokenPrivs, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_TOKEN_PRIVS, 0, true},
    {IgKmObjTokenPrivs, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_TOKEN_PTR, 0, false},
    {IgKmObjHalPerfCounter, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_HAL_PERF_COUNTER, 0, true},
    {IgKmObjSecDesc, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_SEC_DESC, 0, true},
    {IgKmObjSecDesc, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_ACL, 0, false},
    {IgKmObjAclEdit, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_ACL, 0, true},
    {IgKmObjSudModification, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_SUD_INTEGRITY, 0, true},
    {IgKmObjInterruptObj, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_INTERRUPT_OBJECT, 0, true},
    {IgKmObjInterruptObj, INTRO_EXC_ZONE_INTEGRITY, INTRO_EXC_OBJ_IDT, 0, false},
};

static const OBJECT_CASE gUser[] = {
    {IgUmObjAny, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_VDSO, 0, true},
    {IgUmObjNone, INTRO_EXC_ZONE_PROCESS, 0, 0, false},
    {16, INTRO_EXC_ZONE_PROCESS, 0, 0, false},
    {IgUmObjProcess, INTRO_EXC_ZONE_PROCESS, 0, 0, true},
    {IgUmObjProcess, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_MODULE_LOAD, true},
    {IgUmObjProcess, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_THREAD_CTX, false},
    {IgUmObjProcess, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_THREAD_APC, false},
    {IgUmObjProcess, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_INSTRUMENT, false},
    {IgUmObjProcess, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, false},
    {IgUmObjModule, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, true},
    {IgUmObjModule, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, false},
    {IgUmObjModuleImports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, INTRO_EXC_ZONE_LIB_IMPORTS, true},
    {IgUmObjModuleImports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, INTRO_EXC_ZONE_LIB_EXPORTS, false},
    {IgUmObjModuleExports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, INTRO_EXC_ZONE_LIB_EXPORTS, true},
    {IgUmObjModuleExports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, false},
    {IgUmObjNxZone, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_GENERIC_NX_ZONE, 0, true},
    {IgUmObjNxZone, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_HEAP, 0, false},
    {IgUmObjSudExec, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_SUD_EXEC, 0, true},
    {IgUmObjThreadContext, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_THREAD_CTX, true},
    {IgUmObjThreadContext, INTRO_EXC_ZONE_EPT, 0, INTRO_EXC_ZONE_PROC_THREAD_CTX, false},
    {IgUmObjApcThread, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_THREAD_APC, true},
    {IgUmObjApcThread, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_THREAD_CTX, false},
    {IgUmObjInstrumentation, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_PROC_INSTRUMENT, true},
    {IgUmObjProcessCreation, INTRO_EXC_ZONE_PC, INTRO_EXC_OBJ_PROCESS_CREATION, 0, true},
    {IgUmObjProcessCreation, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_PROCESS_CREATION, 0, false},
    {IgUmObjProcessCreationDpi, INTRO_EXC_ZONE_PC, INTRO_EXC_OBJ_PROCESS_CREATION_DPI, 0, true},
    {IgUmObjProcessCreationDpi, INTRO_EXC_ZONE_PC, INTRO_EXC_OBJ_PROCESS_CREATION, 0, false},
    {IgUmObjDoubleAgent, INTRO_EXC_ZONE_PROCESS, 0, INTRO_EXC_ZONE_MODULE_LOAD, true},
    {IgUmObjDoubleAgent, INTRO_EXC_ZONE_PROCESS, 0, 0, false},
};

static const OBJECT_CASE gKernelUser[] = {
    {IgKumObjAny, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, true},
    {IgKumObjNone, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, false},
    {5, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, false},
    {IgKumObjModule, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, true},
    {IgKumObjModule, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_KM_MODULE, 0, false},
    {IgKumObjModuleImports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, INTRO_EXC_ZONE_LIB_IMPORTS, true},
    {IgKumObjModuleImports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, 0, false},
    {IgKumObjModuleExports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, INTRO_EXC_ZONE_LIB_EXPORTS, true},
    {IgKumObjModuleExports, INTRO_EXC_ZONE_EPT, INTRO_EXC_OBJ_UM_MODULE, INTRO_EXC_ZONE_LIB_IMPORTS, false},
};

static void BaseViolation(INTRO_EXC_VIOLATION *V, const OBJECT_CASE *C)
{
    memset(V, 0, sizeof(*V));
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Kernel.Original.NameHash = INTRO_EXC_NO_NAME;
    V->Kernel.Return.NameHash = INTRO_EXC_NO_NAME;
    V->User.Process.Present = true;
    V->User.Process.Address = 0xA000;
    V->Victim.Process.Present = true;
    V->Victim.Process.ParentAddress = 0x1000;
    V->Victim.ZoneType = C->Zone;
    V->Victim.ObjectType = C->Object;
    V->Victim.ZoneFlags = C->ZoneFlags | W;
}

static void RunObjects(const OBJECT_CASE *Cases, size_t Count, uint32_t Kind)
{
    for (size_t i = 0; i < Count; i++)
    {
        IG_EXC_EVAL ev = {0};
        INTRO_EXC_VIOLATION vio;
        IG_EXCEPTION e = {0};
        uint32_t failed = 0;
        INTSTATUS status;

        BaseViolation(&vio, &Cases[i]);
        ev.Vio = &vio;
        e.Flags = ALL;
        e.ObjectType = Cases[i].Type;
        status = Kind == INTRO_EXC_KIND_KERNEL ? IgExceptMatchVictimKernel(&ev, &e, &failed)
                 : Kind == INTRO_EXC_KIND_USER ? IgExceptMatchVictimUser(&ev, &e, false, &failed)
                                               : IgExceptMatchVictimKernelUser(&ev, &e, &failed);
        if ((status == INT_STATUS_EXCEPTION_ALLOW) != Cases[i].Match ||
            (!Cases[i].Match && failed != INTRO_EXC_CHECK_OBJECT_TYPE))
        {
            fail_msg("kind %u case %zu: type %u vs zone %u object %u flags 0x%llx: status 0x%x failed %u", Kind, i,
                     Cases[i].Type, Cases[i].Zone, Cases[i].Object, (unsigned long long)Cases[i].ZoneFlags,
                     (unsigned)status, failed);
        }
    }
}

static void test_kernel_object_types(void **state)
{
    (void)state;
    RunObjects(gKernel, sizeof(gKernel) / sizeof(gKernel[0]), INTRO_EXC_KIND_KERNEL);
}

static void test_user_object_types(void **state)
{
    (void)state;
    RunObjects(gUser, sizeof(gUser) / sizeof(gUser[0]), INTRO_EXC_KIND_USER);
}

static void test_kernel_user_object_types(void **state)
{
    (void)state;
    RunObjects(gKernelUser, sizeof(gKernelUser) / sizeof(gKernelUser[0]), INTRO_EXC_KIND_KERNEL_USER);
}

/* Flags: each row changes one thing of a matching (exception, violation) pair. */
typedef struct FLAG_CASE
{
    const char *Name;
    uint32_t Kind;
    uint32_t Flags;
    void (*Tweak)(INTRO_EXC_VIOLATION *V);
    uint32_t Failed; /* 0 = must match */
} FLAG_CASE;

static void Guest32(INTRO_EXC_VIOLATION *V)
{
    V->Guest.Guest64 = false;
}
static void Wow64(INTRO_EXC_VIOLATION *V)
{
    V->User.Process.Wow64 = true;
}
static void Linux(INTRO_EXC_VIOLATION *V)
{
    V->Guest.Os = INTRO_EXC_OS_LINUX;
}
static void Read(INTRO_EXC_VIOLATION *V)
{
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_READ;
}
static void Exec(INTRO_EXC_VIOLATION *V)
{
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_EXECUTE;
}
static void Integrity(INTRO_EXC_VIOLATION *V)
{
    V->Victim.ZoneType = INTRO_EXC_ZONE_INTEGRITY;
}
static void Driver(INTRO_EXC_VIOLATION *V)
{
    V->Kernel.Original.Present = true;
}
static void InjUser(INTRO_EXC_VIOLATION *V)
{
    V->Kernel.InjectionUser = true;
}
static void InjKernel(INTRO_EXC_VIOLATION *V)
{
    V->Kernel.InjectionKernel = true;
}
static void Child(INTRO_EXC_VIOLATION *V)
{
    V->User.Process.Address = 0xA000;
    V->Victim.Process.ParentAddress = 0xA000;
}
static void OrigSystem(INTRO_EXC_VIOLATION *V)
{
    V->User.Process.System = true;
}
static void PcVictimSystem(INTRO_EXC_VIOLATION *V)
{
    V->Victim.ZoneType = INTRO_EXC_ZONE_PC;
    V->Victim.ObjectType = INTRO_EXC_OBJ_PROCESS_CREATION;
    V->Victim.Process.System = true;
}
static void PcOrigSystem(INTRO_EXC_VIOLATION *V)
{
    V->Victim.ZoneType = INTRO_EXC_ZONE_PC;
    V->Victim.ObjectType = INTRO_EXC_OBJ_PROCESS_CREATION;
    V->User.Process.System = true;
}
static void DpiOrigSystem(INTRO_EXC_VIOLATION *V)
{
    V->Victim.ZoneType = INTRO_EXC_ZONE_PC;
    V->Victim.ObjectType = INTRO_EXC_OBJ_PROCESS_CREATION_DPI;
    V->User.Process.System = true;
}
static void Nothing(INTRO_EXC_VIOLATION *V)
{
    (void)V;
}

#define B32 (IG_FLG_32 | IG_FLG_WRITE)
#define B64 (IG_FLG_64 | IG_FLG_WRITE)
#define BB (IG_FLG_32 | IG_FLG_64 | IG_FLG_WRITE)

static const FLAG_CASE gFlags[] = {
    {"KM both bitness", INTRO_EXC_KIND_KERNEL, BB, Guest32, 0},
    {"KM 64 on 32", INTRO_EXC_KIND_KERNEL, B64, Guest32, INTRO_EXC_CHECK_ARCH},
    {"KM 32 on 32", INTRO_EXC_KIND_KERNEL, B32, Guest32, 0},
    {"KM 32 on 64", INTRO_EXC_KIND_KERNEL, B32, Nothing, INTRO_EXC_CHECK_ARCH},
    {"KM no bitness", INTRO_EXC_KIND_KERNEL, IG_FLG_WRITE, Nothing, INTRO_EXC_CHECK_ARCH},
    {"KM read flag vs read", INTRO_EXC_KIND_KERNEL, IG_FLG_32 | IG_FLG_64 | IG_FLG_READ, Read, 0},
    {"KM write flag vs read", INTRO_EXC_KIND_KERNEL, BB, Read, INTRO_EXC_CHECK_ACCESS},
    {"KM exec flag vs exec", INTRO_EXC_KIND_KERNEL, IG_FLG_32 | IG_FLG_64 | IG_FLG_EXECUTE, Exec, 0},
    {"KM integrity flag vs integrity", INTRO_EXC_KIND_KERNEL, BB | IG_FLG_KM_INTEGRITY, Integrity, 0},
    {"KM integrity flag vs EPT", INTRO_EXC_KIND_KERNEL, BB | IG_FLG_KM_INTEGRITY, Nothing, INTRO_EXC_CHECK_INTEGRITY},
    {"KM non-driver, no driver", INTRO_EXC_KIND_KERNEL, BB | IG_FLG_KM_NON_DRIVER, Nothing, 0},
    {"KM non-driver, a driver", INTRO_EXC_KIND_KERNEL, BB | IG_FLG_KM_NON_DRIVER, Driver, INTRO_EXC_CHECK_NON_DRIVER},
    {"KM ignores UM one-time bit (= SMEP)", INTRO_EXC_KIND_KERNEL, BB | IG_FLG_UM_ONETIME, Nothing, 0},
    {"UM 32 with WoW64 on 64", INTRO_EXC_KIND_USER, B32, Wow64, 0},
    {"UM 64 with WoW64 on 64", INTRO_EXC_KIND_USER, B64, Wow64, INTRO_EXC_CHECK_ARCH},
    {"UM 32 native on 64", INTRO_EXC_KIND_USER, B32, Nothing, INTRO_EXC_CHECK_ARCH},
    {"UM 32 on Linux 64 ignores WoW64", INTRO_EXC_KIND_USER, B32, Linux, INTRO_EXC_CHECK_ARCH},
    {"UM child, not a child", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_CHILD_PROC, Nothing, INTRO_EXC_CHECK_CHILD},
    {"UM child, a child", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_CHILD_PROC, Child, 0},
    {"UM system process, originator not", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_SYS_PROC, Nothing,
     INTRO_EXC_CHECK_SYSTEM_PROCESS},
    {"UM system process, originator is", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_SYS_PROC, OrigSystem, 0},
    {"UM system process on Linux is ignored", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_SYS_PROC, Linux, 0},
    {"UM system process, creation: victim is", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_SYS_PROC, PcVictimSystem, 0},
    {"UM system process, creation: only originator is", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_SYS_PROC, PcOrigSystem,
     INTRO_EXC_CHECK_SYSTEM_PROCESS},
    {"UM system process, DPI: originator is", INTRO_EXC_KIND_USER, BB | IG_FLG_UM_SYS_PROC, DpiOrigSystem, 0},
    {"KUM no injection, no gate flag", INTRO_EXC_KIND_KERNEL_USER, BB, Nothing, 0},
    {"KUM no injection, USER flag", INTRO_EXC_KIND_KERNEL_USER, BB | IG_FLG_KUM_USER, Nothing,
     INTRO_EXC_CHECK_INJECTION},
    {"KUM user injection, USER flag", INTRO_EXC_KIND_KERNEL_USER, BB | IG_FLG_KUM_USER, InjUser, 0},
    {"KUM user injection, KERNEL flag", INTRO_EXC_KIND_KERNEL_USER, BB | IG_FLG_KUM_KERNEL, InjUser,
     INTRO_EXC_CHECK_INJECTION},
    {"KUM kernel injection, KERNEL flag", INTRO_EXC_KIND_KERNEL_USER, BB | IG_FLG_KUM_KERNEL, InjKernel, 0},
    {"KUM kernel injection, no flag", INTRO_EXC_KIND_KERNEL_USER, BB, InjKernel, INTRO_EXC_CHECK_INJECTION},
    {"KUM non-driver (UM system-process bit)", INTRO_EXC_KIND_KERNEL_USER, BB | IG_FLG_KM_NON_DRIVER, Driver,
     INTRO_EXC_CHECK_NON_DRIVER},
};

static void test_flags(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(gFlags) / sizeof(gFlags[0]); i++)
    {
        const FLAG_CASE *c = &gFlags[i];
        OBJECT_CASE base = {0, INTRO_EXC_ZONE_PROCESS, 0, 0, true};
        IG_EXC_EVAL ev = {0};
        INTRO_EXC_VIOLATION vio;
        IG_EXCEPTION e = {0};
        uint32_t failed = 0;
        INTSTATUS status;

        if (c->Kind != INTRO_EXC_KIND_USER)
        {
            base.Zone = INTRO_EXC_ZONE_EPT;
            base.Object = c->Kind == INTRO_EXC_KIND_KERNEL ? INTRO_EXC_OBJ_KM_MODULE : INTRO_EXC_OBJ_UM_MODULE;
        }
        BaseViolation(&vio, &base);
        c->Tweak(&vio);
        ev.Vio = &vio;
        e.Flags = c->Flags;
        e.ObjectType = IgKmObjAny; /* 1 = any for every kind */
        status = c->Kind == INTRO_EXC_KIND_KERNEL ? IgExceptMatchVictimKernel(&ev, &e, &failed)
                 : c->Kind == INTRO_EXC_KIND_USER ? IgExceptMatchVictimUser(&ev, &e, false, &failed)
                                                  : IgExceptMatchVictimKernelUser(&ev, &e, &failed);
        if (c->Failed ? (status != INT_STATUS_EXCEPTION_NOT_MATCHED || failed != c->Failed)
                      : status != INT_STATUS_EXCEPTION_ALLOW)
        {
            fail_msg("%s: status 0x%x, failed check %u (expected %u)", c->Name, (unsigned)status, failed, c->Failed);
        }
    }
}

/* The initialisation-injection check (spec §3.5), as a sequence of injections into one process. */
static void test_init_check(void **state)
{
    INTRO_EXC_VIOLATION vio;
    INTRO_EXC_PROCESS_STATE s = {0};

    (void)state;
    memset(&vio, 0, sizeof(vio));
    vio.Guest.Os = INTRO_EXC_OS_WINDOWS;
    vio.Guest.Guest64 = true;
    vio.Guest.OsVersion = 19041;
    vio.Guest.Peb32Size = 0x480;
    vio.Guest.Peb64Size = 0x7C8;
    vio.Victim.Process.Present = true;
    vio.Victim.Process.Peb64Address = 0x7FF000000000ull;
    vio.Victim.Process.Peb32Address = 0x7FE000000000ull;

    /* No state block: hvmi's "victim has no process" internal error. */
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_INVALID_INTERNAL_STATE);
    vio.Victim.Process.State = &s;
    /* Not initialising yet. */
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_FAILED);
    s.StartInitializing = true;
    /* The first big injection is apphelp: recorded and ignored. */
    vio.Victim.u.Injection.Gva = 0x10000;
    vio.Victim.u.Injection.Length = 4000;
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_OK);
    assert_true(s.InjectedApphelp);
    assert_int_equal(s.InjectedApphelpAddress, 0x10000);
    assert_int_equal(s.InjectedApphelpSize, 4000);
    assert_int_equal(s.InjectionsCount, 0);
    /* Two PEB64 writes complete the initialisation of a native process on a 64-bit guest. */
    vio.Victim.u.Injection.Gva = vio.Victim.Process.Peb64Address + 0x10;
    vio.Victim.u.Injection.Length = 8;
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_OK);
    assert_int_equal(s.PebWrittenCount, 1);
    assert_true(s.Initialized); /* native, PebWrittenCount 1, no WoW64 parent: done */
    /* Initialised: further injections fail the check. */
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_FAILED);

    /* A WoW64 parent on 9200 <= build < 14393 needs the second PEB write. */
    memset(&s, 0, sizeof(s));
    s.StartInitializing = true;
    s.InjectionsCount = 1; /* past the ignore window */
    vio.Guest.OsVersion = 9600;
    vio.Victim.Process.ParentWow64 = true;
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_OK);
    assert_int_equal(s.PebWrittenCount, 1);
    assert_false(s.Initialized);
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_OK);
    assert_int_equal(s.PebWrittenCount, 2);
    assert_true(s.Initialized);

    /* A write that starts in the PEB but ends past it is not a PEB write. */
    memset(&s, 0, sizeof(s));
    s.StartInitializing = true;
    s.InjectionsCount = 1;
    vio.Victim.Process.ParentWow64 = false;
    vio.Victim.u.Injection.Gva = vio.Victim.Process.Peb64Address + 0x7C0;
    vio.Victim.u.Injection.Length = 8;
    assert_int_equal(IgExceptUserInitCheck(&vio), INT_STATUS_EXCEPTION_CHECKS_OK);
    assert_int_equal(s.PebWrittenCount, 0);
    assert_int_equal(s.InjectionsCount, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_object_types),
        cmocka_unit_test(test_user_object_types),
        cmocka_unit_test(test_kernel_user_object_types),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_init_check),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
