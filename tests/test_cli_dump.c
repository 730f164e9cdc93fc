/*
 * `introguard dump` and `introguard decompile`, driven through their library entry points.
 *
 * Test files are assembled here from the record layouts of spec/exceptions-binary-format.md §2;
 * record bytes quoted as hex come from the annotated hexdump of spec §8 (hvmi's compiler output
 * for its shipped JSONs).  The corpus tests read INTROGUARD_HVMI_CORPUS/exceptions.bin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "commands.h"
#include "decompile.h"
#include "dump.h"
#include "excfile.h"
#include "introguard/intro_excfile.h"

/* ---- Building files --------------------------------------------------------------------------- */

/*
 * Records are written with the library's writer (intro_excfile.h); bytes quoted from spec §8 (hvmi's
 * compiler output) are appended as hex, and so are the deliberately broken ones.
 */
typedef struct BUF
{
    uint8_t Data[8192];
    size_t Size;
} BUF;

/* A writer appending to B (a fixed array: a file that does not fit fails the test). */
static void WriterOn(BUF *B, INTRO_EXCFILE_WRITER *W)
{
    IntExcFileWriterInit(W, B->Data, sizeof(B->Data), NULL, NULL);
    W->Size = B->Size;
    W->HasHeader = B->Size >= INTRO_EXCFILE_HEADER_SIZE;
}

static void Written(BUF *B, const INTRO_EXCFILE_WRITER *W, INTSTATUS Status)
{
    assert_int_equal(Status, INT_STATUS_SUCCESS);
    B->Size = W->Size;
}

/* Parses hex digit pairs into Out; spaces and '|' (as in spec §8) are ignored.  Returns the byte count. */
static size_t ParseHex(const char *Hex, uint8_t *Out, size_t Size)
{
    size_t n = 0;

    while (*Hex)
    {
        unsigned v;

        if (*Hex == ' ' || *Hex == '|')
        {
            Hex++;
            continue;
        }
        assert_int_equal(sscanf(Hex, "%2x", &v), 1);
        assert_true(n < Size);
        Out[n++] = (uint8_t)v;
        Hex += 2;
    }
    return n;
}

/* Appends bytes given in hex. */
static void PutHex(BUF *B, const char *Hex)
{
    B->Size += ParseHex(Hex, B->Data + B->Size, sizeof(B->Data) - B->Size);
}

/* Starts B with a 2.2 header holding these counts (spec §1.1). */
static void PutHeader(BUF *B, uint32_t Km, uint32_t Um, uint32_t Sigs, uint32_t Build, uint32_t Glob, uint32_t Kum)
{
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_WRITER w;

    IntExcFileHeaderInit(&h);
    h.KernelCount = Km;
    h.UserCount = Um;
    h.SignatureCount = Sigs;
    h.BuildNumber = Build;
    h.GlobCount = Glob;
    h.KernelUserCount = Kum;
    B->Size = 0;
    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteHeader(&w, &h));
}

/* Rewrites B's header counts from its records, as the compiler writes them (a file built record
 * by record, whose test is about something else than its counts). */
static void Recount(BUF *B)
{
    INTRO_EXCFILE_HEADER h;
    INTRO_EXCFILE_ITERATOR iter;
    INTRO_EXCFILE_RECORD record;
    uint32_t counts[256] = {0}, signatures = 0;
    size_t size = B->Size;
    INTRO_EXCFILE_WRITER w;

    INTSTATUS status;

    if (!INT_SUCCESS(IntExcFileOpen(B->Data, B->Size, &h, &iter, NULL)))
    {
        return; /* a broken header: the test is about it */
    }
    while ((status = IntExcFileNext(&iter, &record, NULL)) == INT_STATUS_SUCCESS)
    {
        counts[record.Type]++;
        signatures += IntExcFileSignatureKindByRecord(record.Type) ? 1 : 0;
    }
    if (status != INT_STATUS_NO_MORE_ENTRIES)
    {
        return; /* a broken record: the test is about it */
    }
    h.KernelCount = counts[INTRO_EXCFILE_REC_KERNEL];
    h.UserCount = counts[INTRO_EXCFILE_REC_USER] + counts[INTRO_EXCFILE_REC_USER_APC];
    h.GlobCount = counts[INTRO_EXCFILE_REC_USER_GLOB];
    h.KernelUserCount = counts[INTRO_EXCFILE_REC_KERNEL_USER];
    h.SignatureCount = signatures;
    B->Size = 0;
    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteHeader(&w, &h));
    B->Size = size;
}

/* A record of any type with a body given in hex (unknown types, bodies broken on purpose). */
static void PutRaw(BUF *B, unsigned Type, const char *Hex)
{
    uint8_t body[256];
    size_t n = ParseHex(Hex, body, sizeof(body));
    INTRO_EXCFILE_WRITER w;

    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteRaw(&w, (uint8_t)Type, body, n));
}

/* KM/UM/APC/KUM record (spec §2.4): for KM the second word is the path hash, else the victim. */
static void PutException(BUF *B, unsigned Type, uint32_t W0, uint32_t W1, uint32_t W2, uint32_t Flags, unsigned Object,
                         const uint32_t *Ids, unsigned Count)
{
    INTRO_EXCFILE_EXCEPTION e = {
        .Originator = W0, .Flags = Flags, .ObjectType = (uint8_t)Object, .SigIds = {NULL, Ids, Count}};
    INTRO_EXCFILE_WRITER w;

    if (Type == INTRO_EXCFILE_REC_KERNEL)
    {
        e.OriginatorPath = W1;
        e.Victim = W2;
    }
    else
    {
        e.Victim = W1;
        e.Process = W2;
    }
    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteException(&w, (uint8_t)Type, &e));
}

static void PutIdtSig(BUF *B, uint32_t Id, uint32_t Flags, unsigned Entry)
{
    INTRO_EXCFILE_IDT idt = {.Id = Id, .Flags = Flags, .Entry = (uint8_t)Entry};
    INTRO_EXCFILE_WRITER w;

    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteIdt(&w, &idt));
}

static void PutGlobRecord(BUF *B, uint32_t Flags, unsigned Object, const char *Originator, const char *Victim,
                          const char *Process, const uint32_t *Ids, unsigned Count)
{
    INTRO_EXCFILE_GLOB g = {.Flags = Flags,
                            .ObjectType = (uint8_t)Object,
                            .Originator = {Originator, strlen(Originator)},
                            .Victim = {Victim, strlen(Victim)},
                            .Process = {Process, strlen(Process)},
                            .SigIds = {NULL, Ids, Count}};
    INTRO_EXCFILE_WRITER w;

    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteGlob(&w, &g));
}

/* OS-version (11) or introcore-version (12) signature with raw bounds (spec §2.6.7, §2.6.8). */
static void PutVersion(BUF *B, unsigned Type, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    INTRO_EXCFILE_VERSION v = {.Id = Id, .Flags = Flags, .Minimum = Minimum, .Maximum = Maximum};
    INTRO_EXCFILE_WRITER w;

    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteVersion(&w, (uint8_t)Type, &v));
}

static void PutProcessCreation(BUF *B, uint32_t Id, uint32_t Flags, uint32_t CreateMask)
{
    INTRO_EXCFILE_PROCESS_CREATION pc = {.Id = Id, .Flags = Flags, .CreateMask = CreateMask};
    INTRO_EXCFILE_WRITER w;

    WriterOn(B, &w);
    Written(B, &w, IntExcFileWriteProcessCreation(&w, &pc));
}

/* ---- Capturing output ------------------------------------------------------------------------- */

static char *ReadAll(FILE *F)
{
    long size;
    char *text;

    fflush(F);
    fseek(F, 0, SEEK_END);
    size = ftell(F);
    fseek(F, 0, SEEK_SET);
    text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, F), (size_t)size);
    return text;
}

static void WriteFile(const char *Path, const void *Data, size_t Size)
{
    FILE *f = fopen(Path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(Data, 1, Size, f), Size);
    fclose(f);
}

static char gTmpDir[256];

static int SetupTmp(void **state)
{
    (void)state;
    snprintf(gTmpDir, sizeof(gTmpDir), "/tmp/ig-cli-test-XXXXXX");
    return mkdtemp(gTmpDir) ? 0 : -1;
}

