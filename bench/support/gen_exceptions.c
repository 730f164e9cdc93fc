/*
 * IgGenExceptions: a deterministic, realistic exceptions file as hvmi's compiler would lay it out.
 *
 * The shape follows what the shipped corpus looks like, scaled up: most KM exceptions protect
 * drivers and are written by named drivers, a few use `[kernel]`, `[hal]`, `-` or `*`; UM exceptions
 * mix process-type objects (narrow, trimmed process names) and module-type objects (wide module
 * names); about a tenth reference one to three signatures, and signatures are shared between
 * exceptions about half the time.  Names are synthetic ("drv00042.sys", "proc00007.exe",
 * "mod00011.dll") and hashed with hvmi's name hash, narrow or wide as the compiler would (§4.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32.h"
#include "gen_exceptions.h"

/* ---- PRNG: splitmix64, fixed algorithm so the output never depends on the C library --------------- */

typedef struct IG_GEN_RNG
{
    uint64_t State;
} IG_GEN_RNG;

static uint64_t IgGenNext(IG_GEN_RNG *Rng)
{
    uint64_t z = (Rng->State += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, Bound); Bound 0 gives 0. */
static uint32_t IgGenBelow(IG_GEN_RNG *Rng, uint32_t Bound)
{
    return (uint32_t)(((IgGenNext(Rng) >> 32) * (uint64_t)Bound) >> 32);
}

static bool IgGenChance(IG_GEN_RNG *Rng, uint32_t Permille)
{
    return IgGenBelow(Rng, 1000) < Permille;
}

/* Index into a table of weights. */
static uint32_t IgGenWeighted(IG_GEN_RNG *Rng, const uint8_t *Weights, uint32_t Count)
{
    uint32_t total = 0;
    uint32_t pick;

    for (uint32_t i = 0; i < Count; i++)
    {
        total += Weights[i];
    }
    pick = IgGenBelow(Rng, total);
    for (uint32_t i = 0; i < Count; i++)
    {
        if (pick < Weights[i])
        {
            return i;
        }
        pick -= Weights[i];
    }
    return Count - 1;
}

/* ---- Synthetic names ------------------------------------------------------------------------------ */

/* Special name values (spec §3.5). */
#define GEN_NAME_ANY 0u
#define GEN_NAME_KERNEL 2u
#define GEN_NAME_HAL 3u
#define GEN_NAME_NONE 4u

/* "<Prefix><5-digit Index><Suffix>", e.g. "drv00042.sys". */
static uint32_t IgGenWideName(const char *Prefix, uint32_t Index, const char *Suffix)
{
    char name[32];
    int len = snprintf(name, sizeof(name), "%s%05u%s", Prefix, Index, Suffix);
    return IgNameHashWideAscii(name, (size_t)len);
}

static uint32_t IgGenNarrowName(const char *Prefix, uint32_t Index, const char *Suffix)
{
    char name[32];
    int len = snprintf(name, sizeof(name), "%s%05u%s", Prefix, Index, Suffix);
    /* Process names are trimmed to 14 characters (§4.3); ours are 13 long, so this is a no-op. */
    return IgNameHash(name, len > 14 ? 14 : (size_t)len);
}

typedef struct IG_GEN_POOLS
{
    uint32_t Drivers;
    uint32_t Processes;
    uint32_t Modules;
} IG_GEN_POOLS;

static uint32_t IgGenDriver(IG_GEN_RNG *Rng, const IG_GEN_POOLS *Pools)
{
    return IgGenWideName("drv", IgGenBelow(Rng, Pools->Drivers), ".sys");
}

static uint32_t IgGenProcess(IG_GEN_RNG *Rng, const IG_GEN_POOLS *Pools)
{
    return IgGenNarrowName("proc", IgGenBelow(Rng, Pools->Processes), ".exe");
}

static uint32_t IgGenModule(IG_GEN_RNG *Rng, const IG_GEN_POOLS *Pools)
{
    return IgGenWideName("mod", IgGenBelow(Rng, Pools->Modules), ".dll");
}

/* ---- Signatures ----------------------------------------------------------------------------------- */

typedef struct IG_GEN_SIG
{
    uint32_t Id;
    uint32_t Offset; /* of the whole record in IG_GEN_STATE.SigBytes */
    uint32_t Size;
} IG_GEN_SIG;

#define GEN_REUSE_RING 64u

typedef struct IG_GEN_STATE
{
    IG_GEN_RNG Rng;
    const IG_GEN_PARAMS *Params;
    IG_GEN_POOLS Pools;
    IG_GEN_SIG *Sigs;
    uint32_t SigCount;
    uint32_t SigCapacity;
    IG_GEN_BUFFER SigBytes;
    /* Recently created signatures per (record type, linux), for sharing between exceptions. */
    uint32_t Recent[16][2][GEN_REUSE_RING];
    uint32_t RecentCount[16][2];
} IG_GEN_STATE;

static void IgGenSortU32(uint32_t *Values, uint32_t Count)
{
    for (uint32_t i = 1; i < Count; i++)
    {
        uint32_t v = Values[i];
        uint32_t j = i;
        while (j > 0 && Values[j - 1] > v)
        {
            Values[j] = Values[j - 1];
            j--;
        }
        Values[j] = v;
    }
}

static void IgGenWriteSigBody(IG_GEN_STATE *St, uint8_t Type, uint32_t Id, uint32_t Flags)
{
    IG_GEN_RNG *rng = &St->Rng;
    IG_GEN_BUFFER *out = &St->SigBytes;

    switch (Type)
    {
        case IG_GEN_REC_CODEBLOCKS:
        {
            uint8_t sizes[4];
            uint32_t hashes[4 * 8];
            uint8_t lists = (uint8_t)(1 + IgGenBelow(rng, 4));
            uint32_t next = 0;
            uint8_t smallest = 8;

            for (uint8_t i = 0; i < lists; i++)
            {
                sizes[i] = (uint8_t)(3 + IgGenBelow(rng, 6));
                smallest = sizes[i] < smallest ? sizes[i] : smallest;
                for (uint8_t k = 0; k < sizes[i]; k++)
                {
                    hashes[next + k] = (uint32_t)IgGenNext(rng);
                }
                IgGenSortU32(hashes + next, sizes[i]); /* the compiler sorts each list (§2.6.2) */
                next += sizes[i];
            }
            if (IgGenChance(rng, 100))
            {
                Flags |= 0x4; /* medium */
            }
            IgGenPutCodeBlocksSig(out, Id, Flags, (uint8_t)(1 + IgGenBelow(rng, smallest < 3 ? smallest : 3)), lists,
                                  sizes, hashes);
            break;
        }
        case IG_GEN_REC_EXPORT:
        {
            uint16_t deltas[12];
            uint32_t functions[12];
            uint8_t count = (uint8_t)(1 + IgGenBelow(rng, 12));

            for (uint8_t i = 0; i < count; i++)
            {
                static const uint16_t commonDeltas[] = {0, 5, 8, 16, 16, 16, 32};
                deltas[i] = commonDeltas[IgGenBelow(rng, sizeof(commonDeltas) / sizeof(commonDeltas[0]))];
                functions[i] = IgGenNarrowName("Func", IgGenBelow(rng, 4096), "");
            }
            IgGenPutExportSig(out, Id, Flags, IgGenModule(rng, &St->Pools), count, deltas, functions);
            break;
        }
        case IG_GEN_REC_VALUE:
        {
            IG_GEN_VALUE_ENTRY entries[4];
            uint8_t count = (uint8_t)(1 + IgGenBelow(rng, 4));

            for (uint8_t i = 0; i < count; i++)
            {
                entries[i].Offset = (uint16_t)IgGenBelow(rng, 0x400);
                entries[i].Size = (uint16_t)(1 + IgGenBelow(rng, 16));
                entries[i].Hash = (uint32_t)IgGenNext(rng);
            }
            IgGenPutValueSig(out, Id, Flags, (uint8_t)(1 + IgGenBelow(rng, count)), count, entries);
            break;
        }
        case IG_GEN_REC_VALUE_CODE:
        {
            static const int16_t offsets[] = {0, 0, -5, -8, 3};
            uint16_t pattern[24];
            uint16_t length = (uint16_t)(4 + IgGenBelow(rng, 21));

            for (uint16_t i = 0; i < length; i++)
            {
                pattern[i] = IgGenChance(rng, 150) ? 0x100 : (uint16_t)IgGenBelow(rng, 256);
            }
            IgGenPutValueCodeSig(out, Id, Flags, offsets[IgGenBelow(rng, sizeof(offsets) / sizeof(offsets[0]))], length,
                                 pattern);
            break;
        }
        case IG_GEN_REC_IDT:
            IgGenPutIdtSig(out, Id, Flags, (uint8_t)IgGenBelow(rng, 256));
            break;
        default:
            out->Failed = true;
            break;
    }
}

/* A signature of this record type for an exception: a recent one half the time, else a new one. */
static bool IgGenSignature(IG_GEN_STATE *St, uint8_t Type, bool Linux, uint32_t *Id)
{
    uint32_t recent = St->RecentCount[Type][Linux];
    IG_GEN_SIG *sig;
    size_t start;

    if (recent && IgGenChance(&St->Rng, 500))
    {
        uint32_t pick = IgGenBelow(&St->Rng, recent < GEN_REUSE_RING ? recent : GEN_REUSE_RING);
        *Id = St->Sigs[St->Recent[Type][Linux][pick]].Id;
        return true;
    }
    if (St->SigCount == St->SigCapacity || St->SigCount >= 0x3FFFFFu)
    {
        return false;
    }

    sig = &St->Sigs[St->SigCount];
    /* Sequence numbers are global across types, in creation ("parse") order (§5.8). */
    sig->Id = IG_GEN_SIG_ID(IgGenSigTypeCode(Type), St->SigCount + 1);
    start = St->SigBytes.Size;
    IgGenWriteSigBody(St, Type, sig->Id, 0x3u | (Linux ? 0x80u : 0u));
    if (St->SigBytes.Failed || St->SigBytes.Size > 0xFFFFFFFFu)
    {
        return false;
    }
    sig->Offset = (uint32_t)start;
    sig->Size = (uint32_t)(St->SigBytes.Size - start);
    St->Recent[Type][Linux][recent % GEN_REUSE_RING] = St->SigCount;
    St->RecentCount[Type][Linux] = recent + 1;
    St->SigCount++;
    *Id = sig->Id;
    return true;
}

/* ---- Exceptions ----------------------------------------------------------------------------------- */

typedef struct IG_GEN_EXC
{
    uint32_t Originator;
    uint32_t Victim;
    uint32_t Process;
    uint32_t Flags;
    uint32_t SigIds[IG_GEN_MAX_SIG_REFS];
    uint32_t ParseIndex;
    uint8_t Type;
    uint8_t ObjectType;
    uint8_t SigCount;
    /* Glob patterns (type 6 only), at most 14 effective characters each (§5.6). */
    char GlobOriginator[24];
    char GlobVictim[24];
    char GlobProcess[24];
} IG_GEN_EXC;

/*
 * Draws 1-3 signature references from the given record types, sorted ascending (the compiler
 * sorts each exception's IDs, §5.8) and without repeats.
 */
static bool IgGenReferences(IG_GEN_STATE *St, IG_GEN_EXC *Exc, const uint8_t *Types, const uint8_t *Weights,
                            uint32_t TypeCount, IG_GEN_SUMMARY *Summary)
{
    static const uint8_t countWeights[] = {70, 20, 10};
    uint32_t want;
    bool isLinux = (Exc->Flags & 0x80u) != 0;

    Exc->SigCount = 0;
    if (!IgGenChance(&St->Rng, St->Params->SignedPermille))
    {
        return true;
    }
    want = 1 + IgGenWeighted(&St->Rng, countWeights, 3);
    for (uint32_t attempt = 0; attempt < 2 * want && Exc->SigCount < want; attempt++)
    {
        uint32_t id;
        bool seen = false;

        if (!IgGenSignature(St, Types[IgGenWeighted(&St->Rng, Weights, TypeCount)], isLinux, &id))
        {
            return false;
        }
        for (uint32_t i = 0; i < Exc->SigCount; i++)
        {
            seen = seen || Exc->SigIds[i] == id;
        }
        if (!seen)
        {
            Exc->SigIds[Exc->SigCount++] = id;
        }
    }
    IgGenSortU32(Exc->SigIds, Exc->SigCount);
    Summary->SignedExceptions++;
    Summary->SignatureRefs += Exc->SigCount;
    return true;
}

static uint32_t IgGenCommonFlags(IG_GEN_STATE *St)
{
    static const uint32_t arch[] = {0x6, 0x6, 0x6, 0x6, 0x6, 0x6, 0x6, 0x4, 0x4, 0x2};
    uint32_t flags = arch[IgGenBelow(&St->Rng, 10)];

    if (IgGenChance(&St->Rng, 50))
    {
        flags |= 0x8; /* init */
    }
    if (IgGenChance(&St->Rng, 10))
    {
        flags |= 0x1; /* feedback */
    }
    if (IgGenChance(&St->Rng, St->Params->LinuxPermille))
    {
        flags |= 0x80;
    }
    return flags;
}

static bool IgGenKernel(IG_GEN_STATE *St, IG_GEN_EXC *Exc, IG_GEN_SUMMARY *Summary)
{
    /* KM object types (§3.0) and how often the corpus-like set uses them. */
    static const uint8_t objects[] = {2, 3, 4, 5, 18, 8, 9, 10, 7, 11, 14, 15, 16, 12, 17, 19};
    static const uint8_t objWeights[] = {35, 10, 10, 5, 5, 8, 4, 4, 2, 2, 4, 2, 2, 3, 2, 2};
    static const uint8_t sigTypes[] = {IG_GEN_REC_CODEBLOCKS, IG_GEN_REC_VALUE_CODE, IG_GEN_REC_VALUE, IG_GEN_REC_IDT};
    static const uint8_t sigWeights[] = {50, 20, 15, 15};
    IG_GEN_RNG *rng = &St->Rng;
    uint32_t roll = IgGenBelow(rng, 1000);
    uint32_t any = St->Params->AnyOriginatorPermille;
    uint8_t obj = objects[IgGenWeighted(rng, objWeights, sizeof(objects))];

    Exc->Type = IG_GEN_REC_KERNEL;
    Exc->ObjectType = obj;
    if (obj == 19)
    {
        Exc->Originator = GEN_NAME_NONE; /* token-privs with integrity: the compiler sets `-` */
    }
    else
    {
        Exc->Originator = roll < any        ? GEN_NAME_ANY
                          : roll < any + 30 ? GEN_NAME_KERNEL
                          : roll < any + 40 ? GEN_NAME_HAL
                          : roll < any + 50 ? GEN_NAME_NONE
                                            : IgGenDriver(rng, &St->Pools);
    }
    Summary->AnyOriginator += Exc->Originator == GEN_NAME_ANY;

    switch (obj)
    {
        case 7:                         /* ssdt */
        case 10:                        /* msr */
        case 11:                        /* cr4 */
        case 14:                        /* idt */
        case 15:                        /* idt-reg */
        case 16:                        /* gdt-reg */
        case 17:                        /* infinity-hook */
            Exc->Victim = GEN_NAME_ANY; /* these objects take no victim */
            break;
        case 19: /* token-privs: a process name, narrow and trimmed to 14 */
            Exc->Victim = IgGenProcess(rng, &St->Pools);
            break;
        default:
            Exc->Victim = IgGenChance(rng, 100)  ? GEN_NAME_ANY
                          : IgGenChance(rng, 50) ? GEN_NAME_KERNEL
                                                 : IgGenDriver(rng, &St->Pools);
            break;
    }
    Exc->Process = 0xFFFFFFFFu; /* written as the (unused) path hash */
    Exc->Flags = IgGenCommonFlags(St);
    Exc->Flags |= IgGenChance(rng, 100) ? 0x10000000u : IgGenChance(rng, 50) ? 0x40000000u : 0x20000000u;
    if (obj == 11)
    {
        Exc->Flags |= 0x800; /* cr4 needs smep or smap */
    }
    if (obj == 19)
    {
        Exc->Flags |= 0x1000; /* token-privs with integrity, originator `-` */
    }
    else if (IgGenChance(rng, 30))
    {
        Exc->Flags |= 0x10 | 0x200; /* return, and the implied return-drv */
    }
    return IgGenReferences(St, Exc, sigTypes, sigWeights, sizeof(sigTypes), Summary);
}

static bool IgGenIsProcessObject(uint8_t Obj)
{
    /* Objects whose originator and victim are processes: narrow, trimmed hashes (§4.4). */
    return Obj == 2 || Obj == 7 || Obj == 8 || Obj == 9 || Obj == 10 || Obj == 11 || Obj == 13 || Obj == 15;
}

static bool IgGenUser(IG_GEN_STATE *St, IG_GEN_EXC *Exc, IG_GEN_SUMMARY *Summary)
{
    static const uint8_t objects[] = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15};
    static const uint8_t objWeights[] = {20, 20, 10, 10, 5, 8, 3, 3, 5, 8, 2, 4, 2};
    static const uint8_t sigTypes[] = {IG_GEN_REC_CODEBLOCKS, IG_GEN_REC_EXPORT, IG_GEN_REC_VALUE_CODE,
                                       IG_GEN_REC_VALUE};
    static const uint8_t sigWeights[] = {35, 35, 15, 15};
    IG_GEN_RNG *rng = &St->Rng;
    bool apc = IgGenChance(rng, St->Params->ApcPermille);
    uint8_t obj = apc ? 10 : objects[IgGenWeighted(rng, objWeights, sizeof(objects))];
    uint32_t roll = IgGenBelow(rng, 1000);
    uint32_t any = St->Params->AnyOriginatorPermille;

    Exc->Type = apc ? IG_GEN_REC_USER_APC : IG_GEN_REC_USER;
    Exc->ObjectType = obj;
    Exc->Originator = roll < any                  ? GEN_NAME_ANY
                      : roll < any + 10           ? GEN_NAME_NONE
                      : IgGenIsProcessObject(obj) ? IgGenProcess(rng, &St->Pools)
                                                  : IgGenModule(rng, &St->Pools);
    Summary->AnyOriginator += Exc->Originator == GEN_NAME_ANY;

    if (obj == 5 || apc)
    {
        Exc->Victim = GEN_NAME_ANY; /* nx_zone takes no victim; APC victims are `*` in the corpus */
    }
    else if (IgGenIsProcessObject(obj) || obj == 12)
    {
        Exc->Victim = IgGenChance(rng, 150) ? GEN_NAME_ANY : IgGenProcess(rng, &St->Pools);
    }
    else
    {
        Exc->Victim = IgGenChance(rng, 100) ? GEN_NAME_ANY : IgGenModule(rng, &St->Pools);
    }

    /* process: required for module and module imports, forbidden for process, else optional. */
    if (obj == 3 || obj == 4 || (obj != 2 && !apc && IgGenChance(rng, 500)))
    {
        Exc->Process = IgGenProcess(rng, &St->Pools);
    }
    else
    {
        Exc->Process = 0;
    }

    Exc->Flags = IgGenCommonFlags(St);
    if (obj == 5 || obj == 11 || obj == 13)
    {
        Exc->Flags |= 0x40000000u; /* exec is their default */
    }
    else
    {
        Exc->Flags |= IgGenChance(rng, 100) ? 0x10000000u : 0x20000000u;
    }
    if (apc || IgGenChance(rng, 50))
    {
        Exc->Flags |= 0x100; /* system-process */
    }
    if (obj == 2 && IgGenChance(rng, 300))
    {
        Exc->Flags |= 0x200; /* child */
    }
    return IgGenReferences(St, Exc, sigTypes, sigWeights, sizeof(sigTypes), Summary);
}

