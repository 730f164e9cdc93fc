/*
 * `dump --json`'s sink: one JSON document, each record built as a json-c object and written as soon
 * as it is complete, indented to sit inside the document.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "dump_int.h"

static IG_DUMP_JSON_SINK *IgState(void *Context)
{
    return (IG_DUMP_JSON_SINK *)Context;
}

static json_object *IgHex32(uint32_t Value)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "0x%08X", Value);
    return json_object_new_string(buf);
}

static json_object *IgHex64(uint64_t Value)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "0x%016llX", (unsigned long long)Value);
    return json_object_new_string(buf);
}

static json_object *IgByteArray(const uint8_t *Bytes, size_t Count)
{
    json_object *a = json_object_new_array();

    for (size_t i = 0; i < Count; i++)
    {
        json_object_array_add(a, json_object_new_int(Bytes[i]));
    }
    return a;
}

static json_object *IgHashObject(uint32_t Value, const char *Special)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "hash", IgHex32(Value));
    if (Special)
    {
        json_object_object_add(o, "special", json_object_new_string(Special));
    }
    return o;
}

/* Adds Value under Key (text spelling: '-' becomes '_') to the current object, or to the list. */
static void IgAdd(IG_DUMP_JSON_SINK *S, const char *Key, json_object *Value)
{
    char key[64];
    size_t i = 0;

    if (!Key)
    {
        json_object_array_add(S->List, Value);
        return;
    }
    for (; Key[i] && i < sizeof(key) - 1; i++)
    {
        key[i] = Key[i] == '-' ? '_' : Key[i];
    }
    key[i] = '\0';
    json_object_object_add(S->Fields, key, Value);
}

/* Writes Object pretty-printed, every line after the first indented by Indent spaces, so that pieces
 * printed one by one read as one document nested that deep. */
static void IgWriteJson(IG_TEXT *Out, json_object *Object, unsigned Indent)
{
    const char *s = json_object_to_json_string_ext(Object, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

    if (!s)
    {
        Out->Failed = true;
        return;
    }
    for (const char *line = s; *line;)
    {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);

        IgTextAppendBytes(Out, line, len);
        if (nl && nl[1])
        {
            IgTextAppend(Out, "%*s", (int)Indent, "");
        }
        line += len;
    }
}

static void IgJsonHeader(void *Context, size_t FileSize, const char *Sha256, const INTRO_EXCFILE_HEADER *H)
{
    IG_DUMP_JSON_SINK *s = IgState(Context);
    json_object *h = json_object_new_object();

    json_object_object_add(h, "magic", IgHex32(H->Magic));
    json_object_object_add(h, "major", json_object_new_int(H->Major));
    json_object_object_add(h, "minor", json_object_new_int(H->Minor));
    json_object_object_add(h, "kernel_count", json_object_new_int64(H->KernelCount));
    json_object_object_add(h, "user_count", json_object_new_int64(H->UserCount));
    json_object_object_add(h, "signature_count", json_object_new_int64(H->SignatureCount));
    json_object_object_add(h, "build", json_object_new_int64(H->BuildNumber));
    json_object_object_add(h, "glob_count", json_object_new_int64(H->GlobCount));
    json_object_object_add(h, "kernel_user_count", json_object_new_int64(H->KernelUserCount));
    json_object_object_add(h, "reserved", IgHex32(H->Reserved));
    IgTextAppend(s->Out, "{\n  \"size\":%zu,\n  \"sha256\":\"%s\",\n  \"header\":", FileSize, Sha256);
    IgWriteJson(s->Out, h, 2);
    json_object_put(h);
    IgTextAppend(s->Out, ",\n  \"records\":[");
    s->First = true;
}

static void IgJsonBeginRecord(void *Context, const INTRO_EXCFILE_RECORD *Record)
{
    IG_DUMP_JSON_SINK *s = IgState(Context);
    const char *name = IntExcFileRecordTypeName(Record->Type);

    s->Record = json_object_new_object();
    json_object_object_add(s->Record, "index", json_object_new_int64(Record->Index));
    json_object_object_add(s->Record, "offset", json_object_new_int64((int64_t)Record->Offset));
    json_object_object_add(s->Record, "type", json_object_new_int(Record->Type));
    json_object_object_add(s->Record, "kind", json_object_new_string(name ? name : "unknown"));
    json_object_object_add(s->Record, "size", json_object_new_int(Record->Size));
    s->Fields = s->Record;
    if (Record->Known)
    {
        /* The decoded fields get their own object so their names never collide with the above. */
        s->Fields = json_object_new_object();
        json_object_object_add(s->Record, "fields", s->Fields);
    }
}

