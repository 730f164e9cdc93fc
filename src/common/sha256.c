/*
 * SHA-256 as FIPS 180-4 §6.2 specifies it: 512-bit blocks, big-endian words, the message padded
 * with a 1 bit, zeros and its 64-bit bit length (§5.1.1).
 */
#include "sha256.h"

#include <string.h>

/* §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t gIgSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t IgRotr(uint32_t X, unsigned N)
{
    return (X >> N) | (X << (32u - N));
}

/* §6.2.2 steps 1-4 for one block. */
static void IgSha256Block(uint32_t State[8], const uint8_t Block[IG_SHA256_BLOCK])
{
    uint32_t w[64];
    uint32_t a = State[0], b = State[1], c = State[2], d = State[3];
    uint32_t e = State[4], f = State[5], g = State[6], h = State[7];

    for (unsigned t = 0; t < 16; t++)
    {
        w[t] = ((uint32_t)Block[4 * t] << 24) | ((uint32_t)Block[4 * t + 1] << 16) | ((uint32_t)Block[4 * t + 2] << 8) |
               Block[4 * t + 3];
    }
    for (unsigned t = 16; t < 64; t++)
    {
        uint32_t s0 = IgRotr(w[t - 15], 7) ^ IgRotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = IgRotr(w[t - 2], 17) ^ IgRotr(w[t - 2], 19) ^ (w[t - 2] >> 10);

        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    for (unsigned t = 0; t < 64; t++)
    {
        uint32_t S1 = IgRotr(e, 6) ^ IgRotr(e, 11) ^ IgRotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + gIgSha256K[t] + w[t];
        uint32_t S0 = IgRotr(a, 2) ^ IgRotr(a, 13) ^ IgRotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;

        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    State[0] += a;
    State[1] += b;
    State[2] += c;
    State[3] += d;
    State[4] += e;
    State[5] += f;
    State[6] += g;
    State[7] += h;
}

void IgSha256Init(IG_SHA256 *Context)
{
    /* §5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    memcpy(Context->State, initial, sizeof(initial));
    Context->Length = 0;
    Context->Used = 0;
}

void IgSha256Update(IG_SHA256 *Context, const void *Data, size_t Size)
{
    const uint8_t *p = Data;

    Context->Length += Size;
    if (Context->Used)
    {
        size_t take = IG_SHA256_BLOCK - Context->Used < Size ? IG_SHA256_BLOCK - Context->Used : Size;

        memcpy(Context->Block + Context->Used, p, take);
        Context->Used += (uint32_t)take;
        p += take;
        Size -= take;
        if (Context->Used < IG_SHA256_BLOCK)
        {
            return;
        }
        IgSha256Block(Context->State, Context->Block);
        Context->Used = 0;
    }
    for (; Size >= IG_SHA256_BLOCK; p += IG_SHA256_BLOCK, Size -= IG_SHA256_BLOCK)
    {
        IgSha256Block(Context->State, p);
    }
    if (Size)
    {
        memcpy(Context->Block, p, Size);
        Context->Used = (uint32_t)Size;
    }
}

void IgSha256Final(IG_SHA256 *Context, uint8_t Digest[IG_SHA256_SIZE])
{
    uint64_t bits = Context->Length * 8u;

    /* §5.1.1: a 1 bit, zeros up to 448 bits modulo 512, then the length as 64 bits, big-endian. */
    Context->Block[Context->Used++] = 0x80;
    if (Context->Used > IG_SHA256_BLOCK - 8)
    {
        memset(Context->Block + Context->Used, 0, IG_SHA256_BLOCK - Context->Used);
        IgSha256Block(Context->State, Context->Block);
        Context->Used = 0;
    }
    memset(Context->Block + Context->Used, 0, IG_SHA256_BLOCK - 8 - Context->Used);
    for (unsigned i = 0; i < 8; i++)
    {
        Context->Block[IG_SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    IgSha256Block(Context->State, Context->Block);
    for (unsigned i = 0; i < 8; i++)
    {
        Digest[4 * i] = (uint8_t)(Context->State[i] >> 24);
        Digest[4 * i + 1] = (uint8_t)(Context->State[i] >> 16);
        Digest[4 * i + 2] = (uint8_t)(Context->State[i] >> 8);
        Digest[4 * i + 3] = (uint8_t)Context->State[i];
    }
    memset(Context, 0, sizeof(*Context));
}

void IgSha256(const void *Data, size_t Size, uint8_t Digest[IG_SHA256_SIZE])
{
    IG_SHA256 context;

    IgSha256Init(&context);
    IgSha256Update(&context, Data, Size);
    IgSha256Final(&context, Digest);
}
