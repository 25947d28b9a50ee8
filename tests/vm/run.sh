#!/bin/bash
# bash tests/vm/run.sh [SCENARIO...]    (default: A C D B E; A = A-debian and A-masked)
#
# The VM test tier (issue 13): real kernels with systemd as PID 1 under qemu-system (TCG),
# the platformd .deb installed as a user would. For each scenario:
#   1. the image (tests/vm/mkimage: debootstrap root, mke2fs -d, cached outside the clone);
#   2. the .deb for the guest's architecture ($PLATFORMD_VM_DEBS, else built here);
#   3. a copy-on-write overlay of the image, and a 9p share holding the scenario
#      (tests/vm/scenarios/) and the .deb; the guest's vmtest.service runs it after
#      multi-user.target and writes out/ (transcript, step timings) back through the share;
#   4. boots, each bounded by a timeout (the guest reboots by exiting 100: qemu runs with
#      -no-reboot, and the next boot is a new qemu process);
#   5. pass: the guest finished (exit 0) and its transcript has no FAIL line.
# Prints a table with the timings and leaves everything in $PLATFORMD_VM_WORK (default
# /tmp/platformd-vm), transcripts in <work>/<scenario>/out/transcript.txt.
#
# Scenario G (issue 23, run on request, not in CI) boots a fresh Debian 12 amd64 (backports
# kernel) with a user-mode network, clones this repository's HEAD from the share and runs
# README's two commands as written; TCG (KVM with PLATFORMD_VM_KVM=1).
#
# Scenarios E and H boot a Debian 13 image and install the Debian 13 build of the package (from
# PLATFORMD_VM_DEBS/trixie/, else built with scripts/build-debs.sh --suite trixie). H (issue
# 21, on request): `enable --scope boinc` with box64's entry in the machine's table.
#
# Scenario I (issue 22) is run by tests/server/run.sh board: the arm64 board against a real
# BOINC server (PLATFORMD_VM_SERVER_URL, _SERVER_NAME, _NETNS_PID: QEMU runs in the server's
# network namespace).
#
# Environment: PLATFORMD_VM_DEBS (a directory with platformd_*_{amd64,arm64,armhf}.deb),
# PLATFORMD_VM_CACHE (images, default /var/cache/platformd-vm), PLATFORMD_VM_BOOT_TIMEOUT
# (seconds per boot; default 1200 for amd64, 2400 for arm), PLATFORMD_VM_SMP (default 2).
# Exit: 0 all passed, 1 a scenario failed, 77 nothing could run (not root, no qemu).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(cd "$here/../.." && pwd)
cache=${PLATFORMD_VM_CACHE:-/var/cache/platformd-vm}
work=${PLATFORMD_VM_WORK:-/tmp/platformd-vm}
smp=${PLATFORMD_VM_SMP:-2}
export PLATFORMD_VM_CACHE=$cache

log() { printf '[vm %s] %s\n' "$(date -u +%T)" "$*" >&2; }
[ "$(id -u)" = 0 ] || { echo "tests/vm/run.sh: must run as root" >&2; exit 77; }

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(A C D B E)
expanded=()
for s in "${scenarios[@]}"; do
  case "$s" in
    A) expanded+=(A-debian A-masked) ;;
    A-debian | A-masked | B | C | D | E | F | G | H | I) expanded+=("$s") ;;
    *) echo "tests/vm/run.sh: unknown scenario '$s' (A, A-debian, A-masked, B, C, D, E, F, G, H, I)" >&2; exit 2 ;;
  esac
done

# scenario -> image, deb architecture, qemu machine
image_of() { case "$1" in G) echo amd64-fresh ;; A-* | F-amd64) echo amd64 ;; B | D | F-arm64 | I) echo arm64 ;; C) echo armhf ;; E | H) echo arm64-trixie ;; F) echo amd64+arm64 ;; esac; }
deb_arch_of() { image_of "$1" | sed 's/-.*//'; }
suite_of() { case "$1" in E | H) echo trixie ;; *) echo "" ;; esac; }

