/*
 * overview.h: the figures `dunghen demo` closes with, read from the daemon's own tables after
 * the simulated month, beside the progress report (store/report.h, which gives the figures of
 * each agency and the on-time share): dossiers by clock state, escalations by level, and one
 * late dossier whose deadline the reader can have explained (`dunghen deadline --explain`).
 *
 * overview_read() runs three read-only queries and returns plain figures; the texts point into
 * results that the overview owns until overview_free(). Blocking libpq.
 */
#ifndef DUNGHEN_OVERVIEW_H
#define DUNGHEN_OVERVIEW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* A clock state or a ladder level, and how many dossiers or escalations have it. */
struct overview_count {
  const char *name;
  int64_t count;
};

/* A late dossier, as the options of `dunghen deadline` want it. */
struct overview_late_dossier {
  const char *code;
  const char *procedure_code;
  const char *channel;
  const char *received; /* local time, YYYY-MM-DDTHH:MM */
  const char *pauses;   /* FROM/TO pairs (TO "open") separated by spaces; NULL when none */
};

struct overview {
  struct overview_count *states; /* most frequent first */
  size_t state_count;
  struct overview_count *levels; /* in the order they were first raised */
  size_t level_count;
  bool has_late_dossier;
  struct overview_late_dossier late;
  PGresult *results[3];
};

enum status overview_read(PGconn *connection, struct overview *overview, struct error *error);
void overview_free(struct overview *overview);

#endif
