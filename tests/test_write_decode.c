/*
 * Written values (src/protect/write_decode.c): one row per form and operand size, in 64- and
 * 32-bit code, then the negative cases (unsupported and undecodable instructions, 16-bit code,
 * prefixes, LOCK, unreadable memory, address mismatch), the operand decoder on its own, and a
 * differential check of every read-modify-write form against this machine's CPU.
 *
 * Instruction bytes were assembled by hand; the comment after each row is what
 * `objdump -D -b binary -mi386:x86-64 -M intel` (-mi386 for 32-bit rows, -mi8086 for 16-bit)
 * prints for them, GNU objdump 2.40.  Expected values were worked out by hand from the Intel SDM
 * and, for the forms on [rsi]/[rax] in 64-bit code, agree with the CPU (test_cpu_differential).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#if defined(__x86_64__) && defined(__linux__)
#include <sys/mman.h>
#define WD_HAVE_CPU 1
#endif

#include "common/alloc.h"
#include "protect/write_decode.h"
#include "test_random.h"

enum
{
    RAX,
    RCX,
    RDX,
    RBX,
    RSP,
    RBP,
    RSI,
    RDI,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15
};

#define CF 0x001ull
#define PF 0x004ull
#define ZF 0x040ull
#define SF 0x080ull
#define OF 0x800ull

#define RIP 0x401000ull
#define CR3 0x1AA000ull
#define D 0x7000ull /* the destination most rows write */
#define S 0x9000ull /* where MOVS and PUSH m read */

typedef struct WD_ROW
{
    uint32_t Cs; /* IG_CS_TYPE */
    const char *Hex;
    /* vCPU and exit */
    uint64_t R[16];
    uint64_t Flags;
    uint64_t Rip;                /* 0: RIP */
    uint64_t Seg[IgDisSegCount]; /* segment bases */
    uint64_t Gva;                /* 0: the expected Addr */
    bool NoGva;                  /* the exit gave no linear address */
    bool Read;                   /* a read exit, not a write */
    uint32_t Exit;               /* the exit's access size */
    uint64_t Old, OldHi;         /* old bytes at Addr (64 bytes, the rest zero) */
    bool NoOld;                  /* the caller gives no old bytes */
    bool OldInMemory;            /* ... but guest memory holds them */
    uint64_t SrcGva, Src;        /* 8 readable bytes for MOVS / PUSH m */
    /* expected */
    uint8_t Len;
    uint8_t Size;
    bool FromExit;
    uint8_t Why; /* IG_WRITE_UNKNOWN; 0: the new value is New/NewHi */
    uint64_t New, NewHi;
    uint64_t Addr; /* 0: no address */
    bool Rep;
    bool Lock;
    bool Mismatch;
} WD_ROW;

#define X64 IG_CS_TYPE_64B
#define X32 IG_CS_TYPE_32B
#define X16 IG_CS_TYPE_16B

