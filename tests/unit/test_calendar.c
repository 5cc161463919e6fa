/* Unit tests for core/calendar: day tables, range boundaries, and working-hours arithmetic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/calendar.h"
#include "core/civil.h"
#include "tap.h"
#include "test_calendar.h"

static int64_t date(int year, int month, int day) {
  return civil_days_from_date(year, month, day);
}

static int64_t at(int year, int month, int day, int hour, int minute) {
  return civil_instant_from_local(date(year, month, day), hour * 3600 + minute * 60);
}

static void is_instant(int64_t got, int64_t expected, const char *what) {
  char got_text[TIMESTAMP_TEXT_SIZE] = "-1";
  char expected_text[TIMESTAMP_TEXT_SIZE] = "-1";
  if (got != -1)
    civil_format_timestamp(got, got_text);
  if (expected != -1)
    civil_format_timestamp(expected, expected_text);
  tap_is_string(got_text, expected_text, "%s", what);
}

static void is_day(int64_t got, int64_t expected, const char *what) {
  char got_text[32] = "-1";
  char expected_text[32] = "-1";
  if (got != -1)
    civil_format_date(got, got_text, sizeof got_text);
  if (expected != -1)
    civil_format_date(expected, expected_text, sizeof expected_text);
  tap_is_string(got_text, expected_text, "%s", what);
}

/* Tết 2025 (27-31 January), a holiday on Monday 7 April, and Saturday 26 April worked. */
static struct calendar *sample_calendar(void) {
  static const struct test_calendar_day days[] = {
      {"2025-01-27", false, "Tết Nguyên Đán"},     {"2025-01-28", false, "Tết Nguyên Đán"},
      {"2025-01-29", false, "Tết Nguyên Đán"},     {"2025-01-30", false, "Tết Nguyên Đán"},
      {"2025-01-31", false, "Tết Nguyên Đán"},     {"2025-04-07", false, "Giỗ Tổ Hùng Vương"},
      {"2025-04-26", true, "make-up working day"},
  };
  return test_calendar_create(days, sizeof days / sizeof days[0]);
}

static void test_days(const struct calendar *calendar) {
  tap_ok(calendar_is_working_day(calendar, date(2025, 1, 24)), "Friday 24/1/2025 is worked");
  tap_ok(!calendar_is_working_day(calendar, date(2025, 1, 27)), "Monday 27/1/2025 is Tết");
  tap_is_string(calendar_reason(calendar, date(2025, 1, 29)), "Tết Nguyên Đán", "Tết reason");
  tap_is_string(calendar_reason(calendar, date(2025, 1, 25)), "Saturday", "Saturday reason");
  tap_is_string(calendar_reason(calendar, date(2025, 1, 26)), "Sunday", "Sunday reason");
  tap_ok(calendar_reason(calendar, date(2025, 1, 23)) == NULL, "no reason on ordinary day");
  tap_ok(calendar_is_working_day(calendar, date(2025, 4, 26)), "Saturday 26/4/2025 is worked");
  tap_is_string(calendar_reason(calendar, date(2025, 4, 26)), "make-up working day",
                "make-up Saturday reason");
  tap_ok(calendar_is_exception(calendar, date(2025, 4, 26)) &&
             calendar_is_exception(calendar, date(2025, 4, 7)) &&
             !calendar_is_exception(calendar, date(2025, 4, 5)),
         "exceptions are exactly the days set");

  is_day(calendar_add_working_days(calendar, date(2025, 1, 24), 1), date(2025, 2, 3),
         "Friday before Tết + 1 wd is the Monday after");
  is_day(calendar_add_working_days(calendar, date(2025, 1, 28), 1), date(2025, 2, 3),
         "a Tết day + 1 wd is the first day after Tết");
  is_day(calendar_add_working_days(calendar, date(2025, 1, 25), 0), date(2025, 2, 3),
         "0 wd from a Saturday before Tết rolls to the next working day");
  is_day(calendar_add_working_days(calendar, date(2025, 1, 23), 0), date(2025, 1, 23),
         "0 wd from a working day is that day");
  is_day(calendar_add_working_days(calendar, date(2025, 4, 25), 1), date(2025, 4, 26),
         "Friday + 1 wd is the make-up Saturday");
  is_day(calendar_add_working_days(calendar, date(2025, 4, 4), 1), date(2025, 4, 8),
         "Friday before Giỗ Tổ Monday + 1 wd is Tuesday");
  is_day(calendar_add_working_days(calendar, date(2025, 2, 3), -1), date(2025, 1, 24),
         "-1 wd from the Monday after Tết is the Friday before");
  tap_is_integer(calendar_count_working_days(calendar, date(2025, 1, 24), date(2025, 2, 3)), 1,
                 "one working day in (24/1, 3/2]");
  tap_is_integer(calendar_count_working_days(calendar, date(2025, 4, 1), date(2025, 4, 30)), 21,
                 "April 2025 after the 1st: 21 working days");
  tap_is_integer(calendar_count_working_days(calendar, date(2025, 4, 30), date(2025, 4, 1)), 0,
                 "a reversed interval counts nothing");
}

