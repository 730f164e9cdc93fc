/*
 * How the compiler turns a name field into the 32-bit value it stores (spec §4.3, §4.4): a special
 * name's value, or hvmi's hash of the name, lower-cased, trimmed and widened as the field wants.
 */
#include <string.h>

#include "compile_int.h"

bool IgCcScratch(IG_CC *C, size_t Size)
{
    if (Size > C->Scratch.Cap)
    {
        C->Scratch.Size = 0;
        IgCbufReserve(&C->Scratch, Size);
        if (C->Scratch.Failed)
        {
            C->OutOfMemory = true;
            return false;
        }
    }
    return true;
}

/* hvmi's wide hash: the hash of the UTF-16LE encoding of a UTF-8 string (§4.2).  Out holds 2 * Length bytes. */
static uint32_t IgHashWideUtf8(const char *Text, size_t Length, uint8_t *Out)
{
    const uint8_t *s = (const uint8_t *)Text;
    size_t used = 0;
    size_t i = 0;

    while (i < Length)
    {
        uint32_t cp;

        i += IgUtf8Decode(s + i, Length - i, &cp);
        if (cp >= 0x10000)
        {
            uint32_t v = cp - 0x10000;
            uint16_t hi = (uint16_t)(0xD800 | (v >> 10));
            uint16_t lo = (uint16_t)(0xDC00 | (v & 0x3FF));

            Out[used++] = (uint8_t)hi;
            Out[used++] = (uint8_t)(hi >> 8);
            Out[used++] = (uint8_t)lo;
            Out[used++] = (uint8_t)(lo >> 8);
        }
        else
        {
            Out[used++] = (uint8_t)cp;
            Out[used++] = (uint8_t)(cp >> 8);
        }
    }
    return IntExcFileHash(Out, used);
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

static int IgHexDigit(char c)
{
    if (c >= '0' && c <= '9')
    {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f')
    {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F')
    {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * A user name starting with '*' may hold \xHH escapes (§4.3): they turn the name into bytes, so no
 * special-name lookup is made and the trim counts bytes.  S (Length bytes) is rewritten in place.
 */
static bool IgCcHashEscaped(IG_CC *C, const IG_JSON_VALUE *Node, char *S, size_t Length, const IG_NAME_RULE *Rule,
                            uint32_t *Out)
{
    size_t o = 0;
    size_t n;

    for (size_t i = 0; i < Length;)
    {
        if (S[i] == '\\' && i + 1 < Length && S[i + 1] == 'x')
        {
            unsigned v = 0;

            for (size_t k = 2; k < 4; k++)
            {
                int d = IgHexDigit((i + k < Length) ? S[i + k] : 0);

                if (d < 0)
                {
                    IG_ERR(C, Node, "bad \\x escape in name: two hex digits expected after \\x");
                    return false;
                }
                v = v * 16 + (unsigned)d;
            }
            S[o++] = (char)v;
            i += 4;
        }
        else
        {
            S[o++] = S[i++];
        }
    }
    if (Rule->Wide)
    {
        IG_ERR(C, Node, "\\x escapes are only allowed in names that are hashed narrow (process-type names)");
        return false;
    }
    n = (Rule->Trim && o > Rule->Trim) ? Rule->Trim : o;
    *Out = IntExcFileHash(S, n);
    return true;
}

bool IgCcHashName(IG_CC *C, const IG_JSON_VALUE *Node, const char *Text, size_t Length, const IG_NAME_RULE *Rule,
                  uint32_t *Out)
{
    bool nonAscii = false;
    uint32_t special;
    size_t n;
    char *s;

    if (Length == 0)
    {
        *Out = INTRO_EXCFILE_NO_NAME;
        return true;
    }
    /* The lowered name, then room for its UTF-16LE form (at most two bytes per UTF-8 byte). */
    if (Length > (SIZE_MAX - 1) / 3 || !IgCcScratch(C, 3 * Length + 1))
    {
        C->OutOfMemory = true;
        return false;
    }
    s = (char *)C->Scratch.Data;
    for (size_t i = 0; i < Length; i++)
    {
        char c = Text[i];

        nonAscii = nonAscii || (unsigned char)c >= 0x80;
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
        return IgCcHashEscaped(C, Node, s, Length, Rule, Out);
    }
    if (IntExcFileKeywordFind(IntExcFileSpecialNames(Rule->Table), s, Length, &special))
    {
        *Out = special;
        return true;
    }
    n = Rule->Trim ? IgUtf8Prefix(s, Length, Rule->Trim) : Length;
    *Out = Rule->Wide ? IgHashWideUtf8(s, n, (uint8_t *)s + Length + 1) : IntExcFileHash(s, n);
    return true;
}

bool IgCcStripPath(IG_CC *C, const IG_JSON_VALUE *Node, const char **Text, size_t *Length)
{
    const char *s = *Text;
    size_t n = *Length;
    const char *sep = NULL;
    bool isPath = n >= 3 && (s[0] == '\\' || s[0] == '/' ||
                             (((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') && s[1] == ':' && s[2] == '\\'));

    if (!isPath)
    {
        return true;
    }
    /* The last backslash, or failing that the last slash. */
    for (size_t i = n; i-- > 0 && !sep;)
    {
        sep = s[i] == '\\' ? s + i : NULL;
    }
    for (size_t i = n; i-- > 0 && !sep;)
    {
        sep = s[i] == '/' ? s + i : NULL;
    }
    if (sep == s + n - 1)
    {
        IG_ERR(C, Node, "originator path \"%.60s\" ends with a separator: name the driver file", s);
        return false;
    }
    *Length = (size_t)(s + n - (sep + 1));
    *Text = sep + 1;
    return true;
}
