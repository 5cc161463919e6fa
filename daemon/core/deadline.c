/*
 * deadline.c: statutory deadlines as PRODUCT.md "Counting time" specifies (see deadline.h).
 *
 * Three ways of counting, chosen by the unit and the counting mode:
 *   working hours  (`wh`, or `wd` in hours mode): the clock runs through working hours only,
 *                  from receipt (or the next opening) until N x the working day (wd) or N hours
 *                  (wh) have elapsed; pauses remove the working time inside them.
 *   working days   (`wd` in days mode): the closing time of the N-th working day after the
 *                  effective receipt day; a day counts only if the clock runs at its closing.
 *   calendar days  (`cd`): the closing time of the N-th day after receipt, moved to the next
 *                  working day when that day is not worked.
 * `restart` pauses replace the receipt by the last resume instant before any counting. Only the
 * calendar API (core/calendar.h) is used, so every step is O(1) per pause.
 */
#include "core/deadline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/explanation.h"

enum { SKIPPED_DAYS_LISTED = 400, DAY_TEXT_SIZE = 64 };

/* English here, translated where a line is written (explanation_word). */
static const char *const weekday_names[7] = {TRANSLATABLE("Monday"),    TRANSLATABLE("Tuesday"),
                                             TRANSLATABLE("Wednesday"), TRANSLATABLE("Thursday"),
                                             TRANSLATABLE("Friday"),    TRANSLATABLE("Saturday"),
                                             TRANSLATABLE("Sunday")};

/* What every step needs: the calendar, the request and where the explanation goes. */
struct context {
  const struct calendar *calendar;
  const struct deadline_request *request;
  struct explanation *explanation;
  struct pause_interval *pauses; /* sorted by start, merged, only those that matter */
  size_t pause_count;
  int opening;             /* first opening of a working day */
  int closing;             /* last closing of a working day */
  int64_t seconds_per_day; /* working seconds of one working day */
};

const char *counting_mode_name(enum counting_mode counting) {
  return counting == COUNTING_DAYS ? "days" : "hours";
}

const char *supplement_mode_name(enum supplement_mode supplement) {
  return supplement == SUPPLEMENT_RESTART ? "restart" : "pause";
}

const char *duration_unit_name(enum duration_unit unit) {
  switch (unit) {
  case UNIT_WORKING_DAYS:
    return "wd";
  case UNIT_WORKING_HOURS:
    return "wh";
  case UNIT_CALENDAR_DAYS:
    return "cd";
  }
  return "?";
}

void deadline_format_duration(const struct duration *duration, char *buffer) {
  snprintf(buffer, DEADLINE_DURATION_TEXT_SIZE, "%lld%s", (long long)duration->amount,
           duration_unit_name(duration->unit));
}

static int64_t maximum_amount(enum duration_unit unit) {
  return unit == UNIT_WORKING_HOURS ? DEADLINE_MAX_DAYS * 8LL : DEADLINE_MAX_DAYS;
}

enum status deadline_parse_duration(const char *text, struct duration *duration,
                                    struct error *error) {
  if (text[0] == '-' && isdigit((unsigned char)text[1]))
    return error_set(error, STATUS_INVALID, "duration '%s' is negative", text);
  size_t digits = strspn(text, "0123456789");
  int unit = -1;
  for (int candidate = UNIT_WORKING_DAYS; candidate <= UNIT_CALENDAR_DAYS && digits > 0;
       candidate++)
    if (strcmp(text + digits, duration_unit_name((enum duration_unit)candidate)) == 0)
      unit = candidate;
  if (unit < 0)
    return error_set(error, STATUS_INVALID,
                     "'%s' is not a duration: expected a number followed by wd (working days), "
                     "wh (working hours) or cd (calendar days), such as 3wd",
                     text);
  /* More than nine digits is beyond any cap; strtoll would only be asked to overflow. */
  long long amount = digits > 9 ? -1 : strtoll(text, NULL, 10);
  int64_t maximum = maximum_amount((enum duration_unit)unit);
  if (amount < 0 || amount > maximum)
    return error_set(error, STATUS_INVALID, "duration '%s' is too long (at most %lld%s)", text,
                     (long long)maximum, duration_unit_name((enum duration_unit)unit));
  duration->amount = amount;
  duration->unit = (enum duration_unit)unit;
  return STATUS_OK;
}