static int TeardownTmp(void **state)
{
    char cmd[512];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", gTmpDir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Dumps B through IgDumpFile; returns the exit code and the captured streams. */
static int DumpBuf(const BUF *B, IG_DUMP_FORMAT Format, char **Out, char **Err)
{
    char path[512];
    FILE *out = tmpfile();
    FILE *err = tmpfile();
    int rc;

    snprintf(path, sizeof(path), "%s/in.bin", gTmpDir);
    WriteFile(path, B->Data, B->Size);
    rc = IgDumpFile(path, Format, out, err);
    *Out = ReadAll(out);
    *Err = ReadAll(err);
    fclose(out);
    fclose(err);
    return rc;
}

static void PutGlob(BUF *B, const char *Originator, const char *Victim, const char *Process);
static INTSTATUS Decompile(const BUF *B, IG_DECOMPILED *Out, char **Err);

/* ---- dump: small files ----------------------------------------------------------------------- */

static void test_dump_text_small(void **state)
{
    BUF b;
    char *out, *err;
    char hex[2 * INTRO_EXC_SHA256_SIZE + 1], first[128];

    (void)state;
    PutHeader(&b, 1, 0, 1, 7, 0, 0);
    PutHex(&b, "01 1800 | 02000000 ffffffff 00000000 06000020 00 02 0100 | 14000096");                  /* §8.2 */
    PutHex(&b, "08 1e00 | 0c00007d 03000000 fbff 0900 | 0d00 0001 0001 0001 0001 0f00 0100 c100 c300"); /* §8.6 */
    PutRaw(&b, 7, "deadbeef"); /* reserved type: skipped by size */

    assert_int_equal(DumpBuf(&b, IgDumpText, &out, &err), IG_EXIT_OK);
    assert_string_equal(err, "");
    /* The first line carries the file's SHA-256, what IntSetExceptionsDigest pins. */
    IgSha256Hex(b.Data, b.Size, hex);
    snprintf(first, sizeof(first), "exceptions file, 103 bytes, sha256 %s\n", hex);
    assert_int_equal(strncmp(out, first, strlen(first)), 0);
    assert_string_equal(out + strlen(first),
                        "\n"
                        "header @ 0x00000000, size 36\n"
                        "  magic           0x414E5845 EXNA\n"
                        "  version         2.2\n"
                        "  kernel          1\n"
                        "  user            0\n"
                        "  signatures      1\n"
                        "  build           7\n"
                        "  user-glob-match 0\n"
                        "  kernel-user     0\n"
                        "  reserved        0x00000000\n"
                        "\n"
                        "record 0 @ 0x00000024: kernel (type 1), size 24\n"
                        "  originator      0x00000002 [kernel]\n"
                        "  originator-path 0xFFFFFFFF\n"
                        "  victim          0x00000000 *\n"
                        "  flags           0x20000006 32 64 write\n"
                        "  reserved        0x00\n"
                        "  object-type     2 driver\n"
                        "  signatures      1\n"
                        "    0x96000014 codeblocks #20\n"
                        "\n"
                        "record 1 @ 0x0000003F: value-code (type 8), size 30\n"
                        "  id              0x7D00000C value-code #12\n"
                        "  flags           0x00000003 32 64\n"
                        "  offset          -5\n"
                        "  length          9\n"
                        "  pattern         0D ?? ?? ?? ?? 0F 01 C1 C3\n"
                        "\n"
                        "record 2 @ 0x00000060: unknown (type 7), size 4\n"
                        "  body            DE AD BE EF\n"
                        "\n"
                        "3 records: 1 kernel, 0 user, 0 user-apc, 0 user-glob-match, 0 kernel-user, 0 version-os, "
                        "0 version-intro, 0 process-creation, 0 export, 0 value, 0 idt, 1 value-code, 0 codeblocks, "
                        "1 unknown\n");
    free(out);
    free(err);
}

/* Every other record kind, with the spec §8 bytes where the spec quotes them. */
static void BuildAllKinds(BUF *B)
{
    PutHeader(B, 0, 2, 8, 0, 1, 1);
    PutHex(B, "02 1800 | 04000000 00000000 03119b20 06000040 00 05 0100 | 2000007d"); /* §8.3 */
    PutHex(B, "09 1800 | 8a27d3bb 00000000 00000000 06010020 00 0a 0100 | 21000019"); /* §8.4 */
    PutHex(B, "0e 2400 | 02000000 c54e9dbe 03119b20 06000020 00 02 0400 | "
              "1d000019 1f000019 1b000096 1c000096");                                                 /* §8.5 */
    PutGlobRecord(B, 0x20000106, 3, "svc*.exe", "ntdll.dll", "*", (const uint32_t[]){0x19000021}, 1); /* §2.5 */
    PutHex(B, "04 1800 | 21000019 03000000 03922edf 01 000000 | 0000 0000 00000000");                 /* §8.6 export */
    PutHex(B, "05 1800 | 10000032 03000000 01 01 0000 | 0000 0100 00000000 69cff888");                /* §8.6 value */
    PutHex(B, "0a 0c00 | 1600004b 03000000 02 000000");                                               /* §8.6 idt */
    PutHex(B, "03 2c00 | 26000096 03000000 03 02 | 04 e382322a 6d490f3b ff1c8c4d 2c8981de | "
              "04 966c5d3c 2a2cad4e e753ff89 c291d9ca"); /* §8.6 codeblocks */
    /* §2.6.7 version-os, Linux "4.*.10" .. "5.10.*": v | p << 8 | s << 16 | backport << 32 */
    PutVersion(B, 11, 0x0C800001, 0x83, 0x00000000000A0004ull, 0x0000FFFFFFFF0A05ull);
    PutVersion(B, 11, 0x0C800002, 0x3, 9200, 0xFFFF); /* Windows build numbers 9200 .. * */
    /* §2.6.8 version-intro "1.2.3" .. "1.*.*": major | minor << 16 | revision << 32 | build << 48 */
    PutVersion(B, 12, 0x0CC00003, 0x3, 0x0000000300020001ull, 0xFFFFFFFFFFFF0001ull);
    PutProcessCreation(B, 0x11800004, 0x3, 0x105); /* §2.6.9 process-creation: debug | stolen-token | 0x100 */
}

static void test_dump_text_all_kinds(void **state)
{
    BUF b;
    char *out, *err;

    (void)state;
    BuildAllKinds(&b);
    assert_int_equal(DumpBuf(&b, IgDumpText, &out, &err), IG_EXIT_OK);
    assert_string_equal(err, "");

    static const char *const expect[] = {
        /* UM nx_zone (§8.3) */
        "record 0 @ 0x00000024: user (type 2), size 24\n"
        "  originator      0x00000004 -\n"
        "  victim          0x00000000 *\n"
        "  process         0x209B1103\n"
        "  flags           0x40000006 32 64 exec\n"
        "  reserved        0x00\n"
        "  object-type     5 nx_zone\n"
        "  signatures      1\n"
        "    0x7D000020 value-code #32\n",
        /* APC: user-mode flag names (§8.4) */
        "  flags           0x20000106 32 64 system-process write\n"
        "  reserved        0x00\n"
        "  object-type     10 apc-thread\n",
        /* KUM: kernel-mode special name for the originator, IDs split (§8.5) */
        "record 2 @ 0x0000005A: kernel-user (type 14), size 36\n"
        "  originator      0x00000002 [kernel]\n"
        "  victim          0xBE9D4EC5\n"
        "  process         0x209B1103\n"
        "  flags           0x20000006 32 64 write\n"
        "  reserved        0x00\n"
        "  object-type     2 module\n"
        "  signatures      4\n"
        "    0x1900001D export #29\n"
        "    0x1900001F export #31\n"
        "    0x9600001B codeblocks #27\n"
        "    0x9600001C codeblocks #28\n",
        /* glob */
        "user-glob-match (type 6), size 33\n"
        "  flags           0x20000106 32 64 system-process write\n"
        "  reserved        0x00\n"
        "  object-type     3 module\n"
        "  originator      \"svc*.exe\"\n"
        "  victim          \"ntdll.dll\"\n"
        "  process         \"*\"\n"
        "  signatures      1\n"
        "    0x19000021 export #33\n",
        /* export with a `*` function name */
        "  id              0x19000021 export #33\n"
        "  flags           0x00000003 32 64\n"
        "  library         0xDF2E9203\n"
        "  align           00 00 00\n"
        "  entries         1\n"
        "    entry 0: delta 0, reserved 00 00, name 0x00000000 *\n",
        "  score           1\n"
        "  align           0x0000\n"
        "  entries         1\n"
        "    entry 0: offset 0, size 1, reserved 00 00 00 00, hash 0x88F8CF69\n",
        "  id              0x4B000016 idt #22\n"
        "  flags           0x00000003 32 64\n"
        "  entry           2\n"
        "  reserved        00 00 00\n",
        "  id              0x96000026 codeblocks #38\n"
        "  flags           0x00000003 32 64\n"
        "  score           3\n"
        "  lists           2 (8 hashes)\n"
        "    list 0 (4): 0x2A3282E3 0x3B0F496D 0x4D8C1CFF 0xDE81892C\n"
        "    list 1 (4): 0x3C5D6C96 0x4EAD2C2A 0x89FF53E7 0xCAD991C2\n",
        "  id              0x0C800001 version-os #1\n"
        "  flags           0x00000083 32 64 linux\n"
        "  minimum         0x00000000000A0004 (windows build 655364; linux 4.0.10 backport 0)\n"
        "  maximum         0x0000FFFFFFFF0A05 (windows build 281474976647685; linux 5.10.65535 backport 65535)\n",
        "  minimum         0x00000000000023F0 (windows build 9200; linux 240.35.0 backport 0)\n"
        "  maximum         0x000000000000FFFF (windows build 65535 = *; linux 255.255.0 backport 0)\n",
        "  id              0x0CC00003 version-intro #3\n"
        "  flags           0x00000003 32 64\n"
        "  minimum         0x0000000300020001 (introcore 1.2.3 build 0)\n"
        "  maximum         0xFFFFFFFFFFFF0001 (introcore 1.65535.65535 build 65535)\n",
        "  id              0x11800004 process-creation #4\n"
        "  flags           0x00000003 32 64\n"
        "  create-mask     0x00000105 debug stolen-token 0x00000100\n"
        "  reserved        00 00 00 00 00 00 00 00 00 00 00 00\n",
        "\n12 records: 0 kernel, 1 user, 1 user-apc, 1 user-glob-match, 1 kernel-user, 2 version-os, "
        "1 version-intro, 1 process-creation, 1 export, 1 value, 1 idt, 0 value-code, 1 codeblocks, 0 unknown\n",
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
    {
        if (!strstr(out, expect[i]))
        {
            fail_msg("missing from the dump:\n%s\n--- dump ---\n%s", expect[i], out);
        }
    }
    free(out);
    free(err);
}

static void test_dump_json_all_kinds(void **state)
{
    BUF b;
    char *out, *err, *again, *err2;
    json_object *doc, *rec, *fields, *v;

    (void)state;
    BuildAllKinds(&b);
    assert_int_equal(DumpBuf(&b, IgDumpJson, &out, &err), IG_EXIT_OK);
    assert_string_equal(err, "");
    doc = json_tokener_parse(out);
    assert_non_null(doc);

    assert_true(json_object_object_get_ex(doc, "header", &v));
    assert_int_equal(json_object_get_int(json_object_object_get(v, "glob_count")), 1);
    assert_string_equal(json_object_get_string(json_object_object_get(v, "magic")), "0x414E5845");
    assert_true(json_object_object_get_ex(doc, "records", &v));
    assert_int_equal(json_object_array_length(v), 12);

    rec = json_object_array_get_idx(v, 2); /* KUM */
    assert_string_equal(json_object_get_string(json_object_object_get(rec, "kind")), "kernel-user");
    assert_int_equal(json_object_get_int(json_object_object_get(rec, "offset")), 0x5A);
    fields = json_object_object_get(rec, "fields");
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(fields, "originator"), "special")),
        "[kernel]");
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(fields, "victim"), "hash")), "0xBE9D4EC5");
    v = json_object_array_get_idx(json_object_object_get(fields, "signatures"), 3);
    assert_string_equal(json_object_get_string(json_object_object_get(v, "id")), "0x9600001C");
    assert_string_equal(json_object_get_string(json_object_object_get(v, "type")), "codeblocks");
    assert_int_equal(json_object_get_int(json_object_object_get(v, "type_code")), 600);
    assert_int_equal(json_object_get_int(json_object_object_get(v, "seq")), 28);

    rec = json_object_array_get_idx(json_object_object_get(doc, "records"), 11); /* process-creation */
    fields = json_object_object_get(rec, "fields");
    v = json_object_object_get(fields, "create_mask");
    assert_string_equal(json_object_get_string(json_object_object_get(v, "unnamed")), "0x00000100");
    assert_string_equal(json_object_get_string(json_object_array_get_idx(json_object_object_get(v, "names"), 1)),
                        "stolen-token");

    rec = json_object_array_get_idx(json_object_object_get(doc, "records"), 8); /* version-os linux */
    v = json_object_object_get(json_object_object_get(rec, "fields"), "maximum");
    assert_string_equal(json_object_get_string(json_object_object_get(v, "raw")), "0x0000FFFFFFFF0A05");
    assert_int_equal(json_object_get_int(json_object_object_get(json_object_object_get(v, "linux"), "patch")), 10);

    v = json_object_object_get(doc, "counts");
    assert_int_equal(json_object_get_int(json_object_object_get(v, "records")), 12);
    assert_int_equal(json_object_get_int(json_object_object_get(v, "version-os")), 2);
    json_object_put(doc);

    /* Deterministic: the same bytes dump to the same text. */
    assert_int_equal(DumpBuf(&b, IgDumpJson, &again, &err2), IG_EXIT_OK);
    assert_string_equal(out, again);
    free(out);
    free(err);
    free(again);
    free(err2);
}

