/*
 * lunar.c: the Vietnamese lunar calendar at UTC+7, by Ho Ngoc Duc's method.
 *
 * The calendar is built from "sui": the run of months from one month 11 (the month holding the
 * December solstice) to the next. A sui of 13 months has a leap month, the first one whose
 * start and the next month's start see the Sun in the same 30-degree sector (no principal
 * term). New moons come from Meeus' series in the form Ho Ngoc Duc uses, the Sun's longitude
 * from a low-precision formula, both read at local midnight of UTC+7; every month start
 * 1900-2199 equals the amlich package's (tests/data/lunar-reference.tsv). Contract in lunar.h.
 */
#include "core/lunar.h"

#include <math.h>
#include <stdio.h>

#include "core/civil.h"

/* Julian day number of civil day 0 (1970-01-01). */
static const int64_t JULIAN_DAY_OF_CIVIL_EPOCH = 2440588;
static const double TIME_ZONE_DAYS = 7.0 / 24.0;
static const double DEGREE = M_PI / 180.0;
/* New moon k = 0 is that of 1900-01-01 (Julian day 2415021); k counts lunations from it. */
static const double NEW_MOON_ORIGIN = 2415021.0;
static const double SYNODIC_MONTH = 29.530588853;

enum { SUI_MAX_MONTHS = 13 };

/* One sui: months from month 11 of `year` up to (excluding) month 11 of the next year. */
struct sui {
  int year;
  int month_count;                    /* 12 or 13 */
  int leap_index;                     /* index of the leap month, 0 when none */
  int64_t starts[SUI_MAX_MONTHS + 1]; /* civil day of each month's day 1, then the next sui */
};

/* Julian date (UT) of the k-th new moon after 1900-01-01: Meeus' series as Ho Ngoc Duc uses
 * it. The trigonometric terms share three angles, so sums of angles are expanded instead of
 * calling sin() thirteen times: the conversion of every day 1900-2199 stays far below a
 * second. */
static double new_moon(int k) {
  double centuries = k / 1236.85;
  double centuries2 = centuries * centuries;
  double centuries3 = centuries2 * centuries;
  double mean = 2415020.75933 + 29.53058868 * k + 0.0001178 * centuries2 -
                0.000000155 * centuries3 +
                0.00033 * sin((166.56 + 132.87 * centuries - 0.009173 * centuries2) * DEGREE);
  double sun_anomaly =
      (359.2242 + 29.10535608 * k - 0.0000333 * centuries2 - 0.00000347 * centuries3) * DEGREE;
  double moon_anomaly =
      (306.0253 + 385.81691806 * k + 0.0107306 * centuries2 + 0.00001236 * centuries3) * DEGREE;
  double latitude_argument =
      (21.2964 + 390.67050646 * k - 0.0016528 * centuries2 - 0.00000239 * centuries3) * DEGREE;
  double sin_m = sin(sun_anomaly), cos_m = cos(sun_anomaly);
  double sin_p = sin(moon_anomaly), cos_p = cos(moon_anomaly);
  double sin_f2 = sin(2 * latitude_argument), cos_f2 = cos(2 * latitude_argument);
  double sin_p2 = 2 * sin_p * cos_p, cos_p2 = 1 - 2 * sin_p * sin_p;
  double correction = (0.1734 - 0.000393 * centuries) * sin_m;
  correction += 0.0021 * 2 * sin_m * cos_m;                 /* 2M */
  correction -= 0.4068 * sin_p;                             /* M' */
  correction += 0.0161 * sin_p2;                            /* 2M' */
  correction -= 0.0004 * sin_p * (3 - 4 * sin_p * sin_p);   /* 3M' */
  correction += 0.0104 * sin_f2;                            /* 2F */
  correction -= 0.0051 * (sin_m * cos_p + cos_m * sin_p);   /* M + M' */
  correction -= 0.0074 * (sin_m * cos_p - cos_m * sin_p);   /* M - M' */
  correction += 0.0004 * (sin_f2 * cos_m + cos_f2 * sin_m); /* 2F + M */
  correction -= 0.0004 * (sin_f2 * cos_m - cos_f2 * sin_m); /* 2F - M */
  correction -= 0.0006 * (sin_f2 * cos_p + cos_f2 * sin_p); /* 2F + M' */
  correction += 0.0010 * (sin_f2 * cos_p - cos_f2 * sin_p); /* 2F - M' */
  correction += 0.0005 * (sin_p2 * cos_m + cos_p2 * sin_m); /* 2M' + M */
  /* Ho Ngoc Duc's Delta T (dynamical minus universal time), in days. */
  double delta_t = centuries < -11
                       ? 0.001 + 0.000839 * centuries + 0.0002261 * centuries2 -
                             0.00000845 * centuries3 - 0.000000081 * centuries * centuries3
                       : -0.000278 + 0.000265 * centuries + 0.000262 * centuries2;
  return mean + correction - delta_t;
}

