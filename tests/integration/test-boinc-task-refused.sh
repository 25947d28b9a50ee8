# Issue 3: never lose work. With an unfinished task of aarch64 in the REAL client, `disable
# aarch64` is refused (exit 6, work_at_risk), lists the task and changes nothing (cc_config.xml,
# binfmt entry, state); the same when the client is stopped (read from client_state.xml);
# --force withdraws it; its handler stays until the client no longer lists it.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
trap 'boinc_stop "$B"' EXIT

expect_exit 0 pctl enable aarch64
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "enable wrote no entry"
# Seed while aarch64 is configured: a client started without it would relabel the task.
boinc_seed_task "$B" "$A64" wu1_0
boinc_start "$B" "$port"
[ "$(boinc_task_platform "$port" wu1_0)" = "$A64" ] || fail "the client does not hold wu1_0 as $A64: $(boinc_get_state "$port" | grep -A8 '<result>')"
cp "$B/cc_config.xml" "$T/cc.before"
cp "$PLATFORMD_STATE_DIR/state.json" "$T/state.before"

expect_exit 6 pctl disable aarch64
grep -q "wu1_0" "$T/err" || fail "the refusal does not list the task: $(cat "$T/err")"
cmp "$B/cc_config.xml" "$T/cc.before" || fail "cc_config.xml changed"
[ -e "$BF/platformd-aarch64" ] || fail "the binfmt entry was removed"
cmp "$PLATFORMD_STATE_DIR/state.json" "$T/state.before" || fail "state.json changed"
[ "$(boinc_task_platform "$port" wu1_0)" = "$A64" ] || fail "the task's platform changed"
pass "disable refused while the running client holds a task of $A64"

boinc_stop "$B"
expect_exit 6 pctl disable aarch64
grep -q "wu1_0" "$T/err" || fail "the refusal (client stopped) does not list the task: $(cat "$T/err")"
cmp "$B/cc_config.xml" "$T/cc.before" || fail "cc_config.xml changed (client stopped)"
[ -e "$BF/platformd-aarch64" ] || fail "the binfmt entry was removed (client stopped)"
pass "disable refused from client_state.xml while the client is stopped"

boinc_start "$B" "$port"
expect_exit 0 pctl disable --force aarch64
! grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "--force did not remove the entry"
grep -q "relabel" "$T/err" || fail "--force gave no warning about relabelling: $(cat "$T/err")"
# The running client still lists aarch64 (it builds its list at start, and nothing restarts
# it here): the handler stays until it no longer does (issue 12, class 5).
[ -e "$BF/platformd-aarch64" ] || fail "--force removed the handler while the client still lists $A64"
grep -q "withdrawing" "$T/out" || fail "disable does not say the handler stays: $(cat "$T/out")"
pass "--force withdraws it from cc_config.xml, with a warning; the handler stays while the client lists it"

boinc_stop "$B"
expect_exit 0 pctl reconcile
[ ! -e "$BF/platformd-aarch64" ] || fail "reconcile with no client left the withdrawn handler"
pass "the handler goes at the first reconcile that finds no client listing $A64"
