/*
 * `introguard alert`'s reading of an alert: the fields of hvmi's event structures (intro_alerts.h)
 * an analyst looks at, as JSON, and the exception its blob stands for.
 *
 * The alert is a file's bytes: every field is read at its offset in the public structure, never
 * through a cast, so a damaged alert (BOOLEANs that are neither 0 nor 1, unterminated names) is
 * printed as what it holds.
 */
#include <json-c/json.h>
#include <string.h>

#include "alert_view.h"

/* ---- Fields --------------------------------------------------------------------------------------------------------
 */

static uint32_t IgAv32(const uint8_t *A, size_t Offset)
{
    return A[Offset] | ((uint32_t)A[Offset + 1] << 8) | ((uint32_t)A[Offset + 2] << 16) |
           ((uint32_t)A[Offset + 3] << 24);
}

static uint64_t IgAv64(const uint8_t *A, size_t Offset)
{
    return IgAv32(A, Offset) | ((uint64_t)IgAv32(A, Offset + 4) << 32);
}

static json_object *IgAvHex(uint64_t Value)
{
    char text[24];

    snprintf(text, sizeof(text), "0x%llx", (unsigned long long)Value);
    return json_object_new_string(text);
}

/* A UTF-16 field of Units code units as UTF-8 text (up to its NUL; non-ASCII units as '?'). */
static json_object *IgAvWide(const uint8_t *A, size_t Offset, size_t Units)
{
    char text[ALERT_PATH_MAX_LEN + 1];
    size_t n = 0;

    for (size_t i = 0; i < Units && i < ALERT_PATH_MAX_LEN; i++)
    {
        uint16_t c = (uint16_t)(A[Offset + 2 * i] | (A[Offset + 2 * i + 1] << 8));

        if (c == 0)
        {
            break;
        }
        text[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    text[n] = '\0';
    return json_object_new_string(text);
}

/* An 8-bit field of Size bytes (up to its NUL; bytes outside printable ASCII as '?'). */
static json_object *IgAvText(const uint8_t *A, size_t Offset, size_t Size)
{
    char text[ALERT_CMDLINE_MAX_LEN + 1];
    size_t n = 0;

    for (size_t i = 0; i < Size && i < ALERT_CMDLINE_MAX_LEN && A[Offset + i]; i++)
    {
        text[n++] = A[Offset + i] >= 0x20 && A[Offset + i] < 0x7F ? (char)A[Offset + i] : '?';
    }
    text[n] = '\0';
    return json_object_new_string(text);
}

static void IgAvAdd(json_object *Obj, const char *Key, json_object *Value)
{
    json_object_object_add(Obj, Key, Value);
}

static json_object *IgAvModule(const uint8_t *A, size_t Offset)
{
    json_object *m;

    if (!A[Offset + offsetof(INTRO_MODULE, Valid)])
    {
        return NULL;
    }
    m = json_object_new_object();
    IgAvAdd(m, "name", IgAvWide(A, Offset + offsetof(INTRO_MODULE, Name), ALERT_PATH_MAX_LEN));
    IgAvAdd(m, "path", IgAvWide(A, Offset + offsetof(INTRO_MODULE, Path), ALERT_PATH_MAX_LEN));
    IgAvAdd(m, "base", IgAvHex(IgAv64(A, Offset + offsetof(INTRO_MODULE, Base))));
    IgAvAdd(m, "size", IgAvHex(IgAv32(A, Offset + offsetof(INTRO_MODULE, Size))));
    return m;
}

static json_object *IgAvProcess(const uint8_t *A, size_t Offset)
{
    json_object *p;

    if (!A[Offset + offsetof(INTRO_PROCESS, Valid)])
    {
        return NULL;
    }
    p = json_object_new_object();
    IgAvAdd(p, "pid", json_object_new_int64(IgAv32(A, Offset + offsetof(INTRO_PROCESS, Pid))));
    IgAvAdd(p, "name", IgAvText(A, Offset + offsetof(INTRO_PROCESS, ImageName), ALERT_IMAGE_NAME_LEN));
    IgAvAdd(p, "path", IgAvWide(A, Offset + offsetof(INTRO_PROCESS, Path), ALERT_PATH_MAX_LEN));
    IgAvAdd(p, "command_line", IgAvText(A, Offset + offsetof(INTRO_PROCESS, CmdLine), ALERT_CMDLINE_MAX_LEN));
    IgAvAdd(p, "cr3", IgAvHex(IgAv64(A, Offset + offsetof(INTRO_PROCESS, Cr3))));
    IgAvAdd(p, "wow64", json_object_new_boolean(A[Offset + offsetof(INTRO_PROCESS, Wow64)] != 0));
    return p;
}

/* Adds Value under Key unless it is NULL (an invalid module or process is left out). */
static void IgAvAddSome(json_object *Obj, const char *Key, json_object *Value)
{
    if (Value)
    {
        IgAvAdd(Obj, Key, Value);
    }
}

static json_object *IgAvObjectType(uint32_t Type)
{
    const char *name = IntExcKeywordName(IntExcObjectTypeNames(), Type);

    return name ? json_object_new_string(name) : json_object_new_int64(Type);
}

/* ---- Pieces ------------------------------------------------------------------------------------------------------ */

static json_object *IgAvHeader(const uint8_t *A)
{
    static const struct
    {
        uint64_t Bit;
        const char *Name;
    } flags[] = {{ALERT_FLAG_BETA, "beta"},
                 {ALERT_FLAG_ANTIVIRUS, "antivirus"},
                 {ALERT_FLAG_SYSPROC, "system-process"},
                 {ALERT_FLAG_NOT_RING0, "not-ring0"},
                 {ALERT_FLAG_ASYNC, "async"},
                 {ALERT_FLAG_LINUX, "linux"},
                 {ALERT_FLAG_FROM_ENGINES, "from-engines"},
                 {ALERT_FLAG_FEEDBACK_ONLY, "feedback-only"},
                 {ALERT_FLAG_DEP_VIOLATION, "dep-violation"},
                 {ALERT_FLAG_PROTECTED_VIEW, "protected-view"},
                 {ALERT_FLAG_KM_UM, "km-um"}};
    const size_t cpu = offsetof(INTRO_VIOLATION_HEADER, CpuContext);
    const size_t ver = offsetof(INTRO_VIOLATION_HEADER, VerInfo);
    uint64_t bits = IgAv64(A, offsetof(INTRO_VIOLATION_HEADER, Flags));
    uint32_t action = IgAv32(A, offsetof(INTRO_VIOLATION_HEADER, Action));
    uint32_t reason = IgAv32(A, offsetof(INTRO_VIOLATION_HEADER, Reason));
    json_object *h = json_object_new_object();
    json_object *list = json_object_new_array();
    json_object *c = json_object_new_object();
    char text[64];

    IgAvAdd(h, "version", json_object_new_int64(IgAv32(A, offsetof(INTRO_VIOLATION_HEADER, ViolationVersion))));
    IgAvAdd(h, "action",
            IntExceptActionName(action) ? json_object_new_string(IntExceptActionName(action))
                                        : json_object_new_int64(action));
    IgAvAdd(h, "reason",
            IntExceptReasonName(reason) ? json_object_new_string(IntExceptReasonName(reason))
                                        : json_object_new_int64(reason));
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
    {
        if (bits & flags[i].Bit)
        {
            json_object_array_add(list, json_object_new_string(flags[i].Name));
        }
    }
    IgAvAdd(h, "flags", list);
    snprintf(text, sizeof(text), "%u.%u.%u", (unsigned)(IgAv32(A, ver) & 0xFFFF), (unsigned)(IgAv32(A, ver) >> 16),
             IgAv32(A, ver + offsetof(INTRO_VERSION_INFO, ExceptionBuild)));
    IgAvAdd(h, "exceptions_version", json_object_new_string(text));
    IgAvAdd(c, "cpu", json_object_new_int64(IgAv32(A, cpu + offsetof(INTRO_CPUCTX, Cpu))));
    IgAvAdd(c, "rip", IgAvHex(IgAv64(A, cpu + offsetof(INTRO_CPUCTX, Rip))));
    IgAvAdd(c, "cr3", IgAvHex(IgAv64(A, cpu + offsetof(INTRO_CPUCTX, Cr3))));
    IgAvAdd(c, "instruction", IgAvText(A, cpu + offsetof(INTRO_CPUCTX, Instruction), ALERT_MAX_INSTRUX_LEN));
    IgAvAdd(h, "cpu", c);
    IgAvAddSome(h, "current_process", IgAvProcess(A, offsetof(INTRO_VIOLATION_HEADER, CurrentProcess)));
    IgAvAdd(h, "mitre", json_object_new_int64(IgAv32(A, offsetof(INTRO_VIOLATION_HEADER, MitreID))));
    return h;
}

static json_object *IgAvCodeBlocks(const uint8_t *A, size_t Offset)
{
    uint32_t count = IgAv32(A, Offset + offsetof(INTRO_CODEBLOCKS, Count));
    json_object *cb = json_object_new_object();
    json_object *hashes = json_object_new_array();

    IgAvAdd(cb, "valid", json_object_new_boolean(A[Offset + offsetof(INTRO_CODEBLOCKS, Valid)] != 0));
    IgAvAdd(cb, "start", IgAvHex(IgAv64(A, Offset + offsetof(INTRO_CODEBLOCKS, StartAddress))));
    IgAvAdd(cb, "rip", IgAvHex(IgAv64(A, Offset + offsetof(INTRO_CODEBLOCKS, Rip))));
    IgAvAdd(cb, "rip_block", json_object_new_int64(IgAv32(A, Offset + offsetof(INTRO_CODEBLOCKS, RipCbIndex))));
    for (uint32_t i = 0; i < count && i < ALERT_MAX_CODEBLOCKS; i++)
    {
        size_t b = Offset + offsetof(INTRO_CODEBLOCKS, CodeBlocks) + i * sizeof(INTRO_CODE_BLOCK);
        json_object *block = json_object_new_object();

        IgAvAdd(
            block, "offset",
            IgAvHex(A[b + offsetof(INTRO_CODE_BLOCK, Offset)] | (A[b + offsetof(INTRO_CODE_BLOCK, Offset) + 1] << 8)));
        IgAvAdd(block, "pivot", json_object_new_int(A[b + offsetof(INTRO_CODE_BLOCK, Pivot)]));
        IgAvAdd(block, "hash", IgAvHex(IgAv32(A, b + offsetof(INTRO_CODE_BLOCK, Value))));
        json_object_array_add(hashes, block);
    }
    IgAvAdd(cb, "blocks", hashes);
    return cb;
}

/* Old and new values of a write (Size bytes, in QWORDs). */
static json_object *IgAvWrite(const uint8_t *A, size_t Offset)
{
    uint32_t size = IgAv32(A, Offset + offsetof(INTRO_WRITE_INFO, Size));
    uint32_t words = size >= 64 ? 8 : (size + 7) / 8;
    json_object *w = json_object_new_object();
    json_object *old = json_object_new_array();
    json_object *new = json_object_new_array();

    for (uint32_t i = 0; i < (words ? words : 1); i++)
    {
        json_object_array_add(old, IgAvHex(IgAv64(A, Offset + offsetof(INTRO_WRITE_INFO, OldValue) + 8 * i)));
        json_object_array_add(new, IgAvHex(IgAv64(A, Offset + offsetof(INTRO_WRITE_INFO, NewValue) + 8 * i)));
    }
    IgAvAdd(w, "size", json_object_new_int64(size));
    IgAvAdd(w, "old", old);
    IgAvAdd(w, "new", new);
    return w;
}

/* ---- Per event type ---------------------------------------------------------------------------------------------- */

#define IG_OFF(Type, Field) offsetof(Type, Field)

static void IgAvEpt(const uint8_t *A, json_object *V)
{
    static const char *const access[] = {"none", "read", "write", "?", "execute"};
    uint8_t violation = A[IG_OFF(EVENT_EPT_VIOLATION, Violation)];
    uint32_t type = IgAv32(A, IG_OFF(EVENT_EPT_VIOLATION, Victim.Type));
    uint8_t injection = A[IG_OFF(EVENT_EPT_VIOLATION, Originator.Injection)];
    uint64_t zones = IgAv64(A, IG_OFF(EVENT_EPT_VIOLATION, ZoneTypes));
    json_object *o = json_object_new_object();
    json_object *v = json_object_new_object();
    json_object *z = json_object_new_array();

    IgAvAddSome(o, "module", IgAvModule(A, IG_OFF(EVENT_EPT_VIOLATION, Originator.Module)));
    IgAvAddSome(o, "return_module", IgAvModule(A, IG_OFF(EVENT_EPT_VIOLATION, Originator.ReturnModule)));
    IgAvAddSome(o, "process", IgAvProcess(A, IG_OFF(EVENT_EPT_VIOLATION, Originator.Process)));
    IgAvAdd(o, "injection", json_object_new_string((injection & 1) ? "user" : (injection & 2) ? "kernel" : "none"));
    IgAvAdd(V, "originator", o);
    IgAvAdd(v, "type", IgAvObjectType(type));
    if (type == introObjectTypeDriverObject || type == introObjectTypeFastIoDispatch)
    {
        IgAvAdd(v, "driver_object",
                IgAvWide(A, IG_OFF(EVENT_EPT_VIOLATION, Victim.DriverObject.Name), ALERT_PATH_MAX_LEN));
    }
    else
    {
        IgAvAddSome(v, "module", IgAvModule(A, IG_OFF(EVENT_EPT_VIOLATION, Victim.Module)));
    }
    if (type == introObjectTypeIdt)
    {
        IgAvAdd(v, "idt_entry", json_object_new_int(A[IG_OFF(EVENT_EPT_VIOLATION, Victim.IdtEntry)]));
    }
    for (uint64_t bit = 1; bit; bit <<= 1)
    {
        const char *name = (zones & bit) ? IntExcKeywordName(IntExcZoneFlagNames(), bit) : NULL;

        if (name)
        {
            json_object_array_add(z, json_object_new_string(name));
        }
    }
    IgAvAdd(v, "zones", z);
    IgAvAdd(V, "victim", v);
    IgAvAdd(V, "access", json_object_new_string(violation <= 4 ? access[violation] : "?"));
    if (violation == IG_EPT_HOOK_WRITE)
    {
        IgAvAdd(V, "write", IgAvWrite(A, IG_OFF(EVENT_EPT_VIOLATION, WriteInfo)));
    }
    IgAvAdd(
        V, "gva",
        IgAvHex(IgAv64(A, IG_OFF(EVENT_EPT_VIOLATION, VirtualPage)) + IgAv32(A, IG_OFF(EVENT_EPT_VIOLATION, Offset))));
    IgAvAdd(
        V, "gpa",
        IgAvHex(IgAv64(A, IG_OFF(EVENT_EPT_VIOLATION, PhysicalPage)) + IgAv32(A, IG_OFF(EVENT_EPT_VIOLATION, Offset))));
    IgAvAdd(V, "code_blocks", IgAvCodeBlocks(A, IG_OFF(EVENT_EPT_VIOLATION, CodeBlocks)));
}

/* MSR, CR, DTR (and XCR) alerts share their layout after the header. */
static void IgAvRegister(const uint8_t *A, uint32_t Type, json_object *V)
{
    json_object *o = json_object_new_object();
    json_object *v = json_object_new_object();
    uint32_t victim = IgAv32(A, IG_OFF(EVENT_MSR_VIOLATION, Victim));

    IgAvAddSome(o, "module", IgAvModule(A, IG_OFF(EVENT_MSR_VIOLATION, Originator.Module)));
    IgAvAddSome(o, "return_module", IgAvModule(A, IG_OFF(EVENT_MSR_VIOLATION, Originator.ReturnModule)));
    IgAvAdd(V, "originator", o);
    IgAvAdd(v,
            Type == introEventMsrViolation  ? "msr"
            : Type == introEventCrViolation ? "cr"
                                            : "type",
            Type == introEventMsrViolation  ? IgAvHex(victim)
            : Type == introEventCrViolation ? json_object_new_int64(victim)
                                            : IgAvObjectType(victim));
    IgAvAdd(V, "victim", v);
    IgAvAdd(V, "write", IgAvWrite(A, IG_OFF(EVENT_MSR_VIOLATION, WriteInfo)));
    IgAvAdd(V, "code_blocks", IgAvCodeBlocks(A, IG_OFF(EVENT_MSR_VIOLATION, CodeBlocks)));
}

static void IgAvIntegrity(const uint8_t *A, json_object *V)
{
    uint32_t type = IgAv32(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, Victim.Type));
    json_object *o = json_object_new_object();
    json_object *v = json_object_new_object();

    IgAvAddSome(o, "module", IgAvModule(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, Originator.Module)));
    IgAvAdd(V, "originator", o);
    IgAvAdd(v, "type", IgAvObjectType(type));
    IgAvAdd(v, "name", IgAvWide(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, Victim.Name), ALERT_PATH_MAX_LEN));
    if (type == introObjectTypeDriverObject || type == introObjectTypeFastIoDispatch)
    {
        IgAvAdd(v, "driver_object",
                IgAvWide(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, Victim.DriverObject.Name), ALERT_PATH_MAX_LEN));
    }
    else if (type == introObjectTypeIdt || type == introObjectTypeInterruptObject)
    {
        IgAvAdd(v, "idt_entry", json_object_new_int(A[IG_OFF(EVENT_INTEGRITY_VIOLATION, Victim.IdtEntry)]));
    }
    else
    {
        IgAvAddSome(v, "process", IgAvProcess(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, Victim.Process)));
    }
    IgAvAdd(V, "victim", v);
    IgAvAdd(V, "base", IgAvHex(IgAv64(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, BaseAddress))));
    IgAvAdd(V, "gva", IgAvHex(IgAv64(A, IG_OFF(EVENT_INTEGRITY_VIOLATION, VirtualAddress))));
}

