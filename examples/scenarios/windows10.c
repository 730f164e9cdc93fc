/*
 * The Windows 10 x64 (build 19041) scenario: windows10-x64.jsonl.
 *
 * The kernel (ntoskrnl.exe, hal.dll) and five drivers: disk.sys, whose driver object, data and code
 * are protected; acmeav.sys and acmefw.sys, an antivirus and a firewall that legitimately touch
 * disk.sys; acmehv.sys, a hypervisor helper that loads its own IDT; evilrk.sys, a rootkit.
 * Processes: System, explorer.exe, Chrome (browser and renderer) and stealer.exe, an attacker.
 * ntdll.dll is protected in explorer and in both Chrome processes; LSTAR, CR4 and the IDTR too.
 * Every code page holds the compiled guest section; the events are the faults its routines take.
 */
#include <string.h>

#include "guest_code.h"
#include "scenario.h"
#include "windows10.h"

static const SC_EXPECT WinBlocked = {"not_allowed", "no_exception", -1, true};
static const SC_EXPECT WinNotDelivered = {"not_delivered", NULL, -1, false};

/* ---- The guest model ----------------------------------------------------------------------------------------------
 */

#define W_CODE "\"code\",\"execute\""
#define W_DATA "\"write\""

static const SC_MODULE WinKernelModules[] = {
    {"ntoskrnl.exe",
     W_NTOS_BASE,
     0x1046000,
     W_NTOS_BASE + 0x9ab010,
     -1,
     "kernel",
     {{".text", 0x1000, 0x3e1000, W_CODE},
      {"PAGE", 0x3e3000, 0x20b000, W_CODE},
      {".data", 0xc00000, 0x26000, W_DATA},
      {"INIT", 0xfd3000, 0x56000, W_CODE}}},
    {"hal.dll", W_HAL_BASE, 0x8f000, W_HAL_BASE + 0x5c010, -1, "hal", {{".text", 0x1000, 0x5d000, W_CODE}}},
    {"disk.sys",
     W_DISK_BASE,
     0x22000,
     W_DISK_BASE + 0x1f010,
     -1,
     NULL,
     {{".text", 0x1000, 0x12000, W_CODE},
      {".rdata", 0x13000, 0x5000, ""},
      {".data", 0x18000, 0x2000, W_DATA},
      {"PAGE", 0x1a000, 0x4000, W_CODE},
      {"INIT", 0x1f000, 0x2000, W_CODE},
      {".rsrc", 0x21000, 0x1000, ""}}},
    {"acmeav.sys",
     W_ACMEAV_BASE,
     0x3c000,
     W_ACMEAV_BASE + 0x36010,
     -1,
     NULL,
     {{".text", 0x1000, 0x2a000, W_CODE}, {".data", 0x2c000, 0x4000, W_DATA}}},
    {"acmefw.sys",
     W_ACMEFW_BASE,
     0x28000,
     W_ACMEFW_BASE + 0x24010,
     -1,
     NULL,
     {{".text", 0x1000, 0x1b000, W_CODE}, {".data", 0x1d000, 0x3000, W_DATA}}},
    {"acmehv.sys",
     W_ACMEHV_BASE,
     0x1c000,
     W_ACMEHV_BASE + 0x19010,
     -1,
     NULL,
     {{".text", 0x1000, 0x12000, W_CODE}, {".data", 0x14000, 0x2000, W_DATA}}},
    {"evilrk.sys",
     W_EVILRK_BASE,
     0x9000,
     W_EVILRK_BASE + 0x7010,
     -1,
     NULL,
     {{".text", 0x1000, 0x4000, W_CODE}, {".data", 0x5000, 0x2000, W_DATA}}},
};

static const SC_PROCESS WinProcesses[] = {
    {4, 0, "System", W_SYSTEM_CR3, 0xffffb30f16a8e040, NULL, NULL, true},
    {W_PID_EXPLORER, 3184, "explorer.exe", W_CR3_EXPLORER, 0xffffb30f1b6d2080, "C:\\Windows\\explorer.exe",
     "C:\\Windows\\Explorer.EXE", false},
    {W_PID_BROWSER, W_PID_EXPLORER, "chrome.exe", W_CR3_BROWSER, 0xffffb30f1d0a5080,
     "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\"", false},
    {W_PID_RENDERER, W_PID_BROWSER, "chrome.exe", W_CR3_RENDERER, 0xffffb30f1d3c1080,
     "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --lang=en-US", false},
    {W_PID_STEALER, W_PID_EXPLORER, "stealer.exe", W_CR3_STEALER, 0xffffb30f1e7b4080, "C:\\Users\\Public\\stealer.exe",
     "C:\\Users\\Public\\stealer.exe", false},
};

