/*
 * The daemon during a burst of letters: /healthz latency while the letter thread renders, and
 * how fast the daemon renders them.
 *
 *   with-cluster bench/letters_burst [LETTERS] [REQUESTS]
 *
 * Starts `dunghen run` ($DUNGHEN_BINARY) on a fresh database with the shipped agencies, measures
 * REQUESTS (default 1000) GET /healthz one after another with 2 ms between them while the daemon
 * is idle (the baseline, same daemon and run), then inserts LETTERS (default 3000) overdue
 * dossiers in one transaction and keeps measuring /healthz the same way until every letter is
 * rendered. Meanwhile one more overdue dossier is inserted once rendering is under way, and the
 * delay from its commit to its escalation's NOTIFY shows that passes do not wait for letters.
 * Prints p50/p99/max of both series, their ratio, non-200 answers, and letters per second.
 */
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_support.h"

static int compare(const void *left, const void *right) {
  double a = *(const double *)left, b = *(const double *)right;
  return (a > b) - (a < b);
}

static double percentile(const double *sorted, size_t count, double fraction) {
  return sorted[(size_t)(fraction * (double)(count - 1) + 0.5)];
}

struct series {
  double *samples;
  size_t count, capacity;
  size_t failures; /* answers other than 200 */
};

static void sample_health(const struct e2e_daemon *daemon, struct series *series) {
  char body[1024];
  double before = e2e_monotonic_now();
  int status = e2e_http_get(daemon->port, "/healthz", body, sizeof body);
  double took = e2e_monotonic_now() - before;
  if (status != 200)
    series->failures++;
  if (series->count == series->capacity) {
    size_t capacity = series->capacity == 0 ? 4096 : series->capacity * 2;
    double *grown = realloc(series->samples, capacity * sizeof *grown);
    if (grown == NULL)
      return;
    series->samples = grown;
    series->capacity = capacity;
  }
  series->samples[series->count++] = took;
}

static void report(const char *name, struct series *series, const double *baseline) {
  qsort(series->samples, series->count, sizeof *series->samples, compare);
  double p50 = percentile(series->samples, series->count, 0.50);
  double p99 = percentile(series->samples, series->count, 0.99);
  double max = series->samples[series->count - 1];
  printf("%-34s %6zu requests  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  non-200 %zu", name,
         series->count, p50 * 1e3, p99 * 1e3, max * 1e3, series->failures);
  if (baseline != NULL)
    printf("  (p50 x%.1f, p99 x%.1f of idle)", p50 / baseline[0], p99 / baseline[1]);
  printf("\n");
}

static long long integer(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  long long value = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1
                        ? atoll(PQgetvalue(result, 0, 0))
                        : -1;
  PQclear(result);
  return value;
}

static bool exec(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  if (!ok)
    fprintf(stderr, "%s: %s", sql, PQerrorMessage(connection));
  PQclear(result);
  return ok;
}

/* True once a dunghen_escalation notification has arrived (does not wait). */
static bool escalation_heard(PGconn *connection) {
  PQconsumeInput(connection);
  bool heard = false;
  PGnotify *notification;
  while ((notification = PQnotifies(connection)) != NULL) {
    heard |= strcmp(notification->relname, "dunghen_escalation") == 0;
    PQfreemem(notification);
  }
  return heard;
}

