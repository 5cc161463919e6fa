#!/bin/sh
# `dunghen letter` refuses a letter that contradicts itself (core/dossier.h), at the key at
# fault, with exit status 2: dated on a day off, a new date not after the promised time or
# before the letter, the 2018 form for a dossier received since 1 July 2025. A coherent letter
# renders, and a letter without a reason warns the signer.
binary=${DUNGHEN_BINARY:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
rules=$source_root/rules
sample=$source_root/letters/sample-letter.yaml
. "$source_root/tests/support/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# render NAME SED-SCRIPT: the sample changed by the script, rendered; prints the exit status.
render() {
  sed "$2" "$sample" >"$work/$1.yaml"
  "$binary" letter --input "$work/$1.yaml" --out "$work/$1.pdf" --rules "$rules" \
    >"$work/$1.out" 2>"$work/$1.err"
  echo $?
}

check "the sample letter renders" equals "$(render sample 's/^number: 7/number: 7/')" 0
check "and warns about nothing" equals "$(cat "$work/sample.err")" ""

check "dated on mùng 1 Tết: exit 2" equals "$(render tet 's/^date: 2026-02-05/date: 2026-02-17/')" 2
check "the date key is named, with the holiday" \
  grep -q "^dunghen letter: $work/tet.yaml:7:7: the letter is dated 2026-02-17, not a working day (Tết Nguyên Đán" \
  "$work/tet.err"
check "and no PDF is written" test ! -e "$work/tet.pdf"

check "dated on a Saturday off: exit 2" \
  equals "$(render saturday 's/^date: 2026-02-05/date: 2026-02-07/')" 2
check "dated on the worked Saturday 10/1/2026: renders" \
  equals "$(render worked 's/^date: 2026-02-05/date: 2026-01-10/; s/^new_appointment_at: .*/new_appointment_at: 2026-02-11T16:00/')" 0

check "a new date equal to the promised one: exit 2" \
  equals "$(render same 's/^new_appointment_at: .*/new_appointment_at: 2026-02-04T16:00/')" 2
check "the new date is named, with both times" \
  grep -q "^dunghen letter: $work/same.yaml:19:21: the new date 2026-02-04T16:00:00+07:00 is not after the promised time 2026-02-04T16:00:00+07:00" \
  "$work/same.err"
check "a new date before the promised one: exit 2" \
  equals "$(render earlier 's/^new_appointment_at: .*/new_appointment_at: 2026-02-02T16:00/')" 2

check "the 2018 form for a dossier received in 2026: exit 2" \
  equals "$(render form2018 's/^date: 2026-02-05/date: 2026-02-05\nform: 2018/')" 2
check "the form key is named" \
  grep -q "^dunghen letter: $work/form2018.yaml:8:7: the 2018 form is only for dossiers received before 2025-07-01" \
  "$work/form2018.err"
check "the 2018 form for a dossier received in June 2025: renders" \
  equals "$(render old 's/^date: 2026-02-05/date: 2025-07-08\nform: 2018/; s/received_at: .*/received_at: 2025-06-16T09:00/; s/promised_at: .*/promised_at: 2025-07-04T16:00/; s/^new_appointment_at: .*/new_appointment_at: 2025-07-11T16:00/')" 0

check "an unknown wording: exit 2" \
  equals "$(render wording 's/^date: 2026-02-05/date: 2026-02-05\nwording: late/')" 2
check "without a reason: renders" equals "$(render noreason '/^  reason: >-/{N;N;s/.*/  reason: ""/}')" 0
check "and tells the signer the reason is missing" \
  grep -q "^dunghen letter: warning: reason: empty; the letter leaves dotted lines to write it in by hand$" \
  "$work/noreason.err"
tap_finish