static bool IgGenKernelUser(IG_GEN_STATE *St, IG_GEN_EXC *Exc, IG_GEN_SUMMARY *Summary)
{
    static const uint8_t objects[] = {2, 3, 4};
    static const uint8_t objWeights[] = {70, 20, 10};
    static const uint8_t sigTypes[] = {IG_GEN_REC_EXPORT, IG_GEN_REC_CODEBLOCKS};
    static const uint8_t sigWeights[] = {50, 50};
    IG_GEN_RNG *rng = &St->Rng;
    bool user = IgGenChance(rng, 200);

    Exc->Type = IG_GEN_REC_KERNEL_USER;
    Exc->ObjectType = objects[IgGenWeighted(rng, objWeights, sizeof(objects))];
    Exc->Flags = IgGenCommonFlags(St) | 0x20000000u | (user ? 0x8000u : 0u);
    if (IgGenChance(rng, St->Params->AnyOriginatorPermille))
    {
        Exc->Originator = GEN_NAME_ANY;
    }
    else
    {
        Exc->Originator = user ? IgGenProcess(rng, &St->Pools) : IgGenDriver(rng, &St->Pools);
    }
    Summary->AnyOriginator += Exc->Originator == GEN_NAME_ANY;
    Exc->Victim = IgGenModule(rng, &St->Pools);
    Exc->Process = IgGenChance(rng, 200) ? 0 : IgGenProcess(rng, &St->Pools);
    return IgGenReferences(St, Exc, sigTypes, sigWeights, sizeof(sigTypes), Summary);
}

