/*
 * The daemon end to end, against the private PostgreSQL of with-cluster: a dossier inserted in
 * the reference schema raises its escalation at once (NOTIFY, not polling: the poll interval is
 * an hour); /healthz and /metrics answer; killing the daemon's connections loses and duplicates
 * nothing; SIGHUP with a broken rules file keeps the old rules, and with a changed procedure
 * duration moves exactly the affected deadlines; SIGTERM exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "e2e_support.h"
#include "tap.h"

static const char *const CONFIG = "sync:\n  poll_interval: 3600\n  batch_size: 3\n";

/* A macro, not a variable: a format string must be a literal for the compiler to check it. */
#define ESCALATIONS_OF "SELECT count(*) FROM dunghen.escalation_log WHERE dossier_code = '%s'"
static const char *const DUPLICATES =
    "SELECT count(*) FROM (SELECT 1 FROM dunghen.escalation_log "
    "GROUP BY dossier_code, level, episode HAVING count(*) > 1) AS d";

static bool wait_for_overdue(const struct e2e_harness *harness, const char *code, double timeout) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dunghen.escalation_log WHERE dossier_code = '%s' "
           "AND level = 'overdue'",
           code);
  return e2e_db_wait_integer(harness, 1, timeout, sql);
}

static void test_escalation_and_http(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  tap_ok(e2e_daemon_wait_log(daemon, "ready: rules loaded", 1, 20), "the daemon becomes ready");
  char body[65536];
  tap_is_integer(e2e_http_get(daemon->port, "/healthz", body, sizeof body), 200, "/healthz is 200");
  tap_is_string(body, "ok\n", "/healthz says ok");
  e2e_db_insert_dossier(harness, "E2E-A", "9.900001", "now() - interval '30 days'");
  double started = e2e_monotonic_now();
  tap_ok(wait_for_overdue(harness, "E2E-A", 5), "an overdue dossier gets its escalation");
  tap_diagnostic("escalation after %.3f s", e2e_monotonic_now() - started);
  tap_ok(e2e_db_integer(harness, ESCALATIONS_OF, "E2E-A") >= 2,
         "and the other levels due (apology, overdue, long overdue)");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log "
                                         "WHERE dossier_code = 'E2E-A' AND state = 'pending'"),
                 1, "its apology letter is queued");
  e2e_sleep_seconds(2.2); /* metrics are refreshed at most every 2 s */
  e2e_db_exec(harness, "UPDATE onestop.ho_so SET trich_yeu = 'x' WHERE ma_ho_so = 'E2E-A'");
  tap_ok(e2e_daemon_wait_log(daemon, "pass:", 1, 5), "a change wakes a pass");
  e2e_sleep_seconds(0.3);
  tap_is_integer(e2e_http_get(daemon->port, "/metrics", body, sizeof body), 200, "/metrics is 200");
  tap_contains(body, "# TYPE dunghen_passes_total counter", "metrics: passes");
  tap_contains(body, "dunghen_dossiers{state=\"overdue\"}", "metrics: dossiers by state");
  tap_contains(body, "dunghen_escalations{level=\"overdue\"} 1", "metrics: escalations by level");
  tap_contains(body, "dunghen_letters{state=\"pending\"} 1", "metrics: letters pending");
  tap_contains(body, "dunghen_pass_duration_seconds", "metrics: pass duration");
  tap_contains(body, "dunghen_last_successful_pass_timestamp_seconds", "metrics: last pass");
  tap_contains(body, "dunghen_database_reconnects_total 0", "metrics: no reconnect yet");
  tap_ok(strstr(body, "Nguyễn") == NULL && strstr(body, "066123456789") == NULL,
         "metrics carry no personal data");
  tap_is_integer(e2e_http_get(daemon->port, "/nothing", body, sizeof body), 404,
                 "other paths: 404");
}

