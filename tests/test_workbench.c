/*
 * The analyst's workbench: `introguard coverage`, `impact` and `lint`, driven through their command
 * entry points with stdout and stderr captured.
 *
 * The fixtures under tests/data/workbench/ are known by construction (their comments say what each
 * rule does on tests/data/workbench/coverage.jsonl, or which lint code it earns); JSON output is read
 * back with json-c.  The corpus test reads INTROGUARD_HVMI_CORPUS (skipped without it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "commands.h"
#include "compile.h"
#include "exc_rules.h"
#include "introguard/intro_excfile.h"
#include "lint.h"

/* ---- running a command ------------------------------------------------------------------------------------------ */

typedef struct OUTPUT
{
    int Exit;
    char *Out; /* stdout, NUL-terminated */
    char *Err; /* stderr */
} OUTPUT;

static char *Slurp(FILE *F)
{
    long size;
    char *text;

    assert_int_equal(fseek(F, 0, SEEK_END), 0);
    size = ftell(F);
    assert_true(size >= 0);
    rewind(F);
    text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, F), (size_t)size);
    text[size] = '\0';
    return text;
}

/* Runs Command with Argv (NULL-terminated, argv[0] the command's name), capturing both streams. */
static OUTPUT Run(int (*Command)(int, char **), const char *const *Argv)
{
    OUTPUT o;
    FILE *out = tmpfile(), *err = tmpfile();
    int savedOut, savedErr, argc = 0;
    char *argv[64];

    assert_non_null(out);
    assert_non_null(err);
    while (Argv[argc])
    {
        assert_true(argc < 63);
        argv[argc] = (char *)Argv[argc];
        argc++;
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    savedOut = dup(1);
    savedErr = dup(2);
    assert_true(savedOut >= 0 && savedErr >= 0);
    assert_true(dup2(fileno(out), 1) >= 0);
    assert_true(dup2(fileno(err), 2) >= 0);
    o.Exit = Command(argc, argv);
    fflush(stdout);
    fflush(stderr);
    assert_true(dup2(savedOut, 1) >= 0);
    assert_true(dup2(savedErr, 2) >= 0);
    close(savedOut);
    close(savedErr);
    o.Out = Slurp(out);
    o.Err = Slurp(err);
    fclose(out);
    fclose(err);
    return o;
}

static void Free(OUTPUT *O)
{
    free(O->Out);
    free(O->Err);
}

/* A path under the source tree (tests run from the build tree). */
static const char *Source(const char *Relative)
{
    static char paths[16][512];
    static int next;
    const char *root = getenv("INTROGUARD_SOURCE_DIR");
    char *p = paths[next++ % 16];

    snprintf(p, sizeof(paths[0]), "%s/%s", root ? root : "..", Relative);
    return p;
}

static json_object *ParseJson(const char *Text)
{
    json_object *doc = json_tokener_parse(Text);

    assert_non_null(doc);
    return doc;
}

static json_object *Get(json_object *Object, const char *Key)
{
    json_object *v = NULL;

    assert_true(json_object_object_get_ex(Object, Key, &v));
    return v;
}

static int64_t GetInt(json_object *Object, const char *Key)
{
    return json_object_get_int64(Get(Object, Key));
}

/* The entry of Array whose "source" is at Line (every fixture entry starts on its own line). */
static json_object *AtLine(json_object *Array, int Line)
{
    for (size_t i = 0; i < json_object_array_length(Array); i++)
    {
        json_object *e = json_object_array_get_idx(Array, i);
        json_object *source = Get(e, "source");

        if (source && GetInt(source, "line") == Line)
        {
            return e;
        }
    }
    fail_msg("no entry at line %d", Line);
    return NULL;
}

/* ---- coverage ---------------------------------------------------------------------------------------------------- */

static void test_coverage_counts(void **State)
{
    const char *argv[] = {"coverage", Source("tests/data/workbench/coverage.jsonl"),
                          "-e",       Source("tests/data/workbench/coverage"),
                          "--format", "json",
                          NULL};
    OUTPUT o = Run(IgCmdCoverage, argv);
    json_object *doc, *excs, *sigs, *e, *summary, *dead;

    (void)State;
    assert_int_equal(o.Exit, 0);
    assert_string_equal(o.Err, "");
    doc = ParseJson(o.Out);
    excs = Get(doc, "exceptions");
    sigs = Get(doc, "signatures");
    assert_int_equal(json_object_array_length(excs), 4);

    e = AtLine(excs, 6); /* good.sys: seq 1-3 */
    assert_int_equal(GetInt(e, "allowed"), 3);
    assert_int_equal(GetInt(e, "closest"), 0);
    e = AtLine(excs, 12); /* never.sys */
    assert_int_equal(GetInt(e, "allowed"), 0);
    assert_int_equal(GetInt(e, "closest"), 0);
    e = AtLine(excs, 18); /* near.sys -> target.sys: tried twice, failed on version-os */
    assert_int_equal(GetInt(e, "allowed"), 0);
    assert_int_equal(GetInt(e, "closest"), 2);
    assert_int_equal(GetInt(Get(e, "missed_on"), "signatures:version_os_not_matched"), 2);
    e = AtLine(excs, 27); /* near.sys -> other.sys: seq 6 */
    assert_int_equal(GetInt(e, "allowed"), 1);

    e = AtLine(sigs, 3); /* old-builds */
    assert_string_equal(json_object_get_string(Get(e, "name")), "old-builds");
    assert_int_equal(GetInt(e, "allowed"), 0);
    assert_int_equal(GetInt(e, "closest"), 2);
    assert_int_equal(json_object_array_length(Get(e, "exceptions")), 1);
    e = AtLine(sigs, 9); /* new-builds */
    assert_int_equal(GetInt(e, "allowed"), 1);
    assert_int_equal(GetInt(e, "closest"), 0);

    summary = Get(doc, "summary");
    assert_int_equal(GetInt(summary, "events"), 7);
    assert_int_equal(GetInt(summary, "allowed"), 4);
    assert_int_equal(GetInt(summary, "blocked"), 3);
    assert_int_equal(GetInt(summary, "allowed_without_exception"), 0);
    dead = Get(Get(doc, "never_fired"), "exceptions");
    assert_int_equal(json_object_array_length(dead), 2);
    assert_int_equal(json_object_array_length(Get(Get(doc, "never_fired"), "signatures")), 1);
    json_object_put(doc);
    Free(&o);
}

/* Writes the fixture compiled, the way `introguard compile` would, to a temporary file. */
static void CompileTo(const char *Directory, char *Path, size_t Size)
{
    IG_COMPILE_INPUTS inputs = {0};
    IG_COMPILE_OPTIONS options;
    IG_COMPILE_RESULT result;
    char *paths[1] = {(char *)Directory};
    FILE *f;
    int fd;

    snprintf(Path, Size, "/tmp/introguard-wb-XXXXXX");
    fd = mkstemp(Path);
    assert_true(fd >= 0);
    assert_int_equal(IgCompileReadInputs(paths, 1, false, &inputs), 0);
    IgCompileOptionsInit(&options);
    assert_int_equal(IgCompileSources(inputs.Items, inputs.Count, &options, &result), INT_STATUS_SUCCESS);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(result.Data, 1, result.Size, f), result.Size);
    fclose(f);
    IgCompileResultFree(&result);
    IgCompileInputsFree(&inputs);
}

