/*
 * The first pass shared by ranges (store/pass_range.h), as two daemons would share it: the
 * same 20,000 generated dossiers in three databases of one cluster. In the first, one pass
 * alone through the per-dossier path (as `dunghen once` after an earlier pass: an advisory
 * lock per dossier, no ranges), the reference; in the second, two sessions on two connections run
 * their first pass at the same time; in the third, a session is terminated (pg_terminate_backend)
 * while it writes a range, and another session's pass takes the ranges left. All three must end
 * with exactly the same clocks, escalations and letters (numbers 1..n per agency and year,
 * no gap), every range done by one session, the plan finished and the watermark set.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db_support.h"
#include "store/sql.h"
#include "tap.h"

/* One more dossier, R-0, sorts before the others: the reference pass writes it first. */
enum {
  DOSSIERS = 20000,
  BATCH = 50,
  RANGE = BATCH * PASS_RANGE_BATCHES,
  RANGES = (DOSSIERS + 1 + RANGE - 1) / RANGE
};

static bool insert_dossiers(PGconn *connection) {
  char sql[2048];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
           " ngay_tiep_nhan, trang_thai, ngay_hoan_thanh, ly_do_tre_han)"
           " SELECT 'S' || lpad(i::text, 6, '0'),"
           " CASE WHEN i %% 97 = 0 THEN '9.999999' ELSE (ARRAY['1.004884', '1.004873',"
           "  '1.004222', '1.010038'])[1 + i %% 4] END,"
           " 'AG' || (i %% 3), 'Nguyễn Văn ' || i,"
           " (ARRAY['truc_tiep', 'truc_tuyen', 'buu_chinh'])[1 + i %% 3],"
           " timestamptz '2025-03-03 07:30+07' + (i * 7919 %% (24 * 86400)) * interval '1 second',"
           " (ARRAY['dang_xu_ly', 'dang_xu_ly', 'dang_xu_ly', 'cho_bo_sung', 'da_tra_ket_qua',"
           "  'da_rut', 'tu_choi', 'tam_dung'])[1 + i %% 8],"
           " CASE WHEN i %% 8 = 4 THEN timestamptz '2025-03-03 07:30+07' +"
           "  (i * 7919 %% (24 * 86400) + 86400 * (1 + i %% 9)) * interval '1 second' END,"
           " CASE WHEN i %% 11 = 0 THEN 'Chờ xác minh' END"
           " FROM generate_series(1, %d) i",
           DOSSIERS);
  if (!db_exec(connection, sql))
    return false;
  return db_exec(connection,
                 "INSERT INTO onestop.tam_dung (ma_ho_so, loai, tu_ngay, den_ngay)"
                 " SELECT ma_ho_so, 'bo_sung', ngay_tiep_nhan + interval '1 day',"
                 " CASE WHEN right(ma_ho_so, 1) <> '3' THEN ngay_tiep_nhan + interval '3 days'"
                 " END FROM onestop.ho_so WHERE right(ma_ho_so, 1) IN ('3', '7')");
}

static const char *const agencies[] = {"AG0", "AG1"}; /* AG2 is flagged as unknown */

struct session {
  PGconn *connection;
  const struct rules *rules;
  const struct ladder *ladder;
  struct pass_report report;
  enum status status;
  struct error error;
};

static void *run_session(void *argument) {
  struct session *session = argument;
  struct pass_context context = {
      .connection = session->connection,
      .rules = session->rules,
      .ladder = session->ladder,
      .now = db_instant("2025-03-27T10:00"),
      .batch_size = BATCH,
      .overlap_seconds = -1,
      .agency_codes = agencies,
      .agency_count = 2,
  };
  session->status = pass_run(&context, &session->report, &session->error);
  return NULL;
}

static PGconn *connect_to(const char *database) {
  char conninfo[512];
  snprintf(conninfo, sizeof conninfo, "%s dbname=%s", getenv("DUNGHEN_TEST_DB"), database);
  PGconn *connection = PQconnectdb(conninfo);
  if (PQstatus(connection) != CONNECTION_OK)
    tap_diagnostic("connect: %s", PQerrorMessage(connection));
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  return connection;
}

