/*
 * Unit tests for rules/calendar_rules: the shipped rules/calendar.yaml gives exactly the
 * announced 2023-2026 schedules of PRODUCT.md; years without an announcement follow the
 * statutory rules (Tết from the lunar calendar, compensatory days); a holiday added in YAML
 * alone takes effect; every broken file under tests/data/broken/calendar/ fails with the exact
 * message its `# expect:` line gives.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/civil.h"
#include "rules/calendar_rules.h"
#include "tap.h"

enum { LIST_SIZE = 8192, PATH_SIZE = 4096 };

/* The exception days of a year as `MM-DD off|work` lines joined by spaces. */
static void exceptions_of(const struct calendar *calendar, int year, char *list) {
  size_t used = 0;
  list[0] = '\0';
  for (int64_t day = civil_days_from_date(year, 1, 1); day <= civil_days_from_date(year, 12, 31);
       day++) {
    bool working = calendar_is_working_day(calendar, day);
    if (working == calendar_weekday_working(calendar, (int)civil_weekday(day)))
      continue;
    struct civil_date date = civil_date_from_days(day);
    used += (size_t)snprintf(list + used, LIST_SIZE - used, "%s%02d-%02d %s", used ? ", " : "",
                             date.month, date.day, working ? "work" : "off");
  }
}

static const char *reason_on(const struct calendar *calendar, int year, int month, int day) {
  const char *reason = calendar_reason(calendar, civil_days_from_date(year, month, day));
  return reason != NULL ? reason : "(none)";
}

static void test_announced(const struct calendar *calendar,
                           const struct calendar_rules_summary *summary) {
  char list[LIST_SIZE];
  exceptions_of(calendar, 2023, list);
  tap_is_string(list,
                "01-02 off, 01-20 off, 01-23 off, 01-24 off, 01-25 off, 01-26 off, 05-01 off, "
                "05-02 off, 05-03 off, 09-01 off, 09-04 off",
                "2023 as announced");
  exceptions_of(calendar, 2024, list);
  tap_is_string(list,
                "01-01 off, 02-08 off, 02-09 off, 02-12 off, 02-13 off, 02-14 off, 04-18 off, "
                "04-29 off, 04-30 off, 05-01 off, 05-04 work, 09-02 off, 09-03 off",
                "2024 as announced");
  exceptions_of(calendar, 2025, list);
  tap_is_string(list,
                "01-01 off, 01-27 off, 01-28 off, 01-29 off, 01-30 off, 01-31 off, 04-07 off, "
                "04-26 work, 04-30 off, 05-01 off, 05-02 off, 09-01 off, 09-02 off",
                "2025 as announced");
  exceptions_of(calendar, 2026, list);
  tap_is_string(list,
                "01-01 off, 01-02 off, 01-10 work, 02-16 off, 02-17 off, 02-18 off, 02-19 off, "
                "02-20 off, 04-27 off, 04-30 off, 05-01 off, 08-22 work, 08-31 off, 09-01 off, "
                "09-02 off",
                "2026 as announced");
  tap_contains(reason_on(calendar, 2026, 1, 10), "12729/VPCP-KGVX",
               "a make-up Saturday names its source");
  tap_contains(reason_on(calendar, 2026, 2, 18), "9441/TB-BNV", "Tết 2026 names its source");
  tap_contains(reason_on(calendar, 2025, 1, 29), "Tết Nguyên Đán", "Tết 2025 is named");
  tap_is_string(reason_on(calendar, 2026, 2, 21), "Saturday", "a weekend day keeps its weekday");
  tap_is_integer(summary->holiday_count, 8, "eight statutory holiday entries");
  tap_is_integer(summary->announced_count, 4, "four announced years");
  tap_is_integer(summary->first_announced_year, 2023, "first announced year");
  tap_is_integer(summary->last_announced_year, 2026, "last announced year");
  tap_ok(calendar_rules_is_announced(summary, 2024) && !calendar_rules_is_announced(summary, 2027),
         "2024 announced, 2027 not");
}

