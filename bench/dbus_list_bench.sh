#!/usr/bin/env bash
# Runs dbus-list-bench against a private platformd: a private user+mount namespace (no global
# binfmt_misc entry, no system bus), a private dbus-daemon, one enabled platform so that the
# reconcile before each call has something to check. Prints the bench's table.
#
#   bench/dbus_list_bench.sh BUILD_DIR [CALLS]
# BUILD_DIR must have been installed to BUILD_DIR/stage (cmake --install BUILD --prefix BUILD/stage).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
if [ "${PLATFORMD_IN_NAMESPACE:-}" != 1 ]; then
  build=$(readlink -f "${1:?usage: $0 BUILD_DIR [CALLS]}")
  export PLATFORMD_STAGE=$build/stage PLATFORMD_SOURCE_DIR=$src PLATFORMD_BENCH_BIN=$build/daemon/dbus-list-bench
  export PLATFORMD_BENCH_CALLS=${2:-10000}
  exec "${PLATFORMD_RUN_IN_NAMESPACE:-$src/tests/integration/run-in-namespace}" "$0"
fi

source "$src/tests/integration/lib/common.sh"
source "$src/tests/integration/lib/dbus.sh"
dbus_start
platformd_start
bus_call Enable 'asa{sv}' 1 aarch64 0 || echo "note: Enable aarch64 failed ($(cat "$T/err")); timing without it"
echo "platformd RSS after start and one Enable: $(awk '/VmRSS/ {print $2, $3}' "/proc/$PLATFORMD_PID/status")"
ticks_before=$(cpu_ticks "$PLATFORMD_PID")
"$PLATFORMD_BENCH_BIN" "$PLATFORMD_BENCH_CALLS"
echo "platformd CPU during the calls: $(($(cpu_ticks "$PLATFORMD_PID") - ticks_before)) ticks of 1/$(getconf CLK_TCK) s;" \
  "VmHWM $(awk '/VmHWM/ {print $2, $3}' "/proc/$PLATFORMD_PID/status")"
