/*
 * A length-and-class decoder for code-block extraction, and IgDisasmDecode, which tries it first.
 *
 * Codeblocks only need each instruction's length and its class (spec/signatures.md §3.4.2), not
 * its operands or its text, which is most of what capstone spends its time on.  This decoder
 * knows the one-byte map and the common part of the 0F map from two tables, and answers only when
 * it is sure to give what the capstone adapter (disasm_capstone.c, with its fix-ups F1-F8) gives:
 * anything else -- VEX/EVEX, x87, the 0F 38/3A maps, LOCK, address-size prefixes, the encodings the
 * fix-ups are about, an instruction that runs past the bytes given -- is left to capstone, which
 * stays the reference.  tests/test_disasm_fast.c and fuzz/fuzz_disasm.c compare the two.
 */
#include "disasm.h"

/* What a table entry says about an opcode. */
enum
{
    IgOpImmMask = 0x000F, /* the immediate (IG_OP_IMM) */
    IgOpModrm = 0x0010,   /* a ModRM byte follows */
    IgOpNo64 = 0x0020,    /* not valid in 64-bit mode */
    IgOpMemOnly = 0x0040, /* the register form (mod 3) is not this instruction */
    IgOpSpecial = 0x0080, /* length or class depends on the ModRM reg field or the prefixes (see code) */
    IgOpKnown = 0x0100,   /* the fast path decodes it */
    IgOpRegOnly = 0x0200, /* the memory form is not this instruction */
    IgOpLock = 0x0400,    /* takes LOCK with a memory destination (what the reg field allows: see code) */
    IgOpClassShift = 12,  /* bits 12-15: the IG_CB_INS class when it is fixed */
};

/* Immediates. */
enum
{
    IgImmNone = 0,
    IgImmB = 1,    /* 1 byte */
    IgImmW = 2,    /* 2 bytes */
    IgImmZ = 3,    /* 4 bytes, 2 with a 66 prefix */
    IgImmV = 4,    /* 4 bytes, 2 with 66, 8 with REX.W (B8+r) */
    IgImmJz = 5,   /* rel32, rel16 with 66 in 32-bit mode (64-bit: always rel32, fix-up F1) */
    IgImmWB = 6,   /* ENTER: 3 bytes */
    IgImmFar = 7,  /* ptr16:32, ptr16:16 with 66 (32-bit mode only) */
    IgImmMoffs = 8 /* an address: 4 bytes in 32-bit mode, 8 in 64-bit */
};

#define K IgOpKnown
#define M (IgOpKnown | IgOpModrm)
#define C(Class) ((uint16_t)((Class) << IgOpClassShift))

