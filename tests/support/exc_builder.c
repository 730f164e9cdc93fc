/*
 * In-memory exceptions file generator for tests (see exc_builder.h): every record goes through the
 * library's writer (intro_excfile.h).
 */
#include "exc_builder.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/crc32.h"

/* A writer over File's array (no growth: a file that does not fit fails the test). */
static void XbWriterOpen(IG_TEST_FILE *File, INTRO_EXCFILE_WRITER *Writer)
{
    IntExcFileWriterInit(Writer, File->Data, sizeof(File->Data), NULL, NULL);
    if (File->Size == 0)
    {
        File->Size = IG_FILE_HEADER_SIZE; /* room for the header XbFinish writes */
    }
    Writer->Size = File->Size;
    Writer->HasHeader = true;
}

static uint32_t XbWritten(IG_TEST_FILE *File, const INTRO_EXCFILE_WRITER *Writer, INTSTATUS Status)
{
    assert_int_equal(Status, INT_STATUS_SUCCESS);
    File->Size = Writer->Size;
    return File->Records++;
}

void XbInit(IG_TEST_FILE *File)
{
    memset(File, 0, sizeof(*File));
    File->Size = IG_FILE_HEADER_SIZE;
}

static uint32_t XbException(IG_TEST_FILE *File, uint8_t Type, const INTRO_EXCFILE_EXCEPTION *Exception)
{
    INTRO_EXCFILE_WRITER w;

    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteException(&w, Type, Exception));
}

uint32_t XbKernel(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Flags, uint8_t Type,
                  uint32_t SigCount, const uint32_t *SigIds)
{
    INTRO_EXCFILE_EXCEPTION e = {.Originator = Originator,
                                 .OriginatorPath = INTRO_EXCFILE_NO_NAME,
                                 .Victim = Victim,
                                 .Flags = Flags,
                                 .ObjectType = Type,
                                 .SigIds = {NULL, SigIds, SigCount}};

    File->Kernel++;
    return XbException(File, IgRecKernel, &e);
}

/* A user or a kernel-user exception (the same fields; Counter counts the kind). */
static uint32_t XbProcessException(IG_TEST_FILE *File, uint8_t Record, uint32_t *Counter, uint32_t Originator,
                                   uint32_t Victim, uint32_t Process, uint32_t Flags, uint8_t Type, uint32_t SigCount,
                                   const uint32_t *SigIds)
{
    INTRO_EXCFILE_EXCEPTION e = {.Originator = Originator,
                                 .Victim = Victim,
                                 .Process = Process,
                                 .Flags = Flags,
                                 .ObjectType = Type,
                                 .SigIds = {NULL, SigIds, SigCount}};

    (*Counter)++;
    return XbException(File, Record, &e);
}

uint32_t XbUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    return XbProcessException(File, IgRecUser, &File->User, Originator, Victim, Process, Flags, Type, SigCount, SigIds);
}

uint32_t XbKernelUser(IG_TEST_FILE *File, uint32_t Originator, uint32_t Victim, uint32_t Process, uint32_t Flags,
                      uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    return XbProcessException(File, IgRecKernelUser, &File->KernelUser, Originator, Victim, Process, Flags, Type,
                              SigCount, SigIds);
}

uint32_t XbGlob(IG_TEST_FILE *File, const char *Originator, const char *Victim, const char *Process, uint32_t Flags,
                uint8_t Type, uint32_t SigCount, const uint32_t *SigIds)
{
    INTRO_EXCFILE_GLOB g = {.Flags = Flags,
                            .ObjectType = Type,
                            .Originator = {Originator, strlen(Originator)},
                            .Victim = {Victim, strlen(Victim)},
                            .Process = {Process, strlen(Process)},
                            .SigIds = {NULL, SigIds, SigCount}};
    INTRO_EXCFILE_WRITER w;

    File->Globs++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteGlob(&w, &g));
}

static uint32_t XbVersion(IG_TEST_FILE *File, uint8_t Type, uint32_t Id, uint32_t Flags, uint64_t Min, uint64_t Max)
{
    INTRO_EXCFILE_VERSION v = {.Id = Id, .Flags = Flags, .Minimum = Min, .Maximum = Max};
    INTRO_EXCFILE_WRITER w;

    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteVersion(&w, Type, &v));
}

uint32_t XbVersionOs(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    return XbVersion(File, IgRecVersionOsSig, Id, Flags, Minimum, Maximum);
}

uint32_t XbVersionIntro(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint64_t Minimum, uint64_t Maximum)
{
    return XbVersion(File, IgRecVersionIntroSig, Id, Flags, Minimum, Maximum);
}

