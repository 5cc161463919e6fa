/*
 * calendar.c: the working-day calendar as per-day tables (see calendar.h for the contract).
 *
 * Before calendar_finish() the calendar is a byte per day (working or not) plus a reason index
 * per day. calendar_finish() adds two tables that make every query a look-up:
 *   working_before[i]  the number of working days among day indexes 0 .. i-1 (size days + 1);
 *   working_days[k]    the day index of the k-th working day (0-based).
 * Working hours are the same on every working day, so a working instant maps to a single number,
 * the working seconds elapsed since the start of the range: working days before its day times
 * the seconds of a working day, plus the seconds already worked that day. Hours arithmetic is
 * then a subtraction (between) or a division (add).
 */
#include "core/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "core/civil.h"

enum { NO_REASON = -1 };

struct calendar {
  bool working_weekdays[7];
  struct working_hours hours;
  int64_t seconds_per_day; /* working seconds in one working day */
  int64_t first_day;
  int64_t day_count;
  uint8_t *working;   /* per day index: 1 when worked */
  uint8_t *exception; /* per day index: 1 when set by calendar_set_day */
  int32_t *reason;    /* per day index: index into `reasons`, or NO_REASON */
  char **reasons;
  size_t reason_count;
  size_t reason_capacity;
  int32_t *working_before; /* built by calendar_finish */
  int32_t *working_days;   /* built by calendar_finish */
  int64_t working_day_count;
  bool finished;
};

static const char *const weekday_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};

static enum status check_hours(const struct working_hours *hours, struct error *error) {
  if (hours->count < 1 || hours->count > CALENDAR_MAX_INTERVALS)
    return error_set(error, STATUS_INVALID, "working hours need 1 to %d intervals, not %d",
                     CALENDAR_MAX_INTERVALS, hours->count);
  int previous_end = 0;
  for (int i = 0; i < hours->count; i++) {
    int start = hours->intervals[i].start;
    int end = hours->intervals[i].end;
    if (start < 0 || end > SECONDS_PER_DAY || start >= end)
      return error_set(error, STATUS_INVALID,
                       "working-hours interval %d is empty or outside "
                       "the day",
                       i + 1);
    if (i > 0 && start < previous_end)
      return error_set(error, STATUS_INVALID,
                       "working-hours interval %d overlaps or precedes "
                       "the one before it",
                       i + 1);
    previous_end = end;
  }
  return STATUS_OK;
}

