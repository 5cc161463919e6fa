/*
 * Unit tests for core/deadline: every example of PRODUCT.md "Counting time", the boundaries of
 * the working day, weekends, holidays, make-up Saturdays, cut-offs, N = 0, pauses (also across
 * Tết), restarts, calendar-day rolls, a year without an announced schedule (with the shipped
 * rules), and property tests over random requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/civil.h"
#include "core/deadline.h"
#include "core/explanation.h"
#include "rules/rules.h"
#include "tap.h"
#include "test_calendar.h"

/* --- fixtures ----------------------------------------------------------------------------- */

static int64_t day_of(const char *text) {
  struct civil_date date;
  struct error error;
  if (civil_parse_date(text, &date, &error) != STATUS_OK) {
    tap_diagnostic("bad test date %s", text);
    abort();
  }
  return civil_days_from_date(date.year, date.month, date.day);
}

static int64_t instant_of(const char *text) {
  int64_t instant = 0;
  struct error error;
  if (civil_parse_timestamp(text, &instant, &error) != STATUS_OK) {
    tap_diagnostic("bad test timestamp %s: %s", text, error.message);
    abort();
  }
  return instant;
}

struct case_options {
  enum counting_mode counting;
  int cutoff;
  enum supplement_mode supplement;
  const struct pause_interval *pauses;
  size_t pause_count;
};

static const struct case_options HOURS = {COUNTING_HOURS, NO_CUTOFF, SUPPLEMENT_PAUSE, NULL, 0};
static const struct case_options DAYS = {COUNTING_DAYS, NO_CUTOFF, SUPPLEMENT_PAUSE, NULL, 0};

static struct deadline_request make_request(const char *received, const char *duration,
                                            struct case_options options) {
  struct deadline_request request = {0};
  struct error error;
  request.received_at = instant_of(received);
  if (deadline_parse_duration(duration, &request.duration, &error) != STATUS_OK)
    abort();
  request.counting = options.counting;
  request.cutoff = options.cutoff;
  request.supplement = options.supplement;
  request.pauses = options.pauses;
  request.pause_count = options.pause_count;
  return request;
}

/* Checks one deadline against its expected ISO 8601 text. */
static void expect(const struct calendar *calendar, const char *received, const char *duration,
                   struct case_options options, const char *expected, const char *what) {
  struct deadline_request request = make_request(received, duration, options);
  struct deadline_result result;
  struct error error = {0};
  enum status status = deadline_compute(calendar, &request, &result, NULL, &error);
  char text[TIMESTAMP_TEXT_SIZE] = "(failed)";
  if (status == STATUS_OK && !result.stopped)
    civil_format_timestamp(result.deadline, text);
  else if (status != STATUS_OK)
    tap_diagnostic("%s", error.message);
  tap_is_string(text, expected, "%s: %s + %s", what, received, duration);
}

static int with_cutoff(int hour) {
  return hour * 3600;
}

/* --- PRODUCT.md ---------------------------------------------------------------------------- */

static void test_product_examples(const struct calendar *calendar) {
  /* 2025-03-03 is a Monday. */
  expect(calendar, "2025-03-03T10:00", "1wd", HOURS, "2025-03-04T10:00:00+07:00",
         "hours: Monday 10:00 + 1wd is Tuesday 10:00");
  expect(calendar, "2025-03-03T16:00", "1wd", HOURS, "2025-03-04T16:00:00+07:00",
         "hours: Monday 16:00 + 1wd is Tuesday 16:00");
  expect(calendar, "2025-03-03T18:00", "1wd", HOURS, "2025-03-04T17:00:00+07:00",
         "hours: Monday 18:00 + 1wd is Tuesday 17:00");
  expect(calendar, "2025-03-07T10:00", "2wd", HOURS, "2025-03-12T10:00:00+07:00",
         "hours: Friday 10:00 + 2wd before a Monday holiday is Wednesday 10:00");
  expect(calendar, "2025-03-03T10:00", "3wd", DAYS, "2025-03-06T17:00:00+07:00",
         "days: Monday 10:00 + 3wd is Thursday 17:00");
  struct case_options cut = DAYS;
  cut.cutoff = with_cutoff(15);
  expect(calendar, "2025-03-03T16:00", "0wd", cut, "2025-03-04T17:00:00+07:00",
         "days, cut-off 15:00: Monday 16:00 + 0wd is Tuesday 17:00");
}

/* --- the working day's boundaries ---------------------------------------------------------- */

