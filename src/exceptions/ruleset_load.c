/*
 * Loading an exceptions file into a rule set.
 *
 * The caller's buffer is copied once, after the header checks, and every record is decoded once,
 * from the copy, in one pass.  KM, UM, APC and KUM records -- nearly all of any real file -- are
 * validated and stored straight into the exceptions array, which is sized from the header's
 * counts.  Those counts are only a hint: when a file's header lies, the arrays grow.  Every other
 * record (signatures, glob, unknown kinds) goes through the full decoder; the signature and glob
 * records are counted and kept decoded (their variable parts are views into the copy).  Then one
 * block is allocated for the rest of the set and filled from the kept records.  The lists and the
 * signature index are built last (ruleset.c), then the search index (ruleset_index.c), in the
 * same block: a loaded set is ready for evaluations.  A caller that rewrites its buffer during the
 * load cannot make the passes disagree: they never read it again.
 *
 * Whatever fails, nothing is kept: every block is freed and the caller's previous set stays.
 */
#include "ruleset_index.h"
#include "ruleset_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../common/invariant.h"

/* Smallest exception records: a glob record with three one-character patterns, a plain one. */
#define IG_MIN_GLOB_RECORD (IG_RECORD_HEADER_SIZE + IG_GLOB_FIXED_SIZE + 6u)
#define IG_MIN_PLAIN_RECORD (IG_RECORD_HEADER_SIZE + IG_EXC_FIXED_SIZE)
#define IG_MIN_TAIL_RECORD (IG_RECORD_HEADER_SIZE + IG_CB_FIXED_SIZE) /* the smallest signature: no lists */
#define IG_MIN_CAPACITY 16u
#define IG_TAIL_PRESIZE_MAX 4096u /* decoded signature and glob records sized from the header, at most */

/* What the bulk pass counts of the records it leaves to the tail pass. */
typedef struct IG_TAIL_COUNTS
{
    uint32_t Globs;
    uint32_t GlobSigIds;
    uint32_t GlobText;
    uint32_t SigsPerKind[IgSigKindCount];
    uint32_t Signatures;
    uint32_t CbLists;
    uint32_t CbHashes;
    uint32_t ExportEntries;
    uint32_t ValueEntries;
    uint32_t PatternItems;
    uint32_t MaxSeq; /* the highest signature sequence number (ID bits 0-21) */
} IG_TAIL_COUNTS;

/* Everything a load holds before the set itself exists. */
typedef struct IG_BUILD
{
    const IG_ALLOCATOR *Allocator;
    IG_GUEST_OS Os;
    IG_FILE_HEADER Header;
    IG_LOAD_STATS Stats;
    IG_EXCEPTION *Exceptions;
    uint8_t *ListOf; /* each exception's list, same capacity as Exceptions */
    uint32_t ExceptionCount;
    uint32_t ExceptionCapacity;
    uint32_t *SigIds;
    uint32_t SigIdCount;
    uint32_t SigIdCapacity;
    IG_TAIL_COUNTS Tail;
    IG_RECORD *TailRecords; /* the kept signature and glob records, decoded once by the bulk pass */
    uint32_t TailRecordCount;
    uint32_t TailRecordCapacity;
    uint8_t *TailCopy; /* the file from the first record the plain runs do not take, copied once */
    size_t TailCopySize;
} IG_BUILD;

/* Byte offsets inside the block that holds the set and everything but the two bulk arrays. */
typedef struct IG_LAYOUT
{
    size_t Size;
    size_t ListItems, SigIds, Signatures, SigById, SeqIndex, Globs, GlobText;
    size_t CbLists, CbHashes, ExportEntries, ValueEntries, Pattern;
} IG_LAYOUT;

