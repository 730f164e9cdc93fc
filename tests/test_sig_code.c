/*
 * Signatures that read guest memory (spec/signatures.md §2.1, §2.2, §2.4): the PE export reader
 * on DLL-shaped images built here (32- and 64-bit, well-formed and malformed), export signatures,
 * value-code signatures across page edges, and the codeblocks level filter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/crc32.h"
#include "common/pe_exports.h"
#include "exceptions/sig_code.h"
#include "fake_guest.h"
#include "pe_image.h"

#define IMAGE_BASE 0x7FFB12340000ull
#define IMAGE_GPA 0x00400000ull
#define IMAGE_SIZE PE_IMAGE_SIZE
#define EXPORT_RVA PE_IMAGE_EXPORT_RVA
#define EXPORT_SIZE PE_IMAGE_EXPORT_SIZE
#define Put16 PePut16
#define Put32 PePut32

typedef struct PE_IMAGE
{
    uint8_t Bytes[IMAGE_SIZE];
} PE_IMAGE;

static void BuildImage(PE_IMAGE *Image, bool Pe64)
{
    PeImageBuild(Image->Bytes, Pe64);
}

typedef struct GUEST_IMAGE
{
    FAKE_GUEST Guest;
    IG_GUEST_WALKER Walker;
    IG_GUEST_VMEM Vmem;
    uint64_t Cr3;
} GUEST_IMAGE;

/* Maps the image's pages whose bit is set in PageMask. */
static void MapImage(GUEST_IMAGE *G, const PE_IMAGE *Image, uint32_t PageMask)
{
    memset(G, 0, sizeof(*G));
    FakeGuestInit(&G->Guest, 0xFFFFFFF);
    for (uint32_t i = 0; i < IMAGE_SIZE / 0x1000; i++)
    {
        if (PageMask & (1u << i))
        {
            FakeGuestMapPage(&G->Guest, IgPaging4Level, &G->Cr3, IMAGE_BASE + i * 0x1000ull, IMAGE_GPA + i * 0x1000ull);
            memcpy(FakeGuestFrame(&G->Guest, (IMAGE_GPA >> 12) + i), Image->Bytes + i * 0x1000, 0x1000);
        }
    }
    G->Walker = (IG_GUEST_WALKER){G->Guest.Phys, IgPaging4Level, false};
    IgGuestWalkerVmem(&G->Walker, &G->Vmem);
}

/* Room for any export directory hvmi accepts (IG_PE_EXPORT_DIR_MAX). */
static uint8_t gScratch[IG_PE_EXPORT_DIR_MAX];

static IG_PE_ERROR ReadExports(const PE_IMAGE *Image, uint32_t PageMask, INTSTATUS *Status, IG_PE_EXPORTS *Out)
{
    GUEST_IMAGE g;
    IG_PE_ERROR error = IgPeErrorCount;

    MapImage(&g, Image, PageMask);
    *Status = IgPeExportsRead(&g.Vmem, g.Cr3, IMAGE_BASE, gScratch, sizeof(gScratch), Out, &error);
    assert_int_equal(g.Guest.Maps, g.Guest.Unmaps);
    FakeGuestFree(&g.Guest);
    return error;
}

