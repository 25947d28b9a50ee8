# Malformed data files (docs/bad-input.md): platforms/catalog.json and emulators/*.json. Every
# command stops with exit 7 and a message naming the file (a broken description must not
# silently remove a translator), and nothing is changed.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/snapshot.sh"

private_translator aarch64
B=$PLATFORMD_BOINC_DIR
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }
mount -t binfmt_misc binfmt_misc "$BF"
printf '<cc_config>\n  <options>\n  </options>\n</cc_config>\n' >"$B/cc_config.xml"

# every_command_fails FILE TEXT: status, enable and disable exit 7 naming FILE; nothing changed.
every_command_fails() {
  local file=$1 text=$2
  machine_snapshot "$T/before"
  for cmd in status "enable aarch64" "disable aarch64"; do
    # shellcheck disable=SC2086
    expect_exit 7 pctl $cmd
    grep -qF -- "$file" "$T/err" || fail "'$cmd': the error does not name $file: $(cat "$T/err")"
    grep -qF -- "$text" "$T/err" || fail "'$cmd': expected \"$text\" in: $(cat "$T/err")"
  done
  machine_snapshot "$T/after"
  same_machine "$T/before" "$T/after"
}

E=$T/data/emulators/broken.json
for bad in 'not json' '{"name": "x", "platforms": {"aarch64": {"path": 3}}}' \
  '{"name": "x", "platforms": {"aarch64": {"path": "relative/qemu"}}}' '{"name": "x", "platforms": {"a:b": {"path": "/x"}}}'; do
  printf '%s\n' "$bad" >"$E"
  every_command_fails "$E" "$E"
done
rm -f "$E"
pass "malformed emulator descriptions: exit 7 naming the file, nothing changed"

C=$T/data/catalog.json
cp "$C" "$T/catalog.good"
head -c 100 "$T/catalog.good" >"$C"  # truncated
every_command_fails "$C" "not valid JSON"
sed 's/"elf_class": *2/"elf_class": 2e30/' "$T/catalog.good" >"$C"
every_command_fails "$C" "elf_class must be an integer from 1 to 2"
cp "$T/catalog.good" "$C"
pass "malformed catalog: exit 7 naming the file, nothing changed"

# And with a good catalog and descriptions again, enable works: the failures left nothing behind.
expect_exit 0 pctl status
pass "good data files work again"
