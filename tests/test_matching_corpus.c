/*
 * Realistic decisions on hvmi's published rule set (INTROGUARD_HVMI_CORPUS/exceptions.bin):
 * violations its exceptions are meant to allow, and near-misses that must block.  The expected
 * record indexes are those of the exceptions in the compiled file (hvmi's compiler sorts them;
 * the JSON each comes from is named in the case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exc_builder.h"

#define NONE INTRO_EXC_NO_NAME

static INTRO_EXC_RULESET *gRules;

static int LoadCorpus(void **state)
{
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");
    char path[4096];
    static uint8_t buffer[1u << 20];
    size_t size;
    FILE *f;

    (void)state;
    if (!dir)
    {
        return 0;
    }
    snprintf(path, sizeof(path), "%s/exceptions.bin", dir);
    f = fopen(path, "rb");
    if (!f)
    {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    size = fread(buffer, 1, sizeof(buffer), f);
    fclose(f);
    return INT_SUCCESS(
               IntExceptRuleSetLoad(buffer, size, INTRO_EXC_OS_WINDOWS, IntExceptMallocAllocator(), &gRules, NULL))
               ? 0
               : -1;
}

static int FreeCorpus(void **state)
{
    (void)state;
    IntExceptRuleSetFree(gRules);
    gRules = NULL;
    return 0;
}

static INTRO_EXC_PROCESS_STATE gState;

static void Km(INTRO_EXC_VIOLATION *V, uint32_t Originator, const char *Section)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_KERNEL;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
    if (Originator != NONE)
    {
        V->Kernel.Original.Present = true;
        V->Kernel.Original.Rip = 0xFFFFF80001234567ull;
        strcpy(V->Kernel.Original.Section, Section);
    }
    V->Kernel.Original.NameHash = Originator;
    V->Kernel.Return = V->Kernel.Original;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.OldValue[0] = 0x1111;
    V->Victim.v.WriteInfo.NewValue[0] = 0x2222;
}

static void Process(INTRO_EXC_PROCESS *P, const char *Name, uint64_t Address)
{
    P->Present = true;
    P->Name = Name;
    P->NameLength = (uint32_t)strlen(Name);
    P->NameHash = XbNarrow(Name);
    P->Address = Address;
}

static void Inject(INTRO_EXC_VIOLATION *V, const char *From, const char *To)
{
    memset(V, 0, sizeof(*V));
    memset(&gState, 0, sizeof(gState));
    V->Kind = INTRO_EXC_KIND_USER;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
    Process(&V->User.Process, From, 0xA000);
    V->User.NameHash = XbNarrow(From);
    V->User.Name.Text = From;
    V->User.Name.Length = (uint32_t)strlen(From);
    V->User.Rip = 0x20000;
    V->Victim.ZoneType = INTRO_EXC_ZONE_PROCESS;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    V->Victim.NameHash = XbNarrow(To);
    Process(&V->Victim.Process, To, 0xB000);
    V->Victim.Process.State = &gState;
    V->Victim.u.Injection.Gva = 0x7FF00000;
    V->Victim.u.Injection.Length = 0x40;
}

/* km-exceptions-write.json: {"originator": "[kernel]", "victim": "[hal]", "object_type": "hal-heap"} */
static void KernelWritesHalHeap(INTRO_EXC_VIOLATION *V)
{
    Km(V, INTRO_EXC_NAME_KERNEL, ".text");
    V->Victim.ObjectType = INTRO_EXC_OBJ_HAL_HEAP;
    V->Victim.NameHash = INTRO_EXC_NAME_HAL;
}

static void DriverWritesHalHeap(INTRO_EXC_VIOLATION *V)
{
    KernelWritesHalHeap(V);
    V->Kernel.Original.NameHash = V->Kernel.Return.NameHash = XbWide("evil.sys");
}

static void KernelReadsHalHeap(INTRO_EXC_VIOLATION *V)
{
    KernelWritesHalHeap(V);
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_READ;
}

/* km-exceptions-write.json: `-` writes IDT entry 18 of a 32-bit guest with the null QWORD. */
static void X86IdtInit(INTRO_EXC_VIOLATION *V)
{
    Km(V, NONE, "");
    V->Guest.Guest64 = false;
    V->Guest.OsVersion = 7601;
    V->Kernel.Return.NameHash = NONE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_IDT;
    V->Victim.BaseAddress = 0x80B95400;
    V->Victim.u.Ept.Gva = 0x80B95400 + 18 * 8;
    V->Victim.v.WriteInfo.NewValue[0] = 0x0000850000a00000ull;
}

static void X86IdtOtherEntry(INTRO_EXC_VIOLATION *V)
{
    X86IdtInit(V);
    V->Victim.u.Ept.Gva += 8;
}

