/*
 * Daemon latency: how long after a committed change its escalation row is committed, with the
 * reference schema's NOTIFY trigger, and the daemon's peak RSS.
 *
 *   with-cluster bench/daemon_latency [SAMPLES] [OPEN_DOSSIERS]
 *
 * Loads OPEN_DOSSIERS open, not yet due dossiers (default 100000) so the tables are not toy
 * sized, starts `dunghen run` ($DUNGHEN_BINARY), then SAMPLES times (default 300): inserts one
 * overdue dossier (autocommit), and waits for the daemon's `NOTIFY dunghen_escalation`, which is
 * delivered when the escalation rows commit. The delay is from the INSERT's commit returning to
 * that notification. Baseline, same run and server: a bare NOTIFY round trip between two
 * sessions (the floor any trigger-driven design pays). Prints p50/p90/p99/max, the ratio of each
 * to the baseline's, and the daemon's peak RSS (VmHWM) before and after.
 */
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_support.h"
#include "tap.h"

static int compare(const void *left, const void *right) {
  double a = *(const double *)left, b = *(const double *)right;
  return (a > b) - (a < b);
}

static double percentile(const double *sorted, size_t count, double fraction) {
  size_t index = (size_t)(fraction * (double)(count - 1) + 0.5);
  return sorted[index];
}

/* Waits for one notification on `channel`; false after 10 s. */
static bool wait_notification(PGconn *connection, const char *channel) {
  double until = e2e_monotonic_now() + 10;
  for (;;) {
    PQconsumeInput(connection);
    PGnotify *notification;
    bool found = false;
    while ((notification = PQnotifies(connection)) != NULL) {
      found |= strcmp(notification->relname, channel) == 0;
      PQfreemem(notification);
    }
    if (found)
      return true;
    double left = until - e2e_monotonic_now();
    if (left <= 0)
      return false;
    struct pollfd watch = {.fd = PQsocket(connection), .events = POLLIN};
    poll(&watch, 1, (int)(left * 1000) + 1);
  }
}

static void drain(PGconn *connection) {
  PQconsumeInput(connection);
  PGnotify *notification;
  while ((notification = PQnotifies(connection)) != NULL)
    PQfreemem(notification);
}

static bool exec(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  if (!ok)
    fprintf(stderr, "%s: %s", sql, PQerrorMessage(connection));
  PQclear(result);
  return ok;
}

static long peak_rss_kb(pid_t pid, const char *field) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *file = fopen(path, "r");
  long value = -1;
  size_t length = strlen(field);
  while (file != NULL && fgets(line, sizeof line, file) != NULL)
    if (strncmp(line, field, length) == 0)
      value = atol(line + length + 1);
  if (file != NULL)
    fclose(file);
  return value;
}

static void report(const char *name, double *samples, size_t count, const double *baseline) {
  qsort(samples, count, sizeof *samples, compare);
  double p50 = percentile(samples, count, 0.50), p90 = percentile(samples, count, 0.90);
  double p99 = percentile(samples, count, 0.99), max = samples[count - 1];
  printf("%-28s p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms", name, p50 * 1e3, p90 * 1e3,
         p99 * 1e3, max * 1e3);
  if (baseline != NULL)
    printf("  (x%.1f, x%.1f, x%.1f of the baseline)", p50 / baseline[0], p90 / baseline[1],
           p99 / baseline[2]);
  printf("\n");
}

