/*
 * How the compiler turns a name field into the 32-bit value it stores (spec §4.3, §4.4): a special
 * name's value, or hvmi's hash of the name, lower-cased, trimmed and widened as the field wants.
 */
#include <string.h>

#include "compile_int.h"
#include "unicode_lower.h"

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

/* hvmi's wide hash: the hash of the UTF-16LE encoding of a UTF-8 string (§4.2), with surrogate pairs
 * beyond U+FFFF.  Out holds 2 * Length bytes. */
static uint32_t IgHashWideUtf8(const char *Text, size_t Length, uint8_t *Out)
{
    size_t used = 0;
    size_t i = 0;

    while (i < Length)
    {
        uint32_t cp = IgUnicodeNext(Text, Length, &i);

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

/* Bytes of the first Count code points of a UTF-8 string (Python's name[:Count]). */
static size_t IgUtf8Prefix(const char *Text, size_t Length, size_t Count)
{
    size_t i = 0;

    while (i < Length && Count > 0)
    {
        (void)IgUnicodeNext(Text, Length, &i);
        Count--;
    }
    return i;
}

static bool IgHasNonAscii(const char *Text, size_t Length)
{
    for (size_t i = 0; i < Length; i++)
    {
        if ((unsigned char)Text[i] >= 0x80)
        {
            return true;
        }
    }
    return false;
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

/* Linux keeps the first 15 bytes of a task's name (task_struct.comm). */
#define IG_LINUX_COMM_BYTES 15u

/*
 * Warns about a name that compiles exactly as hvmi compiles it but that hvmi's run time can never
 * give (docs/compat.md, "Non-ASCII names"): the compiler folds Unicode and counts characters, the
 * run time lower-cases only A-Z and sees the bytes the guest keeps.  Lowered is the name after
 * lower-casing (Length bytes), before any \xHH escape is resolved.
 */
static void IgCcWarnRuntime(IG_CC *C, const IG_JSON_VALUE *Node, const char *Lowered, size_t Length,
                            const IG_NAME_RULE *Rule, const IG_LOWER_INFO *Info)
{
    if (!IgHasNonAscii(Lowered, Length))
    {
        return;
    }
    if (Rule->Lower && !Rule->Wide)
    {
        IG_WARN(C, Node,
                "non-ASCII process name: hvmi hashes a Windows process name as the guest kernel keeps it, one byte "
                "per UTF-16 character, never as UTF-8, so this exception cannot match a process of that name");
    }
    else if (Rule->Lower && Info->NonAsciiChanged)
    {
        size_t shown = IgUtf8Prefix(Lowered, Length, 40);

        IG_WARN(C, Node,
                "non-ASCII capitals: the name is compiled lower-cased as \"%.*s%s\" (as hvmi's compiler does), but "
                "hvmi's run time lower-cases only A-Z of a guest's name, so only a guest name spelt that way matches",
                (int)shown, Lowered, shown < Length ? "..." : "");
    }
    else if (Rule->Linux && !Rule->Wide && Rule->Trim)
    {
        size_t kept = IgUtf8Prefix(Lowered, Length, Rule->Trim);
        size_t guest = Length < IG_LINUX_COMM_BYTES ? Length : IG_LINUX_COMM_BYTES;

        if (kept != guest)
        {
            IG_WARN(C, Node,
                    "non-ASCII task name: the compiler hashes %zu bytes of it (up to %u characters), a Linux guest "
                    "keeps only the first %u bytes of a task's name, so this exception cannot match a task of that "
                    "name",
                    kept, Rule->Trim, IG_LINUX_COMM_BYTES);
        }
    }
}

bool IgCcHashName(IG_CC *C, const IG_JSON_VALUE *Node, const char *Text, size_t Length, const IG_NAME_RULE *Rule,
                  uint32_t *Out)
{
    IG_LOWER_INFO info = {0, false};
    uint32_t special;
    size_t cap;
    size_t n;
    char *s;

    if (Length == 0)
    {
        *Out = INTRO_EXCFILE_NO_NAME;
        return true;
    }
    /* The lowered name and its NUL, then room for its UTF-16LE form (two bytes per UTF-8 byte at most). */
    if (Length > SIZE_MAX / 8)
    {
        C->OutOfMemory = true;
        return false;
    }
    cap = IG_UNICODE_LOWER_MAX_BYTES(Length);
    if (!IgCcScratch(C, 3 * cap + 1))
    {
        return false;
    }
    s = (char *)C->Scratch.Data;
    if (Rule->Lower)
    {
        n = IgUnicodeLower(Text, Length, s, &info); /* Python's str.lower(), as hvmi's compiler (§4.3) */
    }
    else
    {
        memcpy(s, Text, Length);
        n = Length;
    }
    s[n] = 0;
    if (Node)
    {
        IgCcWarnRuntime(C, Node, s, n, Rule, &info);
    }
    /* §4.3's order: lower-case, then \xHH escapes, the special-name lookup, the trim, the hash. */
    if (Rule->Escapes && s[0] == '*' && strstr(s, "\\x"))
    {
        return IgCcHashEscaped(C, Node, s, n, Rule, Out);
    }
    if (IntExcFileKeywordFind(IntExcFileSpecialNames(Rule->Table), s, n, &special))
    {
        *Out = special;
        return true;
    }
    if (Rule->Trim)
    {
        n = IgUtf8Prefix(s, n, Rule->Trim);
    }
    *Out = Rule->Wide ? IgHashWideUtf8(s, n, (uint8_t *)s + cap + 1) : IntExcFileHash(s, n);
    return true;
}

/*
 * hvmi's test for a path (§4.3): at least three characters, and a leading '\' or '/', or a letter
 * (any Unicode letter: Python's str.isalpha()), ':' and '\'.
 */
static bool IgCcIsPath(const char *Text, size_t Length)
{
    size_t afterFirst = 0;
    uint32_t first;

    if (IgUtf8Prefix(Text, Length, 2) == Length) /* two characters or fewer */
    {
        return false;
    }
    first = IgUnicodeNext(Text, Length, &afterFirst);
    if (first == '\\' || first == '/')
    {
        return true;
    }
    return IgUnicodeIsAlpha(first) && Length - afterFirst >= 2 && Text[afterFirst] == ':' &&
           Text[afterFirst + 1] == '\\';
}

bool IgCcStripPath(IG_CC *C, const IG_JSON_VALUE *Node, const char **Text, size_t *Length)
{
    const char *s = *Text;
    size_t n = *Length;
    const char *sep = NULL;

    if (!IgCcIsPath(s, n))
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
