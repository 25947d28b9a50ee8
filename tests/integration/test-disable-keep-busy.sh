# Issue 6 (package removal): `disable --all --keep-busy` withdraws every enabled platform BOINC
# holds no tasks of, KEEPS the ones it does (binfmt entry, alt_platform, enabled in the state),
# names their tasks in a warning and exits 0; plain `disable --all` still refuses the whole
# call (exit 6, nothing changed); --force withdraws everything. The client is stopped, so the
# tasks are read from client_state.xml, as in the package's prerm on most machines. Then the
# same through the daemon (the keep_busy option of Disable), as prerm does when it runs.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/dbus.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
RV=riscv64-unknown-linux-gnu
port=$(boinc_free_port)  # nothing listens there: every call reads client_state.xml
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
enabled() { tr -d ' \n' <"$PLATFORMD_STATE_DIR/state.json" | sed -n 's/.*"enabled":\[\([^]]*\)\].*/\1/p'; }

expect_exit 2 pctl disable
grep -q "name at least one platform, or use --all" "$T/err" || fail "no usage message: $(cat "$T/err")"
expect_exit 2 pctl disable --all aarch64
expect_exit 2 pctl disable --force --keep-busy aarch64
pass "disable needs platforms or --all (not both), and --force excludes --keep-busy"

expect_exit 0 pctl disable --all --keep-busy
grep -q "no platform is enabled" "$T/out" || fail "nothing enabled: $(cat "$T/out")"
pass "disable --all with nothing enabled does nothing and succeeds"

expect_exit 0 pctl enable aarch64 riscv64
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "enable wrote no aarch64 entry"
grep -q "alt_platform>$RV<" "$B/cc_config.xml" || fail "enable wrote no riscv64 entry"
boinc_seed_task "$B" "$A64" wu1_0
cp "$B/cc_config.xml" "$T/cc.before"
cp "$PLATFORMD_STATE_DIR/state.json" "$T/state.before"

expect_exit 6 pctl disable --all
grep -q "wu1_0" "$T/err" || fail "the refusal does not list the task: $(cat "$T/err")"
cmp "$B/cc_config.xml" "$T/cc.before" || fail "a refused disable --all changed cc_config.xml"
cmp "$PLATFORMD_STATE_DIR/state.json" "$T/state.before" || fail "a refused disable --all changed state.json"
[ -e "$BF/platformd-riscv64" ] || fail "a refused disable --all removed platformd-riscv64"
pass "disable --all without --keep-busy still refuses the whole call"

expect_exit 0 pctl disable --all --keep-busy
grep -q "aarch64: kept" "$T/out" || fail "no 'kept' line: $(cat "$T/out")"
grep -q "warning: aarch64: kept.*wu1_0" "$T/err" || fail "the warning does not name the task: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "the busy platform's entry was removed"
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "the busy platform's alt_platform was removed"
[ ! -e "$BF/platformd-riscv64" ] || fail "riscv64 (no tasks) kept its entry"
! grep -q "alt_platform>$RV<" "$B/cc_config.xml" || fail "riscv64 (no tasks) kept its alt_platform"
[ "$(enabled)" = '"aarch64"' ] || fail "state should list exactly the kept platform, has: $(enabled)"
pass "disable --all --keep-busy keeps aarch64 (task wu1_0), withdraws riscv64, exits 0"

expect_exit 0 pctl disable --all --force
[ ! -e "$BF/platformd-aarch64" ] || fail "--force left the entry"
! grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "--force left the alt_platform"
[ -z "$(enabled)" ] || fail "--force left platforms enabled: $(enabled)"
pass "disable --all --force withdraws the busy platform too"

# Through the daemon: platformctl without --direct or path overrides asks it, and the daemon
# serves the same directories (PLATFORMD_STATE_DIR, PLATFORMD_BOINC_DIR) on its own port.
rm -f "$B/client_state.xml"
dbus_start
platformd_start
expect_exit 0 "$PCTL" enable aarch64 riscv64
boinc_seed_task "$B" "$A64" wu2_0
expect_exit 0 "$PCTL" disable --all --keep-busy
grep -q 'ACTION=disable' "$DAEMON_LOG" || fail "the daemon did not serve the disable call"
grep -q "warning: aarch64: kept.*wu2_0" "$T/err" || fail "no warning through the daemon: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "the daemon removed the busy platform's entry"
[ ! -e "$BF/platformd-riscv64" ] || fail "the daemon kept riscv64 (no tasks)"
[ "$(enabled)" = '"aarch64"' ] || fail "state after the daemon's disable: $(enabled)"
pass "the daemon's Disable honours keep_busy the same way"
