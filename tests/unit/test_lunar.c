/*
 * Unit tests for core/lunar: the Vietnamese lunar calendar at UTC+7.
 *
 * Compares every row of tests/data/lunar-reference.tsv (amlich and date-chinese, written by
 * tools/lunar-reference/generate.mjs) and checks that every disagreement between the two
 * packages is explained in tests/data/lunar-disagreements.tsv; walks every day 1900-2199 both
 * ways; and pins the years where Vietnam and China differ, leap months, invalid dates with
 * their exact messages and the range limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/lunar.h"
#include "tap.h"

enum { FIELD_SIZE = 16, SHOWN_FAILURES = 5 };

struct reference_row {
  char kind[FIELD_SIZE]; /* tet, gio_to or month */
  struct lunar_date lunar;
  char amlich[FIELD_SIZE];
  char date_chinese[FIELD_SIZE]; /* "-" on month rows */
};

struct reference {
  struct reference_row *rows;
  size_t count;
};

struct disagreement {
  char kind[FIELD_SIZE];
  int year;
  char amlich[FIELD_SIZE];
  char date_chinese[FIELD_SIZE];
  char explanation[1024];
};

static int64_t day_of(int year, int month, int day) {
  return civil_days_from_date(year, month, day);
}

static int64_t day_from_text(const char *text) {
  struct civil_date date;
  if (civil_parse_date(text, &date, NULL) != STATUS_OK)
    return INT64_MIN;
  return day_of(date.year, date.month, date.day);
}

static void data_path(const char *name, char *path, size_t size) {
  const char *root = getenv("DUNGHEN_SOURCE_ROOT");
  snprintf(path, size, "%s/tests/data/%s", root != NULL ? root : ".", name);
}

/* Lines that are comments or the column header carry no data. */
static int is_data_line(const char *line) {
  return line[0] != '#' && strncmp(line, "kind\t", 5) != 0 && line[0] != '\n';
}

static struct reference load_reference(void) {
  struct reference reference = {NULL, 0};
  char path[4096];
  data_path("lunar-reference.tsv", path, sizeof path);
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    tap_diagnostic("cannot open %s", path);
    return reference;
  }
  size_t capacity = 0;
  char line[256];
  while (fgets(line, sizeof line, file) != NULL) {
    if (!is_data_line(line))
      continue;
    if (reference.count == capacity) {
      capacity = capacity == 0 ? 4096 : capacity * 2;
      reference.rows = realloc(reference.rows, capacity * sizeof *reference.rows);
      if (reference.rows == NULL)
        abort();
    }
    struct reference_row *row = &reference.rows[reference.count];
    int leap = 0;
    if (sscanf(line, "%15[^\t]\t%d\t%d\t%d\t%d\t%15[^\t]\t%15[^\t\n]", row->kind, &row->lunar.year,
               &row->lunar.month, &leap, &row->lunar.day, row->amlich, row->date_chinese) != 7) {
      tap_diagnostic("unreadable line in %s: %s", path, line);
      continue;
    }
    row->lunar.leap = leap != 0;
    reference.count++;
  }
  fclose(file);
  return reference;
}

static size_t load_disagreements(struct disagreement *rows, size_t capacity) {
  char path[4096];
  data_path("lunar-disagreements.tsv", path, sizeof path);
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    tap_diagnostic("cannot open %s", path);
    return 0;
  }
  size_t count = 0;
  char line[2048];
  while (fgets(line, sizeof line, file) != NULL && count < capacity) {
    if (!is_data_line(line))
      continue;
    struct disagreement *row = &rows[count];
    int month = 0, day = 0;
    if (sscanf(line, "%15[^\t]\t%d\t%d\t%d\t%15[^\t]\t%15[^\t]\t%1023[^\n]", row->kind, &row->year,
               &month, &day, row->amlich, row->date_chinese, row->explanation) == 7)
      count++;
  }
  fclose(file);
  return count;
}

static int same_lunar(const struct lunar_date *a, const struct lunar_date *b) {
  return a->year == b->year && a->month == b->month && a->day == b->day && a->leap == b->leap;
}

static size_t count_kind(const struct reference *reference, const char *kind) {
  size_t count = 0;
  for (size_t i = 0; i < reference->count; i++)
    count += strcmp(reference->rows[i].kind, kind) == 0;
  return count;
}