static bool IgGenGlob(IG_GEN_STATE *St, IG_GEN_EXC *Exc, IG_GEN_SUMMARY *Summary)
{
    static const uint8_t objects[] = {3, 2, 4};
    static const uint8_t objWeights[] = {60, 25, 15};
    static const uint8_t sigTypes[] = {IG_GEN_REC_EXPORT, IG_GEN_REC_CODEBLOCKS};
    static const uint8_t sigWeights[] = {50, 50};
    IG_GEN_RNG *rng = &St->Rng;
    uint32_t procs = St->Pools.Processes;
    uint32_t mods = St->Pools.Modules;

    Exc->Type = IG_GEN_REC_GLOB;
    Exc->ObjectType = objects[IgGenWeighted(rng, objWeights, sizeof(objects))];
    if (IgGenChance(rng, St->Params->AnyOriginatorPermille))
    {
        snprintf(Exc->GlobOriginator, sizeof(Exc->GlobOriginator), "*");
        Summary->AnyOriginator++;
    }
    else if (IgGenChance(rng, 500))
    {
        snprintf(Exc->GlobOriginator, sizeof(Exc->GlobOriginator), "proc%03u*.exe",
                 IgGenBelow(rng, procs) / 100 % 1000);
    }
    else
    {
        snprintf(Exc->GlobOriginator, sizeof(Exc->GlobOriginator), "proc%05u.exe", IgGenBelow(rng, procs) % 100000);
    }
    if (Exc->ObjectType == 2)
    {
        snprintf(Exc->GlobVictim, sizeof(Exc->GlobVictim), "proc%03u*.exe", IgGenBelow(rng, procs) / 100 % 1000);
        snprintf(Exc->GlobProcess, sizeof(Exc->GlobProcess), "*"); /* process is forbidden: written as `*` */
    }
    else
    {
        snprintf(Exc->GlobVictim, sizeof(Exc->GlobVictim), "mod%03u*.dll", IgGenBelow(rng, mods) / 100 % 1000);
        snprintf(Exc->GlobProcess, sizeof(Exc->GlobProcess), "proc%05u.ex?", IgGenBelow(rng, procs) % 100000);
    }
    Exc->Flags = IgGenCommonFlags(St) | (IgGenChance(rng, 100) ? 0x10000000u : 0x20000000u);
    return IgGenReferences(St, Exc, sigTypes, sigWeights, sizeof(sigTypes), Summary);
}

