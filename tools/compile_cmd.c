/*
 * `introguard compile`: argument handling, reading files and directories, atomic output.
 * The compiling itself is IgCompileSources() (compile.c), which works on memory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compile.h"
#include "json.h"
#include "tool_common.h"

#define IG_COMPILE_MAX_DIR_DEPTH 32u

typedef IG_COMPILE_INPUTS IG_FILE_LIST;

void IgCmdCompileHelp(FILE *To)
{
    fprintf(
        To,
        "usage: introguard compile [-o OUT] [-b BUILD] [-c CONFIG] [-v] [--strict] [--hvmi-compat] [--keep-unused]\n"
        "                          [--digest FILE] INPUT...\n"
        "  INPUT          a JSON file, or a directory read recursively (sorted, signature files first)\n"
        "  -o OUT         output file (default exceptions.bin); written only on success\n"
        "  -b BUILD       build number for the header (default 0)\n"
        "  -c CONFIG      config.json overriding Version and Groups\n"
        "  -v             print a summary\n"
        "  --strict       treat warnings as errors\n"
        "  --hvmi-compat  reproduce hvmi's pruning (C2) and doubled glob entries (C3)\n"
        "  --keep-unused  write unused signatures too (re-creates a decompiled file that has them)\n"
        "  --digest FILE  also write the output's SHA-256 to FILE, as sha256sum prints it (what an\n"
        "                 integrator pins with IntSetExceptionsDigest)\n"
        "  Inputs are read whole, at most 16 MiB each.\n");
}

/* Reads a whole file (capped) into a NUL-terminated heap buffer; 0 on success. */
static int IgReadSource(const char *Path, char **Text, size_t *Size)
{
    uint8_t *data = NULL;
    *Text = NULL;
    *Size = 0;
    if (!INT_SUCCESS(IgReadWholeFile(Path, IG_TOOL_MAX_TEXT_FILE, &data, Size, stderr)))
    {
        return -1;
    }
    *Text = (char *)data;
    return 0;
}

static int IgListAdd(IG_FILE_LIST *L, const char *Path)
{
    if (L->Count >= IG_COMPILE_MAX_SOURCES)
    {
        IgToolError(stderr, "compile", "more than %u input files", IG_COMPILE_MAX_SOURCES);
        return -1;
    }
    if (L->Count == L->Cap)
    {
        size_t cap = L->Cap ? L->Cap * 2 : 16;
        IG_COMPILE_SOURCE *n = realloc(L->Items, cap * sizeof(*n));
        if (n == NULL)
        {
            return -1;
        }
        L->Items = n;
        L->Cap = cap;
    }
    IG_COMPILE_SOURCE *s = &L->Items[L->Count];
    char *text;
    size_t size;
    char *name = strdup(Path);
    if (name == NULL || IgReadSource(Path, &text, &size) != 0)
    {
        free(name);
        return -1;
    }
    s->Name = name;
    s->Text = text;
    s->Size = size;
    L->Count++;
    return 0;
}

static int IgCmpStr(const void *A, const void *B)
{
    return strcmp(*(const char *const *)A, *(const char *const *)B);
}

static bool IgEndsWithJson(const char *Name)
{
    size_t n = strlen(Name);
    return n > 5 && strcmp(Name + n - 5, ".json") == 0;
}

