/*
 * The standalone engine API (intro_exceptions.h): IntExceptRuleSetLoad reports the same load error
 * as UpdateExceptions and takes every block from the caller's allocator; evaluations allocate
 * nothing, with code-reading signatures included when the caller lends a code context.
 *
 * Rule files come from tests/support/exc_builder.c; the guest behind the export signatures is a
 * fake guest with the DLL image of tests/support/pe_image.c; the kernel code is bytes by address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_harness.h"
#include "common/crc32.h"
#include "exc_builder.h"
#include "fake_guest.h"
#include "introguard/introguard.h"
#include "pe_image.h"

#define W(n) XbWide(n)
#define N(n) XbNarrow(n)
#define D TF_DEFAULT
#define ARRAY_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- A counting allocator ------------------------------------------------------------------------------------ */

typedef struct COUNTING
{
    unsigned long Allocs;
    unsigned long Frees;
    long Live;
    unsigned long FailAt; /* 1-based allocation that fails; 0 = never */
} COUNTING;

static INTSTATUS CountingAlloc(void *Context, void **Address, size_t Size, uint32_t Tag)
{
    COUNTING *c = Context;

    (void)Tag;
    *Address = NULL;
    if (++c->Allocs == c->FailAt)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Address = malloc(Size ? Size : 1);
    if (!*Address)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    c->Live++;
    return INT_STATUS_SUCCESS;
}

static void CountingFree(void *Context, void **Address, uint32_t Tag)
{
    COUNTING *c = Context;

    (void)Tag;
    if (*Address)
    {
        c->Frees++;
        c->Live--;
        free(*Address);
        *Address = NULL;
    }
}

static INTRO_EXC_ALLOCATOR Counting(COUNTING *C)
{
    memset(C, 0, sizeof(*C));
    return (INTRO_EXC_ALLOCATOR){CountingAlloc, CountingFree, C};
}

/* ---- The standalone load error --------------------------------------------------------------------------------- */

static const uint32_t kCbSig[] = {IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 1)};

/* Three records: a KM exception (record 0), a codeblocks signature (1), a UM exception (2). */
static const uint8_t *GoodFile(IG_TEST_FILE *F, size_t *Size)
{
    XbInit(F);
    XbKernel(F, W("orig.sys"), W("victim.sys"), D, IgKmObjDriverCode, 1, kCbSig);
    XbCodeBlocks(F, kCbSig[0], 3, 0x8F6E0034);
    XbUser(F, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), D, IgUmObjModule, 0, NULL);
    return XbFinish(F, Size);
}

#define REC0 IG_FILE_HEADER_SIZE
#define REC1 (REC0 + IG_RECORD_HEADER_SIZE + IG_EXC_FIXED_SIZE + 4u)
#define REC2 (REC1 + IG_RECORD_HEADER_SIZE + IG_CB_FIXED_SIZE + 1u + 4u)

typedef struct CORRUPTION
{
    const char *Name;
    uint32_t At;   /* byte to overwrite ('E' at 0 changes nothing) */
    uint8_t Value; /* its new value */
    size_t Cut;    /* bytes removed from the end */
    INTSTATUS Status;
    INTSTATUS Detail;
    uint64_t Offset;
    uint32_t Record;
    uint8_t RecordType;
} CORRUPTION;

static const CORRUPTION gCorruptions[] = {
    {"bad magic", 0, 'X', 0, INT_STATUS_INVALID_OBJECT_TYPE, INT_STATUS_EXC_BAD_MAGIC, 0,
     INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0},
    {"major 3", 4, 3, 0, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_BAD_VERSION, 4, INTRO_EXCEPTIONS_LOAD_NO_RECORD, 0},
    {"KM record longer than the file", REC0 + 1, 0xF0, 0, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_PAST_END,
     REC0 + 1, 0, IgRecKernel},
    {"codeblocks record cut short", REC1 + 1, 8, 0, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_TOO_SHORT,
     REC1 + 1, 1, IgRecCodeBlocksSig},
    {"truncated last record", 0, 'E', 5, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_RECORD_PAST_END, REC2 + 1, 2,
     IgRecUser},
};

