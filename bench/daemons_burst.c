/*
 * A burst with one, two and three daemons over one database: the time until every escalation
 * and letter of the burst is written.
 *
 *   with-cluster bench/daemons_burst [DOSSIERS]
 *
 * On a fresh database with the shipped agencies, for N = 1, 2, 3 and then 1 again (the control:
 * the tables have grown by then), starts N `dunghen run` ($DUNGHEN_BINARY) with one config,
 * commits DOSSIERS (default 3000) overdue dossiers of its own code prefix in one transaction
 * and polls every 0.1 s until each has its clock, no clock is due and each has its rendered
 * letter; then stops them. Prints the seconds of each run, dossiers/s, and the ratio to the
 * first one-daemon run.
 */
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_support.h"

enum { MAX_DAEMONS = 3 };

/* Seconds until `dossiers` of prefix `prefix` are settled under `count` daemons, or -1. */
static double run(struct e2e_harness *harness, const char *config, int count, const char *prefix,
                  long dossiers) {
  struct e2e_daemon daemons[MAX_DAEMONS];
  int started = 0;
  for (; started < count; started++)
    if (!e2e_daemon_start(&daemons[started], harness, config, NULL) ||
        !e2e_daemon_wait_log(&daemons[started], "ready: rules loaded", 1, 60))
      break;
  double seconds = -1;
  if (started == count) {
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
             "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) "
             "SELECT '%s-' || g, '9.900001', "
             "CASE WHEN g %% 3 = 0 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' END, "
             "'Nguyễn Thị Bình ' || g, '0661' || lpad(g::text, 8, '0'), 'xã Ea Kar', 'thử', "
             "'truc_tiep', now() - interval '30 days', 'dang_xu_ly' "
             "FROM generate_series(1, %ld) AS g",
             prefix, dossiers);
    double begun = e2e_monotonic_now();
    if (e2e_db_exec(harness, "%s", sql)) {
      char settled[1024];
      snprintf(settled, sizeof settled,
               "SELECT (SELECT count(*) FROM dunghen.clock WHERE code LIKE '%s-%%') + "
               "(SELECT count(*) FROM dunghen.letter_log WHERE dossier_code LIKE '%s-%%' AND "
               "state = 'rendered') - (SELECT count(*) FROM dunghen.clock WHERE code LIKE "
               "'%s-%%' AND next_instant <= now())",
               prefix, prefix, prefix);
      while (e2e_monotonic_now() - begun < 1800) {
        if (e2e_db_integer(harness, "%s", settled) == 2 * dossiers) {
          seconds = e2e_monotonic_now() - begun;
          break;
        }
        e2e_sleep_seconds(0.1);
      }
    }
  }
  for (int i = 0; i < started; i++)
    e2e_daemon_stop(&daemons[i], SIGTERM, 60);
  return seconds;
}

int main(int argc, char **argv) {
  long dossiers = argc > 1 ? atol(argv[1]) : 3000;
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  if (conninfo == NULL || source == NULL || dossiers < 1) {
    fprintf(stderr, "usage: with-cluster daemons_burst [DOSSIERS] "
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
  static const int counts[] = {1, 2, 3, 1};
  double baseline = -1;
  int failures = 0;
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "D%zu", i + 1);
    double seconds = run(&harness, config, counts[i], prefix, dossiers);
    if (seconds < 0) {
      printf("%d daemon(s): did not settle\n", counts[i]);
      failures++;
      continue;
    }
    if (baseline < 0)
      baseline = seconds;
    printf("%d daemon(s)%s: %ld overdue dossiers (escalations and letters) settled in %.2f s, "
           "%.0f dossiers/s, %.2fx the time of one daemon\n",
           counts[i], i == 3 ? " again (control)" : "", dossiers, seconds,
           (double)dossiers / seconds, seconds / baseline);
    fflush(stdout);
  }
  e2e_teardown(&harness);
  return failures == 0 ? 0 : 1;
}
