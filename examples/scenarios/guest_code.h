/*
 * The guest code of the scenarios: routines compiled by the build (guest_code.c) into one section,
 * guest_text, that the generator copies into the guests' code pages.  Each routine stands for a
 * piece of a Windows 10 x64 or Linux guest (a driver, the kernel, a DLL) and does what that piece
 * does; the events of a scenario are the faults its instructions take.
 *
 * The section holds nothing but position-independent code: no data, no calls outside the section
 * (calls go through pointers the caller passes), no stack protector, no unwind tables, no red zone.
 * The generator finds it between __start_guest_text and __stop_guest_text (the linker defines both
 * for a section whose name is a C identifier) and a routine at its address minus the start.
 *
 * Windows routines use the Microsoft x64 convention (RCX, RDX, R8, R9), as the guest's code would;
 * Linux routines the System V one (RDI, RSI, RDX, RCX).
 */
#ifndef SCENARIOS_GUEST_CODE_H
#define SCENARIOS_GUEST_CODE_H

#include <stddef.h>
#include <stdint.h>

#define GC_MSABI __attribute__((ms_abi))

/* DRIVER_OBJECT of Windows x64, up to the IRP dispatch table. */
typedef struct GC_DRIVER_OBJECT
{
    uint16_t Type; /* 4: IO_TYPE_DRIVER */
    uint16_t Size; /* 0x150 */
    uint32_t Reserved;
    uint64_t DeviceObject;
    uint32_t Flags;
    uint32_t Reserved2;
    uint64_t DriverStart;
    uint64_t DriverSize;
    uint64_t DriverSection;
    uint64_t DriverExtension;
    uint16_t NameLength; /* UNICODE_STRING DriverName */
    uint16_t NameMaximumLength;
    uint32_t Reserved3;
    uint64_t NameBuffer;
    uint64_t HardwareDatabase;
    uint64_t FastIoDispatch;
    uint64_t DriverInit;
    uint64_t DriverStartIo;
    uint64_t DriverUnload;
    uint64_t MajorFunction[28]; /* at 0x70, as on Windows x64 */
} GC_DRIVER_OBJECT;

_Static_assert(__builtin_offsetof(GC_DRIVER_OBJECT, MajorFunction) == 0x70, "DRIVER_OBJECT.MajorFunction");
_Static_assert(sizeof(GC_DRIVER_OBJECT) == 0x150, "DRIVER_OBJECT size");

#define GC_IRP_MJ_CREATE 0x00
#define GC_IRP_MJ_READ 0x03
#define GC_IRP_MJ_WRITE 0x04
#define GC_IRP_MJ_DEVICE_CONTROL 0x0E

/* The global state a storage class driver keeps in its .data section. */
typedef struct GC_DISK_DATA
{
    uint32_t Flags;
    uint32_t OpenCount;
    uint64_t CompletionRoutine; /* called when a transfer completes */
    uint64_t Reserved[6];
} GC_DISK_DATA;

#define GC_DISK_FLAG_VERIFY_WRITES 0x00000004u

/* What LIDT reads: limit and base, packed. */
typedef struct __attribute__((packed)) GC_DESCRIPTOR_TABLE
{
    uint16_t Limit;
    uint64_t Base;
} GC_DESCRIPTOR_TABLE;

typedef GC_MSABI uint64_t (*GC_KM_CALLBACK)(uint64_t Context);
typedef GC_MSABI void (*GC_UM_COPY)(uint8_t *Destination, const uint8_t *Source, size_t Length);
typedef long (*GC_LX_INITCALL)(uint64_t *Table, unsigned long Number, uint64_t Value);
typedef void (*GC_LX_POKE)(uint8_t *Address, const uint8_t *Opcode, size_t Length);

/* ---- Windows kernel: drivers and ntoskrnl ------------------------------------------------------------------------ */

