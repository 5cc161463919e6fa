/*
 * A source view that repeats a code (an easy mistake with a join) or returns a blank one: the
 * dossier is flagged with the reason, never escalated, and no letter is drafted or rendered
 * from an ambiguous row, also when the repetition appears after the letter was queued. Fixing
 * the view clears the flag and the letter is rendered once. Against a real PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "db_support.h"
#include "tap.h"

static void insert(PGconn *connection, const char *code) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
           " ngay_tiep_nhan, trang_thai) VALUES ('%s', '1.004884', 'DLK-TTPVHCC',"
           " 'Nguyễn Văn A', 'truc_tiep', '2025-03-03T08:00+07', 'dang_xu_ly')",
           code);
  db_exec(connection, sql);
}

/* The adapter view joined to a table of handling officers: two officers, two rows. */
static void join_officers(PGconn *connection) {
  db_exec(connection, "CREATE TABLE onestop.xu_ly (ma_ho_so text, can_bo text);"
                      "DO $$ BEGIN EXECUTE 'CREATE OR REPLACE VIEW dunghen.dossier_source AS ' ||"
                      " replace(rtrim(pg_get_viewdef('dunghen.dossier_source'::regclass), ';'),"
                      " 'FROM onestop.ho_so h', 'FROM onestop.ho_so h LEFT JOIN onestop.xu_ly x"
                      " ON x.ma_ho_so = h.ma_ho_so'); END $$");
}

static long long count(PGconn *connection, const char *table, const char *code) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM dunghen.%s WHERE %s = '%s'", table,
           strcmp(table, "clock") == 0 ? "code" : "dossier_code", code);
  return db_integer(connection, sql);
}

static void flag_of(PGconn *connection, const char *code, char *flag, size_t size) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT flagged_reason FROM dunghen.clock WHERE code = '%s'", code);
  db_text(connection, sql, flag, size);
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  struct db_letter_kit kit;
  if (!db_open(&connection, &rules, &ladder) || !db_letter_kit_open(&kit))
    return tap_finish();
  join_officers(connection);
  insert(connection, "OK-1");
  insert(connection, "DUP-1");
  insert(connection, "LATE-DUP");
  insert(connection, "");
  insert(connection, "   ");
  db_exec(connection, "INSERT INTO onestop.xu_ly VALUES ('DUP-1', 'Lê A'), ('DUP-1', 'Trần B')");

  /* At the deadline (5wd after 03-03 08:00): everything unambiguous is escalated. */
  struct pass_report report = db_kit_pass(connection, rules, ladder, &kit, "2025-03-10T09:00");
  char flag[256];
  flag_of(connection, "DUP-1", flag, sizeof flag);
  tap_is_string(flag, "code returned 2 times by dunghen.dossier_source",
                "a repeated code is flagged with the reason");
  flag_of(connection, "", flag, sizeof flag);
  tap_is_string(flag, "blank code (mã hồ sơ) in dunghen.dossier_source",
                "an empty code is flagged");
  flag_of(connection, "   ", flag, sizeof flag);
  tap_is_string(flag, "blank code (mã hồ sơ) in dunghen.dossier_source",
                "a code of spaces is flagged");
  tap_ok(report.flagged == 3, "the report counts the three flags (%zu)", report.flagged);
  tap_is_integer(count(connection, "escalation_log", "DUP-1") +
                     count(connection, "escalation_log", "") +
                     count(connection, "escalation_log", "   "),
                 0, "none of them is escalated");
  tap_is_integer(count(connection, "letter_log", "DUP-1") + count(connection, "letter_log", "") +
                     count(connection, "letter_log", "   "),
                 0, "and none gets a letter number");
  tap_is_integer(count(connection, "letter_log", "OK-1") +
                     count(connection, "letter_log", "LATE-DUP"),
                 2, "the unambiguous dossiers get their letters");

  /* The view starts repeating LATE-DUP after its letter was queued, before it is rendered. */
  db_exec(connection, "INSERT INTO onestop.xu_ly VALUES ('LATE-DUP', 'Lê A'),"
                      " ('LATE-DUP', 'Trần B')");
  struct letter_jobs_report rendered = db_render(connection, &kit, rules);
  tap_is_integer((long long)rendered.rendered, 1, "only the unambiguous letter is rendered");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_log WHERE"
                                        " dossier_code = 'LATE-DUP' AND state = 'pending'"),
                 1, "the ambiguous one waits, pending");
  db_exec(connection, "UPDATE onestop.ho_so SET chu_ho_so = chu_ho_so WHERE ma_ho_so ="
                      " 'LATE-DUP'");
  db_kit_pass(connection, rules, ladder, &kit, "2025-03-10T10:00");
  flag_of(connection, "LATE-DUP", flag, sizeof flag);
  tap_is_string(flag, "code returned 2 times by dunghen.dossier_source", "the next pass flags it");
  long long escalations = count(connection, "escalation_log", "LATE-DUP");
  db_kit_pass(connection, rules, ladder, &kit, "2025-03-13T10:00");
  tap_is_integer(count(connection, "escalation_log", "LATE-DUP"), escalations,
                 "a flagged dossier raises nothing more, even when long overdue is due");

  /* The adapter is fixed: the flags clear and the waiting letter is rendered, once. */
  db_exec(connection, "DELETE FROM onestop.xu_ly; UPDATE onestop.ho_so SET chu_ho_so ="
                      " chu_ho_so WHERE ma_ho_so IN ('LATE-DUP', 'DUP-1')");
  db_kit_pass(connection, rules, ladder, &kit, "2025-03-13T11:00");
  flag_of(connection, "LATE-DUP", flag, sizeof flag);
  tap_is_string(flag, "", "fixing the view clears the flag");
  rendered = db_render(connection, &kit, rules);
  tap_is_integer((long long)rendered.rendered, 2,
                 "the waiting letter and the one DUP-1 gets now are rendered");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_log WHERE"
                                        " state = 'rendered'"),
                 3, "three letters, each once");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM (SELECT dossier_code FROM"
                                        " dunghen.escalation_log GROUP BY dossier_code, level,"
                                        " episode HAVING count(*) > 1) d"),
                 0, "no escalation twice");
  db_letter_kit_close(&kit);
  db_close(connection, rules, ladder);
  return tap_finish();
}
