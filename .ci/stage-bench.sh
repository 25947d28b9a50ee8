#!/usr/bin/env bash
# CI stage: the benchmark phase that has a target CI can check (issue 19: a benchmark in CI
# checks its targets or leaves CI). bench/hostile_peer_bench.sh: ListPlatforms over D-Bus,
# 1,000 calls, without and with a hostile peer (a silent listener on the GUI RPC port and 4
# loops of Apply check=true from an unprivileged user); fails unless p99 < 5 ms with the
# attack. Reuses build/ from the test stage. The full benchmark (bash bench/run.sh) prints
# tables without targets and is run by hand (docs/performance.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/bench/hostile_peer_bench.sh" "${PLATFORMD_BENCH_BUILD_DIR:-$top/build}" 1000
