/*
 * The store's passes against a real PostgreSQL with the reference schema and the shipped rules:
 * a new dossier gets its clock; moving "now" across the thresholds raises each level of the
 * default ladder exactly once; finishing cancels the rest; a delay reason raises the apology at
 * once and a reschedule starts episode 2; bad rows are flagged with their reason while the
 * others proceed; a pass after 100 changes examines only those 100.
 * Procedure 1.004884 is 5 working days, counted in hours, extension 5wd. March 2025 has no
 * holidays: received Mon 03-03 08:00 -> due soon Fri 03-07 08:00, deadline Mon 03-10 08:00,
 * long overdue Thu 03-13 08:00; an apology at the deadline proposes Mon 03-17 08:00.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "db_support.h"
#include "tap.h"

static int64_t count_levels(PGconn *connection, const char *code, const char *level, int episode) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM dunghen.escalation_log WHERE dossier_code = '%s' AND level = '%s'"
           " AND episode = %d",
           code, level, episode);
  return db_integer(connection, sql);
}

static void clock_text(PGconn *connection, const char *code, const char *column, char *buffer,
                       size_t size) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT coalesce(%s::text, 'NULL') FROM dunghen.clock WHERE code = '%s'", column, code);
  db_text(connection, sql, buffer, size);
}

static int64_t clock_epoch(PGconn *connection, const char *code, const char *column) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT dunghen.epoch(%s) FROM dunghen.clock WHERE code = '%s'", column,
           code);
  return db_integer(connection, sql);
}

static int64_t clock_integer(PGconn *connection, const char *code, const char *column) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT %s FROM dunghen.clock WHERE code = '%s'", column, code);
  return db_integer(connection, sql);
}

static void test_ladder(PGconn *connection, const struct rules *rules,
                        const struct ladder *ladder) {
  struct pass_report report;
  char state[64];
  tap_ok(db_insert(connection, "HS-LADDER", "2025-03-03T08:00"), "a dossier is inserted");
  db_pass(connection, rules, ladder, db_instant("2025-03-03T09:00"), &report);
  tap_is_integer((long long)report.examined, 1, "the first pass examines the new dossier");
  tap_is_integer(clock_epoch(connection, "HS-LADDER", "deadline"), db_instant("2025-03-10T08:00"),
                 "its deadline is 5 working days later");
  clock_text(connection, "HS-LADDER", "state", state, sizeof state);
  tap_is_string(state, "on_track", "it is on track");
  tap_is_integer(clock_epoch(connection, "HS-LADDER", "next_instant"),
                 db_instant("2025-03-07T08:00"), "its next instant is the due-soon time");
  tap_is_integer(report.next_due, db_instant("2025-03-07T08:00"),
                 "the report's next due instant is that time");

  db_pass(connection, rules, ladder, db_instant("2025-03-07T07:59:59"), &report);
  tap_is_integer((long long)report.escalations, 0, "nothing fires a second before due soon");
  db_pass(connection, rules, ladder, db_instant("2025-03-07T08:00"), &report);
  tap_is_integer((long long)report.examined, 1, "the due timer brings the dossier back");
  tap_is_integer((long long)report.escalations, 1, "due soon fires at its instant");
  clock_text(connection, "HS-LADDER", "state", state, sizeof state);
  tap_is_string(state, "due_soon", "the state is due soon");
  db_pass(connection, rules, ladder, db_instant("2025-03-07T12:00"), &report);
  tap_is_integer((long long)report.escalations, 0, "a later pass raises nothing again");

  db_pass(connection, rules, ladder, db_instant("2025-03-10T08:00"), &report);
  tap_is_integer((long long)report.escalations, 2, "at the deadline: apology and overdue");
  tap_is_integer((long long)report.letters, 1, "the apology queues one letter");
  clock_text(connection, "HS-LADDER", "state", state, sizeof state);
  tap_is_string(state, "rescheduled", "the apology reschedules the dossier");
  tap_is_integer(clock_integer(connection, "HS-LADDER", "episode"), 2, "episode 2 starts");
  tap_is_integer(clock_epoch(connection, "HS-LADDER", "new_deadline"),
                 db_instant("2025-03-17T08:00"), "the new date is now + 5 working days");
  tap_is_integer(db_integer(connection, "SELECT dunghen.epoch(new_appointment_at) FROM"
                                        " dunghen.letter_log WHERE dossier_code = 'HS-LADDER'"
                                        " AND state = 'pending' AND number = 1"),
                 db_instant("2025-03-17T08:00"), "the letter job waits with that date");

  db_pass(connection, rules, ladder, db_instant("2025-03-13T08:00"), &report);
  tap_is_integer(count_levels(connection, "HS-LADDER", "long_overdue", 1), 1,
                 "long overdue fires 3 working days after the deadline");
  db_pass(connection, rules, ladder, db_instant("2025-03-17T08:00"), &report);
  tap_is_integer(count_levels(connection, "HS-LADDER", "overdue_again", 2), 1,
                 "overdue again fires at the rescheduled date, in episode 2");
  clock_text(connection, "HS-LADDER", "state", state, sizeof state);
  tap_is_string(state, "overdue_again", "the state is overdue again");
  db_pass(connection, rules, ladder, db_instant("2025-04-30T08:00"), &report);
  tap_is_integer((long long)report.escalations + (long long)report.letters, 0,
                 "weeks later nothing more fires");
  const char *levels[] = {"due_soon", "apology", "overdue", "long_overdue"};
  for (int i = 0; i < 4; i++)
    tap_is_integer(count_levels(connection, "HS-LADDER", levels[i], 1), 1,
                   "%s was raised exactly once", levels[i]);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_log WHERE"
                                        " dossier_code = 'HS-LADDER'"),
                 1, "no second letter");
  char reason[256];
  db_text(connection,
          "SELECT reason FROM dunghen.escalation_log WHERE dossier_code ="
          " 'HS-LADDER' AND level = 'apology'",
          reason, sizeof reason);
  tap_is_string(reason,
                "apology letter: deadline 2025-03-10T08:00:00+07:00; new date "
                "2025-03-17T08:00:00+07:00; no delay reason recorded: write it in the letter "
                "before signing",
                "the apology's reason names the deadline, the new date and the missing reason");
  db_text(connection,
          "SELECT array_to_string(recipients, ',') FROM dunghen.escalation_log"
          " WHERE dossier_code = 'HS-LADDER' AND level = 'due_soon'",
          reason, sizeof reason);
  tap_is_string(reason, "handling_agency,one_stop_unit", "recipients are the ladder's roles");
}

static void test_finish_and_delay(PGconn *connection, const struct rules *rules,
                                  const struct ladder *ladder) {
  struct pass_report report;
  char state[64];
  db_insert(connection, "HS-FINISH", "2025-03-03T08:00");
  db_insert(connection, "HS-DELAY", "2025-03-03T08:00");
  db_pass(connection, rules, ladder, db_instant("2025-03-07T09:00"), &report);
  tap_is_integer(count_levels(connection, "HS-FINISH", "due_soon", 1), 1, "due soon fired");
  db_exec(connection, "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua',"
                      " ngay_hoan_thanh = '2025-03-07T10:00+07' WHERE ma_ho_so = 'HS-FINISH'");
  db_exec(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = 'Chờ xác minh'"
                      " WHERE ma_ho_so = 'HS-DELAY'");
  db_pass(connection, rules, ladder, db_instant("2025-03-07T11:00"), &report);
  tap_is_integer((long long)report.examined, 2, "both changed dossiers are examined");
  clock_text(connection, "HS-FINISH", "state", state, sizeof state);
  tap_is_string(state, "finished_early", "finished before the deadline's day: early");
  clock_text(connection, "HS-FINISH", "next_instant", state, sizeof state);
  tap_is_string(state, "NULL", "a finished dossier has no next instant");
  tap_is_integer(count_levels(connection, "HS-DELAY", "apology", 1), 1,
                 "a recorded delay reason raises the apology at once");
  tap_is_integer(clock_integer(connection, "HS-DELAY", "episode"), 2,
                 "and the reschedule starts episode 2");
  tap_is_integer(clock_epoch(connection, "HS-DELAY", "new_deadline"),
                 db_instant("2025-03-17T08:00"),
                 "new date: 5 working days after the deadline, not after the early reason");
  char reason[256];
  db_text(connection,
          "SELECT reason FROM dunghen.escalation_log WHERE dossier_code ="
          " 'HS-DELAY' AND level = 'apology'",
          reason, sizeof reason);
  tap_contains(reason, "delay reason recorded", "the reason says why it fired early");
  db_pass(connection, rules, ladder, db_instant("2025-05-01T09:00"), &report);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.escalation_log"
                                        " WHERE dossier_code = 'HS-FINISH'"),
                 1, "finishing cancelled every level that had not fired");
  tap_is_integer(count_levels(connection, "HS-DELAY", "overdue_again", 2), 1,
                 "the rescheduled dossier is overdue again later");
}

struct bad_row {
  const char *code;
  const char *columns; /* replaces the good values */
  const char *reason;
};

