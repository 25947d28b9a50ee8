#!/usr/bin/env bash
# The test command (README): installs dependencies, builds, installs into a staging prefix,
# and runs every test tier with ctest. Integration tests run inside private user+mount
# namespaces; nothing is registered in the machine's global binfmt table.
#   scripts/test.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/reachable-tree.sh
source "$top/scripts/reachable-tree.sh"
run_from_reachable_tree "$top" test.sh "$@"
build=${1:-$top/build}
shift || true
if [ "${PLATFORMD_SKIP_DEPS:-}" != 1 ]; then bash "$top/scripts/install-deps.sh"; fi
bash "$top/scripts/build.sh" "$build" "$@"
cd "$build"
# A skipped test is a failure (a test skips when the machine lacks what it needs, and names
# it), unless .ci/allowed-skips lists it with the reason.
set +e
ctest --output-on-failure --timeout 600 -j"$(nproc)" | tee "$build/ctest.out"
rc=${PIPESTATUS[0]}
set -e
bash "$top/scripts/check-skips.sh" "$build/ctest.out" || rc=1
exit "$rc"
