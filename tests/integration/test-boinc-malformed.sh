# Issue 3: malformed cc_config.xml is never overwritten: platformctl exits 7 (bad_config),
# names the file and the line tinyxml2 reports, and the file stays byte-identical; also when
# withdrawing a platform.
source "$(dirname "$0")/lib/common.sh"

B=$PLATFORMD_BOINC_DIR
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }  # no client runs: nothing listens on 1

printf '<cc_config>\n  <log_flags>\n  <options>\n    <max_file_xfers>2</max_file_xfers>\n</cc_config>\n' >"$T/bad.xml"
cp "$T/bad.xml" "$B/cc_config.xml"
expect_exit 7 pctl enable aarch64
cmp "$B/cc_config.xml" "$T/bad.xml" || fail "malformed file was changed"
grep -q "$B/cc_config.xml:3: malformed XML" "$T/err" || fail "error does not name file:line: $(cat "$T/err")"
pass "enable refuses a malformed file, unchanged, exit 7"

# Withdrawing: a good file first, then someone breaks it.
printf '<cc_config>\n</cc_config>\n' >"$B/cc_config.xml"
expect_exit 0 pctl enable aarch64
grep -q 'alt_platform>aarch64-unknown-linux-gnu<' "$B/cc_config.xml" || fail "no entry added"
sed -i 's:</cc_config>:</cc_confi>:' "$B/cc_config.xml"
cp "$B/cc_config.xml" "$T/bad2.xml"
expect_exit 7 pctl disable aarch64
cmp "$B/cc_config.xml" "$T/bad2.xml" || fail "malformed file was changed by disable"
grep -q "$B/cc_config.xml:[0-9]*: malformed XML" "$T/err" || fail "error does not name file:line: $(cat "$T/err")"
pass "disable refuses a malformed file, unchanged, exit 7"
