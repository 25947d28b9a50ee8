# A GUI RPC peer built to multiply the uptake (session 22): an unprivileged local user binds the
# client's port (no client runs) and answers get_state, get_messages and get_old_results with
# replies inside every parse limit: 9,999 projects over 100 URLs, 9,999 app versions and 9,999
# tasks of aarch64 from one of them, 5,000 reported tasks, 2,500 messages. With aarch64 enabled,
# `platformctl status` (text and JSON) must end, bounded: each project URL once, the first 64,
# a note saying how many were listed, 32 versions per entry ("and N more"). Peak RSS and elapsed
# time (/usr/bin/time -v) are printed, not asserted: the old build's peak (105 MB) was under the
# 200 MB bound of test-hostile-rpc-oversized, so such a bound would not tell the builds apart,
# and an ASan build's peak is ASan's (235 MB in CI's ASan stage, 51 MB in the plain build).
# The build before the fix (d81e9c5) multiplied projects x platforms x reported tasks x versions
# and listed every project entry: on these replies status took 66 s, wrote 11.4 MB and peaked at
# 105 MB (fails here: no note, 9,999 entries); the fixed build 0.20 s, 4.9 KB, 51 MB. With all
# 9,999 projects on one URL the old work grows a hundredfold (hours, 1e8 versions copied).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/hostile.sh"
source "$(dirname "$0")/lib/boinc.sh"

attacker=$(hostile_uid)
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time (package time) is not installed"; exit 77; }
private_translator aarch64
B=$PLATFORMD_BOINC_DIR
port=$(boinc_free_port)
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "$@"; }
mount -t binfmt_misc binfmt_misc "$BF"
printf '<cc_config>\n</cc_config>\n' >"$B/cc_config.xml"
expect_exit 0 pctl enable aarch64  # nothing listens yet: no client to restart
trap 'fake_rpc_stop' EXIT

mkdir "$T/replies"
python3 - "$T/replies" <<'PY'
import sys
d = sys.argv[1]
arm = "aarch64-unknown-linux-gnu"
def reply(name, body):
    with open(f"{d}/{name}.xml", "w") as f:
        f.write("<boinc_gui_rpc_reply>\n" + body + "\n</boinc_gui_rpc_reply>\n")
st = ["<client_state>", "<platform_name>x86_64-pc-linux-gnu</platform_name>"]
st += [f"<project><master_url>http://p{i % 100}/</master_url><project_name>p{i % 100}</project_name></project>"
       for i in range(9_998)]
st.append("<project><master_url>http://p0/</master_url><project_name>p0</project_name></project>")
st += [f"<app_version><app_name>app</app_name><version_num>{i}</version_num><platform>{arm}</platform></app_version>"
       for i in range(9_999)]
st += [f"<result><name>r{i}</name><project_url>http://p0/</project_url><platform>{arm}</platform>"
       f"<state>2</state></result>" for i in range(9_999)]
reply("get_state", "\n".join(st + ["</client_state>"]))
reply("get_old_results", "<old_results>\n" + "\n".join(
    ["<old_result><project_url>http://p0/</project_url><app_name>app</app_name></old_result>"] * 5_000)
    + "\n</old_results>")
reply("get_messages", "<msgs>\n" + "\n".join(
    ["<msg><project>p0</project><body>Scheduler request completed: got 1 new tasks</body><time>1</time></msg>"] * 2_500)
    + "\n</msgs>")
PY
echo "replies: $(du -b "$T/replies"/*.xml | awk '{ printf "%s %s bytes; ", $2, $1 }')"
fake_rpc_start "$port" "$T/replies"
[ "$(listener_uid "$port")" = "$attacker" ] || fail "127.0.0.1:$port is not the attacker's"

rss_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
for mode in text json; do
  args=(status)
  [ "$mode" = json ] && args=(--json status)
  set +e
  /usr/bin/time -v -o "$T/time" "$PCTL" --boinc-dir "$B" --gui-rpc-port "$port" "${args[@]}" >"$T/out" 2>"$T/err"
  rc=$?
  set -e
  kb=$(rss_kb "$T/time")
  echo "platformctl ${args[*]}: exit $rc, peak RSS $kb KB, $(awk -F': ' '/Elapsed/ { print $2 }' "$T/time") elapsed," \
    "$(wc -c <"$T/out") bytes out"
  [ "$rc" = 0 ] || { cat "$T/err"; fail "status ($mode) exited $rc"; }
  grep -qF "the BOINC client lists 100 projects (real clients attach to a few dozen at most): uptake shows the first 64" \
    "$T/out" || fail "status ($mode) does not say that it shows 64 of 100 projects"
  if [ "$mode" = text ]; then
    lines=$(grep -c '^  aarch64 from ' "$T/out" || true)
    [ "$lines" = 64 ] || fail "status shows $lines uptake entries, not 64"
    grep -q '^  aarch64 from p0: 0 running, 9999 waiting, 0 to report; 5000 reported in the last hour; versions received: .* and 9967 more$' \
      "$T/out" || fail "p0's entry: $(grep '^  aarch64 from p0:' "$T/out")"
  else
    python3 -c '
import json, sys
u = json.load(open(sys.argv[1]))["uptake"]
assert len(u) == 64, len(u)
p0 = u[0]
assert p0["project"] == "p0" and p0["waiting"] == 9999 and p0["reported_last_hour"] == 5000, p0["text"]
assert len(p0["versions"]) == 32 and p0["versions_not_shown"] == 9967, p0["versions_not_shown"]
assert sum(len(x["versions"]) for x in u) == 32
' "$T/out" || fail "status --json: the uptake is not bounded as expected"
  fi
done
[ "$(fake_rpc_requests)" -ge 6 ] || fail "status did not ask the peer (requests: $(fake_rpc_requests))"
grep -q 'request <get_messages>' "$(hostile_dir)/rpc.log" || fail "status never asked for the event log"
# The peer's 16 MiB state is asked for, and parsed, once per status: the table, the abort risks
# of the 9,999 waiting tasks and the uptake share it (until session 23 it was asked twice).
states=$(grep -c '^request <get_state' "$(hostile_dir)/rpc.log" || true)
[ "$states" = 2 ] || fail "two status runs asked for get_state $states times, not once each"
pass "status, text and JSON: 64 projects of 100, 32 versions of 9,999, bounded"
