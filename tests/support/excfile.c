#include "excfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void TfReserve(TF_FILE *File, size_t More)
{
    if (File->Size + More <= File->Capacity)
    {
        return;
    }
    File->Capacity = (File->Size + More) * 2 + 64;
    File->Data = realloc(File->Data, File->Capacity);
    if (!File->Data)
    {
        abort();
    }
}

void TfBytes(TF_FILE *File, const void *Bytes, size_t Length)
{
    TfReserve(File, Length);
    memcpy(File->Data + File->Size, Bytes, Length);
    File->Size += Length;
}

void TfU8(TF_FILE *File, uint8_t Value)
{
    TfBytes(File, &Value, 1);
}

void TfU16(TF_FILE *File, uint16_t Value)
{
    uint8_t b[2] = {(uint8_t)Value, (uint8_t)(Value >> 8)};
    TfBytes(File, b, 2);
}

void TfU32(TF_FILE *File, uint32_t Value)
{
    TfU16(File, (uint16_t)Value);
    TfU16(File, (uint16_t)(Value >> 16));
}

void TfU64(TF_FILE *File, uint64_t Value)
{
    TfU32(File, (uint32_t)Value);
    TfU32(File, (uint32_t)(Value >> 32));
}

void TfInit(TF_FILE *File)
{
    memset(File, 0, sizeof(*File));
    TfU32(File, 0x414E5845); /* "EXNA" */
    TfU16(File, 2);
    TfU16(File, 2);
    for (int i = 0; i < 7; i++)
    {
        TfU32(File, 0);
    }
}

void TfFree(TF_FILE *File)
{
    free(File->Data);
    memset(File, 0, sizeof(*File));
}

size_t TfBegin(TF_FILE *File, uint8_t Type)
{
    size_t at = File->Size;

    TfU8(File, Type);
    TfU16(File, 0);
    switch (Type)
    {
        case 1:
            File->Counts[0]++;
            break;
        case 2:
        case 9:
            File->Counts[1]++;
            break;
        case 6:
            File->Counts[2]++;
            break;
        case 14:
            File->Counts[3]++;
            break;
        case 3:
        case 4:
        case 5:
        case 8:
        case 10:
        case 11:
        case 12:
        case 13:
            File->SigCount++;
            break;
        default:
            break;
    }
    return at;
}

void TfEnd(TF_FILE *File, size_t Record)
{
    size_t size = File->Size - Record - 3;

    File->Data[Record + 1] = (uint8_t)size;
    File->Data[Record + 2] = (uint8_t)(size >> 8);
}

void TfKernel(TF_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Flags, uint8_t ObjectType,
              uint16_t SigCount, const uint32_t *SigIds)
{
    size_t r = TfBegin(File, 1);

    TfU32(File, Originator);
    TfU32(File, 0xFFFFFFFF);
    TfU32(File, Victim);
    TfU32(File, Flags);
    TfU8(File, 0);
    TfU8(File, ObjectType);
    TfU16(File, SigCount);
    for (uint16_t i = 0; i < SigCount; i++)
    {
        TfU32(File, SigIds[i]);
    }
    TfEnd(File, r);
}

void TfUser(TF_FILE *File, uint8_t Type, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
            uint8_t ObjectType, uint16_t SigCount, const uint32_t *SigIds)
{
    size_t r = TfBegin(File, Type);

    TfU32(File, Originator);
    TfU32(File, Victim);
    TfU32(File, Process);
    TfU32(File, Flags);
    TfU8(File, 0);
    TfU8(File, ObjectType);
    TfU16(File, SigCount);
    for (uint16_t i = 0; i < SigCount; i++)
    {
        TfU32(File, SigIds[i]);
    }
    TfEnd(File, r);
}

void TfGlob(TF_FILE *File, uint32_t Flags, uint8_t ObjectType, const char *Originator, const char *Victim,
            const char *Process, uint16_t SigCount, const uint32_t *SigIds)
{
    size_t r = TfBegin(File, 6);

    TfU32(File, Flags);
    TfU8(File, 0);
    TfU8(File, ObjectType);
    TfU16(File, SigCount);
    TfBytes(File, Originator, strlen(Originator) + 1);
    TfBytes(File, Victim, strlen(Victim) + 1);
    TfBytes(File, Process, strlen(Process) + 1);
    for (uint16_t i = 0; i < SigCount; i++)
    {
        TfU32(File, SigIds[i]);
    }
    TfEnd(File, r);
}

void TfIdtSig(TF_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    size_t r = TfBegin(File, 10);

    TfU32(File, Id);
    TfU32(File, Flags);
    TfU8(File, Entry);
    TfU8(File, 0);
    TfU8(File, 0);
    TfU8(File, 0);
    TfEnd(File, r);
}

static void TfPatch32(TF_FILE *File, size_t At, uint32_t Value)
{
    for (int i = 0; i < 4; i++)
    {
        File->Data[At + (size_t)i] = (uint8_t)(Value >> (8 * i));
    }
}

void TfFinish(TF_FILE *File, const uint32_t *Override)
{
    TfPatch32(File, 8, Override ? Override[0] : File->Counts[0]);
    TfPatch32(File, 12, Override ? Override[1] : File->Counts[1]);
    TfPatch32(File, 16, Override ? Override[2] : File->SigCount);
    TfPatch32(File, 24, Override ? Override[3] : File->Counts[2]);
    TfPatch32(File, 28, Override ? Override[4] : File->Counts[3]);
}

void TfSetVersion(TF_FILE *File, uint16_t Major, uint16_t Minor, uint32_t Build)
{
    File->Data[4] = (uint8_t)Major;
    File->Data[5] = (uint8_t)(Major >> 8);
    File->Data[6] = (uint8_t)Minor;
    File->Data[7] = (uint8_t)(Minor >> 8);
    TfPatch32(File, 20, Build);
}

uint8_t *TfGuardedCopy(const void *Data, size_t Size)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = (Size + (size_t)page - 1) / (size_t)page + 1;
    uint8_t *map = mmap(NULL, pages * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *copy;

    if (map == MAP_FAILED)
    {
        abort();
    }
    if (mprotect(map + (pages - 1) * (size_t)page, (size_t)page, PROT_NONE) != 0)
    {
        abort();
    }
    copy = map + (pages - 1) * (size_t)page - Size;
    memcpy(copy, Data, Size);
    return copy;
}

void TfGuardedFree(uint8_t *Copy, size_t Size)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = (Size + (size_t)page - 1) / (size_t)page + 1;
    uint8_t *map = Copy + Size - (pages - 1) * (size_t)page;

    munmap(map, pages * (size_t)page);
}

uint8_t *TfReadFile(const char *Path, size_t *Size)
{
    FILE *f = fopen(Path, "rb");
    uint8_t *data = NULL;
    long len;

    *Size = 0;
    if (!f)
    {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
    {
        data = malloc((size_t)len + 1);
        if (data && fread(data, 1, (size_t)len, f) == (size_t)len)
        {
            *Size = (size_t)len;
        }
        else
        {
            free(data);
            data = NULL;
        }
    }
    fclose(f);
    return data;
}

const char *TfCorpusDir(const char *TestName)
{
    const char *dir = getenv("INTROGUARD_HVMI_CORPUS");

    if (!dir || !*dir)
    {
        printf("SKIP: %s: INTROGUARD_HVMI_CORPUS is not set (point it at hvmi's exceptions/ folder "
               "or ../shared/corpus/hvmi)\n",
               TestName);
        fflush(stdout);
        return NULL;
    }
    return dir;
}
