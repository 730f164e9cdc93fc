/*
 * introguard: name hashes as hvmi's runtime computes them.
 *
 * The exceptions engine compares names as 32-bit hashes (hvmi's CRC-32 variant: reflected
 * polynomial 0xEDB88320, register starting at 0, final XOR 0xFFFFFFFF; the empty name hashes to
 * 0xFFFFFFFF, INTRO_EXC_NO_NAME).  Which bytes are hashed depends on what the name names and on
 * the guest OS: hvmi lower-cases some names and not others, hashes some as 8-bit text and others
 * as UTF-16LE, keeps only a process's short name, and replaces a few names by small special values
 * ([kernel], [hal], [vdso], [vsyscall]).  These functions apply those rules, so an integrator
 * filling an INTRO_EXC_VIOLATION gets the hashes the exceptions files were compiled against.
 * docs/hashing.md says which kind to use for which field.
 *
 * Both functions read at most Length units of Name and stop at the first NUL unit, as hvmi's
 * string hashes do; Name need not be NUL-terminated.  They allocate nothing and keep no state.
 *
 * Lower-casing is hvmi's run time's: ASCII A-Z only, for every kind and both functions; no other
 * character is changed and the caps count units, not characters.  The exceptions compiler
 * (`introguard compile`, like hvmi's) lower-cases with Python's str.lower() of Unicode 14.0.0
 * instead, so for a name whose non-ASCII characters str.lower() changes the two disagree, as they
 * do in hvmi: docs/compat.md, "Non-ASCII names", says which compiled names can never match.
 */
#ifndef INTROGUARD_INTRO_NAMES_H
#define INTROGUARD_INTRO_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "intro_exceptions.h"

#ifdef __cplusplus
extern "C"
{
#endif

/*
 * What a name names (the Kind argument).  The guest OS is INTRO_EXC_OS_WINDOWS or _LINUX.
 *
 *  PROCESS        a process's short name.  Windows: the image name (EPROCESS.ImageFileName),
 *                 ASCII-lower-cased, at most 14 characters (the guest kernel keeps 14), 8-bit:
 *                 the guest keeps one byte per UTF-16 character, which IntNameHashWide gives from
 *                 the UTF-16 name.
 *                 Linux: the task's comm, as is, at most 15 characters, 8-bit.
 *  KERNEL_MODULE  Windows: a driver's file name (a path is cut after its last backslash),
 *                 ASCII-lower-cased, UTF-16; hal.dll, halmacpi.dll and halacpi.dll are [hal].
 *                 Linux: a kernel module's name, as is, at most 55 characters, 8-bit.
 *                 INTRO_NAME_FLAG_KERNEL_IMAGE makes it [kernel]; the text "[kernel]" or "[hal]"
 *                 gives the special value as well.
 *  USER_MODULE    Windows: a user-mode module's file name (cut after the last backslash of its
 *                 path), ASCII-lower-cased, UTF-16.  Linux: the text "[vdso]" and "[vsyscall]"
 *                 give their special values; hvmi hashes no other Linux user-mode name (8-bit, as is).
 *  DRIVER_OBJECT  Windows: a driver object's full name ("\Driver\Foo"), ASCII-lower-cased, UTF-16.
 *  EXACT          as given: 8-bit for IntNameHash, UTF-16LE for IntNameHashWide (export names,
 *                 SharedUserData field names).
 */
#define INTRO_NAME_PROCESS 1u
#define INTRO_NAME_KERNEL_MODULE 2u
#define INTRO_NAME_USER_MODULE 3u
#define INTRO_NAME_DRIVER_OBJECT 4u
#define INTRO_NAME_EXACT 5u

/* Flags. */
#define INTRO_NAME_FLAG_KERNEL_IMAGE 0x1u /* KERNEL_MODULE: this module is the OS kernel image ([kernel]) */
#define INTRO_NAME_FLAG_NO_SPECIAL                                                                                     \
    0x2u /* never a special value: the plain hash (hvmi's KUM injection return driver)                                 \
          */

    /*
     * Hashes an 8-bit name (UTF-8 where the text is not ASCII).  Where the rule hashes UTF-16 (Windows
     * modules and driver objects), the UTF-8 is decoded first (an invalid byte stands for itself), so
     * the hash equals IntNameHashWide's of the same text.
     *
     * Returns INT_STATUS_SUCCESS with *Hash set; INVALID_PARAMETER_1 for an OS other than Windows or
     * Linux; INVALID_PARAMETER_2 for an unknown Kind or one the OS does not have (DRIVER_OBJECT on
     * Linux) or unknown Flags; INVALID_PARAMETER_3 for a NULL Name with a non-zero Length;
     * INVALID_PARAMETER_6 for a NULL Hash.  *Hash is zeroed unless SUCCESS is returned.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntNameHash(uint32_t Os, uint32_t Kind, const char *Name,
                                                               size_t Length, uint32_t Flags, uint32_t *Hash);

    /*
     * Hashes a UTF-16 name (Length in code units).  Where the rule hashes 8-bit text (process names,
     * Linux names), each code unit is narrowed to its low byte, as hvmi narrows Linux module names:
     * exact for ASCII; for other names pass the guest's own 8-bit bytes to IntNameHash.  Same statuses
     * as IntNameHash.
     */
    INTROGUARD_MUST_CHECK INTROGUARD_API INTSTATUS IntNameHashWide(uint32_t Os, uint32_t Kind, const uint16_t *Name,
                                                                   size_t Length, uint32_t Flags, uint32_t *Hash);

#ifdef __cplusplus
}
#endif

#endif /* INTROGUARD_INTRO_NAMES_H */