/* The one-byte map.  0 = not decoded here (prefixes, VEX, x87, and what only capstone should judge). */
static const uint16_t gIgOneByte[256] = {
    /* 00-07 ALU, PUSH/POP ES */
    [0x00] = M | IgOpLock,
    [0x01] = M | IgOpLock,
    [0x02] = M,
    [0x03] = M,
    [0x04] = K | IgImmB,
    [0x05] = K | IgImmZ,
    [0x06] = K | IgOpNo64,
    [0x07] = K | IgOpNo64,
    [0x08] = M | IgOpLock,
    [0x09] = M | IgOpLock,
    [0x0A] = M,
    [0x0B] = M,
    [0x0C] = K | IgImmB,
    [0x0D] = K | IgImmZ,
    [0x0E] = K | IgOpNo64,
    [0x10] = M | IgOpLock,
    [0x11] = M | IgOpLock,
    [0x12] = M,
    [0x13] = M,
    [0x14] = K | IgImmB,
    [0x15] = K | IgImmZ,
    [0x16] = K | IgOpNo64,
    [0x17] = K | IgOpNo64,
    [0x18] = M | IgOpLock,
    [0x19] = M | IgOpLock,
    [0x1A] = M,
    [0x1B] = M,
    [0x1C] = K | IgImmB,
    [0x1D] = K | IgImmZ,
    [0x1E] = K | IgOpNo64,
    [0x1F] = K | IgOpNo64,
    [0x20] = M | IgOpLock,
    [0x21] = M | IgOpLock,
    [0x22] = M,
    [0x23] = M,
    [0x24] = K | IgImmB,
    [0x25] = K | IgImmZ,
    [0x27] = K | IgOpNo64,
    [0x28] = M | IgOpLock,
    [0x29] = M | IgOpLock,
    [0x2A] = M,
    [0x2B] = M,
    [0x2C] = K | IgImmB,
    [0x2D] = K | IgImmZ,
    [0x2F] = K | IgOpNo64,
    [0x30] = M | IgOpLock,
    [0x31] = M | IgOpLock,
    [0x32] = M,
    [0x33] = M,
    [0x34] = K | IgImmB,
    [0x35] = K | IgImmZ,
    [0x37] = K | IgOpNo64,
    [0x38] = M,
    [0x39] = M,
    [0x3A] = M,
    [0x3B] = M,
    [0x3C] = K | IgImmB,
    [0x3D] = K | IgImmZ,
    [0x3F] = K | IgOpNo64,
    /* 40-4F INC/DEC in 32-bit mode (REX in 64-bit mode, taken before the table) */
    [0x40] = K,
    [0x41] = K,
    [0x42] = K,
    [0x43] = K,
    [0x44] = K,
    [0x45] = K,
    [0x46] = K,
    [0x47] = K,
    [0x48] = K,
    [0x49] = K,
    [0x4A] = K,
    [0x4B] = K,
    [0x4C] = K,
    [0x4D] = K,
    [0x4E] = K,
    [0x4F] = K,
    /* 50-5F PUSH/POP */
    [0x50] = K,
    [0x51] = K,
    [0x52] = K,
    [0x53] = K,
    [0x54] = K,
    [0x55] = K,
    [0x56] = K,
    [0x57] = K,
    [0x58] = K,
    [0x59] = K,
    [0x5A] = K,
    [0x5B] = K,
    [0x5C] = K,
    [0x5D] = K,
    [0x5E] = K,
    [0x5F] = K,
    /* 60-6F: PUSHA/POPA, MOVSXD (64-bit) / ARPL, PUSH, IMUL, INS/OUTS */
    [0x60] = K | IgOpNo64,
    [0x61] = K | IgOpNo64,
    [0x63] = M,
    [0x68] = K | IgImmZ,
    [0x69] = M | IgImmZ,
    [0x6A] = K | IgImmB,
    [0x6B] = M | IgImmB,
    [0x6C] = K,
    [0x6D] = K,
    [0x6E] = K,
    [0x6F] = K,
    /* 70-7F Jcc rel8 */
    [0x70] = K | IgImmB | C(IgCbInsJc),
    [0x71] = K | IgImmB | C(IgCbInsJc),
    [0x72] = K | IgImmB | C(IgCbInsJc),
    [0x73] = K | IgImmB | C(IgCbInsJc),
    [0x74] = K | IgImmB | C(IgCbInsJc),
    [0x75] = K | IgImmB | C(IgCbInsJc),
    [0x76] = K | IgImmB | C(IgCbInsJc),
    [0x77] = K | IgImmB | C(IgCbInsJc),
    [0x78] = K | IgImmB | C(IgCbInsJc),
    [0x79] = K | IgImmB | C(IgCbInsJc),
    [0x7A] = K | IgImmB | C(IgCbInsJc),
    [0x7B] = K | IgImmB | C(IgCbInsJc),
    [0x7C] = K | IgImmB | C(IgCbInsJc),
    [0x7D] = K | IgImmB | C(IgCbInsJc),
    [0x7E] = K | IgImmB | C(IgCbInsJc),
    [0x7F] = K | IgImmB | C(IgCbInsJc),
    /* 80-8F: group 1, TEST, XCHG, MOV, LEA, POP */
    [0x80] = M | IgImmB | IgOpLock,
    [0x81] = M | IgImmZ | IgOpLock,
    [0x82] = M | IgImmB | IgOpNo64,
    [0x83] = M | IgImmB | IgOpLock,
    [0x84] = M,
    [0x85] = M,
    [0x86] = M | C(IgCbInsXchg) | IgOpLock,
    [0x87] = M | C(IgCbInsXchg) | IgOpLock,
    [0x88] = M | IgOpSpecial,
    [0x89] = M | IgOpSpecial,
    [0x8A] = M | IgOpSpecial,
    [0x8B] = M | IgOpSpecial,
    [0x8C] = M | IgOpSpecial,
    [0x8D] = M | IgOpMemOnly,
    [0x8E] = M | IgOpSpecial,
    [0x8F] = M | IgOpSpecial,
    /* 90-9F: NOP/XCHG, CBW/CWD, CALL far, WAIT, PUSHF/POPF, SAHF/LAHF */
    [0x90] = K | IgOpSpecial,
    [0x91] = K | C(IgCbInsXchg),
    [0x92] = K | C(IgCbInsXchg),
    [0x93] = K | C(IgCbInsXchg),
    [0x94] = K | C(IgCbInsXchg),
    [0x95] = K | C(IgCbInsXchg),
    [0x96] = K | C(IgCbInsXchg),
    [0x97] = K | C(IgCbInsXchg),
    [0x98] = K,
    [0x99] = K,
    [0x9A] = K | IgImmFar | IgOpNo64 | C(IgCbInsCall),
    [0x9B] = K,
    [0x9C] = K | C(IgCbInsFlags),
    [0x9D] = K | C(IgCbInsFlags),
    [0x9E] = K,
    [0x9F] = K,
    /* A0-AF: MOV moffs, string instructions, TEST */
    [0xA0] = K | IgImmMoffs | C(IgCbInsMovMem),
    [0xA1] = K | IgImmMoffs | C(IgCbInsMovMem),
    [0xA2] = K | IgImmMoffs | C(IgCbInsMovMem),
    [0xA3] = K | IgImmMoffs | C(IgCbInsMovMem),
    [0xA4] = K,
    [0xA5] = K,
    [0xA6] = K,
    [0xA7] = K,
    [0xA8] = K | IgImmB,
    [0xA9] = K | IgImmZ,
    [0xAA] = K | C(IgCbInsStr),
    [0xAB] = K | C(IgCbInsStr),
    [0xAC] = K | C(IgCbInsStr),
    [0xAD] = K | C(IgCbInsStr),
    [0xAE] = K,
    [0xAF] = K,
    /* B0-BF MOV immediate */
    [0xB0] = K | IgImmB | C(IgCbInsMovImm),
    [0xB1] = K | IgImmB | C(IgCbInsMovImm),
    [0xB2] = K | IgImmB | C(IgCbInsMovImm),
    [0xB3] = K | IgImmB | C(IgCbInsMovImm),
    [0xB4] = K | IgImmB | C(IgCbInsMovImm),
    [0xB5] = K | IgImmB | C(IgCbInsMovImm),
    [0xB6] = K | IgImmB | C(IgCbInsMovImm),
    [0xB7] = K | IgImmB | C(IgCbInsMovImm),
    [0xB8] = K | IgImmV | C(IgCbInsMovImm),
    [0xB9] = K | IgImmV | C(IgCbInsMovImm),
    [0xBA] = K | IgImmV | C(IgCbInsMovImm),
    [0xBB] = K | IgImmV | C(IgCbInsMovImm),
    [0xBC] = K | IgImmV | C(IgCbInsMovImm),
    [0xBD] = K | IgImmV | C(IgCbInsMovImm),
    [0xBE] = K | IgImmV | C(IgCbInsMovImm),
    [0xBF] = K | IgImmV | C(IgCbInsMovImm),
    /* C0-CF: shifts, RET, MOV group 11, ENTER/LEAVE, RETF, INT */
    [0xC0] = M | IgImmB,
    [0xC1] = M | IgImmB,
    [0xC2] = K | IgImmW | C(IgCbInsRet),
    [0xC3] = K | C(IgCbInsRet),
    [0xC6] = M | IgImmB | IgOpSpecial,
    [0xC7] = M | IgImmZ | IgOpSpecial,
    [0xC8] = K | IgImmWB,
    [0xC9] = K,
    [0xCA] = K | IgImmW | C(IgCbInsRet),
    [0xCB] = K | C(IgCbInsRet),
    [0xCC] = K,
    [0xCD] = K | IgImmB,
    [0xCF] = K,
    /* D0-DF: shifts, XLAT (x87 and the 32-bit-only D4/D5/D6 are left to capstone) */
    [0xD0] = M,
    [0xD1] = M,
    [0xD2] = M,
    [0xD3] = M,
    [0xD7] = K,
    /* E0-EF: LOOP/JCXZ, IN/OUT, CALL, JMP */
    [0xE0] = K | IgImmB,
    [0xE1] = K | IgImmB,
    [0xE2] = K | IgImmB,
    [0xE3] = K | IgImmB,
    [0xE4] = K | IgImmB,
    [0xE5] = K | IgImmB,
    [0xE6] = K | IgImmB,
    [0xE7] = K | IgImmB,
    [0xE8] = K | IgImmJz | C(IgCbInsCall),
    [0xE9] = K | IgImmJz | C(IgCbInsJmp),
    [0xEA] = K | IgImmFar | IgOpNo64 | C(IgCbInsJmp),
    [0xEB] = K | IgImmB | C(IgCbInsJmp),
    [0xEC] = K,
    [0xED] = K,
    [0xEE] = K,
    [0xEF] = K,
    /* F0-FF: INT1, HLT, CMC, group 3, flag instructions, groups 4 and 5 */
    [0xF1] = K,
    [0xF4] = K,
    [0xF5] = K,
    [0xF6] = M | IgOpSpecial | IgOpLock,
    [0xF7] = M | IgOpSpecial | IgOpLock,
    [0xF8] = K,
    [0xF9] = K,
    [0xFA] = K,
    [0xFB] = K,
    [0xFC] = K,
    [0xFD] = K,
    [0xFE] = M | IgOpSpecial | IgOpLock,
    [0xFF] = M | IgOpSpecial | IgOpLock,
};

