# `platformctl verify ARCH --translator qemu-<arch>-static` judges each guest's fingerprint
# against its reference (docs/fidelity.md). Under Debian 12's QEMU 7.2, aarch64, armhf, riscv64,
# ppc64le and s390x match their references exactly; i686 deviates in nan (x87 NaN propagation
# with a memory operand), ftz (MXCSR flush decided before rounding) and x87trans, real QEMU
# deviations measured against x87 hardware. By impact class (nan-payloads, flush-modes,
# x87-transcendentals) they warn; i686 is still refused, as too slow (x87 in softfloat, about
# 1 % of native), unless --allow-slow. The fidelity runs use --allow-slow: ppc64le (about 2-3 %
# here) and s390x sit near the 2 % gate under load, and this test judges fidelity; the gate is
# test-fidelity-speed-gates.sh's. Registers nothing.
source "$(dirname "$0")/lib/common.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: this test is for x86_64 hosts"; exit 77; }
qemu_version=$(/usr/bin/qemu-aarch64-static --version | head -n 1)

# verdict ARCH WANT_VERDICT DEVIATING... : checks the JSON of one verify run in $T/out.
verdict() {
  python3 - "$T/out" "$@" <<'PY'
import json, sys
path, arch, want, *deviating = sys.argv[1:]
(v,) = json.load(open(path))
def die(msg):
    sys.exit(f"{arch}: {msg}\n{json.dumps(v, indent=1)}")
if v["arch"] != arch or not v["runs"]:
    die("the probe did not run")
if v["fidelity"] != want:
    die(f"fidelity {v['fidelity']}, expected {want}")
cats = {c["category"]: c for c in v["categories"]}
for must in ("basic", "rounding", "flags", "tininess", "subnormal", "nan", "conversion", "libm"):
    if must not in cats:
        die(f"category {must} missing")
for name, c in cats.items():
    if (name in deviating) == c["exact"]:
        die(f"{name} is {'exact' if c['exact'] else 'deviating: ' + c['first_difference']}")
    if not c["exact"] and not c["first_difference"]:
        die(f"{name} deviates without a first difference")
if v["passed"] != (want != "blocked"):
    die("passed does not follow the verdict (the runs use --allow-slow)")
if not (v.get("fp_ratio") or 0) > 0 or not (v.get("int_ratio") or 0) > 0:
    die("speed not measured")
print(f"ok: {arch}: {want}; deviating: {' '.join(deviating) or '-'}; "
      f"FP {100 * v['fp_ratio']:.1f}% integer {100 * v['int_ratio']:.1f}% of native"
      f"{' (slow)' if v['slow_risk'] else ''}")
PY
}

for pair in aarch64:aarch64 armhf:arm riscv64:riscv64 ppc64le:ppc64le s390x:s390x; do
  arch=${pair%%:*} q=/usr/bin/qemu-${pair#*:}-static
  [ -x "$q" ] || { echo "note: $q not installed"; continue; }
  expect_exit 0 "$PCTL" --json verify "$arch" --translator "$q" --allow-slow
  verdict "$arch" exact || fail "$arch under $q"
done

# i686: QEMU 7.2's deviations are pinned; another QEMU version may fix them, then only the
# categories it does not touch are required to be exact.
set +e
"$PCTL" --json verify i686 --translator /usr/bin/qemu-i386-static --allow-slow >"$T/out" 2>"$T/err"
rc=$?
set -e
case $qemu_version in
  *"version 7.2"*)
    [ "$rc" = 0 ] || fail "verify i686 --allow-slow exited $rc, expected 0 (warning): $(cat "$T/err")"
    verdict i686 warning nan ftz x87trans || fail "i686 under QEMU 7.2"
    ;;
  *)
    echo "note: $qemu_version: not pinning i686's deviations"
    python3 -c "
import json, sys
(v,) = json.load(open('$T/out'))
bad = [c['category'] for c in v['categories'] if not c['exact'] and c['category'] not in ('nan', 'ftz', 'x87trans', 'libm')]
sys.exit(f'i686 deviates in {bad}' if bad else 0)" || fail "i686 under $qemu_version"
    ;;
esac
[ -z "$(binfmt_entries)" ] || fail "verify registered $(binfmt_entries)"
pass "guests judged against their references"
