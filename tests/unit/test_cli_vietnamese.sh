#!/bin/sh
# The admin tools in both languages (po/vi.po): Vietnamese when the locale asks for it, with
# LANGUAGE=vi over C.UTF-8 or with LANG=vi_VN.UTF-8 even where that locale is not generated
# (cli/language.h), English otherwise; the machine-readable parts (the deadline's first line,
# the calendar's off/work column, exit statuses) are the same in both.
binary=${DUNGHEN_BINARY:?}
source_root=${DUNGHEN_SOURCE_ROOT:?}
rules=$source_root/rules
. "$source_root/tests/support/tap.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# english|vietnamese|vi_VN|c COMMAND...: runs dunghen in that language; stdout, stderr in files.
speak() {
  language=$1
  shift
  case $language in
  english) env -u LANG -u LANGUAGE -u LC_ALL -u LC_MESSAGES "$binary" "$@" ;;
  c) env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=C "$binary" "$@" ;;
  vietnamese) env -u LC_ALL -u LC_MESSAGES LANGUAGE=vi LANG=C.UTF-8 "$binary" "$@" ;;
  vi_VN) env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 "$binary" "$@" ;;
  esac >"$work/$language.out" 2>"$work/$language.err"
  echo $?
}
has_line() { grep -qxF -- "$1" "$2" || { echo "#   no line '$1' in:"; sed 's/^/#   /' "$2"; return 1; }; }

# --- deadline --explain: the cut-off case, every skipped day with its reason ---
explain="deadline --received 2026-02-13T16:00 --duration 2wd --counting days --cutoff 15:00 --explain"
for language in english c vietnamese vi_VN; do
  check "deadline --explain exits 0 ($language)" equals "$(speak $language $explain)" 0
done
check "the deadline itself is the same ISO line in every language" sh -c \
  "head -1 '$work/english.out' | grep -qx '2026-02-25T17:00:00+07:00' &&
   head -1 '$work/vietnamese.out' | grep -qx '2026-02-25T17:00:00+07:00'"
check "LANG=C is English, word for word" cmp -s "$work/english.out" "$work/c.out"
check "LANG=vi_VN.UTF-8 (not generated here) speaks Vietnamese all the same" \
  cmp -s "$work/vietnamese.out" "$work/vi_VN.out"
for line in \
  "effective receipt day 2026-02-23 (Monday): received at 16:00, after the cut-off 15:00" \
  "skipped 2026-02-14 (Saturday): Saturday" \
  "skipped 2026-02-16 (Monday): Tết Nguyên Đán (Lunar New Year) — Ministry of Home Affairs notice 9441/TB-BNV of 16/10/2025" \
  "counting 2wd in days mode: the closing time of the 2nd working day after it" \
  "working day 1: 2026-02-24 (Tuesday)" \
  "result: 2026-02-25T17:00:00+07:00 (Wednesday)"; do
  check "English: $line" has_line "$line" "$work/english.out"
done
for line in \
  "tiếp nhận 2026-02-13T16:00:00+07:00 (Thứ Sáu)" \
  "thời hạn 2wd, cách tính days, giờ chốt: 15:00, chờ bổ sung: pause" \
  "ngày tiếp nhận được tính 2026-02-23 (Thứ Hai): tiếp nhận lúc 16:00, sau giờ chốt 15:00" \
  "bỏ qua 2026-02-14 (Thứ Bảy): Thứ Bảy" \
  "bỏ qua 2026-02-15 (Chủ nhật): Chủ nhật" \
  "bỏ qua 2026-02-16 (Thứ Hai): Tết Nguyên Đán — Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ" \
  "bỏ qua 2026-02-22 (Chủ nhật): Chủ nhật" \
  "tính 2wd theo ngày: giờ kết thúc làm việc của ngày làm việc thứ 2 sau ngày đó" \
  "ngày làm việc thứ 1: 2026-02-24 (Thứ Ba)" \
  "ngày làm việc thứ 2: 2026-02-25 (Thứ Tư)" \
  "kết quả: 2026-02-25T17:00:00+07:00 (Thứ Tư)"; do
  check "Vietnamese: $line" has_line "$line" "$work/vietnamese.out"
