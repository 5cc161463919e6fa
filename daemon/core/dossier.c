#include "core/dossier.h"

#include <stdio.h>

#include "core/civil.h"
#include "core/explanation.h"

enum { FORM_2025_YEAR = 2025, FORM_2025_MONTH = 7, FORM_2025_DAY = 1 };

static const char *const wording_names[] = {
    [APOLOGY_AFTER_DEADLINE] = "after the promised time: the result was not returned by then",
    [APOLOGY_BEFORE_DEADLINE] = "before the promised time: the result will be late, the agency "
                                "asks for the extension",
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

static void explain_instant(struct explanation *explanation, const char *what, int64_t instant) {
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(instant, text);
  explanation_add(explanation, "%s %s", what, text);
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
                        ? "the letter is issued after the deadline"
                    : from == facts->deadline ? "the statutory deadline"
                                              : "the promised time on the receipt slip";
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
  explain_instant(explanation, "new date", decision->new_date);
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
  explanation_add(explanation, "wording: %s", wording_names[decision->wording]);
  status = decide_new_date(calendar, facts, decision, explanation, error);
  if (status != STATUS_OK)
    return status;
  decision->form = dossier_apology_form(facts->received_at, facts->agency_prefers_2018);
  explanation_add(explanation, "form: %s",
                  decision->form == APOLOGY_FORM_2018
                      ? "2018 (Circular 01/2018/TT-VPCP): received before 2025-07-01 and the "
                        "agency uses it"
                      : "2025 (Circular 03/2025/TT-VPCP)");
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
