/*
 * The compiler core: JSON documents -> normalised records -> bytes (spec §2, §4, §5).
 *
 * Pass 1 reads every signature of every source in order and numbers them (ID = type << 22 | seq,
 * seq global in that order).  Pass 2 reads every exception, expands groups, hashes the names and
 * resolves signature names.  Then unused signatures are pruned, the lists are sorted with hvmi's
 * keys (stable: the parse index is the last key) and written.  See docs/compiler.md; the parts are
 * listed in compile_int.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"
#include "suggest.h"
#include "tool_common.h"

/* ---- Driver ------------------------------------------------------------------------------ */

void IgCompileOptionsInit(IG_COMPILE_OPTIONS *Options)
{
    memset(Options, 0, sizeof(*Options));
    Options->VersionMajor = INTRO_EXCFILE_VERSION_MAJOR;
    Options->VersionMinor = INTRO_EXCFILE_VERSION_MINOR;
}

void IgCompileResultFree(IG_COMPILE_RESULT *Result)
{
    if (Result == NULL)
    {
        return;
    }
    free(Result->Data);
    free(Result->Messages);
    free(Result->Origins);
    memset(Result, 0, sizeof(*Result));
}

/*
 * The documents a source holds: its root object or, an introguard extension (docs/json-format.md),
 * each object of a root array, so one file can hold several exception kinds (`replay --learn`).
 * 0 for an array that is empty or holds anything but objects (reported when Report).
 */
static size_t IgCcPartCount(IG_CC *C, const IG_JSON_VALUE *Root, bool Report)
{
    bool objects = Root && Root->Type == IgJsonArray && Root->Count > 0;

    if (!Root || Root->Type != IgJsonArray)
    {
        return 1;
    }
    for (size_t i = 0; objects && i < Root->Count; i++)
    {
        objects = Root->Items[i]->Type == IgJsonObject;
    }
    if (!objects && Report)
    {
        IG_ERR(C, Root,
               "expected an object with \"Type\" and \"Exceptions\" or \"Signatures\", found array (a list of "
               "documents holds one or more such objects, nothing else)");
    }
    return objects ? Root->Count : 0;
}

static const IG_JSON_VALUE *IgCcPart(const IG_JSON_VALUE *Root, size_t Part)
{
    return Root && Root->Type == IgJsonArray ? Root->Items[Part] : Root;
}

/* What a top-level document holds. */
static void IgCcClassify(IG_CC *C, const IG_JSON_VALUE *Root, const IG_JSON_VALUE **Signatures,
                         const IG_JSON_VALUE **Exceptions, const INTRO_EXCFILE_EXCEPTION_KIND **Kind)
{
    const IG_JSON_VALUE *root = Root;
    const IG_JSON_VALUE *type;
    *Signatures = *Exceptions = NULL;
    *Kind = NULL;
    if (root == NULL)
    {
        return;
    }
    if (root->Type != IgJsonObject)
    {
        IG_ERR(C, root, "expected an object with \"Type\" and \"Exceptions\" or \"Signatures\", found %s",
               IgJsonTypeName(root->Type));
        return;
    }
    static const char *const keys[] = {"Type", "Exceptions", "Signatures"};
    IgCcUnknownKeys(C, root, keys, 3);
    if (!IgCcArray(C, root, "Signatures", false, Signatures) || !IgCcArray(C, root, "Exceptions", false, Exceptions))
    {
        *Signatures = *Exceptions = NULL;
        return;
    }
    if (*Signatures == NULL && *Exceptions == NULL)
    {
        IG_ERR(C, root, "expected an \"Exceptions\" or a \"Signatures\" array");
        return;
    }
    if (*Exceptions)
    {
        if (!IgCcString(C, root, "Type", &type))
        {
            *Exceptions = NULL;
            return;
        }
        if (type == NULL)
        {
            IG_ERR(C, root, "missing \"Type\" (kernel, user, user-apc, user-glob-match or kernel-user)");
            *Exceptions = NULL;
            return;
        }
        *Kind = IntExcFileExceptionKindByName(type->Text, type->Length);
        if (*Kind == NULL)
        {
            size_t n;
            const INTRO_EXCFILE_EXCEPTION_KIND *all = IntExcFileExceptionKinds(&n);
            const char *names[8];
            char sug[96];
            for (size_t i = 0; i < n && i < 8; i++)
            {
                names[i] = all[i].Name;
            }
            IG_ERR(C, type, "unknown exceptions Type '%.40s'%s", type->Text,
                   IgCcSuggest(sug, sizeof(sug), IgSuggestOf(names, n < 8 ? n : 8, type->Text, type->Length, 0)));
            *Exceptions = NULL;
        }
    }
}

