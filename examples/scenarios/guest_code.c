/*
 * The guest code of the scenarios (guest_code.h).  Compiled with its own flags (CMakeLists.txt):
 * -O2, no sanitizers, no stack protector, no CET, no unwind tables, no red zone, general
 * registers only, freestanding; with GCC, string operations become REP STOSB / REP MOVSB
 * (-mstringop-strategy=rep_byte) and loops are not turned into library calls.  Clang has no such
 * switch, so the two REP forms are spelled in inline assembly there, as they are for the
 * instructions C cannot say (WRMSR, MOV CR4, LIDT, SYSCALL).
 */
#include "guest_code.h"

#define GUEST __attribute__((section("guest_text"), noinline, used))

#define GC_CR4_PGE 0x80ull
#define GC_MSR_LSTAR 0xC0000082u

/* Keeps a call from becoming a tail jump: the caller's frame (and return address) stays on the stack. */
#define GC_AFTER_CALL() __asm__ volatile("" ::: "memory")

/* ---- Windows kernel --------------------------------------------------------------------------------------------- */

GUEST GC_MSABI void GcKmSetMajorFunction(GC_DRIVER_OBJECT *Driver, uint32_t Major, uint64_t Handler)
{
    Driver->MajorFunction[Major] = Handler;
}

GUEST GC_MSABI void GcKmClearFlags(GC_DISK_DATA *Data, uint32_t Bits)
{
    Data->Flags &= ~Bits;
}

GUEST GC_MSABI uint64_t GcKmSwapCompletion(GC_DISK_DATA *Data, uint64_t Routine)
{
    return __atomic_exchange_n(&Data->CompletionRoutine, Routine, __ATOMIC_SEQ_CST);
}

GUEST GC_MSABI int GcKmReplaceCompletion(GC_DISK_DATA *Data, uint64_t Expected, uint64_t Routine)
{
    return __atomic_compare_exchange_n(&Data->CompletionRoutine, &Expected, Routine, 0, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

GUEST GC_MSABI void GcKmFillCode(uint8_t *Code, size_t Length)
{
#if defined(__clang__)
    __asm__ volatile("rep stosb" : "+D"(Code), "+c"(Length) : "a"(0xCC) : "memory");
#else
    __builtin_memset(Code, 0xCC, Length);
#endif
}

GUEST GC_MSABI uint64_t GcKmRunCallbacks(GC_KM_CALLBACK Callback, uint64_t Context, uint32_t Count)
{
    uint64_t result = 0;

    for (uint32_t i = 0; i < Count; i++)
    {
        result ^= Callback(Context + i);
    }
    return result;
}

GUEST GC_MSABI void GcKmAddCounter(uint64_t *Counter, uint64_t Value)
{
    *Counter += Value;
}

GUEST GC_MSABI void GcKmWriteMsr(uint32_t Msr, uint64_t Value)
{
    __asm__ volatile("wrmsr" : : "c"(Msr), "a"((uint32_t)Value), "d"((uint32_t)(Value >> 32)) : "memory");
}

GUEST GC_MSABI void GcKmWriteCr4(uint64_t Value)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(Value) : "memory");
}

GUEST GC_MSABI void GcKmFlushTb(uint64_t Cr4)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(Cr4 ^ GC_CR4_PGE) : "memory");
    __asm__ volatile("mov %0, %%cr4" : : "r"(Cr4) : "memory");
}

GUEST GC_MSABI void GcKmLoadIdt(const GC_DESCRIPTOR_TABLE *Idtr)
{
    __asm__ volatile("lidt %0" : : "m"(*Idtr) : "memory");
}

GUEST GC_MSABI void GcKmCopyMemory(uint8_t *Destination, const uint8_t *Source, size_t Length)
{
#if defined(__clang__)
    __asm__ volatile("rep movsb" : "+D"(Destination), "+S"(Source), "+c"(Length) : : "memory");
#else
    __builtin_memcpy(Destination, Source, Length);
#endif
}

