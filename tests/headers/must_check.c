/*
 * A teardown path that ignores statuses on purpose.  Compiled by tests/headers.cmake: with the
 * default INTROGUARD_MUST_CHECK it must be refused under -Werror (warn_unused_result, which a cast to
 * void does not silence in gcc); with -DINTROGUARD_MUST_CHECK= it must compile cleanly.
 */
#include <introguard/introguard.h>

void Teardown(void *Guest);

void Teardown(void *Guest)
{
    (void)IntFlushAlertExceptions(Guest);
    IntExceptRuleSetFree(NULL);
    (void)IntUninit();
}
