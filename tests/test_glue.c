/*
 * The glue seam (include/introguard/glue.h, glue/common, glue/replay).
 *
 * 1. The adapter: a fake backend counts its calls and records their arguments; every GLUE_IFACE
 *    member the library uses must arrive at the backend operation that says the same thing, with
 *    its arguments translated (frames, views, masks, the current vCPU), and events must reach the
 *    handlers the library registered.
 * 2. The guest owns its memory access: a guest whose integrator provides nothing but a backend
 *    (here the replay backend, holding page tables and code) gets export, value-code and
 *    code-blocks signatures evaluated through the library's own page walk and decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/glue_guestmem.h"
#include "common/crc32.h"
#include "exc_builder.h"
#include "fake_guest.h"
#include "introguard/glue_replay.h"
#include "introguard/introguard.h"
#include "pe_image.h"
#include "replay_guest.h"
#include "violations.h"

/* ---- A fake backend --------------------------------------------------------------------------- */

enum
{
    OpGetInfo,
    OpMapPage,
    OpUnmapPage,
    OpGetRegisters,
    OpSetRegisters,
    OpGetAccess,
    OpSetAccess,
    OpFlushAccess,
    OpSetMonitor,
    OpPause,
    OpResume,
    OpAlert,
    OpLog,
    OpCount
};

typedef struct FAKE
{
    unsigned Calls[OpCount];
    QWORD LastGfn;
    DWORD LastVcpu;
    DWORD LastView;
    BYTE LastAccess;
    INTRO_BACKEND_MONITOR LastMonitor;
    DWORD LastIndex;
    BOOLEAN LastEnable;
    DWORD LastEventClass;
    size_t LastEventSize;
    void *LastUnmapped;
    bool UnalignedPage;
    uint8_t *Page; /* what MapPage hands out (page-aligned) */
    INTRO_BACKEND_REGS Regs[2];
} FAKE;

