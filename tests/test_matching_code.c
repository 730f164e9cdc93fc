/*
 * Code-reading signatures through the whole evaluation (IntExceptEvaluate): exceptions files built
 * with tests/support/exc_builder.c, violations whose guest memory is a fake guest behind 4-level
 * page tables (the reader callback) or bytes by virtual address.  Covers export signatures
 * (signatures.md §2.2) against a DLL image from tests/support/pe_image.c, value-code (§2.4),
 * codeblocks at the medium level for user exceptions and the execute window (§3.7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crc32.h"
#include "exc_builder.h"
#include "fake_guest.h"
#include "introguard/intro_types.h"
#include "pe_image.h"
#include "violations.h"

#define W(n) XbWide(n)
#define N(n) XbNarrow(n)
#define D TF_DEFAULT

#define NTDLL_BASE 0x7FFB12340000ull
#define NTDLL_GPA 0x00400000ull

static const uint32_t kExportSig[] = {IG_SIG_ID_MAKE(IgSigTypeExport, 1)};
static const uint32_t kValueCodeSig[] = {IG_SIG_ID_MAKE(IgSigTypeValueCode, 2)};
static const uint32_t kCbSig[] = {IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 3)};

/* The caller's code context: decoder and export scratch (evaluations never create one). */
static INTRO_EXC_CODE_CONTEXT *gCtx;

typedef struct GUEST
{
    FAKE_GUEST Fake;
    IG_GUEST_WALKER Walker;
    IG_GUEST_VMEM Vmem;
    uint64_t Cr3;
    uint8_t Image[PE_IMAGE_SIZE];
} GUEST;

/* ntdll.dll mapped at NTDLL_BASE in one address space; PageMask says which image pages are present. */
static void GuestInit(GUEST *G, uint32_t PageMask)
{
    memset(&G->Fake, 0, sizeof(G->Fake));
    G->Cr3 = 0;
    FakeGuestInit(&G->Fake, 0xFFFFFFF);
    for (uint32_t i = 0; i < PE_IMAGE_SIZE / 0x1000; i++)
    {
        if (PageMask & (1u << i))
        {
            FakeGuestMapPage(&G->Fake, IgPaging4Level, &G->Cr3, NTDLL_BASE + i * 0x1000ull, NTDLL_GPA + i * 0x1000ull);
            memcpy(FakeGuestFrame(&G->Fake, (NTDLL_GPA >> 12) + i), G->Image + i * 0x1000, 0x1000);
        }
    }
    G->Walker = (IG_GUEST_WALKER){G->Fake.Phys, IgPaging4Level, false};
    IgGuestWalkerVmem(&G->Walker, &G->Vmem);
}

/* In chrome.exe, evil.dll writes 4 bytes at NtCreateKey + 4 in ntdll.dll. */
static void NtdllWrite(INTRO_EXC_VIOLATION *V, GUEST *G)
{
    /* Any code: only export signatures are used here. */
    VioNtdllWrite(V, G->Cr3, NTDLL_BASE + 0x1000, NTDLL_BASE);
    /* The names' text too, the victim's process with them. */
    V->User.Process.Name = "chrome.exe";
    V->User.Process.NameLength = 10;
    V->User.Name.Text = "evil.dll";
    V->User.Name.Length = 8;
    V->User.Name.Wide = true;
    V->Victim.Name.Text = "ntdll.dll";
    V->Victim.Name.Length = 9;
    V->Victim.Name.Wide = true;
    V->Victim.Process = V->User.Process;
    /* The guest's memory behind a reader. */
    V->Memory.CsType = IG_CS_TYPE_64B;
    V->Memory.ReadVirtual = G->Vmem.Read;
    V->Memory.ReadContext = G->Vmem.Context;
    V->Memory.Context = gCtx;
}

static IG_RULESET *ExportRules(IG_TEST_FILE *F, uint32_t Library, uint16_t Delta, uint32_t Function)
{
    XbInit(F);
    XbExport(F, kExportSig[0], 3, Library, 1, &Delta, &Function);
    XbUser(F, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), D, IgUmObjModule, 1, kExportSig);
    return XbLoad(F, IgGuestOsWindows);
}