/* UpdateExceptions' error for the same bytes, through a guest of a running library. */
static INTSTATUS GuestLoad(const uint8_t *Data, size_t Size, INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    GLUE_IFACE glue;
    int guest;
    INTSTATUS status;

    assert_int_equal(ApiTestLibraryStart(&glue), INT_STATUS_SUCCESS);
    assert_int_equal(glue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    status = glue.UpdateExceptions(&guest, (PBYTE)Data, (DWORD)Size, 0);
    memset(Error, 0, sizeof(*Error));
    if (!INT_SUCCESS(status))
    {
        assert_int_equal(IntGetExceptionsLoadError(&guest, Error), INT_STATUS_SUCCESS);
    }
    assert_int_equal(IntUninit(), INT_STATUS_SUCCESS);
    return status;
}

static void TestLoadErrorMatchesUpdateExceptions(void **State)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    static uint8_t copy[sizeof(file->Data)];

    (void)State;
    for (size_t i = 0; i < ARRAY_COUNT(gCorruptions); i++)
    {
        const CORRUPTION *c = &gCorruptions[i];
        INTRO_EXCEPTIONS_LOAD_ERROR mine, guest;
        INTRO_EXC_RULESET *set = (INTRO_EXC_RULESET *)&mine; /* must come back NULL */
        COUNTING counts;
        INTRO_EXC_ALLOCATOR alloc = Counting(&counts);
        size_t size;
        const uint8_t *data = GoodFile(file, &size);
        INTSTATUS status;

        memcpy(copy, data, size);
        copy[c->At] = c->Value;
        size -= c->Cut;
        memset(&mine, 0x5A, sizeof(mine));
        status = IntExceptRuleSetLoad(copy, size, 0, &alloc, &set, &mine);
        print_message("  %-34s -> %s / %s, record %u at offset %llu: %s\n", c->Name, IntStatusToString(mine.Status),
                      IntStatusToString(mine.Detail), mine.RecordIndex, (unsigned long long)mine.Offset, mine.Message);
        assert_null(set);
        assert_int_equal(status, c->Status);
        assert_int_equal(mine.Status, c->Status);
        assert_int_equal(mine.RecordIndex, c->Record);
        assert_int_equal(mine.RecordType, c->RecordType);
        assert_int_equal(mine.Detail, c->Detail);
        assert_int_equal(mine.Offset, c->Offset);
        assert_true(mine.Message[0] != '\0');
        assert_int_equal(counts.Live, 0); /* nothing kept, nothing leaked */

        /* Field for field what a guest reports for the same bytes. */
        assert_int_equal(GuestLoad(copy, size, &guest), status);
        assert_int_equal(guest.Status, mine.Status);
        assert_int_equal(guest.Detail, mine.Detail);
        assert_int_equal(guest.Offset, mine.Offset);
        assert_int_equal(guest.RecordIndex, mine.RecordIndex);
        assert_int_equal(guest.RecordType, mine.RecordType);
        assert_string_equal(guest.Message, mine.Message);
    }
    test_free(file);
}

