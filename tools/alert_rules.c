/*
 * Exceptions files from alerts (alert_rules.h): the exceptions gathered, their names, and the JSON
 * that compiles back to them, checked by compiling it.
 */
#include "alert_rules.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "exc_rules.h"

/* ---- Event types ---------------------------------------------------------------------------------------------- */

static const struct
{
    const char *Name;
    uint32_t Type;
    size_t Size;
} gArEvents[] = {
    {"ept", introEventEptViolation, sizeof(EVENT_EPT_VIOLATION)},
    {"msr", introEventMsrViolation, sizeof(EVENT_MSR_VIOLATION)},
    {"cr", introEventCrViolation, sizeof(EVENT_CR_VIOLATION)},
    {"integrity", introEventIntegrityViolation, sizeof(EVENT_INTEGRITY_VIOLATION)},
    {"injection", introEventInjectionViolation, sizeof(EVENT_MEMCOPY_VIOLATION)},
    {"dtr", introEventDtrViolation, sizeof(EVENT_DTR_VIOLATION)},
    {"process-creation", introEventProcessCreationViolation, sizeof(EVENT_PROCESS_CREATION_VIOLATION)},
    {"module-load", introEventModuleLoadViolation, sizeof(EVENT_MODULE_LOAD_VIOLATION)},
};

const char *IgArEventName(uint32_t Type)
{
    for (size_t i = 0; i < sizeof(gArEvents) / sizeof(gArEvents[0]); i++)
    {
        if (gArEvents[i].Type == Type)
        {
            return gArEvents[i].Name;
        }
    }
    return NULL;
}

bool IgArEventByName(const char *Name, uint32_t *Type)
{
    for (size_t i = 0; i < sizeof(gArEvents) / sizeof(gArEvents[0]); i++)
    {
        if (strcmp(gArEvents[i].Name, Name) == 0)
        {
            *Type = gArEvents[i].Type;
            return true;
        }
    }
    return false;
}

size_t IgArEventSize(uint32_t Type)
{
    for (size_t i = 0; i < sizeof(gArEvents) / sizeof(gArEvents[0]); i++)
    {
        if (gArEvents[i].Type == Type)
        {
            return gArEvents[i].Size;
        }
    }
    return 0;
}

/* ---- Names in an alert ------------------------------------------------------------------------------------------ */

typedef enum IG_AR_NAME_KIND
{
    IgArModule,       /* WCHAR[ALERT_PATH_MAX_LEN]: a module (its file name) */
    IgArDriverObject, /* WCHAR[ALERT_PATH_MAX_LEN]: a driver object's full name */
    IgArImage,        /* char[ALERT_IMAGE_NAME_LEN]: a process image name */
    IgArField,        /* WCHAR[ALERT_PATH_MAX_LEN]: a SharedUserData field name, as it is */
    IgArFunction,     /* char[ALERT_MAX_FUNCTION_NAME_LEN]: an export name, as it is */
} IG_AR_NAME_KIND;

typedef struct IG_AR_NAME_FIELD
{
    uint32_t Type; /* the event type it belongs to, 0 for the header */
    size_t Offset;
    IG_AR_NAME_KIND Kind;
} IG_AR_NAME_FIELD;

/* ASCII text of a name field (the file name of a module); false when empty, unterminated or not ASCII. */
static bool IgArNameText(const uint8_t *Alert, const IG_AR_NAME_FIELD *F, char *Out)
{
    bool wide = F->Kind != IgArImage && F->Kind != IgArFunction;
    size_t max = wide ? ALERT_PATH_MAX_LEN : F->Kind == IgArImage ? ALERT_IMAGE_NAME_LEN : ALERT_MAX_FUNCTION_NAME_LEN;
    size_t n = 0;

    for (size_t i = 0; i < max; i++)
    {
        uint16_t c =
            wide ? (uint16_t)(Alert[F->Offset + 2 * i] | (Alert[F->Offset + 2 * i + 1] << 8)) : Alert[F->Offset + i];

        if (c == 0)
        {
            Out[n] = '\0';
            return n > 0;
        }
        if (c < 0x20 || c > 0x7E || n == IG_ALERT_NAME_MAX)
        {
            return false;
        }
        if (c == '\\' && F->Kind == IgArModule)
        {
            n = 0; /* a module is named by its file name */
            continue;
        }
        Out[n++] = (char)c;
    }
    return false;
}

