/*
 * Written values: one faulting instruction, emulated far enough to know the bytes it writes.
 *
 * Only the destination write is modelled (flags, register results and later REP iterations are
 * not), and only from what the caller gives: the GPRs and flags, the segment bases, the bytes at
 * RIP and guest memory.  Each form either computes its value exactly or names what it lacks.
 * The x86 rules relied on are the architectural ones (Intel SDM vol. 2 per instruction); where a
 * rule is model-specific (PUSH of a segment register), the value is unknown.
 */
#include "write_decode.h"

#include <string.h>

typedef struct IG_WD
{
    const IG_WRITE_REQUEST *Req;
    const IG_DIS_INSN *Insn;
    IG_WRITE_INFO *Info;
    bool Mode64;
} IG_WD;

#define IG_WD_CF (1ull << 0)
#define IG_WD_PF (1ull << 2)
#define IG_WD_ZF (1ull << 6)
#define IG_WD_SF (1ull << 7)
#define IG_WD_OF (1ull << 11)

/* ---- Values and addresses ------------------------------------------------------------------------------------- */

static uint64_t IgWdMask(uint32_t Size)
{
    return Size >= 8 ? ~0ull : (1ull << (Size * 8)) - 1;
}

static int64_t IgWdSignExtend(uint64_t Value, uint32_t Size)
{
    uint64_t mask = IgWdMask(Size);

    Value &= mask;
    if (Size < 8 && (Value >> (Size * 8 - 1)) != 0)
    {
        Value |= ~mask;
    }
    return (int64_t)Value;
}

static uint64_t IgWdLoad(const uint8_t *Bytes, uint32_t Size)
{
    uint64_t v = 0;

    for (uint32_t i = 0; i < Size && i < 8; i++)
    {
        v |= (uint64_t)Bytes[i] << (8 * i);
    }
    return v;
}

/* General-purpose registers in encoding order (IG_DIS_REG Index). */
static uint64_t IgWdGpr(const IG_ARCH_REGS *R, uint8_t Index)
{
    const uint64_t gpr[16] = {R->Rax, R->Rcx, R->Rdx, R->Rbx, R->Rsp, R->Rbp, R->Rsi, R->Rdi,
                              R->R8,  R->R9,  R->R10, R->R11, R->R12, R->R13, R->R14, R->R15};

    return gpr[Index & 15];
}

/* 32-bit code addresses a 4 GiB linear space; 64-bit code wraps at 2^64. */
static uint64_t IgWdLinearMask(const IG_WD *W)
{
    return W->Mode64 ? ~0ull : 0xFFFFFFFFull;
}

static bool IgWdRegValue(const IG_WD *W, const IG_DIS_REG *Reg, uint64_t *Value)
{
    if (Reg->Kind == IgDisRegGpr)
    {
        *Value = IgWdGpr(W->Req->Regs, Reg->Index) & IgWdMask(Reg->Size);
        return true;
    }
    if (Reg->Kind == IgDisRegGprHigh8 && Reg->Index < 4)
    {
        *Value = (IgWdGpr(W->Req->Regs, Reg->Index) >> 8) & 0xFF;
        return true;
    }
    return false;
}

static uint64_t IgWdSegmentBase(const IG_WD *W, uint8_t Segment)
{
    if (Segment >= IgDisSegCount || (W->Mode64 && Segment != IgDisSegFs && Segment != IgDisSegGs))
    {
        return 0; /* 64-bit code: CS, DS, ES and SS have base 0 whatever their descriptors say */
    }
    return W->Req->SegmentBase[Segment];
}

/* The offset inside the segment: base + index * scale + displacement, wrapped to the address size. */
static bool IgWdEffective(const IG_WD *W, const IG_DIS_MEM *Mem, uint64_t *Ea)
{
    uint64_t ea = (uint64_t)Mem->Disp;

    if (Mem->Base.Kind == IgDisRegGpr)
    {
        ea += IgWdGpr(W->Req->Regs, Mem->Base.Index);
    }
    else if (Mem->Base.Kind == IgDisRegIp)
    {
        ea += W->Req->Regs->Rip + W->Insn->Length; /* relative to the next instruction */
    }
    else if (Mem->Base.Kind != IgDisRegNone)
    {
        return false;
    }
    if (Mem->Index.Kind == IgDisRegGpr)
    {
        ea += IgWdGpr(W->Req->Regs, Mem->Index.Index) * Mem->Scale;
    }
    else if (Mem->Index.Kind != IgDisRegNone)
    {
        return false; /* a vector index (VSIB): many addresses */
    }
    *Ea = ea & IgWdMask(W->Insn->AddressSize);
    return true;
}