/* Both directions for every row of one kind; mismatches are shown, up to a few. */
static void test_reference_kind(const struct reference *reference, const char *kind,
                                const char *description) {
  int failures = 0;
  for (size_t i = 0; i < reference->count; i++) {
    const struct reference_row *row = &reference->rows[i];
    if (strcmp(row->kind, kind) != 0)
      continue;
    int64_t expected = day_from_text(row->amlich);
    int64_t day = 0;
    struct lunar_date lunar = {0, 0, 0, false};
    struct error error;
    enum status to_status = lunar_to_solar(&row->lunar, &day, &error);
    enum status from_status = lunar_from_solar(expected, &lunar, &error);
    if (to_status != STATUS_OK || day != expected || from_status != STATUS_OK ||
        !same_lunar(&lunar, &row->lunar)) {
      char got[LUNAR_DATE_TEXT_SIZE], solar[FIELD_SIZE];
      lunar_format_date(&lunar, got);
      civil_format_date(day, solar, sizeof solar);
      if (failures++ < SHOWN_FAILURES)
        tap_diagnostic("%s %d-%d-%d%s: amlich %s, dunghen %s (back: %s)", kind, row->lunar.year,
                       row->lunar.month, row->lunar.day, row->lunar.leap ? " leap" : "",
                       row->amlich, solar, got);
    }
  }
  tap_is_integer(failures, 0, "%s", description);
}

/* A Tết or Giỗ Tổ on which the two packages differ must be explained, and every explanation
 * must match a real difference; dunghen follows amlich there (checked above with every row). */
static void test_disagreements(const struct reference *reference) {
  struct disagreement explained[64];
  size_t explained_count = load_disagreements(explained, 64);
  int unexplained = 0, differences = 0;
  for (size_t i = 0; i < reference->count; i++) {
    const struct reference_row *row = &reference->rows[i];
    if (strcmp(row->kind, "month") == 0 || strcmp(row->amlich, row->date_chinese) == 0)
      continue;
    differences++;
    int found = 0;
    for (size_t j = 0; j < explained_count; j++)
      found |= strcmp(explained[j].kind, row->kind) == 0 && explained[j].year == row->lunar.year &&
               strcmp(explained[j].amlich, row->amlich) == 0 &&
               strcmp(explained[j].date_chinese, row->date_chinese) == 0 &&
               strstr(explained[j].explanation, "dunghen follows amlich") != NULL;
    if (!found) {
      unexplained++;
      tap_diagnostic("%s %d: amlich %s, date-chinese %s, not explained", row->kind, row->lunar.year,
                     row->amlich, row->date_chinese);
    }
  }
  tap_is_integer(unexplained, 0,
                 "every Tet/Gio To disagreement of amlich and date-chinese is "
                 "explained in lunar-disagreements.tsv");
  tap_is_integer((long long)explained_count, differences,
                 "and every explanation there matches a real disagreement");
}

static void test_reference(void) {
  struct reference reference = load_reference();
  tap_is_integer((long long)count_kind(&reference, "tet"), 300, "reference: 300 Tet rows");
  tap_is_integer((long long)count_kind(&reference, "gio_to"), 300, "reference: 300 Gio To rows");
  tap_is_integer((long long)count_kind(&reference, "month"), 3711,
                 "reference: 3711 month starts 1900-2199");
  test_reference_kind(&reference, "tet", "every Tet 1900-2199 equals amlich, both directions");
  test_reference_kind(&reference, "gio_to",
                      "every Gio To (lunar 10/3) 1900-2199 equals amlich, both directions");
  test_reference_kind(&reference, "month",
                      "every month start 1900-2199 equals amlich, both directions");
  test_disagreements(&reference);

  /* The month starts found by walking every day are exactly the reference's, in order. */
  size_t next_month = 0;
  int unexpected = 0;
  for (int64_t day = day_of(1900, 1, 1); day <= day_of(2199, 12, 31); day++) {
    struct lunar_date lunar;
    if (lunar_from_solar(day, &lunar, NULL) != STATUS_OK || lunar.day != 1)
      continue;
    while (next_month < reference.count && strcmp(reference.rows[next_month].kind, "month") != 0)
      next_month++;
    if (next_month >= reference.count || day_from_text(reference.rows[next_month].amlich) != day)
      unexpected++;
    next_month++;
  }
  tap_is_integer(unexpected, 0, "no month starts other than the reference's");
  free(reference.rows);
}

