/*
 * check.c: `dunghen check [--rules DIR] [--letters DIR] [--now TS]`, validates a whole rules
 * directory.
 *
 * Loads the rules exactly as the daemon would (ruleset_load: calendar, procedures, ladder,
 * agencies, with the agencies' mail addresses) and the letter templates, and the mail wording
 * (letters/mail-*.yaml) that the directory holds. Today's date decides the yearly-schedule
 * warnings; it comes from where `dunghen once` takes "now" (service/clock.h): --now TS, else
 * $DUNGHEN_NOW, else the real clock, read once. Success prints a one-line summary on stdout and
 * each warning on stderr as `warning: ...`, exit 0. Every file is checked even when another
 * failed, and every error is printed, file by file in file order, one a line as
 * `dunghen check: FILE:LINE:COLUMN: message` (at most ERROR_LIST_SHOWN a file, then
 * `dunghen check: FILE: N more errors not shown`), exit 2 (1 when a file cannot be read).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "letter/letter.h"
#include "mail/mail_template.h"
#include "rules/rules.h"
#include "rules/ruleset.h"
#include "rules/translate.h"
#include "service/clock.h"

/* The mail wording files present in `letters` (the daemon needs them only with mail on); each
 * one's error is added to `report`. */
static void check_mail_templates(const char *letters, struct error *report) {
  for (size_t i = 0; mail_template_files[i] != NULL; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", letters, mail_template_files[i]);
    if (access(path, F_OK) != 0)
      continue;
    struct letter_template *wording = NULL;
    struct error error;
    if (mail_template_load(path, &wording, &error) != STATUS_OK)
      error_join(report, &error);
    letter_template_free(wording);
  }
}

/* Each count with its noun, in the admin's language (one plural form or several). */
static void print_summary(const struct ruleset *set) {
  const struct rules *rules = set->rules;
  char announced[128], levels[64], agencies[64], procedures[64], holidays[64];
  if (rules->first_announced_year == 0)
    snprintf(announced, sizeof announced, "%s", _("no announced schedules"));
  else if (rules->first_announced_year == rules->last_announced_year)
    snprintf(announced, sizeof announced, _("announced schedule %d"), rules->first_announced_year);
  else
    snprintf(announced, sizeof announced, _("announced schedules %d-%d"),
             rules->first_announced_year, rules->last_announced_year);
  size_t count = set->ladder->count;
  snprintf(levels, sizeof levels, ngettext("%zu escalation level", "%zu escalation levels", count),
           count);
  count = set->agencies.count;
  snprintf(agencies, sizeof agencies, ngettext("%zu agency", "%zu agencies", count), count);
  count = rules->procedures.count;
  snprintf(procedures, sizeof procedures, ngettext("%zu procedure", "%zu procedures", count),
           count);
  count = rules->holiday_count;
  snprintf(holidays, sizeof holidays, ngettext("%zu holiday", "%zu holidays", count), count);
  struct civil_date first = civil_date_from_days(calendar_first_day(rules->calendar));
  struct civil_date last = civil_date_from_days(calendar_last_day(rules->calendar));
  printf(_("%s: %s, %s, letter templates ok; %s, %s, %s, calendar %d-%d\n"), rules->directory,
         levels, agencies, procedures, holidays, announced, first.year, last.year);
}

/* `--NAME VALUE` or `--NAME=VALUE` at argv[*index]; NULL when argv[*index] is another option. */
static const char *option_value(int argc, char **argv, int *index, const char *name,
                                bool *missing) {
  size_t length = strlen(name);
  const char *argument = argv[*index];
  *missing = false;
  if (strncmp(argument, name, length) != 0)
    return NULL;
  if (argument[length] == '=')
    return argument + length + 1;
  if (argument[length] != '\0')
    return NULL;
  if (*index + 1 >= argc) {
    *missing = true;
    return NULL;
  }
  return argv[++*index];
}

/* An agency's `form: 2018` no longer decides much (core/dossier.h): say what it still does. */
static void warn_forced_forms(const struct agency_table *agencies) {
  for (size_t i = 0; i < agencies->count; i++) {
    const struct agency *agency = &agencies->agencies[i];
    if (agency->form == AGENCY_FORM_2018)
      fprintf(stderr,
              _("warning: %s:%zu:%zu: agency %s sets form: 2018; it applies only to dossiers "
                "received before 2025-07-01, every later one gets the 2025 form\n"),
              agencies->file != NULL ? agencies->file : "agencies.yaml", agency->line,
              agency->column, agency->code);
  }
}

/* The day the yearly-schedule warnings are about: --now, $DUNGHEN_NOW, or the real clock. */
static enum status read_today(const char *now_option, int64_t *today, struct error *error) {
  const char *now_text = cli_now(now_option);
  struct clock clock;
  if (now_text == NULL)
    clock_init_real(&clock);
  else if (clock_init_simulated(&clock, now_text, NULL, error) != STATUS_OK)
    return STATUS_INVALID;
  *today = civil_local_day(clock_now(&clock));
  return STATUS_OK;
}

int command_check(int argc, char **argv) {
  const char *rules_option = NULL, *letters_option = NULL, *now_option = NULL;
  for (int i = 1; i < argc; i++) {
    bool missing = false;
    const char *value;
    if ((value = option_value(argc, argv, &i, "--rules", &missing)) != NULL)
      rules_option = value;
    else if (!missing && (value = option_value(argc, argv, &i, "--letters", &missing)) != NULL)
      letters_option = value;
    else if (!missing && (value = option_value(argc, argv, &i, "--now", &missing)) != NULL)
      now_option = value;
    else if (missing)
      return strcmp(argv[i], "--now") == 0
                 ? cli_usage_error("check", "%s needs a timestamp", argv[i])
                 : cli_usage_error("check", "%s needs a directory", argv[i]);
    else
      return cli_usage_error("check", "unexpected argument '%s'", argv[i]);
  }
  struct error error;
  int64_t today;
  if (read_today(now_option, &today, &error) != STATUS_OK)
    return cli_usage_error("check", "%s", error.message);
  /* The rules, the letter templates and the mail wording are all checked, whatever fails. */
  struct error report;
  error_clear(&report);
  struct ruleset *set = NULL;
  if (ruleset_load(cli_rules_directory(rules_option), today, &set, &error) != STATUS_OK)
    error_join(&report, &error);
  struct letter_library *library = NULL;
  if (letter_library_load(cli_letters_directory(letters_option), &library, &error) != STATUS_OK)
    error_join(&report, &error);
  letter_library_free(library);
  check_mail_templates(cli_letters_directory(letters_option), &report);
  if (report.status != STATUS_OK) {
    ruleset_release(set);
    return cli_report("check", &report);
  }
  print_summary(set);
  for (size_t i = 0; i < set->rules->warning_count; i++)
    fprintf(stderr, _("warning: %s\n"), set->rules->warnings[i]);
  warn_forced_forms(&set->agencies);
  ruleset_release(set);
  return 0;
}