/* The part of the 0F map compiled code uses.  Capstone takes the SSE forms here with any of the
 * mandatory prefixes (66, F3, F2) or none, so the length never depends on them. */
#define R (IgOpKnown | IgOpModrm | IgOpRegOnly)
#define MO (IgOpKnown | IgOpModrm | IgOpMemOnly)
static const uint16_t gIgTwoByte[256] = {
    [0x02] = M,
    [0x03] = M,
    [0x05] = K,
    [0x06] = K,
    [0x07] = K,
    [0x08] = K,
    [0x09] = K,
    [0x0B] = K,
    [0x10] = M,
    [0x11] = M,
    [0x12] = M,
    [0x13] = MO,
    [0x14] = M,
    [0x15] = M,
    [0x16] = M,
    [0x17] = MO,
    /* Hint space and multi-byte NOPs (ENDBR32/64 included); capstone decodes every form */
    [0x18] = M,
    [0x19] = M,
    [0x1A] = M,
    [0x1B] = M,
    [0x1C] = M,
    [0x1D] = M,
    [0x1E] = M,
    [0x1F] = M,
    [0x28] = M,
    [0x29] = M,
    [0x2A] = M,
    [0x2B] = MO,
    [0x2C] = M,
    [0x2D] = M,
    [0x2E] = M,
    [0x2F] = M,
    [0x30] = K,
    [0x31] = K,
    [0x32] = K,
    [0x33] = K,
    [0x34] = K,
    [0x35] = K,
    /* CMOVcc */
    [0x40] = M,
    [0x41] = M,
    [0x42] = M,
    [0x43] = M,
    [0x44] = M,
    [0x45] = M,
    [0x46] = M,
    [0x47] = M,
    [0x48] = M,
    [0x49] = M,
    [0x4A] = M,
    [0x4B] = M,
    [0x4C] = M,
    [0x4D] = M,
    [0x4E] = M,
    [0x4F] = M,
    [0x50] = R,
    [0x51] = M,
    [0x52] = M,
    [0x53] = M,
    [0x54] = M,
    [0x55] = M,
    [0x56] = M,
    [0x57] = M,
    [0x58] = M,
    [0x59] = M,
    [0x5A] = M,
    [0x5B] = M,
    [0x5C] = M,
    [0x5D] = M,
    [0x5E] = M,
    [0x5F] = M,
    [0x60] = M,
    [0x61] = M,
    [0x62] = M,
    [0x63] = M,
    [0x64] = M,
    [0x65] = M,
    [0x66] = M,
    [0x67] = M,
    [0x68] = M,
    [0x69] = M,
    [0x6A] = M,
    [0x6B] = M,
    [0x6C] = M | IgOpSpecial,
    [0x6D] = M | IgOpSpecial,
    [0x6E] = M,
    [0x6F] = M,
    [0x70] = M | IgImmB,
    [0x71] = R | IgImmB | IgOpSpecial,
    [0x72] = R | IgImmB | IgOpSpecial,
    [0x73] = R | IgImmB | IgOpSpecial,
    [0x74] = M,
    [0x75] = M,
    [0x76] = M,
    [0x77] = K,
    [0x7E] = M,
    [0x7F] = M,
    /* Jcc rel32 */
    [0x80] = K | IgImmJz | C(IgCbInsJc),
    [0x81] = K | IgImmJz | C(IgCbInsJc),
    [0x82] = K | IgImmJz | C(IgCbInsJc),
    [0x83] = K | IgImmJz | C(IgCbInsJc),
    [0x84] = K | IgImmJz | C(IgCbInsJc),
    [0x85] = K | IgImmJz | C(IgCbInsJc),
    [0x86] = K | IgImmJz | C(IgCbInsJc),
    [0x87] = K | IgImmJz | C(IgCbInsJc),
    [0x88] = K | IgImmJz | C(IgCbInsJc),
    [0x89] = K | IgImmJz | C(IgCbInsJc),
    [0x8A] = K | IgImmJz | C(IgCbInsJc),
    [0x8B] = K | IgImmJz | C(IgCbInsJc),
    [0x8C] = K | IgImmJz | C(IgCbInsJc),
    [0x8D] = K | IgImmJz | C(IgCbInsJc),
    [0x8E] = K | IgImmJz | C(IgCbInsJc),
    [0x8F] = K | IgImmJz | C(IgCbInsJc),
    /* SETcc */
    [0x90] = M,
    [0x91] = M,
    [0x92] = M,
    [0x93] = M,
    [0x94] = M,
    [0x95] = M,
    [0x96] = M,
    [0x97] = M,
    [0x98] = M,
    [0x99] = M,
    [0x9A] = M,
    [0x9B] = M,
    [0x9C] = M,
    [0x9D] = M,
    [0x9E] = M,
    [0x9F] = M,
    /* PUSH/POP FS/GS, CPUID, BT family, SHLD/SHRD, IMUL, CMPXCHG, LSS/LFS/LGS, MOVZX/MOVSX,
     * BSF/BSR, XADD, BSWAP */
    [0xA0] = K,
    [0xA1] = K,
    [0xA2] = K,
    [0xA3] = M | C(IgCbInsBt),
    [0xA4] = M | IgImmB,
    [0xA5] = M,
    [0xA8] = K,
    [0xA9] = K,
    [0xAB] = M | C(IgCbInsBt) | IgOpLock,
    [0xAC] = M | IgImmB,
    [0xAD] = M,
    [0xAF] = M,
    [0xB0] = M | C(IgCbInsXchg) | IgOpLock,
    [0xB1] = M | C(IgCbInsXchg) | IgOpLock,
    [0xB2] = MO,
    [0xB3] = M | C(IgCbInsBt) | IgOpLock,
    [0xB4] = MO,
    [0xB5] = MO,
    [0xB6] = M,
    [0xB7] = M,
    [0xBA] = M | IgImmB | IgOpSpecial | IgOpLock,
    [0xBB] = M | C(IgCbInsBt) | IgOpLock,
    [0xBC] = M,
    [0xBD] = M,
    [0xBE] = M,
    [0xBF] = M,
    [0xC0] = M | IgOpLock,
    [0xC1] = M | IgOpLock,
    [0xC2] = M | IgImmB,
    [0xC3] = MO,
    [0xC4] = M | IgImmB,
    [0xC5] = R | IgImmB,
    [0xC6] = M | IgImmB,
    [0xC8] = K,
    [0xC9] = K,
    [0xCA] = K,
    [0xCB] = K,
    [0xCC] = K,
    [0xCD] = K,
    [0xCE] = K,
    [0xCF] = K,
    /* MMX/SSE2 integer arithmetic */
    [0xD1] = M,
    [0xD2] = M,
    [0xD3] = M,
    [0xD4] = M,
    [0xD5] = M,
    [0xD6] = M | IgOpSpecial,
    [0xD7] = R,
    [0xD8] = M,
    [0xD9] = M,
    [0xDA] = M,
    [0xDB] = M,
    [0xDC] = M,
    [0xDD] = M,
    [0xDE] = M,
    [0xDF] = M,
    [0xE0] = M,
    [0xE1] = M,
    [0xE2] = M,
    [0xE3] = M,
    [0xE4] = M,
    [0xE5] = M,
    [0xE7] = MO,
    [0xE8] = M,
    [0xE9] = M,
    [0xEA] = M,
    [0xEB] = M,
    [0xEC] = M,
    [0xED] = M,
    [0xEE] = M,
    [0xEF] = M,
    [0xF1] = M,
    [0xF2] = M,
    [0xF3] = M,
    [0xF4] = M,
    [0xF5] = M,
    [0xF6] = M,
    [0xF7] = R,
    [0xF8] = M,
    [0xF9] = M,
    [0xFA] = M,
    [0xFB] = M,
    [0xFC] = M,
    [0xFD] = M,
    [0xFE] = M,
};
#undef R
#undef MO

