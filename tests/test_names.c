/*
 * Public name hashing (include/introguard/intro_names.h, docs/hashing.md).
 *
 * 1. Every worked example of spec/exceptions-binary-format.md §4 (values computed by hvmi's
 *    crc32.py), each through the kind whose rule produces it, and the runtime rules around them:
 *    lower-casing per OS, trims, path stripping, the NUL stop, special names, UTF-8 vs UTF-16 input.
 * 2. hvmi's published JSON exceptions against the exceptions.bin hvmi's compiler made of them
 *    (INTROGUARD_HVMI_CORPUS; skipped visibly when unset): every name a JSON exception or export
 *    signature gives, hashed with the runtime rule for its field, is a value that field has in
 *    some record of the same kind in the binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "common/crc32.h"
#include "exceptions/update_file.h"
#include "introguard/intro_names.h"

#define WIN INTRO_EXC_OS_WINDOWS
#define LIX INTRO_EXC_OS_LINUX
#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t Hash(uint32_t Os, uint32_t Kind, const char *Name, uint32_t Flags)
{
    uint32_t hash = 0x12345678;

    assert_int_equal(IntNameHash(Os, Kind, Name, strlen(Name), Flags, &hash), INT_STATUS_SUCCESS);
    return hash;
}

/* The same text given as UTF-16 (ASCII only here). */
static uint32_t HashWide(uint32_t Os, uint32_t Kind, const char *Name, uint32_t Flags)
{
    uint16_t wide[256];
    size_t n = strlen(Name);
    uint32_t hash = 0x12345678;

    assert_true(n <= ARRAY_COUNT(wide));
    for (size_t i = 0; i < n; i++)
    {
        wide[i] = (uint8_t)Name[i];
    }
    assert_int_equal(IntNameHashWide(Os, Kind, wide, n, Flags, &hash), INT_STATUS_SUCCESS);
    return hash;
}

typedef struct EXAMPLE
{
    const char *Text;
    uint32_t Os;
    uint32_t Kind;
    uint32_t Hash;
    const char *Where; /* the §4.5 row and the runtime field it stands for */
} EXAMPLE;

static const EXAMPLE gExamples[] = {
    {"ntoskrnl.exe", WIN, INTRO_NAME_PROCESS, 0xD520FF13, "§4.5 narrow"},
    {"ntoskrnl.exe", WIN, INTRO_NAME_KERNEL_MODULE, 0xE2D047AB, "§4.5 wide: a driver named explicitly"},
    {"chrome.exe", WIN, INTRO_NAME_PROCESS, 0x80689A87, "§4.5 narrow: a process name"},
    {"chrome.exe", WIN, INTRO_NAME_USER_MODULE, 0x8EB0D21F, "§4.5 wide: a module-type originator"},
    {"NtCreateKey", WIN, INTRO_NAME_EXACT, 0xDA198B03, "§4.5 narrow, case kept: an export name"},
    {"NtCreateFile", WIN, INTRO_NAME_EXACT, 0xBACCF5C6, "§4.5 first export entry of the golden file"},
    {"ntdll.dll", WIN, INTRO_NAME_PROCESS, 0x9D36B511, "§4.5 narrow"},
    {"ntdll.dll", WIN, INTRO_NAME_USER_MODULE, 0xBE9D4EC5, "§4.5 wide: victim module, export library"},
    {"NTDLL.dll", WIN, INTRO_NAME_USER_MODULE, 0xBE9D4EC5, "§4.4 the runtime lower-cases module names"},
    {"crc32", WIN, INTRO_NAME_EXACT, 0x9676DBBC, "§4.5 doc example, narrow"},
    {"microsoftedgecp.exe", WIN, INTRO_NAME_PROCESS, 0x48DF4BCF, "§4.5 trim-14 example"},
    {"MicrosoftEdgeCP.exe", WIN, INTRO_NAME_PROCESS, 0x48DF4BCF, "§4.5 trim-14, lower-cased first"},
    {"startmenuexperiencehost", WIN, INTRO_NAME_PROCESS, 0x41CF65CE, "§4.5 security-descriptor victim"},
    {"a", WIN, INTRO_NAME_EXACT, 0xC54AAE31, "§4.5 step by step, narrow"},
    {"firefox.exe", WIN, INTRO_NAME_PROCESS, 0x209B1103, "§4.4 firefox.exe as a process"},
    {"firefox.exe", WIN, INTRO_NAME_USER_MODULE, 0x5E40AD5E, "§4.4 firefox.exe as a module"},
    {"C:\\Windows\\System32\\Drivers\\MyDrv.SYS", WIN, INTRO_NAME_KERNEL_MODULE, 0x3CBA652D,
     "§4.3 path stripped, lower-cased, wide"},
    {"*Abc", WIN, INTRO_NAME_EXACT, 0xC2586E95, "§4.3 the bytes of *\\x41bc"},
    {"", WIN, INTRO_NAME_PROCESS, INTRO_EXC_NO_NAME, "§4.1 the empty name"},
};

