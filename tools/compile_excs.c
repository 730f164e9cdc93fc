/*
 * Pass 2 of the compiler: exceptions (spec §5.6-§5.8).  Each JSON entry is read, its signature
 * names resolved, its groups expanded field by field; every resulting exception is checked with
 * the rules of its kind and object type (exc_rules.h), completed with the compiler's defaults and
 * hashed into a record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"
#include "suggest.h"
#include "unicode_lower.h"

/* The field values of one exception before group expansion and hashing. */
typedef struct IG_CENTRY
{
    const INTRO_EXCFILE_EXCEPTION_KIND *Kind;
    const IG_JSON_VALUE *Node;
    const IG_JSON_VALUE *Field[3]; /* originator, victim, process (string nodes, or NULL) */
    const IG_JSON_VALUE *Hash[3];  /* *_hash extension nodes */
    const char *Text[3];           /* current values (a group member after expansion) */
    size_t Length[3];
    const char *ObjectName; /* NULL for an object_type_raw without a name */
    uint32_t Object;
    unsigned Rules; /* IgRulesOf the kind and object */
    IG_CFLAGS Flags;
    bool Linux;
    size_t SigOffset, SigCount; /* resolved IDs in C->SigPool, sorted */
    size_t Expanded;
} IG_CENTRY;

static const char *const gIgFieldKey[3] = {"originator", "victim", "process"};

static bool IgEntryHas(const IG_CENTRY *E, int Field)
{
    return E->Hash[Field] != NULL || E->Length[Field] > 0;
}

static const IG_JSON_VALUE *IgEntryNode(const IG_CENTRY *E, int Field)
{
    if (E->Hash[Field])
    {
        return E->Hash[Field];
    }
    return E->Field[Field] ? E->Field[Field] : E->Node;
}

/* Equality of a field's text with the special name Name, the way hvmi compares (after lower-casing).
 * Name is "-" or "*", which no character outside ASCII lower-cases to (tools/gen_unicode_lower.py
 * checks), so folding A-Z gives str.lower()'s answer. */
static bool IgEntryIs(const IG_CENTRY *E, int Field, const char *Name)
{
    size_t n = strlen(Name);

    if (E->Length[Field] != n)
    {
        return false;
    }
    for (size_t i = 0; i < n; i++)
    {
        char c = E->Text[Field][i];

        if (!E->Linux && c >= 'A' && c <= 'Z')
        {
            c = (char)(c - 'A' + 'a');
        }
        if (c != Name[i])
        {
            return false;
        }
    }
    return true;
}

/* ---- Checks and defaults per kind (spec §5.6) ---------------------------------------------------------- */

/* Completes named flags with the compiler's defaults; reports what its checks reject. */
static bool IgCcCompleteFlags(IG_CC *C, IG_CENTRY *E)
{
    const IG_JSON_VALUE *flags = IgCcMember(E->Node, "flags");
    const IG_JSON_VALUE *at = flags ? flags : E->Node;
    const char *o = E->ObjectName;

    if (E->Flags.Raw)
    {
        return true; /* flags_raw replaces the flags: no defaults, no checks (docs/json-format.md) */
    }
    switch (IgRulesCompleteFlags(E->Kind->RecordType, (uint8_t)E->Object, &E->Flags.Words, &E->Flags.Bits))
    {
        case IgFlagsOk:
            return true;
        case IgFlagsCr4NeedsSmepOrSmap:
            IG_ERR(C, at, "object type '%s' needs the flag 'smep' or 'smap'", o);
            return false;
        case IgFlagsReturnDrvObsolete:
            IG_ERR(C, at, "flag 'return-drv' is obsolete in kernel exceptions: use 'return' (it implies return-drv)");
            return false;
        case IgFlagsNeedsIntegrity:
            IG_ERR(C, E->Node, "object type '%s' needs the flag 'integrity'", o);
            return false;
        case IgFlagsNeedsExec:
            IG_ERR(C, at, "object type '%s' needs the flag 'exec'", o);
            return false;
        default: /* IgFlagsUserAndKernel */
            IG_ERR(C, at, "flags 'user' and 'kernel' exclude each other");
            return false;
    }
}

