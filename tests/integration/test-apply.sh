# Issue 15: `platformctl apply FILE` converges (enables what is missing, disables what is
# extra), is idempotent (the second run changes nothing, says so, exits 0), --check changes
# nothing and exits 8 when something would change, --json reports before/after/changed/
# verdict/reason per platform, and bad files are refused with nothing changed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"

B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
trap 'boinc_stop "$B"' EXIT
boinc_start "$B" "$port"

# jq-free JSON checks: check_json FILE PYTHON-EXPRESSION (d is the document).
check_json() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" ||
    fail "JSON check '$2' failed on: $(cat "$1")"
}
# Everything apply may change, to compare before and after a run that must change nothing.
snapshot() { { binfmt_entries; cat "$B/cc_config.xml" 2>/dev/null; cat "$PLATFORMD_STATE_DIR/state.json" 2>/dev/null; } >"$1"; }

expect_exit 0 pctl enable riscv64
cat >"$T/want.json" <<'JSON'
{
  "version": 1,
  "platforms": [
    {"name": "arm64", "state": "enabled"},
    {"name": "armhf", "state": "enabled", "translator": "qemu-user-static"},
    {"name": "riscv64", "state": "disabled"},
    {"name": "ppc64le", "state": "disabled"}
  ]
}
JSON

# --check: exit 8 (would change), the plan per platform, nothing changed.
snapshot "$T/snap0"
expect_exit 8 pctl apply --check "$T/want.json"
grep -q "aarch64: would enable" "$T/out" || fail "check does not say it would enable aarch64: $(cat "$T/out")"
grep -q "riscv64: would disable" "$T/out" || fail "check does not say it would disable riscv64: $(cat "$T/out")"
grep -q "ppc64le: ok" "$T/out" || fail "check does not say ppc64le is as wanted: $(cat "$T/out")"
snapshot "$T/snap1"
cmp -s "$T/snap0" "$T/snap1" || fail "apply --check changed something: $(diff "$T/snap0" "$T/snap1")"
expect_exit 8 pctl --json apply --check "$T/want.json"
check_json "$T/out" "d['check'] and d['changed'] and d['exit_code'] == 8"
check_json "$T/out" "[p['outcome'] for p in d['platforms']] == ['would_change', 'would_change', 'would_change', 'unchanged']"
check_json "$T/out" "d['platforms'][0]['before']['enabled'] is False and d['platforms'][0]['after']['enabled'] is True"
pass "apply --check reports the plan, exits 8 and changes nothing"

# The real run converges: exit 8, aarch64 and armhf registered and advertised, riscv64 gone.
expect_exit 8 pctl --json apply "$T/want.json"
cp "$T/out" "$T/run1.json"
check_json "$T/run1.json" "not d['check'] and d['changed'] and d['error'] is None"
check_json "$T/run1.json" "[(p['name'], p['outcome']) for p in d['platforms']] == [('aarch64', 'changed'), ('armhf', 'changed'), ('riscv64', 'changed'), ('ppc64le', 'unchanged')]"
check_json "$T/run1.json" "all(p['after']['state'] == 'emulated' and p['verdict'] for p in d['platforms'][:2])"
check_json "$T/run1.json" "d['platforms'][1]['after']['translator'] == '/usr/bin/qemu-arm-static'"
check_json "$T/run1.json" "d['platforms'][2]['before']['enabled'] and not d['platforms'][2]['after']['enabled']"
check_json "$T/run1.json" "all(k in p for p in d['platforms'] for k in ('before', 'after', 'changed', 'verdict', 'reason'))"
{ [ -e "$BF/platformd-aarch64" ] && [ -e "$BF/platformd-armhf" ]; } || fail "entries after apply: $(binfmt_entries)"
[ ! -e "$BF/platformd-riscv64" ] || fail "riscv64 is still registered"
grep -q "alt_platform>aarch64-unknown-linux-gnu<" "$B/cc_config.xml" || fail "aarch64 not advertised"
grep -q "alt_platform>arm-unknown-linux-gnueabihf<" "$B/cc_config.xml" || fail "armhf not advertised"
! grep -q "riscv64" "$B/cc_config.xml" || fail "riscv64 still advertised"
pass "apply converges: enables aarch64 and armhf, disables riscv64 (exit 8)"

# Idempotent: the second run changes nothing, says so, and exits 0; so does --check.
snapshot "$T/snap2"
expect_exit 0 pctl apply "$T/want.json"
grep -q "nothing to change: 4 platform(s) already as" "$T/out" || fail "second run did not say so: $(cat "$T/out")"
snapshot "$T/snap3"
cmp -s "$T/snap2" "$T/snap3" || fail "the second apply changed something: $(diff "$T/snap2" "$T/snap3")"
expect_exit 0 pctl --json apply --check "$T/want.json"
check_json "$T/out" "not d['changed'] and all(p['outcome'] == 'unchanged' for p in d['platforms'])"
pass "a second apply changes nothing and exits 0"

# Bad input: a clear error naming the file and entry, exit 7, nothing changed.
bad() {  # bad EXPECTED-MESSAGE-PART JSON
  printf '%s' "$2" >"$T/bad.json"
  expect_exit 7 pctl apply "$T/bad.json"
  grep -qF -- "$1" "$T/err" || fail "bad file '$2': message '$(cat "$T/err")' lacks '$1'"
  snapshot "$T/snap4"
  cmp -s "$T/snap2" "$T/snap4" || fail "bad file '$2' changed something"
}
bad "not valid JSON" '{"platforms": [{"name": "aarch64", "state": "disabled"}'
bad 'state must be "enabled" or "disabled", not the string "off"' '{"platforms": [{"name": "aarch64", "state": "off"}]}'
bad 'platforms[1] (mips): unknown platform' '{"platforms": [{"name": "aarch64", "state": "disabled"}, {"name": "mips", "state": "enabled"}]}'
bad 'aarch64 is already named by' '{"platforms": [{"name": "armhf", "state": "disabled"}, {"name": "aarch64", "state": "enabled"}, {"name": "arm64", "state": "disabled"}]}'
bad 'translator "box64" is not described for armhf' '{"platforms": [{"name": "aarch64", "state": "disabled"}, {"name": "armhf", "state": "enabled", "translator": "box64"}]}'
bad 'unknown key "stirct"' '{"platforms": [{"name": "aarch64", "state": "enabled", "stirct": true}]}'
expect_exit 1 pctl apply "$T/does-not-exist.json"
grep -q "does-not-exist.json" "$T/err" || fail "a missing file is not named: $(cat "$T/err")"
pass "bad desired-state files are refused (exit 7) and change nothing"

# Standard input, and "others": "disabled": the file becomes the whole truth.
expect_exit 8 pctl --json apply - <<<'{"others": "disabled", "platforms": [{"name": "armhf", "state": "enabled"}]}'
check_json "$T/out" "[(p['name'], p['listed'], p['outcome']) for p in d['platforms']] == [('armhf', True, 'unchanged'), ('aarch64', False, 'changed')]"
{ [ ! -e "$BF/platformd-aarch64" ] && [ -e "$BF/platformd-armhf" ]; } || fail "others: disabled left: $(binfmt_entries)"
pass "others: disabled withdraws the platforms the file does not name"