static const WD_ROW gRows[] = {
    /* ---- MOV, 64-bit: every operand size, high-byte and REX registers, addressing forms ---- */
    /* mov BYTE PTR [rax],cl */
    {X64, "88 08", .R = {[RAX] = D, [RCX] = 0x1122334455667788}, .Len = 2, .Size = 1, .New = 0x88, .Addr = D},
    /* mov WORD PTR [rax],cx */
    {X64, "66 89 08", .R = {[RAX] = D, [RCX] = 0x1122334455667788}, .Len = 3, .Size = 2, .New = 0x7788, .Addr = D},
    /* mov DWORD PTR [rax],ecx */
    {X64, "89 08", .R = {[RAX] = D, [RCX] = 0x1122334455667788}, .Len = 2, .Size = 4, .New = 0x55667788, .Addr = D},
    /* mov QWORD PTR [rax],rcx */
    {X64, "48 89 08", .R = {[RAX] = D, [RCX] = 0x1122334455667788}, .Len = 3, .Size = 8, .New = 0x1122334455667788,
     .Addr = D},
    /* mov BYTE PTR [rax],ah */
    {X64, "88 20", .R = {[RAX] = D}, .Len = 2, .Size = 1, .New = 0x70, .Addr = D},
    /* mov BYTE PTR [r8],spl */
    {X64, "41 88 20", .R = {[R8] = D, [RSP] = 0x7FFF12}, .Len = 3, .Size = 1, .New = 0x12, .Addr = D},
    /* mov QWORD PTR [rbx+rcx*4-0x8],rax */
    {X64, "48 89 44 8b f8", .R = {[RBX] = D, [RCX] = 0x10, [RAX] = 0xDEADBEEFCAFEF00D}, .Len = 5, .Size = 8,
     .New = 0xDEADBEEFCAFEF00D, .Addr = D + 0x38},
    /* mov DWORD PTR [rip+0x10],0x1 # 0x1a */
    {X64, "c7 05 10 00 00 00 01 00 00 00", .Len = 10, .Size = 4, .New = 1, .Addr = RIP + 10 + 0x10},
    /* mov QWORD PTR [rax],0xffffffffffffffff */
    {X64, "48 c7 00 ff ff ff ff", .R = {[RAX] = D}, .Len = 7, .Size = 8, .New = ~0ull, .Addr = D},
    /* mov BYTE PTR [rax],0xff */
    {X64, "c6 00 ff", .R = {[RAX] = D}, .Len = 3, .Size = 1, .New = 0xFF, .Addr = D},
    /* mov WORD PTR [rax],0x1234 */
    {X64, "66 c7 00 34 12", .R = {[RAX] = D}, .Len = 5, .Size = 2, .New = 0x1234, .Addr = D},
    /* mov QWORD PTR gs:0x28,rax */
    {X64, "65 48 89 04 25 28 00 00 00", .R = {[RAX] = 0x1234}, .Seg = {[IgDisSegGs] = 0xFFFFF80000001000}, .Len = 9,
     .Size = 8, .New = 0x1234, .Addr = 0xFFFFF80000001028},
    /* mov DWORD PTR fs:[rax],ecx */
    {X64, "64 89 08", .R = {[RAX] = D, [RCX] = 5}, .Seg = {[IgDisSegFs] = 0x10000}, .Len = 3, .Size = 4, .New = 5,
     .Addr = D + 0x10000},
    /* cs mov DWORD PTR [rax],ecx */
    {X64, "2e 89 08", .R = {[RAX] = D, [RCX] = 5}, .Seg = {[IgDisSegCs] = 0x5000}, .Len = 3, .Size = 4, .New = 5,
     .Addr = D},
    /* movabs ds:0xfffff78000001000,eax */
    {X64, "a3 00 10 00 00 80 f7 ff ff", .R = {[RAX] = 0xAABBCCDD}, .Len = 9, .Size = 4, .New = 0xAABBCCDD,
     .Addr = 0xFFFFF78000001000},
    /* mov DWORD PTR [eip+0x10],eax # 0x17 */
    {X64, "67 89 05 10 00 00 00", .R = {[RAX] = 3}, .Rip = 0x100401000, .Len = 7, .Size = 4, .New = 3,
     .Addr = 0x401017},
    /* mov DWORD PTR ds:0xffffffff80000000,eax */
    {X64, "89 04 25 00 00 00 80", .R = {[RAX] = 3}, .Len = 7, .Size = 4, .New = 3, .Addr = 0xFFFFFFFF80000000},
    /* mov DWORD PTR [eiz*1+0x80000000],eax */
    {X64, "67 89 04 25 00 00 00 80", .R = {[RAX] = 3}, .Len = 8, .Size = 4, .New = 3, .Addr = 0x80000000},
    /* movnti DWORD PTR [rax],ecx */
    {X64, "0f c3 08", .R = {[RAX] = D, [RCX] = 0x11223344}, .Len = 3, .Size = 4, .New = 0x11223344, .Addr = D},
    /* mov WORD PTR [rax],ds */
    {X64, "8c 18", .R = {[RAX] = D}, .Len = 2, .Size = 2, .Why = IgWriteRegisterUnavailable, .Addr = D},

    /* ---- loads and compares: no memory write, the exit's size ---- */
    /* movzx eax,BYTE PTR [rax] */
    {X64, "0f b6 00", .R = {[RAX] = D}, .Exit = 1, .Len = 3, .Size = 1, .FromExit = true, .Why = IgWriteNoMemoryWrite},
    /* mov eax,DWORD PTR [rax] */
    {X64, "8b 00", .R = {[RAX] = D}, .Len = 2, .Why = IgWriteNoMemoryWrite},
    /* cmp DWORD PTR [rax],ecx */
    {X64, "39 08", .R = {[RAX] = D}, .Len = 2, .Why = IgWriteNoMemoryWrite},
    /* test DWORD PTR [rax],ecx */
    {X64, "85 08", .R = {[RAX] = D}, .Len = 2, .Why = IgWriteNoMemoryWrite},
    /* bt DWORD PTR [rax],ecx */
    {X64, "0f a3 08", .R = {[RAX] = D}, .Len = 3, .Why = IgWriteNoMemoryWrite},
    /* setb al */
    {X64, "0f 92 c0", .Len = 3, .Why = IgWriteNoMemoryWrite},
    /* movdqa xmm0,XMMWORD PTR [rax] */
    {X64, "66 0f 6f 00", .R = {[RAX] = D}, .Exit = 16, .Len = 4, .Size = 16, .FromExit = true,
     .Why = IgWriteNoMemoryWrite},

    /* ---- XCHG, XADD, CMPXCHG (both outcomes), CMPXCHG8B/16B ---- */
    /* xchg DWORD PTR [rax],ecx */
    {X64, "87 08", .R = {[RAX] = D, [RCX] = 0xCAFEBABE}, .Len = 2, .Size = 4, .New = 0xCAFEBABE, .Addr = D},
    /* xchg BYTE PTR [rax],ah */
    {X64, "86 20", .R = {[RAX] = D}, .Len = 2, .Size = 1, .New = 0x70, .Addr = D},
    /* xchg QWORD PTR [rax],rcx */
    {X64, "48 87 08", .R = {[RAX] = D, [RCX] = 0x8877665544332211}, .Len = 3, .Size = 8, .New = 0x8877665544332211,
     .Addr = D},
    /* lock xadd DWORD PTR [rax],ecx */
    {X64, "f0 0f c1 08", .R = {[RAX] = D, [RCX] = 2}, .Old = 0xFFFFFFFF, .Len = 4, .Size = 4, .New = 1, .Addr = D,
     .Lock = true},
    /* xadd BYTE PTR [rax],cl */
    {X64, "0f c0 08", .R = {[RAX] = D, [RCX] = 1}, .Old = 0x7F, .Len = 3, .Size = 1, .New = 0x80, .Addr = D},
    /* lock cmpxchg DWORD PTR [rbx],ecx */
    {X64, "f0 0f b1 0b", .R = {[RBX] = D, [RAX] = 0x1234, [RCX] = 0x5678}, .Old = 0x1234, .Len = 4, .Size = 4,
     .New = 0x5678, .Addr = D, .Lock = true},
    /* lock cmpxchg DWORD PTR [rbx],ecx */
    {X64, "f0 0f b1 0b", .R = {[RBX] = D, [RAX] = 0x1235, [RCX] = 0x5678}, .Old = 0x1234, .Len = 4, .Size = 4,
     .New = 0x1234, .Addr = D, .Lock = true},
    /* cmpxchg BYTE PTR [rbx],cl */
    {X64, "0f b0 0b", .R = {[RBX] = D, [RAX] = 0xFFFFFFFFFFFFFF12, [RCX] = 0x34}, .Old = 0x12, .Len = 3, .Size = 1,
     .New = 0x34, .Addr = D},
    /* cmpxchg WORD PTR [rbx],cx */
    {X64, "66 0f b1 0b", .R = {[RBX] = D, [RAX] = 0xFFFF0001, [RCX] = 0x12345678}, .Old = 0x0001, .Len = 4, .Size = 2,
     .New = 0x5678, .Addr = D},
    /* cmpxchg QWORD PTR [rbx],rcx */
    {X64, "48 0f b1 0b", .R = {[RBX] = D, [RAX] = 0x1111222233334444, [RCX] = 0x5555}, .Old = 0x1111222233334444,
     .Len = 4, .Size = 8, .New = 0x5555, .Addr = D},
    /* lock cmpxchg8b QWORD PTR [rsi] */
    {X64, "f0 0f c7 0e",
     .R = {[RSI] = D, [RAX] = 0xFFFFFFFF22222222, [RDX] = 0xEEEEEEEE11111111, [RBX] = 0x44444444, [RCX] = 0x33333333},
     .Old = 0x1111111122222222, .Len = 4, .Size = 8, .New = 0x3333333344444444, .Addr = D, .Lock = true},
    /* lock cmpxchg8b QWORD PTR [rsi] */
    {X64, "f0 0f c7 0e",
     .R = {[RSI] = D, [RAX] = 0x22222222, [RDX] = 0x11111111, [RBX] = 0x44444444, [RCX] = 0x33333333},
     .Old = 0x1111111122222223, .Len = 4, .Size = 8, .New = 0x1111111122222223, .Addr = D, .Lock = true},
    /* lock cmpxchg16b OWORD PTR [rsi] */
    {X64, "f0 48 0f c7 0e", .R = {[RSI] = D, [RAX] = 1, [RDX] = 2, [RBX] = 3, [RCX] = 4}, .Old = 1, .OldHi = 2,
     .Len = 5, .Size = 16, .New = 3, .NewHi = 4, .Addr = D, .Lock = true},
    /* lock cmpxchg16b OWORD PTR [rsi] */
    {X64, "f0 48 0f c7 0e", .R = {[RSI] = D, [RAX] = 1, [RDX] = 2, [RBX] = 3, [RCX] = 4}, .Old = 1, .OldHi = 5,
     .Len = 5, .Size = 16, .New = 1, .NewHi = 5, .Addr = D, .Lock = true},

    /* ---- STOS and MOVS: one element at [rDI] ---- */
    /* stos BYTE PTR es:[rdi],al */
    {X64, "aa", .R = {[RDI] = D, [RAX] = 0x41}, .Len = 1, .Size = 1, .New = 0x41, .Addr = D},
    /* stos WORD PTR es:[rdi],ax */
    {X64, "66 ab", .R = {[RDI] = D, [RAX] = 0x12345678}, .Len = 2, .Size = 2, .New = 0x5678, .Addr = D},
    /* stos DWORD PTR es:[rdi],eax */
    {X64, "ab", .R = {[RDI] = D, [RAX] = 0x1122334455667788}, .Len = 1, .Size = 4, .New = 0x55667788, .Addr = D},
    /* rep stos QWORD PTR es:[rdi],rax */
    {X64, "f3 48 ab", .R = {[RDI] = D, [RAX] = 0x0102030405060708}, .Len = 3, .Size = 8, .New = 0x0102030405060708,
     .Addr = D, .Rep = true},
    /* repnz stos BYTE PTR es:[rdi],al */
    {X64, "f2 aa", .R = {[RDI] = D, [RAX] = 0x41}, .Len = 2, .Size = 1, .New = 0x41, .Addr = D, .Rep = true},
    /* fs stos DWORD PTR es:[rdi],eax */
    {X64, "64 ab", .R = {[RDI] = D, [RAX] = 7}, .Seg = {[IgDisSegFs] = 0x10000}, .Len = 2, .Size = 4, .New = 7,
     .Addr = D},
    /* movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi] */
    {X64, "a4", .R = {[RSI] = S, [RDI] = D}, .SrcGva = S, .Src = 0x5A, .Len = 1, .Size = 1, .New = 0x5A, .Addr = D},
    /* rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi] */
    {X64, "f3 48 a5", .R = {[RSI] = S, [RDI] = D}, .SrcGva = S, .Src = 0x1122334455667788, .Len = 3, .Size = 8,
     .New = 0x1122334455667788, .Addr = D, .Rep = true},
    /* movs DWORD PTR es:[rdi],DWORD PTR gs:[rsi] */
    {X64, "65 a5", .R = {[RSI] = 0x100, [RDI] = D}, .Seg = {[IgDisSegGs] = 0x10000}, .SrcGva = 0x10100,
     .Src = 0xDEADBEEF, .Len = 2, .Size = 4, .New = 0xDEADBEEF, .Addr = D},
    /* movs WORD PTR es:[edi],WORD PTR ds:[esi] */
    {X64, "67 66 a5", .R = {[RSI] = 0xFFFFFFFF00000000 | S, [RDI] = 0x100000000 | D}, .SrcGva = S, .Src = 0xBEEF,
     .Len = 3, .Size = 2, .New = 0xBEEF, .Addr = D},
    /* movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi] */
    {X64, "a5", .R = {[RSI] = S, [RDI] = D}, .Len = 1, .Size = 4, .Why = IgWriteSourceUnreadable, .Addr = D},

    /* ---- ALU read-modify-write ---- */
    /* add DWORD PTR [rax],ecx */
    {X64, "01 08", .R = {[RAX] = D, [RCX] = 1}, .Old = 0xFFFFFFFF, .Len = 2, .Size = 4, .New = 0, .Addr = D},
    /* add BYTE PTR [rax],0xff */
    {X64, "80 00 ff", .R = {[RAX] = D}, .Old = 0x01, .Len = 3, .Size = 1, .New = 0x00, .Addr = D},
    /* add WORD PTR [rax],0xffff */
    {X64, "66 83 00 ff", .R = {[RAX] = D}, .Old = 0, .Len = 4, .Size = 2, .New = 0xFFFF, .Addr = D},
    /* add QWORD PTR [rax],0xffffffff80000000 */
    {X64, "48 81 00 00 00 00 80", .R = {[RAX] = D}, .Old = 0, .Len = 7, .Size = 8, .New = 0xFFFFFFFF80000000,
     .Addr = D},
    /* adc DWORD PTR [rax],ecx */
    {X64, "11 08", .R = {[RAX] = D, [RCX] = 6}, .Flags = CF, .Old = 5, .Len = 2, .Size = 4, .New = 12, .Addr = D},
    /* adc DWORD PTR [rax],ecx */
    {X64, "11 08", .R = {[RAX] = D, [RCX] = 6}, .Old = 5, .Len = 2, .Size = 4, .New = 11, .Addr = D},
    /* sub DWORD PTR [rax],ecx */
    {X64, "29 08", .R = {[RAX] = D, [RCX] = 6}, .Old = 5, .Len = 2, .Size = 4, .New = 0xFFFFFFFF, .Addr = D},
    /* sbb BYTE PTR [rax],0x1 */
    {X64, "80 18 01", .R = {[RAX] = D}, .Flags = CF, .Old = 5, .Len = 3, .Size = 1, .New = 3, .Addr = D},
    /* and DWORD PTR [rax],ecx */
    {X64, "21 08", .R = {[RAX] = D, [RCX] = 0x0FF00FF0}, .Old = 0xFF00FF00, .Len = 2, .Size = 4, .New = 0x0F000F00,
     .Addr = D},
    /* or DWORD PTR [rax],ecx */
    {X64, "09 08", .R = {[RAX] = D, [RCX] = 0xFF}, .Old = 0xFF000000, .Len = 2, .Size = 4, .New = 0xFF0000FF,
     .Addr = D},
    /* xor DWORD PTR [rax],ecx */
    {X64, "31 08", .R = {[RAX] = D, [RCX] = 0x0F0F0F0F}, .Old = 0xFFFFFFFF, .Len = 2, .Size = 4, .New = 0xF0F0F0F0,
     .Addr = D},
    /* and QWORD PTR [rax],rcx */
    {X64, "48 21 08", .R = {[RAX] = D, [RCX] = 0x8000000000000001}, .Old = ~0ull, .Len = 3, .Size = 8,
     .New = 0x8000000000000001, .Addr = D},
    /* or WORD PTR [rax],0x8000 */
    {X64, "66 81 08 00 80", .R = {[RAX] = D}, .Old = 1, .Len = 5, .Size = 2, .New = 0x8001, .Addr = D},
    /* inc BYTE PTR [rax] */
    {X64, "fe 00", .R = {[RAX] = D}, .Old = 0xFF, .Len = 2, .Size = 1, .New = 0, .Addr = D},
    /* dec WORD PTR [rax] */
    {X64, "66 ff 08", .R = {[RAX] = D}, .Old = 0, .Len = 3, .Size = 2, .New = 0xFFFF, .Addr = D},
    /* inc QWORD PTR [rax] */
    {X64, "48 ff 00", .R = {[RAX] = D}, .Old = 0x7FFFFFFFFFFFFFFF, .Len = 3, .Size = 8, .New = 0x8000000000000000,
     .Addr = D},
    /* neg DWORD PTR [rax] */
    {X64, "f7 18", .R = {[RAX] = D}, .Old = 1, .Len = 2, .Size = 4, .New = 0xFFFFFFFF, .Addr = D},
    /* not QWORD PTR [rax] */
    {X64, "48 f7 10", .R = {[RAX] = D}, .Old = 0, .Len = 3, .Size = 8, .New = ~0ull, .Addr = D},
    /* lock add QWORD PTR [rax],0x1 */
    {X64, "f0 48 83 00 01", .R = {[RAX] = D}, .Old = 41, .Len = 5, .Size = 8, .New = 42, .Addr = D, .Lock = true},
    /* add DWORD PTR [r8],ecx */
    {X64, "41 01 08", .R = {[R8] = D, [RCX] = 3}, .Old = 4, .Len = 3, .Size = 4, .New = 7, .Addr = D},
    /* add DWORD PTR [r8],r9d */
    {X64, "45 01 08", .R = {[R8] = D, [R9] = 0x100000005}, .Old = 1, .Len = 3, .Size = 4, .New = 6, .Addr = D},

    /* ---- shifts and rotates: by 1, imm8, CL; masked counts, counts of 0, past the width ---- */
    /* shl BYTE PTR [rax],1 */
    {X64, "d0 20", .R = {[RAX] = D}, .Old = 0x81, .Len = 2, .Size = 1, .New = 0x02, .Addr = D},
    /* shr DWORD PTR [rax],cl */
    {X64, "d3 28", .R = {[RAX] = D, [RCX] = 4}, .Old = 0x80000000, .Len = 2, .Size = 4, .New = 0x08000000, .Addr = D},
    /* sar WORD PTR [rax],0x3 */
    {X64, "66 c1 38 03", .R = {[RAX] = D}, .Old = 0x8000, .Len = 4, .Size = 2, .New = 0xF000, .Addr = D},
    /* sar BYTE PTR [rax],cl */
    {X64, "d2 38", .R = {[RAX] = D, [RCX] = 0x1F}, .Old = 0x80, .Len = 2, .Size = 1, .New = 0xFF, .Addr = D},
    /* shl BYTE PTR [rax],cl */
    {X64, "d2 20", .R = {[RAX] = D, [RCX] = 9}, .Old = 0xFF, .Len = 2, .Size = 1, .New = 0, .Addr = D},
    /* shl DWORD PTR [rax],cl */
    {X64, "d3 20", .R = {[RAX] = D, [RCX] = 0x20}, .Old = 0x12345678, .Len = 2, .Size = 4, .New = 0x12345678,
     .Addr = D},
    /* shl QWORD PTR [rax],cl */
    {X64, "48 d3 20", .R = {[RAX] = D, [RCX] = 0x40}, .Old = 0x12345678, .Len = 3, .Size = 8, .New = 0x12345678,
     .Addr = D},
    /* shl QWORD PTR [rax],cl */
    {X64, "48 d3 20", .R = {[RAX] = D, [RCX] = 0x3F}, .Old = 1, .Len = 3, .Size = 8, .New = 0x8000000000000000,
     .Addr = D},
    /* shl DWORD PTR [rax],0x0 */
    {X64, "c1 20 00", .R = {[RAX] = D}, .Old = 0x12345678, .Len = 3, .Size = 4, .New = 0x12345678, .Addr = D},
    /* shl DWORD PTR [rax],1 */
    {X64, "d1 30", .R = {[RAX] = D}, .Old = 0x40000000, .Len = 2, .Size = 4, .New = 0x80000000, .Addr = D},
    /* sar QWORD PTR [rax],cl */
    {X64, "48 d3 38", .R = {[RAX] = D, [RCX] = 63}, .Old = 0x8000000000000000, .Len = 3, .Size = 8, .New = ~0ull,
     .Addr = D},
    /* rol BYTE PTR [rax],cl */
    {X64, "d2 00", .R = {[RAX] = D, [RCX] = 9}, .Old = 0x81, .Len = 2, .Size = 1, .New = 0x03, .Addr = D},
    /* ror QWORD PTR [rax],0x4 */
    {X64, "48 c1 08 04", .R = {[RAX] = D}, .Old = 1, .Len = 4, .Size = 8, .New = 0x1000000000000000, .Addr = D},
    /* rcl BYTE PTR [rax],1 */
    {X64, "d0 10", .R = {[RAX] = D}, .Flags = CF, .Old = 0x80, .Len = 2, .Size = 1, .New = 0x01, .Addr = D},
    /* rcl BYTE PTR [rax],cl */
    {X64, "d2 10", .R = {[RAX] = D, [RCX] = 9}, .Old = 0x5A, .Len = 2, .Size = 1, .New = 0x5A, .Addr = D},
    /* rcr WORD PTR [rax],cl */
    {X64, "66 d3 18", .R = {[RAX] = D, [RCX] = 17}, .Flags = CF, .Old = 0x1234, .Len = 3, .Size = 2, .New = 0x1234,
     .Addr = D},
    /* rcr DWORD PTR [rax],1 */
    {X64, "d1 18", .R = {[RAX] = D}, .Flags = CF, .Old = 0, .Len = 2, .Size = 4, .New = 0x80000000, .Addr = D},

    /* ---- BTS/BTR/BTC: immediate (modulo the width), register in and out of the unit ---- */
    /* bts DWORD PTR [rax],0x7 */
    {X64, "0f ba 28 07", .R = {[RAX] = D}, .Old = 0, .Len = 4, .Size = 4, .New = 0x80, .Addr = D},
    /* btr QWORD PTR [rax],0x3f */
    {X64, "48 0f ba 30 3f", .R = {[RAX] = D}, .Old = ~0ull, .Len = 5, .Size = 8, .New = 0x7FFFFFFFFFFFFFFF, .Addr = D},
    /* btc WORD PTR [rax],0x1f */
    {X64, "66 0f ba 38 1f", .R = {[RAX] = D}, .Old = 0, .Len = 5, .Size = 2, .New = 0x8000, .Addr = D},
    /* bts DWORD PTR [rax],ecx */
    {X64, "0f ab 08", .R = {[RAX] = D, [RCX] = 31}, .Old = 0, .Len = 3, .Size = 4, .New = 0x80000000, .Addr = D},
    /* bts WORD PTR [rax],cx */
    {X64, "66 0f ab 08", .R = {[RAX] = D, [RCX] = 15}, .Old = 0, .Len = 4, .Size = 2, .New = 0x8000, .Addr = D},
    /* bts DWORD PTR [rax],ecx */
    {X64, "0f ab 08", .R = {[RAX] = D, [RCX] = 32}, .Len = 3, .Size = 4, .Why = IgWriteBitOutsideUnit, .Addr = D + 4},
    /* btr QWORD PTR [rax],rcx */
    {X64, "48 0f b3 08", .R = {[RAX] = D, [RCX] = ~0ull}, .Len = 4, .Size = 8, .Why = IgWriteBitOutsideUnit,
     .Addr = D - 8},

    /* ---- PUSH: register, immediate, memory; operand-size rules; segment registers ---- */
    /* push rax */
    {X64, "50", .R = {[RSP] = 0x8000, [RAX] = 0x1122334455667788}, .Len = 1, .Size = 8, .New = 0x1122334455667788,
     .Addr = 0x7FF8},
    /* push r8w */
    {X64, "66 41 50", .R = {[RSP] = 0x8000, [R8] = 0xABCD}, .Len = 3, .Size = 2, .New = 0xABCD, .Addr = 0x7FFE},
    /* push 0xffffffffffffffff */
    {X64, "6a ff", .R = {[RSP] = 0x8000}, .Len = 2, .Size = 8, .New = ~0ull, .Addr = 0x7FF8},
    /* pushw 0xffff */
    {X64, "66 6a ff", .R = {[RSP] = 0x8000}, .Len = 3, .Size = 2, .New = 0xFFFF, .Addr = 0x7FFE},
    /* push 0xffffffff80000000 */
    {X64, "68 00 00 00 80", .R = {[RSP] = 0x8000}, .Len = 5, .Size = 8, .New = 0xFFFFFFFF80000000, .Addr = 0x7FF8},
    /* data16 rex.W push 0x4030201 */
    {X64, "66 48 68 01 02 03 04", .R = {[RSP] = 0x8000}, .Len = 7, .Size = 8, .New = 0x04030201, .Addr = 0x7FF8},
    /* push QWORD PTR [rax] */
    {X64, "ff 30", .R = {[RSP] = 0x8000, [RAX] = S}, .SrcGva = S, .Src = 0x1122334455667788, .Len = 2, .Size = 8,
     .New = 0x1122334455667788, .Addr = 0x7FF8},
    /* push QWORD PTR [rsp] */
    {X64, "ff 34 24", .R = {[RSP] = 0x8000}, .SrcGva = 0x8000, .Src = 0x77, .Len = 3, .Size = 8, .New = 0x77,
     .Addr = 0x7FF8},
    /* push rsp */
    {X64, "54", .R = {[RSP] = 0x8000}, .Len = 1, .Size = 8, .New = 0x8000, .Addr = 0x7FF8},
    /* push WORD PTR [rax] */
    {X64, "66 ff 30", .R = {[RSP] = 0x8000, [RAX] = S}, .SrcGva = S, .Src = 0xBEEF, .Len = 3, .Size = 2, .New = 0xBEEF,
     .Addr = 0x7FFE},
    /* data16 rex.W push QWORD PTR [rax] */
    {X64, "66 48 ff 30", .R = {[RSP] = 0x8000, [RAX] = S}, .SrcGva = S, .Src = 0x1122334455667788, .Len = 4, .Size = 8,
     .New = 0x1122334455667788, .Addr = 0x7FF8},
    /* push QWORD PTR [rax] */
    {X64, "ff 30", .R = {[RSP] = 0x8000, [RAX] = S}, .Len = 2, .Size = 8, .Why = IgWriteSourceUnreadable,
     .Addr = 0x7FF8},
    /* push fs */
    {X64, "0f a0", .R = {[RSP] = 0x8000}, .Exit = 8, .Len = 2, .Size = 8, .FromExit = true,
     .Why = IgWriteRegisterUnavailable},

    /* ---- SETcc ---- */
    /* sete BYTE PTR [rax] */
    {X64, "0f 94 00", .R = {[RAX] = D}, .Flags = ZF, .Old = 0xAA, .Len = 3, .Size = 1, .New = 1, .Addr = D},
    /* setne BYTE PTR [rax] */
    {X64, "0f 95 00", .R = {[RAX] = D}, .Flags = ZF, .Old = 0xAA, .Len = 3, .Size = 1, .New = 0, .Addr = D},
    /* setl BYTE PTR [rax] */
    {X64, "0f 9c 00", .R = {[RAX] = D}, .Flags = SF, .Len = 3, .Size = 1, .New = 1, .Addr = D},
    /* setg BYTE PTR [rax] */
    {X64, "0f 9f 00", .R = {[RAX] = D}, .Flags = SF | OF, .Len = 3, .Size = 1, .New = 1, .Addr = D},
    /* setp BYTE PTR [rax] */
    {X64, "0f 9a 00", .R = {[RAX] = D}, .Flags = ZF | CF, .Len = 3, .Size = 1, .New = 0, .Addr = D},
    /* seto BYTE PTR [rax] */
    {X64, "0f 90 00", .R = {[RAX] = D}, .Flags = OF, .Len = 3, .Size = 1, .New = 1, .Addr = D},
    /* setbe BYTE PTR [rax] */
    {X64, "0f 96 00", .R = {[RAX] = D}, .Flags = CF, .Len = 3, .Size = 1, .New = 1, .Addr = D},

    /* ---- vector stores: the size is known, the value is not (only GPRs are given) ---- */
    /* movdqa XMMWORD PTR [rax],xmm0 */
    {X64, "66 0f 7f 00", .R = {[RAX] = D}, .Len = 4, .Size = 16, .Why = IgWriteRegisterUnavailable, .Addr = D},
    /* movups XMMWORD PTR [rax],xmm0 */
    {X64, "0f 11 00", .R = {[RAX] = D}, .Len = 3, .Size = 16, .Why = IgWriteRegisterUnavailable, .Addr = D},
    /* movq QWORD PTR [rax],xmm0 */
    {X64, "66 0f d6 00", .R = {[RAX] = D}, .Len = 4, .Size = 8, .Why = IgWriteRegisterUnavailable, .Addr = D},
    /* movd DWORD PTR [rax],mm0 */
    {X64, "0f 7e 00", .R = {[RAX] = D}, .Len = 3, .Size = 4, .Why = IgWriteRegisterUnavailable, .Addr = D},
    /* vmovdqa YMMWORD PTR [rax],ymm0 */
    {X64, "c5 fd 7f 00", .R = {[RAX] = D}, .Len = 4, .Size = 32, .Why = IgWriteRegisterUnavailable, .Addr = D},
    /* vmovdqu64 ZMMWORD PTR [rax],zmm0 */
    {X64, "62 f1 fe 48 7f 00", .R = {[RAX] = D}, .Len = 6, .Size = 64, .Why = IgWriteRegisterUnavailable, .Addr = D},

    /* ---- not emulated: the exit's size, no value ---- */
    /* call 0x5 */
    {X64, "e8 00 00 00 00", .Exit = 8, .Len = 5, .Size = 8, .FromExit = true, .Why = IgWriteUnsupported},
    /* fxsave [rax] */
    {X64, "0f ae 00", .R = {[RAX] = D}, .Len = 3, .Why = IgWriteUnsupported},
    /* pushf */
    {X64, "9c", .Exit = 8, .Len = 1, .Size = 8, .FromExit = true, .Why = IgWriteUnsupported},
    /* movbe DWORD PTR [rax],eax */
    {X64, "0f 38 f1 00", .R = {[RAX] = D}, .Exit = 4, .Len = 4, .Size = 4, .FromExit = true, .Why = IgWriteUnsupported},
    /* sgdt [rax] */
    {X64, "0f 01 00", .R = {[RAX] = D}, .Exit = 200, .Len = 3, .Why = IgWriteUnsupported},

    /* ---- decoding limits, prefixes, LOCK ---- */
    /* rex.W .byte 0xc7 ... (mov QWORD PTR [rax],imm32 cut after 5 of 7 bytes) */
    {X64, "48 c7 00 ff ff", .Exit = 8, .Size = 8, .FromExit = true, .Why = IgWriteUndecodable},
    {X64, "", .Why = IgWriteUndecodable},
    /* (bad) */
    {X64, "06", .Why = IgWriteUndecodable},
    /* lock mov DWORD PTR [rax],ecx (LOCK MOV is #UD; capstone rejects it) */
    {X64, "f0 89 08", .Why = IgWriteUndecodable},
    /* es es es es es es es es es (bad)... (16 bytes: longer than an instruction may be) */
    {X64, "26 26 26 26 26 26 26 26 26 48 c7 00 01 00 00 00", .R = {[RAX] = D}, .Why = IgWriteUndecodable},
    /* es es es es es es es es mov QWORD PTR [rax],0x1 */
    {X64, "26 26 26 26 26 26 26 26 48 c7 00 01 00 00 00", .R = {[RAX] = D}, .Len = 15, .Size = 8, .New = 1, .Addr = D},
    /* xrelease cs mov QWORD PTR gs:[eax],rcx */
    {X64, "f3 2e 65 67 48 89 08", .R = {[RAX] = 0xFFFFFFFF00000000 | D, [RCX] = 0x0102030405060708},
     .Seg = {[IgDisSegGs] = 0x10000}, .Len = 7, .Size = 8, .New = 0x0102030405060708, .Addr = D + 0x10000},
    /* rex.W;mov WORD PTR [rax],cx */
    {X64, "48 66 89 08", .R = {[RAX] = D, [RCX] = 0x0102030405060708}, .Len = 4, .Size = 2, .New = 0x0708, .Addr = D},
    /* lock lock add DWORD PTR [rax],ecx */
    {X64, "f0 f0 01 08", .R = {[RAX] = D, [RCX] = 1}, .Old = 1, .Len = 4, .Size = 4, .New = 2, .Addr = D, .Lock = true},
    /* lock rep stos BYTE PTR es:[rdi],al (#UD; capstone 4 decodes it and drops the LOCK) */
    {X64, "f0 f3 aa", .R = {[RDI] = D}, .Exit = 1, .Len = 3, .Size = 1, .FromExit = true, .Why = IgWriteInvalidLock,
     .Lock = true},

    /* ---- the exit and the caller's bytes ---- */
    /* mov DWORD PTR [rax],ecx */
    {X64, "89 08", .R = {[RAX] = D}, .Read = true, .Exit = 4, .Len = 2, .Size = 4, .FromExit = true,
     .Why = IgWriteNotAWrite},
    /* mov DWORD PTR [rax],ecx */
    {X64, "89 08", .R = {[RAX] = D, [RCX] = 1}, .Gva = S, .Len = 2, .Size = 4, .Why = IgWriteAddressMismatch, .Addr = D,
     .Mismatch = true},
    /* mov QWORD PTR [rax],rcx */
    {X64, "48 89 08", .R = {[RAX] = 0x7FFC, [RCX] = 1}, .Gva = 0x8000, .Len = 3, .Size = 8, .New = 1, .Addr = 0x7FFC},
    /* mov DWORD PTR [rax],ecx */
    {X64, "89 08", .R = {[RAX] = D, [RCX] = 1}, .NoGva = true, .Len = 2, .Size = 4, .New = 1, .Addr = D},
    /* add DWORD PTR [rax],ecx */
    {X64, "01 08", .R = {[RAX] = D, [RCX] = 1}, .NoOld = true, .Len = 2, .Size = 4, .Why = IgWriteOldUnavailable,
     .Addr = D},
    /* add DWORD PTR [rax],ecx */
    {X64, "01 08", .R = {[RAX] = D, [RCX] = 1}, .Old = 41, .NoOld = true, .OldInMemory = true, .Len = 2, .Size = 4,
     .New = 42, .Addr = D},
    /* mov WORD PTR [bx],ax */
    {X16, "89 07", .Exit = 2, .Len = 2, .Size = 2, .FromExit = true, .Why = IgWriteUnsupportedMode},
    /* mov DWORD PTR [rax],ecx (64-bit bytes; the row gives no CPU mode) */
    {0, "89 08", .Why = IgWriteUnsupportedMode},

    /* ---- 32-bit code ---- */
    /* mov DWORD PTR [ebp+0x8],eax */
    {X32, "89 45 08", .R = {[RBP] = 0x12FF00, [RAX] = 0xCAFEBABE}, .Len = 3, .Size = 4, .New = 0xCAFEBABE,
     .Addr = 0x12FF08},
    /* mov WORD PTR [ebx],ax */
    {X32, "66 89 03", .R = {[RBX] = D, [RAX] = 0x12345678}, .Len = 3, .Size = 2, .New = 0x5678, .Addr = D},
    /* mov BYTE PTR [ebx],ch */
    {X32, "88 2b", .R = {[RBX] = D, [RCX] = 0xAB00}, .Len = 2, .Size = 1, .New = 0xAB, .Addr = D},
    /* mov DWORD PTR [bx],eax */
    {X32, "67 89 07", .R = {[RBX] = 0xFFFF1234, [RAX] = 9}, .Len = 3, .Size = 4, .New = 9, .Addr = 0x1234},
    /* mov fs:0x18,eax */
    {X32, "64 a3 18 00 00 00", .R = {[RAX] = 9}, .Seg = {[IgDisSegFs] = 0x7FFDE000}, .Len = 6, .Size = 4, .New = 9,
     .Addr = 0x7FFDE018},
    /* mov DWORD PTR [esp],0x1 */
    {X32, "c7 04 24 01 00 00 00", .R = {[RSP] = 0x12FF00}, .Seg = {[IgDisSegSs] = 0x100000}, .Len = 7, .Size = 4,
     .New = 1, .Addr = 0x22FF00},
    /* mov DWORD PTR [eax],ecx */
    {X32, "89 08", .R = {[RAX] = D, [RCX] = 2}, .Seg = {[IgDisSegDs] = 0x10000}, .Len = 2, .Size = 4, .New = 2,
     .Addr = D + 0x10000},
    /* mov DWORD PTR [eax+0x10],ecx */
    {X32, "89 48 10", .R = {[RAX] = 0xFFFFFFF8, [RCX] = 2}, .Len = 3, .Size = 4, .New = 2, .Addr = 8},
    /* mov DWORD PTR [eax],ecx */
    {X32, "89 08", .R = {[RAX] = 0xFFFFFFFF00000000 | D, [RCX] = 0xAAAAAAAA11111111}, .Len = 2, .Size = 4,
     .New = 0x11111111, .Addr = D},
    /* push ebp */
    {X32, "55", .R = {[RSP] = 0x12FF00, [RBP] = 0x12FF40}, .Len = 1, .Size = 4, .New = 0x12FF40, .Addr = 0x12FEFC},
    /* push 0xffffffff */
    {X32, "6a ff", .R = {[RSP] = 0x12FF00}, .Len = 2, .Size = 4, .New = 0xFFFFFFFF, .Addr = 0x12FEFC},
    /* pushw 0xffff */
    {X32, "66 6a ff", .R = {[RSP] = 0x12FF00}, .Len = 3, .Size = 2, .New = 0xFFFF, .Addr = 0x12FEFE},
    /* push DWORD PTR [ebp+0x8] */
    {X32, "ff 75 08", .R = {[RSP] = 0x12FF00, [RBP] = S - 8}, .SrcGva = S, .Src = 0x11223344, .Len = 3, .Size = 4,
     .New = 0x11223344, .Addr = 0x12FEFC},
    /* push ds */
    {X32, "1e", .R = {[RSP] = 0x12FF00}, .Len = 1, .Why = IgWriteRegisterUnavailable},
    /* stos DWORD PTR es:[edi],eax */
    {X32, "ab", .R = {[RDI] = D, [RAX] = 0x11223344}, .Seg = {[IgDisSegEs] = 0x20000}, .Len = 1, .Size = 4,
     .New = 0x11223344, .Addr = D + 0x20000},
    /* rep movs BYTE PTR es:[edi],BYTE PTR ds:[esi] */
    {X32, "f3 a4", .R = {[RSI] = S, [RDI] = D}, .SrcGva = S, .Src = 0x5A, .Len = 2, .Size = 1, .New = 0x5A, .Addr = D,
     .Rep = true},
    /* lock cmpxchg8b QWORD PTR [esi] */
    {X32, "f0 0f c7 0e",
     .R = {[RSI] = D, [RAX] = 0x22222222, [RDX] = 0x11111111, [RBX] = 0x44444444, [RCX] = 0x33333333},
     .Old = 0x1111111122222222, .Len = 4, .Size = 8, .New = 0x3333333344444444, .Addr = D, .Lock = true},
    /* lock cmpxchg DWORD PTR [ebx],ecx */
    {X32, "f0 0f b1 0b", .R = {[RBX] = D, [RAX] = 7, [RCX] = 8}, .Old = 7, .Len = 4, .Size = 4, .New = 8, .Addr = D,
     .Lock = true},
    /* inc DWORD PTR [eax] */
    {X32, "ff 00", .R = {[RAX] = D}, .Old = 0xFFFFFFFF, .Len = 2, .Size = 4, .New = 0, .Addr = D},
    /* inc eax */
    {X32, "40", .Len = 1, .Why = IgWriteNoMemoryWrite},
    /* dec eax;mov DWORD PTR [eax],ecx */
    {X32, "48 89 08", .Len = 1, .Why = IgWriteNoMemoryWrite},
    /* setb BYTE PTR [ebx] */
    {X32, "0f 92 03", .R = {[RBX] = D}, .Flags = CF, .Len = 3, .Size = 1, .New = 1, .Addr = D},
    /* shl DWORD PTR [eax],cl */
    {X32, "d3 20", .R = {[RAX] = D, [RCX] = 1}, .Old = 0x40000000, .Len = 2, .Size = 4, .New = 0x80000000, .Addr = D},
    /* xchg DWORD PTR [eax],ecx */
    {X32, "87 08", .R = {[RAX] = D, [RCX] = 0x600D}, .Len = 2, .Size = 4, .New = 0x600D, .Addr = D},
    /* bts DWORD PTR [eax],ecx */
    {X32, "0f ab 08", .R = {[RAX] = D, [RCX] = 64}, .Len = 3, .Size = 4, .Why = IgWriteBitOutsideUnit, .Addr = D + 8},
    /* sbb DWORD PTR [eax],ecx */
    {X32, "19 08", .R = {[RAX] = D, [RCX] = 1}, .Flags = CF, .Old = 2, .Len = 2, .Size = 4, .New = 0, .Addr = D},
};

