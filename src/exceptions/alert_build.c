/*
 * The exception blob of a whole alert (spec/api-and-alerts.md §5.2-§5.4): which exception would
 * allow the violation the alert reports, with its signatures, built with hvmi's rules per event
 * type, then written in hvmi's blob layout (alert_blob.c).
 *
 * The alert is the caller's bytes: every field is read at its offset in the public structure
 * (intro_alerts.h asserts the layout), never through a cast, so a hostile alert (BOOLEAN bytes
 * that are neither 0 nor 1, enums out of range) is only data.  Where hvmi's rules read past a
 * field or lose bits (spec §7 oddities 5, 6, 12, 13) the reasons are in docs/compat.md.
 */
#include <stddef.h>
#include <string.h>

#include "../common/crc32.h"
#include "../common/reader.h"
#include "alert_exc.h"
#include "codeblocks_int.h"

#define IG_WIN_IMAGE_NAME_MAX 14u    /* characters of a process image name the Windows kernel keeps */
#define IG_LINUX_MODULE_NAME_MAX 63u /* characters hvmi keeps when it narrows a Linux module name */

typedef struct IG_ALERT_BUILD
{
    const uint8_t *Event;
    uint32_t Type;
    bool NameLinux; /* names follow the Linux rules (the guest's OS, else the alert's flag) */
    bool FlagLinux; /* the alert says Linux: exceptions and signatures get the linux flag */
    bool Guest64;   /* descriptor-table and IDT exceptions name the guest's bitness */
    uint64_t Flags; /* the header's ALERT_FLAG_* */
    INTRO_ALERT_EXCEPTION Exc;
    INTRO_ALERT_EXC_ERROR *Error;
} IG_ALERT_BUILD;

/* ---- Fields ---------------------------------------------------------------------------------------------------- */

static uint32_t IgAb32(const IG_ALERT_BUILD *B, size_t Offset)
{
    return IgLoadLe32(B->Event + Offset);
}

static uint64_t IgAb64(const IG_ALERT_BUILD *B, size_t Offset)
{
    return IgLoadLe32(B->Event + Offset) | ((uint64_t)IgLoadLe32(B->Event + Offset + 4) << 32);
}

static uint16_t IgAbUnit(const IG_ALERT_BUILD *B, size_t Offset, size_t Index)
{
    return IgLoadLe16(B->Event + Offset + 2 * Index);
}

/* Code units of the UTF-16 name at Offset before its NUL, within Max; false when it has none. */
static bool IgAbWideLength(const IG_ALERT_BUILD *B, size_t Offset, size_t Max, size_t *Length)
{
    for (size_t i = 0; i < Max; i++)
    {
        if (IgAbUnit(B, Offset, i) == 0)
        {
            *Length = i;
            return true;
        }
    }
    return false;
}

static INTSTATUS IgAbUnterminated(IG_ALERT_BUILD *B, size_t Offset, const char *What)
{
    return IgAlertFail(B->Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_UNTERMINATED, Offset,
                       "%s has no NUL inside its field", What);
}

static INTSTATUS IgAbNotExceptable(IG_ALERT_BUILD *B, size_t Offset, const char *Why)
{
    return IgAlertFail(B->Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_ALERT_NOT_EXCEPTABLE, Offset, "%s", Why);
}

/* Whether the Length units at Offset + 2 * First spell Ascii, ignoring ASCII case. */
static bool IgAbWideIs(const IG_ALERT_BUILD *B, size_t Offset, size_t First, size_t Length, const char *Ascii)
{
    size_t n = strlen(Ascii);

    if (Length != n)
    {
        return false;
    }
    for (size_t i = 0; i < n; i++)
    {
        uint16_t c = IgAbUnit(B, Offset, First + i);

        if (c >= 'A' && c <= 'Z')
        {
            c = (uint16_t)(c + ('a' - 'A'));
        }
        if (c != (uint8_t)Ascii[i])
        {
            return false;
        }
    }
    return true;
}

/* ---- Names (spec §5.2) ----------------------------------------------------------------------------------------- */

/*
 * A module name (WCHAR[ALERT_PATH_MAX_LEN] at Offset) as hvmi hashes it for an alert exception.
 * Windows: a path is cut after its last backslash (a lone leading one stays), the kernel and HAL
 * images give [kernel] / [hal] when KernelNames, anything else is the UTF-16 hash of the name as
 * the alert holds it.  Linux: "kernel" gives [kernel] when KernelNames, anything else the 8-bit
 * hash of its low bytes.  A name without its NUL is refused (hvmi reads on into the next field).
 */
