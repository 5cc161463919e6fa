#include "service/letter_worker.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/clock.h"
#include "service/letter_jobs.h"
#include "service/session.h"
#include "service/spool.h"
#include "service/worker_thread.h"
#include "store/sql.h"

static const double DATABASE_BACKOFF_FIRST = 0.25;
static const double SPOOL_BACKOFF_FIRST = 0.5;
static const double BACKOFF_LIMIT = 30.0;
/* One transaction per chunk: short enough to publish progress and stop promptly during a burst
 * (about 0.2 s at 300 letters/s), long enough that the commit is not the cost. */
enum { CHUNK_LETTERS = 50 };
/* Counting letter_log by state reads the whole table: not after every chunk of a burst. */
static const double COUNT_MIN_INTERVAL = 1.0;

struct letter_worker {
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  bool requested;
  bool settings_changed;
  double retry_at; /* monotonic seconds of the next retry after a failure; 0: none */
  struct letter_kit *pending_kit;
  char *conninfo;
  int connect_timeout;
  struct config_timeouts timeouts;
  char *spool_directory;
  struct letter_worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct letter_kit *kit;
  double database_backoff;
  double spool_backoff;
  double counted_at;
  bool leftovers_done;
  bool told_agencies_missing;
  struct metrics_histogram render_seconds; /* copied into the snapshot after each chunk */
};

/* ---- the kit ---- */

enum status letter_kit_load(const char *letters_directory, const char *rules_directory,
                            const struct letter_options *options, int64_t today,
                            struct letter_kit **result, struct error *error) {
  *result = NULL;
  struct letter_kit *kit = calloc(1, sizeof *kit);
  if (kit == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading the letters");
  enum status status = letter_library_load(letters_directory, &kit->library, error);
  if (status == STATUS_OK)
    status = letter_renderer_new(kit->library, options, &kit->renderer, error);
  if (status == STATUS_OK)
    status = ruleset_load(rules_directory, today, &kit->rules, error);
  if (status != STATUS_OK) {
    letter_kit_free(kit); /* the error names the file (FILE:LINE:COLUMN) or the font */
    return status;
  }
  *result = kit;
  return STATUS_OK;
}

void letter_kit_free(struct letter_kit *kit) {
  if (kit == NULL)
    return;
  letter_renderer_free(kit->renderer);
  letter_library_free(kit->library);
  ruleset_free(kit->rules);
  free(kit);
}

/* ---- publishing ---- */

static void publish(struct letter_worker *worker) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.generation++;
  pthread_mutex_unlock(&worker->thread.mutex);
  worker_thread_publish(&worker->thread);
}

static void set_busy(struct letter_worker *worker, bool busy) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.busy = busy;
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* ---- the database ---- */

static enum status connect_database(struct letter_worker *worker, struct error *error) {
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
  log_info(worker->log, "letters: connected to the database");
  return STATUS_OK;
}

static enum status count_letters(struct letter_worker *worker, bool force, struct error *error) {
  double now = clock_monotonic_seconds();
  if (!force && worker->counted_at > 0 && now - worker->counted_at < COUNT_MIN_INTERVAL)
    return STATUS_OK;
  PGresult *rows = NULL;
  enum status status = sql_query(worker->session.connection, "counting letters",
                                 "SELECT count(*) FILTER (WHERE state = 'pending'),"
                                 " count(*) FILTER (WHERE state = 'rendered'),"
                                 " count(*) FILTER (WHERE state = 'failed')"
                                 " FROM dunghen.letter_log",
                                 0, NULL, &rows, error);
  if (status != STATUS_OK)
    return status;
  worker->counted_at = now;
  pthread_mutex_lock(&worker->thread.mutex);
  struct letter_worker_snapshot *snapshot = &worker->snapshot;
  snapshot->pending = sql_integer(rows, 0, 0, 0);
  snapshot->rendered = sql_integer(rows, 0, 1, 0);
  snapshot->failed = sql_integer(rows, 0, 2, 0);
  snapshot->blocked = snapshot->spool_problem[0] != '\0' ? snapshot->pending : 0;
  snapshot->counts_valid = true;
  pthread_mutex_unlock(&worker->thread.mutex);
  PQclear(rows);
  return STATUS_OK;
}

