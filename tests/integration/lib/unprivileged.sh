# The unprivileged user of the integration tests: a real uid other than root that
# run-in-namespace maps when the tests run as real root, so that what it owns, binds and
# writes is really not root's. Source after lib/common.sh.
#
#   require_unprivileged               # sets UNPRIV_UID, or skips (77) when none is mapped
#   as_unprivileged CMD...             # CMD as that user, in the foreground
#   spawn_unprivileged PIDFILE CMD...  # CMD as that user in the background; PIDFILE holds its PID
#   _stop_pidfile PIDFILE              # kills that PID and waits for it

# The unprivileged uid callers use: a uid other than 0 (and other than nobody, which probes
# run as, when there is another) mapped into this user namespace. run-in-namespace maps one
# when it runs as real root; inside `unshare --map-root-user` only root is mapped and no
# process can become anyone else, so the bus would see every caller as root. Empty when
# there is none.
unprivileged_uid() {
  awk '$1 != 0 && $3 >= 1 { if ($1 != 65534) { print $1; exit } nobody = 1 }
       END { if (nobody) print 65534 }' /proc/self/uid_map | head -n 1
}

# require_unprivileged: skip (77) the whole script when no unprivileged uid is mapped.
require_unprivileged() {
  UNPRIV_UID=$(unprivileged_uid)
  if [ -z "$UNPRIV_UID" ]; then
    echo "SKIP: only uid 0 is mapped in this user namespace (run-in-namespace must map an unprivileged uid too)"
    exit 77
  fi
  # The caller must reach the bus socket and the staged binaries through the test directory.
  chmod 0711 "$T"
}

# as_unprivileged CMD...: runs CMD with the unprivileged uid/gid and no supplementary groups.
as_unprivileged() {
  setpriv --reuid="$UNPRIV_UID" --regid="$UNPRIV_UID" --clear-groups --inh-caps=-all -- "$@"
}

# spawn_unprivileged PIDFILE CMD...: setpriv execs CMD, so the PID written is CMD's own and
# killing it stops CMD (a function run with & would leave CMD running under a subshell).
spawn_unprivileged() {
  local pidfile=$1
  shift
  setpriv --reuid="$UNPRIV_UID" --regid="$UNPRIV_UID" --clear-groups --inh-caps=-all -- "$@" &
  echo $! >"$pidfile"
}

_stop_pidfile() {
  local f=$1 pid _
  [ -e "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$f"
}
