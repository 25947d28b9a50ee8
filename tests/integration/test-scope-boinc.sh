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
#  3. disable --force: no longer enabled; the owner's entry untouched.
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

# The owner's tool: a static x86_64 program that says it ran a program, registered for
# aarch64's magic in the machine's table (no flags, as box64's entry).
cat >"$T/owners-tool.c" <<'C'
#include <stdio.h>
int main(int argc, char** argv) { printf("the owner's tool ran %s\n", argc > 1 ? argv[1] : "?"); return 0; }
C
gcc -static -O1 -o "$T/owners-tool" "$T/owners-tool.c"
chmod 0755 "$T/owners-tool"
grep -v '^#' "$conf" | sed "s|^:qemu-aarch64:|:owners-tool:|; s|:[^:]*:[A-Z]*$|:$T/owners-tool:|" >"$BF/register"
owners_before=$(cat "$BF/owners-tool")
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
BOINC_LAUNCHER=("$LAUNCH" --user boinc --instance-dir "$T/boinc-binfmt")
boinc_start "$B" "$port" || fail "the client did not start through the launcher: $(cat "$B/launcher.log")"
cat "$B/launcher.log"
marker=""
for _ in $(seq 1 300); do
  marker=$(find "$ATTACK" -name ran-aarch64-task 2>/dev/null | head -n1)
  [ -n "$marker" ] && break
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
boinc_stop "$B"
expect_exit 0 pctl disable --force aarch64
check "disable --force: no longer enabled" sh -c "! '$PCTL' list --enabled | grep -qx aarch64"
check "the owner's entry is still enabled and unchanged" test "$(cat "$BF/owners-tool")" = "$owners_before"
finish