/* ---- rendering ---- */

static void remove_leftovers(struct letter_worker *worker, const char *spool) {
  if (worker->leftovers_done)
    return;
  size_t removed = 0;
  struct error error;
  if (spool_remove_leftovers(spool, &removed, &error) != STATUS_OK) {
    log_warning(worker->log, "letters: %s", error.message);
    return; /* tried again at the next wake-up; writing may still work */
  }
  worker->leftovers_done = true;
  if (removed > 0)
    log_info(worker->log, "letters: removed %zu unfinished file(s) a crash left in %s", removed,
             spool);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.leftovers_removed += removed;
  pthread_mutex_unlock(&worker->thread.mutex);
}

static void record_chunk(struct letter_worker *worker, const struct letter_jobs_report *report) {
  pthread_mutex_lock(&worker->thread.mutex);
  struct letter_worker_snapshot *snapshot = &worker->snapshot;
  snapshot->rendered_total += report->rendered;
  snapshot->failed_total += report->failed;
  snapshot->warnings_total += report->warnings;
  snapshot->render_seconds = worker->render_seconds;
  snapshot->problem[0] = '\0';
  if (report->blocked > 0) {
    snapshot->spool_refusals++;
    snprintf(snapshot->spool_problem, sizeof snapshot->spool_problem, "%s", report->blocked_reason);
    log_one_line(snapshot->spool_problem);
  } else if (report->rendered > 0) {
    snapshot->spool_problem[0] = '\0';
  }
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* Renders chunks until none is left, the spool refuses, or a stop is asked. */
static enum status render_pending(struct letter_worker *worker, const char *spool, bool *blocked,
                                  struct error *error) {
  const struct ruleset *rules = worker->kit->rules;
  struct letter_jobs_context context = {
      .connection = worker->session.connection,
      .renderer = worker->kit->renderer,
      .agencies = &rules->agencies,
      .procedures = &rules->rules->procedures,
      .spool_directory = spool,
      .batch_size = CHUNK_LETTERS,
      .limit = CHUNK_LETTERS,
      .render_seconds = &worker->render_seconds,
  };
  size_t rendered = 0, failed = 0;
  *blocked = false;
  enum status status = STATUS_OK;
  while (status == STATUS_OK && !*blocked && !worker_thread_stopping(&worker->thread)) {
    struct letter_jobs_report report;
    status = letter_jobs_run(&context, &report, error);
    if (status != STATUS_OK)
      break;
    record_chunk(worker, &report);
    rendered += report.rendered;
    failed += report.failed;
    *blocked = report.blocked > 0;
    if (report.failed > 0)
      log_warning(worker->log, "letters: %zu job(s) failed (see dunghen.letter_log.error)",
                  report.failed);
    bool done = report.rendered + report.failed < CHUNK_LETTERS;
    status = count_letters(worker, done || *blocked, error);
    publish(worker);
    if (done)
      break;
  }
  if (rendered + failed > 0)
    log_info(worker->log, "letters: %zu rendered, %zu failed, into %s", rendered, failed, spool);
  return status;
}

static void schedule_retry(struct letter_worker *worker, double *backoff) {
  pthread_mutex_lock(&worker->thread.mutex);
  worker->retry_at = clock_monotonic_seconds() + *backoff;
  pthread_mutex_unlock(&worker->thread.mutex);
  *backoff *= 2;
  if (*backoff > BACKOFF_LIMIT)
    *backoff = BACKOFF_LIMIT;
}

static enum status attempt(struct letter_worker *worker, const char *spool, bool *blocked,
                           struct error *error) {
  *blocked = false;
  enum status status = STATUS_OK;
  if (worker->session.connection == NULL)
    status = connect_database(worker, error);
  if (status != STATUS_OK)
    return status;
  bool agencies_missing = worker->kit->rules->agencies.count == 0;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.agencies_missing = agencies_missing;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (agencies_missing) {
    if (!worker->told_agencies_missing)
      log_warning(worker->log, "letters: no agencies.yaml in the rules; letter jobs wait");
    worker->told_agencies_missing = true;
    return count_letters(worker, true, error);
  }
  worker->told_agencies_missing = false;
  remove_leftovers(worker, spool);
  return render_pending(worker, spool, blocked, error);
}

static void run_jobs(struct letter_worker *worker) {
  pthread_mutex_lock(&worker->thread.mutex);
  char *spool = strdup(worker->spool_directory);
  pthread_mutex_unlock(&worker->thread.mutex);
  struct error error;
  error_clear(&error);
  bool blocked = false;
  bool had_connection = worker->session.connection != NULL;
  enum status status = spool != NULL ? attempt(worker, spool, &blocked, &error)
                                     : error_set(&error, STATUS_RUNTIME, "out of memory");
  if (status != STATUS_OK && had_connection && session_lost(&worker->session)) {
    /* An idle connection that died is only noticed when used: reconnect once at once. */
    log_warning(worker->log, "letters: connection lost; reconnecting");
    session_disconnect(&worker->session);
    error_clear(&error);
    status = attempt(worker, spool, &blocked, &error);
  }
  free(spool);
  if (status != STATUS_OK) {
    if (worker->session.connection != NULL && PQstatus(worker->session.connection) != CONNECTION_OK)
      session_disconnect(&worker->session);
    log_one_line(error.message);
    log_error(worker->log, "letters: %s; retrying in %.2f s", error.message,
              worker->database_backoff);
    pthread_mutex_lock(&worker->thread.mutex);
    snprintf(worker->snapshot.problem, sizeof worker->snapshot.problem, "%s", error.message);
    log_one_line(worker->snapshot.problem);
    pthread_mutex_unlock(&worker->thread.mutex);
    schedule_retry(worker, &worker->database_backoff);
  } else if (blocked) {
    pthread_mutex_lock(&worker->thread.mutex);
    log_warning(worker->log, "letters: %s; %" PRId64 " letter(s) wait; retrying in %.1f s",
                worker->snapshot.spool_problem, worker->snapshot.pending, worker->spool_backoff);
    pthread_mutex_unlock(&worker->thread.mutex);
    worker->database_backoff = DATABASE_BACKOFF_FIRST;
    schedule_retry(worker, &worker->spool_backoff);
  } else {
    worker->database_backoff = DATABASE_BACKOFF_FIRST;
    worker->spool_backoff = SPOOL_BACKOFF_FIRST;
    pthread_mutex_lock(&worker->thread.mutex);
    worker->retry_at = 0;
    worker->snapshot.problem[0] = '\0';
    if (worker->snapshot.spool_problem[0] != '\0')
      log_info(worker->log, "letters: the spool accepts files again");
    worker->snapshot.spool_problem[0] = '\0';
    worker->snapshot.blocked = 0;
    pthread_mutex_unlock(&worker->thread.mutex);
  }
  set_busy(worker, false);
  publish(worker);
}

static void *letter_worker_main(void *argument) {
  struct letter_worker *worker = argument;
  for (;;) {
    pthread_mutex_lock(&worker->thread.mutex);
    worker_thread_wait_for(&worker->thread, &worker->requested, worker->retry_at);
    if (worker->thread.stop) {
      pthread_mutex_unlock(&worker->thread.mutex);
      break;
    }
    struct letter_kit *new_kit = worker->pending_kit;
    worker->pending_kit = NULL;
    bool reconnect = worker->settings_changed;
    worker->requested = false;
    worker->retry_at = 0;
    worker->snapshot.busy = true;
    pthread_mutex_unlock(&worker->thread.mutex);
    if (new_kit != NULL) {
      letter_kit_free(worker->kit);
      worker->kit = new_kit;
    }
    if (reconnect) {
      session_disconnect(&worker->session);
      worker->leftovers_done = false; /* the spool may have moved */
    }
    run_jobs(worker);
  }
  session_disconnect(&worker->session);
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.stopped = true;
  worker->snapshot.busy = false;
  pthread_mutex_unlock(&worker->thread.mutex);
  publish(worker);
  return NULL;
}

/* ---- the loop's side ---- */

static bool same_text(const char *left, const char *right) {
  if (left == NULL || right == NULL)
    return left == right;
  return strcmp(left, right) == 0;
}

/* The mutex is held (or the thread not started). False when out of memory. */
static bool apply_settings(struct letter_worker *worker,
                           const struct letter_worker_settings *settings) {
  bool database = !same_text(worker->conninfo, settings->conninfo) ||
                  worker->connect_timeout != settings->connect_timeout ||
                  !config_timeouts_equal(&worker->timeouts, &settings->timeouts);
  bool spool = !same_text(worker->spool_directory, settings->spool_directory);
  if (database) {
    free(worker->conninfo);
    worker->conninfo = settings->conninfo != NULL ? strdup(settings->conninfo) : NULL;
    worker->connect_timeout = settings->connect_timeout;
    worker->timeouts = settings->timeouts;
  }
  if (spool) {
    free(worker->spool_directory);
    worker->spool_directory = strdup(settings->spool_directory);
  }
  worker->settings_changed |= database || spool;
  return worker->spool_directory != NULL &&
         (settings->conninfo == NULL || worker->conninfo != NULL);
}

struct letter_worker *letter_worker_new(struct event_base *base,
                                        const struct letter_worker_settings *settings,
                                        struct letter_kit *kit, const struct log *log,
                                        void (*on_publish)(void *context), void *context,
                                        struct error *error) {
  struct letter_worker *worker = calloc(1, sizeof *worker);
  if (worker == NULL) {
    letter_kit_free(kit);
    error_set(error, STATUS_RUNTIME, "out of memory");
    return NULL;
  }
  worker->log = log;
  worker->session = (struct session){.log = log, .name = "letters"};
  worker->kit = kit;
  worker->database_backoff = DATABASE_BACKOFF_FIRST;
  worker->spool_backoff = SPOOL_BACKOFF_FIRST;
  worker->connect_timeout = -1;
  metrics_histogram_init(&worker->render_seconds, metrics_bounds_render,
                         metrics_bounds_render_count);
  worker->snapshot.render_seconds = worker->render_seconds;
  if (worker_thread_init(&worker->thread, base, on_publish, context, error) != STATUS_OK) {
    letter_worker_free(worker);
    return NULL;
  }
  bool stored = apply_settings(worker, settings);
  worker->settings_changed = false;
  if (!stored) {
    error_set(error, STATUS_RUNTIME, "out of memory creating the letter worker");
    letter_worker_free(worker);
    return NULL;
  }
  return worker;
}

enum status letter_worker_start(struct letter_worker *worker, struct error *error) {
  worker->requested = true; /* the start-up look at what a previous run left pending */
  return worker_thread_start(&worker->thread, letter_worker_main, worker, "the letter thread",
                             error);
}

void letter_worker_request(struct letter_worker *worker) {
  worker_thread_request(&worker->thread, &worker->requested);
}

void letter_worker_replace_kit(struct letter_worker *worker, struct letter_kit *kit) {
  pthread_mutex_lock(&worker->thread.mutex);
  letter_kit_free(worker->pending_kit); /* two reloads before the first was taken: the last */
  worker->pending_kit = kit;
  worker->requested = true;
  pthread_cond_signal(&worker->thread.wake);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void letter_worker_update_settings(struct letter_worker *worker,
                                   const struct letter_worker_settings *settings) {
  pthread_mutex_lock(&worker->thread.mutex);
  if (!apply_settings(worker, settings))
    log_error(worker->log, "letters: out of memory applying new settings");
  worker->requested = true;
  pthread_cond_signal(&worker->thread.wake);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void letter_worker_snapshot(struct letter_worker *worker, struct letter_worker_snapshot *snapshot) {
  worker_thread_read(&worker->thread, snapshot, &worker->snapshot, sizeof *snapshot);
}

void letter_worker_stop(struct letter_worker *worker) {
  worker_thread_stop(&worker->thread);
}

void letter_worker_free(struct letter_worker *worker) {
  if (worker == NULL)
    return;
  worker_thread_finish(&worker->thread);
  letter_kit_free(worker->pending_kit);
  letter_kit_free(worker->kit);
  free(worker->conninfo);
  free(worker->spool_directory);
  free(worker);
}
