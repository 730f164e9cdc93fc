#!/usr/bin/env bash
# The main job, end to end, on files that ship with the repository:
#   1. build the `introguard` command line (Release, in build/, shared with scripts/test.sh);
#   2. compile the example exceptions in examples/exceptions/ (hvmi's JSON format: signature files
#      and kernel/user exception files) into an hvmi-compatible exceptions.bin;
#   3. dump that file: header, every exception and signature, decoded.
# (When `introguard replay` lands, the demo will also replay a recorded trace against the file.)
# Environment: INTROGUARD_BUILD_PREFIX (default <repo>/build), INTROGUARD_JOBS (default 2),
# INTROGUARD_SKIP_DEPS=1 to skip the package check.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${INTROGUARD_BUILD_PREFIX:-$ROOT/build}
JOBS=${INTROGUARD_JOBS:-2}
EXAMPLES="$ROOT/examples/exceptions"
OUT="$BUILD/demo/exceptions.bin"

if [[ "${INTROGUARD_SKIP_DEPS:-0}" != 1 ]]; then
    "$ROOT/scripts/install-deps.sh"
fi

echo "---- demo: build the introguard command line in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$JOBS" >/dev/null
CLI="$BUILD/tools/introguard"
if [[ ! -x "$CLI" ]]; then
    echo "demo: $CLI was not built (tools/main.c is missing from this checkout)" >&2
    exit 1
fi

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
echo
echo "\$ introguard compile -o $OUT examples/exceptions"
"$CLI" compile -o "$OUT" "$EXAMPLES"
echo
echo "\$ introguard dump $OUT"
"$CLI" dump "$OUT"
