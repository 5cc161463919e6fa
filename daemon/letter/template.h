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
 *
 * Other kinds of template (the mail wording, mail/mail_template.h) compile their own files with
 * the same texts and errors: template_load() with their compiler, built from
 * template_compile_key(), template_compile_list() and template_check_printable(), and with a
 * template_extension that numbers their own placeholders after the letter's.
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
  PLACEHOLDER_COUNT /* a kind of template's own placeholders are numbered from here */
};

/* `applicant_name` for PLACEHOLDER_APPLICANT_NAME, and so on. */
const char *letter_placeholder_name(enum letter_placeholder placeholder);

/* The placeholders a kind of template has beyond the letter's: names[i] is placeholder
 * PLACEHOLDER_COUNT + i. */
struct template_extension {
  const char *const *names;
  size_t count;
};

struct template_piece {
  bool is_placeholder;
  size_t placeholder;  /* an enum letter_placeholder, or one of the template's extension */
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
  /* Plain words by key that another kind of template defines beside its texts (the mail
   * wording's "level.NAME.title", "state.NAME"...: mail/mail_template.h); none in a letter's. */
  char **word_keys, **word_values;
  size_t word_count;
  const struct template_extension *extension; /* NULL for a letter */
};

enum status letter_template_load(const char *path, struct letter_template **template_out,
                                 struct error *error);
void letter_template_free(struct letter_template *template_in);

/* ---- for the compilers of other kinds of template ---- */

/* The file being compiled: its YAML tree, its bytes (to locate placeholders) and its kind. */
struct template_source;
struct yaml_tree;
struct yaml_tree_node;

/* Reads `path` through the safe YAML tree (rules/yaml_tree.h) and has `compile` fill a new
 * template from it; the placeholders are the letter's and `extension`'s, which must outlive
 * the template. */
enum status template_load(const char *path, const struct template_extension *extension,
                          enum status (*compile)(const struct template_source *source,
                                                 struct letter_template *result,
                                                 struct error *error),
                          struct letter_template **template_out, struct error *error);
const struct yaml_tree *template_source_tree(const struct template_source *source);
/* The text under `key` of the mapping `root`; an absent key fails only when `required`. */
enum status template_compile_key(const struct template_source *source,
                                 const struct yaml_tree_node *root, const char *key, bool required,
                                 struct template_text *text, struct error *error);
/* The list of texts under `key`; `required` also wants at least one. */
enum status template_compile_list(const struct template_source *source,
                                  const struct yaml_tree_node *root, const char *key, bool required,
                                  struct template_text **texts, size_t *count, struct error *error);
/* Fails, located, on text the letter font cannot print or on invalid UTF-8. */
enum status template_check_printable(const struct template_source *source,
                                     const struct yaml_tree_node *node, struct error *error);
/* Adds a word (copies of `key` and `value`) to `result`. */
enum status template_add_word(struct letter_template *result, const char *key, const char *value,
                              struct error *error);

/*
 * Fills `text` with `values` (one per placeholder: PLACEHOLDER_COUNT, plus the extension's) into
 * a new string (free() it). A NULL value that the text uses fails with STATUS_INVALID:
 * `FILE:LINE:COLUMN: no value for placeholder {x}`.
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
