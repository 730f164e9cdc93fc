/*
 * Tests of the exceptions-file generator (bench/support/gen_exceptions.h), which feeds the load
 * benchmark and the loader's fuzz seeds.  Its output is checked against the spec
 * (spec/exceptions-binary-format.md) by an independent walker written here: header counts (§1.1),
 * record sizes by kind (§2.2, §2.4-§2.6), section order (§2.8), the compiler's sort keys (§5.10),
 * ascending signature IDs, no dangling or unused signatures (§5.9), then loaded with IgRuleSetLoad.
 * The committed seed corpus fuzz/seeds/loader/ must equal what the generator builds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "exceptions/ruleset.h"
#include "gen_exceptions.h"

#define MAX_RECORDS 70000u

typedef struct WALK_RECORD
{
    uint8_t Type;
    uint16_t Size;
    const uint8_t *Body;
} WALK_RECORD;

typedef struct WALK
{
    uint32_t Header[9]; /* the u32 fields after magic+version: KM, UM, sigs, build, glob, KUM, reserved */
    uint16_t Major;
    uint16_t Minor;
    uint32_t Count;
    WALK_RECORD *Records;
} WALK;

static uint16_t U16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t U32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Splits a file into records (spec §8.7); fails the test unless the walk lands exactly on EOF. */
static void Walk(const uint8_t *Data, size_t Size, WALK *W)
{
    size_t pos = 36;

    memset(W, 0, sizeof(*W));
    assert_true(Size > 36);
    assert_int_equal(U32(Data), 0x414E5845u);
    W->Major = U16(Data + 4);
    W->Minor = U16(Data + 6);
    for (int i = 0; i < 7; i++)
    {
        W->Header[i] = U32(Data + 8 + 4 * i);
    }
    W->Records = calloc(MAX_RECORDS, sizeof(*W->Records));
    assert_non_null(W->Records);
    while (pos < Size)
    {
        WALK_RECORD *r = &W->Records[W->Count];
        assert_true(W->Count < MAX_RECORDS);
        assert_true(Size - pos >= 3);
        r->Type = Data[pos];
        r->Size = U16(Data + pos + 1);
        r->Body = Data + pos + 3;
        assert_true(Size - pos - 3 >= r->Size);
        pos += 3u + r->Size;
        W->Count++;
    }
    assert_int_equal(pos, Size);
}

/* The size a record of this kind must have, computed from its own counts (spec §2.2). */
static size_t ExpectedSize(const WALK_RECORD *R)
{
    const uint8_t *b = R->Body;

    switch (R->Type)
    {
        case 1:
        case 2:
        case 9:
        case 14:
            return 20u + 4u * U16(b + 18);
        case 6:
        {
            size_t lo = strnlen((const char *)b + 8, 64) + 1;
            size_t lv = strnlen((const char *)b + 8 + lo, 64) + 1;
            size_t lp = strnlen((const char *)b + 8 + lo + lv, 64) + 1;
            return 8u + lo + lv + lp + 4u * U16(b + 6);
        }
        case 3:
        {
            size_t size = 10;
            for (uint8_t i = 0; i < b[9]; i++)
            {
                size += 1u + 4u * b[size];
            }
            return size;
        }
        case 4:
            return 16u + 8u * b[12];
        case 5:
            return 12u + 12u * b[9];
        case 8:
            return 12u + 2u * U16(b + 10);
        case 10:
            return 12;
        case 11:
        case 12:
        case 13:
            return 24;
        default:
            return (size_t)-1;
    }
}

/* Section rank of a record type in the compiler's output order (§2.8). */
static int Section(uint8_t Type)
{
    switch (Type)
    {
        case 1:
            return 0;
        case 2:
        case 9:
            return 1;
        case 14:
            return 2;
        case 6:
            return 3;
        default:
            return 4;
    }
}

/* Compares two exception records by the compiler's key for their list (§5.10); negative if L < R. */
static int CompareKeys(const WALK_RECORD *L, const WALK_RECORD *R)
{
    /* Field offsets in priority order, per list. */
    static const int km[] = {0, 17, 8, 12};
    static const int um[] = {0, 17, 4, 8, 12};
    static const int kum[] = {0, 8, 17, 4, 12};
    const int *keys = L->Type == 1 ? km : L->Type == 14 ? kum : um;
    int n = L->Type == 1 ? 4 : 5;

    for (int i = 0; i < n; i++)
    {
        uint32_t l = keys[i] == 17 ? L->Body[17] : U32(L->Body + keys[i]);
        uint32_t r = keys[i] == 17 ? R->Body[17] : U32(R->Body + keys[i]);
        if (l != r)
        {
            return l < r ? -1 : 1;
        }
    }
    return 0;
}

