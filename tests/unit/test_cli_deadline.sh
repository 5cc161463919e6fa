#!/bin/sh
# `dunghen deadline`: the output line, --explain, flags over the procedure's rule, rule versions
# on their boundary day, pauses, and the exit status of every kind of mistake.
binary=${DUNGHEN_BINARY:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
rules=$source_root/rules
count=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { # description, then a command that must succeed
  count=$((count + 1))
  description=$1
  shift
  if "$@" >/dev/null 2>&1; then echo "ok $count - $description"; else
    echo "not ok $count - $description"; failed=$((failed + 1)); fi
}
# expect_first DESCRIPTION EXPECTED ARGUMENTS...: the first output line, exit status 0
expect_first() {
  description=$1
  expected=$2
  shift 2
  output=$("$binary" deadline --rules "$rules" "$@" 2>"$work/stderr")
  status=$?
  first=$(printf '%s\n' "$output" | head -n 1)
  count=$((count + 1))
  if [ "$status" = 0 ] && [ "$first" = "$expected" ]; then echo "ok $count - $description"; else
    echo "not ok $count - $description"
    echo "#   got: '$first' (exit $status) $(cat "$work/stderr")"
    echo "#   expected: '$expected'"
    failed=$((failed + 1))
  fi
}
# expect_explain DESCRIPTION TEXT ARGUMENTS...: --explain prints a line containing TEXT
expect_explain() {
  description=$1
  text=$2
  shift 2
  "$binary" deadline --rules "$rules" --explain "$@" >"$work/explain" 2>&1
  count=$((count + 1))
  if grep -qF -- "$text" "$work/explain"; then echo "ok $count - $description"; else
    echo "not ok $count - $description"
    sed 's/^/#   /' "$work/explain"
    failed=$((failed + 1))
  fi
}
# expect_error DESCRIPTION STATUS MESSAGE ARGUMENTS...: exit status and the exact stderr line
expect_error() {
  description=$1
  expected_status=$2
  message=$3
  shift 3
  "$binary" deadline --rules "$rules" "$@" >"$work/stdout" 2>"$work/stderr"
  status=$?
  first=$(head -n 1 "$work/stderr")
  count=$((count + 1))
  if [ "$status" = "$expected_status" ] && [ "$first" = "$message" ] && [ ! -s "$work/stdout" ]
  then echo "ok $count - $description"; else
    echo "not ok $count - $description"
    echo "#   got: '$first' (exit $status)"
    echo "#   expected: '$message' (exit $expected_status)"
    failed=$((failed + 1))
  fi
}

# PRODUCT.md's examples, through the command line and the shipped calendar.
expect_first "hours: Monday 10:00 + 1wd" "2025-03-04T10:00:00+07:00" \
  --received 2025-03-03T10:00 --duration 1wd
expect_first "hours: Monday 16:00 + 1wd" "2025-03-04T16:00:00+07:00" \
  --received 2025-03-03T16:00 --duration 1wd
expect_first "hours: Monday 18:00 + 1wd" "2025-03-04T17:00:00+07:00" \
  --received "2025-03-03 18:00" --duration 1wd
expect_first "hours: Friday 10:00 + 2wd before Giỗ Tổ (Monday 7/4/2025)" \
  "2025-04-09T10:00:00+07:00" --received 2025-04-04T10:00 --duration 2wd
expect_first "days: Monday 10:00 + 3wd" "2025-03-06T17:00:00+07:00" \
  --received 2025-03-03T10:00 --duration 3wd --counting days
expect_first "days, cut-off 15:00: Monday 16:00 + 0wd" "2025-03-04T17:00:00+07:00" \
  --received 2025-03-03T16:00 --duration 0wd --counting days --cutoff 15:00
expect_first "a timestamp with an offset" "2025-03-04T10:00:00+07:00" \
  --received 2025-03-03T03:00:00Z --duration 1wd
expect_first "--option=value works too" "2025-03-06T17:00:00+07:00" \
  --received=2025-03-03T10:00 --duration=3wd --counting=days
expect_first "calendar days roll to the next working day" "2025-03-10T17:00:00+07:00" \
  --received 2025-03-03T10:00 --duration 5cd

# A procedure from the shipped catalogue, and flags over its rule.
expect_first "khai sinh (0wd, days, 15:00) received Monday 16:00" "2025-03-04T17:00:00+07:00" \
  --procedure 1.001193 --received 2025-03-03T16:00
expect_first "--cutoff none overrides the procedure's cut-off" "2025-03-03T17:00:00+07:00" \
  --procedure 1.001193 --received 2025-03-03T16:00 --cutoff none
expect_first "--counting hours overrides the procedure's mode" "2025-03-03T17:00:00+07:00" \
  --procedure 1.001193 --received 2025-03-03T10:00 --counting hours
expect_first "xác nhận tình trạng hôn nhân 3wd in hours" "2025-03-06T10:00:00+07:00" \
  --procedure 1.004873 --received 2025-03-03T10:00
expect_first "--counting days on the same procedure" "2025-03-06T17:00:00+07:00" \
  --procedure 1.004873 --received 2025-03-03T10:00 --counting days

# --explain shows every step.
expect_explain "explain: the deadline comes first" "2025-02-05T17:00:00+07:00" \
  --received 2025-01-24T10:00 --duration 3wd --counting days
expect_explain "explain: the rule given on the command line" \
  "rule: --duration 3wd from the command line (no procedure)" \
  --received 2025-01-24T10:00 --duration 3wd --counting days
expect_explain "explain: the effective receipt day" \
  "effective receipt day 2025-01-24 (Friday): received at 10:00 on a working day" \
  --received 2025-01-24T10:00 --duration 3wd --counting days
expect_explain "explain: each skipped day with its reason" \
  "skipped 2025-01-28 (Tuesday): Tết Nguyên Đán" \
  --received 2025-01-24T10:00 --duration 3wd --counting days
expect_explain "explain: the result" "result: 2025-02-05T17:00:00+07:00 (Wednesday)" \
  --received 2025-01-24T10:00 --duration 3wd --counting days
expect_explain "explain: the procedure" "rule: procedure 1.001193, Thủ tục đăng ký khai sinh" \
  --procedure 1.001193 --received 2025-03-03T16:00
expect_explain "explain: the version's source" "rule source: Quyết định công bố 163/QĐ-BTP" \
  --procedure 1.001193 --received 2025-03-03T16:00
expect_explain "explain: the cut-off" "after the cut-off 15:00" \
  --procedure 1.001193 --received 2025-03-03T16:00
expect_explain "explain: an unverified figure is marked" "rule confidence: uncertain" \
  --procedure 1.004859 --received 2025-03-03T10:00
expect_explain "explain: the overrides" "overridden on the command line: --cutoff none" \
  --procedure 1.001193 --received 2025-03-03T16:00 --cutoff none
expect_explain "explain: a pause" \
  "(Monday): 8h of working time not counted" \
  --received 2025-01-23T10:00 --duration 3wd --pause 2025-01-24T09:00/2025-02-03T09:00

# Pauses.
expect_first "a pause across Tết" "2025-02-05T10:00:00+07:00" \
  --received 2025-01-23T10:00 --duration 3wd --pause 2025-01-24T09:00/2025-02-03T09:00
expect_first "two pauses" "2025-03-06T10:00:00+07:00" --received 2025-03-03T10:00 \
  --duration 1wd --pause 2025-03-04T07:00/2025-03-05T07:00 \
  --pause 2025-03-05T07:00/2025-03-06T07:00
expect_first "an open pause stops the clock" "stopped" \
  --received 2025-03-03T10:00 --duration 3wd --pause 2025-03-04T10:00/
expect_first "FROM/open is an open pause too" "stopped" \
  --received 2025-03-03T10:00 --duration 3wd --pause 2025-03-04T10:00/open
ok "an open pause says what remains" sh -c "'$binary' deadline --rules '$rules' \
  --received 2025-03-03T10:00 --duration 3wd --pause 2025-03-04T10:00/ \
  | grep -qx 'remaining: 57600 working seconds'"
expect_first "restart: the duration runs again from the resume" "2025-03-10T17:00:00+07:00" \
  --received 2025-03-03T10:00 --duration 3wd --counting days --supplement restart \
  --pause 2025-03-04T09:00/2025-03-05T10:00

# Rule versions on their boundary day, and channels (a private rules directory).
versions=$work/rules
mkdir -p "$versions"
cp "$rules"/*.yaml "$versions"/
cp "$source_root/tests/data/procedures/versions.yaml" "$versions/procedures.yaml"
expect_first "the old version on its last day (30/6/2025): 7wd, days" \
  "2025-07-09T17:00:00+07:00" --rules "$versions" --procedure 1.004227 \
  --received 2025-06-30T10:00
expect_first "the new version on its first day (1/7/2025): 5wd direct, hours" \
  "2025-07-08T10:00:00+07:00" --rules "$versions" --procedure 1.004227 \
  --received 2025-07-01T10:00
expect_first "--channel online takes the online duration (3wd)" "2025-07-04T10:00:00+07:00" \
  --rules "$versions" --procedure 1.004227 --received 2025-07-01T10:00 --channel online
expect_explain "explain: the version's dates" \
  "rule version in force from 2025-07-01 to (no end date) (file line 18): 3wd for channel online" \
  --rules "$versions" --procedure 1.004227 --received 2025-07-01T10:00 --channel online
expect_error "no version in force" 2 \
  "dunghen deadline: procedure '1.000001' has no version in force on 2025-03-03" \
  --rules "$versions" --procedure 1.000001 --received 2025-03-03T10:00

# Mistakes.
expect_error "an unknown code suggests a close one" 2 \
  "dunghen deadline: unknown procedure code '1.00193' (did you mean '1.001193'?)" \
  --procedure 1.00193 --received 2025-03-03T10:00
expect_error "an unknown code far from any" 2 \
  "dunghen deadline: unknown procedure code 'banana'" \
  --procedure banana --received 2025-03-03T10:00
expect_error "--received is required" 2 "dunghen deadline: missing --received TS" \
  --duration 1wd
expect_error "--procedure or --duration is required" 2 \
  "dunghen deadline: missing --procedure CODE or --duration D" --received 2025-03-03T10:00
expect_error "not both" 2 "dunghen deadline: give --procedure or --duration, not both" \
  --received 2025-03-03T10:00 --duration 1wd --procedure 1.001193
not_a_duration="is not a duration: expected a number followed by wd (working days), wh \
(working hours) or cd (calendar days), such as 3wd"
expect_error "a bad duration" 2 "dunghen deadline: --duration: '3 days' $not_a_duration" \
  --received 2025-03-03T10:00 --duration "3 days"
expect_error "a bad timestamp" 2 "dunghen deadline: --received: '2025-02-30T10:00': no such date" \
  --received 2025-02-30T10:00 --duration 1wd
expect_error "a bad channel" 2 \
  "dunghen deadline: --channel must be direct, online or postal, not 'fax'" \
  --procedure 1.001193 --received 2025-03-03T10:00 --channel fax
expect_error "--channel without --procedure" 2 \
  "dunghen deadline: --channel applies only with --procedure" \
  --duration 1wd --received 2025-03-03T10:00 --channel online
expect_error "a bad counting mode" 2 \
  "dunghen deadline: --counting must be hours or days, not 'weeks'" \
  --duration 1wd --received 2025-03-03T10:00 --counting weeks
expect_error "a bad cut-off" 2 "dunghen deadline: --cutoff: '25:00': no such time of day" \
  --duration 1wd --received 2025-03-03T10:00 --cutoff 25:00
expect_error "a bad supplement mode" 2 \
  "dunghen deadline: --supplement must be pause or restart, not 'stop'" \
  --duration 1wd --received 2025-03-03T10:00 --supplement stop
expect_error "a pause without a slash" 2 \
  "dunghen deadline: --pause needs FROM/TO, not '2025-03-04T10:00'" \
  --duration 1wd --received 2025-03-03T10:00 --pause 2025-03-04T10:00
pause_text="2025-03-05T10:00:00+07:00/2025-03-04T10:00:00+07:00"
expect_error "a pause that ends before it starts" 2 \
  "dunghen deadline: the pause $pause_text ends before it starts" \
  --duration 1wd --received 2025-03-03T10:00 --pause 2025-03-05T10:00/2025-03-04T10:00
expect_error "an unexpected argument" 2 "dunghen deadline: unexpected argument '--frobnicate'" \
  --duration 1wd --received 2025-03-03T10:00 --frobnicate
expect_error "a flag without its value" 2 "dunghen deadline: --duration needs a value" \
  --received 2025-03-03T10:00 --duration
broken=$work/broken
mkdir -p "$broken"
cp "$rules"/*.yaml "$broken"/
cp "$source_root/tests/data/broken/procedures/duration-negative.yaml" "$broken/procedures.yaml"
expect_error "a broken procedures file names FILE:LINE:COLUMN" 2 \
  "dunghen deadline: $broken/procedures.yaml:6:15: duration '-3wd' is negative" \
  --rules "$broken" --duration 1wd --received 2025-03-03T10:00

# --apology-at: the apology letter as the daemon drafts it (core/dossier.h).
apology=$("$binary" deadline --rules "$rules" --received 2026-02-09T10:00 --duration 5wd \
  --apology-at 2026-02-17T08:00 2>&1 | sed -n 2p)
count=$((count + 1))
if [ "$apology" = "letter: dated 2026-02-23, new date 2026-03-02T10:00:00+07:00, wording before_deadline, form 2025" ]
then echo "ok $count - drafted on mùng 1 Tết: dated after Tết, new date after the deadline"; else
  echo "not ok $count - drafted on mùng 1 Tết: dated after Tết, new date after the deadline"
  echo "#   got: '$apology'"; failed=$((failed + 1)); fi
apology=$("$binary" deadline --rules "$rules" --received 2026-03-02T09:00 --duration 3wd \
  --apology-at 2026-03-05T10:00 --promised 2026-03-06T16:00 --extension 2wd 2>&1 | sed -n 2p)
count=$((count + 1))
if [ "$apology" = "letter: dated 2026-03-05, new date 2026-03-10T16:00:00+07:00, wording before_deadline, form 2025" ]
then echo "ok $count - a later promise and another extension are counted from"; else
  echo "not ok $count - a later promise and another extension are counted from"
  echo "#   got: '$apology'"; failed=$((failed + 1)); fi
expect_explain "--explain shows the letter's date derivation" \
  "skipped 2026-02-17 (Tuesday): Tết Nguyên Đán" \
  --received 2026-02-09T10:00 --duration 5wd --apology-at 2026-02-17T08:00
expect_explain "--explain says what the new date is counted from" \
  "new date: extension 5wd (hours counting) counted from 2026-02-23T10:00:00+07:00 (the statutory deadline)" \
  --received 2026-02-09T10:00 --duration 5wd --apology-at 2026-02-17T08:00
# The fuller explanation: the days a cut-off jumps over, and what each day counted.
expect_explain "a cut-off before Tết lists the days it jumps over" \
  "skipped 2026-02-18 (Wednesday): Tết Nguyên Đán" \
  --received 2026-02-13T16:00 --duration 2wd --counting days --cutoff 15:00
expect_explain "days mode lists each working day counted" \
  "working day 2: 2026-02-25 (Wednesday)" \
  --received 2026-02-13T16:00 --duration 2wd --counting days --cutoff 15:00
expect_explain "hours mode gives the working time counted on each day" \
  "counted on 2026-02-13 (Friday): 8h (13h in all)" \
  --received 2026-02-12T10:00 --duration 2wd
expect_explain "a pause's hours are not counted on its days" \
  "counted on 2026-03-03 (Tuesday): 3h (10h in all)" \
  --received 2026-03-02T08:00 --duration 3wd --pause 2026-03-03T10:00/2026-03-04T14:00
expect_explain "a receipt after closing lists the days before the clock starts" \
  "skipped 2026-02-14 (Saturday): Saturday" \
  --received 2026-02-13T18:00 --duration 1wd
expect_error "--promised without --apology-at" 2 \
  "dunghen deadline: --promised and --extension apply only with --apology-at" \
  --received 2026-02-09T10:00 --duration 5wd --promised 2026-03-06T16:00

echo "1..$count"
test "$failed" = 0
