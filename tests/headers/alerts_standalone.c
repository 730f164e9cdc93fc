/*
 * Compiled on its own (never linked) by tests/headers.cmake, as strict C11 and as C++17: intro_alerts.h
 * must need no other include, and an integrator's #pragma pack must not reach its layouts (the header's
 * static asserts check them on x86-64).
 */
#pragma pack(push, 1)
#include "introguard/intro_alerts.h"
#pragma pack(pop)
