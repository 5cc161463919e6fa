/*
 * Load: 100,000 dossier changes committed in a burst with the NOTIFY trigger on (the `faults`
 * suite). 100 transactions of 1,000 new dossiers each (1 % of them overdue, so 1,000 letters
 * are rendered too) are committed as fast as the server takes them while a second thread asks
 * /healthz every 10 ms. Every request must be answered (the loop never stalls on the passes or
 * the renders); everything is processed (every dossier examined in its current version, every
 * letter rendered, the invariants hold); memory stays bounded (VmHWM under 512 MB). Prints the
 * throughput (changes/s), the worst /healthz latency and the peak memory: figures, not
 * assertions. $FAULTS_LOAD (default 100000) changes the number of changes.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults_support.h"
#include "tap.h"

enum { PER_TRANSACTION = 1000, MEMORY_LIMIT_KB = 512 * 1024 };

struct prober {
  int port;
  atomic_bool stop;
  long requests, unanswered;
  double worst; /* seconds */
  double total;
};

static void *probe(void *argument) {
  struct prober *prober = argument;
  char body[4096];
  while (!atomic_load(&prober->stop)) {
    double started = e2e_monotonic_now();
    int status = e2e_http_get(prober->port, "/healthz", body, sizeof body);
    double took = e2e_monotonic_now() - started;
    prober->requests++;
    prober->unanswered += status != 200 && status != 503;
    prober->total += took;
    if (took > prober->worst)
      prober->worst = took;
    e2e_sleep_seconds(0.01);
  }
  return NULL;
}

static bool commit_burst(struct e2e_harness *harness, int changes) {
  for (int first = 1; first <= changes; first += PER_TRANSACTION) {
    int last = first + PER_TRANSACTION - 1 < changes ? first + PER_TRANSACTION - 1 : changes;
    if (!e2e_db_exec(harness,
                     "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                     "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) "
                     "SELECT 'L-' || lpad(g::text, 7, '0'), "
                     "CASE WHEN g %% 100 = 0 THEN '9.900001' ELSE '9.900002' END, "
                     "CASE WHEN g %% 2 = 0 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' END, "
                     "'Đỗ Văn Tải ' || g, '0793' || lpad(g::text, 8, '0'), 'xã Krông Pắc', "
                     "'tải', 'truc_tuyen', CASE WHEN g %% 100 = 0 THEN now() - interval '30 days' "
                     "ELSE now() END, 'dang_xu_ly' FROM generate_series(%d, %d) AS g",
                     first, last))
      return false;
  }
  return true;
}

int main(void) {
  struct faults_database database;
  if (!faults_database_create(&database, "a restartable PostgreSQL, migrated"))
    return tap_finish();
  struct e2e_harness *harness = &database.harness;
  const char *text = getenv("FAULTS_LOAD");
  int changes = text != NULL && atoi(text) > 0 ? atoi(text) : 100000;
  char config[8192];
  snprintf(config, sizeof config,
           "paths:\n  letters: %s\n  spool: %s\nsync:\n  poll_interval: "
           "3600\n",
           database.letters, database.spool);
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "the daemon starts") ||
      !tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "and becomes ready")) {
    e2e_daemon_dump_log(&daemon);
    faults_database_destroy(&database);
    return tap_finish();
  }
  long idle_kb = faults_proc_kilobytes(daemon.pid, "VmHWM");
  struct prober prober = {.port = daemon.port};
  atomic_init(&prober.stop, false);
  pthread_t thread;
  pthread_create(&thread, NULL, probe, &prober);
  double started = e2e_monotonic_now();
  tap_ok(commit_burst(harness, changes), "%d changes committed in %d transactions", changes,
         (changes + PER_TRANSACTION - 1) / PER_TRANSACTION);
  double committed = e2e_monotonic_now() - started;
  tap_ok(faults_wait_settled(harness, false, 600), "every dossier examined in its current version");
  double examined = e2e_monotonic_now() - started;
  tap_ok(faults_wait_settled(harness, true, 600), "every letter rendered");
  double rendered = e2e_monotonic_now() - started;
  atomic_store(&prober.stop, true);
  pthread_join(thread, NULL);
  long peak_kb = faults_proc_kilobytes(daemon.pid, "VmHWM");
  long letters = (long)e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log");
  tap_diagnostic("%d changes: committed in %.1f s, all examined after %.1f s (%.0f changes/s), "
                 "%ld letters rendered after %.1f s",
                 changes, committed, examined, changes / examined, letters, rendered);
  tap_diagnostic("/healthz: %ld requests while it worked, worst %.1f ms, mean %.1f ms",
                 prober.requests, prober.worst * 1e3,
                 prober.requests > 0 ? prober.total / (double)prober.requests * 1e3 : 0.0);
  tap_diagnostic("memory: VmHWM %ld kB when idle, %ld kB after the burst", idle_kb, peak_kb);
  tap_ok(prober.requests > 10 && prober.unanswered == 0,
         "/healthz answered every request while it worked (%ld)", prober.requests);
  tap_ok(peak_kb > 0 && peak_kb < MEMORY_LIMIT_KB, "peak memory bounded: %ld kB < %d kB", peak_kb,
         MEMORY_LIMIT_KB);
  tap_is_integer(
      e2e_db_integer(harness, "SELECT count(*) FROM dunghen.clock WHERE code LIKE 'L-%%'"), changes,
      "a clock for every dossier");
  tap_is_integer(letters, changes / 100, "a letter for every overdue dossier");
  faults_check_database(harness, "after the burst", true);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "SIGTERM: exit status 0");
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  faults_database_destroy(&database);
  return result;
}
