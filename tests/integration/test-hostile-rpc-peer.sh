# Issue 12, class 3: a fake GUI RPC peer must not make platformd withdraw a platform BOINC holds
# tasks of. The real client holds the unfinished task wu1_0 of aarch64 and is stopped (its
# client_state.xml, written by the client itself, holds the task). An unprivileged local user
# then binds the client's port and answers get_state with "no tasks" (a reply captured from a
# real client without tasks, which lists aarch64 among its platforms). `disable aarch64` must be
# refused (exit 6, naming wu1_0), and nothing changes: the <alt_platform> stays, the handler
# stays, state.json stays. The fake peer must have been asked (so it was heard, and not believed).
# Fails on the old build (e391a6a): it believed the peer, exited 0 and withdrew the platform.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/hostile.sh"

attacker=$(hostile_uid)
B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
trap 'fake_rpc_stop; boinc_stop "$B"' EXIT

expect_exit 0 pctl enable aarch64
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "enable wrote no entry"
boinc_seed_task "$B" "$A64" wu1_0
boinc_start "$B" "$port"
[ "$(boinc_task_platform "$port" wu1_0)" = "$A64" ] || fail "the client does not hold wu1_0 as $A64"
boinc_stop "$B"
grep -q "<name>wu1_0</name>" "$B/client_state.xml" || fail "the stopped client's client_state.xml lacks wu1_0"
pass "the real client held wu1_0 of $A64 and wrote it to client_state.xml when it stopped"

# The attacker's answer: a real client's get_state without any task, listing aarch64 too.
sed "s:^<platform>i686-pc-linux-gnu</platform>\$:&\n<platform>$A64</platform>:" \
  "$PLATFORMD_SOURCE_DIR/tests/data/boinc/get_state_fresh.xml" >"$T/no-tasks.xml"
! grep -q "<result>" "$T/no-tasks.xml" || fail "the fake reply holds a task"
fake_rpc_start "$port" "$T/no-tasks.xml"
[ "$(listener_uid "$port")" = "$attacker" ] ||
  fail "127.0.0.1:$port is not the attacker's (uid $(listener_uid "$port"), want $attacker)"
[ "$(boinc_platforms "$port" | grep -c .)" -ge 3 ] || fail "the fake peer does not answer get_state"
asked=$(fake_rpc_requests)
pass "uid $attacker listens on 127.0.0.1:$port and answers get_state with no tasks"

cp "$B/cc_config.xml" "$T/cc.before"
cp "$PLATFORMD_STATE_DIR/state.json" "$T/state.before"
expect_exit 6 pctl disable aarch64
grep -q "wu1_0" "$T/err" || fail "the refusal does not name wu1_0: $(cat "$T/err")"
grep -q "client_state.xml" "$T/err" || fail "the refusal does not say where the task was seen: $(cat "$T/err")"
[ "$(fake_rpc_requests)" -gt "$asked" ] || fail "platformctl never asked the fake peer (nothing was tested)"
cmp -s "$B/cc_config.xml" "$T/cc.before" || fail "cc_config.xml changed: $(cat "$B/cc_config.xml")"
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "the alt_platform was withdrawn"
[ -e "$BF/platformd-aarch64" ] || fail "the handler was removed"
cmp -s "$PLATFORMD_STATE_DIR/state.json" "$T/state.before" || fail "state.json changed"
pass "disable refused (exit 6, names wu1_0 from client_state.xml); alt_platform, handler and state kept"

# The daemon-free repair path asks the same question: reconcile keeps everything too.
expect_exit 0 pctl reconcile
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "reconcile withdrew the alt_platform"
[ -e "$BF/platformd-aarch64" ] || fail "reconcile removed the handler"

# The client itself, started again, still holds wu1_0 as aarch64 (nothing relabelled it).
fake_rpc_stop
boinc_start "$B" "$port"
[ "$(boinc_task_platform "$port" wu1_0)" = "$A64" ] || fail "wu1_0 was relabelled: $(boinc_task_platform "$port" wu1_0)"
pass "the restarted client still holds wu1_0 as $A64"
