/*
 * introguard replay traces: typed fields of a record — integers as "0x..." strings, booleans,
 * strings, objects, keywords and base64 buffers — each failure naming its field (trace_int.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace_int.h"

bool IgTraceFail(IG_PARSE *P, const char *Prefix, const char *Key, const char *Format, ...)
{
    va_list ap;

    if (P->Failed)
    {
        return false;
    }
    P->Failed = true;
    P->Error->Line = P->Trace->LineNumber;
    IgTraceJoin(P->Error->Field, sizeof(P->Error->Field), Prefix ? Prefix : "", Key ? Key : "");
    va_start(ap, Format);
    vsnprintf(P->Error->Message, sizeof(P->Error->Message), Format, ap);
    va_end(ap);
    return false;
}

const IG_JSON_VALUE *IgTraceField(const IG_JSON_VALUE *Obj, const char *Key)
{
    const IG_JSON_VALUE *v = Obj ? IgJsonGet(Obj, Key) : NULL;

    return v && v->Type != IgJsonNull ? v : NULL;
}

bool IgTraceHas(const IG_JSON_VALUE *Obj, const char *Key)
{
    return Obj && IgJsonGet(Obj, Key) != NULL;
}

bool IgTraceHex(const char *Text, uint64_t *Value)
{
    uint64_t v = 0;
    size_t n;

    if (Text[0] != '0' || (Text[1] != 'x' && Text[1] != 'X'))
    {
        return false;
    }
    n = strlen(Text + 2);
    if (n == 0 || n > 16)
    {
        return false;
    }
    for (size_t i = 0; i < n; i++)
    {
        char c = Text[2 + i];
        uint64_t d;

        if (c >= '0' && c <= '9')
        {
            d = (uint64_t)(c - '0');
        }
        else if (c >= 'a' && c <= 'f')
        {
            d = (uint64_t)(c - 'a' + 10);
        }
        else if (c >= 'A' && c <= 'F')
        {
            d = (uint64_t)(c - 'A' + 10);
        }
        else
        {
            return false;
        }
        v = (v << 4) | d;
    }
    *Value = v;
    return true;
}

/* A 64-bit value: "0x…" string, or a non-negative JSON integer that fits.  Returns false if absent or bad. */
bool IgTraceU64(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, uint64_t *Value,
                bool Required)
{
    const IG_JSON_VALUE *v = IgTraceField(Obj, Key);

    if (!v)
    {
        return Required ? IgTraceFail(P, Prefix, Key, "missing") : false;
    }
    if (v->Type == IgJsonString && IgTraceHex(v->Text, Value))
    {
        return true;
    }
    if (v->Type == IgJsonNumber && v->IsInteger && v->Integer >= 0)
    {
        *Value = (uint64_t)v->Integer;
        return true;
    }
    if (v->Type == IgJsonNumber && !v->IsInteger)
    {
        /* Beyond int64 or with a fraction: never clamped, never rounded. */
        return IgTraceFail(P, Prefix, Key, "%s is not an integer a JSON number can carry exactly: write \"0x...\"",
                           v->Text);
    }
    return IgTraceFail(P, Prefix, Key, "expected a \"0x...\" string of 1 to 16 hex digits or a non-negative integer");
}

bool IgTraceQword(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, QWORD *Value,
                  bool Required)
{
    uint64_t v = 0;

    if (!IgTraceU64(P, Obj, Prefix, Key, &v, Required))
    {
        return false;
    }
    *Value = v;
    return true;
}

bool IgTraceU32(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, uint32_t *Value,
                bool Required)
{
    uint64_t v = 0; /* gcc -O3 cannot see that IgTraceU64 sets it whenever it returns true */

    if (!IgTraceU64(P, Obj, Prefix, Key, &v, Required))
    {
        return false;
    }
    if (v > 0xFFFFFFFFull)
    {
        return IgTraceFail(P, Prefix, Key, "value 0x%llx does not fit in 32 bits", (unsigned long long)v);
    }
    *Value = (uint32_t)v;
    return true;
}

bool IgTraceBool(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, bool *Value)
{
    const IG_JSON_VALUE *v = IgTraceField(Obj, Key);

    if (!v)
    {
        return false;
    }
    if (v->Type != IgJsonBool)
    {
        return IgTraceFail(P, Prefix, Key, "expected true or false");
    }
    *Value = v->Bool;
    return true;
}

const char *IgTraceString(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, bool Required)
{
    const IG_JSON_VALUE *v = IgTraceField(Obj, Key);

    if (!v)
    {
        if (Required)
        {
            IgTraceFail(P, Prefix, Key, "missing");
        }
        return NULL;
    }
    if (v->Type != IgJsonString)
    {
        IgTraceFail(P, Prefix, Key, "expected a string");
        return NULL;
    }
    return v->Text;
}

