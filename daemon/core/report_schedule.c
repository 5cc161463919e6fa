#include "core/report_schedule.h"

#include <string.h>

#include "core/civil.h"

enum status report_period_kind_parse(const char *text, enum report_period_kind *kind,
                                     struct error *error) {
  if (strcmp(text, "month") == 0)
    *kind = REPORT_PERIOD_MONTH;
  else if (strcmp(text, "quarter") == 0)
    *kind = REPORT_PERIOD_QUARTER;
  else
    return error_set(error, STATUS_INVALID, "unknown period '%s' (month or quarter)", text);
  return STATUS_OK;
}

const char *report_period_kind_name(enum report_period_kind kind) {
  return kind == REPORT_PERIOD_QUARTER ? "quarter" : "month";
}

/* The period that starts on the first day of `month` in `year` (month 1 of its quarter). */
static struct report_period period_from(enum report_period_kind kind, int year, int month) {
  int months = kind == REPORT_PERIOD_QUARTER ? 3 : 1;
  int last_month = month + months - 1;
  struct report_period period = {
      .from_day = civil_days_from_date(year, month, 1),
      .to_day = civil_days_from_date(year, last_month, civil_days_in_month(year, last_month)),
  };
  return period;
}

struct report_period report_schedule_period_of(enum report_period_kind kind, int64_t day) {
  struct civil_date date = civil_date_from_days(day);
  int month = kind == REPORT_PERIOD_QUARTER ? (date.month - 1) / 3 * 3 + 1 : date.month;
  return period_from(kind, date.year, month);
}

struct report_period report_schedule_previous(enum report_period_kind kind,
                                              struct report_period period) {
  return report_schedule_period_of(kind, period.from_day - 1);
}

int64_t report_schedule_due_at(const struct calendar *calendar, struct report_period period) {
  int64_t after = period.to_day + 1;
  if (!calendar_covers(calendar, after))
    return -1;
  int64_t day = calendar_next_working_day(calendar, after);
  if (day < 0)
    return -1;
  /* The opening of that day; a working day without hours (none configured) opens at 00:00. */
  int64_t midnight = civil_instant_from_local(day, 0);
  int64_t opening = calendar_next_opening(calendar, midnight);
  return opening >= 0 && civil_local_day(opening) == day ? opening : midnight;
}

bool report_schedule_due(const struct calendar *calendar, enum report_period_kind kind, int64_t now,
                         struct report_period *period) {
  struct report_period current = report_schedule_period_of(kind, civil_local_day(now));
  struct report_period latest = report_schedule_previous(kind, current);
  int64_t due_at = report_schedule_due_at(calendar, latest);
  if (due_at < 0 || now < due_at)
    return false;
  *period = latest;
  return true;
}

int64_t report_schedule_next(const struct calendar *calendar, enum report_period_kind kind,
                             int64_t now) {
  struct report_period current = report_schedule_period_of(kind, civil_local_day(now));
  int64_t latest_due = report_schedule_due_at(calendar, report_schedule_previous(kind, current));
  if (latest_due > now)
    return latest_due;
  return report_schedule_due_at(calendar, current);
}
