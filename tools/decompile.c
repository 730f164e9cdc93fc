/*
 * `introguard decompile`: an exceptions file as JSON that compiles back to it (docs/cli.md).
 *
 * Names cannot be recovered from hashes, so hash fields come out through the extension keys of
 * docs/json-format.md (`originator_hash`, `flags_raw`, ...), while special values, flags and object
 * types come out as the plain keywords whenever the compiler would turn those back into exactly the
 * same bytes.  That judgement uses the compiler's own rules (exc_rules.h).
 *
 * Everything is built in memory and checked before anything is written, so a file that cannot be
 * expressed leaves the output directory untouched (cmd_decompile.c writes it).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "decompile_int.h"
#include "dump.h"

/* ---- Notes and errors -------------------------------------------------------------------------------- */

void IgNote(IG_DECOMPILER *D, const char *Format, ...)
{
    char msg[512];
    va_list args;

    va_start(args, Format);
    vsnprintf(msg, sizeof(msg), Format, args);
    va_end(args);
    IgToolError(D->Err, D->Path, "note: %s", msg);
    D->Notes++;
}

INTSTATUS IgRecordFail(IG_DECOMPILER *D, const INTRO_EXCFILE_RECORD *Record, const char *Format, ...)
{
    char msg[512];
    const char *name = IntExcFileRecordTypeName(Record->Type);
    va_list args;

    va_start(args, Format);
    vsnprintf(msg, sizeof(msg), Format, args);
    va_end(args);
    IgToolError(D->Err, D->Path, "record %u (%s, type %u) at offset %llu: cannot be expressed in JSON: %s",
                Record->Index, name ? name : "unknown", Record->Type, (unsigned long long)Record->Offset, msg);
    return INT_STATUS_NOT_SUPPORTED;
}

/* ---- Output files ------------------------------------------------------------------------------------ */

/* The files of one section (signatures, or exceptions), each kept under a size limit. */
typedef struct IG_FILE_SET
{
    IG_DECOMPILED_FILE *Files;
    const char **Kinds;
    size_t Count;
    size_t Capacity;
    size_t Limit; /* start a new file once one holds this many bytes */
    bool Open;    /* the last file still needs its closing brackets */
} IG_FILE_SET;

static void IgFileSetClose(IG_FILE_SET *S)
{
    if (S->Open)
    {
        IgTextAppend(&S->Files[S->Count - 1].Json, "\n    ]\n}\n");
        S->Open = false;
    }
}

static INTSTATUS IgFileSetGrow(IG_FILE_SET *S)
{
    size_t grown = S->Capacity ? S->Capacity * 2 : 8;
    IG_DECOMPILED_FILE *files;
    const char **kinds;

    if (grown > SIZE_MAX / sizeof(*files))
    {
        return INT_STATUS_ARITHMETIC_OVERFLOW;
    }
    files = realloc(S->Files, grown * sizeof(*files));
    if (!files)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    S->Files = files;
    kinds = realloc(S->Kinds, grown * sizeof(*kinds));
    if (!kinds)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    S->Kinds = kinds;
    S->Capacity = grown;
    return INT_STATUS_SUCCESS;
}

/*
 * Returns the text to append the next entry of Kind to, opening a new file when the kind changes
 * or the current file is full; *First says whether the entry starts the file's array.
 */
