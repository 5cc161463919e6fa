/*
 * What the daemon says about itself (service/status.h), from filled snapshots alone: the
 * /healthz reason in its order of precedence, the STATUS= line before and after READY=1, and
 * some /metrics lines (the up gauge, reloads, refused reloads, a histogram), and what a
 * daemon says about the jobs elected among several (dunghen_leader, the standby note).
 */
#include <event2/buffer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/status.h"
#include "tap.h"

struct daemon_state {
  struct pass_worker_snapshot pass;
  struct letter_worker_snapshot letters;
  struct mail_worker_snapshot mail;
  struct metrics_histogram reload_seconds;
  struct status_snapshot status;
};

/* A healthy daemon after its first pass. */
static void healthy(struct daemon_state *state) {
  memset(state, 0, sizeof *state);
  state->pass.next_due = INT64_MAX;
  state->pass.passes = 5;
  metrics_histogram_init(&state->pass.pass_seconds, metrics_bounds_pass, metrics_bounds_pass_count);
  metrics_histogram_init(&state->pass.escalation_delay, metrics_bounds_escalation_delay,
                         metrics_bounds_escalation_delay_count);
  metrics_histogram_init(&state->letters.render_seconds, metrics_bounds_render,
                         metrics_bounds_render_count);
  metrics_histogram_init(&state->mail.sendmail_seconds, metrics_bounds_sendmail,
                         metrics_bounds_sendmail_count);
  metrics_histogram_init(&state->reload_seconds, metrics_bounds_reload,
                         metrics_bounds_reload_count);
  state->status = (struct status_snapshot){
      .ready = true,
      .database_up = true,
      .database_problem = "",
      .pass = &state->pass,
      .letters = &state->letters,
      .mail = &state->mail,
      .reload_seconds = &state->reload_seconds,
  };
}

static void expect_health(const struct daemon_state *state, bool healthy_expected,
                          const char *reason_expected, const char *what) {
  char reason[600];
  bool result = status_health(&state->status, reason, sizeof reason);
  tap_ok(result == healthy_expected, "%s: %s", what, healthy_expected ? "healthy" : "unhealthy");
  tap_is_string(reason, reason_expected, "%s: the reason", what);
}

static void expect_line(const struct daemon_state *state, const char *expected, const char *what) {
  char text[300];
  status_line(&state->status, text, sizeof text);
  tap_is_string(text, expected, "STATUS= %s", what);
}

static void test_health(void) {
  struct daemon_state state;
  healthy(&state);
  expect_health(&state, true, "ok", "a daemon that works");

  state.mail.enabled = true;
  snprintf(state.mail.failing, sizeof state.mail.failing, "sendmail exited with status 75");
  state.mail.consecutive_failures = 2;
  expect_health(&state, true,
                "ok; mail failing: 2 attempt(s) in a row; last: sendmail exited with status 75",
                "mail failing");
  snprintf(state.mail.thread.problem, sizeof state.mail.thread.problem, "connect: refused");
  expect_health(&state, true, "ok; mail: connect: refused", "mail's database failing");
  state.mail.enabled = false;
  expect_health(&state, true, "ok", "mail off says nothing of mail");

  const char *refusal = "reload refused: would queue 340 letters (limit 20); see dunghen preview";
  state.status.reload_refusal = refusal;
  expect_health(&state, true,
                "ok; reload refused: would queue 340 letters (limit 20); see dunghen preview",
                "a refused reload (the old rules work)");
  state.mail.enabled = true;
  expect_health(&state, true,
                "ok; reload refused: would queue 340 letters (limit 20); see dunghen preview; "
                "mail: connect: refused",
                "a refused reload and mail's database failing");
  state.mail.enabled = false;
  state.status.reload_refusal = "";
  expect_health(&state, true, "ok", "an accepted reload clears the refusal");

  state.pass.spool_audit = (struct spool_audit_tally){.audits = 2, .letters = 30, .unknown = 24};
  expect_health(&state, false,
                "letters lost: 24 letter(s) in the spool unknown to the database, 0 with their "
                "number given to another dossier; see the log and docs/FAILOVER.md",
                "letters on disk that the database lost");
  state.pass.spool_audit.unknown = 0;
  expect_health(&state, true, "ok", "once settled, healthy again");

  snprintf(state.letters.thread.problem, sizeof state.letters.thread.problem, "font missing");
  expect_health(&state, false, "letters: font missing", "the letter thread failing");
  snprintf(state.letters.spool_problem, sizeof state.letters.spool_problem, "disk full");
  state.letters.blocked = 3;
  expect_health(&state, false, "spool: disk full; 3 letter file(s) behind, kept in the database",
                "a full spool");
  snprintf(state.letters.spool_problem, sizeof state.letters.spool_problem, "spool: read-only");
  expect_health(&state, false, "spool: read-only; 3 letter file(s) behind, kept in the database",
                "a spool problem named once");

  snprintf(state.pass.thread.problem, sizeof state.pass.thread.problem, "lock timeout");
  expect_health(&state, false, "last job failed: lock timeout", "a failed pass");
  state.pass.passes = 0;
  expect_health(&state, false, "no pass yet: lock timeout", "no pass yet");
  state.pass.thread.problem[0] = '\0';
  state.status.ready = false;
  expect_health(&state, false, "starting: the first pass is not done yet", "starting");
  state.status.database_up = false;
  state.status.database_problem = "connection refused";
  expect_health(&state, false, "database unreachable: connection refused", "no database");
  state.status.stopping = true;
  expect_health(&state, false, "stopping", "stopping comes first");
}