static uint64_t IgWdLinear(const IG_WD *W, uint8_t Segment, uint64_t Ea)
{
    return (IgWdSegmentBase(W, Segment) + Ea) & IgWdLinearMask(W);
}

/* Reads Size bytes of linear memory; in 32-bit code a range that passes 4 GiB wraps to 0, as on the CPU. */
static bool IgWdRead(const IG_WD *W, uint64_t Address, uint8_t *Buffer, uint32_t Size)
{
    const IG_GUEST_VMEM *memory = W->Req->Memory;
    uint64_t cr3 = W->Req->Regs->Cr3;
    uint64_t limit = IgWdLinearMask(W);
    uint32_t first = Size;
    size_t done = 0;

    if (!memory || Size == 0)
    {
        return false;
    }
    if (!W->Mode64 && Size - 1 > limit - Address)
    {
        first = (uint32_t)(limit - Address + 1);
    }
    if (!INT_SUCCESS(IgGuestVmemRead(memory, cr3, Address, Buffer, first, &done)) || done != first)
    {
        return false;
    }
    if (first < Size &&
        (!INT_SUCCESS(IgGuestVmemRead(memory, cr3, 0, Buffer + first, Size - first, &done)) || done != Size - first))
    {
        return false;
    }
    return true;
}

/* ---- Results -------------------------------------------------------------------------------------------------- */

/* Records why the value is unknown; the first reason stays. */
static void IgWdFail(IG_WD *W, IG_WRITE_UNKNOWN Why)
{
    W->Info->NewKnown = false;
    memset(W->Info->New, 0, sizeof(W->Info->New));
    if (W->Info->Unknown == IgWriteKnown)
    {
        W->Info->Unknown = (uint8_t)Why;
    }
}

static void IgWdSetNew(IG_WD *W, uint64_t Low, uint64_t High)
{
    for (uint32_t i = 0; i < W->Info->Size && i < 16; i++)
    {
        W->Info->New[i] = (uint8_t)(i < 8 ? Low >> (8 * i) : High >> (8 * (i - 8)));
    }
    W->Info->NewKnown = true;
    W->Info->Unknown = IgWriteKnown;
}

/* Fills Info->Old with the Size bytes at Address: the caller's copy when it covers them, else one read. */
static bool IgWdFetchOld(IG_WD *W)
{
    const IG_WRITE_REQUEST *r = W->Req;
    IG_WRITE_INFO *info = W->Info;
    uint64_t offset;

    if (info->OldKnown)
    {
        return true;
    }
    if (!info->AddressKnown || info->Size == 0)
    {
        return false;
    }
    offset = (info->Address - r->OldGva) & IgWdLinearMask(W);
    if (r->Old && offset <= r->OldSize && info->Size <= r->OldSize - offset)
    {
        memcpy(info->Old, r->Old + offset, info->Size);
    }
    else if (!IgWdRead(W, info->Address, info->Old, info->Size))
    {
        memset(info->Old, 0, sizeof(info->Old));
        return false;
    }
    info->OldKnown = true;
    return true;
}

/* The old value as a number (forms up to 8 bytes); false with the reason recorded. */
static bool IgWdOldValue(IG_WD *W, uint64_t *Value)
{
    if (!IgWdFetchOld(W))
    {
        IgWdFail(W, IgWriteOldUnavailable);
        return false;
    }
    *Value = IgWdLoad(W->Info->Old, W->Info->Size);
    return true;
}

/* A register or immediate source truncated to Size; false with the reason recorded. */
static bool IgWdSource(IG_WD *W, uint8_t Operand, uint32_t Size, uint64_t *Value)
{
    const IG_DIS_OPERAND *op = &W->Insn->Operands[Operand];

    if (Operand >= W->Insn->OperandCount)
    {
        IgWdFail(W, IgWriteBadOperands);
        return false;
    }
    if (op->Type == IgDisOperandImm)
    {
        *Value = (uint64_t)op->Imm & IgWdMask(Size);
        return true;
    }
    if (op->Type == IgDisOperandReg && IgWdRegValue(W, &op->Reg, Value))
    {
        *Value &= IgWdMask(Size);
        return true;
    }
    IgWdFail(W, op->Type == IgDisOperandReg ? IgWriteRegisterUnavailable : IgWriteBadOperands);
    return false;
}