static void test_terminated_connections(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  long long before = e2e_db_integer(harness, ESCALATIONS_OF, "E2E-A");
  long long killed =
      e2e_db_integer(harness, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE application_name LIKE 'dunghen-%%'");
  tap_is_integer(
      killed, 3,
      "pg_terminate_backend ends the listener's, the worker's and the letters' sessions");
  /* Committed while the daemon is disconnected: its NOTIFY is lost, the catch-up finds it. */
  e2e_db_insert_dossier(harness, "E2E-B", "9.900001", "now() - interval '30 days'");
  tap_ok(e2e_daemon_wait_log(daemon, "listener: connection lost", 1, 10),
         "the listener notices the lost connection");
  tap_ok(wait_for_overdue(harness, "E2E-B", 15), "after reconnecting it catches up");
  tap_is_integer(e2e_db_integer(harness, ESCALATIONS_OF, "E2E-A"), before,
                 "nothing raised twice for the earlier dossier");
  tap_is_integer(e2e_db_integer(harness, "%s", DUPLICATES), 0, "no duplicate escalation at all");
  char body[65536];
  e2e_sleep_seconds(0.3);
  tap_is_integer(e2e_http_get(daemon->port, "/healthz", body, sizeof body), 200,
                 "/healthz is 200 again");
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_ok(strstr(body, "dunghen_database_reconnects_total 0") == NULL,
         "metrics count the reconnects");
}

static void test_broken_rules(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/procedures.yaml", harness->rules);
  FILE *file = fopen(path, "a");
  fputs("  - code: 'E2E.BROKEN'\n    duration: soon\n", file);
  fclose(file);
  kill(daemon->pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(daemon, "reload failed, keeping the old config and rules: ", 1, 10),
         "SIGHUP with a broken rules file is refused");
  char line[1024] = "";
  e2e_daemon_log_line(daemon, "reload failed", line, sizeof line);
  tap_contains(line, "procedures.yaml:", "and the log names the file and place");
  e2e_db_insert_dossier(harness, "E2E-C", "9.900001", "now() - interval '30 days'");
  tap_ok(wait_for_overdue(harness, "E2E-C", 5), "the old rules keep working");
  char body[4096];
  tap_is_integer(e2e_http_get(daemon->port, "/healthz", body, sizeof body), 200,
                 "and the daemon stays healthy");
}

static void test_changed_duration(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  /* Open dossiers received an hour ago: three of the procedure that changes, two not. */
  static const char *const fast[] = {"E2E-F1", "E2E-F2", "E2E-F3"};
  static const char *const slow[] = {"E2E-S1", "E2E-S2"};
  for (size_t i = 0; i < 3; i++)
    e2e_db_insert_dossier(harness, fast[i], "9.900001", "now() - interval '1 hour'");
  for (size_t i = 0; i < 2; i++)
    e2e_db_insert_dossier(harness, slow[i], "9.900002", "now() - interval '1 hour'");
  e2e_db_wait_integer(harness, 5, 5,
                      "SELECT count(*) FROM dunghen.clock WHERE code IN "
                      "('E2E-F1','E2E-F2','E2E-F3','E2E-S1','E2E-S2') AND deadline IS NOT NULL");
  e2e_db_exec(harness, "CREATE TABLE e2e_before AS SELECT code, deadline FROM dunghen.clock");
  long long affected =
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock WHERE "
                              "procedure_code = '9.900001' AND deadline IS NOT NULL");
  e2e_write_procedures(harness, "3wd");
  kill(daemon->pid, SIGHUP);
  tap_ok(e2e_daemon_wait_log(daemon, "deadlines moved", 1, 15), "the reload recomputes the clocks");
  char line[1024] = "", expected[64];
  e2e_daemon_log_line(daemon, "deadlines moved", line, sizeof line);
  snprintf(expected, sizeof expected, ": %lld deadlines moved", affected);
  tap_contains(line, expected, "the log counts exactly the affected deadlines (%lld)", affected);
  tap_is_integer(e2e_db_integer(harness,
                                "SELECT count(*) FROM dunghen.clock c JOIN e2e_before b "
                                "USING (code) WHERE c.deadline IS DISTINCT FROM b.deadline"),
                 affected, "exactly that many deadlines changed in the database");
  tap_is_integer(
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock c JOIN e2e_before b USING (code) "
                              "WHERE c.deadline IS DISTINCT FROM b.deadline "
                              "AND c.procedure_code <> '9.900001'"),
      0, "no deadline of another procedure moved");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock c JOIN e2e_before b "
                                         "USING (code) WHERE c.code LIKE 'E2E-F_' "
                                         "AND c.deadline - b.deadline > interval '0'"),
                 3, "the changed procedure's deadlines moved later");
}

