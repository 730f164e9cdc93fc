/*
 * The vocabulary of the exceptions file (intro_excfile.h): keyword tables, record and signature
 * kinds, special names per field, flag names.  Values from spec/exceptions-binary-format.md §3.0,
 * which matches hvmi's config.json value for value (tests/test_keywords.c checks both).
 */
#include "introguard/intro_excfile.h"

#include <stdio.h>
#include <string.h>

#define IG_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define IG_TABLE(Section, Array)                                                                                       \
    {                                                                                                                  \
        Section, Array, IG_COUNT_OF(Array)                                                                             \
    }

/* ---- Object types ---------------------------------------------------------------------------------------- */

static const INTRO_EXCFILE_KEYWORD gKernelObjects[] = {
    {"none", INTRO_EXCFILE_KM_OBJ_NONE},
    {"any", INTRO_EXCFILE_KM_OBJ_ANY},
    {"driver", INTRO_EXCFILE_KM_OBJ_DRIVER},
    {"driver imports", INTRO_EXCFILE_KM_OBJ_DRIVER_IMPORTS},
    {"driver code", INTRO_EXCFILE_KM_OBJ_DRIVER_CODE},
    {"driver data", INTRO_EXCFILE_KM_OBJ_DRIVER_DATA},
    {"driver resources", INTRO_EXCFILE_KM_OBJ_DRIVER_RESOURCES},
    {"ssdt", INTRO_EXCFILE_KM_OBJ_SSDT},
    {"drvobj", INTRO_EXCFILE_KM_OBJ_DRVOBJ},
    {"fastio", INTRO_EXCFILE_KM_OBJ_FASTIO},
    {"msr", INTRO_EXCFILE_KM_OBJ_MSR},
    {"cr4", INTRO_EXCFILE_KM_OBJ_CR4},
    {"hal-heap", INTRO_EXCFILE_KM_OBJ_HAL_HEAP},
    {"selfmap", INTRO_EXCFILE_KM_OBJ_SELFMAP},
    {"idt", INTRO_EXCFILE_KM_OBJ_IDT},
    {"idt-reg", INTRO_EXCFILE_KM_OBJ_IDT_REG},
    {"gdt-reg", INTRO_EXCFILE_KM_OBJ_GDT_REG},
    {"infinity-hook", INTRO_EXCFILE_KM_OBJ_INFINITY_HOOK},
    {"driver exports", INTRO_EXCFILE_KM_OBJ_DRIVER_EXPORTS},
    {"token-privs", INTRO_EXCFILE_KM_OBJ_TOKEN_PRIVS},
    {"sud-exec", INTRO_EXCFILE_KM_OBJ_SUD_EXEC},
    {"hal-perf-counter", INTRO_EXCFILE_KM_OBJ_HAL_PERF_COUNTER},
    {"security-descriptor", INTRO_EXCFILE_KM_OBJ_SECURITY_DESCRIPTOR},
    {"acl-edit", INTRO_EXCFILE_KM_OBJ_ACL_EDIT},
    {"sud-modification", INTRO_EXCFILE_KM_OBJ_SUD_MODIFICATION},
    {"interrupt-obj", INTRO_EXCFILE_KM_OBJ_INTERRUPT_OBJ},
};

static const INTRO_EXCFILE_KEYWORD gUserObjects[] = {
    {"none", INTRO_EXCFILE_UM_OBJ_NONE},
    {"any", INTRO_EXCFILE_UM_OBJ_ANY},
    {"process", INTRO_EXCFILE_UM_OBJ_PROCESS},
    {"module", INTRO_EXCFILE_UM_OBJ_MODULE},
    {"module imports", INTRO_EXCFILE_UM_OBJ_MODULE_IMPORTS},
    {"nx_zone", INTRO_EXCFILE_UM_OBJ_NX_ZONE},
    {"module exports", INTRO_EXCFILE_UM_OBJ_MODULE_EXPORTS},
    {"thread-context", INTRO_EXCFILE_UM_OBJ_THREAD_CONTEXT},
    {"peb32", INTRO_EXCFILE_UM_OBJ_PEB32},
    {"peb64", INTRO_EXCFILE_UM_OBJ_PEB64},
    {"apc-thread", INTRO_EXCFILE_UM_OBJ_APC_THREAD},
    {"process-creation", INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION},
    {"double-agent", INTRO_EXCFILE_UM_OBJ_DOUBLE_AGENT},
    {"process-creation-dpi", INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION_DPI},
    {"sud-exec", INTRO_EXCFILE_UM_OBJ_SUD_EXEC},
    {"instrumentation-callback", INTRO_EXCFILE_UM_OBJ_INSTRUMENTATION},
};

