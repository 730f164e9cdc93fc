/*
 * introguard: exceptions made from alerts.
 *
 * An alert (intro_alerts.h) carries a 255-byte exception blob in INTRO_VIOLATION_HEADER.Exception.
 * GLUE_IFACE.AddExceptionFromAlert turns the blob, or the whole alert, back into an exception that
 * allows the same violation; RemoveException and FlushAlertExceptions take such exceptions away
 * again.  This header holds what an integrator or a tool needs around that loop:
 *
 *  - IntAlertExceptionBuild: fills a blob from a whole alert, with hvmi's rules (what the library
 *    does for the alerts it raises, and what AddExceptionFromAlert does for a whole alert);
 *  - IntAlertExceptionDecode / IntAlertExceptionEncode: a blob and its fields, checked;
 *  - IntAlertCodeBlocksExtract: the code blocks an alert reports around a RIP (hvmi's alert-side
 *    extraction), for integrators that raise their own alerts;
 *  - IntAddExceptionFromAlertBuffer: AddExceptionFromAlert with the buffer's size, so truncated and
 *    oversized buffers are told apart, and with the reason a buffer was refused.
 *
 * Blobs keep hvmi's layout (ALERT_KM_EXCEPTION, ALERT_UM_EXCEPTION, ALERT_KUM_EXCEPTION): blobs from
 * hvmi's alerts are accepted, and introguard's blobs are hvmi's.  docs/api.md, "Alert exceptions".
 */
#ifndef INTROGUARD_INTRO_ALERT_EXCEPTIONS_H
#define INTROGUARD_INTRO_ALERT_EXCEPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intro_alerts.h"
#include "intro_cdefs.h"
#include "intro_exceptions.h"
#include "introstatus.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Natural alignment whatever #pragma pack the includer has in force: the library was built with it. */
#pragma pack(push, 8)

