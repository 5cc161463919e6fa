/*
 * dossier.c: the decisions about one dossier (see dossier.h): its apology letter, then its
 * validation and clock.
 */
#include "core/dossier.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/explanation.h"

enum { FORM_2025_YEAR = 2025, FORM_2025_MONTH = 7, FORM_2025_DAY = 1 };

static const char *const wording_names[] = {
    [APOLOGY_AFTER_DEADLINE] =
        TRANSLATABLE("after the promised time: the result was not returned by then"),
    [APOLOGY_BEFORE_DEADLINE] = TRANSLATABLE("before the promised time: the result will be late, "
                                             "the agency asks for the extension"),
};

int64_t apology_form_2025_first_day(void) {
  return civil_days_from_date(FORM_2025_YEAR, FORM_2025_MONTH, FORM_2025_DAY);
}

enum apology_form dossier_apology_form(int64_t received_at, bool agency_prefers_2018) {
  if (agency_prefers_2018 && civil_local_day(received_at) < apology_form_2025_first_day())
    return APOLOGY_FORM_2018;
  return APOLOGY_FORM_2025;
}

enum apology_wording dossier_apology_wording(int64_t issue_instant, int64_t promised_at) {
  return issue_instant < promised_at ? APOLOGY_BEFORE_DEADLINE : APOLOGY_AFTER_DEADLINE;
}

static int64_t latest(int64_t a, int64_t b) {
  return a > b ? a : b;
}

/* The issue day and instant: today when it is worked, else the next working day's opening. */
static enum status decide_issue(const struct calendar *calendar, int64_t now,
                                struct apology_decision *decision, struct explanation *explanation,
                                struct error *error) {
  int64_t today = civil_local_day(now);
  if (!calendar_covers(calendar, today))
    return error_set(error, STATUS_INVALID, "the letter's date is outside the calendar");
  char day[16];
  if (calendar_is_working_day(calendar, today)) {
    decision->issue_day = today;
    decision->issue_instant = now;
    civil_format_date(today, day, sizeof day);
    explanation_add(explanation, "letter dated %s: drafted on a working day", day);
    return STATUS_OK;
  }
  int64_t next = calendar_next_working_day(calendar, today);
  int64_t opening =
      next < 0 ? -1 : calendar_next_opening(calendar, civil_instant_from_local(next, 0));
  if (next < 0 || opening < 0)
    return error_set(error, STATUS_INVALID, "no working day after the draft within the calendar");
  decision->issue_day = next;
  decision->issue_instant = opening;
  civil_format_date(today, day, sizeof day);
  explanation_add(explanation, "drafted on %s, not a working day:", day);
  deadline_explain_days_off(calendar, today, next - 1, explanation);
  civil_format_date(next, day, sizeof day);
  explanation_add(explanation, "letter dated %s, the next working day", day);
  return STATUS_OK;
}

/* The new date: the extension counted from the latest of deadline, promise and issue. */
static enum status decide_new_date(const struct calendar *calendar,
                                   const struct apology_facts *facts,
                                   struct apology_decision *decision,
                                   struct explanation *explanation, struct error *error) {
  int64_t from = latest(latest(facts->deadline, facts->promised_at), decision->issue_instant);
  decision->counted_from = from;
  const char *why = from == decision->issue_instant && from > facts->deadline
                        ? explanation_word(explanation, "the letter is issued after the deadline")
                    : from == facts->deadline
                        ? explanation_word(explanation, "the statutory deadline")
                        : explanation_word(explanation, "the promised time on the receipt slip");
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(from, text);
  char extension[DEADLINE_DURATION_TEXT_SIZE];
  deadline_format_duration(&facts->version->extension, extension);
  explanation_add(explanation, "new date: extension %s (%s counting) counted from %s (%s)",
                  extension, counting_mode_name(facts->version->counting), text, why);
  struct deadline_request request = {
      .received_at = from,
      .duration = facts->version->extension,
      .counting = facts->version->counting,
      .cutoff = NO_CUTOFF,
      .supplement = SUPPLEMENT_PAUSE,
  };
  struct deadline_result result;
  if (deadline_compute(calendar, &request, &result, explanation, error) != STATUS_OK)
    return error_prefix(error, "new date");
  /* A zero extension in hours mode would land on `from` itself: the law wants a later date. */
  if (result.deadline <= from)
    return error_set(error, STATUS_INVALID,
                     "new date: the extension %s does not move the date past %s", extension, text);
  decision->new_date = result.deadline;
  civil_format_timestamp(decision->new_date, text);
  explanation_add(explanation, "new date %s", text);
  return STATUS_OK;
}

