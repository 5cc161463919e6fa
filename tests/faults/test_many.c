/*
 * Three daemons over one database under faults, with mail on and the monthly report due (the
 * `faults` suite; issue 18, "Several daemons, proven").
 *
 * Three `dunghen run` share one database, one spool and one SMTP relay (tests/mail/smtp_sink.py
 * behind msmtp). The monthly report of the month before the real date is due from the start,
 * so the three race for it at once. Each round the test commits a burst of 1 to 3 overdue
 * dossiers (each one's letter is mailed to about four addresses) and a few random changes
 * (faults_support.h's workload), waits a random 0 to 600 ms and injects one fault, chosen at
 * random:
 *   - SIGKILL of one daemon, chosen at random, restarted at once;
 *   - pg_ctl stop -m fast, a random downtime (0 to 1 s), start again (every daemon loses every
 *     session at once and must reconnect; the elected runners lose their locks).
 * After every round: the database invariants (each escalation once, each letter once, numbered
 * 1..n per agency and year), each mail once per address (faults_check_mail; a repeat under the
 * same Message-ID only for a send cut by a fault), each scheduled report once, and exactly one
 * daemon says it leads the report (dunghen_leader{job="report"} 1 in /metrics) once it has
 * noticed: a dead leader hands over within seconds. At the end the daemons settle everything and
 * stop, the spool matches letter_log, and a fresh `dunghen once` over a copy raises exactly the
 * same escalations and letters.
 * $FAULTS_ROUNDS (default 8) and $FAULTS_SEED reproduce or lengthen a run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "faults_support.h"
#include "tap.h"

enum { DAEMONS = 3 };

struct tally {
  int kills;
  int restarts;
  int failed_restarts;
  int early_exits;         /* daemons found gone before their kill */
  int broken_rounds;       /* rounds after which an invariant failed */
  int handovers;           /* rounds after which the report's leader was another daemon */
  int leaderless;          /* rounds after which no single leader was seen in time */
  int in_flight;           /* faults injected while letters or mails were pending */
  int repeats;             /* mails that arrived twice (same Message-ID, same address) */
  double longest_handover; /* seconds from the fault until one leader was seen */
};

struct many {
  struct faults_database database;
  struct faults_mail mail;
  struct faults_workload workload;
  struct e2e_daemon daemons[DAEMONS];
  bool running[DAEMONS];
  char config[16384];
};

/* Which daemon leads job `job` by its /metrics: its index, -1 when none, -2 when several. */
static int leader_of(struct many *many, const char *job) {
  static char body[1 << 18];
  char needle[64];
  snprintf(needle, sizeof needle, "dunghen_leader{job=\"%s\"} 1\n", job);
  int found = -1;
  for (int i = 0; i < DAEMONS; i++) {
    if (!many->running[i] ||
        e2e_http_get(many->daemons[i].port, "/metrics", body, sizeof body) != 200)
      continue;
    if (strstr(body, needle) != NULL)
      found = found == -1 ? i : -2;
  }
  return found;
}

/* Waits until exactly one daemon leads the report; its index, or a negative value. */
static int wait_report_leader(struct many *many, double timeout) {
  double until = e2e_monotonic_now() + timeout;
  int leader;
  do {
    leader = leader_of(many, "report");
    if (leader >= 0)
      return leader;
    e2e_sleep_seconds(0.1);
  } while (e2e_monotonic_now() < until);
  return leader;
}

static bool start(struct many *many, int which) {
  many->running[which] =
      e2e_daemon_start(&many->daemons[which], &many->database.harness, many->config, NULL);
  return many->running[which];
}

static bool server_restart(struct many *many) {
  bool stopped = pg_server_stop(&many->database.server);
  e2e_sleep_seconds((double)faults_below(&many->workload.random, 1000) / 1000.0);
  bool started = pg_server_start(&many->database.server);
  faults_reconnect(&many->database.harness);
  return stopped && started;
}

/* A send cut by a fault is sent again under its Message-ID: one per SIGKILL, and one per
 * daemon (each has one mail thread sending one message at a time) per server stop. */
static int allowed_repeats(const struct tally *tally) {
  return tally->kills + DAEMONS * tally->restarts;
}

