#include "core/civil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool civil_is_leap_year(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_days_in_month(int year, int month) {
  static const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && civil_is_leap_year(year))
    return 29;
  return lengths[month - 1];
}

bool civil_date_valid(int year, int month, int day) {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= civil_days_in_month(year, month);
}

/* Howard Hinnant's days_from_civil: exact over the whole proleptic Gregorian range. */
int64_t civil_days_from_date(int year, int month, int day) {
  int64_t y = (int64_t)year - (month <= 2);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t year_of_era = y - era * 400;
  int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

struct civil_date civil_date_from_days(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t day_of_era = z - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t shifted_month = (5 * day_of_year + 2) / 153;
  struct civil_date date;
  date.day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  date.month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  date.year = (int)(year_of_era + era * 400 + (date.month <= 2));
  return date;
}

enum weekday civil_weekday(int64_t days) {
  /* 1970-01-01 was a Thursday. */
  int64_t index = (days + 3) % 7;
  if (index < 0)
    index += 7;
  return (enum weekday)index;
}

static int64_t floor_divide(int64_t numerator, int64_t denominator) {
  int64_t quotient = numerator / denominator;
  if ((numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)))
    quotient--;
  return quotient;
}

int64_t civil_local_day(int64_t instant) {
  return floor_divide(instant + LOCAL_OFFSET_SECONDS, SECONDS_PER_DAY);
}

int civil_local_second_of_day(int64_t instant) {
  return (int)(instant + LOCAL_OFFSET_SECONDS - civil_local_day(instant) * SECONDS_PER_DAY);
}

int64_t civil_instant_from_local(int64_t day, int second_of_day) {
  return day * SECONDS_PER_DAY + second_of_day - LOCAL_OFFSET_SECONDS;
}

/* Reads exactly `count` digits; returns -1 when they are not there. */
static int read_digits(const char **cursor, int count) {
  int value = 0;
  for (int i = 0; i < count; i++) {
    if (!isdigit((unsigned char)(*cursor)[i]))
      return -1;
    value = value * 10 + ((*cursor)[i] - '0');
  }
  *cursor += count;
  return value;
}

static enum status parse_date_prefix(const char **cursor, struct civil_date *date, const char *text,
                                     struct error *error) {
  int year = read_digits(cursor, 4);
  if (year < 0 || **cursor != '-')
    return error_set(error, STATUS_INVALID, "'%s': expected a date as YYYY-MM-DD", text);
  (*cursor)++;
  int month = read_digits(cursor, 2);
  if (month < 0 || **cursor != '-')
    return error_set(error, STATUS_INVALID, "'%s': expected a date as YYYY-MM-DD", text);
  (*cursor)++;
  int day = read_digits(cursor, 2);
  if (day < 0)
    return error_set(error, STATUS_INVALID, "'%s': expected a date as YYYY-MM-DD", text);
  if (!civil_date_valid(year, month, day))
    return error_set(error, STATUS_INVALID, "'%s': no such date", text);
  *date = (struct civil_date){year, month, day};
  return STATUS_OK;
}

enum status civil_parse_date(const char *text, struct civil_date *date, struct error *error) {
  const char *cursor = text;
  enum status status = parse_date_prefix(&cursor, date, text, error);
  if (status != STATUS_OK)
    return status;
  if (*cursor != '\0')
    return error_set(error, STATUS_INVALID, "'%s': unexpected text after the date", text);
  return STATUS_OK;
}

enum status civil_parse_clock(const char *text, int *second_of_day, struct error *error) {
  const char *cursor = text;
  int hour = read_digits(&cursor, 2);
  int minute = -1;
  if (hour >= 0 && *cursor == ':') {
    cursor++;
    minute = read_digits(&cursor, 2);
  }
  if (minute < 0 || *cursor != '\0')
    return error_set(error, STATUS_INVALID, "'%s': expected a time as HH:MM", text);
  if (hour > 24 || minute > 59 || (hour == 24 && minute != 0))
    return error_set(error, STATUS_INVALID, "'%s': no such time of day", text);
  *second_of_day = hour * 3600 + minute * 60;
  return STATUS_OK;
}

static enum status parse_offset(const char **cursor, int *offset, const char *text,
                                struct error *error) {
  if (**cursor == 'Z') {
    (*cursor)++;
    *offset = 0;
    return STATUS_OK;
  }
  int sign = **cursor == '-' ? -1 : 1;
  (*cursor)++;
  int hours = read_digits(cursor, 2);
  if (**cursor == ':')
    (*cursor)++;
  int minutes = read_digits(cursor, 2);
  if (hours < 0 || minutes < 0 || hours > 14 || minutes > 59)
    return error_set(error, STATUS_INVALID, "'%s': bad UTC offset", text);
  *offset = sign * (hours * 3600 + minutes * 60);
  return STATUS_OK;
}

enum status civil_parse_timestamp(const char *text, int64_t *instant, struct error *error) {
  const char *cursor = text;
  struct civil_date date;
  enum status status = parse_date_prefix(&cursor, &date, text, error);
  if (status != STATUS_OK)
    return status;
  int hour = 0, minute = 0, second = 0;
  if (*cursor == 'T' || *cursor == ' ') {
    cursor++;
    hour = read_digits(&cursor, 2);
    if (hour < 0 || *cursor != ':')
      return error_set(error, STATUS_INVALID, "'%s': expected a time as HH:MM[:SS]", text);
    cursor++;
    minute = read_digits(&cursor, 2);
    if (minute < 0)
      return error_set(error, STATUS_INVALID, "'%s': expected a time as HH:MM[:SS]", text);
    if (*cursor == ':') {
      cursor++;
      second = read_digits(&cursor, 2);
      if (second < 0)
        return error_set(error, STATUS_INVALID, "'%s': expected seconds after HH:MM:", text);
    }
    if (hour > 23 || minute > 59 || second > 59)
      return error_set(error, STATUS_INVALID, "'%s': no such time of day", text);
  }
  int offset = LOCAL_OFFSET_SECONDS;
  if (*cursor == 'Z' || *cursor == '+' || *cursor == '-') {
    status = parse_offset(&cursor, &offset, text, error);
    if (status != STATUS_OK)
      return status;
  }
  if (*cursor != '\0')
    return error_set(error, STATUS_INVALID, "'%s': unexpected text after the timestamp", text);
  int64_t day = civil_days_from_date(date.year, date.month, date.day);
  *instant = day * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
  return STATUS_OK;
}

void civil_format_timestamp(int64_t instant, char *buffer) {
  /* Sentinels such as INT64_MAX ("never") must not overflow the arithmetic below. */
  if (instant < CIVIL_MIN_INSTANT || instant > CIVIL_MAX_INSTANT) {
    snprintf(buffer, TIMESTAMP_TEXT_SIZE, "(no date)");
    return;
  }
  int64_t day = civil_local_day(instant);
  int second_of_day = civil_local_second_of_day(instant);
  struct civil_date date = civil_date_from_days(day);
  snprintf(buffer, TIMESTAMP_TEXT_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", date.year,
           date.month, date.day, second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
}

void civil_format_date(int64_t day, char *buffer, size_t size) {
  struct civil_date date = civil_date_from_days(day);
  snprintf(buffer, size, "%04d-%02d-%02d", date.year, date.month, date.day);
}
