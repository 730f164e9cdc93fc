/*
 * The capstone 4 adapter: the only file that includes <capstone/capstone.h>.
 *
 * hvmi classifies instructions with bddisasm; this file makes capstone 4.0.2 answer the same way
 * (spec/signatures.md §3.10): classification by instruction id, never by capstone groups, and the
 * fix-ups F1-F8 for the encodings where the two decoders disagree on validity or length.
 * Capstone's handles allocate with the C library (CS_OPT_MEM is process-global, so it is never
 * set); everything else here goes through the engine allocator.
 */
#include "disasm.h"

#include <capstone/capstone.h>

#define IG_TAG_DISASM IG_TAG('C', 'b', 'D', 's')

struct IG_DISASM
{
    IG_ALLOCATOR Allocator;
    csh Handle32;
    csh Handle64;
    cs_insn *Insn32;
    cs_insn *Insn64;
};

static void IgDisasmClose(IG_DISASM *D)
{
    if (D->Insn32)
    {
        cs_free(D->Insn32, 1);
        D->Insn32 = NULL;
    }
    if (D->Insn64)
    {
        cs_free(D->Insn64, 1);
        D->Insn64 = NULL;
    }
    if (D->Handle32)
    {
        cs_close(&D->Handle32);
    }
    if (D->Handle64)
    {
        cs_close(&D->Handle64);
    }
}

