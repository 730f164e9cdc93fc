/*
 * `introguard compile` on non-ASCII names: Python's str.lower() (tools/unicode_lower.c), the trims,
 * narrow and wide hashes, special names and paths after it, the warnings about names hvmi's run
 * time cannot give, and --hvmi-compat pruning in signature-ID order.
 *
 * Expected values come from tests/data/unicode_vectors.h and the .bin files of tests/data/unicode/, generated
 * by tests/codegen/gen_unicode_vectors.py from Python's own str.lower() and an independent model
 * of spec/exceptions-binary-format.md; hvmi's code is never run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "data/unicode_vectors.h"
#include "common/crc32.h"
#include "compile.h"
#include "unicode_lower.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ----------------------------------------------------------------------------- */

static uint32_t Rd32(const uint8_t *P)
{
    return (uint32_t)P[0] | (uint32_t)P[1] << 8 | (uint32_t)P[2] << 16 | (uint32_t)P[3] << 24;
}

static INTSTATUS CompileOne(const char *Text, bool HvmiCompat, IG_COMPILE_RESULT *Result)
{
    IG_COMPILE_SOURCE src = {"in0.json", Text, strlen(Text)};
    IG_COMPILE_OPTIONS o;

    IgCompileOptionsInit(&o);
    o.HvmiCompat = HvmiCompat;
    return IgCompileSources(&src, 1, &o, Result);
}

static size_t Utf8Encode(uint32_t Cp, char *Out)
{
    if (Cp < 0x80)
    {
        Out[0] = (char)Cp;
        return 1;
    }
    if (Cp < 0x800)
    {
        Out[0] = (char)(0xC0 | (Cp >> 6));
        Out[1] = (char)(0x80 | (Cp & 0x3F));
        return 2;
    }
    if (Cp < 0x10000)
    {
        Out[0] = (char)(0xE0 | (Cp >> 12));
        Out[1] = (char)(0x80 | ((Cp >> 6) & 0x3F));
        Out[2] = (char)(0x80 | (Cp & 0x3F));
        return 3;
    }
    Out[0] = (char)(0xF0 | (Cp >> 18));
    Out[1] = (char)(0x80 | ((Cp >> 12) & 0x3F));
    Out[2] = (char)(0x80 | ((Cp >> 6) & 0x3F));
    Out[3] = (char)(0x80 | (Cp & 0x3F));
    return 4;
}

/* Lower-cases Text (NUL-terminated) and feeds the result to a running hash. */
static uint32_t HashLowered(uint32_t Hash, const char *Text, size_t Length)
{
    char out[64];
    size_t n;

    assert_true(IG_UNICODE_LOWER_MAX_BYTES(Length) <= sizeof(out));
    n = IgUnicodeLower(Text, Length, out, NULL);
    return IgCrc32Update(Hash, out, n);
}

static char *ReadSource(const char *Name, size_t *Size)
{
    const char *root = getenv("INTROGUARD_SOURCE_DIR");
    char path[1024];
    FILE *f;
    long n;
    char *buf;

    if (root == NULL || *root == 0)
    {
        print_message("SKIP: INTROGUARD_SOURCE_DIR not set (run through ctest)\n");
        skip();
    }
    snprintf(path, sizeof(path), "%s/tests/data/unicode/%s", root, Name);
    f = fopen(path, "rb");
    if (f == NULL)
    {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *Size = (size_t)n;
    return buf;
}

/* Compiles the named files of tests/data/unicode in order and compares with the named .bin. */
static void ExpectFilesCompileTo(const char *const *Names, size_t Count, bool HvmiCompat, const char *Bin,
                                 IG_COMPILE_RESULT *Result)
{
    IG_COMPILE_SOURCE src[8];
    IG_COMPILE_OPTIONS o;
    size_t size;
    char *want;

    assert_true(Count <= COUNT_OF(src));
    for (size_t i = 0; i < Count; i++)
    {
        src[i].Name = Names[i];
        src[i].Text = ReadSource(Names[i], &src[i].Size);
    }
    IgCompileOptionsInit(&o);
    o.HvmiCompat = HvmiCompat;
    if (!INT_SUCCESS(IgCompileSources(src, Count, &o, Result)))
    {
        fail_msg("compile failed:\n%s", Result->Messages);
    }
    want = ReadSource(Bin, &size);
    assert_int_equal(Result->Size, size);
    assert_memory_equal(Result->Data, want, size);
    free(want);
    for (size_t i = 0; i < Count; i++)
    {
        free((void *)src[i].Text);
    }
}

/* ---- the tables --------------------------------------------------------------------------- */

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(IgUnicodeVersion(), UV_UNICODE_VERSION);
}

