/*
 * Test harness for the API layer: an UPPER_IFACE whose allocator counts and can fail the Nth
 * allocation, pthread-backed locks, a log capture, a GLUE_IFACE of dummy integrator functions,
 * and a builder of small exceptions files laid out as in spec/exceptions-binary-format.md §1.1
 * and §2.4 (the builder is the generator of every test file; no stored blobs).
 */
#ifndef INTROGUARD_TEST_API_HARNESS_H
#define INTROGUARD_TEST_API_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "introguard/introguard.h"

/* Resets counters, fault injection and the log capture. */
void ApiTestHarnessReset(void);

/* An UPPER table / a GLUE table with every member (optional ones included) filled. */
void ApiTestUpperFill(UPPER_IFACE *Upper);
void ApiTestGlueFill(GLUE_IFACE *Glue);

/* IntPreinit + IntInit with fresh full tables; Glue receives the library side. */
INTSTATUS ApiTestLibraryStart(GLUE_IFACE *Glue);

/* A test's start on a running library: ApiTestHarnessReset, then ApiTestLibraryStart, which must succeed. */
void ApiTestStart(GLUE_IFACE *Glue);

/* A test's end: IntUninit succeeds, and every library allocation was freed, with the tag it was made with. */
void ApiTestStopClean(void);

/* The alert types that carry an exception blob, the ones AddExceptionFromAlert takes (docs/api.md). */
#define API_TEST_EXCEPTABLE_TYPES 8u
extern const INTRO_EVENT_TYPE gApiTestExceptableTypes[API_TEST_EXCEPTABLE_TYPES];

/* Allocation accounting (library allocations through UPPER only). */
unsigned long ApiTestAllocCount(void);
unsigned long ApiTestFreeCount(void);
unsigned long ApiTestTagMismatchCount(void);
/* Fails the Nth allocation from now (1 = the next one); 0 disables the fault. */
void ApiTestFailAllocation(unsigned long Nth);
/* True once the armed fault has fired. */
int ApiTestAllocationFaultFired(void);

/* Lock accounting and fault injection. */
long ApiTestLiveLockCount(void);
void ApiTestFailNextSpinLockInit(INTSTATUS Status);

/* Log capture: every TracePrint line, in order. */
int ApiTestLogContains(const char *Text);
unsigned ApiTestLogLineCount(void);
void ApiTestLogClear(void);

/* One KM exception record of the builder. */
typedef struct API_TEST_KM_RECORD
{
    uint32_t Originator;
    uint32_t Victim;
    uint32_t Flags;
    uint8_t ObjectType;
} API_TEST_KM_RECORD;

/*
 * Writes a format-2 file: the 36-byte header (magic "EXNA", Major, Minor, KernelCount = Count,
 * BuildNumber) followed by Count KM records (type 1, 20-byte body, no signatures).  Returns the
 * size, or 0 if Capacity is too small.
 */
size_t ApiTestBuildKmFile(uint8_t *Out, size_t Capacity, uint16_t Major, uint16_t Minor, uint32_t Build,
                          const API_TEST_KM_RECORD *Records, uint32_t Count);

/* A one-record file with the given build number (Major 2, Minor 2). */
size_t ApiTestBuildSimpleFile(uint8_t *Out, size_t Capacity, uint32_t Build);

#define API_TEST_FILE_HEADER_SIZE 36u
#define API_TEST_KM_RECORD_SIZE 23u /* 3-byte record header + 20-byte body */

#endif /* INTROGUARD_TEST_API_HARNESS_H */
