#!/usr/bin/env bash
# Server tier, scenario "uptake": the emulating host. Runs inside tests/integration/run-in-namespace
# (a user+mount+PID namespace with its own binfmt_misc instance, sharing the server namespace's
# network), so the handler platformd registers serves this client alone. Debian's real client;
# platformd from the build under test enables aarch64, which this x86_64 machine emulates.
#
# Environment: SERVER_URL, HOST_PORT, SW (the scenario's work directory, for the hand-over
# files), PLATFORMD_STAGE, PLATFORMD_SOURCE_DIR.
source "$PLATFORMD_SOURCE_DIR/tests/integration/lib/common.sh"
source "$PLATFORMD_SOURCE_DIR/tests/integration/lib/boinc.sh"
: "${SERVER_URL:?}" "${HOST_PORT:?}" "${SW:?}"
dir=$PLATFORMD_BOINC_DIR
export PLATFORMD_GUI_RPC_PORT=$HOST_PORT
rec=$SW/record
mkdir -p "$rec"
say() { printf '\n$ %s\n' "$*"; }
bcmd() { (cd "$dir" && boinccmd --host "localhost:$HOST_PORT" "$@"); }
# At least N scheduler replies in the client's event log, N tasks reported in the last hour.
replies_at_least() { [ "$(boinc_rpc "$HOST_PORT" '<get_messages><seqno>0</seqno></get_messages>' | grep -c 'Scheduler request completed')" -ge "$1" ]; }
reported_at_least() { [ "$(boinc_rpc "$HOST_PORT" '<get_old_results/>' | grep -c '<old_result>')" -ge "$1" ]; }
wait_for() {
  local secs=$1
  shift
  for _ in $(seq 1 "$secs"); do
    if "$@"; then return 0; fi
    sleep 1
  done
  return 1
}

printf '<cc_config>\n  <options>\n    <report_results_immediately>1</report_results_immediately>\n  </options>\n</cc_config>\n' \
  >"$dir/cc_config.xml"
boinc_start "$dir" "$HOST_PORT"
trap 'boinc_stop "$dir"' EXIT

say "platformctl enable aarch64"
"$PCTL" enable aarch64
say "restart the client (not a systemd unit here): it reads alt_platform at start"
boinc_restart "$dir" "$HOST_PORT"
boinc_platforms "$HOST_PORT"

say "attach to $SERVER_URL"
key=$(bcmd --create_account "$SERVER_URL" emu@example.org secret emu | sed -n 's/^account key: //p')
[ -n "$key" ] || fail "no account key"
bcmd --project_attach "$SERVER_URL" "$key"
wait_for 120 replies_at_least 1 || fail "no scheduler reply within 2 minutes"
sleep 2

say "platformctl status   # attached; the project has no aarch64 work yet"
"$PCTL" status | tee "$rec/status-before.txt"
grep -q "^  aarch64 from platformd test project: nothing of it received" "$rec/status-before.txt" ||
  fail "status does not say that nothing of aarch64 came"
grep -q "^    last scheduler reply .*: got 0 new tasks; the server said: " "$rec/status-before.txt" ||
  fail "status does not quote the scheduler's last reply"
pass "before any aarch64 work: nothing received, and the scheduler's words"
boinc_rpc "$HOST_PORT" '<get_messages><seqno>0</seqno></get_messages>' >"$rec/get_messages_no_work.xml"
boinc_get_state "$HOST_PORT" >"$rec/get_state_no_work.xml"

touch "$SW/emu-attached"
wait_for 300 test -e "$SW/arm-work-created" || fail "the server made no aarch64 work"
bcmd --project "$SERVER_URL" update
wait_for 900 reported_at_least 2 || fail "two aarch64 tasks not reported within 15 minutes"
sleep 3
say "platformctl status   # after two aarch64 tasks, computed under the handler and reported"
boinc_get_state "$HOST_PORT" >"$rec/get_state_reported.xml"
boinc_rpc "$HOST_PORT" '<get_messages><seqno>0</seqno></get_messages>' >"$rec/get_messages_reported.xml"
boinc_rpc "$HOST_PORT" '<get_old_results/>' >"$rec/get_old_results_reported.xml"
"$PCTL" status | tee "$rec/status-after.txt"
"$PCTL" status --json >"$rec/status-after.json"
grep -q "^  aarch64 from platformd test project: 0 running, 0 waiting, 0 to report; 2 reported in the last hour; versions received: armapp 1.00$" \
  "$rec/status-after.txt" || fail "status does not count the two reported aarch64 tasks"
python3 - "$rec/status-after.json" <<'PY' || fail "the JSON's uptake is not as the text says"
import json, sys
u = [x for x in json.load(open(sys.argv[1]))["uptake"] if x["platform"] == "aarch64-unknown-linux-gnu"]
assert len(u) == 1, u
u = u[0]
assert u["project"] == "platformd test project" and u["reported_last_hour"] == 2, u
assert u["versions"] == [{"app": "armapp", "version_num": 100, "plan_class": ""}], u["versions"]
assert u["last_scheduler_reply"]["time"] > 0, u
PY
pass "after: two aarch64 tasks reported, the version received, the same in JSON"

say "the same over D-Bus: GetUptake from platformd on a private bus, and status as an unprivileged user"
source "$PLATFORMD_SOURCE_DIR/tests/integration/lib/dbus.sh"
trap '_dbus_cleanup; boinc_stop "$dir"' EXIT
require_unprivileged
dbus_start
platformd_start
bus_call GetUptake || fail "GetUptake failed: $(cat "$T/err")"
cat "$T/out"
grep -qF '"aarch64-unknown-linux-gnu" "platformd test project" "http://boincserver.test/test/" 0 0 0 2 1 "armapp" 100 ""' \
  "$T/out" || fail "GetUptake does not say what status says"
as_unprivileged "$PCTL" status >"$rec/status-dbus.txt" 2>&1 || fail "status as an unprivileged user: $(cat "$rec/status-dbus.txt")"
grep -q "^  aarch64 from platformd test project: 0 running, 0 waiting, 0 to report; 2 reported in the last hour" \
  "$rec/status-dbus.txt" || fail "status through the daemon lacks the uptake: $(cat "$rec/status-dbus.txt")"
pass "GetUptake over D-Bus, and status through the daemon as an unprivileged user"
