/*
 * The workbench's rule sets (workbench.h): an exceptions file or JSON sources, every record decoded
 * and, when the sources are known, traced back to its JSON entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dump.h"
#include "tool_common.h"
#include "workbench.h"

/* ---- loading ------------------------------------------------------------------------------------------------------
 */

/* Whether Path is an exceptions file: a regular file starting with the format's magic. */
bool IgWbIsBinary(const char *Path)
{
    static const uint8_t magic[4] = {0x45, 0x58, 0x4E, 0x41}; /* INTRO_EXCFILE_MAGIC, little-endian */
    uint8_t head[4];
    struct stat st;
    FILE *f;
    bool binary;

    if (stat(Path, &st) != 0 || !S_ISREG(st.st_mode))
    {
        return false;
    }
    f = fopen(Path, "rb");
    if (!f)
    {
        return false;
    }
    binary = fread(head, 1, sizeof(head), f) == sizeof(head) && memcmp(head, magic, sizeof(magic)) == 0;
    fclose(f);
    return binary;
}

/* Compiles the JSON at Paths in memory, with the origins of every record; Name names them in messages. */
static int IgWbCompile(char *const *Paths, size_t Count, const char *Name, bool KeepUnused, IG_COMPILE_INPUTS *Inputs,
                       IG_COMPILE_RESULT *Result, FILE *Err)
{
    IG_COMPILE_OPTIONS options;

    memset(Result, 0, sizeof(*Result));
    if (IgCompileReadInputs(Paths, Count, false, Inputs) != 0)
    {
        return IG_EXIT_FAILURE;
    }
    IgCompileOptionsInit(&options);
    options.RecordOrigins = true;
    options.KeepUnusedSignatures = KeepUnused;
    if (!INT_SUCCESS(IgCompileSources(Inputs->Items, Inputs->Count, &options, Result)))
    {
        if (Result->Messages)
        {
            fputs(Result->Messages, Err);
        }
        IgToolError(Err, Name, "%u compile error(s)", Result->Errors);
        return IG_EXIT_FAILURE;
    }
    return IG_EXIT_OK;
}

/* Parses each source again: the compiler's tree is gone, and names and lines come from it. */
static int IgWbParseSources(IG_WB_RULES *Rules, FILE *Err)
{
    Rules->Docs = calloc(Rules->Inputs.Count ? Rules->Inputs.Count : 1, sizeof(*Rules->Docs));
    if (!Rules->Docs)
    {
        IgToolError(Err, Rules->Name, "out of memory");
        return IG_EXIT_FAILURE;
    }
    for (size_t i = 0; i < Rules->Inputs.Count; i++)
    {
        const IG_COMPILE_SOURCE *s = &Rules->Inputs.Items[i];
        IG_JSON_ERROR error;

        if (!INT_SUCCESS(IgJsonParse(s->Text, s->Size, &Rules->Docs[i], &error)))
        {
            /* It compiled a moment ago: only memory can fail here. */
            IgToolError(Err, s->Name, "%s", error.Message);
            return IG_EXIT_FAILURE;
        }
    }
    return IG_EXIT_OK;
}

/* A sort key over the records of a list: type, size, then body bytes, then position. */
typedef struct IG_WB_KEYED
{
    const INTRO_EXCFILE_RECORD *Record;
    uint32_t Index;
    bool Used;
} IG_WB_KEYED;

static int IgWbCompareBytes(const INTRO_EXCFILE_RECORD *A, const INTRO_EXCFILE_RECORD *B)
{
    if (A->Type != B->Type)
    {
        return A->Type < B->Type ? -1 : 1;
    }
    if (A->Size != B->Size)
    {
        return A->Size < B->Size ? -1 : 1;
    }
    return A->Size ? memcmp(A->Body, B->Body, A->Size) : 0;
}

static int IgWbCompareKeyed(const void *PA, const void *PB)
{
    const IG_WB_KEYED *a = PA, *b = PB;
    int r = IgWbCompareBytes(a->Record, b->Record);

    return r ? r : (a->Index < b->Index ? -1 : (a->Index > b->Index));
}