static void test_shift_boundaries(const struct calendar *calendar) {
  expect(calendar, "2025-03-03T07:00", "1wd", HOURS, "2025-03-03T17:00:00+07:00",
         "opening 07:00 + 1wd ends at the same day's closing");
  expect(calendar, "2025-03-03T11:30", "1wd", HOURS, "2025-03-04T11:30:00+07:00",
         "receipt at 11:30 starts at 13:30; 8h land exactly on 11:30 and stay there");
  expect(calendar, "2025-03-03T13:30", "1wd", HOURS, "2025-03-04T11:30:00+07:00",
         "receipt at 13:30 lands on the next 11:30");
  expect(calendar, "2025-03-03T12:15", "1wd", HOURS, "2025-03-04T11:30:00+07:00",
         "receipt in the lunch break counts from 13:30");
  expect(calendar, "2025-03-03T17:00", "1wd", HOURS, "2025-03-04T17:00:00+07:00",
         "receipt at closing 17:00 starts the next morning");
  expect(calendar, "2025-03-03T06:00", "1wd", HOURS, "2025-03-03T17:00:00+07:00",
         "receipt before opening starts at 07:00");
  expect(calendar, "2025-03-03T07:30", "4wh", HOURS, "2025-03-03T11:30:00+07:00",
         "4wh from 07:30 ends at 11:30, not 13:30");
  expect(calendar, "2025-03-03T12:00", "4wh", HOURS, "2025-03-04T07:30:00+07:00",
         "4wh from the lunch break: 3h30 on Monday, 30 minutes on Tuesday");
  expect(calendar, "2025-03-03T16:59", "1wh", HOURS, "2025-03-04T07:59:00+07:00",
         "1wh from 16:59 crosses the night");
  expect(calendar, "2025-03-03T10:00", "9wh", HOURS, "2025-03-04T11:00:00+07:00",
         "9wh from Monday 10:00");
  expect(calendar, "2025-03-03T11:29", "3wd", DAYS, "2025-03-06T17:00:00+07:00",
         "days mode ignores the time of day before closing");
  expect(calendar, "2025-03-03T17:00", "1wd", DAYS, "2025-03-04T17:00:00+07:00",
         "days mode: a receipt exactly at closing still counts that day");
  expect(calendar, "2025-03-03T17:01", "1wd", DAYS, "2025-03-05T17:00:00+07:00",
         "days mode: a receipt after closing counts from the next working day");
}

/* --- weekends, holidays, make-up Saturdays ------------------------------------------------- */

static void test_non_working_receipts(const struct calendar *calendar) {
  expect(calendar, "2025-03-08T10:00", "1wd", HOURS, "2025-03-11T17:00:00+07:00",
         "Saturday receipt before a Monday holiday starts on Tuesday");
  expect(calendar, "2025-03-15T10:00", "1wd", HOURS, "2025-03-17T17:00:00+07:00",
         "Saturday receipt starts Monday 07:00");
  expect(calendar, "2025-03-16T23:59", "3wd", DAYS, "2025-03-20T17:00:00+07:00",
         "days: Sunday receipt makes Monday the effective day");
  expect(calendar, "2025-04-07T09:00", "1wd", HOURS, "2025-04-08T17:00:00+07:00",
         "hours: receipt on Giỗ Tổ starts the next morning");
  expect(calendar, "2025-04-07T09:00", "2wd", DAYS, "2025-04-10T17:00:00+07:00",
         "days: receipt on Giỗ Tổ makes Tuesday the effective day");
  expect(calendar, "2025-04-26T10:00", "1wd", HOURS, "2025-04-28T10:00:00+07:00",
         "a make-up Saturday is worked: 5h on Saturday, 3h on Monday");
  expect(calendar, "2025-04-26T10:00", "1wd", DAYS, "2025-04-28T17:00:00+07:00",
         "days: a make-up Saturday is the effective day");
  expect(calendar, "2025-04-25T10:00", "2wd", DAYS, "2025-04-28T17:00:00+07:00",
         "days: the make-up Saturday counts as a working day");
  expect(calendar, "2025-04-29T10:00", "2wd", DAYS, "2025-05-06T17:00:00+07:00",
         "days: 30/4, 1/5, the swapped 2/5 and the weekend are skipped");
  expect(calendar, "2025-01-24T10:00", "3wd", DAYS, "2025-02-05T17:00:00+07:00",
         "days: Tết 2025 is skipped");
  expect(calendar, "2025-01-24T10:00", "1wd", HOURS, "2025-02-03T10:00:00+07:00",
         "hours: Tết 2025 is skipped");
}

/* --- cut-offs and N = 0 ------------------------------------------------------------------- */

static void test_cutoffs(const struct calendar *calendar) {
  struct case_options hours = HOURS, days = DAYS;
  hours.cutoff = days.cutoff = with_cutoff(15);
  expect(calendar, "2025-03-03T15:00", "1wd", hours, "2025-03-04T15:00:00+07:00",
         "hours: a receipt at exactly the cut-off is not after it");
  expect(calendar, "2025-03-03T15:01", "1wd", hours, "2025-03-04T17:00:00+07:00",
         "hours: after the cut-off the clock starts at the next opening");
  expect(calendar, "2025-03-14T16:00", "1wd", hours, "2025-03-17T17:00:00+07:00",
         "hours: Friday after the cut-off starts on Monday");
  expect(calendar, "2025-03-03T14:59", "0wd", days, "2025-03-03T17:00:00+07:00",
         "days: 0wd before the cut-off is due the same day");
  expect(calendar, "2025-03-07T15:30", "0wd", days, "2025-03-11T17:00:00+07:00",
         "days: 0wd on Friday after the cut-off, Monday holiday: Tuesday");
  expect(calendar, "2025-03-03T15:30", "3wd", days, "2025-03-07T17:00:00+07:00",
         "days: 3wd after the cut-off counts from Tuesday");
  expect(calendar, "2025-03-08T16:00", "0wd", days, "2025-03-11T17:00:00+07:00",
         "days: the cut-off on a non-working day changes nothing");
}

