/*
 * The `introguard` commands.  Each lives in tools/cmd_<name>.c and is listed once in the dispatch
 * table of tools/main.c.
 *
 * Entry points take the command's own argument vector (argv[0] is the command name, e.g. "dump")
 * and return IG_EXIT_OK (0), IG_EXIT_FAILURE (1) or IG_EXIT_USAGE (2).  They print results to
 * stdout and messages to stderr; each also answers --help (exit 0) with the text its Help
 * function prints.
 */
#ifndef INTROGUARD_TOOLS_COMMANDS_H
#define INTROGUARD_TOOLS_COMMANDS_H

#include <stdio.h>

#include "tool_common.h"

typedef struct IG_COMMAND
{
    const char *Name;    /* as typed: "dump" */
    const char *Summary; /* one line for `introguard --help` */
    int (*Run)(int Argc, char **Argv);
    void (*Help)(FILE *Out); /* the full per-command help */
} IG_COMMAND;

int IgCmdDump(int Argc, char **Argv);
void IgCmdDumpHelp(FILE *Out);

int IgCmdDecompile(int Argc, char **Argv);
void IgCmdDecompileHelp(FILE *Out);

int IgCmdCompile(int Argc, char **Argv); /* tools/compile_cmd.c */
void IgCmdCompileHelp(FILE *Out);

int IgCmdReplay(int Argc, char **Argv);
void IgCmdReplayHelp(FILE *Out);

/* The analyst's workbench (docs/workbench.md); impact and lint exit IG_EXIT_FOUND for what they gate on. */
int IgCmdCoverage(int Argc, char **Argv);
void IgCmdCoverageHelp(FILE *Out);

int IgCmdImpact(int Argc, char **Argv);
void IgCmdImpactHelp(FILE *Out);

int IgCmdLint(int Argc, char **Argv); /* tools/cmd_lint.c */
void IgCmdLintHelp(FILE *Out);
int IgCmdAlert(int Argc, char **Argv);
void IgCmdAlertHelp(FILE *Out);

/*
 * The command-line frame: global --help/--version, `help COMMAND`, dispatch on Argv[1] through
 * Commands (the table in tools/main.c), exit 2 for an unknown command.  Lives in cli.c so tests
 * can drive it with their own table and streams.
 */
int IgCliMain(const IG_COMMAND *Commands, size_t Count, int Argc, char **Argv, FILE *Out, FILE *Err);

#endif /* INTROGUARD_TOOLS_COMMANDS_H */
