/*
 * The compiler's messages and its typed access to JSON members (see compile_int.h): every value it
 * rejects is reported where it is, as "file:line:col: error: $.path: why".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"
#include "suggest.h"

/* ---- Byte buffer ------------------------------------------------------------------------------------------ */

void IgCbufReserve(IG_CBUF *B, size_t More)
{
    size_t need;
    size_t cap;
    uint8_t *n;

    if (B->Failed || __builtin_add_overflow(B->Size, More, &need))
    {
        B->Failed = true;
        return;
    }
    if (need <= B->Cap)
    {
        return;
    }
    cap = B->Cap ? B->Cap : 256;
    while (cap < need)
    {
        if (__builtin_mul_overflow(cap, 2, &cap))
        {
            B->Failed = true;
            return;
        }
    }
    n = realloc(B->Data, cap);
    if (n == NULL)
    {
        B->Failed = true;
        return;
    }
    B->Data = n;
    B->Cap = cap;
}

void IgCbufPut(IG_CBUF *B, const void *Data, size_t Size)
{
    IgCbufReserve(B, Size);
    if (!B->Failed && Size)
    {
        memcpy(B->Data + B->Size, Data, Size);
        B->Size += Size;
    }
}

void IgCbufPrintf(IG_CBUF *B, const char *Format, ...)
{
    va_list ap;
    char small[512];
    int n;

    va_start(ap, Format);
    n = vsnprintf(small, sizeof(small), Format, ap);
    va_end(ap);
    if (n < 0)
    {
        return;
    }
    if ((size_t)n < sizeof(small))
    {
        IgCbufPut(B, small, (size_t)n);
        return;
    }
    IgCbufReserve(B, (size_t)n + 1);
    if (B->Failed)
    {
        return;
    }
    va_start(ap, Format);
    vsnprintf((char *)B->Data + B->Size, (size_t)n + 1, Format, ap);
    va_end(ap);
    B->Size += (size_t)n;
}

/* ---- Messages --------------------------------------------------------------------------------------------- */

void IgCcReport(IG_CC *C, IG_CSEV Severity, size_t Source, const IG_JSON_VALUE *Node, const char *Format, ...)
{
    char path[256];
    char text[768];
    va_list ap;
    const char *sev = Severity == IgSevError ? "error" : (Severity == IgSevWarning ? "warning" : "note");
    const char *name;

    if (Severity == IgSevWarning && C->Options->Strict)
    {
        Severity = IgSevError;
        sev = "error (--strict)";
    }
    if (Severity == IgSevError)
    {
        C->Errors++;
        if (C->Errors > IG_COMPILE_MAX_ERRORS)
        {
            return;
        }
    }
    else if (Severity == IgSevWarning)
    {
        C->Warnings++;
    }
    va_start(ap, Format);
    vsnprintf(text, sizeof(text), Format, ap);
    va_end(ap);
    name = Source < C->SourceCount ? C->Sources[Source].Name : "<input>";
    if (Node)
    {
        IgCbufPrintf(&C->Messages, "%s:%u:%u: %s: %s: %s\n", name, Node->Line, Node->Column, sev,
                     IgJsonPath(Node, path, sizeof(path)), text);
    }
    else
    {
        IgCbufPrintf(&C->Messages, "%s: %s: %s\n", name, sev, text);
    }
}

const char *IgCcSuggest(char *Buffer, size_t Size, const char *Nearest)
{
    if (Nearest == NULL)
    {
        Buffer[0] = 0;
    }
    else
    {
        snprintf(Buffer, Size, " (did you mean '%s'?)", Nearest);
    }
    return Buffer;
}

/* ---- Typed member access ---------------------------------------------------------------------------------- */

const IG_JSON_VALUE *IgCcMember(const IG_JSON_VALUE *Object, const char *Key)
{
    const IG_JSON_VALUE *v = IgJsonGet(Object, Key);
    return (v && v->Type != IgJsonNull) ? v : NULL;
}

bool IgCcString(IG_CC *C, const IG_JSON_VALUE *Object, const char *Key, const IG_JSON_VALUE **Out)
{
    const IG_JSON_VALUE *v = IgCcMember(Object, Key);

    *Out = NULL;
    if (v == NULL)
    {
        return true;
    }
    if (v->Type != IgJsonString)
    {
        IG_ERR(C, v, "expected a string, found %s", IgJsonTypeName(v->Type));
        return false;
    }
    *Out = v;
    return true;
}

bool IgCcPresent(const IG_JSON_VALUE *V)
{
    return V != NULL && V->Length > 0;
}