/* What the passes produced, letter numbers aside (they follow the order ranges commit). */
static void digest(PGconn *connection, char *buffer, size_t size) {
  db_text(connection,
          "SELECT (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', code, procedure_code,"
          " agency_code, received_at, deadline, remaining_seconds, episode, rescheduled_at,"
          " new_deadline, state, next_instant, flagged_reason, channel, finished_at), ','"
          " ORDER BY code)) FROM dunghen.clock) || ' ' ||"
          " (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', dossier_code, level,"
          " episode, raised_at, recipients, reason, agency_code, deadline, action), ','"
          " ORDER BY dossier_code, level, episode)) FROM dunghen.escalation_log) || ' ' ||"
          " (SELECT count(*) || ':' || md5(string_agg(concat_ws('|', dossier_code, agency_code,"
          " year, new_appointment_at, state, issued_on, promised_at, form, wording), ','"
          " ORDER BY dossier_code)) FROM dunghen.letter_log)",
          buffer, size);
}

/* The state every way of running the first pass must end in. */
static void check_finished(PGconn *connection, const char *expected, const char *how) {
  char actual[256];
  digest(connection, actual, sizeof actual);
  tap_is_string(actual, expected, "%s: the same clocks, escalations and letters as one pass", how);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM (SELECT agency_code, year"
                                        " FROM dunghen.letter_log GROUP BY 1, 2"
                                        " HAVING min(number) <> 1 OR max(number) <> count(*)"
                                        " OR count(DISTINCT number) <> count(*)) g"),
                 0, "%s: letters numbered 1..n per agency and year, no gap", how);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.pass_claim"), 0,
                 "%s: the plan is finished and gone", how);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.sync_state"
                                        " WHERE watermark IS NOT NULL"),
                 1, "%s: the watermark is set", how);
}

/* Passes on `connection` until no range is held elsewhere (at most a few). */
static bool settle(struct session *session) {
  for (int round = 0; round < 5; round++) {
    run_session(session);
    if (session->status != STATUS_OK) {
      tap_diagnostic("pass: %s", session->error.message);
      return false;
    }
    if (session->report.ranges_waiting == 0)
      return true;
    sleep(1);
  }
  return false;
}

static void test_two_sessions(const struct rules *rules, const struct ladder *ladder,
                              const char *expected) {
  struct session sessions[2];
  for (int i = 0; i < 2; i++)
    sessions[i] =
        (struct session){.connection = connect_to("pass_shared"), .rules = rules, .ladder = ladder};
  pthread_t threads[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&threads[i], NULL, run_session, &sessions[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(threads[i], NULL);
  for (int i = 0; i < 2; i++)
    if (!tap_ok(sessions[i].status == STATUS_OK, "session %d's first pass succeeds", i + 1))
      tap_diagnostic("pass: %s", sessions[i].error.message);
  size_t ranges = sessions[0].report.ranges + sessions[1].report.ranges;
  size_t examined = sessions[0].report.examined + sessions[1].report.examined;
  tap_diagnostic("ranges: %zu and %zu", sessions[0].report.ranges, sessions[1].report.ranges);
  tap_is_integer((long long)ranges, RANGES, "each of the %d ranges was written by one session",
                 RANGES);
  tap_is_integer((long long)examined, DOSSIERS + 1, "every dossier was examined once");
  tap_is_integer((long long)(sessions[0].report.skipped + sessions[1].report.skipped), 0,
                 "no dossier was skipped for a per-dossier lock");
  tap_ok(settle(&sessions[0]) && sessions[0].report.examined == 0,
         "a further pass finds nothing to do");
  check_finished(sessions[0].connection, expected, "two sessions");
  for (int i = 0; i < 2; i++)
    PQfinish(sessions[i].connection);
}

/* Waits until the backend `pid` waits for a lock; false after about 60 s. */
static bool wait_for_lock(PGconn *connection, int pid) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND wait_event_type = 'Lock'",
           pid);
  for (int tries = 0; tries < 600; tries++) {
    if (db_integer(connection, sql) == 1)
      return true;
    usleep(100000);
  }
  return false;
}

