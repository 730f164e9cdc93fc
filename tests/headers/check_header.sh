#!/bin/sh
# Compiles one public header on its own, the way an integrator includes it, with every C and C++
# compiler given (strict: -Wall -Wextra -Wpedantic -Werror), in three settings:
#   plain      the header alone;
#   nocompat   INTROCORE_NOCOMPAT, after the integrator has defined BYTE, DWORD, QWORD, BOOLEAN,
#              TRUE, FALSE ... its own way (the header must not use them);
#   pack1      under an outer #pragma pack(1) (the header's layout asserts must still hold).
# Usage: check_header.sh INCLUDE_DIR HEADER "C_COMPILERS" "CXX_COMPILERS"
# A compiler list entry that is not installed is reported and skipped; exit 77 if none ran.
set -u
inc=$1
header=$2
ccs=$3
cxxs=$4
status=0
ran=0
tmp=${TMPDIR:-/tmp}/introguard-header-$$
mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/plain.h" <<EOF
#include <introguard/$header>
EOF
cat >"$tmp/nocompat.h" <<EOF
#define INTROCORE_NOCOMPAT
/* The integrator's own names, deliberately unlike hvmi's. */
typedef float BYTE, WORD, DWORD, QWORD, CHAR, WCHAR, UCHAR, BOOLEAN, SIZE_T;
typedef double *PBYTE, *PCHAR, *PDWORD, *PQWORD;
#define TRUE "yes"
#define FALSE "no"
#include <introguard/$header>
EOF
cat >"$tmp/pack1.h" <<EOF
#pragma pack(push, 1)
#include <introguard/$header>
#pragma pack(pop)
EOF

try() { # LANGUAGE STANDARD COMPILER VARIANT
    src="$tmp/$4.$1"
    { cat "$tmp/$4.h"; echo "typedef int introguard_header_check_$4;"; } >"$src"
    if ! "$3" -x "$1" -std="$2" -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I"$inc" "$src" >"$tmp/log" 2>&1; then
        echo "FAIL: $header with $3 -std=$2 ($4):"
        sed -n '1,20p' "$tmp/log"
        status=1
    fi
    ran=$((ran + 1))
}

for cc in $ccs; do
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "note: $cc not installed, skipped"
        continue
    fi
    for v in plain nocompat pack1; do try c c11 "$cc" "$v"; done
done
for cxx in $cxxs; do
    if ! command -v "$cxx" >/dev/null 2>&1; then
        echo "note: $cxx not installed, skipped"
        continue
    fi
    for v in plain nocompat pack1; do try c++ c++17 "$cxx" "$v"; done
done

if [ "$ran" -eq 0 ]; then
    echo "SKIP: no compiler"
    exit 77
fi
[ "$status" -eq 0 ] && echo "$header: $ran compilations clean (C11 and C++17; plain, INTROCORE_NOCOMPAT, pack(1))"
exit $status
