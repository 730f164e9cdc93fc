/*
 * The public exceptions-file API (include/introguard/intro_excfile.h, intro_exc_keywords.h):
 *
 *  - the vocabulary: every table consistent value <-> name, the macros the engine uses equal to the
 *    table values, the record and signature kinds covering exactly the known record types;
 *  - the decoder: typed views of every record kind, and its errors (status, detail, offset, record
 *    index and type, message) equal to the engine loader's for the same bytes, including every file
 *    of the loader's seed corpus (fuzz/seeds/loader/);
 *  - the writer: every record kind written, decoded and written again byte for byte; records equal
 *    to hvmi's compiler output quoted in spec/exceptions-binary-format.md §8 (the same bytes
 *    test_cli_dump.c quotes); everything `introguard compile` writes for a source with every kind
 *    re-created by writing its decoded records; and the writer's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "compile.h"
#include "excfile.h"
#include "exceptions/exceptions_int.h"
#include "exceptions/ruleset.h"
#include "introguard/intro_excfile.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static void *TestRealloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

/* ---- Vocabulary ---------------------------------------------------------------------------------------- */

/* Every name finds its value and every value its first name; names are unique. */
static void CheckTable(const INTRO_EXCFILE_KEYWORD_TABLE *Table)
{
    assert_non_null(Table);
    assert_true(Table->Count > 0);
    for (size_t i = 0; i < Table->Count; i++)
    {
        const INTRO_EXCFILE_KEYWORD *k = &Table->Entries[i];
        uint32_t value = 0xDEADBEEF;
        size_t first = 0;

        assert_true(IntExcFileKeywordFind(Table, k->Name, strlen(k->Name), &value));
        assert_int_equal(value, k->Value);
        while (Table->Entries[first].Value != k->Value)
        {
            first++;
        }
        assert_string_equal(IntExcFileKeywordName(Table, k->Value), Table->Entries[first].Name);
        for (size_t j = 0; j < i; j++)
        {
            assert_string_not_equal(Table->Entries[j].Name, k->Name);
        }
    }
}

static void test_object_tables(void **state)
{
    static const uint32_t counts[] = {INTRO_EXCFILE_KM_OBJ_COUNT, INTRO_EXCFILE_UM_OBJ_COUNT,
                                      INTRO_EXCFILE_KUM_OBJ_COUNT};
    uint32_t v;

    (void)state;
    for (unsigned t = 0; t < INTRO_EXCFILE_OBJECT_TABLE_COUNT; t++)
    {
        const INTRO_EXCFILE_KEYWORD_TABLE *table = IntExcFileObjectTypes((INTRO_EXCFILE_OBJECT_TABLE)t);

        CheckTable(table);
        /* Object types are numbered 0..COUNT-1 in table order, one name each. */
        assert_int_equal(table->Count, counts[t]);
        for (uint32_t i = 0; i < table->Count; i++)
        {
            assert_int_equal(table->Entries[i].Value, i);
        }
        assert_null(IntExcFileKeywordName(table, counts[t]));
    }
    /* The macros the matchers use name the same numbers as the keywords. */
    assert_true(IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), "cr4", 3, &v));
    assert_int_equal(v, INTRO_EXCFILE_KM_OBJ_CR4);
    assert_int_equal(IgKmObjCr4, INTRO_EXCFILE_KM_OBJ_CR4);
    assert_true(IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL), "interrupt-obj", 13, &v));
    assert_int_equal(v, IgKmObjInterruptObj);
    assert_true(IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER), "nx_zone", 7, &v));
    assert_int_equal(v, IG_UM_OBJ_NX_ZONE);
    assert_int_equal(v, IgUmObjNxZone);
    assert_true(
        IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_USER), "instrumentation-callback", 24, &v));
    assert_int_equal(v, IgUmObjInstrumentation);
    assert_true(
        IntExcFileKeywordFind(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECTS_KERNEL_USER), "module exports", 14, &v));
    assert_int_equal(v, IgKumObjModuleExports);
    assert_null(IntExcFileObjectTypes(INTRO_EXCFILE_OBJECT_TABLE_COUNT));
}

static void test_flag_tables(void **state)
{
    static const struct
    {
        unsigned Namespace;
        const char *Name;
        uint32_t Macro;
    } macros[] = {
        {INTRO_EXCFILE_FLAGS_COMMON, "feedback", INTRO_EXCFILE_FLG_FEEDBACK},
        {INTRO_EXCFILE_FLAGS_COMMON, "32", IG_FLG_32},
        {INTRO_EXCFILE_FLAGS_COMMON, "64", IG_FLG_64},
        {INTRO_EXCFILE_FLAGS_COMMON, "init", IG_FLG_INIT},
        {INTRO_EXCFILE_FLAGS_COMMON, "return", IG_FLG_RETURN},
        {INTRO_EXCFILE_FLAGS_COMMON, "linux", IG_EXC_FLG_LINUX},
        {INTRO_EXCFILE_FLAGS_COMMON, "read", IG_FLG_READ},
        {INTRO_EXCFILE_FLAGS_COMMON, "write", IG_FLG_WRITE},
        {INTRO_EXCFILE_FLAGS_COMMON, "exec", IG_FLG_EXECUTE},
        {INTRO_EXCFILE_FLAGS_COMMON, "ignore", IG_EXC_FLG_IGNORE},
        {INTRO_EXCFILE_FLAGS_KERNEL, "non-driver", IG_FLG_KM_NON_DRIVER},
        {INTRO_EXCFILE_FLAGS_KERNEL, "return-drv", IG_FLG_KM_RETURN_DRV},
        {INTRO_EXCFILE_FLAGS_KERNEL, "smap", IG_FLG_KM_SMAP},
        {INTRO_EXCFILE_FLAGS_KERNEL, "smep", IG_FLG_KM_SMEP},
        {INTRO_EXCFILE_FLAGS_KERNEL, "integrity", IG_FLG_KM_INTEGRITY},
        {INTRO_EXCFILE_FLAGS_USER, "system-process", IG_FLG_UM_SYS_PROC},
        {INTRO_EXCFILE_FLAGS_USER, "child", IG_FLG_UM_CHILD_PROC},
        {INTRO_EXCFILE_FLAGS_USER, "one-time", IG_FLG_UM_ONETIME},
        {INTRO_EXCFILE_FLAGS_USER, "like-apphelp", IG_FLG_UM_LIKE_APPHELP},
        {INTRO_EXCFILE_FLAGS_USER, "reserved", INTRO_EXCFILE_FLG_UM_DEBUG},
        {INTRO_EXCFILE_FLAGS_USER, "module-load", INTRO_EXCFILE_FLG_UM_MODULE_LOAD},
        {INTRO_EXCFILE_FLAGS_KERNEL_USER, "user", IG_FLG_KUM_USER},
        {INTRO_EXCFILE_FLAGS_KERNEL_USER, "kernel", IG_FLG_KUM_KERNEL},
        {INTRO_EXCFILE_FLAGS_SIGNATURE, "32", INTRO_EXCFILE_SIG_FLG_32},
        {INTRO_EXCFILE_FLAGS_SIGNATURE, "64", INTRO_EXCFILE_SIG_FLG_64},
        {INTRO_EXCFILE_FLAGS_SIGNATURE, "medium", INTRO_EXCFILE_SIG_FLG_MEDIUM},
        {INTRO_EXCFILE_FLAGS_SIGNATURE, "linux", IG_SIG_FLG_LINUX},
        {INTRO_EXCFILE_FLAGS_SIGNATURE, "cli", INTRO_EXCFILE_SIG_FLG_CLI},
    };
    uint32_t common = 0, exclusive = 0;

    (void)state;
    for (unsigned ns = 1; ns <= INTRO_EXCFILE_FLAGS_SIGNATURE; ns <<= 1)
    {
        const INTRO_EXCFILE_KEYWORD_TABLE *t = IntExcFileFlagTable(ns);

        CheckTable(t);
        for (size_t i = 0; i < t->Count; i++)
        {
            uint32_t bit = t->Entries[i].Value;

            assert_true(bit != 0 && (bit & (bit - 1)) == 0); /* one bit per flag */
            if (ns == INTRO_EXCFILE_FLAGS_COMMON)
            {
                common |= bit;
            }
            else if (ns != INTRO_EXCFILE_FLAGS_SIGNATURE)
            {
                exclusive |= bit;
            }
        }
    }
    /* Common flags mean the same for every exception kind: no kind-specific flag reuses their bits. */
    assert_int_equal(common & exclusive, 0);
    assert_null(IntExcFileFlagTable(0));
    assert_null(IntExcFileFlagTable(INTRO_EXCFILE_FLAGS_ALL));
    for (size_t i = 0; i < COUNT_OF(macros); i++)
    {
        uint32_t v = 0;

        assert_true(IntExcFileFlagFind(macros[i].Namespace, macros[i].Name, strlen(macros[i].Name), &v));
        assert_int_equal(v, macros[i].Macro);
    }
    assert_int_equal(INTRO_EXCFILE_FLG_DEFAULT_ARCH, IG_FLG_32 | IG_FLG_64);
    assert_int_equal(INTRO_EXCFILE_SIG_FLG_DEFAULT_ARCH, 0x3);
}