static void IgJsonEndRecord(void *Context)
{
    IG_DUMP_JSON_SINK *s = IgState(Context);

    IgTextAppend(s->Out, "%s\n    ", s->First ? "" : ",");
    IgWriteJson(s->Out, s->Record, 4);
    json_object_put(s->Record);
    s->Record = s->Fields = NULL;
    s->First = false;
}

static void IgJsonSummary(void *Context, size_t Records, const uint32_t Counts[256], uint32_t Unknown)
{
    IG_DUMP_JSON_SINK *s = IgState(Context);
    json_object *counts = json_object_new_object();

    json_object_object_add(counts, "records", json_object_new_int64((int64_t)Records));
    for (size_t i = 0; i < sizeof(gIgDumpSummaryOrder); i++)
    {
        json_object_object_add(counts, IntExcFileRecordTypeName(gIgDumpSummaryOrder[i]),
                               json_object_new_int64(Counts[gIgDumpSummaryOrder[i]]));
    }
    json_object_object_add(counts, "unknown", json_object_new_int64(Unknown));
    IgTextAppend(s->Out, "\n  ],\n  \"counts\":"); /* a file holds at least one record */
    IgWriteJson(s->Out, counts, 2);
    json_object_put(counts);
    IgTextAppend(s->Out, "\n}\n");
}

static void IgJsonHash(void *Context, const char *Key, uint32_t Value, const char *Special)
{
    IgAdd(IgState(Context), Key, IgHashObject(Value, Special));
}

static void IgJsonBits(void *Context, const char *Key, uint32_t Value, unsigned Namespaces,
                       const INTRO_EXCFILE_KEYWORD_TABLE *Names)
{
    json_object *o = json_object_new_object();
    json_object *names = json_object_new_array();
    uint32_t unnamed = 0;

    for (unsigned bit = 0; bit < 32; bit++)
    {
        uint32_t mask = 1u << bit;
        const char *name = NULL;

        if (!(Value & mask))
        {
            continue;
        }
        name = Names ? IntExcFileKeywordName(Names, mask) : IntExcFileFlagName(Namespaces, mask);
        if (name)
        {
            json_object_array_add(names, json_object_new_string(name));
        }
        else
        {
            unnamed |= mask;
        }
    }
    json_object_object_add(o, "value", IgHex32(Value));
    json_object_object_add(o, "names", names);
    json_object_object_add(o, "unnamed", IgHex32(unnamed));
    IgAdd(IgState(Context), Key, o);
}

static void IgJsonNumber(void *Context, const char *Key, long long Value)
{
    IgAdd(IgState(Context), Key, json_object_new_int64(Value));
}

static void IgJsonHex(void *Context, const char *Key, uint32_t Value, int Digits)
{
    (void)Digits;
    IgAdd(IgState(Context), Key, json_object_new_int64(Value));
}

static void IgJsonBytes(void *Context, const char *Key, const uint8_t *Bytes, size_t Count)
{
    IgAdd(IgState(Context), Key, IgByteArray(Bytes, Count));
}

static void IgJsonObjectType(void *Context, uint8_t Value, const char *Name)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "value", json_object_new_int(Value));
    json_object_object_add(o, "name", Name ? json_object_new_string(Name) : NULL);
    IgAdd(IgState(Context), "object_type", o);
}

static void IgJsonSigId(void *Context, const char *Key, uint32_t Id, const char *Kind)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", IgHex32(Id));
    json_object_object_add(o, "type", Kind ? json_object_new_string(Kind) : NULL);
    json_object_object_add(o, "type_code", json_object_new_int((int32_t)INTRO_EXCFILE_SIG_ID_TYPE(Id)));
    json_object_object_add(o, "seq", json_object_new_int((int32_t)INTRO_EXCFILE_SIG_ID_SEQ(Id)));
    IgAdd(IgState(Context), Key, o);
}

static void IgJsonPatternsValid(void *Context, bool Valid)
{
    IgAdd(IgState(Context), "patterns_valid", json_object_new_boolean(Valid));
}

/* A glob pattern as a JSON string; one that is not UTF-8 cannot be, so it becomes null and its bytes
 * go into "<key>_bytes". */
static void IgJsonPattern(void *Context, const char *Key, const char *Text, size_t Length)
{
    char bytesKey[32];

    if (IgTextIsUtf8(Text, Length))
    {
        IgAdd(IgState(Context), Key, json_object_new_string_len(Text, (int)Length));
        return;
    }
    snprintf(bytesKey, sizeof(bytesKey), "%s_bytes", Key);
    IgAdd(IgState(Context), Key, NULL);
    IgAdd(IgState(Context), bytesKey, IgByteArray((const uint8_t *)Text, Length));
}

