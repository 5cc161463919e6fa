/*
 * retention.h: deletes what the configured retention lets go, in small transactions.
 *
 * Three kinds of row may go, each after its own number of days (0 keeps them forever):
 *   - the escalations of a dossier that is finished, withdrawn or rejected (its clock's state),
 *     counted from the source row's last change (`clock.source_updated_at`, which a rules
 *     reload does not move);
 *   - the clock of such a dossier (its escalations stay unless their own retention lets them
 *     go: the fired levels are read from the escalations, never from the clock);
 *   - e-mail deliveries that are over (sent, failed, skipped, digested), counted from when they
 *     were sent or created, and then the outbox rows none of whose deliveries is left.
 * Letters (`letter_log`, `letter_version`) and their PDFs are never deleted. Each transaction
 * deletes at most `batch_size` rows of one kind; a clock another instance holds (its advisory
 * lock) is left for a later run. One daemon runs it: the first to take the retention's
 * leadership (store/leadership.h) on the connection given, kept while that session lives; the
 * others find `leader` false and delete nothing. Blocking libpq: call it from a worker thread.
 */
#ifndef DUNGHEN_RETENTION_H
#define DUNGHEN_RETENTION_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/retention_policy.h"

struct retention_report {
  size_t escalations;
  size_t clocks;
  size_t deliveries;
  size_t outbox;
  size_t batches;
  bool elected; /* the election ran (a policy that deletes something) */
  bool leader;  /* ... and this session leads: it did the deleting */
};

/* One run at `now` (Unix seconds, the daemon's clock). */
enum status retention_run(PGconn *connection, const struct retention_policy *policy, int64_t now,
                          struct retention_report *report, struct error *error);

#endif