static void test_special_names(void **state)
{
    static const struct
    {
        uint8_t Type;
        INTRO_EXCFILE_FIELD Field;
        uint32_t Flags;
        uint32_t Value;
        const char *Name;
    } cases[] = {
        {INTRO_EXCFILE_REC_KERNEL, INTRO_EXCFILE_FIELD_ORIGINATOR, 0, INTRO_EXCFILE_NAME_KERNEL, "[kernel]"},
        {INTRO_EXCFILE_REC_KERNEL, INTRO_EXCFILE_FIELD_VICTIM, 0, INTRO_EXCFILE_NAME_HAL, "[hal]"},
        {INTRO_EXCFILE_REC_KERNEL, INTRO_EXCFILE_FIELD_PROCESS, 0, INTRO_EXCFILE_NAME_ANY, NULL},
        {INTRO_EXCFILE_REC_USER, INTRO_EXCFILE_FIELD_ORIGINATOR, 0, INTRO_EXCFILE_NAME_VDSO, "[vdso]"},
        {INTRO_EXCFILE_REC_USER_APC, INTRO_EXCFILE_FIELD_PROCESS, 0, INTRO_EXCFILE_NAME_VSYSCALL, "[vsyscall]"},
        {INTRO_EXCFILE_REC_KERNEL_USER, INTRO_EXCFILE_FIELD_ORIGINATOR, 0, 2, "[kernel]"},
        {INTRO_EXCFILE_REC_KERNEL_USER, INTRO_EXCFILE_FIELD_ORIGINATOR, INTRO_EXCFILE_FLG_KUM_USER, 2, "[vdso]"},
        {INTRO_EXCFILE_REC_KERNEL_USER, INTRO_EXCFILE_FIELD_VICTIM, 0, INTRO_EXCFILE_NAME_OWN, "[own]"},
        {INTRO_EXCFILE_REC_EXPORT, INTRO_EXCFILE_FIELD_LIBRARY, 0, INTRO_EXCFILE_NAME_NONE, "-"},
        {INTRO_EXCFILE_REC_EXPORT, INTRO_EXCFILE_FIELD_EXPORT_NAME, 0, INTRO_EXCFILE_NAME_ANY, "*"},
        {INTRO_EXCFILE_REC_EXPORT, INTRO_EXCFILE_FIELD_EXPORT_NAME, 0, INTRO_EXCFILE_NAME_OWN, NULL},
        {INTRO_EXCFILE_REC_USER_GLOB, INTRO_EXCFILE_FIELD_ORIGINATOR, 0, INTRO_EXCFILE_NAME_ANY, NULL},
        {INTRO_EXCFILE_REC_USER, INTRO_EXCFILE_FIELD_VICTIM, 0, 0x12345678, NULL},
    };

    (void)state;
    for (unsigned t = 0; t < INTRO_EXCFILE_SPECIAL_TABLE_COUNT; t++)
    {
        CheckTable(IntExcFileSpecialNames((INTRO_EXCFILE_SPECIAL_TABLE)t));
    }
    assert_null(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_NONE));
    /* The file's special values are the engine's. */
    assert_int_equal(INTRO_EXCFILE_NAME_ANY, INTRO_EXC_NAME_ANY);
    assert_int_equal(INTRO_EXCFILE_NAME_NONE, INTRO_EXC_NAME_NONE_SPECIAL);
    assert_int_equal(IG_NAME_NONE, INTRO_EXCFILE_NAME_NONE);
    assert_int_equal(INTRO_EXCFILE_NO_NAME, 0xFFFFFFFFu);
    for (size_t i = 0; i < COUNT_OF(cases); i++)
    {
        const char *name = IntExcFileFieldSpecialName(cases[i].Type, cases[i].Field, cases[i].Flags, cases[i].Value);

        if (cases[i].Name)
        {
            assert_non_null(name);
            assert_string_equal(name, cases[i].Name);
        }
        else
        {
            assert_null(name);
        }
    }
}

