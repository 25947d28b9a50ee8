# Issue 13, scenario C's rule in the namespace: a compat platform the kernel runs natively
# (i686 on an x86_64 kernel with IA32 emulation here; aarch64 under Raspberry Pi OS 32-bit on
# a 64-bit kernel) is enabled NATIVELY: advertised to BOINC as an <alt_platform>, with no
# translator and never a binfmt_misc handler (one would capture the programs the kernel
# runs). A watcher polls the table during enable; reconcile leaves it alone; disable takes
# only the advertisement back. The userland's own platform is still refused (exit 3).
source "$(dirname "$0")/lib/common.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: needs an x86_64 kernel"; exit 77; }
B=$PLATFORMD_BOINC_DIR
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }
expect_exit 0 pctl --json status
python3 -c "import json,sys; sys.exit(0 if [p for p in json.load(open(sys.argv[1]))['platforms'] if p['arch']=='i686' and p['state']=='native'] else 1)" "$T/out" ||
  { echo "SKIP: this kernel does not run i686 natively (no IA32 emulation)"; exit 77; }

pctl enable i686 >"$T/out" 2>"$T/err" &
pid=$!
: >"$T/seen"
while kill -0 "$pid" 2>/dev/null; do
  [ -n "$(binfmt_entries)" ] && binfmt_entries >>"$T/seen"
  sleep 0.02
done
wait "$pid" || fail "enable i686 failed: $(cat "$T/out" "$T/err")"
[ ! -s "$T/seen" ] || fail "a handler appeared during enable: $(sort -u "$T/seen")"
grep -q "i686: enabled natively" "$T/out" || fail "enable does not say it is native: $(cat "$T/out")"
grep -q "<alt_platform>i686-pc-linux-gnu</alt_platform>" "$B/cc_config.xml" || fail "not advertised: $(cat "$B/cc_config.xml")"
expect_exit 0 pctl status
grep -E "^i686 .*native .*enabled: advertised to BOINC, no handler" "$T/out" >/dev/null || fail "status: $(cat "$T/out")"
pass "i686 enabled natively: advertised, no handler at any time"

cp "$B/cc_config.xml" "$T/cc.before"
expect_exit 0 pctl reconcile
[ -z "$(binfmt_entries)" ] || fail "reconcile registered $(binfmt_entries)"
cmp -s "$B/cc_config.xml" "$T/cc.before" || fail "reconcile changed cc_config.xml"
expect_exit 0 pctl enable i686
grep -q "already enabled (runs natively)" "$T/out" || fail "second enable: $(cat "$T/out")"
pass "reconcile and a second enable leave it as it is"

expect_exit 3 pctl enable x86_64
[ -z "$(binfmt_entries)" ] || fail "enable x86_64 registered $(binfmt_entries)"
expect_exit 0 pctl disable i686
! grep -q "i686-pc-linux-gnu" "$B/cc_config.xml" || fail "disable left the advertisement"
[ -z "$(binfmt_entries)" ] || fail "entries: $(binfmt_entries)"
expect_exit 3 pctl disable i686
pass "the userland's own platform is refused; disable withdraws the advertisement only"