/* Every scalar value lower-cased alone and in the three Final_Sigma positions, and every letter,
 * against the generator's hashes of what Python gives. */
static void test_every_code_point(void **state)
{
    (void)state;
    uint32_t lower = IG_NAME_HASH_NONE, sigma = IG_NAME_HASH_NONE, alpha = IG_NAME_HASH_NONE;
    static const char capital[] = "\316\243"; /* U+03A3 */

    for (uint32_t cp = 0; cp < 0x110000; cp++)
    {
        char c[4], probe[16];
        size_t n, k;
        uint8_t letter;

        if (cp >= 0xD800 && cp <= 0xDFFF)
        {
            continue;
        }
        n = Utf8Encode(cp, c);
        lower = HashLowered(lower, c, n);
        k = 0; /* "A<S>c" */
        probe[k++] = 'A';
        memcpy(probe + k, capital, 2);
        k += 2;
        memcpy(probe + k, c, n);
        sigma = HashLowered(sigma, probe, k + n);
        k = 0; /* "Ac<S>" */
        probe[k++] = 'A';
        memcpy(probe + k, c, n);
        memcpy(probe + k + n, capital, 2);
        sigma = HashLowered(sigma, probe, k + n + 2);
        memcpy(probe, c, n); /* "c<S>" */
        memcpy(probe + n, capital, 2);
        sigma = HashLowered(sigma, probe, n + 2);
        letter = IgUnicodeIsAlpha(cp) ? 1 : 0;
        alpha = IgCrc32Update(alpha, &letter, 1);
    }
    assert_int_equal(lower, UV_LOWER_ALL_HASH);
    assert_int_equal(sigma, UV_SIGMA_PROBES_HASH);
    assert_int_equal(alpha, UV_ALPHA_HASH);
}

/* Not UTF-8: copied byte for byte, one code point each, nothing lower-cased around it. */
static void test_invalid_bytes(void **state)
{
    (void)state;
    char out[32];
    IG_LOWER_INFO info;
    static const char in[] = "A\377\316\243\300\200B"; /* A, 0xFF, U+03A3, overlong NUL, B */
    size_t n = IgUnicodeLower(in, sizeof(in) - 1, out, &info);

    assert_int_equal(n, 7);
    assert_memory_equal(out, "a\377\317\203\300\200b", 7); /* not final: 0xFF before it is no letter */
    assert_int_equal(info.CodePoints, 6);
    assert_true(info.NonAsciiChanged);
}

/* ---- names ---------------------------------------------------------------------------------- */

/* Each vector as a user thread-context exception (process-type fields: narrow, first 14) and a
 * user module exception (module fields: wide), originator and victim both the name. */
