# Issue 15: the Ansible collection in ansible/ (platformd.boinc), run for real by Debian 12's
# ansible-core with connection local inside this test's namespace, against a real BOINC
# client: check mode changes nothing and reports the would-be changes (with --diff), the role
# converges the host (first recap changed), a second run reports changed=0, and the failure
# paths fail the task with platformctl's own message: a platform that does not verify, and
# BOINC tasks that block a disable. The recaps and the check-mode diff are printed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"

command -v ansible-playbook >/dev/null ||
  { echo "SKIP: ansible-playbook is not installed (scripts/install-deps.sh installs ansible-core)"; exit 77; }

B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)
# The modules run platformctl as children of ansible-playbook: the environment reaches them.
export PLATFORMD_GUI_RPC_PORT=$port
trap 'boinc_stop "$B"' EXIT
boinc_start "$B" "$port"

# ansible's own files stay in the test's directory; plain output to grep.
export HOME=$T/home LC_ALL=C.UTF-8 ANSIBLE_LOCAL_TEMP=$T/ansible/local ANSIBLE_REMOTE_TEMP=$T/ansible/remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_COLLECTIONS_PATH=$T/collections
export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_DEPRECATION_WARNINGS=0
mkdir -p "$HOME" "$T/ansible" "$T/collections/ansible_collections/platformd"
cp -r "$PLATFORMD_SOURCE_DIR/ansible" "$T/collections/ansible_collections/platformd/boinc"

cat >"$T/inventory.yml" <<INVENTORY
all:
  hosts:
    localhost:
      ansible_connection: local
      ansible_python_interpreter: /usr/bin/python3
      platformd_platformctl: $PCTL
      platformd_platforms:
        - name: aarch64
        - name: armhf
          translator: qemu-user-static
        - name: riscv64
          state: disabled
INVENTORY
cat >"$T/site.yml" <<'PLAYBOOK'
- name: Converge the BOINC platforms
  hosts: all
  gather_facts: false
  roles:
    - platformd.boinc.platformd
PLAYBOOK

# play NAME [ARGS...]: runs the playbook, output in $T/NAME.out; returns its exit code.
play() {
  local name=$1
  shift
  set +e
  ansible-playbook -i "$T/inventory.yml" "$T/site.yml" "$@" >"$T/$name.out" 2>&1
  local rc=$?
  set -e
  echo "--- $name (exit $rc): $(recap "$name")"
  return $rc
}
recap() { grep -A1 "PLAY RECAP" "$T/$1.out" | tail -n1; }
recap_has() { recap "$1" | grep -qE "(^|[[:space:]])$2([[:space:]]|$)" || fail "$1: recap '$(recap "$1")' lacks $2"; }
snapshot() { { binfmt_entries; cat "$B/cc_config.xml" 2>/dev/null; cat "$PLATFORMD_STATE_DIR/state.json" 2>/dev/null; } >"$1"; }

expect_exit 0 "$PCTL" enable riscv64

# Check mode with --diff first: nothing changes; the would-be changes are reported.
snapshot "$T/s0"
play check --check --diff || fail "check run failed: $(cat "$T/check.out")"
recap_has check changed=1
recap_has check failed=0
grep -q "^+enabled: true" "$T/check.out" || fail "no diff for the would-be enable: $(cat "$T/check.out")"
grep -q "^-enabled: true" "$T/check.out" || fail "no diff for the would-be disable: $(cat "$T/check.out")"
snapshot "$T/s1"
cmp -s "$T/s0" "$T/s1" || fail "check mode changed something: $(diff "$T/s0" "$T/s1")"
echo "--- check-mode diff"
sed -n '/Bring each platform/,/Gather platformd facts/p' "$T/check.out"
pass "check mode changes nothing and reports the would-be changes with a diff"

# First run converges.
play first || fail "first run failed: $(cat "$T/first.out")"
recap_has first changed=1
recap_has first failed=0
{ [ -e "$BF/platformd-aarch64" ] && [ -e "$BF/platformd-armhf" ]; } || fail "entries after the role: $(binfmt_entries)"
[ ! -e "$BF/platformd-riscv64" ] || fail "riscv64 still registered"
grep -q "alt_platform>aarch64-unknown-linux-gnu<" "$B/cc_config.xml" || fail "aarch64 not advertised"
grep -q '"msg": "aarch64: emulated, enabled, fidelity' "$T/first.out" ||
  fail "the report has no aarch64 line: $(cat "$T/first.out")"
