/*
 * The replay trace reader and `introguard replay`: every malformed line is rejected with its line
 * number, the offending field and a precise message; exit codes 0/1/2 as documented in
 * docs/trace-format.md.
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

#include "api/glue_guestmem.h"
#include "common/guestmem.h"
#include "exc_builder.h"
#include "introguard/glue_replay.h"
#include "introguard/intro_excfile.h"
#include "replay.h"
#include "trace.h"
#include "trace_check.h"

#define HEADER                                                                                                         \
    "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1,\"guest\":{\"os\":\"windows\",\"bits\":64}}\n"
#define KM_ORIG "\"originator\":{\"original\":{\"name\":\"a.sys\",\"rip\":\"0x1000\"}}"
#define VIOL(victim) "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\"," KM_ORIG ",\"victim\":" victim "}\n"
#define GOOD                                                                                                           \
    VIOL("{\"zone\":\"ept\",\"flags\":[\"write\"],\"object\":\"km-module\",\"name\":\"v.sys\",\"size\":8,\"old\":"     \
         "\"0x1\","                                                                                                    \
         "\"new\":\"0x2\"}")

static const TRACE_BAD_CASE gBad[] = {
    {"", 1, "", "empty trace"},
    {"{\"type\":\"header\",\"format\":\"xg-trace\",\"version\":1,\"guest\":{}}\n", 1, "format",
     "expected \"introguard-trace\""},
    {"{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":3,\"guest\":{}}\n", 1, "version",
     "version 3 is not supported"},
    {"{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1}\n", 1, "guest", "missing"},
    {"{\"type\":\"note\",\"text\":\"x\"}\n", 1, "type", "the first record must be the header"},
    {HEADER "{\"type\":\"note\",\n", 2, "", "invalid JSON"},
    {HEADER "{\"type\":\"note\",\"text\":\"x\"} x\n", 2, "",
     "invalid JSON at column 28: unexpected text after the JSON value"},
    {HEADER "[1]\n", 2, "", "a record must be a JSON object"},
    {HEADER "\n", 2, "", "empty line"},
    {HEADER "{\"text\":\"x\"}\n", 2, "type", "missing"},
    {HEADER "{\"type\":\"foo\"}\n", 2, "type", "unknown record type \"foo\""},
    {HEADER "{\"type\":\"ept\",\"seq\":1}\n", 2, "type", "\"ept\" records need a version 2 trace"},
    {HEADER "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1,\"guest\":{}}\n", 2, "type",
     "a second header"},
    {HEADER "{\"type\":\"violation\",\"kind\":\"kernel\"}\n", 2, "seq", "missing"},
    {HEADER GOOD GOOD, 3, "seq", "1 does not follow 1"},
    {HEADER "{\"type\":\"violation\",\"seq\":\"12\"}\n", 2, "seq", "expected a \"0x...\" string"},
    {HEADER "{\"type\":\"violation\",\"seq\":-1}\n", 2, "seq", "expected a \"0x...\" string"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernal\"}\n", 2, "kind", "unknown kind \"kernal\""},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"victim\":{}}\n", 2, "originator", "missing"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\"," KM_ORIG "}\n", 2, "victim", "missing"},
    {HEADER VIOL("{}"), 2, "victim.zone", "missing"},
    {HEADER VIOL("{\"zone\":\"epd\"}"), 2, "victim.zone", "unknown zone \"epd\""},
    {HEADER VIOL("{\"zone\":\"ept\",\"flags\":\"write\"}"), 2, "victim.flags", "expected an array"},
    {HEADER VIOL("{\"zone\":\"ept\",\"flags\":[\"write\",\"wirte\"]}"), 2, "victim.flags[1]",
     "unknown zone flag \"wirte\""},
    {HEADER VIOL("{\"zone\":\"ept\",\"object\":\"km-modul\"}"), 2, "victim.object", "unknown object type"},
    {HEADER VIOL("{\"zone\":\"ept\",\"gva\":\"0x\"}"), 2, "victim.gva", "expected a \"0x...\" string"},
    {HEADER VIOL("{\"zone\":\"ept\",\"gva\":\"0x12345678123456789\"}"), 2, "victim.gva", "expected"},
    {HEADER VIOL("{\"zone\":\"ept\",\"gva\":\"0x12g4\"}"), 2, "victim.gva", "expected"},
    {HEADER VIOL("{\"zone\":\"ept\",\"size\":65}"), 2, "victim.size", "access sizes are 1 to 64 bytes"},
    {HEADER VIOL("{\"zone\":\"ept\",\"old\":[\"0x1\",5]}"), 2, "victim.old[1]", "expected a \"0x...\" string"},
    {HEADER VIOL(
         "{\"zone\":\"ept\",\"new\":[\"0x1\",\"0x1\",\"0x1\",\"0x1\",\"0x1\",\"0x1\",\"0x1\",\"0x1\",\"0x1\"]}"),
     2, "victim.new", "at most 8 QWORDs"},
    {HEADER VIOL("{\"zone\":\"msr\"}"), 2, "victim.msr", "missing"},
    {HEADER VIOL("{\"zone\":\"msr\",\"msr\":\"0x100000000\"}"), 2, "victim.msr", "value 0x100000000 does not fit"},
    {HEADER VIOL("{\"zone\":\"cr\",\"smap\":\"yes\"}"), 2, "victim.smap", "expected true or false"},
    {HEADER VIOL("{\"zone\":\"dtr\",\"dtr\":\"ldtr\"}"), 2, "victim.dtr", "expected \"idtr\" or \"gdtr\""},
    {HEADER VIOL("{\"zone\":\"integrity\",\"interrupt_index\":300}"), 2, "victim.interrupt_index", "expected 0 to 255"},
    {HEADER VIOL("{\"zone\":\"process\",\"buffer\":\"abc\"}"), 2, "victim.buffer", "base64 length 3"},
    {HEADER VIOL("{\"zone\":\"process\",\"buffer\":\"ab!d\"}"), 2, "victim.buffer", "invalid base64 at character 2"},
    {HEADER VIOL("{\"zone\":\"process\",\"process\":{\"name\":\"a.exe\",\"state\":{}}}"), 2, "victim.process.state",
     "process state needs a pid"},
    {HEADER VIOL("{\"zone\":\"process\",\"process\":{\"pid\":1}}"), 2, "victim.process.name",
     "a process needs a name or a hash"},
    {HEADER VIOL("{\"zone\":\"process\",\"process\":{\"pid\":1,\"name\":\"a\",\"state\":{\"injections\":true}}}"), 2,
     "victim.process.state.injections", "expected a \"0x...\" string"},
    {HEADER VIOL("{\"zone\":\"ept\",\"library\":3}"), 2, "victim.library", "expected a module name or a boolean"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"user\",\"originator\":{},\"victim\":{\"zone\":\"ept\"}}\n", 2,
     "originator.process", "missing"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{\"original\":{\"rip\":\"0x1\"}},"
            "\"victim\":{\"zone\":\"ept\"}}\n",
     2, "originator.original.name", "a driver needs a name or a hash"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{\"original\":{\"name\":\"a\","
            "\"section\":\"123456789\"}},\"victim\":{\"zone\":\"ept\"}}\n",
     2, "originator.original.section", "section names have at most 8 characters"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{\"original\":3},"
            "\"victim\":{\"zone\":\"ept\"}}\n",
     2, "originator.original", "expected an object"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel-user\",\"originator\":{\"injection\":\"both\"},"
            "\"victim\":{\"zone\":\"ept\"}}\n",
     2, "originator.injection", "expected \"user\", \"kernel\" or \"none\""},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"guest\":{\"os\":\"bsd\"}," KM_ORIG
            ",\"victim\":{\"zone\":\"ept\"}}\n",
     2, "guest.os", "unknown OS \"bsd\""},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"guest\":{\"bits\":16}," KM_ORIG
            ",\"victim\":{\"zone\":\"ept\"}}\n",
     2, "guest.bits", "expected 32 or 64"},
    {HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"guest\":{\"os\":\"linux\",\"os_version\":\"5.x\"}"
            "," KM_ORIG ",\"victim\":{\"zone\":\"ept\"}}\n",
     2, "guest.os_version", "expected \"version.patch.sublevel\""},
    {HEADER GOOD "{\"type\":\"expect\",\"seq\":1}\n", 3, "action", "missing"},
    {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"allow\"}\n", 3, "action", "unknown action \"allow\""},
    {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"allowed\",\"reason\":\"ok\"}\n", 3, "reason",
     "unknown reason \"ok\""},
    {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"allowed\",\"exception\":\"x\"}\n", 3, "exception",
     "expected a \"0x...\" string"},
    {HEADER "{\"type\":\"note\"}\n", 2, "text", "missing"},
    {HEADER GOOD "{\"type\":\"end\",\"events\":2}\n", 3, "events", "the trace holds 1 events, the end record says 2"},
    {HEADER "{\"type\":\"end\",\"events\":0}\n{\"type\":\"note\",\"text\":\"x\"}\n", 3, "type",
     "record after the end record"},
};

static void test_malformed_lines(void **state)
{
    (void)state;
    TraceExpectBadCases(gBad, sizeof(gBad) / sizeof(gBad[0]));
}

static void ExpectError(const char *Text, size_t Size, uint64_t Line, const char *Message)
{
    IG_TRACE_ERROR error;

    assert_int_equal(TraceReadAll(Text, Size, &error), INT_STATUS_INVALID_DATA_VALUE);
    assert_int_equal(error.Line, Line);
    assert_string_equal(error.Message, Message);
}

/* Lines are read with a bounded buffer; a NUL byte cannot hide the rest of a line. */
static void test_line_limits(void **state)
{
    size_t header = strlen(HEADER);
    size_t size = header + IG_TRACE_MAX_LINE + 2;
    char *text = test_malloc(size);
    static const char nul[] = HEADER "{\"type\":\"note\",\"text\":\"a\0b\"}\n";

    (void)state;
    memcpy(text, HEADER, header);
    memset(text + header, ' ', IG_TRACE_MAX_LINE + 1);
    text[size - 1] = '\n';
    ExpectError(text, size, 2, "line longer than 1048576 bytes");
    /* Exactly the cap is fine as far as length goes (blank JSON is then rejected as such). */
    text[header + IG_TRACE_MAX_LINE] = '\n';
    ExpectError(text, header + IG_TRACE_MAX_LINE + 1, 2,
                "invalid JSON at column 1048577: unexpected end of input, expected a value");
    test_free(text);
    ExpectError(nul, sizeof(nul) - 1, 2, "invalid JSON at column 25: control character 0x00 in string (escape it)");
}

