/*
 * Retention (store/retention.h): escalations and clocks of dossiers closed longer than their
 * retention go, in small transactions; open dossiers, recently closed ones and every letter
 * stay; finished e-mail deliveries and their emptied outbox rows go, pending ones stay. Nothing
 * deleted comes back or fires again on later passes, a recompute, or a change of the source row.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db_support.h"
#include "store/retention.h"
#include "tap.h"

static const char *const old_codes = "('OLD-1', 'OLD-2', 'OLD-3', 'OLD-4', 'OLD-5')";

static long long count_of(PGconn *connection, const char *sql) {
  return db_integer(connection, sql);
}

/* Overdue dossiers get their escalations and letter, then some are finished. */
static void prepare(PGconn *connection, const struct rules *rules, const struct ladder *ladder) {
  const char *codes[] = {"OLD-1", "OLD-2", "OLD-3", "OLD-4", "OLD-5", "NEW-1", "OPEN-1"};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    db_insert(connection, codes[i], "2025-03-03T08:00");
  struct pass_report report;
  db_pass(connection, rules, ladder, db_instant("2025-03-20T09:00"), &report);
  db_exec(connection, "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua',"
                      " ngay_hoan_thanh = '2025-03-21T10:00+07' WHERE ma_ho_so <> 'OPEN-1'");
  db_pass(connection, rules, ladder, db_instant("2025-03-21T11:00"), &report);
  /* The OLD dossiers' rows last changed 500 days ago (in the source, behind the trigger that
   * stamps updated_at, and in their clocks, as a pass then would have), the NEW one now. */
  char sql[512];
  snprintf(sql, sizeof sql,
           "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch;"
           " UPDATE onestop.ho_so SET updated_at = now() - interval '500 days'"
           "  WHERE ma_ho_so IN %s;"
           " ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch;"
           " UPDATE dunghen.clock c SET source_updated_at = h.updated_at FROM onestop.ho_so h"
           "  WHERE h.ma_ho_so = c.code AND c.code IN %s",
           old_codes, old_codes);
  db_exec(connection, sql);
  db_exec(connection, "INSERT INTO dunghen.outbox (kind, escalation_id, dossier_code, level, roles,"
                      " created_at, expanded_at) VALUES"
                      " ('escalation', 1, 'OLD-1', 'overdue', '{a}', now() - interval '200 days',"
                      "  now() - interval '200 days'),"
                      " ('escalation', 2, 'OPEN-1', 'overdue', '{a}', now(), now())");
  db_exec(connection,
          "INSERT INTO dunghen.delivery_log (message_id, outbox_id, kind, dossier_code,"
          " level, role, address, state, next_attempt_at, sent_at, created_at)"
          " SELECT 'm' || i, (SELECT min(id) FROM dunghen.outbox), 'escalation', 'OLD-1',"
          " 'overdue', 'a', 'a' || i || '@example.org', 'sent', now(),"
          " now() - interval '200 days', now() - interval '200 days'"
          " FROM generate_series(1, 5) i");
  db_exec(connection,
          "INSERT INTO dunghen.delivery_log (message_id, outbox_id, kind, dossier_code,"
          " level, role, address, state, next_attempt_at, created_at) VALUES"
          " ('p1', (SELECT max(id) FROM dunghen.outbox), 'escalation', 'OPEN-1', 'overdue',"
          "  'a', 'b@example.org', 'pending', now(), now() - interval '200 days')");
}

