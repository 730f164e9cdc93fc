/*
 * `introguard alert [--exception] [--type EVENT] [--os windows|linux] [-o OUT] FILE|-`: an alert as
 * readable JSON, or the exception (with its signatures) its blob stands for as the compiler's JSON.
 *
 * The input is one of: the raw bytes of a whole alert (an EVENT_* structure) or of its 255-byte
 * exception blob; the same as base64 text (white space ignored); or JSON lines, each an object with
 * "event" and "alert" (the whole alert, base64) or "blob" — what `replay --alerts` writes and what a
 * trace's add_exception record holds.  Everything goes through the public API only
 * (intro_alert_exceptions.h): the blob of a whole alert is built the way AddExceptionFromAlert builds it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alert_view.h"
#include "base64.h"
#include "commands.h"
#include "json.h"

#define IG_ALERT_MAX_INPUT (16u * 1024u * 1024u)
#define IG_ALERT_MAX_ITEMS 100000u

typedef struct IG_ALERT_ITEM
{
    uint32_t Type;
    bool IsBlob;
    uint8_t *Data;
    size_t Size;
    uint64_t Line; /* JSON lines: where it came from (0 otherwise) */
} IG_ALERT_ITEM;

typedef struct IG_ALERT_INPUT
{
    const char *Name;
    uint32_t Type; /* --type (0: from the input) */
    uint32_t Os;   /* --os (0: from each alert's flags) */
    IG_ALERT_ITEM *Items;
    size_t Count;
    size_t Capacity;
} IG_ALERT_INPUT;

void IgCmdAlertHelp(FILE *Out)
{
    fputs("usage: introguard alert [--exception] [--type EVENT] [--os windows|linux] [-o OUT] FILE|-\n"
          "\n"
          "Reads an alert (hvmi's EVENT_* structure) or its 255-byte exception blob from FILE (- for stdin):\n"
          "raw bytes, base64 text, or JSON lines {\"event\": EVENT, \"alert\"|\"blob\": BASE64} as written by\n"
          "`introguard replay --alerts`.  Prints it as JSON: header, originator, victim, access, code blocks\n"
          "and the exception its blob holds.\n"
          "\n"
          "  --exception        write instead the exception (and its signatures) that allows the alert's\n"
          "                     violation, as JSON `introguard compile` accepts (docs/json-format.md);\n"
          "                     several alerts give one document, duplicates merged\n"
          "  --type EVENT       ept, msr, cr, dtr, integrity, injection, process-creation, module-load;\n"
          "                     needed for a blob, and for a 9304-byte alert (msr, cr and dtr share the size)\n"
          "  --os windows|linux the guest's OS, for the names rules (default: the alert's linux flag)\n"
          "  -o, --output OUT   write to OUT (atomically) instead of stdout\n"
          "\n"
          "Exit status: 0 done, 1 unreadable or malformed input (the message says which alert and why),\n"
          "2 usage error.\n",
          Out);
}

/* ---- Input ---------------------------------------------------------------------------------------------------- */

static bool IgAlertAddItem(IG_ALERT_INPUT *In, uint32_t Type, bool IsBlob, const uint8_t *Data, size_t Size,
                           uint64_t Line)
{
    IG_ALERT_ITEM *item;

    if (In->Count == IG_ALERT_MAX_ITEMS)
    {
        return false;
    }
    if (In->Count == In->Capacity)
    {
        size_t capacity = In->Capacity ? 2 * In->Capacity : 8;
        IG_ALERT_ITEM *grown = realloc(In->Items, capacity * sizeof(*grown));

        if (!grown)
        {
            return false;
        }
        In->Items = grown;
        In->Capacity = capacity;
    }
    item = &In->Items[In->Count];
    item->Data = malloc(Size ? Size : 1);
    if (!item->Data)
    {
        return false;
    }
    memcpy(item->Data, Data, Size);
    item->Type = Type;
    item->IsBlob = IsBlob;
    item->Size = Size;
    item->Line = Line;
    In->Count++;
    return true;
}

/* The event type of raw bytes: --type, else the one structure of that size. */
static bool IgAlertRawType(IG_ALERT_INPUT *In, size_t Size, uint32_t *Type, bool *IsBlob)
{
    static const uint32_t unique[] = {introEventEptViolation, introEventIntegrityViolation,
                                      introEventInjectionViolation, introEventProcessCreationViolation,
                                      introEventModuleLoadViolation};

    *IsBlob = Size <= ALERT_EXCEPTION_SIZE;
    if (In->Type)
    {
        *Type = In->Type;
        return true;
    }
    for (size_t i = 0; !*IsBlob && i < sizeof(unique) / sizeof(unique[0]); i++)
    {
        if (IgArEventSize(unique[i]) == Size)
        {
            *Type = unique[i];
            return true;
        }
    }
    IgToolError(stderr, In->Name,
                *IsBlob ? "%zu bytes: an exception blob; say which alert it came from (--type EVENT)"
                : Size == sizeof(EVENT_MSR_VIOLATION)
                    ? "%zu bytes: an MSR, CR or DTR alert; say which (--type msr|cr|dtr)"
                    : "%zu bytes: not the size of an alert hvmi can except (--type EVENT to read it anyway)",
                Size);
    return false;
}

