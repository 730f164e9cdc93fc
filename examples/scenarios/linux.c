/*
 * The Linux 5.10 x86-64 scenario: linux-5.10.jsonl.
 *
 * The kernel (vmlinux) and three modules: ext4, whose code is protected; jbd2; diamorphine, a
 * rootkit.  The system-call table (in vmlinux's read-only data), LSTAR and CR4 are protected; the
 * vDSO of sshd is protected in feedback-only mode.  Every code page holds the compiled guest
 * section; the events are the faults its routines take.  On Linux the return module is always
 * looked for on the stack, so each kernel routine is entered from its real caller.
 */
#include <string.h>

#include "guest_code.h"
#include "scenario.h"

#define L_EXC_KERNEL_EXT4 0 /* record of the exceptions file (`introguard dump`) */

#define L_SYSTEM_CR3 0x160a000ull
#define L_CR4 0x3606f0ull /* SMEP and SMAP set */
#define L_CR4_SMAP 0x200000ull
#define L_GS0 0xffff88813bc00000ull
#define L_GS1 0xffff88813bd00000ull
#define L_MSR_LSTAR 0xc0000082u

#define L_VMLINUX_BASE 0xffffffff81000000ull
#define L_VMLINUX_CODE (L_VMLINUX_BASE + 0x7d3000)
#define L_ENTRY_SYSCALL_64 (L_VMLINUX_BASE + 0xc00000)
#define L_SYS_CALL_TABLE (L_VMLINUX_BASE + 0x1400280)
#define L_NR_KILL 62
#define L_SYSCALLS 440
#define L_EXT4_BASE 0xffffffffc0680000ull
#define L_EXT4_CODE (L_EXT4_BASE + 0x2000)
#define L_EXT4_JUMP_SITE (L_EXT4_CODE + 0xc40) /* a static-key jump site, past the routines the events run */
#define L_EXT4_RODATA (L_EXT4_BASE + 0x7b000)
#define L_EXT4_DATA (L_EXT4_BASE + 0x9b000)
#define L_JBD2_BASE 0xffffffffc0640000ull
#define L_ROOTKIT_BASE 0xffffffffc0a1c000ull
#define L_ROOTKIT_CODE L_ROOTKIT_BASE
#define L_KMALLOC_CODE 0xffff8881a7c4e000ull /* a kmalloc'd page the shellcode runs from */
#define L_KERNEL_STACKS 0xffffc90000a10000ull

#define L_PID_SSHD 812
#define L_CR3_SSHD 0x1a3e6000ull
#define L_SSHD_BASE 0x55d0c3a00000ull
#define L_LIBC_BASE 0x7f2b8e400000ull
#define L_KEYLOG_BASE 0x7f2b8e9c0000ull
#define L_KEYLOG_CODE (L_KEYLOG_BASE + 0x1000)
#define L_VDSO 0x7ffc8e3f4000ull
#define L_USER_STACKS 0x7ffc8e200000ull

#define L_CODE "\"code\",\"execute\""

static const SC_EXPECT LxBlocked = {"not_allowed", "no_exception", -1, true};

static void LxDeclareModel(SC_TRACE *T)
{
    const SC_MODULE modules[] = {
        {"vmlinux",
         L_VMLINUX_BASE,
         0x2600000,
         0,
         -1,
         "kernel",
         {{"text", 0, 0x1000000, L_CODE}, {"rodata", 0x1200000, 0x600000, ""}}},
        {"jbd2",
         L_JBD2_BASE,
         0x1d000,
         0,
         -1,
         NULL,
         {{"text", 0, 0x14000, L_CODE}, {"text_rw", 0x19000, 0x4000, "\"write\""}}},
        {"ext4",
         L_EXT4_BASE,
         0xda000,
         0,
         -1,
         NULL,
         {{"text", 0, 0x7b000, L_CODE}, {"text_ro", 0x7b000, 0x20000, ""}, {"text_rw", 0x9b000, 0x8000, "\"write\""}}},
        {"diamorphine",
         L_ROOTKIT_BASE,
         0x6000,
         0,
         -1,
         NULL,
         {{"text", 0, 0x2000, L_CODE}, {"text_rw", 0x3000, 0x1000, "\"write\""}}},
        {"sshd", L_SSHD_BASE, 0x9f000, 0, L_PID_SSHD, NULL, {{".text", 0x9000, 0x6a000, L_CODE}}},
        {"libc.so.6", L_LIBC_BASE, 0x1c4000, 0, L_PID_SSHD, NULL, {{".text", 0x26000, 0x159000, L_CODE}}},
        {"libkeylog.so", L_KEYLOG_BASE, 0x5000, 0, L_PID_SSHD, NULL, {{".text", 0x1000, 0x1000, L_CODE}}},
    };
    const SC_PROCESS processes[] = {
        {1, 0, "systemd", 0x10c4b000, 0xffff888100a8c000, "/usr/lib/systemd/systemd", "/sbin/init", false},
        {L_PID_SSHD, 1, "sshd", L_CR3_SSHD, 0xffff888104f1e400, "/usr/sbin/sshd",
         "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", false},
    };

    ScNote(T, "The guest: Linux 5.10 (x86-64), two vCPUs. vmlinux and its modules, then processes and theirs.");
    ScModule(T, &modules[0]);
    ScModule(T, &modules[1]);
    ScModule(T, &modules[2]);
    ScModule(T, &modules[3]);
    ScProcess(T, &processes[0]);
    ScProcess(T, &processes[1]);
    for (size_t i = 4; i < sizeof(modules) / sizeof(modules[0]); i++)
    {
        ScModule(T, &modules[i]);
    }
}

