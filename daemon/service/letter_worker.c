#include "service/letter_worker.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/clock.h"
#include "service/letter_export.h"
#include "service/letter_jobs.h"
#include "service/session.h"
#include "service/spool.h"
#include "service/worker_thread.h"
#include "store/letter_queue.h"

static const double SPOOL_BACKOFF_FIRST = 0.5;
static const double BACKOFF_LIMIT = 30.0;
/* One transaction per chunk: short enough to publish progress and stop promptly during a burst
 * (about 0.2 s at 300 letters/s), long enough that the commit is not the cost. */
enum { CHUNK_LETTERS = 50 };
/* Counting letter_log by state reads the whole table: not after every chunk of a burst. */
static const double COUNT_MIN_INTERVAL = 1.0;

struct letter_worker {
  const struct clock *clock;
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  bool spool_changed;
  struct letter_kit *pending_kit;
  char *spool_directory;
  struct letter_worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct letter_kit *kit;
  struct letter_kit *taken_kit; /* from take to adopt */
  double spool_backoff;
  bool spool_behind;    /* letters rendered while the spool refused their files */
  int64_t behind_since; /* the daemon's clock before the first of them was rendered */
  double counted_at;
  bool leftovers_done;
  bool told_agencies_missing;
  struct metrics_histogram render_seconds; /* copied into the snapshot after each chunk */
};

/* ---- the kit ---- */

