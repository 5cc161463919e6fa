/*
 * raised_escalations.h: the escalations raised at one instant, with the two instants each was
 * owed from, for the histogram of how late they came (service/escalation_delay.h decides).
 *
 * raised_escalations_read() returns every row of dunghen.escalation_log raised at `raised_at`
 * (the pass's "now", which it records in raised_at; the index escalation_log_raised_at finds
 * them) whose id is above `after_id`, with its level, its episode's deadline and its dossier's
 * clock.source_updated_at (the commit in the one-stop database of the change the pass read).
 * Reads only. Blocking libpq.
 */
#ifndef DUNGHEN_RAISED_ESCALATIONS_H
#define DUNGHEN_RAISED_ESCALATIONS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct raised_escalation {
  int64_t id;
  const char *level;
  bool has_deadline; /* false for a row without an episode deadline */
  int64_t deadline;
  bool has_source_updated_at; /* false when the dossier's clock is gone */
  double source_updated_at;   /* Unix seconds, with the fraction */
};

/* The rows read; `rows` owns the texts they point into. */
struct raised_escalations {
  struct raised_escalation *items;
  size_t count;
  PGresult *rows;
};

enum status raised_escalations_read(PGconn *connection, int64_t raised_at, int64_t after_id,
                                    struct raised_escalations *raised, struct error *error);
void raised_escalations_free(struct raised_escalations *raised);

#endif
