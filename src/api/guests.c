/*
 * The guest registry: maps the integrator's GuestHandle to the guest's state.
 *
 * Lookups take no lock.  The table is open addressing with linear probing over atomic pointers;
 * only insert and remove take the registry lock.  Records are recycled, never freed, until
 * IntUninit, so a lookup racing with a DisableIntro can only ever touch a valid record; it then
 * re-checks the record's phase and handle after taking its reference.  See docs/api.md.
 */
#include <sched.h>
#include <string.h>

#include "api_int.h"

/* Marks a slot whose guest was removed: lookups probe past it, inserts may reuse it. */
#define IG_TOMBSTONE ((IG_GUEST *)(uintptr_t)1)

static uint32_t IgRegistryHome(const void *Handle)
{
    uint64_t h = (uint64_t)(uintptr_t)Handle;

    /* Fibonacci hashing: handles are often aligned pointers, so mix every bit into the top ones. */
    h *= 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32) & (IG_REGISTRY_SLOTS - 1);
}

void IgRegistryInit(IG_INSTANCE *Instance)
{
    for (uint32_t i = 0; i < IG_REGISTRY_SLOTS; i++)
    {
        atomic_init(&Instance->Table[i], NULL);
    }
    memset(Instance->Records, 0, sizeof(Instance->Records));
    Instance->RecordCount = 0;
}

void IgGuestLock(IG_INSTANCE *Instance, IG_GUEST *Guest)
{
    (void)Instance->Upper.SpinLockAcquire(Guest->Lock);
}

void IgGuestUnlock(IG_INSTANCE *Instance, IG_GUEST *Guest)
{
    (void)Instance->Upper.SpinLockRelease(Guest->Lock);
}

static void IgRegistryLock(IG_INSTANCE *Instance)
{
    (void)Instance->Upper.SpinLockAcquire(Instance->RegistryLock);
}

static void IgRegistryUnlock(IG_INSTANCE *Instance)
{
    (void)Instance->Upper.SpinLockRelease(Instance->RegistryLock);
}

/* Frees what a guest owns; runs once, in the thread that dropped the last reference. */
static void IgGuestFreeState(IG_GUEST *Guest)
{
    /* Zones go first: the EPT rights and exits they changed are restored while the tables exist. */
    IgProtectDestroy(Guest->Protect);
    Guest->Protect = NULL;
    IgRuleSetSlotPublish(&Guest->Rules, NULL);
    IgAlertSlotPublish(&Guest->Alerts, NULL);
    Guest->HasLoadError = false;
    memset(&Guest->LoadError, 0, sizeof(Guest->LoadError));
    memset(&Guest->Auth, 0, sizeof(Guest->Auth));
    atomic_store(&Guest->Handle, NULL);
    atomic_store(&Guest->Phase, IgGuestFree);
}

void IgGuestRelease(IG_INSTANCE *Instance, IG_GUEST *Guest)
{
    int expected = IgGuestDying;

    (void)Instance;
    if (atomic_fetch_sub(&Guest->Refs, 1) != 1)
    {
        return;
    }
    /* Zero references.  Only a disabled guest is torn down, and only by one thread: a lookup that
     * raced in and out again may also see zero. */
    if (atomic_compare_exchange_strong(&Guest->Phase, &expected, IgGuestTeardown))
    {
        IgGuestFreeState(Guest);
    }
}

IG_GUEST *IgGuestAcquire(IG_INSTANCE *Instance, void *Handle)
{
    uint32_t slot = IgRegistryHome(Handle);

    for (uint32_t probes = 0; probes < IG_REGISTRY_SLOTS; probes++, slot = (slot + 1) & (IG_REGISTRY_SLOTS - 1))
    {
        IG_GUEST *guest = atomic_load(&Instance->Table[slot]);

        if (guest == NULL)
        {
            break;
        }
        if (guest == IG_TOMBSTONE || atomic_load(&guest->Handle) != Handle)
        {
            continue;
        }

        atomic_fetch_add(&guest->Refs, 1);
        /* The record may have been disabled (and even recycled) since we read the slot. */
        if (atomic_load(&guest->Phase) == IgGuestLive && atomic_load(&guest->Handle) == Handle)
        {
            return guest;
        }
        IgGuestRelease(Instance, guest);
    }

    return NULL;
}

