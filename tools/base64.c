/*
 * Base64 for the tools (base64.h).
 */
#include "base64.h"

static const char gIgBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int IgBase64Value(char C)
{
    if (C >= 'A' && C <= 'Z')
    {
        return C - 'A';
    }
    if (C >= 'a' && C <= 'z')
    {
        return C - 'a' + 26;
    }
    if (C >= '0' && C <= '9')
    {
        return C - '0' + 52;
    }
    return C == '+' ? 62 : C == '/' ? 63 : -1;
}

static bool IgBase64Space(char C)
{
    return C == ' ' || C == '\t' || C == '\r' || C == '\n';
}

bool IgBase64Looks(const char *Text, size_t Length)
{
    size_t chars = 0;

    for (size_t i = 0; i < Length; i++)
    {
        if (IgBase64Space(Text[i]))
        {
            continue;
        }
        if (IgBase64Value(Text[i]) < 0 && Text[i] != '=')
        {
            return false;
        }
        chars++;
    }
    return chars >= 4;
}

bool IgBase64Decode(const char *Text, size_t Length, uint8_t *Out, size_t Max, size_t *Size, size_t *BadAt)
{
    int group[4];
    size_t have = 0, o = 0, pad = 0, i = 0;

    *Size = 0;
    *BadAt = 0;
    for (; i < Length; i++)
    {
        int v = 0;

        if (IgBase64Space(Text[i]))
        {
            continue;
        }
        if (Text[i] == '=')
        {
            pad++;
        }
        else if (pad || (v = IgBase64Value(Text[i])) < 0)
        {
            break; /* data after padding, or not base64 */
        }
        if (Text[i] == '=' && have < 2)
        {
            break; /* padding stands for the last one or two characters of a group only */
        }
        group[have++] = v;
        if (have < 4)
        {
            continue;
        }
        if (o + 3 - pad > Max)
        {
            break;
        }
        Out[o++] = (uint8_t)((group[0] << 2) | (group[1] >> 4));
        if (pad < 2)
        {
            Out[o++] = (uint8_t)((group[1] << 4) | (group[2] >> 2));
        }
        if (pad < 1)
        {
            Out[o++] = (uint8_t)((group[2] << 6) | group[3]);
        }
        have = 0;
    }
    if (i < Length || have != 0)
    {
        *BadAt = i;
        return false;
    }
    *Size = o;
    return true;
}

void IgBase64Append(IG_TEXT *Out, const void *Data, size_t Size)
{
    const uint8_t *p = Data;
    char group[4];

    for (size_t i = 0; i < Size; i += 3)
    {
        uint32_t v = (uint32_t)p[i] << 16;
        size_t n = Size - i < 3 ? Size - i : 3;

        v |= n > 1 ? (uint32_t)p[i + 1] << 8 : 0;
        v |= n > 2 ? p[i + 2] : 0;
        group[0] = gIgBase64[(v >> 18) & 63];
        group[1] = gIgBase64[(v >> 12) & 63];
        group[2] = n > 1 ? gIgBase64[(v >> 6) & 63] : '=';
        group[3] = n > 2 ? gIgBase64[v & 63] : '=';
        IgTextAppendBytes(Out, group, 4);
    }
}