static size_t ParseHex(const char *Hex, uint8_t *Out, size_t Max)
{
    size_t n = 0;

    while (*Hex && n < Max)
    {
        unsigned int v;

        if (*Hex == ' ')
        {
            Hex++;
            continue;
        }
        assert_int_equal(sscanf(Hex, "%2x", &v), 1);
        Out[n++] = (uint8_t)v;
        Hex += 2;
    }
    return n;
}

static void StoreLe(uint8_t *Out, uint64_t Low, uint64_t High)
{
    for (int i = 0; i < 8; i++)
    {
        Out[i] = (uint8_t)(Low >> (8 * i));
        Out[8 + i] = (uint8_t)(High >> (8 * i));
    }
}

static void LoadRegs(IG_ARCH_REGS *Regs, const uint64_t *R, uint64_t Flags, uint64_t Rip)
{
    *Regs = (IG_ARCH_REGS){0};
    Regs->Rax = R[RAX];
    Regs->Rcx = R[RCX];
    Regs->Rdx = R[RDX];
    Regs->Rbx = R[RBX];
    Regs->Rsp = R[RSP];
    Regs->Rbp = R[RBP];
    Regs->Rsi = R[RSI];
    Regs->Rdi = R[RDI];
    Regs->R8 = R[R8];
    Regs->R9 = R[R9];
    Regs->R10 = R[R10];
    Regs->R11 = R[R11];
    Regs->R12 = R[R12];
    Regs->R13 = R[R13];
    Regs->R14 = R[R14];
    Regs->R15 = R[R15];
    Regs->Flags = Flags | 2; /* bit 1 always reads 1 */
    Regs->Rip = Rip;
    Regs->Cr3 = CR3;
}