enum status dossier_apology(const struct calendar *calendar, const struct apology_facts *facts,
                            struct apology_decision *decision, struct explanation *explanation,
                            struct error *error) {
  *decision = (struct apology_decision){0};
  enum status status = decide_issue(calendar, facts->now, decision, explanation, error);
  if (status != STATUS_OK)
    return status;
  decision->wording = dossier_apology_wording(decision->issue_instant, facts->promised_at);
  explanation_add(explanation, "wording: %s",
                  explanation_word(explanation, wording_names[decision->wording]));
  status = decide_new_date(calendar, facts, decision, explanation, error);
  if (status != STATUS_OK)
    return status;
  decision->form = dossier_apology_form(facts->received_at, facts->agency_prefers_2018);
  if (decision->form == APOLOGY_FORM_2018)
    explanation_add(explanation, "form: 2018 (Circular 01/2018/TT-VPCP): received before "
                                 "2025-07-01 and the agency uses it");
  else
    explanation_add(explanation, "form: 2025 (Circular 03/2025/TT-VPCP)");
  return STATUS_OK;
}

enum status dossier_apology_check(const struct calendar *calendar, int64_t received_at,
                                  int64_t promised_at, int64_t issue_day, int64_t new_date,
                                  enum apology_form form, enum apology_field *field,
                                  struct error *error) {
  char day[16], text[TIMESTAMP_TEXT_SIZE], other[TIMESTAMP_TEXT_SIZE];
  civil_format_date(issue_day, day, sizeof day);
  if (!calendar_covers(calendar, issue_day) || !calendar_is_working_day(calendar, issue_day)) {
    *field = APOLOGY_FIELD_ISSUE_DAY;
    const char *reason = calendar_covers(calendar, issue_day) ? calendar_reason(calendar, issue_day)
                                                              : "outside the calendar";
    return error_set(error, STATUS_INVALID,
                     "the letter is dated %s, not a working day (%s): date it on the next "
                     "working day",
                     day, reason != NULL ? reason : "a day off");
  }
  civil_format_timestamp(new_date, text);
  if (new_date <= promised_at) {
    *field = APOLOGY_FIELD_NEW_DATE;
    civil_format_timestamp(promised_at, other);
    return error_set(error, STATUS_INVALID, "the new date %s is not after the promised time %s",
                     text, other);
  }
  if (civil_local_day(new_date) < issue_day) {
    *field = APOLOGY_FIELD_NEW_DATE;
    return error_set(error, STATUS_INVALID, "the new date %s is before the letter's date %s", text,
                     day);
  }
  if (form == APOLOGY_FORM_2018 && civil_local_day(received_at) >= apology_form_2025_first_day()) {
    *field = APOLOGY_FIELD_FORM;
    civil_format_timestamp(received_at, other);
    return error_set(error, STATUS_INVALID,
                     "the 2018 form is only for dossiers received before 2025-07-01; this one "
                     "was received %s: use the 2025 form",
                     other);
  }
  return STATUS_OK;
}

/* ---- the dossier's clock ---- */

enum { SHOWN_VALUE = 40 }; /* source values quoted in flag reasons are cut to this */

static bool blank(const char *value) {
  if (value == NULL)
    return true;
  while (isspace((unsigned char)*value))
    value++;
  return *value == '\0';
}

enum source_status dossier_status_from_text(const char *text) {
  return blank(text) ? SOURCE_MISSING : (enum source_status)source_status_from_name(text);
}

enum channel dossier_channel_from_text(const char *text) {
  return blank(text) ? CHANNEL_MISSING : (enum channel)channel_from_name(text);
}

enum pause_kind dossier_pause_kind_from_text(const char *text) {
  if (text != NULL && strcmp(text, "supplement") == 0)
    return PAUSE_SUPPLEMENT;
  if (text != NULL && strcmp(text, "other") == 0)
    return PAUSE_OTHER;
  return PAUSE_KIND_UNKNOWN;
}