static uint32_t IgArHash(uint32_t Os, uint32_t Kind, const char *Text)
{
    uint32_t hash = 0;

    return INT_SUCCESS(IntNameHash(Os, Kind, Text, (uint32_t)strlen(Text), INTRO_NAME_FLAG_NO_SPECIAL, &hash)) ? hash
                                                                                                               : 0;
}

size_t IgArAlertNames(const uint8_t *Alert, size_t Size, uint32_t Type, uint32_t Os, IG_ALERT_NAME *Names, size_t Max)
{
#define IG_F(T, S, Field, K)                                                                                           \
    {                                                                                                                  \
        T, offsetof(S, Field), K                                                                                       \
    }
    static const IG_AR_NAME_FIELD fields[] = {
        IG_F(0, INTRO_VIOLATION_HEADER, CurrentProcess.ImageName, IgArImage),
        IG_F(introEventEptViolation, EVENT_EPT_VIOLATION, Originator.Module.Name, IgArModule),
        IG_F(introEventEptViolation, EVENT_EPT_VIOLATION, Originator.ReturnModule.Name, IgArModule),
        IG_F(introEventEptViolation, EVENT_EPT_VIOLATION, Originator.Process.ImageName, IgArImage),
        IG_F(introEventEptViolation, EVENT_EPT_VIOLATION, Victim.Module.Name, IgArModule),
        IG_F(introEventEptViolation, EVENT_EPT_VIOLATION, Victim.DriverObject.Name, IgArDriverObject),
        IG_F(introEventMsrViolation, EVENT_MSR_VIOLATION, Originator.Module.Name, IgArModule),
        IG_F(introEventCrViolation, EVENT_CR_VIOLATION, Originator.Module.Name, IgArModule),
        IG_F(introEventDtrViolation, EVENT_DTR_VIOLATION, Originator.Module.Name, IgArModule),
        IG_F(introEventIntegrityViolation, EVENT_INTEGRITY_VIOLATION, Originator.Module.Name, IgArModule),
        IG_F(introEventIntegrityViolation, EVENT_INTEGRITY_VIOLATION, Victim.Name, IgArField),
        IG_F(introEventIntegrityViolation, EVENT_INTEGRITY_VIOLATION, Victim.Process.ImageName, IgArImage),
        IG_F(introEventIntegrityViolation, EVENT_INTEGRITY_VIOLATION, Victim.DriverObject.Name, IgArDriverObject),
        IG_F(introEventInjectionViolation, EVENT_MEMCOPY_VIOLATION, Originator.Process.ImageName, IgArImage),
        IG_F(introEventInjectionViolation, EVENT_MEMCOPY_VIOLATION, Victim.Process.ImageName, IgArImage),
        IG_F(introEventInjectionViolation, EVENT_MEMCOPY_VIOLATION, Victim.Module.Name, IgArModule),
        IG_F(introEventInjectionViolation, EVENT_MEMCOPY_VIOLATION, FunctionName, IgArFunction),
        IG_F(introEventProcessCreationViolation, EVENT_PROCESS_CREATION_VIOLATION, Victim.ImageName, IgArImage),
        IG_F(introEventProcessCreationViolation, EVENT_PROCESS_CREATION_VIOLATION, Originator.ImageName, IgArImage),
        IG_F(introEventModuleLoadViolation, EVENT_MODULE_LOAD_VIOLATION, Victim.ImageName, IgArImage),
        IG_F(introEventModuleLoadViolation, EVENT_MODULE_LOAD_VIOLATION, Originator.Module.Name, IgArModule),
    };
#undef IG_F
    size_t count = 0;

    if (!Alert || Size != IgArEventSize(Type))
    {
        return 0;
    }
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && count < Max; i++)
    {
        IG_ALERT_NAME *n = &Names[count];

        if ((fields[i].Type && fields[i].Type != Type) || !IgArNameText(Alert, &fields[i], n->Text))
        {
            continue;
        }
        memset(n->Hashes, 0, sizeof(n->Hashes));
        switch (fields[i].Kind)
        {
            case IgArModule:
                n->Hashes[0] = IgArHash(Os, INTRO_NAME_KERNEL_MODULE, n->Text);
                n->Hashes[1] = IgArHash(Os, INTRO_NAME_USER_MODULE, n->Text);
                n->Hashes[2] = IgArHash(Os, INTRO_NAME_EXACT, n->Text);
                break;
            case IgArDriverObject:
                n->Hashes[0] = IgArHash(Os, INTRO_NAME_DRIVER_OBJECT, n->Text);
                break;
            case IgArImage:
                if (Os != INTRO_EXC_OS_LINUX && strlen(n->Text) > 14)
                {
                    n->Text[14] = '\0'; /* what a Windows guest keeps, and what is hashed */
                }
                n->Hashes[0] = IgArHash(Os, INTRO_NAME_PROCESS, n->Text);
                break;
            default:
                n->Hashes[0] = IgArHash(Os, INTRO_NAME_EXACT, n->Text);
                break;
        }
        count++;
    }
    return count;
}

