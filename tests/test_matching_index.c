/*
 * The search index must change nothing: random rule sets and random violations are evaluated
 * once through the index and once with hvmi's exhaustive list walks, and the decisions (action,
 * reason, allowing exception) must agree.  Names come from small pools so that originators,
 * victims and buckets collide often.  Deterministic (fixed seed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "exc_builder.h"
#include "test_random.h"

static uint64_t gSeed = 0x9E3779B97F4A7C15ull;

static uint32_t Rand(uint32_t Bound)
{
    return TestRandomBelow(&gSeed, Bound);
}

static uint32_t gNames[8];

static uint32_t RandName(void)
{
    static const uint32_t specials[] = {0, 1, 2, 3, 4, INTRO_EXC_NO_NAME};
    uint32_t r = Rand(14);

    return r < 6 ? specials[r] : gNames[r - 6];
}

static uint32_t RandFlags(void)
{
    static const uint32_t bits[] = {0x1,   0x2,    0x4,    0x8,     0x10,       0x100,      0x200,     0x400,
                                    0x800, 0x1000, 0x8000, 0x10000, 0x10000000, 0x20000000, 0x40000000};
    uint32_t flags = IG_FLG_32 | IG_FLG_64 | IG_FLG_WRITE;

    for (uint32_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
    {
        if (Rand(8) == 0)
        {
            flags ^= bits[i];
        }
    }
    return flags;
}

static const uint32_t kOsPass = IG_SIG_ID_MAKE(IgSigTypeVersionOs, 1);
static const uint32_t kOsFail = IG_SIG_ID_MAKE(IgSigTypeVersionOs, 2);
static const uint32_t kCbError = IG_SIG_ID_MAKE(IgSigTypeCodeBlocks, 2);

/* Rules whose signatures pass, fail, or (CodeError) cannot be evaluated: a code-blocks signature
 * with no code to read is an internal error, as an unreadable page is. */
static void RandomRulesWith(IG_TEST_FILE *F, uint32_t Count, bool CodeError)
{
    XbVersionOs(F, kOsPass, 3, 0, 0xFFFF);
    if (CodeError)
    {
        XbCodeBlocks(F, kCbError, 3, 5);
    }
    else
    {
        XbVersionOs(F, kOsFail, 3, 0, 100);
    }
    for (uint32_t i = 0; i < Count; i++)
    {
        uint32_t sig = Rand(3) == 0 ? (Rand(2) ? kOsPass : CodeError ? kCbError : kOsFail) : 0;
        uint32_t n = sig ? 1 : 0;

        switch (Rand(4))
        {
            case 0:
                XbKernel(F, RandName(), RandName(), RandFlags(), (uint8_t)(Rand(2) ? 1 : Rand(27)), n, &sig);
                break;
            case 1:
                XbUser(F, RandName(), RandName(), Rand(3) ? 0 : RandName(), RandFlags(),
                       (uint8_t)(Rand(2) ? 1 : Rand(17)), n, &sig);
                break;
            case 2:
                XbKernelUser(F, RandName(), RandName(), Rand(3) ? 0 : RandName(), RandFlags(),
                             (uint8_t)(Rand(2) ? 1 : Rand(6)), n, &sig);
                break;
            default:
            {
                static const char *const globs[] = {"*", "a*", "b?.exe", "[ab]*", "c", "zz*"};
                XbGlob(F, globs[Rand(6)], globs[Rand(6)], globs[Rand(6)], RandFlags(),
                       (uint8_t)(Rand(2) ? 1 : Rand(17)), n, &sig);
                break;
            }
        }
    }
}

static void RandomRules(IG_TEST_FILE *F, uint32_t Count)
{
    RandomRulesWith(F, Count, false);
}

static void RandomDriver(INTRO_EXC_KM_DRIVER *D)
{
    D->Present = Rand(4) != 0;
    D->NameHash = D->Present ? RandName() : INTRO_EXC_NO_NAME;
    D->Rip = 0x1000 * (1 + Rand(2));
    strcpy(D->Section, Rand(2) ? "INIT" : ".text");
}

