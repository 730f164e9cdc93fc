/*
 * The replay trace reader, version 2 (docs/trace-format.md): every record of a guest and its events
 * decodes into exactly what the runner is given, vCPU snapshots take the header's defaults and keep
 * what events change, and every malformed line is rejected with its line, field and message.
 * The runner is covered in tests/test_replay_v2.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "introguard/intro_alerts.h"
#include "trace.h"
#include "trace_check.h"

#define H2_GUEST "\"guest\":{\"os\":\"windows\",\"bits\":64,\"vcpus\":2,\"system_cr3\":\"0x100000\"}"
#define H2 "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2," H2_GUEST "}\n"
#define H1 "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1,\"guest\":{}}\n"
#define HDR2(guest) "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":" guest "}\n"
#define MODULE(extra) "{\"type\":\"module\",\"name\":\"a.sys\",\"base\":\"0x10000\",\"size\":\"0x1000\"" extra "}\n"
#define ZONE(extra) "{\"type\":\"zone\",\"id\":\"z\"" extra "}\n"
#define MEMZONE(extra) ZONE(",\"kind\":\"memory\",\"gva\":\"0x1000\",\"size\":\"0x1000\"" extra)
#define EPT(extra) "{\"type\":\"ept\",\"seq\":1" extra "}\n"

#define CR0_PE_PG 0x80000001ull
#define CR4_PSE_PAE 0x30ull
#define CR4_LA57 0x1000ull
#define EFER_LME_LMA 0x500ull
#define CS_64 0xA9Bu
#define CS_32 0xC9Bu
#define SS_32 0xC93u
#define RING3 0x60u

/* ---- decoding ------------------------------------------------------------------------------------------------------
 */

