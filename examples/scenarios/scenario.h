/*
 * The scenario generator's parts: a writer of version-2 replay traces (trace_out.c), a model of
 * guest memory (guest_memory.c), and the runner that executes a guest routine on the host against
 * stand-ins of guest memory and turns the fault it takes into the guest vCPU's state (native_run.c).
 * windows10.c and linux.c describe the two guests.
 */
#ifndef SCENARIOS_SCENARIO_H
#define SCENARIOS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The compiler of the guest code, named in each trace's header (it decides the bytes and RIPs). */
#define SC_STRING(x) #x
#define SC_VERSION(a, b, c) SC_STRING(a) "." SC_STRING(b) "." SC_STRING(c)
#if defined(__clang__)
#define SC_COMPILER "clang " SC_VERSION(__clang_major__, __clang_minor__, __clang_patchlevel__)
#else
#define SC_COMPILER "gcc " __VERSION__
#endif

#define SC_PAGE_SIZE 0x1000ull
#define SC_PAGE_MASK (~(SC_PAGE_SIZE - 1))

/* ---- Trace output ----------------------------------------------------------------------------------------------- */

typedef struct SC_TRACE
{
    FILE *File;
    const char *Path;
    uint32_t Seq;    /* the last event's */
    uint32_t Events; /* event records written */
    bool Failed;     /* a write failed */
} SC_TRACE;

/* General-purpose registers in encoding order, then RIP and RFLAGS. */
enum
{
    SC_RAX,
    SC_RCX,
    SC_RDX,
    SC_RBX,
    SC_RSP,
    SC_RBP,
    SC_RSI,
    SC_RDI,
    SC_R8,
    SC_R9,
    SC_R10,
    SC_R11,
    SC_R12,
    SC_R13,
    SC_R14,
    SC_R15,
    SC_GPR_COUNT
};

typedef struct SC_REGS
{
    uint64_t Gpr[SC_GPR_COUNT];
    uint64_t Rip;
    uint64_t Rflags;
} SC_REGS;

typedef struct SC_SECTION
{
    const char *Name;
    uint32_t Rva;
    uint32_t Size;
    const char *Flags; /* JSON array body: "\"code\",\"execute\"" */
} SC_SECTION;

typedef struct SC_MODULE
{
    const char *Name;
    uint64_t Base;
    uint64_t Size;
    uint64_t Entry;   /* 0: none */
    int Pid;          /* -1: a kernel module */
    const char *Role; /* "kernel", "hal" or NULL */
    SC_SECTION Sections[6];
} SC_MODULE;

typedef struct SC_PROCESS
{
    uint32_t Pid;
    uint32_t Parent;
    const char *Name;
    uint64_t Cr3;
    uint64_t Address; /* EPROCESS / task_struct */
    const char *Path;
    const char *CommandLine;
    bool System;
} SC_PROCESS;

typedef struct SC_ZONE
{
    const char *Id;
    const char *Object; /* victim object type: "km-module", "driver-object", "um-module", "vdso", ... */
    const char *Access; /* JSON array body: "\"write\"" */
    uint64_t Gva;
    uint64_t Size;
    int Pid;          /* -1: the kernel */
    uint64_t Owner;   /* owning module's base, 0: none */
    const char *Name; /* victim name when not the owner's, or NULL */
    bool FeedbackOnly;
} SC_ZONE;

/* What an event must produce. Exception: record index in the exceptions file, -1 for none. */
typedef struct SC_EXPECT
{
    const char *Action; /* "allowed", "not_allowed", "not_delivered" */
    const char *Reason; /* NULL when not checked (not_delivered) */
    int Exception;
    bool Alert;
} SC_EXPECT;