static INTSTATUS IgFileSetEntry(IG_FILE_SET *S, const char *Kind, bool Signatures, IG_TEXT **Text, bool *First)
{
    IG_DECOMPILED_FILE *last = S->Count ? &S->Files[S->Count - 1] : NULL;
    INTSTATUS status;

    if (S->Open && strcmp(S->Kinds[S->Count - 1], Kind) == 0 && last->Json.Length < S->Limit)
    {
        *Text = &last->Json;
        *First = false;
        return INT_STATUS_SUCCESS;
    }
    IgFileSetClose(S);
    if (S->Count >= IG_DECOMPILE_MAX_FILES)
    {
        return INT_STATUS_OUT_OF_RANGE; /* a hostile file could otherwise ask for millions */
    }
    if (S->Count == S->Capacity && !INT_SUCCESS(status = IgFileSetGrow(S)))
    {
        return status;
    }
    memset(&S->Files[S->Count], 0, sizeof(S->Files[0]));
    S->Kinds[S->Count] = Kind;
    S->Count++;
    S->Open = true;
    *Text = &S->Files[S->Count - 1].Json;
    *First = true;
    if (Signatures)
    {
        IgTextAppend(*Text, "{\n    \"Type\": \"user\",\n    \"Signatures\": [\n");
    }
    else
    {
        IgTextAppend(*Text, "{\n    \"Type\": \"%s\",\n    \"Exceptions\": [\n", Kind);
    }
    return INT_STATUS_SUCCESS;
}

static void IgFileSetFree(IG_FILE_SET *S)
{
    for (size_t i = 0; i < S->Count; i++)
    {
        IgTextFree(&S->Files[i].Json);
    }
    free(S->Files);
    free(S->Kinds);
    memset(S, 0, sizeof(*S));
}

/* ---- Signatures: the index, the references, the order the compiler reads them in -------------------- */

static bool IgFindSig(const IG_DECOMPILER *D, uint32_t Id, size_t *Index)
{
    size_t lo = 0, hi = D->SigCount;

    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (D->SigIds[mid] < Id)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    if (lo < D->SigCount && D->SigIds[lo] == Id)
    {
        *Index = lo;
        return true;
    }
    return false;
}

/* Every ID an exception names must be a signature of the file: JSON refers to signatures by name. */
static INTSTATUS IgCheckSigRefs(IG_DECOMPILER *D, const INTRO_EXCFILE_RECORD *Record)
{
    uint32_t count = IgRecordSigCount(Record);
    uint32_t previous = 0;
    bool ordered = true;

    for (uint32_t i = 0; i < count; i++)
    {
        uint32_t id = IgRecordSigId(Record, i);
        size_t index;

        if (!IgFindSig(D, id, &index))
        {
            return IgRecordFail(D, Record, "it references signature 0x%08X, which is not in the file", id);
        }
        D->SigReferenced[index] = true;
        ordered = ordered && (i == 0 || id >= previous);
        previous = id;
    }
    if (!ordered)
    {
        IgNote(D, "record %u: its signature IDs are not in ascending order; the compiler sorts them", Record->Index);
    }
    return INT_STATUS_SUCCESS;
}

/* Signatures in the compiler's parse order: by sequence number, then by position in the file. */
typedef struct IG_SIG_ORDER
{
    uint32_t Seq;
    uint32_t Record;
} IG_SIG_ORDER;

static int IgCompareSigOrder(const void *A, const void *B)
{
    const IG_SIG_ORDER *a = A, *b = B;

    if (a->Seq != b->Seq)
    {
        return a->Seq < b->Seq ? -1 : 1;
    }
    return a->Record < b->Record ? -1 : a->Record > b->Record;
}

static int IgCompareU32(const void *A, const void *B)
{
    uint32_t a = *(const uint32_t *)A, b = *(const uint32_t *)B;
    return a < b ? -1 : a > b;
}

/* The work arrays of one run, sized by the record count (itself capped by the decoder). */
typedef struct IG_RUN
{
    IG_SIG_ORDER *Order;
    uint32_t *SigRecords; /* signature records in parse order */
    size_t SigCount;
    uint32_t *Globs; /* glob records in file order */
    size_t GlobCount;
    size_t SkipGlobs; /* leading glob records that are hvmi's C3 copies */
} IG_RUN;