static const INTRO_EXCFILE_KEYWORD gKernelUserObjects[] = {
    {"none", INTRO_EXCFILE_KUM_OBJ_NONE},
    {"any", INTRO_EXCFILE_KUM_OBJ_ANY},
    {"module", INTRO_EXCFILE_KUM_OBJ_MODULE},
    {"module imports", INTRO_EXCFILE_KUM_OBJ_MODULE_IMPORTS},
    {"module exports", INTRO_EXCFILE_KUM_OBJ_MODULE_EXPORTS},
};

_Static_assert(IG_COUNT_OF(gKernelObjects) == INTRO_EXCFILE_KM_OBJ_COUNT, "one kernel object name per value");
_Static_assert(IG_COUNT_OF(gUserObjects) == INTRO_EXCFILE_UM_OBJ_COUNT, "one user object name per value");
_Static_assert(IG_COUNT_OF(gKernelUserObjects) == INTRO_EXCFILE_KUM_OBJ_COUNT, "one kernel-user object name per value");

static const INTRO_EXCFILE_KEYWORD_TABLE gObjectTables[INTRO_EXCFILE_OBJECT_TABLE_COUNT] = {
    IG_TABLE("kernel-mode", gKernelObjects),
    IG_TABLE("user-mode", gUserObjects),
    IG_TABLE("kernel-user-mode", gKernelUserObjects),
};

/* ---- Flags ------------------------------------------------------------------------------------------------ */

static const INTRO_EXCFILE_KEYWORD gCommonFlags[] = {
    {"feedback", INTRO_EXCFILE_FLG_FEEDBACK}, {"32", INTRO_EXCFILE_FLG_32},         {"64", INTRO_EXCFILE_FLG_64},
    {"init", INTRO_EXCFILE_FLG_INIT},         {"return", INTRO_EXCFILE_FLG_RETURN}, {"linux", INTRO_EXCFILE_FLG_LINUX},
    {"read", INTRO_EXCFILE_FLG_READ},         {"write", INTRO_EXCFILE_FLG_WRITE},   {"exec", INTRO_EXCFILE_FLG_EXECUTE},
    {"ignore", INTRO_EXCFILE_FLG_IGNORE},
};

static const INTRO_EXCFILE_KEYWORD gKernelFlags[] = {
    {"non-driver", INTRO_EXCFILE_FLG_KM_NON_DRIVER},
    {"return-drv", INTRO_EXCFILE_FLG_KM_RETURN_DRV},
    {"smap", INTRO_EXCFILE_FLG_KM_SMAP},
    {"smep", INTRO_EXCFILE_FLG_KM_SMEP},
    {"integrity", INTRO_EXCFILE_FLG_KM_INTEGRITY},
};

/* `debug` and `reserved` share a bit; `debug` comes first, so it is the name printed. */
static const INTRO_EXCFILE_KEYWORD gUserFlags[] = {
    {"system-process", INTRO_EXCFILE_FLG_UM_SYS_PROC},
    {"child", INTRO_EXCFILE_FLG_UM_CHILD_PROC},
    {"one-time", INTRO_EXCFILE_FLG_UM_ONETIME},
    {"like-apphelp", INTRO_EXCFILE_FLG_UM_LIKE_APPHELP},
    {"debug", INTRO_EXCFILE_FLG_UM_DEBUG},
    {"reserved", INTRO_EXCFILE_FLG_UM_DEBUG},
    {"module-load", INTRO_EXCFILE_FLG_UM_MODULE_LOAD},
};