static bool IgDisasmOpen(csh *Handle, cs_insn **Insn, cs_mode Mode)
{
    if (cs_open(CS_ARCH_X86, Mode, Handle) != CS_ERR_OK)
    {
        *Handle = 0;
        return false;
    }
    /* Detail gives operands, prefixes and REX; Intel syntax (the default) puts the destination first. */
    if (cs_option(*Handle, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK)
    {
        return false;
    }
    *Insn = cs_malloc(*Handle);
    return *Insn != NULL;
}

INTSTATUS IgDisasmCreate(const IG_ALLOCATOR *Allocator, IG_DISASM **Disasm)
{
    IG_DISASM *d = NULL;
    INTSTATUS status;

    if (Disasm)
    {
        *Disasm = NULL;
    }
    if (!Allocator || !Allocator->Alloc || !Allocator->Free)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Disasm)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = Allocator->Alloc(Allocator->Context, (void **)&d, sizeof(*d), IG_TAG_DISASM);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    d->Allocator = *Allocator;
    d->Handle32 = d->Handle64 = 0;
    d->Insn32 = d->Insn64 = NULL;
    if (!IgDisasmOpen(&d->Handle32, &d->Insn32, CS_MODE_32) || !IgDisasmOpen(&d->Handle64, &d->Insn64, CS_MODE_64))
    {
        IgDisasmClose(d);
        Allocator->Free(Allocator->Context, (void **)&d, IG_TAG_DISASM);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Disasm = d;
    return INT_STATUS_SUCCESS;
}

void IgDisasmDestroy(IG_DISASM *Disasm)
{
    IG_ALLOCATOR allocator;

    if (!Disasm)
    {
        return;
    }
    IgDisasmClose(Disasm);
    allocator = Disasm->Allocator;
    allocator.Free(allocator.Context, (void **)&Disasm, IG_TAG_DISASM);
}

/* ---- Raw-byte helpers for the fix-ups ------------------------------------------------------------------------- */

typedef struct IG_PREFIXES
{
    size_t Length; /* legacy prefixes plus REX */
    bool OpSize;   /* 66 */
    bool AddrSize; /* 67 */
    bool Rep;      /* F3 */
    bool Repne;    /* F2 */
    uint8_t Rex;   /* 0 when absent */
} IG_PREFIXES;

static bool IgIsLegacyPrefix(uint8_t B)
{
    return B == 0xF0 || B == 0xF2 || B == 0xF3 || B == 0x2E || B == 0x36 || B == 0x3E || B == 0x26 || B == 0x64 ||
           B == 0x65 || B == 0x66 || B == 0x67;
}

/* Scans prefixes; false if nothing but prefixes fits in Size (or more than an instruction's worth). */
static bool IgScanPrefixes(const uint8_t *Code, size_t Size, bool Mode64, IG_PREFIXES *P)
{
    size_t i = 0;

    *P = (IG_PREFIXES){0};
    while (i < Size && i < IG_INSN_MAX_LENGTH && IgIsLegacyPrefix(Code[i]))
    {
        P->OpSize |= Code[i] == 0x66;
        P->AddrSize |= Code[i] == 0x67;
        P->Rep |= Code[i] == 0xF3;
        P->Repne |= Code[i] == 0xF2;
        i++;
    }
    if (Mode64 && i < Size && (Code[i] & 0xF0) == 0x40)
    {
        P->Rex = Code[i];
        i++;
    }
    P->Length = i;
    return i < Size && i < IG_INSN_MAX_LENGTH;
}

/* Bytes taken by a ModRM byte and what follows it (SIB, displacement); 0 if they do not fit. */
static size_t IgModrmLength(const uint8_t *Modrm, size_t Avail, bool Addr16)
{
    uint8_t mod;
    uint8_t rm;
    size_t len = 1;

    if (Avail < 1)
    {
        return 0;
    }
    mod = Modrm[0] >> 6;
    rm = Modrm[0] & 7;
    if (mod == 3)
    {
        return 1;
    }
    if (Addr16)
    {
        len += (mod == 1) ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
    }
    else
    {
        if (rm == 4)
        {
            if (Avail < 2)
            {
                return 0;
            }
            len++;
            if (mod == 0 && (Modrm[1] & 7) == 5)
            {
                len += 4;
            }
        }
        else if (mod == 0 && rm == 5)
        {
            len += 4;
        }
        len += (mod == 1) ? 1 : (mod == 2) ? 4 : 0;
    }
    return len <= Avail ? len : 0;
}

static bool IgAddr16(bool Mode64, const IG_PREFIXES *P)
{
    /* 16-bit addressing exists only in 32-bit mode with a 67 prefix. */
    return !Mode64 && P->AddrSize;
}

/* Finishes a raw-decoded instruction: true when Length fits in Size and an instruction's maximum. */
static bool IgRawResult(size_t Length, size_t Size, uint8_t Class, IG_DECODED *Out)
{
    if (Length == 0 || Length > Size || Length > IG_INSN_MAX_LENGTH)
    {
        return false;
    }
    Out->Length = (uint8_t)Length;
    Out->Class = Class;
    return true;
}

/*
 * Encodings capstone 4 rejects but bddisasm decodes (F3 JMPE, F4 hint NOPs, F8 segment MOV with
 * REX.R).  Only tried after capstone failed.
 */
static bool IgDecodeRejected(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out);

/* ---- Classification -----------------------------------------------------------------------------------------------
 */

static bool IgIsCrOrDr(x86_reg Reg)
{
    return (Reg >= X86_REG_CR0 && Reg <= X86_REG_CR15) || (Reg >= X86_REG_DR0 && Reg <= X86_REG_DR15);
}

/* F6: control and debug registers bddisasm does not accept. */
static bool IgIsInvalidCrOrDr(x86_reg Reg)
{
    return Reg == X86_REG_CR1 || (Reg >= X86_REG_CR5 && Reg <= X86_REG_CR7) ||
           (Reg >= X86_REG_CR9 && Reg <= X86_REG_CR15) || (Reg >= X86_REG_DR8 && Reg <= X86_REG_DR15);
}

/* Returns false when the instruction must count as a decode failure (F5, F6). */
static bool IgClassifyMov(const cs_x86 *X, uint8_t *Class)
{
    bool allReg = X->op_count > 0;
    bool anyMem = false;
    bool anyImm = false;
    bool crdr = false;

    for (uint8_t i = 0; i < X->op_count && i < 8; i++)
    {
        const cs_x86_op *op = &X->operands[i];

        if (op->type == X86_OP_REG)
        {
            if (IgIsInvalidCrOrDr(op->reg))
            {
                return false;
            }
            crdr |= IgIsCrOrDr(op->reg);
            if (i == 0 && op->reg == X86_REG_CS)
            {
                return false; /* F5: MOV to CS is invalid */
            }
        }
        else
        {
            allReg = false;
        }
        anyMem |= op->type == X86_OP_MEM;
        anyImm |= op->type == X86_OP_IMM;
    }
    if (crdr)
    {
        *Class = IgCbInsNone; /* MOV_CR / MOV_DR are other classes in bddisasm */
    }
    else if (allReg)
    {
        *Class = IgCbInsMovReg;
    }
    else if (anyMem)
    {
        *Class = IgCbInsMovMem;
    }
    else if (anyImm)
    {
        *Class = IgCbInsMovImm;
    }
    else
    {
        *Class = IgCbInsNone;
    }
    return true;
}

/* Returns false when the instruction must count as a decode failure. */
static bool IgClassify(const cs_insn *Insn, uint8_t *Class)
{
    const cs_x86 *x = &Insn->detail->x86;

    *Class = IgCbInsNone;

    /* F7: a LOCK prefix needs a memory destination. */
    if (x->prefix[0] == X86_PREFIX_LOCK && (x->op_count == 0 || x->operands[0].type != X86_OP_MEM))
    {
        return false;
    }

    switch (Insn->id)
    {
        case X86_INS_JO:
        case X86_INS_JNO:
        case X86_INS_JB:
        case X86_INS_JAE:
        case X86_INS_JE:
        case X86_INS_JNE:
        case X86_INS_JBE:
        case X86_INS_JA:
        case X86_INS_JS:
        case X86_INS_JNS:
        case X86_INS_JP:
        case X86_INS_JNP:
        case X86_INS_JL:
        case X86_INS_JGE:
        case X86_INS_JLE:
        case X86_INS_JG:
            *Class = IgCbInsJc;
            break;
        case X86_INS_JMP:
        case X86_INS_LJMP:
            *Class = IgCbInsJmp;
            break;
        case X86_INS_CALL:
        case X86_INS_LCALL:
            *Class = IgCbInsCall;
            break;
        case X86_INS_RET:
        case X86_INS_RETF:
        case X86_INS_RETFQ:
            *Class = IgCbInsRet;
            break;
        case X86_INS_STOSB:
        case X86_INS_STOSW:
        case X86_INS_STOSD:
        case X86_INS_STOSQ:
        case X86_INS_LODSB:
        case X86_INS_LODSW:
        case X86_INS_LODSD:
        case X86_INS_LODSQ:
            *Class = IgCbInsStr;
            break;
        case X86_INS_XCHG:
        case X86_INS_CMPXCHG:
            *Class = IgCbInsXchg;
            break;
        case X86_INS_BT:
        case X86_INS_BTC:
        case X86_INS_BTR:
        case X86_INS_BTS:
            *Class = IgCbInsBt;
            break;
        case X86_INS_MOV:
        case X86_INS_MOVABS:
            return IgClassifyMov(x, Class);
        case X86_INS_PUSHF:
        case X86_INS_PUSHFD:
        case X86_INS_PUSHFQ:
        case X86_INS_POPF:
        case X86_INS_POPFD:
        case X86_INS_POPFQ:
            *Class = IgCbInsFlags;
            break;
        default:
            break;
    }
    return true;
}

/* ---- Decoding -----------------------------------------------------------------------------------------------------
 */

static bool IgCapstoneDecode(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, const cs_insn **Insn)
{
    csh handle = Mode64 ? D->Handle64 : D->Handle32;
    cs_insn *insn = Mode64 ? D->Insn64 : D->Insn32;
    const uint8_t *code = Code;
    size_t size = Size;
    uint64_t address = 0;

    if (!cs_disasm_iter(handle, &code, &size, &address, insn))
    {
        return false;
    }
    *Insn = insn;
    return insn->size > 0 && insn->size <= Size;
}

INTSTATUS IgDisasmDecodeCapstone(IG_DISASM *Disasm, bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out)
{
    const cs_insn *insn = NULL;
    size_t length;
    uint8_t cls;

    if (Out)
    {
        Out->Length = 0;
        Out->Class = IgCbInsNone;
    }
    if (!Disasm)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Code || !Out)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    if (Size == 0)
    {
        return INT_STATUS_NOT_FOUND;
    }
    if (Size > IG_INSN_MAX_LENGTH)
    {
        Size = IG_INSN_MAX_LENGTH; /* the decoder never needs more; bounds capstone's work */
    }

    if (!IgCapstoneDecode(Disasm, Mode64, Code, Size, &insn))
    {
        return IgDecodeRejected(Disasm, Mode64, Code, Size, Out) ? INT_STATUS_SUCCESS : INT_STATUS_NOT_FOUND;
    }
    if (!IgClassify(insn, &cls))
    {
        return INT_STATUS_NOT_FOUND;
    }
    length = insn->size;

    {
        const cs_x86 *x = &insn->detail->x86;
        uint8_t op0 = x->opcode[0];

        /* F1: in 64-bit mode a 66 prefix does not shrink near CALL/JMP/Jcc rel32 (bddisasm forces 64-bit). */
        if (Mode64 && x->prefix[2] == 0x66 && !(x->rex & 0x08) &&
            (op0 == 0xE8 || op0 == 0xE9 || (op0 == 0x0F && (x->opcode[1] & 0xF0) == 0x80)))
        {
            length += 2;
        }
        /* F2: UD0 and UD1 (capstone's UD2B) take a ModRM operand in bddisasm. */
        if ((insn->id == X86_INS_UD0 || insn->id == X86_INS_UD2B) && op0 == 0x0F)
        {
            IG_PREFIXES p;
            size_t m;

            if (!IgScanPrefixes(Code, Size, Mode64, &p) || Size - p.Length < 2)
            {
                return INT_STATUS_NOT_FOUND;
            }
            m = IgModrmLength(Code + p.Length + 2, Size - p.Length - 2, IgAddr16(Mode64, &p));
            if (m == 0)
            {
                return INT_STATUS_NOT_FOUND;
            }
            length = p.Length + 2 + m;
        }
    }
    return IgRawResult(length, Size, cls, Out) ? INT_STATUS_SUCCESS : INT_STATUS_NOT_FOUND;
}

