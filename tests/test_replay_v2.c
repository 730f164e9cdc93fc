/*
 * `introguard replay` on version-2 traces (docs/trace-format.md, docs/protection.md): a guest built
 * from the trace's records, events delivered only where the zones' EPT rights or exits stop the
 * vCPU, decisions with their alerts, expectations, and exit 1 with line and field for what the
 * runner or the library refuses.  Each test builds its trace here and parses the JSONL output.
 *
 * The guest: 64-bit Windows, kernel CR3 0x100000.  evil.sys's .text holds `mov [rax], rcx` at
 * RIP; vCPU 0 runs it with RAX in victim.sys's first page, protected by zone "victim-data".
 * victim.sys's second page is mapped and protected by nothing.
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

#include "exc_builder.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "json.h"
#include "replay.h"
#include "replay_guest.h"
#include "trace_check.h"

#define EVIL 0xFFFFF80000000000ull   /* evil.sys; .text at +0x1000 */
#define VICTIM 0xFFFFF80000100000ull /* victim.sys; .data at +0, two pages */
#define RIP (EVIL + 0x1000)
#define TARGET (VICTIM + 0x10)                               /* what the write hits: zone victim-data */
#define NEIGHBOUR (VICTIM + 0x1010)                          /* victim.sys's second page: no zone */
#define UCR3 0x200000ull                                     /* process 100's address space */
#define UDATA 0x10000ull                                     /* a page of process 100 */
#define SMEP_OFF "\"old\":\"0x370678\",\"new\":\"0x270678\"" /* a CR4 write clearing SMEP */

#define W(n) XbWide(n)

/* ---- traces --------------------------------------------------------------------------------------------------------
 */

typedef struct TEXT
{
    char *Data;
    size_t Size;
    size_t Used;
} TEXT;

static void TextInit(TEXT *T)
{
    T->Size = 512 * 1024;
    T->Data = test_malloc(T->Size);
    T->Used = 0;
    T->Data[0] = '\0';
}

static void TextFree(TEXT *T)
{
    test_free(T->Data);
}

static void Add(TEXT *T, const char *Format, ...) __attribute__((format(printf, 2, 3)));
static void Add(TEXT *T, const char *Format, ...)
{
    va_list ap;
    int n;

    va_start(ap, Format);
    n = vsnprintf(T->Data + T->Used, T->Size - T->Used, Format, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < T->Size - T->Used);
    T->Used += (size_t)n;
}

/* The number of the next line. */
static uint64_t NextLine(const TEXT *T)
{
    uint64_t lines = 1;

    for (size_t i = 0; i < T->Used; i++)
    {
        lines += T->Data[i] == '\n';
    }
    return lines;
}

/* A memory record: Size bytes of Data at Gva under Cr3 (0: the kernel's, by default). */
static void AddMemory(TEXT *T, uint64_t Gva, uint64_t Cr3, const uint8_t *Data, size_t Size)
{
    char encoded[4 * 64 / 3 + 8];

    assert_true(Size <= 64);
    TraceBase64(Data, Size, encoded);
    Add(T, "{\"type\":\"memory\",\"gva\":\"0x%llx\",", (unsigned long long)Gva);
    if (Cr3)
    {
        Add(T, "\"cr3\":\"0x%llx\",", (unsigned long long)Cr3);
    }
    Add(T, "\"data\":\"%s\"}\n", encoded);
}

/* A rules record carrying File's bytes. */
static void AddRules(TEXT *T, IG_TEST_FILE *File)
{
    size_t size;
    const uint8_t *data = XbFinish(File, &size);
    char *encoded = test_malloc(4 * size / 3 + 8);

    TraceBase64(data, size, encoded);
    Add(T, "{\"type\":\"rules\",\"data\":\"%s\"}\n", encoded);
    test_free(encoded);
}

static void AddEpt(TEXT *T, uint64_t Seq, uint64_t Gva)
{
    Add(T, "{\"type\":\"ept\",\"seq\":%llu,\"gva\":\"0x%llx\",\"access\":\"w\"}\n", (unsigned long long)Seq,
        (unsigned long long)Gva);
}

static void AddExpect(TEXT *T, uint64_t Seq, const char *Rest)
{
    Add(T, "{\"type\":\"expect\",\"seq\":%llu,%s}\n", (unsigned long long)Seq, Rest);
}

