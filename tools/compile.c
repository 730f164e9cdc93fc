/*
 * The compiler core: JSON documents -> normalised records -> bytes (spec §2, §4, §5).
 *
 * Pass 1 reads every signature of every source in order and numbers them (ID = type << 22 | seq,
 * seq global in that order).  Pass 2 reads every exception, expands groups, hashes the names and
 * resolves signature names.  Then unused signatures are pruned, the lists are sorted with hvmi's
 * keys (stable: the parse index is the last key) and written.  See docs/compiler.md.
 */
#include "compile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32.h"
#include "exceptions/update_file.h"
#include "json.h"

/* ---- Small growable containers ------------------------------------------------------------- */

typedef struct IG_CBUF
{
    uint8_t *Data;
    size_t Size;
    size_t Cap;
    bool Failed;
} IG_CBUF;

static void IgCbufReserve(IG_CBUF *B, size_t More)
{
    size_t need;
    if (B->Failed || __builtin_add_overflow(B->Size, More, &need))
    {
        B->Failed = true;
        return;
    }
    if (need <= B->Cap)
    {
        return;
    }
    size_t cap = B->Cap ? B->Cap : 256;
    while (cap < need)
    {
        if (__builtin_mul_overflow(cap, 2, &cap))
        {
            B->Failed = true;
            return;
        }
    }
    uint8_t *n = realloc(B->Data, cap);
    if (n == NULL)
    {
        B->Failed = true;
        return;
    }
    B->Data = n;
    B->Cap = cap;
}

static void IgCbufPut(IG_CBUF *B, const void *Data, size_t Size)
{
    IgCbufReserve(B, Size);
    if (!B->Failed && Size)
    {
        memcpy(B->Data + B->Size, Data, Size);
        B->Size += Size;
    }
}

static void IgCbufU8(IG_CBUF *B, uint8_t V)
{
    IgCbufPut(B, &V, 1);
}

static void IgCbufU16(IG_CBUF *B, uint16_t V)
{
    uint8_t b[2] = {(uint8_t)V, (uint8_t)(V >> 8)};
    IgCbufPut(B, b, 2);
}

static void IgCbufU32(IG_CBUF *B, uint32_t V)
{
    uint8_t b[4] = {(uint8_t)V, (uint8_t)(V >> 8), (uint8_t)(V >> 16), (uint8_t)(V >> 24)};
    IgCbufPut(B, b, 4);
}

static void IgCbufU64(IG_CBUF *B, uint64_t V)
{
    IgCbufU32(B, (uint32_t)V);
    IgCbufU32(B, (uint32_t)(V >> 32));
}

static void IgCbufPrintf(IG_CBUF *B, const char *Format, ...) __attribute__((format(printf, 2, 3)));

static void IgCbufPrintf(IG_CBUF *B, const char *Format, ...)
{
    va_list ap;
    char small[512];
    va_start(ap, Format);
    int n = vsnprintf(small, sizeof(small), Format, ap);
    va_end(ap);
    if (n < 0)
    {
        return;
    }
    if ((size_t)n < sizeof(small))
    {
        IgCbufPut(B, small, (size_t)n);
        return;
    }
    IgCbufReserve(B, (size_t)n + 1);
    if (B->Failed)
    {
        return;
    }
    va_start(ap, Format);
    vsnprintf((char *)B->Data + B->Size, (size_t)n + 1, Format, ap);
    va_end(ap);
    B->Size += (size_t)n;
}

/* ---- Model ------------------------------------------------------------------------------- */

typedef struct IG_CSIG
{
    const char *Name; /* sig_id */
    size_t NameLength;
    uint32_t Id;
    uint8_t RecordType;
    size_t BodyOffset; /* in IG_CC.Bodies */
    size_t BodySize;
    bool Used;
    const IG_JSON_VALUE *Node;
    size_t Source;
} IG_CSIG;

typedef struct IG_CEXC
{
    uint8_t RecordType;
    uint8_t Object;
    uint32_t Originator, Victim, Process, Flags;
    const char *Glob[3]; /* glob strings: originator, victim, process */
    bool GlobPrefix;     /* originator starts with a glob character (hvmi's list) */
    size_t SigOffset;    /* in IG_CC.SigPool */
    size_t SigCount;
    size_t Order; /* parse order after expansion: the stable-sort tie-breaker */
    const IG_JSON_VALUE *Node;
    size_t Source;
} IG_CEXC;

typedef struct IG_CC
{
    const IG_COMPILE_OPTIONS *Options;
    const IG_COMPILE_SOURCE *Sources;
    size_t SourceCount;
    IG_JSON_DOC *Docs;
    size_t Current; /* source being read, for messages */

    IG_CBUF Messages;
    unsigned Errors;
    unsigned Warnings;
    bool OutOfMemory;

    IG_CSIG *Sigs;
    size_t SigCount, SigCap;
    uint32_t *SigTable; /* open addressing over Sigs by name: index + 1, 0 = empty */
    size_t SigTableSize;
    uint32_t NextSequence;

    IG_CEXC *Excs;
    size_t ExcCount, ExcCap;
    IG_CBUF SigPool; /* u32 signature IDs of exceptions, native order */
    IG_CBUF Bodies;  /* signature record bodies */

    char *Scratch; /* name normalisation */
    size_t ScratchSize;
} IG_CC;

/* ---- Messages ---------------------------------------------------------------------------- */

typedef enum IG_CSEV
{
    IgSevError,
    IgSevWarning,
    IgSevNote,
} IG_CSEV;

static void IgCcReport(IG_CC *C, IG_CSEV Severity, size_t Source, const IG_JSON_VALUE *Node, const char *Format, ...)
    __attribute__((format(printf, 5, 6)));

static void IgCcReport(IG_CC *C, IG_CSEV Severity, size_t Source, const IG_JSON_VALUE *Node, const char *Format, ...)
{
    char path[256];
    char text[768];
    va_list ap;
    const char *sev = Severity == IgSevError ? "error" : (Severity == IgSevWarning ? "warning" : "note");

    if (Severity == IgSevWarning && C->Options->Strict)
    {
        Severity = IgSevError;
        sev = "error (--strict)";
    }
    if (Severity == IgSevError)
    {
        C->Errors++;
        if (C->Errors > IG_COMPILE_MAX_ERRORS)
        {
            return;
        }
    }
    else if (Severity == IgSevWarning)
    {
        C->Warnings++;
    }
    va_start(ap, Format);
    vsnprintf(text, sizeof(text), Format, ap);
    va_end(ap);
    const char *name = Source < C->SourceCount ? C->Sources[Source].Name : "<input>";
    if (Node)
    {
        IgCbufPrintf(&C->Messages, "%s:%u:%u: %s: %s: %s\n", name, Node->Line, Node->Column, sev,
                     IgJsonPath(Node, path, sizeof(path)), text);
    }
    else
    {
        IgCbufPrintf(&C->Messages, "%s: %s: %s\n", name, sev, text);
    }
}

#define IG_ERR(C, Node, ...) IgCcReport((C), IgSevError, (C)->Current, (Node), __VA_ARGS__)
#define IG_WARN(C, Node, ...) IgCcReport((C), IgSevWarning, (C)->Current, (Node), __VA_ARGS__)

/* " (did you mean 'x'?)" or "" */
static const char *IgCcSuggest(char *Buffer, size_t Size, const char *Nearest)
{
    if (Nearest == NULL)
    {
        Buffer[0] = 0;
    }
    else
    {
        snprintf(Buffer, Size, " (did you mean '%s'?)", Nearest);
    }
    return Buffer;
}

/* ---- Typed member access --------------------------------------------------------------- */

/* A member that is absent or null is "absent" (Python's None). */
static const IG_JSON_VALUE *IgCcMember(const IG_JSON_VALUE *Object, const char *Key)
{
    const IG_JSON_VALUE *v = IgJsonGet(Object, Key);
    return (v && v->Type != IgJsonNull) ? v : NULL;
}

/* Optional string member: true if usable (absent or a string), false after reporting. */
static bool IgCcString(IG_CC *C, const IG_JSON_VALUE *Object, const char *Key, const IG_JSON_VALUE **Out)
{
    const IG_JSON_VALUE *v = IgCcMember(Object, Key);
    *Out = NULL;
    if (v == NULL)
    {
        return true;
    }
    if (v->Type != IgJsonString)
    {
        IG_ERR(C, v, "expected a string, found %s", IgJsonTypeName(v->Type));
        return false;
    }
    *Out = v;
    return true;
}

/* Non-empty string value (Python truthiness: "" counts as absent). */
static bool IgCcPresent(const IG_JSON_VALUE *V)
{
    return V != NULL && V->Length > 0;
}

static bool IgCcInteger(IG_CC *C, const IG_JSON_VALUE *V, int64_t Min, int64_t Max, int64_t *Out)
{
    if (V->Type != IgJsonNumber)
    {
        IG_ERR(C, V, "expected an integer, found %s", IgJsonTypeName(V->Type));
        return false;
    }
    if (!V->IsInteger)
    {
        if (strpbrk(V->Text, ".eE"))
        {
            IG_ERR(C, V, "expected an integer, found %s", V->Text);
        }
        else
        {
            IG_ERR(C, V, "number %s out of range (%lld..%lld)", V->Text, (long long)Min, (long long)Max);
        }
        return false;
    }
    if (V->Integer < Min || V->Integer > Max)
    {
        IG_ERR(C, V, "number %lld out of range (%lld..%lld)", (long long)V->Integer, (long long)Min, (long long)Max);
        return false;
    }
    *Out = V->Integer;
    return true;
}

/* Hex string, with or without 0x, at most Max. */
static bool IgCcHex(IG_CC *C, const IG_JSON_VALUE *V, uint64_t Max, uint64_t *Out)
{
    if (V->Type != IgJsonString)
    {
        IG_ERR(C, V, "expected a hex string such as \"0x1f\", found %s", IgJsonTypeName(V->Type));
        return false;
    }
    const char *s = V->Text;
    size_t n = V->Length;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
        s += 2;
        n -= 2;
    }
    if (n == 0)
    {
        IG_ERR(C, V, "bad hex number \"%.40s\": no digits", V->Text);
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
    {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
        {
            IG_ERR(C, V, "bad hex number \"%.40s\": '%c' is not a hex digit", V->Text,
                   (c >= 0x20 && c < 0x7F) ? c : '?');
            return false;
        }
        if (v > (Max >> 4) || ((v << 4) | d) > Max)
        {
            IG_ERR(C, V, "hex number \"%.40s\" out of range (at most 0x%llX)", V->Text, (unsigned long long)Max);
            return false;
        }
        v = (v << 4) | d;
    }
    *Out = v;
    return true;
}

/* An array member; Required reports absence. */
static bool IgCcArray(IG_CC *C, const IG_JSON_VALUE *Object, const char *Key, bool Required, const IG_JSON_VALUE **Out)
{
    const IG_JSON_VALUE *v = IgCcMember(Object, Key);
    *Out = NULL;
    if (v == NULL)
    {
        if (Required)
        {
            IG_ERR(C, Object, "missing \"%s\" (an array)", Key);
            return false;
        }
        return true;
    }
    if (v->Type != IgJsonArray)
    {
        IG_ERR(C, v, "expected an array, found %s", IgJsonTypeName(v->Type));
        return false;
    }
    *Out = v;
    return true;
}

/* Warns about members not in Known (hvmi silently ignores them, so a typo silently loses data). */
static void IgCcUnknownKeys(IG_CC *C, const IG_JSON_VALUE *Object, const char *const *Known, size_t KnownCount)
{
    const IG_JSON_VALUE *dup = IgJsonFindDuplicate(Object);
    if (dup)
    {
        IG_WARN(C, dup, "duplicate key \"%.40s\": the last one is used", dup->Key);
    }
    for (size_t i = 0; i < Object->Count; i++)
    {
        const IG_JSON_VALUE *m = Object->Items[i];
        bool known = false;
        for (size_t k = 0; k < KnownCount && !known; k++)
        {
            known = strlen(Known[k]) == m->KeyLength && memcmp(Known[k], m->Key, m->KeyLength) == 0;
        }
        if (!known)
        {
            char sug[96];
            IG_WARN(C, m, "unknown key \"%.40s\" is ignored%s", m->Key,
                    IgCcSuggest(sug, sizeof(sug), IgKwNearestOf(Known, KnownCount, m->Key, m->KeyLength, 0)));
        }
    }
}

/* ---- Names ------------------------------------------------------------------------------- */

static bool IgCcScratch(IG_CC *C, size_t Size)
{
    if (Size <= C->ScratchSize)
    {
        return true;
    }
    char *n = realloc(C->Scratch, Size);
    if (n == NULL)
    {
        C->OutOfMemory = true;
        return false;
    }
    C->Scratch = n;
    C->ScratchSize = Size;
    return true;
}