#define EXPECT(Row, Index, Cond)                                                                                       \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            print_error("row %zu (%s, %u-bit): expected %s\n", (size_t)(Index), (Row)->Hex,                            \
                        (Row)->Cs == X64   ? 64u                                                                       \
                        : (Row)->Cs == X32 ? 32u                                                                       \
                                           : 16u,                                                                      \
                        #Cond);                                                                                        \
            fail();                                                                                                    \
        }                                                                                                              \
    } while (0)

static void CheckRow(IG_DISASM_DETAIL *Decoder, const WD_ROW *Row, size_t Index)
{
    uint8_t code[32];
    uint8_t old[IG_WRITE_MAX_SIZE] = {0};
    uint8_t src[8];
    uint8_t want[16];
    IG_GUEST_BYTES ranges[2];
    IG_GUEST_BYTE_RANGES list = {ranges, 0};
    IG_GUEST_VMEM vmem;
    IG_ARCH_REGS regs;
    IG_WRITE_REQUEST req = {0};
    IG_WRITE_INFO info;
    uint64_t gva = Row->Gva ? Row->Gva : Row->Addr;

    StoreLe(old, Row->Old, Row->OldHi);
    StoreLe(want, Row->New, Row->NewHi);
    for (int i = 0; i < 8; i++)
    {
        src[i] = (uint8_t)(Row->Src >> (8 * i));
    }
    if (Row->SrcGva)
    {
        ranges[list.Count++] = (IG_GUEST_BYTES){0, Row->SrcGva, src, sizeof(src)};
    }
    if (Row->OldInMemory)
    {
        ranges[list.Count++] = (IG_GUEST_BYTES){CR3, Row->Addr, old, sizeof(old)};
    }
    IgGuestByteRangesVmem(&list, &vmem);
    LoadRegs(&regs, Row->R, Row->Flags, Row->Rip ? Row->Rip : RIP);

    req.Code = code;
    req.CodeSize = ParseHex(Row->Hex, code, sizeof(code));
    req.CsType = Row->Cs;
    req.Regs = &regs;
    memcpy(req.SegmentBase, Row->Seg, sizeof(req.SegmentBase));
    req.Gva = gva;
    req.GvaValid = !Row->NoGva && gva != 0;
    req.Access = Row->Read ? IG_WRITE_ACCESS_READ : IG_WRITE_ACCESS_WRITE;
    req.ExitSize = Row->Exit;
    req.OldGva = Row->Addr;
    req.Old = Row->NoOld ? NULL : old;
    req.OldSize = Row->NoOld ? 0 : sizeof(old);
    req.Memory = &vmem;

    assert_int_equal(IgWriteDecode(Decoder, &req, &info), INT_STATUS_SUCCESS);
    EXPECT(Row, Index, info.Length == Row->Len);
    EXPECT(Row, Index, info.Size == Row->Size);
    EXPECT(Row, Index, info.SizeFromExit == Row->FromExit);
    EXPECT(Row, Index, info.Unknown == Row->Why);
    EXPECT(Row, Index, info.NewKnown == (Row->Why == IgWriteKnown));
    if (info.NewKnown)
    {
        EXPECT(Row, Index, memcmp(info.New, want, info.Size < 16 ? info.Size : 16) == 0);
    }
    else
    {
        static const uint8_t zero[IG_WRITE_MAX_SIZE];

        EXPECT(Row, Index, memcmp(info.New, zero, sizeof(zero)) == 0);
    }
    EXPECT(Row, Index, info.AddressKnown == (Row->Addr != 0));
    EXPECT(Row, Index, info.Address == Row->Addr);
    EXPECT(Row, Index, info.Rep == Row->Rep);
    EXPECT(Row, Index, info.Lock == Row->Lock);
    EXPECT(Row, Index,
           info.AddressCheck == (!info.AddressKnown || !req.GvaValid || info.Size == 0 ? IgWriteAddressUnchecked
                                 : Row->Mismatch                                       ? IgWriteAddressDiffers
                                                                                       : IgWriteAddressMatches));
    /* The old value is the caller's bytes (or memory's) wherever the destination is known. */
    EXPECT(Row, Index, info.OldKnown == (info.AddressKnown && (!Row->NoOld || Row->OldInMemory)));
    if (info.OldKnown && info.Address == Row->Addr)
    {
        EXPECT(Row, Index, memcmp(info.Old, old, info.Size) == 0);
    }
}

