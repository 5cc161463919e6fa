/*
 * Unit tests for rules/procedures: the shipped catalogue loads and is complete, defaults and
 * versions resolve as documented, and every broken file under tests/data/broken/procedures/
 * fails with its exact `FILE:LINE:COLUMN: message`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil.h"
#include "rules/procedures.h"
#include "tap.h"

static int64_t day_of(int year, int month, int day) {
  return civil_days_from_date(year, month, day);
}

static void test_shipped_catalogue(void) {
  struct procedure_table table;
  struct error error = {0};
  enum status status = procedures_load_file("rules/procedures.yaml", &table, &error);
  tap_is_integer(status, STATUS_OK, "the shipped catalogue loads");
  if (status != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return;
  }
  tap_ok(table.count >= 40, "the catalogue has at least 40 procedures (%zu)", table.count);
  size_t unsourced = 0, unsorted = 0;
  for (size_t i = 0; i < table.count; i++) {
    for (size_t j = 0; j < table.items[i].version_count; j++)
      if (table.items[i].versions[j].source == NULL || table.items[i].versions[j].source[0] == 0)
        unsourced++;
    if (i > 0 && strcmp(table.items[i - 1].code, table.items[i].code) >= 0)
      unsorted++;
  }
  tap_is_integer((long long)unsourced, 0, "every version names its source");
  tap_is_integer((long long)unsorted, 0, "the table is sorted by code, without duplicates");
  const struct procedure *birth = procedures_find(&table, "1.001193");
  tap_ok(birth != NULL, "khai sinh (1.001193) is in the catalogue");
  if (birth != NULL) {
    const struct procedure_version *version = procedure_version_at(birth, day_of(2025, 7, 1));
    tap_ok(version != NULL && version->durations[CHANNEL_ONLINE].amount == 0 &&
               version->durations[CHANNEL_ONLINE].unit == UNIT_WORKING_DAYS,
           "khai sinh is 0wd (within the day)");
    tap_ok(version != NULL && version->counting == COUNTING_DAYS && version->cutoff == 15 * 3600,
           "khai sinh counts in days with the 15:00 cut-off");
    tap_ok(version != NULL && version->confidence == NULL, "verified figures are not marked");
    tap_is_string(birth->field, "hộ tịch", "the field is kept");
  }
  const struct procedure *construction = procedures_find(&table, "1.013225");
  tap_ok(construction != NULL &&
             construction->versions[0].durations[CHANNEL_DIRECT].unit == UNIT_CALENDAR_DAYS &&
             construction->versions[0].durations[CHANNEL_DIRECT].amount == 15,
         "the construction permit is 15 calendar days");
  tap_ok(construction != NULL && construction->versions[0].confidence != NULL &&
             strcmp(construction->versions[0].confidence, "one-source") == 0,
         "a one-source figure is marked");
  const struct procedure *lodging = procedures_find(&table, "2.001159");
  tap_ok(lodging != NULL &&
             lodging->versions[0].durations[CHANNEL_DIRECT].unit == UNIT_WORKING_HOURS,
         "thông báo lưu trú is counted in working hours");
  const struct procedure *marriage = procedures_find(&table, "1.000894");
  tap_ok(marriage != NULL && marriage->versions[0].extension.amount == 5 &&
             marriage->versions[0].supplement == SUPPLEMENT_PAUSE,
         "defaults fill what a procedure does not say");
  tap_ok(procedures_find(&table, "9.999999") == NULL, "an unknown code is not found");
  tap_is_string(procedures_suggest(&table, "1.001139"), "1.001193",
                "a transposed code suggests the real one");
  tap_ok(procedures_suggest(&table, "banana") == NULL, "nothing close, no suggestion");
  procedures_free(&table);
}

static void test_versions(void) {
  struct procedure_table table;
  struct error error = {0};
  enum status status = procedures_load_file("tests/data/procedures/versions.yaml", &table, &error);
  tap_is_integer(status, STATUS_OK, "the versions fixture loads");
  if (status != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return;
  }
  const struct procedure *residence = procedures_find(&table, "1.004227");
  tap_ok(residence != NULL && residence->version_count == 2, "two versions");
  if (residence != NULL) {
    const struct procedure_version *old = procedure_version_at(residence, day_of(2025, 6, 30));
    const struct procedure_version *new = procedure_version_at(residence, day_of(2025, 7, 1));
    tap_ok(old != NULL && old->durations[CHANNEL_DIRECT].amount == 7,
           "the old version is in force on its last day (30/6)");
    tap_ok(new != NULL &&new->durations[CHANNEL_DIRECT].amount == 5,
           "the new version is in force from its first day (1/7)");
    tap_ok(old != NULL && old->counting == COUNTING_DAYS && old->cutoff == 15 * 3600 &&
               old->extension.amount == 3,
           "the old version takes the file's defaults");
    tap_ok(new != NULL &&new->counting == COUNTING_HOURS &&new->cutoff == NO_CUTOFF,
           "the new version overrides counting and cut-off");
    tap_ok(new != NULL &&new->durations[CHANNEL_ONLINE].amount == 3 &&
               new->durations[CHANNEL_POSTAL].amount == 3,
           "'default' covers the channels not named");
    tap_is_string(old ? old->source : NULL, "QĐ 0/QĐ-BCA (2021)", "a version's own source");
    tap_is_string(new ? new->source : NULL, "QĐ 1/QĐ-BCA", "the procedure's source is inherited");
    tap_ok(old != NULL && old->confidence != NULL && strcmp(old->confidence, "uncertain") == 0,
           "the procedure's confidence is inherited");
    tap_ok(new != NULL &&new->confidence == NULL, "a version may be verified");
    tap_ok(procedure_version_at(residence, day_of(1990, 1, 1)) == old,
           "a version without 'from' has no start");
  }
  const struct procedure *channels = procedures_find(&table, "2.000001");
  tap_ok(channels != NULL && channels->versions[0].durations[CHANNEL_ONLINE].amount == 8 &&
             channels->versions[0].durations[CHANNEL_POSTAL].unit == UNIT_CALENDAR_DAYS &&
             channels->versions[0].supplement == SUPPLEMENT_RESTART,
         "per-channel durations and supplement restart");
  const struct procedure *gap = procedures_find(&table, "1.000001");
  tap_ok(gap != NULL && procedure_version_at(gap, day_of(2024, 12, 31)) != NULL,
         "'until' is the last day in force");
  tap_ok(gap != NULL && procedure_version_at(gap, day_of(2025, 1, 1)) == NULL,
         "no version in force in a gap");
  tap_ok(gap != NULL && procedure_version_at(gap, day_of(2023, 12, 31)) == NULL,
         "no version before the first 'from'");
  tap_is_integer(channel_from_name("online"), CHANNEL_ONLINE, "channel names map");
  tap_is_integer(channel_from_name("fax"), -1, "unknown channel names do not");
  tap_is_string(channel_name(CHANNEL_POSTAL), "postal", "channel names print");
  procedures_free(&table);
}

static void expect_broken(const char *name, const char *message) {
  char path[256];
  snprintf(path, sizeof path, "tests/data/broken/procedures/%s.yaml", name);
  struct procedure_table table = {(struct procedure *)1, 99};
  struct error error = {0};
  tap_is_integer(procedures_load_file(path, &table, &error), STATUS_INVALID, "%s is refused", name);
  char expected[1024];
  snprintf(expected, sizeof expected, "%s:%s", path, message);
  tap_is_string(error.message, expected, "%s: exact message", name);
  tap_ok(table.items == NULL && table.count == 0, "%s: nothing half-built escapes", name);
}

static void test_broken(void) {
  static const char *const cases[][2] = {
      {"alias", "7:16: aliases (*three) are not allowed: write the value out"},
      {"channel-missing", "7:7: no duration for channel 'postal': name it or add 'default'"},
      {"channel-unknown", "6:29: unknown channel 'onlin' (did you mean 'online'?)"},
      {"code-bad", "2:11: 'TTHC 42' is not a national TTHC code such as '1.004227'"},
      {"code-missing", "2:5: procedure has no 'code'"},
      {"confidence-bad", "8:17: 'confidence' must be 'verified-two-sources', 'one-source' or "
                         "'uncertain', not 'sure'"},
      {"confidence-missing", "2:5: procedure '1.004227' has no 'confidence' "
                             "(verified-two-sources, one-source or uncertain)"},
      {"counting-bad", "7:15: 'counting' must be 'hours' or 'days', not 'weeks'"},
      {"cutoff-bad", "7:13: cutoff: '25:00': no such time of day"},
      {"date-impossible", "9:15: from: '2025-02-30': no such date"},
      {"defaults-unknown-key", "2:3: unknown key 'cuttoff' in 'defaults' (did you mean "
                               "'cutoff'?)"},
      {"duplicate-code", "9:11: duplicate procedure code '1.004227' (first at line 2)"},
      {"duplicate-key", "7:5: duplicate key 'duration' (first at line 6)"},
      {"duration-absurd", "6:15: duration '5000wd' is too long (at most 3650wd)"},
      {"duration-list", "6:15: 'duration' must be a duration such as 3wd or a mapping of "
                        "channels"},
      {"duration-missing", "2:5: procedure '1.004227' has no 'duration'"},
      {"duration-negative", "6:15: duration '-3wd' is negative"},
      {"duration-unit", "6:15: '3 days' is not a duration: expected a number followed by wd "
                        "(working days), wh (working hours) or cd (calendar days), such as 3wd"},
      {"empty", "1:1: the file is empty: expected 'procedures:'"},
      {"extension-bad", "7:16: extension: '3 weeks' is not a duration: expected a number "
                        "followed by wd (working days), wh (working hours) or cd (calendar "
                        "days), such as 3wd"},
      {"name-missing", "2:5: procedure '1.004227' has no 'name'"},
      {"procedure-scalar", "2:5: each procedure must be a mapping (code: ..., name: ..., "
                           "duration: ...)"},
      {"procedures-mapping", "2:3: 'procedures' must be a list of procedures"},
      {"procedures-missing", "1:1: missing 'procedures' (the list of procedures)"},
      {"source-empty", "7:13: 'source' must not be empty"},
      {"source-missing", "2:5: procedure '1.004227' has no 'source' (the published decision)"},
      {"supplement-bad", "7:17: 'supplement' must be 'pause' or 'restart', not 'stop'"},
      {"syntax", "7:11: did not find expected ',' or ']' while parsing a flow sequence: a list in "
                 "[ ] is not closed, or two of its items lack a comma between them"},
      {"top-unknown-key", "1:1: unknown key 'procedure' in the procedures file (did you mean "
                          "'procedures'?)"},
      {"unknown-key", "6:5: unknown key 'duraton' in procedure '1.004227' (did you mean "
                      "'duration'?)"},
      {"versions-empty", "8:15: 'versions' of procedure '1.004227' is empty"},
      {"versions-overlap", "12:15: the version of procedure '1.004227' starting on 2025-07-01 "
                           "overlaps the version on line 9"},
      {"versions-same-start", "10:16: two versions of procedure '1.004227' start on 2025-07-01 "
                              "(the other on line 9)"},
      {"versions-unknown-key", "10:9: unknown key 'durations' in a version of procedure "
                               "'1.004227' (did you mean 'duration'?)"},
      {"versions-until-before-from", "10:16: 'until' (2025-06-30) is before 'from' "
                                     "(2025-07-01)"},
      {"versions-with-from", "8:11: procedure '1.004227' has 'versions': give 'from' and "
                             "'until' in each version"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_broken(cases[i][0], cases[i][1]);
  struct procedure_table table;
  struct error error = {0};
  tap_is_integer(
      procedures_load_file("tests/data/broken/procedures/no-such-file.yaml", &table, &error),
      STATUS_INVALID, "a missing file is refused");
  tap_contains(error.message, "no-such-file.yaml", "the message names the missing file");
}

/* Independent errors in four procedures; a duplicate is found last but told in file order. */
static const char several_errors[] = "procedures:\n"
                                     "  - {code: '1.000001', name: a, field: f, level: l, "
                                     "duration: 5000wd, source: s, confidence: one-source}\n"
                                     "  - {code: '1.000002', name: b, field: f, level: l, "
                                     "duration: 3wd, source: s, confidence: one-source}\n"
                                     "  - {code: '1.000003', name: c, field: f, level: l, "
                                     "duraton: 3wd, source: s, confidence: one-source}\n"
                                     "  - {code: '1.000002', name: d, field: f, level: l, "
                                     "duration: 3wd, source: s, confidence: one-source}\n"
                                     "  - {code: '1.000005', field: f, level: l, "
                                     "duration: 3wd, cutoff: '25:00', source: s, confidence: "
                                     "sure}\n";