enum status letter_kit_load(const char *letters_directory, struct ruleset *rules,
                            const struct letter_options *options, struct letter_kit **result,
                            struct error *error) {
  *result = NULL;
  struct letter_kit *kit = calloc(1, sizeof *kit);
  if (kit == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading the letters");
  kit->rules = ruleset_acquire(rules);
  enum status status = letter_library_load(letters_directory, &kit->library, error);
  if (status == STATUS_OK)
    status = letter_renderer_new(kit->library, options, &kit->renderer, error);
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
  ruleset_release(kit->rules);
  free(kit);
}

/* ---- the database ---- */

static enum status count_letters(struct letter_worker *worker, bool force, struct error *error) {
  double now = clock_monotonic_seconds();
  if (!force && worker->counted_at > 0 && now - worker->counted_at < COUNT_MIN_INTERVAL)
    return STATUS_OK;
  struct letter_queue_counts counts;
  enum status status = letter_queue_count(worker->session.connection, &counts, error);
  if (status != STATUS_OK)
    return status;
  worker->counted_at = now;
  pthread_mutex_lock(&worker->thread.mutex);
  struct letter_worker_snapshot *snapshot = &worker->snapshot;
  snapshot->pending = counts.pending;
  snapshot->rendered = counts.rendered;
  snapshot->failed = counts.failed;
  snapshot->signed_count = counts.signed_count;
  snapshot->counts_valid = true;
  pthread_mutex_unlock(&worker->thread.mutex);
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
  snapshot->thread.problem[0] = '\0';
  if (report->spool_behind > 0) {
    snapshot->spool_refusals++;
    snapshot->blocked += (int64_t)report->spool_behind;
    snprintf(snapshot->spool_problem, sizeof snapshot->spool_problem, "%s", report->spool_reason);
    log_one_line(snapshot->spool_problem);
  }
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* Renders chunks until none is left or a stop is asked. A spool that refuses files does not
 * stop it: the letters are kept in the database, and their files written by catch_up(). */
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
  while (status == STATUS_OK && !worker_thread_stopping(&worker->thread)) {
    struct letter_jobs_report report;
    context.now = clock_now(worker->clock);
    status = letter_jobs_run(&context, &report, error);
    if (status != STATUS_OK)
      break;
    if (report.spool_behind > 0 && !worker->spool_behind) {
      worker->spool_behind = true;
      worker->behind_since = context.now;
    }
    record_chunk(worker, &report);
    rendered += report.rendered;
    failed += report.failed;
    *blocked = *blocked || report.spool_behind > 0;
    if (report.failed > 0)
      log_warning(worker->log, "letters: %zu job(s) failed (see dunghen.letter_log.error)",
                  report.failed);
    bool done = report.rendered + report.failed < CHUNK_LETTERS;
    status = count_letters(worker, done || *blocked, error);
    worker_thread_publish(&worker->thread);
    if (done)
      break;
  }
  if (rendered + failed > 0)
    log_info(worker->log, "letters: %zu rendered, %zu failed, into %s", rendered, failed, spool);
  return status;
}

/* Writes the files the spool refused since `behind_since` from the database. A spool that still
 * refuses sets *blocked; a database failure is returned. */
static enum status catch_up(struct letter_worker *worker, const char *spool, bool *blocked,
                            struct error *error) {
  if (!worker->spool_behind)
    return STATUS_OK;
  struct letter_draft_filter filter = {.has_rendered_since = true,
                                       .rendered_since = worker->behind_since};
  struct letter_export_report report;
  struct error export_error;
  enum status status =
      letter_export_run(worker->session.connection, spool, &filter, &report, &export_error);
  if (status != STATUS_OK && PQstatus(worker->session.connection) != CONNECTION_OK)
    return error_set(error, export_error.status, "%s", export_error.message);
  pthread_mutex_lock(&worker->thread.mutex);
  if (status != STATUS_OK) {
    snprintf(worker->snapshot.spool_problem, sizeof worker->snapshot.spool_problem, "%s",
             export_error.message);
    log_one_line(worker->snapshot.spool_problem);
  } else {
    worker->snapshot.blocked = 0;
  }
  pthread_mutex_unlock(&worker->thread.mutex);
  if (status != STATUS_OK) {
    *blocked = true;
    return STATUS_OK;
  }
  worker->spool_behind = false;
  log_info(worker->log, "letters: the spool caught up from the database (%zu file(s) written)",
           report.written);
  if (report.unavailable > 0)
    log_warning(worker->log, "letters: %zu letter(s) could not be exported: %s", report.unavailable,
                report.first_problem);
  return STATUS_OK;
}

static enum status attempt(struct letter_worker *worker, const char *spool, bool *blocked,
                           struct error *error) {
  *blocked = false;
  enum status status = worker_thread_connect(&worker->thread, error);
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
  bool refused = false;
  status = render_pending(worker, spool, &refused, error);
  if (status == STATUS_OK && !refused)
    status = catch_up(worker, spool, &refused, error);
  *blocked = refused;
  return status;
}

/* After a round that worked: a spool that refused files is tried again after its own backoff. */
static void note_spool(struct letter_worker *worker, bool blocked, double *retry_in) {
  if (blocked) {
    pthread_mutex_lock(&worker->thread.mutex);
    log_warning(worker->log,
                "letters: %s; %" PRId64 " letter file(s) behind, kept in the database; "
                "retrying in %.1f s",
                worker->snapshot.spool_problem, worker->snapshot.blocked, worker->spool_backoff);
    pthread_mutex_unlock(&worker->thread.mutex);
    *retry_in = worker->spool_backoff;
    worker->spool_backoff *= 2;
    if (worker->spool_backoff > BACKOFF_LIMIT)
      worker->spool_backoff = BACKOFF_LIMIT;
    return;
  }
  worker->spool_backoff = SPOOL_BACKOFF_FIRST;
  pthread_mutex_lock(&worker->thread.mutex);
  if (worker->snapshot.spool_problem[0] != '\0')
    log_info(worker->log, "letters: the spool accepts files again");
  worker->spool_behind = false;
  worker->snapshot.spool_problem[0] = '\0';
  worker->snapshot.blocked = 0;
  pthread_mutex_unlock(&worker->thread.mutex);
}

/* ---- the skeleton's callbacks ---- */

static enum status run_round(void *owner, double *retry_in, struct error *error) {
  struct letter_worker *worker = owner;
  pthread_mutex_lock(&worker->thread.mutex);
  char *spool = strdup(worker->spool_directory);
  pthread_mutex_unlock(&worker->thread.mutex);
  if (spool == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  bool blocked = false;
  enum status status = attempt(worker, spool, &blocked, error);
  free(spool);
  if (status == STATUS_OK)
    note_spool(worker, blocked, retry_in);
  return status;
}

static bool take_kit(void *owner) {
  struct letter_worker *worker = owner;
  worker->taken_kit = worker->pending_kit;
  worker->pending_kit = NULL;
  bool moved = worker->spool_changed;
  worker->spool_changed = false;
  return moved; /* a new spool: a new session too, as with new database settings */
}

static void adopt_kit(void *owner, bool reconnected) {
  struct letter_worker *worker = owner;
  if (worker->taken_kit != NULL) {
    letter_kit_free(worker->kit);
    worker->kit = worker->taken_kit;
    worker->taken_kit = NULL;
  }
  if (reconnected)
    worker->leftovers_done = false; /* the spool may have moved */
}

static const struct worker_jobs jobs = {
    .name = "letters",
    .take = take_kit,
    .adopt = adopt_kit,
    .round = run_round,
};

/* ---- the loop's side ---- */

static bool same_text(const char *left, const char *right) {
  if (left == NULL || right == NULL)
    return left == right;
  return strcmp(left, right) == 0;
}

/* The mutex is held (or the thread not started). False when out of memory. */
static bool apply_settings(struct letter_worker *worker,
                           const struct letter_worker_settings *settings) {
  bool stored = worker_thread_set_database(&worker->thread, settings->conninfo,
                                           settings->connect_timeout, &settings->timeouts);
  if (!same_text(worker->spool_directory, settings->spool_directory)) {
    free(worker->spool_directory);
    worker->spool_directory = strdup(settings->spool_directory);
    worker->spool_changed = true;
  }
  return stored && worker->spool_directory != NULL;
}

struct letter_worker *letter_worker_new(struct event_base *base,
                                        const struct letter_worker_settings *settings,
                                        struct letter_kit *kit, const struct clock *clock,
                                        const struct log *log, void (*on_publish)(void *context),
                                        void *context, struct error *error) {
  struct letter_worker *worker = calloc(1, sizeof *worker);
  if (worker == NULL) {
    letter_kit_free(kit);
    error_set(error, STATUS_RUNTIME, "out of memory");
    return NULL;
  }
  worker->clock = clock;
  worker->log = log;
  worker->kit = kit;
  worker->spool_backoff = SPOOL_BACKOFF_FIRST;
  metrics_histogram_init(&worker->render_seconds, metrics_bounds_render,
                         metrics_bounds_render_count);
  worker->snapshot.render_seconds = worker->render_seconds;
  if (worker_thread_init(&worker->thread, &jobs, worker, &worker->session, &worker->snapshot.thread,
                         base, log, on_publish, context, error) != STATUS_OK) {
    letter_worker_free(worker);
    return NULL;
  }
  if (!apply_settings(worker, settings)) {
    error_set(error, STATUS_RUNTIME, "out of memory creating the letter worker");
    letter_worker_free(worker);
    return NULL;
  }
  return worker;
}

enum status letter_worker_start(struct letter_worker *worker, struct error *error) {
  worker_thread_request(&worker->thread, NULL); /* a look at what a previous run left pending */
  return worker_thread_start(&worker->thread, "the letter thread", error);
}

void letter_worker_request(struct letter_worker *worker) {
  worker_thread_request(&worker->thread, NULL);
}

void letter_worker_replace_kit(struct letter_worker *worker, struct letter_kit *kit) {
  pthread_mutex_lock(&worker->thread.mutex);
  letter_kit_free(worker->pending_kit); /* two reloads before the first was taken: the last */
  worker->pending_kit = kit;
  worker_thread_signal(&worker->thread);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void letter_worker_update_settings(struct letter_worker *worker,
                                   const struct letter_worker_settings *settings) {
  pthread_mutex_lock(&worker->thread.mutex);
  if (!apply_settings(worker, settings))
    log_error(worker->log, "letters: out of memory applying new settings");
  worker_thread_signal(&worker->thread);
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
  letter_kit_free(worker->taken_kit);
  letter_kit_free(worker->kit);
  free(worker->spool_directory);
  free(worker);
}