static INTSTATUS FakeGetInfo(void *Context, INTRO_BACKEND_INFO *Info)
{
    FAKE *f = Context;

    f->Calls[OpGetInfo]++;
    Info->VcpuCount = 2;
    Info->MaxGfn = 0xFFFF;
    Info->Features = INTRO_BACKEND_FEATURE_DTR;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeMapPage(void *Context, QWORD Gfn, BOOLEAN Write, void **Page)
{
    FAKE *f = Context;

    (void)Write;
    f->Calls[OpMapPage]++;
    f->LastGfn = Gfn;
    *Page = f->UnalignedPage ? f->Page + 8 : f->Page;
    return INT_STATUS_SUCCESS;
}

static void FakeUnmapPage(void *Context, void *Page)
{
    FAKE *f = Context;

    f->Calls[OpUnmapPage]++;
    f->LastUnmapped = Page;
}

static INTSTATUS FakeGetRegisters(void *Context, DWORD Vcpu, INTRO_BACKEND_REGS *Regs)
{
    FAKE *f = Context;

    f->Calls[OpGetRegisters]++;
    f->LastVcpu = Vcpu;
    *Regs = f->Regs[Vcpu];
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeSetRegisters(void *Context, DWORD Vcpu, const IG_ARCH_REGS *Regs)
{
    FAKE *f = Context;

    f->Calls[OpSetRegisters]++;
    f->LastVcpu = Vcpu;
    f->Regs[Vcpu].Arch.Rip = Regs->Rip;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeGetAccess(void *Context, DWORD View, QWORD Gfn, BYTE *Access)
{
    FAKE *f = Context;

    f->Calls[OpGetAccess]++;
    f->LastView = View;
    f->LastGfn = Gfn;
    *Access = IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeSetAccess(void *Context, DWORD View, QWORD Gfn, BYTE Access)
{
    FAKE *f = Context;

    f->Calls[OpSetAccess]++;
    f->LastView = View;
    f->LastGfn = Gfn;
    f->LastAccess = Access;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeFlushAccess(void *Context)
{
    ((FAKE *)Context)->Calls[OpFlushAccess]++;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeSetMonitor(void *Context, INTRO_BACKEND_MONITOR Kind, DWORD Index, BOOLEAN Enable)
{
    FAKE *f = Context;

    f->Calls[OpSetMonitor]++;
    f->LastMonitor = Kind;
    f->LastIndex = Index;
    f->LastEnable = Enable;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakePause(void *Context)
{
    ((FAKE *)Context)->Calls[OpPause]++;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeResume(void *Context)
{
    ((FAKE *)Context)->Calls[OpResume]++;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS FakeAlert(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    FAKE *f = Context;

    (void)Event;
    f->Calls[OpAlert]++;
    f->LastEventClass = EventClass;
    f->LastEventSize = Size;
    return INT_STATUS_SUCCESS;
}

static void FakeLog(void *Context, IG_LOG_LEVEL Level, const char *Message)
{
    (void)Level;
    (void)Message;
    ((FAKE *)Context)->Calls[OpLog]++;
}

static const INTRO_BACKEND kFakeBackend = {
    INTRO_BACKEND_VERSION,
    sizeof(INTRO_BACKEND),
    FakeGetInfo,
    FakeMapPage,
    FakeUnmapPage,
    FakeGetRegisters,
    FakeSetRegisters,
    FakeGetAccess,
    FakeSetAccess,
    FakeFlushAccess,
    FakeSetMonitor,
    FakePause,
    FakeResume,
    FakeAlert,
    FakeLog,
};

/* ---- 1. The adapter ------------------------------------------------------------------------------ */

static void TestBackendValidation(void **State)
{
    INTRO_BACKEND backend = kFakeBackend;
    INTRO_GLUE_GUEST *guest = (INTRO_GLUE_GUEST *)(uintptr_t)1;

    (void)State;
    assert_int_equal(IntGlueGuestCreate(NULL, NULL, &guest), INT_STATUS_INVALID_PARAMETER_1);
    assert_null(guest);
    assert_int_equal(IntGlueGuestCreate(&backend, NULL, NULL), INT_STATUS_INVALID_PARAMETER_3);
    backend.Version = 2;
    assert_int_equal(IntGlueGuestCreate(&backend, NULL, &guest), INT_STATUS_NOT_SUPPORTED);
    backend = kFakeBackend;
    backend.Size = 8;
    assert_int_equal(IntGlueGuestCreate(&backend, NULL, &guest), INT_STATUS_NOT_SUPPORTED);
    backend = kFakeBackend;
    backend.SetAccess = NULL;
    assert_int_equal(IntGlueGuestCreate(&backend, NULL, &guest), INT_STATUS_NOT_SUPPORTED);
    /* The optional members may be missing. */
    backend = kFakeBackend;
    backend.SetRegisters = NULL;
    backend.FlushAccess = NULL;
    backend.Log = NULL;
    assert_int_equal(IntGlueGuestCreate(&backend, &backend, &guest), INT_STATUS_SUCCESS);
    assert_ptr_equal(IntGlueGuestContext(guest), &backend);
    IntGlueGuestDestroy(guest);
    IntGlueGuestDestroy(NULL);
}

/* The adapter's tables pass IntInit's checks: every member hvmi requires is there. */
static void TestTablesPassIntInit(void **State)
{
    GLUE_IFACE glue;
    UPPER_IFACE upper;

    (void)State;
    IntGlueFillInterfaces(&glue, &upper);
    upper.TracePrint = RgQuietLog;
    assert_int_equal(IntInit(&glue, &upper), INT_STATUS_SUCCESS);
    assert_non_null(glue.UpdateExceptions); /* the library side is written */
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
}

static void TestMemoryMembers(void **State)
{
    static uint8_t page[0x2000] __attribute__((aligned(0x1000)));
    FAKE fake = {0};
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    void *host = NULL;
    IG_MEMTYPE type;
    QWORD hpa;

    (void)State;
    fake.Page = page;
    assert_int_equal(IntGlueGuestCreate(&kFakeBackend, &fake, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);

    /* One page plus the offset; unmapping hands back the page. */
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x1234ABC, 16, 0, &host), INT_STATUS_SUCCESS);
    assert_int_equal(fake.LastGfn, 0x1234);
    assert_ptr_equal(host, page + 0xABC);
    assert_int_equal(glue.PhysMemUnmap(guest, &host), INT_STATUS_SUCCESS);
    assert_null(host);
    assert_ptr_equal(fake.LastUnmapped, page);
    assert_int_equal(fake.Calls[OpUnmapPage], 1);

    /* Across a page, empty, beyond the guest's last frame: refused without a map. */
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x1FF8, 16, 0, &host), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x1000, 0, 0, &host), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x10000000, 8, 0, &host), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(fake.Calls[OpMapPage], 1);

    /* A backend that breaks the alignment rule: refused, and its mapping released. */
    fake.UnalignedPage = true;
    assert_int_equal(glue.PhysMemMapToHost(guest, 0x5000, 8, 0, &host), INT_STATUS_INVALID_INTERNAL_STATE);
    assert_null(host);
    assert_int_equal(fake.Calls[OpUnmapPage], 2);
    assert_true(fake.Calls[OpLog] > 0);

    assert_int_equal(glue.PhysMemGetTypeFromMtrrs(guest, 0x1000, &type), INT_STATUS_SUCCESS);
    assert_int_equal(type, IG_MEM_WB);
    assert_int_equal(glue.GpaToHpa(guest, 0x1000, &hpa), INT_STATUS_NOT_SUPPORTED);

    /* A handle that is not a glue guest. */
    assert_int_equal(glue.PhysMemMapToHost(&fake, 0x1000, 8, 0, &host), INT_STATUS_INVALID_PARAMETER_1);
    IntGlueGuestDestroy(guest);
}

static void TestEptMembers(void **State)
{
    FAKE fake = {0};
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    BYTE r = 9, w = 9, x = 9;

    (void)State;
    assert_int_equal(IntGlueGuestCreate(&kFakeBackend, &fake, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);

    assert_int_equal(glue.GetEPTPageProtection(guest, IG_CURRENT_EPT, 0x7000123, &r, &w, &x), INT_STATUS_SUCCESS);
    assert_int_equal(fake.LastView, 0);
    assert_int_equal(fake.LastGfn, 0x7000);
    assert_true(r && !w && x);

    assert_int_equal(glue.SetEPTPageProtection(guest, 3, 0x42000, 1, 0, 1), INT_STATUS_SUCCESS);
    assert_int_equal(fake.LastView, 3);
    assert_int_equal(fake.LastGfn, 0x42);
    assert_int_equal(fake.LastAccess, IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE);
    /* Write without read is an EPT misconfiguration. */
    assert_int_equal(glue.SetEPTPageProtection(guest, 0, 0x42000, 0, 1, 0), INT_STATUS_INVALID_PARAMETER_MIX);
    assert_int_equal(fake.Calls[OpSetAccess], 1);

    assert_int_equal(glue.FlushEPTPermissions(guest), INT_STATUS_SUCCESS);
    assert_int_equal(fake.Calls[OpFlushAccess], 1);
    IntGlueGuestDestroy(guest);
}

static INTSTATUS DtrHandler(void *GuestHandle, DWORD Flags, DWORD CpuNumber, INTRO_ACTION *Action)
{
    (void)GuestHandle;
    (void)Flags;
    (void)CpuNumber;
    *Action = introGuestNotAllowed;
    return INT_STATUS_SUCCESS;
}

static void TestExitMembers(void **State)
{
    FAKE fake = {0};
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;
    BOOLEAN old = TRUE;
    INTRO_ACTION action;

    (void)State;
    assert_int_equal(IntGlueGuestCreate(&kFakeBackend, &fake, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);

    /* MSR exits: the previous state is the adapter's to remember. */
    assert_int_equal(glue.EnableMSRExit(guest, 0xC0000082, &old), INT_STATUS_SUCCESS);
    assert_false(old);
    assert_int_equal(fake.LastMonitor, introBackendMonitorMsr);
    assert_int_equal(fake.LastIndex, 0xC0000082);
    assert_true(fake.LastEnable);
    assert_int_equal(glue.EnableMSRExit(guest, 0xC0000082, &old), INT_STATUS_SUCCESS);
    assert_true(old);
    assert_int_equal(fake.Calls[OpSetMonitor], 1); /* already on: not asked again */
    assert_int_equal(glue.DisableMSRExit(guest, 0xC0000082, &old), INT_STATUS_SUCCESS);
    assert_true(old);
    assert_false(fake.LastEnable);
    assert_int_equal(glue.DisableMSRExit(guest, 0xC0000082, &old), INT_STATUS_SUCCESS);
    assert_false(old);
    assert_int_equal(fake.Calls[OpSetMonitor], 2);

    /* CR exits. */
    assert_int_equal(glue.EnableCrWriteExit(guest, 4), INT_STATUS_SUCCESS);
    assert_int_equal(fake.LastMonitor, introBackendMonitorCr);
    assert_int_equal(fake.LastIndex, 4);
    assert_int_equal(glue.DisableCrWriteExit(guest, 4), INT_STATUS_SUCCESS);
    assert_false(fake.LastEnable);
    assert_int_equal(glue.EnableCrWriteExit(guest, 2), INT_STATUS_NOT_SUPPORTED);

    /* Descriptor-table exits come with their handler. */
    assert_int_equal(glue.RegisterDtrHandler(guest, DtrHandler), INT_STATUS_SUCCESS);
    assert_int_equal(fake.LastMonitor, introBackendMonitorDtr);
    assert_true(fake.LastEnable);
    assert_int_equal(glue.RegisterDtrHandler(guest, DtrHandler), INT_STATUS_ALREADY_INITIALIZED);
    assert_int_equal(IntGlueDtrAccess(guest, 1, IG_DESC_ACCESS_IDTR | IG_DESC_ACCESS_WRITE, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    assert_int_equal(glue.UnregisterDtrHandler(guest), INT_STATUS_SUCCESS);
    assert_false(fake.LastEnable);
    assert_int_equal(IntGlueDtrAccess(guest, 1, IG_DESC_ACCESS_IDTR, &action), INT_STATUS_NOT_FOUND);
    assert_int_equal(action, introGuestAllowed);

    /* Pause and resume nest and are counted. */
    assert_int_equal(glue.PauseVcpus(guest), INT_STATUS_SUCCESS);
    assert_int_equal(glue.PauseVcpus(guest), INT_STATUS_SUCCESS);
    assert_int_equal(IntGluePauseDepth(guest), 2);
    assert_int_equal(glue.ResumeVcpus(guest), INT_STATUS_SUCCESS);
    assert_int_equal(glue.ResumeVcpus(guest), INT_STATUS_SUCCESS);
    assert_int_equal(IntGluePauseDepth(guest), 0);
    assert_int_equal(fake.Calls[OpPause], 2);
    assert_int_equal(fake.Calls[OpResume], 2);

    /* Alerts go to the backend unchanged. */
    {
        uint8_t event[40] = {1};

        assert_int_equal(glue.NotifyIntrospectionAlert(guest, introEventEptViolation, event, sizeof(event)),
                         INT_STATUS_SUCCESS);
        assert_int_equal(fake.LastEventClass, introEventEptViolation);
        assert_int_equal(fake.LastEventSize, sizeof(event));
        assert_int_equal(glue.NotifyIntrospectionAlert(guest, introEventEptViolation, NULL, 0),
                         INT_STATUS_INVALID_PARAMETER_3);
    }
    IntGlueGuestDestroy(guest);
}

/* What the handler saw of the current vCPU while an event ran. */
static DWORD gSeenTid;
static IG_ARCH_REGS gSeenRegs;
static QWORD gSeenGpa, gSeenGla;
static BYTE gSeenType;

static GLUE_IFACE gGlue;

static INTSTATUS EptHandler(void *GuestHandle, QWORD PhysicalAddress, DWORD Length, QWORD VirtualAddress,
                            DWORD CpuNumber, INTRO_ACTION *Action, IG_EPT_ACCESS Type)
{
    (void)Length;
    (void)CpuNumber;
    gSeenGpa = PhysicalAddress;
    gSeenGla = VirtualAddress;
    gSeenType = Type;
    assert_int_equal(
        gGlue.QueryGuestInfo(GuestHandle, IG_QUERY_INFO_CLASS_CURRENT_TID, NULL, &gSeenTid, sizeof(gSeenTid)),
        INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.QueryGuestInfo(GuestHandle, IG_QUERY_INFO_CLASS_REGISTER_STATE,
                                          (void *)(uintptr_t)IG_CURRENT_VCPU, &gSeenRegs, sizeof(gSeenRegs)),
                     INT_STATUS_SUCCESS);
    *Action = introGuestNotAllowed;
    return INT_STATUS_SUCCESS;
}

static void TestQueryAndEvents(void **State)
{
    FAKE fake = {0};
    INTRO_GLUE_GUEST *guest;
    IG_ARCH_REGS regs;
    IG_QUERY_MSR msr;
    DWORD word = 0;
    QWORD value = 0;
    BOOLEAN flag = FALSE;
    INTRO_ACTION action;

    (void)State;
    fake.Regs[1].Arch.Rip = 0xFFFFF80012345678ull;
    fake.Regs[1].Arch.Cr0 = 0x80050033;
    fake.Regs[1].Efer = 0xD01;
    fake.Regs[1].Msrs = INTRO_BACKEND_MSR_EFER | INTRO_BACKEND_MSR_LSTAR;
    fake.Regs[1].Lstar = 0xFFFFF80000001000ull;
    fake.Regs[1].Cs.Attributes = 0xA9B; /* 64-bit code, DPL 0 */
    fake.Regs[1].Ss.Attributes = 0xCF3; /* DPL 3 */
    assert_int_equal(IntGlueGuestCreate(&kFakeBackend, &fake, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&gGlue, NULL);

    /* A named vCPU. */
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)1, &regs, sizeof(regs)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(fake.LastVcpu, 1);
    assert_int_equal(regs.Rip, 0xFFFFF80012345678ull);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)1, &regs, 8),
                     INT_STATUS_DATA_BUFFER_TOO_SMALL);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)2, &regs, sizeof(regs)),
                     INT_STATUS_INVALID_PARAMETER_3); /* the guest has two vCPUs */
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CS_TYPE, (void *)1, &word, sizeof(word)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(word, IG_CS_TYPE_64B);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CS_RING, (void *)1, &word, sizeof(word)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(word, IG_CS_RING_3);

    /* MSRs: what the backend marked valid, else NOT_SUPPORTED. */
    msr.MsrId = 0xC0000082;
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_READ_MSR, (void *)1, &msr, sizeof(msr)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(msr.Value, 0xFFFFF80000001000ull);
    msr.MsrId = 0x174; /* SYSENTER_CS: not provided */
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_READ_MSR, (void *)1, &msr, sizeof(msr)),
                     INT_STATUS_NOT_SUPPORTED);

    /* Guest-wide classes. */
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CPU_COUNT, NULL, &word, sizeof(word)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(word, 2);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_MAX_GPFN, NULL, &value, sizeof(value)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(value, 0xFFFF);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_DTR_SUPPORT, NULL, &flag, sizeof(flag)),
                     INT_STATUS_SUCCESS);
    assert_true(flag);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_TSC_SPEED, NULL, &value, sizeof(value)),
                     INT_STATUS_NOT_SUPPORTED);

    /* Outside an event there is no current vCPU. */
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CURRENT_TID, NULL, &word, sizeof(word)),
                     INT_STATUS_NOT_FOUND);
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_REGISTER_STATE, (void *)(uintptr_t)IG_CURRENT_VCPU,
                                          &regs, sizeof(regs)),
                     INT_STATUS_INVALID_PARAMETER_3);

    /* No handler: allowed, NOT_FOUND. */
    assert_int_equal(IntGlueEptViolation(guest, 1, 0x5010, 0x7FF600005010, IG_EPT_HOOK_WRITE, 8, &action),
                     INT_STATUS_NOT_FOUND);
    assert_int_equal(action, introGuestAllowed);

    /* The handler runs with vCPU 1 current, and its action comes back. */
    assert_int_equal(gGlue.RegisterEPTHandler(guest, EptHandler), INT_STATUS_SUCCESS);
    assert_int_equal(IntGlueEptViolation(guest, 1, 0x5010, 0x7FF600005010, IG_EPT_HOOK_WRITE, 8, &action),
                     INT_STATUS_SUCCESS);
    assert_int_equal(action, introGuestNotAllowed);
    assert_int_equal(gSeenTid, 1);
    assert_int_equal(gSeenRegs.Rip, 0xFFFFF80012345678ull);
    assert_int_equal(gSeenGpa, 0x5010);
    assert_int_equal(gSeenGla, 0x7FF600005010);
    assert_int_equal(gSeenType, IG_EPT_HOOK_WRITE);
    assert_int_equal(IntGlueEptViolation(guest, 1, 0, 0, IG_EPT_HOOK_WRITE, 0, NULL), INT_STATUS_INVALID_PARAMETER_7);
    assert_int_equal(IntGlueEptViolation((INTRO_GLUE_GUEST *)&fake, 1, 0, 0, 0, 0, &action),
                     INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(gGlue.UnregisterEPTHandler(guest), INT_STATUS_SUCCESS);
    assert_int_equal(IntGlueEptViolation(guest, 1, 0x5010, 0, IG_EPT_HOOK_WRITE, 8, &action), INT_STATUS_NOT_FOUND);

    /* SET_REGISTERS goes to the backend's optional member. */
    regs.Rip = 0x1234;
    assert_int_equal(gGlue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_SET_REGISTERS, (void *)0, &regs, sizeof(regs)),
                     INT_STATUS_SUCCESS);
    assert_int_equal(fake.Regs[0].Arch.Rip, 0x1234);
    IntGlueGuestDestroy(guest);
}

