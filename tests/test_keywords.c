/*
 * Keyword tables (the library's, intro_excfile.h) against spec/exceptions-binary-format.md §3.0 and, when
 * INTROGUARD_HVMI_CORPUS is set, against hvmi's config.json in that directory.
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

#include "introguard/intro_excfile.h"
#include "suggest.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct EXPECT_KW
{
    const char *Name;
    uint32_t Value;
} EXPECT_KW;

/* The rows of spec §3.0, transcribed from the spec (not from the library's tables). */
static const EXPECT_KW kSpecKernelObjects[] = {
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

static const EXPECT_KW kSpecUserObjects[] = {
    {"none", 0},           {"any", 1},
    {"process", 2},        {"module", 3},
    {"module imports", 4}, {"nx_zone", 5},
    {"module exports", 6}, {"thread-context", 7},
    {"peb32", 8},          {"peb64", 9},
    {"apc-thread", 10},    {"process-creation", 11},
    {"double-agent", 12},  {"process-creation-dpi", 13},
    {"sud-exec", 14},      {"instrumentation-callback", 15},
};

static const EXPECT_KW kSpecKernelUserObjects[] = {
    {"none", 0}, {"any", 1}, {"module", 2}, {"module imports", 3}, {"module exports", 4},
};

static const EXPECT_KW kSpecCommonFlags[] = {
    {"feedback", 0x1}, {"32", 0x2},          {"64", 0x4},           {"init", 0x8},        {"return", 0x10},
    {"linux", 0x80},   {"read", 0x10000000}, {"write", 0x20000000}, {"exec", 0x40000000}, {"ignore", 0x80000000},
};

static const EXPECT_KW kSpecKernelFlags[] = {
    {"non-driver", 0x100}, {"return-drv", 0x200}, {"smap", 0x400}, {"smep", 0x800}, {"integrity", 0x1000},
};

static const EXPECT_KW kSpecUserFlags[] = {
    {"system-process", 0x100}, {"child", 0x200},     {"one-time", 0x800},     {"like-apphelp", 0x1000},
    {"debug", 0x2000},         {"reserved", 0x2000}, {"module-load", 0x4000},
};

static const EXPECT_KW kSpecKernelUserFlags[] = {
    {"user", 0x8000},
    {"kernel", 0x10000},
};

static const EXPECT_KW kSpecSignatureFlags[] = {
    {"32", 0x1}, {"64", 0x2}, {"medium", 0x4}, {"linux", 0x80}, {"cli", 0x10000},
};

static const EXPECT_KW kSpecKernelSpecial[] = {
    {"*", 0}, {"[own]", 1}, {"[kernel]", 2}, {"[hal]", 3}, {"-", 4},
};

static const EXPECT_KW kSpecUserSpecial[] = {
    {"*", 0}, {"[own]", 1}, {"[vdso]", 2}, {"[vsyscall]", 3}, {"-", 4},
};

static const EXPECT_KW kSpecSignatureSpecial[] = {
    {"*", 0},
    {"-", 4},
};

static const EXPECT_KW kSpecDpi[] = {
    {"debug", 0x1},        {"pivoted-stack", 0x2}, {"stolen-token", 0x4},         {"heap-spray", 0x8},
    {"token-privs", 0x10}, {"thread-start", 0x20}, {"security-descriptor", 0x40}, {"acl-edit", 0x80},
};

typedef struct EXPECT_SIG
{
    const char *Name;
    uint32_t Code;
    uint8_t Record;
} EXPECT_SIG;

static const EXPECT_SIG kSpecSigTypes[] = {
    {"codeblocks", 600, 3}, {"export", 100, 4},     {"value", 200, 5},         {"value-code", 500, 8},
    {"idt", 300, 10},       {"version-os", 50, 11}, {"version-intro", 51, 12}, {"process-creation", 70, 13},
};

static void CheckTable(const INTRO_EXCFILE_KEYWORD_TABLE *Table, const EXPECT_KW *Expect, size_t Count)
{
    assert_non_null(Table);
    assert_int_equal(Table->Count, Count);
    for (size_t i = 0; i < Count; i++)
    {
        uint32_t value = 0xDEADBEEF;
        const char *name;

        assert_true(IntExcFileKeywordFind(Table, Expect[i].Name, strlen(Expect[i].Name), &value));
        assert_int_equal(value, Expect[i].Value);
        /* value -> name gives the first spelling with that value */
        name = IntExcFileKeywordName(Table, Expect[i].Value);
        assert_non_null(name);
        for (size_t j = 0; j < Count; j++)
        {
            if (Expect[j].Value == Expect[i].Value)
            {
                assert_string_equal(name, Expect[j].Name);
                break;
            }
        }
    }
}

static void test_object_types(void **state)
{
    (void)state;
    CheckTable(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), kSpecKernelObjects, COUNT_OF(kSpecKernelObjects));
    CheckTable(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER), kSpecUserObjects, COUNT_OF(kSpecUserObjects));
    CheckTable(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL_USER), kSpecKernelUserObjects,
               COUNT_OF(kSpecKernelUserObjects));
    assert_null(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECT_TABLE_COUNT));
    /* The same word means different numbers in different tables. */
    assert_string_equal(IntExcFileKeywordName(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), 3),
                        "driver imports");
    assert_string_equal(IntExcFileKeywordName(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER), 3), "module");
    assert_string_equal(IntExcFileKeywordName(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL_USER), 3),
                        "module imports");
    assert_null(IntExcFileKeywordName(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), 26));
    assert_null(IntExcFileKeywordName(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER), 16));
    assert_null(IntExcFileKeywordName(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL_USER), 5));
    /* Lookups are exact: case and length matter. */
    assert_false(IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), "Driver", 6, NULL));
    assert_false(IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), "driverx", 7, NULL));
    assert_true(IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), "driverx", 6, NULL));
}

