/*
 * worker_thread.h: the one skeleton of the daemon's worker threads (the pass worker, the letter
 * thread, the mail thread); each fills it with its own jobs (struct worker_jobs) and keeps only
 * what it does.
 *
 * The skeleton owns the thread, the mutex and condition variable that guard and signal its
 * requests, the database settings of the owner's blocking session (service/session.h) and the
 * backoff after a failure, and the part of the snapshot every worker publishes (struct
 * worker_thread_snapshot, the `thread` field of the owner's snapshot). Its thread runs rounds:
 *   1. it waits for a request, a stop, or the instant of a retry;
 *   2. `take` (mutex held) moves the owner's requests and handovers (a new ruleset, kit or
 *      settings) into the thread; the session is closed when the database settings changed or
 *      `take` asked; `adopt` (mutex free) installs what was taken;
 *   3. `round` does the jobs, connecting through worker_thread_connect(); a round that failed
 *      on a connection libpq then finds broken (an idle connection notices a server restart or
 *      pg_terminate_backend only when used) runs once more at once on a new one: every job is
 *      idempotent;
 *   4. a success clears the problem and the backoff, and the round's `retry_in` schedules the
 *      next round without a request; a failure records the problem, closes a broken session,
 *      calls `failed`, logs "NAME: PROBLEM; retrying in S s" and retries after the backoff (0.25 s
 *      doubling to 30 s); either way the snapshot is published.
 * Publishing wakes the loop with event_active() on an event of the loop's base, the one libevent
 * call that is safe from another thread once evthread_use_pthreads() has run (before the base
 * was made). A stop ends the thread after its round: the session is closed and a last snapshot,
 * `stopped`, is published. worker_thread_finish() stops, joins and frees; it is safe on a
 * skeleton whose init failed half-way or whose thread never started.
 */
#ifndef DUNGHEN_WORKER_THREAD_H
#define DUNGHEN_WORKER_THREAD_H

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "service/config.h"
#include "service/log.h"
#include "service/session.h"

/* What every worker's snapshot says; the skeleton keeps it up to date. */
struct worker_thread_snapshot {
  bool stopped;        /* the thread has finished (after a stop) */
  bool busy;           /* a round is running */
  bool connected;      /* the session was up after the last round */
  char problem[512];   /* why the last round failed, on one line; "" after a success */
  uint64_t failures;   /* failed rounds */
  uint64_t reconnects; /* sessions opened after the first */
  uint64_t generation; /* increases with every published snapshot */
};

/* A worker's own part; `owner` is the pointer given to worker_thread_init(). */
struct worker_jobs {
  const char *name; /* "worker", "letters", "mail": the log prefix and the session's name */
  /* true: after a failure, requests wait for the retry (the pass worker: a burst of NOTIFYs
   * must not hammer a failing database); false: a request retries at once (a wake-up is news
   * that the round may now succeed: a rendered letter, a freed spool). */
  bool requests_wait_backoff;
  /* true: "connected" names the schema version, "connection lost" the error that showed it. */
  bool log_details;
  /* Mutex held, before a round: moves the requests and handovers into the thread's fields;
   * true asks to close the session first. NULL: nothing to take. */
  bool (*take)(void *owner);
  /* Mutex free, after take: installs what take took; `reconnected`: the session was closed.
   * NULL: nothing to install. */
  void (*adopt)(void *owner, bool reconnected);
  /* The jobs. `*retry_in` (-1 when called): seconds until a round that no request asks for;
   * < 0: none. Returns STATUS_OK, or fills `error` (its message becomes the problem). */
  enum status (*round)(void *owner, double *retry_in, struct error *error);
  /* Mutex held, after a failed round (e.g. ask for the jobs again). NULL: nothing. */
  void (*failed)(void *owner);
  /* After the session was closed (e.g. forget what was set on it). NULL: nothing. */
  void (*disconnected)(void *owner);
};

struct worker_thread {
  pthread_mutex_t mutex; /* guards the fields down to `snapshot`, and the owner's shared ones */
  pthread_cond_t wake;
  bool stop;
  bool requested;
  bool reconnect;  /* the database settings changed since the session was opened */
  double retry_at; /* clock_monotonic_seconds() of a round without a request; 0: none */
  char *conninfo;  /* NULL: the PG* environment */
  int connect_timeout;
  struct config_timeouts timeouts;
  struct worker_thread_snapshot *snapshot; /* inside the owner's snapshot */

  /* Only the thread touches these. */
  struct session *session; /* the owner's */
  double backoff;
  bool backing_off; /* the last round failed */
  bool ever_connected;

  /* Set by init. */
  const struct worker_jobs *jobs;
  void *owner;
  const struct log *log;
  bool initialised;
  bool started;
  pthread_t thread;
  struct event *publish_event;
  void (*on_publish)(void *context); /* runs in the loop */
  void *context;
};

/* Sets `session`'s name and log for the owner; `snapshot` is the owner's snapshot's part;
 * `on_publish(context)` runs in the loop after every published snapshot. */
enum status worker_thread_init(struct worker_thread *thread, const struct worker_jobs *jobs,
                               void *owner, struct session *session,
                               struct worker_thread_snapshot *snapshot, struct event_base *base,
                               const struct log *log, void (*on_publish)(void *context),
                               void *context, struct error *error);
/* `what` names the thread in the error ("the letter thread"). */
enum status worker_thread_start(struct worker_thread *thread, const char *what,
                                struct error *error);
/* Mutex held (or the thread not started): the database settings (`conninfo` NULL: the PG*
 * environment); a change closes the session before the next round. False when out of memory. */
bool worker_thread_set_database(struct worker_thread *thread, const char *conninfo,
                                int connect_timeout, const struct config_timeouts *timeouts);
/* Sets `*flag` (a field the mutex guards; NULL: none) and asks for a round. */
void worker_thread_request(struct worker_thread *thread, bool *flag);
/* Mutex held: asks for a round (after the caller handed something over). */
void worker_thread_signal(struct worker_thread *thread);
/* From a round: opens the session unless it is open (service/session.h). */
enum status worker_thread_connect(struct worker_thread *thread, struct error *error);
/* From the thread: closes the session (and tells the owner). */
void worker_thread_disconnect(struct worker_thread *thread);
/* From the thread: publishes the snapshot (several calls may coalesce into one on_publish). */
void worker_thread_publish(struct worker_thread *thread);
/* Copies `size` bytes of the owner's snapshot at `source` (guarded by the mutex) to `target`. */
void worker_thread_read(struct worker_thread *thread, void *target, const void *source,
                        size_t size);
/* True once a stop was asked (a round checks it between its transactions). */
bool worker_thread_stopping(struct worker_thread *thread);
/* Asks the thread to stop after its round; it does not wait. */
void worker_thread_stop(struct worker_thread *thread);
void worker_thread_finish(struct worker_thread *thread);

#endif
