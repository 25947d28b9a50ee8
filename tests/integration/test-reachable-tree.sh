# scripts/reachable-tree.sh, which README's two commands source first (issue 23): a tree that
# unprivileged users cannot reach (a clone in Debian's 0700 /root) runs from a copy in /var/tmp,
# here a sticky directory of the test's own (PLATFORMD_REACHABLE_BASE) standing for it.
#  1. A reachable tree runs in place.
#  2. An unreachable one runs from the copy, whose directory is root's own (0755); a second run
#     uses the same copy and keeps its build directory.
#  3. Root builds and runs in that copy, and its name is predictable: a user who made that name
#     first (a directory of theirs holding a script of theirs) is not used, and nothing of the
#     tree is written into it; the command runs from a fresh directory of root's.
#  4. A symlink at that name, pointing at a directory of root's: not followed (that directory
#     stays empty).
#  5. The copy's command does not pass its marker (PLATFORMD_REACHABLE_COPY) on to its children:
#     README's test command run from a copy runs this test, whose inner runs must still copy.
#     VM scenario G's fourth run found it (this test failed there: 7 checks).
# Before the fix (session 22) the script took the name with `mkdir -p` and `chmod`, both
# whoever owned it: case 3 ran from the user's directory (its tar even made root the owner),
# case 4 wrote the tree through the symlink (5 checks failed).
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/unprivileged.sh"
source "$(dirname "$0")/lib/attacker.sh"  # check, finish
require_unprivileged

# This test may itself run from a copy (README's command in a clone under /root): each run below
# starts as a fresh command does.
unset PLATFORMD_REACHABLE_COPY
base=$T/vartmp
mkdir -m 1777 "$base"
export PLATFORMD_REACHABLE_BASE=$base

# make_tree DIR: a tree with the real scripts/reachable-tree.sh and a command that says where it
# ran from.
make_tree() {
  mkdir -p "$1/scripts"
  touch "$1/CMakeLists.txt"
  cp "$PLATFORMD_SOURCE_DIR/scripts/reachable-tree.sh" "$1/scripts/"
  cat >"$1/scripts/where.sh" <<'EOF'
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/scripts/reachable-tree.sh"
run_from_reachable_tree "$top" where.sh "$@"
echo "ran from $top"
echo "marker passed on: ${PLATFORMD_REACHABLE_COPY:-no}"
EOF
}
copy_name() { echo "$base/platformd-tree-$(printf '%s' "$1" | md5sum | cut -c1-12)"; }

# --- 1 ---
mkdir -m 0755 "$T/open"
make_tree "$T/open/tree"
expect_exit 0 bash "$T/open/tree/scripts/where.sh"
check "a reachable tree runs in place" grep -qx "ran from $T/open/tree" "$T/out"

# --- 2 ---
mkdir -m 0700 "$T/root-home"
make_tree "$T/root-home/tree"
dest=$(copy_name "$T/root-home/tree")
expect_exit 0 bash "$T/root-home/tree/scripts/where.sh"
check "an unreachable tree runs from the copy" grep -qx "ran from $dest" "$T/out"
check "...and says so" grep -qF "running from a copy in $dest" "$T/err"
check "...the copy is root's own, 0755" test "$(stat -c %u:%a "$dest")" = 0:755
check "...and its command passes no marker on to its children" grep -qx "marker passed on: no" "$T/out"
mkdir "$dest/build" && touch "$dest/build/kept"
expect_exit 0 bash "$T/root-home/tree/scripts/where.sh"
check "a second run uses the same copy" grep -qx "ran from $dest" "$T/out"
check "...and keeps its build directory" test -e "$dest/build/kept"

# --- 3 ---
make_tree "$T/root-home/tree3"
dest=$(copy_name "$T/root-home/tree3")
as_unprivileged mkdir -m 0777 "$dest"
as_unprivileged sh -c "mkdir '$dest/scripts' && printf 'echo the user ran as root\n' >'$dest/scripts/where.sh'"
expect_exit 0 bash "$T/root-home/tree3/scripts/where.sh"
check "a name another user made first is not used" sh -c "! grep -q 'the user ran' '$T/out' && ! grep -qx 'ran from $dest' '$T/out'"
check "...and says so" grep -qF "$dest is not root's own directory" "$T/err"
ran=$(sed -n 's/^ran from //p' "$T/out")
check "...the command ran from a fresh directory of root's, 0755" \
  sh -c "test '$ran' != '$dest' && case '$ran' in '$base'/platformd-tree-*) test \"\$(stat -c %u:%a '$ran')\" = 0:755 ;; *) false ;; esac"
check "...nothing of the tree was written into the user's directory" \
  sh -c "test \"\$(ls -A '$dest')\" = scripts && test ! -e '$dest/CMakeLists.txt'"

# --- 4 ---
make_tree "$T/root-home/tree4"
dest=$(copy_name "$T/root-home/tree4")
mkdir -m 0755 "$T/victim-dir"
as_unprivileged ln -s "$T/victim-dir" "$dest"
expect_exit 0 bash "$T/root-home/tree4/scripts/where.sh"
check "a symlink at the name is not used" sh -c "! grep -qx 'ran from $dest' '$T/out'"
check "...nor followed: the directory it points at stays empty" test -z "$(ls -A "$T/victim-dir")"
finish
