#!/bin/bash
# Scenario G (issue 23): README's two commands on a newcomer's Debian 12, booted with systemd as
# PID 1 and its binfmt_misc automount in place, nothing of platformd's needs preinstalled. As a
# new user would: install git, clone, then exactly the two commands README gives, each timed.
# Then what the machine's own table holds: nothing of platformd's may be there.
# shellcheck source=tests/vm/scenarios/lib.sh
source /mnt/vmtest/lib.sh

automount_state() { systemctl show -p ActiveState --value proc-sys-fs-binfmt_misc.automount; }
mount_state() { systemctl show -p ActiveState --value proc-sys-fs-binfmt_misc.mount; }
# shellcheck disable=SC2317 # called through check
only_debian_entries() {
  local e n
  for e in /proc/sys/fs/binfmt_misc/*; do
    n=${e##*/}
    case $n in register | status) continue ;; esac
    [ -f "/usr/lib/binfmt.d/$n.conf" ] || { echo "unexpected entry $n"; return 1; }
  done
}
# shellcheck disable=SC2317 # called through check
kernel_at_least_6_7() {
  local v maj min
  v=$(uname -r)
  maj=${v%%.*}
  min=${v#*.}
  min=${min%%.*}
  [ "$maj" -gt 6 ] || { [ "$maj" = 6 ] && [ "$min" -ge 7 ]; }
}

log "the machine"
run cat /etc/debian_version
run uname -rm
run nproc
run free -m
check "Debian 12" grep -q '^12\.' /etc/debian_version
check "systemd is PID 1" test "$(cat /proc/1/comm)" = systemd
check "Linux >= 6.7 (bookworm-backports' kernel)" kernel_at_least_6_7
check "systemd's binfmt_misc automount is in place" test "$(automount_state)" = active
check "and nothing has triggered it yet" test "$(mount_state)" = inactive
check "git is not installed (a fresh machine)" sh -c '! command -v git'

log "network: DHCP on the NIC, as the installer sets it up"
mkdir -p /etc/systemd/network
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >/etc/systemd/network/80-dhcp.network
systemctl enable --now systemd-networkd >/dev/null 2>&1
echo 'nameserver 10.0.2.3' >/etc/resolv.conf  # qemu's user-mode DNS, what DHCP hands out
wait_for 60 sh -c "ip -4 addr | grep -q 10.0.2.15" >/dev/null
run ip -4 -brief addr

log "apt-get install git (what the newcomer does first)"
step apt-update apt-get -q update >/tmp/apt.out 2>&1 || { tail -20 /tmp/apt.out; bad "apt-get update"; }
step apt-git apt-get -q install -y git >>/tmp/apt.out 2>&1
check "git installed" command -v git

log "git clone"
cd /root || exit 1
run git clone -q /mnt/vmtest/platformd.git platformd
cd platformd || exit 1
run git log --oneline -1
# shellcheck disable=SC2016 # backquotes of Markdown, not a command substitution
run sed -n '/^```sh$/,/^```$/p' README.md

log "README's first command: bash scripts/demo.sh"
t0=$SECONDS
rc=0
step readme-demo bash scripts/demo.sh >"$OUT/demo.txt" 2>&1 || rc=$?
echo "bash scripts/demo.sh: exit $rc after $((SECONDS - t0)) s (output: demo.txt)"
tail -n 25 "$OUT/demo.txt"
check "bash scripts/demo.sh exits 0 ($((SECONDS - t0)) s)" test "$rc" = 0
echo "the automount after the demo: $(automount_state), its mount: $(mount_state)"

log "README's second command: bash scripts/test.sh"
t0=$SECONDS
rc=0
step readme-tests bash scripts/test.sh >"$OUT/test.txt" 2>&1 || rc=$?
echo "bash scripts/test.sh: exit $rc after $((SECONDS - t0)) s (output: test.txt)"
sed -n '/tests passed/,$p' "$OUT/test.txt" | head -30
check "bash scripts/test.sh exits 0 ($((SECONDS - t0)) s)" test "$rc" = 0
check "0 tests failed" grep -q '100% tests passed, 0 tests failed' "$OUT/test.txt"
check "0 tests skipped" sh -c "! grep -q 'Not Run\\|Skipped' '$OUT/test.txt'"

log "the machine's own binfmt_misc table afterwards"
# qemu-user-static's postinst (installed by the commands) restarts systemd-binfmt, which mounts
# the table and registers Debian's entries: that is Debian's doing, and the state every test
# ran in. platformd's tests must have left nothing in it.
echo "the automount: $(automount_state), its mount: $(mount_state)"
run systemctl show -p ActiveEnterTimestamp proc-sys-fs-binfmt_misc.mount
run journalctl -b -q --no-pager -u proc-sys-fs-binfmt_misc.mount -u systemd-binfmt.service | tail -n 12
run ls /proc/sys/fs/binfmt_misc
check "no platformd-* entry in the machine's table" sh -c '! ls /proc/sys/fs/binfmt_misc | grep -q "^platformd-"'
check "every entry there is one of Debian's /usr/lib/binfmt.d files" only_debian_entries
exit 0
