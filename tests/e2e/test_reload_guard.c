/*
 * The reload guard end to end (docs/PREVIEW.md, "The reload guard"), against the private
 * PostgreSQL of with-cluster: four open dossiers of 9.900001 received 30 days ago are on track
 * under a 60-working-day procedure; shortening it to 2 working days would make each overdue and
 * queue its apology letter at once. With `reload.max_letters: 2` the SIGHUP is refused: a
 * warning in the log, /healthz 200 "ok; reload refused: ...", dunghen_reload_refused_total 1,
 * and the old rules still in force (no new escalation or letter, the deadlines unchanged, a
 * fifth such dossier added then on track). With the limit raised in the config, the next SIGHUP
 * is accepted: the five letters are queued, /healthz says "ok" again and the counter stays at 1.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_support.h"
#include "tap.h"

static const char *const CONFIG_LOW = "sync:\n  poll_interval: 3600\n  batch_size: 3\n"
                                      "reload:\n  max_letters: 2\n";
static const char *const CONFIG_RAISED = "http:\n  address: 127.0.0.1\n  port: 0\n"
                                         "sync:\n  poll_interval: 3600\n  batch_size: 3\n"
                                         "reload:\n  max_letters: 10\n";
static const char *const REFUSAL =
    "reload refused: would queue 4 letters (limit 2); see dunghen preview";
static const char *const LETTERS = "SELECT count(*) FROM dunghen.letter_log";
static const char *const ESCALATIONS = "SELECT count(*) FROM dunghen.escalation_log";
static const char *const DEADLINES_MOVED =
    "SELECT count(*) FROM dunghen.clock c JOIN e2e_before b USING (code) "
    "WHERE c.deadline IS DISTINCT FROM b.deadline";

static bool write_config(const char *path, const char *text) {
  FILE *file = fopen(path, "w");
  if (file == NULL)
    return false;
  bool written = fputs(text, file) >= 0;
  return fclose(file) == 0 && written;
}

/* The value of a sample without labels in a /metrics body; -1 when absent. */
static long long metric_value(const char *body, const char *name) {
  char needle[128];
  snprintf(needle, sizeof needle, "\n%s ", name);
  const char *found = strstr(body, needle);
  return found != NULL ? atoll(found + strlen(needle)) : -1;
}

static void test_refused(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  static const char *const codes[] = {"GUARD-1", "GUARD-2", "GUARD-3", "GUARD-4"};
  for (size_t i = 0; i < 4; i++)
    e2e_db_insert_dossier(harness, codes[i], "9.900001", "now() - interval '30 days'");
  e2e_db_insert_dossier(harness, "GUARD-S", "9.900002", "now() - interval '1 hour'");
  tap_ok(e2e_db_wait_integer(harness, 5, 10,
                             "SELECT count(*) FROM dunghen.clock WHERE code LIKE 'GUARD-%' "
                             "AND deadline IS NOT NULL AND state = 'on_track'"),
         "five open dossiers on track under the rules in force");
  e2e_db_exec(harness, "CREATE TABLE e2e_before AS SELECT code, deadline FROM dunghen.clock");
  long long letters = e2e_db_integer(harness, "%s", LETTERS);
  long long escalations = e2e_db_integer(harness, "%s", ESCALATIONS);
  tap_is_integer(letters, 0, "no letter yet");

  e2e_write_procedures(harness, "2wd");
  kill(daemon->pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(daemon, REFUSAL, 1, 20), "the reload is refused");
  char line[1024] = "";
  e2e_daemon_log_line(daemon, REFUSAL, line, sizeof line);
  tap_diagnostic("log: %s", line);
  tap_contains(line,
               " warning: reload refused: would queue 4 letters (limit 2); see dunghen "
               "preview",
               "a warning names the count, the limit and the preview");
  char body[65536];
  e2e_sleep_seconds(0.3);
  tap_is_integer(e2e_http_get(daemon->port, "/healthz", body, sizeof body), 200,
                 "/healthz stays 200: the old rules work");
  tap_diagnostic("/healthz: %s", body);
  tap_is_string(body, "ok; reload refused: would queue 4 letters (limit 2); see dunghen preview\n",
                "/healthz says why");
  tap_is_integer(e2e_http_get(daemon->port, "/metrics", body, sizeof body), 200, "/metrics");
  tap_contains(body, "# TYPE dunghen_reload_refused_total counter\n", "the counter is typed");
  tap_is_integer(metric_value(body, "dunghen_reload_refused_total"), 1, "one reload refused");

  /* A pass after the refusal runs with the old rules too: a fifth such dossier stays on track. */
  e2e_db_insert_dossier(harness, "GUARD-5", "9.900001", "now() - interval '30 days'");
  tap_ok(e2e_db_wait_integer(harness, 1, 10,
                             "SELECT count(*) FROM dunghen.clock WHERE code = 'GUARD-5' "
                             "AND state = 'on_track'"),
         "a dossier added after the refusal is on track under the old rules");
  e2e_sleep_seconds(0.5);
  tap_is_integer(e2e_db_integer(harness, "%s", LETTERS), letters, "no letter queued");
  tap_is_integer(e2e_db_integer(harness, "%s", ESCALATIONS), escalations, "no escalation raised");
  tap_is_integer(e2e_db_integer(harness, "%s", DEADLINES_MOVED), 0, "no deadline moved");
  tap_is_integer(e2e_daemon_log_count(daemon, "deadlines moved"), 0, "nothing recomputed");
}

static void test_raised(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  long long escalations = e2e_db_integer(harness, "%s", ESCALATIONS);
  tap_ok(write_config(daemon->config_path, CONFIG_RAISED), "the limit raised in the config");
  kill(daemon->pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(daemon, "reload: config and rules from", 1, 20),
         "the next reload is accepted");
  tap_ok(e2e_daemon_wait_log(daemon, "deadlines moved", 1, 20), "and recomputes the clocks");
  tap_ok(e2e_db_wait_integer(harness, 5, 10,
                             "SELECT count(*) FROM dunghen.letter_log WHERE dossier_code LIKE "
                             "'GUARD-_'"),
         "the five letters are queued");
  tap_ok(e2e_db_integer(harness, "%s", ESCALATIONS) > escalations, "escalations raised");
  tap_is_integer(e2e_db_integer(harness, "%s AND c.code LIKE 'GUARD-_'", DEADLINES_MOVED), 4,
                 "the four deadlines moved");
  tap_is_integer(e2e_db_integer(harness, "%s AND c.code = 'GUARD-S'", DEADLINES_MOVED), 0,
                 "the other procedure's did not");
  char body[65536];
  e2e_sleep_seconds(0.3);
  tap_is_integer(e2e_http_get(daemon->port, "/healthz", body, sizeof body), 200, "/healthz 200");
  tap_diagnostic("/healthz: %s", body);
  tap_is_string(body, "ok\n", "the refusal is cleared");
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_is_integer(metric_value(body, "dunghen_reload_refused_total"), 1, "the counter stays at 1");
  tap_ok(strstr(body, "dunghen_reloads_total{result=\"ok\"} 1\n") != NULL, "one reload accepted");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "database migrated, reference schema in"))
    return tap_finish();
  e2e_write_procedures(&harness, "60wd");
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, CONFIG_LOW, NULL), "the daemon starts")) {
    e2e_teardown(&harness);
    return tap_finish();
  }
  if (tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "ready")) {
    test_refused(&harness, &daemon);
    test_raised(&harness, &daemon);
  }
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(&harness);
  return result;
}
