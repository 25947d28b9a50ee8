#!/bin/bash
# Scenario E (issue 14): a stock Debian 13 arm64 board with qemu-user 10.0 (static binaries as
# /usr/bin/qemu-*, no binfmt entries: qemu-user-binfmt is not installed), box64 0.3.4 (whose
# /usr/lib/binfmt.d/box64.conf claims x86_64 ELF at every boot, with no flags) and
# boinc-client 8.x, and platformd's Debian 13 package.
#
# Expected: box64's entry claims x86_64 and does not verify (box64 runs no static program), so
# `platformctl enable x86_64` is refused and names the better candidate and --take-over;
# `verify --translator /usr/bin/box64` shows why box64 is no candidate and what it does with
# dynamic programs under platformd's rc block; `enable --take-over x86_64` disables box64's
# entry, registers qemu-x86_64, shows the candidate table and the choice, and BOINC lists
# x86_64. Boot 2: systemd-binfmt registered box64 anew, platformd disabled it again; disable
# gives box64's entry back.
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

boot1() {
  board_intro
  echo "binfmt_misc entries at boot: $(entries | tr '\n' ' ')"
  check "box64's entry was registered at boot (systemd-binfmt, /usr/lib/binfmt.d/box64.conf)" has_entry box64
  run cat "$B/box64"
  check "no qemu-x86_64 entry (qemu-user 10.0 registers none)" no_entry qemu-x86_64
  wait_for 120 boinc_up >/dev/null
  echo "BOINC's platforms before: $(boinc_platforms | tr '\n' ' ')"

  log "a static x86_64 program under box64's entry, before platformd"
  extract_deb
  file "$P64"
  out=$("$P64" 2>&1)
  echo "exit $?: $out" | head -5
  check "box64's entry does not run static x86_64 programs" test "$("$P64" >/dev/null 2>&1; echo $?)" != 0

  log "apt-get install ./platformd_*_arm64.deb (Debian 13 build; postinst tries x86_64 i686)"
  step install run apt-get install -y "$V"/debs/platformd_*_arm64.deb >"$OUT/install.log" 2>&1
  rc=$?
  cat "$OUT/install.log"
  check "apt-get install exits 0" test "$rc" = 0
  check "platformd.service is active" systemctl is-active platformd
  run dpkg-query -W -f '${Package} ${Version} ${Depends}\n' platformd
  run platformctl status
  # On this board (Linux 6.12, the package's drop-in) the default scope is boinc: postinst's
  # enable of x86_64 left box64's entry alone (scenario H is about that scope). This scenario is
  # about the machine's table: x86_64 goes back to not enabled, then --scope global.
  check "postinst enabled x86_64 for BOINC alone (the default scope here)" \
    sh -c "platformctl --json status | grep -q '\"scope\": \"boinc\"'"
  check "box64's entry is untouched by the installation" has_entry box64
  run platformctl disable x86_64
  log "platformctl enable --scope global x86_64 (box64's entry claims the magic)"
  step enable-refused platformctl enable --scope global x86_64 >"$OUT/enable1.out" 2>&1
  rc=$?
  cat "$OUT/enable1.out"
  check "enable x86_64 is refused while box64's entry does not verify (exit $rc)" test "$rc" != 0
  check "the refusal names box64's entry" grep -q "entry 'box64'" "$OUT/enable1.out"
  check "it names the better candidate, qemu-user" grep -q "Better: .*qemu-user" "$OUT/enable1.out"
  check "it says how to hand the magic over (--take-over)" grep -q -- "--take-over" "$OUT/enable1.out"
  check "box64's entry is untouched" has_entry box64

  log "platformctl verify --translator /usr/bin/box64 x86_64"
  step verify-box64 platformctl verify --translator /usr/bin/box64 x86_64 >"$OUT/verify-box64.out" 2>&1
  cat "$OUT/verify-box64.out"
  check "box64 fails the static probe" grep -qi "status 128\|CALL to 0x0\|static" "$OUT/verify-box64.out"
  check "its dynamic probe ran with platformd's settings and has a verdict" grep -q "dynamic probe" "$OUT/verify-box64.out"
  check "no .box64rc was left in the BOINC home by a verification" test ! -e /var/lib/boinc-client/.box64rc

  log "the dynamic probe under box64 with and without platformd's rc block (direct)"
  home=$(mktemp -d)
  run env HOME="$home" box64 /var/tmp/deb/usr/lib/platformd/probes/probe-x86_64-dynamic fp >"$OUT/box64-fp-default.txt" 2>&1
  printf '[**]\nBOX64_DYNAREC_FASTNAN=0\nBOX64_DYNAREC_FASTROUND=0\nBOX64_DYNAREC_X87DOUBLE=0\n' >"$home/.box64rc"
  run env HOME="$home" box64 /var/tmp/deb/usr/lib/platformd/probes/probe-x86_64-dynamic fp >"$OUT/box64-fp-rc.txt" 2>&1
  echo "lines differing between the two fingerprints: $(diff "$OUT/box64-fp-default.txt" "$OUT/box64-fp-rc.txt" | grep -c '^<')"
  check "platformd's rc settings change box64's results (the rc file takes effect)" \
    sh -c "! cmp -s $OUT/box64-fp-default.txt $OUT/box64-fp-rc.txt"

  log "platformctl enable --scope global --take-over x86_64"
  step enable-take-over platformctl enable --scope global --take-over x86_64 >"$OUT/enable2.out" 2>&1
  rc=$?
  cat "$OUT/enable2.out"
  check "enable --take-over x86_64 exits 0" test "$rc" = 0
  check "the candidate table names box64 as no candidate" grep -q "candidate box64 .*not a candidate" "$OUT/enable2.out"
  check "a qemu-user 10.0 binary was chosen" grep -qE "enabled with /usr/bin/qemu-x86_64(-static)? " "$OUT/enable2.out"
  check "it says it took over from box64's entry" grep -q "took over from entry 'box64'" "$OUT/enable2.out"
  check "box64's entry is disabled, not removed" sh -c "test -e $B/box64 && grep -qx disabled $B/box64"
  check "platformd-x86_64 serves x86_64" has_entry platformd-x86_64
  run cat "$B/platformd-x86_64"
  out=$("$P64" 2>&1)
  echo "$out" | head -3
  check "a static x86_64 program now runs" test "$("$P64" >/dev/null 2>&1; echo $?)" = 0
  run platformctl status
  check "cc_config.xml lists x86_64-pc-linux-gnu" has_alt x86_64-pc-linux-gnu
  wait_for 120 boinc_up >/dev/null
  echo "BOINC's platforms: $(boinc_platforms | tr '\n' ' ')"
  check "get_state lists x86_64-pc-linux-gnu" boinc_lists x86_64-pc-linux-gnu
  check "no box64 rc block was written (box64 is not what serves x86_64)" test ! -e /var/lib/boinc-client/.box64rc
  reboot_next
}

