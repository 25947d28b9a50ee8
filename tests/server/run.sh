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
top=$(dirname "$(dirname "$here")")
in_namespace() {
  unshare --net --mount --ipc --pid --uts --fork --mount-proc --propagation private \
    env SW="$work/run" SERVER_TREE="$work/boinc" SERVER_FILES="$here/files" PLATFORMD_SOURCE_DIR="$top" \
    bash "$here/scenario-$scenario.sh"
}
if [ "$scenario" != board ]; then
  in_namespace || rc=$?
else
  # The board is a booted guest (VM scenario I) whose QEMU joins the namespace's network once
  # the server is ready; the namespace's scenario then reads what the server decided.
  in_namespace &
  ns=$!
  for _ in $(seq 1 600); do
    [ -e "$work/run/ready" ] && break
    kill -0 "$ns" 2>/dev/null || break
    sleep 1
  done
  if [ -e "$work/run/ready" ]; then
    # unshare itself entered the new network namespace (then forked the namespace's PID 1).
    nspid=$(pgrep -n -f "^unshare --net --mount --ipc --pid --uts --fork")
    echo "server tier: the server's namespace is ready (PID $nspid); the board boots"
    PLATFORMD_VM_NETNS_PID=$nspid PLATFORMD_VM_SERVER_URL="http://boincserver.test/test/" \
      PLATFORMD_VM_SERVER_NAME=boincserver.test bash "$top/tests/vm/run.sh" I || rc=$?
  fi
  touch "$work/run/board-done"
  wait "$ns" || rc=$?
fi
echo "server tier: scenario $scenario exit $rc after $((SECONDS - t0)) s (work: $work/run)"
exit "$rc"