static void test_zero(const struct calendar *calendar) {
  expect(calendar, "2025-03-03T10:00", "0wd", DAYS, "2025-03-03T17:00:00+07:00",
         "days: 0wd is the closing time of the receipt day");
  expect(calendar, "2025-03-03T18:00", "0wd", DAYS, "2025-03-04T17:00:00+07:00",
         "days: 0wd after closing is the next working day, never before receipt");
  expect(calendar, "2025-03-15T10:00", "0wd", DAYS, "2025-03-17T17:00:00+07:00",
         "days: 0wd on Saturday is Monday's closing");
  expect(calendar, "2025-03-03T10:00", "0wd", HOURS, "2025-03-03T17:00:00+07:00",
         "hours: 0wd is the end of the start's working day");
  expect(calendar, "2025-03-03T18:00", "0wd", HOURS, "2025-03-04T17:00:00+07:00",
         "hours: 0wd after closing is the next day's closing");
  expect(calendar, "2025-03-03T10:00", "0wh", HOURS, "2025-03-03T10:00:00+07:00",
         "hours: 0wh is the start itself");
  expect(calendar, "2025-03-03T10:00", "0cd", HOURS, "2025-03-03T17:00:00+07:00",
         "0cd is the closing time of the receipt day");
  expect(calendar, "2025-03-03T18:00", "0cd", HOURS, "2025-03-04T17:00:00+07:00",
         "0cd after closing rolls to the next working day");
  expect(calendar, "2025-03-15T10:00", "0cd", HOURS, "2025-03-17T17:00:00+07:00",
         "0cd on Saturday rolls to Monday");
}

/* --- calendar days ------------------------------------------------------------------------ */

static void test_calendar_days(const struct calendar *calendar) {
  expect(calendar, "2025-03-03T10:00", "4cd", HOURS, "2025-03-07T17:00:00+07:00",
         "4cd from Monday is Friday");
  expect(calendar, "2025-03-03T10:00", "5cd", HOURS, "2025-03-11T17:00:00+07:00",
         "5cd lands on Saturday; the weekend and the Monday holiday roll it to Tuesday");
  expect(calendar, "2025-03-03T18:30", "4cd", DAYS, "2025-03-07T17:00:00+07:00",
         "calendar days ignore the counting mode and the hour");
  expect(calendar, "2025-01-20T10:00", "7cd", HOURS, "2025-02-03T17:00:00+07:00",
         "7cd lands on the first day of Tết and rolls past it and the weekend");
  expect(calendar, "2025-03-09T10:00", "15cd", HOURS, "2025-03-24T17:00:00+07:00",
         "15cd from a Sunday counts from the Sunday");
  struct case_options cut = HOURS;
  cut.cutoff = with_cutoff(15);
  expect(calendar, "2025-03-07T16:00", "4cd", cut, "2025-03-12T17:00:00+07:00",
         "cd after the cut-off counts from the next day");
  expect(calendar, "2025-03-08T10:00", "4cd", cut, "2025-03-12T17:00:00+07:00",
         "cd: a Saturday receipt before the cut-off counts from the Saturday");
}

/* --- pauses and restarts ------------------------------------------------------------------ */

static struct pause_interval pause_of(const char *from, const char *to) {
  return (struct pause_interval){instant_of(from), to == NULL ? PAUSE_OPEN : instant_of(to)};
}

static struct case_options paused(struct case_options options, const struct pause_interval *pauses,
                                  size_t count) {
  options.pauses = pauses;
  options.pause_count = count;
  return options;
}

