# "Nothing changed": a snapshot of what platformd may touch, to compare before and after a
# command that must fail cleanly. Source after common.sh.
#
#   machine_snapshot "$T/before"; expect_exit 5 "$PCTL" enable aarch64
#   machine_snapshot "$T/after"; same_machine "$T/before" "$T/after"
#
# What is compared: state.json (whole, or with SNAPSHOT_STATE=choice only what is enabled and
# owned: a failed verification is recorded there on purpose), cc_config.xml byte for byte,
# binfmt_misc's status and every entry file.

machine_snapshot() {
  local out=$1 cc=${PLATFORMD_BOINC_DIR:-}/cc_config.xml state=$PLATFORMD_STATE_DIR/state.json e
  {
    echo "== state.json"
    if [ "${SNAPSHOT_STATE:-whole}" = choice ]; then
      # What is enabled and owned; an absent file enables and owns nothing.
      python3 -c 'import json,os,sys; d=json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else {}
print("enabled", d.get("enabled", []), "owned", d.get("owned_alt_platforms", []))' "$state"
    elif [ ! -e "$state" ]; then
      echo "(absent)"
    else
      cat "$state"
    fi
    echo "== cc_config.xml"
    if [ -e "$cc" ]; then od -c "$cc"; else echo "(absent)"; fi
    echo "== binfmt_misc"
    if [ -e "$BF/status" ]; then
      echo "status $(cat "$BF/status")"
      for e in $(binfmt_entries); do
        echo "-- $e"
        cat "$BF/$e"
      done
    else
      echo "(not mounted)"
    fi
  } >"$out"
}

same_machine() {
  diff -u "$1" "$2" >&2 || fail "the machine changed (state.json, cc_config.xml or binfmt_misc; diff above)"
}
