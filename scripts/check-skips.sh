#!/usr/bin/env bash
# Fails when ctest skipped a test that .ci/allowed-skips does not list (issue 19: a skip is
# not a pass). Each line there is "TEST-NAME: reason"; '#' starts a comment.
#   scripts/check-skips.sh CTEST_OUTPUT
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 CTEST_OUTPUT}
allowed=$top/.ci/allowed-skips
mapfile -t skipped < <(sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) .*\*\*\*Skipped.*/\1/p' "$out")
bad=0
for t in "${skipped[@]}"; do
  if [ -f "$allowed" ] && grep -qE "^${t}:[[:space:]]*[^[:space:]]" "$allowed"; then
    echo "skipped, allowed: $t ($(grep -E "^${t}:" "$allowed" | head -1 | cut -d: -f2- | sed 's/^ *//'))"
  else
    echo "SKIPPED, not allowed (a skip is a failure unless .ci/allowed-skips lists it with a reason): $t" >&2
    bad=$((bad + 1))
  fi
done
echo "skips: ${#skipped[@]}, of them not allowed: $bad"
[ "$bad" = 0 ]