static void LxDeclareMemory(SC_SCENE *S)
{
    static const uint8_t nop5[5] = {0x0f, 0x1f, 0x44, 0x00, 0x00}; /* the jump site while the key is off */
    uint8_t jump[5] = {0xe9};
    int32_t displacement = 0x1c3;

    ScScenePlaceCode(S, L_SYSTEM_CR3, L_VMLINUX_CODE, 0xCC);
    ScScenePlaceCode(S, L_SYSTEM_CR3, L_EXT4_CODE, 0xCC);
    ScScenePlaceCode(S, L_SYSTEM_CR3, L_ROOTKIT_CODE, 0xCC);
    ScScenePlaceCode(S, L_SYSTEM_CR3, L_KMALLOC_CODE, 0);
    ScGuestWrite(&S->Guest, L_SYSTEM_CR3, L_EXT4_JUMP_SITE, nop5, sizeof(nop5));
    memcpy(jump + 1, &displacement, sizeof(displacement));
    ScGuestWrite(&S->Guest, L_SYSTEM_CR3, L_EXT4_RODATA + 0x40, jump, sizeof(jump));
    for (uint32_t i = 0; i < L_SYSCALLS; i++)
    {
        /* Every entry points at its handler in vmlinux's text. */
        ScGuestWrite64(&S->Guest, L_SYSTEM_CR3, L_SYS_CALL_TABLE + i * 8, L_VMLINUX_BASE + 0x1c0 + i * 0x40);
    }
    ScGuestWrite64(&S->Guest, L_SYSTEM_CR3, L_EXT4_DATA + 0x18, 1207);
    ScScenePlaceCode(S, L_CR3_SSHD, L_VDSO, 0xCC);
    ScScenePlaceCode(S, L_CR3_SSHD, L_KEYLOG_CODE, 0xCC);
}

static void LxDeclareZones(SC_TRACE *T)
{
    const SC_ZONE zones[] = {
        {"sys_call_table", "km-module", "\"write\"", L_SYS_CALL_TABLE, L_SYSCALLS * 8, -1, L_VMLINUX_BASE, NULL, false},
        {"ext4 text", "km-module", "\"write\"", L_EXT4_CODE, SC_PAGE_SIZE, -1, L_EXT4_BASE, NULL, false},
        {"vdso@sshd", "vdso", "\"write\"", L_VDSO, SC_PAGE_SIZE, L_PID_SSHD, 0, NULL, true},
    };

    ScNote(T, "Zones: the page of vmlinux's rodata holding the system-call table, a page of ext4's code, sshd's vDSO "
              "(feedback only), LSTAR and CR4.");
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
    {
        ScZone(T, &zones[i]);
    }
    ScZoneRegister(T, "LSTAR", "\"kind\":\"msr\",\"msr\":\"0xc0000082\"");
    ScZoneRegister(T, "CR4", "\"kind\":\"cr\",\"cr\":4");
}