/* ---- The gathered exceptions --------------------------------------------------------------------------------- */

static void IgArNameOf(uint32_t Hash, const IG_ALERT_NAME *Names, size_t Count, char *Out)
{
    Out[0] = '\0';
    for (size_t i = 0; Hash > 7 && Hash != INTRO_EXC_NO_NAME && i < Count; i++)
    {
        for (size_t k = 0; k < sizeof(Names[i].Hashes) / sizeof(Names[i].Hashes[0]); k++)
        {
            if (Names[i].Hashes[k] == Hash)
            {
                memcpy(Out, Names[i].Text, sizeof(Names[i].Text));
                return;
            }
        }
    }
}

/* Equal as exceptions: every field the matchers read (not the flags of the violation the blob came from). */
static bool IgArSame(const INTRO_ALERT_EXCEPTION *A, const INTRO_ALERT_EXCEPTION *B)
{
    return A->Shape == B->Shape && A->Originator == B->Originator && A->Victim == B->Victim &&
           A->Process == B->Process && A->Flags == B->Flags && A->ObjectType == B->ObjectType &&
           A->CodeBlocks.Valid == B->CodeBlocks.Valid &&
           (!A->CodeBlocks.Valid ||
            (A->CodeBlocks.Flags == B->CodeBlocks.Flags && A->CodeBlocks.Score == B->CodeBlocks.Score &&
             A->CodeBlocks.Count == B->CodeBlocks.Count &&
             !memcmp(A->CodeBlocks.Hashes, B->CodeBlocks.Hashes, A->CodeBlocks.Count * sizeof(uint32_t)))) &&
           A->Idt.Valid == B->Idt.Valid &&
           (!A->Idt.Valid || (A->Idt.Flags == B->Idt.Flags && A->Idt.Entry == B->Idt.Entry)) &&
           A->Export.Valid == B->Export.Valid &&
           (!A->Export.Valid || (A->Export.Flags == B->Export.Flags && A->Export.Library == B->Export.Library &&
                                 A->Export.Function == B->Export.Function && A->Export.Delta == B->Export.Delta &&
                                 A->Export.WriteSize == B->Export.WriteSize)) &&
           A->ProcessCreation.Valid == B->ProcessCreation.Valid &&
           (!A->ProcessCreation.Valid || (A->ProcessCreation.Flags == B->ProcessCreation.Flags &&
                                          A->ProcessCreation.CreateMask == B->ProcessCreation.CreateMask));
}

INTSTATUS IgArRulesAdd(IG_ALERT_RULES *Rules, const INTRO_ALERT_EXCEPTION *Exception, const IG_ALERT_NAME *Names,
                       size_t NameCount, bool *Added)
{
    IG_ALERT_RULE *r;

    *Added = false;
    for (size_t i = 0; i < Rules->Count; i++)
    {
        if (IgArSame(&Rules->Items[i].Exception, Exception))
        {
            Rules->Duplicates++;
            return INT_STATUS_SUCCESS;
        }
    }
    if (Rules->Count == IG_ALERT_RULES_MAX)
    {
        return INT_STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Rules->Count == Rules->Capacity)
    {
        size_t capacity = Rules->Capacity ? 2 * Rules->Capacity : 16;
        IG_ALERT_RULE *grown = realloc(Rules->Items, capacity * sizeof(*grown));

        if (!grown)
        {
            return INT_STATUS_INSUFFICIENT_RESOURCES;
        }
        Rules->Items = grown;
        Rules->Capacity = capacity;
    }
    r = &Rules->Items[Rules->Count++];
    IgArNameRule(r, Exception, Names, NameCount);
    *Added = true;
    return INT_STATUS_SUCCESS;
}