/* The same output every time; a file with its sources reads like the sources themselves. */
static void test_coverage_deterministic(void **State)
{
    char bin[64];
    const char *trace = Source("tests/data/workbench/coverage.jsonl");
    const char *rules = Source("tests/data/workbench/coverage");
    const char *a[] = {"coverage", trace, "-e", rules, NULL};
    const char *b[] = {"coverage", trace, "-e", bin, "--source", rules, NULL};
    OUTPUT first, second, third;

    (void)State;
    CompileTo(rules, bin, sizeof(bin));
    first = Run(IgCmdCoverage, a);
    second = Run(IgCmdCoverage, a);
    third = Run(IgCmdCoverage, b);
    assert_int_equal(first.Exit, 0);
    assert_int_equal(third.Exit, 0);
    assert_string_equal(first.Out, second.Out);
    assert_string_equal(first.Out, third.Out);
    assert_non_null(strstr(first.Out, "never fired: 2 of 4 exceptions"));
    assert_non_null(strstr(first.Out, "never fired: 1 of 2 signatures (record "));
    Free(&first);
    Free(&second);
    Free(&third);
    unlink(bin);
}

/* ---- impact ------------------------------------------------------------------------------------------------------ */

static void test_impact_flips(void **State)
{
    const char *argv[] = {"impact",
                          Source("tests/data/workbench/coverage"),
                          Source("tests/data/workbench/impact-new"),
                          Source("tests/data/workbench/coverage.jsonl"),
                          "--format",
                          "json",
                          NULL};
    static const struct
    {
        int Seq;
        const char *Change;
    } expected[] = {{1, "allowed_to_blocked"},
                    {2, "allowed_to_blocked"},
                    {3, "allowed_to_blocked"},
                    {4, "blocked_to_allowed"},
                    {5, "blocked_to_allowed"}};
    OUTPUT o = Run(IgCmdImpact, argv);
    json_object *doc, *changes, *summary;

    (void)State;
    assert_int_equal(o.Exit, IG_EXIT_FOUND);
    doc = ParseJson(o.Out);
    changes = Get(doc, "changes");
    assert_int_equal(json_object_array_length(changes), 5);
    for (size_t i = 0; i < 5; i++)
    {
        json_object *c = json_object_array_get_idx(changes, i);

        assert_int_equal(GetInt(c, "seq"), expected[i].Seq);
        assert_string_equal(json_object_get_string(Get(c, "change")), expected[i].Change);
    }
    /* seq 4: the old side came closest on near.sys -> target.sys, the new side allowed with it. */
    assert_int_equal(GetInt(Get(Get(Get(json_object_array_get_idx(changes, 3), "old"), "closest"), "source"), "line"),
                     18);
    assert_int_equal(GetInt(Get(Get(Get(json_object_array_get_idx(changes, 3), "new"), "exception"), "source"), "line"),
                     11);
    summary = Get(doc, "summary");
    assert_int_equal(GetInt(summary, "allowed_to_blocked"), 3);
    assert_int_equal(GetInt(summary, "blocked_to_allowed"), 2);
    assert_int_equal(GetInt(summary, "unchanged"), 2);
    assert_int_equal(GetInt(summary, "other"), 0);
    json_object_put(doc);
    Free(&o);
    {
        const char *table[] = {"impact", argv[1], argv[2], argv[3], NULL};
        OUTPUT a = Run(IgCmdImpact, table), b = Run(IgCmdImpact, table);

        assert_int_equal(a.Exit, IG_EXIT_FOUND);
        assert_string_equal(a.Out, b.Out);
        assert_non_null(strstr(a.Out, "5 verdicts changed: 3 allowed -> blocked, 2 blocked -> allowed;"));
        Free(&a);
        Free(&b);
    }
}

