/*
 * Violations the engine tests evaluate, built field by field as a guest would report them.  Each
 * builder fills what its scenario needs and nothing else, so a test adds what it exercises (the
 * names' text, a memory reader) on top.
 */
#ifndef INTROGUARD_TEST_VIOLATIONS_H
#define INTROGUARD_TEST_VIOLATIONS_H

#include <stdint.h>

#include "introguard/intro_exceptions.h"

/*
 * On 64-bit Windows 10 (19041), in chrome.exe (address space Cr3), evil.dll's code at Rip writes
 * 4 bytes (0xCCCCCCCC) at NtdllBase + 0x1004, in the code of ntdll.dll mapped at NtdllBase: a user
 * violation naming only hashes, whose memory is the current CR3 alone.
 */
void VioNtdllWrite(INTRO_EXC_VIOLATION *V, uint64_t Cr3, uint64_t Rip, uint64_t NtdllBase);

#endif /* INTROGUARD_TEST_VIOLATIONS_H */
