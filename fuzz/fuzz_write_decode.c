/*
 * libFuzzer target for written values (src/protect/write_decode.c) and the operand decoder under it.
 *
 * Input layout (zero-padded when short):
 *   [0]       bits 0-1 CS type (IG_CS_TYPE 0..3), bit 2 a write exit, bit 3 Gva valid, bit 4 the caller
 *             gives old bytes, bit 5 guest memory is readable, bit 6 rAX/rBX/rSI/rDI/rSP/rBP point into it
 *   [1]       code size (mod 17, so 16 tests the cap), [2] exit size
 *   [3..18]   code
 *   then      16 GPRs, RFLAGS, FS and GS bases, the faulting Gva (8 bytes each)
 *   the rest  guest memory at MEMORY_GVA (also the caller's old bytes)
 * The results must keep their invariants whatever the bytes: bounded sizes, "known" only with a
 * size and an address, nothing left in New when unknown, and the same answer twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "protect/write_decode.h"

#define FUZZ_CHECK(Cond)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            fprintf(stderr, "fuzz_write_decode: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #Cond);          \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

#define MEMORY_GVA 0x10000ull
#define MEMORY_SIZE 512u
#define HEADER_SIZE (3u + 16u + 20u * 8u)

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static IG_DISASM_DETAIL *gDecoder; /* the harness keeps one decoder for the whole run */

static uint64_t TakeU64(const uint8_t *Bytes)
{
    uint64_t v;

    memcpy(&v, Bytes, sizeof(v));
    return v;
}

static void CheckDecoder(const uint8_t *Code, size_t CodeSize)
{
    static const uint8_t modes[] = {16, 32, 64};
    IG_DIS_INSN insn;

    for (size_t m = 0; m < sizeof(modes); m++)
    {
        INTSTATUS status = IgDisasmDetailDecode(gDecoder, modes[m], Code, CodeSize, &insn);

        FUZZ_CHECK(status == INT_STATUS_SUCCESS || status == INT_STATUS_NOT_FOUND);
        if (status != INT_STATUS_SUCCESS)
        {
            FUZZ_CHECK(insn.Length == 0);
            continue;
        }
        FUZZ_CHECK(insn.Length >= 1 && insn.Length <= IG_INSN_MAX_LENGTH && insn.Length <= CodeSize);
        FUZZ_CHECK(insn.OperandCount <= IG_DIS_MAX_OPERANDS);
        FUZZ_CHECK(insn.Op <= IgDisOpVectorStore);
        FUZZ_CHECK(insn.AddressSize == 2 || insn.AddressSize == 4 || insn.AddressSize == 8);
        FUZZ_CHECK(insn.SegmentOverride < IgDisSegCount || insn.SegmentOverride == IgDisSegNone);
        for (uint8_t i = 0; i < insn.OperandCount; i++)
        {
            const IG_DIS_OPERAND *op = &insn.Operands[i];

            FUZZ_CHECK(op->Type <= IgDisOperandMem);
            if (op->Type == IgDisOperandMem)
            {
                FUZZ_CHECK(op->Mem.Segment < IgDisSegCount);
            }
            if (op->Type == IgDisOperandReg && op->Reg.Kind == IgDisRegGpr)
            {
                FUZZ_CHECK(op->Reg.Index < 16);
            }
        }
    }
}

