# Issue 3: only our <alt_platform> line changes. Comments, log_flags, the user's own
# alt_platform, unknown tags, tabs, entities, quote styles and element order survive byte for
# byte; disable gives the original file back; an entry the user wrote naming the platform we
# manage is never added twice nor removed.
source "$(dirname "$0")/lib/common.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }  # no client runs: nothing listens on 1

cat >"$T/orig.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<!-- Hand-written.   Keep this comment,
     its spacing and the order below. -->
<cc_config>
	<log_flags>
		<task>1</task>   <!-- trailing comment -->
		<sched_op_debug>0</sched_op_debug>
	</log_flags>
	<options>
		<alt_platform>arm-unknown-linux-gnueabihf</alt_platform>
		<proxy_url attr='single'>http://proxy.example/?a=1&amp;b=2 &quot;q&quot; &#65;</proxy_url>
		<empty_tag></empty_tag>
		<self_closed />
		<some_future_option>keep me</some_future_option>
	</options>
	<unknown_section><x>1</x></unknown_section>
</cc_config>
XML
cp "$T/orig.xml" "$B/cc_config.xml"
chmod 0640 "$B/cc_config.xml"

expect_exit 0 pctl enable aarch64
[ "$(grep -c "alt_platform>$A64<" "$B/cc_config.xml")" = 1 ] || fail "expected one $A64 entry: $(cat "$B/cc_config.xml")"
grep -qxF "		<alt_platform>$A64</alt_platform>" "$B/cc_config.xml" || fail "entry not indented like its neighbours"
grep -vF "<alt_platform>$A64</alt_platform>" "$B/cc_config.xml" >"$T/stripped"
cmp "$T/stripped" "$T/orig.xml" || fail "something besides our line changed: $(diff "$T/orig.xml" "$B/cc_config.xml")"
[ "$(stat -c %a "$B/cc_config.xml")" = 640 ] || fail "mode not kept: $(stat -c %a "$B/cc_config.xml")"
grep -q "kept your own <alt_platform>arm-unknown-linux-gnueabihf" "$T/out" || fail "user entry not reported: $(cat "$T/out")"
pass "enable added exactly one line"

expect_exit 0 pctl disable aarch64
cmp "$B/cc_config.xml" "$T/orig.xml" || fail "disable did not restore the original bytes: $(diff "$T/orig.xml" "$B/cc_config.xml")"
pass "disable restored the original file byte for byte"

# The user lists aarch64 themselves: we add nothing, own nothing, remove nothing.
printf '<cc_config>\n  <options>\n    <alt_platform>%s</alt_platform> <!-- mine -->\n  </options>\n</cc_config>\n' "$A64" >"$T/user.xml"
cp "$T/user.xml" "$B/cc_config.xml"
expect_exit 0 pctl enable aarch64
cmp "$B/cc_config.xml" "$T/user.xml" || fail "enable touched the user's own aarch64 entry"
expect_exit 0 pctl disable aarch64
cmp "$B/cc_config.xml" "$T/user.xml" || fail "disable removed the user's own aarch64 entry"
pass "the user's own $A64 entry is left alone"