static void IgResourceError(IG_PARSE_ERROR *Error, INTSTATUS Detail, const char *What, size_t Bytes)
{
    if (!Error)
    {
        return;
    }
    memset(Error, 0, sizeof(*Error));
    Error->Status = INT_STATUS_INSUFFICIENT_RESOURCES;
    Error->Detail = Detail;
    Error->RecordIndex = IG_NO_RECORD;
    snprintf(Error->Message, sizeof(Error->Message), "cannot allocate %zu bytes for %s", Bytes, What);
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
static bool IgOsKeeps(IG_GUEST_OS Os, uint32_t Flags)
{
    bool isLinux = (Flags & IG_EXC_FLG_LINUX) != 0;

    return Os == IgGuestOsUnknown || (Os == IgGuestOsWindows && !isLinux) || (Os == IgGuestOsLinux && isLinux);
}

/* Whether a decoded record goes into the set; Stats (if any) counts why not. */
static bool IgRecordKept(const IG_RECORD *Record, IG_GUEST_OS Os, IG_LOAD_STATS *Stats)
{
    IG_LOAD_STATS ignored;
    uint32_t flags;

    Stats = Stats ? Stats : &ignored;
    if (!Record->Known)
    {
        Stats->UnknownRecords++;
        return false;
    }
    flags = IgRecordFlags(Record);
    if (!IgOsKeeps(Os, flags))
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

/*
 * Makes room for Needed elements in a bulk array holding Used of Capacity, at least doubling.
 * Only a file whose header under-counts its records gets here after the first allocation.
 */
static INTSTATUS IgGrow(IG_BUILD *Build, void **Array, uint32_t *Capacity, uint32_t Used, uint64_t Needed,
                        size_t Element, IG_PARSE_ERROR *Error)
{
    uint64_t capacity = *Capacity ? 2ull * *Capacity : IG_MIN_CAPACITY;
    void *grown = NULL;
    INTSTATUS status;

    if (Needed <= *Capacity)
    {
        return INT_STATUS_SUCCESS;
    }
    capacity = capacity > Needed ? capacity : Needed;
    if (capacity > UINT32_MAX / Element)
    {
        IgResourceError(Error, INT_STATUS_ARITHMETIC_OVERFLOW, "a rule-set array", SIZE_MAX);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    status = Build->Allocator->Alloc(Build->Allocator->Context, &grown, (size_t)capacity * Element, IG_TAG_RULESET);
    if (!INT_SUCCESS(status) || !grown)
    {
        IgResourceError(Error, INT_STATUS_INSUFFICIENT_RESOURCES, "a rule-set array", (size_t)capacity * Element);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Used)
    {
        memcpy(grown, *Array, (size_t)Used * Element);
    }
    Build->Allocator->Free(Build->Allocator->Context, Array, IG_TAG_RULESET);
    *Array = grown;
    *Capacity = (uint32_t)capacity;
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgReserveExceptions(IG_BUILD *Build, uint64_t Needed, IG_PARSE_ERROR *Error)
{
    uint32_t listCapacity = Build->ExceptionCapacity;
    INTSTATUS status = IgGrow(Build, (void **)&Build->ListOf, &listCapacity, Build->ExceptionCount, Needed, 1, Error);

    if (INT_SUCCESS(status))
    {
        status = IgGrow(Build, (void **)&Build->Exceptions, &Build->ExceptionCapacity, Build->ExceptionCount, Needed,
                        sizeof(IG_EXCEPTION), Error);
    }
    return status;
}

static INTSTATUS IgReserveSigIds(IG_BUILD *Build, uint64_t Needed, IG_PARSE_ERROR *Error)
{
    return IgGrow(Build, (void **)&Build->SigIds, &Build->SigIdCapacity, Build->SigIdCount, Needed, sizeof(uint32_t),
                  Error);
}

static INTSTATUS IgReserveTailRecords(IG_BUILD *Build, uint64_t Needed, IG_PARSE_ERROR *Error)
{
    return IgGrow(Build, (void **)&Build->TailRecords, &Build->TailRecordCapacity, Build->TailRecordCount, Needed,
                  sizeof(IG_RECORD), Error);
}

/*
 * First sizes of the bulk arrays, from the header.  A truthful header (every file hvmi's
 * compiler writes) gets exact exception room and needs no growth; a lying one is capped by what
 * the file's size allows and grows from there.
 */
static INTSTATUS IgAllocateBulk(IG_BUILD *Build, size_t Length, IG_PARSE_ERROR *Error)
{
    const IG_FILE_HEADER *h = &Build->Header;
    uint64_t body = Length - IG_FILE_HEADER_SIZE;
    uint64_t plain = (uint64_t)h->KernelCount + h->UserCount + h->KernelUserCount;
    uint64_t exceptions = plain + h->GlobCount;
    uint64_t idRoom;
    uint64_t tail;
    INTSTATUS status;

    plain = plain < body / IG_MIN_PLAIN_RECORD ? plain : body / IG_MIN_PLAIN_RECORD;
    exceptions = exceptions < body / IG_MIN_GLOB_RECORD ? exceptions : body / IG_MIN_GLOB_RECORD;
    /* No file holds more records than the decoder's cap, whatever its size. */
    exceptions = exceptions < IG_MAX_RECORDS ? exceptions : IG_MAX_RECORDS;
    /* Signature IDs live in the bytes the plain records' fixed parts leave over. */
    idRoom = (body - plain * IG_MIN_PLAIN_RECORD) / 4;
    idRoom = idRoom < 2 * exceptions + IG_MIN_CAPACITY ? idRoom : 2 * exceptions + IG_MIN_CAPACITY;

    /* Signature and glob records, kept decoded until the set exists: the header's counts, capped
     * by what the bytes the plain records leave could hold and by a fixed first size (a decoded
     * record is several times its bytes, so a lying header must not size this array). */
    tail = (uint64_t)h->SignatureCount + h->GlobCount;
    tail = tail < (body - plain * IG_MIN_PLAIN_RECORD) / IG_MIN_TAIL_RECORD
               ? tail
               : (body - plain * IG_MIN_PLAIN_RECORD) / IG_MIN_TAIL_RECORD;
    tail = tail < IG_TAIL_PRESIZE_MAX ? tail : IG_TAIL_PRESIZE_MAX;

    status = IgReserveExceptions(Build, exceptions > IG_MIN_CAPACITY ? exceptions : IG_MIN_CAPACITY, Error);
    if (INT_SUCCESS(status))
    {
        status = IgReserveSigIds(Build, idRoom > IG_MIN_CAPACITY ? idRoom : IG_MIN_CAPACITY, Error);
    }
    if (INT_SUCCESS(status))
    {
        status = IgReserveTailRecords(Build, tail > IG_MIN_CAPACITY ? tail : IG_MIN_CAPACITY, Error);
    }
    return status;
}

/*
 * Stores a plain record's fixed head (20 bytes, already bounds-checked) into Exc: originator,
 * victim, process, flags, object type and signature count, with Kind set.  Flags are as in the
 * file.  On little-endian hosts the head is copied at once (IG_EXCEPTION mirrors its layout);
 * a KM head has the unused path hash where the others have the victim, so it is shifted.
 */
static inline void IgStoreHead(IG_EXCEPTION *Exc, uint8_t Type, const uint8_t *Head)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    _Static_assert(offsetof(IG_EXCEPTION, Originator) == 0 && offsetof(IG_EXCEPTION, Victim) == 4 &&
                       offsetof(IG_EXCEPTION, Process) == 8 && offsetof(IG_EXCEPTION, Flags) == 12 &&
                       offsetof(IG_EXCEPTION, Kind) == 16 && offsetof(IG_EXCEPTION, ObjectType) == 17 &&
                       offsetof(IG_EXCEPTION, SigCount) == 18,
                   "IG_EXCEPTION must mirror the record head");
    memcpy(Exc, Head, IG_EXC_FIXED_SIZE);
    if (Type == IgRecKernel)
    {
        Exc->Victim = Exc->Process;
        Exc->Process = 0;
    }
#else
    Exc->Originator = IgLoadLe32(Head);
    Exc->Victim = IgLoadLe32(Head + (Type == IgRecKernel ? 8 : 4));
    Exc->Process = Type == IgRecKernel ? 0 : IgLoadLe32(Head + 8);
    Exc->Flags = IgLoadLe32(Head + 12);
    Exc->ObjectType = Head[17];
    Exc->SigCount = IgLoadLe16(Head + 18);
#endif
    Exc->Kind = Type;
}

/* The lists of each plain exception kind (spec §6.1); KUM no-name exceptions go to the KUM list,
 * not hvmi's KM one (docs/compat.md, L1). */
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
 * hvmi's list routing of a plain exception of the kind whose bases Route holds (User: a UM or APC
 * record, for which object type process-creation has lists of its own).  Takes values, not the
 * stored exception: reading back what was just written stalls the hot loop.
 */
static inline __attribute__((always_inline)) uint8_t IgRoutePlain(const IG_ROUTE_BASE *Route, bool User,
                                                                  uint8_t ObjectType, uint32_t Flags,
                                                                  uint32_t Originator)
{
    if (User && ObjectType == IG_UM_OBJ_PROCESS_CREATION)
    {
        return (Flags & IG_EXC_FLG_FEEDBACK) ? IgListProcessCreationFeedback : IgListProcessCreation;
    }
    if (Flags & IG_EXC_FLG_FEEDBACK)
    {
        return Route->Feedback;
    }
    if (Originator == IG_NAME_ANY)
    {
        return Route->Generic;
    }
    if (Originator == IG_NAME_NONE)
    {
        return Route->NoName;
    }
    return (uint8_t)(Route->Buckets + IG_BUCKET(Originator));
}

/* What stopped a run of plain records. */
typedef enum IG_RUN_STOP
{
    IgRunOther, /* a record the run does not take (or the end of the file) */
    IgRunFull,  /* a plain record that does not fit the bulk arrays */
} IG_RUN_STOP;

/* The cursors of a run of plain records, kept in the caller's locals (see IgFillPlainRun). */
typedef struct IG_PLAIN_RUN
{
    const uint8_t *P;
    const uint8_t *End;
    uint32_t Index;
    uint32_t Next;
    uint32_t NextId;
    uint32_t Ignored;
} IG_PLAIN_RUN;

/*
 * Records of one Type in a row.  Always inlined with a constant Type, so every type-dependent
 * choice (the KM head layout, the default access bit, the list bases, the process-creation
 * check) is made once per run instead of once per record.  Stops at a record of another type,
 * a malformed record, or one the arrays have no room for (IgRunFull, *NeedIds set).
 *
 * The records are the caller's bytes (only the part of the file from the first other record on
 * is copied), so each byte is read once: the head goes straight into the next exception slot and
 * every decision is taken from that copy.  A caller that rewrote its buffer during the load could
 * change what is stored, never make it inconsistent.
 */
static inline __attribute__((always_inline)) IG_RUN_STOP IgFillSameType(IG_BUILD *Build, IG_PLAIN_RUN *R,
                                                                        const uint8_t Type, const IG_GUEST_OS Os,
                                                                        uint32_t *NeedIds)
{
    const IG_ROUTE_BASE route = gIgRouteBase[Type];
    const bool user = Type == IgRecUser || Type == IgRecUserApc;
    /* A record is dropped for the OS when (flags ^ osXor) & osMask is set: filtering off (unknown
     * OS) masks nothing; a Windows guest drops linux records, a Linux guest the others.  Os is a
     * constant here, so are these (the loop is register-bound). */
    const uint32_t osMask = Os == IgGuestOsUnknown ? 0u : IG_EXC_FLG_LINUX;
    const uint32_t osXor = Os == IgGuestOsLinux ? IG_EXC_FLG_LINUX : 0u;
    IG_EXCEPTION *const excEnd = Build->Exceptions + Build->ExceptionCapacity;
    uint32_t *const ids = Build->SigIds;
    const uint32_t idCapacity = Build->SigIdCapacity;
    const uint8_t *const end = R->End;
    const uint8_t *p = R->P;
    IG_EXCEPTION *exc = Build->Exceptions + R->Next;
    uint8_t *listOf = Build->ListOf + R->Next;
    uint32_t index = R->Index;
    uint32_t nextId = R->NextId;
    uint32_t ignored = R->Ignored;
    IG_RUN_STOP stop = IgRunOther;

    while ((size_t)(end - p) >= IG_MIN_PLAIN_RECORD && p[0] == Type && index < IG_MAX_RECORDS)
    {
        const uint32_t size = IgLoadLe16(p + 1);
        const uint8_t *body = p + IG_RECORD_HEADER_SIZE;
        uint32_t flags;
        uint32_t sigCount;

        if (exc == excEnd)
        {
            /* No slot to decode into: only a record that is not kept may pass. */
            flags = IgLoadLe32(body + 12);
            sigCount = IgLoadLe16(body + 18);
            if (((flags ^ osXor) & osMask) == 0 && !(flags & IG_EXC_FLG_IGNORE))
            {
                *NeedIds = sigCount;
                stop = IgRunFull;
                break;
            }
            if (size != IG_EXC_FIXED_SIZE + 4u * sigCount || size > (size_t)(end - body))
            {
                break; /* the full decoder reports it */
            }
            ignored += ((flags ^ osXor) & osMask) == 0;
        }
        else
        {
            IgStoreHead(exc, Type, body);
            flags = exc->Flags;
            sigCount = exc->SigCount;
            if (size != IG_EXC_FIXED_SIZE + 4u * sigCount || size > (size_t)(end - body))
            {
                break; /* the full decoder reports it */
            }
            if ((flags ^ osXor) & osMask)
            {
                /* counted by the caller: records seen minus kept minus ignored */
            }
            else if (flags & IG_EXC_FLG_IGNORE)
            {
                ignored++;
            }
            else if (sigCount > idCapacity - nextId)
            {
                *NeedIds = sigCount;
                stop = IgRunFull;
                break;
            }
            else
            {
                *listOf++ = IgRoutePlain(&route, user, exc->ObjectType, flags, exc->Originator);
                exc->Flags = IgDefaultAccess(Type, exc->ObjectType, flags);
                exc->SigFirst = nextId;
                exc->RecordIndex = index;
                exc->Glob = IG_NO_INDEX;
                for (uint32_t i = 0; i < sigCount; i++)
                {
                    ids[nextId + i] = IgLoadLe32(body + IG_EXC_FIXED_SIZE + 4u * i);
                }
                nextId += sigCount;
                exc++;
            }
        }
        p = body + size;
        index++;
    }
    R->P = p;
    R->Index = index;
    R->Next = (uint32_t)(exc - Build->Exceptions);
    R->NextId = nextId;
    R->Ignored = ignored;
    return stop;
}

/* IgFillSameType with the guest OS as a constant too. */
static inline __attribute__((always_inline)) IG_RUN_STOP IgFillSameTypeForOs(IG_BUILD *Build, IG_PLAIN_RUN *R,
                                                                             const uint8_t Type, uint32_t *NeedIds)
{
    switch (Build->Os)
    {
        case IgGuestOsWindows:
            return IgFillSameType(Build, R, Type, IgGuestOsWindows, NeedIds);
        case IgGuestOsLinux:
            return IgFillSameType(Build, R, Type, IgGuestOsLinux, NeedIds);
        default:
            return IgFillSameType(Build, R, Type, IgGuestOsUnknown, NeedIds);
    }
}

/*
 * The load's hot path: a run of well-formed KM, UM, APC and KUM records, decoded straight from
 * the bytes the reader hands out for the rest of the file, without building IG_RECORDs.  Every
 * record is checked against that window before it is used.  Cursors live in locals for the
 * length of the run (through pointers the compiler would have to assume they alias the arrays
 * being written).  The run stops, consuming nothing more, at anything else: signatures, glob,
 * unknown kinds, malformed records (the full decoder then reports them), or a record the
 * arrays have no room for; *NeedIds says how many IDs that record carries.
 */
static __attribute__((noinline)) IG_RUN_STOP IgFillPlainRun(IG_BUILD *Build, IG_RECORD_ITER *Iter, uint32_t *NeedIds)
{
    const size_t window = IgReaderRemaining(&Iter->File);
    const uint8_t *const start = IgReaderPeek(&Iter->File, window);
    IG_PLAIN_RUN run = {start, start ? start + window : NULL, Iter->NextIndex, Build->ExceptionCount, Build->SigIdCount,
                        0};
    IG_RUN_STOP stop = IgRunOther;

    while (stop == IgRunOther && start && (size_t)(run.End - run.P) >= IG_MIN_PLAIN_RECORD)
    {
        const uint8_t type = run.P[0];
        const uint32_t before = run.Index;

        switch (type)
        {
            case IgRecKernel:
                stop = IgFillSameTypeForOs(Build, &run, IgRecKernel, NeedIds);
                break;
            case IgRecUser:
                stop = IgFillSameTypeForOs(Build, &run, IgRecUser, NeedIds);
                break;
            case IgRecUserApc:
                stop = IgFillSameTypeForOs(Build, &run, IgRecUserApc, NeedIds);
                break;
            case IgRecKernelUser:
                stop = IgFillSameTypeForOs(Build, &run, IgRecKernelUser, NeedIds);
                break;
            default:
                break;
        }
        Build->Stats.RecordsByType[type] += run.Index - before;
        if (run.Index == before)
        {
            break; /* not a plain record, or a malformed one: the caller's decoder takes it */
        }
    }

    (void)IgReadSkip(&Iter->File, (size_t)(run.P - start));
    Build->Stats.Records += run.Index - Iter->NextIndex;
    Build->Stats.OsFiltered += (run.Index - Iter->NextIndex) - (run.Next - Build->ExceptionCount) - run.Ignored;
    Build->Stats.IgnoredExceptions += run.Ignored;
    Build->ExceptionCount = run.Next;
    Build->SigIdCount = run.NextId;
    Iter->NextIndex = run.Index;
    return stop;
}

/* Counts what a kept signature or glob record will need in the tail pass. */
static void IgCountTailRecord(const IG_RECORD *Record, IG_TAIL_COUNTS *Tail)
{
    IG_SIG_KIND kind;
    uint32_t seq;

    if (Record->Type == IgRecUserGlob)
    {
        Tail->Globs++;
        Tail->GlobSigIds += Record->u.Glob.SigCount;
        Tail->GlobText +=
            (uint32_t)(Record->u.Glob.OriginatorLen + Record->u.Glob.VictimLen + Record->u.Glob.ProcessLen + 3);
        return;
    }
    kind = IgSigKindFromRecord(Record->Type);
    if (kind == IgSigKindCount)
    {
        return;
    }
    Tail->Signatures++;
    Tail->SigsPerKind[kind]++;
    seq = IG_SIG_ID_VALUE(IgRecordOwnSigId(Record));
    Tail->MaxSeq = seq > Tail->MaxSeq ? seq : Tail->MaxSeq;
    switch (Record->Type)
    {
        case IgRecCodeBlocksSig:
            Tail->CbLists += Record->u.CodeBlocks.ListCount;
            Tail->CbHashes += Record->u.CodeBlocks.HashCount;
            break;
        case IgRecExportSig:
            Tail->ExportEntries += Record->u.Export.Count;
            break;
        case IgRecValueSig:
            Tail->ValueEntries += Record->u.Value.Count;
            break;
        case IgRecValueCodeSig:
            Tail->PatternItems += Record->u.ValueCode.Length;
            break;
        default:
            break;
    }
}

/* Stores a plain record that came through the full decoder (the run declines only what the
 * decoder then rejects, so this is a safety net, not a path real files take). */
static INTSTATUS IgStoreDecodedPlain(IG_BUILD *Build, const IG_RECORD *Record, IG_PARSE_ERROR *Error)
{
    const IG_REC_EXCEPTION *e = &Record->u.Exception;
    IG_READER ids = e->SigIds;
    IG_EXCEPTION *exc;
    INTSTATUS status = IgReserveExceptions(Build, (uint64_t)Build->ExceptionCount + 1, Error);

    if (INT_SUCCESS(status))
    {
        status = IgReserveSigIds(Build, (uint64_t)Build->SigIdCount + e->SigCount, Error);
    }
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    Build->ListOf[Build->ExceptionCount] =
        IgRoutePlain(&gIgRouteBase[Record->Type], Record->Type == IgRecUser || Record->Type == IgRecUserApc,
                     e->ObjectType, e->Flags, e->Originator);
    exc = &Build->Exceptions[Build->ExceptionCount++];
    exc->Originator = e->Originator;
    exc->Victim = e->Victim;
    exc->Process = e->Process;
    exc->Flags = IgDefaultAccess(Record->Type, e->ObjectType, e->Flags);
    exc->SigFirst = Build->SigIdCount;
    exc->RecordIndex = Record->Index;
    exc->Glob = IG_NO_INDEX;
    exc->SigCount = e->SigCount;
    exc->Kind = Record->Type;
    exc->ObjectType = e->ObjectType;
    for (uint32_t i = 0; i < e->SigCount; i++)
    {
        Build->SigIds[Build->SigIdCount++] = IgReadU32(&ids);
    }
    return INT_STATUS_SUCCESS;
}

/*
 * Copies the rest of the file, from the iterator on, and moves the iterator onto the copy (its
 * offsets stay the file's).  Done once, at the first record the plain runs leave to the full
 * decoder: the records decoded from here on keep views into their bytes, which nothing else may
 * write.  In a file hvmi's compiler wrote that is the signature records at the end.
 */
static INTSTATUS IgCopyTail(IG_BUILD *Build, IG_RECORD_ITER *Iter, IG_PARSE_ERROR *Error)
{
    size_t size = IgReaderRemaining(&Iter->File);
    size_t offset = IgReaderOffset(&Iter->File);
    const uint8_t *rest = IgReaderPeek(&Iter->File, size);
    INTSTATUS status;

    if (size == 0 || !rest)
    {
        return INT_STATUS_SUCCESS; /* nothing left: the decoder reports the end */
    }
    status = Build->Allocator->Alloc(Build->Allocator->Context, (void **)&Build->TailCopy, size, IG_TAG_RULESET);
    if (!INT_SUCCESS(status) || !Build->TailCopy)
    {
        IgResourceError(Error, INT_STATUS_INSUFFICIENT_RESOURCES, "a copy of the file", size);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    memcpy(Build->TailCopy, rest, size);
    Build->TailCopySize = size;
    Iter->File = IgReaderView(Build->TailCopy, size, offset);
    return INT_STATUS_SUCCESS;
}

/* The bulk pass: the whole file, decoded and validated; plain records stored, the rest counted. */
static INTSTATUS IgBulkPass(IG_BUILD *Build, IG_RECORD_ITER *Iter, IG_PARSE_ERROR *Error)
{
    IG_RECORD rec;
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint32_t needIds = 0;

    for (;;)
    {
        if (IgFillPlainRun(Build, Iter, &needIds) == IgRunFull)
        {
            status = IgReserveExceptions(Build, (uint64_t)Build->ExceptionCount + 1, Error);
            if (INT_SUCCESS(status))
            {
                status = IgReserveSigIds(Build, (uint64_t)Build->SigIdCount + needIds, Error);
            }
            if (!INT_SUCCESS(status))
            {
                return status;
            }
            continue;
        }

        if (!Build->TailCopy)
        {
            status = IgCopyTail(Build, Iter, Error);
            if (!INT_SUCCESS(status))
            {
                return status;
            }
        }
        status = IgFileNextRecord(Iter, &rec, Error);
        if (status == INT_STATUS_NO_MORE_ENTRIES)
        {
            return INT_STATUS_SUCCESS;
        }
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        Build->Stats.Records++;
        Build->Stats.RecordsByType[rec.Type]++;
        if (!IgRecordKept(&rec, Build->Os, &Build->Stats))
        {
            continue;
        }
        if (IgRecordHasExceptionHead(rec.Type))
        {
            status = IgStoreDecodedPlain(Build, &rec, Error);
            if (!INT_SUCCESS(status))
            {
                return status;
            }
            continue;
        }
        status = IgReserveTailRecords(Build, (uint64_t)Build->TailRecordCount + 1, Error);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
        Build->TailRecords[Build->TailRecordCount++] = rec; /* its views point into the load's copy */
        IgCountTailRecord(&rec, &Build->Tail);
    }
}

/*
 * The header's counts against the records (IgCountsEnd, docs/format.md).  The bulk pass counted
 * every record by type; only when they disagree is the file walked again (record headers only: the
 * bulk pass validated every record) to name the first record past its count.  That walk reads the
 * caller's bytes, which the bulk pass read once: it is bounded by Length whatever they hold, and
 * only a caller that rewrote its buffer during the load could make it name another record.
 */
static INTSTATUS IgCheckHeaderCounts(const IG_BUILD *Build, const uint8_t *File, size_t Length, IG_PARSE_ERROR *Error)
{
    const uint32_t *byType = Build->Stats.RecordsByType;
    IG_COUNTS counts;
    uint32_t index = 0;
    size_t at = IG_FILE_HEADER_SIZE;

    IgCountsInit(&counts, &Build->Header);
    for (uint32_t type = 0; type < 256; type++)
    {
        uint32_t kind = IgCountedKind((uint8_t)type);

        if (kind < IG_COUNTED_KINDS)
        {
            counts.Seen[kind] += byType[type];
        }
    }
    if (memcmp(counts.Seen, counts.Promised, sizeof(counts.Seen)) == 0)
    {
        return INT_STATUS_SUCCESS;
    }

    IgCountsInit(&counts, &Build->Header);
    while (Length - at >= IG_RECORD_HEADER_SIZE)
    {
        IgCountsRecord(&counts, File[at], index++, at);
        at += IG_RECORD_HEADER_SIZE + (size_t)IgLoadLe16(File + at + 1);
        if (at > Length)
        {
            break; /* cannot happen after the bulk pass */
        }
    }
    return IgCountsEnd(&counts, Length, index, Error);
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

/* Exceptions counts every exception, SigIds every signature ID they hold. */
static bool IgComputeLayout(const IG_TAIL_COUNTS *Tail, uint32_t Exceptions, uint32_t SigIds, IG_LAYOUT *Layout)
{
    /* The sequence-number index needs no more than the highest number a signature has. */
    uint64_t seqRoom = IG_SEQ_INDEX_CAPACITY((uint64_t)Tail->Signatures);

    seqRoom = Tail->Signatures == 0 ? 0 : seqRoom < (uint64_t)Tail->MaxSeq + 1 ? seqRoom : (uint64_t)Tail->MaxSeq + 1;
    memset(Layout, 0, sizeof(*Layout));
    Layout->Size = sizeof(IG_RULESET);
    return IgLayoutAdd(Layout, &Layout->ListItems, Exceptions, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->SigIds, SigIds, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->Signatures, Tail->Signatures, sizeof(IG_SIGNATURE)) &&
           IgLayoutAdd(Layout, &Layout->SigById, Tail->Signatures, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->SeqIndex, (size_t)seqRoom, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->Globs, Tail->Globs, sizeof(IG_GLOB)) &&
           IgLayoutAdd(Layout, &Layout->GlobText, Tail->GlobText, 1) &&
           IgLayoutAdd(Layout, &Layout->CbLists, Tail->CbLists, sizeof(IG_CB_LIST)) &&
           IgLayoutAdd(Layout, &Layout->CbHashes, Tail->CbHashes, sizeof(uint32_t)) &&
           IgLayoutAdd(Layout, &Layout->ExportEntries, Tail->ExportEntries, sizeof(IG_EXPORT_ENTRY)) &&
           IgLayoutAdd(Layout, &Layout->ValueEntries, Tail->ValueEntries, sizeof(IG_VALUE_ENTRY)) &&
           IgLayoutAdd(Layout, &Layout->Pattern, Tail->PatternItems, sizeof(uint16_t));
}

/* Fill cursors of the tail pass. */
typedef struct IG_TAIL_CURSORS
{
    uint32_t Glob, GlobText, CbList, CbHash, Export, Value, Pattern;
    uint32_t PerKind[IgSigKindCount];
} IG_TAIL_CURSORS;

static uint32_t IgCopyGlobText(IG_RULESET *Set, IG_TAIL_CURSORS *Cur, const char *Text, size_t Length)
{
    uint32_t at = Cur->GlobText;

    memcpy(Set->GlobText + at, Text, Length);
    Set->GlobText[at + Length] = '\0';
    Cur->GlobText += (uint32_t)Length + 1;
    return at;
}

static void IgFillGlob(IG_RULESET *Set, uint8_t *ListOf, IG_TAIL_CURSORS *Cur, const IG_RECORD *Rec)
{
    const IG_REC_GLOB *g = &Rec->u.Glob;
    IG_EXCEPTION *exc;

    ListOf[Set->ExceptionCount] = IgListUserGlob;
    exc = &Set->Exceptions[Set->ExceptionCount++];
    IG_GLOB *glob = &Set->Globs[Cur->Glob];
    IG_READER ids = g->SigIds;

    exc->Originator = exc->Victim = exc->Process = 0;
    exc->Flags = g->Flags;
    exc->SigFirst = Set->SigIdCount;
    exc->RecordIndex = Rec->Index;
    exc->Glob = Cur->Glob++;
    exc->SigCount = g->SigCount;
    exc->Kind = Rec->Type;
    exc->ObjectType = g->ObjectType;
    for (uint32_t i = 0; i < g->SigCount; i++)
    {
        Set->SigIds[Set->SigIdCount++] = IgReadU32(&ids);
    }
    glob->Originator = IgCopyGlobText(Set, Cur, g->Originator, g->OriginatorLen);
    glob->Victim = IgCopyGlobText(Set, Cur, g->Victim, g->VictimLen);
    glob->Process = IgCopyGlobText(Set, Cur, g->Process, g->ProcessLen);
    glob->OriginatorLen = (uint8_t)g->OriginatorLen;
    glob->VictimLen = (uint8_t)g->VictimLen;
    glob->ProcessLen = (uint8_t)g->ProcessLen;
}

/* Fills the signature of a record the bulk pass decoded (its payload views are in the load's copy). */
static void IgFillSignature(IG_RULESET *Set, IG_TAIL_CURSORS *Cur, const IG_RECORD *Rec)
{
    IG_SIG_KIND kind = IgSigKindFromRecord(Rec->Type);
    IG_SIGNATURE *sig;
    IG_READER rd;
    const uint8_t *hashes;
    uint32_t hashesLeft;

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
            hashesLeft = Rec->u.CodeBlocks.HashCount;
            for (uint32_t i = 0; i < sig->Count; i++)
            {
                IG_CB_LIST *list = &Set->CbLists[Cur->CbList++];

                /* The decoder summed these counts in the same bytes (the load's copy, which nothing
                 * else writes); the cap keeps the pool bounded whatever happens. */
                list->Count = IgReadU8(&rd);
                IG_ASSERT(list->Count <= hashesLeft);
                list->Count = list->Count <= hashesLeft ? list->Count : hashesLeft;
                hashesLeft -= list->Count;
                list->First = Cur->CbHash;
                /* One bounds check per list, then plain loads (the decoder already walked these). */
                hashes = IgReadBytes(&rd, 4u * list->Count);
                for (uint32_t h = 0; hashes && h < list->Count; h++)
                {
                    Set->CbHashes[Cur->CbHash++] = IgLoadLe32(hashes + 4u * h);
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

/* The fill pass: the signature and glob records the bulk pass decoded and kept, in file order,
 * into the set sized from their counts.  Nothing is decoded again. */
static void IgFillTail(IG_RULESET *Set, uint8_t *ListOf, const IG_BUILD *Build)
{
    IG_TAIL_CURSORS cur;

    memset(&cur, 0, sizeof(cur));
    for (uint32_t i = 0; i < Build->TailRecordCount; i++)
    {
        const IG_RECORD *rec = &Build->TailRecords[i];

        if (rec->Type == IgRecUserGlob)
        {
            IgFillGlob(Set, ListOf, &cur, rec);
        }
        else
        {
            IgFillSignature(Set, &cur, rec);
        }
    }
    /* The counts that sized the set came from these same records. */
    IG_ASSERT(cur.Glob == Build->Tail.Globs && cur.CbList == Build->Tail.CbLists &&
              cur.CbHash <= Build->Tail.CbHashes && cur.Export == Build->Tail.ExportEntries &&
              cur.Value == Build->Tail.ValueEntries && cur.Pattern == Build->Tail.PatternItems);
    Set->GlobCount = cur.Glob;
    Set->CbListCount = cur.CbList;
    Set->CbHashCount = cur.CbHash;
    Set->ExportEntryCount = cur.Export;
    Set->ValueEntryCount = cur.Value;
    Set->PatternCount = cur.Pattern;
}

/* Creates the set from a finished bulk pass: one block for it and everything but the exceptions,
 * which it takes over; the signature IDs are copied into the block at their exact count. */
static INTSTATUS IgCreateSet(IG_BUILD *Build, IG_RULESET **RuleSet, IG_PARSE_ERROR *Error)
{
    const IG_ALLOCATOR *alloc = Build->Allocator;
    IG_TAIL_COUNTS *tail = &Build->Tail;
    uint32_t exceptions = Build->ExceptionCount + tail->Globs;
    IG_LAYOUT layout;
    IG_RULESET *set = NULL;
    uint8_t *base;
    uint32_t first = 0;
    INTSTATUS status;

    *RuleSet = NULL;
    status = IgReserveExceptions(Build, exceptions, Error);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if ((uint64_t)Build->SigIdCount + tail->GlobSigIds > UINT32_MAX ||
        !IgComputeLayout(tail, exceptions, Build->SigIdCount + tail->GlobSigIds, &layout))
    {
        IgResourceError(Error, INT_STATUS_ARITHMETIC_OVERFLOW, "the rule set", SIZE_MAX);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    status = alloc->Alloc(alloc->Context, (void **)&set, layout.Size, IG_TAG_RULESET);
    if (!INT_SUCCESS(status) || !set)
    {
        IgResourceError(Error, INT_STATUS_INSUFFICIENT_RESOURCES, "the rule set", layout.Size);
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }

    base = (uint8_t *)set;
    memset(set, 0, sizeof(*set));
    atomic_init(&set->RefCount, 1);
    set->Allocator = *alloc;
    set->AllocSize = layout.Size + (size_t)Build->ExceptionCapacity * sizeof(IG_EXCEPTION);
    set->Header = Build->Header;
    set->Os = Build->Os;
    set->Stats = Build->Stats;
    set->Exceptions = Build->Exceptions; /* the set owns the bulk arrays from here on */
    set->ExceptionCount = Build->ExceptionCount;
    set->SigIds = (uint32_t *)(base + layout.SigIds);
    set->SigIdCount = Build->SigIdCount;
    if (Build->SigIdCount)
    {
        memcpy(set->SigIds, Build->SigIds, (size_t)Build->SigIdCount * sizeof(uint32_t));
    }
    Build->Exceptions = NULL;
    set->ListItems = (uint32_t *)(base + layout.ListItems);
    set->Signatures = (IG_SIGNATURE *)(base + layout.Signatures);
    set->SignatureCount = tail->Signatures;
    set->SigById = (uint32_t *)(base + layout.SigById);
    set->SeqIndex = (uint32_t *)(base + layout.SeqIndex);
    set->Globs = (IG_GLOB *)(base + layout.Globs);
    set->GlobText = (char *)(base + layout.GlobText);
    set->CbLists = (IG_CB_LIST *)(base + layout.CbLists);
    set->CbHashes = (uint32_t *)(base + layout.CbHashes);
    set->ExportEntries = (IG_EXPORT_ENTRY *)(base + layout.ExportEntries);
    set->ValueEntries = (IG_VALUE_ENTRY *)(base + layout.ValueEntries);
    set->Pattern = (uint16_t *)(base + layout.Pattern);
    for (uint32_t k = 0; k < IgSigKindCount; k++)
    {
        set->SigKinds[k].First = first;
        set->SigKinds[k].Count = tail->SigsPerKind[k];
        first += tail->SigsPerKind[k];
    }
    *RuleSet = set;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgRuleSetLoad(const IG_ALLOCATOR *Allocator, const void *Buffer, size_t Length, IG_GUEST_OS Os,
                        IG_RULESET **RuleSet, IG_PARSE_ERROR *Error)
{
    IG_BUILD build;
    IG_RECORD_ITER iter;
    IG_RULESET *set = NULL;
    IG_SCRATCH scratch = {Allocator, NULL, 0};
    size_t wanted = 0;
    INTSTATUS status;

    *RuleSet = NULL;
    memset(&build, 0, sizeof(build));
    build.Allocator = Allocator;
    build.Os = Os;

    if (Buffer && Length > UINT32_MAX) /* a NULL buffer is reported by IgFileOpen, as hvmi's first check */
    {
        /* hvmi's API takes a DWORD length; the capacity arithmetic relies on it. */
        if (Error)
        {
            memset(Error, 0, sizeof(*Error));
            Error->Status = Error->Detail = INT_STATUS_INVALID_PARAMETER_2;
            Error->RecordIndex = IG_NO_RECORD;
            snprintf(Error->Message, sizeof(Error->Message), "file is larger than 4 GiB");
        }
        return INT_STATUS_INVALID_PARAMETER_2;
    }

    /* hvmi's header checks come first, on the caller's bytes, so their statuses do not depend on
     * an allocation.  The header is decoded into build.Header once; the plain records are read
     * once each, straight from the caller's bytes; the rest of the file is copied before it is
     * decoded (IgCopyTail). */
    status = IgFileOpen(Buffer, Length, &build.Header, &iter, Error);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }
    status = IgAllocateBulk(&build, Length, Error);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }
    status = IgBulkPass(&build, &iter, Error);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }

    status = IgCheckHeaderCounts(&build, (const uint8_t *)Buffer, Length, Error);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }

    status = IgCreateSet(&build, &set, Error);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }
    IgFillTail(set, build.ListOf, &build);
    status = IgRuleSetBuildIndexes(set, build.ListOf, &scratch);
    if (!INT_SUCCESS(status))
    {
        IgResourceError(Error, INT_STATUS_INSUFFICIENT_RESOURCES, "sorting the lists", scratch.Wanted);
        goto cleanup;
    }
    status = IgRuleSetIndexBuild(set, Allocator, &wanted);
    if (!INT_SUCCESS(status))
    {
        IgResourceError(Error, INT_STATUS_INSUFFICIENT_RESOURCES, "the search index", wanted);
        goto cleanup;
    }
    IG_ASSERT(IgRuleSetConsistent(set));
    *RuleSet = set;
    set = NULL;
    status = INT_STATUS_SUCCESS;

cleanup:
    if (set)
    {
        IgRuleSetFree(set);
    }
    Allocator->Free(Allocator->Context, (void **)&build.Exceptions, IG_TAG_RULESET);
    Allocator->Free(Allocator->Context, (void **)&build.SigIds, IG_TAG_RULESET);
    Allocator->Free(Allocator->Context, (void **)&build.ListOf, IG_TAG_RULESET);
    Allocator->Free(Allocator->Context, (void **)&build.TailRecords, IG_TAG_RULESET);
    Allocator->Free(Allocator->Context, (void **)&build.TailCopy, IG_TAG_RULESET);
    Allocator->Free(Allocator->Context, (void **)&scratch.Items, IG_TAG_RULESET);
    return status;
}