/* The civil day (UTC+7) on which the k-th new moon falls. */
static int64_t new_moon_day(int k) {
  return (int64_t)floor(new_moon(k) + 0.5 + TIME_ZONE_DAYS) - JULIAN_DAY_OF_CIVIL_EPOCH;
}

/* The Sun's true longitude in radians, 0..2 pi, at a Julian date. */
static double sun_longitude(double julian_date) {
  double centuries = (julian_date - 2451545.0) / 36525;
  double centuries2 = centuries * centuries;
  double anomaly = (357.52910 + 35999.05030 * centuries - 0.0001559 * centuries2 -
                    0.00000048 * centuries * centuries2) *
                   DEGREE;
  double mean_longitude = 280.46645 + 36000.76983 * centuries + 0.0003032 * centuries2;
  double sin_m = sin(anomaly), cos_m = cos(anomaly);
  double sin_m2 = 2 * sin_m * cos_m;
  double sin_m3 = sin_m * (3 - 4 * sin_m * sin_m);
  double center = (1.914600 - 0.004817 * centuries - 0.000014 * centuries2) * sin_m +
                  (0.019993 - 0.000101 * centuries) * sin_m2 + 0.000290 * sin_m3;
  double longitude = (mean_longitude + center) * DEGREE;
  return longitude - 2 * M_PI * floor(longitude / (2 * M_PI));
}

/* The 30-degree sector (0..11, 0 from the March equinox) the Sun is in at the local midnight
 * that starts a civil day: a month without a sector change has no principal term. */
static int sun_sector(int64_t day) {
  double julian_date = (double)(day + JULIAN_DAY_OF_CIVIL_EPOCH) - 0.5 - TIME_ZONE_DAYS;
  return (int)floor(sun_longitude(julian_date) / M_PI * 6);
}

/* Index k of the new moon that starts month 11 of a solar year: the last new moon before the
 * end of the year, or the one before it when that one already has the Sun past 270 degrees
 * (sector 9, the December solstice) at its start. */
static int month_eleven_index(int year) {
  double offset =
      (double)(civil_days_from_date(year, 12, 31) + JULIAN_DAY_OF_CIVIL_EPOCH) - NEW_MOON_ORIGIN;
  int k = (int)floor(offset / SYNODIC_MONTH);
  if (sun_sector(new_moon_day(k)) >= 9)
    k--;
  return k;
}

