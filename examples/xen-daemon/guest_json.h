/*
 * introguard-xend's guest description: what the guest is and what to protect in it, from a JSON
 * file (README.md shows the format; it follows the replay trace's records).  Parsed with json-c;
 * only introguard's public headers are used.
 */
#ifndef INTROGUARD_XEND_GUEST_JSON_H
#define INTROGUARD_XEND_GUEST_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "introguard/introguard.h"

#define XEND_MAX_ITEMS 4096u /* modules, processes or zones in one description */

typedef struct XEND_MODULE
{
    DWORD Pid; /* INTRO_GUEST_KERNEL for a driver */
    INTRO_GUEST_MODULE Module;
    INTRO_GUEST_SECTION Sections[INTRO_GUEST_MAX_SECTIONS];
} XEND_MODULE;

typedef struct XEND_GUEST
{
    GUEST_INFO Info;
    QWORD SystemCr3;
    XEND_MODULE *Modules;
    size_t ModuleCount;
    INTRO_GUEST_PROCESS *Processes;
    size_t ProcessCount;
    INTRO_GUEST_ZONE *Zones;
    size_t ZoneCount;
    void *Json; /* the parsed document: the names above point into it */
} XEND_GUEST;

/*
 * Reads Path into *Guest.  On failure returns false with a message naming the file and the field
 * in Error.
 */
bool XendGuestLoad(const char *Path, XEND_GUEST *Guest, char *Error, size_t ErrorSize);

void XendGuestFree(XEND_GUEST *Guest);

#endif /* INTROGUARD_XEND_GUEST_JSON_H */
