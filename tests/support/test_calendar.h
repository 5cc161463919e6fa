/*
 * test_calendar.h: the calendars the unit tests build by hand, in one place.
 *
 * Every one is the office week of PRODUCT.md (Monday to Friday, 07:00-11:30 and 13:30-17:00)
 * with the days a test names as exceptions. A calendar that cannot be built is a broken test:
 * these print "Bail out!" with the reason and exit, so a test never runs on the wrong calendar.
 * Free with calendar_free().
 */
#ifndef DUNGHEN_TEST_CALENDAR_H
#define DUNGHEN_TEST_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/calendar.h"

struct test_calendar_day {
  const char *day; /* YYYY-MM-DD */
  bool working;    /* true: a weekend day worked; false: a weekday off */
  const char *reason;
};

/* Monday to Friday, office hours. */
extern const bool test_calendar_weekdays[7];
struct working_hours test_calendar_office_hours(void);

/* The office week with `count` exceptions (none when `days` is NULL). */
struct calendar *test_calendar_create(const struct test_calendar_day *days, size_t count);

/* The 2025 schedule of PRODUCT.md: New Year, Tết 27-31/1, Giỗ Tổ 7/4, 30/4 and 1/5 with 2/5
 * swapped for Saturday 26/4; and a made-up Monday holiday on 10/3/2025 for the "before a Monday
 * public holiday" examples. */
struct calendar *test_calendar_2025(void);

#endif
