#!/bin/bash
# Scenario H (issue 21): emulation for BOINC alone on a booted Debian 13 arm64 board (kernel
# 6.12: binfmt_misc per user namespace), with box64's entry claiming x86_64 ELF for the whole
# machine (box64 0.3.4, /usr/lib/binfmt.d/box64.conf) and qemu-user 10.0, boinc-client 8.x and
# platformd's Debian 13 package, whose boinc-client.service drop-in starts the client through
# platformd-boinc-launch.
#
# Expected: `enable --scope boinc x86_64` verifies qemu-x86_64 in a scratch namespace and
# leaves the machine's table as it is (box64's entry enabled, no platformd entry); the client,
# restarted through the launcher, runs in a user namespace of its own whose binfmt_misc
# instance holds platformd-x86_64: a static x86_64 program run there (as the boinc user, in the
# client's namespaces) runs under qemu, while outside box64's entry still takes it (and, box64
# running no static program, fails it); BOINC lists x86_64; status says scope boinc, emulated,
# with the client's PID. A handler removed from BOINC's instance is put back by the daemon.
# Boot 2: the same after a reboot; an upgrade (reinstall) and a removal with reinstallation keep
# the scope. Then disable: the client runs as before, without a namespace.
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"
# The client the launcher started: the main process's child (the launcher stays as the main
# process while a platform is scoped to BOINC).
client_pid() { cut -d' ' -f1 /run/platformd-boinc/client 2>/dev/null; }
in_client() { # in_client COMMAND...: in the client's user and mount namespaces, as the boinc user
  local pid
  pid=$(client_pid)
  [ -n "$pid" ] || return 1
  nsenter -t "$pid" -U -m --preserve-credentials setpriv --reuid=boinc --regid=boinc --init-groups -- "$@"
}
instance() { echo "/proc/$(client_pid)/root/run/platformd-boinc/binfmt"; }
# shellcheck disable=SC2317 # called through check
x86_64_is() { # x86_64_is STATE SCOPE
  platformctl --json status | python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(sys.stdin)["platforms"]}["x86_64"]
print(p["state"], p["scope"], p["reason"])
sys.exit(0 if (p["state"], p["scope"]) == (sys.argv[1], sys.argv[2]) else 1)' "$1" "$2"
}
box64_before=""

common_checks() {
  check "box64's entry is enabled, as the owner set it up" has_entry box64
  check "no platformd entry in the machine's table" sh -c "! ls $B | grep -q '^platformd-'"
  wait_for 120 sh -c 'test -s /run/platformd-boinc/client' >/dev/null
  check "the launcher recorded the client (/run/platformd-boinc/client)" test -s /run/platformd-boinc/client
  local pid main
  pid=$(client_pid)
  main=$(boinc_pid)
  echo "boinc-client.service: main PID $main ($(readlink /proc/"$main"/exe)), the client PID $pid ($(readlink /proc/"$pid"/exe), user $(stat -c %U /proc/"$pid"))"
  echo "user namespaces: the client's $(readlink /proc/"$pid"/ns/user), PID 1's $(readlink /proc/1/ns/user)"
  check "the service's main process is platformd-boinc-launch" sh -c "readlink /proc/$main/exe | grep -q platformd-boinc-launch"
  check "the client runs as the boinc user" test "$(stat -c %U /proc/"$pid")" = boinc
  check "the client has a user namespace of its own" test "$(readlink /proc/"$pid"/ns/user)" != "$(readlink /proc/1/ns/user)"
  run cat /proc/"$pid"/uid_map
  check "...with the identity mapping" grep -qE '^ +0 +0 +4294967295$' /proc/"$pid"/uid_map
  run sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -E '^(HOME|USER|LOGNAME)='"
  check "the client's HOME is the boinc user's" sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx HOME=/var/lib/boinc-client"
  run ls "$(instance)"
  check "BOINC's instance holds platformd-x86_64" grep -qx enabled "$(instance)/platformd-x86_64"
  check "...and nothing of box64's" test ! -e "$(instance)/box64"
  out=$(in_client "$P64" 2>&1)
  echo "in BOINC's namespace: exit $?: $(echo "$out" | head -2 | tr '\n' ' ')"
  check "a static x86_64 program runs in BOINC's namespace (qemu-x86_64)" sh -c "$(declare -f in_client client_pid); in_client $P64 >/dev/null 2>&1"
  check "outside, box64's entry still takes it (and fails it: box64 runs no static program)" \
    test "$("$P64" >/dev/null 2>&1; echo $?)" != 0
  check "box64's entry is unchanged" test "$(cat "$B/box64")" = "$box64_before"
  wait_for 120 boinc_up >/dev/null
  echo "BOINC's platforms: $(boinc_platforms | tr '\n' ' ')"
  check "get_state lists x86_64-pc-linux-gnu" boinc_lists x86_64-pc-linux-gnu
  check "status: x86_64 emulated, scope boinc" x86_64_is emulated boinc
}

