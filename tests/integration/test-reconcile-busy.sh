# Never lose work, on the daemon's path too: when a chosen platform stops verifying (here its
# translator is "upgraded" to a file that cannot run aarch64 programs) while BOINC holds a task
# of it, reconcile keeps the handler and the <alt_platform> entry and says why; once the task
# is gone, the next reconcile withdraws both.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"

command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
[ -x /usr/bin/qemu-arm-static ] || { echo "SKIP: qemu-user-static not installed"; exit 77; }
private_translator aarch64
B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
pctl() { "$PCTL" --boinc-dir "$B" "$@"; }

expect_exit 0 pctl enable aarch64
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "enable wrote no entry"
boinc_seed_task "$B" "$A64" wu1_0   # the client is stopped: its tasks are read from client_state.xml

# A plain repair (the entry flushed, the platform still verifies) does not ask BOINC for its
# tasks: only a failed verification needs that answer.
echo -1 >"$BF/platformd-aarch64"
strace -f -o "$T/repair.trace" -e trace=openat env ASAN_OPTIONS="$NO_LSAN" "$PCTL" --boinc-dir "$B" reconcile >"$T/out" 2>"$T/err" ||
  fail "repair: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "the flushed entry was not repaired"
! grep -q 'client_state' "$T/repair.trace" || fail "a repair that verified read BOINC's client_state.xml"
pass "a repair that verifies does not read BOINC's task list"

# The "upgrade": a translator for another architecture, installed the way dpkg does (rename).
cp /usr/bin/qemu-arm-static "$T/bin/.new" && mv -f "$T/bin/.new" "$T/bin/qemu-aarch64-static"
expect_exit 0 pctl reconcile
grep -q "aarch64: verification with .* failed" "$T/err" || fail "no failure reported: $(cat "$T/out" "$T/err")"
grep -q "KEPT" "$T/err" || fail "the warning does not say the handler is kept: $(cat "$T/err")"
[ -e "$BF/platformd-aarch64" ] || fail "the handler was removed while a task exists"
grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "the alt_platform was withdrawn while a task exists"
pass "a platform that stops verifying keeps its handler and alt_platform while BOINC holds a task"

# Again: nothing changes, nothing is re-verified (the failed verdict is for this very file).
cp "$B/cc_config.xml" "$T/cc.before"
expect_exit 0 pctl reconcile
[ -e "$BF/platformd-aarch64" ] || fail "the second reconcile removed the handler"
cmp -s "$B/cc_config.xml" "$T/cc.before" || fail "the second reconcile changed cc_config.xml"
expect_exit 0 pctl status
grep -E '^aarch64 ' "$T/out" | grep -q unavailable || fail "status does not show aarch64 unavailable: $(cat "$T/out")"
pass "kept, and shown as unavailable with its reason"

# The kept handler is flushed (systemd-binfmt restarted): while the task exists it comes back.
echo -1 >"$BF/platformd-aarch64"
expect_exit 0 pctl reconcile
[ -e "$BF/platformd-aarch64" ] || fail "a kept handler that was flushed was not registered again"
grep -q "KEPT" "$T/err" || fail "the re-registration does not say why: $(cat "$T/out" "$T/err")"
pass "a kept handler that was flushed is registered again while the task exists"

# The task is done (the client's state no longer holds it): both go.
mkdir -p "$T/old-state" && mv "$B"/client_state*.xml "$T/old-state/"
expect_exit 0 pctl reconcile
[ ! -e "$BF/platformd-aarch64" ] || fail "the handler stayed after the task finished"
! grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "the alt_platform stayed after the task finished"
pass "withdrawn by the first reconcile after the task is gone"