/* The guest of every test (see the top); HeaderExtra goes into the header ("" or ",\"intro_version\":..."). */
static void AddGuest(TEXT *T, const char *HeaderExtra)
{
    static const uint8_t code[] = {0x48, 0x89, 0x08, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90};
    static const uint8_t data1[16] = {0x11, 0x11, 0x11, 0x11}, data2[16] = {0x22, 0x22};

    Add(T,
        "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":{\"os\":\"windows\",\"bits\":"
        "64,\"os_version\":19041,\"vcpus\":2,\"system_cr3\":\"0x100000\",\"paging\":\"4-level\"}%s}\n",
        HeaderExtra);
    AddMemory(T, RIP, 0, code, sizeof(code));
    AddMemory(T, VICTIM, 0, data1, sizeof(data1));
    AddMemory(T, VICTIM + 0x1000, 0, data2, sizeof(data2));
    Add(T,
        "{\"type\":\"module\",\"name\":\"evil.sys\",\"base\":\"0x%llx\",\"size\":\"0x10000\",\"sections\":[{\"name\":"
        "\".text\",\"rva\":\"0x1000\",\"size\":\"0x1000\",\"flags\":[\"code\",\"execute\"]}]}\n",
        (unsigned long long)EVIL);
    Add(T,
        "{\"type\":\"module\",\"name\":\"victim.sys\",\"base\":\"0x%llx\",\"size\":\"0x10000\",\"sections\":[{"
        "\"name\":\".data\",\"rva\":\"0x0\",\"size\":\"0x2000\",\"flags\":[\"write\"]}]}\n",
        (unsigned long long)VICTIM);
    Add(T,
        "{\"type\":\"zone\",\"id\":\"victim-data\",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":["
        "\"write\"],\"gva\":\"0x%llx\",\"size\":\"0x1000\",\"owner\":\"0x%llx\"}\n",
        (unsigned long long)VICTIM, (unsigned long long)VICTIM);
    Add(T,
        "{\"type\":\"vcpu\",\"vcpu\":0,\"mode\":64,\"ring\":0,\"regs\":{\"rip\":\"0x%llx\",\"rax\":\"0x%llx\","
        "\"rcx\":\"0x4141414141414141\",\"rsp\":\"0x%llx\"}}\n",
        (unsigned long long)RIP, (unsigned long long)TARGET, (unsigned long long)(VICTIM + 0x1800));
}

/* ---- running and reading the output ---------------------------------------------------------------------------- */

typedef struct VERDICT
{
    uint64_t Seq;
    char Event[16];
    char Action[16];
    char Reason[40]; /* "" for null */
    char Zone[64];   /* "" when absent */
    char Originator[64];
    int64_t Exception; /* -1: null or absent */
    bool Alert;
} VERDICT;

typedef struct RESULT
{
    int Exit;
    char Out[64 * 1024];
    char Err[4096];
    VERDICT Verdicts[64];
    size_t Count;
    bool HasSummary;
    int64_t Events, Delivered, Allowed, NotAllowed, Alerts, Expectations, Failed;
    int RulesLoaded, RulesRejected; /* "rules" lines */
} RESULT;

static void CopyText(const IG_JSON_VALUE *Obj, const char *Key, char *Out, size_t Size)
{
    const IG_JSON_VALUE *v = IgJsonGet(Obj, Key);

    snprintf(Out, Size, "%s", v && v->Type == IgJsonString ? v->Text : "");
}

static int64_t Integer(const IG_JSON_VALUE *Obj, const char *Key)
{
    const IG_JSON_VALUE *v = IgJsonGet(Obj, Key);

    return v && v->Type == IgJsonNumber && v->IsInteger ? v->Integer : -1;
}

static void ParseOutputLine(RESULT *R, const char *Line, size_t Length)
{
    IG_JSON_DOC doc;
    IG_JSON_ERROR error;
    const IG_JSON_VALUE *root, *type, *alert;

    if (!INT_SUCCESS(IgJsonParse(Line, Length, &doc, &error)))
    {
        fail_msg("output line is not JSON (%s): %.*s", error.Message, (int)Length, Line);
    }
    root = doc.Root;
    type = IgJsonGet(root, "type");
    assert_non_null(type);
    if (strcmp(type->Text, "summary") == 0)
    {
        R->HasSummary = true;
        R->Events = Integer(root, "events");
        R->Delivered = Integer(root, "delivered");
        R->Allowed = Integer(root, "allowed");
        R->NotAllowed = Integer(root, "not_allowed");
        R->Alerts = Integer(root, "alerts");
        R->Expectations = Integer(root, "expectations");
        R->Failed = Integer(root, "failed");
    }
    else if (strcmp(type->Text, "rules") == 0)
    {
        const IG_JSON_VALUE *loaded = IgJsonGet(root, "loaded");

        assert_non_null(loaded);
        *(loaded->Bool ? &R->RulesLoaded : &R->RulesRejected) += 1;
        assert_true(loaded->Bool || IgJsonGet(root, "error"));
    }
    else
    {
        VERDICT *v = &R->Verdicts[R->Count++];

        assert_string_equal(type->Text, "verdict");
        assert_true(R->Count < sizeof(R->Verdicts) / sizeof(R->Verdicts[0]));
        v->Seq = (uint64_t)Integer(root, "seq");
        CopyText(root, "event", v->Event, sizeof(v->Event));
        CopyText(root, "action", v->Action, sizeof(v->Action));
        CopyText(root, "reason", v->Reason, sizeof(v->Reason));
        CopyText(root, "zone", v->Zone, sizeof(v->Zone));
        CopyText(root, "originator", v->Originator, sizeof(v->Originator));
        v->Exception = Integer(root, "exception");
        alert = IgJsonGet(root, "alert");
        assert_non_null(alert);
        v->Alert = alert->Bool;
    }
    IgJsonFree(&doc);
}

/* Replays T (named Name) with Options in JSONL and parses what it printed. */
static void Replay(RESULT *R, const TEXT *T, const char *Name, const IG_REPLAY_OPTIONS *Options)
{
    IG_REPLAY_OPTIONS options = *Options;
    FILE *in = fmemopen(T->Data, T->Used, "r");
    FILE *out, *err;

    memset(R, 0, sizeof(*R));
    out = fmemopen(R->Out, sizeof(R->Out) - 1, "w");
    err = fmemopen(R->Err, sizeof(R->Err) - 1, "w");
    assert_true(in && out && err);
    options.Format = IgReplayJsonl;
    R->Exit = IgReplayStream(in, Name, &options, out, err);
    fclose(in);
    fclose(out);
    fclose(err);
    for (const char *line = R->Out; *line;)
    {
        const char *end = strchr(line, '\n');

        assert_non_null(end);
        ParseOutputLine(R, line, (size_t)(end - line));
        line = end + 1;
    }
}

static IG_REPLAY_OPTIONS Checked(void)
{
    IG_REPLAY_OPTIONS o = {NULL, true, IgReplayJsonl, NULL, 0, 0, false};

    return o;
}

/* The verdict line of Seq for Zone ("" for a line without a zone), which must be there once. */
static const VERDICT *Find(const RESULT *R, uint64_t Seq, const char *Zone)
{
    const VERDICT *found = NULL;

    for (size_t i = 0; i < R->Count; i++)
    {
        if (R->Verdicts[i].Seq == Seq && strcmp(R->Verdicts[i].Zone, Zone) == 0)
        {
            if (found)
            {
                fail_msg("two lines for seq %llu zone '%s':\n%s", (unsigned long long)Seq, Zone, R->Out);
            }
            found = &R->Verdicts[i];
        }
    }
    if (!found)
    {
        fail_msg("no line for seq %llu zone '%s':\n%s%s", (unsigned long long)Seq, Zone, R->Out, R->Err);
    }
    return found;
}

static size_t LinesOf(const RESULT *R, uint64_t Seq)
{
    size_t n = 0;

    for (size_t i = 0; i < R->Count; i++)
    {
        n += R->Verdicts[i].Seq == Seq;
    }
    return n;
}

/* Seq's line for Zone says Action, Reason ("" for null), Exception (-1: null) and Alert. */
static void ExpectVerdict(const RESULT *R, uint64_t Seq, const char *Zone, const char *Action, const char *Reason,
                          int64_t Exception, bool Alert)
{
    const VERDICT *v = Find(R, Seq, Zone);

    if (strcmp(v->Action, Action) || strcmp(v->Reason, Reason) || v->Exception != Exception || v->Alert != Alert)
    {
        fail_msg("seq %llu zone '%s': got %s/%s exception %lld alert %d; expected %s/%s exception %lld alert %d\n%s",
                 (unsigned long long)Seq, Zone, v->Action, v->Reason, (long long)v->Exception, v->Alert, Action, Reason,
                 (long long)Exception, Alert, R->Out);
    }
}

static void ExpectClean(const RESULT *R)
{
    if (R->Exit != 0 || R->Err[0])
    {
        fail_msg("exit %d\nstdout:\n%s\nstderr:\n%s", R->Exit, R->Out, R->Err);
    }
}

/* Exit Exit and stderr holding Message (the trace's name and line before it when Line is not 0). */
static void ExpectError(const RESULT *R, int Exit, const char *Name, uint64_t Line, const char *Message)
{
    char expected[512];

    if (Line)
    {
        snprintf(expected, sizeof(expected), "%s:%llu: %s", Name, (unsigned long long)Line, Message);
    }
    else
    {
        snprintf(expected, sizeof(expected), "%s", Message);
    }
    if (R->Exit != Exit || !strstr(R->Err, expected))
    {
        fail_msg("exit %d (expected %d); stderr '%s' does not hold '%s'", R->Exit, Exit, R->Err, expected);
    }
}

/* ---- events and rules ----------------------------------------------------------------------------------------------
 */

/*
 * Before rules, a delivered write is allowed (exceptions_not_loaded); one on a page no zone
 * protects never reaches the library.  Rules from a file (named relative to the trace's directory)
 * block the write with an alert; rules carried inline replace them and allow it by the exception
 * that names evil.sys.  Unprotecting the zone stops delivery.
 */
static void test_rules_decide_writes(void **state)
{
    char dir[] = "/tmp/introguard-replay-v2-XXXXXX";
    char name[96], rules[96];
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    RESULT *r = test_malloc(sizeof(*r));
    IG_REPLAY_OPTIONS options = Checked();
    const uint8_t *data;
    uint32_t allow;
    uint64_t rulesLine;
    TEXT t;
    size_t size;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(name, sizeof(name), "%s/t.jsonl", dir);
    snprintf(rules, sizeof(rules), "%s/rules.bin", dir);
    XbInit(file);
    XbKernel(file, W("other.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    data = XbFinish(file, &size);
    f = fopen(rules, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);

    TextInit(&t);
    AddGuest(&t, "");
    AddEpt(&t, 1, TARGET);
    AddExpect(&t, 1, "\"action\":\"allowed\",\"reason\":\"exceptions_not_loaded\",\"exception\":null,\"alert\":false");
    Add(&t, "{\"type\":\"ept\",\"seq\":2,\"vcpu\":1,\"gva\":\"0x%llx\",\"access\":\"w\"}\n",
        (unsigned long long)NEIGHBOUR);
    AddExpect(&t, 2, "\"action\":\"not_delivered\",\"alert\":false");
    rulesLine = NextLine(&t);
    Add(&t, "{\"type\":\"rules\",\"file\":\"rules.bin\"}\n");
    AddEpt(&t, 3, TARGET);
    AddExpect(&t, 3, "\"action\":\"not_allowed\",\"reason\":\"no_exception\",\"exception\":null,\"alert\":true");
    XbInit(file);
    XbKernel(file, W("other.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    allow = XbKernel(file, W("evil.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    assert_int_equal(allow, 1);
    AddRules(&t, file);
    AddEpt(&t, 4, TARGET);
    AddExpect(&t, 4, "\"action\":\"allowed\",\"reason\":\"allowed\",\"exception\":1,\"alert\":false");
    /* A corrupt update is rejected and the replay goes on: the rules in force still decide. */
    Add(&t, "{\"type\":\"rules\",\"data\":\"AAAA\"}\n");
    AddEpt(&t, 5, TARGET);
    AddExpect(&t, 5, "\"action\":\"allowed\",\"reason\":\"allowed\",\"exception\":1,\"alert\":false");
    Add(&t, "{\"type\":\"unprotect\",\"id\":\"victim-data\"}\n");
    AddEpt(&t, 6, TARGET);
    AddExpect(&t, 6, "\"action\":\"not_delivered\"");
    Add(&t, "{\"type\":\"end\",\"events\":6}\n");

    Replay(r, &t, name, &options);
    if (r->Exit != 0)
    {
        fail_msg("exit %d\nstdout:\n%s\nstderr:\n%s", r->Exit, r->Out, r->Err);
    }
    ExpectVerdict(r, 1, "victim-data", "allowed", "exceptions_not_loaded", -1, false);
    assert_string_equal(Find(r, 1, "victim-data")->Originator, "evil.sys");
    assert_string_equal(Find(r, 1, "victim-data")->Event, "ept");
    ExpectVerdict(r, 2, "", "not_delivered", "", -1, false);
    ExpectVerdict(r, 3, "victim-data", "not_allowed", "no_exception", -1, true);
    ExpectVerdict(r, 4, "victim-data", "allowed", "allowed", 1, false);
    ExpectVerdict(r, 5, "victim-data", "allowed", "allowed", 1, false);
    ExpectVerdict(r, 6, "", "not_delivered", "", -1, false);
    assert_int_equal(r->Count, 6);
    assert_true(r->HasSummary);
    assert_int_equal(r->Events, 6);
    assert_int_equal(r->Delivered, 4);
    assert_int_equal(r->Allowed, 3);
    assert_int_equal(r->NotAllowed, 1);
    assert_int_equal(r->Alerts, 1);
    assert_int_equal(r->Expectations, 6);
    assert_int_equal(r->Failed, 0);
    assert_int_equal(r->RulesLoaded, 2);
    assert_int_equal(r->RulesRejected, 1);
    assert_non_null(strstr(r->Err, "the exceptions file was rejected, the rules in force stay: byte 0"));

    /* The same trace named without its directory cannot find rules.bin. */
    Replay(r, &t, "t.jsonl", &options);
    ExpectError(r, 1, "t.jsonl", rulesLine, "field 'file': cannot read the exceptions file");

    unlink(rules);
    rmdir(dir);
    TextFree(&t);
    test_free(r);
    test_free(file);
}

/* deliver-all hands the library events no zone would stop: it allows them, outside the zones. */
static void test_deliver_all(void **state)
{
    RESULT *r = test_malloc(sizeof(*r));
    IG_REPLAY_OPTIONS options = Checked();
    uint64_t line;
    TEXT t;

    (void)state;
    TextInit(&t);
    AddGuest(&t, "");
    AddEpt(&t, 1, NEIGHBOUR);
    line = NextLine(&t);
    AddExpect(&t, 1, "\"action\":\"not_delivered\"");
    Add(&t, "{\"type\":\"end\",\"events\":1}\n");

    Replay(r, &t, "t.jsonl", &options);
    ExpectClean(r);
    ExpectVerdict(r, 1, "", "not_delivered", "", -1, false);
    assert_int_equal(r->Delivered, 0);

    options.DeliverAll = true;
    Replay(r, &t, "t.jsonl", &options);
    ExpectVerdict(r, 1, "", "allowed", "not_a_violation", -1, false);
    assert_int_equal(r->Delivered, 1);
    assert_int_equal(r->Allowed, 1);
    assert_int_equal(r->Failed, 1);
    ExpectError(r, 1, "t.jsonl", line,
                "expectation for seq 1 failed: expected not_delivered, got allowed/not_a_violation");
    TextFree(&t);
    test_free(r);
}

/* An event touching two zones: one line per zone; the expectation sees the strictest and any alert. */
static void test_two_zones(void **state)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    RESULT *r = test_malloc(sizeof(*r));
    IG_REPLAY_OPTIONS options = Checked();
    static const char *const zones[] = {
        /* owned by victim.sys: the exception allows it */
        "{\"type\":\"zone\",\"id\":\"owned\",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":[\"write\"],"
        "\"gva\":\"0xfffff80000100000\",\"size\":\"0x100\",\"owner\":\"0xfffff80000100000\"}\n",
        /* named other.sys: no exception */
        "{\"type\":\"zone\",\"id\":\"named\",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":[\"write\"],"
        "\"gva\":\"0xfffff80000100008\",\"size\":\"0x10\",\"name\":\"other.sys\"}\n",
    };
    TEXT t;

    (void)state;
    XbInit(file);
    XbKernel(file, W("evil.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    /* Both orders: the strictest decision wins whichever the library takes first. */
    for (int order = 0; order < 2; order++)
    {
        uint64_t line;

        TextInit(&t);
        AddGuest(&t, "");
        Add(&t, "{\"type\":\"unprotect\",\"id\":\"victim-data\"}\n");
        Add(&t, "%s%s", zones[order], zones[1 - order]);
        AddRules(&t, file);
        AddEpt(&t, 1, TARGET);
        AddExpect(&t, 1, "\"action\":\"not_allowed\",\"reason\":\"no_exception\",\"exception\":null,\"alert\":true");
        line = NextLine(&t);
        AddExpect(&t, 1, "\"action\":\"allowed\"");
        Add(&t, "{\"type\":\"end\",\"events\":1}\n");

        Replay(r, &t, "t.jsonl", &options);
        assert_int_equal(LinesOf(r, 1), 2);
        ExpectVerdict(r, 1, "owned", "allowed", "allowed", 0, false);
        ExpectVerdict(r, 1, "named", "not_allowed", "no_exception", -1, true);
        assert_int_equal(r->Delivered, 1);
        assert_int_equal(r->NotAllowed, 1);
        assert_int_equal(r->Allowed, 0);
        assert_int_equal(r->Alerts, 1);
        assert_int_equal(r->Expectations, 2);
        assert_int_equal(r->Failed, 1);
        ExpectError(r, 1, "t.jsonl", line,
                    "expectation for seq 1 failed: expected allowed, got not_allowed/no_exception (exception -)");
        TextFree(&t);
    }
    test_free(r);
    test_free(file);
}

/*
 * MSR, CR and DTR events reach the library only once a zone turns their exit on, and only the
 * writes the zone is about are decided (the others are delivered and allowed outside the zones).
 */
static void test_register_zones(void **state)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    RESULT *r = test_malloc(sizeof(*r));
    IG_REPLAY_OPTIONS options = Checked();
    TEXT t;

    (void)state;
    XbInit(file);
    XbKernel(file, W("evil.sys"), 0, TF_DEFAULT, IgKmObjMsr, 0, NULL);
    TextInit(&t);
    AddGuest(&t, "");
    AddRules(&t, file);
    Add(&t, "{\"type\":\"msr\",\"seq\":1,\"msr\":\"0xc0000082\",\"old\":\"0x0\",\"new\":\"0x%llx\"}\n",
        (unsigned long long)RIP);
    Add(&t, "{\"type\":\"zone\",\"id\":\"lstar\",\"kind\":\"msr\",\"msr\":\"0xc0000082\"}\n");
    Add(&t, "{\"type\":\"msr\",\"seq\":2,\"msr\":\"0xc0000082\",\"old\":\"0x0\",\"new\":\"0x%llx\"}\n",
        (unsigned long long)RIP);
    Add(&t, "{\"type\":\"msr\",\"seq\":3,\"msr\":\"0xc0000081\",\"old\":\"0x0\",\"new\":\"0x1\"}\n");
    Add(&t, "{\"type\":\"cr\",\"seq\":4,\"cr\":4," SMEP_OFF "}\n");
    Add(&t, "{\"type\":\"zone\",\"id\":\"smep\",\"kind\":\"cr\",\"cr\":4}\n");
    Add(&t, "{\"type\":\"cr\",\"seq\":5,\"cr\":4," SMEP_OFF "}\n");
    Add(&t, "{\"type\":\"cr\",\"seq\":6,\"cr\":4,\"old\":\"0x370678\",\"new\":\"0x370670\"}\n");
    Add(&t, "{\"type\":\"dtr\",\"seq\":7,\"dtr\":\"idtr\"}\n");
    Add(&t, "{\"type\":\"zone\",\"id\":\"idtr\",\"kind\":\"dtr\",\"dtr\":\"idtr\"}\n");
    Add(&t, "{\"type\":\"dtr\",\"seq\":8,\"dtr\":\"idtr\",\"access\":\"write\"}\n");
    Add(&t, "{\"type\":\"dtr\",\"seq\":9,\"dtr\":\"idtr\",\"access\":\"read\"}\n");
    Add(&t, "{\"type\":\"unprotect\",\"id\":\"lstar\"}\n");
    Add(&t, "{\"type\":\"msr\",\"seq\":10,\"msr\":\"0xc0000082\",\"old\":\"0x0\",\"new\":\"0x1\"}\n");
    AddExpect(&t, 2, "\"action\":\"allowed\",\"exception\":0,\"alert\":false");
    AddExpect(&t, 5, "\"action\":\"not_allowed\",\"alert\":true");
    AddExpect(&t, 6, "\"action\":\"allowed\",\"alert\":false");
    AddExpect(&t, 10, "\"action\":\"not_delivered\"");
    Add(&t, "{\"type\":\"end\",\"events\":10}\n");

    Replay(r, &t, "t.jsonl", &options);
    ExpectClean(r);
    ExpectVerdict(r, 1, "", "not_delivered", "", -1, false);
    ExpectVerdict(r, 2, "lstar", "allowed", "allowed", 0, false);
    assert_string_equal(Find(r, 2, "lstar")->Event, "msr");
    assert_string_equal(Find(r, 2, "lstar")->Originator, "evil.sys");
    ExpectVerdict(r, 3, "", "not_delivered", "", -1, false);
    ExpectVerdict(r, 4, "", "not_delivered", "", -1, false);
    ExpectVerdict(r, 5, "smep", "not_allowed", "no_exception", -1, true);
    assert_string_equal(Find(r, 5, "smep")->Event, "cr");
    ExpectVerdict(r, 6, "", "allowed", "not_a_violation", -1, false);
    ExpectVerdict(r, 7, "", "not_delivered", "", -1, false);
    ExpectVerdict(r, 8, "idtr", "not_allowed", "no_exception", -1, true);
    assert_string_equal(Find(r, 8, "idtr")->Event, "dtr");
    ExpectVerdict(r, 9, "", "allowed", "not_a_violation", -1, false);
    ExpectVerdict(r, 10, "", "not_delivered", "", -1, false);
    assert_int_equal(r->Count, 10);
    assert_int_equal(r->Events, 10);
    assert_int_equal(r->Delivered, 5);
    assert_int_equal(r->Allowed, 3);
    assert_int_equal(r->NotAllowed, 2);
    assert_int_equal(r->Alerts, 2);
    assert_int_equal(r->Expectations, 4);
    assert_int_equal(r->Failed, 0);
    TextFree(&t);
    test_free(r);
    test_free(file);
}

/* A removed process takes its zones along (the kernel's stay): its page is no longer protected. */
static void test_process_remove(void **state)
{
    static const uint8_t code[] = {0x48, 0x89, 0x08, 0x90};
    static const uint8_t data[16] = {0x33};
    RESULT *r = test_malloc(sizeof(*r));
    IG_REPLAY_OPTIONS options = Checked();
    uint64_t line;
    TEXT t;

    (void)state;
    TextInit(&t);
    AddGuest(&t, "");
    Add(&t, "{\"type\":\"process\",\"pid\":100,\"name\":\"a.exe\",\"cr3\":\"0x%llx\"}\n", (unsigned long long)UCR3);
    AddMemory(&t, UDATA, UCR3, data, sizeof(data));
    AddMemory(&t, RIP, UCR3, code, sizeof(code));
    Add(&t,
        "{\"type\":\"zone\",\"id\":\"user-data\",\"kind\":\"memory\",\"object\":\"um-module\",\"access\":["
        "\"write\"],\"gva\":\"0x%llx\",\"size\":\"0x1000\",\"pid\":100}\n",
        (unsigned long long)UDATA);
    Add(&t,
        "{\"type\":\"ept\",\"seq\":1,\"gva\":\"0x%llx\",\"access\":\"w\",\"regs\":{\"cr3\":\"0x%llx\",\"rax\":"
        "\"0x%llx\"}}\n",
        (unsigned long long)(UDATA + 0x10), (unsigned long long)UCR3, (unsigned long long)(UDATA + 0x10));
    Add(&t, "{\"type\":\"process_remove\",\"pid\":100}\n");
    AddEpt(&t, 2, UDATA + 0x10);
    AddExpect(&t, 2, "\"action\":\"not_delivered\"");
    Add(&t, "{\"type\":\"unprotect\",\"id\":\"victim-data\"}\n");
    line = NextLine(&t);
    Add(&t, "{\"type\":\"unprotect\",\"id\":\"user-data\"}\n");
    Add(&t, "{\"type\":\"end\",\"events\":2}\n");

    Replay(r, &t, "t.jsonl", &options);
    ExpectVerdict(r, 1, "user-data", "allowed", "exceptions_not_loaded", -1, false);
    ExpectVerdict(r, 2, "", "not_delivered", "", -1, false);
    assert_false(r->HasSummary);
    ExpectError(r, 1, "t.jsonl", line, "field 'id': no zone \"user-data\" (or it went with its process)");
    TextFree(&t);
    test_free(r);
}

/* ---- expectations and errors ----------------------------------------------------------------------------------- */

/* Seq 1 is blocked with an alert (no exception for evil.sys), seq 2 never delivered. */
static void test_expectation_failures(void **state)
{
    static const struct
    {
        const char *Expect; /* for seq 1, or seq 2 when it starts with '2' */
        bool Check;
        int Exit;
        const char *Message; /* "" for none */
        bool BadInput;       /* the expect record itself is wrong: the run stops there */
    } cases[] = {
        {"\"action\":\"not_allowed\",\"reason\":\"no_exception\",\"alert\":true", true, 0, ""},
        {"\"action\":\"not_allowed\",\"alert\":false", true, 1,
         "expectation for seq 1 failed: expected not_allowed without an alert, got not_allowed/no_exception "
         "(exception -), an alert"},
        {"\"action\":\"not_delivered\"", true, 1,
         "expectation for seq 1 failed: expected not_delivered, got not_allowed/no_exception (exception -)"},
        {"\"action\":\"not_allowed\",\"reason\":\"internal_error\"", true, 1,
         "expectation for seq 1 failed: expected not_allowed/internal_error, got not_allowed/no_exception"},
        {"\"action\":\"not_allowed\",\"exception\":0", true, 1,
         "expectation for seq 1 failed: expected not_allowed, got not_allowed/no_exception (exception -)"},
        {"2:\"action\":\"allowed\"", true, 1, "expectation for seq 2 failed: expected allowed, got not_delivered"},
        {"2:\"action\":\"not_delivered\",\"alert\":true", true, 1,
         "expectation for seq 2 failed: expected not_delivered with an alert, got not_delivered, no alert"},
        {"2:\"action\":\"allowed\"", false, 0, "expectation for seq 2 failed"},
        {"3:\"action\":\"allowed\"", true, 1, "field 'seq': no event with seq 3 before this line", true},
    };
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    RESULT *r = test_malloc(sizeof(*r));
    TEXT t;

    (void)state;
    XbInit(file);
    XbKernel(file, W("other.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        IG_REPLAY_OPTIONS options = Checked();
        const char *expect = cases[i].Expect;
        uint64_t seq = 1, line;

        if (expect[1] == ':')
        {
            seq = (uint64_t)(expect[0] - '0');
            expect += 2;
        }
        TextInit(&t);
        AddGuest(&t, "");
        AddRules(&t, file);
        AddEpt(&t, 1, TARGET);
        AddEpt(&t, 2, NEIGHBOUR);
        line = NextLine(&t);
        AddExpect(&t, seq, expect);
        Add(&t, "{\"type\":\"end\",\"events\":2}\n");
        options.Check = cases[i].Check;
        Replay(r, &t, "t.jsonl", &options);
        if (r->Exit != cases[i].Exit || (cases[i].Message[0] ? !strstr(r->Err, cases[i].Message) : r->Err[0] != 0))
        {
            fail_msg("case %zu: exit %d (expected %d), stderr '%s'", i, r->Exit, cases[i].Exit, r->Err);
        }
        if (cases[i].Message[0])
        {
            ExpectError(r, cases[i].Exit, "t.jsonl", line, cases[i].Message);
        }
        if (!cases[i].BadInput)
        {
            assert_int_equal(r->Failed, cases[i].Exit == 0 && !cases[i].Message[0] ? 0 : 1);
            assert_int_equal(r->Expectations, 1);
        }
        TextFree(&t);
    }
    test_free(r);
    test_free(file);
}

/* Bad input stops the run with exit 1, naming the trace, the line and (where there is one) the field. */
static void test_errors(void **state)
{
    static const struct
    {
        const char *Lines; /* after the guest */
        uint32_t At;       /* the failing line among them (0-based) */
        const char *Message;
    } cases[] = {
        {"{\"type\":\"zone\",\"id\":\"far\",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":[\"write\"],"
         "\"gva\":"
         "\"0xfffff80000200000\",\"size\":\"0x1000\"}\n",
         0, "cannot protect the zone: a page is not mapped (declare its memory first)"},
        {"{\"type\":\"zone\",\"id\":\"half\",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":[\"write\"],"
         "\"gva\":\"0xfffff80000101000\",\"size\":\"0x2000\"}\n",
         0, "cannot protect the zone: a page is not mapped"},
        {"{\"type\":\"zone\",\"id\":\"victim-data\",\"kind\":\"msr\",\"msr\":\"0xc0000082\"}\n", 0,
         "field 'id': zone \"victim-data\" is already declared"},
        {"{\"type\":\"unprotect\",\"id\":\"nope\"}\n", 0, "field 'id': no zone \"nope\" (or it went with its process)"},
        {"{\"type\":\"unprotect\",\"id\":\"victim-data\"}\n{\"type\":\"unprotect\",\"id\":\"victim-data\"}\n", 1,
         "field 'id': no zone \"victim-data\""},
        {"{\"type\":\"ept\",\"seq\":1,\"gva\":\"0xfffff80000300000\",\"access\":\"w\"}\n", 0,
         "field 'gva': 0xfffff80000300000 is not mapped under CR3 0x100000 ("},
        {"{\"type\":\"ept\",\"seq\":1,\"gva\":\"0xfffff80000100010\",\"access\":\"w\",\"regs\":{\"cr3\":\"0x700000\"}}"
         "\n",
         0, "field 'gva': 0xfffff80000100010 is not mapped under CR3 0x700000"},
        {"{\"type\":\"module\",\"name\":\"bad.sys\",\"base\":\"0xfffff80000400000\",\"size\":\"0x1000\",\"sections\":[{"
         "\"name\":\".text\",\"rva\":\"0x1000\",\"size\":\"0x1000\"}]}\n",
         0, "cannot declare the module: malformed (see docs/trace-format.md)"},
        {"{\"type\":\"module\",\"name\":\"a.dll\",\"pid\":999,\"base\":\"0x10000\",\"size\":\"0x1000\"}\n", 0,
         "cannot declare the module: not found (declare the process first)"},
        {"{\"type\":\"module_remove\",\"base\":\"0x1000\"}\n", 0,
         "field 'base': cannot remove the module: not declared"},
        {"{\"type\":\"module_remove\",\"base\":\"0x10000\",\"pid\":5}\n", 0,
         "field 'base': cannot remove the module: not declared"},
        {"{\"type\":\"process_remove\",\"pid\":5}\n", 0, "field 'pid': cannot remove the process: not declared"},
        {"{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{},\"victim\":{\"zone\":\"msr\",\"msr\":"
         "1},"
         "\"memory\":{\"paging\":\"pae\"}}\n",
         0, "field 'memory.paging': a version-2 trace sets paging once, in its header (guest.paging)"},
        {"{\"type\":\"zone\",\"id\":\"z\",\"kind\":\"port\"}\n", 0,
         "field 'kind': unknown zone kind \"port\" (memory, msr, cr, dtr)"},
        /* no end record: truncated after the last line */
        {"{\"type\":\"ept\",\"seq\":1,\"gva\":\"0xfffff80000100010\",\"access\":\"w\"}\n", 0,
         "the trace ends without its end record: truncated after line "},
    };
    RESULT *r = test_malloc(sizeof(*r));
    IG_REPLAY_OPTIONS options = Checked();
    TEXT t;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        uint64_t line;

        TextInit(&t);
        AddGuest(&t, "");
        line = NextLine(&t) + cases[i].At;
        Add(&t, "%s", cases[i].Lines);
        if (i + 1 < sizeof(cases) / sizeof(cases[0]))
        {
            Add(&t, "{\"type\":\"end\",\"events\":0}\n");
        }
        Replay(r, &t, "dir/t.jsonl", &options);
        if (r->Exit != 1 || !strstr(r->Err, cases[i].Message))
        {
            fail_msg("case %zu: exit %d, stderr '%s'; expected '%s'", i, r->Exit, r->Err, cases[i].Message);
        }
        ExpectError(r, 1, "dir/t.jsonl", line, cases[i].Message);
        assert_false(r->HasSummary);
        TextFree(&t);
    }
    /* The truncated trace's event was run and shown before the end was missed. */
    ExpectVerdict(r, 1, "victim-data", "allowed", "exceptions_not_loaded", -1, false);
    test_free(r);
}

/*
 * Version-intro signatures compare with the header's intro_version, which the IntroVersion option
 * overrides; without either, with this library's (1.133).  The exception allows 1.100 to 1.120.
 */
static void test_intro_version(void **state)
{
    static const struct
    {
        const char *Header;
        uint64_t Option;
        bool Allowed;
    } cases[] = {
        {"", 0, false},
        {",\"intro_version\":\"1.110.0.0\"", 0, true},
        {",\"intro_version\":\"1.125.0.0\"", 0, false},
        {",\"intro_version\":\"1.110.0.0\"", (1ull << 48) | (133ull << 32), false},
        {"", (1ull << 48) | (110ull << 32), true},
        {",\"intro_version\":\"1.133.0.0\"", (1ull << 48) | (101ull << 32), true},
    };
    static const uint32_t sig[] = {IG_SIG_ID_MAKE(IgSigTypeVersionIntro, 1)};
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    RESULT *r = test_malloc(sizeof(*r));
    uint32_t allow;
    TEXT t;

    (void)state;
    XbInit(file);
    XbVersionIntro(file, sig[0], 3, 0x0000000000640001ull, 0xFFFFFFFF00780001ull);
    allow = XbKernel(file, W("evil.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 1, sig);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        IG_REPLAY_OPTIONS options = Checked();

        TextInit(&t);
        AddGuest(&t, cases[i].Header);
        AddRules(&t, file);
        AddEpt(&t, 1, TARGET);
        Add(&t, "{\"type\":\"end\",\"events\":1}\n");
        options.IntroVersion = cases[i].Option;
        Replay(r, &t, "t.jsonl", &options);
        ExpectClean(r);
        if (cases[i].Allowed)
        {
            ExpectVerdict(r, 1, "victim-data", "allowed", "allowed", allow, false);
        }
        else
        {
            ExpectVerdict(r, 1, "victim-data", "not_allowed", "version_intro_not_matched", -1, true);
        }
        TextFree(&t);
    }
    test_free(r);
    test_free(file);
}

/* ---- a rejected rules file ------------------------------------------------------------------------------------- */

static void Observe(void *Context, void *GuestHandle, const INTRO_GUEST_DECISION *Decision)
{
    INTRO_EXC_VERDICT *last = Context;

    (void)GuestHandle;
    *last = *Decision->Verdict;
}

/*
 * What a rejected rules record relies on is the library's: the rules in force stay (the replay
 * shows it in test_rules_decide_writes).  The same guest built by hand: rules that allow evil.sys,
 * a rejected update, and the write still allowed by them.
 */
static void test_rejected_rules_keep_previous(void **state)
{
    static const uint8_t code[] = {0x48, 0x89, 0x08, 0x90};
    static const uint8_t data[16] = {0x11};
    static const INTRO_GUEST_SECTION text = {".text", 0x1000, 0x1000, INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE};
    static const INTRO_GUEST_SECTION writable = {".data", 0, 0x2000, INTRO_SECTION_WRITE};
    static BYTE garbage[64] = {'E', 'X', 'N', 'A'};
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    INTRO_GUEST_MODULE evil = {.StructSize = sizeof(evil),
                               .Name = "evil.sys",
                               .NameLength = 8,
                               .Base = EVIL,
                               .ImageSize = 0x10000,
                               .Sections = &text,
                               .SectionCount = 1};
    INTRO_GUEST_MODULE victim = {.StructSize = sizeof(victim),
                                 .Name = "victim.sys",
                                 .NameLength = 10,
                                 .Base = VICTIM,
                                 .ImageSize = 0x10000,
                                 .Sections = &writable,
                                 .SectionCount = 1};
    INTRO_GUEST_ZONE zone;
    INTRO_EXC_VERDICT last;
    INTRO_BACKEND_REGS regs;
    INTRO_REPLAY *replay;
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    GUEST_INFO info;
    INTRO_ACTION action = introGuestRetry;
    const uint8_t *bin;
    size_t size;
    QWORD gpa = 0;

    (void)state;
    assert_int_equal(IntReplayCreate(1, &replay), INT_STATUS_SUCCESS);
    memset(&info, 0, sizeof(info));
    info.Type = introGuestWindows;
    info.Guest64 = true;
    info.OsVersion = 19041;
    RgStart(IntReplayBackend(), replay, &info, 0x100000, NULL, &guest, &glue);
    assert_int_equal(IntGuestSetDecisionObserver(guest, Observe, &last), INT_STATUS_SUCCESS);
    RgMap(replay, 0x100000, RIP, code, sizeof(code));
    RgMap(replay, 0x100000, VICTIM, data, sizeof(data));
    assert_int_equal(IntGuestAddModule(guest, INTRO_GUEST_KERNEL, &evil), INT_STATUS_SUCCESS);
    assert_int_equal(IntGuestAddModule(guest, INTRO_GUEST_KERNEL, &victim), INT_STATUS_SUCCESS);
    /* vCPU 0's paging mode translates the zone: its registers first. */
    memset(&regs, 0, sizeof(regs));
    regs.Arch.Cr0 = 0x80000001;
    regs.Arch.Cr4 = 0x30;
    regs.Arch.Cr3 = 0x100000;
    regs.Arch.Rip = RIP;
    regs.Arch.Rax = TARGET;
    regs.Arch.Rcx = 0x4141414141414141ull; /* not what is there: no same-value allow */
    regs.Arch.Flags = 0x2;
    regs.Efer = 0x500;
    regs.Msrs = INTRO_BACKEND_MSR_EFER;
    regs.Cs.Attributes = 0xA9B;
    regs.Ss.Attributes = 0xC93;
    assert_int_equal(IntReplaySetRegisters(replay, 0, &regs), INT_STATUS_SUCCESS);
    RgMemoryZone(&zone, introObjectTypeKmModule, VICTIM, 0x1000, INTRO_GUEST_KERNEL, VICTIM, IG_EPT_HOOK_WRITE);
    RgProtect(guest, &zone);
    assert_int_equal(IntReplayTranslate(replay, 0x100000, INTRO_REPLAY_PAGING_4LEVEL, TARGET, &gpa),
                     INT_STATUS_SUCCESS);

    XbInit(file);
    XbKernel(file, W("other.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    XbKernel(file, W("evil.sys"), W("victim.sys"), TF_DEFAULT, IgKmObjAny, 0, NULL);
    bin = XbFinish(file, &size);
    assert_int_equal(IntUpdateExceptions(guest, (PBYTE)(uintptr_t)bin, (DWORD)size, 0), INT_STATUS_SUCCESS);
    assert_false(INT_SUCCESS(IntUpdateExceptions(guest, garbage, sizeof(garbage), 0)));

    memset(&last, 0, sizeof(last));
    assert_int_equal(IntGlueEptViolation(guest, 0, gpa, TARGET, IG_EPT_HOOK_WRITE, 0, &action), INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestAllowed);
    assert_int_equal(last.Reason, INTRO_EXC_REASON_ALLOWED);
    assert_int_equal(last.Matched.Source, INTRO_EXC_SOURCE_FILE);
    assert_int_equal(last.Matched.RecordIndex, 1);

    (void)glue.DisableIntro(guest, 0);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    IntGlueGuestDestroy(guest);
    IntReplayDestroy(replay);
    test_free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_decide_writes),
        cmocka_unit_test(test_deliver_all),
        cmocka_unit_test(test_two_zones),
        cmocka_unit_test(test_register_zones),
        cmocka_unit_test(test_process_remove),
        cmocka_unit_test(test_expectation_failures),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_intro_version),
        cmocka_unit_test(test_rejected_rules_keep_previous),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