void IgArNameRule(IG_ALERT_RULE *Rule, const INTRO_ALERT_EXCEPTION *Exception, const IG_ALERT_NAME *Names,
                  size_t NameCount)
{
    memset(Rule, 0, sizeof(*Rule));
    Rule->Exception = *Exception;
    IgArNameOf(Exception->Originator, Names, NameCount, Rule->Originator);
    IgArNameOf(Exception->Victim, Names, NameCount, Rule->Victim);
    IgArNameOf(Exception->Process, Names, NameCount, Rule->Process);
    IgArNameOf(Exception->Export.Library, Names, NameCount, Rule->Library);
}

void IgArRulesFree(IG_ALERT_RULES *Rules)
{
    if (Rules)
    {
        free(Rules->Items);
        memset(Rules, 0, sizeof(*Rules));
    }
}

/* ---- JSON -------------------------------------------------------------------------------------------------------- */

static uint8_t IgArRecordType(uint32_t Shape)
{
    return Shape == INTRO_ALERT_EXC_KERNEL ? INTRO_EXCFILE_REC_KERNEL
           : Shape == INTRO_ALERT_EXC_USER ? INTRO_EXCFILE_REC_USER
                                           : INTRO_EXCFILE_REC_KERNEL_USER;
}

static json_object *IgArHex(uint32_t Value)
{
    char text[16];

    snprintf(text, sizeof(text), "0x%08X", Value);
    return json_object_new_string(text);
}

/* A name field: its special name, the alert's name for it (not Raw), or the hash (`<key>_hash`). */
static void IgArNameField(json_object *Obj, const char *Key, uint8_t RecordType, INTRO_EXCFILE_FIELD Field,
                          uint32_t Flags, uint32_t Value, const char *Name, bool Raw)
{
    const char *special = IntExcFileFieldSpecialName(RecordType, Field, Flags, Value);
    char key[32];

    if (special || (!Raw && Name && Name[0]))
    {
        json_object_object_add(Obj, Key, json_object_new_string(special ? special : Name));
        return;
    }
    snprintf(key, sizeof(key), "%s_hash", Key);
    json_object_object_add(Obj, key, IgArHex(Value));
}

/* Flags in words of Namespaces, or `<key>_raw` when Raw or a bit has no word. */
static void IgArFlags(json_object *Obj, unsigned Namespaces, uint32_t Flags, bool Raw)
{
    char text[512];

    (void)IntExcFileFormatFlags(Namespaces, Flags, text, sizeof(text));
    if (Raw || strstr(text, "0x"))
    {
        json_object_object_add(Obj, "flags_raw", IgArHex(Flags));
        return;
    }
    json_object_object_add(Obj, "flags", json_object_new_string(text));
}

static json_object *IgArSignature(const char *Type, const char *Id, uint32_t Flags, bool Raw, json_object **Ids)
{
    json_object *sig = json_object_new_object();

    json_object_object_add(sig, "sig_type", json_object_new_string(Type));
    json_object_object_add(sig, "sig_id", json_object_new_string(Id));
    IgArFlags(sig, INTRO_EXCFILE_FLAGS_SIGNATURE, Flags, Raw);
    json_object_array_add(*Ids, json_object_new_string(Id));
    return sig;
}

