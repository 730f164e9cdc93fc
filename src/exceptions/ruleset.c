/*
 * Building the immutable rule set from an exceptions file.
 *
 * Two passes over the file.  The first decodes and validates every record and counts what the
 * set will hold; nothing is allocated until the whole file is known to be good.  Then one
 * allocation is made for everything, and the second pass fills it.  The lists are formed with a
 * counting sort over the exceptions' list ids, so building costs a few linear passes and no
 * per-record allocation.
 */
#include "ruleset.h"

#include <stdio.h>
#include <string.h>

/* What the first pass learns: exact sizes for the second. */
typedef struct IG_LOAD_COUNTS
{
    uint32_t Exceptions;
    uint32_t SigIds;
    uint32_t Globs;
    uint32_t GlobText;
    uint32_t Signatures;
    uint32_t SigsPerKind[IgSigKindCount];
    uint32_t CbLists;
    uint32_t CbHashes;
    uint32_t ExportEntries;
    uint32_t ValueEntries;
    uint32_t PatternItems;
    uint32_t Records;
    uint32_t RecordsByType[256];
} IG_LOAD_COUNTS;

/* Byte offsets of each array inside the single allocation. */
typedef struct IG_LAYOUT
{
    size_t Size;
    size_t Exceptions, ListItems, SigIds, Signatures, SigById, Globs, GlobText;
    size_t CbLists, CbHashes, ExportEntries, ValueEntries, Pattern;
    size_t ListOf, Scratch; /* build-time scratch, unused afterwards */
} IG_LAYOUT;

IG_SIG_KIND IgSigKindFromType(uint32_t TypeCode)
{
    switch (TypeCode)
    {
        case IgSigTypeVersionOs:
            return IgSigVersionOs;
        case IgSigTypeVersionIntro:
            return IgSigVersionIntro;
        case IgSigTypeProcessCreation:
            return IgSigProcessCreation;
        case IgSigTypeExport:
            return IgSigExport;
        case IgSigTypeValue:
            return IgSigValue;
        case IgSigTypeIdt:
            return IgSigIdt;
        case IgSigTypeValueCode:
            return IgSigValueCode;
        case IgSigTypeCodeBlocks:
            return IgSigCodeBlocks;
        default:
            return IgSigKindCount;
    }
}

static IG_SIG_KIND IgSigKindFromRecord(uint8_t Type)
{
    switch (Type)
    {
        case IgRecVersionOsSig:
            return IgSigVersionOs;
        case IgRecVersionIntroSig:
            return IgSigVersionIntro;
        case IgRecProcessCreationSig:
            return IgSigProcessCreation;
        case IgRecExportSig:
            return IgSigExport;
        case IgRecValueSig:
            return IgSigValue;
        case IgRecIdtSig:
            return IgSigIdt;
        case IgRecValueCodeSig:
            return IgSigValueCode;
        case IgRecCodeBlocksSig:
            return IgSigCodeBlocks;
        default:
            return IgSigKindCount;
    }
}

/* hvmi keeps a record only if its `linux` bit agrees with the guest; an unknown OS keeps all. */
static bool IgOsKeeps(IG_GUEST_OS Os, uint32_t Flags, uint32_t LinuxBit)
{
    bool isLinux = (Flags & LinuxBit) != 0;

    return Os == IgGuestOsUnknown || (Os == IgGuestOsWindows && !isLinux) || (Os == IgGuestOsLinux && isLinux);
}

static uint32_t IgRecordFlags(const IG_RECORD *Record)
{
    switch (Record->Type)
    {
        case IgRecKernel:
        case IgRecUser:
        case IgRecUserApc:
        case IgRecKernelUser:
            return Record->u.Exception.Flags;
        case IgRecUserGlob:
            return Record->u.Glob.Flags;
        case IgRecCodeBlocksSig:
            return Record->u.CodeBlocks.Flags;
        case IgRecExportSig:
            return Record->u.Export.Flags;
        case IgRecValueSig:
            return Record->u.Value.Flags;
        case IgRecValueCodeSig:
            return Record->u.ValueCode.Flags;
        case IgRecIdtSig:
            return Record->u.Idt.Flags;
        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            return Record->u.Version.Flags;
        default:
            return Record->u.ProcessCreation.Flags;
    }
}

/* Whether a decoded record goes into the set, updating the skip statistics when it does not. */
static bool IgRecordKept(const IG_RECORD *Record, IG_GUEST_OS Os, IG_LOAD_STATS *Stats)
{
    uint32_t flags;

    if (!Record->Known)
    {
        Stats->UnknownRecords++;
        return false;
    }
    flags = IgRecordFlags(Record);
    if (!IgOsKeeps(Os, flags, IG_EXC_FLG_LINUX))
    {
        Stats->OsFiltered++;
        return false;
    }
    if (IgRecordIsException(Record->Type) && (flags & IG_EXC_FLG_IGNORE))
    {
        Stats->IgnoredExceptions++;
        return false;
    }
    return true;
}

static void IgFlushLanes(IG_LOAD_COUNTS *Counts, uint64_t *Lanes, uint32_t *InLanes)
{
    Counts->RecordsByType[IgRecKernel] += (uint32_t)(*Lanes & 0xFFFF);
    Counts->RecordsByType[IgRecUser] += (uint32_t)((*Lanes >> 16) & 0xFFFF);
    Counts->RecordsByType[IgRecUserApc] += (uint32_t)((*Lanes >> 32) & 0xFFFF);
    Counts->RecordsByType[IgRecKernelUser] += (uint32_t)(*Lanes >> 48);
    *Lanes = 0;
    *InLanes = 0;
}

