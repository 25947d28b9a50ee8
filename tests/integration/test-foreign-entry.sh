# Another tool's entry for the same magic (Debian's qemu-user-static `qemu-aarch64`) is
# neither clobbered nor duplicated: a working one is adopted, a broken one is reported.
source "$(dirname "$0")/lib/common.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
hello=$(build_hello aarch64)

# 1. Debian's own entry (flags OPF) works from an empty root: adopted, no second handler.
cat "$conf" >"$BF/register"
before=$(cat "$BF/qemu-aarch64")
expect_exit 0 "$PCTL" enable aarch64
grep -q "served by the existing entry 'qemu-aarch64'" "$T/out" || fail "not adopted: $(cat "$T/out")"
[ "$(binfmt_entries)" = qemu-aarch64 ] || fail "entries: $(binfmt_entries)"
[ "$(cat "$BF/qemu-aarch64")" = "$before" ] || fail "the foreign entry changed"
[ "$("$hello")" = "hello from aarch64" ] || fail "aarch64 program does not run"
expect_exit 0 "$PCTL" disable aarch64
[ "$(cat "$BF/qemu-aarch64")" = "$before" ] || fail "disable touched the foreign entry"
pass "working foreign entry adopted and left alone"

# 2. The same entry without F cannot work from an empty root: reported as a conflict (exit 4),
#    nothing registered, the foreign entry untouched.
echo -1 >"$BF/qemu-aarch64"
sed 's/:OPF$/:P/' "$conf" >"$BF/register"
before=$(cat "$BF/qemu-aarch64")
expect_exit 4 "$PCTL" enable arm64
grep -q "qemu-aarch64" "$T/err" || fail "conflict message does not name the entry: $(cat "$T/err")"
[ "$(binfmt_entries)" = qemu-aarch64 ] || fail "entries: $(binfmt_entries)"
[ "$(cat "$BF/qemu-aarch64")" = "$before" ] || fail "the foreign entry changed"
pass "broken foreign entry reported, not clobbered"