#undef K
#undef M
#undef C

/* Bytes taken by a ModRM byte and what follows it (32/64-bit addressing); 0 if they do not fit. */
static inline size_t IgFastModrmLength(const uint8_t *Modrm, size_t Avail)
{
    uint8_t mod = Modrm[0] >> 6;
    uint8_t rm = Modrm[0] & 7;
    size_t len = 1;

    if (mod == 3)
    {
        return 1;
    }
    if (rm == 4)
    {
        if (Avail < 2)
        {
            return 0;
        }
        len = 2;
        if (mod == 0 && (Modrm[1] & 7) == 5)
        {
            len += 4;
        }
    }
    else if (mod == 0 && rm == 5)
    {
        len += 4;
    }
    len += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    return len <= Avail ? len : 0;
}

/* What the decoder has read of one instruction so far. */
typedef struct IG_FAST_INSN
{
    bool OpSize; /* 66 */
    bool Rep;    /* F3 */
    bool Repne;  /* F2 */
    bool Lock;   /* F0 */
    bool TwoByte;
    uint8_t Rex; /* 0 when absent */
    uint8_t Op;  /* the opcode byte (after 0F for the two-byte map) */
    uint8_t Mod; /* ModRM fields, when there is one */
    uint8_t Reg;
    uint8_t Class;
    uint16_t Entry;
    size_t OpcodeAt; /* offset of the first opcode byte */
    size_t Imm;
} IG_FAST_INSN;

