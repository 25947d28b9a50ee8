# binfmt_misc mounted read-only, or switched off through its `status` file
# (docs/bad-input.md): enable fails with exit 1 and a message saying which and how to fix it;
# nothing is registered, state.json and cc_config.xml stay as they were, and platformd never
# writes `status` itself. (All of it in this test's private binfmt_misc instance.)
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/snapshot.sh"

B=$PLATFORMD_BOINC_DIR
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }
printf '<cc_config>\n  <options>\n  </options>\n</cc_config>\n' >"$B/cc_config.xml"

mount -t binfmt_misc -o ro binfmt_misc "$BF"
[ -e "$BF/register" ] || fail "binfmt_misc did not mount"
machine_snapshot "$T/before"
expect_exit 1 pctl enable aarch64
grep -qF "$BF/register is not writable (read-only mount, or not root)" "$T/err" || fail "unexpected error: $(cat "$T/err")"
machine_snapshot "$T/after"
same_machine "$T/before" "$T/after"
grep -q "^binfmt_misc $BF binfmt_misc ro[, ]" /proc/self/mounts || fail "the mount is no longer read-only"
pass "read-only binfmt_misc: exit 1, nothing changed"
umount "$BF"

mount -t binfmt_misc binfmt_misc "$BF"
echo 0 >"$BF/status"
[ "$(cat "$BF/status")" = disabled ] || fail "could not switch the private instance off"
machine_snapshot "$T/before"
expect_exit 1 pctl enable aarch64
grep -qF "binfmt_misc is disabled ($BF/status says \"disabled\"); enable it with 'echo 1 > $BF/status' first" "$T/err" ||
  fail "unexpected error: $(cat "$T/err")"
machine_snapshot "$T/after"
same_machine "$T/before" "$T/after"
[ "$(cat "$BF/status")" = disabled ] || fail "platformctl switched binfmt_misc back on"
pass "disabled binfmt_misc: exit 1 with the command that fixes it, status left alone"
