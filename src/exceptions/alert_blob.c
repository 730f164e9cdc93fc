/*
 * The exception blob of an alert (spec/api-and-alerts.md §5.1, §5.5, §5.6): hvmi's layout, checked
 * and decoded into INTRO_ALERT_EXCEPTION, and written back; and the public calls of
 * intro_alert_exceptions.h that need no guest.
 *
 * A blob is untrusted bytes (an integrator may hand back anything, an hvmi blob included): it is
 * read at the offsets of hvmi's packed structures through the project's reader, checked against
 * the size given, and every value the matchers would read is checked against what an alert can
 * hold, so a blob either becomes exactly one exception or is refused with the field that is wrong.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/reader.h"
#include "alert_exc.h"
#include "codeblocks_int.h"

/* Flags a blob may hold, per shape (exceptions.h of hvmi, the namespaces of intro_excfile.h). */
#define IG_ALERT_FLAGS_COMMON                                                                                          \
    (EXCEPTION_FLG_FEEDBACK | EXCEPTION_FLG_32 | EXCEPTION_FLG_64 | EXCEPTION_FLG_INIT | EXCEPTION_FLG_RETURN |        \
     EXCEPTION_FLG_LINUX | EXCEPTION_FLG_READ | EXCEPTION_FLG_WRITE | EXCEPTION_FLG_EXECUTE)
#define IG_ALERT_FLAGS_KM                                                                                              \
    (IG_ALERT_FLAGS_COMMON | EXCEPTION_KM_FLG_NON_DRIVER | EXCEPTION_KM_FLG_RETURN_DRV | EXCEPTION_KM_FLG_SMAP |       \
     EXCEPTION_KM_FLG_SMEP | EXCEPTION_KM_FLG_INTEGRITY)
#define IG_ALERT_FLAGS_UM                                                                                              \
    (IG_ALERT_FLAGS_COMMON | EXCEPTION_UM_FLG_SYS_PROC | EXCEPTION_UM_FLG_CHILD_PROC | EXCEPTION_UM_FLG_ONETIME |      \
     EXCEPTION_UM_FLG_LIKE_APPHELP | INTRO_EXCFILE_FLG_UM_DEBUG | INTRO_EXCFILE_FLG_UM_MODULE_LOAD)
#define IG_ALERT_FLAGS_KUM                                                                                             \
    (IG_ALERT_FLAGS_COMMON | EXCEPTION_KM_FLG_NON_DRIVER | EXCEPTION_KM_FLG_RETURN_DRV | EXCEPTION_KUM_FLG_USER |      \
     EXCEPTION_KUM_FLG_KERNEL)
#define IG_ALERT_SIG_FLAGS                                                                                             \
    (SIGNATURE_FLG_32 | SIGNATURE_FLG_64 | SIGNATURE_FLG_CB_MEDIUM | SIGNATURE_FLG_LINUX | SIGNATURE_FLG_VALUE_CLI)

/* Offsets inside a signature (each starts with its own 20-byte header). */
#define IG_SIG_HDR offsetof(ALERT_CB_SIGNATURE, Flags)
#define IG_SIG_VALID offsetof(ALERT_CB_SIGNATURE, Valid)

INTSTATUS IgAlertFail(INTRO_ALERT_EXC_ERROR *Error, INTSTATUS Status, INTSTATUS Detail, size_t Offset,
                      const char *Format, ...)
{
    va_list args;

    if (Error)
    {
        Error->Status = Status;
        Error->Detail = Detail;
        Error->Offset = (uint32_t)Offset;
        va_start(args, Format);
        (void)vsnprintf(Error->Message, sizeof(Error->Message), Format, args);
        va_end(args);
    }
    return Status;
}

bool IgAlertTypeExceptable(uint32_t Type)
{
    return IgAlertEventSize(Type) != 0;
}