static bool levels_match(PGconn *connection) {
  struct pass_metrics metrics;
  struct error error;
  if (pass_metrics_read(connection, &metrics, &error) != STATUS_OK)
    return false;
  long long total = 0;
  for (size_t i = 0; i < metrics.level_count; i++)
    total += metrics.levels[i].value;
  return total == count_of(connection, "SELECT count(*) FROM dunghen.escalation_log");
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  if (!db_open(&connection, &rules, &ladder))
    return tap_finish();
  prepare(connection, rules, ladder);
  long long letters = count_of(connection, "SELECT count(*) FROM dunghen.letter_log");
  long long open_escalations = count_of(connection, "SELECT count(*) FROM dunghen.escalation_log"
                                                    " WHERE dossier_code IN ('OPEN-1', 'NEW-1')");
  long long old_escalations = count_of(connection, "SELECT count(*) FROM dunghen.escalation_log"
                                                   " WHERE dossier_code LIKE 'OLD-%'");
  tap_ok(letters == 7 && old_escalations >= 15,
         "7 letters and %lld escalations of the five "
         "dossiers closed long ago",
         old_escalations);

  struct retention_policy policy = {
      .escalation_days = 365, .clock_days = 400, .delivery_days = 90, .batch_size = 2};
  struct retention_report report;
  struct error error;
  tap_is_integer(retention_run(connection, &policy, (int64_t)time(NULL), &report, &error),
                 STATUS_OK, "a retention run %s", error.message);
  tap_is_integer((long long)report.escalations, old_escalations,
                 "the escalations of the dossiers closed 500 days ago are deleted");
  tap_is_integer((long long)report.clocks, 5, "and their clocks");
  tap_is_integer((long long)report.deliveries, 5, "the deliveries sent 200 days ago");
  tap_is_integer((long long)report.outbox, 1, "and the outbox row they emptied");
  tap_ok(report.batches > 10, "in transactions of at most 2 rows (%zu)", report.batches);
  tap_is_integer(count_of(connection, "SELECT count(*) FROM dunghen.escalation_log WHERE"
                                      " dossier_code IN ('OPEN-1', 'NEW-1')"),
                 open_escalations, "an open dossier and one closed today keep their escalations");
  tap_is_integer(count_of(connection, "SELECT count(*) FROM dunghen.clock"), 2, "and their clocks");
  tap_is_integer(count_of(connection, "SELECT count(*) FROM dunghen.letter_log"), letters,
                 "every letter is kept");
  tap_is_integer(count_of(connection, "SELECT count(*) FROM dunghen.delivery_log WHERE state ="
                                      " 'pending'"),
                 1, "a pending delivery is kept, however old");
  tap_ok(levels_match(connection), "the escalation counts of /metrics follow the table");

  struct pass_report pass;
  db_pass(connection, rules, ladder, db_instant("2025-04-30T09:00"), &pass);
  tap_is_integer(count_of(connection, "SELECT count(*) FROM dunghen.escalation_log WHERE"
                                      " dossier_code LIKE 'OLD-%'"),
                 0, "a later pass raises nothing again for them (the open one goes on)");
  struct pass_context context = {.connection = connection,
                                 .rules = rules,
                                 .ladder = ladder,
                                 .now = db_instant("2025-04-30T10:00"),
                                 .overlap_seconds = -1};
  tap_ok(pass_recompute_all(&context, &pass, &error) == STATUS_OK && pass.examined == 2 &&
             count_of(connection, "SELECT count(*) FROM dunghen.escalation_log WHERE"
                                  " dossier_code LIKE 'OLD-%'") == 0,
         "nor does a recompute after a reload, which sees only the two clocks left (%zu)",
         pass.examined);
  db_exec(connection, "UPDATE onestop.ho_so SET trich_yeu = 'sửa' WHERE ma_ho_so = 'OLD-1'");
  db_pass(connection, rules, ladder, db_instant("2025-04-30T11:00"), &pass);
  tap_is_integer((long long)pass.examined, 1, "a change to a deleted dossier's row brings it back");
  tap_is_integer((long long)pass.escalations + (long long)pass.letters, 0,
                 "finished, it raises nothing and gets no second letter");
  tap_is_integer(retention_run(connection, &(struct retention_policy){0}, (int64_t)time(NULL),
                               &report, &error),
                 STATUS_OK, "a policy of zeros");
  tap_is_integer((long long)(report.escalations + report.clocks + report.deliveries), 0,
                 "deletes nothing");
  db_close(connection, rules, ladder);
  return tap_finish();
}
