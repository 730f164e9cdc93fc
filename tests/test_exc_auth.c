/*
 * Authenticity of exceptions files (issue 12, item 3): the SHA-256 pin and the Ed25519 key a guest's
 * UpdateExceptions checks (IntSetExceptionsDigest, IntSetExceptionsKey, IntSetExceptionsSignature),
 * and the standalone check (IntExceptFileVerify) against RFC 8032's test vectors.  A refused file
 * returns ACCESS_DENIED with its own precise reason, and the set in force stays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api_harness.h"
#include "introguard/introguard.h"

#ifdef INTROGUARD_ED25519
#include <sodium.h>
#endif

#define FILE_CAPACITY 4096u

static GLUE_IFACE gGlue;

static int Setup(void **State)
{
    (void)State;
    ApiTestStart(&gGlue);
    return 0;
}

static int Teardown(void **State)
{
    (void)State;
    ApiTestStopClean();
    return 0;
}

static INTSTATUS Load(void *Guest, const uint8_t *File, size_t Size)
{
    return gGlue.UpdateExceptions(Guest, File, (DWORD)Size, 0);
}

static uint32_t Build(void *Guest)
{
    WORD major, minor;
    DWORD build = 0;

    assert_int_equal(gGlue.GetExceptionsVersion(Guest, &major, &minor, &build), INT_STATUS_SUCCESS);
    return build;
}

/* The guest's most recent rejection: UpdateExceptions' status and introguard's precise one. */
static void ExpectRefused(void *Guest, INTSTATUS Detail, const char *MessagePart)
{
    INTRO_EXCEPTIONS_LOAD_ERROR error;

    assert_int_equal(IntGetExceptionsLoadError(Guest, &error), INT_STATUS_SUCCESS);
    assert_int_equal(error.Status, INT_STATUS_ACCESS_DENIED);
    assert_int_equal(error.Detail, Detail);
    assert_int_equal(error.RecordIndex, INTRO_EXCEPTIONS_LOAD_NO_RECORD);
    if (!strstr(error.Message, MessagePart))
    {
        fail_msg("message \"%s\" lacks \"%s\"", error.Message, MessagePart);
    }
}