size_t IgAlertEventSize(uint32_t Type)
{
    switch (Type)
    {
        case introEventEptViolation:
            return sizeof(EVENT_EPT_VIOLATION);
        case introEventMsrViolation:
            return sizeof(EVENT_MSR_VIOLATION);
        case introEventCrViolation:
            return sizeof(EVENT_CR_VIOLATION);
        case introEventIntegrityViolation:
            return sizeof(EVENT_INTEGRITY_VIOLATION);
        case introEventInjectionViolation:
            return sizeof(EVENT_MEMCOPY_VIOLATION);
        case introEventDtrViolation:
            return sizeof(EVENT_DTR_VIOLATION);
        case introEventProcessCreationViolation:
            return sizeof(EVENT_PROCESS_CREATION_VIOLATION);
        case introEventModuleLoadViolation:
            return sizeof(EVENT_MODULE_LOAD_VIOLATION);
        default:
            return 0;
    }
}

uint32_t IgAlertShapeOf(uint32_t Type, uint64_t ViolationFlags)
{
    switch (Type)
    {
        case introEventEptViolation:
            return (ViolationFlags & ALERT_FLAG_KM_UM)       ? INTRO_ALERT_EXC_KERNEL_USER
                   : (ViolationFlags & ALERT_FLAG_NOT_RING0) ? INTRO_ALERT_EXC_USER
                                                             : INTRO_ALERT_EXC_KERNEL;
        case introEventMsrViolation:
        case introEventCrViolation:
        case introEventDtrViolation:
        case introEventIntegrityViolation:
            return INTRO_ALERT_EXC_KERNEL;
        case introEventInjectionViolation:
        case introEventProcessCreationViolation:
        case introEventModuleLoadViolation:
            return INTRO_ALERT_EXC_USER;
        default:
            return 0;
    }
}

/* The layout of one shape: its size and where its fields are. */
typedef struct IG_BLOB_LAYOUT
{
    size_t Size;
    size_t Originator, Victim, Process, Flags, Type; /* Process 0: none */
    size_t CodeBlocks, Idt, Export, ProcessCreation; /* 0: none */
    uint32_t MaxType;
    uint32_t AllowedFlags;
} IG_BLOB_LAYOUT;

static const IG_BLOB_LAYOUT *IgBlobLayout(uint32_t Shape)
{
    static const IG_BLOB_LAYOUT km = {sizeof(ALERT_KM_EXCEPTION),
                                      offsetof(ALERT_KM_EXCEPTION, Originator),
                                      offsetof(ALERT_KM_EXCEPTION, Victim),
                                      0,
                                      offsetof(ALERT_KM_EXCEPTION, Flags),
                                      offsetof(ALERT_KM_EXCEPTION, Type),
                                      offsetof(ALERT_KM_EXCEPTION, CodeBlocks),
                                      offsetof(ALERT_KM_EXCEPTION, Idt),
                                      0,
                                      0,
                                      kmObjInterruptObject,
                                      IG_ALERT_FLAGS_KM};
    static const IG_BLOB_LAYOUT um = {sizeof(ALERT_UM_EXCEPTION),
                                      offsetof(ALERT_UM_EXCEPTION, Originator),
                                      offsetof(ALERT_UM_EXCEPTION, Victim),
                                      offsetof(ALERT_UM_EXCEPTION, Process),
                                      offsetof(ALERT_UM_EXCEPTION, Flags),
                                      offsetof(ALERT_UM_EXCEPTION, Type),
                                      offsetof(ALERT_UM_EXCEPTION, CodeBlocks),
                                      0,
                                      offsetof(ALERT_UM_EXCEPTION, Export),
                                      offsetof(ALERT_UM_EXCEPTION, ProcessCreation),
                                      umObjProcessInstrumentation,
                                      IG_ALERT_FLAGS_UM};
    static const IG_BLOB_LAYOUT kum = {sizeof(ALERT_KUM_EXCEPTION),
                                       offsetof(ALERT_KUM_EXCEPTION, Originator),
                                       offsetof(ALERT_KUM_EXCEPTION, Victim),
                                       offsetof(ALERT_KUM_EXCEPTION, Process),
                                       offsetof(ALERT_KUM_EXCEPTION, Flags),
                                       offsetof(ALERT_KUM_EXCEPTION, Type),
                                       offsetof(ALERT_KUM_EXCEPTION, CodeBlocks),
                                       0,
                                       0,
                                       0,
                                       kumObjModuleExports,
                                       IG_ALERT_FLAGS_KUM};

    return Shape == INTRO_ALERT_EXC_KERNEL ? &km : Shape == INTRO_ALERT_EXC_USER ? &um : &kum;
}

