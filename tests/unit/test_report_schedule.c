/* Unit tests for core/report_schedule: which month or quarter is due, around weekends, Tết and
 * the 2026 days off of PRODUCT.md, and when to look again. */
#include <stdint.h>
#include <stdio.h>

#include "core/civil.h"
#include "core/report_schedule.h"
#include "tap.h"
#include "test_calendar.h"

static int64_t at(int year, int month, int day, int hour, int minute) {
  return civil_instant_from_local(civil_days_from_date(year, month, day),
                                  hour * 3600 + minute * 60);
}

static void is_instant(int64_t got, int64_t expected, const char *what) {
  char got_text[TIMESTAMP_TEXT_SIZE] = "-1", expected_text[TIMESTAMP_TEXT_SIZE] = "-1";
  if (got != -1)
    civil_format_timestamp(got, got_text);
  if (expected != -1)
    civil_format_timestamp(expected, expected_text);
  tap_is_string(got_text, expected_text, "%s", what);
}

/* "2026-01-01..2026-01-31", or "none" when nothing is due. */
static void is_due(const struct calendar *calendar, enum report_period_kind kind, int64_t now,
                   const char *expected, const char *what) {
  struct report_period period;
  char text[64] = "none";
  if (report_schedule_due(calendar, kind, now, &period)) {
    char from[32], to[32];
    civil_format_date(period.from_day, from, sizeof from);
    civil_format_date(period.to_day, to, sizeof to);
    snprintf(text, sizeof text, "%s..%s", from, to);
  }
  tap_is_string(text, expected, "%s", what);
}

/* The 2025 Tết and the 2026 days off and make-up Saturdays of PRODUCT.md. */
static struct calendar *calendar_2025_2026(void) {
  static const struct test_calendar_day days[] = {
      {"2025-01-01", false, "Tết Dương lịch"},
      {"2025-01-27", false, "Tết Nguyên Đán"},
      {"2025-01-28", false, "Tết Nguyên Đán"},
      {"2025-01-29", false, "Tết Nguyên Đán"},
      {"2025-01-30", false, "Tết Nguyên Đán"},
      {"2025-01-31", false, "Tết Nguyên Đán"},
      {"2026-01-01", false, "Tết Dương lịch"},
      {"2026-01-02", false, "Tết Dương lịch"},
      {"2026-01-10", true, "make-up day"},
      {"2026-02-16", false, "Tết Nguyên Đán"},
      {"2026-02-17", false, "Tết Nguyên Đán"},
      {"2026-02-18", false, "Tết Nguyên Đán"},
      {"2026-02-19", false, "Tết Nguyên Đán"},
      {"2026-02-20", false, "Tết Nguyên Đán"},
      {"2026-04-27", false, "Giỗ Tổ"},
      {"2026-04-30", false, "30/4"},
      {"2026-05-01", false, "1/5"},
      {"2026-08-22", true, "make-up day"},
      {"2026-08-31", false, "Quốc khánh"},
      {"2026-09-01", false, "Quốc khánh"},
      {"2026-09-02", false, "Quốc khánh"},
      {"2026-08-01", true, "a made-up Saturday"},
  };
  return test_calendar_create(days, sizeof days / sizeof days[0]);
}

static void test_words(void) {
  enum report_period_kind kind = REPORT_PERIOD_MONTH;
  struct error error;
  tap_ok(report_period_kind_parse("quarter", &kind, &error) == STATUS_OK &&
             kind == REPORT_PERIOD_QUARTER,
         "'quarter' parses");
  tap_ok(report_period_kind_parse("week", &kind, &error) == STATUS_INVALID, "'week' is refused");
  tap_is_string(error.message, "unknown period 'week' (month or quarter)", "and named");
  tap_is_string(report_period_kind_name(REPORT_PERIOD_MONTH), "month", "month's name");
}

static void test_periods(void) {
  struct report_period period =
      report_schedule_period_of(REPORT_PERIOD_QUARTER, civil_days_from_date(2026, 5, 17));
  tap_ok(period.from_day == civil_days_from_date(2026, 4, 1) &&
             period.to_day == civil_days_from_date(2026, 6, 30),
         "17/5/2026 is in the quarter April-June");
  period = report_schedule_previous(REPORT_PERIOD_QUARTER, period);
  tap_ok(period.from_day == civil_days_from_date(2026, 1, 1) &&
             period.to_day == civil_days_from_date(2026, 3, 31),
         "before it, January-March");
  period = report_schedule_previous(
      REPORT_PERIOD_MONTH,
      report_schedule_period_of(REPORT_PERIOD_MONTH, civil_days_from_date(2024, 3, 9)));
  tap_ok(period.from_day == civil_days_from_date(2024, 2, 1) &&
             period.to_day == civil_days_from_date(2024, 2, 29),
         "the month before March 2024 is February with its 29th");
  period = report_schedule_previous(
      REPORT_PERIOD_MONTH,
      report_schedule_period_of(REPORT_PERIOD_MONTH, civil_days_from_date(2026, 1, 5)));
  tap_ok(period.from_day == civil_days_from_date(2025, 12, 1) &&
             period.to_day == civil_days_from_date(2025, 12, 31),
         "the month before January 2026 is December 2025");
}