uint32_t XbIdt(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Entry)
{
    INTRO_EXCFILE_IDT idt = {.Id = Id, .Flags = Flags, .Entry = Entry};
    INTRO_EXCFILE_WRITER w;

    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteIdt(&w, &idt));
}

uint32_t XbProcessCreation(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t CreateMask)
{
    INTRO_EXCFILE_PROCESS_CREATION pc = {.Id = Id, .Flags = Flags, .CreateMask = CreateMask};
    INTRO_EXCFILE_WRITER w;

    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteProcessCreation(&w, &pc));
}

uint32_t XbValue(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint8_t Score, uint16_t Offset, uint16_t Size,
                 uint32_t Hash)
{
    INTRO_EXCFILE_VALUE_ENTRY entry = {.Offset = Offset, .Size = Size, .Hash = Hash};
    INTRO_EXCFILE_VALUE v = {.Id = Id, .Flags = Flags, .Score = Score, .Count = 1, .Entries = &entry};
    INTRO_EXCFILE_WRITER w;

    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteValue(&w, &v));
}

uint32_t XbCodeBlocks(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Hash)
{
    static const uint8_t one = 1;
    INTRO_EXCFILE_CODEBLOCKS cb = {
        .Id = Id, .Flags = Flags, .Score = 1, .ListCount = 1, .ListSizes = &one, .Hashes = &Hash};
    INTRO_EXCFILE_WRITER w;

    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteCodeBlocks(&w, &cb));
}

uint32_t XbExport(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, uint32_t Library, uint8_t Count,
                  const uint16_t *Deltas, const uint32_t *Functions)
{
    INTRO_EXCFILE_EXPORT_ENTRY entries[255];
    INTRO_EXCFILE_EXPORT ex = {.Id = Id, .Flags = Flags, .Library = Library, .Count = Count, .Entries = entries};
    INTRO_EXCFILE_WRITER w;

    memset(entries, 0, sizeof(entries));
    for (uint8_t i = 0; i < Count; i++)
    {
        entries[i].Delta = Deltas[i];
        entries[i].FunctionHash = Functions[i];
    }
    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteExport(&w, &ex));
}

uint32_t XbValueCode(IG_TEST_FILE *File, uint32_t Id, uint32_t Flags, int16_t Offset, uint16_t Length,
                     const uint16_t *Pattern)
{
    INTRO_EXCFILE_VALUE_CODE vc = {.Id = Id, .Flags = Flags, .Offset = Offset, .Pattern = {NULL, Pattern, Length}};
    INTRO_EXCFILE_WRITER w;

    File->Signatures++;
    XbWriterOpen(File, &w);
    return XbWritten(File, &w, IntExcFileWriteValueCode(&w, &vc));
}

const uint8_t *XbFinish(IG_TEST_FILE *File, size_t *Size)
{
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_WRITER w;

    XbWriterOpen(File, &w);
    IntExcFileHeaderInit(&header);
    header.KernelCount = File->Kernel;
    header.UserCount = File->User;
    header.SignatureCount = File->Signatures;
    header.GlobCount = File->Globs;
    header.KernelUserCount = File->KernelUser;
    assert_int_equal(IntExcFileWriteHeader(&w, &header), INT_STATUS_SUCCESS);
    *Size = File->Size;
    return File->Data;
}

IG_RULESET *XbLoad(IG_TEST_FILE *File, IG_GUEST_OS Os)
{
    size_t size;
    const uint8_t *data = XbFinish(File, &size);
    IG_RULESET *set = NULL;
    IG_PARSE_ERROR error;
    INTSTATUS status;

    status = IgRuleSetLoad(&gIgMallocAllocator, data, size, Os, &set, &error);
    if (!INT_SUCCESS(status))
    {
        fprintf(stderr, "load failed: %s\n", error.Message);
    }
    assert_int_equal(status, INT_STATUS_SUCCESS);
    assert_true(IgRuleSetConsistent(set));
    return set;
}

uint32_t XbWide(const char *Name)
{
    char lower[256];
    size_t n = strlen(Name);

    assert_true(n < sizeof(lower));
    for (size_t i = 0; i < n; i++)
    {
        lower[i] = (Name[i] >= 'A' && Name[i] <= 'Z') ? (char)(Name[i] + 32) : Name[i];
    }
    return IgNameHashWideAscii(lower, n);
}

uint32_t XbNarrow(const char *Name)
{
    return IgNameHash(Name, strlen(Name));
}