#define IG_FAST_INLINE static inline __attribute__((always_inline))

/*
 * Legacy prefixes, then REX in 64-bit mode; *At is left on the opcode.  67 (16-bit addressing,
 * short moffs) is left to capstone; LOCK is taken only where it is valid (a lockable instruction
 * with a memory destination, F7), which the caller checks.
 */
IG_FAST_INLINE bool IgFastPrefixes(bool Mode64, const uint8_t *Code, size_t Size, size_t *At, IG_FAST_INSN *I)
{
    size_t i = 0;

    for (;; i++)
    {
        if (i >= Size)
        {
            return false;
        }
        switch (Code[i])
        {
            case 0x66:
                I->OpSize = true;
                continue;
            case 0xF3:
                I->Rep = true;
                continue;
            case 0xF2:
                I->Repne = true;
                continue;
            case 0xF0:
                I->Lock = true;
                continue;
            case 0x2E:
            case 0x36:
            case 0x3E:
            case 0x26:
            case 0x64:
            case 0x65:
                continue;
            default:
                break;
        }
        break;
    }
    if (Mode64 && (Code[i] & 0xF0) == 0x40)
    {
        I->Rex = Code[i++];
        if (i >= Size || (Code[i] & 0xF0) == 0x40)
        {
            return false;
        }
    }
    *At = i;
    /* 66 together with F2 or F3 makes capstone pick operand sizes of its own: its call. */
    return !(I->OpSize && (I->Rep || I->Repne));
}

