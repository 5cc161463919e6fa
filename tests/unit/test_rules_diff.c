/*
 * Unit tests for rules/rules_diff: the shipped rules against themselves (no change), then
 * against copies with one edit each, written to a temporary directory that comes first in the
 * search path (the shipped files fill in the rest): every sentence exactly, in order, with its
 * kind and subject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buffer.h"
#include "core/civil.h"
#include "rules/rules_diff.h"
#include "rules/ruleset.h"
#include "tap.h"

static const char *source_root;
static char temporary[] = "/tmp/dunghen-rules-diff-XXXXXX";

/* One edit of a shipped file: `old` (which must occur) replaced by `new` once. A NULL `old`
 * copies the file as it is, or, with a `new`, writes `new` instead of it. */
struct edit {
  const char *file;
  const char *old;
  const char *new;
};

static int64_t today(void) {
  return civil_days_from_date(2026, 3, 1);
}

static bool read_shipped(const char *name, struct buffer *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/rules/%s", source_root, name);
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return false;
  char chunk[4096];
  size_t size;
  while ((size = fread(chunk, 1, sizeof chunk, file)) > 0)
    buffer_append(text, chunk, size);
  fclose(file);
  return !text->failed && text->data != NULL;
}

/* Applies to `text` every edit of `file`, in order; false when one's text is not there. */
static bool apply_edits(const char *file, const struct edit *edits, size_t count,
                        struct buffer *text) {
  struct buffer next = {0};
  for (size_t i = 0; i < count; i++) {
    if (strcmp(edits[i].file, file) != 0 || (edits[i].old == NULL && edits[i].new == NULL))
      continue;
    if (edits[i].old == NULL) {
      buffer_reset(text);
      buffer_add(text, edits[i].new);
      continue;
    }
    const char *at = strstr(text->data, edits[i].old);
    if (at == NULL) {
      buffer_free(&next);
      return false;
    }
    buffer_reset(&next);
    buffer_append(&next, text->data, (size_t)(at - text->data));
    buffer_add(&next, edits[i].new);
    buffer_add(&next, at + strlen(edits[i].old));
    struct buffer swap = *text;
    *text = next;
    next = swap;
  }
  buffer_free(&next);
  return !text->failed;
}

/* A directory of its own for each case, holding the edited files. With `shipped_too`, the
 * search path DIRECTORY:SHIPPED takes every other file from the shipped rules. */
static struct ruleset *load_edited(const char *name, const struct edit *edits, size_t count,
                                   bool shipped_too) {
  char directory[4096], path[4200], search_path[8400];
  snprintf(directory, sizeof directory, "%s/%s", temporary, name);
  if (mkdir(directory, 0700) != 0) {
    tap_ok(false, "%s: the directory %s is made", name, directory);
    return NULL;
  }
  for (size_t i = 0; i < count; i++) {
    snprintf(path, sizeof path, "%s/%s", directory, edits[i].file);
    if (access(path, F_OK) == 0)
      continue; /* written with an earlier edit of the same file */
    struct buffer text = {0};
    bool edited =
        read_shipped(edits[i].file, &text) && apply_edits(edits[i].file, edits, count, &text);
    FILE *file = edited ? fopen(path, "wb") : NULL;
    if (file != NULL) {
      fputs(text.data, file);
      fclose(file);
    }
    buffer_free(&text);
    if (file == NULL) {
      tap_ok(false, "%s: %s is edited and written", name, edits[i].file);
      return NULL;
    }
  }
  if (shipped_too)
    snprintf(search_path, sizeof search_path, "%s:%s/rules", directory, source_root);
  else
    snprintf(search_path, sizeof search_path, "%s", directory);
  struct ruleset *set = NULL;
  struct error error;
  if (ruleset_load(search_path, today(), &set, &error) != STATUS_OK) {
    tap_ok(false, "%s: the edited rules load: %s", name, error.message);
    return NULL;
  }
  return set;
}

/* Compares before with after: `total` changes, the first `count` of them these sentences, in
 * order. On a mismatch, every sentence is printed. */
