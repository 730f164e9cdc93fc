/*
 * Runs a guest routine on the host to find the vCPU state of the event it causes.
 *
 * The guest's memory that the routine touches is mapped as stand-ins (page-aligned copies of the
 * guest's bytes); what a zone protects is made read-only.  The routine is entered with every
 * general-purpose register set by the caller and RSP inside a stand-in stack, and runs until it
 * faults: a write into a read-only stand-in page (what an EPT write violation is in the guest) or
 * #GP on a privileged instruction (WRMSR, MOV CR4, LIDT: what an MSR, CR or descriptor-table exit
 * is).  The fault's register state is the vCPU's at the event, once host addresses are turned into
 * the guest addresses they stand for.  So the trace's registers are what the compiled instruction
 * really had, whatever code the compiler chose.
 *
 * Signal handlers cannot take a context argument, so the one run in progress is kept in a static.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "guest_code.h"
#include "scenario.h"

#define SC_ALTSTACK_SIZE (64 * 1024)
#define SC_RFLAGS_RF 0x10000ull

/*
 * ScEnter(Regs, StackTop, Routine): saves the host's callee-saved registers and RSP, switches to
 * StackTop, leaves 32 bytes of home space (Microsoft x64 callees may spill their arguments there),
 * sets RFLAGS to a fixed value, loads all general-purpose registers but RSP and R11 from Regs
 * (R11 carries the routine) and calls it.  A routine that returns comes back through
 * ScEnterReturn; a fault does not come back at all (the signal handler jumps out).
 */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl ScEnter\n"
        ".hidden ScEnter\n"
        ".type ScEnter, @function\n"
        "ScEnter:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    mov %rsp, ScHostRsp(%rip)\n"
        "    mov %rsi, %rsp\n"
        "    sub $32, %rsp\n"
        "    pushq $0x202\n"
        "    popfq\n"
        "    mov %rdx, %r11\n"
        "    mov 0(%rdi), %rax\n"
        "    mov 8(%rdi), %rcx\n"
        "    mov 16(%rdi), %rdx\n"
        "    mov 24(%rdi), %rbx\n"
        "    mov 40(%rdi), %rbp\n"
        "    mov 48(%rdi), %rsi\n"
        "    mov 64(%rdi), %r8\n"
        "    mov 72(%rdi), %r9\n"
        "    mov 80(%rdi), %r10\n"
        "    mov 96(%rdi), %r12\n"
        "    mov 104(%rdi), %r13\n"
        "    mov 112(%rdi), %r14\n"
        "    mov 120(%rdi), %r15\n"
        "    mov 56(%rdi), %rdi\n"
        "    call *%r11\n"
        ".globl ScEnterReturn\n"
        ".hidden ScEnterReturn\n"
        "ScEnterReturn:\n"
        "    mov ScHostRsp(%rip), %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size ScEnter, . - ScEnter\n"
        ".bss\n"
        ".p2align 3\n"
        "ScHostRsp:\n"
        "    .zero 8\n"
        ".text\n");

void ScEnter(const uint64_t *Regs, uint64_t StackTop, const void *Routine);
extern const char ScEnterReturn[];

/* What the handler saw; sigsetjmp/siglongjmp leave the routine's stack behind. */
typedef struct SC_CAPTURE
{
    sigjmp_buf Jump;
    bool Faulted;
    int Trap;
    uint64_t Error;
    uint64_t Address;
    uint64_t Gpr[SC_GPR_COUNT];
    uint64_t Rip;
    uint64_t Rflags;
} SC_CAPTURE;

static SC_CAPTURE *ScActive;

static void ScOnFault(int Signal, siginfo_t *Info, void *Context)
{
    static const int order[SC_GPR_COUNT] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                            REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    const greg_t *gregs = ((const ucontext_t *)Context)->uc_mcontext.gregs;
    SC_CAPTURE *c = ScActive;

    (void)Signal;
    for (int i = 0; i < SC_GPR_COUNT; i++)
    {
        c->Gpr[i] = (uint64_t)gregs[order[i]];
    }
    c->Rip = (uint64_t)gregs[REG_RIP];
    c->Rflags = (uint64_t)gregs[REG_EFL];
    c->Trap = (int)gregs[REG_TRAPNO];
    c->Error = (uint64_t)gregs[REG_ERR];
    c->Address = (uint64_t)(uintptr_t)Info->si_addr;
    c->Faulted = true;
    siglongjmp(c->Jump, 1);
}