/* What JSON cannot say at all, the signature index and the signatures' parse order. */
static INTSTATUS IgIndexSignatures(IG_DECOMPILER *D, IG_RUN *Run)
{
    const IG_RECORD_LIST *list = D->List;

    for (size_t i = 0; i < list->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &list->Records[i];
        const INTRO_EXCFILE_SIGNATURE_KIND *kind = IntExcFileSignatureKindByRecord(r->Type);
        uint32_t id = IntExcFileRecordId(r);

        if (!r->Known)
        {
            return IgRecordFail(D, r, "unknown record type %u (%u bytes)", r->Type, r->Size);
        }
        if (!kind)
        {
            if (r->Type == INTRO_EXCFILE_REC_USER_GLOB)
            {
                Run->Globs[Run->GlobCount++] = (uint32_t)i;
            }
            continue;
        }
        if (INTRO_EXCFILE_SIG_ID_TYPE(id) != kind->TypeCode)
        {
            return IgRecordFail(D, r, "signature ID 0x%08X has type %u, the compiler derives %u from sig_type", id,
                                INTRO_EXCFILE_SIG_ID_TYPE(id), kind->TypeCode);
        }
        if (INTRO_EXCFILE_SIG_ID_SEQ(id) == 0)
        {
            return IgRecordFail(D, r, "signature ID 0x%08X has sequence number 0, which the compiler never gives", id);
        }
        Run->Order[Run->SigCount].Seq = INTRO_EXCFILE_SIG_ID_SEQ(id);
        Run->Order[Run->SigCount].Record = (uint32_t)i;
        D->SigIds[Run->SigCount] = id;
        Run->SigCount++;
    }
    D->SigCount = Run->SigCount;
    qsort(D->SigIds, D->SigCount, sizeof(*D->SigIds), IgCompareU32);
    for (size_t i = 1; i < D->SigCount; i++)
    {
        if (D->SigIds[i] == D->SigIds[i - 1])
        {
            IgToolError(D->Err, D->Path, "signature ID 0x%08X appears more than once; the compiler requires unique IDs",
                        D->SigIds[i]);
            return INT_STATUS_NOT_SUPPORTED;
        }
    }
    qsort(Run->Order, Run->SigCount, sizeof(*Run->Order), IgCompareSigOrder);
    for (size_t i = 0; i < Run->SigCount; i++)
    {
        Run->SigRecords[i] = Run->Order[i].Record;
    }
    return INT_STATUS_SUCCESS;
}

/* Whether record I is an exception that goes to the output (not one of hvmi's C3 glob copies). */
static bool IgEmitsException(const INTRO_EXCFILE_RECORD *Record, const IG_RUN *Run, size_t *GlobSeen)
{
    if (!IntExcFileRecordSigIds(Record))
    {
        return false;
    }
    return Record->Type != INTRO_EXCFILE_REC_USER_GLOB || (*GlobSeen)++ >= Run->SkipGlobs;
}

/* References, before anything is written (the notes about them come first). */
static INTSTATUS IgCheckReferences(IG_DECOMPILER *D, const IG_RUN *Run)
{
    size_t globSeen = 0;
    INTSTATUS status;

    for (size_t i = 0; i < D->List->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &D->List->Records[i];

        if (IgEmitsException(r, Run, &globSeen) && !INT_SUCCESS(status = IgCheckSigRefs(D, r)))
        {
            return status;
        }
    }
    for (size_t i = 0; i < D->SigCount; i++)
    {
        if (!D->SigReferenced[i])
        {
            IgNote(D, "signature 0x%08X is referenced by no exception; compile drops it unless given --keep-unused",
                   D->SigIds[i]);
        }
    }
    return INT_STATUS_SUCCESS;
}

/* ---- Order checks: where compiling the output would not give back the same bytes --------------------- */

static bool IgGlobLeads(const INTRO_EXCFILE_RECORD *R)
{
    return R->u.Glob.PatternsValid && IntExcFileGlobLeads(R->u.Glob.Originator.Text, R->u.Glob.Originator.Length);
}

/*
 * hvmi writes the glob exceptions whose originator starts with a glob character twice: first those
 * (in parse order), then all of them sorted (quirk C3).  Returns how many leading glob records are
 * such a copy, 0 if none.
 */
