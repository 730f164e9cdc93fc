/*
 * `introguard decompile FILE -o DIR`: writes the JSON files that decompile.c builds into DIR, all of
 * them or none (a staging directory, then renames), and the command line around it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "decompile.h"
#include "introguard/intro_excfile.h"

/* ---- The directory ------------------------------------------------------------------------- */

/* True for names this command writes: digits, '-', a kind, ".json". */
static bool IgIsOurFileName(const char *Name)
{
    const char *p = Name;
    size_t count;
    const INTRO_EXCFILE_EXCEPTION_KIND *kinds = IntExcFileExceptionKinds(&count);

    while (*p >= '0' && *p <= '9')
    {
        p++;
    }
    if (p == Name || *p != '-')
    {
        return false;
    }
    p++;
    if (strcmp(p, "signatures.json") == 0)
    {
        return true;
    }
    for (size_t i = 0; i < count; i++)
    {
        size_t n = strlen(kinds[i].Name);
        if (strncmp(p, kinds[i].Name, n) == 0 && strcmp(p + n, ".json") == 0)
        {
            return true;
        }
    }
    return false;
}

static int IgMakeDirectories(const char *Dir, FILE *Err)
{
    char path[4096];
    size_t len = strlen(Dir);

    if (len == 0 || len >= sizeof(path))
    {
        IgToolError(Err, Dir[0] ? Dir : NULL, "bad output directory name");
        return -1;
    }
    memcpy(path, Dir, len + 1);
    for (size_t i = 1; i <= len; i++)
    {
        if (path[i] == '/' || path[i] == '\0')
        {
            char saved = path[i];

            path[i] = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
            {
                IgToolError(Err, path, "cannot create directory: %s", strerror(errno));
                return -1;
            }
            path[i] = saved;
        }
    }
    return 0;
}

/* Checks DIR (created if missing): fails when it has entries, unless Force. */
static int IgPrepareDirectory(const char *Dir, bool Force, FILE *Err)
{
    struct stat st;
    DIR *dir;
    struct dirent *ent;
    int rc = 0;

    if (stat(Dir, &st) == 0 && !S_ISDIR(st.st_mode))
    {
        IgToolError(Err, Dir, "exists and is not a directory");
        return -1;
    }
    if (IgMakeDirectories(Dir, Err) != 0)
    {
        return -1;
    }
    dir = opendir(Dir);
    if (!dir)
    {
        IgToolError(Err, Dir, "cannot open directory: %s", strerror(errno));
        return -1;
    }
    while (!Force && rc == 0 && (ent = readdir(dir)) != NULL)
    {
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
        {
            IgToolError(Err, Dir, "directory is not empty (use --force to write into it)");
            rc = -1; /* said once, whatever it holds */
        }
    }
    closedir(dir);
    return rc;
}

/* Whether Name is one of the files being written. */
static bool IgIsNewFile(const IG_DECOMPILED *Files, const char *Name)
{
    for (size_t i = 0; i < Files->Count; i++)
    {
        if (strcmp(Files->Files[i].Name, Name) == 0)
        {
            return true;
        }
    }
    return false;
}

/* Removes our earlier output files that the new output does not replace; notes other JSON. */
static int IgRemoveStaleFiles(const char *Dir, const char *Staging, const IG_DECOMPILED *Files, FILE *Err)
{
    DIR *dir = opendir(Dir);
    struct dirent *ent;
    int rc = 0;

    if (!dir)
    {
        IgToolError(Err, Dir, "cannot open directory: %s", strerror(errno));
        return -1;
    }
    while (rc == 0 && (ent = readdir(dir)) != NULL)
    {
        char path[4096];
        size_t len = strlen(ent->d_name);

        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0 || strcmp(ent->d_name, Staging) == 0)
        {
            continue;
        }
        if (!IgIsOurFileName(ent->d_name))
        {
            if (len > 5 && strcmp(ent->d_name + len - 5, ".json") == 0)
            {
                IgToolError(Err, Dir, "note: %s is not from decompile and is left alone; compile will read it too",
                            ent->d_name);
            }
            continue;
        }
        if (IgIsNewFile(Files, ent->d_name))
        {
            continue; /* replaced by a rename below */
        }
        snprintf(path, sizeof(path), "%s/%s", Dir, ent->d_name);
        if (unlink(path) != 0)
        {
            IgToolError(Err, path, "cannot remove an earlier decompile output: %s", strerror(errno));
            rc = -1;
        }
    }
    closedir(dir);
    return rc;
}

/* Removes the staging directory and the first Count files written into it. */
static void IgRemoveStaging(const char *Staging, const IG_DECOMPILED *Files, size_t Count)
{
    char path[4096];

    for (size_t i = 0; i < Count; i++)
    {
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", Staging, Files->Files[i].Name) < sizeof(path))
        {
            (void)unlink(path);
        }
    }
    (void)rmdir(Staging);
}

/*
 * Writes every file into a staging directory inside Dir first, and only when all of them are
 * written moves them into place (and removes earlier output they replace): a failure part way
 * leaves Dir as it was.
 */
