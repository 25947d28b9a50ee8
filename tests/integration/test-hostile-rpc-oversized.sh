# Issue 12, class 4: a well-formed get_state reply built to bloat us. An unprivileged local user
# binds the client's port (no client runs) and answers get_state with about 64 MiB of 7 million
# empty <result/> elements. `platformctl status` must stay small (peak RSS measured with
# /usr/bin/time -v, bound here at 200 MB: a real client's state is parsed in a few MB) and say
# clearly why the answer was not read; `disable` must not take the flood for "no tasks".
# The old build (e391a6a) peaked at about 2.2 GB and took the reply apart element by element.
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/hostile.sh"
source "$(dirname "$0")/lib/boinc.sh"

attacker=$(hostile_uid)
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time (package time) is not installed"; exit 77; }
B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
trap 'fake_rpc_stop' EXIT

python3 - "$T/flood.xml" <<'PY'
import sys
n = 7_000_000  # 9 bytes each: 63 MB, under the old 64 MiB cap
with open(sys.argv[1], "wb") as f:
    f.write(b"<boinc_gui_rpc_reply>\n<client_state>\n<platform_name>x86_64-pc-linux-gnu</platform_name>\n")
    f.write(b"<result/>" * n)
    f.write(b"\n</client_state>\n</boinc_gui_rpc_reply>\n")
PY
echo "reply: $(stat -c %s "$T/flood.xml") bytes, $(grep -o '<result/>' "$T/flood.xml" | wc -l) empty <result/>"
fake_rpc_start "$port" "$T/flood.xml"
[ "$(listener_uid "$port")" = "$attacker" ] || fail "127.0.0.1:$port is not the attacker's"

rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
set +e
/usr/bin/time -v -o "$T/time" "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" status >"$T/out" 2>"$T/err"
rc=$?
set -e
kb=$(rss_kb "$T/time")
echo "platformctl status: exit $rc, peak RSS $kb KB, $(awk -F': ' '/Elapsed/ { print $2 }' "$T/time") elapsed"
[ "$(fake_rpc_requests)" -ge 1 ] || fail "status never asked the fake peer"
[ "$rc" = 0 ] || { cat "$T/err"; fail "status exited $rc"; }
[ "$kb" -lt 204800 ] || fail "status peaked at $kb KB RSS (bound: 200 MB)"
grep -qE "exceeds [0-9]+ bytes|XML tags, more than" "$T/out" "$T/err" ||
  fail "status does not say why the reply was not read: $(cat "$T/out" "$T/err")"
pass "status: peak RSS $kb KB, the oversized reply refused with a clear note"

# The same reply within the size cap, so that the count of elements is what refuses it.
python3 - "$T/flood16.xml" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"<boinc_gui_rpc_reply>\n<client_state>\n")
    f.write(b"<result/>" * 1_500_000)  # 13.5 MB
    f.write(b"\n</client_state>\n</boinc_gui_rpc_reply>\n")
PY
fake_rpc_stop
fake_rpc_start "$port" "$T/flood16.xml"
/usr/bin/time -v -o "$T/time" "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" status >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "status failed on the 13.5 MB reply"; }
kb=$(rss_kb "$T/time")
echo "platformctl status (1.5 M <result/> in 13.5 MB): peak RSS $kb KB"
[ "$kb" -lt 204800 ] || fail "status peaked at $kb KB RSS on 1.5 M elements (bound: 200 MB)"
grep -q "XML tags, more than" "$T/out" "$T/err" || fail "no note on the element count: $(cat "$T/out" "$T/err")"
pass "status: peak RSS $kb KB, 1.5 M elements refused by their count before parsing"
