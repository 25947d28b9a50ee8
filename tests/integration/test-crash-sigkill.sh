# Crash safety: platformctl and platformd are killed with SIGKILL at every write, fsync and
# rename they make during enable and disable (strace's fault injection: the signal is
# delivered when the N-th call of that system call is entered; no hook in our code). After every
# kill cc_config.xml is byte for byte the old or the new version and well-formed, the state
# file is absent or valid, and running the same operation again (or restarting the daemon,
# which reconciles at start) converges to the chosen state.
source "$(dirname "$0")/lib/common.sh"

command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
B=$PLATFORMD_BOINC_DIR
S=$PLATFORMD_STATE_DIR
A64=aarch64-unknown-linux-gnu
pctl() { "$PCTL" --boinc-dir "$B" "$@"; }

cat >"$B/cc_config.xml" <<'XML'
<?xml version="1.0"?>
<!-- the user's file: comments, order and unknown tags must survive -->
<cc_config>
  <log_flags>
    <task>1</task>
  </log_flags>
  <options>
    <alt_platform>x86_64-pc-linux-musl</alt_platform>
    <unknown_future_tag>keep me</unknown_future_tag>
  </options>
</cc_config>
XML
cp "$B/cc_config.xml" "$T/cc.old"

# The two versions a kill may leave, from one clean run each way.
expect_exit 0 pctl enable aarch64
cp "$B/cc_config.xml" "$T/cc.new"
grep -q "alt_platform>$A64<" "$T/cc.new" || fail "enable wrote no entry"
expect_exit 0 pctl disable aarch64
cmp -s "$B/cc_config.xml" "$T/cc.old" || fail "enable + disable did not restore cc_config.xml"

# check_invariants WHAT: what must hold after any kill.
check_invariants() {
  local what=$1
  cmp -s "$B/cc_config.xml" "$T/cc.old" || cmp -s "$B/cc_config.xml" "$T/cc.new" ||
    fail "$what: cc_config.xml is neither the old nor the new version: $(cat "$B/cc_config.xml")"
  python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$B/cc_config.xml" ||
    fail "$what: cc_config.xml is not well-formed"
  if [ -e "$S/state.json" ]; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$S/state.json" ||
      fail "$what: state.json is not valid JSON: $(cat "$S/state.json")"
  fi
  expect_exit 0 pctl status --json
  ! grep -q "corrupt" "$T/out" "$T/err" || fail "$what: the state file reads as corrupt: $(cat "$T/err")"
}

# check_enabled / check_disabled: the converged states.
check_enabled() {
  cmp -s "$B/cc_config.xml" "$T/cc.new" || fail "$1: cc_config.xml did not converge to the enabled version"
  [ -e "$BF/platformd-aarch64" ] || fail "$1: no handler after convergence"
  python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["enabled"] == ["aarch64"] and s["owned_alt_platforms"] == [sys.argv[2]], s' "$S/state.json" "$A64" ||
    fail "$1: state.json does not say aarch64 is enabled and its alt_platform ours"
}
check_disabled() {
  cmp -s "$B/cc_config.xml" "$T/cc.old" || fail "$1: cc_config.xml did not converge to the old version: $(cat "$T/out")"
  [ ! -e "$BF/platformd-aarch64" ] || fail "$1: the handler stayed after convergence"
  python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
assert s["enabled"] == [] and s["owned_alt_platforms"] == [], s' "$S/state.json" ||
    fail "$1: state.json does not say aarch64 is disabled and nothing ours in cc_config.xml"
}

# killed_run N SYSCALL CMD...: runs CMD under strace, killed when it enters its N-th SYSCALL;
# output in $T/out and $T/err; returns CMD's status (137: it was killed). The subshell keeps
# bash's "Killed" job message out of the log.
killed_run() {
  local n=$1 sc=$2
  shift 2
  (strace -o /dev/null -e trace="$sc" -e inject="$sc":signal=KILL:when="$n" env ASAN_OPTIONS="$NO_LSAN" "$@" \
    >"$T/out" 2>"$T/err") 2>/dev/null
}

# kill_loop OP CHECK: for each of write, fsync and rename, runs `platformctl OP aarch64`
# killed at its N-th call of it, N = 1, 2, ... until a run completes; after each kill, the
# invariants, then the same command again must converge (CHECK). Before each run the machine
# is put in the state the operation starts from (the other operation, run normally).
kill_loop() {
  local op=$1 check=$2 start sc n rc kills=0
  case $op in enable) start=disable ;; disable) start=enable ;; esac
  for sc in write fsync rename; do
    for n in $(seq 1 100); do
      expect_exit 0 pctl "$start" aarch64
      set +e
      killed_run "$n" "$sc" "$PCTL" --boinc-dir "$B" "$op" aarch64
      rc=$?
      set -e
      if [ "$rc" = 0 ]; then break; fi
      [ "$rc" = 137 ] || fail "$op killed at $sc $n: exit $rc, not SIGKILL: $(cat "$T/err")"
      kills=$((kills + 1))
      check_invariants "$op killed at $sc $n"
      expect_exit 0 pctl "$op" aarch64
      "$check" "$op killed at $sc $n, then run again"
    done
    [ "$rc" = 0 ] || fail "$op never completed under the kill loop ($sc)"
  done
  [ "$kills" -ge 8 ] || fail "$op: only $kills kill points (expected the state, cc_config and binfmt writes)"
  pass "platformctl $op: killed at each of its $kills write, fsync and rename calls; always old-or-new, valid, converged"
}