static void test_range(const struct calendar *calendar) {
  int64_t first = calendar_first_day(calendar);
  int64_t last = calendar_last_day(calendar);
  is_day(first, date(CALENDAR_FIRST_YEAR, 1, 1), "range starts 1 January 1900");
  is_day(last, date(CALENDAR_LAST_YEAR, 12, 31), "range ends 31 December 2199");
  tap_ok(calendar_covers(calendar, first) && calendar_covers(calendar, last) &&
             !calendar_covers(calendar, first - 1) && !calendar_covers(calendar, last + 1),
         "covers exactly its range");
  /* 2199-12-31 is a Tuesday; 2199-12-30 a Monday. */
  is_day(calendar_add_working_days(calendar, last - 1, 1), last, "last day reachable");
  is_day(calendar_add_working_days(calendar, last, 1), -1, "past the range is -1");
  is_day(calendar_add_working_days(calendar, last + 1, 0), -1, "outside the range is -1");
  is_day(calendar_add_working_days(calendar, first, -1), -1, "before the range is -1");
  is_day(calendar_add_working_days(calendar, first, INT64_MAX), -1, "a huge N is -1");
  is_day(calendar_add_working_days(calendar, last, INT64_MIN), -1, "a huge negative N is -1");
  is_day(calendar_next_working_day(calendar, first), first, "1900-01-01 (Monday) is worked");
  tap_is_integer(calendar_count_working_days(calendar, first - 10, first), 1,
                 "counting clamps to the range");

  /* Property: adding then counting gives N back, and the result is a working day. */
  unsigned seed = 12345;
  int failures = 0;
  for (int i = 0; i < 100000; i++) {
    seed = seed * 1103515245u + 12345u;
    int64_t day = first + (int64_t)(seed >> 8) % (last - first - 400);
    seed = seed * 1103515245u + 12345u;
    int64_t n = (seed >> 8) % 200;
    int64_t result = calendar_add_working_days(calendar, day, n);
    bool good = result >= day && calendar_is_working_day(calendar, result);
    if (n > 0)
      good = good && calendar_count_working_days(calendar, day, result) == n;
    else
      good = good && calendar_count_working_days(calendar, day, result) ==
                         (calendar_is_working_day(calendar, day) ? 0 : 1);
    if (!good)
      failures++;
  }
  tap_is_integer(failures, 0, "count(day, add(day, N)) == N for 100000 random pairs");
}