/*
 * Pass 1: walk the record headers only and bound what each record can contribute.  The bounds
 * come from the record sizes, so they never exceed the file, and the walk costs a few
 * instructions per record.  It validates nothing beyond framing: any framing defect (a record
 * header or body past the end, a body shorter than its kind's fixed part) is handed to the full
 * decoder so the error is reported exactly as it would be anywhere else.
 */
static INTSTATUS IgBoundFile(const void *Buffer, size_t Length, IG_FILE_HEADER *Header, IG_LOAD_COUNTS *Counts,
                             IG_PARSE_ERROR *Error)
{
    IG_RECORD_ITER iter;
    IG_RECORD rec;
    IG_READER *rd = &iter.File;
    INTSTATUS status = IgFileOpen(Buffer, Length, Header, &iter, Error);
    uint32_t records = 0;

    if (!INT_SUCCESS(status))
    {
        return status;
    }

    /* Plain exception records are nearly all of a file: count them in locals (registers) and
     * leave the rarer kinds to the general switch. */
    uint32_t exceptions = 0;
    uint32_t sigIds = 0;
    /* Per-type record counts for the four plain kinds, as four 16-bit lanes of one register
     * (counters[type]++ in memory would chain every iteration through store forwarding);
     * flushed before a lane can overflow. */
    static const uint64_t laneOf[16] = {
        [IgRecKernel] = 1ull, [IgRecUser] = 1ull << 16, [IgRecUserApc] = 1ull << 32, [IgRecKernelUser] = 1ull << 48};
    uint64_t lanes = 0;
    uint32_t inLanes = 0;
    IG_READER file = *rd;

    while (!IgReaderAtEnd(&file))
    {
        const uint8_t *head = IgReadBytes(&file, IG_RECORD_HEADER_SIZE);
        uint32_t size = head ? IgLoadLe16(head + 1) : 0;
        uint32_t fixed = 0;

        if (!head || !IgReadSkip(&file, size) || ++records > IG_MAX_RECORDS)
        {
            goto framing_defect;
        }
        if (IgRecordHasExceptionHead(head[0]))
        {
            if (size < IG_EXC_FIXED_SIZE)
            {
                goto framing_defect;
            }
            exceptions++;
            sigIds += (size - IG_EXC_FIXED_SIZE) / 4;
            lanes += laneOf[head[0]];
            if (++inLanes == 0xFFFF)
            {
                IgFlushLanes(Counts, &lanes, &inLanes);
            }
            continue;
        }
        Counts->RecordsByType[head[0]]++;
        switch (head[0])
        {
            case IgRecUserGlob:
                fixed = IG_GLOB_FIXED_SIZE;
                break;
            case IgRecCodeBlocksSig:
                fixed = IG_CB_FIXED_SIZE;
                break;
            case IgRecExportSig:
                fixed = IG_EXPORT_FIXED_SIZE;
                break;
            case IgRecValueSig:
            case IgRecValueCodeSig:
                fixed = IG_VALUE_FIXED_SIZE; /* == IG_VALUE_CODE_FIXED_SIZE */
                break;
            default:
                break;
        }
        if (size < fixed)
        {
            goto framing_defect;
        }
        size -= fixed; /* now the variable part */
        switch (head[0])
        {
            case IgRecUserGlob:
                exceptions++;
                sigIds += size / 4;
                Counts->Globs++;
                Counts->GlobText += size;
                break;
            case IgRecCodeBlocksSig:
                Counts->CbLists += size; /* every list takes at least its count byte */
                Counts->CbHashes += size / 4;
                break;
            case IgRecExportSig:
                Counts->ExportEntries += size / IG_EXPORT_ENTRY_SIZE;
                break;
            case IgRecValueSig:
                Counts->ValueEntries += size / IG_VALUE_ENTRY_SIZE;
                break;
            case IgRecValueCodeSig:
                Counts->PatternItems += size / 2;
                break;
            default:
                break;
        }
        if (IgSigKindFromRecord(head[0]) != IgSigKindCount)
        {
            Counts->Signatures++;
            Counts->SigsPerKind[IgSigKindFromRecord(head[0])]++;
        }
    }
    Counts->Exceptions = exceptions;
    Counts->SigIds = sigIds;
    Counts->Records = records;
    IgFlushLanes(Counts, &lanes, &inLanes);
    return INT_STATUS_SUCCESS;

framing_defect:
    /* Re-walk with the full decoder: it stops at this record (or an earlier one) with the
     * precise error. */
    status = IgFileOpen(Buffer, Length, Header, &iter, Error);
    while (INT_SUCCESS(status))
    {
        status = IgFileNextRecord(&iter, &rec, Error);
    }
    return status == INT_STATUS_NO_MORE_ENTRIES ? INT_STATUS_INVALID_INTERNAL_STATE : status;
}

/* Reserves Count elements of ElementSize bytes at the end of the layout; false on overflow. */
static bool IgLayoutAdd(IG_LAYOUT *Layout, size_t *Field, size_t Count, size_t ElementSize)
{
    size_t bytes;
    size_t start;

    if (__builtin_mul_overflow(Count, ElementSize, &bytes) || __builtin_add_overflow(Layout->Size, 7u, &start))
    {
        return false;
    }
    start &= ~(size_t)7;
    *Field = start;
    return !__builtin_add_overflow(start, bytes, &Layout->Size);
}