static void LxKernelEvents(SC_SCENE *S)
{
    const SC_CONTEXT cpu0 = {0, 0, L_SYSTEM_CR3, L_CR4, L_GS0};
    const SC_CONTEXT cpu1 = {1, 0, L_SYSTEM_CR3, L_CR4, L_GS1};
    const SC_EXPECT staticKey = {"allowed", "allowed", L_EXC_KERNEL_EXT4, false};
    const SC_EXPECT notDelivered = {"not_delivered", NULL, -1, false};
    uint64_t site = L_EXT4_JUMP_SITE;
    SC_RUN run;
    uint64_t stack;

    /* diamorphine's init, called by vmlinux's do_one_initcall: the return address on the stack is vmlinux's. */
    ScRunInit(&run, &S->Guest, L_ROOTKIT_CODE, L_VMLINUX_CODE);
    ScRunMap(&run, L_SYSTEM_CR3, L_SYS_CALL_TABLE, L_SYSCALLS * 8);
    ScRunProtect(&run, L_SYS_CALL_TABLE, L_SYSCALLS * 8);
    stack = ScSceneStack(S, &run, L_SYSTEM_CR3, false);
    run.Regs[SC_RDI] = (uint64_t)(uintptr_t)GcLxHookSyscall;
    run.Regs[SC_RSI] = ScRunHost(&run, L_SYS_CALL_TABLE);
    run.Regs[SC_RDX] = L_NR_KILL;
    run.Regs[SC_RCX] = ScGuestCode(L_ROOTKIT_CODE, GcLxCountEvent);
    ScSceneWrite(S, &run, &cpu0, GcLxDoOneInitcall, stack,
                 "diamorphine's init (called from do_one_initcall) replaces sys_call_table[__NR_kill] (MOV): blocked; "
                 "the return module on the stack is vmlinux",
                 &LxBlocked);

    /* ext4 flips a static key: vmlinux's text_poke writes the jump into ext4's code; the caller on the stack is ext4.
     */
    ScRunInit(&run, &S->Guest, L_VMLINUX_CODE, L_EXT4_CODE);
    ScRunMap(&run, L_SYSTEM_CR3, L_EXT4_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, L_EXT4_CODE, SC_PAGE_SIZE);
    ScRunMap(&run, L_SYSTEM_CR3, L_EXT4_RODATA + 0x40, 5);
    stack = ScSceneStack(S, &run, L_SYSTEM_CR3, false);
    run.Regs[SC_RDI] = (uint64_t)(uintptr_t)GcLxTextPoke;
    run.Regs[SC_RSI] = ScRunHost(&run, site);
    run.Regs[SC_RDX] = ScRunHost(&run, L_EXT4_RODATA + 0x40);
    run.Regs[SC_RCX] = 5;
    ScSceneWrite(S, &run, &cpu1, GcLxToggleStaticKey, stack,
                 "ext4 enables a static key: vmlinux's text_poke writes a JMP over the NOP at the jump site in ext4's "
                 "code (REP MOVSB): allowed by the Linux exception for [kernel] writing modules' code",
                 &staticKey);

    /* Shellcode in a kmalloc'd page: no module at the RIP, none on the stack. */
    ScRunInit(&run, &S->Guest, L_KMALLOC_CODE, L_KMALLOC_CODE);
    ScRunMap(&run, L_SYSTEM_CR3, L_EXT4_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, L_EXT4_CODE, SC_PAGE_SIZE);
    stack = ScSceneStack(S, &run, L_SYSTEM_CR3, false);
    run.Regs[SC_RDI] = ScRunHost(&run, site);
    run.Regs[SC_RSI] = 0x90909090;
    ScSceneWrite(S, &run, &cpu0, GcLxPatchDword, stack,
                 "code running from a kmalloc'd page overwrites ext4's code with NOPs (MOV): no module at the RIP "
                 "nor on the stack, so the originator is unattributed (hash 0). Blocked",
                 &LxBlocked);

    ScRunInit(&run, &S->Guest, L_EXT4_CODE, L_EXT4_CODE);
    ScRunMap(&run, L_SYSTEM_CR3, L_EXT4_DATA + 0x18, 8);
    ScRunProtect(&run, L_EXT4_DATA + 0x18, 8); /* on the host only, to stop the routine at its write */
    stack = ScSceneStack(S, &run, L_SYSTEM_CR3, false);
    run.Regs[SC_RDI] = ScRunHost(&run, L_EXT4_DATA + 0x18);
    ScSceneWrite(S, &run, &cpu1, GcLxCountEvent, stack,
                 "ext4 counts an event in its own data (ADD on memory): no zone there, the write does not fault",
                 &notDelivered);
}

