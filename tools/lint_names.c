/*
 * lint's checks on names as written (lint.h): only JSON sources have them, an exceptions file holds
 * hashes.  Each finding is a name whose hash the runtime can never produce for the guest object it
 * names (docs/hashing.md says how each field is hashed at run time; exc_rules.c how the compiler
 * hashes it).
 */
#include <stdlib.h>
#include <string.h>

#include "exc_rules.h"
#include "lint.h"

/*
 * The code points above U+007F that Python's str.lower() changes, as runs {first, last, stride}:
 * generated with Python 3.11 (Unicode 14.0) by
 *   [c for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c).lower() != chr(c)]
 * grouped into runs of stride 1 or 2.  hvmi's compiler lower-cases names with str.lower().
 */
typedef struct IG_LINT_UPPER_RUN
{
    uint32_t First;
    uint32_t Last;
    uint32_t Stride;
} IG_LINT_UPPER_RUN;

static const IG_LINT_UPPER_RUN gIgUpperRuns[] = {
    {0x00C0, 0x00D6, 1},   {0x00D8, 0x00DE, 1},   {0x0100, 0x0136, 2},   {0x0139, 0x0147, 2},   {0x014A, 0x0178, 2},
    {0x0179, 0x017D, 2},   {0x0181, 0x0182, 1},   {0x0184, 0x0186, 2},   {0x0187, 0x0189, 2},   {0x018A, 0x018B, 1},
    {0x018E, 0x0191, 1},   {0x0193, 0x0194, 1},   {0x0196, 0x0198, 1},   {0x019C, 0x019D, 1},   {0x019F, 0x01A0, 1},
    {0x01A2, 0x01A6, 2},   {0x01A7, 0x01A9, 2},   {0x01AC, 0x01AE, 2},   {0x01AF, 0x01B1, 2},   {0x01B2, 0x01B3, 1},
    {0x01B5, 0x01B7, 2},   {0x01B8, 0x01B8, 1},   {0x01BC, 0x01BC, 1},   {0x01C4, 0x01C5, 1},   {0x01C7, 0x01C8, 1},
    {0x01CA, 0x01CB, 1},   {0x01CD, 0x01DB, 2},   {0x01DE, 0x01EE, 2},   {0x01F1, 0x01F2, 1},   {0x01F4, 0x01F6, 2},
    {0x01F7, 0x01F8, 1},   {0x01FA, 0x0232, 2},   {0x023A, 0x023B, 1},   {0x023D, 0x023E, 1},   {0x0241, 0x0243, 2},
    {0x0244, 0x0246, 1},   {0x0248, 0x024E, 2},   {0x0370, 0x0372, 2},   {0x0376, 0x0376, 1},   {0x037F, 0x037F, 1},
    {0x0386, 0x0388, 2},   {0x0389, 0x038A, 1},   {0x038C, 0x038E, 2},   {0x038F, 0x0391, 2},   {0x0392, 0x03A1, 1},
    {0x03A3, 0x03AB, 1},   {0x03CF, 0x03CF, 1},   {0x03D8, 0x03EE, 2},   {0x03F4, 0x03F4, 1},   {0x03F7, 0x03F9, 2},
    {0x03FA, 0x03FA, 1},   {0x03FD, 0x042F, 1},   {0x0460, 0x0480, 2},   {0x048A, 0x04C0, 2},   {0x04C1, 0x04CD, 2},
    {0x04D0, 0x052E, 2},   {0x0531, 0x0556, 1},   {0x10A0, 0x10C5, 1},   {0x10C7, 0x10C7, 1},   {0x10CD, 0x10CD, 1},
    {0x13A0, 0x13F5, 1},   {0x1C90, 0x1CBA, 1},   {0x1CBD, 0x1CBF, 1},   {0x1E00, 0x1E94, 2},   {0x1E9E, 0x1EFE, 2},
    {0x1F08, 0x1F0F, 1},   {0x1F18, 0x1F1D, 1},   {0x1F28, 0x1F2F, 1},   {0x1F38, 0x1F3F, 1},   {0x1F48, 0x1F4D, 1},
    {0x1F59, 0x1F5F, 2},   {0x1F68, 0x1F6F, 1},   {0x1F88, 0x1F8F, 1},   {0x1F98, 0x1F9F, 1},   {0x1FA8, 0x1FAF, 1},
    {0x1FB8, 0x1FBC, 1},   {0x1FC8, 0x1FCC, 1},   {0x1FD8, 0x1FDB, 1},   {0x1FE8, 0x1FEC, 1},   {0x1FF8, 0x1FFC, 1},
    {0x2126, 0x2126, 1},   {0x212A, 0x212B, 1},   {0x2132, 0x2132, 1},   {0x2160, 0x216F, 1},   {0x2183, 0x2183, 1},
    {0x24B6, 0x24CF, 1},   {0x2C00, 0x2C2F, 1},   {0x2C60, 0x2C62, 2},   {0x2C63, 0x2C64, 1},   {0x2C67, 0x2C6D, 2},
    {0x2C6E, 0x2C70, 1},   {0x2C72, 0x2C72, 1},   {0x2C75, 0x2C75, 1},   {0x2C7E, 0x2C80, 1},   {0x2C82, 0x2CE2, 2},
    {0x2CEB, 0x2CED, 2},   {0x2CF2, 0x2CF2, 1},   {0xA640, 0xA66C, 2},   {0xA680, 0xA69A, 2},   {0xA722, 0xA72E, 2},
    {0xA732, 0xA76E, 2},   {0xA779, 0xA77D, 2},   {0xA77E, 0xA786, 2},   {0xA78B, 0xA78D, 2},   {0xA790, 0xA792, 2},
    {0xA796, 0xA7AA, 2},   {0xA7AB, 0xA7AE, 1},   {0xA7B0, 0xA7B4, 1},   {0xA7B6, 0xA7C4, 2},   {0xA7C5, 0xA7C7, 1},
    {0xA7C9, 0xA7C9, 1},   {0xA7D0, 0xA7D0, 1},   {0xA7D6, 0xA7D8, 2},   {0xA7F5, 0xA7F5, 1},   {0xFF21, 0xFF3A, 1},
    {0x10400, 0x10427, 1}, {0x104B0, 0x104D3, 1}, {0x10570, 0x1057A, 1}, {0x1057C, 0x1058A, 1}, {0x1058C, 0x10592, 1},
    {0x10594, 0x10595, 1}, {0x10C80, 0x10CB2, 1}, {0x118A0, 0x118BF, 1}, {0x16E40, 0x16E5F, 1}, {0x1E900, 0x1E921, 1},
};

