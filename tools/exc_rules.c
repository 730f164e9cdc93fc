/*
 * The compiler's rules (see exc_rules.h), as spec §5.6 lists them for hvmi's compiler.
 */
#include "exc_rules.h"

#include <string.h>

#define IG_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define R_OPT_O IG_RULE_OPTIONAL_ORIGINATOR
#define R_NEED_V IG_RULE_NEEDS_VICTIM
#define R_NO_V IG_RULE_NO_VICTIM
#define R_NEED_P IG_RULE_NEEDS_PROCESS
#define R_NO_P IG_RULE_NO_PROCESS
#define R_NARROW (IG_RULE_NARROW_ORIGINATOR | IG_RULE_NARROW_VICTIM)

/* Kernel records, by INTRO_EXCFILE_KM_OBJ_*. */
static const unsigned gKernelRules[INTRO_EXCFILE_KM_OBJ_COUNT] = {
    [INTRO_EXCFILE_KM_OBJ_DRIVER] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_DRIVER_IMPORTS] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_DRIVER_CODE] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_DRIVER_DATA] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_DRIVER_RESOURCES] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_SSDT] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_DRVOBJ] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_FASTIO] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_MSR] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_CR4] = R_NO_V | IG_RULE_NEEDS_SMEP_OR_SMAP,
    [INTRO_EXCFILE_KM_OBJ_IDT] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_IDT_REG] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_GDT_REG] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_INFINITY_HOOK] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_DRIVER_EXPORTS] = R_NEED_V,
    [INTRO_EXCFILE_KM_OBJ_TOKEN_PRIVS] = R_OPT_O | R_NEED_V | IG_RULE_INTEGRITY_DASH | IG_RULE_NARROW_VICTIM,
    [INTRO_EXCFILE_KM_OBJ_HAL_PERF_COUNTER] = R_NO_V,
    [INTRO_EXCFILE_KM_OBJ_SECURITY_DESCRIPTOR] =
        R_OPT_O | R_NEED_V | IG_RULE_NEEDS_INTEGRITY | IG_RULE_INTEGRITY_DASH | IG_RULE_NARROW_VICTIM,
    [INTRO_EXCFILE_KM_OBJ_ACL_EDIT] =
        R_OPT_O | R_NEED_V | IG_RULE_NEEDS_INTEGRITY | IG_RULE_INTEGRITY_DASH | IG_RULE_NARROW_VICTIM,
    [INTRO_EXCFILE_KM_OBJ_SUD_MODIFICATION] = R_OPT_O | R_NEED_V | IG_RULE_INTEGRITY_DASH | IG_RULE_VERBATIM_VICTIM,
    [INTRO_EXCFILE_KM_OBJ_INTERRUPT_OBJ] = R_NO_V,
};

/* User records (and glob records, which are checked like them), by INTRO_EXCFILE_UM_OBJ_*. */
static const unsigned gUserRules[INTRO_EXCFILE_UM_OBJ_COUNT] = {
    [INTRO_EXCFILE_UM_OBJ_PROCESS] = R_NEED_V | R_NO_P | R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_MODULE] = R_NEED_V | R_NEED_P,
    [INTRO_EXCFILE_UM_OBJ_MODULE_IMPORTS] = R_NEED_V | R_NEED_P,
    [INTRO_EXCFILE_UM_OBJ_NX_ZONE] = R_NO_V | IG_RULE_NEEDS_EXEC | IG_RULE_EXEC_DEFAULT,
    [INTRO_EXCFILE_UM_OBJ_THREAD_CONTEXT] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_PEB32] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_PEB64] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_APC_THREAD] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION] = R_NARROW | IG_RULE_EXEC_DEFAULT,
    [INTRO_EXCFILE_UM_OBJ_DOUBLE_AGENT] = IG_RULE_NARROW_VICTIM,
    [INTRO_EXCFILE_UM_OBJ_PROCESS_CREATION_DPI] = R_NARROW | IG_RULE_EXEC_DEFAULT,
    [INTRO_EXCFILE_UM_OBJ_INSTRUMENTATION] = R_NARROW,
};

/* User-APC records differ from user ones in which names are process names and in the exec default. */
static const unsigned gUserApcRules[INTRO_EXCFILE_UM_OBJ_COUNT] = {
    [INTRO_EXCFILE_UM_OBJ_PROCESS] = R_NEED_V | R_NO_P | R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_MODULE] = R_NEED_V | R_NEED_P,
    [INTRO_EXCFILE_UM_OBJ_MODULE_IMPORTS] = R_NEED_V | R_NEED_P,
    [INTRO_EXCFILE_UM_OBJ_NX_ZONE] = R_NO_V | IG_RULE_NEEDS_EXEC | IG_RULE_EXEC_DEFAULT,
    [INTRO_EXCFILE_UM_OBJ_THREAD_CONTEXT] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_PEB32] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_PEB64] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_APC_THREAD] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_DOUBLE_AGENT] = R_NARROW,
    [INTRO_EXCFILE_UM_OBJ_INSTRUMENTATION] = R_NARROW,
};

