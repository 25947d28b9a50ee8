#!/usr/bin/env bash
# Stands in for dbus-list-bench when bench/bench.py runs bench/dbus_list_bench.sh (its
# PLATFORMD_BENCH_BIN): that script starts the private bus and daemon and enables aarch64; this
# wrapper then measures the daemon idle, runs the real dbus-list-bench unchanged, and measures
# it idle again. Lines "bench.sample NAME key=value..." are parsed by bench.py.
#   env: PLATFORMD_BENCH_REAL_BIN (the dbus-list-bench binary), PLATFORMD_BENCH_IDLE_SECONDS,
#        PLATFORMD_TEST_TMP (the daemon's PID is in $PLATFORMD_TEST_TMP/.pid-platformd)
set -euo pipefail
real=${PLATFORMD_BENCH_REAL_BIN:?}
idle=${PLATFORMD_BENCH_IDLE_SECONDS:-10}
pid=$(cat "$PLATFORMD_TEST_TMP/.pid-platformd")

# rss_kib hwm_kib voluntary nonvoluntary ticks threads, summed over the daemon's threads.
sample() {
  local vol=0 nonvol=0 n=0 t v
  for t in /proc/"$pid"/task/*; do
    v=$(awk '/^voluntary_ctxt_switches/ {a=$2} /^nonvoluntary_ctxt_switches/ {b=$2} END {print a, b}' "$t/status")
    vol=$((vol + ${v% *}))
    nonvol=$((nonvol + ${v#* }))
    n=$((n + 1))
  done
  # /proc/PID/stat: fields 14 and 15 are utime and stime (after the "(comm)" field).
  local ticks
  ticks=$(sed 's/.*) //' /proc/"$pid"/stat | awk '{print $12 + $13}')
  echo "$(awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {print r, h}' /proc/"$pid"/status) $vol $nonvol $ticks $n"
}

# idle_window NAME: nothing talks to the daemon for $idle seconds; prints the deltas.
idle_window() {
  local a b
  read -r -a a <<<"$(sample)"
  sleep "$idle"
  read -r -a b <<<"$(sample)"
  echo "bench.sample $1 seconds=$idle rss_kib_start=${a[0]} rss_kib_end=${b[0]} hwm_kib_end=${b[1]}" \
    "vol_delta=$((b[2] - a[2])) nonvol_delta=$((b[3] - a[3])) ticks_delta=$((b[4] - a[4])) threads=${b[5]}" \
    "clk_tck=$(getconf CLK_TCK)"
}

idle_window idle_before_calls
read -r -a a <<<"$(sample)"
t0=$(date +%s%N)
"$real" "$@"
t1=$(date +%s%N)
read -r -a b <<<"$(sample)"
echo "bench.sample during_calls seconds=$(((t1 - t0) / 1000000))e-3 rss_kib_start=${a[0]} rss_kib_end=${b[0]}" \
  "hwm_kib_end=${b[1]} vol_delta=$((b[2] - a[2])) nonvol_delta=$((b[3] - a[3])) ticks_delta=$((b[4] - a[4]))" \
  "threads=${b[5]} clk_tck=$(getconf CLK_TCK)"
idle_window idle_after_calls

# Where a call's time goes (not timed above: strace slows the daemon): the daemon's system
# calls during N ListPlatforms calls, wall time per system call (strace -c -w).
n=${PLATFORMD_BENCH_STRACE_CALLS:-50}
if command -v strace >/dev/null && command -v busctl >/dev/null; then
  out=$PLATFORMD_TEST_TMP/bench-strace.txt
  strace -f -c -w -p "$pid" -o "$out" 2>/dev/null &
  spid=$!
  sleep 0.5
  for _ in $(seq "$n"); do
    busctl --address="$PLATFORMD_BUS_ADDRESS" call io.github.platformd1 /io/github/platformd1 \
      io.github.platformd1.Broker ListPlatforms >/dev/null
  done
  kill -INT "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  echo "bench.strace_calls $n"
  sed 's/^/bench.strace /' "$out"
fi
