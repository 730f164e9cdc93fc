/*
 * `introguard compile` (tools/compile.c): bytes, keywords, errors, the hvmi corpus.
 *
 * Expected bytes are written from spec/exceptions-binary-format.md: record layouts from §2, the
 * hash values from the worked examples of §4.5 and §8 (hvmi's own compiler computed those), and
 * where a test needs a hash the spec does not list, from IgNameHash()/IgNameHashWideAscii()
 * (src/common/crc32.c, checked against §4.5 by its own test) applied to the name normalised as
 * §4.3/§4.4 say.
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

#include "excfile.h"

#include "common/crc32.h"
#include "compile.h"
#include "decompile.h"
#include "introguard/intro_excfile.h"
#include "suggest.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ----------------------------------------------------------------------------- */

static size_t HexToBytes(const char *Hex, uint8_t *Out, size_t Cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = Hex; *p; p++)
    {
        int v;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            v = *p - 'A' + 10;
        else
            continue; /* spaces and '|' separate fields for readability */
        if (hi < 0)
        {
            hi = v;
        }
        else
        {
            assert_true(n < Cap);
            Out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
    return n;
}

static INTSTATUS CompileWith(const char *const *Texts, size_t Count, const IG_COMPILE_OPTIONS *Options,
                             IG_COMPILE_RESULT *Result)
{
    IG_COMPILE_SOURCE src[8];
    char names[8][16];
    assert_true(Count <= 8);
    for (size_t i = 0; i < Count; i++)
    {
        snprintf(names[i], sizeof(names[i]), "in%zu.json", i);
        src[i].Name = names[i];
        src[i].Text = Texts[i];
        src[i].Size = strlen(Texts[i]);
    }
    return IgCompileSources(src, Count, Options, Result);
}

static INTSTATUS Compile1(const char *Text, IG_COMPILE_RESULT *Result)
{
    IG_COMPILE_OPTIONS o;
    IgCompileOptionsInit(&o);
    return CompileWith(&Text, 1, &o, Result);
}

static void ExpectBytes(const IG_COMPILE_RESULT *R, const char *Hex)
{
    uint8_t want[4096];
    size_t n = HexToBytes(Hex, want, sizeof(want));
    if (R->Data == NULL)
    {
        fail_msg("compile failed:\n%s", R->Messages ? R->Messages : "");
    }
    if (R->Size != n || memcmp(R->Data, want, n) != 0)
    {
        char got[8192];
        size_t k = 0;
        for (size_t i = 0; i < R->Size && k + 4 < sizeof(got); i++)
        {
            k += (size_t)snprintf(got + k, sizeof(got) - k, "%02x", R->Data[i]);
        }
        fail_msg("bytes differ (got %zu, want %zu):\n got  %s\n", R->Size, n, got);
    }
}

/* A header for the given counts (spec §1.1), build 0. */
static void Header(char *Out, size_t Size, unsigned Km, unsigned Um, unsigned Sigs, unsigned Glob, unsigned Kum)
{
    snprintf(Out, Size, "45584e41 0200 0200 %02x000000 %02x000000 %02x000000 00000000 %02x000000 %02x000000 00000000",
             Km, Um, Sigs, Glob, Kum);
}

static uint32_t Narrow(const char *S)
{
    return IgNameHash(S, strlen(S));
}

static uint32_t Wide(const char *S)
{
    return IgNameHashWideAscii(S, strlen(S));
}

static uint32_t Rd32(const uint8_t *P)
{
    return (uint32_t)P[0] | (uint32_t)P[1] << 8 | (uint32_t)P[2] << 16 | (uint32_t)P[3] << 24;
}

/* ---- exact bytes: one case per record kind and signature type ---------------------------- */

typedef struct BYTES_CASE
{
    const char *Name;
    const char *Json;
    unsigned Km, Um, Sigs, Glob, Kum;
    const char *Records; /* hex after the header */
} BYTES_CASE;

static const BYTES_CASE kBytes[] = {
    /* §8.2: [kernel] = 2, victim '*' = 0, PathHash 0xFFFFFFFF, default flags write|64|32. */
    {"km-special",
     "{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"[kernel]\",\"victim\":\"*\","
     "\"object_type\":\"driver\"}]}",
     1, 0, 0, 0, 0, "01 1400 | 02000000 ffffffff 00000000 06000020 00 02 0000"},
    /* §4.5/§8.2: wide ntoskrnl.exe 0xE2D047AB; wide \filesystem\refs 0x5A669414 (lower-cased);
     * "init integrity" = 0x2000100E; fastio = 9. */
    {"km-wide",
     "{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"NTOSKRNL.exe\",\"victim\":"
     "\"\\\\FileSystem\\\\RefS\",\"object_type\":\"fastio\",\"flags\":\"init integrity\"}]}",
     1, 0, 0, 0, 0, "01 1400 | ab47d0e2 ffffffff 1494665a 0e100020 00 09 0000"},
    /* §4.3: the KM originator path is stripped: mydrv.sys -> wide 0x3CBA652D. non-driver implies
     * return-drv (0x100 | 0x200). */
    {"km-path",
     "{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"C:\\\\Windows\\\\System32\\\\Drivers\\\\"
     "MyDrv.SYS\",\"object_type\":\"msr\",\"flags\":\"non-driver 64\"}]}",
     1, 0, 0, 0, 0, "01 1400 | 2d65ba3c ffffffff 00000000 04030020 00 0a 0000"},
    /* §8.2: security-descriptor: originator '-' (4), victim narrow14 lower = 0x41CF65CE. */
    {"km-secdesc",
     "{\"Type\":\"kernel\",\"Exceptions\":[{\"victim\":\"StartMenuExperienceHost\","
     "\"object_type\":\"security-descriptor\",\"flags\":\"integrity\"}]}",
     1, 0, 0, 0, 0, "01 1400 | 04000000 ffffffff ce65cf41 06100020 00 16 0000"},
    /* §8.2: sud-modification victim narrow, case preserved: ProductTypeIsValid = 0x235B59E0. */
    {"km-sud",
     "{\"Type\":\"kernel\",\"Exceptions\":[{\"victim\":\"ProductTypeIsValid\","
     "\"object_type\":\"sud-modification\",\"flags\":\"integrity 64\"}]}",
     1, 0, 0, 0, 0, "01 1400 | 04000000 ffffffff e0595b23 04100020 00 18 0000"},
    /* §8.3: "init child", '*' '*': flags 0x2000020E, object process. */
    {"um-process",
     "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"*\",\"victim\":\"*\",\"object_type\":"
     "\"process\",\"flags\":\"init child\"}]}",
     0, 1, 0, 0, 0, "02 1400 | 00000000 00000000 00000000 0e020020 00 02 0000"},
    /* §4.4: module originator wide (firefox.exe 0x5E40AD5E), victim wide ntdll.dll 0xBE9D4EC5,
     * process narrow14 firefox.exe 0x209B1103. */
    {"um-module",
     "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"FireFox.exe\",\"victim\":\"ntdll.dll\","
     "\"process\":\"firefox.exe\",\"object_type\":\"module\"}]}",
     0, 1, 0, 0, 0, "02 1400 | 5ead405e c54e9dbe 03119b20 06000020 00 03 0000"},
    /* §8.3: nx_zone gets exec by default; '-' = 4. */
    {"um-nx",
     "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"-\",\"process\":\"firefox.exe\","
     "\"object_type\":\"nx_zone\"}]}",
     0, 1, 0, 0, 0, "02 1400 | 04000000 00000000 03119b20 06000040 00 05 0000"},
    /* §4.3: a UM name starting with '*' holding \xHH: escapes applied after lower-casing, narrow
     * hash of the bytes "*Abc" = 0xC2586E95. */
    {"um-escape",
     "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"*\\\\x41bc\",\"victim\":\"*\","
     "\"object_type\":\"process\"}]}",
     0, 1, 0, 0, 0, "02 1400 | 956e58c2 00000000 00000000 06000020 00 02 0000"},
    /* §4.5: process-type originator trimmed to 14 characters: microsoftedgec = 0x48DF4BCF. */
    {"um-trim",
     "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"MicrosoftEdgeCP.exe\",\"victim\":\"*\","
     "\"object_type\":\"process\"}]}",
     0, 1, 0, 0, 0, "02 1400 | cf4bdf48 00000000 00000000 06000020 00 02 0000"},
    /* §8.5: KUM: [kernel] without 'user', victim wide, process narrow14. */
    {"kum",
     "{\"Type\":\"kernel-user\",\"Exceptions\":[{\"originator\":\"[kernel]\",\"victim\":\"ntdll.dll\","
     "\"process\":\"firefox.exe\",\"object_type\":\"module\"}]}",
     0, 0, 0, 0, 1, "0e 1400 | 02000000 c54e9dbe 03119b20 06000020 00 02 0000"},
    /* §2.5: glob strings raw + NUL; process defaults to '*'. */
    {"glob",
     "{\"Type\":\"user-glob-match\",\"Exceptions\":[{\"originator\":\"Fire*.exe\",\"victim\":\"a?c\","
     "\"object_type\":\"process\"}]}",
     0, 0, 0, 1, 0, "06 1800 | 06000020 00 02 0000 | 466972652a2e65786500 61 3f 63 00 2a00"},
};

static void test_exact_bytes(void **state)
{
    (void)state;
    char header[160], hex[2048];
    for (size_t i = 0; i < COUNT_OF(kBytes); i++)
    {
        if (kBytes[i].Records == NULL)
        {
            continue;
        }
        IG_COMPILE_RESULT r;
        print_message("case %s\n", kBytes[i].Name);
        assert_int_equal(Compile1(kBytes[i].Json, &r), INT_STATUS_SUCCESS);
        Header(header, sizeof(header), kBytes[i].Km, kBytes[i].Um, kBytes[i].Sigs, kBytes[i].Glob, kBytes[i].Kum);
        snprintf(hex, sizeof(hex), "%s %s", header, kBytes[i].Records);
        ExpectBytes(&r, hex);
        assert_int_equal(r.Warnings, 0);
        IgCompileResultFree(&r);
    }
}

/* Every signature type, referenced from one APC exception (so none is pruned), in a separate
 * file listed after the exceptions: signatures may be defined after their use. */
static const char kAllSigsExc[] =
    "{\"Type\":\"user-apc\",\"Exceptions\":[{\"originator\":\"services.exe\",\"object_type\":\"apc-thread\","
    "\"flags\":\"system-process\",\"signatures\":[\"pc\",\"cb\",\"exp\",\"val\",\"vc\",\"idt\",\"vos\",\"vosl\","
    "\"vin\"]}]}";
static const char kAllSigs[] =
    "{\"Signatures\":[\n"
    "{\"sig_type\":\"codeblocks\",\"sig_id\":\"cb\",\"score\":2,\"hashes\":[[\"0x30\",\"0x10\",\"20\"],[\"5\"]]},\n"
    "{\"sig_type\":\"export\",\"sig_id\":\"exp\",\"library\":\"ntdll.dll\",\"flags\":\"linux\",\"hashes\":["
    "{\"name\":\"NtCreateFile\",\"delta\":16},{\"name\":\"-\",\"delta\":0}]},\n"
    "{\"sig_type\":\"value\",\"sig_id\":\"val\",\"score\":1,\"flags\":\"cli\",\"hashes\":[{\"offset\":0,\"size\":1,"
    "\"hash\":\"0x88f8cf69\"}]},\n"
    "{\"sig_type\":\"value-code\",\"sig_id\":\"vc\",\"offset\":-5,\"pattern\":[\"0x0d\",\"0x100\",\"c3\"]},\n"
    "{\"sig_type\":\"idt\",\"sig_id\":\"idt\",\"entry\":2,\"flags\":\"64\"},\n"
    "{\"sig_type\":\"version-os\",\"sig_id\":\"vos\",\"minimum\":\"*\",\"maximum\":\"*\",\"flags\":\"32 medium\"},\n"
    "{\"sig_type\":\"version-os\",\"sig_id\":\"vosl\",\"minimum\":\"4.*.10\",\"maximum\":\"5.10.*\"},\n"
    "{\"sig_type\":\"version-intro\",\"sig_id\":\"vin\",\"minimum\":\"1.2.3\",\"maximum\":\"4.*.6\"},\n"
    "{\"sig_type\":\"process-creation\",\"sig_id\":\"pc\",\"create_mask\":[\"debug\",\"acl-edit\"]}\n"
    "]}";

static void test_every_signature_type(void **state)
{
    (void)state;
    const char *texts[2] = {kAllSigsExc, kAllSigs};
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    char header[160], hex[4096];
    IgCompileOptionsInit(&o);
    assert_int_equal(CompileWith(texts, 2, &o, &r), INT_STATUS_SUCCESS);
    Header(header, sizeof(header), 0, 1, 9, 0, 0);
    /* IDs: type << 22 | seq, seq in definition order (§2.6.1): cb 1, exp 2, val 3, vc 4, idt 5,
     * vos 6, vosl 7, vin 8, pc 9.  The exception lists them ascending; the signature section is
     * sorted by ID, so by type code: 50, 51, 70, 100, 200, 300, 500, 600. */
    snprintf(hex, sizeof(hex),
             "%s"
             /* APC: services.exe narrow14 0xBBD3278A, flags 0x20000106, apc-thread 10, 9 sigs */
             " 09 3800 | 8a27d3bb 00000000 00000000 06010020 00 0a 0900"
             " | 0600800c 0700800c 0800c00c 09008011 02000019 03000032 0500004b 0400007d 01000096"
             /* version-os Windows: '*' -> 0 / 0xFFFF (§2.6.7); flags 32|medium = 5 */
             " 0b 1800 | 0600800c 05000000 0000000000000000 ffff000000000000"
             /* version-os Linux: 04 00 0a00 0000 0000 / 05 0a ffff ffff 0000 (§2.6.7) */
             " 0b 1800 | 0700800c 03000000 04000a0000000000 050affffffff0000"
             /* version-intro: min 1.2.3 build 0, max 4.ffff.6 build ffff (§2.6.8) */
             " 0c 1800 | 0800c00c 03000000 0100020003000000 0400ffff0600ffff"
             /* process-creation: debug|acl-edit = 0x81 (§3.6) */
             " 0d 1800 | 09008011 03000000 81000000 000000000000000000000000"
             /* export: wide ntdll.dll 0xBE9D4EC5, flags linux|32|64 = 0x83; NtCreateFile narrow
              * 0xBACCF5C6 (§8.6), '-' = 4 */
             " 04 2000 | 02000019 83000000 c54e9dbe 02 000000 | 1000 0000 c6f5ccba | 0000 0000 04000000"
             /* value: cli flag 0x10000 | 3 (§3.4) */
             " 05 1800 | 03000032 03000100 01 01 0000 | 0000 0100 00000000 69cff888"
             /* idt: "64" alone = 2 */
             " 0a 0c00 | 0500004b 02000000 02 000000"
             /* value-code: offset -5, 3 items (§2.6.5) */
             " 08 1200 | 0400007d 03000000 fbff 0300 | 0d00 0001 c300"
             /* codeblocks: lists sorted ascending (§2.6.2) */
             " 03 1c00 | 01000096 03000000 02 02 | 03 10000000 20000000 30000000 | 01 05000000",
             header);
    ExpectBytes(&r, hex);
    IgCompileResultFree(&r);
}

/* ---- keyword coverage: every object type, flag, special name, group ---------------------- */

static const char *KindJsonFields(const char *Kind, const char *Object, char *Flags, size_t FlagsSize, char *Out,
                                  size_t Size)
{
    bool glob = strcmp(Kind, "user-glob-match") == 0;
    if (strcmp(Kind, "kernel") == 0)
    {
        bool noOrig = !strcmp(Object, "token-privs") || !strcmp(Object, "security-descriptor") ||
                      !strcmp(Object, "acl-edit") || !strcmp(Object, "sud-modification");
        bool noVictim = !strcmp(Object, "msr") || !strcmp(Object, "ssdt") || !strcmp(Object, "cr4") ||
                        !strcmp(Object, "idt") || !strcmp(Object, "idt-reg") || !strcmp(Object, "gdt-reg") ||
                        !strcmp(Object, "infinity-hook") || !strcmp(Object, "hal-perf-counter") ||
                        !strcmp(Object, "interrupt-obj");
        if (!strcmp(Object, "cr4"))
            snprintf(Flags, FlagsSize, "smep");
        if (noOrig)
            snprintf(Flags, FlagsSize, "integrity");
        snprintf(Out, Size, "%s%s", noOrig ? "" : "\"originator\":\"a.sys\",", noVictim ? "" : "\"victim\":\"b.sys\",");
    }
    else if (strcmp(Kind, "kernel-user") == 0)
    {
        snprintf(Out, Size, "\"originator\":\"a.sys\",\"victim\":\"b.dll\",");
    }
    else
    {
        bool nx = !strcmp(Object, "nx_zone");
        bool isProcess = !strcmp(Object, "process");
        snprintf(Out, Size, "\"originator\":\"%s\",%s%s", glob ? "a*.exe" : "a.exe", nx ? "" : "\"victim\":\"b.dll\",",
                 isProcess ? "" : "\"process\":\"c.exe\",");
    }
    return Out;
}

static void test_every_object_type(void **state)
{
    (void)state;
    size_t nk;
    const INTRO_EXCFILE_EXCEPTION_KIND *kinds = IntExcFileExceptionKinds(&nk);
    size_t total = 0;
    for (size_t k = 0; k < nk; k++)
    {
        const INTRO_EXCFILE_KEYWORD_TABLE *t = IntExcFileObjectTypes(kinds[k].ObjectTable);
        for (size_t i = 0; i < t->Count; i++)
        {
            char fields[256], flags[64] = "", json[768];
            IG_COMPILE_RESULT r;
            KindJsonFields(kinds[k].Name, t->Entries[i].Name, flags, sizeof(flags), fields, sizeof(fields));
            snprintf(json, sizeof(json), "{\"Type\":\"%s\",\"Exceptions\":[{%s\"object_type\":\"%s\"%s%s%s}]}",
                     kinds[k].Name, fields, t->Entries[i].Name, flags[0] ? ",\"flags\":\"" : "", flags,
                     flags[0] ? "\"" : "");
            if (!INT_SUCCESS(Compile1(json, &r)))
            {
                fail_msg("%s\n%s", json, r.Messages);
            }
            /* The record follows the 36-byte header: type, size, then the object byte at body
             * offset 17 (fixed-head kinds) or 5 (glob). */
            assert_int_equal(r.Data[36], kinds[k].RecordType);
            size_t objOff = 36 + 3 + (kinds[k].RecordType == 6 ? 5 : 17);
            assert_int_equal(r.Data[objOff], t->Entries[i].Value);
            IgCompileResultFree(&r);
            total++;
        }
    }
    assert_int_equal(total, 26 + 16 * 3 + 5);
}

static void test_every_flag(void **state)
{
    (void)state;
    size_t nk;
    const INTRO_EXCFILE_EXCEPTION_KIND *kinds = IntExcFileExceptionKinds(&nk);
    for (size_t k = 0; k < nk; k++)
    {
        for (unsigned ns = INTRO_EXCFILE_FLAGS_COMMON; ns <= INTRO_EXCFILE_FLAGS_KERNEL_USER; ns <<= 1)
        {
            if (!(kinds[k].AcceptedFlags & ns))
            {
                continue;
            }
            const INTRO_EXCFILE_KEYWORD_TABLE *t = IntExcFileFlagTable(ns);
            for (size_t i = 0; i < t->Count; i++)
            {
                const char *flag = t->Entries[i].Name;
                bool km = kinds[k].RecordType == 1, kum = kinds[k].RecordType == 14;
                char fields[256], extra[64] = "", json[768];
                IG_COMPILE_RESULT r;
                if (km && strcmp(flag, "return-drv") == 0)
                {
                    continue; /* rejected in KM: covered by test_errors */
                }
                KindJsonFields(kinds[k].Name, "any", extra, sizeof(extra), fields, sizeof(fields));
                snprintf(json, sizeof(json),
                         "{\"Type\":\"%s\",\"Exceptions\":[{%s\"object_type\":\"any\",\"flags\":\"%s\"}]}",
                         kinds[k].Name, fields, flag);
                if (!INT_SUCCESS(Compile1(json, &r)))
                {
                    fail_msg("%s\n%s", json, r.Messages);
                }
                uint32_t want = t->Entries[i].Value;
                if (strcmp(flag, "32") && strcmp(flag, "64"))
                    want |= 0x6; /* §5.6: " 32 64" appended */
                if (strcmp(flag, "read") && strcmp(flag, "write") && strcmp(flag, "exec"))
                    want |= 0x20000000; /* write default */
                if ((km || kum) && (!strcmp(flag, "non-driver") || !strcmp(flag, "return")))
                    want |= 0x200; /* implied return-drv */
                size_t flagsOff = 36 + 3 + (kinds[k].RecordType == 6 ? 0 : 12);
                if (Rd32(r.Data + flagsOff) != want)
                {
                    fail_msg("%s flag %s: got 0x%08X want 0x%08X", kinds[k].Name, flag, Rd32(r.Data + flagsOff), want);
                }
                IgCompileResultFree(&r);
            }
        }
    }
}

static void test_special_names(void **state)
{
    (void)state;
    static const struct
    {
        const char *Kind;
        const char *Name;
        uint32_t Value;
    } cases[] = {
        {"kernel", "*", 0},        {"kernel", "[own]", 1}, {"kernel", "[kernel]", 2}, {"kernel", "[HAL]", 3},
        {"kernel", "-", 4},        {"user", "*", 0},       {"user", "[own]", 1},      {"user", "[vdso]", 2},
        {"user", "[vsyscall]", 3}, {"user", "-", 4},       {"kernel-user", "-", 4},   {"user-apc", "[vdso]", 2},
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++)
    {
        char json[512];
        IG_COMPILE_RESULT r;
        bool km = !strcmp(cases[i].Kind, "kernel");
        snprintf(json, sizeof(json),
                 "{\"Type\":\"%s\",\"Exceptions\":[{\"originator\":\"%s\",\"victim\":\"%s\",\"object_type\":\"%s\"}]}",
                 cases[i].Kind, cases[i].Name, cases[i].Name, km ? "driver" : "any");
        assert_int_equal(Compile1(json, &r), INT_STATUS_SUCCESS);
        assert_int_equal(Rd32(r.Data + 39), cases[i].Value);
        assert_int_equal(Rd32(r.Data + 39 + (km ? 8 : 4)), cases[i].Value);
        IgCompileResultFree(&r);
    }
    /* Not in the kernel-mode table: [vdso] is hashed there (§3.5). */
    IG_COMPILE_RESULT r;
    assert_int_equal(
        Compile1("{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"[vdso]\",\"object_type\":\"any\"}]}", &r),
        INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 39), Wide("[vdso]"));
    IgCompileResultFree(&r);
}

