/*
 * The decisions about one dossier (core/dossier.h). Its clock: the data-driven table
 * tests/data/dossier.tsv (flag reasons, states, episodes, due levels, next instants, deadlines,
 * new dates) on the shipped calendar and ladder with the catalogue of tests/data/dossier-rules/,
 * the escalations' reasons, and the same facts under two ladders. The apology letter: the
 * table tests/data/apology.tsv on the shipped calendar (issue day, new date, wording, form, and
 * the statutory deadline the one request builder gives), the derivation's lines, and the checks
 * that `dunghen letter` applies to a letter described by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/dossier.h"
#include "core/explanation.h"
#include "rules/ladder.h"
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

static size_t split(char *line, char **fields, size_t capacity) {
  size_t count = 0;
  for (char *field = strtok(line, "\t\n"); field != NULL && count < capacity;
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
    size_t count = split(line, fields, FIELDS);
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

/* ---- the dossier's clock: tests/data/dossier.tsv ---- */

enum {
  CASE_FIELDS = 21,
  CASE_LINE_SIZE = 4096,
  CASE_PAUSES = 80,
  CASE_FIRED = 16,
  TEXT_SIZE = 512,
};

static const char *const agency_codes[] = {"AG1", "AG2"}; /* sorted */
static const char *const form_2018_agencies[] = {"AG2"};

/* A field that may be SQL NULL: '-'. */
static const char *nullable(const char *field) {
  return strcmp(field, "-") == 0 ? NULL : field;
}

/* An instant as the table writes it: local, seconds only when there are some; "-" for none. */
static void local_text(int64_t instant, bool present, char text[TEXT_SIZE]) {
  if (!present || instant == LADDER_NEVER) {
    snprintf(text, TEXT_SIZE, "-");
    return;
  }
  char day[16];
  civil_format_date(civil_local_day(instant), day, sizeof day);
  int64_t second = civil_local_second_of_day(instant);
  if (second % 60 != 0)
    snprintf(text, TEXT_SIZE, "%sT%02d:%02d:%02d", day, (int)(second / 3600),
             (int)(second / 60 % 60), (int)(second % 60));
  else
    snprintf(text, TEXT_SIZE, "%sT%02d:%02d", day, (int)(second / 3600), (int)(second / 60 % 60));
}

/* An expected instant of the table, rewritten as local_text writes it. */
static void expected_instant(const char *field, char text[TEXT_SIZE]) {
  if (strcmp(field, "-") == 0)
    snprintf(text, TEXT_SIZE, "-");
  else
    local_text(instant_of(field), true, text);
}

/* Where one case's facts point. */
struct case_facts {
  struct dossier_facts facts;
  struct dossier_pause pauses[CASE_PAUSES];
  struct dossier_fired_level fired[CASE_FIRED];
  char fired_text[TEXT_SIZE];
};

