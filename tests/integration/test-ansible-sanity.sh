# Issue 15: `ansible-test sanity` on the collection in ansible/, as far as Debian 12's
# ansible-core (2.14) can run it here. Seven of its tests install their own requirements from
# PyPI into a venv (ansible-doc, import, pep8, pylint, runtime-metadata, validate-modules,
# yamllint); with no PyPI they cannot start, so they are skipped BY NAME and listed in the
# output. Every other test (compile, shebang, no-assert, ...) runs and must pass. A planted
# syntax error shows that the run checks the collection's files at all.
source "$(dirname "$0")/lib/common.sh"

command -v ansible-test >/dev/null || { echo "SKIP: ansible-test is not installed (ansible-core)"; exit 77; }
offline_only=(ansible-doc import pep8 pylint runtime-metadata validate-modules yamllint)
export HOME=$T/home LC_ALL=C.UTF-8 ANSIBLE_NOCOLOR=1
mkdir -p "$HOME" "$T/ac/ansible_collections/platformd"
col=$T/ac/ansible_collections/platformd/boinc
cp -r "$PLATFORMD_SOURCE_DIR/ansible" "$col"
skip=()
for t in "${offline_only[@]}"; do skip+=(--skip-test "$t"); done

sanity() { (cd "$col" && ansible-test sanity --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" --local "$@"); }
sanity "${skip[@]}" >"$T/sanity.out" 2>&1 || { cat "$T/sanity.out"; fail "ansible-test sanity failed"; }
ran=$(grep -c '^Running sanity test' "$T/sanity.out")
echo "measured: $ran sanity tests ran and passed; skipped (need PyPI): ${offline_only[*]}"
[ "$ran" -ge 20 ] || fail "only $ran sanity tests ran: $(cat "$T/sanity.out")"

printf 'x = "unterminated\n' >"$col/plugins/modules/planted_error.py"
! sanity --test compile >"$T/planted.out" 2>&1 || fail "compile passed a module with a syntax error"
grep -q "planted_error.py" "$T/planted.out" || fail "the failure does not name the file: $(cat "$T/planted.out")"
pass "ansible-test sanity: $ran tests pass on the collection; a planted syntax error fails 'compile'"
