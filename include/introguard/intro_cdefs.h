/*
 * introguard: the compiler annotations every public header uses.
 *
 * INTROGUARD_MUST_CHECK  marks a function whose status must be looked at (warn_unused_result).
 *                        gcc warns even when the result is cast to void, so an integrator that
 *                        ignores some statuses on purpose (teardown paths) may define it empty
 *                        before the first introguard include: -DINTROGUARD_MUST_CHECK=
 *                        The library itself is always built with it.
 * INTROGUARD_API         marks the public functions.  The library is compiled with hidden
 *                        visibility and shipped as one object whose other symbols are local
 *                        (docs/api.md, "Linking"); this keeps the public ones global.
 * INTROGUARD_STATIC_ASSERT  a layout check that works in C11 and in C++.
 */
#ifndef INTROGUARD_INTRO_CDEFS_H
#define INTROGUARD_INTRO_CDEFS_H

#if defined(__GNUC__) || defined(__clang__)
#define INTROGUARD_API __attribute__((visibility("default")))
#ifndef INTROGUARD_MUST_CHECK
#define INTROGUARD_MUST_CHECK __attribute__((warn_unused_result))
#endif
#else
#define INTROGUARD_API
#ifndef INTROGUARD_MUST_CHECK
#define INTROGUARD_MUST_CHECK
#endif
#endif

#ifdef __cplusplus
#define INTROGUARD_STATIC_ASSERT(Cond, Msg) static_assert(Cond, Msg)
#else
#define INTROGUARD_STATIC_ASSERT(Cond, Msg) _Static_assert(Cond, Msg)
#endif

/* Layout asserts hold where the sizes were measured (x86-64); elsewhere they are not checked. */
#if defined(__x86_64__) || defined(_M_X64)
#define INTROGUARD_LAYOUT_ASSERT(Cond, Msg) INTROGUARD_STATIC_ASSERT(Cond, Msg)
#else
#define INTROGUARD_LAYOUT_ASSERT(Cond, Msg) INTROGUARD_STATIC_ASSERT(1, Msg)
#endif

#endif /* INTROGUARD_INTRO_CDEFS_H */
