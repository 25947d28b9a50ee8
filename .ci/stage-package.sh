#!/usr/bin/env bash
# Debian package: build, lintian, install-to-purge in a debootstrap root (issue 6).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/package/ci-stage.sh
