#include "service/pass_worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/escalation_delay.h"
#include "service/pass_partner.h"
#include "service/rules_impact.h"
#include "service/session.h"
#include "service/worker_thread.h"
#include "store/mail_queue.h"
#include "store/retention.h"

/* Counting dossiers by state scans the clock table: not after every pass of a NOTIFY burst. */
static const double METRICS_MIN_INTERVAL = 2.0;

struct pass_worker {
  const struct clock *clock;
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  bool pass_requested;
  bool recompute_requested;
  struct ruleset *pending_rules; /* a reload's, for the guard */
  struct config_reload pending_limits;
  uint64_t pending_reload;
  size_t batch_size;
  size_t first_pass_sessions;
  int64_t overlap;
  struct retention_policy retention;
  bool mail_enabled;
  char spool_directory[4096]; /* "": no spool to audit */
  struct pass_worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct ruleset *rules;
  struct ruleset *taken_rules; /* from take to adopt */
  struct config_reload taken_limits;
  uint64_t taken_reload;
  struct ruleset *candidate; /* adopted, waiting for the guard (kept over a failed round) */
  struct config_reload candidate_limits;
  uint64_t candidate_reload;
  bool recompute; /* this round's jobs */
  bool pass;
  double metrics_read_at;
  struct metrics_histogram escalation_delay; /* copied into the snapshot after each job */
  int64_t delay_seen_id;                     /* the last escalation it observed */
  int64_t retention_at;                      /* the clock instant of the last retention run */
  bool switch_set; /* dunghen.mail_switch holds `switch_enabled`, written on this session */
  bool switch_enabled;
  bool audited; /* the spool was audited on this session (service/spool_audit.h) */
  struct spool_audit_tally spool_audit;
};

static void fill_context(struct pass_worker *worker, struct pass_context *context) {
  memset(context, 0, sizeof *context);
  context->connection = worker->session.connection;
  context->rules = worker->rules->rules;
  context->ladder = worker->rules->ladder;
  context->agency_codes = worker->rules->agency_codes;
  context->agency_count = worker->rules->agency_count;
  context->agencies = &worker->rules->agencies;
  context->now = clock_now(worker->clock);
  pthread_mutex_lock(&worker->thread.mutex);
  context->batch_size = worker->batch_size;
  context->overlap_seconds = worker->overlap;
  pthread_mutex_unlock(&worker->thread.mutex);
}

static void log_flags(struct pass_worker *worker, const struct pass_report *report) {
  for (size_t i = 0; i < report->flag_count; i++)
    log_warning(worker->log, "dossier %s flagged: %s", report->flags[i].code,
                report->flags[i].reason);
  if (report->flagged > report->flag_count)
    log_warning(worker->log, "%zu more dossiers flagged (see dunghen.clock)",
                report->flagged - report->flag_count);
}