/* The header's version-2 guest, and every vCPU starting from it: kernel address space, paging, ring 0. */
static void test_header_and_vcpu_defaults(void **state)
{
    static const char text[] =
        "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":{\"os\":\"windows\",\"bits\":64,"
        "\"os_version\":19041,\"vcpus\":3,\"system_cr3\":\"0x1ab000\",\"paging\":\"5-level\"},"
        "\"intro_version\":\"1.110.2.7\"}\n"
        "{\"type\":\"end\",\"events\":0}\n";
    static const char text32[] =
        "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":{\"bits\":"
        "32,\"system_cr3\":\"0x3000\"}}\n{\"type\":\"end\",\"events\":0}\n";
    TRACE_READER r;
    const IG_TRACE_HEADER *h;
    const INTRO_BACKEND_REGS *v;

    (void)state;
    TraceReaderOpen(&r, text);
    TraceReaderNext(&r, IgTraceHeader);
    h = IgTraceHeaderOf(r.Trace);
    assert_int_equal(h->Version, 2);
    assert_int_equal(h->Vcpus, 3);
    assert_int_equal(h->SystemCr3, 0x1AB000);
    assert_int_equal(h->Paging, INTRO_REPLAY_PAGING_5LEVEL);
    assert_int_equal(h->Guest.OsVersion, 19041);
    assert_int_equal(h->Guest.IntroVersion, (1ull << 48) | (110ull << 32) | (2ull << 16) | 7);
    for (uint32_t i = 0; i < 3; i++)
    {
        v = IgTraceVcpuState(r.Trace, i);
        assert_non_null(v);
        assert_int_equal(v->Arch.Cr3, 0x1AB000);
        assert_int_equal(v->Arch.Cr0, CR0_PE_PG);
        assert_int_equal(v->Arch.Cr4, CR4_PSE_PAE | CR4_LA57);
        assert_int_equal(v->Efer, EFER_LME_LMA);
        assert_int_equal(v->Arch.Flags, 0x2);
        assert_int_equal(v->Arch.Rip, 0);
        assert_int_equal(v->Cs.Attributes, CS_64);
        assert_int_equal(v->Ss.Attributes, SS_32);
        assert_int_equal(v->Msrs, INTRO_BACKEND_MSR_EFER | INTRO_BACKEND_MSR_SEG_BASES);
    }
    assert_null(IgTraceVcpuState(r.Trace, 3));
    TraceReaderNext(&r, IgTraceEnd);
    TraceReaderEnd(&r);

    /* A 32-bit guest: one vCPU, PAE paging, 32-bit code, no long mode. */
    TraceReaderOpen(&r, text32);
    TraceReaderNext(&r, IgTraceHeader);
    h = IgTraceHeaderOf(r.Trace);
    assert_int_equal(h->Vcpus, 1);
    assert_int_equal(h->Paging, INTRO_REPLAY_PAGING_PAE);
    assert_int_equal(h->Guest.IntroVersion, 0);
    v = IgTraceVcpuState(r.Trace, 0);
    assert_int_equal(v->Arch.Cr3, 0x3000);
    assert_int_equal(v->Arch.Cr4, CR4_PSE_PAE);
    assert_int_equal(v->Efer, 0);
    assert_int_equal(v->Cs.Attributes, CS_32);
    assert_null(IgTraceVcpuState(r.Trace, 1));
    TraceReaderNext(&r, IgTraceEnd);
    TraceReaderEnd(&r);

    /* Version 1 keeps no vCPUs, but reads the intro version. */
    TraceReaderOpen(&r,
                    "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":1,\"guest\":{},\"intro_version\":"
                    "\"2.0.0.1\"}\n");
    TraceReaderNext(&r, IgTraceHeader);
    assert_int_equal(IgTraceHeaderOf(r.Trace)->Guest.IntroVersion, (2ull << 48) | 1);
    assert_null(IgTraceVcpuState(r.Trace, 0));
    TraceReaderEnd(&r);
}

/* A vcpu record is a full snapshot: every register it names, the header's defaults for the rest. */
static void test_vcpu_records(void **state)
{
    static const char text[] =
        H2 "{\"type\":\"vcpu\",\"vcpu\":1,\"mode\":32,\"ring\":3,\"regs\":{\"rax\":\"0x1\",\"rbx\":\"0x2\",\"rcx\":"
           "\"0x3\",\"rdx\":\"0x4\",\"rsi\":\"0x5\",\"rdi\":\"0x6\",\"rbp\":\"0x7\",\"rsp\":\"0x8\",\"r8\":\"0x9\","
           "\"r9\":\"0xa\",\"r10\":\"0xb\",\"r11\":\"0xc\",\"r12\":\"0xd\",\"r13\":\"0xe\",\"r14\":\"0xf\",\"r15\":"
           "\"0x10\",\"rip\":\"0x401000\",\"rflags\":\"0x246\",\"cr0\":\"0x80050033\",\"cr2\":\"0x11\",\"cr3\":"
           "\"0x2000\",\"cr4\":\"0x370678\",\"dr7\":\"0x400\",\"idt_base\":\"0xfffff80000002000\",\"gdt_base\":"
           "\"0xfffff80000003000\"},\"efer\":\"0xd01\",\"fs_base\":\"0x7000\",\"gs_base\":\"0x8000\","
           "\"kernel_gs_base\":\"0x9000\"}\n"
           "{\"type\":\"vcpu\",\"vcpu\":1,\"regs\":{\"rip\":\"0x5000\"}}\n"
           "{\"type\":\"end\",\"events\":0}\n";
    TRACE_READER r;
    const IG_TRACE_RECORD *rec;
    const INTRO_BACKEND_REGS *v;

    (void)state;
    TraceReaderOpen(&r, text);
    TraceReaderNext(&r, IgTraceHeader);
    rec = TraceReaderNext(&r, IgTraceVcpu);
    assert_int_equal(rec->Vcpu, 1);
    assert_ptr_equal(rec->Regs, IgTraceVcpuState(r.Trace, 1));
    v = rec->Regs;
    assert_int_equal(v->Arch.Rax, 1);
    assert_int_equal(v->Arch.Rbx, 2);
    assert_int_equal(v->Arch.Rcx, 3);
    assert_int_equal(v->Arch.Rdx, 4);
    assert_int_equal(v->Arch.Rsi, 5);
    assert_int_equal(v->Arch.Rdi, 6);
    assert_int_equal(v->Arch.Rbp, 7);
    assert_int_equal(v->Arch.Rsp, 8);
    assert_int_equal(v->Arch.R8, 9);
    assert_int_equal(v->Arch.R9, 10);
    assert_int_equal(v->Arch.R10, 11);
    assert_int_equal(v->Arch.R11, 12);
    assert_int_equal(v->Arch.R12, 13);
    assert_int_equal(v->Arch.R13, 14);
    assert_int_equal(v->Arch.R14, 15);
    assert_int_equal(v->Arch.R15, 16);
    assert_int_equal(v->Arch.Rip, 0x401000);
    assert_int_equal(v->Arch.Flags, 0x246);
    assert_int_equal(v->Arch.Cr0, 0x80050033);
    assert_int_equal(v->Arch.Cr2, 0x11);
    assert_int_equal(v->Arch.Cr3, 0x2000);
    assert_int_equal(v->Arch.Cr4, 0x370678);
    assert_int_equal(v->Arch.Dr7, 0x400);
    assert_int_equal(v->Arch.IdtBase, 0xFFFFF80000002000ull);
    assert_int_equal(v->Arch.GdtBase, 0xFFFFF80000003000ull);
    assert_int_equal(v->Efer, 0xD01);
    assert_int_equal(v->Fs.Base, 0x7000);
    assert_int_equal(v->Gs.Base, 0x8000);
    assert_int_equal(v->KernelGsBase, 0x9000);
    assert_int_equal(v->Cs.Attributes, CS_32 | RING3);
    assert_int_equal(v->Ss.Attributes, SS_32 | RING3);
    assert_int_equal(v->Msrs, INTRO_BACKEND_MSR_EFER | INTRO_BACKEND_MSR_SEG_BASES);
    /* vCPU 0 is untouched. */
    assert_int_equal(IgTraceVcpuState(r.Trace, 0)->Arch.Rax, 0);
    assert_int_equal(IgTraceVcpuState(r.Trace, 0)->Arch.Cr3, 0x100000);

    /* The next snapshot starts again from the header: nothing of the first one survives. */
    rec = TraceReaderNext(&r, IgTraceVcpu);
    v = rec->Regs;
    assert_int_equal(v->Arch.Rip, 0x5000);
    assert_int_equal(v->Arch.Rax, 0);
    assert_int_equal(v->Arch.Cr3, 0x100000);
    assert_int_equal(v->Arch.Cr4, CR4_PSE_PAE);
    assert_int_equal(v->Arch.Flags, 0x2);
    assert_int_equal(v->Efer, EFER_LME_LMA);
    assert_int_equal(v->Fs.Base, 0);
    assert_int_equal(v->Cs.Attributes, CS_64);
    assert_int_equal(v->Ss.Attributes, SS_32);
    TraceReaderNext(&r, IgTraceEnd);
    TraceReaderEnd(&r);
}

/* Pages, virtual ranges (CR3 defaulting to the kernel's), modules and processes. */
static void test_memory_and_model(void **state)
{
    static uint8_t page[4096];
    static char text[16384];
    char encoded[4 * sizeof(page) / 3 + 8];
    TRACE_READER r;
    const IG_TRACE_RECORD *rec;
    const INTRO_GUEST_MODULE *m;
    const INTRO_GUEST_PROCESS *p;

    (void)state;
    for (size_t i = 0; i < sizeof(page); i++)
    {
        page[i] = (uint8_t)(i * 7);
    }
    TraceBase64(page, sizeof(page), encoded);
    snprintf(text, sizeof(text),
             H2 "{\"type\":\"page\",\"gpa\":\"0x5000\",\"data\":\"%s\"}\n"
                "{\"type\":\"memory\",\"gva\":\"0xfffff80000001000\",\"data\":\"SIkI\"}\n"
                "{\"type\":\"memory\",\"gva\":\"0x10000\",\"cr3\":\"0x2000\",\"data\":\"AQI=\"}\n"
                "{\"type\":\"module\",\"name\":\"ntoskrnl.exe\",\"base\":\"0xfffff80000000000\",\"size\":\"0x200000\","
                "\"entry\":\"0xfffff80000001234\",\"driver_object_gpa\":\"0x5000\",\"kernel\":true,\"sections\":["
                "{\"name\":\".text\",\"rva\":\"0x1000\",\"size\":\"0x1000\",\"flags\":[\"code\",\"execute\"]},"
                "{\"name\":\"INITDATA\",\"rva\":\"0x2000\",\"size\":\"0x800\",\"flags\":[\"write\",\"init\"]}],"
                "\"imports\":{\"rva\":\"0x3000\",\"size\":\"0x100\"},\"exports\":{\"rva\":\"0x3100\",\"size\":"
                "\"0x80\"},\"resources\":{\"rva\":\"0x4000\",\"size\":\"0x200\"}}\n"
                "{\"type\":\"module\",\"name\":\"hal.dll\",\"pid\":4,\"base\":\"0x10000\",\"size\":\"0x1000\","
                "\"hal\":true}\n"
                "{\"type\":\"module_remove\",\"base\":\"0x10000\",\"pid\":4}\n"
                "{\"type\":\"module_remove\",\"base\":\"0xfffff80000000000\"}\n"
                "{\"type\":\"process\",\"pid\":100,\"name\":\"a.exe\",\"cr3\":\"0x200000\",\"parent\":4,\"path\":"
                "\"\\\\Device\\\\a.exe\",\"command_line\":\"a.exe -x\",\"address\":\"0xffff1000\","
                "\"parent_address\":\"0xffff2000\",\"peb32\":\"0x3000\",\"peb64\":\"0x4000\",\"wow64\":true,"
                "\"system\":true,\"parent_wow64\":true}\n"
                "{\"type\":\"process\",\"pid\":\"0x65\",\"name\":\"b.exe\",\"cr3\":\"0x300000\"}\n"
                "{\"type\":\"process_remove\",\"pid\":100}\n"
                "{\"type\":\"end\",\"events\":0}\n",
             encoded);
    TraceReaderOpen(&r, text);
    TraceReaderNext(&r, IgTraceHeader);
    rec = TraceReaderNext(&r, IgTracePage);
    assert_int_equal(rec->Address, 0x5000);
    assert_int_equal(rec->DataSize, 4096);
    assert_memory_equal(rec->Data, page, sizeof(page));

    rec = TraceReaderNext(&r, IgTraceMemory);
    assert_int_equal(rec->Address, 0xFFFFF80000001000ull);
    assert_int_equal(rec->Cr3, 0x100000);
    assert_int_equal(rec->DataSize, 3);
    assert_memory_equal(rec->Data, "\x48\x89\x08", 3);
    rec = TraceReaderNext(&r, IgTraceMemory);
    assert_int_equal(rec->Address, 0x10000);
    assert_int_equal(rec->Cr3, 0x2000);
    assert_int_equal(rec->DataSize, 2);
    assert_memory_equal(rec->Data, "\x01\x02", 2);

    rec = TraceReaderNext(&r, IgTraceModule);
    m = &rec->Module;
    assert_int_equal(rec->Pid, INTRO_GUEST_KERNEL);
    assert_int_equal(m->StructSize, sizeof(*m));
    assert_int_equal(m->NameLength, 12);
    assert_memory_equal(m->Name, "ntoskrnl.exe", 12);
    assert_int_equal(m->Base, 0xFFFFF80000000000ull);
    assert_int_equal(m->ImageSize, 0x200000);
    assert_int_equal(m->EntryPoint, 0xFFFFF80000001234ull);
    assert_int_equal(m->DriverObjectGpa, 0x5000);
    assert_int_equal(m->Flags, INTRO_MODULE_KERNEL_IMAGE);
    assert_int_equal(m->SectionCount, 2);
    assert_memory_equal(m->Sections[0].Name, ".text\0\0\0", 8);
    assert_int_equal(m->Sections[0].Rva, 0x1000);
    assert_int_equal(m->Sections[0].Size, 0x1000);
    assert_int_equal(m->Sections[0].Flags, INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE);
    assert_memory_equal(m->Sections[1].Name, "INITDATA", 8);
    assert_int_equal(m->Sections[1].Rva, 0x2000);
    assert_int_equal(m->Sections[1].Size, 0x800);
    assert_int_equal(m->Sections[1].Flags, INTRO_SECTION_WRITE | INTRO_SECTION_INIT);
    assert_int_equal(m->ImportsRva, 0x3000);
    assert_int_equal(m->ImportsSize, 0x100);
    assert_int_equal(m->ExportsRva, 0x3100);
    assert_int_equal(m->ExportsSize, 0x80);
    assert_int_equal(m->ResourcesRva, 0x4000);
    assert_int_equal(m->ResourcesSize, 0x200);

    rec = TraceReaderNext(&r, IgTraceModule);
    m = &rec->Module;
    assert_int_equal(rec->Pid, 4);
    assert_int_equal(m->Flags, INTRO_MODULE_HAL);
    assert_int_equal(m->SectionCount, 0);
    assert_null(m->Sections);
    assert_int_equal(m->EntryPoint, 0);
    assert_int_equal(m->ImportsRva, 0);

    rec = TraceReaderNext(&r, IgTraceModuleRemove);
    assert_int_equal(rec->Pid, 4);
    assert_int_equal(rec->Module.Base, 0x10000);
    rec = TraceReaderNext(&r, IgTraceModuleRemove);
    assert_int_equal(rec->Pid, INTRO_GUEST_KERNEL);
    assert_int_equal(rec->Module.Base, 0xFFFFF80000000000ull);

    rec = TraceReaderNext(&r, IgTraceProcess);
    p = &rec->Process;
    assert_int_equal(rec->Pid, 100);
    assert_int_equal(p->StructSize, sizeof(*p));
    assert_int_equal(p->Pid, 100);
    assert_int_equal(p->ParentPid, 4);
    assert_int_equal(p->NameLength, 5);
    assert_memory_equal(p->Name, "a.exe", 5);
    assert_int_equal(p->PathLength, 13);
    assert_memory_equal(p->Path, "\\Device\\a.exe", 13);
    assert_int_equal(p->CommandLineLength, 8);
    assert_memory_equal(p->CommandLine, "a.exe -x", 8);
    assert_int_equal(p->Cr3, 0x200000);
    assert_int_equal(p->Address, 0xFFFF1000);
    assert_int_equal(p->ParentAddress, 0xFFFF2000);
    assert_int_equal(p->Peb32, 0x3000);
    assert_int_equal(p->Peb64, 0x4000);
    assert_int_equal(p->Flags, INTRO_PROCESS_WOW64 | INTRO_PROCESS_SYSTEM | INTRO_PROCESS_PARENT_WOW64);

    rec = TraceReaderNext(&r, IgTraceProcess);
    p = &rec->Process;
    assert_int_equal(p->Pid, 0x65);
    assert_int_equal(p->Flags, 0);
    assert_null(p->Path);
    assert_int_equal(p->PathLength, 0);
    assert_null(p->CommandLine);
    assert_int_equal(p->ParentPid, 0);

    rec = TraceReaderNext(&r, IgTraceProcessRemove);
    assert_int_equal(rec->Pid, 100);
    TraceReaderNext(&r, IgTraceEnd);
    TraceReaderEnd(&r);
}

/* Zones of each kind, unprotect, and rules by file and by data. */
static void test_zones_and_rules(void **state)
{
    static const char text[] =
        H2 "{\"type\":\"zone\",\"id\":\"drvobj\",\"kind\":\"memory\",\"object\":\"driver-object\",\"access\":[\"read\","
           "\"write\"],\"gva\":\"0xffffa00000001000\",\"size\":\"0x180\",\"owner\":\"0xfffff80000100000\",\"name\":"
           "\"\\\\Driver\\\\disk\",\"feedback_only\":true,\"pid\":100}\n"
           "{\"type\":\"zone\",\"id\":\"code\",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":[\"execute\"],"
           "\"gva\":\"0x1000\",\"size\":\"0x2000\"}\n"
           "{\"type\":\"zone\",\"id\":\"lstar\",\"kind\":\"msr\",\"msr\":\"0xc0000082\"}\n"
           "{\"type\":\"zone\",\"id\":\"smep\",\"kind\":\"cr\",\"cr\":4,\"feedback_only\":false}\n"
           "{\"type\":\"zone\",\"id\":\"gdtr\",\"kind\":\"dtr\",\"dtr\":\"gdtr\"}\n"
           "{\"type\":\"zone\",\"id\":\"idtr\",\"kind\":\"dtr\",\"dtr\":\"idtr\"}\n"
           "{\"type\":\"unprotect\",\"id\":\"lstar\"}\n"
           "{\"type\":\"rules\",\"file\":\"rules/x.bin\"}\n"
           "{\"type\":\"rules\",\"data\":\"RVhOQQIA\"}\n"
           "{\"type\":\"end\",\"events\":0}\n";
    TRACE_READER r;
    const IG_TRACE_RECORD *rec;
    const INTRO_GUEST_ZONE *z;

    (void)state;
    TraceReaderOpen(&r, text);
    TraceReaderNext(&r, IgTraceHeader);
    rec = TraceReaderNext(&r, IgTraceZone);
    z = &rec->Zone;
    assert_string_equal(rec->ZoneId, "drvobj");
    assert_int_equal(z->StructSize, sizeof(*z));
    assert_int_equal(z->Kind, introZoneMemory);
    assert_int_equal(z->ObjectType, INTRO_EXC_OBJ_DRIVER_OBJECT);
    assert_int_equal(z->Access, IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE);
    assert_int_equal(z->Gva, 0xFFFFA00000001000ull);
    assert_int_equal(z->Length, 0x180);
    assert_int_equal(z->Owner, 0xFFFFF80000100000ull);
    assert_int_equal(z->NameLength, 12);
    assert_memory_equal(z->Name, "\\Driver\\disk", 12);
    assert_int_equal(z->Flags, INTRO_ZONE_FEEDBACK_ONLY);
    assert_int_equal(z->Pid, 100);

    rec = TraceReaderNext(&r, IgTraceZone);
    z = &rec->Zone;
    assert_string_equal(rec->ZoneId, "code");
    assert_int_equal(z->ObjectType, INTRO_EXC_OBJ_KM_MODULE);
    assert_int_equal(z->Access, IG_EPT_HOOK_EXECUTE);
    assert_int_equal(z->Pid, INTRO_GUEST_KERNEL);
    assert_int_equal(z->Owner, 0);
    assert_null(z->Name);
    assert_int_equal(z->Flags, 0);

    rec = TraceReaderNext(&r, IgTraceZone);
    assert_string_equal(rec->ZoneId, "lstar");
    assert_int_equal(rec->Zone.Kind, introZoneMsr);
    assert_int_equal(rec->Zone.Index, 0xC0000082u);
    assert_int_equal(rec->Zone.Pid, INTRO_GUEST_KERNEL);
    rec = TraceReaderNext(&r, IgTraceZone);
    assert_int_equal(rec->Zone.Kind, introZoneCr);
    assert_int_equal(rec->Zone.Index, 4);
    assert_int_equal(rec->Zone.Flags, 0);
    rec = TraceReaderNext(&r, IgTraceZone);
    assert_int_equal(rec->Zone.Kind, introZoneDtr);
    assert_int_equal(rec->Zone.Index, introObjectTypeGdtr);
    rec = TraceReaderNext(&r, IgTraceZone);
    assert_int_equal(rec->Zone.Index, introObjectTypeIdtr);

    rec = TraceReaderNext(&r, IgTraceUnprotect);
    assert_string_equal(rec->ZoneId, "lstar");

    rec = TraceReaderNext(&r, IgTraceRules);
    assert_string_equal(rec->RulesPath, "rules/x.bin");
    assert_null(rec->Data);
    rec = TraceReaderNext(&r, IgTraceRules);
    assert_null(rec->RulesPath);
    assert_int_equal(rec->DataSize, 6);
    assert_memory_equal(rec->Data, "EXNA\x02\x00", 6);
    TraceReaderNext(&r, IgTraceEnd);
    TraceReaderEnd(&r);
}

/* Events: EPT by gpa and by gva, MSR, CR and DTR; regs of an event stay in the vCPU's snapshot. */
static void test_events(void **state)
{
    static const char text[] =
        H2 "{\"type\":\"ept\",\"seq\":1,\"vcpu\":1,\"gpa\":\"0x105010\",\"gla\":\"0xfffff80000100010\",\"access\":"
           "\"w\",\"regs\":{\"rax\":\"0x55\",\"rip\":\"0x401000\"},\"ring\":3,\"gs_base\":\"0x9000\"}\n"
           "{\"type\":\"ept\",\"seq\":2,\"vcpu\":1,\"gva\":\"0x7ff000\",\"access\":\"x\"}\n"
           "{\"type\":\"ept\",\"seq\":3,\"gpa\":\"0x2000\",\"access\":\"r\"}\n"
           "{\"type\":\"msr\",\"seq\":\"0x10\",\"msr\":\"0xc0000082\",\"old\":\"0xfffff80000001000\",\"new\":"
           "\"0xfffff80000001100\"}\n"
           "{\"type\":\"cr\",\"seq\":17,\"vcpu\":0,\"cr\":4,\"old\":\"0x370678\",\"new\":\"0x270678\"}\n"
           "{\"type\":\"dtr\",\"seq\":18,\"dtr\":\"idtr\"}\n"
           "{\"type\":\"dtr\",\"seq\":19,\"dtr\":\"gdtr\",\"access\":\"read\"}\n"
           "{\"type\":\"dtr\",\"seq\":20,\"dtr\":\"gdtr\",\"access\":\"write\"}\n"
           "{\"type\":\"expect\",\"seq\":1,\"action\":\"not_delivered\",\"alert\":true}\n"
           "{\"type\":\"expect\",\"seq\":2,\"action\":\"not_allowed\",\"reason\":\"no_exception\",\"exception\":3,"
           "\"alert\":false}\n"
           "{\"type\":\"expect\",\"seq\":3,\"action\":\"allowed\",\"exception\":null}\n"
           "{\"type\":\"end\",\"events\":8}\n";
    TRACE_READER r;
    const IG_TRACE_RECORD *rec;
    const IG_TRACE_EVENT *e;

    (void)state;
    TraceReaderOpen(&r, text);
    TraceReaderNext(&r, IgTraceHeader);
    rec = TraceReaderNext(&r, IgTraceEvent);
    e = &rec->Event;
    assert_int_equal(rec->Seq, 1);
    assert_int_equal(rec->Vcpu, 1);
    assert_int_equal(e->Kind, IgTraceEventEpt);
    assert_int_equal(e->Vcpu, 1);
    assert_false(e->ByGva);
    assert_int_equal(e->Gpa, 0x105010);
    assert_int_equal(e->Gla, 0xFFFFF80000100010ull);
    assert_int_equal(e->Access, IG_EPT_HOOK_WRITE);
    assert_ptr_equal(rec->Regs, IgTraceVcpuState(r.Trace, 1));
    assert_int_equal(rec->Regs->Arch.Rax, 0x55);
    assert_int_equal(rec->Regs->Arch.Rip, 0x401000);
    assert_int_equal(rec->Regs->Arch.Cr3, 0x100000);
    assert_int_equal(rec->Regs->Cs.Attributes, CS_64 | RING3);
    assert_int_equal(rec->Regs->Gs.Base, 0x9000);

    /* The change stays for the events after it, on that vCPU only. */
    rec = TraceReaderNext(&r, IgTraceEvent);
    e = &rec->Event;
    assert_true(e->ByGva);
    assert_int_equal(e->Gva, 0x7FF000);
    assert_int_equal(e->Gla, 0x7FF000);
    assert_int_equal(e->Access, IG_EPT_HOOK_EXECUTE);
    assert_int_equal(rec->Regs->Arch.Rax, 0x55);
    assert_int_equal(rec->Regs->Cs.Attributes, CS_64 | RING3);
    assert_int_equal(rec->Regs->Gs.Base, 0x9000);
    rec = TraceReaderNext(&r, IgTraceEvent);
    e = &rec->Event;
    assert_int_equal(rec->Vcpu, 0);
    assert_int_equal(e->Access, IG_EPT_HOOK_READ);
    assert_int_equal(e->Gla, 0);
    assert_int_equal(rec->Regs->Arch.Rax, 0);
    assert_int_equal(rec->Regs->Cs.Attributes, CS_64);

    rec = TraceReaderNext(&r, IgTraceEvent);
    e = &rec->Event;
    assert_int_equal(rec->Seq, 16);
    assert_int_equal(e->Kind, IgTraceEventMsr);
    assert_int_equal(e->Index, 0xC0000082u);
    assert_int_equal(e->OldValue, 0xFFFFF80000001000ull);
    assert_int_equal(e->NewValue, 0xFFFFF80000001100ull);
    rec = TraceReaderNext(&r, IgTraceEvent);
    e = &rec->Event;
    assert_int_equal(e->Kind, IgTraceEventCr);
    assert_int_equal(e->Index, 4);
    assert_int_equal(e->OldValue, 0x370678);
    assert_int_equal(e->NewValue, 0x270678);
    rec = TraceReaderNext(&r, IgTraceEvent);
    assert_int_equal(rec->Event.Kind, IgTraceEventDtr);
    assert_int_equal(rec->Event.DtrFlags, IG_DESC_ACCESS_IDTR | IG_DESC_ACCESS_WRITE);
    rec = TraceReaderNext(&r, IgTraceEvent);
    assert_int_equal(rec->Event.DtrFlags, IG_DESC_ACCESS_GDTR | IG_DESC_ACCESS_READ);
    rec = TraceReaderNext(&r, IgTraceEvent);
    assert_int_equal(rec->Event.DtrFlags, IG_DESC_ACCESS_GDTR | IG_DESC_ACCESS_WRITE);

    rec = TraceReaderNext(&r, IgTraceExpect);
    assert_int_equal(rec->Seq, 1);
    assert_int_equal(rec->Expect.Action, IG_TRACE_ACTION_NOT_DELIVERED);
    assert_false(rec->Expect.HasReason);
    assert_int_equal(rec->Expect.Exception, IG_TRACE_EXCEPTION_ANY);
    assert_true(rec->Expect.HasAlert);
    assert_true(rec->Expect.Alert);
    rec = TraceReaderNext(&r, IgTraceExpect);
    assert_int_equal(rec->Expect.Action, INTRO_EXC_ACTION_NOT_ALLOWED);
    assert_true(rec->Expect.HasReason);
    assert_int_equal(rec->Expect.Reason, INTRO_EXC_REASON_NO_EXCEPTION);
    assert_int_equal(rec->Expect.Exception, IG_TRACE_EXCEPTION_FILE);
    assert_int_equal(rec->Expect.ExceptionIndex, 3);
    assert_true(rec->Expect.HasAlert);
    assert_false(rec->Expect.Alert);
    rec = TraceReaderNext(&r, IgTraceExpect);
    assert_int_equal(rec->Expect.Action, INTRO_EXC_ACTION_ALLOWED);
    assert_int_equal(rec->Expect.Exception, IG_TRACE_EXCEPTION_NONE);
    assert_false(rec->Expect.HasAlert);
    rec = TraceReaderNext(&r, IgTraceEnd);
    assert_int_equal(rec->EndEvents, 8);
    TraceReaderEnd(&r);
}

/* ---- malformed lines -----------------------------------------------------------------------------------------------
 */

static const TRACE_BAD_CASE gBad[] = {
    /* the header */
    {HDR2("{\"vcpus\":0}"), 1, "guest.vcpus", "expected 1 to 256"},
    {HDR2("{\"vcpus\":257}"), 1, "guest.vcpus", "expected 1 to 256"},
    {HDR2("{\"paging\":\"6-level\"}"), 1, "guest.paging", "unknown paging \"6-level\""},
    {HDR2("{\"paging\":\"none\"}"), 1, "guest.paging", "unknown paging \"none\""},
    {"{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":{},\"intro_version\":\"1.2.3\"}\n",
     1, "intro_version", "expected \"major.minor.revision.build\""},
    /* vCPUs */
    {H2 "{\"type\":\"vcpu\",\"vcpu\":2}\n", 2, "vcpu", "vCPU 2: the guest has 2"},
    {H2 "{\"type\":\"vcpu\"}\n", 2, "vcpu", "missing"},
    {H2 "{\"type\":\"vcpu\",\"vcpu\":0,\"regs\":{\"rax\":\"0x1\",\"xmm0\":\"0x1\"}}\n", 2, "regs.xmm0",
     "unknown register"},
    {H2 "{\"type\":\"vcpu\",\"vcpu\":0,\"regs\":{\"rax\":1.5}}\n", 2, "regs.rax", "1.5 is not an integer"},
    {H2 "{\"type\":\"vcpu\",\"vcpu\":0,\"mode\":16}\n", 2, "mode", "expected 32 or 64"},
    {H2 "{\"type\":\"vcpu\",\"vcpu\":0,\"ring\":1}\n", 2, "ring", "expected 0 or 3"},
    {H2 EPT(",\"vcpu\":5,\"gpa\":\"0x1000\",\"access\":\"w\""), 2, "vcpu", "vCPU 5: the guest has 2"},
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\",\"ring\":2"), 2, "ring", "expected 0 or 3"},
    /* memory */
    {H2 "{\"type\":\"page\",\"gpa\":\"0x1001\",\"data\":\"AAAA\"}\n", 2, "gpa", "not page-aligned"},
    {H2 "{\"type\":\"page\",\"gpa\":\"0x1000\",\"data\":\"AAAAAAAAAAA=\"}\n", 2, "data", "a page is 4096 bytes, not 8"},
    {H2 "{\"type\":\"page\",\"gpa\":\"0x1000\"}\n", 2, "data", "missing"},
    {H2 "{\"type\":\"memory\",\"gva\":\"0x1000\",\"data\":\"\"}\n", 2, "data", "missing or empty"},
    {H2 "{\"type\":\"memory\",\"gva\":\"0x1000\"}\n", 2, "data", "missing or empty"},
    {H2 "{\"type\":\"memory\",\"gva\":\"0xffffffffffffffff\",\"data\":\"AAA=\"}\n", 2, "gva",
     "the range wraps around the address space"},
    /* modules and processes */
    {H2 "{\"type\":\"module\",\"name\":\"a.sys\",\"size\":\"0x1000\"}\n", 2, "base", "missing"},
    {H2 "{\"type\":\"module\",\"base\":\"0x1000\",\"size\":\"0x1000\"}\n", 2, "name", "missing"},
    {H2 MODULE(",\"sections\":[{\"name\":\".textdata\",\"rva\":0,\"size\":1}]"), 2, "sections[0].name",
     "section names have at most 8 characters"},
    {H2 MODULE(",\"sections\":[{\"name\":\".text\",\"rva\":0,\"size\":1,\"flags\":[\"rwx\"]}]"), 2,
     "sections[0].flags[0]", "unknown section flag"},
    {H2 MODULE(",\"sections\":[{\"name\":\".text\",\"rva\":0,\"size\":1},{\"name\":\"b\",\"rva\":0,\"size\":1,"
               "\"flags\":[\"code\",7]}]"),
     2, "sections[1].flags[1]", "unknown section flag"},
    {H2 MODULE(",\"sections\":[{\"name\":\".text\",\"size\":1}]"), 2, "sections[0].rva", "missing"},
    {H2 MODULE(",\"sections\":{}"), 2, "sections", "expected an array of at most 64"},
    {H2 MODULE(",\"imports\":{\"rva\":\"0x10\"}"), 2, "imports.size", "missing"},
    {H2 MODULE(",\"pid\":\"0xffffffff\""), 2, "pid", "0xffffffff names the kernel: leave pid out"},
    {H2 MODULE(",\"kernel\":1"), 2, "kernel", "expected true or false"},
    {H2 "{\"type\":\"module_remove\",\"pid\":4294967295,\"base\":\"0x1000\"}\n", 2, "pid",
     "0xffffffff names the kernel"},
    {H2 "{\"type\":\"module_remove\"}\n", 2, "base", "missing"},
    {H2 "{\"type\":\"process\",\"pid\":4,\"name\":\"a.exe\"}\n", 2, "cr3", "missing"},
    {H2 "{\"type\":\"process\",\"name\":\"a.exe\",\"cr3\":\"0x1000\"}\n", 2, "pid", "missing"},
    {H2 "{\"type\":\"process\",\"pid\":4,\"name\":\"a.exe\",\"cr3\":\"0x1000\",\"wow64\":\"yes\"}\n", 2, "wow64",
     "expected true or false"},
    {H2 "{\"type\":\"process_remove\"}\n", 2, "pid", "missing"},
    /* zones */
    {H2 ZONE(""), 2, "kind", "missing"},
    {H2 "{\"type\":\"zone\",\"id\":\"\",\"kind\":\"msr\",\"msr\":1}\n", 2, "id", "a zone id has 1 to 63 characters"},
    {H2 "{\"type\":\"zone\",\"id\":\"0123456789012345678901234567890123456789012345678901234567890123\",\"kind\":"
        "\"msr\",\"msr\":1}\n",
     2, "id", "a zone id has 1 to 63 characters"},
    {H2 "{\"type\":\"zone\",\"kind\":\"msr\",\"msr\":1}\n", 2, "id", "missing"},
    {H2 ZONE(",\"kind\":\"port\""), 2, "kind", "unknown zone kind \"port\" (memory, msr, cr, dtr)"},
    {H2 MEMZONE(",\"object\":\"km-module\""), 2, "access", "missing: which accesses to intercept"},
    {H2 MEMZONE(",\"object\":\"km-module\",\"access\":[]"), 2, "access", "missing: which accesses to intercept"},
    {H2 MEMZONE(",\"object\":\"km-module\",\"access\":[\"write\",\"exec\"]"), 2, "access[1]", "unknown access"},
    {H2 MEMZONE(",\"object\":\"km-module\",\"access\":\"write\""), 2, "access", "expected an array of names"},
    {H2 MEMZONE(",\"object\":\"km-modul\",\"access\":[\"write\"]"), 2, "object",
     "unknown object type \"km-modul\" (raw, "},
    {H2 MEMZONE(",\"access\":[\"write\"]"), 2, "object", "missing"},
    {H2 ZONE(",\"kind\":\"memory\",\"object\":\"km-module\",\"access\":[\"write\"],\"gva\":\"0x1000\""), 2, "size",
     "missing"},
    {H2 ZONE(",\"kind\":\"msr\""), 2, "msr", "missing"},
    {H2 ZONE(",\"kind\":\"cr\",\"cr\":\"0x100000000\""), 2, "cr", "value 0x100000000 does not fit in 32 bits"},
    {H2 ZONE(",\"kind\":\"dtr\",\"dtr\":\"ldtr\""), 2, "dtr", "unknown descriptor table \"ldtr\" (idtr, gdtr)"},
    {H2 ZONE(",\"kind\":\"msr\",\"msr\":1,\"feedback_only\":1"), 2, "feedback_only", "expected true or false"},
    {H2 "{\"type\":\"unprotect\"}\n", 2, "id", "missing"},
    {H2 "{\"type\":\"unprotect\",\"id\":\"\"}\n", 2, "id", "a zone id has 1 to 63 characters"},
    /* rules */
    {H2 "{\"type\":\"rules\",\"file\":\"a.bin\",\"data\":\"AAAA\"}\n", 2, "data",
     "give the rules as a file or as data, not both"},
    {H2 "{\"type\":\"rules\"}\n", 2, "file", "missing: a rules record names a file or carries its data"},
    {H2 "{\"type\":\"rules\",\"data\":\"AA!A\"}\n", 2, "data", "invalid base64 at character 2"},
    {H2 "{\"type\":\"rules\",\"file\":3}\n", 2, "file", "expected a string"},
    /* events */
    {H2 EPT(",\"gpa\":\"0x1000\",\"gva\":\"0x1000\",\"access\":\"w\""), 2, "gva", "give gpa or gva, not both"},
    {H2 EPT(",\"access\":\"w\""), 2, "gpa", "missing: an ept event names its gpa or its gva"},
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"rw\""), 2, "access", "expected \"r\", \"w\" or \"x\""},
    {H2 EPT(",\"gpa\":\"0x1000\""), 2, "access", "missing"},
    {H2 "{\"type\":\"ept\",\"gpa\":\"0x1000\",\"access\":\"w\"}\n", 2, "seq", "missing"},
    {H2 "{\"type\":\"msr\",\"seq\":1,\"msr\":\"0xc0000082\",\"old\":\"0x1\"}\n", 2, "new", "missing"},
    {H2 "{\"type\":\"cr\",\"seq\":1,\"old\":\"0x1\",\"new\":\"0x2\"}\n", 2, "cr", "missing"},
    {H2 "{\"type\":\"dtr\",\"seq\":1,\"dtr\":\"ldtr\"}\n", 2, "dtr", "unknown descriptor table \"ldtr\""},
    {H2 "{\"type\":\"dtr\",\"seq\":1,\"dtr\":\"idtr\",\"access\":\"load\"}\n", 2, "access",
     "expected \"read\" or \"write\""},
    /* seq increases over every event record, version-1 violations included */
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\"") "{\"type\":\"violation\",\"seq\":1}\n", 3, "seq",
     "1 does not follow 1 (seq must increase)"},
    {H2
     "{\"type\":\"violation\",\"seq\":5,\"kind\":\"kernel\",\"originator\":{},\"victim\":{\"zone\":\"msr\",\"msr\":1}}"
     "\n{\"type\":\"msr\",\"seq\":3,\"msr\":1,\"old\":\"0x0\",\"new\":\"0x1\"}\n",
     3, "seq", "3 does not follow 5"},
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\"") "{\"type\":\"dtr\",\"seq\":0,\"dtr\":\"idtr\"}\n", 3, "seq",
     "0 does not follow 1"},
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\"") "{\"type\":\"end\",\"events\":0}\n", 3, "events",
     "the trace holds 1 events, the end record says 0"},
    /* version-2 records in a version-1 trace */
    {H1 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\""), 2, "type", "\"ept\" records need a version 2 trace"},
    {H1 "{\"type\":\"msr\",\"seq\":1}\n", 2, "type", "\"msr\" records need a version 2 trace"},
    {H1 "{\"type\":\"vcpu\",\"vcpu\":0}\n", 2, "type", "\"vcpu\" records need a version 2 trace"},
    {H1 "{\"type\":\"zone\"}\n", 2, "type", "\"zone\" records need a version 2 trace"},
    {H1 "{\"type\":\"memory\"}\n", 2, "type", "\"memory\" records need a version 2 trace"},
    {H1 "{\"type\":\"process\"}\n", 2, "type", "\"process\" records need a version 2 trace"},
    {H1 "{\"type\":\"process_remove\"}\n", 2, "type", "\"process_remove\" records need a version 2 trace"},
    {H1 "{\"type\":\"module_remove\"}\n", 2, "type", "\"module_remove\" records need a version 2 trace"},
    {H1 "{\"type\":\"unprotect\"}\n", 2, "type", "\"unprotect\" records need a version 2 trace"},
    {H1 "{\"type\":\"rules\"}\n", 2, "type", "\"rules\" records need a version 2 trace"},
    {H2 "{\"type\":\"vcpus\"}\n", 2, "type", "unknown record type \"vcpus\""},
    {H1 "{\"type\":\"violation\",\"seq\":1,\"kind\":\"kernel\",\"originator\":{},\"victim\":{\"zone\":\"msr\",\"msr\":"
        "1}}\n{\"type\":\"expect\",\"seq\":1,\"action\":\"not_delivered\"}\n",
     3, "action", "unknown action \"not_delivered\" (allowed, not_allowed)"},
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\"") "{\"type\":\"expect\",\"seq\":1,\"action\":\"skipped\"}\n", 3,
     "action", "unknown action \"skipped\" (allowed, not_allowed, not_delivered)"},
    {H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\"") "{\"type\":\"expect\",\"seq\":1,\"action\":\"allowed\","
                                                    "\"alert\":\"no\"}\n",
     3, "alert", "expected true or false"},
    /* duplicate keys, at the top or nested */
    {H2 "{\"type\":\"zone\",\"id\":\"a\",\"id\":\"b\"}\n", 2, "", "duplicate key $.id"},
    {H2 "{\"type\":\"vcpu\",\"vcpu\":0,\"regs\":{\"rax\":\"0x1\",\"rax\":\"0x2\"}}\n", 2, "",
     "duplicate key $.regs.rax"},
    {H2 MODULE(",\"sections\":[{\"name\":\"a\",\"rva\":0,\"size\":1,\"rva\":2}]"), 2, "",
     "duplicate key $.sections[0].rva"},
};