static void test_flags(void **state)
{
    (void)state;
    CheckTable(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_COMMON), kSpecCommonFlags, COUNT_OF(kSpecCommonFlags));
    CheckTable(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_KERNEL), kSpecKernelFlags, COUNT_OF(kSpecKernelFlags));
    CheckTable(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_USER), kSpecUserFlags, COUNT_OF(kSpecUserFlags));
    CheckTable(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_KERNEL_USER), kSpecKernelUserFlags,
               COUNT_OF(kSpecKernelUserFlags));
    CheckTable(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_SIGNATURE), kSpecSignatureFlags, COUNT_OF(kSpecSignatureFlags));
    assert_null(IntExcFileFlagTable(0));
    assert_null(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL));

    /* Overlapping namespaces: the bit's name depends on the namespace asked. */
    assert_string_equal(IntExcFileFlagName(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL, 0x200),
                        "return-drv");
    assert_string_equal(IntExcFileFlagName(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER, 0x200), "child");
    assert_string_equal(IntExcFileFlagName(INTRO_EXCFILE_FLAGS_SIGNATURE, 0x2), "64");
    assert_string_equal(IntExcFileFlagName(INTRO_EXCFILE_FLAGS_COMMON, 0x2), "32");
    assert_string_equal(IntExcFileFlagName(INTRO_EXCFILE_FLAGS_USER, 0x2000), "debug");
    assert_null(IntExcFileFlagName(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL, 0x2000));

    uint32_t v = 0;
    assert_true(IntExcFileFlagFind(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER, "reserved", 8, &v));
    assert_int_equal(v, 0x2000);
    assert_false(IntExcFileFlagFind(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL, "child", 5, &v));
    assert_true(IntExcFileFlagFind(INTRO_EXCFILE_FLAGS_SIGNATURE, "cli", 3, &v));
    assert_int_equal(v, 0x10000);
    assert_false(IntExcFileFlagFind(INTRO_EXCFILE_FLAGS_SIGNATURE, "write", 5, &v));
}

static void test_format_flags(void **state)
{
    char buf[128];
    const unsigned km = INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL;

    (void)state;
    /* spec §8.2: 0x2000100E = write | integrity | init | 64 | 32 */
    assert_int_equal(IntExcFileFormatFlags(km, 0x2000100E, buf, sizeof(buf)), strlen("32 64 init integrity write"));
    assert_string_equal(buf, "32 64 init integrity write");
    /* Unnamed bits as one hex token each. */
    IntExcFileFormatFlags(km, 0x00102006, buf, sizeof(buf));
    assert_string_equal(buf, "32 64 0x00002000 0x00100000");
    IntExcFileFormatFlags(INTRO_EXCFILE_FLAGS_SIGNATURE, 0x7, buf, sizeof(buf));
    assert_string_equal(buf, "32 64 medium");
    IntExcFileFormatFlags(km, 0, buf, sizeof(buf));
    assert_string_equal(buf, "");
    /* Truncation keeps a terminated prefix and still reports the full length. */
    assert_int_equal(IntExcFileFormatFlags(km, 0x20000006, buf, 5), strlen("32 64 write"));
    assert_string_equal(buf, "32 6");
    assert_int_equal(IntExcFileFormatFlags(km, 0x20000006, NULL, 0), strlen("32 64 write"));
}