/* ---- Sorting (§5.10): stable, by the compiler's keys, with the parse index as last key ------------- */

#define GEN_CMP(a, b)                                                                                                  \
    do                                                                                                                 \
    {                                                                                                                  \
        if ((a) != (b))                                                                                                \
        {                                                                                                              \
            return (a) < (b) ? -1 : 1;                                                                                 \
        }                                                                                                              \
    } while (0)

static int IgGenCompareKernel(const void *Left, const void *Right)
{
    const IG_GEN_EXC *l = Left;
    const IG_GEN_EXC *r = Right;
    GEN_CMP(l->Originator, r->Originator);
    GEN_CMP(l->ObjectType, r->ObjectType);
    GEN_CMP(l->Victim, r->Victim);
    GEN_CMP(l->Flags, r->Flags);
    GEN_CMP(l->ParseIndex, r->ParseIndex);
    return 0;
}

static int IgGenCompareUser(const void *Left, const void *Right)
{
    const IG_GEN_EXC *l = Left;
    const IG_GEN_EXC *r = Right;
    GEN_CMP(l->Originator, r->Originator);
    GEN_CMP(l->ObjectType, r->ObjectType);
    GEN_CMP(l->Victim, r->Victim);
    GEN_CMP(l->Process, r->Process);
    GEN_CMP(l->Flags, r->Flags);
    GEN_CMP(l->ParseIndex, r->ParseIndex);
    return 0;
}

