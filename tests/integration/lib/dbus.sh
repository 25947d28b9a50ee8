# Helpers for the D-Bus tests (test-dbus-*.sh): a private dbus-daemon with the system bus's
# policy plus ours, and platformd started and stopped by PID against it. Never the machine's
# system bus: everything listens on a socket under the test's temporary directory.
#
#   dbus_start                 # private bus; exports PLATFORMD_BUS_ADDRESS
#   platformd_start            # waits until the daemon owns its name
#   bus_call ListPlatforms     # busctl call on our object; output in $T/out
#   as_unprivileged CMD...     # runs CMD as the namespace's unprivileged uid (see below)
#   platformd_stop; dbus_stop  # by PID (the EXIT trap does it too)
#
# Source lib/common.sh first.

source "$(dirname "${BASH_SOURCE[0]}")/unprivileged.sh"

BUS_NAME=io.github.platformd1
BUS_PATH=/io/github/platformd1
BUS_IFACE=io.github.platformd1.Broker
PLATFORMD_BIN=$PLATFORMD_STAGE/sbin/platformd
DBUS_DIR=$T/dbus
DAEMON_LOG=$T/platformd.log

command -v dbus-daemon >/dev/null || { echo "SKIP: dbus-daemon is not installed"; exit 77; }
command -v busctl >/dev/null || { echo "SKIP: busctl is not installed"; exit 77; }

# Everything the helpers started, stopped by PID when the script exits.
_dbus_cleanup() {
  local f pid
  for f in "$T"/.pid-*; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}
trap _dbus_cleanup EXIT

# dbus_start [system|custom]: a private bus whose policy is the system bus's default policy
# (deny owning and calling, allow the bus driver) with our policy file included, as Debian's
# /usr/share/dbus-1/system.conf includes system.d/*.conf. `custom` lets the bus activate
# services itself from $DBUS_DIR/services (the system type needs the setuid launch helper,
# which only reads the machine's own configuration).
dbus_start() {
  local type=${1:-system}
  mkdir -p "$DBUS_DIR/services"
  chmod 0755 "$DBUS_DIR"
  cat >"$DBUS_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>$type</type>
  <listen>unix:path=$DBUS_DIR/socket</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$DBUS_DIR/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>
  <!-- As in system.conf: root may monitor the bus (dbus-monitor, busctl monitor). -->
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <!-- As polkit's own org.freedesktop.PolicyKit1.conf: a test may run a stand-in polkit. -->
  <policy user="root">
    <allow own="org.freedesktop.PolicyKit1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.PolicyKit1"/>
  </policy>
  <include>$PLATFORMD_STAGE/share/dbus-1/system.d/io.github.platformd1.conf</include>
</busconfig>
EOF
  [ -e "$PLATFORMD_STAGE/share/dbus-1/system.d/io.github.platformd1.conf" ] ||
    fail "the D-Bus policy is not staged under $PLATFORMD_STAGE"
  dbus-daemon --config-file="$DBUS_DIR/bus.conf" --nofork --nopidfile </dev/null >"$DBUS_DIR/log" 2>&1 &
  echo $! >"$T/.pid-dbus"
  local _
  for _ in $(seq 1 100); do
    [ -S "$DBUS_DIR/socket" ] && break
    sleep 0.05
  done
  [ -S "$DBUS_DIR/socket" ] || { cat "$DBUS_DIR/log" >&2; fail "dbus-daemon did not start"; }
  chmod 0777 "$DBUS_DIR/socket"
  export PLATFORMD_BUS_ADDRESS="unix:path=$DBUS_DIR/socket"
  # No stray system bus: the CLI and busctl talk to this bus only.
  export DBUS_SYSTEM_BUS_ADDRESS=$PLATFORMD_BUS_ADDRESS
}

dbus_stop() { _stop_pidfile "$T/.pid-dbus"; }


# name_has_owner: true while someone owns io.github.platformd1.
name_has_owner() {
  busctl --address="$PLATFORMD_BUS_ADDRESS" call org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus NameHasOwner s "$BUS_NAME" 2>/dev/null | grep -q '^b true$'
}

