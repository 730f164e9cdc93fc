/*
 * tools/json.c: the position-tracking JSON parser used by `introguard compile`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const IG_JSON_VALUE *Parse(IG_JSON_DOC *Doc, const char *Text)
{
    IG_JSON_ERROR err;
    INTSTATUS st = IgJsonParse(Text, strlen(Text), Doc, &err);
    if (!INT_SUCCESS(st))
    {
        fail_msg("parse failed at %u:%u: %s", err.Line, err.Column, err.Message);
    }
    return Doc->Root;
}

static void test_positions_and_paths(void **state)
{
    (void)state;
    IG_JSON_DOC doc;
    char path[128];
    const IG_JSON_VALUE *root =
        Parse(&doc, "{\n  \"Exceptions\": [\n    {\"flags\": \"x\"},\n    {\"odd key\": 1}\n  ]\n}");
    const IG_JSON_VALUE *exc = IgJsonGet(root, "Exceptions");
    assert_non_null(exc);
    assert_int_equal(exc->Type, IgJsonArray);
    assert_int_equal(exc->Count, 2);
    const IG_JSON_VALUE *flags = IgJsonGet(exc->Items[0], "flags");
    assert_int_equal(flags->Line, 3);
    assert_int_equal(flags->Column, 15);
    assert_string_equal(IgJsonPath(flags, path, sizeof(path)), "$.Exceptions[0].flags");
    const IG_JSON_VALUE *odd = IgJsonGet(exc->Items[1], "odd key");
    assert_int_equal(odd->Line, 4);
    assert_string_equal(IgJsonPath(odd, path, sizeof(path)), "$.Exceptions[1][\"odd key\"]");
    assert_string_equal(IgJsonPath(root, path, sizeof(path)), "$");
    IgJsonFree(&doc);
}

static void test_comments(void **state)
{
    (void)state;
    IG_JSON_DOC doc;
    const IG_JSON_VALUE *root = Parse(&doc, "// head\n{ /* a\n b */ \"url\": \"http://x//y\", // tail\n"
                                            "\"c\": \"/* not a comment */\" }\n// end");
    assert_string_equal(IgJsonGet(root, "url")->Text, "http://x//y");
    assert_string_equal(IgJsonGet(root, "c")->Text, "/* not a comment */");
    assert_int_equal(IgJsonGet(root, "c")->Line, 4);
    IgJsonFree(&doc);
}

static void test_escapes(void **state)
{
    (void)state;
    IG_JSON_DOC doc;
    const IG_JSON_VALUE *root = Parse(
        &doc, "[\"a\\u00e9\\ud83d\\ude00\\n\\\\\\/\", \"\\u0041\", -0, 9223372036854775807, -9223372036854775808, "
              "9223372036854775808, 1.5, 2e3, true, false, null]");
    assert_int_equal(root->Count, 11);
    assert_memory_equal(root->Items[0]->Text, "a\xC3\xA9\xF0\x9F\x98\x80\n\\/", 10);
    assert_int_equal(root->Items[0]->Length, 10);
    assert_string_equal(root->Items[1]->Text, "A");
    assert_true(root->Items[2]->IsInteger);
    assert_int_equal(root->Items[3]->Integer, INT64_MAX);
    assert_true(root->Items[4]->IsInteger);
    assert_true(root->Items[4]->Integer == INT64_MIN);
    assert_false(root->Items[5]->IsInteger); /* too large: kept as text */
    assert_string_equal(root->Items[5]->Text, "9223372036854775808");
    assert_false(root->Items[6]->IsInteger);
    assert_false(root->Items[7]->IsInteger);
    assert_true(root->Items[8]->Bool);
    assert_int_equal(root->Items[10]->Type, IgJsonNull);
    IgJsonFree(&doc);
}

static void test_duplicate_keys_last_wins(void **state)
{
    (void)state;
    IG_JSON_DOC doc;
    const IG_JSON_VALUE *root = Parse(&doc, "{\"a\": 1, \"b\": 2, \"a\": 3}");
    assert_int_equal(IgJsonGet(root, "a")->Integer, 3);
    const IG_JSON_VALUE *dup = IgJsonFindDuplicate(root);
    assert_non_null(dup);
    assert_int_equal(dup->Index, 2);
    IgJsonFree(&doc);
}

typedef struct BAD_CASE
{
    const char *Text;
    uint32_t Line, Column;
    const char *Message; /* substring */
    const char *Path;    /* where the parser was */
} BAD_CASE;