void ScRunInit(SC_RUN *R, SC_GUEST *Guest, uint64_t CodeBase, uint64_t CallerBase)
{
    memset(R, 0, sizeof(*R));
    R->Guest = Guest;
    R->CodeBase = CodeBase;
    R->CallerBase = CallerBase;
}

const uint8_t *ScSectionBytes(size_t *Size)
{
    *Size = (size_t)(__stop_guest_text - __start_guest_text);
    return __start_guest_text;
}

uint64_t ScGuestCode(uint64_t CopyBase, const void *Routine)
{
    return CopyBase + (uint64_t)((const uint8_t *)Routine - __start_guest_text);
}

uint8_t *ScRunMap(SC_RUN *R, uint64_t Cr3, uint64_t Gva, size_t Size)
{
    uint64_t start = Gva & SC_PAGE_MASK;
    size_t size = (size_t)(((Gva + Size + SC_PAGE_SIZE - 1) & SC_PAGE_MASK) - start);
    SC_MAP *m;
    void *host;

    if (R->MapCount == SC_RUN_MAPS)
    {
        R->Failed = true;
        return NULL;
    }
    host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (host == MAP_FAILED)
    {
        R->Failed = true;
        return NULL;
    }
    m = &R->Maps[R->MapCount++];
    m->Cr3 = Cr3;
    m->Gva = start;
    m->Size = size;
    m->Host = host;
    ScGuestRead(R->Guest, Cr3, start, host, size);
    return m->Host + (Gva - start);
}

static SC_MAP *ScMapOfGva(SC_RUN *R, uint64_t Gva)
{
    for (uint32_t i = 0; i < R->MapCount; i++)
    {
        if (Gva - R->Maps[i].Gva < R->Maps[i].Size)
        {
            return &R->Maps[i];
        }
    }
    return NULL;
}

static SC_MAP *ScMapOfHost(SC_RUN *R, uint64_t Host)
{
    for (uint32_t i = 0; i < R->MapCount; i++)
    {
        if (Host - (uint64_t)(uintptr_t)R->Maps[i].Host < R->Maps[i].Size)
        {
            return &R->Maps[i];
        }
    }
    return NULL;
}

void ScRunProtect(SC_RUN *R, uint64_t Gva, size_t Size)
{
    SC_MAP *m = ScMapOfGva(R, Gva);
    uint64_t start = Gva & SC_PAGE_MASK;
    uint64_t end = (Gva + Size + SC_PAGE_SIZE - 1) & SC_PAGE_MASK;

    if (!m || end - m->Gva > m->Size || mprotect(m->Host + (start - m->Gva), end - start, PROT_READ) != 0)
    {
        R->Failed = true;
    }
}

uint64_t ScRunHost(SC_RUN *R, uint64_t Gva)
{
    SC_MAP *m = ScMapOfGva(R, Gva);

    if (!m)
    {
        R->Failed = true;
        return 0;
    }
    return (uint64_t)(uintptr_t)(m->Host + (Gva - m->Gva));
}

static bool ScInSection(uint64_t Host)
{
    return Host - (uint64_t)(uintptr_t)__start_guest_text < (uint64_t)(__stop_guest_text - __start_guest_text);
}

/* A host value in guest terms: a stand-in address becomes its guest address, code its copy's. */
static uint64_t ScTranslate(SC_RUN *R, uint64_t Value, uint64_t CopyBase, bool *Known)
{
    SC_MAP *m = ScMapOfHost(R, Value);

    *Known = true;
    if (m)
    {
        return m->Gva + (Value - (uint64_t)(uintptr_t)m->Host);
    }
    if (ScInSection(Value))
    {
        return CopyBase + (Value - (uint64_t)(uintptr_t)__start_guest_text);
    }
    *Known = false;
    return Value;
}

/* The stack from RSP to the end of its stand-in, in guest terms, into the guest's memory. */
static void ScRunSaveStack(SC_RUN *R, const SC_MAP *Stack, uint64_t HostRsp)
{
    uint64_t end = (uint64_t)(uintptr_t)Stack->Host + Stack->Size;
    size_t size = (size_t)(end - HostRsp);
    uint64_t *slots = malloc(size);

    if (!slots)
    {
        R->Failed = true;
        return;
    }
    memcpy(slots, (const void *)(uintptr_t)HostRsp, size);
    for (size_t i = 0; i < size / 8; i++)
    {
        bool known;

        /* The entry stub's return address is host code: the guest has nothing there. */
        slots[i] = slots[i] == (uint64_t)(uintptr_t)ScEnterReturn ? 0 : ScTranslate(R, slots[i], R->CallerBase, &known);
    }
    ScGuestWrite(R->Guest, Stack->Cr3, Stack->Gva + (HostRsp - (uint64_t)(uintptr_t)Stack->Host), slots, size);
    free(slots);
}