bool ScTraceOpen(SC_TRACE *T, const char *Directory, const char *Name);
bool ScTraceClose(SC_TRACE *T);
void ScHeader(SC_TRACE *T, const char *GuestJson, const char *Producer);
void ScNote(SC_TRACE *T, const char *Text);
void ScMemory(SC_TRACE *T, uint64_t Gva, uint64_t Cr3, const uint8_t *Data, size_t Size);
void ScModule(SC_TRACE *T, const SC_MODULE *Module);
void ScProcess(SC_TRACE *T, const SC_PROCESS *Process);
void ScZone(SC_TRACE *T, const SC_ZONE *Zone);
void ScZoneRegister(SC_TRACE *T, const char *Id, const char *KindAndField);
void ScUnprotect(SC_TRACE *T, const char *Id);
void ScVcpu(SC_TRACE *T, uint32_t Vcpu, uint32_t Ring, const SC_REGS *Regs, uint64_t Cr3, uint64_t Cr4,
            uint64_t GsBase);
uint32_t ScEpt(SC_TRACE *T, uint32_t Vcpu, uint64_t Gva);
uint32_t ScMsrEvent(SC_TRACE *T, uint32_t Vcpu, uint32_t Msr, uint64_t Old, uint64_t New);
uint32_t ScCrEvent(SC_TRACE *T, uint32_t Vcpu, uint32_t Cr, uint64_t Old, uint64_t New);
uint32_t ScDtrEvent(SC_TRACE *T, uint32_t Vcpu, const char *Dtr);
void ScExpect(SC_TRACE *T, uint32_t Seq, const SC_EXPECT *Expect);
void ScEnd(SC_TRACE *T);

/* ---- Guest memory ----------------------------------------------------------------------------------------------- */

typedef struct SC_PAGE
{
    uint64_t Cr3;
    uint64_t Gva; /* page-aligned */
    bool Emitted; /* declared in the trace: it must not change any more */
    uint8_t Bytes[SC_PAGE_SIZE];
} SC_PAGE;

typedef struct SC_GUEST
{
    SC_PAGE **Pages;
    size_t Count;
    size_t Capacity;
    bool Failed; /* out of memory, or a change to a declared page */
} SC_GUEST;

void ScGuestInit(SC_GUEST *G);
void ScGuestFree(SC_GUEST *G);
/* The page holding Gva in address space Cr3, created zero-filled when new (NULL when out of memory). */
SC_PAGE *ScGuestPage(SC_GUEST *G, uint64_t Cr3, uint64_t Gva);
void ScGuestWrite(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, const void *Data, size_t Size);
void ScGuestFill(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, uint8_t Value, size_t Size);
void ScGuestWrite64(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, uint64_t Value);
/* The bytes of [Gva, Gva + Size) (zero where nothing was written); creates no page. */
void ScGuestRead(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, void *Data, size_t Size);
/* Declares every page not declared yet, as one `memory` record per page, in creation order. */
void ScGuestEmit(SC_GUEST *G, SC_TRACE *T);

/* ---- Running guest code on the host ----------------------------------------------------------------------------- */

#define SC_RUN_MAPS 4

typedef struct SC_MAP
{
    uint64_t Cr3;
    uint64_t Gva;
    size_t Size;
    uint8_t *Host;
} SC_MAP;

typedef enum SC_FAULT_KIND
{
    ScFaultNone,
    ScFaultWrite,     /* a page fault on a write: an EPT write violation in the guest */
    ScFaultPrivileged /* #GP on a privileged instruction: an MSR, CR or descriptor-table exit in the guest */
} SC_FAULT_KIND;

/*
 * One run of a guest routine.  Before: map the guest memory it touches (ScRunMap: stand-ins,
 * page-aligned copies of the guest's bytes), protect what the guest's zones protect, and set the
 * arguments in Regs (host addresses of stand-ins, from ScRunHost; values as the guest sees them).
 * Every register is set from Regs, so the state at the fault depends only on them and the code.
 * After: Vcpu holds the vCPU's registers at the fault in guest terms: addresses inside stand-ins
 * become their guest addresses; RIP and code addresses in registers become addresses in the copy of
 * the section at CodeBase (the writer's); code addresses on the stack become addresses in the copy
 * at CallerBase (return addresses into the caller); the stack (from RSP up) is written into the
 * guest's memory.  FaultGva is the guest address of a faulting write.
 */
