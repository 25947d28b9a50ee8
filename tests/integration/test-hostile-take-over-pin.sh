# Issue 20, class 4: a peer cannot pin another tool's entry disabled. After `enable --take-over
# aarch64` and `disable aarch64`, our handler stays while the BOINC client lists aarch64 (it
# fetches tasks for it until restarted), and with it the other tool's entry stays disabled. The
# attacker's move: an unprivileged listener on the GUI RPC port that answers get_state with
# aarch64 listed, for ever. The old build kept the platform "withdrawing" through every
# reconcile, the other entry disabled, for as long as the listener answered. Now the entry is
# given back after Paths::take_over_release_after (3 s here, PLATFORMD_TAKE_OVER_RELEASE_SECONDS;
# 10 min by default), with a warning; status shows the deadline while it waits.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/hostile.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)
export PLATFORMD_TAKE_OVER_RELEASE_SECONDS=3
pctl() { "$PCTL" --gui-rpc-port "$port" "$@"; }
sed 's/:OPF$/:/' "$conf" >"$BF/register"  # the other tool's entry

printf '<cc_config>\n</cc_config>\n' >"$B/cc_config.xml"
expect_exit 0 pctl enable --take-over aarch64
[ "$(head -n1 "$BF/qemu-aarch64")" = disabled ] || fail "not taken over"

cat >"$T/reply.xml" <<'XML'
<boinc_gui_rpc_reply>
<client_state>
<platform_name>x86_64-pc-linux-gnu</platform_name>
<platform>x86_64-pc-linux-gnu</platform>
<platform>aarch64-unknown-linux-gnu</platform>
</client_state>
</boinc_gui_rpc_reply>
XML
fake_rpc_start "$port" "$T/reply.xml"
expect_exit 0 pctl disable aarch64
[ -e "$BF/platformd-aarch64" ] || fail "the handler went at once although the 'client' lists aarch64: $(cat "$T/out")"
[ "$(head -n1 "$BF/qemu-aarch64")" = disabled ] || fail "the other entry came back at once"
pass "disable: withdrawing while the peer lists aarch64"
expect_exit 0 pctl status
# Checked at the end, so that one run of an old build measures the pin itself too.
status_deadline=0
grep -qE "^aarch64 .* withdrawing .*entry 'qemu-aarch64' of another tool, taken over, is enabled again .*at the latest" \
  "$T/out" && status_deadline=1
grep '^aarch64' "$T/out"

expect_exit 0 pctl reconcile
[ "$(head -n1 "$BF/qemu-aarch64")" = disabled ] || fail "given back before the bound"
sleep 4
expect_exit 0 pctl reconcile
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "still pinned after the bound: $(cat "$T/out" "$T/err")"
[ ! -e "$BF/platformd-aarch64" ] || fail "our handler stayed"
grep -q "gave the other tool's entry back after 3 s of withdrawal, although the BOINC client still lists" "$T/err" ||
  fail "no warning: $(cat "$T/err")"
expect_exit 0 pctl status
grep -qE '^aarch64 .* (available|unavailable) ' "$T/out" || fail "status: $(grep '^aarch64' "$T/out")"
fake_rpc_stop
[ "$status_deadline" = 1 ] || fail "status did not show when the other entry comes back at the latest"
pass "after the bound, the peer still answering: our handler removed, the other tool's entry enabled again, with a warning"