/* The first keyed record with the bytes of Record that is not taken yet, else the first with them. */
static IG_WB_KEYED *IgWbFindBytes(IG_WB_KEYED *Keyed, size_t Count, const INTRO_EXCFILE_RECORD *Record)
{
    size_t lo = 0, hi = Count;
    IG_WB_KEYED *first;

    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (IgWbCompareBytes(Keyed[mid].Record, Record) < 0)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    if (lo == Count || IgWbCompareBytes(Keyed[lo].Record, Record) != 0)
    {
        return NULL;
    }
    first = &Keyed[lo];
    for (size_t i = lo; i < Count && IgWbCompareBytes(Keyed[i].Record, Record) == 0; i++)
    {
        if (!Keyed[i].Used)
        {
            return &Keyed[i];
        }
    }
    return first; /* a record the file holds twice (hvmi's doubled glob records, C3) */
}

/*
 * Matches each record of the file to the compiled record with the same bytes, so that its origin is
 * known whatever the order, build number or pruning the file was made with.
 */
static int IgWbMatch(IG_WB_RULES *Rules, const IG_COMPILE_RESULT *Compiled, const char *SourcePath, FILE *Err)
{
    IG_RECORD_LIST list;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    IG_WB_KEYED *keyed = NULL;
    size_t unmatched = 0;
    int exit = IG_EXIT_FAILURE;

    if (!INT_SUCCESS(IgRecordListLoad(Compiled->Data, Compiled->Size, &list, &error)) ||
        list.Count != Compiled->OriginCount)
    {
        IgToolError(Err, SourcePath, "the compiled sources do not decode");
        return IG_EXIT_FAILURE;
    }
    keyed = calloc(list.Count ? list.Count : 1, sizeof(*keyed));
    Rules->Origin = calloc(Rules->List.Count ? Rules->List.Count : 1, sizeof(*Rules->Origin));
    if (!keyed || !Rules->Origin)
    {
        IgToolError(Err, SourcePath, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < list.Count; i++)
    {
        keyed[i].Record = &list.Records[i];
        keyed[i].Index = (uint32_t)i;
    }
    qsort(keyed, list.Count, sizeof(*keyed), IgWbCompareKeyed);
    for (size_t i = 0; i < Rules->List.Count; i++)
    {
        IG_WB_KEYED *match = IgWbFindBytes(keyed, list.Count, &Rules->List.Records[i]);

        Rules->Origin[i] = match ? match->Index : IG_WB_NO_ORIGIN;
        unmatched += match ? 0 : 1;
        if (match)
        {
            match->Used = true;
        }
    }
    if (unmatched)
    {
        IgToolError(Err, Rules->Name, "note: %zu of %zu records are not in %s; their source is not shown", unmatched,
                    Rules->List.Count, SourcePath);
    }
    exit = IG_EXIT_OK;

cleanup:
    free(keyed);
    IgRecordListFree(&list);
    return exit;
}

/* The file at Load->Path, decoded, and matched to Load->SourcePath when given. */
static int IgWbLoadBinary(const IG_WB_LOAD *Load, IG_WB_RULES *Rules, FILE *Err)
{
    IG_COMPILE_RESULT compiled;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    int exit;

    char *sources[1] = {(char *)Load->SourcePath};

    if (!INT_SUCCESS(IgReadWholeFile(Rules->Name, IG_TOOL_MAX_BINARY_FILE, &Rules->Data, &Rules->Size, Err)))
    {
        return IG_EXIT_FAILURE;
    }
    if (!INT_SUCCESS(IgRecordListLoad(Rules->Data, Rules->Size, &Rules->List, &error)))
    {
        IgPrintParseError(Err, Rules->Name, &error);
        return IG_EXIT_FAILURE;
    }
    if (!Load->SourcePath)
    {
        return IG_EXIT_OK;
    }
    exit = IgWbCompile(sources, 1, Load->SourcePath, true, &Rules->Inputs, &compiled, Err);
    if (exit == IG_EXIT_OK)
    {
        exit = IgWbMatch(Rules, &compiled, Load->SourcePath, Err);
    }
    if (exit == IG_EXIT_OK)
    {
        Rules->Origins = compiled.Origins;
        Rules->OriginCount = compiled.OriginCount;
        compiled.Origins = NULL;
        exit = IgWbParseSources(Rules, Err);
    }
    IgCompileResultFree(&compiled);
    return exit;
}

static int IgWbLoadSources(const IG_WB_LOAD *Load, IG_WB_RULES *Rules, FILE *Err)
{
    IG_COMPILE_RESULT compiled;
    INTRO_EXCEPTIONS_LOAD_ERROR error;
    int exit = IgWbCompile(Load->Paths, Load->PathCount, Rules->Name, Load->KeepUnused, &Rules->Inputs, &compiled, Err);

    if (exit != IG_EXIT_OK)
    {
        IgCompileResultFree(&compiled);
        return exit;
    }
    Rules->Compiled = true;
    Rules->Data = compiled.Data;
    Rules->Size = compiled.Size;
    Rules->Origins = compiled.Origins;
    Rules->OriginCount = compiled.OriginCount;
    compiled.Data = NULL;
    compiled.Origins = NULL;
    IgCompileResultFree(&compiled);
    if (!INT_SUCCESS(IgRecordListLoad(Rules->Data, Rules->Size, &Rules->List, &error)) ||
        Rules->List.Count != Rules->OriginCount)
    {
        IgToolError(Err, Rules->Name, "the compiled sources do not decode");
        return IG_EXIT_FAILURE;
    }
    Rules->Origin = calloc(Rules->List.Count ? Rules->List.Count : 1, sizeof(*Rules->Origin));
    if (!Rules->Origin)
    {
        IgToolError(Err, Rules->Name, "out of memory");
        return IG_EXIT_FAILURE;
    }
    for (size_t i = 0; i < Rules->List.Count; i++)
    {
        Rules->Origin[i] = (uint32_t)i;
    }
    return IgWbParseSources(Rules, Err);
}

static int IgWbCompareU64(const void *PA, const void *PB)
{
    uint64_t a = *(const uint64_t *)PA, b = *(const uint64_t *)PB;

    return a < b ? -1 : (a > b);
}

/* The signatures by ID, for IgWbFindSignature (the first of two with one ID wins, as in the loader's
 * own lookup of a sorted file). */
static int IgWbIndexSignatures(IG_WB_RULES *Rules, FILE *Err)
{
    Rules->SigIndex = calloc(Rules->List.Count ? Rules->List.Count : 1, sizeof(*Rules->SigIndex));
    if (!Rules->SigIndex)
    {
        IgToolError(Err, Rules->Name, "out of memory");
        return IG_EXIT_FAILURE;
    }
    for (size_t i = 0; i < Rules->List.Count; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &Rules->List.Records[i];

        if (IgWbIsSignature(r))
        {
            Rules->SigIndex[Rules->SigCount++] = ((uint64_t)IntExcFileRecordId(r) << 32) | i;
        }
    }
    qsort(Rules->SigIndex, Rules->SigCount, sizeof(*Rules->SigIndex), IgWbCompareU64);
    return IG_EXIT_OK;
}

static int IgWbLoadAny(const IG_WB_LOAD *Load, IG_WB_RULES *Rules, FILE *Err)
{
    struct stat st;

    Rules->Name = Load->PathCount == 1 ? Load->Paths[0] : "the sources";
    for (size_t i = 0; i < Load->PathCount; i++)
    {
        if (stat(Load->Paths[i], &st) != 0)
        {
            IgToolError(Err, Load->Paths[i], "cannot read: %s", strerror(errno));
            return IG_EXIT_FAILURE;
        }
    }
    if (Load->PathCount == 1 && IgWbIsBinary(Load->Paths[0]))
    {
        return IgWbLoadBinary(Load, Rules, Err);
    }
    if (Load->SourcePath)
    {
        IgToolError(Err, Rules->Name, "is not an exceptions file (sources are given with it)");
        return IG_EXIT_FAILURE;
    }
    return IgWbLoadSources(Load, Rules, Err);
}

int IgWbLoad(const IG_WB_LOAD *Load, IG_WB_RULES *Rules, FILE *Err)
{
    int exit;

    memset(Rules, 0, sizeof(*Rules));
    exit = IgWbLoadAny(Load, Rules, Err);
    return exit == IG_EXIT_OK ? IgWbIndexSignatures(Rules, Err) : exit;
}

void IgWbRulesFree(IG_WB_RULES *Rules)
{
    if (!Rules)
    {
        return;
    }
    for (size_t i = 0; Rules->Docs && i < Rules->Inputs.Count; i++)
    {
        IgJsonFree(&Rules->Docs[i]);
    }
    free(Rules->Docs);
    IgCompileInputsFree(&Rules->Inputs);
    IgRecordListFree(&Rules->List);
    free(Rules->Origin);
    free(Rules->Origins);
    free(Rules->Data);
    free(Rules->SigIndex);
    memset(Rules, 0, sizeof(*Rules));
}

/* ---- records and their sources ------------------------------------------------------------------------------------
 */

static const IG_COMPILE_ORIGIN *IgWbOriginOf(const IG_WB_RULES *Rules, uint32_t Index)
{
    uint32_t o;

    if (!Rules->Origin || Index >= Rules->List.Count)
    {
        return NULL;
    }
    o = Rules->Origin[Index];
    return o < Rules->OriginCount && Rules->Origins[o].Source < Rules->Inputs.Count ? &Rules->Origins[o] : NULL;
}

bool IgWbWhere(const IG_WB_RULES *Rules, uint32_t Index, IG_WB_WHERE *Where)
{
    const IG_COMPILE_ORIGIN *o = IgWbOriginOf(Rules, Index);

    memset(Where, 0, sizeof(*Where));
    if (!o)
    {
        return false;
    }
    Where->Source = o->Source;
    Where->File = Rules->Inputs.Items[o->Source].Name;
    Where->Line = o->Line;
    snprintf(Where->Path, sizeof(Where->Path), "$.%s[%u]", o->Signature ? "Signatures" : "Exceptions", o->Item);
    return true;
}

const IG_JSON_VALUE *IgWbEntry(const IG_WB_RULES *Rules, uint32_t Index)
{
    const IG_COMPILE_ORIGIN *o = IgWbOriginOf(Rules, Index);
    const IG_JSON_VALUE *array;

    if (!o || !Rules->Docs)
    {
        return NULL;
    }
    array = IgJsonGet(Rules->Docs[o->Source].Root, o->Signature ? "Signatures" : "Exceptions");
    return array && array->Type == IgJsonArray && o->Item < array->Count ? array->Items[o->Item] : NULL;
}

bool IgWbIsException(const INTRO_EXCFILE_RECORD *Record)
{
    return Record->Known && ((1u << Record->Type) & INTRO_EXCFILE_EXCEPTION_TYPES) != 0;
}

bool IgWbIsSignature(const INTRO_EXCFILE_RECORD *Record)
{
    return Record->Known && ((1u << Record->Type) & INTRO_EXCFILE_SIGNATURE_TYPES) != 0;
}

uint32_t IgWbFindSignature(const IG_WB_RULES *Rules, uint32_t Id)
{
    size_t lo = 0, hi = Rules->SigCount;

    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if ((uint32_t)(Rules->SigIndex[mid] >> 32) < Id)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo < Rules->SigCount && (uint32_t)(Rules->SigIndex[lo] >> 32) == Id ? (uint32_t)Rules->SigIndex[lo]
                                                                               : IG_WB_NO_ORIGIN;
}

uint32_t IgWbSignatureReason(uint8_t RecordType)
{
    switch (RecordType)
    {
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            return INTRO_EXC_REASON_SIGNATURE_NOT_MATCHED;
        case INTRO_EXCFILE_REC_EXPORT:
            return INTRO_EXC_REASON_EXPORT_NOT_MATCHED;
        case INTRO_EXCFILE_REC_VALUE:
            return INTRO_EXC_REASON_VALUE_NOT_MATCHED;
        case INTRO_EXCFILE_REC_VALUE_CODE:
            return INTRO_EXC_REASON_VALUE_CODE_NOT_MATCHED;
        case INTRO_EXCFILE_REC_IDT:
            return INTRO_EXC_REASON_IDT_NOT_MATCHED;
        case INTRO_EXCFILE_REC_VERSION_OS:
            return INTRO_EXC_REASON_VERSION_OS_NOT_MATCHED;
        case INTRO_EXCFILE_REC_VERSION_INTRO:
            return INTRO_EXC_REASON_VERSION_INTRO_NOT_MATCHED;
        case INTRO_EXCFILE_REC_PROCESS_CREATION:
            return INTRO_EXC_REASON_PROCESS_CREATION_NOT_MATCHED;
        default:
            return 0;
    }
}

/* A name field's text: the entry's string (or its *_hash), else the record's value in words. */
static void IgWbFieldText(const IG_JSON_VALUE *Entry, const char *Key, const INTRO_EXCFILE_RECORD *R,
                          INTRO_EXCFILE_FIELD Field, uint32_t Value, char *Out, size_t Size)
{
    char hashKey[32];
    const IG_JSON_VALUE *v = Entry ? IgJsonGet(Entry, Key) : NULL;
    const char *special;

    snprintf(hashKey, sizeof(hashKey), "%s_hash", Key);
    if ((!v || v->Type != IgJsonString || v->Length == 0) && Entry)
    {
        v = IgJsonGet(Entry, hashKey);
    }
    if (v && v->Type == IgJsonString && v->Length)
    {
        snprintf(Out, Size, "%s", v->Text);
        return;
    }
    special = IntExcFileFieldSpecialName(R->Type, Field, IntExcFileRecordFlags(R), Value);
    if (special)
    {
        snprintf(Out, Size, "%s", special);
    }
    else
    {
        snprintf(Out, Size, "0x%08X", Value);
    }
}

static void IgWbGlobText(const INTRO_EXCFILE_TEXT *Text, char *Out, size_t Size)
{
    int length = Text->Length > 64 ? 64 : (int)Text->Length;

    snprintf(Out, Size, "%.*s", length, Text->Text ? Text->Text : "");
}

static void IgWbDescribeException(const INTRO_EXCFILE_RECORD *R, const IG_JSON_VALUE *Entry, IG_WB_DESC *Desc)
{
    const INTRO_EXCFILE_KEYWORD_TABLE *objects = IntExcFileRecordObjectTypes(R->Type);
    const char *object;
    uint8_t objectType;

    if (R->Type == INTRO_EXCFILE_REC_USER_GLOB)
    {
        IgWbGlobText(&R->u.Glob.Originator, Desc->Originator, sizeof(Desc->Originator));
        IgWbGlobText(&R->u.Glob.Victim, Desc->Victim, sizeof(Desc->Victim));
        IgWbGlobText(&R->u.Glob.Process, Desc->Process, sizeof(Desc->Process));
        objectType = R->u.Glob.ObjectType;
    }
    else
    {
        const INTRO_EXCFILE_EXCEPTION *e = &R->u.Exception;

        IgWbFieldText(Entry, "originator", R, INTRO_EXCFILE_FIELD_ORIGINATOR, e->Originator, Desc->Originator,
                      sizeof(Desc->Originator));
        IgWbFieldText(Entry, "victim", R, INTRO_EXCFILE_FIELD_VICTIM, e->Victim, Desc->Victim, sizeof(Desc->Victim));
        if (R->Type != INTRO_EXCFILE_REC_KERNEL)
        {
            IgWbFieldText(Entry, "process", R, INTRO_EXCFILE_FIELD_PROCESS, e->Process, Desc->Process,
                          sizeof(Desc->Process));
        }
        objectType = e->ObjectType;
    }
    object = objects ? IntExcFileKeywordName(objects, objectType) : NULL;
    if (object)
    {
        snprintf(Desc->Object, sizeof(Desc->Object), "%s", object);
    }
    else
    {
        snprintf(Desc->Object, sizeof(Desc->Object), "%u", objectType);
    }
}

void IgWbDescribe(const IG_WB_RULES *Rules, uint32_t Index, IG_WB_DESC *Desc)
{
    const INTRO_EXCFILE_RECORD *r = &Rules->List.Records[Index];
    const IG_JSON_VALUE *entry = IgWbEntry(Rules, Index);
    const char *kind = IntExcFileRecordTypeName(r->Type);

    memset(Desc, 0, sizeof(*Desc));
    Desc->Kind = kind ? kind : "unknown";
    if (!r->Known)
    {
        return;
    }
    IntExcFileFormatFlags(IntExcFileRecordFlagNamespaces(r->Type), IntExcFileRecordFlags(r), Desc->Flags,
                          sizeof(Desc->Flags));
    if (IgWbIsException(r))
    {
        IgWbDescribeException(r, entry, Desc);
        return;
    }
    {
        const IG_JSON_VALUE *name = entry ? IgJsonGet(entry, "sig_id") : NULL;

        if (name && name->Type == IgJsonString)
        {
            snprintf(Desc->Name, sizeof(Desc->Name), "%s", name->Text);
        }
        else
        {
            snprintf(Desc->Name, sizeof(Desc->Name), "0x%08X", IntExcFileRecordId(r));
        }
    }
}
