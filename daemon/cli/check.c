/*
 * check.c: `dunghen check [--rules DIR]`, validates a whole rules directory.
 *
 * Loads the rules exactly as the daemon would (rules_load) with today's date from the real
 * clock, which decides the yearly-schedule warnings. Success prints a one-line summary on
 * stdout and each warning on stderr as `warning: ...`, exit 0; the first error is printed as
 * `dunghen check: FILE:LINE:COLUMN: message`, exit 2 (1 when the files cannot be read).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "rules/rules.h"

static void print_summary(const struct rules *rules) {
  char announced[64];
  if (rules->first_announced_year == 0)
    snprintf(announced, sizeof announced, "no announced schedules");
  else if (rules->first_announced_year == rules->last_announced_year)
    snprintf(announced, sizeof announced, "announced schedule %d",
             rules->first_announced_year);
  else
    snprintf(announced, sizeof announced, "announced schedules %d-%d",
             rules->first_announced_year, rules->last_announced_year);
  struct civil_date first = civil_date_from_days(calendar_first_day(rules->calendar));
  struct civil_date last = civil_date_from_days(calendar_last_day(rules->calendar));
  size_t procedures = rules->procedures.count;
  printf("%s: %zu procedure%s, %zu holiday%s, %s, calendar %d-%d\n", rules->directory,
         procedures, procedures == 1 ? "" : "s", rules->holiday_count,
         rules->holiday_count == 1 ? "" : "s", announced, first.year, last.year);
}

int command_check(int argc, char **argv) {
  const char *option = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
      option = argv[++i];
    else if (strncmp(argv[i], "--rules=", 8) == 0)
      option = argv[i] + 8;
    else if (strcmp(argv[i], "--rules") == 0)
      return cli_usage_error("check", "--rules needs a directory");
    else
      return cli_usage_error("check", "unexpected argument '%s'", argv[i]);
  }
  struct error error;
  struct rules *rules = NULL;
  int64_t today = civil_local_day((int64_t)time(NULL));
  if (rules_load(cli_rules_directory(option), today, &rules, &error) != STATUS_OK)
    return cli_report("check", &error);
  print_summary(rules);
  for (size_t i = 0; i < rules->warning_count; i++)
    fprintf(stderr, "warning: %s\n", rules->warnings[i]);
  rules_free(rules);
  return 0;
}
