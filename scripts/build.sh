#!/usr/bin/env bash
# Configures, builds and installs platformd into a staging prefix (no root paths touched).
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
# ccache, where installed, lets several build directories of one tree share their objects.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$top"
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$top" -B "$build" -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLATFORMD_STAGE="$build/stage" "$@"
cmake --build "$build" -j"$(nproc)"
cmake --install "$build" --prefix "$build/stage" >/dev/null
echo "installed into $build/stage"
