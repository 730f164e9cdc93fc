/*
 * The per-process state contract (INTRO_EXC_PROCESS_STATE) under concurrent evaluations: several
 * threads, standing for vCPUs, evaluate violations of one process against one rule set and share
 * its state block.  Exactly one evaluation may consume a one-time exception; the initialisation
 * check's counters must not lose an update; the caller's accessors run alongside.  Also clean
 * under ThreadSanitizer (build with -fsanitize=thread).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "exc_builder.h"

#define N(n) XbNarrow(n)
#define D TF_DEFAULT
#define THREADS 4u

/* a.exe writes 0x100 bytes of private memory of b.exe (WriteProcessMemory). */
static void Inject(INTRO_EXC_VIOLATION *V, INTRO_EXC_PROCESS_STATE *Origin, INTRO_EXC_PROCESS_STATE *Victim,
                   uint32_t OsVersion)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_USER;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = OsVersion;
    V->User.Process.Present = true;
    V->User.Process.NameHash = N("a.exe");
    V->User.Process.Address = 0xA000;
    V->User.Process.State = Origin;
    V->User.NameHash = N("a.exe");
    V->User.Rip = 0x50000;
    V->Victim.ZoneType = INTRO_EXC_ZONE_PROCESS;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    V->Victim.NameHash = N("b.exe");
    V->Victim.Process.Present = true;
    V->Victim.Process.NameHash = N("b.exe");
    V->Victim.Process.Address = 0xB000;
    V->Victim.Process.Peb64Address = 0x7FF000;
    V->Victim.Process.State = Victim;
    V->Victim.u.Injection.Gva = 0x10000; /* outside the PEB */
    V->Victim.u.Injection.Length = 0x100;
}

static IG_RULESET *Load(uint32_t Flags)
{
    IG_TEST_FILE *file = test_malloc(sizeof(*file));
    IG_RULESET *set;

    XbInit(file);
    XbUser(file, N("a.exe"), N("b.exe"), 0, D | Flags, IgUmObjProcess, 0, NULL);
    set = XbLoad(file, IgGuestOsWindows);
    test_free(file);
    return set;
}

typedef struct SHARED
{
    IG_RULESET *Rules;
    INTRO_EXC_PROCESS_STATE Origin;
    INTRO_EXC_PROCESS_STATE Victim;
    uint32_t OsVersion;
    uint32_t Rounds;
    uint32_t PerRound; /* evaluations per thread per round */
    pthread_barrier_t Start;
    pthread_barrier_t Done;
    atomic_uint Allowed;
    atomic_uint Failures;
} SHARED;

static void *Evaluator(void *Arg)
{
    SHARED *s = Arg;

    for (uint32_t round = 0; round < s->Rounds; round++)
    {
        pthread_barrier_wait(&s->Start);
        for (uint32_t k = 0; k < s->PerRound; k++)
        {
            INTRO_EXC_VIOLATION vio;
            INTRO_EXC_VERDICT verdict;

            Inject(&vio, &s->Origin, &s->Victim, s->OsVersion);
            if (IntExceptEvaluate(s->Rules, &vio, &verdict) != INT_STATUS_SUCCESS)
            {
                atomic_fetch_add(&s->Failures, 1);
                continue;
            }
            if (verdict.Action == INTRO_EXC_ACTION_ALLOWED)
            {
                atomic_fetch_add(&s->Allowed, 1);
            }
        }
        pthread_barrier_wait(&s->Done);
    }
    return NULL;
}

static void Run(SHARED *S, void (*BetweenRounds)(SHARED *S, uint32_t Round))
{
    pthread_t threads[THREADS];

    assert_int_equal(pthread_barrier_init(&S->Start, NULL, THREADS + 1), 0);
    assert_int_equal(pthread_barrier_init(&S->Done, NULL, THREADS + 1), 0);
    for (uint32_t t = 0; t < THREADS; t++)
    {
        assert_int_equal(pthread_create(&threads[t], NULL, Evaluator, S), 0);
    }
    for (uint32_t round = 0; round < S->Rounds; round++)
    {
        pthread_barrier_wait(&S->Start);
        pthread_barrier_wait(&S->Done);
        BetweenRounds(S, round);
    }
    for (uint32_t t = 0; t < THREADS; t++)
    {
        pthread_join(threads[t], NULL);
    }
    pthread_barrier_destroy(&S->Start);
    pthread_barrier_destroy(&S->Done);
}

