#!/usr/bin/env bash
# The benchmark suite in one command: builds Release, measures every figure of docs/performance.md
# at each rule-set size, prints a table, and prints one machine-readable line per figure.
#
#   bench/run.sh [--quick] [--sizes LIST] [--no-callgrind] [--pages-from ELF]
#
# Sizes: corpus (hvmi's 101-exception file, $INTROGUARD_HVMI_CORPUS, default ../shared/corpus/hvmi),
# 1k, 20k, 100k, 1m generated exceptions (default: all; --quick: corpus,1k,20k).  Figures:
#   load        IgRuleSetLoad (load + search index): median ns and callgrind Ir per exception
#   memory      everything the load allocated for the set, per exception
#   eval        IntExceptEvaluate per case: kernel/user hit/miss without signatures, and with a
#               code-blocks signature (warm: the context's cache answers; cold: decode and hash)
#   codeblocks  extraction + check on real code pages (--pages-from, default /usr/bin/bash, and the
#               compiled test samples): median ns and Ir per extraction, cold and cached
#   compile     `introguard compile` per exception (generated JSON, up to 100k: at 1M a document
#               would exceed the compiler's 64 MiB input limit)
# Instruction counts come from callgrind (skipped with --no-callgrind or without valgrind): they
# are stable across runs and machines where nanoseconds are not.  Every machine-readable line
# starts with "bench.v1" and holds key=value pairs (figure, size, case, unit, value, ...).
# Environment: INTROGUARD_BUILD_PREFIX (build dir is PREFIX-bench), INTROGUARD_JOBS (default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${INTROGUARD_BUILD_PREFIX:-$ROOT/build}
BUILD=$PREFIX-bench
JOBS=${INTROGUARD_JOBS:-2}
SIZES=corpus,1k,20k,100k,1m
CALLGRIND=1
PAGES=/usr/bin/bash

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) SIZES=corpus,1k,20k ;;
        --sizes) SIZES=$2; shift ;;
        --no-callgrind) CALLGRIND=0 ;;
        --pages-from) PAGES=$2; shift ;;
        *) echo "usage: bench/run.sh [--quick] [--sizes LIST] [--no-callgrind] [--pages-from ELF]" >&2; exit 2 ;;
    esac
    shift
done

if [[ -z "${INTROGUARD_HVMI_CORPUS:-}" && -f "$ROOT/../shared/corpus/hvmi/exceptions.bin" ]]; then
    INTROGUARD_HVMI_CORPUS=$(cd "$ROOT/../shared/corpus/hvmi" && pwd)
    export INTROGUARD_HVMI_CORPUS
fi
if [[ $CALLGRIND == 1 ]] && ! command -v valgrind >/dev/null 2>&1; then
    echo "bench: valgrind is not installed; no instruction counts" >&2
    CALLGRIND=0
fi

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DINTROGUARD_BUILD_TESTS=OFF -DINTROGUARD_BUILD_BENCH=ON \
    >/dev/null
cmake --build "$BUILD" -j "$JOBS" >/dev/null
B=$BUILD/bench
WORK=$(mktemp -d "${TMPDIR:-/tmp}/introguard-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LINES=$WORK/lines
: >"$LINES"

echo "bench: $(uname -m), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "bench: ${CC:-cc} Release build in $BUILD; sizes $SIZES; callgrind $([[ $CALLGRIND == 1 ]] && echo on || echo off)"

# The exception count of a size label.
count_of() {
    case "$1" in
        corpus|gencorpus) echo 101 ;;
        1k|gen1k) echo 1000 ;;
        20k|gen20k) echo 20000 ;;
        100k|gen100k) echo 100000 ;;
        1m|gen1m) echo 1000000 ;;
    esac
}
# "value" of a callgrind dump: the events it collected.
collected() { sed -n 's/^summary: //p; s/^totals: //p' "$1" | head -1; }
# Dumps of one callgrind run, in the order they were written.
dumps() { ls "$1".* 2>/dev/null | awk -F. '{print $NF, $0}' | sort -n | cut -d' ' -f2; }

echo "---- load and memory"
"$B/bench_load" --sizes "$SIZES" --machine | tee "$WORK/load.log" | grep -v '^bench.v1'
grep '^bench.v1' "$WORK/load.log" >>"$LINES" || true

echo "---- evaluation"
"$B/bench_eval" --sizes "$SIZES" --no-walk --machine --reps 31 --batch 1000 | tee "$WORK/eval.log" | grep -v '^bench.v1'
grep '^bench.v1' "$WORK/eval.log" >>"$LINES" || true