/* Size and Address from the memory destination (operand 0); false with the reason recorded. */
static bool IgWdDestination(IG_WD *W)
{
    const IG_DIS_OPERAND *dst = &W->Insn->Operands[0];
    uint64_t ea;

    if (W->Insn->OperandCount == 0 || dst->Type != IgDisOperandMem)
    {
        IgWdFail(W, IgWriteNoMemoryWrite);
        return false;
    }
    if (dst->Size == 0 || dst->Size > IG_WRITE_MAX_SIZE || !IgWdEffective(W, &dst->Mem, &ea))
    {
        IgWdFail(W, IgWriteBadOperands);
        return false;
    }
    W->Info->Size = dst->Size;
    W->Info->SizeFromExit = false;
    W->Info->Address = IgWdLinear(W, dst->Mem.Segment, ea);
    W->Info->AddressKnown = true;
    return true;
}

/* ---- Forms ---------------------------------------------------------------------------------------------------- */

/* MOV, XCHG: the register or immediate source. */
static void IgWdMove(IG_WD *W)
{
    uint64_t value;

    if (W->Info->Size > 8)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (IgWdSource(W, 1, W->Info->Size, &value))
    {
        IgWdSetNew(W, value, 0);
    }
}

/* ADD ADC SUB SBB AND OR XOR XADD INC DEC NEG NOT: old (op) source, with CF where it takes part. */
static void IgWdArith(IG_WD *W)
{
    uint8_t op = W->Insn->Op;
    uint32_t size = W->Info->Size;
    uint64_t cf = W->Req->Regs->Flags & IG_WD_CF;
    uint64_t src = 0;
    uint64_t old;
    uint64_t r;

    if (size > 8)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (op != IgDisOpInc && op != IgDisOpDec && op != IgDisOpNeg && op != IgDisOpNot && !IgWdSource(W, 1, size, &src))
    {
        return;
    }
    if (!IgWdOldValue(W, &old))
    {
        return;
    }
    switch (op)
    {
        case IgDisOpAdd:
        case IgDisOpXadd: /* the destination gets the sum; the register gets the old value */
            r = old + src;
            break;
        case IgDisOpAdc:
            r = old + src + cf;
            break;
        case IgDisOpSub:
            r = old - src;
            break;
        case IgDisOpSbb:
            r = old - src - cf;
            break;
        case IgDisOpAnd:
            r = old & src;
            break;
        case IgDisOpOr:
            r = old | src;
            break;
        case IgDisOpXor:
            r = old ^ src;
            break;
        case IgDisOpInc:
            r = old + 1;
            break;
        case IgDisOpDec:
            r = old - 1;
            break;
        case IgDisOpNeg:
            r = 0 - old;
            break;
        default: /* IgDisOpNot */
            r = ~old;
            break;
    }
    IgWdSetNew(W, r & IgWdMask(size), 0);
}

/* RCL/RCR rotate through CF, one bit at a time (at most 63 steps). */
static uint64_t IgWdRotateCarry(bool Left, uint64_t Value, uint32_t Count, uint32_t Width, uint64_t Cf)
{
    uint64_t mask = IgWdMask(Width / 8);

    for (uint32_t i = 0; i < Count; i++)
    {
        uint64_t out = Left ? (Value >> (Width - 1)) & 1 : Value & 1;

        Value = Left ? ((Value << 1) | Cf) & mask : (Value >> 1) | (Cf << (Width - 1));
        Cf = out;
    }
    return Value;
}

/*
 * The shifts and rotates, with the CPU's count masking: 5 bits (6 for 64-bit operands); a masked
 * count of 0 leaves the value as it was (what is written back is the old value).  SHL/SHR by the
 * width or more give 0, SAR gives the sign; ROL/ROR turn by count mod width, RCL/RCR by count mod
 * width + 1 for 8 and 16 bits.
 */