# --- the .debs ------------------------------------------------------------------------------
# deb_for ARCH: prints the .deb's path, building the host's own architecture when no
# directory of packages was given (foreign ones come from PLATFORMD_VM_DEBS or
# scripts/build-debs.sh when the tree has it).
deb_for() {
  local arch=$1 suite=${2:-} d f src sub
  sub=${suite:+/$suite}
  for d in ${PLATFORMD_VM_DEBS:-} "$cache/debs-$(tree_key)"; do
    # shellcheck disable=SC2012 # .deb names dpkg gave: no odd characters
    f=$(ls "$d$sub"/platformd_*_"$arch".deb 2>/dev/null | sort -V | tail -1 || true)
    [ -n "$f" ] && { echo "$f"; return 0; }
  done
  d=$cache/debs-$(tree_key)
  mkdir -p "$d"
  if [ -n "$suite" ]; then
    log "building the $suite $arch .deb with scripts/build-debs.sh --suite $suite into $d/$suite"
    bash "$top/scripts/build-debs.sh" --out "$d" --suite "$suite" --nocheck --no-lintian "$arch" \
      >"$d/build-$suite-$arch.out" 2>&1 || { tail -n 30 "$d/build-$suite-$arch.out" >&2; return 1; }
    # shellcheck disable=SC2012 # .deb names dpkg gave: no odd characters
    ls "$d/$suite"/platformd_*_"$arch".deb | sort -V | tail -1
    return
  fi
  if [ -f "$top/scripts/build-debs.sh" ]; then
    log "building the $arch .deb with scripts/build-debs.sh into $d"
    bash "$top/scripts/build-debs.sh" --out "$d" --deps --nocheck --no-lintian "$arch" >"$d/build-$arch.out" 2>&1 ||
      { tail -n 30 "$d/build-$arch.out" "$d/$arch.log" >&2; return 1; }
  elif [ "$arch" = "$(dpkg --print-architecture)" ]; then
    log "building the $arch .deb (dpkg-buildpackage -b, nocheck) into $d"
    src=$(mktemp -d)
    tar -C "$top" --exclude=./.git --exclude='./build*' --exclude=./debian/build --exclude=./debian/platformd -cf - . |
      tar -C "$src" -xf -
    (cd "$src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym" DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -b -us -uc) \
      >"$d/build-$arch.log" 2>&1 || { tail -30 "$d/build-$arch.log" >&2; rm -rf "$src"; return 1; }
    mv "$src"/../platformd_*_"$arch".deb "$d/"
    rm -rf "$src" "$src"/../platformd*_"$arch".{buildinfo,changes}
  else
    log "no $arch .deb (set PLATFORMD_VM_DEBS, or add scripts/build-debs.sh)"
    return 1
  fi
  # shellcheck disable=SC2012 # .deb names dpkg gave: no odd characters
  ls "$d"/platformd_*_"$arch".deb | sort -V | tail -1
}
tree_key() { (cd "$top" && git ls-files -z | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-12); }

