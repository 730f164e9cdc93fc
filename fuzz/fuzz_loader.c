/*
 * libFuzzer target for the exceptions-file loader.
 *
 * Each input is loaded with IgRuleSetLoad once per guest OS value and released, and walked with
 * IgFileOpen/IgFileNextRecord to its end.  Besides the sanitizers' checks, a loaded rule set must
 * be internally consistent (every index in range, every lookup by ID returning that ID), and a
 * failed load must report its status and leave no rule set behind.  A violation aborts, which
 * libFuzzer reports as a crash.  Seeds: fuzz/seeds/loader/ (bench/make_exceptions --seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "exceptions/ruleset.h"
#include "exceptions/update_file.h"

#define FUZZ_CHECK(Cond)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            fprintf(stderr, "fuzz_loader: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #Cond);                \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static void CheckRange(uint32_t First, uint32_t Count, uint32_t Total)
{
    FUZZ_CHECK(First <= Total && Count <= Total - First);
}

static void CheckRuleSet(const IG_RULESET *Set, size_t Size)
{
    FUZZ_CHECK(Set->Stats.Records <= Size / IG_RECORD_HEADER_SIZE);
    FUZZ_CHECK(Set->ExceptionCount + Set->SignatureCount <= Set->Stats.Records);

    for (uint32_t i = 0; i < Set->ExceptionCount; i++)
    {
        const IG_EXCEPTION *e = &Set->Exceptions[i];
        CheckRange(e->SigFirst, e->SigCount, Set->SigIdCount);
        FUZZ_CHECK(e->RecordIndex < Set->Stats.Records);
        if (e->Kind == IgRecUserGlob)
        {
            const IG_GLOB *g;
            FUZZ_CHECK(e->Glob < Set->GlobCount);
            g = &Set->Globs[e->Glob];
            FUZZ_CHECK(strlen(Set->GlobText + g->Originator) == g->OriginatorLen);
            FUZZ_CHECK(strlen(Set->GlobText + g->Victim) == g->VictimLen);
            FUZZ_CHECK(strlen(Set->GlobText + g->Process) == g->ProcessLen);
        }
        else
        {
            FUZZ_CHECK(e->Glob == IG_NO_INDEX);
        }
    }
    for (uint32_t l = 0; l < IgListCount; l++)
    {
        const IG_RANGE *r = &Set->Lists[l];
        CheckRange(r->First, r->Count, Set->ExceptionCount);
        for (uint32_t i = 0; i < r->Count; i++)
        {
            FUZZ_CHECK(Set->ListItems[r->First + i] < Set->ExceptionCount);
        }
    }
    for (uint32_t k = 0; k < IgSigKindCount; k++)
    {
        CheckRange(Set->SigKinds[k].First, Set->SigKinds[k].Count, Set->SignatureCount);
        for (uint32_t i = 0; i < Set->SigKinds[k].Count; i++)
        {
            FUZZ_CHECK(Set->Signatures[Set->SigKinds[k].First + i].Kind == k);
        }
    }
    for (uint32_t i = 0; i < Set->SignatureCount; i++)
    {
        const IG_SIGNATURE *s = &Set->Signatures[i];
        switch (s->Kind)
        {
            case IgSigCodeBlocks:
                CheckRange(s->First, s->Count, Set->CbListCount);
                for (uint32_t l = 0; l < s->Count; l++)
                {
                    CheckRange(Set->CbLists[s->First + l].First, Set->CbLists[s->First + l].Count, Set->CbHashCount);
                }
                break;
            case IgSigExport:
                CheckRange(s->First, s->Count, Set->ExportEntryCount);
                break;
            case IgSigValue:
                CheckRange(s->First, s->Count, Set->ValueEntryCount);
                break;
            case IgSigValueCode:
                CheckRange(s->First, s->Count, Set->PatternCount);
                break;
            default:
                break;
        }
    }
    for (uint32_t i = 0; i < Set->SigByIdCount; i++)
    {
        FUZZ_CHECK(Set->SigById[i] < Set->SignatureCount);
    }
    for (uint32_t i = 0; i < Set->SigIdCount; i++)
    {
        const IG_SIGNATURE *s = IgRuleSetFindSignature(Set, Set->SigIds[i]);
        FUZZ_CHECK(s == NULL || s->Id == Set->SigIds[i]);
    }
}

/* Reads every variable part of a decoded record through its sub-reader; returns a checksum. */
static uint32_t TouchRecord(const IG_RECORD *Rec)
{
    uint32_t sum = Rec->Type;
    IG_READER rd;

    switch (Rec->Type)
    {
        case IgRecKernel:
        case IgRecUser:
        case IgRecUserApc:
        case IgRecKernelUser:
            rd = Rec->u.Exception.SigIds;
            for (uint32_t i = 0; i < Rec->u.Exception.SigCount; i++)
            {
                sum += IgReadU32(&rd);
            }
            FUZZ_CHECK(!rd.Failed && IgReaderAtEnd(&rd));
            break;
        case IgRecUserGlob:
            FUZZ_CHECK(Rec->u.Glob.OriginatorLen < IG_GLOB_FIELD_MAX && Rec->u.Glob.VictimLen < IG_GLOB_FIELD_MAX &&
                       Rec->u.Glob.ProcessLen < IG_GLOB_FIELD_MAX);
            if (Rec->u.Glob.PatternsValid)
            {
                FUZZ_CHECK(memchr(Rec->u.Glob.Originator, 0, Rec->u.Glob.OriginatorLen) == NULL);
                FUZZ_CHECK(memchr(Rec->u.Glob.Victim, 0, Rec->u.Glob.VictimLen) == NULL);
                FUZZ_CHECK(memchr(Rec->u.Glob.Process, 0, Rec->u.Glob.ProcessLen) == NULL);
                rd = Rec->u.Glob.SigIds;
                for (uint32_t i = 0; i < Rec->u.Glob.SigCount; i++)
                {
                    sum += IgReadU32(&rd);
                }
                FUZZ_CHECK(!rd.Failed && IgReaderAtEnd(&rd));
            }
            break;
        case IgRecCodeBlocksSig:
            rd = Rec->u.CodeBlocks.Lists;
            for (uint32_t l = 0; l < Rec->u.CodeBlocks.ListCount; l++)
            {
                uint8_t n = IgReadU8(&rd);
                for (uint32_t i = 0; i < n; i++)
                {
                    sum += IgReadU32(&rd);
                }
            }
            FUZZ_CHECK(!rd.Failed && IgReaderAtEnd(&rd));
            break;
        case IgRecExportSig:
            rd = Rec->u.Export.Entries;
            FUZZ_CHECK(IgReaderRemaining(&rd) == (size_t)Rec->u.Export.Count * IG_EXPORT_ENTRY_SIZE);
            break;
        case IgRecValueSig:
            rd = Rec->u.Value.Entries;
            FUZZ_CHECK(IgReaderRemaining(&rd) == (size_t)Rec->u.Value.Count * IG_VALUE_ENTRY_SIZE);
            break;
        case IgRecValueCodeSig:
            rd = Rec->u.ValueCode.Pattern;
            FUZZ_CHECK(IgReaderRemaining(&rd) == (size_t)Rec->u.ValueCode.Length * 2u);
            break;
        default:
            break;
    }
    return sum;
}