static void test_pauses(const struct calendar *calendar) {
  struct pause_interval tet[] = {pause_of("2025-01-24T09:00", "2025-02-03T09:00")};
  expect(calendar, "2025-01-23T10:00", "3wd", paused(HOURS, tet, 1), "2025-02-05T10:00:00+07:00",
         "hours: a pause across Tết removes the 8 working hours inside it");
  struct pause_interval tet_days[] = {pause_of("2025-01-23T16:00", "2025-02-04T08:00")};
  expect(calendar, "2025-01-22T10:00", "5wd", paused(DAYS, tet_days, 1),
         "2025-02-10T17:00:00+07:00",
         "days: working days whose closing falls in a pause across Tết do not count");
  struct pause_interval later[] = {pause_of("2025-03-05T08:00", "2025-03-06T08:00")};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(HOURS, later, 1), "2025-03-04T10:00:00+07:00",
         "a pause after the deadline has no effect");
  struct pause_interval before[] = {pause_of("2025-02-24T08:00", "2025-02-25T08:00")};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(HOURS, before, 1), "2025-03-04T10:00:00+07:00",
         "a pause before receipt has no effect");
  struct pause_interval weekend[] = {pause_of("2025-03-08T08:00", "2025-03-09T20:00")};
  expect(calendar, "2025-03-07T10:00", "1wd", paused(HOURS, weekend, 1),
         "2025-03-11T10:00:00+07:00", "hours: a pause over a weekend skips no working time");
  struct pause_interval covering[] = {pause_of("2025-03-03T09:00", "2025-03-03T14:00")};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(HOURS, covering, 1),
         "2025-03-04T14:00:00+07:00", "hours: a pause running at receipt delays the start");
  struct pause_interval overlapping[] = {pause_of("2025-03-04T09:00", "2025-03-04T14:30"),
                                         pause_of("2025-03-04T08:00", "2025-03-04T10:00")};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(HOURS, overlapping, 2),
         "2025-03-04T16:30:00+07:00", "hours: overlapping pauses are merged (4h30 paused)");
  struct pause_interval to_closing[] = {pause_of("2025-03-04T10:00", "2025-03-04T17:00")};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(DAYS, to_closing, 1),
         "2025-03-04T17:00:00+07:00", "days: a pause ending at 17:00 lets that day count");
  struct pause_interval past_closing[] = {pause_of("2025-03-04T10:00", "2025-03-04T17:01")};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(DAYS, past_closing, 1),
         "2025-03-05T17:00:00+07:00", "days: a pause running at 17:00 removes that day");
  struct pause_interval two_days[] = {pause_of("2025-03-04T09:00", "2025-03-05T18:00")};
  expect(calendar, "2025-03-03T10:00", "4cd", paused(HOURS, two_days, 1),
         "2025-03-11T17:00:00+07:00", "cd: two paused closings push 4cd over the weekend");
}

static void expect_stopped(const struct calendar *calendar, const char *received,
                           const char *duration, struct case_options options, int64_t remaining,
                           const char *what) {
  struct deadline_request request = make_request(received, duration, options);
  struct deadline_result result;
  struct error error = {0};
  enum status status = deadline_compute(calendar, &request, &result, NULL, &error);
  tap_ok(status == STATUS_OK && result.stopped, "%s: the clock is stopped", what);
  tap_is_integer(result.remaining_seconds, remaining, "%s: what remains", what);
}

static void test_open_pauses(const struct calendar *calendar) {
  struct pause_interval open[] = {pause_of("2025-03-04T10:00", NULL)};
  expect_stopped(calendar, "2025-03-03T10:00", "3wd", paused(HOURS, open, 1), 16 * 3600,
                 "hours: open pause after 8 of 24 hours");
  struct pause_interval open_days[] = {pause_of("2025-03-05T10:00", NULL)};
  expect_stopped(calendar, "2025-03-03T10:00", "3wd", paused(DAYS, open_days, 1), 2,
                 "days: open pause after 1 of 3 days");
  struct case_options restart = paused(DAYS, open_days, 1);
  restart.supplement = SUPPLEMENT_RESTART;
  expect_stopped(calendar, "2025-03-03T10:00", "3wd", restart, 3,
                 "restart: an open pause keeps the whole duration");
  struct pause_interval late_open[] = {pause_of("2025-03-10T10:00", NULL)};
  expect(calendar, "2025-03-03T10:00", "1wd", paused(HOURS, late_open, 1),
         "2025-03-04T10:00:00+07:00", "an open pause after the deadline changes nothing");
}

static void test_restarts(const struct calendar *calendar) {
  struct pause_interval once[] = {pause_of("2025-03-04T10:00", "2025-03-06T14:00")};
  struct case_options hours = paused(HOURS, once, 1);
  hours.supplement = SUPPLEMENT_RESTART;
  expect(calendar, "2025-03-03T10:00", "3wd", hours, "2025-03-12T14:00:00+07:00",
         "hours restart: 3wd run again from Thursday 14:00");
  struct pause_interval short_pause[] = {pause_of("2025-03-04T09:00", "2025-03-05T10:00")};
  struct case_options days = paused(DAYS, short_pause, 1);
  days.supplement = SUPPLEMENT_RESTART;
  expect(calendar, "2025-03-03T10:00", "3wd", days, "2025-03-11T17:00:00+07:00",
         "days restart: Wednesday becomes the effective receipt day");
  struct pause_interval late[] = {pause_of("2025-03-04T09:00", "2025-03-05T16:00")};
  struct case_options cut = paused(DAYS, late, 1);
  cut.supplement = SUPPLEMENT_RESTART;
  cut.cutoff = with_cutoff(15);
  expect(calendar, "2025-03-03T10:00", "0wd", cut, "2025-03-06T17:00:00+07:00",
         "restart: a resume after the cut-off counts from the next working day");
  struct pause_interval twice[] = {pause_of("2025-03-11T09:00", "2025-03-12T09:00"),
                                   pause_of("2025-03-04T09:00", "2025-03-05T09:00")};
  struct case_options both = paused(DAYS, twice, 2);
  both.supplement = SUPPLEMENT_RESTART;
  expect(calendar, "2025-03-03T10:00", "1wd", both, "2025-03-13T17:00:00+07:00",
         "restart: the last resume is the new receipt");
}