/* Opens T on Text and reads its header and first violation; the violation, whose storage the next records reuse. */
static const INTRO_EXC_VIOLATION *FirstViolation(TRACE_READER *T, const char *Text)
{
    TraceReaderOpen(T, Text);
    TraceReaderNext(T, IgTraceHeader);
    return &TraceReaderNext(T, IgTraceViolation)->Violation;
}

/* A well-formed trace decodes into the model exactly. */
static void test_decoding(void **state)
{
    static const char text[] =
        "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1,\"guest\":{\"os\":\"windows\",\"bits\":32,"
        "\"os_version\":7601},\"unknown\":1}\n"
        "{\"type\":\"violation\",\"seq\":\"0x10\",\"kind\":\"user\",\"originator\":{\"module\":\"Evil.DLL\",\"rip\":"
        "\"0x7ff612341000\",\"return\":{\"module\":\"xul.dll\",\"rip\":\"0x2000\"},\"process\":{\"pid\":7,\"name\":"
        "\"Chrome.exe\",\"wow64\":true,\"state\":{\"start_initializing\":true}}},\"victim\":{\"zone\":\"process\","
        "\"flags\":[\"write\",\"thread-ctx\"],\"name\":\"b.exe\",\"gva\":\"0x20000\",\"length\":16,\"buffer\":"
        "\"AQIDBA==\",\"process\":{\"pid\":7,\"name\":\"b.exe\"}}}\n";
    TRACE_READER t;
    const INTRO_EXC_VIOLATION *v;

    (void)state;
    v = FirstViolation(&t, text);
    assert_int_equal(t.Rec->Seq, 16);
    assert_int_equal(v->Kind, INTRO_EXC_KIND_USER);
    assert_false(v->Guest.Guest64);
    assert_int_equal(v->Guest.OsVersion, 7601);
    assert_int_equal(v->User.NameHash, XbWide("evil.dll"));
    assert_true(v->User.Library);
    assert_true(v->User.Name.Wide);
    assert_int_equal(v->User.Rip, 0x7FF612341000ull);
    assert_int_equal(v->User.Return.NameHash, XbWide("xul.dll"));
    assert_int_equal(v->User.Process.NameHash, XbNarrow("chrome.exe"));
    assert_true(v->User.Process.Wow64);
    assert_int_equal(v->Victim.ZoneType, INTRO_EXC_ZONE_PROCESS);
    assert_int_equal(v->Victim.ZoneFlags, INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_PROC_THREAD_CTX);
    assert_int_equal(v->Victim.NameHash, XbNarrow("b.exe"));
    assert_int_equal(v->Victim.u.Injection.Gva, 0x20000);
    assert_int_equal(v->Victim.u.Injection.Length, 16);
    assert_int_equal(v->Victim.u.Injection.BufferSize, 4);
    assert_memory_equal(v->Victim.u.Injection.Buffer, "\x01\x02\x03\x04", 4);
    /* Same pid: one state block, set from the originator's "state". */
    assert_ptr_equal(v->User.Process.State, v->Victim.Process.State);
    assert_true(v->Victim.Process.State->StartInitializing);
    TraceReaderEnd(&t);
}

