/*
 * mail_message.h: what a mail is made of and how it is built (docs/MAIL.md).
 *
 * The kit is the wording (letters/mail-escalation.yaml, mail-letter.yaml, mail-digest.yaml) and
 * the rules (level titles, procedure names, agencies), loaded and checked by the loop and handed
 * to the mail thread whole. mail_claim_sql claims the next due delivery of dunghen.delivery_log
 * with everything its message needs (FOR UPDATE OF the delivery, SKIP LOCKED: two daemons never
 * send the same one); mail_message_build() turns that row into a MIME message (mail/mime.h):
 * the wording with the dossier's values, a digest's list of dossiers (read on `connection`), and
 * a letter's PDF read from the spool and checked against its recorded sha256. Missing values are
 * written as "—", never left out silently.
 */
#ifndef DUNGHEN_MAIL_MESSAGE_H
#define DUNGHEN_MAIL_MESSAGE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "letter/template.h"
#include "mail/mail_template.h"
#include "service/config.h"
#include "service/ruleset.h"

/* The wording and the rules the thread sends with, loaded and checked by the loop. */
struct mail_kit {
  struct letter_template *escalation; /* letters/mail-escalation.yaml */
  struct letter_template *letter;     /* letters/mail-letter.yaml */
  struct letter_template *digest;     /* letters/mail-digest.yaml */
  struct ruleset *rules;              /* agencies (addresses), procedures (names), ladder */
};

/* Loads the three mail templates of `letters_directory` and the rules. */
enum status mail_kit_load(const char *letters_directory, const char *rules_directory, int64_t today,
                          struct mail_kit **kit, struct error *error);
void mail_kit_free(struct mail_kit *kit);

/* Claims one due delivery (no parameters; at most one row, in the columns below). */
extern const char mail_claim_sql[];

/* The columns of mail_claim_sql, by name. */
enum mail_column {
  MAIL_COLUMN_ID,
  MAIL_COLUMN_MESSAGE_ID,
  MAIL_COLUMN_KIND,
  MAIL_COLUMN_CODE,
  MAIL_COLUMN_AGENCY,
  MAIL_COLUMN_LEVEL,
  MAIL_COLUMN_ROLE,
  MAIL_COLUMN_ADDRESS,
  MAIL_COLUMN_ATTEMPTS,
  MAIL_COLUMN_PROCEDURE,
  MAIL_COLUMN_APPLICANT,
  MAIL_COLUMN_RECEIVED,
  MAIL_COLUMN_DEADLINE,
  MAIL_COLUMN_STATE,
  MAIL_COLUMN_LETTER_STATE,
  MAIL_COLUMN_LETTER_PATH,
  MAIL_COLUMN_LETTER_SHA256,
  MAIL_COLUMN_LETTER_NUMBER,
  MAIL_COLUMN_LETTER_YEAR,
  MAIL_COLUMN_NEW_DATE,
  MAIL_COLUMN_REASON,
};

struct mail_message_context {
  const struct mail_kit *kit;
  const struct config_mail *mail; /* From, its display name */
  PGconn *connection;             /* in the claiming transaction: a digest's items are read */
  int64_t now;                    /* the Date header */
};

/* The message of the claimed `row` into a new buffer (free() it); *length excludes the NUL. */
enum status mail_message_build(const struct mail_message_context *context, PGresult *row,
                               char **message, size_t *length, struct error *error);

#endif
