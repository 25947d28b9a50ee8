#!/usr/bin/env bash
# The integration tests once more, on a machine whose /proc/sys/fs/binfmt_misc is mounted and
# holds an entry (issue 23: every systemd host has it mounted, CI's machine has nothing there).
#
#   scripts/test-host-table.sh BUILD_DIR [ctest args...]
#
# Stands for that host without touching the real one: a user namespace with an identity map
# of uids and gids 0-65535 (so run-in-namespace nests inside it exactly as on the host), a
# PID namespace and procfs of its own, and in it a mounted binfmt_misc instance (owned by this
# user namespace, Linux >= 6.7) holding Debian's qemu-aarch64 entry as qemu-user-static
# registers it. Then ctest, whose tests must neither see nor change that entry; afterwards the
# instance must hold exactly that entry, enabled, as before.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
self=$(readlink -f "$0")
bf=/proc/sys/fs/binfmt_misc
if [ "${PLATFORMD_HOST_STANDIN:-}" != 1 ]; then
  build=$(readlink -f "${1:?usage: $0 BUILD_DIR [ctest args...]}")
  shift
  [ "$(id -u)" = 0 ] || { echo "test-host-table: run as root" >&2; exit 1; }
  # The maps are written from outside, as run-in-namespace does (one write each).
  (
    ours=$(readlink /proc/self/ns/user)
    for _ in $(seq 1 1000); do
      [ "$(readlink "/proc/$$/ns/user" 2>/dev/null || echo "$ours")" != "$ours" ] && break
      sleep 0.01
    done
    cat <<<"0 0 65536" >"/proc/$$/uid_map"
    cat <<<"0 0 65536" >"/proc/$$/gid_map"
  ) &
  # shellcheck disable=SC2016 # expanded by the inner shell
  exec unshare --user --mount --pid --fork -- /bin/sh -c '
    i=0
    until grep -q . /proc/self/uid_map && grep -q . /proc/self/gid_map; do
      i=$((i + 1)); [ "$i" -lt 1000 ] || { echo "test-host-table: no uid map" >&2; exit 1; }
      sleep 0.01
    done
    exec env PLATFORMD_HOST_STANDIN=1 "$0" "$@"' "$self" "$build" "$@"
fi
build=$1
shift
mount --make-rprivate /
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t binfmt_misc binfmt_misc "$bf" || {
  echo "test-host-table: cannot mount binfmt_misc in a user namespace (needs Linux >= 6.7)" >&2
  exit 1
}
q=$(command -v qemu-aarch64-static || echo /usr/bin/qemu-aarch64-static)
# Debian's /usr/lib/binfmt.d/qemu-aarch64.conf, as qemu-user-static registers it.
printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'"$q"':FPC' >"$bf/register"
before=$(cat "$bf/qemu-aarch64")
# entries: the names in the stand-in table, on one line.
entries() {
  local f
  for f in "$bf"/*; do
    case ${f##*/} in register | status) ;; *) printf '%s ' "${f##*/}" ;; esac
  done
}
echo "host stand-in: $bf mounted, entries: $(entries)"
cd "$build"
set +e
ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@" | tee "$build/ctest-host-table.out"
rc=${PIPESTATUS[0]}
set -e
bash "$top/scripts/check-skips.sh" "$build/ctest-host-table.out" || rc=1
now=$(entries)
if [ "$now" != "qemu-aarch64 " ] || [ "$(cat "$bf/qemu-aarch64")" != "$before" ]; then
  echo "FAIL: the stand-in host table changed: entries now: $now" >&2
  cat "$bf/qemu-aarch64" >&2 || true
  rc=1
else
  echo "host stand-in: the table holds exactly qemu-aarch64, unchanged"
fi
exit "$rc"