done
check "every day from Saturday 14/2 to Sunday 22/2 is listed as skipped, in both languages" \
  sh -c "[ \$(grep -c '^skipped ' '$work/english.out') -eq 9 ] &&
         [ \$(grep -c '^bỏ qua ' '$work/vietnamese.out') -eq 9 ]"
check "as many lines in Vietnamese as in English" \
  equals "$(wc -l <"$work/vietnamese.out")" "$(wc -l <"$work/english.out")"
check "no English word is left in the Vietnamese explanation" sh -c \
  "! grep -Eq 'skipped|received|working day|result|Monday|Saturday|Sunday' '$work/vietnamese.out'"

# Hours mode: the working time counted on each day.
hours="deadline --received 2026-03-02T10:00 --duration 1wd --explain"
speak english $hours >/dev/null
speak vietnamese $hours >/dev/null
check "English: the hours counted on each day" sh -c \
  "grep -qxF 'counted on 2026-03-02 (Monday): 5h (5h in all)' '$work/english.out' &&
   grep -qxF 'counted on 2026-03-03 (Tuesday): 3h (8h in all)' '$work/english.out'"
check "Vietnamese: the hours counted on each day" sh -c \
  "grep -qxF 'tính vào 2026-03-02 (Thứ Hai): 5h (cộng dồn 5h)' '$work/vietnamese.out' &&
   grep -qxF 'tính vào 2026-03-03 (Thứ Ba): 3h (cộng dồn 8h)' '$work/vietnamese.out' &&
   grep -qxF 'tính 1wd theo giờ: 1 x 8h = 8h' '$work/vietnamese.out'"

# A procedure's rule, and the apology letter's dates.
speak vietnamese deadline --received 2026-02-13T16:00 --duration 2wd --apology-at 2026-02-28T09:00 \
  --explain >/dev/null
check "Vietnamese: the letter drafted on a Saturday moves to the next working day" sh -c \
  "grep -qxF 'phiếu xin lỗi soạn lúc 2026-02-28T09:00:' '$work/vietnamese.out' &&
   grep -qxF 'soạn ngày 2026-02-28, không phải ngày làm việc:' '$work/vietnamese.out' &&
   grep -qxF 'phiếu ghi ngày 2026-03-02, ngày làm việc kế tiếp' '$work/vietnamese.out' &&
   grep -q '^letter: dated 2026-03-02, ' '$work/vietnamese.out'"

# A procedure's rule: its version, with no dates set, in Vietnamese.
speak vietnamese deadline --received 2026-02-13T16:00 --procedure 1.004873 --explain >/dev/null
check "Vietnamese: a procedure's version without dates" sh -c \
  "grep -q '^phiên bản quy định có hiệu lực từ (không ghi ngày bắt đầu) đến (không ghi ngày hết hiệu lực) ' '$work/vietnamese.out' &&
   ! grep -Eq 'no start date|no end date' '$work/vietnamese.out'"

# LC_ALL=C wins over LANGUAGE, as in every GNU program.
env LC_ALL=C LANGUAGE=vi "$binary" $explain >"$work/lc_all.out"
check "LC_ALL=C with LANGUAGE=vi is English" cmp -s "$work/c.out" "$work/lc_all.out"
env -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 LANGUAGE=en "$binary" $explain >"$work/language.out"
check "LANGUAGE=en over LANG=vi_VN.UTF-8 is English (LANGUAGE is the admin's list)" \
  cmp -s "$work/c.out" "$work/language.out"
env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=fr_FR.UTF-8 "$binary" $explain >"$work/french.out"
check "a language without a catalogue (fr_FR) is English" cmp -s "$work/c.out" "$work/french.out"