/* Fields that say what the engine's model holds beyond a named driver: sides without a driver,
 * named read/execute fields, PEB-context state, a plain library hash, special names by kind. */
static void test_decoding_extended(void **state)
{
    static const char text[] =
        HEADER "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{\"original\":{\"driver\":false,"
               "\"rip\":\"0xffff1234\",\"hash\":\"0x0\"},\"return\":{\"name\":\"[hal]\"}},\"victim\":{\"zone\":\"ept\","
               "\"object\":\"idt\",\"name\":\"[kernel]\",\"read_size\":4,\"stack_base\":\"0x9000\",\"stack_limit\":"
               "\"0x8000\",\"exec_length\":3}}\n"
               "{\"type\":\"violation\",\"seq\":2,\"kind\":\"user\",\"originator\":{\"process\":{\"pid\":9,\"name\":"
               "\"a.exe\",\"state\":{\"peb32_context_written\":true,\"peb64_context_written\":true}}},\"victim\":{"
               "\"zone\":\"process\",\"name\":\"[kernel]\",\"library_hash\":\"0x1234\"}}\n";
    TRACE_READER t;
    const INTRO_EXC_VIOLATION *v;

    (void)state;
    v = FirstViolation(&t, text);
    assert_false(v->Kernel.Original.Present);
    assert_int_equal(v->Kernel.Original.Rip, 0xFFFF1234u);
    assert_int_equal(v->Kernel.Original.NameHash, 0);
    assert_true(v->Kernel.Return.Present);
    assert_int_equal(v->Kernel.Return.NameHash, INTRO_EXC_NAME_HAL);
    assert_int_equal(v->Victim.NameHash, INTRO_EXC_NAME_KERNEL); /* a kernel victim: the module rule */
    assert_int_equal(v->Victim.v.ReadInfo.AccessSize, 4);
    assert_int_equal(v->Victim.v.ExecInfo.StackBase, 0x9000);
    assert_int_equal(v->Victim.v.ExecInfo.StackLimit, 0x8000);
    assert_int_equal(v->Victim.v.ExecInfo.Length, 3);

    TraceReaderNext(&t, IgTraceViolation);
    assert_true(v->User.Process.State->Peb32ContextWritten);
    assert_true(v->User.Process.State->Peb64ContextWritten);
    assert_int_equal(v->Victim.NameHash, XbNarrow("[kernel]")); /* a process victim: a plain name */
    assert_true(v->Victim.Library);
    assert_int_equal(v->Victim.LibraryNameHash, 0x1234);
    TraceReaderEnd(&t);
}

