/*
 * The instruction decoder behind code-block extraction: one instruction at a time, reduced to
 * its length and its code-block class (spec/signatures.md §3.1, §3.4.2, §3.10).
 *
 * disasm_capstone.c (capstone 4) reproduces the decisions of the bddisasm version hvmi pins,
 * including the fix-ups F1-F8 of §3.10; it is the reference.  disasm_fast.c answers the common
 * instructions from tables, proven equal to it, and asks it for the rest.  A decoder is not
 * thread-safe: each guest owns one and uses it from one thread at a time.
 */
#ifndef INTROGUARD_DISASM_H
#define INTROGUARD_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/alloc.h"

/* hvmi's code-ins alphabet (spec/signatures.md §3.1); the values are hashed, so they are fixed. */
typedef enum IG_CB_INS
{
    IgCbInsNone = 0, /* unclassified: contributes nothing to a pattern */
    IgCbInsJc = 1,
    IgCbInsJmp = 2,
    IgCbInsCall = 3,
    IgCbInsRet = 4,
    IgCbInsStr = 5,
    IgCbInsXchg = 6,
    IgCbInsBt = 7,
    IgCbInsMovReg = 8,   /* medium level only */
    IgCbInsMovMem = 9,   /* medium level only */
    IgCbInsMovImm = 10,  /* medium level only */
    IgCbInsMovFsGs = 11, /* never produced (§3.4.2) */
    IgCbInsFlags = 12,   /* medium level only */
} IG_CB_INS;

/* The longest x86 instruction. */
#define IG_INSN_MAX_LENGTH 15u

typedef struct IG_DISASM IG_DISASM;

typedef struct IG_DECODED
{
    uint8_t Length; /* 1..15 */
    uint8_t Class;  /* IG_CB_INS as classified at medium level; normal level keeps only 1..7 */
} IG_DECODED;

/* Creates a decoder for 32- and 64-bit code.  Free it with IgDisasmDestroy. */
__attribute__((warn_unused_result)) INTSTATUS IgDisasmCreate(const IG_ALLOCATOR *Allocator, IG_DISASM **Disasm);

/* Frees a decoder; NULL is allowed. */
void IgDisasmDestroy(IG_DISASM *Disasm);

/*
 * Decodes the instruction at Code, which may use only the Size bytes given (an instruction that
 * does not fit is a failure, as in bddisasm).  Returns SUCCESS with *Out filled, or NOT_FOUND when
 * the bytes are not an instruction bddisasm would decode.  Tries the table decoder
 * (IgDisasmDecodeFast) first and asks capstone for what it does not know.
 */
__attribute__((warn_unused_result)) INTSTATUS IgDisasmDecode(IG_DISASM *Disasm, bool Mode64, const uint8_t *Code,
                                                             size_t Size, IG_DECODED *Out);

/*
 * The reference: the same decision taken by capstone with the fix-ups F1-F8 (disasm_capstone.c).
 * Tests and the differential fuzz target compare the fast decoder with it.
 */
__attribute__((warn_unused_result)) INTSTATUS IgDisasmDecodeCapstone(IG_DISASM *Disasm, bool Mode64,
                                                                     const uint8_t *Code, size_t Size, IG_DECODED *Out);

/*
 * The table decoder (disasm_fast.c): true with *Out filled when the instruction is one it knows,
 * and then *Out is exactly what IgDisasmDecodeCapstone gives; false means "ask capstone" (it never
 * decides that bytes are invalid).  Stateless and thread-safe.
 */
bool IgDisasmDecodeFast(bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out);

/* ---- Operand decoding (write emulation, src/protect/write_decode.c) --------------------------------------------- */

/*
 * A second decoder, for one instruction with its operands and prefixes.  It is a separate capstone
 * handle (one per guest, created and destroyed as a pair) so that code-block extraction and write
 * emulation never share state.  Like IG_DISASM it is not thread-safe.
 */
typedef struct IG_DISASM_DETAIL IG_DISASM_DETAIL;

/* What an instruction does, as far as write emulation cares; everything else is IgDisOpOther. */
typedef enum IG_DIS_OP
{
    IgDisOpOther = 0,
    IgDisOpNoMemWrite, /* reads memory at most: MOVZX, MOVSX(D), CMP, TEST, BT */
    IgDisOpMov,        /* MOV, MOVABS (moffs), MOVNTI */
    IgDisOpXchg,
    IgDisOpXadd,
    IgDisOpCmpxchg,
    IgDisOpCmpxchg8b,
    IgDisOpCmpxchg16b,
    IgDisOpStos,
    IgDisOpMovs, /* the string MOVS (A4/A5), never the SSE MOVSD */
    IgDisOpAdd,
    IgDisOpAdc,
    IgDisOpSub,
    IgDisOpSbb,
    IgDisOpAnd,
    IgDisOpOr,
    IgDisOpXor,
    IgDisOpInc,
    IgDisOpDec,
    IgDisOpNeg,
    IgDisOpNot,
    IgDisOpShl, /* SHL and its alias SAL */
    IgDisOpShr,
    IgDisOpSar,
    IgDisOpRol,
    IgDisOpRor,
    IgDisOpRcl,
    IgDisOpRcr,
    IgDisOpBts,
    IgDisOpBtr,
    IgDisOpBtc,
    IgDisOpPush,        /* PUSH reg/imm/mem/segment; not PUSHF or PUSHA */
    IgDisOpSetcc,       /* Condition holds the condition code */
    IgDisOpVectorStore, /* SSE/AVX/MMX moves (MOVDQA, MOVUPS, VMOVDQU64, MOVQ, ...) */
} IG_DIS_OP;

