/*
 * Written values for EPT write violations: from the faulting instruction's bytes, the vCPU's
 * registers and guest memory, what one access writes where (spec/matching.md §1.6: AccessSize,
 * OldValue, NewValue).
 *
 * hvmi emulates the instruction and stores 0x0BADDEAD when it cannot.  introguard reports a new
 * value only when it follows exactly from what it was given; anything else is "new value unknown"
 * with the reason, never a guess (a guessed value could match, or miss, a value signature).
 *
 * Emulated forms, on a memory destination: MOV/MOVABS/MOVNTI, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B,
 * STOS, MOVS (one element), ADD ADC SUB SBB AND OR XOR INC DEC NEG NOT, SHL/SAL SHR SAR ROL ROR RCL
 * RCR, BTS BTR BTC, PUSH reg/imm/mem, SETcc.  Vector stores have a known size and an unknown value
 * (only general-purpose registers are given).  docs/architecture.md ("Written values") has the rules.
 */
#ifndef INTROGUARD_WRITE_DECODE_H
#define INTROGUARD_WRITE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_types.h"
#include "../common/guestmem.h"
#include "../exceptions/disasm.h"

/* hvmi's limit on one violation's AccessSize. */
#define IG_WRITE_MAX_SIZE 64u

/* Access kinds of an EPT violation (the exit qualification's bits 0..2). */
#define IG_WRITE_ACCESS_READ 1u
#define IG_WRITE_ACCESS_WRITE 2u
#define IG_WRITE_ACCESS_EXECUTE 4u

/* Why a new value is not known; the first reason found wins. */
typedef enum IG_WRITE_UNKNOWN
{
    IgWriteKnown = 0,               /* the new value is known */
    IgWriteUndecodable = 1,         /* the bytes are not one whole instruction (invalid or cut short) */
    IgWriteUnsupportedMode = 2,     /* 16-bit or unknown code: only the length is decoded */
    IgWriteNotAWrite = 3,           /* the exit is not a write */
    IgWriteNoMemoryWrite = 4,       /* the instruction writes no memory (a load, CMP, TEST, BT, ...) */
    IgWriteUnsupported = 5,         /* not an emulated form (CALL, FXSAVE, PUSHF, MOVBE, ...) */
    IgWriteRegisterUnavailable = 6, /* the source is a register not given: vector, segment selector */
    IgWriteOldUnavailable = 7,      /* the form needs the old value and it could not be had */
    IgWriteSourceUnreadable = 8,    /* MOVS / PUSH m: the source could not be read */
    IgWriteBitOutsideUnit = 9,      /* BTS/BTR/BTC: a register bit offset outside the operand's unit */
    IgWriteInvalidLock = 10,        /* LOCK on an instruction that raises #UD with it */
    IgWriteAddressMismatch = 11,    /* the destination does not hold the faulting address */
    IgWriteBadOperands = 12,        /* operands the form does not allow (size outside 1..64, missing) */
} IG_WRITE_UNKNOWN;

typedef enum IG_WRITE_ADDRESS_CHECK
{
    IgWriteAddressUnchecked = 0, /* no address, no size, or no valid faulting address */
    IgWriteAddressMatches = 1,   /* Gva lies in [Address, Address + Size) */
    IgWriteAddressDiffers = 2,   /* it does not: the new value is then unknown (IgWriteAddressMismatch) */
} IG_WRITE_ADDRESS_CHECK;

/* One EPT write violation as the caller knows it.  Nothing here is kept after the call. */
typedef struct IG_WRITE_REQUEST
{
    const uint8_t *Code; /* the bytes at RIP, already copied from the guest */
    size_t CodeSize;     /* how many could be read; at most 15 are looked at */
    uint32_t CsType;     /* IG_CS_TYPE of the vCPU */
    /* The vCPU before the instruction: GPRs, Flags (CF for ADC/SBB/RCL/RCR, all for SETcc), Rip, Cr3. */
    const IG_ARCH_REGS *Regs;
    /*
     * Segment bases by IG_DIS_SEG.  64-bit code uses only FS and GS (the others are 0 by the
     * architecture); 32-bit code uses the one each operand names, so a flat guest leaves ES..DS 0.
     */
    uint64_t SegmentBase[IgDisSegCount];
    uint64_t Gva;      /* faulting guest-linear address */
    bool GvaValid;     /* the exit reported Gva (the qualification's linear-address-valid bit) */
    uint32_t Access;   /* IG_WRITE_ACCESS_* of the exit */
    uint32_t ExitSize; /* access size the exit reports, 0 when it reports none */
    /*
     * Old bytes the caller read: Old[i] was at OldGva + i.  When they do not cover the destination,
     * the destination is read once through Memory.  Old may be NULL.
     */
    uint64_t OldGva;
    const uint8_t *Old;
    size_t OldSize;
    /* Guest-virtual reads in Regs->Cr3: the old bytes, and the MOVS and PUSH m sources.  May be NULL. */
    const IG_GUEST_VMEM *Memory;
} IG_WRITE_REQUEST;

typedef struct IG_WRITE_INFO
{
    uint8_t Length;       /* instruction length 1..15; 0 when the bytes do not decode */
    uint8_t Op;           /* IG_DIS_OP (IgDisOpOther when not decoded) */
    uint8_t Size;         /* bytes of one access, 1..64; REP STOS/MOVS: one element; 0 unknown */
    bool SizeFromExit;    /* Size is the exit's, the instruction gave none */
    bool Rep;             /* a REP string instruction: New is the element at [rDI]; more may follow */
    bool Lock;            /* LOCK prefix (XCHG with memory is locked without it) */
    bool AddressKnown;    /* Address is the destination, computed from the operands */
    uint8_t AddressCheck; /* IG_WRITE_ADDRESS_CHECK */
    uint64_t Address;     /* destination linear address (wrapped to the code's address space) */
    bool OldKnown;        /* Old holds the Size bytes at Address before the write */
    bool NewKnown;        /* New holds exactly the Size bytes the instruction writes */
    uint8_t Unknown;      /* IG_WRITE_UNKNOWN: why !NewKnown (IgWriteKnown when NewKnown) */
    uint8_t Old[IG_WRITE_MAX_SIZE];
    uint8_t New[IG_WRITE_MAX_SIZE];
} IG_WRITE_INFO;

/*
 * Works out what the faulting instruction writes.  Decoder is the guest's operand decoder (owned by
 * the caller, used by one call at a time).  Returns SUCCESS whenever *Info is filled, including
 * when the new value is unknown (Info->Unknown says why: hvmi's "failed emulation"); an error only
 * for bad parameters or when capstone cannot switch modes.  The work is bounded: one instruction
 * of at most 15 bytes, at most two guest reads of at most 64 bytes.
 */
__attribute__((warn_unused_result)) INTSTATUS IgWriteDecode(IG_DISASM_DETAIL *Decoder, const IG_WRITE_REQUEST *Request,
                                                            IG_WRITE_INFO *Info);

/* A short English name for an IG_WRITE_UNKNOWN, "?" for others. */
const char *IgWriteUnknownToString(uint32_t Unknown);

#endif /* INTROGUARD_WRITE_DECODE_H */
