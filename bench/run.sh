#!/usr/bin/env bash
# The one command of the benchmark (docs/performance.md):
#
#   bash bench/run.sh [--quick] [--build-dir DIR] [--no-build] [bench.py options...]
#
# Builds and installs platformd into DIR/stage (default build-bench/, via scripts/build.sh;
# incremental), then runs bench/bench.py: prints the tables and the path of the JSON it wrote
# (bench/results/<UTC date-time>.json unless --out). Every binfmt_misc registration happens in
# a private user+mount+net namespace (tests/integration/run-in-namespace), never in the
# machine's table. --quick: aarch64 only, 3 repeats, 1,000 D-Bus calls, no QEMU_CPU sweep.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=$top/build-bench
do_build=1
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$(readlink -f "$2"); shift 2 ;;
    --build-dir=*) build=$(readlink -f "${1#*=}"); shift ;;
    --no-build) do_build=0; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ "$do_build" = 1 ]; then
  echo "[bench] building and installing into $build/stage (log: $build/bench-build.log)" >&2
  mkdir -p "$build"
  if ! bash "$top/scripts/build.sh" "$build" >"$build/bench-build.log" 2>&1; then
    tail -n 30 "$build/bench-build.log" >&2
    echo "[bench] build failed (full log: $build/bench-build.log)" >&2
    exit 1
  fi
fi
exec python3 "$here/bench.py" --build-dir "$build" "${args[@]}"