static void IgAvInjection(const uint8_t *A, json_object *V)
{
    static const char *const kinds[] = {"write", "read", "set-context-thread", "queue-apc-thread", "instrument"};
    uint32_t kind = IgAv32(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, ViolationType));
    json_object *o = json_object_new_object();
    json_object *v = json_object_new_object();

    IgAvAddSome(o, "process", IgAvProcess(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, Originator.Process)));
    IgAvAdd(V, "originator", o);
    IgAvAddSome(v, "process", IgAvProcess(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, Victim.Process)));
    IgAvAddSome(v, "module", IgAvModule(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, Victim.Module)));
    IgAvAdd(V, "victim", v);
    IgAvAdd(V, "type", kind < 5 ? json_object_new_string(kinds[kind]) : json_object_new_int64(kind));
    IgAvAdd(V, "source", IgAvHex(IgAv64(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, SourceVirtualAddress))));
    IgAvAdd(V, "destination", IgAvHex(IgAv64(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, DestinationVirtualAddress))));
    IgAvAdd(V, "size", json_object_new_int64(IgAv32(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, CopySize))));
    IgAvAdd(V, "function", IgAvText(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, FunctionName), ALERT_MAX_FUNCTION_NAME_LEN));
    IgAvAdd(V, "delta", IgAvHex(IgAv32(A, IG_OFF(EVENT_MEMCOPY_VIOLATION, Delta))));
}

