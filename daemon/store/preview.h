/*
 * preview.h: the facts of every open dossier, for `dunghen preview`, read and never written.
 *
 * One transaction, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`, so the count and every
 * batch see one snapshot and the server refuses any write. The open dossiers are the clocks
 * (dunghen.clock) whose state is not finished or closed and whose code the source view still
 * has, with what the pass reads of them (store/pass_row.h's columns): the source row and its
 * pauses, the recorded reschedule and the fired levels. A cursor hands them over in batches of
 * PREVIEW_BATCH_SIZE rows, so a million dossiers never sit in memory at once. The rows the source
 * view repeats are counted only for clocks already flagged (that is how the pass found them):
 * a code repeated since the last pass is evaluated once as it is.
 */
#ifndef DUNGHEN_STORE_PREVIEW_H
#define DUNGHEN_STORE_PREVIEW_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dossier.h"
#include "core/error.h"

enum { PREVIEW_BATCH_SIZE = 5000 }; /* rows a FETCH (store/preview.c spells it out) */

struct preview_reader {
  void *context;
  /* The number of open dossiers, before the first one is handed over. */
  void (*total)(void *context, int64_t total);
  /* One dossier; its facts (texts included) are valid only during the call. Anything but
   * STATUS_OK stops the read with that status and error. */
  enum status (*dossier)(void *context, const struct dossier_facts *facts, struct error *error);
};

/* Hands every open dossier to `reader`. STATUS_RUNTIME when the database fails. */
enum status preview_read(PGconn *connection, const struct preview_reader *reader,
                         struct error *error);

#endif