/* What version 1 got wrong: Linux module names hash as 8-bit text (as hvmi's runtime hashes them),
 * and one event cannot change the guest's OS (the rules were loaded for the header's). */
static void test_linux_names_and_os(void **state)
{
    static const char text[] =
        "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1,\"guest\":{\"os\":\"linux\",\"bits\":64,"
        "\"os_version\":\"5.10.0\"}}\n"
        "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{\"original\":{\"name\":\"Ext4\"}},"
        "\"victim\":{\"zone\":\"ept\",\"object\":\"km-module\",\"name\":\"Jbd2\"}}\n"
        "{\"type\":\"violation\",\"seq\":2,\"kind\":\"kernel\",\"guest\":{\"os\":\"windows\"},\"originator\":{"
        "\"original\":{\"name\":\"a\"}},\"victim\":{\"zone\":\"ept\"}}\n";
    TRACE_READER t;
    const INTRO_EXC_VIOLATION *v;

    (void)state;
    v = FirstViolation(&t, text);
    assert_int_equal(v->Kernel.Original.NameHash, XbNarrow("Ext4")); /* as given, 8-bit */
    assert_false(v->Kernel.Original.Name.Wide);
    assert_int_equal(v->Victim.NameHash, XbNarrow("Jbd2"));
    assert_int_equal(IgTraceNext(t.Trace, t.Rec, &t.Error), INT_STATUS_INVALID_DATA_VALUE);
    assert_int_equal(t.Error.Line, 3);
    assert_string_equal(t.Error.Field, "guest.os");
    assert_non_null(strstr(t.Error.Message, "one event cannot be another OS"));
    TraceReaderClose(&t);
}

