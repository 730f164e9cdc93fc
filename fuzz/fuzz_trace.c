/*
 * libFuzzer target: the replay trace reader and the matching engine behind it.  Every decoded
 * violation is evaluated against a small rule set (kernel, user, glob and kernel-user exceptions,
 * built here from the record layouts of spec/exceptions-binary-format.md) and the verdict is
 * checked for consistency.  Seeds: fuzz/seeds/trace/ (the example and test traces).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exceptions/exceptions_int.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static INTRO_EXC_RULESET *gRules;

static size_t Put32(uint8_t *Out, size_t At, uint32_t V)
{
    Out[At] = (uint8_t)V;
    Out[At + 1] = (uint8_t)(V >> 8);
    Out[At + 2] = (uint8_t)(V >> 16);
    Out[At + 3] = (uint8_t)(V >> 24);
    return At + 4;
}

static size_t PutException(uint8_t *Out, size_t At, uint8_t Type, uint32_t A, uint32_t B, uint32_t C, uint32_t Flags,
                           uint8_t Object)
{
    Out[At++] = Type;
    Out[At++] = 20;
    Out[At++] = 0;
    At = Put32(Out, At, A);
    At = Put32(Out, At, B);
    At = Put32(Out, At, C);
    At = Put32(Out, At, Flags);
    Out[At++] = 0;
    Out[At++] = Object;
    Out[At++] = 0;
    Out[At++] = 0;
    return At;
}

static void BuildRules(void)
{
    static uint8_t file[512];
    static const char glob[] = "chr*.exe\0b.exe\0*";
    const uint32_t flags = IG_FLG_32 | IG_FLG_64 | IG_FLG_WRITE | IG_FLG_READ | IG_FLG_EXECUTE;
    size_t at = IG_FILE_HEADER_SIZE;

    at = PutException(file, at, IgRecKernel, 0, 0xFFFFFFFFu, 0, flags | IG_FLG_INIT, IgKmObjAny);
    at = PutException(file, at, IgRecKernel, IG_NAME_NONE, 0xFFFFFFFFu, 1, flags, IgKmObjDrvObj);
    at = PutException(file, at, IgRecUser, 0, 0, 0, flags | IG_FLG_UM_ONETIME | IG_FLG_INIT, IgUmObjProcess);
    at = PutException(file, at, IgRecUser, IG_NAME_NONE, 0, 0, flags | IG_FLG_FEEDBACK, IgUmObjAny);
    at = PutException(file, at, IgRecKernelUser, 0, 0, 0, flags | IG_FLG_KUM_USER, IgKumObjAny);
    file[at++] = IgRecUserGlob;
    file[at++] = (uint8_t)(8 + sizeof(glob));
    file[at++] = 0;
    at = Put32(file, at, flags);
    file[at++] = 0;
    file[at++] = IgUmObjProcess;
    file[at++] = 0;
    file[at++] = 0;
    memcpy(file + at, glob, sizeof(glob));
    at += sizeof(glob);
    Put32(file, 0, IG_FILE_MAGIC);
    Put32(file, 4, 2u | (2u << 16));
    Put32(file, 8, 2);
    Put32(file, 12, 2);
    Put32(file, 16, 0);
    Put32(file, 20, 0);
    Put32(file, 24, 1);
    Put32(file, 28, 1);
    Put32(file, 32, 0);
    if (!INT_SUCCESS(IntExceptRuleSetLoad(file, at, INTRO_EXC_OS_WINDOWS, IntExceptMallocAllocator(), &gRules, NULL)))
    {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size)
{
    FILE *stream;
    IG_TRACE *trace;
    IG_TRACE_RECORD *record;
    IG_TRACE_ERROR error;

    if (!gRules)
    {
        BuildRules();
    }
    if (Size == 0)
    {
        return 0;
    }
    stream = fmemopen((void *)Data, Size, "r");
    record = malloc(sizeof(*record));
    if (!stream || !record || !INT_SUCCESS(IgTraceOpen(stream, &trace)))
    {
        abort();
    }
    while (IgTraceNext(trace, record, &error) == INT_STATUS_SUCCESS)
    {
        INTRO_EXC_VERDICT verdict;

        if (record->Type != IgTraceViolation)
        {
            continue;
        }
        if (!INT_SUCCESS(IntExceptEvaluate(gRules, &record->Violation, &verdict)))
        {
            abort();
        }
        /* Only two actions exist; an allow names its exception unless it needed none. */
        if (verdict.Action != INTRO_EXC_ACTION_ALLOWED && verdict.Action != INTRO_EXC_ACTION_NOT_ALLOWED)
        {
            abort();
        }
        if (verdict.Action == INTRO_EXC_ACTION_ALLOWED && verdict.Reason != INTRO_EXC_REASON_SAME_VALUE &&
            verdict.Matched.Source == INTRO_EXC_SOURCE_NONE)
        {
            abort();
        }
    }
    IgTraceClose(trace);
    fclose(stream);
    free(record);
    return 0;
}
