#!/usr/bin/env bash
# Fails when a file of core/ includes one of a higher layer (core/layers.txt; issue 19: layers
# point one way). The first pattern that matches a path gives its layer; a file no pattern
# matches is an error too, so a new file must be placed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/core"
mapfile -t rules < <(grep -vE '^[[:space:]]*(#|$)' layers.txt)
layer_of() {
  local f=$1 r n pat
  for r in "${rules[@]}"; do
    n=${r%% *}
    pat=${r#* }
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    if [[ $f == $pat ]]; then
      echo "$n"
      return
    fi
  done
  echo "?"
}
bad=0 edges=0
while IFS= read -r f; do
  lf=$(layer_of "$f")
  if [ "$lf" = "?" ]; then
    echo "core/$f: no layer in core/layers.txt" >&2
    bad=$((bad + 1))
    continue
  fi
  while IFS= read -r inc; do
    [ -e "$inc" ] || continue  # not a core/ file (a system header spelt with quotes)
    li=$(layer_of "$inc")
    edges=$((edges + 1))
    if [ "$li" = "?" ] || [ "$li" -gt "$lf" ]; then
      echo "core/$f (layer $lf) includes $inc (layer $li): layers point down only" >&2
      bad=$((bad + 1))
    fi
  done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$f")
done < <(find . -name '*.h' -o -name '*.cc' | sed 's|^\./||' | sort)
echo "layers: $edges includes checked, $bad pointing up or unplaced"
[ "$bad" = 0 ]
