#!/usr/bin/env bash
# The test command (README): installs dependencies, builds, installs into a staging prefix,
# and runs every test tier with ctest. Integration tests run inside private user+mount
# namespaces; nothing is registered in the machine's global binfmt table.
#   scripts/test.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
if [ "${PLATFORMD_SKIP_DEPS:-}" != 1 ]; then bash "$top/scripts/install-deps.sh"; fi
bash "$top/scripts/build.sh" "$build" "$@"
cd "$build"
ctest --output-on-failure --timeout 600