static int IgGenCompareKernelUser(const void *Left, const void *Right)
{
    const IG_GEN_EXC *l = Left;
    const IG_GEN_EXC *r = Right;
    GEN_CMP(l->Originator, r->Originator);
    GEN_CMP(l->Process, r->Process);
    GEN_CMP(l->ObjectType, r->ObjectType);
    GEN_CMP(l->Victim, r->Victim);
    GEN_CMP(l->Flags, r->Flags);
    GEN_CMP(l->ParseIndex, r->ParseIndex);
    return 0;
}

static int IgGenCompareGlob(const void *Left, const void *Right)
{
    const IG_GEN_EXC *l = Left;
    const IG_GEN_EXC *r = Right;
    int c = strcmp(l->GlobOriginator, r->GlobOriginator); /* ASCII: byte order is code-point order */
    if (c)
    {
        return c;
    }
    GEN_CMP(l->ObjectType, r->ObjectType);
    if ((c = strcmp(l->GlobVictim, r->GlobVictim)) != 0)
    {
        return c;
    }
    if ((c = strcmp(l->GlobProcess, r->GlobProcess)) != 0)
    {
        return c;
    }
    GEN_CMP(l->Flags, r->Flags);
    GEN_CMP(l->ParseIndex, r->ParseIndex);
    return 0;
}

