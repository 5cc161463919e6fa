/*
 * letter_queue.h: the apology letters that escalations queued in dunghen.letter_log, as the
 * renderer takes them (service/letter_jobs.h decides and renders; this module only reads and
 * writes the rows).
 *
 * letter_queue_claim() claims up to `limit` pending letters, oldest first, with FOR UPDATE SKIP
 * LOCKED (two workers or daemons never take the same one), each with what its letter prints:
 * the dossier's row of dunghen.dossier_source, its deadline, and the dates, wording and form the
 * pass decided (NULL for a letter queued before migration 4). A letter whose dossier code the
 * view returns twice is not claimed: it waits, pending, until the view is fixed. The claim
 * holds until the caller's transaction (store/transaction.h) ends, and the results are recorded
 * in that same transaction: rendered (path, sha256, size, the reason it printed, and
 * rendered_at = `now`, the daemon's clock) or failed with the reason. Blocking libpq.
 */
#ifndef DUNGHEN_LETTER_QUEUE_H
#define DUNGHEN_LETTER_QUEUE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* One claimed letter. Texts are NULL for SQL NULL; instants are Unix seconds, 0 for NULL. */
struct letter_job {
  int64_t id;
  const char *dossier_code;
  const char *agency_code;
  int year;
  long number;
  int64_t version; /* the draft: 1, then one more per re-draft */
  int64_t new_appointment_at;
  int64_t created_at;
  bool in_source; /* false: the dossier is no longer in dunghen.dossier_source */
  const char *applicant_name;
  const char *applicant_id;
  const char *applicant_address;
  const char *procedure_code;
  int64_t received_at;
  int64_t promised; /* the appointment the source set, else the computed deadline */
  const char *reason;
  const char *reason_md5; /* md5 of the trimmed reason ('' hashed when there is none) */
  bool has_issued_on;     /* the decisions of the pass that queued it (migration 4) */
  int64_t issued_on;      /* a day number */
  bool has_promised_at;
  int64_t promised_at;
  int form;            /* 2018 or 2025; 0 when not decided */
  const char *wording; /* "before_deadline", "after_deadline", or NULL */
};

/* The claimed letters; `rows` owns the texts they point into. */
struct letter_queue_batch {
  struct letter_job *jobs;
  size_t count;
  PGresult *rows;
};

/* What a rendered letter left in the spool, and the reason it printed. */
struct letter_rendering {
  const char *path;
  const char *sha256;
  size_t bytes;
  const char *reason_md5;
  bool reason_missing; /* the letter left dotted lines for the reason */
};

struct letter_queue_counts {
  int64_t pending;
  int64_t rendered;
  int64_t failed;
  int64_t signed_count;
};

/* In the caller's open transaction. */
enum status letter_queue_claim(PGconn *connection, size_t limit, struct letter_queue_batch *batch,
                               struct error *error);
void letter_queue_batch_free(struct letter_queue_batch *batch);
enum status letter_queue_record_rendered(PGconn *connection, int64_t id,
                                         const struct letter_rendering *rendering, int64_t now,
                                         struct error *error);
enum status letter_queue_record_failed(PGconn *connection, int64_t id, const char *reason,
                                       struct error *error);
/* dunghen.letter_log by state (reads the whole table). */
enum status letter_queue_count(PGconn *connection, struct letter_queue_counts *counts,
                               struct error *error);

#endif
