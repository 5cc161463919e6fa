#!/bin/sh
# `dunghen check` validates everything the daemon loads: calendar, procedures, ladder, agencies
# (on the rules search path) and the letter templates; every error is located, one a line, file
# by file in file order (20 a file, then a count), exit 2.
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
check "a broken ladder does not hide a broken agencies.yaml" \
  equals "$(run --rules "$work/ladder:$work/agencies:$rules")" 2
check "both are named, ladder first (the order files are loaded in)" sh -c \
  "grep -q '^dunghen check: $work/ladder/ladder.yaml:' '$work/err' &&
   grep -q '^dunghen check: $work/agencies/agencies.yaml:' '$work/err' &&
   [ \$(wc -l <'$work/err') -eq 2 ] &&
   head -1 '$work/err' | grep -q ladder.yaml"

# Several files, several errors: every one is named, in file order, and no file hides another.
mkdir "$work/three"
cat >"$work/three/calendar.yaml" <<'YAML'
announced:
  2025:
    days_off:
      - dates: [2025-02-30]
        reason: Tết
        source: notice
YAML
cat >"$work/three/procedures.yaml" <<'YAML'
procedures:
  - code: '1.000001'
    name: Registering a birth
    field: civil status
    level: commune
    duration: 3 days
    source: Decision 1/QĐ
    confidence: one-source
  - code: '1.000002'
    name: Registering a death
    field: civil status
    level: commune
    duraton: 3wd
    source: Decision 1/QĐ
    confidence: one-source
YAML
check "three independent errors in two files exit 2" equals "$(run --rules "$work/three:$rules")" 2
check "all three are printed, located, one a line, in file order" equals "$(cat "$work/err")" \
"dunghen check: $work/three/calendar.yaml:4:17: '2025-02-30': no such date
dunghen check: $work/three/procedures.yaml:6:15: '3 days' is not a duration: expected a number followed by wd (working days), wh (working hours) or cd (calendar days), such as 3wd
dunghen check: $work/three/procedures.yaml:13:5: unknown key 'duraton' in procedure '1.000002' (did you mean 'duration'?)"

mkdir "$work/one"
sed -n '1,8p' "$work/three/procedures.yaml" >"$work/one/procedures.yaml"
check "a file with one error exits 2" equals "$(run --rules "$work/one:$rules")" 2
check "and prints exactly that error, as before" equals "$(cat "$work/err")" \
  "dunghen check: $work/one/procedures.yaml:6:15: '3 days' is not a duration: expected a number followed by wd (working days), wh (working hours) or cd (calendar days), such as 3wd"

mkdir "$work/thirty"
{
  echo 'procedures:'
  i=1
  while [ $i -le 30 ]; do
    printf "  - {code: '1.%06d', name: n, field: f, level: l, duration: %dweeks, source: s, confidence: one-source}\n" $i $i
    i=$((i + 1))
  done
} >"$work/thirty/procedures.yaml"
check "a file with 30 errors exits 2" equals "$(run --rules "$work/thirty:$rules")" 2
check "20 are shown, then one line counts the others" equals "$(wc -l <"$work/err")" 21
check "the first shown is the first in the file" equals "$(sed -n 1p "$work/err")" \
  "dunghen check: $work/thirty/procedures.yaml:2:63: '1weeks' is not a duration: expected a number followed by wd (working days), wh (working hours) or cd (calendar days), such as 3wd"
check "the last shown is the 20th" grep -q "^dunghen check: $work/thirty/procedures.yaml:21:63: '20weeks' " \
  "$work/err"
check "and the count of the rest ends the list" equals "$(sed -n 21p "$work/err")" \
  "dunghen check: $work/thirty/procedures.yaml: 10 more errors not shown"

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
# An announced year written when only the New Year and Tết notices were out.
mkdir "$work/early-2027"
cp "$rules/calendar.yaml" "$work/early-2027/calendar.yaml"
year_line=$(($(wc -l <"$rules/calendar.yaml") + 1))
cat >>"$work/early-2027/calendar.yaml" <<'YAML'
  2027:
    days_off:
      - dates: [2027-01-01]
        reason: New Year's Day
        source: Ministry of Home Affairs notice
      - dates: [2027-02-05, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11]
        reason: Tết Nguyên Đán (Lunar New Year)
        source: Ministry of Home Affairs notice
YAML
check "a 2027 schedule with only New Year and Tết passes" \
  equals "$(run --rules "$work/early-2027:$rules")" 0
for missing in "Giỗ Tổ Hùng Vương (Hùng Kings' Commemoration) — Labour Code 2019 art. 112(1)(e) on 2027-04-16" \
  "Reunification Day (30/4) — Labour Code 2019 art. 112(1)(c) on 2027-04-30" \
  "compensatory day off for International Labour Day (1/5) — Labour Code 2019 art. 111(3) on 2027-05-03" \
  "National Day holiday (adjacent day) — Labour Code 2019 art. 112(1)(đ) on 2027-09-01" \
  "National Day (2/9) — Labour Code 2019 art. 112(1)(đ) on 2027-09-02"; do
  check "it warns, located, that 2027 lacks ${missing%% —*}" grep -qF \
    "warning: $work/early-2027/calendar.yaml:$year_line:3: the announced schedule of 2027 does not list $missing, a statutory day off" \
    "$work/err"
done
check "and about nothing in New Year or Tết" sh -c "! grep -q 'schedule of 2027 does not list .* on 2027-0[12]-' '$work/err'"
run >/dev/null
check "the shipped schedules 2023-2026 lack no statutory day off" \
  sh -c "! grep -q 'does not list' '$work/err'"
# "Today" decides which years must have an announced schedule: --now, $DUNGHEN_NOW, the clock.
check "--now in a year with announced schedules passes" equals "$(run --now 2025-06-01)" 0
check "without a warning about an unannounced year" \
  sh -c "! grep -q 'no announced schedule' '$work/err'"
check "--now two years past the shipped schedules passes" equals "$(run --now 2028-01-01T08:00)" 0
check "and warns about that year and the next" sh -c \
  "grep -qx 'warning: 2028: no announced schedule; statutory holidays only' '$work/err' &&
   grep -qx 'warning: 2029: no announced schedule; statutory holidays only' '$work/err'"
check "\$DUNGHEN_NOW stands for --now" equals "$(DUNGHEN_NOW=2028-01-01 run)" 0
check "with the same warnings" grep -q '2029: no announced schedule' "$work/err"
check "--now that is not a timestamp exits 2" equals "$(run --now yesterday)" 2
check "and says why" grep -q "^dunghen check: now 'yesterday': " "$work/err"
check "--now without a timestamp exits 2" equals "$(run --now)" 2
check "an unknown option exits 2" equals "$(run --frobnicate)" 2
check "--letters without a directory exits 2" equals "$(run --letters)" 2
tap_finish