static INTSTATUS IgAbModuleHash(IG_ALERT_BUILD *B, size_t Offset, bool KernelNames, uint32_t *Hash)
{
    static const char *const kernels[] = {"ntkrnlmp.exe", "ntkrnlpa.exe", "ntkrpamp.exe", "ntoskrnl.exe"};
    static const char *const hals[] = {"hal.dll", "halmacpi.dll", "halacpi.dll"};
    size_t n = 0;
    size_t first = 0;

    if (!IgAbWideLength(B, Offset, ALERT_PATH_MAX_LEN, &n))
    {
        return IgAbUnterminated(B, Offset, "a module name");
    }
    if (B->NameLinux)
    {
        char narrow[IG_LINUX_MODULE_NAME_MAX];
        size_t m = n < sizeof(narrow) ? n : sizeof(narrow);

        for (size_t i = 0; i < m; i++)
        {
            narrow[i] = (char)(uint8_t)IgAbUnit(B, Offset, i);
        }
        *Hash = KernelNames && IgAbWideIs(B, Offset, 0, n, "kernel") ? INTRO_EXC_NAME_KERNEL : IgNameHash(narrow, m);
        return INT_STATUS_SUCCESS;
    }
    if (n >= 1)
    {
        uint16_t c0 = IgAbUnit(B, Offset, 0);
        bool drive = n >= 3 && ((c0 >= 'C' && c0 <= 'Z') || (c0 >= 'c' && c0 <= 'z')) &&
                     IgAbUnit(B, Offset, 1) == ':' && IgAbUnit(B, Offset, 2) == '\\';

        if (c0 == '\\' || drive)
        {
            size_t last = 0;

            for (size_t i = 0; i < n; i++)
            {
                last = IgAbUnit(B, Offset, i) == '\\' ? i : last;
            }
            first = last == 0 ? 0 : last + 1;
        }
    }
    for (size_t i = 0; KernelNames && i < sizeof(kernels) / sizeof(kernels[0]); i++)
    {
        if (IgAbWideIs(B, Offset, first, n - first, kernels[i]))
        {
            *Hash = INTRO_EXC_NAME_KERNEL;
            return INT_STATUS_SUCCESS;
        }
    }
    for (size_t i = 0; KernelNames && i < sizeof(hals) / sizeof(hals[0]); i++)
    {
        if (IgAbWideIs(B, Offset, first, n - first, hals[i]))
        {
            *Hash = INTRO_EXC_NAME_HAL;
            return INT_STATUS_SUCCESS;
        }
    }
    *Hash = IgNameHash(B->Event + Offset + 2 * first, 2 * (n - first));
    return INT_STATUS_SUCCESS;
}

/* A process image name (char[ALERT_IMAGE_NAME_LEN] at Offset): 8-bit, at most 14 characters on Windows. */
static INTSTATUS IgAbImageHash(IG_ALERT_BUILD *B, size_t Offset, uint32_t *Hash)
{
    const uint8_t *name = B->Event + Offset;
    const uint8_t *nul = memchr(name, 0, ALERT_IMAGE_NAME_LEN);
    size_t n;

    if (!nul)
    {
        return IgAbUnterminated(B, Offset, "a process image name");
    }
    n = (size_t)(nul - name);
    if (!B->NameLinux && n > IG_WIN_IMAGE_NAME_MAX)
    {
        n = IG_WIN_IMAGE_NAME_MAX; /* what the guest keeps, and what the violation is hashed from */
    }
    *Hash = IgNameHash(name, n);
    return INT_STATUS_SUCCESS;
}

/* A driver object's full name (WCHAR[ALERT_PATH_MAX_LEN] at Offset), UTF-16, not cut. */
static INTSTATUS IgAbDriverObjectHash(IG_ALERT_BUILD *B, size_t Offset, uint32_t *Hash)
{
    size_t n = 0;

    if (!IgAbWideLength(B, Offset, ALERT_PATH_MAX_LEN, &n))
    {
        return IgAbUnterminated(B, Offset, "a driver object name");
    }
    *Hash = IgNameHash(B->Event + Offset, 2 * n);
    return INT_STATUS_SUCCESS;
}

/*
 * The originator module: its name, or none (kmNone, umNone: the same value) when the code ran in no
 * module.  hvmi names the return module then, which its alert searches never compare with (spec §7
 * oddity 17): such exceptions never matched.  "None" is what the search compares a violation
 * without a module with (docs/compat.md).
 */
static INTSTATUS IgAbOriginatorModule(IG_ALERT_BUILD *B, size_t Module, bool KernelNames, uint32_t *Hash)
{
    if (B->Event[Module + offsetof(INTRO_MODULE, Valid)])
    {
        return IgAbModuleHash(B, Module + offsetof(INTRO_MODULE, Name), KernelNames, Hash);
    }
    *Hash = kmExcNameNone;
    return INT_STATUS_SUCCESS;
}

