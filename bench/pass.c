/*
 * bench/pass.c: the store's passes over N open dossiers in the reference schema.
 *
 *   build/tests/with-cluster build/bench/pass [N [BATCH]]  (N defaults to 100000, BATCH to
 *                                                          PASS_DEFAULT_BATCH_SIZE)
 *
 * Loads N open dossiers (received over the last 7 days, four procedures, ten agencies), then
 * times, in the same run: the baseline `COPY (SELECT * FROM dunghen.dossier_source) TO STDOUT`,
 * the first full pass (clocks, escalations, letters), passes after 100 changed dossiers
 * (median of 7), a pass with nothing to do, and a /metrics read; and, as the floor of any first
 * pass with this schema, the time to write its output rows alone, and the first pass's ratio to
 * it; last, the same first pass again on emptied tables, shared by two sessions as two daemons
 * would share it (store/pass_range.h). The bulk rows get an
 * updated_at one hour old, as rows loaded before the daemon started would, so that the overlap
 * window of later passes holds only the changes. DUNGHEN_BENCH_TRACE=full|change|small prints
 * the plans and timings of that pass's statements (auto_explain); =pid prints the backend's
 * process id before the first pass (for perf record -p).
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_support.h"
#include "core/civil.h"
#include "rules/ladder.h"
#include "rules/rules.h"
#include "store/pass.h"
#include "store/pass_metrics.h"
#include "store/schema.h"
#include "store/sql.h"

enum { CHANGE_RUNS = 7 };

/* DUNGHEN_BENCH_TRACE=1: every statement's plan with its timing, on stderr (auto_explain). */
static void print_notice(void *argument, const char *message) {
  (void)argument;
  fputs(message, stderr);
}

/* `when`: "full" times each statement of the first full pass, "change" the last pass
 * after changes, "small" the pass with nothing to do. */
static void trace(PGconn *connection, const char *when) {
  const char *wanted = getenv("DUNGHEN_BENCH_TRACE");
  if (wanted == NULL || strcmp(wanted, when) != 0)
    return;
  PQsetNoticeProcessor(connection, print_notice, NULL);
  bench_must(connection, "LOAD 'auto_explain'");
  bench_must(connection, strcmp(when, "full") == 0 ? "SET auto_explain.log_min_duration = 0"
                                                   : "SET auto_explain.log_min_duration = 0");
  /* A full pass is timed statement by statement (instrumenting every plan node would distort
   * it); the small passes get their plans with actual rows and buffers. */
  if (strcmp(when, "full") != 0) {
    bench_must(connection, "SET auto_explain.log_analyze = on");
    bench_must(connection, "SET auto_explain.log_buffers = on");
  }
  bench_must(connection, "SET auto_explain.log_nested_statements = on");
  bench_must(connection, "SET auto_explain.log_level = notice");
}

