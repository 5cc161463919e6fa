/*
 * The store's passes at scale: a few thousand generated dossiers (four procedures, the three
 * channels, every source status, pauses, delay reasons, bad rows) processed two ways in two
 * databases of one cluster: one `full` pass in large batches (the bulk path of a first pass),
 * and, in the other, the same rows inserted in three chunks with a small-batch pass after each
 * (the incremental path). Both must leave exactly the same clocks, escalations and letters
 * (letter numbers aside, which follow the batches: checked to be 1..n per agency and year),
 * and again after every clock is rewritten through the upsert instead of the binary COPY.
 * Then /metrics' counters (kept by triggers as deltas) must equal counting the tables, also
 * after the renderer marks letters rendered and after the deltas are folded. A dossier that
 * another instance holds is skipped, kept below the watermark, and taken once released.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_support.h"
#include "store/schema.h"
#include "store/sql.h"
#include "tap.h"

enum { DOSSIERS = 3000 };

/* Row i of the generated set; rows [from, to) are inserted. */
static bool insert_dossiers(PGconn *connection, int from, int to) {
  char sql[2048];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
           " ngay_tiep_nhan, trang_thai, ngay_hoan_thanh, ly_do_tre_han)"
           " SELECT 'G' || lpad(i::text, 6, '0'),"
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
           " FROM generate_series(%d, %d) i",
           from, to - 1);
  if (!db_exec(connection, sql))
    return false;
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.tam_dung (ma_ho_so, loai, tu_ngay, den_ngay)"
           " SELECT h.ma_ho_so, CASE WHEN i %% 2 = 0 THEN 'bo_sung' ELSE 'khac' END,"
           " h.ngay_tiep_nhan + interval '1 day',"
           " CASE WHEN i %% 3 <> 0 THEN h.ngay_tiep_nhan + interval '3 days' END"
           " FROM generate_series(%d, %d) i JOIN onestop.ho_so h"
           " ON h.ma_ho_so = 'G' || lpad(i::text, 6, '0') WHERE i %% 8 IN (3, 7)",
           from, to - 1);
  return db_exec(connection, sql);
}

static const char *const agencies[] = {"AG0", "AG1"}; /* AG2 is flagged as unknown */

static bool run_pass(PGconn *connection, const struct rules *rules, const struct ladder *ladder,
                     size_t batch_size, bool full, struct pass_report *report) {
  struct pass_context context = {
      .connection = connection,
      .rules = rules,
      .ladder = ladder,
      .now = db_instant("2025-03-27T10:00"),
      .batch_size = batch_size,
      .overlap_seconds = -1,
      .full = full,
      .agency_codes = agencies,
      .agency_count = 2,
  };
  struct error error;
  if (pass_run(&context, report, &error) != STATUS_OK) {
    tap_diagnostic("pass: %s", error.message);
    return false;
  }
  return true;
}

/* A digest of what the passes produced, independent of batching. */
static void digest(PGconn *connection, const char *what, char *buffer, size_t size) {
  static const char *const queries[] = {
      "SELECT count(*) || ':' || md5(string_agg(concat_ws('|', code, procedure_code,"
      " agency_code, received_at, deadline, remaining_seconds, episode, rescheduled_at,"
      " new_deadline, state, next_instant, flagged_reason), ',' ORDER BY code))"
      " FROM dunghen.clock",
      "SELECT count(*) || ':' || md5(string_agg(concat_ws('|', dossier_code, level, episode,"
      " raised_at, recipients, reason, agency_code, deadline, action), ','"
      " ORDER BY dossier_code, level, episode)) FROM dunghen.escalation_log",
      "SELECT count(*) || ':' || md5(string_agg(concat_ws('|', dossier_code, agency_code, year,"
      " new_appointment_at, state), ',' ORDER BY dossier_code)) FROM dunghen.letter_log",
  };
  int index = strcmp(what, "clocks") == 0 ? 0 : strcmp(what, "escalations") == 0 ? 1 : 2;
  db_text(connection, queries[index], buffer, size);
}