static bool IgDecodeRejected(IG_DISASM *D, bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out)
{
    IG_PREFIXES p;
    const uint8_t *op;
    size_t left;

    if (!IgScanPrefixes(Code, Size, Mode64, &p))
    {
        return false;
    }
    op = Code + p.Length;
    left = Size - p.Length;

    /* F8: REX before a segment-register MOV (8C/8E); bddisasm ignores REX.R for the segment register. */
    if (Mode64 && p.Rex && (op[0] == 0x8C || op[0] == 0x8E))
    {
        uint8_t copy[IG_INSN_MAX_LENGTH];
        const cs_insn *insn = NULL;
        size_t rexAt = p.Length - 1;
        uint8_t cls;

        /* The same bytes without the REX byte. */
        for (size_t i = 0, j = 0; i < Size && j < sizeof(copy); i++)
        {
            if (i != rexAt)
            {
                copy[j++] = Code[i];
            }
        }
        if (!IgCapstoneDecode(D, Mode64, copy, Size - 1, &insn) || !IgClassify(insn, &cls))
        {
            return false;
        }
        return IgRawResult((size_t)insn->size + 1, Size, cls, Out);
    }

    if (left < 2 || op[0] != 0x0F)
    {
        return false;
    }

    /* F3: JMPE, 32-bit mode only: 0F B8 rel16/32 without F2/F3, and 0F 00 /6. */
    if (!Mode64 && op[1] == 0xB8 && !p.Rep && !p.Repne)
    {
        return IgRawResult(p.Length + 2 + (p.OpSize ? 2 : 4), Size, IgCbInsJmp, Out);
    }
    if (!Mode64 && op[1] == 0x00 && left >= 3 && ((op[2] >> 3) & 7) == 6)
    {
        size_t m = IgModrmLength(op + 2, left - 2, IgAddr16(Mode64, &p));
        return m != 0 && IgRawResult(p.Length + 2 + m, Size, IgCbInsJmp, Out);
    }

    /* F4: hint-NOP space: 0F 0D register form, 0F 18-1F register form, 0F 1E without F3. */
    if (left >= 3 && ((op[1] == 0x0D && (op[2] >> 6) == 3) || (op[1] >= 0x18 && op[1] <= 0x1F && (op[2] >> 6) == 3) ||
                      (op[1] == 0x1E && !p.Rep)))
    {
        size_t m = IgModrmLength(op + 2, left - 2, IgAddr16(Mode64, &p));
        return m != 0 && IgRawResult(p.Length + 2 + m, Size, IgCbInsNone, Out);
    }
    return false;
}

