#include "service/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/escalation_delay.h"
#include "service/session.h"
#include "service/worker_thread.h"
#include "store/retention.h"

static const double BACKOFF_FIRST = 0.25;
static const double BACKOFF_LIMIT = 30.0;
/* Counting dossiers by state scans the clock table: not after every pass of a NOTIFY burst. */
static const double METRICS_MIN_INTERVAL = 2.0;

struct worker {
  const struct clock *clock;
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  bool pass_requested;
  bool recompute_requested;
  bool settings_changed;
  struct ruleset *pending_rules;
  char *conninfo;
  int connect_timeout;
  struct config_timeouts timeouts;
  size_t batch_size;
  int64_t overlap;
  struct retention_policy retention;
  struct worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct ruleset *rules;
  double backoff;
  bool ever_connected;
  double metrics_read_at;
  struct metrics_histogram escalation_delay; /* copied into the snapshot after each job */
  int64_t delay_seen_id;                     /* the last escalation it observed */
  int64_t retention_at;                      /* the clock instant of the last retention run */
};

/* Blocking connect (we are the worker thread), then the schema check. */
static enum status connect_database(struct worker *worker, struct error *error) {
  pthread_mutex_lock(&worker->thread.mutex);
  char *conninfo = worker->conninfo != NULL ? strdup(worker->conninfo) : NULL;
  int connect_timeout = worker->connect_timeout;
  struct config_timeouts timeouts = worker->timeouts;
  worker->settings_changed = false;
  pthread_mutex_unlock(&worker->thread.mutex);
  int version = 0;
  enum status status =
      session_connect(&worker->session, conninfo, connect_timeout, &timeouts, &version, error);
  free(conninfo);
  if (status != STATUS_OK)
    return status;
  if (worker->ever_connected) {
    pthread_mutex_lock(&worker->thread.mutex);
    worker->snapshot.reconnects++;
    pthread_mutex_unlock(&worker->thread.mutex);
  }
  worker->ever_connected = true;
  log_info(worker->log, "worker: connected to the database (schema version %d)", version);
  return STATUS_OK;
}

