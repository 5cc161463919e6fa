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

#endif