static const INTRO_EXCFILE_KEYWORD gKernelUserFlags[] = {
    {"user", INTRO_EXCFILE_FLG_KUM_USER},
    {"kernel", INTRO_EXCFILE_FLG_KUM_KERNEL},
};

static const INTRO_EXCFILE_KEYWORD gSignatureFlags[] = {
    {"32", INTRO_EXCFILE_SIG_FLG_32},         {"64", INTRO_EXCFILE_SIG_FLG_64},
    {"medium", INTRO_EXCFILE_SIG_FLG_MEDIUM}, {"linux", INTRO_EXCFILE_SIG_FLG_LINUX},
    {"cli", INTRO_EXCFILE_SIG_FLG_CLI},
};

/* Indexed by the bit position of the INTRO_EXCFILE_FLAGS_* namespace. */
static const INTRO_EXCFILE_KEYWORD_TABLE gFlagTables[] = {
    IG_TABLE("common", gCommonFlags),        IG_TABLE("kernel-mode", gKernelFlags),
    IG_TABLE("user-mode", gUserFlags),       IG_TABLE("kernel-user-mode", gKernelUserFlags),
    IG_TABLE("signatures", gSignatureFlags),
};

_Static_assert((1u << IG_COUNT_OF(gFlagTables)) - 1 == INTRO_EXCFILE_FLAGS_ALL, "one table per flag namespace");

/* ---- Special names and the create mask ----------------------------------------------------------------------- */

static const INTRO_EXCFILE_KEYWORD gKernelSpecial[] = {
    {"*", INTRO_EXCFILE_NAME_ANY},     {"[own]", INTRO_EXCFILE_NAME_OWN}, {"[kernel]", INTRO_EXCFILE_NAME_KERNEL},
    {"[hal]", INTRO_EXCFILE_NAME_HAL}, {"-", INTRO_EXCFILE_NAME_NONE},
};

static const INTRO_EXCFILE_KEYWORD gUserSpecial[] = {
    {"*", INTRO_EXCFILE_NAME_ANY},       {"[own]", INTRO_EXCFILE_NAME_OWN},
    {"[vdso]", INTRO_EXCFILE_NAME_VDSO}, {"[vsyscall]", INTRO_EXCFILE_NAME_VSYSCALL},
    {"-", INTRO_EXCFILE_NAME_NONE},
};

static const INTRO_EXCFILE_KEYWORD gSignatureSpecial[] = {
    {"*", INTRO_EXCFILE_NAME_ANY},
    {"-", INTRO_EXCFILE_NAME_NONE},
};

static const INTRO_EXCFILE_KEYWORD_TABLE gSpecialTables[INTRO_EXCFILE_SPECIAL_TABLE_COUNT] = {
    IG_TABLE("kernel-mode", gKernelSpecial),
    IG_TABLE("user-mode", gUserSpecial),
    IG_TABLE("signature", gSignatureSpecial),
};

static const INTRO_EXCFILE_KEYWORD gCreateMask[] = {
    {"debug", 0x00000001u},
    {"pivoted-stack", 0x00000002u},
    {"stolen-token", 0x00000004u},
    {"heap-spray", 0x00000008u},
    {"token-privs", 0x00000010u},
    {"thread-start", 0x00000020u},
    {"security-descriptor", 0x00000040u},
    {"acl-edit", 0x00000080u},
};

static const INTRO_EXCFILE_KEYWORD_TABLE gCreateMaskTable = IG_TABLE("ProcessCreationFlags", gCreateMask);

/* ---- Kinds ------------------------------------------------------------------------------------------------ */

/*
 * What the compiler accepts per kind: kernel common + kernel-mode; user, APC and glob common +
 * user-mode; kernel-user everything but signatures.  For display, kernel-user bits read as the
 * kernel-mode names because that is how its matcher reads them (0x100 is non-driver there).
 */
#define IG_KM_FLAGS (INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL)
#define IG_UM_FLAGS (INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER)
#define IG_KUM_FLAGS (INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL | INTRO_EXCFILE_FLAGS_KERNEL_USER)

