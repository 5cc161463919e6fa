# tap.sh: Test Anything Protocol for the shell tests, sourced as
#   . "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"
# Every check prints one `ok N - ...` or `not ok N - ...` line, so meson counts each case;
# `tap_finish` prints the plan and is the script's exit status.
count=0
failed=0
pass() { count=$((count + 1)); echo "ok $count - $1"; }
fail() { # description, then diagnostic text printed as `# ` lines
  count=$((count + 1)); failed=$((failed + 1))
  echo "not ok $count - $1"
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'
  return 0
}
skip() { count=$((count + 1)); echo "ok $count - $1 # SKIP $2"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds (its output is the caller's).
check() {
  description=$1
  shift
  if "$@"; then pass "$description"; else fail "$description"; fi
}
# equals GOT EXPECTED: a test for `check` that explains a mismatch.
equals() { [ "$1" = "$2" ] || { echo "#   got '$1', expected '$2'"; return 1; }; }
tap_finish() {
  echo "1..$count"
  [ "$failed" = 0 ]
}
