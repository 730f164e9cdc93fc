/*
 * The table decoder (IgDisasmDecodeFast) must answer exactly as the capstone reference
 * (IgDisasmDecodeCapstone, with the fix-ups F1-F8) wherever it answers at all: same length, same
 * class, and never for bytes the reference rejects.  Checked at every byte offset of the §3.9
 * test sequence and of the compiled samples (tests/data/code_samples.h), on encodings picked to
 * sit on the decoder's boundaries, and on pseudo-random instruction-shaped bytes (fixed seed).
 * The real-binary walks (libc, libcrypto) are bench/bench_disasm; the fuzz target fuzz_disasm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "data/code_samples.h"
#include "exceptions/disasm.h"
#include "test_random.h"

static const uint8_t gVectorSeq[] = {0xE8, 0x00, 0x00, 0x00, 0x00, 0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB,
                                     0x00, 0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0xAB, 0x87, 0xC8, 0x0F,
                                     0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3, 0x90};

typedef struct AGREEMENT
{
    uint32_t Compared;
    uint32_t Fast;
} AGREEMENT;

/* Compares the decoders at Code with Size bytes available; fails the test on any disagreement. */
static void Agree(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, AGREEMENT *A)
{
    IG_DECODED fast = {0, 0};
    IG_DECODED ref = {0, 0};
    IG_DECODED both = {0, 0};
    bool refOk = INT_SUCCESS(IgDisasmDecodeCapstone(D, Mode64, Code, Size, &ref));
    bool fastOk = IgDisasmDecodeFast(Mode64, Code, Size, &fast);
    bool bothOk = INT_SUCCESS(IgDisasmDecode(D, Mode64, Code, Size, &both));

    A->Compared++;
    if (fastOk)
    {
        A->Fast++;
        if (!refOk || fast.Length != ref.Length || fast.Class != ref.Class)
        {
            fail_msg("%d-bit %02X %02X %02X %02X (%zu bytes): fast %u/%u, capstone %s %u/%u", Mode64 ? 64 : 32, Code[0],
                     Size > 1 ? Code[1] : 0, Size > 2 ? Code[2] : 0, Size > 3 ? Code[3] : 0, Size, fast.Length,
                     fast.Class, refOk ? "ok" : "fails", ref.Length, ref.Class);
        }
    }
    /* The decoder extraction uses gives the reference's answer either way. */
    assert_int_equal(bothOk, refOk);
    if (refOk)
    {
        assert_int_equal(both.Length, ref.Length);
        assert_int_equal(both.Class, ref.Class);
    }
}

static void AgreeEverywhere(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, AGREEMENT *A)
{
    for (size_t off = 0; off < Size; off++)
    {
        Agree(D, Mode64, Code + off, Size - off, A);
    }
}

static void test_vector_sequence(void **state)
{
    IG_DISASM *d = NULL;
    AGREEMENT a = {0, 0};
    uint8_t buffer[4 * sizeof(gVectorSeq)];

    (void)state;
    assert_int_equal(IgDisasmCreate(&gIgMallocAllocator, &d), INT_STATUS_SUCCESS);
    for (size_t i = 0; i < 4; i++)
    {
        memcpy(buffer + i * sizeof(gVectorSeq), gVectorSeq, sizeof(gVectorSeq));
    }
    AgreeEverywhere(d, true, buffer, sizeof(buffer), &a);
    AgreeEverywhere(d, false, buffer, sizeof(buffer), &a);
    /* Every instruction of the sequence is one the table knows (the decoder path of §3.9 included). */
    for (size_t pos = 0; pos < sizeof(gVectorSeq);)
    {
        IG_DECODED out;

        assert_true(IgDisasmDecodeFast(true, gVectorSeq + pos, sizeof(gVectorSeq) - pos, &out));
        pos += out.Length;
    }
    IgDisasmDestroy(d);
}

static void test_compiled_samples(void **state)
{
    IG_DISASM *d = NULL;
    AGREEMENT all = {0, 0};

    (void)state;
    assert_int_equal(IgDisasmCreate(&gIgMallocAllocator, &d), INT_STATUS_SUCCESS);
    for (size_t s = 0; s < sizeof(gCodeSamples) / sizeof(gCodeSamples[0]); s++)
    {
        const CODE_SAMPLE *sample = &gCodeSamples[s];
        AGREEMENT starts = {0, 0};

        AgreeEverywhere(d, sample->Bits == 64, sample->Code, sample->CodeLength, &all);
        /* Instruction starts: the reference's walk. */
        for (size_t pos = 0; pos < sample->CodeLength;)
        {
            IG_DECODED ref;

            Agree(d, sample->Bits == 64, sample->Code + pos, sample->CodeLength - pos, &starts);
            pos += INT_SUCCESS(IgDisasmDecodeCapstone(d, sample->Bits == 64, sample->Code + pos,
                                                      sample->CodeLength - pos, &ref))
                       ? ref.Length
                       : 1;
        }
        /* Compiled code is what the table is for: it answers for nearly all of it (LOCK forms too). */
        if (starts.Fast * 10 < starts.Compared * 9)
        {
            fail_msg("%s (%d-bit): the fast decoder answered %u of %u instructions", sample->Name, sample->Bits,
                     starts.Fast, starts.Compared);
        }
    }
    print_message("  %u offsets compared, %u answered by the fast decoder\n", all.Compared, all.Fast);
    IgDisasmDestroy(d);
}