/* ---- Decoding ------------------------------------------------------------------------------------------------------
 */

static uint64_t IgBlob64(const uint8_t *Blob, size_t Offset)
{
    return IgLoadLe32(Blob + Offset) | ((uint64_t)IgLoadLe32(Blob + Offset + 4) << 32);
}

/*
 * The common part of an embedded signature at Offset: its Valid byte (0 or 1), and for a valid one
 * its version and flags.  *Valid false: the signature is absent.
 */
static INTSTATUS IgDecodeSigHead(const uint8_t *Blob, size_t Offset, const char *What, bool *Valid, uint32_t *Flags,
                                 INTRO_ALERT_EXC_ERROR *Error)
{
    uint8_t valid = Blob[Offset + IG_SIG_VALID];
    uint16_t version = IgLoadLe16(Blob + Offset);

    *Valid = false;
    if (valid > 1)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_ALERT_NOT_VALID, Offset + IG_SIG_VALID,
                           "the %s signature's Valid byte is %u", What, valid);
    }
    if (!valid)
    {
        return INT_STATUS_SUCCESS;
    }
    if (version != 1)
    {
        return IgAlertFail(Error, INT_STATUS_UNSUPPORTED_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VERSION, Offset,
                           "the %s signature's version is %u (expected 1)", What, version);
    }
    *Flags = IgLoadLe32(Blob + Offset + IG_SIG_HDR);
    if (*Flags & ~IG_ALERT_SIG_FLAGS)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VALUE, Offset + IG_SIG_HDR,
                           "the %s signature's flags 0x%08X hold unknown bits", What, *Flags);
    }
    *Valid = true;
    return INT_STATUS_SUCCESS;
}

static int IgCompareU32(const void *A, const void *B)
{
    uint32_t a = *(const uint32_t *)A;
    uint32_t b = *(const uint32_t *)B;

    return (a > b) - (a < b);
}

static INTSTATUS IgDecodeCodeBlocks(const uint8_t *Blob, size_t Offset, INTRO_ALERT_EXCEPTION *E,
                                    INTRO_ALERT_EXC_ERROR *Error)
{
    size_t hashes = Offset + offsetof(ALERT_CB_SIGNATURE, CodeBlocks);
    uint8_t score = Blob[Offset + offsetof(ALERT_CB_SIGNATURE, Score)];
    uint8_t count = Blob[Offset + offsetof(ALERT_CB_SIGNATURE, Count)];
    INTSTATUS status = IgDecodeSigHead(Blob, Offset, "code-blocks", &E->CodeBlocks.Valid, &E->CodeBlocks.Flags, Error);

    if (!INT_SUCCESS(status) || !E->CodeBlocks.Valid)
    {
        return status;
    }
    if (count > ALERT_HASH_COUNT)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_BAD_VALUE,
                           Offset + offsetof(ALERT_CB_SIGNATURE, Count),
                           "the code-blocks signature holds %u hashes (at most %u)", count, ALERT_HASH_COUNT);
    }
    if (count == 0 || score == 0 || score > count)
    {
        /* A score of 0 would match any code, one above the count none. */
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VALUE,
                           Offset + offsetof(ALERT_CB_SIGNATURE, Score),
                           "the code-blocks signature has score %u of %u hashes", score, count);
    }
    E->CodeBlocks.Score = score;
    E->CodeBlocks.Count = count;
    for (uint32_t i = 0; i < count; i++)
    {
        E->CodeBlocks.Hashes[i] = IgLoadLe32(Blob + hashes + 4 * i);
    }
    /* hvmi sorts them again when it adds the exception: the matcher walks them in order. */
    qsort(E->CodeBlocks.Hashes, count, sizeof(E->CodeBlocks.Hashes[0]), IgCompareU32);
    return INT_STATUS_SUCCESS;
}