static void test_killed_session(PGconn *control, const struct rules *rules,
                                const struct ladder *ladder, const char *expected) {
  struct session killed = {
      .connection = connect_to("pass_killed"), .rules = rules, .ladder = ladder};
  struct session survivor = {
      .connection = connect_to("pass_killed"), .rules = rules, .ladder = ladder};
  PGconn *blocker = connect_to("pass_killed");
  /* The killed session's first range with a letter stops on the counter, after it wrote that
   * range's clocks and escalations (not yet committed). */
  db_exec(blocker, "BEGIN");
  db_exec(blocker, "LOCK TABLE dunghen.letter_counter IN EXCLUSIVE MODE");
  int pid = PQbackendPID(killed.connection);
  pthread_t thread;
  pthread_create(&thread, NULL, run_session, &killed);
  bool waiting = wait_for_lock(control, pid);
  tap_ok(waiting, "the session waits in the middle of a range");
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)::int", pid);
  tap_is_integer(db_integer(control, sql), 1, "it is terminated");
  pthread_join(thread, NULL);
  tap_ok(killed.status != STATUS_OK, "its pass fails");
  db_exec(blocker, "COMMIT");
  PQfinish(blocker);
  tap_is_integer(db_integer(survivor.connection, "SELECT count(*) FROM dunghen.pass_claim"
                                                 " WHERE done_at IS NULL"),
                 RANGES - (long long)killed.report.ranges,
                 "its range is left undone (the ranges it committed before stay done)");
  tap_ok(settle(&survivor), "the other session's pass takes the ranges left");
  tap_is_integer((long long)(survivor.report.ranges + killed.report.ranges), RANGES,
                 "together they wrote each range once");
  check_finished(survivor.connection, expected, "after a termination");
  PQfinish(killed.connection);
  PQfinish(survivor.connection);
}

int main(void) {
  PGconn *connection = db_connect();
  struct rules *rules = db_rules();
  struct ladder *ladder = db_ladder();
  if (!tap_ok(rules != NULL && ladder != NULL && db_prepare(connection) &&
                  db_exec(connection, "CREATE DATABASE pass_shared") &&
                  db_exec(connection, "CREATE DATABASE pass_killed"),
              "rules, ladder and databases are ready"))
    return tap_finish();
  PGconn *shared = connect_to("pass_shared"), *killed = connect_to("pass_killed");
  struct session alone = {.connection = connection, .rules = rules, .ladder = ladder};
  bool ready = db_prepare(shared) && db_prepare(killed) &&
               db_insert(connection, "R-0", "2025-03-20T08:00") &&
               db_insert(shared, "R-0", "2025-03-20T08:00") &&
               db_insert(killed, "R-0", "2025-03-20T08:00");
  run_session(&alone); /* R-0 alone: the reference's first pass is over */
  if (!tap_ok(ready && alone.status == STATUS_OK && alone.report.ranges == 1 &&
                  insert_dossiers(connection) && insert_dossiers(shared) && insert_dossiers(killed),
              "three databases with the same %d dossiers", DOSSIERS + 1))
    return tap_finish();
  PQfinish(shared);
  PQfinish(killed);
  run_session(&alone);
  tap_ok(alone.status == STATUS_OK && alone.report.examined == DOSSIERS &&
             alone.report.ranges == 0 && alone.report.escalations > 5000 &&
             alone.report.letters > 1000,
         "the reference, per dossier: %zu escalations, %zu letters", alone.report.escalations,
         alone.report.letters);
  char expected[256];
  digest(connection, expected, sizeof expected);
  test_two_sessions(rules, ladder, expected);
  test_killed_session(connection, rules, ladder, expected);
  PQfinish(connection);
  ladder_free(ladder);
  rules_free(rules);
  return tap_finish();
}
