# Issue 20, classes 1 and 2: box64's rc file in the BOINC user's home, played by a real
# unprivileged uid that owns the data directory (lib/attacker.sh). The translator is Debian's
# qemu, described with box64's rcfile so that platformd keeps its block in DATA/.box64rc.
#  1. A hard link in place of .box64rc: root must neither rewrite that file (the old build put
#     a root-owned 4755 file there, the program's bytes plus the block) nor quote it (the old
#     build's warning quoted a secret's value). Root stands in for the link the boinc user
#     makes where fs.protected_hardlinks=0 (the kernel here refuses them a root file).
#  2. What the boinc user writes must not reach the verifying translator: the probe's HOME
#     holds platformd's block alone, 0700 and the probe user's; their lines that reach BOINC's
#     tasks fail the verification (the old build copied them and printed PASS), as does a FIFO
#     in place of the file (the old build: PASS with an empty rc file); a line appended after
#     platformd's block (box64 reads it as [**]) makes status say the platform is not what was
#     verified; a reconcile that cannot write the block fails (the old build exited 0).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
source "$(dirname "$0")/lib/attacker.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
attacker_setup
pctl() { "$PCTL" --gui-rpc-port 1 "$@"; }  # no client: nothing listens on port 1
RC=$B/.box64rc

private_translator aarch64
describe() { # describe PATH: the only aarch64 translator, with box64's rcfile
  cat >"$T/data/emulators/test-qemu.json" <<JSON
{ "name": "test-rc", "package": "qemu-user-static", "requires_static": true,
  "rcfile": { "file": ".box64rc", "settings": { "BOX64_DYNAREC_FASTNAN": "0" } },
  "platforms": { "aarch64": { "path": "$1" } } }
JSON
}
describe "$T/bin/qemu-aarch64-static"

# --- 1. hard links ---------------------------------------------------------------------------
cp /bin/true "$VICTIM/suid-program" && chmod 4755 "$VICTIM/suid-program"
printf '[*a*]\nBOX64_DYNAREC_FASTNAN=hunter2-secret\n' >"$VICTIM/secret" && chmod 0600 "$VICTIM/secret"
for target in suid-program secret; do
  cp -p "$VICTIM/$target" "$T/$target.orig"
  ln "$VICTIM/$target" "$RC"
  set +e
  pctl enable aarch64 >"$T/out" 2>"$T/err"
  rc=$?
  set -e
  check "hard link to $target: enable refuses it (exit $rc)" test "$rc" != 0
  check "hard link to $target: says why" grep -q "hard links" "$T/out" "$T/err"
  check "hard link to $target: nothing quoted" sh -c "! grep -q hunter2 '$T/out' '$T/err'"
  check "hard link to $target: .box64rc is still the link, unchanged" \
    sh -c "[ \"\$(stat -c %i '$RC')\" = \"\$(stat -c %i '$VICTIM/$target')\" ] && cmp '$RC' '$T/$target.orig'"
  check "hard link to $target: no other set-id file in the BOINC home" \
    sh -c "[ -z \"\$(find '$B' -perm /6000 ! -samefile '$VICTIM/$target' -print)\" ]"
  check "hard link to $target: the target is unchanged" cmp "$VICTIM/$target" "$T/$target.orig"
  check "hard link to $target: no handler registered" test ! -e "$BF/platformd-aarch64"
  rm -f "$RC"
done