typedef struct SC_RUN
{
    SC_GUEST *Guest;
    SC_MAP Maps[SC_RUN_MAPS];
    uint32_t MapCount;
    uint64_t CodeBase;
    uint64_t CallerBase;
    uint64_t Regs[SC_GPR_COUNT];
    /* Results. */
    SC_FAULT_KIND Kind;
    SC_REGS Vcpu;
    uint64_t FaultGva;
    bool Failed;
} SC_RUN;

void ScRunInit(SC_RUN *R, SC_GUEST *Guest, uint64_t CodeBase, uint64_t CallerBase);
/* Maps [Gva, Gva + Size) (page-aligned) of address space Cr3; returns the host address of Gva. */
uint8_t *ScRunMap(SC_RUN *R, uint64_t Cr3, uint64_t Gva, size_t Size);
/* Makes [Gva, Gva + Size) read-only (whole pages), so a write there faults as it would in the guest. */
void ScRunProtect(SC_RUN *R, uint64_t Gva, size_t Size);
/* The host address that stands for Gva (a mapped one). */
uint64_t ScRunHost(SC_RUN *R, uint64_t Gva);
/* Runs Routine with the registers of Regs and RSP = StackGva (mapped), until it faults. */
bool ScRunExecute(SC_RUN *R, const void *Routine, uint64_t StackGva, SC_FAULT_KIND Expected);
void ScRunRelease(SC_RUN *R);

/* The guest address of Routine in the copy of the section at CopyBase. */
uint64_t ScGuestCode(uint64_t CopyBase, const void *Routine);
/* The section's bytes and size. */
const uint8_t *ScSectionBytes(size_t *Size);

/* ---- Scenes: a guest, its trace and its events (scene.c) ------------------------------------------------------ */

typedef struct SC_SCENE
{
    SC_TRACE Trace;
    SC_GUEST Guest;
    uint64_t KernelStacks; /* where kernel thread stacks are handed out */
    uint64_t UserStacks;   /* where user thread stacks are handed out */
    uint32_t Threads;
    bool Failed;
} SC_SCENE;

/* Where an event happens: the vCPU, its privilege level, address space, CR4 and GS base. */
typedef struct SC_CONTEXT
{
    uint32_t Vcpu;
    uint32_t Ring;
    uint64_t Cr3;
    uint64_t Cr4;
    uint64_t GsBase;
} SC_CONTEXT;

/* Maps a fresh thread stack into R (in address space Cr3) and returns the RSP to enter with. */
uint64_t ScSceneStack(SC_SCENE *S, SC_RUN *R, uint64_t Cr3, bool User);
/* Copies the compiled section to Gva in address space Cr3 and fills the rest of its page with Fill. */
void ScScenePlaceCode(SC_SCENE *S, uint64_t Cr3, uint64_t Gva, uint8_t Fill);

/*
 * Runs Routine (see SC_RUN) until it faults, then writes the event: the note, the memory the run
 * left (its stack), the vCPU's state and the event record with its expectation.  ScSceneWrite for
 * an EPT write; the others for the register exits, whose values the caller gives (the instruction
 * says what is written, the hypervisor reports old and new).
 */
bool ScSceneWrite(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                  const SC_EXPECT *Expect);
bool ScSceneMsr(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                uint32_t Msr, uint64_t Old, uint64_t New, const SC_EXPECT *Expect);
bool ScSceneCr4(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                uint64_t New, const SC_EXPECT *Expect);
bool ScSceneLidt(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                 const SC_EXPECT *Expect);

/* ---- The guests ------------------------------------------------------------------------------------------------- */

bool ScWriteWindows10(const char *Directory);
bool ScWriteLinux(const char *Directory);

#endif /* SCENARIOS_SCENARIO_H */
