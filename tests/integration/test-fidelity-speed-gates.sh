# Issue 14: speed gates and the translator choice, with real translators on this x86_64 host
# (i686 is foreign where the kernel has no IA32 emulation; step 2 says what it does where it has).
#  1. i686 through qemu-i386 (7.2 static, and 10.0.2 from bookworm-backports): x87 in
#     softfloat runs at about 1 % of native, below the 2 % gate: `verify --translator` refuses
#     it as too slow (exit 5, with that reason); --allow-slow passes it (its fidelity only
#     warns: nan-payloads, flush-modes, x87-transcendentals).
#  2. Both QEMUs described as candidates: verify shows both side by side with their ratios and
#     why one was chosen; enable refuses (too slow) and registers nothing; enable --allow-slow
#     registers the chosen one and status shows the table.
#  3. A project whose workunits allow less slowdown than measured is reported: aarch64 enabled
#     through qemu-aarch64-static, BOINC stopped, its client_state.xml the one a real client
#     wrote (tests/data/boinc/client_state_task_aarch64.xml) with rsc_fpops_bound at 2x the
#     estimate: status names the project; at 1000x it does not.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/qemu10.sh"
source "$(dirname "$0")/lib/boinc.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: this test is for x86_64 hosts"; exit 77; }
[ -x /usr/bin/qemu-i386-static ] || { echo "SKIP: qemu-user-static not installed"; exit 77; }
q10=$(qemu10_dir)
B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)

# 1. The gate, through each QEMU.
for q in /usr/bin/qemu-i386-static "$q10/qemu-i386"; do
  # About 1.5-2.4 % of native here (x87 in softfloat), so a run can land on either side of the
  # 2 % gate: what must hold is that the verdict follows the ratio it measured, both ways.
  set +e
  "$PCTL" --json verify i686 --translator "$q" >"$T/out" 2>"$T/err"
  rc=$?
  set -e
  python3 - "$T/out" "$rc" <<'PY' || fail "i686 under $q (exit $rc): $(cat "$T/out" "$T/err")"
import json, sys
(v,) = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
slow = min(v["fp_ratio"], v["int_ratio"]) < 0.02
assert v["runs"], v["detail"]
assert v["fidelity"] == "warning", v["fidelity"]
assert v["too_slow"] == slow, (v["too_slow"], v["fp_ratio"], v["int_ratio"])
if slow:
    assert rc == 5 and not v["passed"], (rc, v["passed"])
    assert "too slow: " in v["detail"] and "refused without --allow-slow" in v["detail"], v["detail"]
else:
    assert rc == 0 and v["passed"], (rc, v["passed"])
    print("note: this run measured above the 2 % gate, so the refusal itself was not exercised")
print(f"measured: i686 FP {100 * v['fp_ratio']:.2f}% integer {100 * v['int_ratio']:.1f}% of native; "
      f"{'refused as too slow' if slow else 'passed'}")
PY
  expect_exit 0 "$PCTL" --json verify i686 --translator "$q" --allow-slow
  python3 -c "
import json, sys
(v,) = json.load(open('$T/out'))
assert v['passed'], v
# Each verify measures again; near the 2 % gate a second run may land just above it.
assert not v['too_slow'] or 'enabled anyway (--allow-slow)' in v['detail'], v['detail']" || fail "i686 --allow-slow under $q: $(cat "$T/out")"
  pass "i686 under $q: the gate follows the measured ratio; passes with --allow-slow"
done

# 2. Both as candidates. Where this kernel runs i686 itself (IA32 emulation), i686 cannot get a
#    handler at all (refused as native); the side-by-side table and the choice are then shown
#    with aarch64 instead, and the too-slow refusal of enable is left to kernels without IA32
#    (step 1 covers the gate itself on every kernel).
"$PCTL" --json status >"$T/host.json"
if python3 -c "import json,sys; sys.exit(0 if [p for p in json.load(open(sys.argv[1]))['platforms'] if p['arch']=='i686' and p['state']=='native'] else 1)" "$T/host.json"; then
  P=aarch64 QP=aarch64 classes=0
  echo "note: this kernel runs i686 natively: the candidate table is shown with aarch64; enable's too-slow refusal is not exercised here"
else
  P=i686 QP=i386 classes=3
