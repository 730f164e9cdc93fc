#include "invariant.h"

#ifdef INTROGUARD_ASSERTIONS
#include <stdio.h>
#include <stdlib.h>

void IgAssertFailed(const char *Condition, const char *File, int Line)
{
    fprintf(stderr, "%s:%d: introguard invariant violated: %s\n", File, Line, Condition);
    abort();
}
#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int IG_ASSERTIONS_OFF;
#endif