typedef struct EXPORT_CASE
{
    const char *Name;
    uint32_t Library;
    uint16_t Delta;
    const char *Function; /* NULL: Hash below */
    uint32_t Hash;
    uint32_t PageMask;
    uint32_t Reason;
    uint32_t Check; /* the closest exception's INTRO_EXC_CHECK_* for a block; 0: not checked */
} EXPORT_CASE;

static void TestExportSignatures(void **State)
{
    static const EXPORT_CASE cases[] = {
        {"NtCreateKey, any offset", 0, 0, "NtCreateKey", 0, 0xF, INTRO_EXC_REASON_ALLOWED},
        {"the alias ZwCreateKey", 0, 0, "ZwCreateKey", 0, 0xF, INTRO_EXC_REASON_ALLOWED},
        {"delta 7 covers +4..+7", 0, 7, "NtCreateKey", 0, 0xF, INTRO_EXC_REASON_ALLOWED},
        {"delta 6 does not", 0, 6, "NtCreateKey", 0, 0xF, INTRO_EXC_REASON_EXPORT_NOT_MATCHED},
        {"another function", 0, 0, "NtOpenKey", 0, 0xF, INTRO_EXC_REASON_EXPORT_NOT_MATCHED},
        {"names are case-sensitive", 0, 0, "ntcreatekey", 0, 0xF, INTRO_EXC_REASON_EXPORT_NOT_MATCHED},
        {"any function", 0, 0, NULL, 0, 0xF, INTRO_EXC_REASON_ALLOWED},
        {"no export (-) when there is one", 0, 0, NULL, 4, 0xF, INTRO_EXC_REASON_EXPORT_NOT_MATCHED},
        {"the library by its hash", 1, 0, "NtCreateKey", 0, 0xF, INTRO_EXC_REASON_ALLOWED},
        {"another library", 2, 0, "NtCreateKey", 0, 0xF, INTRO_EXC_REASON_EXPORT_NOT_MATCHED},
        /* Unreadable memory never allows (hvmi, with no export cache, lets these pass: docs/compat.md). */
        {"export directory paged out: not allowed", 0, 0, "NtOpenKey", 0, 0xB, INTRO_EXC_REASON_EXPORT_NOT_MATCHED,
         INTRO_EXC_CHECK_UNREADABLE},
        {"headers paged out: not allowed", 0, 0, "NtOpenKey", 0, 0xE, INTRO_EXC_REASON_EXPORT_NOT_MATCHED,
         INTRO_EXC_CHECK_UNREADABLE},
        {"... even for any function", 0, 0, NULL, 0, 0xB, INTRO_EXC_REASON_EXPORT_NOT_MATCHED,
         INTRO_EXC_CHECK_UNREADABLE},
        {"a readable directory without the name", 0, 0, "NtOpenKey", 0, 0xF, INTRO_EXC_REASON_EXPORT_NOT_MATCHED,
         INTRO_EXC_CHECK_SIGNATURES},
    };

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        const EXPORT_CASE *c = &cases[i];
        IG_TEST_FILE *file = test_malloc(sizeof(*file));
        GUEST *g = test_malloc(sizeof(*g));
        uint32_t library = c->Library == 1 ? W("ntdll.dll") : c->Library == 2 ? W("kernel32.dll") : 0;
        uint32_t function = c->Function ? IgNameHash(c->Function, strlen(c->Function)) : c->Hash;
        IG_RULESET *rules = ExportRules(file, library, c->Delta, function);
        INTRO_EXC_VIOLATION vio;
        INTRO_EXC_VERDICT verdict;

        PeImageBuild(g->Image, true);
        GuestInit(g, c->PageMask);
        NtdllWrite(&vio, g);
        assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
        print_message("  %-48s -> %s\n", c->Name, IntExceptReasonName(verdict.Reason));
        assert_int_equal(verdict.Reason, c->Reason);
        if (c->Check)
        {
            assert_int_equal(verdict.Action, INTRO_EXC_ACTION_NOT_ALLOWED);
            assert_int_equal(verdict.Closest.FailedCheck, c->Check);
            assert_int_equal(verdict.Closest.FailReason, c->Reason);
        }
        assert_int_equal(g->Fake.Maps, g->Fake.Unmaps);
        IntExceptRuleSetFree(rules);
        FakeGuestFree(&g->Fake);
        test_free(g);
        test_free(file);
    }
}