/* FROM/TO/KIND joined by ',', each may be N*FROM/TO/KIND. */
static void read_pauses(char *text, struct case_facts *storage) {
  struct dossier_facts *facts = &storage->facts;
  facts->pauses = storage->pauses;
  if (strcmp(text, "-") == 0)
    return;
  char *save = NULL;
  for (char *item = strtok_r(text, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
    long repeat = 1;
    char *star = strchr(item, '*');
    if (star != NULL) {
      repeat = strtol(item, NULL, 10);
      item = star + 1;
    }
    char *inner = NULL;
    const char *from = strtok_r(item, "/", &inner), *to = strtok_r(NULL, "/", &inner);
    const char *kind = nullable(strtok_r(NULL, "/", &inner));
    struct dossier_pause pause = {
        .has_from = strcmp(from, "?") != 0,
        .from = strcmp(from, "?") != 0 ? instant_of(from) : 0,
        .to = strcmp(to, "open") != 0 ? instant_of(to) : PAUSE_OPEN,
        .kind = dossier_pause_kind_from_text(kind),
        .kind_text = kind,
    };
    for (long i = 0; i < repeat && facts->pause_count < CASE_PAUSES; i++)
      storage->pauses[facts->pause_count++] = pause;
  }
}

/* LEVEL:EPISODE joined by ','. */
static void read_fired(const char *text, struct case_facts *storage) {
  struct dossier_facts *facts = &storage->facts;
  facts->fired = storage->fired;
  if (strcmp(text, "-") == 0)
    return;
  snprintf(storage->fired_text, sizeof storage->fired_text, "%s", text);
  char *save = NULL;
  for (char *item = strtok_r(storage->fired_text, ",", &save);
       item != NULL && facts->fired_count < CASE_FIRED; item = strtok_r(NULL, ",", &save)) {
    char *colon = strchr(item, ':');
    *colon = '\0';
    storage->fired[facts->fired_count++] =
        (struct dossier_fired_level){item, (int)strtol(colon + 1, NULL, 10)};
  }
}

/* Columns 2-14 of a case, converted as the store converts a row. */
static void read_facts(char *fields[CASE_FIELDS], struct case_facts *storage) {
  memset(storage, 0, sizeof *storage);
  struct dossier_facts *facts = &storage->facts;
  facts->code = nullable(fields[2]);
  facts->copies = strtoll(fields[3], NULL, 10);
  facts->status_text = nullable(fields[4]);
  facts->status = dossier_status_from_text(facts->status_text);
  facts->channel_text = nullable(fields[5]);
  facts->channel = dossier_channel_from_text(facts->channel_text);
  facts->procedure_code = nullable(fields[6]);
  facts->agency_code = nullable(fields[7]);
  facts->has_received = strcmp(fields[8], "-") != 0;
  facts->received_at = facts->has_received ? instant_of(fields[8]) : 0;
  facts->has_finished = strcmp(fields[9], "-") != 0;
  facts->finished_at = facts->has_finished ? instant_of(fields[9]) : 0;
  read_pauses(fields[10], storage);
  facts->delay_reason = strcmp(fields[11], "yes") == 0;
  facts->has_appointment = strcmp(fields[12], "-") != 0;
  facts->appointment_at = facts->has_appointment ? instant_of(fields[12]) : 0;
  read_fired(fields[13], storage);
  facts->rescheduled = strcmp(fields[14], "-") != 0;
  facts->new_deadline = facts->rescheduled ? instant_of(fields[14]) : 0;
  facts->rescheduled_at = facts->new_deadline;
}

/* The due levels as the table writes them. */
static void due_text(const struct ladder *ladder, const struct dossier_evaluation *evaluation,
                     char text[TEXT_SIZE]) {
  size_t used = 0;
  text[0] = '\0';
  for (size_t i = 0; i < ladder->count; i++) {
    uint32_t bit = UINT32_C(1) << i;
    if ((evaluation->due & bit) == 0)
      continue;
    used += (size_t)snprintf(text + used, TEXT_SIZE - used, "%s%s%s", used > 0 ? "," : "",
                             ladder->levels[i].name,
                             (evaluation->delay_triggered & bit) != 0 ? "*" : "");
  }
  if (used == 0)
    snprintf(text, TEXT_SIZE, "-");
}

static void run_evaluation_case(const struct dossier_rules *rules, char *fields[CASE_FIELDS]) {
  const char *name = fields[0];
  struct case_facts storage;
  read_facts(fields, &storage);
  struct dossier_evaluation evaluation;
  dossier_evaluate(rules, &storage.facts, instant_of(fields[1]), &evaluation);
  bool flagged = evaluation.state == DOSSIER_FLAGGED;
  tap_is_string(flagged ? evaluation.flag : dossier_state_name(evaluation.state), fields[15],
                "%s: %s", name, flagged ? "the flag" : "the state");
  tap_is_integer(evaluation.episode, strtol(fields[16], NULL, 10), "%s: the episode", name);
  char got[TEXT_SIZE], expected[TEXT_SIZE];
  due_text(rules->ladder, &evaluation, got);
  tap_is_string(got, fields[17], "%s: the levels due", name);
  local_text(evaluation.next_instant, true, got);
  expected_instant(fields[18], expected);
  tap_is_string(got, expected, "%s: the next instant", name);
  if (evaluation.stopped)
    snprintf(got, sizeof got, "stopped/%lld", (long long)evaluation.deadline.remaining_seconds);
  else
    local_text(evaluation.deadline.deadline, evaluation.has_deadline, got);
  if (strncmp(fields[19], "stopped/", 8) == 0)
    snprintf(expected, sizeof expected, "%s", fields[19]);
  else
    expected_instant(fields[19], expected);
  tap_is_string(got, expected, "%s: the deadline", name);
  local_text(evaluation.new_deadline, evaluation.rescheduled, got);
  expected_instant(fields[20], expected);
  tap_is_string(got, expected, "%s: the new date", name);
  uint32_t letter = UINT32_C(1) << ladder_find(rules->ladder, "apology");
  tap_ok(flagged == (evaluation.flag[0] != '\0') && (flagged || evaluation.version != NULL) &&
             evaluation.apology_decided == ((evaluation.due & letter) != 0),
         "%s: flag, version and letter hold together", name);
}

static void test_evaluation_table(const struct dossier_rules *rules) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/data/dossier.tsv", getenv("DUNGHEN_SOURCE_ROOT"));
  FILE *file = fopen(path, "r");
  if (file == NULL) {
    tap_ok(false, "open %s", path);
    return;
  }
  static char line[CASE_LINE_SIZE];
  size_t cases = 0;
  while (fgets(line, sizeof line, file) != NULL) {
    if (line[0] == '#' || line[0] == '\n')
      continue;
    char *fields[CASE_FIELDS + 1];
    size_t count = split(line, fields, CASE_FIELDS + 1);
    if (count != CASE_FIELDS) {
      tap_ok(false, "a table line has %zu fields, not %d", count, CASE_FIELDS);
      continue;
    }
    run_evaluation_case(rules, fields);
    cases++;
  }
  fclose(file);
  tap_ok(cases >= 30, "the table has %zu cases", cases);
}

