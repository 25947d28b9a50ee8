#!/usr/bin/env bash
# The main job, end to end, on a fresh Debian 12 machine (as root): install dependencies,
# build, install into a staging prefix, then — inside a throwaway user+mount+network
# namespace with its own binfmt_misc, so the host's binfmt table and BOINC are never touched —
# start a real BOINC client on a loopback port and run the user's first minute:
#   platformctl status; platformctl enable aarch64 armhf; run an aarch64 program; status;
#   the client's effective platform list before and after.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/reachable-tree.sh
source "$top/scripts/reachable-tree.sh"
run_from_reachable_tree "$top" demo.sh "$@"
build=${1:-$top/build}
if [ "${PLATFORMD_SKIP_DEPS:-}" != 1 ]; then bash "$top/scripts/install-deps.sh"; fi
bash "$top/scripts/build.sh" "$build" >/dev/null
export PLATFORMD_STAGE=$build/stage PLATFORMD_SOURCE_DIR=$top
exec "$top/tests/integration/run-in-namespace" "$top/scripts/demo-in-namespace.sh"
