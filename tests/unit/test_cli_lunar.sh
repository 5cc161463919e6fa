#!/bin/sh
# `dunghen lunar` and `dunghen solar`: output, messages and exit statuses (ARCHITECTURE.md).
binary=${DUNGHEN_BINARY:?}
count=0
failed=0
errors=$(mktemp) || exit 1
trap 'rm -f "$errors"' EXIT
report() { # description, then whether it passed (0) or not
  count=$((count + 1))
  if [ "$2" = 0 ]; then echo "ok $count - $1"; else
    echo "not ok $count - $1"; failed=$((failed + 1)); fi
}
# expect DESCRIPTION STATUS STDOUT STDERR COMMAND...: exact exit status, stdout and stderr.
expect() {
  description=$1 status=$2 stdout=$3 stderr=$4
  shift 4
  got_stdout=$("$@" 2>"$errors")
  got_status=$?
  got_stderr=$(cat "$errors")
  if [ "$got_status" = "$status" ] && [ "$got_stdout" = "$stdout" ] &&
    [ "$got_stderr" = "$stderr" ]; then report "$description" 0; else
    report "$description" 1
    echo "#   status $got_status (expected $status)"
    echo "#   stdout '$got_stdout' (expected '$stdout')"
    echo "#   stderr '$got_stderr' (expected '$stderr')"
  fi
}
usage_hint() { printf "%s\nTry 'dunghen help %s'." "$2" "$1"; }

expect "lunar: Tet 2025" 0 "2025-01-01" "" "$binary" lunar 2025-01-29
expect "lunar: Gio To 2026" 0 "2026-03-10" "" "$binary" lunar 2026-04-26
expect "lunar: a leap month says leap" 0 "2023-02-01 leap" "" "$binary" lunar 2023-03-22
expect "lunar: Tet 1968 at UTC+7, not China's 1968-01-30" 0 "1968-01-01" "" \
  "$binary" lunar 1968-01-29
expect "lunar: first supported day" 0 "1899-12-01" "" "$binary" lunar 1900-01-01
expect "lunar: last supported day" 0 "2199-11-14" "" "$binary" lunar 2199-12-31
expect "lunar: before the range exits 2" 2 "" \
  "dunghen lunar: 1899-12-31 is outside the supported range 1900-01-01 to 2199-12-31" \
  "$binary" lunar 1899-12-31
expect "lunar: after the range exits 2" 2 "" \
  "dunghen lunar: 2200-01-01 is outside the supported range 1900-01-01 to 2199-12-31" \
  "$binary" lunar 2200-01-01
expect "lunar: an impossible date exits 2" 2 "" "dunghen lunar: '2025-02-30': no such date" \
  "$binary" lunar 2025-02-30
expect "lunar: a malformed date exits 2" 2 "" \
  "dunghen lunar: '25-1-1': expected a date as YYYY-MM-DD" "$binary" lunar 25-1-1
expect "lunar: no date exits 2" 2 "" \
  "$(usage_hint lunar "dunghen lunar: missing the solar date YYYY-MM-DD")" "$binary" lunar
expect "lunar: two dates exit 2" 2 "" \
  "$(usage_hint lunar "dunghen lunar: unexpected argument '2025-01-02': expected one date")" \
  "$binary" lunar 2025-01-01 2025-01-02
expect "lunar: an unknown option exits 2" 2 "" \
  "$(usage_hint lunar "dunghen lunar: unknown option '--leap'")" \
  "$binary" lunar --leap 2025-01-01

expect "solar: Tet 2026" 0 "2026-02-17" "" "$binary" solar 2026-01-01
expect "solar: Gio To 2025" 0 "2025-04-07" "" "$binary" solar 2025-03-10
expect "solar: --leap picks the leap month" 0 "2025-07-25" "" "$binary" solar 2025-06-01 --leap
expect "solar: --leap may come first" 0 "2025-07-25" "" "$binary" solar --leap 2025-06-01
expect "solar: without --leap, the regular month" 0 "2025-06-25" "" "$binary" solar 2025-06-01
expect "solar: day 30 of a 30-day month (not a solar date)" 0 "2023-03-21" "" \
  "$binary" solar 2023-02-30
expect "solar: day 30 of a 29-day month exits 2" 2 "" \
  "dunghen solar: lunar 2023-01-30 does not exist: month 1 of lunar year 2023 has 29 days" \
  "$binary" solar 2023-01-30
expect "solar: a leap month the year lacks exits 2" 2 "" \
  "dunghen solar: lunar 2024-02-01 leap does not exist: lunar year 2024 has no leap month" \
  "$binary" solar 2024-02-01 --leap
expect "solar: the wrong leap month exits 2" 2 "" \
  "dunghen solar: lunar 2023-03-01 leap does not exist: the leap month of lunar year 2023 is 2" \
  "$binary" solar 2023-03-01 --leap
expect "solar: month 13 exits 2" 2 "" "dunghen solar: '2023-13-01': lunar months are 1 to 12" \
  "$binary" solar 2023-13-01
expect "solar: day 31 exits 2" 2 "" "dunghen solar: '2023-01-31': lunar days are 1 to 30" \
  "$binary" solar 2023-01-31
expect "solar: a malformed date exits 2" 2 "" \
  "dunghen solar: 'tomorrow': expected a lunar date as YYYY-MM-DD" "$binary" solar tomorrow
expect "solar: outside the range exits 2" 2 "" \
  "dunghen solar: lunar 2199-11-15 is outside the supported range 1900-01-01 to 2199-12-31" \
  "$binary" solar 2199-11-15
expect "solar: no date exits 2" 2 "" \
  "$(usage_hint solar "dunghen solar: missing the lunar date YYYY-MM-DD")" "$binary" solar --leap
expect "solar: an unknown option exits 2" 2 "" \
  "$(usage_hint solar "dunghen solar: unknown option '--lep'")" \
  "$binary" solar 2025-06-01 --lep
echo "1..$count"
test "$failed" = 0
