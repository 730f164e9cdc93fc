/*
 * The compiler's output (spec §5.9, §5.10, §2.8): unused signatures pruned, the exceptions sorted
 * into hvmi's sections with the format's sort keys (intro_excfile.h), everything written with the
 * library's writer.
 */
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

/* Section, then the kind's keys, then the order read (Python's sort is stable). */
static int IgCmpExc(const void *PA, const void *PB)
{
    const IG_CEXC *a = PA, *b = PB;
    unsigned sa = IntExcFileSection(a->RecordType), sb = IntExcFileSection(b->RecordType);
    int r;

    if (sa != sb)
    {
        return sa < sb ? -1 : 1;
    }
    r = a->RecordType == INTRO_EXCFILE_REC_USER_GLOB
            ? IntExcFileCompareGlobs(&a->u.Glob, &b->u.Glob)
            : IntExcFileCompareExceptions(a->RecordType, &a->u.Exception, &b->u.Exception);
    if (r)
    {
        return r;
    }
    return a->Order < b->Order ? -1 : (a->Order > b->Order);
}

static int IgCmpSig(const void *PA, const void *PB)
{
    const IG_CSIG *a = PA, *b = PB;
    return a->Id < b->Id ? -1 : (a->Id > b->Id);
}

/* The record's signature IDs, as a view the writer reads. */
static INTRO_EXCFILE_U32_ARRAY IgExcSigs(const IG_CC *C, const IG_CEXC *X)
{
    INTRO_EXCFILE_U32_ARRAY ids = {NULL, NULL, (uint32_t)X->SigCount};

    if (X->SigCount)
    {
        ids.Values = (const uint32_t *)(const void *)(C->SigPool.Data + X->SigOffset * 4);
    }
    return ids;
}

static bool IgSameRecord(const IG_CC *C, const IG_CEXC *A, const IG_CEXC *B)
{
    INTRO_EXCFILE_U32_ARRAY a = IgExcSigs(C, A), b = IgExcSigs(C, B);
    int r;

    if (A->RecordType != B->RecordType || A->SigCount != B->SigCount)
    {
        return false;
    }
    r = A->RecordType == INTRO_EXCFILE_REC_USER_GLOB
            ? IntExcFileCompareGlobs(&A->u.Glob, &B->u.Glob)
            : IntExcFileCompareExceptions(A->RecordType, &A->u.Exception, &B->u.Exception);
    return r == 0 && (A->SigCount == 0 || memcmp(a.Values, b.Values, A->SigCount * 4) == 0);
}

/* With RecordOrigins: notes the JSON entry the record just written came from. */
static void IgCcNoteOrigin(IG_CC *C, size_t Source, const IG_JSON_VALUE *Node)
{
    IG_COMPILE_ORIGIN origin;
    const IG_JSON_VALUE *array = Node ? Node->Parent : NULL;

    if (!C->Options->RecordOrigins || Node == NULL)
    {
        return;
    }
    memset(&origin, 0, sizeof(origin));
    origin.Source = (uint32_t)Source;
    origin.Line = Node->Line;
    origin.Column = Node->Column;
    origin.Item = (uint32_t)Node->Index;
    origin.Signature = array && array->Key && strcmp(array->Key, "Signatures") == 0;
    IgCbufPut(&C->Origins, &origin, sizeof(origin));
    if (C->Origins.Failed)
    {
        C->OutOfMemory = true;
    }
}

static void IgCcWriteExc(IG_CC *C, INTRO_EXCFILE_WRITER *Out, IG_CEXC *X)
{
    INTSTATUS status;

    if (X->RecordType == INTRO_EXCFILE_REC_USER_GLOB)
    {
        X->u.Glob.SigIds = IgExcSigs(C, X);
        status = IntExcFileWriteGlob(Out, &X->u.Glob);
    }
    else
    {
        X->u.Exception.SigIds = IgExcSigs(C, X);
        status = IntExcFileWriteException(Out, X->RecordType, &X->u.Exception);
    }
    if (!INT_SUCCESS(status))
    {
        C->OutOfMemory = true; /* the parts were checked when read: only memory can fail here */
        return;
    }
    IgCcNoteOrigin(C, X->Source, X->Node);
}

/*
 * Pruning (§5.9): by default every unused signature goes; --hvmi-compat reproduces C2, where the
 * signature right after a removed one is never looked at and so survives.  hvmi walks its list
 * sorted by the full signature ID (type, then sequence number), so "right after" is in that order:
 * unused signatures of different types interleave differently by sequence number alone.  The
 * default walk keeps the order read, so its warnings come in file order.
 */