static void test_status_line(void) {
  struct daemon_state state;
  healthy(&state);
  expect_line(&state, "watching; 5 passes; next due none", "after READY=1");
  snprintf(state.pass.thread.problem, sizeof state.pass.thread.problem, "connect: refused");
  expect_line(&state, "waiting for the database: connect: refused", "with the database gone");
  state.pass.thread.connected = true;
  expect_line(&state, "the last pass failed, retrying: connect: refused", "after a failed pass");
  healthy(&state);
  state.status.reload_refusal = "reload refused: would raise 900 escalations (limit 500); see "
                                "dunghen preview";
  expect_line(&state,
              "reload refused: would raise 900 escalations (limit 500); see dunghen preview",
              "after a refused reload");

  healthy(&state);
  state.status.ready = false;
  state.status.database_up = false;
  expect_line(&state, "starting: connecting to the database", "before the database answers");
  state.status.database_up = true;
  state.status.pass_running = true;
  expect_line(&state, "starting: the database is up; the first pass is running",
              "during the first pass");
  state.status.pass_running = false;
  snprintf(state.pass.thread.problem, sizeof state.pass.thread.problem, "lock timeout");
  state.pass.thread.connected = true;
  expect_line(&state, "starting: the first pass failed, retrying: lock timeout",
              "after a failed first pass");
  state.pass.thread.connected = false;
  expect_line(&state, "waiting for the database: lock timeout", "waiting before READY=1");
}

static void test_metrics(void) {
  struct daemon_state state;
  healthy(&state);
  state.status.reloads = 4;
  state.status.reload_failures = 2;
  state.status.reload_refusals = 1;
  state.status.database_reconnects = 1;
  state.pass.thread.reconnects = 2;
  metrics_histogram_observe(&state.reload_seconds, 0.02);
  state.pass.spool_audit = (struct spool_audit_tally){.audits = 3, .letters = 30};
  struct evbuffer *body = evbuffer_new();
  status_metrics(&state.status, body);
  size_t length = evbuffer_get_length(body);
  char *text = calloc(1, length + 1);
  evbuffer_remove(body, text, length);
  evbuffer_free(body);
  tap_contains(text, "\ndunghen_up 1\n", "the up gauge follows the health");
  tap_contains(text,
               "dunghen_reloads_total{result=\"ok\"} 4\n"
               "dunghen_reloads_total{result=\"failed\"} 2\n",
               "reloads by result");
  tap_contains(text,
               "# TYPE dunghen_reload_refused_total counter\ndunghen_reload_refused_total 1\n",
               "reloads the guard refused");
  tap_contains(text, "\ndunghen_database_reconnects_total 3\n",
               "reconnects of the listener and the pass worker");
  tap_contains(text, "dunghen_reload_duration_seconds_bucket{le=\"+Inf\"} 1\n",
               "a histogram's +Inf bucket");
  tap_contains(text, "dunghen_reload_duration_seconds_count 1\n", "and its count");
  tap_contains(text,
               "dunghen_spool_audit_letters{result=\"known\"} 30\n"
               "dunghen_spool_audit_letters{result=\"unknown\"} 0\n"
               "dunghen_spool_audit_letters{result=\"reused\"} 0\n",
               "the spool audit's letters by result");
  tap_contains(text, "\ndunghen_spool_audits_total 3\n", "and the audits");
  tap_ok(strstr(text, "dunghen_dossiers{") == NULL, "no database gauges before any were read");
  free(text);
}

static char *metrics_text(const struct daemon_state *state) {
  struct evbuffer *body = evbuffer_new();
  status_metrics(&state->status, body);
  size_t length = evbuffer_get_length(body);
  char *text = calloc(1, length + 1);
  evbuffer_remove(body, text, length);
  evbuffer_free(body);
  return text;
}

/* The elected jobs (store/leadership.h): a standby says so, a leader and a lone daemon do not. */
static void test_leadership(void) {
  struct daemon_state state;
  healthy(&state);
  struct report_worker_snapshot reports = {0};
  state.status.reports = &reports;
  char *text = metrics_text(&state);
  tap_ok(strstr(text, "dunghen_leader{") == NULL, "no leader sample before any election");
  free(text);
  reports.enabled = reports.elected = true;
  state.pass.retention_elected = true;
  expect_health(&state, true, "ok; standby for report, retention (another instance leads)",
                "a standby for both jobs");
  text = metrics_text(&state);
  tap_contains(text, "dunghen_leader{job=\"report\"} 0\ndunghen_leader{job=\"retention\"} 0\n",
               "/metrics: a standby for both");
  free(text);
  reports.leader = true;
  expect_health(&state, true, "ok; standby for retention (another instance leads)",
                "the report's leader, a retention standby");
  state.pass.retention_leader = true;
  expect_health(&state, true, "ok", "the leader of both says ok");
  text = metrics_text(&state);
  tap_contains(text, "dunghen_leader{job=\"report\"} 1\ndunghen_leader{job=\"retention\"} 1\n",
               "/metrics: the leader of both");
  free(text);
  reports.enabled = false;
  state.pass.retention_leader = false;
  expect_health(&state, true, "ok; standby for retention (another instance leads)",
                "reports off: only retention");
}

int main(void) {
  test_health();
  test_status_line();
  test_metrics();
  test_leadership();
  return tap_finish();
}