static void test_same_results(PGconn *bulk, PGconn *rows, const struct rules *rules,
                              const struct ladder *ladder) {
  struct pass_report report;
  tap_ok(insert_dossiers(bulk, 1, DOSSIERS + 1), "%d dossiers generated", DOSSIERS);
  tap_ok(run_pass(bulk, rules, ladder, 2000, true, &report), "one full pass");
  tap_is_integer((long long)report.examined, DOSSIERS, "it examines every dossier");
  tap_ok(report.escalations > 1000 && report.letters > 100 && report.flagged > 100,
         "it raises escalations (%zu), letters (%zu) and flags bad rows (%zu)", report.escalations,
         report.letters, report.flagged);
  size_t escalations = 0;
  bool passed = true;
  for (int chunk = 0; chunk < 3 && passed; chunk++) {
    passed = insert_dossiers(rows, 1 + chunk * DOSSIERS / 3, 1 + (chunk + 1) * DOSSIERS / 3) &&
             run_pass(rows, rules, ladder, 37, false, &report);
    escalations += report.escalations;
  }
  tap_ok(passed, "three chunks, each followed by a pass in batches of 37");
  tap_ok(run_pass(rows, rules, ladder, 37, false, &report) && report.examined == 0,
         "a further pass finds nothing to do");
  const char *const tables[] = {"clocks", "escalations", "letters"};
  for (int i = 0; i < 3; i++) {
    char left[128], right[128];
    digest(bulk, tables[i], left, sizeof left);
    digest(rows, tables[i], right, sizeof right);
    tap_is_string(right, left, "the %s are the same both ways", tables[i]);
  }
  /* New clocks go in by binary COPY, known ones through the upsert's arrays: recomputing
   * every clock of one database rewrites them all the second way. */
  struct pass_context context = {
      .connection = rows,
      .rules = rules,
      .ladder = ladder,
      .now = db_instant("2025-03-27T10:00"),
      .overlap_seconds = -1,
      .agency_codes = agencies,
      .agency_count = 2,
  };
  struct error error;
  tap_ok(pass_recompute_all(&context, &report, &error) == STATUS_OK &&
             report.examined == DOSSIERS && report.escalations == 0,
         "recomputing every clock raises nothing new");
  for (int i = 0; i < 2; i++) {
    char left[128], right[128];
    digest(bulk, tables[i], left, sizeof left);
    digest(rows, tables[i], right, sizeof right);
    tap_is_string(right, left, "the %s are the same after the rewrite", tables[i]);
  }
  const char *numbering = "SELECT count(*) FROM (SELECT agency_code, year, count(*) AS n,"
                          " min(number) AS low, max(number) AS high FROM dunghen.letter_log"
                          " GROUP BY 1, 2) g WHERE low <> 1 OR high <> n";
  tap_is_integer(db_integer(bulk, numbering), 0, "bulk letter numbers are 1..n");
  tap_is_integer(db_integer(rows, numbering), 0, "incremental letter numbers are 1..n");
}

/* The per-agency counts (migration 5) against counting the tables: every agency with a
 * non-zero count is listed, with all three right. */
static bool agencies_match(PGconn *connection, const struct pass_metrics *metrics,
                           const char *label) {
  static const char *const open_states =
      "('on_track', 'due_soon', 'overdue', 'rescheduled', 'overdue_again', 'paused')";
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT agency_code FROM dunghen.clock WHERE state IN %s"
           " UNION SELECT agency_code FROM dunghen.letter_log WHERE state = 'pending') a"
           " WHERE agency_code IS NOT NULL",
           open_states);
  bool same = tap_is_integer((long long)metrics->agency_count, db_integer(connection, sql),
                             "%s: every agency with a count is listed", label);
  int64_t overdue = 0, pending = 0;
  for (size_t i = 0; i < metrics->agency_count; i++) {
    const struct pass_agency_count *agency = &metrics->agencies[i];
    int64_t counted[3];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM dunghen.clock WHERE agency_code = '%s' AND state IN %s",
             agency->code, open_states);
    counted[0] = db_integer(connection, sql);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM dunghen.clock WHERE agency_code = '%s'"
             " AND state IN ('overdue', 'overdue_again')",
             agency->code);
    counted[1] = db_integer(connection, sql);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM dunghen.letter_log WHERE agency_code = '%s'"
             " AND state = 'pending'",
             agency->code);
    counted[2] = db_integer(connection, sql);
    if (counted[0] != agency->open || counted[1] != agency->overdue ||
        counted[2] != agency->letters_pending) {
      tap_diagnostic("agency %s: metrics %lld/%lld/%lld, tables %lld/%lld/%lld", agency->code,
                     (long long)agency->open, (long long)agency->overdue,
                     (long long)agency->letters_pending, (long long)counted[0],
                     (long long)counted[1], (long long)counted[2]);
      same = false;
    }
    overdue += agency->overdue;
    pending += agency->letters_pending;
  }
  tap_ok(same,
         "%s: open, overdue and pending letters per agency match the tables (%lld overdue,"
         " %lld pending)",
         label, (long long)overdue, (long long)pending);
  return same;
}

