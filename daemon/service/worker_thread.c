#include "service/worker_thread.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/clock.h"

static const double BACKOFF_FIRST = 0.25;
static const double BACKOFF_LIMIT = 30.0;

static void on_publish_event(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct worker_thread *thread = argument;
  if (thread->on_publish != NULL)
    thread->on_publish(thread->context);
}

enum status worker_thread_init(struct worker_thread *thread, const struct worker_jobs *jobs,
                               void *owner, struct session *session,
                               struct worker_thread_snapshot *snapshot, struct event_base *base,
                               const struct log *log, void (*on_publish)(void *context),
                               void *context, struct error *error) {
  memset(thread, 0, sizeof *thread);
  pthread_mutex_init(&thread->mutex, NULL);
  pthread_cond_init(&thread->wake, NULL);
  thread->initialised = true;
  thread->jobs = jobs;
  thread->owner = owner;
  thread->log = log;
  thread->session = session;
  *session = (struct session){.log = log, .name = jobs->name};
  thread->snapshot = snapshot;
  thread->connect_timeout = -1;
  thread->backoff = BACKOFF_FIRST;
  thread->on_publish = on_publish;
  thread->context = context;
  thread->publish_event = event_new(base, -1, 0, on_publish_event, thread);
  if (thread->publish_event == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot create a worker thread's event");
  return STATUS_OK;
}

/* ---- requests and settings (any thread) ---- */

static bool same_text(const char *left, const char *right) {
  if (left == NULL || right == NULL)
    return left == right;
  return strcmp(left, right) == 0;
}

bool worker_thread_set_database(struct worker_thread *thread, const char *conninfo,
                                int connect_timeout, const struct config_timeouts *timeouts) {
  bool changed = !same_text(thread->conninfo, conninfo) ||
                 thread->connect_timeout != connect_timeout ||
                 !config_timeouts_equal(&thread->timeouts, timeouts);
  if (!changed)
    return true;
  free(thread->conninfo);
  thread->conninfo = conninfo != NULL ? strdup(conninfo) : NULL;
  thread->connect_timeout = connect_timeout;
  thread->timeouts = *timeouts;
  thread->reconnect = true;
  return conninfo == NULL || thread->conninfo != NULL;
}

void worker_thread_signal(struct worker_thread *thread) {
  thread->requested = true;
  pthread_cond_signal(&thread->wake);
}

void worker_thread_request(struct worker_thread *thread, bool *flag) {
  pthread_mutex_lock(&thread->mutex);
  if (flag != NULL)
    *flag = true;
  worker_thread_signal(thread);
  pthread_mutex_unlock(&thread->mutex);
}

void worker_thread_read(struct worker_thread *thread, void *target, const void *source,
                        size_t size) {
  pthread_mutex_lock(&thread->mutex);
  memcpy(target, source, size);
  pthread_mutex_unlock(&thread->mutex);
}

bool worker_thread_stopping(struct worker_thread *thread) {
  pthread_mutex_lock(&thread->mutex);
  bool stop = thread->stop;
  pthread_mutex_unlock(&thread->mutex);
  return stop;
}

void worker_thread_stop(struct worker_thread *thread) {
  pthread_mutex_lock(&thread->mutex);
  thread->stop = true;
  pthread_cond_signal(&thread->wake);
  pthread_mutex_unlock(&thread->mutex);
}

/* ---- the session (the thread) ---- */

enum status worker_thread_connect(struct worker_thread *thread, struct error *error) {
  if (thread->session->connection != NULL)
    return STATUS_OK;
  pthread_mutex_lock(&thread->mutex);
  char *conninfo = thread->conninfo != NULL ? strdup(thread->conninfo) : NULL;
  bool copied = conninfo != NULL || thread->conninfo == NULL;
  int connect_timeout = thread->connect_timeout;
  struct config_timeouts timeouts = thread->timeouts;
  thread->reconnect = !copied; /* these settings are the ones in use from now */
  pthread_mutex_unlock(&thread->mutex);
  if (!copied)
    return error_set(error, STATUS_RUNTIME, "connect: out of memory");
  int version = 0;
  enum status status =
      session_connect(thread->session, conninfo, connect_timeout, &timeouts, &version, error);
  free(conninfo);
  if (status != STATUS_OK)
    return status;
  if (thread->ever_connected) {
    pthread_mutex_lock(&thread->mutex);
    thread->snapshot->reconnects++;
    pthread_mutex_unlock(&thread->mutex);
  }
  thread->ever_connected = true;
  if (thread->jobs->log_details)
    log_info(thread->log, "%s: connected to the database (schema version %d)", thread->jobs->name,
             version);
  else
    log_info(thread->log, "%s: connected to the database", thread->jobs->name);
  return STATUS_OK;
}

void worker_thread_disconnect(struct worker_thread *thread) {
  session_disconnect(thread->session);
  if (thread->jobs->disconnected != NULL)
    thread->jobs->disconnected(thread->owner);
}

void worker_thread_publish(struct worker_thread *thread) {
  pthread_mutex_lock(&thread->mutex);
  thread->snapshot->generation++;
  pthread_mutex_unlock(&thread->mutex);
  event_active(thread->publish_event, EV_READ, 0);
}

/* ---- the rounds (the thread) ---- */

/* Mutex held: waits for a signal, a stop, or `seconds` (< 0: no time limit). */
static void wait_signal(struct worker_thread *thread, double seconds) {
  if (seconds < 0) {
    pthread_cond_wait(&thread->wake, &thread->mutex);
    return;
  }
  /* pthread_cond_timedwait takes an absolute CLOCK_REALTIME instant. */
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  double whole = (double)until.tv_sec + (double)until.tv_nsec / 1e9 + seconds;
  until.tv_sec = (time_t)whole;
  until.tv_nsec = (long)((whole - (double)until.tv_sec) * 1e9);
  pthread_cond_timedwait(&thread->wake, &thread->mutex, &until);
}

/* Mutex held: until a stop, a request the backoff lets through, or the retry instant. */
static void wait_for_round(struct worker_thread *thread) {
  bool hold = thread->jobs->requests_wait_backoff && thread->backing_off;
  while (!thread->stop && !(thread->requested && !hold)) {
    if (thread->retry_at <= 0) {
      wait_signal(thread, -1);
      continue;
    }
    double left = thread->retry_at - clock_monotonic_seconds();
    if (left <= 0)
      return;
    wait_signal(thread, left);
  }
}

static void succeeded(struct worker_thread *thread, double retry_in) {
  thread->backoff = BACKOFF_FIRST;
  thread->backing_off = false;
  pthread_mutex_lock(&thread->mutex);
  thread->snapshot->connected = thread->session->connection != NULL;
  thread->snapshot->problem[0] = '\0';
  thread->snapshot->busy = false;
  thread->retry_at = retry_in >= 0 ? clock_monotonic_seconds() + retry_in : 0;
  pthread_mutex_unlock(&thread->mutex);
}

static void failed(struct worker_thread *thread, struct error *error) {
  PGconn *connection = thread->session->connection;
  bool connected = connection != NULL && PQstatus(connection) == CONNECTION_OK;
  if (!connected)
    worker_thread_disconnect(thread);
  log_one_line(error->message);
  log_error(thread->log, "%s: %s; retrying in %.2f s", thread->jobs->name, error->message,
            thread->backoff);
  pthread_mutex_lock(&thread->mutex);
  struct worker_thread_snapshot *snapshot = thread->snapshot;
  snprintf(snapshot->problem, sizeof snapshot->problem, "%s", error->message);
  log_one_line(snapshot->problem);
  snapshot->connected = connected;
  snapshot->failures++;
  snapshot->busy = false;
  thread->retry_at = clock_monotonic_seconds() + thread->backoff;
  if (thread->jobs->failed != NULL)
    thread->jobs->failed(thread->owner);
  pthread_mutex_unlock(&thread->mutex);
  thread->backing_off = true;
  thread->backoff *= 2;
  if (thread->backoff > BACKOFF_LIMIT)
    thread->backoff = BACKOFF_LIMIT;
}

static void run_round(struct worker_thread *thread) {
  const struct worker_jobs *jobs = thread->jobs;
  struct error error;
  error_clear(&error);
  double retry_in = -1;
  bool had_connection = thread->session->connection != NULL;
  enum status status = jobs->round(thread->owner, &retry_in, &error);
  if (status != STATUS_OK && had_connection && session_lost(thread->session)) {
    log_one_line(error.message);
    if (jobs->log_details)
      log_warning(thread->log, "%s: connection lost (%s); reconnecting", jobs->name, error.message);
    else
      log_warning(thread->log, "%s: connection lost; reconnecting", jobs->name);
    worker_thread_disconnect(thread);
    error_clear(&error);
    retry_in = -1;
    status = jobs->round(thread->owner, &retry_in, &error);
  }
  if (status == STATUS_OK)
    succeeded(thread, retry_in);
  else
    failed(thread, &error);
  worker_thread_publish(thread);
}

static void *thread_main(void *argument) {
  struct worker_thread *thread = argument;
  const struct worker_jobs *jobs = thread->jobs;
  for (;;) {
    pthread_mutex_lock(&thread->mutex);
    wait_for_round(thread);
    if (thread->stop) {
      pthread_mutex_unlock(&thread->mutex);
      break;
    }
    thread->requested = false;
    thread->retry_at = 0;
    thread->snapshot->busy = true;
    /* Cleared when a session opens with the settings in force (worker_thread_connect). */
    bool reconnect = thread->reconnect;
    if (jobs->take != NULL)
      reconnect |= jobs->take(thread->owner);
    pthread_mutex_unlock(&thread->mutex);
    if (reconnect)
      worker_thread_disconnect(thread);
    if (jobs->adopt != NULL)
      jobs->adopt(thread->owner, reconnect);
    run_round(thread);
  }
  worker_thread_disconnect(thread);
  pthread_mutex_lock(&thread->mutex);
  thread->snapshot->stopped = true;
  thread->snapshot->busy = false;
  pthread_mutex_unlock(&thread->mutex);
  worker_thread_publish(thread);
  return NULL;
}

/* ---- start and finish (the loop) ---- */

enum status worker_thread_start(struct worker_thread *thread, const char *what,
                                struct error *error) {
  int failed_start = pthread_create(&thread->thread, NULL, thread_main, thread);
  if (failed_start != 0)
    return error_set(error, STATUS_RUNTIME, "cannot start %s: %s", what, strerror(failed_start));
  thread->started = true;
  return STATUS_OK;
}

void worker_thread_finish(struct worker_thread *thread) {
  if (!thread->initialised)
    return;
  if (thread->started) {
    worker_thread_stop(thread);
    pthread_join(thread->thread, NULL);
    thread->started = false;
  }
  if (thread->publish_event != NULL)
    event_free(thread->publish_event);
  thread->publish_event = NULL;
  free(thread->conninfo);
  thread->conninfo = NULL;
  pthread_mutex_destroy(&thread->mutex);
  pthread_cond_destroy(&thread->wake);
  thread->initialised = false;
}
