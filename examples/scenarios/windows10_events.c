/*
 * The Windows 10 scenario's register, cross-process and user-mode events (windows10.c has the
 * guest and the kernel-mode writes).
 */
#include <string.h>

#include "guest_code.h"
#include "windows10.h"

void WinCrossProcessEvents(SC_SCENE *S);
void WinRegisterEvents(SC_SCENE *S);
void WinUserEvents(SC_SCENE *S);

static const SC_EXPECT WinBlocked = {"not_allowed", "no_exception", -1, true};

/* A kernel-mode run of the routine copy at Code, with a fresh kernel stack; returns the stack. */
static uint64_t WinKernelRun(SC_SCENE *S, SC_RUN *Run, uint64_t Code, uint64_t Cr3)
{
    ScRunInit(Run, &S->Guest, Code, Code);
    return ScSceneStack(S, Run, Cr3, false);
}

/* PatchGuard's checksum of the first Count qwords of the kernel's code page (what GcPgVerifyAndRestore computes). */
static uint64_t WinKernelChecksum(SC_SCENE *S, size_t Count)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < Count; i++)
    {
        uint64_t q;

        ScGuestRead(&S->Guest, W_SYSTEM_CR3, W_NTOS_CODE + i * 8, &q, sizeof(q));
        sum = ((sum << 7) | (sum >> 57)) ^ q;
    }
    return sum;
}

static void WinMsrEvents(SC_SCENE *S)
{
    const SC_CONTEXT cpu0 = {0, 0, W_SYSTEM_CR3, W_CR4, W_KPCR0};
    const SC_CONTEXT cpu1 = {1, 0, W_SYSTEM_CR3, W_CR4, W_KPCR1};
    const SC_EXPECT patchguard = {"allowed", "allowed", W_EXC_PATCHGUARD_MSR, false};
    uint64_t hook = ScGuestCode(W_EVILRK_CODE, GcKmRunCallbacks);
    SC_RUN run;
    uint64_t stack;

    stack = WinKernelRun(S, &run, W_EVILRK_CODE, W_SYSTEM_CR3);
    run.Regs[SC_RCX] = W_MSR_LSTAR;
    run.Regs[SC_RDX] = hook;
    ScSceneMsr(S, &run, &cpu0, GcKmWriteMsr, stack,
               "evilrk.sys points LSTAR (the system-call entry) at its own code (WRMSR): blocked", W_MSR_LSTAR,
               W_KISYSTEMCALL64, hook, &WinBlocked);

    stack = WinKernelRun(S, &run, W_PATCHGUARD_CODE, W_SYSTEM_CR3);
    ScRunMap(&run, W_SYSTEM_CR3, W_NTOS_CODE, SC_PAGE_SIZE);
    run.Regs[SC_RCX] = ScRunHost(&run, W_NTOS_CODE);
    run.Regs[SC_RDX] = 64;
    run.Regs[SC_R8] = WinKernelChecksum(S, 64);
    run.Regs[SC_R9] = W_KISYSTEMCALL64;
    ScSceneMsr(S, &run, &cpu1, GcPgVerifyAndRestore, stack,
               "PatchGuard, running from pool memory (no driver), checks the kernel's code and writes LSTAR back "
               "(WRMSR): allowed by the exception for the unattributed (\"-\") originator",
               W_MSR_LSTAR, W_KISYSTEMCALL64, W_KISYSTEMCALL64, &patchguard);
}

