# Self-healing without a restart: our binfmt_misc entry deleted or disabled by hand, or the
# whole table flushed (what systemd-binfmt's start and stop do), is registered again, at the
# latest by the next D-Bus call, and without any call through the inotify watch. A call that
# comes before any event reports the change still finds it (the fingerprint check).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"

dbus_start
platformd_start
bus_call Enable 'asa{sv}' 1 aarch64 0 || fail "Enable aarch64: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "no entry after Enable"
hello=$(build_hello aarch64)
[ "$("$hello")" = "hello from aarch64" ] || fail "aarch64 program does not run after Enable"

# 1. Deleted, then a call right away: the call reconciles before it answers.
echo -1 >"$BF/platformd-aarch64"
bus_call ListPlatforms || fail "ListPlatforms: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "entry not repaired by the next D-Bus call"
grep -q '"aarch64" "aarch64-unknown-linux-gnu" true "emulated" true' "$T/out" ||
  fail "ListPlatforms after the repair does not show aarch64 emulated: $(cat "$T/out")"
[ "$("$hello")" = "hello from aarch64" ] || fail "aarch64 program does not run after the repair"
pass "deleted entry repaired by the next call"

# 2. Deleted, no call: the kernel reports the deletion to the watch.
echo -1 >"$BF/platformd-aarch64"
wait_for 10 entry_exists platformd-aarch64 || fail "deleted entry not repaired within 10 s without a call"
pass "deleted entry repaired without a call"

# 3. Disabled by hand (echo 0): repaired too.
echo 0 >"$BF/platformd-aarch64"
wait_for 10 grep -qx enabled "$BF/platformd-aarch64" || fail "disabled entry not re-enabled within 10 s"
pass "disabled entry repaired"

# 4. The whole table flushed, as systemd-binfmt does on start and stop (private table here).
echo -1 >"$BF/status"
wait_for 10 entry_exists platformd-aarch64 || fail "flushed table not repaired within 10 s"
[ "$("$hello")" = "hello from aarch64" ] || fail "aarch64 program does not run after the flush was repaired"
pass "flushed table repaired"

# 5. A change no event has reported yet: a call answers only after the fingerprint check
#    (binfmt_misc names, our entries' text) and, here, the repair. The entry is disabled through
#    a descriptor kept open, so no IN_CLOSE_WRITE reaches the watch until it is closed; a call
#    first makes the daemon's view clean (the flush repair above leaves it to be confirmed).
bus_call ListPlatforms || fail "ListPlatforms: $(cat "$T/err")"
sleep 1
exec 3>"$BF/platformd-aarch64"
echo 0 >&3
grep -qx disabled "$BF/platformd-aarch64" || fail "could not disable the entry through an open descriptor"
bus_call ListPlatforms || fail "ListPlatforms: $(cat "$T/err")"
grep -qx enabled "$BF/platformd-aarch64" || { exec 3>&-; fail "entry disabled without an event was not repaired by the next call"; }
grep -q '"aarch64" "aarch64-unknown-linux-gnu" true "emulated" true' "$T/out" ||
  fail "ListPlatforms after the repair does not show aarch64 emulated: $(cat "$T/out")"
exec 3>&-
pass "entry disabled without an event repaired by the next call (fingerprint)"

grep -q 'ACTION=repair PLATFORM=aarch64' "$DAEMON_LOG" || fail "repairs not logged with ACTION=repair PLATFORM=aarch64"
kill -0 "$PLATFORMD_PID" || fail "platformd died"