boot2() {
  log "after the reboot"
  boot_time
  check "platformd.service is active" systemctl is-active platformd
  echo "binfmt_misc entries: $(entries | tr '\n' ' ')"
  # Every D-Bus call reconciles first; systemd-binfmt may have run after the daemon's own start.
  wait_for 60 sh -c "platformctl status >/dev/null 2>&1; grep -qx disabled $B/box64" >/dev/null
  check "box64's entry (registered anew by systemd-binfmt) is disabled again" grep -qx disabled "$B/box64"
  check "platformd-x86_64 serves x86_64" has_entry platformd-x86_64
  check "a static x86_64 program runs" test "$("$P64" >/dev/null 2>&1; echo $?)" = 0
  wait_for 120 boinc_up >/dev/null
  check "get_state lists x86_64-pc-linux-gnu" boinc_lists x86_64-pc-linux-gnu
  journalctl -b -u platformd --no-pager | tail -15
  # i686 through qemu-i386 was enabled by postinst with no speed shown: why.
  run platformctl verify i686

  log "platformctl disable x86_64"
  step disable platformctl disable x86_64 >"$OUT/disable.out" 2>&1
  rc=$?
  cat "$OUT/disable.out"
  check "disable x86_64 exits 0" test "$rc" = 0
  wait_for 60 no_entry platformd-x86_64 >/dev/null
  check "platformd-x86_64 is gone" no_entry platformd-x86_64
  check "box64's entry is given back (enabled)" has_entry box64
  check "cc_config.xml no longer lists x86_64-pc-linux-gnu" no_alt x86_64-pc-linux-gnu
  finish
}

case "$BOOT" in
  1) boot1 ;;
  2) boot2 ;;
  *) bad "unexpected boot $BOOT"; exit 1 ;;
esac