/* --- errors ------------------------------------------------------------------------------- */

static void expect_failure(const struct calendar *calendar, struct deadline_request request,
                           const char *message, const char *what) {
  struct deadline_result result;
  struct error error = {0};
  tap_is_integer(deadline_compute(calendar, &request, &result, NULL, &error), STATUS_INVALID,
                 "%s: refused", what);
  tap_is_string(error.message, message, "%s: message", what);
}

static void expect_parse_failure(const char *text, const char *message) {
  struct duration duration;
  struct error error = {0};
  tap_is_integer(deadline_parse_duration(text, &duration, &error), STATUS_INVALID,
                 "'%s' is not a duration", text);
  tap_is_string(error.message, message, "'%s': message", text);
}

static void test_errors(const struct calendar *calendar) {
  struct pause_interval backwards[] = {pause_of("2025-03-05T10:00", "2025-03-04T10:00")};
  expect_failure(calendar, make_request("2025-03-03T10:00", "1wd", paused(HOURS, backwards, 1)),
                 "the pause 2025-03-05T10:00:00+07:00/2025-03-04T10:00:00+07:00 ends before it "
                 "starts",
                 "a backwards pause");
  struct deadline_request negative = make_request("2025-03-03T10:00", "1wd", HOURS);
  negative.duration.amount = -1;
  expect_failure(calendar, negative, "the duration is negative (-1wd)", "a negative duration");
  struct deadline_request huge = make_request("2025-03-03T10:00", "1wd", HOURS);
  huge.duration.amount = 5000;
  expect_failure(calendar, huge, "the duration 5000wd is too long (at most 3650wd)",
                 "an absurd duration");
  expect_failure(calendar, make_request("1899-12-31T10:00", "1wd", HOURS),
                 "the receipt 1899-12-31T10:00:00+07:00 is outside the calendar (1900 to 2199)",
                 "a receipt before the calendar");
  expect_failure(calendar, make_request("2199-06-02T10:00", "3650wd", DAYS),
                 "the deadline falls after the calendar's last day (2199-12-31)",
                 "a deadline beyond the calendar");

  struct duration duration = {0, UNIT_CALENDAR_DAYS};
  struct error error = {0};
  tap_is_integer(deadline_parse_duration("16wh", &duration, &error), STATUS_OK, "16wh parses");
  tap_ok(duration.amount == 16 && duration.unit == UNIT_WORKING_HOURS, "16wh is 16 hours");
  tap_is_integer(deadline_parse_duration("3650wd", &duration, &error), STATUS_OK,
                 "3650wd is the longest accepted");
  tap_is_integer(deadline_parse_duration("29200wh", &duration, &error), STATUS_OK,
                 "29200wh is the longest accepted in hours");
  char text[DEADLINE_DURATION_TEXT_SIZE];
  deadline_format_duration(&(struct duration){30, UNIT_CALENDAR_DAYS}, text);
  tap_is_string(text, "30cd", "a duration formats back");
  expect_parse_failure("-3wd", "duration '-3wd' is negative");
  expect_parse_failure("3651wd", "duration '3651wd' is too long (at most 3650wd)");
  expect_parse_failure("29201wh", "duration '29201wh' is too long (at most 29200wh)");
  expect_parse_failure("99999999999cd", "duration '99999999999cd' is too long (at most 3650cd)");
  static const char *const not_durations[] = {"3", "wd", "3 wd", "3WD", "3wdx", "", "+3wd"};
  for (size_t i = 0; i < sizeof not_durations / sizeof not_durations[0]; i++) {
    char message[256];
    snprintf(message, sizeof message,
             "'%s' is not a duration: expected a number followed by wd (working days), wh "
             "(working hours) or cd (calendar days), such as 3wd",
             not_durations[i]);
    expect_parse_failure(not_durations[i], message);
  }
}

/* --- explanation -------------------------------------------------------------------------- */

static char *explain(const struct calendar *calendar, struct deadline_request request) {
  struct explanation explanation;
  explanation_init(&explanation);
  struct deadline_result result;
  struct error error = {0};
  if (deadline_compute(calendar, &request, &result, &explanation, &error) != STATUS_OK)
    tap_diagnostic("%s", error.message);
  size_t size = 1;
  for (size_t i = 0; i < explanation.count; i++)
    size += strlen(explanation.lines[i]) + 1;
  char *text = calloc(size, 1);
  for (size_t i = 0; text != NULL && i < explanation.count; i++) {
    strcat(text, explanation.lines[i]);
    strcat(text, "\n");
  }
  explanation_free(&explanation);
  return text;
}