int main(int argc, char **argv) {
  size_t samples = argc > 1 ? (size_t)atol(argv[1]) : 300;
  long open_dossiers = argc > 2 ? atol(argv[2]) : 100000;
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL || samples < 2) {
    fprintf(stderr, "usage: with-cluster daemon_latency [SAMPLES] [OPEN_DOSSIERS]\n");
    return 2;
  }
  struct e2e_harness harness;
  if (!e2e_setup(&harness, conninfo))
    return 1;
  char sql[1024];
  snprintf(sql, sizeof sql,
           "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh, "
           "ngay_tiep_nhan, trang_thai, updated_at) SELECT 'OPEN-' || i, '9.900002', 'E2E', "
           "'Trần Thị B', "
           "'truc_tuyen', now() - interval '1 minute', 'dang_xu_ly', "
           "now() - interval '1 day' FROM generate_series(1, %ld) AS i",
           open_dossiers);
  /* Loaded long ago: with the touch trigger off, updated_at is a day old, as in a real
   * database whose open dossiers were received over the past weeks. */
  exec(harness.db, "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch");
  exec(harness.db, sql);
  exec(harness.db, "ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch");
  exec(harness.db, "ANALYZE");
  double started = e2e_monotonic_now();
  struct e2e_daemon daemon;
  if (!e2e_daemon_start(&daemon, &harness, "sync:\n  poll_interval: 3600\n", NULL)) {
    e2e_daemon_dump_log(&daemon);
    return 1;
  }
  /* Ready means the first pass over every open dossier is done: watch /healthz turn 200. */
  char body[4096];
  while (e2e_http_get(daemon.port, "/healthz", body, sizeof body) != 200 &&
         e2e_monotonic_now() - started < 600)
    e2e_sleep_seconds(0.05);
  printf("first pass over %ld open dossiers done after %.2f s\n", open_dossiers,
         e2e_monotonic_now() - started);
  long rss_after_start = peak_rss_kb(daemon.pid, "VmHWM:");

  PGconn *listener = PQconnectdb(conninfo);
  exec(listener, "LISTEN dunghen_escalation");
  exec(listener, "LISTEN bench_probe");
  double *baseline = calloc(samples, sizeof *baseline);
  double *delays = calloc(samples, sizeof *delays);
  for (size_t i = 0; i < samples; i++) {
    drain(listener);
    double before = e2e_monotonic_now();
    exec(harness.db, "NOTIFY bench_probe");
    wait_notification(listener, "bench_probe");
    baseline[i] = e2e_monotonic_now() - before;
  }
  size_t missed = 0;
  for (size_t i = 0; i < samples; i++) {
    drain(listener);
    char insert[512];
    snprintf(insert, sizeof insert,
             "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh, "
             "ngay_tiep_nhan, trang_thai) VALUES ('LAT-%zu', '9.900001', 'E2E', 'Lê Văn C', "
             "'truc_tiep', now() - interval '30 days', 'dang_xu_ly')",
             i);
    exec(harness.db, insert);
    double committed = e2e_monotonic_now();
    if (!wait_notification(listener, "dunghen_escalation"))
      missed++;
    delays[i] = e2e_monotonic_now() - committed;
  }
  long peak = peak_rss_kb(daemon.pid, "VmHWM:");
  long current = peak_rss_kb(daemon.pid, "VmRSS:");
  int stopped = e2e_daemon_stop(&daemon, SIGTERM, 30);

  printf("samples: %zu (missed %zu); open dossiers: %ld\n", samples, missed, open_dossiers);
  double sorted_baseline[3];
  report("baseline NOTIFY round trip", baseline, samples, NULL);
  sorted_baseline[0] = percentile(baseline, samples, 0.50);
  sorted_baseline[1] = percentile(baseline, samples, 0.90);
  sorted_baseline[2] = percentile(baseline, samples, 0.99);
  report("commit -> escalation row", delays, samples, sorted_baseline);
  printf("daemon RSS: peak %.1f MB after the first pass, peak %.1f MB at the end, now %.1f MB\n",
         (double)rss_after_start / 1024, (double)peak / 1024, (double)current / 1024);
  printf("daemon exit status after SIGTERM: %d\n", stopped);
  PQfinish(listener);
  free(baseline);
  free(delays);
  e2e_teardown(&harness);
  return missed == 0 && stopped == 0 ? 0 : 1;
}
