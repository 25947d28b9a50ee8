#!/usr/bin/env bash
# ctest fixture (outside the test namespace, which has no network): fetches qemu-user 10.x
# from bookworm-backports into the cache that tests/integration/lib/qemu10.sh reads, unless it
# is there already. Exit 77 (skip) when the mirror cannot be reached; the tests then skip too.
set -euo pipefail
source "$(dirname "$0")/lib/qemu10.sh"
dir=$(qemu10_dir)
"$dir/qemu-x86_64" --version | head -n 1