static void X86IdtOtherValue(INTRO_EXC_VIOLATION *V)
{
    X86IdtInit(V);
    V->Victim.v.WriteInfo.NewValue[0] = 0xFFFF850000a00000ull;
}

/* The same write on a 64-bit guest: IDT entries are 16 bytes there, so this is vector 9. */
static void X86IdtOn64(INTRO_EXC_VIOLATION *V)
{
    X86IdtInit(V);
    V->Guest.Guest64 = true;
}

/* {"flags": "init integrity", "originator": "[kernel]", "victim": "\\filesystem\\refs", "object_type": "fastio"} */
static void RefsFastIoInit(INTRO_EXC_VIOLATION *V)
{
    Km(V, INTRO_EXC_NAME_KERNEL, "");
    V->Kernel.Original.Rip = V->Kernel.Return.Rip = 0;
    V->Victim.ZoneType = INTRO_EXC_ZONE_INTEGRITY;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_INTEGRITY_FLAG;
    V->Victim.ObjectType = INTRO_EXC_OBJ_FAST_IO_DISPATCH;
    V->Victim.NameHash = XbWide("\\filesystem\\refs");
    V->Victim.v.WriteInfo.OldValue[0] = 0;
}

static void RefsFastIoEpt(INTRO_EXC_VIOLATION *V)
{
    RefsFastIoInit(V);
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
}

static void RefsFastIoLater(INTRO_EXC_VIOLATION *V)
{
    RefsFastIoInit(V);
    V->Victim.v.WriteInfo.OldValue[0] = 0xFFFFF80055550000ull;
}

/* km-exceptions-token-privs-write.json: {"flags": "integrity feedback", "victim": "*", "object_type": "token-privs"} */
static void TokenPrivs(INTRO_EXC_VIOLATION *V)
{
    Km(V, NONE, "");
    V->Kernel.Return.NameHash = NONE;
    V->Victim.ZoneType = INTRO_EXC_ZONE_INTEGRITY;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_INTEGRITY_FLAG;
    V->Victim.ObjectType = INTRO_EXC_OBJ_TOKEN_PRIVS;
    V->Victim.NameHash = XbNarrow("cmd.exe");
}

/* km-exception-security-descriptor-write.json: StartMenuExperienceHost (trimmed to 14 characters). */
static void SecDescStartMenu(INTRO_EXC_VIOLATION *V)
{
    TokenPrivs(V);
    V->Victim.ObjectType = INTRO_EXC_OBJ_SEC_DESC;
    V->Victim.NameHash = XbNarrow("startmenuexper");
}

static void SecDescNotepad(INTRO_EXC_VIOLATION *V)
{
    SecDescStartMenu(V);
    V->Victim.NameHash = XbNarrow("notepad.exe");
}

/* um-exceptions-chrome.json: {"originator": "explorer.exe", "victim": "chrome.exe", "object_type": "process"} */
static void ExplorerIntoChrome(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "explorer.exe", "chrome.exe");
}

static void ExplorerIntoFirefox(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "explorer.exe", "firefox.exe");
}

static void ExplorerIntoChromeOnLinux(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "explorer.exe", "chrome.exe");
    V->Guest.Os = INTRO_EXC_OS_LINUX;
}

static void ExplorerIntoChromeThreadContext(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "explorer.exe", "chrome.exe");
    V->Victim.ZoneFlags |= INTRO_EXC_ZONE_PROC_THREAD_CTX;
}

/* um-exceptions-system-processes.json: {"flags": "system-process", "originator": "csrss.exe", "victim": "*"} */
static void CsrssSystem(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "csrss.exe", "notepad.exe");
    V->User.Process.System = true;
}

static void CsrssImpostor(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "csrss.exe", "notepad.exe");
}

/* {"flags": "system-process child", "originator": "wininit.exe", "victim": "lsass.exe"} */
static void WininitStartsLsass(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "wininit.exe", "lsass.exe");
    V->User.Process.System = true;
    V->Victim.Process.ParentAddress = V->User.Process.Address;
}

static void WininitIntoForeignLsass(INTRO_EXC_VIOLATION *V)
{
    WininitStartsLsass(V);
    V->Victim.Process.ParentAddress = 0x4444;
}

/* chrome.exe writes ntdll.dll in its own process: needs codeblocks; the violation carries no code, so hvmi's
 * first check (the CPU mode) fails and the exception ends in an internal error. */
static void ChromeNtdllCodeblocks(INTRO_EXC_VIOLATION *V)
{
    Inject(V, "chrome.exe", "chrome.exe");
    V->User.NameHash = XbWide("ntdll.dll");
    V->User.Library = true;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_LIB_CODE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_UM_MODULE;
    V->Victim.NameHash = XbWide("kernel32.dll");
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.NewValue[0] = 0x99;
}

