/*
 * Small functions compiled by tests/codegen/gen_code_samples.py for x86-32 and x86-64.  Each one
 * makes the compiler emit the instruction classes of one row of spec/signatures.md §3.1; the rare
 * ones (string instructions, flags, bit tests) come from builtins or one-line inline assembly.
 */
/* No libc headers: the machine may lack 32-bit ones. */
typedef __SIZE_TYPE__ size_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __INT8_TYPE__ int8_t;
typedef __INT16_TYPE__ int16_t;
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;

extern int ext_fn(int);
extern int ext_fn2(int, int);
extern void (*ext_ptr)(void);
extern volatile int ext_var;
extern int ext_table[64];

/* Call, Jc, Jmp, Ret; MovMem/MovReg/MovImm at medium level. */
int sample_calls(int a, int b)
{
    int r = 0;

    if (a > b)
    {
        r = ext_fn(a);
    }
    else if (a == 3)
    {
        r = ext_fn2(a, 7);
    }
    for (int i = 0; i < b; i++)
    {
        r += ext_fn(i);
        ext_table[i & 63] = r;
    }
    ext_ptr();
    return r + ext_var;
}

/* An indirect jump through a table. */
int sample_switch(int op, int x)
{
    switch (op)
    {
        case 0:
            return ext_fn(x);
        case 1:
            return ext_fn2(x, 1);
        case 2:
            return x * 3 + ext_var;
        case 3:
            return ext_fn(x + 5);
        case 4:
            return ext_fn2(x, x);
        case 5:
            return -x;
        case 6:
            return ext_fn(7);
        default:
            return 0;
    }
}

/* Xchg: atomic exchange and compare-exchange. */
int sample_atomics(int *p, int v)
{
    int old = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
    int expected = old;

    if (!__atomic_compare_exchange_n(p, &expected, v + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
    {
        ext_fn(expected);
    }
    return old;
}

/* Str: stos and lods. */
void sample_strings(uint32_t *dst, size_t n, const uint8_t *src)
{
    uint8_t c;

    __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(0x11223344u) : "memory");
    __asm__ volatile("lodsb" : "=a"(c), "+S"(src) : : "memory");
    ext_fn(c);
    __asm__ volatile("stosb" : "+D"(dst) : "a"(c) : "memory");
}

/* Bt family. */
int sample_bits(unsigned long *words, unsigned long bit)
{
    unsigned char r1;
    unsigned char r2;

    __asm__ volatile("bt %2, %1; setc %0" : "=q"(r1) : "m"(*words), "r"(bit) : "cc");
    __asm__ volatile("bts %2, %1; setc %0" : "=q"(r2), "+m"(*words) : "r"(bit) : "cc");
    __asm__ volatile("btr %1, %0" : "+m"(*words) : "r"(bit) : "cc");
    __asm__ volatile("btcl $3, %0" : "+m"(*words) : : "cc");
    if (r1)
    {
        ext_fn(r2);
    }
    return r1 + r2;
}

/* Flags: pushf/popf. */
unsigned long sample_flags(unsigned long set)
{
    unsigned long f;

#ifdef __x86_64__
    f = __builtin_ia32_readeflags_u64();
    __builtin_ia32_writeeflags_u64(f | set);
#else
    f = __builtin_ia32_readeflags_u32();
    __builtin_ia32_writeeflags_u32(f | set);
#endif
    ext_fn((int)f);
    return f;
}

/* MOV forms: immediates, memory with displacements, register copies, absolute addresses, segment registers. */
struct sample_rec
{
    int64_t a;
    int32_t b;
    int16_t c;
    int8_t d;
    int64_t big[40];
};

int64_t sample_moves(struct sample_rec *r, int64_t v)
{
    unsigned short ds;

    r->a = v;
    r->b = 0x12345678;
    r->c = (int16_t)v;
    r->d = 5;
    r->big[30] = r->a + 0x1122334455667788LL;
    ext_var = (int)r->big[1];
    __asm__ volatile("mov %%ds, %0" : "=r"(ds));
    ext_fn(ds);
    return r->big[39] + r->a;
}

/* A loop-heavy function: conditional branches, LOOP-like shapes the compiler turns into Jcc. */
int sample_loops(const int *a, int n)
{
    int s = 0;

    for (int i = 0; i < n; i++)
    {
        if (a[i] < 0)
        {
            continue;
        }
        if (a[i] > 1000)
        {
            break;
        }
        s += a[i];
    }
    while (s > 100)
    {
        s = ext_fn(s);
    }
    return s;
}
