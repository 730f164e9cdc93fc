#include "crc32.h"

/* The standard 256-entry table for the reflected polynomial, folded by the compiler: no
 * run-time initialisation, no mutable state. */
#define IG_CRC_STEP(c) (((c)&1u) ? (0xEDB88320u ^ ((c) >> 1)) : ((c) >> 1))
#define IG_CRC_ENTRY(n)                                                                                                \
    IG_CRC_STEP(                                                                                                       \
        IG_CRC_STEP(IG_CRC_STEP(IG_CRC_STEP(IG_CRC_STEP(IG_CRC_STEP(IG_CRC_STEP(IG_CRC_STEP((uint32_t)(n)))))))))
#define IG_CRC_ROW4(n) IG_CRC_ENTRY(n), IG_CRC_ENTRY((n) + 1), IG_CRC_ENTRY((n) + 2), IG_CRC_ENTRY((n) + 3)
#define IG_CRC_ROW16(n) IG_CRC_ROW4(n), IG_CRC_ROW4((n) + 4), IG_CRC_ROW4((n) + 8), IG_CRC_ROW4((n) + 12)
#define IG_CRC_ROW64(n) IG_CRC_ROW16(n), IG_CRC_ROW16((n) + 16), IG_CRC_ROW16((n) + 32), IG_CRC_ROW16((n) + 48)

static const uint32_t gIgCrcTable[256] = {IG_CRC_ROW64(0), IG_CRC_ROW64(64), IG_CRC_ROW64(128), IG_CRC_ROW64(192)};

uint32_t IgCrc32Update(uint32_t Hash, const void *Data, size_t Size)
{
    const uint8_t *p = (const uint8_t *)Data;
    uint32_t reg = Hash ^ 0xFFFFFFFFu;

    for (size_t i = 0; i < Size; i++)
    {
        reg = gIgCrcTable[(reg ^ p[i]) & 0xFF] ^ (reg >> 8);
    }
    return reg ^ 0xFFFFFFFFu;
}

uint32_t IgNameHash(const void *Data, size_t Size)
{
    return IgCrc32Update(IG_NAME_HASH_NONE, Data, Size);
}

uint32_t IgNameHashWideAscii(const char *Ascii, size_t Length)
{
    static const uint8_t zero = 0;
    uint32_t hash = IG_NAME_HASH_NONE;

    for (size_t i = 0; i < Length; i++)
    {
        hash = IgCrc32Update(hash, &Ascii[i], 1);
        hash = IgCrc32Update(hash, &zero, 1);
    }
    return hash;
}