static void test_name_vectors(void **state)
{
    (void)state;
    size_t counts[5] = {0};
    static const char *const why[5] = {"SpecialCasing", "Final_Sigma", "UTF-8 length", "astral", "localized"};

    for (size_t i = 0; i < COUNT_OF(kUvNames); i++)
    {
        const UV_NAME *v = &kUvNames[i];
        char json[512], lower[256];
        IG_LOWER_INFO info;
        IG_COMPILE_RESULT r;
        size_t n = IgUnicodeLower(v->Text, strlen(v->Text), lower, &info);

        assert_true(IG_UNICODE_LOWER_MAX_BYTES(strlen(v->Text)) <= sizeof(lower));
        if (n != strlen(v->Lower) || memcmp(lower, v->Lower, n) != 0 || info.CodePoints != v->CodePoints)
        {
            fail_msg("vector %zu (%s): \"%s\" lowers to \"%.*s\", want \"%s\"", i, v->Why, v->Text, (int)n, lower,
                     v->Lower);
        }
        snprintf(json, sizeof(json),
                 "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"%s\",\"victim\":\"%s\",\"process\":\"%s\","
                 "\"object_type\":\"thread-context\"}]}",
                 v->Text, v->Text, v->Text);
        assert_int_equal(CompileOne(json, false, &r), INT_STATUS_SUCCESS);
        if (Rd32(r.Data + 39) != v->Narrow14 || Rd32(r.Data + 43) != v->Narrow14 || Rd32(r.Data + 47) != v->Narrow14)
        {
            fail_msg("vector %zu (%s) \"%s\": narrow 0x%08X, want 0x%08X", i, v->Why, v->Text, Rd32(r.Data + 39),
                     v->Narrow14);
        }
        IgCompileResultFree(&r);
        snprintf(json, sizeof(json),
                 "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"%s\",\"victim\":\"%s\",\"process\":\"%s\","
                 "\"object_type\":\"module\"}]}",
                 v->Text, v->Text, v->Text);
        assert_int_equal(CompileOne(json, false, &r), INT_STATUS_SUCCESS);
        if (Rd32(r.Data + 39) != v->Wide || Rd32(r.Data + 43) != v->Wide || Rd32(r.Data + 47) != v->Narrow14)
        {
            fail_msg("vector %zu (%s) \"%s\": wide 0x%08X, want 0x%08X", i, v->Why, v->Text, Rd32(r.Data + 39),
                     v->Wide);
        }
        IgCompileResultFree(&r);
        for (size_t k = 0; k < COUNT_OF(why); k++)
        {
            counts[k] += strcmp(v->Why, why[k]) == 0;
        }
    }
    /* Every group is there: 103 SpecialCasing entries of Unicode 14.0.0, 25 length changes. */
    assert_int_equal(counts[0], 103);
    assert_true(counts[1] >= 300);
    assert_int_equal(counts[2], 25);
    assert_true(counts[3] >= 260);
    assert_true(counts[4] >= 20);
}

/* Trims count code points after lower-casing: U+0130 becomes two, and the 14th is its "i". */
static void test_trim_inside_lowering(void **state)
{
    (void)state;
    IG_COMPILE_RESULT r;

    assert_int_equal(CompileOne("{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"ABCDEFGHIJKLM\\u0130X.EXE\","
                                "\"object_type\":\"thread-context\"}]}",
                                false, &r),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 39), IgNameHash("abcdefghijklmi", 14));
    IgCompileResultFree(&r);
}

/* The special-name lookup runs on the lowered name: KELVIN SIGN lowers to 'k', so "[\u212AERNEL]" is
 * [kernel] (2) in the kernel-mode table; the user-mode table has no [kernel], so it is hashed. */
static void test_special_after_lowering(void **state)
{
    (void)state;
    IG_COMPILE_RESULT r;
    static const uint8_t wide[] = {'[', 0, 'k', 0, 'e', 0, 'r', 0, 'n', 0, 'e', 0, 'l', 0, ']', 0};

    assert_int_equal(CompileOne("{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"[\\u212AERNEL]\","
                                "\"object_type\":\"any\"}]}",
                                false, &r),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 39), 2);
    IgCompileResultFree(&r);
    assert_int_equal(CompileOne("{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"[\\u212AERNEL]\","
                                "\"object_type\":\"any\"}]}",
                                false, &r),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 39), IgNameHash(wide, sizeof(wide)));
    IgCompileResultFree(&r);
}

/* Groups are looked up with the lowered name too: "[\u212AIT]" is the group "[kit]"; "[\u0130]"
 * lowers to "[i\u0307]", which is not "[i]". */
static void test_group_after_lowering(void **state)
{
    (void)state;
    static const char *const members[2] = {"a.exe", "b.exe"};
    const INTRO_EXCFILE_GROUP groups[2] = {{"[kit]", members, 2}, {"[i]", members, 2}};
    const char *json[2] = {
        "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"[\\u212AIT]\",\"object_type\":\"any\"}]}",
        "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"[\\u0130]\",\"object_type\":\"any\"}]}"};
    const unsigned want[2] = {2, 1};

    for (size_t i = 0; i < 2; i++)
    {
        IG_COMPILE_SOURCE src = {"in0.json", json[i], strlen(json[i])};
        IG_COMPILE_OPTIONS o;
        IG_COMPILE_RESULT r;

        IgCompileOptionsInit(&o);
        o.Groups = groups;
        o.GroupCount = 2;
        assert_int_equal(IgCompileSources(&src, 1, &o, &r), INT_STATUS_SUCCESS);
        assert_int_equal(r.UserCount, want[i]);
        IgCompileResultFree(&r);
    }
}