/* A source value safe to quote in a flag reason: printable ASCII, cut short. */
static void shown(const char *value, char out[SHOWN_VALUE + 1]) {
  size_t used = 0;
  for (const char *cursor = value; *cursor != '\0' && used < SHOWN_VALUE; cursor++)
    out[used++] = isprint((unsigned char)*cursor) ? *cursor : '?';
  out[used] = '\0';
}

/* Flags the dossier: `what`, followed by the offending source value in quotes when given.
 * Returns false, for the validation's `return flag(...)`. */
static bool flag(struct dossier_evaluation *evaluation, const char *what, const char *value) {
  if (value == NULL) {
    snprintf(evaluation->flag, sizeof evaluation->flag, "%s", what);
  } else {
    char quoted[SHOWN_VALUE + 1];
    shown(value, quoted);
    snprintf(evaluation->flag, sizeof evaluation->flag, "%s '%s'", what, quoted);
  }
  return false;
}

static int compare_strings(const void *left, const void *right) {
  return strcmp(*(const char *const *)left, *(const char *const *)right);
}

static bool listed(const char *const *sorted, size_t count, const char *code) {
  return sorted != NULL &&
         bsearch(&code, sorted, count, sizeof(const char *), compare_strings) != NULL;
}

/* The row itself, up to the version in force; on a bad row fills the flag and returns false. */
static bool validate(const struct dossier_rules *rules, const struct dossier_facts *facts,
                     int64_t now, struct dossier_evaluation *evaluation) {
  /* A code that names no dossier, or more than one, cannot carry an escalation or a letter:
   * which applicant, which agency, which deadline would it be? */
  if (blank(facts->code))
    return flag(evaluation, "blank code (mã hồ sơ) in dunghen.dossier_source", NULL);
  if (facts->copies > 1) {
    snprintf(evaluation->flag, sizeof evaluation->flag,
             "code returned %lld times by dunghen.dossier_source", (long long)facts->copies);
    return false;
  }
  if (facts->status == SOURCE_MISSING)
    return flag(evaluation, "missing status", NULL);
  if (facts->status == SOURCE_UNKNOWN)
    return flag(evaluation, "unknown status", facts->status_text != NULL ? facts->status_text : "");
  if (blank(facts->procedure_code))
    return flag(evaluation, "missing procedure code", NULL);
  const struct procedure *procedure = procedures_find(rules->procedures, facts->procedure_code);
  if (procedure == NULL)
    return flag(evaluation, "unknown procedure", facts->procedure_code);
  if (blank(facts->agency_code))
    return flag(evaluation, "missing agency code", NULL);
  if (rules->agency_codes != NULL &&
      !listed(rules->agency_codes, rules->agency_count, facts->agency_code))
    return flag(evaluation, "unknown agency", facts->agency_code);
  if (facts->channel == CHANNEL_MISSING)
    return flag(evaluation, "missing channel", NULL);
  if (facts->channel < 0 || facts->channel >= CHANNEL_COUNT)
    return flag(evaluation, "unknown channel",
                facts->channel_text != NULL ? facts->channel_text : "");
  if (!facts->has_received)
    return flag(evaluation, "missing received_at", NULL);
  int64_t received_day = civil_local_day(facts->received_at);
  if (received_day < civil_days_from_date(DOSSIER_FIRST_VALID_YEAR, 1, 1))
    return flag(evaluation, "received_at is before 1990", NULL);
  if (facts->received_at > now) {
    evaluation->next_instant = facts->received_at; /* then the row is fine */
    return flag(evaluation, "received_at is in the future", NULL);
  }
  if (facts->status == SOURCE_FINISHED && !facts->has_finished)
    return flag(evaluation, "status finished without finished_at", NULL);
  if (facts->has_finished && facts->finished_at < facts->received_at)
    return flag(evaluation, "finished_at is before received_at", NULL);
  evaluation->version = procedure_version_at(procedure, received_day);
  if (evaluation->version == NULL) {
    char day[16], code[SHOWN_VALUE + 1];
    civil_format_date(received_day, day, sizeof day);
    shown(facts->procedure_code, code);
    snprintf(evaluation->flag, sizeof evaluation->flag,
             "procedure '%s' has no version in force on %s", code, day);
    return false;
  }
  return true;
}