fi
mkdir -p "$T/data"
cp -a "$PLATFORMD_STAGE/share/platformd/." "$T/data/"
rm -f "$T/data/emulators/"*.json
cat >"$T/data/emulators/qemu-user-static.json" <<JSON
{ "name": "qemu-user-static", "requires_static": true, "platforms": { "$P": { "path": "/usr/bin/qemu-$QP-static" } } }
JSON
cat >"$T/data/emulators/qemu-user.json" <<JSON
{ "name": "qemu-user", "requires_static": true, "platforms": { "$P": { "path": "$q10/qemu-$QP" } } }
JSON
cat >"$T/data/emulators/box64.json" <<JSON
{ "name": "box64", "requires_static": false, "platforms": { "$P": { "path": "$T/no-such-box64" } } }
JSON
export PLATFORMD_DATA_DIR=$T/data
if [ "$P" = i686 ]; then
  expect_exit 5 "$PCTL" verify i686
  verdict="exact for ordinary FP; differs for: "
else
  expect_exit 0 "$PCTL" verify "$P"
  verdict="exact"
fi
for want in "candidate" "qemu-user-static (/usr/bin/qemu-$QP-static): $verdict" \
  "qemu-user ($q10/qemu-$QP): $verdict" \
  "box64 ($T/no-such-box64): not a candidate: $T/no-such-box64 is not installed" "choice: chose qemu-" \
  "as many deviating classes, $classes; "; do
  grep -qF -- "$want" "$T/out" || fail "verify $P with two candidates lacks \"$want\": $(cat "$T/out")"
done
grep -F "% of native" "$T/out" | sed 's/^/measured: /'
pass "verify shows both QEMUs side by side for $P and why one was chosen"

slow=()
if [ "$P" = i686 ]; then
  expect_exit 5 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" enable i686
  grep -q "too slow" "$T/err" || fail "enable i686 was not refused as too slow: $(cat "$T/err")"
  [ -z "$(binfmt_entries)" ] || fail "a refused enable left $(binfmt_entries)"
  slow=(--allow-slow)
fi
expect_exit 0 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" enable "${slow[@]}" "$P"
chosen=$(sed -n 's/^interpreter //p' "$BF/platformd-$P")
grep -qF "$P: chose" "$T/out" || fail "enable did not say what it chose: $(cat "$T/out")"
expect_exit 0 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" status
grep -qF "  candidate * " "$T/out" || fail "status lacks the candidate table: $(cat "$T/out")"
if [ "$P" = i686 ]; then
  grep -qF "i686: exact for ordinary FP; differs for: " "$T/out" || fail "status lacks the verdict line: $(cat "$T/out")"
  grep -qF "too slow: " "$T/out" || fail "status does not show the speed warning: $(cat "$T/out")"
  pass "enable refuses i686 as too slow; --allow-slow registers the chosen $chosen; status shows the table"
else
  pass "enable registers the chosen $chosen for $P; status shows the table"
fi
expect_exit 0 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" disable "$P"
unset PLATFORMD_DATA_DIR

# 3. A project whose bound allows less than the measured slowdown.
private_translator aarch64
expect_exit 0 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" enable aarch64
seed() {  # seed FACTOR: the recorded client_state.xml with rsc_fpops_bound = FACTOR x est
  sed "s|<rsc_fpops_bound>[^<]*<|<rsc_fpops_bound>$(python3 -c "print($1 * 1e12)")<|" \
    "$PLATFORMD_SOURCE_DIR/tests/data/boinc/client_state_task_aarch64.xml" >"$B/client_state.xml"
}
seed 2
expect_exit 0 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" --json status
python3 - "$T/out" <<'PY' || fail "status does not report the project: $(cat "$T/out")"
import json, sys
(p,) = [p for p in json.load(open(sys.argv[1]))["platforms"] if p["arch"] == "aarch64"]
assert p["state"] == "emulated", p
assert len(p["abort_risks"]) == 1 and "allow 2x the estimate" in p["abort_risks"][0], p["abort_risks"]
assert "WARNING: " in p["reason"] and "will be aborted" in p["reason"], p["reason"]
print("reported: " + p["abort_risks"][0])
PY
seed 1000
expect_exit 0 "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" --json status
python3 -c "
import json
(p,) = [p for p in json.load(open('$T/out'))['platforms'] if p['arch'] == 'aarch64']
assert p['abort_risks'] == [], p['abort_risks']" || fail "a 1000x bound was reported: $(cat "$T/out")"
pass "a project whose bound allows 2x is reported (aarch64 under QEMU is slower than that); 1000x is not"