static INTSTATUS IgDecodeSignatures(const uint8_t *Blob, const IG_BLOB_LAYOUT *L, INTRO_ALERT_EXCEPTION *E,
                                    INTRO_ALERT_EXC_ERROR *Error)
{
    INTSTATUS status = IgDecodeCodeBlocks(Blob, L->CodeBlocks, E, Error);

    if (INT_SUCCESS(status) && L->Idt)
    {
        status = IgDecodeSigHead(Blob, L->Idt, "IDT", &E->Idt.Valid, &E->Idt.Flags, Error);
        E->Idt.Entry = Blob[L->Idt + offsetof(ALERT_IDT_SIGNATURE, Entry)];
    }
    if (INT_SUCCESS(status) && L->Export)
    {
        status = IgDecodeSigHead(Blob, L->Export, "export", &E->Export.Valid, &E->Export.Flags, Error);
        E->Export.Library = IgLoadLe32(Blob + L->Export + offsetof(ALERT_EXPORT_SIGNATURE, Library));
        E->Export.Function = IgLoadLe32(Blob + L->Export + offsetof(ALERT_EXPORT_SIGNATURE, Function));
        E->Export.Delta = IgLoadLe16(Blob + L->Export + offsetof(ALERT_EXPORT_SIGNATURE, Delta));
        E->Export.WriteSize = Blob[L->Export + offsetof(ALERT_EXPORT_SIGNATURE, WriteSize)];
    }
    if (INT_SUCCESS(status) && L->ProcessCreation)
    {
        status = IgDecodeSigHead(Blob, L->ProcessCreation, "process-creation", &E->ProcessCreation.Valid,
                                 &E->ProcessCreation.Flags, Error);
        E->ProcessCreation.CreateMask =
            IgLoadLe32(Blob + L->ProcessCreation + offsetof(ALERT_PROCESS_CREATION_SIGNATURE, CreateMask));
    }
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    /* What is absent reads as zero, so equal exceptions compare equal whatever the blob left there. */
    if (!E->Idt.Valid)
    {
        memset(&E->Idt, 0, sizeof(E->Idt));
    }
    if (!E->Export.Valid)
    {
        memset(&E->Export, 0, sizeof(E->Export));
    }
    if (!E->ProcessCreation.Valid)
    {
        memset(&E->ProcessCreation, 0, sizeof(E->ProcessCreation));
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgAlertDecodeBlob(const uint8_t *Blob, size_t Size, uint32_t Type, INTRO_ALERT_EXCEPTION *E,
                            INTRO_ALERT_EXC_ERROR *Error)
{
    const size_t header = sizeof(INTRO_ALERT_EXCEPTION_HEADER);
    const IG_BLOB_LAYOUT *layout;
    uint64_t flags;
    uint16_t version;
    uint8_t valid;

    memset(E, 0, sizeof(*E));
    if (!IgAlertTypeExceptable(Type))
    {
        return IgAlertFail(Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_ALERT_NOT_EXCEPTABLE, 0,
                           "alerts of type %u cannot be excepted", Type);
    }
    if (Size < header)
    {
        return IgAlertFail(Error, INT_STATUS_DATA_BUFFER_TOO_SMALL, INT_STATUS_EXC_ALERT_TRUNCATED, Size,
                           "%zu bytes: a blob starts with a %zu-byte header", Size, header);
    }
    if (Size > ALERT_EXCEPTION_SIZE)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_OVERSIZED, ALERT_EXCEPTION_SIZE,
                           "%zu bytes: a blob has at most %u", Size, ALERT_EXCEPTION_SIZE);
    }
    version = IgLoadLe16(Blob + offsetof(INTRO_ALERT_EXCEPTION_HEADER, Version));
    flags = IgBlob64(Blob, offsetof(INTRO_ALERT_EXCEPTION_HEADER, ViolationFlags));
    valid = Blob[offsetof(INTRO_ALERT_EXCEPTION_HEADER, Valid)];
    if (valid != 1)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_ALERT_NOT_VALID,
                           offsetof(INTRO_ALERT_EXCEPTION_HEADER, Valid),
                           valid ? "the blob's Valid byte is %u"
                                 : "the blob is not valid (Valid %u): the alert "
                                   "carried no exception",
                           valid);
    }
    E->Shape = IgAlertShapeOf(Type, flags);
    layout = IgBlobLayout(E->Shape);
    if (Size < layout->Size)
    {
        return IgAlertFail(Error, INT_STATUS_DATA_BUFFER_TOO_SMALL, INT_STATUS_EXC_ALERT_TRUNCATED, Size,
                           "%zu bytes: this alert's blob is a %zu-byte %s exception", Size, layout->Size,
                           E->Shape == INTRO_ALERT_EXC_KERNEL ? "kernel"
                           : E->Shape == INTRO_ALERT_EXC_USER ? "user"
                                                              : "kernel-user");
    }
    if (version != 1)
    {
        return IgAlertFail(Error, INT_STATUS_UNSUPPORTED_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VERSION, 0,
                           "blob version %u (expected 1)", version);
    }
    E->ViolationFlags = flags;
    E->Originator = IgLoadLe32(Blob + layout->Originator);
    E->Victim = IgLoadLe32(Blob + layout->Victim);
    E->Process = layout->Process ? IgLoadLe32(Blob + layout->Process) : 0;
    E->Flags = IgLoadLe32(Blob + layout->Flags);
    E->ObjectType = IgLoadLe32(Blob + layout->Type);
    if (E->ObjectType == 0 || E->ObjectType > layout->MaxType)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VALUE, layout->Type,
                           "object type %u (this exception kind has 1 to %u)", E->ObjectType, layout->MaxType);
    }
    if (E->Flags & ~layout->AllowedFlags)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VALUE, layout->Flags,
                           "flags 0x%08X hold bits this exception kind does not have (0x%08X)", E->Flags,
                           E->Flags & ~layout->AllowedFlags);
    }
    return IgDecodeSignatures(Blob, layout, E, Error);
}