kill_loop enable check_enabled
kill_loop disable check_disabled
# Kills during a first, cold enable (no state file, so no stored verdict).
for n in 1 2 3 4; do
  pctl disable aarch64 >/dev/null 2>&1 || true
  rm -f "$S/state.json"
  set +e
  killed_run "$n" write "$PCTL" --boinc-dir "$B" enable aarch64
  set -e
  check_invariants "cold enable killed at write $n"
  expect_exit 0 pctl enable aarch64
  check_enabled "cold enable killed at write $n, then run again"
done
pass "platformctl enable from no state: killed at writes 1-4; converged each time"

# A kill between creating a temporary file and renaming it leaves the temporary behind; the
# next replacement removes those over a minute old (a writer holds its own for milliseconds).
left=$(find "$B" "$S" -name '.*.platformd-??????' | wc -l)
[ "$left" -gt 0 ] || fail "no kill left a temporary file: the kill points missed the write window"
find "$B" "$S" -name '.*.platformd-??????' -exec touch -d '2 minutes ago' {} +
expect_exit 0 pctl disable aarch64
expect_exit 0 pctl enable aarch64
[ -z "$(find "$B" "$S" -name '.*.platformd-??????')" ] ||
  fail "stale temporaries stayed: $(find "$B" "$S" -name '.*.platformd-??????')"
pass "the $left temporaries the kills left were removed by the next writes"

# The daemon: killed inside a D-Bus Enable or Disable (strace -f: the operation runs on the
# daemon's worker thread; a kill that lands in a probe it runs fails the call instead, which
# the same invariants cover); a restart reconciles to the state
# file's choice, the same call again converges.
source "$(dirname "$0")/lib/dbus.sh"
dbus_start
export PLATFORMD_BOINC_DIR=$B
cat >"$T/platformd-traced" <<EOF
#!/bin/sh
exec strace -f -o /dev/null -e trace=\$KILL_SYSCALL -e inject=\$KILL_SYSCALL:signal=KILL:when=\$PLATFORMD_KILL_AT env ASAN_OPTIONS="$NO_LSAN" "$PLATFORMD_BIN" "\$@"
EOF
chmod +x "$T/platformd-traced"
real_bin=$PLATFORMD_BIN
# Stops what platformd_start started: under strace, the daemon (strace's child) first.
daemon_stop() {
  local pid
  pid=$(cat "$T/.pid-platformd" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    pkill -KILL -P "$pid" 2>/dev/null || true
    platformd_stop
    while kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
  fi
}
daemon_kill_loop() {
  local method=$1 args=$2 check=$3 start=$4 n kills=0 done=
  for n in $(seq 1 200); do
    expect_exit 0 pctl "$start" aarch64
    PLATFORMD_BIN=$T/platformd-traced PLATFORMD_KILL_AT=$n
    export PLATFORMD_KILL_AT
    # The daemon's own start-up writes count too: a kill there is a crash at start.
    if ! (platformd_start) >/dev/null 2>&1; then
      daemon_stop
      check_invariants "platformd killed at start, $KILL_SYSCALL $n"
      continue
    fi
    # shellcheck disable=SC2086
    if bus_call "$method" $args; then
      done=1
    else
      kills=$((kills + 1))
    fi
    daemon_stop
    check_invariants "platformd $method killed at $KILL_SYSCALL $n"
    PLATFORMD_BIN=$real_bin
    platformd_start
    # shellcheck disable=SC2086
    bus_call "$method" $args || fail "$method after a restart: $(cat "$T/err")"
    daemon_stop
    "$check" "platformd $method killed at $KILL_SYSCALL $n, restarted, called again"
    [ -z "$done" ] || break
  done
  [ -n "$done" ] || fail "platformd $method never completed under the kill loop"
  [ "$kills" -ge 2 ] || fail "platformd $method: only $kills kills at $KILL_SYSCALL"
  pass "platformd $method: killed at each of its $kills $KILL_SYSCALL calls; always old-or-new, valid, converged"
}
for KILL_SYSCALL in write rename; do
  export KILL_SYSCALL
  daemon_kill_loop Enable "asa{sv} 1 aarch64 0" check_enabled disable
  daemon_kill_loop Disable "asba{sv} 1 aarch64 false 0" check_disabled enable
done
