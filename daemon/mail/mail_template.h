/*
 * mail_template.h: the wording of the mails (letters/mail-escalation.yaml, mail-letter.yaml,
 * mail-digest.yaml, mail-report.yaml), compiled like a letter template (letter/template.h) with
 * placeholders of its own besides the letter's.
 *
 * A wording file is
 *   subject: one line, with placeholders
 *   body: a list of paragraphs, with placeholders (joined by blank lines)
 *   levels: {NAME: {title: ..., action: ...}}   states: {NAME: ...}   roles: {NAME: ...}
 *   notes: {NAME: ...}
 * with the same located errors as a letter template; the subject may not break lines. The
 * subject becomes the template's `title`, the body its `paragraphs`, and the plain words are
 * found by key with mail_template_word(): "level.NAME.title", "level.NAME.action",
 * "state.NAME", "role.NAME", "note.NAME". A loaded wording is immutable and may be shared by
 * any number of threads; letter_template_free() frees it.
 */
#ifndef DUNGHEN_MAIL_TEMPLATE_H
#define DUNGHEN_MAIL_TEMPLATE_H

#include "core/error.h"
#include "letter/template.h"

/* The mail's placeholders, after the letter's (all of which a mail may use too). */
enum mail_placeholder {
  PLACEHOLDER_LEVEL_TITLE = PLACEHOLDER_COUNT, /* the ladder level, as the wording names it */
  PLACEHOLDER_ACTION,                          /* what the reader must do at that level */
  PLACEHOLDER_STATE,                           /* the dossier's state, worded */
  PLACEHOLDER_DEADLINE_DATE,                   /* 04 tháng 02 năm 2026 */
  PLACEHOLDER_DEADLINE_TIME,                   /* 16 giờ 00 */
  PLACEHOLDER_ROLE,                            /* the recipient's role, worded */
  PLACEHOLDER_DOSSIER_COUNT,                   /* digest: how many dossiers */
  PLACEHOLDER_DOSSIER_LIST,                    /* digest: one line per dossier */
  PLACEHOLDER_PERIOD,                          /* report: tháng 11/2026, quý IV/2026 */
  PLACEHOLDER_RECEIVED_TOTAL,                  /* report: the total row's figures */
  PLACEHOLDER_DONE_TOTAL,
  PLACEHOLDER_IN_PROGRESS_TOTAL,
  PLACEHOLDER_ON_TIME_SHARE, /* report: 93,5% */
  PLACEHOLDER_SCORE,         /* report: 18,7 (of 20) */
  MAIL_PLACEHOLDER_COUNT     /* the size of a mail's values for template_expand() */
};

/* The wording files of letters/, NULL-terminated: mail-escalation, mail-letter, mail-digest,
 * mail-report. */
extern const char *const mail_template_files[];

/* `level_title` for PLACEHOLDER_LEVEL_TITLE; a letter's placeholders too. */
const char *mail_placeholder_name(int placeholder);

enum status mail_template_load(const char *path, struct letter_template **template_out,
                               struct error *error);
/* The word under `key` ("state.overdue"), or `fallback` when the file has none. */
const char *mail_template_word(const struct letter_template *template_in, const char *key,
                               const char *fallback);

#endif