bool IgLintLowerCaseChanges(uint32_t Cp)
{
    size_t lo = 0, hi = sizeof(gIgUpperRuns) / sizeof(gIgUpperRuns[0]);

    if (Cp < 0x80)
    {
        return Cp >= 'A' && Cp <= 'Z';
    }
    while (lo < hi)
    {
        size_t mid = lo + (hi - lo) / 2;

        if (gIgUpperRuns[mid].Last < Cp)
        {
            lo = mid + 1;
        }
        else
        {
            hi = mid;
        }
    }
    return lo < sizeof(gIgUpperRuns) / sizeof(gIgUpperRuns[0]) && Cp >= gIgUpperRuns[lo].First &&
           (Cp - gIgUpperRuns[lo].First) % gIgUpperRuns[lo].Stride == 0;
}

/* ---- names of exception entries -------------------------------------------------------------------------------------
 */

static const char *const gIgLintFieldKeys[3] = {"originator", "victim", "process"};

/* What the checks of one name need to know. */
typedef struct IG_LINT_NAME
{
    const INTRO_EXCFILE_RECORD *Record; /* the first record of the entry */
    unsigned Field;
    IG_NAME_HASHING Hashing;
    bool Linux;
    const char *Text; /* a name (a group member, a path's file name) */
    size_t Length;
} IG_LINT_NAME;