static uint64_t IgWdShiftValue(uint8_t Op, uint64_t Value, uint32_t Count, uint32_t Width, uint64_t Cf)
{
    uint64_t mask = IgWdMask(Width / 8);
    uint32_t c = Count & (Width == 64 ? 63u : 31u);
    uint32_t r;
    uint64_t sx;

    switch (Op)
    {
        case IgDisOpShl:
            return c >= Width ? 0 : (Value << c) & mask;
        case IgDisOpShr:
            return c >= Width ? 0 : Value >> c;
        case IgDisOpSar:
            sx = (uint64_t)IgWdSignExtend(Value, Width / 8);
            return ((sx >> 63) ? ~(~sx >> c) : sx >> c) & mask;
        case IgDisOpRol:
        case IgDisOpRor:
            r = c % Width;
            if (r == 0)
            {
                return Value;
            }
            return Op == IgDisOpRol ? ((Value << r) | (Value >> (Width - r))) & mask
                                    : ((Value >> r) | (Value << (Width - r))) & mask;
        default: /* IgDisOpRcl, IgDisOpRcr */
            r = Width <= 16 ? c % (Width + 1) : c;
            return IgWdRotateCarry(Op == IgDisOpRcl, Value, r, Width, Cf);
    }
}

static void IgWdShift(IG_WD *W)
{
    const IG_DIS_OPERAND *count = &W->Insn->Operands[1];
    uint32_t size = W->Info->Size;
    uint64_t n;
    uint64_t old;

    if (size > 8 || W->Insn->OperandCount < 2)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (count->Type == IgDisOperandImm)
    {
        n = (uint64_t)count->Imm & 0xFF;
    }
    else if (count->Type == IgDisOperandReg && count->Reg.Kind == IgDisRegGpr && count->Reg.Index == 1 &&
             count->Reg.Size == 1)
    {
        n = W->Req->Regs->Rcx & 0xFF; /* CL */
    }
    else
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (IgWdOldValue(W, &old))
    {
        IgWdSetNew(W, IgWdShiftValue(W->Insn->Op, old, (uint32_t)n, size * 8, W->Req->Regs->Flags & IG_WD_CF), 0);
    }
}

/*
 * BTS/BTR/BTC on memory.  An immediate offset is taken modulo the operand width, so it stays in the
 * unit.  A register offset is signed and may reach any unit: the CPU then writes the unit at
 * EA + (offset DIV width) * size, which is reported as the address, but the value is left unknown.
 */
static void IgWdBitOp(IG_WD *W)
{
    const IG_DIS_OPERAND *src = &W->Insn->Operands[1];
    uint32_t size = W->Info->Size;
    uint32_t width = size * 8;
    uint64_t bit;
    uint64_t raw;
    uint64_t old;

    if (size < 2 || size > 8 || W->Insn->OperandCount < 2)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (src->Type == IgDisOperandImm)
    {
        bit = (uint64_t)src->Imm & (width - 1);
    }
    else if (src->Type == IgDisOperandReg && IgWdRegValue(W, &src->Reg, &raw))
    {
        int64_t offset = IgWdSignExtend(raw, size);

        if (offset < 0 || offset >= (int64_t)width)
        {
            int64_t unit = offset / (int64_t)width - ((offset % (int64_t)width) < 0 ? 1 : 0);
            uint64_t ea;

            if (IgWdEffective(W, &W->Insn->Operands[0].Mem, &ea))
            {
                ea = (ea + (uint64_t)unit * size) & IgWdMask(W->Insn->AddressSize);
                W->Info->Address = IgWdLinear(W, W->Insn->Operands[0].Mem.Segment, ea);
            }
            IgWdFail(W, IgWriteBitOutsideUnit);
            return;
        }
        bit = (uint64_t)offset;
    }
    else
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (!IgWdOldValue(W, &old))
    {
        return;
    }
    switch (W->Insn->Op)
    {
        case IgDisOpBts:
            old |= 1ull << bit;
            break;
        case IgDisOpBtr:
            old &= ~(1ull << bit);
            break;
        default: /* IgDisOpBtc */
            old ^= 1ull << bit;
            break;
    }
    IgWdSetNew(W, old, 0);
}

/*
 * CMPXCHG: the CPU writes the destination whether or not the comparison succeeds (the old value
 * goes back when it fails), so an EPT write fault comes either way; the new value is the source
 * when old == rAX, else the old value.
 */
