/*
 * Record mode: what the Xen backend saw, written as a replay trace (docs/trace-format.md, version
 * 2), so an incident on a Xen host becomes a replay anywhere.
 *
 * What a replay needs to take the decisions the live run took, in the order it needs them: the
 * header and every vCPU; each page the library read, at the moment it read it, written again only
 * when its bytes changed (a 64-bit hash per frame); the declarations the integrator reports; and
 * each event after the library handled it, with the vCPU's registers, so the pages it read come
 * first.  Raw vm_event requests are not written: their layout is ABI-specific.
 *
 * What a trace cannot say is approximated and documented (docs/xen.md): 16-bit protected-mode code
 * is written as 32-bit, rings 1 and 2 as ring 3.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "introguard/intro_exc_keywords.h"
#include "introguard/introguard.h"
#include "xen_int.h"

#define IG_RECORD_MAX_INLINE_RULES (512u * 1024u) /* bytes of rules a trace line can carry */
#define IG_RECORD_REGS_JSON 1024u

struct IG_XEN_RECORD
{
    FILE *Out;
    pthread_mutex_t Lock;
    bool Failed;
    uint64_t Events;
    uint32_t VcpuCount;
    char (*LastRegs)[IG_RECORD_REGS_JSON]; /* per vCPU: the registers the trace gives it */

    /* The hash of each recorded frame's bytes (open addressing; key gfn + 1). */
    QWORD *Keys;
    uint64_t *Hashes;
    uint32_t Mask;
    uint32_t Count;
};

/* ---- Writing ----------------------------------------------------------------------------------- */

static void IgRecordPrintf(IG_XEN_RECORD *R, const char *Format, ...) __attribute__((format(printf, 2, 3)));

static void IgRecordPrintf(IG_XEN_RECORD *R, const char *Format, ...)
{
    va_list ap;

    va_start(ap, Format);
    if (vfprintf(R->Out, Format, ap) < 0)
    {
        R->Failed = true;
    }
    va_end(ap);
}

static void IgRecordBase64(IG_XEN_RECORD *R, const uint8_t *Data, size_t Size)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];

    for (size_t i = 0; i < Size; i += 3)
    {
        uint32_t v = (uint32_t)Data[i] << 16 | (i + 1 < Size ? (uint32_t)Data[i + 1] << 8 : 0) |
                     (i + 2 < Size ? Data[i + 2] : 0);

        out[0] = digits[(v >> 18) & 63];
        out[1] = digits[(v >> 12) & 63];
        out[2] = i + 1 < Size ? digits[(v >> 6) & 63] : '=';
        out[3] = i + 2 < Size ? digits[v & 63] : '=';
        if (fwrite(out, 1, 4, R->Out) != 4)
        {
            R->Failed = true;
        }
    }
}

/* A JSON string of Length bytes (guest text: control bytes escaped, the rest as given). */
static void IgRecordString(IG_XEN_RECORD *R, const char *Text, size_t Length)
{
    IgRecordPrintf(R, "\"");
    for (size_t i = 0; i < Length; i++)
    {
        unsigned char c = (unsigned char)Text[i];

        if (c == '"' || c == '\\')
        {
            IgRecordPrintf(R, "\\%c", c);
        }
        else if (c < 0x20 || c == 0x7F)
        {
            IgRecordPrintf(R, "\\u%04x", c);
        }
        else if (fputc(c, R->Out) == EOF)
        {
            R->Failed = true;
        }
    }
    IgRecordPrintf(R, "\"");
}

/*
 * The registers of a vcpu or event record: mode, ring, regs and the MSRs a trace carries.  What
 * changes nothing in a replay (segment limits, selectors) is left out.
 */
