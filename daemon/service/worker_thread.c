#include "service/worker_thread.h"

#include <string.h>
#include <time.h>

#include "service/clock.h"

static void on_publish_event(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct worker_thread *thread = argument;
  if (thread->on_publish != NULL)
    thread->on_publish(thread->context);
}

enum status worker_thread_init(struct worker_thread *thread, struct event_base *base,
                               void (*on_publish)(void *context), void *context,
                               struct error *error) {
  memset(thread, 0, sizeof *thread);
  pthread_mutex_init(&thread->mutex, NULL);
  pthread_cond_init(&thread->wake, NULL);
  thread->initialised = true;
  thread->on_publish = on_publish;
  thread->context = context;
  thread->publish_event = event_new(base, -1, 0, on_publish_event, thread);
  if (thread->publish_event == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot create a worker thread's event");
  return STATUS_OK;
}

enum status worker_thread_start(struct worker_thread *thread, void *(*main)(void *argument),
                                void *argument, const char *what, struct error *error) {
  int failed = pthread_create(&thread->thread, NULL, main, argument);
  if (failed != 0)
    return error_set(error, STATUS_RUNTIME, "cannot start %s: %s", what, strerror(failed));
  thread->started = true;
  return STATUS_OK;
}

void worker_thread_publish(struct worker_thread *thread) {
  event_active(thread->publish_event, EV_READ, 0);
}

void worker_thread_request(struct worker_thread *thread, bool *flag) {
  pthread_mutex_lock(&thread->mutex);
  *flag = true;
  pthread_cond_signal(&thread->wake);
  pthread_mutex_unlock(&thread->mutex);
}

void worker_thread_read(struct worker_thread *thread, void *target, const void *source,
                        size_t size) {
  pthread_mutex_lock(&thread->mutex);
  memcpy(target, source, size);
  pthread_mutex_unlock(&thread->mutex);
}

void worker_thread_wait(struct worker_thread *thread, double seconds) {
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

void worker_thread_wait_for(struct worker_thread *thread, const bool *requested, double retry_at) {
  while (!thread->stop && !*requested) {
    if (retry_at <= 0) {
      worker_thread_wait(thread, -1);
      continue;
    }
    double left = retry_at - clock_monotonic_seconds();
    if (left <= 0)
      return;
    worker_thread_wait(thread, left);
  }
}

bool worker_thread_sleep(struct worker_thread *thread, double seconds) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pthread_mutex_lock(&thread->mutex);
  for (;;) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double left = seconds - ((double)(now.tv_sec - start.tv_sec) +
                             (double)(now.tv_nsec - start.tv_nsec) / 1e9);
    if (thread->stop || left <= 0)
      break;
    worker_thread_wait(thread, left);
  }
  bool stopped = thread->stop;
  pthread_mutex_unlock(&thread->mutex);
  return stopped;
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
  pthread_mutex_destroy(&thread->mutex);
  pthread_cond_destroy(&thread->wake);
  thread->initialised = false;
}