static void expect_first(const char *name, const struct ruleset *before,
                         const struct ruleset *after, const char *const *sentences, size_t count,
                         size_t total) {
  struct rules_diff diff;
  struct error error;
  if (before == NULL || after == NULL) {
    tap_ok(false, "%s: both sets loaded", name);
    return;
  }
  tap_is_integer(rules_diff_compute(before, after, &diff, &error), STATUS_OK, "%s: compared", name);
  bool counted =
      tap_is_integer((long long)diff.count, (long long)total, "%s: %zu changes", name, total);
  bool equal = counted;
  for (size_t i = 0; i < count && i < diff.count; i++)
    equal &= tap_is_string(diff.changes[i].sentence, sentences[i], "%s: sentence %zu", name, i + 1);
  if (!equal)
    for (size_t i = 0; i < diff.count; i++)
      tap_diagnostic("%s %s: %s", diff.changes[i].kind, diff.changes[i].subject,
                     diff.changes[i].sentence);
  rules_diff_free(&diff);
}

/* Compares before with after: exactly these sentences, in order. */
static void expect(const char *name, const struct ruleset *before, const struct ruleset *after,
                   const char *const *sentences, size_t count) {
  expect_first(name, before, after, sentences, count, count);
}

/* The kind and subject of the diff's change number `index`. */
static void expect_label(const struct ruleset *before, const struct ruleset *after, size_t index,
                         const char *kind, const char *subject) {
  struct rules_diff diff;
  struct error error;
  if (before == NULL || after == NULL ||
      rules_diff_compute(before, after, &diff, &error) != STATUS_OK) {
    tap_ok(false, "compared for the labels");
    return;
  }
  tap_is_string(index < diff.count ? diff.changes[index].kind : "", kind, "change %zu's kind",
                index + 1);
  tap_is_string(index < diff.count ? diff.changes[index].subject : "", subject,
                "change %zu's subject", index + 1);
  rules_diff_free(&diff);
}

static const struct edit longer_procedure = {
    "procedures.yaml",
    "  - code: '2.000181'\n    name: 'Cấp Giấy phép bán lẻ sản phẩm thuốc lá'\n"
    "    field: 'công thương'\n    level: 'xã'\n    duration: 15wd\n",
    "  - code: '2.000181'\n    name: 'Cấp Giấy phép bán lẻ sản phẩm thuốc lá'\n"
    "    field: 'công thương'\n    level: 'xã'\n    duration: 17wd\n"};

static const struct edit added_holiday = {
    "calendar.yaml", "# A holiday that falls on a weekly rest day",
    "  - name: Vietnamese Culture Day\n    solar: 11-24\n    from: 2027\n    until: 2027\n"
    "    source: test notice\n\n# A holiday that falls on a weekly rest day"};

static const struct edit removed_saturday = {
    "calendar.yaml",
    "      - dates: [2026-01-10]\n        reason: make-up working day for Friday 2/1\n"
    "        source: Government Office letter 12729/VPCP-KGVX, New Year 2026 swap\n",
    ""};

static const struct edit later_escalation = {"ladder.yaml", "    offset: 3wd\n",
                                             "    offset: 5wd\n"};

static const struct edit older_form = {
    "agencies.yaml",
    "      name: Lê Văn Hùng\n    number_format: \"{n:02}/PXL-{unit}\"\n    form: 2025",
    "      name: Lê Văn Hùng\n    number_format: \"{n:02}/PXL-{unit}\"\n    form: 2018"};

static void test_identical(const struct ruleset *shipped) {
  struct ruleset *again = load_edited("identical", NULL, 0, true);
  expect("the same directory loaded twice", shipped, again, NULL, 0);
  expect("a set against itself", shipped, shipped, NULL, 0);
  struct ruleset *copied = load_edited("copied",
                                       (const struct edit[]){{"calendar.yaml", NULL, NULL},
                                                             {"procedures.yaml", NULL, NULL},
                                                             {"ladder.yaml", NULL, NULL},
                                                             {"agencies.yaml", NULL, NULL}},
                                       4, false);
  expect("a copy of every file in another directory", shipped, copied, NULL, 0);
  ruleset_release(again);
  ruleset_release(copied);
}