/* A user module of one process. */
static void WinUserModule(SC_TRACE *T, int Pid, const char *Name, uint64_t Base, uint64_t Size, uint32_t CodeSize)
{
    SC_MODULE m = {Name, Base, Size, 0, Pid, NULL, {{".text", 0x1000, CodeSize, W_CODE}}};

    ScModule(T, &m);
}

static void WinDeclareModel(SC_TRACE *T)
{
    ScNote(T, "The guest: Windows 10 x64 build 19041, two vCPUs. Kernel modules, then processes and their modules.");
    for (size_t i = 0; i < sizeof(WinKernelModules) / sizeof(WinKernelModules[0]); i++)
    {
        ScModule(T, &WinKernelModules[i]);
    }
    for (size_t i = 0; i < sizeof(WinProcesses) / sizeof(WinProcesses[0]); i++)
    {
        ScProcess(T, &WinProcesses[i]);
    }
    WinUserModule(T, W_PID_EXPLORER, "explorer.exe", W_EXPLORER_EXE_BASE, 0x4c7000, 0x1f3000);
    WinUserModule(T, W_PID_EXPLORER, "ntdll.dll", W_NTDLL_BASE, 0x1f8000, 0x11a000);
    WinUserModule(T, W_PID_EXPLORER, "acmehook.dll", W_ACMEHOOK_BASE, 0x6e000, 0x4a000);
    WinUserModule(T, W_PID_BROWSER, "chrome.exe", W_CHROME_EXE_BASE, 0x2ad000, 0x1b0000);
    WinUserModule(T, W_PID_BROWSER, "ntdll.dll", W_NTDLL_BASE, 0x1f8000, 0x11a000);
    WinUserModule(T, W_PID_BROWSER, "chrome_elf.dll", W_CHROME_ELF_BASE, 0x1b2000, 0x10e000);
    WinUserModule(T, W_PID_RENDERER, "chrome.exe", W_CHROME_EXE_BASE, 0x2ad000, 0x1b0000);
    WinUserModule(T, W_PID_RENDERER, "ntdll.dll", W_NTDLL_BASE, 0x1f8000, 0x11a000);
    WinUserModule(T, W_PID_RENDERER, "chrome_elf.dll", W_CHROME_ELF_BASE, 0x1b2000, 0x10e000);
    WinUserModule(T, W_PID_RENDERER, "vcruntime140.dll", W_VCRUNTIME_BASE, 0x1b000, 0xf000);
    WinUserModule(T, W_PID_RENDERER, "evil.dll", W_EVIL_DLL_BASE, 0x21000, 0x12000);
    WinUserModule(T, W_PID_STEALER, "stealer.exe", W_STEALER_EXE_BASE, 0x2d000, 0x1a000);
    WinUserModule(T, W_PID_STEALER, "ntdll.dll", W_NTDLL_BASE, 0x1f8000, 0x11a000);
}

