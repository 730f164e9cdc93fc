/*
 * `dump`'s private interface: one walk of the records (dump_walk.c) decides which fields each record
 * has, in which order, and what they mean (special names, flag namespaces, object-type names); two
 * sinks only format them, as text (dump_text.c) or as JSON (dump_json.c).
 *
 * Keys are given in the text spelling ("object-type"); the JSON sink writes '-' as '_'.
 */
#ifndef INTROGUARD_TOOLS_DUMP_INT_H
#define INTROGUARD_TOOLS_DUMP_INT_H

#include "dump.h"
#include "records.h"

/* A version signature's bound, read both ways it can mean. */
typedef struct IG_DUMP_VERSION
{
    uint64_t Raw;
    bool Os;           /* OS version (else introcore version) */
    bool Wildcard;     /* Windows reading: the compiler's '*' (0 as minimum, 0xFFFF as maximum) */
    unsigned Linux[5]; /* version, patch, sublevel, backport, reserved */
    unsigned Intro[4]; /* major, minor, revision, build */
} IG_DUMP_VERSION;

/* What a sink does with each piece the walk hands it.  Context is the sink's own state. */
typedef struct IG_DUMP_SINK
{
    void *Context;
    /* Sha256: the file's SHA-256 in lower-case hex (what IntSetExceptionsDigest pins). */
    void (*Header)(void *Context, size_t FileSize, const char *Sha256, const INTRO_EXCFILE_HEADER *Header);
    void (*BeginRecord)(void *Context, const INTRO_EXCFILE_RECORD *Record);
    void (*EndRecord)(void *Context);
    /* Counts[t] records of type t; the kinds in IgDumpSummaryOrder, then the unknown ones. */
    void (*Summary)(void *Context, size_t Records, const uint32_t Counts[256], uint32_t Unknown);

    void (*Hash)(void *Context, const char *Key, uint32_t Value, const char *Special);
    /* Bits named by flag Namespaces, or (Names not NULL) by one table. */
    void (*Bits)(void *Context, const char *Key, uint32_t Value, unsigned Namespaces,
                 const INTRO_EXCFILE_KEYWORD_TABLE *Names);
    void (*Number)(void *Context, const char *Key, long long Value);
    /* A reserved or alignment field: text shows it as hex of Digits digits. */
    void (*Hex)(void *Context, const char *Key, uint32_t Value, int Digits);
    void (*Bytes)(void *Context, const char *Key, const uint8_t *Bytes, size_t Count);
    void (*ObjectType)(void *Context, uint8_t Value, const char *Name);
    /* A signature ID; Kind is its kind's name (NULL: an unknown type code).  Key NULL inside a list. */
    void (*SigId)(void *Context, const char *Key, uint32_t Id, const char *Kind);
    /* Glob patterns: whether they could be read, then each (not NUL-terminated, maybe not UTF-8). */
    void (*PatternsValid)(void *Context, bool Valid);
    void (*Pattern)(void *Context, const char *Key, const char *Text, size_t Length);
    void (*VersionBound)(void *Context, const char *Key, const IG_DUMP_VERSION *Bound);
    void (*CodePattern)(void *Context, const INTRO_EXCFILE_U16_ARRAY *Pattern);

    /* Lists: Total (when not NULL) is the number of hashes over all code-block lists. */
    void (*BeginList)(void *Context, const char *Key, uint32_t Count, const uint32_t *Total);
    void (*EndList)(void *Context);
    void (*HashList)(void *Context, uint32_t Index, const INTRO_EXCFILE_U32_ARRAY *Hashes);
    void (*ExportEntry)(void *Context, uint32_t Index, const INTRO_EXCFILE_EXPORT_ENTRY *Entry, const char *Special);
    void (*ValueEntry)(void *Context, uint32_t Index, const INTRO_EXCFILE_VALUE_ENTRY *Entry);
} IG_DUMP_SINK;

/*
 * Hands the header, every record and the summary of List to Sink, each once, in file order.  Flush
 * (may be NULL) is called after the header and after each record, so output can leave as it is made.
 */
void IgDumpWalk(const IG_RECORD_LIST *List, size_t FileSize, const char *Sha256, const IG_DUMP_SINK *Sink,
                void (*Flush)(void *Context), void *FlushContext);

/* Record kinds in the order the summary lists them (the compiler's section order). */
extern const uint8_t gIgDumpSummaryOrder[13];

/* A value-code pattern item as both outputs show it: "%02X", "??" (any byte) or "0x%04X". */
void IgDumpPatternItem(uint16_t Item, char Buffer[8]);

/* The sinks.  Text goes to Out as it is made; JSON is built per record and written to Out. */
typedef struct IG_DUMP_TEXT_SINK
{
    IG_TEXT *Out;
} IG_DUMP_TEXT_SINK;
void IgDumpTextSink(IG_DUMP_TEXT_SINK *State, IG_TEXT *Out, IG_DUMP_SINK *Sink);

typedef struct IG_DUMP_JSON_SINK
{
    IG_TEXT *Out;
    struct json_object *Record; /* the record being built */
    struct json_object *Fields; /* where fields go: the record or its "fields" */
    struct json_object *List;   /* the list being filled, or NULL */
    bool First;                 /* no record written yet */
} IG_DUMP_JSON_SINK;
void IgDumpJsonSink(IG_DUMP_JSON_SINK *State, IG_TEXT *Out, IG_DUMP_SINK *Sink);
/* Frees what a JSON sink still holds (after a failed walk). */
void IgDumpJsonSinkFree(IG_DUMP_JSON_SINK *State);

#endif /* INTROGUARD_TOOLS_DUMP_INT_H */