static int CompareGlob(const WALK_RECORD *L, const WALK_RECORD *R)
{
    const char *lo = (const char *)L->Body + 8;
    const char *ro = (const char *)R->Body + 8;
    const char *lv = lo + strlen(lo) + 1;
    const char *rv = ro + strlen(ro) + 1;
    int c = strcmp(lo, ro);

    if (c)
    {
        return c;
    }
    if (L->Body[5] != R->Body[5])
    {
        return L->Body[5] < R->Body[5] ? -1 : 1;
    }
    if ((c = strcmp(lv, rv)) != 0)
    {
        return c;
    }
    if ((c = strcmp(lv + strlen(lv) + 1, rv + strlen(rv) + 1)) != 0)
    {
        return c;
    }
    return U32(L->Body) < U32(R->Body) ? -1 : U32(L->Body) > U32(R->Body);
}

static bool GlobPrefixed(const WALK_RECORD *R)
{
    const char *o = (const char *)R->Body + 8;
    return o[0] == '*' || o[0] == '[' || o[0] == ']' || o[0] == '?' || (o[0] == '\\' && o[1] == '\\');
}

static int CompareU32(const void *L, const void *R)
{
    uint32_t l = *(const uint32_t *)L;
    uint32_t r = *(const uint32_t *)R;
    return l < r ? -1 : l > r;
}

typedef struct CHECKED
{
    uint32_t ByType[256];
    uint32_t Exceptions;
    uint32_t AnyOriginator;
    uint32_t Signed;
    uint32_t Refs;
} CHECKED;