/* The driver object of disk.sys, its .data and the descriptor-table images the LIDT events load. */
static void WinDeclareData(SC_SCENE *S)
{
    SC_GUEST *g = &S->Guest;
    GC_DRIVER_OBJECT driver;
    GC_DISK_DATA disk;
    GC_DESCRIPTOR_TABLE idtr;
    static const uint16_t name[] = {'\\', 'D', 'r', 'i', 'v', 'e', 'r', '\\', 'd', 'i', 's', 'k'};

    memset(&driver, 0, sizeof(driver));
    driver.Type = 4;
    driver.Size = sizeof(driver);
    driver.DeviceObject = 0xffffb30f1c4e8060;
    driver.Flags = 0x12;
    driver.DriverStart = W_DISK_BASE;
    driver.DriverSize = 0x22000;
    driver.DriverSection = 0xffffb30f16b3a2f0;
    driver.DriverExtension = W_DISK_DRIVER_OBJECT + sizeof(driver);
    driver.NameLength = sizeof(name);
    driver.NameMaximumLength = sizeof(name);
    driver.NameBuffer = W_DISK_DRIVER_OBJECT + 0x1a0;
    driver.DriverInit = W_DISK_BASE + 0x1f010;
    driver.DriverUnload = W_DISK_DISPATCH(GcKmAddCounter);
    for (size_t i = 0; i < 28; i++)
    {
        driver.MajorFunction[i] = W_DISK_DISPATCH(GcKmRunCallbacks); /* the class driver's dispatch routine */
    }
    ScGuestWrite(g, W_SYSTEM_CR3, W_DISK_DRIVER_OBJECT, &driver, sizeof(driver));
    ScGuestWrite(g, W_SYSTEM_CR3, W_DISK_DRIVER_OBJECT + 0x1a0, name, sizeof(name));

    memset(&disk, 0, sizeof(disk));
    disk.Flags = GC_DISK_FLAG_VERIFY_WRITES | 1;
    disk.OpenCount = 3;
    disk.CompletionRoutine = W_DISK_DISPATCH(GcKmSwapCompletion);
    ScGuestWrite(g, W_SYSTEM_CR3, W_DISK_STATE, &disk, sizeof(disk));

    ScGuestWrite64(g, W_SYSTEM_CR3, W_EVILRK_COUNTER, 41);
    idtr.Limit = 0xfff;
    idtr.Base = W_EVILRK_DATA + 0x1000;
    ScGuestWrite(g, W_SYSTEM_CR3, W_EVILRK_IDTR, &idtr, sizeof(idtr));
    idtr.Base = W_ACMEHV_DATA + 0x1000;
    ScGuestWrite(g, W_SYSTEM_CR3, W_ACMEHV_IDTR, &idtr, sizeof(idtr));
}

/* The 12 bytes an x64 hook writes over a function's start: MOV RAX, Target; JMP RAX. */
static void WinHookBytes(uint8_t Bytes[16], uint64_t Target)
{
    memset(Bytes, 0xCC, 16);
    Bytes[0] = 0x48;
    Bytes[1] = 0xB8;
    memcpy(Bytes + 2, &Target, sizeof(Target));
    Bytes[10] = 0xFF;
    Bytes[11] = 0xE0;
}

static void WinDeclareMemory(SC_SCENE *S)
{
    static const uint64_t kernelCode[] = {W_NTOS_CODE,   W_DISK_CODE,   W_ACMEAV_CODE,    W_ACMEFW_CODE,
                                          W_ACMEHV_CODE, W_EVILRK_CODE, W_PATCHGUARD_CODE};
    uint8_t hook[16];

    for (size_t i = 0; i < sizeof(kernelCode) / sizeof(kernelCode[0]); i++)
    {
        ScScenePlaceCode(S, W_SYSTEM_CR3, kernelCode[i], 0xCC);
    }
    /* The kernel half of every address space is the same: what the cross-process copies run on. */
    ScScenePlaceCode(S, W_CR3_RENDERER, W_NTOS_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_EXPLORER, W_NTOS_CODE, 0xCC);
    WinHookBytes(hook, W_CHROME_EXE_BASE + 0x1c4a0); /* the sandbox's interceptor in chrome.exe */
    ScGuestWrite(&S->Guest, W_CR3_RENDERER, W_POOL_COPY_BUFFER, hook, sizeof(hook));
    WinHookBytes(hook, W_STEALER_EXE_BASE + 0x3f10); /* the stealer's code, once it runs in explorer */
    ScGuestWrite(&S->Guest, W_CR3_EXPLORER, W_POOL_COPY_BUFFER, hook, sizeof(hook));
    WinDeclareData(S);

    ScScenePlaceCode(S, W_CR3_EXPLORER, W_NTDLL_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_EXPLORER, W_ACMEHOOK_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_BROWSER, W_NTDLL_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_BROWSER, W_CHROME_ELF_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_RENDERER, W_NTDLL_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_RENDERER, W_VCRUNTIME_CODE, 0xCC);
    ScScenePlaceCode(S, W_CR3_RENDERER, W_EVIL_DLL_CODE, 0xCC);
    WinHookBytes(hook, W_EVIL_DLL_BASE + 0x1730);
    ScGuestWrite(&S->Guest, W_CR3_RENDERER, W_EVIL_DLL_PATCH, hook, sizeof(hook));
    ScScenePlaceCode(S, W_CR3_STEALER, W_STEALER_EXE_CODE, 0xCC);
    ScGuestWrite64(&S->Guest, W_CR3_STEALER, W_STEALER_HEAP, 0);
}