/* The immediate's size (I->Imm); false where capstone's reading of the prefixes decides it. */
IG_FAST_INLINE bool IgFastImmediate(bool Mode64, IG_FAST_INSN *I)
{
    switch (I->Entry & IgOpImmMask)
    {
        case IgImmB:
            I->Imm = 1;
            return true;
        case IgImmW:
            I->Imm = 2;
            return !(I->OpSize && (I->Op == 0xC2 || I->Op == 0xCA)); /* capstone sizes RET imm16 by 66 */
        case IgImmZ:
            I->Imm = I->OpSize && !(I->Rex & 0x08) ? 2 : 4;
            return true;
        case IgImmV:
            I->Imm = (I->Rex & 0x08) ? 8 : I->OpSize ? 2 : 4;
            return true;
        case IgImmJz:
            I->Imm = 4;
            return !I->OpSize; /* rel16, or F1's rel32: how capstone reads the prefixes decides */
        case IgImmWB:
            I->Imm = 3;
            return true;
        case IgImmFar:
            I->Imm = I->OpSize ? 4 : 6;
            return true;
        case IgImmMoffs:
            I->Imm = Mode64 ? 8 : 4;
            return !(I->Rep || I->Repne);
        default:
            I->Imm = 0;
            return true;
    }
}

/* One-byte opcodes whose class, length or validity depends on ModRM or the prefixes. */
IG_FAST_INLINE bool IgFastOneByteSpecial(IG_FAST_INSN *I)
{
    switch (I->Op)
    {
        case 0x88:
        case 0x89:
        case 0x8A:
        case 0x8B:
            I->Class = I->Mod == 3 ? IgCbInsMovReg : IgCbInsMovMem;
            return true;
        case 0x8C:
        case 0x8E:
            /* Segment registers: ES..GS only, never MOV to CS (F5); REX with them is F8's. */
            if (I->Reg > 5 || (I->Op == 0x8E && I->Reg == 1) || I->Rex)
            {
                return false;
            }
            I->Class = I->Mod == 3 ? IgCbInsMovReg : IgCbInsMovMem;
            return true;
        case 0x8F: /* POP r/m: /0 only (AMD's XOP lives in the others) */
            return I->Reg == 0;
        case 0xFE: /* INC/DEC r/m8 */
            return I->Reg <= 1;
        case 0x90:
            /* NOP, PAUSE with F3; with REX.B it exchanges R8 and rAX.  With F3 or 66 and a REX
             * capstone has its own reading (PAUSE, NOP or XCHG). */
            if ((I->Rep || I->OpSize) && I->Rex)
            {
                return false;
            }
            I->Class = (I->Rex & 0x01) ? IgCbInsXchg : IgCbInsNone;
            return true;
        case 0xC6:
        case 0xC7:
            if (I->Reg != 0)
            {
                return false; /* XABORT, XBEGIN and invalid forms */
            }
            I->Class = I->Mod == 3 ? IgCbInsMovImm : IgCbInsMovMem;
            return true;
        case 0xF6:
        case 0xF7:
            /* TEST takes an immediate (/0, /1); NOT, NEG, MUL, IMUL, DIV, IDIV do not. */
            I->Imm = I->Reg > 1 ? 0 : I->Op == 0xF6 ? 1 : I->OpSize && !(I->Rex & 0x08) ? 2 : 4;
            return true;
        case 0xFF:
            switch (I->Reg)
            {
                case 2:
                    I->Class = IgCbInsCall;
                    return true;
                case 3:
                case 5:
                    I->Class = I->Reg == 3 ? IgCbInsCall : IgCbInsJmp;
                    return I->Mod != 3; /* far CALL/JMP need a memory operand */
                case 4:
                    I->Class = IgCbInsJmp;
                    return true;
                case 7:
                    return false;
                default:
                    return true; /* INC, DEC, PUSH */
            }
        default:
            return false;
    }
}

