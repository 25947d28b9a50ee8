#!/usr/bin/env bash
# Runs shellcheck over every shell file of the project (issue 19): scripts/, the Debian maintainer
# scripts, tests/ and bench/, and .ci/. Zero findings, or a `# shellcheck disable=` with its
# reason on the line before. Files without a shebang (sourced libraries, test bodies run by
# tests/integration/run-in-namespace with bash) are checked as bash.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null || { echo "shellcheck: not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
mapfile -t files < <(
  {
    git ls-files 'scripts/*.sh' 'tests/*.sh' 'bench/*.sh' '.ci/*' 'tests/vm/mkimage' 'tests/vm/scenarios/*.sh' \
      'tests/integration/run-in-namespace' 'debian/postinst' 'debian/prerm' 'debian/postrm' 'debian/preinst' \
      'debian/*.postinst' 'debian/*.prerm' 'debian/*.postrm' 'debian/*.preinst' 'ansible/**/*.sh'
  } | sort -u | while read -r f; do
    [ -f "$f" ] || continue
    case $f in *.py | *.yml | *.yaml | *.json | *.xml | *.txt | *.md | *.cc | *.h | .ci/allowed-skips) continue ;; esac
    head -c 200 "$f" | grep -qE '^#!.*(python|perl)' && continue
    echo "$f"
  done
)
echo "shellcheck: ${#files[@]} files"
# -x: follow `source` of the project's own libraries; -s bash for those without a shebang.
shellcheck -x -P SCRIPTDIR -s bash "${files[@]}"
echo "shellcheck: 0 findings"