static void test_statutory(const struct calendar *calendar) {
  char list[LIST_SIZE];
  /* Tết 6/2/2027 is a Saturday: five days 5-9/2, compensatory days 10 and 11/2. */
  exceptions_of(calendar, 2027, list);
  tap_is_string(list,
                "01-01 off, 02-05 off, 02-08 off, 02-09 off, 02-10 off, 02-11 off, 04-16 off, "
                "04-30 off, 05-03 off, 09-01 off, 09-02 off",
                "2027 from the statutory rules");
  tap_contains(reason_on(calendar, 2027, 2, 10), "compensatory day off for Tết Nguyên Đán",
               "a compensatory day names its holiday");
  tap_contains(reason_on(calendar, 2027, 2, 10), "art. 111(3)",
               "a compensatory day names its legal basis");
  tap_contains(reason_on(calendar, 2027, 4, 16), "Giỗ Tổ Hùng Vương", "Giỗ Tổ 2027 on 16/4");
  /* Vietnamese Tết 2030 is 2/2 (Chinese tables say 3/2); National Day eve is a Sunday. */
  exceptions_of(calendar, 2030, list);
  tap_is_string(list,
                "01-01 off, 02-01 off, 02-04 off, 02-05 off, 02-06 off, 02-07 off, 04-12 off, "
                "04-30 off, 05-01 off, 09-02 off, 09-03 off",
                "2030 from the statutory rules (Vietnamese Tết)");
  /* 2010: Tết had 4 days and National Day one. */
  exceptions_of(calendar, 2010, list);
  tap_is_string(list,
                "01-01 off, 02-15 off, 02-16 off, 02-17 off, 02-18 off, 04-23 off, 04-30 off, "
                "05-03 off, 09-02 off",
                "2010: four days of Tết, one National Day");
  /* 2006: no Giỗ Tổ yet (lunar 10/3 was 7/4/2006, a Friday). */
  tap_ok(calendar_is_working_day(calendar, civil_days_from_date(2006, 4, 7)),
         "Giỗ Tổ is not a holiday before 2007");
  tap_ok(!calendar_is_working_day(calendar, civil_days_from_date(2007, 4, 26)),
         "Giỗ Tổ 2007 (26/4) is a holiday");
}

static const char added_holiday[] =
    "week:\n"
    "  working_days: [monday, tuesday, wednesday, thursday, friday]\n"
    "holidays:\n"
    "  - name: Vietnamese Culture Day\n"
    "    solar: 11-24\n"
    "    from: 2027\n"
    "  - name: one-off day off\n"
    "    solar: 03-15\n"
    "    from: 2028\n"
    "    until: 2028\n"
    "compensatory:\n"
    "  reason: compensatory day off for {holiday}\n"
    "announced:\n"
    "  2027:\n"
    "    days_off:\n"
    "      - dates: [2027-11-26]\n"
    "        reason: the announced day off\n"
    "        source: notice 1/TB-TEST\n";

static void test_yaml_only(void) {
  struct calendar *calendar = NULL;
  struct calendar_rules_summary summary;
  struct error error;
  tap_is_integer(calendar_rules_load_buffer("added.yaml", added_holiday, strlen(added_holiday),
                                            &calendar, &summary, &error),
                 STATUS_OK, "a calendar with added holidays loads");
  if (calendar == NULL) {
    tap_diagnostic("%s", error.message);
    return;
  }
  char list[LIST_SIZE];
  exceptions_of(calendar, 2026, list);
  tap_is_string(list, "", "2026: nothing before the new holiday starts");
  exceptions_of(calendar, 2027, list);
  tap_is_string(list, "11-26 off", "2027 is announced: the announcement alone decides");
  exceptions_of(calendar, 2028, list);
  tap_is_string(list, "03-15 off, 11-24 off", "2028: the new day and the one-off day");
  exceptions_of(calendar, 2029, list);
  tap_is_string(list, "11-26 off", "2029: 24/11 is a Saturday, compensated on Monday 26/11");
  tap_is_string(reason_on(calendar, 2029, 11, 26),
                "compensatory day off for Vietnamese Culture Day", "compensation without a source");
  tap_is_integer(calendar_hours(calendar)->count, 2, "default working hours");
  tap_is_integer(calendar_hours(calendar)->intervals[1].end, 17 * 3600, "closing 17:00");
  calendar_free(calendar);
}

/* Every `.yaml` file in tests/data/broken/calendar/ starts with `# expect: MESSAGE`, where the
 * file name in the message is written as FILE. */