static void IgRecordRegsJson(const INTRO_BACKEND_REGS *Regs, char *Out, size_t Size)
{
    const IG_ARCH_REGS *a = &Regs->Arch;
    bool mode64 = (Regs->Efer & 0x400u) && (Regs->Cs.Attributes & 0x200u);
    unsigned ring = (Regs->Ss.Attributes >> 5) & 3u;

    snprintf(
        Out, Size,
        "\"mode\":%d,\"ring\":%u,\"regs\":{\"rax\":\"0x%llx\",\"rcx\":\"0x%llx\",\"rdx\":\"0x%llx\","
        "\"rbx\":\"0x%llx\",\"rsp\":\"0x%llx\",\"rbp\":\"0x%llx\",\"rsi\":\"0x%llx\",\"rdi\":\"0x%llx\","
        "\"r8\":\"0x%llx\",\"r9\":\"0x%llx\",\"r10\":\"0x%llx\",\"r11\":\"0x%llx\",\"r12\":\"0x%llx\","
        "\"r13\":\"0x%llx\",\"r14\":\"0x%llx\",\"r15\":\"0x%llx\",\"rip\":\"0x%llx\",\"rflags\":\"0x%llx\","
        "\"cr0\":\"0x%llx\",\"cr2\":\"0x%llx\",\"cr3\":\"0x%llx\",\"cr4\":\"0x%llx\",\"dr7\":\"0x%llx\","
        "\"idt_base\":\"0x%llx\",\"gdt_base\":\"0x%llx\"},\"efer\":\"0x%llx\",\"fs_base\":\"0x%llx\","
        "\"gs_base\":\"0x%llx\",\"kernel_gs_base\":\"0x%llx\"",
        mode64 ? 64 : 32, ring ? 3u : 0u, (unsigned long long)a->Rax, (unsigned long long)a->Rcx,
        (unsigned long long)a->Rdx, (unsigned long long)a->Rbx, (unsigned long long)a->Rsp, (unsigned long long)a->Rbp,
        (unsigned long long)a->Rsi, (unsigned long long)a->Rdi, (unsigned long long)a->R8, (unsigned long long)a->R9,
        (unsigned long long)a->R10, (unsigned long long)a->R11, (unsigned long long)a->R12, (unsigned long long)a->R13,
        (unsigned long long)a->R14, (unsigned long long)a->R15, (unsigned long long)a->Rip,
        (unsigned long long)a->Flags, (unsigned long long)a->Cr0, (unsigned long long)a->Cr2,
        (unsigned long long)a->Cr3, (unsigned long long)a->Cr4, (unsigned long long)a->Dr7,
        (unsigned long long)a->IdtBase, (unsigned long long)a->GdtBase, (unsigned long long)Regs->Efer,
        (unsigned long long)Regs->Fs.Base, (unsigned long long)Regs->Gs.Base, (unsigned long long)Regs->KernelGsBase);
}

/* ---- Pages ------------------------------------------------------------------------------------- */

static uint64_t IgRecordHash(const uint8_t *Data, size_t Size)
{
    uint64_t h = 0xCBF29CE484222325ull; /* FNV-1a */

    for (size_t i = 0; i < Size; i++)
    {
        h = (h ^ Data[i]) * 0x100000001B3ull;
    }
    return h;
}

/* The slot of Gfn in the page-hash table (grown as needed); NULL when out of memory. */
static uint32_t *IgRecordSlot(IG_XEN_RECORD *R, QWORD Gfn, uint32_t *Slot)
{
    uint32_t i;

    if (!R->Keys || 2 * (R->Count + 1) > R->Mask + 1)
    {
        uint32_t capacity = R->Keys ? 2 * (R->Mask + 1) : 1024;
        QWORD *keys = calloc(capacity, sizeof(*keys));
        uint64_t *hashes = calloc(capacity, sizeof(*hashes));

        if (!keys || !hashes)
        {
            free(keys);
            free(hashes);
            return NULL;
        }
        for (uint32_t j = 0; R->Keys && j <= R->Mask; j++)
        {
            if (R->Keys[j])
            {
                uint32_t k = (uint32_t)(((R->Keys[j] - 1) * 0x9E3779B97F4A7C15ull) >> 32) & (capacity - 1);

                while (keys[k])
                {
                    k = (k + 1) & (capacity - 1);
                }
                keys[k] = R->Keys[j];
                hashes[k] = R->Hashes[j];
            }
        }
        free(R->Keys);
        free(R->Hashes);
        R->Keys = keys;
        R->Hashes = hashes;
        R->Mask = capacity - 1;
    }
    for (i = (uint32_t)((Gfn * 0x9E3779B97F4A7C15ull) >> 32) & R->Mask; R->Keys[i] && R->Keys[i] != Gfn + 1;
         i = (i + 1) & R->Mask)
    {
    }
    *Slot = i;
    return Slot;
}