/* Every round, the threads race for b.exe's one-time exception: one wins, the rest are refused. */
static void OneTimeRoundDone(SHARED *S, uint32_t Round)
{
    INTRO_EXC_PROCESS_STATE copy;

    if (atomic_load(&S->Allowed) != 1)
    {
        fail_msg("round %u: %u evaluations consumed the one-time exception", Round, atomic_load(&S->Allowed));
    }
    assert_int_equal(IntExceptProcessStateRead(&S->Victim, &copy), INT_STATUS_SUCCESS);
    assert_true(copy.OneTimeInjectionDone);
    atomic_store(&S->Allowed, 0);
    memset(&S->Victim, 0, sizeof(S->Victim)); /* the threads wait at the barrier: nobody sees it */
}

static void TestOneTimeHasOneWinner(void **State)
{
    static SHARED s;

    (void)State;
    memset(&s, 0, sizeof(s));
    s.Rules = Load(IG_FLG_UM_ONETIME);
    s.OsVersion = 19041;
    s.Rounds = 300;
    s.PerRound = 3;
    Run(&s, OneTimeRoundDone);
    assert_int_equal(atomic_load(&s.Failures), 0);
    IgRuleSetRelease(s.Rules);
}

/* The initialisation check counts every injection into b.exe (build 9200, outside the PEB). */
static void InitRoundDone(SHARED *S, uint32_t Round)
{
    INTRO_EXC_PROCESS_STATE copy;
    uint32_t expected = (Round + 1) * THREADS * S->PerRound;

    assert_int_equal(IntExceptProcessStateRead(&S->Victim, &copy), INT_STATUS_SUCCESS);
    if (copy.InjectionsCount != expected)
    {
        fail_msg("round %u: %u injections counted, %u made", Round, copy.InjectionsCount, expected);
    }
    assert_int_equal(copy.Lock, 0);
    assert_false(copy.Initialized);
}

/* The caller's accessors while evaluations run. */
static void *Caller(void *Arg)
{
    SHARED *s = Arg;
    INTRO_EXC_PROCESS_STATE copy;

    for (uint32_t i = 0; i < 2000; i++)
    {
        if (IntExceptProcessStateSetInitializing(&s->Victim, true) != INT_STATUS_SUCCESS ||
            IntExceptProcessStateRead(&s->Victim, &copy) != INT_STATUS_SUCCESS || !copy.StartInitializing)
        {
            atomic_fetch_add(&s->Failures, 1);
        }
    }
    return NULL;
}

static void TestInitCheckCountsEveryInjection(void **State)
{
    static SHARED s;
    pthread_t caller;

    (void)State;
    memset(&s, 0, sizeof(s));
    s.Rules = Load(IG_FLG_INIT);
    s.OsVersion = 9200;
    s.Rounds = 50;
    s.PerRound = 40;
    assert_int_equal(IntExceptProcessStateSetInitializing(&s.Victim, true), INT_STATUS_SUCCESS);
    assert_int_equal(pthread_create(&caller, NULL, Caller, &s), 0);
    Run(&s, InitRoundDone);
    pthread_join(caller, NULL);
    assert_int_equal(atomic_load(&s.Failures), 0);
    assert_int_equal(atomic_load(&s.Allowed), s.Rounds * THREADS * s.PerRound);
    IgRuleSetRelease(s.Rules);
}

static void TestAccessorArguments(void **State)
{
    INTRO_EXC_PROCESS_STATE state;
    INTRO_EXC_PROCESS_STATE copy;

    (void)State;
    memset(&state, 0, sizeof(state));
    assert_int_equal(IntExceptProcessStateSetInitializing(NULL, true), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntExceptProcessStateRead(NULL, &copy), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntExceptProcessStateRead(&state, NULL), INT_STATUS_INVALID_PARAMETER_2);
    state.InjectionsCount = 3;
    assert_int_equal(IntExceptProcessStateSetInitializing(&state, true), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptProcessStateRead(&state, &copy), INT_STATUS_SUCCESS);
    assert_true(copy.StartInitializing);
    assert_int_equal(copy.InjectionsCount, 3);
    assert_int_equal(state.Lock, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestOneTimeHasOneWinner),
        cmocka_unit_test(TestInitCheckCountsEveryInjection),
        cmocka_unit_test(TestAccessorArguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