static void test_explanation(const struct calendar *calendar) {
  char *text = explain(calendar, make_request("2025-01-24T10:00", "3wd", DAYS));
  tap_contains(text, "received 2025-01-24T10:00:00+07:00 (Friday)\n", "explains the receipt");
  tap_contains(text, "duration 3wd, counting days, cut-off none, supplement pause\n",
               "explains the rule applied");
  tap_contains(text,
               "effective receipt day 2025-01-24 (Friday): received at 10:00 on a working "
               "day\n",
               "explains the effective receipt day");
  tap_contains(text, "skipped 2025-01-25 (Saturday): Saturday\n", "explains a weekend day");
  tap_contains(text, "skipped 2025-01-27 (Monday): Tết Nguyên Đán\n",
               "explains a holiday with the calendar's reason");
  tap_contains(text, "skipped 2025-01-31 (Friday): Tết Nguyên Đán\n", "explains every day");
  tap_contains(text, "result: 2025-02-05T17:00:00+07:00 (Wednesday)\n", "explains the result");
  free(text);

  struct case_options cut = HOURS;
  cut.cutoff = with_cutoff(15);
  text = explain(calendar, make_request("2025-03-03T15:30", "1wd", cut));
  tap_contains(text,
               "clock starts 2025-03-04T07:00:00+07:00 (Tuesday): received at 15:30, "
               "after the cut-off 15:00, counts as received at the next opening\n",
               "explains the cut-off");
  free(text);
  text = explain(calendar, make_request("2025-04-07T09:00", "1wd", HOURS));
  tap_contains(text,
               "clock starts 2025-04-08T07:00:00+07:00 (Tuesday): received on a "
               "non-working day (Giỗ Tổ Hùng Vương)\n",
               "explains a receipt on a holiday");
  free(text);
  text = explain(calendar, make_request("2025-03-03T18:00", "1wd", HOURS));
  tap_contains(text, "received at 18:00, outside working hours\n",
               "explains a receipt outside hours");
  free(text);

  struct pause_interval tet[] = {pause_of("2025-01-24T09:00", "2025-02-03T09:00")};
  text = explain(calendar, make_request("2025-01-23T10:00", "3wd", paused(HOURS, tet, 1)));
  tap_contains(text,
               "pause 2025-01-24T09:00:00+07:00 (Friday) to 2025-02-03T09:00:00+07:00 "
               "(Monday): 8h of working time not counted\n",
               "explains a pause");
  free(text);
  struct pause_interval once[] = {pause_of("2025-03-04T10:00", "2025-03-06T14:00")};
  struct case_options restart = paused(HOURS, once, 1);
  restart.supplement = SUPPLEMENT_RESTART;
  text = explain(calendar, make_request("2025-03-03T10:00", "3wd", restart));
  tap_contains(text,
               "(Thursday): supplement restart, the whole duration starts again from the "
               "resume, as for a new receipt\n",
               "explains a restart");
  tap_contains(text, "skipped 2025-03-10 (Monday): test holiday\n",
               "explains the days skipped after a restart");
  free(text);
  text = explain(calendar, make_request("2025-03-03T10:00", "5cd", HOURS));
  tap_contains(text,
               "2025-03-08 (Saturday) is not a working day (Saturday): the deadline moves "
               "to the next working day\n",
               "explains a calendar-day roll");
  free(text);
}

/* --- the shipped rules -------------------------------------------------------------------- */

static void test_shipped_rules(void) {
  const char *directory = getenv("DUNGHEN_RULES");
  if (directory == NULL) {
    tap_ok(false, "DUNGHEN_RULES is set (meson sets it)");
    return;
  }
  struct rules *rules = NULL;
  struct error error = {0};
  if (rules_load(directory, day_of("2025-06-01"), &rules, &error) != STATUS_OK) {
    tap_ok(false, "the shipped rules load: %s", error.message);
    return;
  }
  const struct calendar *calendar = rules->calendar;
  expect(calendar, "2025-01-24T10:00", "3wd", DAYS, "2025-02-05T17:00:00+07:00",
         "shipped 2025: Tết 27-31/1 is skipped");
  expect(calendar, "2024-05-03T10:00", "1wd", HOURS, "2024-05-04T10:00:00+07:00",
         "shipped 2024: the make-up Saturday 4/5 is worked");
  expect(calendar, "2026-02-13T10:00", "1wd", HOURS, "2026-02-23T10:00:00+07:00",
         "shipped 2026: Tết 16-20/2 is skipped");
  expect(calendar, "2026-01-09T10:00", "1wd", DAYS, "2026-01-10T17:00:00+07:00",
         "shipped 2026: Saturday 10/1 is a make-up working day");
  /* 2030 has no announced schedule: Tết (2/2/2030 in Vietnam, 3/2 in China) falls back on the
   * statutory rule, the day before and four after (1-5/2), and the two that fall on the
   * weekend give compensatory days (6-7/2). */
  expect(calendar, "2030-01-31T10:00", "1wd", HOURS, "2030-02-08T10:00:00+07:00",
         "2030 without announcement: statutory Tết and its compensatory days are skipped");
  expect(calendar, "2030-01-31T10:00", "1wd", DAYS, "2030-02-08T17:00:00+07:00",
         "2030 without announcement, days mode");
  char *text = explain(calendar, make_request("2030-01-31T10:00", "1wd", DAYS));
  tap_contains(text, "skipped 2030-02-04 (Monday): Tết Nguyên Đán",
               "2030: the explanation "
               "names Tết");
  tap_contains(text, "skipped 2030-02-06 (Wednesday): compensatory day off for Tết",
               "2030: the explanation names the compensatory day");
  free(text);
  rules_free(rules);
}

