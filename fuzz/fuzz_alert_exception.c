/*
 * libFuzzer target for exceptions from alerts (intro_alert_exceptions.h): the blob decoder, the
 * builder that reads a whole alert, and AddExceptionFromAlert on a live guest whose evaluations then
 * read what was added.
 *
 * Input layout:
 *   [0]      bits 0-3 the event type (an index into the eight exceptable ones), bit 4 the buffer is a
 *            whole alert (else a blob), bit 5 a whole alert is padded or cut to its structure's size
 *            (else given as it is, so sizes are fuzzed too), bit 6 Linux guest names
 *   [1..8]   the context
 *   the rest the buffer
 * Invariants: every refusal has its reason filled; a blob that decodes encodes back to one that
 * decodes to the same fields; an add that succeeds is counted, a flush empties the guest; the
 * evaluation that follows never fails.  Seeds: fuzz/seeds/alert_exception/ (fuzz/seeds/make_alert_seeds.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introguard/glue_replay.h"
#include "introguard/intro_excfile.h"
#include "introguard/introguard.h"

#define FUZZ_CHECK(Cond)                                                                                               \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(Cond))                                                                                                   \
        {                                                                                                              \
            fprintf(stderr, "fuzz_alert_exception: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #Cond);       \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static const INTRO_EVENT_TYPE gTypes[] = {introEventEptViolation,
                                          introEventMsrViolation,
                                          introEventCrViolation,
                                          introEventIntegrityViolation,
                                          introEventInjectionViolation,
                                          introEventDtrViolation,
                                          introEventProcessCreationViolation,
                                          introEventModuleLoadViolation};

static const size_t gSizes[] = {sizeof(EVENT_EPT_VIOLATION),
                                sizeof(EVENT_MSR_VIOLATION),
                                sizeof(EVENT_CR_VIOLATION),
                                sizeof(EVENT_INTEGRITY_VIOLATION),
                                sizeof(EVENT_MEMCOPY_VIOLATION),
                                sizeof(EVENT_DTR_VIOLATION),
                                sizeof(EVENT_PROCESS_CREATION_VIOLATION),
                                sizeof(EVENT_MODULE_LOAD_VIOLATION)};

/* One guest for the whole run, with a one-exception file loaded so evaluations consult alert exceptions. */
static INTRO_REPLAY *gReplay;
static INTRO_GLUE_GUEST *gGuest;
static GLUE_IFACE gGlue;
static unsigned gAdds;

static INTSTATUS QuietLog(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS;
}

