/* Unit tests for core/civil: dates, weekdays, local time, timestamp parsing and formatting. */
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "tap.h"

static void test_round_trip(void) {
  int failures = 0;
  for (int64_t day = civil_days_from_date(1800, 1, 1); day < civil_days_from_date(2300, 1, 1);
       day++) {
    struct civil_date date = civil_date_from_days(day);
    if (civil_days_from_date(date.year, date.month, date.day) != day)
      failures++;
  }
  tap_is_integer(failures, 0, "day number round-trips for every day 1800-2299");
  tap_is_integer(civil_days_from_date(1970, 1, 1), 0, "1970-01-01 is day 0");
  tap_is_integer(civil_weekday(civil_days_from_date(2026, 11, 22)), SUNDAY,
                 "2026-11-22 is a Sunday");
  tap_is_integer(civil_weekday(civil_days_from_date(2025, 2, 7)), FRIDAY, "2025-02-07 is a Friday");
  tap_ok(!civil_date_valid(2025, 2, 29) && civil_date_valid(2024, 2, 29),
         "29 February only in leap years");
  tap_ok(!civil_date_valid(2100, 2, 29) && civil_date_valid(2000, 2, 29), "century leap rule");
}

static void test_timestamps(void) {
  struct error error;
  int64_t instant = 0;
  tap_is_integer(civil_parse_timestamp("2025-02-07T17:00", &instant, &error), STATUS_OK,
                 "local timestamp parses");
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(instant, text);
  tap_is_string(text, "2025-02-07T17:00:00+07:00", "formats with +07:00");
  tap_is_integer(civil_parse_timestamp("2025-02-07T10:00:00Z", &instant, &error), STATUS_OK,
                 "UTC timestamp parses");
  civil_format_timestamp(instant, text);
  tap_is_string(text, "2025-02-07T17:00:00+07:00", "UTC converts to local");
  civil_parse_timestamp("2025-02-07 23:30:00+07:00", &instant, &error);
  tap_is_integer(civil_local_second_of_day(instant), 23 * 3600 + 1800, "second of day");
  tap_is_integer(civil_local_day(instant), civil_days_from_date(2025, 2, 7), "local day");
  tap_is_integer(civil_parse_timestamp("2025-02-30", &instant, &error), STATUS_INVALID,
                 "30 February is refused");
  tap_contains(error.message, "no such date", "and the message says why");
  tap_is_integer(civil_parse_timestamp("2025-02-07T25:61", &instant, &error), STATUS_INVALID,
                 "25:61 is refused");
  tap_is_integer(civil_parse_timestamp("2025-02-07T10:00junk", &instant, &error), STATUS_INVALID,
                 "trailing text is refused");
  civil_format_timestamp(INT64_MAX, text);
  tap_is_string(text, "(no date)", "a sentinel formats safely");
  int seconds = 0;
  tap_is_integer(civil_parse_clock("15:00", &seconds, &error), STATUS_OK, "clock parses");
  tap_is_integer(seconds, 15 * 3600, "15:00 is 54000 s");
  tap_is_integer(civil_parse_clock("7:00", &seconds, &error), STATUS_INVALID,
                 "clock needs two digits");
}

int main(void) {
  test_round_trip();
  test_timestamps();
  return tap_finish();
}