# --- scenario B's BOINC project: an x86_64 app, signed as BOINC's client requires -----------
# hexlines: BOINC's hex text (lib/crypt.cpp sprint_hex_data): 32 bytes a line, then ".".
hexlines() { od -An -v -tx1 | tr -d ' \n' | fold -w 64; echo; echo .; }
# prepare_project DIR: DIR/app (static x86_64, from scenarios/files/boinc-app.c), a fresh
# 1024-bit RSA key, DIR/code_sign_key (bits, then modulus and exponent as 128-byte
# big-endian numbers: R_RSA_PUBLIC_KEY), DIR/app.sig (PKCS#1 v1.5 private encryption of the
# file's MD5 in hex: what sign_file does and check_file_signature undoes), DIR/in.
prepare_project() {
  local d=$1 md5 mod
  mkdir -p "$d"
  gcc -O2 -static -o "$d/app" "$here/scenarios/files/boinc-app.c"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$d/.key.pem" 2>/dev/null
  mod=$(openssl rsa -in "$d/.key.pem" -noout -modulus | sed 's/^Modulus=//')
  [ ${#mod} = 256 ] || { log "unexpected modulus length ${#mod}"; return 1; }
  { echo 1024; { printf '%s' "$mod"; printf '%0250d010001' 0; } | xxd -r -p | hexlines; } >"$d/code_sign_key"
  md5=$(md5sum <"$d/app" | cut -c1-32)
  printf '%s' "$md5" | openssl pkeyutl -sign -inkey "$d/.key.pem" -pkeyopt rsa_padding_mode:pkcs1 | hexlines >"$d/app.sig"
  rm -f "$d/.key.pem"
  echo 3000000 >"$d/in"
  cp "$here/scenarios/files/miniproject.py" "$d/"
}

# --- one boot -------------------------------------------------------------------------------
qpid=
trap '[ -n "$qpid" ] && kill "$qpid" 2>/dev/null; true' EXIT
# boot SCENARIO DIR N: runs qemu once; its wall-clock seconds go to DIR/boots.
# NIC: qemu's -nic value (default none; the fleet's guests: user-mode with an SSH forward).
boot() {
  local scen=$1 dir=$2 n=$3 img=$4 nic=${5:-none} t tmo rc=0 cmd
  local append="root=/dev/vda rw vmtest=1 systemd.show_status=0 loglevel=4"
  case "$scen" in
    G)
      # README's two commands build and test the whole project in the guest. TCG unless
      # PLATFORMD_VM_KVM=1: this machine's /dev/kvm (nested) fails the guest's kernel at once
      # ("KVM internal error. Suberror: 1", emulation failure in the decompressor, 2026-12-06).
      tmo=${PLATFORMD_VM_BOOT_TIMEOUT:-10800}
      local accel=(-accel tcg)
      [ "${PLATFORMD_VM_KVM:-0}" = 1 ] && accel=(-accel kvm -cpu host)
      cmd=(qemu-system-x86_64 "${accel[@]}" -m 6144 -smp "$smp" -append "$append console=ttyS0") ;;
    A-* | F-amd64)
      tmo=${PLATFORMD_VM_BOOT_TIMEOUT:-1200}
      cmd=(qemu-system-x86_64 -accel tcg -m 2048 -smp "$smp" -append "$append console=ttyS0") ;;
    D)
      tmo=${PLATFORMD_VM_BOOT_TIMEOUT:-2400}
      # shellcheck disable=SC2054 # qemu takes comma-separated option values
      cmd=(qemu-system-aarch64 -accel tcg -M virt,gic-version=3 -cpu a64fx -m 2048 -smp "$smp"
        -append "$append console=ttyAMA0") ;;
    *)
      tmo=${PLATFORMD_VM_BOOT_TIMEOUT:-2400}
      cmd=(qemu-system-aarch64 -accel tcg -M virt -cpu cortex-a72 -m 2048 -smp "$smp"
        -append "$append console=ttyAMA0") ;;
  esac
  cmd+=(-nographic -nic "$nic" -no-reboot -kernel "$img/vmlinuz" -initrd "$img/initrd.img"
    -drive "file=$dir/disk.qcow2,if=virtio,format=qcow2"
    -virtfs "local,path=$dir/share,mount_tag=vmtest,security_model=none,id=vmtest")
  # Scenario I's guest reaches the BOINC server of tests/server/ on 10.0.2.2: QEMU's user-mode
  # network then lives in the server's network namespace, whose loopback the server listens on.
  if [ "$scen" = I ] && [ -n "${PLATFORMD_VM_NETNS_PID:-}" ]; then
    cmd=(nsenter "--net=/proc/$PLATFORMD_VM_NETNS_PID/ns/net" -- "${cmd[@]}")
  fi
  log "$scen: boot $n (timeout ${tmo}s)"
  t=$(date +%s)
  timeout --kill-after=20 "$tmo" "${cmd[@]}" </dev/null >"$dir/console-$n.log" 2>&1 &
  qpid=$!
  wait "$qpid" || rc=$?
  qpid=
  echo "boot$n $(($(date +%s) - t)) qemu-exit=$rc" >>"$dir/boots"
  [ "$rc" != 124 ] || log "$scen: boot $n TIMED OUT after ${tmo}s (console: $dir/console-$n.log)"
}

