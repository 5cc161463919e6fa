/*
 * bench/report.c: `dunghen report` for one month over N dossiers (store/report.h).
 *
 *   build/tests/with-cluster build/bench/report [N]   (N defaults to 1000000)
 *
 * Loads N dossiers with bench_support's loader, then spreads them over the twelve months to
 * 2025-03-31 as a year of a province's work would look: 49 in 50 received over the year and
 * finished 1 to 9 days later (some late), one in twenty of them withdrawn instead; the others
 * still open, received over the ten days to 2025-03-31 07:00. A full pass at 2025-03-31 12:00
 * writes their clocks (and the escalations and letters of the late ones, created in the
 * period), as the daemon would. Then, in the same run, times the report of March 2025
 * (report_read + report_apply_rules + report_format_json; median of 5) by agency, field,
 * procedure and channel, against two baselines: the same report with index scans turned off
 * for the session, so that PostgreSQL reads the whole clock table as it would without
 * migration 7's indexes; and reading every clock into the client (`COPY dunghen.clock TO
 * STDOUT`), the floor under any report that would count in C instead of SQL. Each figure is
 * the median wall time and the server process's mean CPU time per report (parallel query off,
 * so that the one backend does all the work).
 * DUNGHEN_BENCH_EXPLAIN=1 prints the plans of one report's statements (auto_explain, ANALYZE,
 * BUFFERS) on stderr.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_support.h"
#include "core/civil.h"
#include "rules/ladder.h"
#include "rules/report_rules.h"
#include "rules/rules.h"
#include "store/pass.h"
#include "store/report.h"
#include "store/sql.h"

enum { RUNS = 5 };

struct bench_rules {
  struct rules *rules;
  struct agency_table agencies;
};

/* One report of March 2025; its seconds; the JSON's size in *bytes. */
static double timed_report(PGconn *connection, const struct bench_rules *rules,
                           enum report_grouping grouping, size_t *bytes, struct report *kept) {
  struct report_query query = {
      .period = {civil_days_from_date(2025, 3, 1), civil_days_from_date(2025, 3, 31)},
      .grouping = grouping,
  };
  struct report report = {0};
  struct buffer json = {0};
  struct error error;
  double start = bench_seconds_now();
  if (report_read(connection, &query, &report, &error) != STATUS_OK ||
      report_apply_rules(&report, &rules->rules->procedures, &rules->agencies, &error) !=
          STATUS_OK) {
    fprintf(stderr, "report: %s\n", error.message);
    exit(1);
  }
  report_format_json(&report, &json);
  double seconds = bench_seconds_now() - start;
  *bytes = json.length;
  buffer_free(&json);
  if (kept != NULL)
    *kept = report;
  else
    report_free(&report);
  return seconds;
}

/* The median wall time of RUNS reports; the server's mean CPU time per report in *cpu. */
static double median_report(PGconn *connection, const struct bench_rules *rules,
                            enum report_grouping grouping, size_t *bytes, double *cpu) {
  double times[RUNS];
  double before = bench_server_cpu(connection);
  for (int run = 0; run < RUNS; run++)
    times[run] = timed_report(connection, rules, grouping, bytes, NULL);
  *cpu = (bench_server_cpu(connection) - before) / RUNS;
  qsort(times, RUNS, sizeof times[0], bench_compare_doubles);
  return times[RUNS / 2];
}

/* Spreads the loaded dossiers over the year (see the top of this file). */
static void spread(PGconn *connection) {
  double start = bench_seconds_now();
  bench_must(connection, "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch");
  bench_must(connection,
             "UPDATE onestop.ho_so h SET"
             " ngay_tiep_nhan = CASE WHEN n % 50 = 0"
             "  THEN timestamptz '2025-03-21 07:00+07' + (n * 7919 % 864000) * interval '1 s'"
             "  ELSE timestamptz '2024-04-01 07:00+07' + (n * 7919 % 31104000) * interval '1 s'"
             "  END,"
             " trang_thai = CASE WHEN n % 50 = 0 THEN 'dang_xu_ly'"
             "  WHEN n % 20 = 1 THEN 'da_rut' ELSE 'da_tra_ket_qua' END,"
             " ngay_hoan_thanh = CASE WHEN n % 50 = 0 THEN NULL"
             "  ELSE timestamptz '2024-04-01 07:00+07' + (n * 7919 % 31104000) * interval '1 s'"
             "   + (1 + n % 9) * interval '1 day' + (n % 7) * interval '1 hour' END,"
             " updated_at = now() - interval '1 hour'"
             " FROM (SELECT ma_ho_so, substr(ma_ho_so, 2)::bigint AS n FROM onestop.ho_so) s"
             " WHERE s.ma_ho_so = h.ma_ho_so");
  bench_must(connection, "ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch");
  bench_must(connection, "VACUUM ANALYZE onestop.ho_so");
  printf("spread over a year in %.1f s\n", bench_seconds_now() - start);
}

static void print_notice(void *argument, const char *message) {
  (void)argument;
  fputs(message, stderr);
}

/* The plans of one report's statements as store/report.c sends them, with their timings
 * (auto_explain), on stderr. */
