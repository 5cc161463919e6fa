/*
 * error_list.h: every error of one rules file, gathered so that an admin fixes them in one run.
 *
 * A loader notes each failed check (a key, a list item, a procedure, a level, an agency) and
 * goes on with the next one where that is safe; error_list_finish() then puts what it noted
 * into the caller's one `struct error`: in file order (by line, then column, then the order
 * noted), one `FILE:LINE:COLUMN: message` a line, at most ERROR_LIST_SHOWN of them, then
 * `FILE: N more errors not shown`. One error reads exactly as it would alone. STATUS_RUNTIME
 * (memory, I/O) is never gathered: it stops the loader and is the outcome. No global state.
 */
#ifndef DUNGHEN_ERROR_LIST_H
#define DUNGHEN_ERROR_LIST_H

#include <stddef.h>

#include "core/error.h"

enum { ERROR_LIST_SHOWN = 20 };

struct error_list_entry;

struct error_list {
  const char *file;                 /* the name every message starts with; not owned */
  struct error_list_entry *entries; /* the first ERROR_LIST_SHOWN in file order, unsorted */
  size_t kept;
  size_t count;         /* every error noted, kept or not */
  struct error runtime; /* STATUS_OK, or the failure that stopped the loader */
};

void error_list_init(struct error_list *list, const char *file);

/*
 * Notes the outcome of one check whose failure `error` describes, and returns `status`:
 * STATUS_OK notes nothing; STATUS_INVALID is gathered (the caller goes on with the next item);
 * STATUS_RUNTIME is kept as the outcome (the caller stops). Out of memory here is STATUS_RUNTIME.
 */
enum status error_list_note(struct error_list *list, enum status status, const struct error *error);

/* How many errors have been noted so far (a caller skips work that depends on a failed part). */
size_t error_list_count(const struct error_list *list);

/* Fills `error` with what was noted (unchanged when nothing), frees the list, returns the status.
 */
enum status error_list_finish(struct error_list *list, struct error *error);

#endif