/* One JSON line {"event", "alert"|"blob"}. */
static bool IgAlertJsonLine(IG_ALERT_INPUT *In, const char *Text, size_t Length, uint64_t Line, uint8_t *Buffer)
{
    IG_JSON_DOC doc;
    IG_JSON_ERROR jerr;
    const IG_JSON_VALUE *event, *data;
    uint32_t type = In->Type;
    size_t size = 0, bad = 0;
    bool ok = false;

    if (!INT_SUCCESS(IgJsonParse(Text, Length, &doc, &jerr)))
    {
        IgToolError(stderr, In->Name, "line %llu: invalid JSON at column %u: %s", (unsigned long long)Line, jerr.Column,
                    jerr.Message);
        return false;
    }
    event = doc.Root->Type == IgJsonObject ? IgJsonGet(doc.Root, "event") : NULL;
    data = doc.Root->Type == IgJsonObject ? IgJsonGet(doc.Root, "alert") : NULL;
    data = data ? data : doc.Root->Type == IgJsonObject ? IgJsonGet(doc.Root, "blob") : NULL;
    if (!data || data->Type != IgJsonString || (event && event->Type != IgJsonString))
    {
        IgToolError(stderr, In->Name, "line %llu: expected an object with \"event\" and \"alert\" or \"blob\" (base64)",
                    (unsigned long long)Line);
    }
    else if (event && !IgArEventByName(event->Text, &type))
    {
        IgToolError(stderr, In->Name, "line %llu: field 'event': \"%s\" is not an alert hvmi can except",
                    (unsigned long long)Line, event->Text);
    }
    else if (!type)
    {
        IgToolError(stderr, In->Name, "line %llu: field 'event' missing (or give --type)", (unsigned long long)Line);
    }
    else if (!IgBase64Decode(data->Text, data->Length, Buffer, sizeof(EVENT_PROCESS_CREATION_VIOLATION) + 1, &size,
                             &bad))
    {
        IgToolError(stderr, In->Name, "line %llu: field '%s': invalid or oversized base64 at character %zu",
                    (unsigned long long)Line, data->Key, bad);
    }
    else
    {
        ok = IgAlertAddItem(In, type, strcmp(data->Key, "blob") == 0, Buffer, size, Line);
        if (!ok)
        {
            IgToolError(stderr, In->Name, "line %llu: out of memory, or more than %u alerts", (unsigned long long)Line,
                        IG_ALERT_MAX_ITEMS);
        }
    }
    IgJsonFree(&doc);
    return ok;
}

/* Splits the input into alerts: JSON lines, base64 or raw bytes. */
static bool IgAlertParseInput(IG_ALERT_INPUT *In, uint8_t *Data, size_t Size)
{
    static uint8_t buffer[sizeof(EVENT_PROCESS_CREATION_VIOLATION) + 1];
    size_t first = 0, decoded = 0, bad = 0;
    uint32_t type = 0;
    bool blob = false;

    while (first < Size && (Data[first] == ' ' || Data[first] == '\t' || Data[first] == '\r' || Data[first] == '\n'))
    {
        first++;
    }
    if (first < Size && Data[first] == '{')
    {
        uint64_t line = 0;

        for (size_t start = 0; start < Size;)
        {
            const uint8_t *end = memchr(Data + start, '\n', Size - start);
            size_t length = end ? (size_t)(end - (Data + start)) : Size - start;

            line++;
            if (length && !IgAlertJsonLine(In, (const char *)Data + start, length, line, buffer))
            {
                return false;
            }
            start += length + 1;
        }
        return true;
    }
    if (IgBase64Looks((const char *)Data, Size))
    {
        if (!IgBase64Decode((const char *)Data, Size, buffer, sizeof(buffer), &decoded, &bad))
        {
            IgToolError(stderr, In->Name, "invalid or oversized base64 at character %zu", bad);
            return false;
        }
        Data = buffer;
        Size = decoded;
    }
    return IgAlertRawType(In, Size, &type, &blob) && IgAlertAddItem(In, type, blob, Data, Size, 0);
}