# platformd_start [ARGS...]: starts the daemon (stderr to $DAEMON_LOG) and waits until it owns
# its name, which it requests only after its first reconcile.
platformd_start() {
  "$PLATFORMD_BIN" "$@" </dev/null >>"$DAEMON_LOG" 2>&1 &
  PLATFORMD_PID=$!
  echo "$PLATFORMD_PID" >"$T/.pid-platformd"
  local _
  for _ in $(seq 1 600); do
    name_has_owner && return 0
    kill -0 "$PLATFORMD_PID" 2>/dev/null || { cat "$DAEMON_LOG" >&2; fail "platformd exited during start"; }
    sleep 0.05
  done
  cat "$DAEMON_LOG" >&2
  fail "platformd did not take its bus name within 30 s"
}

platformd_stop() { _stop_pidfile "$T/.pid-platformd"; }

# bus_call METHOD [SIGNATURE ARGS...]: calls our interface as the current user; stdout and
# stderr in $T/out and $T/err; returns busctl's status.
bus_call() {
  local method=$1
  shift
  busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=600 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$method" "$@" \
    >"$T/out" 2>"$T/err"
}

# monitor_start: records every message on the bus in $T/monitor (dbus-monitor, as root), so
# that a test can check signals and the names of error replies (busctl prints only the
# message of an error). Waits until the monitor is attached.
monitor_start() {
  dbus-monitor --address "$PLATFORMD_BUS_ADDRESS" >"$T/monitor" 2>"$T/monitor.err" &
  echo $! >"$T/.pid-monitor"
  wait_for 5 grep -q 'member=NameLost\|member=NameAcquired' "$T/monitor" ||
    { cat "$T/monitor.err" >&2; fail "dbus-monitor did not attach"; }
}

# monitor_count PATTERN: how many lines of the recording match (grep -c, 0 when none).
monitor_count() { grep -c -- "$1" "$T/monitor" || true; }

# monitor_count_above PATTERN N: true once more than N lines match. For wait_for, which must
# count again at each poll (`wait_for 5 test "$(monitor_count ...)" ...` counts only once,
# and fails whenever dbus-monitor writes the line a moment after the call returned).
monitor_count_above() { [ "$(monitor_count "$1")" -gt "$2" ]; }

# expect_error NAME CMD...: CMD (a bus call) must fail, and an error reply named NAME must
# have crossed the bus since the previous check.
expect_error() {
  local name=$1 before
  shift
  before=$(monitor_count "error_name=$name ")
  if "$@" >"$T/out" 2>"$T/err"; then fail "'$*' succeeded; expected $name"; fi
  wait_for 5 monitor_count_above "error_name=$name " "$before" ||
    fail "'$*' failed, but not with $name: $(cat "$T/err")"
}

# fake_polkit_start yes|no|challenge: a stand-in polkit on the test bus that gives this answer
# to every CheckAuthorization and logs each request to $T/polkit.log. Skips (77) when the
# helper was not built (PLATFORMD_TEST_POLKIT, else next to the staged build).
fake_polkit_start() {
  local bin=${PLATFORMD_TEST_POLKIT:-$PLATFORMD_STAGE/../daemon/platformd-test-polkit}
  [ -x "$bin" ] || { echo "SKIP: platformd-test-polkit not found at $bin"; exit 77; }
  "$bin" "$PLATFORMD_BUS_ADDRESS" "$T/polkit.log" "$1" </dev/null >>"$T/polkit.err" 2>&1 &
  echo $! >"$T/.pid-polkit"
  wait_for 5 busctl --address="$PLATFORMD_BUS_ADDRESS" status org.freedesktop.PolicyKit1 >/dev/null 2>&1 ||
    { cat "$T/polkit.err" >&2; fail "the stand-in polkit did not start"; }
}
fake_polkit_stop() {
  _stop_pidfile "$T/.pid-polkit"
  wait_for 5 sh -c "! busctl --address='$PLATFORMD_BUS_ADDRESS' status org.freedesktop.PolicyKit1 >/dev/null 2>&1" || true
}

# bus_get PROPERTY: prints a property of our interface.
bus_get() {
  busctl --address="$PLATFORMD_BUS_ADDRESS" get-property "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$1"
}

# cpu_ticks PID: user + system time of a process, in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s; true once it succeeds.
wait_for() {
  local secs=$1 _
  shift
  for _ in $(seq 1 $((secs * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# entry_exists NAME: true while binfmt_misc has the entry.
entry_exists() { [ -e "$BF/$1" ]; }
