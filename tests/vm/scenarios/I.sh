#!/bin/bash
# Scenario I (issue 22): the emulating arm64 board against a real BOINC server. An arm64 kernel
# with a Debian 12 arm64 userland and boinc-client (B's image) installs the package and runs
# `platformctl enable x86_64` (default policy); it reaches the project of tests/server/ on the
# host through QEMU's user-mode network (10.0.2.2 is the loopback of the namespace the server
# runs in: tests/server/run.sh board starts this scenario), attaches with an account of its
# own, computes the x86_64 (and aarch64) tasks the scheduler sends it, and reports them. What
# the server decided (app versions, validation, credit) is read from its database on the host.
# One boot.
here=$(dirname "$0")
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck disable=SC1091 # written by the host: SERVER_URL, SERVER_NAME
. "$V/params"
boinccmd_() { (cd /var/lib/boinc-client && boinccmd --passwd "$(cat /etc/boinc-client/gui_rpc_auth.cfg)" "$@"); }
JOBLOG=/var/lib/boinc-client/job_log_${SERVER_NAME}_test.txt
# shellcheck disable=SC2317 # called through wait_for
jobs_done() { [ "$(wc -l <"$JOBLOG" 2>/dev/null || echo 0)" -ge "$1" ]; }
# shellcheck disable=SC2317 # called through wait_for
nothing_left() { ! boinccmd_ --get_tasks | grep -q '^   name: '; }

log "the guest"
run uname -a
dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' boinc-client qemu-user-static systemd
boot_time

log "network: DHCP on the NIC (QEMU's user-mode network), the project's name on its gateway"
mkdir -p /etc/systemd/network
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n' >/etc/systemd/network/80-dhcp.network
systemctl enable --now systemd-networkd >/dev/null 2>&1
# (This image has no iproute2: the kernel's own table says when DHCP gave the address.)
wait_for 60 grep -q 10.0.2.15 /proc/net/fib_trie >/dev/null
echo "10.0.2.2 $SERVER_NAME" >>/etc/hosts
run networkctl --no-pager status
check "the project's master page answers (its scheduler URL)" bash -c "exec 3<>/dev/tcp/10.0.2.2/80 && printf 'GET /test/ HTTP/1.0\r\nHost: $SERVER_NAME\r\n\r\n' >&3 && grep -q scheduler <&3"

log "apt-get install ./platformd_*_arm64.deb; platformctl enable x86_64"
step install run apt-get install -y "$V"/debs/platformd_*_arm64.deb >"$OUT/install.log" 2>&1
check "apt-get install exits 0" test "$?" = 0
# As a board owner would for a test: run whatever the load, report at once.
cat >/var/lib/boinc-client/global_prefs_override.xml <<'XML'
<global_preferences>
  <run_if_user_active>1</run_if_user_active>
  <suspend_cpu_usage>0</suspend_cpu_usage>
  <cpu_usage_limit>100</cpu_usage_limit>
  <max_ncpus_pct>100</max_ncpus_pct>
  <work_buf_min_days>0.01</work_buf_min_days>
</global_preferences>
XML
chown boinc:boinc /var/lib/boinc-client/global_prefs_override.xml
step enable-x86_64 run platformctl enable x86_64
rc=$?
check "platformctl enable x86_64 exits 0 with the default policy" test "$rc" = 0
[ "$rc" = 0 ] || run platformctl enable --allow-slow x86_64
run platformctl status
wait_for 120 boinc_up >/dev/null
check "get_state lists x86_64-pc-linux-gnu" boinc_lists x86_64-pc-linux-gnu

log "attach to the project: $SERVER_URL"
key=$(boinccmd_ --create_account "$SERVER_URL" board@example.org secret board | sed -n 's/^account key: //p')
check "an account was created (create_account.php)" test -n "$key"
run boinccmd_ --project_attach "$SERVER_URL" "$key"
s=$(cut -d' ' -f1 /proc/uptime)
secs=$(wait_for 1800 jobs_done "${BOARD_TASKS:-3}")
check "the board finished ${BOARD_TASKS:-3} tasks (${secs:-timeout} s after attaching)" test -n "$secs"
run boinccmd_ --project "$SERVER_URL" update
wait_for 300 nothing_left >/dev/null
e=$(cut -d' ' -f1 /proc/uptime)
awk -v s="$s" -v e="$e" 'BEGIN { printf "tasks boot1 %.1f\n", e - s }' >>"$OUT/steps"
check "every task reported (none left in the client)" nothing_left
run cat "$JOBLOG"
echo "--- the client's messages about the project"
boinccmd_ --get_messages 0 | grep -iE 'test|x86_64|task|sched|work|plan|avx' | tail -40 | tee "$OUT/messages.txt"
log "what status tells the owner (issue 22, item 4: uptake)"
platformctl status | tee "$OUT/status-after.txt"
# The plain x86_64 version, never the avx one; and why.
check "status: the x86_64 tasks came with fpapp's plain version only" \
  grep -q "^  x86_64 from platformd test project: .*reported in the last hour; versions received: fpapp 1.00$" "$OUT/status-after.txt"
check "status: its scheduler's last reply" grep -q "^    last scheduler reply .*: got 0 new tasks" "$OUT/status-after.txt"
check "status: why versions with SSE/AVX plan classes never come to this host" \
  grep -q "none of them x86: versions with an SSE or AVX plan class are never sent to it" "$OUT/status-after.txt"
# The client's replies, kept for the unit tests' data (tests/data/boinc/server/*_board.xml).
rpc() {
  local reply
  exec 3<>/dev/tcp/127.0.0.1/31416 || return 1
  printf '<boinc_gui_rpc_request>\n%s\n</boinc_gui_rpc_request>\n\003' "$1" >&3
  IFS= read -r -d $'\003' -t 20 reply <&3
  exec 3>&-
  printf '%s' "$reply"
}
rpc '<get_state/>' >"$OUT/get_state_board.xml"
rpc '<get_messages><seqno>0</seqno></get_messages>' >"$OUT/get_messages_board.xml"
rpc '<get_old_results/>' >"$OUT/get_old_results_board.xml"
finish
