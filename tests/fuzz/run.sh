#!/usr/bin/env bash
# tests/fuzz/run.sh: build the libFuzzer targets with clang and run them.
#
#   tests/fuzz/run.sh [--seconds N] [--jobs J] [--only TARGET]... BUILD_DIR
#       fuzz every target for N seconds (default 60), J targets at a time (default 1), each
#       starting from a scratch copy of its committed corpus (tests/fuzz/corpus/TARGET), and
#       print per target: executions, executions per second, coverage (cov: edges, ft:
#       features, from libFuzzer's final stats), corpus size, peak memory and the result.
#   tests/fuzz/run.sh --regression BUILD_DIR
#       run every target once over its committed corpus, no mutation (seconds, not minutes).
#
# BUILD_DIR is configured with CC=clang and -Dfuzz=true when it does not exist yet. Exit status
# is 1 when any target crashed, leaked, timed out or ran out of memory; the input that did it is
# kept under BUILD_DIR/fuzz-runs/TARGET/ and its path printed: add it to the corpus once fixed.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
targets=(yaml_tree calendar_rules procedures ladder agencies config template text mail_template mime)
seconds=60
jobs=1
regression=false
only=()
directory=

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    --only) only+=("${2:?}"); shift 2 ;;
    --regression) regression=true; shift ;;
    -h|--help) usage ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$directory" ] || usage; directory=$1; shift ;;
  esac
done
[ -n "$directory" ] || usage
[ ${#only[@]} -eq 0 ] || targets=("${only[@]}")
case "$directory" in /*) ;; *) directory=$PWD/$directory ;; esac

# Build: configure once with clang, then only the fuzz targets.
if [ ! -f "$directory/build.ninja" ]; then
  CC=clang meson setup "$directory" "$top" -Dfuzz=true >"$directory.setup.log" 2>&1 ||
    { cat "$directory.setup.log" >&2; exit 1; }
else
  meson configure "$directory" -Dfuzz=true >/dev/null
fi
ninja_targets=()
for target in "${targets[@]}"; do ninja_targets+=("tests/fuzz/fuzz_$target"); done
ninja -C "$directory" "${ninja_targets[@]}" >"$directory/fuzz-ninja.log" 2>&1 ||
  { cat "$directory/fuzz-ninja.log" >&2; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Limits every run shares: a hostile input may not take 2 GB or 10 s.
common=(-rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10)

if $regression; then
  status=0
  for target in "${targets[@]}"; do
    binary=$directory/tests/fuzz/fuzz_$target
    log=$directory/fuzz-regression-$target.log
    if "$binary" "${common[@]}" -runs=0 "$top/tests/fuzz/corpus/$target" >"$log" 2>&1; then
      printf '%-16s ok    %s\n' "$target" "$(grep -o 'Done [0-9]* runs.*' "$log")"
    else
      printf '%-16s FAIL  see %s\n' "$target" "$log"
      status=1
    fi
  done
  exit $status
fi

# One target: fuzz it for $seconds in its own work directory, leave a log and a summary line.
fuzz_one() {
  local target=$1
  local work=$directory/fuzz-runs/$target
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp "$top/tests/fuzz/corpus/$target/"* "$work/corpus/"
  local started=$SECONDS result=ok
  "$directory/tests/fuzz/fuzz_$target" "${common[@]}" -max_total_time="$seconds" \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 ||
    result=FAIL
  local last executions speed rss cov ft corpus
  last=$(grep -E '^#[0-9]+' "$work/log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  executions=$(sed -n 's/^stat::number_of_executed_units: //p' "$work/log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: //p' "$work/log")
  rss=$(sed -n 's/^stat::peak_rss_mb: //p' "$work/log")
  printf '%-16s %12s %8s %6s %7s %12s %6s MB %5s s  %s\n' "$target" "${executions:-?}" \
    "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "${rss:-?}" $((SECONDS - started)) \
    "$result" >"$work/summary"
  if [ "$result" != ok ]; then
    {
      grep -E 'ERROR|SUMMARY|Test unit written' "$work/log" | head -n 5 | sed 's/^/    /'
      echo "    full log: $work/log"
    } >>"$work/summary"
  fi
}

printf '%-16s %12s %8s %6s %7s %12s %9s %7s  %s\n' target executions exec/s cov ft corpus \
  "peak rss" time result
running=0
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

status=0
for target in "${targets[@]}"; do
  summary=$directory/fuzz-runs/$target/summary
  if [ -f "$summary" ]; then
    cat "$summary"
    grep -q ' ok$' "$summary" || status=1
  else
    printf '%-16s did not run\n' "$target"
    status=1
  fi
done
exit $status
