/*
 * A teardown path that ignores statuses on purpose.  Compiled by tests/headers.cmake: with the
 * default INTROGUARD_MUST_CHECK it must be refused under -Werror (warn_unused_result; gcc warns even
 * through a cast to void, so a cast is no way out there); with -DINTROGUARD_MUST_CHECK= it must
 * compile cleanly.
 */
#include <introguard/introguard.h>

void Teardown(void *Guest);

void Teardown(void *Guest)
{
    IntFlushAlertExceptions(Guest);
    IntExceptRuleSetFree(NULL);
    IntUninit();
}
