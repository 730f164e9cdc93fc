/*
 * The replay backend's private state, shared by replay_backend.c (the backend table and the
 * caller's side) and replay_map.c (page tables made for memory declared by virtual address).
 */
#ifndef INTROGUARD_REPLAY_INT_H
#define INTROGUARD_REPLAY_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "introguard/glue_replay.h"

#define IG_REPLAY_PAGE 0x1000u
#define IG_REPLAY_GFN_LIMIT (1ull << 40) /* 52-bit guest-physical addresses */
#define IG_REPLAY_MAX_MSRS 64u
#define IG_REPLAY_RWX (IG_EPT_HOOK_READ | IG_EPT_HOOK_WRITE | IG_EPT_HOOK_EXECUTE)

/*
 * A map from guest frame numbers to 32-bit values, open addressing with linear probing.  Used
 * for the added pages (value: index into Pages) and for the EPT rights that differ from rwx.
 */
typedef struct IG_GFN_MAP
{
    QWORD *Keys; /* gfn + 1; 0 = empty */
    uint32_t *Values;
    uint32_t Mask; /* capacity - 1; capacity is a power of two */
    uint32_t Count;
} IG_GFN_MAP;

struct _INTRO_REPLAY
{
    pthread_mutex_t Lock;
    DWORD VcpuCount;
    INTRO_BACKEND_REGS *Regs;

    IG_GFN_MAP PageIndex;
    uint8_t **Pages; /* page data, IG_REPLAY_PAGE bytes each, page-aligned: reads map them in place */
    uint32_t PageCount;
    uint32_t PageCapacity;
    void **Copies;              /* pages handed out as copies (writable maps, image frames), freed on unmap */
    _Atomic uint32_t CopyCount; /* read without the lock by UnmapPage: 0 means every map is in place */
    uint32_t CopyCapacity;
    QWORD MaxPageGfn;
    FILE *Image;
    QWORD ImageSize;
    QWORD NextFrame; /* where IntReplayMapVirtual takes its next new frame */

    IG_GFN_MAP Access; /* frames whose rights are not rwx */
    DWORD Msrs[IG_REPLAY_MAX_MSRS];
    uint32_t MsrCount;
    DWORD CrMask; /* bit n: CR n writes monitored */
    bool Dtr;
    int PauseDepth;

    PFUNC_IntReplayAlertSink AlertSink;
    PFUNC_IntReplayLogSink LogSink;
    void *SinkContext;
};

/* Lookups and inserts in a frame map (the caller holds the replay's lock). */
bool IgGfnFind(const IG_GFN_MAP *Map, QWORD Gfn, uint32_t *Value);
bool IgGfnPut(IG_GFN_MAP *Map, QWORD Gfn, uint32_t Value);

/*
 * The page at Gfn as a writable store page, added (zeroed, or copied from the image) when missing.
 * Under the lock; NULL when out of memory or past INTRO_REPLAY_MAX_PAGES.
 */
uint8_t *IgReplayStorePage(INTRO_REPLAY *Replay, QWORD Gfn);

#endif /* INTROGUARD_REPLAY_INT_H */