static void test_bad_rows(PGconn *connection, const struct rules *rules,
                          const struct ladder *ladder) {
  static const struct bad_row rows[] = {
      {"BAD-PROC", "'9.999999', 'AG1', 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly', NULL",
       "unknown procedure '9.999999'"},
      {"BAD-NOPROC", "NULL, 'AG1', 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly', NULL",
       "missing procedure code"},
      {"BAD-AGENCY", "'1.004884', 'AG9', 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly', NULL",
       "unknown agency 'AG9'"},
      {"BAD-NOAGENCY", "'1.004884', NULL, 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly', NULL",
       "missing agency code"},
      {"BAD-NORECEIVED", "'1.004884', 'AG1', 'truc_tiep', NULL, 'dang_xu_ly', NULL",
       "missing received_at"},
      {"BAD-FUTURE", "'1.004884', 'AG1', 'truc_tiep', '2025-04-01T08:00+07', 'dang_xu_ly', NULL",
       "received_at is in the future"},
      {"BAD-OLD", "'1.004884', 'AG1', 'truc_tiep', '1989-12-31T08:00+07', 'dang_xu_ly', NULL",
       "received_at is before 1990"},
      {"BAD-INFINITE", "'1.004884', 'AG1', 'truc_tiep', 'infinity', 'dang_xu_ly', NULL",
       "missing received_at"},
      {"BAD-FINISHED",
       "'1.004884', 'AG1', 'truc_tiep', '2025-03-03T08:00+07', 'da_tra_ket_qua',"
       " '2025-03-01T08:00+07'",
       "finished_at is before received_at"},
      {"BAD-NOFINISH",
       "'1.004884', 'AG1', 'truc_tiep', '2025-03-03T08:00+07', 'da_tra_ket_qua',"
       " NULL",
       "status finished without finished_at"},
      {"BAD-STATUS", "'1.004884', 'AG1', 'truc_tiep', '2025-03-03T08:00+07', 'lost', NULL",
       "unknown status 'lost'"},
      {"BAD-CHANNEL", "'1.004884', 'AG1', 'fax', '2025-03-03T08:00+07', 'dang_xu_ly', NULL",
       "unknown channel 'fax'"},
  };
  enum { ROW_COUNT = sizeof rows / sizeof rows[0] };
  for (int i = 0; i < ROW_COUNT; i++) {
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh, ngay_tiep_nhan,"
             " trang_thai, ngay_hoan_thanh) VALUES ('%s', %s)",
             rows[i].code, rows[i].columns);
    db_exec(connection, sql);
  }
  db_insert(connection, "GOOD-NEXT", "2025-03-03T08:00");
  db_exec(connection, "INSERT INTO onestop.tam_dung (ma_ho_so, tu_ngay, den_ngay) VALUES"
                      " ('GOOD-NEXT', '2025-03-04T08:00+07', '2025-03-03T08:00+07')");
  const char *agencies[] = {"AG1", "AG2"};
  struct pass_context context = {
      .connection = connection,
      .rules = rules,
      .ladder = ladder,
      .now = db_instant("2025-03-05T09:00"),
      .overlap_seconds = -1,
      .agency_codes = agencies,
      .agency_count = 2,
  };
  struct pass_report report;
  struct error error;
  tap_is_integer(pass_run(&context, &report, &error), STATUS_OK, "a pass over bad rows succeeds");
  tap_is_integer((long long)report.flagged, ROW_COUNT + 1, "every bad row is flagged");
  tap_is_integer((long long)report.flag_count, ROW_COUNT + 1, "and listed in the report");
  for (int i = 0; i < ROW_COUNT; i++) {
    char reason[256];
    clock_text(connection, rows[i].code, "flagged_reason", reason, sizeof reason);
    tap_is_string(reason, rows[i].reason, "%s is flagged: %s", rows[i].code, rows[i].reason);
  }
  char reason[256];
  clock_text(connection, "GOOD-NEXT", "flagged_reason", reason, sizeof reason);
  tap_is_string(reason, "a pause is resumed before it began", "a backwards pause is flagged");
  bool listed = false;
  for (size_t i = 0; i < report.flag_count; i++)
    listed = listed || (strcmp(report.flags[i].code, "BAD-STATUS") == 0 &&
                        strcmp(report.flags[i].reason, "unknown status 'lost'") == 0);
  tap_ok(listed, "the report carries the code and the reason");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.clock WHERE code LIKE"
                                        " 'HS-%' AND state <> 'flagged'"),
                 3, "the other dossiers proceed");
  db_exec(connection, "UPDATE onestop.ho_so SET kenh = 'truc_tuyen' WHERE ma_ho_so ="
                      " 'BAD-CHANNEL'");
  tap_is_integer(pass_run(&context, &report, &error), STATUS_OK, "a pass after the fix");
  tap_is_integer((long long)report.unflagged, 1, "the corrected row is unflagged");
  context.now = db_instant("2025-04-01T09:00");
  tap_is_integer(pass_run(&context, &report, &error), STATUS_OK, "a pass when the future came");
  clock_text(connection, "BAD-FUTURE", "state", reason, sizeof reason);
  tap_ok(strcmp(reason, "flagged") != 0, "a receipt no longer in the future is unflagged (%s)",
         reason);
}

