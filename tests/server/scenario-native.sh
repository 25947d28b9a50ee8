#!/usr/bin/env bash
# Server tier, scenario "native" (issue 22, first step): the real server with its apps, two
# native x86_64 hosts (Debian's client) computing the two replicas of x86_64 workunits; the
# bitwise validator compares them and credit is granted. Runs inside run.sh's namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/project.sh"
source "$here/hosts.sh"
trap 'hosts_down; server_down' EXIT
t0=$SECONDS

server_up "$SW" "$SERVER_TREE"
server_apps "$SW/apps-build"
slog "apps published ($((SECONDS - t0)) s)"
server_sql "SELECT av.id, a.name, p.name, av.version_num, av.plan_class FROM app_version av JOIN app a ON a.id = av.appid JOIN platform p ON p.id = av.platformid"
for i in 1 2; do server_work fpapp "fp_wu_$i" "$((40 + i))" 3000000; done
server_start_daemons
slog "daemons started ($((SECONDS - t0)) s)"

host_up native-a 31501
host_up native-b 31502
host_attach native-a a@example.org
host_attach native-b b@example.org
slog "hosts attached ($((SECONDS - t0)) s)"

validated() { [ "$(server_sql "SELECT COUNT(*) FROM result WHERE validate_state = 1")" -ge 4 ]; }
if ! wait_until 600 validated; then
  echo "not validated within 10 minutes"
fi
slog "waited ($((SECONDS - t0)) s)"
echo "--- results (validate_state 1 valid, 2 invalid; outcome 1 success)"
server_sql "SELECT r.name, h.id, h.p_vendor, av.plan_class, r.outcome, r.validate_state, r.granted_credit FROM result r JOIN host h ON h.id = r.hostid LEFT JOIN app_version av ON av.id = r.app_version_id ORDER BY r.name"
echo "--- workunits (canonical result, assimilated: 2)"
server_sql "SELECT name, canonical_resultid, assimilate_state FROM workunit"
check "four results valid" validated
check "credit granted to each" test "$(server_sql "SELECT COUNT(*) FROM result WHERE granted_credit > 0")" -ge 4
echo "server tier native: $pass passed, $failed failed ($((SECONDS - t0)) s)"
[ "$failed" = 0 ]