typedef struct CORPUS_CASE
{
    const char *Name;
    void (*Build)(INTRO_EXC_VIOLATION *V);
    uint32_t Action;
    uint32_t Reason;
    int32_t Matched; /* record index in the corpus file, -1 for none */
} CORPUS_CASE;

#define ALLOW INTRO_EXC_ACTION_ALLOWED, INTRO_EXC_REASON_ALLOWED
#define BLOCK(r) INTRO_EXC_ACTION_NOT_ALLOWED, INTRO_EXC_REASON_##r

static const CORPUS_CASE gCases[] = {
    {"kernel writes the HAL heap", KernelWritesHalHeap, ALLOW, 3},
    {"near miss: another driver writes the HAL heap", DriverWritesHalHeap, BLOCK(NO_EXCEPTION), -1},
    {"near miss: a read of the HAL heap (write-only exception)", KernelReadsHalHeap, BLOCK(NO_EXCEPTION), -1},
    {"x86 IDT entry 18 initialised with the null QWORD", X86IdtInit, ALLOW, 9},
    {"near miss: x86 IDT entry 19", X86IdtOtherEntry, BLOCK(IDT_NOT_MATCHED), -1},
    {"near miss: x86 IDT entry 18, other value", X86IdtOtherValue, BLOCK(IDT_NOT_MATCHED), -1},
    {"near miss: wrong bitness (64-bit IDT entries)", X86IdtOn64, BLOCK(IDT_NOT_MATCHED), -1},
    {"kernel initialises the refs fast-I/O table", RefsFastIoInit, ALLOW, 2},
    {"near miss: refs fast-I/O written through EPT", RefsFastIoEpt, BLOCK(NO_EXCEPTION), -1},
    {"near miss: refs fast-I/O overwritten after init", RefsFastIoLater, BLOCK(NO_EXCEPTION), -1},
    {"token privileges (feedback)", TokenPrivs, INTRO_EXC_ACTION_ALLOWED, INTRO_EXC_REASON_ALLOWED_FEEDBACK, 14},
    {"security descriptor of StartMenuExperienceHost", SecDescStartMenu, ALLOW, 18},
    {"near miss: security descriptor of notepad", SecDescNotepad, BLOCK(NO_EXCEPTION), -1},
    {"explorer injects into chrome", ExplorerIntoChrome, ALLOW, 38},
    {"near miss: explorer injects into firefox", ExplorerIntoFirefox, BLOCK(NO_EXCEPTION), -1},
    {"near miss: wrong OS", ExplorerIntoChromeOnLinux, BLOCK(NO_EXCEPTION), -1},
    {"near miss: wrong flag (thread context)", ExplorerIntoChromeThreadContext, BLOCK(NO_EXCEPTION), -1},
    {"system csrss injects anywhere", CsrssSystem, ALLOW, 37},
    {"near miss: a csrss.exe that is not a system process", CsrssImpostor, BLOCK(NO_EXCEPTION), -1},
    {"wininit injects into the lsass it started", WininitStartsLsass, ALLOW, 41},
    {"near miss: lsass not a child of wininit", WininitIntoForeignLsass, BLOCK(NO_EXCEPTION), -1},
    {"codeblocks without guest code: ntdll writes kernel32 in chrome", ChromeNtdllCodeblocks, BLOCK(INTERNAL_ERROR),
     -1},
};

static void test_corpus_decisions(void **state)
{
    (void)state;
    if (!getenv("INTROGUARD_HVMI_CORPUS"))
    {
        print_message("SKIP: INTROGUARD_HVMI_CORPUS not set\n");
        skip();
    }
    for (size_t i = 0; i < sizeof(gCases) / sizeof(gCases[0]); i++)
    {
        INTRO_EXC_VIOLATION vio;
        INTRO_EXC_VERDICT verdict;

        gCases[i].Build(&vio);
        assert_int_equal(IntExceptEvaluate(gRules, &vio, &verdict), INT_STATUS_SUCCESS);
        print_message("  %-58s -> %s/%s rec %d, tried %u\n", gCases[i].Name, IntExceptActionName(verdict.Action),
                      IntExceptReasonName(verdict.Reason),
                      verdict.Matched.Source ? (int)verdict.Matched.RecordIndex : -1, verdict.Tried);
        assert_int_equal(verdict.Action, gCases[i].Action);
        assert_int_equal(verdict.Reason, gCases[i].Reason);
        if (gCases[i].Matched >= 0)
        {
            assert_int_equal(verdict.Matched.RecordIndex, (uint32_t)gCases[i].Matched);
        }
        else
        {
            assert_int_equal(verdict.Matched.Source, INTRO_EXC_SOURCE_NONE);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_decisions),
    };

    return cmocka_run_group_tests(tests, LoadCorpus, FreeCorpus);
}
