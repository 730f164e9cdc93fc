/*
 * Keyword tables of hvmi's exception JSON format; values from spec/exceptions-binary-format.md §3.0
 * (which matches hvmi's config.json value for value).
 */
#include "keywords.h"

#include <stdio.h>
#include <string.h>

#include "exceptions/update_file.h"

#define IG_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define IG_TABLE(Section, Array)                                                                                       \
    {                                                                                                                  \
        Section, Array, IG_COUNT_OF(Array)                                                                             \
    }

static const IG_KEYWORD gKernelObjects[] = {
    {"none", 0},
    {"any", 1},
    {"driver", 2},
    {"driver imports", 3},
    {"driver code", 4},
    {"driver data", 5},
    {"driver resources", 6},
    {"ssdt", 7},
    {"drvobj", 8},
    {"fastio", 9},
    {"msr", 10},
    {"cr4", 11},
    {"hal-heap", 12},
    {"selfmap", 13},
    {"idt", 14},
    {"idt-reg", 15},
    {"gdt-reg", 16},
    {"infinity-hook", 17},
    {"driver exports", 18},
    {"token-privs", 19},
    {"sud-exec", 20},
    {"hal-perf-counter", 21},
    {"security-descriptor", 22},
    {"acl-edit", 23},
    {"sud-modification", 24},
    {"interrupt-obj", 25},
};

static const IG_KEYWORD gUserObjects[] = {
    {"none", 0},           {"any", 1},
    {"process", 2},        {"module", 3},
    {"module imports", 4}, {"nx_zone", 5},
    {"module exports", 6}, {"thread-context", 7},
    {"peb32", 8},          {"peb64", 9},
    {"apc-thread", 10},    {"process-creation", 11},
    {"double-agent", 12},  {"process-creation-dpi", 13},
    {"sud-exec", 14},      {"instrumentation-callback", 15},
};

static const IG_KEYWORD gKernelUserObjects[] = {
    {"none", 0}, {"any", 1}, {"module", 2}, {"module imports", 3}, {"module exports", 4},
};

static const IG_KEYWORD_TABLE gObjectTables[IgKwObjectTableCount] = {
    IG_TABLE("kernel-mode", gKernelObjects),
    IG_TABLE("user-mode", gUserObjects),
    IG_TABLE("kernel-user-mode", gKernelUserObjects),
};

static const IG_KEYWORD gCommonFlags[] = {
    {"feedback", 0x00000001u}, {"32", 0x00000002u},     {"64", 0x00000004u},   {"init", 0x00000008u},
    {"return", 0x00000010u},   {"linux", 0x00000080u},  {"read", 0x10000000u}, {"write", 0x20000000u},
    {"exec", 0x40000000u},     {"ignore", 0x80000000u},
};

static const IG_KEYWORD gKernelFlags[] = {
    {"non-driver", 0x00000100u}, {"return-drv", 0x00000200u}, {"smap", 0x00000400u},
    {"smep", 0x00000800u},       {"integrity", 0x00001000u},
};

/* `debug` and `reserved` share 0x2000; `debug` comes first, so it is the name printed. */
static const IG_KEYWORD gUserFlags[] = {
    {"system-process", 0x00000100u}, {"child", 0x00000200u}, {"one-time", 0x00000800u},
    {"like-apphelp", 0x00001000u},   {"debug", 0x00002000u}, {"reserved", 0x00002000u},
    {"module-load", 0x00004000u},
};

static const IG_KEYWORD gKernelUserFlags[] = {
    {"user", 0x00008000u},
    {"kernel", 0x00010000u},
};

static const IG_KEYWORD gSignatureFlags[] = {
    {"32", 0x00000001u}, {"64", 0x00000002u}, {"medium", 0x00000004u}, {"linux", 0x00000080u}, {"cli", 0x00010000u},
};

/* Indexed by the bit position of the IG_KW_FLAGS_* namespace. */
static const IG_KEYWORD_TABLE gFlagTables[] = {
    IG_TABLE("common", gCommonFlags),        IG_TABLE("kernel-mode", gKernelFlags),
    IG_TABLE("user-mode", gUserFlags),       IG_TABLE("kernel-user-mode", gKernelUserFlags),
    IG_TABLE("signatures", gSignatureFlags),
};

static const IG_KEYWORD gKernelSpecial[] = {
    {"*", 0}, {"[own]", 1}, {"[kernel]", 2}, {"[hal]", 3}, {"-", 4},
};