static void test_one_edit_each(const struct ruleset *shipped) {
  struct ruleset *set = load_edited("longer", &longer_procedure, 1, true);
  expect("a procedure 2wd longer", shipped, set,
         (const char *[]){"procedure 2.000181: duration 15wd -> 17wd"}, 1);
  expect_label(shipped, set, 0, "procedure", "2.000181");
  expect("and back", set, shipped, (const char *[]){"procedure 2.000181: duration 17wd -> 15wd"},
         1);
  ruleset_release(set);

  set = load_edited("holiday", &added_holiday, 1, true);
  expect("a holiday added for 2027", shipped, set,
         (const char *[]){
             "2027-11-24 (Wednesday) becomes a day off: Vietnamese Culture Day — test notice"},
         1);
  expect_label(shipped, set, 0, "calendar", "2027-11-24");
  expect("and removed", set, shipped,
         (const char *[]){"2027-11-24 (Wednesday) becomes a working day, no longer 'Vietnamese "
                          "Culture Day — test notice'"},
         1);
  ruleset_release(set);

  set = load_edited("saturday", &removed_saturday, 1, true);
  expect("a make-up Saturday removed", shipped, set,
         (const char *[]){"2026-01-10 (Saturday) becomes a day off, no longer 'make-up working "
                          "day for Friday 2/1 — Government Office letter 12729/VPCP-KGVX, New "
                          "Year 2026 swap'"},
         1);
  expect("and put back", set, shipped,
         (const char *[]){"2026-01-10 (Saturday) becomes a working day: make-up working day for "
                          "Friday 2/1 — Government Office letter 12729/VPCP-KGVX, New Year 2026 "
                          "swap"},
         1);
  ruleset_release(set);

  set = load_edited("ladder", &later_escalation, 1, true);
  expect("a ladder offset changed", shipped, set,
         (const char *[]){"level long_overdue: offset 3wd -> 5wd"}, 1);
  expect_label(shipped, set, 0, "ladder", "long_overdue");
  ruleset_release(set);

  set = load_edited("form", &older_form, 1, true);
  expect("an agency's form changed", shipped, set,
         (const char *[]){"agency DLK-XA-EAKAR: form 2025 -> 2018"}, 1);
  expect_label(shipped, set, 0, "agency", "DLK-XA-EAKAR");
  ruleset_release(set);

  set = load_edited("together",
                    (const struct edit[]){removed_saturday, longer_procedure, later_escalation,
                                          older_form, added_holiday},
                    5, true);
  expect("all five at once: calendar, procedures, ladder, agencies", shipped, set,
         (const char *[]){
             "2026-01-10 (Saturday) becomes a day off, no longer 'make-up working day for Friday "
             "2/1 — Government Office letter 12729/VPCP-KGVX, New Year 2026 swap'",
             "2027-11-24 (Wednesday) becomes a day off: Vietnamese Culture Day — test notice",
             "procedure 2.000181: duration 15wd -> 17wd",
             "level long_overdue: offset 3wd -> 5wd",
             "agency DLK-XA-EAKAR: form 2025 -> 2018",
         },
         5);
  ruleset_release(set);
}