/* The same rules on both sides (one a file, one sources): nothing changes, exit 0. */
static void test_impact_none(void **State)
{
    char bin[64];
    const char *rules = Source("tests/data/workbench/coverage");
    const char *argv[] = {"impact", bin, rules, Source("tests/data/workbench/coverage.jsonl"), "--all", NULL};
    OUTPUT o;

    (void)State;
    CompileTo(rules, bin, sizeof(bin));
    o = Run(IgCmdImpact, argv);
    assert_int_equal(o.Exit, 0);
    assert_string_equal(o.Out, "0 verdicts changed: 0 allowed -> blocked, 0 blocked -> allowed; 7 decisions unchanged, "
                               "0 with another reason or exception; 0 not a violation or not delivered\n");
    Free(&o);
    unlink(bin);
}

/* ---- lint -------------------------------------------------------------------------------------------------------- */

typedef struct EXPECTED_FINDING
{
    const char *File; /* basename */
    int Line;
    const char *Code;
} EXPECTED_FINDING;

/* Every finding of Doc is in Expected and the other way round. */
static void MatchFindings(json_object *Doc, const EXPECTED_FINDING *Expected, size_t Count)
{
    json_object *findings = Get(Doc, "findings");

    assert_int_equal(json_object_array_length(findings), Count);
    for (size_t k = 0; k < Count; k++)
    {
        bool found = false;

        for (size_t i = 0; i < json_object_array_length(findings) && !found; i++)
        {
            json_object *f = json_object_array_get_idx(findings, i);
            const char *file = json_object_get_string(Get(f, "file"));
            const char *base = file ? strrchr(file, '/') : NULL;

            found = base && strcmp(base + 1, Expected[k].File) == 0 && GetInt(f, "line") == Expected[k].Line &&
                    strcmp(json_object_get_string(Get(f, "code")), Expected[k].Code) == 0;
        }
        if (!found)
        {
            fail_msg("missing %s at %s:%d", Expected[k].Code, Expected[k].File, Expected[k].Line);
        }
    }
}

