/*
 * The tests' pseudo-random generators (see test_random.h).
 */
#include "test_random.h"

uint64_t TestRandom64(uint64_t *State)
{
    *State ^= *State >> 12;
    *State ^= *State << 25;
    *State ^= *State >> 27;
    return *State * 0x2545F4914F6CDD1Dull;
}

uint32_t TestRandomBelow(uint64_t *State, uint32_t Bound)
{
    *State ^= *State << 13;
    *State ^= *State >> 7;
    *State ^= *State << 17;
    return (uint32_t)(*State % Bound);
}