/* Decodes one code point of valid UTF-8 (the JSON parser validated it); returns its length. */
static size_t IgUtf8Decode(const uint8_t *S, size_t N, uint32_t *Cp)
{
    uint8_t c = S[0];
    if (c < 0x80 || N < 2)
    {
        *Cp = c;
        return 1;
    }
    if (c < 0xE0)
    {
        *Cp = ((uint32_t)(c & 0x1F) << 6) | (S[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0 || N < 4)
    {
        if (N < 3)
        {
            *Cp = c;
            return 1;
        }
        *Cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(S[1] & 0x3F) << 6) | (S[2] & 0x3F);
        return 3;
    }
    *Cp =
        ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(S[1] & 0x3F) << 12) | ((uint32_t)(S[2] & 0x3F) << 6) | (S[3] & 0x3F);
    return 4;
}

/* hvmi's wide hash: the UTF-16LE encoding of a UTF-8 string (§4.2). */
static uint32_t IgHashWideUtf8(const char *Text, size_t Length)
{
    const uint8_t *s = (const uint8_t *)Text;
    uint32_t h = IG_NAME_HASH_NONE;
    size_t i = 0;
    while (i < Length)
    {
        uint32_t cp;
        i += IgUtf8Decode(s + i, Length - i, &cp);
        uint8_t b[4];
        if (cp >= 0x10000)
        {
            uint32_t v = cp - 0x10000;
            uint16_t hi = (uint16_t)(0xD800 | (v >> 10));
            uint16_t lo = (uint16_t)(0xDC00 | (v & 0x3FF));
            b[0] = (uint8_t)hi;
            b[1] = (uint8_t)(hi >> 8);
            b[2] = (uint8_t)lo;
            b[3] = (uint8_t)(lo >> 8);
            h = IgCrc32Update(h, b, 4);
        }
        else
        {
            b[0] = (uint8_t)cp;
            b[1] = (uint8_t)(cp >> 8);
            h = IgCrc32Update(h, b, 2);
        }
    }
    return h;
}

/* Bytes of the first Count code points of a UTF-8 string. */
static size_t IgUtf8Prefix(const char *Text, size_t Length, size_t Count)
{
    size_t i = 0;
    while (i < Length && Count > 0)
    {
        uint32_t cp;
        i += IgUtf8Decode((const uint8_t *)Text + i, Length - i, &cp);
        Count--;
    }
    return i;
}

typedef struct IG_NAME_RULE
{
    IG_KW_SPECIAL_TABLE Table;
    bool Lower;    /* lower-case first (ASCII; see docs/compiler.md for non-ASCII) */
    bool Wide;     /* UTF-16LE hash, else the UTF-8 bytes */
    unsigned Trim; /* keep this many characters (0: all) */
    bool Escapes;  /* UM: a name starting with '*' may hold \xHH byte escapes (§4.3) */
} IG_NAME_RULE;

/* Hash one name field per §4.3/§4.4.  Node is the string value (for messages). */
static bool IgCcHashName(IG_CC *C, const IG_JSON_VALUE *Node, const char *Text, size_t Length, const IG_NAME_RULE *Rule,
                         uint32_t *Out)
{
    if (Length == 0)
    {
        *Out = IG_NAME_HASH_NONE;
        return true;
    }
    if (!IgCcScratch(C, Length + 1))
    {
        return false;
    }
    char *s = C->Scratch;
    bool nonAscii = false;
    for (size_t i = 0; i < Length; i++)
    {
        char c = Text[i];
        if ((unsigned char)c >= 0x80)
        {
            nonAscii = true;
        }
        s[i] = (Rule->Lower && c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    s[Length] = 0;
    if (nonAscii && Rule->Lower && Node)
    {
        IG_WARN(C, Node,
                "non-ASCII name: only ASCII letters are lower-cased (hvmi uses Python's Unicode "
                "str.lower(), so its hash may differ)");
    }

    if (Rule->Escapes && s[0] == '*' && strstr(s, "\\x"))
    {
        /* \xHH escapes turn the name into bytes: no special-name lookup, trim counts bytes. */
        size_t o = 0;
        for (size_t i = 0; i < Length;)
        {
            if (s[i] == '\\' && i + 1 < Length && s[i + 1] == 'x')
            {
                unsigned v = 0;
                for (size_t k = 2; k < 4; k++)
                {
                    char c = (i + k < Length) ? s[i + k] : 0;
                    unsigned d;
                    if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                    else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                    else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                    else
                    {
                        IG_ERR(C, Node, "bad \\x escape in name: two hex digits expected after \\x");
                        return false;
                    }
                    v = v * 16 + d;
                }
                s[o++] = (char)v;
                i += 4;
            }
            else
            {
                s[o++] = s[i++];
            }
        }
        if (Rule->Wide)
        {
            IG_ERR(C, Node, "\\x escapes are only allowed in names that are hashed narrow (process-type names)");
            return false;
        }
        size_t n = (Rule->Trim && o > Rule->Trim) ? Rule->Trim : o;
        *Out = IgNameHash(s, n);
        return true;
    }

    uint32_t special;
    if (IgKwFind(IgKwSpecialNames(Rule->Table), s, Length, &special))
    {
        *Out = special;
        return true;
    }
    size_t n = Rule->Trim ? IgUtf8Prefix(s, Length, Rule->Trim) : Length;
    *Out = Rule->Wide ? IgHashWideUtf8(s, n) : IgNameHash(s, n);
    return true;
}

/* "0x%08X" extension value (decompile's *_hash, flags_raw, id_raw). */
static bool IgCcRaw32(IG_CC *C, const IG_JSON_VALUE *V, uint32_t *Out)
{
    uint64_t v;
    if (!IgCcHex(C, V, 0xFFFFFFFFu, &v))
    {
        return false;
    }
    *Out = (uint32_t)v;
    return true;
}

/* ---- Flags ------------------------------------------------------------------------------- */

#define IG_MAX_FLAG_TOKENS 64u

typedef struct IG_CFLAGS
{
    const char *Tok[IG_MAX_FLAG_TOKENS];
    size_t Len[IG_MAX_FLAG_TOKENS];
    size_t Count;
    uint32_t Bits;
    bool Raw; /* flags_raw: Bits verbatim, no defaults */
} IG_CFLAGS;

static bool IgFlagHas(const IG_CFLAGS *F, const char *Name)
{
    size_t n = strlen(Name);
    for (size_t i = 0; i < F->Count; i++)
    {
        if (F->Len[i] == n && memcmp(F->Tok[i], Name, n) == 0)
        {
            return true;
        }
    }
    return false;
}

static const char *IgFlagNamespaceName(unsigned Ns)
{
    switch (Ns)
    {
        case IG_KW_FLAGS_COMMON:
            return "common";
        case IG_KW_FLAGS_KERNEL:
            return "kernel-mode";
        case IG_KW_FLAGS_USER:
            return "user-mode";
        case IG_KW_FLAGS_KERNEL_USER:
            return "kernel-user";
        default:
            return "signature";
    }
}

/*
 * Splits a flags string on single spaces (hvmi's rule: an empty token is an error) and checks each
 * token against the namespaces Accepted.  Missing flags mean "32 64"; a string without "32" and
 * "64" gets them appended (DefaultBits).  Kind names the record kind in messages.
 */
static bool IgCcFlags(IG_CC *C, const IG_JSON_VALUE *Entry, unsigned Accepted, uint32_t DefaultBits,
                      bool EmptyIsDefault, const char *Kind, IG_CFLAGS *F)
{
    const IG_JSON_VALUE *raw = IgCcMember(Entry, "flags_raw");
    const IG_JSON_VALUE *v;

    memset(F, 0, sizeof(*F));
    if (!IgCcString(C, Entry, "flags", &v))
    {
        return false;
    }
    if (raw)
    {
        if (v)
        {
            IG_ERR(C, raw, "\"flags_raw\" and \"flags\" are both given; use one");
            return false;
        }
        F->Raw = true;
        return IgCcRaw32(C, raw, &F->Bits);
    }
    if (v == NULL || (EmptyIsDefault && v->Length == 0))
    {
        F->Bits = DefaultBits;
        F->Tok[0] = "32";
        F->Len[0] = 2;
        F->Tok[1] = "64";
        F->Len[1] = 2;
        F->Count = 2;
        return true;
    }
    if (v->Length == 0)
    {
        IG_ERR(C, v, "empty flags string (omit \"flags\" for the default \"32 64\")");
        return false;
    }
    const char *s = v->Text;
    size_t n = v->Length;
    size_t start = 0;
    bool ok = true;
    for (size_t i = 0; i <= n; i++)
    {
        if (i < n && s[i] != ' ')
        {
            continue;
        }
        const char *tok = s + start;
        size_t len = i - start;
        start = i + 1;
        if (len == 0)
        {
            IG_ERR(C, v, "empty flag in \"%.60s\": flags are separated by exactly one space", s);
            return false;
        }
        if (F->Count >= IG_MAX_FLAG_TOKENS)
        {
            IG_ERR(C, v, "more than %u flags", IG_MAX_FLAG_TOKENS);
            return false;
        }
        uint32_t bit;
        if (!IgKwFindFlag(Accepted, tok, len, &bit))
        {
            unsigned all = IG_KW_FLAGS_COMMON | IG_KW_FLAGS_KERNEL | IG_KW_FLAGS_USER | IG_KW_FLAGS_KERNEL_USER |
                           IG_KW_FLAGS_SIGNATURE;
            char sug[96];
            if (IgKwFindFlag(all, tok, len, &bit))
            {
                unsigned owner = 0;
                for (unsigned ns = 1; ns <= IG_KW_FLAGS_SIGNATURE; ns <<= 1)
                {
                    if (IgKwFindFlag(ns, tok, len, &bit))
                    {
                        owner = ns;
                        break;
                    }
                }
                IG_ERR(C, v, "flag '%.*s' is not valid for %s (it is a %s flag)%s", (int)len, tok, Kind,
                       IgFlagNamespaceName(owner),
                       IgCcSuggest(sug, sizeof(sug), IgKwNearestFlag(Accepted, tok, len, 0)));
            }
            else
            {
                IG_ERR(C, v, "unknown flag '%.*s'%s", (int)len, tok,
                       IgCcSuggest(sug, sizeof(sug), IgKwNearestFlag(Accepted, tok, len, 0)));
            }
            ok = false;
            continue;
        }
        F->Tok[F->Count] = tok;
        F->Len[F->Count] = len;
        F->Count++;
        F->Bits |= bit;
    }
    if (!ok)
    {
        return false;
    }
    /* hvmi tests "32"/"64" as substrings of the whole string; for valid tokens that is the same. */
    if (!IgFlagHas(F, "32") && !IgFlagHas(F, "64"))
    {
        F->Bits |= DefaultBits;
        F->Tok[F->Count] = "32";
        F->Len[F->Count++] = 2;
        F->Tok[F->Count] = "64";
        F->Len[F->Count++] = 2;
    }
    return true;
}

/* Adds a named flag the compiler implies (write, exec, return-drv). */
static void IgFlagAdd(IG_CFLAGS *F, unsigned Namespaces, const char *Name)
{
    uint32_t bit;
    if (IgKwFindFlag(Namespaces, Name, strlen(Name), &bit))
    {
        F->Bits |= bit;
        if (F->Count < IG_MAX_FLAG_TOKENS)
        {
            F->Tok[F->Count] = Name;
            F->Len[F->Count++] = strlen(Name);
        }
    }
}

static bool IgFlagTest(const IG_CFLAGS *F, unsigned Namespaces, const char *Name)
{
    if (!F->Raw)
    {
        return IgFlagHas(F, Name);
    }
    uint32_t bit;
    return IgKwFindFlag(Namespaces, Name, strlen(Name), &bit) && (F->Bits & bit) == bit;
}

/* ---- Signatures -------------------------------------------------------------------------- */

static uint64_t IgCcNameKey(const char *S, size_t N)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < N; i++)
    {
        h = (h ^ (uint8_t)S[i]) * 1099511628211ull;
    }
    return h;
}

static IG_CSIG *IgCcFindSig(IG_CC *C, const char *Name, size_t Length)
{
    if (C->SigTableSize == 0)
    {
        return NULL;
    }
    size_t mask = C->SigTableSize - 1;
    for (size_t i = (size_t)IgCcNameKey(Name, Length) & mask;; i = (i + 1) & mask)
    {
        uint32_t slot = C->SigTable[i];
        if (slot == 0)
        {
            return NULL;
        }
        IG_CSIG *s = &C->Sigs[slot - 1];
        if (s->NameLength == Length && memcmp(s->Name, Name, Length) == 0)
        {
            return s;
        }
    }
}