echo "---- code blocks"
"$B/bench_codeblocks" --reps 200 --machine --pages-from "$PAGES" | tee "$WORK/cb.log" | grep -v '^bench.v1'
grep '^bench.v1' "$WORK/cb.log" >>"$LINES" || true
# The real pages' median, per level: what one violation with a code-blocks signature costs.
for level in normal medium; do
    grep '^bench.v1 figure=codeblocks' "$WORK/cb.log" | grep -v 'gcc -O2\|§3.9' | grep "rip 0x800 $level" |
        sed 's/.*cold_median_ns=\([0-9]*\).*cached_median_ns=\([0-9]*\).*check_ns=\([0-9.]*\).*/\1 \2 \3/' |
        sort -n | awk -v l="$level" '{c[NR]=$1; k[NR]=$2; s[NR]=$3} END {if (NR) printf "bench.v1 figure=codeblocks_real level=%s pages=%d cold_median_ns=%d cached_median_ns=%d check_ns=%s\n", l, NR, c[int((NR+1)/2)], k[int((NR+1)/2)], s[int((NR+1)/2)]}' >>"$LINES"
done
grep '^bench.v1 figure=codeblocks_real' "$LINES" || true

echo "---- compile"
for size in ${SIZES//,/ }; do
    [[ $size == corpus ]] && continue
    n=$(count_of "$size")
    if [[ $n -gt 100000 ]]; then
        # bench_compile writes the exceptions as five JSON documents; at 1M one is over the
        # compiler's 64 MiB document limit (IG_JSON_MAX_TEXT, tools/json.c), so there is no 1M figure.
        echo "bench_compile: $size skipped (a document would exceed the compiler's 64 MiB input limit)"
        continue
    fi
    reps=$((n >= 100000 ? 3 : 7))
    "$B/bench_compile" --reps "$reps" --exceptions "$n" --signatures $((n * 3 / 100 > 10 ? n * 3 / 100 : 10)) |
        tee -a "$WORK/compile.log"
    ms=$(sed -n 's/.*median \([0-9.]*\) ms.*/\1/p' "$WORK/compile.log" | tail -1)
    awk -v s="gen$size" -v n="$n" -v ms="$ms" \
        'BEGIN {printf "bench.v1 figure=compile size=%s exceptions=%d median_ms=%s median_ns_per_exception=%.1f\n", s, n, ms, ms * 1e6 / n}' >>"$LINES"
done

if [[ $CALLGRIND == 1 ]]; then
    echo "---- callgrind: instructions"
    # One IgRuleSetLoad per size, one dump each (in the order of $SIZES).
    valgrind --tool=callgrind --callgrind-out-file="$WORK/load.cg" --toggle-collect=IgRuleSetLoad \
        --dump-after=IgRuleSetLoad "$B/bench_load" --once --sizes "$SIZES" >"$WORK/load-once.log" 2>&1
    mapfile -t labels < <(sed -n 's/^\(hvmi corpus\|generated [0-9a-z]*\).*loaded once: .* \([0-9]*\) exceptions,.*/\1|\2/p' "$WORK/load-once.log")
    i=0
    for f in $(dumps "$WORK/load.cg"); do
        name=${labels[$i]%%|*}
        exc=${labels[$i]##*|}
        size=$([[ $name == "hvmi corpus" ]] && echo corpus || echo "gen${name#generated }")
        ir=$(collected "$f")
        awk -v s="$size" -v ir="$ir" -v e="$exc" \
            'BEGIN {printf "bench.v1 figure=load_ir size=%s exceptions=%d ir=%d ir_per_exception=%.1f\n", s, e, ir, ir / e}' |
            tee -a "$LINES"
        i=$((i + 1))
    done

    # Every evaluation case of a size in one run: one dump per case (bench_eval --count).
    for size in ${SIZES//,/ }; do
        valgrind --tool=callgrind --callgrind-out-file="$WORK/eval-$size.cg" --toggle-collect=BenchCountLoop \
            --dump-after=BenchCountLoop "$B/bench_eval" --sizes "$size" --no-walk --count 1000 >"$WORK/eval-$size.log" 2>&1
        mapfile -t cases < <(sed -n 's/^count \([^ ]*\) \([0-9]*\)$/\1/p' "$WORK/eval-$size.log")
        i=0
        for f in $(dumps "$WORK/eval-$size.cg"); do
            c=${cases[$i]}
            ir=$(collected "$f")
            awk -v c="$c" -v ir="$ir" \
                'BEGIN {split(c, p, "/"); printf "bench.v1 figure=eval_ir size=%s case=%s ir_per_evaluation=%.0f\n", p[1], p[2], ir / 1000}' |
                tee -a "$LINES"
            i=$((i + 1))
        done
    done

    # Code blocks: each case of --once is one cold extraction (a window the context has not seen).
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cb.cg" --toggle-collect=IgCbExtract \
        --dump-after=IgCbExtract "$B/bench_codeblocks" --once --pages-from "$PAGES" >"$WORK/cb-once.log" 2>&1
    for f in $(dumps "$WORK/cb.cg"); do collected "$f"; done | sort -n |
        awk '{v[NR]=$1} END {if (NR) printf "bench.v1 figure=codeblocks_ir extractions=%d median_ir=%d min_ir=%d max_ir=%d\n", NR, v[int((NR+1)/2)], v[1], v[NR]}' |
        tee -a "$LINES"

    # Compile: one IgCompileSources per size, up to 100k (1m takes minutes under callgrind).
    for size in ${SIZES//,/ }; do
        n=$(count_of "$size")
        [[ $size == corpus || $n -gt 100000 ]] && continue
        valgrind --tool=callgrind --callgrind-out-file="$WORK/compile-$size.cg" --toggle-collect=IgCompileSources \
            "$B/bench_compile" --reps 1 --exceptions "$n" --signatures $((n * 3 / 100 > 10 ? n * 3 / 100 : 10)) \
            >/dev/null 2>&1
        ir=$(collected "$WORK/compile-$size.cg")
        awk -v s="gen$size" -v ir="$ir" -v n="$n" \
            'BEGIN {printf "bench.v1 figure=compile_ir size=%s exceptions=%d ir_per_exception=%.0f\n", s, n, ir / n}' |
            tee -a "$LINES"
    done
fi

# ---- the table: one row per figure, one column per size.
echo
echo "==== summary (ns: median wall time; Ir: callgrind instructions)"
awk -v sizes="$SIZES" '
function key(s) { return s == "corpus" ? "corpus" : "gen" s }
function get(line, k,    m) { if (match(line, " " k "=[^ ]*")) { m = substr(line, RSTART + length(k) + 2, RLENGTH - length(k) - 2); return m } return "" }
{
    f = get($0, "figure"); s = get($0, "size"); c = get($0, "case")
    if (f == "load") { v["load ns/exc", s] = get($0, "median_ns_per_exception"); v["memory B/exc", s] = get($0, "bytes_per_exception") }
    if (f == "load_ir") v["load Ir/exc", s] = get($0, "ir_per_exception")
    if (f == "eval") { v["eval " c " ns", s] = get($0, "median_ns"); rows["eval " c " ns"] = 1 }
    if (f == "eval_ir") { v["eval " c " Ir", s] = get($0, "ir_per_evaluation"); rows["eval " c " Ir"] = 1 }
    if (f == "compile") v["compile ns/exc", s] = get($0, "median_ns_per_exception")
    if (f == "compile_ir") v["compile Ir/exc", s] = get($0, "ir_per_exception")
    if (f == "codeblocks_real") other[++n] = sprintf("codeblocks, %s level, %s real pages: cold extraction %s ns, cached %s ns, check %s ns", get($0, "level"), get($0, "pages"), get($0, "cold_median_ns"), get($0, "cached_median_ns"), get($0, "check_ns"))
    if (f == "codeblocks_ir") other[++n] = sprintf("codeblocks: %s cold extractions, median %s Ir (min %s, max %s)", get($0, "extractions"), get($0, "median_ir"), get($0, "min_ir"), get($0, "max_ir"))
}
END {
    ns = split(sizes, sz, ",")
    printf "%-32s", "figure"; for (i = 1; i <= ns; i++) printf " %12s", sz[i]; printf "\n"
    order[1] = "load ns/exc"; order[2] = "load Ir/exc"; order[3] = "memory B/exc"; order[4] = "compile ns/exc"; order[5] = "compile Ir/exc"
    split("kernel-hit kernel-miss user-hit user-miss kernel-sig-hit kernel-sig-miss kernel-sig-hit-cold user-sig-hit user-sig-miss user-sig-hit-cold", cs, " ")
    m = 5; for (j = 1; j <= 10; j++) { order[++m] = "eval " cs[j] " ns"; order[++m] = "eval " cs[j] " Ir" }
    for (r = 1; r <= m; r++) {
        line = sprintf("%-32s", order[r]); any = 0
        for (i = 1; i <= ns; i++) { x = v[order[r], key(sz[i])]; if (x != "") any = 1; line = line sprintf(" %12s", x == "" ? "-" : x) }
        if (any) print line
    }
    for (i = 1; i <= n; i++) print other[i]
}' "$LINES"
echo
echo "==== machine-readable"
cat "$LINES"