static const IG_KEYWORD gUserSpecial[] = {
    {"*", 0}, {"[own]", 1}, {"[vdso]", 2}, {"[vsyscall]", 3}, {"-", 4},
};

static const IG_KEYWORD gSignatureSpecial[] = {
    {"*", 0},
    {"-", 4},
};

static const IG_KEYWORD_TABLE gSpecialTables[IgKwSpecialTableCount] = {
    IG_TABLE("kernel-mode", gKernelSpecial),
    IG_TABLE("user-mode", gUserSpecial),
    IG_TABLE("signature", gSignatureSpecial),
};

static const IG_KEYWORD gDpiMask[] = {
    {"debug", 0x00000001u},
    {"pivoted-stack", 0x00000002u},
    {"stolen-token", 0x00000004u},
    {"heap-spray", 0x00000008u},
    {"token-privs", 0x00000010u},
    {"thread-start", 0x00000020u},
    {"security-descriptor", 0x00000040u},
    {"acl-edit", 0x00000080u},
};

static const IG_KEYWORD_TABLE gDpiTable = IG_TABLE("ProcessCreationFlags", gDpiMask);

/*
 * What the compiler accepts per kind (§3.3): KM common + kernel-mode; UM, APC and glob common +
 * user-mode; KUM everything but signatures.  For display, KUM bits read as the kernel-mode names
 * because that is how the KUM matcher interprets them (0x100 is non-driver, not system-process).
 */
static const IG_KW_EXCEPTION_KIND gExceptionKinds[] = {
    {"kernel", IgRecKernel, IgKwObjectKernel, IG_KW_FLAGS_COMMON | IG_KW_FLAGS_KERNEL,
     IG_KW_FLAGS_COMMON | IG_KW_FLAGS_KERNEL},
    {"user", IgRecUser, IgKwObjectUser, IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER, IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER},
    {"user-apc", IgRecUserApc, IgKwObjectUser, IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER,
     IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER},
    {"user-glob-match", IgRecUserGlob, IgKwObjectUser, IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER,
     IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER},
    {"kernel-user", IgRecKernelUser, IgKwObjectKernelUser,
     IG_KW_FLAGS_COMMON | IG_KW_FLAGS_USER | IG_KW_FLAGS_KERNEL | IG_KW_FLAGS_KERNEL_USER,
     IG_KW_FLAGS_COMMON | IG_KW_FLAGS_KERNEL | IG_KW_FLAGS_KERNEL_USER},
};

static const IG_KW_SIGNATURE_KIND gSignatureKinds[] = {
    {"version-os", IgSigTypeVersionOs, IgRecVersionOsSig},
    {"version-intro", IgSigTypeVersionIntro, IgRecVersionIntroSig},
    {"process-creation", IgSigTypeProcessCreation, IgRecProcessCreationSig},
    {"export", IgSigTypeExport, IgRecExportSig},
    {"value", IgSigTypeValue, IgRecValueSig},
    {"idt", IgSigTypeIdt, IgRecIdtSig},
    {"value-code", IgSigTypeValueCode, IgRecValueCodeSig},
    {"codeblocks", IgSigTypeCodeBlocks, IgRecCodeBlocksSig},
};

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

