# `enable x86_64` on an x86_64 host is refused with exit 3 and registers nothing: a handler
# matching the host's own ELF would capture every exec on the machine.
source "$(dirname "$0")/lib/common.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: this test is for x86_64 hosts"; exit 77; }
for name in x86_64 amd64 x86_64-pc-linux-gnu; do
  expect_exit 3 "$PCTL" enable "$name"
  grep -q "natively" "$T/err" || fail "refusal of $name does not say why: $(cat "$T/err")"
  [ "$(wc -l <"$T/err")" = 1 ] || fail "refusal is not one line: $(cat "$T/err")"
  [ -z "$(binfmt_entries)" ] || fail "enable $name registered $(binfmt_entries)"
done
# Still true after another platform is enabled (the table is then mounted and non-empty).
expect_exit 0 "$PCTL" enable aarch64
expect_exit 3 "$PCTL" enable x86_64
[ "$(binfmt_entries)" = platformd-aarch64 ] || fail "unexpected entries: $(binfmt_entries)"
/bin/true || fail "native programs stopped running"
pass "x86_64 refused"