/* Kernel exceptions: which fields the object type needs, and when the originator is "-" by rule. */
static bool IgCcValidateKernel(IG_CC *C, IG_CENTRY *E)
{
    const char *o = E->ObjectName;
    bool hasO = IgEntryHas(E, 0), hasV = IgEntryHas(E, 1);
    bool integrity, dash;

    if (!hasO && !(E->Rules & IG_RULE_OPTIONAL_ORIGINATOR))
    {
        IG_ERR(C, E->Node, "missing \"originator\" (required for kernel exceptions of object type '%s')", o ? o : "?");
        return false;
    }
    if (!hasV && (E->Rules & IG_RULE_NEEDS_VICTIM))
    {
        IG_ERR(C, E->Node, "missing \"victim\" (required for object type '%s')", o);
        return false;
    }
    if (hasV && (E->Rules & IG_RULE_NO_VICTIM))
    {
        IG_ERR(C, IgEntryNode(E, 1), "object type '%s' takes no \"victim\"", o);
        return false;
    }
    if (!IgCcCompleteFlags(C, E))
    {
        return false;
    }
    integrity = IgCcFlagSet(&E->Flags, E->Kind->AcceptedFlags, "integrity");
    /* hvmi sets the originator to '-' for these; an explicit '-' gives the same bytes and is accepted
     * so decompiled files compile. */
    dash = E->Hash[0] ? false : IgEntryIs(E, 0, "-");
    if (!integrity && (E->Rules & IG_RULE_NEEDS_INTEGRITY))
    {
        /* Only with flags_raw (named flags were checked): the rule does not apply and such a record
         * names its originator. */
        if (!hasO)
        {
            IG_ERR(C, E->Node, "missing \"originator\" (object type '%s' without 'integrity' needs one)", o);
            return false;
        }
    }
    else if (integrity && (E->Rules & IG_RULE_INTEGRITY_DASH))
    {
        if (hasO && !dash && !E->Hash[0])
        {
            IG_ERR(C, IgEntryNode(E, 0), "object type '%s' with 'integrity' takes no \"originator\"", o);
            return false;
        }
        if (!E->Hash[0])
        {
            E->Text[0] = "-";
            E->Length[0] = 1;
        }
    }
    else if ((E->Rules & IG_RULE_OPTIONAL_ORIGINATOR) && !hasO &&
             !(E->Linux && E->Object == INTRO_EXCFILE_KM_OBJ_SUD_MODIFICATION))
    {
        IG_ERR(C, E->Node, "missing \"originator\" (%s without 'integrity' needs one)", o);
        return false;
    }
    return true;
}

static bool IgCcValidateKernelUser(IG_CC *C, IG_CENTRY *E)
{
    if (!IgEntryHas(E, 0))
    {
        IG_ERR(C, E->Node, "missing \"originator\" (required for kernel-user exceptions)");
        return false;
    }
    if (!IgEntryHas(E, 1))
    {
        IG_ERR(C, E->Node, "missing \"victim\" (required for kernel-user exceptions)");
        return false;
    }
    return IgCcCompleteFlags(C, E);
}

/* User, user-APC and glob exceptions. */
static bool IgCcValidateUser(IG_CC *C, IG_CENTRY *E)
{
    const char *o = E->ObjectName;
    bool hasV = IgEntryHas(E, 1), hasP = IgEntryHas(E, 2);

    if (!IgEntryHas(E, 0))
    {
        IG_ERR(C, E->Node, "missing \"originator\" (required for %s exceptions)", E->Kind->Name);
        return false;
    }
    if (!hasV && (E->Rules & IG_RULE_NEEDS_VICTIM))
    {
        IG_ERR(C, E->Node, "missing \"victim\" (required for object type '%s')", o);
        return false;
    }
    /* hvmi forbids any victim on nx_zone for APC and glob, "*" included; "*" gives the same bytes as
     * no victim, so it is accepted for every kind (decompile writes it). */
    if (hasV && (E->Rules & IG_RULE_NO_VICTIM) && (E->Hash[1] || !IgEntryIs(E, 1, "*")))
    {
        IG_ERR(C, IgEntryNode(E, 1), "object type '%s' takes no \"victim\" (other than \"*\")", o);
        return false;
    }
    if (!hasP && (E->Rules & IG_RULE_NEEDS_PROCESS))
    {
        IG_ERR(C, E->Node, "missing \"process\" (required for object type '%s')", o);
        return false;
    }
    /* hvmi also rejects "process": "*" here; it gives the same bytes as no process, so it is
     * accepted (decompile writes it for glob records). */
    if (hasP && (E->Rules & IG_RULE_NO_PROCESS) && (E->Hash[2] || !IgEntryIs(E, 2, "*")))
    {
        IG_ERR(C, IgEntryNode(E, 2), "object type '%s' takes no \"process\"", o);
        return false;
    }
    return IgCcCompleteFlags(C, E);
}