/* ---- dump: corrupt files ------------------------------------------------------------------- */

static void ExpectCorrupt(const BUF *B, const char *Message)
{
    char *out, *err;
    char expect[1024];

    assert_int_equal(DumpBuf(B, IgDumpText, &out, &err), IG_EXIT_FAILURE);
    assert_string_equal(out, ""); /* nothing on stdout for a file that fails */
    snprintf(expect, sizeof(expect), "introguard: %s/in.bin: %s\n", gTmpDir, Message);
    assert_string_equal(err, expect);
    free(out);
    free(err);
}

static void test_dump_corrupt(void **state)
{
    BUF b;

    (void)state;
    /* Truncated header. */
    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    b.Size = 20;
    ExpectCorrupt(&b, "byte 0 (0x0): file is 20 bytes; it must be longer than the 36-byte header "
                      "[INT_STATUS_INVALID_PARAMETER_2, INT_STATUS_EXC_FILE_TOO_SHORT]");

    /* Bad magic. */
    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    b.Data[0] = 'X';
    PutIdtSig(&b, 0x4B000001, 3, 1);
    ExpectCorrupt(&b, "byte 0 (0x0): header: magic is 0x414E5858, expected 0x414E5845 (\"EXNA\") "
                      "[INT_STATUS_INVALID_DATA_TYPE, INT_STATUS_EXC_BAD_MAGIC]");

    /* A record body that runs past the end (spec §8.2 bytes, cut after 10 body bytes). */
    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutHex(&b, "01 1800 | 02000000 ffffffff 0000");
    ExpectCorrupt(&b, "byte 37 (0x25): record 0 (kernel, type 1) at offset 36: body of 24 bytes runs past the end "
                      "of the file (10 bytes left) [INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_PAST_END]");

    /* A size that disagrees with the contents: SigCount 1 needs 24 bytes, the header says 22. */
    PutHeader(&b, 2, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    PutHex(&b, "01 1600 | 02000000 ffffffff 00000000 06000020 00 02 0100 | 1400");
    ExpectCorrupt(&b, "byte 60 (0x3C): record 1 (kernel, type 1) at offset 59: body is 22 bytes, its contents "
                      "need 24 [INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_SIZE_MISMATCH]");

    /* A record header cut short after a good record. */
    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    PutHex(&b, "0100");
    ExpectCorrupt(&b, "byte 59 (0x3B): record 1 at offset 59: only 2 bytes left, a record header "
                      "needs 3 [INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_TRUNCATED_HEADER]");

    /* A body shorter than the kind's fixed part. */
    PutHeader(&b, 0, 0, 0, 0, 0, 1);
    PutRaw(&b, 14, "00000000");
    ExpectCorrupt(&b, "byte 37 (0x25): record 0 (kernel-user, type 14) at offset 36: body is 4 bytes, shorter than "
                      "the 20-byte fixed part [INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_TOO_SHORT]");
}

static void test_glob_not_utf8(void **state)
{
    IG_DECOMPILED d;
    char *out, *err;
    json_object *doc, *fields;
    BUF b;

    (void)state;
    PutHeader(&b, 0, 0, 0, 0, 1, 0);
    PutGlob(&b, "ab\xFF*", "*", "*");

    /* Text shows the byte escaped; JSON cannot hold it as a string, so it gives the bytes. */
    assert_int_equal(DumpBuf(&b, IgDumpText, &out, &err), IG_EXIT_OK);
    assert_non_null(strstr(out, "  originator      \"ab\\xFF*\"\n"));
    free(out);
    free(err);
    assert_int_equal(DumpBuf(&b, IgDumpJson, &out, &err), IG_EXIT_OK);
    doc = json_tokener_parse(out);
    assert_non_null(doc);
    fields = json_object_object_get(json_object_array_get_idx(json_object_object_get(doc, "records"), 0), "fields");
    assert_true(json_object_object_get_ex(fields, "originator", NULL));
    assert_null(json_object_object_get(fields, "originator"));
    assert_int_equal(
        json_object_get_int(json_object_array_get_idx(json_object_object_get(fields, "originator_bytes"), 2)), 0xFF);
    assert_string_equal(json_object_get_string(json_object_object_get(fields, "victim")), "*");
    json_object_put(doc);
    free(out);
    free(err);

    assert_false(INT_SUCCESS(Decompile(&b, &d, &err)));
    assert_string_equal(err, "introguard: in.bin: record 0 (user-glob-match, type 6) at offset 36: cannot be "
                             "expressed in JSON: its originator pattern is not valid UTF-8\n");
    free(err);
}

/* Non-ASCII glob patterns: text shows the characters (a bidirectional control escaped), JSON holds
 * the string, decompile writes it as it is. */
static void test_glob_utf8(void **state)
{
    IG_DECOMPILED d;
    char *out, *err;
    json_object *doc, *fields;
    BUF b;

    (void)state;
    PutHeader(&b, 0, 0, 0, 0, 1, 0);
    PutGlob(&b, "\303\251*", "\320\226\342\200\256*", "\360\220\220\250?");

    assert_int_equal(DumpBuf(&b, IgDumpText, &out, &err), IG_EXIT_OK);
    assert_non_null(strstr(out, "  originator      \"\303\251*\"\n"));
    assert_non_null(strstr(out, "  victim          \"\320\226\\u202E*\"\n"));
    assert_non_null(strstr(out, "  process         \"\360\220\220\250?\"\n"));
    free(out);
    free(err);
    assert_int_equal(DumpBuf(&b, IgDumpJson, &out, &err), IG_EXIT_OK);
    doc = json_tokener_parse(out);
    assert_non_null(doc);
    fields = json_object_object_get(json_object_array_get_idx(json_object_object_get(doc, "records"), 0), "fields");
    assert_string_equal(json_object_get_string(json_object_object_get(fields, "originator")), "\303\251*");
    assert_string_equal(json_object_get_string(json_object_object_get(fields, "victim")), "\320\226\342\200\256*");
    json_object_put(doc);
    free(out);
    free(err);

    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    assert_non_null(strstr(d.Files[0].Json.Data, "\"originator\": \"\303\251*\""));
    assert_non_null(strstr(d.Files[0].Json.Data, "\"process\": \"\360\220\220\250?\""));
    IgDecompiledFree(&d);
    free(err);
}

static void test_dump_missing_file(void **state)
{
    FILE *out = tmpfile(), *err = tmpfile();
    char *o, *e;
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/does-not-exist.bin", gTmpDir);
    assert_int_equal(IgDumpFile(path, IgDumpText, out, err), IG_EXIT_FAILURE);
    o = ReadAll(out);
    e = ReadAll(err);
    assert_string_equal(o, "");
    assert_non_null(strstr(e, "does-not-exist.bin: cannot open: No such file or directory\n"));
    free(o);
    free(e);
    fclose(out);
    fclose(err);
}

/* ---- dump: hvmi's corpus ------------------------------------------------------------------- */

static uint8_t *LoadCorpus(size_t *Size)
{
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");
    char path[4096];
    uint8_t *data = NULL;

    if (!dir || !*dir)
    {
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/exceptions.bin", dir);
    assert_int_equal(IgReadWholeFile(path, IG_TOOL_MAX_BINARY_FILE, &data, Size, stderr), INT_STATUS_SUCCESS);
    return data;
}

static void test_dump_corpus(void **state)
{
    size_t size = 0;
    uint8_t *data = LoadCorpus(&size);
    char *text = NULL;
    size_t textSize = 0;
    FILE *mem;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    json_object *doc, *counts, *records, *rec, *fields;

    (void)state;
    if (!data)
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS not set\n");
        skip();
    }
    assert_int_equal(size, 11243);
    mem = open_memstream(&text, &textSize);
    assert_int_equal(IgDumpBuffer(data, size, IgDumpJson, mem, &error), INT_STATUS_SUCCESS);
    fclose(mem);
    doc = json_tokener_parse(text);
    assert_non_null(doc);

    /* spec §8.0 / §8.7 */
    counts = json_object_object_get(doc, "counts");
    static const struct
    {
        const char *Kind;
        int Count;
    } expect[] = {
        {"records", 157}, {"kernel", 32}, {"user", 64}, {"user-apc", 1},    {"kernel-user", 4}, {"user-glob-match", 0},
        {"export", 11},   {"value", 5},   {"idt", 3},   {"value-code", 11}, {"codeblocks", 26}, {"unknown", 0},
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
    {
        assert_int_equal(json_object_get_int(json_object_object_get(counts, expect[i].Kind)), expect[i].Count);
    }

    records = json_object_object_get(doc, "records");
    /* §8.2 record 2: victim 0x5A669414, flags 0x2000100E, object fastio */
    rec = json_object_array_get_idx(records, 2);
    assert_int_equal(json_object_get_int(json_object_object_get(rec, "offset")), 0x5A);
    fields = json_object_object_get(rec, "fields");
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(fields, "victim"), "hash")), "0x5A669414");
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(fields, "flags"), "value")), "0x2000100E");
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(fields, "object_type"), "name")),
        "fastio");
    /* §8.6 last record: codeblocks 0x96000038, flags 7 = 32 64 medium, 4 lists */
    rec = json_object_array_get_idx(records, 156);
    assert_int_equal(json_object_get_int(json_object_object_get(rec, "offset")), 0x2B9A);
    fields = json_object_object_get(rec, "fields");
    assert_string_equal(json_object_get_string(json_object_object_get(json_object_object_get(fields, "id"), "id")),
                        "0x96000038");
    assert_int_equal(json_object_array_length(json_object_object_get(json_object_object_get(fields, "flags"), "names")),
                     3);
    assert_int_equal(json_object_array_length(json_object_object_get(fields, "lists")), 4);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(
                            json_object_array_get_idx(json_object_object_get(fields, "lists"), 0), 0)),
                        "0x198310C1");
    json_object_put(doc);
    free(text);

    /* The text form of §8.4 (the APC record). */
    mem = open_memstream(&text, &textSize);
    assert_int_equal(IgDumpBuffer(data, size, IgDumpText, mem, &error), INT_STATUS_SUCCESS);
    fclose(mem);
    assert_non_null(strstr(text, "record 71 @ 0x000007AD: user-apc (type 9), size 24\n"
                                 "  originator      0xBBD3278A\n"
                                 "  victim          0x00000000 *\n"
                                 "  process         0x00000000 *\n"
                                 "  flags           0x20000106 32 64 system-process write\n"));
    free(text);
    free(data);
}