static void TestExportMalformedAndInjection(void **State)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    GUEST *g = test_malloc(sizeof(*g));
    IG_RULESET *rules = ExportRules(file, 0, 0, 0 /* any function */);
    INTRO_EXC_VIOLATION vio;
    INTRO_EXC_VERDICT verdict;

    (void)State;
    /* A malformed directory refuses even "any function" (a deliberate difference from hvmi). */
    PeImageBuild(g->Image, false);
    PePut32(g->Image, PE_IMAGE_EXPORT_RVA + 0x18, 0xFFFFFFFF);
    GuestInit(g, 0xF);
    NtdllWrite(&vio, g);
    assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Reason, INTRO_EXC_REASON_EXPORT_NOT_MATCHED);
    FakeGuestFree(&g->Fake);

    /* An injection: address and length come from the injection; the 32-bit image parses too. */
    PeImageBuild(g->Image, false);
    GuestInit(g, 0xF);
    NtdllWrite(&vio, g);
    vio.Victim.ZoneType = INTRO_EXC_ZONE_PROCESS;
    vio.Victim.ObjectType = 0;
    vio.Victim.u.Injection.Gva = NTDLL_BASE + 0x1100;
    vio.Victim.u.Injection.Length = 16;
    IntExceptRuleSetFree(rules);
    {
        uint16_t delta = 0;
        uint32_t function = IgNameHash("LateFn", 6);

        XbInit(file);
        XbExport(file, kExportSig[0], 3, 0, 1, &delta, &function);
        XbUser(file, W("evil.dll"), 0, N("chrome.exe"), D, IgUmObjProcess, 1, kExportSig);
        rules = XbLoad(file, IgGuestOsWindows);
    }
    vio.Victim.NameHash = N("chrome.exe");
    assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Reason, INTRO_EXC_REASON_ALLOWED);
    /* Without the victim's memory the directory cannot be read: not allowed (hvmi passes). */
    vio.Memory.ReadVirtual = NULL;
    assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Action, INTRO_EXC_ACTION_NOT_ALLOWED);
    assert_int_equal(verdict.Reason, INTRO_EXC_REASON_EXPORT_NOT_MATCHED);
    assert_int_equal(verdict.Closest.FailedCheck, INTRO_EXC_CHECK_UNREADABLE);
    /* Without a code context there is no room to copy the directory into: an internal error. */
    vio.Memory.ReadVirtual = g->Vmem.Read;
    vio.Memory.Context = NULL;
    assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
    assert_int_equal(verdict.Action, INTRO_EXC_ACTION_NOT_ALLOWED);
    assert_int_equal(verdict.Reason, INTRO_EXC_REASON_INTERNAL_ERROR);
    IntExceptRuleSetFree(rules);
    FakeGuestFree(&g->Fake);
    test_free(g);
    test_free(file);
}

/* ---- Value-code and codeblocks with bytes by address ------------------------------------------------------- */

/* `mov [rsp+8], rax; call rel32; ...` (gcc-shaped prologue bytes) at the kernel RIP - 5. */
static const uint8_t kKmCode[] = {0x48, 0x89, 0x44, 0x24, 0x08, 0xE8, 0x10, 0x20, 0x30, 0x40, 0xC3};
#define KM_RIP 0xFFFFF80012346002ull /* RIP - 5 is 3 bytes before the page boundary at ...6000 */

static void KmWriteWithCode(INTRO_EXC_VIOLATION *V, const INTRO_EXC_CODE_BYTES *Bytes)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_KERNEL;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Kernel.Original.Present = true;
    V->Kernel.Original.NameHash = W("orig.sys");
    V->Kernel.Original.Rip = KM_RIP;
    strcpy(V->Kernel.Original.Section, ".text");
    V->Kernel.Return = V->Kernel.Original;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_LIB_CODE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_KM_MODULE;
    V->Victim.NameHash = W("victim.sys");
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.NewValue[0] = 2;
    V->Memory.CsType = IG_CS_TYPE_64B;
    V->Memory.SystemCr3 = 0x1AA000;
    V->Memory.Bytes = Bytes;
    V->Memory.BytesCount = 1;
}