/* The pauses as the deadline takes them (`intervals` holds DOSSIER_MAX_PAUSES), checked in
 * their order; on a bad one fills the flag and returns false. */
static bool read_pauses(const struct dossier_facts *facts, struct pause_interval *intervals,
                        bool *supplement, struct dossier_evaluation *evaluation) {
  *supplement = false;
  for (size_t i = 0; i < facts->pause_count; i++) {
    const struct dossier_pause *pause = &facts->pauses[i];
    if (i == DOSSIER_MAX_PAUSES) {
      snprintf(evaluation->flag, sizeof evaluation->flag, "more than %d pauses",
               DOSSIER_MAX_PAUSES);
      return false;
    }
    if (!pause->has_from)
      return flag(evaluation, "a pause has no paused_at", NULL);
    if (pause->kind == PAUSE_KIND_UNKNOWN)
      return flag(evaluation, "unknown pause kind",
                  pause->kind_text != NULL ? pause->kind_text : "");
    if (pause->to != PAUSE_OPEN && pause->to < pause->from)
      return flag(evaluation, "a pause is resumed before it began", NULL);
    *supplement = *supplement || pause->kind == PAUSE_SUPPLEMENT;
    intervals[i] = (struct pause_interval){pause->from, pause->to};
  }
  return true;
}

/* The ladder levels the daemon recorded as fired, as ladder_state's mask. */
static uint32_t fired_mask(const struct ladder *ladder, const struct dossier_facts *facts) {
  uint32_t mask = 0;
  for (size_t i = 0; i < ladder->count && i < LADDER_MAX_LEVELS; i++)
    for (size_t j = 0; j < facts->fired_count; j++)
      if (facts->fired[j].episode == ladder->levels[i].episode &&
          strcmp(facts->fired[j].level, ladder->levels[i].name) == 0)
        mask |= UINT32_C(1) << i;
  return mask;
}

/* The apology's dates, wording and form, decided when its level fires. */
static bool decide_apology(const struct dossier_rules *rules, const struct dossier_facts *facts,
                           int64_t now, struct dossier_evaluation *evaluation) {
  evaluation->promised_at =
      facts->has_appointment ? facts->appointment_at : evaluation->deadline.deadline;
  struct apology_facts apology = {
      .received_at = facts->received_at,
      .deadline = evaluation->deadline.deadline,
      .promised_at = evaluation->promised_at,
      .version = evaluation->version,
      .agency_prefers_2018 =
          listed(rules->form_2018_agencies, rules->form_2018_count, facts->agency_code),
      .now = now,
  };
  struct error error;
  if (dossier_apology(rules->calendar, &apology, &evaluation->apology, NULL, &error) != STATUS_OK) {
    snprintf(evaluation->flag, sizeof evaluation->flag, "apology: %s", error.message);
    return false;
  }
  evaluation->apology_decided = true;
  return true;
}

