# Issue 19 (item 6) and issue 20 (class 5): `platformctl purge`, what the package's postrm runs
# at purge. It removes exactly what platformd wrote, through the same editor as every change:
#  - our handler, and the other tool's entry it took over is enabled again;
#  - our <alt_platform> entry; the user's own entries stay, a duplicate of ours included (the
#    old postrm's sed deleted every line naming one of our platforms);
#  - our block in the BOINC user's .box64rc; the user's own lines stay byte for byte;
#  - the choice (list --enabled is empty afterwards).
# Then the boinc user's move against the old postrm: cc_config.xml swapped for a symlink to a
# root-only file just before the purge. The purge refuses that file (it is neither written nor
# quoted, the link stays a link) and still removes our handler and the rc block.
source "$(dirname "$0")/lib/common.sh"

conf=/usr/lib/binfmt.d/qemu-aarch64.conf
[ -r "$conf" ] || { echo "SKIP: $conf not installed"; exit 77; }
mount -t binfmt_misc binfmt_misc "$BF"
B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
pctl() { "$PCTL" --gui-rpc-port 1 "$@"; }  # no client runs: nothing listens on port 1

# A translator description with an rc file, as box64's: platformd writes its block into the
# BOINC home's .box64rc while the platform is enabled. The translator is Debian's qemu.
private_translator aarch64
cat >"$T/data/emulators/test-qemu.json" <<JSON
{ "name": "test-qemu", "package": "qemu-user-static", "requires_static": true,
  "rcfile": { "file": ".box64rc", "settings": { "BOX64_DYNAREC_FASTNAN": "0" } },
  "platforms": { "aarch64": { "path": "$T/bin/qemu-aarch64-static" } } }
JSON

users_cc_config() {  # the user's own file: their i686 entry
  printf '<cc_config>\n  <options>\n    <alt_platform>i686-pc-linux-gnu</alt_platform>\n  </options>\n</cc_config>\n' \
    >"$B/cc_config.xml"
}
users_cc_config
printf '[factorio]\nBOX64_DYNAREC_BIGBLOCK=0\n' >"$B/.box64rc"
cp "$B/.box64rc" "$T/rc.orig"
sed 's/:OPF$/:/' "$conf" >"$BF/register"  # another tool's aarch64 entry

expect_exit 0 pctl enable --take-over aarch64
[ "$(head -n1 "$BF/qemu-aarch64")" = disabled ] || fail "the other tool's entry was not taken over"
grep -q "<alt_platform>$A64</alt_platform>" "$B/cc_config.xml" || fail "not advertised: $(cat "$B/cc_config.xml")"
grep -q '^BOX64_DYNAREC_FASTNAN=0' "$B/.box64rc" || fail "no rc block: $(cat "$B/.box64rc")"
# The user writes their own aarch64 entry next to ours.
sed -i "s|<alt_platform>i686-pc-linux-gnu</alt_platform>|&\n    <alt_platform>$A64</alt_platform>|" "$B/cc_config.xml"
[ "$(grep -c "<alt_platform>$A64</alt_platform>" "$B/cc_config.xml")" = 2 ] || fail "setup: $(cat "$B/cc_config.xml")"
pass "set up: ours enabled (handler, entry, rc block), the other tool's entry taken over, a user's duplicate"

expect_exit 0 pctl purge
[ ! -e "$BF/platformd-aarch64" ] || fail "our handler stayed"
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "the other tool's entry was not given back: $(cat "$T/out")"
[ "$(grep -c "<alt_platform>$A64</alt_platform>" "$B/cc_config.xml")" = 1 ] ||
  fail "the user's own duplicate did not stay (or ours did): $(cat "$B/cc_config.xml")"
grep -q '<alt_platform>i686-pc-linux-gnu</alt_platform>' "$B/cc_config.xml" || fail "the user's i686 entry went"
cmp "$B/.box64rc" "$T/rc.orig" || fail "the rc file is not the user's own again: $(cat "$B/.box64rc")"
expect_exit 0 pctl list --enabled
[ ! -s "$T/out" ] || fail "still enabled after purge: $(cat "$T/out")"
expect_exit 0 pctl purge
grep -q "nothing of platformd's was left" "$T/out" || fail "a second purge: $(cat "$T/out")"
pass "purge: handler gone, the other entry enabled again, only our alt_platform removed, rc file as the user wrote it"

# The boinc user's move: cc_config.xml becomes a symlink to a root-only file just before the purge.
users_cc_config
expect_exit 0 pctl enable --take-over aarch64
mkdir -m 0700 "$T/secret"
printf '<cc_config><options><alt_platform>%s</alt_platform><x>hunter2-secret</x></options></cc_config>\n' "$A64" \
  >"$T/secret/root-only.xml"
cp "$T/secret/root-only.xml" "$T/secret.orig"
chown 65534:65534 "$B"
ln -sfn "$T/secret/root-only.xml" "$B/cc_config.xml.new" && mv -T "$B/cc_config.xml.new" "$B/cc_config.xml"
set +e
pctl purge >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "purge did not report the refused file: $(cat "$T/out" "$T/err")"
[ -L "$B/cc_config.xml" ] || fail "the symlink was replaced by a file: $(stat -c '%F %U' "$B/cc_config.xml")"
cmp "$T/secret/root-only.xml" "$T/secret.orig" || fail "the root-only file was written"
! grep -q hunter2 "$T/out" "$T/err" || fail "the root-only file's content was quoted"
[ ! -e "$BF/platformd-aarch64" ] || fail "our handler stayed after the refused file"
cmp "$B/.box64rc" "$T/rc.orig" || fail "the rc block stayed after the refused file: $(cat "$B/.box64rc")"
[ "$(head -n1 "$BF/qemu-aarch64")" = enabled ] || fail "the other tool's entry was not given back"
pass "a symlink swapped in at purge is refused (exit $rc: $(head -c 200 "$T/err")); the rest is removed"