static void test_lint_every_code(void **State)
{
    static const EXPECTED_FINDING expected[] = {
        {"kernel.json", 6, "IG-L001"},     {"kernel.json", 8, "IG-L002"},      {"kernel.json", 10, "IG-L003"},
        {"kernel.json", 12, "IG-L004"},    {"kernel.json", 14, "IG-L014"},     {"kernel.json", 18, "IG-L009"},
        {"kernel.json", 21, "IG-L010"},    {"kernel.json", 23, "IG-L013"},     {"kernel.json", 25, "IG-L006"},
        {"kernel.json", 27, "IG-L004"},    {"kernel.json", 29, "IG-L014"},     {"user.json", 6, "IG-L005"},
        {"user.json", 9, "IG-L003"},       {"kernel-user.json", 6, "IG-L003"}, {"signatures.json", 6, "IG-L007"},
        {"signatures.json", 8, "IG-L008"}, {"signatures.json", 10, "IG-L011"}, {"signatures.json", 12, "IG-L015"},
    };
    const char *argv[] = {"lint", Source("tests/data/workbench/lint"), "--format", "json", NULL};
    OUTPUT o = Run(IgCmdLint, argv);
    json_object *doc;

    (void)State;
    assert_int_equal(o.Exit, IG_EXIT_FOUND);
    doc = ParseJson(o.Out);
    MatchFindings(doc, expected, sizeof(expected) / sizeof(expected[0]));
    assert_int_equal(GetInt(Get(doc, "summary"), "errors"), 13);
    assert_int_equal(GetInt(Get(doc, "summary"), "warnings"), 5);
    json_object_put(doc);
    Free(&o);
    {
        const char *text[] = {"lint", Source("tests/data/workbench/lint"), NULL};
        OUTPUT a = Run(IgCmdLint, text), b = Run(IgCmdLint, text);

        assert_string_equal(a.Out, b.Out); /* the same findings in the same order, every time */
        assert_non_null(strstr(a.Out, "13 errors, 5 warnings in 23 records\n"));
        Free(&a);
        Free(&b);
    }
}