/* Whether the name is one of the field's special names, compared as the compiler compares them. */
static bool IgLintSpecial(const IG_LINT_NAME *N)
{
    char lowered[64];
    uint32_t value;

    if (N->Length >= sizeof(lowered))
    {
        return false;
    }
    for (size_t i = 0; i < N->Length; i++)
    {
        char c = N->Text[i];

        lowered[i] = (N->Hashing.Lower && c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return IntExcFileKeywordFind(IntExcFileSpecialNames(N->Hashing.Table), lowered, N->Length, &value);
}

static size_t IgLintCharacters(const char *Text, size_t Length)
{
    size_t count = 0;

    for (size_t i = 0; i < Length; count++)
    {
        uint32_t cp;

        i += IgUtf8Decode((const uint8_t *)Text + i, Length - i, &cp);
    }
    return count;
}

static void IgLintOneName(const IG_LINT_NAME *N, IG_LINT_REPORT *Report)
{
    const char *key = gIgLintFieldKeys[N->Field];
    uint32_t index = N->Record->Index;
    int length = N->Length > 80 ? 80 : (int)N->Length;

    if (IgLintSpecial(N) ||
        (N->Record->Type == INTRO_EXCFILE_REC_USER && N->Length && N->Text[0] == '*' && strstr(N->Text, "\\x")))
    {
        return; /* special values, and \xHH byte names, are not names of guest objects */
    }
    if (N->Linux && N->Hashing.Wide)
    {
        IgLintAdd(Report, IgLintWideLinuxName, index,
                  "%s \"%.*s\" is hashed as UTF-16, and a Linux guest's names are hashed as 8-bit text (modules) or "
                  "not at all (user modules but [vdso] and [vsyscall]): it can never match",
                  key, length, N->Text);
    }
    if (N->Linux && !N->Hashing.Wide && N->Hashing.Trim == 14 && IgLintCharacters(N->Text, N->Length) > 14)
    {
        IgLintAdd(Report, IgLintTrimmed, index,
                  "%s \"%.*s\" is cut to 14 characters, and a Linux comm keeps 15: the process it names never hashes "
                  "to the cut name",
                  key, length, N->Text);
    }
    for (size_t i = 0; N->Hashing.Lower && i < N->Length;)
    {
        uint32_t cp;

        i += IgUtf8Decode((const uint8_t *)N->Text + i, N->Length - i, &cp);
        if (cp >= 0x80 && IgLintLowerCaseChanges(cp))
        {
            IgLintAdd(Report, IgLintNonAsciiUpper, index,
                      "%s \"%.*s\": U+%04X is an upper-case letter outside ASCII; hvmi's compiler lower-cases it and "
                      "the runtime lower-cases ASCII only, so the guest's name as written never matches",
                      key, length, N->Text, cp);
            break;
        }
    }
}

/* A kernel originator's file name, as the compiler strips a path (IgCcStripPath). */
static void IgLintStripPath(IG_LINT_NAME *N)
{
    const char *s = N->Text;
    size_t n = N->Length;
    const char *sep = NULL;

    if (n < 3 || !(s[0] == '\\' || s[0] == '/' ||
                   (((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') && s[1] == ':' && s[2] == '\\')))
    {
        return;
    }
    for (size_t i = n; i-- > 0 && !sep;)
    {
        sep = s[i] == '\\' ? s + i : NULL;
    }
    for (size_t i = n; i-- > 0 && !sep;)
    {
        sep = s[i] == '/' ? s + i : NULL;
    }
    if (sep)
    {
        N->Length = (size_t)(s + n - (sep + 1));
        N->Text = sep + 1;
    }
}

/* One field's text: a group's members one by one, else the name itself. */
static void IgLintField(IG_LINT_NAME *N, const IG_JSON_VALUE *Value, IG_LINT_REPORT *Report)
{
    const INTRO_EXCFILE_GROUP *group = NULL;
    char lowered[128];

    if (Value->Length > 1 && Value->Text[0] == '[' && Value->Length < sizeof(lowered))
    {
        for (size_t i = 0; i <= Value->Length; i++)
        {
            char c = Value->Text[i];

            lowered[i] = (!N->Linux && c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        group = IntExcFileGroupFind(lowered, Value->Length);
    }
    for (size_t m = 0; m < (group ? group->Count : 1); m++)
    {
        N->Text = group ? group->Members[m] : Value->Text;
        N->Length = strlen(N->Text);
        if (N->Record->Type == INTRO_EXCFILE_REC_KERNEL && N->Field == IG_NAME_FIELD_ORIGINATOR)
        {
            IgLintStripPath(N);
        }
        IgLintOneName(N, Report);
    }
}

static void IgLintEntryNames(const INTRO_EXCFILE_RECORD *R, const IG_JSON_VALUE *Entry, IG_LINT_REPORT *Report)
{
    uint32_t flags = IntExcFileRecordFlags(R);
    uint8_t object = R->Type == INTRO_EXCFILE_REC_USER_GLOB ? R->u.Glob.ObjectType : R->u.Exception.ObjectType;

    for (unsigned f = 0; f < 3; f++)
    {
        const IG_JSON_VALUE *v = IgJsonGet(Entry, gIgLintFieldKeys[f]);
        IG_LINT_NAME name;

        memset(&name, 0, sizeof(name));
        name.Record = R;
        name.Field = f;
        name.Hashing = IgRulesNameHashing(R->Type, object, flags, f);
        name.Linux = (flags & INTRO_EXCFILE_FLG_LINUX) != 0;
        if (v && v->Type == IgJsonString && v->Length && name.Hashing.Hashed)
        {
            IgLintField(&name, v, Report);
        }
    }
}

/* ---- export libraries ---------------------------------------------------------------------------------------------
 */

static void IgLintLibrary(const INTRO_EXCFILE_RECORD *S, const IG_JSON_VALUE *Entry, IG_LINT_REPORT *Report)
{
    const IG_JSON_VALUE *v = IgJsonGet(Entry, "library");
    uint32_t value;

    if (!v || v->Type != IgJsonString || v->Length == 0 ||
        IntExcFileKeywordFind(IntExcFileSpecialNames(INTRO_EXCFILE_SPECIAL_USER), v->Text, v->Length, &value))
    {
        return;
    }
    for (size_t i = 0; i < v->Length; i++)
    {
        if (v->Text[i] >= 'A' && v->Text[i] <= 'Z')
        {
            IgLintAdd(Report, IgLintLibraryCase, S->Index,
                      "library \"%.80s\" has capitals, which the compiler keeps (as hvmi's does); the runtime "
                      "lower-cases the victim module's name, so the library never matches",
                      v->Text);
            return;
        }
    }
}

/* ---- the entries, each once
 * ------------------------------------------------------------------------------------------ */

typedef struct IG_LINT_ENTRY
{
    const IG_JSON_VALUE *Entry;
    uint32_t Record;
} IG_LINT_ENTRY;

static int IgLintCompareEntries(const void *PA, const void *PB)
{
    const IG_LINT_ENTRY *a = PA, *b = PB;

    if (a->Entry != b->Entry)
    {
        return (uintptr_t)a->Entry < (uintptr_t)b->Entry ? -1 : 1;
    }
    return a->Record < b->Record ? -1 : (a->Record > b->Record);
}

void IgLintNames(const IG_WB_RULES *Rules, IG_LINT_REPORT *Report)
{
    const IG_RECORD_LIST *list = &Rules->List;
    IG_LINT_ENTRY *entries = calloc(list->Count ? list->Count : 1, sizeof(*entries));
    size_t n = 0;

    if (!entries)
    {
        Report->OutOfMemory = true;
        return;
    }
    for (size_t i = 0; i < list->Count; i++)
    {
        const IG_JSON_VALUE *entry = IgWbEntry(Rules, (uint32_t)i);

        if (entry && entry->Type == IgJsonObject)
        {
            entries[n].Entry = entry;
            entries[n].Record = (uint32_t)i;
            n++;
        }
    }
    /* A group makes several records of one entry: the entry's names are read once, with its first record. */
    qsort(entries, n, sizeof(*entries), IgLintCompareEntries);
    for (size_t i = 0; i < n; i++)
    {
        const INTRO_EXCFILE_RECORD *r = &list->Records[entries[i].Record];

        if (i > 0 && entries[i].Entry == entries[i - 1].Entry)
        {
            continue;
        }
        if (IgWbIsException(r) && r->Type != INTRO_EXCFILE_REC_USER_GLOB)
        {
            IgLintEntryNames(r, entries[i].Entry, Report);
        }
        else if (r->Type == INTRO_EXCFILE_REC_EXPORT)
        {
            IgLintLibrary(r, entries[i].Entry, Report);
        }
    }
    free(entries);
}