static void StartGuest(void)
{
    INTRO_EXCFILE_WRITER w;
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_EXCEPTION e;
    UPPER_IFACE upper;

    FUZZ_CHECK(IntReplayCreate(1, &gReplay) == INT_STATUS_SUCCESS);
    FUZZ_CHECK(IntGlueGuestCreate(IntReplayBackend(), gReplay, &gGuest) == INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(&gGlue, &upper);
    upper.TracePrint = QuietLog;
    FUZZ_CHECK(IntInit(&gGlue, &upper) == INT_STATUS_SUCCESS);
    FUZZ_CHECK(gGlue.NewGuestNotification(gGuest, 0, NULL, 0) == INT_STATUS_SUCCESS);

    memset(&e, 0, sizeof(e));
    e.Originator = 0x12345678;
    e.OriginatorPath = INTRO_EXCFILE_NO_NAME;
    e.Victim = 0x12345678;
    e.Flags = INTRO_EXCFILE_FLG_32 | INTRO_EXCFILE_FLG_64 | INTRO_EXCFILE_FLG_WRITE;
    e.ObjectType = INTRO_EXCFILE_KM_OBJ_DRIVER_DATA;
    {
        static uint8_t buffer[256];

        IntExcFileWriterInit(&w, buffer, sizeof(buffer), NULL, NULL);
        IntExcFileHeaderInit(&header);
        FUZZ_CHECK(IntExcFileWriteHeader(&w, &header) == INT_STATUS_SUCCESS);
        FUZZ_CHECK(IntExcFileWriteException(&w, INTRO_EXCFILE_REC_KERNEL, &e) == INT_STATUS_SUCCESS);
        IntExcFileWriterCounts(&w, &header);
        FUZZ_CHECK(IntExcFileWriteHeader(&w, &header) == INT_STATUS_SUCCESS); /* the counts, over the first */
        FUZZ_CHECK(gGlue.UpdateExceptions(gGuest, buffer, (DWORD)w.Size, 0) == INT_STATUS_SUCCESS);
    }
}

/* A blob that decodes must encode to one that decodes to the same fields. */
static void CheckRoundTrip(const INTRO_ALERT_EXCEPTION *E, INTRO_EVENT_TYPE Type)
{
    BYTE blob[ALERT_EXCEPTION_SIZE];
    INTRO_ALERT_EXCEPTION again;

    FUZZ_CHECK(IntAlertExceptionEncode(E, blob) == INT_STATUS_SUCCESS);
    FUZZ_CHECK(IntAlertExceptionDecode(blob, sizeof(blob), Type, &again, NULL) == INT_STATUS_SUCCESS);
    FUZZ_CHECK(again.Shape == E->Shape && again.Originator == E->Originator && again.Victim == E->Victim &&
               again.Process == E->Process && again.Flags == E->Flags && again.ObjectType == E->ObjectType &&
               again.ViolationFlags == E->ViolationFlags && again.CodeBlocks.Valid == E->CodeBlocks.Valid &&
               again.CodeBlocks.Count == E->CodeBlocks.Count && again.Idt.Valid == E->Idt.Valid &&
               again.Export.Valid == E->Export.Valid && again.ProcessCreation.Valid == E->ProcessCreation.Valid);
    FUZZ_CHECK(!E->CodeBlocks.Valid ||
               memcmp(again.CodeBlocks.Hashes, E->CodeBlocks.Hashes, E->CodeBlocks.Count * sizeof(uint32_t)) == 0);
}

/* A violation the added exceptions are searched for (kernel or user, by the type). */
static void Evaluate(INTRO_EVENT_TYPE Type)
{
    INTRO_EXC_VIOLATION v;
    INTRO_EXC_VERDICT verdict;

    memset(&v, 0, sizeof(v));
    v.Guest.Os = INTRO_EXC_OS_WINDOWS;
    v.Guest.Guest64 = true;
    v.Kind = Type == introEventInjectionViolation || Type == introEventProcessCreationViolation ||
                     Type == introEventModuleLoadViolation
                 ? INTRO_EXC_KIND_USER
                 : INTRO_EXC_KIND_KERNEL;
    v.Kernel.Original.NameHash = v.Kernel.Return.NameHash = INTRO_EXC_NO_NAME;
    v.User.NameHash = INTRO_EXC_NO_NAME;
    v.Victim.ZoneType = v.Kind == INTRO_EXC_KIND_USER ? INTRO_EXC_ZONE_PROCESS : INTRO_EXC_ZONE_MSR;
    v.Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE;
    FUZZ_CHECK(IntExceptEvaluateGuest(gGuest, &v, &verdict) == INT_STATUS_SUCCESS);
    FUZZ_CHECK(verdict.Action == INTRO_EXC_ACTION_ALLOWED || verdict.Action == INTRO_EXC_ACTION_NOT_ALLOWED);
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    static uint8_t buffer[sizeof(EVENT_PROCESS_CREATION_VIOLATION)];
    INTRO_ALERT_EXCEPTION e;
    INTRO_ALERT_EXC_ERROR error;
    INTRO_EVENT_TYPE type;
    BYTE blob[ALERT_EXCEPTION_SIZE];
    uint64_t context = 0;
    uint32_t count = 0;
    size_t length;
    bool whole, fit;
    INTSTATUS status;

    if (Size < 9)
    {
        return 0;
    }
    if (!gGuest)
    {
        StartGuest();
    }
    type = gTypes[(Data[0] & 0xF) % 8];
    whole = (Data[0] & 0x10) != 0;
    fit = (Data[0] & 0x20) != 0;
    memcpy(&context, Data + 1, sizeof(context));
    length = Size - 9 < sizeof(buffer) ? Size - 9 : sizeof(buffer);
    memset(buffer, 0, sizeof(buffer));
    memcpy(buffer, Data + 9, length);
    if (whole && fit)
    {
        length = gSizes[(Data[0] & 0xF) % 8];
    }

    if (!whole)
    {
        status = IntAlertExceptionDecode(buffer, length, type, &e, &error);
        FUZZ_CHECK(INT_SUCCESS(status) || (error.Status == status && error.Message[0]));
        if (INT_SUCCESS(status))
        {
            CheckRoundTrip(&e, type);
        }
    }
    else
    {
        status =
            IntAlertExceptionBuild(buffer, length, type, (Data[0] & 0x40) ? INTRO_EXC_OS_LINUX : 0, true, blob, &error);
        FUZZ_CHECK(INT_SUCCESS(status) ? blob[offsetof(INTRO_ALERT_EXCEPTION_HEADER, Valid)] == 1
                                       : error.Status == status && error.Message[0] &&
                                             blob[offsetof(INTRO_ALERT_EXCEPTION_HEADER, Valid)] == 0);
        if (INT_SUCCESS(status))
        {
            FUZZ_CHECK(IntAlertExceptionDecode(blob, sizeof(blob), type, &e, NULL) == INT_STATUS_SUCCESS);
        }
    }

    status = IntAddExceptionFromAlertBuffer(gGuest, buffer, length, type, !whole, context, &error);
    FUZZ_CHECK(INT_SUCCESS(status) || (error.Status == status && error.Message[0]));
    gAdds += status == INT_STATUS_SUCCESS;
    Evaluate(type);
    if (status == INT_STATUS_SUCCESS && (context & 1))
    {
        FUZZ_CHECK(gGlue.RemoveException(gGuest, context) == INT_STATUS_SUCCESS);
    }
    if (gAdds >= 256)
    {
        FUZZ_CHECK(gGlue.FlushAlertExceptions(gGuest) == INT_STATUS_SUCCESS);
        FUZZ_CHECK(IntGetAlertExceptionCount(gGuest, &count) == INT_STATUS_SUCCESS && count == 0);
        gAdds = 0;
    }
    return 0;
}
