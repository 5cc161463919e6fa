/*
 * message.h: one mail as it leaves (docs/MAIL.md), composed from plain values: the wording of
 * its kind (mail/mail_template.h) filled with the event's values, worded as in the letters, and
 * made into a MIME message (mail/mime.h) with the PDF attached for a letter and for a
 * scheduled report (its subject names the period: "tháng 11/2026", "quý IV/2026"; its body the
 * totals and the on-time share).
 *
 * Pure: the caller reads the event, a digest's dossiers and a letter's PDF and passes them in.
 * The level's title and action, the state and the role come from the wording's words (the
 * ladder's title, or the name itself, when the wording has none); the procedure's name from
 * the rules; the agency's letterhead values and the letter's number from agencies.yaml. A
 * missing value is written as "—", never left out silently; a delay reason that is blank is
 * worded by the wording's note "reason_missing".
 */
#ifndef DUNGHEN_MESSAGE_H
#define DUNGHEN_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "letter/template.h"
#include "rules/agencies.h"
#include "rules/ladder.h"
#include "rules/procedures.h"

enum mail_kind { MAIL_KIND_ESCALATION, MAIL_KIND_LETTER, MAIL_KIND_DIGEST, MAIL_KIND_REPORT };

/* The wording of each kind, from mail_template_load(). */
struct mail_wording {
  const struct letter_template *escalation;
  const struct letter_template *letter;
  const struct letter_template *digest;
  const struct letter_template *report;
};

/* Where the wording looks names up. */
struct mail_references {
  const struct ladder *ladder;
  const struct procedure_table *procedures;
  const struct agency_table *agencies;
};

/* The event a message tells of, and where it goes. Texts are NULL when unknown. */
struct mail_event {
  enum mail_kind kind;
  const char *message_id;
  const char *address;
  const char *dossier_code; /* NULL for a digest */
  const char *agency_code;
  const char *level;
  const char *role;
  const char *procedure_code;
  const char *applicant_name;
  const char *state;
  const char *reason;
  bool has_received;
  int64_t received_at;
  bool has_deadline;
  int64_t deadline;
  bool has_new_date;
  int64_t new_appointment_at;
  bool has_letter_number;
  long letter_number; /* a report's number too (Số: 03/BC-SYMBOL of the issuer, agency_code) */
  int letter_year;
  /* A scheduled report's (MAIL_KIND_REPORT): its period and the total row. */
  bool has_report;
  bool quarterly; /* the period is a quarter, else a month */
  int64_t period_from_day;
  int64_t report_received, report_done, report_in_progress;
  bool has_on_time_share;
  double on_time_share;
};

/* One dossier of a digest. */
struct mail_digest_line {
  const char *dossier_code;
  const char *procedure_code;
  const char *state;
  bool has_deadline;
  int64_t deadline;
};

struct mail_message_input {
  const struct mail_wording *wording;
  const struct mail_references *references;
  const char *from_address;
  const char *from_name; /* may be NULL */
  int64_t now;           /* the Date header */
  const struct mail_event *event;
  const struct mail_digest_line *digest_lines; /* a digest's, by deadline */
  size_t digest_line_count;
  const char *attachment_name; /* a letter's or a report's PDF: its file name and bytes */
  const unsigned char *attachment;
  size_t attachment_size;
};

/* The message into a new buffer (free() it); *length excludes the NUL. */
enum status mail_message_compose(const struct mail_message_input *input, char **message,
                                 size_t *length, struct error *error);

#endif
