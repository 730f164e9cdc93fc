/*
 * The replay backend (include/introguard/glue_replay.h): recorded guest state behind the backend
 * table of glue.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay_int.h"

/* ---- The frame map ----------------------------------------------------------------------------- */

static uint32_t IgGfnSlot(const IG_GFN_MAP *Map, QWORD Gfn)
{
    /* Fibonacci hashing spreads consecutive frames over the table. */
    return (uint32_t)((Gfn * 0x9E3779B97F4A7C15ull) >> 32) & Map->Mask;
}

bool IgGfnFind(const IG_GFN_MAP *Map, QWORD Gfn, uint32_t *Value)
{
    if (!Map->Count)
    {
        return false;
    }
    for (uint32_t i = IgGfnSlot(Map, Gfn);; i = (i + 1) & Map->Mask)
    {
        if (Map->Keys[i] == 0)
        {
            return false;
        }
        if (Map->Keys[i] == Gfn + 1)
        {
            *Value = Map->Values[i];
            return true;
        }
    }
}

static bool IgGfnGrow(IG_GFN_MAP *Map)
{
    uint32_t capacity = Map->Keys ? 2 * (Map->Mask + 1) : 64;
    IG_GFN_MAP grown = {calloc(capacity, sizeof(QWORD)), calloc(capacity, sizeof(uint32_t)), capacity - 1, 0};

    if (!grown.Keys || !grown.Values)
    {
        free(grown.Keys);
        free(grown.Values);
        return false;
    }
    for (uint32_t i = 0; Map->Keys && i <= Map->Mask; i++)
    {
        if (Map->Keys[i])
        {
            uint32_t j = IgGfnSlot(&grown, Map->Keys[i] - 1);

            while (grown.Keys[j])
            {
                j = (j + 1) & grown.Mask;
            }
            grown.Keys[j] = Map->Keys[i];
            grown.Values[j] = Map->Values[i];
            grown.Count++;
        }
    }
    free(Map->Keys);
    free(Map->Values);
    *Map = grown;
    return true;
}

bool IgGfnPut(IG_GFN_MAP *Map, QWORD Gfn, uint32_t Value)
{
    uint32_t i;

    /* Keep the load under one half so probe chains stay short. */
    if ((!Map->Keys || 2 * (Map->Count + 1) > Map->Mask + 1) && !IgGfnGrow(Map))
    {
        return false;
    }
    i = IgGfnSlot(Map, Gfn);
    while (Map->Keys[i] && Map->Keys[i] != Gfn + 1)
    {
        i = (i + 1) & Map->Mask;
    }
    if (!Map->Keys[i])
    {
        Map->Keys[i] = Gfn + 1;
        Map->Count++;
    }
    Map->Values[i] = Value;
    return true;
}

/* Removes Gfn, re-inserting the rest of its probe chain (no tombstones). */
static void IgGfnRemove(IG_GFN_MAP *Map, QWORD Gfn)
{
    uint32_t i;

    if (!Map->Count)
    {
        return;
    }
    for (i = IgGfnSlot(Map, Gfn); Map->Keys[i] != Gfn + 1; i = (i + 1) & Map->Mask)
    {
        if (!Map->Keys[i])
        {
            return;
        }
    }
    Map->Keys[i] = 0;
    Map->Count--;
    for (uint32_t j = (i + 1) & Map->Mask; Map->Keys[j]; j = (j + 1) & Map->Mask)
    {
        QWORD key = Map->Keys[j];
        uint32_t value = Map->Values[j];

        Map->Keys[j] = 0;
        Map->Count--;
        (void)IgGfnPut(Map, key - 1, value); /* cannot grow: the count only went down */
    }
}

static void IgGfnClear(IG_GFN_MAP *Map)
{
    free(Map->Keys);
    free(Map->Values);
    memset(Map, 0, sizeof(*Map));
}

/* ---- Life cycle and the caller's side ---------------------------------------------------------- */

INTSTATUS IntReplayCreate(DWORD VcpuCount, INTRO_REPLAY **Replay)
{
    INTRO_REPLAY *r;

    if (Replay)
    {
        *Replay = NULL;
    }
    if (VcpuCount == 0 || VcpuCount > INTRO_REPLAY_MAX_VCPUS)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Replay)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    r = calloc(1, sizeof(*r));
    if (!r)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    r->Regs = calloc(VcpuCount, sizeof(*r->Regs));
    if (!r->Regs || pthread_mutex_init(&r->Lock, NULL) != 0)
    {
        free(r->Regs);
        free(r);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    r->VcpuCount = VcpuCount;
    *Replay = r;
    return INT_STATUS_SUCCESS;
}

