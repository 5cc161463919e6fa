/*
 * report_run.h: the scheduled progress reports (dunghen.report_run, migration 8), stored
 * exactly once per period, kind and grouping however many daemons try.
 *
 * The caller renders first (rendering twice is harmless), numbering the report with
 * report_run_next_number(); report_run_store() then, in ONE transaction of its own, inserts
 * the run with ON CONFLICT DO NOTHING and, only when that insert stored it and
 * dunghen.mail_switch is on, queues one outbox row of kind 'report' to the roles. A run
 * already there (another daemon, or this one before a restart) is REPORT_RUN_ALREADY and
 * nothing is written; a number another period took meanwhile is REPORT_RUN_NUMBER_TAKEN
 * (render again with the next one). Numbers run per issuer and year without gaps: each is the
 * highest stored plus one, and (issuer, year, number) is unique. Blocking libpq; dates are the
 * daemon's clock (`created_at`).
 */
#ifndef DUNGHEN_STORE_REPORT_RUN_H
#define DUNGHEN_STORE_REPORT_RUN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/report.h"
#include "core/report_schedule.h"

/* What identifies a run: one per period, kind and grouping. */
struct report_run_key {
  enum report_period_kind kind;
  struct report_period period;
  enum report_grouping grouping;
};

struct report_run_record {
  struct report_run_key key;
  const char *issuer;
  int year;
  long number;
  int64_t report_day; /* a day number */
  int64_t created_at;
  int64_t received, done, in_progress; /* the total row's */
  bool has_share;
  double on_time_share;
  const unsigned char *pdf;
  size_t pdf_size;
  const char *json;
  const char *sha256; /* of the PDF, hex */
  char *const *roles; /* NULL-terminated: the outbox row's roles */
};

enum report_run_outcome { REPORT_RUN_STORED, REPORT_RUN_ALREADY, REPORT_RUN_NUMBER_TAKEN };

/* Whether the run of `key` is stored. */
enum status report_run_exists(PGconn *connection, const struct report_run_key *key, bool *exists,
                              struct error *error);
/* 1 + the highest number `issuer` has for `year` (1 for the first). */
enum status report_run_next_number(PGconn *connection, const char *issuer, int year, long *number,
                                   struct error *error);
/* Stores the run and queues its mail, in one transaction (see above). *id is the run's id when
 * stored, else 0; *mailed tells whether an outbox row was written. */
enum status report_run_store(PGconn *connection, const struct report_run_record *record,
                             enum report_run_outcome *outcome, int64_t *id, bool *mailed,
                             struct error *error);

/* The latest stored period of `kind` and `grouping` (the highest period_from); *any false when
 * none. */
enum status report_run_latest(PGconn *connection, enum report_period_kind kind,
                              enum report_grouping grouping, bool *any,
                              struct report_period *period, struct error *error);

/* A stored run's PDF (malloc()ed: free() it), checked against its recorded sha256. */
enum status report_run_read_pdf(PGconn *connection, int64_t id, unsigned char **pdf, size_t *size,
                                struct error *error);

#endif
