/*
 * Name hashes with hvmi's runtime rules (include/introguard/intro_names.h, docs/hashing.md).
 *
 * A name is a slice of units (bytes or UTF-16 code units) up to Length or the first NUL.  A rule
 * says what is hashed: UTF-16LE or 8-bit units, ASCII lower-casing, the part after the last
 * backslash, and a cap on the number of units.  The units are streamed through the CRC; nothing
 * is copied whole, so any length is fine.
 */
#include "introguard/intro_names.h"

#include <stdbool.h>

#include "crc32.h"

/* Caps hvmi's guests put on names (in 8-bit units). */
#define IG_WINDOWS_IMAGE_NAME_CHARS 14u /* EPROCESS.ImageFileName holds 14 characters and a NUL */
#define IG_LINUX_COMM_CHARS 15u         /* task_struct.comm: 16 bytes with the NUL */
#define IG_LINUX_MODULE_NAME_CHARS 55u  /* struct module.name: 56 bytes with the NUL */

typedef struct IG_NAME_RULE
{
    bool Wide;      /* hash UTF-16LE code units, else 8-bit units */
    bool Lower;     /* fold ASCII A-Z */
    bool StripPath; /* keep what follows the last backslash */
    uint32_t Cap;   /* at most this many units (0: no cap) */
} IG_NAME_RULE;

/* The name as the caller gave it: exactly one of Narrow and Wide is set. */
typedef struct IG_NAME_TEXT
{
    const uint8_t *Narrow;
    const uint16_t *Wide;
    size_t Length; /* units before the first NUL (or all of them) */
} IG_NAME_TEXT;

static bool IgNameRuleOf(uint32_t Os, uint32_t Kind, bool WideInput, IG_NAME_RULE *Rule)
{
    bool windows = Os == INTRO_EXC_OS_WINDOWS;

    switch (Kind)
    {
        case INTRO_NAME_PROCESS:
            *Rule = (IG_NAME_RULE){false, windows, false, windows ? IG_WINDOWS_IMAGE_NAME_CHARS : IG_LINUX_COMM_CHARS};
            return true;
        case INTRO_NAME_KERNEL_MODULE:
            *Rule = windows ? (IG_NAME_RULE){true, true, true, 0}
                            : (IG_NAME_RULE){false, false, false, IG_LINUX_MODULE_NAME_CHARS};
            return true;
        case INTRO_NAME_USER_MODULE:
            *Rule = windows ? (IG_NAME_RULE){true, true, true, 0} : (IG_NAME_RULE){false, false, false, 0};
            return true;
        case INTRO_NAME_DRIVER_OBJECT:
            *Rule = (IG_NAME_RULE){true, true, false, 0};
            return windows;
        case INTRO_NAME_EXACT:
            *Rule = (IG_NAME_RULE){WideInput, false, false, 0};
            return true;
        default:
            return false;
    }
}

static uint32_t IgUnitAt(const IG_NAME_TEXT *Text, size_t At)
{
    return Text->Narrow ? Text->Narrow[At] : Text->Wide[At];
}

static uint32_t IgFold(uint32_t Unit)
{
    return Unit >= 'A' && Unit <= 'Z' ? Unit + ('a' - 'A') : Unit;
}

/* Whether units [Start, Text->Length) spell Ascii, ignoring ASCII case. */
static bool IgNameIs(const IG_NAME_TEXT *Text, size_t Start, const char *Ascii)
{
    size_t i = 0;

    for (; Ascii[i] != '\0'; i++)
    {
        if (Start + i >= Text->Length || IgFold(IgUnitAt(Text, Start + i)) != IgFold((uint8_t)Ascii[i]))
        {
            return false;
        }
    }
    return Start + i == Text->Length;
}

/*
 * The next code point of UTF-8 text at *At (advanced past it).  A byte that does not start a
 * well-formed, shortest-form sequence stands for itself, so any byte string has a decoding.
 */