static void IgAvCreation(const uint8_t *A, json_object *V)
{
    uint32_t pcType = IgAv32(A, IG_OFF(EVENT_PROCESS_CREATION_VIOLATION, PcType));
    char mask[256];

    IgAvAddSome(V, "originator", IgAvProcess(A, IG_OFF(EVENT_PROCESS_CREATION_VIOLATION, Originator)));
    IgAvAddSome(V, "victim", IgAvProcess(A, IG_OFF(EVENT_PROCESS_CREATION_VIOLATION, Victim)));
    (void)IntExcFileFormatMask(IntExcFileCreateMaskNames(), pcType, mask, sizeof(mask));
    IgAvAdd(V, "dpi", json_object_new_string(mask));
}

static void IgAvModuleLoad(const uint8_t *A, json_object *V)
{
    json_object *o = json_object_new_object();

    IgAvAddSome(o, "module", IgAvModule(A, IG_OFF(EVENT_MODULE_LOAD_VIOLATION, Originator.Module)));
    IgAvAddSome(o, "return_module", IgAvModule(A, IG_OFF(EVENT_MODULE_LOAD_VIOLATION, Originator.ReturnModule)));
    IgAvAdd(V, "originator", o);
    IgAvAddSome(V, "victim", IgAvProcess(A, IG_OFF(EVENT_MODULE_LOAD_VIOLATION, Victim)));
    IgAvAdd(V, "return_rip", IgAvHex(IgAv64(A, IG_OFF(EVENT_MODULE_LOAD_VIOLATION, ReturnRip))));
}