static void test_every_group(void **state)
{
    (void)state;
    size_t ng;
    const INTRO_EXCFILE_GROUP *groups = IntExcFileGroups(&ng);
    assert_int_equal(ng, 10);
    for (size_t g = 0; g < ng; g++)
    {
        char json[512];
        IG_COMPILE_RESULT r;
        /* As process of a UM module exception: each member becomes a record with its narrow14 hash. */
        snprintf(json, sizeof(json),
                 "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"x.exe\",\"victim\":\"y.dll\",\"process\":\"%s\","
                 "\"object_type\":\"module\"}]}",
                 groups[g].Name);
        assert_int_equal(Compile1(json, &r), INT_STATUS_SUCCESS);
        assert_int_equal(r.UserCount, groups[g].Count);
        for (size_t m = 0; m < groups[g].Count; m++)
        {
            char trimmed[15];
            snprintf(trimmed, sizeof(trimmed), "%s", groups[g].Members[m]);
            uint32_t want = Narrow(trimmed);
            bool found = false;
            for (size_t rec = 0; rec < groups[g].Count; rec++)
            {
                found |= Rd32(r.Data + 36 + rec * 23 + 3 + 8) == want;
            }
            if (!found)
            {
                fail_msg("group %s member %s missing", groups[g].Name, groups[g].Members[m]);
            }
        }
        IgCompileResultFree(&r);
    }
}