static void record_success(struct pass_worker *worker, const struct pass_report *report,
                           double seconds, int64_t now, bool recompute) {
  pthread_mutex_lock(&worker->thread.mutex);
  struct pass_worker_snapshot *snapshot = &worker->snapshot;
  snapshot->next_due = report->next_due;
  snapshot->escalations += report->escalations;
  snapshot->letters += report->letters + report->redrafts; /* both are jobs to render */
  if (recompute) {
    snapshot->deadlines_moved += report->deadlines_moved;
  } else {
    snapshot->passes++;
    snapshot->last_pass_seconds = seconds;
    snapshot->last_success = now;
    metrics_histogram_observe(&snapshot->pass_seconds, seconds);
  }
  snapshot->escalation_delay = worker->escalation_delay;
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* After the job committed: how late its escalations came (a failure here fails no job). */
static void observe_delays(struct pass_worker *worker, const struct pass_context *context,
                           const struct pass_report *report, double committed_at) {
  if (report->escalations == 0)
    return;
  struct error error;
  if (escalation_delay_observe(context->connection, context->rules->calendar, context->ladder,
                               context->now, committed_at, &worker->delay_seen_id,
                               &worker->escalation_delay, &error) != STATUS_OK)
    log_warning(worker->log, "metrics: %s", error.message);
}

/* The counts of what the candidate would do at once instead of the rules in force. */
static enum status measure_candidate(struct pass_worker *worker, struct rules_impact *impact,
                                     struct error *error) {
  struct rules_impact_side before, after;
  enum status status = rules_impact_side_init(&before, worker->rules, error);
  if (status != STATUS_OK)
    return status;
  status = rules_impact_side_init(&after, worker->candidate, error);
  if (status == STATUS_OK) {
    status = rules_impact_measure(worker->session.connection, &before, &after,
                                  clock_now(worker->clock), NULL, impact, error);
    rules_impact_side_free(&after);
  }
  rules_impact_side_free(&before);
  return status;
}

/* The reload guard (pass_worker.h): installs the candidate or releases it, and publishes why. */
static enum status judge_candidate(struct pass_worker *worker, struct error *error) {
  const struct config_reload *limits = &worker->candidate_limits;
  struct rules_impact impact = {0};
  char reason[200] = "";
  bool refused = false;
  if (limits->max_letters > 0 || limits->max_escalations > 0) {
    double started = clock_monotonic_seconds();
    if (measure_candidate(worker, &impact, error) != STATUS_OK)
      return error_prefix(error, "reload guard");
    refused = rules_impact_refusal(&impact, limits, reason, sizeof reason);
    log_info(worker->log,
             "reload guard: %zu open dossiers, %zu deadlines would move, %zu escalations "
             "(limit %d) and %zu letters (limit %d) at once; 0: no limit (%.3f s)",
             impact.examined, impact.moved, impact.escalations, limits->max_escalations,
             impact.letters, limits->max_letters, clock_monotonic_seconds() - started);
  }
  char refusal[sizeof worker->snapshot.reload_refusal] = "";
  if (refused) {
    snprintf(refusal, sizeof refusal, "reload refused: %s; see dunghen preview", reason);
    log_warning(worker->log, "%s", refusal);
    ruleset_release(worker->candidate); /* the old set stays in force: nothing to recompute */
  } else {
    ruleset_release(worker->rules);
    worker->rules = worker->candidate;
    worker->recompute = true;
  }
  worker->candidate = NULL;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.reload_decided = worker->candidate_reload;
  worker->snapshot.reload_refused = refused;
  snprintf(worker->snapshot.reload_refusal, sizeof worker->snapshot.reload_refusal, "%s", refusal);
  pthread_mutex_unlock(&worker->thread.mutex);
  worker_thread_publish(&worker->thread); /* before the recompute queues any letter */
  return STATUS_OK;
}

static enum status run_recompute(struct pass_worker *worker, struct error *error) {
  struct pass_context context;
  fill_context(worker, &context);
  struct pass_report report;
  double started = clock_monotonic_seconds();
  enum status status = pass_recompute_all(&context, &report, error);
  if (status != STATUS_OK)
    return status;
  double seconds = clock_monotonic_seconds() - started;
  observe_delays(worker, &context, &report, escalation_delay_now(worker->clock));
  log_flags(worker, &report);
  log_info(worker->log,
           "reload: recomputed %zu clocks in %zu batches (%.3f s): %zu deadlines moved, "
           "%zu escalations, %zu letters queued",
           report.examined, report.batches, seconds, report.deadlines_moved, report.escalations,
           report.letters);
  record_success(worker, &report, seconds, context.now, true);
  return STATUS_OK;
}

/*
 * Old rows the retention lets go, at most once per RETENTION_DEFAULT_INTERVAL of the daemon's
 * clock, after a successful pass. A failure is logged and tried again at the next interval:
 * what it would have deleted can wait, and the passes must not.
 */
static void run_retention(struct pass_worker *worker, int64_t now) {
  /* A standby asks again sooner, to take over within minutes of the leader's end. */
  int64_t interval = worker->snapshot.retention_elected && !worker->snapshot.retention_leader
                         ? RETENTION_STANDBY_INTERVAL
                         : RETENTION_DEFAULT_INTERVAL;
  if (worker->retention_at != 0 && now - worker->retention_at < interval)
    return;
  worker->retention_at = now;
  pthread_mutex_lock(&worker->thread.mutex);
  struct retention_policy policy = worker->retention;
  pthread_mutex_unlock(&worker->thread.mutex);
  struct retention_report report;
  struct error error;
  double started = clock_monotonic_seconds();
  enum status status = retention_run(worker->session.connection, &policy, now, &report, &error);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.retention_elected = report.elected;
  worker->snapshot.retention_leader = report.leader;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (status != STATUS_OK) {
    log_warning(worker->log, "retention: %s", error.message);
    return;
  }
  size_t deleted = report.escalations + report.clocks + report.deliveries + report.outbox;
  log_message(worker->log, deleted > 0 ? LOG_INFO : LOG_DEBUG,
              "retention: deleted %zu escalations, %zu clocks of closed dossiers, %zu deliveries "
              "and %zu outbox rows in %zu transactions (%.3f s)",
              report.escalations, report.clocks, report.deliveries, report.outbox, report.batches,
              clock_monotonic_seconds() - started);
}

/* Partner sessions for the first pass ever, when it is still to be done and more than one
 * session is configured (service/pass_partner.h); NULL otherwise, or when none could start. */
static struct pass_partners *start_partners(struct pass_worker *worker,
                                            const struct pass_context *context) {
  pthread_mutex_lock(&worker->thread.mutex);
  size_t sessions = worker->first_pass_sessions;
  char *conninfo = worker->thread.conninfo != NULL ? strdup(worker->thread.conninfo) : NULL;
  bool copied = worker->thread.conninfo == NULL || conninfo != NULL;
  struct config_timeouts timeouts = worker->thread.timeouts;
  struct pass_partner_settings settings = {
      .conninfo = conninfo,
      .connect_timeout = worker->thread.connect_timeout,
      .timeouts = &timeouts,
      .count = sessions > 1 ? sessions - 1 : 0,
  };
  pthread_mutex_unlock(&worker->thread.mutex);
  struct pass_partners *partners = NULL;
  bool pending = false;
  struct error error;
  if (copied && settings.count > 0 &&
      pass_first_pending(context->connection, &pending, &error) == STATUS_OK && pending)
    partners = pass_partners_start(context, &settings, worker->log);
  free(conninfo);
  return partners;
}

/* The pass, shared with partner sessions when it is the first pass ever. A worker that ends
 * its ranges while a partner still holds some finds the first pass unfinished; once the
 * partners are joined, one more pass finishes it (sets the watermark) at once rather than
 * PASS_RANGE_RETRY_SECONDS later. */
static enum status shared_pass(struct pass_worker *worker, const struct pass_context *context,
                               struct pass_report *report, struct error *error) {
  struct pass_partners *partners = start_partners(worker, context);
  enum status status = pass_run(context, report, error);
  if (partners == NULL)
    return status;
  pass_partners_finish(partners, report);
  if (status != STATUS_OK || report->ranges_waiting == 0)
    return status;
  struct pass_report last;
  status = pass_run(context, &last, error);
  if (status == STATUS_OK) {
    pass_report_add(report, &last);
    report->ranges_waiting = last.ranges_waiting;
    report->next_due = last.next_due;
  }
  return status;
}

static enum status run_pass(struct pass_worker *worker, struct error *error) {
  struct pass_context context;
  fill_context(worker, &context);
  struct pass_report report;
  double started = clock_monotonic_seconds();
  enum status status = shared_pass(worker, &context, &report, error);
  if (status != STATUS_OK)
    return status;
  double seconds = clock_monotonic_seconds() - started;
  observe_delays(worker, &context, &report, escalation_delay_now(worker->clock));
  log_flags(worker, &report);
  enum log_level level = report.changed + report.escalations + report.letters + report.redrafts > 0
                             ? LOG_INFO
                             : LOG_DEBUG;
  log_message(worker->log, level,
              "pass: %zu read, %zu examined, %zu changed, %zu escalations, %zu letters queued, "
              "%zu re-drafted, %zu skipped (%.3f s)",
              report.read, report.examined, report.changed, report.escalations, report.letters,
              report.redrafts, report.skipped, seconds);
  if (report.ranges > 0 || report.ranges_waiting > 0)
    log_message(worker->log, LOG_INFO,
                "first pass: %zu ranges written by this daemon, %zu held by other daemons",
                report.ranges, report.ranges_waiting);
  record_success(worker, &report, seconds, context.now, false);
  run_retention(worker, context.now);
  return STATUS_OK;
}

static void read_metrics(struct pass_worker *worker) {
  double now = clock_monotonic_seconds();
  if (worker->metrics_read_at > 0 && now - worker->metrics_read_at < METRICS_MIN_INTERVAL)
    return;
  struct pass_metrics metrics;
  struct error error;
  if (pass_metrics_read(worker->session.connection, &metrics, &error) != STATUS_OK) {
    log_warning(worker->log, "metrics: %s", error.message);
    return;
  }
  worker->metrics_read_at = now;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.metrics = metrics;
  worker->snapshot.metrics_valid = true;
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* ---- the skeleton's callbacks ---- */

static bool take_requests(void *owner) {
  struct pass_worker *worker = owner;
  worker->taken_rules = worker->pending_rules;
  worker->taken_limits = worker->pending_limits;
  worker->taken_reload = worker->pending_reload;
  worker->pending_rules = NULL;
  worker->recompute = worker->recompute_requested;
  worker->pass = worker->pass_requested;
  worker->recompute_requested = false;
  worker->pass_requested = false;
  return false;
}

static void adopt_rules(void *owner, bool reconnected) {
  (void)reconnected;
  struct pass_worker *worker = owner;
  if (worker->taken_rules == NULL)
    return;
  ruleset_release(worker->candidate); /* a newer reload replaces one not yet judged */
  worker->candidate = worker->taken_rules;
  worker->candidate_limits = worker->taken_limits;
  worker->candidate_reload = worker->taken_reload;
  worker->taken_rules = NULL;
}

/* The mail thread writes the switch too, but it may start later than the first pass: without
 * this, the escalations of a start-up pass would find mail off and never reach the outbox. */
static enum status set_mail_switch(struct pass_worker *worker, struct error *error) {
  pthread_mutex_lock(&worker->thread.mutex);
  bool enabled = worker->mail_enabled;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (worker->switch_set && worker->switch_enabled == enabled)
    return STATUS_OK;
  enum status status =
      mail_queue_set_switch(worker->session.connection, enabled, clock_now(worker->clock), error);
  worker->switch_set = status == STATUS_OK;
  worker->switch_enabled = enabled;
  return status;
}

static void forget_switch(void *owner) {
  struct pass_worker *worker = owner;
  worker->switch_set = false; /* written on the session that closed */
  worker->audited = false;    /* a new session may reach another server: a promoted standby */
  /* The retention's lock went with the session: elect again at the next pass. */
  worker->retention_at = 0;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.retention_elected = false;
  worker->snapshot.retention_leader = false;
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* Before the first pass of every session, so the counters are above the spool's numbers before
 * this daemon takes another (service/spool_audit.h). */
static enum status audit_spool(struct pass_worker *worker, struct error *error) {
  char spool_directory[sizeof worker->spool_directory];
  pthread_mutex_lock(&worker->thread.mutex);
  memcpy(spool_directory, worker->spool_directory, sizeof spool_directory);
  pthread_mutex_unlock(&worker->thread.mutex);
  enum status status = spool_audit_run(worker->session.connection, spool_directory, worker->log,
                                       &worker->spool_audit, error);
  worker->audited = status == STATUS_OK;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.spool_audit = worker->spool_audit;
  pthread_mutex_unlock(&worker->thread.mutex);
  return status;
}

static enum status run_round(void *owner, double *retry_in, struct error *error) {
  (void)retry_in; /* only requests (and a failure's retry) start a round */
  struct pass_worker *worker = owner;
  enum status status = worker_thread_connect(&worker->thread, error);
  if (status == STATUS_OK)
    status = set_mail_switch(worker, error);
  if (status == STATUS_OK && !worker->audited)
    status = audit_spool(worker, error);
  if (status == STATUS_OK && worker->candidate != NULL)
    status = judge_candidate(worker, error);
  if (status == STATUS_OK && worker->recompute)
    status = run_recompute(worker, error);
  if (status == STATUS_OK && worker->pass)
    status = run_pass(worker, error);
  if (status == STATUS_OK)
    read_metrics(worker);
  return status;
}

/* The jobs are not lost: asked for again (they are idempotent), after the backoff. */
static void ask_again(void *owner) {
  struct pass_worker *worker = owner;
  worker->recompute_requested |= worker->recompute;
  worker->pass_requested |= worker->pass;
}

static const struct worker_jobs jobs = {
    .name = "worker",
    .requests_wait_backoff = true,
    .log_details = true,
    .take = take_requests,
    .adopt = adopt_rules,
    .round = run_round,
    .failed = ask_again,
    .disconnected = forget_switch,
};

/* ---- the loop's side ---- */

/* The mutex is held (or the thread not started). */
static void apply_settings(struct pass_worker *worker,
                           const struct pass_worker_settings *settings) {
  if (!worker_thread_set_database(&worker->thread, settings->conninfo, settings->connect_timeout,
                                  &settings->timeouts))
    log_error(worker->log, "worker: out of memory applying new settings");
  worker->batch_size = settings->batch_size;
  worker->first_pass_sessions = settings->first_pass_sessions;
  worker->overlap = settings->overlap;
  worker->retention = settings->retention;
  worker->mail_enabled = settings->mail_enabled;
  snprintf(worker->spool_directory, sizeof worker->spool_directory, "%s",
           settings->spool_directory != NULL ? settings->spool_directory : "");
}

struct pass_worker *pass_worker_new(struct event_base *base,
                                    const struct pass_worker_settings *settings,
                                    struct ruleset *rules, const struct clock *clock,
                                    const struct log *log, void (*on_publish)(void *context),
                                    void *context, struct error *error) {
  struct pass_worker *worker = calloc(1, sizeof *worker);
  if (worker == NULL) {
    ruleset_release(rules);
    error_set(error, STATUS_RUNTIME, "out of memory");
    return NULL;
  }
  worker->clock = clock;
  worker->log = log;
  worker->rules = rules;
  worker->snapshot.next_due = INT64_MAX;
  metrics_histogram_init(&worker->snapshot.pass_seconds, metrics_bounds_pass,
                         metrics_bounds_pass_count);
  metrics_histogram_init(&worker->escalation_delay, metrics_bounds_escalation_delay,
                         metrics_bounds_escalation_delay_count);
  worker->snapshot.escalation_delay = worker->escalation_delay;
  snprintf(worker->snapshot.thread.problem, sizeof worker->snapshot.thread.problem,
           "not connected yet");
  if (worker_thread_init(&worker->thread, &jobs, worker, &worker->session, &worker->snapshot.thread,
                         base, log, on_publish, context, error) != STATUS_OK) {
    pass_worker_free(worker);
    return NULL;
  }
  apply_settings(worker, settings);
  return worker;
}

enum status pass_worker_start(struct pass_worker *worker, struct error *error) {
  return worker_thread_start(&worker->thread, "the worker thread", error);
}

void pass_worker_request(struct pass_worker *worker) {
  worker_thread_request(&worker->thread, &worker->pass_requested);
}

void pass_worker_replace_rules(struct pass_worker *worker, struct ruleset *rules,
                               const struct config_reload *limits, uint64_t reload) {
  pthread_mutex_lock(&worker->thread.mutex);
  /* Two reloads before the first was taken: keep the last. */
  ruleset_release(worker->pending_rules);
  worker->pending_rules = rules;
  worker->pending_limits = *limits;
  worker->pending_reload = reload;
  worker_thread_signal(&worker->thread);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void pass_worker_update_settings(struct pass_worker *worker,
                                 const struct pass_worker_settings *settings) {
  pthread_mutex_lock(&worker->thread.mutex);
  apply_settings(worker, settings);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void pass_worker_snapshot(struct pass_worker *worker, struct pass_worker_snapshot *snapshot) {
  worker_thread_read(&worker->thread, snapshot, &worker->snapshot, sizeof *snapshot);
}

void pass_worker_stop(struct pass_worker *worker) {
  worker_thread_stop(&worker->thread);
}

void pass_worker_free(struct pass_worker *worker) {
  if (worker == NULL)
    return;
  worker_thread_finish(&worker->thread);
  ruleset_release(worker->pending_rules);
  ruleset_release(worker->taken_rules);
  ruleset_release(worker->candidate);
  ruleset_release(worker->rules);
  free(worker);
}
