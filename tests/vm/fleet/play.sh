#!/bin/bash
# Host side of scenario F (tests/vm/run.sh F): one ansible-playbook, Debian 12's ansible-core,
# over SSH to two booted guests (an amd64 and an arm64 one) on loopback port forwards, with
# tests/vm/fleet/site.yml and the collection in ansible/. Runs:
#   1. converge: both boards get the package and their platforms (changed, failed=0);
#   2. the same again: changed=0 on both;
#   3. --check --diff asking both for riscv64 as well: reported as a change, nothing changes
#      (platformctl status over SSH before and after).
# Prints ok:/FAIL: lines, the recaps and the check-mode diff.
# Environment (from run.sh): PLATFORMD_FLEET_DIR (id, platformd_{amd64,arm64}.deb),
# PLATFORMD_FLEET_PORTS ("AMD64_PORT ARM64_PORT").
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../../.." && pwd)
dir=${PLATFORMD_FLEET_DIR:?}
read -r port_amd64 port_arm64 <<<"${PLATFORMD_FLEET_PORTS:?}"
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi; }

export HOME=$dir/home LC_ALL=C.UTF-8 ANSIBLE_LOCAL_TEMP=$dir/ansible/local ANSIBLE_REMOTE_TEMP=/tmp/.ansible-remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_COLLECTIONS_PATH=$dir/collections
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_HOST_KEY_CHECKING=0
export ANSIBLE_TIMEOUT=60
mkdir -p "$HOME" "$dir/ansible" "$dir/collections/ansible_collections/platformd"
rm -rf "$dir/collections/ansible_collections/platformd/boinc"
cp -r "$top/ansible" "$dir/collections/ansible_collections/platformd/boinc"
ssh_opts="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=30"
cat >"$dir/inventory.yml" <<INVENTORY
all:
  children:
    boards:
      vars:
        ansible_host: 127.0.0.1
        ansible_user: root
        ansible_ssh_private_key_file: $dir/id
        ansible_ssh_common_args: "$ssh_opts"
        ansible_python_interpreter: /usr/bin/python3
      hosts:
        board-amd64:
          ansible_port: $port_amd64
          platformd_deb: $dir/platformd_amd64.deb
          platformd_platforms:
            - name: aarch64
            - name: i686
            - name: riscv64
              state: disabled
        board-arm64:
          ansible_port: $port_arm64
          platformd_deb: $dir/platformd_arm64.deb
          platformd_platforms:
            - name: x86_64
            - name: armhf
INVENTORY
cat "$dir/inventory.yml"

board_ssh() { # board_ssh PORT COMMAND...
  local p=$1
  shift
  # shellcheck disable=SC2086 # the options are word-split on purpose
  ssh $ssh_opts -i "$dir/id" -p "$p" root@127.0.0.1 "$@"
}
play() { # play NAME ARGS...: output in $dir/NAME.out, returns ansible-playbook's exit code
  local name=$1 rc=0 s
  shift
  s=$(date +%s)
  ansible-playbook -i "$dir/inventory.yml" "$here/site.yml" "$@" >"$dir/$name.out" 2>&1 || rc=$?
  echo "--- $name: exit $rc after $(($(date +%s) - s)) s"
  grep -A3 "PLAY RECAP" "$dir/$name.out"
  return "$rc"
}
recap_of() { grep -A3 "PLAY RECAP" "$dir/$1.out" | grep "^$2 "; }
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }

for p in "$port_amd64" "$port_arm64"; do
  check "ssh root@127.0.0.1:$p answers" board_ssh "$p" true
  board_ssh "$p" uname -m
done

play converge
rc=$?
check "the first run exits 0" test "$rc" = 0
for h in board-amd64 board-arm64; do
  r=$(recap_of converge "$h")
  check "$h: first run failed=0 (recap: $r)" test "$(field failed <<<"$r")" = 0
  check "$h: first run changed the host" test "$(field changed <<<"$r")" -gt 0
done
grep -E "TASK \[platformd.boinc.platformd : Report|msg:|\"msg\"" "$dir/converge.out" | head -20
if [ "$rc" != 0 ]; then
  echo "--- the first run's output (it failed)"
  tail -60 "$dir/converge.out"
fi

play again
rc=$?
check "the second run exits 0" test "$rc" = 0
for h in board-amd64 board-arm64; do
  r=$(recap_of again "$h")
  check "$h: second run changed=0 failed=0 (recap: $r)" \
    sh -c "[ '$(field changed <<<"$r")' = 0 ] && [ '$(field failed <<<"$r")' = 0 ]"
done

echo "--- platformctl status on each board"
for p in "$port_amd64" "$port_arm64"; do board_ssh "$p" platformctl status; done
# What check mode must not change: each board's platforms, enabled or not, and their state.
enabled_map() {
  for p in "$port_amd64" "$port_arm64"; do
    board_ssh "$p" platformctl --json status | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sorted((p["arch"], p["enabled"], p["state"]) for p in d["platforms"]))'
  done
}
enabled_map >"$dir/status-before-check.txt"
board_ssh "$port_amd64" platformctl --json status | python3 -c '
import json, sys
d = json.load(sys.stdin); e = {p["arch"]: p["enabled"] for p in d["platforms"]}
st = {p["arch"]: p["state"] for p in d["platforms"]}
ok = lambda a: e.get(a) or st.get(a) == "native"
sys.exit(0 if ok("aarch64") and ok("i686") and not e.get("riscv64") else 1)'
check "board-amd64: aarch64 and i686 as wanted (enabled, or run natively), riscv64 not enabled" test $? = 0
board_ssh "$port_arm64" platformctl --json status | python3 -c '
import json, sys
d = json.load(sys.stdin); e = {p["arch"]: p["enabled"] for p in d["platforms"]}
st = {p["arch"]: p["state"] for p in d["platforms"]}
ok = lambda a: e.get(a) or st.get(a) == "native"
sys.exit(0 if ok("x86_64") and ok("armhf") else 1)'
check "board-arm64: x86_64 and armhf as wanted (enabled, or run natively)" test $? = 0

play check --check --diff -e '{"platformd_platforms": [{"name": "riscv64"}]}'
rc=$?
check "the check-mode run exits 0" test "$rc" = 0
for h in board-amd64 board-arm64; do
  r=$(recap_of check "$h")
  check "$h: check mode reports the would-be change (recap: $r)" test "$(field changed <<<"$r")" -gt 0
done
echo "--- the check-mode diff"
grep -B2 -A8 '^--- before' "$dir/check.out" | head -60
check "the diff shows riscv64 going from disabled to enabled" grep -q '^+.*enabled: true' "$dir/check.out"
enabled_map >"$dir/status-after-check.txt"
check "check mode changed nothing on either board (platforms, enabled and state, before and after)" \
  cmp -s "$dir/status-before-check.txt" "$dir/status-after-check.txt"
cat "$dir/status-after-check.txt"