/* C4 fixed: grouped KUM, APC and glob exceptions are expanded; grouped KM entries with return
 * compile. */
static void test_groups_fixed_kinds(void **state)
{
    (void)state;
    static const struct
    {
        const char *Json;
        unsigned Km, Um, Kum, Glob;
    } cases[] = {
        {"{\"Type\":\"kernel-user\",\"Exceptions\":[{\"originator\":\"a.sys\",\"victim\":\"[wow64-dlls]\","
         "\"process\":\"[python]\",\"object_type\":\"module\"}]}",
         0, 0, 9, 0},
        {"{\"Type\":\"user-apc\",\"Exceptions\":[{\"originator\":\"[office apps]\",\"object_type\":\"apc-thread\"}]}",
         0, 4, 0, 0},
        {"{\"Type\":\"user-glob-match\",\"Exceptions\":[{\"originator\":\"a*\",\"victim\":\"*\",\"process\":"
         "\"[init-parents]\",\"object_type\":\"module\"}]}",
         0, 0, 0, 2},
        {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"[sptd-drivers]\",\"victim\":\"[sptd-drvobjs]\","
         "\"object_type\":\"drvobj\",\"flags\":\"return\"}]}",
         20, 0, 0, 0},
    };
    for (size_t i = 0; i < COUNT_OF(cases); i++)
    {
        IG_COMPILE_RESULT r;
        if (!INT_SUCCESS(Compile1(cases[i].Json, &r)))
        {
            fail_msg("%s", r.Messages);
        }
        assert_int_equal(r.KernelCount, cases[i].Km);
        assert_int_equal(r.UserCount, cases[i].Um);
        assert_int_equal(r.KernelUserCount, cases[i].Kum);
        assert_int_equal(r.GlobCount, cases[i].Glob);
        IgCompileResultFree(&r);
    }
}

