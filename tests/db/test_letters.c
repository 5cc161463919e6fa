/*
 * Letter numbers and exactly-once escalations under concurrency: 300 overdue dossiers of three
 * agencies, passed by four connections at once in small batches. Every dossier gets each due
 * level once and one letter; the numbers of each agency are 1..n without gaps or repeats.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "db_support.h"
#include "tap.h"

enum { WORKERS = 4, DOSSIERS = 300 };

struct worker {
  const struct rules *rules;
  const struct ladder *ladder;
  enum status status;
  struct pass_report report;
  struct error error;
};

static void *work(void *argument) {
  struct worker *worker = argument;
  PGconn *connection = db_connect();
  struct pass_context context = {
      .connection = connection,
      .rules = worker->rules,
      .ladder = worker->ladder,
      .now = db_instant("2025-03-20T09:00"),
      .batch_size = 7,
      .overlap_seconds = -1,
  };
  worker->status = pass_run(&context, &worker->report, &worker->error);
  PQfinish(connection);
  return NULL;
}

int main(void) {
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  if (!db_open(&connection, &rules, &ladder))
    return tap_finish();
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh, ngay_tiep_nhan,"
           " trang_thai) SELECT 'L-' || i, '1.004884', 'AG' || (i %% 3), 'truc_tiep',"
           " '2025-03-03T08:00+07', 'dang_xu_ly' FROM generate_series(1, %d) i",
           DOSSIERS);
  db_exec(connection, sql);
  struct worker workers[WORKERS];
  pthread_t threads[WORKERS];
  for (int i = 0; i < WORKERS; i++) {
    memset(&workers[i], 0, sizeof workers[i]);
    workers[i].rules = rules;
    workers[i].ladder = ladder;
    pthread_create(&threads[i], NULL, work, &workers[i]);
  }
  size_t letters = 0, escalations = 0;
  for (int i = 0; i < WORKERS; i++) {
    pthread_join(threads[i], NULL);
    tap_is_integer(workers[i].status, STATUS_OK, "pass %d succeeds %s", i,
                   workers[i].error.message);
    letters += workers[i].report.letters;
    escalations += workers[i].report.escalations;
  }
  /* received 03-03 08:00, deadline 03-10 08:00; at 03-20: apology, overdue and long overdue
   * (due soon lapsed at the deadline; the new date is 03-27, so not overdue again yet). */
  tap_is_integer((long long)letters, DOSSIERS, "the passes together queued one letter each");
  tap_is_integer((long long)escalations, DOSSIERS * 3, "and raised three levels each");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.letter_log"), DOSSIERS,
                 "one letter per dossier in the table");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM (SELECT dossier_code, level,"
                                        " episode FROM dunghen.escalation_log GROUP BY 1, 2, 3"
                                        " HAVING count(*) > 1) d"),
                 0, "no escalation twice");
  for (int agency = 0; agency < 3; agency++) {
    snprintf(sql, sizeof sql,
             "SELECT count(*) = max(number) AND min(number) = 1 AND count(DISTINCT number) ="
             " count(*) AND count(*) = %d FROM dunghen.letter_log WHERE agency_code = 'AG%d'"
             " AND year = 2025",
             DOSSIERS / 3, agency);
    char answer[16];
    db_text(connection, sql, answer, sizeof answer);
    tap_is_string(answer, "t", "agency AG%d: numbers 1..%d without gaps or repeats", agency,
                  DOSSIERS / 3);
    snprintf(sql, sizeof sql,
             "SELECT last_number FROM dunghen.letter_counter WHERE agency_code = 'AG%d'", agency);
    tap_is_integer(db_integer(connection, sql), DOSSIERS / 3, "its counter is at %d", DOSSIERS / 3);
  }
  db_close(connection, rules, ladder);
  return tap_finish();
}