/* Every day 1900-01-01..2199-12-31 converts, converts back, and follows the day before. */
static void test_every_day(void) {
  int failed_conversions = 0, failed_round_trips = 0, broken_sequences = 0;
  struct lunar_date previous = {0, 0, 0, false};
  for (int64_t day = day_of(1900, 1, 1); day <= day_of(2199, 12, 31); day++) {
    struct lunar_date lunar;
    int64_t back = 0;
    if (lunar_from_solar(day, &lunar, NULL) != STATUS_OK) {
      failed_conversions++;
      continue;
    }
    if (lunar_to_solar(&lunar, &back, NULL) != STATUS_OK || back != day)
      failed_round_trips++;
    int next_day = lunar.day == previous.day + 1 && lunar.month == previous.month &&
                   lunar.leap == previous.leap && lunar.year == previous.year;
    int new_month = lunar.day == 1 && (previous.day == 29 || previous.day == 30);
    if (previous.day != 0 && !next_day && !new_month)
      broken_sequences++;
    previous = lunar;
  }
  tap_is_integer(failed_conversions, 0, "every day 1900-2199 converts to a lunar date");
  tap_is_integer(failed_round_trips, 0, "solar -> lunar -> solar round-trips every day");
  tap_is_integer(broken_sequences, 0,
                 "each day is the next lunar day, or day 1 after day 29 or 30");
}

/* lunar_year_months agrees with the day-by-day conversion for every lunar year. */
static void test_years(void) {
  int broken = 0, thirteen = 0;
  for (int year = LUNAR_FIRST_YEAR - 1; year <= LUNAR_LAST_YEAR; year++) {
    struct lunar_year months;
    if (lunar_year_months(year, &months, NULL) != STATUS_OK) {
      broken++;
      continue;
    }
    thirteen += months.month_count == 13;
    int expected_month = 1;
    for (int i = 0; i < months.month_count; i++) {
      const struct lunar_month *month = &months.months[i];
      struct lunar_date first = {year, month->month, 1, month->leap};
      int64_t day = 0;
      int64_t end =
          i + 1 < months.month_count ? months.months[i + 1].first_day : months.next_new_year;
      if (month->leap)
        expected_month--;
      if (month->month != expected_month || (month->days != 29 && month->days != 30) ||
          end - month->first_day != month->days ||
          (month->first_day >= day_of(1900, 1, 1) && month->first_day <= day_of(2199, 12, 31) &&
           (lunar_to_solar(&first, &day, NULL) != STATUS_OK || day != month->first_day)))
        broken++;
      expected_month++;
    }
    if (expected_month != 13 || (months.month_count == 13) != (months.leap_month != 0))
      broken++;
  }
  tap_is_integer(broken, 0, "lunar_year_months: 12 or 13 consecutive months of 29/30 days");
  /* 7 leap years in every 19 (Metonic cycle): 301 years give about 111. */
  tap_is_integer(thirteen, 111, "111 leap years among the lunar years 1899-2199");
}

static void check_solar(int year, int month, int day, const char *lunar_text, const char *why) {
  struct lunar_date lunar = {0, 0, 0, false};
  char text[LUNAR_DATE_TEXT_SIZE] = "";
  if (lunar_from_solar(day_of(year, month, day), &lunar, NULL) == STATUS_OK)
    lunar_format_date(&lunar, text);
  tap_is_string(text, lunar_text, "%04d-%02d-%02d is lunar %s: %s", year, month, day, lunar_text,
                why);
}

static void check_lunar(const char *lunar_text, bool leap, const char *solar_text,
                        const char *why) {
  struct lunar_date lunar;
  int64_t day = 0;
  char text[FIELD_SIZE] = "";
  if (lunar_parse_date(lunar_text, &lunar, NULL) == STATUS_OK) {
    lunar.leap = leap;
    if (lunar_to_solar(&lunar, &day, NULL) == STATUS_OK)
      civil_format_date(day, text, sizeof text);
  }
  tap_is_string(text, solar_text, "lunar %s%s is %s: %s", lunar_text, leap ? " leap" : "",
                solar_text, why);
}

/*
 * Where the Vietnamese calendar (UTC+7) and the Chinese one (UTC+8) differ. The Vietnamese
 * dates are amlich's; the Chinese ones, in the comments, are date-chinese's CalendarChinese.
 */
