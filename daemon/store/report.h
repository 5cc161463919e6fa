/*
 * report.h: the period's progress figures (core/report.h) counted by SQL, read-only.
 *
 * One aggregate query over dunghen.clock (whose received_at, finished_at, channel, state and
 * deadlines the pass keeps; migration 7) and dunghen.letter_log, grouped by agency code,
 * procedure code or channel, with the indexes on received_at and finished_at doing the
 * selection; a second query lists the late dossiers without a letter. For REPORT_BY_FIELD the
 * rows come by procedure and rules/report_rules.h merges them. The groups come sorted by key,
 * labels equal to keys, no total (rules/report_rules.h fills both). Inside one
 * REPEATABLE READ READ ONLY transaction, so the figures are of one snapshot and nothing is
 * written. Blocking libpq.
 */
#ifndef DUNGHEN_STORE_REPORT_H
#define DUNGHEN_STORE_REPORT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/error.h"
#include "core/report.h"

struct report_query {
  struct report_period period;
  enum report_grouping grouping;
  const char *agency; /* only this agency's dossiers; NULL for all */
};

/* Fills `report` (zeroed by the caller). STATUS_RUNTIME when the database fails. */
enum status report_read(PGconn *connection, const struct report_query *query, struct report *report,
                        struct error *error);

/* Whether the daemon has a clock of any dossier of `agency` (`dunghen report --agency` accepts
 * an agency that agencies.yaml lacks only then). STATUS_RUNTIME when the database fails. */
enum status report_agency_seen(PGconn *connection, const char *agency, bool *seen,
                               struct error *error);

#endif