/* Exit codes of the replay: 0 done, 1 a failed expectation under --check or bad input. */
static void test_replay_exit_codes(void **state)
{
    static const struct
    {
        const char *Text;
        bool Check;
        int Exit;
        const char *Err;
    } cases[] = {
        {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"allowed\",\"exception\":0}\n", true, 0, ""},
        {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"not_allowed\"}\n", true, 1,
         "t.jsonl:3: expectation for seq 1 failed: expected not_allowed, got allowed/allowed (exception 0)"},
        {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"allowed\",\"exception\":null}\n", true, 1,
         "t.jsonl:3: expectation for seq 1 failed"},
        {HEADER GOOD "{\"type\":\"expect\",\"seq\":1,\"action\":\"not_allowed\"}\n", false, 0,
         "t.jsonl:3: expectation for seq 1 failed"},
        {HEADER GOOD "{\"type\":\"expect\",\"seq\":2,\"action\":\"allowed\"}\n", true, 1,
         "t.jsonl:3: field 'seq': no violation with seq 2 before this line"},
        {HEADER VIOL("{\"zone\":\"epd\"}"), true, 1, "t.jsonl:2: field 'victim.zone': unknown zone \"epd\""},
    };
    char path[] = "/tmp/introguard-test-rules-XXXXXX";
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    const uint8_t *data;
    size_t size;
    int fd;

    (void)state;
    XbInit(file);
    XbKernel(file, XbWide("a.sys"), 0, TF_DEFAULT, IgKmObjAny, 0, NULL);
    data = XbFinish(file, &size);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, size), (ssize_t)size);
    close(fd);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        FILE *in = fmemopen((void *)cases[i].Text, strlen(cases[i].Text), "r");
        char out[4096] = {0}, err[4096] = {0};
        FILE *o = fmemopen(out, sizeof(out) - 1, "w");
        FILE *e = fmemopen(err, sizeof(err) - 1, "w");
        IG_REPLAY_OPTIONS options = {path, cases[i].Check, IgReplayJsonl, NULL, 0};
        int exit = IgReplayStream(in, "t.jsonl", &options, o, e);

        fclose(o);
        fclose(e);
        fclose(in);
        if (exit != cases[i].Exit || !strstr(err, cases[i].Err))
        {
            fail_msg("case %zu: exit %d (expected %d), stderr '%s'", i, exit, cases[i].Exit, err);
        }
    }
    {
        FILE *in = fmemopen((void *)(HEADER GOOD), strlen(HEADER GOOD), "r");
        char err[1024] = {0};
        FILE *e = fmemopen(err, sizeof(err) - 1, "w");
        FILE *o = fopen("/dev/null", "w");

        IG_REPLAY_OPTIONS options = {"/nonexistent/rules.bin", false, IgReplayTable, NULL, 0};

        assert_int_equal(IgReplayStream(in, "t.jsonl", &options, o, e), 1);
        fclose(e);
        fclose(o);
        fclose(in);
        assert_non_null(strstr(err, "/nonexistent/rules.bin"));
    }
    unlink(path);
    test_free(file);
}