/* ---- decompile ----------------------------------------------------------------------------- */

/* Decompiles B; returns the status, the files, and what went to stderr. */
static INTSTATUS Decompile(const BUF *B, IG_DECOMPILED *Out, char **Err)
{
    FILE *err = tmpfile();
    INTSTATUS status = IgDecompileBuffer(B->Data, B->Size, "in.bin", Out, err);

    *Err = ReadAll(err);
    fclose(err);
    return status;
}

static const char *FileNamed(const IG_DECOMPILED *D, const char *Name)
{
    for (size_t i = 0; i < D->Count; i++)
    {
        if (strcmp(D->Files[i].Name, Name) == 0)
        {
            return D->Files[i].Json.Data;
        }
    }
    fail_msg("no file %s", Name);
    return NULL;
}

static void test_decompile_small(void **state)
{
    static const uint32_t cb1[] = {0x96000001};
    static const uint32_t idt2[] = {0x4B000002};
    IG_DECOMPILED d;
    char *err;
    BUF b;

    (void)state;
    PutHeader(&b, 2, 1, 2, 0, 0, 1);
    /* KM: default flags, with `integrity` on security-descriptor (originator `-` set by the
     * compiler, so left out), explicit return-drv alone (only flags_raw can say it) */
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, cb1, 1);
    PutException(&b, 1, 4, 0xFFFFFFFF, 0x41CF65CE, 0x20001006, 22, NULL, 0);
    /* UM: process-creation object (exec default), unknown object type 200 */
    PutException(&b, 2, 0x80689A87, 0, 0, 0x40000006, 11, idt2, 1);
    /* KUM: return-drv alone is accepted for KUM, `user` picks the user-mode table */
    PutException(&b, 14, 3, 0xBE9D4EC5, 0, 0x20008206, 2, NULL, 0);
    PutIdtSig(&b, 0x4B000002, 0x1, 3);
    {
        static const uint8_t sizes[] = {2};
        static const uint32_t hashes[] = {0x11111111, 0x22222222};
        INTRO_EXCFILE_CODEBLOCKS cb = {
            .Id = 0x96000001, .Flags = 0x7, .Score = 2, .ListCount = 1, .ListSizes = sizes, .Hashes = hashes};
        INTRO_EXCFILE_WRITER w;

        WriterOn(&b, &w);
        Written(&b, &w, IntExcFileWriteCodeBlocks(&w, &cb));
    }

    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    assert_string_equal(err, "");
    assert_int_equal(d.Count, 4);
    assert_int_equal(d.NoteCount, 0);
    assert_string_equal(FileNamed(&d, "00-signatures.json"), "{\n"
                                                             "    \"Type\": \"user\",\n"
                                                             "    \"Signatures\": [\n"
                                                             "        {\n"
                                                             "            \"sig_type\": \"codeblocks\",\n"
                                                             "            \"sig_id\": \"sig-96000001\",\n"
                                                             "            \"score\": 2,\n"
                                                             "            \"flags\": \"medium\",\n"
                                                             "            \"hashes\": [\n"
                                                             "                [\"0x11111111\", \"0x22222222\"]\n"
                                                             "            ]\n"
                                                             "        },\n"
                                                             "\n"
                                                             "        {\n"
                                                             "            \"sig_type\": \"idt\",\n"
                                                             "            \"sig_id\": \"sig-4b000002\",\n"
                                                             "            \"flags\": \"32\",\n"
                                                             "            \"entry\": 3\n"
                                                             "        }\n"
                                                             "    ]\n"
                                                             "}\n");
    assert_string_equal(FileNamed(&d, "01-kernel.json"), "{\n"
                                                         "    \"Type\": \"kernel\",\n"
                                                         "    \"Exceptions\": [\n"
                                                         "        {\n"
                                                         "            \"originator\": \"[kernel]\",\n"
                                                         "            \"victim\": \"*\",\n"
                                                         "            \"object_type\": \"driver\",\n"
                                                         "            \"signatures\": [\"sig-96000001\"]\n"
                                                         "        },\n"
                                                         "\n"
                                                         "        {\n"
                                                         "            \"victim_hash\": \"0x41CF65CE\",\n"
                                                         "            \"object_type\": \"security-descriptor\",\n"
                                                         "            \"flags\": \"integrity\"\n"
                                                         "        }\n"
                                                         "    ]\n"
                                                         "}\n");
    assert_string_equal(FileNamed(&d, "02-user.json"), "{\n"
                                                       "    \"Type\": \"user\",\n"
                                                       "    \"Exceptions\": [\n"
                                                       "        {\n"
                                                       "            \"originator_hash\": \"0x80689A87\",\n"
                                                       "            \"victim\": \"*\",\n"
                                                       "            \"object_type\": \"process-creation\",\n"
                                                       "            \"signatures\": [\"sig-4b000002\"]\n"
                                                       "        }\n"
                                                       "    ]\n"
                                                       "}\n");
    assert_string_equal(FileNamed(&d, "03-kernel-user.json"), "{\n"
                                                              "    \"Type\": \"kernel-user\",\n"
                                                              "    \"Exceptions\": [\n"
                                                              "        {\n"
                                                              "            \"originator\": \"[vsyscall]\",\n"
                                                              "            \"victim_hash\": \"0xBE9D4EC5\",\n"
                                                              "            \"object_type\": \"module\",\n"
                                                              "            \"flags\": \"return-drv user\"\n"
                                                              "        }\n"
                                                              "    ]\n"
                                                              "}\n");
    IgDecompiledFree(&d);
    free(err);
}