static void test_hours(const struct calendar *calendar) {
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 10, 0), 8 * 3600),
             at(2025, 3, 4, 10, 0), "Monday 10:00 + 8 wh is Tuesday 10:00");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 16, 0), 8 * 3600),
             at(2025, 3, 4, 16, 0), "Monday 16:00 + 8 wh is Tuesday 16:00");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 18, 0), 8 * 3600),
             at(2025, 3, 4, 17, 0), "Monday 18:00 + 8 wh is Tuesday 17:00");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 7, 0), 4 * 3600 + 1800),
             at(2025, 3, 3, 11, 30), "a deadline landing on 11:30 stays at 11:30");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 7, 0), 4 * 3600 + 1801),
             at(2025, 3, 3, 13, 30) + 1, "one second more is 13:30:01");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 7, 0), 8 * 3600),
             at(2025, 3, 3, 17, 0), "a deadline landing on 17:00 stays at 17:00");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 12, 0), 3600),
             at(2025, 3, 3, 14, 30), "lunch break does not count");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 3, 3, 11, 30), 0),
             at(2025, 3, 3, 11, 30), "0 wh is the start instant");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 1, 24, 10, 0), 2 * 8 * 3600),
             at(2025, 2, 4, 10, 0), "Friday 10:00 + 2 wd before Tết is Tuesday 10:00 after");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 4, 25, 16, 0), 8 * 3600),
             at(2025, 4, 26, 16, 0), "the make-up Saturday is worked");
  is_instant(calendar_add_working_seconds(calendar, at(2025, 4, 4, 10, 0), 2 * 8 * 3600),
             at(2025, 4, 9, 10, 0), "Friday 10:00 + 2 wd before a Monday holiday is Wednesday");
  is_instant(
      calendar_add_working_seconds(calendar, at(CALENDAR_LAST_YEAR, 12, 31, 7, 0), 8 * 3600 + 1),
      -1, "past the range is -1");

  tap_is_integer(
      calendar_working_seconds_between(calendar, at(2025, 3, 3, 7, 0), at(2025, 3, 3, 17, 0)),
      8 * 3600, "a full day is 8 hours");
  tap_is_integer(
      calendar_working_seconds_between(calendar, at(2025, 3, 3, 11, 30), at(2025, 3, 3, 13, 30)), 0,
      "lunch break is 0");
  tap_is_integer(
      calendar_working_seconds_between(calendar, at(2025, 1, 24, 16, 0), at(2025, 2, 3, 8, 0)),
      2 * 3600, "over a weekend and Tết: 1 h Friday + 1 h Monday");
  tap_is_integer(
      calendar_working_seconds_between(calendar, at(2025, 4, 26, 6, 0), at(2025, 4, 26, 23, 0)),
      8 * 3600, "a make-up Saturday has 8 working hours");

  is_instant(calendar_next_opening(calendar, at(2025, 3, 3, 11, 29) + 59),
             at(2025, 3, 3, 11, 29) + 59, "11:29:59 is open");
  is_instant(calendar_next_opening(calendar, at(2025, 3, 3, 11, 30)), at(2025, 3, 3, 13, 30),
             "11:30 is closed: next opening 13:30");
  is_instant(calendar_next_opening(calendar, at(2025, 3, 3, 13, 30)), at(2025, 3, 3, 13, 30),
             "13:30 is open");
  is_instant(calendar_next_opening(calendar, at(2025, 3, 3, 17, 0)), at(2025, 3, 4, 7, 0),
             "17:00 is closed: next opening tomorrow 07:00");
  is_instant(calendar_next_opening(calendar, at(2025, 3, 3, 6, 0)), at(2025, 3, 3, 7, 0),
             "06:00: opening 07:00 the same day");
  is_instant(calendar_next_opening(calendar, at(2025, 1, 25, 9, 0)), at(2025, 2, 3, 7, 0),
             "Saturday before Tết: next opening after Tết");
  is_instant(calendar_next_opening(calendar, at(2025, 4, 26, 9, 0)), at(2025, 4, 26, 9, 0),
             "the make-up Saturday is open");
}

static void test_errors(void) {
  struct working_hours hours = test_calendar_office_hours();
  hours.intervals[1].start = 11 * 3600;
  struct calendar *calendar = NULL;
  struct error error;
  tap_is_integer(calendar_create(test_calendar_weekdays, &hours, &calendar, &error), STATUS_INVALID,
                 "overlapping hours refused");
  tap_is_string(error.message, "working-hours interval 2 overlaps or precedes the one before it",
                "overlap message");
  hours = test_calendar_office_hours();
  calendar_create(test_calendar_weekdays, &hours, &calendar, &error);
  tap_is_integer(calendar_set_day(calendar, date(2200, 1, 1), false, "x", &error), STATUS_INVALID,
                 "a day outside the range is refused");
  tap_is_string(error.message, "2200-01-01 is outside the calendar's range 1900-2199",
                "out-of-range message");
  calendar_finish(calendar, &error);
  tap_is_integer(calendar_set_day(calendar, date(2025, 1, 1), false, "x", &error), STATUS_RUNTIME,
                 "a frozen calendar refuses changes");
  calendar_free(calendar);
}

int main(void) {
  struct calendar *calendar = sample_calendar();
  test_days(calendar);
  test_range(calendar);
  test_hours(calendar);
  test_errors();
  calendar_free(calendar);
  return tap_finish();
}