/* A 4-level page-table image: CR3 0x1000 maps GVA 0x401000 to GPA 0x6000 through the tables at
 * 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD) and 0x4000 (PT); the code page holds 0xC3 ^ offset. */
static void WriteImage(FILE *Image)
{
    static uint8_t image[7 * 4096];
    const uint64_t present = 0x3; /* present, writable */

    memset(image, 0, sizeof(image));
    memcpy(image + 0x1000 + 8 * 0, &(uint64_t){0x2000 | present}, 8); /* PML4[0] */
    memcpy(image + 0x2000 + 8 * 0, &(uint64_t){0x3000 | present}, 8); /* PDPT[0] */
    memcpy(image + 0x3000 + 8 * 2, &(uint64_t){0x4000 | present}, 8); /* PD[2]: 0x400000 */
    memcpy(image + 0x4000 + 8 * 1, &(uint64_t){0x6000 | present}, 8); /* PT[1]: 0x401000 */
    for (int i = 0; i < 4096; i++)
    {
        image[0x6000 + i] = (uint8_t)(0xC3 ^ i);
    }
    assert_int_equal(fwrite(image, 1, sizeof(image), Image), sizeof(image));
    fflush(Image);
}

/*
 * The paging registers a trace names (IgTracePagingRegisters) make the library's page walk (over
 * GLUE_IFACE, from the glue adapter, from the replay backend) read guest code from the image's
 * page tables.
 */