/* Wide forms of the §4.5 table (the UTF-16LE column). */
static const EXAMPLE gWideExamples[] = {
    {"ntoskrnl.exe", WIN, INTRO_NAME_EXACT, 0xE2D047AB, "§4.5"},
    {"chrome.exe", WIN, INTRO_NAME_EXACT, 0x8EB0D21F, "§4.5"},
    {"NtCreateKey", WIN, INTRO_NAME_EXACT, 0x3C5B5E9E, "§4.5"},
    {"ntdll.dll", WIN, INTRO_NAME_EXACT, 0xBE9D4EC5, "§4.5"},
    {"NTDLL.dll", WIN, INTRO_NAME_EXACT, 0x6EEC2D78, "§4.4 the library as the compiler keeps it"},
    {"crc32", WIN, INTRO_NAME_EXACT, 0xAAD4A8AB, "§4.5"},
    {"a", WIN, INTRO_NAME_EXACT, 0x8319A519, "§4.5 step by step, wide"},
    {"ntdll.dll", WIN, INTRO_NAME_USER_MODULE, 0xBE9D4EC5, "a module name given as UTF-16"},
    {"chrome.exe", WIN, INTRO_NAME_PROCESS, 0x80689A87, "a process name given as UTF-16 is hashed narrow"},
};

static void TestSpecExamples(void **State)
{
    (void)State;
    for (size_t i = 0; i < ARRAY_COUNT(gExamples); i++)
    {
        const EXAMPLE *e = &gExamples[i];
        uint32_t h = Hash(e->Os, e->Kind, e->Text, 0);

        print_message("  %-40s 0x%08X  %s\n", e->Text, h, e->Where);
        assert_int_equal(h, e->Hash);
        /* The same text as UTF-16 hashes the same under every rule that says how to hash it. */
        if (e->Kind != INTRO_NAME_EXACT)
        {
            assert_int_equal(HashWide(e->Os, e->Kind, e->Text, 0), e->Hash);
        }
    }
    for (size_t i = 0; i < ARRAY_COUNT(gWideExamples); i++)
    {
        const EXAMPLE *e = &gWideExamples[i];

        assert_int_equal(HashWide(e->Os, e->Kind, e->Text, 0), e->Hash);
    }
    /* The hash functions of the engine agree with the public ones. */
    assert_int_equal(Hash(WIN, INTRO_NAME_EXACT, "NtCreateKey", 0), IgNameHash("NtCreateKey", 11));
    assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE, "ntdll.dll", 0), IgNameHashWideAscii("ntdll.dll", 9));
}

