# Run by scripts/demo.sh inside the private namespace (see tests/integration/run-in-namespace).
source "$PLATFORMD_SOURCE_DIR/tests/integration/lib/common.sh"
source "$PLATFORMD_SOURCE_DIR/tests/integration/lib/boinc.sh"
say() { printf '\n$ %s\n' "$*"; }

port=$(boinc_free_port)
export PLATFORMD_GUI_RPC_PORT=$port
boinc_start "$PLATFORMD_BOINC_DIR" "$port"
trap 'boinc_stop "$PLATFORMD_BOINC_DIR"' EXIT

say "platformctl status"
"$PCTL" status
say "BOINC client's platforms (GUI RPC get_state) before"
boinc_platforms "$port"
say "platformctl enable aarch64 armhf"
"$PCTL" enable aarch64 armhf
hello=$(build_hello aarch64)
say "$hello   # a static aarch64 program"
"$hello"
say "restart the client (it reads alt_platform only at start; this one is not a systemd service)"
boinc_restart "$PLATFORMD_BOINC_DIR" "$port"
say "BOINC client's platforms (GUI RPC get_state) after"
boinc_platforms "$port"
say "platformctl status"
"$PCTL" status