/* ---- The exception ------------------------------------------------------------------------------------------------
 */

json_object *IgAvException(const INTRO_ALERT_EXCEPTION *E, const IG_ALERT_RULE *Names)
{
    uint8_t rt = E->Shape == INTRO_ALERT_EXC_KERNEL ? INTRO_EXCFILE_REC_KERNEL
                 : E->Shape == INTRO_ALERT_EXC_USER ? INTRO_EXCFILE_REC_USER
                                                    : INTRO_EXCFILE_REC_KERNEL_USER;
    const INTRO_EXCFILE_EXCEPTION_KIND *kind = IntExcFileExceptionKindByRecord(rt);
    const char *type = IntExcFileKeywordName(IntExcFileRecordObjectTypes(rt), E->ObjectType);
    const struct
    {
        const char *Key;
        INTRO_EXCFILE_FIELD Field;
        uint32_t Value;
        const char *Name;
    } fields[] = {{"originator", INTRO_EXCFILE_FIELD_ORIGINATOR, E->Originator, Names ? Names->Originator : ""},
                  {"victim", INTRO_EXCFILE_FIELD_VICTIM, E->Victim, Names ? Names->Victim : ""},
                  {"process", INTRO_EXCFILE_FIELD_PROCESS, E->Process, Names ? Names->Process : ""}};
    json_object *x = json_object_new_object();
    json_object *sigs = json_object_new_array();
    char text[512];

    IgAvAdd(x, "valid", json_object_new_boolean(true));
    IgAvAdd(x, "kind", json_object_new_string(kind->Name));
    for (size_t i = 0; i < 3; i++)
    {
        json_object *f = json_object_new_object();
        const char *special = IntExcFileFieldSpecialName(rt, fields[i].Field, E->Flags, fields[i].Value);

        if (i == 2 && rt == INTRO_EXCFILE_REC_KERNEL)
        {
            json_object_put(f);
            continue;
        }
        IgAvAdd(f, "hash", IgAvHex(fields[i].Value));
        if (special || fields[i].Name[0])
        {
            IgAvAdd(f, "name", json_object_new_string(special ? special : fields[i].Name));
        }
        IgAvAdd(x, fields[i].Key, f);
    }
    IgAvAdd(x, "object_type", type ? json_object_new_string(type) : json_object_new_int64(E->ObjectType));
    (void)IntExcFileFormatFlags(kind->AcceptedFlags, E->Flags, text, sizeof(text));
    IgAvAdd(x, "flags", json_object_new_string(text));
    if (E->CodeBlocks.Valid)
    {
        json_object *s = json_object_new_object();
        json_object *h = json_object_new_array();

        IgAvAdd(s, "type", json_object_new_string("codeblocks"));
        IgAvAdd(s, "score", json_object_new_int(E->CodeBlocks.Score));
        for (uint32_t i = 0; i < E->CodeBlocks.Count && i < ALERT_HASH_COUNT; i++)
        {
            json_object_array_add(h, IgAvHex(E->CodeBlocks.Hashes[i]));
        }
        IgAvAdd(s, "hashes", h);
        json_object_array_add(sigs, s);
    }
    if (E->Idt.Valid)
    {
        json_object *s = json_object_new_object();

        IgAvAdd(s, "type", json_object_new_string("idt"));
        IgAvAdd(s, "entry", json_object_new_int(E->Idt.Entry));
        json_object_array_add(sigs, s);
    }
    if (E->Export.Valid)
    {
        json_object *s = json_object_new_object();

        IgAvAdd(s, "type", json_object_new_string("export"));
        IgAvAdd(s, "library", IgAvHex(E->Export.Library));
        IgAvAdd(s, "function", IgAvHex(E->Export.Function));
        IgAvAdd(s, "delta", json_object_new_int(E->Export.Delta));
        IgAvAdd(s, "write_size", json_object_new_int(E->Export.WriteSize));
        json_object_array_add(sigs, s);
    }
    if (E->ProcessCreation.Valid)
    {
        json_object *s = json_object_new_object();

        (void)IntExcFileFormatMask(IntExcFileCreateMaskNames(), E->ProcessCreation.CreateMask, text, sizeof(text));
        IgAvAdd(s, "type", json_object_new_string("process-creation"));
        IgAvAdd(s, "create_mask", json_object_new_string(text));
        json_object_array_add(sigs, s);
    }
    IgAvAdd(x, "signatures", sigs);
    return x;
}