/* ---- Encoding ------------------------------------------------------------------------------------------------------
 */

static void IgStore16(uint8_t *P, uint16_t V)
{
    P[0] = (uint8_t)V;
    P[1] = (uint8_t)(V >> 8);
}

static void IgStore32(uint8_t *P, uint32_t V)
{
    IgStore16(P, (uint16_t)V);
    IgStore16(P + 2, (uint16_t)(V >> 16));
}

static void IgEncodeSigHead(uint8_t *Blob, size_t Offset, uint32_t Flags)
{
    IgStore16(Blob + Offset, 1);
    IgStore32(Blob + Offset + IG_SIG_HDR, Flags);
    Blob[Offset + IG_SIG_VALID] = 1;
}

INTSTATUS IntAlertExceptionEncode(const INTRO_ALERT_EXCEPTION *E, BYTE *Blob)
{
    const IG_BLOB_LAYOUT *layout;

    if (!E)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Blob)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    memset(Blob, 0, ALERT_EXCEPTION_SIZE);
    if ((E->Shape != INTRO_ALERT_EXC_KERNEL && E->Shape != INTRO_ALERT_EXC_USER &&
         E->Shape != INTRO_ALERT_EXC_KERNEL_USER) ||
        (E->CodeBlocks.Valid && E->CodeBlocks.Count > ALERT_HASH_COUNT))
    {
        return INT_STATUS_INVALID_DATA_VALUE;
    }
    layout = IgBlobLayout(E->Shape);
    IgStore16(Blob + offsetof(INTRO_ALERT_EXCEPTION_HEADER, Version), 1);
    IgStore32(Blob + offsetof(INTRO_ALERT_EXCEPTION_HEADER, ViolationFlags), (uint32_t)E->ViolationFlags);
    IgStore32(Blob + offsetof(INTRO_ALERT_EXCEPTION_HEADER, ViolationFlags) + 4, (uint32_t)(E->ViolationFlags >> 32));
    IgStore32(Blob + layout->Originator, E->Originator);
    IgStore32(Blob + layout->Victim, E->Victim);
    if (layout->Process)
    {
        IgStore32(Blob + layout->Process, E->Process);
    }
    IgStore32(Blob + layout->Flags, E->Flags);
    IgStore32(Blob + layout->Type, E->ObjectType);
    if (E->CodeBlocks.Valid)
    {
        IgEncodeSigHead(Blob, layout->CodeBlocks, E->CodeBlocks.Flags);
        Blob[layout->CodeBlocks + offsetof(ALERT_CB_SIGNATURE, Score)] = E->CodeBlocks.Score;
        Blob[layout->CodeBlocks + offsetof(ALERT_CB_SIGNATURE, Count)] = E->CodeBlocks.Count;
        for (uint32_t i = 0; i < E->CodeBlocks.Count; i++)
        {
            IgStore32(Blob + layout->CodeBlocks + offsetof(ALERT_CB_SIGNATURE, CodeBlocks) + 4 * i,
                      E->CodeBlocks.Hashes[i]);
        }
    }
    if (layout->Idt && E->Idt.Valid)
    {
        IgEncodeSigHead(Blob, layout->Idt, E->Idt.Flags);
        Blob[layout->Idt + offsetof(ALERT_IDT_SIGNATURE, Entry)] = E->Idt.Entry;
    }
    if (layout->Export && E->Export.Valid)
    {
        IgEncodeSigHead(Blob, layout->Export, E->Export.Flags);
        IgStore32(Blob + layout->Export + offsetof(ALERT_EXPORT_SIGNATURE, Library), E->Export.Library);
        IgStore32(Blob + layout->Export + offsetof(ALERT_EXPORT_SIGNATURE, Function), E->Export.Function);
        IgStore16(Blob + layout->Export + offsetof(ALERT_EXPORT_SIGNATURE, Delta), E->Export.Delta);
        Blob[layout->Export + offsetof(ALERT_EXPORT_SIGNATURE, WriteSize)] = E->Export.WriteSize;
    }
    if (layout->ProcessCreation && E->ProcessCreation.Valid)
    {
        IgEncodeSigHead(Blob, layout->ProcessCreation, E->ProcessCreation.Flags);
        IgStore32(Blob + layout->ProcessCreation + offsetof(ALERT_PROCESS_CREATION_SIGNATURE, CreateMask),
                  E->ProcessCreation.CreateMask);
    }
    Blob[offsetof(INTRO_ALERT_EXCEPTION_HEADER, Valid)] = 1; /* last: a blob is valid only once complete */
    return INT_STATUS_SUCCESS;
}