/* Facts of the table's default dossier: received Monday 2025-03-03 08:00, AG1, direct. */
static struct dossier_facts default_facts(void) {
  return (struct dossier_facts){
      .code = "HS-1",
      .copies = 1,
      .status = SOURCE_PROCESSING,
      .procedure_code = "1.004884",
      .agency_code = "AG1",
      .channel = CHANNEL_DIRECT,
      .has_received = true,
      .received_at = instant_of("2025-03-03T08:00"),
  };
}

static void reason_of(const struct dossier_rules *rules, const struct dossier_facts *facts,
                      const char *now, const char *level, char reason[DOSSIER_REASON_SIZE]) {
  struct dossier_evaluation evaluation;
  dossier_evaluate(rules, facts, instant_of(now), &evaluation);
  int index = ladder_find(rules->ladder, level);
  snprintf(reason, DOSSIER_REASON_SIZE, "(not due)");
  if (index >= 0 && (evaluation.due & (UINT32_C(1) << index)) != 0)
    dossier_escalation_reason(rules, facts, &evaluation, (size_t)index, reason);
}

static void test_escalation_reasons(const struct dossier_rules *rules) {
  struct dossier_facts facts = default_facts();
  char reason[DOSSIER_REASON_SIZE];
  reason_of(rules, &facts, "2025-03-07T08:00", "due_soon", reason);
  tap_is_string(reason, "due soon: deadline 2025-03-10T08:00:00+07:00",
                "a level of episode 1 names the deadline");
  reason_of(rules, &facts, "2025-03-10T08:00", "apology", reason);
  tap_is_string(reason,
                "apology letter: deadline 2025-03-10T08:00:00+07:00; new date "
                "2025-03-17T08:00:00+07:00; no delay reason recorded: write it in the letter "
                "before signing",
                "the letter names the new date and warns that no delay reason is recorded");
  facts.delay_reason = true;
  reason_of(rules, &facts, "2025-03-05T09:00", "apology", reason);
  tap_is_string(reason,
                "apology letter: delay reason recorded; deadline 2025-03-10T08:00:00+07:00; new "
                "date 2025-03-17T08:00:00+07:00",
                "a letter the delay reason raised early says so");
  facts.delay_reason = false;
  facts.rescheduled = true;
  facts.new_deadline = instant_of("2025-03-17T08:00");
  reason_of(rules, &facts, "2025-03-17T08:00", "overdue_again", reason);
  tap_is_string(reason, "overdue again: rescheduled date 2025-03-17T08:00:00+07:00",
                "a level of episode 2 names the rescheduled date");
}

