/*
 * `introguard`: the command line.  One row per command; a new command adds its row here and its
 * entry points to commands.h.
 */
#include "commands.h"

static const IG_COMMAND gCommands[] = {
    {"dump", "print every record of an exceptions.bin, as text or JSON", IgCmdDump, IgCmdDumpHelp},
    {"compile", "compile exception and signature JSON into an exceptions.bin", IgCmdCompile, IgCmdCompileHelp},
    {"decompile", "turn an exceptions.bin back into compiler input JSON", IgCmdDecompile, IgCmdDecompileHelp},
    {"replay", "run the violations of a trace through the exceptions engine", IgCmdReplay, IgCmdReplayHelp},
    {"coverage", "which exceptions and signatures the traces exercise, and which never fire", IgCmdCoverage,
     IgCmdCoverageHelp},
    {"impact", "the events whose verdict changes from one rule set to another", IgCmdImpact, IgCmdImpactHelp},
    {"lint", "rules that can never match, hide another or repeat one, and unused signatures", IgCmdLint, IgCmdLintHelp},
    {"alert", "read an alert; write the exception its blob stands for as compiler JSON", IgCmdAlert, IgCmdAlertHelp},
};

int main(int argc, char **argv)
{
    return IgCliMain(gCommands, sizeof(gCommands) / sizeof(gCommands[0]), argc, argv, stdout, stderr);
}
