#!/usr/bin/env bash
# Packaging check (issue 12, items 8 and 9): builds the library alone, installs it to a temporary
# prefix, and from there builds and runs an out-of-tree consumer (examples/integration.c) twice:
#   1. with pkg-config: `pkg-config --cflags/--libs introguard`, no --static; capstone's include
#      directory must not be in the flags (#include <capstone.h> must fail);
#   2. with CMake: find_package(introguard) and introguard::introguard; the package must not run
#      pkg-config in the consumer's scope nor hand it capstone's include directory.
# The installed archive must export exactly the public API (scripts/check-symbols.sh).
# Then the same with INTROGUARD_ED25519=OFF (no libsodium): library, symbols, pkg-config consumer,
# and the authenticity tests of that build.
#
# Environment: CC (default cc), INTROGUARD_JOBS (default 2), INTROGUARD_PACKAGING_DIR (default: a
# temporary directory, removed at the end).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${INTROGUARD_JOBS:-2}
CC=${CC:-cc}
if [[ -n "${INTROGUARD_PACKAGING_DIR:-}" ]]; then
    WORK=$INTROGUARD_PACKAGING_DIR
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi
EXAMPLE=$ROOT/examples/integration.c
EXPECTED="exceptions version 2.2 build 7"

fail() {
    echo "check-packaging: FAIL: $*" >&2
    exit 1
}

# build_and_install NAME CMAKE_ARGS...: the library only, installed to $WORK/NAME/prefix.
build_and_install() {
    local name=$1
    shift
    echo "---- $name: library build and install"
    cmake -S "$ROOT" -B "$WORK/$name/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" \
        -DCMAKE_INSTALL_PREFIX="$WORK/$name/prefix" -DCMAKE_INSTALL_LIBDIR=lib -DINTROGUARD_BUILD_TOOLS=OFF \
        -DINTROGUARD_BUILD_TESTS=OFF -DINTROGUARD_BUILD_BENCH=OFF -DINTROGUARD_BUILD_EXAMPLES=OFF "$@" >/dev/null
    # The library, and the Xen backend when libxen-dev is there.
    local targets=(introguard)
    if cmake --build "$WORK/$name/build" --target help | grep '^\.\.\. introguard_xen$' >/dev/null; then
        targets+=(introguard_xen)
    fi
    cmake --build "$WORK/$name/build" -j "$JOBS" --target "${targets[@]}" >/dev/null
    cmake --install "$WORK/$name/build" >/dev/null
    "$ROOT/scripts/check-symbols.sh" "$WORK/$name/prefix/lib/libintroguard.a" "$WORK/$name/prefix/include"
    if [[ -f "$WORK/$name/prefix/lib/libintroguard-xen.a" ]]; then
        "$ROOT/scripts/check-symbols.sh" "$WORK/$name/prefix/lib/libintroguard-xen.a" "$WORK/$name/prefix/include" \
            glue_xen.h
    fi
}

# xen_consumer NAME: when the Xen backend is installed, a CMake consumer links introguard::xen.
xen_consumer() {
    local name=$1 prefix=$WORK/$1/prefix dir=$WORK/$1/xen-consumer out
    if [[ ! -f "$prefix/lib/libintroguard-xen.a" ]]; then
        echo "---- $name: no Xen backend installed"
        return 0
    fi
    echo "---- $name: CMake consumer of introguard::xen"
    mkdir -p "$dir/src"
    printf '%s\n' '#include <stdio.h>' '#include <introguard/glue_xen.h>' 'int main(void)' '{' \
        '    INTRO_XEN *xen = NULL;' \
        '    /* No configuration: refused before any Xen call, so this runs anywhere. */' \
        '    printf("%s %d\n", IntXenBackend() ? "backend" : "none", IntXenCreate(NULL, &xen) < 0);' \
        '    return 0;' '}' >"$dir/src/main.c"
    printf '%s\n' 'cmake_minimum_required(VERSION 3.20)' 'project(introguard_xen_consumer C)' \
        'find_package(introguard 0.1 REQUIRED)' 'add_executable(xen-consumer main.c)' \
        'target_compile_options(xen-consumer PRIVATE -Wall -Wextra -Werror)' \
        'target_link_libraries(xen-consumer PRIVATE introguard::xen)' >"$dir/src/CMakeLists.txt"
    cmake -S "$dir/src" -B "$dir/build" -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$prefix" >"$dir/configure.log" ||
        { cat "$dir/configure.log"; fail "the introguard::xen consumer does not configure"; }
    cmake --build "$dir/build" >"$dir/build.log" || { cat "$dir/build.log"; fail "the introguard::xen consumer does not build"; }
    out=$("$dir/build/xen-consumer")
    [[ "$out" == "backend 1" ]] || fail "the introguard::xen consumer printed '$out', expected 'backend 1'"
    echo "introguard::xen consumer: $out"
}

