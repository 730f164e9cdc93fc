/*
 * The Xen backend's table (glue.h's INTRO_BACKEND): what the adapter asks, said in Xen calls.
 *
 * Memory: one frame per foreign mapping, kept in a small cache (least recently used goes first,
 * never one still in use); a frame the cache cannot take is unmapped when released.  Registers:
 * the vm_event request when the vCPU is the one the event thread is handling (no hypercall),
 * otherwise the saved HVM context.  Rights: batched into one xc_set_mem_access_multi call, sent
 * when the adapter flushes, before every response and before every resume; the first change of a
 * frame remembers what it had, for detach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xen_int.h"

/* ---- Registers --------------------------------------------------------------------------------- */

/* A segment from a vm_event selector register: its limit is in pages when the G bit (bit 11) is set. */
static void IgXenSegment(QWORD Base, struct vm_event_x86_selector_reg Reg, uint16_t Selector,
                         INTRO_BACKEND_SEGMENT *Seg)
{
    Seg->Base = Base;
    Seg->Limit = (Reg.ar & 0x800u) ? ((DWORD)Reg.limit << 12) | 0xFFFu : Reg.limit;
    Seg->Selector = Selector;
    Seg->Attributes = (WORD)Reg.ar;
}

void IgXenRegsFromRequest(const struct vm_event_regs_x86 *X, QWORD IdtBase, QWORD IdtLimit, INTRO_BACKEND_REGS *Regs)
{
    IG_ARCH_REGS *a = &Regs->Arch;

    memset(Regs, 0, sizeof(*Regs));
    a->Rax = X->rax;
    a->Rcx = X->rcx;
    a->Rdx = X->rdx;
    a->Rbx = X->rbx;
    a->Rsp = X->rsp;
    a->Rbp = X->rbp;
    a->Rsi = X->rsi;
    a->Rdi = X->rdi;
    a->R8 = X->r8;
    a->R9 = X->r9;
    a->R10 = X->r10;
    a->R11 = X->r11;
    a->R12 = X->r12;
    a->R13 = X->r13;
    a->R14 = X->r14;
    a->R15 = X->r15;
    a->Cr2 = X->cr2;
    a->Flags = X->rflags;
    a->Dr7 = X->dr7;
    a->Rip = X->rip;
    a->Cr0 = X->cr0;
    a->Cr4 = X->cr4;
    a->Cr3 = X->cr3;
    a->IdtBase = IdtBase;
    a->IdtLimit = IdtLimit;
    a->GdtBase = X->gdtr_base;
    a->GdtLimit = X->gdtr_limit;
    Regs->Efer = X->msr_efer;
    IgXenSegment(X->cs_base, X->cs, X->cs_sel, &Regs->Cs);
    IgXenSegment(X->ss_base, X->ss, X->ss_sel, &Regs->Ss);
    IgXenSegment(X->ds_base, X->ds, X->ds_sel, &Regs->Ds);
    IgXenSegment(X->es_base, X->es, X->es_sel, &Regs->Es);
    IgXenSegment(X->fs_base, X->fs, X->fs_sel, &Regs->Fs);
    IgXenSegment(X->gs_base, X->gs, X->gs_sel, &Regs->Gs);
    Regs->KernelGsBase = X->shadow_gs;
    Regs->Star = X->msr_star;
    Regs->Lstar = X->msr_lstar;
    Regs->SysenterCs = X->sysenter_cs;
    Regs->SysenterEsp = X->sysenter_esp;
    Regs->SysenterEip = X->sysenter_eip;
    /* A request has no CSTAR: the saved context does. */
    Regs->Msrs = INTRO_BACKEND_MSR_EFER | INTRO_BACKEND_MSR_STAR | INTRO_BACKEND_MSR_LSTAR |
                 INTRO_BACKEND_MSR_SYSENTER | INTRO_BACKEND_MSR_SEG_BASES;
}