static void TestLoadArguments(void **State)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    INTRO_EXC_RULESET *set = NULL;
    COUNTING counts;
    INTRO_EXC_ALLOCATOR alloc = Counting(&counts);
    INTRO_EXC_ALLOCATOR noFree = {CountingAlloc, NULL, &counts};
    size_t size;
    const uint8_t *data = GoodFile(file, &size);

    (void)State;
    /* A NULL buffer is what UpdateExceptions says it is; our own parameters come after it. */
    assert_int_equal(IntExceptRuleSetLoad(NULL, size, 0, &alloc, &set, &error), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(error.Status, INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(error.RecordIndex, INTRO_EXCEPTIONS_LOAD_NO_RECORD);
    assert_int_equal(IntExceptRuleSetLoad(data, size, 0, NULL, &set, &error), INT_STATUS_INVALID_PARAMETER_4);
    assert_int_equal(error.Status, INT_STATUS_INVALID_PARAMETER_4);
    assert_int_equal(IntExceptRuleSetLoad(data, size, 0, &noFree, &set, &error), INT_STATUS_INVALID_PARAMETER_4);
    assert_int_equal(IntExceptRuleSetLoad(data, size, 0, &alloc, NULL, &error), INT_STATUS_INVALID_PARAMETER_5);
    assert_int_equal(counts.Allocs, 0);

    /* Success leaves a zeroed error; Error may be NULL. */
    memset(&error, 0x5A, sizeof(error));
    assert_int_equal(IntExceptRuleSetLoad(data, size, INTRO_EXC_OS_WINDOWS, &alloc, &set, &error), INT_STATUS_SUCCESS);
    assert_non_null(set);
    assert_int_equal(error.Status, INT_STATUS_SUCCESS);
    assert_int_equal(error.RecordIndex, 0);
    assert_int_equal(error.Message[0], '\0');
    assert_true(counts.Allocs > 0);
    IntExceptRuleSetFree(set);
    assert_int_equal(counts.Live, 0);
    assert_int_equal(IntExceptRuleSetLoad(data, size, INTRO_EXC_OS_WINDOWS, &alloc, &set, NULL), INT_STATUS_SUCCESS);
    IntExceptRuleSetFree(set);
    IntExceptRuleSetFree(NULL);
    test_free(file);
}

/* StructSize of a violation: 0 (the first layout) or this header's size; anything else is refused. */
static void TestViolationStructSize(void **State)
{
    static const uint32_t sizes[] = {0, sizeof(INTRO_EXC_VIOLATION), 1, sizeof(INTRO_EXC_VIOLATION) + 8, 0xFFFFFFFFu};
    INTRO_EXC_VIOLATION vio;
    INTRO_EXC_VERDICT verdict;

    (void)State;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
    {
        memset(&vio, 0, sizeof(vio));
        vio.StructSize = sizes[i];
        vio.Kind = INTRO_EXC_KIND_KERNEL;
        assert_int_equal(IntExceptEvaluate(NULL, &vio, &verdict),
                         i < 2 ? INT_STATUS_SUCCESS : INT_STATUS_INVALID_PARAMETER_2);
        if (i < 2)
        {
            assert_int_equal(verdict.Reason, INTRO_EXC_REASON_EXCEPTIONS_NOT_LOADED);
        }
    }
    assert_int_equal(offsetof(INTRO_EXC_VIOLATION, StructSize), 0);
}

/* Every allocation of a load fails once in turn: the load reports it and keeps nothing. */
static void TestLoadAllocationFailures(void **State)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    size_t size;
    const uint8_t *data = GoodFile(file, &size);
    unsigned long needed;
    COUNTING counts;
    INTRO_EXC_ALLOCATOR alloc = Counting(&counts);
    INTRO_EXC_RULESET *set = NULL;

    (void)State;
    assert_int_equal(IntExceptRuleSetLoad(data, size, 0, &alloc, &set, NULL), INT_STATUS_SUCCESS);
    IntExceptRuleSetFree(set);
    needed = counts.Allocs;
    for (unsigned long n = 1; n <= needed; n++)
    {
        INTRO_EXCEPTIONS_LOAD_ERROR error;

        alloc = Counting(&counts);
        counts.FailAt = n;
        assert_int_equal(IntExceptRuleSetLoad(data, size, 0, &alloc, &set, &error), INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_null(set);
        assert_int_equal(error.Status, INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_int_equal(error.RecordIndex, INTRO_EXCEPTIONS_LOAD_NO_RECORD);
        assert_int_equal(counts.Live, 0);
    }
    test_free(file);
}

/* ---- Evaluations allocate nothing ------------------------------------------------------------------------------ */

#define NTDLL_BASE 0x7FFB12340000ull
#define NTDLL_GPA 0x00400000ull
#define KM_CODE 0xFFFFF80012341000ull

static const uint32_t kExportSig[] = {IG_SIG_ID_MAKE(IgSigTypeExport, 2)};
static const uint32_t kKmSigs[] = {IG_SIG_ID_MAKE(IgSigTypeValueCode, 3), IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 1)};

typedef struct GUEST
{
    FAKE_GUEST Fake;
    IG_GUEST_WALKER Walker;
    IG_GUEST_VMEM Vmem;
    uint64_t Cr3;
    uint8_t Image[PE_IMAGE_SIZE];
    uint8_t KmCode[0x1000];
    INTRO_EXC_CODE_BYTES KmBytes;
} GUEST;

static void GuestInit(GUEST *G)
{
    static const uint8_t seq[] = {0xE8, 0,    0,    0,    0,    0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB,
                                  0x00, 0x48, 0x8B, 0x04, 0x25, 0,    0,    0,    0,    0xAB, 0x87, 0xC8, 0x0F,
                                  0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 0x01, 0,    0,    0,    0xC3, 0x90};

    memset(G, 0, sizeof(*G));
    PeImageBuild(G->Image, true);
    FakeGuestInit(&G->Fake, 0xFFFFFFF);
    for (uint32_t i = 0; i < PE_IMAGE_SIZE / 0x1000; i++)
    {
        FakeGuestMapPage(&G->Fake, IgPaging4Level, &G->Cr3, NTDLL_BASE + i * 0x1000ull, NTDLL_GPA + i * 0x1000ull);
        memcpy(FakeGuestFrame(&G->Fake, (NTDLL_GPA >> 12) + i), G->Image + i * 0x1000, 0x1000);
    }
    G->Walker = (IG_GUEST_WALKER){G->Fake.Phys, IgPaging4Level, false};
    IgGuestWalkerVmem(&G->Walker, &G->Vmem);
    /* The kernel code of test_matching.c's codeblocks scenario (hash 0x8F6E0034 at the normal level). */
    memset(G->KmCode, 0x90, sizeof(G->KmCode));
    for (size_t at = 0; at + sizeof(seq) <= 31 * sizeof(seq); at += sizeof(seq))
    {
        memcpy(G->KmCode + at, seq, sizeof(seq));
    }
    G->KmBytes = (INTRO_EXC_CODE_BYTES){0, KM_CODE, G->KmCode, sizeof(G->KmCode)};
}

static void Memory(INTRO_EXC_VIOLATION *V, GUEST *G, INTRO_EXC_CODE_CONTEXT *Ctx)
{
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
    V->Memory.CsType = IG_CS_TYPE_64B;
    V->Memory.SystemCr3 = G->Cr3;
    V->Memory.CurrentCr3 = G->Cr3;
    V->Memory.ReadVirtual = G->Vmem.Read;
    V->Memory.ReadContext = G->Vmem.Context;
    V->Memory.Bytes = &G->KmBytes;
    V->Memory.BytesCount = 1;
    V->Memory.Context = Ctx;
}

/* A write into ntdll.dll at NtCreateKey + 4 (the export the signature names). */
static void NtdllVictim(INTRO_EXC_VIOLATION *V, GUEST *G)
{
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_LIB_CODE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_UM_MODULE;
    V->Victim.NameHash = W("ntdll.dll");
    V->Victim.Process.Present = true;
    V->Victim.Process.NameHash = N("chrome.exe");
    V->Victim.Process.Cr3 = G->Cr3;
    V->Victim.Library = true;
    V->Victim.LibraryNameHash = W("ntdll.dll");
    V->Victim.LibraryBase = NTDLL_BASE;
    V->Victim.u.Ept.Gva = NTDLL_BASE + 0x1004;
    V->Victim.v.WriteInfo.AccessSize = 4;
    V->Victim.v.WriteInfo.NewValue[0] = 0xCCCCCCCC;
}

static void KernelWrite(INTRO_EXC_VIOLATION *V, GUEST *G, INTRO_EXC_CODE_CONTEXT *Ctx, const char *Driver)
{
    memset(V, 0, sizeof(*V));
    Memory(V, G, Ctx);
    V->Kind = INTRO_EXC_KIND_KERNEL;
    V->Kernel.Original.Present = true;
    V->Kernel.Original.NameHash = W(Driver);
    V->Kernel.Original.Rip = KM_CODE;
    strcpy(V->Kernel.Original.Section, ".text");
    V->Kernel.Return = V->Kernel.Original;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_LIB_CODE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_KM_MODULE;
    V->Victim.NameHash = W("victim.sys");
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.NewValue[0] = 2;
}

static void UserWrite(INTRO_EXC_VIOLATION *V, GUEST *G, INTRO_EXC_CODE_CONTEXT *Ctx, const char *Module)
{
    memset(V, 0, sizeof(*V));
    Memory(V, G, Ctx);
    V->Kind = INTRO_EXC_KIND_USER;
    V->User.Process.Present = true;
    V->User.Process.NameHash = N("chrome.exe");
    V->User.Process.Cr3 = G->Cr3;
    V->User.NameHash = W(Module);
    V->User.Library = true;
    V->User.Rip = NTDLL_BASE + 0x1000;
    NtdllVictim(V, G);
}

static void KernelUserWrite(INTRO_EXC_VIOLATION *V, GUEST *G, INTRO_EXC_CODE_CONTEXT *Ctx, const char *Driver)
{
    KernelWrite(V, G, Ctx, Driver);
    V->Kind = INTRO_EXC_KIND_KERNEL_USER;
    NtdllVictim(V, G);
}

static void TestEvaluationsAllocateNothing(void **State)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    GUEST *g = test_malloc(sizeof(*g));
    static const uint16_t pattern[] = {0xE8, 0x100, 0x100, 0x100, 0x100, 0x48}; /* the code at the kernel RIP */
    uint16_t delta = 0;
    uint32_t function = IgNameHash("NtCreateKey", 11);
    COUNTING counts;
    INTRO_EXC_ALLOCATOR alloc = Counting(&counts);
    INTRO_EXC_RULESET *set = NULL;
    INTRO_EXC_CODE_CONTEXT *ctx = NULL;
    size_t size;
    const uint8_t *data;
    const struct
    {
        const char *Name;
        void (*Build)(INTRO_EXC_VIOLATION *V, GUEST *G, INTRO_EXC_CODE_CONTEXT *Ctx, const char *Who);
        const char *Who;
        uint32_t Action;
        uint32_t Reason;
    } cases[] = {
        {"kernel: codeblocks and value-code match", KernelWrite, "orig.sys", INTRO_EXC_ACTION_ALLOWED,
         INTRO_EXC_REASON_ALLOWED},
        {"kernel: no exception", KernelWrite, "other.sys", INTRO_EXC_ACTION_NOT_ALLOWED, INTRO_EXC_REASON_NO_EXCEPTION},
        {"user: export matches", UserWrite, "evil.dll", INTRO_EXC_ACTION_ALLOWED, INTRO_EXC_REASON_ALLOWED},
        {"user: no exception", UserWrite, "other.dll", INTRO_EXC_ACTION_NOT_ALLOWED, INTRO_EXC_REASON_NO_EXCEPTION},
        {"kernel-user: export matches", KernelUserWrite, "foo.sys", INTRO_EXC_ACTION_ALLOWED, INTRO_EXC_REASON_ALLOWED},
        {"kernel-user: no exception", KernelUserWrite, "bar.sys", INTRO_EXC_ACTION_NOT_ALLOWED,
         INTRO_EXC_REASON_NO_EXCEPTION},
    };

    (void)State;
    XbInit(file);
    XbCodeBlocks(file, kKmSigs[1], 3, 0x8F6E0034);
    XbExport(file, kExportSig[0], 3, 0, 1, &delta, &function);
    XbValueCode(file, kKmSigs[0], 3, 0, ARRAY_COUNT(pattern), pattern);
    XbKernel(file, W("orig.sys"), W("victim.sys"), D, IgKmObjDriverCode, 2, kKmSigs);
    XbUser(file, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), D, IgUmObjModule, 1, kExportSig);
    XbKernelUser(file, W("foo.sys"), W("ntdll.dll"), 0, D, IgKumObjModule, 1, kExportSig);
    data = XbFinish(file, &size);
    assert_int_equal(IntExceptRuleSetLoad(data, size, INTRO_EXC_OS_WINDOWS, &alloc, &set, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptCodeContextCreate(&alloc, &ctx), INT_STATUS_SUCCESS);
    GuestInit(g);

    for (uint32_t round = 0; round < 2; round++)
    {
        for (size_t i = 0; i < ARRAY_COUNT(cases); i++)
        {
            INTRO_EXC_VIOLATION vio;
            INTRO_EXC_VERDICT verdict;
            unsigned long allocs = counts.Allocs;
            unsigned long frees = counts.Frees;

            cases[i].Build(&vio, g, ctx, cases[i].Who);
            assert_int_equal(IntExceptEvaluate(set, &vio, &verdict), INT_STATUS_SUCCESS);
            if (round == 0)
            {
                print_message("  %-44s -> %s/%s\n", cases[i].Name, IntExceptActionName(verdict.Action),
                              IntExceptReasonName(verdict.Reason));
            }
            assert_int_equal(verdict.Action, cases[i].Action);
            assert_int_equal(verdict.Reason, cases[i].Reason);
            assert_int_equal(counts.Allocs, allocs);
            assert_int_equal(counts.Frees, frees);
        }
    }
    assert_int_equal(g->Fake.Maps, g->Fake.Unmaps);

    IntExceptCodeContextFree(ctx);
    IntExceptRuleSetFree(set);
    assert_int_equal(counts.Live, 0);
    FakeGuestFree(&g->Fake);
    test_free(g);
    test_free(file);
}

