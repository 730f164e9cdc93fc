/*
 * Names of the violation model's constants (intro_exc_keywords.h), as traces and reports spell them.
 */
#include "introguard/intro_exc_keywords.h"

#include <string.h>

#define IG_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define IG_TABLE(What, Array)                                                                                          \
    {                                                                                                                  \
        What, Array, IG_COUNT_OF(Array)                                                                                \
    }

static const INTRO_EXC_KEYWORD gObjectTypes[] = {
    {"raw", INTRO_EXC_OBJ_RAW},
    {"internal", INTRO_EXC_OBJ_INTERNAL},
    {"ssdt", INTRO_EXC_OBJ_SSDT},
    {"fast-io-dispatch", INTRO_EXC_OBJ_FAST_IO_DISPATCH},
    {"driver-object", INTRO_EXC_OBJ_DRIVER_OBJECT},
    {"km-module", INTRO_EXC_OBJ_KM_MODULE},
    {"idt", INTRO_EXC_OBJ_IDT},
    {"gdt", INTRO_EXC_OBJ_GDT},
    {"km-unpack", INTRO_EXC_OBJ_KM_UNPACK},
    {"process", INTRO_EXC_OBJ_PROCESS},
    {"um-internal", INTRO_EXC_OBJ_UM_INTERNAL},
    {"um-unpack", INTRO_EXC_OBJ_UM_UNPACK},
    {"um-heap", INTRO_EXC_OBJ_UM_HEAP},
    {"um-stack", INTRO_EXC_OBJ_UM_STACK},
    {"um-generic-nx-zone", INTRO_EXC_OBJ_UM_GENERIC_NX_ZONE},
    {"um-module", INTRO_EXC_OBJ_UM_MODULE},
    {"detour-read", INTRO_EXC_OBJ_DETOUR_READ},
    {"token-ptr", INTRO_EXC_OBJ_TOKEN_PTR},
    {"hal-dispatch-table", INTRO_EXC_OBJ_HAL_DISPATCH_TABLE},
    {"hal-int-controller", INTRO_EXC_OBJ_HAL_INT_CONTROLLER},
    {"self-map-entry", INTRO_EXC_OBJ_SELF_MAP_ENTRY},
    {"hal-heap", INTRO_EXC_OBJ_HAL_HEAP},
    {"vdso", INTRO_EXC_OBJ_VDSO},
    {"vsyscall", INTRO_EXC_OBJ_VSYSCALL},
    {"ex-table", INTRO_EXC_OBJ_EX_TABLE},
    {"ve-agent", INTRO_EXC_OBJ_VE_AGENT},
    {"idtr", INTRO_EXC_OBJ_IDTR},
    {"gdtr", INTRO_EXC_OBJ_GDTR},
    {"process-creation", INTRO_EXC_OBJ_PROCESS_CREATION},
    {"exec-suspicious-dll", INTRO_EXC_OBJ_EXEC_SUSPICIOUS_DLL},
    {"km-logger-context", INTRO_EXC_OBJ_KM_LOGGER_CONTEXT},
    {"process-creation-dpi", INTRO_EXC_OBJ_PROCESS_CREATION_DPI},
    {"token-privs", INTRO_EXC_OBJ_TOKEN_PRIVS},
    {"sud-exec", INTRO_EXC_OBJ_SUD_EXEC},
    {"hal-perf-counter", INTRO_EXC_OBJ_HAL_PERF_COUNTER},
    {"hooked-function", INTRO_EXC_OBJ_HOOKED_FUNCTION},
    {"slack-space", INTRO_EXC_OBJ_SLACK_SPACE},
    {"sec-desc", INTRO_EXC_OBJ_SEC_DESC},
    {"acl", INTRO_EXC_OBJ_ACL},
    {"sud-integrity", INTRO_EXC_OBJ_SUD_INTEGRITY},
    {"interrupt-object", INTRO_EXC_OBJ_INTERRUPT_OBJECT},
};

_Static_assert(IG_COUNT_OF(gObjectTypes) == INTRO_EXC_OBJ_INTERRUPT_OBJECT, "one name per object type 1-41");

