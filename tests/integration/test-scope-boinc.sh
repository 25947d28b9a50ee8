# Issue 21: a platform enabled for BOINC alone (`enable --scope boinc`), with another tool's
# entry for the same programs in the machine's table (standing for box64's x86_64 entry on a
# Raspberry Pi: here "the owner's tool", an aarch64 entry whose interpreter says it ran).
#  1. enable --scope boinc verifies in a scratch namespace made like BOINC's and registers
#     nothing in the machine's table: the owner's entry stays enabled and unchanged, and a
#     program run outside still goes to it; status says scope boinc, emulated.
#  2. The real BOINC client (Debian's), started through platformd-boinc-launch as the boinc user,
#     runs a seeded aarch64 task: the task's program ran under platformd's handler in BOINC's
#     own binfmt_misc instance (its marker file, written by the aarch64 program itself), while the
#     machine's table still has no platformd entry and the owner's tool still serves outside.
#  3. Status reads BOINC's instance through the launcher's record (run dir): emulated, handler in
#     BOINC's own namespace with the client's PID. A handler removed from that instance makes it
#     unavailable ("is missing"), and reconcile puts it back: the CLI's, then the daemon's on
#     SIGHUP (over D-Bus, status too). A D-Bus Enable with a scope that is no word of ours is
#     refused (InvalidArgs).
#  4. A client that answers but was not started by the launcher: unavailable, saying so.
#  5. disable --force: no longer enabled; the owner's entry untouched.
#  6. The apply file's "scope": enabled for BOINC alone; a file asking to move it to the global
#     scope is refused while BOINC holds the task (exit 6), and nothing changes.
#  7. Where no user namespace can be made (a chroot's case; here user.max_user_namespaces set to
#     0 in this test's own namespace), enable --scope boinc is refused (exit 3) naming that
#     cause, not the kernel's version, and nothing is enabled.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
source "$(dirname "$0")/lib/boinc.sh"
source "$(dirname "$0")/lib/attacker.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "SKIP: aarch64-linux-gnu-gcc not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
attacker_setup  # the name "boinc" is a real unprivileged uid, owning the data directory $B
port=$(boinc_free_port)
pctl() { "$PCTL" --gui-rpc-port "$port" "$@"; }
LAUNCH=$PLATFORMD_STAGE/lib/platformd/platformd-boinc-launch
[ -x "$LAUNCH" ] || fail "$LAUNCH is not installed"
hello=$(build_hello aarch64)
chmod 0755 "$hello"

register_owners_tool "$conf"  # stands for box64's entry
outside() { "$hello" 2>&1; }
[ "$(outside)" = "the owner's tool ran $hello" ] || fail "setup: $(outside)"

# --- 1 ---
printf '<cc_config>\n</cc_config>\n' >"$B/cc_config.xml"
chown boinc:boinc "$B/cc_config.xml"
expect_exit 0 pctl enable --scope boinc aarch64
grep -q "for BOINC's tasks alone (scope boinc)" "$T/out" || fail "enable did not say the scope: $(cat "$T/out")"
check "the machine's table has no platformd entry" sh -c "! ls '$BF' | grep -q '^platformd-'"
check "the owner's entry is enabled and unchanged" test "$(cat "$BF/owners-tool")" = "$owners_before"
check "a program run outside still goes to the owner's tool" test "$(outside)" = "the owner's tool ran $hello"
check "cc_config.xml advertises aarch64 to BOINC" grep -q '<alt_platform>aarch64-unknown-linux-gnu</alt_platform>' "$B/cc_config.xml"
expect_exit 0 pctl --json status
check "status: aarch64 emulated, scope boinc" python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(open(sys.argv[1]))["platforms"]}["aarch64"]
sys.exit(0 if p["state"] == "emulated" and p["scope"] == "boinc" else 1)' "$T/out"