static void WalkFile(const uint8_t *Data, size_t Size)
{
    IG_FILE_HEADER header;
    IG_RECORD_ITER iter;
    IG_RECORD rec;
    IG_PARSE_ERROR error;
    INTSTATUS status;
    uint32_t records = 0;
    volatile uint32_t sink = 0;

    memset(&error, 0, sizeof(error));
    status = IgFileOpen(Data, Size, &header, &iter, &error);
    if (!INT_SUCCESS(status))
    {
        FUZZ_CHECK(error.Status == status);
        return;
    }
    while ((status = IgFileNextRecord(&iter, &rec, &error)) == INT_STATUS_SUCCESS)
    {
        /* Every record takes at least its 3-byte header, so the walk must end. */
        FUZZ_CHECK(++records <= Size / IG_RECORD_HEADER_SIZE);
        FUZZ_CHECK(rec.Offset + IG_RECORD_HEADER_SIZE + rec.Size <= Size);
        sink += TouchRecord(&rec);
    }
    FUZZ_CHECK(status == INT_STATUS_NO_MORE_ENTRIES || error.Status == status);
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static const IG_GUEST_OS oses[] = {IgGuestOsUnknown, IgGuestOsWindows, IgGuestOsLinux};

    for (size_t i = 0; i < sizeof(oses) / sizeof(oses[0]); i++)
    {
        IG_RULESET *set = (IG_RULESET *)(uintptr_t)1; /* must be overwritten */
        IG_PARSE_ERROR error;
        INTSTATUS status;

        memset(&error, 0, sizeof(error));
        status = IgRuleSetLoad(&gIgMallocAllocator, Data, Size, oses[i], &set, &error);
        if (INT_SUCCESS(status))
        {
            FUZZ_CHECK(set != NULL);
            CheckRuleSet(set, Size);
            IgRuleSetRelease(set);
        }
        else
        {
            FUZZ_CHECK(set == NULL);
            FUZZ_CHECK(error.Status == status);
        }
    }
    WalkFile(Data, Size);
    return 0;
}
