/*
 * Ed25519 verification through libsodium (crypto_sign_verify_detached), or nothing when the
 * library is built without it (INTROGUARD_ED25519 off).  libsodium allocates nothing to verify.
 */
#include "ed25519.h"

#ifdef INTROGUARD_ED25519
#include <sodium.h>

bool IgEd25519Available(void)
{
    return true;
}

INTSTATUS IgEd25519Prepare(void)
{
    /* 0: started now, 1: already started; -1: it cannot run (no usable random source). */
    return sodium_init() < 0 ? INT_STATUS_INSUFFICIENT_RESOURCES : INT_STATUS_SUCCESS;
}

INTSTATUS IgEd25519Verify(const uint8_t *Message, size_t Size, const uint8_t Signature[IG_ED25519_SIGNATURE_SIZE],
                          const uint8_t PublicKey[IG_ED25519_PUBLIC_KEY_SIZE])
{
    INTSTATUS status = IgEd25519Prepare();

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    return crypto_sign_verify_detached(Signature, Message, Size, PublicKey) == 0 ? INT_STATUS_SUCCESS
                                                                                 : INT_STATUS_ACCESS_DENIED;
}

#else

bool IgEd25519Available(void)
{
    return false;
}

INTSTATUS IgEd25519Prepare(void)
{
    return INT_STATUS_NOT_SUPPORTED;
}

INTSTATUS IgEd25519Verify(const uint8_t *Message, size_t Size, const uint8_t Signature[IG_ED25519_SIGNATURE_SIZE],
                          const uint8_t PublicKey[IG_ED25519_PUBLIC_KEY_SIZE])
{
    (void)Message;
    (void)Size;
    (void)Signature;
    (void)PublicKey;
    return INT_STATUS_NOT_SUPPORTED;
}

#endif