static void IgWdCmpxchg(IG_WD *W)
{
    uint32_t size = W->Info->Size;
    uint64_t src;
    uint64_t old;

    if (size > 8)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (!IgWdSource(W, 1, size, &src) || !IgWdOldValue(W, &old))
    {
        return;
    }
    IgWdSetNew(W, old == (W->Req->Regs->Rax & IgWdMask(size)) ? src : old, 0);
}

/* CMPXCHG8B (EDX:EAX against m64, ECX:EBX in) and CMPXCHG16B (RDX:RAX, RCX:RBX); same write-back rule. */
static void IgWdCmpxchgWide(IG_WD *W)
{
    const IG_ARCH_REGS *r = W->Req->Regs;
    bool wide = W->Insn->Op == IgDisOpCmpxchg16b;
    uint64_t cmpLow = wide ? r->Rax : ((r->Rdx & 0xFFFFFFFFull) << 32) | (r->Rax & 0xFFFFFFFFull);
    uint64_t newLow = wide ? r->Rbx : ((r->Rcx & 0xFFFFFFFFull) << 32) | (r->Rbx & 0xFFFFFFFFull);
    uint64_t oldLow;
    uint64_t oldHigh;

    if (W->Info->Size != (wide ? 16 : 8))
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (!IgWdFetchOld(W))
    {
        IgWdFail(W, IgWriteOldUnavailable);
        return;
    }
    oldLow = IgWdLoad(W->Info->Old, 8);
    oldHigh = wide ? IgWdLoad(W->Info->Old + 8, 8) : 0;
    if (oldLow == cmpLow && (!wide || oldHigh == r->Rdx))
    {
        IgWdSetNew(W, newLow, wide ? r->Rcx : 0);
    }
    else
    {
        IgWdSetNew(W, oldLow, oldHigh);
    }
}

/* The condition codes of Jcc/SETcc/CMOVcc, by their 4-bit encoding. */
static bool IgWdCondition(uint64_t Flags, uint8_t Cc)
{
    bool cf = (Flags & IG_WD_CF) != 0;
    bool zf = (Flags & IG_WD_ZF) != 0;
    bool sf = (Flags & IG_WD_SF) != 0;
    bool of = (Flags & IG_WD_OF) != 0;
    bool pf = (Flags & IG_WD_PF) != 0;
    bool r;

    switch ((Cc >> 1) & 7)
    {
        case 0:
            r = of;
            break;
        case 1:
            r = cf;
            break;
        case 2:
            r = zf;
            break;
        case 3:
            r = cf || zf;
            break;
        case 4:
            r = sf;
            break;
        case 5:
            r = pf;
            break;
        case 6:
            r = sf != of;
            break;
        default:
            r = zf || sf != of;
            break;
    }
    return (Cc & 1) ? !r : r;
}

/*
 * PUSH: the destination is [rSP - size] in SS.  The operand size is 8 in 64-bit code (2 with a 66
 * prefix unless REX.W), 4 in 32-bit code (2 with 66); 32-bit code is taken to use a 32-bit stack
 * (SS.B = 1), as every protected guest does.  rSP and a [rSP]-based source are read before the
 * decrement, as the CPU does.  A segment register push may write 2 bytes or a zero-extended
 * full-size value depending on the processor model, so it is left to the exit's size.
 */
static void IgWdPush(IG_WD *W)
{
    const IG_DIS_INSN *in = W->Insn;
    const IG_DIS_OPERAND *src = &in->Operands[0];
    uint8_t bytes[8];
    uint32_t size;
    uint64_t value;
    uint64_t ea;

    if (in->OperandCount != 1)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (src->Type == IgDisOperandReg && src->Reg.Kind == IgDisRegSegment)
    {
        IgWdFail(W, IgWriteRegisterUnavailable);
        return;
    }
    if (W->Mode64)
    {
        size = ((in->Rex & 0x08) || !in->OpSizePrefix) ? 8 : 2;
        W->Info->Address = W->Req->Regs->Rsp - size;
    }
    else
    {
        size = in->OpSizePrefix ? 2 : 4;
        W->Info->Address = IgWdLinear(W, IgDisSegSs, (W->Req->Regs->Rsp - size) & 0xFFFFFFFFull);
    }
    W->Info->Size = (uint8_t)size;
    W->Info->SizeFromExit = false;
    W->Info->AddressKnown = true;

    if (src->Type != IgDisOperandMem)
    {
        if (IgWdSource(W, 0, size, &value))
        {
            IgWdSetNew(W, value, 0);
        }
        return;
    }
    if (!IgWdEffective(W, &src->Mem, &ea))
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (!IgWdRead(W, IgWdLinear(W, src->Mem.Segment, ea), bytes, size))
    {
        IgWdFail(W, IgWriteSourceUnreadable);
        return;
    }
    IgWdSetNew(W, IgWdLoad(bytes, size), 0);
}

