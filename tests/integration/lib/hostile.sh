# Helpers for the hostile-local-user tests (issue 12): the attacker runs as the unprivileged
# test user (lib/unprivileged.sh), so the sockets and files it makes are really not root's.
# Source after common.sh.

source "$(dirname "${BASH_SOURCE[0]}")/unprivileged.sh"

# The attacker's uid (lib/unprivileged.sh); skips (77) when no unprivileged user is mapped.
hostile_uid() {
  require_unprivileged
  echo "$UNPRIV_UID"
}

# A directory the attacker can read and write ($T itself is root's, 0700).
hostile_dir() {
  local d=$T/hostile
  if [ ! -d "$d" ]; then
    chmod 0711 "$T"
    mkdir -m 0777 "$d"
  fi
  echo "$d"
}

# fake_rpc_start PORT REPLY_FILE|REPLY_DIR: the attacker's GUI RPC peer on 127.0.0.1:PORT,
# answering every request with REPLY_FILE, or with REPLY_DIR/<request>.xml (lib/fake_gui_rpc.py).
# Requests are logged to $(hostile_dir)/rpc.log. Waits until it listens.
fake_rpc_start() {
  local port=$1 reply=$2 d
  d=$(hostile_dir)
  rm -rf "$d/reply"
  cp -r "$reply" "$d/reply"
  chmod -R a+rX "$d/reply"
  : >"$d/rpc.log"
  chmod 0666 "$d/rpc.log"
  require_unprivileged
  spawn_unprivileged "$T/.pid-fake-rpc" env -i PATH=/usr/bin:/bin /usr/bin/python3 \
    "$PLATFORMD_SOURCE_DIR/tests/integration/lib/fake_gui_rpc.py" "$port" "$d/reply" "$d/rpc.log" \
    </dev/null >"$d/rpc.err" 2>&1
  for _ in $(seq 1 100); do
    grep -q ready "$d/rpc.log" && return 0
    sleep 0.1
  done
  cat "$d/rpc.err" >&2
  fail "the fake GUI RPC peer did not start"
}

fake_rpc_stop() { _stop_pidfile "$T/.pid-fake-rpc"; }

# fake_rpc_requests: how many requests the fake peer answered.
fake_rpc_requests() { grep -c '^request' "$(hostile_dir)/rpc.log" || true; }

# listener_uid PORT: the uid owning the socket that listens on 127.0.0.1:PORT (/proc/net/tcp:
# local address in hex, state 0A = LISTEN, uid in the 8th column).
listener_uid() {
  local hex
  hex=$(printf '0100007F:%04X' "$1")
  awk -v a="$hex" '$2 == a && $4 == "0A" { print $8; exit }' /proc/net/tcp
}