/* The metrics' counts against counting the tables. */
static bool metrics_match(PGconn *connection, const char *label) {
  struct pass_metrics metrics;
  struct error error;
  if (!tap_ok(pass_metrics_read(connection, &metrics, &error) == STATUS_OK, "%s: metrics read",
              label))
    return false;
  bool same = true;
  for (size_t i = 0; i < metrics.state_count; i++) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM dunghen.clock WHERE state = '%s'",
             metrics.states[i].name);
    int64_t counted = db_integer(connection, sql);
    if (counted != metrics.states[i].value) {
      tap_diagnostic("state %s: metrics %lld, table %lld", metrics.states[i].name,
                     (long long)metrics.states[i].value, (long long)counted);
      same = false;
    }
  }
  tap_ok(same, "%s: dossiers by state match the clock table", label);
  int64_t levels = 0;
  for (size_t i = 0; i < metrics.level_count; i++)
    levels += metrics.levels[i].value;
  tap_is_integer(levels, db_integer(connection, "SELECT count(*) FROM dunghen.escalation_log"),
                 "%s: escalations raised match", label);
  tap_is_integer(metrics.letters_pending,
                 db_integer(connection, "SELECT count(*) FROM dunghen.letter_log"
                                        " WHERE state = 'pending'"),
                 "%s: pending letters match", label);
  tap_is_integer(metrics.letters_rendered,
                 db_integer(connection, "SELECT count(*) FROM dunghen.letter_log"
                                        " WHERE state = 'rendered'"),
                 "%s: rendered letters match", label);
  tap_is_integer(metrics.flagged,
                 db_integer(connection, "SELECT count(*) FROM dunghen.clock"
                                        " WHERE state = 'flagged'"),
                 "%s: flagged dossiers match", label);
  return agencies_match(connection, &metrics, label) && same;
}

static void test_metrics(PGconn *connection, const struct rules *rules,
                         const struct ladder *ladder) {
  metrics_match(connection, "after the passes");
  /* A rendered letter has its bytes (migration 9): stored in the same statement. */
  tap_ok(db_exec(connection,
                 "WITH stored AS (INSERT INTO dunghen.letter_pdf (letter_id, version, sha256, pdf,"
                 " stored_at) SELECT id, version, encode(sha256('x'::bytea), 'hex'), 'x'::bytea,"
                 " now() FROM dunghen.letter_log WHERE id % 3 = 0 RETURNING letter_id)"
                 " UPDATE dunghen.letter_log SET state = 'rendered', path = 'x.pdf',"
                 " sha256 = encode(sha256('x'::bytea), 'hex'), bytes = 1"
                 " WHERE id IN (SELECT letter_id FROM stored)"),
         "a third of the letters marked rendered");
  db_exec(connection, "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua',"
                      " ngay_hoan_thanh = '2025-03-27T09:00+07' WHERE ma_ho_so LIKE '%5'");
  db_exec(connection, "DELETE FROM onestop.ho_so WHERE ma_ho_so LIKE '%77'");
  struct pass_report report;
  run_pass(connection, rules, ladder, 100, false, &report);
  tap_ok(report.examined >= 300, "finishing 300 dossiers examines them (%zu examined)",
         report.examined);
  metrics_match(connection, "after renders, finishes and deletions");
  tap_ok(db_integer(connection, "SELECT count(*) FROM dunghen.metric_delta") <= 64 + 40,
         "the deltas were folded by the pass (%lld rows)",
         (long long)db_integer(connection, "SELECT count(*) FROM dunghen.metric_delta"));
  db_exec(connection, "SELECT dunghen.metric_compact(0)");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM (SELECT kind, name FROM"
                                        " dunghen.metric_delta GROUP BY 1, 2"
                                        " HAVING count(*) > 1) d"),
                 0, "folding leaves one row per counter");
  metrics_match(connection, "after folding");
  /* The passes leave no dossier overdue here (each got its apology): make some, then undo. */
  db_exec(connection, "CREATE TEMPORARY TABLE marked AS SELECT code FROM dunghen.clock"
                      " WHERE state = 'rescheduled' AND code LIKE '%3'");
  db_exec(connection, "UPDATE dunghen.clock c SET state = 'overdue_again' FROM marked m"
                      " WHERE c.code = m.code");
  metrics_match(connection, "with clocks overdue again");
  db_exec(connection, "UPDATE dunghen.clock c SET state = 'rescheduled' FROM marked m"
                      " WHERE c.code = m.code");
  db_exec(connection, "DROP TABLE marked");
  /* letter_version refers to the letters: CASCADE, or the TRUNCATE fails. */
  db_exec(connection, "TRUNCATE dunghen.letter_log CASCADE");
  metrics_match(connection, "after TRUNCATE of the letters");
}