const IG_JSON_VALUE *IgTraceObject(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key,
                                   bool *Null)
{
    const IG_JSON_VALUE *v = IgTraceField(Obj, Key);

    if (Null)
    {
        *Null = IgTraceHas(Obj, Key) && !v;
    }
    if (!v)
    {
        return NULL;
    }
    if (v->Type != IgJsonObject)
    {
        IgTraceFail(P, Prefix, Key, "expected an object");
        return NULL;
    }
    return v;
}

void IgTraceJoin(char *Out, size_t Size, const char *Prefix, const char *Key)
{
    /* "victim.zone", "victim.flags[1]", "memory.pages[0]" (an empty key names the prefix itself) */
    snprintf(Out, Size, "%s%s%s", Prefix, *Prefix && *Key && *Key != '[' ? "." : "", Key);
}

bool IgTraceKeyword(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key,
                    const INTRO_EXC_KEYWORD_TABLE *Table, uint64_t *Value, bool Required)
{
    const char *text = IgTraceString(P, Obj, Prefix, Key, Required);
    char allowed[256] = "";
    size_t at = 0;

    if (!text)
    {
        return false;
    }
    if (IntExcKeywordFind(Table, text, strlen(text), Value))
    {
        return true;
    }
    for (size_t i = 0; i < Table->Count && at + 1 < sizeof(allowed); i++)
    {
        int n = snprintf(allowed + at, sizeof(allowed) - at, "%s%s", i ? ", " : "", Table->Entries[i].Name);

        at = n > 0 ? at + (size_t)n : at;
    }
    return IgTraceFail(P, Prefix, Key, "unknown %s \"%s\" (%s)", Table->Name, text, allowed);
}

/* ---- base64 -------------------------------------------------------------------------------------------------- */

static int Base64Value(char C)
{
    if (C >= 'A' && C <= 'Z')
        return C - 'A';
    if (C >= 'a' && C <= 'z')
        return C - 'a' + 26;
    if (C >= '0' && C <= '9')
        return C - '0' + 52;
    if (C == '+')
        return 62;
    if (C == '/')
        return 63;
    return -1;
}

bool IgTraceBase64Into(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, uint8_t *Out,
                       uint32_t Max, uint32_t *Size)
{
    const char *text = IgTraceString(P, Obj, Prefix, Key, false);
    size_t n, o = 0;

    if (!text)
    {
        return false;
    }
    n = strlen(text);
    if (n % 4 != 0)
    {
        return IgTraceFail(P, Prefix, Key, "base64 length %zu is not a multiple of 4", n);
    }
    /* Padding makes the last group shorter: the decoded size is checked, not the text's. */
    if (n / 4 * 3 - (n && text[n - 1] == '=') - (n > 1 && text[n - 2] == '=') > Max)
    {
        return IgTraceFail(P, Prefix, Key, "buffer larger than %u bytes", Max);
    }
    for (size_t i = 0; i < n; i += 4)
    {
        int v[4];
        int pad = 0;

        for (int k = 0; k < 4; k++)
        {
            if (text[i + k] == '=' && i + 4 == n && k >= 2)
            {
                v[k] = 0;
                pad++;
            }
            else if (pad || (v[k] = Base64Value(text[i + k])) < 0)
            {
                return IgTraceFail(P, Prefix, Key, "invalid base64 at character %zu", i + (size_t)k);
            }
        }
        Out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
        if (pad < 2)
        {
            Out[o++] = (uint8_t)((v[1] << 4) | (v[2] >> 2));
        }
        if (pad < 1)
        {
            Out[o++] = (uint8_t)((v[2] << 6) | v[3]);
        }
    }
    *Size = (uint32_t)o;
    return true;
}

bool IgTraceBase64(IG_PARSE *P, const IG_JSON_VALUE *Obj, const char *Prefix, const char *Key, const void **Data,
                   uint32_t *Size)
{
    IG_TRACE *t = P->Trace;

    if (!IgTraceField(Obj, Key))
    {
        return false;
    }
    if (t->BufferUsed >= sizeof(t->Buffers) / sizeof(t->Buffers[0]))
    {
        return IgTraceFail(P, Prefix, Key, "too many buffers in one record");
    }
    if (!IgTraceBase64Into(P, Obj, Prefix, Key, t->Buffers[t->BufferUsed], IG_TRACE_MAX_BUFFER, Size))
    {
        return false;
    }
    *Data = t->Buffers[t->BufferUsed++];
    return true;
}