unsigned IgRulesOf(uint8_t RecordType, uint8_t ObjectType)
{
    switch (RecordType)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            return ObjectType < IG_COUNT_OF(gKernelRules) ? gKernelRules[ObjectType] : 0;
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_GLOB:
            return ObjectType < IG_COUNT_OF(gUserRules) ? gUserRules[ObjectType] : 0;
        case INTRO_EXCFILE_REC_USER_APC:
            return ObjectType < IG_COUNT_OF(gUserApcRules) ? gUserApcRules[ObjectType] : 0;
        default:
            return 0; /* kernel-user: its rules do not depend on the object type */
    }
}

/* ---- Flags ------------------------------------------------------------------------------------ */

bool IgFlagWordsHave(const IG_FLAG_WORDS *Words, const char *Name)
{
    size_t n = strlen(Name);

    for (size_t i = 0; i < Words->Count; i++)
    {
        if (Words->Length[i] == n && memcmp(Words->Word[i], Name, n) == 0)
        {
            return true;
        }
    }
    return false;
}

void IgFlagWordsAdd(IG_FLAG_WORDS *Words, const char *Name)
{
    if (Words->Count < IG_FLAG_WORDS_MAX)
    {
        Words->Word[Words->Count] = Name;
        Words->Length[Words->Count] = strlen(Name);
        Words->Count++;
    }
}

void IgFlagWordsRemove(IG_FLAG_WORDS *Words, const char *Name)
{
    size_t n = strlen(Name);

    for (size_t i = 0; i < Words->Count; i++)
    {
        if (Words->Length[i] == n && memcmp(Words->Word[i], Name, n) == 0)
        {
            memmove(&Words->Word[i], &Words->Word[i + 1], (Words->Count - i - 1) * sizeof(Words->Word[0]));
            memmove(&Words->Length[i], &Words->Length[i + 1], (Words->Count - i - 1) * sizeof(Words->Length[0]));
            Words->Count--;
            return;
        }
    }
}

void IgRulesDefaultArch(IG_FLAG_WORDS *Words, uint32_t DefaultBits, uint32_t *Bits)
{
    /* hvmi looks for "32" and "64" anywhere in the string; among valid words only these hold them. */
    if (!IgFlagWordsHave(Words, "32") && !IgFlagWordsHave(Words, "64"))
    {
        IgFlagWordsAdd(Words, "32");
        IgFlagWordsAdd(Words, "64");
        *Bits |= DefaultBits;
    }
}

IG_FLAG_PROBLEM IgRulesCompleteFlags(uint8_t RecordType, uint8_t ObjectType, IG_FLAG_WORDS *Words, uint32_t *Bits)
{
    unsigned rules = IgRulesOf(RecordType, ObjectType);
    bool kernelSide = RecordType == INTRO_EXCFILE_REC_KERNEL || RecordType == INTRO_EXCFILE_REC_KERNEL_USER;

    if ((rules & IG_RULE_NEEDS_SMEP_OR_SMAP) && !IgFlagWordsHave(Words, "smep") && !IgFlagWordsHave(Words, "smap"))
    {
        return IgFlagsCr4NeedsSmepOrSmap;
    }
    if (RecordType == INTRO_EXCFILE_REC_KERNEL && IgFlagWordsHave(Words, "return-drv"))
    {
        return IgFlagsReturnDrvObsolete;
    }
    if (!IgFlagWordsHave(Words, "read") && !IgFlagWordsHave(Words, "write") && !IgFlagWordsHave(Words, "exec"))
    {
        bool exec = (rules & IG_RULE_EXEC_DEFAULT) != 0;

        IgFlagWordsAdd(Words, exec ? "exec" : "write");
        *Bits |= exec ? INTRO_EXCFILE_FLG_EXECUTE : INTRO_EXCFILE_FLG_WRITE;
    }
    if (kernelSide && (IgFlagWordsHave(Words, "non-driver") || IgFlagWordsHave(Words, "return")))
    {
        IgFlagWordsAdd(Words, "return-drv");
        *Bits |= INTRO_EXCFILE_FLG_KM_RETURN_DRV;
    }
    if (RecordType == INTRO_EXCFILE_REC_KERNEL_USER && IgFlagWordsHave(Words, "user") &&
        IgFlagWordsHave(Words, "kernel"))
    {
        return IgFlagsUserAndKernel;
    }
    if ((rules & IG_RULE_NEEDS_EXEC) && !IgFlagWordsHave(Words, "exec"))
    {
        return IgFlagsNeedsExec;
    }
    if ((rules & IG_RULE_NEEDS_INTEGRITY) && !IgFlagWordsHave(Words, "integrity"))
    {
        return IgFlagsNeedsIntegrity;
    }
    return IgFlagsOk;
}

