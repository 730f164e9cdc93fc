#!/usr/bin/env bash
# The test command (README "Tests"): installs the dependencies, then builds and runs the whole
# cmocka/ctest suite twice, and the multi-threaded suites a third time:
#   1. Release with the project's strict warnings as errors (-Werror), default compiler, in build/;
#   2. clang with AddressSanitizer + UndefinedBehaviorSanitizer (-DINTROGUARD_SANITIZE=ON), in build-san/;
#   3. clang with ThreadSanitizer (-DINTROGUARD_TSAN=ON), in build-tsan/: the suites that race threads.
# Tests that need hvmi's corpus read INTROGUARD_HVMI_CORPUS; when it is unset and
# ../shared/corpus/hvmi exists next to the repository, that folder is used.
# Environment: INTROGUARD_BUILD_PREFIX (default <repo>/build; the dirs are PREFIX and PREFIX-san),
# INTROGUARD_JOBS (default 2), INTROGUARD_SKIP_DEPS=1 to skip the package check.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${INTROGUARD_BUILD_PREFIX:-$ROOT/build}
JOBS=${INTROGUARD_JOBS:-2}

if [[ "${INTROGUARD_SKIP_DEPS:-0}" != 1 ]]; then
    "$ROOT/scripts/install-deps.sh"
fi

if [[ -z "${INTROGUARD_HVMI_CORPUS:-}" && -f "$ROOT/../shared/corpus/hvmi/exceptions.bin" ]]; then
    INTROGUARD_HVMI_CORPUS=$(cd "$ROOT/../shared/corpus/hvmi" && pwd)
    export INTROGUARD_HVMI_CORPUS
fi
if [[ -n "${INTROGUARD_HVMI_CORPUS:-}" ]]; then
    echo "test: hvmi corpus tests use INTROGUARD_HVMI_CORPUS=$INTROGUARD_HVMI_CORPUS"
else
    echo "test: INTROGUARD_HVMI_CORPUS is not set and ../shared/corpus/hvmi was not found: corpus tests are skipped"
fi

# Sanitizer reports should stop the test and show where.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

summaries=()

# run_suite LABEL BUILD_DIR CMAKE_ARGS... (CTEST_ARGS, when set, narrows the ctest run)
run_suite() {
    local label=$1 dir=$2
    shift 2
    local log="$dir/ctest-summary.log"

    echo "---- $label: configure and build in $dir"
    cmake -S "$ROOT" -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j "$JOBS"
    echo "---- $label: ctest"
    # shellcheck disable=SC2086
    if ! (cd "$dir" && ctest --output-on-failure -j "$JOBS" ${CTEST_ARGS:-}) | tee "$log"; then
        echo "test: $label: FAILED" >&2
        exit 1
    fi
    summaries+=("$label: $(grep -E 'tests passed|tests failed' "$log" | tail -1)")
}

run_suite "release (-Werror)" "$PREFIX" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="${CC:-cc}"
run_suite "asan+ubsan (clang)" "$PREFIX-san" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DINTROGUARD_SANITIZE=ON
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1}
CTEST_ARGS="-R ^(test_alert_exceptions|test_alert_pipeline|test_api_guests|test_process_state)$" \
    run_suite "tsan, threaded suites (clang)" "$PREFIX-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DINTROGUARD_TSAN=ON -DINTROGUARD_BUILD_BENCH=OFF

echo "---- test summary"
printf '%s\n' "${summaries[@]}"