/* ---- quirks: C2 pruning and C3 glob duplication, fixed and --hvmi-compat ------------------ */

static const char kPruneSigs[] =
    "{\"Signatures\":["
    "{\"sig_type\":\"idt\",\"sig_id\":\"a\",\"entry\":1},{\"sig_type\":\"idt\",\"sig_id\":\"b\",\"entry\":2},"
    "{\"sig_type\":\"idt\",\"sig_id\":\"c\",\"entry\":3}]}";
static const char kPruneExc[] = "{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"x.sys\",\"object_type\":"
                                "\"idt\",\"signatures\":[\"c\"]}]}";

static void test_prune(void **state)
{
    (void)state;
    const char *texts[2] = {kPruneSigs, kPruneExc};
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    IgCompileOptionsInit(&o);
    assert_int_equal(CompileWith(texts, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_int_equal(r.SignatureCount, 1);
    assert_int_equal(r.PrunedSignatures, 2);
    assert_int_equal(r.Warnings, 2);
    assert_non_null(strstr(r.Messages, "in0.json:1:16: warning: $.Signatures[0]: signature 'a' is not used"));
    IgCompileResultFree(&r);
    /* §5.9 / C2: with unused a, b and used c, hvmi keeps b. */
    o.HvmiCompat = true;
    assert_int_equal(CompileWith(texts, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_int_equal(r.SignatureCount, 2);
    assert_int_equal(Rd32(r.Data + 36 + 27 + 3), 0x4B000002u); /* b = idt seq 2 */
    IgCompileResultFree(&r);
    /* --strict turns the warning into an error and writes nothing. */
    o.HvmiCompat = false;
    o.Strict = true;
    assert_int_not_equal(CompileWith(texts, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_null(r.Data);
    assert_non_null(strstr(r.Messages, "error (--strict): $.Signatures[0]: signature 'a' is not used"));
    IgCompileResultFree(&r);
}

static void test_glob_order_and_compat(void **state)
{
    (void)state;
    const char *json = "{\"Type\":\"user-glob-match\",\"Exceptions\":["
                       "{\"originator\":\"zz?\",\"victim\":\"*\",\"object_type\":\"any\"},"
                       "{\"originator\":\"*b\",\"victim\":\"*\",\"object_type\":\"any\"},"
                       "{\"originator\":\"aa?\",\"victim\":\"*\",\"object_type\":\"any\"},"
                       "{\"originator\":\"?a\",\"victim\":\"*\",\"object_type\":\"any\"}]}";
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    char header[160], hex[1024];
    const char *rec[4] = {
        "06 0f00 | 06000020 00 01 0000 | 2a6200 2a00 2a00",   /* *b */
        "06 0f00 | 06000020 00 01 0000 | 3f6100 2a00 2a00",   /* ?a */
        "06 1000 | 06000020 00 01 0000 | 61613f00 2a00 2a00", /* aa? */
        "06 1000 | 06000020 00 01 0000 | 7a7a3f00 2a00 2a00", /* zz? */
    };
    IgCompileOptionsInit(&o);
    /* Fixed: glob-prefixed entries first in parse order, then the rest sorted, each once. */
    assert_int_equal(CompileWith(&json, 1, &o, &r), INT_STATUS_SUCCESS);
    Header(header, sizeof(header), 0, 0, 0, 4, 0);
    snprintf(hex, sizeof(hex), "%s %s %s %s %s", header, rec[0], rec[1], rec[2], rec[3]);
    ExpectBytes(&r, hex);
    IgCompileResultFree(&r);
    /* C3: the prefixed entries, then all entries sorted ('*' < '?' < 'a' < 'z'). */
    o.HvmiCompat = true;
    assert_int_equal(CompileWith(&json, 1, &o, &r), INT_STATUS_SUCCESS);
    Header(header, sizeof(header), 0, 0, 0, 6, 0);
    snprintf(hex, sizeof(hex), "%s %s %s %s %s %s %s", header, rec[0], rec[1], rec[0], rec[1], rec[2], rec[3]);
    ExpectBytes(&r, hex);
    IgCompileResultFree(&r);
}

/* §4.3/§4.4: `linux` keeps the case and trims process-type names to 15 characters; the UM
 * process is still trimmed to 14 (C11). */
static void test_linux_names(void **state)
{
    (void)state;
    IG_COMPILE_RESULT r;
    assert_int_equal(Compile1("{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"MicrosoftEdgeCP.exe\","
                              "\"victim\":\"Libc.so.6\",\"process\":\"SomeLongProcessName\",\"object_type\":"
                              "\"module\",\"flags\":\"linux\"}]}",
                              &r),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 39), Wide("MicrosoftEdgeCP.exe")); /* module: wide, case kept */
    assert_int_equal(Rd32(r.Data + 43), Wide("Libc.so.6"));
    assert_int_equal(Rd32(r.Data + 47), Narrow("SomeLongProces")); /* 14, not 15 */
    assert_int_equal(Rd32(r.Data + 51), 0x20000086u);
    IgCompileResultFree(&r);
    assert_int_equal(Compile1("{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"MicrosoftEdgeCP.exe\","
                              "\"victim\":\"*\",\"object_type\":\"process\",\"flags\":\"linux\"}]}",
                              &r),
                     INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 39), Narrow("MicrosoftEdgeCP")); /* 15 under linux */
    IgCompileResultFree(&r);
    /* Non-ASCII: lower-cased as Python's str.lower() does (U+00C9 -> U+00E9), hashed as UTF-16LE; a
     * warning says hvmi's run time folds only A-Z (more in test_compile_unicode.c). */
    assert_int_equal(Compile1("{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"\\u00c9a.sys\","
                              "\"object_type\":\"any\"}]}",
                              &r),
                     INT_STATUS_SUCCESS);
    static const uint8_t utf16[] = {0xE9, 0x00, 'a', 0x00, '.', 0x00, 's', 0x00, 'y', 0x00, 's', 0x00};
    assert_int_equal(Rd32(r.Data + 39), IgNameHash(utf16, sizeof(utf16)));
    assert_non_null(strstr(r.Messages, "in0.json:1:46: warning: $.Exceptions[0].originator: non-ASCII capitals"));
    IgCompileResultFree(&r);
}

/* C6 fixed: a KUM file does not widen the user-mode flags of later files. */
static void test_no_flag_widening(void **state)
{
    (void)state;
    const char *texts[2] = {"{\"Type\":\"kernel-user\",\"Exceptions\":[{\"originator\":\"a.sys\",\"victim\":\"b.dll\","
                            "\"object_type\":\"module\",\"flags\":\"integrity\"}]}",
                            "{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"a.exe\",\"object_type\":\"any\","
                            "\"flags\":\"integrity\"}]}"};
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    IgCompileOptionsInit(&o);
    assert_int_not_equal(CompileWith(texts, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_non_null(strstr(r.Messages, "in1.json:1:80: error: $.Exceptions[0].flags: flag 'integrity' is not valid for "
                                       "user exceptions (it is a kernel-mode flag)"));
    IgCompileResultFree(&r);
}

/* Signatures may be defined after the exceptions that name them, in another file. */
static void test_signature_after_use(void **state)
{
    (void)state;
    const char *texts[2] = {kPruneExc, kPruneSigs};
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    IgCompileOptionsInit(&o);
    assert_int_equal(CompileWith(texts, 2, &o, &r), INT_STATUS_SUCCESS);
    assert_int_equal(Rd32(r.Data + 36 + 3 + 20), 0x4B000003u);
    IgCompileResultFree(&r);
}

/* ---- errors: file, line, column, JSON path and what was expected -------------------------- */

typedef struct ERROR_CASE
{
    const char *Json;
    const char *Message; /* substring of the messages */
} ERROR_CASE;

static const ERROR_CASE kErrors[] = {
    {"{\"Type\":\"kernel\",\n\"Exceptions\":[,]}",
     "in0.json:2:15: error: $.Exceptions[0]: invalid JSON: expected a value before ','"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"drvobjj\"}]}",
     "in0.json:1:64: error: $.Exceptions[0].object_type: unknown object_type 'drvobjj' for kernel exceptions (did you "
     "mean 'drvobj'?)"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"any\",\n  \"flags\":\"wirte\"}]}",
     "in0.json:2:11: error: $.Exceptions[0].flags: unknown flag 'wirte' (did you mean 'write'?)"},
    {"{\"Type\":\"kernl\",\"Exceptions\":[]}",
     "in0.json:1:9: error: $.Type: unknown exceptions Type 'kernl' (did you mean 'kernel'?)"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":5,\"object_type\":\"any\"}]}",
     "in0.json:1:46: error: $.Exceptions[0].originator: expected a string, found number"},
    {"{\"Signatures\":[{\"sig_type\":\"idt\",\"sig_id\":\"x\",\"entry\":256}]}",
     "in0.json:1:55: error: $.Signatures[0].entry: number 256 out of range (0..255)"},
    {"{\"Signatures\":[{\"sig_type\":\"codeblocks\",\"sig_id\":\"x\",\"score\":1,\"hashes\":[[\"0xZZ\"]]}]}",
     "in0.json:1:75: error: $.Signatures[0].hashes[0][0]: bad hex number \"0xZZ\": 'Z' is not a hex digit"},
    {"{\"Signatures\":[{\"sig_type\":\"idt\",\"sig_id\":\"x\",\"entry\":1},\n{\"sig_type\":\"idt\",\"sig_id\":\"x\","
     "\"entry\":2}]}",
     "in0.json:2:28: error: $.Signatures[1].sig_id: signature 'x' is defined twice (first at in0.json:1, "
     "$.Signatures[0])"},
    {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"any\",\"signatures\":[\"nope\"]}]}",
     "in0.json:1:82: error: $.Exceptions[0].signatures[0]: no signature named 'nope' is defined in any input"},
    {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"any\",\"flags\":\"non-driver\"}]}",
     "in0.json:1:76: error: $.Exceptions[0].flags: flag 'non-driver' is not valid for user exceptions (it is a "
     "kernel-mode flag)"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"any\",\"flags\":\"return-drv\"}]}",
     "in0.json:1:78: error: $.Exceptions[0].flags: flag 'return-drv' is obsolete"},
    {"{\"Type\":\"kernel-user\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"module\"}]}",
     "in0.json:1:37: error: $.Exceptions[0]: missing \"victim\" (required for kernel-user exceptions)"},
    {"{\"Type\":\"user-glob-match\",\"Exceptions\":[{\"originator\":\"abc\",\"victim\":\"d\",\"object_type\":\"any\"}]"
     "}",
     "in0.json:1:41: error: $.Exceptions[0]: a user-glob-match exception needs a glob character"},
    {"{\"Type\":\"user-glob-match\",\"Exceptions\":[{\"originator\":\"abcdefghijklmno*\",\"object_type\":\"any\"}]}",
     "in0.json:1:55: error: $.Exceptions[0].originator: glob pattern \"abcdefghijklmno*\" is too long"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"msr\",\"victim\":\"b\"}]}",
     "in0.json:1:79: error: $.Exceptions[0].victim: object type 'msr' takes no \"victim\""},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"cr4\"}]}",
     "in0.json:1:32: error: $.Exceptions[0]: object type 'cr4' needs the flag 'smep' or 'smap'"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"any\",\"flags\":\"32  64\"}]}",
     "in0.json:1:78: error: $.Exceptions[0].flags: empty flag in \"32  64\""},
    {"{\"Signatures\":[{\"sig_type\":\"codeblock\",\"sig_id\":\"x\"}]}",
     "in0.json:1:28: error: $.Signatures[0].sig_type: unknown sig_type 'codeblock' (did you mean 'codeblocks'?)"},
    {"{\"Signatures\":[{\"sig_type\":\"process-creation\",\"sig_id\":\"x\",\"create_mask\":[\"debg\"]}]}",
     "in0.json:1:75: error: $.Signatures[0].create_mask[0]: unknown create_mask flag 'debg' (did you mean 'debug'?)"},
    {"{\"Signatures\":[{\"sig_type\":\"version-os\",\"sig_id\":\"x\",\"minimum\":\"4.1.1\",\"maximum\":\"5.*.1\"}]}",
     "in0.json:1:82: error: $.Signatures[0].maximum: bad OS version \"5.*.1\": '*' as maximum patch"},
    {"{\"Signatures\":[{\"sig_type\":\"value-code\",\"sig_id\":\"x\",\"offset\":40000,\"pattern\":[\"1\"]}]}",
     "in0.json:1:63: error: $.Signatures[0].offset: number 40000 out of range (-32768..32767)"},
    {"{\"Signatures\":[{\"sig_type\":\"export\",\"sig_id\":\"x\",\"library\":\"a\",\"hashes\":[{\"name\":\"f\","
     "\"delta\":1.5}]}]}",
     "in0.json:1:94: error: $.Signatures[0].hashes[0].delta: expected an integer, found 1.5"},
    {"[1]",
     "in0.json:1:1: error: $: expected an object with \"Type\" and \"Exceptions\" or \"Signatures\", found array"},
    {"{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"nx_zone\",\"flags\":\"write\"}]}",
     "in0.json:1:80: error: $.Exceptions[0].flags: object type 'nx_zone' needs the flag 'exec'"},
    {"{\"Type\":\"kernel\",\"Exceptions\":[{\"originator\":\"\\\\driver\\\\\",\"object_type\":\"any\"}]}",
     "in0.json:1:46: error: $.Exceptions[0].originator: originator path \"\\driver\\\" ends with a separator"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT_OF(kErrors); i++)
    {
        IG_COMPILE_RESULT r;
        INTSTATUS st = Compile1(kErrors[i].Json, &r);
        if (INT_SUCCESS(st) || r.Data != NULL || r.Errors == 0)
        {
            fail_msg("case %zu compiled", i);
        }
        if (strstr(r.Messages, kErrors[i].Message) == NULL)
        {
            fail_msg("case %zu: want\n  %s\ngot\n  %s", i, kErrors[i].Message, r.Messages);
        }
        IgCompileResultFree(&r);
    }
}

static void test_warnings(void **state)
{
    (void)state;
    IG_COMPILE_RESULT r;
    assert_int_equal(Compile1("{\"Type\":\"user\",\"Exceptions\":[{\"originator\":\"a\",\"object_type\":\"any\"},\n"
                              "{\"originator\":\"A\",\"object_type\":\"any\",\"signature\":[]}]}",
                              &r),
                     INT_STATUS_SUCCESS);
    assert_int_equal(r.Warnings, 2);
    assert_non_null(strstr(r.Messages,
                           "in0.json:2:51: warning: $.Exceptions[1].signature: unknown key \"signature\" is "
                           "ignored (did you mean 'signatures'?)"));
    assert_non_null(strstr(r.Messages, "in0.json:2:1: warning: $.Exceptions[1]: duplicate exception: same record as "
                                       "in0.json:1 ($.Exceptions[0])"));
    assert_int_equal(r.UserCount, 2); /* duplicates are kept, as hvmi does */
    IgCompileResultFree(&r);
}

/* ---- round trips: compile -> decompile (tools/cmd_decompile.c) -> compile, byte-identical ---- */

static void ExpectRoundTrip(const uint8_t *Data, size_t Size, bool HvmiCompat, bool KeepUnused)
{
    IG_DECOMPILED dec;
    IG_COMPILE_SOURCE src[64];
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    if (!INT_SUCCESS(IgDecompileBuffer(Data, Size, "roundtrip.bin", &dec, stderr)))
    {
        fail_msg("decompile failed");
    }
    assert_true(dec.Count <= 64);
    for (size_t i = 0; i < dec.Count; i++)
    {
        src[i].Name = dec.Files[i].Name;
        src[i].Text = dec.Files[i].Json.Data ? dec.Files[i].Json.Data : "";
        src[i].Size = dec.Files[i].Json.Length;
    }
    IgCompileOptionsInit(&o);
    o.HvmiCompat = HvmiCompat;
    o.KeepUnusedSignatures = KeepUnused;
    if (!INT_SUCCESS(IgCompileSources(src, dec.Count, &o, &r)))
    {
        for (size_t i = 0; i < dec.Count; i++)
        {
            print_message("---- %s\n%s\n", src[i].Name, src[i].Text);
        }
        fail_msg("recompile failed:\n%s", r.Messages);
    }
    if (r.Size != Size || memcmp(r.Data, Data, Size) != 0)
    {
        for (size_t i = 0; i < dec.Count; i++)
        {
            print_message("---- %s\n%s\n", src[i].Name, src[i].Text);
        }
        fail_msg("round trip differs (%zu vs %zu bytes)", r.Size, Size);
    }
    IgCompileResultFree(&r);
    IgDecompiledFree(&dec);
}

/* Compiles Texts, then checks the round trip of the result. */
static void CompileAndRoundTrip(const char *const *Texts, size_t Count, bool HvmiCompat, bool KeepUnused)
{
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    IgCompileOptionsInit(&o);
    o.HvmiCompat = HvmiCompat;
    if (!INT_SUCCESS(CompileWith(Texts, Count, &o, &r)))
    {
        fail_msg("%s", r.Messages);
    }
    ExpectRoundTrip(r.Data, r.Size, HvmiCompat, KeepUnused);
    IgCompileResultFree(&r);
}

/* A kernel security-descriptor / acl-edit record without `integrity` cannot be written with
 * plain flags (the compiler requires the flag), but decompile expresses it with flags_raw and
 * the compiler must take that as given. */
static void test_round_trip_raw_flags_without_integrity(void **state)
{
    (void)state;
    for (uint8_t object = 22; object <= 23; object++)
    {
        TF_FILE f;

        TfInit(&f);
        TfKernel(&f, 0x12345678, 0x0BADF00D, 0x20000006, object, 0, NULL);
        TfFinish(&f, NULL);
        ExpectRoundTrip(f.Data, f.Size, false, false);
        TfFree(&f);
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT_OF(kBytes); i++)
    {
        print_message("round trip %s\n", kBytes[i].Name);
        CompileAndRoundTrip(&kBytes[i].Json, 1, false, false);
    }
    const char *all[2] = {kAllSigsExc, kAllSigs};
    CompileAndRoundTrip(all, 2, false, false);
    const char *prune[2] = {kPruneSigs, kPruneExc};
    CompileAndRoundTrip(prune, 2, false, false);
    /* --hvmi-compat keeps an unused signature (C2); re-creating that file needs --keep-unused, since
     * the same pruning applied again would now remove it. */
    CompileAndRoundTrip(prune, 2, true, true);
    const char *glob = "{\"Type\":\"user-glob-match\",\"Exceptions\":["
                       "{\"originator\":\"zz?\",\"victim\":\"*\",\"object_type\":\"any\"},"
                       "{\"originator\":\"*b\",\"victim\":\"x\",\"process\":\"[ab]c\",\"object_type\":\"any\"},"
                       "{\"originator\":\"?a\",\"object_type\":\"nx_zone\"}]}";
    CompileAndRoundTrip(&glob, 1, false, false);
    CompileAndRoundTrip(&glob, 1, true, false); /* glob entries twice (C3) */
    /* Every object type and flag of every kind, in one file per kind. */
    size_t nk;
    const INTRO_EXCFILE_EXCEPTION_KIND *kinds = IntExcFileExceptionKinds(&nk);
    for (size_t k = 0; k < nk; k++)
    {
        static char json[65536];
        size_t n = (size_t)snprintf(json, sizeof(json), "{\"Type\":\"%s\",\"Exceptions\":[", kinds[k].Name);
        const INTRO_EXCFILE_KEYWORD_TABLE *t = IntExcFileObjectTypes(kinds[k].ObjectTable);
        for (size_t i = 0; i < t->Count; i++)
        {
            char fields[256], flags[64] = "";
            KindJsonFields(kinds[k].Name, t->Entries[i].Name, flags, sizeof(flags), fields, sizeof(fields));
            n +=
                (size_t)snprintf(json + n, sizeof(json) - n, "%s{%s\"object_type\":\"%s\"%s%s%s}", i ? "," : "", fields,
                                 t->Entries[i].Name, flags[0] ? ",\"flags\":\"" : "", flags, flags[0] ? "\"" : "");
        }
        for (unsigned ns = INTRO_EXCFILE_FLAGS_COMMON; ns <= INTRO_EXCFILE_FLAGS_KERNEL_USER; ns <<= 1)
        {
            const INTRO_EXCFILE_KEYWORD_TABLE *ft = IntExcFileFlagTable(ns);
            for (size_t i = 0; (kinds[k].AcceptedFlags & ns) && i < ft->Count; i++)
            {
                char fields[256], extra[64] = "";
                if (kinds[k].RecordType == 1 && strcmp(ft->Entries[i].Name, "return-drv") == 0)
                {
                    continue;
                }
                KindJsonFields(kinds[k].Name, "any", extra, sizeof(extra), fields, sizeof(fields));
                n += (size_t)snprintf(json + n, sizeof(json) - n, ",{%s\"object_type\":\"any\",\"flags\":\"%s\"}",
                                      fields, ft->Entries[i].Name);
            }
        }
        snprintf(json + n, sizeof(json) - n, "]}");
        const char *text = json;
        print_message("round trip all keywords of %s\n", kinds[k].Name);
        CompileAndRoundTrip(&text, 1, false, false);
    }
}

/* ---- the CLI: atomic output, exit codes, -c ------------------------------------------------ */

static void WriteFile(const char *Path, const char *Text)
{
    FILE *f = fopen(Path, "wb");
    assert_non_null(f);
    fputs(Text, f);
    fclose(f);
}

static void test_cli(void **state)
{
    (void)state;
    char dir[] = "/tmp/igcompileXXXXXX";
    char in[256], sigs[256], out[256], cfg[256], bad[256];
    struct stat st;
    assert_non_null(mkdtemp(dir));
    snprintf(in, sizeof(in), "%s/b-exc.json", dir);
    snprintf(sigs, sizeof(sigs), "%s/c-sigs.json", dir);
    snprintf(out, sizeof(out), "%s/out.bin", dir);
    snprintf(cfg, sizeof(cfg), "%s/cfg.txt", dir);
    snprintf(bad, sizeof(bad), "%s/bad.txt", dir);
    WriteFile(in, kPruneExc);
    WriteFile(sigs, kPruneSigs);
    WriteFile(cfg, "{\"Version\":{\"Major\":2,\"Minor\":3},\"Groups\":{\"[mine]\":[\"x.sys\",\"y.sys\"]}}");
    char *ok[] = {"compile", "-o", out, "-b", "7", "-c", cfg, dir, NULL};
    assert_int_equal(IgCmdCompile(8, ok), 0);
    assert_int_equal(stat(out, &st), 0);
    FILE *f = fopen(out, "rb");
    uint8_t head[36];
    assert_int_equal(fread(head, 1, 36, f), 36);
    fclose(f);
    assert_int_equal(head[6], 3);  /* minor from -c */
    assert_int_equal(head[20], 7); /* build */
    /* A failing build leaves the old output alone and no temporary file behind. */
    WriteFile(bad, "{\"Type\":\"kernel\",\"Exceptions\":[{\"object_type\":\"nope\"}]}");
    char *fail[] = {"compile", "-o", out, bad, NULL};
    off_t before = st.st_size;
    assert_int_equal(IgCmdCompile(4, fail), 1);
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_size, before);
    char *usage[] = {"compile", "-x", NULL};
    assert_int_equal(IgCmdCompile(2, usage), 2);
    char *strict[] = {"compile", "--strict", "-o", out, in, sigs, NULL};
    assert_int_equal(IgCmdCompile(6, strict), 1); /* two unused signatures */
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- the hvmi corpus ----------------------------------------------------------------------- */

static char *ReadAll(const char *Path, size_t *Size)
{
    FILE *f = fopen(Path, "rb");
    if (f == NULL)
    {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *Size = (size_t)n;
    return buf;
}

static void test_hvmi_corpus(void **state)
{
    (void)state;
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");
    if (dir == NULL || *dir == 0)
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS not set\n");
        skip();
    }
    char path[1024];
    size_t size;
    snprintf(path, sizeof(path), "%s/order.txt", dir);
    char *order = ReadAll(path, &size);
    assert_non_null(order);
    IG_COMPILE_SOURCE src[64];
    char *names[64];
    size_t n = 0;
    for (char *line = strtok(order, "\n"); line; line = strtok(NULL, "\n"))
    {
        assert_true(n < 64);
        snprintf(path, sizeof(path), "%s/%s", dir, line);
        names[n] = strdup(path);
        src[n].Name = names[n];
        src[n].Text = ReadAll(path, &src[n].Size);
        assert_non_null(src[n].Text);
        n++;
    }
    assert_int_equal(n, 41);
    IG_COMPILE_OPTIONS o;
    IG_COMPILE_RESULT r;
    IgCompileOptionsInit(&o);
    assert_int_equal(IgCompileSources(src, n, &o, &r), INT_STATUS_SUCCESS);
    assert_int_equal(r.Warnings, 0);
    snprintf(path, sizeof(path), "%s/exceptions.bin", dir);
    char *golden = ReadAll(path, &size);
    assert_non_null(golden);
    assert_int_equal(r.Size, 11243);
    assert_int_equal(size, r.Size);
    assert_memory_equal(r.Data, golden, size);
    /* --hvmi-compat changes nothing here: the corpus hits neither C2 nor C3 (§8.0). */
    IgCompileResultFree(&r);
    o.HvmiCompat = true;
    assert_int_equal(IgCompileSources(src, n, &o, &r), INT_STATUS_SUCCESS);
    assert_memory_equal(r.Data, golden, size);
    IgCompileResultFree(&r);
    /* decompile -> compile reproduces the corpus file. */
    ExpectRoundTrip((const uint8_t *)golden, size, false, false);
    free(golden);
    for (size_t i = 0; i < n; i++)
    {
        free(names[i]);
        free((void *)src[i].Text);
    }
    free(order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_bytes),
        cmocka_unit_test(test_every_signature_type),
        cmocka_unit_test(test_every_object_type),
        cmocka_unit_test(test_every_flag),
        cmocka_unit_test(test_special_names),
        cmocka_unit_test(test_every_group),
        cmocka_unit_test(test_groups_fixed_kinds),
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_glob_order_and_compat),
        cmocka_unit_test(test_linux_names),
        cmocka_unit_test(test_no_flag_widening),
        cmocka_unit_test(test_signature_after_use),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_round_trip_raw_flags_without_integrity),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_hvmi_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
