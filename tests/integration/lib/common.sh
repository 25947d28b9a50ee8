# Shared helpers of the integration tests. Sourced by tests/integration/test-*.sh, which
# run-in-namespace starts inside a private user+mount namespace.
set -euo pipefail

: "${PLATFORMD_STAGE:?set by ctest: the install prefix under test}"
: "${PLATFORMD_SOURCE_DIR:?set by ctest}"
# shellcheck disable=SC2034 # used by the scripts that source this library
PCTL=$PLATFORMD_STAGE/bin/platformctl
BF=/proc/sys/fs/binfmt_misc
T=$PLATFORMD_TEST_TMP

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
pass() { echo "ok: $*"; }

# expect_exit CODE CMD... : runs CMD, checks its exit code, keeps stdout/stderr in $T/out, $T/err.
expect_exit() {
  local want=$1
  shift
  set +e
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
    fail "'$*' exited $got, expected $want"
  fi
}

# Entries in the private binfmt_misc table, one name per line (excluding register/status).
binfmt_entries() {
  [ -e "$BF/register" ] || return 0
  local f
  for f in "$BF"/*; do
    [ -e "$f" ] || continue
    case ${f##*/} in register | status) ;; *) echo "${f##*/}" ;; esac
  done
}

# build_hello ARCH -> path of a static hello program for ARCH, printing "hello from ARCH".
build_hello() {
  local arch=$1 cc
  case $arch in
    aarch64) cc=aarch64-linux-gnu-gcc ;;
    armhf) cc=arm-linux-gnueabihf-gcc ;;
    riscv64) cc=riscv64-linux-gnu-gcc ;;
    i686) cc=i686-linux-gnu-gcc ;;
    ppc64le) cc=powerpc64le-linux-gnu-gcc ;;
    s390x) cc=s390x-linux-gnu-gcc ;;
    x86_64) cc=gcc ;;
  esac
  command -v "$cc" >/dev/null || { echo "SKIP: $cc not installed"; exit 77; }
  printf '#include <stdio.h>\nint main(void){puts("hello from %s");return 0;}\n' "$arch" >"$T/hello-$arch.c"
  "$cc" -static -O1 -o "$T/hello-$arch" "$T/hello-$arch.c"
  echo "$T/hello-$arch"
}

# private_translator ARCH: a data directory like the installed one whose only translator is a
# copy of /usr/bin/qemu-ARCH-static at $T/bin/qemu-ARCH-static, which the test may replace.
# Exports PLATFORMD_DATA_DIR.
private_translator() {
  local arch=$1 qarch=${2:-$1}
  [ -x "/usr/bin/qemu-$qarch-static" ] || { echo "SKIP: qemu-user-static not installed"; exit 77; }
  mkdir -p "$T/bin" "$T/data"
  cp -a "$PLATFORMD_STAGE/share/platformd/." "$T/data/"
  rm -f "$T/data/emulators/"*.json
  cp "/usr/bin/qemu-$qarch-static" "$T/bin/qemu-$qarch-static"
  cat >"$T/data/emulators/test-qemu.json" <<JSON
{ "name": "test-qemu", "package": "qemu-user-static", "requires_static": true,
  "platforms": { "$arch": { "path": "$T/bin/qemu-$qarch-static" } } }
JSON
  export PLATFORMD_DATA_DIR=$T/data
}

# For programs run under strace in the sanitiser build: LeakSanitizer cannot run under ptrace
# and fails the traced process at exit, so leak checking is off there (every other run has it).
# Use as: strace ... env ASAN_OPTIONS="$NO_LSAN" PROGRAM ...
# shellcheck disable=SC2034 # used by the scripts that source this library
NO_LSAN=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# register_owners_tool CONF: "the owner's tool", a static x86_64 program that says it ran a
# program, registered as entry owners-tool for the magic of Debian's binfmt CONF in the namespace's
# table, without flags (as box64's entry): another tool's entry, standing for box64's. Sets
# owners_before to the entry as registered.
register_owners_tool() {
  local conf=$1
  cat >"$T/owners-tool.c" <<'C'
#include <stdio.h>
int main(int argc, char** argv) { printf("the owner's tool ran %s\n", argc > 1 ? argv[1] : "?"); return 0; }
C
  gcc -static -O1 -o "$T/owners-tool" "$T/owners-tool.c"
  chmod 0755 "$T/owners-tool"
  grep -v '^#' "$conf" | sed "s|^:qemu-[a-z0-9_]*:|:owners-tool:|; s|:[^:]*:[A-Z]*$|:$T/owners-tool:|" >"$BF/register"
  # shellcheck disable=SC2034 # read by the scripts that call this
  owners_before=$(cat "$BF/owners-tool")
}

# no_platformd_entry: true when the namespace's table holds no platformd-* entry.
no_platformd_entry() {
  local f
  for f in "$BF"/platformd-*; do [ -e "$f" ] && return 1; done
  return 0
}