static size_t IgGlobDuplicatePrefix(const IG_RECORD_LIST *List, const uint32_t *Globs, size_t Count)
{
    size_t leading = 0;
    size_t copies;
    size_t matched = 0;

    /* In that layout the leading records appear exactly twice: all of the first half of them form the
     * copy, so there is a single candidate length and one linear check. */
    for (size_t i = 0; i < Count; i++)
    {
        leading += IgGlobLeads(&List->Records[Globs[i]]) ? 1 : 0;
    }
    if (leading == 0 || leading % 2 != 0)
    {
        return 0;
    }
    copies = leading / 2;
    for (size_t i = copies; i < Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &List->Records[Globs[i]];
        const INTRO_EXCFILE_RECORD *copy = &List->Records[Globs[matched < copies ? matched : 0]];

        if (!IgGlobLeads(r))
        {
            continue;
        }
        if (matched >= copies || copy->Size != r->Size || memcmp(copy->Body, r->Body, r->Size) != 0)
        {
            return 0;
        }
        matched++;
    }
    return matched == copies ? copies : 0;
}

/* Notes records out of the compiler's sections or sort order. */
static void IgCheckRecordOrder(IG_DECOMPILER *D)
{
    const IG_RECORD_LIST *L = D->List;
    bool sectionNoted = false, sortNoted[INTRO_EXCFILE_SECTION_UNKNOWN + 1] = {false};
    const INTRO_EXCFILE_RECORD *previous = NULL;

    for (size_t i = 0; i < L->Count; previous = &L->Records[i], i++)
    {
        const INTRO_EXCFILE_RECORD *r = &L->Records[i];
        unsigned section = IntExcFileSection(r->Type);
        bool outOfOrder = false;

        if (!previous)
        {
            continue;
        }
        if (IntExcFileSection(previous->Type) > section && !sectionNoted)
        {
            IgNote(D,
                   "record %u: records are not in the compiler's section order (kernel, user, kernel-user, "
                   "glob, signatures); compiling the output writes them in that order",
                   r->Index);
            sectionNoted = true;
            continue;
        }
        if (IntExcFileSection(previous->Type) != section || sortNoted[section])
        {
            continue;
        }
        if (section == INTRO_EXCFILE_SECTION_SIGNATURES)
        {
            outOfOrder = IntExcFileRecordId(previous) > IntExcFileRecordId(r);
        }
        else if (section != INTRO_EXCFILE_SECTION_GLOB) /* glob order is checked with the duplicates */
        {
            outOfOrder = IntExcFileCompareExceptions(r->Type, &previous->u.Exception, &r->u.Exception) > 0;
        }
        if (outOfOrder)
        {
            IgNote(D, "record %u: out of the compiler's sort order; compiling the output sorts it", r->Index);
            sortNoted[section] = true;
        }
    }
}

/* Notes header fields JSON does not carry or the compiler writes otherwise. */
static void IgCheckHeader(IG_DECOMPILER *D)
{
    const IG_RECORD_LIST *L = D->List;
    const INTRO_EXCFILE_HEADER *H = &L->Header;

    /* The counts need no note: a file whose records differ from them is refused when it is read. */
    if (H->Major != INTRO_EXCFILE_VERSION_MAJOR || H->Minor != INTRO_EXCFILE_VERSION_MINOR)
    {
        IgNote(D, "the header says format %u.%u; the compiler writes %u.%u", H->Major, H->Minor,
               INTRO_EXCFILE_VERSION_MAJOR, INTRO_EXCFILE_VERSION_MINOR);
    }
    if (H->BuildNumber != 0)
    {
        IgNote(D, "the header's build number is %u; JSON does not carry it, give it to the compiler (-b %u)",
               H->BuildNumber, H->BuildNumber);
    }
    if (H->Reserved != 0)
    {
        IgNote(D, "the header's reserved field is 0x%08X; the compiler writes 0", H->Reserved);
    }
}