static void explain(PGconn *connection, const struct bench_rules *rules) {
  if (getenv("DUNGHEN_BENCH_EXPLAIN") == NULL)
    return;
  PQsetNoticeProcessor(connection, print_notice, NULL);
  bench_must(connection, "LOAD 'auto_explain'");
  bench_must(connection, "SET auto_explain.log_min_duration = 0");
  bench_must(connection, "SET auto_explain.log_analyze = on");
  bench_must(connection, "SET auto_explain.log_buffers = on");
  bench_must(connection, "SET auto_explain.log_level = notice");
  size_t bytes;
  timed_report(connection, rules, REPORT_BY_AGENCY, &bytes, NULL);
  bench_must(connection, "SET auto_explain.log_min_duration = -1");
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 1000000;
  const char *directory = getenv("DUNGHEN_RULES") ? getenv("DUNGHEN_RULES") : "rules";
  struct bench_rules rules = {0};
  struct ladder *ladder;
  struct error error;
  char path[4096];
  snprintf(path, sizeof path, "%s/agencies.yaml", directory);
  if (rules_load(directory, civil_days_from_date(2025, 4, 2), &rules.rules, &error) != STATUS_OK ||
      ladder_load_directory(directory, &ladder, &error) != STATUS_OK ||
      agencies_load(path, &rules.agencies, &error) != STATUS_OK) {
    fprintf(stderr, "%s\n", error.message);
    return 2;
  }
  PGconn *connection = PQconnectdb(getenv("DUNGHEN_TEST_DB") ? getenv("DUNGHEN_TEST_DB") : "");
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  bench_load_dossiers(connection, count);
  spread(connection);
  bench_first_pass(connection, rules.rules, ladder,
                   civil_instant_from_local(civil_days_from_date(2025, 3, 31), 12 * 3600));
  bench_must(connection, "VACUUM ANALYZE dunghen.clock");
  bench_must(connection, "VACUUM ANALYZE dunghen.letter_log");
  explain(connection, &rules);

  static const enum report_grouping groupings[] = {REPORT_BY_AGENCY, REPORT_BY_FIELD,
                                                   REPORT_BY_PROCEDURE, REPORT_BY_CHANNEL};
  /* One process per statement, so that the backend's CPU time is the statement's whole CPU
   * time (and two busy cores are not fought over by parallel workers). */
  bench_must(connection, "SET max_parallel_workers_per_gather = 0");
  size_t bytes = 0;
  struct report sample;
  timed_report(connection, &rules, REPORT_BY_AGENCY, &bytes, &sample); /* warms the cache */
  printf("March 2025 by agency: %zu rows; total received %lld (carried over %lld), done %lld,"
         " in progress %lld, withdrawn %lld, letters %lld, late without a letter %zu\n",
         sample.group_count, (long long)report_received(&sample.total.figures),
         (long long)sample.total.figures.carried_over,
         (long long)report_done(&sample.total.figures),
         (long long)report_in_progress(&sample.total.figures),
         (long long)sample.total.figures.withdrawn, (long long)sample.total.figures.letters,
         sample.total.late_without_letter.count);
  report_free(&sample);
  double indexed[4], indexed_cpu[4];
  for (size_t i = 0; i < 4; i++) {
    indexed[i] = median_report(connection, &rules, groupings[i], &bytes, &indexed_cpu[i]);
    printf("report by %-9s (indexes):     median %7.1f ms, server CPU %6.1f ms  (%zu bytes of"
           " JSON)\n",
           report_grouping_name(groupings[i]), indexed[i] * 1000, indexed_cpu[i] * 1000, bytes);
  }
  bench_must(connection, "SET enable_indexscan = off");
  bench_must(connection, "SET enable_bitmapscan = off");
  for (size_t i = 0; i < 4; i++) {
    double cpu;
    double scan = median_report(connection, &rules, groupings[i], &bytes, &cpu);
    printf("report by %-9s (whole table): median %7.1f ms, server CPU %6.1f ms  = %.1f x the"
           " indexed report (CPU %.1f x)\n",
           report_grouping_name(groupings[i]), scan * 1000, cpu * 1000, scan / indexed[i],
           cpu / indexed_cpu[i]);
  }
  double copy_before = bench_server_cpu(connection);
  double start = bench_seconds_now();
  PGresult *result = PQexec(connection, "COPY dunghen.clock TO STDOUT");
  PQclear(result);
  char *row;
  int length;
  long bytes_read = 0;
  while ((length = PQgetCopyData(connection, &row, 0)) > 0) {
    bytes_read += length;
    PQfreemem(row);
  }
  while ((result = PQgetResult(connection)) != NULL)
    PQclear(result);
  double copy = bench_seconds_now() - start;
  printf("every clock to the client (COPY, %ld bytes): %.1f ms, server CPU %.1f ms = %.1f x the"
         " indexed report by agency\n",
         bytes_read, copy * 1000, (bench_server_cpu(connection) - copy_before) * 1000,
         copy / indexed[0]);
  PQfinish(connection);
  agencies_free(&rules.agencies);
  ladder_free(ladder);
  rules_free(rules.rules);
  return 0;
}
