#include "commands.h"
void IgCmdDecompileHelp(FILE *Out)
{
    fputs("usage: introguard decompile FILE -o DIR [--force]\n", Out);
}
int IgCmdDecompile(int Argc, char **Argv)
{
    (void)Argc;
    (void)Argv;
    return IG_EXIT_FAILURE;
}
