# A caller who is not root is asked of polkit (CheckAuthorization, subject "system-bus-name"
# with the caller's unique name, one action per method), and platformd follows the answer:
# yes goes through, no is AccessDenied, a challenge is InteractiveAuthorizationRequired.
# Root is never asked. A stand-in polkit answers on the test bus.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"

require_unprivileged
dbus_start
platformd_start
monitor_start
as_user_call() {
  as_unprivileged busctl --address="$PLATFORMD_BUS_ADDRESS" --allow-interactive-authorization=no \
    call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$@"
}
last_request() { tail -n 1 "$T/polkit.log"; }

fake_polkit_start no
expect_error io.github.platformd1.Error.AccessDenied as_user_call Enable 'asa{sv}' 1 aarch64 0
grep -q 'not authorised by polkit' "$T/err" || fail "denial message: $(cat "$T/err")"
last_request | grep -Eq '^system-bus-name :[0-9]+\.[0-9]+ io\.github\.platformd1\.enable flags=0$' ||
  fail "polkit was asked: $(cat "$T/polkit.log")"
[ -z "$(binfmt_entries)" ] || fail "a denied Enable registered: $(binfmt_entries)"
# Enable with take_over asks for its own action (issue 20), not the plain enable one.
expect_error io.github.platformd1.Error.AccessDenied as_user_call Enable 'asa{sv}' 1 aarch64 1 take_over b true
last_request | grep -Eq ' io\.github\.platformd1\.take-over flags=0$' || fail "take_over asked for: $(last_request)"
[ -z "$(binfmt_entries)" ] || fail "a denied take-over registered: $(binfmt_entries)"
pass "polkit says no: AccessDenied, nothing touched; take_over is its own action"

fake_polkit_stop
fake_polkit_start challenge
expect_error org.freedesktop.DBus.Error.InteractiveAuthorizationRequired as_user_call Verify 'asa{sv}' 1 aarch64 0
last_request | grep -q ' io.github.platformd1.verify flags=0$' || fail "polkit was asked: $(last_request)"
# A caller that allows interaction lets polkit ask for a password (flag 1).
as_unprivileged busctl --address="$PLATFORMD_BUS_ADDRESS" --allow-interactive-authorization=yes \
  call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" Verify 'asa{sv}' 1 aarch64 0 >/dev/null 2>&1 || true
last_request | grep -q ' io.github.platformd1.verify flags=1$' || fail "interaction not passed on: $(last_request)"
pass "polkit challenge: InteractiveAuthorizationRequired; interaction passed on when allowed"

fake_polkit_stop
fake_polkit_start yes
as_user_call Enable 'asa{sv}' 1 aarch64 0 >"$T/out" 2>"$T/err" || fail "authorised Enable failed: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "authorised Enable did not register"
as_user_call Disable 'asba{sv}' 1 aarch64 false 0 >"$T/out" 2>"$T/err" || fail "authorised Disable failed: $(cat "$T/err")"
last_request | grep -q ' io.github.platformd1.disable flags=0$' || fail "Disable asked for: $(last_request)"
[ ! -e "$BF/platformd-aarch64" ] || fail "authorised Disable did not remove the entry"
pass "polkit says yes: Enable and Disable go through"

asked=$(wc -l <"$T/polkit.log")
bus_call Enable 'asa{sv}' 1 aarch64 0 || fail "root Enable: $(cat "$T/err")"
[ "$(wc -l <"$T/polkit.log")" = "$asked" ] || fail "polkit was asked about root: $(last_request)"
pass "root is not asked"
