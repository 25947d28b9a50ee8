# Helpers for the file half of issue 12: a REAL unprivileged boinc uid owns the BOINC data
# directory and plays the attacker against platformctl and platformd, which run as root.
# Source after lib/common.sh and lib/dbus.sh (wait_for; lib/unprivileged.sh).
#
#   attacker_setup                     # BOINC_UID owns $B; the name "boinc" resolves to it
#   as_boinc CMD...                    # CMD as that user
#   attacker_arm PORT HOLD 'COMMAND'   # lib/swap_listener.py as boinc: COMMAND runs at accept
#   attacker_swapped                   # true once COMMAND ran
#   attacker_stop                      # by PID
#   outside_snapshot FILE              # what the attacker aims at outside $B; compare with
#   same_outside BEFORE AFTER          # (diff on stderr)

B=$PLATFORMD_BOINC_DIR
ATTACK=$T/attacker
# A root-owned directory standing for /etc (the test must not touch the real one).
VICTIM=$T/victim

attacker_setup() {
  require_unprivileged
  BOINC_UID=$UNPRIV_UID
  # platformd gives a new cc_config.xml to the user named boinc (as Debian's package does):
  # that name must be the attacker, whatever the machine calls its own boinc user.
  grep -v '^boinc:' /etc/passwd >"$T/passwd.boinc"
  echo "boinc:x:$BOINC_UID:$BOINC_UID:BOINC client:$B:/usr/sbin/nologin" >>"$T/passwd.boinc"
  grep -v '^boinc:' /etc/group >"$T/group.boinc"
  echo "boinc:x:$BOINC_UID:" >>"$T/group.boinc"
  mount --bind "$T/passwd.boinc" /etc/passwd
  mount --bind "$T/group.boinc" /etc/group
  chown "$BOINC_UID:$BOINC_UID" "$B"
  chmod 0755 "$B"
  mkdir -p "$ATTACK" "$VICTIM"
  chown "$BOINC_UID:$BOINC_UID" "$ATTACK"
  chmod 0755 "$VICTIM"
  echo "root's file" >"$VICTIM/passwd"
}

as_boinc() { as_unprivileged "$@"; }

attacker_arm() {
  local port=$1 hold=$2 command=$3
  rm -f "$ATTACK/ready" "$ATTACK/swapped"
  spawn_unprivileged "$T/.pid-attacker" /usr/bin/python3 "$PLATFORMD_SOURCE_DIR/tests/integration/lib/swap_listener.py" \
    "$port" "$ATTACK" "$hold" "$command" </dev/null >"$ATTACK/log" 2>&1
  wait_for 10 test -e "$ATTACK/ready" || { cat "$ATTACK/log" >&2; fail "the attacker's listener did not start"; }
}

attacker_swapped() { [ -e "$ATTACK/swapped" ]; }

attacker_stop() { _stop_pidfile "$T/.pid-attacker"; }

# VICTIM, the state directory (standing for /var/lib/platformd: state.json may change,
# nothing may appear) and /etc/boinc-client; and anything the boinc uid owns outside its own
# directories.
outside_snapshot() {
  local out=$1 d f
  {
    for d in "$VICTIM" "$PLATFORMD_STATE_DIR" /etc/boinc-client; do
      echo "== $d"
      # platformd's own root-owned lock and state.json may appear in the state directory.
      find "$d" -xdev -mindepth 1 -printf '%P %y %U:%G %m\n' | { grep -vxE '(lock|state\.json) f 0:0 [0-7]+' || true; } | sort
      for f in $(find "$d" -xdev -type f ! -name state.json ! -name lock | sort); do
        echo "$f $(sha256sum <"$f" | cut -c1-16)"
      done
    done
    echo "== owned by boinc outside its directories"
    find "$T" /etc/boinc-client -xdev \( -path "$B" -o -path "$ATTACK" \) -prune -o -uid "$BOINC_UID" -printf '%p\n' |
      sort
  } >"$out"
}
same_outside() { diff -u "$1" "$2" >&2; }

# Failures are collected, so that one run of the old build measures every attack.
FAILURES=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAIL: $what" >&2
    FAILURES=$((FAILURES + 1))
  fi
}
finish() {
  [ "$FAILURES" = 0 ] || fail "$FAILURES check(s) failed"
  pass "all checks"
}
