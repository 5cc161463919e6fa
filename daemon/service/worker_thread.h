/*
 * worker_thread.h: what every worker thread of the daemon (the pass worker, the letter thread)
 * shares with the event loop: the thread itself, the mutex and condition variable that guard
 * and signal its requests, the stop flag, and the libevent event through which the thread
 * wakes the loop after it published a snapshot (event_active() is the one libevent call that
 * is safe from another thread once evthread_use_pthreads() has run).
 *
 * The owner keeps its own requests and snapshot under `mutex` and signals `wake` when it adds
 * one. worker_thread_finish() stops the thread, joins it and frees what init made; it is safe on
 * a link whose init failed half-way or whose thread never started.
 */
#ifndef DUNGHEN_WORKER_THREAD_H
#define DUNGHEN_WORKER_THREAD_H

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct worker_thread {
  pthread_mutex_t mutex; /* guards `stop` and the owner's shared fields */
  pthread_cond_t wake;
  bool stop;
  bool initialised;
  bool started;
  pthread_t thread;
  struct event *publish_event;
  void (*on_publish)(void *context); /* runs in the loop */
  void *context;
};

enum status worker_thread_init(struct worker_thread *thread, struct event_base *base,
                               void (*on_publish)(void *context), void *context,
                               struct error *error);
/* `what` names the thread in the error ("the letter thread"). */
enum status worker_thread_start(struct worker_thread *thread, void *(*main)(void *argument),
                                void *argument, const char *what, struct error *error);
/* From the thread: run on_publish in the loop soon (several calls may coalesce into one). */
void worker_thread_publish(struct worker_thread *thread);
/* Sets `*flag` (a field the mutex guards) and wakes the thread. */
void worker_thread_request(struct worker_thread *thread, bool *flag);
/* Copies `size` bytes of the owner's snapshot at `source` (guarded by the mutex) to `target`. */
void worker_thread_read(struct worker_thread *thread, void *target, const void *source,
                        size_t size);
/* With the mutex held: waits for a signal, a stop, or `seconds` (< 0: no time limit). */
void worker_thread_wait(struct worker_thread *thread, double seconds);
/* With the mutex held: waits until `*requested`, a stop, or the CLOCK_MONOTONIC instant
 * `retry_at` (clock_monotonic_seconds(); <= 0: none). */
void worker_thread_wait_for(struct worker_thread *thread, const bool *requested, double retry_at);
/* From the thread, without the mutex: sleeps `seconds` unless stopped; true when stopped. */
bool worker_thread_sleep(struct worker_thread *thread, double seconds);
/* True once a stop was asked. */
bool worker_thread_stopping(struct worker_thread *thread);
/* Asks the thread to stop after what it is doing; it does not wait. */
void worker_thread_stop(struct worker_thread *thread);
void worker_thread_finish(struct worker_thread *thread);

#endif