void WinRegisterEvents(SC_SCENE *S)
{
    const SC_CONTEXT cpu0 = {0, 0, W_SYSTEM_CR3, W_CR4, W_KPCR0};
    const SC_CONTEXT cpu1 = {1, 0, W_SYSTEM_CR3, W_CR4, W_KPCR1};
    const SC_EXPECT notOurs = {"allowed", NULL, -1, false};
    const SC_EXPECT acmehv = {"allowed", "allowed", W_EXC_ACMEHV_IDTR, false};
    SC_RUN run;
    uint64_t stack;

    WinMsrEvents(S);

    stack = WinKernelRun(S, &run, W_EVILRK_CODE, W_SYSTEM_CR3);
    run.Regs[SC_RCX] = W_CR4 & ~W_CR4_SMEP;
    ScSceneCr4(S, &run, &cpu1, GcKmWriteCr4, stack,
               "evilrk.sys clears CR4.SMEP so the kernel may run user pages (MOV CR4): blocked", W_CR4 & ~W_CR4_SMEP,
               &WinBlocked);

    stack = WinKernelRun(S, &run, W_NTOS_CODE, W_SYSTEM_CR3);
    run.Regs[SC_RCX] = W_CR4;
    ScSceneCr4(S, &run, &cpu0, GcKmFlushTb, stack,
               "the kernel flushes global TLB entries by toggling CR4.PGE (MOV CR4): SMEP and SMAP stay set, so the "
               "exit is not a violation",
               W_CR4 & ~0x80ull, &notOurs);

    stack = WinKernelRun(S, &run, W_EVILRK_CODE, W_SYSTEM_CR3);
    ScRunMap(&run, W_SYSTEM_CR3, W_EVILRK_IDTR, sizeof(GC_DESCRIPTOR_TABLE));
    run.Regs[SC_RCX] = ScRunHost(&run, W_EVILRK_IDTR);
    ScSceneLidt(S, &run, &cpu1, GcKmLoadIdt, stack, "evilrk.sys loads an IDT of its own (LIDT): blocked", &WinBlocked);

    stack = WinKernelRun(S, &run, W_ACMEHV_CODE, W_SYSTEM_CR3);
    ScRunMap(&run, W_SYSTEM_CR3, W_ACMEHV_IDTR, sizeof(GC_DESCRIPTOR_TABLE));
    run.Regs[SC_RCX] = ScRunHost(&run, W_ACMEHV_IDTR);
    ScSceneLidt(S, &run, &cpu0, GcKmLoadIdt, stack,
                "acmehv.sys loads its IDT (LIDT): allowed by the exception for acmehv.sys and idt-reg", &acmehv);
}

/* The kernel's cross-process copy (WriteProcessMemory) into ntdll.dll of the process whose address space is Cr3. */
static void WinKernelCopy(SC_SCENE *S, const SC_CONTEXT *C, uint64_t Stub, const char *Note, const SC_EXPECT *Expect)
{
    SC_RUN run;
    uint64_t stack = WinKernelRun(S, &run, W_NTOS_CODE, C->Cr3);

    ScRunMap(&run, C->Cr3, W_NTDLL_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, W_NTDLL_CODE, SC_PAGE_SIZE);
    ScRunMap(&run, C->Cr3, W_POOL_COPY_BUFFER, 16);
    run.Regs[SC_RCX] = ScRunHost(&run, Stub);
    run.Regs[SC_RDX] = ScRunHost(&run, W_POOL_COPY_BUFFER);
    run.Regs[SC_R8] = 12;
    ScSceneWrite(S, &run, C, GcKmCopyMemory, stack, Note, Expect);
}

void WinCrossProcessEvents(SC_SCENE *S)
{
    const SC_CONTEXT renderer = {0, 0, W_CR3_RENDERER, W_CR4, W_KPCR0};
    const SC_CONTEXT explorer = {1, 0, W_CR3_EXPLORER, W_CR4, W_KPCR1};
    const SC_EXPECT chrome = {"allowed", "allowed", W_EXC_CHROME_KERNEL_USER, false};

    WinKernelCopy(S, &renderer, ScGuestCode(W_NTDLL_CODE, GcNtMapViewOfSection),
                  "Chrome's browser process writes its sandbox thunk over NtMapViewOfSection in the renderer: the "
                  "kernel copies it (REP MOVSB) while attached to the renderer. Allowed by the kernel-user exception "
                  "for chrome.exe",
                  &chrome);
    WinKernelCopy(S, &explorer, ScGuestCode(W_NTDLL_CODE, GcNtProtectVirtualMemory),
                  "stealer.exe writes a hook into explorer.exe's NtProtectVirtualMemory the same way: the exception "
                  "names chrome.exe only, blocked",
                  &WinBlocked);
}

/* A user-mode run in the process whose address space is Cr3, with the routine copy at Code and its caller's at Caller.
 */
static uint64_t WinUserRun(SC_SCENE *S, SC_RUN *Run, uint64_t Code, uint64_t Caller, uint64_t Cr3)
{
    ScRunInit(Run, &S->Guest, Code, Caller);
    return ScSceneStack(S, Run, Cr3, true);
}

static uint64_t WinHookQword(uint64_t Target)
{
    uint8_t bytes[8] = {0x48, 0xB8};
    uint64_t value;

    memcpy(bytes + 2, &Target, 6); /* MOV RAX, imm64: the first 8 bytes of the 12-byte hook */
    memcpy(&value, bytes, sizeof(value));
    return value;
}