static void IgAlertInputFree(IG_ALERT_INPUT *In)
{
    for (size_t i = 0; i < In->Count; i++)
    {
        free(In->Items[i].Data);
    }
    free(In->Items);
}

/* ---- Output ---------------------------------------------------------------------------------------------------- */

/* "FILE" or "FILE, line N": where a message says the alert came from. */
static void IgAlertWhere(const IG_ALERT_INPUT *In, const IG_ALERT_ITEM *It, char *Out, size_t Size)
{
    if (It->Line)
    {
        snprintf(Out, Size, "%s:%llu", In->Name, (unsigned long long)It->Line);
    }
    else
    {
        snprintf(Out, Size, "%s", In->Name);
    }
}

static bool IgAlertItemException(const IG_ALERT_INPUT *In, const IG_ALERT_ITEM *It, INTRO_ALERT_EXCEPTION *E,
                                 IG_ALERT_NAME *Names, size_t *NameCount)
{
    INTRO_ALERT_EXC_ERROR error;
    char where[512];

    memset(&error, 0, sizeof(error));
    if (INT_SUCCESS(IgArAlertException(It->Data, It->Size, It->Type, It->IsBlob, In->Os, E, Names, NameCount, &error)))
    {
        return true;
    }
    IgAlertWhere(In, It, where, sizeof(where));
    IgToolError(stderr, where, "the %s %s holds no exception: %s (byte %u) [%s, %s]", IgArEventName(It->Type),
                It->IsBlob ? "blob" : "alert", error.Message, error.Offset, IntStatusToString(error.Status),
                IntStatusToString(error.Detail));
    return false;
}

/* The exceptions of every alert as compiler JSON. */
static bool IgAlertRules(const IG_ALERT_INPUT *In, IG_TEXT *Out)
{
    IG_ALERT_RULES rules;
    IG_ALERT_NAME names[IG_ALERT_NAMES_PER_ALERT];
    bool ok = true;

    memset(&rules, 0, sizeof(rules));
    for (size_t i = 0; ok && i < In->Count; i++)
    {
        INTRO_ALERT_EXCEPTION e;
        size_t count = 0;
        bool added;

        ok = IgAlertItemException(In, &In->Items[i], &e, names, &count) &&
             INT_SUCCESS(IgArRulesAdd(&rules, &e, names, count, &added));
    }
    ok = ok && INT_SUCCESS(IgArRulesJson(&rules, Out, stderr));
    IgArRulesFree(&rules);
    return ok;
}

