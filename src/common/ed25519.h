/*
 * Detached Ed25519 signatures of exceptions files (IntSetExceptionsKey), verified with libsodium
 * when the library is built with INTROGUARD_ED25519 (the default).  Only this file's .c includes
 * <sodium.h>.
 */
#ifndef INTROGUARD_ED25519_H
#define INTROGUARD_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/introstatus.h"

#define IG_ED25519_PUBLIC_KEY_SIZE 32u
#define IG_ED25519_SIGNATURE_SIZE 64u

/* Whether this build verifies signatures. */
bool IgEd25519Available(void);

/*
 * Prepares the verifier (libsodium's sodium_init, thread-safe and idempotent).  SUCCESS;
 * NOT_SUPPORTED without libsodium; INSUFFICIENT_RESOURCES when libsodium cannot start.
 */
__attribute__((warn_unused_result)) INTSTATUS IgEd25519Prepare(void);

/*
 * SUCCESS when Signature is PublicKey's Ed25519 signature of the Size bytes at Message;
 * ACCESS_DENIED when it is not; NOT_SUPPORTED without libsodium; INSUFFICIENT_RESOURCES when
 * libsodium cannot start.
 */
__attribute__((warn_unused_result)) INTSTATUS IgEd25519Verify(const uint8_t *Message, size_t Size,
                                                              const uint8_t Signature[IG_ED25519_SIGNATURE_SIZE],
                                                              const uint8_t PublicKey[IG_ED25519_PUBLIC_KEY_SIZE]);

#endif /* INTROGUARD_ED25519_H */