/*
 * STOS and MOVS, one element: the destination is ES:[rDI] as the registers stand, which under REP
 * is the element being written when the exit came (the CPU updates rCX/rSI/rDI per element).
 */
static void IgWdString(IG_WD *W)
{
    const IG_DIS_INSN *in = W->Insn;
    uint8_t bytes[8];
    uint64_t value;
    uint64_t ea;

    if (in->OperandCount < 2 || in->Operands[0].Type != IgDisOperandMem || in->Operands[0].Size > 8)
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    W->Info->Rep = in->Rep || in->Repne; /* F2 repeats MOVS/STOS exactly like F3 */
    if (!IgWdDestination(W))
    {
        return;
    }
    if (in->Op == IgDisOpStos)
    {
        if (IgWdSource(W, 1, W->Info->Size, &value))
        {
            IgWdSetNew(W, value, 0);
        }
        return;
    }
    if (in->Operands[1].Type != IgDisOperandMem || !IgWdEffective(W, &in->Operands[1].Mem, &ea))
    {
        IgWdFail(W, IgWriteBadOperands);
        return;
    }
    if (!IgWdRead(W, IgWdLinear(W, in->Operands[1].Mem.Segment, ea), bytes, W->Info->Size))
    {
        IgWdFail(W, IgWriteSourceUnreadable);
        return;
    }
    IgWdSetNew(W, IgWdLoad(bytes, W->Info->Size), 0);
}

/* The instructions LOCK is allowed on (with a memory destination); on any other it raises #UD. */
static bool IgWdLockable(uint8_t Op)
{
    switch (Op)
    {
        case IgDisOpAdd:
        case IgDisOpAdc:
        case IgDisOpSub:
        case IgDisOpSbb:
        case IgDisOpAnd:
        case IgDisOpOr:
        case IgDisOpXor:
        case IgDisOpInc:
        case IgDisOpDec:
        case IgDisOpNeg:
        case IgDisOpNot:
        case IgDisOpBts:
        case IgDisOpBtr:
        case IgDisOpBtc:
        case IgDisOpXchg:
        case IgDisOpXadd:
        case IgDisOpCmpxchg:
        case IgDisOpCmpxchg8b:
        case IgDisOpCmpxchg16b:
            return true;
        default:
            return false;
    }
}

static void IgWdEmulate(IG_WD *W)
{
    const IG_DIS_INSN *in = W->Insn;

    if (in->Lock && (!IgWdLockable(in->Op) || in->OperandCount == 0 || in->Operands[0].Type != IgDisOperandMem))
    {
        IgWdFail(W, IgWriteInvalidLock); /* the instruction never runs, so it did not write */
        return;
    }
    switch (in->Op)
    {
        case IgDisOpOther:
            IgWdFail(W, IgWriteUnsupported);
            return;
        case IgDisOpNoMemWrite:
            IgWdFail(W, IgWriteNoMemoryWrite);
            return;
        case IgDisOpPush:
            IgWdPush(W);
            return;
        case IgDisOpStos:
        case IgDisOpMovs:
            IgWdString(W);
            return;
        default:
            break;
    }
    if (!IgWdDestination(W))
    {
        return;
    }
    switch (in->Op)
    {
        case IgDisOpVectorStore:
            IgWdFail(W, IgWriteRegisterUnavailable); /* only GPRs are given */
            break;
        case IgDisOpMov:
        case IgDisOpXchg:
            IgWdMove(W);
            break;
        case IgDisOpSetcc:
            IgWdSetNew(W, IgWdCondition(W->Req->Regs->Flags, in->Condition) ? 1 : 0, 0);
            break;
        case IgDisOpCmpxchg:
            IgWdCmpxchg(W);
            break;
        case IgDisOpCmpxchg8b:
        case IgDisOpCmpxchg16b:
            IgWdCmpxchgWide(W);
            break;
        case IgDisOpBts:
        case IgDisOpBtr:
        case IgDisOpBtc:
            IgWdBitOp(W);
            break;
        case IgDisOpShl:
        case IgDisOpShr:
        case IgDisOpSar:
        case IgDisOpRol:
        case IgDisOpRor:
        case IgDisOpRcl:
        case IgDisOpRcr:
            IgWdShift(W);
            break;
        default:
            IgWdArith(W);
            break;
    }
}

