/*
 * calendar.h: the working-day calendar, built once, queried in O(1).
 *
 * A calendar covers the days CALENDAR_FIRST_YEAR-01-01 to CALENDAR_LAST_YEAR-12-31. It starts
 * with a weekly pattern (working weekdays) and working hours, then receives the exceptions the
 * rules decide (a weekday off with its reason, a weekend day worked with its reason), and is
 * frozen by calendar_finish(), which builds prefix counts so that adding or counting working
 * days is a table look-up. A frozen calendar is immutable and may be shared between threads.
 * The rules loader (rules/calendar_rules.c) decides the exceptions; this module only stores and
 * answers. Days are day numbers (core/civil.h), instants are Unix seconds, local time UTC+7.
 */
#ifndef DUNGHEN_CALENDAR_H
#define DUNGHEN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum {
  CALENDAR_FIRST_YEAR = 1900,
  CALENDAR_LAST_YEAR = 2199,
  CALENDAR_MAX_INTERVALS = 4,
};

/* Working hours of a working day: sorted, disjoint [start, end) in seconds since midnight. */
struct working_hours {
  int count;
  struct {
    int start;
    int end;
  } intervals[CALENDAR_MAX_INTERVALS];
};

struct calendar;

/* A new calendar with `working_weekdays[i]` for Monday (0) .. Sunday (6). */
enum status calendar_create(const bool working_weekdays[7], const struct working_hours *hours,
                            struct calendar **calendar, struct error *error);
/* Marks one day as an exception: working or not, with a reason the explanation will quote
 * (the string is copied). Later calls for the same day replace earlier ones. */
enum status calendar_set_day(struct calendar *calendar, int64_t day, bool working,
                             const char *reason, struct error *error);
/* Freezes the calendar and builds its tables. */
enum status calendar_finish(struct calendar *calendar, struct error *error);
void calendar_free(struct calendar *calendar);

/* The covered range, as day numbers. */
int64_t calendar_first_day(const struct calendar *calendar);
int64_t calendar_last_day(const struct calendar *calendar);
bool calendar_covers(const struct calendar *calendar, int64_t day);

bool calendar_is_working_day(const struct calendar *calendar, int64_t day);
/* Why a day is what it is: the exception's reason, "Saturday"/"Sunday" for the weekly
 * pattern, or NULL for an ordinary working weekday. */
const char *calendar_reason(const struct calendar *calendar, int64_t day);
/* True when the day was set by calendar_set_day (an exception to the weekly pattern). */
bool calendar_is_exception(const struct calendar *calendar, int64_t day);
const struct working_hours *calendar_hours(const struct calendar *calendar);
/* The weekly pattern: whether `weekday` (0 = Monday .. 6 = Sunday) is worked in an ordinary
 * week. A day is an exception worth listing when calendar_is_working_day() differs from it. */
bool calendar_weekday_working(const struct calendar *calendar, int weekday);

/* The n-th working day strictly after `day` (n >= 1), or `day` itself for n = 0 if working;
 * -1 (with no error text) when the result leaves the covered range. O(1).
 * (n = 0 on a day off gives the next working day; n < 0 counts back: -1 is the last working
 * day strictly before `day`.) */
int64_t calendar_add_working_days(const struct calendar *calendar, int64_t day, int64_t n);
/* The number of working days d with from < d <= to. O(1). */
int64_t calendar_count_working_days(const struct calendar *calendar, int64_t from, int64_t to);
/* The first working day on or after `day`, or -1 past the range. */
int64_t calendar_next_working_day(const struct calendar *calendar, int64_t day);

/* Working seconds in the half-open interval [from, to) of instants. */
int64_t calendar_working_seconds_between(const struct calendar *calendar, int64_t from, int64_t to);
/* The instant at which `seconds` working seconds have elapsed after `from` (a deadline that
 * lands exactly on a closing time stays there). -1 past the range. */
int64_t calendar_add_working_seconds(const struct calendar *calendar, int64_t from,
                                     int64_t seconds);
/* `instant` if it is inside working hours, else the next opening. -1 past the range. */
int64_t calendar_next_opening(const struct calendar *calendar, int64_t instant);

#endif