/* The same facts under two rule sets (as `dunghen preview` compares them): a ladder with an
 * episode-2 warning five working days before the new date, which the reschedule itself makes
 * due, and agencies that keep the 2018 form. */
static void test_two_rule_sets(const struct dossier_rules *rules) {
  static const char other_yaml[] = "due_soon: 1wd\n"
                                   "levels:\n"
                                   "  - {level: apology, offset: 0, action: letter,"
                                   " recipients: [signer]}\n"
                                   "  - {level: new_date_near, episode: 2, offset: -5wd,"
                                   " recipients: [agency_head]}\n";
  struct ladder *other_ladder = NULL;
  struct error error;
  if (ladder_load_buffer("other.yaml", other_yaml, sizeof other_yaml - 1, &other_ladder, &error) !=
      STATUS_OK) {
    tap_ok(false, "the other ladder loads: %s", error.message);
    return;
  }
  struct dossier_rules other = *rules;
  other.ladder = other_ladder;
  other.form_2018_agencies = NULL;
  other.form_2018_count = 0;
  struct dossier_facts facts = default_facts();
  facts.agency_code = "AG2";
  int64_t now = instant_of("2025-03-10T08:00");
  struct dossier_evaluation before, after;
  dossier_evaluate(rules, &facts, now, &before);
  dossier_evaluate(&other, &facts, now, &after);
  char due[TEXT_SIZE];
  due_text(rules->ladder, &before, due);
  tap_is_string(due, "apology,overdue", "the rules in force: the letter and overdue");
  due_text(other_ladder, &after, due);
  tap_is_string(due, "apology,new_date_near",
                "the other ladder: the reschedule makes its episode-2 warning due at once");
  tap_ok(before.rescheduled && after.rescheduled && before.new_deadline == after.new_deadline &&
             before.deadline.deadline == after.deadline.deadline,
         "both reschedule to the same new date from the same deadline");
  tap_is_integer(before.apology.form, APOLOGY_FORM_2018,
                 "an agency listed with the 2018 form gets it for a dossier of March 2025");
  tap_is_integer(after.apology.form, APOLOGY_FORM_2025, "without the list, the 2025 form");
  dossier_evaluate(rules, &facts, now, &after);
  tap_ok(after.due == before.due && after.state == before.state &&
             after.next_instant == before.next_instant &&
             after.new_deadline == before.new_deadline && after.apology.form == before.apology.form,
         "evaluating again gives the same evaluation: nothing is kept between calls");
  ladder_free(other_ladder);
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
  /* The clock: the shipped calendar and ladder, the test catalogue before the shipped one. */
  char search_path[8192];
  snprintf(search_path, sizeof search_path, "%s/tests/data/dossier-rules:%s",
           getenv("DUNGHEN_SOURCE_ROOT"), directory);
  struct ladder *ladder = NULL;
  if (rules_load(search_path, day_of("2025-03-01"), &rules, &error) != STATUS_OK ||
      ladder_load_directory(search_path, &ladder, &error) != STATUS_OK) {
    tap_ok(false, "the test catalogue and the shipped rules load: %s", error.message);
    return tap_finish();
  }
  struct dossier_rules clock_rules = {
      .calendar = rules->calendar,
      .procedures = &rules->procedures,
      .ladder = ladder,
      .agency_codes = agency_codes,
      .agency_count = sizeof agency_codes / sizeof agency_codes[0],
      .form_2018_agencies = form_2018_agencies,
      .form_2018_count = sizeof form_2018_agencies / sizeof form_2018_agencies[0],
  };
  test_evaluation_table(&clock_rules);
  test_escalation_reasons(&clock_rules);
  test_two_rule_sets(&clock_rules);
  ladder_free(ladder);
  rules_free(rules);
  return tap_finish();
}