/* ---- The guest's environment (IG_EXC_ENV) ---------------------------------------------------------------------- */

/* A guest lending its reader, CPU mode and code context, counting what it lends. */
typedef struct LENDER
{
    GUEST *Guest;
    INTRO_EXC_CODE_CONTEXT *Code;
    unsigned Reads, CsQueries, Acquired, Released;
} LENDER;

static INTSTATUS LenderRead(void *Context, uint64_t Cr3, uint64_t Gva, void *Buffer, size_t Size, size_t *Done)
{
    LENDER *l = Context;

    l->Reads++;
    if (Gva >= KM_CODE && Gva - KM_CODE < sizeof(l->Guest->KmCode) &&
        Size <= sizeof(l->Guest->KmCode) - (Gva - KM_CODE))
    {
        memcpy(Buffer, l->Guest->KmCode + (Gva - KM_CODE), Size);
        *Done = Size;
        return INT_STATUS_SUCCESS;
    }
    return l->Guest->Vmem.Read(l->Guest->Vmem.Context, Cr3, Gva, Buffer, Size, Done);
}

static INTSTATUS LenderCsType(void *Context, uint32_t *CsType)
{
    ((LENDER *)Context)->CsQueries++;
    *CsType = IG_CS_TYPE_64B;
    return INT_STATUS_SUCCESS;
}

