/*
 * Flags for `decompile`: the plainest "flags" string that the compiler turns back into exactly the
 * bits of the record.  The compiler's defaults and checks are replayed with its own rules
 * (exc_rules.h): a spelling is kept only when compiling it gives the same bits.
 */
#include <string.h>

#include "decompile_int.h"

/* A candidate spelling: its words, and whether "flags" is written at all. */
typedef struct IG_SPELLING
{
    IG_FLAG_WORDS Words;
    bool Present; /* false: no "flags" key (the compiler's default) */
} IG_SPELLING;

/* The bits Spelling compiles to for C, or false where the compiler rejects it. */
static bool IgSimulate(const IG_FLAG_CONTEXT *C, const IG_SPELLING *Spelling, uint32_t *Bits)
{
    IG_FLAG_WORDS words = Spelling->Words;
    unsigned ns = INTRO_EXCFILE_FLAGS_SIGNATURE;
    uint32_t bits = 0;

    if (!C->Signature)
    {
        ns = IntExcFileExceptionKindByRecord(C->RecordType)->AcceptedFlags;
        if (Spelling->Present && words.Count == 0)
        {
            return false; /* an empty flags string is an error for exceptions */
        }
    }
    for (size_t i = 0; i < words.Count; i++)
    {
        uint32_t v;

        if (!IntExcFileFlagFind(ns, words.Word[i], words.Length[i], &v))
        {
            return false;
        }
        bits |= v;
    }
    IgRulesDefaultArch(&words, C->Signature ? INTRO_EXCFILE_SIG_FLG_DEFAULT_ARCH : INTRO_EXCFILE_FLG_DEFAULT_ARCH,
                       &bits);
    if (!C->Signature && IgRulesCompleteFlags(C->RecordType, C->ObjectType, &words, &bits) != IgFlagsOk)
    {
        return false;
    }
    *Bits = bits;
    return true;
}

/* Drops the words in Drop if the compiler's defaults put the same bits back. */
static void IgTryDrop(const IG_FLAG_CONTEXT *C, IG_SPELLING *S, uint32_t Want, const char *const *Drop, size_t N)
{
    IG_SPELLING trial = *S;
    uint32_t bits;

    for (size_t i = 0; i < N; i++)
    {
        if (!IgFlagWordsHave(&trial.Words, Drop[i]))
        {
            return;
        }
        IgFlagWordsRemove(&trial.Words, Drop[i]);
    }
    if (trial.Words.Count == 0)
    {
        trial.Present = false;
    }
    if (IgSimulate(C, &trial, &bits) && bits == Want)
    {
        *S = trial;
    }
}

/* Names Want's bits with the namespaces in Order (first match wins), then minimises. */
static bool IgNameFlags(const IG_FLAG_CONTEXT *C, uint32_t Want, const unsigned *Order, size_t OrderCount,
                        IG_SPELLING *S)
{
    static const char *const pair[] = {"32", "64"};
    static const char *const dropWrite[] = {"write"};
    static const char *const dropExec[] = {"exec"};
    static const char *const dropReturnDrv[] = {"return-drv"};
    uint32_t bits;

    memset(S, 0, sizeof(*S));
    S->Present = true;
    for (unsigned bit = 0; bit < 32; bit++)
    {
        const char *name = NULL;

        if (!(Want & (1u << bit)))
        {
            continue;
        }
        for (size_t i = 0; i < OrderCount && !name; i++)
        {
            name = IntExcFileFlagName(Order[i], 1u << bit);
        }
        if (!name)
        {
            return false;
        }
        IgFlagWordsAdd(&S->Words, name);
    }
    /* The kernel kind rejects an explicit return-drv; when return or non-driver imply it, leave it out. */
    if (S->Words.Count && (!IgSimulate(C, S, &bits) || bits != Want) && IgFlagWordsHave(&S->Words, "return-drv"))
    {
        IgFlagWordsRemove(&S->Words, "return-drv");
    }
    if (S->Words.Count == 0 || !IgSimulate(C, S, &bits) || bits != Want)
    {
        /* Some names imply more (return -> return-drv); without return-drv spelled out, or with flags
         * the compiler rejects, there is no spelling with names in this order. */
        if (S->Words.Count == 0)
        {
            S->Present = false;
            return IgSimulate(C, S, &bits) && bits == Want;
        }
        return false;
    }
    IgTryDrop(C, S, Want, pair, 2);
    IgTryDrop(C, S, Want, dropWrite, 1);
    IgTryDrop(C, S, Want, dropExec, 1);
    IgTryDrop(C, S, Want, dropReturnDrv, 1);
    return true;
}

bool IgEmitFlags(IG_ENTRY *E, const IG_FLAG_CONTEXT *C, uint32_t Want)
{
    static const unsigned kernelFirst[] = {INTRO_EXCFILE_FLAGS_COMMON, INTRO_EXCFILE_FLAGS_KERNEL,
                                           INTRO_EXCFILE_FLAGS_KERNEL_USER, INTRO_EXCFILE_FLAGS_USER};
    static const unsigned userFirst[] = {INTRO_EXCFILE_FLAGS_COMMON, INTRO_EXCFILE_FLAGS_USER,
                                         INTRO_EXCFILE_FLAGS_KERNEL_USER, INTRO_EXCFILE_FLAGS_KERNEL};
    static const unsigned signature[] = {INTRO_EXCFILE_FLAGS_SIGNATURE};
    IG_SPELLING s;
    bool named;

    if (C->Signature)
    {
        named = IgNameFlags(C, Want, signature, 1, &s);
    }
    else if (C->RecordType == INTRO_EXCFILE_REC_KERNEL || C->RecordType == INTRO_EXCFILE_REC_KERNEL_USER)
    {
        /* Kernel-mode names first (how the matchers read kernel-user bits); a kernel-user record whose
         * 0x100/0x200 bits are not a non-driver/return-drv pair may still be spelt with user-mode names. */
        named = IgNameFlags(C, Want, kernelFirst, 4, &s) || IgNameFlags(C, Want, userFirst, 4, &s);
    }
    else
    {
        named = IgNameFlags(C, Want, userFirst, 4, &s);
    }

    if (!named)
    {
        IgEntryHex32(E, "flags_raw", Want);
        return false;
    }
    if (s.Present)
    {
        IgEntryKey(E, "flags");
        IgTextAppend(E->Out, "\"");
        for (size_t i = 0; i < s.Words.Count; i++)
        {
            IgTextAppend(E->Out, "%s%.*s", i ? " " : "", (int)s.Words.Length[i], s.Words.Word[i]);
        }
        IgTextAppend(E->Out, "\"");
    }
    return true;
}
