#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Arena: values and strings live in big blocks freed together. --------------------------- */

#define IG_JSON_ARENA_BLOCK (64u * 1024u)

typedef struct IG_JSON_ARENA_CHUNK
{
    struct IG_JSON_ARENA_CHUNK *Next;
    size_t Used;
    size_t Size;
    _Alignas(16) unsigned char Data[];
} IG_JSON_ARENA_CHUNK;

static void *IgJsonArenaAlloc(IG_JSON_ARENA_CHUNK **Head, size_t Size)
{
    size_t need = (Size + 15u) & ~(size_t)15u;
    IG_JSON_ARENA_CHUNK *chunk = *Head;

    if (need < Size)
    {
        return NULL;
    }
    if (chunk == NULL || need > chunk->Size - chunk->Used)
    {
        size_t cap = need > IG_JSON_ARENA_BLOCK ? need : IG_JSON_ARENA_BLOCK;
        size_t total;
        if (__builtin_add_overflow(cap, sizeof(IG_JSON_ARENA_CHUNK), &total))
        {
            return NULL;
        }
        chunk = malloc(total);
        if (chunk == NULL)
        {
            return NULL;
        }
        chunk->Next = *Head;
        chunk->Used = 0;
        chunk->Size = cap;
        *Head = chunk;
    }
    void *p = chunk->Data + chunk->Used;
    chunk->Used += need;
    return p;
}

static void IgJsonArenaFree(IG_JSON_ARENA_CHUNK *Head)
{
    while (Head)
    {
        IG_JSON_ARENA_CHUNK *next = Head->Next;
        free(Head);
        Head = next;
    }
}

/* ---- Parser state ------------------------------------------------------------------------- */

typedef struct IG_JSON_PARSER
{
    const char *Text;
    size_t Size;
    size_t Pos;
    uint32_t Line;
    size_t LineStart; /* offset of the current line's first byte */
    size_t Values;
    IG_JSON_ARENA_CHUNK *Arena;
    IG_JSON_ERROR *Error;
    bool Failed;
    /* Where the parser is, for error paths: one frame per open container. */
    struct
    {
        bool IsObject;
        bool HasItem; /* inside an item (after its key), not between items */
        const char *Key;
        size_t Index;
    } Frames[IG_JSON_MAX_DEPTH + 1];
    size_t FrameCount;
    /* Scratch buffer for decoding strings (grown on demand, capped by IG_JSON_MAX_STRING). */
    char *Scratch;
    size_t ScratchSize;
} IG_JSON_PARSER;

static void IgJsonFailAt(IG_JSON_PARSER *P, size_t Pos, const char *Format, ...) __attribute__((format(printf, 3, 4)));

static void IgJsonFailAt(IG_JSON_PARSER *P, size_t Pos, const char *Format, ...)
{
    va_list ap;

    if (P->Failed)
    {
        return;
    }
    P->Failed = true;
    /* Pos is always on the current line or just after it. */
    P->Error->Line = P->Line;
    P->Error->Column = (uint32_t)(Pos >= P->LineStart ? Pos - P->LineStart + 1 : 1);
    va_start(ap, Format);
    vsnprintf(P->Error->Message, sizeof(P->Error->Message), Format, ap);
    va_end(ap);

    char *path = P->Error->Path;
    size_t size = sizeof(P->Error->Path), pos = 0;
    pos = (size_t)snprintf(path, size, "$");
    for (size_t i = 0; i < P->FrameCount && P->Frames[i].HasItem && pos < size; i++)
    {
        int n = P->Frames[i].IsObject ? snprintf(path + pos, size - pos, ".%.60s", P->Frames[i].Key)
                                      : snprintf(path + pos, size - pos, "[%zu]", P->Frames[i].Index);
        if (n < 0)
        {
            break;
        }
        pos += (size_t)n;
    }
}

static int IgJsonPeek(const IG_JSON_PARSER *P)
{
    return P->Pos < P->Size ? (unsigned char)P->Text[P->Pos] : -1;
}