static bool IgCcValidate(IG_CC *C, IG_CENTRY *E)
{
    switch (E->Kind->RecordType)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            return IgCcValidateKernel(C, E);
        case INTRO_EXCFILE_REC_KERNEL_USER:
            return IgCcValidateKernelUser(C, E);
        default:
            return IgCcValidateUser(C, E);
    }
}

/* ---- Records ------------------------------------------------------------------------------------------ */

static bool IgCcPushExc(IG_CC *C, const IG_CEXC *X)
{
    if (C->ExcCount == C->ExcCap)
    {
        size_t cap = C->ExcCap ? C->ExcCap * 2 : 256;
        IG_CEXC *n = realloc(C->Excs, cap * sizeof(*n));

        if (n == NULL)
        {
            C->OutOfMemory = true;
            return false;
        }
        C->Excs = n;
        C->ExcCap = cap;
    }
    C->Excs[C->ExcCount] = *X;
    C->Excs[C->ExcCount].Order = C->ExcCount;
    C->ExcCount++;
    return true;
}

/* A glob record keeps its patterns as written; each must fit hvmi's limits. */
static bool IgCcEmitGlob(IG_CC *C, IG_CENTRY *E, IG_CEXC *X)
{
    INTRO_EXCFILE_TEXT *patterns[3] = {&X->u.Glob.Originator, &X->u.Glob.Victim, &X->u.Glob.Process};

    X->u.Glob.Flags = E->Flags.Bits;
    X->u.Glob.ObjectType = (uint8_t)E->Object;
    for (int k = 0; k < 3; k++)
    {
        const char *s = E->Length[k] ? E->Text[k] : "*";
        size_t n = E->Length[k] ? E->Length[k] : 1;

        if (E->Length[k] && IgRulesGlobLength(s, n) > IG_RULE_GLOB_MAX_CHARS)
        {
            IG_ERR(C, IgEntryNode(E, k),
                   "glob pattern \"%.60s\" is too long: at most %u characters, where a [class] or '?' counts as one", s,
                   IG_RULE_GLOB_MAX_CHARS);
            return false;
        }
        if (n > INTRO_EXCFILE_GLOB_PATTERN_MAX - 1)
        {
            IG_ERR(C, IgEntryNode(E, k), "glob pattern is %zu bytes; the loader takes at most %u", n,
                   INTRO_EXCFILE_GLOB_PATTERN_MAX - 1);
            return false;
        }
        patterns[k]->Text = s;
        patterns[k]->Length = n;
    }
    X->GlobLeads = IntExcFileGlobLeads(E->Text[0], E->Length[0]);
    return IgCcPushExc(C, X);
}