static void IgJsonVersionBound(void *Context, const char *Key, const IG_DUMP_VERSION *V)
{
    static const char *const linuxNames[5] = {"version", "patch", "sublevel", "backport", "reserved"};
    static const char *const introNames[4] = {"major", "minor", "revision", "build"};
    json_object *o = json_object_new_object();

    json_object_object_add(o, "raw", IgHex64(V->Raw));
    if (V->Os)
    {
        json_object *l = json_object_new_object();

        json_object_object_add(o, "windows_build", json_object_new_uint64(V->Raw));
        for (int i = 0; i < 5; i++)
        {
            json_object_object_add(l, linuxNames[i], json_object_new_int((int32_t)V->Linux[i]));
        }
        json_object_object_add(o, "linux", l);
    }
    else
    {
        for (int i = 0; i < 4; i++)
        {
            json_object_object_add(o, introNames[i], json_object_new_int((int32_t)V->Intro[i]));
        }
    }
    IgAdd(IgState(Context), Key, o);
}

static void IgJsonCodePattern(void *Context, const INTRO_EXCFILE_U16_ARRAY *Pattern)
{
    json_object *a = json_object_new_array();

    for (uint32_t i = 0; i < Pattern->Count; i++)
    {
        char item[8];

        IgDumpPatternItem(IntExcFileU16At(Pattern, i), item);
        json_object_array_add(a, json_object_new_string(item));
    }
    IgAdd(IgState(Context), "pattern", a);
}

static void IgJsonBeginList(void *Context, const char *Key, uint32_t Count, const uint32_t *Total)
{
    IG_DUMP_JSON_SINK *s = IgState(Context);

    (void)Count;
    (void)Total;
    s->List = json_object_new_array();
    IgAdd(s, Key, s->List);
}

static void IgJsonEndList(void *Context)
{
    IgState(Context)->List = NULL;
}

static void IgJsonHashList(void *Context, uint32_t Index, const INTRO_EXCFILE_U32_ARRAY *Hashes)
{
    json_object *list = json_object_new_array();

    (void)Index;
    for (uint32_t j = 0; j < Hashes->Count; j++)
    {
        json_object_array_add(list, IgHex32(IntExcFileU32At(Hashes, j)));
    }
    IgAdd(IgState(Context), NULL, list);
}

static void IgJsonExportEntry(void *Context, uint32_t Index, const INTRO_EXCFILE_EXPORT_ENTRY *Entry,
                              const char *Special)
{
    json_object *e = json_object_new_object();

    (void)Index;
    json_object_object_add(e, "delta", json_object_new_int(Entry->Delta));
    json_object_object_add(e, "reserved", IgByteArray(Entry->Reserved, sizeof(Entry->Reserved)));
    json_object_object_add(e, "name", IgHashObject(Entry->FunctionHash, Special));
    IgAdd(IgState(Context), NULL, e);
}

static void IgJsonValueEntry(void *Context, uint32_t Index, const INTRO_EXCFILE_VALUE_ENTRY *Entry)
{
    json_object *e = json_object_new_object();

    (void)Index;
    json_object_object_add(e, "offset", json_object_new_int(Entry->Offset));
    json_object_object_add(e, "size", json_object_new_int(Entry->Size));
    json_object_object_add(e, "reserved", IgByteArray(Entry->Reserved, sizeof(Entry->Reserved)));
    json_object_object_add(e, "hash", IgHex32(Entry->Hash));
    IgAdd(IgState(Context), NULL, e);
}

void IgDumpJsonSink(IG_DUMP_JSON_SINK *State, IG_TEXT *Out, IG_DUMP_SINK *Sink)
{
    memset(State, 0, sizeof(*State));
    State->Out = Out;
    State->First = true;
    memset(Sink, 0, sizeof(*Sink));
    Sink->Context = State;
    Sink->Header = IgJsonHeader;
    Sink->BeginRecord = IgJsonBeginRecord;
    Sink->EndRecord = IgJsonEndRecord;
    Sink->Summary = IgJsonSummary;
    Sink->Hash = IgJsonHash;
    Sink->Bits = IgJsonBits;
    Sink->Number = IgJsonNumber;
    Sink->Hex = IgJsonHex;
    Sink->Bytes = IgJsonBytes;
    Sink->ObjectType = IgJsonObjectType;
    Sink->SigId = IgJsonSigId;
    Sink->PatternsValid = IgJsonPatternsValid;
    Sink->Pattern = IgJsonPattern;
    Sink->VersionBound = IgJsonVersionBound;
    Sink->CodePattern = IgJsonCodePattern;
    Sink->BeginList = IgJsonBeginList;
    Sink->EndList = IgJsonEndList;
    Sink->HashList = IgJsonHashList;
    Sink->ExportEntry = IgJsonExportEntry;
    Sink->ValueEntry = IgJsonValueEntry;
}

void IgDumpJsonSinkFree(IG_DUMP_JSON_SINK *State)
{
    if (State && State->Record)
    {
        json_object_put(State->Record);
        State->Record = State->Fields = State->List = NULL;
    }
}