static void test_special_names(void **state)
{
    (void)state;
    CheckTable(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_KERNEL), kSpecKernelSpecial, COUNT_OF(kSpecKernelSpecial));
    CheckTable(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_USER), kSpecUserSpecial, COUNT_OF(kSpecUserSpecial));
    CheckTable(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_SIGNATURE), kSpecSignatureSpecial,
               COUNT_OF(kSpecSignatureSpecial));
    /* [vdso] is not a kernel-mode special name (spec §3.5), 2 is not a signature special value. */
    assert_false(IntExcFileKeywordFind(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_KERNEL), "[vdso]", 6, NULL));
    assert_null(IntExcFileKeywordName(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_SIGNATURE), 2));
}

static void test_dpi_mask(void **state)
{
    (void)state;
    CheckTable(IntExcFileCreateMaskNames(), kSpecDpi, COUNT_OF(kSpecDpi));
}

static void test_signature_kinds(void **state)
{
    size_t count = 0;
    const INTRO_EXCFILE_SIGNATURE_KIND *all = IntExcFileSignatureKinds(&count);

    (void)state;
    assert_int_equal(count, COUNT_OF(kSpecSigTypes));
    for (size_t i = 0; i < COUNT_OF(kSpecSigTypes); i++)
    {
        const INTRO_EXCFILE_SIGNATURE_KIND *k =
            IntExcFileSignatureKindByName(kSpecSigTypes[i].Name, strlen(kSpecSigTypes[i].Name));
        assert_non_null(k);
        assert_int_equal(k->TypeCode, kSpecSigTypes[i].Code);
        assert_int_equal(k->RecordType, kSpecSigTypes[i].Record);
        assert_ptr_equal(IntExcFileSignatureKindByCode(kSpecSigTypes[i].Code), k);
        assert_ptr_equal(IntExcFileSignatureKindByRecord(kSpecSigTypes[i].Record), k);
    }
    /* config.json order is ascending type code */
    for (size_t i = 1; i < count; i++)
    {
        assert_true(all[i - 1].TypeCode < all[i].TypeCode);
    }
    assert_null(IntExcFileSignatureKindByCode(0));
    assert_null(IntExcFileSignatureKindByRecord(INTRO_EXCFILE_REC_KERNEL));
    assert_null(IntExcFileSignatureKindByName("process-creations", 17)); /* the docs' wrong spelling (C15) */
    /* spec §2.6.1 worked examples */
    assert_int_equal(INTRO_EXCFILE_SIG_ID(IntExcFileSignatureKindByName("codeblocks", 10)->TypeCode, 24), 0x96000018);
    assert_int_equal(INTRO_EXCFILE_SIG_ID(IntExcFileSignatureKindByName("export", 6)->TypeCode, 1), 0x19000001);
    assert_int_equal(INTRO_EXCFILE_SIG_ID(IntExcFileSignatureKindByName("version-os", 10)->TypeCode, 1), 0x0C800001);
}

static void test_exception_kinds(void **state)
{
    static const struct
    {
        const char *Name;
        uint8_t Record;
        INTRO_EXCFILE_OBJECT_TABLE Object;
        unsigned Accepted;
    } expect[] = {
        {"kernel", 1, INTRO_EXCFILE_OBJECTS_KERNEL, INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL},
        {"user", 2, INTRO_EXCFILE_OBJECTS_USER, INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER},
        {"user-apc", 9, INTRO_EXCFILE_OBJECTS_USER, INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER},
        {"user-glob-match", 6, INTRO_EXCFILE_OBJECTS_USER, INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER},
        {"kernel-user", 14, INTRO_EXCFILE_OBJECTS_KERNEL_USER,
         INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER | INTRO_EXCFILE_FLAGS_KERNEL |
             INTRO_EXCFILE_FLAGS_KERNEL_USER},
    };
    size_t count = 0;

    (void)state;
    IntExcFileExceptionKinds(&count);
    assert_int_equal(count, COUNT_OF(expect));
    for (size_t i = 0; i < COUNT_OF(expect); i++)
    {
        const INTRO_EXCFILE_EXCEPTION_KIND *k = IntExcFileExceptionKindByName(expect[i].Name, strlen(expect[i].Name));
        assert_non_null(k);
        assert_int_equal(k->RecordType, expect[i].Record);
        assert_int_equal(k->ObjectTable, expect[i].Object);
        assert_int_equal(k->AcceptedFlags, expect[i].Accepted);
        assert_ptr_equal(IntExcFileExceptionKindByRecord(expect[i].Record), k);
    }
    /* KUM bits are displayed as the KUM matcher reads them: 0x100 is non-driver. */
    assert_string_equal(IntExcFileFlagName(IntExcFileExceptionKindByRecord(14)->DisplayFlags, 0x100), "non-driver");
    assert_null(IntExcFileExceptionKindByRecord(3));
    assert_null(IntExcFileExceptionKindByName("user-glob", 9));
}

