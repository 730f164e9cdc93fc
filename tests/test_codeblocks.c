/*
 * Code-blocks (spec/signatures.md §3): the §3.9 test vectors, the window arithmetic of §3.3, the
 * fast-path rules of §3.4.3, the comparison of §3.6, extraction from guest memory (page edges,
 * unmapped pages, execute windows) and the alert side of §3.8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "exceptions/codeblocks_int.h"
#include "data/code_samples.h"
#include "fake_guest.h"

/* The 38-byte sequence of §3.9, with the class of each instruction at medium level. */
static const uint8_t gVectorSeq[] = {
    0xE8, 0x00, 0x00, 0x00, 0x00,                   /* call */
    0x48, 0x89, 0x44, 0x24, 0x08,                   /* mov [rsp+8], rax */
    0x74, 0x02,                                     /* jz */
    0xEB, 0x00,                                     /* jmp */
    0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, /* mov rax, [0] */
    0xAB,                                           /* stosd */
    0x87, 0xC8,                                     /* xchg eax, ecx */
    0x0F, 0xA3, 0xC8,                               /* bt eax, ecx */
    0x9C,                                           /* pushfq */
    0x89, 0xC8,                                     /* mov eax, ecx */
    0xB8, 0x01, 0x00, 0x00, 0x00,                   /* mov eax, 1 */
    0xC3,                                           /* ret */
    0x90,                                           /* nop */
};

static void BuildVectorBuffer(uint8_t *Buffer)
{
    _Static_assert(sizeof(gVectorSeq) == 38, "the §3.9 sequence is 38 bytes");
    memset(Buffer, 0x90, IG_CB_READ_SIZE);
    for (uint32_t i = 0; i < 31; i++)
    {
        memcpy(Buffer + i * sizeof(gVectorSeq), gVectorSeq, sizeof(gVectorSeq));
    }
}

typedef struct CB_FIXTURE
{
    IG_CODE_CONTEXT *Ctx;
} CB_FIXTURE;

static int Setup(void **State)
{
    CB_FIXTURE *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(IgCodeContextCreate(&gIgMallocAllocator, &f->Ctx), INT_STATUS_SUCCESS);
    *State = f;
    return 0;
}

static int Teardown(void **State)
{
    CB_FIXTURE *f = *State;

    IgCodeContextDestroy(f->Ctx);
    free(f);
    return 0;
}

static uint32_t CountValue(const uint32_t *Hashes, uint32_t Count, uint32_t Value)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < Count; i++)
    {
        n += Hashes[i] == Value;
    }
    return n;
}

/* The pattern of Length bytes of Code (64-bit or 32-bit) at Level, with or without the fast path. */
static uint32_t Pattern(CB_FIXTURE *F, const uint8_t *Code, size_t Length, bool Mode64, IG_CB_LEVEL Level,
                        bool FastPath, uint8_t *Out)
{
    uint32_t count = 0;

    assert_int_equal(
        IgCbExtractPattern(F->Ctx->Disasm, Code, Length, Mode64, Level, FastPath, IG_CB_PATTERN_MAX, Out, NULL, &count),
        INT_STATUS_SUCCESS);
    return count;
}

/* The pattern of the §3.9 vector buffer (64-bit, the fast path on), up to its guard. */
static uint32_t VectorPattern(CB_FIXTURE *F, IG_CB_LEVEL Level, uint8_t *Out)
{
    uint8_t buffer[IG_CB_READ_SIZE];

    BuildVectorBuffer(buffer);
    return Pattern(F, buffer, IG_CB_READ_SIZE - IG_CB_GUARD, true, Level, true, Out);
}

/* ---- §3.9 -----------------------------------------------------------------------------------------------------------
 */

static void TestVectorNormal(void **State)
{
    CB_FIXTURE *f = *State;
    static const uint8_t unit[] = {3, 1, 2, 5, 6, 7, 4};
    uint8_t pattern[IG_CB_PATTERN_MAX];
    uint32_t hashes[IG_CB_HASHES_MAX];
    uint32_t count = VectorPattern(f, IgCbLevelNormal, pattern);
    uint32_t n;

    assert_int_equal(count, 215);
    for (uint32_t i = 0; i < count; i++)
    {
        assert_int_equal(pattern[i], unit[i % 7]);
    }
    /* The tail is 3 1 2 5 6: the 31st bt ends at L and goes through the decoder (tail rule). */
    assert_int_equal(pattern[214], 6);

    n = IgCbHashPattern(pattern, count, IgCbLevelNormal, IG_CB_HASHES_MAX, hashes);
    assert_int_equal(n, 60);
    assert_int_equal(CountValue(hashes, n, 0x8F6E0034), 30);
    assert_int_equal(CountValue(hashes, n, 0xF1AA914B), 30);
    assert_int_equal(hashes[0], 0x8F6E0034);
    assert_int_equal(hashes[59], 0xF1AA914B);
}

