#include "service/mail_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/sha256.h"
#include "letter/letter.h"
#include "mail/message.h"
#include "store/letter_pdf.h"
#include "store/letter_signed.h"
#include "store/report_run.h"

/* ---- the kit ---- */

enum status mail_kit_load(const char *letters_directory, struct ruleset *rules,
                          struct mail_kit **result, struct error *error) {
  *result = NULL;
  struct mail_kit *kit = calloc(1, sizeof *kit);
  if (kit == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading the mail templates");
  kit->rules = ruleset_acquire(rules);
  struct letter_template **slots[] = {&kit->escalation, &kit->letter, &kit->digest, &kit->report};
  enum status status = STATUS_OK;
  for (size_t i = 0; status == STATUS_OK && i < sizeof slots / sizeof slots[0]; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", letters_directory, mail_template_files[i]);
    status = mail_template_load(path, slots[i], error);
  }
  if (status != STATUS_OK) {
    mail_kit_free(kit);
    return status;
  }
  *result = kit;
  return STATUS_OK;
}

void mail_kit_free(struct mail_kit *kit) {
  if (kit == NULL)
    return;
  letter_template_free(kit->escalation);
  letter_template_free(kit->letter);
  letter_template_free(kit->digest);
  letter_template_free(kit->report);
  ruleset_release(kit->rules);
  free(kit);
}

/* The letter's current draft from the database (the record: the spool is only an export):
 * the signed file when the draft was taken back signed (migration 12), else the rendered PDF,
 * each checked against the sha256 and size recorded with it. */
static enum status read_letter(const struct mail_message_context *context,
                               const struct mail_delivery *delivery, unsigned char **data,
                               size_t *size, struct error *error) {
  *data = NULL;
  *size = 0;
  if (delivery->letter_path == NULL || delivery->letter_sha256 == NULL)
    return error_set(error, STATUS_RUNTIME, "the letter is not rendered");
  bool found = false;
  enum status status = letter_signed_read(context->connection, delivery->letter_id,
                                          delivery->letter_version, data, size, &found, error);
  if (status != STATUS_OK || found)
    return status;
  struct letter_draft draft = {
      .letter_id = delivery->letter_id,
      .version = delivery->letter_version,
      .dossier_code = delivery->dossier_code,
      .agency_code = delivery->agency_code,
      .year = delivery->letter_year,
      .number = delivery->letter_number,
      .sha256 = delivery->letter_sha256,
      .bytes = delivery->letter_bytes,
  };
  return letter_pdf_read(context->connection, &draft, data, size, error);
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

static enum mail_kind mail_kind_of(enum delivery_kind kind) {
  switch (kind) {
  case DELIVERY_LETTER:
    return MAIL_KIND_LETTER;
  case DELIVERY_DIGEST:
    return MAIL_KIND_DIGEST;
  case DELIVERY_REPORT:
    return MAIL_KIND_REPORT;
  default:
    return MAIL_KIND_ESCALATION;
  }
}

static void event_of(const struct mail_delivery *delivery, struct mail_event *event) {
  *event = (struct mail_event){
      .kind = mail_kind_of(delivery->kind),
      .message_id = delivery->message_id,
      .address = delivery->address,
      .dossier_code = delivery->dossier_code,
      .agency_code = delivery->agency_code,
      .level = delivery->level,
      .role = delivery->role,
      .procedure_code = delivery->procedure_code,
      .applicant_name = delivery->applicant_name,
      .state = delivery->state,
      .reason = delivery->reason,
      .has_received = delivery->has_received,
      .received_at = delivery->received_at,
      .has_deadline = delivery->has_deadline,
      .deadline = delivery->deadline,
      .has_new_date = delivery->has_new_date,
      .new_appointment_at = delivery->new_appointment_at,
      .has_letter_number = delivery->has_letter_number,
      .letter_number = delivery->letter_number,
      .letter_year = delivery->letter_year,
  };
  if (delivery->kind == DELIVERY_REPORT) {
    event->has_letter_number = true;
    event->letter_number = delivery->report_number;
    event->letter_year = delivery->report_year;
    event->has_report = true;
    event->quarterly = delivery->quarterly;
    event->period_from_day = delivery->period_from_day;
    event->report_received = delivery->report_received;
    event->report_done = delivery->report_done;
    event->report_in_progress = delivery->report_in_progress;
    event->has_on_time_share = delivery->has_on_time_share;
    event->on_time_share = delivery->on_time_share;
  }
}

/* bao-cao-2026-01.pdf for a month, bao-cao-2026-q4.pdf for a quarter. */
static void report_file_name(const struct mail_delivery *delivery, char *name, size_t size) {
  struct civil_date from = civil_date_from_days(delivery->period_from_day);
  if (delivery->quarterly)
    snprintf(name, size, "bao-cao-%04d-q%d.pdf", from.year, (from.month - 1) / 3 + 1);
  else
    snprintf(name, size, "bao-cao-%04d-%02d.pdf", from.year, from.month);
}

/* A digest's dossiers, read in the claiming transaction, as the message lists them. */
static enum status read_digest(const struct mail_message_context *context,
                               const struct mail_delivery *delivery,
                               struct mail_queue_digest *digest, struct mail_digest_line **lines,
                               struct error *error) {
  *lines = NULL;
  enum status status = mail_queue_read_digest(context->connection, delivery->id, digest, error);
  if (status != STATUS_OK)
    return status;
  *lines = calloc(digest->count + 1, sizeof **lines);
  if (*lines == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory building a digest");
  for (size_t i = 0; i < digest->count; i++) {
    const struct digest_item *item = &digest->items[i];
    (*lines)[i] = (struct mail_digest_line){item->dossier_code, item->procedure_code, item->state,
                                            item->has_deadline, item->deadline};
  }
  return STATUS_OK;
}

enum status mail_message_build(const struct mail_message_context *context,
                               const struct mail_delivery *delivery, char **message, size_t *length,
                               struct error *error) {
  const struct mail_kit *kit = context->kit;
  const struct ruleset *rules = kit->rules;
  struct mail_wording wording = {kit->escalation, kit->letter, kit->digest, kit->report};
  struct mail_references references = {rules->ladder, &rules->rules->procedures, &rules->agencies};
  struct mail_event event;
  event_of(delivery, &event);
  struct mail_message_input input = {
      .wording = &wording,
      .references = &references,
      .from_address = context->mail->from,
      .from_name = context->mail->from_name,
      .now = context->now,
      .event = &event,
  };
  struct mail_queue_digest digest = {0};
  struct mail_digest_line *lines = NULL;
  unsigned char *pdf = NULL;
  char report_name[64];
  enum status status = STATUS_OK;
  if (delivery->kind == DELIVERY_DIGEST) {
    status = read_digest(context, delivery, &digest, &lines, error);
    input.digest_lines = lines;
    input.digest_line_count = digest.count;
  } else if (delivery->kind == DELIVERY_LETTER) {
    status = read_letter(context, delivery, &pdf, &input.attachment_size, error);
    input.attachment = pdf;
    input.attachment_name = pdf != NULL ? base_name(delivery->letter_path) : NULL;
  } else if (delivery->kind == DELIVERY_REPORT) {
    /* The database is the report's record: its PDF is read there, in the claiming
     * transaction, and checked against its sha256. */
    status = report_run_read_pdf(context->connection, delivery->report_id, &pdf,
                                 &input.attachment_size, error);
    report_file_name(delivery, report_name, sizeof report_name);
    input.attachment = pdf;
    input.attachment_name = report_name;
  }
  if (status == STATUS_OK)
    status = mail_message_compose(&input, message, length, error);
  free(pdf);
  free(lines);
  mail_queue_digest_free(&digest);
  return status;
}