/* Encodings at the edges of what the table takes: each must either be left to capstone or agree. */
static void test_boundary_encodings(void **state)
{
    static const struct
    {
        const char *Hex;
        bool Mode64;
        bool Fast; /* the table must answer (true) or must leave it to capstone (false) */
    } cases[] = {
        {"66E80000", false, false},           /* rel16 call: capstone's prefix reading */
        {"66E800000000", true, false},        /* F1: 66 on a 64-bit rel32 */
        {"F0FF00", true, true},               /* LOCK INC [rax] */
        {"F0FFC0", true, false},              /* F7: LOCK without a memory destination */
        {"F0833800", true, false},            /* LOCK CMP: not a locked write */
        {"F00FB10A", false, true},            /* LOCK CMPXCHG */
        {"8EC8", true, false},                /* F5: MOV to CS */
        {"4C8CC0", true, false},              /* F8: REX with a segment MOV */
        {"0F20C0", true, false},              /* MOV from CR0: capstone classifies (F6) */
        {"0FFF00", true, false},              /* F2: UD0 */
        {"0FB800000000", false, false},       /* F3: JMPE */
        {"F30F1EFA", true, true},             /* ENDBR64 */
        {"3EFFE0", true, true},               /* NOTRACK JMP RAX */
        {"64488B042528000000", true, true},   /* MOV RAX, FS:[0x28] */
        {"4190", true, true},                 /* XCHG R8, RAX */
        {"F34890", true, false},              /* capstone's own reading of F3 REX 90 */
        {"48B80100000000000000", true, true}, /* MOVABS RAX, imm64 */
        {"A100000000", false, true},          /* MOV EAX, moffs32 */
        {"48A10000000000000000", true, true}, /* MOV RAX, moffs64 */
        {"67A10000", false, false},           /* 16-bit addressing: capstone's */
        {"C5F877", true, false},              /* VEX: capstone's */
        {"660F6CC0", true, true},             /* PUNPCKLQDQ */
        {"0F6CC0", true, false},              /* the same without its mandatory 66 */
        {"E8000000", true, false},            /* a CALL cut short by the end of the bytes */
        {"0FBAE000", true, true},             /* BT EAX, 0 */
        {"0FBAC000", true, false},            /* 0F BA /0: invalid */
        {"FFE8", true, false},                /* far JMP with a register operand: invalid */
        {"FF28", true, true},                 /* far JMP [rax] */
        {"C6F800", true, false},              /* XABORT */
    };
    IG_DISASM *d = NULL;

    (void)state;
    assert_int_equal(IgDisasmCreate(&gIgMallocAllocator, &d), INT_STATUS_SUCCESS);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
    {
        uint8_t code[15];
        size_t n = strlen(cases[c].Hex) / 2;
        IG_DECODED out;
        AGREEMENT a = {0, 0};

        for (size_t i = 0; i < n; i++)
        {
            unsigned v = 0;

            for (int k = 0; k < 2; k++)
            {
                char ch = cases[c].Hex[2 * i + k];

                v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : ch - 'A' + 10);
            }
            code[i] = (uint8_t)v;
        }
        if (IgDisasmDecodeFast(cases[c].Mode64, code, n, &out) != cases[c].Fast)
        {
            fail_msg("%s (%d-bit): the fast decoder %s", cases[c].Hex, cases[c].Mode64 ? 64 : 32,
                     cases[c].Fast ? "should answer" : "should leave it to capstone");
        }
        Agree(d, cases[c].Mode64, code, n, &a);
    }
    IgDisasmDestroy(d);
}

static uint64_t gRng = 0x2545F4914F6CDD1Dull;

static uint32_t Rand(uint32_t Bound)
{
    return TestRandomBelow(&gRng, Bound);
}

/* Prefixes, maybe REX, maybe 0F, then random bytes: the shape of an instruction, anything inside. */
static void test_random_instructions(void **state)
{
    static const uint8_t prefixes[] = {0x66, 0xF2, 0xF3, 0x2E, 0x3E, 0x26, 0x36, 0x64, 0x65, 0xF0, 0x67};
    IG_DISASM *d = NULL;
    AGREEMENT a = {0, 0};

    (void)state;
    assert_int_equal(IgDisasmCreate(&gIgMallocAllocator, &d), INT_STATUS_SUCCESS);
    for (uint32_t k = 0; k < 200000; k++)
    {
        bool mode64 = (k & 1) != 0;
        uint8_t code[15];
        size_t n = 0;
        uint32_t count = Rand(4) == 0 ? Rand(4) : 0;

        for (uint32_t i = 0; i < count; i++)
        {
            code[n++] = prefixes[Rand(sizeof(prefixes))];
        }
        if (mode64 && Rand(3) == 0)
        {
            code[n++] = (uint8_t)(0x40 + Rand(16));
        }
        if (Rand(4) == 0)
        {
            code[n++] = 0x0F;
        }
        while (n < sizeof(code))
        {
            code[n++] = (uint8_t)Rand(256);
        }
        Agree(d, mode64, code, Rand(4) == 0 ? 1 + Rand(15) : 15, &a);
    }
    print_message("  %u compared, %u answered by the fast decoder\n", a.Compared, a.Fast);
    assert_true(a.Fast > a.Compared / 2); /* the comparison covers the table, not just its refusals */
    IgDisasmDestroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_sequence),
        cmocka_unit_test(test_compiled_samples),
        cmocka_unit_test(test_boundary_encodings),
        cmocka_unit_test(test_random_instructions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