void IgXenRegsFromContext(const struct hvm_hw_cpu *C, INTRO_BACKEND_REGS *Regs)
{
    IG_ARCH_REGS *a = &Regs->Arch;
    const struct
    {
        INTRO_BACKEND_SEGMENT *Seg;
        QWORD Base;
        uint32_t Limit, Selector, Attributes;
    } segs[] = {
        {&Regs->Cs, C->cs_base, C->cs_limit, C->cs_sel, C->cs_arbytes},
        {&Regs->Ss, C->ss_base, C->ss_limit, C->ss_sel, C->ss_arbytes},
        {&Regs->Ds, C->ds_base, C->ds_limit, C->ds_sel, C->ds_arbytes},
        {&Regs->Es, C->es_base, C->es_limit, C->es_sel, C->es_arbytes},
        {&Regs->Fs, C->fs_base, C->fs_limit, C->fs_sel, C->fs_arbytes},
        {&Regs->Gs, C->gs_base, C->gs_limit, C->gs_sel, C->gs_arbytes},
    };

    memset(Regs, 0, sizeof(*Regs));
    a->Rax = C->rax;
    a->Rcx = C->rcx;
    a->Rdx = C->rdx;
    a->Rbx = C->rbx;
    a->Rsp = C->rsp;
    a->Rbp = C->rbp;
    a->Rsi = C->rsi;
    a->Rdi = C->rdi;
    a->R8 = C->r8;
    a->R9 = C->r9;
    a->R10 = C->r10;
    a->R11 = C->r11;
    a->R12 = C->r12;
    a->R13 = C->r13;
    a->R14 = C->r14;
    a->R15 = C->r15;
    a->Cr2 = C->cr2;
    a->Flags = C->rflags;
    a->Dr7 = C->dr7;
    a->Rip = C->rip;
    a->Cr0 = C->cr0;
    a->Cr4 = C->cr4;
    a->Cr3 = C->cr3;
    a->IdtBase = C->idtr_base;
    a->IdtLimit = C->idtr_limit;
    a->GdtBase = C->gdtr_base;
    a->GdtLimit = C->gdtr_limit;
    for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
    {
        segs[i].Seg->Base = segs[i].Base;
        segs[i].Seg->Limit = segs[i].Limit;
        segs[i].Seg->Selector = (WORD)segs[i].Selector;
        segs[i].Seg->Attributes = (WORD)(segs[i].Attributes & 0xFFFu); /* the packed 12-bit form */
    }
    Regs->Efer = C->msr_efer;
    Regs->KernelGsBase = C->shadow_gs;
    Regs->Star = C->msr_star;
    Regs->Lstar = C->msr_lstar;
    Regs->Cstar = C->msr_cstar;
    Regs->SysenterCs = C->sysenter_cs;
    Regs->SysenterEsp = C->sysenter_esp;
    Regs->SysenterEip = C->sysenter_eip;
    Regs->Msrs = INTRO_BACKEND_MSR_EFER | INTRO_BACKEND_MSR_STAR | INTRO_BACKEND_MSR_LSTAR | INTRO_BACKEND_MSR_CSTAR |
                 INTRO_BACKEND_MSR_SYSENTER | INTRO_BACKEND_MSR_SEG_BASES;
}

/* Whether this thread is handling an event of Vcpu (under Lock). */
static bool IgXenIsEventVcpu(const INTRO_XEN *Xen, DWORD Vcpu)
{
    return Xen->Event.Request && Xen->Event.Request->vcpu_id == Vcpu &&
           pthread_equal(Xen->Event.Thread, pthread_self());
}