static void test_kinds_and_sections(void **state)
{
    size_t nexc = 0, nsig = 0;
    const INTRO_EXCFILE_EXCEPTION_KIND *exc = IntExcFileExceptionKinds(&nexc);
    const INTRO_EXCFILE_SIGNATURE_KIND *sig = IntExcFileSignatureKinds(&nsig);
    uint32_t excTypes = 0, sigTypes = 0;

    (void)state;
    for (size_t i = 0; i < nexc; i++)
    {
        excTypes |= 1u << exc[i].RecordType;
        assert_string_equal(IntExcFileRecordTypeName(exc[i].RecordType), exc[i].Name);
        assert_ptr_equal(IntExcFileExceptionKindByName(exc[i].Name, strlen(exc[i].Name)), &exc[i]);
        assert_ptr_equal(IntExcFileExceptionKindByRecord(exc[i].RecordType), &exc[i]);
        assert_non_null(IntExcFileRecordObjectTypes(exc[i].RecordType));
        assert_true((exc[i].AcceptedFlags & INTRO_EXCFILE_FLAGS_COMMON) &&
                    (exc[i].DisplayFlags & exc[i].AcceptedFlags));
        assert_int_equal(IntExcFileRecordFlagNamespaces(exc[i].RecordType), exc[i].DisplayFlags);
    }
    for (size_t i = 0; i < nsig; i++)
    {
        sigTypes |= 1u << sig[i].RecordType;
        assert_string_equal(IntExcFileRecordTypeName(sig[i].RecordType), sig[i].Name);
        assert_ptr_equal(IntExcFileSignatureKindByCode(sig[i].TypeCode), &sig[i]);
        assert_ptr_equal(IntExcFileSignatureKindByRecord(sig[i].RecordType), &sig[i]);
        assert_int_equal(IntExcFileSection(sig[i].RecordType), INTRO_EXCFILE_SECTION_SIGNATURES);
        assert_int_equal(IntExcFileRecordFlagNamespaces(sig[i].RecordType), INTRO_EXCFILE_FLAGS_SIGNATURE);
    }
    assert_int_equal(excTypes, INTRO_EXCFILE_EXCEPTION_TYPES);
    assert_int_equal(sigTypes, INTRO_EXCFILE_SIGNATURE_TYPES);
    for (unsigned t = 0; t < 256; t++)
    {
        bool known = t < 16 && ((INTRO_EXCFILE_KNOWN_TYPES >> t) & 1u);

        assert_int_equal(IntExcFileRecordTypeName((uint8_t)t) != NULL, known);
        assert_int_equal(IgRecordIsException((uint8_t)t), t < 16 && ((excTypes >> t) & 1u));
        if (!known)
        {
            assert_int_equal(IntExcFileSection((uint8_t)t), INTRO_EXCFILE_SECTION_UNKNOWN);
        }
    }
    /* The compiler's section order. */
    assert_true(IntExcFileSection(INTRO_EXCFILE_REC_KERNEL) < IntExcFileSection(INTRO_EXCFILE_REC_USER));
    assert_int_equal(IntExcFileSection(INTRO_EXCFILE_REC_USER), IntExcFileSection(INTRO_EXCFILE_REC_USER_APC));
    assert_true(IntExcFileSection(INTRO_EXCFILE_REC_USER) < IntExcFileSection(INTRO_EXCFILE_REC_KERNEL_USER));
    assert_true(IntExcFileSection(INTRO_EXCFILE_REC_KERNEL_USER) < IntExcFileSection(INTRO_EXCFILE_REC_USER_GLOB));
    assert_true(IntExcFileSection(INTRO_EXCFILE_REC_USER_GLOB) < INTRO_EXCFILE_SECTION_SIGNATURES);
    assert_int_equal(INTRO_EXCFILE_SIG_ID(INTRO_EXCFILE_SIG_CODEBLOCKS, 24), 0x96000018); /* spec §2.6.1 */
    assert_int_equal(IG_SIG_ID_MAKE(IgSigTypeExport, 1), INTRO_EXCFILE_SIG_ID(INTRO_EXCFILE_SIG_EXPORT, 1));
}

static void test_sort_keys(void **state)
{
    INTRO_EXCFILE_EXCEPTION a = {.Originator = 5, .Victim = 1, .Process = 9, .ObjectType = 2, .Flags = 6};
    INTRO_EXCFILE_EXCEPTION b = a;
    INTRO_EXCFILE_GLOB g1 = {.Originator = {"ab", 2}, .Victim = {"*", 1}, .Process = {"*", 1}, .ObjectType = 3};
    INTRO_EXCFILE_GLOB g2 = g1;

    (void)state;
    assert_int_equal(IntExcFileCompareExceptions(INTRO_EXCFILE_REC_KERNEL, &a, &b), 0);
    /* Kernel-user sorts by process before the object type; user after the victim; kernel ignores it. */
    b.Process = 1;
    b.ObjectType = 3;
    assert_true(IntExcFileCompareExceptions(INTRO_EXCFILE_REC_KERNEL_USER, &a, &b) > 0);
    assert_true(IntExcFileCompareExceptions(INTRO_EXCFILE_REC_USER, &a, &b) < 0);
    assert_true(IntExcFileCompareExceptions(INTRO_EXCFILE_REC_KERNEL, &a, &b) < 0);
    b = a;
    b.Flags = 7;
    assert_true(IntExcFileCompareExceptions(INTRO_EXCFILE_REC_USER_APC, &a, &b) < 0);
    b.Originator = 4;
    assert_true(IntExcFileCompareExceptions(INTRO_EXCFILE_REC_USER_APC, &a, &b) > 0);
    /* Glob patterns compare bytewise, a prefix first, before the object type. */
    g2.Originator.Length = 1;
    g2.ObjectType = 9;
    assert_true(IntExcFileCompareGlobs(&g1, &g2) > 0);
    g2.Originator.Text = "b";
    assert_true(IntExcFileCompareGlobs(&g1, &g2) < 0);
    assert_true(IntExcFileGlobLeads("*x", 2) && IntExcFileGlobLeads("\\\\a", 3) && IntExcFileGlobLeads("]", 1));
    assert_false(IntExcFileGlobLeads("a*", 2) || IntExcFileGlobLeads("\\a", 2) || IntExcFileGlobLeads("", 0));
}

