/*
 * Python's str.lower() over UTF-8 (tools/unicode_lower.h), from the generated tables of
 * tools/unicode_lower_table.h.  The steps are CPython's: a capital sigma takes its final form when
 * the code points before it, case-ignorable ones skipped, end in a cased one and those after it,
 * case-ignorable ones skipped, do not start with one; every other code point takes its full
 * lower-case mapping.  Only what comes before is needed as state, so the text is read once, with
 * a look-ahead at each sigma.
 */
#include "unicode_lower.h"

#include "unicode_lower_table.h"

#define IG_CAPITAL_SIGMA 0x3A3u
#define IG_SMALL_SIGMA 0x3C3u
#define IG_FINAL_SIGMA 0x3C2u

const char *IgUnicodeVersion(void)
{
    return IG_UNICODE_VERSION;
}

/* Whether CodePoint lies in a set given as sorted boundaries (first, last + 1, ...). */
static bool IgInSet(const uint32_t *Bounds, size_t Count, uint32_t CodePoint)
{
    size_t lo = 0, hi = Count;

    /* lo becomes the number of boundaries <= CodePoint. */
    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (Bounds[mid] <= CodePoint)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return (lo & 1) != 0;
}

#define IG_IN_SET(Table, CodePoint) IgInSet((Table), sizeof(Table) / sizeof((Table)[0]), (CodePoint))

bool IgUnicodeIsAlpha(uint32_t CodePoint)
{
    return IG_IN_SET(gIgAlpha, CodePoint);
}

