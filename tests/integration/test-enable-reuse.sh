# Enable after disable keeps the verdict measured with the same translator and probe files:
# the handler is proven again from an empty root, the fingerprint and the benchmark are not
# repeated. A new translator file (another inode) is verified in full.
source "$(dirname "$0")/lib/common.sh"

private_translator aarch64
pctl() { "$PCTL" "$@"; }
kept="verdict of the same translator and probe files kept"

expect_exit 0 pctl enable aarch64
grep -q "aarch64: enabled with .*fidelity exact, speed" "$T/out" || fail "first enable: $(cat "$T/out")"
! grep -q "$kept" "$T/out" || fail "the first enable claims a kept verdict"
expect_exit 0 pctl disable aarch64
[ ! -e "$BF/platformd-aarch64" ] || fail "disable left the entry"

expect_exit 0 pctl enable aarch64
grep -q "$kept" "$T/out" || fail "enable after disable verified again: $(cat "$T/out")"
grep -q "fidelity exact, speed" "$T/out" || fail "the kept verdict lost fidelity or speed: $(cat "$T/out")"
[ -e "$BF/platformd-aarch64" ] || fail "enable after disable did not register"
pass "enable after disable keeps the verdict and registers the handler"

expect_exit 0 pctl disable aarch64
cp "$T/bin/qemu-aarch64-static" "$T/bin/.new" && mv -f "$T/bin/.new" "$T/bin/qemu-aarch64-static"
expect_exit 0 pctl enable aarch64
! grep -q "$kept" "$T/out" || fail "a new translator file was not verified in full: $(cat "$T/out")"
grep -q "fidelity exact, speed" "$T/out" || fail "full verification after the upgrade: $(cat "$T/out")"
pass "a replaced translator file is verified in full"