/* `dunghen once --now` and `dunghen run` with $DUNGHEN_NOW: "now" is injectable. */
static void test_injected_now(struct e2e_harness *harness) {
  char environment_now[64];
  long long day =
      e2e_db_integer(harness, "SELECT to_char(now() + interval '40 days', 'YYYYMMDD')::int");
  snprintf(environment_now, sizeof environment_now, "DUNGHEN_NOW=%04lld-%02lld-%02lldT10:00:00",
           day / 10000, day / 100 % 100, day % 100);
  char *environment[] = {environment_now, NULL};
  struct e2e_daemon future;
  if (!tap_ok(e2e_daemon_start(&future, harness, CONFIG, environment),
              "a daemon with a simulated clock starts")) {
    e2e_daemon_dump_log(&future);
    return;
  }
  tap_ok(e2e_daemon_wait_log(&future, "simulated clock at ", 1, 5), "it logs its simulated clock");
  e2e_db_insert_dossier(harness, "E2E-FUTURE", "9.900001", "now()");
  tap_ok(wait_for_overdue(harness, "E2E-FUTURE", 10),
         "a dossier received today is overdue on the simulated date");
  tap_is_integer(e2e_daemon_stop(&future, SIGINT, 20), 0, "SIGINT: exit status 0");

  char command[4096];
  snprintf(command, sizeof command,
           "'%s' once --db '%s' --rules '%s' --now 2026-01-05T09:00:00 > '%s/once.out' 2>&1",
           getenv("DUNGHEN_BINARY"), harness->conninfo, harness->rules, harness->directory);
  tap_is_integer(system(command), 0, "dunghen once --now exits 0");
  char path[PATH_MAX + 32], output[1024] = "";
  snprintf(path, sizeof path, "%s/once.out", harness->directory);
  FILE *file = fopen(path, "r");
  if (file != NULL) {
    size_t got = fread(output, 1, sizeof output - 1, file);
    output[got] = '\0';
    fclose(file);
  }
  tap_contains(output, "pass at 2026-01-05T09:00:00+07:00: ", "it passes at the given now");
  snprintf(command, sizeof command, "'%s' run --config /nonexistent/dunghen.yaml 2> '%s'",
           getenv("DUNGHEN_BINARY"), path);
  tap_is_integer(WEXITSTATUS(system(command)), 2, "run with a missing config file exits 2");
  snprintf(command, sizeof command, "'%s' once --bogus 2> '%s'", getenv("DUNGHEN_BINARY"), path);
  tap_is_integer(WEXITSTATUS(system(command)), 2, "an unknown option exits 2");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "database migrated, reference schema in"))
    return tap_finish();
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, CONFIG, NULL), "the daemon starts")) {
    e2e_teardown(&harness);
    return tap_finish();
  }
  test_escalation_and_http(&harness, &daemon);
  test_terminated_connections(&harness, &daemon);
  test_broken_rules(&harness, &daemon);
  test_changed_duration(&harness, &daemon);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  tap_ok(e2e_daemon_log_count(&daemon, "stopped") == 1, "the log says it stopped");
  test_injected_now(&harness);
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(&harness);
  return result;
}