static void test_groups(void **state)
{
    size_t count = 0;
    const INTRO_EXCFILE_GROUP *g;

    (void)state;
    IntExcFileGroups(&count);
    assert_int_equal(count, 10);
    g = IntExcFileGroupFind("[wow64-dlls]", 12);
    assert_non_null(g);
    assert_int_equal(g->Count, 3);
    assert_string_equal(g->Members[0], "wow64.dll");
    assert_string_equal(g->Members[1], "wow64win.dll");
    assert_string_equal(g->Members[2], "wow64cpu.dll");
    g = IntExcFileGroupFind("[sptd-drvobjs]", 14);
    assert_non_null(g);
    assert_int_equal(g->Count, 5);
    assert_string_equal(g->Members[4], "\\driver\\ntfs");
    assert_null(IntExcFileGroupFind("[office]", 8));
    assert_int_equal(INTRO_EXCFILE_VERSION_MAJOR, 2);
    assert_int_equal(INTRO_EXCFILE_VERSION_MINOR, 2);
}

static void test_edit_distance(void **state)
{
    static const struct
    {
        const char *A;
        const char *B;
        unsigned Distance;
    } cases[] = {
        {"", "", 0},
        {"abc", "", 3},
        {"", "abc", 3},
        {"driver", "driver", 0},
        {"driver", "Driver", 0},
        {"drvier", "driver", 1},
        {"drive", "driver", 1},
        {"driverr", "driver", 1},
        {"kitten", "sitting", 3},
        {"ca", "abc", 3}, /* OSA: no edit after a swap */
    };

    (void)state;
    for (size_t i = 0; i < COUNT_OF(cases); i++)
    {
        assert_int_equal(IgSuggestDistance(cases[i].A, strlen(cases[i].A), cases[i].B, strlen(cases[i].B)),
                         cases[i].Distance);
    }
    char longer[IG_SUGGEST_MAX_COMPARE + 2];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    assert_int_equal(IgSuggestDistance(longer, strlen(longer), "a", 1), IG_SUGGEST_FAR);
    assert_int_equal(IgSuggestDistance(longer, IG_SUGGEST_MAX_COMPARE, longer, IG_SUGGEST_MAX_COMPARE), 0);
}

static void test_nearest(void **state)
{
    const INTRO_EXCFILE_KEYWORD_TABLE *km = IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL);
    static const char *const sigs[] = {"hal-idt", "init-x86-idt", "x86-idt-null"};

    (void)state;
    assert_string_equal(IgSuggestKeyword(km, "drvier", 6, 0), "driver");
    assert_string_equal(IgSuggestKeyword(km, "driver import", 13, 0), "driver imports");
    assert_string_equal(IgSuggestKeyword(km, "Driver", 6, 0), "driver");
    assert_null(IgSuggestKeyword(km, "driver", 6, 0)); /* exact: nothing to suggest */
    assert_null(IgSuggestKeyword(km, "banana", 6, 0));
    assert_string_equal(IgSuggestKeyword(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER), "nx-zone", 7, 0),
                        "nx_zone");
    /* ties go to the first entry: "idtt" is 1 from "idt" (14) and 2 from others */
    assert_string_equal(IgSuggestKeyword(km, "idtt", 4, 0), "idt");
    /* the limit: 1 for up to 3 characters */
    assert_null(IgSuggestKeyword(km, "mxx", 3, 0));
    assert_string_equal(IgSuggestKeyword(km, "mxx", 3, 2), "msr");
    assert_string_equal(IgSuggestFlag(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL, "integrty", 8, 0),
                        "integrity");
    assert_string_equal(IgSuggestFlag(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_USER, "chld", 4, 0), "child");
    assert_null(IgSuggestFlag(INTRO_EXCFILE_FLAGS_COMMON | INTRO_EXCFILE_FLAGS_KERNEL, "chld", 4, 0));
    assert_string_equal(IgSuggestOf(sigs, COUNT_OF(sigs), "hal-ids", 7, 0), "hal-idt");
    assert_null(IgSuggestOf(sigs, COUNT_OF(sigs), "nothing-like-it", 15, 0));
}

/* ---- config.json cross-check ---------------------------------------------------------------- */

