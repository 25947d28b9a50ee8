#!/usr/bin/env bash
# Configures, builds and installs platformd into a staging prefix (no root paths touched).
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLATFORMD_STAGE="$build/stage" "$@"
cmake --build "$build" -j"$(nproc)"
cmake --install "$build" --prefix "$build/stage" >/dev/null
echo "installed into $build/stage"