/* ---- Operand decoding (IG_DISASM_DETAIL) ------------------------------------------------------------------------
 */

#define IG_TAG_DISASM_DETAIL IG_TAG('W', 'r', 'D', 's')

struct IG_DISASM_DETAIL
{
    IG_ALLOCATOR Allocator;
    csh Handle;
    cs_insn *Insn;
    cs_mode Mode; /* the handle's current mode: switched only when a guest changes code size */
};

static void IgDisasmDetailClose(IG_DISASM_DETAIL *D)
{
    if (D->Insn)
    {
        cs_free(D->Insn, 1);
        D->Insn = NULL;
    }
    if (D->Handle)
    {
        cs_close(&D->Handle);
    }
}

INTSTATUS IgDisasmDetailCreate(const IG_ALLOCATOR *Allocator, IG_DISASM_DETAIL **Detail)
{
    IG_DISASM_DETAIL *d = NULL;
    INTSTATUS status;

    if (Detail)
    {
        *Detail = NULL;
    }
    if (!Allocator || !Allocator->Alloc || !Allocator->Free)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Detail)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    status = Allocator->Alloc(Allocator->Context, (void **)&d, sizeof(*d), IG_TAG_DISASM_DETAIL);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    d->Allocator = *Allocator;
    d->Handle = 0;
    d->Insn = NULL;
    d->Mode = CS_MODE_64;
    if (!IgDisasmOpen(&d->Handle, &d->Insn, CS_MODE_64))
    {
        IgDisasmDetailClose(d);
        Allocator->Free(Allocator->Context, (void **)&d, IG_TAG_DISASM_DETAIL);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    *Detail = d;
    return INT_STATUS_SUCCESS;
}

