#!/bin/sh
# Every public structure and enum has the same size and alignment when the public headers are
# included under an outer #pragma pack(1) as without one: the headers set their own packing, so an
# integrator's pragma cannot make its view of a structure differ from the library's.
# The types are all the typedef names that close a definition ("} NAME") in INCLUDE_DIR/introguard,
# so a new public structure is checked without editing this script.
# Usage: check_pack.sh CC INCLUDE_DIR
set -eu
cc=$1
inc=$2
tmp=${TMPDIR:-/tmp}/introguard-pack-$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

types=$(sed -n 's/^[[:space:]]*}[[:space:]]*\([A-Z][A-Z0-9_]*\)[[:space:]]*[,;].*/\1/p' "$inc"/introguard/*.h | sort -u)
count=$(echo "$types" | wc -l)
[ "$count" -gt 50 ] || { echo "FAIL: only $count public types found in $inc/introguard"; exit 1; }

{
    for h in "$inc"/introguard/*.h; do echo "#include <introguard/${h##*/}>"; done
} >"$tmp/all.h"
{
    echo "#include <stddef.h>"
    printf '#define IG_TYPES(X)'
    for t in $types; do printf ' X(%s)' "$t"; done
    echo
    echo "#define IG_LAYOUT(T) sizeof(T), _Alignof(T),"
    echo "#define IG_NAME(T) #T,"
} >"$tmp/types.h"

cat >"$tmp/plain.c" <<'EOF'
#include "all.h"
#include "types.h"
const size_t gPlain[] = {IG_TYPES(IG_LAYOUT) 0};
const char *const gNames[] = {IG_TYPES(IG_NAME) NULL};
EOF
cat >"$tmp/pack1.c" <<'EOF'
#pragma pack(push, 1)
#include "all.h"
#pragma pack(pop)
#include "types.h"
const size_t gPack1[] = {IG_TYPES(IG_LAYOUT) 0};
EOF
cat >"$tmp/main.c" <<'EOF'
#include <stdio.h>
#include <stddef.h>
extern const size_t gPlain[], gPack1[];
extern const char *const gNames[];
int main(void)
{
    int bad = 0;
    size_t n = 0;
    for (; gNames[n]; n++)
    {
        if (gPlain[2 * n] != gPack1[2 * n] || gPlain[2 * n + 1] != gPack1[2 * n + 1])
        {
            printf("FAIL: %s is %zu bytes aligned %zu, under an outer pack(1) %zu aligned %zu\n", gNames[n],
                   gPlain[2 * n], gPlain[2 * n + 1], gPack1[2 * n], gPack1[2 * n + 1]);
            bad = 1;
        }
    }
    if (!bad)
    {
        printf("%zu public types: same size and alignment under an outer #pragma pack(1)\n", n);
    }
    return bad;
}
EOF
"$cc" -std=c11 -Wall -Wextra -Werror -I"$inc" -I"$tmp" "$tmp/plain.c" "$tmp/pack1.c" "$tmp/main.c" -o "$tmp/check"
"$tmp/check"