static void LxRegisterAndUserEvents(SC_SCENE *S)
{
    const SC_CONTEXT cpu0 = {0, 0, L_SYSTEM_CR3, L_CR4, L_GS0};
    const SC_CONTEXT cpu1 = {1, 0, L_SYSTEM_CR3, L_CR4, L_GS1};
    const SC_CONTEXT sshd = {1, 3, L_CR3_SSHD, L_CR4, 0};
    const SC_EXPECT vdso = {"allowed", "allowed_feedback", -1, true};
    uint64_t hook = ScGuestCode(L_ROOTKIT_CODE, GcLxHookSyscall);
    SC_RUN run;
    uint64_t stack;

    ScRunInit(&run, &S->Guest, L_ROOTKIT_CODE, L_VMLINUX_CODE);
    stack = ScSceneStack(S, &run, L_SYSTEM_CR3, false);
    run.Regs[SC_RDI] = L_MSR_LSTAR;
    run.Regs[SC_RSI] = hook;
    ScSceneMsr(S, &run, &cpu1, GcLxWriteMsr, stack,
               "diamorphine points LSTAR at its own system-call entry (WRMSR): blocked", L_MSR_LSTAR,
               L_ENTRY_SYSCALL_64, hook, &LxBlocked);

    ScRunInit(&run, &S->Guest, L_ROOTKIT_CODE, L_VMLINUX_CODE);
    stack = ScSceneStack(S, &run, L_SYSTEM_CR3, false);
    run.Regs[SC_RDI] = L_CR4 & ~L_CR4_SMAP;
    ScSceneCr4(S, &run, &cpu0, GcLxWriteCr4, stack,
               "diamorphine clears CR4.SMAP to read user memory freely (MOV CR4): blocked", L_CR4 & ~L_CR4_SMAP,
               &LxBlocked);

    ScRunInit(&run, &S->Guest, L_KEYLOG_CODE, L_KEYLOG_CODE);
    ScRunMap(&run, L_CR3_SSHD, L_VDSO, SC_PAGE_SIZE);
    ScRunProtect(&run, L_VDSO, SC_PAGE_SIZE);
    stack = ScSceneStack(S, &run, L_CR3_SSHD, true);
    run.Regs[SC_RDI] = ScRunHost(&run, ScGuestCode(L_VDSO, GcLxUserStoreQword));
    run.Regs[SC_RSI] = 0xe0ff000000000000ull | (ScGuestCode(L_KEYLOG_CODE, GcLxCountEvent) & 0xffffffffffffull);
    ScSceneWrite(S, &run, &sshd, GcLxUserStoreQword, stack,
                 "libkeylog.so, preloaded into sshd, patches a vDSO function (MOV, ring 3): the vDSO zone is "
                 "feedback-only, so the write is allowed and reported",
                 &vdso);
}

bool ScWriteLinux(const char *Directory)
{
    SC_SCENE scene;
    bool ok;

    memset(&scene, 0, sizeof(scene));
    ScGuestInit(&scene.Guest);
    scene.KernelStacks = L_KERNEL_STACKS;
    scene.UserStacks = L_USER_STACKS;
    if (!ScTraceOpen(&scene.Trace, Directory, "linux-5.10.jsonl"))
    {
        return false;
    }
    ScHeader(&scene.Trace,
             "{\"os\":\"linux\",\"bits\":64,\"os_version\":\"5.10.0\",\"vcpus\":2,\"system_cr3\":\"0x160a000\","
             "\"paging\":\"4-level\"}",
             "examples/scenarios/make_scenarios: guest code compiled by " SC_COMPILER);
    LxDeclareModel(&scene.Trace);
    LxDeclareMemory(&scene);
    ScNote(&scene.Trace, "Memory: every code page holds the compiled guest section (guest_code.c); the system-call "
                         "table and the static key's jump as the generator builds them.");
    ScGuestEmit(&scene.Guest, &scene.Trace);
    LxDeclareZones(&scene.Trace);
    LxKernelEvents(&scene);
    LxRegisterAndUserEvents(&scene);
    ScEnd(&scene.Trace);

    ok = !scene.Failed && !scene.Guest.Failed;
    ok = ScTraceClose(&scene.Trace) && ok;
    ScGuestFree(&scene.Guest);
    return ok;
}