typedef struct WARNING_CASE
{
    const char *Json;
    const char *Warning; /* NULL: no warning at all */
} WARNING_CASE;

/* Warnings only where hvmi's run time cannot give what its compiler wrote. */
static void test_runtime_warnings(void **state)
{
    (void)state;
    static const WARNING_CASE cases[] = {
        /* A Windows process name is 8-bit in the guest (a byte per UTF-16 character), never UTF-8. */
        {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"\\u00e4.exe\",\"object_type\":\"process\","
         "\"victim\":\"*\"}]}",
         "in0.json:1:44: warning: $.Exceptions[0].originator: non-ASCII process name"},
        /* A module name with non-ASCII capitals matches only a guest name spelt in lower case. */
        {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"\\u00dcBER.DLL\",\"object_type\":\"any\"}]}",
         "$.Exceptions[0].originator: non-ASCII capitals: the name is compiled lower-cased as \"\303\274ber.dll\""},
        {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"\\u0391\\u03a3.SYS\",\"object_type\":\"any\"}]}",
         "lower-cased as \"\316\261\317\203.sys\""},
        /* Already lower case: compiled as hvmi does, and the run time agrees. */
        {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"\\u00fcber.DLL\",\"object_type\":\"any\"}]}", NULL},
        {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"\\u30c9\\u30e9\\u30a4\\u30d0.SYS\","
         "\"object_type\":\"any\"}]}",
         NULL},
        /* Linux keeps 15 bytes of a task name, the compiler 15 characters. */
        {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":"
         "\"\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\","
         "\"object_type\":\"process\",\"victim\":\"*\",\"flags\":\"linux\"}]}",
         "non-ASCII task name: the compiler hashes 16 bytes of it (up to 15 characters), a Linux guest keeps only "
         "the first 15 bytes"},
        {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\\u00c4\","
         "\"object_type\":\"process\",\"victim\":\"*\",\"flags\":\"linux\"}]}",
         NULL},
        /* Export names and libraries are not lower-cased and name no guest object by its case. */
        {"{\"Signatures\":[{\"sig_type\":\"export\",\"sig_id\":\"e\",\"library\":\"\\u00dcBER.dll\",\"hashes\":"
         "[{\"name\":\"\\u00dcber\",\"delta\":1}]}]}",
         NULL},
    };

    for (size_t i = 0; i < COUNT_OF(cases); i++)
    {
        IG_COMPILE_RESULT r;

        assert_int_equal(CompileOne(cases[i].Json, false, &r), INT_STATUS_SUCCESS);
        if (cases[i].Warning == NULL)
        {
            /* The export case warns that its signature is unused, nothing else. */
            if (strstr(r.Messages, "non-ASCII") != NULL)
            {
                fail_msg("case %zu: unexpected warning:\n%s", i, r.Messages);
            }
        }
        else if (strstr(r.Messages, cases[i].Warning) == NULL)
        {
            fail_msg("case %zu: want \"%s\" in:\n%s", i, cases[i].Warning, r.Messages);
        }
        IgCompileResultFree(&r);
    }
}

/* ---- whole files ------------------------------------------------------------------------------ */

/* Localized names in every kind of record, signatures with non-ASCII names, paths with a
 * non-ASCII drive letter, \xHH escapes around non-ASCII text, `linux` names: hvmi's bytes. */
static void test_localized_files(void **state)
{
    (void)state;
    static const char *const names[5] = {"localized-signatures.json", "localized-kernel.json", "localized-user.json",
                                         "localized-apc.json", "localized-kernel-user.json"};
    IG_COMPILE_RESULT r;

    ExpectFilesCompileTo(names, 5, false, "localized.bin", &r);
    IgCompileResultFree(&r);
    ExpectFilesCompileTo(names, 5, true, "localized.bin", &r);
    IgCompileResultFree(&r);
}