static void WinDeclareZones(SC_TRACE *T)
{
    const SC_ZONE zones[] = {
        {"\\Driver\\disk", "driver-object", "\"write\"", W_DISK_DRIVER_OBJECT, sizeof(GC_DRIVER_OBJECT), -1,
         W_DISK_BASE, "\\Driver\\disk", false},
        {"disk.sys .text", "km-module", "\"write\"", W_DISK_CODE, SC_PAGE_SIZE, -1, W_DISK_BASE, NULL, false},
        {"disk.sys .data", "km-module", "\"write\"", W_DISK_DATA, SC_PAGE_SIZE, -1, W_DISK_BASE, NULL, false},
        {"ntdll@explorer", "um-module", "\"write\"", W_NTDLL_CODE, SC_PAGE_SIZE, W_PID_EXPLORER, W_NTDLL_BASE, NULL,
         false},
        {"ntdll@chrome", "um-module", "\"write\"", W_NTDLL_CODE, SC_PAGE_SIZE, W_PID_BROWSER, W_NTDLL_BASE, NULL,
         false},
        {"ntdll@renderer", "um-module", "\"write\"", W_NTDLL_CODE, SC_PAGE_SIZE, W_PID_RENDERER, W_NTDLL_BASE, NULL,
         false},
    };

    ScNote(T, "Zones: disk.sys's driver object, a page of its code and of its data; ntdll.dll's system-call stubs in "
              "explorer and both Chrome processes; LSTAR, CR4 (SMEP/SMAP) and the IDTR.");
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
    {
        ScZone(T, &zones[i]);
    }
    ScZoneRegister(T, "LSTAR", "\"kind\":\"msr\",\"msr\":\"0xc0000082\"");
    ScZoneRegister(T, "CR4", "\"kind\":\"cr\",\"cr\":4");
    ScZoneRegister(T, "IDTR", "\"kind\":\"dtr\",\"dtr\":\"idtr\"");
}

/* ---- Events -------------------------------------------------------------------------------------------------------
 */

static const SC_CONTEXT WinCpu0 = {0, 0, W_SYSTEM_CR3, W_CR4, W_KPCR0};
static const SC_CONTEXT WinCpu1 = {1, 0, W_SYSTEM_CR3, W_CR4, W_KPCR1};

/* A driver's write into disk.sys's driver object: IRP dispatch entry Major := Handler. */
static void WinDriverObjectWrite(SC_SCENE *S, const SC_CONTEXT *C, uint64_t Code, uint32_t Major, uint64_t Handler,
                                 const char *Note, const SC_EXPECT *Expect)
{
    SC_RUN run;
    uint64_t stack;

    ScRunInit(&run, &S->Guest, Code, Code);
    ScRunMap(&run, W_SYSTEM_CR3, W_DISK_DRIVER_OBJECT, sizeof(GC_DRIVER_OBJECT));
    ScRunProtect(&run, W_DISK_DRIVER_OBJECT, sizeof(GC_DRIVER_OBJECT));
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_DISK_DRIVER_OBJECT);
    run.Regs[SC_RDX] = Major;
    run.Regs[SC_R8] = Handler;
    ScSceneWrite(S, &run, C, GcKmSetMajorFunction, stack, Note, Expect);
}

static void WinDriverObjectEvents(SC_SCENE *S)
{
    const SC_EXPECT allowed = {"allowed", "allowed", W_EXC_ACMEAV_DRVOBJ, false};
    const SC_EXPECT same = {"allowed", "same_value", -1, false};

    WinDriverObjectWrite(S, &WinCpu0, W_ACMEAV_CODE, GC_IRP_MJ_WRITE, ScGuestCode(W_ACMEAV_CODE, GcKmRunCallbacks),
                         "acmeav.sys points IRP_MJ_WRITE of \\Driver\\disk at its scanner (MOV): allowed by its drvobj "
                         "exception",
                         &allowed);
    WinDriverObjectWrite(S, &WinCpu1, W_EVILRK_CODE, GC_IRP_MJ_DEVICE_CONTROL,
                         ScGuestCode(W_EVILRK_CODE, GcKmRunCallbacks),
                         "evilrk.sys hooks IRP_MJ_DEVICE_CONTROL of \\Driver\\disk the same way: no exception, "
                         "blocked with an alert",
                         &WinBlocked);
    WinDriverObjectWrite(S, &WinCpu1, W_EVILRK_CODE, GC_IRP_MJ_READ, W_DISK_DISPATCH(GcKmRunCallbacks),
                         "evilrk.sys stores disk.sys's own read routine into IRP_MJ_READ, the value already there: "
                         "allowed as the same value, before any exception is asked",
                         &same);
}

