#!/bin/sh
# `dunghen demo` end to end: a small seeded run, then its summary checked against the database
# it leaves behind (--keep): every dossier that reached its deadline unfinished has exactly one
# apology letter, the escalations are right, letter numbers per agency and year are 1..n, and
# every rendered letter is on disk with the recorded size and sha256.
binary=${DUNGHEN_BINARY:?}
work=$(mktemp -d)
cluster=
cleanup() {
  if [ -n "$cluster" ] && [ -f "$cluster/data/postmaster.pid" ]; then
    kill -INT "$(head -n 1 "$cluster/data/postmaster.pid")" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      [ -f "$cluster/data/postmaster.pid" ] || break
      sleep 0.5
    done
  fi
  [ -n "$cluster" ] && rm -rf "$cluster"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
. "${DUNGHEN_SOURCE_ROOT:?}/tests/support/tap.sh"
query() { psql "$conninfo" -XAtq -c "$1"; }

"$binary" demo --seed 7 --dossiers 400 --days 21 --out "$work/out" --keep >"$work/summary" 2>"$work/errors"
status=$?
check "the demo exits 0" equals "$status" 0
sed 's/^/# /' "$work/errors"
conninfo=$(sed -n 's/^  psql "\(.*\)"$/\1/p' "$work/summary")
cluster=$(printf '%s\n' "$conninfo" | sed -n 's/^host=\([^ ]*\) .*/\1/p')
check "the summary says how to connect" test -n "$conninfo"
for heading in "Dossiers by state:" "Escalations raised, by level:" \
  "Progress report (Decision 766), by agency:" "The report as a PDF to sign:" \
  "Apology letters rendered:" "An example letter:" "Why is dossier"; do
  check "the summary has '$heading'" grep -q "$heading" "$work/summary"
done

rendered=$(sed -n 's/^Apology letters rendered: \([0-9]*\) .*/\1/p' "$work/summary")
check "letters rendered in the summary = rows rendered, with their earlier drafts" \
  equals "$rendered" "$(query "SELECT (SELECT count(*) FROM dunghen.letter_log WHERE state =
   'rendered') + (SELECT count(*) FROM dunghen.letter_version)")"
redrafts=$(sed -n 's/^  of which \([0-9]*\) re-drafts under the same number.*/\1/p' "$work/summary")
check "re-drafts in the summary = earlier drafts kept" \
  equals "${redrafts:-0}" "$(query "SELECT count(*) FROM dunghen.letter_version")"
check "some letters were rendered" test "${rendered:-0}" -gt 0
check "no letter is left pending or failed" \
  equals "$(query "SELECT count(*) FROM dunghen.letter_log WHERE state <> 'rendered'")" 0
check "every apology escalation has exactly one letter" equals "$(query "
  SELECT count(*) FROM dunghen.escalation_log e WHERE e.level = 'apology'
   AND (SELECT count(*) FROM dunghen.letter_log l WHERE l.dossier_code = e.dossier_code) <> 1")" 0
check "every dossier overdue or rescheduled now has exactly one letter" equals "$(query "
  SELECT count(*) FROM dunghen.clock c
   WHERE c.state IN ('overdue', 'rescheduled', 'overdue_again')
     AND (SELECT count(*) FROM dunghen.letter_log l WHERE l.dossier_code = c.code) <> 1")" 0
check "every overdue dossier has its overdue escalation" equals "$(query "
  SELECT count(*) FROM dunghen.clock c WHERE c.state = 'overdue' AND NOT EXISTS
   (SELECT 1 FROM dunghen.escalation_log e WHERE e.dossier_code = c.code AND e.level = 'overdue')")" 0
check "no dossier finished early was escalated as overdue" equals "$(query "
  SELECT count(*) FROM dunghen.clock c WHERE c.state = 'finished_early' AND EXISTS
   (SELECT 1 FROM dunghen.escalation_log e WHERE e.dossier_code = c.code
     AND e.level IN ('overdue', 'apology', 'long_overdue'))")" 0
check "an overdue-again escalation only after a reschedule" equals "$(query "
  SELECT count(*) FROM dunghen.escalation_log e WHERE e.level = 'overdue_again' AND NOT EXISTS
   (SELECT 1 FROM dunghen.letter_log l WHERE l.dossier_code = e.dossier_code)")" 0
check "letter numbers per agency and year are 1..n without gaps" equals "$(query "
  SELECT count(*) FROM (SELECT agency_code, year FROM dunghen.letter_log GROUP BY 1, 2
   HAVING min(number) <> 1 OR max(number) <> count(*) OR count(DISTINCT number) <> count(*)) g")" 0
check "every state the ladder knows appears" equals "$(query "
  SELECT count(DISTINCT state) >= 6 FROM dunghen.clock")" t

mismatches=0
query "SELECT path || ' ' || sha256 || ' ' || bytes FROM dunghen.letter_log WHERE state = 'rendered'
  UNION ALL SELECT path || ' ' || sha256 || ' ' || bytes FROM dunghen.letter_version" \
  >"$work/letters"
while read -r path sha size; do
  [ -f "$path" ] && [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$sha" ] &&
    [ "$(stat -c %s "$path")" = "$size" ] && [ "$(stat -c %a "$path")" = 640 ] ||
    mismatches=$((mismatches + 1))
done <"$work/letters"
check "every rendered letter and earlier draft is on disk, 0640, with its recorded size and sha256" \
  equals "$mismatches" 0
check "no PDF on disk without its row" \
  equals "$(find "$work/out/letters" -name '*.pdf' | wc -l)" "$(wc -l <"$work/letters")"
example=$(sed -n 's/^An example letter: //p' "$work/summary")
check "the example letter passes qpdf --check" sh -c "qpdf --check '$example' >/dev/null"
check "the example letter reads as an apology" \
  sh -c "pdftotext '$example' - 2>/dev/null | grep -q 'PHIẾU XIN LỖI'"

# The progress report of the simulated period: the same code as `dunghen report`, its total row
# checked against the tables. Its columns, after "total Tổng cộng": carried over, in period,
# online, direct, postal, other, done, early, on time, late, in progress, on time, overdue,
# withdrawn, unclassified, share, score, letters, late without letter, missed new date.
period=$(sed -n 's/^Kỳ báo cáo: \([0-9-]*\) đến \([0-9-]*\)$/\1 \2/p' "$work/summary")
first=${period% *}
last=${period#* }
check "the report names the simulated period" test -n "$first" -a -n "$last"
start="'$first'::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'"
end="('$last'::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'"
# shellcheck disable=SC2046
set -- $(sed -n 's/^total *Tổng cộng//p' "$work/summary")
check "the report's total row has its 20 figures" equals "$#" 20
check "the report's dossiers received in the period = the clocks received then" \
  equals "$2" "$(query "SELECT count(*) FROM dunghen.clock
    WHERE received_at >= $start AND received_at < $end")"
check "the report's dossiers done = the clocks finished in the period" \
  equals "$7" "$(query "SELECT count(*) FROM dunghen.clock WHERE state LIKE 'finished%'
    AND finished_at >= $start AND finished_at < $end")"
check "the report's letters = the letters created in the period" \
  equals "${18}" "$(query "SELECT count(*) FROM dunghen.letter_log
    WHERE created_at >= $start AND created_at < $end")"
check "the total balances: carried over + in period = done + in progress + withdrawn + flagged" \
  equals "$(($1 + $2))" "$(($7 + ${11} + ${14} + ${15}))"
report_pdf=$(sed -n 's/^The report as a PDF to sign: //p' "$work/summary")
check "the report PDF passes qpdf --check" sh -c "qpdf --check '$report_pdf' >/dev/null"
check "the report PDF has the title and the period" sh -c "pdftotext '$report_pdf' - |
  tr '\n' ' ' | grep -q 'BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH.*từ ngày $(
    date -d "$first" +%d/%m/%Y) đến ngày $(date -d "$last" +%d/%m/%Y)'"
check "the report PDF is 0640" equals "$(stat -c %a "$report_pdf")" 640

explain=$(sed -n 's/^  \(.*dunghen deadline .*\)$/\1/p' "$work/summary")
check "the summary suggests an explain command" test -n "$explain"
check "the suggested explain command works" sh -c "$explain >/dev/null"

# A second run into the same directory works and starts from an empty spool.
"$binary" demo --seed 8 --dossiers 150 --days 14 --out "$work/out" >"$work/second" 2>&1
check "a second run exits 0" equals "$?" 0
again=$(sed -n 's/^Apology letters rendered: \([0-9]*\) .*/\1/p' "$work/second")
check "after it, the spool holds exactly the second run's letters" \
  equals "$(find "$work/out/letters" -name '*.pdf' | wc -l)" "$again"
check "and its private server is gone" sh -c "! grep -q 'still running' '$work/second'"

"$binary" demo --dossiers 0 >/dev/null 2>&1
check "--dossiers 0 is a usage error (exit 2)" equals "$?" 2
tap_finish