static INTSTATUS IgXenGetRegisters(void *Context, DWORD Vcpu, INTRO_BACKEND_REGS *Regs)
{
    INTRO_XEN *xen = Context;
    struct hvm_hw_cpu cpu;
    bool event;

    if (Vcpu >= xen->VcpuCount)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    pthread_mutex_lock(&xen->Lock);
    event = IgXenIsEventVcpu(xen, Vcpu) && !xen->IdtStale[Vcpu];
    if (event)
    {
        /* The request carries the faulting vCPU's state: no hypercall. */
        IgXenRegsFromRequest(&xen->Event.Request->data.regs.x86, xen->IdtBase[Vcpu], xen->IdtLimit[Vcpu], Regs);
    }
    pthread_mutex_unlock(&xen->Lock);
    if (event)
    {
        return INT_STATUS_SUCCESS;
    }
    memset(&cpu, 0, sizeof(cpu));
    if (xen->Ops->HvmGetContextPartial(xen->Xch, xen->DomId, HVM_SAVE_CODE(CPU), (uint16_t)Vcpu, &cpu, sizeof(cpu)) < 0)
    {
        IgXenLog(xen, intLogLevelError, "cannot read vCPU %u's registers: %s", Vcpu, strerror(errno));
        return INT_STATUS_NOT_FOUND;
    }
    IgXenRegsFromContext(&cpu, Regs);
    pthread_mutex_lock(&xen->Lock);
    xen->IdtBase[Vcpu] = cpu.idtr_base;
    xen->IdtLimit[Vcpu] = cpu.idtr_limit;
    xen->IdtStale[Vcpu] = false;
    event = IgXenIsEventVcpu(xen, Vcpu);
    if (event)
    {
        /* The event's general-purpose state is the request's, whatever the context says. */
        IgXenRegsFromRequest(&xen->Event.Request->data.regs.x86, cpu.idtr_base, cpu.idtr_limit, Regs);
    }
    pthread_mutex_unlock(&xen->Lock);
    if (!event)
    {
        IgXenRecordVcpu(xen, Vcpu, Regs);
    }
    return INT_STATUS_SUCCESS;
}

/* During an event, what Xen applies from a response: general-purpose registers, RIP and RFLAGS. */
static INTSTATUS IgXenSetRegisters(void *Context, DWORD Vcpu, const IG_ARCH_REGS *Regs)
{
    INTRO_XEN *xen = Context;
    struct vm_event_regs_x86 *r = &xen->Event.Regs;
    INTSTATUS status = INT_STATUS_SUCCESS;

    pthread_mutex_lock(&xen->Lock);
    if (!IgXenIsEventVcpu(xen, Vcpu))
    {
        status = INT_STATUS_NOT_SUPPORTED; /* outside its event a vCPU's registers stay as they are */
    }
    else
    {
        r->rax = Regs->Rax;
        r->rcx = Regs->Rcx;
        r->rdx = Regs->Rdx;
        r->rbx = Regs->Rbx;
        r->rsp = Regs->Rsp;
        r->rbp = Regs->Rbp;
        r->rsi = Regs->Rsi;
        r->rdi = Regs->Rdi;
        r->r8 = Regs->R8;
        r->r9 = Regs->R9;
        r->r10 = Regs->R10;
        r->r11 = Regs->R11;
        r->r12 = Regs->R12;
        r->r13 = Regs->R13;
        r->r14 = Regs->R14;
        r->r15 = Regs->R15;
        r->rflags = Regs->Flags;
        r->rip = Regs->Rip;
        xen->Event.SetRegisters = true;
    }
    pthread_mutex_unlock(&xen->Lock);
    return status;
}

/* ---- Memory ------------------------------------------------------------------------------------ */

static INTSTATUS IgXenGetInfo(void *Context, INTRO_BACKEND_INFO *Info)
{
    INTRO_XEN *xen = Context;

    Info->VcpuCount = xen->VcpuCount;
    Info->MaxGfn = xen->MaxGfn;
    Info->Features = (xen->Capabilities & (1u << XEN_DOMCTL_MONITOR_EVENT_DESC_ACCESS)) ? INTRO_BACKEND_FEATURE_DTR : 0;
    return INT_STATUS_SUCCESS;
}

