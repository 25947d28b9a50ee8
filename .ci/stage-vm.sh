#!/usr/bin/env bash
# VM test tier (issue 13, tests/vm/run.sh): real kernels with systemd as PID 1 under
# qemu-system (TCG), the .deb installed as a user would. Installs what it needs itself.
# CI runs A-debian (amd64, the stock Debian 12 install) and B (the headline: an arm64 kernel,
# `platformctl enable x86_64`, a real x86_64 BOINC task). A-masked, C and D run on demand
# (`bash tests/vm/run.sh A-masked C D`); their latest transcripts are docs/vm-transcript-*.txt.
# Measured here with a cold cache (2026-12-02, 2 cores): see docs/vm-tests.md. The stage is cut
# off at 25 minutes (inside .ci/run's 26) so that a hung guest cannot take the whole CI budget.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash tests/vm/ci-stage.sh