static void TestExportLookup(void **State)
{
    (void)State;
    for (int pe64 = 0; pe64 <= 1; pe64++)
    {
        PE_IMAGE image;
        IG_PE_EXPORTS exports;
        IG_PE_EXPORT e;
        INTSTATUS status;

        BuildImage(&image, pe64);
        assert_int_equal(ReadExports(&image, 0xF, &status, &exports), IgPeOk);
        assert_int_equal(status, INT_STATUS_SUCCESS);
        assert_int_equal(exports.Pe64, (bool)pe64);
        assert_int_equal(exports.NameCount, 5);

        /* 0x1005: NtCreateKey and its alias, in name-table order. */
        IgPeFindExport(&exports, 0x1005, &e);
        assert_true(e.Found);
        assert_int_equal(e.Rva, 0x1000);
        assert_int_equal(e.NameCount, 2);
        assert_int_equal(e.NameHashes[0], 0xDA198B03); /* spec/signatures.md §4 */
        assert_int_equal(e.NameHashes[1], IgNameHash("ZwCreateKey", 11));
        assert_int_equal(e.NameLengths[0], 11);
        /* The closest export wins: 0x1015 is 5 past NtOpenKey and 0x15 past NtCreateKey. */
        IgPeFindExport(&exports, 0x1015, &e);
        assert_int_equal(e.Rva, 0x1010);
        assert_int_equal(e.NameHashes[0], IgNameHash("NtOpenKey", 9));
        /* 31 bytes back is the limit. */
        IgPeFindExport(&exports, 0x111F, &e);
        assert_true(e.Found);
        IgPeFindExport(&exports, 0x1120, &e);
        assert_false(e.Found);
        IgPeFindExport(&exports, 0x0FFF, &e);
        assert_false(e.Found);
    }
}

/* The directory is copied into the caller's scratch: one too small is refused, nothing is allocated. */
static void TestExportScratchTooSmall(void **State)
{
    static uint8_t exact[EXPORT_SIZE];
    PE_IMAGE image;
    GUEST_IMAGE g;
    IG_PE_EXPORTS exports;
    IG_PE_ERROR error;

    (void)State;
    BuildImage(&image, true);
    MapImage(&g, &image, 0xF);
    assert_int_equal(IgPeExportsRead(&g.Vmem, g.Cr3, IMAGE_BASE, exact, sizeof(exact) - 1, &exports, &error),
                     INT_STATUS_DATA_BUFFER_TOO_SMALL);
    assert_null(exports.Directory);
    assert_int_equal(IgPeExportsRead(&g.Vmem, g.Cr3, IMAGE_BASE, exact, sizeof(exact), &exports, &error),
                     INT_STATUS_SUCCESS);
    assert_ptr_equal(exports.Directory, exact);
    FakeGuestFree(&g.Guest);
}

typedef struct MALFORMED_CASE
{
    const char *Name;
    uint32_t Offset; /* where to write Value (32-bit unless Width 2) */
    uint32_t Value;
    uint8_t Width;
    uint32_t PageMask;
    IG_PE_ERROR Error;
    INTSTATUS Status;
} MALFORMED_CASE;

