#!/usr/bin/env bash
# The BOINC server tier (issue 22): builds the server (cached), then runs SCENARIO inside a
# private network, mount, IPC, PID and UTS namespace on this machine (nothing listens outside it,
# every process ends with it). As root.
#
#   tests/server/run.sh SCENARIO [BOINC_SRC_GIT_DIR]
#
# Scenarios: tests/server/scenario-SCENARIO.sh. The source of BOINC defaults to
# $PLATFORMD_BOINC_SRC. Work and logs in $PLATFORMD_SERVER_WORK (default /tmp/platformd-server).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenario=${1:?usage: run.sh SCENARIO [BOINC_SRC_GIT_DIR]}
src=${2:-${PLATFORMD_BOINC_SRC:?give the BOINC source (a git directory of BOINC/boinc)}}
work=${PLATFORMD_SERVER_WORK:-/tmp/platformd-server}
[ -f "$here/scenario-$scenario.sh" ] || { echo "no scenario $scenario" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 1; }
t0=$SECONDS
bash "$here/build.sh" "$src" "$work/boinc"
bash "$here/deps.sh" run
rm -rf "$work/run"
mkdir -p "$work/run"
chmod 0755 "$work" "$work/run"
echo "server tier: build and dependencies $((SECONDS - t0)) s"
rc=0
unshare --net --mount --ipc --pid --uts --fork --mount-proc --propagation private \
  env SW="$work/run" SERVER_TREE="$work/boinc" SERVER_FILES="$here/files" PLATFORMD_SOURCE_DIR="$(dirname "$(dirname "$here")")" \
  bash "$here/scenario-$scenario.sh" || rc=$?
echo "server tier: scenario $scenario exit $rc after $((SECONDS - t0)) s (work: $work/run)"
exit "$rc"
