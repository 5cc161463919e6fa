/*
 * pass_worker.h: the thread that runs the passes with blocking libpq, so the event loop never
 * has to.
 *
 * On the worker skeleton (service/worker_thread.h: its own session, requests, backoff,
 * snapshots, stop) it holds a reference to the ruleset in force, audits the spool once on every
 * new session before anything else (service/spool_audit.h: numbers of letters on disk are never
 * taken again), and runs, when asked: the
 * reload guard on a reload's new rules, then a full recompute when they are accepted
 * (pass_recompute_all, in batches), a pass (pass_run), the retention after a pass (at most
 * hourly), and a metrics snapshot after them. Requests are
 * flags, so a burst of NOTIFYs during a pass coalesces into one more pass. After every round it
 * publishes a snapshot (database up or not and why, next due instant, metrics, counters). A
 * failed round is asked for again and retried after the skeleton's backoff (0.25 s doubling to
 * 30 s), which requests wait out. pass_worker_stop() lets the running transaction finish; the
 * loop hears `stopped` in the snapshot.
 *
 * The reload guard: before new rules replace those in force, the worker counts on its own
 * connection what they would do at once (service/rules_impact.h, the count `dunghen preview`
 * prints). Over a limit of the reload's config (`reload:`; 0 is none; both 0: nothing is read)
 * the new set is released, the old one stays in force and nothing is recomputed; within them,
 * the new set is installed and every clock recomputed. Either way the decision is published
 * (reload_decided, reload_refused, reload_refusal) before the recompute starts, so the loop
 * hands the letter and mail kits of an accepted reload over as its recompute begins (the
 * publish event is queued before the first letter's NOTIFY can arrive). A guard that fails
 * (the database) is retried with the round, the old rules still in force.
 */
#ifndef DUNGHEN_PASS_WORKER_H
#define DUNGHEN_PASS_WORKER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "rules/ruleset.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "service/metrics_histogram.h"
#include "service/spool_audit.h"
#include "service/worker_thread.h"
#include "store/pass.h"
#include "store/pass_metrics.h"
#include "store/retention_policy.h"

struct pass_worker_settings {
  const char *conninfo; /* NULL: the PG* environment */
  int connect_timeout;
  struct config_timeouts timeouts;
  size_t batch_size;
  /* sync.first_pass_sessions: the worker's session and its partners for the first pass ever
   * (service/pass_partner.h); 1: the worker alone. */
  size_t first_pass_sessions;
  int64_t overlap;
  struct retention_policy retention; /* run after a pass, at most hourly (daemon's clock) */
  /* mail.enabled: written to dunghen.mail_switch before the first pass on every connection, so
   * the escalations and letters of that pass are mailed (or not) as configured, whichever
   * thread reaches the database first. */
  bool mail_enabled;
  /* paths.spool: audited before the first pass of every session (service/spool_audit.h);
   * NULL: none. */
  const char *spool_directory;
};

struct pass_worker_snapshot {
  struct worker_thread_snapshot thread; /* stopped, busy, connected, problem, failures... */
  int64_t next_due;                     /* INT64_MAX when nothing is due */
  bool metrics_valid;
  struct pass_metrics metrics;
  uint64_t passes;          /* successful passes */
  uint64_t escalations;     /* raised by this process */
  uint64_t letters;         /* queued by this process */
  uint64_t deadlines_moved; /* by recomputes after reloads */
  double last_pass_seconds;
  int64_t last_success; /* clock instant of the last successful pass, 0 when none */
  struct metrics_histogram pass_seconds;     /* durations of the successful passes */
  struct metrics_histogram escalation_delay; /* seconds, service/escalation_delay.h */
  uint64_t reload_decided;  /* the last reload whose new rules the guard judged; 0: none */
  bool reload_refused;      /* ... and refused */
  char reload_refusal[300]; /* "reload refused: would queue 340 letters (limit 20); see ..." */
  struct spool_audit_tally spool_audit; /* the last audit of the spool against the database */
  bool retention_elected;               /* the last retention run took part in the election */
  bool retention_leader;                /* ... and this daemon won it (store/leadership.h) */
};

struct pass_worker;

/* Takes over the caller's reference to `rules` (released on failure too). `on_publish` runs in
 * the loop after every published snapshot. */
struct pass_worker *pass_worker_new(struct event_base *base,
                                    const struct pass_worker_settings *settings,
                                    struct ruleset *rules, const struct clock *clock,
                                    const struct log *log, void (*on_publish)(void *context),
                                    void *context, struct error *error);
enum status pass_worker_start(struct pass_worker *worker, struct error *error);
/* Asks for a pass soon (coalesced with any pass already asked for). */
void pass_worker_request(struct pass_worker *worker);
/* Hands over a validated rule set (the caller's reference) for the guard with `limits`; once
 * accepted, every clock is recomputed. `reload` (> 0) names the reload in the snapshot's
 * reload_decided. A set handed over before the last one was taken replaces it. */
void pass_worker_replace_rules(struct pass_worker *worker, struct ruleset *rules,
                               const struct config_reload *limits, uint64_t reload);
/* New database or batch settings; a new conninfo reconnects before the next job. */
void pass_worker_update_settings(struct pass_worker *worker,
                                 const struct pass_worker_settings *settings);
void pass_worker_snapshot(struct pass_worker *worker, struct pass_worker_snapshot *snapshot);
/* Asks the thread to finish its current transaction and exit; does not wait. */
void pass_worker_stop(struct pass_worker *worker);
/* Joins the thread (call after `stopped` was seen, or it waits) and frees everything. */
void pass_worker_free(struct pass_worker *worker);

#endif
