#!/bin/bash
# Scenario F (issue 15), guest side: one board of a fleet. The host (tests/vm/run.sh F) boots
# two guests at once, an amd64 and an arm64 one, each with a user-mode network whose port 22 is
# forwarded from a loopback port on the host, and configures both with one ansible-playbook
# run over SSH. This script only makes the guest reachable: the static address slirp expects,
# the host's public key for root, sshd; then it waits until the host writes share/done (the
# playbooks ran) and powers the guest off. Everything the playbook does is the host's to check.
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"

log "the guest"
run uname -a
boot_time
log "network: 10.0.2.15/24 on the user-mode NIC (systemd-networkd), sshd"
mkdir -p /etc/systemd/network
cat >/etc/systemd/network/80-vmtest.network <<'NET'
[Match]
Type=ether
[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
NET
run systemctl restart systemd-networkd
install -d -m 0700 /root/.ssh
install -m 0600 "$V/authorized_keys" /root/.ssh/authorized_keys
run systemctl restart ssh
check "sshd is active" systemctl is-active ssh
wait_for 60 sh -c "networkctl status 2>/dev/null | grep -q '10.0.2.15'" >/dev/null
run networkctl status --no-pager
check "the NIC has 10.0.2.15" sh -c "networkctl status --no-pager | grep -q 10.0.2.15"
touch "$OUT/ready"
log "ready; waiting for the host's playbooks (share/done)"
secs=$(wait_for "${FLEET_WAIT:-3000}" test -e "$V/done")
check "the host said done (${secs:-timeout} s)" test -n "$secs"
run platformctl status
finish