static void TestValueCode(void **State)
{
    static const uint16_t hit[] = {0x48, 0x89, 0x100, 0x24, 0x100, 0xE8}; /* at RIP - 5 */
    static const uint16_t miss[] = {0x48, 0x8B};
    static const uint16_t any[] = {0x100, 0x100};
    const INTRO_EXC_CODE_BYTES bytes = {0x1AA000, KM_RIP - 5, kKmCode, sizeof(kKmCode)};
    const INTRO_EXC_CODE_BYTES partial = {0x1AA000, KM_RIP - 5, kKmCode, 3}; /* ends at the page boundary */
    const struct
    {
        const char *Name;
        const uint16_t *Pattern;
        uint16_t Length;
        int16_t Offset;
        const INTRO_EXC_CODE_BYTES *Bytes;
        uint32_t Reason;
        bool ZeroRip;
    } cases[] = {
        {"pattern with wildcards across a page boundary", hit, 6, -5, &bytes, INTRO_EXC_REASON_ALLOWED},
        {"a different byte", miss, 2, -5, &bytes, INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED},
        {"the tail page is missing: skipped", hit, 6, -5, &partial, INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED},
        {"the first page is missing: skipped", hit, 6, 0x1000, &bytes, INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED},
        {"any two bytes", any, 2, -5, &bytes, INTRO_EXC_REASON_ALLOWED},
        /* B8, fixed: hvmi lets a zero RIP pass without reading anything. */
        {"RIP 0: no code to compare", any, 2, -5, &bytes, INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED, true},
    };

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        IG_TEST_FILE *file = test_malloc(sizeof(*file));
        IG_RULESET *rules;
        INTRO_EXC_VIOLATION vio;
        INTRO_EXC_VERDICT verdict;

        XbInit(file);
        XbValueCode(file, kValueCodeSig[0], 3, cases[i].Offset, cases[i].Length, cases[i].Pattern);
        XbKernel(file, W("orig.sys"), W("victim.sys"), D, IgKmObjDriverCode, 1, kValueCodeSig);
        rules = XbLoad(file, IgGuestOsWindows);
        KmWriteWithCode(&vio, cases[i].Bytes);
        if (cases[i].ZeroRip)
        {
            vio.Kernel.Original.Rip = 0;
            vio.Kernel.Return.Rip = 0;
        }
        assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
        print_message("  %-48s -> %s\n", cases[i].Name, IntExceptReasonName(verdict.Reason));
        assert_int_equal(verdict.Reason, cases[i].Reason);
        if (cases[i].ZeroRip)
        {
            assert_int_equal(verdict.Closest.FailedCheck, INTRO_EXC_CHECK_UNREADABLE);
        }
        IntExceptRuleSetFree(rules);
        test_free(file);
    }
}

/* The §3.9 sequence (spec/signatures.md) filling a user-mode code page. */
static uint8_t gUserPage[0x1000];

static void FillUserPage(void)
{
    static const uint8_t seq[] = {0xE8, 0,    0,    0,    0,    0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB,
                                  0x00, 0x48, 0x8B, 0x04, 0x25, 0,    0,    0,    0,    0xAB, 0x87, 0xC8, 0x0F,
                                  0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 0x01, 0,    0,    0,    0xC3, 0x90};

    for (size_t at = 0; at < sizeof(gUserPage); at++)
    {
        gUserPage[at] = seq[at % sizeof(seq)];
    }
}