/* §5.9 / C2 in hvmi's order: a generated 1,000-exception file with unused signatures of three
 * types interleaved. */
static void test_prune_order_generated(void **state)
{
    (void)state;
    static const char *const names[2] = {"prune-signatures.json", "prune-exceptions.json"};
    IG_COMPILE_SOURCE src[2];
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;

    ExpectFilesCompileTo(names, 2, true, "prune-hvmi.bin", &r);
    assert_int_equal(r.SignatureCount, UV_PRUNE_KEPT_BY_ID);
    assert_int_not_equal(UV_PRUNE_KEPT_BY_ID, UV_PRUNE_KEPT_BY_SEQUENCE); /* the file tells the two apart */
    IgCompileResultFree(&r);
    for (size_t i = 0; i < 2; i++)
    {
        src[i].Name = names[i];
        src[i].Text = ReadSource(names[i], &src[i].Size);
    }
    IgCompileOptionsInit(&o);
    assert_int_equal(IgCompileSources(src, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_int_equal(r.SignatureCount, UV_PRUNE_USED);
    assert_int_equal(r.PrunedSignatures, UV_PRUNE_SIGNATURES - UV_PRUNE_USED);
    IgCompileResultFree(&r);
    free((void *)src[0].Text);
    free((void *)src[1].Text);
}

/*
 * The smallest case, bytes written from the spec: signatures a (idt, seq 1), b (export, seq 2),
 * c (idt, seq 3) unused, d (idt, seq 4) used.  By ID (§2.6.1: type << 22 | seq) the list is
 * b 0x19000002, a 0x4B000001, c 0x4B000003, d 0x4B000004: b goes, a is skipped, c goes, d is
 * skipped, so a and d stay.  By sequence number b and d would.
 */
static void test_prune_order_spec(void **state)
{
    (void)state;
    const char *json = "{\"Signatures\":[{\"sig_type\":\"idt\",\"sig_id\":\"a\",\"entry\":1},"
                       "{\"sig_type\":\"export\",\"sig_id\":\"b\",\"library\":\"*\",\"hashes\":[{\"name\":\"*\","
                       "\"delta\":0}]},"
                       "{\"sig_type\":\"idt\",\"sig_id\":\"c\",\"entry\":3},{\"sig_type\":\"idt\",\"sig_id\":\"d\","
                       "\"entry\":4}]}";
    const char *exc = "{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"[kernel]\",\"object_type\":\"idt\","
                      "\"signatures\":[\"d\"]}]}";
    IG_COMPILE_SOURCE src[2] = {{"in0.json", json, strlen(json)}, {"in1.json", exc, strlen(exc)}};
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    /* §1.1 header (1 KM, 2 signatures); §2.4 KM record: [kernel] 2, path 0xFFFFFFFF, victim * 0,
     * flags 32|64|write, object idt 14, one ID; §2.6.6 IDT records: ID, flags 32|64, entry. */
    static const uint8_t want[] = {
        0x45, 0x58, 0x4E, 0x41, 0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        /* KM */
        0x01, 0x18, 0x00, 0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00,
        0x20, 0x00, 0x0E, 0x01, 0x00, 0x04, 0x00, 0x00, 0x4B,
        /* a */
        0x0A, 0x0C, 0x00, 0x01, 0x00, 0x00, 0x4B, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        /* d */
        0x0A, 0x0C, 0x00, 0x04, 0x00, 0x00, 0x4B, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00};

    IgCompileOptionsInit(&o);
    o.HvmiCompat = true;
    assert_int_equal(IgCompileSources(src, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_int_equal(r.Size, sizeof(want));
    assert_memory_equal(r.Data, want, sizeof(want));
    /* The unused a, kept by the quirk, is named in a warning. */
    assert_non_null(strstr(r.Messages, "signature 'a' is not used by any exception (kept: --hvmi-compat"));
    IgCompileResultFree(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_name_vectors),
        cmocka_unit_test(test_trim_inside_lowering),
        cmocka_unit_test(test_special_after_lowering),
        cmocka_unit_test(test_group_after_lowering),
        cmocka_unit_test(test_runtime_warnings),
        cmocka_unit_test(test_localized_files),
        cmocka_unit_test(test_prune_order_generated),
        cmocka_unit_test(test_prune_order_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