typedef struct WD_FIXTURE
{
    IG_DISASM_DETAIL *Decoder;
} WD_FIXTURE;

static int Setup(void **State)
{
    WD_FIXTURE *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(IgDisasmDetailCreate(&gIgMallocAllocator, &f->Decoder), INT_STATUS_SUCCESS);
    *State = f;
    return 0;
}

static int Teardown(void **State)
{
    WD_FIXTURE *f = *State;

    IgDisasmDetailDestroy(f->Decoder);
    free(f);
    return 0;
}

static void test_table(void **State)
{
    WD_FIXTURE *f = *State;

    for (size_t i = 0; i < sizeof(gRows) / sizeof(gRows[0]); i++)
    {
        CheckRow(f->Decoder, &gRows[i], i);
    }
}

/* Modes switch back and forth on one decoder: the same bytes mean different things. */
static void test_mode_switching(void **State)
{
    WD_FIXTURE *f = *State;
    static const uint8_t code[] = {0x48, 0x89, 0x08};
    IG_DIS_INSN insn;

    for (int round = 0; round < 3; round++)
    {
        assert_int_equal(IgDisasmDetailDecode(f->Decoder, 64, code, sizeof(code), &insn), INT_STATUS_SUCCESS);
        assert_int_equal(insn.Length, 3);
        assert_int_equal(insn.Op, IgDisOpMov);
        assert_int_equal(insn.Rex, 0x48);
        assert_int_equal(IgDisasmDetailDecode(f->Decoder, 32, code, sizeof(code), &insn), INT_STATUS_SUCCESS);
        assert_int_equal(insn.Length, 1); /* dec eax */
        assert_int_equal(insn.Op, IgDisOpDec);
        assert_int_equal(insn.Operands[0].Type, IgDisOperandReg);
        assert_int_equal(IgDisasmDetailDecode(f->Decoder, 16, code + 1, 2, &insn), INT_STATUS_SUCCESS);
        assert_int_equal(insn.Length, 2); /* mov [bx+si], cx */
        assert_int_equal(insn.AddressSize, 2);
        assert_int_equal(insn.Operands[0].Size, 2);
    }
}

