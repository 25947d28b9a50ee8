#!/usr/bin/env bash
# Server tier, scenario "uptake" (issue 22, item 4): what `platformctl status` tells the owner
# about the projects' decisions, against the real server. An x86_64 host with platformd
# emulating aarch64 (tests/server/host-emulating.sh, in a user namespace of its own) attaches
# while the project has no aarch64 work: status says nothing came, and quotes the scheduler.
# Then two aarch64 workunits are made; the host computes them under the handler and reports
# them: status counts them. The replies the host's client gave are kept in $SW/record for the
# unit tests' data (tests/data/boinc/server/). Runs inside run.sh's namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/project.sh"
source "$here/hosts.sh"
trap 'hosts_down; server_down' EXIT
t0=$SECONDS
top=$PLATFORMD_SOURCE_DIR

server_up "$SW" "$SERVER_TREE"
server_apps "$SW/apps-build"
server_start_daemons
slog "server ready, no work yet ($((SECONDS - t0)) s)"

rm -f "$SW/emu-attached" "$SW/arm-work-created"
PLATFORMD_NS_SHARE_NET=1 PLATFORMD_STAGE=${PLATFORMD_STAGE:-$top/build/stage} SW=$SW HOST_PORT=31511 \
  SERVER_URL="http://$SERVER_HOST/$PROJECT/" "$top/tests/integration/run-in-namespace" "$here/host-emulating.sh" \
  >"$SW/emu.log" 2>&1 &
emu=$!
for _ in $(seq 1 300); do
  [ -e "$SW/emu-attached" ] && break
  kill -0 "$emu" 2>/dev/null || break
  sleep 1
done
if [ -e "$SW/emu-attached" ]; then
  for i in 1 2; do server_work armapp "arm_wu_$i" "$((6 + i))" 3000000 1; done
  touch "$SW/arm-work-created"
  slog "aarch64 work created ($((SECONDS - t0)) s)"
fi
rc=0
wait "$emu" || rc=$?
cat "$SW/emu.log"
wait_until 60 test "$(server_sql "SELECT COUNT(*) FROM result WHERE name LIKE 'arm_wu_%' AND validate_state = 1")" -ge 2 || true
echo "--- results: name, host, platform, outcome, validate_state (1 valid), granted_credit"
server_sql "SELECT r.name, r.hostid, p.name, r.outcome, r.validate_state, r.granted_credit FROM result r LEFT JOIN app_version av ON av.id = r.app_version_id LEFT JOIN platform p ON p.id = av.platformid ORDER BY r.name"
check "the emulating host's run passed (exit $rc)" test "$rc" = 0
check "its two aarch64 results are valid" test "$(server_sql "SELECT COUNT(*) FROM result WHERE name LIKE 'arm_wu_%' AND validate_state = 1")" -ge 2
echo "server tier uptake: $pass passed, $failed failed ($((SECONDS - t0)) s)"
[ "$failed" = 0 ]
