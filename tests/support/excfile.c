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

/* Counts a record of Type the way the header counts them. */
static void TfCount(TF_FILE *File, uint8_t Type)
{
    switch (IntExcFileSection(Type))
    {
        case INTRO_EXCFILE_SECTION_KERNEL:
            File->Counts[0]++;
            break;
        case INTRO_EXCFILE_SECTION_USER:
            File->Counts[1]++;
            break;
        case INTRO_EXCFILE_SECTION_GLOB:
            File->Counts[2]++;
            break;
        case INTRO_EXCFILE_SECTION_KERNEL_USER:
            File->Counts[3]++;
            break;
        case INTRO_EXCFILE_SECTION_SIGNATURES:
            File->SigCount++;
            break;
        default:
            break;
    }
}

static void *TfRealloc(void *Context, void *Block, size_t Size)
{
    (void)Context;
    return realloc(Block, Size);
}

/* A writer that appends to File (its header is already at offset 0). */
static void TfWriterOpen(TF_FILE *File, INTRO_EXCFILE_WRITER *Writer)
{
    IntExcFileWriterInit(Writer, File->Data, File->Capacity, TfRealloc, NULL);
    Writer->Size = File->Size;
    Writer->HasHeader = File->Size >= INTRO_EXCFILE_HEADER_SIZE;
}

/* Takes the writer's buffer back; a failed write is a broken test. */
static void TfWriterClose(TF_FILE *File, INTRO_EXCFILE_WRITER *Writer, INTSTATUS Status, uint8_t Type)
{
    if (!INT_SUCCESS(Status))
    {
        abort();
    }
    File->Data = Writer->Data;
    File->Capacity = Writer->Capacity;
    File->Size = Writer->Size;
    TfCount(File, Type);
}

static void TfWriteHeader(TF_FILE *File)
{
    INTRO_EXCFILE_WRITER w;

    TfWriterOpen(File, &w);
    if (!INT_SUCCESS(IntExcFileWriteHeader(&w, &File->Header)))
    {
        abort();
    }
    File->Data = w.Data;
    File->Capacity = w.Capacity;
    File->Size = w.Size;
}

void TfInit(TF_FILE *File)
{
    memset(File, 0, sizeof(*File));
    IntExcFileHeaderInit(&File->Header);
    TfWriteHeader(File);
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
    TfCount(File, Type);
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
    INTRO_EXCFILE_EXCEPTION e = {.Originator = Originator,
                                 .OriginatorPath = INTRO_EXCFILE_NO_NAME,
                                 .Victim = Victim,
                                 .Flags = Flags,
                                 .ObjectType = ObjectType,
                                 .SigIds = {NULL, SigIds, SigCount}};
    INTRO_EXCFILE_WRITER w;

    TfWriterOpen(File, &w);
    TfWriterClose(File, &w, IntExcFileWriteException(&w, INTRO_EXCFILE_REC_KERNEL, &e), INTRO_EXCFILE_REC_KERNEL);
}

void TfUser(TF_FILE *File, uint8_t Type, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
            uint8_t ObjectType, uint16_t SigCount, const uint32_t *SigIds)
{
    INTRO_EXCFILE_EXCEPTION e = {.Originator = Originator,
                                 .Victim = Victim,
                                 .Process = Process,
                                 .Flags = Flags,
                                 .ObjectType = ObjectType,
                                 .SigIds = {NULL, SigIds, SigCount}};
    INTRO_EXCFILE_WRITER w;

    TfWriterOpen(File, &w);
    TfWriterClose(File, &w, IntExcFileWriteException(&w, Type, &e), Type);
}

void TfGlob(TF_FILE *File, uint32_t Flags, uint8_t ObjectType, const char *Originator, const char *Victim,
            const char *Process, uint16_t SigCount, const uint32_t *SigIds)
{
    INTRO_EXCFILE_GLOB g = {.Flags = Flags,
                            .ObjectType = ObjectType,
                            .Originator = {Originator, strlen(Originator)},
                            .Victim = {Victim, strlen(Victim)},
                            .Process = {Process, strlen(Process)},
                            .SigIds = {NULL, SigIds, SigCount}};
    INTRO_EXCFILE_WRITER w;

    TfWriterOpen(File, &w);
    TfWriterClose(File, &w, IntExcFileWriteGlob(&w, &g), INTRO_EXCFILE_REC_USER_GLOB);
}

void TfIdtSig(TF_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    INTRO_EXCFILE_IDT idt = {.Id = Id, .Flags = Flags, .Entry = Entry};
    INTRO_EXCFILE_WRITER w;

    TfWriterOpen(File, &w);
    TfWriterClose(File, &w, IntExcFileWriteIdt(&w, &idt), INTRO_EXCFILE_REC_IDT);
}

void TfFinish(TF_FILE *File, const uint32_t *Override)
{
    File->Header.KernelCount = Override ? Override[0] : File->Counts[0];
    File->Header.UserCount = Override ? Override[1] : File->Counts[1];
    File->Header.SignatureCount = Override ? Override[2] : File->SigCount;
    File->Header.GlobCount = Override ? Override[3] : File->Counts[2];
    File->Header.KernelUserCount = Override ? Override[4] : File->Counts[3];
    TfWriteHeader(File);
}

void TfSetVersion(TF_FILE *File, uint16_t Major, uint16_t Minor, uint32_t Build)
{
    File->Header.Major = Major;
    File->Header.Minor = Minor;
    File->Header.BuildNumber = Build;
    TfWriteHeader(File);
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
