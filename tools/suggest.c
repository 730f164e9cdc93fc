/*
 * Suggestions for misspelt keywords (see suggest.h).
 */
#include "suggest.h"

#include <string.h>

static char IgFold(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static unsigned IgMin3(unsigned a, unsigned b, unsigned c)
{
    unsigned m = a < b ? a : b;
    return m < c ? m : c;
}

unsigned IgSuggestDistance(const char *A, size_t LengthA, const char *B, size_t LengthB)
{
    /* Optimal-string-alignment distance with three rolling rows (the swap needs two back). */
    unsigned rows[3][IG_SUGGEST_MAX_COMPARE + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (LengthA > IG_SUGGEST_MAX_COMPARE || LengthB > IG_SUGGEST_MAX_COMPARE)
    {
        return IG_SUGGEST_FAR;
    }
    for (size_t j = 0; j <= LengthB; j++)
    {
        prev[j] = (unsigned)j;
        prev2[j] = 0;
    }
    for (size_t i = 1; i <= LengthA; i++)
    {
        unsigned *spare;

        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= LengthB; j++)
        {
            unsigned cost = IgFold(A[i - 1]) == IgFold(B[j - 1]) ? 0 : 1;
            cur[j] = IgMin3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && IgFold(A[i - 1]) == IgFold(B[j - 2]) && IgFold(A[i - 2]) == IgFold(B[j - 1]) &&
                prev2[j - 2] + 1 < cur[j])
            {
                cur[j] = prev2[j - 2] + 1;
            }
        }
        spare = prev2;
        prev2 = prev;
        prev = cur;
        cur = spare;
    }
    return prev[LengthB];
}

unsigned IgSuggestLimit(size_t Length)
{
    return Length <= 3 ? 1 : Length <= 6 ? 2 : 3;
}

typedef struct IG_BEST
{
    unsigned Distance;
    const char *Name;
    bool Exact;
} IG_BEST;

/* Keeps the candidate if it is strictly closer than the best so far (so ties keep the first). */
static void IgConsider(IG_BEST *Best, const char *Candidate, const char *Name, size_t Length)
{
    size_t n = strlen(Candidate);
    unsigned d;

    if (n == Length && memcmp(Candidate, Name, Length) == 0)
    {
        Best->Exact = true;
        return;
    }
    d = IgSuggestDistance(Candidate, n, Name, Length);
    if (d < Best->Distance)
    {
        Best->Distance = d;
        Best->Name = Candidate;
    }
}

static const char *IgPick(const IG_BEST *Best, size_t Length, unsigned MaxDistance)
{
    unsigned limit = MaxDistance ? MaxDistance : IgSuggestLimit(Length);
    return (!Best->Exact && Best->Name && Best->Distance <= limit) ? Best->Name : NULL;
}

const char *IgSuggestKeyword(const INTRO_EXCFILE_KEYWORD_TABLE *Table, const char *Name, size_t Length,
                             unsigned MaxDistance)
{
    IG_BEST best = {IG_SUGGEST_FAR, NULL, false};

    for (size_t i = 0; Table && Name && i < Table->Count; i++)
    {
        IgConsider(&best, Table->Entries[i].Name, Name, Length);
    }
    return Name ? IgPick(&best, Length, MaxDistance) : NULL;
}

const char *IgSuggestFlag(unsigned Namespaces, const char *Name, size_t Length, unsigned MaxDistance)
{
    IG_BEST best = {IG_SUGGEST_FAR, NULL, false};

    for (unsigned ns = 1; Name && ns <= INTRO_EXCFILE_FLAGS_SIGNATURE; ns <<= 1)
    {
        const INTRO_EXCFILE_KEYWORD_TABLE *table = (Namespaces & ns) ? IntExcFileFlagTable(ns) : NULL;

        for (size_t i = 0; table && i < table->Count; i++)
        {
            IgConsider(&best, table->Entries[i].Name, Name, Length);
        }
    }
    return Name ? IgPick(&best, Length, MaxDistance) : NULL;
}

const char *IgSuggestOf(const char *const *Candidates, size_t Count, const char *Name, size_t Length,
                        unsigned MaxDistance)
{
    IG_BEST best = {IG_SUGGEST_FAR, NULL, false};

    for (size_t i = 0; Candidates && Name && i < Count; i++)
    {
        if (Candidates[i])
        {
            IgConsider(&best, Candidates[i], Name, Length);
        }
    }
    return Name ? IgPick(&best, Length, MaxDistance) : NULL;
}