static bool IgComputeLayout(const IG_LOAD_COUNTS *Counts, IG_LAYOUT *Layout)
{
    size_t scratch = Counts->Exceptions > Counts->Signatures ? Counts->Exceptions : Counts->Signatures;

    memset(Layout, 0, sizeof(*Layout));
    Layout->Size = sizeof(IG_RULESET);
    return IgLayoutAdd(Layout, &Layout->Exceptions, Counts->Exceptions, sizeof(IG_EXCEPTION)) &&
           IgLayoutAdd(Layout, &Layout->ListItems, Counts->Exceptions, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->SigIds, Counts->SigIds, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->Signatures, Counts->Signatures, sizeof(IG_SIGNATURE)) &&
           IgLayoutAdd(Layout, &Layout->SigById, Counts->Signatures, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->Globs, Counts->Globs, sizeof(IG_GLOB)) &&
           IgLayoutAdd(Layout, &Layout->GlobText, Counts->GlobText, 1) &&
           IgLayoutAdd(Layout, &Layout->CbLists, Counts->CbLists, sizeof(IG_CB_LIST)) &&
           IgLayoutAdd(Layout, &Layout->CbHashes, Counts->CbHashes, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->ExportEntries, Counts->ExportEntries, sizeof(IG_EXPORT_ENTRY)) &&
           IgLayoutAdd(Layout, &Layout->ValueEntries, Counts->ValueEntries, sizeof(IG_VALUE_ENTRY)) &&
           IgLayoutAdd(Layout, &Layout->Pattern, Counts->PatternItems, sizeof(uint16_t)) &&
           IgLayoutAdd(Layout, &Layout->ListOf, Counts->Exceptions, 1) &&
           IgLayoutAdd(Layout, &Layout->Scratch, scratch, sizeof(uint32_t));
}

/* hvmi's list routing (spec §6.1), except that KUM no-name exceptions go to the KUM list.
 * Takes values, not the stored exception: reading back what was just written stalls the loop. */
static inline __attribute__((always_inline)) uint8_t IgRouteException(uint8_t Kind, uint8_t ObjectType, uint32_t Flags,
                                                                      uint32_t Originator)
{
    bool feedback = (Flags & IG_EXC_FLG_FEEDBACK) != 0;
    uint32_t generic, noName, fb, buckets;

    switch (Kind)
    {
        case IgRecKernel:
            generic = IgListKernelGeneric, noName = IgListKernelNoName, fb = IgListKernelFeedback;
            buckets = IgListKernelBuckets;
            break;
        case IgRecKernelUser:
            generic = IgListKernelUserGeneric, noName = IgListKernelUserNoName, fb = IgListKernelUserFeedback;
            buckets = IgListKernelUserBuckets;
            break;
        case IgRecUserGlob:
            return IgListUserGlob;
        default: /* user and user-APC */
            if (ObjectType == IG_UM_OBJ_PROCESS_CREATION)
            {
                return feedback ? IgListProcessCreationFeedback : IgListProcessCreation;
            }
            generic = IgListUserGeneric, noName = IgListUserNoName, fb = IgListUserFeedback;
            buckets = IgListUserBuckets;
            break;
    }
    if (feedback)
    {
        return (uint8_t)fb;
    }
    if (Originator == IG_NAME_ANY)
    {
        return (uint8_t)generic;
    }
    if (Originator == IG_NAME_NONE)
    {
        return (uint8_t)noName;
    }
    return (uint8_t)(buckets + IG_BUCKET(Originator));
}

/* hvmi's default access bit for KM, UM and APC records that name none. */
static inline uint32_t IgDefaultAccess(uint8_t Kind, uint8_t ObjectType, uint32_t Flags)
{
    const uint32_t access = IG_EXC_FLG_READ | IG_EXC_FLG_WRITE | IG_EXC_FLG_EXECUTE;

    if (Flags & access)
    {
        return Flags;
    }
    if (Kind == IgRecKernel)
    {
        return Flags | IG_EXC_FLG_WRITE;
    }
    if (Kind == IgRecUser || Kind == IgRecUserApc)
    {
        return Flags | (ObjectType == IG_UM_OBJ_NX_ZONE ? IG_EXC_FLG_EXECUTE : IG_EXC_FLG_WRITE);
    }
    return Flags;
}

_Static_assert(IgListCount <= 64, "the unsorted-list mask is 64 bits");

typedef struct IG_FILL_CURSORS
{
    uint32_t Exception, SigId, Glob, GlobText, CbList, CbHash, Export, Value, Pattern;
    uint32_t PerKind[IgSigKindCount];
} IG_FILL_CURSORS;

static void IgCopySigIds(IG_RULESET *Set, IG_FILL_CURSORS *Cur, IG_EXCEPTION *Exc, IG_READER Ids, uint16_t Count)
{
    Exc->SigFirst = Cur->SigId;
    Exc->SigCount = Count;
    for (uint32_t i = 0; i < Count; i++)
    {
        Set->SigIds[Cur->SigId++] = IgReadU32(&Ids);
    }
}

static uint32_t IgCopyGlobText(IG_RULESET *Set, IG_FILL_CURSORS *Cur, const char *Text, size_t Length)
{
    uint32_t at = Cur->GlobText;

    memcpy(Set->GlobText + at, Text, Length);
    Set->GlobText[at + Length] = '\0';
    Cur->GlobText += (uint32_t)Length + 1;
    return at;
}

/* Stores one KM, UM, APC or KUM exception; SigIds points at its SigCount raw little-endian IDs
 * inside a bounds-checked body. */