int main(int argc, char **argv) {
  long letters = argc > 1 ? atol(argv[1]) : 3000;
  long requests = argc > 2 ? atol(argv[2]) : 1000;
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  if (conninfo == NULL || source == NULL || letters < 1 || requests < 2) {
    fprintf(stderr, "usage: with-cluster letters_burst [LETTERS] [REQUESTS] "
                    "(DUNGHEN_SOURCE_ROOT and DUNGHEN_BINARY set)\n");
    return 2;
  }
  struct e2e_harness harness;
  if (!e2e_setup(&harness, conninfo))
    return 1;
  char command[3 * PATH_MAX], config[3 * PATH_MAX];
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/'", source, harness.rules);
  if (system(command) != 0)
    return 1;
  snprintf(config, sizeof config,
           "paths:\n  letters: %s/letters\n  spool: %s/spool\nsync:\n  poll_interval: 3600\n",
           source, harness.directory);
  struct e2e_daemon daemon;
  if (!e2e_daemon_start(&daemon, &harness, config, NULL) ||
      !e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 30)) {
    e2e_daemon_dump_log(&daemon);
    return 1;
  }
  struct series idle = {0}, burst = {0};
  for (long i = 0; i < requests; i++) {
    sample_health(&daemon, &idle);
    e2e_sleep_seconds(0.002);
  }
  PGconn *listener = PQconnectdb(conninfo);
  exec(listener, "LISTEN dunghen_escalation");
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh, "
           "dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) "
           "SELECT 'BURST-' || g, '9.900001', "
           "CASE WHEN g %% 3 = 0 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' END, "
           "'Nguyễn Thị Bình ' || g, '0661' || lpad(g::text, 8, '0'), 'xã Ea Kar', 'thử', "
           "'truc_tiep', now() - interval '30 days', 'dang_xu_ly' "
           "FROM generate_series(1, %ld) AS g",
           letters);
  double started = e2e_monotonic_now();
  exec(harness.db, sql);
  double probe_sent = 0, probe_delay = -1, checked = 0, first_rendered = 0;
  long long pending = letters, rendered = 0;
  while (e2e_monotonic_now() - started < 600) {
    sample_health(&daemon, &burst);
    e2e_sleep_seconds(0.002);
    if (probe_sent > 0 && probe_delay < 0 && escalation_heard(listener))
      probe_delay = e2e_monotonic_now() - probe_sent;
    if (e2e_monotonic_now() - checked < 0.2)
      continue;
    checked = e2e_monotonic_now();
    rendered =
        integer(harness.db, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'");
    pending = integer(harness.db, "SELECT count(*) FROM dunghen.letter_log "
                                  "WHERE state = 'pending'");
    if (rendered > 0 && first_rendered == 0)
      first_rendered = checked;
    if (probe_sent == 0 && rendered >= 100 && pending > 100) {
      escalation_heard(listener); /* drop the burst's own notifications */
      exec(harness.db, "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                       "kenh, ngay_tiep_nhan, trang_thai) VALUES ('PROBE', '9.900001', "
                       "'DLK-TTPVHCC', 'Lê Văn C', 'truc_tiep', now() - interval '30 days', "
                       "'dang_xu_ly')");
      probe_sent = e2e_monotonic_now();
    }
    if (rendered >= letters + (probe_sent > 0) && pending == 0)
      break;
  }
  double seconds = e2e_monotonic_now() - started;
  int stopped = e2e_daemon_stop(&daemon, SIGTERM, 30);
  double rendering = first_rendered > 0 ? started + seconds - first_rendered : seconds;
  printf("burst: %ld letters queued in one transaction, all rendered after %.2f s "
         "(%.1f letters/s from the first one rendered, polled every 0.2 s)\n",
         letters, seconds, (double)rendered / rendering);
  report("/healthz, daemon idle (baseline)", &idle, NULL);
  double baseline[2] = {percentile(idle.samples, idle.count, 0.50),
                        percentile(idle.samples, idle.count, 0.99)};
  report("/healthz, during the burst", &burst, baseline);
  if (probe_delay >= 0)
    printf("commit -> escalation NOTIFY of a dossier inserted mid-burst: %.1f ms\n",
           probe_delay * 1e3);
  else
    printf("commit -> escalation of the mid-burst dossier: not measured (burst too short)\n");
  printf("daemon exit status after SIGTERM: %d\n", stopped);
  PQfinish(listener);
  free(idle.samples);
  free(burst.samples);
  e2e_teardown(&harness);
  return stopped == 0 && burst.failures == 0 ? 0 : 1;
}
