/*
 * mail_message.h: what a mail is made of, gathered for the mail thread (docs/MAIL.md).
 *
 * The kit is the wording (letters/mail-escalation.yaml, mail-letter.yaml, mail-digest.yaml,
 * mail-report.yaml) and
 * the rules (level titles, procedure names, agencies), loaded and checked by the loop and handed
 * to the mail thread whole. mail_message_build() turns a delivery claimed with
 * store/mail_queue.h into a MIME message: a digest's list of dossiers is read on `connection`
 * (in the claiming transaction), a letter's PDF (its current draft) from dunghen.letter_pdf,
 * never from the spool, and checked against its recorded sha256 and size, a scheduled report's PDF
 * from dunghen.report_run (checked likewise), and mail/message.h composes the message from them.
 */
#ifndef DUNGHEN_MAIL_MESSAGE_H
#define DUNGHEN_MAIL_MESSAGE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "letter/template.h"
#include "mail/mail_template.h"
#include "rules/ruleset.h"
#include "service/config.h"
#include "store/mail_queue.h"

/* The wording and the rules the thread sends with, loaded and checked by the loop. */
struct mail_kit {
  struct letter_template *escalation; /* letters/mail-escalation.yaml */
  struct letter_template *letter;     /* letters/mail-letter.yaml */
  struct letter_template *digest;     /* letters/mail-digest.yaml */
  struct letter_template *report;     /* letters/mail-report.yaml */
  struct ruleset *rules;              /* agencies (addresses), procedures (names), ladder */
};

/* Loads the four mail templates of `letters_directory`; takes a reference to `rules`. */
enum status mail_kit_load(const char *letters_directory, struct ruleset *rules,
                          struct mail_kit **kit, struct error *error);
void mail_kit_free(struct mail_kit *kit);

struct mail_message_context {
  const struct mail_kit *kit;
  const struct config_mail *mail; /* From, its display name */
  PGconn *connection;             /* in the claiming transaction: a digest's items are read */
  int64_t now;                    /* the Date header */
};

/* The message of the claimed `delivery` into a new buffer (free() it); *length excludes the
 * NUL. */
enum status mail_message_build(const struct mail_message_context *context,
                               const struct mail_delivery *delivery, char **message, size_t *length,
                               struct error *error);

#endif