static void test_vietnam_not_china(void) {
  /* China: 1968-01-30. The new moon fell at 16:29 UT: 23:29 on the 29th at UTC+7, 00:29 on
   * the 30th at UTC+8 (times from Meeus' full series, tools/lunar-reference). */
  check_lunar("1968-01-01", false, "1968-01-29", "Tet 1968, China 1968-01-30");
  /* China: 1985-02-20, a whole month later. The December 1984 solstice came at 23:23 on the
   * 21st at UTC+7 but 00:23 on the 22nd at UTC+8, the day a new month began: in China that
   * month holds the solstice and is month 11, in Vietnam it is month 12. Vietnam then has a
   * leap month 2 in 1985, China a leap month 10 in 1984. */
  check_lunar("1985-01-01", false, "1985-01-21", "Tet 1985, China 1985-02-20");
  check_solar(1985, 2, 20, "1985-02-01", "China's Tet 1985 is Vietnam's lunar month 2");
  check_lunar("1985-02-01", true, "1985-03-21", "Vietnam's 1985 has a leap month 2");
  /* 2007, 2030, 2053 and the Gio To years below: new moons between 23:00 and midnight at
   * UTC+7, so after midnight at UTC+8 (2007-02-17 23:14, 2030-02-02 23:08 at UTC+7). */
  check_lunar("2007-01-01", false, "2007-02-17", "Tet 2007, China 2007-02-18");
  check_lunar("2030-01-01", false, "2030-02-02", "Tet 2030, China 2030-02-03");
  check_lunar("2053-01-01", false, "2053-02-18", "Tet 2053, China 2053-02-19");
  check_lunar("2009-03-10", false, "2009-04-04", "Gio To 2009, China's lunar 3/10 2009-04-05");
  check_lunar("2037-03-10", false, "2037-04-24", "Gio To 2037, China's lunar 3/10 2037-04-25");
  check_lunar("2038-03-10", false, "2038-04-13", "Gio To 2038, China's lunar 3/10 2038-04-14");
}

static void check_leap_month(int year, int leap_month) {
  struct lunar_year months;
  int got = -1;
  if (lunar_year_months(year, &months, NULL) == STATUS_OK)
    got = months.leap_month;
  tap_is_integer(got, leap_month, "lunar year %d: leap month %d (0 = none)", year, leap_month);
}

static void test_leap_months(void) {
  check_leap_month(2020, 4);
  check_leap_month(2023, 2);
  check_leap_month(2025, 6);
  check_leap_month(2024, 0);
  /* The "2033 problem": Vietnam's 2033 repeats month 11. */
  check_leap_month(2033, 11);
  check_solar(2023, 3, 22, "2023-02-01 leap", "the leap month 2 of 2023 starts");
  check_solar(2023, 4, 19, "2023-02-29 leap", "and has 29 days");
  check_solar(2023, 4, 20, "2023-03-01", "then month 3");
  check_solar(2020, 5, 23, "2020-04-01 leap", "the leap month 4 of 2020");
  check_solar(2025, 7, 25, "2025-06-01 leap", "the leap month 6 of 2025");
  check_solar(2033, 12, 22, "2033-11-01 leap", "the leap month 11 of 2033");
  check_lunar("2025-06-01", true, "2025-07-25", "--leap picks the leap month");
  check_lunar("2025-06-01", false, "2025-06-25", "without it, the regular month");
  check_lunar("2026-01-01", false, "2026-02-17", "Tet 2026");
  check_lunar("2026-03-10", false, "2026-04-26", "Gio To 2026");
}

static void check_refused(const char *lunar_text, bool leap, const char *message) {
  struct lunar_date lunar = {0, 0, 0, false};
  struct error error;
  int64_t day = 0;
  sscanf(lunar_text, "%d-%d-%d", &lunar.year, &lunar.month, &lunar.day);
  lunar.leap = leap;
  enum status status = lunar_to_solar(&lunar, &day, &error);
  tap_is_integer(status, STATUS_INVALID, "lunar %s%s is refused", lunar_text, leap ? " leap" : "");
  tap_is_string(status == STATUS_INVALID ? error.message : "", message, "  with its message");
}