INTSTATUS IgCompileSources(const IG_COMPILE_SOURCE *Sources, size_t Count, const IG_COMPILE_OPTIONS *Options,
                           IG_COMPILE_RESULT *Result)
{
    IG_CC c;
    INTRO_EXCFILE_WRITER out;
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (Result == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    memset(Result, 0, sizeof(*Result));
    if ((Sources == NULL && Count) || Options == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    memset(&c, 0, sizeof(c));
    c.Options = Options;
    c.Sources = Sources;
    c.SourceCount = Count;
    IntExcFileWriterInit(&out, NULL, 0, IgToolRealloc, NULL);
    IntExcFileWriterInit(&c.SigRecords, NULL, 0, IgToolRealloc, NULL);
    if (Count > IG_COMPILE_MAX_SOURCES)
    {
        IgCcReport(&c, IgSevError, SIZE_MAX, NULL, "more than %u input files", IG_COMPILE_MAX_SOURCES);
        goto done;
    }
    c.Docs = calloc(Count ? Count : 1, sizeof(*c.Docs));
    if (c.Docs == NULL)
    {
        c.OutOfMemory = true;
        goto done;
    }
    for (size_t i = 0; i < Count; i++)
    {
        IG_JSON_ERROR err;
        c.Current = i;
        if (!INT_SUCCESS(IgJsonParse(Sources[i].Text, Sources[i].Size, &c.Docs[i], &err)))
        {
            c.Errors++;
            if (c.Errors <= IG_COMPILE_MAX_ERRORS)
            {
                IgCbufPrintf(&c.Messages, "%s:%u:%u: error: %s: invalid JSON: %s\n", Sources[i].Name, err.Line,
                             err.Column, err.Path, err.Message);
            }
        }
    }
    if (Count == 0)
    {
        IgCcReport(&c, IgSevError, SIZE_MAX, NULL, "no input files");
    }
    /* Pass 1: signatures, numbered in input order. */
    for (size_t i = 0; i < Count && !c.OutOfMemory; i++)
    {
        size_t parts;
        c.Current = i;
        parts = IgCcPartCount(&c, c.Docs[i].Root, true);
        for (size_t p = 0; p < parts && !c.OutOfMemory; p++)
        {
            const IG_JSON_VALUE *sigs, *excs;
            const INTRO_EXCFILE_EXCEPTION_KIND *kind;
            IgCcClassify(&c, IgCcPart(c.Docs[i].Root, p), &sigs, &excs, &kind);
            for (size_t k = 0; sigs && k < sigs->Count && !c.OutOfMemory && c.Errors <= IG_COMPILE_MAX_ERRORS; k++)
            {
                IgCcSignature(&c, sigs->Items[k]);
            }
        }
    }
    /* Pass 2: exceptions (messages from classification are not repeated). */
    for (size_t i = 0; i < Count && !c.OutOfMemory; i++)
    {
        size_t parts;
        c.Current = i;
        parts = IgCcPartCount(&c, c.Docs[i].Root, false);
        for (size_t p = 0; p < parts && !c.OutOfMemory; p++)
        {
            const IG_JSON_VALUE *sigs, *excs;
            const INTRO_EXCFILE_EXCEPTION_KIND *kind;
            IG_CBUF saved = c.Messages;
            unsigned errors = c.Errors, warnings = c.Warnings;
            IgCcClassify(&c, IgCcPart(c.Docs[i].Root, p), &sigs, &excs, &kind);
            c.Messages.Size = saved.Size;
            c.Errors = errors;
            c.Warnings = warnings;
            for (size_t k = 0; excs && kind && k < excs->Count && !c.OutOfMemory && c.Errors <= IG_COMPILE_MAX_ERRORS;
                 k++)
            {
                IgCcException(&c, kind, excs->Items[k]);
            }
        }
    }
    if (c.Errors == 0 && !c.OutOfMemory)
    {
        IgCcPrune(&c, Result);
        IgCcWrite(&c, &out, Result);
    }

done:
    if (c.OutOfMemory)
    {
        c.Errors++;
        IgCbufPrintf(&c.Messages, "error: out of memory\n");
    }
    if (c.Errors > IG_COMPILE_MAX_ERRORS)
    {
        IgCbufPrintf(&c.Messages, "error: too many errors (%u), stopped\n", c.Errors);
    }
    IgCbufPut(&c.Messages, "", 1);
    Result->Errors = c.Errors;
    Result->Warnings = c.Warnings;
    if (!c.Messages.Failed)
    {
        Result->Messages = (char *)c.Messages.Data;
        Result->MessagesLength = c.Messages.Size - 1;
        c.Messages.Data = NULL;
    }
    if (c.Errors == 0)
    {
        Result->Data = out.Data;
        Result->Size = out.Size;
        out.Data = NULL;
        Result->Origins = (IG_COMPILE_ORIGIN *)(void *)c.Origins.Data;
        Result->OriginCount = c.Origins.Size / sizeof(IG_COMPILE_ORIGIN);
        c.Origins.Data = NULL;
    }
    else
    {
        status = c.OutOfMemory ? INT_STATUS_INSUFFICIENT_RESOURCES : INT_STATUS_INVALID_DATA_VALUE;
    }
    free(out.Data);
    free(c.Messages.Data);
    for (size_t i = 0; c.Docs && i < Count; i++)
    {
        IgJsonFree(&c.Docs[i]);
    }
    free(c.Docs);
    free(c.Sigs);
    free(c.SigTable);
    free(c.Excs);
    free(c.SigPool.Data);
    free(c.SigRecords.Data);
    free(c.Scratch.Data);
    free(c.Origins.Data);
    return status;
}

/* ---- config.json ------------------------------------------------------------------------- */

typedef struct IG_CONFIG_PRIVATE
{
    IG_JSON_DOC Doc;
    const char **Members;
} IG_CONFIG_PRIVATE;

void IgCompileConfigFree(IG_COMPILE_CONFIG *Storage)
{
    if (Storage == NULL)
    {
        return;
    }
    IG_CONFIG_PRIVATE *p = Storage->Private;
    if (p)
    {
        IgJsonFree(&p->Doc);
        free(p->Members);
        free(p);
    }
    free(Storage->Groups);
    memset(Storage, 0, sizeof(*Storage));
}

INTSTATUS IgCompileLoadConfig(const IG_COMPILE_SOURCE *Source, IG_COMPILE_OPTIONS *Options, IG_COMPILE_CONFIG *Storage,
                              IG_COMPILE_RESULT *Result)
{
    IG_CC c;
    IG_JSON_ERROR err;
    IG_CONFIG_PRIVATE *p = NULL;
    const IG_JSON_VALUE *root, *version, *groups;
    INTSTATUS status = INT_STATUS_INVALID_DATA_VALUE;

    if (Result == NULL || Storage == NULL || Options == NULL || Source == NULL)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }
    memset(Result, 0, sizeof(*Result));
    memset(Storage, 0, sizeof(*Storage));
    memset(&c, 0, sizeof(c));
    c.Options = Options;
    c.Sources = Source;
    c.SourceCount = 1;

    p = calloc(1, sizeof(*p));
    if (p == NULL)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    Storage->Private = p;
    if (!INT_SUCCESS(IgJsonParse(Source->Text, Source->Size, &p->Doc, &err)))
    {
        c.Errors++;
        IgCbufPrintf(&c.Messages, "%s:%u:%u: error: %s: invalid JSON: %s\n", Source->Name, err.Line, err.Column,
                     err.Path, err.Message);
        goto done;
    }
    root = p->Doc.Root;
    if (root->Type != IgJsonObject)
    {
        IG_ERR(&c, root, "expected a config object, found %s", IgJsonTypeName(root->Type));
        goto done;
    }
    version = IgCcMember(root, "Version");
    if (version)
    {
        const IG_JSON_VALUE *major = IgCcMember(version, "Major"), *minor = IgCcMember(version, "Minor");
        int64_t a, b;
        if (version->Type != IgJsonObject || !major || !minor)
        {
            IG_ERR(&c, version, "expected {\"Major\": n, \"Minor\": n}");
            goto done;
        }
        if (!IgCcInteger(&c, major, 0, 0xFFFF, &a) || !IgCcInteger(&c, minor, 0, 0xFFFF, &b))
        {
            goto done;
        }
        Options->VersionMajor = (uint16_t)a;
        Options->VersionMinor = (uint16_t)b;
    }
    groups = IgCcMember(root, "Groups");
    if (groups)
    {
        size_t total = 0;
        if (groups->Type != IgJsonObject)
        {
            IG_ERR(&c, groups, "expected an object of group name -> list of names, found %s",
                   IgJsonTypeName(groups->Type));
            goto done;
        }
        for (size_t i = 0; i < groups->Count; i++)
        {
            const IG_JSON_VALUE *g = groups->Items[i];
            if (g->Type != IgJsonArray)
            {
                IG_ERR(&c, g, "expected a list of names, found %s", IgJsonTypeName(g->Type));
                goto done;
            }
            for (size_t k = 0; k < g->Count; k++)
            {
                if (g->Items[k]->Type != IgJsonString || g->Items[k]->Length == 0)
                {
                    IG_ERR(&c, g->Items[k], "expected a non-empty name string");
                    goto done;
                }
            }
            total += g->Count;
        }
        Storage->Groups = calloc(groups->Count ? groups->Count : 1, sizeof(*Storage->Groups));
        p->Members = calloc(total ? total : 1, sizeof(*p->Members));
        if (Storage->Groups == NULL || p->Members == NULL)
        {
            status = INT_STATUS_INSUFFICIENT_RESOURCES;
            goto done;
        }
        size_t m = 0;
        for (size_t i = 0; i < groups->Count; i++)
        {
            const IG_JSON_VALUE *g = groups->Items[i];
            Storage->Groups[i].Name = g->Key;
            Storage->Groups[i].Members = &p->Members[m];
            Storage->Groups[i].Count = g->Count;
            for (size_t k = 0; k < g->Count; k++)
            {
                p->Members[m++] = g->Items[k]->Text;
            }
        }
        Storage->GroupCount = groups->Count;
        Options->Groups = Storage->Groups;
        Options->GroupCount = Storage->GroupCount;
    }
    status = INT_STATUS_SUCCESS;

done:
    IgCbufPut(&c.Messages, "", 1);
    Result->Errors = c.Errors;
    Result->Warnings = c.Warnings;
    if (!c.Messages.Failed)
    {
        Result->Messages = (char *)c.Messages.Data;
        Result->MessagesLength = c.Messages.Size - 1;
    }
    else
    {
        free(c.Messages.Data);
    }
    if (!INT_SUCCESS(status))
    {
        IgCompileConfigFree(Storage);
    }
    return status;
}
