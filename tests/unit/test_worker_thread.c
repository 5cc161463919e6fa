/*
 * The worker skeleton (service/worker_thread.h), with real threads and a real libevent loop:
 * a thread runs no round unasked, one round per request, and requests made during a round
 * coalesce into one more; a failed round publishes its problem, is logged with the backoff and
 * retried unasked after it, the backoff doubling and reset by a success; requests cut the
 * backoff short or wait it out, as the jobs say; a round's retry_in brings a round unasked; new
 * database settings close the session before the next round and reach the connection; a stop
 * lets the running round finish and publishes `stopped`, and finish() joins.
 */
#include <event2/thread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/clock.h"
#include "service/worker_thread.h"
#include "tap.h"

enum { ROUND_LIMIT = 64 };

struct owner_snapshot {
  struct worker_thread_snapshot thread;
  int rounds;
};

/* A worker whose round does what the test says. */
struct owner {
  struct worker_thread thread;
  struct session session;
  struct event_base *base;
  struct event *give_up;
  pthread_cond_t changed; /* signalled (mutex held) when a round starts or is released */

  /* Guarded by thread.mutex. */
  struct owner_snapshot snapshot;
  int takes;
  int failed_calls;
  bool reconnected[ROUND_LIMIT]; /* adopt's argument, by round */
  double started[ROUND_LIMIT];   /* clock_monotonic_seconds() as each round began */
  double ended[ROUND_LIMIT];
  int fail_rounds;    /* how many rounds from now fail */
  int retry_rounds;   /* how many rounds from now answer retry_in 0.1 s */
  int connect_rounds; /* how many rounds from now connect to the database */
  bool hold;          /* rounds wait until it is cleared */
  bool holding;       /* a round is waiting */
  bool saw_stop;      /* a round ended with a stop asked */

  /* The loop's. */
  struct owner_snapshot seen; /* the last published */
  int published;
  bool request_after_failure; /* each failure seen is answered by a request */
  uint64_t failures_answered;
  bool (*until)(const struct owner *owner);
};

static bool take(void *argument) {
  struct owner *owner = argument;
  owner->takes++;
  return false;
}

static void adopt(void *argument, bool reconnected) {
  struct owner *owner = argument;
  pthread_mutex_lock(&owner->thread.mutex);
  if (owner->snapshot.rounds < ROUND_LIMIT)
    owner->reconnected[owner->snapshot.rounds] = reconnected;
  pthread_mutex_unlock(&owner->thread.mutex);
}

static enum status run_round(void *argument, double *retry_in, struct error *error) {
  struct owner *owner = argument;
  pthread_mutex_lock(&owner->thread.mutex);
  int number = owner->snapshot.rounds++;
  if (number < ROUND_LIMIT)
    owner->started[number] = clock_monotonic_seconds();
  owner->holding = true;
  pthread_cond_broadcast(&owner->changed);
  while (owner->hold)
    pthread_cond_wait(&owner->changed, &owner->thread.mutex);
  owner->holding = false;
  owner->saw_stop |= owner->thread.stop;
  bool fail = owner->fail_rounds > 0;
  owner->fail_rounds -= fail;
  bool connect = owner->connect_rounds > 0;
  owner->connect_rounds -= connect;
  if (owner->retry_rounds > 0) {
    owner->retry_rounds--;
    *retry_in = 0.1;
  }
  pthread_mutex_unlock(&owner->thread.mutex);
  enum status status = STATUS_OK;
  if (connect)
    status = worker_thread_connect(&owner->thread, error);
  else if (fail)
    status = error_set(error, STATUS_RUNTIME, "boom in round %d\nsecond line", number + 1);
  pthread_mutex_lock(&owner->thread.mutex);
  if (number < ROUND_LIMIT)
    owner->ended[number] = clock_monotonic_seconds();
  pthread_mutex_unlock(&owner->thread.mutex);
  return status;
}

static void failed(void *argument) {
  struct owner *owner = argument;
  owner->failed_calls++;
}

static const struct worker_jobs retrying_jobs = {
    .name = "test",
    .take = take,
    .adopt = adopt,
    .round = run_round,
    .failed = failed,
};

static const struct worker_jobs waiting_jobs = {
    .name = "waiting",
    .requests_wait_backoff = true,
    .round = run_round,
};

