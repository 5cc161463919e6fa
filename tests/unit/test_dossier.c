/*
 * The apology letter's decisions (core/dossier.h): the data-driven table tests/data/
 * apology.tsv on the shipped calendar (issue day, new date, wording, form, and the statutory
 * deadline the one request builder gives), the derivation's lines, and the checks that
 * `dunghen letter` applies to a letter described by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/dossier.h"
#include "core/explanation.h"
#include "rules/rules.h"
#include "tap.h"

enum { FIELDS = 15, LINE_SIZE = 1024 };

static int64_t instant_of(const char *text) {
  int64_t instant = 0;
  struct error error;
  if (civil_parse_timestamp(text, &instant, &error) != STATUS_OK)
    tap_diagnostic("bad timestamp in the table: %s", text);
  return instant;
}

static int64_t day_of(const char *text) {
  struct civil_date date;
  struct error error;
  if (civil_parse_date(text, &date, &error) != STATUS_OK)
    tap_diagnostic("bad date in the table: %s", text);
  return civil_days_from_date(date.year, date.month, date.day);
}

static size_t split(char *line, char *fields[FIELDS]) {
  size_t count = 0;
  for (char *field = strtok(line, "\t\n"); field != NULL && count < FIELDS;
       field = strtok(NULL, "\t\n"))
    fields[count++] = field;
  return count;
}

/* The pause column: FROM/TO/KIND. */
static size_t read_pause(char *text, struct pause_interval *pause, bool *supplement) {
  if (strcmp(text, "-") == 0)
    return 0;
  char *from = strtok(text, "/"), *to = strtok(NULL, "/"), *kind = strtok(NULL, "/");
  pause->from = instant_of(from);
  pause->to = instant_of(to);
  *supplement = kind != NULL && strcmp(kind, "supplement") == 0;
  return 1;
}

static void run_case(const struct calendar *calendar, char *fields[FIELDS]) {
  const char *name = fields[0];
  struct procedure_version version = {0};
  struct error error;
  if (deadline_parse_duration(fields[2], &version.durations[CHANNEL_DIRECT], &error) != STATUS_OK)
    tap_diagnostic("%s: %s", name, error.message);
  version.counting = strcmp(fields[3], "days") == 0 ? COUNTING_DAYS : COUNTING_HOURS;
  version.cutoff = NO_CUTOFF;
  version.supplement = strcmp(fields[4], "restart") == 0 ? SUPPLEMENT_RESTART : SUPPLEMENT_PAUSE;
  version.extension = (struct duration){5, UNIT_WORKING_DAYS};
  struct pause_interval pause;
  bool supplement = false;
  size_t pauses = read_pause(fields[5], &pause, &supplement);
  struct deadline_request request;
  procedure_deadline_request(&version, CHANNEL_DIRECT, instant_of(fields[1]), &pause, pauses,
                             supplement, &request);
  struct deadline_result deadline;
  if (deadline_compute(calendar, &request, &deadline, NULL, &error) != STATUS_OK) {
    tap_ok(false, "%s: the deadline: %s", name, error.message);
    return;
  }
  tap_is_integer(deadline.deadline, instant_of(fields[9]), "%s: the statutory deadline", name);
  struct apology_facts facts = {
      .received_at = instant_of(fields[1]),
      .deadline = deadline.deadline,
      .promised_at = strcmp(fields[6], "-") == 0 ? deadline.deadline : instant_of(fields[6]),
      .version = &version,
      .agency_prefers_2018 = strcmp(fields[7], "2018") == 0,
      .now = instant_of(fields[8]),
  };
  struct apology_decision decision;
  if (dossier_apology(calendar, &facts, &decision, NULL, &error) != STATUS_OK) {
    tap_ok(false, "%s: decided: %s", name, error.message);
    return;
  }
  tap_is_integer(decision.issue_day, day_of(fields[10]), "%s: the letter's date", name);
  tap_is_integer(decision.new_date, instant_of(fields[11]), "%s: the new date", name);
  tap_is_string(decision.wording == APOLOGY_BEFORE_DEADLINE ? "before" : "after", fields[12],
                "%s: the wording", name);
  tap_is_string(decision.form == APOLOGY_FORM_2018 ? "2018" : "2025", fields[13], "%s: the form",
                name);
  tap_ok(calendar_is_working_day(calendar, decision.issue_day) &&
             decision.new_date > facts.promised_at && decision.new_date > deadline.deadline &&
             decision.new_date > decision.issue_instant,
         "%s: dated on a working day, new date after the promise, the deadline and the letter",
         name);
  enum apology_field field;
  tap_ok(dossier_apology_check(calendar, facts.received_at, facts.promised_at, decision.issue_day,
                               decision.new_date, decision.form, &field, &error) == STATUS_OK,
         "%s: the decided letter passes the hand-written letter's checks", name);
}