static void test_several_errors(void) {
  struct procedure_table table;
  struct error error = {0};
  tap_is_integer(procedures_load_buffer("several.yaml", several_errors, strlen(several_errors),
                                        &table, &error),
                 STATUS_INVALID, "a file with several errors is refused");
  tap_is_string(error.message,
                "several.yaml:2:63: duration '5000wd' is too long (at most 3650wd)\n"
                "several.yaml:4:53: unknown key 'duraton' in procedure '1.000003' (did you mean "
                "'duration'?)\n"
                "several.yaml:5:12: duplicate procedure code '1.000002' (first at line 3)\n"
                "several.yaml:6:5: procedure '1.000005' has no 'name'\n"
                "several.yaml:6:67: cutoff: '25:00': no such time of day\n"
                "several.yaml:6:99: 'confidence' must be 'verified-two-sources', 'one-source' or "
                "'uncertain', not 'sure'",
                "every independent error is named, one a line, in file order");
  tap_ok(table.items == NULL && table.count == 0, "nothing half-built escapes");

  /* 30 procedures with a bad duration each: the first 20 are shown, then a count. */
  char text[8192] = "procedures:\n";
  for (int i = 0; i < 30; i++) {
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used,
             "  - {code: '1.%06d', name: n, field: f, level: l, duration: %dweeks, source: s, "
             "confidence: one-source}\n",
             i, i);
  }
  tap_is_integer(procedures_load_buffer("thirty.yaml", text, strlen(text), &table, &error),
                 STATUS_INVALID, "a file with 30 errors is refused");
  size_t lines = 1;
  for (const char *cursor = error.message; *cursor != '\0'; cursor++)
    lines += *cursor == '\n';
  tap_is_integer((long long)lines, 21, "20 errors are shown, then one more line");
  tap_ok(strstr(error.message, "thirty.yaml:21:") != NULL &&
             strstr(error.message, "thirty.yaml:22:") == NULL,
         "the shown ones are the first 20 in the file");
  const char *last = strrchr(error.message, '\n');
  tap_is_string(last != NULL ? last + 1 : "", "thirty.yaml: 10 more errors not shown",
                "the last line counts the errors not shown");
}

int main(void) {
  const char *root = getenv("DUNGHEN_SOURCE_ROOT");
  if (root == NULL || chdir(root) != 0)
    return tap_skip_all("DUNGHEN_SOURCE_ROOT is not set (run through meson test)");
  test_shipped_catalogue();
  test_versions();
  test_broken();
  test_several_errors();
  return tap_finish();
}