enum status calendar_create(const bool working_weekdays[7], const struct working_hours *hours,
                            struct calendar **calendar, struct error *error) {
  *calendar = NULL;
  enum status status = check_hours(hours, error);
  if (status != STATUS_OK)
    return status;
  struct calendar *created = calloc(1, sizeof *created);
  if (created == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  memcpy(created->working_weekdays, working_weekdays, sizeof created->working_weekdays);
  created->hours = *hours;
  for (int i = 0; i < hours->count; i++)
    created->seconds_per_day += hours->intervals[i].end - hours->intervals[i].start;
  created->first_day = civil_days_from_date(CALENDAR_FIRST_YEAR, 1, 1);
  created->day_count = civil_days_from_date(CALENDAR_LAST_YEAR, 12, 31) - created->first_day + 1;
  created->working = malloc((size_t)created->day_count);
  created->exception = calloc((size_t)created->day_count, 1);
  created->reason = malloc((size_t)created->day_count * sizeof *created->reason);
  if (created->working == NULL || created->exception == NULL || created->reason == NULL) {
    calendar_free(created);
    return error_set(error, STATUS_RUNTIME, "out of memory");
  }
  for (int64_t index = 0; index < created->day_count; index++) {
    enum weekday weekday = civil_weekday(created->first_day + index);
    created->working[index] = working_weekdays[weekday] ? 1 : 0;
    created->reason[index] = NO_REASON;
  }
  *calendar = created;
  return STATUS_OK;
}

/* Consecutive days usually share a reason (the five days of Tết): keep one copy for them. */
static enum status intern_reason(struct calendar *calendar, const char *reason, int32_t *index,
                                 struct error *error) {
  if (calendar->reason_count > 0 &&
      strcmp(calendar->reasons[calendar->reason_count - 1], reason) == 0) {
    *index = (int32_t)(calendar->reason_count - 1);
    return STATUS_OK;
  }
  if (calendar->reason_count == calendar->reason_capacity) {
    size_t capacity = calendar->reason_capacity == 0 ? 64 : calendar->reason_capacity * 2;
    char **grown = realloc(calendar->reasons, capacity * sizeof *grown);
    if (grown == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory");
    calendar->reasons = grown;
    calendar->reason_capacity = capacity;
  }
  char *copy = strdup(reason);
  if (copy == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  calendar->reasons[calendar->reason_count] = copy;
  *index = (int32_t)calendar->reason_count;
  calendar->reason_count++;
  return STATUS_OK;
}

enum status calendar_set_day(struct calendar *calendar, int64_t day, bool working,
                             const char *reason, struct error *error) {
  if (calendar->finished)
    return error_set(error, STATUS_RUNTIME, "the calendar is frozen");
  if (!calendar_covers(calendar, day)) {
    char text[32];
    civil_format_date(day, text, sizeof text);
    return error_set(error, STATUS_INVALID, "%s is outside the calendar's range %d-%d", text,
                     CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
  }
  int32_t reason_index = NO_REASON;
  if (reason != NULL) {
    enum status status = intern_reason(calendar, reason, &reason_index, error);
    if (status != STATUS_OK)
      return status;
  }
  int64_t index = day - calendar->first_day;
  calendar->working[index] = working ? 1 : 0;
  calendar->exception[index] = 1;
  calendar->reason[index] = reason_index;
  return STATUS_OK;
}

enum status calendar_finish(struct calendar *calendar, struct error *error) {
  if (calendar->finished)
    return STATUS_OK;
  size_t days = (size_t)calendar->day_count;
  calendar->working_before = malloc((days + 1) * sizeof *calendar->working_before);
  calendar->working_days = malloc((days > 0 ? days : 1) * sizeof *calendar->working_days);
  if (calendar->working_before == NULL || calendar->working_days == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  int32_t count = 0;
  for (size_t index = 0; index < days; index++) {
    calendar->working_before[index] = count;
    if (calendar->working[index])
      calendar->working_days[count++] = (int32_t)index;
  }
  calendar->working_before[days] = count;
  calendar->working_day_count = count;
  calendar->finished = true;
  return STATUS_OK;
}

void calendar_free(struct calendar *calendar) {
  if (calendar == NULL)
    return;
  for (size_t i = 0; i < calendar->reason_count; i++)
    free(calendar->reasons[i]);
  free(calendar->reasons);
  free(calendar->working);
  free(calendar->exception);
  free(calendar->reason);
  free(calendar->working_before);
  free(calendar->working_days);
  free(calendar);
}

int64_t calendar_first_day(const struct calendar *calendar) {
  return calendar->first_day;
}

int64_t calendar_last_day(const struct calendar *calendar) {
  return calendar->first_day + calendar->day_count - 1;
}

bool calendar_covers(const struct calendar *calendar, int64_t day) {
  return day >= calendar->first_day && day < calendar->first_day + calendar->day_count;
}

bool calendar_is_working_day(const struct calendar *calendar, int64_t day) {
  return calendar_covers(calendar, day) && calendar->working[day - calendar->first_day];
}

const char *calendar_reason(const struct calendar *calendar, int64_t day) {
  if (!calendar_covers(calendar, day))
    return NULL;
  int64_t index = day - calendar->first_day;
  if (calendar->reason[index] != NO_REASON)
    return calendar->reasons[calendar->reason[index]];
  if (calendar->exception[index] || calendar->working[index])
    return NULL;
  return weekday_names[civil_weekday(day)];
}

bool calendar_is_exception(const struct calendar *calendar, int64_t day) {
  return calendar_covers(calendar, day) && calendar->exception[day - calendar->first_day];
}

const struct working_hours *calendar_hours(const struct calendar *calendar) {
  return &calendar->hours;
}

bool calendar_weekday_working(const struct calendar *calendar, int weekday) {
  return weekday >= 0 && weekday < 7 && calendar->working_weekdays[weekday];
}

/* The day of the k-th working day of the range (0-based), or -1 when there is none. */
static int64_t nth_working_day(const struct calendar *calendar, int64_t k) {
  if (k < 0 || k >= calendar->working_day_count)
    return -1;
  return calendar->first_day + calendar->working_days[k];
}

int64_t calendar_add_working_days(const struct calendar *calendar, int64_t day, int64_t n) {
  if (!calendar_covers(calendar, day) || n > calendar->working_day_count ||
      n < -calendar->working_day_count)
    return -1;
  int64_t index = day - calendar->first_day;
  if (n == 0)
    return nth_working_day(calendar, calendar->working_before[index]);
  if (n > 0)
    return nth_working_day(calendar, calendar->working_before[index + 1] + n - 1);
  /* n < 0: the |n|-th working day strictly before `day`. */
  return nth_working_day(calendar, calendar->working_before[index] + n);
}

/* Working days among day indexes 0 .. index (inclusive), with the index clamped to the range. */
static int64_t working_through(const struct calendar *calendar, int64_t day) {
  int64_t index = day - calendar->first_day;
  if (index < 0)
    return 0;
  if (index >= calendar->day_count)
    return calendar->working_day_count;
  return calendar->working_before[index + 1];
}

int64_t calendar_count_working_days(const struct calendar *calendar, int64_t from, int64_t to) {
  if (to <= from)
    return 0;
  return working_through(calendar, to) - working_through(calendar, from);
}

int64_t calendar_next_working_day(const struct calendar *calendar, int64_t day) {
  if (day < calendar->first_day)
    day = calendar->first_day;
  if (!calendar_covers(calendar, day))
    return -1;
  return calendar_add_working_days(calendar, day, 0);
}

/* Working seconds of one working day that lie before `second_of_day`. */
static int64_t worked_before(const struct working_hours *hours, int second_of_day) {
  int64_t worked = 0;
  for (int i = 0; i < hours->count; i++) {
    int start = hours->intervals[i].start;
    int end = hours->intervals[i].end;
    if (second_of_day <= start)
      break;
    worked += (second_of_day < end ? second_of_day : end) - start;
  }
  return worked;
}

/* Working seconds from the start of the range to `instant`, clamped to the range. */
static int64_t working_seconds_to(const struct calendar *calendar, int64_t instant) {
  int64_t day = civil_local_day(instant);
  int64_t index = day - calendar->first_day;
  if (index < 0)
    return 0;
  if (index >= calendar->day_count)
    return calendar->working_day_count * calendar->seconds_per_day;
  int64_t seconds = calendar->working_before[index] * calendar->seconds_per_day;
  if (calendar->working[index])
    seconds += worked_before(&calendar->hours, civil_local_second_of_day(instant));
  return seconds;
}

int64_t calendar_working_seconds_between(const struct calendar *calendar, int64_t from,
                                         int64_t to) {
  if (to <= from)
    return 0;
  return working_seconds_to(calendar, to) - working_seconds_to(calendar, from);
}

/* The earliest second of a working day by which `worked` (1 .. seconds_per_day) working seconds
 * have elapsed: an amount that fills a morning ends at the morning's closing time. */
static int second_when_worked(const struct working_hours *hours, int64_t worked) {
  for (int i = 0; i < hours->count; i++) {
    int64_t length = hours->intervals[i].end - hours->intervals[i].start;
    if (worked <= length)
      return hours->intervals[i].start + (int)worked;
    worked -= length;
  }
  return hours->intervals[hours->count - 1].end;
}

int64_t calendar_add_working_seconds(const struct calendar *calendar, int64_t from,
                                     int64_t seconds) {
  if (!calendar_covers(calendar, civil_local_day(from)) || seconds < 0)
    return -1;
  if (seconds == 0)
    return from;
  int64_t total = calendar->working_day_count * calendar->seconds_per_day;
  int64_t start = working_seconds_to(calendar, from);
  if (seconds > total - start)
    return -1;
  int64_t target = start + seconds; /* > 0 */
  int64_t k = (target - 1) / calendar->seconds_per_day;
  int64_t day = nth_working_day(calendar, k);
  int second = second_when_worked(&calendar->hours, target - k * calendar->seconds_per_day);
  return civil_instant_from_local(day, second);
}

int64_t calendar_next_opening(const struct calendar *calendar, int64_t instant) {
  int64_t day = civil_local_day(instant);
  if (day < calendar->first_day) {
    int64_t first = calendar_next_working_day(calendar, calendar->first_day);
    return first < 0 ? -1 : civil_instant_from_local(first, calendar->hours.intervals[0].start);
  }
  if (!calendar_covers(calendar, day))
    return -1;
  if (calendar->working[day - calendar->first_day]) {
    int second = civil_local_second_of_day(instant);
    for (int i = 0; i < calendar->hours.count; i++) {
      if (second < calendar->hours.intervals[i].start)
        return civil_instant_from_local(day, calendar->hours.intervals[i].start);
      if (second < calendar->hours.intervals[i].end)
        return instant;
    }
  }
  int64_t next = calendar_add_working_days(calendar, day, 1);
  if (next < 0)
    return -1;
  return civil_instant_from_local(next, calendar->hours.intervals[0].start);
}
