/*
 * A guest brought up the way an integrator brings one up, for the tests that drive the protection
 * pipeline (replay backend, or the Xen backend over the fake Xen): the library's tables with a
 * quiet log, IntInit, the guest's notification, info and system CR3; vCPU 0 in 64-bit mode; memory
 * declared by virtual address (IntReplayMapVirtual makes 4-level page tables); kernel and user
 * modules of three pages; zones.  Every step is asserted to succeed: a failure fails the test.
 *
 * The values that matter to a test (addresses, names, flags) are its arguments, so they stay in
 * the test.
 */
#ifndef INTROGUARD_TEST_REPLAY_GUEST_H
#define INTROGUARD_TEST_REPLAY_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "introguard/glue_replay.h"
#include "introguard/introguard.h"

/* A TracePrint that drops every line: these tests check decisions, not the library's log. */
INTSTATUS RgQuietLog(const CHAR *File, DWORD Line, const CHAR *Format, ...);

/* Changes the filled tables before IntInit (a test that clears the optional members, say). */
typedef void (*RG_TABLES_EDIT)(GLUE_IFACE *Glue, UPPER_IFACE *Upper);

/*
 * IntGlueGuestCreate(Backend, Context), the adapter's tables with RgQuietLog (then Edit, unless
 * NULL), IntInit, NewGuestNotification, IntSetGuestInfo(Info) and, unless SystemCr3 is 0,
 * IntGuestSetSystemCr3.  *Guest and Iface receive the guest and the library side; the caller
 * undoes it (DisableIntro, IntUninit, IntGlueGuestDestroy).
 */
void RgStart(const INTRO_BACKEND *Backend, void *Context, const GUEST_INFO *Info, QWORD SystemCr3, RG_TABLES_EDIT Edit,
             INTRO_GLUE_GUEST **Guest, GLUE_IFACE *Iface);

/* vCPU 0 of Replay running 64-bit code (long mode, 4-level paging) at Rip in address space Cr3, at
 * privilege Ring, with Rax, Rbx and Rsp; every other register zero. */
void RgSetVcpu(INTRO_REPLAY *Replay, uint64_t Cr3, uint64_t Rip, uint32_t Ring, uint64_t Rax, uint64_t Rbx,
               uint64_t Rsp);

/* Length bytes of Data at Gva in address space Cr3 (4-level page tables). */
void RgMap(INTRO_REPLAY *Replay, uint64_t Cr3, uint64_t Gva, const void *Data, size_t Length);

/* A module of three pages at Base: headers, .text at +0x1000 (code), .data at +0x2000 (writable). */
void RgModuleInit(INTRO_GUEST_MODULE *Module, const char *Name, uint64_t Base, uint32_t Flags);

/* RgModuleInit's module, added to process Pid (INTRO_GUEST_KERNEL: the kernel). */
void RgAddModule(INTRO_GLUE_GUEST *Guest, uint32_t Pid, const char *Name, uint64_t Base, uint32_t Flags);

/* A memory zone: Access to [Gva, Gva + Length) of an Object in process Pid, owned by Owner. */
void RgMemoryZone(INTRO_GUEST_ZONE *Zone, uint32_t Object, uint64_t Gva, uint64_t Length, uint32_t Pid, uint64_t Owner,
                  uint32_t Access);

/* A register zone: Kind introZoneMsr, introZoneCr or introZoneDtr, on Index. */
void RgRegisterZone(INTRO_GUEST_ZONE *Zone, uint32_t Kind, uint32_t Index);

/* IntGuestProtect(Zone); the zone's id. */
QWORD RgProtect(INTRO_GLUE_GUEST *Guest, const INTRO_GUEST_ZONE *Zone);

#endif /* INTROGUARD_TEST_REPLAY_GUEST_H */