/* ---- Public calls ------------------------------------------------------------------------------------------------ */

INTSTATUS IntAlertExceptionDecode(const void *Blob, size_t Size, INTRO_EVENT_TYPE Type,
                                  INTRO_ALERT_EXCEPTION *Exception, INTRO_ALERT_EXC_ERROR *Error)
{
    INTRO_ALERT_EXCEPTION decoded;
    INTSTATUS status;

    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
    }
    if (Exception)
    {
        memset(Exception, 0, sizeof(*Exception));
    }
    if (!Blob)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1, 0, "no blob");
    }
    if (!Exception)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_PARAMETER_4, INT_STATUS_INVALID_PARAMETER_4, 0,
                           "no place for the exception");
    }
    status = IgAlertDecodeBlob(Blob, Size, (uint32_t)Type, &decoded, Error);
    if (INT_SUCCESS(status))
    {
        *Exception = decoded;
    }
    return status;
}

INTSTATUS IntAlertExceptionBuild(const void *Event, size_t Size, INTRO_EVENT_TYPE Type, uint32_t Os, bool Guest64,
                                 BYTE *Blob, INTRO_ALERT_EXC_ERROR *Error)
{
    INTSTATUS status;

    if (Error)
    {
        memset(Error, 0, sizeof(*Error));
    }
    if (!Event)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_PARAMETER_1, INT_STATUS_INVALID_PARAMETER_1, 0, "no alert");
    }
    if (!Blob)
    {
        return IgAlertFail(Error, INT_STATUS_INVALID_PARAMETER_6, INT_STATUS_INVALID_PARAMETER_6, 0,
                           "no place for the blob");
    }
    memset(Blob, 0, ALERT_EXCEPTION_SIZE);
    status = IgAlertBuildBlob(Event, Size, (uint32_t)Type, Os, Guest64, Blob, Error);
    if (!INT_SUCCESS(status))
    {
        memset(Blob, 0, ALERT_EXCEPTION_SIZE); /* not Valid, as hvmi leaves a blob it could not build */
    }
    return status;
}

