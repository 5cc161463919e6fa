/*
 * PostgreSQL faults under one running daemon (the `faults` suite).
 *
 * One `dunghen run` renders letters while the test commits a scripted workload (bursts of
 * overdue dossiers, fresh dossiers, edits, delay reasons, early finishes) and, after a random
 * delay (0 to 400 ms), injects one fault per round, chosen at random:
 *   - pg_ctl stop -m fast, a random downtime (0 to 1.5 s), start again;
 *   - pg_terminate_backend of every session of the daemon;
 *   - pg_terminate_backend of one of its sessions (listener, pass worker or letter thread).
 * The daemon must never exit (the same pid throughout, one start in its log), the invariants
 * hold after every round, and at the end everything settles, the spool matches letter_log, and
 * a fresh `dunghen once` over a copy raises exactly the same escalations and letters.
 * $FAULTS_ROUNDS (default 30) and $FAULTS_SEED reproduce or lengthen a run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faults_support.h"
#include "tap.h"

enum fault { FAULT_RESTART, FAULT_TERMINATE_ALL, FAULT_TERMINATE_ONE, FAULT_KINDS };

struct tally {
  int faults[FAULT_KINDS];
  int failed_restarts;
  int missed_sessions; /* terminations that found no session (the daemon was reconnecting) */
  int broken_rounds;
  int exits;     /* rounds after which the daemon was gone */
  int in_flight; /* faults injected while letters were pending */
};

