# Issue 3: Debian's layout, DATA_DIR/cc_config.xml -> /etc/boinc-client/cc_config.xml (0664):
# the real file is edited, the link stays a link, the mode is kept. A link leading outside the
# BOINC directories is refused (exit 7) and its target left alone. (/etc/boinc-client is a
# private tmpfs in the test namespace.)
source "$(dirname "$0")/lib/common.sh"

B=$PLATFORMD_BOINC_DIR
A64=aarch64-unknown-linux-gnu
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }  # no client runs: nothing listens on 1

# Outside: refused.
mkdir -p "$T/elsewhere"
printf '<cc_config>\n</cc_config>\n' >"$T/elsewhere/cc_config.xml"
cp "$T/elsewhere/cc_config.xml" "$T/elsewhere.orig"
ln -s "$T/elsewhere/cc_config.xml" "$B/cc_config.xml"
expect_exit 7 pctl enable aarch64
cmp "$T/elsewhere/cc_config.xml" "$T/elsewhere.orig" || fail "the outside target was changed"
grep -q "outside the BOINC directories" "$T/err" || fail "no reason given: $(cat "$T/err")"
[ -L "$B/cc_config.xml" ] || fail "the link was replaced"
pass "a link outside the BOINC directories is refused"

# Debian: the link leads into /etc/boinc-client.
rm "$B/cc_config.xml"
if [ ! -d /etc/boinc-client ] || [ -n "$(ls -A /etc/boinc-client)" ]; then
  fail "/etc/boinc-client is not the test's private, empty tmpfs"
fi
cp "$PLATFORMD_SOURCE_DIR/tests/data/boinc/cc_config_debian.xml" /etc/boinc-client/cc_config.xml
chmod 0664 /etc/boinc-client/cc_config.xml
ln -s /etc/boinc-client/cc_config.xml "$B/cc_config.xml"
expect_exit 0 pctl enable aarch64
[ -L "$B/cc_config.xml" ] || fail "the link is no longer a link"
[ "$(readlink "$B/cc_config.xml")" = /etc/boinc-client/cc_config.xml ] || fail "the link changed target"
grep -q "<alt_platform>$A64</alt_platform>" /etc/boinc-client/cc_config.xml || fail "real file not edited"
[ "$(stat -c %a /etc/boinc-client/cc_config.xml)" = 664 ] || fail "mode not kept"
grep -q "/etc/boinc-client/cc_config.xml (via $B/cc_config.xml): added" "$T/out" || fail "report does not name both: $(cat "$T/out")"
[ "$(ls -A /etc/boinc-client)" = cc_config.xml ] || fail "temporary files left: $(ls -A /etc/boinc-client)"
expect_exit 0 pctl disable aarch64
# What is left is Debian's file plus the (now empty) <options> element enable created.
grep -vxF -e '  <options>' -e '  </options>' /etc/boinc-client/cc_config.xml >"$T/left"
cmp "$T/left" "$PLATFORMD_SOURCE_DIR/tests/data/boinc/cc_config_debian.xml" || fail "disable changed more than our entry"
[ -L "$B/cc_config.xml" ] || fail "the link is no longer a link after disable"
pass "Debian-like symlinked cc_config.xml edited through the link"