static void TestVectorMedium(void **State)
{
    CB_FIXTURE *f = *State;
    static const uint8_t unit[] = {3, 9, 1, 2, 9, 5, 6, 7, 12, 8, 10, 4};
    static const uint32_t expected[] = {0x4B0E7B89, 0x6FB636ED, 0x73BB7A76, 0xE689824E};
    uint8_t pattern[IG_CB_PATTERN_MAX];
    uint32_t hashes[IG_CB_HASHES_MAX];
    uint32_t count = VectorPattern(f, IgCbLevelMedium, pattern);
    uint32_t n;

    assert_int_equal(count, 367);
    for (uint32_t i = 0; i < count; i++)
    {
        assert_int_equal(pattern[i], unit[i % 12]);
    }
    n = IgCbHashPattern(pattern, count, IgCbLevelMedium, IG_CB_HASHES_MAX, hashes);
    assert_int_equal(n, 120);
    for (uint32_t i = 0; i < 4; i++)
    {
        assert_int_equal(CountValue(hashes, n, expected[i]), 30);
        assert_int_equal(hashes[i * 30], expected[i]); /* sorted ascending */
    }
}

static void TestVectorSignatures(void **State)
{
    CB_FIXTURE *f = *State;
    static const uint32_t listHashes[] = {0x8F6E0034, 0xF1AA914B, 0x12345678, 0x8F6E0034, 0x8F6E0034};
    static const IG_CB_LIST pair = {0, 2};
    static const IG_CB_LIST dup = {2, 3};
    static const IG_CB_LIST outside = {4, 2};
    uint8_t pattern[IG_CB_PATTERN_MAX];
    uint32_t hashes[IG_CB_HASHES_MAX];
    uint32_t count = VectorPattern(f, IgCbLevelNormal, pattern);
    uint32_t n;

    n = IgCbHashPattern(pattern, count, IgCbLevelNormal, IG_CB_HASHES_MAX, hashes);

    assert_true(IgCbMatchLists(hashes, n, &pair, 1, listHashes, 5, 2));
    assert_false(IgCbMatchLists(hashes, n, &pair, 1, listHashes, 5, 3));
    assert_true(IgCbMatchLists(hashes, n, &dup, 1, listHashes, 5, 2));      /* the duplicate counts twice */
    assert_true(IgCbMatchLists(hashes, n, &pair, 1, listHashes, 5, 0));     /* score 0: first list matches */
    assert_false(IgCbMatchLists(hashes, n, &pair, 0, listHashes, 5, 0));    /* no lists never match */
    assert_false(IgCbMatchLists(hashes, 0, &pair, 1, listHashes, 5, 0));    /* nothing extracted */
    assert_false(IgCbMatchLists(hashes, n, &outside, 1, listHashes, 5, 1)); /* list past the hash array: empty */
    {
        const IG_CB_LIST two[] = {{2, 1}, {0, 2}}; /* the second list matches */
        assert_true(IgCbMatchLists(hashes, n, two, 2, listHashes, 5, 2));
    }
}

static void TestCrcOfBlocks(void **State)
{
    static const uint8_t a[8] = {3, 1, 2, 5, 6, 7, 4, 3};
    static const uint8_t b[8] = {2, 5, 6, 7, 4, 3, 1, 2};

    (void)State;
    assert_int_equal(IgCbBlockHash(a), 0x8F6E0034);
    assert_int_equal(IgCbBlockHash(b), 0xF1AA914B);
}

/* ---- §3.3 -----------------------------------------------------------------------------------------------------------
 */

static void TestWindow(void **State)
{
    static const struct
    {
        uint64_t Rip;
        bool Execute;
        uint32_t Start;
        uint32_t Size;
    } cases[] = {
        {0x1123, false, 0x000, 0x49F}, {0x1523, false, 0x2D3, 0x49F}, {0x1F31, false, 0xB60, 0x49F},
        {0x1250, false, 0x000, 0x49F}, {0x1251, false, 0x001, 0x49F}, {0x1DAF, false, 0xB5F, 0x49F},
        {0x1DB0, false, 0xB60, 0x49F}, {0x1FFF, false, 0xB60, 0x49F}, {0x1000, false, 0x000, 0x49F},
        {0x1123, true, 0x123, 0x24F},  {0x1FFF, true, 0xFFF, 0x24F},
    };

    (void)State;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        uint32_t start = 0;
        uint32_t size = 0;

        IgCbWindow(cases[i].Rip, cases[i].Execute, &start, &size);
        assert_int_equal(start, cases[i].Start);
        assert_int_equal(size, cases[i].Size);
    }
}

/* ---- §3.4.3 ---------------------------------------------------------------------------------------------------------
 */

typedef struct FAST_CASE
{
    uint8_t Rule;
    uint8_t Bytes[10];
    uint8_t Need; /* n >= Need fires; n = Need - 1 does not fire through this rule */
    uint8_t Normal;
    uint8_t Medium;
    uint8_t Mode; /* 0 both, 32, 64 */
} FAST_CASE;