/* ---- the loop's side ---- */

static void on_publish(void *argument) {
  struct owner *owner = argument;
  pthread_mutex_lock(&owner->thread.mutex);
  owner->seen = owner->snapshot;
  pthread_mutex_unlock(&owner->thread.mutex);
  owner->published++;
  if (owner->request_after_failure && owner->seen.thread.failures > owner->failures_answered) {
    owner->failures_answered = owner->seen.thread.failures;
    worker_thread_request(&owner->thread, NULL);
  }
  if (owner->until != NULL && owner->until(owner))
    event_base_loopbreak(owner->base);
}

static void on_give_up(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  event_base_loopbreak(argument);
}

/* Runs the loop until a published snapshot satisfies `until` (false after 20 s). */
static bool run_until(struct owner *owner, bool (*until)(const struct owner *owner)) {
  if (until(owner))
    return true;
  owner->until = until;
  struct timeval limit = {20, 0};
  evtimer_add(owner->give_up, &limit);
  event_base_dispatch(owner->base);
  evtimer_del(owner->give_up);
  owner->until = NULL;
  return until(owner);
}

static int target_rounds;
static uint64_t target_failures;

static bool rounds_done(const struct owner *owner) {
  return owner->seen.rounds >= target_rounds && !owner->seen.thread.busy;
}

static bool failures_done(const struct owner *owner) {
  return owner->seen.thread.failures >= target_failures && !owner->seen.thread.busy;
}

static bool stopped(const struct owner *owner) {
  return owner->seen.thread.stopped;
}

static void sleep_seconds(double seconds) {
  struct timespec pause = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&pause, NULL);
}

/* Holds the next round once it has started. */
static void hold_next_round(struct owner *owner) {
  pthread_mutex_lock(&owner->thread.mutex);
  owner->hold = true;
  pthread_mutex_unlock(&owner->thread.mutex);
}

static void wait_until_holding(struct owner *owner) {
  pthread_mutex_lock(&owner->thread.mutex);
  while (!owner->holding)
    pthread_cond_wait(&owner->changed, &owner->thread.mutex);
  pthread_mutex_unlock(&owner->thread.mutex);
}

static void release_round(struct owner *owner) {
  pthread_mutex_lock(&owner->thread.mutex);
  owner->hold = false;
  pthread_cond_broadcast(&owner->changed);
  pthread_mutex_unlock(&owner->thread.mutex);
}

static void set_failures(struct owner *owner, int rounds) {
  pthread_mutex_lock(&owner->thread.mutex);
  owner->fail_rounds = rounds;
  pthread_mutex_unlock(&owner->thread.mutex);
}

static void owner_init(struct owner *owner, const struct worker_jobs *jobs, struct log *log) {
  memset(owner, 0, sizeof *owner);
  owner->base = event_base_new();
  owner->give_up = evtimer_new(owner->base, on_give_up, owner->base);
  pthread_cond_init(&owner->changed, NULL);
  struct error error;
  tap_is_integer(worker_thread_init(&owner->thread, jobs, owner, &owner->session,
                                    &owner->snapshot.thread, owner->base, log, on_publish, owner,
                                    &error),
                 STATUS_OK, "%s: init", jobs->name);
  tap_is_string(owner->session.name, jobs->name, "%s: the session is named for the jobs",
                jobs->name);
  tap_is_integer(worker_thread_start(&owner->thread, "the test thread", &error), STATUS_OK,
                 "%s: start", jobs->name);
}

static void owner_free(struct owner *owner) {
  worker_thread_finish(&owner->thread);
  worker_thread_finish(&owner->thread); /* twice is harmless */
  event_free(owner->give_up);
  event_base_free(owner->base);
  pthread_cond_destroy(&owner->changed);
}

/* The log so far, NUL-terminated (free() it). */
static char *log_text(FILE *stream) {
  fflush(stream);
  long size = ftell(stream);
  char *text = calloc(1, (size_t)size + 1);
  rewind(stream);
  size_t read = fread(text, 1, (size_t)size, stream);
  text[read] = '\0';
  fseek(stream, 0, SEEK_END);
  return text;
}