static void TestRuntimeRules(void **State)
{
    uint32_t h;

    (void)State;
    /* Linux keeps case and keeps 15 characters of the comm; Windows keeps 14 of the image name. */
    assert_int_equal(Hash(LIX, INTRO_NAME_PROCESS, "MicrosoftEdgeCP.exe", 0), IgNameHash("MicrosoftEdgeCP", 15));
    assert_int_equal(Hash(LIX, INTRO_NAME_PROCESS, "bash", 0), IgNameHash("bash", 4));
    assert_int_equal(Hash(WIN, INTRO_NAME_PROCESS, "Explorer.EXE", 0), IgNameHash("explorer.exe", 12));
    /* Linux kernel modules: 8-bit, case kept, at most 55 characters. */
    assert_int_equal(Hash(LIX, INTRO_NAME_KERNEL_MODULE, "Foo_Mod", 0), IgNameHash("Foo_Mod", 7));
    {
        char longName[80];

        memset(longName, 'm', sizeof(longName) - 1);
        longName[sizeof(longName) - 1] = '\0';
        assert_int_equal(Hash(LIX, INTRO_NAME_KERNEL_MODULE, longName, 0), IgNameHash(longName, 55));
    }
    /* Driver objects keep their whole name; user modules keep what follows the last backslash. */
    assert_int_equal(Hash(WIN, INTRO_NAME_DRIVER_OBJECT, "\\FileSystem\\Refs", 0),
                     IgNameHashWideAscii("\\filesystem\\refs", 16));
    assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE, "\\Device\\HarddiskVolume2\\Windows\\System32\\NTDLL.DLL", 0),
                     0xBE9D4EC5);
    /* hvmi hashes up to the NUL. */
    assert_int_equal(IntNameHash(WIN, INTRO_NAME_PROCESS, "chrome.exe\0junk", 15, 0, &h), INT_STATUS_SUCCESS);
    assert_int_equal(h, 0x80689A87);
    /* UTF-8 text is decoded for UTF-16 rules: é (U+00E9) and U+1F600 (a surrogate pair). */
    {
        static const uint16_t wide[] = {0xE9, '.', 'd', 'l', 'l', 0xD83D, 0xDE00};
        uint32_t w;

        assert_int_equal(IntNameHashWide(WIN, INTRO_NAME_USER_MODULE, wide, ARRAY_COUNT(wide), 0, &w),
                         INT_STATUS_SUCCESS);
        assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE, "\xC3\xA9.dll\xF0\x9F\x98\x80", 0), w);
        /* A byte that starts no valid sequence stands for itself (here U+00E9 too). */
        assert_int_equal(IntNameHashWide(WIN, INTRO_NAME_USER_MODULE, wide, 5, 0, &w), INT_STATUS_SUCCESS);
        assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE, "\xE9.dll", 0), w);
    }
    /* Lower-casing is ASCII only, as hvmi's run time (intro_names.h): U+00DC and U+03A3 stay capitals,
     * where the compiler's str.lower() would change them; the process name keeps 14 bytes. */
    {
        static const uint16_t wide[] = {0xDC, 'b', 'e', 'r', 0x3A3, '.', 'd', 'l', 'l'};
        static const uint8_t narrow[] = {0xC3, 0x9C, 'b', 'e', 'r', 0xCE, 0xA3, '.', 'e', 'x', 'e', 'x', 'x', 'x'};
        uint32_t w;

        assert_int_equal(IntNameHashWide(WIN, INTRO_NAME_USER_MODULE, wide, ARRAY_COUNT(wide), 0, &w),
                         INT_STATUS_SUCCESS);
        assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE,
                              "\xC3\x9C"
                              "BER\xCE\xA3.DLL",
                              0),
                         w);
        assert_int_equal(Hash(WIN, INTRO_NAME_PROCESS,
                              "\xC3\x9C"
                              "BER\xCE\xA3.EXEXXXX",
                              0),
                         IgNameHash(narrow, sizeof(narrow)));
    }
}

static void TestSpecialNames(void **State)
{
    (void)State;
    /* Kernel-mode contexts: the kernel image and the HAL. */
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "ntoskrnl.exe", INTRO_NAME_FLAG_KERNEL_IMAGE),
                     INTRO_EXC_NAME_KERNEL);
    assert_int_equal(Hash(LIX, INTRO_NAME_KERNEL_MODULE, "kernel", INTRO_NAME_FLAG_KERNEL_IMAGE),
                     INTRO_EXC_NAME_KERNEL);
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "[kernel]", 0), INTRO_EXC_NAME_KERNEL);
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "hal.dll", 0), INTRO_EXC_NAME_HAL);
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "HALMACPI.DLL", 0), INTRO_EXC_NAME_HAL);
    assert_int_equal(HashWide(WIN, INTRO_NAME_KERNEL_MODULE, "halacpi.dll", 0), INTRO_EXC_NAME_HAL);
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "\\SystemRoot\\system32\\hal.dll", 0), INTRO_EXC_NAME_HAL);
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "[hal]", 0), INTRO_EXC_NAME_HAL);
    /* hal.dll is special only for kernel modules, and only on Windows. */
    assert_int_equal(Hash(LIX, INTRO_NAME_KERNEL_MODULE, "hal.dll", 0), IgNameHash("hal.dll", 7));
    assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE, "hal.dll", 0), IgNameHashWideAscii("hal.dll", 7));
    /* The raw hash on request (hvmi's KUM injection return driver has no mapping). */
    assert_int_equal(Hash(WIN, INTRO_NAME_KERNEL_MODULE, "hal.dll", INTRO_NAME_FLAG_NO_SPECIAL),
                     IgNameHashWideAscii("hal.dll", 7));
    assert_int_equal(
        Hash(WIN, INTRO_NAME_KERNEL_MODULE, "ntoskrnl.exe", INTRO_NAME_FLAG_KERNEL_IMAGE | INTRO_NAME_FLAG_NO_SPECIAL),
        0xE2D047AB);
    /* Linux user-mode pages: the user-mode table's values. */
    assert_int_equal(Hash(LIX, INTRO_NAME_USER_MODULE, "[vdso]", 0), 2);
    assert_int_equal(Hash(LIX, INTRO_NAME_USER_MODULE, "[vsyscall]", 0), 3);
    assert_int_equal(Hash(WIN, INTRO_NAME_USER_MODULE, "[vdso]", 0), IgNameHashWideAscii("[vdso]", 6));
}