static const INTRO_EXC_KEYWORD gZones[] = {
    {"ept", INTRO_EXC_ZONE_EPT},         {"msr", INTRO_EXC_ZONE_MSR},
    {"cr", INTRO_EXC_ZONE_CR},           {"integrity", INTRO_EXC_ZONE_INTEGRITY},
    {"process", INTRO_EXC_ZONE_PROCESS}, {"dtr", INTRO_EXC_ZONE_DTR},
    {"pc", INTRO_EXC_ZONE_PC},
};

static const INTRO_EXC_KEYWORD gZoneFlags[] = {
    {"lib-imports", INTRO_EXC_ZONE_LIB_IMPORTS},
    {"lib-exports", INTRO_EXC_ZONE_LIB_EXPORTS},
    {"lib-code", INTRO_EXC_ZONE_LIB_CODE},
    {"lib-data", INTRO_EXC_ZONE_LIB_DATA},
    {"lib-resources", INTRO_EXC_ZONE_LIB_RESOURCES},
    {"thread-ctx", INTRO_EXC_ZONE_PROC_THREAD_CTX},
    {"thread-apc", INTRO_EXC_ZONE_PROC_THREAD_APC},
    {"dep-execution", INTRO_EXC_ZONE_DEP_EXECUTION},
    {"module-load", INTRO_EXC_ZONE_MODULE_LOAD},
    {"instrument", INTRO_EXC_ZONE_PROC_INSTRUMENT},
    {"write", INTRO_EXC_ZONE_WRITE},
    {"read", INTRO_EXC_ZONE_READ},
    {"execute", INTRO_EXC_ZONE_EXECUTE},
    {"integrity", INTRO_EXC_ZONE_INTEGRITY_FLAG},
};

static const INTRO_EXC_KEYWORD gKinds[] = {
    {"user", INTRO_EXC_KIND_USER},
    {"kernel", INTRO_EXC_KIND_KERNEL},
    {"user-glob", INTRO_EXC_KIND_USER_GLOB},
    {"kernel-user", INTRO_EXC_KIND_KERNEL_USER},
};

static const INTRO_EXC_KEYWORD gOs[] = {
    {"windows", INTRO_EXC_OS_WINDOWS},
    {"linux", INTRO_EXC_OS_LINUX},
};

static const INTRO_EXC_KEYWORD_TABLE gObjectTypeTable = IG_TABLE("object type", gObjectTypes);
static const INTRO_EXC_KEYWORD_TABLE gZoneTable = IG_TABLE("zone", gZones);
static const INTRO_EXC_KEYWORD_TABLE gZoneFlagTable = IG_TABLE("zone flag", gZoneFlags);
static const INTRO_EXC_KEYWORD_TABLE gKindTable = IG_TABLE("kind", gKinds);
static const INTRO_EXC_KEYWORD_TABLE gOsTable = IG_TABLE("os", gOs);

const INTRO_EXC_KEYWORD_TABLE *IntExcObjectTypeNames(void)
{
    return &gObjectTypeTable;
}

const INTRO_EXC_KEYWORD_TABLE *IntExcZoneNames(void)
{
    return &gZoneTable;
}

const INTRO_EXC_KEYWORD_TABLE *IntExcZoneFlagNames(void)
{
    return &gZoneFlagTable;
}

const INTRO_EXC_KEYWORD_TABLE *IntExcKindNames(void)
{
    return &gKindTable;
}

const INTRO_EXC_KEYWORD_TABLE *IntExcOsNames(void)
{
    return &gOsTable;
}

bool IntExcKeywordFind(const INTRO_EXC_KEYWORD_TABLE *Table, const char *Name, size_t Length, uint64_t *Value)
{
    for (size_t i = 0; Table && Name && i < Table->Count; i++)
    {
        if (strlen(Table->Entries[i].Name) == Length && memcmp(Table->Entries[i].Name, Name, Length) == 0)
        {
            if (Value)
            {
                *Value = Table->Entries[i].Value;
            }
            return true;
        }
    }
    return false;
}

const char *IntExcKeywordName(const INTRO_EXC_KEYWORD_TABLE *Table, uint64_t Value)
{
    for (size_t i = 0; Table && i < Table->Count; i++)
    {
        if (Table->Entries[i].Value == Value)
        {
            return Table->Entries[i].Name;
        }
    }
    return NULL;
}