static inline __attribute__((always_inline)) void IgStoreException(IG_RULESET *Set, IG_FILL_CURSORS *Cur,
                                                                   uint8_t *ListOf, uint8_t Type, uint32_t RecordIndex,
                                                                   const IG_REC_EXCEPTION *Head, const uint8_t *SigIds)
{
    uint32_t index = Cur->Exception++;
    IG_EXCEPTION *exc = &Set->Exceptions[index];
    uint32_t *ids = &Set->SigIds[Cur->SigId];

    exc->Originator = Head->Originator;
    exc->Victim = Head->Victim;
    exc->Process = Head->Process;
    exc->Flags = IgDefaultAccess(Type, Head->ObjectType, Head->Flags);
    exc->SigFirst = Cur->SigId;
    exc->RecordIndex = RecordIndex;
    exc->Glob = IG_NO_INDEX;
    exc->SigCount = Head->SigCount;
    exc->Kind = Type;
    exc->ObjectType = Head->ObjectType;
    for (uint32_t i = 0; i < Head->SigCount; i++)
    {
        ids[i] = IgLoadLe32(SigIds + 4u * i);
    }
    Cur->SigId += Head->SigCount;
    ListOf[index] = IgRouteException(Type, Head->ObjectType, Head->Flags, Head->Originator);
}

static void IgFillException(IG_RULESET *Set, IG_FILL_CURSORS *Cur, uint8_t *ListOf, const IG_RECORD *Rec)
{
    uint32_t index = Cur->Exception++;
    IG_EXCEPTION *exc = &Set->Exceptions[index];

    exc->Kind = Rec->Type;
    exc->RecordIndex = Rec->Index;
    exc->Glob = IG_NO_INDEX;

    if (Rec->Type == IgRecUserGlob)
    {
        const IG_REC_GLOB *g = &Rec->u.Glob;
        IG_GLOB *glob = &Set->Globs[Cur->Glob];

        exc->Originator = exc->Victim = exc->Process = 0;
        exc->Glob = Cur->Glob++;
        exc->Flags = g->Flags;
        exc->ObjectType = g->ObjectType;
        glob->Originator = IgCopyGlobText(Set, Cur, g->Originator, g->OriginatorLen);
        glob->Victim = IgCopyGlobText(Set, Cur, g->Victim, g->VictimLen);
        glob->Process = IgCopyGlobText(Set, Cur, g->Process, g->ProcessLen);
        glob->OriginatorLen = (uint8_t)g->OriginatorLen;
        glob->VictimLen = (uint8_t)g->VictimLen;
        glob->ProcessLen = (uint8_t)g->ProcessLen;
        IgCopySigIds(Set, Cur, exc, g->SigIds, g->SigCount);
    }
    else
    {
        /* Only reached by records the fast path declined; their list is re-checked for order. */
        IgStoreException(Set, Cur, ListOf, Rec->Type, Rec->Index, &Rec->u.Exception, Rec->u.Exception.SigIds.Data);
        Cur->Exception--; /* IgStoreException took its own slot */
        return;
    }
    ListOf[index] = IgRouteException(exc->Kind, exc->ObjectType, exc->Flags, exc->Originator);
}

/* Where each plain exception kind is routed (spec §6.1); see IgRouteException for the rules. */
typedef struct IG_ROUTE_BASE
{
    uint8_t Generic, NoName, Feedback, Buckets;
} IG_ROUTE_BASE;

static const IG_ROUTE_BASE gIgRouteBase[16] = {
    [IgRecKernel] = {IgListKernelGeneric, IgListKernelNoName, IgListKernelFeedback, IgListKernelBuckets},
    [IgRecUser] = {IgListUserGeneric, IgListUserNoName, IgListUserFeedback, IgListUserBuckets},
    [IgRecUserApc] = {IgListUserGeneric, IgListUserNoName, IgListUserFeedback, IgListUserBuckets},
    [IgRecKernelUser] = {IgListKernelUserGeneric, IgListKernelUserNoName, IgListKernelUserFeedback,
                         IgListKernelUserBuckets},
};

/*
 * The load's hot path: a run of well-formed KM, UM, APC and KUM records, decoded straight from
 * the bytes the reader hands out for the rest of the file, without building IG_RECORDs.  Every
 * record is checked against the window before it is touched.  Cursors and counters live in
 * locals for the length of the run (through pointers the compiler must assume they alias the
 * rule set's arrays).  The run stops, consuming nothing more, at anything else: signatures,
 * glob, unknown kinds and malformed records, which the full decoder then handles or reports.
 */