bool IgCcInteger(IG_CC *C, const IG_JSON_VALUE *V, int64_t Min, int64_t Max, int64_t *Out)
{
    if (V->Type != IgJsonNumber)
    {
        IG_ERR(C, V, "expected an integer, found %s", IgJsonTypeName(V->Type));
        return false;
    }
    if (!V->IsInteger)
    {
        if (strpbrk(V->Text, ".eE"))
        {
            IG_ERR(C, V, "expected an integer, found %s", V->Text);
        }
        else
        {
            IG_ERR(C, V, "number %s out of range (%lld..%lld)", V->Text, (long long)Min, (long long)Max);
        }
        return false;
    }
    if (V->Integer < Min || V->Integer > Max)
    {
        IG_ERR(C, V, "number %lld out of range (%lld..%lld)", (long long)V->Integer, (long long)Min, (long long)Max);
        return false;
    }
    *Out = V->Integer;
    return true;
}

static int IgHexDigit(char c)
{
    if (c >= '0' && c <= '9')
    {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f')
    {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F')
    {
        return c - 'A' + 10;
    }
    return -1;
}

bool IgCcHex(IG_CC *C, const IG_JSON_VALUE *V, uint64_t Max, uint64_t *Out)
{
    const char *s;
    size_t n;
    uint64_t v = 0;

    if (V->Type != IgJsonString)
    {
        IG_ERR(C, V, "expected a hex string such as \"0x1f\", found %s", IgJsonTypeName(V->Type));
        return false;
    }
    s = V->Text;
    n = V->Length;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
        s += 2;
        n -= 2;
    }
    if (n == 0)
    {
        IG_ERR(C, V, "bad hex number \"%.40s\": no digits", V->Text);
        return false;
    }
    for (size_t i = 0; i < n; i++)
    {
        int d = IgHexDigit(s[i]);

        if (d < 0)
        {
            IG_ERR(C, V, "bad hex number \"%.40s\": '%c' is not a hex digit", V->Text,
                   (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?');
            return false;
        }
        if (v > (Max >> 4) || ((v << 4) | (unsigned)d) > Max)
        {
            IG_ERR(C, V, "hex number \"%.40s\" out of range (at most 0x%llX)", V->Text, (unsigned long long)Max);
            return false;
        }
        v = (v << 4) | (unsigned)d;
    }
    *Out = v;
    return true;
}

bool IgCcRaw32(IG_CC *C, const IG_JSON_VALUE *V, uint32_t *Out)
{
    uint64_t v;

    if (!IgCcHex(C, V, 0xFFFFFFFFu, &v))
    {
        return false;
    }
    *Out = (uint32_t)v;
    return true;
}

bool IgCcArray(IG_CC *C, const IG_JSON_VALUE *Object, const char *Key, bool Required, const IG_JSON_VALUE **Out)
{
    const IG_JSON_VALUE *v = IgCcMember(Object, Key);

    *Out = NULL;
    if (v == NULL)
    {
        if (Required)
        {
            IG_ERR(C, Object, "missing \"%s\" (an array)", Key);
            return false;
        }
        return true;
    }
    if (v->Type != IgJsonArray)
    {
        IG_ERR(C, v, "expected an array, found %s", IgJsonTypeName(v->Type));
        return false;
    }
    *Out = v;
    return true;
}

void IgCcUnknownKeys(IG_CC *C, const IG_JSON_VALUE *Object, const char *const *Known, size_t KnownCount)
{
    const IG_JSON_VALUE *dup = IgJsonFindDuplicate(Object);

    if (dup)
    {
        IG_WARN(C, dup, "duplicate key \"%.40s\": the last one is used", dup->Key);
    }
    for (size_t i = 0; i < Object->Count; i++)
    {
        const IG_JSON_VALUE *m = Object->Items[i];
        bool known = false;

        for (size_t k = 0; k < KnownCount && !known; k++)
        {
            known = strlen(Known[k]) == m->KeyLength && memcmp(Known[k], m->Key, m->KeyLength) == 0;
        }
        if (!known)
        {
            char sug[96];
            IG_WARN(C, m, "unknown key \"%.40s\" is ignored%s", m->Key,
                    IgCcSuggest(sug, sizeof(sug), IgSuggestOf(Known, KnownCount, m->Key, m->KeyLength, 0)));
        }
    }
}

/* ---- Flags strings ---------------------------------------------------------------------------------------- */

/* How messages name a flag namespace ("it is a kernel-mode flag"). */
static const char *IgFlagNamespaceName(unsigned Ns)
{
    switch (Ns)
    {
        case INTRO_EXCFILE_FLAGS_COMMON:
            return "common";
        case INTRO_EXCFILE_FLAGS_KERNEL:
            return "kernel-mode";
        case INTRO_EXCFILE_FLAGS_USER:
            return "user-mode";
        case INTRO_EXCFILE_FLAGS_KERNEL_USER:
            return "kernel-user";
        default:
            return "signature";
    }
}

/* Reports a word that no accepted namespace has: a flag of another kind, or no flag at all. */
static void IgCcBadFlag(IG_CC *C, const IG_JSON_VALUE *V, unsigned Accepted, const char *Kind, const char *Word,
                        size_t Length)
{
    uint32_t bit;
    char sug[96];

    if (IntExcFileFlagFind(INTRO_EXCFILE_FLAGS_ALL, Word, Length, &bit))
    {
        unsigned owner = 0;

        for (unsigned ns = 1; ns <= INTRO_EXCFILE_FLAGS_SIGNATURE && !owner; ns <<= 1)
        {
            owner = IntExcFileFlagFind(ns, Word, Length, &bit) ? ns : 0;
        }
        IG_ERR(C, V, "flag '%.*s' is not valid for %s (it is a %s flag)%s", (int)Length, Word, Kind,
               IgFlagNamespaceName(owner), IgCcSuggest(sug, sizeof(sug), IgSuggestFlag(Accepted, Word, Length, 0)));
    }
    else
    {
        IG_ERR(C, V, "unknown flag '%.*s'%s", (int)Length, Word,
               IgCcSuggest(sug, sizeof(sug), IgSuggestFlag(Accepted, Word, Length, 0)));
    }
}

/* Splits the flags string on single spaces (hvmi's rule: an empty word is an error). */
static bool IgCcFlagWords(IG_CC *C, const IG_JSON_VALUE *V, unsigned Accepted, const char *Kind, IG_CFLAGS *F)
{
    const char *s = V->Text;
    size_t n = V->Length;
    size_t start = 0;
    bool ok = true;

    for (size_t i = 0; i <= n; i++)
    {
        const char *word = s + start;
        size_t len = i - start;
        uint32_t bit;

        if (i < n && s[i] != ' ')
        {
            continue;
        }
        start = i + 1;
        if (len == 0)
        {
            IG_ERR(C, V, "empty flag in \"%.60s\": flags are separated by exactly one space", s);
            return false;
        }
        if (F->Words.Count >= IG_FLAG_WORDS_MAX)
        {
            IG_ERR(C, V, "more than %u flags", IG_FLAG_WORDS_MAX);
            return false;
        }
        if (!IntExcFileFlagFind(Accepted, word, len, &bit))
        {
            IgCcBadFlag(C, V, Accepted, Kind, word, len);
            ok = false;
            continue;
        }
        F->Words.Word[F->Words.Count] = word;
        F->Words.Length[F->Words.Count] = len;
        F->Words.Count++;
        F->Bits |= bit;
    }
    return ok;
}

bool IgCcFlags(IG_CC *C, const IG_JSON_VALUE *Entry, unsigned Accepted, uint32_t DefaultBits, bool EmptyIsDefault,
               const char *Kind, IG_CFLAGS *F)
{
    const IG_JSON_VALUE *raw = IgCcMember(Entry, "flags_raw");
    const IG_JSON_VALUE *v;

    memset(F, 0, sizeof(*F));
    if (!IgCcString(C, Entry, "flags", &v))
    {
        return false;
    }
    if (raw)
    {
        if (v)
        {
            IG_ERR(C, raw, "\"flags_raw\" and \"flags\" are both given; use one");
            return false;
        }
        F->Raw = true;
        return IgCcRaw32(C, raw, &F->Bits);
    }
    if (v != NULL && !(EmptyIsDefault && v->Length == 0))
    {
        if (v->Length == 0)
        {
            IG_ERR(C, v, "empty flags string (omit \"flags\" for the default \"32 64\")");
            return false;
        }
        if (!IgCcFlagWords(C, v, Accepted, Kind, F))
        {
            return false;
        }
    }
    IgRulesDefaultArch(&F->Words, DefaultBits, &F->Bits);
    return true;
}

bool IgCcFlagSet(const IG_CFLAGS *F, unsigned Namespaces, const char *Name)
{
    uint32_t bit;

    if (!F->Raw)
    {
        return IgFlagWordsHave(&F->Words, Name);
    }
    return IntExcFileFlagFind(Namespaces, Name, strlen(Name), &bit) && (F->Bits & bit) == bit;
}