/* How each name field of a non-glob record is hashed (spec §4.4). */
static void IgCcNameRules(const IG_CENTRY *E, IG_NAME_RULE Rule[3])
{
    const unsigned ns = E->Kind->AcceptedFlags;
    const uint8_t rt = E->Kind->RecordType;
    const bool lower = !E->Linux;
    const bool lx = E->Linux;
    const IG_NAME_RULE kernelWide = {INTRO_EXCFILE_SPECIAL_KERNEL, lower, true, 0, false, lx};

    if (rt == INTRO_EXCFILE_REC_KERNEL)
    {
        Rule[0] = kernelWide;
        if (E->Rules & IG_RULE_VERBATIM_VICTIM)
        {
            Rule[1] = (IG_NAME_RULE){INTRO_EXCFILE_SPECIAL_KERNEL, false, false, 0, false, lx};
        }
        else if (E->Rules & IG_RULE_NARROW_VICTIM)
        {
            Rule[1] = (IG_NAME_RULE){INTRO_EXCFILE_SPECIAL_KERNEL, lower, false, 14, false, lx};
        }
        else
        {
            Rule[1] = kernelWide;
        }
    }
    else if (rt == INTRO_EXCFILE_REC_KERNEL_USER)
    {
        Rule[0] = IgCcFlagSet(&E->Flags, ns, "user")
                      ? (IG_NAME_RULE){INTRO_EXCFILE_SPECIAL_USER, lower, false, 14, false, lx}
                      : kernelWide;
        Rule[1] = (IG_NAME_RULE){INTRO_EXCFILE_SPECIAL_USER, lower, true, 0, false, lx};
        Rule[2] = (IG_NAME_RULE){INTRO_EXCFILE_SPECIAL_USER, lower, false, 14, false, lx};
    }
    else
    {
        bool escapes = rt == INTRO_EXCFILE_REC_USER;
        unsigned trim = (rt == INTRO_EXCFILE_REC_USER && E->Linux) ? 15 : 14;
        bool narrowOrigin = !IgCcFlagSet(&E->Flags, ns, "module-load") && (E->Rules & IG_RULE_NARROW_ORIGINATOR) != 0;
        bool narrowVictim = (E->Rules & IG_RULE_NARROW_VICTIM) != 0;
        const IG_NAME_RULE narrow = {INTRO_EXCFILE_SPECIAL_USER, lower, false, trim, escapes, lx};
        const IG_NAME_RULE wide = {INTRO_EXCFILE_SPECIAL_USER, lower, true, 0, escapes, lx};

        Rule[0] = narrowOrigin ? narrow : wide;
        Rule[1] = narrowVictim ? narrow : wide;
        Rule[2] = (IG_NAME_RULE){INTRO_EXCFILE_SPECIAL_USER, lower, false, 14, escapes, lx};
    }
}

/* The value of name field Field: its *_hash, its default when absent, or its hashed text. */
static bool IgCcFieldValue(IG_CC *C, IG_CENTRY *E, int Field, const IG_NAME_RULE *Rule, uint32_t *Out)
{
    uint8_t rt = E->Kind->RecordType;
    const char *s = E->Text[Field];
    size_t n = E->Length[Field];

    if (E->Hash[Field])
    {
        return IgCcRaw32(C, E->Hash[Field], Out);
    }
    if (n == 0)
    {
        /* Absent: no originator (KM sud-modification under linux) is no name; the victim is '*'; a
         * user or APC process is 0, a kernel-user one '*'. */
        if (Field == 0)
        {
            *Out = INTRO_EXCFILE_NO_NAME;
            return true;
        }
        if (Field == 2 && rt != INTRO_EXCFILE_REC_KERNEL_USER)
        {
            *Out = 0;
            return true;
        }
        s = "*";
        n = 1;
    }
    /* Only the kernel originator is path-stripped (§4.3). */
    if (rt == INTRO_EXCFILE_REC_KERNEL && Field == 0 && !IgCcStripPath(C, IgEntryNode(E, 0), &s, &n))
    {
        return false;
    }
    return IgCcHashName(C, IgEntryNode(E, Field), s, n, Rule, Out);
}

