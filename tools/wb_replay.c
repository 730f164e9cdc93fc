/*
 * The workbench's replays (workbench.h): a trace run through `introguard replay`'s runner with
 * nothing printed, each decision kept as data through the runner's hook; and the output helpers the
 * three commands share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool_common.h"
#include "workbench.h"

typedef struct IG_WB_HOOK_CONTEXT
{
    IG_WB_RUN *Run;
    uint32_t Trace;
} IG_WB_HOOK_CONTEXT;

static void IgWbCopyName(char *Out, size_t Size, const char *Text)
{
    snprintf(Out, Size, "%s", Text ? Text : "");
}

static void IgWbHook(void *Context, const IG_REPLAY_DECISION *D)
{
    IG_WB_HOOK_CONTEXT *c = Context;
    IG_WB_RUN *run = c->Run;
    IG_WB_DECISION *d;

    if (run->OutOfMemory)
    {
        return;
    }
    if (run->Count == run->Capacity)
    {
        size_t capacity = run->Capacity ? 2 * run->Capacity : 256;
        IG_WB_DECISION *grown = realloc(run->Items, capacity * sizeof(*grown));

        if (!grown)
        {
            run->OutOfMemory = true;
            return;
        }
        run->Items = grown;
        run->Capacity = capacity;
    }
    d = &run->Items[run->Count++];
    memset(d, 0, sizeof(*d));
    d->Trace = c->Trace;
    d->Seq = D->Seq;
    d->Line = D->Line;
    d->Index = D->Index;
    d->Delivered = D->Delivered;
    d->Decided = D->Verdict != NULL;
    d->TraceRules = D->RulesLine != 0;
    d->Violation = D->Zone == NULL;
    if (D->Verdict)
    {
        d->Verdict = *D->Verdict;
    }
    IgWbCopyName(d->Zone, sizeof(d->Zone), D->Zone);
    IgWbCopyName(d->Originator, sizeof(d->Originator), D->Originator);
    IgWbCopyName(d->Return, sizeof(d->Return), D->Return);
}

int IgWbReplay(const char *Path, uint32_t Trace, const IG_WB_RULES *Rules, IG_WB_RUN *Run, FILE *Err)
{
    IG_REPLAY_OPTIONS options;
    IG_WB_HOOK_CONTEXT context = {Run, Trace};
    FILE *stream;
    int exit;

    stream = fopen(Path, "rb");
    if (!stream)
    {
        IgToolError(Err, Path, "cannot open: %s", strerror(errno));
        return IG_EXIT_FAILURE;
    }
    memset(&options, 0, sizeof(options));
    options.ExceptionsPath = Rules->Name;
    options.ExceptionsData = Rules->Data;
    options.ExceptionsSize = Rules->Size;
    options.Format = IgReplayTable;
    options.Hook = IgWbHook;
    options.HookContext = &context;
    options.Quiet = true;
    exit = IgReplayStream(stream, Path, &options, stdout, Err);
    fclose(stream);
    if (exit == IG_EXIT_OK && Run->OutOfMemory)
    {
        IgToolError(Err, Path, "out of memory");
        exit = IG_EXIT_FAILURE;
    }
    return exit;
}

void IgWbRunFree(IG_WB_RUN *Run)
{
    if (Run)
    {
        free(Run->Items);
        memset(Run, 0, sizeof(*Run));
    }
}

/* ---- output ------------------------------------------------------------------------------------------------------ */

void IgWbJsonString(FILE *Out, const char *Text)
{
    if (!Text)
    {
        fputs("null", Out);
        return;
    }
    fputc('"', Out);
    for (const unsigned char *c = (const unsigned char *)Text; *c; c++)
    {
        if (*c == '"' || *c == '\\')
        {
            fprintf(Out, "\\%c", *c);
        }
        else if (*c < 0x20 || *c == 0x7F)
        {
            fprintf(Out, "\\u%04x", *c);
        }
        else
        {
            fputc(*c, Out);
        }
    }
    fputc('"', Out);
}

void IgWbWhereText(const IG_WB_RULES *Rules, uint32_t Index, char *Buffer, size_t Size)
{
    IG_WB_WHERE where;

    if (IgWbWhere(Rules, Index, &where))
    {
        snprintf(Buffer, Size, "%s:%u", where.File, where.Line);
    }
    else
    {
        snprintf(Buffer, Size, "-");
    }
}

void IgWbJsonWhere(FILE *Out, const IG_WB_RULES *Rules, uint32_t Index)
{
    IG_WB_WHERE where;

    fputs("\"source\":", Out);
    if (!IgWbWhere(Rules, Index, &where))
    {
        fputs("null", Out);
        return;
    }
    fputs("{\"file\":", Out);
    IgWbJsonString(Out, where.File);
    fprintf(Out, ",\"line\":%u,\"path\":", where.Line);
    IgWbJsonString(Out, where.Path);
    fputc('}', Out);
}

/* ---- tables ------------------------------------------------------------------------------------------------------ */

void IgWbTableInit(IG_WB_TABLE *Table, size_t Columns)
{
    memset(Table, 0, sizeof(*Table));
    Table->Columns = Columns;
}

void IgWbTableRow(IG_WB_TABLE *Table, const char *const *Cells)
{
    char **row;

    if (Table->OutOfMemory)
    {
        return;
    }
    if (Table->Rows == Table->Capacity)
    {
        size_t capacity = Table->Capacity ? 2 * Table->Capacity : 32;
        char **grown = realloc(Table->Cells, capacity * Table->Columns * sizeof(*grown));

        if (!grown)
        {
            Table->OutOfMemory = true;
            return;
        }
        Table->Cells = grown;
        Table->Capacity = capacity;
    }
    row = &Table->Cells[Table->Rows * Table->Columns];
    for (size_t c = 0; c < Table->Columns; c++)
    {
        row[c] = strdup(Cells[c] ? Cells[c] : "");
        Table->OutOfMemory = Table->OutOfMemory || !row[c];
    }
    Table->Rows++;
}

bool IgWbTablePrint(const IG_WB_TABLE *Table, FILE *Out)
{
    size_t width[16] = {0};

    if (Table->OutOfMemory || Table->Columns > 16)
    {
        return false;
    }
    for (size_t r = 0; r < Table->Rows; r++)
    {
        for (size_t c = 0; c < Table->Columns; c++)
        {
            size_t n = strlen(Table->Cells[r * Table->Columns + c]);

            width[c] = n > width[c] ? n : width[c];
        }
    }
    for (size_t r = 0; r < Table->Rows; r++)
    {
        char *const *row = &Table->Cells[r * Table->Columns];
        size_t last = Table->Columns - 1;

        while (last > 0 && row[last][0] == '\0')
        {
            last--; /* no trailing blanks */
        }
        for (size_t c = 0; c < last; c++)
        {
            fprintf(Out, "%-*s  ", (int)width[c], row[c]);
        }
        fprintf(Out, "%s\n", row[last]);
    }
    return true;
}

void IgWbTableFree(IG_WB_TABLE *Table)
{
    for (size_t i = 0; Table->Cells && i < Table->Rows * Table->Columns; i++)
    {
        free(Table->Cells[i]);
    }
    free(Table->Cells);
    memset(Table, 0, sizeof(*Table));
}