/* ---- Signatures (spec §5.4) ------------------------------------------------------------------------------------ */

static uint32_t IgAbSigArch(const IG_ALERT_BUILD *B)
{
    return SIGNATURE_FLG_32 | SIGNATURE_FLG_64 | (B->FlagLinux ? SIGNATURE_FLG_LINUX : 0);
}

/* The code-blocks signature of the INTRO_CODEBLOCKS at Offset: up to six blocks around the RIP's. */
static void IgAbCodeBlocks(IG_ALERT_BUILD *B, size_t Offset, bool Execute)
{
    IG_CB_ALERT alert;
    IG_CB_ALERT_SIG sig;
    size_t blocks = Offset + offsetof(INTRO_CODEBLOCKS, CodeBlocks);

    memset(&alert, 0, sizeof(alert));
    alert.Valid = B->Event[Offset + offsetof(INTRO_CODEBLOCKS, Valid)] != 0;
    alert.RipCbIndex = IgAb32(B, Offset + offsetof(INTRO_CODEBLOCKS, RipCbIndex));
    alert.Count = IgAb32(B, Offset + offsetof(INTRO_CODEBLOCKS, Count));
    for (uint32_t i = 0; i < alert.Count && i < ALERT_MAX_CODEBLOCKS; i++)
    {
        alert.CodeBlocks[i].Value =
            IgAb32(B, blocks + i * sizeof(INTRO_CODE_BLOCK) + offsetof(INTRO_CODE_BLOCK, Value));
    }
    IgCbAlertSignature(&alert, Execute, B->FlagLinux, &sig);
    if (!sig.Valid)
    {
        return;
    }
    B->Exc.CodeBlocks.Valid = true;
    B->Exc.CodeBlocks.Flags = sig.Flags;
    B->Exc.CodeBlocks.Score = sig.Score;
    B->Exc.CodeBlocks.Count = sig.Count;
    memcpy(B->Exc.CodeBlocks.Hashes, sig.Hashes, sizeof(sig.Hashes));
}

static void IgAbIdt(IG_ALERT_BUILD *B, uint8_t Entry, bool Integrity)
{
    B->Exc.Idt.Valid = true;
    B->Exc.Idt.Flags =
        (B->Guest64 ? SIGNATURE_FLG_64 : SIGNATURE_FLG_32) | (B->FlagLinux && !Integrity ? SIGNATURE_FLG_LINUX : 0);
    B->Exc.Idt.Entry = Entry;
}

static uint32_t IgAbArch(const IG_ALERT_BUILD *B)
{
    return EXCEPTION_FLG_32 | EXCEPTION_FLG_64 | (B->FlagLinux ? EXCEPTION_FLG_LINUX : 0);
}

/* ---- EPT (spec §5.3) -----------------------------------------------------------------------------------------------
 */

#define IG_EPT_OFF(Field) offsetof(EVENT_EPT_VIOLATION, Field)

static uint32_t IgAbEptAccess(const IG_ALERT_BUILD *B)
{
    uint8_t violation = B->Event[IG_EPT_OFF(Violation)];

    return violation == IG_EPT_HOOK_EXECUTE ? EXCEPTION_FLG_EXECUTE
           : violation == IG_EPT_HOOK_READ  ? EXCEPTION_FLG_READ
                                            : EXCEPTION_FLG_WRITE;
}

/* Kernel code writing into a process (ALERT_FLAG_KM_UM): a kernel-user exception. */
static INTSTATUS IgAbEptKernelUser(IG_ALERT_BUILD *B)
{
    uint8_t injection = B->Event[IG_EPT_OFF(Originator.Injection)];
    uint64_t zones = IgAb64(B, IG_EPT_OFF(ZoneTypes));
    bool execute = IgAbEptAccess(B) == EXCEPTION_FLG_EXECUTE;
    INTSTATUS status;

    B->Exc.Shape = INTRO_ALERT_EXC_KERNEL_USER;
    B->Exc.Flags = IgAbArch(B) | IgAbEptAccess(B);
    if (injection & 1)
    {
        B->Exc.Flags |= EXCEPTION_KUM_FLG_USER;
        status = IgAbImageHash(B, IG_EPT_OFF(Originator.Process.ImageName), &B->Exc.Originator);
    }
    else if (injection & 2)
    {
        /* hvmi does not check the return module's Valid byte here: an empty name is "no name". */
        B->Exc.Flags |= EXCEPTION_KUM_FLG_KERNEL;
        status = IgAbModuleHash(B, IG_EPT_OFF(Originator.ReturnModule.Name), true, &B->Exc.Originator);
    }
    else
    {
        status = IgAbOriginatorModule(B, IG_EPT_OFF(Originator.Module), true, &B->Exc.Originator);
    }
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    if (IgAb32(B, IG_EPT_OFF(Victim.Type)) != introObjectTypeUmModule)
    {
        return IgAbNotExceptable(B, IG_EPT_OFF(Victim.Type),
                                 "a kernel write into a process is excepted for modules only");
    }
    B->Exc.ObjectType = (zones & ZONE_LIB_IMPORTS)   ? kumObjModuleImports
                        : (zones & ZONE_LIB_EXPORTS) ? kumObjModuleExports
                                                     : kumObjModule;
    if (execute)
    {
        B->Exc.Victim = kumExcNameAny;
        B->Exc.Originator = kumExcNameNone;
    }
    else
    {
        status = IgAbModuleHash(B, IG_EPT_OFF(Victim.Module.Name), false, &B->Exc.Victim);
        if (!INT_SUCCESS(status))
        {
            return status;
        }
    }
    status = IgAbImageHash(B, offsetof(INTRO_VIOLATION_HEADER, CurrentProcess.ImageName), &B->Exc.Process);
    if (INT_SUCCESS(status))
    {
        IgAbCodeBlocks(B, IG_EPT_OFF(CodeBlocks), execute);
    }
    return status;
}