# --- calendar: only the reason is translated ---
speak english calendar --year 2026 >/dev/null
speak vietnamese calendar --year 2026 >/dev/null
check "calendar: the same days and the same off/work column in both languages" sh -c \
  "cut -f1,2 '$work/english.out' >'$work/english.days' &&
   cut -f1,2 '$work/vietnamese.out' >'$work/vietnamese.days' &&
   cmp -s '$work/english.days' '$work/vietnamese.days' && [ -s '$work/english.days' ]"
tab=$(printf '\t')
for line in \
  "2026-01-10${tab}work${tab}làm bù cho Thứ Sáu 2/1 — Công văn 12729/VPCP-KGVX của Văn phòng Chính phủ, hoán đổi ngày nghỉ Tết Dương lịch 2026" \
  "2026-04-27${tab}off${tab}nghỉ bù Giỗ Tổ Hùng Vương (Chủ nhật 26/4) — Bộ luật Lao động 2019, khoản 3 Điều 111" \
  "2026-09-02${tab}off${tab}Quốc khánh (2/9) và ngày liền kề — Thông báo 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ"; do
  check "calendar 2026 in Vietnamese: ${line%%"$tab"*}" has_line "$line" "$work/vietnamese.out"
done
check "calendar 2026 in English keeps its reasons" has_line \
  "2026-04-27${tab}off${tab}compensatory day off for Giỗ Tổ Hùng Vương (Sunday 26/4) — Labour Code 2019 art. 111(3)" \
  "$work/english.out"
speak vi_VN calendar --year 2031 >/dev/null
check "a statutory year's compensatory day, composed from the template, in Vietnamese" has_line \
  "2031-01-27${tab}off${tab}nghỉ bù Tết Nguyên Đán — Bộ luật Lao động 2019, khoản 3 Điều 111" \
  "$work/vi_VN.out"

# --- check: the summary, the warnings, the errors ---
check "check passes in Vietnamese" equals "$(speak vietnamese check --now 2026-06-01)" 0
check "with the summary in Vietnamese" has_line \
  "$rules: 5 cấp cảnh báo, 4 cơ quan, mẫu phiếu hợp lệ; 52 thủ tục, 8 ngày lễ, lịch nghỉ công bố các năm 2023-2026, lịch 1900-2199" \
  "$work/vietnamese.out"
check "and the unannounced year's warning" has_line \
  "cảnh báo: 2027: chưa có lịch nghỉ công bố; chỉ tính các ngày lễ theo luật định" \
  "$work/vietnamese.err"
speak english check --now 2026-06-01 >/dev/null
check "English summary unchanged" has_line \
  "$rules: 5 escalation levels, 4 agencies, letter templates ok; 52 procedures, 8 holidays, announced schedules 2023-2026, calendar 1900-2199" \
  "$work/english.out"
check "English warning unchanged" has_line \
  "warning: 2027: no announced schedule; statutory holidays only" "$work/english.err"

# A rules directory with a warning (an announced 2027 that forgets 30/4) ...
mkdir "$work/warned"
cp "$rules/calendar.yaml" "$work/warned/calendar.yaml"
year_line=$(($(wc -l <"$rules/calendar.yaml") + 1))
cat >>"$work/warned/calendar.yaml" <<'YAML'
  2027:
    days_off:
      - dates: [2027-01-01]
        reason: New Year's Day (Tết Dương lịch)
        source: Labour Code 2019 art. 112(1)(a)
YAML
check "an announced 2027 without 30/4 passes in Vietnamese" \
  equals "$(speak vi_VN check --now 2026-06-01 --rules "$work/warned:$rules")" 0
check "with a located Vietnamese warning naming the missing holiday" has_line \
  "cảnh báo: $work/warned/calendar.yaml:$year_line:3: lịch nghỉ công bố năm 2027 không có Ngày Chiến thắng (30/4) — Bộ luật Lao động 2019, điểm c khoản 1 Điều 112 vào ngày 2027-04-30, một ngày nghỉ theo luật định: ngày đó được tính là ngày làm việc cho đến khi days_off của năm ghi nó" \
  "$work/vi_VN.err"