/* Under the registry lock: the slot holding Guest, or IG_REGISTRY_SLOTS. */
static uint32_t IgRegistryFindSlot(IG_INSTANCE *Instance, const IG_GUEST *Guest, const void *Handle)
{
    uint32_t slot = IgRegistryHome(Handle);

    for (uint32_t probes = 0; probes < IG_REGISTRY_SLOTS; probes++, slot = (slot + 1) & (IG_REGISTRY_SLOTS - 1))
    {
        IG_GUEST *current = atomic_load(&Instance->Table[slot]);

        if (current == NULL)
        {
            break;
        }
        if (current == Guest)
        {
            return slot;
        }
    }
    return IG_REGISTRY_SLOTS;
}

/* Under the registry lock: a free record, reusing an old one before allocating. */
static INTSTATUS IgRegistryTakeRecord(IG_INSTANCE *Instance, IG_GUEST **Record)
{
    INTSTATUS status;
    IG_GUEST *guest = NULL;

    *Record = NULL;

    for (uint32_t i = 0; i < Instance->RecordCount; i++)
    {
        if (atomic_load(&Instance->Records[i]->Phase) == IgGuestFree)
        {
            *Record = Instance->Records[i];
            return INT_STATUS_SUCCESS;
        }
    }

    if (Instance->RecordCount >= IG_MAX_GUESTS)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }

    status =
        Instance->Allocator.Alloc(Instance->Allocator.Context, (void **)&guest, sizeof(*guest), IG_TAG_GUEST_RECORD);
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    memset(guest, 0, sizeof(*guest));
    atomic_init(&guest->Handle, NULL);
    atomic_init(&guest->Refs, 0);
    atomic_init(&guest->Phase, IgGuestFree);
    IgRuleSetSlotInit(&guest->Rules);
    IgAlertSlotInit(&guest->Alerts);

    status = Instance->Upper.SpinLockInit(&guest->Lock, "INTROGUARD GUEST");
    if (!INT_SUCCESS(status))
    {
        Instance->Allocator.Free(Instance->Allocator.Context, (void **)&guest, IG_TAG_GUEST_RECORD);
        return status;
    }
    /* The decoder is made once per record: guests that reuse the record reuse it. */
    status = IgGuestMemoryCreate(&Instance->Allocator, &Instance->Upper, &guest->Memory);
    if (!INT_SUCCESS(status))
    {
        (void)Instance->Upper.SpinLockUnInit(&guest->Lock);
        Instance->Allocator.Free(Instance->Allocator.Context, (void **)&guest, IG_TAG_GUEST_RECORD);
        return status;
    }

    Instance->Records[Instance->RecordCount++] = guest;
    *Record = guest;
    return INT_STATUS_SUCCESS;
}

INTSTATUS IgGuestCreate(IG_INSTANCE *Instance, void *Handle, QWORD Options)
{
    INTSTATUS status;
    IG_GUEST *guest = NULL;
    uint32_t slot = IgRegistryHome(Handle);
    uint32_t freeSlot = IG_REGISTRY_SLOTS;

    IgRegistryLock(Instance);

    /* One pass finds both an existing live registration and the first reusable slot. */
    for (uint32_t probes = 0; probes < IG_REGISTRY_SLOTS; probes++, slot = (slot + 1) & (IG_REGISTRY_SLOTS - 1))
    {
        IG_GUEST *current = atomic_load(&Instance->Table[slot]);

        if (current == NULL)
        {
            if (freeSlot == IG_REGISTRY_SLOTS)
            {
                freeSlot = slot;
            }
            break;
        }
        if (current == IG_TOMBSTONE)
        {
            if (freeSlot == IG_REGISTRY_SLOTS)
            {
                freeSlot = slot;
            }
            continue;
        }
        if (atomic_load(&current->Handle) == Handle && atomic_load(&current->Phase) == IgGuestLive)
        {
            status = INT_STATUS_ALREADY_INITIALIZED_HINT;
            goto cleanup;
        }
    }

    if (freeSlot == IG_REGISTRY_SLOTS)
    {
        status = INT_STATUS_INSUFFICIENT_RESOURCES;
        goto cleanup;
    }

    status = IgRegistryTakeRecord(Instance, &guest);
    if (!INT_SUCCESS(status))
    {
        goto cleanup;
    }
    status = IgProtectCreate(&Instance->Allocator, &Instance->Glue, &Instance->Upper, &gIgProtectHandlers, Handle,
                             &guest->Protect);
    if (!INT_SUCCESS(status))
    {
        goto cleanup; /* the record stays free for the next guest */
    }

    guest->Options = Options;
    guest->Os = IgGuestOsUnknown;
    guest->EnterHibernate = false;
    guest->Sleeping = false;
    guest->ShutDown = false;
    guest->Terminating = false;
    guest->HasLoadError = false;
    memset(&guest->LoadError, 0, sizeof(guest->LoadError));
    memset(&guest->Auth, 0, sizeof(guest->Auth));
    memset(&guest->Info, 0, sizeof(guest->Info));
    IgGuestMemoryBind(&guest->Memory, &Instance->Glue, Handle);

    /* Publish: handle, the registry's reference, then Live, then the slot.  A lookup that took a
     * transient reference on this record while it was free sees either the old or the new state
     * and backs off or keeps it correctly. */
    atomic_store(&guest->Handle, Handle);
    atomic_fetch_add(&guest->Refs, 1);
    atomic_store(&guest->Phase, IgGuestLive);
    atomic_store(&Instance->Table[freeSlot], guest);
    status = INT_STATUS_SUCCESS;

cleanup:
    IgRegistryUnlock(Instance);
    return status;
}