/* The kernel object type of a module victim, from the zones the write touched. */
static INTSTATUS IgAbDriverObjectType(IG_ALERT_BUILD *B, uint32_t *Type)
{
    uint64_t zones = IgAb64(B, IG_EPT_OFF(ZoneTypes));

    *Type = (zones & ZONE_LIB_IMPORTS)     ? kmObjDriverImports
            : (zones & ZONE_LIB_EXPORTS)   ? kmObjDriverExports
            : (zones & ZONE_LIB_CODE)      ? kmObjDriverCode
            : (zones & ZONE_LIB_DATA)      ? kmObjDriverData
            : (zones & ZONE_LIB_RESOURCES) ? kmObjDriverResources
                                           : 0;
    return *Type ? INT_STATUS_SUCCESS
                 : IgAbNotExceptable(B, IG_EPT_OFF(ZoneTypes), "the write touched no part of the module hvmi names");
}

/* The victim of a kernel EPT alert (the table of spec §5.3). */
static INTSTATUS IgAbEptKernelVictim(IG_ALERT_BUILD *B, uint32_t Victim)
{
    uint32_t type = 0;
    INTSTATUS status = INT_STATUS_SUCCESS;

    switch (Victim)
    {
        case introObjectTypeVdso:
        case introObjectTypeVsyscall:
            if (!(B->Flags & ALERT_FLAG_LINUX))
            {
                break;
            }
            B->Exc.Victim = Victim == introObjectTypeVdso ? kmExcNameVdso : kmExcNameVsyscall;
            return IgAbDriverObjectType(B, &B->Exc.ObjectType);
        case introObjectTypeKmModule:
        case introObjectTypeSsdt:
        case introObjectTypeTokenPrivs:
            if (Victim == introObjectTypeTokenPrivs)
            {
                status = IgAbImageHash(B, offsetof(INTRO_VIOLATION_HEADER, CurrentProcess.ImageName), &B->Exc.Victim);
                type = kmObjTokenPrivs;
            }
            else
            {
                status = IgAbModuleHash(B, IG_EPT_OFF(Victim.Module.Name), true, &B->Exc.Victim);
                type = Victim == introObjectTypeSsdt ? kmObjSsdt : 0;
            }
            if (INT_SUCCESS(status) && !type)
            {
                status = IgAbDriverObjectType(B, &type);
            }
            B->Exc.ObjectType = type;
            return status;
        case introObjectTypeDriverObject:
        case introObjectTypeFastIoDispatch:
            B->Exc.ObjectType = Victim == introObjectTypeDriverObject ? kmObjDrvObj : kmObjFastIo;
            return IgAbDriverObjectHash(B, IG_EPT_OFF(Victim.DriverObject.Name), &B->Exc.Victim);
        case introObjectTypeIdt:
            B->Exc.Victim = kmExcNameAny;
            B->Exc.ObjectType = kmObjIdt;
            IgAbIdt(B, B->Event[IG_EPT_OFF(Victim.IdtEntry)], false);
            return INT_STATUS_SUCCESS;
        case introObjectTypeKmLoggerContext:
            B->Exc.Victim = kmExcNameAny;
            B->Exc.ObjectType = kmObjLoggerCtx;
            return INT_STATUS_SUCCESS;
        default:
            break;
    }
    return IgAbNotExceptable(B, IG_EPT_OFF(Victim.Type), "hvmi makes no kernel exception for this victim type");
}