void IntReplayClearPages(INTRO_REPLAY *Replay)
{
    if (!Replay)
    {
        return;
    }
    pthread_mutex_lock(&Replay->Lock);
    for (uint32_t i = 0; i < Replay->PageCount; i++)
    {
        free(Replay->Pages[i]);
    }
    free(Replay->Pages);
    Replay->Pages = NULL;
    Replay->PageCount = 0;
    Replay->PageCapacity = 0;
    Replay->MaxPageGfn = 0;
    IgGfnClear(&Replay->PageIndex);
    pthread_mutex_unlock(&Replay->Lock);
}

void IntReplayDestroy(INTRO_REPLAY *Replay)
{
    if (!Replay)
    {
        return;
    }
    IntReplayClearPages(Replay);
    IgGfnClear(&Replay->Access);
    for (uint32_t i = 0; i < Replay->CopyCount; i++)
    {
        free(Replay->Copies[i]);
    }
    free(Replay->Copies);
    pthread_mutex_destroy(&Replay->Lock);
    free(Replay->Regs);
    free(Replay);
}

uint8_t *IgReplayStorePage(INTRO_REPLAY *Replay, QWORD Gfn)
{
    uint32_t index;
    uint8_t *page;
    uint8_t **grown;

    if (IgGfnFind(&Replay->PageIndex, Gfn, &index))
    {
        return Replay->Pages[index];
    }
    if (Replay->PageCount == INTRO_REPLAY_MAX_PAGES)
    {
        return NULL;
    }
    if (Replay->PageCount == Replay->PageCapacity)
    {
        uint32_t capacity = Replay->PageCapacity ? 2 * Replay->PageCapacity : 64;

        grown = realloc(Replay->Pages, capacity * sizeof(*grown));
        if (!grown)
        {
            return NULL;
        }
        Replay->Pages = grown;
        Replay->PageCapacity = capacity;
    }
    page = aligned_alloc(IG_REPLAY_PAGE, IG_REPLAY_PAGE);
    if (!page || !IgGfnPut(&Replay->PageIndex, Gfn, Replay->PageCount))
    {
        free(page);
        return NULL;
    }
    memset(page, 0, IG_REPLAY_PAGE);
    /* A page the image has starts as the image's: an added page overlays it whole. */
    if (Replay->Image && Gfn < Replay->ImageSize / IG_REPLAY_PAGE &&
        pread(fileno(Replay->Image), page, IG_REPLAY_PAGE, (off_t)(Gfn * IG_REPLAY_PAGE)) != (ssize_t)IG_REPLAY_PAGE)
    {
        memset(page, 0, IG_REPLAY_PAGE);
    }
    Replay->Pages[Replay->PageCount++] = page;
    if (Gfn > Replay->MaxPageGfn)
    {
        Replay->MaxPageGfn = Gfn;
    }
    return page;
}

INTSTATUS IntReplayAddPage(INTRO_REPLAY *Replay, QWORD Gpa, const void *Data)
{
    uint8_t *page;

    if (!Replay)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if ((Gpa & (IG_REPLAY_PAGE - 1)) || (Gpa >> 12) >= IG_REPLAY_GFN_LIMIT)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Data)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    pthread_mutex_lock(&Replay->Lock);
    page = IgReplayStorePage(Replay, Gpa >> 12);
    if (page)
    {
        memcpy(page, Data, IG_REPLAY_PAGE);
    }
    pthread_mutex_unlock(&Replay->Lock);
    return page ? INT_STATUS_SUCCESS : INT_STATUS_INSUFFICIENT_RESOURCES;
}

void IntReplaySetImage(INTRO_REPLAY *Replay, FILE *Image, QWORD Size)
{
    if (!Replay)
    {
        return;
    }
    pthread_mutex_lock(&Replay->Lock);
    Replay->Image = Image;
    Replay->ImageSize = Image ? Size : 0;
    pthread_mutex_unlock(&Replay->Lock);
}