static void test_malformed_lines(void **state)
{
    (void)state;
    TraceExpectBadCases(gBad, sizeof(gBad) / sizeof(gBad[0]));
}

/* A version-2 trace that stops without its end record is truncated, not complete; version 1 needs none. */
static void test_truncated(void **state)
{
    static const char *const truncated[] = {
        H2,
        H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\""),
        H2 EPT(",\"gpa\":\"0x1000\",\"access\":\"w\"") "{\"type\":\"note\",\"text\":\"cut\"}",
    };
    static const uint64_t lines[] = {1, 2, 3};
    TRACE_READER r;
    char expected[96];

    (void)state;
    for (size_t i = 0; i < sizeof(truncated) / sizeof(truncated[0]); i++)
    {
        IG_TRACE_ERROR error;

        assert_int_equal(TraceReadAll(truncated[i], strlen(truncated[i]), &error), INT_STATUS_INVALID_DATA_STATE);
        snprintf(expected, sizeof(expected), "the trace ends without its end record: truncated after line %llu",
                 (unsigned long long)lines[i]);
        assert_string_equal(error.Message, expected);
        assert_int_equal(error.Line, lines[i]);
        assert_string_equal(error.Field, "");
    }
    TraceReaderOpen(&r, H1);
    TraceReaderNext(&r, IgTraceHeader);
    TraceReaderEnd(&r);
    TraceReaderOpen(&r, H2 "{\"type\":\"end\",\"events\":0}\n");
    TraceReaderNext(&r, IgTraceHeader);
    TraceReaderNext(&r, IgTraceEnd);
    TraceReaderEnd(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_vcpu_defaults),
        cmocka_unit_test(test_vcpu_records),
        cmocka_unit_test(test_memory_and_model),
        cmocka_unit_test(test_zones_and_rules),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_truncated),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