INTSTATUS IntAlertCodeBlocksExtract(INTRO_EXC_CODE_CONTEXT *Context, PFUNC_IntExcReadVirtual Read, void *ReadContext,
                                    uint64_t Cr3, uint64_t Rip, uint32_t CsType, bool Execute,
                                    INTRO_CODEBLOCKS *CodeBlocks)
{
    IG_GUEST_VMEM vmem = {Read, ReadContext};
    IG_CB_REQUEST req;
    IG_CB_ALERT alert;
    INTSTATUS status;

    if (CodeBlocks)
    {
        memset(CodeBlocks, 0, sizeof(*CodeBlocks));
    }
    if (!Context)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Read)
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    if (CsType != IG_CS_TYPE_32B && CsType != IG_CS_TYPE_64B)
    {
        return INT_STATUS_INVALID_PARAMETER_6;
    }
    if (!CodeBlocks)
    {
        return INT_STATUS_INVALID_PARAMETER_8;
    }
    memset(&alert, 0, sizeof(alert));
    req.Memory = &vmem;
    req.Cr3 = Cr3;
    req.Rip = Rip;
    req.Execute = Execute;
    req.Mode64 = CsType == IG_CS_TYPE_64B;
    req.Level = IgCbAlertLevel(Rip, req.Mode64);
    status = IgCbAlertExtract(Context, &req, &alert);
    if (!INT_SUCCESS(status) || !alert.Valid)
    {
        return INT_STATUS_SUCCESS; /* the alert goes out without code blocks */
    }
    CodeBlocks->Valid = TRUE;
    CodeBlocks->StartAddress = alert.StartAddress;
    CodeBlocks->Rip = alert.Rip;
    CodeBlocks->RipCbIndex = alert.RipCbIndex;
    CodeBlocks->Count = alert.Count;
    for (uint32_t i = 0; i < alert.Count && i < ALERT_MAX_CODEBLOCKS; i++)
    {
        CodeBlocks->CodeBlocks[i].Offset = alert.CodeBlocks[i].Offset;
        CodeBlocks->CodeBlocks[i].Pivot = alert.CodeBlocks[i].Pivot;
        CodeBlocks->CodeBlocks[i].Value = alert.CodeBlocks[i].Value;
    }
    return INT_STATUS_SUCCESS;
}
