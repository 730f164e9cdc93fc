/*
 * Writes replay traces, version 2 (docs/trace-format.md): one JSON object per line, 64-bit values
 * as "0x..." strings, byte strings in base64.  A failed write is remembered and reported by
 * ScTraceClose, so callers write without checking every line.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define SC_HEX "\"0x%" PRIx64 "\""

static void ScPrintf(SC_TRACE *T, const char *Format, ...) __attribute__((format(printf, 2, 3)));

static void ScPrintf(SC_TRACE *T, const char *Format, ...)
{
    va_list args;

    va_start(args, Format);
    if (vfprintf(T->File, Format, args) < 0)
    {
        T->Failed = true;
    }
    va_end(args);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void ScString(SC_TRACE *T, const char *Text)
{
    ScPrintf(T, "\"");
    for (const unsigned char *c = (const unsigned char *)Text; *c; c++)
    {
        if (*c == '"' || *c == '\\')
        {
            ScPrintf(T, "\\%c", *c);
        }
        else if (*c < 0x20)
        {
            ScPrintf(T, "\\u%04x", *c);
        }
        else
        {
            ScPrintf(T, "%c", *c);
        }
    }
    ScPrintf(T, "\"");
}

static void ScBase64(SC_TRACE *T, const uint8_t *Data, size_t Size)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((Size + 2) / 3 * 4 + 1);
    size_t o = 0;

    if (!out)
    {
        T->Failed = true;
        return;
    }
    for (size_t i = 0; i < Size; i += 3)
    {
        uint32_t v = (uint32_t)Data[i] << 16;

        v |= i + 1 < Size ? (uint32_t)Data[i + 1] << 8 : 0;
        v |= i + 2 < Size ? Data[i + 2] : 0;
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < Size ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < Size ? alphabet[v & 63] : '=';
    }
    out[o] = 0;
    ScPrintf(T, "\"%s\"", out);
    free(out);
}

bool ScTraceOpen(SC_TRACE *T, const char *Directory, const char *Name)
{
    size_t length = strlen(Directory) + strlen(Name) + 2;
    char *path = malloc(length);

    memset(T, 0, sizeof(*T));
    if (!path)
    {
        return false;
    }
    snprintf(path, length, "%s/%s", Directory, Name);
    T->Path = path;
    T->File = fopen(path, "w");
    if (!T->File)
    {
        perror(path);
        free(path);
        T->Path = NULL;
        return false;
    }
    return true;
}

bool ScTraceClose(SC_TRACE *T)
{
    bool ok = !T->Failed;

    if (T->File && fclose(T->File) != 0)
    {
        ok = false;
    }
    if (!ok)
    {
        fprintf(stderr, "make_scenarios: could not write %s\n", T->Path ? T->Path : "(trace)");
    }
    free((void *)T->Path);
    memset(T, 0, sizeof(*T));
    return ok;
}

void ScHeader(SC_TRACE *T, const char *GuestJson, const char *Producer)
{
    ScPrintf(
        T, "{\"type\":\"header\",\"format\":\"introguard-trace\",\"version\":2,\"guest\":%s,\"producer\":", GuestJson);
    ScString(T, Producer);
    ScPrintf(T, "}\n");
}

void ScNote(SC_TRACE *T, const char *Text)
{
    ScPrintf(T, "{\"type\":\"note\",\"text\":");
    ScString(T, Text);
    ScPrintf(T, "}\n");
}

void ScMemory(SC_TRACE *T, uint64_t Gva, uint64_t Cr3, const uint8_t *Data, size_t Size)
{
    ScPrintf(T, "{\"type\":\"memory\",\"gva\":" SC_HEX ",\"cr3\":" SC_HEX ",\"data\":", Gva, Cr3);
    ScBase64(T, Data, Size);
    ScPrintf(T, "}\n");
}

void ScModule(SC_TRACE *T, const SC_MODULE *M)
{
    ScPrintf(T, "{\"type\":\"module\",\"name\":");
    ScString(T, M->Name);
    if (M->Pid >= 0)
    {
        ScPrintf(T, ",\"pid\":%d", M->Pid);
    }
    ScPrintf(T, ",\"base\":" SC_HEX ",\"size\":" SC_HEX, M->Base, M->Size);
    if (M->Entry)
    {
        ScPrintf(T, ",\"entry\":" SC_HEX, M->Entry);
    }
    if (M->Role)
    {
        ScPrintf(T, ",\"%s\":true", M->Role);
    }
    if (M->Sections[0].Name)
    {
        ScPrintf(T, ",\"sections\":[");
        for (size_t i = 0; i < sizeof(M->Sections) / sizeof(M->Sections[0]) && M->Sections[i].Name; i++)
        {
            const SC_SECTION *s = &M->Sections[i];

            ScPrintf(T, "%s{\"name\":", i ? "," : "");
            ScString(T, s->Name);
            ScPrintf(T, ",\"rva\":\"0x%" PRIx32 "\",\"size\":\"0x%" PRIx32 "\",\"flags\":[%s]}", s->Rva, s->Size,
                     s->Flags ? s->Flags : "");
        }
        ScPrintf(T, "]");
    }
    ScPrintf(T, "}\n");
}

void ScProcess(SC_TRACE *T, const SC_PROCESS *P)
{
    ScPrintf(T, "{\"type\":\"process\",\"pid\":%" PRIu32 ",\"parent\":%" PRIu32 ",\"name\":", P->Pid, P->Parent);
    ScString(T, P->Name);
    ScPrintf(T, ",\"cr3\":" SC_HEX ",\"address\":" SC_HEX, P->Cr3, P->Address);
    if (P->Path)
    {
        ScPrintf(T, ",\"path\":");
        ScString(T, P->Path);
    }
    if (P->CommandLine)
    {
        ScPrintf(T, ",\"command_line\":");
        ScString(T, P->CommandLine);
    }
    if (P->System)
    {
        ScPrintf(T, ",\"system\":true");
    }
    ScPrintf(T, "}\n");
}

void ScZone(SC_TRACE *T, const SC_ZONE *Z)
{
    ScPrintf(T, "{\"type\":\"zone\",\"id\":");
    ScString(T, Z->Id);
    ScPrintf(T, ",\"kind\":\"memory\",\"object\":\"%s\",\"access\":[%s],\"gva\":" SC_HEX ",\"size\":" SC_HEX, Z->Object,
             Z->Access, Z->Gva, Z->Size);
    if (Z->Pid >= 0)
    {
        ScPrintf(T, ",\"pid\":%d", Z->Pid);
    }
    if (Z->Owner)
    {
        ScPrintf(T, ",\"owner\":" SC_HEX, Z->Owner);
    }
    if (Z->Name)
    {
        ScPrintf(T, ",\"name\":");
        ScString(T, Z->Name);
    }
    if (Z->FeedbackOnly)
    {
        ScPrintf(T, ",\"feedback_only\":true");
    }
    ScPrintf(T, "}\n");
}

void ScZoneRegister(SC_TRACE *T, const char *Id, const char *KindAndField)
{
    ScPrintf(T, "{\"type\":\"zone\",\"id\":");
    ScString(T, Id);
    ScPrintf(T, ",%s}\n", KindAndField);
}

void ScUnprotect(SC_TRACE *T, const char *Id)
{
    ScPrintf(T, "{\"type\":\"unprotect\",\"id\":");
    ScString(T, Id);
    ScPrintf(T, "}\n");
}

void ScVcpu(SC_TRACE *T, uint32_t Vcpu, uint32_t Ring, const SC_REGS *R, uint64_t Cr3, uint64_t Cr4, uint64_t GsBase)
{
    static const char *const names[SC_GPR_COUNT] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                                    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

    ScPrintf(T, "{\"type\":\"vcpu\",\"vcpu\":%" PRIu32 ",\"mode\":64,\"ring\":%" PRIu32 ",\"regs\":{", Vcpu, Ring);
    for (uint32_t i = 0; i < SC_GPR_COUNT; i++)
    {
        ScPrintf(T, "\"%s\":" SC_HEX ",", names[i], R->Gpr[i]);
    }
    ScPrintf(T, "\"rip\":" SC_HEX ",\"rflags\":" SC_HEX ",\"cr3\":" SC_HEX, R->Rip, R->Rflags, Cr3);
    if (Cr4)
    {
        ScPrintf(T, ",\"cr4\":" SC_HEX, Cr4);
    }
    ScPrintf(T, "},\"gs_base\":" SC_HEX "}\n", GsBase);
}

uint32_t ScEpt(SC_TRACE *T, uint32_t Vcpu, uint64_t Gva)
{
    T->Events++;
    ScPrintf(T, "{\"type\":\"ept\",\"seq\":%" PRIu32 ",\"vcpu\":%" PRIu32 ",\"gva\":" SC_HEX ",\"access\":\"w\"}\n",
             ++T->Seq, Vcpu, Gva);
    return T->Seq;
}

uint32_t ScMsrEvent(SC_TRACE *T, uint32_t Vcpu, uint32_t Msr, uint64_t Old, uint64_t New)
{
    T->Events++;
    ScPrintf(T,
             "{\"type\":\"msr\",\"seq\":%" PRIu32 ",\"vcpu\":%" PRIu32 ",\"msr\":\"0x%" PRIx32 "\",\"old\":" SC_HEX
             ",\"new\":" SC_HEX "}\n",
             ++T->Seq, Vcpu, Msr, Old, New);
    return T->Seq;
}

uint32_t ScCrEvent(SC_TRACE *T, uint32_t Vcpu, uint32_t Cr, uint64_t Old, uint64_t New)
{
    T->Events++;
    ScPrintf(T,
             "{\"type\":\"cr\",\"seq\":%" PRIu32 ",\"vcpu\":%" PRIu32 ",\"cr\":%" PRIu32 ",\"old\":" SC_HEX
             ",\"new\":" SC_HEX "}\n",
             ++T->Seq, Vcpu, Cr, Old, New);
    return T->Seq;
}

uint32_t ScDtrEvent(SC_TRACE *T, uint32_t Vcpu, const char *Dtr)
{
    T->Events++;
    ScPrintf(T, "{\"type\":\"dtr\",\"seq\":%" PRIu32 ",\"vcpu\":%" PRIu32 ",\"dtr\":\"%s\",\"access\":\"write\"}\n",
             ++T->Seq, Vcpu, Dtr);
    return T->Seq;
}

void ScExpect(SC_TRACE *T, uint32_t Seq, const SC_EXPECT *E)
{
    ScPrintf(T, "{\"type\":\"expect\",\"seq\":%" PRIu32 ",\"action\":\"%s\"", Seq, E->Action);
    if (E->Reason)
    {
        ScPrintf(T, ",\"reason\":\"%s\"", E->Reason);
    }
    if (E->Exception >= 0)
    {
        ScPrintf(T, ",\"exception\":%d", E->Exception);
    }
    else
    {
        ScPrintf(T, ",\"exception\":null");
    }
    ScPrintf(T, ",\"alert\":%s}\n", E->Alert ? "true" : "false");
}

void ScEnd(SC_TRACE *T)
{
    ScPrintf(T, "{\"type\":\"end\",\"events\":%" PRIu32 "}\n", T->Events);
}
