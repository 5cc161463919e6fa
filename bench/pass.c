/*
 * bench/pass.c: the store's passes over N open dossiers in the reference schema.
 *
 *   build/tests/with-cluster build/bench/pass [N]      (N defaults to 100000)
 *
 * Loads N open dossiers (received over the last 7 days, four procedures, ten agencies), then
 * times, in the same run: the baseline `COPY (SELECT * FROM dunghen.dossier_source) TO STDOUT`,
 * the first full pass (clocks, escalations, letters), and passes after 100 changed dossiers
 * (median of 7). The bulk rows get an updated_at one hour old, as rows loaded before the daemon
 * started would, so that the overlap window of later passes holds only the changes.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/civil.h"
#include "rules/ladder.h"
#include "rules/rules.h"
#include "service/pass.h"
#include "service/schema.h"
#include "service/sql.h"

enum { CHANGE_RUNS = 7 };

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void must(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
    fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(result));
    exit(1);
  }
  PQclear(result);
}

static double copy_baseline(PGconn *connection, long *bytes) {
  double start = seconds_now();
  PGresult *result = PQexec(connection, "COPY (SELECT * FROM dunghen.dossier_source) TO STDOUT");
  PQclear(result);
  char *row;
  int length;
  *bytes = 0;
  while ((length = PQgetCopyData(connection, &row, 0)) > 0) {
    *bytes += length;
    PQfreemem(row);
  }
  while ((result = PQgetResult(connection)) != NULL)
    PQclear(result);
  return seconds_now() - start;
}

static int compare_doubles(const void *left, const void *right) {
  double a = *(const double *)left, b = *(const double *)right;
  return (a > b) - (a < b);
}

static double timed_pass(struct pass_context *context, struct pass_report *report) {
  struct error error;
  double start = seconds_now();
  if (pass_run(context, report, &error) != STATUS_OK) {
    fprintf(stderr, "pass: %s\n", error.message);
    exit(1);
  }
  return seconds_now() - start;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 100000;
  const char *rules_directory = getenv("DUNGHEN_RULES") ? getenv("DUNGHEN_RULES") : "rules";
  struct rules *rules;
  struct ladder *ladder;
  struct error error;
  int64_t now = civil_instant_from_local(civil_days_from_date(2025, 3, 31), 10 * 3600);
  if (rules_load(rules_directory, civil_local_day(now), &rules, &error) != STATUS_OK ||
      ladder_load_directory(rules_directory, &ladder, &error) != STATUS_OK) {
    fprintf(stderr, "%s\n", error.message);
    return 2;
  }
  PGconn *connection = PQconnectdb(getenv("DUNGHEN_TEST_DB") ? getenv("DUNGHEN_TEST_DB") : "");
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  struct schema_result migrated;
  if (PQstatus(connection) != CONNECTION_OK ||
      schema_migrate(connection, &migrated, &error) != STATUS_OK ||
      schema_install_reference(connection, &error) != STATUS_OK) {
    fprintf(stderr, "database: %s %s\n", PQerrorMessage(connection), error.message);
    return 1;
  }
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh,"
           " dia_chi, trich_yeu, kenh, ngay_tiep_nhan, ngay_hen_tra, trang_thai, updated_at)"
           " SELECT 'H' || lpad(i::text, 9, '0'),"
           " (ARRAY['1.004884', '1.004873', '1.004222', '1.010038'])[1 + i %% 4],"
           " 'AG' || (i %% 10), 'Nguyễn Văn An ' || i, lpad((i::bigint * 7919)::text, 12, '0'),"
           " 'Phường Tân Lập, tỉnh Đắk Lắk', 'Đăng ký hồ sơ số ' || i,"
           " (ARRAY['truc_tiep', 'truc_tuyen', 'buu_chinh'])[1 + i %% 3],"
           " timestamptz '2025-03-24 07:00+07' + (i %% 604800) * interval '1 second', NULL,"
           " 'dang_xu_ly', now() - interval '1 hour'"
           " FROM generate_series(1, %ld) i",
           count);
  double start = seconds_now();
  must(connection, "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch");
  must(connection, sql);
  must(connection, "ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch");
  must(connection, "VACUUM ANALYZE onestop.ho_so");
  printf("loaded %ld dossiers in %.1f s\n", count, seconds_now() - start);

  long bytes;
  copy_baseline(connection, &bytes); /* warm the cache like the pass will find it */
  double copy = copy_baseline(connection, &bytes);
  struct pass_context context = {
      .connection = connection, .rules = rules, .ladder = ladder, .now = now,
      .batch_size = 0, .overlap_seconds = -1, .full = true,
  };
  struct pass_report report;
  double first = timed_pass(&context, &report);
  printf("COPY dossier_source TO STDOUT: %.3f s (%ld bytes)\n", copy, bytes);
  printf("first full pass:               %.3f s  = %.2f x COPY  (examined %zu, escalations %zu,"
         " letters %zu, batches %zu)\n",
         first, first / copy, report.examined, report.escalations, report.letters,
         report.batches);
  must(connection, "VACUUM ANALYZE dunghen.clock");
  context.full = false;
  timed_pass(&context, &report); /* settles the watermark */
  double changes[CHANGE_RUNS];
  size_t examined = 0;
  for (int run = 0; run < CHANGE_RUNS; run++) {
    snprintf(sql, sizeof sql,
             "UPDATE onestop.ho_so SET trich_yeu = trich_yeu || '.' WHERE ma_ho_so IN (SELECT"
             " 'H' || lpad((1 + (i * 9973 + %d * 101) %% %ld)::text, 9, '0')"
             " FROM generate_series(1, 100) i)",
             run, count);
    must(connection, sql);
    changes[run] = timed_pass(&context, &report);
    examined += report.examined;
  }
  qsort(changes, CHANGE_RUNS, sizeof changes[0], compare_doubles);
  printf("pass after 100 changed dossiers: median %.1f ms, min %.1f ms, max %.1f ms"
         " (examined %zu per pass on average)\n",
         changes[CHANGE_RUNS / 2] * 1000, changes[0] * 1000, changes[CHANGE_RUNS - 1] * 1000,
         examined / CHANGE_RUNS);
  double idle = timed_pass(&context, &report);
  printf("pass with nothing to do: %.1f ms\n", idle * 1000);
  PQfinish(connection);
  ladder_free(ladder);
  rules_free(rules);
  return 0;
}