static int IgGenCompareSig(const void *Left, const void *Right)
{
    const IG_GEN_SIG *l = Left;
    const IG_GEN_SIG *r = Right;
    GEN_CMP(l->Id, r->Id);
    return 0;
}

/* The compiler's glob-start characters (§2.8 item 5): `*`, `[`, `]`, `?`, or two backslashes. */
static bool IgGenGlobPrefixed(const char *Pattern)
{
    return Pattern[0] == '*' || Pattern[0] == '[' || Pattern[0] == ']' || Pattern[0] == '?' ||
           (Pattern[0] == '\\' && Pattern[1] == '\\');
}

static void IgGenEmit(IG_GEN_BUFFER *Out, const IG_GEN_EXC *Exc, IG_GEN_SUMMARY *Summary)
{
    if (Exc->Type == IG_GEN_REC_GLOB)
    {
        IgGenPutGlob(Out, Exc->Flags, Exc->ObjectType, Exc->GlobOriginator, Exc->GlobVictim, Exc->GlobProcess,
                     Exc->SigIds, Exc->SigCount);
    }
    else
    {
        IgGenPutException(Out, Exc->Type, Exc->Originator, Exc->Type == IG_GEN_REC_KERNEL ? Exc->Process : Exc->Victim,
                          Exc->Type == IG_GEN_REC_KERNEL ? Exc->Victim : Exc->Process, Exc->Flags, Exc->ObjectType,
                          Exc->SigIds, Exc->SigCount);
    }
    Summary->RecordsByType[Exc->Type]++;
    Summary->LinuxExceptions += (Exc->Flags & 0x80u) != 0;
}

