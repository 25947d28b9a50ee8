#!/bin/bash
# Scenario D (issue 13): a CPU without AArch32 (-cpu a64fx, -M virt,gic-version=3), Debian 12
# arm64 userland. Expected: a static armhf program fails with ENOEXEC, so armhf is not
# native; platformd offers it through qemu-arm, and enabling it makes armhf programs run.
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

log "the guest"
run uname -a
grep -m1 -i 'features' /proc/cpuinfo
dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' boinc-client qemu-user-static systemd
boot_time
echo "binfmt_misc entries at boot: $(entries | tr '\n' ' ')"

log "a static armhf program on this CPU, before platformd"
mkdir -p /tmp/deb && dpkg-deb -x "$V"/debs/platformd_*_arm64.deb /tmp/deb
cp /tmp/deb/usr/lib/platformd/probes/probe-armhf /tmp/p32
file /tmp/p32
if [ -e "$B/qemu-arm" ]; then echo "(Debian's qemu-arm is registered: disabled for this one check)"; echo 0 >"$B/qemu-arm"; fi
err=$(python3 -c 'import os
try:
    os.execv("/tmp/p32", ["/tmp/p32"])
except OSError as e:
    print(e.errno, os.strerror(e.errno))' 2>&1)
echo "execve(/tmp/p32): $err"
check "execve of a static armhf ELF fails with ENOEXEC" contains "$err" '^8 Exec format error'
[ -e "$B/qemu-arm" ] && echo 1 >"$B/qemu-arm"

log "apt-get install ./platformd_*_arm64.deb"
step install run apt-get install -y "$V"/debs/platformd_*_arm64.deb >"$OUT/install.log" 2>&1
rc=$?
cat "$OUT/install.log"
check "apt-get install exits 0" test "$rc" = 0
check "platformd.service is active" systemctl is-active platformd
run platformctl status
host=$(busctl --json=short call io.github.platformd1 /io/github/platformd1 io.github.platformd1.Broker GetHostInfo 2>&1)
echo "GetHostInfo: $host"
check "armhf is not among the native compat platforms" json_true "$host" '"armhf" not in d["data"][4]'
list=$(busctl --json=short call io.github.platformd1 /io/github/platformd1 io.github.platformd1.Broker ListPlatforms)
row=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps([r for r in d["data"][0] if r[0]=="armhf"][0]))' "$list")
echo "ListPlatforms armhf: $row"
check "armhf is offered as an emulated platform (not native)" json_true "$row" 'd[3] in ("available", "emulated")'
check "... through qemu-arm" json_true "$row" '"qemu-arm" in d[5]'

log "platformctl enable armhf"
step enable-armhf run platformctl enable armhf
check "platformctl enable armhf exits 0" test $? = 0
check "armhf served by a handler" sh -c "grep -qx enabled $B/platformd-armhf 2>/dev/null || grep -qx enabled $B/qemu-arm"
cat "$B"/platformd-armhf "$B"/qemu-arm 2>/dev/null | grep -E '^(interpreter|flags)'
check "cc_config.xml lists arm-unknown-linux-gnueabihf" has_alt arm-unknown-linux-gnueabihf
check "the armhf program now runs, emulated (uname armv7l)" sh -c '/tmp/p32 | grep -qx "uname armv7l"'
/tmp/p32
wait_for 120 boinc_up >/dev/null
echo "BOINC's platforms: $(boinc_platforms | tr '\n' ' ')"
check "get_state lists arm-unknown-linux-gnueabihf" boinc_lists arm-unknown-linux-gnueabihf
run platformctl status
finish