void IgXenRecordPage(INTRO_XEN *Xen, QWORD Gfn, const void *Page)
{
    IG_XEN_RECORD *r = Xen->Record;
    uint64_t hash;
    uint32_t slot = 0;

    if (!r)
    {
        return;
    }
    hash = IgRecordHash(Page, IG_XEN_PAGE);
    pthread_mutex_lock(&r->Lock);
    if (!IgRecordSlot(r, Gfn, &slot))
    {
        r->Failed = true;
    }
    else if (!r->Keys[slot] || r->Hashes[slot] != hash)
    {
        r->Count += r->Keys[slot] == 0;
        r->Keys[slot] = Gfn + 1;
        r->Hashes[slot] = hash;
        IgRecordPrintf(r, "{\"type\":\"page\",\"gpa\":\"0x%llx\",\"data\":\"", (unsigned long long)(Gfn << 12));
        IgRecordBase64(r, Page, IG_XEN_PAGE);
        IgRecordPrintf(r, "\"}\n");
    }
    pthread_mutex_unlock(&r->Lock);
}

/* ---- vCPUs and events -------------------------------------------------------------------------- */

/* A vcpu record when the trace's idea of the vCPU differs from Regs (under the record's lock). */
static void IgRecordVcpuLocked(IG_XEN_RECORD *R, DWORD Vcpu, const INTRO_BACKEND_REGS *Regs)
{
    char json[IG_RECORD_REGS_JSON];

    if (Vcpu >= R->VcpuCount)
    {
        return;
    }
    IgRecordRegsJson(Regs, json, sizeof(json));
    if (strcmp(json, R->LastRegs[Vcpu]) != 0)
    {
        IgRecordPrintf(R, "{\"type\":\"vcpu\",\"vcpu\":%u,%s}\n", Vcpu, json);
        memcpy(R->LastRegs[Vcpu], json, sizeof(json));
    }
}

void IgXenRecordVcpu(INTRO_XEN *Xen, DWORD Vcpu, const INTRO_BACKEND_REGS *Regs)
{
    IG_XEN_RECORD *r = Xen->Record;

    if (r)
    {
        pthread_mutex_lock(&r->Lock);
        IgRecordVcpuLocked(r, Vcpu, Regs);
        pthread_mutex_unlock(&r->Lock);
    }
}

void IgXenRecordEvent(INTRO_XEN *Xen, const char *Kind, DWORD Vcpu, const INTRO_BACKEND_REGS *Regs, const char *Fields)
{
    IG_XEN_RECORD *r = Xen->Record;
    char json[IG_RECORD_REGS_JSON];

    if (!r || Vcpu >= r->VcpuCount)
    {
        return;
    }
    IgRecordRegsJson(Regs, json, sizeof(json));
    pthread_mutex_lock(&r->Lock);
    r->Events++;
    /* An event's registers stay the vCPU's for what follows, as the trace reader keeps them. */
    IgRecordPrintf(r, "{\"type\":\"%s\",\"seq\":%llu,\"vcpu\":%u,%s,%s}\n", Kind, (unsigned long long)r->Events, Vcpu,
                   json, Fields);
    memcpy(r->LastRegs[Vcpu], json, sizeof(json));
    pthread_mutex_unlock(&r->Lock);
}

/* ---- Start and stop ---------------------------------------------------------------------------- */

