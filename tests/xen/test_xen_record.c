/*
 * Record mode: the whole pipeline runs live on the Xen backend over the fake Xen (a 64-bit Windows
 * guest with page tables, two drivers, a protected data range and LSTAR, an exceptions file), with
 * recording on; then `introguard replay` (IgReplayStream) runs the recording on the replay backend.
 * Every event must come to the same decision (delivered, action, reason, alert) both ways, and the
 * trace must be what docs/trace-format.md says (a header, vCPUs, pages, declarations, events, end).
 *
 * The guest's memory is made with the replay backend's IntReplayMapVirtual (which builds real
 * 4-level page tables) and copied frame by frame into the fake Xen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exc_builder.h"
#include "fake_xen.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "replay.h"
#include "replay_guest.h"
#include "trace.h"
#include "xen_int.h"

#define KCR3 0x1AA000ull
#define DRV_A 0xFFFFF80010000000ull   /* a.sys: code at +0x1000 */
#define DRV_V 0xFFFFF80020000000ull   /* victim.sys: .data at +0x2000 */
#define NOWHERE 0xFFFFF80030000000ull /* code in no module */
#define FRAMES 0x400u
#define MAX_EVENTS 16u

/* One event's outcome, live or replayed. */
typedef struct OUTCOME
{
    bool Delivered;
    bool Decided;
    uint32_t Action; /* INTRO_EXC_ACTION_* */
    uint32_t Reason;
    bool Alert;
} OUTCOME;

static struct
{
    OUTCOME Live[MAX_EVENTS + 1];
    uint32_t Seq; /* the event being handled live */
    unsigned Alerts;
} gRun;

static void Observe(void *Context, void *GuestHandle, const INTRO_GUEST_DECISION *Decision)
{
    OUTCOME *o = &gRun.Live[gRun.Seq];

    (void)Context;
    (void)GuestHandle;
    /* The strictest decision of the event, as the replay folds them. */
    if (!o->Decided || Decision->Verdict->Action != INTRO_EXC_ACTION_ALLOWED)
    {
        o->Action = Decision->Verdict->Action;
        o->Reason = Decision->Verdict->Reason;
    }
    o->Decided = true;
    o->Alert = o->Alert || Decision->Alerted;
}

static void OnAlert(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    (void)Context;
    (void)EventClass;
    (void)Event;
    (void)Size;
    gRun.Alerts++;
}

/* The guest's memory: drivers, code, the victim's data, page tables under KCR3, copied into the fake. */
static void MakeMemory(FAKE_XEN *F)
{
    static uint8_t zeros[0x3000];
    static const uint8_t mov[] = {0x48, 0x89, 0x18}; /* mov [rax], rbx */
    const uint64_t old = 0x1111111111111111ull;
    INTRO_REPLAY *replay;
    INTRO_BACKEND_INFO info;

    assert_int_equal(IntReplayCreate(1, &replay), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayAddPage(replay, KCR3, zeros), INT_STATUS_SUCCESS);
    RgMap(replay, KCR3, DRV_A, zeros, sizeof(zeros));
    RgMap(replay, KCR3, DRV_V, zeros, sizeof(zeros));
    RgMap(replay, KCR3, DRV_A + 0x1000, mov, 3);
    RgMap(replay, KCR3, NOWHERE, mov, 3);
    RgMap(replay, KCR3, DRV_V + 0x2010, &old, 8);
    assert_int_equal(IntReplayBackend()->GetInfo(replay, &info), INT_STATUS_SUCCESS);
    assert_true(info.MaxGfn < FRAMES);
    for (QWORD gfn = 0; gfn <= info.MaxGfn; gfn++)
    {
        void *page = NULL;

        if (INT_SUCCESS(IntReplayBackend()->MapPage(replay, gfn, FALSE, &page)))
        {
            FakeXenSetPage(F, gfn, page);
            IntReplayBackend()->UnmapPage(replay, page);
        }
    }
    IntReplayDestroy(replay);
}

/* The guest-physical address of a kernel address, by the page tables in the fake. */
static uint64_t Gpa(FAKE_XEN *F, uint64_t Gva)
{
    uint64_t table = KCR3;

    for (int shift = 39; shift >= 12; shift -= 9)
    {
        uint64_t entry;

        memcpy(&entry, F->Pages[table >> 12] + ((Gva >> shift) & 0x1FF) * 8, 8);
        assert_true(entry & 1);
        table = entry & 0x000FFFFFFFFFF000ull;
    }
    return table | (Gva & 0xFFF);
}

