# Issue 3: ten concurrent enable/disable runs leave a well-formed cc_config.xml whose entries
# match the final state exactly (each advertised platform once, nothing else of ours), with
# the user's comment and entry intact.
source "$(dirname "$0")/lib/common.sh"

B=$PLATFORMD_BOINC_DIR
pctl() { "$PCTL" --boinc-dir "$B" --gui-rpc-port 1 "$@"; }  # no client runs: nothing listens on 1
printf '<cc_config>\n  <!-- keep me -->\n  <options>\n    <alt_platform>windows_x86_64</alt_platform>\n  </options>\n</cc_config>\n' >"$B/cc_config.xml"
# Verify both once, so that the concurrent runs are about the file, not about probing.
expect_exit 0 pctl enable aarch64 armhf

pids=()
for i in $(seq 1 10); do
  if [ $((i % 2)) = 0 ]; then
    pctl enable aarch64 armhf >"$T/run$i.out" 2>&1 &
  else
    pctl disable aarch64 armhf >"$T/run$i.out" 2>&1 &
  fi
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { cat "$T/run$((i + 1)).out"; fail "run $((i + 1)) failed"; }
done

python3 - "$B/cc_config.xml" >"$T/entries" <<'PY' || fail "cc_config.xml is not well-formed: $(cat "$B/cc_config.xml")"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "cc_config"
for e in root.iter("alt_platform"):
    print(e.text.strip())
PY
expect_exit 0 pctl status --json
python3 - "$T/out" >"$T/want" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["platforms"]:
    if p["enabled"]:
        print(p["name"])
PY
sort "$T/entries" >"$T/have"
(echo windows_x86_64; cat "$T/want") | sort >"$T/expect"
cmp "$T/have" "$T/expect" || fail "entries $(tr '\n' ' ' <"$T/have") do not match the state $(tr '\n' ' ' <"$T/expect")"
grep -q '<!-- keep me -->' "$B/cc_config.xml" || fail "the user's comment is gone"
pass "ten concurrent runs: well-formed, entries match the final state"