static void test_calendar(const struct ruleset *shipped) {
  struct ruleset *set =
      load_edited("hours",
                  (const struct edit[]){{"calendar.yaml", "{start: \"07:00\", end: \"11:30\"}",
                                         "{start: \"07:30\", end: \"11:30\"}"}},
                  1, true);
  expect("working hours", shipped, set,
         (const char *[]){"working hours: 07:00-11:30, 13:30-17:00 -> 07:30-11:30, 13:30-17:00"},
         1);
  expect_label(shipped, set, 0, "calendar", "hours");
  ruleset_release(set);

  set = load_edited("reason",
                    (const struct edit[]){{"calendar.yaml",
                                           "reason: Tết Nguyên Đán (Lunar New Year)\n"
                                           "        source: Ministry of Home Affairs",
                                           "reason: Tết Bính Ngọ\n"
                                           "        source: Ministry of Home Affairs"}},
                    1, true);
  const char *reasons[5];
  char texts[5][256];
  for (int i = 0; i < 5; i++) {
    snprintf(texts[i], sizeof texts[i],
             "2026-02-%d: reason 'Tết Nguyên Đán (Lunar New Year) — Ministry of Home Affairs "
             "notice 9441/TB-BNV of 16/10/2025' becomes 'Tết Bính Ngọ — Ministry of Home Affairs "
             "notice 9441/TB-BNV of 16/10/2025'",
             16 + i);
    reasons[i] = texts[i];
  }
  expect("a reason reworded: one sentence a day", shipped, set, reasons, 5);
  ruleset_release(set);

  static const char week[] = "week:\n  working_days: [monday, tuesday, wednesday, thursday, "
                             "friday]\nholidays:\n  - name: Reunification Day\n    solar: 04-30\n";
  static const char longer_week[] = "week:\n  working_days: [monday, tuesday, wednesday, thursday, "
                                    "friday, saturday]\nholidays:\n  - name: Reunification Day\n"
                                    "    solar: 04-30\n";
  struct ruleset *five =
      load_edited("week", (const struct edit[]){{"calendar.yaml", NULL, week}}, 1, true);
  set = load_edited("longer-week", (const struct edit[]){{"calendar.yaml", NULL, longer_week}}, 1,
                    true);
  expect_first("the working week: once, then the Saturdays that stay off", five, set,
               (const char *[]){"working week: Monday-Friday -> Monday-Saturday",
                                "1904-04-30 (Saturday) stays a day off: Reunification Day"},
               2, 44);
  expect_label(five, set, 0, "calendar", "week");
  ruleset_release(five);
  ruleset_release(set);

  /* A holiday for every year to come: one day off a year up to the calendar's end, on the next
   * working day when it falls on a weekend. */
  set = load_edited(
      "every-year",
      (const struct edit[]){{"calendar.yaml", "# A holiday that falls on a weekly rest day",
                             "  - name: Vietnamese Culture Day\n    solar: 11-24\n"
                             "    from: 2027\n\n"
                             "# A holiday that falls on a weekly rest day"}},
      1, true);
  struct rules_diff diff;
  struct error error;
  if (set != NULL && rules_diff_compute(shipped, set, &diff, &error) == STATUS_OK) {
    tap_is_integer((long long)diff.count, CALENDAR_LAST_YEAR - 2027 + 1, "one change a year");
    tap_is_string(diff.count > 2 ? diff.changes[2].sentence : "",
                  "2029-11-26 (Monday) becomes a day off: compensatory day off for Vietnamese "
                  "Culture Day — Labour Code 2019 art. 111(3)",
                  "a Saturday's holiday moves to Monday");
    tap_is_string(diff.count > 0 ? diff.changes[diff.count - 1].subject : "", "2199-11-25",
                  "the last one in 2199 (a Sunday's, on Monday)");
    rules_diff_free(&diff);
  } else {
    tap_ok(false, "compared");
  }
  ruleset_release(set);
}