static __attribute__((noinline)) void IgFillPlainRun(IG_RULESET *Set, IG_FILL_CURSORS *Cur, uint8_t *ListOf,
                                                     IG_RECORD_ITER *Iter)
{
    const size_t window = IgReaderRemaining(&Iter->File);
    const uint8_t *const start = IgReaderPeek(&Iter->File, window);
    const uint8_t *p = start;
    const uint8_t *const end = start ? start + window : NULL;
    uint32_t index = Iter->NextIndex;
    const uint32_t lastIndex = IG_MAX_RECORDS;
    uint32_t next = Cur->Exception;
    uint32_t nextId = Cur->SigId;
    const uint32_t firstIndex = Iter->NextIndex;
    const uint32_t firstException = Cur->Exception;
    uint32_t ignored = 0;
    /* A record is dropped for the OS when filtering is on and its linux bit differs from the
     * guest's: one XOR instead of two flags, to keep the loop's state in registers. */
    const uint32_t osFilter = Set->Os == IgGuestOsUnknown ? 0u : 1u;
    const uint32_t osLinux = Set->Os == IgGuestOsLinux ? 1u : 0u;
    IG_EXCEPTION *const exceptions = Set->Exceptions;
    uint32_t *const ids = Set->SigIds;

    while (p && (size_t)(end - p) >= IG_RECORD_HEADER_SIZE + IG_EXC_FIXED_SIZE && index < lastIndex)
    {
        const uint8_t type = p[0];
        const uint32_t size = IgLoadLe16(p + 1);
        const uint8_t *body = p + IG_RECORD_HEADER_SIZE;
        IG_REC_EXCEPTION head;
        uint8_t list;

        if (!IgRecordHasExceptionHead(type))
        {
            break;
        }
        IgDecodeExceptionHead(type, body, &head);
        if (size != IG_EXC_FIXED_SIZE + 4u * head.SigCount || size > (size_t)(end - body))
        {
            break;
        }
        p = body + size;
        index++;

        if (osFilter & (((head.Flags & IG_EXC_FLG_LINUX) >> 7) ^ osLinux))
        {
            continue; /* counted below as records processed minus kept minus ignored */
        }
        if (head.Flags & IG_EXC_FLG_IGNORE)
        {
            ignored++;
            continue;
        }

        {
            IG_EXCEPTION *exc = &exceptions[next];
            const IG_ROUTE_BASE *route = &gIgRouteBase[type];

            exc->Originator = head.Originator;
            exc->Victim = head.Victim;
            exc->Process = head.Process;
            exc->Flags = IgDefaultAccess(type, head.ObjectType, head.Flags);
            exc->SigFirst = nextId;
            exc->RecordIndex = index - 1;
            exc->Glob = IG_NO_INDEX;
            exc->SigCount = head.SigCount;
            exc->Kind = type;
            exc->ObjectType = head.ObjectType;
            for (uint32_t i = 0; i < head.SigCount; i++)
            {
                ids[nextId + i] = IgLoadLe32(body + IG_EXC_FIXED_SIZE + 4u * i);
            }
            nextId += head.SigCount;

            if ((type == IgRecUser || type == IgRecUserApc) && head.ObjectType == IG_UM_OBJ_PROCESS_CREATION)
            {
                list = (head.Flags & IG_EXC_FLG_FEEDBACK) ? IgListProcessCreationFeedback : IgListProcessCreation;
            }
            else if (head.Flags & IG_EXC_FLG_FEEDBACK)
            {
                list = route->Feedback;
            }
            else if (head.Originator == IG_NAME_ANY)
            {
                list = route->Generic;
            }
            else if (head.Originator == IG_NAME_NONE)
            {
                list = route->NoName;
            }
            else
            {
                list = (uint8_t)(route->Buckets + IG_BUCKET(head.Originator));
            }
            ListOf[next++] = list;
        }
    }

    (void)IgReadSkip(&Iter->File, (size_t)(p - start));
    Set->Stats.OsFiltered += (index - firstIndex) - (next - firstException) - ignored;
    Set->Stats.IgnoredExceptions += ignored;
    Iter->NextIndex = index;
    Cur->Exception = next;
    Cur->SigId = nextId;
}

static void IgFillSignature(IG_RULESET *Set, IG_FILL_CURSORS *Cur, const IG_RECORD *Rec)
{
    IG_SIG_KIND kind = IgSigKindFromRecord(Rec->Type);
    IG_SIGNATURE *sig;
    IG_READER rd;

    if (kind == IgSigKindCount)
    {
        return;
    }
    sig = &Set->Signatures[Set->SigKinds[kind].First + Cur->PerKind[kind]++];
    memset(sig, 0, sizeof(*sig));
    sig->Kind = (uint8_t)kind;
    sig->RecordIndex = Rec->Index;
    switch (Rec->Type)
    {
        case IgRecCodeBlocksSig:
            sig->Id = Rec->u.CodeBlocks.Id;
            sig->Flags = Rec->u.CodeBlocks.Flags;
            sig->Score = Rec->u.CodeBlocks.Score;
            sig->Count = Rec->u.CodeBlocks.ListCount;
            sig->First = Cur->CbList;
            rd = Rec->u.CodeBlocks.Lists;
            for (uint32_t i = 0; i < sig->Count; i++)
            {
                IG_CB_LIST *list = &Set->CbLists[Cur->CbList++];

                list->Count = IgReadU8(&rd);
                list->First = Cur->CbHash;
                for (uint32_t h = 0; h < list->Count; h++)
                {
                    Set->CbHashes[Cur->CbHash++] = IgReadU32(&rd);
                }
            }
            break;

        case IgRecExportSig:
            sig->Id = Rec->u.Export.Id;
            sig->Flags = Rec->u.Export.Flags;
            sig->Count = Rec->u.Export.Count;
            sig->First = Cur->Export;
            sig->u.Library = Rec->u.Export.Library;
            rd = Rec->u.Export.Entries;
            for (uint32_t i = 0; i < sig->Count; i++)
            {
                IG_EXPORT_ENTRY *entry = &Set->ExportEntries[Cur->Export++];

                entry->Delta = IgReadU16(&rd);
                (void)IgReadSkip(&rd, 2);
                entry->FunctionHash = IgReadU32(&rd);
            }
            break;

        case IgRecValueSig:
            sig->Id = Rec->u.Value.Id;
            sig->Flags = Rec->u.Value.Flags;
            sig->Score = Rec->u.Value.Score;
            sig->Count = Rec->u.Value.Count;
            sig->First = Cur->Value;
            rd = Rec->u.Value.Entries;
            for (uint32_t i = 0; i < sig->Count; i++)
            {
                IG_VALUE_ENTRY *entry = &Set->ValueEntries[Cur->Value++];

                entry->Offset = IgReadU16(&rd);
                entry->Size = IgReadU16(&rd);
                (void)IgReadSkip(&rd, 4);
                entry->Hash = IgReadU32(&rd);
            }
            break;

        case IgRecValueCodeSig:
            sig->Id = Rec->u.ValueCode.Id;
            sig->Flags = Rec->u.ValueCode.Flags;
            sig->Count = Rec->u.ValueCode.Length;
            sig->First = Cur->Pattern;
            sig->u.CodeOffset = Rec->u.ValueCode.Offset;
            rd = Rec->u.ValueCode.Pattern;
            for (uint32_t i = 0; i < sig->Count; i++)
            {
                Set->Pattern[Cur->Pattern++] = IgReadU16(&rd);
            }
            break;

        case IgRecIdtSig:
            sig->Id = Rec->u.Idt.Id;
            sig->Flags = Rec->u.Idt.Flags;
            sig->u.IdtEntry = Rec->u.Idt.Entry;
            break;

        case IgRecVersionOsSig:
        case IgRecVersionIntroSig:
            sig->Id = Rec->u.Version.Id;
            sig->Flags = Rec->u.Version.Flags;
            sig->u.Version.Minimum = Rec->u.Version.Minimum;
            sig->u.Version.Maximum = Rec->u.Version.Maximum;
            break;

        default: /* process creation */
            sig->Id = Rec->u.ProcessCreation.Id;
            sig->Flags = Rec->u.ProcessCreation.Flags;
            sig->u.CreateMask = Rec->u.ProcessCreation.CreateMask;
            break;
    }
}

