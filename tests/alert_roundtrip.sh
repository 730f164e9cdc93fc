#!/bin/sh
# The two round trips of docs/cli.md, "alert", run by ctest (tests/alert.cmake):
#   analyst  an alert -> `introguard alert --exception` -> compile with the rules -> replay: allowed
#   learn    `introguard replay --learn` -> compile with the rules -> replay: every event allowed
# usage: alert_roundtrip.sh analyst|learn INTROGUARD SOURCE_DIR WORK_DIR
set -eu
mode=$1 ig=$2 src=$3 work=$4
trace=$src/tests/traces/alert-learn.jsonl
rules=$src/tests/traces/alert-rules.json
mkdir -p "$work"
"$ig" compile "$rules" -o "$work/rules.bin"

fail() {
    echo "alert_roundtrip $mode: $*" >&2
    exit 1
}

if [ "$mode" = analyst ]; then
    # The MSR write (seq 2) is blocked, and raises the alert the analyst gets, as base64.
    "$ig" replay "$trace" -e "$work/rules.bin" --format jsonl --alerts "$work/alerts.jsonl" >"$work/before.jsonl"
    grep '"seq":2,' "$work/before.jsonl" | grep -q '"action":"not_allowed"' || fail "seq 2 was not blocked"
    grep '"seq":2,' "$work/alerts.jsonl" | sed 's/.*"alert":"\([^"]*\)".*/\1/' >"$work/alert.b64"
    "$ig" alert --type msr - <"$work/alert.b64" >"$work/alert.json"
    grep -q '"event": "msr"' "$work/alert.json" || fail "the alert does not read as an MSR alert"
    "$ig" alert --exception --type msr -o "$work/exception.json" - <"$work/alert.b64"
    cat "$work/exception.json"
    "$ig" compile "$rules" "$work/exception.json" -o "$work/promoted.bin"
    "$ig" replay "$trace" -e "$work/promoted.bin" --format jsonl >"$work/after.jsonl"
    grep '"seq":2,' "$work/after.jsonl" | grep -q '"action":"allowed"' || fail "seq 2 is still blocked"
    grep '"seq":3,' "$work/after.jsonl" | grep -q '"action":"not_allowed"' || fail "seq 3 (another violation) was allowed"
    echo "analyst round trip: the MSR alert's exception, compiled into the rules, allows seq 2 and only it"
    exit 0
fi

"$ig" replay "$trace" -e "$work/rules.bin" --format jsonl --learn "$work/learned.json" >"$work/before.jsonl"
grep -q '"action":"not_allowed"' "$work/before.jsonl" || fail "nothing was blocked to learn from"
cat "$work/learned.json"
"$ig" compile "$rules" "$work/learned.json" -o "$work/learned.bin"
"$ig" replay "$trace" -e "$work/learned.bin" --format jsonl >"$work/after.jsonl"
if grep -q '"action":"not_allowed"' "$work/after.jsonl"; then
    cat "$work/after.jsonl"
    fail "an event is still blocked"
fi
grep -q '"allowed":8,' "$work/after.jsonl" || fail "not every event was allowed"
echo "learn round trip: the learned exceptions allow all 8 events"
