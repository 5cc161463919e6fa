#!/bin/sh
# Working-day arithmetic: dunghen's calendar tables against numpy's busday_offset/busday_count
# on the same 10 million (date, N) pairs and the same holidays, in one run.
# Usage: bench/run-workdays.sh [BUILD_DIR] [PAIRS]   (default build directory: build)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
pairs=${2:-10000000}
ninja -C "$build" bench/workdays >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
"$build/bench/workdays" "$work" "$root/rules" "$pairs"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$root/bench/workdays_numpy.py" "$work"
