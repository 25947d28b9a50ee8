#!/bin/bash
# Scenario C (issue 13): Raspberry Pi OS 32-bit on a 64-bit kernel: the arm64 image's kernel
# with a Debian 12 armhf userland (boinc-client:armhf, qemu-user-static:armhf), -cpu
# cortex-a72 (which has AArch32). The armhf .deb installed as a user would.
# Expected: the host is reported as arm-unknown-linux-gnueabihf on an aarch64 kernel;
# aarch64 is proven native by its probe and advertised to BOINC as a native platform, with
# no translator and no binfmt_misc handler.
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

log "the guest"
run uname -a
run linux32 uname -m
run dpkg --print-architecture
dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' boinc-client qemu-user-static systemd
boot_time
echo "binfmt_misc entries at boot: $(entries | tr '\n' ' ')"
wait_for 120 boinc_up >/dev/null
echo "BOINC's platforms before: $(boinc_platforms | tr '\n' ' ')"
check "BOINC's primary platform is arm-unknown-linux-gnueabihf" test "$(boinc_platforms | head -1)" = arm-unknown-linux-gnueabihf

log "apt-get install ./platformd_*_armhf.deb"
step install run apt-get install -y "$V"/debs/platformd_*_armhf.deb >"$OUT/install.log" 2>&1
rc=$?
cat "$OUT/install.log"
check "apt-get install exits 0" test "$rc" = 0
check "platformd.service is active" systemctl is-active platformd

log "the host as platformd sees it"
run platformctl status
host=$(busctl --json=short call io.github.platformd1 /io/github/platformd1 io.github.platformd1.Broker GetHostInfo 2>&1)
echo "GetHostInfo: $host"
check "kernel architecture aarch64" json_true "$host" 'd["data"][0] == "aarch64"'
check "userland armhf, 32-bit" json_true "$host" 'd["data"][1:3] == [32, "armhf"]'
check "BOINC platform arm-unknown-linux-gnueabihf" json_true "$host" 'd["data"][3] == "arm-unknown-linux-gnueabihf"'
check "aarch64 among the native compat platforms (proven by its probe)" json_true "$host" '"aarch64" in d["data"][4]'

log "aarch64: native, advertised, no translator, no handler"
list=$(busctl --json=short call io.github.platformd1 /io/github/platformd1 io.github.platformd1.Broker ListPlatforms)
row=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps([r for r in d["data"][0] if r[0]=="aarch64"][0]))' "$list")
echo "ListPlatforms aarch64: $row"
check "aarch64 state native" json_true "$row" 'd[3] == "native"'
check "aarch64 has no translator and no handler" json_true "$row" 'd[5] == "" and d[6] == ""'
if ! has_alt aarch64-unknown-linux-gnu; then
  run platformctl enable aarch64
fi
check "cc_config.xml advertises aarch64-unknown-linux-gnu" has_alt aarch64-unknown-linux-gnu
check "no binfmt_misc entry for aarch64 (none of ours)" no_entry platformd-aarch64
check "no other entry matches an aarch64 ELF either" sh -c "! grep -l '^magic 7f454c460201010000000000000000000200b700' $B/* 2>/dev/null | grep -q ."
cp /usr/lib/platformd/probes/probe-aarch64 /tmp/p64
check "a static aarch64 program runs natively (uname aarch64, no emulator)" sh -c '/tmp/p64 | grep -qx "uname aarch64"'
wait_for 120 boinc_up >/dev/null
echo "BOINC's platforms: $(boinc_platforms | tr '\n' ' ')"
check "get_state lists aarch64-unknown-linux-gnu" boinc_lists aarch64-unknown-linux-gnu
cat "$CC"
echo "binfmt_misc entries now: $(entries | tr '\n' ' ')"
run systemctl show -p StatusText platformd
systemd-analyze security --no-pager platformd.service >"$OUT/security.txt" 2>&1
tail -1 "$OUT/security.txt"
finish
