# Issue 14: verdicts by impact class. The x86_64 probe through qemu-x86_64 (QEMU 7.2 from
# qemu-user-static, and 10.0.2 from bookworm-backports' qemu-user, fetched by
# tests/integration/fetch-qemu10.sh) deviates from the natively captured reference in three
# classes, none of which changes ordinary FP: verify passes with the one-line verdict
#   exact for ordinary FP; differs for: flush-modes (...), nan-payloads (...), x87-transcendentals (...)
# naming the first differing case of each (the same cases as before the classes); --strict
# blocks (exit 5). The same holds for the dynamically linked probe. Registers nothing.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/qemu10.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: this test is for x86_64 hosts"; exit 77; }
q72=/usr/bin/qemu-x86_64-static
[ -x "$q72" ] || { echo "SKIP: $q72 not installed"; exit 77; }
q10=$(qemu10_dir)/qemu-x86_64
"$q10" --version | grep -q "version 10.0.2" || fail "not QEMU 10.0.2: $("$q10" --version | head -n 1)"

check() {  # check QEMU_LABEL: judges $T/out (JSON) and $T/text (text) of one verify
  python3 - "$T/out" "$T/text" "$1" <<'PY'
import json, sys
path, text_path, label = sys.argv[1:]
(v,) = json.load(open(path))
text = open(text_path).read()
problems = []
want_line = ("exact for ordinary FP; differs for: "
             "flush-modes (fast-math programs, at the smallest normal; first ftz.ftz.round_to_normal.f64), "
             "nan-payloads (results that are already NaN; first nan.prop.f64.qa_qb), "
             "x87-transcendentals (programs using x87 fsin/fcos/fptan; first x87trans.fsin.one)")
if not v["runs"] or not v["passed"] or v["fidelity"] != "warning":
    problems.append(f"runs {v['runs']} passed {v['passed']} fidelity {v['fidelity']}: {v['detail']}")
if v["verdict"] != want_line:
    problems.append(f"verdict line:\n  got  {v['verdict']}\n  want {want_line}")
if f"  verdict: {want_line}\n" not in text:
    problems.append("the text output lacks the verdict line")
classes = {c["class"]: c for c in v["classes"]}
differing = [c["class"] for c in v["classes"] if not c["exact"]]
if differing != ["flush-modes", "nan-payloads", "x87-transcendentals"]:
    problems.append(f"differing classes {differing}")
for name in ("every-program", "long-double", "rounding-modes", "fp-flags", "libm"):
    if name not in classes or not classes[name]["exact"]:
        problems.append(f"{name} is not exact: {classes.get(name)}")
if any(c["blocking"] for c in v["classes"] if c["class"] != "every-program"):
    problems.append("a class other than every-program blocks under the default policy")
# The dynamically linked probe deviates in the same classes (same QEMU, the host's glibc).
if "dynamic probe: ran from the real root, fidelity warning" not in v["detail"]:
    problems.append(f"dynamic probe: {v['detail']}")
if problems:
    sys.exit(f"{label}:\n" + "\n".join(problems))
print(f"| {label} | {v['verdict']} | FP {100 * v['fp_ratio']:.1f}% | integer {100 * v['int_ratio']:.1f}% |")
PY
}

for pair in "QEMU 7.2:$q72" "QEMU 10.0.2:$q10"; do
  label=${pair%%:*} q=${pair#*:}
  expect_exit 0 "$PCTL" --json verify x86_64 --translator "$q"
  expect_exit 0 "$PCTL" verify x86_64 --translator "$q"
  mv "$T/out" "$T/text"
  expect_exit 0 "$PCTL" --json verify x86_64 --translator "$q"
  check "$label" || fail "x86_64 under $label"
  expect_exit 5 "$PCTL" --json verify x86_64 --translator "$q" --strict
  pass "x86_64 under $label: warns by impact class, --strict blocks"
done
[ -z "$(binfmt_entries)" ] || fail "verify registered $(binfmt_entries)"