INTSTATUS IntReplaySetRegisters(INTRO_REPLAY *Replay, DWORD Vcpu, const INTRO_BACKEND_REGS *Regs)
{
    if (!Replay)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (Vcpu >= Replay->VcpuCount)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (!Regs)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    pthread_mutex_lock(&Replay->Lock);
    Replay->Regs[Vcpu] = *Regs;
    pthread_mutex_unlock(&Replay->Lock);
    return INT_STATUS_SUCCESS;
}

BYTE IntReplayAccess(INTRO_REPLAY *Replay, QWORD Gfn)
{
    uint32_t access = IG_REPLAY_RWX;

    if (!Replay)
    {
        return 0;
    }
    pthread_mutex_lock(&Replay->Lock);
    (void)IgGfnFind(&Replay->Access, Gfn, &access);
    pthread_mutex_unlock(&Replay->Lock);
    return (BYTE)access;
}

BOOLEAN IntReplayMonitorEnabled(INTRO_REPLAY *Replay, INTRO_BACKEND_MONITOR Kind, DWORD Index)
{
    BOOLEAN enabled = FALSE;

    if (!Replay)
    {
        return FALSE;
    }
    pthread_mutex_lock(&Replay->Lock);
    switch (Kind)
    {
        case introBackendMonitorMsr:
            for (uint32_t i = 0; i < Replay->MsrCount && !enabled; i++)
            {
                enabled = Replay->Msrs[i] == Index;
            }
            break;
        case introBackendMonitorCr:
            enabled = Index < 32 && (Replay->CrMask >> Index) & 1u;
            break;
        case introBackendMonitorDtr:
            enabled = Replay->Dtr;
            break;
    }
    pthread_mutex_unlock(&Replay->Lock);
    return enabled;
}

int IntReplayPauseDepth(INTRO_REPLAY *Replay)
{
    int depth;

    if (!Replay)
    {
        return 0;
    }
    pthread_mutex_lock(&Replay->Lock);
    depth = Replay->PauseDepth;
    pthread_mutex_unlock(&Replay->Lock);
    return depth;
}

void IntReplaySetSinks(INTRO_REPLAY *Replay, PFUNC_IntReplayAlertSink Alert, PFUNC_IntReplayLogSink Log, void *Context)
{
    if (!Replay)
    {
        return;
    }
    pthread_mutex_lock(&Replay->Lock);
    Replay->AlertSink = Alert;
    Replay->LogSink = Log;
    Replay->SinkContext = Context;
    pthread_mutex_unlock(&Replay->Lock);
}

/* ---- The backend operations -------------------------------------------------------------------- */

static INTSTATUS IgReplayGetInfo(void *Context, INTRO_BACKEND_INFO *Info)
{
    INTRO_REPLAY *r = Context;
    QWORD imageFrames;

    pthread_mutex_lock(&r->Lock);
    imageFrames = r->ImageSize / IG_REPLAY_PAGE;
    Info->VcpuCount = r->VcpuCount;
    Info->MaxGfn = r->MaxPageGfn;
    if (imageFrames && imageFrames - 1 > Info->MaxGfn)
    {
        Info->MaxGfn = imageFrames - 1;
    }
    Info->Features = INTRO_BACKEND_FEATURE_DTR;
    pthread_mutex_unlock(&r->Lock);
    return INT_STATUS_SUCCESS;
}

/* Every mapping is a private copy: the library examines bytes nobody changes under it. */
/* Remembers a copy handed out by MapPage (under the lock), so UnmapPage knows to free it. */
static bool IgReplayKeepCopy(INTRO_REPLAY *R, void *Copy)
{
    if (R->CopyCount == R->CopyCapacity)
    {
        uint32_t capacity = R->CopyCapacity ? 2 * R->CopyCapacity : 8;
        void **grown = realloc(R->Copies, capacity * sizeof(*grown));

        if (!grown)
        {
            return false;
        }
        R->Copies = grown;
        R->CopyCapacity = capacity;
    }
    R->Copies[R->CopyCount++] = Copy;
    return true;
}

/*
 * A read of an added page maps it in place (no allocation, no copy: the event path reads a few
 * pages per event).  A writable map, or a frame of the image, is a copy: writes are dropped, as a
 * replay never changes its recording.
 */