#define N IgCbInsNone
static const FAST_CASE gFast[] = {
    {1, {0x90}, 1, N, N, 0},
    {1, {0xCC}, 1, N, N, 0},
    {2, {0x85, 0xC0}, 2, N, N, 0},
    {3, {0xCD, 0x2E}, 2, N, N, 0},
    {4, {0xC3}, 1, IgCbInsRet, IgCbInsRet, 0},
    {4, {0xCB}, 1, IgCbInsRet, IgCbInsRet, 0},
    {5, {0xE8, 1, 2, 3, 4}, 5, IgCbInsCall, IgCbInsCall, 0},
    {6, {0xFF, 0x15, 1, 2, 3, 4}, 6, IgCbInsCall, IgCbInsCall, 0},
    {7, {0xE9, 1, 2, 3, 4}, 5, IgCbInsJmp, IgCbInsJmp, 0},
    {8, {0xEB, 0x10}, 2, IgCbInsJmp, IgCbInsJmp, 0},
    {9, {0x7F, 0x10}, 2, IgCbInsJc, IgCbInsJc, 0},
    {10, {0xC2, 0x08, 0x00}, 3, IgCbInsRet, IgCbInsRet, 0},
    {11, {0xAD}, 1, IgCbInsStr, IgCbInsStr, 0},
    {12, {0x9D}, 1, N, IgCbInsFlags, 0},
    {13, {0x93}, 1, IgCbInsXchg, IgCbInsXchg, 0},
    {14, {0xB3, 0x01}, 2, N, IgCbInsMovImm, 0},
    {15, {0xBF, 1, 2, 3, 4}, 5, N, IgCbInsMovImm, 0},
    {16, {0x5F}, 1, N, N, 0},
    {17, {0xA8, 0x01}, 2, N, N, 0},
    {18, {0xF6, 0xC1, 0x01}, 3, N, N, 0},
    {19, {0x99}, 1, N, N, 0},
    {20, {0xA9, 1, 2, 3, 4}, 5, N, N, 0},
    {21, {0x00, 0x00}, 2, N, N, 0},
    {22, {0x83, 0xE2, 0x0F}, 3, N, N, 0},
    {23, {0x33, 0xC0}, 2, N, N, 0},
    {24, {0x89, 0x7C, 0x24, 0x08}, 4, N, IgCbInsMovMem, 0},
    {25, {0x89, 0x84, 0x24, 1, 2, 3, 4}, 7, N, IgCbInsMovMem, 0},
    {26, {0x81, 0xC4, 1, 2, 3, 4}, 6, N, N, 0},
    {27, {0x83, 0xC4, 0x10}, 3, N, N, 0},
    {28, {0x81, 0xEC, 1, 2, 3, 4}, 6, N, N, 0},
    {29, {0x83, 0xEC, 0x10}, 3, N, N, 0},
    {30, {0x8B, 0xC1}, 2, N, IgCbInsMovReg, 0},
    {31, {0x0F, 0x85, 1, 2, 3, 4}, 6, IgCbInsJc, IgCbInsJc, 0},
    {32, {0xFF, 0xC0}, 2, N, N, 0},
    {33, {0x3B, 0xC1}, 2, N, N, 0},
    {34, {0x47}, 1, N, N, 32},
    {35, {0x48, 0x83, 0xC4, 0x28}, 4, N, N, 64},
    {36, {0x48, 0x81, 0xEC, 1, 2, 3, 4}, 7, N, N, 64},
    {37, {0x4C, 0x8B, 0x4C, 0x24, 0x08}, 5, N, IgCbInsMovMem, 64},
    {38, {0x48, 0x89, 0x84, 0x24, 1, 2, 3, 4}, 8, N, IgCbInsMovMem, 64},
    {39, {0x48, 0x83, 0xEC, 0x28}, 4, N, N, 64},
    {40, {0x45, 0x33, 0xC0}, 3, N, N, 64},
    {41, {0x49, 0x3B, 0xC0}, 3, N, N, 64},
    {42, {0x41, 0xFF, 0xC0}, 3, N, N, 64},
    {43, {0x41, 0xB8, 1, 2, 3, 4}, 6, N, IgCbInsMovImm, 64},
    {44, {0x49, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8}, 10, N, IgCbInsMovImm, 64},
    {45, {0x48, 0x8D, 0x45, 0x10}, 4, N, N, 64},
    {46, {0x48, 0x8D, 0x4C, 0x24, 0x20}, 5, N, N, 64},
    {47, {0x49, 0x8B, 0xC0}, 3, N, IgCbInsMovReg, 64},
    {48, {0x48, 0x85, 0xC0}, 3, N, N, 64},
    {49, {0x48, 0xA9, 1, 2, 3, 4}, 6, N, N, 64},
    {50, {0x48, 0x98}, 2, N, N, 64},
    {51, {0x41, 0x50}, 2, N, N, 64},
};
#undef N

