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
check "a database that cannot be reached exits 1" \
  equals "$(run --from 2025-03-01 --to 2025-03-31 --db "$nowhere")" 1
check "and says it could not connect" says "dunghen report: connect"
check "nothing went to stdout" equals "$(cat "$work/out")" ""
tap_finish
