/*
 * hvmi's name hash: reflected CRC-32 (polynomial 0xEDB88320) with the register starting at 0
 * and a final XOR of 0xFFFFFFFF, i.e. zlib's crc32(data, 0xFFFFFFFF).  It is not the standard
 * CRC-32.  The hash of an empty name is 0xFFFFFFFF, which hvmi uses as "no name".
 */
#ifndef INTROGUARD_CRC32_H
#define INTROGUARD_CRC32_H

#include <stddef.h>
#include <stdint.h>

#define IG_NAME_HASH_NONE 0xFFFFFFFFu

/* Continues a running hash: pass IG_NAME_HASH_NONE to start; returns the finished hash. */
uint32_t IgCrc32Update(uint32_t Hash, const void *Data, size_t Size);

/* Hash of Size bytes (narrow names are their UTF-8 bytes). */
uint32_t IgNameHash(const void *Data, size_t Size);

/* Hash of a string widened to UTF-16LE, byte by byte (low byte first) as hvmi hashes WCHARs. */
uint32_t IgNameHashWideAscii(const char *Ascii, size_t Length);

#endif /* INTROGUARD_CRC32_H */