static bool IgCcIndexSig(IG_CC *C, size_t Index)
{
    if ((Index + 1) * 2 > C->SigTableSize)
    {
        size_t size = C->SigTableSize ? C->SigTableSize * 2 : 256;
        uint32_t *t = calloc(size, sizeof(*t));
        if (t == NULL)
        {
            C->OutOfMemory = true;
            return false;
        }
        free(C->SigTable);
        C->SigTable = t;
        C->SigTableSize = size;
        for (size_t i = 0; i < Index; i++)
        {
            size_t j = (size_t)IgCcNameKey(C->Sigs[i].Name, C->Sigs[i].NameLength) & (size - 1);
            while (t[j])
            {
                j = (j + 1) & (size - 1);
            }
            t[j] = (uint32_t)(i + 1);
        }
    }
    size_t mask = C->SigTableSize - 1;
    size_t j = (size_t)IgCcNameKey(C->Sigs[Index].Name, C->Sigs[Index].NameLength) & mask;
    while (C->SigTable[j])
    {
        j = (j + 1) & mask;
    }
    C->SigTable[j] = (uint32_t)(Index + 1);
    return true;
}

static const char *const gIgSigCommonKeys[] = {"sig_type", "sig_id", "flags", "flags_raw", "id_raw"};

/* Keys each signature type accepts besides the common ones. */
static void IgCcSigKeys(uint32_t TypeCode, const char **Keys, size_t *Count)
{
    static const char *const cb[] = {"score", "hashes"};
    static const char *const ex[] = {"library", "library_hash", "hashes"};
    static const char *const va[] = {"score", "hashes"};
    static const char *const vc[] = {"offset", "pattern"};
    static const char *const idt[] = {"entry"};
    static const char *const ver[] = {"minimum", "maximum", "minimum_raw", "maximum_raw"};
    static const char *const pc[] = {"create_mask"};
    const char *const *list = NULL;
    size_t n = 0;
    switch (TypeCode)
    {
        case IgSigTypeCodeBlocks:
            list = cb, n = 2;
            break;
        case IgSigTypeExport:
            list = ex, n = 3;
            break;
        case IgSigTypeValue:
            list = va, n = 2;
            break;
        case IgSigTypeValueCode:
            list = vc, n = 2;
            break;
        case IgSigTypeIdt:
            list = idt, n = 1;
            break;
        case IgSigTypeVersionOs:
        case IgSigTypeVersionIntro:
            list = ver, n = 4;
            break;
        case IgSigTypeProcessCreation:
            list = pc, n = 1;
            break;
        default:
            break;
    }
    size_t k = 0;
    for (size_t i = 0; i < sizeof(gIgSigCommonKeys) / sizeof(gIgSigCommonKeys[0]); i++)
    {
        Keys[k++] = gIgSigCommonKeys[i];
    }
    for (size_t i = 0; i < n; i++)
    {
        Keys[k++] = list[i];
    }
    *Count = k;
}

/* A score: required, 1-255. */
static bool IgCcScore(IG_CC *C, const IG_JSON_VALUE *Sig, uint8_t *Out)
{
    const IG_JSON_VALUE *v = IgCcMember(Sig, "score");
    int64_t n;
    if (v == NULL)
    {
        IG_ERR(C, Sig, "missing \"score\" (an integer 1-255)");
        return false;
    }
    if (!IgCcInteger(C, v, 1, 255, &n))
    {
        return false;
    }
    *Out = (uint8_t)n;
    return true;
}