/* The CS type the adapter derives from CR0, EFER and the code segment's attributes. */
static void TestCsType(void **State)
{
    static const struct
    {
        QWORD Cr0, Efer;
        WORD Cs;
        DWORD Expected;
    } cases[] = {
        {0x10, 0, 0xC9B, IG_CS_TYPE_16B},           /* real mode, whatever the segment says */
        {0x11, 0, 0x09B, IG_CS_TYPE_16B},           /* protected mode, 16-bit segment */
        {0x11, 0, 0xC9B, IG_CS_TYPE_32B},           /* D set */
        {0x80000011, 0x500, 0xC9B, IG_CS_TYPE_32B}, /* long mode, compatibility segment */
        {0x80000011, 0x500, 0xA9B, IG_CS_TYPE_64B}, /* long mode, L set */
        {0x80000011, 0x100, 0xA9B, IG_CS_TYPE_16B}, /* L without LMA means nothing */
    };
    FAKE fake = {0};
    INTRO_GLUE_GUEST *guest;
    GLUE_IFACE glue;

    (void)State;
    assert_int_equal(IntGlueGuestCreate(&kFakeBackend, &fake, &guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&glue, NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        DWORD type = 99;

        fake.Regs[0].Arch.Cr0 = cases[i].Cr0;
        fake.Regs[0].Efer = cases[i].Efer;
        fake.Regs[0].Cs.Attributes = cases[i].Cs;
        assert_int_equal(glue.QueryGuestInfo(guest, IG_QUERY_INFO_CLASS_CS_TYPE, NULL, &type, sizeof(type)),
                         INT_STATUS_SUCCESS);
        assert_int_equal(type, cases[i].Expected);
    }
    IntGlueGuestDestroy(guest);
}

/* ---- 2. The guest owns its memory access --------------------------------------------------------- */

#define W(n) XbWide(n)
#define N(n) XbNarrow(n)
#define NTDLL_BASE 0x7FFB12340000ull
#define NTDLL_GPA 0x00400000ull
#define CODE_GVA 0x7FF600001000ull
#define CODE_GPA 0x00600000ull

static const uint32_t kExportSig[] = {IG_SIG_ID_MAKE(IgSigTypeExport, 1)};
static const uint32_t kValueCodeSig[] = {IG_SIG_ID_MAKE(IgSigTypeValueCode, 2)};
static const uint32_t kCbSig[] = {IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 3)};