/* A file naming signatures it does not hold (something only a .bin can do): IG-L012. */
static void test_lint_dangling(void **State)
{
    static const uint32_t ids[2] = {INTRO_EXCFILE_SIG_ID(INTRO_EXCFILE_SIG_VERSION_OS, 9), 0xFFC00001u};
    uint8_t buffer[512];
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_EXCEPTION e;
    char path[] = "/tmp/introguard-wb-XXXXXX";
    const char *argv[] = {"lint", path, NULL};
    OUTPUT o;
    FILE *f;
    int fd = mkstemp(path);

    (void)State;
    assert_true(fd >= 0);
    IntExcFileWriterInit(&w, buffer, sizeof(buffer), NULL, NULL);
    IntExcFileHeaderInit(&header);
    assert_int_equal(IntExcFileWriteHeader(&w, &header), INT_STATUS_SUCCESS);
    memset(&e, 0, sizeof(e));
    e.Originator = 0x12345678;
    e.OriginatorPath = INTRO_EXCFILE_NO_NAME;
    e.Flags = INTRO_EXCFILE_FLG_32 | INTRO_EXCFILE_FLG_64 | INTRO_EXCFILE_FLG_WRITE;
    e.ObjectType = INTRO_EXCFILE_KM_OBJ_DRIVER;
    e.SigIds.Values = ids;
    e.SigIds.Count = 2;
    assert_int_equal(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_KERNEL, &e), INT_STATUS_SUCCESS);
    IntExcFileWriterCounts(&w, &header);
    assert_int_equal(IntExcFileWriteHeader(&w, &header), INT_STATUS_SUCCESS);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buffer, 1, w.Size, f), w.Size);
    fclose(f);

    o = Run(IgCmdLint, argv);
    assert_int_equal(o.Exit, IG_EXIT_FOUND);
    assert_non_null(strstr(o.Out, ": record 0 @ 0x24 (kernel): error IG-L012 [dangling-signature]: names version-os "
                                  "signature 0x0C800009 (#9), which the file does not hold"));
    assert_non_null(strstr(o.Out, "error IG-L012 [dangling-signature]: names signature 0xFFC00001, whose type 1023"));
    assert_non_null(strstr(o.Out, "error IG-L004 [unmatchable-signatures]: needs one of its version-os signatures"));
    assert_non_null(strstr(o.Out, "3 errors, 0 warnings in 1 records\n"));
    Free(&o);
    unlink(path);
}

/* Rules with nothing to say: exit 0; warnings fail only under --werror. */
static void test_lint_clean_and_werror(void **State)
{
    const char *clean[] = {"lint", Source("tests/data/workbench/coverage"), NULL};
    const char *warn[] = {"lint", Source("tests/data/workbench/lint-warnings"), NULL};
    const char *werror[] = {"lint", Source("tests/data/workbench/lint-warnings"), "--werror", NULL};
    OUTPUT o;

    (void)State;
    o = Run(IgCmdLint, clean);
    assert_int_equal(o.Exit, 0);
    assert_string_equal(o.Out, "0 errors, 0 warnings in 6 records\n");
    Free(&o);
    o = Run(IgCmdLint, warn);
    assert_int_equal(o.Exit, 0);
    assert_non_null(strstr(o.Out, "kernel.json:6: $.Exceptions[1] (record 1): warning IG-L010 [duplicate]"));
    assert_non_null(strstr(o.Out, "0 errors, 1 warning in 2 records\n"));
    Free(&o);
    o = Run(IgCmdLint, werror);
    assert_int_equal(o.Exit, IG_EXIT_FOUND);
    Free(&o);
}