/* Every alert as readable JSON (a list when there are several). */
static bool IgAlertViews(const IG_ALERT_INPUT *In, IG_TEXT *Out)
{
    json_object *list = json_object_new_array();
    IG_ALERT_NAME names[IG_ALERT_NAMES_PER_ALERT];
    const char *text;
    bool ok = true;

    for (size_t i = 0; ok && i < In->Count; i++)
    {
        const IG_ALERT_ITEM *it = &In->Items[i];
        INTRO_ALERT_EXCEPTION e;
        IG_ALERT_RULE rule;
        size_t count = 0;
        char where[512];

        if (!it->IsBlob && it->Size != IgArEventSize(it->Type))
        {
            IgAlertWhere(In, it, where, sizeof(where));
            IgToolError(stderr, where, "%zu bytes: a %s alert has %zu", it->Size, IgArEventName(it->Type),
                        IgArEventSize(it->Type));
            ok = false;
            break;
        }
        memset(&e, 0, sizeof(e));
        if (it->IsBlob && !IgAlertItemException(In, it, &e, names, &count))
        {
            ok = false;
            break;
        }
        if (!it->IsBlob)
        {
            INTRO_ALERT_EXC_ERROR ignored;

            /* An alert without an exception is still read: its view says why ("valid": false). */
            if (!INT_SUCCESS(
                    IgArAlertException(it->Data, it->Size, it->Type, false, In->Os, &e, names, &count, &ignored)))
            {
                memset(&e, 0, sizeof(e));
            }
        }
        IgArNameRule(&rule, &e, names, count);
        if (it->IsBlob)
        {
            json_object *v = json_object_new_object();

            json_object_object_add(v, "event", json_object_new_string(IgArEventName(it->Type)));
            json_object_object_add(v, "exception", IgAvException(&e, &rule));
            json_object_array_add(list, v);
        }
        else
        {
            json_object_array_add(list, IgAvAlert(it->Data, it->Size, it->Type, &rule));
        }
    }
    text = ok ? json_object_to_json_string_ext(
                    json_object_array_length(list) == 1 ? json_object_array_get_idx(list, 0) : list,
                    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
              : NULL;
    if (text)
    {
        IgTextAppend(Out, "%s\n", text);
    }
    json_object_put(list);
    return ok && text;
}

/* ---- The command ----------------------------------------------------------------------------------------------- */

static bool IgAlertReadStdin(uint8_t **Data, size_t *Size)
{
    size_t capacity = 0;

    *Data = NULL;
    *Size = 0;
    for (;;)
    {
        size_t got;

        if (*Size == capacity)
        {
            uint8_t *grown;

            if (capacity >= IG_ALERT_MAX_INPUT)
            {
                IgToolError(stderr, "-", "more than %u bytes", IG_ALERT_MAX_INPUT);
                return false;
            }
            capacity = capacity ? 2 * capacity : 65536;
            grown = realloc(*Data, capacity + 1);
            if (!grown)
            {
                return false;
            }
            *Data = grown;
        }
        got = fread(*Data + *Size, 1, capacity - *Size, stdin);
        *Size += got;
        if (got == 0)
        {
            return !ferror(stdin);
        }
    }
}

static int IgAlertOption(int Id, const char *Value, IG_ALERT_INPUT *In)
{
    if (Id == 1 && !IgArEventByName(Value, &In->Type))
    {
        IgToolError(stderr, "alert",
                    "--type %s: not an alert hvmi can except (ept, msr, cr, dtr, integrity, "
                    "injection, process-creation, module-load)",
                    Value);
        return IG_EXIT_USAGE;
    }
    if (Id == 2)
    {
        if (strcmp(Value, "windows") && strcmp(Value, "linux"))
        {
            IgToolError(stderr, "alert", "--os %s: windows or linux", Value);
            return IG_EXIT_USAGE;
        }
        In->Os = Value[0] == 'l' ? INTRO_EXC_OS_LINUX : INTRO_EXC_OS_WINDOWS;
    }
    return IG_EXIT_OK;
}

int IgCmdAlert(int Argc, char **Argv)
{
    enum
    {
        OptType = 1,
        OptOs,
        OptException,
        OptOutput,
        OptHelp,
    };
    static const IG_OPTION table[] = {
        {"type", 0, true, OptType},       {"os", 0, true, OptOs},        {"exception", 0, false, OptException},
        {"output", 'o', true, OptOutput}, {"help", 'h', false, OptHelp}, {NULL, 0, false, 0},
    };
    IG_ALERT_INPUT in;
    IG_OPT_STATE opt;
    IG_TEXT out = {0};
    const char *value, *output = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    bool exception = false;
    int id, exit = IG_EXIT_FAILURE;

    memset(&in, 0, sizeof(in));
    IgOptInit(&opt, Argc, Argv, "alert");
    while ((id = IgOptNext(&opt, table, &value, stderr)) != IG_OPT_END)
    {
        switch (id)
        {
            case OptType:
            case OptOs:
                if (IgAlertOption(id, value, &in) != IG_EXIT_OK)
                {
                    return IG_EXIT_USAGE;
                }
                break;
            case OptException:
                exception = true;
                break;
            case OptOutput:
                output = value;
                break;
            case OptHelp:
                IgCmdAlertHelp(stdout);
                return IG_EXIT_OK;
            case IG_OPT_POSITIONAL:
                if (in.Name)
                {
                    IgToolError(stderr, "alert", "one FILE only (got '%s' and '%s')", in.Name, value);
                    return IG_EXIT_USAGE;
                }
                in.Name = value;
                break;
            default:
                return IG_EXIT_USAGE;
        }
    }
    if (!in.Name)
    {
        IgToolError(stderr, "alert", "missing FILE (- for stdin; see introguard alert --help)");
        return IG_EXIT_USAGE;
    }
    if (strcmp(in.Name, "-") == 0 ? IgAlertReadStdin(&data, &size)
                                  : INT_SUCCESS(IgReadWholeFile(in.Name, IG_ALERT_MAX_INPUT, &data, &size, stderr)))
    {
        if (size == 0)
        {
            IgToolError(stderr, in.Name, "empty input");
        }
        else if (IgAlertParseInput(&in, data, size) &&
                 (exception ? IgAlertRules(&in, &out) : IgAlertViews(&in, &out)) && !out.Failed)
        {
            exit = IG_EXIT_OK;
        }
    }
    if (exit == IG_EXIT_OK)
    {
        if (output)
        {
            exit = INT_SUCCESS(IgWriteFileAtomic(output, out.Data, out.Length, stderr)) ? IG_EXIT_OK : IG_EXIT_FAILURE;
        }
        else if (fwrite(out.Data, 1, out.Length, stdout) != out.Length)
        {
            exit = IG_EXIT_FAILURE;
        }
    }
    free(data);
    IgTextFree(&out);
    IgAlertInputFree(&in);
    return exit;
}