static int IgWriteOutput(const char *Dir, const IG_DECOMPILED *Files, FILE *Err)
{
    char staging[4096];
    char from[4096];
    char to[4096];
    size_t written = 0;
    const char *base;

    if ((size_t)snprintf(staging, sizeof(staging), "%s/.introguard-decompile.XXXXXX", Dir) >= sizeof(staging) ||
        !mkdtemp(staging))
    {
        IgToolError(Err, Dir, "cannot create a staging directory: %s", strerror(errno));
        return -1;
    }
    base = strrchr(staging, '/') + 1;
    for (; written < Files->Count; written++)
    {
        const IG_DECOMPILED_FILE *file = &Files->Files[written];

        if ((size_t)snprintf(from, sizeof(from), "%s/%s", staging, file->Name) >= sizeof(from))
        {
            IgToolError(Err, Dir, "output path too long");
            goto fail;
        }
        if (!INT_SUCCESS(IgWriteFileAtomic(from, file->Json.Data, file->Json.Length, Err)))
        {
            goto fail;
        }
    }
    if (IgRemoveStaleFiles(Dir, base, Files, Err) != 0)
    {
        goto fail;
    }
    for (size_t i = 0; i < Files->Count; i++)
    {
        if ((size_t)snprintf(from, sizeof(from), "%s/%s", staging, Files->Files[i].Name) >= sizeof(from) ||
            (size_t)snprintf(to, sizeof(to), "%s/%s", Dir, Files->Files[i].Name) >= sizeof(to) || rename(from, to) != 0)
        {
            IgToolError(Err, to, "cannot move the output into place: %s", strerror(errno));
            goto fail;
        }
    }
    (void)rmdir(staging);
    return 0;

fail:
    IgRemoveStaging(staging, Files, written);
    return -1;
}

int IgDecompileFile(const char *Path, const char *OutDir, bool Force, FILE *Err)
{
    uint8_t *data = NULL;
    size_t size = 0;
    IG_DECOMPILED files;
    INTSTATUS status;
    int rc = IG_EXIT_FAILURE;

    memset(&files, 0, sizeof(files));
    status = IgReadWholeFile(Path, IG_TOOL_MAX_BINARY_FILE, &data, &size, Err);
    if (!INT_SUCCESS(status))
    {
        return IG_EXIT_FAILURE;
    }
    /* Everything is decoded and formatted in memory before the first byte is written. */
    status = IgDecompileBuffer(data, size, Path, &files, Err);
    if (INT_SUCCESS(status) && IgPrepareDirectory(OutDir, Force, Err) == 0 && IgWriteOutput(OutDir, &files, Err) == 0)
    {
        rc = IG_EXIT_OK;
    }
    IgDecompiledFree(&files);
    free(data);
    return rc;
}

void IgCmdDecompileHelp(FILE *Out)
{
    fputs("usage: introguard decompile FILE -o DIR [--force]\n"
          "\n"
          "Writes JSON files into DIR that `introguard compile DIR` turns back into FILE, byte for\n"
          "byte: 00-signatures.json with every signature, then one NN-KIND.json per run of\n"
          "exceptions of one kind, in file order.  Names are not recoverable from hashes, so hash\n"
          "fields use the introguard extension keys (originator_hash, victim_hash, process_hash,\n"
          "flags_raw, object_type_raw, id_raw, library_hash, name_hash, minimum_raw, maximum_raw);\n"
          "special names, flags and object types are written as keywords wherever the compiler\n"
          "reproduces the same bytes from them.  Signatures are named sig-XXXXXXXX after their ID.\n"
          "\n"
          "Notes on stderr say where compiling the output would differ from FILE (records out of\n"
          "the compiler's order, header counts, build number, hvmi's duplicated glob records).\n"
          "\n"
          "options:\n"
          "  -o, --output DIR  directory to write (created if missing; must be empty)\n"
          "  --force           write into a non-empty DIR, replacing earlier decompile output\n"
          "  -h, --help        show this help\n"
          "\n"
          "exit status: 0 success, 1 unreadable/corrupt/inexpressible FILE or write error, 2 usage error\n",
          Out);
}

int IgCmdDecompile(int Argc, char **Argv)
{
    enum
    {
        OptOutput = 1,
        OptForce,
        OptHelp
    };
    static const IG_OPTION options[] = {
        {"output", 'o', true, OptOutput},
        {"force", 0, false, OptForce},
        {"help", 'h', false, OptHelp},
        {NULL, 0, false, 0},
    };
    IG_OPT_STATE opt;
    const char *path = NULL, *outDir = NULL, *value;
    bool force = false;
    int id;

    IgOptInit(&opt, Argc, Argv, "decompile");
    while ((id = IgOptNext(&opt, options, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case OptOutput:
                outDir = value;
                break;
            case OptForce:
                force = true;
                break;
            case OptHelp:
                IgCmdDecompileHelp(stdout);
                return IG_EXIT_OK;
            case IG_OPT_POSITIONAL:
                if (path)
                {
                    IgToolError(stderr, "decompile", "one FILE only (got '%s' and '%s')", path, value);
                    return IG_EXIT_USAGE;
                }
                path = value;
                break;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!path || !outDir || !outDir[0])
    {
        IgToolError(stderr, "decompile", "%s (see introguard decompile --help)",
                    !path     ? "missing FILE"
                    : !outDir ? "missing -o DIR"
                              : "-o needs a directory name, not \"\"");
        return IG_EXIT_USAGE;
    }
    return IgDecompileFile(path, outDir, force, stderr);
}