static INTSTATUS IgAbEptKernel(IG_ALERT_BUILD *B)
{
    uint32_t victim = IgAb32(B, IG_EPT_OFF(Victim.Type));
    INTSTATUS status;

    if ((victim == introObjectTypeKmModule && !B->Event[IG_EPT_OFF(Victim.Module.Valid)]) ||
        ((victim == introObjectTypeDriverObject || victim == introObjectTypeFastIoDispatch) &&
         !B->Event[IG_EPT_OFF(Victim.DriverObject.Valid)]))
    {
        return IgAbNotExceptable(B, IG_EPT_OFF(Victim), "the alert names no victim module or driver object");
    }
    B->Exc.Shape = INTRO_ALERT_EXC_KERNEL;
    B->Exc.Flags = IgAbArch(B) | IgAbEptAccess(B);
    status = IgAbOriginatorModule(B, IG_EPT_OFF(Originator.Module), true, &B->Exc.Originator);
    if (INT_SUCCESS(status))
    {
        status = IgAbEptKernelVictim(B, victim);
    }
    if (INT_SUCCESS(status))
    {
        IgAbCodeBlocks(B, IG_EPT_OFF(CodeBlocks), IgAbEptAccess(B) == EXCEPTION_FLG_EXECUTE);
    }
    return status;
}

/* A user-mode access (ALERT_FLAG_NOT_RING0): a user exception. */
static INTSTATUS IgAbEptUser(IG_ALERT_BUILD *B)
{
    uint32_t victim = IgAb32(B, IG_EPT_OFF(Victim.Type));
    uint64_t zones = IgAb64(B, IG_EPT_OFF(ZoneTypes));
    bool execute = IgAbEptAccess(B) == EXCEPTION_FLG_EXECUTE;
    INTSTATUS status;

    if ((victim != introObjectTypeUmModule && victim != introObjectTypeUmGenericNxZone &&
         victim != introObjectTypeSudExec) ||
        !B->Event[offsetof(INTRO_VIOLATION_HEADER, CurrentProcess.Valid)])
    {
        return IgAbNotExceptable(B, IG_EPT_OFF(Victim.Type),
                                 "a user-mode access is excepted for modules, NX zones and SharedUserData only, "
                                 "in a known process");
    }
    B->Exc.Shape = INTRO_ALERT_EXC_USER;
    B->Exc.Flags = IgAbArch(B) | IgAbEptAccess(B);
    B->Exc.ObjectType = victim == introObjectTypeUmGenericNxZone ? umObjNxZone
                        : victim == introObjectTypeSudExec       ? umObjSharedUserData
                        : (zones & ZONE_LIB_IMPORTS)             ? umObjModuleImports
                        : (zones & ZONE_LIB_EXPORTS)             ? umObjModuleExports
                                                                 : umObjModule;
    if (execute)
    {
        B->Exc.Victim = umExcNameAny;
        B->Exc.Originator = umExcNameNone;
        status = INT_STATUS_SUCCESS;
    }
    else
    {
        status = IgAbOriginatorModule(B, IG_EPT_OFF(Originator.Module), false, &B->Exc.Originator);
        if (INT_SUCCESS(status))
        {
            status = IgAbModuleHash(B, IG_EPT_OFF(Victim.Module.Name), false, &B->Exc.Victim);
        }
    }
    if (INT_SUCCESS(status))
    {
        status = IgAbImageHash(B, offsetof(INTRO_VIOLATION_HEADER, CurrentProcess.ImageName), &B->Exc.Process);
    }
    if (INT_SUCCESS(status))
    {
        IgAbCodeBlocks(B, IG_EPT_OFF(CodeBlocks), execute);
    }
    return status;
}

/* ---- MSR, CR, DTR, integrity ----------------------------------------------------------------------------------------
 */

/* MSR, CR and DTR alerts share their layout: the originator module, then (after the victim) the code blocks. */
static INTSTATUS IgAbRegister(IG_ALERT_BUILD *B)
{
    uint32_t victim = IgAb32(B, offsetof(EVENT_DTR_VIOLATION, Victim.Type));
    INTSTATUS status;

    B->Exc.Shape = INTRO_ALERT_EXC_KERNEL;
    B->Exc.Victim = kmExcNameAny;
    B->Exc.Flags = IgAbArch(B) | EXCEPTION_FLG_WRITE;
    switch (B->Type)
    {
        case introEventMsrViolation:
            B->Exc.ObjectType = kmObjMsr;
            break;
        case introEventCrViolation:
            B->Exc.ObjectType = kmObjCr4;
            B->Exc.Flags |= EXCEPTION_KM_FLG_SMEP | EXCEPTION_KM_FLG_SMAP;
            break;
        default:
            if (victim != introObjectTypeIdtr && victim != introObjectTypeGdtr)
            {
                return IgAbNotExceptable(B, offsetof(EVENT_DTR_VIOLATION, Victim.Type),
                                         "a descriptor-table alert names IDTR or GDTR");
            }
            B->Exc.ObjectType = victim == introObjectTypeIdtr ? kmObjIdtr : kmObjGdtr;
            B->Exc.Flags = (B->Guest64 ? EXCEPTION_FLG_64 : EXCEPTION_FLG_32) | EXCEPTION_FLG_WRITE |
                           (B->FlagLinux ? EXCEPTION_FLG_LINUX : 0);
            break;
    }
    status = IgAbOriginatorModule(B, offsetof(EVENT_MSR_VIOLATION, Originator.Module), true, &B->Exc.Originator);
    if (INT_SUCCESS(status))
    {
        IgAbCodeBlocks(B, offsetof(EVENT_MSR_VIOLATION, CodeBlocks), false);
    }
    return status;
}

