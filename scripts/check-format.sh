#!/usr/bin/env bash
# Fails when a C/C++ source differs from .clang-format's layout.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
files=$(git ls-files '*.cc' '*.h' '*.c')
# shellcheck disable=SC2086 # a list of file names (git ls-files: no spaces in this tree)
clang-format --dry-run --Werror $files
echo "format: $(echo "$files" | wc -w) files clean"
