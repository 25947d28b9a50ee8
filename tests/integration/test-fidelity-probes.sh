# The installed probes keep the contract the broker relies on (docs/fidelity.md): identity
# lines, a fingerprint whose case set is exactly `cases`, two bench lines; a probe that could not
# be built is replaced by probe-<arch>.missing. Runs the probes directly (natively or as
# `qemu-<arch>-static probe`), so it registers nothing.
source "$(dirname "$0")/lib/common.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: this test is for x86_64 hosts"; exit 77; }
probes=$(find "$PLATFORMD_STAGE" -type d -path '*/platformd/probes' | head -n 1)
[ -n "$probes" ] || fail "no platformd/probes directory under $PLATFORMD_STAGE"

declare -A QEMU=([i686]=i386 [aarch64]=aarch64 [armhf]=arm [riscv64]=riscv64 [ppc64le]=ppc64le [s390x]=s390x)
declare -A UNAME=([x86_64]=x86_64 [i686]=i686 [aarch64]=aarch64 [armhf]=armv7l [riscv64]=riscv64 [ppc64le]=ppc64le
                  [s390x]=s390x)

run_probe() {  # run_probe ARCH ARGS... : natively for x86_64, else under qemu-user
  local arch=$1
  shift
  if [ "$arch" = x86_64 ]; then "$probes/probe-$arch" "$@"; else "/usr/bin/qemu-${QEMU[$arch]}-static" "$probes/probe-$arch" "$@"; fi
}

checked=0
for arch in x86_64 i686 aarch64 armhf riscv64 ppc64le s390x; do
  if [ ! -x "$probes/probe-$arch" ]; then
    [ -s "$probes/probe-$arch.missing" ] || fail "probe-$arch is neither installed nor explained by probe-$arch.missing"
    echo "note: probe-$arch missing: $(cat "$probes/probe-$arch.missing")"
    continue
  fi
  [ -e "$probes/probe-$arch.missing" ] && fail "probe-$arch is installed next to a stale probe-$arch.missing"
  [ "$arch" = x86_64 ] || [ -x "/usr/bin/qemu-${QEMU[$arch]}-static" ] || { echo "note: no qemu for $arch"; continue; }
  file -L "$probes/probe-$arch" | grep -q 'statically linked' || fail "probe-$arch is not static"

  # Identity: exactly five lines, in order.
  run_probe "$arch" >"$T/id" || fail "probe-$arch identity exited $?"
  expected=$(printf 'platformd-probe 1\narch %s\nuname %s\nargv0 %s\nanswer 42' "$arch" "${UNAME[$arch]}" "$probes/probe-$arch")
  [ "$(cat "$T/id")" = "$expected" ] || fail "probe-$arch identity: $(cat "$T/id")"

  # Fingerprint: well-formed lines, exactly the listed cases, no "error" values.
  run_probe "$arch" fp >"$T/fp" || fail "probe-$arch fp exited $?"
  bad=$(grep -vnE '^[a-z0-9_]+\.[a-z0-9_.]+ [!-~]+$' "$T/fp" | head -n 3 || true)
  [ -z "$bad" ] || fail "probe-$arch fp: malformed lines: $bad"
  grep -q ' error$' "$T/fp" && fail "probe-$arch fp could not compute: $(grep ' error$' "$T/fp" | head -n 3)"
  "$probes/probe-x86_64" cases "$arch" >"$T/cases"
  diff <(cut -d' ' -f1 "$T/fp") "$T/cases" >"$T/diff" || fail "probe-$arch fp and cases disagree: $(head "$T/diff")"

  # Bench: two kernels with positive times and the same integer checksum everywhere.
  run_probe "$arch" bench >"$T/bench" || fail "probe-$arch bench exited $?"
  grep -qE '^bench\.fp [0-9]+\.[0-9]+ [0-9a-f]{16}$' "$T/bench" || fail "probe-$arch bench: $(cat "$T/bench")"
  grep -qE '^bench\.int [0-9]+\.[0-9]+ c9fcd458$' "$T/bench" || fail "probe-$arch bench int: $(cat "$T/bench")"
  echo "ok: probe-$arch ($(wc -l <"$T/fp") cases; $(tr '\n' ' ' <"$T/bench"))"
  checked=$((checked + 1))
done
[ "$checked" -ge 1 ] || fail "no probe could be checked"
expect_exit 2 "$probes/probe-x86_64" cases no-such-arch
expect_exit 2 "$probes/probe-x86_64" frobnicate
pass "$checked probes keep the contract"