/* Two-byte opcodes whose validity depends on ModRM or the prefixes. */
IG_FAST_INLINE bool IgFastTwoByteSpecial(IG_FAST_INSN *I, const uint8_t *Code)
{
    switch (I->Op)
    {
        case 0x6C: /* PUNPCKLQDQ, PUNPCKHQDQ, MOVQ: 66 only */
        case 0x6D:
        case 0xD6:
            /* capstone takes the mandatory 66 only right before 0F, and without REX */
            return I->OpSize && !I->Rep && !I->Repne && !I->Rex && Code[I->OpcodeAt - 1] == 0x66;
        case 0x71: /* shifts by an immediate: /2, /4, /6 (0F 73: /2, /6; /3, /7 need 66) */
        case 0x72:
        case 0x73:
            return I->Op == 0x73 ? (I->Reg == 2 || I->Reg == 6) : (I->Reg == 2 || I->Reg == 4 || I->Reg == 6);
        case 0xBA: /* BT, BTS, BTR, BTC with an immediate: /4../7 */
            I->Class = IgCbInsBt;
            return I->Reg >= 4;
        default:
            return false;
    }
}

/* LOCK needs a memory destination and, in the groups, a member that writes it. */
IG_FAST_INLINE bool IgFastLockValid(const IG_FAST_INSN *I)
{
    if (I->Mod == 3)
    {
        return false;
    }
    if (I->TwoByte)
    {
        return I->Op != 0xBA || I->Reg >= 5;
    }
    if ((I->Op & 0xFC) == 0x80)
    {
        return I->Reg != 7; /* CMP */
    }
    if (I->Op == 0xF6 || I->Op == 0xF7)
    {
        return I->Reg == 2 || I->Reg == 3; /* NOT, NEG */
    }
    if (I->Op == 0xFE || I->Op == 0xFF)
    {
        return I->Reg <= 1; /* INC, DEC */
    }
    return true;
}

