# Helpers for integration tests that need a REAL BOINC client (/usr/bin/boinc).
# Source this file. Every client runs in its own temporary data directory on a loopback port
# of its own, and is stopped by the PID we started it with (never by name).
#
#   dir=$(mktemp -d); port=$(boinc_free_port)
#   boinc_start "$dir" "$port"          # waits until the GUI RPC answers
#   boinc_platforms "$port"             # one platform per line, primary first
#   boinc_restart "$dir" "$port"        # the client reads alt_platform only at start
#   boinc_stop "$dir"
#
# To test "a task of platform X exists": stop the client, boinc_seed_task "$dir" X, make sure
# cc_config.xml lists X, start it again. If the client starts WITHOUT X among its platforms it
# relabels the seeded app version and task as its primary platform (that is the hazard the
# broker guards against), so seed only while X is configured.

BOINC_BIN=${BOINC_BIN:-/usr/bin/boinc}

# Quiet and offline: no GPU probing, no project-list or version fetch, no CPU benchmarks, log
# to DIR/stdoutdae.txt and DIR/stderrdae.txt (useful when a test fails).
BOINC_TEST_FLAGS=(--allow_multiple_clients --no_gpus --no_info_fetch --skip_cpu_benchmarks --redirectio)

# A loopback TCP port nothing listens on, below the kernel's ephemeral range: a port in that
# range may be the local end of any outgoing connection on the machine (another test's RPC
# call, still in TIME_WAIT for 60 s), and a listener's bind() then fails with EADDRINUSE (CI,
# 2026-12-06: test-hostile-fifo's attacker, under ASan, beside test-crash-sigkill).
boinc_free_port() {
  local p low=32768 _high lo=10000
  read -r low _high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$low" -gt $((lo + 1000)) ] || lo=1024
  for _ in $(seq 1 200); do
    p=$((lo + RANDOM % (low - lo)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "boinc_free_port: no free port found" >&2
  return 1
}

# boinc_rpc PORT BODY: one GUI RPC request; prints the reply without the \003 terminator.
boinc_rpc() {
  local port=$1 body=$2 fd reply=""
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
  printf '<boinc_gui_rpc_request>\n%s\n</boinc_gui_rpc_request>\n\003' "$body" >&"$fd"
  IFS= read -r -d $'\003' -t 20 reply <&"$fd"
  local rc=$?
  exec {fd}>&-
  [ $rc -eq 0 ] || return 1
  printf '%s' "$reply"
}

boinc_get_state() { boinc_rpc "$1" '<get_state/>'; }

# The client's effective platform list, one per line (the <platform> children of
# <client_state>; the app_version/result ones are indented and not matched).
boinc_platforms() {
  boinc_get_state "$1" | sed -n 's:^<platform>\(.*\)</platform>$:\1:p'
}

# boinc_wait_rpc PORT [SECONDS]: until get_state answers with a client_state.
boinc_wait_rpc() {
  local port=$1 secs=${2:-30}
  for _ in $(seq 1 $((secs * 5))); do
    if boinc_get_state "$port" 2>/dev/null | grep -q '<client_state>'; then return 0; fi
    sleep 0.2
  done
  echo "boinc_wait_rpc: no GUI RPC answer on 127.0.0.1:$port after ${secs}s" >&2
  return 1
}

# boinc_start DIR PORT [EXTRA ARGS...]: start the client in DIR, remember its PID in
# DIR/.test-boinc.pid, wait for the GUI RPC. With BOINC_LAUNCHER (an array) set, the client is
# started through it: "${BOINC_LAUNCHER[@]}" -- boinc ... (its stderr in DIR/launcher.log).
BOINC_LAUNCHER=()
boinc_start() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  local prefix=()
  [ ${#BOINC_LAUNCHER[@]} -eq 0 ] || prefix=("${BOINC_LAUNCHER[@]}" --)
  (cd "$dir" && exec "${prefix[@]}" "$BOINC_BIN" --dir "$dir" --gui_rpc_port "$port" "${BOINC_TEST_FLAGS[@]}" "$@" \
      </dev/null >/dev/null 2>"$dir/launcher.log") &
  echo $! >"$dir/.test-boinc.pid"
  if ! boinc_wait_rpc "$port" 30; then
    tail -n 20 "$dir/stdoutdae.txt" "$dir/stderrdae.txt" >&2 2>/dev/null
    return 1
  fi
}

# boinc_stop DIR: SIGTERM the PID we started (the client saves its state and exits), wait up
# to 30 s, then SIGKILL that same PID.
boinc_stop() {
  local dir=$1 pid
  [ -f "$dir/.test-boinc.pid" ] || return 0
  pid=$(cat "$dir/.test-boinc.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "boinc_stop: $pid did not exit after SIGTERM; SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/.test-boinc.pid"
}

boinc_restart() {
  boinc_stop "$1"
  boinc_start "$@"
}

# boinc_seed_task DIR PLATFORM [RESULT]: with the client STOPPED, attach DIR to a fake project
# (http://fake.example.org/) holding one app version of PLATFORM and one task RESULT (default
# wu1_0) ready to run. Run and network modes are set to "never" so the client neither starts
# the fake program nor tries to reach the project.
boinc_seed_task() {
  local dir=$1 platform=$2 result=${3:-wu1_0}
  local proj=$dir/projects/fake.example.org exe="fakeapp_1.00_$platform"
  if [ -f "$dir/.test-boinc.pid" ] && kill -0 "$(cat "$dir/.test-boinc.pid")" 2>/dev/null; then
    echo "boinc_seed_task: stop the client first" >&2
    return 1
  fi
  mkdir -p "$proj"
  printf '#!/bin/sh\nexit 0\n' >"$proj/$exe"
  printf 'input\n' >"$proj/wu1_in"
  local exe_size in_size
  exe_size=$(stat -c %s "$proj/$exe")
  in_size=$(stat -c %s "$proj/wu1_in")
  # The client drops a project from client_state.xml unless an account file names it.
  cat >"$dir/account_fake.example.org.xml" <<EOF
<account>
    <master_url>http://fake.example.org/</master_url>
    <authenticator>0123456789abcdef</authenticator>
    <project_name>Fake Project</project_name>
</account>
EOF
  cat >"$dir/client_state.xml" <<EOF
<client_state>
<platform_name>x86_64-pc-linux-gnu</platform_name>
<core_client_major_version>7</core_client_major_version>
<core_client_minor_version>20</core_client_minor_version>
<core_client_release>5</core_client_release>
<user_run_request>3</user_run_request>
<user_run_prev_request>3</user_run_prev_request>
<user_gpu_request>3</user_gpu_request>
<user_gpu_prev_request>3</user_gpu_prev_request>
<user_network_request>3</user_network_request>
<project>
    <master_url>http://fake.example.org/</master_url>
    <project_name>Fake Project</project_name>
    <user_name>tester</user_name>
    <hostid>1</hostid>
    <dont_request_more_work/>
</project>
<app>
    <name>fakeapp</name>
    <user_friendly_name>Fake App</user_friendly_name>
</app>
<file_info>
    <name>$exe</name>
    <nbytes>$exe_size</nbytes>
    <max_nbytes>0</max_nbytes>
    <status>1</status>
    <executable/>
</file_info>
<file_info>
    <name>wu1_in</name>
    <nbytes>$in_size</nbytes>
    <max_nbytes>0</max_nbytes>
    <status>1</status>
</file_info>
<app_version>
    <app_name>fakeapp</app_name>
    <version_num>100</version_num>
    <platform>$platform</platform>
    <avg_ncpus>1.000000</avg_ncpus>
    <flops>1000000000.000000</flops>
    <file_ref>
        <file_name>$exe</file_name>
        <main_program/>
    </file_ref>
</app_version>
<workunit>
    <name>wu1</name>
    <app_name>fakeapp</app_name>
    <version_num>100</version_num>
    <rsc_fpops_est>1000000000000.000000</rsc_fpops_est>
    <rsc_fpops_bound>10000000000000.000000</rsc_fpops_bound>
    <rsc_memory_bound>100000000.000000</rsc_memory_bound>
    <rsc_disk_bound>100000000.000000</rsc_disk_bound>
    <file_ref>
        <file_name>wu1_in</file_name>
        <open_name>in</open_name>
    </file_ref>
</workunit>
<result>
    <name>$result</name>
    <final_cpu_time>0.000000</final_cpu_time>
    <final_elapsed_time>0.000000</final_elapsed_time>
    <exit_status>0</exit_status>
    <state>2</state>
    <platform>$platform</platform>
    <version_num>100</version_num>
    <wu_name>wu1</wu_name>
    <report_deadline>4102444800.000000</report_deadline>
    <received_time>1700000000.000000</received_time>
</result>
</client_state>
EOF
  rm -f "$dir/client_state_prev.xml" "$dir/client_state_next.xml"
}

# boinc_task_platform PORT RESULT: the platform the running client holds RESULT under.
boinc_task_platform() {
  boinc_get_state "$1" | awk -v r="<name>$2</name>" '
    /^<result>/ {inr=1; hit=0}
    inr && index($0, r) {hit=1}
    inr && hit && /<platform>/ {gsub(/.*<platform>|<\/platform>.*/, ""); print; exit}
    /^<\/result>/ {inr=0}'
}