/* Hashes the fields of one (expanded) entry and appends its record. */
static bool IgCcEmit(IG_CC *C, IG_CENTRY *E)
{
    IG_CEXC x;
    IG_NAME_RULE rule[3];
    INTRO_EXCFILE_EXCEPTION *exc = &x.u.Exception;
    uint32_t *out[3] = {&exc->Originator, &exc->Victim, &exc->Process};
    int fields = E->Kind->RecordType == INTRO_EXCFILE_REC_KERNEL ? 2 : 3;

    memset(&x, 0, sizeof(x));
    x.RecordType = E->Kind->RecordType;
    x.SigOffset = E->SigOffset;
    x.SigCount = E->SigCount;
    x.Node = E->Node;
    x.Source = C->Current;
    if (++E->Expanded > IG_COMPILE_MAX_EXPANSION)
    {
        IG_ERR(C, E->Node, "group expansion produces more than %u records", IG_COMPILE_MAX_EXPANSION);
        return false;
    }
    if (x.RecordType == INTRO_EXCFILE_REC_USER_GLOB)
    {
        return IgCcEmitGlob(C, E, &x);
    }
    exc->ObjectType = (uint8_t)E->Object;
    exc->Flags = E->Flags.Bits;
    exc->OriginatorPath = INTRO_EXCFILE_NO_NAME; /* what hvmi's compiler writes in the kernel path slot */
    IgCcNameRules(E, rule);
    for (int k = 0; k < fields; k++)
    {
        if (!IgCcFieldValue(C, E, k, &rule[k], out[k]))
        {
            return false;
        }
    }
    return IgCcPushExc(C, &x);
}

/* ---- Groups (spec §5.7) ---------------------------------------------------------------------------------- */

static const INTRO_EXCFILE_GROUP *IgCcFindGroup(IG_CC *C, const IG_CENTRY *E, int Field)
{
    const INTRO_EXCFILE_GROUP *groups = C->Options->Groups;
    size_t count = C->Options->GroupCount;
    bool fold = !E->Linux && E->Kind->RecordType != INTRO_EXCFILE_REC_USER_GLOB;
    const char *text = E->Text[Field];
    size_t length = E->Length[Field];

    if (length < 2 || text[0] != '[')
    {
        return NULL;
    }
    if (fold)
    {
        /* hvmi compares the lower-cased value (str.lower()) with the group names. */
        if (length > SIZE_MAX / 2 || !IgCcScratch(C, IG_UNICODE_LOWER_MAX_BYTES(length)))
        {
            C->OutOfMemory = true;
            return NULL;
        }
        length = IgUnicodeLower(text, length, (char *)C->Scratch.Data, NULL);
        text = (const char *)C->Scratch.Data;
    }
    if (groups == NULL)
    {
        groups = IntExcFileGroups(&count);
    }
    for (size_t i = 0; i < count; i++)
    {
        if (strlen(groups[i].Name) == length && memcmp(groups[i].Name, text, length) == 0)
        {
            return &groups[i];
        }
    }
    return NULL;
}

/* Expands groups field by field (originator, victim, process; nested groups recursively), then
 * validates and emits each resulting exception.  hvmi expands in this order too (§5.7). */
static bool IgCcExpand(IG_CC *C, IG_CENTRY *E, int Field, unsigned Depth)
{
    int last = E->Kind->RecordType == INTRO_EXCFILE_REC_KERNEL ? 2 : 3;
    const INTRO_EXCFILE_GROUP *g;
    const char *saveText;
    size_t saveLength;
    bool ok = true;

    if (Field == last)
    {
        IG_CENTRY copy = *E;

        ok = IgCcValidate(C, &copy) && IgCcEmit(C, &copy);
        E->Expanded = copy.Expanded;
        return ok;
    }
    g = E->Hash[Field] ? NULL : IgCcFindGroup(C, E, Field);
    if (g == NULL)
    {
        return IgCcExpand(C, E, Field + 1, 0);
    }
    if (Depth >= IG_COMPILE_MAX_GROUP_DEPTH)
    {
        IG_ERR(C, IgEntryNode(E, Field), "groups nest deeper than %u levels (a group that contains itself?)",
               IG_COMPILE_MAX_GROUP_DEPTH);
        return false;
    }
    saveText = E->Text[Field];
    saveLength = E->Length[Field];
    for (size_t i = 0; i < g->Count && ok; i++)
    {
        E->Text[Field] = g->Members[i];
        E->Length[Field] = strlen(g->Members[i]);
        ok = IgCcExpand(C, E, Field, Depth + 1);
    }
    E->Text[Field] = saveText;
    E->Length[Field] = saveLength;
    return ok;
}

/* ---- Reading one entry ------------------------------------------------------------------------------------ */

