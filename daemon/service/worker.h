/*
 * worker.h: the thread that talks blocking libpq, so the event loop never has to.
 *
 * It owns its own PGconn and the current rule set, and runs, when asked: a pass (pass_run), a
 * full recompute after a rules reload (pass_recompute_all, in batches), and a metrics snapshot
 * after each. Requests are flags, so a burst of NOTIFYs during a pass coalesces into one more
 * pass. After every job it publishes a snapshot (database up or not and why, next due instant,
 * metrics, counters) and wakes the loop with event_active() on an event of the loop's base
 * (which must have been created after evthread_use_pthreads()). A failed job is retried after
 * an exponential backoff (0.25 s doubling to 30 s), reconnecting first if the connection broke.
 * worker_stop() lets the running transaction finish; the loop hears `stopped` in the snapshot.
 */
#ifndef DUNGHEN_WORKER_H
#define DUNGHEN_WORKER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "service/metrics_histogram.h"
#include "service/retention_policy.h"
#include "service/ruleset.h"
#include "store/pass.h"
#include "store/pass_metrics.h"

struct worker_settings {
  const char *conninfo; /* NULL: the PG* environment */
  int connect_timeout;
  struct config_timeouts timeouts;
  size_t batch_size;
  int64_t overlap;
  struct retention_policy retention; /* run after a pass, at most hourly (daemon's clock) */
};

struct worker_snapshot {
  bool stopped;          /* the thread has finished (after worker_stop) */
  bool connected;        /* the last contact with the database worked */
  bool busy;             /* a job is running now */
  char problem[512];     /* why the last job failed; "" after a success */
  int64_t next_due;      /* INT64_MAX when nothing is due */
  bool metrics_valid;
  struct pass_metrics metrics;
  uint64_t passes;       /* successful passes */
  uint64_t failures;     /* failed jobs */
  uint64_t reconnects;   /* connections opened after the first */
  uint64_t escalations;  /* raised by this process */
  uint64_t letters;      /* queued by this process */
  uint64_t deadlines_moved; /* by recomputes after reloads */
  double last_pass_seconds;
  int64_t last_success;  /* clock instant of the last successful pass, 0 when none */
  struct metrics_histogram pass_seconds;     /* durations of the successful passes */
  struct metrics_histogram escalation_delay; /* seconds, service/escalation_delay.h */
  uint64_t generation;   /* increases with every published snapshot */
};

struct worker;

/* Takes ownership of `rules`. `on_publish` runs in the loop after every published snapshot. */
struct worker *worker_new(struct event_base *base, const struct worker_settings *settings,
                          struct ruleset *rules, const struct clock *clock, const struct log *log,
                          void (*on_publish)(void *context), void *context, struct error *error);
enum status worker_start(struct worker *worker, struct error *error);
/* Asks for a pass soon (coalesced with any pass already asked for). */
void worker_request_pass(struct worker *worker);
/* Hands over a validated rule set (ownership passes) and asks for a full recompute. */
void worker_replace_rules(struct worker *worker, struct ruleset *rules);
/* New database or batch settings; a new conninfo reconnects before the next job. */
void worker_update_settings(struct worker *worker, const struct worker_settings *settings);
void worker_snapshot(struct worker *worker, struct worker_snapshot *snapshot);
/* Asks the thread to finish its current transaction and exit; does not wait. */
void worker_stop(struct worker *worker);
/* Joins the thread (call after `stopped` was seen, or it waits) and frees everything. */
void worker_free(struct worker *worker);

#endif
