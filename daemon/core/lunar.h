/*
 * lunar.h: the Vietnamese lunar calendar (âm lịch) at UTC+7.
 *
 * Computed from astronomical new moons and the Sun's longitude, never from Chinese (UTC+8)
 * tables: month 11 holds the December solstice, and in a 13-month year the first month without
 * a principal term is the leap month. Valid for solar years LUNAR_FIRST_YEAR..LUNAR_LAST_YEAR;
 * outside that range the functions fail with STATUS_INVALID. Pure and thread-safe.
 */
#ifndef DUNGHEN_LUNAR_H
#define DUNGHEN_LUNAR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

enum { LUNAR_FIRST_YEAR = 1900, LUNAR_LAST_YEAR = 2199 };

struct lunar_date {
  int year;  /* the lunar year, which starts at Tết */
  int month; /* 1..12 */
  int day;   /* 1..30 */
  bool leap; /* a leap (intercalary) month */
};

/* The lunar date of a solar day number (see core/civil.h). */
enum status lunar_from_solar(int64_t day, struct lunar_date *lunar, struct error *error);
/* The solar day number of a lunar date; fails if that date does not exist (e.g. day 30 of a
 * 29-day month, or a leap month that year does not have). */
enum status lunar_to_solar(const struct lunar_date *lunar, int64_t *day, struct error *error);

enum { LUNAR_MAX_MONTHS = 13, LUNAR_DATE_TEXT_SIZE = 32 };

struct lunar_month {
  int month;         /* 1..12 */
  bool leap;         /* the leap month, which repeats the number of the month before it */
  int64_t first_day; /* solar day number of its day 1 */
  int days;          /* 29 or 30 */
};

/* The months of one lunar year, from Tết to the day before the next Tết. */
struct lunar_year {
  int year;
  int month_count; /* 12, or 13 with a leap month */
  int leap_month;  /* the number the leap month repeats, 0 when the year has none */
  struct lunar_month months[LUNAR_MAX_MONTHS];
  int64_t next_new_year; /* solar day number of the next Tết */
};

/* Builds the months of lunar year `year` (LUNAR_FIRST_YEAR - 1 .. LUNAR_LAST_YEAR); a table
 * for callers that walk a whole year, computed per call (nothing is cached). */
enum status lunar_year_months(int year, struct lunar_year *months, struct error *error);

/* Parses `YYYY-MM-DD` as a lunar date (month 1..12, day 1..30; leap is false). Whether the
 * date exists in that year is lunar_to_solar's question. */
enum status lunar_parse_date(const char *text, struct lunar_date *lunar, struct error *error);
/* `2025-01-01`, or `2023-02-15 leap`; buffer of LUNAR_DATE_TEXT_SIZE. */
void lunar_format_date(const struct lunar_date *lunar, char *buffer);

#endif