/* The §3.9 sequence of spec/signatures.md, repeated over a page. */
static void FillCode(uint8_t *Page)
{
    static const uint8_t seq[] = {0xE8, 0,    0,    0,    0,    0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB,
                                  0x00, 0x48, 0x8B, 0x04, 0x25, 0,    0,    0,    0,    0xAB, 0x87, 0xC8, 0x0F,
                                  0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 0x01, 0,    0,    0,    0xC3, 0x90};

    for (size_t at = 0; at < 0x1000; at++)
    {
        Page[at] = seq[at % sizeof(seq)];
    }
}

typedef struct REPLAY_GUEST
{
    INTRO_REPLAY *Replay;
    INTRO_GLUE_GUEST *Guest;
    GLUE_IFACE Glue;
    uint64_t Cr3;
} REPLAY_GUEST;

/*
 * A 64-bit Windows guest on the replay backend: ntdll.dll at NTDLL_BASE and a code page at
 * CODE_GVA behind 4-level page tables (built by the fake guest, then copied frame by frame into the
 * replay), vCPU 0 in 64-bit mode.  The integrator side is only the backend.
 */
static void ReplayGuestStart(REPLAY_GUEST *G, IG_TEST_FILE *File)
{
    FAKE_GUEST *fake = test_malloc(sizeof(*fake));
    uint8_t *image = test_malloc(PE_IMAGE_SIZE);
    INTRO_BACKEND_REGS regs;
    GUEST_INFO info = {introGuestWindows, 0, TRUE, 19041, 0, {0}};
    const uint8_t *bin;
    size_t size;

    memset(G, 0, sizeof(*G));
    memset(fake, 0, sizeof(*fake));
    FakeGuestInit(fake, 0xFFFFFFF);
    PeImageBuild(image, true);
    for (uint32_t i = 0; i < PE_IMAGE_SIZE / 0x1000; i++)
    {
        FakeGuestMapPage(fake, IgPaging4Level, &G->Cr3, NTDLL_BASE + i * 0x1000ull, NTDLL_GPA + i * 0x1000ull);
        memcpy(FakeGuestFrame(fake, (NTDLL_GPA >> 12) + i), image + i * 0x1000, 0x1000);
    }
    FakeGuestMapPage(fake, IgPaging4Level, &G->Cr3, CODE_GVA, CODE_GPA);
    FillCode(FakeGuestFrame(fake, CODE_GPA >> 12));

    assert_int_equal(IntReplayCreate(1, &G->Replay), INT_STATUS_SUCCESS);
    for (uint32_t i = 0; i < fake->FrameCount; i++)
    {
        assert_int_equal(IntReplayAddPage(G->Replay, fake->Gfn[i] << 12, fake->Data[i]), INT_STATUS_SUCCESS);
    }
    memset(&regs, 0, sizeof(regs));
    regs.Arch.Cr0 = 0x80050033;
    regs.Arch.Cr4 = 0x370678;
    regs.Arch.Cr3 = G->Cr3;
    regs.Efer = 0xD01;
    regs.Msrs = INTRO_BACKEND_MSR_EFER;
    regs.Cs.Attributes = 0xA9B;
    assert_int_equal(IntReplaySetRegisters(G->Replay, 0, &regs), INT_STATUS_SUCCESS);

    RgStart(IntReplayBackend(), G->Replay, &info, 0 /* no system CR3 */, NULL, &G->Guest, &G->Glue);
    bin = XbFinish(File, &size);
    assert_int_equal(IntUpdateExceptions(G->Guest, (PBYTE)(uintptr_t)bin, (DWORD)size, 0), INT_STATUS_SUCCESS);

    FakeGuestFree(fake);
    test_free(fake);
    test_free(image);
}