static void test_violation_names(void **state)
{
    const INTRO_EXC_KEYWORD_TABLE *objects = IntExcObjectTypeNames();
    const INTRO_EXC_KEYWORD_TABLE *tables[] = {objects, IntExcZoneNames(), IntExcZoneFlagNames(), IntExcKindNames(),
                                               IntExcOsNames()};
    uint64_t v = 0;

    (void)state;
    for (size_t t = 0; t < COUNT_OF(tables); t++)
    {
        for (size_t i = 0; i < tables[t]->Count; i++)
        {
            const INTRO_EXC_KEYWORD *k = &tables[t]->Entries[i];

            assert_true(IntExcKeywordFind(tables[t], k->Name, strlen(k->Name), &v));
            assert_true(v == k->Value);
            assert_string_equal(IntExcKeywordName(tables[t], k->Value), k->Name); /* values are unique */
        }
    }
    /* INTRO_EXC_OBJ_* 1..41, each once, in order. */
    assert_int_equal(objects->Count, INTRO_EXC_OBJ_INTERRUPT_OBJECT);
    for (size_t i = 0; i < objects->Count; i++)
    {
        assert_true(objects->Entries[i].Value == i + 1);
    }
    assert_true(IntExcKeywordFind(objects, "km-module", 9, &v) && v == INTRO_EXC_OBJ_KM_MODULE);
    assert_true(IntExcKeywordFind(IntExcZoneNames(), "ept", 3, &v) && v == INTRO_EXC_ZONE_EPT);
    assert_true(IntExcKeywordFind(IntExcZoneFlagNames(), "integrity", 9, &v) && v == INTRO_EXC_ZONE_INTEGRITY_FLAG);
    for (size_t i = 0; i < IntExcZoneFlagNames()->Count; i++)
    {
        uint64_t bit = IntExcZoneFlagNames()->Entries[i].Value;
        assert_true(bit && !(bit & (bit - 1)));
    }
    assert_true(IntExcKeywordFind(IntExcKindNames(), "kernel-user", 11, &v) && v == INTRO_EXC_KIND_KERNEL_USER);
    assert_true(IntExcKeywordFind(IntExcOsNames(), "linux", 5, &v) && v == INTRO_EXC_OS_LINUX);
    assert_false(IntExcKeywordFind(IntExcZoneNames(), "EPT", 3, &v));
    assert_null(IntExcKeywordName(objects, 0));
}

/* ---- Every record kind --------------------------------------------------------------------------------- */

static const uint32_t kIds[] = {0x4B000001, 0x96000002};
static const uint8_t kListSizes[] = {2, 0, 1};
static const uint32_t kHashes[] = {0xAAAA0001, 0xAAAA0002, 0xBBBB0001};
static const INTRO_EXCFILE_EXPORT_ENTRY kExports[] = {{0x10, {0, 0}, 0x1234}, {0x20, {0, 1}, INTRO_EXCFILE_NAME_ANY}};
static const INTRO_EXCFILE_VALUE_ENTRY kValues[] = {{4, 8, {0, 0, 0, 0}, 0xCAFE}};
static const uint16_t kPattern[] = {0x90, INTRO_EXCFILE_PATTERN_ANY, 0xC3};

/* Writes one record of every kind (with host-order arrays) after a header; returns the file. */
static INTRO_EXCFILE_WRITER WriteEveryKind(void)
{
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_EXCEPTION km = {.Originator = 2,
                                  .OriginatorPath = INTRO_EXCFILE_NO_NAME,
                                  .Victim = 0x11223344,
                                  .Flags = 0x20000006,
                                  .ObjectType = INTRO_EXCFILE_KM_OBJ_DRIVER,
                                  .SigIds = {NULL, kIds, 2}};
    INTRO_EXCFILE_EXCEPTION um = {.Originator = 7, .Victim = 8, .Process = 9, .Flags = 0x40000006, .ObjectType = 5};
    INTRO_EXCFILE_GLOB glob = {.Flags = 0x20000006,
                               .ObjectType = 2,
                               .Originator = {"svc*.exe", 8},
                               .Victim = {"a", 1},
                               .Process = {"*", 1},
                               .SigIds = {NULL, kIds, 1}};
    INTRO_EXCFILE_CODEBLOCKS cb = {
        .Id = 0x96000002, .Flags = 3, .Score = 2, .ListCount = 3, .ListSizes = kListSizes, .Hashes = kHashes};
    INTRO_EXCFILE_EXPORT ex = {.Id = 0x19000003, .Flags = 3, .Library = 0x55, .Count = 2, .Entries = kExports};
    INTRO_EXCFILE_VALUE val = {.Id = 0x32000004, .Flags = 0x10003, .Score = 1, .Count = 1, .Entries = kValues};
    INTRO_EXCFILE_VALUE_CODE vc = {.Id = 0x7D000005, .Flags = 3, .Offset = -5, .Pattern = {NULL, kPattern, 3}};
    INTRO_EXCFILE_IDT idt = {.Id = 0x4B000001, .Flags = 3, .Entry = 0x2E};
    INTRO_EXCFILE_VERSION os = {.Id = 0x0C800006, .Flags = 3, .Minimum = 9200, .Maximum = 0xFFFF};
    INTRO_EXCFILE_VERSION intro = {.Id = 0x0CC00007, .Flags = 3, .Minimum = 1, .Maximum = ~0ull};
    INTRO_EXCFILE_PROCESS_CREATION pc = {.Id = 0x11800008, .Flags = 3, .CreateMask = 0x85};

    IntExcFileWriterInit(&w, NULL, 0, TestRealloc, NULL);
    IntExcFileHeaderInit(&h);
    h.BuildNumber = 42;
    assert_int_equal(IntExcFileWriteHeader(&w, &h), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_KERNEL, &km), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER, &um), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER_APC, &um), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_KERNEL_USER, &um), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteGlob(&w, &glob), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteCodeBlocks(&w, &cb), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteExport(&w, &ex), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteValue(&w, &val), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteValueCode(&w, &vc), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteIdt(&w, &idt), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteVersion(&w, INTRO_EXCFILE_REC_VERSION_OS, &os), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteVersion(&w, INTRO_EXCFILE_REC_VERSION_INTRO, &intro), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteProcessCreation(&w, &pc), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteRaw(&w, 7, "\x01\x02", 2), INT_STATUS_SUCCESS);
    IntExcFileWriterCounts(&w, &h);
    assert_int_equal(IntExcFileWriteHeader(&w, &h), INT_STATUS_SUCCESS);
    return w;
}

/* Reads the next record, which must be of Type. */
static void Next(INTRO_EXCFILE_ITERATOR *It, INTRO_EXCFILE_RECORD *R, uint8_t Type)
{
    INTRO_EXCEPTIONS_LOAD_ERROR e;

    assert_int_equal(IntExcFileNext(It, R, &e), INT_STATUS_SUCCESS);
    assert_int_equal(R->Type, Type);
    assert_int_equal(e.RecordIndex, INTRO_EXCEPTIONS_LOAD_NO_RECORD);
}