/* --- properties --------------------------------------------------------------------------- */

/* A small deterministic generator (xorshift64*), local to the test. */
static uint64_t next_random(uint64_t *state) {
  *state ^= *state >> 12;
  *state ^= *state << 25;
  *state ^= *state >> 27;
  return *state * 2685821657736338717ULL;
}

static int64_t random_below(uint64_t *state, int64_t bound) {
  return (int64_t)(next_random(state) % (uint64_t)bound);
}

static bool compute(const struct calendar *calendar, const struct deadline_request *request,
                    struct deadline_result *result) {
  struct error error = {0};
  if (deadline_compute(calendar, request, result, NULL, &error) != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return false;
  }
  return !result->stopped;
}

static struct deadline_request random_request(uint64_t *state, int64_t first, int64_t span) {
  static const enum duration_unit units[] = {UNIT_WORKING_DAYS, UNIT_WORKING_HOURS,
                                             UNIT_CALENDAR_DAYS};
  struct deadline_request request = {0};
  request.received_at = first + random_below(state, span);
  request.duration.unit = units[random_below(state, 3)];
  request.duration.amount = random_below(state, 60);
  request.counting = random_below(state, 2) ? COUNTING_DAYS : COUNTING_HOURS;
  request.cutoff = random_below(state, 2) ? NO_CUTOFF : 15 * 3600;
  request.supplement = SUPPLEMENT_PAUSE;
  return request;
}

static void test_properties(const struct calendar *calendar) {
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  int64_t first = instant_of("2024-06-01T00:00"), span = 2 * 365 * SECONDS_PER_DAY;
  int failures[6] = {0, 0, 0, 0, 0, 0};
  enum { ROUNDS = 20000 };
  for (int round = 0; round < ROUNDS; round++) {
    struct deadline_request request = random_request(&state, first, span);
    struct deadline_result result, other;
    if (!compute(calendar, &request, &result)) {
      failures[0]++;
      continue;
    }
    if (result.deadline < request.received_at)
      failures[0]++;
    struct deadline_request longer = request;
    longer.duration.amount++;
    if (!compute(calendar, &longer, &other) || other.deadline < result.deadline)
      failures[1]++;
    struct deadline_request later = request;
    later.received_at += random_below(&state, 3 * SECONDS_PER_DAY);
    if (!compute(calendar, &later, &other) || other.deadline < result.deadline) {
      if (failures[2]++ < 5) {
        char a[TIMESTAMP_TEXT_SIZE], b[TIMESTAMP_TEXT_SIZE], c[TIMESTAMP_TEXT_SIZE],
            d[TIMESTAMP_TEXT_SIZE];
        civil_format_timestamp(request.received_at, a);
        civil_format_timestamp(later.received_at, b);
        civil_format_timestamp(result.deadline, c);
        civil_format_timestamp(other.deadline, d);
        tap_diagnostic("%s -> %s but %s -> %s (%lld%s %s cutoff %d)", a, c, b, d,
                       (long long)request.duration.amount,
                       duration_unit_name(request.duration.unit),
                       counting_mode_name(request.counting), request.cutoff);
      }
    }
    /* Adding then counting gives N back. */
    int64_t start_day = civil_local_day(result.effective_start);
    int64_t end_day = civil_local_day(result.deadline);
    bool hours = request.duration.unit == UNIT_WORKING_HOURS ||
                 (request.duration.unit == UNIT_WORKING_DAYS && request.counting == COUNTING_HOURS);
    if (hours && request.duration.amount > 0) {
      int64_t seconds =
          calendar_working_seconds_between(calendar, result.effective_start, result.deadline);
      int64_t unit = request.duration.unit == UNIT_WORKING_HOURS ? 3600 : 8 * 3600;
      if (seconds != request.duration.amount * unit)
        failures[3]++;
    } else if (request.duration.unit == UNIT_WORKING_DAYS) {
      if (calendar_count_working_days(calendar, start_day, end_day) != request.duration.amount)
        failures[3]++;
    }
    if (!calendar_is_working_day(calendar, end_day))
      failures[4]++;
    /* A pause never brings a deadline forward. */
    struct pause_interval pause = {request.received_at + random_below(&state, 20 * 86400), 0};
    pause.to = pause.from + random_below(&state, 10 * 86400);
    struct deadline_request with_pause = request;
    with_pause.pauses = &pause;
    with_pause.pause_count = 1;
    if (!compute(calendar, &with_pause, &other) || other.deadline < result.deadline)
      failures[5]++;
  }
  tap_is_integer(failures[0], 0, "%d random deadlines: never before the receipt", ROUNDS);
  tap_is_integer(failures[1], 0, "%d random deadlines: monotone in N", ROUNDS);
  tap_is_integer(failures[2], 0, "%d random deadlines: monotone in the receipt instant", ROUNDS);
  tap_is_integer(failures[3], 0, "%d random deadlines: counting the result gives N back", ROUNDS);
  tap_is_integer(failures[4], 0, "%d random deadlines: every deadline falls on a working day",
                 ROUNDS);
  tap_is_integer(failures[5], 0, "%d random deadlines: a pause never shortens a deadline", ROUNDS);
}

