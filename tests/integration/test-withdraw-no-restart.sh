# Issue 12, class 5b: a withdrawal that does not restart the BOINC client (here: no systemd
# unit runs it) must not remove the handler at once. The real client builds its platform list
# at start, so it goes on listing aarch64 and would fetch aarch64 tasks that could not run.
# After `disable aarch64` the <alt_platform> is gone from cc_config.xml, but the handler stays
# (status: "withdrawing") and still runs aarch64 programs, through reconciles, for as long as
# the client lists aarch64. Once the client is restarted and no longer lists it, the next
# reconcile removes the handler. The old build (e391a6a) removed the handler at the disable.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
trap 'boinc_stop "$B"' EXIT
hello=$(build_hello aarch64)
json_field() {  # json_field FILE ARCH FIELD
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([p for p in d['platforms'] if p['arch']==sys.argv[2]][0][sys.argv[3]])" "$@"
}

expect_exit 0 pctl enable aarch64
boinc_start "$B" "$port"
boinc_platforms "$port" | grep -qx "$A64" || fail "the client does not list $A64 after start"

expect_exit 0 pctl disable aarch64
cat "$T/out" "$T/err"
! grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "the alt_platform is still in cc_config.xml"
boinc_platforms "$port" | grep -qx "$A64" || fail "the client stopped listing $A64 without a restart?"
[ -e "$BF/platformd-aarch64" ] || fail "the handler was removed although the running client still lists $A64"
[ "$("$hello")" = "hello from aarch64" ] || fail "the kept handler does not run aarch64 programs"
grep -q "withdrawing" "$T/out" || fail "disable does not say the handler stays: $(cat "$T/out")"
grep -q "must be restarted" "$T/err" || fail "disable does not say the client must be restarted: $(cat "$T/err")"
pass "disable without a restart: alt_platform withdrawn, handler kept while the client lists $A64"

expect_exit 0 pctl status --json
[ "$(json_field "$T/out" aarch64 state)" = withdrawing ] || fail "status: aarch64 is $(json_field "$T/out" aarch64 state)"
[ "$(json_field "$T/out" aarch64 enabled)" = False ] || fail "status: aarch64 still enabled"
json_field "$T/out" aarch64 reason | grep -q "the handler stays while the BOINC client lists $A64" ||
  fail "status reason: $(json_field "$T/out" aarch64 reason)"
pass "status shows aarch64 as withdrawing"

expect_exit 0 pctl reconcile
[ -e "$BF/platformd-aarch64" ] || fail "reconcile removed the handler while the client still lists $A64"
pass "reconcile keeps the handler while the client lists $A64"

boinc_restart "$B" "$port"
! boinc_platforms "$port" | grep -qx "$A64" || fail "the restarted client still lists $A64"
expect_exit 0 pctl reconcile
[ ! -e "$BF/platformd-aarch64" ] || fail "reconcile kept the handler after the client stopped listing $A64"
grep -q "no longer lists $A64" "$T/out" || fail "reconcile does not say why the handler went: $(cat "$T/out")"
expect_exit 0 pctl status --json
[ "$(json_field "$T/out" aarch64 state)" = available ] || fail "status after: aarch64 is $(json_field "$T/out" aarch64 state)"
! grep -q withdrawing "$PLATFORMD_STATE_DIR/state.json" || fail "state.json still lists a withdrawal"
pass "the first reconcile after the client stopped listing $A64 removed the handler"
