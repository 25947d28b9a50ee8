#!/usr/bin/env bash
# Server tier, scenario "board" (issue 22): the real server with its apps; a native x86_64 host
# (Debian's client, in this namespace) and the emulating arm64 board (VM scenario I, a booted
# Debian 12 arm64 guest with platformd, started by run.sh once this namespace is ready) compute
# the two replicas of each x86_64 workunit; the board also gets native aarch64 work. What the
# server decided is read from its database and its scheduler log. Runs inside run.sh's namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/project.sh"
source "$here/hosts.sh"
trap 'hosts_down; server_down' EXIT
t0=$SECONDS

server_up "$SW" "$SERVER_TREE"
server_apps "$SW/apps-build"
# Why each host got the version it got (or none): the scheduler's version selection, logged.
python3 - "$SW/projects/$PROJECT/config.xml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("</config>", "  <debug_version_select>1</debug_version_select>\n    <debug_send>1</debug_send>\n  </config>", 1)
open(p, "w").write(s)
PY
for i in 1 2; do server_work fpapp "fp_wu_$i" "$((40 + i))" 3000000; done
server_work armapp arm_wu_1 7 3000000 1  # native work for the board: one result is enough
server_start_daemons
host_up native 31501
host_attach native native@example.org
slog "server and the native host ready ($((SECONDS - t0)) s); the board may come"
touch "$SW/ready"
while [ ! -e "$SW/board-done" ]; do sleep 2; done
slog "the board is done ($((SECONDS - t0)) s); the validator's last passes"
board_valid() {
  [ "$(server_sql "SELECT COUNT(*) FROM result r JOIN host h ON h.id = r.hostid WHERE h.p_vendor NOT LIKE '%Intel%' AND h.p_vendor NOT LIKE '%AMD%' AND r.validate_state = 1")" -ge 2 ]
}
wait_until 120 board_valid || true
# The board's aarch64 result (quorum 1) is validated alone: wait for that pass too.
wait_until 60 test "$(server_sql "SELECT COUNT(*) FROM result WHERE name LIKE 'arm_wu_%' AND validate_state = 1")" -ge 1 || true

echo "--- hosts"
server_sql "SELECT id, domain_name, os_name, p_vendor, p_model FROM host"
echo "--- app versions"
server_sql "SELECT av.id, a.name, p.name, av.plan_class FROM app_version av JOIN app a ON a.id = av.appid JOIN platform p ON p.id = av.platformid"
echo "--- results: name, host, app version (id, platform, plan class), outcome, validate_state (1 valid), granted_credit"
server_sql "SELECT r.name, r.hostid, r.app_version_id, p.name, av.plan_class, r.outcome, r.validate_state, r.granted_credit FROM result r LEFT JOIN app_version av ON av.id = r.app_version_id LEFT JOIN platform p ON p.id = av.platformid ORDER BY r.name" | tee "$SW/results.tsv"
echo "--- workunits: name, canonical result, assimilate_state (2 done)"
server_sql "SELECT name, canonical_resultid, assimilate_state, error_mask FROM workunit"
board=$(server_sql "SELECT id FROM host WHERE p_vendor NOT LIKE '%Intel%' AND p_vendor NOT LIKE '%AMD%' LIMIT 1")
echo "the board is host ${board:-?}"
echo "--- the scheduler's version selection for the board (log_${SERVER_NODE}/scheduler.log)"
grep -E "\[HOST#${board:-0}\].*(version|plan_class|lacks|avx)|plan_class_spec" "$SW/projects/$PROJECT/log_$SERVER_NODE/scheduler.log" | head -20 || true
check "the board is a host of the project" test -n "$board"
check "the board computed x86_64 results, valid against the native host's (bit for bit)" board_valid
check "the board never got the avx version" test "$(server_sql "SELECT COUNT(*) FROM result r JOIN app_version av ON av.id = r.app_version_id WHERE r.hostid = '${board:-0}' AND av.plan_class = 'avx'")" = 0
check "the board's native aarch64 result is valid" test "$(server_sql "SELECT COUNT(*) FROM result WHERE name LIKE 'arm_wu_%' AND hostid = '${board:-0}' AND validate_state = 1")" -ge 1
check "credit granted to the board's x86_64 results" test "$(server_sql "SELECT COUNT(*) FROM result r JOIN app_version av ON av.id = r.app_version_id JOIN platform p ON p.id = av.platformid WHERE r.hostid = '${board:-0}' AND p.name = 'x86_64-pc-linux-gnu' AND r.granted_credit > 0")" -ge 1
echo "server tier board: $pass passed, $failed failed ($((SECONDS - t0)) s)"
[ "$failed" = 0 ]
