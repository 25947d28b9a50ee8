#!/usr/bin/env bash
# Server tier (issue 22, tests/server/): the real BOINC server, built from upstream's tag of the
# client's release (cached), MariaDB and Apache in a private namespace, and the `uptake`
# scenario: an x86_64 host with platformd emulating aarch64 (in a user namespace of its own)
# attaches, status says nothing came and quotes the scheduler; two aarch64 tasks are computed
# under the handler and reported, status counts them (text, JSON, D-Bus). Measured here: 91 s
# to build cold, 147 s for the scenario. The `board` scenario (VM I: the emulating arm64 board
# against a native host, validated bit for bit) takes about 25 minutes and runs on demand
# (docs/boinc-server.md).
#
# The BOINC source is a git directory of BOINC/boinc holding the tag (Debian's archive serves no
# boinc source tarball: shared/REFERENCE.md §8): $PLATFORMD_BOINC_SRC, else the snapshot of the
# machine's library. Without one the stage cannot run: it says so, and passes only because
# .ci/allowed-skips lists it with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${PLATFORMD_BOINC_SRC:-/work/.mirror/BOINC+boinc/repo}
tag=client_release/7.20/7.20.5
if ! git -C "$src" rev-parse -q --verify "$tag^{commit}" >/dev/null 2>&1; then
  echo "server tier NOT RUN: no git directory of BOINC/boinc with tag $tag at $src (set PLATFORMD_BOINC_SRC)"
  grep -q '^server-uptake:' .ci/allowed-skips || { echo "and .ci/allowed-skips does not allow it" >&2; exit 1; }
  exit 0
fi
exec bash tests/server/run.sh uptake "$src"