static void CheckExceptions(INTRO_EXCFILE_ITERATOR *It)
{
    INTRO_EXCFILE_RECORD r;

    Next(It, &r, INTRO_EXCFILE_REC_KERNEL);
    assert_true(r.Known);
    assert_int_equal(r.Index, 0);
    assert_int_equal(r.Offset, INTRO_EXCFILE_HEADER_SIZE);
    assert_int_equal(r.Size, 28);
    assert_int_equal(r.u.Exception.Originator, 2);
    assert_int_equal(r.u.Exception.OriginatorPath, INTRO_EXCFILE_NO_NAME);
    assert_int_equal(r.u.Exception.Victim, 0x11223344);
    assert_int_equal(r.u.Exception.ObjectType, INTRO_EXCFILE_KM_OBJ_DRIVER);
    assert_int_equal(r.u.Exception.SigIds.Count, 2);
    assert_int_equal(IntExcFileU32At(&r.u.Exception.SigIds, 1), 0x96000002);
    assert_int_equal(IntExcFileU32At(&r.u.Exception.SigIds, 2), 0); /* past the end */
    assert_ptr_equal(IntExcFileRecordSigIds(&r), &r.u.Exception.SigIds);
    assert_int_equal(IntExcFileRecordFlags(&r), 0x20000006);
    assert_int_equal(IntExcFileRecordId(&r), 0);
    for (int i = 0; i < 3; i++)
    {
        Next(It, &r,
             i == 0   ? INTRO_EXCFILE_REC_USER
             : i == 1 ? INTRO_EXCFILE_REC_USER_APC
                      : INTRO_EXCFILE_REC_KERNEL_USER);
        assert_int_equal(r.u.Exception.Victim, 8);
        assert_int_equal(r.u.Exception.Process, 9);
        assert_int_equal(r.u.Exception.SigIds.Count, 0);
    }
    Next(It, &r, INTRO_EXCFILE_REC_USER_GLOB);
    assert_true(r.u.Glob.PatternsValid);
    assert_int_equal(r.u.Glob.Originator.Length, 8);
    assert_memory_equal(r.u.Glob.Originator.Text, "svc*.exe", 8);
    assert_int_equal(r.u.Glob.Process.Length, 1);
    assert_int_equal(IntExcFileU32At(IntExcFileRecordSigIds(&r), 0), kIds[0]);
}

static void CheckSignatures(INTRO_EXCFILE_ITERATOR *It)
{
    INTRO_EXCFILE_HASH_CURSOR cursor = {0, 0};
    INTRO_EXCFILE_U32_ARRAY list;
    INTRO_EXCFILE_EXPORT_ENTRY ee;
    INTRO_EXCFILE_VALUE_ENTRY ve;
    INTRO_EXCFILE_RECORD r;
    size_t k = 0;

    Next(It, &r, INTRO_EXCFILE_REC_CODEBLOCKS);
    assert_int_equal(r.u.CodeBlocks.HashCount, 3);
    for (uint32_t i = 0; IntExcFileNextHashList(&r.u.CodeBlocks, &cursor, &list); i++)
    {
        assert_int_equal(list.Count, kListSizes[i]);
        for (uint32_t j = 0; j < list.Count; j++)
        {
            assert_int_equal(IntExcFileU32At(&list, j), kHashes[k++]);
        }
    }
    assert_int_equal(cursor.List, 3);
    Next(It, &r, INTRO_EXCFILE_REC_EXPORT);
    assert_true(IntExcFileExportEntryAt(&r.u.Export, 1, &ee));
    assert_int_equal(ee.Delta, 0x20);
    assert_int_equal(ee.Reserved[1], 1);
    assert_false(IntExcFileExportEntryAt(&r.u.Export, 2, &ee));
    Next(It, &r, INTRO_EXCFILE_REC_VALUE);
    assert_true(IntExcFileValueEntryAt(&r.u.Value, 0, &ve));
    assert_int_equal(ve.Hash, 0xCAFE);
    assert_int_equal(ve.Size, 8);
    Next(It, &r, INTRO_EXCFILE_REC_VALUE_CODE);
    assert_int_equal(r.u.ValueCode.Offset, -5);
    assert_int_equal(IntExcFileU16At(&r.u.ValueCode.Pattern, 1), INTRO_EXCFILE_PATTERN_ANY);
    Next(It, &r, INTRO_EXCFILE_REC_IDT);
    assert_int_equal(r.u.Idt.Entry, 0x2E);
    Next(It, &r, INTRO_EXCFILE_REC_VERSION_OS);
    assert_int_equal(r.u.Version.Maximum, 0xFFFF);
    Next(It, &r, INTRO_EXCFILE_REC_VERSION_INTRO);
    assert_true(r.u.Version.Maximum == ~0ull);
    Next(It, &r, INTRO_EXCFILE_REC_PROCESS_CREATION);
    assert_int_equal(r.u.ProcessCreation.CreateMask, 0x85);
    assert_int_equal(IntExcFileRecordId(&r), 0x11800008);
    Next(It, &r, 7);
    assert_false(r.Known);
    assert_int_equal(r.Size, 2);
    assert_memory_equal(r.Body, "\x01\x02", 2);
    assert_int_equal(IntExcFileNext(It, &r, NULL), INT_STATUS_NO_MORE_ENTRIES);
}

