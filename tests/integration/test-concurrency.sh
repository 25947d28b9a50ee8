# Concurrency: 16 callers at once for 10 s: 8 platformctl loops (direct) and 8 D-Bus loops
# (busctl against the daemon), enabling, disabling and listing aarch64, armhf and riscv64 at
# random. Every call must finish with a known exit code or D-Bus reply, and afterwards the
# kernel table, cc_config.xml and the state file must agree with each other: one handler per
# enabled platform and no other of ours, one <alt_platform> per advertised platform, all ours
# recorded, and a reconcile finds nothing to do.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"

B=$PLATFORMD_BOINC_DIR
S=$PLATFORMD_STATE_DIR
export PLATFORMD_GUI_RPC_PORT=1  # no client runs; nothing listens on port 1
pctl() { "$PCTL" --direct --boinc-dir "$B" "$@"; }
printf '<cc_config>\n  <!-- keep me -->\n  <options>\n    <alt_platform>windows_x86_64</alt_platform>\n  </options>\n</cc_config>\n' >"$B/cc_config.xml"
# Verify each once, so the concurrent calls are about the shared files, not about probing.
expect_exit 0 pctl enable aarch64 armhf riscv64
expect_exit 0 pctl disable riscv64

dbus_start
platformd_start
PLATS=(aarch64 armhf riscv64)
end=$((SECONDS + 10))

cli_loop() {
  local i=$1 n=0 p rc
  while [ "$SECONDS" -lt "$end" ]; do
    p=${PLATS[$((RANDOM % 3))]}
    case $((RANDOM % 3)) in
      0) pctl enable "$p" >/dev/null 2>"$T/cli$i.err" ;;
      1) pctl disable "$p" >/dev/null 2>"$T/cli$i.err" ;;
      2) pctl status --json >/dev/null 2>"$T/cli$i.err" ;;
    esac && rc=0 || rc=$?
    [ "$rc" = 0 ] || { echo "cli $i: exit $rc: $(cat "$T/cli$i.err")"; return 1; }
    n=$((n + 1))
  done
  echo "$n" >"$T/cli$i.count"
}

bus_loop() {
  local i=$1 n=0 p
  while [ "$SECONDS" -lt "$end" ]; do
    p=${PLATS[$((RANDOM % 3))]}
    case $((RANDOM % 3)) in
      0) busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=120 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" \
           Enable 'asa{sv}' 1 "$p" 0 >/dev/null 2>"$T/bus$i.err" ;;
      1) busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=120 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" \
           Disable 'asba{sv}' 1 "$p" false 0 >/dev/null 2>"$T/bus$i.err" ;;
      2) busctl --address="$PLATFORMD_BUS_ADDRESS" --timeout=120 call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" \
           ListPlatforms >/dev/null 2>"$T/bus$i.err" ;;
    esac || { echo "bus $i: $(cat "$T/bus$i.err")"; return 1; }
    n=$((n + 1))
  done
  echo "$n" >"$T/bus$i.count"
}

pids=()
for i in $(seq 1 8); do
  cli_loop "$i" &
  pids+=($!)
  bus_loop "$i" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a caller failed (above)"; done
total=$(cat "$T"/cli*.count "$T"/bus*.count | awk '{ s += $1 } END { print s }')
cli_total=$(cat "$T"/cli*.count | awk '{ s += $1 } END { print s }')
echo "calls in 10 s: $total ($cli_total platformctl, $((total - cli_total)) D-Bus)"
{ [ "$cli_total" -ge 8 ] && [ "$((total - cli_total))" -ge 8 ]; } || fail "too few calls completed: $total"
pass "16 callers for 10 s: $total calls, every one succeeded"

platformd_stop
# Consistency: state.json, the kernel table and cc_config.xml say the same thing.
python3 - "$S/state.json" "$B/cc_config.xml" "$BF" >"$T/check" 2>&1 <<'PY' || fail "inconsistent: $(cat "$T/check")"
import json, os, sys, xml.etree.ElementTree as ET
state = json.load(open(sys.argv[1]))
root = ET.parse(sys.argv[2]).getroot()
entries = sorted(n for n in os.listdir(sys.argv[3]) if n not in ("register", "status"))
names = {"aarch64": "aarch64-unknown-linux-gnu", "armhf": "arm-unknown-linux-gnueabihf",
         "riscv64": "riscv64-unknown-linux-gnu"}
enabled = state["enabled"]
assert entries == sorted("platformd-" + a for a in enabled), (entries, enabled)
alts = [e.text.strip() for e in root.iter("alt_platform")]
want = sorted(["windows_x86_64"] + [names[a] for a in enabled])
assert sorted(alts) == want, (alts, want)
assert sorted(state["owned_alt_platforms"]) == sorted(names[a] for a in enabled), state["owned_alt_platforms"]
magics = [open(os.path.join(sys.argv[3], e)).read().split("magic ")[1].split()[0] for e in entries]
assert len(set(magics)) == len(magics), "two handlers for one magic"
print("enabled:", enabled)
PY
grep -q "keep me" "$B/cc_config.xml" || fail "the user's comment was lost"
cat "$T/check"
expect_exit 0 pctl reconcile
! grep -qE "repaired|removed|added" "$T/out" || fail "reconcile still had work to do: $(cat "$T/out")"
pass "kernel table, cc_config.xml and state.json agree; no duplicate handler; reconcile has nothing to do"