static enum status build_sui(int year, struct sui *sui, struct error *error) {
  int first = month_eleven_index(year);
  int next = month_eleven_index(year + 1);
  sui->year = year;
  sui->month_count = next - first;
  sui->leap_index = 0;
  for (int index = 0; index <= sui->month_count; index++)
    sui->starts[index] = new_moon_day(first + index);
  if (sui->month_count == 12)
    return STATUS_OK;
  int previous = sun_sector(sui->starts[1]);
  for (int index = 1; index < sui->month_count; index++) {
    int sector = sun_sector(sui->starts[index + 1]);
    if (sector == previous) {
      sui->leap_index = index;
      return STATUS_OK;
    }
    previous = sector;
  }
  /* Cannot happen for 1900-2199 (the tests walk every sui); kept so a bug cannot pass silently. */
  return error_set(error, STATUS_RUNTIME,
                   "lunar calendar: the 13-month year from month 11 of %d has no leap month", year);
}

/* Position of a month inside its sui once the leap month is skipped: 0 is month 11, 1 month
 * 12, 2 month 1 ... 11 month 10. */
static int regular_position(const struct sui *sui, int index) {
  return sui->leap_index != 0 && index >= sui->leap_index ? index - 1 : index;
}

static struct lunar_date sui_date(const struct sui *sui, int index, int day) {
  int position = regular_position(sui, index);
  return (struct lunar_date){
      .year = position < 2 ? sui->year : sui->year + 1,
      .month = (position + 10) % 12 + 1,
      .day = day,
      .leap = sui->leap_index != 0 && index == sui->leap_index,
  };
}

static int64_t first_supported_day(void) {
  return civil_days_from_date(LUNAR_FIRST_YEAR, 1, 1);
}

static int64_t last_supported_day(void) {
  return civil_days_from_date(LUNAR_LAST_YEAR, 12, 31);
}

enum status lunar_from_solar(int64_t day, struct lunar_date *lunar, struct error *error) {
  if (day < first_supported_day() || day > last_supported_day()) {
    char text[32];
    civil_format_date(day, text, sizeof text);
    return error_set(error, STATUS_INVALID,
                     "%s is outside the supported range %d-01-01 to %d-12-31", text,
                     LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR);
  }
  int year = civil_date_from_days(day).year;
  if (day < new_moon_day(month_eleven_index(year)))
    year--;
  struct sui sui;
  enum status status = build_sui(year, &sui, error);
  if (status != STATUS_OK)
    return status;
  int index = sui.month_count - 1;
  while (sui.starts[index] > day)
    index--;
  *lunar = sui_date(&sui, index, (int)(day - sui.starts[index] + 1));
  return STATUS_OK;
}

enum status lunar_year_months(int year, struct lunar_year *months, struct error *error) {
  if (year < LUNAR_FIRST_YEAR - 1 || year > LUNAR_LAST_YEAR)
    return error_set(error, STATUS_INVALID, "lunar year %d: expected %d to %d", year,
                     LUNAR_FIRST_YEAR - 1, LUNAR_LAST_YEAR);
  /* Months 1..10 (and a leap among them) close the sui of the year before; months 11 and 12
   * (and a leap 11 or 12) open the sui of this year. */
  struct sui suis[2];
  enum status status = build_sui(year - 1, &suis[0], error);
  if (status == STATUS_OK)
    status = build_sui(year, &suis[1], error);
  if (status != STATUS_OK)
    return status;
  *months = (struct lunar_year){.year = year};
  for (int which = 0; which < 2; which++) {
    const struct sui *sui = &suis[which];
    for (int index = 0; index < sui->month_count; index++) {
      struct lunar_date date = sui_date(sui, index, 1);
      if (date.year != year)
        continue;
      months->months[months->month_count++] = (struct lunar_month){
          .month = date.month,
          .leap = date.leap,
          .first_day = sui->starts[index],
          .days = (int)(sui->starts[index + 1] - sui->starts[index]),
      };
      if (date.leap)
        months->leap_month = date.month;
    }
  }
  const struct lunar_month *last = &months->months[months->month_count - 1];
  months->next_new_year = last->first_day + last->days;
  return STATUS_OK;
}