static void TestUserCodeBlocksLevels(void **State)
{
    /* 0x4B0E7B89 exists only at the medium level, 0x8F6E0034 only at the normal level (§3.9). */
    const struct
    {
        const char *Name;
        uint32_t Hash;
        uint32_t Flags;
        bool Execute;
        uint32_t Reason;
    } cases[] = {
        {"user exceptions extract at the medium level", 0x4B0E7B89, 3, false, INTRO_EXC_REASON_ALLOWED},
        {"a normal-level hash cannot match there", 0x8F6E0034, 3, false, INTRO_EXC_REASON_SIGNATURE_NOT_MATCHED},
        {"the medium flag is accepted at the medium level", 0x4B0E7B89, 7, false, INTRO_EXC_REASON_ALLOWED},
        {"execute window from the RIP", 0x4B0E7B89, 3, true, INTRO_EXC_REASON_ALLOWED},
    };
    const INTRO_EXC_CODE_BYTES bytes = {0, 0x7FF600001000ull, gUserPage, sizeof(gUserPage)};
    INTRO_EXC_CODE_CONTEXT *ctx = NULL;

    (void)State;
    FillUserPage();
    assert_int_equal(IntExceptCodeContextCreate(IntExceptMallocAllocator(), &ctx), INT_STATUS_SUCCESS);
    for (size_t i = 0; i <= sizeof(cases) / sizeof(cases[0]); i++)
    {
        IG_TEST_FILE *file = test_malloc(sizeof(*file));
        GUEST *g = test_malloc(sizeof(*g));
        IG_RULESET *rules;
        INTRO_EXC_VIOLATION vio;
        INTRO_EXC_VERDICT verdict;

        bool last = i == sizeof(cases) / sizeof(cases[0]);

        XbInit(file);
        XbCodeBlocks(file, kCbSig[0], cases[last ? 0 : i].Flags, cases[last ? 0 : i].Hash);
        XbUser(file, W("evil.dll"), W("ntdll.dll"), N("chrome.exe"), D, IgUmObjModule, 1, kCbSig);
        rules = XbLoad(file, IgGuestOsWindows);
        PeImageBuild(g->Image, true);
        GuestInit(g, 0xF);
        NtdllWrite(&vio, g);
        vio.User.Rip = 0x7FF600001800ull;
        vio.User.Execute = !last && cases[i].Execute;
        vio.Memory.ReadVirtual = NULL;
        vio.Memory.Bytes = &bytes;
        vio.Memory.BytesCount = 1;
        vio.Memory.Context = (i % 2) ? ctx : gCtx; /* any context the caller owns */
        if (last)
        {
            /* No context: the evaluation does not create one (it would allocate); an internal error. */
            vio.Memory.Context = NULL;
            assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
            assert_int_equal(verdict.Action, INTRO_EXC_ACTION_NOT_ALLOWED);
            assert_int_equal(verdict.Reason, INTRO_EXC_REASON_INTERNAL_ERROR);
        }
        else
        {
            assert_int_equal(IntExceptEvaluate(rules, &vio, &verdict), INT_STATUS_SUCCESS);
            print_message("  %-48s -> %s\n", cases[i].Name, IntExceptReasonName(verdict.Reason));
            assert_int_equal(verdict.Reason, cases[i].Reason);
        }
        IntExceptRuleSetFree(rules);
        FakeGuestFree(&g->Fake);
        test_free(g);
        test_free(file);
    }
    IntExceptCodeContextFree(ctx);
    IntExceptCodeContextFree(NULL);
    assert_int_equal(IntExceptCodeContextCreate(IntExceptMallocAllocator(), NULL), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IntExceptCodeContextCreate(NULL, &ctx), INT_STATUS_INVALID_PARAMETER_1);
    assert_null(ctx);
}

static int CreateContext(void **State)
{
    (void)State;
    return INT_SUCCESS(IntExceptCodeContextCreate(IntExceptMallocAllocator(), &gCtx)) ? 0 : -1;
}

static int FreeContext(void **State)
{
    (void)State;
    IntExceptCodeContextFree(gCtx);
    gCtx = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestExportSignatures),
        cmocka_unit_test(TestExportMalformedAndInjection),
        cmocka_unit_test(TestValueCode),
        cmocka_unit_test(TestUserCodeBlocksLevels),
    };

    return cmocka_run_group_tests(tests, CreateContext, FreeContext);
}
