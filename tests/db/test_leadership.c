/*
 * The election of a job's runner among several daemons (store/leadership.h), with three real
 * sessions: one leads, the others do not; asking again neither stacks the lock nor changes the
 * leader; the jobs are independent; the lock survives the leader's transactions; when the
 * leader's session ends (closed, or terminated by the server) the next one to ask leads; and
 * retention_run() deletes nothing on a session that does not lead.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db_support.h"
#include "store/leadership.h"
#include "store/retention.h"
#include "tap.h"

static bool claim(PGconn *connection, enum leadership_job job) {
  bool leader = false;
  struct error error;
  if (leadership_claim(connection, job, &leader, &error) != STATUS_OK)
    tap_diagnostic("%s", error.message);
  return leader;
}

/* The server ends a backend a moment after its client left: ask for a while. */
static bool claim_within(PGconn *connection, enum leadership_job job) {
  struct timespec pause = {0, 20 * 1000 * 1000};
  for (int attempt = 0; attempt < 250; attempt++) {
    if (claim(connection, job))
      return true;
    nanosleep(&pause, NULL);
  }
  return false;
}

/* Advisory locks of the leadership class held, over all sessions. */
static int64_t locks_held(PGconn *connection, enum leadership_job job) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
           "classid = %d AND objid = %d AND objsubid = 2",
           (int)LEADERSHIP_CLASS, (int)job);
  return db_integer(connection, sql);
}

int main(void) {
  PGconn *first = db_connect(), *second = db_connect(), *third = db_connect();
  if (!tap_ok(PQstatus(first) == CONNECTION_OK && PQstatus(second) == CONNECTION_OK &&
                  PQstatus(third) == CONNECTION_OK && db_prepare(first),
              "three sessions on a migrated database")) {
    PQfinish(first);
    PQfinish(second);
    PQfinish(third);
    return tap_finish();
  }
  tap_is_string(leadership_job_name(LEADERSHIP_REPORT), "report", "the report's name");
  tap_is_string(leadership_job_name(LEADERSHIP_RETENTION), "retention", "retention's name");
  tap_ok(claim(first, LEADERSHIP_REPORT), "the first to ask leads the report");
  tap_ok(!claim(second, LEADERSHIP_REPORT), "the second does not");
  tap_ok(!claim(third, LEADERSHIP_REPORT), "nor the third");
  for (int i = 0; i < 5; i++)
    claim(first, LEADERSHIP_REPORT);
  tap_ok(claim(first, LEADERSHIP_REPORT), "the leader asking again still leads");
  int64_t held = db_integer(second, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                    "AND granted AND objsubid = 2 AND classid = 1684369000 "
                                    "AND objid = 1");
  tap_is_integer(held, 1, "one lock in pg_locks");
  /* Stacked, one unlock would leave it held: after one the lock must be gone. */
  tap_is_integer(db_integer(first, "SELECT pg_advisory_unlock(1684369000, 1)::int"), 1,
                 "one unlock releases it (asking again did not stack it)");
  tap_is_integer(locks_held(second, LEADERSHIP_REPORT), 0, "and then nobody holds it");
  tap_ok(claim(first, LEADERSHIP_REPORT), "the first takes it again");

  tap_ok(claim(second, LEADERSHIP_RETENTION), "another session leads retention: jobs are apart");
  tap_ok(!claim(first, LEADERSHIP_RETENTION), "the report's leader does not lead retention");

  tap_ok(db_exec(first, "BEGIN") && db_exec(first, "SELECT 1") && db_exec(first, "ROLLBACK") &&
             db_exec(first, "BEGIN") && db_exec(first, "COMMIT"),
         "the leader's transactions commit and roll back");
  tap_ok(!claim(third, LEADERSHIP_REPORT), "the lock outlives them");

  PQfinish(first);
  bool taken = claim_within(third, LEADERSHIP_REPORT);
  tap_ok(taken, "the leader's session closed: the next to ask leads the report");
  tap_ok(!claim(second, LEADERSHIP_REPORT), "and only that one");

  tap_ok(db_exec(third, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> "
                        "pg_backend_pid() AND datname = current_database() AND pid IN (SELECT "
                        "pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 1684369000 "
                        "AND objid = 2)"),
         "the server terminates retention's leader");
  taken = claim_within(third, LEADERSHIP_RETENTION);
  tap_ok(taken, "then another session leads retention");

  PGconn *standby = db_connect();
  struct retention_policy policy = {.delivery_days = 1};
  struct retention_report report;
  struct error error;
  tap_ok(retention_run(standby, &policy, db_instant("2030-01-01T00:00"), &report, &error) ==
             STATUS_OK,
         "retention on a session that does not lead runs");
  tap_ok(report.elected && !report.leader && report.batches == 0,
         "it took part in the election, lost, and deleted nothing");
  tap_ok(retention_run(third, &policy, db_instant("2030-01-01T00:00"), &report, &error) ==
                 STATUS_OK &&
             report.leader && report.batches >= 1,
         "on the leader's session it deletes");
  struct retention_policy keep = {0};
  tap_ok(retention_run(standby, &keep, db_instant("2030-01-01T00:00"), &report, &error) ==
                 STATUS_OK &&
             !report.elected,
         "a policy that keeps everything takes no part in the election");
  PQfinish(standby);
  PQfinish(second);
  PQfinish(third);
  return tap_finish();
}
