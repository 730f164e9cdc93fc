/*
 * A driver that runs a libFuzzer target over files without libFuzzer: each argument is a file, or
 * a directory whose files are taken in sorted order, and each file is one input.  ctest uses it to
 * replay every target's seed corpus deterministically in the regular and sanitizer builds
 * (tests/fuzz_seeds.cmake), so a seed that once found a bug keeps guarding against it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static int RunFile(const char *Path)
{
    FILE *f = fopen(Path, "rb");
    uint8_t *data = NULL;
    long size;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
    {
        fprintf(stderr, "replay_seeds: cannot read %s\n", Path);
        if (f)
        {
            fclose(f);
        }
        return 1;
    }
    data = malloc(size ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
    {
        fprintf(stderr, "replay_seeds: cannot read %s\n", Path);
        free(data);
        fclose(f);
        return 1;
    }
    fclose(f);
    (void)LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    printf("ok %s\n", Path);
    return 0;
}

static int CompareNames(const void *A, const void *B)
{
    return strcmp(*(char *const *)A, *(char *const *)B);
}

static int RunDirectory(const char *Path)
{
    DIR *dir = opendir(Path);
    struct dirent *entry;
    char **names = NULL;
    size_t count = 0, capacity = 0;
    int failed = 0;

    if (!dir)
    {
        fprintf(stderr, "replay_seeds: cannot open %s\n", Path);
        return 1;
    }
    while ((entry = readdir(dir)) != NULL)
    {
        char *name;

        if (entry->d_name[0] == '.')
        {
            continue;
        }
        if (count == capacity)
        {
            char **grown = realloc(names, (capacity = capacity ? 2 * capacity : 16) * sizeof(*names));

            if (!grown)
            {
                failed = 1;
                break;
            }
            names = grown;
        }
        name = malloc(strlen(Path) + strlen(entry->d_name) + 2);
        if (!name)
        {
            failed = 1;
            break;
        }
        sprintf(name, "%s/%s", Path, entry->d_name);
        names[count++] = name;
    }
    closedir(dir);
    qsort(names, count, sizeof(*names), CompareNames);
    for (size_t i = 0; i < count; i++)
    {
        failed |= RunFile(names[i]);
        free(names[i]);
    }
    free(names);
    return failed;
}

int main(int Argc, char **Argv)
{
    int failed = 0;

    if (Argc < 2)
    {
        fprintf(stderr, "usage: replay_seeds FILE|DIR...\n");
        return 2;
    }
    for (int i = 1; i < Argc; i++)
    {
        struct stat st;

        if (stat(Argv[i], &st) != 0)
        {
            fprintf(stderr, "replay_seeds: %s does not exist\n", Argv[i]);
            failed = 1;
        }
        else
        {
            failed |= S_ISDIR(st.st_mode) ? RunDirectory(Argv[i]) : RunFile(Argv[i]);
        }
    }
    return failed;
}