/* Every kind written, decoded to the same fields, and written again from the decoded views. */
static void test_every_kind_round_trips(void **state)
{
    INTRO_EXCFILE_WRITER w = WriteEveryKind(), again;
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_ITERATOR it;
    INTRO_EXCFILE_RECORD r;

    (void)state;
    assert_int_equal(w.Records, 14);
    assert_int_equal(IntExcFileOpen(w.Data, w.Size, &h, &it, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(h.KernelCount, 1);
    assert_int_equal(h.UserCount, 2);
    assert_int_equal(h.KernelUserCount, 1);
    assert_int_equal(h.GlobCount, 1);
    assert_int_equal(h.SignatureCount, 8);
    assert_int_equal(h.BuildNumber, 42);
    CheckExceptions(&it);
    CheckSignatures(&it);

    IntExcFileWriterInit(&again, NULL, 0, TestRealloc, NULL);
    assert_int_equal(IntExcFileOpen(w.Data, w.Size, &h, &it, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteHeader(&again, &h), INT_STATUS_SUCCESS);
    while (IntExcFileNext(&it, &r, NULL) == INT_STATUS_SUCCESS)
    {
        assert_int_equal(IntExcFileWriteRecord(&again, &r), INT_STATUS_SUCCESS);
    }
    assert_int_equal(again.Size, w.Size);
    assert_memory_equal(again.Data, w.Data, w.Size);
    free(again.Data);
    free(w.Data);
}

/* Parses hex digit pairs (spaces and '|' ignored) as spec §8 quotes them. */
static size_t Hex(const char *Text, uint8_t *Out)
{
    size_t n = 0;
    unsigned v;

    for (; *Text; Text++)
    {
        if (*Text != ' ' && *Text != '|')
        {
            assert_int_equal(sscanf(Text, "%2x", &v), 1);
            Out[n++] = (uint8_t)v;
            Text++;
        }
    }
    return n;
}

static void ExpectBytes(const INTRO_EXCFILE_WRITER *W, size_t From, const char *SpecHex)
{
    uint8_t expect[128];
    size_t n = Hex(SpecHex, expect);

    assert_int_equal(W->Size - From, n);
    assert_memory_equal(W->Data + From, expect, n);
}

/* Records hvmi's compiler wrote (spec §8): the writer gives the same bytes for the same fields. */
static void test_writer_matches_hvmi_records(void **state)
{
    uint8_t buffer[512];
    INTRO_EXCFILE_WRITER w;
    size_t at;
    static const uint32_t km[] = {0x96000014}, um[] = {0x7D000020}, apc[] = {0x19000021};
    static const uint32_t kum[] = {0x1900001D, 0x1900001F, 0x9600001B, 0x9600001C};
    static const uint8_t sizes[] = {4, 4};
    static const uint32_t hashes[] = {0x2A3282E3, 0x3B0F496D, 0x4D8C1CFF, 0xDE81892C,
                                      0x3C5D6C96, 0x4EAD2C2A, 0x89FF53E7, 0xCAD991C2};
    static const INTRO_EXCFILE_EXPORT_ENTRY exports[] = {{0, {0, 0}, 0}};
    static const INTRO_EXCFILE_VALUE_ENTRY values[] = {{0, 1, {0, 0, 0, 0}, 0x88F8CF69}};
    static const uint16_t pattern[] = {0x0D, 0x100, 0x100, 0x100, 0x100, 0x0F, 0x01, 0xC1, 0xC3};

    (void)state;
    IntExcFileWriterInit(&w, buffer, sizeof(buffer), NULL, NULL);
#define WRITE_AND_EXPECT(Call, SpecHex)                                                                                \
    at = w.Size;                                                                                                       \
    assert_int_equal(Call, INT_STATUS_SUCCESS);                                                                        \
    ExpectBytes(&w, at, SpecHex)
    WRITE_AND_EXPECT(IntExcFileWriteException(
                         &w, INTRO_EXCFILE_REC_KERNEL,
                         &(INTRO_EXCFILE_EXCEPTION){2, INTRO_EXCFILE_NO_NAME, 0, 0, 0x20000006, 0, 2, {NULL, km, 1}}),
                     "01 1800 | 02000000 ffffffff 00000000 06000020 00 02 0100 | 14000096"); /* §8.2 */
    WRITE_AND_EXPECT(
        IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER,
                                 &(INTRO_EXCFILE_EXCEPTION){4, 0, 0, 0x209B1103, 0x40000006, 0, 5, {NULL, um, 1}}),
        "02 1800 | 04000000 00000000 03119b20 06000040 00 05 0100 | 2000007d"); /* §8.3 */
    WRITE_AND_EXPECT(
        IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER_APC,
                                 &(INTRO_EXCFILE_EXCEPTION){0xBBD3278A, 0, 0, 0, 0x20000106, 0, 10, {NULL, apc, 1}}),
        "09 1800 | 8a27d3bb 00000000 00000000 06010020 00 0a 0100 | 21000019"); /* §8.4 */
    WRITE_AND_EXPECT(IntExcFileWriteException(
                         &w, INTRO_EXCFILE_REC_KERNEL_USER,
                         &(INTRO_EXCFILE_EXCEPTION){2, 0, 0xBE9D4EC5, 0x209B1103, 0x20000006, 0, 2, {NULL, kum, 4}}),
                     "0e 2400 | 02000000 c54e9dbe 03119b20 06000020 00 02 0400 | "
                     "1d000019 1f000019 1b000096 1c000096"); /* §8.5 */
    WRITE_AND_EXPECT(
        IntExcFileWriteExport(&w, &(INTRO_EXCFILE_EXPORT){0x19000021, 3, 0xDF2E9203, 1, {0}, NULL, exports}),
        "04 1800 | 21000019 03000000 03922edf 01 000000 | 0000 0000 00000000"); /* §8.6 */
    WRITE_AND_EXPECT(IntExcFileWriteValue(&w, &(INTRO_EXCFILE_VALUE){0x32000010, 3, 1, 1, 0, NULL, values}),
                     "05 1800 | 10000032 03000000 01 01 0000 | 0000 0100 00000000 69cff888"); /* §8.6 */
    WRITE_AND_EXPECT(IntExcFileWriteIdt(&w, &(INTRO_EXCFILE_IDT){0x4B000016, 3, 2, {0}}),
                     "0a 0c00 | 1600004b 03000000 02 000000"); /* §8.6 */
    WRITE_AND_EXPECT(
        IntExcFileWriteCodeBlocks(&w, &(INTRO_EXCFILE_CODEBLOCKS){0x96000026, 3, 3, 2, 0, NULL, 0, sizes, hashes}),
        "03 2c00 | 26000096 03000000 03 02 | 04 e382322a 6d490f3b ff1c8c4d 2c8981de | "
        "04 966c5d3c 2a2cad4e e753ff89 c291d9ca"); /* §8.6 */
    WRITE_AND_EXPECT(IntExcFileWriteValueCode(&w, &(INTRO_EXCFILE_VALUE_CODE){0x7D00000C, 3, -5, {NULL, pattern, 9}}),
                     "08 1e00 | 0c00007d 03000000 fbff 0900 | 0d00 0001 0001 0001 0001 0f00 0100 c100 c300"); /* §8.6 */
#undef WRITE_AND_EXPECT
}

/* What `introguard compile` writes for every kind is what the writer writes for its decoded records. */
static void test_writer_matches_compiler(void **state)
{
    static const char json[] =
        "{\"Type\": \"user\", \"Signatures\": ["
        "{\"sig_type\": \"codeblocks\", \"sig_id\": \"cb\", \"score\": 2, \"hashes\": [[\"0x2\", \"0x1\"], []]},"
        "{\"sig_type\": \"export\", \"sig_id\": \"ex\", \"library\": \"ntdll.dll\", \"hashes\": [{\"name\": "
        "\"NtClose\", \"delta\": 5}]},"
        "{\"sig_type\": \"value\", \"sig_id\": \"va\", \"score\": 1, \"hashes\": [{\"offset\": 1, \"size\": 2, "
        "\"hash\": \"0x3\"}]},"
        "{\"sig_type\": \"value-code\", \"sig_id\": \"vc\", \"offset\": -3, \"pattern\": [\"0x90\", \"0x100\"]},"
        "{\"sig_type\": \"idt\", \"sig_id\": \"idt\", \"entry\": 14},"
        "{\"sig_type\": \"version-os\", \"sig_id\": \"os\", \"minimum\": \"4.14.0\", \"maximum\": \"5.255.*\", "
        "\"flags\": \"linux\"},"
        "{\"sig_type\": \"version-intro\", \"sig_id\": \"in\", \"minimum\": \"1.2.3\", \"maximum\": \"*.*.*\"},"
        "{\"sig_type\": \"process-creation\", \"sig_id\": \"pc\", \"create_mask\": [\"debug\"]}]}";
    static const char *const excs[] = {
        "{\"Type\": \"kernel\", \"Exceptions\": [{\"originator\": \"a.sys\", \"victim\": \"b.sys\", \"object_type\": "
        "\"driver\", \"signatures\": [\"cb\", \"ex\"]}]}",
        "{\"Type\": \"user\", \"Exceptions\": [{\"originator\": \"a.exe\", \"victim\": \"b.exe\", \"object_type\": "
        "\"process\", \"signatures\": [\"va\", \"vc\", \"idt\"]}]}",
        "{\"Type\": \"user-apc\", \"Exceptions\": [{\"originator\": \"a.exe\", \"victim\": \"b.exe\", "
        "\"object_type\": \"process\", \"signatures\": [\"os\", \"in\"]}]}",
        "{\"Type\": \"kernel-user\", \"Exceptions\": [{\"originator\": \"a.sys\", \"victim\": \"b.dll\", "
        "\"process\": \"c.exe\", \"object_type\": \"module\", \"signatures\": [\"pc\"]}]}",
        "{\"Type\": \"user-glob-match\", \"Exceptions\": [{\"originator\": \"*\", \"victim\": \"b*.exe\", "
        "\"object_type\": \"process\"}, {\"originator\": \"x?.exe\", \"victim\": \"y\", \"object_type\": "
        "\"process\"}]}",
    };
    IG_COMPILE_SOURCE src[6] = {{"sigs.json", json, sizeof(json) - 1}};
    IG_COMPILE_OPTIONS options;
    IG_COMPILE_RESULT result;
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_ITERATOR it;
    INTRO_EXCFILE_RECORD r;
    INTRO_EXCFILE_WRITER w;
    uint32_t kinds = 0;

    (void)state;
    for (size_t i = 0; i < COUNT_OF(excs); i++)
    {
        src[i + 1] = (IG_COMPILE_SOURCE){"exc.json", excs[i], strlen(excs[i])};
    }
    for (int compat = 0; compat < 2; compat++)
    {
        IgCompileOptionsInit(&options);
        options.BuildNumber = 77;
        options.HvmiCompat = compat != 0;
        if (IgCompileSources(src, COUNT_OF(src), &options, &result) != INT_STATUS_SUCCESS)
        {
            fail_msg("compile: %s", result.Messages);
        }
        assert_int_equal(IntExcFileOpen(result.Data, result.Size, &h, &it, NULL), INT_STATUS_SUCCESS);
        IntExcFileWriterInit(&w, NULL, 0, TestRealloc, NULL);
        assert_int_equal(IntExcFileWriteHeader(&w, &h), INT_STATUS_SUCCESS);
        while (IntExcFileNext(&it, &r, NULL) == INT_STATUS_SUCCESS)
        {
            kinds |= 1u << r.Type;
            assert_int_equal(IntExcFileWriteRecord(&w, &r), INT_STATUS_SUCCESS);
        }
        assert_int_equal(w.Size, result.Size);
        assert_memory_equal(w.Data, result.Data, result.Size);
        /* The header the compiler wrote holds the counts of what the writer wrote. */
        IntExcFileWriterCounts(&w, &h);
        assert_memory_equal(w.Data, result.Data, INTRO_EXCFILE_HEADER_SIZE);
        assert_int_equal(h.GlobCount, compat ? 3 : 2); /* hvmi's C3 writes the `*` glob twice */
        free(w.Data);
        IgCompileResultFree(&result);
    }
    assert_int_equal(kinds, INTRO_EXCFILE_KNOWN_TYPES);
}

static void test_writer_refusals(void **state)
{
    uint8_t small[24];
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_IDT idt = {.Id = 0x4B000001, .Flags = 3};
    INTRO_EXCFILE_GLOB nul = {.Originator = {"a\0b", 3}, .Victim = {"*", 1}, .Process = {"*", 1}};
    INTRO_EXCFILE_EXCEPTION e = {0};
    static uint8_t big[0x10000];

    (void)state;
    IntExcFileHeaderInit(&h);
    IntExcFileWriterInit(&w, small, sizeof(small), NULL, NULL);
    /* Records before a header: the header can no longer go first. */
    assert_int_equal(IntExcFileWriteIdt(&w, &idt), INT_STATUS_SUCCESS);
    assert_int_equal(IntExcFileWriteHeader(&w, &h), INT_STATUS_INVALID_PARAMETER_MIX);
    /* A full fixed buffer refuses the record whole, and a smaller one still fits afterwards. */
    assert_int_equal(IntExcFileWriteIdt(&w, &idt), INT_STATUS_BUFFER_OVERFLOW);
    assert_int_equal(w.Size, 15);
    assert_int_equal(IntExcFileWriteRaw(&w, 7, "abcd", 4), INT_STATUS_SUCCESS);
    assert_int_equal(w.Size, 22);
    /* What cannot be encoded. */
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER_GLOB, &e), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntExcFileWriteVersion(&w, INTRO_EXCFILE_REC_IDT, &(INTRO_EXCFILE_VERSION){0}),
                     INT_STATUS_INVALID_PARAMETER_2);
    e.SigIds.Count = 1; /* no array behind the count */
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_USER, &e), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(IntExcFileWriteGlob(&w, &nul), INT_STATUS_INVALID_DATA_VALUE);
    assert_int_equal(IntExcFileWriteRaw(&w, 7, big, sizeof(big)), INT_STATUS_INVALID_DATA_SIZE);
    assert_int_equal(w.Size, 22);
    assert_int_equal(w.Records, 2);
    assert_int_equal(w.SignatureCount, 1);
}

