#!/bin/sh
# `dunghen check` validates everything the daemon loads: calendar, procedures, ladder, agencies
# (on the rules search path) and the letter templates; the first error is located, exit 2.
binary=${DUNGHEN_BINARY:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
rules=$source_root/rules
. "$source_root/tests/support/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { "$binary" check "$@" >"$work/out" 2>"$work/err"; echo $?; }

check "the shipped rules and templates pass" equals "$(run)" 0
check "the summary counts levels and agencies" \
  grep -q ': 5 escalation levels, 4 agencies, letter templates ok; 52 procedures' "$work/out"

mkdir "$work/ladder" "$work/agencies" "$work/letters"
printf 'levels:\n  - name: due_soon\n    episode: 3\n' >"$work/ladder/ladder.yaml"
check "a broken ladder.yaml on the search path exits 2" \
  equals "$(run --rules "$work/ladder:$rules")" 2
check "and is located" grep -q "^dunghen check: $work/ladder/ladder.yaml:[0-9]*:[0-9]*: " \
  "$work/err"

printf 'agencies:\n  DLK: {}\n' >"$work/agencies/agencies.yaml"
check "a broken agencies.yaml exits 2" equals "$(run --rules "$work/agencies:$rules")" 2
check "and is located" \
  grep -q "^dunghen check: $work/agencies/agencies.yaml:[0-9]*:[0-9]*: agencies must be a list" \
  "$work/err"

cp "$source_root"/letters/form-*.yaml "$work/letters/"
sed -i 's/Kính gửi: {applicant_name}/Kính gửi: {applicant_nmae}/' "$work/letters/form-2025.yaml"
check "a template with an unknown placeholder exits 2" \
  equals "$(run --letters "$work/letters")" 2
check "and is located, with a suggestion" \
  grep -q "^dunghen check: $work/letters/form-2025.yaml:[0-9]*:[0-9]*: .*applicant_nmae.*applicant_name" \
  "$work/err"
check "the shipped rules warn about no forced form" sh -c "! grep -q 'form: 2018' '$work/err'"
mkdir "$work/old-form"
sed '0,/    form: 2025/s//    form: 2018/' "$rules/agencies.yaml" >"$work/old-form/agencies.yaml"
check "an agency on the 2018 form passes" equals "$(run --rules "$work/old-form:$rules")" 0
check "with a located warning that says what the 2018 form still applies to" \
  grep -q "^warning: $work/old-form/agencies.yaml:[0-9]*:[0-9]*: agency DLK-TTPVHCC sets form: 2018; it applies only to dossiers received before 2025-07-01, every later one gets the 2025 form$" \
  "$work/err"
check "an unknown option exits 2" equals "$(run --frobnicate)" 2
check "--letters without a directory exits 2" equals "$(run --letters)" 2
tap_finish