# pkgconfig_consumer NAME: build examples/integration.c with the installed .pc file and run it.
pkgconfig_consumer() {
    local name=$1 prefix=$WORK/$1/prefix cflags libs out
    echo "---- $name: pkg-config consumer"
    export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    cflags=$(pkg-config --cflags introguard)
    libs=$(pkg-config --libs introguard)
    echo "pkg-config --cflags: $cflags"
    echo "pkg-config --libs:   $libs"
    if echo '#include <capstone.h>' | "$CC" $cflags -fsyntax-only -x c - >/dev/null 2>&1; then
        fail "pkg-config --cflags introguard puts capstone's include directory on the consumer's path"
    fi
    # shellcheck disable=SC2086 # the flags are word lists
    "$CC" -Wall -Wextra -Werror $cflags "$EXAMPLE" -o "$WORK/$name/pc-consumer" $libs ||
        fail "the pkg-config consumer does not build"
    out=$("$WORK/$name/pc-consumer")
    [[ "$out" == "$EXPECTED" ]] || fail "the pkg-config consumer printed '$out', expected '$EXPECTED'"
    echo "pkg-config consumer: $out"
    unset PKG_CONFIG_PATH
}

# cmake_consumer NAME: build examples/integration.c with find_package(introguard) and run it.
cmake_consumer() {
    local name=$1 prefix=$WORK/$1/prefix dir=$WORK/$1/cmake-consumer out
    echo "---- $name: CMake consumer"
    mkdir -p "$dir/src"
    cat >"$dir/src/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.20)
project(introguard_consumer C)
find_package(introguard 0.1 REQUIRED)
# The package finds its dependencies itself: no pkg-config in this scope, no capstone target.
if(DEFINED PKG_CONFIG_EXECUTABLE OR DEFINED CAPSTONE_FOUND OR TARGET PkgConfig::CAPSTONE)
    message(FATAL_ERROR "find_package(introguard) ran pkg-config in the consumer's scope")
endif()
add_executable(consumer "$EXAMPLE")
target_compile_options(consumer PRIVATE -Wall -Wextra -Werror)
target_link_libraries(consumer PRIVATE introguard::introguard)
# capstone's headers stay out of the consumer's include path.
include(CheckIncludeFile)
set(CMAKE_REQUIRED_LIBRARIES introguard::introguard)
check_include_file(capstone.h CONSUMER_SEES_CAPSTONE)
if(CONSUMER_SEES_CAPSTONE)
    message(FATAL_ERROR "introguard::introguard puts capstone's include directory on the consumer's path")
endif()
EOF
    cmake -S "$dir/src" -B "$dir/build" -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$prefix" >"$dir/configure.log" ||
        { cat "$dir/configure.log"; fail "the CMake consumer does not configure"; }
    cmake --build "$dir/build" >"$dir/build.log" || { cat "$dir/build.log"; fail "the CMake consumer does not build"; }
    out=$("$dir/build/consumer")
    [[ "$out" == "$EXPECTED" ]] || fail "the CMake consumer printed '$out', expected '$EXPECTED'"
    echo "CMake consumer: $out"
}

build_and_install default
xen_consumer default
pkgconfig_consumer default
cmake_consumer default

build_and_install no-ed25519 -DINTROGUARD_ED25519=OFF -DINTROGUARD_BUILD_TESTS=ON
pkgconfig_consumer no-ed25519
echo "---- no-ed25519: authenticity tests (IntSetExceptionsKey must say NOT_SUPPORTED)"
cmake --build "$WORK/no-ed25519/build" -j "$JOBS" --target test_exc_auth test_sha256 >/dev/null
"$WORK/no-ed25519/build/tests/test_exc_auth" >"$WORK/no-ed25519/auth.log" 2>&1 ||
    { cat "$WORK/no-ed25519/auth.log"; fail "test_exc_auth fails without libsodium"; }
"$WORK/no-ed25519/build/tests/test_sha256" >"$WORK/no-ed25519/sha.log" 2>&1 ||
    { cat "$WORK/no-ed25519/sha.log"; fail "test_sha256 fails without libsodium"; }
tail -1 "$WORK/no-ed25519/auth.log"
if grep -q sodium "$WORK/no-ed25519/prefix/lib/pkgconfig/introguard.pc"; then
    fail "INTROGUARD_ED25519=OFF still asks consumers for libsodium"
fi

echo "check-packaging: installed archive, pkg-config and CMake consumers all fine"
