# Issue 19: no caller can stall the D-Bus API. With the BOINC client stopped, an unprivileged
# user listens on the client's GUI RPC port and never answers, then loops `Apply` with
# check=true (a query: no authorisation) from 4 processes. Root's GetHostInfo and ListPlatforms
# must still be answered, every time, well within busctl's timeout (5 s here).
# Fails on the old build (cce042d), where every method ran in the one event loop and Apply
# check=true took a fresh status (a GUI RPC exchange of up to 10 s each). Measured with that
# build: 0 of 20 calls answered within 5 s (all "Connection timed out").
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/hostile.sh"
source "$(dirname "$0")/lib/dbus.sh"

attacker=$(hostile_uid)
require_unprivileged
B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }

expect_exit 0 pctl enable aarch64
dbus_start
PLATFORMD_GUI_RPC_PORT=$port platformd_start

# The attacker: a silent listener on the client's port, then 4 loops of Apply check=true.
d=$(hostile_dir)
: >"$d/silent.log"
chmod 0666 "$d/silent.log"
spawn_unprivileged "$T/.pid-silent" /usr/bin/python3 "$PLATFORMD_SOURCE_DIR/tests/integration/lib/silent_listener.py" \
  "$port" "$d/silent.log" </dev/null 2>"$d/silent.err"
for _ in $(seq 1 100); do grep -q ready "$d/silent.log" && break; sleep 0.1; done
[ "$(listener_uid "$port")" = "$attacker" ] || fail "127.0.0.1:$port is not the attacker's: $(cat "$d/silent.err")"
cat >"$d/apply.json" <<'JSON'
{"version": 1, "platforms": [{"name": "aarch64", "state": "enabled"}]}
JSON
chmod 0644 "$d/apply.json"
cat >"$d/loop.sh" <<EOF2
while :; do
  busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=60 call $BUS_NAME $BUS_PATH $BUS_IFACE Apply 'ssa{sv}' \
    "\$(cat $d/apply.json)" attacker 1 check b true >/dev/null 2>&1
  echo call >>"$d/calls.\$\$"
done
EOF2
for i in 1 2 3 4; do spawn_unprivileged "$T/.pid-loop$i" /bin/bash "$d/loop.sh"; done
# Make the daemon's snapshot old, so that a refresh (and its GUI RPC exchange) is due.
sleep 3
pass "uid $attacker: a silent listener on 127.0.0.1:$port and 4 loops of Apply check=true"

answered=0 slowest=0
for i in $(seq 1 10); do
  for m in GetHostInfo ListPlatforms; do
    t0=$(date +%s%N)
    if busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=5 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$m" \
      >"$T/out" 2>"$T/err"; then
      answered=$((answered + 1))
    else
      echo "measured: $m call $i failed: $(cat "$T/err")"
    fi
    ms=$((($(date +%s%N) - t0) / 1000000))
    [ "$ms" -gt "$slowest" ] && slowest=$ms
  done
  sleep 0.3
done
accepted=$(grep -c '^accepted' "$d/silent.log" || true)
calls=$(cat "$d"/calls.* 2>/dev/null | grep -c . || true)
echo "measured: $answered of 20 root calls answered (slowest $slowest ms); the daemon connected to the silent listener $accepted time(s); the attacker's Apply check=true calls answered: $calls"
[ "$accepted" -ge 1 ] || fail "the daemon never connected to the silent listener: the attack was not played"
[ "$answered" = 20 ] || fail "only $answered of 20 calls were answered within 5 s"
[ "$calls" -ge 20 ] || fail "the attacker's Apply check=true calls were not answered ($calls)"
pass "GetHostInfo and ListPlatforms: 20 of 20 answered within 5 s during the attack"

# The daemon still works for changes, and ends on SIGTERM within a second although its worker
# may be waiting on the silent peer.
for i in 1 2 3 4; do _stop_pidfile "$T/.pid-loop$i"; done
t0=$(date +%s%N)
kill "$PLATFORMD_PID"
for _ in $(seq 1 40); do kill -0 "$PLATFORMD_PID" 2>/dev/null || break; sleep 0.05; done
ms=$((($(date +%s%N) - t0) / 1000000))
! kill -0 "$PLATFORMD_PID" 2>/dev/null || fail "platformd still runs ${ms} ms after SIGTERM"
echo "measured: SIGTERM ended the daemon after $ms ms"
pass "SIGTERM ended the daemon within 2 s"