static void TestMalformedImages(void **State)
{
    static const MALFORMED_CASE cases[] = {
        {"good", 0, 0x5A4D, 2, 0xF, IgPeOk, INT_STATUS_SUCCESS},
        {"headers unmapped", 0, 0x5A4D, 2, 0xE, IgPeHeadersUnreadable, INT_STATUS_PAGE_NOT_PRESENT},
        {"no MZ", 0, 0x5A4E, 2, 0xF, IgPeBadDosHeader, INT_STATUS_NOT_FOUND},
        {"e_lfanew past the page", 0x3C, 0x1000, 4, 0xF, IgPeBadNtOffset, INT_STATUS_NOT_FOUND},
        {"e_lfanew at the page end", 0x3C, 0xFFE, 4, 0xF, IgPeBadNtOffset, INT_STATUS_NOT_FOUND},
        {"e_lfanew huge", 0x3C, 0xFFFFFFF0, 4, 0xF, IgPeBadNtOffset, INT_STATUS_NOT_FOUND},
        {"no PE signature", 0x80, 0x4551, 4, 0xF, IgPeBadNtSignature, INT_STATUS_NOT_FOUND},
        {"bad optional magic", 0x98, 0x10C, 2, 0xF, IgPeBadOptionalHeader, INT_STATUS_NOT_FOUND},
        {"optional header too small", 0x94, 0x60, 2, 0xF, IgPeBadOptionalHeader, INT_STATUS_NOT_FOUND},
        {"no data directories", 0x98 + 92, 0, 4, 0xF, IgPeNoExportDirectory, INT_STATUS_NOT_FOUND},
        {"empty export directory", 0x98 + 96, 0, 4, 0xF, IgPeNoExportDirectory, INT_STATUS_NOT_FOUND},
        {"directory past SizeOfImage", 0x98 + 96, 0x3D00, 4, 0xF, IgPeBadExportDirectory, INT_STATUS_NOT_FOUND},
        {"directory RVA wraps", 0x98 + 96, 0xFFFFFF00, 4, 0xF, IgPeBadExportDirectory, INT_STATUS_NOT_FOUND},
        {"directory too small", 0x98 + 100, 39, 4, 0xF, IgPeBadExportDirectory, INT_STATUS_NOT_FOUND},
        {"directory above 1 MiB", 0x98 + 100, 0x100001, 4, 0xF, IgPeBadExportDirectory, INT_STATUS_NOT_FOUND},
        {"directory unmapped", 0, 0x5A4D, 2, 0xB, IgPeDirectoryUnreadable, INT_STATUS_PAGE_NOT_PRESENT},
        {"NumberOfNames past the end", EXPORT_RVA + 0x18, 0x1000, 4, 0xF, IgPeBadArrays, INT_STATUS_NOT_FOUND},
        {"NumberOfNames huge", EXPORT_RVA + 0x18, 0xFFFFFFFF, 4, 0xF, IgPeBadArrays, INT_STATUS_NOT_FOUND},
        {"NumberOfFunctions past the end", EXPORT_RVA + 0x14, 0x10000000, 4, 0xF, IgPeBadArrays, INT_STATUS_NOT_FOUND},
        {"no names", EXPORT_RVA + 0x18, 0, 4, 0xF, IgPeNoNames, INT_STATUS_NOT_FOUND},
        {"functions before the directory", EXPORT_RVA + 0x1C, 0x1000, 4, 0xF, IgPeBadArrays, INT_STATUS_NOT_FOUND},
        {"names array outside", EXPORT_RVA + 0x20, 0xFFFFFFF0, 4, 0xF, IgPeBadArrays, INT_STATUS_NOT_FOUND},
        {"ordinals array outside", EXPORT_RVA + 0x24, EXPORT_RVA + EXPORT_SIZE - 4, 4, 0xF, IgPeBadArrays,
         INT_STATUS_NOT_FOUND},
        {"ordinal beyond functions", EXPORT_RVA + 0x80, 4, 2, 0xF, IgPeBadOrdinal, INT_STATUS_NOT_FOUND},
        {"name pointer below the directory", EXPORT_RVA + 0x60, 0x10, 4, 0xF, IgPeBadName, INT_STATUS_NOT_FOUND},
        {"name pointer into an unmapped page", EXPORT_RVA + 0x64, 0x3010, 4, 0x7, IgPeBadName, INT_STATUS_NOT_FOUND},
        {"name without NUL", EXPORT_RVA + 0x60, EXPORT_RVA + EXPORT_SIZE - 1, 4, 0xF, IgPeBadName,
         INT_STATUS_NOT_FOUND},
    };

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        const MALFORMED_CASE *c = &cases[i];
        PE_IMAGE image;
        IG_PE_EXPORTS exports;
        IG_PE_EXPORT e;
        INTSTATUS status;
        IG_PE_ERROR error;

        BuildImage(&image, false);
        if (c->Width == 2)
        {
            Put16(image.Bytes, c->Offset, (uint16_t)c->Value);
        }
        else
        {
            Put32(image.Bytes, c->Offset, c->Value);
        }
        if (c->Error == IgPeBadName && strstr(c->Name, "NUL"))
        {
            image.Bytes[EXPORT_RVA + EXPORT_SIZE - 1] = 'x';
        }
        error = ReadExports(&image, c->PageMask, &status, &exports);
        if (error != c->Error)
        {
            print_error("%s: got \"%s\"\n", c->Name, IgPeErrorText(error));
        }
        assert_int_equal(error, c->Error);
        assert_int_equal(status, c->Status);
        assert_string_not_equal(IgPeErrorText(error), "unknown");
        /* A failed read leaves nothing to look up, and lookups stay safe. */
        IgPeFindExport(&exports, 0x1000, &e);
        assert_int_equal(e.Found, c->Error == IgPeOk);
    }
}