static void fill_context(struct worker *worker, struct pass_context *context) {
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

static void log_flags(struct worker *worker, const struct pass_report *report) {
  for (size_t i = 0; i < report->flag_count; i++)
    log_warning(worker->log, "dossier %s flagged: %s", report->flags[i].code,
                report->flags[i].reason);
  if (report->flagged > report->flag_count)
    log_warning(worker->log, "%zu more dossiers flagged (see dunghen.clock)",
                report->flagged - report->flag_count);
}

static void record_success(struct worker *worker, const struct pass_report *report, double seconds,
                           int64_t now, bool recompute) {
  pthread_mutex_lock(&worker->thread.mutex);
  struct worker_snapshot *snapshot = &worker->snapshot;
  snapshot->connected = true;
  snapshot->problem[0] = '\0';
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
static void observe_delays(struct worker *worker, const struct pass_context *context,
                           const struct pass_report *report, double committed_at) {
  if (report->escalations == 0)
    return;
  struct error error;
  if (escalation_delay_observe(context->connection, context->rules->calendar, context->ladder,
                               context->now, committed_at, &worker->delay_seen_id,
                               &worker->escalation_delay, &error) != STATUS_OK)
    log_warning(worker->log, "metrics: %s", error.message);
}

static enum status run_recompute(struct worker *worker, struct error *error) {
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
static void run_retention(struct worker *worker, int64_t now) {
  if (worker->retention_at != 0 && now - worker->retention_at < RETENTION_DEFAULT_INTERVAL)
    return;
  worker->retention_at = now;
  pthread_mutex_lock(&worker->thread.mutex);
  struct retention_policy policy = worker->retention;
  pthread_mutex_unlock(&worker->thread.mutex);
  struct retention_report report;
  struct error error;
  double started = clock_monotonic_seconds();
  if (retention_run(worker->session.connection, &policy, now, &report, &error) != STATUS_OK) {
    log_warning(worker->log, "retention: %s", error.message);
    return;
  }
  size_t deleted = report.escalations + report.clocks + report.deliveries + report.outbox;
  log_message(worker->log, deleted > 0 ? LOG_INFO : LOG_DEBUG,
              "retention: deleted %zu escalations, %zu clocks of closed dossiers, %zu deliveries "
              "and %zu outbox rows in %zu transactions (%.3f s)",
              report.escalations, report.clocks, report.deliveries, report.outbox,
              report.batches, clock_monotonic_seconds() - started);
}

static enum status run_pass(struct worker *worker, struct error *error) {
  struct pass_context context;
  fill_context(worker, &context);
  struct pass_report report;
  double started = clock_monotonic_seconds();
  enum status status = pass_run(&context, &report, error);
  if (status != STATUS_OK)
    return status;
  double seconds = clock_monotonic_seconds() - started;
  observe_delays(worker, &context, &report, escalation_delay_now(worker->clock));
  log_flags(worker, &report);
  enum log_level level =
      report.changed + report.escalations + report.letters + report.redrafts > 0 ? LOG_INFO
                                                                                  : LOG_DEBUG;
  log_message(worker->log, level,
              "pass: %zu read, %zu examined, %zu changed, %zu escalations, %zu letters queued, "
              "%zu re-drafted, %zu skipped (%.3f s)",
              report.read, report.examined, report.changed, report.escalations, report.letters,
              report.redrafts, report.skipped, seconds);
  record_success(worker, &report, seconds, context.now, false);
  run_retention(worker, context.now);
  return STATUS_OK;
}

static void read_metrics(struct worker *worker) {
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

static void publish(struct worker *worker) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.generation++;
  pthread_mutex_unlock(&worker->thread.mutex);
  worker_thread_publish(&worker->thread);
}

static void record_failure(struct worker *worker, struct error *error, bool recompute, bool pass) {
  bool connected =
      worker->session.connection != NULL && PQstatus(worker->session.connection) == CONNECTION_OK;
  if (!connected)
    session_disconnect(&worker->session);
  log_one_line(error->message);
  log_error(worker->log, "worker: %s; retrying in %.2f s", error->message, worker->backoff);
  pthread_mutex_lock(&worker->thread.mutex);
  snprintf(worker->snapshot.problem, sizeof worker->snapshot.problem, "%s", error->message);
  log_one_line(worker->snapshot.problem);
  worker->snapshot.connected = connected;
  worker->snapshot.failures++;
  /* The job is not lost: ask for it again (it is idempotent). */
  worker->recompute_requested |= recompute;
  worker->pass_requested |= pass;
  worker->snapshot.busy = false;
  pthread_mutex_unlock(&worker->thread.mutex);
}

static enum status attempt_jobs(struct worker *worker, bool recompute, bool pass,
                                struct error *error) {
  enum status status = STATUS_OK;
  if (worker->session.connection == NULL)
    status = connect_database(worker, error);
  if (status == STATUS_OK && recompute)
    status = run_recompute(worker, error);
  if (status == STATUS_OK && pass)
    status = run_pass(worker, error);
  return status;
}

static void run_jobs(struct worker *worker, bool recompute, bool pass) {
  struct error error;
  error_clear(&error);
  bool had_connection = worker->session.connection != NULL;
  enum status status = attempt_jobs(worker, recompute, pass, &error);
  if (status != STATUS_OK && had_connection && session_lost(&worker->session)) {
    /* An idle connection that died (server restart, pg_terminate_backend) is only noticed
     * when used: reconnect at once and retry before backing off. Every step is idempotent. */
    log_one_line(error.message);
    log_warning(worker->log, "worker: connection lost (%s); reconnecting", error.message);
    session_disconnect(&worker->session);
    error_clear(&error);
    status = attempt_jobs(worker, recompute, pass, &error);
  }
  if (status == STATUS_OK) {
    read_metrics(worker);
    worker->backoff = BACKOFF_FIRST;
    pthread_mutex_lock(&worker->thread.mutex);
    worker->snapshot.busy = false;
    pthread_mutex_unlock(&worker->thread.mutex);
    publish(worker);
    return;
  }
  record_failure(worker, &error, recompute, pass);
  publish(worker);
  worker_thread_sleep(&worker->thread, worker->backoff);
  worker->backoff *= 2;
  if (worker->backoff > BACKOFF_LIMIT)
    worker->backoff = BACKOFF_LIMIT;
}

static void *worker_main(void *argument) {
  struct worker *worker = argument;
  for (;;) {
    pthread_mutex_lock(&worker->thread.mutex);
    while (!worker->thread.stop && !worker->pass_requested && !worker->recompute_requested)
      worker_thread_wait(&worker->thread, -1);
    if (worker->thread.stop) {
      pthread_mutex_unlock(&worker->thread.mutex);
      break;
    }
    struct ruleset *new_rules = worker->pending_rules;
    worker->pending_rules = NULL;
    bool recompute = worker->recompute_requested;
    bool pass = worker->pass_requested;
    bool reconnect = worker->settings_changed;
    worker->recompute_requested = false;
    worker->pass_requested = false;
    worker->snapshot.busy = true;
    pthread_mutex_unlock(&worker->thread.mutex);

    if (new_rules != NULL) {
      ruleset_free(worker->rules);
      worker->rules = new_rules;
    }
    if (reconnect)
      session_disconnect(&worker->session);
    run_jobs(worker, recompute, pass);
  }
  session_disconnect(&worker->session);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.stopped = true;
  worker->snapshot.busy = false;
  pthread_mutex_unlock(&worker->thread.mutex);
  publish(worker);
  return NULL;
}

static void apply_settings(struct worker *worker, const struct worker_settings *settings) {
  bool changed = (worker->conninfo == NULL) != (settings->conninfo == NULL) ||
                 (worker->conninfo != NULL && strcmp(worker->conninfo, settings->conninfo) != 0);
  if (changed) {
    free(worker->conninfo);
    worker->conninfo = settings->conninfo != NULL ? strdup(settings->conninfo) : NULL;
  }
  worker->settings_changed |= changed || worker->connect_timeout != settings->connect_timeout ||
                              !config_timeouts_equal(&worker->timeouts, &settings->timeouts);
  worker->connect_timeout = settings->connect_timeout;
  worker->timeouts = settings->timeouts;
  worker->batch_size = settings->batch_size;
  worker->overlap = settings->overlap;
  worker->retention = settings->retention;
}

struct worker *worker_new(struct event_base *base, const struct worker_settings *settings,
                          struct ruleset *rules, const struct clock *clock, const struct log *log,
                          void (*on_publish)(void *context), void *context, struct error *error) {
  struct worker *worker = calloc(1, sizeof *worker);
  if (worker == NULL) {
    error_set(error, STATUS_RUNTIME, "out of memory");
    return NULL;
  }
  worker->clock = clock;
  worker->log = log;
  worker->session = (struct session){.log = log, .name = "worker"};
  worker->rules = rules;
  worker->backoff = BACKOFF_FIRST;
  worker->snapshot.next_due = INT64_MAX;
  metrics_histogram_init(&worker->snapshot.pass_seconds, metrics_bounds_pass,
                         metrics_bounds_pass_count);
  metrics_histogram_init(&worker->escalation_delay, metrics_bounds_escalation_delay,
                         metrics_bounds_escalation_delay_count);
  worker->snapshot.escalation_delay = worker->escalation_delay;
  snprintf(worker->snapshot.problem, sizeof worker->snapshot.problem, "not connected yet");
  if (worker_thread_init(&worker->thread, base, on_publish, context, error) != STATUS_OK) {
    worker_free(worker);
    return NULL;
  }
  apply_settings(worker, settings);
  worker->settings_changed = false;
  return worker;
}

enum status worker_start(struct worker *worker, struct error *error) {
  return worker_thread_start(&worker->thread, worker_main, worker, "the worker thread", error);
}

void worker_request_pass(struct worker *worker) {
  worker_thread_request(&worker->thread, &worker->pass_requested);
}

void worker_replace_rules(struct worker *worker, struct ruleset *rules) {
  pthread_mutex_lock(&worker->thread.mutex);
  ruleset_free(worker->pending_rules); /* two reloads before the first was taken: keep the last */
  worker->pending_rules = rules;
  worker->recompute_requested = true;
  pthread_cond_signal(&worker->thread.wake);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void worker_update_settings(struct worker *worker, const struct worker_settings *settings) {
  pthread_mutex_lock(&worker->thread.mutex);
  apply_settings(worker, settings);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void worker_snapshot(struct worker *worker, struct worker_snapshot *snapshot) {
  worker_thread_read(&worker->thread, snapshot, &worker->snapshot, sizeof *snapshot);
}

void worker_stop(struct worker *worker) {
  worker_thread_stop(&worker->thread);
}

void worker_free(struct worker *worker) {
  if (worker == NULL)
    return;
  worker_thread_finish(&worker->thread);
  ruleset_free(worker->pending_rules);
  ruleset_free(worker->rules);
  free(worker->conninfo);
  free(worker);
}
