#!/bin/sh
# `dunghen calendar` and `dunghen check` against the shipped rules and broken copies of them:
# exact output, warnings, and exit statuses 0 and 2.
binary=${DUNGHEN_BINARY:?}
rules=${DUNGHEN_RULES:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
count=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

result() { # description, then 0 for success
  count=$((count + 1))
  if [ "$2" = 0 ]; then echo "ok $count - $1"; else
    echo "not ok $count - $1"; failed=$((failed + 1)); fi
}
same() { # description, got file, expected file
  if cmp -s "$2" "$3"; then result "$1" 0; else
    result "$1" 1; diff "$3" "$2" | sed 's/^/# /'; fi
}
status_of() { "$@" >"$work/out" 2>"$work/err"; echo $?; }
exits() { # description, expected status, command...
  description=$1
  expected=$2
  shift 2
  [ "$(status_of "$@")" = "$expected" ]
  result "$description" $?
}

# The calendar of 2026 exactly as announced, with every source (tests/data/calendar-2026.tsv).
exits "calendar --year 2026 exits 0" 0 "$binary" calendar --year 2026
same "calendar --year 2026 prints the announced schedule" "$work/out" \
  "$source_root/tests/data/calendar-2026.tsv"
"$binary" calendar --year 2027 --rules "$rules" | cut -f1,2 | tr '\t\n' ' ;' >"$work/got-2027"
printf '%s' "2027-01-01 off;2027-02-05 off;2027-02-08 off;2027-02-09 off;2027-02-10 off;\
2027-02-11 off;2027-04-16 off;2027-04-30 off;2027-05-03 off;2027-09-01 off;2027-09-02 off;" \
  >"$work/expected-2027"
same "calendar --year 2027 --rules DIR falls back on the statutory rules" "$work/got-2027" \
  "$work/expected-2027"
exits "calendar --year 2300 exits 2" 2 "$binary" calendar --year 2300
printf 'dunghen calendar: year 2300 is outside the calendar (1900-2199)\n' >"$work/expected"
same "calendar --year 2300 says why" "$work/err" "$work/expected"
exits "calendar without --year exits 2" 2 "$binary" calendar
exits "calendar --year abc exits 2" 2 "$binary" calendar --year abc

# check on the shipped rules: a summary, and warnings for this year and the next when they
# have no announced schedule (the shipped file announces 2023-2026).
exits "check exits 0 on the shipped rules" 0 "$binary" check
result "check prints the summary" "$(grep -Eq \
  "^.*: [0-9]+ escalation levels, [0-9]+ agencies, letter templates ok; [0-9]+ procedures, 8 holidays, announced schedules 2023-2026, calendar 1900-2199$" \
  "$work/out"; echo $?)"
result "check prints one summary line" "$( [ "$(wc -l <"$work/out")" = 1 ]; echo $?)"
year=$(TZ=Asia/Ho_Chi_Minh date +%Y)
: >"$work/expected"
for check_year in "$year" $((year + 1)); do
  if [ "$check_year" -lt 2023 ] || [ "$check_year" -gt 2026 ]; then
    echo "warning: $check_year: no announced schedule; statutory holidays only" >>"$work/expected"
  fi
done
same "check warns about this year and the next only when unannounced" "$work/err" \
  "$work/expected"

# A rules directory with a statutory-only calendar: both warnings, still exit 0.
mkdir "$work/statutory"
cat >"$work/statutory/procedures.yaml" <<'END'
procedures:
  - code: '1.000000'
    name: 'Test procedure'
    field: 'test'
    level: 'xã'
    duration: 3wd
    source: 'test fixture'
    confidence: one-source
END
sed '/^announced:/,$d' "$rules/calendar.yaml" >"$work/statutory/calendar.yaml"
cp "$rules/ladder.yaml" "$rules/agencies.yaml" "$work/statutory/"
exits "check exits 0 without announced schedules" 0 "$binary" check --rules "$work/statutory"
printf 'warning: %s: no announced schedule; statutory holidays only\n' "$year" $((year + 1)) \
  >"$work/expected"
same "check warns for this year and the next" "$work/err" "$work/expected"
result "the summary says there are none" \
  "$(grep -q '1 procedure, 8 holidays, no announced schedules, calendar 1900-2199$' \
  "$work/out"; echo $?)"

# Broken calendars: exit 2 and the located message, prefixed by the command.
for name in unknown-top-key impossible-clock overlapping-hours from-after-until \
  day-off-on-weekend; do
  mkdir "$work/$name"
  cp "$work/statutory/procedures.yaml" "$work/statutory/ladder.yaml" \
    "$work/statutory/agencies.yaml" "$work/$name/"
  cp "$source_root/tests/data/broken/calendar/$name.yaml" "$work/$name/calendar.yaml"
  exits "check exits 2 on $name" 2 "$binary" check --rules "$work/$name"
  head -n 1 "$work/$name/calendar.yaml" |
    sed "s|^# expect: FILE|dunghen check: $work/$name/calendar.yaml|" >"$work/expected"
  same "check reports $name at its line and column" "$work/err" "$work/expected"
  exits "calendar exits 2 on $name" 2 "$binary" calendar --year 2026 --rules "$work/$name"
done
exits "check with an unknown option exits 2" 2 "$binary" check --frobnicate

# An admin's override directory comes first in a search path: its calendar.yaml replaces the
# shipped one, and the files it lacks (procedures.yaml, ...) still come from the shipped rules.
mkdir "$work/override"
awk '{ print } /^  2026:$/ { in2026 = 1 } in2026 && /^    days_off:$/ {
  print "      - dates: [2026-11-24]"
  print "        reason: Vietnamese Culture Day (test)"
  print "        source: test fixture"
  in2026 = 0 }' "$rules/calendar.yaml" >"$work/override/calendar.yaml"
exits "calendar with an override directory exits 0" 0 \
  "$binary" calendar --year 2026 --rules "$work/override:$rules"
result "the override's one-off day off is listed" \
  "$(grep -q '^2026-11-24	off	Vietnamese Culture Day (test)' "$work/out"; echo $?)"
exits "check with an override directory exits 0" 0 "$binary" check --rules "$work/override:$rules"
result "procedures still come from the shipped rules" \
  "$(grep -q '52 procedures' "$work/out"; echo $?)"
exits "a search path where no directory has the file exits 2" 2 \
  "$binary" calendar --year 2026 --rules "$work/nothing:$work/none"
printf 'dunghen calendar: calendar.yaml: no such rules file in %s\n' "$work/nothing:$work/none" \
  >"$work/expected"
same "and names the directories searched" "$work/err" "$work/expected"

echo "1..$count"
test "$failed" = 0