pass "the role converges the host"

# Second run: changed=0, and nothing touched.
snapshot "$T/s2"
play second || fail "second run failed: $(cat "$T/second.out")"
recap_has second changed=0
recap_has second failed=0
snapshot "$T/s3"
cmp -s "$T/s2" "$T/s3" || fail "the second run changed something: $(diff "$T/s2" "$T/s3")"
play check2 --check --diff || fail "second check run failed: $(cat "$T/check2.out")"
recap_has check2 changed=0
pass "the second run reports changed=0 (check mode too)"

# Facts: host, platforms, verdicts and speed ratios, from platformctl --json status.
set +e
ansible -i "$T/inventory.yml" localhost -m platformd.boinc.platform_facts -a "platformctl=$PCTL" >"$T/facts.out" 2>&1
rc=$?
set -e
[ $rc = 0 ] || fail "platform_facts failed: $(cat "$T/facts.out")"
python3 - "$T/facts.out" <<'PY' || fail "facts: $(cat "$T/facts.out")"
import json, sys
text = open(sys.argv[1]).read()
f = json.loads(text[text.index("{"):])["ansible_facts"]
assert f["platformd_host"]["arch"], f["platformd_host"]
assert f["platformd_enabled"] == ["aarch64", "armhf"], f["platformd_enabled"]
assert f["platformd_verdicts"]["aarch64"] in ("exact", "warning"), f["platformd_verdicts"]
assert 0 < f["platformd_speed_ratios"]["aarch64"] < 10, f["platformd_speed_ratios"]
assert f["platformd_platforms"]["aarch64"]["state"] == "emulated"
PY
pass "platform_facts gives host, platforms, verdicts and speed ratios"

# A platform that does not verify, on any kernel: a data directory whose only translator for
# s390x is really QEMU's ppc64le (the probe cannot run, or answers as another machine), so
# enabling s390x fails verification and the task carries platformctl's message.
mkdir -p "$T/baddata"
cp -a "$PLATFORMD_STAGE/share/platformd/." "$T/baddata/"
rm -f "$T/baddata/emulators/"*.json
cat >"$T/baddata/emulators/wrong-qemu.json" <<JSON
{ "name": "wrong-qemu", "requires_static": true, "platforms": { "s390x": { "path": "/usr/bin/qemu-ppc64le-static" } } }
JSON
PLATFORMD_DATA_DIR=$T/baddata play noverify -e '{"platformd_platforms": [{"name": "s390x"}]}' &&
  fail "a platform that does not verify succeeded"
recap_has noverify failed=1
grep -q "s390x: verification failed, handler removed" "$T/noverify.out" ||
  fail "the failure does not carry platformctl's message: $(cat "$T/noverify.out")"
[ ! -e "$BF/platformd-s390x" ] || fail "s390x stayed registered"
pass "a platform that does not verify fails the task with platformctl's message"

# BOINC tasks block a disable: the task fails with the refusal, the platform stays.
boinc_stop "$B"
boinc_seed_task "$B" aarch64-unknown-linux-gnu wu1_0
boinc_start "$B" "$port"
play busy -e '{"platformd_platforms": [{"name": "aarch64", "state": "disabled"}]}' &&
  fail "a disable blocked by BOINC tasks succeeded"
recap_has busy failed=1
grep -q "refusing to withdraw: BOINC holds 1 unfinished task" "$T/busy.out" ||
  fail "the failure does not carry platformctl's message: $(cat "$T/busy.out")"
grep -q "wu1_0" "$T/busy.out" || fail "the failure does not name the task"
[ -e "$BF/platformd-aarch64" ] || fail "aarch64's entry was removed"
grep -q "alt_platform>aarch64-unknown-linux-gnu<" "$B/cc_config.xml" || fail "aarch64 is no longer advertised"
pass "BOINC tasks block the disable; the task fails with platformctl's message"

echo "--- recaps"
for n in check first second check2 noverify busy; do
  if [ -e "$T/$n.out" ]; then echo "$n: $(recap "$n")"; fi
done