/* What the operand decoder reports for a prefix-heavy, SIB, RIP-relative and string instruction. */
static void test_detail_operands(void **State)
{
    WD_FIXTURE *f = *State;
    static const uint8_t sib[] = {0xF0, 0x65, 0x67, 0x48, 0x01, 0x44, 0x8B, 0xF8}; /* lock add gs:[ebx+ecx*4-8], rax */
    static const uint8_t rip[] = {0xC7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    static const uint8_t movs[] = {0xF2, 0x26, 0xA4}; /* repne movsb, source es:[rsi] */
    IG_DIS_INSN insn;
    const IG_DIS_MEM *m;

    assert_int_equal(IgDisasmDetailDecode(f->Decoder, 64, sib, sizeof(sib), &insn), INT_STATUS_SUCCESS);
    m = &insn.Operands[0].Mem;
    assert_int_equal(insn.Length, 8);
    assert_int_equal(insn.Op, IgDisOpAdd);
    assert_true(insn.Lock && insn.AddrSizePrefix && !insn.OpSizePrefix && !insn.Rep && !insn.Repne);
    assert_int_equal(insn.Rex, 0x48);
    assert_int_equal(insn.SegmentOverride, IgDisSegGs);
    assert_int_equal(insn.AddressSize, 4);
    assert_int_equal(insn.OperandCount, 2);
    assert_int_equal(insn.Operands[0].Type, IgDisOperandMem);
    assert_int_equal(insn.Operands[0].Size, 8);
    assert_int_equal(m->Base.Kind, IgDisRegGpr);
    assert_int_equal(m->Base.Index, RBX);
    assert_int_equal(m->Base.Size, 4);
    assert_int_equal(m->Index.Index, RCX);
    assert_int_equal(m->Scale, 4);
    assert_int_equal(m->Disp, -8);
    assert_int_equal(m->Segment, IgDisSegGs);
    assert_int_equal(insn.Operands[1].Type, IgDisOperandReg);
    assert_int_equal(insn.Operands[1].Reg.Kind, IgDisRegGpr);
    assert_int_equal(insn.Operands[1].Reg.Index, RAX);
    assert_int_equal(insn.Operands[1].Reg.Size, 8);

    assert_int_equal(IgDisasmDetailDecode(f->Decoder, 64, rip, sizeof(rip), &insn), INT_STATUS_SUCCESS);
    assert_int_equal(insn.Operands[0].Mem.Base.Kind, IgDisRegIp);
    assert_int_equal(insn.Operands[0].Mem.Segment, IgDisSegDs);
    assert_int_equal(insn.Operands[1].Type, IgDisOperandImm);
    assert_int_equal(insn.Operands[1].Imm, 1);

    assert_int_equal(IgDisasmDetailDecode(f->Decoder, 64, movs, sizeof(movs), &insn), INT_STATUS_SUCCESS);
    assert_int_equal(insn.Op, IgDisOpMovs);
    assert_true(insn.Repne && !insn.Rep);
    assert_int_equal(insn.Operands[0].Mem.Segment, IgDisSegEs);
    assert_int_equal(insn.Operands[1].Mem.Segment, IgDisSegEs); /* the override applies to the source */
    assert_int_equal(insn.Operands[1].Mem.Base.Index, RSI);
}

static void test_detail_arguments(void **State)
{
    WD_FIXTURE *f = *State;
    static const uint8_t code[] = {0x90};
    IG_DIS_INSN insn;
    IG_DISASM_DETAIL *d = (IG_DISASM_DETAIL *)1;

    assert_int_equal(IgDisasmDetailCreate(NULL, &d), INT_STATUS_INVALID_PARAMETER_1);
    assert_null(d);
    assert_int_equal(IgDisasmDetailCreate(&gIgMallocAllocator, NULL), INT_STATUS_INVALID_PARAMETER_2);
    IgDisasmDetailDestroy(NULL);
    assert_int_equal(IgDisasmDetailDecode(NULL, 64, code, 1, &insn), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IgDisasmDetailDecode(f->Decoder, 8, code, 1, &insn), INT_STATUS_INVALID_PARAMETER_2);
    assert_int_equal(IgDisasmDetailDecode(f->Decoder, 64, NULL, 1, &insn), INT_STATUS_INVALID_PARAMETER);
    assert_int_equal(IgDisasmDetailDecode(f->Decoder, 64, code, 0, &insn), INT_STATUS_NOT_FOUND);
    assert_int_equal(insn.Length, 0);
}

static INTSTATUS FailingAlloc(void *Context, void **Address, size_t Size, uint32_t Tag)
{
    (void)Context;
    (void)Size;
    (void)Tag;
    *Address = NULL;
    return INT_STATUS_INSUFFICIENT_RESOURCES;
}

static void test_create_allocation_failure(void **State)
{
    IG_ALLOCATOR failing = {FailingAlloc, gIgMallocAllocator.Free, NULL};
    IG_DISASM_DETAIL *d = (IG_DISASM_DETAIL *)1;

    (void)State;
    assert_int_equal(IgDisasmDetailCreate(&failing, &d), INT_STATUS_INSUFFICIENT_RESOURCES);
    assert_null(d);
}

static void test_decode_arguments(void **State)
{
    WD_FIXTURE *f = *State;
    static const uint8_t code[] = {0x89, 0x08};
    IG_ARCH_REGS regs = {0};
    IG_WRITE_REQUEST req = {.Code = code, .CodeSize = 2, .CsType = IG_CS_TYPE_64B, .Regs = &regs};
    IG_WRITE_INFO info;

    memset(&info, 0xCC, sizeof(info));
    assert_int_equal(IgWriteDecode(NULL, &req, &info), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(info.Length, 0);
    assert_int_equal(IgWriteDecode(f->Decoder, NULL, &info), INT_STATUS_INVALID_PARAMETER_2);
    req.Regs = NULL;
    assert_int_equal(IgWriteDecode(f->Decoder, &req, &info), INT_STATUS_INVALID_PARAMETER_2);
    req.Regs = &regs;
    req.Code = NULL;
    assert_int_equal(IgWriteDecode(f->Decoder, &req, &info), INT_STATUS_INVALID_PARAMETER_2);
    req.Code = code;
    assert_int_equal(IgWriteDecode(f->Decoder, &req, NULL), INT_STATUS_INVALID_PARAMETER_3);
    assert_string_equal(IgWriteUnknownToString(IgWriteBitOutsideUnit), "bit offset outside the unit");
    assert_string_equal(IgWriteUnknownToString(999), "?");
}

/* 32-bit MOVS whose source runs past 4 GiB reads the rest at 0, as the CPU does. */
static void test_movs_source_wraps_4g(void **State)
{
    WD_FIXTURE *f = *State;
    static const uint8_t code[] = {0xA5}; /* movsd */
    static const uint8_t top[] = {0x11, 0x22};
    static const uint8_t bottom[] = {0x33, 0x44};
    IG_GUEST_BYTES ranges[2] = {{0, 0xFFFFFFFE, top, 2}, {0, 0, bottom, 2}};
    IG_GUEST_BYTE_RANGES list = {ranges, 2};
    IG_GUEST_VMEM vmem;
    IG_ARCH_REGS regs = {.Rsi = 0xFFFFFFFE, .Rdi = D};
    IG_WRITE_REQUEST req = {.Code = code,
                            .CodeSize = 1,
                            .CsType = IG_CS_TYPE_32B,
                            .Regs = &regs,
                            .Access = IG_WRITE_ACCESS_WRITE,
                            .Memory = &vmem};
    IG_WRITE_INFO info;

    IgGuestByteRangesVmem(&list, &vmem);
    assert_int_equal(IgWriteDecode(f->Decoder, &req, &info), INT_STATUS_SUCCESS);
    assert_true(info.NewKnown);
    assert_int_equal(info.Size, 4);
    assert_memory_equal(info.New, ((const uint8_t[]){0x11, 0x22, 0x33, 0x44}), 4);

    list.Count = 1; /* without the bytes at 0 the source is unreadable */
    assert_int_equal(IgWriteDecode(f->Decoder, &req, &info), INT_STATUS_SUCCESS);
    assert_false(info.NewKnown);
    assert_int_equal(info.Unknown, IgWriteSourceUnreadable);
}

/* The caller's old bytes are used where they cover the destination, even from an earlier start. */
static void test_old_bytes_offset(void **State)
{
    WD_FIXTURE *f = *State;
    static const uint8_t code[] = {0x01, 0x08}; /* add [rax], ecx */
    uint8_t old[16] = {0};
    IG_ARCH_REGS regs = {.Rax = D + 4, .Rcx = 1};
    IG_WRITE_REQUEST req = {.Code = code,
                            .CodeSize = 2,
                            .CsType = IG_CS_TYPE_64B,
                            .Regs = &regs,
                            .Gva = D + 4,
                            .GvaValid = true,
                            .Access = IG_WRITE_ACCESS_WRITE,
                            .OldGva = D,
                            .Old = old,
                            .OldSize = sizeof(old)};
    IG_WRITE_INFO info;

    old[4] = 0x29;
    assert_int_equal(IgWriteDecode(f->Decoder, &req, &info), INT_STATUS_SUCCESS);
    assert_true(info.NewKnown && info.OldKnown);
    assert_int_equal(info.New[0], 0x2A);

    req.OldSize = 7; /* one byte short of [D+4, D+8) */
    assert_int_equal(IgWriteDecode(f->Decoder, &req, &info), INT_STATUS_SUCCESS);
    assert_false(info.NewKnown);
    assert_int_equal(info.Unknown, IgWriteOldUnavailable);
    assert_false(info.OldKnown);
}

#ifdef WD_HAVE_CPU

/*
 * The CPU as the reference: each template is a read-modify-write form on [rsi], run natively on a
 * buffer with random registers, flags and old bytes, then compared with IgWriteDecode.  rAX, rCX,
 * rDX and rBX carry the sources (rCX the counts and bit offsets).  Immediates are drawn at random.
 */
typedef struct CPU_TEMPLATE
{
    const char *Hex;
    uint8_t Imm; /* immediate bytes appended at random */
} CPU_TEMPLATE;

static const CPU_TEMPLATE gCpuTemplates[] = {
    {"00 0e", 0},       {"66 01 0e", 0},    {"01 0e", 0},       {"48 01 0e", 0},       {"10 0e", 0},
    {"11 0e", 0},       {"48 11 0e", 0},    {"18 0e", 0},       {"66 19 0e", 0},       {"19 0e", 0},
    {"28 0e", 0},       {"48 29 0e", 0},    {"20 0e", 0},       {"21 0e", 0},          {"08 0e", 0},
    {"66 09 0e", 0},    {"30 0e", 0},       {"48 31 0e", 0},    {"80 06", 1},          {"80 16", 1},
    {"80 1e", 1},       {"66 83 06", 1},    {"83 2e", 1},       {"48 83 26", 1},       {"48 83 0e", 1},
    {"81 36", 4},       {"48 81 06", 4},    {"66 81 16", 2},    {"fe 06", 0},          {"fe 0e", 0},
    {"66 ff 06", 0},    {"ff 0e", 0},       {"48 ff 06", 0},    {"f6 1e", 0},          {"66 f7 1e", 0},
    {"48 f7 16", 0},    {"f6 16", 0},       {"d2 06", 0},       {"d2 0e", 0},          {"d2 16", 0},
    {"d2 1e", 0},       {"d2 26", 0},       {"d2 2e", 0},       {"d2 3e", 0},          {"66 d3 06", 0},
    {"66 d3 16", 0},    {"66 d3 1e", 0},    {"66 d3 3e", 0},    {"d3 06", 0},          {"d3 0e", 0},
    {"d3 16", 0},       {"d3 1e", 0},       {"d3 26", 0},       {"d3 2e", 0},          {"d3 3e", 0},
    {"48 d3 06", 0},    {"48 d3 0e", 0},    {"48 d3 16", 0},    {"48 d3 1e", 0},       {"48 d3 26", 0},
    {"48 d3 2e", 0},    {"48 d3 3e", 0},    {"c0 16", 1},       {"c1 1e", 1},          {"48 c1 3e", 1},
    {"d0 16", 0},       {"d1 1e", 0},       {"48 d1 3e", 0},    {"0f ba 2e", 1},       {"66 0f ba 36", 1},
    {"48 0f ba 3e", 1}, {"0f ab 0e", 0},    {"66 0f b3 0e", 0}, {"48 0f bb 0e", 0},    {"0f c0 0e", 0},
    {"48 0f c1 0e", 0}, {"0f b0 0e", 0},    {"66 0f b1 0e", 0}, {"0f b1 0e", 0},       {"48 0f b1 0e", 0},
    {"0f c7 0e", 0},    {"48 0f c7 0e", 0}, {"f0 0f c1 0e", 0}, {"f0 48 0f b1 0e", 0}, {"88 0e", 0},
    {"66 89 0e", 0},    {"c6 06", 1},       {"48 c7 06", 4},    {"86 0e", 0},          {"48 87 0e", 0},
    {"86 2e", 0},       {"0f 90 06", 0},    {"0f 91 06", 0},    {"0f 92 06", 0},       {"0f 93 06", 0},
    {"0f 94 06", 0},    {"0f 95 06", 0},    {"0f 96 06", 0},    {"0f 97 06", 0},       {"0f 98 06", 0},
    {"0f 99 06", 0},    {"0f 9a 06", 0},    {"0f 9b 06", 0},    {"0f 9c 06", 0},       {"0f 9d 06", 0},
    {"0f 9e 06", 0},    {"0f 9f 06", 0},
};

#define CPU_BUFFER 192
#define CPU_DEST 64

/* Runs Code (then RET) with the given rax/rcx/rdx/rbx/rsi and flags. */
static void CpuRun(void *Page, uint64_t Rax, uint64_t Rcx, uint64_t Rdx, uint64_t Rbx, uint64_t Rsi, uint64_t Flags)
{
    __asm__ volatile("sub $128, %%rsp\n\t" /* keep clear of the red zone */
                     "push %[flags]\n\t"
                     "popfq\n\t"
                     "call *%[fn]\n\t"
                     "add $128, %%rsp\n\t"
                     : "+a"(Rax), "+c"(Rcx), "+d"(Rdx), "+b"(Rbx), "+S"(Rsi), [flags] "+r"(Flags)
                     : [fn] "r"(Page)
                     : "memory", "cc");
}

static void CpuCheckOne(IG_DISASM_DETAIL *Decoder, uint8_t *Page, const CPU_TEMPLATE *T, uint64_t *Seed)
{
    _Alignas(16) uint8_t buffer[CPU_BUFFER];
    uint8_t before[CPU_BUFFER];
    uint8_t code[16];
    size_t len = ParseHex(T->Hex, code, sizeof(code));
    IG_ARCH_REGS regs = {0};
    IG_WRITE_REQUEST req = {0};
    IG_WRITE_INFO info;
    uint64_t dest = (uint64_t)(uintptr_t)(buffer + CPU_DEST);

    for (uint8_t i = 0; i < T->Imm; i++)
    {
        code[len++] = (uint8_t)TestRandom64(Seed);
    }
    for (size_t i = 0; i < sizeof(buffer); i += 8)
    {
        uint64_t r = TestRandom64(Seed);

        memcpy(buffer + i, &r, 8);
    }
    regs.Rax = TestRandom64(Seed);
    regs.Rdx = TestRandom64(Seed);
    regs.Rbx = TestRandom64(Seed);
    regs.Rcx =
        (TestRandom64(Seed) & 1) ? TestRandom64(Seed) % 384 - 128 : TestRandom64(Seed); /* bit offsets near the unit */
    if (strstr(T->Hex, "0f ab") || strstr(T->Hex, "0f b3") || strstr(T->Hex, "0f bb"))
    {
        regs.Rcx = TestRandom64(Seed) % 384 - 128; /* keep the native access inside the buffer */
    }
    if (TestRandom64(Seed) & 1) /* make CMPXCHG* succeed half the time */
    {
        memcpy(&regs.Rax, buffer + CPU_DEST, 8);
        memcpy(&regs.Rdx, buffer + CPU_DEST + 8, 8);
        if (strstr(T->Hex, "0f c7") && !strstr(T->Hex, "48"))
        {
            regs.Rdx = regs.Rax >> 32;
        }
    }
    regs.Rsi = dest;
    regs.Flags = 2 | (TestRandom64(Seed) & (CF | PF | ZF | SF | OF | 0x10));
    regs.Rip = (uint64_t)(uintptr_t)Page;

    memcpy(before, buffer, sizeof(buffer));
    memcpy(Page, code, len);
    Page[len] = 0xC3;
    CpuRun(Page, regs.Rax, regs.Rcx, regs.Rdx, regs.Rbx, regs.Rsi, regs.Flags);

    req.Code = code;
    req.CodeSize = len;
    req.CsType = IG_CS_TYPE_64B;
    req.Regs = &regs;
    req.Access = IG_WRITE_ACCESS_WRITE;
    req.Old = before;
    req.OldSize = sizeof(before);
    /* The emulation sees addresses in `buffer`; its old bytes are the copy taken before the run. */
    req.OldGva = (uint64_t)(uintptr_t)buffer;
    assert_int_equal(IgWriteDecode(Decoder, &req, &info), INT_STATUS_SUCCESS);
    if (info.Unknown == IgWriteBitOutsideUnit)
    {
        /* Nothing outside the unit the decoder names may have changed. */
        size_t unit = (size_t)(info.Address - (uint64_t)(uintptr_t)buffer);

        assert_true(unit + info.Size <= sizeof(buffer));
        for (size_t i = 0; i < sizeof(buffer); i++)
        {
            assert_true((i >= unit && i < unit + info.Size) || buffer[i] == before[i]);
        }
        return;
    }
    if (!info.NewKnown)
    {
        print_error("%s: not known (%s)\n", T->Hex, IgWriteUnknownToString(info.Unknown));
        fail();
    }
    assert_int_equal(info.Address, dest);
    if (memcmp(info.New, buffer + CPU_DEST, info.Size) != 0 ||
        memcmp(before + CPU_DEST + info.Size, buffer + CPU_DEST + info.Size, CPU_BUFFER - CPU_DEST - info.Size) != 0)
    {
        print_error("%s: rcx=%llx flags=%llx: emulated %02x%02x.. cpu %02x%02x..\n", T->Hex,
                    (unsigned long long)regs.Rcx, (unsigned long long)regs.Flags, info.New[1], info.New[0],
                    buffer[CPU_DEST + 1], buffer[CPU_DEST]);
        fail();
    }
}

static void test_cpu_differential(void **State)
{
    WD_FIXTURE *f = *State;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (page == MAP_FAILED)
    {
        skip();
    }
    for (size_t t = 0; t < sizeof(gCpuTemplates) / sizeof(gCpuTemplates[0]); t++)
    {
        for (int i = 0; i < 300; i++)
        {
            CpuCheckOne(f->Decoder, page, &gCpuTemplates[t], &seed);
        }
    }
    munmap(page, 4096);
}

#else

static void test_cpu_differential(void **State)
{
    (void)State;
    skip();
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table, Setup, Teardown),
        cmocka_unit_test_setup_teardown(test_mode_switching, Setup, Teardown),
        cmocka_unit_test_setup_teardown(test_detail_operands, Setup, Teardown),
        cmocka_unit_test_setup_teardown(test_detail_arguments, Setup, Teardown),
        cmocka_unit_test(test_create_allocation_failure),
        cmocka_unit_test_setup_teardown(test_decode_arguments, Setup, Teardown),
        cmocka_unit_test_setup_teardown(test_movs_source_wraps_4g, Setup, Teardown),
        cmocka_unit_test_setup_teardown(test_old_bytes_offset, Setup, Teardown),
        cmocka_unit_test_setup_teardown(test_cpu_differential, Setup, Teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