/* Single exception entries: the record, and the JSON body decompile must give for it. */
typedef struct ENTRY_CASE
{
    unsigned Type;
    uint32_t W0, W1, W2, Flags;
    unsigned Object;
    const char *Json; /* the entry's fields, one per line, without braces */
} ENTRY_CASE;

static const ENTRY_CASE kEntryCases[] = {
    /* KM: return-drv without return/non-driver cannot be spelt: flags_raw */
    {1, 2, 0xFFFFFFFF, 0, 0x20000206, 2,
     "\"originator\": \"[kernel]\",\n\"victim\": \"*\",\n\"object_type\": \"driver\",\n\"flags_raw\": \"0x20000206\""},
    /* KM: return implies return-drv, so "return" alone gives both */
    {1, 0xE2D047AB, 0xFFFFFFFF, 0, 0x20000216, 2,
     "\"originator_hash\": \"0xE2D047AB\",\n\"victim\": \"*\",\n\"object_type\": \"driver\",\n\"flags\": \"return\""},
    /* KM: neither 32 nor 64 is not expressible (the compiler adds both) */
    {1, 2, 0xFFFFFFFF, 0, 0x20000000, 2,
     "\"originator\": \"[kernel]\",\n\"victim\": \"*\",\n\"object_type\": \"driver\",\n\"flags_raw\": \"0x20000000\""},
    /* KM: only 64, read instead of the write default; msr takes no victim */
    {1, 4, 0xFFFFFFFF, 0, 0x10000004, 10, "\"originator\": \"-\",\n\"object_type\": \"msr\",\n\"flags\": \"64 read\""},
    /* KM: an unnamed bit */
    {1, 2, 0xFFFFFFFF, 0, 0x20100006, 2,
     "\"originator\": \"[kernel]\",\n\"victim\": \"*\",\n\"object_type\": \"driver\",\n\"flags_raw\": \"0x20100006\""},
    /* KM: cr4 without smep/smap is rejected by the compiler: flags_raw */
    {1, 2, 0xFFFFFFFF, 0, 0x20000006, 11,
     "\"originator\": \"[kernel]\",\n\"object_type\": \"cr4\",\n\"flags_raw\": "
     "\"0x20000006\""},
    {1, 2, 0xFFFFFFFF, 0, 0x20000806, 11,
     "\"originator\": \"[kernel]\",\n\"object_type\": \"cr4\",\n\"flags\": \"smep\""},
    /* KM: an originator on token-privs with integrity can only be a hash (the compiler forces `-`) */
    {1, 2, 0xFFFFFFFF, 0x41CF65CE, 0x20001006, 19,
     "\"originator_hash\": \"0x00000002\",\n\"victim_hash\": \"0x41CF65CE\",\n\"object_type\": \"token-privs\",\n"
     "\"flags\": \"integrity\""},
    /* KM: an object type without a keyword */
    {1, 2, 0xFFFFFFFF, 0, 0x20000006, 200,
     "\"originator\": \"[kernel]\",\n\"victim\": \"*\",\n\"object_type_raw\": 200"},
    /* UM: nx_zone exec default, victim left to its default */
    {2, 4, 0, 0x209B1103, 0x40000006, 5,
     "\"originator\": \"-\",\n\"process_hash\": \"0x209B1103\",\n\"object_type\": \"nx_zone\""},
    /* UM: module requires a process, even `*` */
    {2, 0, 0xBE9D4EC5, 0, 0x20000206, 3,
     "\"originator\": \"*\",\n\"victim_hash\": \"0xBE9D4EC5\",\n\"process\": \"*\",\n\"object_type\": \"module\",\n"
     "\"flags\": \"child\""},
    /* UM: [vdso] is a user-mode special name; debug/reserved share a bit and print as `debug` */
    {2, 2, 3, 0, 0x20002004, 2,
     "\"originator\": \"[vdso]\",\n\"victim\": \"[vsyscall]\",\n\"object_type\": "
     "\"process\",\n\"flags\": \"64 debug\""},
    /* APC: exec is the default only for nx_zone */
    {9, 0xBBD3278A, 0, 0, 0x40000006, 10,
     "\"originator_hash\": \"0xBBD3278A\",\n\"victim\": \"*\",\n\"object_type\": \"apc-thread\",\n\"flags\": \"exec\""},
    /* UM: the same record is the default for process-creation */
    {2, 0xBBD3278A, 0, 0, 0x40000006, 11,
     "\"originator_hash\": \"0xBBD3278A\",\n\"victim\": \"*\",\n\"object_type\": \"process-creation\""},
    /* KUM: non-driver without return-drv reads as system-process (no implied bit) */
    {14, 2, 0xBE9D4EC5, 0x209B1103, 0x20000106, 2,
     "\"originator\": \"[kernel]\",\n\"victim_hash\": \"0xBE9D4EC5\",\n\"process_hash\": \"0x209B1103\",\n"
     "\"object_type\": \"module\",\n\"flags\": \"system-process\""},
    /* KUM: non-driver with return-drv */
    {14, 2, 0xBE9D4EC5, 0, 0x20000306, 2,
     "\"originator\": \"[kernel]\",\n\"victim_hash\": \"0xBE9D4EC5\",\n\"object_type\": \"module\",\n\"flags\": "
     "\"non-driver\""},
    /* KUM: user+kernel is rejected by the compiler; with flags_raw, originator 2 is ambiguous */
    {14, 2, 0xBE9D4EC5, 0, 0x20018006, 2,
     "\"originator_hash\": \"0x00000002\",\n\"victim_hash\": \"0xBE9D4EC5\",\n\"object_type\": \"module\",\n"
     "\"flags_raw\": \"0x20018006\""},
};

static void test_decompile_entries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(kEntryCases) / sizeof(kEntryCases[0]); i++)
    {
        const ENTRY_CASE *c = &kEntryCases[i];
        char expect[2048], *p = expect, *err;
        const char *json;
        IG_DECOMPILED d;
        BUF b;

        PutHeader(&b, c->Type == 1, c->Type == 2 || c->Type == 9, 0, 0, 0, c->Type == 14);
        PutException(&b, c->Type, c->W0, c->W1, c->W2, c->Flags, c->Object, NULL, 0);
        assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
        assert_string_equal(err, "");
        assert_int_equal(d.Count, 1);
        json = d.Files[0].Json.Data;

        p += sprintf(p, "        {\n            ");
        for (const char *s = c->Json; *s; s++)
        {
            p += *s == '\n' ? sprintf(p, "\n            ") : sprintf(p, "%c", *s);
        }
        sprintf(p, "\n        }\n");
        if (!strstr(json, expect))
        {
            fail_msg("case %zu: expected\n%s\ngot\n%s", i, expect, json);
        }
        IgDecompiledFree(&d);
        free(err);
    }
}

/* Appends every record of type Type from From (a whole file) to B: the library decodes, then writes it. */
static void CopyRecords(BUF *B, const BUF *From, unsigned Type)
{
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_ITERATOR iter;
    INTRO_EXCFILE_RECORD record;
    INTRO_EXCFILE_WRITER w;

    assert_int_equal(IntExcFileOpen(From->Data, From->Size, &header, &iter, NULL), INT_STATUS_SUCCESS);
    WriterOn(B, &w);
    while (IntExcFileNext(&iter, &record, NULL) == INT_STATUS_SUCCESS)
    {
        if (record.Type == Type)
        {
            assert_int_equal(IntExcFileWriteRecord(&w, &record), INT_STATUS_SUCCESS);
        }
    }
    B->Size = w.Size;
}