static const IG_KW_GROUP gGroups[] = {
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

const IG_KEYWORD_TABLE *IgKwObjectTypes(IG_KW_OBJECT_TABLE Table)
{
    return (unsigned)Table < IgKwObjectTableCount ? &gObjectTables[Table] : NULL;
}

const IG_KEYWORD_TABLE *IgKwFlagTable(unsigned Namespace)
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

const IG_KEYWORD_TABLE *IgKwSpecialNames(IG_KW_SPECIAL_TABLE Table)
{
    return (unsigned)Table < IgKwSpecialTableCount ? &gSpecialTables[Table] : NULL;
}

const IG_KEYWORD_TABLE *IgKwDpiMask(void)
{
    return &gDpiTable;
}

static bool IgKwEquals(const char *Keyword, const char *Name, size_t Length)
{
    return strlen(Keyword) == Length && memcmp(Keyword, Name, Length) == 0;
}

bool IgKwFind(const IG_KEYWORD_TABLE *Table, const char *Name, size_t Length, uint32_t *Value)
{
    if (!Table || !Name)
    {
        return false;
    }
    for (size_t i = 0; i < Table->Count; i++)
    {
        if (IgKwEquals(Table->Entries[i].Name, Name, Length))
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

const char *IgKwName(const IG_KEYWORD_TABLE *Table, uint32_t Value)
{
    if (!Table)
    {
        return NULL;
    }
    for (size_t i = 0; i < Table->Count; i++)
    {
        if (Table->Entries[i].Value == Value)
        {
            return Table->Entries[i].Name;
        }
    }
    return NULL;
}

bool IgKwFindFlag(unsigned Namespaces, const char *Name, size_t Length, uint32_t *Value)
{
    for (size_t i = 0; i < IG_COUNT_OF(gFlagTables); i++)
    {
        if ((Namespaces & (1u << i)) && IgKwFind(&gFlagTables[i], Name, Length, Value))
        {
            return true;
        }
    }
    return false;
}

const char *IgKwFlagName(unsigned Namespaces, uint32_t Bit)
{
    for (size_t i = 0; i < IG_COUNT_OF(gFlagTables); i++)
    {
        const char *name = (Namespaces & (1u << i)) ? IgKwName(&gFlagTables[i], Bit) : NULL;
        if (name)
        {
            return name;
        }
    }
    return NULL;
}

/* Appends Text at *Used, truncating at Size - 1 and keeping the buffer NUL-terminated. */
static void IgKwAppend(char *Buffer, size_t Size, size_t *Used, const char *Text)
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
static size_t IgKwFormatBits(uint32_t Value, const char *(*Namer)(const void *, uint32_t), const void *Context,
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
            IgKwAppend(Buffer, Size, &used, " ");
        }
        IgKwAppend(Buffer, Size, &used, name);
    }
    return used;
}

static const char *IgKwFlagNamer(const void *Context, uint32_t Bit)
{
    return IgKwFlagName(*(const unsigned *)Context, Bit);
}

static const char *IgKwTableNamer(const void *Context, uint32_t Bit)
{
    return IgKwName((const IG_KEYWORD_TABLE *)Context, Bit);
}

size_t IgKwFormatFlags(unsigned Namespaces, uint32_t Flags, char *Buffer, size_t Size)
{
    return IgKwFormatBits(Flags, IgKwFlagNamer, &Namespaces, Buffer, Size);
}

size_t IgKwFormatMask(const IG_KEYWORD_TABLE *Table, uint32_t Value, char *Buffer, size_t Size)
{
    return IgKwFormatBits(Value, IgKwTableNamer, Table, Buffer, Size);
}

const IG_KW_EXCEPTION_KIND *IgKwExceptionKindByName(const char *Name, size_t Length)
{
    for (size_t i = 0; Name && i < IG_COUNT_OF(gExceptionKinds); i++)
    {
        if (IgKwEquals(gExceptionKinds[i].Name, Name, Length))
        {
            return &gExceptionKinds[i];
        }
    }
    return NULL;
}

const IG_KW_EXCEPTION_KIND *IgKwExceptionKindByRecord(uint8_t RecordType)
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

const IG_KW_EXCEPTION_KIND *IgKwExceptionKinds(size_t *Count)
{
    *Count = IG_COUNT_OF(gExceptionKinds);
    return gExceptionKinds;
}

const IG_KW_SIGNATURE_KIND *IgKwSignatureKindByName(const char *Name, size_t Length)
{
    for (size_t i = 0; Name && i < IG_COUNT_OF(gSignatureKinds); i++)
    {
        if (IgKwEquals(gSignatureKinds[i].Name, Name, Length))
        {
            return &gSignatureKinds[i];
        }
    }
    return NULL;
}

const IG_KW_SIGNATURE_KIND *IgKwSignatureKindByCode(uint32_t TypeCode)
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

const IG_KW_SIGNATURE_KIND *IgKwSignatureKindByRecord(uint8_t RecordType)
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

const IG_KW_SIGNATURE_KIND *IgKwSignatureKinds(size_t *Count)
{
    *Count = IG_COUNT_OF(gSignatureKinds);
    return gSignatureKinds;
}

const IG_KW_GROUP *IgKwGroupFind(const char *Name, size_t Length)
{
    for (size_t i = 0; Name && i < IG_COUNT_OF(gGroups); i++)
    {
        if (IgKwEquals(gGroups[i].Name, Name, Length))
        {
            return &gGroups[i];
        }
    }
    return NULL;
}

const IG_KW_GROUP *IgKwGroups(size_t *Count)
{
    *Count = IG_COUNT_OF(gGroups);
    return gGroups;
}

static char IgKwFold(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static unsigned IgKwMin3(unsigned a, unsigned b, unsigned c)
{
    unsigned m = a < b ? a : b;
    return m < c ? m : c;
}

unsigned IgKwEditDistance(const char *A, size_t LengthA, const char *B, size_t LengthB)
{
    /* Optimal-string-alignment distance with three rolling rows (the swap needs two back). */
    unsigned rows[3][IG_KW_MAX_COMPARE + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (LengthA > IG_KW_MAX_COMPARE || LengthB > IG_KW_MAX_COMPARE)
    {
        return IG_KW_DISTANCE_FAR;
    }
    for (size_t j = 0; j <= LengthB; j++)
    {
        prev[j] = (unsigned)j;
        prev2[j] = 0;
    }
    for (size_t i = 1; i <= LengthA; i++)
    {
        unsigned *spare;

        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= LengthB; j++)
        {
            unsigned cost = IgKwFold(A[i - 1]) == IgKwFold(B[j - 1]) ? 0 : 1;
            cur[j] = IgKwMin3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && IgKwFold(A[i - 1]) == IgKwFold(B[j - 2]) &&
                IgKwFold(A[i - 2]) == IgKwFold(B[j - 1]) && prev2[j - 2] + 1 < cur[j])
            {
                cur[j] = prev2[j - 2] + 1;
            }
        }
        spare = prev2;
        prev2 = prev;
        prev = cur;
        cur = spare;
    }
    return prev[LengthB];
}

static unsigned IgKwDefaultDistance(size_t Length)
{
    return Length <= 3 ? 1 : Length <= 6 ? 2 : 3;
}

/* Keeps the candidate if it is strictly closer than the best so far (so ties keep the first). */
static void IgKwConsider(const char *Candidate, const char *Name, size_t Length, unsigned *Best, const char **BestName,
                         bool *Exact)
{
    unsigned d;

    if (IgKwEquals(Candidate, Name, Length))
    {
        *Exact = true;
        return;
    }
    d = IgKwEditDistance(Candidate, strlen(Candidate), Name, Length);
    if (d < *Best)
    {
        *Best = d;
        *BestName = Candidate;
    }
}

static const char *IgKwPick(const char *BestName, unsigned Best, bool Exact, size_t Length, unsigned MaxDistance)
{
    unsigned limit = MaxDistance ? MaxDistance : IgKwDefaultDistance(Length);
    return (!Exact && BestName && Best <= limit) ? BestName : NULL;
}

const char *IgKwNearest(const IG_KEYWORD_TABLE *Table, const char *Name, size_t Length, unsigned MaxDistance)
{
    unsigned best = IG_KW_DISTANCE_FAR;
    const char *bestName = NULL;
    bool exact = false;

    if (!Table || !Name)
    {
        return NULL;
    }
    for (size_t i = 0; i < Table->Count; i++)
    {
        IgKwConsider(Table->Entries[i].Name, Name, Length, &best, &bestName, &exact);
    }
    return IgKwPick(bestName, best, exact, Length, MaxDistance);
}

const char *IgKwNearestFlag(unsigned Namespaces, const char *Name, size_t Length, unsigned MaxDistance)
{
    unsigned best = IG_KW_DISTANCE_FAR;
    const char *bestName = NULL;
    bool exact = false;

    if (!Name)
    {
        return NULL;
    }
    for (size_t t = 0; t < IG_COUNT_OF(gFlagTables); t++)
    {
        for (size_t i = 0; (Namespaces & (1u << t)) && i < gFlagTables[t].Count; i++)
        {
            IgKwConsider(gFlagTables[t].Entries[i].Name, Name, Length, &best, &bestName, &exact);
        }
    }
    return IgKwPick(bestName, best, exact, Length, MaxDistance);
}

const char *IgKwNearestOf(const char *const *Candidates, size_t Count, const char *Name, size_t Length,
                          unsigned MaxDistance)
{
    unsigned best = IG_KW_DISTANCE_FAR;
    const char *bestName = NULL;
    bool exact = false;

    if (!Candidates || !Name)
    {
        return NULL;
    }
    for (size_t i = 0; i < Count; i++)
    {
        if (Candidates[i])
        {
            IgKwConsider(Candidates[i], Name, Length, &best, &bestName, &exact);
        }
    }
    return IgKwPick(bestName, best, exact, Length, MaxDistance);
}
