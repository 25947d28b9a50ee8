# The D-Bus API as root: typed queries, properties, Enable/Disable with PropertiesChanged and
# PlatformChanged, and core errors as our own D-Bus error names (docs/dbus.md).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"

dbus_start
platformd_start
monitor_start

bus_call ListPlatforms || fail "ListPlatforms: $(cat "$T/err")"
grep -q '^a(ssbsbssssdisassass)as ' "$T/out" || fail "ListPlatforms signature: $(head -c 200 "$T/out")"
grep -q "\"$(uname -m)\" \"[^\"]*\" true \"native\"" "$T/out" || fail "the host's platform is not native: $(cat "$T/out")"
bus_call GetHostInfo || fail "GetHostInfo: $(cat "$T/err")"
grep -q "^sissas \"$(uname -m)\" 64 " "$T/out" || fail "GetHostInfo: $(cat "$T/out")"
[ "$(bus_get HostArchitecture)" = "s \"$(uname -m)\"" ] || fail "HostArchitecture: $(bus_get HostArchitecture)"
[ "$(bus_get UserlandBits)" = "i 64" ] || fail "UserlandBits: $(bus_get UserlandBits)"
[ "$(bus_get EnabledPlatforms)" = "as 0" ] || fail "EnabledPlatforms at start: $(bus_get EnabledPlatforms)"
pass "queries and properties"

# Enable: the reply, the kernel entry, the property and both signals.
bus_call Enable 'asa{sv}' 1 aarch64 1 strict b false || fail "Enable aarch64: $(cat "$T/err")"
grep -q '^asasb .*"aarch64: enabled' "$T/out" || fail "Enable reply: $(cat "$T/out")"
grep -q ' true$' "$T/out" || fail "Enable reply does not say changed: $(cat "$T/out")"
[ -e "$BF/platformd-aarch64" ] || fail "no platformd-aarch64 entry after Enable"
[ "$(bus_get EnabledPlatforms)" = 'as 1 "aarch64"' ] || fail "EnabledPlatforms: $(bus_get EnabledPlatforms)"
wait_for 5 grep -q 'member=PropertiesChanged' "$T/monitor" || fail "no PropertiesChanged after Enable"
grep -A6 'member=PropertiesChanged' "$T/monitor" | grep -q '"EnabledPlatforms"' ||
  fail "PropertiesChanged does not carry EnabledPlatforms: $(grep -A8 PropertiesChanged "$T/monitor")"
grep -A2 'member=PlatformChanged' "$T/monitor" | grep -q 'string "aarch64"' || fail "no PlatformChanged for aarch64"
grep -A2 'member=PlatformChanged' "$T/monitor" | grep -q 'string "emulated"' || fail "PlatformChanged does not say emulated"
grep -q 'ACTION=enable PLATFORM=aarch64 CALLER_UID=0' "$DAEMON_LOG" || fail "Enable not logged with its fields"
pass "Enable: reply, entry, EnabledPlatforms, PropertiesChanged, PlatformChanged"

# Errors keep the core's classes.
expect_error io.github.platformd1.Error.Refused bus_call Enable 'asa{sv}' 1 "$(uname -m)" 0
expect_error io.github.platformd1.Error.UnknownPlatform bus_call Enable 'asa{sv}' 1 nosuch 0
grep -q 'known: ' "$T/err" || fail "UnknownPlatform does not list the known platforms: $(cat "$T/err")"
expect_error io.github.platformd1.Error.UnknownPlatform bus_call Enable 'asa{sv}' 1 'bad/name' 0
expect_error io.github.platformd1.Error.UnknownPlatform bus_call Enable 'asa{sv}' 0 0
expect_error org.freedesktop.DBus.Error.InvalidArgs bus_call Enable 'asa{sv}' 1 aarch64 1 bogus b true
expect_error org.freedesktop.DBus.Error.InvalidArgs bus_call Enable 'asa{sv}' 1 aarch64 1 strict s yes
expect_error io.github.platformd1.Error.UnknownPlatform bus_call Enable 'asa{sv}' 1 '' 0
# A call whose signature is not the method's never reaches our code.
expect_error org.freedesktop.DBus.Error.InvalidArgs bus_call Enable 's' aarch64
expect_error org.freedesktop.DBus.Error.InvalidArgs bus_call Disable 'asa{sv}' 1 aarch64 0
# More than 64 names in one call.
# shellcheck disable=SC2046
expect_error org.freedesktop.DBus.Error.InvalidArgs bus_call Enable 'asa{sv}' 65 $(for _ in $(seq 65); do echo aarch64; done) 0
# A name that is not UTF-8 cannot be sent at all: D-Bus strings are UTF-8, sd-bus refuses to
# marshal it and the bus would drop the message.
if bus_call Enable 'asa{sv}' 1 $'\xff\xfe' 0; then fail "a non-UTF-8 name was sent"; fi
[ "$(bus_get EnabledPlatforms)" = "as 1 \"aarch64\"" ] || fail "a refused call changed EnabledPlatforms: $(bus_get EnabledPlatforms)"
pass "errors: Refused, UnknownPlatform, InvalidArgs (options, signature, more than 64 names); non-UTF-8 cannot be sent"

# Disable: entry gone, property back to empty, signals again.
changes=$(monitor_count 'member=PropertiesChanged')
bus_call Disable 'asba{sv}' 1 arm64 false 0 || fail "Disable arm64 (alias of aarch64): $(cat "$T/err")"
[ ! -e "$BF/platformd-aarch64" ] || fail "platformd-aarch64 still registered after Disable"
[ "$(bus_get EnabledPlatforms)" = "as 0" ] || fail "EnabledPlatforms after Disable: $(bus_get EnabledPlatforms)"
wait_for 5 monitor_count_above 'member=PropertiesChanged' "$changes" || fail "no PropertiesChanged after Disable"
pass "Disable"

# Verify answers with the typed result (the verdict itself is the broker's business).
if bus_call Verify 'asa{sv}' 1 aarch64 0; then
  grep -q '^a(ssbsa(sbbs)sddbbass) 1 "aarch64"' "$T/out" || fail "Verify reply: $(cat "$T/out")"
else
  grep -q 'io.github.platformd1.Error' "$T/monitor" || fail "Verify failed without our error name: $(cat "$T/err")"
fi
pass "Verify"

# Apply's source name is the caller's text: the journal entry quotes it (printable ASCII, every
# other byte \xNN), so a terminal escape or a right-to-left override never reaches a reader raw.
src=$'evil\e[2J\e]0;title\a\u202ename'
bus_call Apply 'ssa{sv}' '{"version": 1, "platforms": [{"name": "aarch64", "state": "disabled"}]}' "$src" 0 ||
  fail "Apply: $(cat "$T/err")"
wait_for 5 grep -q 'ACTION=apply' "$DAEMON_LOG" || fail "Apply not logged"
grep 'ACTION=apply' "$DAEMON_LOG" | grep -qF 'apply evil\x1b[2J\x1b]0;title\x07\xe2\x80\xaename by ' ||
  fail "Apply's source name not quoted in the log: $(grep -a 'ACTION=apply' "$DAEMON_LOG")"
if grep -q $'\e' "$DAEMON_LOG"; then fail "a raw escape byte reached the daemon's log"; fi
pass "Apply: the caller's source name quoted in the log"
