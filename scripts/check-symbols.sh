#!/usr/bin/env bash
# Checks that a libintroguard.a exports exactly the public API: its global symbols (nm) must be the
# functions declared in the public headers, no more (an internal function or variable an
# integrator's own symbols could clash with) and no fewer (a public function the localisation hid).
#
# The declarations come from the compiler, not from a pattern: gcc's -aux-info lists every function
# a translation unit including all of include/introguard/*.h declares, with the header it is in.
#
# Usage: scripts/check-symbols.sh [ARCHIVE [INCLUDE_DIR [HEADER...]]]
#   ARCHIVE      default: build/libintroguard.a
#   INCLUDE_DIR  default: include (the directory holding introguard/)
#   HEADER       the headers whose functions ARCHIVE must export (default: every public header but
#                glue_xen.h, whose functions are libintroguard-xen.a's)
# Environment: NM (default nm), INTROGUARD_GCC (default gcc; -aux-info is gcc's).
# Exit status: 0 clean, 1 extra or missing symbols, 2 usage or tool error, 77 no gcc.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
archive=${1:-$ROOT/build/libintroguard.a}
include=${2:-$ROOT/include}
shift $(($# > 2 ? 2 : $#))
only=("$@")
nm=${NM:-nm}
gcc=${INTROGUARD_GCC:-gcc}

if [[ ! -f "$archive" ]]; then
    echo "check-symbols: $archive: no such archive (build first)" >&2
    exit 2
fi
if ! command -v "$gcc" >/dev/null 2>&1; then
    echo "SKIP: check-symbols: $gcc not found (-aux-info is a gcc option)"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for h in "$include"/introguard/*.h; do
    echo "#include <introguard/${h##*/}>"
done >"$tmp/all.c"
# Which headers' declarations count: the given ones, else all but the Xen backend's.
if [[ ${#only[@]} -gt 0 ]]; then
    pattern=$(printf '%s|' "${only[@]}")
    pattern="introguard/(${pattern%|}):"
else
    pattern='introguard/[^/ ]+\.h:'
fi
"$gcc" -std=c11 -fsyntax-only -I"$include" -aux-info "$tmp/aux" "$tmp/all.c"

# "/* <path>/introguard/x.h:12:NC */ extern INTSTATUS IntInit (GLUE_IFACE *, ...);" -> IntInit
grep -E '^/\* [^ ]*introguard/[^/ ]+\.h:[0-9]+' "$tmp/aux" | grep -E "$pattern" |
    { if [[ ${#only[@]} -eq 0 ]]; then grep -v 'introguard/glue_xen\.h:'; else cat; fi; } |
    sed -E 's@^/\*[^*]*\*/ *@@; s/ \(.*//; s/.*[ *]//' | sort -u >"$tmp/declared"
# Global definitions of every member (T text, D/B/R data, ... ; lower case would be local).
"$nm" -g --defined-only "$archive" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined"

comm -23 "$tmp/defined" "$tmp/declared" >"$tmp/extra"
comm -13 "$tmp/defined" "$tmp/declared" >"$tmp/missing"
status=0
if [[ -s "$tmp/extra" ]]; then
    echo "check-symbols: $archive exports $(wc -l <"$tmp/extra") symbols no public header declares:"
    sed 's/^/    /' "$tmp/extra"
    status=1
fi
if [[ -s "$tmp/missing" ]]; then
    echo "check-symbols: $archive does not export $(wc -l <"$tmp/missing") declared public functions" \
        "(missing INTROGUARD_API on the declaration, or not built):"
    sed 's/^/    /' "$tmp/missing"
    status=1
fi
if [[ $status -eq 0 ]]; then
    echo "check-symbols: $archive exports exactly the $(wc -l <"$tmp/declared") public functions of $include/introguard"
fi
exit $status
