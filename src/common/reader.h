/*
 * The bounds-checked reader: the only code that touches raw untrusted bytes.
 *
 * A reader is a cursor over [Data, Data + Size).  Every read checks `len > Size - Pos` (never
 * `Pos + len > Size`, which can wrap).  The first failed read makes the reader sticky-failed: later
 * reads return zero and do not move, so a parser can read a whole fixed part and test `Failed`
 * once.  Sub-readers cover a slice of their parent and remember its absolute file offset, so
 * errors can always name the byte where they were found.
 */
#ifndef INTROGUARD_READER_H
#define INTROGUARD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct IG_READER
{
    const uint8_t *Data; /* first byte of the window */
    size_t Size;         /* window size in bytes */
    size_t Pos;          /* cursor, 0 <= Pos <= Size */
    size_t Base;         /* absolute offset of Data[0] in the outermost buffer */
    bool Failed;         /* sticky: a read ran past the window */
} IG_READER;

static inline void IgReaderInit(IG_READER *Reader, const void *Data, size_t Size)
{
    Reader->Data = (const uint8_t *)Data;
    Reader->Size = Data ? Size : 0;
    Reader->Pos = 0;
    Reader->Base = 0;
    Reader->Failed = false;
}

static inline size_t IgReaderRemaining(const IG_READER *Reader)
{
    return Reader->Size - Reader->Pos;
}

/* Absolute offset of the cursor in the outermost buffer. */
static inline size_t IgReaderOffset(const IG_READER *Reader)
{
    return Reader->Base + Reader->Pos;
}

static inline bool IgReaderHas(const IG_READER *Reader, size_t Length)
{
    return !Reader->Failed && Length <= Reader->Size - Reader->Pos;
}

static inline bool IgReaderAtEnd(const IG_READER *Reader)
{
    return Reader->Pos == Reader->Size;
}

/* Returns a pointer to the next Length bytes and moves past them, or NULL (and fails). */
static inline const uint8_t *IgReadBytes(IG_READER *Reader, size_t Length)
{
    const uint8_t *p;

    if (!IgReaderHas(Reader, Length))
    {
        Reader->Failed = true;
        return NULL;
    }
    p = Reader->Data + Reader->Pos;
    Reader->Pos += Length;
    return p;
}

/* The next Length bytes without moving, or NULL if there are fewer (the reader does not fail). */
static inline const uint8_t *IgReaderPeek(const IG_READER *Reader, size_t Length)
{
    return IgReaderHas(Reader, Length) ? Reader->Data + Reader->Pos : NULL;
}

static inline bool IgReadSkip(IG_READER *Reader, size_t Length)
{
    return IgReadBytes(Reader, Length) != NULL;
}

static inline uint8_t IgReadU8(IG_READER *Reader)
{
    const uint8_t *p = IgReadBytes(Reader, 1);
    return p ? p[0] : 0;
}

static inline uint16_t IgReadU16(IG_READER *Reader)
{
    const uint8_t *p = IgReadBytes(Reader, 2);
    return p ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

/*
 * Little-endian loads from bytes that IgReadBytes already handed out (so already bounds-checked):
 * a parser may take a record's fixed part with one checked read and decode its fields from it.
 */
static inline uint16_t IgLoadLe16(const uint8_t *Bytes)
{
    return (uint16_t)(Bytes[0] | (Bytes[1] << 8));
}

static inline uint32_t IgLoadLe32(const uint8_t *Bytes)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, Bytes, sizeof(v));
    return v;
#else
    return (uint32_t)Bytes[0] | ((uint32_t)Bytes[1] << 8) | ((uint32_t)Bytes[2] << 16) | ((uint32_t)Bytes[3] << 24);
#endif
}

static inline uint32_t IgReadU32(IG_READER *Reader)
{
    const uint8_t *p = IgReadBytes(Reader, 4);
    return p ? IgLoadLe32(p) : 0;
}

static inline uint64_t IgReadU64(IG_READER *Reader)
{
    uint64_t lo = IgReadU32(Reader);
    uint64_t hi = IgReadU32(Reader);
    return lo | (hi << 32);
}

/* A reader over bytes that a parent reader already handed out with IgReadBytes. */
static inline IG_READER IgReaderView(const uint8_t *Data, size_t Size, size_t Base)
{
    IG_READER view = {Data, Size, 0, Base, false};
    return view;
}

/*
 * Carves the next Length bytes into Sub and moves the parent past them.  On failure Sub is an
 * empty failed reader and the parent is failed too.
 */
static inline bool IgReadSub(IG_READER *Reader, size_t Length, IG_READER *Sub)
{
    size_t start = IgReaderOffset(Reader);
    const uint8_t *p = IgReadBytes(Reader, Length);

    Sub->Data = p;
    Sub->Size = p ? Length : 0;
    Sub->Pos = 0;
    Sub->Base = start;
    Sub->Failed = (p == NULL);
    return p != NULL;
}

/* Length of the NUL-terminated string at the cursor, looking at most Max bytes; Max if none. */
static inline size_t IgReaderStrnlen(const IG_READER *Reader, size_t Max)
{
    size_t avail = Reader->Failed ? 0 : Reader->Size - Reader->Pos;
    const void *nul;

    if (Max > avail)
    {
        Max = avail;
    }
    nul = Max ? memchr(Reader->Data + Reader->Pos, 0, Max) : NULL;
    return nul ? (size_t)((const uint8_t *)nul - (Reader->Data + Reader->Pos)) : Max;
}

#endif /* INTROGUARD_READER_H */