/* ---- Export signatures ------------------------------------------------------------------------------------------ */

static const IG_EXPORT_ENTRY gEntries[] = {
    {0xDA198B03, 0},          /* 0: NtCreateKey, any offset */
    {0xDA198B03, 8},          /* 1: NtCreateKey, write must end within 8 bytes */
    {IG_EXPORT_HASH_NONE, 0}, /* 2: "-": no export */
    {IG_EXPORT_HASH_ANY, 0},  /* 3: "*" */
    {0x12345678, 0},          /* 4: some other name */
};

static IG_SIGNATURE ExportSig(uint32_t Library, uint32_t First, uint16_t Count)
{
    IG_SIGNATURE s = {0};

    s.Id = (100u << 22) | 1;
    s.Kind = IgSigExport;
    s.Flags = 3;
    s.First = First;
    s.Count = Count;
    s.u.Library = Library;
    return s;
}

static INTSTATUS Prepare(const PE_IMAGE *Image, uint32_t PageMask, uint64_t Gva, uint32_t Size, IG_EXPORT_STATE *St)
{
    GUEST_IMAGE g;
    IG_EXPORT_VICTIM victim = {true, IMAGE_BASE, IgNameHashWideAscii("ntdll.dll", 9), 0, Gva, Size};
    INTSTATUS status;

    MapImage(&g, Image, PageMask);
    victim.Cr3 = g.Cr3;
    status = IgSigExportPrepare(&g.Vmem, &victim, gScratch, sizeof(gScratch), St);
    FakeGuestFree(&g.Guest);
    return status;
}

static void TestExportSignatures(void **State)
{
    IG_SIG_ARRAYS arrays = {0};
    PE_IMAGE image;
    IG_EXPORT_STATE st;
    IG_SIGNATURE sig;
    uint32_t ntdll = IgNameHashWideAscii("ntdll.dll", 9);

    (void)State;
    arrays.ExportEntries = gEntries;
    arrays.ExportEntryCount = 5;
    BuildImage(&image, true);

    /* A 4-byte write at NtCreateKey + 4. */
    assert_int_equal(Prepare(&image, 0xF, IMAGE_BASE + 0x1004, 4, &st), INT_STATUS_SUCCESS);
    assert_int_equal(st.Kind, IgExportReady);
    assert_true(st.Export.Found);
    assert_int_equal(st.WriteOffset, 4);
    sig = ExportSig(ntdll, 0, 1);
    assert_true(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0, 1, 1); /* any library; delta 8: 4 + 4 - 1 = 7 <= 8 */
    assert_true(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0x11111111, 0, 1); /* another library: skipped */
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0, 4, 1); /* another function */
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0, 2, 1); /* "-" does not match when an export was found */
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0, 3, 1); /* "*" matches whatever was found */
    assert_true(IgSigExportMatch(&arrays, &sig, 0, &st));

    /* An 8-byte write at +4 ends at +11 > 8: the delta entry fails, the any-offset entry passes. */
    assert_int_equal(Prepare(&image, 0xF, IMAGE_BASE + 0x1004, 8, &st), INT_STATUS_SUCCESS);
    sig = ExportSig(0, 1, 1);
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0, 0, 2);
    assert_true(IgSigExportMatch(&arrays, &sig, 0, &st));

    /* No export within 31 bytes: only "*" and "-" can match; "-" is read at the group index (B1). */
    assert_int_equal(Prepare(&image, 0xF, IMAGE_BASE + 0x1200, 4, &st), INT_STATUS_SUCCESS);
    assert_int_equal(st.Kind, IgExportReady);
    assert_false(st.Export.Found);
    sig = ExportSig(0, 2, 1);
    assert_true(IgSigExportMatch(&arrays, &sig, 0, &st));
    sig = ExportSig(0, 1, 2); /* entries 1 ("NtCreateKey"), 2 ("-"): hvmi tests entry 0 only */
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));
    assert_true(IgSigExportMatch(&arrays, &sig, 1, &st));  /* second ID of the group: entry 1 is "-" */
    assert_false(IgSigExportMatch(&arrays, &sig, 7, &st)); /* past the entries: never "-" */
    sig = ExportSig(0, 0, 1);
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));

    /* Unreadable directory, malformed directory, no module: each says why (the group fails for all three). */
    assert_int_equal(Prepare(&image, 0xB, IMAGE_BASE + 0x1004, 4, &st), INT_STATUS_SUCCESS);
    assert_int_equal(st.Kind, IgExportUnreadable);
    assert_int_equal(st.Error, IgPeDirectoryUnreadable);
    Put32(image.Bytes, EXPORT_RVA + 0x18, 0xFFFFFFFF);
    assert_int_equal(Prepare(&image, 0xF, IMAGE_BASE + 0x1004, 4, &st), INT_STATUS_SUCCESS);
    assert_int_equal(st.Kind, IgExportMalformed);
    assert_int_equal(st.Error, IgPeBadArrays);
    {
        IG_EXPORT_VICTIM none = {0};
        IG_GUEST_VMEM vmem = {0};

        assert_int_equal(IgSigExportPrepare(&vmem, &none, gScratch, sizeof(gScratch), &st), INT_STATUS_SUCCESS);
        assert_int_equal(st.Kind, IgExportNoModule);
    }
    /* Entries outside the arrays are never read. */
    sig = ExportSig(0, 4, 9);
    assert_false(IgSigExportMatch(&arrays, &sig, 0, &st));
}