typedef uint32_t (*IG_SORT_KEY)(const IG_RULESET *Set, uint32_t Item);

static uint32_t IgKeyOriginator(const IG_RULESET *Set, uint32_t Item)
{
    return Set->Exceptions[Item].Originator;
}

static uint32_t IgKeySignatureId(const IG_RULESET *Set, uint32_t Item)
{
    return Set->Signatures[Item].Id;
}

/* Stable bottom-up merge sort of Items by Key, using Scratch (Count elements). */
static void IgStableSort(const IG_RULESET *Set, uint32_t *Items, uint32_t Count, uint32_t *Scratch, IG_SORT_KEY Key)
{
    uint32_t *src = Items;
    uint32_t *dst = Scratch;

    for (uint32_t width = 1; width < Count; width *= 2)
    {
        for (uint32_t lo = 0; lo < Count; lo += 2 * width)
        {
            uint32_t mid = lo + width < Count ? lo + width : Count;
            uint32_t hi = mid + width < Count ? mid + width : Count;
            uint32_t a = lo, b = mid, out = lo;

            while (a < mid && b < hi)
            {
                dst[out++] = Key(Set, src[b]) < Key(Set, src[a]) ? src[b++] : src[a++];
            }
            while (a < mid)
            {
                dst[out++] = src[a++];
            }
            while (b < hi)
            {
                dst[out++] = src[b++];
            }
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != Items)
    {
        memcpy(Items, src, (size_t)Count * sizeof(*Items));
    }
}

static bool IgListIsSortedByOriginator(uint32_t List)
{
    return (List >= IgListKernelBuckets && List < IgListKernelBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListUserBuckets && List < IgListUserBuckets + IG_BUCKET_COUNT) ||
           (List >= IgListKernelUserBuckets && List < IgListKernelUserBuckets + IG_BUCKET_COUNT) ||
           List == IgListProcessCreation;
}

/* Counting sort of the exceptions into their lists, file order kept inside each list. */
/*
 * Counting sort of the exceptions into their lists, file order kept inside each list, noting
 * on the way which lists are not in ascending originator order.
 */
static void IgBuildLists(IG_RULESET *Set, const uint8_t *ListOf, uint32_t *Scratch)
{
    uint32_t next[IgListCount] = {0};
    uint32_t last[IgListCount] = {0}; /* last originator placed in each list */
    uint32_t first = 0;
    uint32_t run = 0;
    uint32_t pos;
    uint32_t prev;
    uint64_t unsorted = 0;
    uint8_t cur = Set->ExceptionCount ? ListOf[0] : 0;

    /* Consecutive exceptions mostly share a list (the compiler sorts them), so count and place
     * them by runs: per-element counters in memory would serialise on store-to-load
     * forwarding, and the per-list state is only touched when a run ends. */
    for (uint32_t i = 0; i < Set->ExceptionCount; i++)
    {
        if (ListOf[i] != cur)
        {
            Set->Lists[cur].Count += run;
            cur = ListOf[i];
            run = 0;
        }
        run++;
    }
    Set->Lists[cur].Count += run;

    for (uint32_t l = 0; l < IgListCount; l++)
    {
        Set->Lists[l].First = first;
        next[l] = first;
        first += Set->Lists[l].Count;
    }

    cur = Set->ExceptionCount ? ListOf[0] : 0;
    pos = next[cur];
    prev = 0;
    for (uint32_t i = 0; i < Set->ExceptionCount; i++)
    {
        uint32_t originator = Set->Exceptions[i].Originator;

        if (ListOf[i] != cur)
        {
            next[cur] = pos;
            last[cur] = prev;
            cur = ListOf[i];
            pos = next[cur];
            prev = last[cur];
        }
        unsorted |= (uint64_t)(originator < prev) << cur;
        prev = originator;
        Set->ListItems[pos++] = i;
    }

    /* The matchers rely on ascending originators in the bucket and process-creation lists (they
     * stop at a greater one).  hvmi's compiler writes them sorted; a hand-made file may not, and we
     * sort rather than silently lose the exceptions that follow a greater hash (docs/compat.md). */
    for (uint32_t l = 0; l < IgListCount; l++)
    {
        if (IgListIsSortedByOriginator(l) && ((unsorted >> l) & 1u))
        {
            IgStableSort(Set, Set->ListItems + Set->Lists[l].First, Set->Lists[l].Count, Scratch, IgKeyOriginator);
            Set->Stats.UnsortedBuckets++;
        }
    }
}

/* The ID index: signatures whose ID type agrees with their record kind, sorted by ID. */
static void IgBuildSignatureIndex(IG_RULESET *Set, uint32_t *Scratch)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < Set->SignatureCount; i++)
    {
        const IG_SIGNATURE *sig = &Set->Signatures[i];

        if (IgSigKindFromType(IG_SIG_ID_TYPE(sig->Id)) == sig->Kind)
        {
            Set->SigById[n++] = i;
        }
        else
        {
            /* hvmi searches the list named by the ID's type bits, so such a signature is
             * never found. */
            Set->Stats.SigTypeMismatches++;
        }
    }
    Set->SigByIdCount = n;
    for (uint32_t i = 1; i < n; i++)
    {
        if (Set->Signatures[Set->SigById[i - 1]].Id > Set->Signatures[Set->SigById[i]].Id)
        {
            IgStableSort(Set, Set->SigById, n, Scratch, IgKeySignatureId);
            break;
        }
    }

    for (uint32_t i = 1; i < n; i++)
    {
        if (Set->Signatures[Set->SigById[i]].Id == Set->Signatures[Set->SigById[i - 1]].Id)
        {
            Set->Stats.DuplicateSigIds++;
        }
    }
    for (uint32_t i = 0; i < Set->SigIdCount; i++)
    {
        if (!IgRuleSetFindSignature(Set, Set->SigIds[i]))
        {
            Set->Stats.DanglingSigRefs++;
        }
    }
}