void IgCcPrune(IG_CC *C, IG_COMPILE_RESULT *Result)
{
    size_t kept = 0;
    bool skip = false;

    if (C->Options->HvmiCompat && C->SigCount > 1)
    {
        qsort(C->Sigs, C->SigCount, sizeof(*C->Sigs), IgCmpSig);
    }
    for (size_t i = 0; i < C->SigCount; i++)
    {
        IG_CSIG *s = &C->Sigs[i];
        bool keep;

        if (C->Options->KeepUnusedSignatures)
        {
            keep = true;
        }
        else if (C->Options->HvmiCompat && skip)
        {
            keep = true;
            skip = false;
        }
        else
        {
            keep = s->Used;
            skip = !keep;
        }
        if (!s->Used && keep)
        {
            IgCcReport(C, IgSevWarning, s->Source, s->Node, "signature '%.60s' is not used by any exception (kept: %s)",
                       s->Name,
                       C->Options->KeepUnusedSignatures ? "--keep-unused" : "--hvmi-compat reproduces hvmi's pruning");
        }
        else if (!s->Used)
        {
            IgCcReport(C, IgSevWarning, s->Source, s->Node,
                       "signature '%.60s' is not used by any exception and is left out", s->Name);
            Result->PrunedSignatures++;
        }
        if (keep)
        {
            C->Sigs[kept++] = *s;
        }
    }
    C->SigCount = kept;
}

/* Warns about exceptions that compile to the same record as the one before them (after sorting). */
static void IgCcWarnDuplicates(IG_CC *C)
{
    for (size_t i = 1; i < C->ExcCount; i++)
    {
        const IG_CEXC *p = &C->Excs[i - 1], *x = &C->Excs[i];

        if (IgSameRecord(C, p, x))
        {
            char path[128];
            IgCcReport(C, IgSevWarning, x->Source, x->Node, "duplicate exception: same record as %s:%u (%s)",
                       C->Sources[p->Source].Name, p->Node->Line, IgJsonPath(p->Node, path, sizeof(path)));
        }
    }
}

/*
 * The glob section: records whose originator starts with a glob character first, in the order
 * read (the matcher needs them ahead of the sorted rest), then the others sorted.  With
 * --hvmi-compat, then all of them sorted (hvmi's quirk C3 writes those first ones twice).
 */
static void IgCcWriteGlobs(IG_CC *C, INTRO_EXCFILE_WRITER *Out, size_t Start)
{
    size_t leading = 0;
    IG_CEXC **first;

    for (size_t i = Start; i < C->ExcCount; i++)
    {
        leading += C->Excs[i].GlobLeads ? 1 : 0;
    }
    if (leading)
    {
        size_t k = 0;

        first = malloc(leading * sizeof(*first));
        if (first == NULL)
        {
            C->OutOfMemory = true;
            return;
        }
        for (size_t i = Start; i < C->ExcCount; i++)
        {
            if (C->Excs[i].GlobLeads)
            {
                first[k++] = &C->Excs[i];
            }
        }
        for (size_t a = 1; a < k; a++) /* back into the order read */
        {
            for (size_t b = a; b > 0 && first[b - 1]->Order > first[b]->Order; b--)
            {
                IG_CEXC *t = first[b - 1];
                first[b - 1] = first[b];
                first[b] = t;
            }
        }
        for (size_t i = 0; i < k; i++)
        {
            IgCcWriteExc(C, Out, first[i]);
        }
        free(first);
    }
    for (size_t i = Start; i < C->ExcCount; i++)
    {
        if (C->Options->HvmiCompat || !C->Excs[i].GlobLeads)
        {
            IgCcWriteExc(C, Out, &C->Excs[i]);
        }
    }
}

void IgCcWrite(IG_CC *C, INTRO_EXCFILE_WRITER *Out, IG_COMPILE_RESULT *Result)
{
    INTRO_EXCFILE_HEADER header;
    size_t globStart = 0;

    if (C->ExcCount > 1)
    {
        qsort(C->Excs, C->ExcCount, sizeof(*C->Excs), IgCmpExc);
    }
    if (C->SigCount > 1)
    {
        qsort(C->Sigs, C->SigCount, sizeof(*C->Sigs), IgCmpSig);
    }
    IgCcWarnDuplicates(C);

    IntExcFileHeaderInit(&header);
    header.Major = C->Options->VersionMajor;
    header.Minor = C->Options->VersionMinor;
    header.BuildNumber = C->Options->BuildNumber;
    if (!INT_SUCCESS(IntExcFileWriteHeader(Out, &header)))
    {
        C->OutOfMemory = true;
        return;
    }
    while (globStart < C->ExcCount && C->Excs[globStart].RecordType != INTRO_EXCFILE_REC_USER_GLOB)
    {
        IgCcWriteExc(C, Out, &C->Excs[globStart++]);
    }
    IgCcWriteGlobs(C, Out, globStart);
    for (size_t i = 0; i < C->SigCount; i++)
    {
        const IG_CSIG *s = &C->Sigs[i];

        if (!INT_SUCCESS(IntExcFileWriteRaw(Out, s->RecordType, C->SigRecords.Data + s->BodyOffset, s->BodySize)))
        {
            C->OutOfMemory = true;
        }
        else
        {
            IgCcNoteOrigin(C, s->Source, s->Node);
        }
    }

    /* The header's counts are what was written (glob records written twice count twice). */
    IntExcFileWriterCounts(Out, &header);
    if (!INT_SUCCESS(IntExcFileWriteHeader(Out, &header)))
    {
        C->OutOfMemory = true;
    }
    Result->KernelCount = header.KernelCount;
    Result->UserCount = header.UserCount;
    Result->KernelUserCount = header.KernelUserCount;
    Result->GlobCount = header.GlobCount;
    Result->SignatureCount = header.SignatureCount;
}