/* The signatures of rule Index into Sigs, their IDs into Ids. */
static void IgArSignatures(const IG_ALERT_RULE *R, size_t Index, bool Raw, json_object *Sigs, json_object *Ids)
{
    const INTRO_ALERT_EXCEPTION *e = &R->Exception;
    char id[48];
    json_object *sig;

    if (e->Shape == INTRO_ALERT_EXC_KERNEL && e->Idt.Valid)
    {
        snprintf(id, sizeof(id), "alert-%zu-idt", Index);
        sig = IgArSignature("idt", id, e->Idt.Flags, Raw, &Ids);
        json_object_object_add(sig, "entry", json_object_new_int(e->Idt.Entry));
        json_object_array_add(Sigs, sig);
    }
    if (e->CodeBlocks.Valid)
    {
        json_object *lists = json_object_new_array();
        json_object *hashes = json_object_new_array();

        snprintf(id, sizeof(id), "alert-%zu-codeblocks", Index);
        sig = IgArSignature("codeblocks", id, e->CodeBlocks.Flags, Raw, &Ids);
        json_object_object_add(sig, "score", json_object_new_int(e->CodeBlocks.Score));
        for (uint32_t i = 0; i < e->CodeBlocks.Count && i < ALERT_HASH_COUNT; i++)
        {
            json_object_array_add(hashes, IgArHex(e->CodeBlocks.Hashes[i]));
        }
        json_object_array_add(lists, hashes);
        json_object_object_add(sig, "hashes", lists);
        json_object_array_add(Sigs, sig);
    }
    if (e->Shape == INTRO_ALERT_EXC_USER && e->Export.Valid)
    {
        json_object *entries = json_object_new_array();
        json_object *entry = json_object_new_object();
        uint32_t reach = (uint32_t)e->Export.Delta + e->Export.WriteSize;
        const char *special = IntExcFileFieldSpecialName(INTRO_EXCFILE_REC_EXPORT, INTRO_EXCFILE_FIELD_EXPORT_NAME, 0,
                                                         e->Export.Function);

        snprintf(id, sizeof(id), "alert-%zu-export", Index);
        sig = IgArSignature("export", id, e->Export.Flags, Raw, &Ids);
        IgArNameField(sig, "library", INTRO_EXCFILE_REC_EXPORT, INTRO_EXCFILE_FIELD_LIBRARY, 0, e->Export.Library,
                      R->Library, Raw);
        if (special)
        {
            json_object_object_add(entry, "name", json_object_new_string(special));
        }
        else
        {
            json_object_object_add(entry, "name_hash", IgArHex(e->Export.Function));
        }
        /* The engine stores one entry reaching over the write: its offset plus its size. */
        json_object_object_add(entry, "delta", json_object_new_int((int32_t)(reach > 0xFFFF ? 0xFFFF : reach)));
        json_object_array_add(entries, entry);
        json_object_object_add(sig, "hashes", entries);
        json_object_array_add(Sigs, sig);
    }
    if (e->Shape == INTRO_ALERT_EXC_USER && e->ProcessCreation.Valid)
    {
        json_object *mask = json_object_new_array();
        const INTRO_EXCFILE_KEYWORD_TABLE *names = IntExcFileCreateMaskNames();

        snprintf(id, sizeof(id), "alert-%zu-process-creation", Index);
        sig = IgArSignature("process-creation", id, e->ProcessCreation.Flags, Raw, &Ids);
        for (uint32_t bit = 1; bit; bit <<= 1)
        {
            const char *name = (e->ProcessCreation.CreateMask & bit) ? IntExcFileKeywordName(names, bit) : NULL;

            if (name)
            {
                json_object_array_add(mask, json_object_new_string(name));
            }
        }
        json_object_object_add(sig, "create_mask", mask);
        json_object_array_add(Sigs, sig);
    }
}

/* The entry of rule Index (its signatures into Sigs). */
static json_object *IgArException(const IG_ALERT_RULE *R, size_t Index, bool Raw, json_object *Sigs)
{
    const INTRO_ALERT_EXCEPTION *e = &R->Exception;
    uint8_t rt = IgArRecordType(e->Shape);
    unsigned rules = IgRulesOf(rt, (uint8_t)e->ObjectType);
    const char *type = IntExcFileKeywordName(IntExcFileRecordObjectTypes(rt), e->ObjectType);
    json_object *obj = json_object_new_object();
    json_object *ids = json_object_new_array();

    IgArNameField(obj, "originator", rt, INTRO_EXCFILE_FIELD_ORIGINATOR, e->Flags, e->Originator, R->Originator, Raw);
    if (!(e->Victim == 0 && (rules & IG_RULE_NO_VICTIM)))
    {
        IgArNameField(obj, "victim", rt, INTRO_EXCFILE_FIELD_VICTIM, e->Flags, e->Victim, R->Victim, Raw);
    }
    if (rt != INTRO_EXCFILE_REC_KERNEL && (e->Process != 0 || (rules & IG_RULE_NEEDS_PROCESS)))
    {
        IgArNameField(obj, "process", rt, INTRO_EXCFILE_FIELD_PROCESS, e->Flags, e->Process, R->Process, Raw);
    }
    if (type)
    {
        json_object_object_add(obj, "object_type", json_object_new_string(type));
    }
    else
    {
        json_object_object_add(obj, "object_type_raw", json_object_new_int((int32_t)e->ObjectType));
    }
    IgArFlags(obj, IntExcFileExceptionKindByRecord(rt)->AcceptedFlags, e->Flags, Raw);
    IgArSignatures(R, Index, Raw, Sigs, ids);
    if (json_object_array_length(ids))
    {
        json_object_object_add(obj, "signatures", ids);
    }
    else
    {
        json_object_put(ids);
    }
    return obj;
}