#define IG_INT_OFF(Field) offsetof(EVENT_INTEGRITY_VIOLATION, Field)

static INTSTATUS IgAbIntegrityNamed(IG_ALERT_BUILD *B, uint32_t Victim)
{
    size_t n = 0;
    char narrow[ALERT_PATH_MAX_LEN];

    B->Exc.Originator = kmExcNameNone;
    if (Victim == introObjectTypeSudIntegrity)
    {
        B->Exc.ObjectType = kmObjSudModification;
        if (!IgAbWideLength(B, IG_INT_OFF(Victim.Name), ALERT_PATH_MAX_LEN, &n))
        {
            return IgAbUnterminated(B, IG_INT_OFF(Victim.Name), "the victim's name");
        }
        for (size_t i = 0; i < n; i++)
        {
            narrow[i] = (char)(uint8_t)IgAbUnit(B, IG_INT_OFF(Victim.Name), i);
        }
        B->Exc.Victim = IgNameHash(narrow, n);
        return INT_STATUS_SUCCESS;
    }
    B->Exc.ObjectType = Victim == introObjectTypeTokenPrivs ? kmObjTokenPrivs
                        : Victim == introObjectTypeSecDesc  ? kmObjSecDesc
                                                            : kmObjAcl;
    return IgAbImageHash(B, IG_INT_OFF(Victim.Process.ImageName), &B->Exc.Victim);
}

static INTSTATUS IgAbIntegrity(IG_ALERT_BUILD *B)
{
    uint32_t victim = IgAb32(B, IG_INT_OFF(Victim.Type));
    INTSTATUS status = INT_STATUS_SUCCESS;

    if (B->NameLinux)
    {
        return IgAbNotExceptable(B, 0, "hvmi excepts integrity alerts of Windows guests only");
    }
    B->Exc.Shape = INTRO_ALERT_EXC_KERNEL;
    B->Exc.Flags = EXCEPTION_FLG_32 | EXCEPTION_FLG_64 | EXCEPTION_KM_FLG_INTEGRITY | EXCEPTION_FLG_WRITE;
    B->Exc.Victim = kmExcNameAny;
    switch (victim)
    {
        case introObjectTypeTokenPrivs:
        case introObjectTypeSecDesc:
        case introObjectTypeAcl:
        case introObjectTypeSudIntegrity:
            return IgAbIntegrityNamed(B, victim);
        case introObjectTypeDriverObject:
        case introObjectTypeFastIoDispatch:
            if (!B->Event[IG_INT_OFF(Victim.DriverObject.Valid)])
            {
                return IgAbNotExceptable(B, IG_INT_OFF(Victim.DriverObject), "the alert names no driver object");
            }
            B->Exc.ObjectType = victim == introObjectTypeDriverObject ? kmObjDrvObj : kmObjFastIo;
            status = IgAbDriverObjectHash(B, IG_INT_OFF(Victim.DriverObject.Name), &B->Exc.Victim);
            break;
        case introObjectTypeKmLoggerContext:
            B->Exc.ObjectType = kmObjLoggerCtx;
            break;
        case introObjectTypeIdt:
        case introObjectTypeInterruptObject:
            B->Exc.ObjectType = victim == introObjectTypeIdt ? kmObjIdt : kmObjInterruptObject;
            IgAbIdt(B, B->Event[IG_INT_OFF(Victim.IdtEntry)], true);
            break;
        case introObjectTypeHalPerfCounter:
            B->Exc.ObjectType = kmObjHalPerfCnt;
            break;
        default:
            return IgAbNotExceptable(B, IG_INT_OFF(Victim.Type), "hvmi makes no exception for this integrity victim");
    }
    if (INT_SUCCESS(status))
    {
        status = IgAbOriginatorModule(B, IG_INT_OFF(Originator.Module), true, &B->Exc.Originator);
    }
    return status;
}

/* ---- Injection, process creation, module load -------------------------------------------------------------------- */

