#!/usr/bin/env bash
# Only the default ops table (xen_ops_default.c) may reference the Xen libraries: everything else in
# libintroguard-xen.a calls Xen through IG_XEN_OPS, so tests can put a fake behind it.
set -euo pipefail
lib=$1
refs=$(nm -A -u "$lib" | grep -E ' U (xc_|xenforeignmemory_|xenevtchn_|xs_)' || true)
outside=$(grep -v 'xen_ops_default\.c\.o' <<<"$refs" || true)
if [[ -n "$outside" ]]; then
    echo "Xen symbols referenced outside xen_ops_default.c:"
    echo "$outside"
    exit 1
fi
echo "ok: $(wc -l <<<"$refs") Xen symbol references, all in xen_ops_default.c"