/* Every structural property of a compiler-shaped file; returns the tallies for proportion checks. */
static void CheckLayout(const uint8_t *Data, size_t Size, const IG_GEN_PARAMS *Params, CHECKED *C)
{
    WALK w;
    uint32_t *sigIds;
    uint32_t sigCount = 0;
    bool *used;
    int lastSection = 0;
    uint32_t globFirst = 0;
    uint32_t globPrefixed = 0;

    memset(C, 0, sizeof(*C));
    Walk(Data, Size, &w);
    assert_int_equal(w.Major, 2);
    assert_int_equal(w.Minor, 2);
    assert_int_equal(w.Header[3], Params->BuildNumber);
    assert_int_equal(w.Header[6], 0); /* reserved */

    sigIds = calloc(w.Count, sizeof(*sigIds));
    used = calloc(w.Count, sizeof(*used));
    assert_non_null(sigIds);
    assert_non_null(used);

    for (uint32_t i = 0; i < w.Count; i++)
    {
        const WALK_RECORD *r = &w.Records[i];
        int section = Section(r->Type);

        assert_int_equal(r->Size, ExpectedSize(r));
        assert_true(section >= lastSection);
        C->ByType[r->Type]++;
        if (section < 4)
        {
            uint16_t n = r->Type == 6 ? U16(r->Body + 6) : U16(r->Body + 18);
            const uint8_t *ids = r->Body + r->Size - 4u * n;

            C->Exceptions++;
            C->Signed += n > 0;
            C->Refs += n;
            C->AnyOriginator += r->Type == 6 ? !strcmp((const char *)r->Body + 8, "*") : U32(r->Body) == 0;
            for (uint16_t k = 1; k < n; k++)
            {
                assert_true(U32(ids + 4 * (k - 1)) < U32(ids + 4 * k)); /* ascending, no repeats */
            }
            if (r->Type == 1)
            {
                assert_int_equal(U32(r->Body + 4), 0xFFFFFFFFu); /* the unused KM path hash */
            }
            if (r->Type == 6)
            {
                if (section != lastSection)
                {
                    globFirst = i;
                }
            }
            else if (i > 0 && Section(w.Records[i - 1].Type) == section)
            {
                assert_true(CompareKeys(&w.Records[i - 1], r) <= 0);
            }
        }
        else
        {
            uint32_t id = U32(r->Body);
            assert_int_equal(id >> 22, IgGenSigTypeCode(r->Type)); /* type bits agree with the record */
            if (sigCount)
            {
                assert_true(sigIds[sigCount - 1] < id); /* sorted by ID, unique */
            }
            sigIds[sigCount++] = id;
            if (r->Type == 3)
            {
                size_t off = 10;
                for (uint8_t l = 0; l < r->Body[9]; l++)
                {
                    for (uint8_t k = 1; k < r->Body[off]; k++)
                    {
                        assert_true(U32(r->Body + off + 1 + 4 * (k - 1)) <= U32(r->Body + off + 1 + 4 * k));
                    }
                    off += 1u + 4u * r->Body[off];
                }
            }
        }
        lastSection = section;
    }

    /* Glob section: the prefixed ones in parse order, then every glob record sorted (§2.8 item 5). */
    if (C->ByType[6])
    {
        uint32_t globCount = C->ByType[6];
        for (uint32_t i = globFirst; i < globFirst + globCount; i++)
        {
            globPrefixed += GlobPrefixed(&w.Records[i]);
        }
        /* Prefixed records appear twice, so half of the prefixed ones form the leading list. */
        assert_int_equal(globPrefixed % 2, 0);
        for (uint32_t i = globFirst; i < globFirst + globPrefixed / 2; i++)
        {
            assert_true(GlobPrefixed(&w.Records[i]));
        }
        for (uint32_t i = globFirst + globPrefixed / 2 + 1; i < globFirst + globCount; i++)
        {
            assert_true(CompareGlob(&w.Records[i - 1], &w.Records[i]) <= 0);
        }
        assert_int_equal(globCount - globPrefixed / 2, Params->GlobCount);
    }

    /* Header counts (§1.1). */
    assert_int_equal(w.Header[0], C->ByType[1]);
    assert_int_equal(w.Header[1], C->ByType[2] + C->ByType[9]);
    assert_int_equal(w.Header[2], sigCount);
    assert_int_equal(w.Header[4], C->ByType[6]);
    assert_int_equal(w.Header[5], C->ByType[14]);
    assert_int_equal(C->ByType[1], Params->KernelCount);
    assert_int_equal(C->ByType[2] + C->ByType[9], Params->UserCount);
    assert_int_equal(C->ByType[14], Params->KernelUserCount);

    /* Every reference resolves, and every signature is referenced (nothing left to prune). */
    for (uint32_t i = 0; i < w.Count; i++)
    {
        const WALK_RECORD *r = &w.Records[i];
        uint16_t n;
        if (Section(r->Type) == 4)
        {
            continue;
        }
        n = r->Type == 6 ? U16(r->Body + 6) : U16(r->Body + 18);
        for (uint16_t k = 0; k < n; k++)
        {
            uint32_t id = U32(r->Body + r->Size - 4u * n + 4u * k);
            uint32_t *hit = bsearch(&id, sigIds, sigCount, sizeof(*sigIds), CompareU32);
            assert_non_null(hit);
            used[hit - sigIds] = true;
        }
    }
    for (uint32_t i = 0; i < sigCount; i++)
    {
        assert_true(used[i]);
    }
    free(used);
    free(sigIds);
    free(w.Records);
}

static void LoadAndCheck(const uint8_t *Data, size_t Size, const IG_GEN_SUMMARY *Summary)
{
    IG_RULESET *set = NULL;
    IG_PARSE_ERROR error;

    memset(&error, 0, sizeof(error));
    assert_int_equal(IgRuleSetLoad(&gIgMallocAllocator, Data, Size, IgGuestOsUnknown, &set, &error),
                     INT_STATUS_SUCCESS);
    assert_non_null(set);
    assert_int_equal(set->ExceptionCount, Summary->Exceptions);
    assert_int_equal(set->SignatureCount, Summary->Signatures);
    assert_int_equal(set->Stats.Records, Summary->Records);
    assert_int_equal(set->Stats.DanglingSigRefs, 0);
    assert_int_equal(set->Stats.UnsortedBuckets, 0);
    assert_int_equal(set->Stats.DuplicateSigIds, 0);
    assert_int_equal(set->Stats.SigTypeMismatches, 0);
    assert_int_equal(set->Stats.UnknownRecords, 0);
    IgRuleSetRelease(set);
}

