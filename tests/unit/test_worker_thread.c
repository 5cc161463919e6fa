/*
 * The worker thread scaffold (service/worker_thread.h): a thread started on it publishes into
 * the loop, sleeps until stopped, and finish() joins it; timed waits end on time.
 */
#include <event2/thread.h>
#include <stdbool.h>
#include <time.h>

#include "service/clock.h"
#include "service/worker_thread.h"
#include "tap.h"

struct state {
  struct worker_thread thread;
  struct event_base *base;
  int published; /* counted in the loop */
  bool slept_until_stopped;
};

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void on_publish(void *context) {
  struct state *state = context;
  state->published++;
  event_base_loopbreak(state->base);
}

/* Publishes once, then sleeps "an hour": only a stop ends that sleep. */
static void *thread_main(void *argument) {
  struct state *state = argument;
  worker_thread_publish(&state->thread);
  state->slept_until_stopped = worker_thread_sleep(&state->thread, 3600);
  return NULL;
}

int main(void) {
  evthread_use_pthreads();
  struct state state = {.base = event_base_new()};
  struct error error;
  tap_is_integer(worker_thread_init(&state.thread, state.base, on_publish, &state, &error),
                 STATUS_OK, "init");
  tap_ok(!worker_thread_stopping(&state.thread), "not stopping at first");

  double started = seconds_now();
  pthread_mutex_lock(&state.thread.mutex);
  worker_thread_wait(&state.thread, 0.05);
  pthread_mutex_unlock(&state.thread.mutex);
  double waited = seconds_now() - started;
  tap_ok(waited >= 0.045, "a timed wait lasts its time (%.3f s)", waited);
  tap_ok(!worker_thread_sleep(&state.thread, 0.01), "a sleep that is not stopped says so");

  bool requested = false;
  worker_thread_request(&state.thread, &requested);
  tap_ok(requested, "a request sets its flag");
  started = seconds_now();
  pthread_mutex_lock(&state.thread.mutex);
  worker_thread_wait_for(&state.thread, &requested, 0); /* would wait forever without it */
  requested = false;
  worker_thread_wait_for(&state.thread, &requested, clock_monotonic_seconds() + 0.05);
  pthread_mutex_unlock(&state.thread.mutex);
  waited = seconds_now() - started;
  tap_ok(waited >= 0.045 && waited < 30,
         "a wait for a request ends at once when it is there, "
         "and at its retry time when not (%.3f s)",
         waited);
  int counters[2] = {7, 8}, copy[2] = {0, 0};
  worker_thread_read(&state.thread, copy, counters, sizeof copy);
  tap_ok(copy[0] == 7 && copy[1] == 8, "read copies a snapshot");

  tap_is_integer(worker_thread_start(&state.thread, thread_main, &state, "the test thread", &error),
                 STATUS_OK, "start");
  /* The exit timer keeps the loop waiting (a loop without events returns at once) until
   * on_publish breaks it; after 10 s it gives up and the check below fails. */
  struct timeval limit = {10, 0};
  event_base_loopexit(state.base, &limit);
  event_base_dispatch(state.base);
  tap_is_integer(state.published, 1, "the thread's publish ran on_publish in the loop");
  started = seconds_now();
  worker_thread_finish(&state.thread);
  tap_ok(state.slept_until_stopped, "finish stopped the sleeping thread");
  tap_ok(seconds_now() - started < 60, "and joined it without waiting out the sleep");
  worker_thread_finish(&state.thread); /* twice is harmless */
  event_base_free(state.base);
  return tap_finish();
}
