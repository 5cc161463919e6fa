/*
 * civil.h: proleptic Gregorian dates and Vietnamese local time, as plain integers.
 *
 * A day is counted from 1970-01-01 (day 0); an instant is seconds since the Unix epoch (UTC).
 * All wall-clock time in dunghen is Asia/Ho_Chi_Minh, UTC+7 with no daylight saving, so local
 * time is a fixed offset and needs no time-zone database. Pure functions, no I/O.
 */
#ifndef DUNGHEN_CIVIL_H
#define DUNGHEN_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum {
  LOCAL_OFFSET_SECONDS = 7 * 3600,
  SECONDS_PER_DAY = 86400,
  TIMESTAMP_TEXT_SIZE = 64,
};

/* The instants civil_format_timestamp() can show: years 0001 to 9999. */
#define CIVIL_MIN_INSTANT (-62135596800LL)
#define CIVIL_MAX_INSTANT (253402300799LL)

struct civil_date {
  int year;
  int month; /* 1..12 */
  int day;   /* 1..31 */
};

enum weekday { MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY };

bool civil_is_leap_year(int year);
int civil_days_in_month(int year, int month);
bool civil_date_valid(int year, int month, int day);
/* Day number of a valid date (1970-01-01 is 0). */
int64_t civil_days_from_date(int year, int month, int day);
struct civil_date civil_date_from_days(int64_t days);
enum weekday civil_weekday(int64_t days);

/* Local (UTC+7) day and second-of-day of an instant, and back. */
int64_t civil_local_day(int64_t instant);
int civil_local_second_of_day(int64_t instant);
int64_t civil_instant_from_local(int64_t day, int second_of_day);

/*
 * Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (a space may replace the T) with an optional
 * `Z` or `+HH:MM`/`-HH:MM` suffix. Without an offset the text is local time. A bare date is
 * its local midnight. Fails with STATUS_INVALID and a message naming the problem.
 */
enum status civil_parse_timestamp(const char *text, int64_t *instant, struct error *error);
/* Parses a bare `YYYY-MM-DD`, rejecting impossible dates such as 2025-02-30. */
enum status civil_parse_date(const char *text, struct civil_date *date, struct error *error);
/* Parses `HH:MM` (00:00..24:00) into seconds of the day. */
enum status civil_parse_clock(const char *text, int *second_of_day, struct error *error);

/* `2025-02-07T17:00:00+07:00`; buffer of TIMESTAMP_TEXT_SIZE. `(no date)` outside years
 * 0001-9999, so a sentinel such as INT64_MAX prints safely. */
void civil_format_timestamp(int64_t instant, char *buffer);
/* `2025-02-07`. */
void civil_format_date(int64_t day, char *buffer, size_t size);

#endif
