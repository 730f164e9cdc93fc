/*
 * IG_ASSERT: an invariant the engine relies on, written where it must hold.
 *
 * Checked when the build defines INTROGUARD_ASSERTIONS (the sanitizer build does: CMake option
 * INTROGUARD_ASSERTIONS, on with INTROGUARD_SANITIZE); a violated one reports file, line and the
 * condition on stderr and aborts, so tests and fuzzers stop where the state went wrong.  In other
 * builds the condition is not evaluated (only its type is checked, so variables used only by
 * assertions do not warn).  Assertions never validate input: untrusted bytes are errors, reported.
 */
#ifndef INTROGUARD_INVARIANT_H
#define INTROGUARD_INVARIANT_H

#ifdef INTROGUARD_ASSERTIONS
__attribute__((noreturn)) void IgAssertFailed(const char *Condition, const char *File, int Line);
#define IG_ASSERT(Condition) ((Condition) ? (void)0 : IgAssertFailed(#Condition, __FILE__, __LINE__))
#else
#define IG_ASSERT(Condition) ((void)sizeof((Condition) ? 1 : 0))
#endif

#endif /* INTROGUARD_INVARIANT_H */