static INTSTATUS IgReplayMapPage(void *Context, QWORD Gfn, BOOLEAN Write, void **Page)
{
    INTRO_REPLAY *r = Context;
    uint8_t *copy = NULL;
    uint32_t index;
    INTSTATUS status = INT_STATUS_SUCCESS;

    *Page = NULL;
    pthread_mutex_lock(&r->Lock);
    if (IgGfnFind(&r->PageIndex, Gfn, &index) && !Write)
    {
        *Page = r->Pages[index];
        pthread_mutex_unlock(&r->Lock);
        return INT_STATUS_SUCCESS;
    }
    copy = aligned_alloc(IG_REPLAY_PAGE, IG_REPLAY_PAGE);
    if (!copy)
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    else if (IgGfnFind(&r->PageIndex, Gfn, &index))
    {
        memcpy(copy, r->Pages[index], IG_REPLAY_PAGE);
    }
    else if (r->Image && Gfn < r->ImageSize / IG_REPLAY_PAGE)
    {
        /* pread: the stream's own position and buffer are never touched. */
        ssize_t got = pread(fileno(r->Image), copy, IG_REPLAY_PAGE, (off_t)(Gfn * IG_REPLAY_PAGE));

        status = got == (ssize_t)IG_REPLAY_PAGE ? INT_STATUS_SUCCESS : INT_STATUS_PAGE_NOT_PRESENT;
    }
    else
    {
        status = INT_STATUS_PAGE_NOT_PRESENT;
    }
    if (INT_SUCCESS(status) && !IgReplayKeepCopy(r, copy))
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_unlock(&r->Lock);
    if (!INT_SUCCESS(status))
    {
        free(copy);
        return status;
    }
    *Page = copy;
    return INT_STATUS_SUCCESS;
}

static void IgReplayUnmapPage(void *Context, void *Page)
{
    INTRO_REPLAY *r = Context;

    if (atomic_load(&r->CopyCount) == 0)
    {
        return; /* no copy is out: Page is an added page, mapped in place */
    }
    pthread_mutex_lock(&r->Lock);
    /* Latest first: maps and unmaps nest. */
    for (uint32_t i = r->CopyCount; i-- > 0;)
    {
        if (r->Copies[i] == Page)
        {
            r->Copies[i] = r->Copies[--r->CopyCount];
            free(Page);
            break;
        }
    }
    pthread_mutex_unlock(&r->Lock);
}