const IG_SIGNATURE *IgRuleSetFindSignature(const IG_RULESET *RuleSet, uint32_t Id)
{
    uint32_t lo = 0;
    uint32_t hi = RuleSet->SigByIdCount;

    while (lo < hi)
    {
        uint32_t mid = lo + (hi - lo) / 2;

        if (RuleSet->Signatures[RuleSet->SigById[mid]].Id < Id)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    if (lo < RuleSet->SigByIdCount && RuleSet->Signatures[RuleSet->SigById[lo]].Id == Id)
    {
        return &RuleSet->Signatures[RuleSet->SigById[lo]];
    }
    return NULL;
}

/* Closes the gaps that OS filtering leaves between the per-kind signature ranges. */
static void IgCompactSignatures(IG_RULESET *Set, const uint32_t *Filled)
{
    uint32_t next = 0;

    for (uint32_t k = 0; k < IgSigKindCount; k++)
    {
        if (Set->SigKinds[k].First != next && Filled[k])
        {
            memmove(&Set->Signatures[next], &Set->Signatures[Set->SigKinds[k].First],
                    (size_t)Filled[k] * sizeof(IG_SIGNATURE));
        }
        Set->SigKinds[k].First = next;
        Set->SigKinds[k].Count = Filled[k];
        next += Filled[k];
    }
    Set->SignatureCount = next;
}

/* Pass 2: decode every record for real and fill the set.  Any decoding error ends the load. */
static INTSTATUS IgFillRuleSet(IG_RULESET *Set, const void *Buffer, size_t Length, uint8_t *ListOf,
                               IG_PARSE_ERROR *Error)
{
    IG_FILL_CURSORS cur;
    IG_RECORD_ITER iter;
    IG_RECORD rec;
    IG_FILE_HEADER header;
    IG_LOAD_STATS *stats = &Set->Stats;
    INTSTATUS status = IgFileOpen(Buffer, Length, &header, &iter, Error);

    memset(&cur, 0, sizeof(cur));
    while (INT_SUCCESS(status))
    {
        IgFillPlainRun(Set, &cur, ListOf, &iter);
        status = IgFileNextRecord(&iter, &rec, Error);
        if (!INT_SUCCESS(status))
        {
            break;
        }
        if (!IgRecordKept(&rec, Set->Os, stats))
        {
            continue;
        }
        if (IgRecordIsException(rec.Type))
        {
            IgFillException(Set, &cur, ListOf, &rec);
        }
        else
        {
            IgFillSignature(Set, &cur, &rec);
        }
    }
    if (status != INT_STATUS_NO_MORE_ENTRIES)
    {
        return status;
    }

    Set->ExceptionCount = cur.Exception;
    Set->SigIdCount = cur.SigId;
    Set->GlobCount = cur.Glob;
    Set->CbListCount = cur.CbList;
    Set->CbHashCount = cur.CbHash;
    Set->ExportEntryCount = cur.Export;
    Set->ValueEntryCount = cur.Value;
    Set->PatternCount = cur.Pattern;
    IgCompactSignatures(Set, cur.PerKind);

    stats->HeaderCountsMismatch =
        header.KernelCount != stats->RecordsByType[IgRecKernel] ||
        header.UserCount != stats->RecordsByType[IgRecUser] + stats->RecordsByType[IgRecUserApc] ||
        header.GlobCount != stats->RecordsByType[IgRecUserGlob] ||
        header.KernelUserCount != stats->RecordsByType[IgRecKernelUser];
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgRuleSetLoad(const IG_ALLOCATOR *Allocator, const void *Buffer, size_t Length, IG_GUEST_OS Os,
                        IG_RULESET **RuleSet, IG_PARSE_ERROR *Error)
{
    IG_FILE_HEADER header;
    IG_LOAD_COUNTS counts;
    IG_LAYOUT layout;
    IG_RULESET *set = NULL;
    uint8_t *base;
    uint32_t first = 0;
    INTSTATUS status;

    *RuleSet = NULL;
    memset(&counts, 0, sizeof(counts));

    if (Length > UINT32_MAX)
    {
        /* hvmi's API takes a DWORD length; the bounds below rely on it. */
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->Status = Error->Detail = INT_STATUS_INVALID_PARAMETER_2;
            Error->RecordIndex = IG_NO_RECORD;
            snprintf(Error->Message, sizeof(Error->Message), "file is larger than 4 GiB");
        }
        return INT_STATUS_INVALID_PARAMETER_2;
    }

    status = IgBoundFile(Buffer, Length, &header, &counts, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (!IgComputeLayout(&counts, &layout))
    {
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->Status = INT_STATUS_INSUFFICIENT_RESOURCES;
            Error->Detail = INT_STATUS_ARITHMETIC_OVERFLOW;
            Error->RecordIndex = IG_NO_RECORD;
            snprintf(Error->Message, sizeof(Error->Message), "rule set size overflows");
        }
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }

    status = Allocator->Alloc(Allocator->Context, (void **)&set, layout.Size, IG_TAG_RULESET);
    if (!INT_SUCCESS(status) || !set)
    {
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->Status = INT_STATUS_INSUFFICIENT_RESOURCES;
            Error->Detail = INT_STATUS_INSUFFICIENT_RESOURCES;
            Error->RecordIndex = IG_NO_RECORD;
            snprintf(Error->Message, sizeof(Error->Message), "cannot allocate %zu bytes for the rule set", layout.Size);
        }
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }

    base = (uint8_t *)set;
    memset(set, 0, sizeof(*set));
    atomic_init(&set->RefCount, 1);
    set->Allocator = *Allocator;
    set->AllocSize = layout.Size;
    set->Header = header;
    set->Os = Os;
    set->Stats.Records = counts.Records;
    memcpy(set->Stats.RecordsByType, counts.RecordsByType, sizeof(set->Stats.RecordsByType));
    set->Exceptions = (IG_EXCEPTION *)(base + layout.Exceptions);
    set->ListItems = (uint32_t *)(base + layout.ListItems);
    set->SigIds = (uint32_t *)(base + layout.SigIds);
    set->Signatures = (IG_SIGNATURE *)(base + layout.Signatures);
    set->SigById = (uint32_t *)(base + layout.SigById);
    set->Globs = (IG_GLOB *)(base + layout.Globs);
    set->GlobText = (char *)(base + layout.GlobText);
    set->CbLists = (IG_CB_LIST *)(base + layout.CbLists);
    set->CbHashes = (uint32_t *)(base + layout.CbHashes);
    set->ExportEntries = (IG_EXPORT_ENTRY *)(base + layout.ExportEntries);
    set->ValueEntries = (IG_VALUE_ENTRY *)(base + layout.ValueEntries);
    set->Pattern = (uint16_t *)(base + layout.Pattern);
    for (uint32_t k = 0; k < IgSigKindCount; k++)
    {
        set->SigKinds[k].First = first; /* capacity ranges until IgCompactSignatures */
        first += counts.SigsPerKind[k];
    }

    status = IgFillRuleSet(set, Buffer, Length, base + layout.ListOf, Error);
    if (!INT_SUCCESS(status))
    {
        Allocator->Free(Allocator->Context, (void **)&set, IG_TAG_RULESET);
        return status;
    }
    IgBuildLists(set, base + layout.ListOf, (uint32_t *)(base + layout.Scratch));
    IgBuildSignatureIndex(set, (uint32_t *)(base + layout.Scratch));

    *RuleSet = set;
    return INT_STATUS_SUCCESS;
}