static void test_bench_file_20k_matches_the_spec(void **state)
{
    IG_GEN_PARAMS p;
    IG_GEN_SUMMARY s;
    CHECKED c;
    uint8_t *data = NULL;
    size_t size = 0;
    (void)state;

    IgGenDefaultParams(&p);
    p.KernelCount = 10000;
    p.UserCount = 10000;
    assert_int_equal(IgGenExceptions(&p, &data, &size, &s), INT_STATUS_SUCCESS);
    CheckLayout(data, size, &p, &c);

    assert_int_equal(c.Exceptions, 20000);
    assert_int_equal(s.Exceptions, 20000);
    assert_int_equal(s.Signatures, c.ByType[3] + c.ByType[4] + c.ByType[5] + c.ByType[8] + c.ByType[10]);
    assert_int_equal(s.SignedExceptions, c.Signed);
    assert_int_equal(s.SignatureRefs, c.Refs);
    assert_int_equal(s.AnyOriginator, c.AnyOriginator);
    /* The requested proportions: about 2% `*` originators, about 10% signed, about 1% APC. */
    assert_in_range(c.AnyOriginator, 300, 500);
    assert_in_range(c.Signed, 1800, 2200);
    assert_in_range(c.ByType[9], 50, 150);
    /* Every signature kind the brief asks for is present. */
    assert_true(c.ByType[3] > 0 && c.ByType[4] > 0 && c.ByType[5] > 0 && c.ByType[8] > 0 && c.ByType[10] > 0);
    LoadAndCheck(data, size, &s);
    free(data);
}

static void test_bench_file_with_every_exception_kind(void **state)
{
    IG_GEN_PARAMS p;
    IG_GEN_SUMMARY s;
    CHECKED c;
    uint8_t *data = NULL;
    size_t size = 0;
    (void)state;

    IgGenDefaultParams(&p);
    p.Seed = 42;
    p.KernelCount = 300;
    p.UserCount = 300;
    p.KernelUserCount = 60;
    p.GlobCount = 80;
    p.AnyOriginatorPermille = 150; /* enough `*` glob originators to exercise the prefix list */
    p.ApcPermille = 100;
    p.BuildNumber = 1234;
    assert_int_equal(IgGenExceptions(&p, &data, &size, &s), INT_STATUS_SUCCESS);
    CheckLayout(data, size, &p, &c);
    assert_true(c.ByType[6] > p.GlobCount); /* some glob records were written twice */
    assert_int_equal(s.RecordsByType[6], c.ByType[6]);
    assert_true(c.ByType[9] > 0);
    LoadAndCheck(data, size, &s);
    free(data);
}