bool IgDisasmDecodeFast(bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out)
{
    size_t size = Size < IG_INSN_MAX_LENGTH ? Size : IG_INSN_MAX_LENGTH;
    IG_FAST_INSN insn = {0};
    size_t i = 0;

    if (!IgFastPrefixes(Mode64, Code, size, &i, &insn))
    {
        return false;
    }
    insn.OpcodeAt = i;
    insn.Op = Code[i++];
    insn.Entry = gIgOneByte[insn.Op];
    if (insn.Op == 0x0F)
    {
        if (i >= size)
        {
            return false;
        }
        insn.Op = Code[i++];
        insn.Entry = gIgTwoByte[insn.Op];
        insn.TwoByte = true;
        /* SSE forms pick their instruction by one mandatory prefix; several are capstone's to judge. */
        if ((insn.OpSize + insn.Rep + insn.Repne) > 1 && (insn.Entry & IgOpModrm))
        {
            return false;
        }
    }
    if (!(insn.Entry & IgOpKnown) || (Mode64 && (insn.Entry & IgOpNo64)) || (insn.Lock && !(insn.Entry & IgOpLock)))
    {
        return false;
    }
    insn.Class = (uint8_t)(insn.Entry >> IgOpClassShift);
    if (insn.Entry & IgOpModrm)
    {
        size_t m;

        if (i >= size)
        {
            return false;
        }
        insn.Mod = Code[i] >> 6;
        insn.Reg = (Code[i] >> 3) & 7;
        if ((insn.Mod == 3 && (insn.Entry & IgOpMemOnly)) || (insn.Mod != 3 && (insn.Entry & IgOpRegOnly)) ||
            (insn.Lock && !IgFastLockValid(&insn)))
        {
            return false;
        }
        m = IgFastModrmLength(Code + i, size - i);
        if (m == 0)
        {
            return false;
        }
        i += m;
    }
    if (!IgFastImmediate(Mode64, &insn))
    {
        return false;
    }
    if ((insn.Entry & IgOpSpecial) && !(insn.TwoByte ? IgFastTwoByteSpecial(&insn, Code) : IgFastOneByteSpecial(&insn)))
    {
        return false;
    }
    i += insn.Imm;
    if (i > size)
    {
        return false;
    }
    Out->Length = (uint8_t)i;
    Out->Class = insn.Class;
    return true;
}

INTSTATUS IgDisasmDecode(IG_DISASM *Disasm, bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out)
{
    if (Disasm && Code && Out && Size != 0 && IgDisasmDecodeFast(Mode64, Code, Size, Out))
    {
        return INT_STATUS_SUCCESS;
    }
    return IgDisasmDecodeCapstone(Disasm, Mode64, Code, Size, Out);
}