static void test_changed_only(PGconn *connection, const struct rules *rules,
                              const struct ladder *ladder) {
  struct pass_report report;
  db_pass(connection, rules, ladder, db_instant("2025-04-01T10:00"), &report);
  db_exec(connection,
          "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh, ngay_tiep_nhan,"
          " trang_thai) SELECT 'MANY-' || i, '1.004884', 'AG1', 'truc_tuyen',"
          " '2025-04-01T08:00+07', 'dang_xu_ly' FROM generate_series(1, 1000) i");
  db_pass(connection, rules, ladder, db_instant("2025-04-01T10:00"), &report);
  tap_is_integer((long long)report.examined, 1000, "1000 new dossiers are examined");
  db_exec(connection, "UPDATE onestop.ho_so SET trich_yeu = 'sửa' WHERE ma_ho_so IN"
                      " (SELECT 'MANY-' || i FROM generate_series(1, 1000, 10) i)");
  db_pass(connection, rules, ladder, db_instant("2025-04-01T10:00"), &report);
  tap_is_integer((long long)report.examined, 100, "after 100 changes, 100 are examined");
  db_pass(connection, rules, ladder, db_instant("2025-04-01T10:00"), &report);
  tap_is_integer((long long)report.examined, 0, "and then none");
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  if (!db_open(&connection, &rules, &ladder))
    return tap_finish();
  test_ladder(connection, rules, ladder);
  test_finish_and_delay(connection, rules, ladder);
  test_bad_rows(connection, rules, ladder);
  test_changed_only(connection, rules, ladder);
  db_close(connection, rules, ladder);
  return tap_finish();
}