static void ReplayGuestStop(REPLAY_GUEST *G)
{
    assert_int_equal(G->Glue.DisableIntro(G->Guest, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    assert_int_equal(IntReplayPauseDepth(G->Replay), 0);
    IntGlueGuestDestroy(G->Guest);
    IntReplayDestroy(G->Replay);
}

/* In chrome.exe, evil.dll writes 4 bytes at NtCreateKey + 4 in ntdll.dll, from code at Rip.  The
 * violation brings no memory of its own: no reader, no bytes, no decoder, no CPU mode. */
static void NtdllWrite(INTRO_EXC_VIOLATION *V, uint64_t Cr3, uint64_t Rip)
{
    VioNtdllWrite(V, Cr3, Rip, NTDLL_BASE);
}

static uint32_t Evaluate(REPLAY_GUEST *G, const INTRO_EXC_VIOLATION *V)
{
    INTRO_EXC_VERDICT verdict;

    assert_int_equal(IntGlueEvaluateViolation(G->Guest, 0, V, &verdict), INT_STATUS_SUCCESS);
    return verdict.Reason;
}

static void TestGuestReadsExports(void **State)
{
    static const struct
    {
        const char *Function;
        uint32_t Reason;
    } cases[] = {
        {"NtCreateKey", INTRO_EXC_REASON_ALLOWED},
        {"NtOpenKey", INTRO_EXC_REASON_EXPORT_NOT_MATCHED}, /* the directory really was read */
    };

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        IG_TEST_FILE *file = test_malloc(sizeof(*file));
        uint16_t delta = 0;
        /* Export names are hashed as they are, not lower-cased. */
        uint32_t function = IgNameHash(cases[i].Function, strlen(cases[i].Function));
        REPLAY_GUEST g;
        INTRO_EXC_VIOLATION vio;

        XbInit(file);
        XbExport(file, kExportSig[0], 3, 0, 1, &delta, &function);
        XbUser(file, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), TF_DEFAULT, IgUmObjModule, 1, kExportSig);
        ReplayGuestStart(&g, file);
        NtdllWrite(&vio, g.Cr3, NTDLL_BASE + 0x1000);
        assert_int_equal(Evaluate(&g, &vio), cases[i].Reason);
        ReplayGuestStop(&g);
        test_free(file);
    }
}

