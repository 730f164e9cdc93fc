/*
 * A guest's protection state: creation, the model lock, teardown.
 */
#include <string.h>

#include "protect.h"

INTSTATUS IgProtectCreate(const IG_ALLOCATOR *Allocator, const GLUE_IFACE *Glue, const UPPER_IFACE *Upper,
                          const IG_PROTECT_HANDLERS *Handlers, void *GuestHandle, IG_PROTECT **Protect)
{
    IG_PROTECT *p = NULL;
    INTSTATUS status;

    *Protect = NULL;
    status = Allocator->Alloc(Allocator->Context, (void **)&p, sizeof(*p), IG_TAG_PROTECT);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    memset(p, 0, sizeof(*p));
    p->Allocator = *Allocator;
    p->Glue = Glue;
    p->Upper = Upper;
    p->Handlers = *Handlers;
    p->GuestHandle = GuestHandle;
    status = Upper->RwSpinLockInit(&p->Lock, "INTROGUARD GUEST MODEL");
    if (!INT_SUCCESS(status))
    {
        Allocator->Free(Allocator->Context, (void **)&p, IG_TAG_PROTECT);
        return status;
    }
    *Protect = p;
    return INT_STATUS_SUCCESS;
}

void IgProtectDestroy(IG_PROTECT *Protect)
{
    IG_ALLOCATOR allocator;

    if (!Protect)
    {
        return;
    }
    /* Zones first: their rights and exits go back to what the guest had. */
    IgPmZonesFree(Protect);
    IgPmModelFree(Protect);
    (void)Protect->Upper->RwSpinLockUnInit(&Protect->Lock);
    allocator = Protect->Allocator;
    allocator.Free(allocator.Context, (void **)&Protect, IG_TAG_PROTECT);
}

void IgProtectLock(IG_PROTECT *Protect, bool Exclusive)
{
    (void)(Exclusive ? Protect->Upper->RwSpinLockAcquireExclusive(Protect->Lock)
                     : Protect->Upper->RwSpinLockAcquireShared(Protect->Lock));
}

void IgProtectUnlock(IG_PROTECT *Protect, bool Exclusive)
{
    (void)(Exclusive ? Protect->Upper->RwSpinLockReleaseExclusive(Protect->Lock)
                     : Protect->Upper->RwSpinLockReleaseShared(Protect->Lock));
}
