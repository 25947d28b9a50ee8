# Sourced first by scripts/test.sh and scripts/demo.sh. The tests and the demo run programs as
# unprivileged users (the probes as nobody, D-Bus callers as a test uid) from this tree and its
# build, so every directory on its path must be searchable by others. A clone in root's home is
# not (Debian's /root is 0700; found by VM scenario G: 41 of 51 tests and the demo failed with
# "execve: Permission denied"). Then the command runs from a copy of the tree in /var/tmp (its
# build directory inside it, kept between runs), and says so. Nothing of the machine changes.
# Root builds and runs from that copy, and /var/tmp is everyone's: its predictable name is used
# only when root made it (or finds it root's own, not a symlink, writable by root alone); a
# name another user took first gets a fresh mktemp directory instead (tests/integration/
# test-reachable-tree.sh). PLATFORMD_REACHABLE_BASE replaces /var/tmp (that test).
#   run_from_reachable_tree TOP SCRIPT ARGS...   (returns when TOP is reachable; else execs)
run_from_reachable_tree() {
  local top=$1 script=$2 base=${PLATFORMD_REACHABLE_BASE:-/var/tmp} dest copied=${PLATFORMD_REACHABLE_COPY:-}
  shift 2
  # The marker is for the copy's own command alone: its children (ctest, and the tests that run
  # this script again) must not inherit it (VM scenario G, fourth run: test-reachable-tree failed
  # there, run from the copy, because the exported marker made every inner run stay in place).
  unset PLATFORMD_REACHABLE_COPY
  [ "$(id -u)" = 0 ] && [ "$copied" != 1 ] || return 0
  setpriv --reuid=65534 --regid=65534 --clear-groups -- test -r "$top/CMakeLists.txt" 2>/dev/null && return 0
  dest=$base/platformd-tree-$(printf '%s' "$top" | md5sum | cut -c1-12)
  if ! mkdir -m 0755 "$dest" 2>/dev/null && ! roots_own_directory "$dest"; then
    echo "$dest is not root's own directory (another user made it, or it is a symlink): not using it" >&2
    dest=$(mktemp -d "$base/platformd-tree-XXXXXXXXXX")
    chmod 0755 "$dest"
  fi
  echo "$top is not reachable by unprivileged users (a directory on its path is not searchable by others," \
    "as Debian's /root is not), whom the tests run programs as: running from a copy in $dest" >&2
  # The copy follows the tree: everything but its build directories is replaced.
  find "$dest" -mindepth 1 -maxdepth 1 ! -name build ! -name 'build-*' -exec rm -rf {} +
  tar -C "$top" --exclude=./build --exclude='./build-*' -cf - . | tar -C "$dest" -xf -
  PLATFORMD_REACHABLE_COPY=1 exec bash "$dest/scripts/$script" "$@"
}

# roots_own_directory PATH: a directory (not a symlink) owned by root that no one else can write.
roots_own_directory() {
  [ ! -L "$1" ] && [ -d "$1" ] && [ "$(stat -c %u "$1")" = 0 ] && [ -z "$(find "$1" -maxdepth 0 -perm /022)" ]
}