static void TestGuestReadsCode(void **State)
{
    /* 0x4B0E7B89 exists only at the medium level of the §3.9 sequence (user exceptions use it). */
    static const uint16_t hit[] = {0x48, 0x89, 0x100, 0x24, 0x08};
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    REPLAY_GUEST g;
    INTRO_EXC_VIOLATION vio;
    INTRO_BACKEND_REGS regs;
    uint64_t rip = CODE_GVA + 0x800;

    (void)State;
    /* The 38-byte sequence restarts at page offset 0x7F2: `mov [rsp+8], rax` is at 0x809, RIP + 9. */
    assert_int_equal(0x809 % 38, 5);
    XbInit(file);
    XbCodeBlocks(file, kCbSig[0], 3, 0x4B0E7B89);
    XbValueCode(file, kValueCodeSig[0], 3, 9, 5, hit);
    XbUser(file, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), TF_DEFAULT, IgUmObjModule, 1, kCbSig);
    XbUser(file, W("vc.dll"), W("ntdll.dll"), N("chrome.exe"), TF_DEFAULT, IgUmObjModule, 1, kValueCodeSig);
    ReplayGuestStart(&g, file);

    /* Code blocks: the guest's page walk reads the window, its decoder fingerprints it. */
    NtdllWrite(&vio, g.Cr3, rip);
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_ALLOWED);

    /* Value-code: the bytes at the RIP, read the same way. */
    vio.User.NameHash = W("vc.dll");
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_ALLOWED);
    vio.User.Rip = rip + 3; /* the pattern is no longer at RIP + 9 */
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED);

    /* Code the guest does not have: the code-blocks signature cannot be checked. */
    vio.User.NameHash = W("evil.dll");
    vio.User.Rip = 0x7FF6000F0000ull;
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_INTERNAL_ERROR);

    /* The CPU mode is the vCPU's: in a 16-bit code segment code signatures cannot be checked... */
    vio.User.NameHash = W("evil.dll");
    vio.User.Rip = rip;
    assert_int_equal(IntReplayBackend()->GetRegisters(g.Replay, 0, &regs), INT_STATUS_SUCCESS);
    regs.Cs.Attributes = 0x09B;
    assert_int_equal(IntReplaySetRegisters(g.Replay, 0, &regs), INT_STATUS_SUCCESS);
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_INTERNAL_ERROR);
    /* ... unless the violation says otherwise. */
    vio.Memory.CsType = IG_CS_TYPE_64B;
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_ALLOWED);
    /* With paging off the guest's virtual addresses are physical: the code page is not at its GVA. */
    regs.Arch.Cr0 = 0x11;
    assert_int_equal(IntReplaySetRegisters(g.Replay, 0, &regs), INT_STATUS_SUCCESS);
    assert_int_equal(Evaluate(&g, &vio), INTRO_EXC_REASON_INTERNAL_ERROR);

    ReplayGuestStop(&g);
    test_free(file);
}

