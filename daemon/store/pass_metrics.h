/*
 * pass_metrics.h: what /metrics and /healthz show of the passes' results, and the instant the
 * due timer sleeps until; plain blocking libpq on an idle connection, like store/pass.h.
 */
#ifndef DUNGHEN_PASS_METRICS_H
#define DUNGHEN_PASS_METRICS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum {
  PASS_MAX_METRIC_NAMES = 24,
  PASS_METRIC_NAME_SIZE = 40,
  PASS_MAX_METRIC_AGENCIES = 512, /* agencies counted in /metrics; the rest are left out */
  PASS_AGENCY_CODE_SIZE = 72,     /* rules/agencies.c allows 64 bytes */
};

/* The earliest stored next instant (INT64_MAX when none): what the due timer sleeps until. */
enum status pass_next_due(PGconn *connection, int64_t *next_due, struct error *error);

struct pass_count {
  char name[PASS_METRIC_NAME_SIZE];
  int64_t value;
};

/* What /metrics and /healthz show; read in one snapshot. The counts come from
 * `dunghen.metric_delta`, which statement triggers on the clock, escalation and letter tables
 * keep in the writing transactions and the passes fold: a read costs the same (well under a
 * millisecond) at a thousand dossiers or a million. */
struct pass_metrics {
  struct pass_count states[PASS_MAX_METRIC_NAMES]; /* dossiers by state (every state listed,
                                                      zeros included; "flagged" among them) */
  size_t state_count;
  struct pass_count levels[PASS_MAX_METRIC_NAMES]; /* escalations raised, by level */
  size_t level_count;
  int64_t letters_pending;
  int64_t letters_rendered;
  int64_t letters_failed;
  int64_t letters_signed;
  int64_t flagged;
  int64_t last_pass_at; /* `now` of the last committed batch, or 0 when never */
  int64_t next_due;     /* INT64_MAX when none */
  int schema_version;
  /* Per agency (dunghen.clock.agency_code, dunghen.letter_log.agency_code), sorted by code:
   * open dossiers (running or paused), overdue ones (overdue, overdue_again), letters pending;
   * an agency whose three counts are zero is not listed. */
  struct pass_agency_count {
    char code[PASS_AGENCY_CODE_SIZE];
    int64_t open;
    int64_t overdue;
    int64_t letters_pending;
  } agencies[PASS_MAX_METRIC_AGENCIES];
  size_t agency_count;
  size_t agencies_left_out; /* beyond PASS_MAX_METRIC_AGENCIES */
};

enum status pass_metrics_read(PGconn *connection, struct pass_metrics *metrics,
                              struct error *error);

#endif
