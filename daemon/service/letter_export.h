/*
 * letter_export.h: the spool rebuilt from the database (`dunghen letters export`, and the
 * letter thread catching up after the spool refused files).
 *
 * letter_export_run() writes every rendered draft (current and earlier) that the filter
 * selects to `<spool>/<agency>/<year>/<name>.pdf` (service/spool.h: the daemon's own paths,
 * atomic, 0640), reading its bytes from dunghen.letter_pdf and checking them against the sha256
 * and size recorded with the draft. A file already there with those bytes is left alone. A
 * draft whose bytes are missing or differ in the database is counted (`unavailable`, the first
 * one described in `first_problem`) and skipped; a spool that refuses a file stops the run with
 * STATUS_RUNTIME. Blocking libpq, one PDF in memory at a time.
 */
#ifndef DUNGHEN_LETTER_EXPORT_H
#define DUNGHEN_LETTER_EXPORT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "core/error.h"
#include "store/letter_pdf.h"

struct letter_export_report {
  size_t written;     /* files written (missing or different before) */
  size_t unchanged;   /* already identical */
  size_t unavailable; /* bytes missing from the database, or not matching their sha256 */
  char first_problem[ERROR_MESSAGE_SIZE];
};

enum status letter_export_run(PGconn *connection, const char *spool_directory,
                              const struct letter_draft_filter *filter,
                              struct letter_export_report *report, struct error *error);

/* True when the file at `path` holds exactly `bytes` bytes with the sha256 `sha256` (hex). */
bool letter_export_file_matches(const char *path, const char *sha256, int64_t bytes);

#endif
