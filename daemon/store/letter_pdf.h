/*
 * letter_pdf.h: the letters' PDF bytes in dunghen.letter_pdf (migration 9), one row per draft
 * (letter id, version): the database is the record of every letter, the spool an export.
 *
 * letter_pdf_store() writes one draft's bytes in the caller's transaction, the one that marks
 * the letter rendered (a constraint checked at commit refuses a rendered letter without them).
 * The listings describe drafts without their bytes (a period's letters for an export, one letter
 * for `letters get`, the rendered drafts whose bytes are missing for an import); the bytes are
 * read one draft at a time by letter_pdf_read(), which checks them against the sha256 and size
 * recorded in letter_log or letter_version. Blocking libpq.
 */
#ifndef DUNGHEN_LETTER_PDF_H
#define DUNGHEN_LETTER_PDF_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* One draft of a letter. Texts point into the listing's rows. */
struct letter_draft {
  int64_t letter_id;
  int64_t version;
  const char *dossier_code;
  const char *agency_code;
  int year;
  long number;
  const char *sha256; /* as recorded with the draft */
  int64_t bytes;
  bool stored; /* its bytes are in dunghen.letter_pdf */
};

struct letter_draft_list {
  struct letter_draft *drafts;
  size_t count;
  PGresult *rows;
};

/* Which letters: created in [from_day, to_day] local time (both included) when `has_period`,
 * of `agency_code` unless NULL; drafts rendered at or after `rendered_since` (Unix seconds)
 * when `has_rendered_since`. */
struct letter_draft_filter {
  bool has_period;
  int64_t from_day, to_day;
  const char *agency_code;
  bool has_rendered_since;
  int64_t rendered_since;
};

/* One letter, by its dossier code, or by agency, year and number (code NULL); version 0 is
 * the current draft. */
struct letter_selector {
  const char *dossier_code;
  const char *agency_code;
  int year;
  long number;
  int64_t version;
};

enum status letter_pdf_store(PGconn *connection, int64_t letter_id, int64_t version,
                             const char *sha256, const void *pdf, size_t size, int64_t now,
                             struct error *error);
/* The rendered drafts (current and earlier) of the filter's letters, by agency, year, number,
 * version. */
enum status letter_pdf_list(PGconn *connection, const struct letter_draft_filter *filter,
                            struct letter_draft_list *list, struct error *error);
/* The rendered drafts whose bytes are not stored (rendered before migration 9). */
enum status letter_pdf_list_missing(PGconn *connection, struct letter_draft_list *list,
                                    struct error *error);
/* The selected draft: STATUS_INVALID naming the selector when there is no such rendered
 * draft. */
enum status letter_pdf_find(PGconn *connection, const struct letter_selector *selector,
                            struct letter_draft_list *list, struct error *error);
void letter_draft_list_free(struct letter_draft_list *list);
/* The draft's bytes (malloc'ed), checked against its recorded sha256 and size: STATUS_RUNTIME
 * when they are missing or differ. */
enum status letter_pdf_read(PGconn *connection, const struct letter_draft *draft,
                            unsigned char **pdf, size_t *size, struct error *error);

#endif
