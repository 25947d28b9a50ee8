#!/usr/bin/env bash
# CI stage: the libFuzzer targets of tests/fuzz/ (clang, ASan+UBSan), each for a short bounded
# time on a copy of its seed corpus, then every saved reproducer in tests/fuzz/regressions/.
# Budget: 12 targets x 20 s of fuzzing plus the instrumented build of the core (about 3 min
# on 2 cores) stays well under 8 minutes; the whole stage is cut off at 8 minutes regardless.
# Needs clang and libclang-rt-14-dev (libFuzzer's runtime), which scripts/install-deps.sh
# installs; this stage installs nothing itself.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${PLATFORMD_FUZZ_SECONDS:-20}
start=$SECONDS
rc=0
timeout --signal=TERM --kill-after=20 440 bash tests/fuzz/run.sh "$seconds" || rc=$?
echo "fuzz stage: $((SECONDS - start)) s"
[ "$rc" = 124 ] && echo "fuzz stage: over its 8-minute budget" >&2
exit "$rc"