/* The clock of a valid row: deadline, state, due levels (with the reschedule they cause). */
static bool evaluate_clock(const struct dossier_rules *rules, const struct dossier_facts *facts,
                           int64_t now, struct dossier_evaluation *evaluation) {
  struct pause_interval pauses[DOSSIER_MAX_PAUSES];
  bool supplement;
  if (!read_pauses(facts, pauses, &supplement, evaluation))
    return false;
  struct deadline_request request;
  procedure_deadline_request(evaluation->version, facts->channel, facts->received_at, pauses,
                             facts->pause_count, supplement, &request);
  struct error error;
  if (deadline_compute(rules->calendar, &request, &evaluation->deadline, NULL, &error) !=
      STATUS_OK) {
    snprintf(evaluation->flag, sizeof evaluation->flag, "deadline: %s", error.message);
    return false;
  }
  const struct ladder *ladder = rules->ladder;
  struct ladder_input input = {
      .deadline = evaluation->deadline,
      .status = facts->status,
      .finished_at = facts->finished_at,
      .delay_reason = facts->delay_reason,
      .rescheduled = facts->rescheduled,
      .new_deadline = facts->new_deadline,
      .fired = fired_mask(ladder, facts),
      .now = now,
  };
  struct ladder_outcome outcome;
  /* Firing a letter level reschedules, which can make episode-2 levels due: iterate. */
  for (int round = 0; round < 3; round++) {
    ladder_state_evaluate(rules->calendar, ladder, &input, &outcome);
    uint32_t due = outcome.due;
    if (due == 0)
      break;
    evaluation->due |= due;
    input.fired |= due;
    for (size_t i = 0; i < ladder->count && i < LADDER_MAX_LEVELS; i++) {
      const struct ladder_level *level = &ladder->levels[i];
      if ((due & (UINT32_C(1) << i)) == 0)
        continue;
      int64_t anchor = level->episode == 2 ? input.new_deadline : input.deadline.deadline;
      int64_t instant = ladder_offset_instant(rules->calendar, &level->offset, anchor);
      if (level->on_delay_reason && facts->delay_reason && now < instant)
        evaluation->delay_triggered |= UINT32_C(1) << i;
      if (level->action == LADDER_LETTER && !input.rescheduled) {
        if (!decide_apology(rules, facts, now, evaluation))
          return false;
        input.new_deadline = evaluation->apology.new_date;
        input.rescheduled = true;
        evaluation->rescheduled_at = now;
      }
    }
  }
  evaluation->state = outcome.state;
  evaluation->episode = outcome.episode;
  evaluation->next_instant = outcome.next_instant;
  evaluation->rescheduled = input.rescheduled;
  evaluation->new_deadline = input.new_deadline;
  evaluation->stopped = evaluation->deadline.stopped;
  evaluation->has_deadline = !evaluation->deadline.stopped;
  return true;
}

void dossier_evaluate(const struct dossier_rules *rules, const struct dossier_facts *facts,
                      int64_t now, struct dossier_evaluation *evaluation) {
  memset(evaluation, 0, sizeof *evaluation);
  evaluation->next_instant = LADDER_NEVER;
  evaluation->rescheduled_at = facts->rescheduled_at;
  if (validate(rules, facts, now, evaluation) && evaluate_clock(rules, facts, now, evaluation))
    return;
  /* Flagged: what the daemon recorded of the reschedule stands; nothing is due. */
  int64_t recheck = evaluation->next_instant;
  char reason[DOSSIER_FLAG_SIZE];
  memcpy(reason, evaluation->flag, sizeof reason);
  memset(evaluation, 0, sizeof *evaluation);
  memcpy(evaluation->flag, reason, sizeof reason);
  evaluation->state = DOSSIER_FLAGGED;
  evaluation->episode = facts->rescheduled ? 2 : 1;
  evaluation->next_instant = recheck;
  evaluation->rescheduled = facts->rescheduled;
  evaluation->new_deadline = facts->new_deadline;
  evaluation->rescheduled_at = facts->rescheduled_at;
}

int64_t dossier_level_anchor(const struct dossier_evaluation *evaluation,
                             const struct ladder_level *level) {
  return level->episode == 2 ? evaluation->new_deadline : evaluation->deadline.deadline;
}

void dossier_escalation_reason(const struct dossier_rules *rules, const struct dossier_facts *facts,
                               const struct dossier_evaluation *evaluation, size_t index,
                               char reason[DOSSIER_REASON_SIZE]) {
  const struct ladder_level *level = &rules->ladder->levels[index];
  char anchor[TIMESTAMP_TEXT_SIZE], new_date[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(dossier_level_anchor(evaluation, level), anchor);
  civil_format_timestamp(evaluation->new_deadline, new_date);
  int used = snprintf(reason, DOSSIER_REASON_SIZE, "%s: %s %s", level->title,
                      (evaluation->delay_triggered & (UINT32_C(1) << index)) != 0
                          ? "delay reason recorded; deadline"
                          : (level->episode == 2 ? "rescheduled date" : "deadline"),
                      anchor);
  /* The signer must know before signing that the letter leaves the reason to write in. */
  if (level->action == LADDER_LETTER && used > 0 && used < DOSSIER_REASON_SIZE)
    snprintf(reason + used, DOSSIER_REASON_SIZE - (size_t)used, "; new date %s%s", new_date,
             facts->delay_reason ? ""
                                 : "; no delay reason recorded: write it in the letter before "
                                   "signing");
}
