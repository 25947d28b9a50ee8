# A foreign static program runs after `enable` and fails after `disable`; platformctl mounts
# binfmt_misc itself (through libmount) when it is not mounted.
source "$(dirname "$0")/lib/common.sh"

[ ! -e "$BF/register" ] || fail "binfmt_misc should start unmounted in this namespace"
# status reads, never mounts, and says that nothing is mounted.
expect_exit 0 "$PCTL" status
grep -qF "note: binfmt_misc is not mounted at $BF: no program runs through a handler" "$T/out" ||
  fail "status does not say binfmt_misc is unmounted: $(grep note "$T/out")"
[ ! -e "$BF/register" ] || fail "status mounted binfmt_misc"
for arch in aarch64 armhf riscv64; do
  hello=$(build_hello $arch)
  if "$hello" >/dev/null 2>&1; then fail "$arch program ran before enable"; fi
  expect_exit 0 "$PCTL" enable "$arch"
  grep -q "$arch: enabled" "$T/out" || fail "enable $arch did not say so: $(cat "$T/out")"
  [ -e "$BF/platformd-$arch" ] || fail "no platformd-$arch entry after enable"
  grep -qx 'flags: PF' "$BF/platformd-$arch" || fail "platformd-$arch flags: $(grep flags "$BF/platformd-$arch")"
  [ "$("$hello")" = "hello from $arch" ] || fail "$arch program did not run after enable"
  # Enabling again is a no-op that succeeds.
  expect_exit 0 "$PCTL" enable "$arch"
  grep -q "already enabled" "$T/out" || fail "second enable of $arch was not a no-op"
  expect_exit 0 "$PCTL" status --json
  if grep -q "binfmt_misc is not mounted" "$T/out"; then fail "status says unmounted after enable"; fi
  python3 -c "import json,sys; d=json.load(open('$T/out')); p=[x for x in d['platforms'] if x['arch']=='$arch'][0]; sys.exit(p['state']!='emulated')" ||
    fail "status does not show $arch emulated: $(cat "$T/out")"
  expect_exit 0 "$PCTL" disable "$arch"
  [ ! -e "$BF/platformd-$arch" ] || fail "platformd-$arch still registered after disable"
  if "$hello" >/dev/null 2>&1; then fail "$arch program still runs after disable"; fi
  pass "$arch enable/disable"
done
[ -z "$(binfmt_entries)" ] || fail "entries left behind: $(binfmt_entries)"