/* One version bound: Windows (decimal or "*", a u64 reduced mod 2^32) or Linux ("v.p.s"). */
static bool IgCcVersionOsBound(IG_CC *C, const IG_JSON_VALUE *V, bool Maximum, bool Linux, uint64_t *Out)
{
    const char *s = V->Text;
    if (!Linux)
    {
        if (strcmp(s, "*") == 0)
        {
            *Out = Maximum ? 0xFFFFu : 0; /* hvmi: a '*' maximum is 0xFFFF (C9) */
            return true;
        }
        size_t i = (s[0] == '-') ? 1 : 0;
        if (s[i] == 0)
        {
            IG_ERR(C, V, "bad OS version \"%.40s\": expected a decimal build number, \"*\" or \"v.p.s\"", s);
            return false;
        }
        uint64_t v = 0;
        for (; s[i]; i++)
        {
            if (s[i] < '0' || s[i] > '9' || v > 0xFFFFFFFFFFFull)
            {
                IG_ERR(C, V, "bad OS version \"%.40s\": expected a decimal build number, \"*\" or \"v.p.s\"", s);
                return false;
            }
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (s[0] == '-')
        {
            v = (uint64_t)0 - v;
        }
        *Out = v & 0xFFFFFFFFu; /* hvmi reduces modulo 2^32 */
        return true;
    }
    uint64_t part[3] = {0};
    static const uint64_t limit[3] = {0xFF, 0xFF, 0xFFFF};
    static const char *const what[3] = {"version", "patch", "sublevel"};
    const char *p = s;
    for (int k = 0; k < 3; k++)
    {
        const char *end = strchr(p, '.');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((k < 2) != (end != NULL))
        {
            IG_ERR(C, V, "bad OS version \"%.40s\": expected exactly three parts \"v.p.s\"", s);
            return false;
        }
        if (len == 1 && p[0] == '*')
        {
            if (Maximum && k < 2)
            {
                IG_ERR(C, V,
                       "bad OS version \"%.40s\": '*' as maximum %s would be 0xFFFF, which does not fit its "
                       "byte (use 255)",
                       s, what[k]);
                return false;
            }
            part[k] = Maximum ? 0xFFFF : 0;
        }
        else
        {
            uint64_t v = 0;
            if (len == 0 || len > 10)
            {
                IG_ERR(C, V, "bad OS version \"%.40s\": %s must be a number or '*'", s, what[k]);
                return false;
            }
            for (size_t i = 0; i < len; i++)
            {
                if (p[i] < '0' || p[i] > '9')
                {
                    IG_ERR(C, V, "bad OS version \"%.40s\": %s must be a number or '*'", s, what[k]);
                    return false;
                }
                v = v * 10 + (uint64_t)(p[i] - '0');
            }
            if (v > limit[k])
            {
                IG_ERR(C, V, "OS version \"%.40s\": %s %llu out of range (0..%llu)", s, what[k], (unsigned long long)v,
                       (unsigned long long)limit[k]);
                return false;
            }
            part[k] = v;
        }
        p = end ? end + 1 : p + len;
    }
    uint64_t backport = Maximum ? 0xFFFF : 0;
    *Out = part[0] | (part[1] << 8) | (part[2] << 16) | (backport << 32);
    return true;
}

static bool IgCcVersionIntroBound(IG_CC *C, const IG_JSON_VALUE *V, bool Maximum, uint64_t *Out)
{
    const char *s = V->Text;
    const char *p = s;
    uint64_t part[3] = {0};
    for (int k = 0; k < 3; k++)
    {
        const char *end = strchr(p, '.');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((k < 2) != (end != NULL))
        {
            IG_ERR(C, V, "bad introcore version \"%.40s\": expected \"major.minor.revision\"", s);
            return false;
        }
        if (len == 1 && p[0] == '*')
        {
            part[k] = Maximum ? 0xFFFF : 0;
        }
        else
        {
            uint64_t v = 0;
            if (len == 0 || len > 10)
            {
                IG_ERR(C, V, "bad introcore version \"%.40s\": each part must be a number or '*'", s);
                return false;
            }
            for (size_t i = 0; i < len; i++)
            {
                if (p[i] < '0' || p[i] > '9')
                {
                    IG_ERR(C, V, "bad introcore version \"%.40s\": each part must be a number or '*'", s);
                    return false;
                }
                v = v * 10 + (uint64_t)(p[i] - '0');
            }
            if (v > 0xFFFF)
            {
                IG_ERR(C, V, "introcore version \"%.40s\": part %llu out of range (0..65535)", s,
                       (unsigned long long)v);
                return false;
            }
            part[k] = v;
        }
        p = end ? end + 1 : p + len;
    }
    uint64_t build = Maximum ? 0xFFFF : 0;
    *Out = part[0] | (part[1] << 16) | (part[2] << 32) | (build << 48);
    return true;
}

static bool IgCcVersionBounds(IG_CC *C, const IG_JSON_VALUE *Sig, bool Os, uint64_t *Min, uint64_t *Max)
{
    const IG_JSON_VALUE *v[2];
    const IG_JSON_VALUE *raw[2] = {IgCcMember(Sig, "minimum_raw"), IgCcMember(Sig, "maximum_raw")};
    static const char *const key[2] = {"minimum", "maximum"};
    uint64_t *out[2] = {Min, Max};
    bool isLinux = false;
    bool ok = true;

    for (int k = 0; k < 2; k++)
    {
        if (!IgCcString(C, Sig, key[k], &v[k]))
        {
            return false;
        }
        if (raw[k] && v[k])
        {
            IG_ERR(C, raw[k], "\"%s_raw\" and \"%s\" are both given; use one", key[k], key[k]);
            return false;
        }
        if (!raw[k] && !v[k])
        {
            IG_ERR(C, Sig, "missing \"%s\" (a version string)", key[k]);
            return false;
        }
    }
    if (Os && v[0] && v[1] && (strchr(v[0]->Text, '.') != NULL) != (strchr(v[1]->Text, '.') != NULL))
    {
        IG_ERR(C, v[1], "minimum and maximum must use the same form (both \"v.p.s\" or both build numbers)");
        return false;
    }
    isLinux = v[0] ? strchr(v[0]->Text, '.') != NULL : (v[1] ? strchr(v[1]->Text, '.') != NULL : false);
    for (int k = 0; k < 2 && ok; k++)
    {
        if (raw[k])
        {
            ok = IgCcHex(C, raw[k], UINT64_MAX, out[k]);
        }
        else if (Os)
        {
            ok = IgCcVersionOsBound(C, v[k], k == 1, isLinux, out[k]);
        }
        else
        {
            ok = IgCcVersionIntroBound(C, v[k], k == 1, out[k]);
        }
    }
    return ok;
}

/* Reads one signature into a record body; numbers it. */
static void IgCcSignature(IG_CC *C, const IG_JSON_VALUE *Sig)
{
    const IG_JSON_VALUE *typeV, *idV, *rawId = NULL;
    const IG_KW_SIGNATURE_KIND *kind;
    IG_CFLAGS flags;
    IG_CBUF *b = &C->Bodies;
    size_t bodyStart = b->Size;
    const char *keys[16];
    size_t keyCount;

    if (Sig->Type != IgJsonObject)
    {
        IG_ERR(C, Sig, "expected a signature object, found %s", IgJsonTypeName(Sig->Type));
        return;
    }
    if (!IgCcString(C, Sig, "sig_type", &typeV) || !IgCcString(C, Sig, "sig_id", &idV))
    {
        return;
    }
    if (typeV == NULL)
    {
        IG_ERR(C, Sig, "missing \"sig_type\"");
        return;
    }
    kind = IgKwSignatureKindByName(typeV->Text, typeV->Length);
    if (kind == NULL)
    {
        size_t n;
        const IG_KW_SIGNATURE_KIND *all = IgKwSignatureKinds(&n);
        const char *names[16];
        char sug[96];
        for (size_t i = 0; i < n && i < 16; i++)
        {
            names[i] = all[i].Name;
        }
        IG_ERR(C, typeV, "unknown sig_type '%.40s'%s", typeV->Text,
               IgCcSuggest(sug, sizeof(sug), IgKwNearestOf(names, n < 16 ? n : 16, typeV->Text, typeV->Length, 0)));
        return;
    }
    IgCcSigKeys(kind->TypeCode, keys, &keyCount);
    IgCcUnknownKeys(C, Sig, keys, keyCount);
    if (!IgCcPresent(idV))
    {
        IG_ERR(C, idV ? idV : Sig, "missing \"sig_id\" (a non-empty string naming the signature)");
        return;
    }
    IG_CSIG *prev = IgCcFindSig(C, idV->Text, idV->Length);
    if (prev)
    {
        char path[128];
        IG_ERR(C, idV, "signature '%.60s' is defined twice (first at %s:%u, %s)", idV->Text,
               C->Sources[prev->Source].Name, prev->Node->Line, IgJsonPath(prev->Node, path, sizeof(path)));
        return;
    }
    if (!IgCcFlags(C, Sig, IG_KW_FLAGS_SIGNATURE, 0x3, true, "signatures", &flags))
    {
        return;
    }

    uint32_t seq = C->NextSequence + 1;
    uint32_t id = IG_SIG_ID_MAKE(kind->TypeCode, seq);
    rawId = IgCcMember(Sig, "id_raw");
    if (rawId)
    {
        if (!IgCcRaw32(C, rawId, &id))
        {
            return;
        }
        if (IG_SIG_ID_TYPE(id) != kind->TypeCode)
        {
            IG_ERR(C, rawId, "id_raw 0x%08X has type %u in bits 22-31, but sig_type '%s' is %u", id, IG_SIG_ID_TYPE(id),
                   kind->Name, kind->TypeCode);
            return;
        }
        for (size_t i = 0; i < C->SigCount; i++)
        {
            if (C->Sigs[i].Id == id)
            {
                IG_ERR(C, rawId, "id_raw 0x%08X is already the ID of signature '%.60s'", id, C->Sigs[i].Name);
                return;
            }
        }
    }
    else if (seq > IG_COMPILE_MAX_SIG_SEQUENCE)
    {
        IG_ERR(C, Sig, "more than %u signatures", IG_COMPILE_MAX_SIG_SEQUENCE);
        return;
    }

    IgCbufU32(b, id);
    IgCbufU32(b, flags.Bits);
    bool ok = true;
    switch (kind->TypeCode)
    {
        case IgSigTypeCodeBlocks:
        {
            uint8_t score;
            const IG_JSON_VALUE *lists;
            ok = IgCcScore(C, Sig, &score) && IgCcArray(C, Sig, "hashes", true, &lists);
            if (!ok)
            {
                break;
            }
            if (lists->Count == 0 || lists->Count > 255)
            {
                IG_ERR(C, lists, "expected 1-255 hash lists, found %zu", lists->Count);
                ok = false;
                break;
            }
            IgCbufU8(b, score);
            IgCbufU8(b, (uint8_t)lists->Count);
            for (size_t i = 0; i < lists->Count && ok; i++)
            {
                const IG_JSON_VALUE *list = lists->Items[i];
                uint32_t hashes[255];
                if (list->Type != IgJsonArray)
                {
                    IG_ERR(C, list, "expected a list of hex strings (\"hashes\" is a list of lists), found %s",
                           IgJsonTypeName(list->Type));
                    ok = false;
                    break;
                }
                if (list->Count > 255)
                {
                    IG_ERR(C, list, "a hash list holds at most 255 hashes, found %zu", list->Count);
                    ok = false;
                    break;
                }
                for (size_t k = 0; k < list->Count && ok; k++)
                {
                    uint64_t h;
                    ok = IgCcHex(C, list->Items[k], 0xFFFFFFFFu, &h);
                    hashes[k] = (uint32_t)h;
                    /* Insertion keeps the list sorted ascending, as hvmi writes it. */
                    for (size_t m = k; ok && m > 0 && hashes[m - 1] > hashes[m]; m--)
                    {
                        uint32_t t = hashes[m - 1];
                        hashes[m - 1] = hashes[m];
                        hashes[m] = t;
                    }
                }
                IgCbufU8(b, (uint8_t)list->Count);
                for (size_t k = 0; k < list->Count && ok; k++)
                {
                    IgCbufU32(b, hashes[k]);
                }
            }
            break;
        }
        case IgSigTypeExport:
        {
            const IG_JSON_VALUE *lib, *libHash = IgCcMember(Sig, "library_hash"), *entries;
            uint32_t libValue = 0;
            static const IG_NAME_RULE libRule = {IgKwSpecialUser, false, true, 0, false};
            static const IG_NAME_RULE fnRule = {IgKwSpecialSignature, false, false, 0, false};
            ok = IgCcString(C, Sig, "library", &lib) && IgCcArray(C, Sig, "hashes", true, &entries);
            if (!ok)
            {
                break;
            }
            if (libHash && lib)
            {
                IG_ERR(C, libHash, "\"library_hash\" and \"library\" are both given; use one");
                ok = false;
                break;
            }
            if (libHash)
            {
                ok = IgCcRaw32(C, libHash, &libValue);
            }
            else if (!IgCcPresent(lib))
            {
                IG_ERR(C, lib ? lib : Sig, "missing \"library\" (the module name)");
                ok = false;
            }
            else
            {
                ok = IgCcHashName(C, lib, lib->Text, lib->Length, &libRule, &libValue);
            }
            if (!ok)
            {
                break;
            }
            if (entries->Count == 0 || entries->Count > 255)
            {
                IG_ERR(C, entries, "expected 1-255 export entries, found %zu", entries->Count);
                ok = false;
                break;
            }
            IgCbufU32(b, libValue);
            IgCbufU8(b, (uint8_t)entries->Count);
            IgCbufU8(b, 0);
            IgCbufU16(b, 0);
            for (size_t i = 0; i < entries->Count && ok; i++)
            {
                const IG_JSON_VALUE *e = entries->Items[i], *name, *nameHash, *delta;
                static const char *const ekeys[] = {"name", "name_hash", "delta"};
                int64_t d;
                uint32_t h = 0;
                if (e->Type != IgJsonObject)
                {
                    IG_ERR(C, e, "expected an export entry {\"name\", \"delta\"}, found %s", IgJsonTypeName(e->Type));
                    ok = false;
                    break;
                }
                IgCcUnknownKeys(C, e, ekeys, 3);
                nameHash = IgCcMember(e, "name_hash");
                delta = IgCcMember(e, "delta");
                if (!IgCcString(C, e, "name", &name))
                {
                    ok = false;
                    break;
                }
                if (name && nameHash)
                {
                    IG_ERR(C, nameHash, "\"name_hash\" and \"name\" are both given; use one");
                    ok = false;
                    break;
                }
                if (!name && !nameHash)
                {
                    IG_ERR(C, e, "missing \"name\" (the exported function)");
                    ok = false;
                    break;
                }
                if (delta == NULL)
                {
                    IG_ERR(C, e, "missing \"delta\" (an integer 0-65535)");
                    ok = false;
                    break;
                }
                ok = IgCcInteger(C, delta, 0, 0xFFFF, &d) &&
                     (nameHash ? IgCcRaw32(C, nameHash, &h)
                               : IgCcHashName(C, name, name->Text, name->Length, &fnRule, &h));
                IgCbufU16(b, (uint16_t)d);
                IgCbufU16(b, 0);
                IgCbufU32(b, h);
            }
            break;
        }
        case IgSigTypeValue:
        {
            uint8_t score;
            const IG_JSON_VALUE *entries;
            ok = IgCcScore(C, Sig, &score) && IgCcArray(C, Sig, "hashes", true, &entries);
            if (!ok)
            {
                break;
            }
            if (entries->Count == 0 || entries->Count > 255)
            {
                IG_ERR(C, entries, "expected 1-255 value entries, found %zu", entries->Count);
                ok = false;
                break;
            }
            IgCbufU8(b, score);
            IgCbufU8(b, (uint8_t)entries->Count);
            IgCbufU16(b, 0);
            for (size_t i = 0; i < entries->Count && ok; i++)
            {
                const IG_JSON_VALUE *e = entries->Items[i];
                static const char *const vkeys[] = {"offset", "size", "hash"};
                const IG_JSON_VALUE *off, *size, *hash;
                int64_t o, s;
                uint64_t h;
                if (e->Type != IgJsonObject)
                {
                    IG_ERR(C, e, "expected a value entry {\"offset\", \"size\", \"hash\"}, found %s",
                           IgJsonTypeName(e->Type));
                    ok = false;
                    break;
                }
                IgCcUnknownKeys(C, e, vkeys, 3);
                off = IgCcMember(e, "offset");
                size = IgCcMember(e, "size");
                hash = IgCcMember(e, "hash");
                if (!off || !size || !hash)
                {
                    IG_ERR(C, e, "missing \"%s\"", !off ? "offset" : (!size ? "size" : "hash"));
                    ok = false;
                    break;
                }
                ok = IgCcInteger(C, off, 0, 0xFFFF, &o) && IgCcInteger(C, size, 0, 0xFFFF, &s) &&
                     IgCcHex(C, hash, 0xFFFFFFFFu, &h);
                if (ok)
                {
                    IgCbufU16(b, (uint16_t)o);
                    IgCbufU16(b, (uint16_t)s);
                    IgCbufU32(b, 0);
                    IgCbufU32(b, (uint32_t)h);
                }
            }
            break;
        }
        case IgSigTypeValueCode:
        {
            const IG_JSON_VALUE *off = IgJsonGet(Sig, "offset"), *pattern;
            int64_t o = 0;
            if (off == NULL)
            {
                IG_ERR(C, Sig, "missing \"offset\" (an integer -32768..32767)");
                ok = false;
                break;
            }
            if (off->Type != IgJsonNull)
            {
                ok = IgCcInteger(C, off, -32768, 32767, &o);
            }
            ok = ok && IgCcArray(C, Sig, "pattern", true, &pattern);
            if (!ok)
            {
                break;
            }
            if (pattern->Count == 0 || pattern->Count > (IG_COMPILE_MAX_RECORD - IG_VALUE_CODE_FIXED_SIZE) / 2)
            {
                IG_ERR(C, pattern, "expected 1-%u pattern items, found %zu",
                       (IG_COMPILE_MAX_RECORD - IG_VALUE_CODE_FIXED_SIZE) / 2, pattern->Count);
                ok = false;
                break;
            }
            IgCbufU16(b, (uint16_t)(int16_t)o);
            IgCbufU16(b, (uint16_t)pattern->Count);
            for (size_t i = 0; i < pattern->Count && ok; i++)
            {
                uint64_t v;
                ok = IgCcHex(C, pattern->Items[i], 0xFFFF, &v);
                IgCbufU16(b, (uint16_t)v);
            }
            break;
        }
        case IgSigTypeIdt:
        {
            const IG_JSON_VALUE *entry = IgCcMember(Sig, "entry");
            int64_t e;
            if (entry == NULL)
            {
                IG_ERR(C, Sig, "missing \"entry\" (the IDT vector, 0-255)");
                ok = false;
                break;
            }
            ok = IgCcInteger(C, entry, 0, 255, &e);
            IgCbufU8(b, (uint8_t)e);
            IgCbufU8(b, 0);
            IgCbufU16(b, 0);
            break;
        }
        case IgSigTypeVersionOs:
        case IgSigTypeVersionIntro:
        {
            uint64_t mn = 0, mx = 0;
            ok = IgCcVersionBounds(C, Sig, kind->TypeCode == IgSigTypeVersionOs, &mn, &mx);
            IgCbufU64(b, mn);
            IgCbufU64(b, mx);
            break;
        }
        case IgSigTypeProcessCreation:
        {
            const IG_JSON_VALUE *mask;
            uint32_t bits = 0;
            ok = IgCcArray(C, Sig, "create_mask", false, &mask);
            if (ok && mask == NULL)
            {
                IG_ERR(C, Sig, "missing \"create_mask\" (a list of process-creation flags)");
                ok = false;
            }
            for (size_t i = 0; ok && i < mask->Count; i++)
            {
                const IG_JSON_VALUE *m = mask->Items[i];
                uint32_t bit;
                char sug[96];
                if (m->Type != IgJsonString)
                {
                    IG_ERR(C, m, "expected a process-creation flag name, found %s", IgJsonTypeName(m->Type));
                    ok = false;
                }
                else if (!IgKwFind(IgKwDpiMask(), m->Text, m->Length, &bit))
                {
                    IG_ERR(C, m, "unknown create_mask flag '%.40s'%s", m->Text,
                           IgCcSuggest(sug, sizeof(sug), IgKwNearest(IgKwDpiMask(), m->Text, m->Length, 0)));
                    ok = false;
                }
                else
                {
                    bits |= bit;
                }
            }
            IgCbufU32(b, bits);
            IgCbufU32(b, 0);
            IgCbufU64(b, 0);
            break;
        }
        default:
            ok = false;
            break;
    }
    if (!ok)
    {
        b->Size = bodyStart;
        return;
    }
    if (b->Failed)
    {
        C->OutOfMemory = true;
        return;
    }
    if (b->Size - bodyStart > IG_COMPILE_MAX_RECORD)
    {
        IG_ERR(C, Sig, "signature record would be %zu bytes; a record holds at most %u", b->Size - bodyStart,
               IG_COMPILE_MAX_RECORD);
        b->Size = bodyStart;
        return;
    }
    if (C->SigCount == C->SigCap)
    {
        size_t cap = C->SigCap ? C->SigCap * 2 : 64;
        IG_CSIG *n = realloc(C->Sigs, cap * sizeof(*n));
        if (n == NULL)
        {
            C->OutOfMemory = true;
            return;
        }
        C->Sigs = n;
        C->SigCap = cap;
    }
    IG_CSIG *s = &C->Sigs[C->SigCount];
    memset(s, 0, sizeof(*s));
    s->Name = idV->Text;
    s->NameLength = idV->Length;
    s->Id = id;
    s->RecordType = kind->RecordType;
    s->BodyOffset = bodyStart;
    s->BodySize = b->Size - bodyStart;
    s->Node = Sig;
    s->Source = C->Current;
    if (!IgCcIndexSig(C, C->SigCount))
    {
        return;
    }
    C->SigCount++;
    C->NextSequence++; /* hvmi numbers by "signatures registered so far + 1", id_raw ones included */
}

/* ---- Exceptions -------------------------------------------------------------------------- */

/* The field values of one exception before group expansion and hashing. */
typedef struct IG_CENTRY
{
    const IG_KW_EXCEPTION_KIND *Kind;
    const IG_JSON_VALUE *Node;
    const IG_JSON_VALUE *Field[3]; /* originator, victim, process (string nodes, or NULL) */
    const IG_JSON_VALUE *Hash[3];  /* *_hash extension nodes */
    const char *Text[3];           /* current values (a group member after expansion) */
    size_t Length[3];
    const char *ObjectName; /* NULL with object_type_raw */
    uint32_t Object;
    IG_CFLAGS Flags;
    bool Linux;
    const IG_JSON_VALUE *Sigs;
    size_t SigOffset, SigCount; /* resolved IDs in C->SigPool, sorted */
    size_t Expanded;
} IG_CENTRY;

static const char *const gIgFieldKey[3] = {"originator", "victim", "process"};

static bool IgObjIn(const char *Object, const char *const *Set, size_t Count)
{
    if (Object == NULL)
    {
        return false;
    }
    for (size_t i = 0; i < Count; i++)
    {
        if (strcmp(Object, Set[i]) == 0)
        {
            return true;
        }
    }
    return false;
}
#define IG_OBJ_IN(Object, ...)                                                                                         \
    IgObjIn((Object), (const char *const[]){__VA_ARGS__},                                                              \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static bool IgEntryHas(const IG_CENTRY *E, int Field)
{
    return E->Hash[Field] != NULL || E->Length[Field] > 0;
}

static const IG_JSON_VALUE *IgEntryNode(const IG_CENTRY *E, int Field)
{
    if (E->Hash[Field])
        return E->Hash[Field];
    if (E->Field[Field])
        return E->Field[Field];
    return E->Node;
}

/* Equality of a field's text with the special name Name, the way hvmi compares (after lower-casing). */
static bool IgEntryIs(const IG_CENTRY *E, int Field, const char *Name)
{
    size_t n = strlen(Name);
    if (E->Length[Field] != n)
    {
        return false;
    }
    for (size_t i = 0; i < n; i++)
    {
        char c = E->Text[Field][i];
        if (!E->Linux && c >= 'A' && c <= 'Z')
        {
            c = (char)(c - 'A' + 'a');
        }
        if (c != Name[i])
        {
            return false;
        }
    }
    return true;
}

/* Kind-specific validation and defaults (spec §5.6); reports and returns false on error. */
static bool IgCcValidate(IG_CC *C, IG_CENTRY *E)
{
    const char *o = E->ObjectName;
    uint8_t rt = E->Kind->RecordType;
    bool hasO = IgEntryHas(E, 0), hasV = IgEntryHas(E, 1), hasP = IgEntryHas(E, 2);
    unsigned ns = E->Kind->AcceptedFlags;
    IG_CFLAGS *f = &E->Flags;
    bool raw = f->Raw;

    if (rt == IgRecKernel)
    {
        if (!hasO && !IG_OBJ_IN(o, "token-privs", "security-descriptor", "acl-edit", "sud-modification"))
        {
            IG_ERR(C, E->Node, "missing \"originator\" (required for kernel exceptions of object type '%s')",
                   o ? o : "?");
            return false;
        }
        if (!hasV &&
            IG_OBJ_IN(o, "driver", "driver imports", "driver code", "driver data", "driver resources", "drvobj",
                      "fastio", "driver exports", "token-privs", "security-descriptor", "acl-edit", "sud-modification"))
        {
            IG_ERR(C, E->Node, "missing \"victim\" (required for object type '%s')", o);
            return false;
        }
        if (hasV && IG_OBJ_IN(o, "msr", "ssdt", "cr4", "idt", "idt-reg", "gdt-reg", "infinity-hook", "hal-perf-counter",
                              "interrupt-obj"))
        {
            IG_ERR(C, IgEntryNode(E, 1), "object type '%s' takes no \"victim\"", o);
            return false;
        }
        if (!raw)
        {
            if (IG_OBJ_IN(o, "cr4") && !IgFlagHas(f, "smep") && !IgFlagHas(f, "smap"))
            {
                IG_ERR(C, IgCcMember(E->Node, "flags") ? IgCcMember(E->Node, "flags") : E->Node,
                       "object type 'cr4' needs the flag 'smep' or 'smap'");
                return false;
            }
            if (IgFlagHas(f, "return-drv"))
            {
                IG_ERR(C, IgCcMember(E->Node, "flags"),
                       "flag 'return-drv' is obsolete in kernel exceptions: use 'return' (it implies return-drv)");
                return false;
            }
            if (!IgFlagHas(f, "read") && !IgFlagHas(f, "write") && !IgFlagHas(f, "exec"))
            {
                IgFlagAdd(f, ns, "write");
            }
            if (IgFlagHas(f, "non-driver") || IgFlagHas(f, "return"))
            {
                IgFlagAdd(f, ns, "return-drv");
            }
        }
        bool integrity = IgFlagTest(f, ns, "integrity");
        /* hvmi sets the originator to '-' for these; an explicit '-' gives the same bytes and is
         * accepted so decompiled files compile. */
        bool dash = E->Hash[0] ? false : IgEntryIs(E, 0, "-");
        if (raw && !integrity && IG_OBJ_IN(o, "security-descriptor", "acl-edit"))
        {
            /* flags_raw replaces the flags, so the rule that these objects need 'integrity' does
             * not apply (docs/json-format.md); such a record names its originator. */
            if (!hasO)
            {
                IG_ERR(C, E->Node, "missing \"originator\" (object type '%s' without 'integrity' needs one)", o);
                return false;
            }
        }
        else if ((integrity && IG_OBJ_IN(o, "token-privs", "sud-modification")) ||
                 IG_OBJ_IN(o, "security-descriptor", "acl-edit"))
        {
            if (!integrity)
            {
                IG_ERR(C, E->Node, "object type '%s' needs the flag 'integrity'", o);
                return false;
            }
            if (hasO && !dash && !(E->Hash[0]))
            {
                IG_ERR(C, IgEntryNode(E, 0), "object type '%s' with 'integrity' takes no \"originator\"", o);
                return false;
            }
            if (!E->Hash[0])
            {
                E->Text[0] = "-";
                E->Length[0] = 1;
            }
        }
        else if (IG_OBJ_IN(o, "token-privs") && !hasO)
        {
            IG_ERR(C, E->Node, "missing \"originator\" (token-privs without 'integrity' needs one)");
            return false;
        }
        else if (IG_OBJ_IN(o, "sud-modification") && !hasO && !E->Linux)
        {
            IG_ERR(C, E->Node, "missing \"originator\" (sud-modification without 'integrity' needs one)");
            return false;
        }
        return true;
    }

    if (rt == IgRecKernelUser)
    {
        if (!hasO)
        {
            IG_ERR(C, E->Node, "missing \"originator\" (required for kernel-user exceptions)");
            return false;
        }
        if (!hasV)
        {
            IG_ERR(C, E->Node, "missing \"victim\" (required for kernel-user exceptions)");
            return false;
        }
        if (!raw)
        {
            if (!IgFlagHas(f, "read") && !IgFlagHas(f, "write") && !IgFlagHas(f, "exec"))
            {
                IgFlagAdd(f, ns, "write");
            }
            if (IgFlagHas(f, "non-driver") || IgFlagHas(f, "return"))
            {
                IgFlagAdd(f, ns, "return-drv");
            }
            if (IgFlagHas(f, "user") && IgFlagHas(f, "kernel"))
            {
                IG_ERR(C, IgCcMember(E->Node, "flags"), "flags 'user' and 'kernel' exclude each other");
                return false;
            }
        }
        return true;
    }

    /* UM, APC and glob */
    if (!hasO)
    {
        IG_ERR(C, E->Node, "missing \"originator\" (required for %s exceptions)", E->Kind->Name);
        return false;
    }
    if (!hasV && IG_OBJ_IN(o, "process", "module", "module imports"))
    {
        IG_ERR(C, E->Node, "missing \"victim\" (required for object type '%s')", o);
        return false;
    }
    /* hvmi forbids any victim on nx_zone for APC and glob, "*" included; "*" gives the same bytes
     * as no victim, so it is accepted for every kind (decompile writes it). */
    if (hasV && IG_OBJ_IN(o, "nx_zone") && (E->Hash[1] || !IgEntryIs(E, 1, "*")))
    {
        IG_ERR(C, IgEntryNode(E, 1), "object type 'nx_zone' takes no \"victim\" (other than \"*\")");
        return false;
    }
    if (!hasP && IG_OBJ_IN(o, "module", "module imports"))
    {
        IG_ERR(C, E->Node, "missing \"process\" (required for object type '%s')", o);
        return false;
    }
    /* hvmi also rejects "process": "*" here; it gives the same bytes as no process, so it is
     * accepted (decompile writes it for glob records). */
    if (hasP && IG_OBJ_IN(o, "process") && (E->Hash[2] || !IgEntryIs(E, 2, "*")))
    {
        IG_ERR(C, IgEntryNode(E, 2), "object type 'process' takes no \"process\"");
        return false;
    }
    if (!raw)
    {
        if (!IgFlagHas(f, "read") && !IgFlagHas(f, "write") && !IgFlagHas(f, "exec"))
        {
            bool execDefault = rt == IgRecUserApc ? IG_OBJ_IN(o, "nx_zone")
                                                  : IG_OBJ_IN(o, "nx_zone", "process-creation", "process-creation-dpi");
            IgFlagAdd(f, ns, execDefault ? "exec" : "write");
        }
        if (IG_OBJ_IN(o, "nx_zone") && !IgFlagHas(f, "exec"))
        {
            IG_ERR(C, IgCcMember(E->Node, "flags"), "object type 'nx_zone' needs the flag 'exec'");
            return false;
        }
    }
    return true;
}

/* Effective glob length (hvmi's rule): each [class] and each '?' counts as one character. */
static size_t IgGlobLength(const char *S, size_t N)
{
    size_t count = 0;
    size_t i = 0;
    while (i < N)
    {
        if (S[i] == '[' && i + 1 < N && S[i + 1] != ']')
        {
            const char *close = memchr(S + i + 1, ']', N - i - 1);
            if (close)
            {
                count++;
                i = (size_t)(close - S) + 1;
                continue;
            }
        }
        uint32_t cp;
        i += IgUtf8Decode((const uint8_t *)S + i, N - i, &cp);
        count++;
    }
    return count;
}

static bool IgGlobHasMeta(const char *S, size_t N)
{
    for (size_t i = 0; i < N; i++)
    {
        if (S[i] == '*' || S[i] == '[' || S[i] == ']' || S[i] == '?' || (S[i] == '\\' && i + 1 < N && S[i + 1] == '\\'))
        {
            return true;
        }
    }
    return false;
}

static bool IgGlobStartsMeta(const char *S, size_t N)
{
    return N > 0 &&
           (S[0] == '*' || S[0] == '[' || S[0] == ']' || S[0] == '?' || (N > 1 && S[0] == '\\' && S[1] == '\\'));
}

static bool IgCcPushExc(IG_CC *C, const IG_CEXC *X)
{
    if (C->ExcCount == C->ExcCap)
    {
        size_t cap = C->ExcCap ? C->ExcCap * 2 : 256;
        IG_CEXC *n = realloc(C->Excs, cap * sizeof(*n));
        if (n == NULL)
        {
            C->OutOfMemory = true;
            return false;
        }
        C->Excs = n;
        C->ExcCap = cap;
    }
    C->Excs[C->ExcCount] = *X;
    C->Excs[C->ExcCount].Order = C->ExcCount;
    C->ExcCount++;
    return true;
}

/* Hashes the fields of one (expanded) entry and appends its record. */
static bool IgCcEmit(IG_CC *C, IG_CENTRY *E)
{
    IG_CEXC x;
    const char *o = E->ObjectName;
    uint8_t rt = E->Kind->RecordType;
    bool lower = !E->Linux;
    unsigned ns = E->Kind->AcceptedFlags;
    uint32_t *out[3] = {&x.Originator, &x.Victim, &x.Process};
    IG_NAME_RULE rule[3];
    bool use[3] = {true, true, true};

    memset(&x, 0, sizeof(x));
    x.RecordType = rt;
    x.Object = (uint8_t)E->Object;
    x.Flags = E->Flags.Bits;
    x.SigOffset = E->SigOffset;
    x.SigCount = E->SigCount;
    x.Node = E->Node;
    x.Source = C->Current;

    if (++E->Expanded > IG_COMPILE_MAX_EXPANSION)
    {
        IG_ERR(C, E->Node, "group expansion produces more than %u records", IG_COMPILE_MAX_EXPANSION);
        return false;
    }

    if (rt == IgRecUserGlob)
    {
        size_t total = 0;
        for (int k = 0; k < 3; k++)
        {
            const char *s = E->Length[k] ? E->Text[k] : "*";
            size_t n = E->Length[k] ? E->Length[k] : 1;
            if (E->Length[k] && IgGlobLength(s, n) > 14)
            {
                IG_ERR(C, IgEntryNode(E, k),
                       "glob pattern \"%.60s\" is too long: at most 14 characters, where a "
                       "[class] or '?' counts as one",
                       s);
                return false;
            }
            if (n > IG_GLOB_FIELD_MAX - 1)
            {
                IG_ERR(C, IgEntryNode(E, k), "glob pattern is %zu bytes; the loader takes at most %u", n,
                       IG_GLOB_FIELD_MAX - 1);
                return false;
            }
            x.Glob[k] = s;
            total += n;
        }
        (void)total;
        x.GlobPrefix = IgGlobStartsMeta(E->Text[0], E->Length[0]);
        return IgCcPushExc(C, &x);
    }

    /* Encoding of each field, per §4.4. */
    bool narrowOrigin = false, narrowVictim = false;
    unsigned trimLinux = E->Linux ? 15 : 14;
    memset(rule, 0, sizeof(rule));
    if (rt == IgRecKernel)
    {
        rule[0] = (IG_NAME_RULE){IgKwSpecialKernel, lower, true, 0, false};
        if (IG_OBJ_IN(o, "sud-modification"))
            rule[1] = (IG_NAME_RULE){IgKwSpecialKernel, false, false, 0, false};
        else if (IG_OBJ_IN(o, "token-privs", "security-descriptor", "acl-edit"))
            rule[1] = (IG_NAME_RULE){IgKwSpecialKernel, lower, false, 14, false};
        else
            rule[1] = (IG_NAME_RULE){IgKwSpecialKernel, lower, true, 0, false};
        use[2] = false;
    }
    else if (rt == IgRecKernelUser)
    {
        bool user = IgFlagTest(&E->Flags, ns, "user");
        rule[0] = user ? (IG_NAME_RULE){IgKwSpecialUser, lower, false, 14, false}
                       : (IG_NAME_RULE){IgKwSpecialKernel, lower, true, 0, false};
        rule[1] = (IG_NAME_RULE){IgKwSpecialUser, lower, true, 0, false};
        rule[2] = (IG_NAME_RULE){IgKwSpecialUser, lower, false, 14, false};
    }
    else
    {
        bool moduleLoad = IgFlagTest(&E->Flags, ns, "module-load");
        bool escapes = rt == IgRecUser;
        if (rt == IgRecUser)
        {
            narrowOrigin =
                !moduleLoad && IG_OBJ_IN(o, "process", "thread-context", "peb32", "peb64", "apc-thread",
                                         "process-creation", "process-creation-dpi", "instrumentation-callback");
            narrowVictim = IG_OBJ_IN(o, "process", "thread-context", "peb32", "peb64", "apc-thread", "process-creation",
                                     "double-agent", "process-creation-dpi", "instrumentation-callback");
        }
        else
        {
            trimLinux = 14;
            narrowOrigin = !moduleLoad && IG_OBJ_IN(o, "process", "thread-context", "peb32", "peb64", "apc-thread",
                                                    "double-agent", "instrumentation-callback");
            narrowVictim = IG_OBJ_IN(o, "process", "thread-context", "peb32", "peb64", "apc-thread", "double-agent",
                                     "instrumentation-callback");
        }
        rule[0] = narrowOrigin ? (IG_NAME_RULE){IgKwSpecialUser, lower, false, trimLinux, escapes}
                               : (IG_NAME_RULE){IgKwSpecialUser, lower, true, 0, escapes};
        rule[1] = narrowVictim ? (IG_NAME_RULE){IgKwSpecialUser, lower, false, trimLinux, escapes}
                               : (IG_NAME_RULE){IgKwSpecialUser, lower, true, 0, escapes};
        rule[2] = (IG_NAME_RULE){IgKwSpecialUser, lower, false, 14, escapes};
    }

    for (int k = 0; k < 3; k++)
    {
        if (!use[k])
        {
            continue;
        }
        if (E->Hash[k])
        {
            if (!IgCcRaw32(C, E->Hash[k], out[k]))
            {
                return false;
            }
            continue;
        }
        const char *s = E->Text[k];
        size_t n = E->Length[k];
        if (n == 0)
        {
            /* Defaults: victim '*'; UM/APC process absent = 0; KUM process '*' = 0; KM sud-modification
             * originator under linux = no name. */
            if (k == 0)
            {
                *out[k] = IG_NAME_HASH_NONE;
                continue;
            }
            s = "*";
            n = 1;
            if (k == 2 && rt != IgRecKernelUser)
            {
                *out[k] = 0;
                continue;
            }
        }
        if (rt == IgRecKernel && k == 0)
        {
            /* Only the KM originator is path-stripped (§4.3). */
            bool isPath = n >= 3 && (s[0] == '\\' || s[0] == '/' ||
                                     (((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') && s[1] == ':' && s[2] == '\\'));
            if (isPath)
            {
                const char *sep = NULL;
                for (size_t i = n; i-- > 0;)
                {
                    if (s[i] == '\\')
                    {
                        sep = s + i;
                        break;
                    }
                }
                if (sep == NULL)
                {
                    for (size_t i = n; i-- > 0;)
                    {
                        if (s[i] == '/')
                        {
                            sep = s + i;
                            break;
                        }
                    }
                }
                if (sep == s + n - 1)
                {
                    IG_ERR(C, IgEntryNode(E, 0),
                           "originator path \"%.60s\" ends with a separator: name the driver "
                           "file",
                           s);
                    return false;
                }
                n = (size_t)(s + n - (sep + 1));
                s = sep + 1;
            }
        }
        if (!IgCcHashName(C, IgEntryNode(E, k), s, n, &rule[k], out[k]))
        {
            return false;
        }
    }
    if (rt == IgRecKernel)
    {
        x.Process = IG_NAME_HASH_NONE; /* the KM PathHash slot: always 0xFFFFFFFF */
    }
    return IgCcPushExc(C, &x);
}

static const IG_KW_GROUP *IgCcFindGroup(IG_CC *C, const IG_CENTRY *E, int Field)
{
    const IG_KW_GROUP *groups = C->Options->Groups;
    size_t count = C->Options->GroupCount;
    bool fold = !E->Linux && E->Kind->RecordType != IgRecUserGlob;
    if (E->Length[Field] < 2 || E->Text[Field][0] != '[')
    {
        return NULL;
    }
    if (groups == NULL)
    {
        groups = IgKwGroups(&count);
    }
    for (size_t i = 0; i < count; i++)
    {
        const char *g = groups[i].Name;
        size_t n = strlen(g);
        if (n != E->Length[Field])
        {
            continue;
        }
        size_t k = 0;
        for (; k < n; k++)
        {
            char c = E->Text[Field][k];
            if (fold && c >= 'A' && c <= 'Z')
            {
                c = (char)(c - 'A' + 'a');
            }
            if (c != g[k])
            {
                break;
            }
        }
        if (k == n)
        {
            return &groups[i];
        }
    }
    return NULL;
}

/* Expands groups field by field (originator, victim, process; nested groups recursively), then
 * validates and emits each resulting exception.  hvmi expands in this order too (§5.7). */
static bool IgCcExpand(IG_CC *C, IG_CENTRY *E, int Field, unsigned Depth)
{
    int last = E->Kind->RecordType == IgRecKernel ? 2 : 3;
    if (Field == last)
    {
        IG_CENTRY copy = *E;
        if (!IgCcValidate(C, &copy))
        {
            return false;
        }
        bool ok = IgCcEmit(C, &copy);
        E->Expanded = copy.Expanded;
        return ok;
    }
    const IG_KW_GROUP *g = E->Hash[Field] ? NULL : IgCcFindGroup(C, E, Field);
    if (g == NULL)
    {
        return IgCcExpand(C, E, Field + 1, 0);
    }
    if (Depth >= IG_COMPILE_MAX_GROUP_DEPTH)
    {
        IG_ERR(C, IgEntryNode(E, Field), "groups nest deeper than %u levels (a group that contains itself?)",
               IG_COMPILE_MAX_GROUP_DEPTH);
        return false;
    }
    const char *saveText = E->Text[Field];
    size_t saveLength = E->Length[Field];
    bool ok = true;
    for (size_t i = 0; i < g->Count && ok; i++)
    {
        E->Text[Field] = g->Members[i];
        E->Length[Field] = strlen(g->Members[i]);
        ok = IgCcExpand(C, E, Field, Depth + 1);
    }
    E->Text[Field] = saveText;
    E->Length[Field] = saveLength;
    return ok;
}

static int IgCmpU32(const void *A, const void *B)
{
    uint32_t a = *(const uint32_t *)A, b = *(const uint32_t *)B;
    return a < b ? -1 : (a > b);
}

static void IgCcException(IG_CC *C, const IG_KW_EXCEPTION_KIND *Kind, const IG_JSON_VALUE *Node)
{
    static const char *const keys[] = {"originator",   "victim",     "process",         "object_type",
                                       "flags",        "signatures", "originator_hash", "victim_hash",
                                       "process_hash", "flags_raw",  "object_type_raw"};
    IG_CENTRY e;
    const IG_JSON_VALUE *obj, *objRaw;

    if (Node->Type != IgJsonObject)
    {
        IG_ERR(C, Node, "expected an exception object, found %s", IgJsonTypeName(Node->Type));
        return;
    }
    memset(&e, 0, sizeof(e));
    e.Kind = Kind;
    e.Node = Node;
    IgCcUnknownKeys(C, Node, keys, sizeof(keys) / sizeof(keys[0]));

    for (int k = 0; k < 3; k++)
    {
        char hashKey[32];
        snprintf(hashKey, sizeof(hashKey), "%s_hash", gIgFieldKey[k]);
        if (!IgCcString(C, Node, gIgFieldKey[k], &e.Field[k]))
        {
            return;
        }
        e.Hash[k] = IgCcMember(Node, hashKey);
        if (e.Hash[k] && Kind->RecordType == IgRecUserGlob)
        {
            IG_ERR(C, e.Hash[k], "glob exceptions hold strings, not hashes: use \"%s\"", gIgFieldKey[k]);
            return;
        }
        if (e.Hash[k] && e.Field[k])
        {
            IG_ERR(C, e.Hash[k], "\"%s\" and \"%s\" are both given; use one", hashKey, gIgFieldKey[k]);
            return;
        }
        if (e.Field[k])
        {
            e.Text[k] = e.Field[k]->Text;
            e.Length[k] = e.Field[k]->Length;
        }
    }
    if (Kind->RecordType == IgRecKernel && (e.Field[2] || e.Hash[2]))
    {
        IG_WARN(C, e.Field[2] ? e.Field[2] : e.Hash[2], "kernel exceptions have no process: \"process\" is ignored");
        e.Field[2] = e.Hash[2] = NULL;
        e.Text[2] = NULL;
        e.Length[2] = 0;
    }

    /* Object type. */
    if (!IgCcString(C, Node, "object_type", &obj))
    {
        return;
    }
    objRaw = IgCcMember(Node, "object_type_raw");
    if (obj && objRaw)
    {
        IG_ERR(C, objRaw, "\"object_type_raw\" and \"object_type\" are both given; use one");
        return;
    }
    if (objRaw)
    {
        int64_t v;
        if (!IgCcInteger(C, objRaw, 0, 255, &v))
        {
            return;
        }
        e.Object = (uint32_t)v;
        e.ObjectName = IgKwName(IgKwObjectTypes(Kind->Object), e.Object); /* rules apply if it has a name */
    }
    else if (!IgCcPresent(obj))
    {
        IG_ERR(C, obj ? obj : Node, "missing \"object_type\"");
        return;
    }
    else
    {
        const IG_KEYWORD_TABLE *t = IgKwObjectTypes(Kind->Object);
        if (!IgKwFind(t, obj->Text, obj->Length, &e.Object))
        {
            char sug[96];
            IG_ERR(C, obj, "unknown object_type '%.40s' for %s exceptions%s", obj->Text, Kind->Name,
                   IgCcSuggest(sug, sizeof(sug), IgKwNearest(t, obj->Text, obj->Length, 0)));
            return;
        }
        e.ObjectName = obj->Text;
    }

    /* Flags. */
    char kindText[48];
    snprintf(kindText, sizeof(kindText), "%s exceptions", Kind->Name);
    if (!IgCcFlags(C, Node, Kind->AcceptedFlags, 0x6, false, kindText, &e.Flags))
    {
        return;
    }
    e.Linux = IgFlagTest(&e.Flags, Kind->AcceptedFlags, "linux");

    /* Signatures: resolved now (every signature of every source is known), sorted ascending. */
    if (!IgCcArray(C, Node, "signatures", false, &e.Sigs))
    {
        return;
    }
    e.SigOffset = C->SigPool.Size / 4;
    if (e.Sigs)
    {
        size_t maxSigs = (IG_COMPILE_MAX_RECORD - IG_EXC_FIXED_SIZE - 3 * IG_GLOB_FIELD_MAX) / 4;
        if (e.Sigs->Count > maxSigs)
        {
            IG_ERR(C, e.Sigs, "more than %zu signatures in one exception", maxSigs);
            return;
        }
        for (size_t i = 0; i < e.Sigs->Count; i++)
        {
            const IG_JSON_VALUE *s = e.Sigs->Items[i];
            if (s->Type != IgJsonString)
            {
                IG_ERR(C, s, "expected a signature name (a string), found %s", IgJsonTypeName(s->Type));
                C->SigPool.Size = e.SigOffset * 4;
                return;
            }
            IG_CSIG *sig = IgCcFindSig(C, s->Text, s->Length);
            if (sig == NULL)
            {
                const char *best = NULL;
                unsigned bestD = IG_KW_DISTANCE_FAR;
                for (size_t j = 0; j < C->SigCount; j++)
                {
                    unsigned d = IgKwEditDistance(s->Text, s->Length, C->Sigs[j].Name, C->Sigs[j].NameLength);
                    if (d < bestD)
                    {
                        bestD = d;
                        best = C->Sigs[j].Name;
                    }
                }
                char sug[128];
                size_t lim = s->Length <= 3 ? 1 : (s->Length <= 6 ? 2 : 3);
                IG_ERR(C, s, "no signature named '%.60s' is defined in any input%s", s->Text,
                       IgCcSuggest(sug, sizeof(sug), bestD <= lim ? best : NULL));
                C->SigPool.Size = e.SigOffset * 4;
                return;
            }
            sig->Used = true;
            uint32_t id = sig->Id;
            IgCbufPut(&C->SigPool, &id, 4);
        }
        e.SigCount = e.Sigs->Count;
        if (C->SigPool.Failed)
        {
            C->OutOfMemory = true;
            return;
        }
        qsort(C->SigPool.Data + e.SigOffset * 4, e.SigCount, 4, IgCmpU32);
    }

    /* The glob-character test runs on the fields as written (a missing victim counts as empty). */
    if (Kind->RecordType == IgRecUserGlob && !IgGlobHasMeta(e.Text[0] ? e.Text[0] : "", e.Length[0]) &&
        !IgGlobHasMeta(e.Text[1] ? e.Text[1] : "", e.Length[1]) &&
        !IgGlobHasMeta(e.Text[2] ? e.Text[2] : "", e.Length[2]))
    {
        IG_ERR(C, Node,
               "a user-glob-match exception needs a glob character (*, ?, [, ] or \\\\) in originator, "
               "victim or process");
        return;
    }
    (void)IgCcExpand(C, &e, 0, 0);
}

/* ---- Sorting and writing ----------------------------------------------------------------- */

static int IgCmpKey(uint32_t A, uint32_t B)
{
    return A < B ? -1 : (A > B);
}

static int IgCmpExc(const void *PA, const void *PB)
{
    const IG_CEXC *a = PA, *b = PB;
    int r;
    if (a->RecordType == IgRecUserGlob)
    {
        if ((r = strcmp(a->Glob[0], b->Glob[0])) || (r = IgCmpKey(a->Object, b->Object)) ||
            (r = strcmp(a->Glob[1], b->Glob[1])) || (r = strcmp(a->Glob[2], b->Glob[2])) ||
            (r = IgCmpKey(a->Flags, b->Flags)))
        {
            return r;
        }
    }
    else if (a->RecordType == IgRecKernel)
    {
        if ((r = IgCmpKey(a->Originator, b->Originator)) || (r = IgCmpKey(a->Object, b->Object)) ||
            (r = IgCmpKey(a->Victim, b->Victim)) || (r = IgCmpKey(a->Flags, b->Flags)))
        {
            return r;
        }
    }
    else if (a->RecordType == IgRecKernelUser)
    {
        if ((r = IgCmpKey(a->Originator, b->Originator)) || (r = IgCmpKey(a->Process, b->Process)) ||
            (r = IgCmpKey(a->Object, b->Object)) || (r = IgCmpKey(a->Victim, b->Victim)) ||
            (r = IgCmpKey(a->Flags, b->Flags)))
        {
            return r;
        }
    }
    else
    {
        if ((r = IgCmpKey(a->Originator, b->Originator)) || (r = IgCmpKey(a->Object, b->Object)) ||
            (r = IgCmpKey(a->Victim, b->Victim)) || (r = IgCmpKey(a->Process, b->Process)) ||
            (r = IgCmpKey(a->Flags, b->Flags)))
        {
            return r;
        }
    }
    return a->Order < b->Order ? -1 : (a->Order > b->Order); /* stable, as Python's sort */
}

static int IgCmpSig(const void *PA, const void *PB)
{
    const IG_CSIG *a = PA, *b = PB;
    return IgCmpKey(a->Id, b->Id);
}

static const uint32_t *IgExcSigs(const IG_CC *C, const IG_CEXC *X)
{
    if (C->SigPool.Data == NULL)
    {
        return NULL; /* no exception has signatures */
    }
    return (const uint32_t *)(const void *)(C->SigPool.Data + X->SigOffset * 4);
}

static bool IgSameRecord(const IG_CC *C, const IG_CEXC *A, const IG_CEXC *B)
{
    IG_CEXC a = *A, b = *B;
    a.Order = b.Order = 0;
    if (IgCmpExc(&a, &b) != 0 || A->RecordType != B->RecordType || A->SigCount != B->SigCount)
    {
        return false;
    }
    return A->SigCount == 0 || memcmp(IgExcSigs(C, A), IgExcSigs(C, B), A->SigCount * 4) == 0;
}

static void IgCcWriteExc(IG_CC *C, IG_CBUF *Out, const IG_CEXC *X)
{
    const uint32_t *sigs = IgExcSigs(C, X);
    if (X->RecordType == IgRecUserGlob)
    {
        size_t lens[3];
        size_t size = IG_GLOB_FIXED_SIZE + X->SigCount * 4;
        for (int k = 0; k < 3; k++)
        {
            lens[k] = strlen(X->Glob[k]) + 1;
            size += lens[k];
        }
        IgCbufU8(Out, X->RecordType);
        IgCbufU16(Out, (uint16_t)size);
        IgCbufU32(Out, X->Flags);
        IgCbufU8(Out, 0);
        IgCbufU8(Out, X->Object);
        IgCbufU16(Out, (uint16_t)X->SigCount);
        for (int k = 0; k < 3; k++)
        {
            IgCbufPut(Out, X->Glob[k], lens[k]);
        }
    }
    else
    {
        IgCbufU8(Out, X->RecordType);
        IgCbufU16(Out, (uint16_t)(IG_EXC_FIXED_SIZE + X->SigCount * 4));
        IgCbufU32(Out, X->Originator);
        if (X->RecordType == IgRecKernel)
        {
            IgCbufU32(Out, IG_NAME_HASH_NONE); /* PathHash */
            IgCbufU32(Out, X->Victim);
        }
        else
        {
            IgCbufU32(Out, X->Victim);
            IgCbufU32(Out, X->Process);
        }
        IgCbufU32(Out, X->Flags);
        IgCbufU8(Out, 0);
        IgCbufU8(Out, X->Object);
        IgCbufU16(Out, (uint16_t)X->SigCount);
    }
    for (size_t i = 0; i < X->SigCount; i++)
    {
        uint32_t id;
        memcpy(&id, &sigs[i], 4);
        IgCbufU32(Out, id);
    }
}

static int IgKindRank(uint8_t RecordType)
{
    switch (RecordType)
    {
        case IgRecKernel:
            return 0;
        case IgRecUser:
        case IgRecUserApc:
            return 1;
        case IgRecKernelUser:
            return 2;
        default:
            return 3;
    }
}

static int IgCmpExcSection(const void *PA, const void *PB)
{
    const IG_CEXC *a = PA, *b = PB;
    int ra = IgKindRank(a->RecordType), rb = IgKindRank(b->RecordType);
    if (ra != rb)
    {
        return ra < rb ? -1 : 1;
    }
    return IgCmpExc(PA, PB);
}

/* Pruning (§5.9): by default every unused signature goes; --hvmi-compat reproduces C2, where the
 * signature right after a removed one is never looked at and so survives. */
static void IgCcPrune(IG_CC *C, IG_COMPILE_RESULT *Result)
{
    size_t kept = 0;
    bool skip = false;
    for (size_t i = 0; i < C->SigCount; i++)
    {
        IG_CSIG *s = &C->Sigs[i];
        bool keep;
        if (C->Options->KeepUnusedSignatures)
        {
            keep = true;
        }
        else if (C->Options->HvmiCompat && skip)
        {
            keep = true;
            skip = false;
        }
        else
        {
            keep = s->Used;
            skip = !keep;
        }
        if (!s->Used)
        {
            if (keep)
            {
                IgCcReport(C, IgSevWarning, s->Source, s->Node,
                           "signature '%.60s' is not used by any exception (kept: %s)", s->Name,
                           C->Options->KeepUnusedSignatures ? "--keep-unused"
                                                            : "--hvmi-compat reproduces hvmi's pruning");
            }
            else
            {
                IgCcReport(C, IgSevWarning, s->Source, s->Node,
                           "signature '%.60s' is not used by any exception and is left out", s->Name);
                Result->PrunedSignatures++;
            }
        }
        if (keep)
        {
            C->Sigs[kept++] = *s;
        }
    }
    C->SigCount = kept;
}

static void IgCcWrite(IG_CC *C, IG_CBUF *Out, IG_COMPILE_RESULT *Result)
{
    size_t counts[4] = {0};
    size_t globPrefix = 0;

    if (C->ExcCount > 1)
    {
        qsort(C->Excs, C->ExcCount, sizeof(*C->Excs), IgCmpExcSection);
    }
    if (C->SigCount > 1)
    {
        qsort(C->Sigs, C->SigCount, sizeof(*C->Sigs), IgCmpSig);
    }

    for (size_t i = 0; i < C->ExcCount; i++)
    {
        const IG_CEXC *x = &C->Excs[i];
        counts[IgKindRank(x->RecordType)]++;
        if (x->RecordType == IgRecUserGlob && x->GlobPrefix)
        {
            globPrefix++;
        }
        if (i > 0 && IgSameRecord(C, &C->Excs[i - 1], x))
        {
            const IG_CEXC *p = &C->Excs[i - 1];
            char path[128];
            IgCcReport(C, IgSevWarning, x->Source, x->Node, "duplicate exception: same record as %s:%u (%s)",
                       C->Sources[p->Source].Name, p->Node->Line, IgJsonPath(p->Node, path, sizeof(path)));
        }
    }
    uint32_t globCount = (uint32_t)counts[3];
    if (C->Options->HvmiCompat)
    {
        globCount += (uint32_t)globPrefix; /* C3: the prefix entries are written twice */
    }
    Result->KernelCount = (uint32_t)counts[0];
    Result->UserCount = (uint32_t)counts[1];
    Result->KernelUserCount = (uint32_t)counts[2];
    Result->GlobCount = globCount;
    Result->SignatureCount = (uint32_t)C->SigCount;

    IgCbufU32(Out, IG_FILE_MAGIC);
    IgCbufU16(Out, C->Options->VersionMajor);
    IgCbufU16(Out, C->Options->VersionMinor);
    IgCbufU32(Out, (uint32_t)counts[0]);
    IgCbufU32(Out, (uint32_t)counts[1]);
    IgCbufU32(Out, (uint32_t)C->SigCount);
    IgCbufU32(Out, C->Options->BuildNumber);
    IgCbufU32(Out, globCount);
    IgCbufU32(Out, (uint32_t)counts[2]);
    IgCbufU32(Out, 0);

    size_t globStart = counts[0] + counts[1] + counts[2];
    for (size_t i = 0; i < globStart; i++)
    {
        IgCcWriteExc(C, Out, &C->Excs[i]);
    }
    /* Glob: patterns starting with a glob character first, in parse order (the matcher needs them
     * ahead of the sorted rest), then the others sorted.  --hvmi-compat: then all of them sorted. */
    size_t globEnd = C->ExcCount;
    const IG_CEXC **prefix = NULL;
    if (globPrefix)
    {
        prefix = malloc(globPrefix * sizeof(*prefix));
        if (prefix == NULL)
        {
            Out->Failed = true;
            return;
        }
        size_t k = 0;
        for (size_t i = globStart; i < globEnd; i++)
        {
            if (C->Excs[i].GlobPrefix)
            {
                prefix[k++] = &C->Excs[i];
            }
        }
        /* Parse order. */
        for (size_t a = 1; a < k; a++)
        {
            for (size_t b = a; b > 0 && prefix[b - 1]->Order > prefix[b]->Order; b--)
            {
                const IG_CEXC *t = prefix[b - 1];
                prefix[b - 1] = prefix[b];
                prefix[b] = t;
            }
        }
        for (size_t i = 0; i < k; i++)
        {
            IgCcWriteExc(C, Out, prefix[i]);
        }
        free(prefix);
    }
    for (size_t i = globStart; i < globEnd; i++)
    {
        if (C->Options->HvmiCompat || !C->Excs[i].GlobPrefix)
        {
            IgCcWriteExc(C, Out, &C->Excs[i]);
        }
    }
    for (size_t i = 0; i < C->SigCount; i++)
    {
        const IG_CSIG *s = &C->Sigs[i];
        IgCbufU8(Out, s->RecordType);
        IgCbufU16(Out, (uint16_t)s->BodySize);
        IgCbufPut(Out, C->Bodies.Data + s->BodyOffset, s->BodySize);
    }
}

/* ---- Driver ------------------------------------------------------------------------------ */

void IgCompileOptionsInit(IG_COMPILE_OPTIONS *Options)
{
    memset(Options, 0, sizeof(*Options));
    Options->VersionMajor = IG_KW_VERSION_MAJOR;
    Options->VersionMinor = IG_KW_VERSION_MINOR;
}

void IgCompileResultFree(IG_COMPILE_RESULT *Result)
{
    if (Result == NULL)
    {
        return;
    }
    free(Result->Data);
    free(Result->Messages);
    memset(Result, 0, sizeof(*Result));
}

/* What a top-level document holds. */
static void IgCcClassify(IG_CC *C, size_t Index, const IG_JSON_VALUE **Signatures, const IG_JSON_VALUE **Exceptions,
                         const IG_KW_EXCEPTION_KIND **Kind)
{
    const IG_JSON_VALUE *root = C->Docs[Index].Root;
    const IG_JSON_VALUE *type;
    *Signatures = *Exceptions = NULL;
    *Kind = NULL;
    if (root == NULL)
    {
        return;
    }
    if (root->Type != IgJsonObject)
    {
        IG_ERR(C, root, "expected an object with \"Type\" and \"Exceptions\" or \"Signatures\", found %s",
               IgJsonTypeName(root->Type));
        return;
    }
    static const char *const keys[] = {"Type", "Exceptions", "Signatures"};
    IgCcUnknownKeys(C, root, keys, 3);
    if (!IgCcArray(C, root, "Signatures", false, Signatures) || !IgCcArray(C, root, "Exceptions", false, Exceptions))
    {
        *Signatures = *Exceptions = NULL;
        return;
    }
    if (*Signatures == NULL && *Exceptions == NULL)
    {
        IG_ERR(C, root, "expected an \"Exceptions\" or a \"Signatures\" array");
        return;
    }
    if (*Exceptions)
    {
        if (!IgCcString(C, root, "Type", &type))
        {
            *Exceptions = NULL;
            return;
        }
        if (type == NULL)
        {
            IG_ERR(C, root, "missing \"Type\" (kernel, user, user-apc, user-glob-match or kernel-user)");
            *Exceptions = NULL;
            return;
        }
        *Kind = IgKwExceptionKindByName(type->Text, type->Length);
        if (*Kind == NULL)
        {
            size_t n;
            const IG_KW_EXCEPTION_KIND *all = IgKwExceptionKinds(&n);
            const char *names[8];
            char sug[96];
            for (size_t i = 0; i < n && i < 8; i++)
            {
                names[i] = all[i].Name;
            }
            IG_ERR(C, type, "unknown exceptions Type '%.40s'%s", type->Text,
                   IgCcSuggest(sug, sizeof(sug), IgKwNearestOf(names, n < 8 ? n : 8, type->Text, type->Length, 0)));
            *Exceptions = NULL;
        }
    }
}

INTSTATUS IgCompileSources(const IG_COMPILE_SOURCE *Sources, size_t Count, const IG_COMPILE_OPTIONS *Options,
                           IG_COMPILE_RESULT *Result)
{
    IG_CC c;
    IG_CBUF out = {0};
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (Result == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    memset(Result, 0, sizeof(*Result));
    if ((Sources == NULL && Count) || Options == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    memset(&c, 0, sizeof(c));
    c.Options = Options;
    c.Sources = Sources;
    c.SourceCount = Count;
    if (Count > IG_COMPILE_MAX_SOURCES)
    {
        IgCcReport(&c, IgSevError, SIZE_MAX, NULL, "more than %u input files", IG_COMPILE_MAX_SOURCES);
        goto done;
    }
    c.Docs = calloc(Count ? Count : 1, sizeof(*c.Docs));
    if (c.Docs == NULL)
    {
        c.OutOfMemory = true;
        goto done;
    }
    for (size_t i = 0; i < Count; i++)
    {
        IG_JSON_ERROR err;
        c.Current = i;
        if (!INT_SUCCESS(IgJsonParse(Sources[i].Text, Sources[i].Size, &c.Docs[i], &err)))
        {
            c.Errors++;
            if (c.Errors <= IG_COMPILE_MAX_ERRORS)
            {
                IgCbufPrintf(&c.Messages, "%s:%u:%u: error: %s: invalid JSON: %s\n", Sources[i].Name, err.Line,
                             err.Column, err.Path, err.Message);
            }
        }
    }
    if (Count == 0)
    {
        IgCcReport(&c, IgSevError, SIZE_MAX, NULL, "no input files");
    }
    /* Pass 1: signatures, numbered in input order. */
    for (size_t i = 0; i < Count && !c.OutOfMemory; i++)
    {
        const IG_JSON_VALUE *sigs, *excs;
        const IG_KW_EXCEPTION_KIND *kind;
        c.Current = i;
        IgCcClassify(&c, i, &sigs, &excs, &kind);
        for (size_t k = 0; sigs && k < sigs->Count && !c.OutOfMemory && c.Errors <= IG_COMPILE_MAX_ERRORS; k++)
        {
            IgCcSignature(&c, sigs->Items[k]);
        }
    }
    /* Pass 2: exceptions (messages from classification are not repeated). */
    for (size_t i = 0; i < Count && !c.OutOfMemory; i++)
    {
        const IG_JSON_VALUE *sigs, *excs;
        const IG_KW_EXCEPTION_KIND *kind;
        IG_CBUF saved = c.Messages;
        unsigned errors = c.Errors, warnings = c.Warnings;
        c.Current = i;
        IgCcClassify(&c, i, &sigs, &excs, &kind);
        c.Messages.Size = saved.Size;
        c.Errors = errors;
        c.Warnings = warnings;
        for (size_t k = 0; excs && kind && k < excs->Count && !c.OutOfMemory && c.Errors <= IG_COMPILE_MAX_ERRORS; k++)
        {
            IgCcException(&c, kind, excs->Items[k]);
        }
    }
    if (c.Errors == 0 && !c.OutOfMemory)
    {
        IgCcPrune(&c, Result);
        IgCcWrite(&c, &out, Result);
        if (out.Failed)
        {
            c.OutOfMemory = true;
        }
    }

done:
    if (c.OutOfMemory)
    {
        c.Errors++;
        IgCbufPrintf(&c.Messages, "error: out of memory\n");
    }
    if (c.Errors > IG_COMPILE_MAX_ERRORS)
    {
        IgCbufPrintf(&c.Messages, "error: too many errors (%u), stopped\n", c.Errors);
    }
    IgCbufU8(&c.Messages, 0);
    Result->Errors = c.Errors;
    Result->Warnings = c.Warnings;
    if (!c.Messages.Failed)
    {
        Result->Messages = (char *)c.Messages.Data;
        Result->MessagesLength = c.Messages.Size - 1;
        c.Messages.Data = NULL;
    }
    if (c.Errors == 0)
    {
        Result->Data = out.Data;
        Result->Size = out.Size;
        out.Data = NULL;
    }
    else
    {
        status = c.OutOfMemory ? INT_STATUS_INSUFFICIENT_RESOURCES : INT_STATUS_INVALID_DATA_VALUE;
    }
    free(out.Data);
    free(c.Messages.Data);
    for (size_t i = 0; c.Docs && i < Count; i++)
    {
        IgJsonFree(&c.Docs[i]);
    }
    free(c.Docs);
    free(c.Sigs);
    free(c.SigTable);
    free(c.Excs);
    free(c.SigPool.Data);
    free(c.Bodies.Data);
    free(c.Scratch);
    return status;
}

/* ---- config.json ------------------------------------------------------------------------- */

typedef struct IG_CONFIG_PRIVATE
{
    IG_JSON_DOC Doc;
    const char **Members;
} IG_CONFIG_PRIVATE;

void IgCompileConfigFree(IG_COMPILE_CONFIG *Storage)
{
    if (Storage == NULL)
    {
        return;
    }
    IG_CONFIG_PRIVATE *p = Storage->Private;
    if (p)
    {
        IgJsonFree(&p->Doc);
        free(p->Members);
        free(p);
    }
    free(Storage->Groups);
    memset(Storage, 0, sizeof(*Storage));
}

INTSTATUS IgCompileLoadConfig(const IG_COMPILE_SOURCE *Source, IG_COMPILE_OPTIONS *Options, IG_COMPILE_CONFIG *Storage,
                              IG_COMPILE_RESULT *Result)
{
    IG_CC c;
    IG_JSON_ERROR err;
    IG_CONFIG_PRIVATE *p = NULL;
    const IG_JSON_VALUE *root, *version, *groups;
    INTSTATUS status = INT_STATUS_INVALID_DATA_VALUE;

    if (Result == NULL || Storage == NULL || Options == NULL || Source == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    memset(Result, 0, sizeof(*Result));
    memset(Storage, 0, sizeof(*Storage));
    memset(&c, 0, sizeof(c));
    c.Options = Options;
    c.Sources = Source;
    c.SourceCount = 1;

    p = calloc(1, sizeof(*p));
    if (p == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    Storage->Private = p;
    if (!INT_SUCCESS(IgJsonParse(Source->Text, Source->Size, &p->Doc, &err)))
    {
        c.Errors++;
        IgCbufPrintf(&c.Messages, "%s:%u:%u: error: %s: invalid JSON: %s\n", Source->Name, err.Line, err.Column,
                     err.Path, err.Message);
        goto done;
    }
    root = p->Doc.Root;
    if (root->Type != IgJsonObject)
    {
        IG_ERR(&c, root, "expected a config object, found %s", IgJsonTypeName(root->Type));
        goto done;
    }
    version = IgCcMember(root, "Version");
    if (version)
    {
        const IG_JSON_VALUE *major = IgCcMember(version, "Major"), *minor = IgCcMember(version, "Minor");
        int64_t a, b;
        if (version->Type != IgJsonObject || !major || !minor)
        {
            IG_ERR(&c, version, "expected {\"Major\": n, \"Minor\": n}");
            goto done;
        }
        if (!IgCcInteger(&c, major, 0, 0xFFFF, &a) || !IgCcInteger(&c, minor, 0, 0xFFFF, &b))
        {
            goto done;
        }
        Options->VersionMajor = (uint16_t)a;
        Options->VersionMinor = (uint16_t)b;
    }
    groups = IgCcMember(root, "Groups");
    if (groups)
    {
        size_t total = 0;
        if (groups->Type != IgJsonObject)
        {
            IG_ERR(&c, groups, "expected an object of group name -> list of names, found %s",
                   IgJsonTypeName(groups->Type));
            goto done;
        }
        for (size_t i = 0; i < groups->Count; i++)
        {
            const IG_JSON_VALUE *g = groups->Items[i];
            if (g->Type != IgJsonArray)
            {
                IG_ERR(&c, g, "expected a list of names, found %s", IgJsonTypeName(g->Type));
                goto done;
            }
            for (size_t k = 0; k < g->Count; k++)
            {
                if (g->Items[k]->Type != IgJsonString || g->Items[k]->Length == 0)
                {
                    IG_ERR(&c, g->Items[k], "expected a non-empty name string");
                    goto done;
                }
            }
            total += g->Count;
        }
        Storage->Groups = calloc(groups->Count ? groups->Count : 1, sizeof(*Storage->Groups));
        p->Members = calloc(total ? total : 1, sizeof(*p->Members));
        if (Storage->Groups == NULL || p->Members == NULL)
        {
            status = INT_STATUS_INSUFFICIENT_RESOURCES;
            goto done;
        }
        size_t m = 0;
        for (size_t i = 0; i < groups->Count; i++)
        {
            const IG_JSON_VALUE *g = groups->Items[i];
            Storage->Groups[i].Name = g->Key;
            Storage->Groups[i].Members = &p->Members[m];
            Storage->Groups[i].Count = g->Count;
            for (size_t k = 0; k < g->Count; k++)
            {
                p->Members[m++] = g->Items[k]->Text;
            }
        }
        Storage->GroupCount = groups->Count;
        Options->Groups = Storage->Groups;
        Options->GroupCount = Storage->GroupCount;
    }
    status = INT_STATUS_SUCCESS;

done:
    IgCbufU8(&c.Messages, 0);
    Result->Errors = c.Errors;
    Result->Warnings = c.Warnings;
    if (!c.Messages.Failed)
    {
        Result->Messages = (char *)c.Messages.Data;
        Result->MessagesLength = c.Messages.Size - 1;
    }
    else
    {
        free(c.Messages.Data);
    }
    if (!INT_SUCCESS(status))
    {
        IgCompileConfigFree(Storage);
    }
    return status;
}