static void TestFastPathRules(void **State)
{
    (void)State;
    for (size_t i = 0; i < sizeof(gFast) / sizeof(gFast[0]); i++)
    {
        const FAST_CASE *c = &gFast[i];

        for (int mode = 32; mode <= 64; mode += 32)
        {
            bool m64 = mode == 64;
            uint8_t len = 0;
            uint8_t cls = 0;
            bool fired;

            fired = IgCbFastPath(c->Bytes, c->Need, m64, IgCbLevelNormal, &len, &cls);
            if (c->Mode != 0 && c->Mode != mode)
            {
                /* A mode-specific rule: in the other mode, either nothing fires or something else does. */
                assert_false(fired && len == c->Need && c->Rule >= 35);
                continue;
            }
            if (!fired)
            {
                print_error("rule %u (mode %d) did not fire\n", c->Rule, mode);
            }
            assert_true(fired);
            assert_int_equal(len, c->Need);
            assert_int_equal(cls, c->Normal);
            assert_true(IgCbFastPath(c->Bytes, c->Need, m64, IgCbLevelMedium, &len, &cls));
            assert_int_equal(len, c->Need);
            assert_int_equal(cls, c->Medium);
            /* One byte short: this rule is passed over (a shorter rule may still fire). */
            if (c->Need > 1)
            {
                fired = IgCbFastPath(c->Bytes, c->Need - 1u, m64, IgCbLevelMedium, &len, &cls);
                assert_true(!fired || len < c->Need);
            }
        }
    }
}

static void TestFastPathOrder(void **State)
{
    uint8_t len = 0;
    uint8_t cls = 0;

    (void)State;
    /* 48 83 C4 in 32-bit mode: rule 34 (inc/dec eax) fires first with length 1. */
    assert_true(IgCbFastPath((const uint8_t[]){0x48, 0x83, 0xC4, 0x28}, 4, false, IgCbLevelNormal, &len, &cls));
    assert_int_equal(len, 1);
    /* 89 C0 fires rule 30 (reg-reg), not 24. */
    assert_true(IgCbFastPath((const uint8_t[]){0x89, 0xC0}, 2, true, IgCbLevelMedium, &len, &cls));
    assert_int_equal(cls, IgCbInsMovReg);
    /* E8 with 4 bytes left: no rule. */
    assert_false(IgCbFastPath((const uint8_t[]){0xE8, 1, 2, 3}, 4, true, IgCbLevelNormal, &len, &cls));
    /* Empty input. */
    assert_false(IgCbFastPath((const uint8_t[]){0x90}, 0, true, IgCbLevelNormal, &len, &cls));
}

/* ---- Decoder path and the tail rule -------------------------------------------------------------------------- */

static void TestTailRule(void **State)
{
    CB_FIXTURE *f = *State;
    uint8_t out[16];
    /* call (fast) then bt (decoder) ending exactly at the end: bt is not counted. */
    static const uint8_t decoderTail[] = {0xE8, 0, 0, 0, 0, 0x0F, 0xA3, 0xC8};
    /* call then ret (fast) ending at the end: counted. */
    static const uint8_t fastTail[] = {0xE8, 0, 0, 0, 0, 0xC3};

    assert_int_equal(Pattern(f, decoderTail, sizeof(decoderTail), true, IgCbLevelNormal, true, out), 1);
    assert_int_equal(Pattern(f, fastTail, sizeof(fastTail), true, IgCbLevelNormal, true, out), 2);
    assert_int_equal(out[1], IgCbInsRet);
    /* Decoder only (alert path): the ret ending at the end stops extraction too. */
    assert_int_equal(Pattern(f, fastTail, sizeof(fastTail), true, IgCbLevelNormal, false, out), 1);
    /* An instruction crossing the end fails to decode and is skipped byte by byte. */
    assert_int_equal(Pattern(f, (const uint8_t[]){0xC3, 0x0F, 0xA3}, 3, true, IgCbLevelNormal, true, out), 1);
}

static void TestPatternCap(void **State)
{
    CB_FIXTURE *f = *State;
    static uint8_t rets[2000];
    uint8_t out[IG_CB_PATTERN_MAX];
    uint32_t count = 0;

    memset(rets, 0xC3, sizeof(rets));
    assert_int_equal(IgCbExtractPattern(f->Ctx->Disasm, rets, sizeof(rets), true, IgCbLevelNormal, true,
                                        IG_CB_PATTERN_MAX, out, NULL, &count),
                     INT_STATUS_SUCCESS);
    assert_int_equal(count, IG_CB_PATTERN_MAX);
}

static void TestHashCap(void **State)
{
    uint8_t pattern[IG_CB_PATTERN_MAX];
    uint32_t hashes[IG_CB_HASHES_MAX];

    (void)State;
    memset(pattern, IgCbInsCall, sizeof(pattern)); /* every entry is a pivot */
    assert_int_equal(IgCbHashPattern(pattern, IG_CB_PATTERN_MAX, IgCbLevelNormal, 295, hashes), 295);
    assert_int_equal(IgCbHashPattern(pattern, IG_CB_PATTERN_MAX, IgCbLevelNormal, 147, hashes), 147);
    assert_int_equal(IgCbHashPattern(pattern, 8, IgCbLevelNormal, 295, hashes), 1);
    assert_int_equal(IgCbHashPattern(pattern, 7, IgCbLevelNormal, 295, hashes), 0);
}