static void one_round(struct many *many, int round, int *leader, struct tally *tally) {
  struct e2e_harness *harness = &many->database.harness;
  struct faults_workload *workload = &many->workload;
  faults_reconnect(harness);
  faults_workload_overdue_burst(workload, 1 + (int)faults_below(&workload->random, 3));
  int steps = 1 + (int)faults_below(&workload->random, 3);
  for (int step = 0; step < steps; step++)
    faults_workload_step(workload);
  e2e_sleep_seconds((double)faults_below(&workload->random, 600) / 1000.0);
  tally->in_flight +=
      e2e_db_integer(harness, "SELECT (SELECT count(*) FROM dunghen.letter_log WHERE state = "
                              "'pending') + (SELECT count(*) FROM dunghen.delivery_log WHERE "
                              "state = 'pending')") > 0;
  double fault_at = e2e_monotonic_now();
  if (faults_below(&workload->random, 3) < 2) {
    int which = (int)faults_below(&workload->random, DAEMONS);
    if (waitpid(many->daemons[which].pid, NULL, WNOHANG) != 0)
      tally->early_exits++;
    kill(many->daemons[which].pid, SIGKILL);
    if (e2e_daemon_stop(&many->daemons[which], SIGKILL, 10) == 128 + SIGKILL)
      tally->kills++;
    many->running[which] = false;
    /* The survivors hand over before the killed one is back: a leader among them. */
    if (*leader == which) {
      int next = wait_report_leader(many, 30);
      if (next >= 0 && next != which) {
        tally->handovers++;
        double seconds = e2e_monotonic_now() - fault_at;
        if (seconds > tally->longest_handover)
          tally->longest_handover = seconds;
      }
    }
    if (!start(many, which))
      tap_ok(false, "round %d: daemon %d starts again", round, which + 1);
  } else {
    tally->restarts++;
    tally->failed_restarts += !server_restart(many);
  }
  int now_leading = wait_report_leader(many, 30);
  if (now_leading < 0)
    tally->leaderless++;
  *leader = now_leading;
  char label[64];
  snprintf(label, sizeof label, "round %d", round);
  int repeats = 0;
  bool held = faults_check_database(harness, label, false);
  held = faults_check_mail(harness, &many->mail, label, allowed_repeats(tally), &repeats, false) &&
         held;
  held = faults_check_reports(harness, label, false, false) && held;
  tally->repeats = repeats;
  /* A daemon finds that a server restart took its retention lock at its next pass: commit a
   * change (every daemon passes) and give them a moment before judging. */
  faults_workload_step(workload);
  double until = e2e_monotonic_now() + 15;
  while (leader_of(many, "retention") == -2 && e2e_monotonic_now() < until)
    e2e_sleep_seconds(0.2);
  if (leader_of(many, "retention") == -2) {
    tap_ok(false, "%s: two daemons say they lead the retention", label);
    held = false;
  }
  if (!held) {
    tally->broken_rounds++;
    for (int i = 0; i < DAEMONS; i++)
      if (many->running[i])
        e2e_daemon_dump_log(&many->daemons[i]);
  }
}

/* Everything mailed that can be: no unexpanded outbox row, no pending delivery. */
static bool wait_mail_drained(struct e2e_harness *harness, double timeout) {
  return e2e_db_wait_integer(harness, 0, timeout,
                             "SELECT (SELECT count(*) FROM dunghen.outbox WHERE expanded_at IS "
                             "NULL) + (SELECT count(*) FROM dunghen.delivery_log WHERE state = "
                             "'pending')");
}

int main(void) {
  if (!faults_mail_available())
    return tap_skip_all("msmtp or python3-aiosmtpd is missing (tools/dev deps)");
  static struct many many;
  if (!faults_database_create(&many.database, "a restartable PostgreSQL, migrated"))
    return tap_finish();
  struct e2e_harness *harness = &many.database.harness;
  if (!tap_ok(faults_mail_start(&many.mail, &many.database), "the SMTP sink is listening")) {
    faults_database_destroy(&many.database);
    return tap_finish();
  }
  faults_config(&many.database, many.mail.config, many.config, sizeof many.config);
  many.workload = (struct faults_workload){harness, faults_seed(), 0, 0};
  bool all_started = true;
  for (int i = 0; i < DAEMONS; i++)
    all_started = start(&many, i) && all_started;
  int rounds = faults_rounds(8);
  struct tally tally = {0};
  double started = e2e_monotonic_now();
  if (tap_ok(all_started, "three daemons start over one database")) {
    int leader = wait_report_leader(&many, 30);
    tap_ok(leader >= 0, "exactly one of them leads the report (daemon %d)", leader + 1);
    for (int round = 1; round <= rounds; round++)
      one_round(&many, round, &leader, &tally);
  }
  tap_is_integer(tally.broken_rounds, 0, "every invariant held after every round");
  tap_is_integer(tally.leaderless, 0, "one report leader after every round");
  tap_is_integer(tally.early_exits, 0, "no daemon exited on its own");
  tap_is_integer(tally.failed_restarts, 0, "every server restart worked");
  tap_diagnostic("%d rounds in %.1f s: %d SIGKILLs (%d of the report's leader, handed over in at "
                 "most %.1f s), %d server restarts, %d with work in flight; %d overdue and %d "
                 "fresh dossiers; %d mail repeat(s) under the same Message-ID",
                 rounds, e2e_monotonic_now() - started, tally.kills, tally.handovers,
                 tally.longest_handover, tally.restarts, tally.in_flight, many.workload.overdue,
                 many.workload.fresh, tally.repeats);

  double settling = e2e_monotonic_now();
  tap_ok(faults_wait_settled(harness, true, 180),
         "they settle: every dossier examined, nothing due, no letter pending");
  double draining = e2e_monotonic_now();
  tap_ok(wait_mail_drained(harness, 240), "every mail expanded and sent");
  tap_diagnostic("settled in %.1f s, the mail drained %.1f s later", draining - settling,
                 e2e_monotonic_now() - draining);
  tap_diagnostic(
      "%lld escalations, %lld letters, %lld deliveries sent, %lld report run(s)",
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.escalation_log"),
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log"),
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log WHERE state = 'sent'"),
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.report_run"));
  for (int i = 0; i < DAEMONS; i++)
    if (many.running[i])
      tap_is_integer(e2e_daemon_stop(&many.daemons[i], SIGTERM, 30), 0,
                     "daemon %d: SIGTERM, exit status 0", i + 1);
  faults_check_database(harness, "at the end", true);
  int repeats = 0;
  faults_check_mail(harness, &many.mail, "at the end", allowed_repeats(&tally), &repeats, true);
  faults_check_reports(harness, "at the end", true, true);
  faults_check_spool(harness, many.database.spool, "at the end");
  faults_verify_on_copy(&many.database, "at the end");
  tap_diagnostic("%.1f s in all", e2e_monotonic_now() - started);
  int result = tap_finish();
  faults_mail_stop(&many.mail);
  faults_database_destroy(&many.database);
  return result;
}