static void test_procedures(const struct ruleset *shipped) {
  static const char marriage[] = "  - code: '1.004873'\n"
                                 "    name: 'Thủ tục cấp Giấy xác nhận tình trạng hôn nhân'\n"
                                 "    field: 'hộ tịch'\n    level: 'xã'\n    duration: 3wd\n";
  struct ruleset *set = load_edited(
      "settings",
      (const struct edit[]){{"procedures.yaml", marriage,
                             "  - code: '1.004873'\n"
                             "    name: 'Cấp Giấy xác nhận tình trạng hôn nhân'\n"
                             "    field: 'hộ tịch'\n    level: 'xã'\n"
                             "    duration: {default: 3wd, online: 2wd}\n    counting: days\n"
                             "    cutoff: '15:00'\n    supplement: restart\n    extension: 8wd\n"}},
      1, true);
  expect("every setting of a procedure", shipped, set,
         (const char *[]){
             "procedure 1.004873: name 'Thủ tục cấp Giấy xác nhận tình trạng hôn nhân' -> 'Cấp "
             "Giấy xác nhận tình trạng hôn nhân'",
             "procedure 1.004873: online duration 3wd -> 2wd",
             "procedure 1.004873: counting hours -> days",
             "procedure 1.004873: cut-off none -> 15:00",
             "procedure 1.004873: supplement pause -> restart",
             "procedure 1.004873: extension 5wd -> 8wd",
         },
         6);
  ruleset_release(set);

  set = load_edited(
      "field",
      (const struct edit[]){
          {"procedures.yaml", "    field: 'hộ tịch'\n    level: 'xã'\n    duration: 3wd\n",
           "    field: 'tư pháp'\n    level: 'tỉnh'\n    duration: 3wd\n"},
          {"procedures.yaml",
           "    confidence: verified-two-sources\n    notes: '2026 national table: value 3, no "
           "unit shown; the Cao",
           "    confidence: uncertain\n    notes: 'The Cao"},
          {"procedures.yaml",
           "source: 'Quyết định công bố 163/QĐ-BTP (as cited on the national portal record)'\n    "
           "confidence: uncertain",
           "source: 'a provincial list'\n    confidence: uncertain"},
      },
      3, true);
  expect("field, level, source, confidence and notes move nothing", shipped, set, NULL, 0);
  ruleset_release(set);

  set = load_edited(
      "versions",
      (const struct edit[]){{"procedures.yaml",
                             "    name: 'Thủ tục đăng ký lại khai sinh'\n    field: 'hộ tịch'\n"
                             "    level: 'xã'\n    duration: 5wd\n",
                             "    name: 'Thủ tục đăng ký lại khai sinh'\n    field: 'hộ tịch'\n"
                             "    level: 'xã'\n    versions:\n"
                             "      - {until: 2026-06-30, duration: 5wd}\n"
                             "      - {from: 2026-07-01, duration: 4wd}\n"}},
      1, true);
  expect("a dated version added", shipped, set,
         (const char *[]){"procedure 1.004884, first version: last day in force none -> 2026-06-30",
                          "procedure 1.004884: version from 2026-07-01 added: 4wd"},
         2);
  expect("and removed", set, shipped,
         (const char *[]){"procedure 1.004884, first version: last day in force 2026-06-30 -> none",
                          "procedure 1.004884: version from 2026-07-01 removed"},
         2);
  ruleset_release(set);

  set = load_edited("catalogue",
                    (const struct edit[]){{"procedures.yaml", "  - code: '1.010803'",
                                           "  - code: '9.000001'\n"
                                           "    name: 'Thủ tục thử'\n"
                                           "    field: 'thử'\n    level: 'xã'\n"
                                           "    duration: 7wd\n"
                                           "    source: 'test'\n"
                                           "    confidence: uncertain\n\n"
                                           "  - code: '1.010804'"}},
                    1, true);
  expect("a procedure removed, another added", shipped, set,
         (const char *[]){"procedure 1.010803 removed: Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
                          "procedure 1.010804 added: Giải quyết chế độ trợ cấp thờ cúng liệt sĩ, "
                          "27wd",
                          "procedure 9.000001 added: Thủ tục thử, 7wd"},
         3);
  ruleset_release(set);
}

static void test_ladder(const struct ruleset *shipped) {
  struct ruleset *set = load_edited(
      "levels",
      (const struct edit[]){
          {"ladder.yaml", "due_soon: 1wd", "due_soon: 2wd"},
          {"ladder.yaml", "levels:\n",
           "levels:\n  - level: reminder\n    offset: -2wd\n    recipients: [handling_agency]\n\n"},
          {"ladder.yaml",
           "    on_delay_reason: true\n    action: letter\n"
           "    recipients: [signer, handling_agency, one_stop_unit]\n",
           "    action: letter\n    recipients: [signer, handling_agency]\n"},
          {"ladder.yaml", "    title: overdue\n", "    title: quá hạn\n"},
          {"ladder.yaml", "    title: long overdue\n    offset: 3wd\n",
           "    title: long overdue\n    episode: 2\n    offset: 3wd\n"},
          {"ladder.yaml", "  - level: overdue_again", "  - level: overdue_later"},
          {"ladder.yaml", "recipients: [agency_head]",
           "recipients: [provincial_office, agency_head]"},
      },
      7, true);
  expect("levels added, removed and changed", shipped, set,
         (const char *[]){
             "ladder: due soon 1wd -> 2wd before the deadline",
             "level reminder added: episode 1, offset -2wd, action notify, recipients "
             "handling_agency",
             "level apology: no longer fires when a delay reason is recorded",
             "level apology: recipients signer, handling_agency, one_stop_unit -> signer, "
             "handling_agency",
             "level overdue: title 'overdue' -> 'quá hạn'",
             "level overdue: recipients agency_head -> provincial_office, agency_head",
             "level long_overdue: episode 1 -> 2",
             "level overdue_later added: episode 2, offset 0wd, action notify, recipients "
             "provincial_office",
             "level overdue_again removed",
         },
         9);
  expect_label(shipped, set, 0, "ladder", "ladder");
  ruleset_release(set);

  set =
      load_edited("order",
                  (const struct edit[]){{"ladder.yaml", "[signer, handling_agency, one_stop_unit]",
                                         "[one_stop_unit, signer, handling_agency]"}},
                  1, true);
  expect("the order of the recipients moves nothing", shipped, set, NULL, 0);
  ruleset_release(set);
}