/* ---- Real compiled code (tests/codegen/gen_code_samples.py) ------------------------------------------------------ */

static void TestCompiledSamples(void **State)
{
    CB_FIXTURE *f = *State;

    for (size_t i = 0; i < sizeof(gCodeSamples) / sizeof(gCodeSamples[0]); i++)
    {
        const CODE_SAMPLE *s = &gCodeSamples[i];
        uint8_t region[512];
        uint8_t out[IG_CB_PATTERN_MAX];

        /* One NOP after the function keeps its last instruction clear of the tail rule. */
        assert_true(s->CodeLength < sizeof(region));
        memcpy(region, s->Code, s->CodeLength);
        region[s->CodeLength] = 0x90;
        for (int fast = 0; fast <= 1; fast++)
        {
            uint32_t n = Pattern(f, region, s->CodeLength + 1, s->Bits == 64, IgCbLevelNormal, fast, out);

            if (n != s->NormalLength || memcmp(out, s->Normal, n) != 0)
            {
                print_error("%s %d-bit normal (fast path %d) differs from objdump\n", s->Name, s->Bits, fast);
            }
            assert_int_equal(n, s->NormalLength);
            assert_memory_equal(out, s->Normal, n);
            n = Pattern(f, region, s->CodeLength + 1, s->Bits == 64, IgCbLevelMedium, fast, out);
            if (n != s->MediumLength || memcmp(out, s->Medium, n) != 0)
            {
                print_error("%s %d-bit medium (fast path %d) differs from objdump\n", s->Name, s->Bits, fast);
            }
            assert_int_equal(n, s->MediumLength);
            assert_memory_equal(out, s->Medium, n);
        }
    }
}

/* ---- Extraction from guest memory (§3.3, §3.7) ---------------------------------------------------------------- */

#define CODE_GVA 0x7FF6A0000000ull
#define CODE_GPA 0x00200000ull

typedef struct GUEST_CODE
{
    FAKE_GUEST Guest;
    IG_GUEST_WALKER Walker;
    IG_GUEST_VMEM Vmem;
    uint64_t Cr3;
} GUEST_CODE;

/* One code page at CODE_GVA (and optionally the next) filled with Fill, then Bytes at Offset. */
static void GuestCodeInit(GUEST_CODE *G, bool MapNext, uint8_t Fill)
{
    memset(G, 0, sizeof(*G));
    FakeGuestInit(&G->Guest, 0xFFFFFFF);
    FakeGuestMapPage(&G->Guest, IgPaging4Level, &G->Cr3, CODE_GVA, CODE_GPA);
    memset(FakeGuestFrame(&G->Guest, CODE_GPA >> 12), Fill, 0x1000);
    if (MapNext)
    {
        FakeGuestMapPage(&G->Guest, IgPaging4Level, &G->Cr3, CODE_GVA + 0x1000, CODE_GPA + 0x5000);
        memset(FakeGuestFrame(&G->Guest, (CODE_GPA + 0x5000) >> 12), Fill, 0x1000);
    }
    G->Walker = (IG_GUEST_WALKER){G->Guest.Phys, IgPaging4Level, false};
    G->Walker.Phys.Context = &G->Guest;
    IgGuestWalkerVmem(&G->Walker, &G->Vmem);
}

static void GuestCodeWrite(GUEST_CODE *G, uint32_t Offset, const uint8_t *Bytes, size_t Length)
{
    memcpy(FakeGuestFrame(&G->Guest, CODE_GPA >> 12) + Offset, Bytes, Length);
}

static IG_CB_REQUEST Request(GUEST_CODE *G, uint32_t RipOffset, bool Execute, IG_CB_LEVEL Level)
{
    return (IG_CB_REQUEST){&G->Vmem, G->Cr3, CODE_GVA + RipOffset, Execute, true, Level};
}

static void TestGuestWindowAtPageEnd(void **State)
{
    CB_FIXTURE *f = *State;
    uint8_t buffer[IG_CB_READ_SIZE];
    GUEST_CODE g;
    IG_CB_REQUEST req;

    /* RIP in the last bytes of the page, next page unmapped: the window is 0xB60..0xFFE, all mapped. */
    BuildVectorBuffer(buffer);
    GuestCodeInit(&g, false, 0xCC);
    GuestCodeWrite(&g, 0xB60, buffer, sizeof(buffer));
    req = Request(&g, 0xFFE, false, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 60);
    assert_int_equal(CountValue(f->Ctx->Hashes, 60, 0x8F6E0034), 30);
    req.Level = IgCbLevelMedium;
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 120);
    assert_int_equal(g.Guest.Maps, g.Guest.Unmaps);
    FakeGuestFree(&g.Guest);
}

