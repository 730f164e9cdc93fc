/*
 * The lock of a per-process state block (INTRO_EXC_PROCESS_STATE.Lock) and the caller's two ways
 * in while evaluations run.  The block is the caller's plain struct, so the lock is a plain
 * 32-bit word driven with the compiler's atomic builtins; it guards a handful of loads and stores,
 * never a guest read, so waiters spin.
 */
#include "exceptions_int.h"

#include "../common/invariant.h"

#include <stddef.h>
#include <string.h>

void IgProcessStateLock(INTRO_EXC_PROCESS_STATE *State)
{
    while (__atomic_exchange_n(&State->Lock, 1u, __ATOMIC_ACQUIRE) != 0)
    {
        while (__atomic_load_n(&State->Lock, __ATOMIC_RELAXED) != 0)
        {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
    }
}

void IgProcessStateUnlock(INTRO_EXC_PROCESS_STATE *State)
{
    IG_ASSERT(__atomic_load_n(&State->Lock, __ATOMIC_RELAXED) == 1u); /* released by its holder, once */
    __atomic_store_n(&State->Lock, 0u, __ATOMIC_RELEASE);
}

INTSTATUS IntExceptProcessStateSetInitializing(INTRO_EXC_PROCESS_STATE *State, bool StartInitializing)
{
    if (!State)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    IgProcessStateLock(State);
    State->StartInitializing = StartInitializing;
    IgProcessStateUnlock(State);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExceptProcessStateRead(INTRO_EXC_PROCESS_STATE *State, INTRO_EXC_PROCESS_STATE *Copy)
{
    if (!State)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Copy)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    _Static_assert(offsetof(INTRO_EXC_PROCESS_STATE, Lock) + sizeof(State->Lock) == sizeof(INTRO_EXC_PROCESS_STATE),
                   "the lock is the last member: everything before it is copied");
    IgProcessStateLock(State);
    memcpy(Copy, State, offsetof(INTRO_EXC_PROCESS_STATE, Lock)); /* the lock word itself only atomically */
    IgProcessStateUnlock(State);
    Copy->Lock = 0;
    return INT_STATUS_SUCCESS;
}