# --- one scenario ---------------------------------------------------------------------------
declare -A result image_time deb_time
run_scenario() {
  local scen=$1 name arch img dir deb t n rc
  name=$(image_of "$scen")
  arch=$(deb_arch_of "$scen")
  dir=$work/$scen
  rm -rf "$dir"
  mkdir -p "$dir/share/out" "$dir/share/debs"
  t=$(date +%s)
  if ! img=$(bash "$here/mkimage" "$name"); then
    result[$scen]="FAIL (image $name)"
    return
  fi
  image_time[$scen]=$(($(date +%s) - t))
  t=$(date +%s)
  if [ "$scen" = G ]; then
    # No package: the guest clones the project (this repository's HEAD, standing for its
    # public home) and runs README's two commands.
    git -C "$top" clone -q --bare "$top" "$dir/share/platformd.git"
    deb_time[$scen]=0
  elif ! deb=$(deb_for "$arch" "$(suite_of "$scen")"); then
    result[$scen]="FAIL (no $arch .deb: its build failed, see above)"
    return
  else
    deb_time[$scen]=$(($(date +%s) - t))
    cp "$deb" "$dir/share/debs/"
  fi
  cp "$here/scenarios/lib.sh" "$dir/share/"
  cp "$here/scenarios/${scen%%-*}.sh" "$dir/share/scenario"
  if [ "$scen" = B ]; then
    prepare_project "$dir/share/project" || { result[$scen]="FAIL (could not prepare the BOINC project)"; return; }
  fi
  case "$scen" in
    A-debian) echo BINFMT_MODE=debian >"$dir/share/params" ;;
    A-masked) echo BINFMT_MODE=masked >"$dir/share/params" ;;
    I) printf 'SERVER_URL=%s\nSERVER_NAME=%s\nBOARD_TASKS=%s\n' "${PLATFORMD_VM_SERVER_URL:?scenario I: run it through tests/server/run.sh board}" \
      "$PLATFORMD_VM_SERVER_NAME" "${PLATFORMD_VM_BOARD_TASKS:-3}" >"$dir/share/params" ;;
    *) : >"$dir/share/params" ;;
  esac
  chmod +x "$dir/share/scenario"
  qemu-img create -q -f qcow2 -b "$img/disk.img" -F raw "$dir/disk.qcow2"
  local nic=none
  # G: the newcomer's apt-get and README's commands need the network; I: the BOINC server.
  case "$scen" in G | I) nic=user ;; esac
  for n in 1 2 3 4; do
    boot "$scen" "$dir" "$n" "$img" "$nic"
    rc=$(cat "$dir/share/out/rc-$n" 2>/dev/null || echo none)
    [ "$rc" = 100 ] || break
  done
  local fails oks
  oks=$(grep -c '^ok:' "$dir/share/out/transcript.txt" 2>/dev/null || true)
  fails=$(grep -c '^FAIL:' "$dir/share/out/transcript.txt" 2>/dev/null || true)
  if [ "$rc" = 0 ] && [ "${fails:-0}" = 0 ] && [ "${oks:-0}" -gt 0 ]; then
    result[$scen]="PASS ($oks checks)"
  elif [ "$rc" = none ]; then
    result[$scen]="FAIL (boot $n did not finish; $oks ok, $fails failed)"
  else
    result[$scen]="FAIL ($fails of $((oks + fails)) checks, exit $rc)"
  fi
  log "$scen: ${result[$scen]} (transcript: $dir/share/out/transcript.txt)"
}