static void test_broken_files(const char *source_root) {
  char directory_path[PATH_SIZE];
  snprintf(directory_path, sizeof directory_path, "%s/tests/data/broken/calendar", source_root);
  DIR *directory = opendir(directory_path);
  if (directory == NULL) {
    tap_ok(false, "cannot open %s", directory_path);
    return;
  }
  char names[64][256];
  size_t count = 0;
  struct dirent *entry;
  while ((entry = readdir(directory)) != NULL && count < 64) {
    size_t length = strlen(entry->d_name);
    if (length > 5 && length < 256 && strcmp(entry->d_name + length - 5, ".yaml") == 0)
      snprintf(names[count++], 256, "%s", entry->d_name);
  }
  closedir(directory);
  qsort(names, count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
  tap_ok(count >= 15, "at least 15 broken calendar files (found %zu)", count);
  for (size_t i = 0; i < count; i++) {
    char path[PATH_SIZE + 256];
    snprintf(path, sizeof path, "%s/%s", directory_path, names[i]);
    FILE *file = fopen(path, "r");
    char first[1024] = "";
    if (file == NULL || fgets(first, sizeof first, file) == NULL ||
        strncmp(first, "# expect: ", 10) != 0) {
      tap_ok(false, "%s starts with '# expect: '", names[i]);
      if (file != NULL)
        fclose(file);
      continue;
    }
    fclose(file);
    first[strcspn(first, "\n")] = '\0';
    char expected[2048];
    const char *marker = strstr(first + 10, "FILE");
    if (marker != NULL)
      snprintf(expected, sizeof expected, "%.*s%s%s", (int)(marker - (first + 10)), first + 10,
               path, marker + 4);
    else
      snprintf(expected, sizeof expected, "%s", first + 10);
    struct calendar *calendar = NULL;
    struct error error;
    enum status status = calendar_rules_load_file(path, &calendar, NULL, &error);
    tap_is_integer(status, STATUS_INVALID, "%s is refused", names[i]);
    tap_is_string(status == STATUS_OK ? "(loaded)" : error.message, expected, "%s message",
                  names[i]);
    calendar_free(calendar);
  }
}

/* Independent errors in the week, a holiday and an announced year's dates and entries. */
static const char several_errors[] = "week:\n"
                                     "  working_days: [monday, tuesday, funday]\n"
                                     "holidays:\n"
                                     "  - name: New Year\n"
                                     "    solar: 01-01\n"
                                     "  - name: Nowhere Day\n"
                                     "    solar: 02-30\n"
                                     "announced:\n"
                                     "  2025:\n"
                                     "    days_off:\n"
                                     "      - dates: [2025-01-01, 2025-13-01, 2025-01-02]\n"
                                     "        reason: r\n"
                                     "        source: s\n"
                                     "      - dates: [2024-12-31]\n"
                                     "        reason: r\n"
                                     "        source: s\n";

static void test_several_errors(void) {
  struct calendar *calendar = NULL;
  struct error error = {0};
  tap_is_integer(calendar_rules_load_buffer("several.yaml", several_errors, strlen(several_errors),
                                            &calendar, NULL, &error),
                 STATUS_INVALID, "a calendar with several errors is refused");
  tap_is_string(error.message,
                "several.yaml:2:35: 'funday' is not one of: monday, tuesday, wednesday, thursday, "
                "friday, saturday, sunday\n"
                "several.yaml:7:12: '02-30': no such date\n"
                "several.yaml:11:29: '2025-13-01': no such date\n"
                "several.yaml:14:17: 2024-12-31 is not in 2025",
                "every error is named, one a line, in file order; a broken week does not make "
                "the announced days wrong");
  tap_ok(calendar == NULL, "and no calendar escapes");
}

int main(void) {
  const char *source_root = getenv("DUNGHEN_SOURCE_ROOT");
  if (source_root == NULL)
    source_root = ".";
  char path[PATH_SIZE];
  snprintf(path, sizeof path, "%s/rules/calendar.yaml", source_root);
  struct calendar *calendar = NULL;
  struct calendar_rules_summary summary;
  struct error error;
  if (calendar_rules_load_file(path, &calendar, &summary, &error) != STATUS_OK) {
    printf("Bail out! %s\n", error.message);
    return 1;
  }
  test_announced(calendar, &summary);
  test_statutory(calendar);
  calendar_free(calendar);
  test_yaml_only();
  test_several_errors();
  test_broken_files(source_root);
  return tap_finish();
}
