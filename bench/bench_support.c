#include "bench_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "store/pass.h"
#include "store/schema.h"

double bench_seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

void bench_must(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
    fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(result));
    exit(1);
  }
  PQclear(result);
}

double bench_copy_baseline(PGconn *connection, long *bytes) {
  double start = bench_seconds_now();
  PGresult *result = PQexec(connection, "COPY (SELECT * FROM dunghen.dossier_source) TO STDOUT");
  PQclear(result);
  char *row;
  int length;
  long total = 0;
  while ((length = PQgetCopyData(connection, &row, 0)) > 0) {
    total += length;
    PQfreemem(row);
  }
  while ((result = PQgetResult(connection)) != NULL)
    PQclear(result);
  if (bytes != NULL)
    *bytes = total;
  return bench_seconds_now() - start;
}

double bench_server_cpu(PGconn *connection) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", PQbackendPID(connection));
  FILE *file = fopen(path, "r");
  if (file == NULL)
    return -1;
  char line[1024];
  size_t length = fread(line, 1, sizeof line - 1, file);
  fclose(file);
  line[length] = '\0';
  const char *cursor = strrchr(line, ')'); /* fields after the command name */
  unsigned long long user = 0, system = 0;
  if (cursor == NULL || sscanf(cursor + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                               &user, &system) != 2)
    return -1;
  return (double)(user + system) / (double)sysconf(_SC_CLK_TCK);
}

int bench_compare_doubles(const void *left, const void *right) {
  double a = *(const double *)left, b = *(const double *)right;
  return (a > b) - (a < b);
}

void bench_load_dossiers(PGconn *connection, long count) {
  struct error error;
  struct schema_result migrated;
  if (PQstatus(connection) != CONNECTION_OK ||
      schema_migrate(connection, &migrated, &error) != STATUS_OK ||
      schema_install_reference(connection, &error) != STATUS_OK) {
    fprintf(stderr, "database: %s %s\n", PQerrorMessage(connection), error.message);
    exit(1);
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
  double start = bench_seconds_now();
  bench_must(connection, "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch");
  bench_must(connection, sql);
  bench_must(connection, "ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch");
  bench_must(connection, "VACUUM ANALYZE onestop.ho_so");
  printf("loaded %ld dossiers in %.1f s\n", count, bench_seconds_now() - start);
}

void bench_first_pass(PGconn *connection, const struct rules *rules, const struct ladder *ladder,
                      int64_t now) {
  struct pass_context context = {
      .connection = connection,
      .rules = rules,
      .ladder = ladder,
      .now = now,
      .overlap_seconds = -1,
      .full = true,
  };
  struct pass_report report;
  struct error error;
  double start = bench_seconds_now();
  if (pass_run(&context, &report, &error) != STATUS_OK) {
    fprintf(stderr, "pass: %s\n", error.message);
    exit(1);
  }
  printf("first full pass: %.1f s (examined %zu, escalations %zu, letters %zu)\n",
         bench_seconds_now() - start, report.examined, report.escalations, report.letters);
}