static void test_table(const struct calendar *calendar) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/data/apology.tsv", getenv("DUNGHEN_SOURCE_ROOT"));
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    tap_ok(false, "open %s", path);
    return;
  }
  char line[LINE_SIZE];
  size_t cases = 0;
  while (fgets(line, sizeof line, file) != NULL) {
    if (line[0] == '#' || line[0] == '\n')
      continue;
    char *fields[FIELDS];
    size_t count = split(line, fields);
    if (count != FIELDS - 1) {
      tap_ok(false, "a table line has %zu fields, not %d", count, FIELDS - 1);
      continue;
    }
    run_case(calendar, fields);
    cases++;
  }
  fclose(file);
  tap_ok(cases >= 16, "the table has %zu cases", cases);
}

static bool contains_line(const struct explanation *explanation, const char *text) {
  for (size_t i = 0; i < explanation->count; i++)
    if (strstr(explanation->lines[i], text) != NULL)
      return true;
  return false;
}

static void test_explanation(const struct calendar *calendar) {
  struct procedure_version version = {.counting = COUNTING_HOURS,
                                      .extension = {5, UNIT_WORKING_DAYS}};
  struct apology_facts facts = {
      .received_at = instant_of("2026-02-09T10:00"),
      .deadline = instant_of("2026-02-23T10:00"),
      .promised_at = instant_of("2026-02-23T10:00"),
      .version = &version,
      .now = instant_of("2026-02-17T08:00"),
  };
  struct explanation explanation;
  explanation_init(&explanation);
  struct apology_decision decision;
  struct error error;
  tap_ok(dossier_apology(calendar, &facts, &decision, &explanation, &error) == STATUS_OK,
         "decided with an explanation");
  tap_ok(contains_line(&explanation, "drafted on 2026-02-17, not a working day"),
         "the explanation says the draft fell on a day off");
  tap_ok(contains_line(&explanation, "skipped 2026-02-17 (Tuesday): Tết"),
         "it names the Tết days skipped to reach the letter's date");
  tap_ok(contains_line(&explanation, "letter dated 2026-02-23, the next working day"),
         "it gives the letter's date");
  tap_ok(contains_line(&explanation, "counted from 2026-02-23T10:00:00+07:00 (the statutory "
                                     "deadline)"),
         "it says what the new date is counted from, and why");
  tap_ok(contains_line(&explanation, "new date 2026-03-02T10:00:00+07:00"),
         "it ends with the new date");
  tap_ok(contains_line(&explanation, "wording: before the promised time"), "it names the wording");
  explanation_free(&explanation);
}