static void test_requests(struct owner *owner) {
  sleep_seconds(0.1);
  pthread_mutex_lock(&owner->thread.mutex);
  int rounds = owner->snapshot.rounds;
  pthread_mutex_unlock(&owner->thread.mutex);
  tap_is_integer(rounds, 0, "no round without a request");

  worker_thread_request(&owner->thread, NULL);
  target_rounds = 1;
  tap_ok(run_until(owner, rounds_done), "a request runs a round, and its snapshot is published");
  tap_is_integer(owner->seen.rounds, 1, "one round for one request");
  tap_is_integer(owner->takes, 1, "take ran before the round");
  tap_is_string(owner->seen.thread.problem, "", "a round that worked leaves no problem");
  tap_ok(owner->seen.thread.generation >= 1, "the generation counts the publications");

  hold_next_round(owner);
  worker_thread_request(&owner->thread, NULL);
  wait_until_holding(owner);
  struct owner_snapshot during;
  worker_thread_read(&owner->thread, &during, &owner->snapshot, sizeof during);
  tap_ok(during.thread.busy, "busy while a round runs");
  bool flag = false;
  for (int i = 0; i < 3; i++)
    worker_thread_request(&owner->thread, &flag);
  tap_ok(flag, "a request sets the owner's flag");
  release_round(owner);
  target_rounds = 3;
  tap_ok(run_until(owner, rounds_done), "the held round and the requests made during it ran");
  sleep_seconds(0.2);
  pthread_mutex_lock(&owner->thread.mutex);
  rounds = owner->snapshot.rounds;
  pthread_mutex_unlock(&owner->thread.mutex);
  tap_is_integer(rounds, 3, "three requests during a round coalesce into one more round");
}

static void test_failures(struct owner *owner, FILE *log_stream) {
  set_failures(owner, 1);
  worker_thread_request(&owner->thread, NULL);
  target_failures = 1;
  tap_ok(run_until(owner, failures_done), "a failed round is published");
  tap_is_string(owner->seen.thread.problem, "boom in round 4 second line",
                "its problem is the round's error, on one line");
  tap_ok(!owner->seen.thread.connected, "without a session it is not connected");
  tap_is_integer(owner->failed_calls, 1, "the jobs heard of the failure");
  char *text = log_text(log_stream);
  tap_contains(text, "test: boom in round 4 second line; retrying in 0.25 s",
               "the failure is logged with the backoff");
  free(text);
  target_rounds = 5;
  tap_ok(run_until(owner, rounds_done), "the failed round is retried without a request");
  tap_is_string(owner->seen.thread.problem, "", "and the retry that worked cleared the problem");
  double waited = owner->started[4] - owner->ended[3];
  tap_ok(waited >= 0.24, "after the backoff (%.3f s)", waited);

  /* Six failures answered by requests at once: the backoff doubles each time, and the requests
   * do not wait for it (0.25 + 0.5 + 1 + 2 + 4 s would be 7.75 s). */
  set_failures(owner, 6);
  owner->request_after_failure = true;
  owner->failures_answered = owner->seen.thread.failures;
  double started = clock_monotonic_seconds();
  worker_thread_request(&owner->thread, NULL);
  target_rounds = 12; /* six failures, then a request answered by a round that works */
  tap_ok(run_until(owner, rounds_done), "six failures and a success");
  double elapsed = clock_monotonic_seconds() - started;
  owner->request_after_failure = false;
  tap_ok(elapsed < 7.0, "requests cut the backoff short (%.3f s for seven rounds)", elapsed);
  tap_is_integer((long long)owner->seen.thread.failures, 7, "seven failed rounds in all");
  text = log_text(log_stream);
  tap_contains(text, "retrying in 4.00 s", "the backoff doubles");
  tap_contains(text, "test: boom in round 11 second line; retrying in 8.00 s",
               "sixth failure in a row: 8 s");
  free(text);
  set_failures(owner, 1);
  worker_thread_request(&owner->thread, NULL);
  target_failures = 8;
  tap_ok(run_until(owner, failures_done), "one more failure");
  text = log_text(log_stream);
  tap_contains(text, "test: boom in round 13 second line; retrying in 0.25 s",
               "a success reset the backoff");
  free(text);
  target_rounds = 14;
  tap_ok(run_until(owner, rounds_done), "and its retry");
}