static const char *IgRecordPaging(const INTRO_BACKEND_REGS *Regs)
{
    if (!(Regs->Arch.Cr0 & 0x80000000ull))
    {
        return NULL; /* not paged yet: the vCPU records say so */
    }
    if (!(Regs->Arch.Cr4 & 0x20u))
    {
        return "32-bit";
    }
    if (!(Regs->Efer & 0x400u))
    {
        return "pae";
    }
    return (Regs->Arch.Cr4 & 0x1000u) ? "5-level" : "4-level";
}

static void IgRecordHeader(IG_XEN_RECORD *R, INTRO_XEN *Xen, const GUEST_INFO *Info, QWORD SystemCr3,
                           const INTRO_BACKEND_REGS *Vcpu0)
{
    const char *paging = IgRecordPaging(Vcpu0);

    IgRecordPrintf(R, "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":{\"os\":\"%s\",",
                   Info->Type == introGuestLinux ? "linux" : "windows");
    if (Info->Type == introGuestLinux)
    {
        IgRecordPrintf(R, "\"os_version\":\"%u.%u.%u\",", (Info->OsVersion >> 16) & 0xFF, (Info->OsVersion >> 8) & 0xFF,
                       Info->OsVersion & 0xFF);
    }
    else
    {
        IgRecordPrintf(R, "\"os_version\":%u,", Info->OsVersion);
    }
    IgRecordPrintf(R, "\"bits\":%d,\"vcpus\":%u,\"system_cr3\":\"0x%llx\"", Info->Guest64 ? 64 : 32, Xen->VcpuCount,
                   (unsigned long long)SystemCr3);
    if (paging)
    {
        IgRecordPrintf(R, ",\"paging\":\"%s\"", paging);
    }
    IgRecordPrintf(R, "},\"producer\":\"introguard xen backend, domain %u\"}\n", Xen->DomId);
}

static void IgRecordFreeState(IG_XEN_RECORD *R)
{
    if (R)
    {
        pthread_mutex_destroy(&R->Lock);
        free(R->LastRegs);
        free(R->Keys);
        free(R->Hashes);
        free(R);
    }
}

/*
 * A replay's guest ends at the highest frame it has a page of, and the library's page walk refuses
 * frames past it: the domain's last frame is recorded so a walk to any frame of the domain works
 * the same in the replay.  A hole there is recorded as zeros.
 */
static void IgRecordLastFrame(INTRO_XEN *Xen)
{
    static const uint8_t zeros[IG_XEN_PAGE];
    void *page = NULL;

    if (INT_SUCCESS(IntXenBackend()->MapPage(Xen, Xen->MaxGfn, FALSE, &page)))
    {
        IntXenBackend()->UnmapPage(Xen, page); /* MapPage recorded it */
        return;
    }
    IgXenRecordPage(Xen, Xen->MaxGfn, zeros);
}

INTSTATUS IntXenRecordStart(INTRO_XEN *Xen, FILE *Out, const GUEST_INFO *GuestInfo, QWORD SystemCr3)
{
    IG_XEN_RECORD *r;
    INTRO_BACKEND_REGS regs[2];

    if (!Xen || !Xen->Attached || Xen->Record)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Out)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!GuestInfo || (GuestInfo->Type != introGuestWindows && GuestInfo->Type != introGuestLinux))
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    r = calloc(1, sizeof(*r));
    if (!r || pthread_mutex_init(&r->Lock, NULL) != 0)
    {
        free(r);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    r->Out = Out;
    r->VcpuCount = Xen->VcpuCount;
    r->LastRegs = calloc(Xen->VcpuCount, sizeof(*r->LastRegs));
    if (!r->LastRegs)
    {
        IgRecordFreeState(r);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    for (uint32_t i = 0; i < Xen->VcpuCount; i++)
    {
        struct hvm_hw_cpu cpu;

        memset(&cpu, 0, sizeof(cpu));
        if (Xen->Ops->HvmGetContextPartial(Xen->Xch, Xen->DomId, HVM_SAVE_CODE(CPU), (uint16_t)i, &cpu, sizeof(cpu)) <
            0)
        {
            IgRecordFreeState(r);
            return IgXenFail(Xen, INT_STATUS_NOT_FOUND, "cannot read vCPU %u's registers to record: %s", i,
                             strerror(errno));
        }
        IgXenRegsFromContext(&cpu, &regs[i == 0 ? 0 : 1]);
        if (i == 0)
        {
            IgRecordHeader(r, Xen, GuestInfo, SystemCr3, &regs[0]);
        }
        IgRecordVcpuLocked(r, i, &regs[i == 0 ? 0 : 1]);
    }
    Xen->Record = r;
    IgRecordLastFrame(Xen);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntXenRecordStop(INTRO_XEN *Xen)
{
    IG_XEN_RECORD *r = Xen ? Xen->Record : NULL;
    INTSTATUS status;

    if (!r)
    {
        return INT_STATUS_SUCCESS;
    }
    /* Called once no event is in flight (after IntXenWait, or from detach). */
    pthread_mutex_lock(&r->Lock);
    IgRecordPrintf(r, "{\"type\":\"end\",\"events\":%llu}\n", (unsigned long long)r->Events);
    if (fflush(r->Out) != 0)
    {
        r->Failed = true;
    }
    status = r->Failed ? INT_STATUS_INVALID_DATA_STATE : INT_STATUS_SUCCESS;
    Xen->Record = NULL;
    pthread_mutex_unlock(&r->Lock);
    IgRecordFreeState(r);
    return status;
}

/* ---- Declarations ------------------------------------------------------------------------------ */

/* Takes the record's lock when recording; false (nothing to do) otherwise. */
static bool IgRecordEnter(INTRO_XEN *Xen)
{
    if (!Xen || !Xen->Record)
    {
        return false;
    }
    pthread_mutex_lock(&Xen->Record->Lock);
    return true;
}

static INTSTATUS IgRecordLeave(INTRO_XEN *Xen)
{
    bool failed = Xen->Record->Failed;

    pthread_mutex_unlock(&Xen->Record->Lock);
    return failed ? INT_STATUS_INVALID_DATA_STATE : INT_STATUS_SUCCESS;
}

INTSTATUS IntXenRecordRules(INTRO_XEN *Xen, const void *Data, size_t Size, const char *Path)
{
    IG_XEN_RECORD *r;

    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    r = Xen->Record;
    if (Data && Size && Size <= IG_RECORD_MAX_INLINE_RULES)
    {
        IgRecordPrintf(r, "{\"type\":\"rules\",\"data\":\"");
        IgRecordBase64(r, Data, Size);
        IgRecordPrintf(r, "\"}\n");
    }
    else if (Path)
    {
        IgRecordPrintf(r, "{\"type\":\"rules\",\"file\":");
        IgRecordString(r, Path, strlen(Path));
        IgRecordPrintf(r, "}\n");
    }
    else
    {
        r->Failed = true;
    }
    return IgRecordLeave(Xen);
}

static void IgRecordSections(IG_XEN_RECORD *R, const INTRO_GUEST_MODULE *M)
{
    static const char *const flags[] = {"code", "execute", "write", "init"};

    IgRecordPrintf(R, ",\"sections\":[");
    for (DWORD i = 0; i < M->SectionCount; i++)
    {
        const INTRO_GUEST_SECTION *s = &M->Sections[i];
        bool first = true;

        IgRecordPrintf(R, "%s{\"name\":", i ? "," : "");
        IgRecordString(R, s->Name, strnlen(s->Name, sizeof(s->Name)));
        IgRecordPrintf(R, ",\"rva\":\"0x%x\",\"size\":\"0x%x\",\"flags\":[", s->Rva, s->Size);
        for (unsigned f = 0; f < 4; f++)
        {
            if (s->Flags & (1u << f))
            {
                IgRecordPrintf(R, "%s\"%s\"", first ? "" : ",", flags[f]);
                first = false;
            }
        }
        IgRecordPrintf(R, "]}");
    }
    IgRecordPrintf(R, "]");
}

INTSTATUS IntXenRecordModule(INTRO_XEN *Xen, DWORD Pid, const INTRO_GUEST_MODULE *Module)
{
    IG_XEN_RECORD *r;

    if (!Module || Module->StructSize < sizeof(*Module) || (Module->SectionCount && !Module->Sections))
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    r = Xen->Record;
    IgRecordPrintf(r, "{\"type\":\"module\",\"name\":");
    IgRecordString(r, Module->Name ? Module->Name : "", Module->Name ? Module->NameLength : 0);
    IgRecordPrintf(r, ",\"base\":\"0x%llx\",\"size\":\"0x%llx\",\"entry\":\"0x%llx\",\"driver_object_gpa\":\"0x%llx\"",
                   (unsigned long long)Module->Base, (unsigned long long)Module->ImageSize,
                   (unsigned long long)Module->EntryPoint, (unsigned long long)Module->DriverObjectGpa);
    if (Pid != INTRO_GUEST_KERNEL)
    {
        IgRecordPrintf(r, ",\"pid\":%u", Pid);
    }
    if (Module->Flags & INTRO_MODULE_KERNEL_IMAGE)
    {
        IgRecordPrintf(r, ",\"kernel\":true");
    }
    if (Module->Flags & INTRO_MODULE_HAL)
    {
        IgRecordPrintf(r, ",\"hal\":true");
    }
    if (Module->SectionCount)
    {
        IgRecordSections(r, Module);
    }
    IgRecordPrintf(r,
                   ",\"imports\":{\"rva\":\"0x%x\",\"size\":\"0x%x\"},\"exports\":{\"rva\":\"0x%x\",\"size\":\"0x%x\"},"
                   "\"resources\":{\"rva\":\"0x%x\",\"size\":\"0x%x\"}}\n",
                   Module->ImportsRva, Module->ImportsSize, Module->ExportsRva, Module->ExportsSize,
                   Module->ResourcesRva, Module->ResourcesSize);
    return IgRecordLeave(Xen);
}

INTSTATUS IntXenRecordModuleRemove(INTRO_XEN *Xen, DWORD Pid, QWORD Base)
{
    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    IgRecordPrintf(Xen->Record, "{\"type\":\"module_remove\",\"base\":\"0x%llx\"", (unsigned long long)Base);
    if (Pid != INTRO_GUEST_KERNEL)
    {
        IgRecordPrintf(Xen->Record, ",\"pid\":%u", Pid);
    }
    IgRecordPrintf(Xen->Record, "}\n");
    return IgRecordLeave(Xen);
}

INTSTATUS IntXenRecordProcess(INTRO_XEN *Xen, const INTRO_GUEST_PROCESS *Process)
{
    IG_XEN_RECORD *r;
    const INTRO_GUEST_PROCESS *p = Process;

    if (!p || p->StructSize < sizeof(*p))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    r = Xen->Record;
    IgRecordPrintf(r, "{\"type\":\"process\",\"pid\":%u,\"parent\":%u,\"name\":", p->Pid, p->ParentPid);
    IgRecordString(r, p->Name ? p->Name : "", p->Name ? p->NameLength : 0);
    if (p->Path)
    {
        IgRecordPrintf(r, ",\"path\":");
        IgRecordString(r, p->Path, p->PathLength);
    }
    if (p->CommandLine)
    {
        IgRecordPrintf(r, ",\"command_line\":");
        IgRecordString(r, p->CommandLine, p->CommandLineLength);
    }
    IgRecordPrintf(r,
                   ",\"cr3\":\"0x%llx\",\"address\":\"0x%llx\",\"parent_address\":\"0x%llx\",\"peb32\":\"0x%llx\","
                   "\"peb64\":\"0x%llx\",\"wow64\":%s,\"system\":%s,\"parent_wow64\":%s}\n",
                   (unsigned long long)p->Cr3, (unsigned long long)p->Address, (unsigned long long)p->ParentAddress,
                   (unsigned long long)p->Peb32, (unsigned long long)p->Peb64,
                   (p->Flags & INTRO_PROCESS_WOW64) ? "true" : "false",
                   (p->Flags & INTRO_PROCESS_SYSTEM) ? "true" : "false",
                   (p->Flags & INTRO_PROCESS_PARENT_WOW64) ? "true" : "false");
    return IgRecordLeave(Xen);
}

INTSTATUS IntXenRecordProcessRemove(INTRO_XEN *Xen, DWORD Pid)
{
    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    IgRecordPrintf(Xen->Record, "{\"type\":\"process_remove\",\"pid\":%u}\n", Pid);
    return IgRecordLeave(Xen);
}

static void IgRecordMemoryZone(IG_XEN_RECORD *R, const INTRO_GUEST_ZONE *Z)
{
    const char *object = IntExcKeywordName(IntExcObjectTypeNames(), Z->ObjectType);
    static const char *const access[] = {"read", "write", "execute"};
    bool first = true;

    IgRecordPrintf(R, ",\"kind\":\"memory\",\"object\":");
    if (object)
    {
        IgRecordPrintf(R, "\"%s\"", object);
    }
    else
    {
        IgRecordPrintf(R, "%u", Z->ObjectType);
    }
    IgRecordPrintf(R, ",\"access\":[");
    for (unsigned i = 0; i < 3; i++)
    {
        if (Z->Access & (1u << i))
        {
            IgRecordPrintf(R, "%s\"%s\"", first ? "" : ",", access[i]);
            first = false;
        }
    }
    IgRecordPrintf(R, "],\"gva\":\"0x%llx\",\"size\":\"0x%llx\",\"owner\":\"0x%llx\"", (unsigned long long)Z->Gva,
                   (unsigned long long)Z->Length, (unsigned long long)Z->Owner);
    if (Z->Pid != INTRO_GUEST_KERNEL)
    {
        IgRecordPrintf(R, ",\"pid\":%u", Z->Pid);
    }
    if (Z->Name && Z->NameLength)
    {
        IgRecordPrintf(R, ",\"name\":");
        IgRecordString(R, Z->Name, Z->NameLength);
    }
}

INTSTATUS IntXenRecordZone(INTRO_XEN *Xen, QWORD ZoneId, const INTRO_GUEST_ZONE *Zone)
{
    IG_XEN_RECORD *r;

    if (!Zone || Zone->StructSize < sizeof(*Zone))
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    r = Xen->Record;
    IgRecordPrintf(r, "{\"type\":\"zone\",\"id\":\"z%llu\"", (unsigned long long)ZoneId);
    switch (Zone->Kind)
    {
        case introZoneMemory:
            IgRecordMemoryZone(r, Zone);
            break;
        case introZoneMsr:
            IgRecordPrintf(r, ",\"kind\":\"msr\",\"msr\":\"0x%x\"", Zone->Index);
            break;
        case introZoneCr:
            IgRecordPrintf(r, ",\"kind\":\"cr\",\"cr\":%u", Zone->Index);
            break;
        default:
            IgRecordPrintf(r, ",\"kind\":\"dtr\",\"dtr\":\"%s\"", Zone->Index == INTRO_EXC_OBJ_GDTR ? "gdtr" : "idtr");
            break;
    }
    if (Zone->Flags & INTRO_ZONE_FEEDBACK_ONLY)
    {
        IgRecordPrintf(r, ",\"feedback_only\":true");
    }
    IgRecordPrintf(r, "}\n");
    return IgRecordLeave(Xen);
}

INTSTATUS IntXenRecordUnprotect(INTRO_XEN *Xen, QWORD ZoneId)
{
    if (!IgRecordEnter(Xen))
    {
        return INT_STATUS_SUCCESS;
    }
    IgRecordPrintf(Xen->Record, "{\"type\":\"unprotect\",\"id\":\"z%llu\"}\n", (unsigned long long)ZoneId);
    return IgRecordLeave(Xen);
}
