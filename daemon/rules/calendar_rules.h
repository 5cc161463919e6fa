/*
 * calendar_rules.h: rules/calendar.yaml in, a frozen struct calendar out.
 *
 * The file holds the weekly pattern and working hours, the statutory holidays (solar or lunar,
 * each with the years it applies), the compensatory-day rule, and per-year announced schedules
 * whose every entry names its source. An announced year uses exactly its listed days; any other
 * year is computed from the statutory rules (lunar dates via core/lunar.h). Every problem in
 * the file is reported as `FILE:LINE:COLUMN: message` with STATUS_INVALID; a file that loads
 * gives a calendar covering CALENDAR_FIRST_YEAR..CALENDAR_LAST_YEAR.
 */
#ifndef DUNGHEN_CALENDAR_RULES_H
#define DUNGHEN_CALENDAR_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/calendar.h"
#include "core/error.h"

enum {
  CALENDAR_YEAR_COUNT = CALENDAR_LAST_YEAR - CALENDAR_FIRST_YEAR + 1,
  CALENDAR_MAX_GAPS = 32,
  CALENDAR_GAP_NAME_SIZE = 96,
};

/* A statutory day off on a working weekday that an announced year does not list: usually an
 * announcement entered before the whole year's notices were out (only Tết, say), which would
 * otherwise make that day a working day without a word. */
struct calendar_rules_gap {
  int64_t day;
  char holiday[CALENDAR_GAP_NAME_SIZE];
  size_t line, column; /* of the year's key under `announced:` */
};

/* What the file contained, for `dunghen check` and the yearly-schedule warnings. */
struct calendar_rules_summary {
  size_t holiday_count;                              /* entries under `holidays:` */
  size_t announced_count;                            /* years with an announced schedule */
  int first_announced_year;                          /* 0 when no year is announced */
  int last_announced_year;                           /* 0 when no year is announced */
  bool announced[CALENDAR_YEAR_COUNT];               /* indexed by year - CALENDAR_FIRST_YEAR */
  struct calendar_rules_gap gaps[CALENDAR_MAX_GAPS]; /* in the order of the days */
  size_t gap_count;
  size_t gaps_left_out; /* beyond CALENDAR_MAX_GAPS */
};

/* Loads a calendar file. On failure *calendar is NULL and error holds the located cause.
 * `summary` may be NULL. */
enum status calendar_rules_load_file(const char *path, struct calendar **calendar,
                                     struct calendar_rules_summary *summary, struct error *error);
/* The same from memory; `name` is the file name used in messages. */
enum status calendar_rules_load_buffer(const char *name, const char *data, size_t size,
                                       struct calendar **calendar,
                                       struct calendar_rules_summary *summary, struct error *error);
/* True when `year` has an announced schedule. */
bool calendar_rules_is_announced(const struct calendar_rules_summary *summary, int year);

#endif
