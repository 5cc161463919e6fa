/*
 * SIGKILL of the daemon at random moments, restarted every time (the `faults` suite).
 *
 * Each round starts `dunghen run`, commits a burst of overdue dossiers (their escalations and
 * letters fall due at once, so passes, commits and renders are in flight) and a few random
 * changes, waits a random delay (0 to 1200 ms, in 1 ms steps) and kills the daemon with SIGKILL.
 * Bursts run to several chunks of 50 letters, so that kills still land between a burst's chunk
 * commits now that a letter renders in about a millisecond.
 * After every round the database invariants hold (faults_support.h). At the end a last daemon
 * settles everything; then every escalation and letter exists exactly once, the spool holds
 * exactly the rendered PDFs with their recorded sizes and hashes and no temporary file, and a
 * fresh `dunghen once` over a copy of the data raises exactly the same escalations and letters.
 * $FAULTS_ROUNDS (default 50) and $FAULTS_SEED reproduce or lengthen a run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faults_support.h"
#include "tap.h"

struct tally {
  int kills;
  int pending_at_kill;   /* kills with letters still pending */
  int rendering_at_kill; /* kills while letters were being rendered (some done, some pending) */
  int leftovers_seen;    /* kills that left a temporary file in the spool */
  int broken_rounds;     /* rounds after which an invariant failed */
  int early_exits;       /* daemons that had exited before the kill */
};

static void one_round(struct faults_database *database, struct faults_workload *workload,
                      const char *config, int round, struct tally *tally) {
  struct e2e_harness *harness = &database->harness;
  struct e2e_daemon daemon;
  long long rendered_before =
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'");
  if (!e2e_daemon_start(&daemon, harness, config, NULL)) {
    tap_ok(false, "round %d: the daemon starts", round);
    e2e_daemon_stop(&daemon, SIGKILL, 5);
    tally->broken_rounds++;
    return;
  }
  int burst = 5 + (int)faults_below(&workload->random, 240);
  faults_workload_overdue_burst(workload, burst);
  int steps = 1 + (int)faults_below(&workload->random, 4);
  for (int step = 0; step < steps; step++)
    faults_workload_step(workload);
  e2e_sleep_seconds((double)faults_below(&workload->random, 1200) / 1000.0);
  if (waitpid(daemon.pid, NULL, WNOHANG) != 0)
    tally->early_exits++;
  kill(daemon.pid, SIGKILL);
  if (e2e_daemon_stop(&daemon, SIGKILL, 10) == 128 + SIGKILL)
    tally->kills++;
  long long pending =
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'pending'");
  long long rendered =
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'");
  tally->pending_at_kill += pending > 0;
  tally->rendering_at_kill += pending > 0 && rendered > rendered_before;
  tally->leftovers_seen += spool_check_leftovers(database->spool) > 0;
  char label[64];
  snprintf(label, sizeof label, "round %d", round);
  if (!faults_check_database(harness, label, false)) {
    tally->broken_rounds++;
    e2e_daemon_dump_log(&daemon);
  }
}

int main(void) {
  struct faults_database database;
  if (!faults_database_create(&database, "a restartable PostgreSQL, migrated"))
    return tap_finish();
  struct e2e_harness *harness = &database.harness;
  char config[8192];
  faults_config(&database, NULL, config, sizeof config);
  struct faults_workload workload = {harness, faults_seed(), 0, 0};
  int rounds = faults_rounds(50);
  struct tally tally = {0};
  double started = e2e_monotonic_now();
  /* A loaded machine (CI under ASan) can start daemons so slowly that no kill of the planned
   * rounds lands during a render; the case matters most, so up to as many rounds again are
   * played until one does. */
  int round = 1;
  for (; round <= rounds || (tally.rendering_at_kill == 0 && round <= 2 * rounds); round++)
    one_round(&database, &workload, config, round, &tally);
  rounds = round - 1;
  tap_is_integer(tally.kills, rounds, "%d daemons killed with SIGKILL", rounds);
  tap_is_integer(tally.early_exits, 0, "none had exited on its own before the kill");
  tap_is_integer(tally.broken_rounds, 0, "the database invariants held after every kill");
  tap_diagnostic("%d kills in %.1f s: %d with letters pending, %d while rendering, %d left a "
                 "temporary file; %d overdue and %d fresh dossiers",
                 tally.kills, e2e_monotonic_now() - started, tally.pending_at_kill,
                 tally.rendering_at_kill, tally.leftovers_seen, workload.overdue, workload.fresh);
  tap_ok(tally.rendering_at_kill > 0, "some kills landed while letters were being rendered");

  struct e2e_daemon last;
  if (tap_ok(e2e_daemon_start(&last, harness, config, NULL), "a last daemon starts")) {
    tap_ok(faults_wait_settled(harness, true, 180), "it settles: every dossier examined, "
                                                    "nothing due, no letter pending");
    tap_is_integer(e2e_daemon_stop(&last, SIGTERM, 30), 0, "SIGTERM: exit status 0");
  }
  faults_check_database(harness, "after the kills", true);
  faults_check_spool(harness, database.spool, "after the kills");
  tap_ok(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log") >= workload.overdue,
         "every overdue dossier has its letter (%d overdue)", workload.overdue);
  faults_verify_on_copy(&database, "after the kills");
  int result = tap_finish();
  faults_database_destroy(&database);
  return result;
}