static uint32_t IgNextUtf8(const IG_NAME_TEXT *Text, size_t *At)
{
    const uint8_t *p = Text->Narrow + *At;
    size_t left = Text->Length - *At;
    uint32_t lead = p[0];
    uint32_t count = lead >= 0xF0 && lead <= 0xF4   ? 3
                     : lead >= 0xE0 && lead <= 0xEF ? 2
                     : lead >= 0xC2 && lead <= 0xDF ? 1
                                                    : 0;
    uint32_t cp = count == 3 ? lead & 0x07 : count == 2 ? lead & 0x0F : lead & 0x1F;

    if (lead < 0x80 || count == 0 || count >= left)
    {
        (*At)++;
        return lead;
    }
    for (uint32_t i = 1; i <= count; i++)
    {
        if ((p[i] & 0xC0) != 0x80)
        {
            (*At)++;
            return lead;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((count == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (count == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
    {
        (*At)++;
        return lead;
    }
    *At += count + 1;
    return cp;
}

/* A small buffer in front of the CRC, so units are not hashed one call at a time. */
typedef struct IG_NAME_SINK
{
    uint32_t Hash;
    uint32_t Used;
    uint8_t Bytes[64];
} IG_NAME_SINK;

static void IgSinkPut(IG_NAME_SINK *Sink, uint32_t Unit, bool Wide)
{
    if (Sink->Used + 2 > sizeof(Sink->Bytes))
    {
        Sink->Hash = IgCrc32Update(Sink->Hash, Sink->Bytes, Sink->Used);
        Sink->Used = 0;
    }
    Sink->Bytes[Sink->Used++] = (uint8_t)Unit;
    if (Wide)
    {
        Sink->Bytes[Sink->Used++] = (uint8_t)(Unit >> 8);
    }
}

static uint32_t IgNameHashText(const IG_NAME_TEXT *Text, size_t Start, const IG_NAME_RULE *Rule)
{
    IG_NAME_SINK sink = {IG_NAME_HASH_NONE, 0, {0}};
    uint32_t units = 0;
    size_t at = Start;

    while (at < Text->Length && (Rule->Cap == 0 || units < Rule->Cap))
    {
        uint32_t unit;

        if (Rule->Wide && Text->Narrow)
        {
            uint32_t cp = IgNextUtf8(Text, &at);

            if (cp >= 0x10000)
            {
                IgSinkPut(&sink, 0xD800 + ((cp - 0x10000) >> 10), true);
                unit = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            }
            else
            {
                unit = cp;
            }
        }
        else
        {
            unit = IgUnitAt(Text, at++); /* 8-bit rules keep the low byte of a UTF-16 unit */
        }
        IgSinkPut(&sink, Rule->Lower ? IgFold(unit) : unit, Rule->Wide);
        units++;
    }
    return IgCrc32Update(sink.Hash, sink.Bytes, sink.Used);
}

/* hvmi's special values for what a name designates, or false when it is a plain name. */
static bool IgNameSpecial(uint32_t Os, uint32_t Kind, uint32_t Flags, const IG_NAME_TEXT *Text, size_t Start,
                          uint32_t *Hash)
{
    if (Flags & INTRO_NAME_FLAG_NO_SPECIAL)
    {
        return false;
    }
    if (Kind == INTRO_NAME_KERNEL_MODULE)
    {
        if ((Flags & INTRO_NAME_FLAG_KERNEL_IMAGE) || IgNameIs(Text, 0, "[kernel]"))
        {
            *Hash = INTRO_EXC_NAME_KERNEL;
            return true;
        }
        if (IgNameIs(Text, 0, "[hal]") ||
            (Os == INTRO_EXC_OS_WINDOWS && (IgNameIs(Text, Start, "hal.dll") || IgNameIs(Text, Start, "halmacpi.dll") ||
                                            IgNameIs(Text, Start, "halacpi.dll"))))
        {
            *Hash = INTRO_EXC_NAME_HAL;
            return true;
        }
    }
    if (Kind == INTRO_NAME_USER_MODULE && Os == INTRO_EXC_OS_LINUX)
    {
        /* The values a Linux user-mode victim carries for these pages (user-mode table: 2 and 3). */
        if (IgNameIs(Text, 0, "[vdso]"))
        {
            *Hash = INTRO_EXC_NAME_KERNEL;
            return true;
        }
        if (IgNameIs(Text, 0, "[vsyscall]"))
        {
            *Hash = INTRO_EXC_NAME_HAL;
            return true;
        }
    }
    return false;
}

static INTSTATUS IgNameHashAny(uint32_t Os, uint32_t Kind, IG_NAME_TEXT *Text, uint32_t Flags, uint32_t *Hash)
{
    IG_NAME_RULE rule;
    size_t start = 0;

    if (Os != INTRO_EXC_OS_WINDOWS && Os != INTRO_EXC_OS_LINUX)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!IgNameRuleOf(Os, Kind, Text->Wide != NULL, &rule) ||
        (Flags & ~(INTRO_NAME_FLAG_KERNEL_IMAGE | INTRO_NAME_FLAG_NO_SPECIAL)))
    {
        return INT_STATUS_INVALID_PARAMETER_2;
    }
    for (size_t i = 0; i < Text->Length; i++)
    {
        uint32_t unit = IgUnitAt(Text, i);

        if (unit == 0)
        {
            Text->Length = i; /* hvmi hashes up to the NUL */
            break;
        }
        if (rule.StripPath && unit == '\\')
        {
            start = i + 1;
        }
    }
    if (!IgNameSpecial(Os, Kind, Flags, Text, start, Hash))
    {
        *Hash = IgNameHashText(Text, start, &rule);
    }
    return INT_STATUS_SUCCESS;
}

INTSTATUS IntNameHash(uint32_t Os, uint32_t Kind, const char *Name, size_t Length, uint32_t Flags, uint32_t *Hash)
{
    IG_NAME_TEXT text = {(const uint8_t *)Name, NULL, Length};

    if (!Hash)
    {
        return INT_STATUS_INVALID_PARAMETER_6;
    }
    *Hash = 0;
    if (!Name && Length)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    text.Narrow = Name ? (const uint8_t *)Name : (const uint8_t *)"";
    return IgNameHashAny(Os, Kind, &text, Flags, Hash);
}

INTSTATUS IntNameHashWide(uint32_t Os, uint32_t Kind, const uint16_t *Name, size_t Length, uint32_t Flags,
                          uint32_t *Hash)
{
    static const uint16_t empty[1] = {0};
    IG_NAME_TEXT text = {NULL, Name, Length};

    if (!Hash)
    {
        return INT_STATUS_INVALID_PARAMETER_6;
    }
    *Hash = 0;
    if (!Name && Length)
    {
        return INT_STATUS_INVALID_PARAMETER_3;
    }
    text.Wide = Name ? Name : empty;
    return IgNameHashAny(Os, Kind, &text, Flags, Hash);
}