static void RandomViolation(INTRO_EXC_VIOLATION *V, INTRO_EXC_PROCESS_STATE *States)
{
    static const char *const names[] = {"a.exe", "b1.exe", "chrome.exe", "zz"};
    static const uint64_t zoneFlags[] = {INTRO_EXC_ZONE_WRITE,       INTRO_EXC_ZONE_READ,
                                         INTRO_EXC_ZONE_EXECUTE,     INTRO_EXC_ZONE_LIB_CODE,
                                         INTRO_EXC_ZONE_LIB_IMPORTS, INTRO_EXC_ZONE_PROC_THREAD_CTX,
                                         INTRO_EXC_ZONE_MODULE_LOAD};
    const char *name = names[Rand(4)];

    memset(V, 0, sizeof(*V));
    memset(States, 0, 2 * sizeof(*States));
    V->Kind = Rand(3) == 0 ? INTRO_EXC_KIND_KERNEL : (Rand(2) ? INTRO_EXC_KIND_USER : INTRO_EXC_KIND_KERNEL_USER);
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = Rand(4) != 0;
    V->Guest.OsVersion = 19041;
    RandomDriver(&V->Kernel.Original);
    if (Rand(2))
    {
        V->Kernel.Return = V->Kernel.Original;
    }
    else
    {
        RandomDriver(&V->Kernel.Return);
    }
    V->Kernel.InjectionUser = Rand(4) == 0;
    V->Kernel.InjectionKernel = !V->Kernel.InjectionUser && Rand(4) == 0;
    V->Kernel.Process.Present = true;
    V->Kernel.Process.NameHash = RandName();
    V->User.NameHash = RandName();
    V->User.Name.Text = name;
    V->User.Name.Length = (uint32_t)strlen(name);
    V->User.Library = Rand(2);
    V->User.Rip = Rand(2) ? 0x5000 : 0x6000;
    V->User.Return.NameHash = Rand(2) ? 0 : RandName();
    V->User.Return.Library = Rand(2);
    V->User.Return.Rip = 0x5000;
    V->User.Process.Present = true;
    V->User.Process.NameHash = RandName();
    V->User.Process.Name = name;
    V->User.Process.NameLength = (uint32_t)strlen(name);
    V->User.Process.Wow64 = Rand(4) == 0;
    V->User.Process.System = Rand(2);
    V->User.Process.Address = 0xA000;
    V->User.Process.State = &States[0];
    V->Victim.ZoneType = 1 + Rand(7);
    V->Victim.ZoneFlags = Rand(4) ? INTRO_EXC_ZONE_WRITE : 0;
    for (uint32_t i = 0; i < sizeof(zoneFlags) / sizeof(zoneFlags[0]); i++)
    {
        if (Rand(3) == 0)
        {
            V->Victim.ZoneFlags |= zoneFlags[i];
        }
    }
    V->Victim.ObjectType = Rand(42);
    V->Victim.NameHash = RandName();
    V->Victim.Name.Text = names[Rand(4)];
    V->Victim.Name.Length = (uint32_t)strlen(V->Victim.Name.Text);
    V->Victim.Library = Rand(4) == 0;
    V->Victim.Process = V->User.Process;
    V->Victim.Process.NameHash = RandName();
    V->Victim.Process.ParentAddress = Rand(2) ? 0xA000 : 0;
    V->Victim.Process.State = &States[1];
    V->Victim.v.WriteInfo.AccessSize = 8;
    V->Victim.v.WriteInfo.OldValue[0] = Rand(2);
    V->Victim.v.WriteInfo.NewValue[0] = 7;
    V->Victim.u.Cr.Smap = Rand(2);
}

static void InitNames(void)
{
    static const char *const pool[] = {"a.sys", "b.sys", "c.dll", "a.exe", "b1.exe", "chrome.exe", "zz", "q.dll"};

    for (uint32_t i = 0; i < 8; i++)
    {
        gNames[i] = i < 3 || i == 7 ? XbWide(pool[i]) : XbNarrow(pool[i]);
    }
}

/* File's rules twice: as they load (indexed), and set to walk every record as hvmi does. */
static void LoadBoth(IG_TEST_FILE *File, IG_RULESET **Indexed, IG_RULESET **Exhaustive)
{
    *Indexed = XbLoad(File, IgGuestOsWindows);
    *Exhaustive = XbLoad(File, IgGuestOsWindows);
    (*Exhaustive)->Index.Exhaustive = true;
}

/* The next random violation, made twice (each set changes its own copy and states), evaluated by each set. */
static void EvaluateBoth(IG_RULESET *Indexed, IG_RULESET *Exhaustive, INTRO_EXC_VERDICT *Va, INTRO_EXC_VERDICT *Vb,
                         INTRO_EXC_PROCESS_STATE Sa[2], INTRO_EXC_PROCESS_STATE Sb[2])
{
    INTRO_EXC_VIOLATION a, b;
    uint64_t seed = gSeed;

    RandomViolation(&a, Sa);
    gSeed = seed;
    RandomViolation(&b, Sb);
    assert_int_equal(IntExceptEvaluate(Indexed, &a, Va), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptEvaluate(Exhaustive, &b, Vb), INT_STATUS_SUCCESS);
}

