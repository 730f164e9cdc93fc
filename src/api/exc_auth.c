/*
 * Authenticity of exceptions files: the SHA-256 pin and the Ed25519 key a guest's UpdateExceptions
 * checks (IntSetExceptionsDigest, IntSetExceptionsKey, IntSetExceptionsSignature), and the same
 * checks as standalone calls (IntExceptFileDigest, IntExceptFileVerify).
 *
 * A file is checked on a copy that is then the one loaded: an integrator's buffer rewritten during
 * the call cannot pass the check with one content and load another.
 */
#include <stdio.h>
#include <string.h>

#include "api_int.h"
#include "common/ed25519.h"
#include "common/sha256.h"

_Static_assert(INTRO_EXC_SHA256_SIZE == IG_SHA256_SIZE, "one digest size");
_Static_assert(INTRO_EXC_ED25519_PUBLIC_KEY_SIZE == IG_ED25519_PUBLIC_KEY_SIZE, "one key size");
_Static_assert(INTRO_EXC_ED25519_SIGNATURE_SIZE == IG_ED25519_SIGNATURE_SIZE, "one signature size");

INTSTATUS IntExceptFileDigest(const void *Buffer, size_t Length, uint8_t *Digest)
{
    if (Digest)
    {
        memset(Digest, 0, IG_SHA256_SIZE);
    }
    if (!Buffer && Length)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Digest)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    IgSha256(Buffer, Length, Digest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntExceptFileVerify(const void *Buffer, size_t Length, const uint8_t *Signature, const uint8_t *PublicKey)
{
    static const uint8_t empty[1] = {0};

    if (!Buffer && Length)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Signature)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    if (!PublicKey)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    return IgEd25519Verify(Buffer ? Buffer : empty, Length, Signature, PublicKey);
}

/* ---- A guest's settings ------------------------------------------------------------------------------------ */

/* Stores Size bytes of Value into Field (and sets *Has), or clears both for a NULL Value. */
static INTSTATUS IgAuthSet(void *GuestHandle, const uint8_t *Value, size_t Offset, size_t HasOffset, size_t Size)
{
    IG_INSTANCE *instance;
    IG_GUEST *guest;
    INTSTATUS status = IgApiEnter(GuestHandle, true, &instance, &guest);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    {
        uint8_t *auth = (uint8_t *)&guest->Auth;
        bool has = Value != NULL;

        if (Value)
        {
            memcpy(auth + Offset, Value, Size);
        }
        else
        {
            memset(auth + Offset, 0, Size);
        }
        memcpy(auth + HasOffset, &has, sizeof(has));
    }
    IgApiLeave(instance, guest);
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntSetExceptionsDigest(void *GuestHandle, const uint8_t *Sha256)
{
    return IgAuthSet(GuestHandle, Sha256, offsetof(IG_EXC_AUTH, Digest), offsetof(IG_EXC_AUTH, HasDigest),
                     IG_SHA256_SIZE);
}

INTSTATUS IntSetExceptionsKey(void *GuestHandle, const uint8_t *PublicKey)
{
    if (PublicKey)
    {
        /* Said now, not at the next update: a build without libsodium cannot honour the key. */
        INTSTATUS status = GuestHandle ? IgEd25519Prepare() : INT_STATUS_INVALID_PARAMETER_1;

        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    return IgAuthSet(GuestHandle, PublicKey, offsetof(IG_EXC_AUTH, PublicKey), offsetof(IG_EXC_AUTH, HasKey),
                     IG_ED25519_PUBLIC_KEY_SIZE);
}

INTSTATUS IntSetExceptionsSignature(void *GuestHandle, const uint8_t *Signature)
{
    return IgAuthSet(GuestHandle, Signature, offsetof(IG_EXC_AUTH, Signature), offsetof(IG_EXC_AUTH, HasSignature),
                     IG_ED25519_SIGNATURE_SIZE);
}

/* ---- The check of UpdateExceptions ------------------------------------------------------------------------- */

static void IgAuthError(IG_PARSE_ERROR *Error, INTSTATUS Status, INTSTATUS Detail)
{
    memset(Error, 0, sizeof(*Error));
    Error->Status = Status;
    Error->Detail = Detail;
    Error->RecordIndex = IG_NO_RECORD;
}

static void IgHex(const uint8_t *Bytes, size_t Size, char *Text)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < Size; i++)
    {
        Text[2 * i] = digits[Bytes[i] >> 4];
        Text[2 * i + 1] = digits[Bytes[i] & 0xF];
    }
    Text[2 * Size] = '\0';
}