static const BAD_CASE kBad[] = {
    {"{\"a\": 1,}", 1, 9, "trailing comma before '}'", "$"},
    {"[1, 2,\n]", 2, 1, "trailing comma before ']'", "$"},
    {"{\"a\" 1}", 1, 6, "expected ':'", "$"},
    {"{'a': 1}", 1, 2, "expected a member name", "$"},
    {"[01]", 1, 2, "leading zeros", "$[0]"},
    {"[1.]", 1, 2, "digits expected after '.'", "$[0]"},
    {"[\"abc]", 1, 2, "unterminated string", "$[0]"},
    {"[\"a\tb\"]", 1, 4, "control character 0x09", "$[0]"},
    {"[\"\\ud800\"]", 1, 3, "without a low surrogate", "$[0]"},
    {"[\"\\udc00\"]", 1, 3, "lone low surrogate", "$[0]"},
    {"[\"\\u0000\"]", 1, 3, "\\u0000 is not allowed", "$[0]"},
    {"[\"\\q\"]", 1, 3, "invalid escape", "$[0]"},
    {"[\"\xC3\x28\"]", 1, 3, "invalid UTF-8", "$[0]"},
    {"/* open", 1, 1, "unterminated /* comment", "$"},
    {"{} x", 1, 4, "unexpected text after", "$"},
    {"", 1, 1, "unexpected end of input", "$"},
    {"[tru]", 1, 2, "invalid literal", "$[0]"},
    {"[1 2]", 1, 4, "expected ',' or ']'", "$"},
    {"{\"a\": / 1}", 1, 7, "unexpected '/'", "$.a"},
    {"\n\n  [NaN]", 3, 4, "unexpected character 'N'", "$[0]"},
};

static void test_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT_OF(kBad); i++)
    {
        IG_JSON_DOC doc;
        IG_JSON_ERROR err;
        INTSTATUS st = IgJsonParse(kBad[i].Text, strlen(kBad[i].Text), &doc, &err);
        if (INT_SUCCESS(st))
        {
            fail_msg("case %zu accepted: %s", i, kBad[i].Text);
        }
        if (err.Line != kBad[i].Line || err.Column != kBad[i].Column || !strstr(err.Message, kBad[i].Message) ||
            strcmp(err.Path, kBad[i].Path) != 0)
        {
            fail_msg("case %zu: got %u:%u %s %s, want %u:%u %s %s", i, err.Line, err.Column, err.Path, err.Message,
                     kBad[i].Line, kBad[i].Column, kBad[i].Path, kBad[i].Message);
        }
        assert_null(doc.Root);
    }
}

static void test_error_path(void **state)
{
    (void)state;
    IG_JSON_DOC doc;
    IG_JSON_ERROR err;
    const char *text = "{\"Exceptions\": [{\"flags\": \"a\"}, {\"victim\": \"x\", \"flags\": tru}]}";
    assert_false(INT_SUCCESS(IgJsonParse(text, strlen(text), &doc, &err)));
    assert_string_equal(err.Path, "$.Exceptions[1].flags");
    assert_non_null(strstr(err.Message, "invalid literal"));
}

static void test_depth_cap(void **state)
{
    (void)state;
    char text[2 * IG_JSON_MAX_DEPTH + 8];
    size_t n = 0;
    for (unsigned i = 0; i < IG_JSON_MAX_DEPTH + 1; i++)
    {
        text[n++] = '[';
    }
    for (unsigned i = 0; i < IG_JSON_MAX_DEPTH + 1; i++)
    {
        text[n++] = ']';
    }
    IG_JSON_DOC doc;
    IG_JSON_ERROR err;
    assert_false(INT_SUCCESS(IgJsonParse(text, n, &doc, &err)));
    assert_non_null(strstr(err.Message, "nesting deeper than 64"));
    /* One level less is fine. */
    assert_true(INT_SUCCESS(IgJsonParse(text + 1, n - 2, &doc, &err)));
    IgJsonFree(&doc);
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* The parser must stop at Size, never read the byte after it. */
    char *buf = malloc(4);
    memcpy(buf, "[12]", 4);
    IG_JSON_DOC doc;
    IG_JSON_ERROR err;
    assert_true(INT_SUCCESS(IgJsonParse(buf, 4, &doc, &err)));
    assert_int_equal(doc.Root->Items[0]->Integer, 12);
    IgJsonFree(&doc);
    memcpy(buf, "[\"ab", 4);
    assert_false(INT_SUCCESS(IgJsonParse(buf, 4, &doc, &err)));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_and_paths),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_duplicate_keys_last_wins),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_error_path),
        cmocka_unit_test(test_not_nul_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