static const INTRO_EXCFILE_EXCEPTION_KIND gExceptionKinds[] = {
    {"kernel", INTRO_EXCFILE_REC_KERNEL, INTRO_EXCFILE_OBJECTS_KERNEL, IG_KM_FLAGS, IG_KM_FLAGS},
    {"user", INTRO_EXCFILE_REC_USER, INTRO_EXCFILE_OBJECTS_USER, IG_UM_FLAGS, IG_UM_FLAGS},
    {"user-apc", INTRO_EXCFILE_REC_USER_APC, INTRO_EXCFILE_OBJECTS_USER, IG_UM_FLAGS, IG_UM_FLAGS},
    {"user-glob-match", INTRO_EXCFILE_REC_USER_GLOB, INTRO_EXCFILE_OBJECTS_USER, IG_UM_FLAGS, IG_UM_FLAGS},
    {"kernel-user", INTRO_EXCFILE_REC_KERNEL_USER, INTRO_EXCFILE_OBJECTS_KERNEL_USER,
     IG_KUM_FLAGS | INTRO_EXCFILE_FLAGS_USER, IG_KUM_FLAGS},
};

static const INTRO_EXCFILE_SIGNATURE_KIND gSignatureKinds[] = {
    {"version-os", INTRO_EXCFILE_SIG_VERSION_OS, INTRO_EXCFILE_REC_VERSION_OS},
    {"version-intro", INTRO_EXCFILE_SIG_VERSION_INTRO, INTRO_EXCFILE_REC_VERSION_INTRO},
    {"process-creation", INTRO_EXCFILE_SIG_PROCESS_CREATION, INTRO_EXCFILE_REC_PROCESS_CREATION},
    {"export", INTRO_EXCFILE_SIG_EXPORT, INTRO_EXCFILE_REC_EXPORT},
    {"value", INTRO_EXCFILE_SIG_VALUE, INTRO_EXCFILE_REC_VALUE},
    {"idt", INTRO_EXCFILE_SIG_IDT, INTRO_EXCFILE_REC_IDT},
    {"value-code", INTRO_EXCFILE_SIG_VALUE_CODE, INTRO_EXCFILE_REC_VALUE_CODE},
    {"codeblocks", INTRO_EXCFILE_SIG_CODEBLOCKS, INTRO_EXCFILE_REC_CODEBLOCKS},
};

/* Record names as `dump` prints them: the JSON "Type" of exceptions, the `sig_type` of signatures. */
static const char *const gRecordTypeNames[] = {
    [INTRO_EXCFILE_REC_KERNEL] = "kernel",
    [INTRO_EXCFILE_REC_USER] = "user",
    [INTRO_EXCFILE_REC_CODEBLOCKS] = "codeblocks",
    [INTRO_EXCFILE_REC_EXPORT] = "export",
    [INTRO_EXCFILE_REC_VALUE] = "value",
    [INTRO_EXCFILE_REC_USER_GLOB] = "user-glob-match",
    [INTRO_EXCFILE_REC_VALUE_CODE] = "value-code",
    [INTRO_EXCFILE_REC_USER_APC] = "user-apc",
    [INTRO_EXCFILE_REC_IDT] = "idt",
    [INTRO_EXCFILE_REC_VERSION_OS] = "version-os",
    [INTRO_EXCFILE_REC_VERSION_INTRO] = "version-intro",
    [INTRO_EXCFILE_REC_PROCESS_CREATION] = "process-creation",
    [INTRO_EXCFILE_REC_KERNEL_USER] = "kernel-user",
};

/* ---- Groups ------------------------------------------------------------------------------------------------ */

static const char *const gGroupOfficeApps[] = {"winword.exe", "excel.exe", "powerpnt.exe", "outlook.exe"};
static const char *const gGroupInitParents[] = {"svchost.exe", "openwith.exe"};
static const char *const gGroupFirefox[] = {"firefox.exe", "plugin-container.exe"};
static const char *const gGroupEdge[] = {"microsoftedge.exe", "microsoftedgecp.exe", "microsoftedgesh.exe",
                                         "microsoftedgedevtools.exe"};