/* hvmi's corpus: seven rules hidden by an earlier one, nothing else; the same from the file and the sources. */
static void test_lint_corpus(void **State)
{
    static const unsigned shadowed[7] = {65, 66, 67, 76, 88, 90, 92};
    const char *corpus = getenv("INTROGUARD_HVMI_CORPUS");
    char bin[512], order[512], line[256];
    const char *argv[48] = {"lint"};
    char names[44][1024];
    int argc = 1;
    FILE *f;

    (void)State;
    if (!corpus || !corpus[0])
    {
        skip();
    }
    snprintf(bin, sizeof(bin), "%s/exceptions.bin", corpus);
    snprintf(order, sizeof(order), "%s/order.txt", corpus);
    f = fopen(order, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) && argc < 44)
    {
        line[strcspn(line, "\r\n")] = '\0';
        snprintf(names[argc], sizeof(names[0]), "%s/%s", corpus, line);
        argv[argc] = names[argc];
        argc++;
    }
    fclose(f);
    argv[argc] = "--format";
    argv[argc + 1] = "json";
    argv[argc + 2] = NULL;
    for (int pass = 0; pass < 2; pass++)
    {
        const char *single[] = {"lint", bin, "--format", "json", NULL};
        OUTPUT o = Run(IgCmdLint, pass ? argv : single);
        json_object *doc, *findings;

        assert_int_equal(o.Exit, 0);
        doc = ParseJson(o.Out);
        findings = Get(doc, "findings");
        assert_int_equal(json_object_array_length(findings), 7);
        for (size_t i = 0; i < 7; i++)
        {
            json_object *finding = json_object_array_get_idx(findings, i);
            bool known = false;

            assert_string_equal(json_object_get_string(Get(finding, "code")), "IG-L009");
            for (size_t k = 0; k < 7; k++)
            {
                known = known || GetInt(finding, "record") == shadowed[k];
            }
            assert_true(known);
        }
        assert_int_equal(GetInt(Get(doc, "summary"), "records"), 157);
        json_object_put(doc);
        Free(&o);
    }
}

/* ---- the name rules lint reads against, and the compiler ------------------------------------------------------- */

static const char *const gNames[3] = {"OriginatorLongName.exe", "VictimLongerName.dll", "ProcessLongName.exe"};
static const char *const gKeys[3] = {"originator", "victim", "process"};

/* What IgRulesNameHashing says the compiler stores for Name. */
static uint32_t ExpectedHash(const IG_NAME_HASHING *H, const char *Name)
{
    uint8_t bytes[128];
    size_t n = strlen(Name), used = 0;

    if (H->Trim && n > H->Trim)
    {
        n = H->Trim;
    }
    for (size_t i = 0; i < n; i++)
    {
        char c = (H->Lower && Name[i] >= 'A' && Name[i] <= 'Z') ? (char)(Name[i] - 'A' + 'a') : Name[i];

        bytes[used++] = (uint8_t)c;
        if (H->Wide)
        {
            bytes[used++] = 0;
        }
    }
    return IntExcFileHash(bytes, used);
}

/* Compiles one exception of Kind; true (and the record in *Out) when the compiler takes it. */
static bool CompileOne(const char *Kind, const char *Object, const char *Flags, unsigned Fields, uint8_t *Buffer,
                       size_t *Size)
{
    char text[1024];
    int n = snprintf(text, sizeof(text), "{\"Type\": \"%s\", \"Exceptions\": [{\"object_type\": \"%s\"", Kind, Object);
    IG_COMPILE_SOURCE source = {"t.json", text, 0};
    IG_COMPILE_OPTIONS options;
    IG_COMPILE_RESULT result;
    bool ok;

    if (Flags[0])
    {
        n += snprintf(text + n, sizeof(text) - (size_t)n, ", \"flags\": \"%s\"", Flags);
    }
    for (unsigned f = 0; f < 3; f++)
    {
        if (Fields & (1u << f))
        {
            n += snprintf(text + n, sizeof(text) - (size_t)n, ", \"%s\": \"%s\"", gKeys[f], gNames[f]);
        }
    }
    n += snprintf(text + n, sizeof(text) - (size_t)n, "}]}");
    source.Size = (size_t)n;
    IgCompileOptionsInit(&options);
    ok = INT_SUCCESS(IgCompileSources(&source, 1, &options, &result)) && result.Size <= *Size;
    if (ok)
    {
        memcpy(Buffer, result.Data, result.Size);
        *Size = result.Size;
    }
    IgCompileResultFree(&result);
    return ok;
}

