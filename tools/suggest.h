/*
 * "Did you mean ...?" for the tools: the keyword closest to a misspelt one.
 *
 * The keyword tables themselves are the library's (intro_excfile.h); this only measures how far a
 * word is from them.  Nothing here keeps state.
 */
#ifndef INTROGUARD_TOOLS_SUGGEST_H
#define INTROGUARD_TOOLS_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "introguard/intro_excfile.h"

/* Longest text the edit distance looks at; longer inputs are "far" from everything. */
#define IG_SUGGEST_MAX_COMPARE 64u
#define IG_SUGGEST_FAR 0xFFFFu

/*
 * Edit distance between A and B: insertions, deletions, substitutions and swaps of two adjacent
 * characters each cost 1; letters compare case-insensitively (ASCII), so a miscapitalised keyword
 * is at distance 0 from the real one.  Returns IG_SUGGEST_FAR if either is longer than
 * IG_SUGGEST_MAX_COMPARE.
 */
unsigned IgSuggestDistance(const char *A, size_t LengthA, const char *B, size_t LengthB);

/* The distance a suggestion may be from Name by default: 1 up to 3 characters, 2 up to 6, else 3. */
unsigned IgSuggestLimit(size_t Length);

/*
 * The keyword of Table closest to Name, if it is within MaxDistance edits (0: IgSuggestLimit).
 * Ties go to the earlier entry.  NULL when nothing is close enough or Name is an exact keyword.
 */
const char *IgSuggestKeyword(const INTRO_EXCFILE_KEYWORD_TABLE *Table, const char *Name, size_t Length,
                             unsigned MaxDistance);

/* The nearest flag name in the union of Namespaces (searched in IntExcFileFlagFind's order). */
const char *IgSuggestFlag(unsigned Namespaces, const char *Name, size_t Length, unsigned MaxDistance);

/* The same over a plain array of candidate strings (e.g. the signature names of a compile run). */
const char *IgSuggestOf(const char *const *Candidates, size_t Count, const char *Name, size_t Length,
                        unsigned MaxDistance);

#endif /* INTROGUARD_TOOLS_SUGGEST_H */
