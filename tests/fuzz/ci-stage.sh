#!/usr/bin/env bash
# CI stage: the libFuzzer targets of tests/fuzz/ (clang, ASan+UBSan), 15 s each on a copy of
# their seed corpus, then the saved regressions. Budget: about 3 minutes of fuzzing for the
# 11 targets plus the instrumented build of the core; see tests/fuzz/run.sh.
# Needs clang and libclang-rt-14-dev (libFuzzer's runtime; clang only recommends it).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/fuzz/run.sh 15
