/*
 * template.h: apology letter templates (letters/form-*.yaml) with named placeholders.
 *
 * A template is YAML: the fixed header texts, the title, `Kính gửi`, the body paragraphs, the
 * signer's note and the `Nơi nhận` lines, each a string in which `{name}` stands for a value
 * (`{{` and `}}` are literal braces). Loading checks every placeholder against the fixed list
 * below and fails on an unknown one with `FILE:LINE:COLUMN: unknown placeholder {x}` pointing
 * at the brace in the file. Expanding fails on a value that is missing (NULL) with the location
 * of the placeholder that needed it. Literal text must be printable by the letter font. A loaded
 * template is immutable and may be shared by any number of threads.
 *
 * A letter's body paragraph is either a string, used whatever the moment, or a mapping with
 * both `before_deadline` (the letter goes out before the promised time: the result is expected
 * to be late) and `after_deadline` (the promised time has passed), each a string; a missing or
 * unknown key fails with its FILE:LINE:COLUMN. letter_template_body() picks the variants.
 */
#ifndef DUNGHEN_LETTER_TEMPLATE_H
#define DUNGHEN_LETTER_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/dossier.h"
#include "core/error.h"

enum letter_placeholder {
  PLACEHOLDER_NUMBER,         /* 07/PXL-TTPVHCC */
  PLACEHOLDER_PLACE,          /* Đắk Lắk */
  PLACEHOLDER_LETTER_DATE,    /* 05 tháng 02 năm 2026 */
  PLACEHOLDER_GOVERNING_BODY, /* UBND TỈNH ĐẮK LẮK */
  PLACEHOLDER_UNIT,           /* TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH */
  PLACEHOLDER_AGENCY_NAME,    /* the unit's name in running text */
  PLACEHOLDER_AGENCY_SYMBOL,  /* TTPVHCC */
  PLACEHOLDER_AGENCY_ADDRESS,
  PLACEHOLDER_SIGNER_TITLE,
  PLACEHOLDER_SIGNER_NAME,
  PLACEHOLDER_APPLICANT_NAME,
  PLACEHOLDER_APPLICANT_ID, /* số định danh cá nhân / mã số doanh nghiệp */
  PLACEHOLDER_APPLICANT_ADDRESS,
  PLACEHOLDER_DOSSIER_CODE,
  PLACEHOLDER_PROCEDURE_NAME,
  PLACEHOLDER_RECEIVED_DATE, /* 15 tháng 01 năm 2026 */
  PLACEHOLDER_RECEIVED_TIME, /* 09 giờ 12 */
  PLACEHOLDER_PROMISED_DATE,
  PLACEHOLDER_PROMISED_TIME,
  PLACEHOLDER_REASON,
  PLACEHOLDER_NEW_DATE,
  PLACEHOLDER_NEW_TIME,
  /* Mail wording only (letters/mail-*.yaml; see mail_template_load). */
  PLACEHOLDER_LEVEL_TITLE,   /* the ladder level, as the mail template words it */
  PLACEHOLDER_ACTION,        /* what the reader must do at that level */
  PLACEHOLDER_STATE,         /* the dossier's state, worded */
  PLACEHOLDER_DEADLINE_DATE, /* 04 tháng 02 năm 2026 */
  PLACEHOLDER_DEADLINE_TIME, /* 16 giờ 00 */
  PLACEHOLDER_ROLE,          /* the recipient's role, worded */
  PLACEHOLDER_DOSSIER_COUNT, /* digest: how many dossiers */
  PLACEHOLDER_DOSSIER_LIST,  /* digest: one line per dossier */
  PLACEHOLDER_COUNT
};

/* `applicant_name` for PLACEHOLDER_APPLICANT_NAME, and so on. */
const char *letter_placeholder_name(enum letter_placeholder placeholder);

struct template_piece {
  bool is_placeholder;
  enum letter_placeholder placeholder;
  size_t line, column; /* of the placeholder's `{` in the file */
  char *literal;       /* text, when not a placeholder */
};

struct template_text {
  struct template_piece *pieces;
  size_t count;
  size_t capacity; /* pieces allocated; grows by doubling */
};

struct letter_template {
  char *file;
  char *description; /* e.g. the circular it follows; may be empty */
  struct template_text national_title, motto, number_line, date_line, title, salutation;
  struct template_text signer_note, recipients_heading; /* may be empty */
  struct template_text *paragraphs; /* a letter's body after the deadline; a mail's body */
  size_t paragraph_count;
  /* A letter's body before the deadline, paragraph_count texts (the same text as `paragraphs`
   * where the file gives one string); NULL for mail wording. */
  struct template_text *paragraphs_before_deadline;
  struct template_text *recipients; /* `Nơi nhận` lines; may be none */
  size_t recipient_count;
  /* Mail wording (mail_template_load): `title` is the subject, `paragraphs` the body, and
   * these the plain words by key: "level.NAME.title", "level.NAME.action", "state.NAME",
   * "role.NAME" (see mail_template_word). */
  char **word_keys, **word_values;
  size_t word_count;
};

enum status letter_template_load(const char *path, struct letter_template **template_out,
                                 struct error *error);

/*
 * A mail wording file (letters/mail-escalation.yaml, mail-letter.yaml, mail-digest.yaml):
 *   subject: one line, with placeholders
 *   body: a list of paragraphs, with placeholders (joined by blank lines)
 *   levels: {NAME: {title: ..., action: ...}}   states: {NAME: ...}   roles: {NAME: ...}
 * with the same located errors as a letter template. The subject may not break lines.
 */
enum status mail_template_load(const char *path, struct letter_template **template_out,
                               struct error *error);
/* The word under `key` ("state.overdue"), or `fallback` when the file has none. */
const char *mail_template_word(const struct letter_template *template_in, const char *key,
                               const char *fallback);
void letter_template_free(struct letter_template *template_in);

/*
 * Fills `text` with values[PLACEHOLDER_COUNT] into a new string (free() it). A NULL value that
 * the text uses fails with STATUS_INVALID: `FILE:LINE:COLUMN: no value for placeholder {x}`.
 */
enum status template_expand(const struct letter_template *template_in,
                            const struct template_text *text, const char *const *values,
                            char **output, struct error *error);

/* A letter's body paragraphs (paragraph_count of them) for the wording the letter needs. */
const struct template_text *letter_template_body(const struct letter_template *template_in,
                                                 enum apology_wording wording);

/* True when `text` uses `placeholder`. */
bool template_uses(const struct template_text *text, enum letter_placeholder placeholder);

#endif
