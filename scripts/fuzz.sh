#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/fuzz_*.c) with clang, ASan and UBSan, and runs each one.
#
#   scripts/fuzz.sh [LOADER_SECONDS] [OTHER_SECONDS]
#
# fuzz_loader runs LOADER_SECONDS (default 60), every other target OTHER_SECONDS (default 20).
# Each target starts from a temporary copy of fuzz/seeds/<name without fuzz_>/ (the committed
# seeds are never written to).  A crash, leak, timeout or sanitizer report fails the script and
# leaves the input under <build>/artifacts/<name>/; turn it into a regression test.
# Environment: INTROGUARD_BUILD_PREFIX (build dir is PREFIX-fuzz), FUZZ_TARGETS (e.g. "loader"),
# FUZZ_MAX_LEN (default 8192), INTROGUARD_JOBS (default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${INTROGUARD_BUILD_PREFIX:-$ROOT/build}
BUILD=$PREFIX-fuzz
JOBS=${INTROGUARD_JOBS:-2}
LOADER_SECONDS=${1:-60}
OTHER_SECONDS=${2:-20}
MAX_LEN=${FUZZ_MAX_LEN:-8192}

for n in "$LOADER_SECONDS" "$OTHER_SECONDS" "$MAX_LEN"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [LOADER_SECONDS] [OTHER_SECONDS]" >&2; exit 2; }
done

echo "---- fuzz: build in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTROGUARD_FUZZ=ON \
    -DINTROGUARD_BUILD_TESTS=OFF -DINTROGUARD_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS"

targets=()
for src in "$ROOT"/fuzz/fuzz_*.c; do
    [[ -e "$src" ]] || continue
    name=$(basename "$src" .c)
    if [[ -n "${FUZZ_TARGETS:-}" && " $FUZZ_TARGETS " != *" ${name#fuzz_} "* ]]; then
        continue
    fi
    targets+=("$name")
done
if [[ ${#targets[@]} -eq 0 ]]; then
    echo "fuzz: no fuzz targets selected" >&2
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/introguard-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for name in "${targets[@]}"; do
    short=${name#fuzz_}
    bin="$BUILD/fuzz/$name"
    seeds="$ROOT/fuzz/seeds/$short"
    [[ "$short" == tools ]] && seeds="$ROOT/fuzz/seeds/loader" # dump/decompile read the same files
    corpus="$WORK/$short"
    artifacts="$BUILD/artifacts/$short"
    seconds=$OTHER_SECONDS
    [[ "$name" == fuzz_loader ]] && seconds=$LOADER_SECONDS

    if [[ ! -x "$bin" ]]; then
        echo "fuzz: $bin was not built" >&2
        exit 1
    fi
    mkdir -p "$corpus" "$artifacts"
    if [[ -d "$seeds" ]]; then
        cp -R "$seeds/." "$corpus/"
    else
        echo "fuzz: $name has no seed directory fuzz/seeds/$short; starting from an empty corpus"
    fi

    echo "---- fuzz: $name for ${seconds}s from $(find "$corpus" -type f | wc -l) seeds (max_len $MAX_LEN)"
    if ! "$bin" -max_total_time="$seconds" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$WORK/$short.log" 2>&1; then
        tail -n 60 "$WORK/$short.log" >&2
        echo "fuzz: $name FAILED; reproducer(s) in $artifacts:" >&2
        ls -l "$artifacts" >&2
        exit 1
    fi
    grep -E '^#[0-9]+.*DONE' "$WORK/$short.log" | tail -1 || true
    grep -E 'stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$WORK/$short.log" || true
    echo "fuzz: $name OK"
done