static struct IG_CODE_CONTEXT *LenderAcquire(void *Context)
{
    LENDER *l = Context;

    l->Acquired++;
    return l->Code;
}

static void LenderRelease(void *Context, struct IG_CODE_CONTEXT *Code)
{
    LENDER *l = Context;

    assert_ptr_equal(Code, l->Code);
    l->Released++;
}

/* A violation that brings no memory of its own is decided with what the guest lends, allocation-free. */
static void TestGuestEnvironment(void **State)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    GUEST *g = test_malloc(sizeof(*g));
    static const uint16_t pattern[] = {0xE8, 0x100, 0x100, 0x100, 0x100, 0x48};
    uint16_t delta = 0;
    uint32_t function = IgNameHash("NtCreateKey", 11);
    COUNTING counts;
    INTRO_EXC_ALLOCATOR alloc = Counting(&counts);
    INTRO_EXC_RULESET *set = NULL;
    LENDER lender = {0};
    IG_EXC_ENV env = {&lender, LenderRead, LenderCsType, LenderAcquire, LenderRelease};
    size_t size;
    const uint8_t *data;

    (void)State;
    XbInit(file);
    XbCodeBlocks(file, kKmSigs[1], 3, 0x8F6E0034);
    XbExport(file, kExportSig[0], 3, 0, 1, &delta, &function);
    XbValueCode(file, kKmSigs[0], 3, 0, ARRAY_COUNT(pattern), pattern);
    XbKernel(file, W("orig.sys"), W("victim.sys"), D, IgKmObjDriverCode, 2, kKmSigs);
    XbUser(file, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), D, IgUmObjModule, 1, kExportSig);
    data = XbFinish(file, &size);
    assert_int_equal(IntExceptRuleSetLoad(data, size, INTRO_EXC_OS_WINDOWS, &alloc, &set, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptCodeContextCreate(&alloc, &lender.Code), INT_STATUS_SUCCESS);
    GuestInit(g);
    lender.Guest = g;

    for (int user = 0; user <= 1; user++)
    {
        INTRO_EXC_VIOLATION vio;
        INTRO_EXC_VERDICT verdict;
        unsigned long allocs = counts.Allocs;

        if (user)
        {
            UserWrite(&vio, g, NULL, "evil.dll");
        }
        else
        {
            KernelWrite(&vio, g, NULL, "orig.sys");
        }
        memset(&vio.Memory, 0, sizeof(vio.Memory)); /* nothing of its own: no reader, mode or context */
        vio.Memory.SystemCr3 = g->Cr3;
        vio.Memory.CurrentCr3 = g->Cr3;
        assert_int_equal(IgExceptEvaluate(set, NULL, &env, &vio, &verdict), INT_STATUS_SUCCESS);
        assert_int_equal(verdict.Action, INTRO_EXC_ACTION_ALLOWED);
        assert_int_equal(verdict.Reason, INTRO_EXC_REASON_ALLOWED);
        assert_int_equal(counts.Allocs, allocs);
        /* Without the guest the same violation cannot be decided: an internal error, as in hvmi. */
        assert_int_equal(IntExceptEvaluate(set, &vio, &verdict), INT_STATUS_SUCCESS);
        assert_int_equal(verdict.Reason, INTRO_EXC_REASON_INTERNAL_ERROR);
    }
    assert_true(lender.Reads > 0);
    assert_true(lender.CsQueries > 0);
    assert_true(lender.Acquired >= 2);
    assert_int_equal(lender.Acquired, lender.Released);

    IntExceptCodeContextFree(lender.Code);
    IntExceptRuleSetFree(set);
    assert_int_equal(counts.Live, 0);
    FakeGuestFree(&g->Fake);
    test_free(g);
    test_free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestLoadErrorMatchesUpdateExceptions),
        cmocka_unit_test(TestLoadArguments),
        cmocka_unit_test(TestViolationStructSize),
        cmocka_unit_test(TestLoadAllocationFailures),
        cmocka_unit_test(TestEvaluationsAllocateNothing),
        cmocka_unit_test(TestGuestEnvironment),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