static void AddModule(INTRO_GLUE_GUEST *Guest, INTRO_XEN *Xen, const char *Name, uint64_t Base)
{
    INTRO_GUEST_MODULE m;

    RgModuleInit(&m, Name, Base, 0);
    assert_int_equal(IntGuestAddModule(Guest, INTRO_GUEST_KERNEL, &m), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordModule(Xen, INTRO_GUEST_KERNEL, &m), INT_STATUS_SUCCESS);
}

static void Protect(INTRO_GLUE_GUEST *Guest, INTRO_XEN *Xen, DWORD Kind, uint64_t Gva, uint64_t Length, DWORD Index)
{
    INTRO_GUEST_ZONE z;
    QWORD id;

    /* One shape for every kind: the fields a kind does not use are recorded as they are. */
    RgMemoryZone(&z, introObjectTypeKmModule, Gva, Length, INTRO_GUEST_KERNEL, DRV_V, IG_EPT_HOOK_WRITE);
    z.Kind = Kind;
    z.Index = Index;
    id = RgProtect(Guest, &z);
    assert_int_equal(IntXenRecordZone(Xen, id, &z), INT_STATUS_SUCCESS);
}

/* Event Seq: a write by the code at Rip of Value to Target, through the ring; the response flags. */
static uint32_t Write(FAKE_XEN *F, INTRO_XEN *Xen, uint32_t Seq, uint64_t Rip, uint64_t Target, uint64_t Value)
{
    vm_event_request_t req;
    vm_event_response_t rsp;

    gRun.Seq = Seq;
    gRun.Live[Seq].Delivered = true;
    FakeXenMemRequest(F, 0, Gpa(F, Target), Target, MEM_ACCESS_W, &req);
    req.data.regs.x86.rip = Rip;
    req.data.regs.x86.rax = Target;
    req.data.regs.x86.rbx = Value;
    req.data.regs.x86.rsp = DRV_V + 0x2800; /* a stack of zeros: no return module */
    assert_true(FakeXenPush(F, &req));
    FakeXenKick(F);
    assert_int_equal(IgXenPoll(Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(F, &rsp, 1), 1);
    if (rsp.flags & VM_EVENT_FLAG_SET_REGISTERS)
    {
        assert_int_equal(rsp.data.regs.x86.rip, Rip + 3); /* skipped: 48 89 18 is 3 bytes */
    }
    return rsp.flags;
}

static uint32_t MsrWrite(FAKE_XEN *F, INTRO_XEN *Xen, uint32_t Seq, uint64_t Rip, uint64_t Value)
{
    vm_event_request_t req;
    vm_event_response_t rsp;

    gRun.Seq = Seq;
    gRun.Live[Seq].Delivered = true;
    FakeXenMsrRequest(F, 0, 0xC0000082, DRV_A + 0x1800, Value, &req);
    req.data.regs.x86.rip = Rip;
    assert_true(FakeXenPush(F, &req));
    assert_int_equal(IgXenPoll(Xen, 0), INT_STATUS_SUCCESS);
    assert_int_equal(FakeXenTake(F, &rsp, 1), 1);
    return rsp.flags;
}

/* The live run, recording into Trace; how many events it had. */
static uint32_t LiveRun(FILE *Trace)
{
    FAKE_XEN f;
    INTRO_XEN_CONFIG config;
    INTRO_XEN *xen;
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    GUEST_INFO info = {introGuestWindows, 0, TRUE, 19041, 0, {0}};
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    const uint8_t *bin;
    size_t size;
    const uint64_t changed = 0x2222;

    FakeXenInit(&f, 1, FRAMES);
    f.Cpu[0].cr3 = KCR3;
    MakeMemory(&f);
    FakeXenConfig(&f, &config);
    config.Flags = INTRO_XEN_DENY_SKIP; /* blocked writes skip their instruction: the paged decode runs */
    config.Alert = OnAlert;
    assert_int_equal(IgXenCreateWithOps(&config, &f.Ops, &xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenAttach(xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordStart(xen, Trace, &info, KCR3), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordStart(xen, Trace, &info, KCR3), INT_STATUS_INVALID_PARAMETER_1);

    /* The integrator's part, as examples/xen-daemon does it. */
    RgStart(IntXenBackend(), xen, &info, KCR3, NULL, &guest, &glue);
    assert_int_equal(IntGuestSetDecisionObserver(guest, Observe, NULL), INT_STATUS_SUCCESS);
    AddModule(guest, xen, "a.sys", DRV_A);
    AddModule(guest, xen, "victim.sys", DRV_V);
    XbInit(file);
    XbKernel(file, XbWide("a.sys"), XbWide("victim.sys"), TF_DEFAULT, IgKmObjDriverData, 0, NULL);
    bin = XbFinish(file, &size);
    assert_int_equal(IntUpdateExceptions(guest, (PBYTE)(uintptr_t)bin, (DWORD)size, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordRules(xen, bin, size, NULL), INT_STATUS_SUCCESS);
    Protect(guest, xen, introZoneMemory, DRV_V + 0x2000, 0x100, 0);
    Protect(guest, xen, introZoneMsr, 0, 0, 0xC0000082);
    xen->Guest = guest; /* events through IgXenPoll, one at a time (IntXenStart would start a thread) */

    /* 1: a.sys may write victim.sys's data; 2: code in no module may not (skipped). */
    assert_int_equal(Write(&f, xen, 1, DRV_A + 0x1000, DRV_V + 0x2010, 0x3333),
                     VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    assert_int_equal(Write(&f, xen, 2, NOWHERE, DRV_V + 0x2010, 0x3333),
                     VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_SET_REGISTERS);
    /* The guest's memory changes between events: the recording must follow it. */
    memcpy(f.Pages[Gpa(&f, DRV_V + 0x2010) >> 12] + ((DRV_V + 0x2010) & 0xFFF), &changed, 8);
    /* 3: writing the value the page now holds is allowed (same value); 4: outside the zone, not ours. */
    assert_int_equal(Write(&f, xen, 3, NOWHERE, DRV_V + 0x2010, 0x2222),
                     VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    assert_int_equal(Write(&f, xen, 4, NOWHERE, DRV_V + 0x2800, 0x4444),
                     VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_EMULATE);
    /* 5: LSTAR rewritten from no module: denied. */
    assert_int_equal(MsrWrite(&f, xen, 5, NOWHERE, NOWHERE), VM_EVENT_FLAG_VCPU_PAUSED | VM_EVENT_FLAG_DENY);
    assert_int_equal(gRun.Alerts, 2);

    assert_int_equal(glue.DisableIntro(guest, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordStop(xen), INT_STATUS_SUCCESS);
    IntXenDestroy(xen);
    IntGlueGuestDestroy(guest);
    assert_int_equal(f.Pauses, 0);
    assert_int_equal(f.Access[Gpa(&f, DRV_V + 0x2000) >> 12], XENMEM_access_rwx);
    FakeXenFree(&f);
    test_free(file);
    return 5;
}

/* The value of "Key": in a JSON line (a string without quotes, or a bare word); "" when absent. */
static void Field(const char *Line, const char *Key, char *Out, size_t Size)
{
    char pattern[48];
    const char *at;
    size_t n = 0;

    snprintf(pattern, sizeof(pattern), "\"%s\":", Key);
    Out[0] = '\0';
    at = strstr(Line, pattern);
    if (!at)
    {
        return;
    }
    at += strlen(pattern);
    at += *at == '"';
    while (at[n] && at[n] != '"' && at[n] != ',' && at[n] != '}' && n + 1 < Size)
    {
        n++;
    }
    memcpy(Out, at, n);
    Out[n] = '\0';
}

static void TestRecordThenReplay(void **State)
{
    FILE *trace = tmpfile();
    char *output = NULL, *errors = NULL, *line, *save = NULL;
    size_t outputSize = 0, errorsSize = 0;
    FILE *out, *err;
    IG_REPLAY_OPTIONS options;
    OUTCOME replayed[MAX_EVENTS + 1];
    uint32_t events, verdicts = 0;
    char text[4096];
    unsigned pages = 0, headers = 0, ends = 0;
    int exitCode;

    (void)State;
    memset(&gRun, 0, sizeof(gRun));
    memset(replayed, 0, sizeof(replayed));
    assert_non_null(trace);
    events = LiveRun(trace);

    /* The trace: a header first, pages, the end last. */
    rewind(trace);
    while (fgets(text, sizeof(text), trace) || !feof(trace))
    {
        headers += strstr(text, "\"type\":\"header\"") != NULL;
        ends += strstr(text, "\"type\":\"end\",\"events\":5") != NULL;
        /* a page line is longer than the buffer: count its start only */
        pages += strncmp(text, "{\"type\":\"page\"", 14) == 0;
        text[0] = '\0';
    }
    assert_int_equal(headers, 1);
    assert_int_equal(ends, 1);
    assert_true(pages >= 6); /* tables, code, data; the changed data page twice */

    /* The replay of the recording. */
    rewind(trace);
    out = open_memstream(&output, &outputSize);
    err = open_memstream(&errors, &errorsSize);
    memset(&options, 0, sizeof(options));
    options.Format = IgReplayJsonl;
    exitCode = IgReplayStream(trace, "recording.jsonl", &options, out, err);
    fclose(out);
    fclose(err);
    if (getenv("XEN_RECORD_DUMP"))
    {
        rewind(trace);
        while (fgets(text, sizeof(text), trace))
        {
            fputs(text, stderr);
        }
        fprintf(stderr, "%s\n%s\n", errors, output);
    }
    assert_string_equal(errors, "");
    assert_int_equal(exitCode, 0);
    for (line = strtok_r(output, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    {
        char value[64];
        uint32_t seq;

        if (!strstr(line, "\"type\":\"verdict\""))
        {
            continue;
        }
        Field(line, "seq", value, sizeof(value));
        seq = (uint32_t)strtoul(value, NULL, 10);
        assert_true(seq >= 1 && seq <= events);
        verdicts++;
        Field(line, "action", value, sizeof(value));
        replayed[seq].Delivered = strcmp(value, "not_delivered") != 0;
        if (strcmp(value, "not_delivered") != 0)
        {
            assert_true(IgTraceParseAction(value, &replayed[seq].Action));
        }
        Field(line, "reason", value, sizeof(value));
        replayed[seq].Decided = strstr(line, "\"zone\":") != NULL; /* else "outside_zones" */
        if (replayed[seq].Decided)
        {
            assert_true(IgTraceParseReason(value, &replayed[seq].Reason));
        }
        Field(line, "alert", value, sizeof(value));
        replayed[seq].Alert = strcmp(value, "true") == 0;
    }
    assert_true(verdicts >= events);
    for (uint32_t seq = 1; seq <= events; seq++)
    {
        const OUTCOME *live = &gRun.Live[seq];
        const OUTCOME *rep = &replayed[seq];

        assert_true(live->Delivered && rep->Delivered);
        assert_int_equal(live->Decided, rep->Decided);
        assert_int_equal(live->Alert, rep->Alert);
        if (live->Decided)
        {
            assert_int_equal(live->Action, rep->Action);
            assert_int_equal(live->Reason, rep->Reason);
        }
    }
    /* What the scenario says happened, both ways. */
    assert_int_equal(gRun.Live[1].Reason, INTRO_EXC_REASON_ALLOWED);
    assert_int_equal(gRun.Live[2].Action, INTRO_EXC_ACTION_NOT_ALLOWED);
    assert_int_equal(gRun.Live[2].Reason, INTRO_EXC_REASON_NO_EXCEPTION);
    assert_int_equal(gRun.Live[3].Reason, INTRO_EXC_REASON_SAME_VALUE);
    assert_false(gRun.Live[4].Decided);
    assert_int_equal(gRun.Live[5].Action, INTRO_EXC_ACTION_NOT_ALLOWED);
    free(output);
    free(errors);
    fclose(trace);
}

/* Without a recording, the declarations are not written; a recording needs an attached backend. */
static void TestRecordNeedsAnAttach(void **State)
{
    FAKE_XEN f;
    INTRO_XEN_CONFIG config;
    INTRO_XEN *xen;
    GUEST_INFO info = {introGuestLinux, 0, TRUE, 0x050A00u, 0, {0}};
    INTRO_GUEST_PROCESS p;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);

    (void)State;
    FakeXenInit(&f, 1, 16);
    FakeXenConfig(&f, &config);
    assert_int_equal(IgXenCreateWithOps(&config, &f.Ops, &xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordStart(xen, out, &info, 0), INT_STATUS_INVALID_PARAMETER_1);
    memset(&p, 0, sizeof(p));
    p.StructSize = sizeof(p);
    assert_int_equal(IntXenRecordProcess(xen, &p), INT_STATUS_SUCCESS); /* not recording: nothing */
    assert_int_equal(IntXenAttach(xen), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordStart(xen, out, &info, 0x1000), INT_STATUS_SUCCESS);
    p.Pid = 42;
    p.Name = "bash\"x";
    p.NameLength = 6;
    p.Cr3 = 0x5000;
    assert_int_equal(IntXenRecordProcess(xen, &p), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordProcessRemove(xen, 42), INT_STATUS_SUCCESS);
    assert_int_equal(IntXenRecordUnprotect(xen, 7), INT_STATUS_SUCCESS);
    IntXenDestroy(xen); /* ends the recording */
    fclose(out);
    assert_non_null(strstr(text, "\"os\":\"linux\",\"os_version\":\"5.10.0\""));
    assert_non_null(strstr(text, "{\"type\":\"vcpu\",\"vcpu\":0,\"mode\":64,\"ring\":0,"));
    assert_non_null(strstr(text, "\"name\":\"bash\\\"x\""));
    assert_non_null(strstr(text, "{\"type\":\"process_remove\",\"pid\":42}"));
    assert_non_null(strstr(text, "{\"type\":\"unprotect\",\"id\":\"z7\"}"));
    assert_non_null(strstr(text, "{\"type\":\"end\",\"events\":0}\n"));
    free(text);
    FakeXenFree(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestRecordThenReplay),
        cmocka_unit_test(TestRecordNeedsAnAttach),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
