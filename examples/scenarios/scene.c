/*
 * One event of a scenario, from the run of its routine to its records in the trace.
 */
#include <string.h>

#include "scenario.h"

#define SC_STACK_SIZE 0x2000ull
#define SC_STACK_STRIDE 0x6000ull  /* stacks are apart, as threads' are */
#define SC_SECTION_MAX 0xc00ull    /* the layouts put data after the section from there on */
#define SC_STACK_HEADROOM 0x200ull /* above the entry RSP: the 64 slots a stack scan reads */

uint64_t ScSceneStack(SC_SCENE *S, SC_RUN *R, uint64_t Cr3, bool User)
{
    uint64_t base = (User ? S->UserStacks : S->KernelStacks) + S->Threads++ * SC_STACK_STRIDE;

    if (!ScRunMap(R, Cr3, base, SC_STACK_SIZE))
    {
        S->Failed = true;
        return 0;
    }
    return base + SC_STACK_SIZE - SC_STACK_HEADROOM;
}

void ScScenePlaceCode(SC_SCENE *S, uint64_t Cr3, uint64_t Gva, uint8_t Fill)
{
    size_t size = 0;
    const uint8_t *code = ScSectionBytes(&size);
    uint64_t end = (Gva + size + SC_PAGE_SIZE - 1) & SC_PAGE_MASK;

    if (size > SC_SECTION_MAX)
    {
        fprintf(stderr, "make_scenarios: the guest section is 0x%zx bytes, more than the 0x%llx the layouts leave\n",
                size, SC_SECTION_MAX);
        S->Failed = true;
        return;
    }
    ScGuestWrite(&S->Guest, Cr3, Gva, code, size);
    ScGuestFill(&S->Guest, Cr3, Gva + size, Fill, (size_t)(end - (Gva + size)));
}

/* Runs the routine; on the expected fault declares what the run left and the vCPU's state. */
static bool ScSceneRun(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva,
                       const char *Note, SC_FAULT_KIND Kind)
{
    bool ok = ScRunExecute(R, Routine, StackGva, Kind);

    ScRunRelease(R);
    if (!ok || S->Guest.Failed)
    {
        fprintf(stderr, "make_scenarios: %s: the run failed (%s)\n", S->Trace.Path, Note);
        S->Failed = true;
        return false;
    }
    ScNote(&S->Trace, Note);
    ScGuestEmit(&S->Guest, &S->Trace);
    ScVcpu(&S->Trace, C->Vcpu, C->Ring, &R->Vcpu, C->Cr3, C->Cr4, C->GsBase);
    return true;
}

bool ScSceneWrite(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                  const SC_EXPECT *Expect)
{
    if (!ScSceneRun(S, R, C, Routine, StackGva, Note, ScFaultWrite))
    {
        return false;
    }
    ScExpect(&S->Trace, ScEpt(&S->Trace, C->Vcpu, R->FaultGva), Expect);
    return true;
}

bool ScSceneMsr(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                uint32_t Msr, uint64_t Old, uint64_t New, const SC_EXPECT *Expect)
{
    if (!ScSceneRun(S, R, C, Routine, StackGva, Note, ScFaultPrivileged))
    {
        return false;
    }
    /* WRMSR writes EDX:EAX to the MSR in ECX: the registers must say what the exit reports. */
    if ((uint32_t)R->Vcpu.Gpr[SC_RCX] != Msr || (uint32_t)R->Vcpu.Gpr[SC_RAX] != (uint32_t)New ||
        (uint32_t)R->Vcpu.Gpr[SC_RDX] != (uint32_t)(New >> 32))
    {
        fprintf(stderr, "make_scenarios: %s: WRMSR registers disagree with the event (%s)\n", S->Trace.Path, Note);
        S->Failed = true;
        return false;
    }
    ScExpect(&S->Trace, ScMsrEvent(&S->Trace, C->Vcpu, Msr, Old, New), Expect);
    return true;
}

bool ScSceneCr4(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                uint64_t New, const SC_EXPECT *Expect)
{
    if (!ScSceneRun(S, R, C, Routine, StackGva, Note, ScFaultPrivileged))
    {
        return false;
    }
    ScExpect(&S->Trace, ScCrEvent(&S->Trace, C->Vcpu, 4, C->Cr4, New), Expect);
    return true;
}

bool ScSceneLidt(SC_SCENE *S, SC_RUN *R, const SC_CONTEXT *C, const void *Routine, uint64_t StackGva, const char *Note,
                 const SC_EXPECT *Expect)
{
    if (!ScSceneRun(S, R, C, Routine, StackGva, Note, ScFaultPrivileged))
    {
        return false;
    }
    ScExpect(&S->Trace, ScDtrEvent(&S->Trace, C->Vcpu, "idtr"), Expect);
    return true;
}