static json_object *ConfigLoad(void)
{
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");
    char path[4096];
    json_object *root;

    if (!dir || !*dir)
    {
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/config.json", dir);
    root = json_object_from_file(path);
    if (!root)
    {
        fail_msg("cannot parse %s: %s", path, json_util_get_last_err());
    }
    return root;
}

static json_object *Member(json_object *Obj, const char *Key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(Obj, Key, &v))
    {
        fail_msg("config.json: missing \"%s\"", Key);
    }
    return v;
}

static uint32_t ConfigNumber(json_object *v)
{
    if (json_object_is_type(v, json_type_string))
    {
        return (uint32_t)strtoul(json_object_get_string(v), NULL, 0); /* hvmi: int(x, 0) */
    }
    return (uint32_t)json_object_get_int64(v);
}

/* Every entry of the config section must be in Table with the same value, and nothing more. */
static void CompareSection(json_object *Section, const INTRO_EXCFILE_KEYWORD_TABLE *Table)
{
    size_t n = 0;

    assert_non_null(Table);
    json_object_object_foreach(Section, key, val)
    {
        uint32_t value = 0;
        if (!IntExcFileKeywordFind(Table, key, strlen(key), &value))
        {
            fail_msg("config.json %s: \"%s\" missing from introguard's table", Table->Name, key);
        }
        assert_int_equal(value, ConfigNumber(val));
        n++;
    }
    assert_int_equal(n, Table->Count);
}

static void test_config_json(void **state)
{
    json_object *root;
    json_object *section;
    size_t n;

    (void)state;
    root = ConfigLoad();
    if (!root)
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS not set\n");
        skip();
    }

    section = Member(root, "Types");
    CompareSection(Member(section, "kernel-mode"), IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL));
    CompareSection(Member(section, "user-mode"), IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER));
    CompareSection(Member(section, "kernel-user-mode"), IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL_USER));

    section = Member(root, "Flags");
    CompareSection(Member(section, "common"), IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_COMMON));
    CompareSection(Member(section, "kernel-mode"), IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_KERNEL));
    CompareSection(Member(section, "user-mode"), IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_USER));
    CompareSection(Member(section, "kernel-user-mode"), IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_KERNEL_USER));
    CompareSection(Member(section, "signatures"), IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_SIGNATURE));

    section = Member(root, "Predefined");
    CompareSection(Member(section, "kernel-mode"), IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_KERNEL));
    CompareSection(Member(section, "user-mode"), IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_USER));
    CompareSection(Member(section, "signature"), IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_SIGNATURE));

    CompareSection(Member(root, "ProcessCreationFlags"), IntExcFileCreateMaskNames());

    n = 0;
    json_object_object_foreach(Member(root, "SignatureType"), sigName, sigCode)
    {
        const INTRO_EXCFILE_SIGNATURE_KIND *k = IntExcFileSignatureKindByName(sigName, strlen(sigName));
        if (!k)
        {
            fail_msg("config.json SignatureType: \"%s\" missing", sigName);
        }
        assert_int_equal(k->TypeCode, ConfigNumber(sigCode));
        n++;
    }
    {
        size_t count = 0;
        IntExcFileSignatureKinds(&count);
        assert_int_equal(n, count);
    }

    n = 0;
    json_object_object_foreach(Member(root, "Groups"), groupName, members)
    {
        const INTRO_EXCFILE_GROUP *g = IntExcFileGroupFind(groupName, strlen(groupName));
        if (!g)
        {
            fail_msg("config.json Groups: \"%s\" missing", groupName);
        }
        assert_int_equal(json_object_array_length(members), g->Count);
        for (size_t i = 0; i < g->Count; i++)
        {
            assert_string_equal(json_object_get_string(json_object_array_get_idx(members, i)), g->Members[i]);
        }
        n++;
    }
    {
        size_t count = 0;
        IntExcFileGroups(&count);
        assert_int_equal(n, count);
    }

    section = Member(root, "Version");
    assert_int_equal(ConfigNumber(Member(section, "Major")), INTRO_EXCFILE_VERSION_MAJOR);
    assert_int_equal(ConfigNumber(Member(section, "Minor")), INTRO_EXCFILE_VERSION_MINOR);

    json_object_put(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_types),    cmocka_unit_test(test_flags),
        cmocka_unit_test(test_format_flags),    cmocka_unit_test(test_special_names),
        cmocka_unit_test(test_dpi_mask),        cmocka_unit_test(test_signature_kinds),
        cmocka_unit_test(test_exception_kinds), cmocka_unit_test(test_groups),
        cmocka_unit_test(test_edit_distance),   cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_config_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