/* The faulting address must lie in what the instruction writes; if not, these bytes did not fault. */
static void IgWdCheckAddress(IG_WD *W)
{
    IG_WRITE_INFO *info = W->Info;

    if (!info->AddressKnown || info->Size == 0 || !W->Req->GvaValid)
    {
        return;
    }
    if (((W->Req->Gva - info->Address) & IgWdLinearMask(W)) < info->Size)
    {
        info->AddressCheck = IgWriteAddressMatches;
        return;
    }
    info->AddressCheck = IgWriteAddressDiffers;
    if (info->NewKnown)
    {
        info->Unknown = IgWriteKnown;
        IgWdFail(W, IgWriteAddressMismatch);
    }
}

INTSTATUS IgWriteDecode(IG_DISASM_DETAIL *Decoder, const IG_WRITE_REQUEST *Request, IG_WRITE_INFO *Info)
{
    IG_WRITE_INFO info = {0};
    IG_DIS_INSN insn = {0};
    IG_WD w = {Request, &insn, &info, false};
    uint8_t bits;
    INTSTATUS status;

    if (Info)
    {
        memset(Info, 0, sizeof(*Info));
    }
    if (!Decoder)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Request || !Request->Regs || (!Request->Code && Request->CodeSize != 0))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Info)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }

    info.Op = IgDisOpOther;
    if (Request->ExitSize >= 1 && Request->ExitSize <= IG_WRITE_MAX_SIZE)
    {
        info.Size = (uint8_t)Request->ExitSize;
        info.SizeFromExit = true;
    }
    bits = Request->CsType == IG_CS_TYPE_64B   ? 64
           : Request->CsType == IG_CS_TYPE_32B ? 32
           : Request->CsType == IG_CS_TYPE_16B ? 16
                                               : 0;
    w.Mode64 = bits == 64;
    if (bits == 0)
    {
        IgWdFail(&w, IgWriteUnsupportedMode);
        goto done;
    }
    if (Request->CodeSize == 0)
    {
        IgWdFail(&w, IgWriteUndecodable);
        goto done;
    }
    status = IgDisasmDetailDecode(Decoder, bits, Request->Code, Request->CodeSize, &insn);
    if (status == INT_STATUS_NOT_FOUND)
    {
        IgWdFail(&w, IgWriteUndecodable);
        goto done;
    }
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    info.Length = insn.Length;
    info.Op = insn.Op;
    info.Lock = insn.Lock;
    if (bits == 16)
    {
        IgWdFail(&w, IgWriteUnsupportedMode); /* real-mode and 16-bit addressing are not modelled */
        goto done;
    }
    if (!(Request->Access & IG_WRITE_ACCESS_WRITE))
    {
        IgWdFail(&w, IgWriteNotAWrite);
        goto done;
    }
    IgWdEmulate(&w);
    IgWdCheckAddress(&w);
    if (info.AddressKnown)
    {
        (void)IgWdFetchOld(&w); /* the violation reports the old value whatever became of the new one */
    }

done:
    *Info = info;
    return INT_STATUS_SUCCESS;
}

const char *IgWriteUnknownToString(uint32_t Unknown)
{
    static const char *const names[] = {
        "known",
        "undecodable",
        "unsupported CPU mode",
        "not a write",
        "no memory write",
        "unsupported instruction",
        "register not available",
        "old value unavailable",
        "source unreadable",
        "bit offset outside the unit",
        "invalid LOCK",
        "address mismatch",
        "bad operands",
    };

    return Unknown < sizeof(names) / sizeof(names[0]) ? names[Unknown] : "?";
}
