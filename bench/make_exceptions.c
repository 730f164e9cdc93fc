/*
 * make_exceptions: writes generated exceptions files (bench/support/gen_exceptions.h).
 *
 *   make_exceptions [--kernel N] [--user N] [--kernel-user N] [--glob N] [--seed S] [--build B] -o FILE
 *   make_exceptions --seeds DIR      writes the loader's fuzz seed corpus (fuzz/seeds/loader)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_exceptions.h"

static int WriteFile(const char *Path, const void *Data, size_t Size)
{
    FILE *f = fopen(Path, "wb");
    int ok;

    if (!f)
    {
        fprintf(stderr, "make_exceptions: cannot create %s: %s\n", Path, strerror(errno));
        return 0;
    }
    ok = fwrite(Data, 1, Size, f) == Size;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
    {
        fprintf(stderr, "make_exceptions: cannot write %s\n", Path);
    }
    return ok;
}

static int WriteSeeds(const char *Dir)
{
    for (uint32_t i = 0; i < IgGenSeedCount(); i++)
    {
        IG_GEN_BUFFER buf;
        bool valid;
        char path[4096];
        const char *name = IgGenSeed(i, &buf, &valid);
        size_t size = buf.Size;
        int ok;

        if (buf.Failed)
        {
            fprintf(stderr, "make_exceptions: seed %s could not be built\n", name);
            IgGenBufferFree(&buf);
            return 1;
        }
        snprintf(path, sizeof(path), "%s/%s", Dir, name);
        ok = WriteFile(path, buf.Data, buf.Size);
        IgGenBufferFree(&buf);
        if (!ok)
        {
            return 1;
        }
        printf("%s %zu bytes%s\n", path, size, valid ? "" : " (corrupt)");
    }
    return 0;
}

static int ParseU32(const char *Text, uint32_t *Value)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(Text, &end, 0);
    if (errno || *end || end == Text || v > UINT32_MAX)
    {
        fprintf(stderr, "make_exceptions: bad number '%s'\n", Text);
        return 0;
    }
    *Value = (uint32_t)v;
    return 1;
}

int main(int argc, char **argv)
{
    IG_GEN_PARAMS params;
    IG_GEN_SUMMARY summary;
    const char *output = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    uint32_t seed = 1;
    INTSTATUS status;
    int rc;

    IgGenDefaultParams(&params);
    for (int i = 1; i < argc; i++)
    {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        uint32_t *target = NULL;

        if (!strcmp(arg, "--seeds") && value)
        {
            return WriteSeeds(value);
        }
        if (!strcmp(arg, "-o") && value)
        {
            output = value;
            i++;
            continue;
        }
        target = !strcmp(arg, "--kernel")        ? &params.KernelCount
                 : !strcmp(arg, "--user")        ? &params.UserCount
                 : !strcmp(arg, "--kernel-user") ? &params.KernelUserCount
                 : !strcmp(arg, "--glob")        ? &params.GlobCount
                 : !strcmp(arg, "--build")       ? &params.BuildNumber
                 : !strcmp(arg, "--seed")        ? &seed
                                                 : NULL;
        if (!target || !value)
        {
            fprintf(stderr, "usage: make_exceptions [--kernel N] [--user N] [--kernel-user N] [--glob N] [--seed S] "
                            "[--build B] -o FILE\n       make_exceptions --seeds DIR\n");
            return 2;
        }
        if (!ParseU32(value, target))
        {
            return 2;
        }
        i++;
    }
    if (!output)
    {
        fprintf(stderr, "make_exceptions: -o FILE is required\n");
        return 2;
    }
    params.Seed = seed;

    status = IgGenExceptions(&params, &data, &size, &summary);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "make_exceptions: generation failed (status 0x%08" PRIX32 ")\n", (uint32_t)status);
        return 1;
    }
    rc = WriteFile(output, data, size) ? 0 : 1;
    if (rc == 0)
    {
        printf("%s: %zu bytes, %" PRIu32 " exceptions (%" PRIu32 " signed, %" PRIu32 " with originator *), %" PRIu32
               " signatures\n",
               output, size, summary.Exceptions, summary.SignedExceptions, summary.AnyOriginator, summary.Signatures);
    }
    free(data);
    return rc;
}
