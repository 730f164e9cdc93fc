/*
 * introguard glue: the replay backend, a guest made of recorded state.
 *
 * The backend the library runs on where no hypervisor exists (this repository's tests and the
 * `introguard replay` command): guest-physical memory from pages the caller adds and from a raw
 * memory image (file offset = guest-physical address), vCPU registers from snapshots the caller
 * sets, and a model of the hypervisor's side: EPT rights per frame, the exits the library turned
 * on, a pause count, and an alert sink.  Nothing is read from the host but the image file.
 *
 *     INTRO_REPLAY *replay;
 *     INTRO_GLUE_GUEST *guest;
 *
 *     IntReplayCreate(2, &replay);                            // two vCPUs
 *     IntReplayAddPage(replay, 0x1000, bytes);                // or IntReplaySetImage
 *     IntReplaySetRegisters(replay, 0, &regs);
 *     IntGlueGuestCreate(IntReplayBackend(), replay, &guest); // then IntInit as in glue.h
 *
 * One INTRO_REPLAY serves one glue guest.  Its calls may come from several threads; a mutex
 * guards the state.  Pages handed to the library are copies, so nothing the caller changes later
 * is seen by a read in progress.
 */
#ifndef INTROGUARD_GLUE_REPLAY_H
#define INTROGUARD_GLUE_REPLAY_H

#include <stdio.h>

#include "glue.h"

#ifdef __cplusplus
extern "C"
{
#endif

    typedef struct _INTRO_REPLAY INTRO_REPLAY;

/* Caps that keep a hostile trace from exhausting the host. */
#define INTRO_REPLAY_MAX_VCPUS 256u
#define INTRO_REPLAY_MAX_PAGES 65536u /* pages added by the caller (256 MiB) */

    /*
     * A replay guest with VcpuCount vCPUs (1 to INTRO_REPLAY_MAX_VCPUS), no memory, zeroed registers,
     * every frame rwx, no exit enabled.  Free with IntReplayDestroy.
     * Returns INVALID_PARAMETER_1 / _2 or INSUFFICIENT_RESOURCES on failure.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntReplayCreate(uint32_t VcpuCount, INTRO_REPLAY **Replay);

    /* Frees a replay guest (NULL allowed); the image file stays the caller's. */
    INTROGUARD_API void IntReplayDestroy(INTRO_REPLAY *Replay);

    /* The backend table to give IntGlueGuestCreate, with the INTRO_REPLAY as its context. */
    INTROGUARD_API const INTRO_BACKEND *IntReplayBackend(void);

    /*
     * Adds (or replaces) the 4 KiB page at page-aligned Gpa, copied from Data.  Pages added this way
     * take precedence over the image.  INVALID_PARAMETER_2 for an unaligned Gpa or one beyond the
     * architectural 52 bits; INSUFFICIENT_RESOURCES past INTRO_REPLAY_MAX_PAGES.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntReplayAddPage(INTRO_REPLAY *Replay, unsigned long long Gpa,
                                                                    const void *Data);

    /*
     * Forgets every page added with IntReplayAddPage (the image stays).  The library reads added
     * pages in place: call it between events, never while an event or a call into the library runs.
     */
    INTROGUARD_API void IntReplayClearPages(INTRO_REPLAY *Replay);

    /*
     * Uses Image (Size bytes; file offset = guest-physical address) for the frames no added page
     * covers.  The caller keeps Image open until the replay is destroyed or the image is replaced;
     * NULL removes it.  The highest frame the guest has becomes the larger of the image's last
     * frame and the highest added page.
     */
    INTROGUARD_API void IntReplaySetImage(INTRO_REPLAY *Replay, FILE *Image, unsigned long long Size);

    /* Paging modes of IntReplayMapVirtual. */
#define INTRO_REPLAY_PAGING_32BIT 1u /* 2-level, 4-byte entries */
#define INTRO_REPLAY_PAGING_PAE 2u   /* 3-level, 8-byte entries */
#define INTRO_REPLAY_PAGING_4LEVEL 3u
#define INTRO_REPLAY_PAGING_5LEVEL 4u
#define INTRO_REPLAY_MAX_MAP (16u * 1024u * 1024u) /* bytes one IntReplayMapVirtual may declare */

    /*
     * Declares Length bytes at Gva in the address space Cr3 (walked with Paging): the page tables
     * under Cr3 that would map them are made (or followed where they exist) and the bytes are written
     * into the frames they map, so the library's page walk reads them back.  New tables and frames
     * are taken above every frame the guest already has; declare physical pages first.  Ranges that
     * touch are read across.  INVALID_PARAMETER_3 for an unknown paging mode, _4 for an address the
     * mode cannot map, _5 for no data or a range that wraps or exceeds INTRO_REPLAY_MAX_MAP;
     * NOT_SUPPORTED when a huge page is in the way; INSUFFICIENT_RESOURCES past the page cap.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntReplayMapVirtual(INTRO_REPLAY *Replay, unsigned long long Cr3,
                                                                       uint32_t Paging, unsigned long long Gva,
                                                                       const void *Data, size_t Length);

    /*
     * The guest-physical address of Gva in Cr3 under Paging, by the page tables the replay holds (no
     * table is made).  PAGE_NOT_PRESENT when it is not mapped; the parameter errors of IntReplayMapVirtual.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntReplayTranslate(INTRO_REPLAY *Replay, unsigned long long Cr3,
                                                                      uint32_t Paging, unsigned long long Gva,
                                                                      unsigned long long *Gpa);

    /* Sets the state of vCPU Vcpu (copied).  INVALID_PARAMETER_2 for a vCPU the guest lacks. */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntReplaySetRegisters(INTRO_REPLAY *Replay, uint32_t Vcpu,
                                                                         const INTRO_BACKEND_REGS *Regs);

    /* The EPT rights of Gfn in the default view: a mask of IG_EPT_HOOK_* meaning "allowed". */
    INTROGUARD_API uint8_t IntReplayAccess(INTRO_REPLAY *Replay, unsigned long long Gfn);

    /* Whether the library has the exit of Kind / Index switched on. */
    INTROGUARD_API bool IntReplayMonitorEnabled(INTRO_REPLAY *Replay, INTRO_BACKEND_MONITOR Kind, uint32_t Index);

    /* Pause calls not yet matched by resumes: 0 when balanced. */
    INTROGUARD_API int IntReplayPauseDepth(INTRO_REPLAY *Replay);

    /*
     * Where alerts and log lines go.  Sink is called for each alert the library raises (Event lives
     * only during the call); Log for each log line about the guest.  Either may be NULL (dropped).
     */
    typedef void (*PFUNC_IntReplayAlertSink)(void *Context, uint32_t EventClass, const void *Event, size_t Size);
    typedef void (*PFUNC_IntReplayLogSink)(void *Context, IG_LOG_LEVEL Level, const char *Message);
    INTROGUARD_API void IntReplaySetSinks(INTRO_REPLAY *Replay, PFUNC_IntReplayAlertSink Alert,
                                          PFUNC_IntReplayLogSink Log, void *Context);

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_GLUE_REPLAY_H */
