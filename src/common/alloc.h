/*
 * The engine's allocator.  Every allocation the library makes goes through one of these, so an
 * integrator's UPPER_IFACE allocator (or a test's failing allocator) sees all of them.
 */
#ifndef INTROGUARD_ALLOC_H
#define INTROGUARD_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "introguard/introstatus.h"

typedef struct IG_ALLOCATOR
{
    /* Stores a block of Size bytes (not zeroed) in *Address; INSUFFICIENT_RESOURCES on failure. */
    INTSTATUS (*Alloc)(void *Context, void **Address, size_t Size, uint32_t Tag);
    /* Frees *Address (NULL allowed) and sets it to NULL. */
    void (*Free)(void *Context, void **Address, uint32_t Tag);
    void *Context;
} IG_ALLOCATOR;

/* Allocation tags: four characters, as hvmi's pool tags. */
#define IG_TAG(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define IG_TAG_RULESET IG_TAG('E', 'x', 'R', 's')
#define IG_TAG_GUEST IG_TAG('G', 'u', 'e', 's')

/*
 * The C library's malloc and free as an allocator.  Nothing in the library uses them on its own:
 * only callers that choose them (IntExceptMallocAllocator, the tools and tests).
 */
INTSTATUS IgMallocAlloc(void *Context, void **Address, size_t Size, uint32_t Tag);
void IgMallocFree(void *Context, void **Address, uint32_t Tag);
extern const IG_ALLOCATOR gIgMallocAllocator;

#endif /* INTROGUARD_ALLOC_H */