static void TestDigestPin(void **State)
{
    int guest;
    uint8_t a[FILE_CAPACITY], b[FILE_CAPACITY];
    size_t aSize = ApiTestBuildSimpleFile(a, sizeof(a), 1);
    size_t bSize = ApiTestBuildSimpleFile(b, sizeof(b), 2);
    uint8_t digestA[INTRO_EXC_SHA256_SIZE], digestB[INTRO_EXC_SHA256_SIZE];
    char hexB[2 * INTRO_EXC_SHA256_SIZE + 1];

    (void)State;
    assert_int_equal(IntExceptFileDigest(a, aSize, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptFileDigest(b, bSize, digestB), INT_STATUS_SUCCESS);
    for (size_t i = 0; i < sizeof(digestB); i++)
    {
        snprintf(hexB + 2 * i, 3, "%02x", digestB[i]);
    }
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);

    assert_int_equal(IntSetExceptionsDigest(&guest, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_SUCCESS);
    assert_int_equal(Build(&guest), 1);

    /* Another file: refused with its own status; the set in force stays; the log says why. */
    ApiTestLogClear();
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_ACCESS_DENIED);
    assert_int_equal(Build(&guest), 1);
    ExpectRefused(&guest, INT_STATUS_EXC_DIGEST_MISMATCH, hexB);
    {
        char line[300];

        snprintf(line, sizeof(line),
                 "UpdateExceptions: rejected (INT_STATUS_EXC_DIGEST_MISMATCH) at offset 0: the file's SHA-256 is %s, "
                 "not the digest pinned with IntSetExceptionsDigest\n",
                 hexB);
        assert_true(ApiTestLogContains(line));
    }

    /* The pin stays: the pinned file still loads, another still does not. */
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_SUCCESS);
    b[API_TEST_FILE_HEADER_SIZE - 1] ^= 1; /* the reserved header field: a file the loader would accept */
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_ACCESS_DENIED);
    b[API_TEST_FILE_HEADER_SIZE - 1] ^= 1;

    /* A NULL buffer is still INVALID_PARAMETER_1, before any check. */
    assert_int_equal(gGlue.UpdateExceptions(&guest, NULL, 10, 0), INT_STATUS_INVALID_PARAMETER_1);

    /* A pinned file that is corrupt passes the pin and fails the loader, with the loader's error. */
    a[0] = 'X';
    assert_int_equal(IntExceptFileDigest(a, aSize, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsDigest(&guest, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_INVALID_OBJECT_TYPE);
    a[0] = 'E';

    /* Cleared: anything the loader accepts loads again. */
    assert_int_equal(IntSetExceptionsDigest(&guest, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_SUCCESS);
    assert_int_equal(Build(&guest), 2);

    /* The settings die with the guest. */
    assert_int_equal(IntSetExceptionsDigest(&guest, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.DisableIntro(&guest, 0), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_SUCCESS);
}

static void TestArguments(void **State)
{
    static const uint8_t bytes[64] = {1};
    int guest, unknown;

    (void)State;
    assert_int_equal(IntSetExceptionsDigest(NULL, bytes), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntSetExceptionsSignature(NULL, bytes), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntSetExceptionsKey(NULL, NULL), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntSetExceptionsDigest(&unknown, bytes), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(IntSetExceptionsSignature(&unknown, NULL), INT_STATUS_NOT_INITIALIZED);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsDigest(&guest, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsSignature(&guest, bytes), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsKey(&guest, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IntExceptFileVerify(NULL, 1, bytes, bytes), INT_STATUS_INVALID_PARAMETER_1);
    assert_int_equal(IntExceptFileVerify(bytes, 1, NULL, bytes), INT_STATUS_INVALID_PARAMETER_3);
    assert_int_equal(IntExceptFileVerify(bytes, 1, bytes, NULL), INT_STATUS_INVALID_PARAMETER_4);
#ifndef INTROGUARD_ED25519
    /* Without libsodium a key cannot be honoured: said when it is set. */
    assert_int_equal(IntSetExceptionsKey(&guest, bytes), INT_STATUS_NOT_SUPPORTED);
    assert_int_equal(IntExceptFileVerify(bytes, 1, bytes, bytes), INT_STATUS_NOT_SUPPORTED);
#endif
}

/* Every allocation of a checked update fails once in turn (the copy first): refused, nothing kept. */
static void TestAllocationFailures(void **State)
{
    int guest;
    uint8_t a[FILE_CAPACITY];
    size_t aSize = ApiTestBuildSimpleFile(a, sizeof(a), 5);
    uint8_t digest[INTRO_EXC_SHA256_SIZE];
    unsigned long before;
    unsigned long total;

    (void)State;
    assert_int_equal(IntExceptFileDigest(a, aSize, digest), INT_STATUS_SUCCESS);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsDigest(&guest, digest), INT_STATUS_SUCCESS);
    before = ApiTestAllocCount();
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_SUCCESS);
    total = ApiTestAllocCount() - before;
    assert_true(total >= 2); /* the checked copy, then the loader's */
    for (unsigned long n = 1; n <= total; n++)
    {
        ApiTestFailAllocation(n);
        assert_int_equal(Load(&guest, a, aSize), INT_STATUS_INSUFFICIENT_RESOURCES);
        assert_true(ApiTestAllocationFaultFired());
        assert_int_equal(Build(&guest), 5);
    }
    ApiTestFailAllocation(0);
}

#ifdef INTROGUARD_ED25519
/* RFC 8032 §7.1, TEST 1 (the empty message) and TEST 2 (one byte, 0x72). */
static const char *const gRfcKeys[2] = {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                                        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"};
static const char *const gRfcSignatures[2] = {
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24"
    "655141438e7a100b",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aee"
    "b00d291612bb0c00"};

static void Unhex(const char *Text, uint8_t *Bytes, size_t Size)
{
    for (size_t i = 0; i < Size; i++)
    {
        unsigned v;

        assert_int_equal(sscanf(Text + 2 * i, "%2x", &v), 1);
        Bytes[i] = (uint8_t)v;
    }
}

static void TestRfc8032Vectors(void **State)
{
    static const uint8_t message[1] = {0x72};

    (void)State;
    for (size_t t = 0; t < 2; t++)
    {
        uint8_t key[INTRO_EXC_ED25519_PUBLIC_KEY_SIZE];
        uint8_t sig[INTRO_EXC_ED25519_SIGNATURE_SIZE];

        Unhex(gRfcKeys[t], key, sizeof(key));
        Unhex(gRfcSignatures[t], sig, sizeof(sig));
        assert_int_equal(IntExceptFileVerify(t ? message : NULL, t, sig, key), INT_STATUS_SUCCESS);
        sig[5] ^= 0x10;
        assert_int_equal(IntExceptFileVerify(t ? message : NULL, t, sig, key), INT_STATUS_ACCESS_DENIED);
    }
}

static void TestSignatures(void **State)
{
    int guest;
    uint8_t a[FILE_CAPACITY], b[FILE_CAPACITY];
    size_t aSize = ApiTestBuildSimpleFile(a, sizeof(a), 1);
    size_t bSize = ApiTestBuildSimpleFile(b, sizeof(b), 2);
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    uint8_t sigA[crypto_sign_BYTES], sigB[crypto_sign_BYTES];
    uint8_t digestA[INTRO_EXC_SHA256_SIZE];

    (void)State;
    assert_true(sodium_init() >= 0);
    assert_int_equal(crypto_sign_keypair(pk, sk), 0);
    assert_int_equal(crypto_sign_detached(sigA, NULL, a, aSize, sk), 0);
    assert_int_equal(crypto_sign_detached(sigB, NULL, b, bSize, sk), 0);
    assert_int_equal(gGlue.NewGuestNotification(&guest, 0, NULL, 0), INT_STATUS_SUCCESS);

    assert_int_equal(IntSetExceptionsKey(&guest, pk), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_ACCESS_DENIED);
    ExpectRefused(&guest, INT_STATUS_EXC_SIGNATURE_MISSING, "no signature was given");

    assert_int_equal(IntSetExceptionsSignature(&guest, sigA), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_SUCCESS);
    assert_int_equal(Build(&guest), 1);

    /* A's signature does not make B loadable, nor A with one byte changed. */
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_ACCESS_DENIED);
    ExpectRefused(&guest, INT_STATUS_EXC_SIGNATURE_INVALID, "not the key's");
    a[API_TEST_FILE_HEADER_SIZE - 1] ^= 1;
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_ACCESS_DENIED);
    a[API_TEST_FILE_HEADER_SIZE - 1] ^= 1;
    assert_int_equal(Build(&guest), 1);

    assert_int_equal(IntSetExceptionsSignature(&guest, sigB), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_SUCCESS);
    assert_int_equal(Build(&guest), 2);

    /* Pin and key together: both must hold. */
    assert_int_equal(IntExceptFileDigest(a, aSize, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsDigest(&guest, digestA), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, b, bSize), INT_STATUS_ACCESS_DENIED); /* signed, not pinned */
    ExpectRefused(&guest, INT_STATUS_EXC_DIGEST_MISMATCH, "not the digest pinned");
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_ACCESS_DENIED); /* pinned, signature is B's */
    ExpectRefused(&guest, INT_STATUS_EXC_SIGNATURE_INVALID, "not the key's");
    assert_int_equal(IntSetExceptionsSignature(&guest, sigA), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_SUCCESS);
    assert_int_equal(Build(&guest), 1);

    /* Key cleared: the pin alone decides. */
    assert_int_equal(IntSetExceptionsKey(&guest, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetExceptionsSignature(&guest, NULL), INT_STATUS_SUCCESS);
    assert_int_equal(Load(&guest, a, aSize), INT_STATUS_SUCCESS);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(TestDigestPin, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestArguments, Setup, Teardown),
        cmocka_unit_test_setup_teardown(TestAllocationFailures, Setup, Teardown),
#ifdef INTROGUARD_ED25519
        cmocka_unit_test(TestRfc8032Vectors),
        cmocka_unit_test_setup_teardown(TestSignatures, Setup, Teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
