# A truncated state file is not fatal: the choice is rebuilt from our kernel entries and our
# <alt_platform> entries from cc_config.xml (those naming a platform our entries serve); the
# user is told; reconcile verifies the platforms again; a later disable withdraws our entry and leaves the user's own entry alone.
source "$(dirname "$0")/lib/common.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
pctl() { "$PCTL" --boinc-dir "$B" "$@"; }
cat >"$B/cc_config.xml" <<'XML'
<cc_config>
  <options>
    <alt_platform>x86_64-pc-linux-musl</alt_platform>
  </options>
</cc_config>
XML

expect_exit 0 pctl enable aarch64
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "enable wrote no entry"
head -c 40 "$PLATFORMD_STATE_DIR/state.json" >"$T/trunc" && mv "$T/trunc" "$PLATFORMD_STATE_DIR/state.json"

expect_exit 0 pctl status
grep -q "is corrupt.*rebuilt the choice from the kernel table (enabled: aarch64) and cc_config.xml (ours: $A64)" \
  "$T/out" "$T/err" || fail "status does not say what it rebuilt: $(cat "$T/out" "$T/err")"
grep -qE '^aarch64 .* unavailable .*not verified yet' "$T/out" || fail "status: $(cat "$T/out")"
pass "status reports the corrupt state file and what it rebuilt"

# The verdicts were in the lost file: the next reconcile verifies the chosen platform again.
expect_exit 0 pctl reconcile
expect_exit 0 pctl status
grep -qE '^aarch64 .* emulated .* exact ' "$T/out" || fail "reconcile did not re-verify aarch64: $(cat "$T/out")"
pass "reconcile re-verifies the rebuilt choice"

expect_exit 0 pctl disable aarch64
! grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "our entry stayed after disable: $(cat "$B/cc_config.xml")"
grep -q "alt_platform>x86_64-pc-linux-musl<" "$B/cc_config.xml" || fail "the user's entry was removed"
[ ! -e "$BF/platformd-aarch64" ] || fail "disable left the handler"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["enabled"] == [] and s["owned_alt_platforms"] == [], s' \
  "$PLATFORMD_STATE_DIR/state.json" || fail "state.json after recovery: $(cat "$PLATFORMD_STATE_DIR/state.json")"
pass "after recovery, disable withdraws our entry only, and the state file is valid again"