static void check_solar_refused(int year, int month, int day, const char *message) {
  struct lunar_date lunar;
  struct error error;
  enum status status = lunar_from_solar(day_of(year, month, day), &lunar, &error);
  tap_is_integer(status, STATUS_INVALID, "%04d-%02d-%02d is refused", year, month, day);
  tap_is_string(status == STATUS_INVALID ? error.message : "", message, "  with its message");
}

static void test_invalid(void) {
  /* Month 1 of 2023 runs 2023-01-22..02-19, 29 days; the leap month 2, 03-22..04-19. */
  check_refused("2023-01-30", false,
                "lunar 2023-01-30 does not exist: month 1 of lunar year 2023 has 29 days");
  check_refused("2023-02-30", true,
                "lunar 2023-02-30 leap does not exist: leap month 2 of lunar year 2023 has 29 "
                "days");
  check_lunar("2023-02-30", false, "2023-03-21", "the regular month 2 of 2023 has 30 days");
  check_refused("2024-02-01", true,
                "lunar 2024-02-01 leap does not exist: lunar year 2024 has no leap month");
  check_refused("2023-03-01", true,
                "lunar 2023-03-01 leap does not exist: the leap month of lunar year 2023 is 2");
  check_refused("2023-13-01", false, "lunar 2023-13-01: months are 1 to 12");
  check_refused("2023-01-31", false, "lunar 2023-01-31: days are 1 to 30");
  check_refused("2023-01-00", false, "lunar 2023-01-00: days are 1 to 30");

  struct lunar_date lunar;
  struct error error;
  tap_is_integer(lunar_parse_date("2023-02-30", &lunar, &error), STATUS_OK,
                 "parse: lunar day 30 of month 2 is readable");
  tap_ok(lunar.year == 2023 && lunar.month == 2 && lunar.day == 30 && !lunar.leap, "parse: fields");
  lunar_parse_date("2023-1-01", &lunar, &error);
  tap_is_string(error.message, "'2023-1-01': expected a lunar date as YYYY-MM-DD",
                "parse: two-digit months");
  lunar_parse_date("2023-01-01x", &lunar, &error);
  tap_is_string(error.message, "'2023-01-01x': expected a lunar date as YYYY-MM-DD",
                "parse: trailing text");
  lunar_parse_date("2023-00-01", &lunar, &error);
  tap_is_string(error.message, "'2023-00-01': lunar months are 1 to 12", "parse: month 0");
  lunar_parse_date("2023-01-31", &lunar, &error);
  tap_is_string(error.message, "'2023-01-31': lunar days are 1 to 30", "parse: day 31");
  char text[LUNAR_DATE_TEXT_SIZE];
  lunar_format_date(&(struct lunar_date){2023, 2, 15, true}, text);
  tap_is_string(text, "2023-02-15 leap", "format: a leap month says so");
}

static void test_range(void) {
  check_solar(1900, 1, 1, "1899-12-01", "the first supported day");
  check_solar(2199, 12, 31, "2199-11-14", "the last supported day");
  check_solar_refused(1899, 12, 31,
                      "1899-12-31 is outside the supported range 1900-01-01 to 2199-12-31");
  check_solar_refused(2200, 1, 1,
                      "2200-01-01 is outside the supported range 1900-01-01 to 2199-12-31");
  check_lunar("1899-12-01", false, "1900-01-01", "the first supported lunar day");
  check_lunar("2199-11-14", false, "2199-12-31", "the last supported lunar day");
  check_refused("1899-11-29", false,
                "lunar 1899-11-29 is outside the supported range 1900-01-01 to 2199-12-31");
  check_refused("2199-11-15", false,
                "lunar 2199-11-15 is outside the supported range 1900-01-01 to 2199-12-31");
  check_refused("1898-12-01", false,
                "lunar 1898-12-01 is outside the supported range 1900-01-01 to 2199-12-31");
  check_refused("2200-01-01", false,
                "lunar 2200-01-01 is outside the supported range 1900-01-01 to 2199-12-31");
  struct lunar_year months;
  struct error error;
  tap_is_integer(lunar_year_months(1897, &months, &error), STATUS_INVALID,
                 "lunar_year_months refuses 1897");
  tap_is_string(error.message, "lunar year 1897: expected 1899 to 2199", "  with its message");
}

int main(void) {
  test_reference();
  test_every_day();
  test_years();
  test_vietnam_not_china();
  test_leap_months();
  test_invalid();
  test_range();
  return tap_finish();
}
