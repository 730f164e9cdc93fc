#include "alloc.h"

#include <stdlib.h>

INTSTATUS IgMallocAlloc(void *Context, void **Address, size_t Size, uint32_t Tag)
{
    (void)Context;
    (void)Tag;
    *Address = malloc(Size ? Size : 1);
    return *Address ? INT_STATUS_SUCCESS : INT_STATUS_INSUFFICIENT_RESOURCES;
}

void IgMallocFree(void *Context, void **Address, uint32_t Tag)
{
    (void)Context;
    (void)Tag;
    free(*Address);
    *Address = NULL;
}

const IG_ALLOCATOR gIgMallocAllocator = {IgMallocAlloc, IgMallocFree, NULL};
