#include "mail/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "letter/letter.h"
#include "mail/mail_template.h"
#include "mail/mime.h"

/* The dates and times of a message, worded as in the letters. */
static void format_date(int64_t instant, char *buffer, size_t size) {
  letter_format_date(civil_local_day(instant), buffer, size);
}

struct message_values {
  const char *values[MAIL_PLACEHOLDER_COUNT];
  char received_date[64], received_time[32], deadline_date[64], deadline_time[32];
  char new_date[64], new_time[32], number[AGENCY_NUMBER_SIZE], count[32];
  char period[64], received[32], done[32], in_progress[32], share[32], score[32];
  char *list; /* digest */
};

/* The word "PREFIX.NAME.SUFFIX" (the suffix may be empty) of the wording, or `fallback`. */
static const char *word(const struct letter_template *wording, char *key, size_t size,
                        const char *prefix, const char *name, const char *suffix,
                        const char *fallback) {
  snprintf(key, size, "%s.%s%s", prefix, name, suffix);
  return mail_template_word(wording, key, fallback);
}

/* An instant as a date and a time, or "—" for an unknown one. */
static void fill_instant(bool known, int64_t instant, char *date, size_t date_size, char *time,
                         size_t time_size) {
  if (!known) {
    snprintf(date, date_size, "—");
    snprintf(time, time_size, "—");
    return;
  }
  format_date(instant, date, date_size);
  letter_format_time(instant, time, time_size);
}

static const char *procedure_name(const struct procedure_table *procedures, const char *code) {
  const struct procedure *procedure = code != NULL ? procedures_find(procedures, code) : NULL;
  return procedure != NULL ? procedure->name : (code != NULL ? code : "—");
}

static void fill_agency(const struct agency *agency, const struct mail_event *event,
                        struct message_values *out) {
  const char **values = out->values;
  values[PLACEHOLDER_AGENCY_NAME] = agency->name;
  values[PLACEHOLDER_AGENCY_SYMBOL] = agency->symbol;
  values[PLACEHOLDER_AGENCY_ADDRESS] = agency->address;
  values[PLACEHOLDER_UNIT] = agency->unit;
  values[PLACEHOLDER_GOVERNING_BODY] = agency->governing_body;
  values[PLACEHOLDER_SIGNER_NAME] = agency->signer_name;
  values[PLACEHOLDER_PLACE] = agency->place;
  struct error ignored;
  if (event->kind == MAIL_KIND_REPORT && event->has_letter_number) {
    /* As the report's PDF numbers it (letter/report_pdf.h): Số: 03/BC-TTPVHCC. */
    snprintf(out->number, sizeof out->number, "%02ld/BC-%s", event->letter_number, agency->symbol);
    values[PLACEHOLDER_NUMBER] = out->number;
  } else if (event->has_letter_number &&
             agency_format_number(agency, event->letter_number, event->letter_year, out->number,
                                  &ignored) == STATUS_OK)
    values[PLACEHOLDER_NUMBER] = out->number;
}

