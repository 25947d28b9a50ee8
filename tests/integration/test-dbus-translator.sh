# A replaced translator is registered again. The F flag makes the kernel open the interpreter
# once, at registration, and keep that inode: after `mv new-qemu qemu` (what dpkg does), the
# entry still runs the OLD file until it is registered anew. The daemon watches the
# translator's directory and re-registers; we see which file runs through /proc/PID/exe of an
# emulated process ("... (deleted)" while the old inode is still pinned).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"

command -v aarch64-linux-gnu-gcc >/dev/null || { echo "SKIP: aarch64-linux-gnu-gcc not installed"; exit 77; }

# A data directory like the installed one, whose only translator for aarch64 is a copy we own.
private_translator aarch64

printf '#include <unistd.h>\nint main(void){sleep(5);return 0;}\n' >"$T/sleeper.c"
aarch64-linux-gnu-gcc -static -O1 -o "$T/sleeper-aarch64" "$T/sleeper.c"
# The file an emulated process runs from, as the kernel sees it.
running_translator() {
  "$T/sleeper-aarch64" &
  local pid=$! exe
  sleep 0.2
  exe=$(readlink "/proc/$pid/exe" || true)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$exe"
}
not_deleted() { [ "$(running_translator)" = "$T/bin/qemu-aarch64-static" ]; }

dbus_start
platformd_start
bus_call Enable 'asa{sv}' 1 aarch64 0 || fail "Enable aarch64: $(cat "$T/err")"
grep -qx "interpreter $T/bin/qemu-aarch64-static" "$BF/platformd-aarch64" ||
  fail "entry does not use the test translator: $(cat "$BF/platformd-aarch64")"
[ "$(running_translator)" = "$T/bin/qemu-aarch64-static" ] || fail "emulated process runs from $(running_translator)"

# Replace the file the way a package upgrade does: new inode, renamed over the old one.
cp /usr/bin/qemu-aarch64-static "$T/bin/.qemu-aarch64-static.new"
echo "upgraded" >>"$T/bin/.qemu-aarch64-static.new"  # another size too, like a real upgrade
mv -f "$T/bin/.qemu-aarch64-static.new" "$T/bin/qemu-aarch64-static"
echo "right after the replacement the kernel runs: $(running_translator)"

wait_for 15 not_deleted || fail "still running the replaced file 15 s later: $(running_translator)"
# The entry is registered before the new file is verified (probe, benchmark); the repair is
# logged once the verification is done.
wait_for 300 grep -q "ACTION=repair PLATFORM=aarch64 TRANSLATOR=$T/bin/qemu-aarch64-static" "$DAEMON_LOG" ||
  fail "the re-registration was not logged: $(cat "$DAEMON_LOG")"
grep -q "translator $T/bin/qemu-aarch64-static changed" "$DAEMON_LOG" || fail "the trigger was not the translator watch"
pass "replaced translator re-registered without a call"

# And through a call: replace again, then ask at once.
cp /usr/bin/qemu-aarch64-static "$T/bin/.qemu-aarch64-static.new"
mv -f "$T/bin/.qemu-aarch64-static.new" "$T/bin/qemu-aarch64-static"
bus_call ListPlatforms || fail "ListPlatforms: $(cat "$T/err")"
not_deleted || fail "the next call did not re-register the replaced translator: $(running_translator)"
pass "replaced translator re-registered by the next call"