static void test_checks(const struct calendar *calendar) {
  enum apology_field field = APOLOGY_FIELD_FORM;
  struct error error;
  int64_t received = instant_of("2026-01-15T09:12"), promised = instant_of("2026-02-04T16:00");
  tap_ok(dossier_apology_check(calendar, received, promised, day_of("2026-02-05"),
                               instant_of("2026-02-11T16:00"), APOLOGY_FORM_2025, &field,
                               &error) == STATUS_OK,
         "a coherent letter passes");
  tap_is_integer(dossier_apology_check(calendar, received, promised, day_of("2026-02-17"),
                                       instant_of("2026-02-25T16:00"), APOLOGY_FORM_2025, &field,
                                       &error),
                 STATUS_INVALID, "a letter dated on mùng 1 Tết is refused");
  tap_is_integer(field, APOLOGY_FIELD_ISSUE_DAY, "the date is the field at fault");
  tap_is_string(error.message,
                "the letter is dated 2026-02-17, not a working day (Tết Nguyên Đán (Lunar New "
                "Year) — Ministry of Home Affairs notice 9441/TB-BNV of 16/10/2025): date it on "
                "the next working day",
                "the message names the day and why it is off");
  tap_is_integer(dossier_apology_check(calendar, received, promised, day_of("2026-02-07"),
                                       instant_of("2026-02-11T16:00"), APOLOGY_FORM_2025, &field,
                                       &error),
                 STATUS_INVALID, "a letter dated on a Saturday off is refused");
  tap_is_integer(dossier_apology_check(calendar, received, promised, day_of("2026-01-10"),
                                       instant_of("2026-02-11T16:00"), APOLOGY_FORM_2025, &field,
                                       &error),
                 STATUS_OK, "a letter dated on the worked Saturday 10/1/2026 passes");
  tap_is_integer(dossier_apology_check(calendar, received, promised, day_of("2026-02-03"),
                                       instant_of("2026-02-04T16:00"), APOLOGY_FORM_2025, &field,
                                       &error),
                 STATUS_INVALID, "a new date equal to the promised time is refused");
  tap_is_integer(field, APOLOGY_FIELD_NEW_DATE, "the new date is the field at fault");
  tap_is_string(error.message,
                "the new date 2026-02-04T16:00:00+07:00 is not after the promised time "
                "2026-02-04T16:00:00+07:00",
                "the message gives both times");
  tap_is_integer(dossier_apology_check(calendar, received, promised, day_of("2026-02-12"),
                                       instant_of("2026-02-11T16:00"), APOLOGY_FORM_2025, &field,
                                       &error),
                 STATUS_INVALID, "a new date before the letter's own date is refused");
  tap_is_integer(dossier_apology_check(calendar, received, promised, day_of("2026-02-05"),
                                       instant_of("2026-02-11T16:00"), APOLOGY_FORM_2018, &field,
                                       &error),
                 STATUS_INVALID, "the 2018 form for a dossier received in 2026 is refused");
  tap_is_integer(field, APOLOGY_FIELD_FORM, "the form is the field at fault");
  tap_is_integer(dossier_apology_check(calendar, instant_of("2025-06-30T16:00"),
                                       instant_of("2025-07-07T16:00"), day_of("2025-07-08"),
                                       instant_of("2025-07-15T16:00"), APOLOGY_FORM_2018, &field,
                                       &error),
                 STATUS_OK, "the 2018 form for a dossier received on 30 June 2025 passes");
  tap_is_integer(dossier_apology_form(instant_of("2025-06-30T23:59"), true), APOLOGY_FORM_2018,
                 "30 June 2025 23:59 local is before the 2025 form");
  tap_is_integer(dossier_apology_form(instant_of("2025-07-01T00:00"), true), APOLOGY_FORM_2025,
                 "1 July 2025 00:00 local takes the 2025 form");
}

int main(void) {
  const char *directory = getenv("DUNGHEN_RULES");
  struct rules *rules = NULL;
  struct error error;
  if (directory == NULL ||
      rules_load(directory, day_of("2026-03-01"), &rules, &error) != STATUS_OK) {
    tap_ok(false, "the shipped rules load: %s",
           directory == NULL ? "DUNGHEN_RULES unset" : error.message);
    return tap_finish();
  }
  test_table(rules->calendar);
  test_explanation(rules->calendar);
  test_checks(rules->calendar);
  rules_free(rules);
  return tap_finish();
}