/* Explains why a leap month that lunar_to_solar could not find does not exist. */
static enum status missing_leap_month(const struct lunar_date *lunar, const char *text,
                                      struct error *error) {
  struct lunar_year months;
  enum status status = lunar_year_months(lunar->year, &months, error);
  if (status != STATUS_OK)
    return status;
  if (months.leap_month == 0)
    return error_set(error, STATUS_INVALID,
                     "lunar %s does not exist: lunar year %d has no leap month", text, lunar->year);
  return error_set(error, STATUS_INVALID,
                   "lunar %s does not exist: the leap month of lunar year %d is %d", text,
                   lunar->year, months.leap_month);
}

enum status lunar_to_solar(const struct lunar_date *lunar, int64_t *day, struct error *error) {
  char text[LUNAR_DATE_TEXT_SIZE];
  lunar_format_date(lunar, text);
  if (lunar->month < 1 || lunar->month > 12)
    return error_set(error, STATUS_INVALID, "lunar %s: months are 1 to 12", text);
  if (lunar->day < 1 || lunar->day > 30)
    return error_set(error, STATUS_INVALID, "lunar %s: days are 1 to 30", text);
  if (lunar->year < LUNAR_FIRST_YEAR - 1 || lunar->year > LUNAR_LAST_YEAR)
    return error_set(error, STATUS_INVALID,
                     "lunar %s is outside the supported range %d-01-01 to %d-12-31", text,
                     LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR);
  struct sui sui;
  enum status status = build_sui(lunar->month >= 11 ? lunar->year : lunar->year - 1, &sui, error);
  if (status != STATUS_OK)
    return status;
  int position = (lunar->month + 1) % 12;
  int index = sui.leap_index != 0 && position >= sui.leap_index ? position + 1 : position;
  if (lunar->leap) {
    if (sui.leap_index == 0 || position != sui.leap_index - 1)
      return missing_leap_month(lunar, text, error);
    index = sui.leap_index;
  }
  int days = (int)(sui.starts[index + 1] - sui.starts[index]);
  if (lunar->day > days)
    return error_set(error, STATUS_INVALID,
                     "lunar %s does not exist: %smonth %d of lunar year %d has %d days", text,
                     lunar->leap ? "leap " : "", lunar->month, lunar->year, days);
  int64_t result = sui.starts[index] + lunar->day - 1;
  if (result < first_supported_day() || result > last_supported_day())
    return error_set(error, STATUS_INVALID,
                     "lunar %s is outside the supported range %d-01-01 to %d-12-31", text,
                     LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR);
  *day = result;
  return STATUS_OK;
}

/* Reads exactly `count` digits; -1 when they are not there. */
static int read_digits(const char *text, int count) {
  int value = 0;
  for (int i = 0; i < count; i++) {
    if (text[i] < '0' || text[i] > '9')
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

enum status lunar_parse_date(const char *text, struct lunar_date *lunar, struct error *error) {
  int year = read_digits(text, 4);
  int month = year >= 0 && text[4] == '-' ? read_digits(text + 5, 2) : -1;
  int day = month >= 0 && text[7] == '-' ? read_digits(text + 8, 2) : -1;
  if (day < 0 || text[10] != '\0')
    return error_set(error, STATUS_INVALID, "'%s': expected a lunar date as YYYY-MM-DD", text);
  if (month < 1 || month > 12)
    return error_set(error, STATUS_INVALID, "'%s': lunar months are 1 to 12", text);
  if (day < 1 || day > 30)
    return error_set(error, STATUS_INVALID, "'%s': lunar days are 1 to 30", text);
  *lunar = (struct lunar_date){.year = year, .month = month, .day = day, .leap = false};
  return STATUS_OK;
}

void lunar_format_date(const struct lunar_date *lunar, char *buffer) {
  snprintf(buffer, LUNAR_DATE_TEXT_SIZE, "%04d-%02d-%02d%s", lunar->year, lunar->month, lunar->day,
           lunar->leap ? " leap" : "");
}