/* ---- Value-code ---------------------------------------------------------------------------------------------- */

#define CODE_GVA 0x00401000ull

typedef struct VC_GUEST
{
    FAKE_GUEST Guest;
    IG_GUEST_WALKER Walker;
    IG_GUEST_VMEM Vmem;
    uint64_t Cr3;
} VC_GUEST;

/* Two pages of code at CODE_GVA (the second only when MapSecond); bytes i = i & 0xFF. */
static void VcGuestInit(VC_GUEST *G, bool MapSecond)
{
    memset(G, 0, sizeof(*G));
    FakeGuestInit(&G->Guest, 0xFFFFFFF);
    for (uint32_t p = 0; p < (MapSecond ? 2u : 1u); p++)
    {
        uint8_t *frame;

        FakeGuestMapPage(&G->Guest, IgPagingPae, &G->Cr3, CODE_GVA + p * 0x1000ull, 0x800000 + p * 0x1000ull);
        frame = FakeGuestFrame(&G->Guest, (0x800000 >> 12) + p);
        for (uint32_t i = 0; i < 0x1000; i++)
        {
            frame[i] = (uint8_t)(p * 0x1000 + i);
        }
    }
    G->Walker = (IG_GUEST_WALKER){G->Guest.Phys, IgPagingPae, false};
    IgGuestWalkerVmem(&G->Walker, &G->Vmem);
}

static IG_SIGNATURE ValueCodeSig(int16_t Offset, uint32_t First, uint16_t Count, uint32_t Flags)
{
    IG_SIGNATURE s = {0};

    s.Id = (500u << 22) | 1;
    s.Kind = IgSigValueCode;
    s.Flags = Flags;
    s.First = First;
    s.Count = Count;
    s.u.CodeOffset = Offset;
    return s;
}