static void TestArguments(void **State)
{
    uint32_t h = 7;
    static const uint16_t wide[] = {'a'};

    (void)State;
    assert_int_equal(IntNameHash(0, INTRO_NAME_PROCESS, "a", 1, 0, &h), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(h, 0);
    assert_int_equal(IntNameHash(WIN, 0, "a", 1, 0, &h), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntNameHash(WIN, 9, "a", 1, 0, &h), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntNameHash(LIX, INTRO_NAME_DRIVER_OBJECT, "a", 1, 0, &h), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntNameHash(WIN, INTRO_NAME_PROCESS, "a", 1, 0x80, &h), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntNameHash(WIN, INTRO_NAME_PROCESS, NULL, 1, 0, &h), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(IntNameHash(WIN, INTRO_NAME_PROCESS, "a", 1, 0, NULL), INT_STATUS_INVALID_PARAMETER_6);
    assert_int_equal(IntNameHashWide(WIN, INTRO_NAME_PROCESS, NULL, 1, 0, &h), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(IntNameHashWide(WIN, INTRO_NAME_PROCESS, wide, 1, 0, NULL), INT_STATUS_INVALID_PARAMETER_6);
    /* No name at all is the empty name: hvmi's "no name". */
    assert_int_equal(IntNameHash(WIN, INTRO_NAME_PROCESS, NULL, 0, 0, &h), INT_STATUS_SUCCESS);
    assert_int_equal(h, INTRO_EXC_NO_NAME);
    assert_int_equal(IntNameHashWide(LIX, INTRO_NAME_KERNEL_MODULE, NULL, 0, 0, &h), INT_STATUS_SUCCESS);
    assert_int_equal(h, INTRO_EXC_NO_NAME);
}

/* ---- hvmi's corpus ------------------------------------------------------------------------------------------ */

/* The values each field of each record kind has somewhere in the binary. */
#define FIELD_ORIGINATOR 0
#define FIELD_VICTIM 1
#define FIELD_PROCESS 2
#define FIELD_LIBRARY 3
#define FIELD_FUNCTION 4
#define FIELD_COUNT 5

typedef struct VALUES
{
    uint32_t Count[16][FIELD_COUNT];
    uint32_t Values[16][FIELD_COUNT][2048];
} VALUES;

typedef struct CORPUS
{
    VALUES *Values;
    json_object *Groups;
    uint32_t Checked;
} CORPUS;

static void AddValue(VALUES *V, uint8_t Type, uint32_t Field, uint32_t Value)
{
    assert_true(V->Count[Type][Field] < ARRAY_COUNT(V->Values[Type][Field]));
    V->Values[Type][Field][V->Count[Type][Field]++] = Value;
}

static bool HasValue(const VALUES *V, uint8_t Type, uint32_t Field, uint32_t Value)
{
    for (uint32_t i = 0; i < V->Count[Type][Field]; i++)
    {
        if (V->Values[Type][Field][i] == Value)
        {
            return true;
        }
    }
    return false;
}

static void ReadBinary(const char *Dir, VALUES *V)
{
    char path[1024];
    static uint8_t data[1u << 20];
    size_t size;
    FILE *f;
    IG_FILE_HEADER header;
    IG_RECORD_ITER iter;
    IG_RECORD rec;
    IG_PARSE_ERROR error;
    INTSTATUS status;

    snprintf(path, sizeof(path), "%s/exceptions.bin", Dir);
    f = fopen(path, "rb");
    assert_non_null(f);
    size = fread(data, 1, sizeof(data), f);
    fclose(f);
    assert_int_equal(IgFileOpen(data, size, &header, &iter, &error), INT_STATUS_SUCCESS);
    while ((status = IgFileNextRecord(&iter, &rec, &error)) == INT_STATUS_SUCCESS)
    {
        if (IgRecordHasExceptionHead(rec.Type))
        {
            AddValue(V, rec.Type, FIELD_ORIGINATOR, rec.u.Exception.Originator);
            AddValue(V, rec.Type, FIELD_VICTIM, rec.u.Exception.Victim);
            AddValue(V, rec.Type, FIELD_PROCESS, rec.u.Exception.Process);
        }
        else if (rec.Type == IgRecExportSig)
        {
            IG_READER entries = rec.u.Export.Entries;

            AddValue(V, rec.Type, FIELD_LIBRARY, rec.u.Export.Library);
            for (uint32_t i = 0; i < rec.u.Export.Count; i++)
            {
                (void)IgReadU16(&entries);
                (void)IgReadSkip(&entries, 2);
                AddValue(V, rec.Type, FIELD_FUNCTION, IgReadU32(&entries));
            }
        }
    }
    assert_int_equal(status, INT_STATUS_NO_MORE_ENTRIES);
}

static bool HasWord(const char *Flags, const char *Word)
{
    size_t n = strlen(Word);

    for (const char *p = Flags; p && (p = strstr(p, Word)) != NULL; p += n)
    {
        if ((p == Flags || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
        {
            return true;
        }
    }
    return false;
}

static bool IsOneOf(const char *Text, const char *const *List)
{
    for (; Text && *List; List++)
    {
        if (strcmp(Text, *List) == 0)
        {
            return true;
        }
    }
    return false;
}

/* Checks one JSON name (a group expands to its members) hashed by the runtime rule Kind. */
static void CheckName(CORPUS *C, const char *Name, uint32_t Kind, uint8_t Type, uint32_t Field)
{
    static const char *const exceptionOnly[] = {"*", "-", "[own]", NULL};
    json_object *members;
    uint32_t hash;

    if (!Name || IsOneOf(Name, exceptionOnly))
    {
        return; /* values of the exceptions file, not names a guest object has */
    }
    if (json_object_object_get_ex(C->Groups, Name, &members))
    {
        for (size_t i = 0; i < json_object_array_length(members); i++)
        {
            CheckName(C, json_object_get_string(json_object_array_get_idx(members, i)), Kind, Type, Field);
        }
        return;
    }
    assert_int_equal(IntNameHash(INTRO_EXC_OS_WINDOWS, Kind, Name, strlen(Name), 0, &hash), INT_STATUS_SUCCESS);
    if (!HasValue(C->Values, Type, Field, hash))
    {
        fail_msg("%s (record type %u, field %u): runtime hash 0x%08X is in no record", Name, Type, Field, hash);
    }
    C->Checked++;
}

static const char *Get(json_object *Obj, const char *Key)
{
    json_object *v;

    return json_object_object_get_ex(Obj, Key, &v) ? json_object_get_string(v) : NULL;
}

static void CheckException(CORPUS *C, const char *FileType, json_object *E)
{
    /* §4.4: the objects whose names are process names, per record kind. */
    static const char *const umProcess[] = {"process",
                                            "thread-context",
                                            "peb32",
                                            "peb64",
                                            "apc-thread",
                                            "process-creation",
                                            "process-creation-dpi",
                                            "instrumentation-callback",
                                            NULL};
    static const char *const apcProcess[] = {"process",      "thread-context",           "peb32", "peb64", "apc-thread",
                                             "double-agent", "instrumentation-callback", NULL};
    static const char *const kmProcessVictim[] = {"token-privs", "security-descriptor", "acl-edit", NULL};
    static const char *const kmDriverObject[] = {"drvobj", "fastio", NULL};
    const char *object = Get(E, "object_type");
    const char *flags = Get(E, "flags") ? Get(E, "flags") : "";
    const char *orig = Get(E, "originator");
    const char *victim = Get(E, "victim");
    const char *process = Get(E, "process");

    assert_false(HasWord(flags, "linux")); /* the corpus is Windows-only; Linux rules are tested above */
    if (strcmp(FileType, "kernel") == 0)
    {
        CheckName(C, orig, INTRO_NAME_KERNEL_MODULE, IgRecKernel, FIELD_ORIGINATOR);
        CheckName(C, victim,
                  IsOneOf(object, kmProcessVictim)          ? INTRO_NAME_PROCESS
                  : strcmp(object, "sud-modification") == 0 ? INTRO_NAME_EXACT
                  : IsOneOf(object, kmDriverObject)         ? INTRO_NAME_DRIVER_OBJECT
                                                            : INTRO_NAME_KERNEL_MODULE,
                  IgRecKernel, FIELD_VICTIM);
    }
    else if (strcmp(FileType, "kernel-user") == 0)
    {
        CheckName(C, orig, HasWord(flags, "user") ? INTRO_NAME_PROCESS : INTRO_NAME_KERNEL_MODULE, IgRecKernelUser,
                  FIELD_ORIGINATOR);
        CheckName(C, victim, INTRO_NAME_USER_MODULE, IgRecKernelUser, FIELD_VICTIM);
        CheckName(C, process, INTRO_NAME_PROCESS, IgRecKernelUser, FIELD_PROCESS);
    }
    else
    {
        bool apc = strcmp(FileType, "user-apc") == 0;
        uint8_t type = apc ? IgRecUserApc : IgRecUser;
        bool processObject = IsOneOf(object, apc ? apcProcess : umProcess);
        bool victimProcess = processObject || strcmp(object, "double-agent") == 0;

        assert_true(apc || strcmp(FileType, "user") == 0);
        CheckName(C, orig,
                  processObject && !HasWord(flags, "module-load") ? INTRO_NAME_PROCESS : INTRO_NAME_USER_MODULE, type,
                  FIELD_ORIGINATOR);
        CheckName(C, victim, victimProcess ? INTRO_NAME_PROCESS : INTRO_NAME_USER_MODULE, type, FIELD_VICTIM);
        CheckName(C, process, INTRO_NAME_PROCESS, type, FIELD_PROCESS);
    }
}

static void CheckSignature(CORPUS *C, json_object *S)
{
    json_object *hashes;
    const char *type = Get(S, "sig_type");

    if (!type || strcmp(type, "export") != 0)
    {
        return;
    }
    /* The export library is compared with the module's name hash; functions with exact names. */
    CheckName(C, Get(S, "library"), INTRO_NAME_USER_MODULE, IgRecExportSig, FIELD_LIBRARY);
    if (json_object_object_get_ex(S, "hashes", &hashes))
    {
        for (size_t i = 0; i < json_object_array_length(hashes); i++)
        {
            CheckName(C, Get(json_object_array_get_idx(hashes, i), "name"), INTRO_NAME_EXACT, IgRecExportSig,
                      FIELD_FUNCTION);
        }
    }
}

static void TestCorpusNames(void **State)
{
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");
    char path[1024];
    char line[512];
    json_object *config;
    CORPUS c = {0};
    FILE *order;

    (void)State;
    if (!dir || !*dir)
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS is not set: the corpus names are not checked\n");
        skip();
    }
    c.Values = calloc(1, sizeof(*c.Values));
    assert_non_null(c.Values);
    ReadBinary(dir, c.Values);
    snprintf(path, sizeof(path), "%s/config.json", dir);
    config = json_object_from_file(path);
    assert_non_null(config);
    assert_true(json_object_object_get_ex(config, "Groups", &c.Groups));

    snprintf(path, sizeof(path), "%s/order.txt", dir);
    order = fopen(path, "r");
    assert_non_null(order);
    while (fgets(line, sizeof(line), order))
    {
        json_object *doc, *list;
        const char *type;

        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
        {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, line);
        doc = json_object_from_file(path);
        assert_non_null(doc);
        type = Get(doc, "Type");
        if (json_object_object_get_ex(doc, "Exceptions", &list))
        {
            for (size_t i = 0; i < json_object_array_length(list); i++)
            {
                CheckException(&c, type, json_object_array_get_idx(list, i));
            }
        }
        if (json_object_object_get_ex(doc, "Signatures", &list))
        {
            for (size_t i = 0; i < json_object_array_length(list); i++)
            {
                CheckSignature(&c, json_object_array_get_idx(list, i));
            }
        }
        json_object_put(doc);
    }
    fclose(order);
    print_message("  %u names of hvmi's JSON files hash to values of exceptions.bin\n", c.Checked);
    assert_true(c.Checked > 100);
    json_object_put(config);
    free(c.Values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestSpecExamples), cmocka_unit_test(TestRuntimeRules), cmocka_unit_test(TestSpecialNames),
        cmocka_unit_test(TestArguments),    cmocka_unit_test(TestCorpusNames),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
