# Guest-side helpers for the VM scenarios (sourced by each scenario, which runs as root inside
# the booted guest as vmtest.service; /mnt/vmtest is the host's 9p share, out/ its results).
# Every check prints "ok:" or "FAIL:" into the transcript; the host counts them.
# shellcheck shell=bash
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
V=/mnt/vmtest
OUT=$V/out
B=/proc/sys/fs/binfmt_misc
CC=/etc/boinc-client/cc_config.xml
BOOT=${1:-1}

# Progress lines carry the guest's uptime (s since the kernel started), so the transcript
# shows how long each step took on this boot.
log() { printf '\n=== [boot %s, %6.1fs] %s\n' "$BOOT" "$(cut -d' ' -f1 /proc/uptime)" "$*"; }
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
  local d=$1
  shift
  if "$@" >/tmp/check.out 2>&1; then ok "$d"; else
    bad "$d"
    sed 's/^/      /' /tmp/check.out
  fi
}
run() { echo "\$ $*"; "$@"; }
# step NAME COMMAND...: a timed step whose seconds go to out/steps (the host's table).
step() {
  local name=$1 s e rc=0
  shift
  s=$(cut -d' ' -f1 /proc/uptime)
  "$@" || rc=$?
  e=$(cut -d' ' -f1 /proc/uptime)
  awk -v n="$name" -v s="$s" -v e="$e" -v b="$BOOT" 'BEGIN { printf "%s boot%s %.1f\n", n, b, e - s }' >>"$OUT/steps"
  return $rc
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds (every 0.2 s); prints the seconds taken.
wait_for() {
  local secs=$1 i=0
  shift
  while ! "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt $((secs * 5)) ] || return 1
    sleep 0.2
  done
  awk -v i="$i" 'BEGIN { printf "%.1f\n", i / 5 }'
}

# --- binfmt_misc, cc_config.xml, state ----------------------------------------------------
entries() { for e in "$B"/*; do case "${e##*/}" in register | status) ;; *) [ -e "$e" ] && echo "${e##*/}" ;; esac; done; }
has_entry() { [ -e "$B/$1" ] && grep -qx enabled "$B/$1"; }
no_entry() { [ ! -e "$B/$1" ]; }
has_alt() { grep -q "<alt_platform>$1</alt_platform>" "$CC"; }
no_alt() { ! grep -q "<alt_platform>$1</alt_platform>" "$CC"; }
alts() { sed -n 's:.*<alt_platform>\(.*\)</alt_platform>.*:\1:p' "$CC" | sort; }
state_enabled() {
  python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1])).get("enabled", []))))' \
    /var/lib/platformd/state.json
}

# --- the BOINC client (Debian's boinc-client.service, GUI RPC on 127.0.0.1:31416) ----------
boinc_rpc() {
  local body=$1 fd reply=""
  exec {fd}<>/dev/tcp/127.0.0.1/31416 2>/dev/null || return 1
  printf '<boinc_gui_rpc_request>\n%s\n</boinc_gui_rpc_request>\n\003' "$body" >&"$fd"
  IFS= read -r -d $'\003' -t 30 reply <&"$fd"
  local rc=$?
  exec {fd}>&-
  [ $rc -eq 0 ] || return 1
  printf '%s' "$reply"
}
# The client's effective platform list, one per line, primary first.
boinc_platforms() { boinc_rpc '<get_state/>' | sed -n 's:^<platform>\(.*\)</platform>$:\1:p'; }
boinc_up() { boinc_rpc '<get_state/>' | grep -q '<client_state>'; }
boinc_lists() { boinc_platforms | grep -qx "$1"; }
boinc_pid() { systemctl show -p MainPID --value boinc-client.service; }

# --- the file tree, for "purge restores it byte for byte" ----------------------------------
# Every path on the root file system with type, owner, mode and content hash (symlink: its
# target), except what the system itself changes while running (logs, caches, apt's and
# dpkg's databases, systemd's, polkit's and BOINC's run-time state) and the share. One
# python3 process: a sha256sum per file would take minutes under TCG.
tree_manifest() {
  python3 - <<'PYEOF'
import hashlib, os, stat
skip = {"/proc", "/sys", "/dev", "/run", "/tmp", "/mnt/vmtest", "/var/log", "/var/cache",
        "/var/tmp", "/var/lib/apt", "/var/lib/dpkg", "/var/lib/systemd", "/var/lib/polkit-1",
        "/var/lib/private", "/etc/ld.so.cache", "/var/lib/boinc-client/slots", "/root",
        "/var/lib/boinc-client/projects"}
# The client rewrites its state, logs and statistics whenever it runs or restarts.
boinc_volatile = (".xml", ".txt", ".old", "lockfile", "time_stats_log")
def walk(d):
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if p in skip:
            continue
        if d == "/var/lib/boinc-client" and name.endswith(boinc_volatile) and name != "cc_config.xml":
            continue
        st = os.lstat(p)
        own = f"{st.st_uid}:{st.st_gid} {stat.S_IMODE(st.st_mode):o}"
        if stat.S_ISLNK(st.st_mode):
            print(p, "L", own, "->", os.readlink(p))
        elif stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            print(p, "F", own, h.hexdigest()[:16])
        elif stat.S_ISDIR(st.st_mode):
            print(p, "D", own)
            if os.stat(p).st_dev == os.stat("/").st_dev:
                walk(p)
        else:
            print(p, "?", own)
walk("/")
PYEOF
}

# Summary for the host: counts of ok/FAIL lines in this boot's part of the transcript are
# computed on the host; a scenario ends with `finish` (0: passed so far) or `reboot_next`.
finish() { log "scenario done"; exit 0; }
reboot_next() { log "rebooting (the host boots the image again)"; exit 100; }
contains() { grep -qiE -- "$2" <<<"$1"; }
enabled_has() { state_enabled | grep -qw -- "$1"; }
not_listed() { ! boinc_lists "$1"; }
# json_true JSON PYTHON-EXPR: the expression, with the parsed JSON as d, is true.
json_true() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"; }
# When this boot reached multi-user.target (systemd-analyze time cannot say yet: the test
# unit itself is part of the boot transaction), for the host's table.
boot_time() {
  local us
  us=$(systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target)
  awk -v us="$us" -v b="$BOOT" 'BEGIN { printf "multi-user boot%s %.1f\n", b, us / 1e6 }' | tee -a "$OUT/steps"
}
not_enabled() { ! enabled_has "$1"; }

# The Debian 13 board of scenarios E and H: its facts, and platformd's package unpacked to
# /var/tmp/deb (its static x86_64 probe, $P64, serves as a test program; /var/tmp: /tmp is
# empty after a reboot).
# shellcheck disable=SC2034 # used by the scenarios that source this library
P64=/var/tmp/deb/usr/lib/platformd/probes/probe-x86_64
extract_deb() { mkdir -p /var/tmp/deb && dpkg-deb -x "$V"/debs/platformd_*_arm64.deb /var/tmp/deb; }
board_intro() {
  log "the guest"
  run uname -a
  run cat /etc/debian_version
  dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' boinc-client qemu-user box64 systemd
  boot_time
}