/* Another instance holding a dossier: the pass leaves it, and a later pass takes it. */
static void test_claims(PGconn *connection, const struct rules *rules,
                        const struct ladder *ladder) {
  struct pass_report report;
  db_exec(connection, "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh,"
                      " ngay_tiep_nhan, trang_thai) SELECT 'LOCK-' || i, '1.004884', 'AG1',"
                      " 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly'"
                      " FROM generate_series(1, 3) i");
  PGconn *other = db_connect();
  db_exec(other, "BEGIN");
  db_exec(other, "SELECT pg_advisory_xact_lock(1684368999, hashtext('LOCK-2'))");
  tap_ok(run_pass(connection, rules, ladder, 2, false, &report), "a pass while LOCK-2 is held");
  tap_is_integer((long long)report.skipped, 1, "it skips the held dossier");
  tap_is_integer((long long)report.examined, 2, "and examines the two others");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.clock"
                                        " WHERE code LIKE 'LOCK-%'"),
                 2, "the held dossier has no clock yet");
  tap_ok(run_pass(connection, rules, ladder, 2, false, &report) && report.skipped == 1 &&
             report.examined == 0,
         "while it is held, the next pass skips it again (the watermark stayed below it)");
  db_exec(other, "COMMIT");
  PQfinish(other);
  tap_ok(run_pass(connection, rules, ladder, 2, false, &report), "a pass after the release");
  tap_is_integer((long long)report.examined, 1, "it examines the released dossier");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.clock"
                                        " WHERE code LIKE 'LOCK-%'"),
                 3, "now all three have a clock");
}

static PGconn *connect_other(void) {
  char conninfo[512];
  snprintf(conninfo, sizeof conninfo, "%s dbname=bulk_rows", getenv("DUNGHEN_TEST_DB"));
  PGconn *connection = PQconnectdb(conninfo);
  if (PQstatus(connection) != CONNECTION_OK)
    tap_diagnostic("connect: %s", PQerrorMessage(connection));
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  return connection;
}

int main(void) {
  PGconn *bulk = db_connect();
  struct rules *rules = db_rules();
  struct ladder *ladder = db_ladder();
  if (!tap_ok(rules != NULL && ladder != NULL && db_prepare(bulk) &&
                  db_exec(bulk, "CREATE DATABASE bulk_rows"),
              "rules, ladder and databases are ready"))
    return tap_finish();
  PGconn *rows = connect_other();
  if (!tap_ok(db_prepare(rows), "the second database is migrated"))
    return tap_finish();
  test_same_results(bulk, rows, rules, ladder);
  test_metrics(rows, rules, ladder);
  test_claims(bulk, rules, ladder);
  PQfinish(rows);
  PQfinish(bulk);
  ladder_free(ladder);
  rules_free(rules);
  return tap_finish();
}
