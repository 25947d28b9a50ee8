# Bad translators (docs/bad-input.md): missing, not executable, dynamically linked where F needs
# a static one, an interpreter path longer than the kernel's 127 bytes, one that crashes and
# one that hangs. Each gives one clear error and its exit code, and leaves the machine as it
# was: no entry left in binfmt_misc, cc_config.xml byte-identical, the enabled list unchanged
# (state.json records the failed verification, on purpose).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/snapshot.sh"

private_translator aarch64
Q=$T/bin/qemu-aarch64-static
B=$PLATFORMD_BOINC_DIR
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }  # no client runs: nothing listens on 1
mount -t binfmt_misc binfmt_misc "$BF"                         # the private instance, mounted up front
printf '<cc_config>\n  <options>\n    <max_file_xfers>2</max_file_xfers>\n  </options>\n</cc_config>\n' >"$B/cc_config.xml"
export SNAPSHOT_STATE=choice

# enable_fails CODE TEXT: enable aarch64 exits CODE, says TEXT in one line, changes nothing.
enable_fails() {
  local code=$1 text=$2
  machine_snapshot "$T/before"
  expect_exit "$code" pctl enable aarch64
  grep -qF -- "$text" "$T/err" || fail "expected \"$text\" in: $(cat "$T/err")"
  [ "$(grep -c . "$T/err")" = 1 ] || fail "the error is not one line: $(cat "$T/err")"
  if LC_ALL=C grep -q '[^[:print:][:space:]]' "$T/err"; then fail "raw control bytes in the error: $(od -c "$T/err")"; fi
  machine_snapshot "$T/after"
  same_machine "$T/before" "$T/after"
}

rm -f "$Q"
enable_fails 5 "aarch64: no usable translator: $Q is not installed"
pass "missing translator: exit 5, nothing changed"

cp /usr/bin/qemu-aarch64-static "$Q"
chmod 0644 "$Q"
enable_fails 5 "aarch64: no usable translator: $Q is not executable"
pass "non-executable translator: exit 5, nothing changed"

install -m 0755 /bin/true "$Q"
file -L "$Q" | grep -q 'dynamically linked' || { echo "SKIP: /bin/true is not dynamically linked here"; exit 77; }
enable_fails 5 "aarch64: no usable translator: $Q is dynamically linked; the F flag needs a static translator"
pass "dynamically linked translator: exit 5, nothing changed"

# A real, working translator at a path the kernel cannot take (> 127 bytes).
long=$T/bin/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 60))
mkdir -p "$long"
cp /usr/bin/qemu-aarch64-static "$long/qemu-aarch64-static"
sed -i "s|\"path\": \"[^\"]*\"|\"path\": \"$long/qemu-aarch64-static\"|" "$T/data/emulators/test-qemu.json"
n=$(printf %s "$long/qemu-aarch64-static" | wc -c)
enable_fails 2 "interpreter path is $n bytes, the kernel allows 127"
sed -i "s|\"path\": \"[^\"]*\"|\"path\": \"$Q\"|" "$T/data/emulators/test-qemu.json"
pass "interpreter path of $n bytes: exit 2, nothing changed"

# Static stand-ins for a broken translator. The crashing one first writes what a hostile
# program may write to stderr: an ANSI escape, invalid UTF-8, a bell.
command -v gcc >/dev/null || { echo "SKIP: gcc not installed"; exit 77; }
cat >"$T/crash.c" <<'C'
#include <stdio.h>
int main(void) { fputs("\x1b[2J\xff\xfe translator crashed\a\n", stderr); fflush(stderr); *(volatile int *)0 = 1; return 0; }
C
gcc -static -O1 -o "$T/crash" "$T/crash.c"
install -m 0755 "$T/crash" "$Q"
enable_fails 5 "aarch64: verification failed, handler removed: "
grep -qF 'killed by signal 11' "$T/err" || fail "the crash is not named: $(cat "$T/err")"
grep -qF '\x1b[2J\xff\xfe translator crashed\x07' "$T/err" || fail "its stderr is not shown escaped: $(cat "$T/err")"
pass "crashing translator: exit 5, handler removed, its stderr escaped"

# A translator that never returns: the probe's timeout (30 s) kills it, by PID.
printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$T/hang.c"
gcc -static -O1 -o "$T/hang" "$T/hang.c"
install -m 0755 "$T/hang" "$Q"
start=$SECONDS
enable_fails 5 "aarch64: verification failed, handler removed: "
grep -qF 'timed out after' "$T/err" || fail "the hang is not named: $(cat "$T/err")"
[ $((SECONDS - start)) -lt 120 ] || fail "the hang took $((SECONDS - start)) s to be noticed"
if pgrep -f "^$Q" >/dev/null; then fail "the hanging translator still runs: $(pgrep -af "^$Q")"; fi
pass "hanging translator: killed after $((SECONDS - start)) s, exit 5, handler removed"