/* ---- Glob patterns ------------------------------------------------------------------------------ */

size_t IgUtf8Decode(const uint8_t *Text, size_t Length, uint32_t *CodePoint)
{
    uint8_t c = Text[0];

    if (c < 0x80 || Length < 2)
    {
        *CodePoint = c;
        return 1;
    }
    if (c < 0xE0)
    {
        *CodePoint = ((uint32_t)(c & 0x1F) << 6) | (Text[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0 || Length < 4)
    {
        if (Length < 3)
        {
            *CodePoint = c;
            return 1;
        }
        *CodePoint = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(Text[1] & 0x3F) << 6) | (Text[2] & 0x3F);
        return 3;
    }
    *CodePoint = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(Text[1] & 0x3F) << 12) | ((uint32_t)(Text[2] & 0x3F) << 6) |
                 (Text[3] & 0x3F);
    return 4;
}

size_t IgRulesGlobLength(const char *Text, size_t Length)
{
    size_t count = 0;
    size_t i = 0;

    while (i < Length)
    {
        uint32_t cp;

        if (Text[i] == '[' && i + 1 < Length && Text[i + 1] != ']')
        {
            const char *close = memchr(Text + i + 1, ']', Length - i - 1);
            if (close)
            {
                count++;
                i = (size_t)(close - Text) + 1;
                continue;
            }
        }
        i += IgUtf8Decode((const uint8_t *)Text + i, Length - i, &cp);
        count++;
    }
    return count;
}

bool IgRulesGlobHasWildcard(const char *Text, size_t Length)
{
    for (size_t i = 0; i < Length; i++)
    {
        if (Text[i] == '*' || Text[i] == '[' || Text[i] == ']' || Text[i] == '?' ||
            (Text[i] == '\\' && i + 1 < Length && Text[i + 1] == '\\'))
        {
            return true;
        }
    }
    return false;
}

IG_NAME_HASHING IgRulesNameHashing(uint8_t RecordType, uint8_t ObjectType, uint32_t Flags, unsigned Field)
{
    const bool lower = (Flags & INTRO_EXCFILE_FLG_LINUX) == 0;
    const unsigned rules = IgRulesOf(RecordType, ObjectType);
    const IG_NAME_HASHING kernelWide = {true, INTRO_EXCFILE_SPECIAL_KERNEL, lower, true, 0};
    const IG_NAME_HASHING userNarrow14 = {true, INTRO_EXCFILE_SPECIAL_USER, lower, false, 14};
    IG_NAME_HASHING none = {false, INTRO_EXCFILE_SPECIAL_NONE, false, false, 0};

    switch (RecordType)
    {
        case INTRO_EXCFILE_REC_KERNEL:
            if (Field == IG_NAME_FIELD_ORIGINATOR)
            {
                return kernelWide;
            }
            if (Field != IG_NAME_FIELD_VICTIM)
            {
                return none;
            }
            if (rules & IG_RULE_VERBATIM_VICTIM)
            {
                return (IG_NAME_HASHING){true, INTRO_EXCFILE_SPECIAL_KERNEL, false, false, 0};
            }
            return (rules & IG_RULE_NARROW_VICTIM)
                       ? (IG_NAME_HASHING){true, INTRO_EXCFILE_SPECIAL_KERNEL, lower, false, 14}
                       : kernelWide;
        case INTRO_EXCFILE_REC_KERNEL_USER:
            if (Field == IG_NAME_FIELD_ORIGINATOR)
            {
                return (Flags & INTRO_EXCFILE_FLG_KUM_USER) ? userNarrow14 : kernelWide;
            }
            return Field == IG_NAME_FIELD_VICTIM ? (IG_NAME_HASHING){true, INTRO_EXCFILE_SPECIAL_USER, lower, true, 0}
                                                 : userNarrow14;
        case INTRO_EXCFILE_REC_USER:
        case INTRO_EXCFILE_REC_USER_APC:
        {
            /* Process names: 15 characters for a Linux user record (a comm), else 14. */
            unsigned trim = (RecordType == INTRO_EXCFILE_REC_USER && !lower) ? 15 : 14;
            bool narrow = Field == IG_NAME_FIELD_ORIGINATOR
                              ? !(Flags & INTRO_EXCFILE_FLG_UM_MODULE_LOAD) && (rules & IG_RULE_NARROW_ORIGINATOR)
                              : (rules & IG_RULE_NARROW_VICTIM) != 0;

            if (Field == IG_NAME_FIELD_PROCESS)
            {
                return userNarrow14; /* 14 even under linux (quirk C11) */
            }
            return (IG_NAME_HASHING){true, INTRO_EXCFILE_SPECIAL_USER, lower, !narrow, narrow ? trim : 0};
        }
        default:
            return none;
    }
}