static void test_retry_in(struct owner *owner) {
  pthread_mutex_lock(&owner->thread.mutex);
  owner->retry_rounds = 2;
  pthread_mutex_unlock(&owner->thread.mutex);
  worker_thread_request(&owner->thread, NULL);
  target_rounds = 17; /* the request's, and one for each retry_in */
  tap_ok(run_until(owner, rounds_done), "a round's retry_in brings another round unasked");
  double first = owner->started[15] - owner->ended[14];
  double second = owner->started[16] - owner->ended[15];
  tap_ok(first >= 0.09 && second >= 0.09, "when it says (%.3f s, %.3f s)", first, second);
  sleep_seconds(0.3);
  pthread_mutex_lock(&owner->thread.mutex);
  int rounds = owner->snapshot.rounds;
  pthread_mutex_unlock(&owner->thread.mutex);
  tap_is_integer(rounds, 17, "a round without retry_in brings none");
}

static void test_database(struct owner *owner) {
  struct config_timeouts timeouts = {CONFIG_TIMEOUT_SERVER, CONFIG_TIMEOUT_SERVER,
                                     CONFIG_TIMEOUT_SERVER};
  pthread_mutex_lock(&owner->thread.mutex);
  tap_ok(worker_thread_set_database(&owner->thread,
                                    "host=/nonexistent/dunghen-test port=1 connect_timeout=1", 1,
                                    &timeouts),
         "new database settings are stored");
  owner->connect_rounds = 1;
  pthread_mutex_unlock(&owner->thread.mutex);
  uint64_t failures = owner->seen.thread.failures;
  worker_thread_request(&owner->thread, NULL);
  target_failures = failures + 1;
  tap_ok(run_until(owner, failures_done), "a round connecting to no server fails");
  tap_ok(strncmp(owner->seen.thread.problem, "connect: ", 9) == 0,
         "the problem says the connection failed: %s", owner->seen.thread.problem);
  tap_ok(owner->reconnected[17], "the round after new settings was told of the new session");
  target_rounds = 19;
  tap_ok(run_until(owner, rounds_done), "its retry");
  tap_ok(!owner->reconnected[18], "the next round had nothing new to connect with");
}

static void test_stop(struct owner *owner) {
  hold_next_round(owner);
  worker_thread_request(&owner->thread, NULL);
  wait_until_holding(owner);
  worker_thread_stop(&owner->thread);
  worker_thread_request(&owner->thread, NULL); /* asked for, never run: a stop comes first */
  tap_ok(worker_thread_stopping(&owner->thread), "stopping once a stop is asked");
  release_round(owner);
  tap_ok(run_until(owner, stopped), "the thread publishes `stopped`");
  tap_ok(owner->saw_stop, "after the round it was in, which saw the stop");
  tap_is_integer(owner->seen.rounds, 20, "and no round after it");
  tap_ok(!owner->seen.thread.busy, "not busy once stopped");
}

static void test_requests_wait(struct log *log) {
  struct owner owner;
  owner_init(&owner, &waiting_jobs, log);
  set_failures(&owner, 1);
  worker_thread_request(&owner.thread, NULL);
  target_failures = 1;
  tap_ok(run_until(&owner, failures_done), "waiting: a failed round");
  worker_thread_request(&owner.thread, NULL);
  target_rounds = 2;
  tap_ok(run_until(&owner, rounds_done), "waiting: the request ran a round");
  double waited = owner.started[1] - owner.ended[0];
  tap_ok(waited >= 0.24, "waiting: but only after the backoff (%.3f s)", waited);
  tap_is_string(owner.seen.thread.problem, "", "waiting: which cleared the problem");
  owner_free(&owner);
}

int main(void) {
  evthread_use_pthreads();
  FILE *log_stream = tmpfile();
  struct log log;
  log_init(&log, log_stream, LOG_DEBUG);

  struct owner owner;
  owner_init(&owner, &retrying_jobs, &log);
  test_requests(&owner);
  test_failures(&owner, log_stream);
  test_retry_in(&owner);
  test_database(&owner);
  test_stop(&owner);
  double started = clock_monotonic_seconds();
  owner_free(&owner);
  tap_ok(clock_monotonic_seconds() - started < 10, "finish joined the stopped thread");

  test_requests_wait(&log);
  fclose(log_stream);
  return tap_finish();
}