#define IG_MEM_OFF(Field) offsetof(EVENT_MEMCOPY_VIOLATION, Field)

/* The export signature of an injection into a module (spec §5.4; Delta and the size keep their bits, see compat). */
static void IgAbExport(IG_ALERT_BUILD *B)
{
    uint32_t delta = IgAb32(B, IG_MEM_OFF(Delta));
    uint32_t size = IgAb32(B, IG_MEM_OFF(CopySize));
    uint32_t library = 0;
    INTRO_ALERT_EXC_ERROR ignored;
    INTRO_ALERT_EXC_ERROR *error = B->Error;

    if (!B->Event[IG_MEM_OFF(Victim.Module.Valid)] || IgAbUnit(B, IG_MEM_OFF(Victim.Module.Name), 0) == 0)
    {
        return;
    }
    B->Error = &ignored; /* an unusable library name leaves the alert without the signature, as in hvmi */
    if (INT_SUCCESS(IgAbModuleHash(B, IG_MEM_OFF(Victim.Module.Name), false, &library)))
    {
        B->Exc.Export.Valid = true;
        B->Exc.Export.Flags = IgAbSigArch(B);
        B->Exc.Export.Library = library;
        B->Exc.Export.Function = B->Event[IG_MEM_OFF(FunctionName)] ? IgAb32(B, IG_MEM_OFF(FunctionNameHash)) : 0;
        B->Exc.Export.Delta = (uint16_t)(delta > 0xFFFF ? 0xFFFF : delta);
        B->Exc.Export.WriteSize = (uint8_t)(size > 0xFF ? 0xFF : size);
    }
    B->Error = error;
}

static INTSTATUS IgAbInjection(IG_ALERT_BUILD *B)
{
    uint32_t kind = IgAb32(B, IG_MEM_OFF(ViolationType));
    INTSTATUS status;

    if (!B->Event[IG_MEM_OFF(Originator.Process.ImageName)] || !B->Event[IG_MEM_OFF(Victim.Process.ImageName)])
    {
        return IgAbNotExceptable(B, IG_MEM_OFF(Originator.Process.ImageName), "an injection between unnamed processes");
    }
    B->Exc.Shape = INTRO_ALERT_EXC_USER;
    B->Exc.Flags = IgAbArch(B) | (kind == memCopyViolationRead ? EXCEPTION_FLG_READ : EXCEPTION_FLG_WRITE);
    B->Exc.ObjectType = kind == memCopyViolationSetContextThread ? umObjProcessThreadContext
                        : kind == memCopyViolationQueueApcThread ? umObjProcessApcThread
                        : kind == memCopyViolationInstrument     ? umObjProcessInstrumentation
                                                                 : umObjProcess;
    B->Exc.Process = umExcNameAny;
    status = IgAbImageHash(B, IG_MEM_OFF(Originator.Process.ImageName), &B->Exc.Originator);
    if (INT_SUCCESS(status))
    {
        status = IgAbImageHash(B, IG_MEM_OFF(Victim.Process.ImageName), &B->Exc.Victim);
    }
    if (INT_SUCCESS(status))
    {
        IgAbExport(B);
    }
    return status;
}

#define IG_PC_OFF(Field) offsetof(EVENT_PROCESS_CREATION_VIOLATION, Field)

static INTSTATUS IgAbProcessCreation(IG_ALERT_BUILD *B)
{
    uint32_t pcType = IgAb32(B, IG_PC_OFF(PcType));
    INTSTATUS status;

    if (!B->Event[IG_PC_OFF(Originator.ImageName)] || !B->Event[IG_PC_OFF(Victim.ImageName)])
    {
        return IgAbNotExceptable(B, IG_PC_OFF(Originator.ImageName), "a process creation between unnamed processes");
    }
    B->Exc.Shape = INTRO_ALERT_EXC_USER;
    B->Exc.Flags = IgAbArch(B) | EXCEPTION_FLG_EXECUTE;
    /* A plain creation makes a process-creation exception, a DPI one a process-creation-dpi exception
     * (hvmi swaps the two: spec §7 oddity 5, docs/compat.md). */
    B->Exc.ObjectType = pcType ? umObjProcessCreationDpi : umObjProcessCreation;
    B->Exc.Process = umExcNameAny;
    status = IgAbImageHash(B, IG_PC_OFF(Originator.ImageName), &B->Exc.Originator);
    if (INT_SUCCESS(status))
    {
        status = IgAbImageHash(B, IG_PC_OFF(Victim.ImageName), &B->Exc.Victim);
    }
    if (INT_SUCCESS(status) && pcType)
    {
        B->Exc.ProcessCreation.Valid = true;
        B->Exc.ProcessCreation.Flags = IgAbSigArch(B);
        B->Exc.ProcessCreation.CreateMask = pcType;
    }
    return status;
}