# --- 2 ---
# The task's program: an aarch64 program that leaves a marker where the test reads it (the
# client empties the slot directory when the task ends).
cat >"$T/app.c" <<'C'
#include <stdio.h>
#include <unistd.h>
int main(void) {
  FILE* f = fopen(MARKER, "w");
  if (!f) return 1;
  fprintf(f, "uid %u\n", (unsigned)getuid());
  fclose(f);
  return 0;
}
C
aarch64-linux-gnu-gcc -static -O1 -DMARKER="\"$ATTACK/ran-aarch64-task\"" -o "$T/app" "$T/app.c"
boinc_seed_task "$B" aarch64-unknown-linux-gnu
exe=$B/projects/fake.example.org/fakeapp_1.00_aarch64-unknown-linux-gnu
old_size=$(stat -c %s "$exe")
cp "$T/app" "$exe"
chmod 0755 "$exe"
# The client runs it: run mode "always", the executable's real size.
sed -i "s|<nbytes>$old_size</nbytes>|<nbytes>$(stat -c %s "$exe")</nbytes>|; s|<user_run_request>3</user_run_request>|<user_run_request>1</user_run_request>|" \
  "$B/client_state.xml"
chown -R boinc:boinc "$B"
RUN=$T/boinc-run  # /run/platformd-boinc on a machine (the unit's RuntimeDirectory)
export PLATFORMD_BOINC_RUN_DIR=$RUN
BOINC_LAUNCHER=("$LAUNCH" --user boinc --run-dir "$RUN")
boinc_start "$B" "$port" || fail "the client did not start through the launcher: $(cat "$B/launcher.log")"
cat "$B/launcher.log"
marker=""
for _ in $(seq 1 300); do
  marker=$(find "$ATTACK" -name ran-aarch64-task 2>/dev/null | head -n1)
  # Written once the program has closed it (found earlier, under load, it was still empty).
  [ -n "$marker" ] && grep -q '^uid ' "$marker" && break
  sleep 0.2
done
[ -n "$marker" ] || {
  echo "--- the client's log"
  tail -n 5 "$B/stdoutdae.txt" "$B/stderrdae.txt" 2>&1
  boinc_get_state "$port" | sed -n '/^<result>/,/^<\/result>/p' | head -40
}
check "the client ran the aarch64 task's program (its marker: $marker)" test -n "$marker"
check "...as the boinc user" grep -qx "uid $UNPRIV_UID" "${marker:-/nonexistent}"
check "the launcher put platformd's handler in BOINC's instance" grep -q "handler platformd-aarch64" "$B/launcher.log"
check "the machine's table still has no platformd entry" sh -c "! ls '$BF' | grep -q '^platformd-'"
check "the owner's entry is still enabled and unchanged" test "$(cat "$BF/owners-tool")" = "$owners_before"
check "a program run outside still goes to the owner's tool" test "$(outside)" = "the owner's tool ran $hello"

# --- 3 ---
aarch64_status() {
  python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(open(sys.argv[1]))["platforms"]}["aarch64"]
print(p["state"], "|", p["reason"])' "$T/out"
}
check "the launcher recorded the client" test -s "$RUN/client"
cpid=$(cut -d' ' -f1 "$RUN/client")
echo "the client: PID $cpid, user namespace $(readlink "/proc/$cpid/ns/user") (ours: $(readlink /proc/self/ns/user))"
check "the client runs in a user namespace of its own" test "$(readlink "/proc/$cpid/ns/user")" != "$(readlink /proc/self/ns/user)"
inst=/proc/$cpid/root$RUN/binfmt
expect_exit 0 pctl --json status
echo "status: $(aarch64_status)"
aarch64_status >"$T/st"
check "status: emulated, its handler in BOINC's own namespace (client PID $cpid)" \
  grep -q "^emulated | .*handler platformd-aarch64 in BOINC's own namespace (client PID $cpid)" "$T/st"
echo -1 >"$inst/platformd-aarch64"
expect_exit 0 pctl --json status
echo "status, the handler removed from BOINC's instance: $(aarch64_status)"
aarch64_status >"$T/st"
check "status: unavailable, the handler is missing from BOINC's instance" \
  grep -q "^unavailable | .*platformd-aarch64 in BOINC's own namespace (client PID $cpid) is missing" "$T/st"
expect_exit 0 pctl reconcile
cat "$T/out"
check "reconcile put it back" test -e "$inst/platformd-aarch64"
check "reconcile said so" grep -q "repaired aarch64: handler platformd-aarch64" "$T/out"
check "the machine's table still has no platformd entry" sh -c "! ls '$BF' | grep -q '^platformd-'"