static void TestValueCode(void **State)
{
    /* Bytes at page offset 0xFFC.. are FC FD FE FF 00 01 (the second page restarts at 00). */
    static const uint16_t pattern[] = {0xFC, 0x100, 0xFE, 0xFF, 0x00, 0x01, 0x101, 0x10};
    IG_SIG_ARRAYS arrays = {0};
    VC_GUEST g;
    IG_SIGNATURE sig;
    uint64_t rip = CODE_GVA + 0xFF0;

    (void)State;
    arrays.Pattern = pattern;
    arrays.PatternCount = 8;
    VcGuestInit(&g, true);

    sig = ValueCodeSig(0xC, 0, 4, 3); /* within the page, with a wildcard */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeMatched);
    sig = ValueCodeSig(0xC, 0, 6, 3); /* continues into the next page */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeMatched);
    sig = ValueCodeSig(0xB, 0, 4, 3); /* one byte off */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeMismatch);
    sig = ValueCodeSig(-4, 0, 1, 3); /* negative offset: 0xFEC */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip + 0x10, IgCbLevelNormal),
                     IgValueCodeMatched);
    sig = ValueCodeSig(0xC, 6, 1, 3); /* 0x101 never matches */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeMismatch);
    sig = ValueCodeSig(0, 0, 0, 3); /* empty pattern: matches when the page maps */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeMatched);
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip + 0x2000, IgCbLevelNormal),
                     IgValueCodeUnmapped);
    sig = ValueCodeSig(0xC, 0, 4, 3 | IG_SIG_FLAG_MEDIUM); /* medium signatures need the medium level */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeLevelSkipped);
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelMedium), IgValueCodeMatched);
    sig = ValueCodeSig(0xC, 4, 5, 3); /* pattern outside the array */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeBadPattern);
    FakeGuestFree(&g.Guest);

    /* The second page unmapped: a match in the first page that continues there is skipped. */
    VcGuestInit(&g, false);
    sig = ValueCodeSig(0xC, 0, 6, 3);
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeTailUnmapped);
    sig = ValueCodeSig(0xB, 0, 6, 3); /* a mismatch in the first page wins over the unmapped tail */
    assert_int_equal(IgSigValueCodeMatch(&arrays, &sig, &g.Vmem, g.Cr3, rip, IgCbLevelNormal), IgValueCodeMismatch);
    FakeGuestFree(&g.Guest);
}

/* ---- Codeblocks level filter ----------------------------------------------------------------------------------- */

static void TestCodeBlocksLevelFilter(void **State)
{
    static const uint32_t hashes[] = {0x8F6E0034};
    static const IG_CB_LIST list = {0, 1};
    IG_SIG_ARRAYS arrays = {0};
    IG_CODE_CONTEXT *ctx = NULL;
    IG_SIGNATURE sig = {0};

    (void)State;
    arrays.CbLists = &list;
    arrays.CbListCount = 1;
    arrays.CbHashes = hashes;
    arrays.CbHashCount = 1;
    assert_int_equal(IgCodeContextCreate(&gIgMallocAllocator, &ctx), INT_STATUS_SUCCESS);
    ctx->Hashes[0] = 0x8F6E0034;
    ctx->HashCount = 1;
    sig.Kind = IgSigCodeBlocks;
    sig.Count = 1;
    sig.Score = 1;
    sig.Flags = 3;
    assert_true(IgSigCodeBlocksMatch(&arrays, &sig, ctx, IgCbLevelNormal));
    assert_true(IgSigCodeBlocksMatch(&arrays, &sig, ctx, IgCbLevelMedium));
    sig.Flags |= IG_SIG_FLAG_MEDIUM;
    assert_false(IgSigCodeBlocksMatch(&arrays, &sig, ctx, IgCbLevelNormal));
    assert_true(IgSigCodeBlocksMatch(&arrays, &sig, ctx, IgCbLevelMedium));
    sig.First = 1; /* lists outside the array */
    assert_false(IgSigCodeBlocksMatch(&arrays, &sig, ctx, IgCbLevelMedium));
    IgCodeContextDestroy(ctx);
    IgCodeContextDestroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestExportLookup),    cmocka_unit_test(TestExportScratchTooSmall),
        cmocka_unit_test(TestMalformedImages), cmocka_unit_test(TestExportSignatures),
        cmocka_unit_test(TestValueCode),       cmocka_unit_test(TestCodeBlocksLevelFilter),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
