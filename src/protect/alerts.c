/*
 * Alerts: the event structures of hvmi (include/introguard/intro_alerts.h) filled from a violation
 * and its decision, delivered through GLUE_IFACE.NotifyIntrospectionAlert.
 *
 * An alert is built on the stack of the event (the largest, EPT, is 12 KiB) and lives only during
 * the notification, as hvmi's do: the integrator copies what it keeps.
 */
#include <string.h>

#include "../exceptions/alert_exc.h"
#include "../exceptions/codeblocks_int.h"
#include "alerts.h"

/* ---- Pieces ----------------------------------------------------------------------------------- */

/* 8-bit text into a UTF-16 field of Count units, NUL-terminated, ASCII lower-cased when Lower (bytes above 0x7F
 * stay as they are). */
static void IgAlertWide(WCHAR *Out, size_t Count, const char *Text, uint32_t Length, bool Lower)
{
    size_t n = Length < Count - 1 ? Length : Count - 1;

    for (size_t i = 0; i < n; i++)
    {
        uint8_t c = (uint8_t)Text[i];

        Out[i] = (WCHAR)(Lower && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    Out[n] = 0;
}

/* 8-bit text into a char field of Size bytes, NUL-terminated, lower-cased when Lower. */
static void IgAlertText(char *Out, size_t Size, const char *Text, uint32_t Length, bool Lower)
{
    size_t n = Length < Size - 1 ? Length : Size - 1;

    for (size_t i = 0; i < n; i++)
    {
        char c = Text[i];

        Out[i] = (Lower && c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
    }
    Out[n] = '\0';
}

/* Whether the Length bytes at Text are one of Names (ASCII case ignored). */
static bool IgAlertNameIsOneOf(const char *Text, uint32_t Length, const char *const *Names, size_t Count)
{
    for (size_t i = 0; i < Count; i++)
    {
        size_t n = strlen(Names[i]);
        size_t k = 0;

        while (n == Length && k < n && (Text[k] | 0x20) == (Names[i][k] | 0x20))
        {
            k++;
        }
        if (n == Length && k == n)
        {
            return true;
        }
    }
    return false;
}

/*
 * A module as alerts name it, so that the exception built from the alert names it as the violation
 * does (docs/hashing.md): on Windows the file name (the full name goes to Path), lower-cased, the
 * kernel and HAL images under a name hvmi recognises as such; on Linux the name as given, the
 * kernel image as "kernel".
 */
static void IgAlertModule(uint32_t Os, const IG_PM_MODULE *Module, INTRO_MODULE *Out)
{
    static const char *const kernels[] = {"ntoskrnl.exe", "ntkrnlmp.exe", "ntkrnlpa.exe", "ntkrpamp.exe"};
    static const char *const hals[] = {"hal.dll", "halmacpi.dll", "halacpi.dll"};
    bool windows = Os != INTRO_EXC_OS_LINUX;
    const char *name;
    uint32_t length;

    if (!Module)
    {
        return;
    }
    name = Module->Name;
    length = Module->NameLength;
    for (uint32_t i = 0; windows && i < Module->NameLength; i++)
    {
        if (Module->Name[i] == '\\')
        {
            name = Module->Name + i + 1;
            length = Module->NameLength - i - 1;
        }
    }
    if ((Module->Flags & INTRO_MODULE_KERNEL_IMAGE) && !windows)
    {
        name = "kernel";
        length = 6;
    }
    else if ((Module->Flags & INTRO_MODULE_KERNEL_IMAGE) && !IgAlertNameIsOneOf(name, length, kernels, 4))
    {
        name = kernels[0];
        length = (uint32_t)strlen(name);
    }
    else if ((Module->Flags & INTRO_MODULE_HAL) && windows && !IgAlertNameIsOneOf(name, length, hals, 3))
    {
        name = hals[0];
        length = (uint32_t)strlen(name);
    }
    Out->Valid = TRUE;
    Out->Base = Module->Base;
    Out->Size = (DWORD)(Module->End - Module->Base);
    IgAlertWide(Out->Name, ALERT_PATH_MAX_LEN, name, length, windows);
    IgAlertWide(Out->Path, ALERT_PATH_MAX_LEN, Module->Name, Module->NameLength, false);
}

void IgAlertProcess(const IG_PM_PROCESS *Process, bool Windows, INTRO_PROCESS *Out)
{
    if (!Process)
    {
        return;
    }
    Out->Valid = TRUE;
    Out->Pid = Process->Pid;
    Out->Cr3 = Process->Cr3;
    /* The short image name exceptions hash: lower-case on Windows, as hvmi reports it. */
    IgAlertText(Out->ImageName, sizeof(Out->ImageName), Process->Name, Process->NameLength, Windows);
    if (Process->Path)
    {
        IgAlertWide(Out->Path, ALERT_PATH_MAX_LEN, Process->Path, Process->PathLength, false);
    }
    if (Process->CommandLine)
    {
        IgAlertText(Out->CmdLine, sizeof(Out->CmdLine), Process->CommandLine, Process->CommandLineLength, false);
    }
    Out->Wow64 = (Process->Flags & INTRO_PROCESS_WOW64) != 0;
}

/* The instruction at RIP, as hexadecimal bytes (what the decoder read of it). */
static void IgAlertInstruction(const IG_EVENT *Event, char *Out, size_t Size)
{
    static const char digits[] = "0123456789abcdef";
    uint32_t length = Event->Write.Length ? Event->Write.Length : Event->CodeSize;
    size_t at = 0;

    for (uint32_t i = 0; i < length && at + 3 < Size; i++)
    {
        if (i)
        {
            Out[at++] = ' ';
        }
        Out[at++] = digits[Event->Code[i] >> 4];
        Out[at++] = digits[Event->Code[i] & 0xF];
    }
    Out[at] = '\0';
}

static void IgAlertHeader(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const IG_PM_ZONE *Zone,
                          const INTRO_EXC_VERDICT *Verdict, INTRO_VIOLATION_HEADER *Header)
{
    bool windows = Env->Protect->Os != INTRO_EXC_OS_LINUX;

    Header->ViolationVersion = INTRO_VIOLATION_VERSION;
    Header->VerInfo.ExceptionMajor = Env->ExceptionsMajor;
    Header->VerInfo.ExceptionMinor = Env->ExceptionsMinor;
    Header->VerInfo.ExceptionBuild = Env->ExceptionsBuild;
    Header->VerInfo.IntroMajor = INTRO_EXC_INTRO_VERSION_MAJOR;
    Header->VerInfo.IntroMinor = INTRO_EXC_INTRO_VERSION_MINOR;
    Header->VerInfo.IntroRevision = INTRO_EXC_INTRO_VERSION_REVISION;
    Header->VerInfo.IntroBuildNumber = INTRO_EXC_INTRO_VERSION_BUILD;
    Header->VerInfo.OsVer = Env->Guest ? Env->Guest->OsVersion : 0;
    Header->Action = Verdict->Action == INTRO_EXC_ACTION_ALLOWED ? introGuestAllowed : introGuestNotAllowed;
    Header->Reason = (INTRO_ACTION_REASON)Verdict->Reason;
    Header->CpuContext.Valid = TRUE;
    Header->CpuContext.Cpu = Event->Vcpu.Cpu;
    Header->CpuContext.Rip = Event->Vcpu.Regs.Rip;
    Header->CpuContext.Cr3 = Event->Vcpu.Regs.Cr3;
    IgAlertInstruction(Event, Header->CpuContext.Instruction, sizeof(Header->CpuContext.Instruction));
    IgAlertProcess(Event->Process, windows, &Header->CurrentProcess);
    if (!windows)
    {
        Header->Flags |= ALERT_FLAG_LINUX;
    }
    if (Event->Vcpu.Ring != 0)
    {
        Header->Flags |= ALERT_FLAG_NOT_RING0;
    }
    if (Verdict->Reason == INTRO_EXC_REASON_ALLOWED_FEEDBACK || (Zone->Decl.Flags & INTRO_ZONE_FEEDBACK_ONLY))
    {
        Header->Flags |= ALERT_FLAG_FEEDBACK_ONLY;
    }
}

/* The code blocks around RIP (§3.8), with the guest's decoder. */
static void IgAlertCodeBlocks(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, bool Execute, INTRO_CODEBLOCKS *Out)
{
    const IG_EXC_ENV *code = Env->Code;
    IG_CODE_CONTEXT *ctx;
    IG_CB_ALERT alert;
    IG_CB_REQUEST req;

    if (!code || !code->AcquireCodeContext ||
        (Event->Vcpu.CsType != IG_CS_TYPE_32B && Event->Vcpu.CsType != IG_CS_TYPE_64B))
    {
        return;
    }
    ctx = code->AcquireCodeContext(code->Context);
    if (!ctx)
    {
        return;
    }
    memset(&alert, 0, sizeof(alert));
    req.Memory = &Env->Memory;
    req.Cr3 = Event->Vcpu.Regs.Cr3;
    req.Rip = Event->Vcpu.Regs.Rip;
    req.Execute = Execute;
    req.Mode64 = Event->Vcpu.CsType == IG_CS_TYPE_64B;
    req.Level = IgCbAlertLevel(req.Rip, req.Mode64);
    if (INT_SUCCESS(IgCbAlertExtract(ctx, &req, &alert)) && alert.Valid)
    {
        Out->Valid = TRUE;
        Out->StartAddress = alert.StartAddress;
        Out->Rip = alert.Rip;
        Out->RipCbIndex = alert.RipCbIndex;
        Out->Count = alert.Count;
        for (uint32_t i = 0; i < alert.Count && i < ALERT_MAX_CODEBLOCKS; i++)
        {
            Out->CodeBlocks[i].Offset = alert.CodeBlocks[i].Offset;
            Out->CodeBlocks[i].Pivot = alert.CodeBlocks[i].Pivot;
            Out->CodeBlocks[i].Value = alert.CodeBlocks[i].Value;
        }
    }
    code->ReleaseCodeContext(code->Context, ctx);
}

/* The registers and the RIP's page. */
static void IgAlertExecContext(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, INTRO_EXEC_CONTEXT *Out)
{
    const IG_ARCH_REGS *r = &Event->Vcpu.Regs;

    Out->CsType = Event->Vcpu.CsType;
    Out->Registers.RegRax = r->Rax;
    Out->Registers.RegRcx = r->Rcx;
    Out->Registers.RegRdx = r->Rdx;
    Out->Registers.RegRbx = r->Rbx;
    Out->Registers.RegRsp = r->Rsp;
    Out->Registers.RegRbp = r->Rbp;
    Out->Registers.RegRsi = r->Rsi;
    Out->Registers.RegRdi = r->Rdi;
    Out->Registers.RegR8 = r->R8;
    Out->Registers.RegR9 = r->R9;
    Out->Registers.RegR10 = r->R10;
    Out->Registers.RegR11 = r->R11;
    Out->Registers.RegR12 = r->R12;
    Out->Registers.RegR13 = r->R13;
    Out->Registers.RegR14 = r->R14;
    Out->Registers.RegR15 = r->R15;
    Out->Registers.RegCr2 = r->Cr2;
    Out->Registers.RegFlags = r->Flags;
    Out->Registers.RegDr7 = r->Dr7;
    Out->Registers.RegRip = r->Rip;
    /* An unreadable page stays zero: the alert still goes out. */
    (void)IgEventReadPartial(Env, r->Cr3, r->Rip & ~0xFFFull, Out->RipCode, sizeof(Out->RipCode));
}

static void IgAlertWriteInfo(const INTRO_EXC_VICTIM *Victim, INTRO_WRITE_INFO *Out)
{
    memcpy(Out->OldValue, Victim->v.WriteInfo.OldValue, sizeof(Out->OldValue));
    memcpy(Out->NewValue, Victim->v.WriteInfo.NewValue, sizeof(Out->NewValue));
    Out->Size = Victim->v.WriteInfo.AccessSize;
}

/* The modules an originator side names. */
static void IgAlertOriginatorModules(const IG_PROTECT_ENV *Env, const IG_EVENT *Event,
                                     const INTRO_EXC_VIOLATION *Violation, INTRO_MODULE *Module, INTRO_MODULE *Return)
{
    const IG_PROTECT *p = Env->Protect;

    if (Violation->Kind == INTRO_EXC_KIND_USER)
    {
        const IG_PM_MODULES *list = Event->Process ? &Event->Process->Modules : NULL;

        if (list)
        {
            IgAlertModule(p->Os, IgPmModuleAt(list, Violation->User.Rip), Module);
            if (Violation->User.Return.Library)
            {
                IgAlertModule(p->Os, IgPmModuleAt(list, Violation->User.Return.Rip), Return);
            }
        }
        return;
    }
    if (Violation->Kernel.Original.Present)
    {
        IgAlertModule(p->Os, IgPmModuleAt(&p->Kernel, Violation->Kernel.Original.Rip), Module);
    }
    if (Violation->Kernel.Return.Present)
    {
        IgAlertModule(p->Os, IgPmModuleAt(&p->Kernel, Violation->Kernel.Return.Rip), Return);
    }
}

/* ---- Events ------------------------------------------------------------------------------------ */

static void IgAlertEpt(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const IG_PM_ZONE *Zone,
                       const INTRO_EXC_VIOLATION *V, EVENT_EPT_VIOLATION *A)
{
    const IG_PROTECT *p = Env->Protect;
    const INTRO_EXC_VICTIM *victim = &V->Victim;
    bool userZone = Zone->Decl.Pid != INTRO_GUEST_KERNEL;
    IG_PM_PROCESS *zoneProcess = userZone ? IgPmProcessByPid(p, Zone->Decl.Pid) : NULL;
    const IG_PM_MODULES *owners = userZone ? (zoneProcess ? &zoneProcess->Modules : NULL) : &p->Kernel;
    const IG_PM_MODULE *owner = Zone->Decl.Owner && owners ? IgPmModuleAt(owners, Zone->Decl.Owner) : NULL;
    const INTRO_GUEST_SECTION *section;

    if (V->Kind == INTRO_EXC_KIND_KERNEL_USER)
    {
        A->Header.Flags |= ALERT_FLAG_KM_UM;
        IgAlertProcess(Event->Process, p->Os != INTRO_EXC_OS_LINUX, &A->Originator.Process);
    }
    IgAlertOriginatorModules(Env, Event, V, &A->Originator.Module, &A->Originator.ReturnModule);
    A->Victim.Type = (INTRO_OBJECT_TYPE)victim->ObjectType;
    if (victim->ObjectType == INTRO_EXC_OBJ_DRIVER_OBJECT || victim->ObjectType == INTRO_EXC_OBJ_FAST_IO_DISPATCH)
    {
        A->Victim.DriverObject.Valid = TRUE;
        A->Victim.DriverObject.Address = Zone->Decl.Gva;
        A->Victim.DriverObject.Owner = owner ? owner->Base : 0;
        if (Zone->Decl.Name)
        {
            IgAlertWide(A->Victim.DriverObject.Name, ALERT_PATH_MAX_LEN, Zone->Decl.Name, Zone->Decl.NameLength,
                        p->Os != INTRO_EXC_OS_LINUX);
        }
    }
    else
    {
        IgAlertModule(p->Os, owner, &A->Victim.Module);
        if (A->Victim.Module.Valid && Zone->Decl.Name)
        {
            /* A zone named on its own is named so in the violation too. */
            IgAlertWide(A->Victim.Module.Name, ALERT_PATH_MAX_LEN, Zone->Decl.Name, Zone->Decl.NameLength,
                        p->Os != INTRO_EXC_OS_LINUX);
        }
    }
    if (victim->ObjectType == INTRO_EXC_OBJ_IDT)
    {
        /* Gate size: 16 bytes in 64-bit mode, 8 in 32-bit. */
        A->Victim.IdtEntry = (BYTE)((victim->u.Ept.Gva - Zone->Decl.Gva) / (V->Guest.Guest64 ? 16 : 8));
    }
    if (Event->Access & IG_EPT_HOOK_WRITE)
    {
        IgAlertWriteInfo(victim, &A->WriteInfo);
    }
    else if (Event->Access & IG_EPT_HOOK_READ)
    {
        memcpy(A->ReadInfo.Value, victim->v.ReadInfo.Value, sizeof(A->ReadInfo.Value));
        A->ReadInfo.Size = victim->v.ReadInfo.AccessSize;
    }
    else
    {
        A->ExecInfo.Rsp = victim->v.ExecInfo.Rsp;
        A->ExecInfo.Length = victim->v.ExecInfo.Length;
    }
    IgAlertCodeBlocks(Env, Event, (Event->Access & IG_EPT_HOOK_EXECUTE) != 0, &A->CodeBlocks);
    A->Violation = (BYTE)((Event->Access & IG_EPT_HOOK_WRITE)  ? IG_EPT_HOOK_WRITE
                          : (Event->Access & IG_EPT_HOOK_READ) ? IG_EPT_HOOK_READ
                                                               : IG_EPT_HOOK_EXECUTE);
    A->HookStartVirtual = Zone->Decl.Gva;
    A->HookStartPhysical = (Zone->Gfns[0] << 12) | (Zone->Decl.Gva & 0xFFF);
    A->VirtualPage = victim->u.Ept.Gva & ~0xFFFull;
    A->PhysicalPage = Event->Gpa & ~0xFFFull;
    A->Offset = (DWORD)(Event->Gpa & 0xFFF);
    A->ZoneTypes = victim->ZoneFlags;
    if (V->Kind != INTRO_EXC_KIND_USER)
    {
        memcpy(A->RipSectionName, V->Kernel.Original.Section, sizeof(A->RipSectionName));
        A->ReturnRip = V->Kernel.Return.Rip;
        memcpy(A->ReturnRipSectionName, V->Kernel.Return.Section, sizeof(A->ReturnRipSectionName));
    }
    section = owner ? IgPmSectionAt(owner, victim->u.Ept.Gva) : NULL;
    if (section)
    {
        memcpy(A->ModifiedSectionName, section->Name, sizeof(A->ModifiedSectionName));
    }
    IgAlertExecContext(Env, Event, &A->ExecContext);
}

/* MSR, CR and DTR alerts share their shape after the header (intro_alerts.h). */
static void IgAlertRegister(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const INTRO_EXC_VIOLATION *V,
                            INTRO_MODULE *Module, INTRO_MODULE *Return, INTRO_WRITE_INFO *Write,
                            INTRO_CODEBLOCKS *CodeBlocks, INTRO_EXEC_CONTEXT *Exec)
{
    IgAlertOriginatorModules(Env, Event, V, Module, Return);
    IgAlertWriteInfo(&V->Victim, Write);
    IgAlertCodeBlocks(Env, Event, false, CodeBlocks);
    IgAlertExecContext(Env, Event, Exec);
}

/*
 * The exception blob of a filled alert (INTRO_VIOLATION_HEADER.Exception), built from the alert as
 * hvmi builds it just before delivery; an alert whose violation cannot be excepted goes out without
 * one (Valid 0), as in hvmi.
 */
static void IgAlertFillException(const IG_PROTECT_ENV *Env, DWORD EventClass, void *Alert, size_t Size)
{
    INTRO_VIOLATION_HEADER *header = Alert;
    uint8_t blob[ALERT_EXCEPTION_SIZE];
    INTRO_ALERT_EXC_ERROR error;
    bool guest64 = !Env->Guest || Env->Guest->Type == introGuestUnknown || Env->Guest->Guest64;

    memset(blob, 0, sizeof(blob));
    if (INT_SUCCESS(IgAlertBuildBlob(Alert, Size, EventClass, Env->Protect->Os, guest64, blob, &error)))
    {
        memcpy(header->Exception, blob, sizeof(blob));
    }
}

void IgAlertRaise(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const IG_PM_ZONE *Zone,
                  const INTRO_EXC_VIOLATION *Violation, const INTRO_EXC_VERDICT *Verdict)
{
    union
    {
        EVENT_EPT_VIOLATION Ept;
        EVENT_MSR_VIOLATION Msr;
        EVENT_CR_VIOLATION Cr;
        EVENT_DTR_VIOLATION Dtr;
    } alert;
    const IG_PROTECT *p = Env->Protect;
    DWORD eventClass;
    size_t size;

    /* Producers zero the whole event first: unused fields and padding read as zero. */
    memset(&alert, 0, sizeof(alert));
    IgAlertHeader(Env, Event, Zone, Verdict, &alert.Ept.Header);
    switch (Event->Kind)
    {
        case IgEventEpt:
            IgAlertEpt(Env, Event, Zone, Violation, &alert.Ept);
            eventClass = introEventEptViolation;
            size = sizeof(alert.Ept);
            break;
        case IgEventMsr:
            alert.Msr.Victim.Msr = Event->Index;
            IgAlertRegister(Env, Event, Violation, &alert.Msr.Originator.Module, &alert.Msr.Originator.ReturnModule,
                            &alert.Msr.WriteInfo, &alert.Msr.CodeBlocks, &alert.Msr.ExecContext);
            eventClass = introEventMsrViolation;
            size = sizeof(alert.Msr);
            break;
        case IgEventCr:
            alert.Cr.Victim.Cr = Event->Index;
            IgAlertRegister(Env, Event, Violation, &alert.Cr.Originator.Module, &alert.Cr.Originator.ReturnModule,
                            &alert.Cr.WriteInfo, &alert.Cr.CodeBlocks, &alert.Cr.ExecContext);
            eventClass = introEventCrViolation;
            size = sizeof(alert.Cr);
            break;
        default:
            alert.Dtr.Victim.Type = (INTRO_OBJECT_TYPE)Event->Index;
            IgAlertRegister(Env, Event, Violation, &alert.Dtr.Originator.Module, &alert.Dtr.Originator.ReturnModule,
                            &alert.Dtr.WriteInfo, &alert.Dtr.CodeBlocks, &alert.Dtr.ExecContext);
            eventClass = introEventDtrViolation;
            size = sizeof(alert.Dtr);
            break;
    }
    IgAlertFillException(Env, eventClass, &alert, size);
    /* A failed delivery changes nothing about the decision already taken. */
    (void)p->Glue->NotifyIntrospectionAlert(p->GuestHandle, eventClass, &alert, size);
}