static void TestGuestUnmappedRipPage(void **State)
{
    CB_FIXTURE *f = *State;
    GUEST_CODE g;
    IG_CB_REQUEST req;

    GuestCodeInit(&g, false, 0xC3);
    req = Request(&g, 0x1010, false, IgCbLevelNormal); /* the next page */
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(f->Ctx->HashCount, 0);
    req.Execute = true;
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_PAGE_NOT_PRESENT);
    FakeGuestFree(&g.Guest);
}

static void TestGuestExecuteFallback(void **State)
{
    CB_FIXTURE *f = *State;
    uint8_t buffer[IG_CB_READ_SIZE];
    GUEST_CODE g;
    IG_CB_REQUEST req;

    /*
     * Execute at page offset 0xF00 with the next page unmapped: the 0x24F-byte window fails, the
     * rest of the page (0x100 bytes, 0xF1 parsed) is used: six copies of the §3.9 sequence plus
     * call, mov, jz.  Normal pattern: 44 entries; blocks: 6 at calls, 5 at jmps.
     */
    BuildVectorBuffer(buffer);
    GuestCodeInit(&g, false, 0x90);
    GuestCodeWrite(&g, 0xF00, buffer, 0x100);
    req = Request(&g, 0xF00, true, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 11);
    assert_int_equal(CountValue(f->Ctx->Hashes, 11, 0x8F6E0034), 6);
    assert_int_equal(CountValue(f->Ctx->Hashes, 11, 0xF1AA914B), 5);

    /* 0x20 bytes left: 17 parsed, too few for a block but not an error. */
    req = Request(&g, 0xFE0, true, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 0);

    /* 0x10 bytes left: nothing can be parsed (16 - 15 <= 15): no hashes. */
    req = Request(&g, 0xFF0, true, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 0);

    /* 11 bytes left: not even the guard fits: invalid parameter, as hvmi. */
    req = Request(&g, 0xFF5, true, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_INVALID_PARAMETER);
    FakeGuestFree(&g.Guest);
}

/*
 * The context's cache (IG_CB_CACHE_ENTRY): a window whose bytes did not change is answered from it,
 * still read every time; a written byte, another level, or a page mapped elsewhere (other bytes)
 * is extracted again; a page that is no longer mapped fails as before.
 */
static void TestGuestExtractCache(void **State)
{
    CB_FIXTURE *f = *State;
    static const uint8_t nops[5] = {0x90, 0x90, 0x90, 0x90, 0x90};
    uint8_t buffer[IG_CB_READ_SIZE];
    uint32_t first[IG_CB_HASHES_MAX];
    uint32_t firstCount;
    uint64_t hits, misses, maps;
    GUEST_CODE g, unmapped, other;
    IG_CB_REQUEST req;

    BuildVectorBuffer(buffer);
    GuestCodeInit(&g, false, 0xCC);
    GuestCodeWrite(&g, 0x800 - IG_CB_HALF_WINDOW, buffer, sizeof(buffer));
    req = Request(&g, 0x800, false, IgCbLevelNormal);
    hits = f->Ctx->CacheHits;
    misses = f->Ctx->CacheMisses;
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 60);
    assert_int_equal(f->Ctx->CacheMisses, misses + 1);
    firstCount = f->Ctx->HashCount;
    memcpy(first, f->Ctx->Hashes, sizeof(first));

    /* Same bytes: answered from the cache, after reading the window again. */
    maps = g.Guest.Maps;
    memset(f->Ctx->Hashes, 0, sizeof(f->Ctx->Hashes));
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->CacheHits, hits + 1);
    assert_true(g.Guest.Maps > maps);
    assert_int_equal(f->Ctx->HashCount, firstCount);
    assert_memory_equal(f->Ctx->Hashes, first, firstCount * sizeof(uint32_t));

    /* One call in the window written over: extracted again, as a fresh context extracts it. */
    GuestCodeWrite(&g, 0x800 - IG_CB_HALF_WINDOW + 38 * 10, nops, sizeof(nops));
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->CacheMisses, misses + 2);
    assert_true(CountValue(f->Ctx->Hashes, f->Ctx->HashCount, 0x8F6E0034) < 30);
    {
        IG_CODE_CONTEXT *fresh = NULL;

        assert_int_equal(IgCodeContextCreate(&gIgMallocAllocator, &fresh), INT_STATUS_SUCCESS);
        assert_int_equal(IgCbExtract(fresh, &req), INT_STATUS_SUCCESS);
        assert_int_equal(fresh->HashCount, f->Ctx->HashCount);
        assert_memory_equal(fresh->Hashes, f->Ctx->Hashes, fresh->HashCount * sizeof(uint32_t));
        IgCodeContextDestroy(fresh);
    }

    /* The other level is another entry. */
    req.Level = IgCbLevelMedium;
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->CacheMisses, misses + 3);

    /* The same address in a guest where it is not mapped: the read fails, nothing is reused. */
    GuestCodeInit(&unmapped, false, 0xCC);
    req = Request(&unmapped, 0x1800, false, IgCbLevelNormal);
    req.Rip = CODE_GVA + 0x1800;
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_PAGE_NOT_PRESENT);
    assert_int_equal(f->Ctx->HashCount, 0);

    /* The same address mapped to other bytes: extracted from them. */
    GuestCodeInit(&other, false, 0x90);
    req = Request(&other, 0x800, false, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 0);

    /* After a flush the original window is extracted again, with the same result. */
    req = Request(&g, 0x800, false, IgCbLevelNormal);
    GuestCodeWrite(&g, 0x800 - IG_CB_HALF_WINDOW, buffer, sizeof(buffer));
    IgCodeContextFlushCache(f->Ctx);
    misses = f->Ctx->CacheMisses;
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->CacheMisses, misses + 1);
    assert_int_equal(f->Ctx->HashCount, firstCount);
    assert_memory_equal(f->Ctx->Hashes, first, firstCount * sizeof(uint32_t));
    FakeGuestFree(&g.Guest);
    FakeGuestFree(&unmapped.Guest);
    FakeGuestFree(&other.Guest);
}