static void *FailingRealloc(void *Context, void *Block, size_t Size)
{
    unsigned *left = Context;

    if (*left == 0)
    {
        return NULL;
    }
    (*left)--;
    return realloc(Block, Size);
}

static void test_writer_out_of_memory(void **state)
{
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_IDT idt = {.Id = 0x4B000001, .Flags = 3};
    unsigned left = 1;
    size_t size;

    (void)state;
    IntExcFileHeaderInit(&h);
    IntExcFileWriterInit(&w, NULL, 0, FailingRealloc, &left);
    assert_int_equal(IntExcFileWriteHeader(&w, &h), INT_STATUS_SUCCESS);
    while (IntExcFileWriteIdt(&w, &idt) == INT_STATUS_SUCCESS)
    {
    }
    /* The failure sticks: nothing more is written, the bytes so far stay the caller's. */
    size = w.Size;
    assert_int_equal(w.Status, INT_STATUS_INSUFFICIENT_RESOURCES);
    left = 10;
    assert_int_equal(IntExcFileWriteIdt(&w, &idt), INT_STATUS_INSUFFICIENT_RESOURCES);
    assert_int_equal(w.Size, size);
    assert_int_equal((size - INTRO_EXCFILE_HEADER_SIZE) % 15, 0);
    free(w.Data);
}

