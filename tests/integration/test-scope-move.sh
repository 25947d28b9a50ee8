# Issue 21: moving an enabled platform between scopes, and back, with the real BOINC client
# (Debian's) started through platformd-boinc-launch and holding an unfinished task of it, and
# another tool's entry for the same programs in the machine's table (standing for box64's).
#  1. enable --scope boinc; the client starts through the launcher: BOINC's instance has the
#     handler, the machine's table none.
#  2. enable --scope global: refused while BOINC holds the task (exit 6, naming it), nothing
#     changed.
#  3. with --force, but without --take-over: the owner's entry claims the programs, so the
#     platform stays in scope boinc, untouched.
#  4. --force --take-over: moved. Our handler in the machine's table, the owner's entry disabled,
#     BOINC's instance holding a copy of the machine's entry; status says scope global.
#  5. enable --scope boinc --force: moved back. Our handler left the machine's table, the
#     owner's entry is enabled again and unchanged; BOINC's instance has the handler; status says
#     scope boinc.
#  6. apply: a file asking for the other scope plans the move (--check), and the move is
#     refused while the task exists, as enable's.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/unprivileged.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/attacker.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
attacker_setup  # the name "boinc" is a real unprivileged uid, owning the data directory $B
port=$(boinc_free_port)
pctl() { "$PCTL" --gui-rpc-port "$port" "$@"; }
LAUNCH=$PLATFORMD_STAGE/lib/platformd/platformd-boinc-launch
[ -x "$LAUNCH" ] || fail "$LAUNCH is not installed"

register_owners_tool "$conf"  # stands for box64's entry
scope_is() {
  expect_exit 0 pctl --json status
  python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(open(sys.argv[1]))["platforms"]}["aarch64"]
print("status:", p["state"], p["scope"], "|", p["reason"])
sys.exit(0 if p["enabled"] and p["state"] == "emulated" and p["scope"] == sys.argv[2] else 1)' "$T/out" "$1"
}
interpreter_of() { sed -n 's/^interpreter //p' "$1"; }

# --- 1 ---
printf '<cc_config>\n</cc_config>\n' >"$B/cc_config.xml"
boinc_seed_task "$B" aarch64-unknown-linux-gnu  # run mode "never": it stays unfinished
chown -R boinc:boinc "$B"
expect_exit 0 pctl enable --scope boinc aarch64
RUN=$T/boinc-run
export PLATFORMD_BOINC_RUN_DIR=$RUN
BOINC_LAUNCHER=("$LAUNCH" --user boinc --run-dir "$RUN")
boinc_start "$B" "$port" || fail "the client did not start through the launcher: $(cat "$B/launcher.log")"
cpid=$(cut -d' ' -f1 "$RUN/client")
inst=/proc/$cpid/root$RUN/binfmt
check "BOINC's instance has the handler" test -e "$inst/platformd-aarch64"
check "the machine's table has none" no_platformd_entry
check "scope boinc" scope_is boinc

# --- 2 ---
expect_exit 6 pctl enable --scope global aarch64
cat "$T/err"
check "moving to global with a task of it: refused, naming the task" grep -q "refusing to move to scope global: BOINC holds 1 unfinished task(s).*wu1_0" "$T/err"
check "...nothing changed: no platformd entry in the machine's table" no_platformd_entry
check "...the owner's entry as it was" test "$(cat "$BF/owners-tool")" = "$owners_before"
check "...still scope boinc" scope_is boinc

# --- 3 ---
expect_exit 4 pctl enable --scope global --force aarch64
cat "$T/out" "$T/err"
check "without --take-over the owner's entry keeps the programs: it stays in scope boinc" \
  grep -q "aarch64: stays enabled for BOINC's tasks alone (scope boinc), its handler untouched" "$T/out"
check "...nothing registered in the machine's table" no_platformd_entry
check "...still scope boinc" scope_is boinc

# --- 4 ---
expect_exit 0 pctl enable --scope global --force --take-over aarch64
cat "$T/out"
check "moved to global: said" grep -q "aarch64: moved to every program (scope global)" "$T/out"
check "our handler is in the machine's table" test -e "$BF/platformd-aarch64"
check "...enabled" grep -qx enabled "$BF/platformd-aarch64"
check "the owner's entry is disabled (taken over)" grep -qx disabled "$BF/owners-tool"
check "BOINC's instance holds a copy of the machine's entry" \
  test "$(interpreter_of "$inst/platformd-aarch64")" = "$(interpreter_of "$BF/platformd-aarch64")"
check "scope global" scope_is global

# --- 5 ---
expect_exit 0 pctl enable --scope boinc --force aarch64
cat "$T/out"
check "moved to boinc: said" grep -q "aarch64: moved to BOINC's tasks alone (scope boinc): handler platformd-aarch64 left the machine's table" "$T/out"
check "no platformd entry is left in the machine's table" no_platformd_entry
check "the owner's entry is enabled again and unchanged" test "$(cat "$BF/owners-tool")" = "$owners_before"
check "BOINC's instance has the handler" test -e "$inst/platformd-aarch64"
check "scope boinc" scope_is boinc

# --- 6 ---
printf '{"version": 1, "platforms": [{"name": "aarch64", "state": "enabled", "scope": "global"}]}\n' >"$T/global.json"
expect_exit 8 pctl apply --check "$T/global.json"
check "apply --check plans the move" grep -q "enabled with scope boinc, the file asks for global" "$T/out"
expect_exit 6 pctl apply "$T/global.json"
check "apply: the move refused while the task exists" grep -q "refusing to move to scope global" "$T/out" "$T/err"
check "...nothing changed" no_platformd_entry
boinc_stop "$B"
finish