/* The shape of a blob: which ALERT_*_EXCEPTION it holds, and which kind of exception it makes. */
#define INTRO_ALERT_EXC_KERNEL 1u      /* ALERT_KM_EXCEPTION: a kernel-mode exception */
#define INTRO_ALERT_EXC_USER 2u        /* ALERT_UM_EXCEPTION: a user-mode exception */
#define INTRO_ALERT_EXC_KERNEL_USER 3u /* ALERT_KUM_EXCEPTION: a kernel-user exception */

    /* A blob's fields (all values as the blob holds them: hashes, flags, object types, signatures). */
    typedef struct INTRO_ALERT_EXCEPTION
    {
        uint32_t Shape;          /* INTRO_ALERT_EXC_* */
        uint64_t ViolationFlags; /* the alert's ALERT_FLAG_* (the blob header's copy) */
        uint32_t Originator;     /* a name hash or a *_EXCEPTION_NAME value */
        uint32_t Victim;
        uint32_t Process;    /* user and kernel-user shapes; 0 for kernel */
        uint32_t Flags;      /* EXCEPTION_FLG_* */
        uint32_t ObjectType; /* KM_EXCEPTION_OBJECT, UM_EXCEPTION_OBJECT or KUM_EXCEPTION_OBJECT by Shape */

        struct
        {
            bool Valid;
            uint32_t Flags; /* SIGNATURE_FLG_* */
            uint8_t Score;
            uint8_t Count;
            uint32_t Hashes[ALERT_HASH_COUNT]; /* Count of them, ascending */
        } CodeBlocks;
        struct
        {
            bool Valid; /* kernel shape only */
            uint32_t Flags;
            uint8_t Entry;
        } Idt;
        struct
        {
            bool Valid; /* user shape only */
            uint32_t Flags;
            uint32_t Library;  /* module name hash */
            uint32_t Function; /* export name hash, 0 for any */
            uint16_t Delta;    /* offset of the write inside the function */
            uint8_t WriteSize;
        } Export;
        struct
        {
            bool Valid; /* user shape only */
            uint32_t Flags;
            uint32_t CreateMask; /* INT_PC_VIOLATION_DPI_* */
        } ProcessCreation;
    } INTRO_ALERT_EXCEPTION;

    /* Why a blob or an alert was refused: the same statuses as the calls return, and where. */
    typedef struct INTRO_ALERT_EXC_ERROR
    {
        INTSTATUS Status; /* what the call returned (hvmi's status where hvmi has one) */
        INTSTATUS Detail; /* introguard's precise reason: an INT_STATUS_EXC_ALERT_* code, or Status */
        uint32_t Offset;  /* byte offset, in the buffer given, of the offending field */
        char Message[160];
    } INTRO_ALERT_EXC_ERROR;

    /*
     * Fills Blob (ALERT_EXCEPTION_SIZE bytes, zeroed first) from the whole alert in Event (Size bytes,
     * exactly the size of Type's structure), with hvmi's rules (docs/api.md, "Building the blob"):
     * what introguard does for the alerts it raises.  Os is the guest's INTRO_EXC_OS_* (another value:
     * the alert's ALERT_FLAG_LINUX decides) and Guest64 its bitness (descriptor-table and IDT
     * exceptions name it).  On success the blob's header is Valid; on failure the blob is left zeroed
     * (not Valid), as hvmi leaves it.
     *
     * Returns INT_STATUS_SUCCESS; INVALID_PARAMETER_1 / _6 for a NULL Event / Blob; NOT_SUPPORTED for
     * a Type that cannot be excepted, or an alert whose victim cannot be; DATA_BUFFER_TOO_SMALL /
     * INVALID_DATA_SIZE for a Size below / above the structure's; UNSUPPORTED_DATA_VALUE for a
     * ViolationVersion other than 1; INVALID_DATA_SIZE for a name without its NUL.  Error (may be
     * NULL) says which field.  Reads Event only; allocates nothing.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntAlertExceptionBuild(const void *Event, size_t Size,
                                                                          INTRO_EVENT_TYPE Type, uint32_t Os,
                                                                          bool Guest64, uint8_t *Blob,
                                                                          INTRO_ALERT_EXC_ERROR *Error);

    /*
     * Decodes and checks the blob in Blob (Size bytes: at least its shape's structure, at most
     * ALERT_EXCEPTION_SIZE) of an alert of type Type.  Type and the blob's ViolationFlags choose the
     * shape, as in hvmi: EPT alerts by ALERT_FLAG_KM_UM and ALERT_FLAG_NOT_RING0, injection,
     * process-creation and module-load alerts user, the others kernel.
     *
     * Returns INT_STATUS_SUCCESS with *Exception filled; INVALID_PARAMETER_1 / _4 for a NULL Blob /
     * Exception; NOT_SUPPORTED for a Type that cannot be excepted; DATA_BUFFER_TOO_SMALL for a blob
     * shorter than its shape, INVALID_DATA_SIZE for one longer than ALERT_EXCEPTION_SIZE or a
     * code-blocks signature of more than ALERT_HASH_COUNT hashes; INVALID_DATA_STATE for a blob (or a
     * signature) whose Valid byte is neither 0 nor 1, or a blob not Valid; UNSUPPORTED_DATA_VALUE for a
     * version other than 1; INVALID_DATA_VALUE for an object type, flag or score no alert can hold.
     * Error (may be NULL) says which field.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntAlertExceptionDecode(const void *Blob, size_t Size,
                                                                           INTRO_EVENT_TYPE Type,
                                                                           INTRO_ALERT_EXCEPTION *Exception,
                                                                           INTRO_ALERT_EXC_ERROR *Error);

    /*
     * Writes Exception as a blob into Blob (ALERT_EXCEPTION_SIZE bytes, zeroed first; Valid set), the
     * inverse of IntAlertExceptionDecode.  Returns INVALID_PARAMETER_1 / _2 for NULL arguments and
     * INVALID_DATA_VALUE for a Shape or hash count that has no blob.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntAlertExceptionEncode(const INTRO_ALERT_EXCEPTION *Exception,
                                                                           uint8_t *Blob);

    /*
     * hvmi's alert-side code-blocks extraction: the blocks around Rip (in address space Cr3, code of
     * CsType IG_CS_TYPE_32B or IG_CS_TYPE_64B, the window of an execution when Execute) as an alert
     * reports them, up to 64, in address order, with the index of the RIP's block.  Guest memory
     * is read through Read (ReadContext passed back).  Context is a decoder from
     * IntExceptCodeContextCreate, used by this call only.  Code that cannot be read, or too short to
     * hold blocks, leaves CodeBlocks zeroed (not Valid) and returns SUCCESS: the alert goes out without.
     *
     * Returns INT_STATUS_SUCCESS; INVALID_PARAMETER_1 / _2 / _8 for a NULL Context / Read /
     * CodeBlocks; INVALID_PARAMETER_6 for another CsType.  Allocates nothing.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS
    IntAlertCodeBlocksExtract(INTRO_EXC_CODE_CONTEXT *Context, PFUNC_IntExcReadVirtual Read, void *ReadContext,
                              uint64_t Cr3, uint64_t Rip, uint32_t CsType, bool Execute, INTRO_CODEBLOCKS *CodeBlocks);

    /*
     * AddExceptionFromAlert (GLUE_IFACE) with the size of the buffer: Buffer holds Size bytes, the blob
     * (Exception TRUE: at least its shape's structure, at most ALERT_EXCEPTION_SIZE) or the whole
     * alert of type Type (Exception FALSE: exactly its structure).  The exception is added for the
     * guest with Context, as AddExceptionFromAlert does; Error (may be NULL) says why a buffer was
     * refused.  The buffer stays the caller's and is only read during the call.
     *
     * Returns what AddExceptionFromAlert returns (docs/api.md), and DATA_BUFFER_TOO_SMALL /
     * INVALID_DATA_SIZE for a buffer shorter / longer than its structure.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntAddExceptionFromAlertBuffer(void *GuestHandle, const void *Buffer,
                                                                                  size_t Size, INTRO_EVENT_TYPE Type,
                                                                                  bool Exception,
                                                                                  unsigned long long Context,
                                                                                  INTRO_ALERT_EXC_ERROR *Error);

    /*
     * The number of alert exceptions the guest holds (*Count), for diagnostics.  Returns
     * INVALID_PARAMETER_1 / _2 for a NULL GuestHandle / Count and NOT_INITIALIZED for an unknown guest.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntGetAlertExceptionCount(void *GuestHandle, uint32_t *Count);

#pragma pack(pop)

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_ALERT_EXCEPTIONS_H */