static const char *const gGroupIexplore[] = {"ieshims.dll", "shcore.dll", "iertutil.dll", "ieframe.dll"};
static const char *const gGroupPython[] = {"python.exe", "python2.7.exe", "python3.2.exe"};
static const char *const gGroupTrufos[] = {"\\driver\\atapi", "\\driver\\storahci", "\\driver\\iastorv",
                                           "\\driver\\iastorav"};
static const char *const gGroupSptdDrvObjs[] = {"\\driver\\atapi", "\\driver\\disk", "\\driver\\iastor",
                                                "\\driver\\iastorv", "\\driver\\ntfs"};
static const char *const gGroupSptdDrivers[] = {"atapi.sys", "ataport.sys", "iastorv.sys", "iastor.sys"};
static const char *const gGroupWow64[] = {"wow64.dll", "wow64win.dll", "wow64cpu.dll"};

static const INTRO_EXCFILE_GROUP gGroups[] = {
    {"[office apps]", gGroupOfficeApps, IG_COUNT_OF(gGroupOfficeApps)},
    {"[init-parents]", gGroupInitParents, IG_COUNT_OF(gGroupInitParents)},
    {"[firefox-processes]", gGroupFirefox, IG_COUNT_OF(gGroupFirefox)},
    {"[edge-family]", gGroupEdge, IG_COUNT_OF(gGroupEdge)},
    {"[iexplore-wininet]", gGroupIexplore, IG_COUNT_OF(gGroupIexplore)},
    {"[python]", gGroupPython, IG_COUNT_OF(gGroupPython)},
    {"[trufos-drvobjs]", gGroupTrufos, IG_COUNT_OF(gGroupTrufos)},
    {"[sptd-drvobjs]", gGroupSptdDrvObjs, IG_COUNT_OF(gGroupSptdDrvObjs)},
    {"[sptd-drivers]", gGroupSptdDrivers, IG_COUNT_OF(gGroupSptdDrivers)},
    {"[wow64-dlls]", gGroupWow64, IG_COUNT_OF(gGroupWow64)},
};

/* ---- Table access and lookups ------------------------------------------------------------------------------ */

const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileObjectTypes(INTRO_EXCFILE_OBJECT_TABLE Table)
{
    return (unsigned)Table < INTRO_EXCFILE_OBJECT_TABLE_COUNT ? &gObjectTables[Table] : NULL;
}

