/*
 * mail_worker.h: the thread that delivers the outbox by e-mail (docs/MAIL.md).
 *
 * On the worker skeleton (service/worker_thread.h: its own blocking session, requests, backoff,
 * snapshots, stop), as the letter thread, it runs rounds at least every 5 s, each of which
 * expands new outbox rows into one delivery per recipient address (rules/agencies.yaml `mail:`),
 * gathers the held items of digest roles into one digest per address once the oldest has
 * waited `digest_period`, then sends the due deliveries one at a time: each claimed with
 * FOR UPDATE SKIP LOCKED in its own transaction, built by service/mail_message.h from the
 * wording in letters/mail-*.yaml, handed to sendmail (service/sendmail.h: no shell, a timeout),
 * and marked sent, or retried later with a doubling backoff, or failed after `attempts`. The
 * Message-ID comes from the delivery row, so a retry after a crash re-sends the same message.
 * A letter's message waits until its PDF is rendered, and carries it byte for byte. With mail
 * off it counts, closes its session and waits for a reload. dunghen.mail_switch (whether the
 * outbox triggers write rows) is the pass worker's: it is set before any pass can raise one. Logs
 * name deliveries and dossiers by id and code, never by address or person: addresses and sendmail's
 * words go to delivery_log.
 */
#ifndef DUNGHEN_MAIL_WORKER_H
#define DUNGHEN_MAIL_WORKER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "rules/ruleset.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "service/mail_message.h"
#include "service/metrics_histogram.h"
#include "service/worker_thread.h"

struct mail_worker_snapshot {
  struct worker_thread_snapshot thread; /* stopped, problem (a database failure)... */
  bool enabled;                         /* mail.enabled of the config in use */
  bool counts_valid;
  char failing[512]; /* the last failed send (no address): "" after a success */
  int64_t pending;   /* dunghen.delivery_log by state, as last counted */
  int64_t held;
  int64_t sent;
  int64_t failed;
  uint64_t sent_total; /* by this process */
  uint64_t attempt_failures_total;
  uint64_t failed_total; /* deliveries this process gave up on */
  uint64_t consecutive_failures;
  uint64_t digests_total;
  uint64_t unaddressed_total;                /* outbox roles with no address in the rules */
  struct metrics_histogram sendmail_seconds; /* each sendmail run, whatever its result */
};

struct mail_worker;

/* Copies what it needs from `config` (database and mail sections); takes ownership of `kit`. */
struct mail_worker *mail_worker_new(struct event_base *base, const struct config *config,
                                    struct mail_kit *kit, const struct clock *clock,
                                    const struct log *log, void (*on_publish)(void *context),
                                    void *context, struct error *error);
enum status mail_worker_start(struct mail_worker *worker, struct error *error);
void mail_worker_request(struct mail_worker *worker);
/* A reload: new settings and kit (ownership passes), taken between two deliveries. */
void mail_worker_reload(struct mail_worker *worker, const struct config *config,
                        struct mail_kit *kit);
void mail_worker_snapshot(struct mail_worker *worker, struct mail_worker_snapshot *snapshot);
void mail_worker_stop(struct mail_worker *worker);
void mail_worker_free(struct mail_worker *worker);

#endif
