/*
 * The instruction decoder behind code-block extraction: one instruction at a time, reduced to
 * its length and its code-block class (spec/signatures.md §3.1, §3.4.2, §3.10).
 *
 * The only implementation is disasm_capstone.c (capstone 4), which reproduces the decisions of
 * the bddisasm version hvmi pins, including the fix-ups F1-F8 of §3.10.  A decoder is not
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
 * the bytes are not an instruction bddisasm would decode.
 */
__attribute__((warn_unused_result)) INTSTATUS IgDisasmDecode(IG_DISASM *Disasm, bool Mode64, const uint8_t *Code,
                                                             size_t Size, IG_DECODED *Out);

#endif /* INTROGUARD_DISASM_H */