static void test_decompile_signature_forms(void **state)
{
    static const uint32_t refs[] = {0x0C800001, 0x0C800002, 0x0CC00003, 0x11800004};
    IG_DECOMPILED d;
    char *err;
    BUF b;

    (void)state;
    PutHeader(&b, 1, 0, 6, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, refs, 4);
    BUF all;
    BuildAllKinds(&all);
    /* In ascending ID order, as the compiler writes them: version-os 1, 2 (from BuildAllKinds), 5
     * (bounds that fit neither string form), version-intro 3, process-creation 4. */
    CopyRecords(&b, &all, 11);
    PutVersion(&b, 11, 0x0C800005, 0x3, 0x0001000000000000ull, 0xFFFF);
    CopyRecords(&b, &all, 12);
    PutProcessCreation(&b, 0x11800004, 0x3, 0x85); /* process-creation with named bits only */
    Recount(&b);

    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    /* seq 5 follows 1..4 without a gap, so no id_raw; the raw-bounds signature is unreferenced */
    assert_string_equal(err, "introguard: in.bin: note: signature 0x0C800005 is referenced by no exception; compile "
                             "drops it unless given --keep-unused\n");
    const char *sigs = FileNamed(&d, "00-signatures.json");
    static const char *const expect[] = {
        "\"sig_id\": \"sig-0c800001\",\n"
        "            \"flags\": \"linux\",\n"
        "            \"minimum\": \"4.0.10\",\n"
        "            \"maximum\": \"5.10.*\"\n",
        "\"sig_id\": \"sig-0c800002\",\n"
        "            \"minimum\": \"9200\",\n"
        "            \"maximum\": \"*\"\n",
        "\"sig_type\": \"version-intro\",\n"
        "            \"sig_id\": \"sig-0cc00003\",\n"
        "            \"minimum\": \"1.2.3\",\n"
        "            \"maximum\": \"1.*.*\"\n",
        "\"sig_type\": \"process-creation\",\n"
        "            \"sig_id\": \"sig-11800004\",\n"
        "            \"create_mask\": [\"debug\", \"stolen-token\", \"acl-edit\"]\n",
        "\"sig_id\": \"sig-0c800005\",\n"
        "            \"minimum_raw\": \"0x0001000000000000\",\n"
        "            \"maximum_raw\": \"0x000000000000FFFF\"\n",
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
    {
        if (!strstr(sigs, expect[i]))
        {
            fail_msg("missing:\n%s\nin:\n%s", expect[i], sigs);
        }
    }
    assert_null(strstr(sigs, "id_raw"));
    IgDecompiledFree(&d);
    free(err);
}

static void test_decompile_id_raw(void **state)
{
    static const uint32_t refs[] = {0x4B000001, 0x4B000003, 0x4B000004};
    IG_DECOMPILED d;
    char *err;
    BUF b;

    (void)state;
    /* Sequence 1, 3, 4: the compiler would number them 1, 2, 3, so from the gap on every ID is
     * explicit.  The record order is the compiler's (ascending IDs). */
    PutHeader(&b, 1, 0, 3, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 14, refs, 3);
    PutIdtSig(&b, 0x4B000001, 3, 1);
    PutIdtSig(&b, 0x4B000003, 3, 3);
    PutIdtSig(&b, 0x4B000004, 3, 4);
    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    assert_string_equal(err, "");
    const char *sigs = FileNamed(&d, "00-signatures.json");
    assert_non_null(strstr(sigs, "\"sig_id\": \"sig-4b000001\",\n            \"entry\": 1"));
    assert_non_null(strstr(sigs, "\"sig_id\": \"sig-4b000003\",\n            \"id_raw\": \"0x4B000003\",\n"));
    assert_non_null(strstr(sigs, "\"sig_id\": \"sig-4b000004\",\n            \"id_raw\": \"0x4B000004\",\n"));
    IgDecompiledFree(&d);
    free(err);
}

/* Decompiling B (its header counts made right: the failure is about something else) fails with Message. */
static void ExpectDecompileFails(const BUF *B, const char *Message)
{
    static BUF counted;
    IG_DECOMPILED d;
    char *err;

    counted = *B;
    Recount(&counted);
    assert_false(INT_SUCCESS(Decompile(&counted, &d, &err)));
    assert_int_equal(d.Count, 0);
    assert_string_equal(err, Message);
    free(err);
}

static void test_decompile_inexpressible(void **state)
{
    static const uint32_t missing[] = {0x96000009};
    BUF b;

    (void)state;
    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, missing, 1);
    ExpectDecompileFails(&b, "introguard: in.bin: record 0 (kernel, type 1) at offset 36: cannot be expressed in "
                             "JSON: it references signature 0x96000009, which is not in the file\n");

    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutHex(&b, "01 1400 | 02000000 ffffffff 00000000 06000020 01 02 0000"); /* reserved byte 1 */
    ExpectDecompileFails(&b, "introguard: in.bin: record 0 (kernel, type 1) at offset 36: cannot be expressed in "
                             "JSON: reserved byte is 0x01 (the compiler writes 0)\n");

    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0x12345678, 0, 0x20000006, 2, NULL, 0);
    ExpectDecompileFails(&b, "introguard: in.bin: record 0 (kernel, type 1) at offset 36: cannot be expressed in "
                             "JSON: originator path hash 0x12345678 (the compiler always writes 0xFFFFFFFF)\n");

    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    PutRaw(&b, 7, "00");
    ExpectDecompileFails(&b, "introguard: in.bin: record 1 (unknown, type 7) at offset 59: cannot be expressed in "
                             "JSON: unknown record type 7 (1 bytes)\n");

    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    PutIdtSig(&b, 0x96000001, 3, 1); /* an IDT record with a code-blocks ID */
    ExpectDecompileFails(&b, "introguard: in.bin: record 1 (idt, type 10) at offset 59: cannot be expressed in JSON: "
                             "signature ID 0x96000001 has type 600, the compiler derives 300 from sig_type\n");

    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    PutIdtSig(&b, 0x4B000001, 3, 1);
    PutIdtSig(&b, 0x4B000001, 3, 2);
    ExpectDecompileFails(&b, "introguard: in.bin: signature ID 0x4B000001 appears more than once; the compiler "
                             "requires unique IDs\n");

    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0x1234, 0x20000006, 10, NULL, 0);
    ExpectDecompileFails(&b, "introguard: in.bin: record 0 (kernel, type 1) at offset 36: cannot be expressed in "
                             "JSON: victim 0x00001234 on an object type that takes no victim\n");

    /* Corrupt input: the decoder's error, as dump prints it. */
    PutHeader(&b, 1, 0, 0, 0, 0, 0);
    PutHex(&b, "01 1800 | 02000000");
    ExpectDecompileFails(&b, "introguard: in.bin: byte 37 (0x25): record 0 (kernel, type 1) at offset 36: body of 24 "
                             "bytes runs past the end of the file (4 bytes left) [INT_STATUS_INVALID_DATA_STATE, "
                             "INT_STATUS_EXC_RECORD_PAST_END]\n");
}

static void PutGlob(BUF *B, const char *Originator, const char *Victim, const char *Process)
{
    PutGlobRecord(B, 0x20000006, 2, Originator, Victim, Process, NULL, 0);
}

static void test_decompile_glob_duplicates(void **state)
{
    IG_DECOMPILED d;
    char *err;
    BUF b;

    (void)state;
    /* hvmi's C3 layout: the `*`-prefixed pattern first, then all of them sorted. */
    PutHeader(&b, 0, 0, 0, 0, 3, 0);
    PutGlob(&b, "*chrome.exe", "*", "*");
    PutGlob(&b, "*chrome.exe", "*", "*");
    PutGlob(&b, "fire?ox.exe", "*", "*");
    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    assert_string_equal(err, "introguard: in.bin: note: the first 1 glob records repeat the glob-prefixed ones (hvmi "
                             "quirk C3); they are left out, compile with --hvmi-compat to reproduce them\n");
    assert_int_equal(d.Count, 1);
    assert_string_equal(d.Files[0].Name, "00-user-glob-match.json");
    assert_string_equal(d.Files[0].Json.Data, "{\n"
                                              "    \"Type\": \"user-glob-match\",\n"
                                              "    \"Exceptions\": [\n"
                                              "        {\n"
                                              "            \"originator\": \"*chrome.exe\",\n"
                                              "            \"victim\": \"*\",\n"
                                              "            \"process\": \"*\",\n"
                                              "            \"object_type\": \"process\"\n"
                                              "        },\n"
                                              "\n"
                                              "        {\n"
                                              "            \"originator\": \"fire?ox.exe\",\n"
                                              "            \"victim\": \"*\",\n"
                                              "            \"process\": \"*\",\n"
                                              "            \"object_type\": \"process\"\n"
                                              "        }\n"
                                              "    ]\n"
                                              "}\n");
    IgDecompiledFree(&d);
    free(err);

    /* Two different prefixed patterns are not hvmi's copy: both stay, no note. */
    PutHeader(&b, 0, 0, 0, 0, 2, 0);
    PutGlob(&b, "*chrome.exe", "*", "*");
    PutGlob(&b, "*edge.exe", "*", "*");
    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    assert_string_equal(err, "");
    assert_non_null(strstr(d.Files[0].Json.Data, "*edge.exe"));
    assert_non_null(strstr(d.Files[0].Json.Data, "*chrome.exe"));
    IgDecompiledFree(&d);
    free(err);
}