void IgRuleSetRetain(IG_RULESET *RuleSet)
{
    atomic_fetch_add_explicit(&RuleSet->RefCount, 1, memory_order_relaxed);
}

void IgRuleSetRelease(IG_RULESET *RuleSet)
{
    IG_ALLOCATOR allocator;

    if (!RuleSet || atomic_fetch_sub_explicit(&RuleSet->RefCount, 1, memory_order_acq_rel) != 1)
    {
        return;
    }
    allocator = RuleSet->Allocator; /* the set holds its own allocator: copy it out first */
    allocator.Free(allocator.Context, (void **)&RuleSet, IG_TAG_RULESET);
}

void IgRuleSetSlotInit(IG_RULESET_SLOT *Slot)
{
    atomic_flag_clear(&Slot->Lock);
    Slot->Current = NULL;
}

static void IgSlotLock(IG_RULESET_SLOT *Slot)
{
    while (atomic_flag_test_and_set_explicit(&Slot->Lock, memory_order_acquire))
    {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}

static void IgSlotUnlock(IG_RULESET_SLOT *Slot)
{
    atomic_flag_clear_explicit(&Slot->Lock, memory_order_release);
}

IG_RULESET *IgRuleSetSlotAcquire(IG_RULESET_SLOT *Slot)
{
    IG_RULESET *set;

    IgSlotLock(Slot);
    set = Slot->Current;
    if (set)
    {
        IgRuleSetRetain(set);
    }
    IgSlotUnlock(Slot);
    return set;
}

void IgRuleSetSlotPublish(IG_RULESET_SLOT *Slot, IG_RULESET *New)
{
    IG_RULESET *old;

    IgSlotLock(Slot);
    old = Slot->Current;
    Slot->Current = New;
    IgSlotUnlock(Slot);
    IgRuleSetRelease(old);
}