static void CheckInfo(const IG_WRITE_REQUEST *Req, const IG_WRITE_INFO *Info)
{
    static const uint8_t zero[IG_WRITE_MAX_SIZE];

    FUZZ_CHECK(Info->Length <= IG_INSN_MAX_LENGTH && Info->Length <= Req->CodeSize);
    FUZZ_CHECK(Info->Size <= IG_WRITE_MAX_SIZE);
    FUZZ_CHECK(Info->Unknown <= IgWriteBadOperands);
    FUZZ_CHECK(Info->AddressCheck <= IgWriteAddressDiffers);
    FUZZ_CHECK(!Info->SizeFromExit || Info->Size == Req->ExitSize);
    FUZZ_CHECK(!Info->OldKnown || Info->AddressKnown);
    FUZZ_CHECK(!Info->Rep || Info->Op == IgDisOpStos || Info->Op == IgDisOpMovs);
    if (Info->NewKnown)
    {
        FUZZ_CHECK(Info->Size > 0 && Info->Length > 0 && !Info->SizeFromExit);
        FUZZ_CHECK(Info->Unknown == IgWriteKnown);
        FUZZ_CHECK(Info->AddressKnown && Info->AddressCheck != IgWriteAddressDiffers);
        FUZZ_CHECK(Req->Access & IG_WRITE_ACCESS_WRITE);
        FUZZ_CHECK(memcmp(Info->New + Info->Size, zero, IG_WRITE_MAX_SIZE - Info->Size) == 0);
    }
    else
    {
        FUZZ_CHECK(Info->Unknown != IgWriteKnown);
        FUZZ_CHECK(memcmp(Info->New, zero, sizeof(zero)) == 0);
    }
    if (Info->Length == 0)
    {
        FUZZ_CHECK(!Info->NewKnown && !Info->AddressKnown);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static uint8_t input[HEADER_SIZE + MEMORY_SIZE];
    IG_GUEST_BYTES range;
    IG_GUEST_BYTE_RANGES ranges = {&range, 1};
    IG_GUEST_VMEM vmem;
    IG_ARCH_REGS regs = {0};
    IG_WRITE_REQUEST req = {0};
    IG_WRITE_INFO a;
    IG_WRITE_INFO b;
    uint64_t gpr[16];
    const uint8_t *p;
    uint8_t flags;

    if (!gDecoder && !INT_SUCCESS(IgDisasmDetailCreate(&gIgMallocAllocator, &gDecoder)))
    {
        abort();
    }
    memset(input, 0, sizeof(input));
    memcpy(input, Data, Size < sizeof(input) ? Size : sizeof(input));
    flags = input[0];
    p = input + 3 + 16;
    for (int i = 0; i < 16; i++)
    {
        gpr[i] = TakeU64(p + 8 * i);
        if ((flags & 0x40) && (i == 0 || i == 3 || i == 4 || i == 5 || i == 6 || i == 7))
        {
            gpr[i] = MEMORY_GVA + (gpr[i] & (MEMORY_SIZE - 1));
        }
    }
    regs = (IG_ARCH_REGS){.Rax = gpr[0],
                          .Rcx = gpr[1],
                          .Rdx = gpr[2],
                          .Rbx = gpr[3],
                          .Rsp = gpr[4],
                          .Rbp = gpr[5],
                          .Rsi = gpr[6],
                          .Rdi = gpr[7],
                          .R8 = gpr[8],
                          .R9 = gpr[9],
                          .R10 = gpr[10],
                          .R11 = gpr[11],
                          .R12 = gpr[12],
                          .R13 = gpr[13],
                          .R14 = gpr[14],
                          .R15 = gpr[15],
                          .Flags = TakeU64(p + 128),
                          .Rip = 0x401000,
                          .Cr3 = 0x1AA000};
    range = (IG_GUEST_BYTES){0, MEMORY_GVA, input + HEADER_SIZE, (flags & 0x20) ? MEMORY_SIZE : 0};
    IgGuestByteRangesVmem(&ranges, &vmem);

    req.Code = input + 3;
    req.CodeSize = input[1] % 17;
    req.CsType = flags & 3;
    req.Regs = &regs;
    req.SegmentBase[IgDisSegFs] = TakeU64(p + 136);
    req.SegmentBase[IgDisSegGs] = TakeU64(p + 144);
    req.Gva = (flags & 0x40) ? MEMORY_GVA + (TakeU64(p + 152) & (MEMORY_SIZE - 1)) : TakeU64(p + 152);
    req.GvaValid = (flags & 8) != 0;
    req.Access = (flags & 4) ? IG_WRITE_ACCESS_WRITE : IG_WRITE_ACCESS_READ;
    req.ExitSize = input[2];
    req.OldGva = MEMORY_GVA;
    req.Old = (flags & 0x10) ? input + HEADER_SIZE : NULL;
    req.OldSize = (flags & 0x10) ? MEMORY_SIZE : 0;
    req.Memory = &vmem;

    CheckDecoder(req.Code, req.CodeSize);
    FUZZ_CHECK(IgWriteDecode(gDecoder, &req, &a) == INT_STATUS_SUCCESS);
    CheckInfo(&req, &a);

    /* The same request gives the same answer (no state leaks from one decode to the next). */
    FUZZ_CHECK(IgWriteDecode(gDecoder, &req, &b) == INT_STATUS_SUCCESS);
    FUZZ_CHECK(a.Length == b.Length && a.Size == b.Size && a.NewKnown == b.NewKnown && a.Unknown == b.Unknown);
    FUZZ_CHECK(a.AddressKnown == b.AddressKnown && a.Address == b.Address && a.OldKnown == b.OldKnown);
    FUZZ_CHECK(memcmp(a.New, b.New, sizeof(a.New)) == 0 && memcmp(a.Old, b.Old, sizeof(a.Old)) == 0);
    return 0;
}