/* Both digests must agree in every byte: the comparison takes the same time wherever they differ. */
static bool IgDigestsEqual(const uint8_t *A, const uint8_t *B)
{
    uint8_t diff = 0;

    for (size_t i = 0; i < IG_SHA256_SIZE; i++)
    {
        diff |= (uint8_t)(A[i] ^ B[i]);
    }
    return diff == 0;
}

/* The checks themselves, on the copy. */
static INTSTATUS IgAuthVerify(const IG_EXC_AUTH *Auth, const uint8_t *Bytes, size_t Length, IG_PARSE_ERROR *Error)
{
    INTSTATUS status;

    if (Auth->HasDigest)
    {
        uint8_t digest[IG_SHA256_SIZE];

        IgSha256(Bytes, Length, digest);
        if (!IgDigestsEqual(digest, Auth->Digest))
        {
            char got[2 * IG_SHA256_SIZE + 1];

            IgHex(digest, sizeof(digest), got);
            IgAuthError(Error, INT_STATUS_ACCESS_DENIED, INT_STATUS_EXC_DIGEST_MISMATCH);
            (void)snprintf(Error->Message, sizeof(Error->Message),
                           "the file's SHA-256 is %s, not the digest pinned with IntSetExceptionsDigest", got);
            return INT_STATUS_ACCESS_DENIED;
        }
    }
    if (Auth->HasKey)
    {
        if (!Auth->HasSignature)
        {
            IgAuthError(Error, INT_STATUS_ACCESS_DENIED, INT_STATUS_EXC_SIGNATURE_MISSING);
            (void)snprintf(Error->Message, sizeof(Error->Message),
                           "an Ed25519 key is set (IntSetExceptionsKey) but no signature was given "
                           "(IntSetExceptionsSignature)");
            return INT_STATUS_ACCESS_DENIED;
        }
        status = IgEd25519Verify(Bytes, Length, Auth->Signature, Auth->PublicKey);
        if (!INT_SUCCESS(status))
        {
            bool denied = status == INT_STATUS_ACCESS_DENIED;

            IgAuthError(Error, status, denied ? INT_STATUS_EXC_SIGNATURE_INVALID : status);
            (void)snprintf(Error->Message, sizeof(Error->Message), "%s",
                           denied ? "the signature given with IntSetExceptionsSignature is not the key's for this file"
                                  : "the Ed25519 signature cannot be verified (libsodium unavailable)");
            return status;
        }
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgExcAuthCheck(const IG_EXC_AUTH *Auth, const IG_ALLOCATOR *Allocator, const uint8_t *Buffer, size_t Length,
                         const uint8_t **Bytes, uint8_t **Copy, IG_PARSE_ERROR *Error)
{
    INTSTATUS status;

    *Bytes = Buffer;
    *Copy = NULL;
    if (!Auth->HasDigest && !Auth->HasKey)
    {
        return INT_STATUS_SUCCESS;
    }

    status = Allocator->Alloc(Allocator->Context, (void **)Copy, Length ? Length : 1, IG_TAG_RULESET);
    if (!INT_SUCCESS(status) || !*Copy)
    {
        *Copy = NULL;
        IgAuthError(Error, INT_STATUS_INSUFFICIENT_RESOURCES, INT_STATUS_INSUFFICIENT_RESOURCES);
        (void)snprintf(Error->Message, sizeof(Error->Message), "cannot allocate %zu bytes to check the file", Length);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(*Copy, Buffer, Length);
    status = IgAuthVerify(Auth, *Copy, Length, Error);
    if (!INT_SUCCESS(status))
    {
        Allocator->Free(Allocator->Context, (void **)Copy, IG_TAG_RULESET);
        return status;
    }
    *Bytes = *Copy;
    return INT_STATUS_SUCCESS;
}