/* Under the registry lock: empties a slot, turning trailing tombstones back into empty slots. */
static void IgRegistryClearSlot(IG_INSTANCE *Instance, uint32_t Slot)
{
    uint32_t next = (Slot + 1) & (IG_REGISTRY_SLOTS - 1);

    if (atomic_load(&Instance->Table[next]) != NULL)
    {
        atomic_store(&Instance->Table[Slot], IG_TOMBSTONE);
        return;
    }

    /* Nothing can live past an empty slot in this chain, so the run of tombstones ending here can
     * become empty: a lookup that stops earlier would not have found anything further anyway. */
    atomic_store(&Instance->Table[Slot], NULL);
    Slot = (Slot - 1) & (IG_REGISTRY_SLOTS - 1);
    while (atomic_load(&Instance->Table[Slot]) == IG_TOMBSTONE)
    {
        atomic_store(&Instance->Table[Slot], NULL);
        Slot = (Slot - 1) & (IG_REGISTRY_SLOTS - 1);
    }
}

INTSTATUS IgGuestDisable(IG_INSTANCE *Instance, IG_GUEST *Guest)
{
    INTSTATUS status = INT_STATUS_NOT_NEEDED_HINT;
    int expected = IgGuestLive;
    uint32_t slot;

    /* Taking the guest lock first lets a call already inside finish; calls that get the lock
     * later see the guest dead. */
    IgGuestLock(Instance, Guest);
    IgRegistryLock(Instance);

    if (atomic_compare_exchange_strong(&Guest->Phase, &expected, IgGuestDying))
    {
        slot = IgRegistryFindSlot(Instance, Guest, atomic_load(&Guest->Handle));
        if (slot < IG_REGISTRY_SLOTS)
        {
            IgRegistryClearSlot(Instance, slot);
        }
        status = INT_STATUS_SUCCESS;
    }

    IgRegistryUnlock(Instance);
    IgGuestUnlock(Instance, Guest);

    if (status == INT_STATUS_SUCCESS)
    {
        IgGuestRelease(Instance, Guest); /* the registry's reference */
    }
    return status;
}

void IgRegistryDestroy(IG_INSTANCE *Instance)
{
    for (uint32_t i = 0; i < IG_REGISTRY_SLOTS; i++)
    {
        IG_GUEST *guest = atomic_load(&Instance->Table[i]);

        if (guest == NULL || guest == IG_TOMBSTONE)
        {
            continue;
        }
        guest = IgGuestAcquire(Instance, atomic_load(&guest->Handle));
        if (guest != NULL)
        {
            INTSTATUS status = IgGuestDisable(Instance, guest);

            if (!INT_SUCCESS(status))
            {
                IG_LOG(Instance, intLogLevelError, "IntUninit: disabling a guest failed: %s\n",
                       IntStatusToString(status));
            }
            IgGuestRelease(Instance, guest);
        }
    }

    /* Calls still running for a guest hold references; the contract forbids them, but wait rather
     * than free memory under them. */
    for (uint32_t i = 0; i < Instance->RecordCount; i++)
    {
        IG_GUEST *guest = Instance->Records[i];

        while (atomic_load(&guest->Phase) != IgGuestFree)
        {
            sched_yield();
        }
        IgGuestMemoryDestroy(&guest->Memory);
        (void)Instance->Upper.SpinLockUnInit(&guest->Lock);
        Instance->Allocator.Free(Instance->Allocator.Context, (void **)&guest, IG_TAG_GUEST_RECORD);
        Instance->Records[i] = NULL;
    }
    Instance->RecordCount = 0;

    for (uint32_t i = 0; i < IG_REGISTRY_SLOTS; i++)
    {
        atomic_store(&Instance->Table[i], NULL);
    }
}