static INTSTATUS IgReplayGetRegisters(void *Context, DWORD Vcpu, INTRO_BACKEND_REGS *Regs)
{
    INTRO_REPLAY *r = Context;

    if (Vcpu >= r->VcpuCount)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    pthread_mutex_lock(&r->Lock);
    *Regs = r->Regs[Vcpu];
    pthread_mutex_unlock(&r->Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgReplaySetRegisters(void *Context, DWORD Vcpu, const IG_ARCH_REGS *Regs)
{
    INTRO_REPLAY *r = Context;
    IG_ARCH_REGS *arch;

    if (Vcpu >= r->VcpuCount)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    pthread_mutex_lock(&r->Lock);
    /* What a hypervisor applies from a register update: the general-purpose ones, RIP and RFLAGS. */
    arch = &r->Regs[Vcpu].Arch;
    memcpy(arch, Regs, offsetof(IG_ARCH_REGS, Cr2));
    arch->Flags = Regs->Flags;
    arch->Rip = Regs->Rip;
    pthread_mutex_unlock(&r->Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgReplayGetAccess(void *Context, DWORD View, QWORD Gfn, BYTE *Access)
{
    INTRO_REPLAY *r = Context;
    uint32_t access = IG_REPLAY_RWX;

    if (View != 0)
    {
        return INT_STATUS_NOT_SUPPORTED; /* one view */
    }
    pthread_mutex_lock(&r->Lock);
    (void)IgGfnFind(&r->Access, Gfn, &access);
    pthread_mutex_unlock(&r->Lock);
    *Access = (BYTE)access;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgReplaySetAccess(void *Context, DWORD View, QWORD Gfn, BYTE Access)
{
    INTRO_REPLAY *r = Context;
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (View != 0)
    {
        return INT_STATUS_NOT_SUPPORTED;
    }
    if (Gfn >= IG_REPLAY_GFN_LIMIT || (Access & ~IG_REPLAY_RWX))
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    pthread_mutex_lock(&r->Lock);
    if (Access == IG_REPLAY_RWX)
    {
        IgGfnRemove(&r->Access, Gfn);
    }
    else if (!IgGfnPut(&r->Access, Gfn, Access))
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    pthread_mutex_unlock(&r->Lock);
    return status;
}

static INTSTATUS IgReplaySetMonitor(void *Context, INTRO_BACKEND_MONITOR Kind, DWORD Index, BOOLEAN Enable)
{
    INTRO_REPLAY *r = Context;
    INTSTATUS status = INT_STATUS_SUCCESS;

    pthread_mutex_lock(&r->Lock);
    switch (Kind)
    {
        case introBackendMonitorMsr:
        {
            uint32_t i = 0;

            while (i < r->MsrCount && r->Msrs[i] != Index)
            {
                i++;
            }
            if (Enable && i == r->MsrCount)
            {
                if (r->MsrCount == IG_REPLAY_MAX_MSRS)
                {
                    status = INT_STATUS_INSUFFICIENT_RESOURCES;
                    break;
                }
                r->Msrs[r->MsrCount++] = Index;
            }
            else if (!Enable && i < r->MsrCount)
            {
                r->Msrs[i] = r->Msrs[--r->MsrCount];
            }
            break;
        }
        case introBackendMonitorCr:
            if (Index >= 32)
            {
                status = INT_STATUS_NOT_SUPPORTED;
                break;
            }
            r->CrMask = Enable ? r->CrMask | (1u << Index) : r->CrMask & ~(1u << Index);
            break;
        case introBackendMonitorDtr:
            r->Dtr = Enable;
            break;
        default:
            status = INT_STATUS_NOT_SUPPORTED;
            break;
    }
    pthread_mutex_unlock(&r->Lock);
    return status;
}

static INTSTATUS IgReplayPause(void *Context)
{
    INTRO_REPLAY *r = Context;

    pthread_mutex_lock(&r->Lock);
    r->PauseDepth++;
    pthread_mutex_unlock(&r->Lock);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgReplayResume(void *Context)
{
    INTRO_REPLAY *r = Context;
    INTSTATUS status = INT_STATUS_SUCCESS;

    pthread_mutex_lock(&r->Lock);
    if (r->PauseDepth == 0)
    {
        status = INT_STATUS_INVALID_INTERNAL_STATE; /* a resume without a pause */
    }
    else
    {
        r->PauseDepth--;
    }
    pthread_mutex_unlock(&r->Lock);
    return status;
}

static INTSTATUS IgReplayAlert(void *Context, DWORD EventClass, const void *Event, size_t Size)
{
    INTRO_REPLAY *r = Context;
    PFUNC_IntReplayAlertSink sink;
    void *sinkContext;

    pthread_mutex_lock(&r->Lock);
    sink = r->AlertSink;
    sinkContext = r->SinkContext;
    pthread_mutex_unlock(&r->Lock);
    if (sink)
    {
        sink(sinkContext, EventClass, Event, Size);
    }
    return INT_STATUS_SUCCESS;
}

static void IgReplayLog(void *Context, IG_LOG_LEVEL Level, const char *Message)
{
    INTRO_REPLAY *r = Context;
    PFUNC_IntReplayLogSink sink;
    void *sinkContext;

    pthread_mutex_lock(&r->Lock);
    sink = r->LogSink;
    sinkContext = r->SinkContext;
    pthread_mutex_unlock(&r->Lock);
    if (sink)
    {
        sink(sinkContext, Level, Message);
    }
}

static const INTRO_BACKEND gIgReplayBackend = {
    .Version = INTRO_BACKEND_VERSION,
    .Size = sizeof(INTRO_BACKEND),
    .GetInfo = IgReplayGetInfo,
    .MapPage = IgReplayMapPage,
    .UnmapPage = IgReplayUnmapPage,
    .GetRegisters = IgReplayGetRegisters,
    .SetRegisters = IgReplaySetRegisters,
    .GetAccess = IgReplayGetAccess,
    .SetAccess = IgReplaySetAccess,
    .FlushAccess = NULL, /* changes take effect at once */
    .SetMonitor = IgReplaySetMonitor,
    .Pause = IgReplayPause,
    .Resume = IgReplayResume,
    .Alert = IgReplayAlert,
    .Log = IgReplayLog,
};

const INTRO_BACKEND *IntReplayBackend(void)
{
    return &gIgReplayBackend;
}