/* ---- The check: compile, then read the records back -------------------------------------------------------------- */

static uint32_t IgArSigCount(const INTRO_ALERT_EXCEPTION *E)
{
    bool user = E->Shape == INTRO_ALERT_EXC_USER;

    return (E->CodeBlocks.Valid ? 1u : 0u) + (E->Shape == INTRO_ALERT_EXC_KERNEL && E->Idt.Valid ? 1u : 0u) +
           (user && E->Export.Valid ? 1u : 0u) + (user && E->ProcessCreation.Valid ? 1u : 0u);
}

static bool IgArSameCodeBlocks(const INTRO_ALERT_EXCEPTION *E, const INTRO_EXCFILE_CODEBLOCKS *C)
{
    INTRO_EXCFILE_HASH_CURSOR cursor = {0, 0};
    INTRO_EXCFILE_U32_ARRAY list;

    if (!E->CodeBlocks.Valid || C->Flags != E->CodeBlocks.Flags || C->Score != E->CodeBlocks.Score ||
        C->ListCount != 1 || !IntExcFileNextHashList(C, &cursor, &list) || list.Count != E->CodeBlocks.Count)
    {
        return false;
    }
    for (uint32_t i = 0; i < list.Count; i++)
    {
        if (IntExcFileU32At(&list, i) != E->CodeBlocks.Hashes[i])
        {
            return false;
        }
    }
    return true;
}

static bool IgArSameRecord(const INTRO_ALERT_EXCEPTION *E, const INTRO_EXCFILE_RECORD *Rec)
{
    const INTRO_EXCFILE_EXCEPTION *x = &Rec->u.Exception;
    INTRO_EXCFILE_EXPORT_ENTRY entry;
    uint32_t reach = (uint32_t)E->Export.Delta + E->Export.WriteSize;

    switch (Rec->Type)
    {
        case INTRO_EXCFILE_REC_KERNEL:
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return Rec->Type == IgArRecordType(E->Shape) && x->Originator == E->Originator && x->Victim == E->Victim &&
                   (Rec->Type == INTRO_EXCFILE_REC_KERNEL || x->Process == E->Process) && x->Flags == E->Flags &&
                   x->ObjectType == E->ObjectType && x->SigIds.Count == IgArSigCount(E);
        case INTRO_EXCFILE_REC_CODEBLOCKS:
            return IgArSameCodeBlocks(E, &Rec->u.CodeBlocks);
        case INTRO_EXCFILE_REC_IDT:
            return E->Idt.Valid && Rec->u.Idt.Flags == E->Idt.Flags && Rec->u.Idt.Entry == E->Idt.Entry;
        case INTRO_EXCFILE_REC_EXPORT:
            return E->Export.Valid && Rec->u.Export.Flags == E->Export.Flags &&
                   Rec->u.Export.Library == E->Export.Library && Rec->u.Export.Count == 1 &&
                   IntExcFileExportEntryAt(&Rec->u.Export, 0, &entry) && entry.FunctionHash == E->Export.Function &&
                   entry.Delta == (reach > 0xFFFF ? 0xFFFF : reach);
        case INTRO_EXCFILE_REC_PROCESS_CREATION:
            return E->ProcessCreation.Valid && Rec->u.ProcessCreation.Flags == E->ProcessCreation.Flags &&
                   Rec->u.ProcessCreation.CreateMask == E->ProcessCreation.CreateMask;
        default:
            return false;
    }
}

