# Issue 12, class 1: the boinc user swaps a directory for a symlink between platformd's check of
# cc_config.xml's path and its write, timed by the GUI RPC connection that follows the check.
# The attacker is a real unprivileged uid that owns the data directory (lib/attacker.sh).
#
# The attack, three ways in (platformctl enable, platformctl reconcile, the daemon's reconcile
# on a cc_config.xml change): DATA/cc_config.xml -> sub/NAME with sub a directory of the
# data directory; when platformd connects to 127.0.0.1:PORT, the attacker replaces sub with a
# symlink to a root-owned directory (VICTIM, standing for /etc; the state directory, standing
# for /var/lib/platformd). The old build then created VICTIM/ld.so.preload (and, from the
# daemon, STATE/enabled-before-removal) as boinc:boinc 0664. Nothing may be created or changed
# outside the data directory, and the command must say why it refused.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/attacker.sh"

attacker_setup
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }

# The link into a subdirectory the attacker owns; what the check sees is inside the data dir.
plant_link() {
  local name=$1
  as_boinc sh -c "rm -rf '$B/sub' '$B/sub.real' '$B/cc_config.xml' && mkdir '$B/sub' && ln -s 'sub/$name' '$B/cc_config.xml'"
}
# At accept: the subdirectory becomes a symlink to $1.
swap_to() { echo "mv '$B/sub' '$B/sub.real' && ln -s '$1' '$B/sub'"; }

# expect_no_escape LABEL NAME DIR: after an attack on DIR/NAME.
expect_no_escape() {
  local label=$1 name=$2 dir=$3
  outside_snapshot "$T/after"
  check "$label: nothing created or changed outside the data directory" same_outside "$T/before" "$T/after"
  check "$label: no $dir/$name" test ! -e "$dir/$name"
  if [ -e "$dir/$name" ]; then
    echo "measured: $dir/$name created, $(stat -c '%U:%G %a' "$dir/$name")"
    if as_boinc sh -c "echo written-by-boinc >>'$dir/$name'" 2>/dev/null; then
      echo "measured: the boinc user then wrote into $dir/$name"
    fi
  fi
}

# 1. platformctl enable.
outside_snapshot "$T/before"
plant_link ld.so.preload
attacker_arm "$port" 0 "$(swap_to "$VICTIM")"
set +e
timeout 300 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" enable aarch64 >"$T/out" 2>"$T/err"
rc=$?
set -e
echo "measured: enable exited $rc; swap at accept: $(attacker_swapped && echo yes || echo 'no (no connection)')"
attacker_stop
expect_no_escape "enable" ld.so.preload "$VICTIM"
check "enable: refused (exit 7)" test "$rc" = 7
check "enable: says the directory could be replaced" grep -q "could be replaced by another user" "$T/err"
cat "$T/err" >&2

# 2. platformctl reconcile (postinst and the qemu-user-static trigger run it): aarch64 is
#    enabled with a cc_config.xml the attacker may edit; then the attacker plants the link.
as_boinc rm -rf "$B/sub" "$B/sub.real" "$B/cc_config.xml"
expect_exit 0 pctl enable aarch64
outside_snapshot "$T/before"
plant_link ld.so.preload
attacker_arm "$port" 0 "$(swap_to "$VICTIM")"
set +e
timeout 300 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" reconcile >"$T/out" 2>"$T/err"
rc=$?
set -e
echo "measured: reconcile exited $rc; swap at accept: $(attacker_swapped && echo yes || echo 'no (no connection)')"
attacker_stop
expect_no_escape "reconcile" ld.so.preload "$VICTIM"
check "reconcile: fails (non-zero)" test "$rc" != 0
check "reconcile: says the directory could be replaced" grep -q "could be replaced by another user" "$T/out" "$T/err"

# 3. The daemon, which reconciles when the boinc user changes cc_config.xml; the target is the
#    state directory, where postinst reads enabled-before-removal and feeds it to a root command.
as_boinc rm -rf "$B/sub" "$B/sub.real" "$B/cc_config.xml"
expect_exit 0 pctl reconcile
dbus_start
PLATFORMD_GUI_RPC_PORT=$port platformd_start
outside_snapshot "$T/before"
attacker_arm "$port" 0 "$(swap_to "$PLATFORMD_STATE_DIR")"
plant_link enabled-before-removal
# The daemon notices the change (inotify), reconciles, checks, connects: the swap. Or refuses.
wait_for 60 sh -c "test -e '$ATTACK/swapped' || grep -q 'could be replaced by another user' '$DAEMON_LOG'" || true
sleep 2  # the write, if any, follows the connection at once
echo "measured: daemon swap at accept: $(attacker_swapped && echo yes || echo 'no (no connection)')"
attacker_stop
expect_no_escape "daemon" enabled-before-removal "$PLATFORMD_STATE_DIR"
check "daemon: logs why it refused" grep -q "could be replaced by another user" "$DAEMON_LOG"
check "daemon: still serves" bus_call ListPlatforms
platformd_stop
finish