static void test_index_changes_nothing(void **state)
{
    uint32_t allowed = 0;
    uint32_t evaluations = 0;

    (void)state;
    InitNames();
    for (uint32_t round = 0; round < 40; round++)
    {
        IG_TEST_FILE *file = test_malloc(sizeof(*file));
        IG_RULESET *indexed, *exhaustive;

        XbInit(file);
        RandomRules(file, 20 + Rand(200));
        LoadBoth(file, &indexed, &exhaustive);

        for (uint32_t k = 0; k < 500; k++)
        {
            INTRO_EXC_PROCESS_STATE sa[2], sb[2];
            INTRO_EXC_VERDICT va, vb;

            EvaluateBoth(indexed, exhaustive, &va, &vb, sa, sb);
            if (va.Action != vb.Action || va.Reason != vb.Reason || va.Matched.Source != vb.Matched.Source ||
                va.Matched.RecordIndex != vb.Matched.RecordIndex || memcmp(sa, sb, sizeof(sa)) != 0)
            {
                fail_msg("round %u violation %u: indexed %u/%u rec %u, exhaustive %u/%u rec %u", round, k, va.Action,
                         va.Reason, va.Matched.RecordIndex, vb.Action, vb.Reason, vb.Matched.RecordIndex);
            }
            assert_true(va.Tried <= vb.Tried);
            allowed += va.Action == INTRO_EXC_ACTION_ALLOWED && va.Matched.Source != INTRO_EXC_SOURCE_NONE;
            evaluations++;
        }
        IgRuleSetRelease(indexed);
        IgRuleSetRelease(exhaustive);
        test_free(file);
    }
    print_message("  %u evaluations, %u allowed by an exception\n", evaluations, allowed);
    /* The generator must exercise both outcomes, or the comparison proves little. */
    assert_true(allowed > evaluations / 50);
    assert_true(allowed < evaluations - evaluations / 50);
}

/*
 * The search's status (docs/compat.md M35): hvmi returns the status of the last exception it tried;
 * the index tries fewer (never one whose originator or victim name differs), so after an exception
 * that could not be evaluated introguard keeps that error where hvmi, having tried one more
 * exception with another victim, returns NOT_MATCHED.  Everything else agrees, decisions always.
 */
static void test_index_status_after_an_error(void **state)
{
    uint32_t kept = 0;
    uint32_t evaluations = 0;

    (void)state;
    InitNames();
    for (uint32_t round = 0; round < 20; round++)
    {
        IG_TEST_FILE *file = test_malloc(sizeof(*file));
        IG_RULESET *indexed, *exhaustive;

        XbInit(file);
        RandomRulesWith(file, 20 + Rand(200), true);
        LoadBoth(file, &indexed, &exhaustive);
        for (uint32_t k = 0; k < 500; k++)
        {
            INTRO_EXC_PROCESS_STATE sa[2], sb[2];
            INTRO_EXC_VERDICT va, vb;

            EvaluateBoth(indexed, exhaustive, &va, &vb, sa, sb);
            assert_int_equal(va.Action, vb.Action);
            assert_int_equal(va.Reason, vb.Reason);
            assert_int_equal(va.Matched.RecordIndex, vb.Matched.RecordIndex);
            if (va.Status != vb.Status)
            {
                /* Only an error the index keeps where hvmi's walk went on to a victim that differs. */
                assert_false(INT_SUCCESS(va.Status));
                assert_true(va.Status != INT_STATUS_EXCEPTION_NOT_MATCHED);
                assert_int_equal(vb.Status, INT_STATUS_EXCEPTION_NOT_MATCHED);
                assert_int_equal(va.Reason, INTRO_EXC_REASON_INTERNAL_ERROR);
                kept++;
            }
            evaluations++;
        }
        IgRuleSetRelease(indexed);
        IgRuleSetRelease(exhaustive);
        test_free(file);
    }
    print_message("  %u evaluations, %u statuses kept as the error\n", evaluations, kept);
    assert_true(kept > 0); /* the case is exercised */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_changes_nothing),
        cmocka_unit_test(test_index_status_after_an_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