/* ---- The entries ---------------------------------------------------------------------------------------- */

static INTSTATUS IgEmitSignatures(IG_DECOMPILER *D, IG_FILE_SET *S, const IG_RUN *Run)
{
    bool raw = false;

    for (size_t k = 0; k < Run->SigCount; k++)
    {
        const INTRO_EXCFILE_RECORD *rec = &D->List->Records[Run->SigRecords[k]];
        IG_TEXT *out;
        bool first;
        INTSTATUS status = IgFileSetEntry(S, "signatures", true, &out, &first);

        if (!INT_SUCCESS(status))
        {
            return status;
        }
        /* The compiler numbers signatures 1, 2, 3, ... in parse order.  From the first one that
         * numbering would get wrong, every ID is given explicitly, so the result does not depend on
         * whether an explicit ID uses up a number. */
        raw = raw || INTRO_EXCFILE_SIG_ID_SEQ(IntExcFileRecordId(rec)) != k + 1;
        status = IgEmitSignature(D, out, rec, first, raw);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    IgFileSetClose(S);
    return INT_STATUS_SUCCESS;
}

/* One file per run of exception records of one kind (runs longer than the file limit continue in the
 * next file, which keeps the parse order). */
static INTSTATUS IgEmitExceptions(IG_DECOMPILER *D, IG_FILE_SET *S, const IG_RUN *Run)
{
    size_t globSeen = 0;

    for (size_t i = 0; i < D->List->Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &D->List->Records[i];
        IG_TEXT *text;
        bool first;
        INTSTATUS status;

        if (!IgEmitsException(r, Run, &globSeen))
        {
            continue;
        }
        status = IgFileSetEntry(S, IntExcFileExceptionKindByRecord(r->Type)->Name, false, &text, &first);
        if (status == INT_STATUS_OUT_OF_RANGE)
        {
            IgToolError(D->Err, D->Path,
                        "record %u at offset %llu: more than %u output files: the file alternates between "
                        "record kinds too often to decompile",
                        r->Index, (unsigned long long)r->Offset, IG_DECOMPILE_MAX_FILES);
            return status;
        }
        if (!INT_SUCCESS(status) || !INT_SUCCESS(status = IgEmitException(D, text, r, first)))
        {
            return status;
        }
    }
    IgFileSetClose(S);
    return INT_STATUS_SUCCESS;
}

/* ---- The result ------------------------------------------------------------------------------------------ */

void IgDecompiledFree(IG_DECOMPILED *Out)
{
    if (!Out)
    {
        return;
    }
    for (size_t i = 0; i < Out->Count; i++)
    {
        IgTextFree(&Out->Files[i].Json);
    }
    free(Out->Files);
    memset(Out, 0, sizeof(*Out));
}

/* Moves both sets into Out, signatures first, named "NN-kind.json" (NN wide enough to sort). */
static INTSTATUS IgCollectFiles(IG_FILE_SET *Sigs, IG_FILE_SET *Excs, IG_DECOMPILED *Out)
{
    unsigned width = 2;
    size_t n;

    Out->Count = Sigs->Count + Excs->Count;
    Out->Files = calloc(Out->Count + 1, sizeof(*Out->Files));
    if (!Out->Files)
    {
        Out->Count = 0;
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    n = Out->Count ? Out->Count - 1 : 0;
    for (size_t limit = 100; n >= limit && width < 9; limit *= 10)
    {
        width++;
    }
    for (size_t i = 0; i < Out->Count; i++)
    {
        const IG_FILE_SET *set = i < Sigs->Count ? Sigs : Excs;
        size_t k = i < Sigs->Count ? i : i - Sigs->Count;

        Out->Files[i] = set->Files[k];
        snprintf(Out->Files[i].Name, sizeof(Out->Files[i].Name), "%0*zu-%s.json", (int)width, i, set->Kinds[k]);
    }
    Sigs->Count = Excs->Count = 0; /* moved */
    for (size_t i = 0; i < Out->Count; i++)
    {
        if (Out->Files[i].Json.Failed)
        {
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgDecompileBuffer(const uint8_t *Data, size_t Size, const char *Path, IG_DECOMPILED *Out, FILE *Err)
{
    return IgDecompileBufferLimit(Data, Size, Path, IG_DECOMPILE_FILE_LIMIT, Out, Err);
}

/* Everything between the decoded list and the files: checks, notes, entries. */
static INTSTATUS IgDecompileList(IG_DECOMPILER *D, IG_RUN *Run, IG_FILE_SET *SigFiles, IG_FILE_SET *ExcFiles)
{
    INTSTATUS status = IgIndexSignatures(D, Run);

    if (!INT_SUCCESS(status))
    {
        return status;
    }
    IgCheckRecordOrder(D);
    IgCheckHeader(D);
    Run->SkipGlobs = IgGlobDuplicatePrefix(D->List, Run->Globs, Run->GlobCount);
    if (Run->SkipGlobs)
    {
        IgNote(D,
               "the first %zu glob records repeat the glob-prefixed ones (hvmi quirk C3); they are left out, "
               "compile with --hvmi-compat to reproduce them",
               Run->SkipGlobs);
    }
    status = IgCheckReferences(D, Run);
    if (INT_SUCCESS(status))
    {
        status = IgEmitSignatures(D, SigFiles, Run);
    }
    if (INT_SUCCESS(status))
    {
        status = IgEmitExceptions(D, ExcFiles, Run);
    }
    return status;
}

INTSTATUS IgDecompileBufferLimit(const uint8_t *Data, size_t Size, const char *Path, size_t FileLimit,
                                 IG_DECOMPILED *Out, FILE *Err)
{
    IG_DECOMPILER d = {Path, Err, 0, NULL, NULL, 0, NULL};
    IG_RECORD_LIST list;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    IG_RUN run;
    IG_FILE_SET sigFiles = {0}, excFiles = {0};
    INTSTATUS status;

    memset(Out, 0, sizeof(*Out));
    memset(&run, 0, sizeof(run));
    sigFiles.Limit = excFiles.Limit = FileLimit;
    status = IgRecordListLoad(Data, Size, &list, &error);
    if (!INT_SUCCESS(status))
    {
        IgPrintParseError(Err, Path, &error);
        return status;
    }
    d.List = &list;

    /* Sizes below are bounded by the record count, itself capped by the decoder. */
    run.Order = calloc(list.Count + 1, sizeof(*run.Order));
    run.SigRecords = calloc(list.Count + 1, sizeof(*run.SigRecords));
    run.Globs = calloc(list.Count + 1, sizeof(*run.Globs));
    d.SigIds = calloc(list.Count + 1, sizeof(*d.SigIds));
    d.SigReferenced = calloc(list.Count + 1, sizeof(*d.SigReferenced));
    if (!run.Order || !run.SigRecords || !run.Globs || !d.SigIds || !d.SigReferenced)
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    else
    {
        status = IgDecompileList(&d, &run, &sigFiles, &excFiles);
    }
    if (INT_SUCCESS(status))
    {
        status = IgCollectFiles(&sigFiles, &excFiles, Out);
        Out->NoteCount = d.Notes;
    }
    if (status == INT_STATUS_INSUFFICIENT_RESOURCES || status == INT_STATUS_ARITHMETIC_OVERFLOW)
    {
        IgToolError(Err, Path, "out of memory");
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (!INT_SUCCESS(status))
    {
        IgDecompiledFree(Out);
    }
    free(run.Order);
    free(run.SigRecords);
    free(run.Globs);
    free(d.SigIds);
    free(d.SigReferenced);
    IgFileSetFree(&sigFiles);
    IgFileSetFree(&excFiles);
    IgRecordListFree(&list);
    return status;
}
