/*
 * introguard replay traces: typed fields of a record: integers as "0x..." strings, booleans, strings,
 * objects and base64 buffers, each failure naming its field (see trace_int.h).
 */
#include "trace.h"

#include <json-c/json.h>
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
    snprintf(P->Error->Field, sizeof(P->Error->Field), "%s%s%s", Prefix ? Prefix : "",
             Prefix && *Prefix && Key ? "." : "", Key ? Key : "");
    va_start(ap, Format);
    vsnprintf(P->Error->Message, sizeof(P->Error->Message), Format, ap);
    va_end(ap);
    return false;
}

/* ---- typed field access -------------------------------------------------------------------------------- */

json_object *IgTraceField(json_object *Obj, const char *Key)
{
    json_object *v = NULL;

    return json_object_object_get_ex(Obj, Key, &v) ? v : NULL;
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

/* A 64-bit value: "0x…" string, or a small non-negative JSON integer.  Returns false if absent or bad. */
bool IgTraceU64(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, uint64_t *Value, bool Required)
{
    json_object *v = Obj ? IgTraceField(Obj, Key) : NULL;

    if (!v)
    {
        return Required ? IgTraceFail(P, Prefix, Key, "missing") : false;
    }
    if (json_object_is_type(v, json_type_string) && IgTraceHex(json_object_get_string(v), Value))
    {
        return true;
    }
    if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
    {
        *Value = (uint64_t)json_object_get_int64(v);
        return true;
    }
    return IgTraceFail(P, Prefix, Key, "expected a \"0x...\" string of 1 to 16 hex digits or a non-negative integer");
}

bool IgTraceU32(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, uint32_t *Value, bool Required)
{
    uint64_t v = 0; /* gcc -O3 cannot see that GetU64 sets it whenever it returns true */

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

bool IgTraceBool(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool *Value)
{
    json_object *v = Obj ? IgTraceField(Obj, Key) : NULL;

    if (!v)
    {
        return false;
    }
    if (!json_object_is_type(v, json_type_boolean))
    {
        return IgTraceFail(P, Prefix, Key, "expected true or false");
    }
    *Value = json_object_get_boolean(v);
    return true;
}

const char *IgTraceString(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool Required)
{
    json_object *v = Obj ? IgTraceField(Obj, Key) : NULL;

    if (!v)
    {
        if (Required)
        {
            IgTraceFail(P, Prefix, Key, "missing");
        }
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string))
    {
        IgTraceFail(P, Prefix, Key, "expected a string");
        return NULL;
    }
    return json_object_get_string(v);
}

/* An object-valued field: NULL when absent or JSON null; an error for anything else. */
json_object *IgTraceObject(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, bool *Null)
{
    json_object *v = Obj ? IgTraceField(Obj, Key) : NULL;

    if (Null)
    {
        *Null = Obj && json_object_object_get_ex(Obj, Key, NULL) && !v;
    }
    if (!v)
    {
        return NULL;
    }
    if (!json_object_is_type(v, json_type_object))
    {
        IgTraceFail(P, Prefix, Key, "expected an object");
        return NULL;
    }
    return v;
}

void IgTraceJoin(char *Out, size_t Size, const char *Prefix, const char *Key)
{
    snprintf(Out, Size, "%s%s%s", Prefix, *Prefix ? "." : "", Key);
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

bool IgTraceBase64(IG_PARSE *P, json_object *Obj, const char *Prefix, const char *Key, const void **Data,
                   uint32_t *Size)
{
    const char *text = IgTraceString(P, Obj, Prefix, Key, false);
    IG_TRACE *t = P->Trace;
    uint8_t *out;
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
    if (n / 4 * 3 > IG_TRACE_MAX_BUFFER || t->BufferUsed >= sizeof(t->Buffers) / sizeof(t->Buffers[0]))
    {
        return IgTraceFail(P, Prefix, Key, "buffer larger than %u bytes", IG_TRACE_MAX_BUFFER);
    }
    out = t->Buffers[t->BufferUsed++];
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
        out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
        if (pad < 2)
        {
            out[o++] = (uint8_t)((v[1] << 4) | (v[2] >> 2));
        }
        if (pad < 1)
        {
            out[o++] = (uint8_t)((v[2] << 6) | v[3]);
        }
    }
    *Data = out;
    *Size = (uint32_t)o;
    return true;
}
