/*
 * The daemon across a real PostgreSQL restart (pg_ctl stop -m fast, then start, on the same
 * socket and data): /healthz turns 503 with the reason while the server is down, the daemon
 * reconnects with backoff, catches up on a dossier committed before it re-subscribed, and
 * nothing is lost or raised twice. Uses its own restartable server (tests/support/pg_server.h),
 * since with-cluster's cannot restart.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_support.h"
#include "pg_server.h"
#include "tap.h"

static const char *const CONFIG =
    "sync:\n  poll_interval: 3600\ndatabase:\n  connect_timeout: 2\n  ping_interval: 1\n";

static bool wait_for_overdue(const struct e2e_harness *harness, const char *code, double timeout) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dunghen.escalation_log WHERE dossier_code = '%s' "
           "AND level = 'overdue'",
           code);
  return e2e_db_wait_integer(harness, 1, timeout, sql);
}

static bool wait_for_status(int port, int expected, char *body, size_t size, double timeout) {
  double until = e2e_monotonic_now() + timeout;
  do {
    if (e2e_http_get(port, "/healthz", body, size) == expected)
      return true;
    e2e_sleep_seconds(0.05);
  } while (e2e_monotonic_now() < until);
  return false;
}

static void reconnect_test_connection(struct e2e_harness *harness) {
  PQfinish(harness->db);
  harness->db = PQconnectdb(harness->conninfo);
  PQsetNoticeProcessor(harness->db, NULL, NULL);
}

int main(void) {
  struct pg_server server;
  if (!pg_server_create(&server)) {
    tap_ok(false, "a restartable PostgreSQL starts");
    return tap_finish();
  }
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, server.conninfo), "database migrated")) {
    pg_server_destroy(&server);
    return tap_finish();
  }
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, CONFIG, NULL), "the daemon starts") ||
      !tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "and becomes ready")) {
    e2e_daemon_dump_log(&daemon);
    pg_server_destroy(&server);
    return tap_finish();
  }
  e2e_db_insert_dossier(&harness, "R-A", "9.900001", "now() - interval '30 days'");
  tap_ok(wait_for_overdue(&harness, "R-A", 5), "a dossier is escalated before the restart");
  long long before = e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log");

  tap_ok(pg_server_stop(&server), "the server stops");
  char body[4096];
  tap_ok(wait_for_status(daemon.port, 503, body, sizeof body, 10),
         "/healthz is 503 while the database is down");
  tap_contains(body, "database unreachable", "with the reason");
  tap_ok(pg_server_start(&server), "the server starts again");
  reconnect_test_connection(&harness);
  /* Most likely committed before the daemon listens again: only the catch-up can find it. */
  e2e_db_insert_dossier(&harness, "R-B", "9.900001", "now() - interval '30 days'");
  tap_ok(wait_for_overdue(&harness, "R-B", 40), "the daemon reconnects and catches up");
  tap_ok(wait_for_status(daemon.port, 200, body, sizeof body, 10), "/healthz is 200 again");
  long long after = e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log");
  long long of_b = e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log "
                                            "WHERE dossier_code = 'R-B'");
  tap_is_integer(after - of_b, before, "nothing was raised twice for the earlier dossier");
  tap_is_integer(e2e_db_integer(&harness,
                                "SELECT count(*) FROM (SELECT 1 FROM dunghen.escalation_log"
                                " GROUP BY dossier_code, level, episode "
                                "HAVING count(*) > 1) AS d"),
                 0, "no duplicate escalation");
  e2e_db_insert_dossier(&harness, "R-C", "9.900001", "now() - interval '30 days'");
  tap_ok(wait_for_overdue(&harness, "R-C", 5), "NOTIFY works again after the restart");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(&harness);
  pg_server_destroy(&server);
  return result;
}
