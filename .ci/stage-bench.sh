#!/usr/bin/env bash
# CI stage: the short version of the benchmark (docs/performance.md), for regression tracking.
# `bench/run.sh --quick`: aarch64 only, 3 repeats, 1,000 D-Bus calls per call type, 3 s idle
# windows, no QEMU_CPU sweep. It prints its table and the path of its JSON and asserts no
# timing: it fails only when a measurement could not be taken at all. About 2 minutes.
# Reuses the build the test stage made in build/ (scripts/build.sh is incremental).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${PLATFORMD_BENCH_BUILD_DIR:-$top/build}
bash "$top/bench/run.sh" --quick --build-dir "$build" --out "$build/bench-quick.json"