/* A write into disk.sys's state in .data by Routine in the copy at Code. */
static void WinDataRun(SC_RUN *Run, SC_SCENE *S, uint64_t Code)
{
    ScRunInit(Run, &S->Guest, Code, Code);
    ScRunMap(Run, W_SYSTEM_CR3, W_DISK_DATA, SC_PAGE_SIZE);
    ScRunProtect(Run, W_DISK_DATA, SC_PAGE_SIZE);
}

static void WinDataEvents(SC_SCENE *S)
{
    const SC_EXPECT acmeav = {"allowed", "allowed", W_EXC_ACMEAV_DATA, false};
    const SC_EXPECT acmefw = {"not_allowed", "version_os_not_matched", -1, true};
    uint64_t completion = W_DISK_DISPATCH(GcKmSwapCompletion);
    SC_RUN run;
    uint64_t stack;

    WinDataRun(&run, S, W_EVILRK_CODE);
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_DISK_STATE);
    run.Regs[SC_RDX] = ScGuestCode(W_EVILRK_CODE, GcKmAddCounter);
    ScSceneWrite(S, &run, &WinCpu0, GcKmSwapCompletion, stack,
                 "evilrk.sys swaps disk.sys's completion routine for its own (XCHG): blocked", &WinBlocked);

    WinDataRun(&run, S, W_EVILRK_CODE);
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_DISK_STATE);
    run.Regs[SC_RDX] = GC_DISK_FLAG_VERIFY_WRITES;
    ScSceneWrite(S, &run, &WinCpu1, GcKmClearFlags, stack,
                 "evilrk.sys clears disk.sys's verify-writes flag (NOT, then AND on memory): blocked", &WinBlocked);

    WinDataRun(&run, S, W_ACMEAV_CODE);
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_DISK_STATE);
    run.Regs[SC_RDX] = completion;
    run.Regs[SC_R8] = ScGuestCode(W_ACMEAV_CODE, GcKmAddCounter);
    ScSceneWrite(S, &run, &WinCpu0, GcKmReplaceCompletion, stack,
                 "acmeav.sys chains into disk.sys's completion routine (LOCK CMPXCHG): allowed by an exception whose "
                 "version-os signature accepts build 17763 and later",
                 &acmeav);

    WinDataRun(&run, S, W_ACMEFW_CODE);
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_DISK_STATE);
    run.Regs[SC_RDX] = completion;
    run.Regs[SC_R8] = ScGuestCode(W_ACMEFW_CODE, GcKmAddCounter);
    ScSceneWrite(S, &run, &WinCpu1, GcKmReplaceCompletion, stack,
                 "acmefw.sys does the same, but its exception's signature stops at build 18363: blocked, "
                 "version_os_not_matched",
                 &acmefw);

    /*
     * A stack pivoted into disk.sys's .data: RSP at the start of the second (unprotected) page, so
     * the call lands there and the first PUSH of the routine's prologue in the protected page.
     */
    ScRunInit(&run, &S->Guest, W_EVILRK_CODE, W_EVILRK_CODE);
    ScRunMap(&run, W_SYSTEM_CR3, W_DISK_DATA, 2 * SC_PAGE_SIZE);
    ScRunProtect(&run, W_DISK_DATA, SC_PAGE_SIZE);
    run.Regs[SC_RCX] = ScGuestCode(W_EVILRK_CODE, GcKmAddCounter);
    run.Regs[SC_RDX] = W_DISK_STATE;
    run.Regs[SC_R8] = 4;
    /* What the prologue saves: the registers the pivot left (non-zero, so the PUSH changes the page). */
    run.Regs[SC_RBX] = W_EVILRK_DATA;
    run.Regs[SC_RBP] = W_DISK_DATA + SC_PAGE_SIZE + 0x100;
    run.Regs[SC_RSI] = W_EVILRK_COUNTER;
    run.Regs[SC_RDI] = W_DISK_STATE;
    run.Regs[SC_R12] = W_EVILRK_CODE;
    run.Regs[SC_R13] = W_EVILRK_IDTR;
    run.Regs[SC_R14] = W_EVILRK_CODE + 0x40;
    run.Regs[SC_R15] = W_EVILRK_BASE;
    ScSceneWrite(S, &run, &WinCpu0, GcKmRunCallbacks, W_DISK_DATA + SC_PAGE_SIZE + 40,
                 "evilrk.sys runs on a stack pivoted into disk.sys's .data: the PUSH of its routine's prologue "
                 "writes the protected page: blocked",
                 &WinBlocked);

    ScRunInit(&run, &S->Guest, W_EVILRK_CODE, W_EVILRK_CODE);
    ScRunMap(&run, W_SYSTEM_CR3, W_EVILRK_DATA, SC_PAGE_SIZE);
    ScRunProtect(&run, W_EVILRK_DATA, SC_PAGE_SIZE); /* on the host only, to stop the routine at its write */
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_EVILRK_COUNTER);
    run.Regs[SC_RDX] = 1;
    ScSceneWrite(S, &run, &WinCpu1, GcKmAddCounter, stack,
                 "evilrk.sys counts in its own .data (ADD on memory): no zone there, the write does not fault",
                 &WinNotDelivered);
}