const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileFlagTable(unsigned Namespace)
{
    for (size_t i = 0; i < IG_COUNT_OF(gFlagTables); i++)
    {
        if (Namespace == (1u << i))
        {
            return &gFlagTables[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_TABLE Table)
{
    return (Table >= 0 && Table < INTRO_EXCFILE_SPECIAL_TABLE_COUNT) ? &gSpecialTables[Table] : NULL;
}

const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileCreateMaskNames(void)
{
    return &gCreateMaskTable;
}

static bool IgEquals(const char *Keyword, const char *Name, size_t Length)
{
    return strlen(Keyword) == Length && memcmp(Keyword, Name, Length) == 0;
}

bool IntExcFileKeywordFind(const INTRO_EXCFILE_KEYWORD_TABLE *Table, const char *Name, size_t Length, uint32_t *Value)
{
    if (!Table || !Name)
    {
        return false;
    }
    for (size_t i = 0; i < Table->Count; i++)
    {
        if (IgEquals(Table->Entries[i].Name, Name, Length))
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

const char *IntExcFileKeywordName(const INTRO_EXCFILE_KEYWORD_TABLE *Table, uint32_t Value)
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

bool IntExcFileFlagFind(unsigned Namespaces, const char *Name, size_t Length, uint32_t *Value)
{
    for (size_t i = 0; i < IG_COUNT_OF(gFlagTables); i++)
    {
        if ((Namespaces & (1u << i)) && IntExcFileKeywordFind(&gFlagTables[i], Name, Length, Value))
        {
            return true;
        }
    }
    return false;
}

const char *IntExcFileFlagName(unsigned Namespaces, uint32_t Bit)
{
    for (size_t i = 0; i < IG_COUNT_OF(gFlagTables); i++)
    {
        const char *name = (Namespaces & (1u << i)) ? IntExcFileKeywordName(&gFlagTables[i], Bit) : NULL;
        if (name)
        {
            return name;
        }
    }
    return NULL;
}

/* Appends Text at *Used, truncating at Size - 1 and keeping the buffer NUL-terminated. */
static void IgAppend(char *Buffer, size_t Size, size_t *Used, const char *Text)
{
    size_t len = strlen(Text);

    if (Buffer && *Used < Size)
    {
        size_t room = Size - *Used - 1;
        size_t n = len < room ? len : room;

        memcpy(Buffer + *Used, Text, n);
        Buffer[*Used + n] = '\0';
    }
    *Used += len;
}

/* Writes each set bit of Value as its name (from Namer) or as 0x%08X, lowest bit first. */
static size_t IgFormatBits(uint32_t Value, const char *(*Namer)(const void *, uint32_t), const void *Context,
                           char *Buffer, size_t Size)
{
    size_t used = 0;

    if (Buffer && Size)
    {
        Buffer[0] = '\0';
    }
    for (unsigned bit = 0; bit < 32; bit++)
    {
        uint32_t mask = 1u << bit;
        const char *name;
        char hex[11];

        if (!(Value & mask))
        {
            continue;
        }
        name = Namer(Context, mask);
        if (!name)
        {
            snprintf(hex, sizeof(hex), "0x%08X", mask);
            name = hex;
        }
        if (used)
        {
            IgAppend(Buffer, Size, &used, " ");
        }
        IgAppend(Buffer, Size, &used, name);
    }
    return used;
}

static const char *IgFlagNamer(const void *Context, uint32_t Bit)
{
    return IntExcFileFlagName(*(const unsigned *)Context, Bit);
}

static const char *IgTableNamer(const void *Context, uint32_t Bit)
{
    return IntExcFileKeywordName((const INTRO_EXCFILE_KEYWORD_TABLE *)Context, Bit);
}

size_t IntExcFileFormatFlags(unsigned Namespaces, uint32_t Flags, char *Buffer, size_t Size)
{
    return IgFormatBits(Flags, IgFlagNamer, &Namespaces, Buffer, Size);
}

size_t IntExcFileFormatMask(const INTRO_EXCFILE_KEYWORD_TABLE *Table, uint32_t Value, char *Buffer, size_t Size)
{
    return IgFormatBits(Value, IgTableNamer, Table, Buffer, Size);
}

/* ---- Kinds ------------------------------------------------------------------------------------------------ */

const char *IntExcFileRecordTypeName(uint8_t Type)
{
    return Type < IG_COUNT_OF(gRecordTypeNames) ? gRecordTypeNames[Type] : NULL;
}

const INTRO_EXCFILE_EXCEPTION_KIND *IntExcFileExceptionKindByName(const char *Name, size_t Length)
{
    for (size_t i = 0; Name && i < IG_COUNT_OF(gExceptionKinds); i++)
    {
        if (IgEquals(gExceptionKinds[i].Name, Name, Length))
        {
            return &gExceptionKinds[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_EXCEPTION_KIND *IntExcFileExceptionKindByRecord(uint8_t RecordType)
{
    for (size_t i = 0; i < IG_COUNT_OF(gExceptionKinds); i++)
    {
        if (gExceptionKinds[i].RecordType == RecordType)
        {
            return &gExceptionKinds[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_EXCEPTION_KIND *IntExcFileExceptionKinds(size_t *Count)
{
    *Count = IG_COUNT_OF(gExceptionKinds);
    return gExceptionKinds;
}

const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKindByName(const char *Name, size_t Length)
{
    for (size_t i = 0; Name && i < IG_COUNT_OF(gSignatureKinds); i++)
    {
        if (IgEquals(gSignatureKinds[i].Name, Name, Length))
        {
            return &gSignatureKinds[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKindByCode(uint32_t TypeCode)
{
    for (size_t i = 0; i < IG_COUNT_OF(gSignatureKinds); i++)
    {
        if (gSignatureKinds[i].TypeCode == TypeCode)
        {
            return &gSignatureKinds[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKindByRecord(uint8_t RecordType)
{
    for (size_t i = 0; i < IG_COUNT_OF(gSignatureKinds); i++)
    {
        if (gSignatureKinds[i].RecordType == RecordType)
        {
            return &gSignatureKinds[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_SIGNATURE_KIND *IntExcFileSignatureKinds(size_t *Count)
{
    *Count = IG_COUNT_OF(gSignatureKinds);
    return gSignatureKinds;
}

const INTRO_EXCFILE_GROUP *IntExcFileGroupFind(const char *Name, size_t Length)
{
    for (size_t i = 0; Name && i < IG_COUNT_OF(gGroups); i++)
    {
        if (IgEquals(gGroups[i].Name, Name, Length))
        {
            return &gGroups[i];
        }
    }
    return NULL;
}

const INTRO_EXCFILE_GROUP *IntExcFileGroups(size_t *Count)
{
    *Count = IG_COUNT_OF(gGroups);
    return gGroups;
}

/* ---- What the fields of a record mean --------------------------------------------------------------------- */

INTRO_EXCFILE_SPECIAL_TABLE IntExcFileFieldSpecialTable(uint8_t RecordType, INTRO_EXCFILE_FIELD Field, uint32_t Flags)
{
    switch (RecordType)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            return (Field == INTRO_EXCFILE_FIELD_ORIGINATOR || Field == INTRO_EXCFILE_FIELD_VICTIM)
                       ? INTRO_EXCFILE_SPECIAL_KERNEL
                       : INTRO_EXCFILE_SPECIAL_NONE;
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
            return (Field == INTRO_EXCFILE_FIELD_ORIGINATOR || Field == INTRO_EXCFILE_FIELD_VICTIM ||
                    Field == INTRO_EXCFILE_FIELD_PROCESS)
                       ? INTRO_EXCFILE_SPECIAL_USER
                       : INTRO_EXCFILE_SPECIAL_NONE;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            if (Field == INTRO_EXCFILE_FIELD_ORIGINATOR)
            {
                return (Flags & INTRO_EXCFILE_FLG_KUM_USER) ? INTRO_EXCFILE_SPECIAL_USER : INTRO_EXCFILE_SPECIAL_KERNEL;
            }
            return (Field == INTRO_EXCFILE_FIELD_VICTIM || Field == INTRO_EXCFILE_FIELD_PROCESS)
                       ? INTRO_EXCFILE_SPECIAL_USER
                       : INTRO_EXCFILE_SPECIAL_NONE;
        case INTRO_EXCFILE_REC_EXPORT:
            if (Field == INTRO_EXCFILE_FIELD_LIBRARY)
            {
                return INTRO_EXCFILE_SPECIAL_USER;
            }
            return Field == INTRO_EXCFILE_FIELD_EXPORT_NAME ? INTRO_EXCFILE_SPECIAL_SIGNATURE
                                                            : INTRO_EXCFILE_SPECIAL_NONE;
        default:
            return INTRO_EXCFILE_SPECIAL_NONE;
    }
}

const char *IntExcFileFieldSpecialName(uint8_t RecordType, INTRO_EXCFILE_FIELD Field, uint32_t Flags, uint32_t Value)
{
    return IntExcFileKeywordName(IntExcFileSpecialNames(IntExcFileFieldSpecialTable(RecordType, Field, Flags)), Value);
}

unsigned IntExcFileRecordFlagNamespaces(uint8_t RecordType)
{
    const INTRO_EXCFILE_EXCEPTION_KIND *kind = IntExcFileExceptionKindByRecord(RecordType);

    if (kind)
    {
        return kind->DisplayFlags;
    }
    return IntExcFileSignatureKindByRecord(RecordType) ? INTRO_EXCFILE_FLAGS_SIGNATURE : 0;
}

const INTRO_EXCFILE_KEYWORD_TABLE *IntExcFileRecordObjectTypes(uint8_t RecordType)
{
    const INTRO_EXCFILE_EXCEPTION_KIND *kind = IntExcFileExceptionKindByRecord(RecordType);
    return kind ? IntExcFileObjectTypes(kind->ObjectTable) : NULL;
}