/* Whether Document compiles to exactly E: one exception record and its signatures, equal field by field. */
static bool IgArCompilesTo(const INTRO_ALERT_EXCEPTION *E, json_object *Document)
{
    const char *text = json_object_to_json_string_ext(Document, JSON_C_TO_STRING_PLAIN);
    IG_COMPILE_SOURCE source = {"alert-exception.json", text, text ? strlen(text) : 0};
    IG_COMPILE_OPTIONS options;
    IG_COMPILE_RESULT result;
    INTRO_EXCFILE_HEADER header;
    INTRO_EXCFILE_ITERATOR it;
    INTRO_EXCFILE_RECORD rec;
    uint32_t exceptions = 0, signatures = 0;
    bool same = text != NULL;

    IgCompileOptionsInit(&options);
    if (!same || !INT_SUCCESS(IgCompileSources(&source, 1, &options, &result)))
    {
        if (same)
        {
            IgCompileResultFree(&result);
        }
        return false;
    }
    same = INT_SUCCESS(IntExcFileOpen(result.Data, result.Size, &header, &it, NULL));
    while (same && IntExcFileNext(&it, &rec, NULL) == INT_STATUS_SUCCESS)
    {
        same = IgArSameRecord(E, &rec);
        *(rec.Type == INTRO_EXCFILE_REC_KERNEL || rec.Type == INTRO_EXCFILE_REC_USER ||
                  rec.Type == INTRO_EXCFILE_REC_KERNEL_USER
              ? &exceptions
              : &signatures) += 1;
    }
    IgCompileResultFree(&result);
    return same && exceptions == 1 && signatures == IgArSigCount(E);
}

static const char *IgArKindName(uint32_t Shape)
{
    return IntExcFileRecordTypeName(IgArRecordType(Shape));
}

/* One document {"Type", "Exceptions", "Signatures"} (Exceptions and Signatures taken over; either may be NULL). */
static json_object *IgArDocument(const char *Kind, json_object *Exceptions, json_object *Signatures)
{
    json_object *doc = json_object_new_object();

    if (Kind)
    {
        json_object_object_add(doc, "Type", json_object_new_string(Kind));
    }
    if (Exceptions)
    {
        json_object_object_add(doc, "Exceptions", Exceptions);
    }
    if (Signatures)
    {
        json_object_object_add(doc, "Signatures", Signatures);
    }
    return doc;
}

/* The entry of rule Index in its checked form (named if that compiles back, else raw); NULL if neither does. */
static json_object *IgArCheckedEntry(const IG_ALERT_RULE *R, size_t Index, json_object **Sigs)
{
    for (int raw = 0; raw < 2; raw++)
    {
        json_object *sigs = json_object_new_array();
        json_object *entry = IgArException(R, Index, raw != 0, sigs);
        json_object *list = json_object_new_array();
        json_object *doc;
        bool same;

        json_object_array_add(list, json_object_get(entry));
        doc = IgArDocument(IgArKindName(R->Exception.Shape), list, json_object_get(sigs));
        same = IgArCompilesTo(&R->Exception, doc);
        json_object_put(doc);
        if (same)
        {
            *Sigs = sigs;
            return entry;
        }
        json_object_put(entry);
        json_object_put(sigs);
    }
    *Sigs = NULL;
    return NULL;
}