static void fill_values(const struct mail_message_input *input,
                        const struct letter_template *wording, struct message_values *out) {
  const char **values = out->values;
  const struct mail_event *event = input->event;
  const struct mail_references *references = input->references;
  int index = ladder_find(references->ladder, event->level);
  const char *title = index >= 0 ? references->ladder->levels[index].title : event->level;
  char key[160];
  values[PLACEHOLDER_LEVEL_TITLE] =
      word(wording, key, sizeof key, "level", event->level, ".title", title);
  values[PLACEHOLDER_ACTION] = word(wording, key, sizeof key, "level", event->level, ".action", "");
  values[PLACEHOLDER_ROLE] = word(wording, key, sizeof key, "role", event->role, "", event->role);
  values[PLACEHOLDER_DOSSIER_CODE] = event->dossier_code;
  values[PLACEHOLDER_STATE] =
      event->state != NULL ? word(wording, key, sizeof key, "state", event->state, "", event->state)
                           : "—";
  values[PLACEHOLDER_PROCEDURE_NAME] =
      procedure_name(references->procedures, event->procedure_code);
  values[PLACEHOLDER_APPLICANT_NAME] = event->applicant_name != NULL ? event->applicant_name : "—";
  /* The signer must learn before signing that the letter leaves the reason to write in. */
  const char *reason = event->reason;
  bool blank = reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0';
  values[PLACEHOLDER_REASON] =
      blank ? word(wording, key, sizeof key, "note", "reason_missing", "", "—") : reason;
  fill_instant(event->has_received, event->received_at, out->received_date,
               sizeof out->received_date, out->received_time, sizeof out->received_time);
  fill_instant(event->has_deadline, event->deadline, out->deadline_date, sizeof out->deadline_date,
               out->deadline_time, sizeof out->deadline_time);
  fill_instant(event->has_new_date, event->new_appointment_at, out->new_date, sizeof out->new_date,
               out->new_time, sizeof out->new_time);
  values[PLACEHOLDER_RECEIVED_DATE] = out->received_date;
  values[PLACEHOLDER_RECEIVED_TIME] = out->received_time;
  values[PLACEHOLDER_DEADLINE_DATE] = out->deadline_date;
  values[PLACEHOLDER_DEADLINE_TIME] = out->deadline_time;
  values[PLACEHOLDER_NEW_DATE] = out->new_date;
  values[PLACEHOLDER_NEW_TIME] = out->new_time;
  const struct agency *agency =
      event->agency_code != NULL ? agencies_find(references->agencies, event->agency_code) : NULL;
  if (agency != NULL)
    fill_agency(agency, event, out);
}

/* A share as Vietnamese writes it: a decimal comma, one decimal. */
static void format_decimal(double value, const char *suffix, char *buffer, size_t size) {
  snprintf(buffer, size, "%.1f%s", value, suffix);
  char *point = strchr(buffer, '.');
  if (point != NULL)
    *point = ',';
}

static const char *const roman_quarters[] = {"I", "II", "III", "IV"};

/* A report's period and totals. */
static void report_values(const struct mail_event *event, struct message_values *out) {
  struct civil_date from = civil_date_from_days(event->period_from_day);
  if (event->quarterly)
    snprintf(out->period, sizeof out->period, "quý %s/%d",
             roman_quarters[((from.month - 1) / 3) & 3], from.year);
  else
    snprintf(out->period, sizeof out->period, "tháng %02d/%d", from.month, from.year);
  snprintf(out->received, sizeof out->received, "%lld", (long long)event->report_received);
  snprintf(out->done, sizeof out->done, "%lld", (long long)event->report_done);
  snprintf(out->in_progress, sizeof out->in_progress, "%lld", (long long)event->report_in_progress);
  if (event->has_on_time_share) {
    format_decimal(event->on_time_share * 100.0, "%", out->share, sizeof out->share);
    format_decimal(event->on_time_share * 20.0, "", out->score, sizeof out->score);
  } else {
    snprintf(out->share, sizeof out->share, "—");
    snprintf(out->score, sizeof out->score, "—");
  }
  out->values[PLACEHOLDER_PERIOD] = out->period;
  out->values[PLACEHOLDER_RECEIVED_TOTAL] = out->received;
  out->values[PLACEHOLDER_DONE_TOTAL] = out->done;
  out->values[PLACEHOLDER_IN_PROGRESS_TOTAL] = out->in_progress;
  out->values[PLACEHOLDER_ON_TIME_SHARE] = out->share;
  out->values[PLACEHOLDER_SCORE] = out->score;
}

