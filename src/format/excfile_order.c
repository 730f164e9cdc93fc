/*
 * The compiler's layout of an exceptions file (intro_excfile.h): sections, sort keys, and the name
 * hash its name fields hold.
 */
#include "introguard/intro_excfile.h"

#include <string.h>

#include "common/crc32.h"

unsigned IntExcFileSection(uint8_t RecordType)
{
    switch (RecordType)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            return INTRO_EXCFILE_SECTION_KERNEL;
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
            return INTRO_EXCFILE_SECTION_USER;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return INTRO_EXCFILE_SECTION_KERNEL_USER;
        case INTRO_EXCFILE_REC_USER_GLOB:
            return INTRO_EXCFILE_SECTION_GLOB;
        default:
            return (RecordType < 16 && ((INTRO_EXCFILE_SIGNATURE_TYPES >> RecordType) & 1u))
                       ? INTRO_EXCFILE_SECTION_SIGNATURES
                       : INTRO_EXCFILE_SECTION_UNKNOWN;
    }
}

static int IgCompareKeys(const uint32_t *A, const uint32_t *B, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        if (A[i] != B[i])
        {
            return A[i] < B[i] ? -1 : 1;
        }
    }
    return 0;
}

/* The sort keys of one record, in the order the compiler compares them (spec §5.10). */
static size_t IgExceptionKeys(uint8_t RecordType, const INTRO_EXCFILE_EXCEPTION *E, uint32_t Keys[5])
{
    switch (RecordType)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            Keys[0] = E->Originator, Keys[1] = E->ObjectType, Keys[2] = E->Victim, Keys[3] = E->Flags;
            return 4;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            Keys[0] = E->Originator, Keys[1] = E->Process, Keys[2] = E->ObjectType, Keys[3] = E->Victim;
            Keys[4] = E->Flags;
            return 5;
        default: /* user and user-APC share one section and one key */
            Keys[0] = E->Originator, Keys[1] = E->ObjectType, Keys[2] = E->Victim, Keys[3] = E->Process;
            Keys[4] = E->Flags;
            return 5;
    }
}

int IntExcFileCompareExceptions(uint8_t RecordType, const INTRO_EXCFILE_EXCEPTION *A, const INTRO_EXCFILE_EXCEPTION *B)
{
    uint32_t ka[5], kb[5];
    size_t n = IgExceptionKeys(RecordType, A, ka);

    (void)IgExceptionKeys(RecordType, B, kb);
    return IgCompareKeys(ka, kb, n);
}

/* Python's string order on the patterns: bytewise, a prefix first. */
static int IgCompareText(const INTRO_EXCFILE_TEXT *A, const INTRO_EXCFILE_TEXT *B)
{
    size_t n = A->Length < B->Length ? A->Length : B->Length;
    int r = n ? memcmp(A->Text, B->Text, n) : 0;

    if (r != 0)
    {
        return r < 0 ? -1 : 1;
    }
    return A->Length < B->Length ? -1 : (A->Length > B->Length);
}

int IntExcFileCompareGlobs(const INTRO_EXCFILE_GLOB *A, const INTRO_EXCFILE_GLOB *B)
{
    int r;

    if ((r = IgCompareText(&A->Originator, &B->Originator)) != 0)
    {
        return r;
    }
    if (A->ObjectType != B->ObjectType)
    {
        return A->ObjectType < B->ObjectType ? -1 : 1;
    }
    if ((r = IgCompareText(&A->Victim, &B->Victim)) != 0 || (r = IgCompareText(&A->Process, &B->Process)) != 0)
    {
        return r;
    }
    return A->Flags < B->Flags ? -1 : (A->Flags > B->Flags);
}

bool IntExcFileGlobLeads(const char *Originator, size_t Length)
{
    char c = Length ? Originator[0] : '\0';

    return Length > 0 &&
           (c == '*' || c == '[' || c == ']' || c == '?' || (Length > 1 && c == '\\' && Originator[1] == '\\'));
}

uint32_t IntExcFileHash(const void *Data, size_t Size)
{
    return Size ? IgNameHash(Data, Size) : INTRO_EXCFILE_NO_NAME;
}
