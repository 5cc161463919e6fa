#!/usr/bin/env bash
# The house style (CONTRIBUTING.md, "C"): every C source and header of the project is as
# clang-format (the repository's .clang-format) would write it. One TAP line a file; a
# file that differs prints clang-format's first complaints. Fix with
#   clang-format -i FILE
# or wrap a table whose alignment carries meaning in `// clang-format off` / `on`.
set -u
root=${DUNGHEN_SOURCE_ROOT:?}
. "$root/tests/support/tap.sh"
cd "$root"
if ! command -v clang-format >/dev/null; then
  fail "clang-format is installed (tools/dev deps)"
  tap_finish
  exit
fi
files=$(find daemon tests bench \( -name '*.c' -o -name '*.h' \) -not -path '*/corpus/*' | sort)
# One clang-format run over every file (one process per file would cost seconds); its
# complaints are `FILE:LINE:COLUMN: error: code should be clang-formatted`, then the line.
# shellcheck disable=SC2086
report=$(clang-format --dry-run --Werror $files 2>&1)
total=0
for file in $files; do
  total=$((total + 1))
  complaints=$(printf '%s\n' "$report" | grep -A 2 -F "$file:" | head -n 12)
  if [ -z "$complaints" ]; then
    pass "$file"
  else
    fail "$file differs from clang-format's layout" "$complaints"
  fi
done
check "found the C sources ($total files)" test "$total" -gt 100
tap_finish