/* --- text for the explanation ------------------------------------------------------------- */

static void format_instant(const struct explanation *explanation, int64_t instant,
                           char buffer[DAY_TEXT_SIZE]) {
  char timestamp[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(instant, timestamp);
  snprintf(buffer, DAY_TEXT_SIZE, "%s (%s)", timestamp,
           explanation_word(explanation, weekday_names[civil_weekday(civil_local_day(instant))]));
}

static void format_day(const struct explanation *explanation, int64_t day,
                       char buffer[DAY_TEXT_SIZE]) {
  char date[16];
  civil_format_date(day, date, sizeof date);
  snprintf(buffer, DAY_TEXT_SIZE, "%s (%s)", date,
           explanation_word(explanation, weekday_names[civil_weekday(day)]));
}

static void format_clock(int second_of_day, char buffer[8]) {
  snprintf(buffer, 8, "%02d:%02d", second_of_day / 3600 % 100, second_of_day / 60 % 60);
}

static void format_working_time(int64_t seconds, char buffer[32]) {
  if (seconds % 3600 == 0)
    snprintf(buffer, 32, "%lldh", (long long)(seconds / 3600));
  else if (seconds % 60 == 0)
    snprintf(buffer, 32, "%lldh%02lldm", (long long)(seconds / 3600),
             (long long)(seconds / 60 % 60));
  else
    snprintf(buffer, 32, "%llds", (long long)seconds);
}

/* "3rd": a whole message, since languages put the number elsewhere ("thứ 3"). */
static void format_ordinal(const struct explanation *explanation, int64_t n, char buffer[32]) {
  long long number = (long long)n;
  /* The four forms may read the same in a language without suffixes ("thứ %lld"). */
  if (n % 100 >= 11 && n % 100 <= 13)
    /* TRANSLATORS: an ordinal number ("11th"), as in "the closing time of the 11th working
       day"; "%lldst", "%lldnd" and "%lldrd" are its other English forms. */
    snprintf(buffer, 32, explanation_word(explanation, "%lldth"), number);
  else if (n % 10 == 1)
    snprintf(buffer, 32, explanation_word(explanation, "%lldst"), number);
  else if (n % 10 == 2)
    snprintf(buffer, 32, explanation_word(explanation, "%lldnd"), number);
  else if (n % 10 == 3)
    snprintf(buffer, 32, explanation_word(explanation, "%lldrd"), number);
  else
    snprintf(buffer, 32, explanation_word(explanation, "%lldth"), number);
}

/* The calendar's reason: the rules' text (translated when they were loaded) or the weekday of a
 * weekly rest day, which is translated here. */
static const char *day_reason(const struct explanation *explanation,
                              const struct calendar *calendar, int64_t day) {
  const char *reason = calendar_reason(calendar, day);
  return explanation_word(explanation, reason != NULL ? reason : "not a working day");
}

void deadline_explain_days_off(const struct calendar *calendar, int64_t first, int64_t last,
                               struct explanation *explanation) {
  if (explanation == NULL)
    return;
  size_t listed = 0, more = 0;
  for (int64_t day = first; day <= last; day++) {
    if (calendar_is_working_day(calendar, day))
      continue;
    if (listed == SKIPPED_DAYS_LISTED) {
      more++;
      continue;
    }
    char text[DAY_TEXT_SIZE];
    format_day(explanation, day, text);
    explanation_add(explanation, "skipped %s: %s", text, day_reason(explanation, calendar, day));
    listed++;
  }
  if (more > 0)
    explanation_count(explanation, "... and %zu more non-working day",
                      "... and %zu more non-working days", more, more);
}

static void explain_skipped_days(const struct context *context, int64_t first, int64_t last) {
  deadline_explain_days_off(context->calendar, first, last, context->explanation);
}

/* --- validation and pauses ---------------------------------------------------------------- */

static enum status out_of_range(const struct context *context, struct error *error) {
  char last[16];
  civil_format_date(calendar_last_day(context->calendar), last, sizeof last);
  return error_set(error, STATUS_INVALID, "the deadline falls after the calendar's last day (%s)",
                   last);
}

static enum status check_request(const struct calendar *calendar,
                                 const struct deadline_request *request, struct error *error) {
  const struct duration *duration = &request->duration;
  if (duration->unit != UNIT_WORKING_DAYS && duration->unit != UNIT_WORKING_HOURS &&
      duration->unit != UNIT_CALENDAR_DAYS)
    return error_set(error, STATUS_INVALID, "unknown duration unit %d", (int)duration->unit);
  if (duration->amount < 0)
    return error_set(error, STATUS_INVALID, "the duration is negative (%lld%s)",
                     (long long)duration->amount, duration_unit_name(duration->unit));
  if (duration->amount > maximum_amount(duration->unit))
    return error_set(error, STATUS_INVALID, "the duration %lld%s is too long (at most %lld%s)",
                     (long long)duration->amount, duration_unit_name(duration->unit),
                     (long long)maximum_amount(duration->unit), duration_unit_name(duration->unit));
  if (request->counting != COUNTING_HOURS && request->counting != COUNTING_DAYS)
    return error_set(error, STATUS_INVALID, "unknown counting mode %d", (int)request->counting);
  if (request->cutoff != NO_CUTOFF && (request->cutoff < 0 || request->cutoff > SECONDS_PER_DAY))
    return error_set(error, STATUS_INVALID, "the cut-off %d is not a time of day", request->cutoff);
  int64_t day = civil_local_day(request->received_at);
  /* The last day is kept free so that "the next day" of any receipt is still covered. */
  if (day < calendar_first_day(calendar) || day >= calendar_last_day(calendar)) {
    char timestamp[TIMESTAMP_TEXT_SIZE];
    civil_format_timestamp(request->received_at, timestamp);
    return error_set(error, STATUS_INVALID, "the receipt %s is outside the calendar (%d to %d)",
                     timestamp, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
  }
  for (size_t i = 0; i < request->pause_count; i++) {
    const struct pause_interval *pause = &request->pauses[i];
    if (pause->to < pause->from) {
      char from[TIMESTAMP_TEXT_SIZE], to[TIMESTAMP_TEXT_SIZE];
      civil_format_timestamp(pause->from, from);
      civil_format_timestamp(pause->to, to);
      return error_set(error, STATUS_INVALID, "the pause %s/%s ends before it starts", from, to);
    }
  }
  return STATUS_OK;
}

static int compare_pauses(const void *left, const void *right) {
  const struct pause_interval *a = left, *b = right;
  if (a->from != b->from)
    return a->from < b->from ? -1 : 1;
  return (a->to > b->to) - (a->to < b->to);
}

/* Keeps the pauses that end after `start`, sorted and merged (overlapping or touching). */
static enum status prepare_pauses(struct context *context, int64_t start, struct error *error) {
  const struct deadline_request *request = context->request;
  context->pauses = NULL;
  context->pause_count = 0;
  if (request->pause_count == 0)
    return STATUS_OK;
  struct pause_interval *pauses = malloc(request->pause_count * sizeof *pauses);
  if (pauses == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  size_t count = 0;
  for (size_t i = 0; i < request->pause_count; i++)
    if (request->pauses[i].to > start && request->pauses[i].to > request->pauses[i].from)
      pauses[count++] = request->pauses[i];
  qsort(pauses, count, sizeof *pauses, compare_pauses);
  size_t merged = 0;
  for (size_t i = 0; i < count; i++) {
    if (merged > 0 && pauses[i].from <= pauses[merged - 1].to) {
      if (pauses[i].to > pauses[merged - 1].to)
        pauses[merged - 1].to = pauses[i].to;
      continue;
    }
    pauses[merged++] = pauses[i];
  }
  context->pauses = pauses;
  context->pause_count = merged;
  return STATUS_OK;
}

static void explain_pause_span(const struct context *context, const struct pause_interval *pause,
                               char buffer[2 * DAY_TEXT_SIZE + 8]) {
  char from[DAY_TEXT_SIZE], to[DAY_TEXT_SIZE];
  format_instant(context->explanation, pause->from, from);
  if (pause->to == PAUSE_OPEN)
    snprintf(to, sizeof to, "%s", explanation_word(context->explanation, "(not resumed yet)"));
  else
    format_instant(context->explanation, pause->to, to);
  snprintf(buffer, 2 * DAY_TEXT_SIZE + 8, explanation_word(context->explanation, "%s to %s"), from,
           to);
}

/* --- restart ------------------------------------------------------------------------------ */

/* With `restart`, the last resume replaces the receipt; an open pause stops the clock. Returns
 * false when the clock is stopped. */
static bool apply_restarts(struct context *context, int64_t *receipt) {
  for (size_t i = 0; i < context->pause_count; i++) {
    char span[2 * DAY_TEXT_SIZE + 8];
    explain_pause_span(context, &context->pauses[i], span);
    if (context->pauses[i].to == PAUSE_OPEN) {
      explanation_add(context->explanation,
                      "pause %s: the clock is stopped; the whole duration restarts when it ends",
                      span);
      return false;
    }
    explanation_add(context->explanation,
                    "pause %s: supplement restart, the whole duration starts again from the "
                    "resume, as for a new receipt",
                    span);
    *receipt = context->pauses[i].to;
  }
  context->pause_count = 0; /* every pause is behind the new receipt */
  return true;
}

/* --- working hours ------------------------------------------------------------------------ */

static int64_t hours_start(const struct context *context, int64_t receipt) {
  const struct calendar *calendar = context->calendar;
  int64_t day = civil_local_day(receipt);
  int second = civil_local_second_of_day(receipt);
  int cutoff = context->request->cutoff;
  char clock[8], cutoff_text[8], start_text[DAY_TEXT_SIZE];
  format_clock(second, clock);
  if (cutoff != NO_CUTOFF && second > cutoff && calendar_is_working_day(calendar, day)) {
    int64_t start = calendar_next_opening(calendar, civil_instant_from_local(day + 1, 0));
    if (start >= 0) {
      format_clock(cutoff, cutoff_text);
      format_instant(context->explanation, start, start_text);
      explanation_add(context->explanation,
                      "clock starts %s: received at %s, after the cut-off %s, counts as "
                      "received at the next opening",
                      start_text, clock, cutoff_text);
      explain_skipped_days(context, day + 1, civil_local_day(start) - 1);
    }
    return start;
  }
  int64_t start = calendar_next_opening(calendar, receipt);
  if (start < 0)
    return start;
  format_instant(context->explanation, start, start_text);
  if (start == receipt)
    explanation_add(context->explanation, "clock starts %s: received during working hours",
                    start_text);
  else if (!calendar_is_working_day(calendar, day))
    explanation_add(context->explanation, "clock starts %s: received on a non-working day (%s)",
                    start_text, day_reason(context->explanation, calendar, day));
  else
    explanation_add(context->explanation, "clock starts %s: received at %s, outside working hours",
                    start_text, clock);
  explain_skipped_days(context, day + 1, civil_local_day(start) - 1);
  return start;
}

/* Working seconds in [from, to) outside the pauses: what the clock counted there. */
static int64_t counted_seconds(const struct context *context, int64_t from, int64_t to) {
  int64_t seconds = calendar_working_seconds_between(context->calendar, from, to);
  for (size_t i = 0; i < context->pause_count; i++) {
    const struct pause_interval *pause = &context->pauses[i];
    int64_t a = pause->from > from ? pause->from : from;
    int64_t b = pause->to < to ? pause->to : to;
    if (a < b)
      seconds -= calendar_working_seconds_between(context->calendar, a, b);
  }
  return seconds;
}

/* One line per working day of an hours-mode count: the working time counted on it. */
static void explain_hours_per_day(const struct context *context, int64_t start, int64_t deadline) {
  if (context->explanation == NULL)
    return;
  int64_t total = 0;
  size_t listed = 0, more = 0;
  for (int64_t day = civil_local_day(start); day <= civil_local_day(deadline); day++) {
    int64_t from = civil_instant_from_local(day, 0), to = civil_instant_from_local(day + 1, 0);
    int64_t seconds =
        counted_seconds(context, from > start ? from : start, to < deadline ? to : deadline);
    if (seconds <= 0)
      continue;
    total += seconds;
    if (listed == SKIPPED_DAYS_LISTED) {
      more++;
      continue;
    }
    char text[DAY_TEXT_SIZE], amount[32], sum[32];
    format_day(context->explanation, day, text);
    format_working_time(seconds, amount);
    format_working_time(total, sum);
    explanation_add(context->explanation, "counted on %s: %s (%s in all)", text, amount, sum);
    listed++;
  }
  if (more > 0)
    explanation_count(context->explanation, "... and %zu more working day counted",
                      "... and %zu more working days counted", more, more);
}

/* Runs `total` working seconds from `start`, skipping the working time inside pauses. */
static enum status run_hours(struct context *context, int64_t start, int64_t total,
                             struct deadline_result *result, struct error *error) {
  const struct calendar *calendar = context->calendar;
  int64_t cursor = start, remaining = total;
  for (size_t i = 0; i < context->pause_count; i++) {
    const struct pause_interval *pause = &context->pauses[i];
    char span[2 * DAY_TEXT_SIZE + 8], amount[32];
    explain_pause_span(context, pause, span);
    if (pause->from > cursor) {
      int64_t available = calendar_working_seconds_between(calendar, cursor, pause->from);
      if (available >= remaining) {
        explanation_add(context->explanation, "pause %s: after the deadline, no effect", span);
        continue;
      }
      remaining -= available;
    }
    if (pause->to == PAUSE_OPEN) {
      format_working_time(remaining, amount);
      explanation_add(context->explanation,
                      "pause %s: the clock is stopped with %s of working time left", span, amount);
      result->stopped = true;
      result->remaining_seconds = remaining;
      return STATUS_OK;
    }
    int64_t paused_from = pause->from > cursor ? pause->from : cursor;
    format_working_time(calendar_working_seconds_between(calendar, paused_from, pause->to), amount);
    explanation_add(context->explanation, "pause %s: %s of working time not counted", span, amount);
    cursor = pause->to;
    /* Later pauses are all after the deadline once nothing remains. */
    if (remaining == 0)
      break;
  }
  int64_t deadline = calendar_add_working_seconds(calendar, cursor, remaining);
  if (deadline < 0)
    return out_of_range(context, error);
  result->deadline = deadline;
  return STATUS_OK;
}

static enum status compute_hours(struct context *context, int64_t receipt,
                                 struct deadline_result *result, struct error *error) {
  const struct duration *duration = &context->request->duration;
  int64_t start = hours_start(context, receipt);
  if (start < 0)
    return out_of_range(context, error);
  result->effective_start = start;
  int64_t total;
  char amount[32];
  if (duration->unit == UNIT_WORKING_HOURS) {
    total = duration->amount * 3600;
    format_working_time(total, amount);
    explanation_add(context->explanation, "counting %lldwh: %s of working time",
                    (long long)duration->amount, amount);
  } else if (duration->amount == 0) {
    /* "Trong ngày": the rest of the start's working day. */
    int64_t day = civil_local_day(start);
    total = calendar_working_seconds_between(context->calendar, start,
                                             civil_instant_from_local(day, context->closing));
    format_working_time(total, amount);
    explanation_add(context->explanation,
                    "counting 0wd (within the day): the %s of working time left that day", amount);
  } else {
    total = duration->amount * context->seconds_per_day;
    format_working_time(context->seconds_per_day, amount);
    char whole[32];
    format_working_time(total, whole);
    explanation_add(context->explanation, "counting %lldwd in hours mode: %lld x %s = %s",
                    (long long)duration->amount, (long long)duration->amount, amount, whole);
  }
  enum status status = run_hours(context, start, total, result, error);
  if (status == STATUS_OK && !result->stopped) {
    explain_skipped_days(context, civil_local_day(start) + 1,
                         civil_local_day(result->deadline) - 1);
    explain_hours_per_day(context, start, result->deadline);
  }
  return status;
}

/* --- days (working or calendar) ----------------------------------------------------------- */

static bool calendar_days(const struct context *context) {
  return context->request->duration.unit == UNIT_CALENDAR_DAYS;
}

/* Counted days d with from < d <= to. */
static int64_t count_days(const struct context *context, int64_t from, int64_t to) {
  if (to <= from)
    return 0;
  if (calendar_days(context))
    return to - from;
  return calendar_count_working_days(context->calendar, from, to);
}

/* The n-th counted day after `day` (n >= 1), or -1 past the calendar. */
static int64_t add_days(const struct context *context, int64_t day, int64_t n) {
  if (calendar_days(context))
    return day + n <= calendar_last_day(context->calendar) ? day + n : -1;
  return calendar_add_working_days(context->calendar, day, n);
}

/* The effective receipt day of days mode (working days), with the reason. */
static int64_t effective_receipt_day(const struct context *context, int64_t receipt) {
  const struct calendar *calendar = context->calendar;
  int64_t day = civil_local_day(receipt);
  int second = civil_local_second_of_day(receipt);
  int cutoff = context->request->cutoff;
  char clock[8], limit[8], text[DAY_TEXT_SIZE];
  format_clock(second, clock);
  int64_t effective;
  if (!calendar_is_working_day(calendar, day)) {
    effective = calendar_next_working_day(calendar, day);
    if (effective < 0)
      return -1;
    format_day(context->explanation, effective, text);
    explanation_add(context->explanation,
                    "effective receipt day %s: received on a non-working day (%s)", text,
                    day_reason(context->explanation, calendar, day));
  } else if (cutoff != NO_CUTOFF && second > cutoff) {
    effective = calendar_add_working_days(calendar, day, 1);
    if (effective < 0)
      return -1;
    format_clock(cutoff, limit);
    format_day(context->explanation, effective, text);
    explanation_add(context->explanation,
                    "effective receipt day %s: received at %s, after the cut-off %s", text, clock,
                    limit);
  } else if (second > context->closing) {
    /* Without this a 0wd dossier received at 18:00 would be due at 17:00, before it arrived. */
    effective = calendar_add_working_days(calendar, day, 1);
    if (effective < 0)
      return -1;
    format_clock(context->closing, limit);
    format_day(context->explanation, effective, text);
    explanation_add(context->explanation,
                    "effective receipt day %s: received at %s, after closing time %s", text, clock,
                    limit);
  } else {
    effective = day;
    format_day(context->explanation, effective, text);
    explanation_add(context->explanation,
                    "effective receipt day %s: received at %s on a working day", text, clock);
  }
  /* The days jumped over to reach it (a Friday after the cut-off before Tết: nine of them). */
  explain_skipped_days(context, day + 1, effective - 1);
  return effective;
}

/* The first day whose closing time is at or after `instant`. */
static int64_t first_closing_at_or_after(const struct context *context, int64_t instant) {
  int64_t day = civil_local_day(instant);
  return civil_local_second_of_day(instant) <= context->closing ? day : day + 1;
}

/* Counts `n` days after `start` (exclusive), skipping days whose closing falls in a pause. */
static enum status run_days(struct context *context, int64_t start, int64_t n, int64_t *result_day,
                            struct deadline_result *result, struct error *error) {
  int64_t cursor = start, remaining = n;
  for (size_t i = 0; i < context->pause_count; i++) {
    const struct pause_interval *pause = &context->pauses[i];
    char span[2 * DAY_TEXT_SIZE + 8];
    explain_pause_span(context, pause, span);
    int64_t first = first_closing_at_or_after(context, pause->from);
    /* The last day whose closing time is strictly before the resume. */
    int64_t last =
        pause->to == PAUSE_OPEN ? INT64_MAX : first_closing_at_or_after(context, pause->to) - 1;
    if (last < first || last <= cursor) {
      explanation_add(context->explanation,
                      "pause %s: covers no closing time that counts, no effect", span);
      continue;
    }
    int64_t available = count_days(context, cursor, first - 1);
    if (available >= remaining) {
      explanation_add(context->explanation, "pause %s: after the deadline, no effect", span);
      continue;
    }
    remaining -= available;
    if (pause->to == PAUSE_OPEN) {
      if (calendar_days(context))
        explanation_count(context->explanation,
                          "pause %s: the clock is stopped with %lld calendar day left",
                          "pause %s: the clock is stopped with %lld calendar days left",
                          (unsigned long)remaining, span, (long long)remaining);
      else
        explanation_count(context->explanation,
                          "pause %s: the clock is stopped with %lld working day left",
                          "pause %s: the clock is stopped with %lld working days left",
                          (unsigned long)remaining, span, (long long)remaining);
      result->stopped = true;
      result->remaining_seconds = remaining;
      return STATUS_OK;
    }
    int64_t from = first > cursor ? first : cursor + 1;
    int64_t held = count_days(context, from - 1, last);
    if (calendar_days(context))
      explanation_count(
          context->explanation,
          "pause %s: %lld calendar day with its closing time inside it not counted",
          "pause %s: %lld calendar days with their closing time inside it not counted",
          (unsigned long)held, span, (long long)held);
    else
      explanation_count(context->explanation,
                        "pause %s: %lld working day with its closing time inside it not counted",
                        "pause %s: %lld working days with their closing time inside it not counted",
                        (unsigned long)held, span, (long long)held);
    cursor = last;
  }
  *result_day = add_days(context, cursor, remaining);
  if (*result_day < 0)
    return out_of_range(context, error);
  return STATUS_OK;
}

/* One line per working day counted in days mode (those a pause held are not counted). */
static void explain_counted_days(const struct context *context, int64_t effective, int64_t last) {
  if (context->explanation == NULL)
    return;
  size_t counted = 0, more = 0;
  for (int64_t day = effective + 1; day <= last; day++) {
    if (!calendar_is_working_day(context->calendar, day))
      continue;
    int64_t closing = civil_instant_from_local(day, context->closing);
    bool held = false;
    for (size_t i = 0; i < context->pause_count && !held; i++)
      held = context->pauses[i].from <= closing && closing < context->pauses[i].to;
    if (held)
      continue;
    if (++counted > SKIPPED_DAYS_LISTED) {
      more++;
      continue;
    }
    char text[DAY_TEXT_SIZE];
    format_day(context->explanation, day, text);
    explanation_add(context->explanation, "working day %zu: %s", counted, text);
  }
  if (more > 0)
    explanation_count(context->explanation, "... and %zu more working day",
                      "... and %zu more working days", more, more);
}

static enum status compute_working_days(struct context *context, int64_t receipt,
                                        struct deadline_result *result, struct error *error) {
  int64_t effective = effective_receipt_day(context, receipt);
  if (effective < 0)
    return out_of_range(context, error);
  result->effective_start = effective == civil_local_day(receipt)
                                ? receipt
                                : civil_instant_from_local(effective, context->opening);
  int64_t n = context->request->duration.amount;
  if (n == 0)
    explanation_add(context->explanation,
                    "counting 0wd (within the day): the closing time of the effective receipt day");
  else {
    char ordinal[32];
    format_ordinal(context->explanation, n, ordinal);
    explanation_add(context->explanation,
                    "counting %lldwd in days mode: the closing time of the %s working day after it",
                    (long long)n, ordinal);
  }
  /* N = 0 is the first counting day on or after the effective day: one day after the eve. */
  int64_t start = n == 0 ? effective - 1 : effective;
  int64_t day = 0;
  enum status status = run_days(context, start, n == 0 ? 1 : n, &day, result, error);
  if (status != STATUS_OK || result->stopped)
    return status;
  explain_skipped_days(context, effective + 1, day);
  explain_counted_days(context, effective, day);
  result->deadline = civil_instant_from_local(day, context->closing);
  return STATUS_OK;
}

static enum status compute_calendar_days(struct context *context, int64_t receipt,
                                         struct deadline_result *result, struct error *error) {
  const struct calendar *calendar = context->calendar;
  int64_t day = civil_local_day(receipt);
  int second = civil_local_second_of_day(receipt);
  int cutoff = context->request->cutoff;
  char text[DAY_TEXT_SIZE], clock[8], limit[8];
  int64_t base = day;
  format_clock(second, clock);
  if (cutoff != NO_CUTOFF && second > cutoff) {
    /* The next day, not the next working day: a Friday-evening receipt must not count from
     * after a Saturday receipt (calendar days run through weekends anyway). */
    base = day + 1;
    format_clock(cutoff, limit);
    format_day(context->explanation, base, text);
    explanation_add(context->explanation, "counting from %s: received at %s, after the cut-off %s",
                    text, clock, limit);
  } else {
    format_day(context->explanation, base, text);
    explanation_add(context->explanation, "counting from the receipt date %s", text);
  }
  result->effective_start = base == day ? receipt : civil_instant_from_local(base, 0);
  int64_t n = context->request->duration.amount;
  char ordinal[32];
  format_ordinal(context->explanation, n, ordinal);
  explanation_add(context->explanation,
                  "counting %lldcd: the closing time of the %s calendar day after it, or of the "
                  "next working day",
                  (long long)n, ordinal);
  int64_t target = 0;
  enum status status =
      run_days(context, n == 0 ? base - 1 : base, n == 0 ? 1 : n, &target, result, error);
  if (status != STATUS_OK || result->stopped)
    return status;
  int64_t deadline_day = calendar_next_working_day(calendar, target);
  if (deadline_day >= 0 && civil_instant_from_local(deadline_day, context->closing) < receipt)
    deadline_day = calendar_add_working_days(calendar, deadline_day, 1);
  if (deadline_day < 0)
    return out_of_range(context, error);
  if (deadline_day != target) {
    format_day(context->explanation, target, text);
    explanation_add(context->explanation,
                    "%s is not a working day (%s): the deadline moves to "
                    "the next working day",
                    text, day_reason(context->explanation, calendar, target));
    explain_skipped_days(context, target + 1, deadline_day - 1);
  }
  result->deadline = civil_instant_from_local(deadline_day, context->closing);
  return STATUS_OK;
}

/* --- the whole computation ---------------------------------------------------------------- */

static void explain_request(const struct context *context) {
  const struct deadline_request *request = context->request;
  char received[DAY_TEXT_SIZE], duration[DEADLINE_DURATION_TEXT_SIZE], clock[8];
  format_instant(context->explanation, request->received_at, received);
  deadline_format_duration(&request->duration, duration);
  /* TRANSLATORS: "none", for a setting that is absent: no cut-off, no end date, no hours. */
  const char *cutoff = explanation_word(context->explanation, "none");
  if (request->cutoff != NO_CUTOFF) {
    format_clock(request->cutoff, clock);
    cutoff = clock;
  }
  explanation_add(context->explanation, "received %s", received);
  explanation_add(context->explanation, "duration %s, counting %s, cut-off %s, supplement %s",
                  duration, counting_mode_name(request->counting), cutoff,
                  supplement_mode_name(request->supplement));
}

static enum status dispatch(struct context *context, int64_t receipt,
                            struct deadline_result *result, struct error *error) {
  const struct duration *duration = &context->request->duration;
  if (duration->unit == UNIT_CALENDAR_DAYS)
    return compute_calendar_days(context, receipt, result, error);
  if (duration->unit == UNIT_WORKING_HOURS || context->request->counting == COUNTING_HOURS)
    return compute_hours(context, receipt, result, error);
  return compute_working_days(context, receipt, result, error);
}

enum status deadline_compute(const struct calendar *calendar,
                             const struct deadline_request *request, struct deadline_result *result,
                             struct explanation *explanation, struct error *error) {
  *result = (struct deadline_result){0, 0, false, 0};
  enum status status = check_request(calendar, request, error);
  if (status != STATUS_OK)
    return status;
  const struct working_hours *hours = calendar_hours(calendar);
  struct context context = {calendar,
                            request,
                            explanation,
                            NULL,
                            0,
                            hours->intervals[0].start,
                            hours->intervals[hours->count - 1].end,
                            0};
  for (int i = 0; i < hours->count; i++)
    context.seconds_per_day += hours->intervals[i].end - hours->intervals[i].start;
  explain_request(&context);
  status = prepare_pauses(&context, request->received_at, error);
  if (status != STATUS_OK)
    return status;
  int64_t receipt = request->received_at;
  if (request->supplement == SUPPLEMENT_RESTART && !apply_restarts(&context, &receipt)) {
    result->stopped = true;
    result->effective_start = receipt;
    result->remaining_seconds =
        request->duration.unit == UNIT_WORKING_HOURS ? request->duration.amount * 3600
        : request->duration.unit == UNIT_CALENDAR_DAYS || request->counting == COUNTING_DAYS
            ? request->duration.amount
            : request->duration.amount * context.seconds_per_day;
  } else if (civil_local_day(receipt) >= calendar_last_day(calendar)) {
    status = out_of_range(&context, error);
  } else {
    status = dispatch(&context, receipt, result, error);
  }
  if (status == STATUS_OK) {
    char text[DAY_TEXT_SIZE];
    if (result->stopped) {
      explanation_add(explanation, "result: no deadline while the pause lasts");
    } else {
      format_instant(explanation, result->deadline, text);
      explanation_add(explanation, "result: %s", text);
    }
  }
  free(context.pauses);
  return status;
}