typedef enum IG_DIS_OPERAND_TYPE
{
    IgDisOperandNone = 0,
    IgDisOperandReg = 1,
    IgDisOperandImm = 2,
    IgDisOperandMem = 3,
} IG_DIS_OPERAND_TYPE;

typedef enum IG_DIS_REG_KIND
{
    IgDisRegNone = 0,
    IgDisRegGpr = 1,      /* Index 0..15 in encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 */
    IgDisRegGprHigh8 = 2, /* AH CH DH BH: bits 8..15 of GPR Index 0..3 */
    IgDisRegIp = 3,       /* RIP/EIP as a base: RIP-relative addressing */
    IgDisRegSegment = 4,  /* Index is an IG_DIS_SEG */
    IgDisRegVector = 5,   /* MM, XMM, YMM, ZMM: Index is the register number */
    IgDisRegOther = 6,    /* mask, x87, control, debug, flags */
} IG_DIS_REG_KIND;

/* Segment registers in encoding order. */
typedef enum IG_DIS_SEG
{
    IgDisSegEs = 0,
    IgDisSegCs = 1,
    IgDisSegSs = 2,
    IgDisSegDs = 3,
    IgDisSegFs = 4,
    IgDisSegGs = 5,
    IgDisSegCount = 6,
    IgDisSegNone = 0xFF,
} IG_DIS_SEG;

typedef struct IG_DIS_REG
{
    uint8_t Kind;  /* IG_DIS_REG_KIND */
    uint8_t Index; /* see IG_DIS_REG_KIND */
    uint8_t Size;  /* bytes as named: AL 1, AX 2, EAX 4, RAX 8, XMM 16 ... */
} IG_DIS_REG;

typedef struct IG_DIS_MEM
{
    IG_DIS_REG Base;  /* Kind IgDisRegNone when absent */
    IG_DIS_REG Index; /* Kind IgDisRegNone when absent */
    uint8_t Scale;    /* 1, 2, 4, 8 */
    uint8_t Segment;  /* IG_DIS_SEG in effect: the override, else ES for a string destination, SS for an
                         SP/BP base, DS otherwise (64-bit code gives CS/DS/ES/SS base 0 regardless) */
    int64_t Disp;     /* sign-extended; an absolute moffs address in full */
} IG_DIS_MEM;

typedef struct IG_DIS_OPERAND
{
    uint8_t Type; /* IG_DIS_OPERAND_TYPE */
    uint8_t Size; /* bytes, as capstone reports it (unreliable for PUSH and for some system instructions) */
    IG_DIS_REG Reg;
    int64_t Imm; /* sign-extended to 64 bits from the encoded width */
    IG_DIS_MEM Mem;
} IG_DIS_OPERAND;

#define IG_DIS_MAX_OPERANDS 4u

typedef struct IG_DIS_INSN
{
    uint8_t Length;       /* 1..15 */
    uint8_t Op;           /* IG_DIS_OP */
    uint8_t Condition;    /* IgDisOpSetcc: the condition code, 0 (O) .. 15 (G) */
    uint8_t CodeBits;     /* 16, 32 or 64, as asked */
    uint8_t AddressSize;  /* bytes: 2, 4 or 8 (after a 67 prefix) */
    uint8_t OperandCount; /* 0..IG_DIS_MAX_OPERANDS, capstone's Intel order: destination first */
    /* Prefixes, from the bytes (capstone 4 keeps only one of LOCK/REP/REPNE); F2/F3/66 also when mandatory. */
    bool Lock;
    bool Rep;   /* F3 */
    bool Repne; /* F2 */
    bool OpSizePrefix;
    bool AddrSizePrefix;
    uint8_t Rex;             /* 0 when absent or not directly before the opcode (then ignored, as by the CPU) */
    uint8_t SegmentOverride; /* IG_DIS_SEG of the last segment prefix, or IgDisSegNone */
    IG_DIS_OPERAND Operands[IG_DIS_MAX_OPERANDS];
} IG_DIS_INSN;

/* Creates an operand decoder; free it with IgDisasmDetailDestroy.  Capstone allocates with the C library. */
__attribute__((warn_unused_result)) INTSTATUS IgDisasmDetailCreate(const IG_ALLOCATOR *Allocator,
                                                                   IG_DISASM_DETAIL **Detail);

/* Frees an operand decoder; NULL is allowed. */
void IgDisasmDetailDestroy(IG_DISASM_DETAIL *Detail);

/*
 * Decodes the one instruction at Code in 16-, 32- or 64-bit code (CodeBits), looking at no more
 * than min(Size, 15) bytes.  Returns SUCCESS with *Out filled, NOT_FOUND when those bytes are not a
 * whole instruction (invalid or truncated), or INVALID_PARAMETER_2 for another CodeBits.  An
 * instruction with more than IG_DIS_MAX_OPERANDS operands decodes as IgDisOpOther.
 */
__attribute__((warn_unused_result)) INTSTATUS IgDisasmDetailDecode(IG_DISASM_DETAIL *Detail, uint8_t CodeBits,
                                                                   const uint8_t *Code, size_t Size, IG_DIS_INSN *Out);

#endif /* INTROGUARD_DISASM_H */