void IgDisasmDetailDestroy(IG_DISASM_DETAIL *Detail)
{
    IG_ALLOCATOR allocator;

    if (!Detail)
    {
        return;
    }
    IgDisasmDetailClose(Detail);
    allocator = Detail->Allocator;
    allocator.Free(allocator.Context, (void **)&Detail, IG_TAG_DISASM_DETAIL);
}

/* General-purpose, instruction-pointer and segment registers; vector registers are ranges (IgDisMapReg). */
#define IG_DIS_GPR(Index, Size)                                                                                        \
    {                                                                                                                  \
        IgDisRegGpr, (Index), (Size)                                                                                   \
    }
#define IG_DIS_RN(N)                                                                                                   \
    [X86_REG_R##N] = IG_DIS_GPR(N, 8), [X86_REG_R##N##D] = IG_DIS_GPR(N, 4), [X86_REG_R##N##W] = IG_DIS_GPR(N, 2),     \
    [X86_REG_R##N##B] = IG_DIS_GPR(N, 1)

static const IG_DIS_REG gIgDisRegTable[X86_REG_ENDING] = {
    [X86_REG_RAX] = IG_DIS_GPR(0, 8),
    [X86_REG_EAX] = IG_DIS_GPR(0, 4),
    [X86_REG_AX] = IG_DIS_GPR(0, 2),
    [X86_REG_AL] = IG_DIS_GPR(0, 1),
    [X86_REG_AH] = {IgDisRegGprHigh8, 0, 1},
    [X86_REG_RCX] = IG_DIS_GPR(1, 8),
    [X86_REG_ECX] = IG_DIS_GPR(1, 4),
    [X86_REG_CX] = IG_DIS_GPR(1, 2),
    [X86_REG_CL] = IG_DIS_GPR(1, 1),
    [X86_REG_CH] = {IgDisRegGprHigh8, 1, 1},
    [X86_REG_RDX] = IG_DIS_GPR(2, 8),
    [X86_REG_EDX] = IG_DIS_GPR(2, 4),
    [X86_REG_DX] = IG_DIS_GPR(2, 2),
    [X86_REG_DL] = IG_DIS_GPR(2, 1),
    [X86_REG_DH] = {IgDisRegGprHigh8, 2, 1},
    [X86_REG_RBX] = IG_DIS_GPR(3, 8),
    [X86_REG_EBX] = IG_DIS_GPR(3, 4),
    [X86_REG_BX] = IG_DIS_GPR(3, 2),
    [X86_REG_BL] = IG_DIS_GPR(3, 1),
    [X86_REG_BH] = {IgDisRegGprHigh8, 3, 1},
    [X86_REG_RSP] = IG_DIS_GPR(4, 8),
    [X86_REG_ESP] = IG_DIS_GPR(4, 4),
    [X86_REG_SP] = IG_DIS_GPR(4, 2),
    [X86_REG_SPL] = IG_DIS_GPR(4, 1),
    [X86_REG_RBP] = IG_DIS_GPR(5, 8),
    [X86_REG_EBP] = IG_DIS_GPR(5, 4),
    [X86_REG_BP] = IG_DIS_GPR(5, 2),
    [X86_REG_BPL] = IG_DIS_GPR(5, 1),
    [X86_REG_RSI] = IG_DIS_GPR(6, 8),
    [X86_REG_ESI] = IG_DIS_GPR(6, 4),
    [X86_REG_SI] = IG_DIS_GPR(6, 2),
    [X86_REG_SIL] = IG_DIS_GPR(6, 1),
    [X86_REG_RDI] = IG_DIS_GPR(7, 8),
    [X86_REG_EDI] = IG_DIS_GPR(7, 4),
    [X86_REG_DI] = IG_DIS_GPR(7, 2),
    [X86_REG_DIL] = IG_DIS_GPR(7, 1),
    IG_DIS_RN(8),
    IG_DIS_RN(9),
    IG_DIS_RN(10),
    IG_DIS_RN(11),
    IG_DIS_RN(12),
    IG_DIS_RN(13),
    IG_DIS_RN(14),
    IG_DIS_RN(15),
    [X86_REG_RIP] = {IgDisRegIp, 0, 8},
    [X86_REG_EIP] = {IgDisRegIp, 0, 4},
    [X86_REG_IP] = {IgDisRegIp, 0, 2},
    [X86_REG_ES] = {IgDisRegSegment, IgDisSegEs, 2},
    [X86_REG_CS] = {IgDisRegSegment, IgDisSegCs, 2},
    [X86_REG_SS] = {IgDisRegSegment, IgDisSegSs, 2},
    [X86_REG_DS] = {IgDisRegSegment, IgDisSegDs, 2},
    [X86_REG_FS] = {IgDisRegSegment, IgDisSegFs, 2},
    [X86_REG_GS] = {IgDisRegSegment, IgDisSegGs, 2},
};

static IG_DIS_REG IgDisMapReg(x86_reg Reg)
{
    if (Reg <= X86_REG_INVALID || Reg >= X86_REG_ENDING)
    {
        return (IG_DIS_REG){IgDisRegNone, 0, 0};
    }
    if (gIgDisRegTable[Reg].Kind != IgDisRegNone)
    {
        return gIgDisRegTable[Reg];
    }
    if (Reg >= X86_REG_XMM0 && Reg <= X86_REG_XMM31)
    {
        return (IG_DIS_REG){IgDisRegVector, (uint8_t)(Reg - X86_REG_XMM0), 16};
    }
    if (Reg >= X86_REG_YMM0 && Reg <= X86_REG_YMM31)
    {
        return (IG_DIS_REG){IgDisRegVector, (uint8_t)(Reg - X86_REG_YMM0), 32};
    }
    if (Reg >= X86_REG_ZMM0 && Reg <= X86_REG_ZMM31)
    {
        return (IG_DIS_REG){IgDisRegVector, (uint8_t)(Reg - X86_REG_ZMM0), 64};
    }
    if (Reg >= X86_REG_MM0 && Reg <= X86_REG_MM7)
    {
        return (IG_DIS_REG){IgDisRegVector, (uint8_t)(Reg - X86_REG_MM0), 8};
    }
    return (IG_DIS_REG){IgDisRegOther, 0, 0};
}

/* The SSE/AVX/MMX register moves (MOVSD is the SSE form; the string form is classified before). */
static const uint16_t gIgDisVectorMoves[] = {
    X86_INS_MOVAPS,    X86_INS_MOVAPD,    X86_INS_MOVUPS,    X86_INS_MOVUPD,   X86_INS_MOVDQA,   X86_INS_MOVDQU,
    X86_INS_MOVNTDQ,   X86_INS_MOVNTPS,   X86_INS_MOVNTPD,   X86_INS_MOVNTQ,   X86_INS_MOVNTSS,  X86_INS_MOVNTSD,
    X86_INS_MOVQ,      X86_INS_MOVD,      X86_INS_MOVSS,     X86_INS_MOVSD,    X86_INS_MOVLPS,   X86_INS_MOVLPD,
    X86_INS_MOVHPS,    X86_INS_MOVHPD,    X86_INS_VMOVAPS,   X86_INS_VMOVAPD,  X86_INS_VMOVUPS,  X86_INS_VMOVUPD,
    X86_INS_VMOVDQA,   X86_INS_VMOVDQA32, X86_INS_VMOVDQA64, X86_INS_VMOVDQU,  X86_INS_VMOVDQU8, X86_INS_VMOVDQU16,
    X86_INS_VMOVDQU32, X86_INS_VMOVDQU64, X86_INS_VMOVNTDQ,  X86_INS_VMOVNTPS, X86_INS_VMOVNTPD, X86_INS_VMOVQ,
    X86_INS_VMOVD,     X86_INS_VMOVSS,    X86_INS_VMOVSD,    X86_INS_VMOVLPS,  X86_INS_VMOVLPD,  X86_INS_VMOVHPS,
    X86_INS_VMOVHPD,
};

/* Operation classes whose capstone ids map one to one. */
static const struct
{
    uint16_t Id;
    uint8_t Op;
} gIgDisOpTable[] = {
    {X86_INS_MOV, IgDisOpMov},
    {X86_INS_MOVABS, IgDisOpMov},
    {X86_INS_MOVNTI, IgDisOpMov},
    {X86_INS_XCHG, IgDisOpXchg},
    {X86_INS_XADD, IgDisOpXadd},
    {X86_INS_CMPXCHG, IgDisOpCmpxchg},
    {X86_INS_CMPXCHG8B, IgDisOpCmpxchg8b},
    {X86_INS_CMPXCHG16B, IgDisOpCmpxchg16b},
    {X86_INS_STOSB, IgDisOpStos},
    {X86_INS_STOSW, IgDisOpStos},
    {X86_INS_STOSD, IgDisOpStos},
    {X86_INS_STOSQ, IgDisOpStos},
    {X86_INS_MOVSB, IgDisOpMovs},
    {X86_INS_MOVSW, IgDisOpMovs},
    {X86_INS_MOVSQ, IgDisOpMovs},
    {X86_INS_ADD, IgDisOpAdd},
    {X86_INS_ADC, IgDisOpAdc},
    {X86_INS_SUB, IgDisOpSub},
    {X86_INS_SBB, IgDisOpSbb},
    {X86_INS_AND, IgDisOpAnd},
    {X86_INS_OR, IgDisOpOr},
    {X86_INS_XOR, IgDisOpXor},
    {X86_INS_INC, IgDisOpInc},
    {X86_INS_DEC, IgDisOpDec},
    {X86_INS_NEG, IgDisOpNeg},
    {X86_INS_NOT, IgDisOpNot},
    {X86_INS_SHL, IgDisOpShl},
    {X86_INS_SAL, IgDisOpShl},
    {X86_INS_SHR, IgDisOpShr},
    {X86_INS_SAR, IgDisOpSar},
    {X86_INS_ROL, IgDisOpRol},
    {X86_INS_ROR, IgDisOpRor},
    {X86_INS_RCL, IgDisOpRcl},
    {X86_INS_RCR, IgDisOpRcr},
    {X86_INS_BTS, IgDisOpBts},
    {X86_INS_BTR, IgDisOpBtr},
    {X86_INS_BTC, IgDisOpBtc},
    {X86_INS_PUSH, IgDisOpPush},
    {X86_INS_MOVZX, IgDisOpNoMemWrite},
    {X86_INS_MOVSX, IgDisOpNoMemWrite},
    {X86_INS_MOVSXD, IgDisOpNoMemWrite},
    {X86_INS_CMP, IgDisOpNoMemWrite},
    {X86_INS_TEST, IgDisOpNoMemWrite},
    {X86_INS_BT, IgDisOpNoMemWrite},
};

static uint8_t IgDisClassifyOp(const cs_insn *Insn, uint8_t *Condition)
{
    const cs_x86 *x = &Insn->detail->x86;

    *Condition = 0;
    /* capstone 4 names the string MOVSD and the SSE MOVSD alike; the opcode tells them apart. */
    if (Insn->id == X86_INS_MOVSD && x->opcode[0] == 0xA5)
    {
        return IgDisOpMovs;
    }
    /* SETcc is 0F 90+cc; the condition code is the opcode's low nibble (the ids are contiguous in capstone 4). */
    if (x->opcode[0] == 0x0F && (x->opcode[1] & 0xF0) == 0x90 && Insn->id >= X86_INS_SETAE && Insn->id <= X86_INS_SETS)
    {
        *Condition = x->opcode[1] & 0x0F;
        return IgDisOpSetcc;
    }
    for (size_t i = 0; i < sizeof(gIgDisOpTable) / sizeof(gIgDisOpTable[0]); i++)
    {
        if (gIgDisOpTable[i].Id == Insn->id)
        {
            return gIgDisOpTable[i].Op;
        }
    }
    for (size_t i = 0; i < sizeof(gIgDisVectorMoves) / sizeof(gIgDisVectorMoves[0]); i++)
    {
        if (gIgDisVectorMoves[i] == Insn->id)
        {
            return IgDisOpVectorStore; /* a store when the destination is memory */
        }
    }
    return IgDisOpOther;
}

/* Legacy prefixes and REX from the bytes; a REX counts only directly before the opcode. */
static void IgDisScanDetailPrefixes(const uint8_t *Code, size_t Length, uint8_t CodeBits, IG_DIS_INSN *Out)
{
    static const uint8_t segPrefix[IgDisSegCount] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};

    Out->SegmentOverride = IgDisSegNone;
    for (size_t i = 0; i < Length; i++)
    {
        uint8_t b = Code[i];
        bool legacy = true;

        if (CodeBits == 64 && (b & 0xF0) == 0x40)
        {
            Out->Rex = b;
            continue;
        }
        if (b == 0xF0)
        {
            Out->Lock = true;
        }
        else if (b == 0xF2)
        {
            Out->Repne = true;
        }
        else if (b == 0xF3)
        {
            Out->Rep = true;
        }
        else if (b == 0x66)
        {
            Out->OpSizePrefix = true;
        }
        else if (b == 0x67)
        {
            Out->AddrSizePrefix = true;
        }
        else
        {
            legacy = false;
            for (uint8_t s = 0; s < IgDisSegCount; s++)
            {
                if (b == segPrefix[s])
                {
                    Out->SegmentOverride = s;
                    legacy = true;
                }
            }
        }
        if (!legacy)
        {
            return; /* the opcode */
        }
        Out->Rex = 0; /* a REX followed by a legacy prefix is ignored */
    }
}

static void IgDisFillOperand(const cs_x86_op *Op, bool StringDestination, IG_DIS_OPERAND *Out)
{
    Out->Size = Op->size;
    switch (Op->type)
    {
        case X86_OP_REG:
            Out->Type = IgDisOperandReg;
            Out->Reg = IgDisMapReg(Op->reg);
            break;
        case X86_OP_IMM:
            Out->Type = IgDisOperandImm;
            Out->Imm = Op->imm;
            break;
        case X86_OP_MEM:
        {
            IG_DIS_REG seg = IgDisMapReg(Op->mem.segment);

            Out->Type = IgDisOperandMem;
            Out->Mem.Base = IgDisMapReg(Op->mem.base);
            Out->Mem.Index = IgDisMapReg(Op->mem.index);
            Out->Mem.Scale = (uint8_t)Op->mem.scale;
            Out->Mem.Disp = Op->mem.disp;
            if (StringDestination)
            {
                Out->Mem.Segment = IgDisSegEs; /* ES:[rDI] cannot be overridden */
            }
            else if (seg.Kind == IgDisRegSegment)
            {
                Out->Mem.Segment = seg.Index;
            }
            else if (Out->Mem.Base.Kind == IgDisRegGpr && (Out->Mem.Base.Index == 4 || Out->Mem.Base.Index == 5))
            {
                Out->Mem.Segment = IgDisSegSs;
            }
            else
            {
                Out->Mem.Segment = IgDisSegDs;
            }
            break;
        }
        default:
            Out->Type = IgDisOperandNone;
            break;
    }
}

INTSTATUS IgDisasmDetailDecode(IG_DISASM_DETAIL *Detail, uint8_t CodeBits, const uint8_t *Code, size_t Size,
                               IG_DIS_INSN *Out)
{
    IG_DIS_INSN insn = {0};
    const cs_x86 *x;
    const uint8_t *code = Code;
    uint64_t address = 0;
    cs_mode mode;
    size_t size;

    if (Out)
    {
        *Out = (IG_DIS_INSN){0};
    }
    if (!Detail)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (CodeBits != 16 && CodeBits != 32 && CodeBits != 64)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Code || !Out)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    size = Size < IG_INSN_MAX_LENGTH ? Size : IG_INSN_MAX_LENGTH; /* one instruction, never more */
    if (size == 0)
    {
        return INT_STATUS_NOT_FOUND;
    }
    mode = CodeBits == 64 ? CS_MODE_64 : CodeBits == 32 ? CS_MODE_32 : CS_MODE_16;
    if (mode != Detail->Mode)
    {
        if (cs_option(Detail->Handle, CS_OPT_MODE, mode) != CS_ERR_OK)
        {
            return INT_STATUS_NOT_SUPPORTED;
        }
        Detail->Mode = mode;
    }
    if (!cs_disasm_iter(Detail->Handle, &code, &size, &address, Detail->Insn) || Detail->Insn->size == 0 ||
        Detail->Insn->size > IG_INSN_MAX_LENGTH || Detail->Insn->size > Size)
    {
        return INT_STATUS_NOT_FOUND;
    }
    x = &Detail->Insn->detail->x86;

    insn.Length = (uint8_t)Detail->Insn->size;
    insn.CodeBits = CodeBits;
    insn.Op = IgDisClassifyOp(Detail->Insn, &insn.Condition);
    IgDisScanDetailPrefixes(Code, insn.Length, CodeBits, &insn);
    if (CodeBits == 64)
    {
        insn.AddressSize = insn.AddrSizePrefix ? 4 : 8;
    }
    else if (CodeBits == 32)
    {
        insn.AddressSize = insn.AddrSizePrefix ? 2 : 4;
    }
    else
    {
        insn.AddressSize = insn.AddrSizePrefix ? 4 : 2;
    }
    if (x->op_count > IG_DIS_MAX_OPERANDS)
    {
        insn.Op = IgDisOpOther; /* nothing emulated has that many */
    }
    insn.OperandCount = x->op_count < IG_DIS_MAX_OPERANDS ? x->op_count : IG_DIS_MAX_OPERANDS;
    for (uint8_t i = 0; i < insn.OperandCount; i++)
    {
        bool stringDst = i == 0 && (insn.Op == IgDisOpStos || insn.Op == IgDisOpMovs);

        IgDisFillOperand(&x->operands[i], stringDst, &insn.Operands[i]);
    }
    *Out = insn;
    return INT_STATUS_SUCCESS;
}