boot1() {
  board_intro
  check "box64's entry was registered at boot" has_entry box64
  box64_before=$(cat "$B/box64")
  echo "$box64_before" >/var/tmp/box64-before
  extract_deb
  check "outside BOINC, box64's entry takes static x86_64 programs (and fails them)" \
    test "$("$P64" >/dev/null 2>&1; echo $?)" != 0

  log "apt-get install ./platformd_*_arm64.deb"
  step install run apt-get install -y "$V"/debs/platformd_*_arm64.deb >"$OUT/install.log" 2>&1
  rc=$?
  tail -n 15 "$OUT/install.log"
  check "apt-get install exits 0" test "$rc" = 0
  run systemctl cat boinc-client.service
  wait_for 120 boinc_up >/dev/null
  check "boinc-client is active" systemctl is-active boinc-client

  log "platformctl enable --scope boinc x86_64"
  step enable-scope platformctl enable --scope boinc x86_64 >"$OUT/enable.out" 2>&1
  rc=$?
  cat "$OUT/enable.out"
  check "enable --scope boinc x86_64 exits 0" test "$rc" = 0
  check "it says the scope" grep -q "for BOINC's tasks alone (scope boinc)" "$OUT/enable.out"
  common_checks
  run platformctl status

  log "the daemon heals BOINC's instance (a handler removed there)"
  echo -1 >"$(instance)/platformd-x86_64"
  check "removed" test ! -e "$(instance)/platformd-x86_64"
  run platformctl status
  systemctl reload platformd
  secs=$(wait_for 60 test -e "$(instance)/platformd-x86_64")
  check "the daemon put it back (reload: ${secs:-not within 60} s)" test -e "$(instance)/platformd-x86_64"
  journalctl -b -u platformd --no-pager | grep -i "BOINC's instance" | tail -3
  check "status: x86_64 emulated again" x86_64_is emulated boinc
  reboot_next
}

boot2() {
  log "after the reboot"
  boot_time
  box64_before=$(cat /var/tmp/box64-before)
  check "platformd.service is active" systemctl is-active platformd
  common_checks
  journalctl -b -u boinc-client --no-pager | grep platformd-boinc-launch | tail -5

  # Upgrade and removal keep the scope (issue 21). The package test's root is a chroot, where
  # no user namespace can be made (unshare: EPERM), so this is where it is shown.
  log "an upgrade (the same package again: postinst configure with the installed version) keeps the scope"
  step reinstall apt-get install -y --reinstall "$V"/debs/platformd_*_arm64.deb >"$OUT/reinstall.log" 2>&1
  check "apt-get install --reinstall exits 0" test "$?" = 0
  wait_for 120 boinc_up >/dev/null
  check "x86_64 still emulated, scope boinc" x86_64_is emulated boinc
  check "no platformd entry in the machine's table" sh -c "! ls $B | grep -q '^platformd-'"

  log "remove (not purge), then install again: each platform comes back in its scope"
  step remove apt-get remove -y platformd >"$OUT/remove.log" 2>&1
  check "apt-get remove exits 0" test "$?" = 0
  run cat /var/lib/platformd/enabled-before-removal /var/lib/platformd/boinc-scope-before-removal
  check "prerm saved x86_64 as scoped to BOINC" grep -qx x86_64 /var/lib/platformd/boinc-scope-before-removal
  step install-again apt-get install -y "$V"/debs/platformd_*_arm64.deb >"$OUT/install-again.log" 2>&1
  check "apt-get install exits 0" test "$?" = 0
  grep -E "^platformd:|scope" "$OUT/install-again.log" | tail -5
  wait_for 120 boinc_up >/dev/null
  secs=$(wait_for 120 x86_64_is emulated boinc)
  check "x86_64 enabled again with scope boinc, emulated (${secs:-not within 120} s)" x86_64_is emulated boinc
  check "box64's entry is enabled and unchanged" test "$(cat "$B/box64")" = "$box64_before"

  log "platformctl disable x86_64"
  step disable platformctl disable x86_64 >"$OUT/disable.out" 2>&1
  rc=$?
  cat "$OUT/disable.out"
  check "disable x86_64 exits 0" test "$rc" = 0
  systemctl restart boinc-client
  wait_for 120 boinc_up >/dev/null
  main=$(boinc_pid)
  echo "boinc-client.service: main PID $main ($(readlink /proc/"$main"/exe), user $(stat -c %U /proc/"$main"))"
  check "with nothing scoped to BOINC, the launcher execs the client in place" \
    sh -c "readlink /proc/$main/exe | grep -qx /usr/bin/boinc"
  check "...as the boinc user" test "$(stat -c %U /proc/"$main")" = boinc
  check "...in the machine's user namespace" test "$(readlink /proc/"$main"/ns/user)" = "$(readlink /proc/1/ns/user)"
  check "no record is left" test ! -e /run/platformd-boinc/client
  check "box64's entry is enabled and unchanged" test "$(cat "$B/box64")" = "$box64_before"
  check "no platformd entry in the machine's table" sh -c "! ls $B | grep -q '^platformd-'"
  finish
}

case "$BOOT" in
  1) boot1 ;;
  2) boot2 ;;
  *) bad "unexpected boot $BOOT"; exit 1 ;;
esac