static void test_agencies(const struct ruleset *shipped) {
  struct ruleset *set = load_edited(
      "agencies",
      (const struct edit[]){
          {"agencies.yaml", "    signer:\n      title: GIÁM ĐỐC\n      name: Nguyễn Văn Minh\n",
           "    signer:\n      title: [KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC]\n      name: Phạm Văn An\n"},
          {"agencies.yaml", "xuly@ttpvhcc.example.org", "hoso@ttpvhcc.example.org"},
          {"agencies.yaml", "      agency_head: giamdoc@snnmt.example.org\n", ""},
          {"agencies.yaml", "place: Ea Kar", "place: Ea Kar, Đắk Lắk"},
          {"agencies.yaml", "code: DLK-PHUONG-TUYHOA", "code: DLK-PHUONG-TUY-HOA"},
      },
      5, true);
  expect("agencies added, removed and changed", shipped, set,
         (const char *[]){
             "agency DLK-PHUONG-TUY-HOA added: Trung tâm Phục vụ hành chính công phường Tuy Hòa, "
             "form 2025",
             "agency DLK-PHUONG-TUYHOA removed: Trung tâm Phục vụ hành chính công phường Tuy Hòa",
             "agency DLK-SNNMT: no more mail for role agency_head",
             "agency DLK-TTPVHCC: signer.title 'GIÁM ĐỐC' -> 'KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC'",
             "agency DLK-TTPVHCC: the signer's name changes",
             "agency DLK-TTPVHCC: mail addresses for role handling_agency change: 1 added, 1 "
             "removed",
             "agency DLK-XA-EAKAR: place 'Ea Kar' -> 'Ea Kar, Đắk Lắk'",
         },
         7);
  ruleset_release(set);

  set = load_edited("no-agencies",
                    (const struct edit[]){{"calendar.yaml", NULL, NULL},
                                          {"procedures.yaml", NULL, NULL},
                                          {"ladder.yaml", NULL, NULL}},
                    3, false);
  expect("without agencies.yaml", shipped, set,
         (const char *[]){
             "agencies are no longer listed: dossiers of every agency are accepted",
             "agency DLK-PHUONG-TUYHOA removed: Trung tâm Phục vụ hành chính công phường Tuy Hòa",
             "agency DLK-SNNMT removed: Sở Nông nghiệp và Môi trường tỉnh Đắk Lắk",
             "agency DLK-TTPVHCC removed: Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk",
             "agency DLK-XA-EAKAR removed: Trung tâm Phục vụ hành chính công xã Ea Kar",
         },
         5);
  expect_label(shipped, set, 0, "agency", "agencies");
  ruleset_release(set);
}

int main(void) {
  source_root = getenv("DUNGHEN_SOURCE_ROOT");
  if (source_root == NULL)
    return tap_skip_all("DUNGHEN_SOURCE_ROOT is not set (run through meson test)");
  if (mkdtemp(temporary) == NULL)
    return tap_skip_all("no temporary directory");
  char path[4096];
  snprintf(path, sizeof path, "%s/rules", source_root);
  struct ruleset *shipped = NULL;
  struct error error;
  if (ruleset_load(path, today(), &shipped, &error) != STATUS_OK) {
    tap_ok(false, "the shipped rules load: %s", error.message);
    return tap_finish();
  }
  test_identical(shipped);
  test_one_edit_each(shipped);
  test_calendar(shipped);
  test_procedures(shipped);
  test_ladder(shipped);
  test_agencies(shipped);
  ruleset_release(shipped);
  char command[4200];
  snprintf(command, sizeof command, "rm -rf '%s'", temporary);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", temporary);
  return tap_finish();
}
