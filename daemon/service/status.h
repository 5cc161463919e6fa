/*
 * status.h: what the running daemon says about itself, as text: the reason of /healthz, the body
 * of /metrics (Prometheus text format 0.0.4) and the systemd STATUS= line.
 *
 * Each is a function of one struct status_snapshot, which the loop fills from its own fields,
 * the listener and the last snapshots the worker threads published; nothing here blocks, locks
 * or reads the clock, so the texts can be checked from a filled struct alone. The texts are a
 * contract: monitors, tests/e2e/test_metrics.c, tests/e2e/check_contrib.py and promtool read
 * them. /healthz is healthy ("ok", or "ok; mail...": a warning a restart would not cure) unless
 * the daemon is stopping, the database is unreachable, no pass has worked yet or the last one
 * failed, the last spool audit found letters on disk that the database lost ("letters lost: ...",
 * service/spool_audit.h), the spool refuses letters ("spool: ...") or the letter thread failed. A
 * reload the reload guard refused keeps 200 (the old rules are in force and work): "ok; reload
 * refused: would queue 340 letters (limit 20); see dunghen preview", also the STATUS= line, until a
 * reload is accepted. A failing scheduled report keeps 200 too, as mail does: "ok; report: ...".
 */
#ifndef DUNGHEN_STATUS_H
#define DUNGHEN_STATUS_H

#include <event2/buffer.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/letter_worker.h"
#include "service/mail_worker.h"
#include "service/metrics_histogram.h"
#include "service/pass_worker.h"
#include "service/report_worker.h"

struct status_snapshot {
  bool stopping;                 /* SIGTERM or SIGINT heard */
  bool ready;                    /* READY=1 was sent */
  bool database_up;              /* the listener's connection is up */
  const char *database_problem;  /* why it is not */
  uint64_t database_reconnects;  /* the listener's (the pass worker's are in `pass`) */
  uint64_t notifications;        /* dunghen_dossier heard */
  uint64_t letter_notifications; /* dunghen_letter heard */
  bool pass_running; /* the pass worker is in a round now (for status_line before READY=1) */
  /* The last snapshots the threads published. */
  const struct pass_worker_snapshot *pass;
  const struct letter_worker_snapshot *letters;
  const struct mail_worker_snapshot *mail;
  const struct report_worker_snapshot *reports; /* NULL: no report thread */
  uint64_t reloads;                             /* SIGHUP reloads swapped in */
  uint64_t reload_failures;
  const struct metrics_histogram *reload_seconds;
  int64_t last_reload_success; /* the daemon's clock; 0 before any */
  uint64_t reload_refusals;    /* reloads the reload guard refused */
  const char *reload_refusal;  /* the last refusal, until a reload is accepted; NULL or "": none */
};

/* Fills `reason` (one line) and returns true when healthy. */
bool status_health(const struct status_snapshot *state, char *reason, size_t size);
/* Appends every metric to `body`. */
void status_metrics(const struct status_snapshot *state, struct evbuffer *body);
/* The text after STATUS= (300 bytes hold it): before READY=1 why it has not come yet, then what
 * the pass worker is doing. */
void status_line(const struct status_snapshot *state, char *text, size_t size);

#endif
