#!/usr/bin/env bash
# Builds Release and runs every benchmark (bench/bench_*.c).  Arguments are passed to each one
# (e.g. --reps 500).  With BENCH_CALLGRIND=1 (and valgrind installed) it also counts the
# instructions of one IgRuleSetLoad of each input with callgrind, which is stable across runs
# and machines where wall-clock time is not.
# Environment: INTROGUARD_BUILD_PREFIX (build dir is PREFIX-bench), INTROGUARD_HVMI_CORPUS
# (defaults to ../shared/corpus/hvmi when that exists), INTROGUARD_JOBS (default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${INTROGUARD_BUILD_PREFIX:-$ROOT/build}
BUILD=$PREFIX-bench
JOBS=${INTROGUARD_JOBS:-2}

if [[ -z "${INTROGUARD_HVMI_CORPUS:-}" && -f "$ROOT/../shared/corpus/hvmi/exceptions.bin" ]]; then
    INTROGUARD_HVMI_CORPUS=$(cd "$ROOT/../shared/corpus/hvmi" && pwd)
    export INTROGUARD_HVMI_CORPUS
fi

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DINTROGUARD_BUILD_TESTS=OFF -DINTROGUARD_BUILD_BENCH=ON \
    >/dev/null
cmake --build "$BUILD" -j "$JOBS" >/dev/null

echo "bench: $(uname -m), $(nproc) cores, ${CC:-cc} Release build in $BUILD"
for bin in "$BUILD"/bench/bench_*; do
    [[ -x "$bin" && -f "$bin" ]] || continue
    echo "---- $(basename "$bin")"
    "$bin" "$@"
done

if [[ "${BENCH_CALLGRIND:-0}" == 1 ]]; then
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "bench: valgrind is not installed; no instruction counts" >&2
        exit 0
    fi
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/introguard-bench.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    "$BUILD/bench/make_exceptions" --kernel 10000 --user 10000 -o "$WORK/generated-20k.bin" >/dev/null
    inputs=("$WORK/generated-20k.bin")
    if [[ -n "${INTROGUARD_HVMI_CORPUS:-}" ]]; then
        inputs=("$INTROGUARD_HVMI_CORPUS/exceptions.bin" "${inputs[@]}")
    fi
    echo "---- callgrind: instructions executed inside one IgRuleSetLoad (load + index build, no release)"
    for input in "${inputs[@]}"; do
        out="$WORK/callgrind.out"
        valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=IgRuleSetLoad \
            "$BUILD/bench/bench_load" --once --no-corpus --no-generated --file "$input" >"$WORK/run.log" 2>&1
        ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
        exceptions=$(sed -n 's/.* \([0-9]*\) exceptions,.*/\1/p' "$WORK/run.log" | head -1)
        if [[ -n "$ir" && -n "$exceptions" && "$exceptions" -gt 0 ]]; then
            awk -v n="$(basename "$input")" -v ir="$ir" -v e="$exceptions" \
                'BEGIN { printf "%-40s %12d Ir  %8.1f Ir/exception\n", n, ir, ir / e }'
        else
            echo "bench: callgrind gave no count for $input" >&2
            cat "$WORK/run.log" >&2
        fi
    done
fi