/* Memory declared by virtual address: the replay makes tables the library's page walk follows, in every mode. */
static void TestReplayMapVirtual(void **State)
{
    static const struct
    {
        DWORD Paging;
        IG_PAGING_MODE Walk;
        uint64_t Cr3;
        uint64_t Gva;
    } modes[] = {
        {INTRO_REPLAY_PAGING_32BIT, IgPaging32, 0x5000, 0x80401FF0ull},
        {INTRO_REPLAY_PAGING_PAE, IgPagingPae, 0x6020, 0xC0201FF0ull},
        {INTRO_REPLAY_PAGING_4LEVEL, IgPaging4Level, 0x7000, 0xFFFFF80012345FF0ull},
        {INTRO_REPLAY_PAGING_5LEVEL, IgPaging5Level, 0x8000, 0xFF00000012345FF0ull},
    };
    uint8_t data[40];

    (void)State;
    for (size_t i = 0; i < sizeof(data); i++)
    {
        data[i] = (uint8_t)(0xA0 + i);
    }
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
    {
        INTRO_REPLAY *replay;
        INTRO_GLUE_GUEST *guest;
        GLUE_IFACE glue;
        IG_GLUE_MEMORY memory;
        IG_GUEST_PHYS phys;
        IG_ADDRESS_SPACE space = {modes[m].Cr3, modes[m].Walk, true};
        uint8_t back[sizeof(data)];
        size_t done = 0;
        QWORD a = 0, b = 0;

        assert_int_equal(IntReplayCreate(1, &replay), INT_STATUS_SUCCESS);
        /* 40 bytes from 16 before a page boundary: two pages, two leaf entries. */
        assert_int_equal(IntReplayMapVirtual(replay, modes[m].Cr3, modes[m].Paging, modes[m].Gva, data, sizeof(data)),
                         INT_STATUS_SUCCESS);
        assert_int_equal(IntReplayTranslate(replay, modes[m].Cr3, modes[m].Paging, modes[m].Gva, &a),
                         INT_STATUS_SUCCESS);
        assert_int_equal(IntReplayTranslate(replay, modes[m].Cr3, modes[m].Paging, modes[m].Gva + 0x10, &b),
                         INT_STATUS_SUCCESS);
        assert_int_equal(a & 0xFFF, 0xFF0);
        assert_int_equal(b & 0xFFF, 0);
        assert_true((a >> 12) != (b >> 12));
        assert_int_equal(IntReplayTranslate(replay, modes[m].Cr3, modes[m].Paging, modes[m].Gva + 0x100000, &a),
                         INT_STATUS_PAGE_NOT_PRESENT);

        assert_int_equal(IntGlueGuestCreate(IntReplayBackend(), replay, &guest), INT_STATUS_SUCCESS);
        IntGlueFillInterfaces(&glue, NULL);
        memory.Glue = &glue;
        memory.GuestHandle = guest;
        IgGlueGuestPhys(&memory, &phys);
        assert_int_equal(IgGuestReadVirtual(&phys, &space, modes[m].Gva, back, sizeof(back), &done),
                         INT_STATUS_SUCCESS);
        assert_int_equal(done, sizeof(back));
        assert_memory_equal(back, data, sizeof(data));
        IntGlueGuestDestroy(guest);
        IntReplayDestroy(replay);
    }
    {
        INTRO_REPLAY *replay;

        assert_int_equal(IntReplayCreate(1, &replay), INT_STATUS_SUCCESS);
        assert_int_equal(IntReplayMapVirtual(replay, 0x1000, 9, 0x1000, data, 8), INT_STATUS_INVALID_PARAMETER_3);
        assert_int_equal(
            IntReplayMapVirtual(replay, 0x1000, INTRO_REPLAY_PAGING_4LEVEL, 0x0000800000000000ull, data, 8),
            INT_STATUS_INVALID_PARAMETER_4); /* not canonical */
        assert_int_equal(IntReplayMapVirtual(replay, 0x1000, INTRO_REPLAY_PAGING_32BIT, 0x100000000ull, data, 8),
                         INT_STATUS_INVALID_PARAMETER_4);
        assert_int_equal(IntReplayMapVirtual(replay, 0x1000, INTRO_REPLAY_PAGING_4LEVEL, ~0ull - 3, data, 8),
                         INT_STATUS_INVALID_PARAMETER_5); /* wraps */
        assert_int_equal(IntReplayMapVirtual(replay, 0x1000, INTRO_REPLAY_PAGING_4LEVEL, 0x1000, NULL, 8),
                         INT_STATUS_INVALID_PARAMETER_5);
        IntReplayDestroy(replay);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestBackendValidation),
        cmocka_unit_test(TestTablesPassIntInit),
        cmocka_unit_test(TestMemoryMembers),
        cmocka_unit_test(TestEptMembers),
        cmocka_unit_test(TestExitMembers),
        cmocka_unit_test(TestQueryAndEvents),
        cmocka_unit_test(TestCsType),
        cmocka_unit_test(TestGuestReadsExports),
        cmocka_unit_test(TestGuestReadsCode),
        cmocka_unit_test(TestReplayMapVirtual),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
