#!/usr/bin/env bash
# Installs the Debian 12 packages introguard needs to build, test, sanitize and fuzz.
# Idempotent: packages already installed are skipped, and apt-get update runs only when
# something is missing.  Runs as root, or through sudo when that exists.
set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config
    clang clang-format libclang-rt-14-dev   # clang 14 with its libFuzzer/ASan/UBSan runtimes (recommends
                                            # bring llvm-symbolizer for readable sanitizer reports)
    libcapstone-dev libxen-dev libjson-c-dev libcmocka-dev
    libsodium-dev                           # Ed25519 signatures of exceptions files (INTROGUARD_ED25519, on by default)
    valgrind
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo available" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists; refresh them once, only when an install is needed.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
echo "install-deps: done"
