/*
 * SHA-256 (FIPS 180-4), for the digest pin of exceptions files (IntSetExceptionsDigest).
 *
 * Our own rather than libsodium's so that the pin works in every build, INTROGUARD_ED25519 or not,
 * with no dependency; it is checked against NIST's example vectors (tests/test_sha256.c) and,
 * when libsodium is built in, against libsodium's on every length around the block boundaries.
 */
#ifndef INTROGUARD_SHA256_H
#define INTROGUARD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define IG_SHA256_SIZE 32u
#define IG_SHA256_BLOCK 64u

typedef struct IG_SHA256
{
    uint32_t State[8];
    uint64_t Length; /* bytes hashed so far */
    uint8_t Block[IG_SHA256_BLOCK];
    uint32_t Used; /* bytes waiting in Block */
} IG_SHA256;

void IgSha256Init(IG_SHA256 *Context);
void IgSha256Update(IG_SHA256 *Context, const void *Data, size_t Size);
/* Writes the digest; Context must be initialised again before reuse. */
void IgSha256Final(IG_SHA256 *Context, uint8_t Digest[IG_SHA256_SIZE]);

/* The digest of Size bytes at Data in one call. */
void IgSha256(const void *Data, size_t Size, uint8_t Digest[IG_SHA256_SIZE]);

#endif /* INTROGUARD_SHA256_H */
