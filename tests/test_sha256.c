/*
 * SHA-256 (src/common/sha256.c) against the example vectors NIST publishes for FIPS 180-4
 * (csrc.nist.gov, "Examples with Intermediate Values": SHA256.pdf, SHA2_Additional.pdf): the one-
 * and two-block messages, the empty message, the 896-bit message of FIPS 180-2 and one million
 * 'a'.  Every vector is also fed in pieces of every size, and, when libsodium is built in, every
 * length from 0 to 300 bytes (all the padding cases) is compared with libsodium's SHA-256.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sha256.h"
#include "introguard/intro_exceptions.h"

#ifdef INTROGUARD_ED25519
#include <sodium.h>
#endif

typedef struct VECTOR
{
    const char *Message;
    size_t Repeat; /* the message is repeated this many times (1 but for the million 'a') */
    const char *Digest;
} VECTOR;

static const VECTOR gVectors[] = {
    {"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrst"
     "nopqrstu",
     1, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};

static void Hex(const uint8_t *Digest, char *Text)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < IG_SHA256_SIZE; i++)
    {
        Text[2 * i] = digits[Digest[i] >> 4];
        Text[2 * i + 1] = digits[Digest[i] & 0xF];
    }
    Text[2 * IG_SHA256_SIZE] = '\0';
}

/* The whole message of a vector, built once. */
static uint8_t *Message(const VECTOR *V, size_t *Size)
{
    size_t unit = strlen(V->Message);
    uint8_t *data = malloc(unit * V->Repeat + 1);

    assert_non_null(data);
    for (size_t i = 0; i < V->Repeat; i++)
    {
        memcpy(data + i * unit, V->Message, unit);
    }
    *Size = unit * V->Repeat;
    return data;
}

static void TestNistVectors(void **State)
{
    (void)State;
    for (size_t v = 0; v < sizeof(gVectors) / sizeof(gVectors[0]); v++)
    {
        size_t size;
        uint8_t *data = Message(&gVectors[v], &size);
        uint8_t digest[IG_SHA256_SIZE];
        char text[2 * IG_SHA256_SIZE + 1];

        IgSha256(data, size, digest);
        Hex(digest, text);
        assert_string_equal(text, gVectors[v].Digest);

        /* The public call is the same function. */
        memset(digest, 0, sizeof(digest));
        assert_int_equal(IntExceptFileDigest(data, size, digest), INT_STATUS_SUCCESS);
        Hex(digest, text);
        assert_string_equal(text, gVectors[v].Digest);
        free(data);
    }
}

static void TestPieces(void **State)
{
    (void)State;
    /* Every piece size up to three blocks, for every vector but the million 'a' (which goes by 997). */
    for (size_t v = 0; v < sizeof(gVectors) / sizeof(gVectors[0]); v++)
    {
        size_t size;
        uint8_t *data = Message(&gVectors[v], &size);
        size_t maxPiece = gVectors[v].Repeat > 1 ? 997 : 3 * IG_SHA256_BLOCK;

        for (size_t piece = gVectors[v].Repeat > 1 ? 997 : 1; piece <= maxPiece; piece++)
        {
            IG_SHA256 ctx;
            uint8_t digest[IG_SHA256_SIZE];
            char text[2 * IG_SHA256_SIZE + 1];

            IgSha256Init(&ctx);
            for (size_t at = 0; at < size; at += piece)
            {
                IgSha256Update(&ctx, data + at, size - at < piece ? size - at : piece);
            }
            IgSha256Final(&ctx, digest);
            Hex(digest, text);
            assert_string_equal(text, gVectors[v].Digest);
        }
        free(data);
    }
}

static void TestArguments(void **State)
{
    uint8_t digest[IG_SHA256_SIZE];
    char text[2 * IG_SHA256_SIZE + 1];

    (void)State;
    memset(digest, 0xAA, sizeof(digest));
    assert_int_equal(IntExceptFileDigest(NULL, 1, digest), INT_STATUS_INVALID_PARAMETER_1);
    for (size_t i = 0; i < sizeof(digest); i++)
    {
        assert_int_equal(digest[i], 0); /* zeroed at entry */
    }
    assert_int_equal(IntExceptFileDigest("abc", 3, NULL), INT_STATUS_INVALID_PARAMETER_3);
    /* No bytes: a NULL buffer is the empty message. */
    assert_int_equal(IntExceptFileDigest(NULL, 0, digest), INT_STATUS_SUCCESS);
    Hex(digest, text);
    assert_string_equal(text, gVectors[1].Digest);
}

static void TestAgainstLibsodium(void **State)
{
    (void)State;
#ifdef INTROGUARD_ED25519
    uint8_t data[300];

    assert_true(sodium_init() >= 0);
    for (size_t i = 0; i < sizeof(data); i++)
    {
        data[i] = (uint8_t)(i * 131u + 7u);
    }
    for (size_t size = 0; size <= sizeof(data); size++)
    {
        uint8_t ours[IG_SHA256_SIZE];
        uint8_t theirs[crypto_hash_sha256_BYTES];

        IgSha256(data, size, ours);
        crypto_hash_sha256(theirs, data, size);
        assert_memory_equal(ours, theirs, sizeof(ours));
    }
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(TestNistVectors),
        cmocka_unit_test(TestPieces),
        cmocka_unit_test(TestArguments),
        cmocka_unit_test(TestAgainstLibsodium),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