# ... and one with an error: a tab, explained in plain words, located as FILE:LINE:COLUMN.
mkdir "$work/tab"
printf 'week:\n\tworking_days: [monday]\n' >"$work/tab/calendar.yaml"
check "a tab in calendar.yaml exits 2 in Vietnamese" \
  equals "$(speak vietnamese check --rules "$work/tab:$rules")" 2
check "the error keeps its place and libyaml's words, and explains them in Vietnamese" has_line \
  "dunghen check: $work/tab/calendar.yaml:2:1: found character that cannot start any token while scanning for the next token: YAML không thụt lề bằng ký tự tab: hãy thụt lề bằng dấu cách" \
  "$work/vietnamese.err"
check "a tab in calendar.yaml exits 2 in English" \
  equals "$(speak english check --rules "$work/tab:$rules")" 2
check "with the English explanation" has_line \
  "dunghen check: $work/tab/calendar.yaml:2:1: found character that cannot start any token while scanning for the next token: a tab cannot indent YAML: indent with spaces" \
  "$work/english.err"

# Every error of a file, each located, in the admin's language; YAML keys stay as written.
mkdir "$work/errors"
printf 'week:\n  working_day: [monday]\n' >"$work/errors/calendar.yaml"
printf 'agencies:\n  DLK: {}\n' >"$work/errors/agencies.yaml"
check "two broken files exit 2 in Vietnamese" \
  equals "$(speak vi_VN check --rules "$work/errors:$rules")" 2
check "an unknown key, with the nearest known one" has_line \
  "dunghen check: $work/errors/calendar.yaml:2:3: khóa 'working_day' không xác định trong week (có phải ý bạn là 'working_days'?)" \
  "$work/vi_VN.err"
check "a mapping where a list belongs" has_line \
  "dunghen check: $work/errors/agencies.yaml:2:3: agencies phải là một danh sách, không phải một ánh xạ" \
  "$work/vi_VN.err"
speak english check --rules "$work/errors:$rules" >/dev/null
check "the same errors in English" sh -c \
  "grep -qxF \"dunghen check: $work/errors/calendar.yaml:2:3: unknown key 'working_day' in week (did you mean 'working_days'?)\" '$work/english.err' &&
   grep -qxF 'dunghen check: $work/errors/agencies.yaml:2:3: agencies must be a list, not a mapping' '$work/english.err'"

# A usage error: the same exit status, the message and the hint in the admin's language.
check "a usage error exits 2 in Vietnamese" \
  equals "$(speak vietnamese deadline --received 2026-01-05T10:00)" 2
check "and says what is missing, in Vietnamese" sh -c \
  "grep -qxF 'dunghen deadline: thiếu --procedure CODE hoặc --duration D' '$work/vietnamese.err' &&
   grep -qxF \"Hãy thử 'dunghen help deadline'.\" '$work/vietnamese.err'"
check "a usage error exits 2 in English" \
  equals "$(speak english deadline --received 2026-01-05T10:00)" 2
check "with the English message" has_line \
  "dunghen deadline: missing --procedure CODE or --duration D" "$work/english.err"

# --help and help COMMAND.
speak vietnamese help calendar >/dev/null
check "help calendar in Vietnamese, the synopsis as it is" sh -c \
  "grep -qxF 'calendar: liệt kê các ngày ngoại lệ của một năm' '$work/vietnamese.out' &&
   grep -qxF 'Cách dùng: dunghen calendar --year Y [--rules DIR]' '$work/vietnamese.out'"
speak english help calendar >/dev/null
check "help calendar in English" grep -qxF 'calendar: list the exception days of a year' \
  "$work/english.out"
speak vi_VN --help >/dev/null
check "--help lists the commands in Vietnamese" \
  has_line "  deadline   tính (và giải thích) hạn giải quyết theo quy định" "$work/vi_VN.out"

tap_finish
