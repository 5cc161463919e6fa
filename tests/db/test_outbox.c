/*
 * The outbox of migration 3 (docs/MAIL.md), written by statement triggers in the transaction of
 * each escalation and letter, against a real pass over real dossiers:
 *   - with dunghen.mail_switch off, a pass raises escalations and letters and the outbox stays
 *     empty;
 *   - with it on, every notify escalation has one outbox row and every letter one (with the
 *     roles of the escalation that queued it), and nothing else;
 *   - the rows are part of the writing transaction: a rolled-back escalation leaves none;
 *   - one INSERT of 20000 escalations is one statement for the trigger: 20000 outbox rows.
 */
#include <stdio.h>

#include "db_support.h"
#include "tap.h"

static void insert_overdue(PGconn *connection, const char *prefix, int count) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh, ngay_tiep_nhan,"
           " trang_thai) SELECT '%s' || i, '1.004884', 'AG' || (i %% 3), 'truc_tiep',"
           " '2025-03-03T08:00+07', 'dang_xu_ly' FROM generate_series(1, %d) i",
           prefix, count);
  db_exec(connection, sql);
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  if (!db_open(&connection, &rules, &ladder))
    return tap_finish();
  int64_t now = db_instant("2025-03-20T09:00");
  struct pass_report report;

  tap_is_integer(db_integer(connection, "SELECT enabled::int FROM dunghen.mail_switch"), 0,
                 "mail is off after the migration");
  insert_overdue(connection, "OFF-", 40);
  tap_is_integer(db_pass(connection, rules, ladder, now, &report), STATUS_OK, "a pass");
  tap_ok(db_integer(connection, "SELECT count(*) FROM dunghen.escalation_log") > 40 &&
             db_integer(connection, "SELECT count(*) FROM dunghen.letter_log") == 40,
         "raises escalations and queues letters");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox"), 0,
                 "mail off: the outbox stays empty");

  db_exec(connection, "UPDATE dunghen.mail_switch SET enabled = true");
  insert_overdue(connection, "ON-", 120);
  tap_is_integer(db_pass(connection, rules, ladder, now, &report), STATUS_OK, "mail on: a pass");
  int64_t notify = db_integer(connection, "SELECT count(*) FROM dunghen.escalation_log WHERE "
                                          "dossier_code LIKE 'ON-%' AND action = 'notify'");
  tap_ok(notify >= 120, "it raises notify escalations (%lld)", (long long)notify);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox o JOIN "
                                        "dunghen.escalation_log e ON e.id = o.escalation_id WHERE "
                                        "o.kind = 'escalation' AND e.action = 'notify' AND "
                                        "o.dossier_code = e.dossier_code AND o.level = e.level AND "
                                        "o.roles = e.recipients AND o.created_at = e.raised_at"),
                 notify, "one outbox row per notify escalation, with its level and roles");
  tap_is_integer(db_integer(connection,
                            "SELECT count(*) FROM dunghen.outbox o JOIN dunghen.letter_log l"
                            " ON l.id = o.letter_id JOIN dunghen.escalation_log e ON e.id ="
                            " l.escalation_id WHERE o.kind = 'letter' AND o.roles ="
                            " e.recipients AND o.level = e.level"),
                 120, "one per letter, with the roles of the escalation that queued it");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox"), notify + 120,
                 "and nothing else");

  int64_t before = db_integer(connection, "SELECT count(*) FROM dunghen.outbox");
  db_exec(connection, "BEGIN");
  db_exec(connection, "INSERT INTO dunghen.escalation_log (dossier_code, level, episode, raised_at,"
                      " recipients, reason, action) VALUES ('RB-1', 'overdue', 1, now(),"
                      " '{agency_head}', 'test', 'notify')");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox"), before + 1,
                 "inside the transaction the escalation has its outbox row");
  db_exec(connection, "ROLLBACK");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox"), before,
                 "rolled back together: none is left");

  db_exec(connection, "INSERT INTO dunghen.escalation_log (dossier_code, level, episode, raised_at,"
                      " recipients, reason, action) SELECT 'BULK-' || i, 'due_soon', 1, now(),"
                      " '{handling_agency,one_stop_unit}', 'test', 'notify'"
                      " FROM generate_series(1, 20000) i");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox "
                                        "WHERE dossier_code LIKE 'BULK-%'"),
                 20000, "one statement of 20000 escalations: 20000 outbox rows");

  db_exec(connection, "UPDATE dunghen.mail_switch SET enabled = false");
  db_exec(connection, "INSERT INTO dunghen.escalation_log (dossier_code, level, episode, raised_at,"
                      " recipients, reason, action) VALUES ('OFF-AGAIN', 'overdue', 1, now(),"
                      " '{agency_head}', 'test', 'notify')");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.outbox "
                                        "WHERE dossier_code = 'OFF-AGAIN'"),
                 0, "switched off again: no row");
  db_close(connection, rules, ladder);
  return tap_finish();
}
