# BOINC hosts of the server tier (issue 22): Debian's real client, each in a directory of its
# own with its own GUI RPC port, inside the server's namespace. Sourced after project.sh.
#
#   host_up NAME PORT          starts a client (reports results at once, no GPUs, no benchmarks)
#   host_attach NAME EMAIL     creates an account on the project and attaches the client to it
#   host_cmd NAME ARGS...      boinccmd against that client
#   check WHAT CMD...          a scenario's check: "ok: WHAT" or "FAIL: WHAT", counted in
#                              $pass and $failed

host_dir() { echo "$SW/hosts/$1"; }
host_port() { cat "$(host_dir "$1")/port"; }
host_cmd() {
  local d
  d=$(host_dir "$1")
  shift
  (cd "$d" && boinccmd --host "localhost:$(cat port)" "$@")
}

host_up() {
  local name=$1 port=$2 d
  d=$(host_dir "$name")
  mkdir -p "$d"
  echo "$port" >"$d/port"
  cat >"$d/cc_config.xml" <<XML
<cc_config>
  <options>
    <report_results_immediately>1</report_results_immediately>
    <allow_multiple_clients>1</allow_multiple_clients>
  </options>
</cc_config>
XML
  (cd "$d" && exec boinc --dir "$d" --gui_rpc_port "$port" --allow_multiple_clients --no_gpus --skip_cpu_benchmarks \
    --redirectio </dev/null >/dev/null 2>&1) &
  echo $! >"$d/pid"
  wait_until 30 host_cmd "$name" --get_host_info || { tail -20 "$d/stdoutdae.txt"; return 1; }
}

# The account key of a new account (create_account.php through the client), then the attach.
host_attach() {
  local name=$1 email=$2 key
  key=$(host_cmd "$name" --create_account "http://$SERVER_HOST/$PROJECT/" "$email" secret "$name" |
    sed -n 's/^account key: //p')
  [ -n "$key" ] || { host_cmd "$name" --create_account "http://$SERVER_HOST/$PROJECT/" "$email" secret "$name"; return 1; }
  host_cmd "$name" --project_attach "http://$SERVER_HOST/$PROJECT/" "$key"
}

hosts_down() {
  local d
  for d in "$SW"/hosts/*/; do
    if [ -f "$d/pid" ]; then kill "$(cat "$d/pid")" 2>/dev/null || true; fi
  done
}

pass=0
failed=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
    pass=$((pass + 1))
  else
    echo "FAIL: $what"
    failed=$((failed + 1))
  fi
}
