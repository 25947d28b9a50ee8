# Unknown, empty and malformed platform names: one clear line, exit 2, nothing changed.
source "$(dirname "$0")/lib/common.sh"

for name in "" "sparc" "aarch64:x" "../aarch64" $'aarch64\nfoo' $'\xff\xfe'; do
  expect_exit 2 "$PCTL" enable "$name"
  [ "$(wc -l <"$T/err")" = 1 ] || fail "error for $(printf %q "$name") is not one line: $(cat "$T/err")"
  [ -z "$(binfmt_entries)" ] || fail "something was registered for $(printf %q "$name")"
  [ ! -e "$PLATFORMD_STATE_DIR/state.json" ] || fail "state written for a bad name"
done
expect_exit 2 "$PCTL" disable sparc
expect_exit 2 "$PCTL" frobnicate
pass "bad names rejected"