/* originator, victim, process and their *_hash forms. */
static bool IgCcEntryNames(IG_CC *C, IG_CENTRY *E)
{
    const IG_JSON_VALUE *Node = E->Node;

    for (int k = 0; k < 3; k++)
    {
        char hashKey[32];

        snprintf(hashKey, sizeof(hashKey), "%s_hash", gIgFieldKey[k]);
        if (!IgCcString(C, Node, gIgFieldKey[k], &E->Field[k]))
        {
            return false;
        }
        E->Hash[k] = IgCcMember(Node, hashKey);
        if (E->Hash[k] && E->Kind->RecordType == INTRO_EXCFILE_REC_USER_GLOB)
        {
            IG_ERR(C, E->Hash[k], "glob exceptions hold strings, not hashes: use \"%s\"", gIgFieldKey[k]);
            return false;
        }
        if (E->Hash[k] && E->Field[k])
        {
            IG_ERR(C, E->Hash[k], "\"%s\" and \"%s\" are both given; use one", hashKey, gIgFieldKey[k]);
            return false;
        }
        if (E->Field[k])
        {
            E->Text[k] = E->Field[k]->Text;
            E->Length[k] = E->Field[k]->Length;
        }
    }
    if (E->Kind->RecordType == INTRO_EXCFILE_REC_KERNEL && (E->Field[2] || E->Hash[2]))
    {
        IG_WARN(C, E->Field[2] ? E->Field[2] : E->Hash[2], "kernel exceptions have no process: \"process\" is ignored");
        E->Field[2] = E->Hash[2] = NULL;
        E->Text[2] = NULL;
        E->Length[2] = 0;
    }
    return true;
}

/* "object_type" by name, or "object_type_raw" by number (its rules apply when the number has a name). */
static bool IgCcEntryObject(IG_CC *C, IG_CENTRY *E)
{
    const INTRO_EXCFILE_KEYWORD_TABLE *t = IntExcFileObjectTypes(E->Kind->ObjectTable);
    const IG_JSON_VALUE *obj, *objRaw;

    if (!IgCcString(C, E->Node, "object_type", &obj))
    {
        return false;
    }
    objRaw = IgCcMember(E->Node, "object_type_raw");
    if (obj && objRaw)
    {
        IG_ERR(C, objRaw, "\"object_type_raw\" and \"object_type\" are both given; use one");
        return false;
    }
    if (objRaw)
    {
        int64_t v;

        if (!IgCcInteger(C, objRaw, 0, 255, &v))
        {
            return false;
        }
        E->Object = (uint32_t)v;
        E->ObjectName = IntExcFileKeywordName(t, E->Object);
    }
    else if (!IgCcPresent(obj))
    {
        IG_ERR(C, obj ? obj : E->Node, "missing \"object_type\"");
        return false;
    }
    else if (!IntExcFileKeywordFind(t, obj->Text, obj->Length, &E->Object))
    {
        char sug[96];
        IG_ERR(C, obj, "unknown object_type '%.40s' for %s exceptions%s", obj->Text, E->Kind->Name,
               IgCcSuggest(sug, sizeof(sug), IgSuggestKeyword(t, obj->Text, obj->Length, 0)));
        return false;
    }
    else
    {
        E->ObjectName = obj->Text;
    }
    E->Rules = E->ObjectName ? IgRulesOf(E->Kind->RecordType, (uint8_t)E->Object) : 0;
    return true;
}

static int IgCmpU32(const void *A, const void *B)
{
    uint32_t a = *(const uint32_t *)A, b = *(const uint32_t *)B;
    return a < b ? -1 : (a > b);
}

/* Reports a signature name that no input defines, with the closest one that does. */
static void IgCcUnknownSig(IG_CC *C, const IG_JSON_VALUE *S)
{
    const char *best = NULL;
    unsigned bestD = IG_SUGGEST_FAR;
    char sug[128];

    for (size_t j = 0; j < C->SigCount; j++)
    {
        unsigned d = IgSuggestDistance(S->Text, S->Length, C->Sigs[j].Name, C->Sigs[j].NameLength);

        if (d < bestD)
        {
            bestD = d;
            best = C->Sigs[j].Name;
        }
    }
    IG_ERR(C, S, "no signature named '%.60s' is defined in any input%s", S->Text,
           IgCcSuggest(sug, sizeof(sug), bestD <= IgSuggestLimit(S->Length) ? best : NULL));
}

