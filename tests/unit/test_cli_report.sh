#!/bin/sh
# `dunghen report`'s bad input: every case exits 2 with a message naming the cause, before the
# database is asked anything (the database's own checks, such as an unknown agency, are in
# tests/db/test_report.c); a database that cannot be reached exits 1.
binary=${DUNGHEN_BINARY:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
. "$source_root/tests/support/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { "$binary" report "$@" >"$work/out" 2>"$work/err"; echo $?; }
says() { grep -qF -- "$1" "$work/err"; }
nowhere='host=/nonexistent-dunghen-socket-directory connect_timeout=1'

check "no --from exits 2" equals "$(run --to 2025-03-31)" 2
check "and asks for both dates" says "dunghen report: --from DATE and --to DATE are required"
check "a malformed date exits 2" equals "$(run --from 2025-3-1 --to 2025-03-31 --db "$nowhere")" 2
check "and names the option" says "dunghen report: --from: "
check "an impossible date exits 2" \
  equals "$(run --from 2025-03-01 --to 2025-02-30 --db "$nowhere")" 2
check "and names the option" says "dunghen report: --to: "
check "an inverted period exits 2" \
  equals "$(run --from 2025-04-01 --to 2025-03-31 --db "$nowhere")" 2
check "and says the period is empty" \
  says "dunghen report: the period is empty: --from 2025-04-01 is after --to 2025-03-31"
check "an unknown grouping exits 2" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --by office --db "$nowhere")" 2
check "and lists the groupings" \
  says "unknown grouping 'office' (expected agency, field, procedure or channel)"
check "an unknown format exits 2" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --format xlsx --db "$nowhere")" 2
check "and lists the formats" says "--format is text, csv, json or pdf, not 'xlsx'"
check "an unknown option exits 2" equals "$(run --from 2025-03-01 --to 2025-03-31 --bogus)" 2
check "and names it" says "unknown option '--bogus'"
check "an empty --agency exits 2" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --agency '' --db "$nowhere")" 2
check "a bad --number exits 2" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --format pdf --number x1 --db "$nowhere")" 2
check "and says what a number is" says "--number is a number from 0 to 999999, not 'x1'"
check "an --issuer that agencies.yaml lacks exits 2 (before the database is asked)" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --format pdf --issuer NOPE --out "$work/r.pdf" \
    --rules "$source_root/rules" --db "$nowhere")" 2
check "and names it" says "dunghen report: --issuer: unknown agency 'NOPE'"
# A PDF is never written to a terminal: script(1) gives the command one.
script -qec "'$binary' report --from 2025-03-01 --to 2025-03-31 --format pdf --db '$nowhere'" \
  /dev/null >"$work/tty" 2>&1
check "a PDF to a terminal exits 2" equals "$?" 2
check "and asks for --out" grep -qF "a PDF is not written to a terminal: give --out FILE.pdf" \
  "$work/tty"
check "a database that cannot be reached exits 1" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --db "$nowhere")" 1
check "and says it could not connect" says "dunghen report: connect"
check "nothing went to stdout" equals "$(cat "$work/out")" ""
tap_finish