/* The simple lower case of a code point (itself when it has none). */
static uint32_t IgSimpleLower(uint32_t CodePoint)
{
    size_t lo = 0, hi = sizeof(gIgLowerRuns) / sizeof(gIgLowerRuns[0]);
    const IG_LOWER_RUN *run;
    uint32_t offset;

    while (lo < hi) /* the first run that starts after CodePoint */
    {
        size_t mid = lo + (hi - lo) / 2;

        if (gIgLowerRuns[mid].First <= CodePoint)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    if (lo == 0)
    {
        return CodePoint;
    }
    run = &gIgLowerRuns[lo - 1];
    offset = CodePoint - run->First;
    if (offset % run->Stride != 0 || offset / run->Stride >= run->Count)
    {
        return CodePoint;
    }
    return (uint32_t)((int32_t)CodePoint + run->Delta);
}

/* The full lower case of a code point other than the capital sigma: up to three code points. */
static size_t IgFullLower(uint32_t CodePoint, uint32_t Out[3])
{
    for (size_t i = 0; i < sizeof(gIgLowerSpecial) / sizeof(gIgLowerSpecial[0]); i++)
    {
        if (gIgLowerSpecial[i].CodePoint == CodePoint)
        {
            size_t n = 0;

            while (n < 3 && gIgLowerSpecial[i].Lower[n] != 0)
            {
                Out[n] = gIgLowerSpecial[i].Lower[n];
                n++;
            }
            return n;
        }
    }
    Out[0] = IgSimpleLower(CodePoint);
    return 1;
}

/* The next code point at *At; *Valid is false for a byte that starts no well-formed sequence. */
static uint32_t IgDecode(const uint8_t *Text, size_t Length, size_t *At, bool *Valid)
{
    const uint8_t *p = Text + *At;
    size_t left = Length - *At;
    uint32_t lead = p[0];
    uint32_t count = lead >= 0xF0 && lead <= 0xF4   ? 3
                     : lead >= 0xE0 && lead <= 0xEF ? 2
                     : lead >= 0xC2 && lead <= 0xDF ? 1
                                                    : 0;
    uint32_t cp = count == 3 ? lead & 0x07 : count == 2 ? lead & 0x0F : lead & 0x1F;

    *Valid = false;
    if (lead < 0x80 || count == 0 || count >= left)
    {
        *Valid = lead < 0x80;
        (*At)++;
        return lead;
    }
    for (uint32_t i = 1; i <= count; i++)
    {
        if ((p[i] & 0xC0) != 0x80)
        {
            (*At)++;
            return lead;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((count == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (count == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
    {
        (*At)++;
        return lead;
    }
    *At += count + 1;
    *Valid = true;
    return cp;
}

uint32_t IgUnicodeNext(const char *Text, size_t Length, size_t *At)
{
    bool valid;

    return IgDecode((const uint8_t *)Text, Length, At, &valid);
}

static size_t IgEncode(uint32_t CodePoint, char *Out)
{
    uint8_t *o = (uint8_t *)Out;

    if (CodePoint < 0x80)
    {
        o[0] = (uint8_t)CodePoint;
        return 1;
    }
    if (CodePoint < 0x800)
    {
        o[0] = (uint8_t)(0xC0 | (CodePoint >> 6));
        o[1] = (uint8_t)(0x80 | (CodePoint & 0x3F));
        return 2;
    }
    if (CodePoint < 0x10000)
    {
        o[0] = (uint8_t)(0xE0 | (CodePoint >> 12));
        o[1] = (uint8_t)(0x80 | ((CodePoint >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (CodePoint & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (CodePoint >> 18));
    o[1] = (uint8_t)(0x80 | ((CodePoint >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((CodePoint >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (CodePoint & 0x3F));
    return 4;
}

/* Final_Sigma's look-ahead: whether, after At, case-ignorable code points skipped, a cased one follows. */
static bool IgCasedFollows(const uint8_t *Text, size_t Length, size_t At)
{
    while (At < Length)
    {
        bool valid;
        uint32_t cp = IgDecode(Text, Length, &At, &valid);

        if (!valid || !IG_IN_SET(gIgCaseIgnorable, cp))
        {
            return valid && IG_IN_SET(gIgCased, cp);
        }
    }
    return false;
}

/* ASCII text (almost every name): A-Z, nothing else changes and no sigma can occur. */
static bool IgLowerAscii(const uint8_t *Text, size_t Length, char *Out)
{
    for (size_t i = 0; i < Length; i++)
    {
        if (Text[i] >= 0x80)
        {
            return false;
        }
        Out[i] = (char)(Text[i] >= 'A' && Text[i] <= 'Z' ? Text[i] + ('a' - 'A') : Text[i]);
    }
    return true;
}

size_t IgUnicodeLower(const char *Text, size_t Length, char *Out, IG_LOWER_INFO *Info)
{
    const uint8_t *text = (const uint8_t *)Text;
    bool casedBefore = false; /* the last code point that is not case-ignorable is cased */
    IG_LOWER_INFO info = {0, false};
    size_t used = 0;
    size_t at = 0;

    if (IgLowerAscii(text, Length, Out))
    {
        if (Info)
        {
            *Info = (IG_LOWER_INFO){Length, false};
        }
        return Length;
    }
    while (at < Length)
    {
        size_t start = at;
        bool valid;
        uint32_t cp = IgDecode(text, Length, &at, &valid);
        uint32_t lower[3] = {cp, 0, 0};
        size_t n = 1;

        if (valid && cp == IG_CAPITAL_SIGMA)
        {
            lower[0] = casedBefore && !IgCasedFollows(text, Length, at) ? IG_FINAL_SIGMA : IG_SMALL_SIGMA;
        }
        else if (valid)
        {
            n = IgFullLower(cp, lower);
        }
        if (!valid)
        {
            Out[used++] = (char)text[start]; /* not a character: kept as it is */
            casedBefore = false;
        }
        else
        {
            for (size_t k = 0; k < n; k++)
            {
                used += IgEncode(lower[k], Out + used);
            }
            if (!IG_IN_SET(gIgCaseIgnorable, cp))
            {
                casedBefore = IG_IN_SET(gIgCased, cp);
            }
        }
        info.NonAsciiChanged = info.NonAsciiChanged || (cp >= 0x80 && (n != 1 || lower[0] != cp));
        info.CodePoints += valid ? n : 1;
    }
    if (Info)
    {
        *Info = info;
    }
    return used;
}
