/*
 * agencies.h: the agencies that issue apology letters (rules/agencies.yaml).
 *
 * Each agency has a code (the dossier source's agency_code, also its spool directory name), the
 * letterhead (governing body and unit, upper case), its name in running text, its document
 * symbol, the place for the date line, an address, the signer (title lines and name), the
 * number format of its letters, the form it uses (2025, the default, or 2018) and whether its
 * letters carry a seal signature field. Loading
 * validates everything with `FILE:LINE:COLUMN` errors: unknown or missing keys, duplicate
 * codes, codes unfit for a directory name, number formats with unknown fields, mail roles
 * (`mail: {role: [address, ...]}`) that are unknown or have malformed addresses. A loaded table
 * is immutable and may be shared between threads.
 */
#ifndef DUNGHEN_AGENCIES_H
#define DUNGHEN_AGENCIES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum agency_form { AGENCY_FORM_2025, AGENCY_FORM_2018 };

enum { AGENCY_NUMBER_SIZE = 128, AGENCY_ADDRESS_MAX = 254 };

/* The mail addresses of one role in one agency (`mail:` in agencies.yaml). */
struct agency_mailbox {
  char *role;       /* one of ladder_roles, never "applicant" */
  char **addresses; /* at least one; checked by agencies_check_address */
  size_t count;
  size_t line, column; /* of the role's key */
};

struct agency {
  char *code;
  char *governing_body; /* UBND TỈNH ĐẮK LẮK */
  char *unit;           /* TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH */
  char *name;           /* Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk */
  char *symbol;         /* TTPVHCC, the {unit} of the number format */
  char *place;          /* Đắk Lắk */
  char *address;
  char *signer_title; /* one or more lines joined by '\n': KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC */
  char *signer_name;
  char *number_format; /* {n:02}/PXL-{unit} */
  enum agency_form form;
  /* `seal_signature: true`: the letter carries a second empty signature field for the agency's
   * seal (docs/LETTERS.md, "Signing"); false by default. */
  bool seal_signature;
  struct agency_mailbox *mailboxes; /* optional `mail:` role -> addresses; none: no mail */
  size_t mailbox_count;
  size_t line, column; /* where the entry starts */
};

struct agency_table {
  char *file;
  struct agency *agencies;
  size_t count;
};

/* Loads `path` (normally RULES/agencies.yaml). On failure the table is empty. */
enum status agencies_load(const char *path, struct agency_table *table, struct error *error);
/* The same from memory; `name` is the file name used in messages. */
enum status agencies_load_buffer(const char *name, const char *data, size_t size,
                                 struct agency_table *table, struct error *error);
void agencies_free(struct agency_table *table);
/* The agency with this code, or NULL. */
const struct agency *agencies_find(const struct agency_table *table, const char *code);
/* The codes of the agencies whose letters take the 2018 form (`form: 2018`), sorted by strcmp
 * as core/dossier.h looks them up: a malloc'd array (free it; the codes are the table's), NULL
 * with *count 0 when none (or `table` is NULL). STATUS_RUNTIME only when memory runs out. */
enum status agencies_form_2018_codes(const struct agency_table *table, const char ***codes,
                                     size_t *count, struct error *error);

/* The mailbox of `role` in `agency`, or NULL when it gives no address for that role. */
const struct agency_mailbox *agency_mailbox(const struct agency *agency, const char *role);

/*
 * Checks one mail address (`local@domain`, as RFC 5321 allows it without quoting): NULL when it
 * is fine, otherwise why not (a static string). CR and LF are refused first and by name: an
 * address goes into a mail header, where a line break would let it inject headers.
 */
const char *agencies_check_address(const char *address);

/*
 * Formats a letter number with the agency's format: `{n}` the number, `{n:0W}` zero-padded to
 * W digits, `{unit}` the symbol, `{year}` the year. Example: 7 → `07/PXL-TTPVHCC`.
 */
enum status agency_format_number(const struct agency *agency, long number, int year,
                                 char buffer[AGENCY_NUMBER_SIZE], struct error *error);

#endif