#define IG_ML_OFF(Field) offsetof(EVENT_MODULE_LOAD_VIOLATION, Field)

static INTSTATUS IgAbModuleLoad(IG_ALERT_BUILD *B)
{
    INTSTATUS status;

    if (IgAbUnit(B, IG_ML_OFF(Originator.Module.Name), 0) == 0 || !B->Event[IG_ML_OFF(Victim.ImageName)])
    {
        return IgAbNotExceptable(B, IG_ML_OFF(Originator.Module.Name), "a module load names its module and process");
    }
    B->Exc.Shape = INTRO_ALERT_EXC_USER;
    B->Exc.Flags = IgAbArch(B) | EXCEPTION_FLG_WRITE;
    B->Exc.ObjectType = umObjModuleLoad;
    status = IgAbModuleHash(B, IG_ML_OFF(Originator.Module.Name), false, &B->Exc.Originator);
    if (INT_SUCCESS(status))
    {
        status = IgAbImageHash(B, IG_ML_OFF(Victim.ImageName), &B->Exc.Victim);
        B->Exc.Process = B->Exc.Victim;
    }
    return status;
}

/* ---- Entry ---------------------------------------------------------------------------------------------------------
 */

INTSTATUS IgAlertBuildBlob(const uint8_t *Event, size_t Size, uint32_t Type, uint32_t Os, bool Guest64, uint8_t *Blob,
                           INTRO_ALERT_EXC_ERROR *Error)
{
    IG_ALERT_BUILD b;
    INTSTATUS status;

    memset(&b, 0, sizeof(b));
    b.Event = Event;
    b.Type = Type;
    b.Error = Error;
    b.Guest64 = Guest64;
    if (Size != IgAlertEventSize(Type))
    {
        return Size < IgAlertEventSize(Type)
                   ? IgAlertFail(Error, INT_STATUS_DATA_BUFFER_TOO_SMALL, INT_STATUS_EXC_ALERT_TRUNCATED, Size,
                                 "%zu bytes: the alert's structure has %zu", Size, IgAlertEventSize(Type))
                   : IgAlertFail(Error, INT_STATUS_INVALID_DATA_SIZE, INT_STATUS_EXC_ALERT_OVERSIZED,
                                 IgAlertEventSize(Type), "%zu bytes: the alert's structure has %zu", Size,
                                 IgAlertEventSize(Type));
    }
    if (IgAb32(&b, offsetof(INTRO_VIOLATION_HEADER, ViolationVersion)) != INTRO_VIOLATION_VERSION)
    {
        return IgAlertFail(Error, INT_STATUS_UNSUPPORTED_DATA_VALUE, INT_STATUS_EXC_ALERT_BAD_VERSION,
                           offsetof(INTRO_VIOLATION_HEADER, ViolationVersion), "violation version %u (expected %u)",
                           IgAb32(&b, offsetof(INTRO_VIOLATION_HEADER, ViolationVersion)), INTRO_VIOLATION_VERSION);
    }
    b.Flags = IgAb64(&b, offsetof(INTRO_VIOLATION_HEADER, Flags));
    b.FlagLinux = (b.Flags & ALERT_FLAG_LINUX) != 0;
    b.NameLinux = Os == INTRO_EXC_OS_LINUX || (Os != INTRO_EXC_OS_WINDOWS && b.FlagLinux);
    b.Exc.ViolationFlags = b.Flags;

    switch (Type)
    {
        case introEventEptViolation:
            status = (b.Flags & ALERT_FLAG_KM_UM)       ? IgAbEptKernelUser(&b)
                     : (b.Flags & ALERT_FLAG_NOT_RING0) ? IgAbEptUser(&b)
                                                        : IgAbEptKernel(&b);
            break;
        case introEventMsrViolation:
        case introEventCrViolation:
        case introEventDtrViolation:
            status = IgAbRegister(&b);
            break;
        case introEventIntegrityViolation:
            status = IgAbIntegrity(&b);
            break;
        case introEventInjectionViolation:
            status = IgAbInjection(&b);
            break;
        case introEventProcessCreationViolation:
            status = IgAbProcessCreation(&b);
            break;
        case introEventModuleLoadViolation:
            status = IgAbModuleLoad(&b);
            break;
        default:
            return IgAlertFail(Error, INT_STATUS_NOT_SUPPORTED, INT_STATUS_EXC_ALERT_NOT_EXCEPTABLE, 0,
                               "alerts of type %u cannot be excepted", Type);
    }
    if (!INT_SUCCESS(status))
    {
        return status;
    }
    return IntAlertExceptionEncode(&b.Exc, Blob);
}