/* Every field the compiler hashes, for every object type and the flags that change hashing. */
static void test_name_hashing_matches_compiler(void **State)
{
    static const struct
    {
        const char *Kind;
        uint8_t Type;
        const char *Flags[4];
    } kinds[] = {
        {"kernel", INTRO_EXCFILE_REC_KERNEL, {"", "linux", NULL}},
        {"user", INTRO_EXCFILE_REC_USER, {"", "linux", "module-load", "linux module-load"}},
        {"user-apc", INTRO_EXCFILE_REC_USER_APC, {"", "linux", "module-load", NULL}},
        {"kernel-user", INTRO_EXCFILE_REC_KERNEL_USER, {"", "user", "linux", NULL}},
    };
    static const char *const extras[] = {"", " smep", " integrity", " exec"};
    static const unsigned subsets[] = {7, 3, 5, 1, 6, 2, 4};
    unsigned checked = 0;

    (void)State;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
    {
        const INTRO_EXCFILE_KEYWORD_TABLE *objects = IntExcFileRecordObjectTypes(kinds[k].Type);

        for (size_t o = 0; o < objects->Count; o++)
        {
            for (size_t v = 0; v < 4 && kinds[k].Flags[v]; v++)
            {
                uint8_t data[256];
                size_t size = sizeof(data);
                bool done = false;

                for (size_t x = 0; x < 4 && !done; x++)
                {
                    char flags[64];

                    snprintf(flags, sizeof(flags), "%s%s", kinds[k].Flags[v], extras[x]);
                    for (size_t s = 0; s < 7 && !done; s++)
                    {
                        IG_RECORD_LIST list;
                        const INTRO_EXCFILE_EXCEPTION *e;
                        uint32_t values[3];

                        size = sizeof(data);
                        if (!CompileOne(kinds[k].Kind, objects->Entries[o].Name, flags[0] == ' ' ? flags + 1 : flags,
                                        subsets[s], data, &size))
                        {
                            continue;
                        }
                        done = true;
                        assert_int_equal(IgRecordListLoad(data, size, &list, NULL), INT_STATUS_SUCCESS);
                        assert_int_equal(list.Count, 1);
                        e = &list.Records[0].u.Exception;
                        values[0] = e->Originator;
                        values[1] = e->Victim;
                        values[2] = e->Process;
                        for (unsigned f = 0; f < 3; f++)
                        {
                            IG_NAME_HASHING h = IgRulesNameHashing(kinds[k].Type, e->ObjectType, e->Flags, f);

                            if (!(subsets[s] & (1u << f)) || !h.Hashed || values[f] < 8)
                            {
                                continue; /* not given, not a name, or a value the compiler sets itself */
                            }
                            assert_int_equal(values[f], ExpectedHash(&h, gNames[f]));
                            checked++;
                        }
                        IgRecordListFree(&list);
                    }
                }
            }
        }
    }
    assert_true(checked > 400); /* 449 when written */
}

/* ---- small parts ------------------------------------------------------------------------------------------------ */

static void test_lower_case_table(void **State)
{
    static const uint32_t changes[] = {'A',    'Z',    0xC0,   0xC4,   0xDE,   0x100,   0x130,
                                       0x178,  0x1C5,  0x391,  0x3A3,  0x410,  0x42F,   0x1E9E,
                                       0x2126, 0x212A, 0x2160, 0x24B6, 0xFF21, 0x10400, 0x1E900};
    static const uint32_t stays[] = {'a',   '0',   0x7F,   0xDF,   0xE4,   0xF7,    0x101,   0x131,
                                     0x3C3, 0x430, 0x2170, 0x24D0, 0xFF41, 0x1E922, 0x10FFFF};

    (void)State;
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
    {
        if (!IgLintLowerCaseChanges(changes[i]))
        {
            fail_msg("U+%04X should lower-case", changes[i]);
        }
    }
    for (size_t i = 0; i < sizeof(stays) / sizeof(stays[0]); i++)
    {
        if (IgLintLowerCaseChanges(stays[i]))
        {
            fail_msg("U+%04X should stay", stays[i]);
        }
    }
}

