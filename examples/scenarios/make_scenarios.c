/*
 * make_scenarios DIRECTORY: writes the replay traces of the example scenarios into DIRECTORY
 * (windows10-x64.jsonl, linux-5.10.jsonl).  The build runs it; examples/README.md describes the
 * scenarios and docs/trace-format.md the format.
 */
#include <stdio.h>

#include "scenario.h"

int main(int argc, char **argv)
{
    if (argc != 2)
    {
        fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    if (!ScWriteWindows10(argv[1]) || !ScWriteLinux(argv[1]))
    {
        return 1;
    }
    return 0;
}
