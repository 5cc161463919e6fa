/*
 * letter_jobs.h: renders the apology letters that escalations queued in dunghen.letter_log.
 *
 * The number of a letter is taken when its job is queued (store/pass_batch.c, in the transaction of
 * the escalation), so this module only turns a 'pending' row into a PDF: it claims jobs with
 * the dossier's data (store/letter_queue.h: several workers or daemons never render the same
 * letter), renders them (letter/letter.h), writes each to the spool atomically
 * (service/spool.h) and stores the bytes (store/letter_pdf.h) and records path, sha256 and
 * size in the same transaction that held the claim, rendered at `now` (the daemon's clock).
 * The database is the record; the spool is an export. A crash between the spool write and the
 * commit leaves the row pending; the next run renders the same number to the same path again.
 * A full or read-only spool does not hold a letter back: it is stored and marked rendered all
 * the same, its file counted in `spool_behind` (and the spool not tried again in this call), for
 * the caller to write later (service/letter_export.h). A job whose data cannot make a letter
 * (or whose agency code cannot name a directory) is marked 'failed' with the reason. Blocking
 * libpq: call it from a worker thread that owns the connection, never from the event loop.
 */
#ifndef DUNGHEN_LETTER_JOBS_H
#define DUNGHEN_LETTER_JOBS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "letter/letter.h"
#include "rules/agencies.h"
#include "rules/procedures.h"
#include "service/metrics_histogram.h"

enum { LETTER_JOBS_DEFAULT_BATCH = 50 };

struct letter_jobs_context {
  PGconn *connection;
  int64_t now;                      /* the daemon's clock: when the letters were rendered */
  struct letter_renderer *renderer; /* owned by the calling thread */
  const struct agency_table *agencies;
  const struct procedure_table *procedures; /* for the procedure's name */
  const char *spool_directory;
  size_t batch_size; /* jobs per transaction; 0 means LETTER_JOBS_DEFAULT_BATCH */
  size_t limit;      /* stop after this many jobs in one call; 0 means no limit */
  struct metrics_histogram *render_seconds; /* each letter_render() observed; NULL: not timed */
};

struct letter_jobs_report {
  size_t rendered;
  size_t failed;        /* marked 'failed': the data cannot make a letter */
  size_t spool_behind;  /* rendered and stored, but the spool refused the file (full, read-only) */
  bool spool_refused;   /* the spool refused a file in this call */
  size_t warnings;      /* text replaced while rendering (reported per job in the log) */
  char last_path[4096]; /* the path of the last letter rendered, "" when none */
  char spool_reason[ERROR_MESSAGE_SIZE]; /* why the spool refused, when `spool_refused` */
};

/* Renders pending jobs until none is left (or `limit`). A database failure is STATUS_RUNTIME;
 * a spool failure is STATUS_OK with `spool_behind` > 0. */
enum status letter_jobs_run(const struct letter_jobs_context *context,
                            struct letter_jobs_report *report, struct error *error);

#endif