/* Skips whitespace and comments; fails on an unterminated block comment or a lone '/'. */
static void IgJsonSkipSpace(IG_JSON_PARSER *P)
{
    while (P->Pos < P->Size && !P->Failed)
    {
        char c = P->Text[P->Pos];
        if (c == '\n')
        {
            P->Pos++;
            P->Line++;
            P->LineStart = P->Pos;
        }
        else if (c == ' ' || c == '\t' || c == '\r')
        {
            P->Pos++;
        }
        else if (c == '/' && P->Size - P->Pos >= 2 && P->Text[P->Pos + 1] == '/')
        {
            while (P->Pos < P->Size && P->Text[P->Pos] != '\n')
            {
                P->Pos++;
            }
        }
        else if (c == '/' && P->Size - P->Pos >= 2 && P->Text[P->Pos + 1] == '*')
        {
            size_t start = P->Pos;
            P->Pos += 2;
            for (;;)
            {
                if (P->Pos >= P->Size)
                {
                    P->Pos = start;
                    IgJsonFailAt(P, start, "unterminated /* comment");
                    return;
                }
                if (P->Text[P->Pos] == '*' && P->Size - P->Pos >= 2 && P->Text[P->Pos + 1] == '/')
                {
                    P->Pos += 2;
                    break;
                }
                if (P->Text[P->Pos] == '\n')
                {
                    P->Line++;
                    P->LineStart = P->Pos + 1;
                }
                P->Pos++;
            }
        }
        else if (c == '/')
        {
            IgJsonFailAt(P, P->Pos, "unexpected '/' (comments are // or /* */)");
            return;
        }
        else
        {
            return;
        }
    }
}

