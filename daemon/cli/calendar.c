/*
 * calendar.c: `dunghen calendar --year Y [--rules DIR]`, the exception days of one year.
 *
 * Loads the rules directory's calendar.yaml and prints, in date order, every day whose status
 * differs from the weekly pattern: `YYYY-MM-DD<TAB>off<TAB>reason` for a weekday not worked,
 * `YYYY-MM-DD<TAB>work<TAB>reason` for a rest day worked. A year outside the calendar's range,
 * or a broken calendar file, exits 2.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "rules/calendar_rules.h"
#include "rules/rules.h"
#include "rules/translate.h"

static int parse_year(const char *text, int *year) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE)
    return cli_usage_error("calendar", "--year needs a year such as 2026, not '%s'", text);
  if (value < CALENDAR_FIRST_YEAR || value > CALENDAR_LAST_YEAR) {
    fprintf(stderr, _("dunghen calendar: year %ld is outside the calendar (%d-%d)\n"), value,
            CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
    return STATUS_INVALID;
  }
  *year = (int)value;
  return 0;
}

static void print_exceptions(const struct calendar *calendar, int year) {
  int64_t last = civil_days_from_date(year, 12, 31);
  for (int64_t day = civil_days_from_date(year, 1, 1); day <= last; day++) {
    bool working = calendar_is_working_day(calendar, day);
    if (working == calendar_weekday_working(calendar, (int)civil_weekday(day)))
      continue;
    char date[32];
    civil_format_date(day, date, sizeof date);
    const char *reason = calendar_reason(calendar, day);
    printf("%s\t%s\t%s\n", date, working ? "work" : "off", reason != NULL ? reason : "");
  }
}

int command_calendar(int argc, char **argv) {
  const char *option = NULL;
  const char *year_text = NULL;
  for (int i = 1; i < argc; i++) {
    if ((strcmp(argv[i], "--rules") == 0 || strcmp(argv[i], "--year") == 0) && i + 1 >= argc)
      return cli_usage_error("calendar", "%s needs a value", argv[i]);
    if (strcmp(argv[i], "--rules") == 0)
      option = argv[++i];
    else if (strncmp(argv[i], "--rules=", 8) == 0)
      option = argv[i] + 8;
    else if (strcmp(argv[i], "--year") == 0)
      year_text = argv[++i];
    else if (strncmp(argv[i], "--year=", 7) == 0)
      year_text = argv[i] + 7;
    else
      return cli_usage_error("calendar", "unexpected argument '%s'", argv[i]);
  }
  if (year_text == NULL)
    return cli_usage_error("calendar", "missing --year Y");
  int year = 0;
  int status = parse_year(year_text, &year);
  if (status != 0)
    return status;
  struct error error;
  char path[PATH_MAX];
  if (rules_locate(cli_rules_directory(option), "calendar.yaml", path, sizeof path, &error) !=
      STATUS_OK)
    return cli_report("calendar", &error);
  struct calendar *calendar = NULL;
  enum status loaded = calendar_rules_load_file(path, &calendar, NULL, &error);
  if (loaded != STATUS_OK)
    return cli_report("calendar", &error);
  print_exceptions(calendar, year);
  calendar_free(calendar);
  return 0;
}
