# Issue 14: `enable --take-over`. Another tool's entry claims the platform's programs and does
# not verify: here Debian's qemu-aarch64 entry registered without flags, as Debian 13's box64
# package registers x86_64 (/usr/lib/binfmt.d/box64.conf, no flags: it cannot run a program
# from an empty root). Without --take-over: a conflict (exit 4) that names the entry and the
# option; nothing changes. With it: that entry is disabled (never removed or edited: its
# file is the same but for "disabled"), ours is registered and proven, a static aarch64
# program runs through ours; a reconcile disables it again when its tool registers it anew
# (systemd-binfmt at boot or restart: ours flushed too, theirs back, enabled); disable gives
# it back enabled; and a take-over whose own verification fails gives it back at once.
source "$(dirname "$0")/lib/common.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
hello=$(build_hello aarch64)
theirs() { sed 's/:OPF$/:/' "$conf" >"$BF/register"; }  # the other tool registers its entry
state_has() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if $1 else 1)" "$PLATFORMD_STATE_DIR/state.json"; }

theirs
before=$(sed 1d "$BF/qemu-aarch64")
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "the other tool's entry is not enabled"

# 1. Without --take-over.
expect_exit 4 "$PCTL" enable aarch64
grep -q "'qemu-aarch64'" "$T/err" || fail "the conflict does not name the entry: $(cat "$T/err")"
grep -q -- "--take-over" "$T/err" || fail "the conflict does not offer --take-over: $(cat "$T/err")"
[ "$(binfmt_entries)" = qemu-aarch64 ] || fail "entries: $(binfmt_entries)"
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "a refused enable changed the other entry"
pass "without --take-over: conflict (exit 4) naming the entry and the option; nothing changed"

# 2. With --take-over.
expect_exit 0 "$PCTL" enable --take-over aarch64
grep -q "took over from entry 'qemu-aarch64'" "$T/out" || fail "enable does not say what it took over: $(cat "$T/out")"
[ "$(head -n1 "$BF/qemu-aarch64")" = disabled ] || fail "the other entry is not disabled: $(cat "$BF/qemu-aarch64")"
[ "$(sed 1d "$BF/qemu-aarch64")" = "$before" ] || fail "the other entry was edited"
[ -e "$BF/platformd-aarch64" ] || fail "no entry of ours"
[ "$("$hello")" = "hello from aarch64" ] || fail "the aarch64 program does not run"
state_has "s.get('taken_over') == {'aarch64': ['qemu-aarch64']}" || fail "state.json: $(cat "$PLATFORMD_STATE_DIR/state.json")"
expect_exit 0 "$PCTL" status
grep -q "taken over (--take-over) from entry 'qemu-aarch64'" "$T/out" || fail "status does not say: $(cat "$T/out")"
pass "--take-over: theirs disabled (unchanged otherwise), ours registered and proven, the program runs"

# 3. Its tool registers it anew (systemd-binfmt restart: every entry flushed, theirs back).
echo -1 >"$BF/platformd-aarch64"
echo -1 >"$BF/qemu-aarch64"
theirs
expect_exit 0 "$PCTL" reconcile
grep -q "disabled entry 'qemu-aarch64' of another tool again" "$T/out" || fail "reconcile: $(cat "$T/out")"
[ "$(head -n1 "$BF/qemu-aarch64")" = disabled ] || fail "reconcile left the other entry enabled"
[ -e "$BF/platformd-aarch64" ] || fail "reconcile did not register ours again: $(cat "$T/out")"
[ "$("$hello")" = "hello from aarch64" ] || fail "the aarch64 program does not run after the repair"
pass "reconcile after the other tool registered it anew: disabled again, ours back"

# 4. disable gives it back.
expect_exit 0 "$PCTL" disable aarch64
[ ! -e "$BF/platformd-aarch64" ] || fail "our entry stayed"
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "disable did not enable the other entry again"
grep -q "enabled entry 'qemu-aarch64' of another tool again" "$T/out" || fail "disable does not say: $(cat "$T/out")"
state_has "'taken_over' not in s" || fail "state.json still records the take-over"
pass "disable: ours removed, theirs enabled again"

# 5. A take-over whose own translator fails verification gives theirs back at once.
private_translator aarch64
cp /usr/bin/qemu-arm-static "$T/bin/qemu-aarch64-static"  # the wrong machine: the probe cannot run
expect_exit 5 "$PCTL" enable --take-over aarch64
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "a failed take-over left the other entry disabled"
[ ! -e "$BF/platformd-aarch64" ] || fail "a failed take-over left our entry"
state_has "'taken_over' not in s" || fail "state.json records a failed take-over"
pass "a take-over that does not verify: ours removed, theirs enabled again (exit 5)"