/* A driver points an IRP dispatch entry of another driver's DRIVER_OBJECT at its own routine (MOV). */
GC_MSABI void GcKmSetMajorFunction(GC_DRIVER_OBJECT *Driver, uint32_t Major, uint64_t Handler);
/* Clears flag bits of a driver's global state (AND, read-modify-write). */
GC_MSABI void GcKmClearFlags(GC_DISK_DATA *Data, uint32_t Bits);
/* Swaps a driver's completion routine, returning the old one (XCHG). */
GC_MSABI uint64_t GcKmSwapCompletion(GC_DISK_DATA *Data, uint64_t Routine);
/* Replaces the completion routine if it still is Expected (LOCK CMPXCHG). */
GC_MSABI int GcKmReplaceCompletion(GC_DISK_DATA *Data, uint64_t Expected, uint64_t Routine);
/* Overwrites code with INT3 (REP STOSB). */
GC_MSABI void GcKmFillCode(uint8_t *Code, size_t Length);
/* Runs a callback Count times; its prologue saves registers (PUSH). */
GC_MSABI uint64_t GcKmRunCallbacks(GC_KM_CALLBACK Callback, uint64_t Context, uint32_t Count);
/* Adds to a statistics counter (ADD, read-modify-write). */
GC_MSABI void GcKmAddCounter(uint64_t *Counter, uint64_t Value);
/* WRMSR. */
GC_MSABI void GcKmWriteMsr(uint32_t Msr, uint64_t Value);
/* MOV CR4. */
GC_MSABI void GcKmWriteCr4(uint64_t Value);
/* Flushes the global TLB entries by toggling CR4.PGE twice, as the kernel does. */
GC_MSABI void GcKmFlushTb(uint64_t Cr4);
/* LIDT. */
GC_MSABI void GcKmLoadIdt(const GC_DESCRIPTOR_TABLE *Idtr);
/* The kernel's copy between address spaces (REP MOVSB). */
GC_MSABI void GcKmCopyMemory(uint8_t *Destination, const uint8_t *Source, size_t Length);
/*
 * A PatchGuard-style check: a checksum of Count qwords of kernel code; when it is the one recorded,
 * LSTAR is written back to the system-call handler.  Returns the checksum.
 */
GC_MSABI uint64_t GcPgVerifyAndRestore(const uint64_t *Region, size_t Count, uint64_t Expected, uint64_t Lstar);

/* ---- Windows user mode: ntdll and DLLs ----------------------------------------------------------------------------
 */

/* ntdll's system-call stubs (MOV R10, RCX; MOV EAX, number; SYSCALL; RET). */
GC_MSABI long GcNtMapViewOfSection(uint64_t Section, uint64_t Process);
GC_MSABI long GcNtProtectVirtualMemory(uint64_t Process, uint64_t Base);
/* Stores the first 8 bytes of a hook over a function (MOV). */
GC_MSABI void GcUmStoreQword(uint64_t *Target, uint64_t Value);
/* Exchanges 8 bytes of a function for a hook's (XCHG). */
GC_MSABI uint64_t GcUmExchangeQword(uint64_t *Target, uint64_t Value);
/* A C runtime's memcpy: a byte loop, no frame. */
GC_MSABI void GcUmCopyBytes(uint8_t *Destination, const uint8_t *Source, size_t Length);
/* Writes a hook through the C runtime's memcpy (a call through the import). */
GC_MSABI void GcUmInstallHook(GC_UM_COPY Copy, uint8_t *Target, const uint8_t *Patch, size_t Length);

/* ---- Linux kernel and user mode -----------------------------------------------------------------------------------
 */

/* do_one_initcall: runs a module's init routine. */
long GcLxDoOneInitcall(GC_LX_INITCALL Init, uint64_t *Table, unsigned long Number, uint64_t Value);
/* A rootkit's init routine: replaces a system-call table entry (MOV). */
long GcLxHookSyscall(uint64_t *Table, unsigned long Number, uint64_t Value);
/* text_poke: the kernel's code patcher (REP MOVSB). */
void GcLxTextPoke(uint8_t *Address, const uint8_t *Opcode, size_t Length);
/* A module switching one of its static keys: the kernel patches the jump site for it. */
long GcLxToggleStaticKey(GC_LX_POKE Poke, uint8_t *Site, const uint8_t *Opcode, size_t Length);
/* Overwrites 4 bytes of code (MOV). */
void GcLxPatchDword(uint32_t *Site, uint32_t Value);
/* WRMSR. */
void GcLxWriteMsr(uint32_t Msr, uint64_t Value);
/* MOV CR4. */
void GcLxWriteCr4(uint64_t Value);
/* Increments a statistics counter (ADD, read-modify-write). */
void GcLxCountEvent(uint64_t *Counter);
/* A user-mode store of 8 bytes (MOV). */
void GcLxUserStoreQword(uint64_t *Target, uint64_t Value);

/* The section's bounds, from the linker. */
extern const uint8_t __start_guest_text[];
extern const uint8_t __stop_guest_text[];

#endif /* SCENARIOS_GUEST_CODE_H */