static bool terminate(struct e2e_harness *harness, bool all, uint64_t *random) {
  faults_reconnect(harness);
  if (all)
    return e2e_db_integer(harness, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE application_name LIKE 'dunghen-%%'") >= 1;
  static const char *const SESSIONS[] = {"listener", "worker", "letters"};
  const char *which = SESSIONS[faults_below(random, 3)];
  long long found = e2e_db_integer(harness,
                                   "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE application_name = 'dunghen-%s'",
                                   which);
  return found >= 1;
}

/* True once the daemon's listener has a session again (its backoff is at most 30 s). */
static bool wait_listener(struct e2e_harness *harness, double timeout) {
  double until = e2e_monotonic_now() + timeout;
  do {
    if (e2e_db_integer(harness, "SELECT count(*) FROM pg_stat_activity "
                                "WHERE application_name = 'dunghen-listener'") >= 1)
      return true;
    e2e_sleep_seconds(0.1);
  } while (e2e_monotonic_now() < until);
  return false;
}

static bool restart(struct faults_database *database, uint64_t *random) {
  bool stopped = pg_server_stop(&database->server);
  e2e_sleep_seconds((double)faults_below(random, 1500) / 1000.0);
  bool started = pg_server_start(&database->server);
  faults_reconnect(&database->harness);
  return stopped && started;
}

static void one_round(struct faults_database *database, struct faults_workload *workload,
                      const struct e2e_daemon *daemon, int round, struct tally *tally) {
  struct e2e_harness *harness = &database->harness;
  faults_reconnect(harness);
  faults_workload_overdue_burst(workload, 3 + (int)faults_below(&workload->random, 30));
  int steps = 1 + (int)faults_below(&workload->random, 4);
  for (int step = 0; step < steps; step++)
    faults_workload_step(workload);
  e2e_sleep_seconds((double)faults_below(&workload->random, 400) / 1000.0);
  tally->in_flight +=
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'pending'") >
      0;
  enum fault fault = (enum fault)faults_below(&workload->random, FAULT_KINDS);
  bool done = fault == FAULT_RESTART
                  ? restart(database, &workload->random)
                  : terminate(harness, fault == FAULT_TERMINATE_ALL, &workload->random);
  tally->faults[fault]++;
  if (fault == FAULT_RESTART)
    tally->failed_restarts += !done;
  else
    tally->missed_sessions += !done;
  /* Changes committed while the daemon reconnects: only its catch-up can find them. */
  faults_workload_step(workload);
  e2e_sleep_seconds((double)faults_below(&workload->random, 300) / 1000.0);
  if (waitpid(daemon->pid, NULL, WNOHANG) != 0)
    tally->exits++;
  char label[64];
  snprintf(label, sizeof label, "round %d", round);
  if (!faults_check_database(harness, label, false))
    tally->broken_rounds++;
}

int main(void) {
  struct faults_database database;
  if (!faults_database_create(&database, "a restartable PostgreSQL, migrated"))
    return tap_finish();
  struct e2e_harness *harness = &database.harness;
  char config[8192];
  faults_config(&database, NULL, config, sizeof config);
  struct faults_workload workload = {harness, faults_seed(), 0, 0};
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "the daemon starts") ||
      !tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "and becomes ready")) {
    e2e_daemon_dump_log(&daemon);
    faults_database_destroy(&database);
    return tap_finish();
  }
  pid_t pid = daemon.pid;
  int rounds = faults_rounds(30);
  struct tally tally = {0};
  double started = e2e_monotonic_now();
  for (int round = 1; round <= rounds && tally.exits == 0; round++)
    one_round(&database, &workload, &daemon, round, &tally);
  tap_diagnostic("%d rounds in %.1f s: %d restarts, %d all sessions killed, %d one session "
                 "killed (%d found it disconnected: the pass and letter threads reconnect "
                 "when they next need the database); %d with letters pending; %d overdue "
                 "and %d fresh dossiers",
                 rounds, e2e_monotonic_now() - started, tally.faults[FAULT_RESTART],
                 tally.faults[FAULT_TERMINATE_ALL], tally.faults[FAULT_TERMINATE_ONE],
                 tally.missed_sessions, tally.in_flight, workload.overdue, workload.fresh);
  tap_is_integer(tally.failed_restarts, 0, "every restart of the server worked");
  tap_is_integer(tally.exits, 0, "the daemon never exited");
  tap_is_integer(tally.broken_rounds, 0, "the database invariants held after every round");
  tap_ok(faults_wait_settled(harness, true, 120),
         "it settles: every dossier examined, nothing due, no letter pending");
  tap_ok(daemon.pid == pid && kill(pid, 0) == 0, "the same daemon (pid %d) throughout", pid);
  /* The whole line's end: PostgreSQL's "the database system is starting up" is logged too. */
  tap_is_integer(e2e_daemon_log_count(&daemon, " starting\n"), 1, "its log shows one start");
  char body[4096] = "";
  /* The database can settle while the listener still waits out its backoff after the last
   * fault (up to 30 s): /healthz says "database unreachable" until it is back. */
  bool healthy = e2e_daemon_wait_health(&daemon, 200, body, sizeof body, 40);
  tap_ok(healthy, "/healthz is 200 once the listener is back (%.*s)", (int)strcspn(body, "\n"),
         body);
  static char metrics[1 << 16];
  e2e_http_get(daemon.port, "/metrics", metrics, sizeof metrics);
  const char *reconnects = strstr(metrics, "\ndunghen_database_reconnects_total ");
  long long reconnected = reconnects != NULL ? atoll(strchr(reconnects, ' ') + 1) : -1;
  /* Not one reconnect per restart: a restart that comes while the listener waits out its
   * backoff (up to 30 s) is absorbed by the same reconnect. What matters is that it came back. */
  tap_ok(tally.faults[FAULT_RESTART] == 0 || reconnected >= 1,
         "it reconnected after the faults (%lld reconnects of the listener)", reconnected);
  tap_ok(wait_listener(harness, 60), "and its listener is connected at the end");
  faults_check_database(harness, "after the faults", true);
  faults_check_spool(harness, database.spool, "after the faults");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "SIGTERM: exit status 0");
  faults_verify_on_copy(&database, "after the faults");
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  faults_database_destroy(&database);
  return result;
}