# --- 2. the probe's HOME, as a translator sees it ---------------------------------------------
# A wrapper in place of the translator for `verify --translator`: it records the HOME it got.
mkdir -m 0777 "$T/seen"
cat >"$T/wrap.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char** argv) {
  (void)argc;
  const char* home = getenv("HOME");
  char path[4096];
  snprintf(path, sizeof path, "%s/rc.%d", SEEN, (int)getpid());
  FILE* out = fopen(path, "w");
  struct stat st;
  if (out && home && stat(home, &st) == 0) {
    fprintf(out, "%o %u\n", (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
    snprintf(path, sizeof path, "%s/.box64rc", home);
    FILE* in = fopen(path, "r");
    int c;
    while (in && (c = fgetc(in)) != EOF) fputc(c, out);
  } else if (out) {
    fprintf(out, "no HOME\n");
  }
  if (out) fclose(out);
  argv[0] = (char*)QEMU;
  execv(QEMU, argv);
  return 127;
}
C
gcc -static -O1 -DSEEN="\"$T/seen\"" -DQEMU="\"$T/bin/qemu-aarch64-static\"" -o "$T/bin/wrap" "$T/wrap.c"
describe "$T/bin/wrap"
as_boinc sh -c "printf '[factorio]\nBOX64_DYNAREC_BIGBLOCK=0\n' >'$RC'"
expect_exit 0 pctl verify --translator "$T/bin/wrap" aarch64
seen=$(find "$T/seen" -type f | head -n1)
check "the probe's HOME is 0700 and the probe user's" sh -c "head -n1 '$seen' | grep -qx '700 65534'"
check "the probe's rc file holds platformd's block alone" sh -c "! grep -q factorio '$seen' && grep -q '^BOX64_DYNAREC_FASTNAN=0' '$seen'"
rm -f "$T/seen"/*

as_boinc sh -c "printf '[**]\nBOX64_LD_LIBRARY_PATH=$ATTACK\n' >'$RC'"
set +e
pctl verify --translator "$T/bin/wrap" aarch64 >"$T/out" 2>"$T/err"
rc=$?
set -e
check "the boinc user's [**] BOX64_LD_LIBRARY_PATH fails the verification (exit $rc)" test "$rc" != 0
check "...and is named, without its value" sh -c "grep -q 'sets BOX64_LD_LIBRARY_PATH' '$T/out' && ! grep -q '$ATTACK' '$T/out' '$T/err'"
check "...and never reaches the verifying translator" sh -c "! grep -rq BOX64_LD_LIBRARY_PATH '$T/seen'"

as_boinc sh -c "rm -f '$RC' && mkfifo '$RC'"
set +e
timeout 60 "$PCTL" --gui-rpc-port 1 verify --translator "$T/bin/wrap" aarch64 >"$T/out" 2>"$T/err"
rc=$?
set -e
check "a FIFO at .box64rc fails the verification (exit $rc), at once" sh -c "[ $rc != 0 ] && [ $rc != 124 ]"
check "...saying why" grep -q "FIFO" "$T/out"
as_boinc rm -f "$RC"

# --- 3. after a clean enable: a line after the block, then a FIFO -----------------------------
describe "$T/bin/qemu-aarch64-static"
expect_exit 0 pctl enable aarch64
check "enable wrote the block" grep -q '^BOX64_DYNAREC_FASTNAN=0' "$RC"
check "the block is root's file, mode 0644, no set-id" test "$(stat -c '%u %a' "$RC")" = "0 644"
expect_exit 0 pctl status
check "status: emulated while the settings are in place" grep -qE '^aarch64 .* emulated ' "$T/out"
# The boinc user cannot write root's file; they replace it (they own the directory) with the
# same text plus a line right after platformd's END marker, which box64 reads as [**].
as_boinc sh -c "cp '$RC' '$RC.new' && echo 'BOX64_DYNAREC_FASTNAN=1' >>'$RC.new' && mv -f '$RC.new' '$RC'"
expect_exit 0 pctl status
check "status: a line after the block makes it unavailable, with why" \
  grep -qE "^aarch64 .* unavailable .*not what BOINC's tasks get.*right after platformd's block.*sets BOX64_DYNAREC_FASTNAN" "$T/out"
as_boinc sh -c "rm -f '$RC' && mkfifo '$RC'"
set +e
pctl reconcile >"$T/out" 2>"$T/err"
rc=$?
set -e
check "reconcile fails when the block cannot be written (exit $rc)" test "$rc" != 0
check "...and says so" grep -q "translator settings BOINC's tasks need could not be written" "$T/err"
expect_exit 0 pctl status
check "status says why" grep -qE "^aarch64 .* unavailable .*FIFO" "$T/out"
finish