# --- scenario F: two guests configured by one ansible-playbook run over SSH (issue 15) -------
# Boots the amd64 and the arm64 image at once (one CPU each), each with user-mode networking
# and its port 22 forwarded from a loopback port; scenarios/F.sh in each makes it reachable and
# waits. Then tests/vm/fleet/site.yml (the collection's role, the package copied from here)
# runs against both: converge, again (changed=0 expected), and a check-mode run with --diff
# that asks for a change (nothing may change). Recaps and checks go to <work>/F/transcript.txt.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run_fleet() {
  local dir=$work/F name img deb g t pids=() n rc
  declare -A port img_of
  rm -rf "$dir"
  mkdir -p "$dir"
  if ! command -v ansible-playbook >/dev/null || ! command -v ssh >/dev/null; then
    result[F]="FAIL (ansible-playbook or ssh missing: scripts/install-deps.sh installs them)"
    return
  fi
  ssh-keygen -q -t ed25519 -N '' -C platformd-fleet -f "$dir/id"
  t=$(date +%s)
  for name in amd64 arm64; do
    img_of[$name]=$(bash "$here/mkimage" "$name") || { result[F]="FAIL (image $name)"; return; }
  done
  image_time[F]=$(($(date +%s) - t))
  t=$(date +%s)
  for name in amd64 arm64; do
    deb=$(deb_for "$name") || { result[F]="FAIL (no $name .deb)"; return; }
    g=$dir/$name
    mkdir -p "$g/share/out"
    cp "$deb" "$dir/platformd_$name.deb"
    cp "$here/scenarios/lib.sh" "$g/share/"
    cp "$here/scenarios/F.sh" "$g/share/scenario"
    cp "$dir/id.pub" "$g/share/authorized_keys"
    : >"$g/share/params"
    qemu-img create -q -f qcow2 -b "${img_of[$name]}/disk.img" -F raw "$g/disk.qcow2"
    port[$name]=$(free_port)
  done
  deb_time[F]=$(($(date +%s) - t))
  for name in amd64 arm64; do
    PLATFORMD_VM_BOOT_TIMEOUT=${PLATFORMD_VM_BOOT_TIMEOUT:-3600} smp=1 boot "F-$name" "$dir/$name" 1 "${img_of[$name]}" "user,hostfwd=tcp:127.0.0.1:${port[$name]}-:22" &
    pids+=($!)
  done
  local ready=0
  for ((n = 0; n < 1800; n += 5)); do
    [ -e "$dir/amd64/share/out/ready" ] && [ -e "$dir/arm64/share/out/ready" ] && { ready=1; break; }
    { kill -0 "${pids[0]}" 2>/dev/null && kill -0 "${pids[1]}" 2>/dev/null; } || break
    sleep 5
  done
  log "F: both guests ready: $ready (after ${n} s)"
  rc=0
  if [ "$ready" = 1 ]; then
    PLATFORMD_FLEET_DIR=$dir PLATFORMD_FLEET_PORTS="${port[amd64]} ${port[arm64]}" \
      bash "$here/fleet/play.sh" >"$dir/transcript.txt" 2>&1 || rc=$?
  else
    echo "FAIL: the guests did not become reachable" >"$dir/transcript.txt"
  fi
  touch "$dir/amd64/share/done" "$dir/arm64/share/done"
  wait "${pids[@]}" || true
  cat "$dir/amd64/share/out/transcript.txt" "$dir/arm64/share/out/transcript.txt" >"$dir/guests.txt" 2>/dev/null
  cat "$dir/amd64/boots" "$dir/arm64/boots" 2>/dev/null | sed 's/^boot1/boot/' >"$dir/boots"
  local oks fails
  oks=$(grep -c '^ok:' "$dir/transcript.txt" "$dir/guests.txt" 2>/dev/null | awk -F: '{ s += $2 } END { print s + 0 }')
  fails=$(grep -c '^FAIL:' "$dir/transcript.txt" "$dir/guests.txt" 2>/dev/null | awk -F: '{ s += $2 } END { print s + 0 }')
  if [ "$rc" = 0 ] && [ "$fails" = 0 ] && [ "$oks" -gt 0 ]; then
    result[F]="PASS ($oks checks)"
  else
    result[F]="FAIL ($fails of $((oks + fails)) checks, play exit $rc)"
  fi
  log "F: ${result[F]} (transcript: $dir/transcript.txt)"
}

command -v qemu-img >/dev/null || { echo "tests/vm/run.sh: qemu-img missing (apt-get install qemu-utils)" >&2; exit 77; }
mkdir -p "$work"
for s in "${expanded[@]}"; do
  if [ "$s" = F ]; then run_fleet; else run_scenario "$s"; fi
done

# --- the table ------------------------------------------------------------------------------
printf '\n%-9s %-7s %-9s %-6s %-30s %-40s %s\n' scenario image image_s deb_s boots_s "guest steps (s)" result
failed=0
for s in "${expanded[@]}"; do
  dir=$work/$s
  boots=$(awk '{ sub("boot", "", $1); printf "%s%s", sep, $2; sep = "+" }' "$dir/boots" 2>/dev/null || true)
  steps=$(awk '{ printf "%s%s=%s", sep, $1, $NF; sep = " " }' "$dir/share/out/steps" 2>/dev/null || true)
  printf '%-9s %-7s %-9s %-6s %-30s %-40s %s\n' "$s" "$(image_of "$s")" "${image_time[$s]:--}" \
    "${deb_time[$s]:--}" "${boots:--}" "${steps:--}" "${result[$s]:-not run}"
  case "${result[$s]:-}" in PASS*) ;; SKIP*) ;; *) failed=1 ;; esac
done
for s in "${expanded[@]}"; do
  # shellcheck disable=SC2012 # image directories we named: no odd characters
  img=$(ls -d "$cache/$(image_of "$s")"-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]/ 2>/dev/null | head -1 || true)
  [ -f "$img/timings" ] && echo "image $(image_of "$s") build steps (s, when it was built): $(tr '\n' ' ' <"$img/timings")"
done | sort -u
exit "$failed"