/* "signatures": resolved now (every signature of every source is known), the IDs sorted ascending. */
static bool IgCcEntrySigs(IG_CC *C, IG_CENTRY *E)
{
    const size_t maxSigs =
        (IG_COMPILE_MAX_RECORD - INTRO_EXCFILE_EXCEPTION_FIXED_SIZE - 3 * INTRO_EXCFILE_GLOB_PATTERN_MAX) / 4;
    const IG_JSON_VALUE *sigs;

    if (!IgCcArray(C, E->Node, "signatures", false, &sigs))
    {
        return false;
    }
    E->SigOffset = C->SigPool.Size / 4;
    if (!sigs)
    {
        return true;
    }
    if (sigs->Count > maxSigs)
    {
        IG_ERR(C, sigs, "more than %zu signatures in one exception", maxSigs);
        return false;
    }
    for (size_t i = 0; i < sigs->Count; i++)
    {
        const IG_JSON_VALUE *s = sigs->Items[i];
        IG_CSIG *sig;

        if (s->Type != IgJsonString)
        {
            IG_ERR(C, s, "expected a signature name (a string), found %s", IgJsonTypeName(s->Type));
            C->SigPool.Size = E->SigOffset * 4;
            return false;
        }
        sig = IgCcFindSig(C, s->Text, s->Length);
        if (sig == NULL)
        {
            IgCcUnknownSig(C, s);
            C->SigPool.Size = E->SigOffset * 4;
            return false;
        }
        sig->Used = true;
        IgCbufPut(&C->SigPool, &sig->Id, 4);
    }
    E->SigCount = sigs->Count;
    if (C->SigPool.Failed)
    {
        C->OutOfMemory = true;
        return false;
    }
    if (E->SigCount > 1)
    {
        /* An empty list has no pool yet (Data may be NULL): nothing to sort. */
        qsort(C->SigPool.Data + E->SigOffset * 4, E->SigCount, 4, IgCmpU32);
    }
    return true;
}

void IgCcException(IG_CC *C, const INTRO_EXCFILE_EXCEPTION_KIND *Kind, const IG_JSON_VALUE *Node)
{
    static const char *const keys[] = {"originator",   "victim",     "process",         "object_type",
                                       "flags",        "signatures", "originator_hash", "victim_hash",
                                       "process_hash", "flags_raw",  "object_type_raw"};
    IG_CENTRY e;
    char kindText[48];

    if (Node->Type != IgJsonObject)
    {
        IG_ERR(C, Node, "expected an exception object, found %s", IgJsonTypeName(Node->Type));
        return;
    }
    memset(&e, 0, sizeof(e));
    e.Kind = Kind;
    e.Node = Node;
    IgCcUnknownKeys(C, Node, keys, sizeof(keys) / sizeof(keys[0]));
    snprintf(kindText, sizeof(kindText), "%s exceptions", Kind->Name);
    if (!IgCcEntryNames(C, &e) || !IgCcEntryObject(C, &e) ||
        !IgCcFlags(C, Node, Kind->AcceptedFlags, INTRO_EXCFILE_FLG_DEFAULT_ARCH, false, kindText, &e.Flags))
    {
        return;
    }
    e.Linux = IgCcFlagSet(&e.Flags, Kind->AcceptedFlags, "linux");
    if (!IgCcEntrySigs(C, &e))
    {
        return;
    }
    /* The glob-character test runs on the fields as written (a missing victim counts as empty). */
    if (Kind->RecordType == INTRO_EXCFILE_REC_USER_GLOB &&
        !IgRulesGlobHasWildcard(e.Text[0] ? e.Text[0] : "", e.Length[0]) &&
        !IgRulesGlobHasWildcard(e.Text[1] ? e.Text[1] : "", e.Length[1]) &&
        !IgRulesGlobHasWildcard(e.Text[2] ? e.Text[2] : "", e.Length[2]))
    {
        IG_ERR(C, Node,
               "a user-glob-match exception needs a glob character (*, ?, [, ] or \\\\) in originator, "
               "victim or process");
        return;
    }
    (void)IgCcExpand(C, &e, 0, 0);
}
