/*
 * The Windows 10 x64 guest's layout, shared by windows10.c and windows10_events.c.
 */
#ifndef SCENARIOS_WINDOWS10_H
#define SCENARIOS_WINDOWS10_H

#include "scenario.h"

/* Records of the exceptions file compiled from exceptions/ (`introguard dump` lists them). */
#define W_EXC_PATCHGUARD_MSR 1
#define W_EXC_ACMEHV_IDTR 3
#define W_EXC_ACMEAV_DATA 4
#define W_EXC_ACMEAV_DRVOBJ 5
#define W_EXC_ACMEHOOK_FEEDBACK 6
#define W_EXC_CHROME_ELF 7
#define W_EXC_CHROME_KERNEL_USER 8

#define W_SYSTEM_CR3 0x1aa000ull
#define W_CR4 0x3506f8ull /* PGE, SMEP, SMAP among others */
#define W_CR4_SMEP 0x100000ull
#define W_KPCR0 0xfffff8057ad43000ull
#define W_KPCR1 0xffffa2011b2e1000ull
#define W_MSR_LSTAR 0xc0000082u

/* Kernel modules; *_CODE is the page of .text holding the guest section. */
#define W_NTOS_BASE 0xfffff8057ba00000ull
#define W_NTOS_CODE (W_NTOS_BASE + 0x21f000)
#define W_KISYSTEMCALL64 (W_NTOS_BASE + 0x40d6c0)
#define W_HAL_BASE 0xfffff8057b400000ull
#define W_DISK_BASE 0xfffff80580e00000ull
#define W_DISK_CODE (W_DISK_BASE + 0x2000)
#define W_DISK_DATA (W_DISK_BASE + 0x18000)
#define W_DISK_STATE (W_DISK_DATA + 0x40)
#define W_DISK_DISPATCH(Routine) ScGuestCode(W_DISK_CODE, (const void *)(Routine))
#define W_ACMEAV_BASE 0xfffff80581600000ull
#define W_ACMEAV_CODE (W_ACMEAV_BASE + 0x1000)
#define W_ACMEFW_BASE 0xfffff80581a00000ull
#define W_ACMEFW_CODE (W_ACMEFW_BASE + 0x1000)
#define W_ACMEHV_BASE 0xfffff80581c00000ull
#define W_ACMEHV_CODE (W_ACMEHV_BASE + 0x1000)
#define W_ACMEHV_DATA (W_ACMEHV_BASE + 0x14000)
#define W_ACMEHV_IDTR (W_ACMEHV_DATA + 0x80)
#define W_EVILRK_BASE 0xfffff80582000000ull
#define W_EVILRK_CODE (W_EVILRK_BASE + 0x1000)
#define W_EVILRK_DATA (W_EVILRK_BASE + 0x5000)
#define W_EVILRK_COUNTER (W_EVILRK_DATA + 0x20)
#define W_EVILRK_IDTR (W_EVILRK_DATA + 0x80)

/* Pool and stacks. */
#define W_DISK_DRIVER_OBJECT 0xffffb30f1c4e5d70ull
#define W_PATCHGUARD_CODE 0xffffb30f1d6a2000ull /* PatchGuard's context: code in pool, in no module */
#define W_POOL_COPY_BUFFER 0xffffb30f1f0c3a40ull
#define W_KERNEL_STACKS 0xffffd98100000000ull
#define W_USER_STACKS 0x000000e14a800000ull

/* Processes. */
#define W_PID_EXPLORER 3208
#define W_PID_BROWSER 5844
#define W_PID_RENDERER 6120
#define W_PID_STEALER 7412
#define W_CR3_EXPLORER 0x6d1c5000ull
#define W_CR3_BROWSER 0x3b5e7000ull
#define W_CR3_RENDERER 0x2c0e9000ull
#define W_CR3_STEALER 0x48a37000ull

/* User modules (the same bases in every process, as ASLR gives system DLLs per boot). */
#define W_NTDLL_BASE 0x7ffd2a6c0000ull
#define W_NTDLL_CODE (W_NTDLL_BASE + 0x9d000) /* the page of the system-call stubs */
#define W_EXPLORER_EXE_BASE 0x7ff7b8f20000ull
#define W_ACMEHOOK_BASE 0x7ffd0b7a0000ull
#define W_ACMEHOOK_CODE (W_ACMEHOOK_BASE + 0x1000)
#define W_CHROME_EXE_BASE 0x7ff6c1e10000ull
#define W_CHROME_ELF_BASE 0x7ffd1c2a0000ull
#define W_CHROME_ELF_CODE (W_CHROME_ELF_BASE + 0x1000)
#define W_VCRUNTIME_BASE 0x7ffd15e40000ull
#define W_VCRUNTIME_CODE (W_VCRUNTIME_BASE + 0x1000)
#define W_EVIL_DLL_BASE 0x180000000ull
#define W_EVIL_DLL_CODE (W_EVIL_DLL_BASE + 0x1000)
#define W_EVIL_DLL_PATCH (W_EVIL_DLL_BASE + 0x14000) /* its .data: the hook it writes */
#define W_STEALER_EXE_BASE 0x7ff6a1b20000ull
#define W_STEALER_EXE_CODE (W_STEALER_EXE_BASE + 0x1000)
#define W_STEALER_HEAP 0x1f3c6a80000ull
#define W_TEB_EXPLORER 0xe14a6e1000ull
#define W_TEB_BROWSER 0x5c2e4f7000ull
#define W_TEB_RENDERER 0x8b0d3a9000ull
#define W_TEB_STEALER 0x2f7c1b5000ull

#endif /* SCENARIOS_WINDOWS10_H */
