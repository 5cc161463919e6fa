#include "test_calendar.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/civil.h"
#include "core/error.h"

const bool test_calendar_weekdays[7] = {true, true, true, true, true, false, false};

struct working_hours test_calendar_office_hours(void) {
  struct working_hours hours = {.count = 2};
  hours.intervals[0].start = 7 * 3600;
  hours.intervals[0].end = 11 * 3600 + 30 * 60;
  hours.intervals[1].start = 13 * 3600 + 30 * 60;
  hours.intervals[1].end = 17 * 3600;
  return hours;
}

static void bail_out(const char *what, const char *message) {
  printf("Bail out! test calendar: %s: %s\n", what, message);
  exit(1);
}

struct calendar *test_calendar_create(const struct test_calendar_day *days, size_t count) {
  struct working_hours hours = test_calendar_office_hours();
  struct calendar *calendar = NULL;
  struct error error;
  if (calendar_create(test_calendar_weekdays, &hours, &calendar, &error) != STATUS_OK)
    bail_out("the office week", error.message);
  for (size_t i = 0; i < count; i++) {
    struct civil_date date;
    if (civil_parse_date(days[i].day, &date, &error) != STATUS_OK ||
        calendar_set_day(calendar, civil_days_from_date(date.year, date.month, date.day),
                         days[i].working, days[i].reason, &error) != STATUS_OK)
      bail_out(days[i].day, error.message);
  }
  if (calendar_finish(calendar, &error) != STATUS_OK)
    bail_out("finishing", error.message);
  return calendar;
}

struct calendar *test_calendar_2025(void) {
  static const struct test_calendar_day days[] = {
      {"2025-01-01", false, "New Year's Day"},
      {"2025-01-27", false, "Tết Nguyên Đán"},
      {"2025-01-28", false, "Tết Nguyên Đán"},
      {"2025-01-29", false, "Tết Nguyên Đán"},
      {"2025-01-30", false, "Tết Nguyên Đán"},
      {"2025-01-31", false, "Tết Nguyên Đán"},
      {"2025-03-10", false, "test holiday"},
      {"2025-04-07", false, "Giỗ Tổ Hùng Vương"},
      {"2025-04-26", true, "make-up working day for Friday 2/5"},
      {"2025-04-30", false, "Reunification Day"},
      {"2025-05-01", false, "International Labour Day"},
      {"2025-05-02", false, "day off swapped with Saturday 26/4"},
  };
  return test_calendar_create(days, sizeof days / sizeof days[0]);
}
