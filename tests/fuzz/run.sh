#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in their own build tree and runs each one
# for SECONDS (default 20) on a copy of its seed corpus, then replays the saved regressions.
# Prints one table row per target; exits non-zero when any target crashed, hung, ran out of
# memory or broke an invariant.
#
#   bash tests/fuzz/run.sh [SECONDS_PER_TARGET]
#
# Environment: PLATFORMD_FUZZ_BUILD (build dir, default <repo>/build-fuzz), PLATFORMD_FUZZ_JOBS
# (build parallelism, default 2), PLATFORMD_FUZZ_TARGETS (space-separated subset, e.g.
# "cc_config state").
#
# Why a copy of the corpus: libFuzzer adds every input that finds new coverage to the corpus
# directory it is given; the committed seeds stay small and reviewed.
set -euo pipefail

seconds=${1:-20}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET]" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${PLATFORMD_FUZZ_BUILD:-$top/build-fuzz}
jobs=${PLATFORMD_FUZZ_JOBS:-2}

# libFuzzer ships in libclang-rt-<version>-dev, which clang only recommends: say so plainly
# instead of failing in the middle of the build with a missing libclang_rt.fuzzer.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$probe_dir/t.cc"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/t.cc" -o "$probe_dir/t" 2>"$probe_dir/err"; then
  cat "$probe_dir/err" >&2
  echo "run.sh: clang cannot link a libFuzzer target; install libclang-rt-14-dev (Debian 12)" >&2
  exit 1
fi

echo "== configure and build the fuzz targets in $build"
CC=clang CXX=clang++ cmake -S "$top" -B "$build" -G Ninja -DPLATFORMD_FUZZ=ON >"$probe_dir/configure.log" 2>&1 ||
  { cat "$probe_dir/configure.log" >&2; exit 1; }
cmake --build "$build" --target fuzz-targets -j "$jobs"
bin=$build/tests/fuzz/bin

# target -> dictionary (tests/fuzz/dict/)
dict_for() {
  case $1 in
    register_line | entry_file) echo binfmt ;;
    cc_config | get_state_reply | client_state | uptake) echo xml ;;
    catalog | translator | state | fidelity_reference) echo json ;;
    probe_identity | fidelity_fingerprint) echo probe ;;
  esac
}

# The part of a log that says what went wrong (libFuzzer's progress lines start with '#').
excerpt() {
  grep -v '^#[0-9]' "$1" | grep -A"$2" -m1 -E 'INVARIANT VIOLATED|ERROR: |runtime error:|terminate called' ||
    tail -"$2" "$1"
}

# The kind of failure, from libFuzzer's report.
failure_kind() {
  local log=$1
  if grep -q '==== INVARIANT VIOLATED' "$log"; then echo "INVARIANT"
  elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then echo "HANG"
  elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then echo "OOM"
  elif grep -q 'runtime error:' "$log"; then echo "UB"
  elif grep -q 'ERROR: AddressSanitizer' "$log"; then echo "ASAN"
  elif grep -q 'uncaught exception\|terminate called' "$log"; then echo "EXCEPTION"
  elif grep -q 'ERROR: libFuzzer: deadly signal' "$log"; then echo "CRASH"
  else echo "FAILED"
  fi
}

# A UB report without its stack says nothing about where in the core it happened.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

run_dir=$build/fuzz-run
rm -rf "$run_dir"
mkdir -p "$run_dir"
targets=${PLATFORMD_FUZZ_TARGETS:-$(cd "$here/corpus" && ls)}
rows=()
failed=0
for t in $targets; do
  exe=$bin/fuzz_$t
  [ -x "$exe" ] || { echo "run.sh: no fuzz target $exe" >&2; exit 1; }
  mkdir -p "$run_dir/$t/corpus" "$run_dir/$t/artifacts"
  cp -R "$here/corpus/$t/." "$run_dir/$t/corpus/"
  opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$run_dir/$t/artifacts/")
  d=$(dict_for "$t")
  [ -n "$d" ] && opts+=(-dict="$here/dict/$d.dict")

  echo "== fuzz_$t: ${seconds}s"
  log=$run_dir/$t/fuzz.log
  rc=0
  # The outer timeout only guards against a target that stops answering libFuzzer itself.
  timeout --signal=KILL $((seconds + 120)) "$exe" "${opts[@]}" "$run_dir/$t/corpus" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # Corpus: seed files -> files after the run (libFuzzer adds every input with new coverage).
  corpus="$(find "$here/corpus/$t" -type f | wc -l)->$(find "$run_dir/$t/corpus" -type f | wc -l)"
  if [ "$rc" = 0 ]; then
    result=ok
  else
    failed=1
    artifact=$(find "$run_dir/$t/artifacts" -type f | head -n 1)
    result="$(failure_kind "$log") $artifact"
    echo "---- fuzz_$t failed (rc $rc); the report:" >&2
    excerpt "$log" 40 >&2
  fi
  rows+=("$t|$seconds|${execs:-?}|$corpus|$result")

  # Saved reproducers of defects found before (tests/fuzz/regressions/<target>/<defect>):
  # each must now run clean. One process per file, so that every one is checked.
  regs=("$here/regressions/$t"/*)
  if [ -e "${regs[0]}" ]; then
    bad=()
    for f in "${regs[@]}"; do
      rlog=$run_dir/$t/regression-$(basename "$f").log
      if ! timeout --signal=KILL 60 "$exe" -timeout=10 -rss_limit_mb=2048 "$f" >"$rlog" 2>&1; then
        bad+=("$(failure_kind "$rlog") $(basename "$f")")
        echo "---- fuzz_$t: regression ${f#"$top"/} still fails:" >&2
        excerpt "$rlog" 30 >&2
      fi
    done
    if [ "${#bad[@]}" = 0 ]; then
      rows+=("$t (regressions)|-|${#regs[@]}|-|ok")
    else
      failed=1
      rows+=("$t (regressions)|-|${#regs[@]}|-|${#bad[@]} FAIL: $(IFS=,; echo "${bad[*]}")")
    fi
  fi
done

echo
printf '%-32s %8s %12s %12s  %s\n' target seconds execs corpus result
# (for a "(regressions)" row, execs is the number of saved reproducers replayed)
for r in "${rows[@]}"; do
  IFS='|' read -r t s e c res <<<"$r"
  printf '%-32s %8s %12s %12s  %s\n' "$t" "$s" "$e" "$c" "$res"
done
echo "logs and crash inputs: $run_dir"
exit "$failed"
