# The daemon as a service: READY=1 over NOTIFY_SOCKET once it owns its name (Type=notify),
# a second instance fails instead of queueing, SIGHUP reconciles, idle costs no CPU time,
# SIGTERM stops it cleanly with STOPPING=1.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to receive sd_notify messages"; exit 77; }

dbus_start

# A notify socket like systemd's: a datagram socket whose messages we write to a file.
cat >"$T/notify.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".bound", "w").close()
with open(sys.argv[2], "a") as out:
    while True:
        msg = s.recv(4096).decode()
        out.write(msg.replace("\n", " ") + "\n")
        out.flush()
PY
python3 "$T/notify.py" "$T/notify.sock" "$T/notify.log" &
echo $! >"$T/.pid-notify"
wait_for 5 test -e "$T/notify.sock.bound" || fail "notify socket not bound"

NOTIFY_SOCKET=$T/notify.sock platformd_start
wait_for 5 grep -q 'READY=1' "$T/notify.log" || fail "no READY=1: $(cat "$T/notify.log" 2>/dev/null)"
grep -q 'STATUS=Serving io.github.platformd1' "$T/notify.log" || fail "no STATUS line: $(cat "$T/notify.log")"
pass "READY=1 once the name is owned"

# A second instance must not queue for the name.
set +e
timeout 60 "$PLATFORMD_BIN" >"$T/second.log" 2>&1
rc=$?
set -e
if [ "$rc" = 0 ] || [ "$rc" = 124 ]; then fail "a second instance exited $rc"; fi
grep -q 'another platformd is running' "$T/second.log" || fail "second instance: $(cat "$T/second.log")"
pass "second instance refused"

# Idle: no busy loop, no frequent timer. Zero ticks over 10 s (the safety-net timer runs
# once a minute at most).
sleep 1
a=$(cpu_ticks "$PLATFORMD_PID")
sleep 10
b=$(cpu_ticks "$PLATFORMD_PID")
echo "idle CPU over 10 s: $((b - a)) ticks; RSS: $(awk '/VmRSS/ {print $2, $3}' "/proc/$PLATFORMD_PID/status")"
[ "$((b - a))" = 0 ] || fail "platformd used $((b - a)) ticks of CPU in 10 idle seconds"
pass "idle"

kill -HUP "$PLATFORMD_PID"
wait_for 5 grep -q 'SIGHUP from pid' "$DAEMON_LOG" || fail "SIGHUP not handled"
kill -0 "$PLATFORMD_PID" || fail "SIGHUP killed platformd"
pass "SIGHUP reconciles"

# STATUS= follows the enabled set at run time, not only at start (issue 13: `systemctl status`
# said "enabled: none" after platforms were enabled through the running daemon).
grep -q 'STATUS=Serving io.github.platformd1; enabled: none' "$T/notify.log" || fail "start STATUS: $(cat "$T/notify.log")"
bus_call Enable 'asa{sv}' 1 aarch64 0 || fail "Enable aarch64: $(cat "$T/err")"
wait_for 5 grep -q 'STATUS=Serving io.github.platformd1; enabled: aarch64$' "$T/notify.log" ||
  fail "no STATUS naming aarch64 after Enable: $(cat "$T/notify.log")"
bus_call Disable 'asba{sv}' 1 aarch64 false 0 || fail "Disable aarch64: $(cat "$T/err")"
none_again() { [ "$(grep -c 'enabled: none$' "$T/notify.log")" -ge 2 ]; }
wait_for 5 none_again ||
  fail "no STATUS 'enabled: none' after Disable: $(cat "$T/notify.log")"
pass "STATUS= follows Enable and Disable"

# The safety-net timer cannot be set below a minute.
expect_exit 2 "$PLATFORMD_BIN" --reconcile-interval 5
grep -q 'at least 60' "$T/err" || fail "--reconcile-interval 5: $(cat "$T/err")"

kill -TERM "$PLATFORMD_PID"
set +e
wait "$PLATFORMD_PID"
rc=$?
set -e
[ "$rc" = 0 ] || fail "platformd exited $rc on SIGTERM"
rm -f "$T/.pid-platformd"
grep -q 'STOPPING=1' "$T/notify.log" || fail "no STOPPING=1"
name_has_owner && fail "the name is still owned after SIGTERM"
pass "SIGTERM stops cleanly"