static void test_decompile_runs_and_notes(void **state)
{
    IG_DECOMPILED d;
    char *err;
    BUF b;

    (void)state;
    /* UM, APC, UM: three files in file order; a KM after them is out of section order. */
    PutHeader(&b, 1, 3, 0, 5, 0, 0);
    PutException(&b, 2, 0x10, 0, 0, 0x20000006, 2, NULL, 0);
    PutException(&b, 9, 0x20, 0, 0, 0x20000006, 2, NULL, 0);
    PutException(&b, 2, 0x30, 0, 0, 0x20000006, 2, NULL, 0);
    PutException(&b, 1, 0x40, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    assert_int_equal(Decompile(&b, &d, &err), INT_STATUS_SUCCESS);
    assert_int_equal(d.Count, 4);
    assert_string_equal(d.Files[0].Name, "00-user.json");
    assert_string_equal(d.Files[1].Name, "01-user-apc.json");
    assert_string_equal(d.Files[2].Name, "02-user.json");
    assert_string_equal(d.Files[3].Name, "03-kernel.json");
    assert_int_equal(d.NoteCount, 2);
    assert_string_equal(err, "introguard: in.bin: note: record 3: records are not in the compiler's section order "
                             "(kernel, user, kernel-user, glob, signatures); compiling the output writes them in "
                             "that order\n"
                             "introguard: in.bin: note: the header's build number is 5; JSON does not carry it, give "
                             "it to the compiler (-b 5)\n");
    IgDecompiledFree(&d);
    free(err);
}

static void test_decompile_too_many_files(void **state)
{
    IG_DECOMPILED d;
    FILE *errf = tmpfile();
    char *err;
    TF_FILE f;

    (void)state;
    /* UM and APC alternating: one output file per record; past IG_DECOMPILE_MAX_FILES it refuses
     * instead of asking for millions of files. */
    TfInit(&f);
    for (uint32_t i = 0; i <= IG_DECOMPILE_MAX_FILES; i++)
    {
        TfUser(&f, (i & 1) ? 9 : 2, 0x10 + i, 0, 0, 0x20000006, 2, 0, NULL);
    }
    TfFinish(&f, NULL);
    assert_int_equal(IgDecompileBuffer(f.Data, f.Size, "in.bin", &d, errf), INT_STATUS_OUT_OF_RANGE);
    assert_int_equal(d.Count, 0);
    err = ReadAll(errf);
    assert_string_equal(err, "introguard: in.bin: record 10000 at offset 230036: more than 10000 output files: the "
                             "file alternates between record kinds too often to decompile\n");
    free(err);
    fclose(errf);
    TfFree(&f);
}

static void test_decompile_file_limit(void **state)
{
    static const uint32_t ids[] = {0x4B000001};
    IG_DECOMPILED d;
    FILE *errf = tmpfile();
    char *err;
    BUF b;

    (void)state;
    /* A 1-byte limit: every entry starts a new file, in order, signatures first. */
    PutHeader(&b, 3, 0, 2, 0, 0, 0);
    PutException(&b, 1, 0x10, 0xFFFFFFFF, 0, 0x20000006, 14, ids, 1);
    PutException(&b, 1, 0x20, 0xFFFFFFFF, 0, 0x20000006, 14, ids, 1);
    PutException(&b, 1, 0x30, 0xFFFFFFFF, 0, 0x20000006, 14, (const uint32_t[]){0x4B000002}, 1);
    PutIdtSig(&b, 0x4B000001, 3, 1);
    PutIdtSig(&b, 0x4B000002, 3, 2);
    assert_int_equal(IgDecompileBufferLimit(b.Data, b.Size, "in.bin", 1, &d, errf), INT_STATUS_SUCCESS);
    err = ReadAll(errf);
    assert_string_equal(err, "");
    assert_int_equal(d.Count, 5);
    static const char *const names[] = {"00-signatures.json", "01-signatures.json", "02-kernel.json", "03-kernel.json",
                                        "04-kernel.json"};
    for (size_t i = 0; i < 5; i++)
    {
        json_object *doc = json_tokener_parse(d.Files[i].Json.Data);

        assert_string_equal(d.Files[i].Name, names[i]);
        assert_non_null(doc);
        json_object_put(doc);
    }
    assert_non_null(strstr(d.Files[1].Json.Data, "\"sig_id\": \"sig-4b000002\""));
    assert_non_null(strstr(d.Files[4].Json.Data, "\"originator_hash\": \"0x00000030\""));
    IgDecompiledFree(&d);
    free(err);
    fclose(errf);
}

static size_t CountLines(const char *Command)
{
    FILE *p;
    size_t n = 0;
    char line[512];

    p = popen(Command, "r");
    assert_non_null(p);
    while (fgets(line, sizeof(line), p))
    {
        n++;
    }
    pclose(p);
    return n;
}

static size_t CountEntries(const char *Dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "ls -A '%s'", Dir);
    return CountLines(cmd);
}

static void test_decompile_directory(void **state)
{
    char in[512], dir[512], path[600];
    FILE *err = tmpfile();
    char *e;
    BUF b;

    (void)state;
    PutHeader(&b, 1, 0, 1, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 14, (const uint32_t[]){0x4B000001}, 1);
    PutIdtSig(&b, 0x4B000001, 3, 1);
    snprintf(in, sizeof(in), "%s/small.bin", gTmpDir);
    WriteFile(in, b.Data, b.Size);
    snprintf(dir, sizeof(dir), "%s/out/nested", gTmpDir);

    /* Created if missing (with parents), two files, no temporaries left behind. */
    assert_int_equal(IgDecompileFile(in, dir, false, err), IG_EXIT_OK);
    assert_int_equal(CountEntries(dir), 2);
    snprintf(path, sizeof(path), "%s/00-signatures.json", dir);
    assert_int_equal(access(path, R_OK), 0);

    /* Not empty: refused without --force, and nothing changes. */
    assert_int_equal(IgDecompileFile(in, dir, false, err), IG_EXIT_FAILURE);
    e = ReadAll(err);
    assert_non_null(strstr(e, "/out/nested: directory is not empty (use --force to write into it)\n"));
    free(e);

    /* --force: a stale earlier output file goes, a foreign file stays. */
    snprintf(path, sizeof(path), "%s/07-user.json", dir);
    WriteFile(path, "{}", 2);
    snprintf(path, sizeof(path), "%s/notes.txt", dir);
    WriteFile(path, "x", 1);
    assert_int_equal(IgDecompileFile(in, dir, true, err), IG_EXIT_OK);
    assert_int_equal(CountEntries(dir), 3);
    snprintf(path, sizeof(path), "%s/07-user.json", dir);
    assert_int_not_equal(access(path, F_OK), 0);

    /* An inexpressible file fails before DIR is touched. */
    b.Data[36 + 3 + 16] = 1; /* KM reserved byte */
    WriteFile(in, b.Data, b.Size);
    snprintf(dir, sizeof(dir), "%s/never", gTmpDir);
    assert_int_equal(IgDecompileFile(in, dir, false, err), IG_EXIT_FAILURE);
    assert_int_not_equal(access(dir, F_OK), 0);
    fclose(err);
}

static void test_decompile_corpus(void **state)
{
    size_t size = 0;
    uint8_t *data = LoadCorpus(&size);
    IG_DECOMPILED d, again;
    FILE *err = tmpfile();
    char *e;

    (void)state;
    if (!data)
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS not set\n");
        skip();
    }
    assert_int_equal(IgDecompileBuffer(data, size, "exceptions.bin", &d, err), INT_STATUS_SUCCESS);
    e = ReadAll(err);
    assert_string_equal(e, ""); /* hvmi's own output reproduces without notes */
    free(e);
    assert_int_equal(d.Count, 6);
    static const char *const names[] = {"00-signatures.json", "01-kernel.json", "02-user.json",
                                        "03-user-apc.json",   "04-user.json",   "05-kernel-user.json"};
    for (size_t i = 0; i < 6; i++)
    {
        assert_string_equal(d.Files[i].Name, names[i]);
        json_object *doc = json_tokener_parse(d.Files[i].Json.Data);
        assert_non_null(doc);
        json_object_put(doc);
    }

    const char *sigs = d.Files[0].Json.Data;
    size_t count = 0;
    for (const char *p = sigs; (p = strstr(p, "\"sig_type\"")) != NULL; p++)
    {
        count++;
    }
    assert_int_equal(count, 56);
    assert_null(strstr(sigs, "id_raw")); /* hvmi numbers 1..56 without gaps (spec §8.0) */
    /* spec §8.6: the last record, flags 7 = "medium 32 64" -> "medium" compiles to the same bits */
    assert_non_null(strstr(sigs,
                           "\"sig_type\": \"codeblocks\",\n"
                           "            \"sig_id\": \"sig-96000038\",\n"
                           "            \"score\": 3,\n"
                           "            \"flags\": \"medium\",\n"
                           "            \"hashes\": [\n"
                           "                [\"0x198310C1\", \"0x4AE286FB\", \"0xEB079044\", \"0xFF03DB92\"],\n"));
    /* ordered by sequence number: acl-edit-system (seq 1) first */
    assert_non_null(strstr(sigs, "    \"Signatures\": [\n        {\n            \"sig_type\": \"value\",\n"
                                 "            \"sig_id\": \"sig-32000001\""));
    /* §8.2: "init integrity" on fastio */
    assert_non_null(strstr(FileNamed(&d, "01-kernel.json"), "            \"originator\": \"[kernel]\",\n"
                                                            "            \"victim_hash\": \"0x5A669414\",\n"
                                                            "            \"object_type\": \"fastio\",\n"
                                                            "            \"flags\": \"init integrity\"\n"));
    /* §8.4: the APC record */
    assert_non_null(strstr(FileNamed(&d, "03-user-apc.json"), "            \"originator_hash\": \"0xBBD3278A\",\n"
                                                              "            \"victim\": \"*\",\n"
                                                              "            \"object_type\": \"apc-thread\",\n"
                                                              "            \"flags\": \"system-process\",\n"
                                                              "            \"signatures\": [\"sig-19000021\"]\n"));
    /* §8.5: KUM originator [kernel] and the sorted IDs */
    assert_non_null(strstr(FileNamed(&d, "05-kernel-user.json"),
                           "            \"originator\": \"[kernel]\",\n"
                           "            \"victim_hash\": \"0xBE9D4EC5\",\n"
                           "            \"process_hash\": \"0x209B1103\",\n"
                           "            \"object_type\": \"module\",\n"
                           "            \"signatures\": [\"sig-1900001d\", \"sig-1900001f\", \"sig-9600001b\", "
                           "\"sig-9600001c\"]\n"));

    /* Deterministic. */
    assert_int_equal(IgDecompileBuffer(data, size, "exceptions.bin", &again, err), INT_STATUS_SUCCESS);
    for (size_t i = 0; i < 6; i++)
    {
        assert_string_equal(d.Files[i].Json.Data, again.Files[i].Json.Data);
    }
    IgDecompiledFree(&again);
    IgDecompiledFree(&d);
    fclose(err);
    free(data);
}