/* ---- Decoder errors ------------------------------------------------------------------------------------- */

/* The public decoder's walk of File: its error, or a success status after the last record. */
static INTSTATUS Walk(const uint8_t *Data, size_t Size, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_ITERATOR it;
    INTRO_EXCFILE_RECORD r;
    INTSTATUS status = IntExcFileOpen(Data, Size, &h, &it, Error);

    while (INT_SUCCESS(status))
    {
        status = IntExcFileNext(&it, &r, Error);
    }
    /* After the last record, the header's counts, as the loader checks them. */
    return status == INT_STATUS_NO_MORE_ENTRIES ? IntExcFileCheckCounts(&it, Error) : status;
}

/* The public decoder fails File exactly where and how the engine's loader does. */
static void ExpectSameAsLoader(const uint8_t *Data, size_t Size, const char *What)
{
    uint8_t *copy = TfGuardedCopy(Data, Size);
    INTRO_EXCEPTIONS_LOAD_ERROR pub;
    IG_PARSE_ERROR eng;
    IG_RULESET *set = NULL;
    INTSTATUS ps = Walk(copy, Size, &pub);
    INTSTATUS es = IgRuleSetLoad(&gIgMallocAllocator, copy, Size, IgGuestOsUnknown, &set, &eng);

    IgRuleSetRelease(set);
    TfGuardedFree(copy, Size);
    if (INT_SUCCESS(es))
    {
        if (!INT_SUCCESS(ps))
        {
            fail_msg("%s: the loader accepts it, the decoder says: %s", What, pub.Message);
        }
        return;
    }
    if (INT_SUCCESS(ps))
    {
        fail_msg("%s: the loader refuses it (%s), the decoder accepts it", What, eng.Message);
    }
    assert_int_equal(ps, es);
    assert_int_equal(pub.Status, eng.Status);
    assert_int_equal(pub.Detail, eng.Detail);
    assert_true(pub.Offset == eng.Offset);
    assert_int_equal(pub.RecordIndex, eng.RecordIndex);
    assert_int_equal(pub.RecordType, eng.RecordType);
    assert_string_equal(pub.Message, eng.Message);
}

static void ExpectError(const TF_FILE *F, INTSTATUS Status, INTSTATUS Detail, uint64_t Offset, uint32_t Record,
                        uint8_t Type, const char *Message)
{
    INTRO_EXCEPTIONS_LOAD_ERROR e;

    assert_int_equal(Walk(F->Data, F->Size, &e), Status);
    assert_int_equal(e.Status, Status);
    assert_int_equal(e.Detail, Detail);
    assert_true(e.Offset == Offset);
    assert_int_equal(e.RecordIndex, Record);
    assert_int_equal(e.RecordType, Type);
    assert_string_equal(e.Message, Message);
    ExpectSameAsLoader(F->Data, F->Size, Message);
}

static void test_decoder_errors(void **state)
{
    TF_FILE f;
    size_t r;

    (void)state;
    TfInit(&f);
    ExpectError(&f, INT_STATUS_INVALID_PARAMETER_2, INT_STATUS_EXC_FILE_TOO_SHORT, 0, INTRO_EXCEPTIONS_LOAD_NO_RECORD,
                0, "file is 36 bytes; it must be longer than the 36-byte header");
    TfKernel(&f, 2, 3, 0x20000006, 2, 0, NULL);
    TfFinish(&f, NULL);
    TfSetVersion(&f, 3, 2, 0);
    ExpectError(&f, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_BAD_VERSION, 4, INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0,
                "header: format major version 3 is not supported (expected 2)");
    TfSetVersion(&f, 2, 2, 0);
    /* Record 1: a glob whose victim pattern is empty. */
    r = TfBegin(&f, INTRO_EXCFILE_REC_USER_GLOB);
    TfU32(&f, 0x20000006);
    TfU32(&f, 0x00000200);
    TfBytes(&f, "a*\0\0*\0", 6);
    TfEnd(&f, r);
    TfFinish(&f, NULL);
    ExpectError(&f, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_GLOB_EMPTY, 36 + 23 + 3 + 8 + 3, 1,
                INTRO_EXCFILE_REC_USER_GLOB,
                "record 1 (user-glob-match, type 6) at offset 59: the victim pattern is empty");
    TfFree(&f);

    /* Record 1: its body runs past the end. */
    TfInit(&f);
    TfKernel(&f, 2, 3, 0x20000006, 2, 0, NULL);
    TfU8(&f, INTRO_EXCFILE_REC_IDT);
    TfU16(&f, 12);
    TfU32(&f, 0x4B000001);
    TfFinish(&f, NULL);
    ExpectError(&f, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_PAST_END, 60, 1, INTRO_EXCFILE_REC_IDT,
                "record 1 (idt, type 10) at offset 59: body of 12 bytes runs past the end of the file (4 bytes left)");
    TfFree(&f);
}

/* Every file of the loader's seed corpus fails (or loads) in the decoder as it does in the loader. */
static void test_decoder_matches_loader_seeds(void **state)
{
    const char *root = getenv("INTROGUARD_SOURCE_DIR");
    char dirPath[4096];
    struct dirent *ent;
    unsigned files = 0;
    DIR *dir;

    (void)state;
    if (!root)
    {
        skip();
    }
    snprintf(dirPath, sizeof(dirPath), "%s/fuzz/seeds/loader", root);
    dir = opendir(dirPath);
    assert_non_null(dir);
    while ((ent = readdir(dir)) != NULL)
    {
        char path[4096 + 256 + 2];
        uint8_t *data;
        size_t size;

        if (!strstr(ent->d_name, ".bin"))
        {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dirPath, ent->d_name);
        data = TfReadFile(path, &size);
        assert_non_null(data);
        ExpectSameAsLoader(data, size, ent->d_name);
        free(data);
        files++;
    }
    closedir(dir);
    assert_true(files >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_object_tables),
        cmocka_unit_test(test_flag_tables),
        cmocka_unit_test(test_special_names),
        cmocka_unit_test(test_kinds_and_sections),
        cmocka_unit_test(test_sort_keys),
        cmocka_unit_test(test_violation_names),
        cmocka_unit_test(test_every_kind_round_trips),
        cmocka_unit_test(test_writer_matches_hvmi_records),
        cmocka_unit_test(test_writer_matches_compiler),
        cmocka_unit_test(test_writer_refusals),
        cmocka_unit_test(test_writer_out_of_memory),
        cmocka_unit_test(test_decoder_errors),
        cmocka_unit_test(test_decoder_matches_loader_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