/* Collects the .json files under Dir, depth first, entries in byte order. */
static int IgCollectDir(IG_FILE_LIST *L, const char *Dir, unsigned Depth, bool Verbose)
{
    DIR *d;
    struct dirent *ent;
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;

    if (Depth > IG_COMPILE_MAX_DIR_DEPTH)
    {
        IgToolError(stderr, Dir, "directories nest deeper than %u levels", IG_COMPILE_MAX_DIR_DEPTH);
        return -1;
    }
    d = opendir(Dir);
    if (d == NULL)
    {
        IgToolError(stderr, Dir, "cannot read the directory: %s", strerror(errno));
        return -1;
    }
    while ((ent = readdir(d)) != NULL)
    {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
        {
            continue;
        }
        if (count == cap)
        {
            size_t ncap = cap ? cap * 2 : 32;
            char **n = realloc(names, ncap * sizeof(*n));
            if (n == NULL)
            {
                rc = -1;
                break;
            }
            names = n;
            cap = ncap;
        }
        names[count] = strdup(ent->d_name);
        if (names[count] == NULL)
        {
            rc = -1;
            break;
        }
        count++;
    }
    closedir(d);
    if (count)
    {
        qsort(names, count, sizeof(*names), IgCmpStr);
    }
    for (size_t i = 0; i < count && rc == 0; i++)
    {
        size_t len = strlen(Dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        struct stat st;
        if (path == NULL)
        {
            rc = -1;
            break;
        }
        snprintf(path, len, "%s/%s", Dir, names[i]);
        if (stat(path, &st) != 0)
        {
            IgToolError(stderr, path, "cannot read: %s", strerror(errno));
            rc = -1;
        }
        else if (S_ISDIR(st.st_mode))
        {
            rc = IgCollectDir(L, path, Depth + 1, Verbose);
        }
        else if (S_ISREG(st.st_mode) && IgEndsWithJson(names[i]))
        {
            rc = IgListAdd(L, path);
        }
        else if (Verbose)
        {
            IgToolError(stderr, path, "not a .json file, ignored");
        }
        free(path);
    }
    for (size_t i = 0; i < count; i++)
    {
        free(names[i]);
    }
    free(names);
    return rc;
}

/* Signature files (a top-level "Signatures" key) first, each group keeping its order. */
static int IgSignatureFilesFirst(IG_FILE_LIST *L, size_t From)
{
    size_t n = L->Count - From;
    IG_COMPILE_SOURCE *tmp;
    bool *isSig;
    if (n < 2)
    {
        return 0;
    }
    tmp = malloc(n * sizeof(*tmp));
    isSig = calloc(n, sizeof(*isSig));
    if (tmp == NULL || isSig == NULL)
    {
        free(tmp);
        free(isSig);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
    {
        IG_JSON_DOC doc;
        IG_JSON_ERROR err;
        const IG_COMPILE_SOURCE *s = &L->Items[From + i];
        if (INT_SUCCESS(IgJsonParse(s->Text, s->Size, &doc, &err)))
        {
            isSig[i] = IgJsonGet(doc.Root, "Signatures") != NULL;
            IgJsonFree(&doc);
        }
    }
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
    {
        for (size_t i = 0; i < n; i++)
        {
            if (isSig[i] == (pass == 0))
            {
                tmp[k++] = L->Items[From + i];
            }
        }
    }
    memcpy(&L->Items[From], tmp, n * sizeof(*tmp));
    free(tmp);
    free(isSig);
    return 0;
}

void IgCompileInputsFree(IG_COMPILE_INPUTS *L)
{
    for (size_t i = 0; i < L->Count; i++)
    {
        free((void *)L->Items[i].Name);
        free((void *)L->Items[i].Text);
    }
    free(L->Items);
    memset(L, 0, sizeof(*L));
}

static bool IgParseU32(const char *Text, uint32_t *Out)
{
    char *end;
    if (Text == NULL || *Text == 0 || *Text == '-')
    {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(Text, &end, 0);
    if (errno || *end || v > 0xFFFFFFFFull)
    {
        return false;
    }
    *Out = (uint32_t)v;
    return true;
}

/* The command line, parsed. */
typedef struct IG_COMPILE_ARGS
{
    IG_COMPILE_OPTIONS Options;
    const char *Output;
    const char *ConfigPath;
    const char *DigestPath; /* --digest: where the output's SHA-256 goes */
    bool Verbose;
    char **Paths; /* the inputs */
    int Inputs;
} IG_COMPILE_ARGS;

/* Options first; everything else is an input.  "--" ends options.  Returns -1 to go on, else an exit code. */
static int IgCompileParseArgs(int argc, char **argv, IG_COMPILE_ARGS *Args)
{
    bool noMore = false;

    for (int i = 1; i < argc; i++)
    {
        const char *a = argv[i];

        if (!noMore && strcmp(a, "--") == 0)
        {
            noMore = true;
        }
        else if (!noMore && (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc)
        {
            Args->Output = argv[++i];
        }
        else if (!noMore && strcmp(a, "--digest") == 0 && i + 1 < argc)
        {
            Args->DigestPath = argv[++i];
        }
        else if (!noMore && (strcmp(a, "-b") == 0 || strcmp(a, "--build") == 0) && i + 1 < argc)
        {
            if (!IgParseU32(argv[++i], &Args->Options.BuildNumber))
            {
                IgToolError(stderr, "compile", "-b needs a number 0-4294967295, got '%s'", argv[i]);
                return 2;
            }
        }
        else if (!noMore && (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc)
        {
            Args->ConfigPath = argv[++i];
        }
        else if (!noMore && (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0))
        {
            Args->Verbose = true;
            Args->Options.Verbose++;
        }
        else if (!noMore && strcmp(a, "--strict") == 0)
        {
            Args->Options.Strict = true;
        }
        else if (!noMore && strcmp(a, "--keep-unused") == 0)
        {
            Args->Options.KeepUnusedSignatures = true;
        }
        else if (!noMore && strcmp(a, "--hvmi-compat") == 0)
        {
            Args->Options.HvmiCompat = true;
        }
        else if (!noMore && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0))
        {
            IgCmdCompileHelp(stdout);
            return 0;
        }
        else if (!noMore && a[0] == '-' && a[1] != 0)
        {
            IgToolError(stderr, "compile", "unknown or incomplete option '%s' (see introguard compile --help)", a);
            IgCmdCompileHelp(stderr);
            return 2;
        }
        else
        {
            Args->Paths[Args->Inputs++] = argv[i];
        }
    }
    if (Args->Inputs == 0)
    {
        IgToolError(stderr, "compile", "no INPUT given (see introguard compile --help)");
        IgCmdCompileHelp(stderr);
        return 2;
    }
    return -1;
}

/* Reads -c CONFIG into the options; 0 on success. */
static int IgCompileConfigFile(IG_COMPILE_ARGS *Args, IG_COMPILE_CONFIG *Config)
{
    IG_COMPILE_SOURCE src;
    IG_COMPILE_RESULT cfgResult;
    INTSTATUS st;
    char *text;
    size_t size;

    if (IgReadSource(Args->ConfigPath, &text, &size) != 0)
    {
        return -1;
    }
    src.Name = Args->ConfigPath;
    src.Text = text;
    src.Size = size;
    st = IgCompileLoadConfig(&src, &Args->Options, Config, &cfgResult);
    if (cfgResult.Messages && cfgResult.MessagesLength)
    {
        fputs(cfgResult.Messages, stderr);
    }
    IgCompileResultFree(&cfgResult);
    free(text);
    return INT_SUCCESS(st) ? 0 : -1;
}

int IgCompileReadInputs(char *const *Paths, size_t Count, bool Verbose, IG_COMPILE_INPUTS *Files)
{
    for (size_t i = 0; i < Count; i++)
    {
        struct stat st;

        if (stat(Paths[i], &st) != 0)
        {
            IgToolError(stderr, Paths[i], "cannot read: %s", strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode))
        {
            size_t from = Files->Count;
            if (IgCollectDir(Files, Paths[i], 0, Verbose) != 0 || IgSignatureFilesFirst(Files, from) != 0)
            {
                return -1;
            }
        }
        else if (IgListAdd(Files, Paths[i]) != 0)
        {
            return -1;
        }
    }
    if (Files->Count == 0)
    {
        IgToolError(stderr, "compile", "no .json files found in the inputs");
        return -1;
    }
    return 0;
}

/* FILE gets "HEX  NAME\n", as sha256sum prints it, so `sha256sum -c FILE` checks the output. */
static int IgCompileWriteDigest(const char *Path, const char *Output, const void *Data, size_t Size)
{
    char hex[65];
    char line[65 + 2 + 4096 + 2];
    const char *slash = strrchr(Output, '/');
    int length;

    IgSha256Hex(Data, Size, hex);
    length = snprintf(line, sizeof(line), "%s  %s\n", hex, slash ? slash + 1 : Output);
    if (length < 0 || (size_t)length >= sizeof(line))
    {
        IgToolError(stderr, Path, "the output's name is too long for a digest line");
        return -1;
    }
    return INT_SUCCESS(IgWriteFileAtomic(Path, line, (size_t)length, stderr)) ? 0 : -1;
}

int IgCmdCompile(int argc, char **argv)
{
    IG_COMPILE_ARGS args;
    IG_COMPILE_CONFIG config = {0};
    IG_COMPILE_RESULT result = {0};
    IG_FILE_LIST files = {0};
    INTSTATUS status;
    int rc = 1;

    memset(&args, 0, sizeof(args));
    IgCompileOptionsInit(&args.Options);
    args.Output = "exceptions.bin";
    args.Paths = calloc((size_t)argc + 1, sizeof(*args.Paths));
    if (args.Paths == NULL)
    {
        return 1;
    }
    rc = IgCompileParseArgs(argc, argv, &args);
    if (rc >= 0)
    {
        goto cleanup;
    }
    rc = 1;
    if ((args.ConfigPath && IgCompileConfigFile(&args, &config) != 0) ||
        IgCompileReadInputs(args.Paths, (size_t)args.Inputs, args.Verbose, &files) != 0)
    {
        goto cleanup;
    }

    status = IgCompileSources(files.Items, files.Count, &args.Options, &result);
    if (result.Messages && result.MessagesLength)
    {
        fputs(result.Messages, stderr);
    }
    if (!INT_SUCCESS(status))
    {
        IgToolError(stderr, "compile", "%u error(s), nothing written", result.Errors);
        goto cleanup;
    }
    if (result.KernelCount + result.UserCount + result.KernelUserCount + result.GlobCount == 0)
    {
        /* hvmi's loader, and ours, refuse a file without a single exception: it could never load. */
        IgToolError(stderr, "compile",
                    "the inputs hold no exceptions (a file without any does not load), nothing written");
        goto cleanup;
    }
    if (!INT_SUCCESS(IgWriteFileAtomic(args.Output, result.Data, result.Size, stderr)))
    {
        goto cleanup;
    }
    if (args.DigestPath && IgCompileWriteDigest(args.DigestPath, args.Output, result.Data, result.Size) != 0)
    {
        goto cleanup;
    }
    if (args.Verbose)
    {
        fprintf(stderr,
                "%s: %zu bytes: %u kernel, %u user (+apc), %u kernel-user, %u glob exceptions, %u signatures "
                "(%u unused left out), %u warning(s)\n",
                args.Output, result.Size, result.KernelCount, result.UserCount, result.KernelUserCount,
                result.GlobCount, result.SignatureCount, result.PrunedSignatures, result.Warnings);
    }
    rc = 0;

cleanup:
    IgCompileResultFree(&result);
    IgCompileConfigFree(&config);
    IgCompileInputsFree(&files);
    free(args.Paths);
    return rc;
}
