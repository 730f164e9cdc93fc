/*
 * `introguard dump [--json] FILE`: the header and every record of an exceptions file, decoded.
 *
 * The file is decoded whole first, so a corrupt file prints an error and nothing else; then one walk
 * of the records (dump_walk.c) feeds the text or the JSON sink.  Everything printed comes from the
 * bytes alone (no paths, times or pointers), so the same file always dumps to the same text.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dump_int.h"

/* Moves what the text holds to the stream and empties it (keeping its buffer). */
typedef struct IG_DUMP_FLUSH
{
    IG_TEXT *Text;
    FILE *Out;
} IG_DUMP_FLUSH;

static void IgFlush(void *Context)
{
    IG_DUMP_FLUSH *f = Context;

    if (f->Text->Length && !f->Text->Failed && fwrite(f->Text->Data, 1, f->Text->Length, f->Out) != f->Text->Length)
    {
        f->Text->Failed = true;
    }
    f->Text->Length = 0;
}

INTSTATUS IgDumpBuffer(const uint8_t *Data, size_t Size, IG_DUMP_FORMAT Format, FILE *Out,
                       INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    IG_RECORD_LIST list;
    IG_TEXT text = {0};
    IG_DUMP_FLUSH flush = {&text, Out};
    IG_DUMP_TEXT_SINK textSink;
    IG_DUMP_JSON_SINK jsonSink;
    IG_DUMP_SINK sink;
    char sha256[2 * INTRO_EXC_SHA256_SIZE + 1];
    INTSTATUS status;

    /* Decode everything first: a corrupt file must not print a partial dump.  After that nothing can
     * fail but memory or the output, so the records are printed one at a time. */
    status = IgRecordListLoad(Data, Size, &list, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (Format == IgDumpJson)
    {
        IgDumpJsonSink(&jsonSink, &text, &sink);
    }
    else
    {
        IgDumpTextSink(&textSink, &text, &sink);
    }
    IgSha256Hex(Data, Size, sha256);
    IgDumpWalk(&list, Size, sha256, &sink, IgFlush, &flush);
    IgFlush(&flush);
    if (Format == IgDumpJson)
    {
        IgDumpJsonSinkFree(&jsonSink);
    }
    IgRecordListFree(&list);

    if (text.Failed || fflush(Out) != 0 || ferror(Out))
    {
        IgTextFree(&text);
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->Status = Error->Detail = INT_STATUS_UNSUCCESSFUL;
            Error->RecordIndex = INTRO_EXCEPTIONS_LOAD_NO_RECORD;
            snprintf(Error->Message, sizeof(Error->Message), "cannot write the output (out of memory or I/O error)");
        }
        return INT_STATUS_UNSUCCESSFUL;
    }
    IgTextFree(&text);
    return INT_STATUS_SUCCESS;
}

void IgPrintParseError(FILE *Err, const char *Path, const INTRO_EXCEPTIONS_LOAD_ERROR *Error)
{
    IgToolError(Err, Path, "byte %llu (0x%llX): %s [%s, %s]", (unsigned long long)Error->Offset,
                (unsigned long long)Error->Offset, Error->Message, IntStatusToString(Error->Status),
                IntStatusToString(Error->Detail));
}

int IgDumpFile(const char *Path, IG_DUMP_FORMAT Format, FILE *Out, FILE *Err)
{
    uint8_t *data = NULL;
    size_t size = 0;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    INTSTATUS status;

    status = IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, Err);
    if (!INT_SUCCESS(status))
    {
        return IG_EXIT_FAILURE;
    }
    status = IgDumpBuffer(data, size, Format, Out, &error);
    free(data);
    if (status == INT_STATUS_UNSUCCESSFUL)
    {
        IgToolError(Err, NULL, "%s", error.Message);
        return IG_EXIT_FAILURE;
    }
    if (!INT_SUCCESS(status))
    {
        IgPrintParseError(Err, Path, &error);
        return IG_EXIT_FAILURE;
    }
    return IG_EXIT_OK;
}

void IgCmdDumpHelp(FILE *Out)
{
    fputs("usage: introguard dump [--json] FILE\n"
          "\n"
          "Prints the header and every record of the exceptions file FILE, decoded: one block per\n"
          "record with its index, offset, kind and size, then every field.  Hashes are shown as\n"
          "0x%08X with their special name when they have one (*, -, [own], [kernel], ...), flags and\n"
          "object types by keyword, signature IDs as type and sequence number.\n"
          "\n"
          "options:\n"
          "  --json      print one JSON document instead of text\n"
          "  -h, --help  show this help\n"
          "\n"
          "A corrupt file prints nothing on stdout and one error naming the byte offset and record.\n"
          "exit status: 0 success, 1 unreadable or corrupt FILE, 2 usage error\n",
          Out);
}

int IgCmdDump(int Argc, char **Argv)
{
    enum
    {
        OptJson = 1,
        OptHelp
    };
    static const IG_OPTION options[] = {
        {"json", 0, false, OptJson},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    IG_DUMP_FORMAT format = IgDumpText;
    const char *path = NULL;
    const char *value;
    int id;

    IgOptInit(&opt, Argc, Argv, "dump");
    while ((id = IgOptNext(&opt, options, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case OptJson:
                format = IgDumpJson;
                break;
            case OptHelp:
                IgCmdDumpHelp(stdout);
                return IG_EXIT_OK;
            case IG_OPT_POSITIONAL:
                if (path)
                {
                    IgToolError(stderr, "dump", "one FILE only (got '%s' and '%s')", path, value);
                    return IG_EXIT_USAGE;
                }
                path = value;
                break;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!path)
    {
        IgToolError(stderr, "dump", "missing FILE (see introguard dump --help)");
        return IG_EXIT_USAGE;
    }
    return IgDumpFile(path, format, stdout, stderr);
}
