/*
 * Deterministic pseudo-random numbers for the tests that generate their inputs: the same seed
 * gives the same run, so a failure reproduces and names the iteration it happened at.  The state
 * is the caller's (never zero).
 */
#ifndef INTROGUARD_TEST_RANDOM_H
#define INTROGUARD_TEST_RANDOM_H

#include <stdint.h>

/* The next value of xorshift64* (Vigna's shifts 12, 25, 27). */
uint64_t TestRandom64(uint64_t *State);

/* The next value of Marsaglia's xorshift64 (shifts 13, 7, 17), reduced below Bound (not zero). */
uint32_t TestRandomBelow(uint64_t *State, uint32_t Bound);

#endif /* INTROGUARD_TEST_RANDOM_H */
