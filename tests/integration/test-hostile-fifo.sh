# Issue 12, class 2: a FIFO in the BOINC data directory, made by the boinc user (a real
# unprivileged uid that owns the directory, lib/attacker.sh). open(O_RDONLY) on a FIFO waits
# for a writer that never comes: the old build hung there for ever, the CLI holding the state
# lock, the daemon's event loop blocked (ListPlatforms timed out for everyone) and SIGTERM
# ignored, since the signals waited for sd-event.
#
# The attacks:
#  1. client_state_next.xml is a FIFO; `platformctl disable aarch64` (no client runs, so the
#     state files are read).
#  2. cc_config.xml is swapped for a FIFO when platformctl reconcile connects to the GUI RPC
#     port (after its check of the path).
#  3. The same against the daemon, triggered by the boinc user editing cc_config.xml; the
#     attacker also keeps the GUI RPC connection open without answering.
# Each must end in bounded time with a clear error and the lock released; the daemon must keep
# answering ListPlatforms, and SIGTERM must end it within a second while it waits.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/attacker.sh"

attacker_setup
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
# timed LIMIT CMD...: CMD's exit status in $rc, its duration in $secs; killed after LIMIT s.
timed() {
  local limit=$1 t0 t1
  shift
  t0=$(date +%s%N)
  set +e
  timeout -k 1 "$limit" "$@" >"$T/out" 2>"$T/err"
  rc=$?
  set -e
  t1=$(date +%s%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}
under() { awk -v s="$1" -v l="$2" 'BEGIN { exit !(s < l) }'; }

expect_exit 0 pctl enable aarch64

# 1. client_state_next.xml is a FIFO.
as_boinc mkfifo "$B/client_state_next.xml"
timed 20 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" disable aarch64
echo "measured: disable with a FIFO client_state_next.xml: exit $rc after $secs s (124: killed by timeout)"
check "disable: does not hang" test "$rc" != 124
check "disable: refused, nothing withdrawn (exit 6)" test "$rc" = 6
check "disable: names the FIFO" grep -q "client_state_next.xml is not a regular file (a FIFO)" "$T/err"
check "disable: the handler stays" test -e "$BF/platformd-aarch64"
timed 20 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" enable aarch64
check "the lock was released: the next enable ran (exit $rc, $secs s)" test "$rc" = 0
as_boinc rm -f "$B/client_state_next.xml"

# 2. cc_config.xml swapped for a FIFO after its check: the attacker first removes our entry
#    (a reconcile then has to write), and swaps at the GUI RPC accept.
as_boinc sh -c "printf '<cc_config>\n</cc_config>\n' >'$B/cc_config.xml.new' && mv '$B/cc_config.xml.new' '$B/cc_config.xml'"
attacker_arm "$port" 0 "rm -f '$B/cc_config.xml' && mkfifo '$B/cc_config.xml'"
timed 20 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" reconcile
echo "measured: reconcile with cc_config.xml swapped for a FIFO: exit $rc after $secs s; swap: $(attacker_swapped && echo yes || echo no)"
attacker_stop
check "reconcile: the attacker's swap ran" attacker_swapped
check "reconcile: does not hang" test "$rc" != 124
check "reconcile: fails (exit 7)" test "$rc" = 7
check "reconcile: names the FIFO" grep -q "cc_config.xml is not a regular file (a FIFO)" "$T/out" "$T/err"
timed 20 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" status
check "the lock was released: status ran (exit $rc, $secs s)" test "$rc" != 124
as_boinc rm -f "$B/cc_config.xml"
expect_exit 0 pctl reconcile

# 3. The daemon.
dbus_start
PLATFORMD_GUI_RPC_PORT=$port platformd_start
# The attacker holds the connection 4 s, then the daemon reads cc_config.xml: by then a FIFO.
attacker_arm "$port" 4 "rm -f '$B/cc_config.xml' && mkfifo '$B/cc_config.xml'"
as_boinc sh -c "printf '<cc_config>\n</cc_config>\n' >'$B/cc_config.xml.new' && mv '$B/cc_config.xml.new' '$B/cc_config.xml'"
check "daemon: connected to the attacker after the change" wait_for 60 attacker_swapped
# Everyone may call ListPlatforms; the daemon answers once the attacker lets go (4 s). (timeout
# runs programs, not shell functions: setpriv directly.)
timed 20 setpriv --reuid="$UNPRIV_UID" --regid="$UNPRIV_UID" --clear-groups -- busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=15 call "$BUS_NAME" "$BUS_PATH" \
  "$BUS_IFACE" ListPlatforms
echo "measured: ListPlatforms during the attack: exit $rc after $secs s"
check "daemon: ListPlatforms answered" test "$rc" = 0
check "daemon: logs the FIFO" wait_for 10 grep -q "cc_config.xml is not a regular file (a FIFO)" "$DAEMON_LOG"
attacker_stop

# SIGTERM while the daemon waits on the attacker: a fresh attack that holds 30 s.
as_boinc rm -f "$B/cc_config.xml"
attacker_arm "$port" 30 "rm -f '$B/cc_config.xml' && mkfifo '$B/cc_config.xml'"
as_boinc sh -c "printf '<cc_config>\n</cc_config>\n' >'$B/cc_config.xml.new' && mv '$B/cc_config.xml.new' '$B/cc_config.xml'"
check "daemon: connected to the attacker again" wait_for 60 attacker_swapped
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$PLATFORMD_PID"
for _ in $(seq 1 50); do
  kill -0 "$PLATFORMD_PID" 2>/dev/null || break
  sleep 0.02
done
if kill -0 "$PLATFORMD_PID" 2>/dev/null; then
  # Measure how long it would have taken, up to 5 s, then end it.
  for _ in $(seq 1 200); do
    kill -0 "$PLATFORMD_PID" 2>/dev/null || break
    sleep 0.02
  done
fi
t1=$(date +%s%N)
term_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
alive=$(kill -0 "$PLATFORMD_PID" 2>/dev/null && echo yes || echo no)
echo "measured: SIGTERM while blocked: still running after $term_secs s: $alive"
check "daemon: SIGTERM ended it within a second ($term_secs s)" under "$term_secs" 1
[ "$alive" = no ] || kill -KILL "$PLATFORMD_PID"
wait "$PLATFORMD_PID" 2>/dev/null || true
rm -f "$T/.pid-platformd"
attacker_stop
finish