json_object *IgAvAlert(const uint8_t *Alert, size_t Size, uint32_t Type, const IG_ALERT_RULE *Names)
{
    json_object *v = json_object_new_object();
    INTRO_ALERT_EXCEPTION e;
    INTRO_ALERT_EXC_ERROR error;

    IgAvAdd(v, "event", json_object_new_string(IgArEventName(Type)));
    IgAvAdd(v, "size", json_object_new_int64((int64_t)Size));
    IgAvAdd(v, "header", IgAvHeader(Alert));
    switch (Type)
    {
        case introEventEptViolation:
            IgAvEpt(Alert, v);
            break;
        case introEventMsrViolation:
        case introEventCrViolation:
        case introEventDtrViolation:
            IgAvRegister(Alert, Type, v);
            break;
        case introEventIntegrityViolation:
            IgAvIntegrity(Alert, v);
            break;
        case introEventInjectionViolation:
            IgAvInjection(Alert, v);
            break;
        case introEventProcessCreationViolation:
            IgAvCreation(Alert, v);
            break;
        default:
            IgAvModuleLoad(Alert, v);
            break;
    }
    if (INT_SUCCESS(IntAlertExceptionDecode(Alert + offsetof(INTRO_VIOLATION_HEADER, Exception), ALERT_EXCEPTION_SIZE,
                                            (INTRO_EVENT_TYPE)Type, &e, &error)))
    {
        IgAvAdd(v, "exception", IgAvException(&e, Names));
    }
    else
    {
        json_object *x = json_object_new_object();

        IgAvAdd(x, "valid", json_object_new_boolean(false));
        IgAvAdd(x, "why", json_object_new_string(error.Message));
        IgAvAdd(v, "exception", x);
    }
    return v;
}