static void test_months(const struct calendar *calendar) {
  enum report_period_kind month = REPORT_PERIOD_MONTH;
  /* January 2026 closes on Saturday 31/1: due at the opening of Monday 2/2. */
  is_due(calendar, month, at(2026, 1, 31, 23, 59), "2025-12-01..2025-12-31",
         "Saturday 31/1/2026: December is still the latest closed month");
  is_due(calendar, month, at(2026, 2, 1, 10, 0), "none",
         "Sunday 1/2/2026: January closed, its working day has not begun, December is no longer "
         "due");
  is_due(calendar, month, at(2026, 2, 2, 6, 59), "none", "Monday 2/2/2026 06:59: not yet");
  is_due(calendar, month, at(2026, 2, 2, 7, 0), "2026-01-01..2026-01-31",
         "Monday 2/2/2026 07:00: January is due");
  is_due(calendar, month, at(2026, 2, 27, 16, 0), "2026-01-01..2026-01-31",
         "and stays due through February");
  is_due(calendar, month, at(2026, 3, 15, 9, 0), "2026-02-01..2026-02-28",
         "15/3/2026: February only, never a backlog of January");
  /* December 2025: 1/1 and 2/1/2026 off, then a weekend: due Monday 5/1. */
  is_due(calendar, month, at(2026, 1, 2, 9, 0), "none", "2/1/2026 is a day off: December waits");
  is_instant(report_schedule_due_at(
                 calendar, report_schedule_period_of(month, civil_days_from_date(2025, 12, 1))),
             at(2026, 1, 5, 7, 0), "December 2025 is due on Monday 5/1/2026 07:00");
  /* January 2025 ends inside Tết (27-31/1), then a weekend. */
  is_instant(report_schedule_due_at(
                 calendar, report_schedule_period_of(month, civil_days_from_date(2025, 1, 1))),
             at(2025, 2, 3, 7, 0), "January 2025 (Tết to its end) is due on Monday 3/2/2025");
  /* April 2026 ends on a holiday (30/4), then 1/5 and a weekend. */
  is_instant(report_schedule_due_at(
                 calendar, report_schedule_period_of(month, civil_days_from_date(2026, 4, 1))),
             at(2026, 5, 4, 7, 0), "April 2026 is due on Monday 4/5/2026");
  /* August 2026 ends on a day off; the next day off is 1/9 and 2/9. */
  is_instant(report_schedule_due_at(
                 calendar, report_schedule_period_of(month, civil_days_from_date(2026, 8, 1))),
             at(2026, 9, 3, 7, 0), "August 2026 is due on Thursday 3/9/2026");
  /* A worked Saturday right after a month's end is its first working day. */
  is_instant(report_schedule_due_at(
                 calendar, report_schedule_period_of(month, civil_days_from_date(2026, 7, 1))),
             at(2026, 8, 1, 7, 0), "July 2026 is due on Saturday 1/8, a (made-up) working day");
  is_instant(report_schedule_due_at(
                 calendar, report_schedule_period_of(month, civil_days_from_date(2026, 9, 1))),
             at(2026, 10, 1, 7, 0), "September 2026 is due on Thursday 1/10/2026");
}

static void test_quarters(const struct calendar *calendar) {
  enum report_period_kind quarter = REPORT_PERIOD_QUARTER;
  is_due(calendar, quarter, at(2026, 1, 2, 12, 0), "none",
         "2/1/2026: the fourth quarter of 2025 waits for Monday 5/1");
  is_due(calendar, quarter, at(2026, 1, 5, 7, 0), "2025-10-01..2025-12-31",
         "5/1/2026 07:00: the fourth quarter of 2025 is due");
  is_due(calendar, quarter, at(2026, 3, 31, 16, 0), "2025-10-01..2025-12-31",
         "and stays due until the first quarter closes");
  is_due(calendar, quarter, at(2026, 4, 1, 7, 0), "2026-01-01..2026-03-31",
         "Wednesday 1/4/2026 07:00: the first quarter is due");
  is_due(calendar, quarter, at(2026, 7, 1, 6, 0), "none", "1/7/2026 06:00: not yet");
}

static void test_next(const struct calendar *calendar) {
  enum report_period_kind month = REPORT_PERIOD_MONTH;
  is_instant(report_schedule_next(calendar, month, at(2026, 2, 1, 10, 0)), at(2026, 2, 2, 7, 0),
             "Sunday 1/2/2026: look again when January is due");
  is_instant(report_schedule_next(calendar, month, at(2026, 2, 2, 7, 0)), at(2026, 3, 2, 7, 0),
             "once January is due: look again when February is");
  is_instant(report_schedule_next(calendar, REPORT_PERIOD_QUARTER, at(2026, 5, 4, 8, 0)),
             at(2026, 7, 1, 7, 0), "the second quarter of 2026: Wednesday 1/7");
}

int main(void) {
  struct calendar *calendar = calendar_2025_2026();
  test_words();
  test_periods();
  test_months(calendar);
  test_quarters(calendar);
  test_next(calendar);
  calendar_free(calendar);
  return tap_finish();
}