/* Maps one frame; PAGE_NOT_PRESENT for a hole (the call, or its per-frame error, failed). */
static INTSTATUS IgXenMapFrame(INTRO_XEN *Xen, QWORD Gfn, bool Write, void **Page)
{
    xen_pfn_t pfn = (xen_pfn_t)Gfn;
    int error = 0;
    void *page;

    errno = 0;
    page = Xen->Ops->ForeignMap(Xen->Fmem, Xen->DomId, Write ? PROT_READ | PROT_WRITE : PROT_READ, 1, &pfn, &error);
    if (!page)
    {
        Xen->Stats.MapFailures++;
        return errno == ENOMEM ? INT_STATUS_INSUFFICIENT_RESOURCES : INT_STATUS_PAGE_NOT_PRESENT;
    }
    if (error)
    {
        /* The call succeeded but this frame did not: a hole (VGA window, MMIO, ballooned out). */
        (void)Xen->Ops->ForeignUnmap(Xen->Fmem, page, 1);
        Xen->Stats.MapFailures++;
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    *Page = page;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgXenMapPage(void *Context, QWORD Gfn, BOOLEAN Write, void **Page)
{
    INTRO_XEN *xen = Context;
    IG_XEN_MAPPING *hit = NULL, *unused = NULL, *oldest = NULL, *slot;
    void *page = NULL;
    INTSTATUS status = INT_STATUS_SUCCESS;

    *Page = NULL;
    if (Gfn > xen->MaxGfn)
    {
        return INT_STATUS_PAGE_NOT_PRESENT;
    }
    pthread_mutex_lock(&xen->Lock);
    xen->Clock++;
    for (uint32_t i = 0; i < xen->CacheSize && !hit; i++)
    {
        IG_XEN_MAPPING *m = &xen->Cache[i];

        if (m->Page && m->Gfn == Gfn && m->Write == (Write != 0))
        {
            hit = m;
        }
        else if (!m->Page && !unused)
        {
            unused = m;
        }
        else if (m->Page && m->Refs == 0 && (!oldest || m->LastUse < oldest->LastUse))
        {
            oldest = m;
        }
    }
    /* A hit; else a free slot; else the least recently used mapping nobody holds. */
    slot = hit ? hit : unused ? unused : oldest;
    if (hit)
    {
        xen->Stats.MapHits++;
        page = hit->Page;
    }
    else
    {
        xen->Stats.MapMisses++;
        status = IgXenMapFrame(xen, Gfn, Write != 0, &page);
        if (INT_SUCCESS(status) && slot)
        {
            if (slot->Page)
            {
                (void)xen->Ops->ForeignUnmap(xen->Fmem, slot->Page, 1);
            }
            slot->Page = page;
            slot->Gfn = Gfn;
            slot->Write = Write != 0;
            slot->Refs = 0;
        }
        /* Without a slot (every one is held) the mapping is the caller's alone, unmapped on release. */
    }
    if (INT_SUCCESS(status) && slot)
    {
        slot->Refs++;
        slot->LastUse = xen->Clock;
    }
    pthread_mutex_unlock(&xen->Lock);
    if (INT_SUCCESS(status))
    {
        IgXenRecordPage(xen, Gfn, page);
        *Page = page;
    }
    return status;
}

static void IgXenUnmapPage(void *Context, void *Page)
{
    INTRO_XEN *xen = Context;
    bool cached = false;

    pthread_mutex_lock(&xen->Lock);
    for (uint32_t i = 0; i < xen->CacheSize && !cached; i++)
    {
        if (xen->Cache[i].Page == Page)
        {
            cached = true;
            if (xen->Cache[i].Refs)
            {
                xen->Cache[i].Refs--;
            }
        }
    }
    pthread_mutex_unlock(&xen->Lock);
    if (!cached)
    {
        (void)xen->Ops->ForeignUnmap(xen->Fmem, Page, 1);
    }
}

void IgXenDropMappingsLocked(INTRO_XEN *Xen)
{
    for (uint32_t i = 0; Xen->Cache && i < Xen->CacheSize; i++)
    {
        if (Xen->Cache[i].Page)
        {
            (void)Xen->Ops->ForeignUnmap(Xen->Fmem, Xen->Cache[i].Page, 1);
        }
        memset(&Xen->Cache[i], 0, sizeof(Xen->Cache[i]));
    }
}

INTSTATUS IgXenReadPhysical(INTRO_XEN *Xen, QWORD Gpa, void *Buffer, size_t Size, size_t *Done)
{
    uint8_t *out = Buffer;

    *Done = 0;
    while (*Done < Size)
    {
        QWORD gpa = Gpa + *Done;
        size_t offset = gpa & (IG_XEN_PAGE - 1);
        size_t chunk = IG_XEN_PAGE - offset < Size - *Done ? IG_XEN_PAGE - offset : Size - *Done;
        void *page = NULL;
        INTSTATUS status = IgXenMapPage(Xen, gpa >> 12, FALSE, &page);

        if (!INT_SUCCESS(status))
        {
            return status;
        }
        memcpy(out + *Done, (const uint8_t *)page + offset, chunk);
        IgXenUnmapPage(Xen, page);
        *Done += chunk;
    }
    return INT_STATUS_SUCCESS;
}

/* ---- EPT rights -------------------------------------------------------------------------------- */

/* xenmem_access_t for n..rwx is an R | W << 1 | X << 2 mask, as IG_EPT_HOOK_* is. */
static BYTE IgXenAccessMask(xenmem_access_t Access)
{
    switch (Access)
    {
        case XENMEM_access_n:
        case XENMEM_access_n2rwx:
            return 0;
        case XENMEM_access_r:
            return IG_EPT_HOOK_READ;
        case XENMEM_access_w:
            return IG_EPT_HOOK_WRITE;
        case XENMEM_access_rw:
            return IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE;
        case XENMEM_access_x:
            return IG_EPT_HOOK_EXECUTE;
        case XENMEM_access_rx:
        case XENMEM_access_rx2rw:
            return IG_EPT_HOOK_READ | IG_EPT_HOOK_EXECUTE;
        case XENMEM_access_wx:
            return IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE;
        default:
            return IG_XEN_RWX;
    }
}

static const xenmem_access_t gIgXenAccess[8] = {
    XENMEM_access_n, XENMEM_access_r,  XENMEM_access_w,  XENMEM_access_rw,
    XENMEM_access_x, XENMEM_access_rx, XENMEM_access_wx, XENMEM_access_rwx,
};

static uint32_t IgXenRightsSlot(const IG_XEN_RIGHTS *Map, QWORD Gfn)
{
    return (uint32_t)((Gfn * 0x9E3779B97F4A7C15ull) >> 32) & Map->Mask;
}

static bool IgXenRightsFind(const IG_XEN_RIGHTS *Map, QWORD Gfn)
{
    for (uint32_t i = IgXenRightsSlot(Map, Gfn); Map->Keys && Map->Keys[i]; i = (i + 1) & Map->Mask)
    {
        if (Map->Keys[i] == Gfn + 1)
        {
            return true;
        }
    }
    return false;
}

static bool IgXenRightsPut(IG_XEN_RIGHTS *Map, QWORD Gfn, uint8_t Original)
{
    uint32_t i;

    if (!Map->Keys || 2 * (Map->Count + 1) > Map->Mask + 1)
    {
        uint32_t capacity = Map->Keys ? 2 * (Map->Mask + 1) : 256;
        IG_XEN_RIGHTS grown = {calloc(capacity, sizeof(QWORD)), calloc(capacity, 1), capacity - 1, 0};

        if (!grown.Keys || !grown.Original)
        {
            free(grown.Keys);
            free(grown.Original);
            return false;
        }
        for (uint32_t j = 0; Map->Keys && j <= Map->Mask; j++)
        {
            if (Map->Keys[j])
            {
                (void)IgXenRightsPut(&grown, Map->Keys[j] - 1, Map->Original[j]);
            }
        }
        free(Map->Keys);
        free(Map->Original);
        *Map = grown;
    }
    for (i = IgXenRightsSlot(Map, Gfn); Map->Keys[i]; i = (i + 1) & Map->Mask)
    {
        if (Map->Keys[i] == Gfn + 1)
        {
            return true;
        }
    }
    Map->Keys[i] = Gfn + 1;
    Map->Original[i] = Original;
    Map->Count++;
    return true;
}

INTSTATUS IgXenFlushLocked(INTRO_XEN *Xen)
{
    uint32_t count = Xen->BatchCount;

    if (!count)
    {
        return INT_STATUS_SUCCESS;
    }
    Xen->BatchCount = 0;
    Xen->Stats.AccessFlushes++;
    if (Xen->Ops->SetMemAccessMulti(Xen->Xch, Xen->DomId, Xen->BatchAccess, Xen->BatchGfns, count) < 0)
    {
        IgXenLog(Xen, intLogLevelError, "cannot set the rights of %u frames of domain %u: %s", count, Xen->DomId,
                 strerror(errno));
        return INT_STATUS_INVALID_INTERNAL_STATE;
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgXenRestoreRightsLocked(INTRO_XEN *Xen)
{
    IG_XEN_RIGHTS *map = &Xen->Rights;
    INTSTATUS status = INT_STATUS_SUCCESS;

    for (uint32_t i = 0; map->Keys && i <= map->Mask; i++)
    {
        if (!map->Keys[i])
        {
            continue;
        }
        if (Xen->BatchCount == IG_XEN_BATCH && INT_SUCCESS(status))
        {
            status = IgXenFlushLocked(Xen);
        }
        Xen->BatchCount %= IG_XEN_BATCH; /* a failed flush dropped its batch; go on with the rest */
        Xen->BatchGfns[Xen->BatchCount] = map->Keys[i] - 1;
        Xen->BatchAccess[Xen->BatchCount++] = map->Original[i];
        map->Keys[i] = 0;
    }
    map->Count = 0;
    if (INT_SUCCESS(status))
    {
        status = IgXenFlushLocked(Xen);
    }
    return status;
}

static INTSTATUS IgXenGetAccess(void *Context, DWORD View, QWORD Gfn, BYTE *Access)
{
    INTRO_XEN *xen = Context;
    xenmem_access_t access = XENMEM_access_rwx;
    int32_t pending = -1;

    if (View != 0)
    {
        if (xen->Ops->AltP2mGetMemAccess(xen->Xch, xen->DomId, (uint16_t)View, (xen_pfn_t)Gfn, &access) < 0)
        {
            return INT_STATUS_NOT_SUPPORTED;
        }
        *Access = IgXenAccessMask(access);
        return INT_STATUS_SUCCESS;
    }
    pthread_mutex_lock(&xen->Lock);
    for (uint32_t i = xen->BatchCount; i-- > 0 && pending < 0;)
    {
        if (xen->BatchGfns[i] == Gfn)
        {
            pending = xen->BatchAccess[i]; /* what the frame will have once the batch is sent */
        }
    }
    pthread_mutex_unlock(&xen->Lock);
    if (pending >= 0)
    {
        *Access = IgXenAccessMask((xenmem_access_t)pending);
        return INT_STATUS_SUCCESS;
    }
    if (xen->Ops->GetMemAccess(xen->Xch, xen->DomId, Gfn, &access) < 0)
    {
        return errno == EINVAL || errno == ESRCH ? INT_STATUS_PAGE_NOT_PRESENT : INT_STATUS_NOT_SUPPORTED;
    }
    *Access = IgXenAccessMask(access);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgXenSetAccess(void *Context, DWORD View, QWORD Gfn, BYTE Access)
{
    INTRO_XEN *xen = Context;
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint32_t i;

    if (Access & ~IG_XEN_RWX)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    if (View != 0)
    {
        return xen->Ops->AltP2mSetMemAccess(xen->Xch, xen->DomId, (uint16_t)View, (xen_pfn_t)Gfn,
                                            gIgXenAccess[Access]) < 0
                   ? INT_STATUS_NOT_SUPPORTED
                   : INT_STATUS_SUCCESS;
    }
    pthread_mutex_lock(&xen->Lock);
    if (!IgXenRightsFind(&xen->Rights, Gfn))
    {
        xenmem_access_t original = XENMEM_access_rwx;

        /* What the frame had before our first change is what detach gives back. */
        if (xen->Ops->GetMemAccess(xen->Xch, xen->DomId, Gfn, &original) < 0)
        {
            original = XENMEM_access_rwx;
        }
        if (!IgXenRightsPut(&xen->Rights, Gfn, (uint8_t)original))
        {
            status = INT_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    for (i = 0; INT_SUCCESS(status) && i < xen->BatchCount && xen->BatchGfns[i] != Gfn; i++)
    {
    }
    if (INT_SUCCESS(status) && i == IG_XEN_BATCH)
    {
        status = IgXenFlushLocked(xen);
        i = 0;
    }
    if (INT_SUCCESS(status))
    {
        xen->BatchGfns[i] = Gfn;
        xen->BatchAccess[i] = (uint8_t)gIgXenAccess[Access];
        if (i == xen->BatchCount)
        {
            xen->BatchCount++;
        }
    }
    pthread_mutex_unlock(&xen->Lock);
    return status;
}

static INTSTATUS IgXenFlushAccess(void *Context)
{
    INTRO_XEN *xen = Context;
    INTSTATUS status;

    pthread_mutex_lock(&xen->Lock);
    status = IgXenFlushLocked(xen);
    pthread_mutex_unlock(&xen->Lock);
    return status;
}

/* ---- Exits, pauses, alerts --------------------------------------------------------------------- */

static INTSTATUS IgXenErrnoStatus(int Error)
{
    return Error == EACCES || Error == EPERM        ? INT_STATUS_ACCESS_DENIED
           : Error == EOPNOTSUPP || Error == ENOSYS ? INT_STATUS_NOT_SUPPORTED
                                                    : INT_STATUS_INVALID_INTERNAL_STATE;
}

static INTSTATUS IgXenSetMsrMonitor(INTRO_XEN *Xen, DWORD Msr, BOOLEAN Enable)
{
    uint32_t i = 0;

    while (i < Xen->MsrCount && Xen->Msrs[i] != Msr)
    {
        i++;
    }
    if (Enable && i == Xen->MsrCount && Xen->MsrCount == IG_XEN_MAX_MSRS)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Xen->Ops->MonitorMovToMsr(Xen->Xch, Xen->DomId, Msr, Enable != 0, false) < 0)
    {
        return IgXenErrnoStatus(errno);
    }
    if (Enable && i == Xen->MsrCount)
    {
        Xen->Msrs[Xen->MsrCount++] = Msr;
    }
    else if (!Enable && i < Xen->MsrCount)
    {
        Xen->Msrs[i] = Xen->Msrs[--Xen->MsrCount];
    }
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgXenSetMonitor(void *Context, INTRO_BACKEND_MONITOR Kind, DWORD Index, BOOLEAN Enable)
{
    INTRO_XEN *xen = Context;
    INTSTATUS status = INT_STATUS_SUCCESS;

    pthread_mutex_lock(&xen->Lock);
    switch (Kind)
    {
        case introBackendMonitorMsr:
            status = IgXenSetMsrMonitor(xen, Index, Enable);
            break;
        case introBackendMonitorCr:
        {
            uint16_t index = Index == 0 ? VM_EVENT_X86_CR0 : Index == 3 ? VM_EVENT_X86_CR3 : VM_EVENT_X86_CR4;

            if (Index != 0 && Index != 3 && Index != 4)
            {
                status = INT_STATUS_NOT_SUPPORTED;
            }
            /* Synchronous, so a write can be denied; only writes that change the value. */
            else if (xen->Ops->MonitorWriteCtrlreg(xen->Xch, xen->DomId, index, Enable != 0, true, 0, true) < 0)
            {
                status = IgXenErrnoStatus(errno);
            }
            else
            {
                xen->CrMask = Enable ? xen->CrMask | (1u << Index) : xen->CrMask & ~(1u << Index);
            }
            break;
        }
        case introBackendMonitorDtr:
            if (!(xen->Capabilities & (1u << XEN_DOMCTL_MONITOR_EVENT_DESC_ACCESS)))
            {
                status = INT_STATUS_NOT_SUPPORTED;
            }
            else if (xen->Ops->MonitorDescriptorAccess(xen->Xch, xen->DomId, Enable != 0) < 0)
            {
                status = IgXenErrnoStatus(errno);
            }
            else
            {
                xen->Dtr = Enable != 0;
            }
            break;
        default:
            status = INT_STATUS_NOT_SUPPORTED;
            break;
    }
    pthread_mutex_unlock(&xen->Lock);
    return status;
}

static INTSTATUS IgXenPause(void *Context)
{
    INTRO_XEN *xen = Context;
    INTSTATUS status = INT_STATUS_SUCCESS;

    pthread_mutex_lock(&xen->Lock);
    if (xen->Ops->DomainPause(xen->Xch, xen->DomId) < 0)
    {
        status = IgXenErrnoStatus(errno);
    }
    else
    {
        xen->Pauses++;
    }
    pthread_mutex_unlock(&xen->Lock);
    return status;
}

static INTSTATUS IgXenResume(void *Context)
{
    INTRO_XEN *xen = Context;
    INTSTATUS status;

    pthread_mutex_lock(&xen->Lock);
    /* Rights changed under the pause are in force before any vCPU runs. */
    status = IgXenFlushLocked(xen);
    if (xen->Pauses == 0)
    {
        status = INT_STATUS_INVALID_INTERNAL_STATE; /* a resume without a pause */
    }
    else if (xen->Ops->DomainUnpause(xen->Xch, xen->DomId) < 0)
    {
        status = IgXenErrnoStatus(errno);
    }
    else
    {
        xen->Pauses--;
    }
    pthread_mutex_unlock(&xen->Lock);
    return status;
}

static INTSTATUS IgXenAlert(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    INTRO_XEN *xen = Context;

    if (xen->Config.Alert)
    {
        xen->Config.Alert(xen->Config.Context, EventClass, Event, Size);
    }
    return INT_STATUS_SUCCESS;
}

static void IgXenBackendLog(void *Context, IG_LOG_LEVEL Level, const char *Message)
{
    IgXenLog(Context, Level, "%s", Message);
}

static const INTRO_BACKEND gIgXenBackend = {
    .Version = INTRO_BACKEND_VERSION,
    .Size = sizeof(INTRO_BACKEND),
    .GetInfo = IgXenGetInfo,
    .MapPage = IgXenMapPage,
    .UnmapPage = IgXenUnmapPage,
    .GetRegisters = IgXenGetRegisters,
    .SetRegisters = IgXenSetRegisters,
    .GetAccess = IgXenGetAccess,
    .SetAccess = IgXenSetAccess,
    .FlushAccess = IgXenFlushAccess,
    .SetMonitor = IgXenSetMonitor,
    .Pause = IgXenPause,
    .Resume = IgXenResume,
    .Alert = IgXenAlert,
    .Log = IgXenBackendLog,
};

const INTRO_BACKEND *IntXenBackend(void)
{
    return &gIgXenBackend;
}
