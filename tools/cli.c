/*
 * The frame of the `introguard` command line (see commands.h).
 */
#include "commands.h"

#include <string.h>

#ifndef INTROGUARD_VERSION
#define INTROGUARD_VERSION "0.0.0"
#endif

static void IgCliUsage(const IG_COMMAND *Commands, size_t Count, FILE *Out)
{
    size_t width = 0;

    fputs("usage: introguard COMMAND [OPTIONS] [ARGS]\n"
          "       introguard help COMMAND | COMMAND --help\n"
          "       introguard --help | --version\n"
          "\n"
          "Tools for hvmi-compatible exception files (exceptions.bin, format 2.2).\n"
          "\n"
          "commands:\n",
          Out);
    for (size_t i = 0; i < Count; i++)
    {
        size_t len = strlen(Commands[i].Name);
        width = len > width ? len : width;
    }
    for (size_t i = 0; i < Count; i++)
    {
        fprintf(Out, "  %-*s  %s\n", (int)width, Commands[i].Name, Commands[i].Summary);
    }
    fputs("\nexit status: 0 success, 1 the work failed (bad input, write error), 2 usage error\n", Out);
}

static const IG_COMMAND *IgCliFind(const IG_COMMAND *Commands, size_t Count, const char *Name)
{
    for (size_t i = 0; i < Count; i++)
    {
        if (strcmp(Commands[i].Name, Name) == 0)
        {
            return &Commands[i];
        }
    }
    return NULL;
}

int IgCliMain(const IG_COMMAND *Commands, size_t Count, int Argc, char **Argv, FILE *Out, FILE *Err)
{
    const IG_COMMAND *cmd;
    const char *name;

    if (Argc < 2)
    {
        IgCliUsage(Commands, Count, Err);
        return IG_EXIT_USAGE;
    }
    name = Argv[1];
    if ((strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "--version") == 0 ||
         strcmp(name, "-V") == 0) &&
        Argc > 2)
    {
        IgToolError(Err, NULL, "%s takes no arguments (got '%s')", name, Argv[2]);
        return IG_EXIT_USAGE;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
    {
        IgCliUsage(Commands, Count, Out);
        return IG_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
    {
        fprintf(Out, "introguard %s (exceptions file format 2.2)\n", INTROGUARD_VERSION);
        return IG_EXIT_OK;
    }
    if (strcmp(name, "help") == 0)
    {
        if (Argc == 2)
        {
            IgCliUsage(Commands, Count, Out);
            return IG_EXIT_OK;
        }
        cmd = IgCliFind(Commands, Count, Argv[2]);
        if (!cmd || Argc > 3)
        {
            IgToolError(Err, NULL, cmd ? "help takes one command name" : "unknown command '%s' (see introguard --help)",
                        Argv[2]);
            return IG_EXIT_USAGE;
        }
        cmd->Help(Out);
        return IG_EXIT_OK;
    }
    if (name[0] == '-')
    {
        IgToolError(Err, NULL, "unknown option %s (see introguard --help)", name);
        return IG_EXIT_USAGE;
    }
    cmd = IgCliFind(Commands, Count, name);
    if (!cmd)
    {
        IgToolError(Err, NULL, "unknown command '%s' (see introguard --help)", name);
        return IG_EXIT_USAGE;
    }
    fflush(Out);
    return cmd->Run(Argc - 1, Argv + 1);
}