/* The digest's lines: one per dossier, by deadline; no applicant data. */
static enum status digest_list(const struct mail_message_input *input,
                               const struct letter_template *wording, struct message_values *out,
                               struct error *error) {
  size_t count = input->digest_line_count;
  size_t capacity = count * 512 + 1;
  out->list = malloc(capacity);
  if (out->list == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory building a digest");
  size_t used = 0;
  out->list[0] = '\0';
  for (size_t i = 0; i < count; i++) {
    const struct mail_digest_line *line = &input->digest_lines[i];
    char date[64] = "—", time_text[32] = "", key[160];
    if (line->has_deadline) {
      format_date(line->deadline, date, sizeof date);
      letter_format_time(line->deadline, time_text, sizeof time_text);
    }
    int written = snprintf(
        out->list + used, capacity - used, "%s- %s: %.200s; hạn %s, %s; %s", i > 0 ? "\n" : "",
        line->dossier_code, procedure_name(input->references->procedures, line->procedure_code),
        time_text, date,
        line->state != NULL ? word(wording, key, sizeof key, "state", line->state, "", line->state)
                            : "—");
    if (written > 0 && (size_t)written < capacity - used)
      used += (size_t)written;
  }
  snprintf(out->count, sizeof out->count, "%zu", count);
  out->values[PLACEHOLDER_DOSSIER_COUNT] = out->count;
  out->values[PLACEHOLDER_DOSSIER_LIST] = out->list;
  return STATUS_OK;
}

/* Subject and body (paragraphs joined by a blank line) from the wording. */
static enum status expand_wording(const struct letter_template *wording,
                                  const struct message_values *values, char **subject, char **body,
                                  struct error *error) {
  *subject = NULL;
  *body = NULL;
  enum status status = template_expand(wording, &wording->title, values->values, subject, error);
  size_t length = 0;
  char **parts = calloc(wording->paragraph_count + 1, sizeof *parts);
  if (parts == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory building a mail");
  for (size_t i = 0; status == STATUS_OK && i < wording->paragraph_count; i++) {
    status = template_expand(wording, &wording->paragraphs[i], values->values, &parts[i], error);
    if (status == STATUS_OK)
      length += strlen(parts[i]) + 2;
  }
  if (status == STATUS_OK && (*body = malloc(length + 1)) == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory building a mail");
  if (status == STATUS_OK) {
    (*body)[0] = '\0';
    for (size_t i = 0; i < wording->paragraph_count; i++) {
      strcat(*body, parts[i]);
      strcat(*body, i + 1 < wording->paragraph_count ? "\n\n" : "\n");
    }
  }
  for (size_t i = 0; parts != NULL && i < wording->paragraph_count; i++)
    free(parts[i]);
  free(parts);
  if (status != STATUS_OK) {
    free(*subject);
    free(*body);
    *subject = *body = NULL;
  }
  return status;
}

enum status mail_message_compose(const struct mail_message_input *input, char **message,
                                 size_t *length, struct error *error) {
  enum mail_kind kind = input->event->kind;
  const struct letter_template *wording = kind == MAIL_KIND_LETTER   ? input->wording->letter
                                          : kind == MAIL_KIND_DIGEST ? input->wording->digest
                                          : kind == MAIL_KIND_REPORT ? input->wording->report
                                                                     : input->wording->escalation;
  if (wording == NULL)
    return error_set(error, STATUS_RUNTIME, "no wording for this kind of mail");
  struct message_values values;
  memset(&values, 0, sizeof values);
  fill_values(input, wording, &values);
  enum status status = STATUS_OK;
  if (kind == MAIL_KIND_DIGEST)
    status = digest_list(input, wording, &values, error);
  if (kind == MAIL_KIND_REPORT)
    report_values(input->event, &values);
  char *subject = NULL, *body = NULL;
  if (status == STATUS_OK)
    status = expand_wording(wording, &values, &subject, &body, error);
  if (status == STATUS_OK) {
    bool letter = kind == MAIL_KIND_LETTER || kind == MAIL_KIND_REPORT;
    struct mime_message mime = {
        .from_address = input->from_address,
        .from_name = input->from_name,
        .to_address = input->event->address,
        .subject = subject,
        .message_id = input->event->message_id,
        .date = input->now,
        .body = body,
        .attachment_name = letter ? input->attachment_name : NULL,
        .attachment = letter ? input->attachment : NULL,
        .attachment_size = letter ? input->attachment_size : 0,
    };
    status = mime_build(&mime, message, length, error);
  }
  free(subject);
  free(body);
  free(values.list);
  return status;
}