/* ---- the frame ----------------------------------------------------------------------------- */

static int gRan;
static int FakeRun(int Argc, char **Argv)
{
    gRan = Argc;
    return strcmp(Argv[0], "fake") == 0 ? 0 : 9;
}
static void FakeHelp(FILE *Out)
{
    fputs("fake help\n", Out);
}

static int Cli(int Argc, char **Argv, char **Out, char **Err)
{
    static const IG_COMMAND table[] = {{"fake", "a fake command", FakeRun, FakeHelp}};
    FILE *out = tmpfile(), *err = tmpfile();
    int rc = IgCliMain(table, 1, Argc, Argv, out, err);

    *Out = ReadAll(out);
    *Err = ReadAll(err);
    fclose(out);
    fclose(err);
    return rc;
}

static void test_cli_frame(void **state)
{
    char *out, *err;

    (void)state;
    assert_int_equal(Cli(2, (char *[]){"introguard", "--help", NULL}, &out, &err), IG_EXIT_OK);
    assert_non_null(strstr(out, "commands:\n  fake  a fake command\n"));
    free(out), free(err);

    assert_int_equal(Cli(1, (char *[]){"introguard", NULL}, &out, &err), IG_EXIT_USAGE);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "usage: introguard COMMAND"));
    free(out), free(err);

    assert_int_equal(Cli(2, (char *[]){"introguard", "nope", NULL}, &out, &err), IG_EXIT_USAGE);
    assert_string_equal(err, "introguard: unknown command 'nope' (see introguard --help)\n");
    free(out), free(err);

    assert_int_equal(Cli(2, (char *[]){"introguard", "--bogus", NULL}, &out, &err), IG_EXIT_USAGE);
    assert_string_equal(err, "introguard: unknown option --bogus (see introguard --help)\n");
    free(out), free(err);

    assert_int_equal(Cli(3, (char *[]){"introguard", "help", "fake", NULL}, &out, &err), IG_EXIT_OK);
    assert_string_equal(out, "fake help\n");
    free(out), free(err);

    assert_int_equal(Cli(2, (char *[]){"introguard", "--version", NULL}, &out, &err), IG_EXIT_OK);
    assert_true(strncmp(out, "introguard ", 11) == 0);
    free(out), free(err);

    gRan = 0;
    assert_int_equal(Cli(4, (char *[]){"introguard", "fake", "a", "b", NULL}, &out, &err), 0);
    assert_int_equal(gRan, 3); /* the command sees its own argv: fake a b */
    free(out), free(err);
}

static void test_option_parser(void **state)
{
    enum
    {
        A = 1,
        O
    };
    static const IG_OPTION opts[] = {{"all", 'a', false, A}, {"output", 'o', true, O}, {NULL, 0, false, 0}};
    char *argv[] = {"cmd", "-a", "--output=x", "-oy", "-o", "z", "file", "--", "-a", "-", NULL};
    static const struct
    {
        int Id;
        const char *Value;
    } expect[] = {{A, NULL},
                  {O, "x"},
                  {O, "y"},
                  {O, "z"},
                  {IG_OPT_POSITIONAL, "file"},
                  {IG_OPT_POSITIONAL, "-a"},
                  {IG_OPT_POSITIONAL, "-"},
                  {IG_OPT_END, NULL}};
    IG_OPT_STATE st;
    const char *value;
    FILE *err = tmpfile();
    char *e;

    (void)state;
    IgOptInit(&st, 10, argv, "cmd");
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
    {
        assert_int_equal(IgOptNext(&st, opts, &value, err), expect[i].Id);
        if (expect[i].Value)
        {
            assert_string_equal(value, expect[i].Value);
        }
    }
    char *bad[] = {"cmd", "--all=1", "--nope", "-o", NULL};
    IgOptInit(&st, 4, bad, "cmd");
    assert_int_equal(IgOptNext(&st, opts, &value, err), IG_OPT_ERROR);
    assert_int_equal(IgOptNext(&st, opts, &value, err), IG_OPT_ERROR);
    assert_int_equal(IgOptNext(&st, opts, &value, err), IG_OPT_ERROR);
    e = ReadAll(err);
    assert_string_equal(e, "introguard: cmd: option --all takes no value\n"
                           "introguard: cmd: unknown option --nope (see --help)\n"
                           "introguard: cmd: option -o needs a value\n");
    free(e);
    fclose(err);
}

static void test_file_helpers(void **state)
{
    char path[512], cmd[600];
    uint8_t *data;
    size_t size;
    FILE *err = tmpfile();
    char *e;

    (void)state;
    snprintf(path, sizeof(path), "%s/atomic.txt", gTmpDir);
    assert_int_equal(IgWriteFileAtomic(path, "hello", 5, err), INT_STATUS_SUCCESS);
    assert_int_equal(IgWriteFileAtomic(path, "bye", 3, err), INT_STATUS_SUCCESS); /* replaces */
    assert_int_equal(IgReadWholeFile(path, 3, &data, &size, err), INT_STATUS_SUCCESS);
    assert_int_equal(size, 3);
    assert_memory_equal(data, "bye", 4); /* NUL-terminated */
    free(data);
    /* one byte over the cap */
    assert_int_equal(IgReadWholeFile(path, 2, &data, &size, err), INT_STATUS_OUT_OF_RANGE);
    assert_null(data);
    /* a directory */
    assert_int_equal(IgReadWholeFile(gTmpDir, 100, &data, &size, err), INT_STATUS_INVALID_PARAMETER);
    /* a pipe: no size up front, still capped */
    assert_int_equal(IgReadWholeFile("/dev/null", 100, &data, &size, err), INT_STATUS_SUCCESS);
    assert_int_equal(size, 0);
    free(data);
    /* writing into a missing directory fails and leaves nothing */
    snprintf(path, sizeof(path), "%s/missing/x.txt", gTmpDir);
    assert_false(INT_SUCCESS(IgWriteFileAtomic(path, "x", 1, err)));
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c tmp-", gTmpDir);
    assert_int_equal(CountLines(cmd), 1); /* prints "0": no temporary file left behind */
    e = ReadAll(err);
    assert_non_null(strstr(e, "atomic.txt: file is 3 bytes, more than the limit of 2 bytes\n"));
    assert_non_null(strstr(e, ": is a directory, expected a file\n"));
    assert_non_null(strstr(e, "missing/x.txt: cannot create a temporary file next to it: No such file or directory\n"));
    free(e);
    fclose(err);
}

/* A file whose records differ from its header's counts (cut at a record boundary) is refused by
 * dump and decompile as the loader refuses it, with the same words. */
static void test_counts_must_match(void **state)
{
    IG_DECOMPILED d;
    char *out, *err;
    BUF b;

    (void)state;
    PutHeader(&b, 2, 0, 0, 0, 0, 0);
    PutException(&b, 1, 2, 0xFFFFFFFF, 0, 0x20000006, 2, NULL, 0);
    assert_int_equal(DumpBuf(&b, IgDumpText, &out, &err), IG_EXIT_FAILURE);
    assert_non_null(strstr(err, "INT_STATUS_EXC_COUNT_MISMATCH"));
    assert_string_equal(out, "");
    free(out);
    free(err);
    assert_false(INT_SUCCESS(Decompile(&b, &d, &err)));
    assert_non_null(strstr(err, "INT_STATUS_EXC_COUNT_MISMATCH"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_text_small),
        cmocka_unit_test(test_dump_text_all_kinds),
        cmocka_unit_test(test_dump_json_all_kinds),
        cmocka_unit_test(test_dump_corrupt),
        cmocka_unit_test(test_dump_missing_file),
        cmocka_unit_test(test_glob_not_utf8),
        cmocka_unit_test(test_glob_utf8),
        cmocka_unit_test(test_dump_corpus),
        cmocka_unit_test(test_decompile_small),
        cmocka_unit_test(test_decompile_entries),
        cmocka_unit_test(test_decompile_signature_forms),
        cmocka_unit_test(test_decompile_id_raw),
        cmocka_unit_test(test_decompile_inexpressible),
        cmocka_unit_test(test_counts_must_match),
        cmocka_unit_test(test_decompile_glob_duplicates),
        cmocka_unit_test(test_decompile_runs_and_notes),
        cmocka_unit_test(test_decompile_file_limit),
        cmocka_unit_test(test_decompile_too_many_files),
        cmocka_unit_test(test_decompile_directory),
        cmocka_unit_test(test_decompile_corpus),
        cmocka_unit_test(test_cli_frame),
        cmocka_unit_test(test_option_parser),
        cmocka_unit_test(test_file_helpers),
    };
    return cmocka_run_group_tests(tests, SetupTmp, TeardownTmp);
}