INTSTATUS IgArRulesJson(const IG_ALERT_RULES *Rules, IG_TEXT *Out, FILE *Err)
{
    json_object *kinds[3] = {NULL, NULL, NULL}; /* Exceptions by shape */
    json_object *signatures = json_object_new_array();
    json_object *root = NULL;
    size_t used = 0;
    const char *text;

    for (size_t i = 0; i < Rules->Count; i++)
    {
        const IG_ALERT_RULE *r = &Rules->Items[i];
        json_object *sigs = NULL;
        json_object *entry = IgArCheckedEntry(r, i, &sigs);
        size_t k = r->Exception.Shape - 1;

        if (!entry)
        {
            IgToolError(Err, NULL,
                        "the %s exception 0x%08X -> 0x%08X (object type %u) has no JSON form the compiler "
                        "reproduces: left out",
                        IgArKindName(r->Exception.Shape), r->Exception.Originator, r->Exception.Victim,
                        r->Exception.ObjectType);
            continue;
        }
        kinds[k] = kinds[k] ? kinds[k] : json_object_new_array();
        json_object_array_add(kinds[k], entry);
        for (size_t s = 0; s < json_object_array_length(sigs); s++)
        {
            json_object_array_add(signatures, json_object_get(json_object_array_get_idx(sigs, s)));
        }
        json_object_put(sigs);
    }
    for (size_t k = 0; k < 3; k++)
    {
        used += kinds[k] != NULL;
    }
    if (used <= 1)
    {
        size_t k = kinds[0] ? 0 : kinds[1] ? 1 : kinds[2] ? 2 : 0;

        root = IgArDocument(IgArKindName((uint32_t)k + 1), kinds[k] ? kinds[k] : json_object_new_array(),
                            json_object_array_length(signatures) ? json_object_get(signatures) : NULL);
    }
    else
    {
        root = json_object_new_array();
        if (json_object_array_length(signatures))
        {
            json_object_array_add(root, IgArDocument(NULL, NULL, json_object_get(signatures)));
        }
        for (size_t k = 0; k < 3; k++)
        {
            if (kinds[k])
            {
                json_object_array_add(root, IgArDocument(IgArKindName((uint32_t)k + 1), kinds[k], NULL));
            }
        }
    }
    json_object_put(signatures);
    text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text)
    {
        IgTextAppend(Out, "%s\n", text);
    }
    json_object_put(root);
    return text && !Out->Failed ? INT_STATUS_SUCCESS : INT_STATUS_INSUFFICIENT_RESOURCES;
}

/* ---- An alert's exception ------------------------------------------------------------------------------------ */

INTSTATUS IgArAlertException(const uint8_t *Data, size_t Size, uint32_t Type, bool IsBlob, uint32_t Os,
                             INTRO_ALERT_EXCEPTION *Exception, IG_ALERT_NAME *Names, size_t *NameCount,
                             INTRO_ALERT_EXC_ERROR *Error)
{
    uint8_t blob[ALERT_EXCEPTION_SIZE];
    const size_t flags = offsetof(INTRO_VIOLATION_HEADER, Flags);
    const size_t exec = offsetof(EVENT_MSR_VIOLATION, ExecContext);
    bool linuxAlert;
    bool guest64 = true;
    INTSTATUS status;

    *NameCount = 0;
    if (IsBlob)
    {
        return IntAlertExceptionDecode(Data, Size, (INTRO_EVENT_TYPE)Type, Exception, Error);
    }
    if (Size != IgArEventSize(Type))
    {
        /* The builder names the size problem. */
        return IntAlertExceptionBuild(Data, Size, (INTRO_EVENT_TYPE)Type, Os, true, blob, Error);
    }
    linuxAlert = (Data[flags] & (uint8_t)ALERT_FLAG_LINUX) != 0;
    Os = Os ? Os : linuxAlert ? INTRO_EXC_OS_LINUX : INTRO_EXC_OS_WINDOWS;
    if (Type == introEventMsrViolation || Type == introEventCrViolation || Type == introEventDtrViolation)
    {
        /* The guest's bitness, as far as the alert tells it: the code segment it ran in. */
        guest64 = Data[exec + offsetof(INTRO_EXEC_CONTEXT, CsType)] != IG_CS_TYPE_32B;
    }
    if (Names)
    {
        *NameCount = IgArAlertNames(Data, Size, Type, Os, Names, IG_ALERT_NAMES_PER_ALERT);
    }
    /* The alert's own blob when it has one: what AddExceptionFromAlert would be given. */
    if (INT_SUCCESS(IntAlertExceptionDecode(Data + offsetof(INTRO_VIOLATION_HEADER, Exception), ALERT_EXCEPTION_SIZE,
                                            (INTRO_EVENT_TYPE)Type, Exception, NULL)))
    {
        return INT_STATUS_SUCCESS;
    }
    status = IntAlertExceptionBuild(Data, Size, (INTRO_EVENT_TYPE)Type, Os, guest64, blob, Error);
    return INT_SUCCESS(status) ? IntAlertExceptionDecode(blob, sizeof(blob), (INTRO_EVENT_TYPE)Type, Exception, Error)
                               : status;
}