# The daemon: SIGHUP (as the safety-net timer would, within 60 s) heals the instance the same way.
dbus_start
PLATFORMD_GUI_RPC_PORT=$port platformd_start
echo -1 >"$inst/platformd-aarch64"
kill -HUP "$PLATFORMD_PID"
check "the daemon put the handler back into BOINC's instance" wait_for 30 test -e "$inst/platformd-aarch64"
check "...and logged it" wait_for 10 grep -q "repaired aarch64: handler platformd-aarch64" "$DAEMON_LOG"
bus_call ListPlatforms
check "D-Bus ListPlatforms: aarch64 emulated" grep -q '"aarch64" "aarch64-unknown-linux-gnu" true "emulated"' "$T/out"
expect_exit 0 pctl --json status  # through the daemon now: the scope crosses D-Bus
check "status through the daemon: aarch64 emulated, scope boinc" python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(open(sys.argv[1]))["platforms"]}["aarch64"]
sys.exit(0 if p["state"] == "emulated" and p["scope"] == "boinc" else 1)' "$T/out"
rc=0
bus_call Enable 'asa{sv}' 1 aarch64 1 scope s BOINC || rc=$?
check "D-Bus Enable with scope \"BOINC\": refused" test "$rc" != 0
check "...as InvalidArgs, naming the words" grep -q 'option "scope" is "global" or "boinc", not "BOINC"' "$T/err"
platformd_stop
dbus_stop
check "the machine's table still has no platformd entry" sh -c "! ls '$BF' | grep -q '^platformd-'"

# --- 4 ---
boinc_stop "$B"
check "the launcher removed its record when the client ended" test ! -e "$RUN/client"
BOINC_LAUNCHER=()
boinc_start "$B" "$port" || fail "the client did not start"
expect_exit 0 pctl --json status
echo "status, a client started without the launcher: $(aarch64_status)"
aarch64_status >"$T/st"
check "status: unavailable, the client was not started by the launcher" \
  grep -q "^unavailable | .*not started by platformd-boinc-launch" "$T/st"

# --- 5 ---
boinc_stop "$B"
expect_exit 0 pctl disable --force aarch64
check "disable --force: no longer enabled" sh -c "! '$PCTL' list --enabled | grep -qx aarch64"
check "the owner's entry is still enabled and unchanged" test "$(cat "$BF/owners-tool")" = "$owners_before"

# --- 6: the apply file carries the scope ---
# The task again, as step 2 seeded it: its program exits at once without a finish file, and the
# client aborts a task after 100 such exits (client/app_control.cpp, handle_premature_exit), which
# a slow run reached before this step (CI's ASan stage, session 22: apply found no task).
boinc_seed_task "$B" aarch64-unknown-linux-gnu
chown -R boinc:boinc "$B"
printf '{"version": 1, "platforms": [{"name": "aarch64", "state": "enabled", "scope": "boinc"}]}\n' >"$T/boinc.json"
expect_exit 8 pctl apply "$T/boinc.json"  # 8: changed
expect_exit 0 pctl --json status
check "apply: aarch64 enabled with scope boinc" python3 -c '
import json, sys
p = {x["arch"]: x for x in json.load(open(sys.argv[1]))["platforms"]}["aarch64"]
sys.exit(0 if p["enabled"] and p["scope"] == "boinc" else 1)' "$T/out"
check "the machine's table still has no platformd entry" sh -c "! ls '$BF' | grep -q '^platformd-'"
printf '{"version": 1, "platforms": [{"name": "aarch64", "state": "enabled", "scope": "global"}]}\n' >"$T/global.json"
expect_exit 6 pctl apply "$T/global.json"
check "apply: moving it to scope global is refused while BOINC holds its task (test-scope-move.sh moves it)" \
  grep -q "refusing to move to scope global: BOINC holds 1 unfinished task(s).*wu1_0" "$T/out" "$T/err"
check "...nothing registered in the machine's table" sh -c "! ls '$BF' | grep -q '^platformd-'"
expect_exit 0 pctl disable --force aarch64

# --- 7: no user namespace can be made (last: nothing after this one may make one) ---
echo 0 >/proc/sys/user/max_user_namespaces
expect_exit 3 pctl enable --scope boinc aarch64
check "refused, naming why no user namespace could be made" grep -qF \
  "binfmt_misc instance of its own (Linux 6.7 or later): BOINC's namespace: unshare(CLONE_NEWUSER|CLONE_NEWNS) (refused inside a chroot, and where user.max_user_namespaces is 0)" "$T/err"
check "...nothing enabled" sh -c "! '$PCTL' list --enabled | grep -qx aarch64"
finish