static void test_memory_image(void **state)
{
    FILE *image = tmpfile();
    INTRO_REPLAY *replay;
    INTRO_GLUE_GUEST *guest;
    INTRO_BACKEND_REGS regs;
    GLUE_IFACE glue;
    IG_GLUE_MEMORY memory;
    IG_GUEST_PHYS phys;
    IG_GLUE_VCPU_STATE vcpu;
    uint8_t bytes[32];
    uint32_t paging = 0;
    size_t done = 0;

    (void)state;
    WriteImage(image);
    assert_int_equal(IntReplayCreate(1, &replay), INT_STATUS_SUCCESS);
    IntReplaySetImage(replay, image, 7 * 4096);
    assert_int_equal(IntGlueGuestCreate(IntReplayBackend(), replay, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);
    memory.Glue = &glue;
    memory.GuestHandle = guest;
    assert_true(IgTracePagingByName("4-level", &paging));
    assert_false(IgTracePagingByName("4level", &paging));
    memset(&regs, 0, sizeof(regs));
    IgTracePagingRegisters(paging, &regs);
    assert_int_equal(IntReplaySetRegisters(replay, 0, &regs), INT_STATUS_SUCCESS);

    /* vCPU 0 walks 4-level tables, frames up to the image's last. */
    assert_int_equal(IgGlueQueryVcpuState(&glue, guest, 0, &vcpu), INT_STATUS_SUCCESS);
    assert_int_equal(vcpu.Space.Paging, IgPaging4Level);
    vcpu.Space.Cr3 = 0x1000;
    IgGlueGuestPhys(&memory, &phys);
    assert_int_equal(phys.MaxGpa, 7 * 4096 - 1);

    /* Mapped: read through the image's page tables, 16 bytes before the end of the page. */
    assert_int_equal(IgGuestReadVirtual(&phys, &vcpu.Space, 0x401FF0, bytes, 16, &done), INT_STATUS_SUCCESS);
    assert_int_equal(done, 16);
    for (int i = 0; i < 16; i++)
    {
        assert_int_equal(bytes[i], (uint8_t)(0xC3 ^ (0xFF0 + i)));
    }
    /* Across into an unmapped page: only the mapped part is read. */
    done = 0;
    assert_false(INT_SUCCESS(IgGuestReadVirtual(&phys, &vcpu.Space, 0x401FF0, bytes, 32, &done)));
    assert_int_equal(done, 16);
    /* Page tables pointing past the end of the image: nothing is read. */
    done = 0;
    vcpu.Space.Cr3 = 0x9000;
    assert_false(INT_SUCCESS(IgGuestReadVirtual(&phys, &vcpu.Space, 0x401000, bytes, 8, &done)));
    assert_int_equal(done, 0);

    IntGlueGuestDestroy(guest);
    IntReplayDestroy(replay);
    fclose(image);
}

/* Appends the `memory` of a violation whose RIP 0x401000 runs NOPs, mapped by 4-level tables under CR3 0x1000. */
static size_t AppendCodePages(char *Text, size_t At, size_t Size, const char *Paging)
{
    static const uint64_t gpas[] = {0x1000, 0x2000, 0x3000, 0x4000, 0x6000};
    static uint8_t page[4096];
    static char encoded[4 * 4096 / 3 + 8];

    At += (size_t)snprintf(Text + At, Size - At, ",\"memory\":{\"cs\":64,\"system_cr3\":\"0x1000\"%s%s%s,\"pages\":[",
                           Paging ? ",\"paging\":\"" : "", Paging ? Paging : "", Paging ? "\"" : "");
    for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
    {
        memset(page, 0, sizeof(page));
        if (gpas[i] == 0x6000)
        {
            memset(page, 0x90, sizeof(page));
        }
        else
        {
            /* PML4[0] -> 0x2000, PDPT[0] -> 0x3000, PD[2] -> 0x4000, PT[1] -> 0x6000 */
            uint64_t entry = (i == 2 ? 0x4000 : i == 3 ? 0x6000 : gpas[i] + 0x1000) | 0x3;

            memcpy(page + 8 * (i == 2 ? 2 : i == 3 ? 1 : 0), &entry, sizeof(entry));
        }
        TraceBase64(page, sizeof(page), encoded);
        At += (size_t)snprintf(Text + At, Size - At, "%s{\"gpa\":\"0x%llx\",\"data\":\"%s\"}", i ? "," : "",
                               (unsigned long long)gpas[i], encoded);
    }
    At += (size_t)snprintf(Text + At, Size - At, "]}}\n");
    return At;
}

/*
 * In a version-1 trace each violation's memory is its own: the previous violation's pages and
 * paging mode do not leak forward.  A value-code signature (two NOPs at the RIP) reads the code
 * through the pages: it matches only where the violation declares them under 4-level paging.
 */
static void test_memory_per_violation(void **state)
{
    static const struct
    {
        bool Pages;
        const char *Paging;
        const char *Action;
    } steps[] = {
        {true, NULL, "allowed"},       /* pages, default 4-level paging: the signature reads NOPs */
        {true, "none", "not_allowed"}, /* same pages, no paging: 0x401000 is not a frame of the guest */
        {false, NULL, "not_allowed"},  /* no pages: the previous ones are gone */
        {true, NULL, "allowed"},       /* pages again, and the paging mode back to the default */
    };
    const size_t size = 256 * 1024;
    char *text = test_malloc(size);
    char path[] = "/tmp/introguard-test-rules-XXXXXX";
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    static const uint16_t nops[] = {0x90, 0x90};
    uint32_t signature = INTRO_EXCFILE_SIG_ID(INTRO_EXCFILE_SIG_VALUE_CODE, 7);
    const uint8_t *data;
    char out[8192] = {0}, err[2048] = {0};
    size_t at, bytes;
    FILE *in, *o, *e;
    int fd;

    (void)state;
    XbInit(file);
    XbValueCode(file, signature, 2, 0, 2, nops);
    XbKernel(file, XbWide("a.sys"), 0, TF_DEFAULT, IgKmObjAny, 1, &signature);
    data = XbFinish(file, &bytes);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, bytes), (ssize_t)bytes);
    close(fd);

    at = (size_t)snprintf(text, size, "%s", HEADER);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
    {
        at += (size_t)snprintf(
            text + at, size - at,
            "{\"type\":\"violation\",\"seq\":%zu,\"kind\":\"kernel\",\"originator\":{\"original\":"
            "{\"name\":\"a.sys\",\"rip\":\"0x401000\"}},\"victim\":{\"zone\":\"ept\",\"flags\":["
            "\"write\"],\"object\":\"km-module\",\"name\":\"v.sys\",\"size\":8,\"old\":\"0x1\",\"new\":\"0x2\"}",
            i + 1);
        at = steps[i].Pages ? AppendCodePages(text, at, size, steps[i].Paging)
                            : at + (size_t)snprintf(text + at, size - at,
                                                    ",\"memory\":{\"cs\":64,\"system_cr3\":"
                                                    "\"0x1000\"}}\n");
        at += (size_t)snprintf(text + at, size - at, "{\"type\":\"expect\",\"seq\":%zu,\"action\":\"%s\"}\n", i + 1,
                               steps[i].Action);
        assert_true(at < size);
    }
    in = fmemopen(text, at, "r");
    o = fmemopen(out, sizeof(out) - 1, "w");
    e = fmemopen(err, sizeof(err) - 1, "w");
    {
        IG_REPLAY_OPTIONS options = {path, true, IgReplayTable, NULL, 0, 0, false};

        if (IgReplayStream(in, "t.jsonl", &options, o, e) != 0)
        {
            fclose(o);
            fclose(e);
            fail_msg("replay failed:\n%s\n%s", out, err);
        }
    }
    fclose(in);
    fclose(o);
    fclose(e);
    assert_non_null(strstr(out, "4 events: 2 allowed, 2 not allowed; 4 expectations, 0 failed"));
    unlink(path);
    test_free(file);
    test_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_lines),    cmocka_unit_test(test_line_limits),
        cmocka_unit_test(test_decoding),           cmocka_unit_test(test_decoding_extended),
        cmocka_unit_test(test_linux_names_and_os), cmocka_unit_test(test_replay_exit_codes),
        cmocka_unit_test(test_memory_image),       cmocka_unit_test(test_memory_per_violation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