static void TestGuestExecuteCrossesPage(void **State)
{
    CB_FIXTURE *f = *State;
    GUEST_CODE g;
    IG_CB_REQUEST req;

    /* Execute windows run into the next page when it is mapped; dense jumps hit the 147 cap. */
    GuestCodeInit(&g, true, 0xEB);
    for (uint32_t i = 1; i < 0x1000; i += 2)
    {
        FakeGuestFrame(&g.Guest, CODE_GPA >> 12)[i] = 0x00;
        FakeGuestFrame(&g.Guest, (CODE_GPA + 0x5000) >> 12)[i] = 0x00;
    }
    req = Request(&g, 0xF00, true, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 147);
    req = Request(&g, 0x800, false, IgCbLevelNormal);
    assert_int_equal(IgCbExtract(f->Ctx, &req), INT_STATUS_SUCCESS);
    assert_int_equal(f->Ctx->HashCount, 295);
    FakeGuestFree(&g.Guest);
}

/* ---- Alert side (§3.8) ---------------------------------------------------------------------------------------- */

static void TestAlertVector(void **State)
{
    CB_FIXTURE *f = *State;
    uint8_t buffer[IG_CB_READ_SIZE];
    GUEST_CODE g;
    IG_CB_REQUEST req;
    IG_CB_ALERT alert;
    IG_CB_ALERT_SIG sig;

    BuildVectorBuffer(buffer);
    GuestCodeInit(&g, false, 0x90);
    GuestCodeWrite(&g, 0, buffer, sizeof(buffer));
    req = Request(&g, 0x123, false, IgCbLevelNormal);
    assert_int_equal(IgCbAlertExtract(f->Ctx, &req, &alert), INT_STATUS_SUCCESS);
    assert_true(alert.Valid);
    assert_int_equal(alert.Count, 60);
    assert_int_equal(alert.StartAddress, CODE_GVA);
    assert_int_equal(alert.Rip, CODE_GVA + 0x123);
    /* Blocks alternate call (offset 38k) and jmp (38k + 12); the first at or after 0x123 is the call at 304. */
    assert_int_equal(alert.RipCbIndex, 16);
    assert_int_equal(alert.CodeBlocks[16].Offset, 304);
    assert_int_equal(alert.CodeBlocks[16].Pivot, IgCbInsCall);
    assert_int_equal(alert.CodeBlocks[16].Value, 0x8F6E0034);
    assert_int_equal(alert.CodeBlocks[17].Offset, 316);
    assert_int_equal(alert.CodeBlocks[17].Pivot, IgCbInsJmp);
    assert_int_equal(alert.CodeBlocks[17].Value, 0xF1AA914B);

    IgCbAlertSignature(&alert, false, false, &sig);
    assert_true(sig.Valid);
    assert_int_equal(sig.Count, 6);
    assert_int_equal(sig.Score, 5);
    assert_int_equal(sig.Flags, 3);
    assert_memory_equal(sig.Hashes,
                        ((const uint32_t[]){0x8F6E0034, 0x8F6E0034, 0x8F6E0034, 0xF1AA914B, 0xF1AA914B, 0xF1AA914B}),
                        6 * sizeof(uint32_t));
    IgCbAlertSignature(&alert, false, true, &sig);
    assert_int_equal(sig.Flags, 0x83);

    /* Execute alerts start at the RIP and never search the RIP block. */
    req = Request(&g, 0x130, true, IgCbLevelNormal);
    assert_int_equal(IgCbAlertExtract(f->Ctx, &req, &alert), INT_STATUS_SUCCESS);
    assert_true(alert.Valid);
    assert_int_equal(alert.RipCbIndex, 0);
    assert_true(alert.Count > 0);
    assert_true(alert.CodeBlocks[0].Offset >= 0x130);

    /* No read fallback: an execute window running into an unmapped page gives no code-blocks. */
    req = Request(&g, 0xF00, true, IgCbLevelNormal);
    assert_int_equal(IgCbAlertExtract(f->Ctx, &req, &alert), INT_STATUS_SUCCESS);
    assert_false(alert.Valid);
    FakeGuestFree(&g.Guest);
}

