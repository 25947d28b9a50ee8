# Bus activation through the shipped D-Bus service file (the first call starts platformd),
# and the shipped introspection XML is what the running daemon says about its interface.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/dbus.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to compare XML"; exit 77; }

staged=$PLATFORMD_STAGE/share/dbus-1/system-services/io.github.platformd1.service
[ -e "$staged" ] || fail "no D-Bus service file staged at $staged"
grep -qx 'Name=io.github.platformd1' "$staged" || fail "service file: wrong Name: $(cat "$staged")"
grep -qx 'SystemdService=platformd.service' "$staged" || fail "service file: no SystemdService="
grep -qx 'User=root' "$staged" || fail "service file: no User=root"

# A bus that activates by itself (the system bus hands activation to systemd or to its setuid
# helper, which only read the machine's configuration). Same file, our binary, our bus.
dbus_start custom
sed -e "s|^Exec=.*|Exec=/usr/bin/env PLATFORMD_BUS_ADDRESS=$PLATFORMD_BUS_ADDRESS $PLATFORMD_BIN|" \
  -e '/^User=/d' "$staged" >"$DBUS_DIR/services/io.github.platformd1.service"
# The bus started before the file was written: it reads the new file when inotify tells it, not
# at once (CI's second ctest pass, session 22: "not activatable" 0.09 s into the test), and under
# load not even within 10 s (session 23: the ASan pass beside a TCG guest). ReloadConfig makes it
# read its service directories before it answers.
busctl --address="$PLATFORMD_BUS_ADDRESS" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
  ReloadConfig || fail "the bus refused ReloadConfig"
activatable() {
  busctl --address="$PLATFORMD_BUS_ADDRESS" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
    ListActivatableNames | grep -q '"io.github.platformd1"'
}
wait_for 10 activatable || fail "io.github.platformd1 is not activatable"
name_has_owner && fail "platformd runs before the first call"
bus_call ListPlatforms || fail "activation failed: $(cat "$T/err"); bus log: $(cat "$DBUS_DIR/log")"
grep -q '"aarch64"' "$T/out" || fail "activated ListPlatforms: $(cat "$T/out")"
name_has_owner || fail "platformd does not own its name after activation"
# Stop it by PID: the one process that owns our name.
pid=$(busctl --address="$PLATFORMD_BUS_ADDRESS" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
  GetConnectionUnixProcessID s io.github.platformd1 | awk '{print $2}')
echo "$pid" >"$T/.pid-platformd"
pass "bus activation"

busctl --address="$PLATFORMD_BUS_ADDRESS" introspect --xml-interface "$BUS_NAME" "$BUS_PATH" >"$T/live.xml"
python3 - "$T/live.xml" "$PLATFORMD_SOURCE_DIR/systemd/io.github.platformd1.xml" <<'PY' || fail "the shipped introspection XML differs from the daemon's"
import sys, xml.etree.ElementTree as ET
def iface(path):
    for i in ET.parse(path).getroot().iter("interface"):
        if i.get("name") == "io.github.platformd1.Broker":
            return i
    sys.exit(f"{path}: no io.github.platformd1.Broker interface")
def canon(e):
    return (e.tag, sorted(e.attrib.items()), [canon(c) for c in e])
live, shipped = iface(sys.argv[1]), iface(sys.argv[2])
if canon(live) != canon(shipped):
    print(ET.tostring(live).decode())
    sys.exit(1)
PY
pass "introspection matches systemd/io.github.platformd1.xml"
platformd_stop