static void WinCodeEvents(SC_SCENE *S)
{
    SC_RUN run;
    uint64_t stack;

    ScRunInit(&run, &S->Guest, W_EVILRK_CODE, W_EVILRK_CODE);
    ScRunMap(&run, W_SYSTEM_CR3, W_DISK_CODE, SC_PAGE_SIZE);
    ScRunProtect(&run, W_DISK_CODE, SC_PAGE_SIZE);
    stack = ScSceneStack(S, &run, W_SYSTEM_CR3, false);
    run.Regs[SC_RCX] = ScRunHost(&run, W_DISK_DISPATCH(GcKmRunCallbacks));
    run.Regs[SC_RDX] = 0x40;
    ScSceneWrite(S, &run, &WinCpu1, GcKmFillCode, stack,
                 "evilrk.sys overwrites disk.sys's dispatch routine with INT3 (REP STOSB): blocked", &WinBlocked);
}

void WinCrossProcessEvents(SC_SCENE *S);
void WinRegisterEvents(SC_SCENE *S);
void WinUserEvents(SC_SCENE *S);

bool ScWriteWindows10(const char *Directory)
{
    SC_SCENE scene;
    bool ok;

    memset(&scene, 0, sizeof(scene));
    ScGuestInit(&scene.Guest);
    scene.KernelStacks = W_KERNEL_STACKS;
    scene.UserStacks = W_USER_STACKS;
    if (!ScTraceOpen(&scene.Trace, Directory, "windows10-x64.jsonl"))
    {
        return false;
    }
    ScHeader(&scene.Trace,
             "{\"os\":\"windows\",\"bits\":64,\"os_version\":19041,\"vcpus\":2,\"system_cr3\":\"0x1aa000\","
             "\"paging\":\"4-level\"}",
             "examples/scenarios/make_scenarios: guest code compiled by " SC_COMPILER);
    WinDeclareModel(&scene.Trace);
    WinDeclareMemory(&scene);
    ScNote(&scene.Trace, "Memory: every code page holds the compiled guest section (guest_code.c); driver object, "
                         "data and hook bytes as the generator builds them.");
    ScGuestEmit(&scene.Guest, &scene.Trace);
    WinDeclareZones(&scene.Trace);

    WinDriverObjectEvents(&scene);
    WinDataEvents(&scene);
    WinCodeEvents(&scene);
    WinRegisterEvents(&scene);
    WinCrossProcessEvents(&scene);
    WinUserEvents(&scene);

    ScNote(&scene.Trace, "The integrator stops protecting \\Driver\\disk: the same hook is no longer intercepted");
    ScUnprotect(&scene.Trace, "\\Driver\\disk");
    WinDriverObjectWrite(&scene, &WinCpu0, W_EVILRK_CODE, GC_IRP_MJ_DEVICE_CONTROL,
                         ScGuestCode(W_EVILRK_CODE, GcKmRunCallbacks),
                         "evilrk.sys hooks IRP_MJ_DEVICE_CONTROL again: the page is no longer protected, not delivered",
                         &WinNotDelivered);
    ScEnd(&scene.Trace);

    ok = !scene.Failed && !scene.Guest.Failed;
    ok = ScTraceClose(&scene.Trace) && ok;
    ScGuestFree(&scene.Guest);
    return ok;
}