/* Bad inputs: a usage error is 2, bad input 1 with the reason on stderr and nothing on stdout. */
static void test_bad_inputs(void **State)
{
    char corrupt[] = "/tmp/introguard-wb-XXXXXX";
    int fd = mkstemp(corrupt);
    const char *trace = Source("tests/data/workbench/coverage.jsonl");
    const char *rules = Source("tests/data/workbench/coverage");
    const char *noRules[] = {"coverage", trace, NULL};
    const char *missing[] = {"coverage", trace, "-e", "/nonexistent/rules.bin", NULL};
    const char *corruptRules[] = {"coverage", trace, "-e", corrupt, NULL};
    const char *badTrace[] = {"coverage", Source("tests/traces/bad-zone.jsonl"), "-e", rules, NULL};
    const char *oneSide[] = {"impact", rules, trace, NULL};
    const char *badSources[] = {"lint", Source("tests/data/workbench/bad"), NULL};
    const char *badFormat[] = {"lint", rules, "--format", "xml", NULL};
    const char *sourceForJson[] = {"coverage", trace, "-e", rules, "--source", rules, NULL};
    OUTPUT o;

    (void)State;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "EXNA\002\000\002\000", 8), 8);
    close(fd);
    o = Run(IgCmdCoverage, noRules);
    assert_int_equal(o.Exit, IG_EXIT_USAGE);
    assert_non_null(strstr(o.Err, "missing -e FILE"));
    Free(&o);
    o = Run(IgCmdCoverage, missing);
    assert_int_equal(o.Exit, IG_EXIT_FAILURE);
    assert_string_equal(o.Out, "");
    assert_non_null(strstr(o.Err, "/nonexistent/rules.bin: cannot read: No such file or directory"));
    Free(&o);
    o = Run(IgCmdCoverage, corruptRules);
    assert_int_equal(o.Exit, IG_EXIT_FAILURE);
    assert_string_equal(o.Out, "");
    assert_non_null(strstr(o.Err, "INT_STATUS_EXC_FILE_TOO_SHORT"));
    Free(&o);
    o = Run(IgCmdCoverage, badTrace);
    assert_int_equal(o.Exit, IG_EXIT_FAILURE);
    assert_string_equal(o.Out, "");
    assert_non_null(strstr(o.Err, "bad-zone.jsonl:3: field 'victim.zone'"));
    Free(&o);
    o = Run(IgCmdCoverage, sourceForJson);
    assert_int_equal(o.Exit, IG_EXIT_FAILURE);
    assert_non_null(strstr(o.Err, "is not an exceptions file"));
    Free(&o);
    o = Run(IgCmdImpact, oneSide);
    assert_int_equal(o.Exit, IG_EXIT_USAGE);
    Free(&o);
    o = Run(IgCmdLint, badSources);
    assert_int_equal(o.Exit, IG_EXIT_FAILURE);
    assert_string_equal(o.Out, "");
    assert_non_null(strstr(o.Err, "unknown flag 'wirte'"));
    Free(&o);
    o = Run(IgCmdLint, badFormat);
    assert_int_equal(o.Exit, IG_EXIT_USAGE);
    Free(&o);
    unlink(corrupt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_counts),
        cmocka_unit_test(test_coverage_deterministic),
        cmocka_unit_test(test_impact_flips),
        cmocka_unit_test(test_impact_none),
        cmocka_unit_test(test_lint_every_code),
        cmocka_unit_test(test_lint_dangling),
        cmocka_unit_test(test_lint_clean_and_werror),
        cmocka_unit_test(test_lint_corpus),
        cmocka_unit_test(test_name_hashing_matches_compiler),
        cmocka_unit_test(test_lower_case_table),
        cmocka_unit_test(test_bad_inputs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