void IgGenDefaultParams(IG_GEN_PARAMS *Params)
{
    memset(Params, 0, sizeof(*Params));
    Params->Seed = 1;
    Params->AnyOriginatorPermille = 20;
    Params->SignedPermille = 100;
    Params->ApcPermille = 10;
}

static uint32_t IgGenPoolSize(uint32_t Count, uint32_t Divisor)
{
    uint32_t n = Count / Divisor;
    return n < 16 ? 16 : n > 99999 ? 99999 : n;
}

INTSTATUS IgGenExceptions(const IG_GEN_PARAMS *Params, uint8_t **Buffer, size_t *Size, IG_GEN_SUMMARY *Summary)
{
    IG_GEN_STATE *st = NULL;
    IG_GEN_EXC *exc = NULL;
    IG_GEN_BUFFER out = {0};
    IG_GEN_SUMMARY summary;
    IG_GEN_HEADER header = {.Major = 2, .Minor = 2};
    uint32_t counts[4];
    uint32_t first[4];
    uint32_t total = 0;
    uint32_t globWritten = 0;
    size_t refs;
    INTSTATUS status = INT_STATUS_INSUFFICIENT_RESOURCES;

    *Buffer = NULL;
    *Size = 0;
    memset(&summary, 0, sizeof(summary));
    counts[0] = Params->KernelCount;
    counts[1] = Params->UserCount;
    counts[2] = Params->KernelUserCount;
    counts[3] = Params->GlobCount;
    for (int k = 0; k < 4; k++)
    {
        if (counts[k] > IG_GEN_MAX_EXCEPTIONS)
        {
            return INT_STATUS_INVALID_PARAMETER_1;
        }
        first[k] = total;
        total += counts[k]; /* at most 4 * 2^22: no overflow */
    }
    if (total == 0)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }

    st = calloc(1, sizeof(*st));
    exc = calloc(total, sizeof(*exc));
    refs = (size_t)total * IG_GEN_MAX_SIG_REFS;
    if (!st || !exc)
    {
        goto cleanup;
    }
    st->Rng.State = Params->Seed;
    st->Params = Params;
    st->Pools.Drivers = IgGenPoolSize(Params->KernelCount + Params->KernelUserCount, 3);
    st->Pools.Processes = IgGenPoolSize(Params->UserCount + Params->GlobCount, 6);
    st->Pools.Modules = IgGenPoolSize(Params->UserCount + Params->KernelUserCount, 4);
    st->SigCapacity = (uint32_t)(refs > 0x3FFFFFu ? 0x3FFFFFu : refs);
    st->Sigs = calloc(st->SigCapacity, sizeof(*st->Sigs));
    if (!st->Sigs)
    {
        goto cleanup;
    }

    /* "Parse" the exceptions in file-kind order, as the compiler reads one JSON file after another. */
    for (uint32_t i = 0; i < total; i++)
    {
        bool ok;
        exc[i].ParseIndex = i;
        if (i < first[1])
        {
            ok = IgGenKernel(st, &exc[i], &summary);
        }
        else if (i < first[2])
        {
            ok = IgGenUser(st, &exc[i], &summary);
        }
        else if (i < first[3])
        {
            ok = IgGenKernelUser(st, &exc[i], &summary);
        }
        else
        {
            ok = IgGenGlob(st, &exc[i], &summary);
        }
        if (!ok)
        {
            goto cleanup;
        }
    }

    qsort(exc + first[0], counts[0], sizeof(*exc), IgGenCompareKernel);
    qsort(exc + first[1], counts[1], sizeof(*exc), IgGenCompareUser); /* types 2 and 9 in one list */
    qsort(exc + first[2], counts[2], sizeof(*exc), IgGenCompareKernelUser);
    for (uint32_t i = first[3]; i < total; i++)
    {
        globWritten += IgGenGlobPrefixed(exc[i].GlobOriginator) ? 2 : 1;
    }
    qsort(st->Sigs, st->SigCount, sizeof(*st->Sigs), IgGenCompareSig);

    header.KernelCount = counts[0];
    header.UserCount = counts[1];
    header.KernelUserCount = counts[2];
    header.GlobCount = globWritten;
    header.SignatureCount = st->SigCount;
    header.BuildNumber = Params->BuildNumber;
    IgGenPutHeader(&out, &header);

    for (uint32_t i = 0; i < first[3]; i++)
    {
        IgGenEmit(&out, &exc[i], &summary);
    }
    /* Glob: the glob-prefixed ones in parse order (the compiler's prefix list, §7 C3), then all sorted. */
    for (uint32_t i = first[3]; i < total; i++)
    {
        if (IgGenGlobPrefixed(exc[i].GlobOriginator))
        {
            IgGenEmit(&out, &exc[i], &summary);
        }
    }
    qsort(exc + first[3], counts[3], sizeof(*exc), IgGenCompareGlob);
    for (uint32_t i = first[3]; i < total; i++)
    {
        IgGenEmit(&out, &exc[i], &summary);
    }
    for (uint32_t i = 0; i < st->SigCount; i++)
    {
        IgGenPutBytes(&out, st->SigBytes.Data + st->Sigs[i].Offset, st->Sigs[i].Size);
        summary.RecordsByType[st->SigBytes.Data[st->Sigs[i].Offset]]++;
    }
    if (out.Failed || st->SigBytes.Failed)
    {
        goto cleanup;
    }

    summary.Signatures = st->SigCount;
    summary.Exceptions = counts[0] + counts[1] + counts[2] + globWritten;
    summary.Records = summary.Exceptions + summary.Signatures;
    if (Summary)
    {
        *Summary = summary;
    }
    *Buffer = out.Data;
    *Size = out.Size;
    out.Data = NULL;
    status = INT_STATUS_SUCCESS;

cleanup:
    IgGenBufferFree(&out);
    if (st)
    {
        IgGenBufferFree(&st->SigBytes);
        free(st->Sigs);
    }
    free(st);
    free(exc);
    return status;
}
