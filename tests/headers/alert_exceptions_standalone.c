/*
 * intro_alert_exceptions.h on its own (tests/alert.cmake): it includes what it needs and compiles as
 * strict C11 and as C++17.
 */
#include "introguard/intro_alert_exceptions.h"

#include <string.h>

int main(void)
{
    INTRO_ALERT_EXCEPTION exception;
    INTRO_ALERT_EXC_ERROR error;

    memset(&exception, 0, sizeof(exception));
    memset(&error, 0, sizeof(error));
    return (int)(exception.Shape + (uint32_t)error.Offset + (sizeof(exception.CodeBlocks.Hashes) != 24));
}
