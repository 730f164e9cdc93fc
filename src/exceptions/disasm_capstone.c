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

INTSTATUS IgDisasmDecode(IG_DISASM *Disasm, bool Mode64, const uint8_t *Code, size_t Size, IG_DECODED *Out)
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