static void TestAlertDenseWindow(void **State)
{
    CB_FIXTURE *f = *State;
    GUEST_CODE g;
    IG_CB_REQUEST req;
    IG_CB_ALERT alert;
    IG_CB_ALERT_SIG sig;

    /* A page of `jmp $+2`: 583 pattern entries, 575 blocks capped at 204, window start 0x5B0 for RIP 0x800. */
    GuestCodeInit(&g, false, 0xEB);
    for (uint32_t i = 1; i < 0x1000; i += 2)
    {
        FakeGuestFrame(&g.Guest, CODE_GPA >> 12)[i] = 0x00;
    }
    req = Request(&g, 0x800, false, IgCbLevelNormal);
    assert_int_equal(IgCbAlertExtract(f->Ctx, &req, &alert), INT_STATUS_SUCCESS);
    assert_int_equal(alert.Count, 64);
    assert_int_equal(alert.RipCbIndex, 63); /* no block at or after the RIP: the last one (203) */
    assert_int_equal(alert.StartAddress, CODE_GVA + 0x5B0 + 2 * 140);
    assert_int_equal(alert.CodeBlocks[63].Offset, 0x5B0 + 2 * 203);
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_int_equal(sig.Count, 6); /* the last six */

    /* RIP 0x100: window from 0, RIP block 128 of 204: 32 blocks before it are exported. */
    req = Request(&g, 0x100, false, IgCbLevelNormal);
    assert_int_equal(IgCbAlertExtract(f->Ctx, &req, &alert), INT_STATUS_SUCCESS);
    assert_int_equal(alert.Count, 64);
    assert_int_equal(alert.RipCbIndex, 32);
    assert_int_equal(alert.StartAddress, CODE_GVA + 2 * 96);
    assert_int_equal(alert.CodeBlocks[32].Offset, 0x100);
    FakeGuestFree(&g.Guest);
}

static void TestAlertSignatureRules(void **State)
{
    IG_CB_ALERT alert = {0};
    IG_CB_ALERT_SIG sig;

    (void)State;
    alert.Valid = true;
    for (uint32_t i = 0; i < 64; i++)
    {
        alert.CodeBlocks[i].Value = 1000 - i; /* descending, so sorting is visible */
    }
    /* Count 0, RipCbIndex or Count above 64: invalid. */
    alert.Count = 0;
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_false(sig.Valid);
    alert.Count = 65;
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_false(sig.Valid);
    /* Fewer than six blocks: all, Score = n - 1 (at least 1). */
    alert.Count = 2;
    alert.RipCbIndex = 1;
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_int_equal(sig.Count, 2);
    assert_int_equal(sig.Score, 1);
    assert_memory_equal(sig.Hashes, ((const uint32_t[]){999, 1000}), 2 * sizeof(uint32_t));
    alert.Count = 1;
    alert.RipCbIndex = 0;
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_int_equal(sig.Count, 1);
    assert_int_equal(sig.Score, 1);
    /* RIP block in the middle: from RipCbIndex - 3. */
    alert.Count = 20;
    alert.RipCbIndex = 10;
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_int_equal(sig.Count, 6);
    assert_int_equal(sig.Score, 5);
    assert_memory_equal(sig.Hashes, ((const uint32_t[]){988, 989, 990, 991, 992, 993}), 6 * sizeof(uint32_t));
    /* Execute: from 0. */
    IgCbAlertSignature(&alert, true, false, &sig);
    assert_int_equal(sig.Hashes[5], 1000);
    /* RIP block near the end: the last six. */
    alert.RipCbIndex = 17;
    IgCbAlertSignature(&alert, false, false, &sig);
    assert_int_equal(sig.Hashes[0], 981);
}

static void TestAlertLevel(void **State)
{
    (void)State;
    assert_int_equal(IgCbAlertLevel(0xFFFFF80312345678ull, true), IgCbLevelNormal);
    assert_int_equal(IgCbAlertLevel(0x00007FF612345678ull, true), IgCbLevelMedium);
    assert_int_equal(IgCbAlertLevel(0x80001000ull, false), IgCbLevelNormal);
    assert_int_equal(IgCbAlertLevel(0x00401000ull, false), IgCbLevelMedium);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(TestVectorNormal, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestVectorMedium, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestVectorSignatures, Setup, Teardown),
        cmocka_unit_test(TestCrcOfBlocks),
        cmocka_unit_test(TestWindow),
        cmocka_unit_test(TestFastPathRules),
        cmocka_unit_test(TestFastPathOrder),
        cmocka_unit_test_setup_teardown(TestTailRule, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestPatternCap, Setup, Teardown),
        cmocka_unit_test(TestHashCap),
        cmocka_unit_test_setup_teardown(TestCompiledSamples, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestWindowAtPageEnd, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestUnmappedRipPage, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestExecuteFallback, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestExecuteCrossesPage, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestGuestExtractCache, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestAlertVector, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestAlertDenseWindow, Setup, Teardown),
        cmocka_unit_test(TestAlertSignatureRules),
        cmocka_unit_test(TestAlertLevel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
