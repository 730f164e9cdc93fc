/*
 * hvmi's glob (spec/matching.md §3.3): ASCII case folded, `*`, `?`, `[...]` classes with ranges and
 * `!`, `\\` escapes, a bounded number of steps, and the truncated mode in which a pattern that ends
 * first still matches (the pattern is a prefix of the text).
 */
#include "exceptions_int.h"

#define IG_GLOB_MAX_STEPS 1023u

static unsigned char IgLower(unsigned char C)
{
    return (C >= 'A' && C <= 'Z') ? (unsigned char)(C + ('a' - 'A')) : C;
}

/*
 * Tries the class starting after '[' at Pattern[*Pos] against C.  Returns 1 match, 0 no match,
 * -1 malformed (runs into the end of the pattern); on 0/1 *Pos is moved past the ']'.
 */
static int IgGlobClass(const char *Pattern, size_t *Pos, unsigned char C)
{
    size_t q = *Pos;
    bool invert = false;
    bool matched = false;
    bool first = true;

    if (Pattern[q] == '!')
    {
        invert = true;
        q++;
    }
    for (;;)
    {
        unsigned char lo, hi;

        if (Pattern[q] == '\0')
        {
            return -1;
        }
        if (Pattern[q] == ']' && !first)
        {
            q++;
            break;
        }
        first = false;
        lo = hi = IgLower((unsigned char)Pattern[q]);
        q++;
        if (Pattern[q] == '-' && Pattern[q + 1] != ']' && Pattern[q + 1] != '\0')
        {
            hi = IgLower((unsigned char)Pattern[q + 1]);
            q += 2;
        }
        if (C >= lo && C <= hi)
        {
            matched = true;
        }
    }
    *Pos = q;
    return (C != '\0' && matched != invert) ? 1 : 0;
}

bool IgGlobMatch(const char *Pattern, const char *Text, size_t TextLength)
{
    size_t p = 0;
    size_t s = 0;
    size_t starP = 0;
    size_t starS = 0;
    bool star = false;

    for (uint32_t steps = 0; steps < IG_GLOB_MAX_STEPS; steps++)
    {
        unsigned char pc = (unsigned char)Pattern[p];
        unsigned char sc = s < TextLength ? IgLower((unsigned char)Text[s]) : '\0';

        if (pc == '*')
        {
            p++;
            if (Pattern[p] == '\0')
            {
                return true;
            }
            star = true;
            starP = p;
            starS = s;
            continue;
        }
        if (pc == '?')
        {
            if (sc == '\0')
            {
                return false;
            }
            p++;
            s++;
            continue;
        }
        if (pc == '[')
        {
            size_t q = p + 1;
            int r = IgGlobClass(Pattern, &q, sc);

            if (r == 1)
            {
                p = q;
                s++;
                continue;
            }
            if (r == 0)
            {
                goto backtrack;
            }
            /* Malformed class: '[' is a literal character. */
        }
        else if (pc == '\\')
        {
            p++;
            pc = (unsigned char)Pattern[p];
        }
        if (IgLower(pc) == sc)
        {
            if (pc == '\0')
            {
                return true;
            }
            p++;
            s++;
            continue;
        }

    backtrack:
        if (Pattern[p] == '\0' && !star)
        {
            return true; /* truncated mode: the pattern is a prefix of the text */
        }
        if (sc == '\0' || !star)
        {
            return false;
        }
        p = starP;
        s = ++starS;
    }
    return false;
}