static double client_cpu(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
         (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

/* A daemon of the shared first pass: its own connection, its own report. */
struct daemon_pass {
  struct pass_context context;
  struct pass_report report;
  enum status status;
  struct error error;
};

static void *run_daemon_pass(void *argument) {
  struct daemon_pass *daemon = argument;
  daemon->status = pass_run(&daemon->context, &daemon->report, &daemon->error);
  return NULL;
}

/* The first pass again, from emptied tables, by `count` sessions at once; its wall time. */
static double shared_first_pass(PGconn *connection, const struct pass_context *model, int count,
                                size_t *ranges, double *cpu) {
  bench_must(connection, "TRUNCATE dunghen.clock, dunghen.escalation_log, dunghen.letter_log,"
                         " dunghen.letter_counter, dunghen.metric_delta CASCADE");
  bench_must(connection, "UPDATE dunghen.sync_state SET watermark = NULL, last_pass_at = NULL");
  bench_must(connection, "VACUUM ANALYZE dunghen.clock");
  struct daemon_pass daemons[2];
  pthread_t threads[2];
  for (int i = 0; i < count; i++) {
    daemons[i] = (struct daemon_pass){.context = *model};
    daemons[i].context.connection =
        PQconnectdb(getenv("DUNGHEN_TEST_DB") ? getenv("DUNGHEN_TEST_DB") : "");
    PQsetNoticeProcessor(daemons[i].context.connection, sql_ignore_notice, NULL);
  }
  *cpu = -client_cpu();
  for (int i = 0; i < count; i++)
    *cpu -= bench_server_cpu(daemons[i].context.connection);
  double start = bench_seconds_now();
  for (int i = 0; i < count; i++)
    pthread_create(&threads[i], NULL, run_daemon_pass, &daemons[i]);
  for (int i = 0; i < count; i++)
    pthread_join(threads[i], NULL);
  double seconds = bench_seconds_now() - start;
  *cpu += client_cpu();
  for (int i = 0; i < count; i++) {
    if (daemons[i].status != STATUS_OK) {
      fprintf(stderr, "pass: %s\n", daemons[i].error.message);
      exit(1);
    }
    ranges[i] = daemons[i].report.ranges;
    *cpu += bench_server_cpu(daemons[i].context.connection);
    PQfinish(daemons[i].context.connection);
  }
  return seconds;
}

static double timed_pass(struct pass_context *context, struct pass_report *report) {
  struct error error;
  double start = bench_seconds_now();
  if (pass_run(context, report, &error) != STATUS_OK) {
    fprintf(stderr, "pass: %s\n", error.message);
    exit(1);
  }
  return bench_seconds_now() - start;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 100000;
  size_t batch_size = argc > 2 ? (size_t)atol(argv[2]) : 0; /* 0: PASS_DEFAULT_BATCH_SIZE */
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
  bench_load_dossiers(connection, count);
  char sql[1024];
  double start;

  long bytes;
  bench_copy_baseline(connection, &bytes); /* warm the cache like the pass will find it */
  double copy_server_before = bench_server_cpu(connection);
  double copy = bench_copy_baseline(connection, &bytes);
  double copy_server = bench_server_cpu(connection) - copy_server_before;
  struct pass_context context = {
      .connection = connection,
      .rules = rules,
      .ladder = ladder,
      .now = now,
      .batch_size = batch_size,
      .overlap_seconds = -1,
      .full = true,
  };
  struct pass_report report;
  trace(connection, "full");
  if (getenv("DUNGHEN_BENCH_TRACE") != NULL && strcmp(getenv("DUNGHEN_BENCH_TRACE"), "pid") == 0)
    fprintf(stderr, "backend pid %d\n", PQbackendPID(connection)); /* for perf --pid */
  double server_before = bench_server_cpu(connection), client_before = client_cpu();
  double first = timed_pass(&context, &report);
  double server_used = bench_server_cpu(connection) - server_before;
  double client_used = client_cpu() - client_before;
  printf("COPY dossier_source TO STDOUT: %.3f s (%ld bytes)\n", copy, bytes);
  printf("first full pass:               %.3f s  = %.2f x COPY  (examined %zu, escalations %zu,"
         " letters %zu, batches %zu)\n",
         first, first / copy, report.examined, report.escalations, report.letters, report.batches);
  printf("  CPU: server %.3f s, dunghen %.3f s (COPY: server %.3f s)\n", server_used, client_used,
         copy_server);
  /* The floor under any first pass with this schema: writing its output rows alone, by
   * INSERT ... SELECT into copies of the three tables with their indexes (no triggers), one
   * table at a time so that each table's share shows. */
  static const char *const FLOOR_TABLES[][2] = {
      {"clock", "clock"}, {"escalation", "escalation_log"}, {"letter", "letter_log"}};
  double floor = 0, floor_server = 0;
  for (size_t table = 0; table < sizeof FLOOR_TABLES / sizeof FLOOR_TABLES[0]; table++) {
    snprintf(sql, sizeof sql, "CREATE TABLE dunghen.floor_%s (LIKE dunghen.%s INCLUDING ALL)",
             FLOOR_TABLES[table][0], FLOOR_TABLES[table][1]);
    bench_must(connection, sql);
    snprintf(sql, sizeof sql,
             "BEGIN; INSERT INTO dunghen.floor_%s SELECT * FROM dunghen.%s; COMMIT",
             FLOOR_TABLES[table][0], FLOOR_TABLES[table][1]);
    start = bench_seconds_now();
    double floor_server_before = bench_server_cpu(connection);
    bench_must(connection, sql);
    double part = bench_seconds_now() - start;
    floor += part;
    floor_server += bench_server_cpu(connection) - floor_server_before;
    printf("  writing the %s rows alone: %.3f s = %.2f x COPY\n", FLOOR_TABLES[table][1], part,
           part / copy);
    snprintf(sql, sizeof sql, "DROP TABLE dunghen.floor_%s", FLOOR_TABLES[table][0]);
    bench_must(connection, sql);
  }
  printf("  writing its output rows alone (INSERT ... SELECT, same indexes): %.3f s = %.2f x"
         " COPY\n",
         floor, floor / copy);
  /* CPU time is the steadier figure on a shared machine: the pass's (server and dunghen,
   * which alternate) against the floor's (server). */
  printf("first full pass / writing its output rows alone: %.2f x wall, %.2f x CPU (floor's"
         " server CPU %.3f s; ranges %zu)\n",
         first / floor, (server_used + client_used) / floor_server, floor_server, report.ranges);
  bench_must(connection, "VACUUM ANALYZE dunghen.clock");
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
    bench_must(connection, sql);
    if (run == CHANGE_RUNS - 1)
      trace(connection, "change");
    changes[run] = timed_pass(&context, &report);
    examined += report.examined;
  }
  qsort(changes, CHANGE_RUNS, sizeof changes[0], bench_compare_doubles);
  printf("pass after 100 changed dossiers: median %.1f ms, min %.1f ms, max %.1f ms"
         " (examined %zu per pass on average)\n",
         changes[CHANGE_RUNS / 2] * 1000, changes[0] * 1000, changes[CHANGE_RUNS - 1] * 1000,
         examined / CHANGE_RUNS);
  trace(connection, "small");
  double idle = timed_pass(&context, &report);
  printf("pass with nothing to do: %.1f ms\n", idle * 1000);
  /* /metrics: pass_metrics_read against counting the tables, as it did before migration 2. */
  struct pass_metrics metrics;
  start = bench_seconds_now();
  for (int run = 0; run < CHANGE_RUNS; run++)
    if (pass_metrics_read(connection, &metrics, &error) != STATUS_OK) {
      fprintf(stderr, "metrics: %s\n", error.message);
      return 1;
    }
  double metrics_read = (bench_seconds_now() - start) / CHANGE_RUNS;
  start = bench_seconds_now();
  bench_must(connection,
             "SELECT state, count(*) FROM dunghen.clock GROUP BY state"
             " UNION ALL SELECT level, count(*) FROM dunghen.escalation_log GROUP BY level"
             " UNION ALL SELECT state, count(*) FROM dunghen.letter_log GROUP BY state");
  double counting = bench_seconds_now() - start;
  printf("metrics read: %.2f ms (counting the tables instead: %.1f ms)\n", metrics_read * 1000,
         counting * 1000);
  context.full = true;
  size_t ranges[2];
  double shared_cpu;
  double shared = shared_first_pass(connection, &context, 2, ranges, &shared_cpu);
  printf("first pass shared by two sessions (a daemon's default, sync.first_pass_sessions 2):"
         " %.3f s = %.2f x the first full pass, %.2f x"
         " writing its output rows; CPU %.3f s (server and dunghen) = %.2f x the single pass's"
         " (ranges %zu + %zu)\n",
         shared, shared / first, shared / floor, shared_cpu,
         shared_cpu / (server_used + client_used), ranges[0], ranges[1]);
  PQfinish(connection);
  ladder_free(ladder);
  rules_free(rules);
  return 0;
}
