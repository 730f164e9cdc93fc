/*
 * Shared helpers of the `introguard` commands (see tool_common.h).
 */
#include "tool_common.h"

#include "introguard/intro_exceptions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

void IgToolError(FILE *Err, const char *Path, const char *Format, ...)
{
    va_list args;

    if (!Err)
    {
        return;
    }
    fputs("introguard: ", Err);
    if (Path)
    {
        fprintf(Err, "%s: ", Path);
    }
    va_start(args, Format);
    vfprintf(Err, Format, args);
    va_end(args);
    fputc('\n', Err);
}

static INTSTATUS IgStatusFromErrno(int Error)
{
    switch (Error)
    {
        case ENOENT:
        case ENOTDIR:
            return INT_STATUS_NOT_FOUND;
        case EACCES:
        case EPERM:
            return INT_STATUS_ACCESS_DENIED;
        case ENOMEM:
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        default:
            return INT_STATUS_UNSUCCESSFUL;
    }
}

INTSTATUS IgReadWholeFile(const char *Path, size_t MaxSize, uint8_t **Data, size_t *Size, FILE *Err)
{
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint8_t *buf = NULL;
    size_t used = 0;
    size_t capacity;
    struct stat st;
    int fd;

    *Data = NULL;
    *Size = 0;

    fd = open(Path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        IgToolError(Err, Path, "cannot open: %s", strerror(errno));
        return IgStatusFromErrno(errno);
    }
    if (fstat(fd, &st) != 0)
    {
        IgToolError(Err, Path, "cannot stat: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        goto cleanup;
    }
    if (S_ISDIR(st.st_mode))
    {
        IgToolError(Err, Path, "is a directory, expected a file");
        status = INT_STATUS_INVALID_PARAMETER;
        goto cleanup;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > MaxSize)
    {
        IgToolError(Err, Path, "file is %llu bytes, more than the limit of %zu bytes", (unsigned long long)st.st_size,
                    MaxSize);
        status = INT_STATUS_OUT_OF_RANGE;
        goto cleanup;
    }

    /* Size from stat is only a hint (pipes have none, files can grow): read until EOF, capped. */
    capacity = (S_ISREG(st.st_mode) ? (size_t)st.st_size : 0) + 1;
    if (capacity < 4096)
    {
        capacity = 4096;
    }
    /* Room for one byte past the limit (to tell "exactly MaxSize" from "more") and the NUL. */
    if (capacity > MaxSize + 2)
    {
        capacity = MaxSize + 2;
    }
    for (;;)
    {
        ssize_t got;

        if (used + 1 >= capacity)
        {
            size_t grown;
            uint8_t *bigger;

            if (capacity >= MaxSize + 2)
            {
                IgToolError(Err, Path, "file holds more than the limit of %zu bytes", MaxSize);
                status = INT_STATUS_OUT_OF_RANGE;
                goto cleanup;
            }
            if (__builtin_mul_overflow(capacity, 2, &grown) || grown > MaxSize + 2)
            {
                grown = MaxSize + 2;
            }
            bigger = realloc(buf, grown);
            if (!bigger)
            {
                IgToolError(Err, Path, "out of memory reading the file");
                status = INT_STATUS_INSUFFICIENT_RESOURCES;
                goto cleanup;
            }
            buf = bigger;
            capacity = grown;
        }
        if (!buf)
        {
            buf = malloc(capacity);
            if (!buf)
            {
                IgToolError(Err, Path, "out of memory reading the file");
                status = INT_STATUS_INSUFFICIENT_RESOURCES;
                goto cleanup;
            }
        }
        got = read(fd, buf + used, capacity - 1 - used);
        if (got < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            IgToolError(Err, Path, "read error: %s", strerror(errno));
            status = IgStatusFromErrno(errno);
            goto cleanup;
        }
        if (got == 0)
        {
            break;
        }
        used += (size_t)got;
    }
    if (used > MaxSize)
    {
        IgToolError(Err, Path, "file holds more than the limit of %zu bytes", MaxSize);
        status = INT_STATUS_OUT_OF_RANGE;
        goto cleanup;
    }
    buf[used] = 0;
    *Data = buf;
    *Size = used;
    buf = NULL;

cleanup:
    free(buf);
    close(fd);
    return status;
}

/* Splits Path into its directory ("." if none) for the temporary file. */
static INTSTATUS IgTempPathFor(const char *Path, char **Temp)
{
    const char *slash = strrchr(Path, '/');
    const char *base = slash ? slash + 1 : Path;
    size_t dirLen = slash ? (size_t)(slash - Path) + 1 : 0;
    size_t len;
    char *t;

    /* dir/ + "." + base + ".tmp-XXXXXX" + NUL */
    if (__builtin_add_overflow(dirLen, strlen(base), &len) || __builtin_add_overflow(len, 1 + 11 + 1, &len))
    {
        return INT_STATUS_ARITHMETIC_OVERFLOW;
    }
    t = malloc(len);
    if (!t)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(t, Path, dirLen);
    snprintf(t + dirLen, len - dirLen, ".%s.tmp-XXXXXX", base);
    *Temp = t;
    return INT_STATUS_SUCCESS;
}

static void IgFsyncDirectoryOf(const char *Path)
{
    const char *slash = strrchr(Path, '/');
    char dir[4096];
    int fd;

    if (!slash)
    {
        snprintf(dir, sizeof(dir), ".");
    }
    else if (slash == Path)
    {
        snprintf(dir, sizeof(dir), "/");
    }
    else if ((size_t)(slash - Path) < sizeof(dir))
    {
        memcpy(dir, Path, (size_t)(slash - Path));
        dir[slash - Path] = '\0';
    }
    else
    {
        return;
    }
    /* Best effort: the rename is already done; a failed directory sync loses no data we wrote. */
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
    {
        (void)fsync(fd);
        close(fd);
    }
}

/* Writes all of Data to Fd (EINTR retried); errno is kept on failure. */
static bool IgWriteAll(int Fd, const uint8_t *Data, size_t Size)
{
    size_t done = 0;

    while (done < Size)
    {
        ssize_t put = write(Fd, Data + done, Size - done);

        if (put < 0 && errno == EINTR)
        {
            continue;
        }
        if (put <= 0)
        {
            errno = put < 0 ? errno : EIO;
            return false;
        }
        done += (size_t)put;
    }
    return true;
}

/*
 * A device or a FIFO is written directly (it cannot be replaced by a file, and must not be):
 * every error is reported, /dev/full's included.
 */
static INTSTATUS IgWriteDevice(const char *Path, const void *Data, size_t Size, FILE *Err)
{
    int fd = open(Path, O_WRONLY | O_NOCTTY);
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (fd < 0)
    {
        IgToolError(Err, Path, "cannot open for writing: %s", strerror(errno));
        return IgStatusFromErrno(errno);
    }
    if (!IgWriteAll(fd, Data, Size))
    {
        IgToolError(Err, Path, "write error: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
    }
    if (close(fd) != 0 && INT_SUCCESS(status))
    {
        IgToolError(Err, Path, "write error on close: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
    }
    return status;
}

/*
 * Where an output goes: a new path or a regular file is replaced atomically (a symbolic link
 * keeps pointing at its file, which is replaced); a device or FIFO is written in place; a
 * directory, socket or dangling link is an error.  *Target is the path to replace (freed by the
 * caller), NULL when the output was written or refused here (*Status says which).
 */
static bool IgOutputTarget(const char *Path, const void *Data, size_t Size, FILE *Err, char **Target, mode_t *Mode,
                           INTSTATUS *Status)
{
    struct stat st;
    mode_t mask = umask(0);

    umask(mask);
    memset(&st, 0, sizeof(st));
    *Mode = 0666 & ~mask; /* a new file: what a plain fopen would make */
    *Target = NULL;
    *Status = INT_STATUS_SUCCESS;
    if (lstat(Path, &st) != 0)
    {
        if (errno != ENOENT)
        {
            IgToolError(Err, Path, "cannot examine the output: %s", strerror(errno));
            *Status = IgStatusFromErrno(errno);
            return false;
        }
        *Target = strdup(Path); /* a new file */
    }
    else if (S_ISLNK(st.st_mode))
    {
        *Target = realpath(Path, NULL);
        if (!*Target || stat(*Target, &st) != 0 || !S_ISREG(st.st_mode))
        {
            IgToolError(Err, Path, "a symbolic link to %s: write to the file itself",
                        *Target ? "something other than a regular file" : "a missing file");
            free(*Target);
            *Target = NULL;
            *Status = INT_STATUS_INVALID_PARAMETER;
            return false;
        }
    }
    else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode))
    {
        *Status = IgWriteDevice(Path, Data, Size, Err);
        return false;
    }
    else if (!S_ISREG(st.st_mode))
    {
        IgToolError(Err, Path, "is %s, not a file", S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
        *Status = INT_STATUS_INVALID_PARAMETER;
        return false;
    }
    else
    {
        *Target = strdup(Path);
    }
    if (S_ISREG(st.st_mode))
    {
        *Mode = st.st_mode & 07777; /* a replaced file keeps its mode */
    }
    if (!*Target)
    {
        IgToolError(Err, Path, "out of memory");
        *Status = INT_STATUS_INSUFFICIENT_RESOURCES;
        return false;
    }
    return true;
}

INTSTATUS IgWriteFileAtomic(const char *Output, const void *Data, size_t Size, FILE *Err)
{
    INTSTATUS status;
    char *temp = NULL;
    char *Path = NULL;
    mode_t mode = 0;
    int fd = -1;

    if (!IgOutputTarget(Output, Data, Size, Err, &Path, &mode, &status))
    {
        return status;
    }
    status = IgTempPathFor(Path, &temp);
    if (!INT_SUCCESS(status))
    {
        IgToolError(Err, Path, "cannot build a temporary file name");
        free(Path);
        return status;
    }
    fd = mkstemp(temp);
    if (fd < 0)
    {
        IgToolError(Err, Path, "cannot create a temporary file next to it: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        free(temp);
        free(Path);
        return status;
    }

    /* mkstemp makes the file 0600: give it the replaced file's mode, or a new file's. */
    if (fchmod(fd, mode) != 0)
    {
        IgToolError(Err, Path, "cannot set the file mode: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        goto cleanup;
    }
    if (!IgWriteAll(fd, Data, Size))
    {
        IgToolError(Err, Path, "write error: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        goto cleanup;
    }
    if (fsync(fd) != 0)
    {
        IgToolError(Err, Path, "cannot flush to disk: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        goto cleanup;
    }
    if (close(fd) != 0)
    {
        fd = -1;
        IgToolError(Err, Path, "write error on close: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        goto cleanup;
    }
    fd = -1;
    if (rename(temp, Path) != 0)
    {
        IgToolError(Err, Path, "cannot replace the file: %s", strerror(errno));
        status = IgStatusFromErrno(errno);
        goto cleanup;
    }
    IgFsyncDirectoryOf(Path);
    status = INT_STATUS_SUCCESS;

cleanup:
    if (fd >= 0)
    {
        close(fd);
    }
    if (!INT_SUCCESS(status))
    {
        unlink(temp);
    }
    free(temp);
    free(Path);
    return status;
}

static bool IgTextReserve(IG_TEXT *Text, size_t Extra)
{
    size_t need;
    size_t capacity;
    char *bigger;

    if (Text->Failed)
    {
        return false;
    }
    if (__builtin_add_overflow(Text->Length, Extra, &need) || __builtin_add_overflow(need, 1, &need))
    {
        Text->Failed = true;
        return false;
    }
    if (need <= Text->Capacity)
    {
        return true;
    }
    capacity = Text->Capacity ? Text->Capacity : 256;
    while (capacity < need)
    {
        if (__builtin_mul_overflow(capacity, 2, &capacity))
        {
            Text->Failed = true;
            return false;
        }
    }
    bigger = realloc(Text->Data, capacity);
    if (!bigger)
    {
        Text->Failed = true;
        return false;
    }
    Text->Data = bigger;
    Text->Capacity = capacity;
    return true;
}

void IgTextAppendBytes(IG_TEXT *Text, const char *Bytes, size_t Length)
{
    if (!IgTextReserve(Text, Length))
    {
        return;
    }
    memcpy(Text->Data + Text->Length, Bytes, Length);
    Text->Length += Length;
    Text->Data[Text->Length] = '\0';
}

void IgTextAppend(IG_TEXT *Text, const char *Format, ...)
{
    va_list args;
    int need;

    va_start(args, Format);
    need = vsnprintf(NULL, 0, Format, args);
    va_end(args);
    if (need < 0 || !IgTextReserve(Text, (size_t)need))
    {
        Text->Failed = true;
        return;
    }
    va_start(args, Format);
    vsnprintf(Text->Data + Text->Length, (size_t)need + 1, Format, args);
    va_end(args);
    Text->Length += (size_t)need;
}

void IgTextFree(IG_TEXT *Text)
{
    free(Text->Data);
    memset(Text, 0, sizeof(*Text));
}

void IgOptInit(IG_OPT_STATE *State, int Argc, char **Argv, const char *Command)
{
    State->Argc = Argc;
    State->Argv = Argv;
    State->Index = 1;
    State->Positional = false;
    State->Command = Command;
}

int IgOptNext(IG_OPT_STATE *State, const IG_OPTION *Options, const char **Value, FILE *Err)
{
    const char *arg;

    *Value = NULL;
    if (State->Index >= State->Argc)
    {
        return IG_OPT_END;
    }
    arg = State->Argv[State->Index++];
    if (State->Positional || arg[0] != '-' || arg[1] == '\0')
    {
        *Value = arg;
        return IG_OPT_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0)
    {
        State->Positional = true;
        return IgOptNext(State, Options, Value, Err);
    }

    if (arg[1] == '-')
    {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t nameLen = eq ? (size_t)(eq - name) : strlen(name);

        for (const IG_OPTION *o = Options; o && o->Id; o++)
        {
            if (!o->Long || strlen(o->Long) != nameLen || strncmp(o->Long, name, nameLen) != 0)
            {
                continue;
            }
            if (!o->HasValue)
            {
                if (eq)
                {
                    IgToolError(Err, State->Command, "option --%s takes no value", o->Long);
                    return IG_OPT_ERROR;
                }
                return o->Id;
            }
            if (eq)
            {
                *Value = eq + 1;
                return o->Id;
            }
            if (State->Index >= State->Argc)
            {
                IgToolError(Err, State->Command, "option --%s needs a value", o->Long);
                return IG_OPT_ERROR;
            }
            *Value = State->Argv[State->Index++];
            return o->Id;
        }
        IgToolError(Err, State->Command, "unknown option --%.*s (see --help)", (int)nameLen, name);
        return IG_OPT_ERROR;
    }

    for (const IG_OPTION *o = Options; o && o->Id; o++)
    {
        if (!o->Short || o->Short != arg[1])
        {
            continue;
        }
        if (!o->HasValue)
        {
            if (arg[2] != '\0')
            {
                IgToolError(Err, State->Command, "option -%c takes no value (options cannot be combined)", arg[1]);
                return IG_OPT_ERROR;
            }
            return o->Id;
        }
        if (arg[2] != '\0')
        {
            *Value = arg + 2;
            return o->Id;
        }
        if (State->Index >= State->Argc)
        {
            IgToolError(Err, State->Command, "option -%c needs a value", o->Short);
            return IG_OPT_ERROR;
        }
        *Value = State->Argv[State->Index++];
        return o->Id;
    }
    IgToolError(Err, State->Command, "unknown option %s (see --help)", arg);
    return IG_OPT_ERROR;
}

void *IgToolRealloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

void IgSha256Hex(const void *Data, size_t Size, char *Hex)
{
    uint8_t digest[INTRO_EXC_SHA256_SIZE];

    /* Only a NULL pointer fails, and Data always points at the file's bytes. */
    if (!INT_SUCCESS(IntExceptFileDigest(Size ? Data : "", Size, digest)))
    {
        memset(digest, 0, sizeof(digest));
    }
    for (size_t i = 0; i < sizeof(digest); i++)
    {
        snprintf(Hex + 2 * i, 3, "%02x", digest[i]);
    }
}

void IgTextJsonString(IG_TEXT *Out, const char *Text, size_t Length)
{
    IgTextAppend(Out, "\"");
    for (size_t i = 0; i < Length; i++)
    {
        unsigned char c = (unsigned char)Text[i];

        if (c == '"' || c == '\\')
        {
            IgTextAppend(Out, "\\%c", c);
        }
        else if (c < 0x20 || c == 0x7F)
        {
            IgTextAppend(Out, "\\u%04x", c);
        }
        else
        {
            IgTextAppendBytes(Out, (const char *)&c, 1);
        }
    }
    IgTextAppend(Out, "\"");
}