static void test_bench_file_is_deterministic(void **state)
{
    IG_GEN_PARAMS p;
    uint8_t *a = NULL;
    uint8_t *b = NULL;
    size_t sa = 0;
    size_t sb = 0;
    (void)state;

    IgGenDefaultParams(&p);
    p.KernelCount = 500;
    p.UserCount = 500;
    p.GlobCount = 10;
    assert_int_equal(IgGenExceptions(&p, &a, &sa, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IgGenExceptions(&p, &b, &sb, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(sa, sb);
    assert_memory_equal(a, b, sa);
    free(b);
    b = NULL;
    p.Seed = 2;
    assert_int_equal(IgGenExceptions(&p, &b, &sb, NULL), INT_STATUS_SUCCESS);
    assert_false(sa == sb && memcmp(a, b, sa) == 0);
    free(a);
    free(b);
}

static void test_bench_file_rejects_bad_counts(void **state)
{
    IG_GEN_PARAMS p;
    uint8_t *data = (uint8_t *)&p;
    size_t size = 1;
    (void)state;

    IgGenDefaultParams(&p);
    assert_int_equal(IgGenExceptions(&p, &data, &size, NULL), INT_STATUS_INVALID_PARAMETER_1);
    assert_null(data);
    assert_int_equal(size, 0);
    p.KernelCount = IG_GEN_MAX_EXCEPTIONS + 1;
    assert_int_equal(IgGenExceptions(&p, &data, &size, NULL), INT_STATUS_INVALID_PARAMETER_1);
}

/* The first record of a seed, for the per-kind checks below. */
static const char *SeedByName(const char *Name, IG_GEN_BUFFER *Buffer, bool *Valid)
{
    for (uint32_t i = 0; i < IgGenSeedCount(); i++)
    {
        const char *name = IgGenSeed(i, Buffer, Valid);
        if (!strcmp(name, Name))
        {
            return name;
        }
        IgGenBufferFree(Buffer);
    }
    fail_msg("no seed %s", Name);
    return NULL;
}

static void test_seeds_load_as_declared(void **state)
{
    (void)state;
    assert_null(IgGenSeed(IgGenSeedCount(), &(IG_GEN_BUFFER){0}, &(bool){false}));
    for (uint32_t i = 0; i < IgGenSeedCount(); i++)
    {
        IG_GEN_BUFFER buf;
        bool valid = false;
        const char *name = IgGenSeed(i, &buf, &valid);
        IG_RULESET *set = NULL;
        IG_PARSE_ERROR error;
        INTSTATUS status;

        assert_non_null(name);
        assert_false(buf.Failed);
        memset(&error, 0, sizeof(error));
        status = IgRuleSetLoad(&gIgMallocAllocator, buf.Data, buf.Size, IgGuestOsWindows, &set, &error);
        if (valid != INT_SUCCESS(status))
        {
            fail_msg("seed %s: expected %s, got status 0x%08x (%s)", name, valid ? "success" : "an error",
                     (unsigned)status, error.Message);
        }
        IgRuleSetRelease(set);
        IgGenBufferFree(&buf);
    }
}

/* The hand-assembled seeds follow the record layouts of the spec's annotated examples (§8). */
static void test_seed_records_match_spec_examples(void **state)
{
    IG_GEN_BUFFER buf;
    bool valid;
    /* §8.6: IDT signature `hal-idt` body: 1600004b 03000000 02 000000 (our seed uses seq 1). */
    static const uint8_t idtRecord[] = {0x0a, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x4b, 0x03,
                                        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
    /* §8.6: value-code offset -5, length 9, pattern 0d 100x4 0f 01 c1 c3 (seq 1 here). */
    static const uint8_t valueCodeRecord[] = {0x08, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x7d, 0x03, 0x00, 0x00, 0x00,
                                              0xfb, 0xff, 0x09, 0x00, 0x0d, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
                                              0x01, 0x00, 0x01, 0x0f, 0x00, 0x01, 0x00, 0xc1, 0x00, 0xc3, 0x00};
    (void)state;

    SeedByName("sig-idt.bin", &buf, &valid);
    assert_true(buf.Size >= sizeof(idtRecord));
    assert_memory_equal(buf.Data + buf.Size - sizeof(idtRecord), idtRecord, sizeof(idtRecord));
    IgGenBufferFree(&buf);

    SeedByName("sig-value-code.bin", &buf, &valid);
    assert_true(buf.Size >= sizeof(valueCodeRecord));
    assert_memory_equal(buf.Data + buf.Size - sizeof(valueCodeRecord), valueCodeRecord, sizeof(valueCodeRecord));
    IgGenBufferFree(&buf);
}

static void test_committed_seeds_equal_the_generator(void **state)
{
    const char *source = getenv("INTROGUARD_SOURCE_DIR");
    char dir[4096];
    DIR *d;
    struct dirent *e;
    uint32_t files = 0;
    (void)state;

    if (!source)
    {
        print_message("SKIP: INTROGUARD_SOURCE_DIR not set (run through ctest)\n");
        skip();
    }
    snprintf(dir, sizeof(dir), "%s/fuzz/seeds/loader", source);
    for (uint32_t i = 0; i < IgGenSeedCount(); i++)
    {
        IG_GEN_BUFFER buf;
        bool valid;
        const char *name = IgGenSeed(i, &buf, &valid);
        char path[4200];
        FILE *f;
        uint8_t *disk = malloc(buf.Size + 1);
        size_t got;

        assert_non_null(disk);
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "rb");
        if (!f)
        {
            fail_msg("%s is missing: regenerate with make_exceptions --seeds fuzz/seeds/loader", path);
        }
        got = fread(disk, 1, buf.Size + 1, f);
        fclose(f);
        if (got != buf.Size || memcmp(disk, buf.Data, buf.Size) != 0)
        {
            fail_msg("%s differs from the generator: regenerate with make_exceptions --seeds fuzz/seeds/loader", path);
        }
        free(disk);
        IgGenBufferFree(&buf);
    }
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
    {
        files += e->d_name[0] != '.';
    }
    closedir(d);
    assert_int_equal(files, IgGenSeedCount()); /* no stale seeds of unknown origin */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_file_20k_matches_the_spec),
        cmocka_unit_test(test_bench_file_with_every_exception_kind),
        cmocka_unit_test(test_bench_file_is_deterministic),
        cmocka_unit_test(test_bench_file_rejects_bad_counts),
        cmocka_unit_test(test_seeds_load_as_declared),
        cmocka_unit_test(test_seed_records_match_spec_examples),
        cmocka_unit_test(test_committed_seeds_equal_the_generator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