void WinUserEvents(SC_SCENE *S)
{
    const SC_CONTEXT browser = {1, 3, W_CR3_BROWSER, W_CR4, W_TEB_BROWSER};
    const SC_CONTEXT renderer = {0, 3, W_CR3_RENDERER, W_CR4, W_TEB_RENDERER};
    const SC_CONTEXT explorer = {1, 3, W_CR3_EXPLORER, W_CR4, W_TEB_EXPLORER};
    const SC_CONTEXT stealer = {0, 3, W_CR3_STEALER, W_CR4, W_TEB_STEALER};
    const SC_EXPECT chromeElf = {"allowed", "allowed", W_EXC_CHROME_ELF, false};
    const SC_EXPECT acmehook = {"allowed", "allowed_feedback", W_EXC_ACMEHOOK_FEEDBACK, true};
    const SC_EXPECT notDelivered = {"not_delivered", NULL, -1, false};
    SC_RUN run;
    uint64_t stack;

    stack = WinUserRun(S, &run, W_CHROME_ELF_CODE, W_CHROME_ELF_CODE, W_CR3_BROWSER);
    ScRunMap(&run, W_CR3_BROWSER, W_NTDLL_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, W_NTDLL_CODE, SC_PAGE_SIZE);
    run.Regs[SC_RCX] = ScRunHost(&run, ScGuestCode(W_NTDLL_CODE, GcNtMapViewOfSection));
    run.Regs[SC_RDX] = WinHookQword(ScGuestCode(W_CHROME_ELF_CODE, GcUmExchangeQword));
    ScSceneWrite(S, &run, &browser, GcUmStoreQword, stack,
                 "chrome_elf.dll hooks NtMapViewOfSection in the browser's own ntdll.dll (MOV, ring 3): allowed by "
                 "the user exception for chrome_elf.dll in chrome.exe",
                 &chromeElf);

    stack = WinUserRun(S, &run, W_VCRUNTIME_CODE, W_EVIL_DLL_CODE, W_CR3_RENDERER);
    ScRunMap(&run, W_CR3_RENDERER, W_NTDLL_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, W_NTDLL_CODE, SC_PAGE_SIZE);
    ScRunMap(&run, W_CR3_RENDERER, W_EVIL_DLL_PATCH, 16);
    run.Regs[SC_RCX] = (uint64_t)(uintptr_t)GcUmCopyBytes;
    run.Regs[SC_RDX] = ScRunHost(&run, ScGuestCode(W_NTDLL_CODE, GcNtProtectVirtualMemory));
    run.Regs[SC_R8] = ScRunHost(&run, W_EVIL_DLL_PATCH);
    run.Regs[SC_R9] = 12;
    ScSceneWrite(S, &run, &renderer, GcUmInstallHook, stack,
                 "evil.dll, injected into the renderer, patches NtProtectVirtualMemory through vcruntime140.dll's "
                 "memcpy (a byte loop): the originator is vcruntime140.dll, a memory helper, with evil.dll (its "
                 "caller on the stack) as the return module. No exception names either: blocked",
                 &WinBlocked);

    stack = WinUserRun(S, &run, W_ACMEHOOK_CODE, W_ACMEHOOK_CODE, W_CR3_EXPLORER);
    ScRunMap(&run, W_CR3_EXPLORER, W_NTDLL_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, W_NTDLL_CODE, SC_PAGE_SIZE);
    run.Regs[SC_RCX] = ScRunHost(&run, ScGuestCode(W_NTDLL_CODE, GcNtProtectVirtualMemory));
    run.Regs[SC_RDX] = WinHookQword(ScGuestCode(W_ACMEHOOK_CODE, GcKmRunCallbacks));
    ScSceneWrite(S, &run, &explorer, GcUmExchangeQword, stack,
                 "acmehook.dll, the antivirus's user-mode hook, swaps in its NtProtectVirtualMemory hook (XCHG) in "
                 "explorer.exe: its new exception is in feedback mode, so the write is allowed and reported",
                 &acmehook);

    stack = WinUserRun(S, &run, W_STEALER_EXE_CODE, W_STEALER_EXE_CODE, W_CR3_STEALER);
    ScRunMap(&run, W_CR3_STEALER, W_STEALER_HEAP, 8);
    ScRunProtect(&run, W_STEALER_HEAP, 8); /* on the host only, to stop the routine at its write */
    run.Regs[SC_RCX] = ScRunHost(&run, W_STEALER_HEAP);
    run.Regs[SC_RDX] = 0x6c6c642e6c697665; /* "evil.dll" */
    ScSceneWrite(S, &run, &stealer, GcUmStoreQword, stack,
                 "stealer.exe writes to its own heap (MOV): no zone there, the write does not fault", &notDelivered);
}