/* --- the caller's translation (core/translation.h), without gettext ---------------------- */

/* A small "language": three messages and a weekday, and the plural's count shown. */
static const char *test_text(const char *message) {
  if (strcmp(message, "skipped %s: %s") == 0)
    return "SKIP %s -- %s";
  if (strcmp(message, "result: %s") == 0)
    return "RESULT %s";
  if (strcmp(message, "%lldrd") == 0)
    return "no. %lld";
  if (strcmp(message, "Saturday") == 0)
    return "Sat";
  return message;
}

static const char *test_plural(const char *singular, const char *plural, unsigned long count) {
  (void)singular;
  (void)plural;
  return count == 1 ? "ONE MORE (%zu)" : "MORE (%zu)";
}

static void test_translation(const struct calendar *calendar) {
  static const struct translation translation = {test_text, test_plural};
  struct explanation explanation;
  explanation_init(&explanation);
  explanation.translation = &translation;
  struct deadline_result result;
  struct error error = {0};
  struct deadline_request request = make_request("2025-01-24T10:00", "3wd", DAYS);
  tap_is_integer(deadline_compute(calendar, &request, &result, &explanation, &error), STATUS_OK,
                 "translated: the deadline is computed");
  size_t size = 1;
  for (size_t i = 0; i < explanation.count; i++)
    size += strlen(explanation.lines[i]) + 1;
  char *text = calloc(size, 1);
  for (size_t i = 0; text != NULL && i < explanation.count; i++) {
    strcat(text, explanation.lines[i]);
    strcat(text, "\n");
  }
  tap_contains(text, "SKIP 2025-01-25 (Sat) -- Sat\n",
               "translated: the line's format, the weekday and a weekly rest day's reason");
  tap_contains(text, "SKIP 2025-01-27 (Monday) -- Tết Nguyên Đán\n",
               "translated: the calendar's own reason is left as the rules gave it");
  tap_contains(text, "the closing time of the no. 3 working day after it\n",
               "translated: the ordinal is a message of its own");
  tap_contains(text, "RESULT 2025-02-05T17:00:00+07:00 (Wednesday)\n",
               "translated: the result line");
  tap_ok(strstr(text, "skipped") == NULL, "translated: no line left in English");
  free(text);
  explanation_free(&explanation);

  explanation_init(&explanation);
  explanation.translation = &translation;
  explanation_count(&explanation, "%zu day", "%zu days", 1, (size_t)1);
  explanation_count(&explanation, "%zu day", "%zu days", 7, (size_t)7);
  tap_ok(explanation.count == 2 && strcmp(explanation.lines[0], "ONE MORE (1)") == 0 &&
             strcmp(explanation.lines[1], "MORE (7)") == 0,
         "translated: the plural form is the translation's, by count");
  explanation_free(&explanation);

  explanation_init(&explanation);
  explanation_count(&explanation, "%zu day", "%zu days", 1, (size_t)1);
  explanation_count(&explanation, "%zu day", "%zu days", 7, (size_t)7);
  tap_ok(explanation.count == 2 && strcmp(explanation.lines[0], "1 day") == 0 &&
             strcmp(explanation.lines[1], "7 days") == 0,
         "untranslated: English singular and plural");
  explanation_free(&explanation);
}

int main(void) {
  struct calendar *calendar = test_calendar_2025();
  test_product_examples(calendar);
  test_shift_boundaries(calendar);
  test_non_working_receipts(calendar);
  test_cutoffs(calendar);
  test_zero(calendar);
  test_calendar_days(calendar);
  test_pauses(calendar);
  test_open_pauses(calendar);
  test_restarts(calendar);
  test_errors(calendar);
  test_explanation(calendar);
  test_translation(calendar);
  test_properties(calendar);
  calendar_free(calendar);
  test_shipped_rules();
  return tap_finish();
}