GUEST GC_MSABI uint64_t GcPgVerifyAndRestore(const uint64_t *Region, size_t Count, uint64_t Expected, uint64_t Lstar)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < Count; i++)
    {
        sum = ((sum << 7) | (sum >> 57)) ^ Region[i];
    }
    if (sum == Expected)
    {
        __asm__ volatile("wrmsr" : : "c"(GC_MSR_LSTAR), "a"((uint32_t)Lstar), "d"((uint32_t)(Lstar >> 32)) : "memory");
    }
    return sum;
}

/* ---- Windows user mode ------------------------------------------------------------------------------------------ */

GUEST GC_MSABI long GcNtMapViewOfSection(uint64_t Section, uint64_t Process)
{
    register uint64_t r10 __asm__("r10") = Section;
    long status;

    __asm__ volatile("syscall" : "=a"(status) : "a"(0x28), "r"(r10), "d"(Process) : "rcx", "r11", "memory");
    return status;
}

GUEST GC_MSABI long GcNtProtectVirtualMemory(uint64_t Process, uint64_t Base)
{
    register uint64_t r10 __asm__("r10") = Process;
    long status;

    __asm__ volatile("syscall" : "=a"(status) : "a"(0x50), "r"(r10), "d"(Base) : "rcx", "r11", "memory");
    return status;
}

GUEST GC_MSABI void GcUmStoreQword(uint64_t *Target, uint64_t Value)
{
    *(volatile uint64_t *)Target = Value;
}

GUEST GC_MSABI uint64_t GcUmExchangeQword(uint64_t *Target, uint64_t Value)
{
    return __atomic_exchange_n(Target, Value, __ATOMIC_SEQ_CST);
}

GUEST GC_MSABI void GcUmCopyBytes(uint8_t *Destination, const uint8_t *Source, size_t Length)
{
    for (size_t i = 0; i < Length; i++)
    {
        ((volatile uint8_t *)Destination)[i] = Source[i];
    }
}

GUEST GC_MSABI void GcUmInstallHook(GC_UM_COPY Copy, uint8_t *Target, const uint8_t *Patch, size_t Length)
{
    Copy(Target, Patch, Length);
    GC_AFTER_CALL();
}

/* ---- Linux ------------------------------------------------------------------------------------------------------ */

GUEST long GcLxDoOneInitcall(GC_LX_INITCALL Init, uint64_t *Table, unsigned long Number, uint64_t Value)
{
    long ret = Init(Table, Number, Value);

    GC_AFTER_CALL();
    return ret;
}

GUEST long GcLxHookSyscall(uint64_t *Table, unsigned long Number, uint64_t Value)
{
    Table[Number] = Value;
    return 0;
}

GUEST void GcLxTextPoke(uint8_t *Address, const uint8_t *Opcode, size_t Length)
{
#if defined(__clang__)
    __asm__ volatile("rep movsb" : "+D"(Address), "+S"(Opcode), "+c"(Length) : : "memory");
#else
    __builtin_memcpy(Address, Opcode, Length);
#endif
}

GUEST long GcLxToggleStaticKey(GC_LX_POKE Poke, uint8_t *Site, const uint8_t *Opcode, size_t Length)
{
    Poke(Site, Opcode, Length);
    GC_AFTER_CALL();
    return 0;
}

GUEST void GcLxPatchDword(uint32_t *Site, uint32_t Value)
{
    *(volatile uint32_t *)Site = Value;
}

GUEST void GcLxWriteMsr(uint32_t Msr, uint64_t Value)
{
    __asm__ volatile("wrmsr" : : "c"(Msr), "a"((uint32_t)Value), "d"((uint32_t)(Value >> 32)) : "memory");
}

GUEST void GcLxWriteCr4(uint64_t Value)
{
    __asm__ volatile("mov %0, %%cr4" : : "r"(Value) : "memory");
}

GUEST void GcLxCountEvent(uint64_t *Counter)
{
    *Counter += 1;
}

GUEST void GcLxUserStoreQword(uint64_t *Target, uint64_t Value)
{
    *(volatile uint64_t *)Target = Value;
}