static bool ScRunCapture(SC_RUN *R, const SC_CAPTURE *C, SC_FAULT_KIND Expected)
{
    const SC_MAP *stack = ScMapOfHost(R, C->Gpr[SC_RSP]);
    bool known;

    R->Kind = C->Trap == 14 && (C->Error & 2) ? ScFaultWrite : C->Trap == 13 ? ScFaultPrivileged : ScFaultNone;
    if (R->Kind != Expected || !ScInSection(C->Rip) || !stack)
    {
        fprintf(stderr, "make_scenarios: unexpected fault (trap %d, error 0x%llx, rip 0x%llx, address 0x%llx)\n",
                C->Trap, (unsigned long long)C->Error, (unsigned long long)C->Rip, (unsigned long long)C->Address);
        return false;
    }
    for (int i = 0; i < SC_GPR_COUNT; i++)
    {
        R->Vcpu.Gpr[i] = ScTranslate(R, C->Gpr[i], R->CodeBase, &known);
    }
    R->Vcpu.Rip = ScTranslate(R, C->Rip, R->CodeBase, &known);
    R->Vcpu.Rflags = C->Rflags & ~SC_RFLAGS_RF; /* the host's fault delivery sets RF; a guest exit does not */
    if (R->Kind == ScFaultWrite)
    {
        R->FaultGva = ScTranslate(R, C->Address, R->CodeBase, &known);
        if (!known)
        {
            fprintf(stderr, "make_scenarios: a write faulted outside the stand-ins (0x%llx)\n",
                    (unsigned long long)C->Address);
            return false;
        }
    }
    ScRunSaveStack(R, stack, C->Gpr[SC_RSP]);
    return !R->Failed;
}

/* Kept apart so that nothing it holds lives across the jump back from the handler. */
static __attribute__((noinline)) void ScRunEnter(SC_CAPTURE *Capture, const uint64_t *Regs, uint64_t StackTop,
                                                 const void *Routine)
{
    if (sigsetjmp(Capture->Jump, 1) == 0)
    {
        ScEnter(Regs, StackTop, Routine);
    }
}

bool ScRunExecute(SC_RUN *R, const void *Routine, uint64_t StackGva, SC_FAULT_KIND Expected)
{
    static const int signals[] = {SIGSEGV, SIGBUS, SIGILL};
    struct sigaction action;
    struct sigaction previous[3];
    SC_CAPTURE capture;
    stack_t alternate = {0};
    stack_t old = {0};
    uint64_t stackTop = ScRunHost(R, StackGva);
    bool ok = false;

    if (R->Failed || !stackTop)
    {
        return false;
    }
    memset(&capture, 0, sizeof(capture));
    alternate.ss_sp = malloc(SC_ALTSTACK_SIZE);
    alternate.ss_size = SC_ALTSTACK_SIZE;
    if (!alternate.ss_sp || sigaltstack(&alternate, &old) != 0)
    {
        free(alternate.ss_sp);
        return false;
    }
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = ScOnFault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < 3; i++)
    {
        sigaction(signals[i], &action, &previous[i]);
    }
    ScActive = &capture;
    ScRunEnter(&capture, R->Regs, stackTop, Routine);
    ScActive = NULL;
    for (size_t i = 0; i < 3; i++)
    {
        sigaction(signals[i], &previous[i], NULL);
    }
    sigaltstack(&old, NULL);
    free(alternate.ss_sp);

    if (!capture.Faulted)
    {
        fprintf(stderr, "make_scenarios: the routine returned without the expected fault\n");
    }
    else
    {
        ok = ScRunCapture(R, &capture, Expected);
    }
    return ok;
}

void ScRunRelease(SC_RUN *R)
{
    for (uint32_t i = 0; i < R->MapCount; i++)
    {
        munmap(R->Maps[i].Host, R->Maps[i].Size);
    }
    R->MapCount = 0;
}
