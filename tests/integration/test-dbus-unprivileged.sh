# Over D-Bus, queries are open to every local user, while Enable, Disable and Verify are
# refused to a user who is neither root nor authorised by polkit (the test bus has no polkit,
# as on a machine without polkitd), with AccessDenied and before anything is touched.
# Needs an unprivileged uid mapped into the test's user namespace (skips otherwise).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"

require_unprivileged
dbus_start
platformd_start
monitor_start
as_user_call() {
  as_unprivileged busctl --address="$PLATFORMD_BUS_ADDRESS" call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$@"
}

# Queries.
as_user_call ListPlatforms >"$T/list" || fail "ListPlatforms refused to uid $UNPRIV_UID: $(cat "$T/list")"
grep -q '"aarch64" "aarch64-unknown-linux-gnu"' "$T/list" || fail "ListPlatforms lacks aarch64: $(cat "$T/list")"
as_user_call GetHostInfo >"$T/host" || fail "GetHostInfo refused to uid $UNPRIV_UID"
grep -q "^sissas \"$(uname -m)\"" "$T/host" || fail "GetHostInfo: $(cat "$T/host")"
arch=$(as_unprivileged busctl --address="$PLATFORMD_BUS_ADDRESS" get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" HostArchitecture)
[ "$arch" = "s \"$(uname -m)\"" ] || fail "HostArchitecture as uid $UNPRIV_UID: $arch"
as_unprivileged busctl --address="$PLATFORMD_BUS_ADDRESS" introspect "$BUS_NAME" "$BUS_PATH" >/dev/null ||
  fail "introspection refused to uid $UNPRIV_UID"
pass "queries work for uid $UNPRIV_UID"

# Changes: refused, and nothing changed.
state_before=$(cat "$PLATFORMD_STATE_DIR/state.json" 2>/dev/null || echo none)
expect_error io.github.platformd1.Error.AccessDenied as_user_call Enable 'asa{sv}' 1 aarch64 0
grep -q "polkit is not available" "$T/err" || fail "AccessDenied does not say why: $(cat "$T/err")"
expect_error io.github.platformd1.Error.AccessDenied as_user_call Disable 'asba{sv}' 1 aarch64 true 0
expect_error io.github.platformd1.Error.AccessDenied as_user_call Verify 'asa{sv}' 1 aarch64 0
[ -z "$(binfmt_entries)" ] || fail "a refused call registered: $(binfmt_entries)"
[ ! -e "$PLATFORMD_BOINC_DIR/cc_config.xml" ] || ! grep -q aarch64 "$PLATFORMD_BOINC_DIR/cc_config.xml" ||
  fail "a refused call edited cc_config.xml"
[ "$(cat "$PLATFORMD_STATE_DIR/state.json" 2>/dev/null || echo none)" = "$state_before" ] ||
  fail "a refused call changed the state file"
grep -q "ACTION=denied.*CALLER_UID=$UNPRIV_UID" "$DAEMON_LOG" || fail "the refusal was not logged with the caller"
pass "Enable, Disable and Verify refused to uid $UNPRIV_UID without touching anything"

# The same call as root goes through.
bus_call Enable 'asa{sv}' 1 aarch64 0 || fail "Enable as root: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "Enable as root did not register"
pass "Enable allowed to root"
