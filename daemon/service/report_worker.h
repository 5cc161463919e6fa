/*
 * report_worker.h: the thread of the scheduled progress report (issue 17; docs/REPORT.md, "On
 * schedule"), so neither the loop nor the pass worker waits for the report's SQL or its PDF.
 *
 * On the worker skeleton (service/worker_thread.h: its own blocking session, requests,
 * backoff, snapshots, stop), with `reports:` of the config and the rules in force. Each round,
 * when the section is enabled: core/report_schedule.h says which period is due at the daemon's
 * clock; if dunghen.report_run does not hold it yet, the figures are read (store/report.h, one
 * read-only snapshot), completed by the rules (rules/report_rules.h), rendered (PDF with the
 * issuer's letterhead, letter/report_pdf.h; JSON) and stored with store/report_run.h, which
 * also queues the mail in the same transaction: so two daemons or a restart never store or
 * mail twice (the loser of a race rendered for nothing, which is harmless). One log line per
 * stored report, without personal data. The next round is set for the next due instant (and
 * at least every hour, so a changed clock or a lost race is seen), and a reload asks for one.
 * Only the elected daemon renders (store/leadership.h: a session-level advisory lock on this
 * thread's connection); the others ask again every few seconds, so that one takes over within
 * seconds of the leader's session ending. ON CONFLICT in store/report_run.h stays the proof of
 * exactly once; the election saves the others rendering for nothing and racing for numbers.
 * Disabled: no connection and no round until a reload enables it.
 */
#ifndef DUNGHEN_REPORT_WORKER_H
#define DUNGHEN_REPORT_WORKER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/report.h"
#include "rules/ruleset.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "service/worker_thread.h"

struct report_worker_snapshot {
  struct worker_thread_snapshot thread; /* stopped, problem... */
  bool enabled;                         /* reports.enabled of the config in use */
  bool has_last;                        /* a run of the configured kind and grouping is stored */
  struct report_period last;            /* its period (the latest one) */
  uint64_t stored_total;                /* runs this process stored */
  uint64_t mailed_total;                /* of which queued for mail */
  uint64_t already_total;               /* due runs another instance (or a former run) stored */
  bool elected;                         /* connected and took part in the election */
  bool leader;                          /* ... and this daemon runs the reports */
};

/*
 * Checks `reports` of `config` against `rules`, at start and at reload, with the config's
 * location: the issuer must be an agency of agencies.yaml (default: its first agency, so the
 * file must exist), and while mail is on every role must have an address in some agency.
 * Nothing to check when the section is disabled.
 */
enum status report_worker_check(const struct config *config, const struct ruleset *rules,
                                struct error *error);

struct report_worker;

/* Copies what it needs from `config`; takes a reference to `rules`. */
struct report_worker *report_worker_new(struct event_base *base, const struct config *config,
                                        struct ruleset *rules, const struct clock *clock,
                                        const struct log *log, void (*on_publish)(void *context),
                                        void *context, struct error *error);
enum status report_worker_start(struct report_worker *worker, struct error *error);
/* A new config (reports, database, fonts) and rules (NULL: keep the rules); asks for a round. */
void report_worker_reload(struct report_worker *worker, const struct config *config,
                          struct ruleset *rules);
void report_worker_snapshot(struct report_worker *worker, struct report_worker_snapshot *snapshot);
void report_worker_stop(struct report_worker *worker);
void report_worker_free(struct report_worker *worker);

#endif
