# Issue 3: `enable aarch64` adds <alt_platform> to cc_config.xml (creating the file); after a
# restart the REAL client lists aarch64-unknown-linux-gnu in get_state; `disable` removes the
# entry and after a restart the client no longer lists it.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/boinc.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
trap 'boinc_stop "$B"' EXIT

boinc_start "$B" "$port"
[ ! -e "$B/cc_config.xml" ] || fail "the client should start without cc_config.xml"
before=$(boinc_platforms "$port")
! grep -qx "$A64" <<<"$before" || fail "client lists $A64 before enable"

expect_exit 0 pctl enable aarch64
grep -qx "    <alt_platform>$A64</alt_platform>" "$B/cc_config.xml" || fail "no entry: $(cat "$B/cc_config.xml")"
# Not a systemd service here: the client is not restarted, and the report says so.
grep -q "must be restarted" "$T/err" || fail "no restart advice: $(cat "$T/out" "$T/err")"
! boinc_platforms "$port" | grep -qx "$A64" || fail "client lists $A64 before its restart"
pass "enable wrote the entry and asked for a restart"

boinc_restart "$B" "$port"
boinc_platforms "$port" | grep -qx "$A64" || fail "client does not list $A64 after restart: $(boinc_platforms "$port")"
expect_exit 0 pctl status --json
python3 -c "import json,sys; d=json.load(open('$T/out')); p=[x for x in d['platforms'] if x['arch']=='aarch64'][0]; sys.exit(p['boinc_reports'] is not True)" ||
  fail "status does not show the client reporting aarch64: $(cat "$T/out")"
# Enabling again changes nothing and needs no restart.
cp "$B/cc_config.xml" "$T/cc1"
expect_exit 0 pctl enable aarch64
cmp -s "$T/cc1" "$B/cc_config.xml" || fail "second enable changed cc_config.xml"
! grep -q "must be restarted" "$T/err" || fail "second enable asked for a restart"
pass "after a restart get_state lists $A64"

expect_exit 0 pctl disable aarch64
! grep -q "alt_platform>$A64<" "$B/cc_config.xml" || fail "entry still there after disable"
boinc_restart "$B" "$port"
! boinc_platforms "$port" | grep -qx "$A64" || fail "client still lists $A64 after disable + restart"
[ "$(boinc_platforms "$port")" = "$before" ] || fail "platform list differs from the start: $(boinc_platforms "$port")"
pass "disable removed it; after a restart the client's list is as before"
