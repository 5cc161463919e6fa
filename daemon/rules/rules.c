/*
 * rules.c: loads a rules directory as one immutable set (see rules.h).
 *
 * Order: calendar.yaml (the frozen calendar and what it announced), then procedures.yaml. Both
 * files are checked even when the first fails, and the error names every failure of both
 * (rules/error_list.h); nothing half-built escapes. Warnings are facts an admin should
 * act on but that do not make the set unusable: a year around `today` without an announced
 * schedule is computed from the statutory rules alone, which misses the yearly swaps.
 */
#include "rules/rules.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil.h"
#include "rules/calendar_rules.h"
#include "rules/translate.h"

enum status rules_locate(const char *search_path, const char *name, char *path, size_t size,
                         struct error *error) {
  const char *start = search_path;
  for (;;) {
    const char *end = strchr(start, ':');
    size_t length = end != NULL ? (size_t)(end - start) : strlen(start);
    if (length > 0) {
      int written = snprintf(path, size, "%.*s/%s", (int)length, start, name);
      if (written > 0 && (size_t)written < size && access(path, F_OK) == 0)
        return STATUS_OK;
    }
    if (end == NULL)
      break;
    start = end + 1;
  }
  return error_set(error, STATUS_INVALID, _("%s: no such rules file in %s"), name, search_path);
}

static enum status add_warning(struct rules *rules, struct error *error, const char *format, ...)
    DUNGHEN_PRINTF(3, 4);

static enum status add_warning(struct rules *rules, struct error *error, const char *format, ...) {
  if (rules->warning_count == RULES_MAX_WARNINGS)
    return STATUS_OK;
  char text[ERROR_MESSAGE_SIZE];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  char *copy = strdup(text);
  if (copy == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  rules->warnings[rules->warning_count++] = copy;
  return STATUS_OK;
}

static enum status load_calendar(struct rules *rules, int64_t today, struct error *error) {
  char path[PATH_MAX];
  enum status status = rules_locate(rules->directory, "calendar.yaml", path, sizeof path, error);
  if (status != STATUS_OK)
    return status;
  struct calendar_rules_summary summary;
  status = calendar_rules_load_file(path, &rules->calendar, &summary, error);
  if (status != STATUS_OK)
    return status;
  rules->holiday_count = summary.holiday_count;
  rules->first_announced_year = summary.first_announced_year;
  rules->last_announced_year = summary.last_announced_year;
  for (size_t i = 0; i < summary.gap_count && status == STATUS_OK; i++) {
    const struct calendar_rules_gap *gap = &summary.gaps[i];
    struct civil_date date = civil_date_from_days(gap->day);
    char day[16];
    civil_format_date(gap->day, day, sizeof day);
    status = add_warning(rules, error,
                         _("%s:%zu:%zu: the announced schedule of %d does not list %s on %s, a "
                           "statutory day off: it counts as a working day until the year's "
                           "days_off say so"),
                         path, gap->line, gap->column, date.year, gap->holiday, day);
  }
  if (status == STATUS_OK && summary.gaps_left_out > 0)
    status = add_warning(rules, error,
                         dngettext(DUNGHEN_GETTEXT_PACKAGE,
                                   "%s: %zu more statutory day off missing from announced "
                                   "schedules",
                                   "%s: %zu more statutory days off missing from announced "
                                   "schedules",
                                   summary.gaps_left_out),
                         path, summary.gaps_left_out);
  int year = civil_date_from_days(today).year;
  for (int check = year; check <= year + 1 && status == STATUS_OK; check++)
    if (check >= CALENDAR_FIRST_YEAR && check <= CALENDAR_LAST_YEAR &&
        !calendar_rules_is_announced(&summary, check))
      status =
          add_warning(rules, error, _("%d: no announced schedule; statutory holidays only"), check);
  return status;
}

static enum status load_procedures(struct rules *rules, struct error *error) {
  char path[PATH_MAX];
  enum status status = rules_locate(rules->directory, "procedures.yaml", path, sizeof path, error);
  if (status != STATUS_OK)
    return status;
  return procedures_load_file(path, &rules->procedures, error);
}

enum status rules_load(const char *directory, int64_t today, struct rules **rules,
                       struct error *error) {
  *rules = NULL;
  struct rules *loaded = calloc(1, sizeof *loaded);
  if (loaded == NULL || (loaded->directory = strdup(directory)) == NULL) {
    free(loaded);
    return error_set(error, STATUS_RUNTIME, "out of memory");
  }
  struct error report, one;
  error_clear(&report);
  if (load_calendar(loaded, today, &one) != STATUS_OK)
    error_join(&report, &one);
  if (load_procedures(loaded, &one) != STATUS_OK)
    error_join(&report, &one);
  if (report.status != STATUS_OK) {
    rules_free(loaded);
    if (error != NULL)
      *error = report;
    return report.status;
  }
  *rules = loaded;
  return STATUS_OK;
}

void rules_free(struct rules *rules) {
  if (rules == NULL)
    return;
  calendar_free(rules->calendar);
  procedures_free(&rules->procedures);
  for (size_t i = 0; i < rules->warning_count; i++)
    free(rules->warnings[i]);
  free(rules->directory);
  free(rules);
}
