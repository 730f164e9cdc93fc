#!/usr/bin/env bash
# Fails when any project .c/.h file is not formatted as .clang-format says (build dirs excluded).
# Fix with: clang-format -i <file>
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

mapfile -d '' files < <(find . \( -path './build*' -o -path './.git' -o -path './out' \) -prune -o \
    -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)
if [[ ${#files[@]} -eq 0 ]]; then
    echo "check-format: no C files found" >&2
    exit 1
fi
if ! clang-format --dry-run -Werror "${files[@]}"; then
    echo "check-format: the files above are not formatted; run: clang-format -i <file>" >&2
    exit 1
fi
echo "check-format: ${#files[@]} files formatted correctly ($(clang-format --version | head -1))"