static IG_JSON_VALUE *IgJsonNewValue(IG_JSON_PARSER *P, IG_JSON_TYPE Type)
{
    if (P->Values >= IG_JSON_MAX_VALUES)
    {
        IgJsonFailAt(P, P->Pos, "too many values (limit %u)", IG_JSON_MAX_VALUES);
        return NULL;
    }
    IG_JSON_VALUE *v = IgJsonArenaAlloc(&P->Arena, sizeof(*v));
    if (v == NULL)
    {
        IgJsonFailAt(P, P->Pos, "out of memory");
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    v->Type = Type;
    v->Line = P->Line;
    v->Column = (uint32_t)(P->Pos - P->LineStart + 1);
    P->Values++;
    return v;
}

static bool IgJsonScratchPut(IG_JSON_PARSER *P, size_t *Len, const char *Bytes, size_t Count)
{
    if (Count > IG_JSON_MAX_STRING - *Len)
    {
        IgJsonFailAt(P, P->Pos, "string longer than %u bytes", IG_JSON_MAX_STRING);
        return false;
    }
    if (*Len + Count + 1 > P->ScratchSize)
    {
        size_t cap = P->ScratchSize ? P->ScratchSize : 256;
        while (cap < *Len + Count + 1)
        {
            cap *= 2;
        }
        char *n = realloc(P->Scratch, cap);
        if (n == NULL)
        {
            IgJsonFailAt(P, P->Pos, "out of memory");
            return false;
        }
        P->Scratch = n;
        P->ScratchSize = cap;
    }
    memcpy(P->Scratch + *Len, Bytes, Count);
    *Len += Count;
    return true;
}

static size_t IgJsonEncodeUtf8(uint32_t Cp, char Out[4])
{
    if (Cp < 0x80)
    {
        Out[0] = (char)Cp;
        return 1;
    }
    if (Cp < 0x800)
    {
        Out[0] = (char)(0xC0 | (Cp >> 6));
        Out[1] = (char)(0x80 | (Cp & 0x3F));
        return 2;
    }
    if (Cp < 0x10000)
    {
        Out[0] = (char)(0xE0 | (Cp >> 12));
        Out[1] = (char)(0x80 | ((Cp >> 6) & 0x3F));
        Out[2] = (char)(0x80 | (Cp & 0x3F));
        return 3;
    }
    Out[0] = (char)(0xF0 | (Cp >> 18));
    Out[1] = (char)(0x80 | ((Cp >> 12) & 0x3F));
    Out[2] = (char)(0x80 | ((Cp >> 6) & 0x3F));
    Out[3] = (char)(0x80 | (Cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at Text[Pos], or 0 if it is not valid (overlongs, surrogates
 * and code points above U+10FFFF are invalid). */
static size_t IgJsonUtf8Length(const char *Text, size_t Size, size_t Pos)
{
    const unsigned char *s = (const unsigned char *)Text + Pos;
    size_t avail = Size - Pos;
    unsigned char c = s[0];

    if (c < 0x80)
    {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
    {
        return (avail >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF)
    {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
        {
            return 0;
        }
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
        {
            return 0;
        }
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4)
    {
        if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        {
            return 0;
        }
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        {
            return 0;
        }
        return 4;
    }
    return 0;
}

static bool IgJsonHex4(IG_JSON_PARSER *P, uint32_t *Out)
{
    uint32_t v = 0;
    if (P->Size - P->Pos < 4)
    {
        IgJsonFailAt(P, P->Pos, "truncated \\u escape");
        return false;
    }
    for (int i = 0; i < 4; i++)
    {
        char c = P->Text[P->Pos + (size_t)i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
        {
            IgJsonFailAt(P, P->Pos + (size_t)i, "bad hex digit in \\u escape");
            return false;
        }
    }
    P->Pos += 4;
    *Out = v;
    return true;
}

/* Parses a string at P->Pos (which is '"'); returns an arena copy, NUL-terminated. */
static char *IgJsonParseString(IG_JSON_PARSER *P, size_t *Length)
{
    size_t len = 0;
    size_t start = P->Pos;

    P->Pos++; /* opening quote */
    for (;;)
    {
        if (P->Pos >= P->Size)
        {
            IgJsonFailAt(P, start, "unterminated string");
            return NULL;
        }
        unsigned char c = (unsigned char)P->Text[P->Pos];
        if (c == '"')
        {
            P->Pos++;
            break;
        }
        if (c < 0x20)
        {
            IgJsonFailAt(P, P->Pos, "control character 0x%02X in string (escape it)", c);
            return NULL;
        }
        if (c == '\\')
        {
            char out[4];
            size_t n = 1;
            if (P->Size - P->Pos < 2)
            {
                IgJsonFailAt(P, P->Pos, "unterminated escape");
                return NULL;
            }
            char e = P->Text[P->Pos + 1];
            size_t escPos = P->Pos;
            P->Pos += 2;
            switch (e)
            {
                case '"':
                    out[0] = '"';
                    break;
                case '\\':
                    out[0] = '\\';
                    break;
                case '/':
                    out[0] = '/';
                    break;
                case 'b':
                    out[0] = '\b';
                    break;
                case 'f':
                    out[0] = '\f';
                    break;
                case 'n':
                    out[0] = '\n';
                    break;
                case 'r':
                    out[0] = '\r';
                    break;
                case 't':
                    out[0] = '\t';
                    break;
                case 'u':
                {
                    uint32_t cp;
                    if (!IgJsonHex4(P, &cp))
                    {
                        return NULL;
                    }
                    if (cp >= 0xD800 && cp <= 0xDBFF)
                    {
                        uint32_t lo;
                        if (P->Size - P->Pos < 2 || P->Text[P->Pos] != '\\' || P->Text[P->Pos + 1] != 'u')
                        {
                            IgJsonFailAt(P, escPos, "high surrogate \\u%04X without a low surrogate", cp);
                            return NULL;
                        }
                        P->Pos += 2;
                        if (!IgJsonHex4(P, &lo))
                        {
                            return NULL;
                        }
                        if (lo < 0xDC00 || lo > 0xDFFF)
                        {
                            IgJsonFailAt(P, escPos, "high surrogate \\u%04X followed by \\u%04X, not a low surrogate",
                                         cp, lo);
                            return NULL;
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    else if (cp >= 0xDC00 && cp <= 0xDFFF)
                    {
                        IgJsonFailAt(P, escPos, "lone low surrogate \\u%04X", cp);
                        return NULL;
                    }
                    else if (cp == 0)
                    {
                        IgJsonFailAt(P, escPos, "\\u0000 is not allowed in strings");
                        return NULL;
                    }
                    n = IgJsonEncodeUtf8(cp, out);
                    break;
                }
                default:
                    IgJsonFailAt(P, escPos, "invalid escape '\\%c'", (e >= 0x20 && e < 0x7F) ? e : '?');
                    return NULL;
            }
            if (!IgJsonScratchPut(P, &len, out, n))
            {
                return NULL;
            }
            continue;
        }
        /* A run of plain bytes: copy up to the next quote, backslash or control byte, checking UTF-8. */
        size_t runStart = P->Pos;
        while (P->Pos < P->Size)
        {
            unsigned char d = (unsigned char)P->Text[P->Pos];
            if (d == '"' || d == '\\' || d < 0x20)
            {
                break;
            }
            size_t u = IgJsonUtf8Length(P->Text, P->Size, P->Pos);
            if (u == 0)
            {
                IgJsonFailAt(P, P->Pos, "invalid UTF-8 in string");
                return NULL;
            }
            P->Pos += u;
        }
        if (!IgJsonScratchPut(P, &len, P->Text + runStart, P->Pos - runStart))
        {
            return NULL;
        }
    }
    char *copy = IgJsonArenaAlloc(&P->Arena, len + 1);
    if (copy == NULL)
    {
        IgJsonFailAt(P, start, "out of memory");
        return NULL;
    }
    if (len)
    {
        memcpy(copy, P->Scratch, len);
    }
    copy[len] = 0;
    *Length = len;
    return copy;
}

static void IgJsonParseNumber(IG_JSON_PARSER *P, IG_JSON_VALUE *V)
{
    size_t start = P->Pos;
    bool integer = true;

    if (IgJsonPeek(P) == '-')
    {
        P->Pos++;
    }
    int c = IgJsonPeek(P);
    if (c == '0')
    {
        P->Pos++;
        c = IgJsonPeek(P);
        if (c >= '0' && c <= '9')
        {
            IgJsonFailAt(P, start, "numbers must not have leading zeros");
            return;
        }
    }
    else if (c >= '1' && c <= '9')
    {
        while ((c = IgJsonPeek(P)) >= '0' && c <= '9')
        {
            P->Pos++;
        }
    }
    else
    {
        IgJsonFailAt(P, start, "invalid number");
        return;
    }
    if (IgJsonPeek(P) == '.')
    {
        integer = false;
        P->Pos++;
        if (!((c = IgJsonPeek(P)) >= '0' && c <= '9'))
        {
            IgJsonFailAt(P, start, "invalid number: digits expected after '.'");
            return;
        }
        while ((c = IgJsonPeek(P)) >= '0' && c <= '9')
        {
            P->Pos++;
        }
    }
    c = IgJsonPeek(P);
    if (c == 'e' || c == 'E')
    {
        integer = false;
        P->Pos++;
        c = IgJsonPeek(P);
        if (c == '+' || c == '-')
        {
            P->Pos++;
        }
        if (!((c = IgJsonPeek(P)) >= '0' && c <= '9'))
        {
            IgJsonFailAt(P, start, "invalid number: digits expected in exponent");
            return;
        }
        while ((c = IgJsonPeek(P)) >= '0' && c <= '9')
        {
            P->Pos++;
        }
    }
    size_t len = P->Pos - start;
    char *text = IgJsonArenaAlloc(&P->Arena, len + 1);
    if (text == NULL)
    {
        IgJsonFailAt(P, start, "out of memory");
        return;
    }
    memcpy(text, P->Text + start, len);
    text[len] = 0;
    V->Text = text;
    V->Length = len;
    if (integer)
    {
        /* Accumulate as a negative number so INT64_MIN fits; overflow leaves IsInteger false. */
        bool neg = text[0] == '-';
        int64_t acc = 0;
        bool ok = true;
        for (size_t i = neg ? 1 : 0; i < len && ok; i++)
        {
            int64_t d = text[i] - '0';
            if (__builtin_mul_overflow(acc, 10, &acc) || __builtin_sub_overflow(acc, d, &acc))
            {
                ok = false;
            }
        }
        if (ok && !neg)
        {
            ok = !__builtin_mul_overflow(acc, -1, &acc);
        }
        V->IsInteger = ok;
        V->Integer = ok ? acc : 0;
    }
}

static bool IgJsonLiteral(IG_JSON_PARSER *P, const char *Word)
{
    size_t n = strlen(Word);
    if (P->Size - P->Pos >= n && memcmp(P->Text + P->Pos, Word, n) == 0)
    {
        P->Pos += n;
        return true;
    }
    return false;
}

static IG_JSON_VALUE *IgJsonParseValue(IG_JSON_PARSER *P, unsigned Depth);

/* Collects the items of a container into a growable temporary vector, then into the arena. */
typedef struct IG_JSON_VEC
{
    IG_JSON_VALUE **Items;
    size_t Count;
    size_t Cap;
} IG_JSON_VEC;

static bool IgJsonVecPush(IG_JSON_PARSER *P, IG_JSON_VEC *Vec, IG_JSON_VALUE *V)
{
    if (Vec->Count == Vec->Cap)
    {
        size_t cap = Vec->Cap ? Vec->Cap * 2 : 8;
        IG_JSON_VALUE **n = realloc(Vec->Items, cap * sizeof(*n));
        if (n == NULL)
        {
            IgJsonFailAt(P, P->Pos, "out of memory");
            return false;
        }
        Vec->Items = n;
        Vec->Cap = cap;
    }
    Vec->Items[Vec->Count++] = V;
    return true;
}

static bool IgJsonVecFinish(IG_JSON_PARSER *P, IG_JSON_VEC *Vec, IG_JSON_VALUE *Container)
{
    if (Vec->Count)
    {
        IG_JSON_VALUE **items = IgJsonArenaAlloc(&P->Arena, Vec->Count * sizeof(*items));
        if (items == NULL)
        {
            IgJsonFailAt(P, P->Pos, "out of memory");
            return false;
        }
        memcpy(items, Vec->Items, Vec->Count * sizeof(*items));
        Container->Items = items;
        Container->Count = Vec->Count;
        for (size_t i = 0; i < Vec->Count; i++)
        {
            items[i]->Parent = Container;
            items[i]->Index = i;
        }
    }
    return true;
}

static IG_JSON_VALUE *IgJsonParseContainer(IG_JSON_PARSER *P, unsigned Depth, bool IsObject)
{
    IG_JSON_VALUE *v = IgJsonNewValue(P, IsObject ? IgJsonObject : IgJsonArray);
    IG_JSON_VEC vec = {0};
    char close = IsObject ? '}' : ']';

    if (v == NULL)
    {
        return NULL;
    }
    if (Depth >= IG_JSON_MAX_DEPTH)
    {
        IgJsonFailAt(P, P->Pos, "nesting deeper than %u levels", IG_JSON_MAX_DEPTH);
        return NULL;
    }
    size_t frame = P->FrameCount++;
    P->Frames[frame].IsObject = IsObject;
    P->Frames[frame].HasItem = false;
    P->Pos++;
    IgJsonSkipSpace(P);
    if (IgJsonPeek(P) == close)
    {
        P->Pos++;
        P->FrameCount--;
        return v;
    }
    while (!P->Failed)
    {
        const char *key = NULL;
        size_t keyLen = 0;
        IgJsonSkipSpace(P);
        if (P->Failed)
        {
            break;
        }
        if (IsObject)
        {
            if (IgJsonPeek(P) != '"')
            {
                IgJsonFailAt(P, P->Pos,
                             IgJsonPeek(P) == '}' ? "trailing comma before '}'"
                                                  : "expected a member name "
                                                    "(a string)");
                break;
            }
            key = IgJsonParseString(P, &keyLen);
            if (key == NULL)
            {
                break;
            }
            IgJsonSkipSpace(P);
            if (IgJsonPeek(P) != ':')
            {
                IgJsonFailAt(P, P->Pos, "expected ':' after member name \"%.40s\"", key);
                break;
            }
            P->Pos++;
            P->Frames[frame].Key = key;
            P->Frames[frame].HasItem = true;
            IgJsonSkipSpace(P);
        }
        else if (IgJsonPeek(P) == ']')
        {
            IgJsonFailAt(P, P->Pos, "trailing comma before ']'");
            break;
        }
        if (!IsObject)
        {
            P->Frames[frame].Index = vec.Count;
            P->Frames[frame].HasItem = true;
        }
        IG_JSON_VALUE *item = IgJsonParseValue(P, Depth + 1);
        if (item == NULL)
        {
            break;
        }
        item->Key = key;
        item->KeyLength = keyLen;
        if (!IgJsonVecPush(P, &vec, item))
        {
            break;
        }
        P->Frames[frame].HasItem = false;
        IgJsonSkipSpace(P);
        int c = IgJsonPeek(P);
        if (c == ',')
        {
            P->Pos++;
            continue;
        }
        if (c == close)
        {
            P->Pos++;
            break;
        }
        IgJsonFailAt(P, P->Pos, c < 0 ? "unexpected end of input, expected ',' or '%c'" : "expected ',' or '%c'",
                     close);
    }
    if (!P->Failed)
    {
        (void)IgJsonVecFinish(P, &vec, v);
        P->FrameCount--;
    }
    free(vec.Items);
    return P->Failed ? NULL : v;
}

static IG_JSON_VALUE *IgJsonParseValue(IG_JSON_PARSER *P, unsigned Depth)
{
    IG_JSON_VALUE *v = NULL;

    IgJsonSkipSpace(P);
    if (P->Failed)
    {
        return NULL;
    }
    int c = IgJsonPeek(P);
    switch (c)
    {
        case -1:
            IgJsonFailAt(P, P->Pos, "unexpected end of input, expected a value");
            return NULL;
        case '{':
        case '[':
            return IgJsonParseContainer(P, Depth, c == '{');
        case '"':
            v = IgJsonNewValue(P, IgJsonString);
            if (v)
            {
                v->Text = IgJsonParseString(P, &v->Length);
            }
            return (v && v->Text) ? v : NULL;
        case 't':
        case 'f':
        case 'n':
            v = IgJsonNewValue(P, c == 'n' ? IgJsonNull : IgJsonBool);
            if (v == NULL)
            {
                return NULL;
            }
            if (IgJsonLiteral(P, "true"))
            {
                v->Bool = true;
            }
            else if (!IgJsonLiteral(P, "false") && !IgJsonLiteral(P, "null"))
            {
                IgJsonFailAt(P, P->Pos, "invalid literal (expected true, false or null)");
                return NULL;
            }
            return v;
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
            {
                v = IgJsonNewValue(P, IgJsonNumber);
                if (v)
                {
                    IgJsonParseNumber(P, v);
                }
                return P->Failed ? NULL : v;
            }
            if (c == ',' || c == ']' || c == '}')
            {
                IgJsonFailAt(P, P->Pos, "expected a value before '%c'", c);
            }
            else if (c >= 0x20 && c < 0x7F)
            {
                IgJsonFailAt(P, P->Pos, "unexpected character '%c', expected a value (strings use double quotes)", c);
            }
            else
            {
                IgJsonFailAt(P, P->Pos, "unexpected byte 0x%02X, expected a value", c);
            }
            return NULL;
    }
}

INTSTATUS IgJsonParse(const char *Text, size_t Size, IG_JSON_DOC *Doc, IG_JSON_ERROR *Error)
{
    IG_JSON_PARSER p = {0};
    IG_JSON_VALUE *root = NULL;

    if (Doc == NULL || Error == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    memset(Doc, 0, sizeof(*Doc));
    memset(Error, 0, sizeof(*Error));
    if (Text == NULL && Size)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    p.Text = Text ? Text : "";
    p.Size = Size;
    p.Line = 1;
    p.Error = Error;
    if (Size > IG_JSON_MAX_TEXT)
    {
        IgJsonFailAt(&p, 0, "document larger than %u bytes", IG_JSON_MAX_TEXT);
        return INT_STATUS_INVALID_DATA_SIZE;
    }
    if (Size >= 3 && memcmp(Text, "\xEF\xBB\xBF", 3) == 0)
    {
        p.Pos = 3;
        p.LineStart = 3;
    }
    root = IgJsonParseValue(&p, 0);
    if (!p.Failed)
    {
        IgJsonSkipSpace(&p);
        if (!p.Failed && p.Pos < p.Size)
        {
            IgJsonFailAt(&p, p.Pos, "unexpected text after the JSON value");
        }
    }
    free(p.Scratch);
    if (p.Failed || root == NULL)
    {
        if (!p.Failed)
        {
            IgJsonFailAt(&p, p.Pos, "invalid JSON");
        }
        IgJsonArenaFree(p.Arena);
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    Doc->Root = root;
    Doc->Arena = p.Arena;
    return INT_STATUS_SUCCESS;
}

void IgJsonFree(IG_JSON_DOC *Doc)
{
    if (Doc == NULL)
    {
        return;
    }
    IgJsonArenaFree(Doc->Arena);
    Doc->Arena = NULL;
    Doc->Root = NULL;
}

const IG_JSON_VALUE *IgJsonGet(const IG_JSON_VALUE *Object, const char *Key)
{
    if (Object == NULL || Object->Type != IgJsonObject)
    {
        return NULL;
    }
    size_t n = strlen(Key);
    for (size_t i = Object->Count; i-- > 0;)
    {
        const IG_JSON_VALUE *m = Object->Items[i];
        if (m->KeyLength == n && memcmp(m->Key, Key, n) == 0)
        {
            return m;
        }
    }
    return NULL;
}

const IG_JSON_VALUE *IgJsonFindDuplicate(const IG_JSON_VALUE *Object)
{
    if (Object == NULL || Object->Type != IgJsonObject)
    {
        return NULL;
    }
    /* Objects in exception files have a handful of keys: the quadratic scan is cheap and bounded
     * by the member count (which the value cap bounds). Large objects are scanned up to 256 keys. */
    size_t limit = Object->Count < 256 ? Object->Count : 256;
    for (size_t i = 1; i < limit; i++)
    {
        for (size_t j = 0; j < i; j++)
        {
            const IG_JSON_VALUE *a = Object->Items[i];
            const IG_JSON_VALUE *b = Object->Items[j];
            if (a->KeyLength == b->KeyLength && memcmp(a->Key, b->Key, a->KeyLength) == 0)
            {
                return a;
            }
        }
    }
    return NULL;
}

static bool IgJsonIsIdentifier(const char *Key, size_t Length)
{
    if (Length == 0)
    {
        return false;
    }
    for (size_t i = 0; i < Length; i++)
    {
        char c = Key[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
        {
            return false;
        }
    }
    return true;
}

const char *IgJsonPath(const IG_JSON_VALUE *Value, char *Buffer, size_t Size)
{
    const IG_JSON_VALUE *chain[IG_JSON_MAX_DEPTH + 2];
    size_t depth = 0;
    size_t pos = 0;

    if (Buffer == NULL || Size == 0)
    {
        return Buffer;
    }
    for (const IG_JSON_VALUE *v = Value; v && v->Parent && depth < IG_JSON_MAX_DEPTH + 1; v = v->Parent)
    {
        chain[depth++] = v;
    }
#define IG_PATH_PUT(...)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (pos < Size)                                                                                                \
        {                                                                                                              \
            int n_ = snprintf(Buffer + pos, Size - pos, __VA_ARGS__);                                                  \
            pos = (n_ < 0) ? Size : (pos + (size_t)n_ >= Size ? Size : pos + (size_t)n_);                              \
        }                                                                                                              \
    } while (0)
    IG_PATH_PUT("$");
    while (depth > 0)
    {
        const IG_JSON_VALUE *v = chain[--depth];
        if (v->Parent->Type == IgJsonObject)
        {
            if (IgJsonIsIdentifier(v->Key, v->KeyLength))
            {
                IG_PATH_PUT(".%s", v->Key);
            }
            else
            {
                IG_PATH_PUT("[\"%.60s\"]", v->Key);
            }
        }
        else
        {
            IG_PATH_PUT("[%zu]", v->Index);
        }
    }
#undef IG_PATH_PUT
    Buffer[Size - 1] = 0;
    return Buffer;
}

const char *IgJsonTypeName(IG_JSON_TYPE Type)
{
    switch (Type)
    {
        case IgJsonNull:
            return "null";
        case IgJsonBool:
            return "boolean";
        case IgJsonNumber:
            return "number";
        case IgJsonString:
            return "string";
        case IgJsonArray:
            return "array";
        case IgJsonObject:
            return "object";
    }
    return "?";
}
